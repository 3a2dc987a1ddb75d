/* num.c — exact decimals (lib/num.c) from any bytes, as every KPI reads a
 * cell (sum, mean, NPS, CSAT, amounts). Checks: a number read is below 1e20;
 * it formats and reads back to the same value; ratios and doubles format
 * into their buffers. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"

/* "-0", "-0.00": a negative sign with no digit but zeros */
static int neg_zero(const char *s)
{
	if (*s != '-')
		return 0;
	for (s++; *s; s++)
		if (*s >= '1' && *s <= '9')
			return 0;
	return 1;
}

static const jt_i128 LIM = (jt_i128)100000000000LL * 1000000000 * JT_DEC_SCALE;	/* 1e20 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jt_i128 v, w;
	char buf[64], buf2[64];
	int rc = jt_dec_parse((const char *)data, size, &v);
	FUZZ_ASSERT(rc == JT_NUM_OK || rc == JT_NUM_SYNTAX || rc == JT_NUM_RANGE, "code %d", rc);
	if (rc == JT_NUM_OK) {
		FUZZ_ASSERT(v < LIM && v > -LIM, "a number of 1e20 or more");
		jt_dec_format(v, buf);
		FUZZ_ASSERT(strlen(buf) < 64, "formatted too long");
		FUZZ_ASSERT(jt_dec_parse(buf, strlen(buf), &w) == JT_NUM_OK && w == v, "'%s' does not read back", buf);
		double d = jt_dec_to_double(v);
		for (int dec = 0; dec <= 9; dec += 3) {
			jt_fmt_double(d, dec, buf2);
			FUZZ_ASSERT(strlen(buf2) < 64 && !neg_zero(buf2), "%.17g with %d decimals: '%s'", d, dec, buf2);
			jt_fmt_ratio(v, 7, dec, buf2);
			FUZZ_ASSERT(!neg_zero(buf2), "ratio '%s'", buf2);
			jt_fmt_ratio(v, v < 0 ? -v : v ? v : 1, dec, buf2);
			FUZZ_ASSERT(!neg_zero(buf2), "ratio '%s'", buf2);
		}
	}
	char *z = jt_xmemdup(data, size);	/* option values are C strings */
	uint64_t u;
	jt_parse_size(z, &u);
	free(z);
	return 0;
}
