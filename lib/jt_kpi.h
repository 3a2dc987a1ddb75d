/* jt_kpi.h — KPIs by group: specs, per-group state, output, partial state and merge.
 * Memory grows with groups (plus the values of exact quantiles, the distinct
 * values of distinct KPIs and the keys of --per), never with rows otherwise. */
#ifndef JT_KPI_H
#define JT_KPI_H

#include <stdio.h>

#include "jt_csv.h"
#include "jt_table.h"

struct jt_rejects;
struct jt_tz;

enum jt_csat_mode { JT_CSAT_TOP2, JT_CSAT_GOODBAD };

struct jt_kpi_opts {
	const char *kpis;	/* -k, comma list (NAME=)KPI(:COL) */
	const char *group;	/* -g list, NULL = one group */
	const char *exclude;	/* -x list */
	const char *per;	/* --per COL */
	const char *pivot;	/* --pivot COL */
	const char *pivot_order;	/* NULL, "sorted" or a comma list */
	const char *row_order;	/* NULL or a comma list of first-row-column values */
	struct jt_html html;	/* --format html: title, --min-n, --attach */
	enum jt_csat_mode csat;
	int sort;	/* -s */
	int sort_given, format_given;
	enum jt_format format;
	int partial;	/* --partial: write state */
	int merge;	/* --merge: read state */
	const char *const *maps;	/* --map COL:FROM=TO,...|bool, as given */
	size_t nmaps;
	const struct jt_tz *tz;	/* --tz: time buckets in this zone; NULL: UTC */
	const char *tz_name;
};

struct jt_agg;

/* Parses and checks every spec (usage errors exit 2). */
struct jt_agg *jt_agg_new(const struct jt_kpi_opts *o);
/* Header of each input: binds columns (first input) or checks it matches. */
void jt_agg_header(struct jt_agg *a, const char *src, const struct jt_header *h);
/* One data record (already past --since/--until). Bad values are rejected. */
void jt_agg_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj);
/* Writes the result (or the partial state with --partial). */
void jt_agg_write(struct jt_agg *a, FILE *fp);
void jt_agg_free(struct jt_agg *a);

/* jkpi -j: the state of one part of a file, bound to a's header (a read it);
 * later: a part after the first, whose --per values wait for the merge. */
struct jt_agg *jt_agg_part(const struct jt_agg *a, int later);
/* Adds b's state to a exactly, as if a had read b's rows after its own: the
 * groups in first-seen order, distinct sets, quantiles' values, and with
 * --per each key's first row with a value for a KPI. b's spill files (past
 * --memory) become a's; free b after. */
void jt_agg_merge(struct jt_agg *a, struct jt_agg *b);
/* --per: past bytes of keys' state (0: no bound), the keys go on in spill
 * files, partitioned by key, and are aggregated one partition at a time at
 * jt_agg_write: the same output. A --partial keeps them (it writes them). */
void jt_agg_budget(struct jt_agg *a, uint64_t bytes);

#endif
