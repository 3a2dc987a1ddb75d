/* stage_spill.c — jstage past --memory: range partitions of the customer ids.
 *
 * When a slot's touches, rows and customer table outgrow its share of the
 * budget, it writes them to its spill file grouped by partition and starts
 * over empty, its customers too. A partition is a range of customer ids
 * (bytes, as the output is ordered), cut at the first spill from the
 * customers then in memory so that each range holds about the same bytes.
 * A touch goes with its customer's id, its row and its place in the input.
 *
 * After the read, the partitions are taken one at a time in id order: each
 * is read back whole, its customers interned afresh, each customer's
 * touches put back in input order, and handed to the views as an in-memory
 * run would: the output is the same bytes, and memory holds one partition
 * and one slot's share, never every customer. A partition larger than a
 * quarter of the budget (the first cut guessed wrong: ids that came later
 * in the input fall in a few ranges) is cut again, from a sample of its
 * ids, through a further spill file; a single customer larger than that is
 * held whole. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jt_err.h"
#include "stage_int.h"

/* A touch in a spill file: this, then its customer's id (x.cust bytes),
 * then its row (x.u.row bytes, when the view keeps rows). */
struct prec {
	struct tch x;
	uint64_t seq;	/* its place in the input: file, slot, the slot's touch number */
};

/* Partition q of a slot's spill: [off[q], off[q + 1]) of the slot's file. */
struct srun {
	size_t slot;
	uint64_t first;	/* its first touch's place in the input */
	uint64_t *off;
};

/* Runs in input order (of their first touches): a range's customers then
 * mostly come back with their touches in input order, unsorted. */
static int cmp_run(const void *a, const void *b)
{
	const struct srun *x = a, *y = b;
	return (x->first > y->first) - (x->first < y->first);
}

struct spillset {
	pthread_mutex_t lock;
	struct jt_buf cutkeys;	/* the ranges' first ids, length before each */
	uint64_t *cut;	/* offsets into cutkeys */
	size_t ncut;	/* partitions: ncut + 1 */
	int have_cut;
	struct jt_spill file[JT_MAXJOBS];
	int open[JT_MAXJOBS];
	struct srun *run;
	size_t nrun, runcap;
	/* each slot's scratch */
	uint32_t *pof[JT_MAXJOBS];	/* customer -> partition */
	uint32_t *pos[JT_MAXJOBS];	/* customer -> its next place in perm */
	uint32_t *perm[JT_MAXJOBS];	/* touches by partition */
	size_t pcap[JT_MAXJOBS], permcap[JT_MAXJOBS];
	/* reading the partitions back */
	char *blob;
	size_t blobcap;
	struct tch *pt;
	uint64_t *seq;
	uint32_t *idx;
	size_t ncap;
	uint32_t *ord, *rank;
	uint64_t *start;
	size_t ccap;
	struct proc pc;
};

static pthread_mutex_t make_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *cut_key(const struct jt_buf *b, uint64_t at, size_t *len)
{
	uint32_t l;
	memcpy(&l, b->p + at, sizeof l);
	*len = l;
	return b->p + at + sizeof l;
}

/* The range of id k among cuts: how many cuts are at or below it. */
static size_t range_of(const struct jt_buf *b, const uint64_t *cut, size_t ncut, const char *k, size_t n)
{
	size_t lo = 0, hi = ncut;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, ml;
		const char *m = cut_key(b, cut[mid], &ml);
		if (jt_bytes_cmp(m, ml, k, n) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Cuts at the byte quantiles of keys (sorted, each with its bytes): at most
 * parts - 1 of them, strictly increasing. */
struct wkey {
	const char *k;
	size_t n;
	uint64_t bytes;
};

static int cmp_wkey(const void *a, const void *b)
{
	const struct wkey *x = a, *y = b;
	return jt_bytes_cmp(x->k, x->n, y->k, y->n);
}

static size_t make_cuts(struct wkey *w, size_t nw, size_t parts, struct jt_buf *b, uint64_t **cut)
{
	qsort(w, nw, sizeof *w, cmp_wkey);
	uint64_t total = 0, acc = 0;
	for (size_t i = 0; i < nw; i++)
		total += w[i].bytes;
	*cut = jt_xmalloc(parts * sizeof **cut);
	size_t n = 0, j = 1;
	for (size_t i = 0; i < nw && j < parts; i++) {
		if (acc >= total / parts * j) {	/* a range starts at w[i] */
			size_t pl = 0;
			/* strictly above the smallest key and the last cut: no empty range,
			 * and a sample of one key makes no cut */
			if (jt_bytes_cmp(w[0].k, w[0].n, w[i].k, w[i].n) < 0 &&
			    (!n || jt_bytes_cmp(cut_key(b, (*cut)[n - 1], &pl), pl, w[i].k, w[i].n) < 0)) {
				uint32_t l = (uint32_t)w[i].n;
				(*cut)[n++] = b->len;
				jt_buf_add(b, &l, sizeof l);
				jt_buf_add(b, w[i].k, w[i].n);
			}
			while (j < parts && acc >= total / parts * j)
				j++;
		}
		acc += w[i].bytes;
	}
	return n;
}

/* How many ranges for about est bytes: each half of a quarter of the budget
 * once read back, room for a guess gone wrong (a range past the quarter is
 * cut again: one more pass over its bytes). */
static size_t ranges_for(const struct jt_stagerun *r, uint64_t est, size_t most)
{
	uint64_t each = r->budget / 4 ? r->budget / 4 : 1, n = est / each * 2 + 2;
	return n > most ? most : (size_t)n;
}

/* The first spill: ranges from slot p's customers, weighted by their bytes. */
static void first_cut(struct spillset *s, struct part *p)
{
	struct jt_stagerun *r = p->r;
	size_t nc = p->ct->n;
	struct wkey *w = jt_xcalloc(nc + 1, sizeof *w);
	uint64_t held = 0;
	for (size_t c = 0; c < nc; c++)
		w[c].k = jt_itab_key(p->ct, (uint32_t)c, &w[c].n);
	for (size_t i = 0; i < p->nt; i++) {
		const struct tch *x = &p->tv[i];
		uint64_t b = sizeof(struct prec) + w[x->cust].n + (r->need_row ? jt_ts_rowlen_warm(&p->ts, x->u.row) : 0);
		w[x->cust].bytes += b;
		held += b;
	}
	/* the whole input, guessed from its size (a spilled touch takes about
	 * the bytes of its line, and 40 more), else from what this slot holds */
	uint64_t in = jt_stage_input_bytes(r), est = in ? in + in / 2 : 16 * r->budget;
	if (est < held * 2 * r->nparts)
		est = held * 2 * r->nparts;
	s->ncut = make_cuts(w, nc, ranges_for(r, est, 1024), &s->cutkeys, &s->cut);
	s->have_cut = 1;
	free(w);
}

_Static_assert(JT_MAXJOBS <= 64, "a touch's place holds its slot in 6 bits");

/* Touch n of slot p's place in the input: its segment (the last one whose
 * first touch in the slot is at or before n), the slot, n. */
static uint64_t seq_of(const struct part *p, uint64_t n)
{
	size_t lo = 0, hi = p->nseg ? p->nseg : 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->seg[mid] <= n)
			lo = mid;
		else
			hi = mid;
	}
	return (uint64_t)lo << 44 | (uint64_t)p->k << 38 | n;
}

void jt_stage_spill(struct part *p)
{
	struct jt_stagerun *r = p->r;
	if (p->nt == 0)
		return;
	pthread_mutex_lock(&make_lock);
	if (!r->ss) {
		r->ss = jt_xcalloc(1, sizeof *r->ss);
		pthread_mutex_init(&r->ss->lock, NULL);
	}
	pthread_mutex_unlock(&make_lock);
	struct spillset *s = r->ss;
	size_t k = p->k, nc = p->ct->n;
	/* a touch's place in the input: 20 bits of segment, 6 of slot, 38 of touch */
	if (p->nseg > (size_t)1 << 20 || p->base + p->nt > (uint64_t)1 << 38)
		jt_die("past --memory, jstage keeps the input order of at most 1,048,576 files (or chunks of a "
		       "pipe) and 2^38 touches a thread (raise --memory, or join the files)");
	if (nc > s->pcap[k]) {
		s->pcap[k] = nc + nc / 2;
		free(s->pof[k]);
		free(s->pos[k]);
		s->pof[k] = jt_xmalloc(s->pcap[k] * sizeof *s->pof[k]);
		s->pos[k] = jt_xmalloc(s->pcap[k] * sizeof *s->pos[k]);
	}
	uint32_t *pof = s->pof[k], *pos = s->pos[k];
	pthread_mutex_lock(&s->lock);	/* slots spill on their threads */
	if (!s->have_cut)
		first_cut(s, p);
	r->spilled = 1;
	pthread_mutex_unlock(&s->lock);
	for (size_t c = 0; c < nc; c++) {
		size_t len;
		const char *key = jt_itab_key(p->ct, (uint32_t)c, &len);
		pof[c] = (uint32_t)range_of(&s->cutkeys, s->cut, s->ncut, key, len);
	}
	/* the touches grouped by range, then by customer (read back, a
	 * customer's id is interned once), each customer's in input order: a
	 * counting sort over the slot's customers */
	size_t np = s->ncut + 1;
	if (p->nt > s->permcap[k]) {
		free(s->perm[k]);
		s->permcap[k] = p->tcap;
		s->perm[k] = jt_xmalloc(s->permcap[k] * sizeof *s->perm[k]);
	}
	uint32_t *perm = s->perm[k];
	size_t *at = jt_xcalloc(np + 1, sizeof *at);
	for (size_t c = 0; c < nc; c++)
		at[pof[c] + 1] += p->cnt[c];
	for (size_t q = 0; q < np; q++)
		at[q + 1] += at[q];
	for (size_t c = 0; c < nc; c++) {
		pos[c] = (uint32_t)at[pof[c]];
		at[pof[c]] += p->cnt[c];
	}
	free(at);
	for (size_t i = 0; i < p->nt; i++)
		perm[pos[p->tv[i].cust]++] = (uint32_t)i;
	if (!s->open[k]) {
		jt_spill_open(&s->file[k]);
		s->open[k] = 1;
	}
	struct jt_spill *sf = &s->file[k];
	/* rows with cold values take them back (read one at a time: a run
	 * keeps them cold only when its input looked like fitting) */
	int warm = p->ts.cold;	/* only a store of rows has them */
	struct jt_buf wb = JT_BUF_INIT;
	if (warm)
		jt_spill_flush(&p->ts.coldf);
	uint64_t *off = jt_xcalloc(np + 1, sizeof *off);
	size_t q = 0;
	off[0] = sf->size;
	for (size_t j = 0; j < p->nt; j++) {
		size_t i = perm[j], klen, rowlen = 0;
		struct prec pr;
		pr.x = p->tv[i];
		for (; q < pof[pr.x.cust]; q++)
			off[q + 1] = sf->size;
		const char *key = jt_itab_key(p->ct, pr.x.cust, &klen);
		pr.seq = seq_of(p, p->base + i);
		pr.x.cust = (uint32_t)klen;
		const char *row = pr.x.u.row;
		if (r->need_row) {
			rowlen = warm ? jt_ts_row_warm(&p->ts, row, &wb) : jt_ts_rowlen(&p->ts, row);
			if (warm)
				row = wb.p;
			pr.x.u.row = (const char *)(uintptr_t)rowlen;
		}
		jt_spill_write(sf, &pr, sizeof pr);
		jt_spill_write(sf, key, klen);
		if (rowlen)
			jt_spill_write(sf, row, rowlen);
	}
	for (; q < np; q++)
		off[q + 1] = sf->size;
	pthread_mutex_lock(&s->lock);
	if (s->nrun == s->runcap) {
		s->runcap = s->runcap ? 2 * s->runcap : 16;
		s->run = jt_xrealloc(s->run, s->runcap * sizeof *s->run);
	}
	s->run[s->nrun++] = (struct srun){ k, seq_of(p, p->base), off };
	pthread_mutex_unlock(&s->lock);
	/* the slot starts over: touches, rows and customers */
	p->base += p->nt;
	p->nt = 0;
	jt_ts_drop_rows(&p->ts);
	jt_ts_cold_end(&p->ts);	/* this slot's rows keep their values from now on */
	jt_buf_free(&wb);
	jt_itab_clear(p->ct);
	memset(p->cnt, 0, p->ccap * sizeof *p->cnt);
}

/* ---- reading the partitions back ----------------------------------------------------- */

/* A partition: pieces of spill files, read one after the other. */
struct ext {
	const struct jt_spill *f;
	uint64_t off, len;
};

/* Whole records from a partition's pieces, through a buffer. */
struct rd {
	const struct ext *e;
	size_t ne, ei;
	uint64_t pos;	/* read of e[ei] */
	char *buf;
	size_t cap, a, b;
	int need_row;
};

static int rd_fill(struct rd *d, size_t need)
{
	while (d->b - d->a < need) {
		while (d->ei < d->ne && d->pos == d->e[d->ei].len) {
			d->ei++;
			d->pos = 0;
		}
		if (d->ei == d->ne)
			return 0;
		if (d->a) {
			memmove(d->buf, d->buf + d->a, d->b - d->a);
			d->b -= d->a;
			d->a = 0;
		}
		if (need > d->cap) {
			d->cap = need + (1 << 20);
			d->buf = jt_xrealloc(d->buf, d->cap);
		}
		uint64_t left = d->e[d->ei].len - d->pos;
		size_t n = d->cap - d->b < left ? d->cap - d->b : (size_t)left;
		jt_spill_pread(d->e[d->ei].f, d->e[d->ei].off + d->pos, d->buf + d->b, n);
		d->pos += n;
		d->b += n;
	}
	return 1;
}

/* The next record (its bytes, *len of them), or NULL at the end. */
static const char *rd_next(struct rd *d, size_t *len)
{
	if (!rd_fill(d, sizeof(struct prec))) {
		if (d->b != d->a)
			jt_die("internal error: a spill file ends inside a touch");
		return NULL;
	}
	struct prec pr;
	memcpy(&pr, d->buf + d->a, sizeof pr);
	size_t n = sizeof pr + pr.x.cust + (d->need_row ? (size_t)(uintptr_t)pr.x.u.row : 0);
	if (!rd_fill(d, n))
		jt_die("internal error: a spill file ends inside a touch");
	const char *p = d->buf + d->a;
	d->a += n;
	*len = n;
	return p;
}

static uint64_t ext_bytes(const struct ext *e, size_t ne)
{
	uint64_t n = 0;
	for (size_t i = 0; i < ne; i++)
		n += e[i].len;
	return n;
}

static const uint64_t *sort_seq;

static int cmp_seq(const void *a, const void *b)
{
	uint64_t x = sort_seq[*(const uint32_t *)a], y = sort_seq[*(const uint32_t *)b];
	return (x > y) - (x < y);
}

/* A partition that fits: every touch in memory, to the views. */
static void load(struct jt_stagerun *r, const struct ext *e, size_t ne, uint64_t size)
{
	struct spillset *s = r->ss;
	if (size + 1 > s->blobcap) {
		jt_xbig_release(s->blob, s->blobcap);	/* not pooled: it would stay in memory */
		s->blobcap = (size_t)size + 1;
		s->blob = jt_xbig_dirty(s->blobcap);
	}
	uint64_t got = 0;
	for (size_t i = 0; i < ne; i++) {
		jt_spill_pread(e[i].f, e[i].off, s->blob + got, (size_t)e[i].len);
		got += e[i].len;
	}
	size_t n = 0;
	for (const char *q = s->blob, *end = s->blob + size; q < end; n++) {
		struct prec pr;
		memcpy(&pr, q, sizeof pr);
		q += sizeof pr + pr.x.cust + (r->need_row ? (size_t)(uintptr_t)pr.x.u.row : 0);
	}
	if (n >= UINT32_MAX)
		jt_die("more than %lu touches in a partition, the most jstage keeps (raise --memory)",
		       (unsigned long)UINT32_MAX - 1);
	if (n + 1 > s->ncap) {
		s->ncap = n + 1 + n / 4;
		free(s->pt);
		free(s->seq);
		free(s->idx);
		s->pt = jt_xmalloc(s->ncap * sizeof *s->pt);
		s->seq = jt_xmalloc(s->ncap * sizeof *s->seq);
		s->idx = jt_xmalloc(s->ncap * sizeof *s->idx);
	}
	if (n + 1 > r->ccap) {	/* a partition's customers are at most its touches */
		free(r->ccount);
		r->ccap = n + 1;
		r->ccount = jt_xcalloc(r->ccap, sizeof *r->ccount);
	}
	jt_itab_clear(&r->cust);
	const char *q = s->blob, *lastkey = NULL;
	size_t lastlen = 0;
	uint32_t lastc = 0;
	for (size_t j = 0; j < n; j++) {
		struct prec pr;
		memcpy(&pr, q, sizeof pr);
		q += sizeof pr;
		/* a customer's touches follow each other in a spill */
		if (!lastkey || lastlen != pr.x.cust || memcmp(lastkey, q, lastlen) != 0) {
			lastc = jt_itab_put(&r->cust, q, pr.x.cust, NULL);
			lastkey = q;
			lastlen = pr.x.cust;
		}
		q += pr.x.cust;
		r->ccount[lastc]++;
		pr.x.cust = lastc;
		const struct part *p = r->parts[pr.x.part];
		if (r->need_row) {
			size_t len = (size_t)(uintptr_t)pr.x.u.row;
			pr.x.u.row = q;
			q += len;
		} else if (pr.x.part && (r->o.mode == JT_SM_PATHS || r->o.mode == JT_SM_VARIANTS)) {
			pr.x.u.k.key = p->kmap[pr.x.u.k.key];
		} else if (pr.x.part && r->o.mode == JT_SM_FUNNEL && r->c_grp >= 0) {
			pr.x.u.k.grp = p->gmap[pr.x.u.k.grp];
		}
		s->pt[j] = pr.x;
		s->seq[j] = pr.seq;
	}
	/* the customers by id; each one's touches in input order */
	size_t nc = r->cust.n;
	if (nc + 2 > s->ccap) {
		s->ccap = nc + 2 + nc / 4;
		free(s->ord);
		free(s->rank);
		free(s->start);
		s->ord = jt_xmalloc(s->ccap * sizeof *s->ord);
		s->rank = jt_xmalloc(s->ccap * sizeof *s->rank);
		s->start = jt_xmalloc(s->ccap * sizeof *s->start);
	}
	jt_stage_order(&r->cust, s->ord, s->rank);
	struct proc *pc = &s->pc;
	pc->maxn = 0;
	memset(s->start, 0, (nc + 2) * sizeof *s->start);
	for (size_t c = 0; c < nc; c++) {
		s->start[s->rank[c] + 1] = r->ccount[c];
		if (r->ccount[c] > pc->maxn)
			pc->maxn = r->ccount[c];
	}
	for (size_t c = 0; c < nc; c++)
		s->start[c + 1] += s->start[c];
	for (size_t j = 0; j < n; j++) {	/* start[rank] is the fill point, then the end */
		uint32_t c = s->pt[j].cust;
		s->idx[s->start[s->rank[c]]++] = (uint32_t)j;
	}
	memmove(s->start + 1, s->start, nc * sizeof *s->start);
	s->start[0] = 0;
	sort_seq = s->seq;
	for (size_t c = 0; c < nc; c++) {
		uint32_t *t = s->idx + s->start[c];
		size_t m = (size_t)(s->start[c + 1] - s->start[c]), i;
		for (i = 1; i < m && s->seq[t[i - 1]] < s->seq[t[i]]; i++)
			;
		if (i < m)	/* from several slots' spills */
			qsort(t, m, sizeof *t, cmp_seq);
	}
	pc->r = r;
	pc->ord = s->ord;
	pc->start = s->start;
	pc->idx = s->idx;
	pc->pt = s->pt;
	pc->lo = 0;
	pc->hi = nc;
	jt_stage_process(pc);
	memset(r->ccount, 0, nc * sizeof *r->ccount);
	r->cust_base += (uint32_t)nc;
}

static void partition(struct jt_stagerun *r, const struct ext *e, size_t ne, int depth);

/* A partition too large for a quarter of the budget, cut in ranges again
 * from a sample of its ids. 0 when it holds one customer (or the sample
 * says so): it is then held whole. */
static int split(struct jt_stagerun *r, const struct ext *e, size_t ne, uint64_t size, int depth)
{
	enum { SAMPLE = 4096 };
	struct rd d = { e, ne, 0, 0, NULL, 0, 0, 0, r->need_row };
	struct jt_buf keys = JT_BUF_INIT;
	struct wkey *w = jt_xcalloc(SAMPLE + 1, sizeof *w);
	uint64_t *ko = jt_xcalloc(SAMPLE + 1, sizeof *ko);
	size_t nw = 0, len;
	uint64_t step = size / SAMPLE + 1, acc = 0;
	for (const char *rec; (rec = rd_next(&d, &len)) != NULL;) {
		acc += len;
		if (acc < step || nw == SAMPLE)
			continue;
		acc -= step;
		struct prec pr;
		memcpy(&pr, rec, sizeof pr);
		ko[nw] = keys.len;
		w[nw].n = pr.x.cust;
		w[nw].bytes = step;
		jt_buf_add(&keys, rec + sizeof pr, pr.x.cust);
		nw++;
	}
	for (size_t i = 0; i < nw; i++)
		w[i].k = keys.p + ko[i];
	free(ko);
	/* sub-ranges: each of them writes through a spill buffer of 256 KiB,
	 * an eighth of the budget in all */
	size_t most = (size_t)(r->budget / 8 / (256 << 10));
	struct jt_buf cb = JT_BUF_INIT;
	uint64_t *cut;
	size_t ncut = make_cuts(w, nw, ranges_for(r, size, most < 2 ? 2 : most > 64 ? 64 : most), &cb, &cut);
	free(w);
	jt_buf_free(&keys);
	if (ncut == 0) {
		free(cut);
		jt_buf_free(&cb);
		free(d.buf);
		return 0;
	}
	struct jt_spill *sub = jt_xcalloc(ncut + 1, sizeof *sub);
	for (size_t i = 0; i <= ncut; i++)
		jt_spill_open(&sub[i]);
	d.ei = 0;
	d.pos = 0;
	d.a = d.b = 0;
	for (const char *rec; (rec = rd_next(&d, &len)) != NULL;) {
		struct prec pr;
		memcpy(&pr, rec, sizeof pr);
		jt_spill_write(&sub[range_of(&cb, cut, ncut, rec + sizeof pr, pr.x.cust)], rec, len);
	}
	free(d.buf);
	free(cut);
	jt_buf_free(&cb);
	for (size_t i = 0; i <= ncut; i++)
		jt_spill_flush(&sub[i]);
	for (size_t i = 0; i <= ncut; i++) {
		struct ext one = { &sub[i], 0, sub[i].size };
		partition(r, &one, 1, depth + 1);
		jt_spill_close(&sub[i]);
	}
	free(sub);
	return 1;
}

static void partition(struct jt_stagerun *r, const struct ext *e, size_t ne, int depth)
{
	uint64_t size = ext_bytes(e, ne);
	if (size == 0)
		return;
	if (size > r->budget / 4 && depth < 8 && split(r, e, ne, size, depth))
		return;
	load(r, e, ne, size);
}

void jt_stage_spilled(struct jt_stagerun *r)
{
	for (size_t k = 0; k < r->nparts; k++)
		jt_stage_spill(r->parts[k]);	/* what is still in memory */
	struct spillset *s = r->ss;
	for (size_t k = 0; k < r->nparts; k++) {
		struct part *p = r->parts[k];
		jt_xbig_free(p->tv, p->tcap * sizeof *p->tv);
		p->tv = NULL;
		p->nt = p->tcap = 0;
		if (k)
			jt_itab_free(p->ct);
		free(s->pof[k]);
		free(s->pos[k]);
		free(s->perm[k]);
		s->pof[k] = s->pos[k] = s->perm[k] = NULL;
		if (s->open[k])
			jt_spill_flush(&s->file[k]);
	}
	jt_xbig_trim();	/* the rows' and touches' blocks: the partitions are read otherwise */
	size_t np = s->ncut + 1;
	qsort(s->run, s->nrun, sizeof *s->run, cmp_run);
	struct ext *e = jt_xcalloc(s->nrun + 1, sizeof *e);
	for (size_t q = 0; q < np; q++) {
		size_t ne = 0;
		for (size_t u = 0; u < s->nrun; u++) {
			const struct srun *ru = &s->run[u];
			if (ru->off[q + 1] > ru->off[q])
				e[ne++] = (struct ext){ &s->file[ru->slot], ru->off[q], ru->off[q + 1] - ru->off[q] };
		}
		partition(r, e, ne, 0);
	}
	free(e);
	jt_stage_proc_free(&s->pc);
}

void jt_stage_spill_free(struct jt_stagerun *r)
{
	struct spillset *s = r->ss;
	if (!s)
		return;
	for (size_t k = 0; k < JT_MAXJOBS; k++) {
		if (s->open[k])
			jt_spill_close(&s->file[k]);
		free(s->pof[k]);
		free(s->pos[k]);
		free(s->perm[k]);
	}
	for (size_t u = 0; u < s->nrun; u++)
		free(s->run[u].off);
	free(s->run);
	free(s->cut);
	jt_buf_free(&s->cutkeys);
	jt_xbig_free(s->blob, s->blobcap);
	free(s->pt);
	free(s->seq);
	free(s->idx);
	free(s->ord);
	free(s->rank);
	free(s->start);
	pthread_mutex_destroy(&s->lock);
	free(s);
	r->ss = NULL;
}
