/* kpi_out.c — the KPI engine's figures from its exact state, and their
 * writing: long and pivoted tables in CSV, TSV, Markdown, JSON and HTML. */
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
#include "jt_par.h"
#include "jt_reject.h"
#include "jt_shards.h"
#include "jt_sketch.h"
#include "jt_spill.h"
#include "jt_stats.h"
#include "jt_time.h"
#include "jt_tz.h"
#include "kpi_int.h"

/* ---------- figures ---------- */

static void sort_kst(struct kst *s)
{
	if (!s->sk && !s->sorted) {
		jt_sort_i128(s->v, s->vn);
		s->sorted = 1;
	}
}

/* The exact quantiles' values sorted on threads before the figures are
 * written: each state is one job, taken in turn. */
struct qsorts {
	struct kst **st;
	size_t n, next;
};

static void qsort_job(void *arg, size_t k)
{
	(void)k;
	struct qsorts *q = arg;
	for (;;) {
		size_t i = __atomic_fetch_add(&q->next, 1, __ATOMIC_RELAXED);
		if (i >= q->n)
			return;
		sort_kst(q->st[i]);
	}
}

void jt_agg_sort(struct jt_agg *a, size_t threads)
{
	jt_agg_finish(a);	/* --per past --memory: the spilled keys' values come in here */
	size_t all = a->groups.n * a->nk, total = 0;
	struct qsorts q = { jt_xmalloc((all ? all : 1) * sizeof *q.st), 0, 0 };
	for (size_t j = 0; j < all; j++) {
		struct kst *s = &a->st[j];
		if (!s->sk && !s->sorted && s->vn > 1) {
			q.st[q.n++] = s;
			total += s->vn;
		}
	}
	if (threads > q.n)
		threads = q.n;
	jt_par_run(total < 65536 ? 1 : threads, qsort_job, &q);
	free(q.st);
}

static void quantile(const struct kpi *k, struct kst *s, char *out)
{
	int dec = k->duration ? 0 : 4;
	if (s->n == 0) {
		out[0] = '\0';
		return;
	}
	/* h = (n-1) q / 100 (type 7) */
	uint64_t hn = (s->n - 1) * (uint64_t)k->q, lo = hn / 100, rem = hn % 100;
	if (!s->sk) {
		sort_kst(s);
		jt_i128 x0 = s->v[lo], x1 = rem ? s->v[lo + 1] : x0;
		jt_fmt_ratio(100 * x0 + (jt_i128)rem * (x1 - x0), 100 * JT_DEC_SCALE, dec, out);
		return;
	}
	double mn = jt_dec_to_double(s->min), mx = jt_dec_to_double(s->max);
	double x0, x1;
	x0 = lo == 0 ? mn : lo == s->n - 1 ? mx : jt_sketch_at_rank(s->sk, lo);
	if (rem) {
		uint64_t hi = lo + 1;
		x1 = hi == s->n - 1 ? mx : jt_sketch_at_rank(s->sk, hi);
	} else {
		x1 = x0;
	}
	x0 = x0 < mn ? mn : x0 > mx ? mx : x0;
	x1 = x1 < mn ? mn : x1 > mx ? mx : x1;
	jt_fmt_double(x0 + (x1 - x0) * (double)rem / 100.0, dec, out);
}

/* Number of figures a KPI writes, and their suffixes. */
static const char *const *suffixes(enum kind kd, size_t *n)
{
	static const char *const s_count[] = { "" };
	static const char *const s_distinct[] = { "", "_missing" };
	static const char *const s_num[] = { "", "_n", "_missing" };
	static const char *const s_nps[] = { "", "_lo", "_hi", "_promoters", "_passives", "_detractors", "_n", "_missing" };
	static const char *const s_csat[] = { "", "_lo", "_hi", "_satisfied", "_n", "_missing" };
	static const char *const s_ces[] = { "", "_low_effort", "_n", "_missing" };
	static const char *const s_rate[] = { "", "_lo", "_hi", "_hits", "_n", "_missing" };
	switch (kd) {
	case K_COUNT: *n = 1; return s_count;
	case K_DISTINCT: *n = 2; return s_distinct;
	case K_NPS: *n = 8; return s_nps;
	case K_CSAT: *n = 6; return s_csat;
	case K_CES: *n = 4; return s_ces;
	case K_RATE: *n = 6; return s_rate;
	default: *n = 3; return s_num;
	}
}

/* Writes the figures of KPI k for state s into f (as many as suffixes()). */
void kpi_figures(const struct kpi *k, struct kst *s, fig_t *f)
{
	size_t i = 0;
	switch (k->kind) {
	case K_COUNT:
		jt_fmt_u64(s->n, f[0]);
		return;
	case K_DISTINCT:
		jt_fmt_u64(s->n, f[0]);
		jt_fmt_u64(s->missing, f[1]);
		return;
	case K_SUM:
		jt_dec_format(s->sum, f[i++]);
		break;
	case K_MEAN:
		if (s->n)
			jt_fmt_ratio(s->sum, (jt_i128)s->n * JT_DEC_SCALE, k->duration ? 0 : 4, f[i++]);
		else
			f[i++][0] = '\0';
		break;
	case K_MIN:
	case K_MAX:
		if (s->n)
			jt_dec_format(k->kind == K_MIN ? s->min : s->max, f[i++]);
		else
			f[i++][0] = '\0';
		break;
	case K_QUANT:
		quantile(k, s, f[i++]);
		break;
	case K_NPS: {
		if (s->n) {
			jt_fmt_ratio(100 * ((jt_i128)s->c1 - (jt_i128)s->c3), (jt_i128)s->n, 2, f[0]);
			double n2 = (double)s->n + 3, p = ((double)s->c1 + 0.75) / n2, d = ((double)s->c3 + 0.75) / n2;
			double c = p - d, var = p + d - c * c, h = JT_Z95 * sqrt(var / n2);
			double lo = (c - h) * 100, hi = (c + h) * 100;
			jt_fmt_double(lo < -100 ? -100 : lo, 2, f[1]);
			jt_fmt_double(hi > 100 ? 100 : hi, 2, f[2]);
		} else {
			f[0][0] = f[1][0] = f[2][0] = '\0';
		}
		jt_fmt_u64(s->c1, f[3]);
		jt_fmt_u64(s->c2, f[4]);
		jt_fmt_u64(s->c3, f[5]);
		i = 6;
		break;
	}
	case K_CSAT:
	case K_RATE:
		if (s->n)
			jt_fmt_ratio(100 * (jt_i128)s->c1, (jt_i128)s->n, 2, f[0]);
		else
			f[0][0] = '\0';
		jt_wilson(s->c1, s->n, f[1], f[2]);
		jt_fmt_u64(s->c1, f[3]);
		i = 4;
		break;
	case K_CES:
		if (s->n) {
			jt_fmt_ratio(s->sum, (jt_i128)s->n * JT_DEC_SCALE, 4, f[0]);
			jt_fmt_ratio(100 * (jt_i128)s->c1, (jt_i128)s->n, 2, f[1]);
		} else {
			f[0][0] = f[1][0] = '\0';
		}
		i = 2;
		break;
	}
	jt_fmt_u64(s->n, f[i++]);
	jt_fmt_u64(s->missing, f[i]);
}

/* ---------- output ---------- */

/* What orders the rows of a table: passed to the comparisons (no static state:
 * jkpi may sort in several threads). */
struct keycmp_ctx {
	const struct jt_map *m;
	const size_t *cols;
	size_t ncols;
	const struct jt_map *rank;	/* --row-order, or NULL */
	int bytes;	/* -s: by the key's bytes; else first seen */
	const unsigned char *bucket;	/* per column: a time bucket, sorted by time (bytes) */
	struct jt_map *seen;	/* per column without -s: its values in first-seen order */
};

/* A comma list ("\\," is a comma in a value) into m, in order. */
void kpi_list_put(struct jt_map *m, const char *list)
{
	struct jt_buf item = JT_BUF_INIT;
	for (const char *p = list;; p++) {
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
			jt_buf_addc(&item, *++p);
			continue;
		}
		if (*p == ',' || *p == '\0') {
			jt_map_put(m, item.p ? item.p : "", item.len, 0, NULL);
			jt_buf_reset(&item);
			if (!*p)
				break;
			continue;
		}
		jt_buf_addc(&item, *p);
	}
	jt_buf_free(&item);
}

/* Stable merge sort of ids by cmp(x, y, ctx). */
static void sort_idx(size_t *ids, size_t n, int (*cmp)(size_t, size_t, const void *), const void *ctx)
{
	if (n < 2)
		return;
	size_t *tmp = jt_xmalloc(n * sizeof *tmp);
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(ids[j], ids[i], ctx) < 0 ? ids[j++] : ids[i++];
			while (i < mid)
				tmp[k++] = ids[i++];
			while (j < hi)
				tmp[k++] = ids[j++];
		}
		memcpy(ids, tmp, n * sizeof *ids);
	}
	free(tmp);
}

/* Whole map keys by bytes (pivot column values); ctx is the map. */
static int cmp_raw(size_t x, size_t y, const void *ctx)
{
	const struct jt_map *m = ctx;
	return jt_bytes_cmp(m->ent[x].key, m->ent[x].len, m->ent[y].key, m->ent[y].len);
}

/* Rows: --row-order's rank of the first column first (values not listed
 * after the listed ones), then the key's bytes with -s; else, when a column
 * is a time bucket, column by column: buckets by time, the other columns in
 * the order their values were first seen; else first seen. */
static size_t rank_of(const struct keycmp_ctx *kc, size_t id)
{
	size_t l;
	const char *f = kpi_key_field(kc->m->ent[id].key, kc->cols[0], &l);
	long r = jt_map_find(kc->rank, f, l);
	return r < 0 ? kc->rank->n : (size_t)r;
}

static int cmp_rows(size_t ia, size_t ib, const void *ctx)
{
	const struct keycmp_ctx *kc = ctx;
	if (kc->rank) {
		size_t ra = rank_of(kc, ia), rb = rank_of(kc, ib);
		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	if (kc->bytes || kc->seen) {
		const char *ka = kc->m->ent[ia].key, *kb = kc->m->ent[ib].key;
		for (size_t i = 0; i < kc->ncols; i++) {
			size_t la, lb, c = kc->cols[i];
			const char *fa = kpi_key_field(ka, c, &la), *fb = kpi_key_field(kb, c, &lb);
			int d;
			if (kc->bytes || kc->bucket[c]) {
				d = jt_bytes_cmp(fa, la, fb, lb);
			} else {
				long sa = jt_map_find(&kc->seen[c], fa, la), sb = jt_map_find(&kc->seen[c], fb, lb);
				d = (sa > sb) - (sa < sb);
			}
			if (d)
				return d;
		}
	}
	return (ia > ib) - (ia < ib);
}

/* Sorts the ids of map m, whose keys have the columns cols (bucket[c]: column
 * c of the keys is a time bucket). */
void kpi_sort_ids(const struct jt_agg *a, const struct jt_map *m, size_t *ids, size_t n, const size_t *cols,
		     size_t ncols, const unsigned char *bucket)
{
	struct keycmp_ctx kc = { m, cols, ncols, a->rowrank.n ? &a->rowrank : NULL, a->o.sort, bucket, NULL };
	int timed = 0;
	for (size_t i = 0; i < ncols && bucket; i++)
		timed |= bucket[cols[i]];
	if (!ncols || (!a->o.sort && !a->rowrank.n && !timed))
		return;
	size_t nkc = 0;
	if (timed && !a->o.sort) {
		for (size_t i = 0; i < ncols; i++)
			nkc = cols[i] + 1 > nkc ? cols[i] + 1 : nkc;
		kc.seen = jt_xcalloc(nkc, sizeof *kc.seen);
		for (size_t e = 0; e < m->n; e++)
			for (size_t i = 0; i < ncols; i++) {
				size_t l;
				const char *f = kpi_key_field(m->ent[e].key, cols[i], &l);
				jt_map_put(&kc.seen[cols[i]], f, l, 0, NULL);
			}
	}
	sort_idx(ids, n, cmp_rows, &kc);
	for (size_t i = 0; i < nkc; i++)
		jt_map_free(&kc.seen[i]);
	free(kc.seen);
}

/* The <h2> over the main table of an HTML page: "KPIs by groups". */
static char *heading(const struct jt_agg *a)
{
	struct jt_buf b = JT_BUF_INIT;
	for (size_t i = 0; i < a->nk; i++) {
		if (i)
			jt_buf_adds(&b, ", ");
		jt_buf_adds(&b, a->k[i].name);
	}
	int first = 1;
	for (size_t i = 0; i < a->ng; i++) {
		if ((long)i == a->pivot_g)
			continue;
		jt_buf_adds(&b, first ? " by " : ", ");
		jt_buf_add(&b, a->gname[i], a->gnlen[i]);
		first = 0;
	}
	if (a->pivot_g >= 0) {
		jt_buf_adds(&b, first ? " by " : " \xc3\x97 ");
		jt_buf_adds(&b, a->pivot_name);
	}
	if (a->per_name) {
		jt_buf_adds(&b, " (each ");
		jt_buf_adds(&b, a->per_name);
		jt_buf_adds(&b, " once per cell)");
	}
	jt_buf_addc(&b, '\0');
	return b.p;
}

/* KPI ki over every group pooled (the centre of its heatmap's colours). */
static void overall(struct jt_agg *a, size_t ki, fig_t *f)
{
	struct kpi *k = &a->k[ki];
	struct kst s;
	struct jt_sketch sk;
	int have = 0, sketch = 0, bad = 0;
	memset(&s, 0, sizeof s);
	memset(&sk, 0, sizeof sk);
	for (size_t g = 0; g < a->groups.n; g++) {
		struct kst *x = &a->st[g * a->nk + ki];
		if (x->n && (!have || x->min < s.min))
			s.min = x->min;
		if (x->n && (!have || x->max > s.max))
			s.max = x->max;
		have |= x->n > 0;
		s.n += x->n;
		s.missing += x->missing;
		s.c1 += x->c1;
		s.c2 += x->c2;
		s.c3 += x->c3;
		if (__builtin_add_overflow(s.sum, x->sum, &s.sum))
			bad = 1;
		if (k->kind != K_QUANT)
			continue;
		if (x->sk) {
			sketch = 1;
			jt_sketch_merge(&sk, x->sk);
		} else {
			void *p = s.v;
			jt_xgrow(&p, &s.vcap, s.vn + x->vn, sizeof *s.v);
			s.v = p;
			if (x->vn)
				memcpy(s.v + s.vn, x->v, x->vn * sizeof *s.v);
			s.vn += x->vn;
		}
	}
	s.sk = sketch ? &sk : NULL;
	kpi_figures(k, &s, f);
	if (bad)
		f[0][0] = '\0';	/* no overall: the colours centre on the middle of the range */
	free(s.v);
	jt_sketch_free(&sk);
}

/* What the HTML page needs to know of a KPI; kind is a buffer of 16. */
static void kpi_view(const struct jt_agg *a, const struct kpi *k, struct jt_kpiview *kv, char *kind, const char *ov)
{
	memset(kv, 0, sizeof *kv);
	kv->name = k->name;
	kv->col = k->has_col ? k->colname : NULL;
	if (k->kind == K_QUANT && k->median)
		snprintf(kind, 16, "median");
	else if (k->kind == K_QUANT)
		snprintf(kind, 16, "p%d", k->q);
	else if (k->kind == K_CSAT && a->o.csat == JT_CSAT_GOODBAD)
		snprintf(kind, 16, "csat-good-bad");
	else
		snprintf(kind, 16, "%s", kpi_kind_name[k->kind]);
	kv->kind = kind;
	switch (k->kind) {
	case K_COUNT:
	case K_DISTINCT: kv->scale = JT_SCALE_NONE; break;
	case K_NPS: kv->scale = JT_SCALE_NPS; break;
	case K_CSAT:
	case K_RATE: kv->scale = JT_SCALE_PCT; break;
	default: kv->scale = JT_SCALE_NUM; break;
	}
	kv->duration = k->duration && kv->scale == JT_SCALE_NUM && k->kind != K_SUM;
	kv->lower_better = kv->duration;
	kv->overall = ov;
}

void kpi_write_long(struct jt_agg *a, FILE *fp)
{
	size_t nfig = 0, ncol;
	for (size_t i = 0; i < a->nk; i++) {
		size_t n;
		suffixes(a->k[i].kind, &n);
		nfig += n;
	}
	ncol = a->ng + nfig;
	const char **names = jt_xcalloc(ncol ? ncol : 1, sizeof *names);
	size_t *lens = jt_xcalloc(ncol ? ncol : 1, sizeof *lens);
	unsigned char *num = jt_xcalloc(ncol ? ncol : 1, 1);
	struct jt_buf nb = JT_BUF_INIT;
	size_t c = 0;
	for (size_t i = 0; i < a->ng; i++, c++) {
		names[c] = a->gname[i];
		lens[c] = a->gnlen[i];
	}
	char **owned = jt_xcalloc(nfig ? nfig : 1, sizeof *owned);
	size_t no = 0;
	for (size_t i = 0; i < a->nk; i++) {
		size_t n;
		const char *const *sx = suffixes(a->k[i].kind, &n);
		for (size_t j = 0; j < n; j++, c++) {
			jt_buf_reset(&nb);
			jt_buf_adds(&nb, a->k[i].name);
			jt_buf_adds(&nb, sx[j]);
			owned[no] = jt_xmemdup(nb.p, nb.len);
			names[c] = owned[no++];
			lens[c] = nb.len;
			num[c] = 1;
		}
	}
	struct jt_table *t = jt_table_new(fp, a->o.format, ncol, names, lens, num);
	struct jt_html html = a->o.html;
	char *hd = heading(a);
	html.heading = hd;
	html.per = a->per_name;
	jt_table_set_html(t, &html);
	size_t ngr = a->groups.n, *ids = jt_xmalloc((ngr ? ngr : 1) * sizeof *ids);
	for (size_t g = 0; g < ngr; g++)
		ids[g] = g;
	if (a->ng) {
		size_t *cols = jt_xmalloc(a->ng * sizeof *cols);
		for (size_t i = 0; i < a->ng; i++)
			cols[i] = i;
		kpi_sort_ids(a, &a->groups, ids, ngr, cols, a->ng, NULL);
		free(cols);
	}
	fig_t *f = jt_xmalloc((nfig ? nfig : 1) * sizeof *f);
	const char **cells = jt_xcalloc(ncol ? ncol : 1, sizeof *cells);
	size_t *cl = jt_xcalloc(ncol ? ncol : 1, sizeof *cl);
	for (size_t r = 0; r < ngr; r++) {
		size_t g = ids[r], fi = 0;
		const char *key = a->groups.ent[g].key;
		for (size_t i = 0; i < a->ng; i++)
			cells[i] = kpi_key_field(key, i, &cl[i]);
		for (size_t i = 0; i < a->nk; i++) {
			size_t n;
			suffixes(a->k[i].kind, &n);
			kpi_figures(&a->k[i], &a->st[g * a->nk + i], f + fi);
			fi += n;
		}
		for (size_t j = 0; j < nfig; j++) {
			cells[a->ng + j] = f[j];
			cl[a->ng + j] = strlen(f[j]);
		}
		jt_table_row(t, cells, cl);
	}
	jt_table_end(t);
	free(hd);
	for (size_t i = 0; i < no; i++)
		free(owned[i]);
	free(owned);
	free(f);
	free(cells);
	free(cl);
	free(ids);
	free(names);
	free(lens);
	free(num);
	jt_buf_free(&nb);
}

void kpi_write_pivot(struct jt_agg *a, FILE *fp)
{
	struct jt_map rows = JT_MAP_INIT, cols = JT_MAP_INIT;
	struct jt_buf kb = JT_BUF_INIT;
	size_t ngr = a->groups.n, pg = (size_t)a->pivot_g;
	size_t *rowof = jt_xmalloc((ngr ? ngr : 1) * sizeof *rowof), *colof = jt_xmalloc((ngr ? ngr : 1) * sizeof *colof);

	/* explicit column order first */
	if (a->o.pivot_order && strcmp(a->o.pivot_order, "sorted") != 0)
		kpi_list_put(&cols, a->o.pivot_order);
	for (size_t g = 0; g < ngr; g++) {
		const char *key = a->groups.ent[g].key;
		size_t l;
		jt_buf_reset(&kb);
		for (size_t i = 0; i < a->ng; i++) {
			if (i == pg)
				continue;
			const char *f = kpi_key_field(key, i, &l);
			kpi_key_add(&kb, f, l);
		}
		rowof[g] = jt_map_put(&rows, kb.p ? kb.p : "", kb.len, (uint32_t)g, NULL);
		const char *pv = kpi_key_field(key, pg, &l);
		colof[g] = jt_map_put(&cols, pv, l, 0, NULL);
	}
	size_t nr = rows.n, nc = cols.n, nrest = a->ng - 1;
	/* column order */
	size_t *corder = jt_xmalloc((nc ? nc : 1) * sizeof *corder);
	for (size_t i = 0; i < nc; i++)
		corder[i] = i;
	if (a->o.pivot_order && strcmp(a->o.pivot_order, "sorted") == 0) {
		sort_idx(corder, nc, cmp_raw, &cols);
	} else if (a->gbucket && a->gbucket[pg]) {
		/* time buckets by time, after the values --pivot-order lists */
		size_t listed = 0;
		if (a->o.pivot_order) {
			struct jt_map l = JT_MAP_INIT;
			kpi_list_put(&l, a->o.pivot_order);
			listed = l.n;
			jt_map_free(&l);
		}
		sort_idx(corder + listed, nc - listed, cmp_raw, &cols);
	}
	size_t *rorder = jt_xmalloc((nr ? nr : 1) * sizeof *rorder);
	for (size_t i = 0; i < nr; i++)
		rorder[i] = i;
	if (nrest) {
		size_t *cc = jt_xmalloc(nrest * sizeof *cc);
		unsigned char *bk = jt_xcalloc(nrest, 1);
		for (size_t i = 0, c = 0; i < a->ng; i++)
			if (i != pg) {
				bk[c] = a->gbucket ? a->gbucket[i] : 0;
				cc[c] = c;
				c++;
			}
		kpi_sort_ids(a, &rows, rorder, nr, cc, nrest, bk);
		free(bk);
		free(cc);
	}
	long *cell = jt_xmalloc((nr * nc > 0 ? nr * nc : 1) * sizeof *cell);
	for (size_t i = 0; i < nr * nc; i++)
		cell[i] = -1;
	for (size_t g = 0; g < ngr; g++)
		cell[rowof[g] * nc + colof[g]] = (long)g;

	size_t ncol = nrest + nc;
	const char **names = jt_xcalloc(ncol ? ncol : 1, sizeof *names);
	size_t *lens = jt_xcalloc(ncol ? ncol : 1, sizeof *lens);
	unsigned char *num = jt_xcalloc(ncol ? ncol : 1, 1);
	for (size_t i = 0, c = 0; i < a->ng; i++) {
		if (i == pg)
			continue;
		names[c] = a->gname[i];
		lens[c++] = a->gnlen[i];
	}
	for (size_t j = 0; j < nc; j++) {
		names[nrest + j] = cols.ent[corder[j]].key;
		lens[nrest + j] = cols.ent[corder[j]].len;
		num[nrest + j] = 1;
	}
	/* HTML: one heatmap per KPI on the same rows and columns; other formats: the one KPI */
	int html = a->o.format == JT_FMT_HTML;
	struct jt_html hp = a->o.html;
	char *hd = heading(a);
	hp.heading = hd;
	hp.pivot = a->pivot_name;
	hp.per = a->per_name;
	struct jt_page *page = html ? jt_page_new(&hp) : NULL;
	size_t nf = 0;
	for (size_t ki = 0; ki < a->nk; ki++) {
		size_t n;
		suffixes(a->k[ki].kind, &n);
		nf = n > nf ? n : nf;
	}
	fig_t *f = jt_xmalloc(nf * sizeof *f);
	fig_t *main = jt_xmalloc((nc ? nc : 1) * 3 * sizeof *main);
	struct jt_cellx *x = jt_xcalloc(ncol ? ncol : 1, sizeof *x);
	const char **cells = jt_xcalloc(ncol ? ncol : 1, sizeof *cells);
	size_t *cl = jt_xcalloc(ncol ? ncol : 1, sizeof *cl);
	for (size_t ki = 0; ki < (html ? a->nk : 1); ki++) {
		struct kpi *k = &a->k[ki];
		struct jt_table *t = jt_table_new(fp, a->o.format, ncol, names, lens, num);
		if (html) {
			fig_t ov[8];
			struct jt_kpiview kv;
			char kind[16];
			overall(a, ki, ov);
			kpi_view(a, k, &kv, kind, ov[0]);
			jt_table_set_pivot(t, nrest);
			jt_table_set_kpi(t, &kv);
		}
		int ival = k->kind == K_NPS || k->kind == K_CSAT || k->kind == K_RATE;
		for (size_t i = 0; i < ncol; i++)
			x[i].n = -1;
		for (size_t r = 0; r < nr; r++) {
			size_t ri = rorder[r];
			const char *rk = rows.ent[ri].key;
			for (size_t i = 0; i < nrest; i++)
				cells[i] = kpi_key_field(rk, i, &cl[i]);
			for (size_t j = 0; j < nc; j++) {
				long g = cell[ri * nc + corder[j]];
				fig_t *m = &main[3 * j];
				if (g < 0) {
					m[0][0] = m[1][0] = m[2][0] = '\0';
					x[nrest + j].n = -1;
				} else {
					struct kst *st = &a->st[(size_t)g * a->nk + ki];
					kpi_figures(k, st, f);
					memcpy(m[0], f[0], sizeof m[0]);
					memcpy(m[1], ival ? f[1] : "", ival ? sizeof m[1] : 1);
					memcpy(m[2], ival ? f[2] : "", ival ? sizeof m[2] : 1);
					x[nrest + j].n = (long)st->n;
				}
				x[nrest + j].trend = g >= 0 && a->trend ? a->trend(a->trend_ctx, a->groups.ent[g].key,
											 a->groups.ent[g].len, ki) : NULL;
				x[nrest + j].lo = m[1];
				x[nrest + j].hi = m[2];
				cells[nrest + j] = m[0];
				cl[nrest + j] = strlen(m[0]);
			}
			jt_table_row_x(t, cells, cl, x);
		}
		if (page)
			jt_page_add(page, t);
		else
			jt_table_end(t);
	}
	if (page)
		jt_page_write(page, fp);
	free(x);
	free(hd);
	free(f);
	free(main);
	free(cells);
	free(cl);
	free(names);
	free(lens);
	free(num);
	free(cell);
	free(rorder);
	free(corder);
	free(rowof);
	free(colof);
	jt_map_free(&rows);
	jt_map_free(&cols);
	jt_buf_free(&kb);
}
