/* page.c — the HTML report page (jt_page.h).
 *
 * One self-contained file: style inline, no script, no link, no remote
 * asset; every string from the data, the labels file or the command line
 * escaped. Heatmaps use a diverging, colour-blind-safe palette (ColorBrewer
 * RdBu, 7 classes: red worse, blue better) centred on the KPI's neutral
 * point. The page is built in memory and written whole. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_page.h"
#include "jt_paths.h"
#include "jt_table_int.h"
#include "jt_time.h"

/* ---------- labels ---------- */

struct jt_labels {
	struct jt_map map;
	char **label, **about;	/* per entry, NULL when empty */
	size_t cap;
	char *path;
};

struct lab_rd {
	struct jt_labels *l;
	long c_name, c_label, c_about;
};

static void lab_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct lab_rd *rd = ctx;
	rd->c_name = jt_col_find(h, "name");
	rd->c_label = jt_col_find(h, "label");
	rd->c_about = jt_col_find(h, "description");
	if (rd->c_name < 0 || rd->c_label < 0)
		jt_die_at(src, 1, "labels file: no column '%s' (a labels file starts name,label[,description])",
			  rd->c_name < 0 ? "name" : "label");
}

static char *dup_nonempty(const char *s, size_t n) { return n ? jt_xmemdup(s, n) : NULL; }

static void lab_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct lab_rd *rd = ctx;
	struct jt_labels *l = rd->l;
	const char *name = rec->f[rd->c_name];
	size_t n = rec->len[rd->c_name];
	int isnew;
	if (n == 0)
		jt_die_at(src, rec->line, "labels file: empty name");
	size_t e = jt_map_put(&l->map, name, n, 0, &isnew);
	if (!isnew)
		jt_die_at(src, rec->line, "labels file: '%s' is labelled twice", jt_show(name, n));
	if (e >= l->cap) {
		size_t cap = l->cap;
		void *p = l->label;
		jt_xgrow(&p, &cap, e + 1, sizeof *l->label);
		l->label = p;
		p = l->about;
		jt_xgrow(&p, &l->cap, e + 1, sizeof *l->about);
		l->about = p;
	}
	l->label[e] = dup_nonempty(rec->f[rd->c_label], rec->len[rd->c_label]);
	l->about[e] = rd->c_about >= 0 ? dup_nonempty(rec->f[rd->c_about], rec->len[rd->c_about]) : NULL;
}

struct jt_labels *jt_labels_load(const char *path)
{
	struct jt_labels *l = jt_xcalloc(1, sizeof *l);
	if (path) {
		l->path = jt_xstrdup(path);
	} else {
		struct jt_buf b = JT_BUF_INIT;
		jt_buf_printf(&b, "%s/labels.csv", jt_datadir());
		l->path = b.p;
		if (access(l->path, F_OK) != 0)
			return l;	/* an older data folder: names as they are */
	}
	jt_path_config("labels file", l->path);
	FILE *fp = fopen(l->path, "rb");
	if (!fp)
		jt_die("%s:", l->path);
	fclose(fp);
	struct jt_dialect d = { .delim = ',', .ragged = 1 };	/* a short row: no description */
	struct lab_rd rd = { l, -1, -1, -1 };
	jt_read(l->path, &d, NULL, lab_header, lab_record, &rd);
	return l;
}

void jt_labels_free(struct jt_labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->map.n; i++) {
		free(l->label[i]);
		free(l->about[i]);
	}
	free(l->label);
	free(l->about);
	free(l->path);
	jt_map_free(&l->map);
	free(l);
}

const char *jt_label(const struct jt_labels *l, const char *name, size_t n)
{
	long e = l ? jt_map_find(&l->map, name, n) : -1;
	return e < 0 ? NULL : l->label[e];
}

const char *jt_label_about(const struct jt_labels *l, const char *name, size_t n)
{
	long e = l ? jt_map_find(&l->map, name, n) : -1;
	return e < 0 ? NULL : l->about[e];
}

/* ---------- period ---------- */

void jt_period_bind(struct jt_period *p, const struct jt_header *h) { p->col = jt_col_find(h, "time"); }

void jt_period_row(struct jt_period *p, const struct jt_record *rec)
{
	int64_t t;
	if (p->col < 0 || (size_t)p->col >= rec->n || !rec->len[p->col] ||
	    jt_time_parse(rec->f[p->col], rec->len[p->col], &t) != 0)
		return;
	if (!p->have || t < p->first)
		p->first = t;
	if (!p->have || t > p->last)
		p->last = t;
	p->have = 1;
}

void jt_period_merge(struct jt_period *p, const struct jt_period *q)
{
	if (!q->have)
		return;
	if (!p->have || q->first < p->first)
		p->first = q->first;
	if (!p->have || q->last > p->last)
		p->last = q->last;
	p->have = 1;
}

/* ---------- --attach ---------- */

char *jt_attach_split(const char *spec, const char **file)
{
	struct jt_buf b = JT_BUF_INIT;
	const char *p = spec;
	for (; *p && *p != '='; p++) {
		if (*p == '\\' && (p[1] == '=' || p[1] == '\\'))
			p++;
		jt_buf_addc(&b, *p);
	}
	if (*p != '=' || b.len == 0 || !p[1]) {
		jt_buf_free(&b);
		return NULL;
	}
	*file = p + 1;
	return b.p;
}

/* ---------- text ---------- */

/* Text for HTML: every byte that could open markup or an attribute escaped. */
static void esc(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		case '\0': fputs("&#65533;", fp); break;
		default: putc(s[i], fp);
		}
	}
}

static void escs(FILE *fp, const char *s) { esc(fp, s, strlen(s)); }

struct jt_page {
	const struct jt_html *h;
	struct jt_table **t;
	size_t nt, tcap;
	/* what a cell's n counts: "customers" (--per customer) or "values" */
	const char *unit;
};

/* The label of a name (escaped), or the name itself. */
static void lab(FILE *fp, const struct jt_page *pg, const char *s, size_t n)
{
	const char *l = jt_label(pg->h->labels, s, n);
	if (l)
		escs(fp, l);
	else
		esc(fp, s, n);
}

static void lab_s(FILE *fp, const struct jt_page *pg, const char *s) { lab(fp, pg, s, strlen(s)); }

/* "3 d 4 h", "2 h 5 min", "4 min 10 s", "12 s": two units, the smaller one rounded. */
static char *fmt_dur(double secs, char *buf)
{
	double a = fabs(secs);
	long long s = (long long)(a + 0.5);
	const char *sg = secs < 0 && s ? "-" : "";
	if (s >= 86400 - 1800) {
		long long th = (s + 1800) / 3600;
		snprintf(buf, 64, "%s%lld d %lld h", sg, th / 24, th % 24);
	} else if (s >= 3600 - 30) {
		long long tm = (s + 30) / 60;
		snprintf(buf, 64, "%s%lld h %lld min", sg, tm / 60, tm % 60);
	} else if (s >= 60) {
		snprintf(buf, 64, "%s%lld min %lld s", sg, s / 60, s % 60);
	} else {
		snprintf(buf, 64, "%s%lld s", sg, s);
	}
	return buf;
}

/* 15597 -> "15,597" (prose only: tables keep the figures as computed). */
static char *group3(const char *s, size_t n, char *buf)
{
	size_t k = 0;
	int neg = n && s[0] == '-';
	if (n > 40 || n == (size_t)neg) {
		snprintf(buf, 64, "%.*s", (int)(n < 63 ? n : 63), s);
		return buf;
	}
	for (size_t i = (size_t)neg; i < n; i++)
		if (s[i] < '0' || s[i] > '9') {
			snprintf(buf, 64, "%.*s", (int)n, s);
			return buf;
		}
	if (neg)
		buf[k++] = '-';
	for (size_t i = (size_t)neg; i < n; i++) {
		if (i > (size_t)neg && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = s[i];
	}
	buf[k] = '\0';
	return buf;
}

/* A canonical UTC time (2024-01-08T07:53:57Z) as 2024-01-08 07:53, or as the
 * date alone at midnight; 0 when s is not one. */
static int fmt_time(const char *s, size_t n, char *buf)
{
	int64_t t;
	if (n != 20 || s[10] != 'T' || s[19] != 'Z' || jt_time_parse(s, n, &t) != 0)
		return 0;
	if (memcmp(s + 11, "00:00:00", 8) == 0)
		snprintf(buf, 64, "%.10s", s);
	else
		snprintf(buf, 64, "%.10s %.5s", s, s + 11);
	return 1;
}

static void date_of(int64_t t, char *buf)
{
	char b[32];
	jt_time_format(t, b);
	snprintf(buf, 16, "%.10s", b);
}

static int is_num(const char *s, size_t n, double *v) { return n && jt_double_parse(s, n, v); }

static int ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* ---------- the page's frame ---------- */

static const char page_style[] =
	"<style>\n"
	"*{box-sizing:border-box}\n"
	"html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\n"
	"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;"
	"color:#1f2328;background:#fff;margin:0 auto;padding:1.2rem;max-width:92rem;overflow-wrap:break-word}\n"
	"h1{font-size:1.6rem;line-height:1.2;margin:0 0 .4rem}\n"
	"h2{font-size:1.2rem;margin:1.8rem 0 .3rem;padding-top:.7rem;border-top:1px solid #d0d7de}\n"
	"h3{font-size:1rem;margin:0 0 .15rem}\n"
	"p{margin:.15rem 0 .45rem}\n"
	".meta{color:#57606a;font-size:.9rem}\n"
	".about,.def{color:#3d444d;font-size:.88rem;max-width:62rem}\n"
	".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,36rem),1fr));gap:1.4rem 2rem}\n"
	"figure{margin:0;min-width:0}\n"
	".scroll{overflow-x:auto;max-width:100%}\n"
	"table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:.2rem 0 .4rem}\n"
	"th,td{border:1px solid #d0d7de;padding:.25rem .5rem;vertical-align:top}\n"
	"thead th{background:#f6f8fa;font-weight:600;text-align:left;vertical-align:bottom;max-width:9rem}\n"
	"tbody th{background:#f6f8fa;font-weight:600;text-align:left;white-space:nowrap}\n"
	"th small,td small{display:block;font-size:.72rem;font-weight:400;opacity:.85}\n"
	".n{text-align:right;white-space:nowrap}\n"
	"thead th.n{text-align:right;white-space:normal}\n"
	".heat{font-size:.82rem}\n"
	".heat th,.heat td{padding:.2rem .35rem}\n"
	".heat td{min-width:3.9rem}\n"
	".heat tbody th{white-space:normal;min-width:7rem}\n"
	".heat tbody th,.heat thead th:first-child{position:sticky;left:0;z-index:1}\n"
	".metrics th{white-space:normal;max-width:28rem}\n"
	".c0{background:#b2182b;color:#fff}.c1{background:#ef8a62}.c2{background:#fddbc7}"
	".c3{background:#f7f7f7}.c4{background:#d1e5f0}.c5{background:#67a9cf}.c6{background:#2166ac;color:#fff}\n"
	".e{background:repeating-linear-gradient(45deg,#fff 0 4px,#eaeef2 4px 8px)}\n"
	".t{background:#fff;color:#6e7781;font-style:italic;outline:1px dashed #6e7781;outline-offset:-3px}\n"
	"tr.t td,tr.t th{color:#6e7781;font-style:italic;border-top:1px dashed #6e7781;border-bottom:1px dashed #6e7781}\n"
	".legend{display:flex;flex-wrap:wrap;gap:.15rem .9rem;align-items:center;font-size:.78rem;color:#3d444d;"
	"margin:.25rem 0;padding:0;list-style:none}\n"
	".legend li{display:inline-flex;align-items:center;gap:.3rem;white-space:nowrap}\n"
	".sw{display:inline-block;width:1.5rem;height:.9rem;border:1px solid #8c959f}\n"
	".scale{font-size:.78rem;color:#57606a}\n"
	".sig{font-weight:700}\n"
	".bar{min-width:14rem}\n"
	".bar>div{display:flex;align-items:center;gap:.5rem}\n"
	".track{flex:1;height:.95rem;background:#eaeef2}\n"
	".track div{height:100%;background:#2166ac}\n"
	".bar span{min-width:4.5rem;text-align:right}\n"
	"@page{size:A4;margin:12mm}\n"
	"@media print{html{font-size:10.5px}body{font-size:1rem;padding:0;max-width:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
	".scroll{overflow:visible}.grid{display:block}figure{margin:0 0 1.2rem}"
	"table{font-size:.9rem}th,td{padding:.15rem .25rem}.iv{white-space:normal}"
	".heat tbody th,.heat thead th:first-child{position:static}"
	"figure,tr{break-inside:avoid}h2,h3{break-after:avoid}}\n"
	"</style>\n";

/* jkpi --history: the trend lines in the heatmaps' cells (only on a page that has them). */
static const char trend_style[] =
	"<style>\n"
	".heat svg.tr{display:block;margin:.1rem auto 0;width:3rem;height:.9rem;overflow:visible}\n"
	".heat svg.tr polyline{fill:none;stroke:currentColor;stroke-width:1.2;opacity:.75}\n"
	".heat svg.tr circle{fill:currentColor}\n"
	"</style>\n";

static int has_trend(const struct jt_table *t)
{
	for (size_t c = 0; t->hc && c < t->nrows * t->ncol; c++)
		if (t->hc[c].trendlen)
			return 1;
	return 0;
}

static int has_trends(const struct jt_page *pg)
{
	for (size_t i = 0; i < pg->nt; i++)
		if (has_trend(pg->t[i]))
			return 1;
	return 0;
}

static void page_head(FILE *fp, const struct jt_html *h, int trends)
{
	const char *title = h->title ? h->title : "jtools report";
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", fp);
	escs(fp, title);
	fputs("</title>\n", fp);
	fputs(page_style, fp);
	if (trends)
		fputs(trend_style, fp);
	fputs("</head>\n<body>\n", fp);
}

/* ---------- --sources: the --stats files of the runs behind the input ---------- */

struct stats_rd {
	FILE *fp;
	struct jt_buf program, in, rejected, reasons;
	int seen_header;
};

static void st_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct stats_rd *s = ctx;
	if (h->n != 2 || strcmp(h->name[0], "metric") != 0 || strcmp(h->name[1], "value") != 0)
		jt_die_at(src, 1, "--sources: not a --stats file (it starts metric,value)");
	s->seen_header = 1;
}

static void st_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct stats_rd *s = ctx;
	const char *k = rec->f[0], *v = rec->f[1];
	size_t vn = rec->len[1];
	(void)src;
	if (!strcmp(k, "program"))
		jt_buf_add(&s->program, v, vn);
	else if (!strcmp(k, "rows_in"))
		jt_buf_add(&s->in, v, vn);
	else if (!strcmp(k, "rows_rejected"))
		jt_buf_add(&s->rejected, v, vn);
	else if (!strncmp(k, "rejected:", 9)) {
		if (s->reasons.len)
			jt_buf_adds(&s->reasons, ", ");
		jt_buf_add(&s->reasons, k + 9, rec->len[0] - 9);
		jt_buf_addc(&s->reasons, ' ');
		jt_buf_add(&s->reasons, v, vn);
	}
}

static void sources(FILE *fp, const struct jt_html *h)
{
	struct jt_dialect d = { .delim = ',' };
	char g1[64], g2[64];
	if (!h->nsources)
		return;
	fputs("<p class=\"meta\">Sources: ", fp);
	for (size_t i = 0; i < h->nsources; i++) {
		struct stats_rd s;
		memset(&s, 0, sizeof s);
		jt_read(h->sources[i], &d, NULL, st_header, st_record, &s);
		if (!s.in.len || !s.rejected.len)
			jt_die_at(h->sources[i], 1, "--sources: no rows_in or rows_rejected (give a file that --stats wrote)");
		if (i)
			fputs("; ", fp);
		if (s.program.len) {
			esc(fp, s.program.p, s.program.len);
			fputs(": ", fp);
		}
		fprintf(fp, "%s rows read, ", group3(s.in.p, s.in.len, g1));
		fputs(group3(s.rejected.p, s.rejected.len, g2), fp);
		fputs(" rejected", fp);
		if (s.reasons.len) {
			fputs(" (", fp);
			esc(fp, s.reasons.p, s.reasons.len);
			putc(')', fp);
		}
		jt_buf_free(&s.program);
		jt_buf_free(&s.in);
		jt_buf_free(&s.rejected);
		jt_buf_free(&s.reasons);
	}
	fputs(".</p>\n", fp);
}

static void page_header(FILE *fp, const struct jt_html *h)
{
	char a[16], b[16];
	fputs("<header>\n", fp);
	if (h->title) {
		fputs("<h1>", fp);
		escs(fp, h->title);
		fputs("</h1>\n", fp);
	}
	fputs("<p class=\"meta\">", fp);
	if (h->period && h->period->have) {
		date_of(h->period->first, a);
		date_of(h->period->last, b);
		fprintf(fp, "Period: <strong>%s</strong> to <strong>%s</strong> (first to last touch, UTC). ", a, b);
	}
	if (h->has_generated) {
		time_t t = (time_t)h->generated;
		struct tm tm;
		char g[64];
		if (gmtime_r(&t, &tm) && strftime(g, sizeof g, "%Y-%m-%d %H:%M UTC", &tm))
			fprintf(fp, "Generated %s.", g);
	}
	fputs("</p>\n", fp);
	sources(fp, h);
	fputs("</header>\n", fp);
}

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

static int thin(const struct jt_page *pg, long n)
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
			if (!is_num(s, n, &v))
				continue;
			if (thin(pg, t->hc[r * t->ncol + i].n)) {
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
	else if (kv->overall && is_num(kv->overall, strlen(kv->overall), &ov))
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
		fmt_dur(v, buf);
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
		if (is_num(kv->overall, strlen(kv->overall), &ov)) {
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
		escs(fp, of);
		fputs(": % promoters (9\xe2\x80\x93" "10) minus % detractors (0\xe2\x80\x93" "6), \xe2\x88\x92" "100 to 100.", fp);
	} else if (!strcmp(k, "csat")) {
		fputs("CSAT of ", fp);
		escs(fp, of);
		fputs(": % of answers 4 or 5 on the 1\xe2\x80\x93" "5 scale (top-2 box).", fp);
	} else if (!strcmp(k, "csat-good-bad")) {
		fputs("CSAT of ", fp);
		escs(fp, of);
		fputs(": % of good ratings (Good, or 4 or 5 on the 1\xe2\x80\x93" "5 scale).", fp);
	} else if (!strcmp(k, "ces")) {
		fputs("Customer effort of ", fp);
		escs(fp, of);
		fputs(": the mean answer on the 1\xe2\x80\x93" "7 scale.", fp);
	} else if (!strcmp(k, "rate")) {
		fputs("Rate of ", fp);
		escs(fp, of);
		fputs(": % of the values that are not 0.", fp);
	} else if (!strcmp(k, "median")) {
		fputs("Median of ", fp);
		escs(fp, of);
		fputs(": half the values are at or below it.", fp);
	} else if (k[0] == 'p' && k[1] >= '0' && k[1] <= '9') {
		fprintf(fp, "%s percentile of ", k + 1);
		escs(fp, of);
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
		escs(fp, of);
		putc('.', fp);
	}
	jt_buf_free(&c);
}

static void period_line(FILE *fp, const struct jt_html *h)
{
	char a[16], b[16];
	if (!h->period || !h->period->have)
		return;
	date_of(h->period->first, a);
	date_of(h->period->last, b);
	fprintf(fp, " Period: %s to %s.", a, b);
}

/* The title of a cell: what it is, its interval and what it rests on. */
static void cell_title(FILE *fp, const struct jt_page *pg, const struct jt_table *t, const struct jt_hcell *c,
		       const char *s, size_t n, double v, int isthin)
{
	const struct jt_kpiview *kv = &t->kv;
	char d[64];
	fputs(" title=\"", fp);
	lab_s(fp, pg, kv->name);
	fputs(": ", fp);
	if (kv->duration) {
		esc(fp, s, n);
		fprintf(fp, " s (%s)", fmt_dur(v, d));
	} else {
		esc(fp, s, n);
	}
	if (c->lolen && c->hilen) {
		fputs(", 95 % interval ", fp);
		esc(fp, t->hb.p + c->lo, c->lolen);
		fputs(" to ", fp);
		esc(fp, t->hb.p + c->hi, c->hilen);
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
	lab_s(fp, pg, kv->name);
	fputs("</h3>\n<p class=\"def\">", fp);
	const char *about = jt_label_about(pg->h->labels, kv->name, strlen(kv->name));
	if (about)
		escs(fp, about);
	else
		definition(fp, pg, kv);
	period_line(fp, pg->h);
	fputs("</p>\n", fp);
	legend(fp, pg, t, &sc, figdec);
	if (pg->h->trend_note && has_trend(t)) {
		fputs("<p class=\"def\">", fp);
		escs(fp, pg->h->trend_note);
		fputs("</p>\n", fp);
	}
	fputs("<div class=\"scroll\"><table class=\"heat\">\n<thead><tr>", fp);
	for (size_t i = 0; i < t->ncol; i++) {
		fputs(i < t->nkey ? "<th scope=\"col\">" : "<th scope=\"col\" class=\"n\">", fp);
		lab(fp, pg, t->names[i], t->nlens[i]);
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
				lab(fp, pg, s, n);
				fputs("</th>", fp);
				continue;
			}
			if (!is_num(s, n, &v)) {
				fputs(n ? "<td class=\"n\">" : "<td class=\"n e\" title=\"no value\">", fp);
				esc(fp, s, n);
				fputs("</td>", fp);
				continue;
			}
			int th = thin(pg, c->n);
			if (th)
				fputs("<td class=\"n t\"", fp);
			else if (sc.on)
				fprintf(fp, "<td class=\"n c%d\"", class_of(&sc, v));
			else
				fputs("<td class=\"n\"", fp);
			cell_title(fp, pg, t, c, s, n, v, th);
			fputs(" data-v=\"", fp);
			esc(fp, s, n);
			fputs("\">", fp);
			if (kv->duration) {
				char d[64];
				fputs(fmt_dur(v, d), fp);
			} else {
				esc(fp, s, n);
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
static void check_midpoints(const struct jt_page *pg)
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
static void heatmaps(FILE *fp, const struct jt_page *pg)
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
		lab(fp, pg, t0->names[i], t0->nlens[i]);
	}
	if (h->pivot) {
		fputs(t0->nkey ? " \xc3\x97 " : "", fp);
		lab_s(fp, pg, h->pivot);
	}
	fputs("</h2>\n<p class=\"about\">", fp);
	if (h->about && h->about[0]) {
		escs(fp, h->about[0]);
		putc(' ', fp);
	}
	if (h->per) {
		fputs("Each ", fp);
		escs(fp, h->per);
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
		if (!ends_with(base, bn, "_pct"))
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
			if (!is_num(s, n, &v))
				all = 0;
		}
		c->num[i] = (unsigned char)(all && (any || t->numeric[i]));
		c->lo[i] = col_named(t, t->names[i], t->nlens[i], "_lo");
		c->hi[i] = col_named(t, t->names[i], t->nlens[i], "_hi");
		if (c->lo[i] < 0 || c->hi[i] < 0)
			c->lo[i] = c->hi[i] = -1;
		c->dur[i] = ends_with(t->names[i], t->nlens[i], "_s");
		c->isn[i] = ends_with(t->names[i], t->nlens[i], "_n");
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
		if (c->isn[i] && is_num(s, n, &v) && thin(pg, (long)v))
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
	if (num && is_num(s, n, &v)) {
		fprintf(fp, "<td class=\"n%s%s\"", cls ? " " : "", cls ? cls : "");
		if (dur) {
			fputs(" title=\"", fp);
			esc(fp, s, n);
			fprintf(fp, " s\">%s", fmt_dur(v, b));
		} else {
			putc('>', fp);
			esc(fp, s, n);
		}
		if (ln && hn) {
			fputs("<small>95 % interval ", fp);
			esc(fp, lo, ln);
			fputs(" to ", fp);
			esc(fp, hi, hn);
			fputs("</small>", fp);
		}
		fputs("</td>", fp);
		return;
	}
	if (!n) {
		fputs("<td></td>", fp);
		return;
	}
	if (fmt_time(s, n, b)) {
		fputs("<td class=\"n\" title=\"", fp);
		esc(fp, s, n);
		fprintf(fp, "\">%s</td>", b);
		return;
	}
	fputs("<td>", fp);
	lab(fp, pg, s, n);
	fputs("</td>", fp);
}

/* The significance of an interval: 1 when it excludes 0, 0 when it holds
 * it, -1 when there is none. */
static int significant(const char *lo, size_t ln, const char *hi, size_t hn)
{
	double a, b;
	if (!is_num(lo, ln, &a) || !is_num(hi, hn, &b))
		return -1;
	return a > 0 || b < 0;
}

static void plain_table(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
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
			escs(fp, about);
			putc('"', fp);
		}
		putc('>', fp);
		lab(fp, pg, t->names[i], t->nlens[i]);
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
					esc(fp, lo, ln);
					fputs(" to ", fp);
					esc(fp, hi, hn);
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
static int is_funnel(const struct jt_table *t)
{
	return t->ncol >= 4 && !strcmp(t->names[0], "step") && !strcmp(t->names[1], "name") &&
	       !strcmp(t->names[2], "customers") && !strcmp(t->names[3], "conversion_pct");
}

static void funnel(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
{
	struct cols c;
	cols_scan(t, &c);
	fputs("<div class=\"scroll\"><table class=\"funnel\">\n<thead><tr>", fp);
	fputs("<th scope=\"col\">", fp);
	lab_s(fp, pg, "step");
	fputs("</th><th scope=\"col\" class=\"n\">", fp);
	lab_s(fp, pg, "customers");
	fputs("</th><th scope=\"col\">", fp);
	lab_s(fp, pg, "conversion_pct");
	fputs("</th>", fp);
	for (size_t i = 4; i < t->ncol; i++) {
		if (c.hide[i])
			continue;
		fputs("<th scope=\"col\" class=\"n\">", fp);
		lab(fp, pg, t->names[i], t->nlens[i]);
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
		esc(fp, step, n0);
		fputs(". ", fp);
		lab(fp, pg, name, n1);
		fputs("</th><td class=\"n\">", fp);
		esc(fp, cust, n2);
		fputs("</td><td class=\"bar\"", fp);
		if (c.lo[3] >= 0) {
			size_t ln, hn;
			const char *lo = jt_hcell_text(t, r, (size_t)c.lo[3], &ln), *hi = jt_hcell_text(t, r, (size_t)c.hi[3], &hn);
			fputs(" title=\"95 % interval ", fp);
			esc(fp, lo, ln);
			fputs(" to ", fp);
			esc(fp, hi, hn);
			putc('"', fp);
		}
		if (!is_num(pct, n3, &v))
			v = 0;
		v = v < 0 ? 0 : v > 100 ? 100 : v;
		fprintf(fp, "><div><div class=\"track\"><div style=\"width:%s%%\"></div></div><span>", jt_fmt_double(v, 2, w));
		esc(fp, pct, n3);
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
static int is_metrics(const struct jt_table *t)
{
	return (t->ncol == 2 && !strcmp(t->names[0], "metric") && !strcmp(t->names[1], "value")) ||
	       (t->nrows == 1 && t->ncol > 2);
}

static void metrics(FILE *fp, const struct jt_page *pg, const struct jt_table *t)
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
		if ((lo < 0 || hi < 0) && ends_with(name[i], nl[i], "_pct")) {	/* conversion_pct: conversion_lo */
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
		lab(fp, pg, name[i], nl[i]);
		const char *about = jt_label_about(pg->h->labels, name[i], nl[i]);
		if (def >= 0 || about || nn >= 0) {
			fputs("<small>", fp);
			if (def >= 0)
				esc(fp, val[def], vl[def]);
			else if (about)
				escs(fp, about);
			if (nn >= 0) {
				fputs(def >= 0 || about ? " (n=" : "n=", fp);
				esc(fp, val[nn], vl[nn]);
				if (miss >= 0 && !(vl[miss] == 1 && val[miss][0] == '0')) {
					fputs(", missing ", fp);
					esc(fp, val[miss], vl[miss]);
				}
				fputs(def >= 0 || about ? ")" : "", fp);
			}
			fputs("</small>", fp);
		}
		fputs("</th>", fp);
		show_cell(fp, pg, val[i], vl[i], 1, ends_with(name[i], nl[i], "_s"), NULL,
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
static void table_period(struct jt_buf *out, const struct jt_table *t)
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
		date_of(first, a);
		date_of(last, b);
		jt_buf_printf(out, " Period: %s to %s.", a, b);
	}
	cols_free(&c);
}

/* ---------- attachments ---------- */

struct attach {
	struct jt_table *t;
};

static void att_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct attach *a = ctx;
	(void)src;
	unsigned char *num = jt_xcalloc(h->n ? h->n : 1, 1);
	a->t = jt_table_new(NULL, JT_FMT_HTML, h->n, (const char *const *)h->name, h->len, num);
	free(num);
}

static void att_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct attach *a = ctx;
	(void)src;
	jt_table_row(a->t, rec->f, rec->len);
}

static void attachment(FILE *fp, const struct jt_page *pg, size_t k)
{
	const struct jt_html *h = pg->h;
	const char *path;
	char *title = jt_attach_split(h->attach[k], &path);
	struct jt_dialect d = { .delim = ',', .ragged = 1 };	/* short rows padded */
	struct attach a = { NULL };
	if (!title)
		jt_die("--attach: '%s' is not TITLE=FILE", h->attach[k]);
	jt_read(path, &d, NULL, att_header, att_record, &a);
	fputs("<section>\n<h2>", fp);
	escs(fp, title);
	fputs("</h2>\n", fp);
	const char *about = h->about ? h->about[k + 1] : NULL;
	struct jt_buf per = JT_BUF_INIT;
	if (a.t)
		table_period(&per, a.t);
	if (about || per.len) {
		fputs("<p class=\"about\">", fp);
		if (about)
			escs(fp, about);
		if (per.len)
			fputs(about ? per.p : per.p + 1, fp);
		fputs("</p>\n", fp);
	}
	jt_buf_free(&per);
	if (!a.t)
		fputs("<p class=\"about\">(empty)</p>\n", fp);
	else if (is_funnel(a.t))
		funnel(fp, pg, a.t);
	else if (is_metrics(a.t))
		metrics(fp, pg, a.t);
	else
		plain_table(fp, pg, a.t);
	fputs("</section>\n", fp);
	jt_table_free(a.t);
	free(title);
}

/* ---------- the page ---------- */

struct jt_page *jt_page_new(const struct jt_html *h)
{
	struct jt_page *p = jt_xcalloc(1, sizeof *p);
	p->h = h;
	p->unit = h->per && !strcmp(h->per, "customer") ? "customers" : "values";
	return p;
}

void jt_page_add(struct jt_page *p, struct jt_table *t)
{
	void *q = p->t;
	jt_xgrow(&q, &p->tcap, p->nt + 1, sizeof *p->t);
	p->t = q;
	p->t[p->nt++] = t;
}

void jt_page_write(struct jt_page *pg, FILE *out)
{
	const struct jt_html *h = pg->h;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	if (!fp)
		jt_die("out of memory");
	check_midpoints(pg);
	page_head(fp, h, has_trends(pg));
	page_header(fp, h);
	heatmaps(fp, pg);
	for (size_t i = 0; i < pg->nt; i++) {
		const struct jt_table *t = pg->t[i];
		if (t->pivot && t->has_kv)
			continue;
		fputs("<section>\n", fp);
		if (h->heading) {
			fputs("<h2>", fp);
			escs(fp, h->heading);
			fputs("</h2>\n", fp);
		}
		if ((h->about && h->about[0]) || (h->period && h->period->have)) {
			fputs("<p class=\"about\">", fp);
			if (h->about && h->about[0])
				escs(fp, h->about[0]);
			period_line(fp, h);
			fputs("</p>\n", fp);
		}
		plain_table(fp, pg, t);
		fputs("</section>\n", fp);
	}
	for (size_t i = 0; i < h->nattach; i++)
		attachment(fp, pg, i);
	fputs("</body>\n</html>\n", fp);
	if (fclose(fp) != 0)
		jt_die("out of memory");
	fwrite(buf, 1, len, out);
	free(buf);
	for (size_t i = 0; i < pg->nt; i++)
		jt_table_free(pg->t[i]);
	free(pg->t);
	free(pg);
}
