/* time.c — calendar arithmetic without the C library's time zone state.
 * days_from_civil / civil_from_days follow the well-known proleptic
 * Gregorian algorithms (era of 400 years). */
#include <stdio.h>
#include <string.h>

#include "jt_time.h"

int64_t jt_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void jt_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *v)
{
	int x = 0;
	if (at + k > n)
		return -1;
	for (size_t i = at; i < at + k; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned mdays(int64_t y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

int jt_time_parse(const char *s, size_t n, int64_t *t)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0;
	size_t i;
	int64_t off = 0;

	if (digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || digits(s, n, 5, 2, &mo) ||
	    s[7] != '-' || digits(s, n, 8, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays(y, (unsigned)mo))
		return -1;
	i = 10;
	if (i < n) {
		if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
			return -1;
		i++;
		if (digits(s, n, i, 2, &hh) || i + 2 >= n || s[i + 2] != ':' ||
		    digits(s, n, i + 3, 2, &mi))
			return -1;
		i += 5;
		if (i < n && s[i] == ':') {
			if (digits(s, n, i + 1, 2, &ss))
				return -1;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				size_t j = ++i;
				while (i < n && s[i] >= '0' && s[i] <= '9')
					i++;
				if (i == j)
					return -1;
			}
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return -1;
		if (ss == 60)
			ss = 59;	/* a leap second is read as the second before it */
		if (i < n) {
			if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
				i++;
			} else if (s[i] == '+' || s[i] == '-') {
				int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
				if (digits(s, n, i + 1, 2, &oh))
					return -1;
				i += 3;
				if (i < n && s[i] == ':')
					i++;
				if (i < n) {
					if (digits(s, n, i, 2, &om))
						return -1;
					i += 2;
				}
				if (oh > 23 || om > 59)
					return -1;
				off = sign * (oh * 3600 + om * 60);
			}
		}
	}
	if (i != n)
		return -1;
	*t = jt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss - off;
	return 0;
}

static void split(int64_t t, int64_t *days, int *secs)
{
	int64_t dd = t / 86400, r = t % 86400;
	if (r < 0) {
		r += 86400;
		dd--;
	}
	*days = dd;
	*secs = (int)r;
}

char *jt_time_format(int64_t t, char *buf)
{
	int64_t days, y;
	int secs;
	unsigned m, d;
	split(t, &days, &secs);
	jt_civil_from_days(days, &y, &m, &d);
	snprintf(buf, 32, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, secs / 3600,
		 secs / 60 % 60, secs % 60);
	return buf;
}

static const char *bucket_names[] = { "", "day", "week", "month", "quarter", "year" };

enum jt_bucket jt_bucket_from_name(const char *s, size_t n)
{
	for (int b = JT_BUCKET_DAY; b <= JT_BUCKET_YEAR; b++)
		if (strlen(bucket_names[b]) == n && memcmp(s, bucket_names[b], n) == 0)
			return (enum jt_bucket)b;
	return JT_BUCKET_NONE;
}

const char *jt_bucket_name(enum jt_bucket b) { return bucket_names[b]; }

size_t jt_time_bucket(int64_t t, enum jt_bucket b, char *buf)
{
	int64_t days, y;
	int secs;
	unsigned m, d;
	split(t, &days, &secs);
	jt_civil_from_days(days, &y, &m, &d);
	switch (b) {
	case JT_BUCKET_DAY:
		return (size_t)snprintf(buf, 32, "%04lld-%02u-%02u", (long long)y, m, d);
	case JT_BUCKET_WEEK: {
		/* ISO 8601: the week belongs to the year of its Thursday */
		int64_t wd = ((days % 7) + 7 + 3) % 7;	/* 0 = Monday; 1970-01-01 was a Thursday */
		int64_t thu = days - wd + 3, ty;
		unsigned tm, td;
		jt_civil_from_days(thu, &ty, &tm, &td);
		int64_t week = (thu - jt_days_from_civil(ty, 1, 1)) / 7 + 1;
		return (size_t)snprintf(buf, 32, "%04lld-W%02lld", (long long)ty, (long long)week);
	}
	case JT_BUCKET_MONTH:
		return (size_t)snprintf(buf, 32, "%04lld-%02u", (long long)y, m);
	case JT_BUCKET_QUARTER:
		return (size_t)snprintf(buf, 32, "%04lld-Q%u", (long long)y, (m - 1) / 3 + 1);
	case JT_BUCKET_YEAR:
		return (size_t)snprintf(buf, 32, "%04lld", (long long)y);
	default:
		buf[0] = '\0';
		return 0;
	}
}

int jt_duration_parse(const char *s, int64_t *seconds)
{
	int64_t v = 0, mul = 1;
	const char *p = s;
	if (!*p)
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > 1000000000000LL)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (p == s)
		return -1;
	switch (*p) {
	case '\0': mul = 1; p--; break;
	case 's': mul = 1; break;
	case 'm': mul = 60; break;
	case 'h': mul = 3600; break;
	case 'd': mul = 86400; break;
	case 'w': mul = 604800; break;
	default: return -1;
	}
	if (p[1] != '\0')
		return -1;
	*seconds = v * mul;
	return 0;
}
