/* jt_baseline.h — jkpi --baseline and --alert: this run's cells against an
 * earlier period's, each KPI's change with its 95 % interval, and alerts
 * corrected for the number of cells compared (Holm). See jkpi(1). */
#ifndef JT_BASELINE_H
#define JT_BASELINE_H

#include <stddef.h>
#include <stdio.h>

#include "jt_table.h"

struct jt_agg;

/* The cells of one period: keys (jt_key_add's form) and per KPI a jt_cellstat. */
struct jt_side;
/* The cells of this run (after its input), in the order its long output has them. */
struct jt_side *jt_side_from_agg(struct jt_agg *cur);
/* A baseline: a state (jkpi --partial, --history) or a long report CSV of
 * jkpi. Dies (exit 1) when it has other groups, KPIs or options than cur,
 * naming the first difference; what names it ("the baseline"). */
struct jt_side *jt_side_load(const char *path, struct jt_agg *cur, const char *what);
void jt_side_free(struct jt_side *s);
/* KPI ki's figure in cell key as a number; 0 when the cell or figure is missing. */
int jt_side_value(const struct jt_side *s, const char *key, size_t klen, size_t ki, double *v);

struct jt_cmp_opts {
	double level;	/* --alert-level: family-wise error rate of the alerts */
	unsigned long min_n;	/* --min-n: fewer values on either side: no test */
	int alert;	/* --alert: the output has an alert column */
	int sort;	/* -s: cells by their keys (else this run's, then the baseline's own) */
};

/* The comparison of now against base (both with cur's KPIs). */
struct jt_cmp;
struct jt_cmp *jt_cmp_new(struct jt_agg *cur, const struct jt_side *base, const struct jt_side *now,
			  const struct jt_cmp_opts *o);
/* The comparison table (csv, tsv, md, json or a page), one row per cell. */
void jt_cmp_write(const struct jt_cmp *c, enum jt_format fmt, const struct jt_html *h, FILE *fp);
/* One line per alert on stderr; returns how many. */
size_t jt_cmp_alerts(const struct jt_cmp *c);
/* Cell key's KPI ki: 1 when it alerts (Holm), 0 when tested and not, -1 untested. */
int jt_cmp_alerted(const struct jt_cmp *c, const char *key, size_t klen, size_t ki);
void jt_cmp_free(struct jt_cmp *c);

/* Two signatures (lines) that differ, for a message: "L in WHERE, M here",
 * L the first line of first that now has not, M the first of now that first
 * has not ("nothing": none). */
void jt_lines_diff(const char *first, size_t fn, const char *now, size_t nn, const char *where, char *out,
		   size_t outlen);

#endif
