/* time.c — timestamps (lib/jtime.c, lib/tz.c) from any bytes: read as ISO
 * 8601 (jt_time_parse) and as jtouch reads them (every --date-order, epoch
 * seconds and milliseconds, no zone and three --tz zones), as a duration;
 * results formatted and bucketed. Checks: a time read is within years
 * 0000-9999; an ISO time formats and reads back to the same second, and the
 * automatic formats read it the same; a time without offset read in a zone is
 * jt_tz_to_utc of the same time read without one. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"
#include "jt_tz.h"

static const char *const zones[] = { "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu" };
enum { NZONE = sizeof zones / sizeof *zones };
static struct jt_tz *tz[NZONE];

static void use(int64_t t)
{
	char buf[32];
	FUZZ_ASSERT(t >= JT_TIME_MIN && t <= JT_TIME_MAX, "time %lld outside years 0000-9999", (long long)t);
	jt_time_format(t, buf);
	FUZZ_ASSERT(strlen(buf) == 20, "formatted as '%s'", buf);
	for (int b = JT_BUCKET_DAY; b <= JT_BUCKET_YEAR; b++)
		FUZZ_ASSERT(jt_time_bucket(t, (enum jt_bucket)b, buf) < 32, "bucket too long");
	for (size_t z = 0; z < NZONE; z++)
		if (tz[z]) {
			long off = jt_tz_offset(tz[z], t);
			FUZZ_ASSERT(off > -86400 && off < 86400, "offset %ld", off);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	const char *s = (const char *)data;
	int64_t t, iso_t = 0;
	char buf[32];
	if (!init) {
		char err[256];
		init = 1;
		for (size_t z = 0; z < NZONE; z++)
			tz[z] = jt_tz_load(zones[z], err, sizeof err);	/* NULL without tzdata: skipped */
	}

	int iso = jt_time_parse(s, size, &iso_t) == 0;
	if (iso) {
		use(iso_t);
		jt_time_format(iso_t, buf);
		FUZZ_ASSERT(jt_time_parse(buf, strlen(buf), &t) == 0 && t == iso_t, "'%s' does not read back", buf);
	}
	for (int order = JT_ORDER_NONE; order <= JT_ORDER_DMY; order++)
		for (int kind = JT_TIME_AUTO; kind <= JT_TIME_EPOCH_MS; kind++) {
			struct jt_timefmt f = { (enum jt_time_kind)kind, (enum jt_date_order)order, NULL };
			int64_t plain = 0;
			int rc = jt_time_read(s, size, &f, &plain);
			FUZZ_ASSERT(rc <= 0 && rc >= JT_TIME_RANGE, "code %d", rc);
			FUZZ_ASSERT(rc != JT_TIME_NEED_ORDER || order == JT_ORDER_NONE, "needs an order though it has one");
			if (rc == JT_TIME_OK)
				use(plain);
			if (iso && kind == JT_TIME_AUTO)
				FUZZ_ASSERT(rc == JT_TIME_OK && plain == iso_t, "an ISO time read otherwise (order %d)", order);
			for (size_t z = 0; z < NZONE; z++) {
				if (!tz[z])
					continue;
				f.tz = tz[z];
				int rz = jt_time_read(s, size, &f, &t);
				if (rz == JT_TIME_OK) {
					use(t);
					if (rc == JT_TIME_OK)
						FUZZ_ASSERT(t == plain || t == jt_tz_to_utc(tz[z], plain),
							    "read in %s: %lld, without a zone %lld", zones[z], (long long)t,
							    (long long)plain);
				}
				FUZZ_ASSERT(rz != JT_TIME_BAD || rc == JT_TIME_BAD, "a zone turns a time bad");
			}
		}
	char *z = jt_xmemdup(s, size);	/* durations are C strings */
	jt_duration_parse(z, &t);
	free(z);
	return 0;
}
