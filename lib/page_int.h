/* page_int.h — the HTML page inside: what page.c (the frame, labels,
 * attachments), page_text.c, page_heatmap.c and page_table.c share. Not a
 * public header. */
#ifndef PAGE_INT_H
#define PAGE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "jt_mem.h"
#include "jt_hash.h"
#include "jt_page.h"
#include "jt_table_int.h"

struct jt_labels {
	struct jt_map map;
	char **label, **about;	/* per entry, NULL when empty */
	size_t cap;
	char *path;
};

struct jt_page {
	const struct jt_html *h;
	struct jt_table **t;
	size_t nt, tcap;
	/* what a cell's n counts: "customers" (--per customer) or "values" */
	const char *unit;
};

/* page_text.c: labels and text */
void jt_pg_esc(FILE *fp, const char *s, size_t n);
void jt_pg_escs(FILE *fp, const char *s);
/* The label of a name (escaped), or the name itself. */
void jt_pg_lab(FILE *fp, const struct jt_page *pg, const char *s, size_t n);
void jt_pg_lab_s(FILE *fp, const struct jt_page *pg, const char *s);
char *jt_pg_fmt_dur(double secs, char *buf);
int jt_pg_fmt_time(const char *s, size_t n, char *buf);
/* A whole number written with thousands separators (buf: 64 bytes). */
char *jt_pg_group3(const char *s, size_t n, char *buf);
void jt_pg_date_of(int64_t t, char *buf);
int jt_pg_is_num(const char *s, size_t n, double *v);
int jt_pg_ends_with(const char *s, size_t n, const char *suf);
int jt_pg_has_trend(const struct jt_table *t);

/* page_heatmap.c */
int jt_pg_thin(const struct jt_page *pg, long n);
void jt_pg_period_line(FILE *fp, const struct jt_html *h);
void jt_pg_check_midpoints(const struct jt_page *pg);
void jt_pg_heatmaps(FILE *fp, const struct jt_page *pg);

/* page_table.c */
void jt_pg_plain_table(FILE *fp, const struct jt_page *pg, const struct jt_table *t);
int jt_pg_is_funnel(const struct jt_table *t);
void jt_pg_funnel(FILE *fp, const struct jt_page *pg, const struct jt_table *t);
int jt_pg_is_metrics(const struct jt_table *t);
void jt_pg_metrics(FILE *fp, const struct jt_page *pg, const struct jt_table *t);
void jt_pg_table_period(struct jt_buf *out, const struct jt_table *t);

#endif
