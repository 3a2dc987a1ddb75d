/* time.h — timestamps as seconds since the epoch (UTC), buckets, durations. */
#ifndef JT_TIME_H
#define JT_TIME_H

#include <stddef.h>
#include <stdint.h>

/* ISO 8601 / RFC 3339: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:]MM|±HH].
 * Fractions are truncated; a time without offset is UTC. Returns 0 or -1. */
int jt_time_parse(const char *s, size_t n, int64_t *t);
/* Timestamps an export may hold (jtouch). Automatic formats: ISO 8601 / RFC 3339
 * (T or space), YYYY/M/D, D.M.YYYY, M/D/YYYY or D/M/YYYY by the date order, each
 * with an optional H:MM[:SS[.frac]], AM/PM, and Z, UTC, GMT or an offset. A time
 * without offset is local to tz (UTC when NULL). Epoch seconds (fractions
 * truncated toward the earlier second) or milliseconds when declared. */
enum jt_time_kind { JT_TIME_AUTO, JT_TIME_EPOCH, JT_TIME_EPOCH_MS };
enum jt_date_order { JT_ORDER_NONE, JT_ORDER_MDY, JT_ORDER_DMY };
struct jt_tz;
struct jt_timefmt {
	enum jt_time_kind kind;
	enum jt_date_order order;
	const struct jt_tz *tz;
};
enum { JT_TIME_OK = 0, JT_TIME_BAD = -1, JT_TIME_NEED_ORDER = -2, JT_TIME_RANGE = -3 };
/* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
#define JT_TIME_MIN (-62167219200LL)
#define JT_TIME_MAX 253402300799LL
/* f NULL: ISO 8601 only (as jt_time_parse). Returns a JT_TIME_ code. */
int jt_time_read(const char *s, size_t n, const struct jt_timefmt *f, int64_t *t);

/* YYYY-MM-DDTHH:MM:SSZ; buf >= 32 bytes. */
char *jt_time_format(int64_t t, char *buf);

enum jt_bucket { JT_BUCKET_NONE, JT_BUCKET_DAY, JT_BUCKET_WEEK, JT_BUCKET_MONTH,
	JT_BUCKET_QUARTER, JT_BUCKET_YEAR };
/* "day", "week", ... -> bucket, JT_BUCKET_NONE if not a bucket name. */
enum jt_bucket jt_bucket_from_name(const char *s, size_t n);
const char *jt_bucket_name(enum jt_bucket b);
/* 2024-03-05, 2024-W10 (ISO week), 2024-03, 2024-Q1, 2024. Returns length. */
size_t jt_time_bucket(int64_t t, enum jt_bucket b, char *buf);

/* N followed by s, m, h, d or w (a bare N is seconds). Returns 0 or -1. */
int jt_duration_parse(const char *s, int64_t *seconds);

int64_t jt_days_from_civil(int64_t y, unsigned m, unsigned d);
void jt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif
