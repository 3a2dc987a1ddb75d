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
void jt_table_row(struct jt_table *t, const char *const *cells, const size_t *lens);
/* Writes what is buffered (Markdown) and frees the table. */
void jt_table_end(struct jt_table *t);

#endif
