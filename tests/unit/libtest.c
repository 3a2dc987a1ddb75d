/* libtest.c — checks of lib/ functions no program exposes on its own yet
 * (durations, FNV-1a vectors for --shard) and the edge cases of numbers and
 * times, run by tests/lib.bats. Prints each failure and exits 1. */
#include <stdio.h>
#include <string.h>

#include "jt.h"

static int fails, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { fails++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); putchar('\n'); } } while (0)

static void dur(const char *s, int rc, int64_t want)
{
	int64_t v = -1;
	int r = jt_duration_parse(s, &v);
	CHECK(r == rc && (rc != 0 || v == want), "duration '%s': rc %d value %lld", s, r, (long long)v);
}

static void dec(const char *s, int rc, const char *want)
{
	jt_i128 v;
	char buf[64];
	int r = jt_dec_parse(s, strlen(s), &v);
	CHECK(r == rc, "number '%s': rc %d, want %d", s, r, rc);
	if (r == 0 && want)
		CHECK(strcmp(jt_dec_format(v, buf), want) == 0, "number '%s' -> '%s', want '%s'", s, buf, want);
}

static void tm(const char *s, int rc, const char *want)
{
	int64_t t;
	char buf[32];
	int r = jt_time_parse(s, strlen(s), &t);
	CHECK(r == rc, "time '%s': rc %d, want %d", s, r, rc);
	if (r == 0 && want)
		CHECK(strcmp(jt_time_format(t, buf), want) == 0, "time '%s' -> '%s', want '%s'", s, buf, want);
}

static void bucket(const char *s, enum jt_bucket b, const char *want)
{
	int64_t t;
	char buf[32];
	jt_time_parse(s, strlen(s), &t);
	jt_time_bucket(t, b, buf);
	CHECK(strcmp(buf, want) == 0, "bucket %s of '%s' -> '%s', want '%s'", jt_bucket_name(b), s, buf, want);
}

int main(void)
{
	jt_setprogname("libtest");

	dur("90d", 0, 7776000); dur("15m", 0, 900); dur("2h", 0, 7200); dur("1w", 0, 604800);
	dur("30s", 0, 30); dur("45", 0, 45); dur("", -1, 0); dur("d", -1, 0); dur("5y", -1, 0);
	dur("5dd", -1, 0); dur("-5d", -1, 0); dur("1.5h", -1, 0);

	/* FNV-1a 64 test vectors (the --shard hash of DESIGN §7) */
	CHECK(jt_fnv1a64("", 0) == 0xcbf29ce484222325ULL, "fnv1a64('')");
	CHECK(jt_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cULL, "fnv1a64('a')");
	CHECK(jt_fnv1a64("foobar", 6) == 0x85944171f73967e8ULL, "fnv1a64('foobar')");

	dec("0.1", 0, "0.1"); dec("-0", 0, "0"); dec("1e-9", 0, "0.000000001");
	dec("1e-10", 0, "0"); dec("0.0000000015", 0, "0.000000002"); dec("0.0000000025", 0, "0.000000002");
	dec("99999999999999999999.5", 0, "99999999999999999999.5"); dec("100000000000000000000", 2, NULL); dec("1e20", 2, NULL); dec("-1e19", 0, "-10000000000000000000");
	dec("1e309", 2, NULL); dec("1,000", 1, NULL); dec("1e", 1, NULL); dec("+", 1, NULL); dec(".", 1, NULL);
	dec("0x1A", 1, NULL); dec("NaN", 1, NULL); dec("12 ", 1, NULL); dec("000123.4500", 0, "123.45");

	tm("2024-02-29", 0, "2024-02-29T00:00:00Z"); tm("2023-02-29", -1, NULL);
	tm("2024-03-05T14:02:11+01:00", 0, "2024-03-05T13:02:11Z");
	tm("2024-03-05 14:02", 0, "2024-03-05T14:02:00Z"); tm("2024-03-05T14:02:11.999Z", 0, "2024-03-05T14:02:11Z");
	tm("2024-12-31T23:30:00-0130", 0, "2025-01-01T01:00:00Z"); tm("0000-01-01", 0, "0000-01-01T00:00:00Z");
	tm("9999-12-31T23:59:59Z", 0, "9999-12-31T23:59:59Z"); tm("2024-13-01", -1, NULL);
	tm("2024-01-01T24:00:00Z", -1, NULL); tm("2024-01-01T10:00:00Zjunk", -1, NULL); tm("03/05/2024", -1, NULL);
	tm("1969-12-31T23:59:59Z", 0, "1969-12-31T23:59:59Z");

	bucket("2024-12-30", JT_BUCKET_WEEK, "2025-W01"); bucket("2021-01-03", JT_BUCKET_WEEK, "2020-W53");
	bucket("2024-03-05", JT_BUCKET_WEEK, "2024-W10"); bucket("2024-05-17", JT_BUCKET_QUARTER, "2024-Q2");
	bucket("1969-12-31T23:00:00Z", JT_BUCKET_DAY, "1969-12-31"); bucket("2024-11-01", JT_BUCKET_MONTH, "2024-11");

	if (fails) {
		printf("%d of %d checks failed\n", fails, checks);
		return 1;
	}
	printf("%d checks passed\n", checks);
	return 0;
}
