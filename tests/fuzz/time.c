/* time.c — timestamps (lib/jtime.c, lib/timefmt.c, lib/tz.c) from any bytes:
 * read as ISO 8601 (jt_time_parse) and as jtouch reads them (every
 * --date-order, epoch seconds and milliseconds, no zone and three --tz zones,
 * English and German month names, a set of strptime-style formats covering
 * every directive), as a duration; results formatted and bucketed. The input
 * is also a format (up to its first newline) for the value after it, and a
 * month names file. Checks: a time read is within years 0000-9999; an ISO
 * time formats and reads back to the same second, and the automatic formats
 * read it the same; a time without offset read in a zone is jt_tz_to_utc of
 * the same time read without one, and a format with %z or %Z reads the same
 * in every zone; every name of a month names file reads as its month. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"
#include "jt_tz.h"

static const char *const zones[] = { "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu" };
enum { NZONE = sizeof zones / sizeof *zones };
static struct jt_tz *tz[NZONE];

/* every directive, in formats exports use */
static const char *const formats[] = {
	"%Y-%m-%d", "%d/%m/%Y %H:%M:%S.%f", "%d-%b-%y", "%b %e, %Y %I:%M %p", "%Y%j", "%Y-%m-%dT%H:%M:%S%z",
	"%Y-%m-%d %H:%M %Z", "%d. %B %Y", "%y%m%d %H%M", "%d%%%m%%%Y", "%e.%m.%Y %H"
};
enum { NFMT = sizeof formats / sizeof *formats };
static struct jt_tfmt *fmt[NFMT];
static int zoned[NFMT];	/* the format reads a zone: --tz does not matter */
static struct jt_months de;
static struct jt_zones zcache;	/* %Z zones, kept across inputs as a run keeps them across rows */
static const char de_text[] = "Januar Jan. Jan J\xc3\xa4nner\nFebruar Feb. Feb\nM\xc3\xa4rz M\xc3\xa4r. M\xc3\xa4r\n"
	"April Apr\nMai\nJuni Jun\nJuli Jul\nAugust Aug\nSeptember Sep. Sep Sept.\nOktober Okt\n"
	"November Nov\nDezember Dez. Dez\n";

static void use(int64_t t);

/* 1 when format f has a %z or %Z directive (not %%z). */
static int reads_zone(const char *f)
{
	for (; *f; f++)
		if (*f == '%' && f[1]) {
			if (f[1] == 'z' || f[1] == 'Z')
				return 1;
			f++;
		}
	return 0;
}

/* Reads s with a format in every zone (and none), English and German names. */
static void with_format(const struct jt_tfmt *f, int has_zone, const char *s, size_t size)
{
	for (int lang = 0; lang < 2; lang++) {
		struct jt_timefmt r = { .kind = JT_TIME_FORMAT, .fmt = f, .months = lang ? &de : NULL, .zones = &zcache };
		int64_t plain = 0, t;
		int rc = jt_time_read(s, size, &r, &plain);
		FUZZ_ASSERT(rc == JT_TIME_OK || rc == JT_TIME_BAD || rc == JT_TIME_RANGE, "format code %d", rc);
		if (rc == JT_TIME_OK)
			use(plain);
		for (size_t z = 0; z < NZONE; z++) {
			if (!tz[z])
				continue;
			r.tz = tz[z];
			int rz = jt_time_read(s, size, &r, &t);
			if (rz == JT_TIME_OK)
				use(t);
			if (rz == JT_TIME_OK && rc == JT_TIME_OK)
				FUZZ_ASSERT(has_zone ? t == plain : t == jt_tz_to_utc(tz[z], plain),
					    "format '%s' in %s: %lld, without a zone %lld", jt_tfmt_text(f), zones[z],
					    (long long)t, (long long)plain);
			FUZZ_ASSERT(rz != JT_TIME_BAD || rc == JT_TIME_BAD, "a zone turns a time bad");
		}
	}
}

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
		for (size_t k = 0; k < NFMT; k++) {
			fmt[k] = jt_tfmt_compile(formats[k], err, sizeof err);
			FUZZ_ASSERT(fmt[k], "format '%s': %s", formats[k], err);
			zoned[k] = reads_zone(formats[k]);
		}
		unsigned line;
		FUZZ_ASSERT(jt_months_parse(de_text, strlen(de_text), &de, err, sizeof err, &line) == 0, "months: %s", err);
	}
	for (size_t k = 0; k < NFMT; k++)
		with_format(fmt[k], zoned[k], s, size);
	/* the input as a format, up to its first newline, for the value after it */
	{
		const uint8_t *nl = memchr(data, '\n', size);
		size_t fl = nl ? (size_t)(nl - data) : size;
		char *f = jt_xmemdup(s, fl), err[256];
		int cstr = !memchr(s, '\0', fl);	/* a format is a C string */
		struct jt_tfmt *c = cstr ? jt_tfmt_compile(f, err, sizeof err) : NULL;
		if (c) {
			FUZZ_ASSERT(strcmp(jt_tfmt_text(c), f) == 0, "format text changed");
			if (nl)
				with_format(c, reads_zone(f), (const char *)nl + 1, size - fl - 1);
			jt_tfmt_free(c);
		} else if (cstr) {
			FUZZ_ASSERT(err[0], "a format refused without a reason");
		}
		free(f);
	}
	/* the input as a month names file */
	{
		struct jt_months m;
		char err[256];
		unsigned line;
		if (jt_months_parse(s, size, &m, err, sizeof err, &line) == 0) {
			for (int mo = 0; mo < 12; mo++)
				for (size_t k = 0; k < m.n[mo]; k++) {
					int got = 0;
					size_t l = strlen(m.name[mo][k]);
					FUZZ_ASSERT(l > 0 && jt_month_match(m.name[mo][k], l, &m, &got) == l && got == mo + 1,
						    "month name '%s' reads as month %d, not %d", m.name[mo][k], got, mo + 1);
				}
		} else {
			FUZZ_ASSERT(err[0], "month names refused without a reason");
		}
	}

	int iso = jt_time_parse(s, size, &iso_t) == 0;
	if (iso) {
		use(iso_t);
		jt_time_format(iso_t, buf);
		FUZZ_ASSERT(jt_time_parse(buf, strlen(buf), &t) == 0 && t == iso_t, "'%s' does not read back", buf);
	}
	for (int order = JT_ORDER_NONE; order <= JT_ORDER_DMY; order++)
		for (int kind = JT_TIME_AUTO; kind <= JT_TIME_EPOCH_MS; kind++) {
			struct jt_timefmt f = { .kind = (enum jt_time_kind)kind, .order = (enum jt_date_order)order,
						.months = order == JT_ORDER_DMY ? &de : NULL };
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
