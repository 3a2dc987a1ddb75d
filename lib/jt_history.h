/* jt_history.h — jkpi --history DIR: each run's state kept as DIR/STAMP.state
 * (the last --keep), the trend of each heatmap cell over them, and the
 * previous period for --alert. See jkpi(1), "History". */
#ifndef JT_HISTORY_H
#define JT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct jt_agg;
struct jt_side;
struct jt_cmp_opts;

#define JT_HISTORY_KEEP 90

struct jt_history_opts {
	const char *dir;	/* --history */
	const char *stamp;	/* --stamp, or NULL: the day of the latest time read */
	unsigned long keep;	/* --keep */
};

/* Usage checks before any input is read (exit 2): the stamp's characters.
 * Makes DIR when it is missing (exit 1 when that fails). */
void jt_history_check(const struct jt_history_opts *o);
/* After the input: the stamp (last: the latest time read, -1 none: then
 * --stamp is needed, exit 1) and the earlier states (stamps sorting before
 * this one, the last keep - 1), each checked against cur. */
struct jt_history *jt_history_load(const struct jt_history_opts *o, struct jt_agg *cur, int64_t last,
				   const struct jt_cmp_opts *co);
/* What the page's trend lines show (a line under each heatmap's legend), or NULL. */
const char *jt_history_note(struct jt_history *h, double level);
/* The latest earlier period, or NULL. */
const struct jt_side *jt_history_prev(const struct jt_history *h);
/* Writes cur's state as DIR/STAMP.state, put in place with the result. */
void jt_history_save(struct jt_history *h, struct jt_agg *cur);
/* For jt_agg_set_trend: the SVG line of cell key's KPI ki over the periods
 * (valid until jt_history_free), or NULL when fewer than 2 periods have it. */
const char *jt_history_trend(void *h, const char *key, size_t klen, size_t ki);
/* After the result is in place: removes the oldest states past --keep. */
void jt_history_prune(struct jt_history *h);
void jt_history_free(struct jt_history *h);

#endif
