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
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_itab.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_par.h"
#include "jt_out.h"
#include "jt_refer.h"
#include "jt_reject.h"
#include "jt_spill.h"
#include "jt_xsort.h"
#include "jt_stats.h"
#include "jt_time.h"

#define NONE (-1)
#define NOTIME INT64_MIN
#define LINE_BITS 44	/* an invitation's place: input number << 44 | line */
#define MAX_INPUTS (((uint64_t)1 << (64 - LINE_BITS)) - 1)
#define SIGNED_UP 0x80000000u	/* in an edge's from (raw export): the row has a sign-up */

/* A customer: what the graph tests and the tables read, one cache line. */
struct node {
	int32_t parent, child, sibling;
	uint32_t uf;	/* union-find: the trees */
	uint32_t d;	/* generation less that of uf; at a uf root, the generation */
	uint32_t invites, converted;	/* as a referrer; at most one per referee */
	uint32_t signed_up;	/* likewise; the top bit: N_TOUCH */
	int64_t first_inv, last_inv;
	int64_t first_touch;	/* the earliest time the customer was about: see seen() */
	int64_t own;	/* own conversion: touch stream, first referral_converted (then else
			   the first order); raw export, the conversion of the row that referred them */
};

#define N_TOUCH 0x80000000u	/* the customer has a touch of their own (touch stream) */
#define SIGNED(x) ((x)->signed_up & ~N_TOUCH)

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

/* The day of the last time read in a column, for the canonical form
 * YYYY-MM-DDTHH:MM:SSZ that jtouch writes: a row of the same day as the one
 * before (an export in time order) reads only its clock. Anything else is
 * jt_time_parse's. */
struct tcache {
	uint64_t date8;	/* the day's YYYY-MM-D */
	uint16_t date2;	/* and D- */
	int ok;
	int64_t days;
};

struct tree {	/* set once the graph is whole */
	uint32_t gen, height, desc;
};

/* Nodes live in chunks of 2 MiB (32768 nodes, a huge page each where the
 * system gives them), aligned so that a node is one cache line: no copy as
 * they grow, one miss per node touched. */
#define CHUNK_BITS 15
#define CHUNK ((size_t)1 << CHUNK_BITS)

/* The rows read are handled in batches: the keys hashed and their slots
 * fetched ahead of the lookups, the nodes fetched ahead of their updates, so
 * that the cache misses of random ids overlap instead of queueing. */
#define BATCH 1024
#define AHEAD 8
enum { I_EDGE = 1, I_TOUCH = 2, I_CONV = 4, I_ORD = 8 };

struct item {
	uint64_t h[2];
	int64_t t, su, cv;
	uint64_t pos, row;
	uint32_t off[2], len[2];	/* the ids' bytes in the batch's key buffer */
	uint32_t id[2];
	uint8_t nk, what;
};

/* With a second core (-j 2), the main thread reads and checks the rows, a
 * worker interns their ids and updates the nodes: two batches take turns,
 * one filled while the other is handled. Only the main thread rejects,
 * writes and spills (the worker's one error, too many ids, is passed on),
 * and the batches are handled in input order, so the result is the same. */
enum { B_FREE, B_QUEUED, B_BUSY, B_DONE };
struct batch {
	struct item it[BATCH];
	size_t n;
	char *kb;	/* the batch's ids */
	size_t kblen, kbcap;
	int state;
	int full;	/* the worker met more ids than jrefer links */
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
	struct tcache tc[3];	/* time, signup, converted */
	struct jt_itab ids;
	struct node **nch;	/* node chunks */
	struct tagg **tch;	/* touch stream: tagg chunks */
	size_t nn, nchunks, chcap;
	struct batch b[2];
	int fill;	/* the batch being filled */
	int threaded;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	struct tree *tr;
	struct jt_xsort *xs;
	size_t rsz, rowat;
	struct jt_blobs *rows;	/* --rejects: the invitations' rows */
	struct jt_buf rowbuf;
	const char **rf;
	size_t *rl;
	uint64_t flagged;
	uint32_t gens;	/* the largest generation */
	struct {	/* over the customers, for --summary and the --customers check */
		uint64_t referrers, invites, signed_up, converted, referred, touched, floor;
		int64_t *cyc;	/* referrers' own conversion to first invitation */
		size_t ncyc;
	} sum;
	struct jt_writer w;
};

struct jt_referrun *jt_refer_new(const struct jt_refer_opts *o)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	/* Large blocks from mmap, always: glibc raises its threshold as large
	 * blocks are freed (the id table's old slots), after which the doubling
	 * buffers would grow by copying instead of remapping. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
	struct jt_referrun *r = jt_xcalloc(1, sizeof *r);
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

static inline struct node *NODE(const struct jt_referrun *r, uint32_t i)
{
	return &r->nch[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

static inline struct tagg *TAGG(const struct jt_referrun *r, uint32_t i)
{
	return &r->tch[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

/* The node of an id (hash h), made when new. */
static uint32_t node_of(struct jt_referrun *r, const char *s, size_t n, uint64_t h)
{
	int isnew;
	uint32_t i = jt_itab_put_h(&r->ids, s, n, h, &isnew);
	if (!isnew)
		return i;
	if (i == UINT32_MAX)	/* parent and child links are signed 32-bit: too many */
		return i;
	if ((i >> CHUNK_BITS) == r->nchunks) {
		if (r->nchunks == r->chcap) {
			r->chcap = r->chcap ? 2 * r->chcap : 16;
			r->nch = jt_xrealloc(r->nch, r->chcap * sizeof *r->nch);
			r->tch = jt_xrealloc(r->tch, r->chcap * sizeof *r->tch);
		}
		r->nch[r->nchunks] = jt_xbig_dirty(CHUNK * sizeof **r->nch);	/* each node set as made */
		r->tch[r->nchunks] = r->o.referrer ? NULL : jt_xbig(CHUNK * sizeof **r->tch);
		r->nchunks++;
	}
	*NODE(r, i) = (struct node){ NONE, NONE, NONE, i, 0, 0, 0, 0, NOTIME, NOTIME, NOTIME, NOTIME };
	if (!r->o.referrer)
		*TAGG(r, i) = (struct tagg){ NOTIME, NOTIME, NOTIME };
	r->nn = (size_t)i + 1;
	return i;
}

static const char *id_of(const struct jt_referrun *r, uint32_t i, size_t *len)
{
	return jt_itab_key(&r->ids, i, len);
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
	r->rf = jt_xrealloc(r->rf, (h->n + 1) * sizeof *r->rf);
	r->rl = jt_xrealloc(r->rl, (h->n + 1) * sizeof *r->rl);
}

static int d2(const char *s, unsigned *v)
{
	unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
	*v = a * 10 + b;
	return a <= 9 && b <= 9;
}

/* jt_time_parse, with the day of the canonical form remembered (tcache). */
static int read_time(struct tcache *c, const char *s, size_t n, int64_t *t)
{
	int canon = n == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z';
	unsigned hh, mm, ss;
	uint64_t d8 = 0;
	uint16_t d2b = 0;
	if (canon) {
		memcpy(&d8, s, 8);
		memcpy(&d2b, s + 8, 2);
	}
	if (canon && c->ok && d8 == c->date8 && d2b == c->date2 && d2(s + 11, &hh) && d2(s + 14, &mm) && d2(s + 17, &ss) &&
	    hh <= 23 && mm <= 59 && ss <= 60) {
		*t = c->days * 86400 + hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);	/* a leap second as :59, as there */
		return 0;
	}
	if (jt_time_parse(s, n, t) != 0)
		return -1;
	if (canon) {
		c->date8 = d8;
		c->date2 = d2b;
		c->days = *t / 86400 - (*t % 86400 < 0);
		c->ok = 1;
	}
	return 0;
}

static int eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* An optional time column of a raw export: NOTIME when empty, 1 when unreadable. */
static int opt_time(struct jt_referrun *r, const char *src, const struct jt_record *rec, long c, struct tcache *tc,
		    int64_t *t)
{
	*t = NOTIME;
	if (c < 0 || rec->len[c] == 0)
		return 0;
	if (read_time(tc, rec->f[c], rec->len[c], t) != 0) {
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[c],
		       jt_show(rec->f[c], rec->len[c]));
		return 1;
	}
	return 0;
}

/* The next item of the batch (the batch handed on first when full). */
static void hand_on(struct jt_referrun *r);
static struct item *new_item(struct jt_referrun *r, const struct jt_record *rec)
{
	struct batch *b = &r->b[r->fill];
	if (b->n == BATCH || b->kblen > ((size_t)1 << 20)) {
		hand_on(r);
		b = &r->b[r->fill];
	}
	if (rec->line >> LINE_BITS)
		jt_die("%s: more than %llu lines, the most jrefer numbers", jt_show(r->src[r->cur], strlen(r->src[r->cur])),
		       (unsigned long long)1 << LINE_BITS);
	struct item *it = &b->it[b->n++];
	it->nk = 0;
	it->what = 0;
	it->pos = (uint64_t)r->cur << LINE_BITS | rec->line;
	return it;
}

static void item_key(struct jt_referrun *r, struct item *it, const char *s, size_t n)
{
	struct batch *b = &r->b[r->fill];
	if (b->kblen + n > b->kbcap) {
		void *p = b->kb;
		jt_xgrow(&p, &b->kbcap, b->kblen + n, 1);
		b->kb = p;
	}
	memcpy(b->kb + b->kblen, s, n);
	it->off[it->nk] = (uint32_t)b->kblen;
	it->len[it->nk++] = (uint32_t)n;
	b->kblen += n;
}

static void add_edge(struct jt_referrun *r, const struct item *it)
{
	char *p = jt_xsort_add(r->xs);
	uint32_t from = it->id[0] | (it->su != NOTIME ? SIGNED_UP : 0);
	memcpy(p, &it->t, 8);
	memcpy(p + 8, &it->pos, 8);
	memcpy(p + 16, &from, 4);
	memcpy(p + 20, &it->id[1], 4);
	if (r->o.referrer)
		memcpy(p + 24, &it->cv, 8);
	if (r->rows)
		memcpy(p + r->rowat, &it->row, 8);
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
	if (read_time(&r->tc[0], ts, tn, &t) != 0) {
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[r->c_time],
		       jt_show(ts, tn));
		return;
	}
	if (rec->len[r->c_to] == 0) {
		REJECT(r, src, rec, "missing referee", "column '%s': empty referee id", r->h->name[r->c_to]);
		return;
	}
	if (opt_time(r, src, rec, r->c_signup, &r->tc[1], &su) || opt_time(r, src, rec, r->c_conv, &r->tc[2], &cv))
		return;
	struct item *it = new_item(r, rec);
	item_key(r, it, fs, fn);
	item_key(r, it, rec->f[r->c_to], rec->len[r->c_to]);
	it->what = I_EDGE;
	it->t = t;
	it->su = su;
	it->cv = cv;
	if (r->rows)
		it->row = keep_row(r, rec);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_referrun *r = ctx;
	int64_t t;
	r->src[r->cur] = src;
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)	/* a raw export: --where only */
		return;
	if (r->o.referrer) {	/* a raw export: every row is an invitation */
		on_raw(r, src, rec);
		return;
	}
	const char *fs = rec->f[r->c_from], *ts = rec->f[r->c_time];
	size_t fn = rec->len[r->c_from], tn = rec->len[r->c_time];
	if (fn == 0) {
		REJECT(r, src, rec, "missing customer", "column '%s': empty customer id", r->h->name[r->c_from]);
		return;
	}
	if (read_time(&r->tc[0], ts, tn, &t) != 0) {
		REJECT(r, src, rec, "bad time", "column '%s': '%s' is not a time", r->h->name[r->c_time],
		       jt_show(ts, tn));
		return;
	}
	const char *tp = rec->f[r->c_tp];
	size_t tpn = rec->len[r->c_tp];
	struct item *it = new_item(r, rec);
	item_key(r, it, fs, fn);	/* the customer is one even when the row is rejected below */
	if (eq(tp, tpn, "referral_sent")) {
		if (rec->len[r->c_to] == 0) {
			REJECT(r, src, rec, "missing referee", "column 'referee': empty referee id on referral_sent");
			return;
		}
		item_key(r, it, rec->f[r->c_to], rec->len[r->c_to]);
		it->what = I_EDGE;
		it->su = it->cv = NOTIME;
		if (r->rows)
			it->row = keep_row(r, rec);
	}
	/* the touch: only what the graph and the tables ask of it */
	it->what |= I_TOUCH | (eq(tp, tpn, "referral_converted") ? I_CONV : eq(tp, tpn, "order_placed") ? I_ORD : 0);
	it->t = t;
}

/* What a row read tells of its customers. */
static void apply(struct jt_referrun *r, const struct item *it)
{
	if (r->o.referrer) {
		seen(NODE(r, it->id[0]), it->t);
		struct node *to = NODE(r, it->id[1]);
		seen(to, it->su);
		seen(to, it->cv);
		return;
	}
	if (!(it->what & I_TOUCH))
		return;
	int64_t t = it->t;
	struct node *x = NODE(r, it->id[0]);
	struct tagg *g = TAGG(r, it->id[0]);
	x->signed_up |= N_TOUCH;
	seen(x, t);
	if (g->last_touch == NOTIME || t > g->last_touch)
		g->last_touch = t;
	if ((it->what & I_CONV) && (x->own == NOTIME || t < x->own))
		x->own = t;
	if ((it->what & I_ORD) && (g->first_ord == NOTIME || t < g->first_ord))
		g->first_ord = t;
	if ((it->what & (I_CONV | I_ORD)) && (g->last_co == NOTIME || t > g->last_co))
		g->last_co = t;
}

/* The worker's part of a batch, in three steps a few items apart: hash the
 * ids and fetch their slots; look them up (numbering new ones in input
 * order) and fetch their nodes; update the nodes. */
static void intern(struct jt_referrun *r, struct batch *b)
{
	size_t n = b->n;
	for (size_t i = 0; i < n + 2 * AHEAD; i++) {
		if (i < n) {
			struct item *it = &b->it[i];
			for (int k = 0; k < it->nk; k++) {
				it->h[k] = jt_hash_bytes(b->kb + it->off[k], it->len[k]);
				jt_itab_prefetch(&r->ids, it->h[k]);
			}
		}
		if (i >= AHEAD && i - AHEAD < n) {
			struct item *it = &b->it[i - AHEAD];
			for (int k = 0; k < it->nk; k++) {
				it->id[k] = node_of(r, b->kb + it->off[k], it->len[k], it->h[k]);
				if (it->id[k] == UINT32_MAX) {
					b->full = 1;
					return;
				}
				__builtin_prefetch(NODE(r, it->id[k]), 1);
				if (!r->o.referrer)
					__builtin_prefetch(TAGG(r, it->id[k]), 1);
			}
		}
		if (i >= 2 * AHEAD)
			apply(r, &b->it[i - 2 * AHEAD]);
	}
}

/* The main thread's part, once the worker is done: the invitations. */
static void collect(struct jt_referrun *r, struct batch *b)
{
	if (b->full)
		jt_die("more than %ld customers and referees, the most jrefer links", (long)INT32_MAX);
	for (size_t i = 0; i < b->n; i++)
		if (b->it[i].what & I_EDGE)
			add_edge(r, &b->it[i]);
	b->n = 0;
	b->kblen = 0;
	if (r->threaded > 0)	/* the worker reads the states under the lock */
		pthread_mutex_lock(&r->mu);
	b->state = B_FREE;
	if (r->threaded > 0)
		pthread_mutex_unlock(&r->mu);
}

static void *worker(void *arg)
{
	struct jt_referrun *r = arg;
	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct batch *b = r->b[0].state == B_QUEUED ? &r->b[0] : r->b[1].state == B_QUEUED ? &r->b[1] : NULL;
		if (!b && r->stop)
			break;
		if (!b) {
			pthread_cond_wait(&r->cv, &r->mu);
			continue;
		}
		b->state = B_BUSY;
		pthread_mutex_unlock(&r->mu);
		intern(r, b);
		pthread_mutex_lock(&r->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void wait_done(struct jt_referrun *r, struct batch *b)
{
	pthread_mutex_lock(&r->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

/* The worker, started with the first full batch when -j allows; signals
 * stay with the main thread. Without it, a batch is handled at once. */
static void start_worker(struct jt_referrun *r)
{
	sigset_t all, old;
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r->threaded = pthread_create(&r->th, NULL, worker, r) == 0 ? 1 : -1;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r->threaded < 0) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
	}
}

/* The batch being filled goes to the worker; the one before, once done,
 * gives its invitations, and is filled next. */
static void hand_on(struct jt_referrun *r)
{
	struct batch *b = &r->b[r->fill], *prev = &r->b[!r->fill];
	if (!r->threaded && r->o.jobs != 1)
		start_worker(r);
	if (r->threaded <= 0) {
		intern(r, b);
		collect(r, b);
		return;
	}
	pthread_mutex_lock(&r->mu);
	b->state = B_QUEUED;
	pthread_cond_broadcast(&r->cv);
	int pending = prev->state != B_FREE;
	pthread_mutex_unlock(&r->mu);
	if (pending) {
		wait_done(r, prev);
		collect(r, prev);
	}
	r->fill = !r->fill;
}

/* The end of the input: every batch handled, the worker stopped. */
static void end_batches(struct jt_referrun *r)
{
	if (r->threaded <= 0) {
		intern(r, &r->b[r->fill]);
		collect(r, &r->b[r->fill]);
		return;
	}
	hand_on(r);
	struct batch *last = &r->b[!r->fill];
	wait_done(r, last);
	collect(r, last);
	pthread_mutex_lock(&r->mu);
	r->stop = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->th, NULL);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	r->threaded = 0;
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
			get_edge(r, p, x);
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
	if (est > 4096)
		jt_itab_reserve(&r->ids, (size_t)(est + est / 8), budget / 8);
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	for (size_t i = 0; i < r->nin; i++) {
		r->cur = i;
		jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	}
	end_batches(r);
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
