/* jt_tz.h — IANA time zones read from TZif files: UTC offsets and local time -> UTC.
 * A loaded zone is read-only: lookups never allocate and never touch the C
 * library's TZ state, so one zone may serve many rows (and threads). */
#ifndef JT_TZ_H
#define JT_TZ_H

#include <stddef.h>
#include <stdint.h>

struct jt_tz;
/* Loads zone NAME ("UTC", "Etc/UTC", "America/New_York", ...) from $TZDIR or
 * /usr/share/zoneinfo. Returns NULL and writes a one-line lower-case reason into
 * err (e.g. "unknown time zone 'Europe/Nowhere' (no file /usr/share/zoneinfo/Europe/Nowhere)",
 * "time zone 'x' is not a TZif file") on failure. Names with "..", a leading '/',
 * or characters outside [A-Za-z0-9/_+-] are refused. "UTC" and "Z" work without any files. */
struct jt_tz *jt_tz_load(const char *name, char *err, size_t errlen);
/* A zone from the bytes of a TZif file (what jt_tz_load reads), named name;
 * NULL when they are not one. */
struct jt_tz *jt_tz_parse(const void *buf, size_t len, const char *name);
/* The name given to jt_tz_load. */
const char *jt_tz_name(const struct jt_tz *z);
/* UTC offset in seconds in effect at UTC instant t. */
long jt_tz_offset(const struct jt_tz *z, int64_t t);
/* Local wall-clock time (seconds since 1970-01-01T00:00 as if it were UTC) -> UTC
 * instant, resolving DST gaps and overlaps as Python's zoneinfo does with fold=0:
 * an ambiguous time (overlap) takes the EARLIER instant (the offset in effect before
 * the transition); a time in a gap uses the offset in effect before the transition
 * (so 02:30 on a spring-forward night in America/New_York -> 07:30Z = 03:30 EDT). */
int64_t jt_tz_to_utc(const struct jt_tz *z, int64_t local);
/* The other way: UTC instant t as local wall-clock time in z (t itself when z is
 * NULL: UTC), for buckets and periods of the zone's calendar. */
int64_t jt_tz_local(const struct jt_tz *z, int64_t t);
/* Frees z; NULL is fine. */
void jt_tz_free(struct jt_tz *z);

#endif
