/* kpi.c — the KPI engine behind jkpi: a header bound, rows into groups and
 * their exact state, and the entry points (jt_kpi.h). The specs are read in
 * kpi_spec.c, the parts of a file merged and --per spilled in kpi_parts.c,
 * the figures written in kpi_out.c, partial states in kpi_state.c.
 *
 * State is exact wherever the KPI allows it: counts, sums as scaled integers,
 * NPS/CSAT/CES/rate as counts, distinct values as sets. Quantiles keep their
 * values (exact) in a plain run and stream into a mergeable sketch with
 * --partial. Figures are computed from state only, so a merge of partials
 * prints what one run prints. */
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

/* ---------- binding to a header ---------- */

static void set_group_names(struct jt_agg *a, const struct jt_header *h)
{
	a->gname = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gname);
	a->gnlen = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gnlen);
	for (size_t i = 0; i < a->ng; i++) {
		struct jt_buf b = JT_BUF_INIT;
		if (a->gcols[i].bucket != JT_BUCKET_NONE) {
			jt_buf_adds(&b, jt_bucket_name(a->gcols[i].bucket));
			jt_buf_addc(&b, '_');
		}
		jt_buf_add(&b, h->name[a->gcols[i].idx], h->len[a->gcols[i].idx]);
		a->gname[i] = b.p;
		a->gnlen[i] = b.len;
	}
	a->gbucket = jt_xcalloc(a->ng ? a->ng : 1, 1);
	for (size_t i = 0; i < a->ng; i++)
		a->gbucket[i] = a->gcols[i].bucket != JT_BUCKET_NONE;
}

static void bind(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	if (a->o.group) {
		a->ng = jt_colsel_resolve(&a->gsel, h, src, &a->gcols);
		if (a->o.exclude)
			a->ng = jt_colsel_exclude(&a->xsel, h, src, a->gcols, a->ng);
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		if (k->has_col) {
			struct jt_col *c;
			jt_colsel_resolve(&k->cs, h, src, &c);
			k->col = c[0].idx;
			free(c);
			free(k->colname);
			k->colname = jt_xmemdup(h->name[k->col], h->len[k->col]);
			kpi_name_kpi(k, h->name[k->col], h->len[k->col]);
		} else {
			kpi_name_kpi(k, NULL, 0);
		}
	}
	if (a->o.per) {
		struct jt_colsel cs;
		struct jt_col *c;
		jt_colsel_parse(&cs, "--per", a->o.per, JT_COLSEL_ONE);
		jt_colsel_resolve(&cs, h, src, &c);
		a->per_col = c[0].idx;
		a->per_name = jt_xmemdup(h->name[a->per_col], h->len[a->per_col]);
		free(c);
		jt_colsel_free(&cs);
	}
	if (a->o.pivot) {
		struct jt_colsel cs;
		struct jt_col *c;
		jt_colsel_parse(&cs, "--pivot", a->o.pivot, JT_COLSEL_ONE | JT_COLSEL_BUCKETS);
		jt_colsel_resolve(&cs, h, src, &c);
		for (size_t i = 0; i < a->ng; i++)
			if (a->gcols[i].idx == c[0].idx && a->gcols[i].bucket == c[0].bucket)
				a->pivot_g = (long)i;
		if (a->pivot_g < 0) {
			void *p = a->gcols;
			size_t cap = a->ng;
			jt_xgrow(&p, &cap, a->ng + 1, sizeof *a->gcols);
			a->gcols = p;
			a->gcols[a->ng] = c[0];
			a->pivot_g = (long)a->ng++;
		}
		free(c);
		jt_colsel_free(&cs);
	}
	set_group_names(a, h);
	if (a->pivot_g >= 0)
		a->pivot_name = jt_xmemdup(a->gname[a->pivot_g], a->gnlen[a->pivot_g]);
	a->colmap = jt_xcalloc(h->n ? h->n : 1, sizeof *a->colmap);
	for (size_t i = 0; i < a->nvm; i++) {
		struct jt_col *c;
		jt_colsel_resolve(&a->vm[i].cs, h, src, &c);
		a->vm[i].col = c[0].idx;
		if (a->colmap[c[0].idx])
			jt_die_at(src, 1, "--map: '%s' and '%s' are the same column", a->colmap[c[0].idx]->colspec,
				  a->vm[i].colspec);
		a->colmap[c[0].idx] = &a->vm[i];
		free(c);
	}
	kpi_set_keyed(a);
}

void kpi_set_keyed(struct jt_agg *a)
{
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		k->keyed = k->kind == K_DISTINCT && a->o.per && !a->o.merge && !a->o.partial && !a->keep_state &&
			   k->col == a->per_col;
	}
}


/* Nothing but blanks: a missing value. */
int kpi_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' && s[i] != '\v' && s[i] != '\f')
			return 0;
	return 1;
}


void jt_agg_header(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	a->saw_header = 1;
	if (a->o.merge) {
		kpi_merge_header(a, src, h);
		return;
	}
	if (!a->bound) {
		a->bound = 1;
		a->hdr = jt_header_copy(h);
		a->first_src = jt_xstrdup(src);
		bind(a, src, h);
		return;
	}
	if (!jt_header_equal(a->hdr, h))
		jt_die_at(src, 1, "header differs from %s", a->first_src);
}

/* ---------- groups and state ---------- */

void kpi_key_add(struct jt_buf *b, const char *s, size_t n)
{
	uint32_t l = (uint32_t)n;
	if (b->len + n + sizeof l + 1 > b->cap) {
		void *p = b->p;
		jt_xgrow(&p, &b->cap, b->len + n + sizeof l + 1, 1);
		b->p = p;
	}
	memcpy(b->p + b->len, &l, sizeof l);
	memcpy(b->p + b->len + sizeof l, s, n);
	b->len += n + sizeof l;
	b->p[b->len] = '\0';
}

/* Field i of an encoded key; returns pointer and length. */
const char *kpi_key_field(const char *key, size_t i, size_t *len)
{
	uint32_t l;
	for (;;) {
		memcpy(&l, key, sizeof l);
		key += sizeof l;
		if (i-- == 0)
			break;
		key += l;
	}
	*len = l;
	return key;
}

size_t kpi_group_id(struct jt_agg *a, const char *key, size_t n)
{
	int isnew;
	size_t g = jt_map_put(&a->groups, key, n, 0, &isnew);
	if (isnew) {
		void *p = a->st;
		size_t need = (g + 1) * a->nk;
		if (need > a->stcap) {
			size_t old = a->stcap;
			jt_xgrow(&p, &a->stcap, need, sizeof *a->st);
			a->st = p;
			memset(a->st + old, 0, (a->stcap - old) * sizeof *a->st);
		}
	}
	return g;
}

/* A score into *v (a whole number, unscaled); JT_NUM_OK or why not. */
static int score(const char *s, size_t n, int lo, int hi, jt_i128 *v)
{
	int x = 0, rc = jt_score_parse(s, n, lo, hi, &x);
	*v = x;
	return rc;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Parses every KPI's value of rec into a->pv; rejects and returns -1 on the first bad one. */
static int parse_values(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		struct parsed *p = &a->pv[i];
		p->present = 0;
		p->cls = 0;
		if (!k->has_col)
			continue;
		size_t n;
		const char *s = cell(a, rec, k->col, &n);
		if (kpi_blank(s, n))
			continue;
		p->present = 1;
		switch (k->kind) {
		case K_DISTINCT:
		case K_COUNT:
			break;
		case K_SUM:
		case K_MEAN:
		case K_MIN:
		case K_MAX:
		case K_QUANT:
		case K_RATE: {
			int rc = jt_dec_parse(s, n, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, NULL, s, n, rc, NULL);
				return -1;
			}
			p->cls = p->v != 0;
			break;
		}
		case K_NPS: {
			int rc = score(s, n, 0, 10, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "nps", s, n, rc, "in 0-10");
				return -1;
			}
			p->cls = p->v >= 9 ? 1 : p->v >= 7 ? 2 : 3;
			break;
		}
		case K_CSAT: {
			if (a->o.csat == JT_CSAT_GOODBAD) {
				if (word_is(s, n, "good") || word_is(s, n, "good with comment")) {
					p->cls = 1;
					break;
				}
				if (word_is(s, n, "bad") || word_is(s, n, "bad with comment")) {
					p->cls = 0;
					break;
				}
				if (word_is(s, n, "offered") || word_is(s, n, "not offered") ||
				    word_is(s, n, "unoffered")) {
					p->present = 0;
					break;
				}
			}
			int rc = score(s, n, 1, 5, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "csat", s, n, rc,
						 a->o.csat == JT_CSAT_GOODBAD ? "in 1-5 or good/bad" : "in 1-5");
				return -1;
			}
			p->cls = p->v >= 4;
			break;
		}
		case K_CES: {
			int rc = score(s, n, 1, 7, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "ces", s, n, rc, "in 1-7");
				return -1;
			}
			p->cls = p->v >= 5;
			p->v *= JT_DEC_SCALE;
			break;
		}
		}
	}
	return 0;
}

static void add_value(struct kst *s, jt_i128 v)
{
	if (!s->sk) {
		void *p = s->v;
		jt_xgrow(&p, &s->vcap, s->vn + 1, sizeof *s->v);
		s->v = p;
		s->v[s->vn++] = v;
		s->sorted = 0;
	} else {
		jt_sketch_add(s->sk, jt_dec_to_double(v));
	}
}

static void minmax(struct kst *s, jt_i128 v)
{
	if (s->n == 1 || v < s->min)
		s->min = v;
	if (s->n == 1 || v > s->max)
		s->max = v;
}

/* The square of v into a mean's sum of squares; on overflow the variance is unknown. */
static inline void add_square(struct kst *s, jt_i128 v)
{
	jt_i128 sq;
	if (!s->sq_bad && (__builtin_mul_overflow(v, v, &sq) || __builtin_add_overflow(s->sumsq, sq, &s->sumsq)))
		s->sq_bad = 1;
}

/* Adds the parsed value p of KPI i to group g's state (v, vl: the cell, for
 * distinct; src and line: where, for the message of an overflow). */
__attribute__((always_inline)) static inline void take(struct jt_agg *a, struct kst *s, size_t g, size_t i,
							  const struct parsed *p, const struct jt_record *rec,
							  const char *v, size_t vl, const char *src,
							  unsigned long long line)
{
	struct kpi *k = &a->k[i];
	if (k->kind == K_COUNT) {
		s->n++;
		return;
	}
	if (!p->present) {
		s->missing++;
		return;
	}
	switch (k->kind) {
	case K_DISTINCT: {
		if (k->keyed) {	/* the key's first row: new in the group */
			s->n++;
			break;
		}
		int isnew;
		jt_buf_reset(&a->tmp);
		uint32_t gid = (uint32_t)g;
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		if (rec)	/* a row: its cell; else a value kept (merge, spill) */
			v = cell(a, rec, k->col, &vl);
		jt_buf_add(&a->tmp, v, vl);
		jt_map_put(&k->set, a->tmp.p, a->tmp.len, 0, &isnew);
		s->n += (uint64_t)isnew;
		break;
	}
	case K_SUM:
	case K_MEAN:
	case K_CES:
		s->n++;
		if (__builtin_add_overflow(s->sum, p->v, &s->sum))
			jt_die_at(src, line, "column '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)",
				  k->colname);
		s->c1 += (uint64_t)(k->kind == K_CES && p->cls);
		if (k->kind != K_SUM)
			add_square(s, p->v);
		break;
	case K_MIN:
	case K_MAX:
		s->n++;
		minmax(s, p->v);
		break;
	case K_QUANT:
		s->n++;
		minmax(s, p->v);
		if (a->o.partial && !s->sk)
			s->sk = jt_xcalloc(1, sizeof *s->sk);
		add_value(s, p->v);
		break;
	case K_NPS:
		s->n++;
		s->c1 += p->cls == 1;
		s->c2 += p->cls == 2;
		s->c3 += p->cls == 3;
		break;
	case K_CSAT:
	case K_RATE:
		s->n++;
		s->c1 += (uint64_t)(p->cls != 0);
		break;
	default:
		break;
	}
}

/* take, out of line: for the values merged from parts and replayed from
 * --per's spill (kpi_parts.c). */
void kpi_take(struct jt_agg *a, struct kst *s, size_t g, size_t i, const struct parsed *p, const char *v, size_t vl,
	      const char *src)
{
	take(a, s, g, i, p, NULL, v, vl, src, 0);
}

/* A deferred part: keeps what take would add, for jt_agg_merge. */
static void defer_take(struct jt_agg *a, size_t e, size_t i, const struct parsed *p, const char *v, size_t vl)
{
	void *q = a->tk;
	jt_xgrow(&q, &a->tkcap, a->ntk + 1, sizeof *a->tk);
	a->tk = q;
	struct taken *t = &a->tk[a->ntk++];
	t->v = p->v;
	t->e = (uint32_t)e;
	t->ki = (uint32_t)i;
	t->len = 0;
	t->present = p->present;
	t->cls = p->cls;
	if (a->k[i].kind == K_DISTINCT && p->present) {
		t->v = (jt_i128)a->tkbytes.len;
		t->len = (uint32_t)vl;
		jt_buf_add(&a->tkbytes, v, vl);
	}
}

/* Adds rec to group g. With --per, done holds a bit per KPI for this key in
 * this group (per entry e): a KPI takes the key's first row that has a value
 * for it (count and distinct: its first row), and its missing count is made
 * at the end. */
void kpi_update(struct jt_agg *a, size_t g, const char *src, const struct jt_record *rec, unsigned char *done,
		   size_t e)
{
	struct kst *st = &a->st[g * a->nk];
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		struct parsed *p = &a->pv[i];
		if (done) {
			if (done[i / 8] & 1u << (i % 8))
				continue;
			if (!p->present && k->kind != K_COUNT && k->kind != K_DISTINCT)
				continue;
			done[i / 8] |= (unsigned char)(1u << (i % 8));
		}
		if (__builtin_expect(a->defer, 0) && !kpi_direct(a, e)) {
			if (kpi_first_row(k))
				continue;	/* the merge takes it (kpi_take_first) */
			size_t vl = 0;
			const char *v = k->kind == K_DISTINCT && p->present ? cell(a, rec, k->col, &vl) : NULL;
			defer_take(a, e, i, p, v, vl);
		} else {
			take(a, &st[i], g, i, p, rec, NULL, 0, src, rec->line);
		}
	}
}

/* The first-row KPIs of a --per key new to group g (a deferred part's key
 * the earlier part lacks): count takes it, a keyed distinct takes the key
 * (missing when blank, as its row's cell was); done: the key's bits, or NULL. */
void kpi_take_first(struct jt_agg *a, size_t g, const char *key, size_t klen, unsigned char *done)
{
	for (size_t i = 0; i < a->nk; i++) {
		if (!kpi_first_row(&a->k[i]))
			continue;
		if (done) {
			if (done[i / 8] & 1u << (i % 8))
				continue;
			done[i / 8] |= (unsigned char)(1u << (i % 8));
		}
		struct kst *s = &a->st[g * a->nk + i];
		if (a->k[i].kind == K_COUNT || !kpi_blank(key, klen))
			s->n++;
		else
			s->missing++;
	}
}

void kpi_done_room(unsigned char **done, size_t *cap, size_t e, size_t per_bytes)
{
	void *p = *done;
	size_t old = *cap;
	jt_xgrow(&p, cap, (e + 1) * per_bytes, 1);
	*done = p;
	memset(*done + old, 0, *cap - old);
	memset(*done + e * per_bytes, 0, per_bytes);	/* a table used again */
}

void jt_agg_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	if (a->o.merge) {
		kpi_merge_row(a, src, rec, rj);
		return;
	}
	jt_buf_reset(&a->key);
	for (size_t i = 0; i < a->ng; i++) {
		const struct jt_col *c = &a->gcols[i];
		size_t n;
		const char *s = cell(a, rec, c->idx, &n);
		if (c->bucket != JT_BUCKET_NONE && n > 0) {
			int64_t t;
			char b[32];
			struct jt_timefmt iso = { .kind = JT_TIME_ISO, .tz = a->o.tz };
			if (jt_time_read(s, n, &iso, &t) != JT_TIME_OK) {
				jt_reject(rj, src, rec, "bad time", "column '%s': '%s' is not a time",
					  a->hdr->name[c->idx], jt_show(s, n));
				return;
			}
			n = jt_time_bucket(jt_tz_local(a->o.tz, t), c->bucket, b);
			kpi_key_add(&a->key, b, n);
		} else {
			kpi_key_add(&a->key, s, n);
		}
	}
	if (parse_values(a, src, rec, rj) != 0)
		return;
	size_t perlen = 0;
	const char *perkey = a->o.per ? cell(a, rec, a->per_col, &perlen) : NULL;
	if (a->o.per && perlen == 0) {
		jt_reject(rj, src, rec, "missing key", "column '%s': empty --per key", a->per_name);
		return;
	}
	size_t g;
	if (a->have_last && a->key.len == a->last.len &&
	    (a->key.len == 0 || memcmp(a->key.p, a->last.p, a->key.len) == 0)) {
		g = a->last_g;	/* same group as the previous row: no hashing */
	} else {
		g = kpi_group_id(a, a->key.p ? a->key.p : "", a->key.len);
		jt_buf_reset(&a->last);
		jt_buf_add(&a->last, a->key.p ? a->key.p : "", a->key.len);
		a->last_g = g;
		a->have_last = 1;
	}
	unsigned char *done = NULL;
	size_t e = 0;
	int spill_now = 0;
	if (a->o.per) {
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, perkey, perlen);
		if (a->ps) {
			kpi_pspill_row(a, g, perkey, perlen, rec);
			return;
		}
		if (!(a->pk_run && perlen == a->pk_last.len && memcmp(perkey, a->pk_last.p, perlen) == 0)) {
			kpi_key_run(a, perkey, perlen);
			a->pk_run++;	/* another key value: a new run (0 is none) */
			if (a->pk_run == 0) {	/* the stamps wrapped: none holds */
				memset(a->pk, 0, a->pk_cap * sizeof *a->pk);
				a->pk_run = 1;
			}
			jt_buf_reset(&a->pk_last);
			jt_buf_add(&a->pk_last, perkey, perlen);
		}
		if (g < a->pk_cap && a->pk[g].run == a->pk_run) {
			e = a->pk[g].e;
			isnew = 0;
		} else {
			e = jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
			if (g >= a->pk_cap) {
				size_t old = a->pk_cap;
				void *p = a->pk;
				jt_xgrow(&p, &a->pk_cap, g + 1, sizeof *a->pk);
				a->pk = p;
				memset(a->pk + old, 0, (a->pk_cap - old) * sizeof *a->pk);
			}
			a->pk[g].e = (uint32_t)e;
			a->pk[g].run = a->pk_run;
		}
		if (isnew) {
			kpi_done_room(&a->per_done, &a->per_cap, e, a->per_bytes);
			a->per_keybytes += a->tmp.len;
			spill_now = a->budget && kpi_per_memory(a) > a->budget;
		}
		done = a->per_done + e * a->per_bytes;
	}
	kpi_update(a, g, src, rec, done, e);
	if (spill_now)
		kpi_pspill_begin(a);	/* this row's key and values with the others */
}


/* ---------- entry points ---------- */

void jt_agg_finish(struct jt_agg *a)
{
	if (a->finished)
		return;
	a->finished = 1;
	if (a->o.per && !a->o.merge)
		kpi_per_missing(a);
}

void jt_agg_write(struct jt_agg *a, FILE *fp)
{
	if (a->o.merge)
		jt_shards_finish(a->m_shards);	/* --expect: no shard missing */
	if (!a->saw_header) {
		/* empty input: no output, but JSON readers get an empty array */
		if (a->o.format == JT_FMT_JSON && !a->o.partial)
			fputs("[]\n", fp);
		return;
	}
	if (a->o.merge && (a->m_have_ref || a->m_opts.len))
		kpi_check_options(a, a->m_src);	/* the last partial read */
	jt_agg_finish(a);
	if (a->o.partial) {
		kpi_write_partial(a, fp);
		return;
	}
	if (a->pivot_g >= 0 && a->nk > 1 && a->o.format != JT_FMT_HTML)	/* --merge: -k came from the partials */
		jt_die("--pivot with %zu KPIs shows them in --format html only (one heatmap each)", a->nk);
	if (a->ng == 0 && a->groups.n == 0)
		kpi_group_id(a, "", 0);	/* no -g: one row, even for a header-only input */
	if (a->pivot_g >= 0)
		kpi_write_pivot(a, fp);
	else
		kpi_write_long(a, fp);
}

void jt_agg_free(struct jt_agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		free(k->name);
		free(k->given);
		free(k->spec);
		free(k->colname);
		jt_colsel_free(&k->cs);
		jt_map_free(&k->set);
	}
	for (size_t g = 0; g < a->groups.n * a->nk; g++) {
		free(a->st[g].v);
		if (a->st[g].sk) {
			jt_sketch_free(a->st[g].sk);
			free(a->st[g].sk);
		}
	}
	for (size_t i = 0; i < a->ng && a->gname; i++)
		free(a->gname[i]);
	free(a->gname);
	free(a->gnlen);
	free(a->gbucket);
	free(a->gcols);
	free(a->k);
	free(a->pv);
	free(a->st);
	free(a->per_name);
	free(a->pivot_name);
	jt_map_free(&a->rowrank);
	for (size_t i = 0; i < a->nvm; i++) {
		struct vmap *m = &a->vm[i];
		for (size_t k = 0; k < m->n; k++) {
			free(m->key[k]);
			free(m->val[k]);
		}
		free(m->key);
		free(m->val);
		free(m->colspec);
		jt_colsel_free(&m->cs);
	}
	free(a->vm);
	free(a->colmap);
	jt_buf_free(&a->maptext);
	free(a->first_src);
	free(a->m_tz);
	if (a->o.merge)
		free((char *)a->o.pivot_order);
	jt_header_free(a->hdr);
	jt_colsel_free(&a->gsel);
	jt_colsel_free(&a->xsel);
	jt_map_free(&a->groups);
	jt_map_free(&a->per);
	free(a->per_more);
	free(a->per_done);
	jt_buf_free(&a->key);
	jt_buf_free(&a->tmp);
	jt_buf_free(&a->last);
	jt_buf_free(&a->pk_last);
	jt_buf_free(&a->kfirst);
	jt_buf_free(&a->klast);
	jt_buf_free(&a->dfirst);
	free(a->pk);
	free(a->tk);
	jt_buf_free(&a->tkbytes);
	kpi_pspill_free(a->ps);
	jt_buf_free(&a->m_opts);
	jt_buf_free(&a->m_ref_opts);
	jt_shards_free(a->m_shards);
	free(a);
}
