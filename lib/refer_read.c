/* refer_read.c — jrefer's reading: each row an invitation (or a touch),
 * checked and packed; ids interned in batches by a worker thread while the
 * main thread reads on (refer_int.h). */
#include <signal.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "refer_int.h"

/* A chunk of nodes for the worker: one the main thread faulted in, else
 * one of its own. Each node is set as made. */
static struct node *take_spare(struct jt_referrun *r)
{
	size_t out = atomic_load_explicit(&r->spare_out, memory_order_relaxed);
	if (out == atomic_load_explicit(&r->spare_in, memory_order_acquire))
		return jt_xbig_dirty(CHUNK * sizeof **r->nch);
	struct node *c = r->spare[out % SPARES];
	atomic_store_explicit(&r->spare_out, out + 1, memory_order_release);
	return c;
}

/* The main thread, between batches, while the worker interns: the page
 * faults of the worker's memory (on a virtual machine, zeroing a fresh
 * huge page costs more than the work done in it) taken here instead. Two
 * node chunks ahead, and the id table's slots 4 MiB at a time. */
static void fault_ahead(struct jt_referrun *r)
{
	size_t in = atomic_load_explicit(&r->spare_in, memory_order_relaxed);
	if (in - atomic_load_explicit(&r->spare_out, memory_order_acquire) < 2) {
		struct node *c = jt_xbig_dirty(CHUNK * sizeof *c);
		jt_xbig_populate(c, CHUNK * sizeof *c);
		r->spare[in % SPARES] = c;
		atomic_store_explicit(&r->spare_in, in + 1, memory_order_release);
	}
	if (r->slot_pop != r->slot_end) {
		size_t left = (size_t)(r->slot_end - r->slot_pop), n = left < ((size_t)4 << 20) ? left : (size_t)4 << 20;
		jt_xbig_populate(r->slot_pop, n);
		r->slot_pop += n;
	}
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
		r->nch[r->nchunks] = take_spare(r);
		r->tch[r->nchunks] = r->o.referrer ? NULL : jt_xbig(CHUNK * sizeof **r->tch);
		r->nchunks++;
	}
	*NODE(r, i) = (struct node){ NONE, NONE, NONE, i, 0, 0, 0, 0, NOTIME, NOTIME, NOTIME, NOTIME };
	if (!r->o.referrer)
		*TAGG(r, i) = (struct tagg){ NOTIME, NOTIME, NOTIME };
	r->nn = (size_t)i + 1;
	return i;
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
void jt_refer_unpack(const char *p, const char **f, size_t *len, size_t n, struct jt_record *rec)
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

void jt_refer_on_header(void *ctx, const char *src, const struct jt_header *h)
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

void jt_refer_get_edge(const struct jt_referrun *r, const char *p, struct edge *e)
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

void jt_refer_on_record(void *ctx, const char *src, const struct jt_record *rec)
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
	fault_ahead(r);
	if (pending) {
		wait_done(r, prev);
		collect(r, prev);
	}
	r->fill = !r->fill;
}

/* The end of the input: every batch handled, the worker stopped. */
void jt_refer_end_batches(struct jt_referrun *r)
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
