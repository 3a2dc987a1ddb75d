/* jt_table.h — a result table written as CSV, TSV, Markdown or JSON. */
#ifndef JT_TABLE_H
#define JT_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum jt_format { JT_FMT_CSV, JT_FMT_TSV, JT_FMT_MD, JT_FMT_JSON, JT_FMT_HTML };

/* "csv", "tsv", "md", "json", "html" -> format, -1 when unknown. */
int jt_format_from_name(const char *s);

struct jt_table;
/* numeric[i]: cells of column i are numbers or empty (JSON numbers, Markdown right-aligned). */
struct jt_table *jt_table_new(FILE *fp, enum jt_format fmt, size_t ncol, const char *const *names,
			      const size_t *lens, const unsigned char *numeric);
/* HTML: shade every numeric cell on one scale (a pivot's heatmap). */
void jt_table_set_pivot(struct jt_table *t);

/* HTML page settings (kept by pointer: must outlive the table). */
struct jt_html {
	const char *title;	/* <title> and <h1>; NULL: "jtools report", no <h1> */
	const char *heading;	/* <h2> over the main table, or NULL */
	unsigned long min_n;	/* pivot cells with fewer values are marked thin (0: none) */
	int show_n;	/* print each pivot cell's n under its figure */
	size_t nattach;
	const char *const *attach;	/* "TITLE=FILE": CSV files added as tables */
};
void jt_table_set_html(struct jt_table *t, const struct jt_html *h);

void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens);
/* nvals[i]: the number of values behind cell i (HTML thin cells), -1 none. */
void jt_table_row_n(struct jt_table *t, const char *const *cells, const size_t *lens, const long *nvals);
/* Writes what is buffered (Markdown) and frees the table. */
void jt_table_end(struct jt_table *t);

#endif
