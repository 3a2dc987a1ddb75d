/* jt_stage.h — jstage's engine: customer timelines from the touch stream,
 * stages by rules, outcomes, and the journey views (funnel, paths, variants,
 * cohorts). Memory grows with customers and their touches; with sorted input
 * (grouped by customer) one customer at a time. */
#ifndef JT_STAGE_H
#define JT_STAGE_H

#include <stdint.h>
#include <stdio.h>

struct jt_common;
struct jt_rules;
struct jt_tz;

enum jt_stage_mode { JT_SM_ANNOTATE, JT_SM_FUNNEL, JT_SM_PATHS, JT_SM_VARIANTS, JT_SM_COHORTS,
	JT_SM_CUSTOMERS, JT_SM_RETENTION, JT_SM_CLV, JT_SM_BGNBD };
enum jt_funnel_order { JT_FO_ORDERED, JT_FO_STRICT, JT_FO_UNORDERED };
enum jt_attrib { JT_AT_FIRST, JT_AT_LAST, JT_AT_ALL, JT_AT_STEP };

struct jt_stage_opts {
	const struct jt_common *c;
	struct jt_rules *rules;
	const char *deflabel;	/* --default, NULL = empty */
	enum jt_stage_mode mode;
	int sorted;	/* input grouped by customer: stream */
	int64_t window;	/* seconds (outcomes, funnel) */
	const char *outcome;	/* --outcome SPEC, NULL = none */
	/* funnel */
	const char *steps;
	enum jt_funnel_order order;
	const char *step_windows;	/* "1d,20d": between consecutive steps */
	const char *group;	/* -g COL breakdown */
	enum jt_attrib attrib;
	unsigned attrib_step;
	/* paths, variants */
	int by_touchpoint;	/* --by touchpoint (default: stage) */
	int dot;	/* --format dot */
	unsigned long top;	/* --top N, 0 = all */
	int collapse, first_only;
	/* cohorts */
	const char *period;	/* day, week, month */
	const char *returning;	/* pattern on touchpoint, NULL = any touch */
	int unbounded, counts;
	/* customer table, retention, CLV */
	int has_as_of;
	int64_t as_of;	/* --as-of, default: the latest time in the input */
	int64_t churn_after;	/* --churn-after, default 90d */
	const char *rperiod;	/* --period for --retention */
	int has_from, has_to;
	int64_t from, to;	/* --from, --to for --retention */
	const char *margin, *discount;	/* --margin, --discount (CLV) as given */
	/* BG/NBD */
	int64_t unit;	/* --unit: seconds per time unit (default a day) */
	unsigned horizon;	/* --horizon months (default 12) */
	const char *params_out, *params_in;	/* --params FILE, --use-params FILE */
	const struct jt_tz *tz;	/* --tz: cohort and retention periods in this zone; NULL: UTC */
};

struct jt_stagerun;
/* Checks the options (usage errors, exit 2). */
struct jt_stagerun *jt_stage_new(const struct jt_stage_opts *o);
void jt_stage_input(struct jt_stagerun *r, const char *path);
/* Reads the inputs (stdin without any), writes the result; returns the exit status. */
int jt_stage_run(struct jt_stagerun *r, FILE *out);
void jt_stage_free(struct jt_stagerun *r);

#endif
