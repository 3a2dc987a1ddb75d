/* refer.c — jrefer: referral edges in time order, the first claim on a
 * referee wins, a cycle is refused by union-find (no recursion anywhere, so
 * a chain of any length is fine), then the tree statistics.
 *
 * Memory: what grows with the customers stays in memory (their ids, interned
 * once, and a 64-byte node each, plus 24 bytes in the touch stream); what
 * grows with the rows goes through a budget (--memory): the invitations,
 * packed in a few ints each, are sorted by (time, input order) in runs that
 * fit it, spilled and merged past it; the rows kept for --rejects likewise.
 * A touch needs no entry of its own: the graph tests only ask whether the
 * referee was about before, and did anything at or after, an invitation,
 * which a few times per customer answer. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "jt_err.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_par.h"
#include "jt_out.h"
#include "jt_stats.h"
#include "refer_int.h"

struct jt_referrun *jt_refer_new(const struct jt_refer_opts *o)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	/* Large blocks from mmap, always: glibc raises its threshold as large
	 * blocks are freed (the id table's old slots), after which the doubling
	 * buffers would grow by copying instead of remapping. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
	struct jt_referrun *r = jt_xcalloc_own(sizeof *r);
	r->o = *o;
	if (r->o.jobs <= 0)	/* a second thread only where there is a second processor */
		r->o.jobs = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2 : 1;
	uint64_t mem = o->memory ? o->memory : JT_REFER_MEMORY;
	if (mem > SIZE_MAX / 2)
		mem = SIZE_MAX / 2;
	int keep_rows = o->c && o->c->rejects;
	r->rsz = 24 + (o->referrer ? 8 : 0);
	r->rowat = r->rsz;
	r->rsz += keep_rows ? 8 : 0;
	/* the rows of --rejects are larger than the invitations: half each */
	r->xs = jt_xsort_new(r->rsz, jt_cmp_key16, keep_rows ? (size_t)mem / 2 : (size_t)mem);
	if (keep_rows)
		r->rows = jt_blobs_new((size_t)mem / 2);
	r->ids = (struct jt_itab)JT_ITAB_INIT;
	r->ids.max = INT32_MAX;	/* parent and child links are signed 32-bit */
	return r;
}

void jt_refer_input(struct jt_referrun *r, const char *path)
{
	if (r->nin >= MAX_INPUTS)
		jt_die("more than %llu inputs, the most jrefer reads in one run", (unsigned long long)MAX_INPUTS);
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

static const char *id_of(const struct jt_referrun *r, uint32_t i, size_t *len)
{
	return jt_itab_key(&r->ids, i, len);
}

/* ---- the graph ---------------------------------------------------------------- */

/* The root of x's set in the union-find, and x's generation: the sum of d
 * on the way up (mod 2^32: the differences may be below 0). The way is
 * compressed, iteratively, each node's d set to its generation less the
 * root's. */
static uint32_t find(const struct jt_referrun *r, uint32_t x, uint32_t *gen)
{
	uint32_t root = x, sum = 0;
	for (;;) {
		const struct node *n = NODE(r, root);
		sum += n->d;
		if (n->uf == root)
			break;
		root = n->uf;
	}
	*gen = sum;
	uint32_t below = sum - NODE(r, root)->d;	/* x's generation less the root's */
	while (x != root) {
		struct node *n = NODE(r, x);
		uint32_t next = n->uf, d = n->d;
		n->uf = root;
		n->d = below;
		below -= d;
		x = next;
	}
	return root;
}

enum why { W_SELF, W_REPEAT, W_CLAIMED, W_CYCLE };

static void reject_edge(struct jt_referrun *r, const struct edge *e, uint32_t from, enum why why)
{
	static const char *const key[] = { "self-referral", "repeat invitation", "already referred", "cycle" };
	if (jt_reject_silent(r->rj)) {
		jt_reject_count(r->rj, key[why]);
		return;
	}
	struct jt_record rec = { 0, r->rf, r->rl, e->pos & (((uint64_t)1 << LINE_BITS) - 1), 0, NULL, 0, ',' };
	if (r->rows) {
		jt_blobs_get(r->rows, e->row, &r->rowbuf);
		jt_refer_unpack(r->rowbuf.p, r->rf, r->rl, r->h->n, &rec);
	}
	const char *src = r->src[e->pos >> LINE_BITS];
	size_t la, lb, lc;
	const char *ia = id_of(r, from, &la), *ib = id_of(r, e->to, &lb);
	const char *a = jt_show(ia, la), *b = jt_show(ib, lb);
	switch (why) {
	case W_SELF: jt_reject(r->rj, src, &rec, key[why], "self-referral: %s -> %s", a, b); break;
	case W_REPEAT: jt_reject(r->rj, src, &rec, key[why], "repeat invitation: %s -> %s", a, b); break;
	case W_CLAIMED: {
		const char *c = id_of(r, (uint32_t)NODE(r, e->to)->parent, &lc);
		jt_reject(r->rj, src, &rec, key[why], "referee already referred by %s: %s -> %s", jt_show(c, lc), a, b);
		break;
	}
	case W_CYCLE: jt_reject(r->rj, src, &rec, key[why], "would close a cycle: %s -> %s", a, b); break;
	}
}

static int is_referred(const struct jt_referrun *r, const struct node *x);

static void build(struct jt_referrun *r, FILE *flags)
{
	struct jt_writer fw;
	if (flags) {
		jt_writer_init(&fw, flags);
		const char *h[] = { "referrer", "referee", "time", "flag", "detail" };
		size_t l[5];
		for (int i = 0; i < 5; i++)
			l[i] = strlen(h[i]);
		jt_w_record(&fw, h, l, 5, 0);
	}
	if (!r->o.referrer)	/* own conversion: the first referral_converted, else the first order */
		for (uint32_t i = 0; i < r->nn; i++)
			if (NODE(r, i)->own == NOTIME)
				NODE(r, i)->own = TAGG(r, i)->first_ord;
	/* the edges in time order, each tested, kept or rejected; the nodes of
	 * the next few fetched while one is */
	jt_xsort_end(r->xs);
	struct edge q[AHEAD];
	size_t qh = 0, qn = 0;
	int more = 1;
	for (;;) {
		while (more && qn < AHEAD) {
			const char *p = jt_xsort_next(r->xs);
			if (!p) {
				more = 0;
				break;
			}
			struct edge *x = &q[(qh + qn++) % AHEAD];
			jt_refer_get_edge(r, p, x);
			__builtin_prefetch(NODE(r, x->from & ~SIGNED_UP), 1);
			__builtin_prefetch(NODE(r, x->to), 1);
			if (!r->o.referrer)
				__builtin_prefetch(TAGG(r, x->to));
		}
		if (!qn)
			break;
		struct edge e = q[qh];
		qh = (qh + 1) % AHEAD;
		qn--;
		uint32_t from = e.from & ~SIGNED_UP;
		struct node *to = NODE(r, e.to), *fr = NODE(r, from);
		if (from == e.to) {
			reject_edge(r, &e, from, W_SELF);
			continue;
		}
		if (to->parent != NONE) {	/* a reminder (the same referrer again), or a second claim */
			reject_edge(r, &e, from, (uint32_t)to->parent == from ? W_REPEAT : W_CLAIMED);
			continue;
		}
		uint32_t gf, gt;
		uint32_t a = find(r, from, &gf), c = find(r, e.to, &gt);
		if (a == c) {
			reject_edge(r, &e, from, W_CYCLE);
			continue;
		}
		/* the referee's tree (generation 0 at the referee) goes under the
		 * referrer: every generation in it grows by the referrer's + 1 */
		struct node *cn = NODE(r, c);
		cn->uf = a;
		cn->d += gf + 1 - NODE(r, a)->d;
		to->parent = (int32_t)from;
		to->sibling = fr->child;
		fr->child = (int32_t)e.to;
		fr->invites++;
		if (fr->first_inv == NOTIME || e.t < fr->first_inv)
			fr->first_inv = e.t;
		if (fr->last_inv == NOTIME || e.t > fr->last_inv)
			fr->last_inv = e.t;
		/* what the invitation led to: in a raw export its row says; in the touch
		 * stream, the referee's touches at or after it (a sign-up is their first
		 * referral_signup there, else any touch; a conversion their first
		 * referral_converted, else order: either exists when a latest one is
		 * not before the invitation) */
		if (r->o.referrer) {
			fr->signed_up += (e.from & SIGNED_UP) != 0;
			fr->converted += e.cv != NOTIME;
			to->own = e.cv;
		} else {
			const struct tagg *g = TAGG(r, e.to);
			fr->signed_up += g->last_touch != NOTIME && g->last_touch >= e.t;
			fr->converted += g->last_co != NOTIME && g->last_co >= e.t;
		}
		if (to->first_touch != NOTIME && to->first_touch < e.t) {	/* kept, but suspicious */
			r->flagged++;
			if (flags) {
				size_t la, lb;
				char tb[32], fb[32], db[64];
				jt_time_format(e.t, tb);
				snprintf(db, sizeof db, "first touch %s", jt_time_format(to->first_touch, fb));
				const char *f[5] = { id_of(r, from, &la), id_of(r, e.to, &lb), tb, "existing_customer", db };
				size_t l[5] = { la, lb, strlen(tb), 17, strlen(db) };
				jt_w_record(&fw, f, l, 5, 0);
			}
		}
	}
	if (flags)
		jt_writer_flush(&fw);
	/* the generations, from the union-find; the sizes and depths of the
	 * subtrees (the per-referrer table only) bottom-up in a breadth-first
	 * order, no recursion */
	if (r->o.mode != JT_RM_SUMMARY)
		r->tr = jt_xbig((r->nn + 1) * sizeof *r->tr);
	else
		r->sum.cyc = jt_xmalloc((r->nn + 1) * sizeof *r->sum.cyc);
	for (uint32_t i = 0; i < r->nn; i++) {
		uint32_t g;
		find(r, i, &g);
		if (r->tr)
			r->tr[i].gen = g;
		if (g > r->gens)
			r->gens = g;
		/* and the sums of the summary, in the same pass */
		const struct node *x = NODE(r, i);
		int referred = is_referred(r, x);
		r->sum.referrers += x->invites > 0;
		r->sum.invites += x->invites;
		r->sum.signed_up += SIGNED(x);
		r->sum.converted += x->converted;
		r->sum.referred += referred;
		r->sum.touched += (x->signed_up & N_TOUCH) != 0;
		r->sum.floor += x->invites > 0 || referred;
		/* viral cycle time: own conversion to first invitation */
		if (r->sum.cyc && x->invites && x->own != NOTIME && x->first_inv >= x->own)
			r->sum.cyc[r->sum.ncyc++] = x->first_inv - x->own;
	}
	if (r->o.mode != JT_RM_REFERRERS)
		return;
	uint32_t *order = jt_xmalloc((r->nn + 1) * sizeof *order);
	size_t head = 0, tail = 0;
	for (uint32_t i = 0; i < r->nn; i++)
		if (NODE(r, i)->parent == NONE)
			order[tail++] = i;
	while (head < tail) {
		uint32_t x = order[head++];
		for (int32_t c = NODE(r, x)->child; c != NONE; c = NODE(r, (uint32_t)c)->sibling)
			order[tail++] = (uint32_t)c;
	}
	for (size_t k = tail; k-- > 0;) {
		uint32_t x = order[k];
		if (NODE(r, x)->parent == NONE)
			continue;
		struct tree *t = &r->tr[x], *pt = &r->tr[NODE(r, x)->parent];
		pt->desc += 1 + t->desc;
		if (t->height + 1 > pt->height)
			pt->height = t->height + 1;
	}
	free(order);
}

/* ---- outputs ---------------------------------------------------------------- */

static const struct jt_referrun *sort_r;

static int cmp_id(const void *a, const void *b)
{
	size_t lx, ly;
	const char *x = id_of(sort_r, *(const uint32_t *)a, &lx), *y = id_of(sort_r, *(const uint32_t *)b, &ly);
	int c = memcmp(x, y, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
}

/* The ids of the customers keep() takes, in byte order. */
static uint32_t *sorted_ids(const struct jt_referrun *r, int (*keep)(const struct node *), size_t *n)
{
	uint32_t *ord = jt_xmalloc((r->nn + 1) * sizeof *ord);
	size_t k = 0;
	for (uint32_t i = 0; i < r->nn; i++)
		if (keep(NODE(r, i)))
			ord[k++] = i;
	sort_r = r;
	if (k > 1)
		qsort(ord, k, sizeof *ord, cmp_id);
	*n = k;
	return ord;
}

static int is_referrer(const struct node *x) { return x->invites > 0; }
static int is_referee(const struct node *x) { return x->parent != NONE; }

static void record(struct jt_referrun *r, const char *const *f, size_t n)
{
	size_t len[16];
	for (size_t i = 0; i < n; i++)
		len[i] = strlen(f[i]);
	jt_w_record(&r->w, f, len, n, 0);
}

static void write_referrers(struct jt_referrun *r)
{
	const char *h[] = { "referrer", "generation", "invites", "signed_up", "converted", "conversion_pct",
		"conversion_lo", "conversion_hi", "descendants", "depth", "first_invite", "last_invite" };
	record(r, h, 12);
	size_t n;
	uint32_t *ord = sorted_ids(r, is_referrer, &n);
	for (size_t k = 0; k < n; k++) {
		const struct node *x = NODE(r, ord[k]);
		const struct tree *t = &r->tr[ord[k]];
		char b[10][64];
		size_t l;
		const char *f[12];
		f[0] = id_of(r, ord[k], &l);
		f[1] = jt_fmt_u64(t->gen, b[0]);
		f[2] = jt_fmt_u64(x->invites, b[1]);
		f[3] = jt_fmt_u64(SIGNED(x), b[2]);
		f[4] = jt_fmt_u64(x->converted, b[3]);
		jt_pct(x->converted, x->invites, b[4]);
		jt_wilson(x->converted, x->invites, b[5], b[6]);
		f[5] = b[4];
		f[6] = b[5];
		f[7] = b[6];
		if (r->o.referrer && !r->o.signup)	/* a raw export without sign-ups: unknown, not 0 */
			f[3] = "";
		if (r->o.referrer && !r->o.converted)
			f[4] = f[5] = f[6] = f[7] = "";
		f[8] = jt_fmt_u64(t->desc, b[7]);
		f[9] = jt_fmt_u64(t->height, b[8]);
		char t1[32], t2[32];
		f[10] = jt_time_format(x->first_inv, t1);
		f[11] = jt_time_format(x->last_inv, t2);
		size_t len[12];
		for (int i = 0; i < 12; i++)
			len[i] = i == 0 ? l : strlen(f[i]);
		jt_w_record(&r->w, f, len, 12, 0);
	}
	free(ord);
}

/* Acquired through referral: a kept referee who is a customer (in the touch
 * stream: has a touch of their own; in a raw export every id is one). */
static int is_referred(const struct jt_referrun *r, const struct node *x)
{
	return x->parent != NONE && (r->o.referrer || (x->signed_up & N_TOUCH));
}

static void write_summary(struct jt_referrun *r)
{
	uint64_t referrers = r->sum.referrers, invites = r->sum.invites, signed_up = r->sum.signed_up,
		 converted = r->sum.converted, referred = r->sum.referred, customers;
	int64_t *cyc = r->sum.cyc;
	size_t ncyc = r->sum.ncyc;
	if (r->o.customers)
		customers = r->o.customers;
	else if (r->o.referrer)
		customers = r->nn;	/* a raw export knows only its referrers and referees */
	else
		customers = r->sum.touched;
	if (customers < r->nn && r->o.customers)
		jt_warn("--customers %llu is fewer than the %zu customers the referrals name", r->o.customers, r->nn);
	char b[24][64];
	const char *rows[][2] = {
		{ "customers", jt_fmt_u64(customers, b[0]) },
		{ "referrers", jt_fmt_u64(referrers, b[1]) },
		{ "referring_pct", (jt_pct(referrers, customers, b[2]), b[2]) },
		{ "invites", jt_fmt_u64(invites, b[3]) },
		{ "invites_per_customer", customers ? jt_fmt_ratio((jt_i128)invites * JT_DEC_SCALE,
								    (jt_i128)customers * JT_DEC_SCALE, 4, b[4]) : "" },
		{ "invites_per_referrer", referrers ? jt_fmt_ratio((jt_i128)invites * JT_DEC_SCALE,
								    (jt_i128)referrers * JT_DEC_SCALE, 4, b[5]) : "" },
		{ "signed_up", jt_fmt_u64(signed_up, b[6]) },
		{ "converted", jt_fmt_u64(converted, b[7]) },
		{ "signup_pct", (jt_pct(signed_up, invites, b[8]), b[8]) },
		{ "conversion_pct", (jt_pct(converted, invites, b[9]), b[9]) },
		{ "conversion_lo", "" },
		{ "conversion_hi", "" },
		{ "k_factor", "" },
		{ "k_factor_definition", r->o.kfactor == JT_K_REFERRERS ? "invites per referrer x conversion"
								   : "invites per customer x conversion" },
		{ "viral_cycle_time_s", "" },
		{ "viral_cycle_time_n", jt_fmt_u64(ncyc, b[14]) },
		{ "generations", jt_fmt_u64(r->gens, b[15]) },
		{ "referred_customers", jt_fmt_u64(referred, b[16]) },
		{ "referred_pct", (jt_pct(referred, customers, b[17]), b[17]) },
		{ "rejected", jt_fmt_u64(jt_rejected(r->rj), b[18]) },
		{ "flagged", jt_fmt_u64(r->flagged, b[19]) },
	};
	jt_wilson(converted, invites, b[10], b[11]);
	rows[10][1] = b[10];
	rows[11][1] = b[11];
	uint64_t base = r->o.kfactor == JT_K_REFERRERS ? referrers : customers;
	if (base)	/* K = (invites / base) x (converted / invites) = converted / base */
		rows[12][1] = jt_fmt_ratio((jt_i128)converted * JT_DEC_SCALE, (jt_i128)base * JT_DEC_SCALE, 4, b[12]);
	jt_quantile_s(cyc, ncyc, 50, b[13]);
	rows[14][1] = b[13];
	if (r->o.referrer && !r->o.signup)	/* a raw export without sign-ups: unknown, not 0 */
		rows[6][1] = rows[8][1] = "";
	if (r->o.referrer && !r->o.converted) {
		rows[7][1] = rows[9][1] = rows[10][1] = rows[11][1] = rows[12][1] = "";
		rows[14][1] = "";
	}
	const char *h[] = { "metric", "value" };
	record(r, h, 2);
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
		record(r, rows[i], 2);
}

static void write_chains(struct jt_referrun *r)
{
	const char *h[] = { "customer", "referrer", "root", "generation", "path" };
	record(r, h, 5);
	size_t nord;
	uint32_t *ord = sorted_ids(r, is_referee, &nord);
	uint32_t *up = jt_xmalloc((r->nn + 1) * sizeof *up);
	struct jt_buf path = JT_BUF_INIT;
	for (size_t k = 0; k < nord; k++) {
		const struct node *x = NODE(r, ord[k]);
		size_t n = 0;	/* the way up, then written root first */
		for (int32_t c = (int32_t)ord[k]; c != NONE; c = NODE(r, (uint32_t)c)->parent)
			up[n++] = (uint32_t)c;
		jt_buf_reset(&path);
		for (size_t i = n; i-- > 0;) {
			size_t l;
			const char *s = id_of(r, up[i], &l);
			if (i + 1 < n)
				jt_buf_adds(&path, " > ");
			jt_buf_add(&path, s, l);
		}
		char g[64];
		size_t lc, lp, lr;
		const char *f[5] = { id_of(r, ord[k], &lc), id_of(r, (uint32_t)x->parent, &lp), id_of(r, up[n - 1], &lr),
			jt_fmt_u64(r->tr[ord[k]].gen, g), path.p };
		size_t len[5] = { lc, lp, lr, strlen(g), path.len };
		jt_w_record(&r->w, f, len, 5, 0);
	}
	jt_buf_free(&path);
	free(up);
	free(ord);
}

int jt_refer_run(struct jt_referrun *r, FILE *out)
{
	jt_writer_init(&r->w, out);
	r->rj = jt_rejects_new(r->o.c);
	r->src = jt_xcalloc(r->nin + 1, sizeof *r->src);
	/* about one new id per row (a referral names its referee, who is
	 * mostly new): the id table sized once, not doubled into fresh pages;
	 * never more than an eighth of --memory, as ids may be far fewer */
	uint64_t est = 0, budget = r->o.memory ? r->o.memory : JT_REFER_MEMORY;
	for (size_t i = 0; i < r->nin; i++)
		est += jt_lines_estimate(r->in[i], &r->o.c->dialect);
	if (est > 4096) {
		jt_itab_reserve(&r->ids, (size_t)(est + est / 8), budget / 8);
		r->slot_pop = (char *)r->ids.slot;	/* faulted in beside the worker */
		r->slot_end = r->slot_pop + (r->ids.mask + 1) * sizeof *r->ids.slot;
	}
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, jt_refer_on_header, jt_refer_on_record, r);
	for (size_t i = 0; i < r->nin; i++) {
		r->cur = i;
		jt_read(r->in[i], &r->o.c->dialect, r->rj, jt_refer_on_header, jt_refer_on_record, r);
	}
	jt_refer_end_batches(r);
	FILE *flags = r->o.flags ? jt_out_open_side(r->o.flags, 0) : NULL;
	build(r, r->h ? flags : NULL);	/* 0-byte input: an empty flags file, like -o and --rejects */
	if (r->o.mode == JT_RM_SUMMARY && r->o.customers) {	/* known only now; nothing is written */
		uint64_t need = r->sum.floor;
		if (r->o.customers < need)
			jt_usage_error("--customers %llu is fewer than the %llu referrers and referred customers "
				       "(give at least %llu, or leave --customers out)",
				       r->o.customers, (unsigned long long)need, (unsigned long long)need);
	}
	jt_rejects_stat(r->rj, "referrals_flagged", r->flagged);
	int status = jt_rejects_finish(r->rj, -1);
	if (status != 0) {
		jt_out_fail();	/* past --max-rejects: no report, no flags; rejects and stats */
		return status;
	}
	if (r->flagged)
		jt_info("%llu referral%s kept but flagged: the referee was a customer before (%s)",
			(unsigned long long)r->flagged, r->flagged == 1 ? "" : "s",
			r->o.flags ? r->o.flags : "use --flags FILE to list them");
	uint64_t spilled = jt_xsort_spilled(r->xs) + (r->rows ? jt_blobs_spilled(r->rows) : 0);
	if (spilled) {
		uint64_t mem = r->o.memory ? r->o.memory : JT_REFER_MEMORY;
		int u = mem % ((uint64_t)1 << 30) == 0 ? 3 : mem % ((uint64_t)1 << 20) == 0 ? 2 : mem % 1024 == 0;
		char mb[64];
		const char *dir = jt_spill_dir();
		static const char *const unit[] = { "", "K", "M", "G" };
		jt_info("past --memory %llu%s: %s MB went through spill files in %s", (unsigned long long)(mem >> (10 * u)),
			unit[u], jt_fmt_ratio(spilled, 1000000, 1, mb), jt_show(dir, strlen(dir)));
	}
	if (flags)
		jt_out_commit_side(flags);
	if (!r->h)
		return status;
	switch (r->o.mode) {
	case JT_RM_REFERRERS: write_referrers(r); break;
	case JT_RM_SUMMARY: write_summary(r); break;
	case JT_RM_CHAINS: write_chains(r); break;
	}
	jt_writer_flush(&r->w);
	jt_out_flush(out);
	return 0;
}

void jt_refer_free(struct jt_referrun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r->in);
	free(r->src);
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	jt_itab_free(&r->ids);
	for (size_t i = 0; i < r->nchunks; i++) {
		jt_xbig_free(r->nch[i], CHUNK * sizeof **r->nch);
		jt_xbig_free(r->tch[i], CHUNK * sizeof **r->tch);
	}
	for (size_t i = r->spare_out; i < r->spare_in; i++)
		jt_xbig_free(r->spare[i % SPARES], CHUNK * sizeof **r->nch);
	free(r->nch);
	free(r->tch);
	free(r->b[0].kb);
	free(r->b[1].kb);
	jt_xbig_free(r->tr, (r->nn + 1) * sizeof *r->tr);
	free(r->sum.cyc);
	jt_xsort_free(r->xs);
	jt_blobs_free(r->rows);
	jt_buf_free(&r->rowbuf);
	free(r->rf);
	free(r->rl);
	free(r);
}
