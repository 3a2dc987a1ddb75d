/* refer.c — jrefer: referral edges in time order, the first claim on a
 * referee wins, a cycle is refused by union-find (no recursion anywhere, so
 * a chain of any length is fine), then the tree statistics. */
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_refer.h"
#include "jt_reject.h"
#include "jt_stats.h"
#include "jt_time.h"

#define NONE (-1)
#define NOTIME INT64_MIN

enum tkind { TK_ANY, TK_ORDER, TK_SIGNUP, TK_CONVERTED };

struct touch {	/* touch stream: what sign-up and conversion are found from */
	uint32_t cust;
	uint8_t kind;
	int64_t t;
	uint64_t seq;
};

struct edge {
	uint32_t from, to;
	int64_t t, signup, conv;	/* raw export: its own columns */
	uint64_t seq;
	char *row;	/* packed record, for the rejects file */
	const char *src;
	unsigned long long line;
	int kept;
};

struct node {
	int32_t parent, child, sibling;
	uint32_t gen, height;
	uint64_t desc;
	int64_t first_touch, own_conv;	/* first_touch: a raw export's too, see seen() */
	size_t tbeg, tend;	/* its touches in the sorted touch array */
	/* as a referrer */
	uint64_t invites, signed_up, converted;
	int64_t first_inv, last_inv;
	/* as a referee */
	int64_t signup, conv;
};

struct jt_referrun {
	struct jt_refer_opts o;
	char **in;
	size_t nin;
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	long c_from, c_to, c_time, c_tp, c_signup, c_conv;
	struct jt_map ids;
	struct node *nv;
	size_t nn, ncap;
	struct edge *ev;
	size_t ne, ecap;
	struct touch *tv;
	size_t nt, tcap;
	struct jt_arena ar;
	uint64_t seq;
	uint64_t flagged;
	struct jt_writer w;
};

struct jt_referrun *jt_refer_new(const struct jt_refer_opts *o)
{
	struct jt_referrun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	return r;
}

void jt_refer_input(struct jt_referrun *r, const char *path)
{
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

static uint32_t node_of(struct jt_referrun *r, const char *s, size_t n)
{
	int isnew;
	size_t i = jt_map_put(&r->ids, s, n, 0, &isnew);
	if (isnew && i >= (size_t)INT32_MAX)	/* parent and child links are signed 32-bit */
		jt_die("more than %ld customers and referees, the most jrefer links", (long)INT32_MAX);
	if (isnew) {
		void *p = r->nv;
		jt_xgrow(&p, &r->ncap, i + 1, sizeof *r->nv);
		r->nv = p;
		struct node *x = &r->nv[i];
		memset(x, 0, sizeof *x);
		x->parent = x->child = x->sibling = NONE;
		x->first_touch = x->own_conv = x->first_inv = x->last_inv = x->signup = x->conv = NOTIME;
		r->nn = i + 1;
	}
	return (uint32_t)i;
}

static const char *id_of(const struct jt_referrun *r, uint32_t i, size_t *len)
{
	*len = r->ids.ent[i].len;
	return r->ids.ent[i].key;
}

/* ---- reading ---------------------------------------------------------------- */

static char *pack(struct jt_referrun *r, const struct jt_record *rec)
{
	size_t need = sizeof(uint32_t) * (rec->n + 1);
	for (size_t i = 0; i < rec->n; i++)
		need += rec->len[i];
	char *p = jt_arena_alloc(&r->ar, need), *q = p + 4 + 4 * rec->n;
	uint32_t n = (uint32_t)rec->n;
	memcpy(p, &n, 4);
	for (size_t i = 0; i < rec->n; i++) {
		uint32_t l = (uint32_t)rec->len[i];
		memcpy(p + 4 + 4 * i, &l, 4);
		memcpy(q, rec->f[i], rec->len[i]);
		q += rec->len[i];
	}
	return p;
}

/* A packed row as a record again (for jt_reject); f and len hold n entries. */
static void unpack(const char *p, const char **f, size_t *len, size_t n, struct jt_record *rec)
{
	uint32_t nf;
	memcpy(&nf, p, 4);
	const char *q = p + 4 + 4 * (size_t)nf;
	for (size_t i = 0; i < nf && i < n; i++) {
		uint32_t l;
		memcpy(&l, p + 4 + 4 * i, 4);
		f[i] = q;
		len[i] = l;
		q += l;
	}
	rec->n = nf < n ? nf : n;
	rec->f = f;
	rec->len = len;
}

static long col_or_none(const struct jt_header *h, const char *name, const char *src)
{
	return name ? (long)jt_col_by_name(h, name, src) : -1;
}

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_referrun *r = ctx;
	if (!jt_header_first(&r->h, h, src))
		return;
	jt_rejects_header(r->rj, h);
	jt_timefilter_bind(&r->tf, r->o.c, h, src);	/* --where, on either form's columns */
	if (r->o.referrer) {
		r->c_from = col_or_none(h, r->o.referrer, src);
		r->c_to = col_or_none(h, r->o.referee, src);
		r->c_time = col_or_none(h, r->o.time, src);
		r->c_signup = col_or_none(h, r->o.signup, src);
		r->c_conv = col_or_none(h, r->o.converted, src);
		r->c_tp = -1;
	} else {
		r->c_from = (long)jt_col_by_name(h, "customer", src);
		r->c_to = (long)jt_col_by_name(h, "referee", src);
		r->c_time = (long)jt_col_by_name(h, "time", src);
		r->c_tp = (long)jt_col_by_name(h, "touchpoint", src);
		r->c_signup = r->c_conv = -1;
	}
}

static int eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* An optional time column of a raw export: NOTIME when empty, 1 when unreadable. */
static int opt_time(struct jt_referrun *r, const char *src, const struct jt_record *rec, long c, int64_t *t)
{
	*t = NOTIME;
	if (c < 0 || rec->len[c] == 0)
		return 0;
	if (jt_time_parse(rec->f[c], rec->len[c], t) != 0) {
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[c],
			  jt_show(rec->f[c], rec->len[c]));
		return 1;
	}
	return 0;
}

static void add_edge(struct jt_referrun *r, const char *src, const struct jt_record *rec, uint32_t from,
		     uint32_t to, int64_t t, int64_t signup, int64_t conv)
{
	void *p = r->ev;
	jt_xgrow(&p, &r->ecap, r->ne + 1, sizeof *r->ev);
	r->ev = p;
	struct edge *e = &r->ev[r->ne++];
	e->from = from;
	e->to = to;
	e->t = t;
	e->signup = signup;
	e->conv = conv;
	e->seq = r->seq;
	e->row = pack(r, rec);
	e->src = src;
	e->line = rec->line;
	e->kept = 0;
}

/* A raw export has no touches; its rows show when a customer was about: the
 * referrer at the invitation, the referee at their sign-up and conversion, the
 * touches jtouch -p referrals makes of the row. Kept or rejected by the graph
 * tests, like a touch, so the flags of both forms agree. */
static void seen(struct node *x, int64_t t)
{
	if (t != NOTIME && (x->first_touch == NOTIME || t < x->first_touch))
		x->first_touch = t;
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_referrun *r = ctx;
	int64_t t;
	r->seq++;
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)	/* a raw export: --where only */
		return;
	const char *fs = rec->f[r->c_from], *ts = rec->f[r->c_time];
	size_t fn = rec->len[r->c_from], tn = rec->len[r->c_time];
	if (fn == 0) {
		jt_reject(r->rj, src, rec, "missing customer", "column '%s': empty %s id", r->h->name[r->c_from],
			  r->o.referrer ? "referrer" : "customer");
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[r->c_time],
			  jt_show(ts, tn));
		return;
	}
	if (r->o.referrer) {	/* a raw export: every row is an invitation */
		int64_t su, cv;
		if (rec->len[r->c_to] == 0) {
			jt_reject(r->rj, src, rec, "missing referee", "column '%s': empty referee id",
				  r->h->name[r->c_to]);
			return;
		}
		if (opt_time(r, src, rec, r->c_signup, &su) || opt_time(r, src, rec, r->c_conv, &cv))
			return;
		uint32_t from = node_of(r, fs, fn), to = node_of(r, rec->f[r->c_to], rec->len[r->c_to]);
		add_edge(r, src, rec, from, to, t, su, cv);
		seen(&r->nv[from], t);
		seen(&r->nv[to], su);
		seen(&r->nv[to], cv);
		return;
	}
	const char *tp = rec->f[r->c_tp];
	size_t tpn = rec->len[r->c_tp];
	uint32_t cust = node_of(r, fs, fn);
	uint8_t kind = eq(tp, tpn, "order_placed") ? TK_ORDER : eq(tp, tpn, "referral_signup") ? TK_SIGNUP :
		       eq(tp, tpn, "referral_converted") ? TK_CONVERTED : TK_ANY;
	if (eq(tp, tpn, "referral_sent")) {
		if (rec->len[r->c_to] == 0) {
			jt_reject(r->rj, src, rec, "missing referee", "column 'referee': empty referee id on referral_sent");
			return;
		}
		uint32_t to = node_of(r, rec->f[r->c_to], rec->len[r->c_to]);
		add_edge(r, src, rec, cust, to, t, NOTIME, NOTIME);
	}
	void *p = r->tv;
	jt_xgrow(&p, &r->tcap, r->nt + 1, sizeof *r->tv);
	r->tv = p;
	r->tv[r->nt++] = (struct touch){ cust, kind, t, r->seq };
}

/* ---- the graph ---------------------------------------------------------------- */

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_touch(const void *a, const void *b)
{
	const struct touch *x = a, *y = b;
	if (x->cust != y->cust)
		return x->cust < y->cust ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static uint32_t find(uint32_t *uf, uint32_t x)
{
	uint32_t root = x;
	while (uf[root] != root)
		root = uf[root];
	while (uf[x] != root) {	/* path compression, iteratively */
		uint32_t next = uf[x];
		uf[x] = root;
		x = next;
	}
	return root;
}

static void reject_edge(struct jt_referrun *r, const struct edge *e, const char *key, const char *why)
{
	size_t n = r->h->n;
	const char **f = jt_xcalloc(n + 1, sizeof *f);
	size_t *len = jt_xcalloc(n + 1, sizeof *len);
	struct jt_record rec;
	unpack(e->row, f, len, n, &rec);
	rec.line = e->line;
	rec.recno = 0;
	size_t la, lb;
	const char *a = id_of(r, e->from, &la), *b = id_of(r, e->to, &lb);
	char ida[128], idb[128];
	snprintf(ida, sizeof ida, "%s", jt_show(a, la));
	snprintf(idb, sizeof idb, "%s", jt_show(b, lb));
	jt_reject(r->rj, e->src, &rec, key, "%s: %s -> %s", why, ida, idb);
	free(f);
	free(len);
}

/* The referee's first touch of a kind (TK_ANY: any) at or after t, NOTIME if none. */
static int64_t first_after(const struct jt_referrun *r, const struct node *x, int kind, int64_t t)
{
	for (size_t i = x->tbeg; i < x->tend; i++) {
		const struct touch *tc = &r->tv[i];
		if ((kind == TK_ANY || tc->kind == kind) && tc->t >= t)
			return tc->t;
	}
	return NOTIME;
}

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
	/* first the graph: edges in time order, rejected or kept */
	if (r->ne > 1)
		qsort(r->ev, r->ne, sizeof *r->ev, cmp_edge);
	uint32_t *uf = jt_xmalloc((r->nn + 1) * sizeof *uf);
	for (uint32_t i = 0; i < r->nn; i++)
		uf[i] = i;
	for (size_t k = 0; k < r->ne; k++) {
		struct edge *e = &r->ev[k];
		struct node *to = &r->nv[e->to];
		if (e->from == e->to) {
			reject_edge(r, e, "self-referral", "self-referral");
			continue;
		}
		if (to->parent != NONE) {
			if ((uint32_t)to->parent == e->from) {	/* a reminder: the same referrer again */
				reject_edge(r, e, "repeat invitation", "repeat invitation");
				continue;
			}
			size_t l;
			const char *first = id_of(r, (uint32_t)to->parent, &l);
			char who[128];
			snprintf(who, sizeof who, "%s", jt_show(first, l));
			struct jt_buf b = JT_BUF_INIT;
			jt_buf_printf(&b, "referee already referred by %s", who);
			reject_edge(r, e, "already referred", b.p);
			jt_buf_free(&b);
			continue;
		}
		uint32_t a = find(uf, e->from), c = find(uf, e->to);
		if (a == c) {
			reject_edge(r, e, "cycle", "would close a cycle");
			continue;
		}
		uf[c] = a;
		e->kept = 1;
		to->parent = (int32_t)e->from;
		struct node *fr = &r->nv[e->from];
		to->sibling = fr->child;
		fr->child = (int32_t)e->to;
	}
	/* then each customer's touches in time order: a rejected invitation's too,
	 * its referrer sent it (only a row rejected as it was read is no touch) */
	if (r->nt > 1)
		qsort(r->tv, r->nt, sizeof *r->tv, cmp_touch);
	for (size_t i = 0; i < r->nt;) {
		size_t j = i;
		struct node *x = &r->nv[r->tv[i].cust];
		while (j < r->nt && r->tv[j].cust == r->tv[i].cust)
			j++;
		x->tbeg = i;
		x->tend = j;
		x->first_touch = r->tv[i].t;
		int64_t conv = first_after(r, x, TK_CONVERTED, NOTIME + 1), ord = first_after(r, x, TK_ORDER, NOTIME + 1);
		x->own_conv = conv != NOTIME ? conv : ord;
		i = j;
	}
	/* and what the kept invitations led to */
	for (size_t k = 0; k < r->ne; k++) {
		struct edge *e = &r->ev[k];
		if (!e->kept)
			continue;
		struct node *to = &r->nv[e->to], *fr = &r->nv[e->from];
		fr->invites++;
		if (fr->first_inv == NOTIME || e->t < fr->first_inv)
			fr->first_inv = e->t;
		if (fr->last_inv == NOTIME || e->t > fr->last_inv)
			fr->last_inv = e->t;
		if (r->o.referrer) {
			to->signup = e->signup;
			to->conv = e->conv;
		} else {
			int64_t su = first_after(r, to, TK_SIGNUP, e->t);
			to->signup = su != NOTIME ? su : first_after(r, to, TK_ANY, e->t);
			int64_t cv = first_after(r, to, TK_CONVERTED, e->t);
			to->conv = cv != NOTIME ? cv : first_after(r, to, TK_ORDER, e->t);
		}
		if (to->first_touch != NOTIME && to->first_touch < e->t) {	/* kept, but suspicious */
			r->flagged++;
			if (flags) {
				size_t la, lb;
				char tb[32], fb[32], db[64];
				jt_time_format(e->t, tb);
				snprintf(db, sizeof db, "first touch %s", jt_time_format(to->first_touch, fb));
				const char *f[5] = { id_of(r, e->from, &la), id_of(r, e->to, &lb), tb,
					"existing_customer", db };
				size_t l[5] = { la, lb, strlen(tb), 17, strlen(db) };
				jt_w_record(&fw, f, l, 5, 0);
			}
		}
		fr->signed_up += to->signup != NOTIME;
		fr->converted += to->conv != NOTIME;
	}
	free(uf);
	if (flags)
		jt_writer_flush(&fw);
	/* generations top-down, subtree sizes bottom-up: a breadth-first order, no recursion */
	uint32_t *order = jt_xmalloc((r->nn + 1) * sizeof *order);
	size_t head = 0, tail = 0;
	for (uint32_t i = 0; i < r->nn; i++)
		if (r->nv[i].parent == NONE)
			order[tail++] = i;
	while (head < tail) {
		uint32_t x = order[head++];
		for (int32_t c = r->nv[x].child; c != NONE; c = r->nv[c].sibling) {
			r->nv[c].gen = r->nv[x].gen + 1;
			order[tail++] = (uint32_t)c;
		}
	}
	for (size_t k = tail; k-- > 0;) {
		struct node *x = &r->nv[order[k]];
		if (x->parent == NONE)
			continue;
		struct node *p = &r->nv[x->parent];
		p->desc += 1 + x->desc;
		if (x->height + 1 > p->height)
			p->height = x->height + 1;
	}
	free(order);
}

/* ---- outputs ---------------------------------------------------------------- */

static const struct jt_referrun *sort_r;

static int cmp_id(const void *a, const void *b)
{
	const struct jt_map_ent *x = &sort_r->ids.ent[*(const uint32_t *)a], *y = &sort_r->ids.ent[*(const uint32_t *)b];
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static uint32_t *sorted_ids(const struct jt_referrun *r)
{
	uint32_t *ord = jt_xmalloc((r->nn + 1) * sizeof *ord);
	for (uint32_t i = 0; i < r->nn; i++)
		ord[i] = i;
	sort_r = r;
	if (r->nn > 1)
		qsort(ord, r->nn, sizeof *ord, cmp_id);
	return ord;
}

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
	uint32_t *ord = sorted_ids(r);
	for (uint32_t k = 0; k < r->nn; k++) {
		const struct node *x = &r->nv[ord[k]];
		if (!x->invites)
			continue;
		char b[10][64];
		size_t l;
		const char *f[12];
		f[0] = id_of(r, ord[k], &l);
		f[1] = jt_fmt_u64(x->gen, b[0]);
		f[2] = jt_fmt_u64(x->invites, b[1]);
		f[3] = jt_fmt_u64(x->signed_up, b[2]);
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
		f[8] = jt_fmt_u64(x->desc, b[7]);
		f[9] = jt_fmt_u64(x->height, b[8]);
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
	return x->parent != NONE && (r->o.referrer || x->tend > x->tbeg);
}

/* The fewest customers a base can hold: the referrers and the referred
 * customers, each once (a referred customer may refer too). */
static uint64_t base_floor(const struct jt_referrun *r)
{
	uint64_t n = 0;
	for (uint32_t i = 0; i < r->nn; i++)
		n += r->nv[i].invites > 0 || is_referred(r, &r->nv[i]);
	return n;
}

static void write_summary(struct jt_referrun *r)
{
	uint64_t referrers = 0, invites = 0, signed_up = 0, converted = 0, referred = 0, gens = 0, customers;
	int64_t *cyc = jt_xmalloc((r->nn + 1) * sizeof *cyc);
	size_t ncyc = 0;
	for (uint32_t i = 0; i < r->nn; i++) {
		const struct node *x = &r->nv[i];
		referrers += x->invites > 0;
		invites += x->invites;
		signed_up += x->signed_up;
		converted += x->converted;
		referred += is_referred(r, x);
		if (x->gen > gens)
			gens = x->gen;
		/* viral cycle time: own conversion to first invitation */
		int64_t own = x->own_conv != NOTIME ? x->own_conv : x->conv;
		if (x->invites && own != NOTIME && x->first_inv >= own)
			cyc[ncyc++] = x->first_inv - own;
	}
	if (r->o.customers) {
		customers = r->o.customers;
	} else if (r->o.referrer) {
		customers = r->nn;	/* a raw export knows only its referrers and referees */
	} else {
		customers = 0;
		for (uint32_t i = 0; i < r->nn; i++)
			customers += r->nv[i].tend > r->nv[i].tbeg;
	}
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
		{ "generations", jt_fmt_u64(gens, b[15]) },
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
	free(cyc);
}

static void write_chains(struct jt_referrun *r)
{
	const char *h[] = { "customer", "referrer", "root", "generation", "path" };
	record(r, h, 5);
	uint32_t *ord = sorted_ids(r);
	uint32_t *up = jt_xmalloc((r->nn + 1) * sizeof *up);
	struct jt_buf path = JT_BUF_INIT;
	for (uint32_t k = 0; k < r->nn; k++) {
		const struct node *x = &r->nv[ord[k]];
		if (x->parent == NONE)
			continue;
		size_t n = 0;	/* the way up, then written root first */
		for (int32_t c = (int32_t)ord[k]; c != NONE; c = r->nv[c].parent)
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
			jt_fmt_u64(x->gen, g), path.p };
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
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	for (size_t i = 0; i < r->nin; i++)
		jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	FILE *flags = r->o.flags ? jt_out_open_side(r->o.flags, 0) : NULL;
	build(r, r->h ? flags : NULL);	/* 0-byte input: an empty flags file, like -o and --rejects */
	if (r->o.mode == JT_RM_SUMMARY && r->o.customers) {	/* known only now; nothing is written */
		uint64_t need = base_floor(r);
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
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	jt_map_free(&r->ids);
	free(r->nv);
	free(r->ev);
	free(r->tv);
	jt_arena_free(&r->ar);
	free(r);
}
