/* table.c — one result table, four output formats. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jt_csv.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_table.h"

struct jt_table {
	FILE *fp;
	enum jt_format fmt;
	size_t ncol;
	char **names;
	size_t *nlens;
	unsigned char *numeric;
	struct jt_writer w;
	size_t nrows;
	/* Markdown: cells kept until the end for column widths */
	struct jt_buf cells;	/* NUL-separated */
	size_t *width;
	int pivot;	/* HTML: one scale for every numeric cell (a heatmap) */
	struct jt_buf ns;	/* HTML: the n behind each cell (long, -1 none) */
	const struct jt_html *html;
};

int jt_format_from_name(const char *s)
{
	if (strcmp(s, "csv") == 0)
		return JT_FMT_CSV;
	if (strcmp(s, "tsv") == 0)
		return JT_FMT_TSV;
	if (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0)
		return JT_FMT_MD;
	if (strcmp(s, "json") == 0)
		return JT_FMT_JSON;
	if (strcmp(s, "html") == 0)
		return JT_FMT_HTML;
	return -1;
}

static void tsv_cell(FILE *fp, const char *s, size_t n)
{
	if (jt_excel_risky(s, n))
		putc('\'', fp);
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': fputs("\\\\", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		default: putc(s[i], fp);
		}
	}
}

static void json_str(FILE *fp, const char *s, size_t n)
{
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			putc('\\', fp);
			putc(c, fp);
		} else if (c == '\n') {
			fputs("\\n", fp);
		} else if (c == '\r') {
			fputs("\\r", fp);
		} else if (c == '\t') {
			fputs("\\t", fp);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(fp, "\\u%04x", c);
		} else {
			putc(c, fp);
		}
	}
	putc('"', fp);
}

/* Markdown cell text: '|' escaped, CR/LF as spaces. */
static void md_clean(struct jt_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			jt_buf_add(b, "\\|", 2);
		else if (s[i] == '\n' || s[i] == '\r')
			jt_buf_addc(b, ' ');
		else
			jt_buf_addc(b, s[i]);
	}
}

static size_t u8len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

struct jt_table *jt_table_new(FILE *fp, enum jt_format fmt, size_t ncol, const char *const *names,
			      const size_t *lens, const unsigned char *numeric)
{
	struct jt_table *t = jt_xcalloc(1, sizeof *t);
	t->fp = fp;
	t->fmt = fmt;
	t->ncol = ncol;
	t->names = jt_xmalloc((ncol ? ncol : 1) * sizeof *t->names);
	t->nlens = jt_xmalloc((ncol ? ncol : 1) * sizeof *t->nlens);
	t->numeric = jt_xmalloc(ncol ? ncol : 1);
	for (size_t i = 0; i < ncol; i++) {
		t->names[i] = jt_xmemdup(names[i], lens[i]);
		t->nlens[i] = lens[i];
		t->numeric[i] = numeric[i];
	}
	jt_writer_init(&t->w, fp);
	switch (fmt) {
	case JT_FMT_CSV:
		for (size_t i = 0; i < ncol; i++)
			jt_w_field(&t->w, names[i], lens[i]);
		jt_w_end(&t->w);
		break;
	case JT_FMT_TSV:
		for (size_t i = 0; i < ncol; i++) {
			if (i)
				putc('\t', fp);
			tsv_cell(fp, names[i], lens[i]);
		}
		putc('\n', fp);
		break;
	case JT_FMT_JSON:
		fputs("[", fp);
		break;
	case JT_FMT_MD:
		t->width = jt_xcalloc(ncol ? ncol : 1, sizeof *t->width);
		jt_table_row(t, names, lens);
		t->nrows = 0;
		break;
	case JT_FMT_HTML:
		break;
	}
	return t;
}

void jt_table_set_pivot(struct jt_table *t) { t->pivot = 1; }
void jt_table_set_html(struct jt_table *t, const struct jt_html *h) { t->html = h; }

void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens)
{
	jt_table_row_n(t, cells, lens, NULL);
}

void jt_table_row_n(struct jt_table *t, const char *const *cells, const size_t *lens, const long *nvals)
{
	FILE *fp = t->fp;
	switch (t->fmt) {
	case JT_FMT_CSV:
		for (size_t i = 0; i < t->ncol; i++)
			jt_w_field(&t->w, cells[i], lens[i]);
		jt_w_end(&t->w);
		break;
	case JT_FMT_TSV:
		for (size_t i = 0; i < t->ncol; i++) {
			if (i)
				putc('\t', fp);
			tsv_cell(fp, cells[i], lens[i]);
		}
		putc('\n', fp);
		break;
	case JT_FMT_JSON:
		fputs(t->nrows ? ",\n{" : "\n{", fp);
		for (size_t i = 0; i < t->ncol; i++) {
			if (i)
				putc(',', fp);
			json_str(fp, t->names[i], t->nlens[i]);
			putc(':', fp);
			if (!t->numeric[i])
				json_str(fp, cells[i], lens[i]);
			else if (lens[i] == 0)
				fputs("null", fp);
			else
				fwrite(cells[i], 1, lens[i], fp);
		}
		putc('}', fp);
		break;
	case JT_FMT_HTML:	/* kept, each cell with its length, until the scale is known */
		for (size_t i = 0; i < t->ncol; i++) {
			uint32_t n = (uint32_t)lens[i];
			jt_buf_add(&t->cells, &n, 4);
			jt_buf_add(&t->cells, cells[i], lens[i]);
			long nv = nvals ? nvals[i] : -1;
			jt_buf_add(&t->ns, &nv, sizeof nv);
		}
		break;
	case JT_FMT_MD:
		for (size_t i = 0; i < t->ncol; i++) {
			size_t at = t->cells.len;
			md_clean(&t->cells, cells[i], lens[i]);
			jt_buf_addc(&t->cells, '\0');
			size_t w = u8len(t->cells.p + at);
			if (w > t->width[i])
				t->width[i] = w;
		}
		break;
	}
	t->nrows++;
}

static void pad(FILE *fp, size_t n)
{
	while (n--)
		putc(' ', fp);
}

/* Text for HTML: every byte that could open markup or an attribute escaped. */
static void html_text(FILE *fp, const char *s, size_t n)
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

static const char *next_cell(const char *p, const char **s, size_t *n)
{
	uint32_t l;
	memcpy(&l, p, 4);
	*s = p + 4;
	*n = l;
	return p + 4 + l;
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
static const char html_style[] =
	"</title>\n<style>\nbody{font-family:sans-serif;margin:1.5em;color:#222}\n"
	"h2{margin-top:1.6em;font-size:1.15em}\n"
	"table{border-collapse:collapse}\nth,td{border:1px solid #bbb;padding:.3em .6em}\n"
	"th{background:#eee}\ntd.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.e{background:repeating-linear-gradient(45deg,#fff,#fff 4px,#eee 4px,#eee 8px)}\n"
	"td.t{background:#f4f4f4;color:#777;font-style:italic;outline:1px dashed #999;outline-offset:-3px}\n"
	"td small{display:block;color:#555;font-size:.75em}\np.legend{color:#555;font-size:.85em}\n"
	"</style>\n</head>\n<body>\n";

/* The cells of a table: numeric ones shaded from red (lowest) through yellow
 * to green (highest), on one scale for a pivot (a heatmap), per column
 * otherwise, not at all when shade is 0. A pivot cell under html->min_n
 * values is marked thin and left out of the scale. */
static void html_table(FILE *fp, struct jt_table *t, int shade)
{
	size_t nc = t->ncol;
	const struct jt_html *h = t->html;
	unsigned long min_n = t->pivot && h ? h->min_n : 0;
	double *lo = jt_xcalloc(nc + 1, sizeof *lo), *hi = jt_xcalloc(nc + 1, sizeof *hi);
	unsigned char *seen = jt_xcalloc(nc + 1, 1);
	const char *p = t->cells.p, *s;
	const long *nv = (const long *)(void *)t->ns.p;
	size_t n, nthin = 0;
	for (size_t r = 0, c = 0; r < t->nrows; r++)
		for (size_t i = 0; i < nc; i++, c++) {
			double v;
			p = next_cell(p, &s, &n);
			if (!t->numeric[i] || !jt_double_parse(s, n, &v))
				continue;
			if (min_n && nv[c] >= 0 && (unsigned long)nv[c] < min_n) {
				nthin++;
				continue;
			}
			size_t k = t->pivot ? 0 : i;
			if (!seen[k] || v < lo[k])
				lo[k] = v;
			if (!seen[k] || v > hi[k])
				hi[k] = v;
			seen[k] = 1;
		}
	if (t->pivot && shade && seen[0]) {
		fprintf(fp, "<p class=\"legend\">Colour from red (lowest, %.10g) through yellow to green (highest, %.10g)",
			lo[0], hi[0]);
		if (h && h->show_n)
			fputs("; under each figure the number of values behind it", fp);
		fputs("; hatched: no value", fp);
		if (min_n)
			fprintf(fp, "; grey, italic and dashed: fewer than %lu values (%zu cells), not coloured", min_n,
				nthin);
		fputs(".</p>\n", fp);
	}
	fputs("<table>\n<thead><tr>", fp);
	for (size_t i = 0; i < nc; i++) {
		fputs("<th>", fp);
		html_text(fp, t->names[i], t->nlens[i]);
		fputs("</th>", fp);
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
	p = t->cells.p;
	for (size_t r = 0, c = 0; r < t->nrows; r++) {
		fputs("<tr>", fp);
		for (size_t i = 0; i < nc; i++, c++) {
			double v;
			long cn = nv ? nv[c] : -1;
			p = next_cell(p, &s, &n);
			size_t k = t->pivot ? 0 : i;
			int thin = min_n && cn >= 0 && (unsigned long)cn < min_n;
			if (!t->numeric[i]) {
				fputs("<td>", fp);
			} else if (!jt_double_parse(s, n, &v)) {
				fputs(n ? "<td class=\"n\">" : "<td class=\"n e\" title=\"no value\">", fp);
			} else if (thin) {
				fprintf(fp, "<td class=\"n t\" title=\"n=%ld: fewer than %lu values\">", cn, min_n);
			} else if (shade && seen[k]) {
				double x = hi[k] > lo[k] ? (v - lo[k]) / (hi[k] - lo[k]) : 0.5;
				fprintf(fp, "<td class=\"n\" style=\"background:hsl(%d,70%%,80%%)\">", (int)(x * 120 + 0.5));
			} else {
				fputs("<td class=\"n\">", fp);
			}
			html_text(fp, s, n);
			if (cn >= 0 && n && h && h->show_n)
				fprintf(fp, "<small>n=%ld</small>", cn);
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody>\n</table>\n", fp);
	free(lo);
	free(hi);
	free(seen);
}

/* --attach TITLE=FILE: another CSV (a funnel, the moments that matter, a
 * referral summary) as a table of the page; numbers right-aligned, no colour. */
struct attach {
	FILE *fp;
	struct jt_table *t;
};

static void att_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct attach *a = ctx;
	(void)src;
	unsigned char *num = jt_xcalloc(h->n ? h->n : 1, 1);
	a->t = jt_table_new(a->fp, JT_FMT_HTML, h->n, (const char *const *)h->name, h->len, num);
	free(num);
}

static void att_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct attach *a = ctx;
	(void)src;
	jt_table_row(a->t, rec->f, rec->len);
}

static void html_attach(FILE *fp, const char *spec)
{
	const char *eq = strchr(spec, '='), *path = eq ? eq + 1 : spec;
	const char *title = eq ? spec : path;
	struct jt_dialect d = { .delim = ',', .ragged = 1 };	/* short rows padded */
	struct attach a = { fp, NULL };
	fputs("<h2>", fp);
	html_text(fp, title, eq ? (size_t)(eq - spec) : strlen(title));
	fputs("</h2>\n", fp);
	jt_read(path, &d, NULL, att_header, att_record, &a);
	if (!a.t) {
		fputs("<p class=\"legend\">(empty)</p>\n", fp);
		return;
	}
	/* a column is numeric when every non-empty cell is a number */
	struct jt_table *t = a.t;
	for (size_t i = 0; i < t->ncol; i++)
		t->numeric[i] = 1;
	const char *p = t->cells.p, *s;
	size_t n;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t i = 0; i < t->ncol; i++) {
			double v;
			p = next_cell(p, &s, &n);
			if (n && !jt_double_parse(s, n, &v))
				t->numeric[i] = 0;
		}
	html_table(fp, t, 0);
	t->fmt = JT_FMT_CSV;	/* nothing more to write */
	jt_table_end(t);
}

/* A self-contained page: no script, no link, no remote asset; every string
 * from the data escaped. */
static void html_end(struct jt_table *t)
{
	FILE *fp = t->fp;
	const struct jt_html *h = t->html;
	const char *title = h && h->title ? h->title : "jtools report";
	fputs(html_head, fp);
	html_text(fp, title, strlen(title));
	fputs(html_style, fp);
	if (h && h->title) {
		fputs("<h1>", fp);
		html_text(fp, title, strlen(title));
		fputs("</h1>\n", fp);
	}
	if (h && h->heading) {
		fputs("<h2>", fp);
		html_text(fp, h->heading, strlen(h->heading));
		fputs("</h2>\n", fp);
	}
	html_table(fp, t, 1);
	for (size_t i = 0; h && i < h->nattach; i++)
		html_attach(fp, h->attach[i]);
	fputs("</body>\n</html>\n", fp);
}

void jt_table_end(struct jt_table *t)
{
	FILE *fp = t->fp;
	if (t->fmt == JT_FMT_HTML)
		html_end(t);
	if (t->fmt == JT_FMT_JSON) {
		fputs(t->nrows ? "\n]\n" : "]\n", fp);
	} else if (t->fmt == JT_FMT_MD) {
		const char *p = t->cells.p;
		for (size_t r = 0; r <= t->nrows; r++) {
			putc('|', fp);
			for (size_t i = 0; i < t->ncol; i++) {
				size_t w = u8len(p), n = strlen(p);
				size_t width = t->width[i] < 3 ? 3 : t->width[i];
				putc(' ', fp);
				if (t->numeric[i] && r > 0) {
					pad(fp, width - w);
					fwrite(p, 1, n, fp);
				} else {
					fwrite(p, 1, n, fp);
					pad(fp, width - w);
				}
				fputs(" |", fp);
				p += n + 1;
			}
			putc('\n', fp);
			if (r == 0) {
				putc('|', fp);
				for (size_t i = 0; i < t->ncol; i++) {
					size_t width = t->width[i] < 3 ? 3 : t->width[i];
					putc(' ', fp);
					for (size_t k = 0; k + 1 < width; k++)
						putc('-', fp);
					putc(t->numeric[i] ? ':' : '-', fp);
					fputs(" |", fp);
				}
				putc('\n', fp);
			}
		}
	}
	for (size_t i = 0; i < t->ncol; i++)
		free(t->names[i]);
	free(t->names);
	free(t->nlens);
	free(t->numeric);
	free(t->width);
	jt_buf_free(&t->cells);
	jt_buf_free(&t->ns);
	free(t);
}
