/* page_table.c — the HTML page's tables: a long result, a funnel, a metrics
 * table, shown with labels, numbers aligned and thin cells marked
 * (page_int.h). */
#include <stdlib.h>
#include <string.h>

#include "jt_num.h"
#include "jt_time.h"
#include "page_int.h"

/* ---------- tables: a long result and the attached files ---------- */

/* How the columns of a table are shown. */
struct cols {
	long *lo, *hi;	/* interval columns folded into column j, or -1 */
	unsigned char *hide, *num, *dur, *isn, *sig;
	long from, to;	/* time columns bounding a period (retention), or -1 */
};

/* The column base+suf, or for a base X_pct, X+suf (conversion_pct: conversion_lo). */
static long col_named(const struct jt_table *t, const char *base, size_t bn, const char *suf)
{
	size_t k = strlen(suf);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < t->ncol; i++)
			if (t->nlens[i] == bn + k && memcmp(t->names[i], base, bn) == 0 &&
			    memcmp(t->names[i] + bn, suf, k) == 0)
				return (long)i;
		if (!jt_pg_ends_with(base, bn, "_pct"))
			break;
		bn -= 4;
	}
	return -1;
}

static void cols_scan(const struct jt_table *t, struct cols *c)
{
	size_t nc = t->ncol ? t->ncol : 1;
	c->lo = jt_xmalloc(nc * sizeof *c->lo);
	c->hi = jt_xmalloc(nc * sizeof *c->hi);
	c->hide = jt_xcalloc(nc, 1);
	c->num = jt_xcalloc(nc, 1);
	c->dur = jt_xcalloc(nc, 1);
	c->isn = jt_xcalloc(nc, 1);
	c->sig = jt_xcalloc(nc, 1);
	c->from = c->to = -1;
	for (size_t i = 0; i < t->ncol; i++) {
		int any = 0, all = 1;
		for (size_t r = 0; r < t->nrows; r++) {
			size_t n;
			const char *s = jt_hcell_text(t, r, i, &n);
			double v;
			if (!n)
				continue;
			any = 1;
			if (!jt_pg_is_num(s, n, &v))
				all = 0;
		}
		c->num[i] = (unsigned char)(all && (any || t->numeric[i]));
		c->lo[i] = col_named(t, t->names[i], t->nlens[i], "_lo");
		c->hi[i] = col_named(t, t->names[i], t->nlens[i], "_hi");
		if (c->lo[i] < 0 || c->hi[i] < 0)
			c->lo[i] = c->hi[i] = -1;
		c->dur[i] = jt_pg_ends_with(t->names[i], t->nlens[i], "_s");
		c->isn[i] = jt_pg_ends_with(t->names[i], t->nlens[i], "_n");
		if (t->nlens[i] == 4 && !memcmp(t->names[i], "from", 4))
			c->from = (long)i;
		if (t->nlens[i] == 2 && !memcmp(t->names[i], "to", 2))
			c->to = (long)i;
	}
	for (size_t i = 0; i < t->ncol; i++)
		if (c->lo[i] >= 0) {
			c->hide[c->lo[i]] = c->hide[c->hi[i]] = 1;
			c->sig[i] = t->nlens[i] == 10 && !memcmp(t->names[i], "difference", 10);
		}
}

static void cols_free(struct cols *c)
{
	free(c->lo);
	free(c->hi);
	free(c->hide);
	free(c->num);
	free(c->dur);
	free(c->isn);
	free(c->sig);
}

/* A row rests on too few: one of its _n cells is under --min-n. */
static int row_thin(const struct jt_page *pg, const struct jt_table *t, const struct cols *c, size_t r)
{
	for (size_t i = 0; i < t->ncol; i++) {
		size_t n;
		const char *s = jt_hcell_text(t, r, i, &n);
		double v;
		if (c->isn[i] && jt_pg_is_num(s, n, &v) && jt_pg_thin(pg, (long)v))
			return 1;
	}
	return 0;
}

/* One cell of a table as people read it: a label for a name, a date for a
 * time, a duration for seconds; the raw value in the title when it changed. */
static void show_cell(FILE *fp, const struct jt_page *pg, const char *s, size_t n, int num, int dur, const char *cls,
		      const char *lo, size_t ln, const char *hi, size_t hn)
{
	char b[64];
	double v;
	if (num && jt_pg_is_num(s, n, &v)) {
		fprintf(fp, "<td class=\"n%s%s\"", cls ? " " : "", cls ? cls : "");
		if (dur) {
			fputs(" title=\"", fp);
			jt_pg_esc(fp, s, n);
			fprintf(fp, " s\">%s", jt_pg_fmt_dur(v, b));
		} else {
			putc('>', fp);
			jt_pg_esc(fp, s, n);
		}
		if (ln && hn) {
			fputs("<small>95 % interval ", fp);
			jt_pg_esc(fp, lo, ln);
			fputs(" to ", fp);
			jt_pg_esc(fp, hi, hn);
			fputs("</small>", fp);
		}
		fputs("</td>", fp);
		return;
	}
	if (!n) {
		fputs("<td></td>", fp);
		return;
	}
	if (jt_pg_fmt_time(s, n, b)) {
		fputs("<td class=\"n\" title=\"", fp);
		jt_pg_esc(fp, s, n);
		fprintf(fp, "\">%s</td>", b);
		return;
	}
	fputs("<td>", fp);
	jt_pg_lab(fp, pg, s, n);
	fputs("</td>", fp);
}

/* The significance of an interval: 1 when it excludes 0, 0 when it holds
 * it, -1 when there is none. */
static int significant(const char *lo, size_t ln, const char *hi, size_t hn)
{
	double a, b;
	if (!jt_pg_is_num(lo, ln, &a) || !jt_pg_is_num(hi, hn, &b))
		return -1;
	return a > 0 || b < 0;
}

void jt_pg_plain_table(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
{
	struct cols c;
	size_t nthin = 0;
	cols_scan(t, &c);
	fputs("<div class=\"scroll\"><table>\n<thead><tr>", fp);
	for (size_t i = 0; i < t->ncol; i++) {
		if (c.hide[i])
			continue;
		const char *about = jt_label_about(pg->h->labels, t->names[i], t->nlens[i]);
		fputs(c.num[i] ? "<th scope=\"col\" class=\"n\"" : "<th scope=\"col\"", fp);
		if (about) {
			fputs(" title=\"", fp);
			jt_pg_escs(fp, about);
			putc('"', fp);
		}
		putc('>', fp);
		jt_pg_lab(fp, pg, t->names[i], t->nlens[i]);
		fputs("</th>", fp);
		if (c.lo[i] >= 0)
			fputs("<th scope=\"col\" class=\"n\">95 % interval</th>", fp);
		if (c.sig[i])
			fputs("<th scope=\"col\">Significant</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		int th = row_thin(pg, t, &c, r);
		nthin += (size_t)th;
		if (th)
			fprintf(fp, "<tr class=\"t\" title=\"fewer than %lu %s behind a figure of this row\">",
				pg->h->min_n, pg->unit);
		else
			fputs("<tr>", fp);
		for (size_t i = 0; i < t->ncol; i++) {
			size_t n, ln = 0, hn = 0;
			const char *s = jt_hcell_text(t, r, i, &n), *lo = "", *hi = "";
			if (c.hide[i])
				continue;
			int sg = -1;
			if (c.lo[i] >= 0) {
				lo = jt_hcell_text(t, r, (size_t)c.lo[i], &ln);
				hi = jt_hcell_text(t, r, (size_t)c.hi[i], &hn);
				sg = c.sig[i] ? significant(lo, ln, hi, hn) : -1;
			}
			show_cell(fp, pg, s, n, c.num[i], c.dur[i], sg == 1 ? "sig" : NULL, NULL, 0, NULL, 0);
			if (c.lo[i] >= 0) {
				fputs("<td class=\"n iv\">", fp);
				if (ln && hn) {
					jt_pg_esc(fp, lo, ln);
					fputs(" to ", fp);
					jt_pg_esc(fp, hi, hn);
				}
				fputs("</td>", fp);
			}
			if (c.sig[i])
				fputs(sg == 1 ? "<td class=\"sig\">yes</td>" : sg == 0 ? "<td>no</td>" : "<td></td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table></div>\n", fp);
	if (nthin)
		fprintf(fp, "<ul class=\"legend\"><li><span class=\"sw t\"></span>fewer than %lu %s behind a figure "
			"(%zu row%s)</li></ul>\n", pg->h->min_n, pg->unit, nthin, nthin == 1 ? "" : "s");
	cols_free(&c);
}

/* A funnel (jstage --funnel): one bar per step, its length the share of the
 * first step's customers. */
int jt_pg_is_funnel(const struct jt_table *t)
{
	return t->ncol >= 4 && !strcmp(t->names[0], "step") && !strcmp(t->names[1], "name") &&
	       !strcmp(t->names[2], "customers") && !strcmp(t->names[3], "conversion_pct");
}

void jt_pg_funnel(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
{
	struct cols c;
	cols_scan(t, &c);
	fputs("<div class=\"scroll\"><table class=\"funnel\">\n<thead><tr>", fp);
	fputs("<th scope=\"col\">", fp);
	jt_pg_lab_s(fp, pg, "step");
	fputs("</th><th scope=\"col\" class=\"n\">", fp);
	jt_pg_lab_s(fp, pg, "customers");
	fputs("</th><th scope=\"col\">", fp);
	jt_pg_lab_s(fp, pg, "conversion_pct");
	fputs("</th>", fp);
	for (size_t i = 4; i < t->ncol; i++) {
		if (c.hide[i])
			continue;
		fputs("<th scope=\"col\" class=\"n\">", fp);
		jt_pg_lab(fp, pg, t->names[i], t->nlens[i]);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		size_t n0, n1, n2, n3;
		const char *step = jt_hcell_text(t, r, 0, &n0), *name = jt_hcell_text(t, r, 1, &n1);
		const char *cust = jt_hcell_text(t, r, 2, &n2), *pct = jt_hcell_text(t, r, 3, &n3);
		double v = 0;
		char w[64];
		fputs("<tr><th scope=\"row\">", fp);
		jt_pg_esc(fp, step, n0);
		fputs(". ", fp);
		jt_pg_lab(fp, pg, name, n1);
		fputs("</th><td class=\"n\">", fp);
		jt_pg_esc(fp, cust, n2);
		fputs("</td><td class=\"bar\"", fp);
		if (c.lo[3] >= 0) {
			size_t ln, hn;
			const char *lo = jt_hcell_text(t, r, (size_t)c.lo[3], &ln), *hi = jt_hcell_text(t, r, (size_t)c.hi[3], &hn);
			fputs(" title=\"95 % interval ", fp);
			jt_pg_esc(fp, lo, ln);
			fputs(" to ", fp);
			jt_pg_esc(fp, hi, hn);
			putc('"', fp);
		}
		if (!jt_pg_is_num(pct, n3, &v))
			v = 0;
		v = v < 0 ? 0 : v > 100 ? 100 : v;
		fprintf(fp, "><div><div class=\"track\"><div style=\"width:%s%%\"></div></div><span>", jt_fmt_double(v, 2, w));
		jt_pg_esc(fp, pct, n3);
		fputs(" %</span></div></td>", fp);
		for (size_t i = 4; i < t->ncol; i++) {
			size_t n;
			const char *s = jt_hcell_text(t, r, i, &n);
			if (!c.hide[i])
				show_cell(fp, pg, s, n, c.num[i], c.dur[i], NULL, NULL, 0, NULL, 0);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table></div>\n", fp);
	cols_free(&c);
}

/* metric,value (jrefer --summary) or a one-row table (jstage --clv, a jkpi
 * summary): one row per figure, a label beside it. A NAME_definition row
 * goes under NAME's label; NAME_lo and NAME_hi beside NAME's value. */
int jt_pg_is_metrics(const struct jt_table *t)
{
	return (t->ncol == 2 && !strcmp(t->names[0], "metric") && !strcmp(t->names[1], "value")) ||
	       (t->nrows == 1 && t->ncol > 2);
}

void jt_pg_metrics(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
{
	int kv = t->ncol == 2 && !strcmp(t->names[0], "metric");
	size_t nm = kv ? t->nrows : t->ncol;
	const char **name = jt_xcalloc(nm ? nm : 1, sizeof *name), **val = jt_xcalloc(nm ? nm : 1, sizeof *val);
	size_t *nl = jt_xcalloc(nm ? nm : 1, sizeof *nl), *vl = jt_xcalloc(nm ? nm : 1, sizeof *vl);
	unsigned char *used = jt_xcalloc(nm ? nm : 1, 1);
	for (size_t i = 0; i < nm; i++) {
		if (kv) {
			name[i] = jt_hcell_text(t, i, 0, &nl[i]);
			val[i] = jt_hcell_text(t, i, 1, &vl[i]);
		} else {
			name[i] = t->names[i];
			nl[i] = t->nlens[i];
			val[i] = jt_hcell_text(t, 0, i, &vl[i]);
		}
	}
	fputs("<div class=\"scroll\"><table class=\"metrics\">\n<tbody>\n", fp);
	for (size_t i = 0; i < nm; i++) {
		if (used[i])
			continue;
		long def = -1, lo = -1, hi = -1, nn = -1, miss = -1;
		for (size_t j = 0; j < nm; j++) {
			if (j == i || nl[j] <= nl[i] || memcmp(name[j], name[i], nl[i]) != 0)
				continue;
			const char *suf = name[j] + nl[i];
			size_t sl = nl[j] - nl[i];
			if (sl == 11 && !memcmp(suf, "_definition", 11))
				def = (long)j;
			else if (sl == 3 && !memcmp(suf, "_lo", 3))
				lo = (long)j;
			else if (sl == 3 && !memcmp(suf, "_hi", 3))
				hi = (long)j;
			else if (sl == 2 && !memcmp(suf, "_n", 2))
				nn = (long)j;
			else if (sl == 8 && !memcmp(suf, "_missing", 8))
				miss = (long)j;
		}
		if ((lo < 0 || hi < 0) && jt_pg_ends_with(name[i], nl[i], "_pct")) {	/* conversion_pct: conversion_lo */
			for (size_t j = 0; j < nm; j++) {
				size_t bl = nl[i] - 4;
				if (nl[j] == bl + 3 && !memcmp(name[j], name[i], bl) && !memcmp(name[j] + bl, "_lo", 3))
					lo = (long)j;
				if (nl[j] == bl + 3 && !memcmp(name[j], name[i], bl) && !memcmp(name[j] + bl, "_hi", 3))
					hi = (long)j;
			}
		}
		if (lo < 0 || hi < 0)
			lo = hi = -1;
		if (def >= 0)
			used[def] = 1;
		if (lo >= 0)
			used[lo] = used[hi] = 1;
		if (nn >= 0)
			used[nn] = 1;
		if (miss >= 0)
			used[miss] = 1;
		fputs("<tr><th scope=\"row\">", fp);
		jt_pg_lab(fp, pg, name[i], nl[i]);
		const char *about = jt_label_about(pg->h->labels, name[i], nl[i]);
		if (def >= 0 || about || nn >= 0) {
			fputs("<small>", fp);
			if (def >= 0)
				jt_pg_esc(fp, val[def], vl[def]);
			else if (about)
				jt_pg_escs(fp, about);
			if (nn >= 0) {
				fputs(def >= 0 || about ? " (n=" : "n=", fp);
				jt_pg_esc(fp, val[nn], vl[nn]);
				if (miss >= 0 && !(vl[miss] == 1 && val[miss][0] == '0')) {
					fputs(", missing ", fp);
					jt_pg_esc(fp, val[miss], vl[miss]);
				}
				fputs(def >= 0 || about ? ")" : "", fp);
			}
			fputs("</small>", fp);
		}
		fputs("</th>", fp);
		show_cell(fp, pg, val[i], vl[i], 1, jt_pg_ends_with(name[i], nl[i], "_s"), NULL,
			  lo >= 0 ? val[lo] : NULL, lo >= 0 ? vl[lo] : 0, lo >= 0 ? val[hi] : NULL, lo >= 0 ? vl[hi] : 0);
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table></div>\n", fp);
	free(name);
	free(val);
	free(nl);
	free(vl);
	free(used);
}

/* The period of an attached table with from and to times (jstage --retention). */
void jt_pg_table_period(struct jt_buf *out, const struct jt_table *t)
{
	struct cols c;
	int have = 0;
	int64_t first = 0, last = 0;
	cols_scan(t, &c);
	for (size_t r = 0; r < t->nrows && c.from >= 0 && c.to >= 0; r++) {
		size_t a, b;
		const char *f = jt_hcell_text(t, r, (size_t)c.from, &a), *e = jt_hcell_text(t, r, (size_t)c.to, &b);
		int64_t x, y;
		if (jt_time_parse(f, a, &x) != 0 || jt_time_parse(e, b, &y) != 0)
			continue;
		if (!have || x < first)
			first = x;
		if (!have || y > last)
			last = y;
		have = 1;
	}
	if (have) {
		char a[16], b[16];
		jt_pg_date_of(first, a);
		jt_pg_date_of(last, b);
		jt_buf_printf(out, " Period: %s to %s.", a, b);
	}
	cols_free(&c);
}
