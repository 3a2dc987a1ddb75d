/* libtest.c — checks of lib/ functions no program exposes on its own yet
 * (durations, FNV-1a vectors for --shard, time zones) and the edge cases of
 * numbers and times, run by tests/lib.bats. Prints each failure and exits 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt.h"
#include "jt_clv.h"
#include "jt_hash.h"
#include "jt_itab.h"
#include "jt_stats.h"
#include "jt_tstore.h"
#include "jt_tz.h"

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

/* ---- time zones (lib/tz.c); expected values checked with python3 zoneinfo,
 * and with glibc for the Julian-day rules (zoneinfo reads 'n' one day early) ---- */

#define ZONEINFO "/usr/share/zoneinfo"

static struct jt_tz *tzload(const char *name)
{
	char err[256] = "";
	struct jt_tz *z = jt_tz_load(name, err, sizeof err);
	CHECK(z != NULL, "load time zone '%s': %s", name, err);
	return z;
}

/* Local wall-clock time -> UTC (fold=0). */
static void tzl(const struct jt_tz *z, const char *local, const char *want)
{
	int64_t t;
	char buf[32];
	if (!z)
		return;
	jt_time_parse(local, strlen(local), &t);
	jt_time_format(jt_tz_to_utc(z, t), buf);
	CHECK(strcmp(buf, want) == 0, "%s: local %s -> %s, want %s", jt_tz_name(z), local, buf, want);
}

static void tzo(const struct jt_tz *z, const char *utc, long want)
{
	int64_t t;
	if (!z)
		return;
	jt_time_parse(utc, strlen(utc), &t);
	long got = jt_tz_offset(z, t);
	CHECK(got == want, "%s: offset at %s is %ld, want %ld", jt_tz_name(z), utc, got, want);
}

/* Raw seconds: local -> UTC and the offset at a UTC instant. */
static void tzraw(const struct jt_tz *z, int64_t local, int64_t want_utc, int64_t t, long want_off)
{
	if (!z)
		return;
	int64_t u = jt_tz_to_utc(z, local);
	long o = jt_tz_offset(z, t);
	CHECK(u == want_utc, "%s: local %lld -> %lld, want %lld", jt_tz_name(z), (long long)local,
		(long long)u, (long long)want_utc);
	CHECK(o == want_off, "%s: offset at %lld is %ld, want %ld", jt_tz_name(z), (long long)t, o, want_off);
}

static void tzbad(const char *name, const char *want)
{
	char err[256] = "";
	struct jt_tz *z = jt_tz_load(name, err, sizeof err);
	CHECK(!z && strstr(err, want) && !strchr(err, '\n'), "load '%s': want an error with \"%s\", got \"%s\"",
		name, want, err);
	jt_tz_free(z);
}

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(p, 1, n, f) == n;
	if (f)
		ok &= fclose(f) == 0;
	if (!ok)
		CHECK(0, "cannot write %s", path);
}

static void be(unsigned char *p, uint64_t v, int w)
{
	for (int i = 0; i < w; i++)
		p[i] = (unsigned char)(v >> (8 * (w - 1 - i)));
}

/* One TZif header and data block: n transitions (w-byte times), nt types, designation "XXX". */
static size_t tzif_block(unsigned char *b, char ver, int w, int n, const int64_t *at,
	const unsigned char *idx, int nt, const int32_t *off)
{
	unsigned char *p = b;
	memcpy(p, "TZif", 4);
	p[4] = (unsigned char)ver;
	memset(p + 5, 0, 39);
	be(p + 32, (uint64_t)n, 4);
	be(p + 36, (uint64_t)nt, 4);
	be(p + 40, 4, 4);
	p += 44;
	for (int i = 0; i < n; i++, p += w)
		be(p, (uint64_t)at[i], w);
	for (int i = 0; i < n; i++)
		*p++ = idx[i];
	for (int i = 0; i < nt; i++, p += 6) {
		be(p, (uint64_t)(int64_t)off[i], 4);
		p[4] = p[5] = 0;
	}
	memcpy(p, "XXX", 4);
	return (size_t)(p + 4 - b);
}

/* A version ver (>= '2') file: an empty v1 block, the 64-bit block, the footer. */
static size_t tzif2(unsigned char *b, char ver, int n, const int64_t *at, const unsigned char *idx,
	int nt, const int32_t *off, const char *foot)
{
	size_t len = tzif_block(b, ver, 4, 0, NULL, NULL, nt, off);
	len += tzif_block(b + len, ver, 8, n, at, idx, nt, off);
	return len + (size_t)sprintf((char *)b + len, "\n%s\n", foot);
}

/* Footer-only zones: the POSIX rule governs all time. */
static void tz_footers(const char *dir)
{
	static const int32_t off0[1] = { 0 };
	static const char *const foot[][2] = {
		{ "julian", "AAA3BBB,J60/25,J300/-1" }, { "zerobased", "CCC-2DDD,0/12,59/0" },
		{ "alldst", "EST5EDT,0/0,J365/25" }, { "noend", "EST5EDT" }, { "badrule", "EST5EDT,M3.2.0,M13.1.0" },
	};
	unsigned char b[256];
	for (size_t i = 0; i < sizeof foot / sizeof foot[0]; i++)
		put_file(dir, foot[i][0], b, tzif2(b, '3', 0, NULL, NULL, 1, off0, foot[i][1]));

	/* J60 is March 1 even in leap years, /25 the next day 01:00; J300/-1 is October 26 23:00 */
	struct jt_tz *z = tzload("julian");
	tzo(z, "2023-03-02T03:59:59Z", -10800); tzo(z, "2023-03-02T04:00:00Z", -7200);
	tzo(z, "2024-03-02T03:59:59Z", -10800); tzo(z, "2024-03-02T04:00:00Z", -7200);
	tzo(z, "2023-10-27T00:59:59Z", -7200); tzo(z, "2023-10-27T01:00:00Z", -10800);
	tzo(z, "2024-10-27T00:59:59Z", -7200); tzo(z, "2024-10-27T01:00:00Z", -10800);
	tzl(z, "2023-03-02 01:30", "2023-03-02T04:30:00Z"); tzl(z, "2023-10-26 22:30", "2023-10-27T00:30:00Z");
	jt_tz_free(z);
	/* day 0 is January 1; day 59 is March 1, or February 29 in a leap year */
	z = tzload("zerobased");
	tzo(z, "2023-01-01T09:59:59Z", 7200); tzo(z, "2023-01-01T10:00:00Z", 10800);
	tzo(z, "2023-02-28T20:59:59Z", 10800); tzo(z, "2023-02-28T21:00:00Z", 7200);
	tzo(z, "2024-02-28T20:59:59Z", 10800); tzo(z, "2024-02-28T21:00:00Z", 7200);
	jt_tz_free(z);
	/* RFC 8536's DST all year round */
	z = tzload("alldst");
	tzo(z, "2023-06-01T00:00:00Z", -14400); tzo(z, "2023-12-31T23:59:59Z", -14400);
	tzo(z, "2024-01-01T05:00:00Z", -14400); tzl(z, "2024-01-01 00:30", "2024-01-01T04:30:00Z");
	jt_tz_free(z);
	tzbad("noend", "time zone 'noend' is not a TZif file");
	tzbad("badrule", "is not a TZif file");
}

/* Hand-made transition tables: version 1, and changes three hours apart. */
static void tz_tables(const char *dir)
{
	static const int64_t at1[] = { 0, 1000000 }, at3[] = { 100000, 110800, 120000 };
	static const unsigned char idx1[] = { 1, 0 }, idx3[] = { 1, 2, 0 };
	static const int32_t off1[] = { 3600, 7200 }, off3[] = { 0, 7200, -3600 };
	unsigned char b[512];
	put_file(dir, "v1", b, tzif_block(b, 0, 4, 2, at1, idx1, 2, off1));
	put_file(dir, "close", b, tzif2(b, '2', 3, at3, idx3, 3, off3, ""));

	/* type 0 before the first change, the last type after the last (no footer) */
	struct jt_tz *z = tzload("v1");
	tzraw(z, 3599, -1, -1, 3600); tzraw(z, 5000, 1400, 0, 7200); tzraw(z, 7200, 0, 999999, 7200);
	tzraw(z, 1005000, 997800, 1000000, 3600); tzraw(z, 1007200, 1003600, 2000000000, 3600);
	jt_tz_free(z);
	/* +2h at 100000, -1h at 110800, 0 at 120000: fold=0 local bounds 107200, 118000, 120000 */
	z = tzload("close");
	tzraw(z, 107199, 107199, 99999, 0); tzraw(z, 107200, 100000, 100000, 7200);
	tzraw(z, 117999, 110799, 110799, 7200); tzraw(z, 118000, 121600, 110800, -3600);
	tzraw(z, 119999, 123599, 119999, -3600); tzraw(z, 120000, 120000, 120000, 0);
	jt_tz_free(z);
}

/* Broken files: none may load, and none may crash or read past the end. */
static void tz_hostile(const char *dir)
{
	static const int32_t off0[1] = { 0 };
	unsigned char b[256];
	put_file(dir, "short", "TZif2", 5);
	put_file(dir, "text", "hello, world\n", 13);
	tzbad("short", "time zone 'short' is not a TZif file");
	tzbad("text", "time zone 'text' is not a TZif file");
	size_t n = tzif2(b, '2', 0, NULL, NULL, 1, off0, "UTC0");
	put_file(dir, "nofooter", b, n - 1);
	tzbad("nofooter", "is not a TZif file");
	be(b + 32, 0xffffffff, 4);
	put_file(dir, "hugecount", b, n);
	tzbad("hugecount", "is not a TZif file");
	b[4] = '1';
	put_file(dir, "version1", b, n);
	tzbad("version1", "is not a TZif file");
}

/* Every prefix of a real file fails; a flipped byte fails or still gives sane offsets. */
static void tz_mangled(const char *dir)
{
	static unsigned char b[1 << 16];
	char err[256];
	int loaded = 0, odd = 0;
	FILE *f = fopen(ZONEINFO "/America/New_York", "rb");
	size_t n = f ? fread(b, 1, sizeof b, f) : 0;
	if (f)
		fclose(f);
	for (size_t k = 0; k < n; k++) {
		put_file(dir, "cut", b, k);
		struct jt_tz *z = jt_tz_load("cut", err, sizeof err);
		loaded += z != NULL;
		jt_tz_free(z);
	}
	CHECK(n > 1000 && loaded == 0, "%d of %zu prefixes of America/New_York loaded", loaded, n);
	for (size_t k = 0; k < n; k++) {
		b[k] ^= 0x5a;
		put_file(dir, "flip", b, n);
		b[k] ^= 0x5a;
		struct jt_tz *z = jt_tz_load("flip", err, sizeof err);
		for (int64_t t = -5000000000; z && t < 10000000000; t += 123456789) {
			long o = jt_tz_offset(z, t);
			int64_t u = jt_tz_to_utc(z, t);
			odd += o < -90000 || o > 94000 || u - t < -94000 || u - t > 90000;
		}
		jt_tz_free(z);
	}
	CHECK(odd == 0, "%d odd offsets from America/New_York with a flipped byte", odd);
}

/* Real zones from the system tzdata. */
static void tz_zones(void)
{
	struct jt_tz *z = tzload("America/New_York");
	tzl(z, "2024-03-10 02:30", "2024-03-10T07:30:00Z"); tzl(z, "2024-03-10 01:59:59", "2024-03-10T06:59:59Z");
	tzl(z, "2024-03-10 03:00", "2024-03-10T07:00:00Z"); tzl(z, "2024-11-03 01:30", "2024-11-03T05:30:00Z");
	tzl(z, "2024-11-03 02:00", "2024-11-03T07:00:00Z"); tzl(z, "2024-07-01 12:00", "2024-07-01T16:00:00Z");
	tzl(z, "2024-01-15 12:00", "2024-01-15T17:00:00Z");
	tzl(z, "2100-07-01 12:00", "2100-07-01T16:00:00Z"); tzl(z, "2100-03-14 02:30", "2100-03-14T07:30:00Z");
	tzl(z, "2100-11-07 01:30", "2100-11-07T05:30:00Z");
	tzo(z, "2024-07-01T12:00:00Z", -14400); tzo(z, "2024-01-15T12:00:00Z", -18000);
	tzo(z, "2024-03-10T06:59:59Z", -18000); tzo(z, "2024-03-10T07:00:00Z", -14400);
	tzo(z, "2100-11-07T05:59:59Z", -14400); tzo(z, "2100-11-07T06:00:00Z", -18000);
	tzo(z, "2500-03-14T06:59:59Z", -18000); tzo(z, "2500-03-14T07:00:00Z", -14400);
	tzo(z, "9999-03-14T06:59:59Z", -18000); tzo(z, "9999-03-14T07:00:00Z", -14400);
	tzl(z, "9999-03-14 02:30", "9999-03-14T07:30:00Z"); tzl(z, "9999-03-14 03:00", "9999-03-14T07:00:00Z");
	tzo(z, "1800-01-01T00:00:00Z", -17762);
	CHECK(!z || strcmp(jt_tz_name(z), "America/New_York") == 0, "jt_tz_name");
	jt_tz_free(z);

	z = tzload("Europe/Berlin");
	tzl(z, "2024-03-31 02:30", "2024-03-31T01:30:00Z"); tzl(z, "2024-10-27 02:30", "2024-10-27T00:30:00Z");
	tzo(z, "2024-07-01T00:00:00Z", 7200);
	/* footer M3.5.0: the last Sunday of March 2100 is the 28th (a fifth week would be April 4) */
	tzo(z, "2100-03-28T00:59:59Z", 3600); tzo(z, "2100-03-28T01:00:00Z", 7200);
	tzl(z, "2100-03-28 03:00", "2100-03-28T01:00:00Z");
	jt_tz_free(z);

	/* no DST since 2019: footer <-03>3 */
	z = tzload("America/Sao_Paulo");
	tzl(z, "2018-07-29 13:54:51", "2018-07-29T16:54:51Z"); tzl(z, "2018-11-04 00:30", "2018-11-04T03:30:00Z");
	tzl(z, "2019-02-16 23:30", "2019-02-17T01:30:00Z"); tzl(z, "2100-01-01 00:00", "2100-01-01T03:00:00Z");
	tzo(z, "2018-12-01T00:00:00Z", -7200); tzo(z, "2100-01-01T00:00:00Z", -10800);
	jt_tz_free(z);

	/* 30-minute DST in the southern hemisphere, in the table and by the footer */
	z = tzload("Australia/Lord_Howe");
	tzl(z, "2024-10-06 02:15", "2024-10-05T15:45:00Z"); tzl(z, "2024-04-07 01:45", "2024-04-06T14:45:00Z");
	tzl(z, "2100-10-03 02:15", "2100-10-02T15:45:00Z"); tzl(z, "2100-04-04 01:45", "2100-04-03T14:45:00Z");
	tzl(z, "2100-01-01 12:00", "2100-01-01T01:00:00Z");
	tzo(z, "2024-07-01T00:00:00Z", 37800); tzo(z, "2024-12-01T00:00:00Z", 39600);
	tzo(z, "2100-12-01T00:00:00Z", 39600);
	jt_tz_free(z);

	/* Samoa skipped 2011-12-30 */
	z = tzload("Pacific/Apia");
	tzl(z, "2011-12-30 12:00", "2011-12-30T22:00:00Z"); tzl(z, "2011-12-31 12:00", "2011-12-30T22:00:00Z");
	tzo(z, "2011-12-29T12:00:00Z", -36000); tzo(z, "2011-12-31T12:00:00Z", 50400);
	jt_tz_free(z);

	/* negative DST (IST-1GMT0), footer times /-1 and /26 */
	z = tzload("Europe/Dublin");
	tzl(z, "2100-10-31 01:30", "2100-10-31T00:30:00Z"); tzl(z, "2100-07-01 12:00", "2100-07-01T11:00:00Z");
	tzo(z, "2100-01-15T00:00:00Z", 0); tzo(z, "2100-07-15T00:00:00Z", 3600);
	jt_tz_free(z);
	z = tzload("America/Nuuk");
	tzl(z, "2100-03-27 23:30", "2100-03-28T01:30:00Z"); tzl(z, "2100-10-30 23:30", "2100-10-31T00:30:00Z");
	tzo(z, "2100-03-28T00:59:59Z", -7200); tzo(z, "2100-03-28T01:00:00Z", -3600);
	jt_tz_free(z);
	z = tzload("Asia/Jerusalem");
	tzl(z, "2100-03-26 02:30", "2100-03-26T00:30:00Z");
	jt_tz_free(z);

	z = tzload("Etc/GMT+5");
	tzo(z, "2024-01-01T00:00:00Z", -18000); tzl(z, "2024-01-01 00:00", "2024-01-01T05:00:00Z");
	jt_tz_free(z);
	z = tzload("Asia/Kolkata");
	tzo(z, "2024-01-01T00:00:00Z", 19800);
	jt_tz_free(z);

	tzbad("Europe/Nowhere", "unknown time zone 'Europe/Nowhere' (no file " ZONEINFO "/Europe/Nowhere)");
	tzbad("America", "unknown time zone 'America' (" ZONEINFO "/America is a directory)");
}

static void tz_checks(void)
{
	char dir[] = "/tmp/jt_tzXXXXXX";
	unsetenv("TZDIR");
	if (access(ZONEINFO "/America/New_York", R_OK) == 0)
		tz_zones();

	tzbad("../etc/passwd", "invalid time zone name '../etc/passwd'");
	tzbad("/etc/passwd", "invalid time zone name");
	tzbad("Europe/Ber lin", "invalid time zone name");
	tzbad("", "invalid time zone name");
	tzbad("a\nb", "invalid time zone name 'a?b'");

	CHECK(mkdtemp(dir) != NULL, "mkdtemp %s", dir);
	setenv("TZDIR", dir, 1);
	/* UTC and Z need no files */
	struct jt_tz *z = tzload("UTC");
	tzo(z, "2024-07-01T12:00:00Z", 0); tzl(z, "2024-07-01 12:00", "2024-07-01T12:00:00Z");
	jt_tz_free(z);
	z = tzload("Z");
	tzo(z, "1900-01-01T00:00:00Z", 0);
	jt_tz_free(z);
	tzbad("Etc/UTC", "unknown time zone 'Etc/UTC' (no file ");

	tz_footers(dir);
	tz_tables(dir);
	tz_hostile(dir);
	if (access(ZONEINFO "/America/New_York", R_OK) == 0)
		tz_mangled(dir);

	static const char *const files[] = { "julian", "zerobased", "alldst", "noend", "badrule", "v1", "close",
		"short", "text", "nofooter", "hugecount", "version1", "cut", "flip" };
	char path[512];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	CHECK(rmdir(dir) == 0, "rmdir %s", dir);
	unsetenv("TZDIR");
}

/* BG/NBD predictions against the lifetimes package's own published example
 * (its README, CDNOW sample: the five customers with the most predicted
 * purchases in the next week, r 0.242593, alpha 4.413679, a 0.792886, b 2.425752),
 * Student's t quantiles against printed tables, and 2F1 against closed forms. */
static void clv_checks(void)
{
	double p[4] = { 0.242593, 4.413679, 0.792886, 2.425752 };
	struct jt_rfm c[5] = { { 18, 35.14, 35.86, 0 }, { 19, 34.00, 34.14, 0 }, { 17, 28.43, 28.86, 0 },
			       { 29, 37.71, 38.00, 0 }, { 26, 30.86, 31.00, 0 } };
	double want[5] = { 0.424877, 0.474738, 0.486526, 0.662396, 0.710623 };
	for (int i = 0; i < 5; i++) {
		double e = jt_bgnbd_expected(p, &c[i], 1);
		CHECK(fabs(e - want[i]) < 5e-6, "bgnbd expected purchases %d: %.6f, lifetimes says %.6f", i, e, want[i]);
	}
	struct jt_rfm none = { 0, 0, 10, 0 };
	CHECK(jt_bgnbd_alive(p, &none) == 1, "a customer without repeat purchases is alive");
	/* 2F1(1, 1; 2; z) = -log(1 - z) / z */
	CHECK(fabs(jt_hyp2f1(1, 1, 2, 0.5) + log(0.5) / 0.5) < 1e-12, "2F1(1,1;2;0.5)");
	/* t quantiles: df 1 12.706205, df 5 2.570582, df 30 2.042272 */
	CHECK(fabs(jt_t_quantile(0.975, 1) - 12.706205) < 1e-5, "t(0.975, 1) = %.6f", jt_t_quantile(0.975, 1));
	CHECK(fabs(jt_t_quantile(0.975, 5) - 2.570582) < 1e-5, "t(0.975, 5) = %.6f", jt_t_quantile(0.975, 5));
	CHECK(fabs(jt_t_quantile(0.975, 30) - 2.042272) < 1e-5, "t(0.975, 30) = %.6f", jt_t_quantile(0.975, 30));
}

/* The record writer (jt_w_record's in-place fast path) against the plain
 * quoting of jt_csv_quote: fields of every kind and length around the 4 KiB
 * buffer, after records that leave the buffer part full, followed by runs of
 * empty fields. A quoted field could leave the buffer full and the next
 * delimiters were written past its end (found by the csv fuzz harness). */
static void writer_checks(void)
{
	static const size_t fill[] = { 1, 7, 100, 1500, 2047 };
	static const size_t tail[] = { 0, 3, 300 };
	static const char kinds[] = { '"', 'a', ',' };
	char *out = NULL;
	size_t outlen = 0, nrec = 0;
	FILE *fp = open_memstream(&out, &outlen);
	struct jt_writer w;
	struct jt_buf want = JT_BUF_INIT;
	char *field = malloc(9000), *filler = malloc(2048);
	const char *f[302];
	size_t len[302];

	jt_writer_init(&w, fp);
	memset(filler, 'x', 2048);
	for (int i = 0; i < 9000; i++)
		field[i] = (char)('a' + i % 26);
	f[0] = "start";	/* the output's first record goes field by field */
	len[0] = 5;
	jt_w_record(&w, f, len, 1, 0);
	jt_buf_add(&want, "start\n", 6);
	for (size_t a = 0; a < sizeof fill / sizeof *fill; a++)
		for (size_t k = 0; k < sizeof kinds; k++)
			for (size_t L = 1; L <= 9000; L += (L >= 1990 && L <= 2060) || (L >= 4080 && L <= 4100) ? 1 : 97)
				for (size_t t = 0; t < sizeof tail / sizeof *tail; t++) {
					f[0] = filler;
					len[0] = fill[a];
					jt_w_record(&w, f, len, 1, 0);
					jt_buf_add(&want, filler, fill[a]);
					jt_buf_addc(&want, '\n');
					char keep = field[L / 2];
					if (kinds[k] == '"')
						memset(field, '"', L);
					else
						field[L / 2] = kinds[k];
					f[0] = field;
					len[0] = L;
					for (size_t e = 1; e <= tail[t]; e++) {
						f[e] = "";
						len[e] = 0;
					}
					jt_w_record(&w, f, len, 1 + tail[t], 0);
					jt_csv_quote(&want, field, L, ',');
					for (size_t e = 0; e < tail[t]; e++)
						jt_buf_addc(&want, ',');
					jt_buf_addc(&want, '\n');
					if (kinds[k] == '"')
						for (size_t i = 0; i < L; i++)
							field[i] = (char)('a' + i % 26);
					else
						field[L / 2] = keep;
					nrec += 2;
				}
	jt_writer_flush(&w);
	fclose(fp);
	size_t at = 0;
	while (at < outlen && at < want.len && out[at] == want.p[at])
		at++;
	CHECK(outlen == want.len && at == outlen, "writer: %zu records, %zu bytes written, %zu expected, first difference at byte %zu",
	      nrec, outlen, want.len, at);
	free(out);
	free(field);
	free(filler);
	jt_buf_free(&want);
}

static int cmp128(const void *x, const void *y)
{
	jt_i128 a = *(const jt_i128 *)x, b = *(const jt_i128 *)y;
	return (a > b) - (a < b);
}

/* jt_sort_i128 against qsort: random, few distinct values, sorted, reversed,
 * organ pipe, huge magnitudes, every length to 40 and some long ones */
static void sorts(void)
{
	static const size_t lens[] = { 100, 1000, 4097, 65536, 200003 };
	jt_i128 *a = malloc(200003 * sizeof *a), *b = malloc(200003 * sizeof *b);
	unsigned long long x = 88172645463325252ULL;
	for (int shape = 0; shape < 6; shape++)
		for (size_t li = 0; li < 40 + sizeof lens / sizeof lens[0]; li++) {
			size_t n = li < 40 ? li : lens[li - 40];
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				jt_i128 v = shape == 0 ? (jt_i128)(long long)x * 1000003 :
					    shape == 1 ? (jt_i128)(x % 3) :
					    shape == 2 ? (jt_i128)i :
					    shape == 3 ? (jt_i128)(n - i) :
					    shape == 4 ? (jt_i128)(i < n / 2 ? i : n - i) :
							 (jt_i128)(long long)x * ((jt_i128)1 << 60) - (jt_i128)(x % 7);
				a[i] = b[i] = v;
			}
			jt_sort_i128(a, n);
			qsort(b, n, sizeof *b, cmp128);
			CHECK(n == 0 || memcmp(a, b, n * sizeof *a) == 0, "jt_sort_i128: shape %d, %zu values", shape, n);
		}
	free(a);
	free(b);
}

static const struct jt_itab *cmp_keys_tab;

static int cmp_keys(const void *x, const void *y)
{
	size_t la, lb;
	const char *a = jt_itab_key(cmp_keys_tab, *(const uint32_t *)x, &la), *b = jt_itab_key(cmp_keys_tab, *(const uint32_t *)y, &lb);
	return jt_bytes_cmp(a, la, b, lb);
}

/* jt_itab_order against qsort by jt_bytes_cmp: keys of 0 to 40 bytes over
 * a small alphabet with NUL and 0xff, most with one of a few long common
 * prefixes (ties at 8, 16 and 24 bytes, a key a prefix of another); and
 * jt_itab_order_cmp of two tables' keys against jt_bytes_cmp. */
static void key_orders(void)
{
	static const char alpha[] = { 0, 1, 'a', 'b', 'z', (char)0x7f, (char)0x80, (char)0xff };
	static const char *const pre[] = { "", "customer_", "customer_00000", "C0", "customer_0000000000000000" };
	struct jt_itab t[2] = { JT_ITAB_INIT, JT_ITAB_INIT };
	unsigned long long x = 2463534242ULL;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < 30000; i++) {
			char key[80];
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			const char *p = pre[x % 5];
			size_t pl = strlen(p), n = (x >> 8) % 12;
			memcpy(key, p, pl);
			for (size_t j = 0; j < n; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				key[pl + j] = alpha[x % 8];
			}
			jt_itab_put(&t[k], key, pl + n, NULL);
		}
	jt_i128 *v[2];
	for (int k = 0; k < 2; k++) {
		size_t n = t[k].n;
		v[k] = malloc((n + 1) * sizeof *v[k]);
		uint32_t *ord = malloc((n + 1) * sizeof *ord);
		for (uint32_t i = 0; i < n; i++)
			ord[i] = i;
		cmp_keys_tab = &t[k];
		qsort(ord, n, sizeof *ord, cmp_keys);
		jt_itab_order(&t[k], v[k]);
		size_t bad = 0;
		for (size_t i = 0; i < n; i++)
			bad += (uint32_t)v[k][i] != ord[i];
		CHECK(bad == 0, "jt_itab_order: %zu of %zu keys out of place", bad, n);
		free(ord);
	}
	size_t bad = 0;
	for (size_t i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		jt_i128 a = v[0][x % t[0].n], b = v[1][(x >> 20) % t[1].n];
		size_t la, lb;
		const char *ka = jt_itab_key(&t[0], (uint32_t)a, &la), *kb = jt_itab_key(&t[1], (uint32_t)b, &lb);
		int want = jt_bytes_cmp(ka, la, kb, lb), got = jt_itab_order_cmp(&t[0], a, &t[1], b);
		bad += (want > 0) - (want < 0) != (got > 0) - (got < 0);
		got = jt_itab_order_cmp(&t[0], a, &t[0], a);	/* a key and itself */
		bad += got != 0;
	}
	CHECK(bad == 0, "jt_itab_order_cmp: %zu of 400000 comparisons wrong", bad);
	for (int k = 0; k < 2; k++) {
		free(v[k]);
		jt_itab_free(&t[k]);
	}
}

/* The row store: rows of 11 columns (the customer, the time, ids, empty
 * values, a column that goes raw, values of 0-40 bytes with NUL and 0xff
 * bytes) put with and without cold values, read back field by field and
 * whole, warmed (cold values read back into the row), and the cold values
 * moved as jstage moves them. */
struct tsmove {
	char *buf;
	uint32_t at;
	const struct jt_tstore *s;
};

static void tstore_move(void *ctx, char *place, size_t len)
{
	struct tsmove *mv = ctx;
	uint32_t off;
	memcpy(&off, place, 4);
	jt_spill_pread(&mv->s->coldf, off, mv->buf + mv->at, len);
	memcpy(place, &mv->at, 4);
	mv->at += (uint32_t)len;
}

static void tstore_checks(void)
{
	enum { NCOL = 11, NROW = 20000 };
	struct jt_tstore s[2];
	char *val[NROW][NCOL];
	size_t vlen[NROW][NCOL];
	const char *rows[2][NROW];
	uint64_t x = 88172645463325252ULL;
	for (int k = 0; k < 2; k++) {
		jt_ts_init(&s[k], NCOL, 3, 1);	/* the customer in column 3, the time in 1 */
		s[k].blksize = 64 << 10;
		if (k)
			jt_ts_cold(&s[k]);
	}
	for (size_t i = 0; i < NROW; i++) {
		const char *f[NCOL];
		for (size_t c = 0; c < NCOL; c++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t n = c == 0 ? x % 3 : c == 2 ? 12 + x % 30 : c == 5 ? x % 41 : c == 7 ? 0 : 1 + x % 4;
			val[i][c] = malloc(n + 1);
			for (size_t b = 0; b < n; b++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				/* column 2 distinct a row (goes raw, then cold), others repeat */
				val[i][c][b] = c == 2 || c == 5 ? (char)(x >> 11) : (char)('a' + (x >> 11) % 3);
			}
			if (c == 2)
				memcpy(val[i][c], &i, sizeof i < n ? sizeof i : n);
			val[i][c][n] = '\0';
			vlen[i][c] = n;
			f[c] = val[i][c];
		}
		struct jt_record rec;
		memset(&rec, 0, sizeof rec);
		rec.n = NCOL;
		rec.f = f;
		rec.len = vlen[i];
		for (int k = 0; k < 2; k++)
			rows[k][i] = jt_ts_put(&s[k], &rec, (int)(i % 2));	/* odd rows: the time left out */
	}
	CHECK(s[0].col[2].raw && s[1].col[2].raw, "tstore: a distinct column goes raw");
	CHECK(jt_ts_cold_bytes(&s[1]) > 0 && jt_ts_cold_bytes(&s[0]) == 0, "tstore: cold values only when asked");
	CHECK(s[1].rowbytes <= s[0].rowbytes, "tstore: cold rows are not larger");
	/* the cold values read back: first from the file (warmed), then moved
	 * into one buffer in row order, as jstage's rounds do */
	jt_spill_flush(&s[1].coldf);
	struct jt_buf wb = JT_BUF_INIT;
	size_t bad = 0;
	for (size_t i = 0; i < NROW; i++) {
		size_t n = jt_ts_row_warm(&s[1], rows[1][i], &wb);
		bad += n != jt_ts_rowlen(&s[0], rows[0][i]) || memcmp(wb.p, rows[0][i], n) != 0;
		bad += jt_ts_rowlen_warm(&s[1], rows[1][i]) != n;
	}
	CHECK(bad == 0, "tstore: %zu warmed rows differ from rows that held their values", bad);
	uint64_t cb = jt_ts_cold_bytes(&s[1]);
	char *moved = malloc(cb + 1);
	struct tsmove mv = { moved, 0, &s[1] };
	for (size_t i = 0; i < NROW; i++)
		jt_ts_cold_each(&s[1], (char *)rows[1][i], tstore_move, &mv);
	CHECK(mv.at == cb, "tstore: moved %u of %llu cold bytes", mv.at, (unsigned long long)cb);
	jt_ts_cold_end(&s[1]);
	s[1].coldbase = moved;
	bad = 0;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < NROW; i++) {
			const char *f[NCOL];
			size_t len[NCOL];
			jt_ts_get(&s[k], rows[k][i], f, len, "CUST", 4, "TIME", 4);
			for (size_t c = 0; c < NCOL; c++) {
				const char *want = c == 3 ? "CUST" : c == 1 && i % 2 ? "TIME" : val[i][c];
				size_t wl = c == 3 || (c == 1 && i % 2) ? 4 : vlen[i][c];
				bad += len[c] != wl || memcmp(f[c], want, wl) != 0;
				if (c == 3 || (c == 1 && i % 2))
					continue;
				size_t fl;
				const char *fv = jt_ts_field(&s[k], rows[k][i], c, &fl);
				bad += fl != wl || memcmp(fv, want, wl) != 0;
			}
			bad += jt_ts_time_kept(rows[k][i]) != !(i % 2);
		}
	CHECK(bad == 0, "tstore: %zu fields read back wrong", bad);
	for (size_t i = 0; i < NROW; i++)
		for (size_t c = 0; c < NCOL; c++)
			free(val[i][c]);
	free(moved);
	jt_buf_free(&wb);
	jt_ts_free(&s[0]);
	jt_ts_free(&s[1]);
}

static int cmp_s64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* jt_quantile_s (a selection) against the formula on a sorted copy: sizes
 * 1-3000, few or many distinct values, sorted, reversed and random input. */
static void quantile_checks(void)
{
	uint64_t x = 2463534242ULL;
	size_t bad = 0, runs = 0;
	for (size_t n = 1; n <= 3000; n = n < 40 ? n + 1 : n * 3 / 2) {
		for (int shape = 0; shape < 4; shape++) {
			int64_t *v = malloc(n * sizeof *v), *s = malloc(n * sizeof *s);
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				v[i] = shape == 0 ? (int64_t)(x % 5) : shape == 1 ? (int64_t)i : shape == 2 ? (int64_t)(n - i) :
							     (int64_t)(x % 2000000) - 1000000;
			}
			memcpy(s, v, n * sizeof *v);
			qsort(s, n, sizeof *s, cmp_s64);
			static const unsigned qs[] = { 0, 1, 25, 50, 90, 99, 100 };
			for (size_t j = 0; j < sizeof qs / sizeof *qs; j++) {
				uint64_t hn = (uint64_t)(n - 1) * qs[j], lo = hn / 100, rem = hn % 100;
				int64_t x0 = s[lo], x1 = rem ? s[lo + 1] : x0;
				char want[64], got[64];
				jt_fmt_ratio((jt_i128)x0 * 100 + (jt_i128)rem * (x1 - x0), 100, 0, want);
				jt_quantile_s(v, n, qs[j], got);
				bad += strcmp(want, got) != 0;
				runs++;
			}
			free(v);
			free(s);
		}
	}
	CHECK(bad == 0, "jt_quantile_s: %zu of %zu quantiles wrong", bad, runs);
}

int main(void)
{
	jt_setprogname("libtest");
	sorts();
	key_orders();

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

	/* jt_double_parse: jt_dec_parse's grammar, finite, no scale limit */
	{
		static const char *const ok[] = { "0.00021907695798634383", "+3", "-2.5e-3", ".5", "5.", "1e300", "359765.78" };
		static const char *const no[] = { "", " 1", "1 ", "0x1p3", "inf", "nan", "1e999", "1e", "+", ".", "1.2.3",
						  "1,5", "0.24junk", "1234567890123456789012345678901234567890123456789012345678901234" };
		double x;
		for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
			CHECK(jt_double_parse(ok[i], strlen(ok[i]), &x) && x == strtod(ok[i], NULL), "double '%s'", ok[i]);
		for (size_t i = 0; i < sizeof no / sizeof *no; i++)
			CHECK(!jt_double_parse(no[i], strlen(no[i]), &x), "double '%s' should be refused", no[i]);
	}

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

	tz_checks();
	clv_checks();
	writer_checks();
	tstore_checks();
	quantile_checks();

	if (fails) {
		printf("%d of %d checks failed\n", fails, checks);
		return 1;
	}
	printf("%d checks passed\n", checks);
	return 0;
}
