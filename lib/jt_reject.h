/* jt_reject.h — the reject path every program shares (DESIGN §5).
 * Rows in = rows out + rows skipped (--since/--until) + rows rejected, always. */
#ifndef JT_REJECT_H
#define JT_REJECT_H

#include <stdint.h>

#include "jt_csv.h"

struct jt_common;
struct jt_rejects;

struct jt_rejects *jt_rejects_new(const struct jt_common *c);
/* The header of the input; the first one names the rejects file's columns. */
void jt_rejects_header(struct jt_rejects *rj, const struct jt_header *h);
/* Inputs of different headers share the rejects file: each rejected record is
 * written as one CSV line in a column named record. Call before the first header. */
void jt_rejects_whole_records(struct jt_rejects *rj);
/* An extra line for --stats (after rows_rejected), e.g. touches_out. */
void jt_rejects_stat(struct jt_rejects *rj, const char *name, uint64_t v);
void jt_rows_in(struct jt_rejects *rj);
/* A record equal to the header after the first (exports joined with cat):
 * skipped, counted as headers_skipped, a warning the first time. */
void jt_header_repeated(struct jt_rejects *rj, const char *src, unsigned long long line);
void jt_rows_skipped(struct jt_rejects *rj);
/* A run that is one shard of several (jtouch --shard K/N) counts only its own
 * rows: those of its customers, and in shard 1 (first) the rows that belong
 * to no customer. jt_row_elsewhere: the record being read belongs to another
 * shard; it is left out of rows_in, and jt_rows_skipped and jt_reject do
 * nothing with it (its shard counts and reports it), until the next record.
 * jt_row_unowned: the record belongs to no customer (its customer id is empty,
 * or unknown, as in a record of the wrong field count): elsewhere unless
 * first. Both do nothing before jt_rejects_shard. */
void jt_rejects_shard(struct jt_rejects *rj, int first);
void jt_row_elsewhere(struct jt_rejects *rj);
void jt_row_unowned(struct jt_rejects *rj);
/* Rejects rec: counted under key (a short reason class such as "not a number"),
 * the message goes to stderr (first few, unless -q), to --rejects, and with
 * --strict ends the run with exit 1. */
void jt_reject(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *key,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Rejects rec for a value that is not a usable number, one wording in every
 * program: rc is what jt_dec_parse or jt_score_parse said (not JT_NUM_OK);
 * what names the measure ("nps") or is NULL; range ("in 0-10") or NULL.
 *   column 'amount': 'n/a' is not a number            (key "not a number")
 *   column 'amount': '1,234' is not a number (hint)    (thousands separators)
 *   column 'amount': '1e309' is out of range (|x| < 1e20)  (key "out of range")
 *   column 'nps': nps '11' is not in 0-10 / '9.5' is not a whole number in 0-10 */
void jt_reject_number(struct jt_rejects *rj, const char *src, const struct jt_record *rec, const char *col,
		      const char *what, const char *s, size_t n, int rc, const char *range);
/* For a part of a file read on another thread (jt_read_part): rejects are
 * counted and kept, nothing is printed or written; with --strict the first
 * one sets *stop (the part's read ends) instead of ending the run. */
struct jt_rejects *jt_rejects_deferred(const struct jt_common *c, volatile int *stop);
/* Replays a deferred part's rejects into rj, in order, as if read there: its
 * record lines counted from base (the part's first line in the file). With
 * --strict the first one ends the run. Adds its rows read and skipped. */
void jt_rejects_replay(struct jt_rejects *rj, struct jt_rejects *part, unsigned long long base);
uint64_t jt_rejected(const struct jt_rejects *rj);
/* Data records read so far (every one, rejected or not, of any shard). */
uint64_t jt_rows_read(const struct jt_rejects *rj);
/* Summary line, --stats, --rejects committed; returns 1 when --max-rejects
 * was exceeded, else 0. rows_out < 0 means in - skipped - rejected. */
int jt_rejects_finish(struct jt_rejects *rj, long long rows_out);
void jt_rejects_free(struct jt_rejects *rj);

/* --since/--until on the 'time' column. */
struct jt_timefilter {
	int active;
	size_t col;
};
/* Resolves 'time' when --since/--until were given (dies if the column is missing). */
void jt_timefilter_bind(struct jt_timefilter *tf, const struct jt_common *c, const struct jt_header *h,
			const char *src);
/* 1 keep; 0 outside the range (counted as skipped); -1 rejected. */
int jt_timefilter_keep(const struct jt_timefilter *tf, const struct jt_common *c, struct jt_rejects *rj,
		       const char *src, const struct jt_record *rec);

#endif
