/* page_heatmap.c — the HTML page's heatmaps: one per KPI, activity by stage, in a
 * diverging colour-blind-safe palette centred on the KPI's neutral point,
 * with their legends and definitions (page_int.h). */
#include <math.h>
#include <string.h>

#include "jt_err.h"
#include "jt_num.h"
#include "page_int.h"

/* ---------- heatmaps ---------- */

/* Largest of 1, 2, 2.5, 5 times a power of ten that is <= x (x > 0). */
static double nice_down(double x)
{
	double p = 1;
	while (p * 10 <= x)
		p *= 10;
	while (p > x)
		p /= 10;
	double f = x / p;
	return (f >= 5 ? 5 : f >= 2.5 ? 2.5 : f >= 2 ? 2 : 1) * p;
}

/* The same for durations: the largest of 1, 2, 5, 10, 15, 30 s or min, 1, 2,
 * 3, 6, 12 h, 1, 2, 3, 7, 14, 30 d that is <= x, else a multiple of 30 d. */
static double nice_dur(double x)
{
	static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
		43200, 86400, 172800, 259200, 604800, 1209600, 2592000 };
	double w = 0;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0] && steps[i] <= x; i++)
		w = steps[i];
	if (x >= 2592000)
		w = 2592000 * floor(x / 2592000);
	return w > 0 ? w : nice_down(x);
}

struct scale {
	int on;	/* coloured */
	double m, w;	/* centre and class width (0: every coloured cell at the centre) */
	int rev;	/* lower is better */
	const char *why;	/* where the centre comes from */
	int have;	/* lo, hi: the coloured cells' range */
	double lo, hi;
	size_t nthin;
};

/* Class 0 (worst) .. 6 (best); 3 is the centre's. */
static int class_of(const struct scale *sc, double v)
{
	double d = (v - sc->m) * (sc->rev ? -1 : 1);
	if (!(sc->w > 0))
		return 3;
	double k = fabs(d) / sc->w + 0.5;
	int i = k >= 3 ? 3 : (int)k;
	return d < 0 ? 3 - i : 3 + i;
}

/* --midpoint for the KPI name: 1 and *v when given (NAME=V, or a bare V
 * for a KPI other than an NPS). */
static int midpoint_of(const struct jt_html *h, const char *name, int nps, double *v)
{
	int found = 0;
	if (!h->midpoint)
		return 0;
	for (const char *p = h->midpoint; *p;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		double x;
		if (eq && (size_t)(eq - p) == strlen(name) && memcmp(p, name, (size_t)(eq - p)) == 0 &&
		    jt_double_parse(eq + 1, (size_t)(end - eq - 1), &x)) {
			*v = x;
			return 1;
		}
		if (!eq && !nps && !found && jt_double_parse(p, (size_t)(end - p), &x)) {
			*v = x;
			found = 1;
		}
		p = e ? e + 1 : end;
	}
	return found;
}

int jt_pg_thin(const struct jt_page *pg, long n)
{
	return pg->h->min_n && n >= 0 && (unsigned long)n < pg->h->min_n;
}

static void make_scale(const struct jt_page *pg, const struct jt_table *t, struct scale *sc)
{
	const struct jt_kpiview *kv = &t->kv;
	memset(sc, 0, sizeof *sc);
	sc->on = kv->scale != JT_SCALE_NONE;
	sc->rev = kv->lower_better;
	double ov;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = t->nkey; i < t->ncol; i++) {
			size_t n;
			const char *s = jt_hcell_text(t, r, i, &n);
			double v;
			if (!jt_pg_is_num(s, n, &v))
				continue;
			if (jt_pg_thin(pg, t->hc[r * t->ncol + i].n)) {
				sc->nthin++;
				continue;
			}
			if (!sc->have || v < sc->lo)
				sc->lo = v;
			if (!sc->have || v > sc->hi)
				sc->hi = v;
			sc->have = 1;
		}
	if (!sc->on)
		return;
	if (midpoint_of(pg->h, kv->name, kv->scale == JT_SCALE_NPS, &sc->m))
		sc->why = "--midpoint";
	else if (kv->scale == JT_SCALE_NPS)
		sc->m = 0, sc->why = "neutral";
	else if (kv->overall && jt_pg_is_num(kv->overall, strlen(kv->overall), &ov))
		sc->m = ov, sc->why = "overall";
	else if (sc->have)
		sc->m = (sc->lo + sc->hi) / 2, sc->why = "middle";
	else
		sc->on = 0;
	if (kv->scale == JT_SCALE_NPS) {
		sc->w = 20;	/* -10..10 neutral, then 30 and 50: the usual reading of an NPS */
	} else if (sc->have) {
		double s = fmax(fabs(sc->hi - sc->m), fabs(sc->lo - sc->m));
		sc->w = s > 0 ? (kv->duration ? nice_dur(s / 2.5) : nice_down(s / 2.5)) : 0;
	}
}

/* A value of the KPI as the page shows it: a duration, or the figure with
 * the decimals the KPI uses. */
static void fmt_val(const struct jt_kpiview *kv, double v, int dec, char *buf)
{
	if (kv->duration)
		jt_pg_fmt_dur(v, buf);
	else
		jt_fmt_double(v, dec, buf);
}

/* Decimals for the scale's ends: none when they are whole numbers. */
static int scale_dec(const struct scale *sc, int figdec)
{
	for (int k = 0; k < 3; k++) {
		double e = sc->m + (k + 0.5) * sc->w;
		if (fabs(e - round(e)) > 1e-9)
			return figdec;
	}
	return 0;
}

static int fig_decimals(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	return dot ? (int)(s + n - dot - 1) : 0;
}

static void legend(FILE *fp, const struct jt_page *pg, const struct jt_table *t, const struct scale *sc, int figdec)
{
	const struct jt_kpiview *kv = &t->kv;
	char a[64], b[64];
	fputs("<ul class=\"legend\">", fp);
	if (sc->on && sc->w > 0) {
		int dec = scale_dec(sc, figdec);
		/* an NPS lies in -100..100 and a share in 0..100: classes outside are left out */
		double bmin = kv->scale == JT_SCALE_NPS ? -100 : kv->scale == JT_SCALE_PCT ? 0 : -INFINITY;
		if (bmin < 0 && kv->scale == JT_SCALE_NUM && sc->have && sc->lo >= 0 && sc->m >= 0)
			bmin = 0;	/* a figure of values that are never negative (a duration) */
		double bmax = kv->scale == JT_SCALE_NPS || kv->scale == JT_SCALE_PCT ? 100 : INFINITY;
		for (int c = 0; c < 7; c++) {
			/* class c holds the deviations d (better: +) in [dlo, dhi) */
			double dlo = c == 0 ? -INFINITY : (c - 3.5) * sc->w, dhi = c == 6 ? INFINITY : (c - 2.5) * sc->w;
			double vlo = sc->rev ? sc->m - dhi : sc->m + dlo, vhi = sc->rev ? sc->m - dlo : sc->m + dhi;
			vlo = fmax(vlo, bmin);
			vhi = fmin(vhi, bmax);
			if (!(vlo < vhi))
				continue;
			fprintf(fp, "<li><span class=\"sw c%d\"></span>", c);
			if (isinf(vlo))
				fprintf(fp, "under %s", (fmt_val(kv, vhi, dec, b), b));
			else if (isinf(vhi))
				fprintf(fp, "%s or more", (fmt_val(kv, vlo, dec, a), a));
			else
				fprintf(fp, "%s to %s", (fmt_val(kv, vlo, dec, a), a), (fmt_val(kv, vhi, dec, b), b));
			fputs("</li>", fp);
		}
	} else if (sc->on && sc->have) {
		fputs("<li><span class=\"sw c3\"></span>every figure at the centre</li>", fp);
	} else if (!sc->on) {
		fputs("<li>a count: not coloured</li>", fp);
	}
	if (pg->h->min_n)
		fprintf(fp, "<li><span class=\"sw t\"></span>fewer than %lu %s (not coloured)</li>", pg->h->min_n,
			pg->unit);
	fputs("<li><span class=\"sw e\"></span>no value</li></ul>\n", fp);
	if (!sc->on)
		return;
	fputs("<p class=\"scale\">", fp);
	fmt_val(kv, sc->m, figdec, a);
	fprintf(fp, "Centre %s", a);
	if (!strcmp(sc->why, "neutral"))
		fputs(" (neutral: as many promoters as detractors)", fp);
	else if (!strcmp(sc->why, "overall"))
		fputs(" (all cells pooled)", fp);
	else if (!strcmp(sc->why, "middle"))
		fputs(" (middle of the range)", fp);
	else
		fputs(" (--midpoint)", fp);
	fputs(sc->rev ? "; lower is better" : "; higher is better", fp);
	if (sc->have) {
		fmt_val(kv, sc->lo, figdec, a);
		fmt_val(kv, sc->hi, figdec, b);
		fprintf(fp, "; scale ends: lowest %s, highest %s", a, b);
	}
	if (kv->overall && kv->overall[0] && strcmp(sc->why, "overall") != 0) {
		double ov;
		if (jt_pg_is_num(kv->overall, strlen(kv->overall), &ov)) {
			fmt_val(kv, ov, figdec, a);
			fprintf(fp, "; all cells pooled: %s", a);
		}
	}
	fputs(".</p>\n", fp);
}

/* What a KPI measures, when the labels file has no description for it. */
static void definition(FILE *fp, const struct jt_page *pg, const struct jt_kpiview *kv)
{
	const char *k = kv->kind ? kv->kind : "";
	const char *col = kv->col ? kv->col : "";
	const char *cl = kv->col ? jt_label(pg->h->labels, col, strlen(col)) : NULL;
	struct jt_buf c = JT_BUF_INIT;
	jt_buf_adds(&c, cl ? cl : col);
	const char *of = c.p ? c.p : "";
	if (!strcmp(k, "nps")) {
		fputs("Net Promoter Score of ", fp);
		jt_pg_escs(fp, of);
		fputs(": % promoters (9\xe2\x80\x93" "10) minus % detractors (0\xe2\x80\x93" "6), \xe2\x88\x92" "100 to 100.", fp);
	} else if (!strcmp(k, "csat")) {
		fputs("CSAT of ", fp);
		jt_pg_escs(fp, of);
		fputs(": % of answers 4 or 5 on the 1\xe2\x80\x93" "5 scale (top-2 box).", fp);
	} else if (!strcmp(k, "csat-good-bad")) {
		fputs("CSAT of ", fp);
		jt_pg_escs(fp, of);
		fputs(": % of good ratings (Good, or 4 or 5 on the 1\xe2\x80\x93" "5 scale).", fp);
	} else if (!strcmp(k, "ces")) {
		fputs("Customer effort of ", fp);
		jt_pg_escs(fp, of);
		fputs(": the mean answer on the 1\xe2\x80\x93" "7 scale.", fp);
	} else if (!strcmp(k, "rate")) {
		fputs("Rate of ", fp);
		jt_pg_escs(fp, of);
		fputs(": % of the values that are not 0.", fp);
	} else if (!strcmp(k, "median")) {
		fputs("Median of ", fp);
		jt_pg_escs(fp, of);
		fputs(": half the values are at or below it.", fp);
	} else if (k[0] == 'p' && k[1] >= '0' && k[1] <= '9') {
		fprintf(fp, "%s percentile of ", k + 1);
		jt_pg_escs(fp, of);
		fprintf(fp, ": %s %% of the values are at or below it.", k + 1);
	} else if (!strcmp(k, "count")) {
		fprintf(fp, "Number of %s.", pg->h->per ? pg->unit : "rows");
	} else {
		static const char *const kinds[][2] = { { "mean", "Mean" }, { "sum", "Sum" }, { "min", "Smallest value" },
			{ "max", "Largest value" }, { "distinct", "Distinct values" } };
		const char *w = "Figure";
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (!strcmp(k, kinds[i][0]))
				w = kinds[i][1];
		fprintf(fp, "%s of ", w);
		jt_pg_escs(fp, of);
		putc('.', fp);
	}
	jt_buf_free(&c);
}

void jt_pg_period_line(FILE *fp, const struct jt_html *h)
{
	char a[16], b[16];
	if (!h->period || !h->period->have)
		return;
	jt_pg_date_of(h->period->first, a);
	jt_pg_date_of(h->period->last, b);
	fprintf(fp, " Period: %s to %s.", a, b);
}

/* The title of a cell: what it is, its interval and what it rests on. */
static void cell_title(FILE *fp, const struct jt_page *pg, const struct jt_table *t, const struct jt_hcell *c,
		       const char *s, size_t n, double v, int isthin)
{
	const struct jt_kpiview *kv = &t->kv;
	char d[64];
	fputs(" title=\"", fp);
	jt_pg_lab_s(fp, pg, kv->name);
	fputs(": ", fp);
	if (kv->duration) {
		jt_pg_esc(fp, s, n);
		fprintf(fp, " s (%s)", jt_pg_fmt_dur(v, d));
	} else {
		jt_pg_esc(fp, s, n);
	}
	if (c->lolen && c->hilen) {
		fputs(", 95 % interval ", fp);
		jt_pg_esc(fp, t->hb.p + c->lo, c->lolen);
		fputs(" to ", fp);
		jt_pg_esc(fp, t->hb.p + c->hi, c->hilen);
	}
	if (c->n >= 0)
		fprintf(fp, "; n=%ld", c->n);
	if (isthin)
		fprintf(fp, "; fewer than %lu: not coloured", pg->h->min_n);
	putc('"', fp);
}

/* jkpi --history: the cell's trend over the stored periods (made by lib/history.c). */
static void trend(FILE *fp, const struct jt_table *t, const struct jt_hcell *c)
{
	if (c->trendlen)
		fwrite(t->hb.p + c->trend, 1, c->trendlen, fp);
}

static void heatmap(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
{
	const struct jt_kpiview *kv = &t->kv;
	struct scale sc;
	make_scale(pg, t, &sc);
	int figdec = 2;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = t->nkey; i < t->ncol; i++) {
			size_t n;
			const char *s = jt_hcell_text(t, r, i, &n);
			if (n) {
				figdec = fig_decimals(s, n);
				r = t->nrows - 1;
				break;
			}
		}
	fputs("<figure>\n<h3>", fp);
	jt_pg_lab_s(fp, pg, kv->name);
	fputs("</h3>\n<p class=\"def\">", fp);
	const char *about = jt_label_about(pg->h->labels, kv->name, strlen(kv->name));
	if (about)
		jt_pg_escs(fp, about);
	else
		definition(fp, pg, kv);
	jt_pg_period_line(fp, pg->h);
	fputs("</p>\n", fp);
	legend(fp, pg, t, &sc, figdec);
	if (pg->h->trend_note && jt_pg_has_trend(t)) {
		fputs("<p class=\"def\">", fp);
		jt_pg_escs(fp, pg->h->trend_note);
		fputs("</p>\n", fp);
	}
	fputs("<div class=\"scroll\"><table class=\"heat\">\n<thead><tr>", fp);
	for (size_t i = 0; i < t->ncol; i++) {
		fputs(i < t->nkey ? "<th scope=\"col\">" : "<th scope=\"col\" class=\"n\">", fp);
		jt_pg_lab(fp, pg, t->names[i], t->nlens[i]);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	for (size_t r = 0; r < t->nrows; r++) {
		fputs("<tr>", fp);
		for (size_t i = 0; i < t->ncol; i++) {
			const struct jt_hcell *c = &t->hc[r * t->ncol + i];
			size_t n;
			const char *s = jt_hcell_text(t, r, i, &n);
			double v;
			if (i < t->nkey) {
				fputs("<th scope=\"row\">", fp);
				jt_pg_lab(fp, pg, s, n);
				fputs("</th>", fp);
				continue;
			}
			if (!jt_pg_is_num(s, n, &v)) {
				fputs(n ? "<td class=\"n\">" : "<td class=\"n e\" title=\"no value\">", fp);
				jt_pg_esc(fp, s, n);
				fputs("</td>", fp);
				continue;
			}
			int th = jt_pg_thin(pg, c->n);
			if (th)
				fputs("<td class=\"n t\"", fp);
			else if (sc.on)
				fprintf(fp, "<td class=\"n c%d\"", class_of(&sc, v));
			else
				fputs("<td class=\"n\"", fp);
			cell_title(fp, pg, t, c, s, n, v, th);
			fputs(" data-v=\"", fp);
			jt_pg_esc(fp, s, n);
			fputs("\">", fp);
			if (kv->duration) {
				char d[64];
				fputs(jt_pg_fmt_dur(v, d), fp);
			} else {
				jt_pg_esc(fp, s, n);
			}
			if (c->n >= 0 && kv->scale != JT_SCALE_NONE)
				fprintf(fp, "<small>n=%ld</small>", c->n);
			trend(fp, t, c);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table></div>\n</figure>\n", fp);
}

/* Every NAME of --midpoint NAME=VALUE is a KPI of the page's heatmaps. */
void jt_pg_check_midpoints(const struct jt_page *pg)
{
	const char *m = pg->h->midpoint;
	for (const char *p = m; p && *p;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		int found = !eq;
		struct jt_buf names = JT_BUF_INIT;
		for (size_t i = 0; i < pg->nt && !found; i++) {
			const struct jt_table *t = pg->t[i];
			if (!t->has_kv)
				continue;
			found = strlen(t->kv.name) == (size_t)(eq - p) && !memcmp(t->kv.name, p, (size_t)(eq - p));
			jt_buf_printf(&names, "%s%s", names.len ? ", " : "", t->kv.name);
		}
		if (!found)
			jt_die("--midpoint: no KPI named '%.*s' on the page (%s%s)", (int)(eq - p), p,
			       names.len ? "KPIs: " : "no heatmap", names.len ? names.p : "");
		jt_buf_free(&names);
		p = e ? e + 1 : end;
	}
}

/* The heatmaps of the page: one per KPI, on the same rows and columns. */
void jt_pg_heatmaps(FILE *fp, const struct jt_page *pg)
{
	const struct jt_html *h = pg->h;
	const struct jt_table *t0 = NULL;
	for (size_t i = 0; i < pg->nt && !t0; i++)
		if (pg->t[i]->pivot && pg->t[i]->has_kv)
			t0 = pg->t[i];
	if (!t0)
		return;
	fputs("<section class=\"kpis\">\n<h2>", fp);
	for (size_t i = 0; i < t0->nkey; i++) {
		if (i)
			fputs(", ", fp);
		jt_pg_lab(fp, pg, t0->names[i], t0->nlens[i]);
	}
	if (h->pivot) {
		fputs(t0->nkey ? " \xc3\x97 " : "", fp);
		jt_pg_lab_s(fp, pg, h->pivot);
	}
	fputs("</h2>\n<p class=\"about\">", fp);
	if (h->about && h->about[0]) {
		jt_pg_escs(fp, h->about[0]);
		putc(' ', fp);
	}
	if (h->per) {
		fputs("Each ", fp);
		jt_pg_escs(fp, h->per);
		fputs(" counts once per cell and KPI: their first row in the cell with a value for the KPI. ", fp);
	}
	if (h->min_n)
		fprintf(fp, "A figure resting on fewer than %lu %s is dashed, grey and not coloured. ", h->min_n, pg->unit);
	fputs("Colours: red worse, blue better than the centre of each KPI's scale; "
	      "each cell's title has the exact figure, its 95 % interval and n.</p>\n<div class=\"grid\">\n", fp);
	for (size_t i = 0; i < pg->nt; i++)
		if (pg->t[i]->pivot && pg->t[i]->has_kv)
			heatmap(fp, pg, pg->t[i]);
	fputs("</div>\n</section>\n", fp);
}
