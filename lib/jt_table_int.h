/* jt_table_int.h — inside a result table, for table.c and page.c only. */
#ifndef JT_TABLE_INT_H
#define JT_TABLE_INT_H

#include "jt_csv.h"
#include "jt_mem.h"
#include "jt_page.h"
#include "jt_table.h"

/* An HTML cell: its text, interval and n, as offsets into the table's hb. */
struct jt_hcell {
	size_t off, len, lo, lolen, hi, hilen, trend, trendlen;
	long n;
};

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
	/* HTML: every cell kept until the page is built */
	int pivot;	/* a heatmap: the columns after nkey hold one KPI */
	size_t nkey;
	struct jt_hcell *hc;
	size_t hcap;
	struct jt_buf hb;
	const struct jt_html *html;
	int has_kv;	/* the heatmap's KPI */
	struct jt_kpiview kv;
	char *kv_name, *kv_kind, *kv_col, *kv_overall;
};

/* The text of cell (r, i) of an HTML table. */
static inline const char *jt_hcell_text(const struct jt_table *t, size_t r, size_t i, size_t *n)
{
	const struct jt_hcell *c = &t->hc[r * t->ncol + i];
	*n = c->len;
	return t->hb.p ? t->hb.p + c->off : "";
}

#endif
