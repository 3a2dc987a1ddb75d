/* jt_page.h — the HTML report page of jkpi --format html: a header (period,
 * generation time, sources), one heatmap per KPI of a pivot (small multiples
 * on the same rows and columns, each on its own diverging scale), or the
 * table of a long result, then the attached CSV files (--attach), every name
 * through the labels file. The page is built in memory and written whole, so
 * a run that fails leaves no page. */
#ifndef JT_PAGE_H
#define JT_PAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jt_csv.h"

struct jt_html;

/* ---- labels: name -> label (and a description), from a CSV file with the
 * header name,label[,description] (share/jtools/labels.csv). */
struct jt_labels;
/* path NULL: DATADIR/labels.csv, which may be missing (then no labels). A
 * file that cannot be read, or a bad one, is a usage error (exit 2). */
struct jt_labels *jt_labels_load(const char *path);
void jt_labels_free(struct jt_labels *l);
/* The label or description of name[0..n), or NULL. l may be NULL. */
const char *jt_label(const struct jt_labels *l, const char *name, size_t n);
const char *jt_label_about(const struct jt_labels *l, const char *name, size_t n);

/* ---- the period a page covers: the first and last 'time' of the rows read. */
struct jt_period {
	long col;	/* 'time', or -1 */
	int have;
	int64_t first, last;
};
void jt_period_bind(struct jt_period *p, const struct jt_header *h);
void jt_period_row(struct jt_period *p, const struct jt_record *rec);
/* Widens p to cover q too (jkpi -j: the parts' periods). */
void jt_period_merge(struct jt_period *p, const struct jt_period *q);

/* ---- a heatmap's KPI */
enum jt_scale {
	JT_SCALE_NONE,	/* a count: not coloured */
	JT_SCALE_NPS,	/* centred on 0, classes of 20 points */
	JT_SCALE_PCT,	/* a share in percent: centred on --midpoint or the overall value */
	JT_SCALE_NUM	/* any other figure: centred on --midpoint or the overall value */
};
struct jt_kpiview {
	const char *name;	/* output name: nps_next_nps */
	const char *kind;	/* nps, csat, csat-good-bad, ces, rate, median, pNN, mean, sum, min, max, count, distinct */
	const char *col;	/* its column, or NULL (count) */
	enum jt_scale scale;
	int duration;	/* whole seconds: shown as "3 d 4 h" */
	int lower_better;	/* durations: the colours turn round */
	const char *overall;	/* the figure over every cell pooled, or "" */
};
/* One cell's companions: the values behind it (-1: none) and its 95 % interval. */
struct jt_cellx {
	long n;
	const char *lo, *hi;	/* "" or NULL: none */
	const char *trend;	/* an inline SVG (jkpi --history), or NULL */
};

struct jt_page;
struct jt_table;
/* A page with the settings h (kept by pointer: must outlive the page). */
struct jt_page *jt_page_new(const struct jt_html *h);
/* Adds the table t (HTML) to the page; the page owns it from here on and
 * jt_table_end(t) must not be called. */
void jt_page_add(struct jt_page *p, struct jt_table *t);
/* Builds the page (reading --sources and --attach files: a bad one stops the
 * run with nothing written) and writes it to fp; frees the page. */
void jt_page_write(struct jt_page *p, FILE *fp);

/* "TITLE=FILE" of --attach: TITLE's "\=" is '=' and "\\" a backslash; the
 * first '=' not escaped ends it. Returns the title (caller frees) and sets
 * *file, or NULL when there is no such '=' or a part is empty. */
char *jt_attach_split(const char *spec, const char **file);

#endif
