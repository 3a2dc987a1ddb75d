/* tzif.c — a time zone file (lib/tz.c, RFC 8536 TZif with its POSIX TZ rule
 * footer) from any bytes, as jtouch --tz reads one from $TZDIR. When the bytes
 * parse, offsets and local-to-UTC conversions are asked at instants across
 * the whole range (the file's transitions, the rule's 400-year cycle, far
 * past and future). Checks: every offset lies within RFC 8536's bounds, and
 * a local time moves by at most one such offset. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"
#include "jt_tz.h"

#define OFF_MAX 93599	/* RFC 8536: utoff in [-89999, 93599]; POSIX rules stay within 24:59:59 */

static void at(const struct jt_tz *z, int64_t t)
{
	long off = jt_tz_offset(z, t);
	FUZZ_ASSERT(off >= -OFF_MAX && off <= OFF_MAX, "offset %ld at %lld", off, (long long)t);
	int64_t u = jt_tz_to_utc(z, t);
	if (t > -((int64_t)1 << 60) && t < ((int64_t)1 << 60))
		FUZZ_ASSERT(t - u >= -OFF_MAX && t - u <= OFF_MAX, "local %lld -> UTC %lld", (long long)t,
			    (long long)u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jt_tz *z = jt_tz_parse(data, size, "fuzz");
	if (!z)
		return 0;
	FUZZ_ASSERT(strcmp(jt_tz_name(z), "fuzz") == 0, "name '%s'", jt_tz_name(z));
	static const int64_t fixed[] = { INT64_MIN, -((int64_t)1 << 61), JT_TIME_MIN - 1, JT_TIME_MIN, -1, 0, 1,
					 946684800, 1710054000, 1730613600, 2147483647, 2147483648LL,
					 JT_TIME_MAX, JT_TIME_MAX + 1, (int64_t)1 << 61, INT64_MAX };
	for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
		at(z, fixed[i]);
	/* every 61 days of 1999-2402 (the rule's cycle and its edges), and around
	 * instants the input itself names (its 64-bit words) */
	for (int64_t t = 915148800; t < 13569465600LL; t += 61 * 86400 + 3607)
		at(z, t);
	for (size_t i = 0; i + 8 <= size; i += 8) {
		int64_t t = 0;
		for (int k = 0; k < 8; k++)
			t = (int64_t)((uint64_t)t << 8 | data[i + (size_t)k]);
		for (int64_t d = -3600; d <= 3600; d += 1800)
			if ((d < 0 && t > INT64_MIN - d) || (d >= 0 && t < INT64_MAX - d))
				at(z, t + d);
	}
	jt_tz_free(z);
	return 0;
}
