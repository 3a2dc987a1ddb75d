/* time.h — timestamps as seconds since the epoch (UTC), buckets, durations. */
#ifndef JT_TIME_H
#define JT_TIME_H

#include <stddef.h>
#include <stdint.h>

/* ISO 8601 / RFC 3339: YYYY-MM-DD, YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH[:]MM|±HH].
 * Fractions are truncated; a time without offset is UTC. Returns 0 or -1. */
int jt_time_parse(const char *s, size_t n, int64_t *t);
/* Timestamps an export may hold (jtouch). Automatic formats: ISO 8601 / RFC 3339
 * (T or space), YYYYMMDD, YYYY/M/D, A/B/Y, A-B-Y and A.B.Y (Y of four or two
 * digits) by the date order (a dotted date is day first without one), D-Mon-Y,
 * D Mon Y and Mon D, YYYY with month names, each with an optional
 * H:MM[:SS[.frac]], AM/PM, and Z, UTC, GMT or an offset. A time without offset
 * is local to tz (UTC when NULL). Epoch seconds (fractions truncated toward the
 * earlier second) or milliseconds when declared; JT_TIME_FORMAT reads with fmt
 * (jt_tfmt_compile); JT_TIME_ISO is jt_time_parse's ISO 8601 with tz. */
enum jt_time_kind { JT_TIME_AUTO, JT_TIME_EPOCH, JT_TIME_EPOCH_MS, JT_TIME_FORMAT, JT_TIME_ISO };
enum jt_date_order { JT_ORDER_NONE, JT_ORDER_MDY, JT_ORDER_DMY };
struct jt_tz;
struct jt_tfmt;
struct jt_months;
struct jt_zones;
struct jt_timefmt {
	enum jt_time_kind kind;
	enum jt_date_order order;
	const struct jt_tz *tz;
	const struct jt_months *months;	/* month names; NULL: English */
	const struct jt_tfmt *fmt;	/* JT_TIME_FORMAT */
	struct jt_zones *zones;	/* %Z: zones loaded so far (the caller's); NULL: UTC, GMT and Z only */
};
enum { JT_TIME_OK = 0, JT_TIME_BAD = -1, JT_TIME_NEED_ORDER = -2, JT_TIME_RANGE = -3 };
/* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
#define JT_TIME_MIN (-62167219200LL)
#define JT_TIME_MAX 253402300799LL
/* f NULL: ISO 8601 only (as jt_time_parse). Returns a JT_TIME_ code. */
int jt_time_read(const char *s, size_t n, const struct jt_timefmt *f, int64_t *t);
/* A two-digit year: 70-99 are 1970-1999, 00-69 are 2000-2069. */
int jt_year2(int yy);

/* ---- strptime-style formats (timefmt.c) ----
 * %Y %y %m %d %e %H %I %M %S %f %p %b %B %j %z %Z %% and literal text; a
 * blank matches one or more blanks. Exact: the whole value must match. */
/* Compiles fmt; NULL with a one-line reason in err when it is not a format. */
struct jt_tfmt *jt_tfmt_compile(const char *fmt, char *err, size_t errlen);
/* Reads s with fmt (jt_time_read with kind JT_TIME_FORMAT): f gives the zone
 * of times without one, the month names and the %Z zones. A JT_TIME_ code. */
int jt_tfmt_read(const struct jt_tfmt *fmt, const char *s, size_t n, const struct jt_timefmt *f, int64_t *t);
/* The format as given. */
const char *jt_tfmt_text(const struct jt_tfmt *f);
void jt_tfmt_free(struct jt_tfmt *f);

/* Month names, for %b, %B and the automatic formats: up to JT_MONTH_NAMES
 * names per month, each at most JT_MONTH_NAME_MAX bytes, kept case-folded
 * (ASCII and the Latin-1 letters U+00C0-U+00DE in UTF-8). */
enum { JT_MONTH_NAMES = 8, JT_MONTH_NAME_MAX = 32 };
struct jt_months {
	unsigned char n[12];	/* names of each month */
	char name[12][JT_MONTH_NAMES][JT_MONTH_NAME_MAX + 1];
};
/* The English names (January, Jan, ..., Sept, ...). */
extern const struct jt_months jt_months_english;
/* A month names file (jtouch-profile(5)): 12 lines, January first, each the
 * blank-separated names of its month; '#' lines and blank lines aside.
 * Returns 0, or -1 with the reason and its 1-based line. */
int jt_months_parse(const char *text, size_t len, struct jt_months *m, char *err, size_t errlen, unsigned *line);
/* The longest month name at s (m NULL: English): its length, and the month
 * 1-12 in *month; 0 when none. */
size_t jt_month_match(const char *s, size_t n, const struct jt_months *m, int *month);

/* Zones named by %Z values, loaded once each (at most JT_ZONES_CACHED kept;
 * more are loaded for each value). Owned by one reader at a time. */
enum { JT_ZONES_CACHED = 16 };
struct jt_zones {
	size_t n;
	struct {
		char name[64];
		struct jt_tz *z;	/* NULL: not a zone */
	} e[JT_ZONES_CACHED];
};
void jt_zones_free(struct jt_zones *z);

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
