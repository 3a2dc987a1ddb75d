/* kpi_parts.c — the KPI engine's state in pieces: the parts of a file read on
 * threads (jkpi -j) merged as --merge does, and --per's state spilled past
 * --memory and aggregated one partition at a time. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jt_baseline.h"
#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_itab.h"
#include "jt_par.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_page.h"
#include "jt_reject.h"
#include "jt_shards.h"
#include "jt_sketch.h"
#include "jt_spill.h"
#include "jt_stats.h"
#include "jt_time.h"
#include "jt_tz.h"
#include "kpi_int.h"

/* ---------- parts of a file (jkpi -j) ---------- */

struct jt_agg *jt_agg_part(const struct jt_agg *a, int later)
{
	struct jt_agg *b = jt_agg_new(&a->o);
	if (a->bound)
		jt_agg_header(b, a->first_src, a->hdr);
	b->defer = later && a->o.per;
	b->budget = a->budget;
	b->keep_state = a->keep_state;
	/* a state written out (--partial, --history) keeps its sets' values in
	 * file order: its later parts keep every value for the merge */
	b->spec = a->o.partial || a->keep_state ? SPEC_OFF : SPEC_WARM;
	kpi_set_keyed(b);
	return b;
}

unsigned jt_agg_first_share(const struct jt_agg *a)
{
	/* measured on the README report at 1M: 130-145 balanced the two parts
	 * while a later part kept every value; 125 with its keys in order */
	return a->o.per ? 125 : 100;
}

/* Kst y into x: everything but distinct's count (its set's; a keyed one
 * counts keys, which the merge of per's keys keeps apart) and per's. */
static void kst_merge(const struct kpi *k, struct kst *x, struct kst *y)
{
	if (y->n && k->kind != K_DISTINCT) {
		if (!x->n || y->min < x->min)
			x->min = y->min;
		if (!x->n || y->max > x->max)
			x->max = y->max;
	}
	if (k->kind != K_DISTINCT || k->keyed)
		x->n += y->n;
	x->missing += y->missing;
	x->c1 += y->c1;
	x->c2 += y->c2;
	x->c3 += y->c3;
	if (__builtin_add_overflow(x->sum, y->sum, &x->sum))
		jt_die("column '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)", k->colname);
	/* a mean's sum of squares (--baseline's variance): unknown once either is */
	if (y->sq_bad || (!x->sq_bad && __builtin_add_overflow(x->sumsq, y->sumsq, &x->sumsq)))
		x->sq_bad = 1;
	if (y->sk) {
		if (!x->sk)
			x->sk = jt_xcalloc(1, sizeof *x->sk);
		jt_sketch_merge(x->sk, y->sk);
	}
	if (y->vn) {
		void *p = x->v;
		jt_xgrow(&p, &x->vcap, x->vn + y->vn, sizeof *x->v);
		x->v = p;
		memcpy(x->v + x->vn, y->v, y->vn * sizeof *x->v);
		x->vn += y->vn;
		x->sorted = 0;
	}
}

/* The key of a set or per entry, its group id g replaced by id (into a->tmp). */
static void regroup(struct jt_agg *a, const struct jt_map_ent *e, uint32_t id)
{
	jt_buf_reset(&a->tmp);
	jt_buf_add(&a->tmp, &id, sizeof id);
	jt_buf_add(&a->tmp, e->key + sizeof id, e->len - sizeof id);
}

/* Each entry of from (a map of b's, keys of (group id, value)) looked up in
 * into (a's), its group id taken through gmap: found[e] is its index there,
 * or UINT32_MAX. On threads: lookups only. A filter of into's hashes (a bit
 * a key, 8 bits a key in all: a few MiB, in cache where into's table is not)
 * answers most of a key's misses without a probe of the table: the keys of
 * a file's later part are mostly new, in a file grouped by the key. */
struct lookup {
	const struct jt_map *from, *into;
	size_t skip_lo, skip_hi;	/* entries known to be new to into */
	const size_t *gmap;
	uint32_t *found;
	size_t threads;
	uint64_t *filter;
	int fbits;
	struct jt_buf key[JT_MAXJOBS];
};

static inline size_t filter_at(uint64_t h, int bits)
{
	return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

static void filter_job(void *arg, size_t k)
{
	struct lookup *l = arg;
	size_t n = l->into->n, lo = n * k / l->threads, hi = n * (k + 1) / l->threads;
	for (size_t e = lo; e < hi; e++) {
		size_t at = filter_at(l->into->ent[e].hash, l->fbits);
		__atomic_fetch_or(&l->filter[at / 64], (uint64_t)1 << (at % 64), __ATOMIC_RELAXED);
	}
}

static void lookup_job(void *arg, size_t k)
{
	struct lookup *l = arg;
	size_t n = l->from->n, lo = n * k / l->threads, hi = n * (k + 1) / l->threads;
	struct jt_buf *b = &l->key[k];
	for (size_t e = lo; e < hi; e++) {
		const struct jt_map_ent *en = &l->from->ent[e];
		uint32_t gid, id;
		if (e >= l->skip_lo && e < l->skip_hi) {
			l->found[e] = UINT32_MAX;
			continue;
		}
		memcpy(&gid, en->key, sizeof gid);
		id = (uint32_t)l->gmap[gid];
		const char *key = en->key;
		uint64_t h = en->hash;
		if (id != gid) {	/* the key with a's group id */
			jt_buf_reset(b);
			jt_buf_add(b, &id, sizeof id);
			jt_buf_add(b, en->key + sizeof id, en->len - sizeof id);
			key = b->p;
			h = jt_hash_bytes(key, en->len);
		}
		size_t at = filter_at(h, l->fbits);
		long found = -1;
		if (l->filter[at / 64] >> (at % 64) & 1)
			found = jt_map_find_h(l->into, key, en->len, h);
		l->found[e] = found < 0 ? UINT32_MAX : (uint32_t)found;
	}
}

static uint32_t *lookup(const struct jt_map *from, const struct jt_map *into, const size_t *gmap, size_t threads,
		       size_t skip_lo, size_t skip_hi)
{
	struct lookup l;
	memset(&l, 0, sizeof l);
	l.skip_lo = skip_lo;
	l.skip_hi = skip_hi;
	l.from = from;
	l.into = into;
	l.gmap = gmap;
	l.found = jt_xmalloc((from->n ? from->n : 1) * sizeof *l.found);
	l.threads = threads > JT_MAXJOBS ? JT_MAXJOBS : threads < 1 ? 1 : threads;
	if (from->n + into->n < 4096 * l.threads)
		l.threads = 1;
	l.fbits = 6;
	while (l.fbits < 40 && ((size_t)1 << l.fbits) < 8 * (into->n + 1))
		l.fbits++;
	l.filter = jt_xcalloc(((size_t)1 << l.fbits) / 64, sizeof *l.filter);
	jt_par_run(l.threads, filter_job, &l);
	jt_par_run(l.threads, lookup_job, &l);
	free(l.filter);
	for (size_t k = 0; k < l.threads; k++)
		jt_buf_free(&l.key[k]);
	return l.found;
}

static int merge(struct jt_agg *a, struct jt_agg *b, size_t threads, int last);

int jt_agg_merge(struct jt_agg *a, struct jt_agg *b)
{
	return merge(a, b, 1, 0);
}

int jt_agg_merge_last(struct jt_agg *a, struct jt_agg *b, size_t threads)
{
	/* a --partial writes its sets and keys; past --memory they are spilled */
	return merge(a, b, threads, threads > 1 && !a->o.partial && !a->ps && !b->ps);
}

void kpi_key_run(struct jt_agg *a, const char *k, size_t n)
{
	int up = 1;
	if (!a->khave) {
		a->khave = 1;
		jt_buf_add(&a->kfirst, k, n);
	} else {
		up = jt_bytes_cmp(k, n, a->klast.p, a->klast.len) > 0;
	}
	jt_buf_reset(&a->klast);
	jt_buf_add(&a->klast, k, n);
	a->kunsorted |= !up;
	if (!a->defer || a->spec == SPEC_OFF) {
		return;
	} else if (a->spec == SPEC_DIRECT) {
		if (!up) {	/* out of order: the keys new from now on wait for the merge */
			a->spec = SPEC_OFF;
			a->e_hi = a->per.n;
		}
	} else if (!up) {
		a->streak = 0;
	} else if (++a->streak >= SPEC_RUNS) {
		a->spec = SPEC_DIRECT;
		a->e_lo = a->per.n;	/* this run's key, when new, is the first */
		a->e_hi = SIZE_MAX;
		jt_buf_add(&a->dfirst, k, n);
	}
}

/* 1 when b's direct keys (kpi_direct) may be in a: they took values a's
 * rows came before. A sorted a whose last key is below b's first direct key
 * has none of them; else they are looked up, or, past --memory (the keys in
 * spill files), b is read again. */
static int direct_conflict(struct jt_agg *a, struct jt_agg *b, const size_t *gmap)
{
	size_t lo = b->e_lo, hi = b->e_hi < b->per.n ? b->e_hi : b->per.n;
	if (!b->defer || b->e_hi <= b->e_lo || (!b->ps && lo >= hi))
		return 0;	/* none */
	if (!a->khave || (!a->kunsorted && jt_bytes_cmp(a->klast.p, a->klast.len, b->dfirst.p, b->dfirst.len) < 0))
		return 0;
	if (a->ps || b->ps)
		return 1;
	for (size_t e = lo; e < hi; e++) {
		uint32_t gid;
		memcpy(&gid, b->per.ent[e].key, sizeof gid);
		regroup(a, &b->per.ent[e], (uint32_t)gmap[gid]);
		if (jt_map_find(&a->per, a->tmp.p, a->tmp.len) >= 0)
			return 1;
	}
	return 0;
}

/* After b merged into a: the key runs of both, in file order. */
static void key_runs_merged(struct jt_agg *a, const struct jt_agg *b)
{
	if (!b->khave)
		return;
	if (!a->khave)
		jt_buf_add(&a->kfirst, b->kfirst.p, b->kfirst.len);
	else if (jt_bytes_cmp(b->kfirst.p, b->kfirst.len, a->klast.p, a->klast.len) <= 0)
		a->kunsorted = 1;
	a->kunsorted |= b->kunsorted;
	a->khave = 1;
	jt_buf_reset(&a->klast);
	jt_buf_add(&a->klast, b->klast.p, b->klast.len);
}

static int merge(struct jt_agg *a, struct jt_agg *b, size_t threads, int last)
{
	if (!b->bound)
		return 0;
	if (a->counted)
		jt_die("internal error: a merge after the last one");
	size_t *gmap = jt_xmalloc((b->groups.n ? b->groups.n : 1) * sizeof *gmap);
	/* in b's first-seen order: a's stays the file's (and a read of b's rows
	 * again would add them in that order too) */
	for (size_t g = 0; g < b->groups.n; g++)
		gmap[g] = kpi_group_id(a, b->groups.ent[g].key, b->groups.ent[g].len);
	if (direct_conflict(a, b, gmap)) {
		free(gmap);
		return 1;
	}
	for (size_t g = 0; g < b->groups.n; g++)
		for (size_t i = 0; i < a->nk; i++)
			kst_merge(&a->k[i], &a->st[gmap[g] * a->nk + i], &b->st[g * b->nk + i]);
	for (size_t i = 0; !last && i < a->nk; i++) {
		const struct jt_map *m = &b->k[i].set;
		for (size_t e = 0; e < m->n; e++) {
			uint32_t gid;
			int isnew;
			memcpy(&gid, m->ent[e].key, sizeof gid);
			regroup(a, &m->ent[e], (uint32_t)gmap[gid]);
			jt_map_put(&a->k[i].set, a->tmp.p, a->tmp.len, 0, &isnew);
			a->st[gmap[gid] * a->nk + i].n += (uint64_t)isnew;
		}
	}
	if (a->ps || b->ps) {	/* past --memory: b's rows after a's in the spill */
		if (!a->ps)
			kpi_pspill_begin(a);
		if (!b->ps)
			kpi_pspill_begin(b);
		kpi_pspill_take(a, b, gmap);
	}
	/* --per: b's keys in a (in b's order), then the values b took for them,
	 * each only when a had none for that KPI: a sequential read's first.
	 * The last merge only looks b's keys up: one a lacks takes b's values
	 * (b took each KPI of a key once), and is counted for its group. */
	size_t *emap = jt_xmalloc((b->per.n ? b->per.n : 1) * sizeof *emap);
	if (last && b->per.n) {
		uint32_t *found = lookup(&b->per, &a->per, gmap, threads, b->e_lo, b->e_hi);
		a->per_more = jt_xcalloc(a->groups.n ? a->groups.n : 1, sizeof *a->per_more);
		for (size_t e = 0; e < b->per.n; e++) {
			uint32_t gid;
			memcpy(&gid, b->per.ent[e].key, sizeof gid);
			emap[e] = found[e] == UINT32_MAX ? SIZE_MAX : found[e];
			a->per_more[gmap[gid]] += found[e] == UINT32_MAX;
			if (found[e] == UINT32_MAX && b->defer && !kpi_direct(b, e))
				kpi_take_first(a, gmap[gid], b->per.ent[e].key + sizeof gid,
					       b->per.ent[e].len - sizeof gid, NULL);
		}
		free(found);
	}
	for (size_t e = 0; !last && e < b->per.n; e++) {
		uint32_t gid;
		int isnew;
		memcpy(&gid, b->per.ent[e].key, sizeof gid);
		regroup(a, &b->per.ent[e], (uint32_t)gmap[gid]);
		emap[e] = jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
		if (isnew) {
			kpi_done_room(&a->per_done, &a->per_cap, emap[e], a->per_bytes);
			if (b->defer && kpi_direct(b, e))	/* what it took at once */
				memcpy(a->per_done + emap[e] * a->per_bytes, b->per_done + e * b->per_bytes,
				       a->per_bytes);
			else if (b->defer)
				kpi_take_first(a, gmap[gid], a->tmp.p + sizeof gid, a->tmp.len - sizeof gid,
					       a->per_done + emap[e] * a->per_bytes);
		}
	}
	for (size_t t = 0; t < b->ntk; t++) {
		const struct taken *x = &b->tk[t];
		if (emap[x->e] != SIZE_MAX) {
			unsigned char *done = a->per_done + emap[x->e] * a->per_bytes;
			if (done[x->ki / 8] & 1u << (x->ki % 8))
				continue;
			done[x->ki / 8] |= (unsigned char)(1u << (x->ki % 8));
		}
		struct parsed p = { x->present, x->v, x->cls };
		uint32_t gid;
		memcpy(&gid, b->per.ent[x->e].key, sizeof gid);
		const char *v = x->len ? b->tkbytes.p + (size_t)x->v : "";
		kpi_take(a, &a->st[gmap[gid] * a->nk + x->ki], gmap[gid], x->ki, &p, v, x->len, b->first_src);
	}
	/* b's sets, counted, not added, after the values kept for the merge went
	 * into a's (a direct key's value may be one of them) */
	for (size_t i = 0; last && i < a->nk; i++) {
		const struct jt_map *m = &b->k[i].set;
		if (!m->n)
			continue;
		uint32_t *found = lookup(m, &a->k[i].set, gmap, threads, 0, 0);
		for (size_t e = 0; e < m->n; e++) {
			uint32_t gid;
			memcpy(&gid, m->ent[e].key, sizeof gid);
			a->st[gmap[gid] * a->nk + i].n += found[e] == UINT32_MAX;
		}
		free(found);
	}
	free(emap);
	free(gmap);
	key_runs_merged(a, b);
	a->counted |= last;
	return 0;
}

/* ---------- --per past --memory ---------- */

/* Past the budget, the --per state (each key's entry and which KPIs took a
 * value) goes to a spill file, and so does every later row with a --per key,
 * as a record: the group id, the key, the KPI bits already taken, and the
 * values the row offers (one per KPI that has one, or is count or distinct).
 * Records go to one of NPART partitions by a hash of the key, so a key is
 * wholly in one; a partition is a list of chunks, in the order the rows were
 * read. At the end each partition is replayed on its own, in that order, with
 * the rule of kpi_update(): the same first value per key and KPI as one read. */
#define NPART 64

struct pchunk {
	uint32_t src, len;
	uint64_t off;
};

struct psrc {
	int fd;
	uint64_t size;
	uint32_t *gmap;	/* the records' group ids into the agg's (NULL: the same) */
};

struct pspill {
	struct psrc *src;	/* src[0]: this agg's own file */
	size_t nsrc;
	size_t chunk;	/* a partition's buffer is written out past this */
	struct jt_buf buf[NPART];
	struct pchunk *ch[NPART];
	size_t nch[NPART], chcap[NPART];
};

/* A record's fixed part, then done bits and the key; then nt values. */
struct prec {
	uint32_t g, klen, nt;
};
struct pval {
	jt_i128 v;
	uint32_t ki, slen;
	int32_t cls, present;
};

uint64_t kpi_per_memory(const struct jt_agg *a)
{
	return (uint64_t)a->per.n * (sizeof(struct jt_map_ent) + 2 * sizeof(uint64_t) + 16 + a->per_bytes) +
	       a->per_keybytes + (uint64_t)a->ntk * sizeof *a->tk + a->tkbytes.len;
}

static void pflush(struct jt_agg *a, size_t p)
{
	struct pspill *ps = a->ps;
	struct jt_buf *b = &ps->buf[p];
	if (!b->len)
		return;
	void *q = ps->ch[p];
	jt_xgrow(&q, &ps->chcap[p], ps->nch[p] + 1, sizeof *ps->ch[p]);
	ps->ch[p] = q;
	ps->ch[p][ps->nch[p]++] = (struct pchunk){ 0, (uint32_t)b->len, ps->src[0].size };
	jt_spill_fd_write(ps->src[0].fd, b->p, b->len);
	ps->src[0].size += b->len;
	jt_buf_reset(b);
}

/* Starts a record of key (klen bytes) of group g in its partition's buffer;
 * returns the partition. */
static size_t prec_begin(struct jt_agg *a, size_t g, const char *key, size_t klen, const unsigned char *done,
			 uint32_t nt)
{
	size_t p = (size_t)(jt_fnv1a64(key, klen) >> 32) % NPART;
	struct jt_buf *b = &a->ps->buf[p];
	struct prec r = { (uint32_t)g, (uint32_t)klen, nt };
	jt_buf_add(b, &r, sizeof r);
	size_t at = b->len;
	jt_buf_add(b, key, a->per_bytes);	/* room for the bits */
	if (done)
		memcpy(b->p + at, done, a->per_bytes);
	else
		memset(b->p + at, 0, a->per_bytes);
	jt_buf_add(b, key, klen);
	return p;
}

static void prec_value(struct jt_agg *a, size_t p, size_t ki, const struct parsed *x, const char *str, size_t slen)
{
	struct jt_buf *b = &a->ps->buf[p];
	struct pval v = { x->v, (uint32_t)ki, (uint32_t)slen, x->cls, x->present };
	jt_buf_add(b, &v, sizeof v);
	if (slen)
		jt_buf_add(b, str, slen);
}

static void prec_end(struct jt_agg *a, size_t p)
{
	if (a->ps->buf[p].len >= a->ps->chunk)
		pflush(a, p);
}

/* The --per state to the spill file; from now on rows go there too. */
void kpi_pspill_begin(struct jt_agg *a)
{
	/* a later part's keys that took their values at once go as the first
	 * part's do (their KPI bits, no values); none come after */
	if (a->e_hi > a->per.n)
		a->e_hi = a->per.n;
	a->spec = SPEC_OFF;
	struct pspill *ps = jt_xcalloc(1, sizeof *ps);
	a->ps = ps;
	ps->src = jt_xcalloc(1, sizeof *ps->src);
	ps->src[0].fd = jt_spill_fd();
	ps->nsrc = 1;
	ps->chunk = a->budget / 4 / NPART;
	if (ps->chunk < 4096)
		ps->chunk = a->budget ? 4096 : (size_t)64 << 10;
	/* the keys first, with the KPIs that took their value here (a later part's
	 * were held back: none), then a later part's held values in row order */
	uint32_t nfirst = 0;	/* a later part's first-row KPIs go as values */
	for (size_t i = 0; a->defer && i < a->nk; i++)
		nfirst += (uint32_t)kpi_first_row(&a->k[i]);
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		const char *key = a->per.ent[e].key + sizeof gid;
		size_t klen = a->per.ent[e].len - sizeof gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		int held = a->defer && !kpi_direct(a, e);	/* its values wait for the merge */
		size_t p = prec_begin(a, gid, key, klen, held ? NULL : a->per_done + e * a->per_bytes, held ? nfirst : 0);
		for (size_t i = 0; held && nfirst && i < a->nk; i++) {
			if (!kpi_first_row(&a->k[i]))
				continue;
			struct parsed v = { a->k[i].kind == K_COUNT || !kpi_blank(key, klen), 0, 0 };
			prec_value(a, p, i, &v, NULL, 0);
		}
		prec_end(a, p);
	}
	for (size_t t = 0; t < a->ntk; t++) {
		const struct taken *x = &a->tk[t];
		const struct jt_map_ent *en = &a->per.ent[x->e];
		uint32_t gid;
		memcpy(&gid, en->key, sizeof gid);
		size_t p = prec_begin(a, gid, en->key + sizeof gid, en->len - sizeof gid, NULL, 1);
		struct parsed v = { x->present, x->v, x->cls };
		prec_value(a, p, x->ki, &v, x->len ? a->tkbytes.p + (size_t)x->v : NULL, x->len);
		prec_end(a, p);
	}
	jt_map_free(&a->per);
	memset(&a->per, 0, sizeof a->per);
	free(a->per_done);
	a->per_done = NULL;
	a->per_cap = 0;
	a->per_keybytes = 0;
	free(a->tk);
	a->tk = NULL;
	a->ntk = a->tkcap = 0;
	jt_buf_free(&a->tkbytes);
}

void kpi_pspill_row(struct jt_agg *a, size_t g, const char *key, size_t klen, const struct jt_record *rec)
{
	uint32_t nt = 0;
	for (size_t i = 0; i < a->nk; i++)
		nt += a->pv[i].present || a->k[i].kind == K_COUNT || a->k[i].kind == K_DISTINCT;
	size_t p = prec_begin(a, g, key, klen, NULL, nt);
	for (size_t i = 0; i < a->nk; i++) {
		const struct kpi *k = &a->k[i];
		if (!a->pv[i].present && k->kind != K_COUNT && k->kind != K_DISTINCT)
			continue;
		size_t vl = 0;
		const char *v = k->kind == K_DISTINCT && !k->keyed && a->pv[i].present ? cell(a, rec, k->col, &vl) : NULL;
		prec_value(a, p, i, &a->pv[i], v, vl);
	}
	prec_end(a, p);
}

/* b's spilled state after a's (jt_agg_merge; both spill): gmap takes b's
 * group ids to a's. */
void kpi_pspill_take(struct jt_agg *a, struct jt_agg *b, const size_t *gmap)
{
	struct pspill *pa = a->ps, *pb = b->ps;
	for (size_t p = 0; p < NPART; p++) {
		pflush(a, p);	/* a's rows before b's */
		pflush(b, p);
	}
	size_t base = pa->nsrc;
	pa->src = jt_xrealloc(pa->src, (pa->nsrc + pb->nsrc) * sizeof *pa->src);
	for (size_t i = 0; i < pb->nsrc; i++) {
		struct psrc s = pb->src[i];
		uint32_t *m = jt_xmalloc((b->groups.n ? b->groups.n : 1) * sizeof *m);
		for (size_t g = 0; g < b->groups.n; g++)
			m[g] = (uint32_t)gmap[s.gmap ? s.gmap[g] : g];
		free(s.gmap);
		s.gmap = m;
		pa->src[pa->nsrc++] = s;
	}
	for (size_t p = 0; p < NPART; p++) {
		void *q = pa->ch[p];
		jt_xgrow(&q, &pa->chcap[p], pa->nch[p] + pb->nch[p], sizeof *pa->ch[p]);
		pa->ch[p] = q;
		for (size_t c = 0; c < pb->nch[p]; c++) {
			struct pchunk x = pb->ch[p][c];
			x.src += (uint32_t)base;
			pa->ch[p][pa->nch[p]++] = x;
		}
		free(pb->ch[p]);
		jt_buf_free(&pb->buf[p]);
	}
	free(pb->src);	/* the files are a's now */
	free(pb);
	b->ps = NULL;
}

/* One partition's replay: into st (groups x KPIs) and keys (per group);
 * with dv, the values of a distinct KPI (for its set) and of a quantile
 * (not to hold them twice) are appended there (KPI, group, length, bytes)
 * instead, for the caller to add. */
struct replay {
	struct kst *st;
	uint64_t *keys;
	struct jt_buf *dv;
	struct jt_buf rd, mk;
	struct jt_map m;
	unsigned char *done;
	size_t dcap;
};

static void replay_part(struct jt_agg *a, size_t p, struct replay *x)
{
	struct pspill *ps = a->ps;
	jt_map_free(&x->m);	/* each partition's keys are its own */
	for (size_t c = 0; c < ps->nch[p]; c++) {
		const struct pchunk *ch = &ps->ch[p][c];
		const struct psrc *sr = &ps->src[ch->src];
		if (ch->len > x->rd.cap) {
			void *q = x->rd.p;
			jt_xgrow(&q, &x->rd.cap, ch->len, 1);
			x->rd.p = q;
		}
		jt_spill_fd_pread(sr->fd, x->rd.p, ch->len, ch->off);
		for (const char *r = x->rd.p, *end = x->rd.p + ch->len; r < end;) {
			struct prec h;
			memcpy(&h, r, sizeof h);
			r += sizeof h;
			const unsigned char *bits = (const unsigned char *)r;
			r += a->per_bytes;
			uint32_t g = sr->gmap ? sr->gmap[h.g] : h.g;
			jt_buf_reset(&x->mk);
			jt_buf_add(&x->mk, &g, sizeof g);
			jt_buf_add(&x->mk, r, h.klen);
			r += h.klen;
			int isnew;
			size_t e = jt_map_put(&x->m, x->mk.p, x->mk.len, 0, &isnew);
			if (isnew) {
				kpi_done_room(&x->done, &x->dcap, e, a->per_bytes);	/* zeroed: used by a partition before */
				x->keys[g]++;
			}
			unsigned char *d = x->done + e * a->per_bytes;
			for (size_t i = 0; i < a->per_bytes; i++)
				d[i] |= bits[i];
			for (uint32_t t = 0; t < h.nt; t++) {
				struct pval v;
				memcpy(&v, r, sizeof v);
				r += sizeof v;
				const char *str = r;
				r += v.slen;
				if (d[v.ki / 8] & 1u << (v.ki % 8))
					continue;
				d[v.ki / 8] |= (unsigned char)(1u << (v.ki % 8));
				enum kind kk = a->k[v.ki].kind;
				if (x->dv && v.present && ((kk == K_DISTINCT && !a->k[v.ki].keyed) || kk == K_QUANT)) {
					uint32_t hd[3] = { v.ki, g, kk == K_QUANT ? (uint32_t)sizeof v.v : v.slen };
					jt_buf_add(x->dv, hd, sizeof hd);
					jt_buf_add(x->dv, kk == K_QUANT ? (const char *)&v.v : str, hd[2]);
					continue;
				}
				struct parsed pv = { v.present, v.v, v.cls };
				kpi_take(a, &x->st[(size_t)g * a->nk + v.ki], g, v.ki, &pv, str, v.slen, a->first_src);
			}
		}
	}
}

static void replay_free(struct replay *x)
{
	jt_buf_free(&x->rd);
	jt_buf_free(&x->mk);
	jt_map_free(&x->m);
	free(x->done);
}

/* Partitions on threads, a round of one partition per thread at a time:
 * each thread adds to states and key counts of its own (merged at the end:
 * counts, sums, extremes and quantiles' values do not depend on the order),
 * and its distinct values are added to the sets after the round, in
 * partition order. Only for a result: a state written after the run
 * (--history) would hold the quantiles' values in another order. */
struct rround {
	struct jt_agg *a;
	size_t base;
	struct replay *x;
};

static void replay_job(void *arg, size_t k)
{
	struct rround *rr = arg;
	if (rr->base + k < NPART)
		replay_part(rr->a, rr->base + k, &rr->x[k]);
}

/* Replays the partitions into the groups' state; keys[g] gets the keys of
 * group g. */
static void pspill_finish(struct jt_agg *a, uint64_t *keys)
{
	for (size_t p = 0; p < NPART; p++)
		pflush(a, p);
	size_t T = a->threads > JT_MAXJOBS ? JT_MAXJOBS : a->threads;
	if (T <= 1 || a->keep_state) {
		struct replay x;
		memset(&x, 0, sizeof x);
		x.st = a->st;
		x.keys = keys;
		for (size_t p = 0; p < NPART; p++)
			replay_part(a, p, &x);
		replay_free(&x);
		return;
	}
	size_t ng = a->groups.n ? a->groups.n : 1;
	struct replay *x = jt_xcalloc(T, sizeof *x);
	struct jt_buf *dv = jt_xcalloc(T, sizeof *dv);
	for (size_t k = 0; k < T; k++) {
		x[k].st = jt_xcalloc(ng * a->nk, sizeof *x[k].st);
		x[k].keys = jt_xcalloc(ng, sizeof *x[k].keys);
		x[k].dv = &dv[k];
	}
	struct rround rr = { a, 0, x };
	for (rr.base = 0; rr.base < NPART; rr.base += T) {
		jt_par_run(T, replay_job, &rr);
		for (size_t k = 0; k < T; k++) {	/* the distinct values, in partition order */
			for (const char *r = dv[k].p, *end = dv[k].len ? dv[k].p + dv[k].len : r; r < end;) {
				uint32_t hd[3];
				memcpy(hd, r, sizeof hd);
				r += sizeof hd;
				struct parsed pv = { 1, 0, 0 };
				if (a->k[hd[0]].kind == K_QUANT)
					memcpy(&pv.v, r, sizeof pv.v);
				kpi_take(a, &a->st[(size_t)hd[1] * a->nk + hd[0]], hd[1], hd[0], &pv, r, hd[2], a->first_src);
				r += hd[2];
			}
			jt_buf_reset(&dv[k]);
		}
	}
	for (size_t k = 0; k < T; k++) {
		for (size_t g = 0; g < a->groups.n; g++) {
			keys[g] += x[k].keys[g];
			for (size_t i = 0; i < a->nk; i++)
				kst_merge(&a->k[i], &a->st[g * a->nk + i], &x[k].st[g * a->nk + i]);
		}
		free(x[k].st);
		free(x[k].keys);
		jt_buf_free(&dv[k]);
		replay_free(&x[k]);
	}
	free(x);
	free(dv);
}

void kpi_pspill_free(struct pspill *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->nsrc; i++) {
		close(ps->src[i].fd);
		free(ps->src[i].gmap);
	}
	free(ps->src);
	for (size_t p = 0; p < NPART; p++) {
		jt_buf_free(&ps->buf[p]);
		free(ps->ch[p]);
	}
	free(ps);
}

void jt_agg_threads(struct jt_agg *a, size_t threads, int keep_state)
{
	a->threads = threads;
	a->keep_state = keep_state;
	if (a->bound)
		kpi_set_keyed(a);
}

void jt_agg_budget(struct jt_agg *a, uint64_t bytes)
{
	/* a --partial writes every key out: its state is its output */
	a->budget = a->o.per && !a->o.partial ? bytes : 0;
}

/* --per: a KPI's missing count is the keys of the group that never had a
 * value for it (count and distinct counted theirs on the key's first row). */
void kpi_per_missing(struct jt_agg *a)
{
	uint64_t *keys = jt_xcalloc(a->groups.n ? a->groups.n : 1, sizeof *keys);
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		keys[gid]++;
	}
	for (size_t g = 0; a->per_more && g < a->groups.n; g++)
		keys[g] += a->per_more[g];
	if (a->ps)
		pspill_finish(a, keys);
	for (size_t g = 0; g < a->groups.n; g++)
		for (size_t i = 0; i < a->nk; i++) {
			struct kst *s = &a->st[g * a->nk + i];
			if (a->k[i].kind != K_COUNT && a->k[i].kind != K_DISTINCT)
				s->missing = keys[g] - s->n;
		}
	free(keys);
}
