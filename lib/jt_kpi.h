/* jt_kpi.h — KPIs by group: specs, per-group state, output, partial state and merge.
 * Memory grows with groups (plus the values of exact quantiles, the distinct
 * values of distinct KPIs and the keys of --per), never with rows otherwise. */
#ifndef JT_KPI_H
#define JT_KPI_H

#include <stdint.h>
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
	uint64_t shard_k, shard_n;	/* --partial --shard-id K/N; shard_n 0: none */
	uint64_t expect;	/* --merge --expect N: the partials are shards 1..N; 0: unchecked */
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
/* Sorts the exact quantiles' values on up to threads threads (-j), ahead of
 * the figures (which would sort them one at a time). */
void jt_agg_sort(struct jt_agg *a, size_t threads);
void jt_agg_free(struct jt_agg *a);
/* Makes the figures final (--per's missing counts); jt_agg_write calls it. */
void jt_agg_finish(struct jt_agg *a);

/* ---- read access for --baseline and --history (lib/baseline.c, lib/history.c) */
enum jt_test {
	JT_TEST_NONE,	/* count, distinct, sum, min, max: no interval */
	JT_TEST_NPS,	/* difference of two NPS, their adjusted-Wald variances */
	JT_TEST_PROP,	/* csat, rate: Newcombe's hybrid score interval */
	JT_TEST_MEAN,	/* mean, ces: Welch, normal approximation */
	JT_TEST_QUANT	/* quantiles: no interval (see jkpi(1)) */
};
struct jt_cellstat {
	uint64_t n, c1, c3;	/* values used; nps: promoters, detractors; csat, rate: hits */
	long double sum, sumsq;	/* mean, ces: sum and sum of squares of the values */
	int has_sq;
	char fig[64];	/* the KPI's figure as the long output prints it */
};
struct jt_buf;
size_t jt_agg_nkpi(const struct jt_agg *a);
const char *jt_agg_kpi_name(const struct jt_agg *a, size_t i);
enum jt_test jt_agg_kpi_test(const struct jt_agg *a, size_t i);
/* Decimals of the KPI's figure (-1: as the figures have them). */
int jt_agg_kpi_decimals(const struct jt_agg *a, size_t i);
size_t jt_agg_ngroupcols(const struct jt_agg *a);
const char *jt_agg_groupcol(const struct jt_agg *a, size_t i, size_t *len);
/* The cells (groups); without -g, one. Calls jt_agg_finish. */
size_t jt_agg_ncells(struct jt_agg *a);
/* Cell g's key: its group values as jt_key_add makes them (jt_hash.h). */
const char *jt_agg_cell_key(const struct jt_agg *a, size_t g, size_t *len);
/* The cells in the order the long output writes them (jt_agg_ncells of them). */
void jt_agg_cell_order(const struct jt_agg *a, size_t *ids);
void jt_agg_cell(struct jt_agg *a, size_t g, size_t ki, struct jt_cellstat *cs);
/* What a state must share to be merged or compared, one "name=value" or
 * "kpi NAME=SPEC" line each (sort and format left out). */
void jt_agg_signature(struct jt_agg *a, struct jt_buf *b);
/* --history: fn(ctx, cell key, its length, KPI) gives each heatmap cell's trend (an SVG) or NULL;
 * note (kept by pointer) says under each heatmap what the lines show. */
void jt_agg_set_trend(struct jt_agg *a, const char *(*fn)(void *, const char *, size_t, size_t), void *ctx,
		      const char *note);
/* The partial state of a plain run (--history). */
void jt_agg_write_state(struct jt_agg *a, FILE *fp);

/* jkpi -j: the state of one part of a file, bound to a's header (a read it);
 * later: a part after the first, whose --per values wait for the merge. */
struct jt_agg *jt_agg_part(const struct jt_agg *a, int later);
/* The first part's size against a later one's, in percent, for -j's cuts: a
 * later part keeps what its --per keys take for the merge (a sequential
 * read's first value), so it costs more a byte. */
unsigned jt_agg_first_share(const struct jt_agg *a);
/* Adds b's state to a exactly, as if a had read b's rows after its own: the
 * groups in first-seen order, distinct sets, quantiles' values, and with
 * --per each key's first row with a value for a KPI. b's spill files (past
 * --memory) become a's; free b after. Returns 1, and merges nothing, when
 * b took values at once for keys a turns out to have (a later part whose
 * keys came in order, after an earlier part out of order): the caller then
 * reads b's rows again into a. */
int jt_agg_merge(struct jt_agg *a, struct jt_agg *b);
/* The last merge of a run that writes a result (not --partial, not kept by
 * --history): the same result, but b's distinct values and --per keys are
 * only looked up in a's, on threads, and counted, not added: a's sets are
 * not whole after it, and a can take no more rows or merges (returns 1 as
 * jt_agg_merge does, a left as it was). */
int jt_agg_merge_last(struct jt_agg *a, struct jt_agg *b, size_t threads);
/* --per: past bytes of keys' state (0: no bound), the keys go on in spill
 * files, partitioned by key, and are aggregated one partition at a time at
 * jt_agg_write: the same output. A --partial keeps them (it writes them). */
void jt_agg_budget(struct jt_agg *a, uint64_t bytes);
/* Threads for the work after the read (--per's spilled partitions are
 * replayed on them), and whether the state is written after the run
 * (--history: then the replay keeps one thread, for the state's order). */
void jt_agg_threads(struct jt_agg *a, size_t threads, int keep_state);

#endif
