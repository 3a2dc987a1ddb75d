/* timefmt.c — strptime-style time formats, written here rather than taken
 * from the C library: strptime depends on the locale, skips blanks and
 * leading zeros as it likes, and has no %f or IANA zones. Month names and the
 * zones of %Z values are looked up without touching the C library's state.
 * Nothing is allocated while reading a value, but a %Z zone the first time. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_time.h"
#include "jt_tz.h"

const struct jt_months jt_months_english = {
	{ 2, 2, 2, 2, 1, 2, 2, 2, 3, 2, 2, 2 },
	{ { "january", "jan" }, { "february", "feb" }, { "march", "mar" }, { "april", "apr" }, { "may" },
	  { "june", "jun" }, { "july", "jul" }, { "august", "aug" }, { "september", "sept", "sep" },
	  { "october", "oct" }, { "november", "nov" }, { "december", "dec" } }
};

/* The bytes of s that match the case-folded name (ASCII letters, and the
 * UTF-8 Latin-1 capitals U+00C0-U+00DE but U+00D7 folded); 0 when s does not
 * start with it. */
static size_t fold_match(const char *s, size_t n, const char *name)
{
	size_t i = 0;
	for (; name[i]; i++) {
		if (i >= n)
			return 0;
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (unsigned char)(ch + 32);
		else if (i > 0 && (unsigned char)s[i - 1] == 0xC3 && ch >= 0x80 && ch <= 0x9E && ch != 0x97)
			ch = (unsigned char)(ch + 0x20);
		if (ch != (unsigned char)name[i])
			return 0;
	}
	return i;
}

static void fold(char *s)
{
	for (size_t i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 'A' && ch <= 'Z')
			s[i] = (char)(ch + 32);
		else if (i > 0 && (unsigned char)s[i - 1] == 0xC3 && ch >= 0x80 && ch <= 0x9E && ch != 0x97)
			s[i] = (char)(ch + 0x20);
	}
}

size_t jt_month_match(const char *s, size_t n, const struct jt_months *m, int *month)
{
	size_t best = 0;
	if (!m)
		m = &jt_months_english;
	for (int mo = 0; mo < 12; mo++)
		for (size_t k = 0; k < m->n[mo]; k++) {
			size_t l = fold_match(s, n, m->name[mo][k]);
			if (l > best) {
				best = l;
				*month = mo + 1;
			}
		}
	return best;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int jt_months_parse(const char *text, size_t len, struct jt_months *m, char *err, size_t errlen, unsigned *line)
{
	size_t i = 0;
	int mo = 0;
	memset(m, 0, sizeof *m);
	*line = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t e = j > i && text[j - 1] == '\r' ? j - 1 : j;
		++*line;
		if (memchr(text + i, '\0', j - i))
			return fail(err, errlen, "a NUL byte in the month names");
		size_t k = i;
		while (k < e && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k == e || text[k] == '#') {
			i = j + 1;
			continue;
		}
		if (mo == 12)
			return fail(err, errlen, "more than 12 lines of month names (one line per month, January first)");
		while (k < e) {
			size_t w = k;
			while (w < e && text[w] != ' ' && text[w] != '\t')
				w++;
			char nm[JT_MONTH_NAME_MAX + 1];
			const char *shown = jt_show(text + k, w - k);
			if (w - k > JT_MONTH_NAME_MAX)
				return fail(err, errlen, "month name '%s' is longer than %d bytes", shown, JT_MONTH_NAME_MAX);
			memcpy(nm, text + k, w - k);
			nm[w - k] = '\0';
			for (size_t c = 0; nm[c]; c++)
				if (nm[c] >= '0' && nm[c] <= '9')
					return fail(err, errlen, "month name '%s' has a digit", shown);
			fold(nm);
			int dup = 0;
			for (int o = 0; o <= mo; o++)
				for (size_t q = 0; q < m->n[o]; q++)
					if (strcmp(m->name[o][q], nm) == 0) {
						if (o != mo)
							return fail(err, errlen, "month name '%s' is on the lines of month %d and month %d",
								    shown, o + 1, mo + 1);
						dup = 1;
					}
			if (!dup) {
				if (m->n[mo] == JT_MONTH_NAMES)
					return fail(err, errlen, "more than %d names for month %d", JT_MONTH_NAMES, mo + 1);
				memcpy(m->name[mo][m->n[mo]++], nm, strlen(nm) + 1);
			}
			k = w;
			while (k < e && (text[k] == ' ' || text[k] == '\t'))
				k++;
		}
		mo++;
		i = j + 1;
	}
	if (mo < 12)
		return fail(err, errlen, "%d line%s of month names, not 12 (one line per month, January first)", mo,
			    mo == 1 ? "" : "s");
	return 0;
}

/* ---- compiled formats ---- */

enum ikind { I_LIT, I_BLANK, I_Y4, I_Y2, I_MON, I_MNAME, I_DAY, I_DAYE, I_H24, I_H12, I_MIN, I_SEC, I_FRAC,
	     I_AMPM, I_DOY, I_OFF, I_ZONE };

struct item {
	unsigned char kind;
	unsigned short at, len;	/* I_LIT: bytes of the text */
};

#define TFMT_MAX 256

struct jt_tfmt {
	char *text;
	size_t n;
	struct item it[TFMT_MAX];
};

const char *jt_tfmt_text(const struct jt_tfmt *f) { return f->text; }

void jt_tfmt_free(struct jt_tfmt *f)
{
	if (!f)
		return;
	free(f->text);
	free(f);
}

/* What each directive sets: one slot per part of the time. */
enum slot { S_YEAR, S_MONTH, S_DAY, S_DOY, S_HOUR, S_MIN, S_SEC, S_FRAC, S_AMPM, S_ZONE, S_N };
static const char *const slot_name[S_N] = { "year", "month", "day", "day of the year", "hour", "minute",
					    "second", "fraction", "AM or PM", "zone" };

struct jt_tfmt *jt_tfmt_compile(const char *fmt, char *err, size_t errlen)
{
	static const char dirs[] = "YymdeHIMSfpbBjzZ";
	static const unsigned char kinds[] = { I_Y4, I_Y2, I_MON, I_DAY, I_DAYE, I_H24, I_H12, I_MIN, I_SEC,
					       I_FRAC, I_AMPM, I_MNAME, I_MNAME, I_DOY, I_OFF, I_ZONE };
	static const unsigned char slots[] = { S_YEAR, S_YEAR, S_MONTH, S_DAY, S_DAY, S_HOUR, S_HOUR, S_MIN, S_SEC,
					       S_FRAC, S_AMPM, S_MONTH, S_MONTH, S_DOY, S_ZONE, S_ZONE };
	char seen[S_N] = { 0 };	/* the directive that set each slot */
	size_t len = strlen(fmt);
	if (len == 0) {
		fail(err, errlen, "an empty time format");
		return NULL;
	}
	if (len > TFMT_MAX) {
		fail(err, errlen, "a time format of more than %d bytes", TFMT_MAX);
		return NULL;
	}
	struct jt_tfmt *f = jt_xcalloc(1, sizeof *f);
	f->text = jt_xstrdup(fmt);
	for (size_t i = 0; i < len; i++) {
		struct item *it = &f->it[f->n];
		char ch = fmt[i];
		if (ch == ' ' || ch == '\t') {
			while (i + 1 < len && (fmt[i + 1] == ' ' || fmt[i + 1] == '\t'))
				i++;
			it->kind = I_BLANK;
			f->n++;
			continue;
		}
		if (ch != '%' || (i + 1 < len && fmt[i + 1] == '%')) {
			i += ch == '%';	/* %% is a literal % */
			if (f->n && f->it[f->n - 1].kind == I_LIT && f->it[f->n - 1].at + f->it[f->n - 1].len == i) {
				f->it[f->n - 1].len++;
			} else {
				it->kind = I_LIT;
				it->at = (unsigned short)i;
				it->len = 1;
				f->n++;
			}
			continue;
		}
		if (i + 1 == len) {
			fail(err, errlen, "a %% at the end (%%%% is a percent sign)");
			goto bad;
		}
		const char *d = fmt[i + 1] ? strchr(dirs, fmt[i + 1]) : NULL;
		if (!d) {
			fail(err, errlen, "unknown directive '%%%s' (directives: %%Y %%y %%m %%d %%e %%H %%I %%M %%S %%f %%p %%b %%B %%j %%z %%Z %%%%)",
			     jt_show(fmt + i + 1, 1));
			goto bad;
		}
		size_t k = (size_t)(d - dirs);
		int sl = slots[k];
		if (seen[sl]) {
			if (seen[sl] == fmt[i + 1])
				fail(err, errlen, "%%%c twice", fmt[i + 1]);
			else
				fail(err, errlen, "%%%c and %%%c both give the %s", seen[sl], fmt[i + 1], slot_name[sl]);
			goto bad;
		}
		seen[sl] = fmt[i + 1];
		it->kind = kinds[k];
		f->n++;
		i++;
	}
	if (!seen[S_YEAR]) {
		fail(err, errlen, "no year (%%Y or %%y)");
		goto bad;
	}
	if (seen[S_DOY] && (seen[S_MONTH] || seen[S_DAY])) {
		fail(err, errlen, "%%j is the day of the year: it goes without %%%c", seen[S_MONTH] ? seen[S_MONTH] : seen[S_DAY]);
		goto bad;
	}
	if (!seen[S_DOY] && !seen[S_MONTH]) {
		fail(err, errlen, "no month (%%m, %%b or %%B; or %%j, the day of the year)");
		goto bad;
	}
	if (!seen[S_DOY] && !seen[S_DAY]) {
		fail(err, errlen, "no day (%%d or %%e)");
		goto bad;
	}
	if (seen[S_HOUR] == 'I' && !seen[S_AMPM]) {
		fail(err, errlen, "%%I needs %%p (AM or PM; %%H is the hour 0-23)");
		goto bad;
	}
	if (seen[S_AMPM] && seen[S_HOUR] != 'I') {
		fail(err, errlen, "%%p needs %%I, the hour 1-12");
		goto bad;
	}
	if (seen[S_MIN] && !seen[S_HOUR]) {
		fail(err, errlen, "%%M needs an hour (%%H or %%I)");
		goto bad;
	}
	if (seen[S_SEC] && !seen[S_MIN]) {
		fail(err, errlen, "%%S needs %%M");
		goto bad;
	}
	if (seen[S_FRAC] && !seen[S_SEC]) {
		fail(err, errlen, "%%f needs %%S");
		goto bad;
	}
	if (seen[S_HOUR] && !seen[S_MIN] && seen[S_ZONE]) {
		/* fine: 2024-03-05 14 +01:00 */
	}
	return f;
bad:
	jt_tfmt_free(f);
	return NULL;
}

/* ---- reading ---- */

static int digits(const char *s, size_t n, size_t *i, int lo, int hi, int *v)
{
	int k = 0, x = 0;
	while (k < hi && *i + (size_t)k < n && s[*i + (size_t)k] >= '0' && s[*i + (size_t)k] <= '9') {
		x = x * 10 + (s[*i + (size_t)k] - '0');
		k++;
	}
	if (k < lo)
		return 0;
	*i += (size_t)k;
	*v = x;
	return 1;
}

static int zchar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
	       c == '+' || c == '-';
}

static int ieq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != w[i])
			return 0;
	}
	return 1;
}

/* The zone named s[0..n), from the cache, loaded into it, or (cache full)
 * loaded into *tmp for the caller to free. NULL when it is not a zone. */
static const struct jt_tz *zone_named(struct jt_zones *zs, const char *s, size_t n, struct jt_tz **tmp)
{
	char name[64], why[256];
	if (!zs || n >= sizeof name)
		return NULL;
	for (size_t i = 0; i < zs->n; i++)
		if (strlen(zs->e[i].name) == n && memcmp(zs->e[i].name, s, n) == 0)
			return zs->e[i].z;
	memcpy(name, s, n);
	name[n] = '\0';
	struct jt_tz *z = jt_tz_load(name, why, sizeof why);
	if (zs->n < JT_ZONES_CACHED) {
		memcpy(zs->e[zs->n].name, name, n + 1);
		zs->e[zs->n++].z = z;
	} else {
		*tmp = z;
	}
	return z;
}

void jt_zones_free(struct jt_zones *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->n; i++)
		jt_tz_free(zs->e[i].z);
	zs->n = 0;
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(int y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

int jt_tfmt_read(const struct jt_tfmt *fmt, const char *s, size_t n, const struct jt_timefmt *f, int64_t *t)
{
	size_t i = 0;
	int y = 0, mo = 1, d = 1, doy = -1, hh = 0, mi = 0, ss = 0, pm = -1, hasoff = 0;
	int64_t off = 0;
	const struct jt_tz *zone = NULL;
	struct jt_tz *tmp = NULL;
	int rc = JT_TIME_BAD;
	for (size_t k = 0; k < fmt->n; k++) {
		const struct item *it = &fmt->it[k];
		int ok = 1;
		switch (it->kind) {
		case I_LIT:
			ok = n - i >= it->len && memcmp(s + i, fmt->text + it->at, it->len) == 0;
			i += it->len;
			break;
		case I_BLANK:
			ok = i < n && (s[i] == ' ' || s[i] == '\t');
			while (i < n && (s[i] == ' ' || s[i] == '\t'))
				i++;
			break;
		case I_Y4: ok = digits(s, n, &i, 4, 4, &y); break;
		case I_Y2:
			ok = digits(s, n, &i, 2, 2, &y);
			y = jt_year2(y);
			break;
		case I_MON: ok = digits(s, n, &i, 1, 2, &mo); break;
		case I_DAYE:
			if (i < n && s[i] == ' ')
				i++;
			/* FALLTHROUGH */
		case I_DAY: ok = digits(s, n, &i, 1, 2, &d); break;
		case I_H24:
		case I_H12: ok = digits(s, n, &i, 1, 2, &hh); break;
		case I_MIN: ok = digits(s, n, &i, 1, 2, &mi); break;
		case I_SEC: ok = digits(s, n, &i, 1, 2, &ss); break;
		case I_DOY: ok = digits(s, n, &i, 1, 3, &doy); break;
		case I_FRAC:
			ok = i < n && s[i] >= '0' && s[i] <= '9';
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
			break;
		case I_MNAME: {
			size_t l = jt_month_match(s + i, n - i, f ? f->months : NULL, &mo);
			ok = l > 0;
			i += l;
			break;
		}
		case I_AMPM:
			ok = n - i >= 2 && (ieq(s + i, 2, "am") || ieq(s + i, 2, "pm"));
			if (ok)
				pm = s[i] == 'p' || s[i] == 'P';
			i += 2;
			break;
		case I_OFF:
			if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
				i++;
				hasoff = 1;
				off = 0;
				break;
			}
			if (i < n && (s[i] == '+' || s[i] == '-')) {
				int sign = s[i++] == '-' ? -1 : 1, oh = 0, om = 0;
				size_t i0 = i;
				ok = digits(s, n, &i, 2, 2, &oh) && i - i0 == 2;
				if (ok && i < n && s[i] == ':') {
					i++;
					ok = digits(s, n, &i, 2, 2, &om);
				} else if (ok && i < n && s[i] >= '0' && s[i] <= '9') {
					ok = digits(s, n, &i, 2, 2, &om);
				}
				ok = ok && oh <= 23 && om <= 59;
				hasoff = 1;
				off = sign * (oh * 3600 + om * 60);
				break;
			}
			ok = 0;
			break;
		case I_ZONE: {
			size_t z0 = i;
			while (i < n && zchar(s[i]))
				i++;
			if (i == z0) {
				ok = 0;
			} else if (ieq(s + z0, i - z0, "utc") || ieq(s + z0, i - z0, "gmt") || ieq(s + z0, i - z0, "z") ||
				   ieq(s + z0, i - z0, "ut")) {
				hasoff = 1;
				off = 0;
			} else {
				zone = zone_named(f ? f->zones : NULL, s + z0, i - z0, &tmp);
				ok = zone != NULL;
			}
			break;
		}
		}
		if (!ok || i > n)
			goto out;
	}
	if (i != n)
		goto out;
	if (pm >= 0) {
		if (hh < 1 || hh > 12)
			goto out;
		hh = hh % 12 + 12 * pm;
	}
	if (hh > 23 || mi > 59 || ss > 60)
		goto out;
	if (ss == 60)
		ss = 59;	/* a leap second is read as the second before it */
	int64_t days;
	if (doy >= 0) {
		if (doy < 1 || doy > 365 + leap(y))
			goto out;
		days = jt_days_from_civil(y, 1, 1) + doy - 1;
	} else {
		if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
			goto out;
		days = jt_days_from_civil(y, (unsigned)mo, (unsigned)d);
	}
	int64_t local = days * 86400 + hh * 3600 + mi * 60 + ss;
	if (hasoff)
		*t = local - off;
	else if (zone)
		*t = jt_tz_to_utc(zone, local);
	else if (f && f->tz)
		*t = jt_tz_to_utc(f->tz, local);
	else
		*t = local;
	rc = *t < JT_TIME_MIN || *t > JT_TIME_MAX ? JT_TIME_RANGE : JT_TIME_OK;
out:
	jt_tz_free(tmp);
	return rc;
}
