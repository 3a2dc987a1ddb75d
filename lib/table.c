/* table.c — one result table, four output formats. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jt_csv.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_table.h"
#include "jt_table_int.h"


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

/* Markdown cell text: '|' escaped, '<', '>' and '&' as entities (a wiki
 * renders raw HTML in Markdown: no label may open a tag or an attribute),
 * CR/LF as spaces. */
static void md_clean(struct jt_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '|')
			jt_buf_add(b, "\\|", 2);
		else if (s[i] == '<')
			jt_buf_add(b, "&lt;", 4);
		else if (s[i] == '>')
			jt_buf_add(b, "&gt;", 4);
		else if (s[i] == '&')
			jt_buf_add(b, "&amp;", 5);
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

void jt_table_set_pivot(struct jt_table *t, size_t nkey)
{
	t->pivot = 1;
	t->nkey = nkey;
}
void jt_table_set_html(struct jt_table *t, const struct jt_html *h) { t->html = h; }

static char *dup_or_null(const char *s) { return s ? jt_xstrdup(s) : NULL; }

void jt_table_set_kpi(struct jt_table *t, const struct jt_kpiview *kv)
{
	t->has_kv = 1;
	t->kv = *kv;
	t->kv.name = t->kv_name = dup_or_null(kv->name);
	t->kv.kind = t->kv_kind = dup_or_null(kv->kind);
	t->kv.col = t->kv_col = dup_or_null(kv->col);
	t->kv.overall = t->kv_overall = jt_xstrdup(kv->overall ? kv->overall : "");
}

void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens)
{
	jt_table_row_x(t, cells, lens, NULL);
}

static size_t hb_add(struct jt_table *t, const char *s, size_t n)
{
	size_t at = t->hb.len;
	jt_buf_add(&t->hb, s ? s : "", n);
	jt_buf_addc(&t->hb, '\0');
	return at;
}

void jt_table_row_x(struct jt_table *t, const char *const *cells, const size_t *lens, const struct jt_cellx *x)
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
	case JT_FMT_HTML: {	/* kept until the page is built */
		void *p = t->hc;
		jt_xgrow(&p, &t->hcap, (t->nrows + 1) * t->ncol, sizeof *t->hc);
		t->hc = p;
		for (size_t i = 0; i < t->ncol; i++) {
			struct jt_hcell *c = &t->hc[t->nrows * t->ncol + i];
			const char *lo = x && x[i].lo ? x[i].lo : "", *hi = x && x[i].hi ? x[i].hi : "";
			c->off = hb_add(t, cells[i], lens[i]);
			c->len = lens[i];
			c->lolen = strlen(lo);
			c->lo = hb_add(t, lo, c->lolen);
			c->hilen = strlen(hi);
			c->hi = hb_add(t, hi, c->hilen);
			c->n = x ? x[i].n : -1;
			c->trendlen = x && x[i].trend ? strlen(x[i].trend) : 0;
			c->trend = hb_add(t, c->trendlen ? x[i].trend : "", c->trendlen);
		}
		break;
	}
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

void jt_table_end(struct jt_table *t)
{
	FILE *fp = t->fp;
	if (t->fmt == JT_FMT_HTML) {	/* a page of this table alone */
		struct jt_html none;
		memset(&none, 0, sizeof none);
		struct jt_page *pg = jt_page_new(t->html ? t->html : &none);
		jt_page_add(pg, t);
		jt_page_write(pg, fp);
		return;
	}
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
	jt_table_free(t);
}

void jt_table_free(struct jt_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncol; i++)
		free(t->names[i]);
	free(t->names);
	free(t->nlens);
	free(t->numeric);
	free(t->width);
	jt_buf_free(&t->cells);
	free(t->hc);
	jt_buf_free(&t->hb);
	free(t->kv_name);
	free(t->kv_kind);
	free(t->kv_col);
	free(t->kv_overall);
	free(t);
}
