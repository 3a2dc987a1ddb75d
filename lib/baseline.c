/* baseline.c — jkpi --baseline and --alert (jkpi(1), "Changes against a baseline").
 *
 * Each cell's KPI in this run against the same cell in an earlier period:
 *   nps   the difference of the two NPS, its variance the sum of the two
 *         adjusted-Wald variances (Var' = P' + D' - (P' - D')^2 over n + 3,
 *         P' = (promoters + 3/4) / (n + 3), as jkpi's own NPS interval);
 *   csat, rate  Newcombe's hybrid score interval (1998, method 10);
 *   mean, ces   Welch's standard error with the normal quantile;
 *   others      the difference alone: no interval, no test.
 * The p value comes from the same normal approximation: the standard error
 * is the interval's half-width on the side of zero over 1.96, so p < 0.05
 * exactly when the interval excludes 0. Alerts: Holm's step-down over every
 * cell and KPI tested, at the family-wise --alert-level. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jt_baseline.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_input.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_reject.h"
#include "jt_stats.h"

struct jt_side {
	size_t nk;
	struct jt_map cells;	/* key -> index, in order */
	struct jt_cellstat *st;	/* index * nk + KPI */
	size_t cap;
};

static struct jt_side *side_new(size_t nk)
{
	struct jt_side *s = jt_xcalloc(1, sizeof *s);
	s->nk = nk;
	return s;
}

/* The cell of key (a new one zeroed); NULL when it was there already and dup is 0. */
static struct jt_cellstat *side_cell(struct jt_side *s, const char *key, size_t len, int dup)
{
	int isnew;
	size_t i = jt_map_put(&s->cells, key, len, 0, &isnew);
	if (!isnew && !dup)
		return NULL;
	if (isnew) {
		void *p = s->st;
		size_t old = s->cap;
		jt_xgrow(&p, &s->cap, (i + 1) * (s->nk ? s->nk : 1), sizeof *s->st);
		s->st = p;
		memset(s->st + old, 0, (s->cap - old) * sizeof *s->st);
	}
	return &s->st[i * s->nk];
}

int jt_side_value(const struct jt_side *s, const char *key, size_t klen, size_t ki, double *v)
{
	long i = jt_map_find(&s->cells, key, klen);
	if (i < 0)
		return 0;
	const char *f = s->st[(size_t)i * s->nk + ki].fig;
	return f[0] && jt_double_parse(f, strlen(f), v);
}

void jt_side_free(struct jt_side *s)
{
	if (!s)
		return;
	jt_map_free(&s->cells);
	free(s->st);
	free(s);
}

static void side_fill(struct jt_side *s, struct jt_agg *a, int ordered)
{
	size_t n = jt_agg_ncells(a), *ids = jt_xmalloc((n ? n : 1) * sizeof *ids);
	if (ordered) {
		jt_agg_cell_order(a, ids);
	} else {
		for (size_t g = 0; g < n; g++)
			ids[g] = g;
	}
	for (size_t r = 0; r < n; r++) {
		size_t kl;
		const char *key = jt_agg_cell_key(a, ids[r], &kl);
		struct jt_cellstat *cs = side_cell(s, key, kl, 1);
		for (size_t k = 0; k < s->nk; k++)
			jt_agg_cell(a, ids[r], k, &cs[k]);
	}
	free(ids);
}

struct jt_side *jt_side_from_agg(struct jt_agg *cur)
{
	struct jt_side *s = side_new(jt_agg_nkpi(cur));
	side_fill(s, cur, 1);
	return s;
}

/* ---------- reading a baseline ---------- */

struct rcol {
	long fig, n, c1, c3;	/* report columns of a KPI, -1: none */
};

struct load {
	struct jt_agg *cur, *agg;	/* agg: a state read by the --merge reader */
	struct jt_side *side;
	int mode;	/* 0 nothing read, 1 a state, 2 a report */
	size_t ng;
	size_t *gidx;	/* report: column of each group */
	struct rcol *rc;	/* report: columns of each KPI */
	struct jt_header *hdr;	/* report: its header */
	const char *what;	/* "the baseline", "the state" (messages) */
	struct jt_buf key;
};

static long col_of(const struct jt_header *h, const char *name, size_t len)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->len[i] == len && memcmp(h->name[i], name, len) == 0)
			return (long)i;
	return -1;
}

static long col_suffix(const struct jt_header *h, const char *name, const char *sfx)
{
	struct jt_buf b = JT_BUF_INIT;
	jt_buf_adds(&b, name);
	jt_buf_adds(&b, sfx);
	long c = col_of(h, b.p, b.len);
	jt_buf_free(&b);
	return c;
}

static const char *const figure_suffix[] = { "_lo", "_hi", "_promoters", "_passives", "_detractors", "_satisfied",
					     "_hits", "_low_effort", "_n", "_missing" };

/* Column i of a report is a group of this run or a figure of one of its KPIs. */
static int known_column(const struct load *l, const struct jt_header *h, size_t i)
{
	for (size_t g = 0; g < l->ng; g++)
		if (l->gidx[g] == i)
			return 1;
	for (size_t k = 0; k < jt_agg_nkpi(l->cur); k++) {
		const char *nm = jt_agg_kpi_name(l->cur, k);
		size_t nl = strlen(nm);
		if (h->len[i] < nl || memcmp(h->name[i], nm, nl) != 0)
			continue;
		if (h->len[i] == nl)
			return 1;
		for (size_t s = 0; s < sizeof figure_suffix / sizeof *figure_suffix; s++)
			if (strcmp(h->name[i] + nl, figure_suffix[s]) == 0)
				return 1;
	}
	return 0;
}

static void report_header(struct load *l, const char *src, const struct jt_header *h)
{
	size_t nk = jt_agg_nkpi(l->cur);
	l->ng = jt_agg_ngroupcols(l->cur);
	l->gidx = jt_xcalloc(l->ng ? l->ng : 1, sizeof *l->gidx);
	for (size_t g = 0; g < l->ng; g++) {
		size_t gl;
		const char *gn = jt_agg_groupcol(l->cur, g, &gl);
		long c = col_of(h, gn, gl);
		if (c < 0)
			jt_die_at(src, 1, "the baseline has no column '%s' (this run groups by it: give the baseline's -g)",
				  jt_show(gn, gl));
		l->gidx[g] = (size_t)c;
	}
	l->rc = jt_xcalloc(nk ? nk : 1, sizeof *l->rc);
	for (size_t k = 0; k < nk; k++) {
		const char *nm = jt_agg_kpi_name(l->cur, k);
		struct rcol *r = &l->rc[k];
		enum jt_test t = jt_agg_kpi_test(l->cur, k);
		const char *need = NULL;
		r->fig = col_of(h, nm, strlen(nm));
		r->n = col_suffix(h, nm, "_n");
		r->c1 = r->c3 = -1;
		if (r->fig < 0)
			need = "";
		else if (t == JT_TEST_NPS) {
			r->c1 = col_suffix(h, nm, "_promoters");
			r->c3 = col_suffix(h, nm, "_detractors");
			need = r->c1 < 0 ? "_promoters" : r->c3 < 0 ? "_detractors" : r->n < 0 ? "_n" : NULL;
		} else if (t == JT_TEST_PROP) {
			r->c1 = col_suffix(h, nm, "_satisfied");
			if (r->c1 < 0)
				r->c1 = col_suffix(h, nm, "_hits");
			need = r->c1 < 0 ? "_hits" : r->n < 0 ? "_n" : NULL;
		} else if (t != JT_TEST_NONE && r->n < 0) {
			need = "_n";
		}
		if (need)
			jt_die_at(src, 1, "the baseline has no column '%s%s' (this run's KPI %s needs it: give the baseline's -k)",
				  jt_show(nm, strlen(nm)), need, jt_show(nm, strlen(nm)));
	}
	for (size_t i = 0; i < h->n; i++)
		if (!known_column(l, h, i))
			jt_die_at(src, 1,
				  "the baseline's column '%s' is no group or KPI figure of this run (-g and -k must match the baseline's)",
				  jt_show(h->name[i], h->len[i]));
}

static uint64_t report_count(const char *src, const struct jt_record *rec, const struct jt_header *h, long c)
{
	uint64_t v = 0;
	if (c < 0 || rec->len[c] == 0)
		return 0;
	if (jt_parse_size(rec->f[c], &v) != 0)
		jt_die_at(src, rec->line, "column '%s': '%s' is not a count", jt_show(h->name[c], h->len[c]),
			  jt_show(rec->f[c], rec->len[c]));
	return v;
}

static void report_row(struct load *l, const char *src, const struct jt_record *rec)
{
	const struct jt_header *h = l->hdr;
	jt_buf_reset(&l->key);
	for (size_t g = 0; g < l->ng; g++)
		jt_key_add(&l->key, rec->f[l->gidx[g]], rec->len[l->gidx[g]]);
	struct jt_cellstat *cs = side_cell(l->side, l->key.p ? l->key.p : "", l->key.len, 0);
	if (!cs)
		jt_die_at(src, rec->line, "cell '%s' is in the baseline twice",
			  jt_show(rec->f[l->gidx[0]], rec->len[l->gidx[0]]));
	for (size_t k = 0; k < l->side->nk; k++) {
		const struct rcol *r = &l->rc[k];
		size_t fl = rec->len[r->fig];
		double x;
		if (fl >= sizeof cs[k].fig || (fl && !jt_double_parse(rec->f[r->fig], fl, &x)))
			jt_die_at(src, rec->line, "column '%s': '%s' is not a number", jt_show(h->name[r->fig], h->len[r->fig]),
				  jt_show(rec->f[r->fig], fl));
		memcpy(cs[k].fig, rec->f[r->fig], fl);
		cs[k].fig[fl] = '\0';
		cs[k].n = report_count(src, rec, h, r->n);
		if (r->n < 0 && fl && x >= 0 && x < 1e19)
			cs[k].n = (uint64_t)x;	/* count, distinct: the figure is the number */
		cs[k].c1 = report_count(src, rec, h, r->c1);
		cs[k].c3 = report_count(src, rec, h, r->c3);
		if (cs[k].c1 > cs[k].n || cs[k].c3 > cs[k].n - cs[k].c1)
			jt_die_at(src, rec->line, "KPI %s: more promoters and detractors, or hits, than values (%s)", jt_agg_kpi_name(l->cur, k),
				  jt_show(rec->f[r->n], rec->len[r->n]));
	}
}

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct load *l = ctx;
	if (l->mode == 0)
		l->mode = h->n && h->len[0] == 12 && memcmp(h->name[0], "jkpi_partial", 12) == 0 ? 1 : 2;
	if (l->mode == 1) {
		jt_agg_header(l->agg, src, h);
		return;
	}
	if (l->hdr)
		jt_die_at(src, 1, "a second header in the baseline report");
	l->hdr = jt_header_copy(h);
	report_header(l, src, h);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct load *l = ctx;
	if (l->mode == 1)
		jt_agg_row(l->agg, src, rec, NULL);
	else
		report_row(l, src, rec);
}

/* Lines of a signature that must match: KPIs and what changes their figures. */
static void sig_lines(const struct jt_buf *b, struct jt_buf *out)
{
	static const char *const keep[] = { "kpi ", "csat=", "per=", "per_rows=", "map=", "tz=" };
	const char *p = b->p ? b->p : "", *end = p + b->len;
	jt_buf_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl + 1 : end;
		for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
			if ((size_t)(e - p) >= strlen(keep[i]) && memcmp(p, keep[i], strlen(keep[i])) == 0)
				jt_buf_add(out, p, (size_t)(e - p));
		p = e;
	}
}

/* Line i of s (without its newline) into *len; NULL past the end. */
static const char *line_at(const struct jt_buf *s, size_t i, size_t *len)
{
	const char *p = s->p ? s->p : "", *end = p + s->len;
	for (;;) {
		if (p >= end)
			return NULL;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (i-- == 0) {
			*len = (size_t)(nl - p);
			return p;
		}
		p = nl + 1;
	}
}

/* The first line of x[0..xn) that y has not, or NULL. */
static const char *line_missing(const char *x, size_t xn, const char *y, size_t yn, size_t *len)
{
	for (const char *p = x, *end = x + xn; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int found = 0;
		for (const char *q = y, *qe = y + yn; q < qe && !found;) {
			const char *ql = memchr(q, '\n', (size_t)(qe - q));
			size_t m = ql ? (size_t)(ql - q) : (size_t)(qe - q);
			found = m == l && memcmp(p, q, l) == 0;
			q += m + 1;
		}
		if (!found) {
			*len = l;
			return p;
		}
		p += l + 1;
	}
	return NULL;
}

void jt_lines_diff(const char *first, size_t fn, const char *now, size_t nn, const char *where, char *out, size_t outlen)
{
	size_t la = 0, lb = 0;
	const char *a = line_missing(first, fn, now, nn, &la), *b = line_missing(now, nn, first, fn, &lb);
	if (!a && !b) {
		snprintf(out, outlen, "the same lines in another order (%s first)", where);
		return;
	}
	char there[200];
	snprintf(there, sizeof there, "%s", a ? jt_show(a, la) : "nothing");
	snprintf(out, outlen, "%s in %s, %s here", there, where, b ? jt_show(b, lb) : "nothing");
}

/* The state's groups, KPIs and options against this run's. */
static void check_state(struct load *l, const char *src)
{
	struct jt_buf a = JT_BUF_INIT, b = JT_BUF_INIT, sa = JT_BUF_INIT, sb = JT_BUF_INIT;
	size_t ng = jt_agg_ngroupcols(l->cur), bg = jt_agg_ngroupcols(l->agg);
	int same = ng == bg;
	for (size_t i = 0; i < 2; i++) {
		struct jt_agg *x = i ? l->agg : l->cur;
		struct jt_buf *o = i ? &b : &a;
		for (size_t g = 0; g < jt_agg_ngroupcols(x); g++) {
			size_t gl;
			const char *gn = jt_agg_groupcol(x, g, &gl);
			if (g)
				jt_buf_addc(o, ',');
			jt_buf_add(o, gn, gl);
		}
		jt_buf_addc(o, '\0');
	}
	same = same && strcmp(a.p, b.p) == 0;
	if (!same) {
		char there[200];
		snprintf(there, sizeof there, b.p[0] ? "'%s'" : "nothing", jt_show(b.p, strlen(b.p)));
		jt_die_at(src, 1, "%s groups by %s, this run by %s%s%s (give its -g)", l->what, there,
			  a.p[0] ? "'" : "", a.p[0] ? jt_show(a.p, strlen(a.p)) : "nothing", a.p[0] ? "'" : "");
	}
	jt_agg_signature(l->cur, &a);
	jt_agg_signature(l->agg, &b);
	sig_lines(&a, &sa);
	sig_lines(&b, &sb);
	for (size_t i = 0;; i++) {
		size_t la = 0, lb = 0;
		const char *pa = line_at(&sa, i, &la), *pb = line_at(&sb, i, &lb);
		if (!pa && !pb)
			break;
		if (pa && pb && la == lb && memcmp(pa, pb, la) == 0)
			continue;
		char diff[512];
		jt_lines_diff(sb.p ? sb.p : "", sb.len, sa.p ? sa.p : "", sa.len, l->what, diff, sizeof diff);
		jt_die_at(src, 1, "%s was made with other KPIs or options: %s (give its -k, --csat, --per, --map and --tz)",
			  l->what, diff);
	}
	jt_buf_free(&a);
	jt_buf_free(&b);
	jt_buf_free(&sa);
	jt_buf_free(&sb);
}

struct jt_side *jt_side_load(const char *path, struct jt_agg *cur, const char *what)
{
	struct jt_kpi_opts mo;
	struct jt_common c;
	memset(&mo, 0, sizeof mo);
	mo.merge = 1;
	jt_common_init(&c);
	c.dialect.header_rows = 1;	/* concatenated states, as --merge reads them */
	struct load l;
	memset(&l, 0, sizeof l);
	l.cur = cur;
	l.what = what;
	l.agg = jt_agg_new(&mo);
	l.side = side_new(jt_agg_nkpi(cur));
	struct jt_rejects *rj = jt_rejects_new(&c);
	jt_read(path, &c.dialect, rj, on_header, on_record, &l);
	jt_rejects_free(rj);
	const char *src = strcmp(path, "-") ? path : "(stdin)";
	if (l.mode == 0)
		jt_die_at(src, 1, "the baseline is empty (give a state of jkpi --partial or --history, or a jkpi report)");
	if (l.mode == 1) {
		jt_agg_finish(l.agg);
		check_state(&l, src);
		side_fill(l.side, l.agg, 0);
	}
	jt_agg_free(l.agg);
	free(l.gidx);
	free(l.rc);
	jt_buf_free(&l.key);
	jt_header_free(l.hdr);
	return l.side;
}

/* ---------- the comparison ---------- */

struct res {
	char base[64], now[64], chg[64], lo[64], hi[64], p[32], nb[24], nn[24];
	double d, dlo, dhi, pv;
	int changed, alert;	/* -1: no test */
};

struct jt_cmp {
	struct jt_agg *cur;
	size_t nk, ng;
	struct jt_cmp_opts o;
	struct jt_map cells;
	struct res *r;	/* cell * nk + KPI */
	size_t ntested;
};

/* Decimals of a figure as printed. */
static int decimals_of(const char *s)
{
	const char *dot = strchr(s, '.');
	return dot ? (int)strlen(dot + 1) : 0;
}

static double two_sided(double d, double se)
{
	if (d == 0)
		return 1;
	if (se <= 0)
		return 0;
	return erfc(fabs(d) / se / sqrt(2.0));
}

/* Adjusted-Wald variance of an NPS (as a share, not points) over n + 3. */
static double nps_var(const struct jt_cellstat *s)
{
	double n2 = (double)s->n + 3, p = ((double)s->c1 + 0.75) / n2, d = ((double)s->c3 + 0.75) / n2;
	double c = p - d;
	return (p + d - c * c) / n2;
}

static void test(struct jt_cmp *c, size_t ki, const struct jt_cellstat *b, const struct jt_cellstat *n, struct res *r)
{
	enum jt_test t = jt_agg_kpi_test(c->cur, ki);
	int dec = jt_agg_kpi_decimals(c->cur, ki);
	double d = 0, lo = 0, hi = 0, se = 0;
	uint64_t need = t == JT_TEST_MEAN ? 2 : 1;
	if (c->o.min_n > need)
		need = c->o.min_n;
	int ok = b->fig[0] && n->fig[0] && b->n >= need && n->n >= need;
	switch (t) {
	case JT_TEST_NPS:
		if (!ok)
			break;
		d = 100.0 * (((double)n->c1 - (double)n->c3) / (double)n->n - ((double)b->c1 - (double)b->c3) / (double)b->n);
		se = 100.0 * sqrt(nps_var(b) + nps_var(n));
		lo = d - JT_Z95 * se;
		hi = d + JT_Z95 * se;
		break;
	case JT_TEST_PROP:
		if (!ok)
			break;
		jt_newcombe(n->c1, n->n, b->c1, b->n, &lo, &hi);
		d = 100.0 * ((double)n->c1 / (double)n->n - (double)b->c1 / (double)b->n);
		lo *= 100;
		hi *= 100;
		se = (d >= 0 ? d - lo : hi - d) / JT_Z95;
		break;
	case JT_TEST_MEAN: {
		if (!ok || !b->has_sq || !n->has_sq) {
			ok = 0;
			break;
		}
		long double mb = b->sum / b->n, mn = n->sum / n->n;
		long double vb = (b->sumsq - b->sum * mb) / (b->n - 1), vn = (n->sumsq - n->sum * mn) / (n->n - 1);
		if (vb < 0)
			vb = 0;
		if (vn < 0)
			vn = 0;
		d = (double)(mn - mb);
		se = sqrt((double)(vb / b->n + vn / n->n));
		lo = d - JT_Z95 * se;
		hi = d + JT_Z95 * se;
		break;
	}
	default:
		ok = 0;
		break;
	}
	r->changed = r->alert = -1;
	if (ok) {
		r->d = d;
		r->dlo = lo;
		r->dhi = hi;
		r->pv = two_sided(d, se);
		r->changed = lo > 0 || hi < 0;
		jt_fmt_double(d, dec, r->chg);
		jt_fmt_double(lo, dec, r->lo);
		jt_fmt_double(hi, dec, r->hi);
		snprintf(r->p, sizeof r->p, "%.6f", r->pv);
		c->ntested++;
	} else if (b->fig[0] && n->fig[0]) {
		double xb, xn;
		if (jt_double_parse(b->fig, strlen(b->fig), &xb) && jt_double_parse(n->fig, strlen(n->fig), &xn)) {
			int db = decimals_of(b->fig), dn = decimals_of(n->fig);
			jt_fmt_double(xn - xb, dec >= 0 ? dec : db > dn ? db : dn, r->chg);
		}
	}
}

struct pref {
	double p;
	size_t i;
};

static int cmp_pref(const void *x, const void *y)
{
	const struct pref *a = x, *b = y;
	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/* Holm (1979): the i-th smallest of m p values alerts while p <= level / (m - i). */
static void holm(struct jt_cmp *c)
{
	size_t n = c->cells.n * c->nk, m = 0;
	struct pref *p = jt_xmalloc((c->ntested ? c->ntested : 1) * sizeof *p);
	for (size_t i = 0; i < n; i++)
		if (c->r[i].changed >= 0)
			p[m++] = (struct pref){ c->r[i].pv, i };
	qsort(p, m, sizeof *p, cmp_pref);
	int go = 1;
	for (size_t i = 0; i < m; i++) {
		go = go && p[i].p <= c->o.level / (double)(m - i);
		c->r[p[i].i].alert = go;
	}
	free(p);
}

/* Stable merge sort of ents by their keys (ng group values each). */
static void sort_keys(const struct jt_map_ent **e, size_t n, size_t ng)
{
	if (n < 2)
		return;
	const struct jt_map_ent **tmp = jt_xmalloc(n * sizeof *tmp);
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = jt_key_cmp(e[j]->key, e[i]->key, ng) < 0 ? e[j++] : e[i++];
			while (i < mid)
				tmp[k++] = e[i++];
			while (j < hi)
				tmp[k++] = e[j++];
		}
		memcpy(e, tmp, n * sizeof *e);
	}
	free(tmp);
}

/* The cells of both sides: this run's in its order, then the baseline's own;
 * with -s all by their keys. */
static void union_cells(struct jt_cmp *c, const struct jt_side *base, const struct jt_side *now)
{
	size_t n = 0;
	const struct jt_map_ent **e = jt_xmalloc((now->cells.n + base->cells.n + 1) * sizeof *e);
	for (size_t i = 0; i < now->cells.n; i++)
		e[n++] = &now->cells.ent[i];
	for (size_t i = 0; i < base->cells.n; i++)
		if (jt_map_find(&now->cells, base->cells.ent[i].key, base->cells.ent[i].len) < 0)
			e[n++] = &base->cells.ent[i];
	if (c->o.sort)
		sort_keys(e, n, c->ng);
	for (size_t i = 0; i < n; i++)
		jt_map_put(&c->cells, e[i]->key, e[i]->len, 0, NULL);
	free(e);
}

struct jt_cmp *jt_cmp_new(struct jt_agg *cur, const struct jt_side *base, const struct jt_side *now,
			  const struct jt_cmp_opts *o)
{
	struct jt_cmp *c = jt_xcalloc(1, sizeof *c);
	c->cur = cur;
	c->nk = jt_agg_nkpi(cur);
	c->ng = jt_agg_ngroupcols(cur);
	c->o = *o;
	union_cells(c, base, now);
	c->r = jt_xcalloc(c->cells.n * c->nk + 1, sizeof *c->r);
	static const struct jt_cellstat none;
	for (size_t i = 0; i < c->cells.n; i++) {
		const char *key = c->cells.ent[i].key;
		size_t kl = c->cells.ent[i].len;
		long ib = jt_map_find(&base->cells, key, kl), in = jt_map_find(&now->cells, key, kl);
		for (size_t k = 0; k < c->nk; k++) {
			const struct jt_cellstat *b = ib < 0 ? &none : &base->st[(size_t)ib * c->nk + k];
			const struct jt_cellstat *n = in < 0 ? &none : &now->st[(size_t)in * c->nk + k];
			struct res *r = &c->r[i * c->nk + k];
			memcpy(r->base, b->fig, sizeof r->base);
			memcpy(r->now, n->fig, sizeof r->now);
			if (ib >= 0)
				jt_fmt_u64(b->n, r->nb);
			if (in >= 0)
				jt_fmt_u64(n->n, r->nn);
			test(c, k, b, n, r);
		}
	}
	holm(c);
	return c;
}

static const char *const cmp_suffix[] = { "_base", "", "_change", "_change_lo", "_change_hi", "_base_n", "_n", "_p",
					  "_changed", "_alert" };

void jt_cmp_write(const struct jt_cmp *c, enum jt_format fmt, const struct jt_html *h, FILE *fp)
{
	size_t per = c->o.alert ? 10 : 9, ncol = c->ng + c->nk * per;
	const char **names = jt_xcalloc(ncol ? ncol : 1, sizeof *names);
	size_t *lens = jt_xcalloc(ncol ? ncol : 1, sizeof *lens);
	unsigned char *num = jt_xcalloc(ncol ? ncol : 1, 1);
	char **owned = jt_xcalloc(c->nk * per + 1, sizeof *owned);
	for (size_t g = 0; g < c->ng; g++)
		names[g] = jt_agg_groupcol(c->cur, g, &lens[g]);
	for (size_t k = 0; k < c->nk; k++)
		for (size_t j = 0; j < per; j++) {
			struct jt_buf b = JT_BUF_INIT;
			jt_buf_adds(&b, jt_agg_kpi_name(c->cur, k));
			jt_buf_adds(&b, cmp_suffix[j]);
			size_t col = c->ng + k * per + j;
			owned[k * per + j] = b.p;
			names[col] = b.p;
			lens[col] = b.len;
			num[col] = 1;
		}
	struct jt_table *t = jt_table_new(fp, fmt, ncol, names, lens, num);
	if (fmt == JT_FMT_HTML)
		jt_table_set_html(t, h);
	const char **cells = jt_xcalloc(ncol ? ncol : 1, sizeof *cells);
	size_t *cl = jt_xcalloc(ncol ? ncol : 1, sizeof *cl);
	for (size_t i = 0; i < c->cells.n; i++) {
		const char *key = c->cells.ent[i].key;
		for (size_t g = 0; g < c->ng; g++)
			key = jt_key_next(key, &cells[g], &cl[g]);
		for (size_t k = 0; k < c->nk; k++) {
			const struct res *r = &c->r[i * c->nk + k];
			const char *v[10] = { r->base, r->now, r->chg, r->lo, r->hi, r->nb, r->nn, r->p,
					      r->changed < 0 ? "" : r->changed ? "1" : "0",
					      r->alert < 0 ? "" : r->alert ? "1" : "0" };
			for (size_t j = 0; j < per; j++) {
				cells[c->ng + k * per + j] = v[j];
				cl[c->ng + k * per + j] = strlen(v[j]);
			}
		}
		jt_table_row(t, cells, cl);
	}
	jt_table_end(t);
	for (size_t i = 0; i < c->nk * per; i++)
		free(owned[i]);
	free(owned);
	free(cells);
	free(cl);
	free(names);
	free(lens);
	free(num);
}

/* A figure for a person: U+2212 for a minus. */
static void human(struct jt_buf *b, const char *fig)
{
	if (fig[0] == '-') {
		jt_buf_adds(b, "\xe2\x88\x92");
		fig++;
	}
	jt_buf_adds(b, fig);
}

size_t jt_cmp_alerts(const struct jt_cmp *c)
{
	size_t n = 0;
	struct jt_buf b = JT_BUF_INIT;
	char lv[32];
	snprintf(lv, sizeof lv, "%g", c->o.level * 100);
	for (size_t i = 0; i < c->cells.n; i++)
		for (size_t k = 0; k < c->nk; k++) {
			const struct res *r = &c->r[i * c->nk + k];
			if (r->alert != 1)
				continue;
			jt_buf_reset(&b);
			const char *key = c->cells.ent[i].key;
			for (size_t g = 0; g < c->ng; g++) {
				const char *f;
				size_t fl;
				key = jt_key_next(key, &f, &fl);
				if (g)
					jt_buf_adds(&b, " \xc3\x97 ");
				jt_buf_adds(&b, jt_show(f, fl));
			}
			if (!c->ng)
				jt_buf_adds(&b, "all");
			jt_buf_printf(&b, ": %s ", jt_agg_kpi_name(c->cur, k));
			human(&b, r->base);
			jt_buf_adds(&b, " \xe2\x86\x92 ");
			human(&b, r->now);
			jt_buf_adds(&b, " (");
			human(&b, r->chg);
			jt_buf_adds(&b, ", 95 % CI ");
			human(&b, r->lo);
			jt_buf_adds(&b, " \xe2\x80\xa6 ");
			human(&b, r->hi);
			jt_buf_printf(&b, ", n %s \xe2\x86\x92 %s; p %s, Holm at %s %% over %zu comparisons)", r->nb, r->nn,
				      r->p, lv, c->ntested);
			jt_note("alert: %s", b.p);
			n++;
		}
	jt_buf_free(&b);
	return n;
}

int jt_cmp_alerted(const struct jt_cmp *c, const char *key, size_t klen, size_t ki)
{
	long i = jt_map_find(&c->cells, key, klen);
	return i < 0 ? -1 : c->r[(size_t)i * c->nk + ki].alert;
}

void jt_cmp_free(struct jt_cmp *c)
{
	if (!c)
		return;
	jt_map_free(&c->cells);
	free(c->r);
	free(c);
}
