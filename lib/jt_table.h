/* jt_table.h — a result table written as CSV, TSV, Markdown, JSON or an HTML page. */
#ifndef JT_TABLE_H
#define JT_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum jt_format { JT_FMT_CSV, JT_FMT_TSV, JT_FMT_MD, JT_FMT_JSON, JT_FMT_HTML };

/* "csv", "tsv", "md", "json", "html" -> format, -1 when unknown. */
int jt_format_from_name(const char *s);

struct jt_table;
struct jt_labels;
struct jt_period;
struct jt_kpiview;
struct jt_cellx;
/* numeric[i]: cells of column i are numbers or empty (JSON numbers, Markdown right-aligned). */
struct jt_table *jt_table_new(FILE *fp, enum jt_format fmt, size_t ncol, const char *const *names,
			      const size_t *lens, const unsigned char *numeric);
/* HTML: a pivot, a heatmap of one KPI: the first nkey columns are the row
 * keys, the others one value each of the pivot column. */
void jt_table_set_pivot(struct jt_table *t, size_t nkey);
/* HTML: the KPI of a heatmap (copied). */
void jt_table_set_kpi(struct jt_table *t, const struct jt_kpiview *kv);

/* HTML page settings (kept by pointer: must outlive the table and page). */
struct jt_html {
	const char *title;	/* <title> and <h1>; NULL: "jtools report", no <h1> */
	const char *heading;	/* <h2> over a long table, or NULL */
	const char *pivot;	/* the pivot column's name (a heatmap's columns), or NULL */
	const char *per;	/* --per column, or NULL */
	unsigned long min_n;	/* cells with fewer values are marked thin (0: none) */
	size_t nattach;
	const char *const *attach;	/* "TITLE=FILE": CSV files added as sections */
	const char *const *about;	/* nattach + 1 lines or NULLs: [0] the KPIs', [1 + i] attach i's */
	size_t nsources;
	const char *const *sources;	/* --stats files of the runs that made the input */
	const char *midpoint;	/* --midpoint: comma list of [NAME=]VALUE, or NULL */
	const struct jt_labels *labels;	/* or NULL */
	const struct jt_period *period;	/* or NULL */
	int has_generated;
	int64_t generated;	/* SOURCE_DATE_EPOCH, else the time of the run */
	const char *trend_note;	/* jkpi --history: what the cells' trend lines show, or NULL */
};
void jt_table_set_html(struct jt_table *t, const struct jt_html *h);

void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens);
/* x[i] (HTML): the number of values behind cell i and its interval; x may be NULL. */
void jt_table_row_x(struct jt_table *t, const char *const *cells, const size_t *lens, const struct jt_cellx *x);
/* Writes what is buffered (Markdown; HTML: a page of this table) and frees the table. */
void jt_table_end(struct jt_table *t);
/* Frees without writing. */
void jt_table_free(struct jt_table *t);

#endif
