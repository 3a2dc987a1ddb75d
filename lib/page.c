/* page.c — the HTML report page (jt_page.h).
 *
 * One self-contained file: style inline, no script, no link, no remote
 * asset; every string from the data, the labels file or the command line
 * escaped. Heatmaps use a diverging, colour-blind-safe palette (ColorBrewer
 * RdBu, 7 classes: red worse, blue better) centred on the KPI's neutral
 * point. The page is built in memory and written whole. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "page_int.h"

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


static int has_trends(const struct jt_page *pg)
{
	for (size_t i = 0; i < pg->nt; i++)
		if (jt_pg_has_trend(pg->t[i]))
			return 1;
	return 0;
}

static void page_head(FILE *fp, const struct jt_html *h, int trends)
{
	const char *title = h->title ? h->title : "jtools report";
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", fp);
	jt_pg_escs(fp, title);
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
			jt_pg_esc(fp, s.program.p, s.program.len);
			fputs(": ", fp);
		}
		fprintf(fp, "%s rows read, ", jt_pg_group3(s.in.p, s.in.len, g1));
		fputs(jt_pg_group3(s.rejected.p, s.rejected.len, g2), fp);
		fputs(" rejected", fp);
		if (s.reasons.len) {
			fputs(" (", fp);
			jt_pg_esc(fp, s.reasons.p, s.reasons.len);
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
		jt_pg_escs(fp, h->title);
		fputs("</h1>\n", fp);
	}
	fputs("<p class=\"meta\">", fp);
	if (h->period && h->period->have) {
		jt_pg_date_of(h->period->first, a);
		jt_pg_date_of(h->period->last, b);
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
	jt_pg_escs(fp, title);
	fputs("</h2>\n", fp);
	const char *about = h->about ? h->about[k + 1] : NULL;
	struct jt_buf per = JT_BUF_INIT;
	if (a.t)
		jt_pg_table_period(&per, a.t);
	if (about || per.len) {
		fputs("<p class=\"about\">", fp);
		if (about)
			jt_pg_escs(fp, about);
		if (per.len)
			fputs(about ? per.p : per.p + 1, fp);
		fputs("</p>\n", fp);
	}
	jt_buf_free(&per);
	if (!a.t)
		fputs("<p class=\"about\">(empty)</p>\n", fp);
	else if (jt_pg_is_funnel(a.t))
		jt_pg_funnel(fp, pg, a.t);
	else if (jt_pg_is_metrics(a.t))
		jt_pg_metrics(fp, pg, a.t);
	else
		jt_pg_plain_table(fp, pg, a.t);
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
	jt_pg_check_midpoints(pg);
	page_head(fp, h, has_trends(pg));
	page_header(fp, h);
	jt_pg_heatmaps(fp, pg);
	for (size_t i = 0; i < pg->nt; i++) {
		const struct jt_table *t = pg->t[i];
		if (t->pivot && t->has_kv)
			continue;
		fputs("<section>\n", fp);
		if (h->heading) {
			fputs("<h2>", fp);
			jt_pg_escs(fp, h->heading);
			fputs("</h2>\n", fp);
		}
		if ((h->about && h->about[0]) || (h->period && h->period->have)) {
			fputs("<p class=\"about\">", fp);
			if (h->about && h->about[0])
				jt_pg_escs(fp, h->about[0]);
			jt_pg_period_line(fp, h);
			fputs("</p>\n", fp);
		}
		jt_pg_plain_table(fp, pg, t);
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
