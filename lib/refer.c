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

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_idmap.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_refer.h"
#include "jt_reject.h"
#include "jt_spill.h"
#include "jt_stats.h"
#include "jt_time.h"

#define NONE (-1)
#define NOTIME INT64_MIN
#define LINE_BITS 44	/* an invitation's place: input number << 44 | line */
#define MAX_INPUTS (((uint64_t)1 << (64 - LINE_BITS)) - 1)
#define SIGNED_UP 0x80000000u	/* in an edge's from (raw export): the row has a sign-up */

enum { N_TOUCH = 1 };	/* the customer has a touch of their own (touch stream) */

/* A customer: what the graph tests and the tables read, one cache line. */
struct node {
	int32_t parent, child, sibling;
	uint32_t uf;	/* union-find: the trees */
	uint32_t invites, signed_up, converted;	/* as a referrer; at most one per referee */
	uint32_t flags;
	int64_t first_inv, last_inv;
	int64_t first_touch;	/* the earliest time the customer was about: see seen() */
	int64_t own;	/* own conversion: touch stream, first referral_converted (then else
			   the first order); raw export, the conversion of the row that referred them */
};

/* The touch stream: the rest of what a customer's touches tell. */
struct tagg {
	int64_t last_touch;	/* latest touch: signed up at or after an invitation? */
	int64_t first_ord;	/* first order_placed */
	int64_t last_co;	/* latest referral_converted or order_placed: converted at or after? */
};

/* An invitation, as the external sort holds it: t, pos, from, to; then cv in
 * a raw export; then the row's offset with --rejects. */
struct edge {
	int64_t t;
	uint64_t pos;
	uint32_t from, to;
	int64_t cv;
	uint64_t row;
};

struct tree {	/* set once the graph is whole */
	uint32_t gen, height, desc;
};

struct jt_referrun {
	struct jt_refer_opts o;
	char **in;
	size_t nin;
	const char **src;	/* the name each input is read under */
	size_t cur;	/* the input being read */
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	long c_from, c_to, c_time, c_tp, c_signup, c_conv;
	struct jt_idmap ids;
	struct node *nv;
	struct tagg *tg;
	size_t nn, ncap, tcap;
	struct tree *tr;
	struct jt_xsort *xs;
	size_t rsz, rowat;
	struct jt_blobs *rows;	/* --rejects: the invitations' rows */
	struct jt_buf rowbuf;
	const char **rf;
	size_t *rl;
	uint64_t flagged;
	struct jt_writer w;
};

static int cmp_edge(const void *a, const void *b)
{
	int64_t ta, tb;
	uint64_t pa, pb;
	memcpy(&ta, a, 8);
	memcpy(&tb, b, 8);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	memcpy(&pa, (const char *)a + 8, 8);
	memcpy(&pb, (const char *)b + 8, 8);
	return (pa > pb) - (pa < pb);
}

struct jt_referrun *jt_refer_new(const struct jt_refer_opts *o)
{
	struct jt_referrun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	uint64_t mem = o->memory ? o->memory : JT_REFER_MEMORY;
	if (mem > SIZE_MAX / 2)
		mem = SIZE_MAX / 2;
	int keep_rows = o->c && o->c->rejects;
	r->rsz = 24 + (o->referrer ? 8 : 0);
	r->rowat = r->rsz;
	r->rsz += keep_rows ? 8 : 0;
	/* the rows of --rejects are larger than the invitations: half each */
	r->xs = jt_xsort_new(r->rsz, cmp_edge, keep_rows ? (size_t)mem / 2 : (size_t)mem);
	if (keep_rows)
		r->rows = jt_blobs_new((size_t)mem / 2);
	jt_idmap_init(&r->ids, UINT32_MAX - 1);
	return r;
}

void jt_refer_input(struct jt_referrun *r, const char *path)
{
	if (r->nin >= MAX_INPUTS)
		jt_die("more than %llu inputs, the most jrefer reads in one run", (unsigned long long)MAX_INPUTS);
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

static uint32_t node_of(struct jt_referrun *r, const char *s, size_t n)
{
	int isnew;
	uint32_t i = jt_idmap_put(&r->ids, s, n, &isnew);
	if (!isnew)
		return i;
	if (i >= (uint32_t)INT32_MAX)	/* parent and child links are signed 32-bit */
		jt_die("more than %ld customers and referees, the most jrefer links", (long)INT32_MAX);
	if (i >= r->ncap) {
		void *p = r->nv;
		jt_xgrow(&p, &r->ncap, (size_t)i + 1, sizeof *r->nv);
		r->nv = p;
	}
	r->nv[i] = (struct node){ NONE, NONE, NONE, i, 0, 0, 0, 0, NOTIME, NOTIME, NOTIME, NOTIME };
	if (!r->o.referrer) {
		if (i >= r->tcap) {
			void *p = r->tg;
			jt_xgrow(&p, &r->tcap, (size_t)i + 1, sizeof *r->tg);
			r->tg = p;
		}
		r->tg[i] = (struct tagg){ NOTIME, NOTIME, NOTIME };
	}
	r->nn = (size_t)i + 1;
	return i;
}

static const char *id_of(const struct jt_referrun *r, uint32_t i, size_t *len)
{
	return jt_idmap_key(&r->ids, i, len);
}

/* ---- reading ---------------------------------------------------------------- */

/* A reject whose message is built only when someone reads it. */
#define REJECT(r, src, rec, key, ...) \
	do { \
		if (jt_reject_silent((r)->rj)) \
			jt_reject_count((r)->rj, key); \
		else \
			jt_reject((r)->rj, src, rec, key, __VA_ARGS__); \
	} while (0)

/* A row as one blob: the field count, each length, then the bytes. */
static uint64_t keep_row(struct jt_referrun *r, const struct jt_record *rec)
{
	struct jt_buf *b = &r->rowbuf;
	uint32_t n = (uint32_t)rec->n;
	jt_buf_reset(b);
	jt_buf_add(b, &n, 4);
	for (size_t i = 0; i < rec->n; i++) {
		uint32_t l = (uint32_t)rec->len[i];
		jt_buf_add(b, &l, 4);
	}
	for (size_t i = 0; i < rec->n; i++)
		jt_buf_add(b, rec->f[i], rec->len[i]);
	return jt_blobs_add(r->rows, b->p, b->len);
}

/* A kept row as a record again (for jt_reject), at most n fields. */
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
	if (r->o.referrer) {
		r->c_from = col_or_none(h, r->o.referrer, src);
		r->c_to = col_or_none(h, r->o.referee, src);
		r->c_time = col_or_none(h, r->o.time, src);
		r->c_signup = col_or_none(h, r->o.signup, src);
		r->c_conv = col_or_none(h, r->o.converted, src);
		r->c_tp = -1;
	} else {
		jt_timefilter_bind(&r->tf, r->o.c, h, src);
		r->c_from = (long)jt_col_by_name(h, "customer", src);
		r->c_to = (long)jt_col_by_name(h, "referee", src);
		r->c_time = (long)jt_col_by_name(h, "time", src);
		r->c_tp = (long)jt_col_by_name(h, "touchpoint", src);
		r->c_signup = r->c_conv = -1;
	}
	r->rf = jt_xrealloc(r->rf, (h->n + 1) * sizeof *r->rf);
	r->rl = jt_xrealloc(r->rl, (h->n + 1) * sizeof *r->rl);
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
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[c],
		       jt_show(rec->f[c], rec->len[c]));
		return 1;
	}
	return 0;
}

static void add_edge(struct jt_referrun *r, const struct jt_record *rec, uint32_t from, uint32_t to, int64_t t,
		     int64_t cv)
{
	if (rec->line >> LINE_BITS)
		jt_die("%s: more than %llu lines, the most jrefer numbers", jt_show(r->src[r->cur], strlen(r->src[r->cur])),
		       (unsigned long long)1 << LINE_BITS);
	char *p = jt_xsort_add(r->xs);
	uint64_t pos = (uint64_t)r->cur << LINE_BITS | rec->line;
	memcpy(p, &t, 8);
	memcpy(p + 8, &pos, 8);
	memcpy(p + 16, &from, 4);
	memcpy(p + 20, &to, 4);
	if (r->o.referrer)
		memcpy(p + 24, &cv, 8);
	if (r->rows) {
		uint64_t off = keep_row(r, rec);
		memcpy(p + r->rowat, &off, 8);
	}
}

static void get_edge(const struct jt_referrun *r, const char *p, struct edge *e)
{
	memcpy(&e->t, p, 8);
	memcpy(&e->pos, p + 8, 8);
	memcpy(&e->from, p + 16, 4);
	memcpy(&e->to, p + 20, 4);
	e->cv = NOTIME;
	if (r->o.referrer)
		memcpy(&e->cv, p + 24, 8);
	if (r->rows)
		memcpy(&e->row, p + r->rowat, 8);
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

static void on_raw(struct jt_referrun *r, const char *src, const struct jt_record *rec)
{
	int64_t t, su, cv;
	const char *fs = rec->f[r->c_from], *ts = rec->f[r->c_time];
	size_t fn = rec->len[r->c_from], tn = rec->len[r->c_time];
	if (fn == 0) {
		REJECT(r, src, rec, "missing customer", "column '%s': empty referrer id", r->h->name[r->c_from]);
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[r->c_time],
		       jt_show(ts, tn));
		return;
	}
	if (rec->len[r->c_to] == 0) {
		REJECT(r, src, rec, "missing referee", "column '%s': empty referee id", r->h->name[r->c_to]);
		return;
	}
	if (opt_time(r, src, rec, r->c_signup, &su) || opt_time(r, src, rec, r->c_conv, &cv))
		return;
	uint32_t from = node_of(r, fs, fn), to = node_of(r, rec->f[r->c_to], rec->len[r->c_to]);
	add_edge(r, rec, from | (su != NOTIME ? SIGNED_UP : 0), to, t, cv);
	seen(&r->nv[from], t);
	seen(&r->nv[to], su);
	seen(&r->nv[to], cv);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_referrun *r = ctx;
	int64_t t;
	r->src[r->cur] = src;
	if (r->o.referrer) {	/* a raw export: every row is an invitation */
		on_raw(r, src, rec);
		return;
	}
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)
		return;
	const char *fs = rec->f[r->c_from], *ts = rec->f[r->c_time];
	size_t fn = rec->len[r->c_from], tn = rec->len[r->c_time];
	if (fn == 0) {
		REJECT(r, src, rec, "missing customer", "column '%s': empty customer id", r->h->name[r->c_from]);
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[r->c_time],
		       jt_show(ts, tn));
		return;
	}
	const char *tp = rec->f[r->c_tp];
	size_t tpn = rec->len[r->c_tp];
	uint32_t cust = node_of(r, fs, fn);
	if (eq(tp, tpn, "referral_sent")) {
		if (rec->len[r->c_to] == 0) {
			REJECT(r, src, rec, "missing referee", "column 'referee': empty referee id on referral_sent");
			return;
		}
		uint32_t to = node_of(r, rec->f[r->c_to], rec->len[r->c_to]);
		add_edge(r, rec, cust, to, t, NOTIME);
	}
	/* the touch: only what the graph and the tables ask of it */
	struct node *x = &r->nv[cust];
	struct tagg *g = &r->tg[cust];
	x->flags |= N_TOUCH;
	seen(x, t);
	if (g->last_touch == NOTIME || t > g->last_touch)
		g->last_touch = t;
	int conv = eq(tp, tpn, "referral_converted"), ord = !conv && eq(tp, tpn, "order_placed");
	if (conv && (x->own == NOTIME || t < x->own))
		x->own = t;
	if (ord && (g->first_ord == NOTIME || t < g->first_ord))
		g->first_ord = t;
	if ((conv || ord) && (g->last_co == NOTIME || t > g->last_co))
		g->last_co = t;
}

/* ---- the graph ---------------------------------------------------------------- */

static uint32_t find(struct node *nv, uint32_t x)
{
	uint32_t root = x;
	while (nv[root].uf != root)
		root = nv[root].uf;
	while (nv[x].uf != root) {	/* path compression, iteratively */
		uint32_t next = nv[x].uf;
		nv[x].uf = root;
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
	struct jt_record rec = { 0, r->rf, r->rl, e->pos & (((uint64_t)1 << LINE_BITS) - 1), 0 };
	if (r->rows) {
		jt_blobs_get(r->rows, e->row, &r->rowbuf);
		unpack(r->rowbuf.p, r->rf, r->rl, r->h->n, &rec);
	}
	const char *src = r->src[e->pos >> LINE_BITS];
	size_t la, lb, lc;
	const char *ia = id_of(r, from, &la), *ib = id_of(r, e->to, &lb);
	const char *a = jt_show(ia, la), *b = jt_show(ib, lb);
	switch (why) {
	case W_SELF: jt_reject(r->rj, src, &rec, key[why], "self-referral: %s -> %s", a, b); break;
	case W_REPEAT: jt_reject(r->rj, src, &rec, key[why], "repeat invitation: %s -> %s", a, b); break;
	case W_CLAIMED: {
		const char *c = id_of(r, (uint32_t)r->nv[e->to].parent, &lc);
		jt_reject(r->rj, src, &rec, key[why], "referee already referred by %s: %s -> %s", jt_show(c, lc), a, b);
		break;
	}
	case W_CYCLE: jt_reject(r->rj, src, &rec, key[why], "would close a cycle: %s -> %s", a, b); break;
	}
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
	struct node *nv = r->nv;
	if (!r->o.referrer)	/* own conversion: the first referral_converted, else the first order */
		for (size_t i = 0; i < r->nn; i++)
			if (nv[i].own == NOTIME)
				nv[i].own = r->tg[i].first_ord;
	/* the edges in time order, each tested, kept or rejected */
	jt_xsort_end(r->xs);
	const char *p;
	while ((p = jt_xsort_next(r->xs)) != NULL) {
		struct edge e;
		get_edge(r, p, &e);
		uint32_t from = e.from & ~SIGNED_UP;
		struct node *to = &nv[e.to], *fr = &nv[from];
		if (from == e.to) {
			reject_edge(r, &e, from, W_SELF);
			continue;
		}
		if (to->parent != NONE) {	/* a reminder (the same referrer again), or a second claim */
			reject_edge(r, &e, from, (uint32_t)to->parent == from ? W_REPEAT : W_CLAIMED);
			continue;
		}
		uint32_t a = find(nv, from), c = find(nv, e.to);
		if (a == c) {
			reject_edge(r, &e, from, W_CYCLE);
			continue;
		}
		nv[c].uf = a;
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
			const struct tagg *g = &r->tg[e.to];
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
	/* generations top-down, subtree sizes bottom-up: a breadth-first order, no recursion */
	r->tr = jt_xcalloc(r->nn + 1, sizeof *r->tr);
	uint32_t *order = jt_xmalloc((r->nn + 1) * sizeof *order);
	size_t head = 0, tail = 0;
	for (uint32_t i = 0; i < r->nn; i++)
		if (nv[i].parent == NONE)
			order[tail++] = i;
	while (head < tail) {
		uint32_t x = order[head++];
		for (int32_t c = nv[x].child; c != NONE; c = nv[c].sibling) {
			r->tr[c].gen = r->tr[x].gen + 1;
			order[tail++] = (uint32_t)c;
		}
	}
	for (size_t k = tail; k-- > 0;) {
		uint32_t x = order[k];
		if (nv[x].parent == NONE)
			continue;
		struct tree *t = &r->tr[x], *pt = &r->tr[nv[x].parent];
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
		if (keep(&r->nv[i]))
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
		const struct node *x = &r->nv[ord[k]];
		const struct tree *t = &r->tr[ord[k]];
		char b[10][64];
		size_t l;
		const char *f[12];
		f[0] = id_of(r, ord[k], &l);
		f[1] = jt_fmt_u64(t->gen, b[0]);
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
	return x->parent != NONE && (r->o.referrer || (x->flags & N_TOUCH));
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
		if (r->tr[i].gen > gens)
			gens = r->tr[i].gen;
		/* viral cycle time: own conversion to first invitation */
		if (x->invites && x->own != NOTIME && x->first_inv >= x->own)
			cyc[ncyc++] = x->first_inv - x->own;
	}
	if (r->o.customers) {
		customers = r->o.customers;
	} else if (r->o.referrer) {
		customers = r->nn;	/* a raw export knows only its referrers and referees */
	} else {
		customers = 0;
		for (uint32_t i = 0; i < r->nn; i++)
			customers += (r->nv[i].flags & N_TOUCH) != 0;
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
	size_t nord;
	uint32_t *ord = sorted_ids(r, is_referee, &nord);
	uint32_t *up = jt_xmalloc((r->nn + 1) * sizeof *up);
	struct jt_buf path = JT_BUF_INIT;
	for (size_t k = 0; k < nord; k++) {
		const struct node *x = &r->nv[ord[k]];
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
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	for (size_t i = 0; i < r->nin; i++) {
		r->cur = i;
		jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	}
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
	jt_idmap_free(&r->ids);
	free(r->nv);
	free(r->tg);
	free(r->tr);
	jt_xsort_free(r->xs);
	jt_blobs_free(r->rows);
	jt_buf_free(&r->rowbuf);
	free(r->rf);
	free(r->rl);
	free(r);
}
