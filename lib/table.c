/* table.c — one result table, four output formats. */
#include <stdlib.h>
#include <string.h>

#include "jt_csv.h"
#include "jt_mem.h"
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
	return -1;
}

static void tsv_cell(FILE *fp, const char *s, size_t n)
{
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
	}
	return t;
}

void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens)
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
	free(t);
}
