/* time.c — calendar arithmetic without the C library's time zone state.
 * days_from_civil / civil_from_days follow the well-known proleptic
 * Gregorian algorithms (era of 400 years). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "jt_time.h"
#include "jt_tz.h"

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

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned mdays(int64_t y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* A cursor over one field. */
struct cur {
	const char *s;
	size_t n, i;
};

static int isdig(const struct cur *c, size_t k) { return c->i + k < c->n && c->s[c->i + k] >= '0' && c->s[c->i + k] <= '9'; }

/* Between lo and hi digits; returns the count read (0 = none or too many). */
static int num(struct cur *c, int lo, int hi, int *v)
{
	int k = 0, x = 0;
	while (isdig(c, (size_t)k)) {
		if (k == hi)
			return 0;
		x = x * 10 + (c->s[c->i + (size_t)k] - '0');
		k++;
	}
	if (k < lo)
		return 0;
	c->i += (size_t)k;
	*v = x;
	return k;
}

/* Exactly k digits (more may follow). */
static int fixed(struct cur *c, int k, int *v)
{
	int x = 0;
	for (int i = 0; i < k; i++) {
		if (!isdig(c, (size_t)i))
			return 0;
		x = x * 10 + (c->s[c->i + (size_t)i] - '0');
	}
	c->i += (size_t)k;
	*v = x;
	return 1;
}

static int eat(struct cur *c, char ch)
{
	if (c->i < c->n && c->s[c->i] == ch) {
		c->i++;
		return 1;
	}
	return 0;
}

/* Case-insensitive word at the cursor. */
static int eatword(struct cur *c, const char *w)
{
	size_t k = strlen(w);
	if (c->i + k > c->n)
		return 0;
	for (size_t j = 0; j < k; j++) {
		char ch = c->s[c->i + j];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != w[j])
			return 0;
	}
	c->i += k;
	return 1;
}

/* Z, UTC, GMT, +HH, +HHMM, +HH:MM (optionally after one space). */
static int zone(struct cur *c, int iso, int *has, int64_t *off)
{
	size_t save = c->i;
	if (!iso && c->i < c->n && c->s[c->i] == ' ')
		c->i++;
	if (c->i >= c->n) {
		c->i = save;
		return 0;
	}
	if (eat(c, 'Z') || eat(c, 'z') || (!iso && (eatword(c, "utc") || eatword(c, "gmt")))) {
		*has = 1;
		*off = 0;
		return 0;
	}
	if (c->s[c->i] == '+' || c->s[c->i] == '-') {
		int sign = c->s[c->i] == '-' ? -1 : 1, oh, om = 0;
		c->i++;
		if (!fixed(c, 2, &oh))
			return -1;
		int colon = eat(c, ':');
		if ((colon || isdig(c, 0)) && !fixed(c, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		*has = 1;
		*off = sign * (oh * 3600 + om * 60);
		return 0;
	}
	c->i = save;
	return 0;
}

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

static int read_epoch(const char *s, size_t n, int ms, int64_t *t)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	size_t d0 = i;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (v > 400000000000000LL)
			return JT_TIME_RANGE;
		v = v * 10 + (s[i++] - '0');
	}
	if (i == d0)
		return JT_TIME_BAD;
	int frac = 0;
	if (!ms && i < n && s[i] == '.') {
		size_t f0 = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			frac |= s[i] != '0';
			i++;
		}
		if (i == f0)
			return JT_TIME_BAD;
	}
	if (i != n)
		return JT_TIME_BAD;
	if (ms)
		v = neg ? floordiv(-v, 1000) : v / 1000;
	else if (neg)
		v = -v - frac;	/* a fraction is truncated toward the earlier second */
	*t = v;
	return JT_TIME_OK;
}

int jt_time_read(const char *s, size_t n, const struct jt_timefmt *f, int64_t *t)
{
	struct cur c = { s, n, 0 };
	int iso = f == NULL || f->kind == JT_TIME_ISO;

	if (f && f->kind == JT_TIME_FORMAT)
		return jt_tfmt_read(f->fmt, s, n, f, t);
	int y, mo, d, hh = 0, mi = 0, ss = 0, hasoff = 0;
	int64_t off = 0;

	if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') && s[13] == ':' &&
	    s[16] == ':' && (!f || f->kind == JT_TIME_AUTO || f->kind == JT_TIME_ISO)) {
		/* YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|+HH[:]MM]: nearly every export, read in one go */
		unsigned v[6], bad;
#define D(i) ((unsigned)(s[i] - '0'))
		v[0] = D(0) * 1000 + D(1) * 100 + D(2) * 10 + D(3);
		v[1] = D(5) * 10 + D(6);
		v[2] = D(8) * 10 + D(9);
		v[3] = D(11) * 10 + D(12);
		v[4] = D(14) * 10 + D(15);
		v[5] = D(17) * 10 + D(18);
		bad = (D(0) > 9) | (D(1) > 9) | (D(2) > 9) | (D(3) > 9) | (D(5) > 9) | (D(6) > 9) | (D(8) > 9) |
		      (D(9) > 9) | (D(11) > 9) | (D(12) > 9) | (D(14) > 9) | (D(15) > 9) | (D(17) > 9) | (D(18) > 9);
#undef D
		if (bad)
			return JT_TIME_BAD;
		if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays(v[0], v[1]) || v[3] > 23 || v[4] > 59 || v[5] > 60)
			return JT_TIME_BAD;
		c.i = 19;
		if (c.i < n && (s[c.i] == '.' || s[c.i] == ',')) {
			c.i++;
			if (!isdig(&c, 0))
				return JT_TIME_BAD;
			while (isdig(&c, 0))
				c.i++;
		}
		int tail = c.i < n ? s[c.i] : 0;
		if (tail == 0 || tail == 'Z' || tail == 'z' || tail == '+' || tail == '-') {
			if (tail == 'Z' || tail == 'z') {
				if (c.i + 1 != n)
					return JT_TIME_BAD;
				hasoff = 1;
			} else if (tail && (zone(&c, 1, &hasoff, &off) != 0 || c.i != n)) {
				return JT_TIME_BAD;
			}
			static _Thread_local unsigned last_ymd = 0;	/* rows in time order share their day */
			static _Thread_local int64_t last_days;
			unsigned ymd = v[0] << 9 | v[1] << 5 | v[2];
			if (ymd != last_ymd) {
				last_days = jt_days_from_civil(v[0], v[1], v[2]);
				last_ymd = ymd;
			}
			int64_t local = last_days * 86400 + v[3] * 3600 + v[4] * 60 + (v[5] == 60 ? 59 : v[5]);
			*t = hasoff ? local - off : f && f->tz ? jt_tz_to_utc(f->tz, local) : local;
			return *t < JT_TIME_MIN || *t > JT_TIME_MAX ? JT_TIME_RANGE : JT_TIME_OK;
		}
		c.i = 0;	/* " UTC", " PM", ...: the general reader below */
	}
	if (f && f->kind != JT_TIME_AUTO && !iso) {
		int r = read_epoch(s, n, f->kind == JT_TIME_EPOCH_MS, t);
		if (r == JT_TIME_OK && (*t < JT_TIME_MIN || *t > JT_TIME_MAX))
			return JT_TIME_RANGE;
		return r;
	}
	int dashed = 0;
	if (!iso && fixed(&c, 8, &y) && !isdig(&c, 0)) {	/* YYYYMMDD[THHMM[SS][.frac][zone]] */
		d = y % 100;
		mo = y / 100 % 100;
		y /= 10000;
		if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays(y, (unsigned)mo))
			return JT_TIME_BAD;
		if (c.i < n && (s[c.i] == 'T' || s[c.i] == 't')) {
			c.i++;
			if (!fixed(&c, 2, &hh) || !fixed(&c, 2, &mi) || (isdig(&c, 0) && !fixed(&c, 2, &ss)))
				return JT_TIME_BAD;
			if (ss && c.i < n && (s[c.i] == '.' || s[c.i] == ',')) {
				c.i++;
				if (!isdig(&c, 0))
					return JT_TIME_BAD;
				while (isdig(&c, 0))
					c.i++;
			}
			if (hh > 23 || mi > 59 || ss > 60 || zone(&c, 1, &hasoff, &off) != 0 || c.i != n)
				return JT_TIME_BAD;
			if (ss == 60)
				ss = 59;
			goto done;
		}
	} else if ((c.i = 0, num(&c, 4, 4, &y) == 4)) {	/* YYYY-MM-DD, or YYYY/M/D */
		if (eat(&c, '-')) {
			dashed = 1;
			if (num(&c, 2, 2, &mo) != 2 || !eat(&c, '-') || num(&c, 2, 2, &d) != 2)
				return JT_TIME_BAD;
		} else if (!iso && eat(&c, '/')) {
			if (!num(&c, 1, 2, &mo) || !eat(&c, '/') || !num(&c, 1, 2, &d))
				return JT_TIME_BAD;
		} else {
			return JT_TIME_BAD;
		}
	} else if (iso) {
		return JT_TIME_BAD;
	} else if (n > 0 && !(s[0] >= '0' && s[0] <= '9')) {	/* Mon D, YYYY */
		size_t k = jt_month_match(s, n, f->months, &mo);
		if (!k)
			return JT_TIME_BAD;
		c.i = k;
		if (!eat(&c, ' ') || !num(&c, 1, 2, &d))
			return JT_TIME_BAD;
		eat(&c, ',');
		if (!eat(&c, ' ') || num(&c, 4, 4, &y) != 4)
			return JT_TIME_BAD;
	} else {	/* A/B/Y, A-B-Y, A.B.Y; D-Mon-Y, D Mon Y, D/Mon/Y, D. Mon Y */
		int a, b;
		c.i = 0;
		if (!num(&c, 1, 2, &a))
			return JT_TIME_BAD;
		char sep = c.i < n ? s[c.i] : 0;
		size_t k;
		if (sep == '.' && c.i + 1 < n && s[c.i + 1] == ' ')
			sep = s[++c.i];	/* "1. Februar 2018" */
		if ((sep == '-' || sep == ' ' || sep == '/') && c.i + 1 < n &&
		    (k = jt_month_match(s + c.i + 1, n - c.i - 1, f->months, &mo)) != 0) {
			c.i += 1 + k;
			d = a;
			if (!eat(&c, sep))
				return JT_TIME_BAD;
			int yk = num(&c, 2, 4, &y);
			if (yk == 3 || !yk)
				return JT_TIME_BAD;
			if (yk == 2)
				y = jt_year2(y);
		} else {
			if ((sep != '.' && sep != '/' && sep != '-') || !eat(&c, sep) || !num(&c, 1, 2, &b) ||
			    !eat(&c, sep))
				return JT_TIME_BAD;
			int yk = num(&c, 2, 4, &y);
			if (yk == 3 || !yk)
				return JT_TIME_BAD;
			if (yk == 2)
				y = jt_year2(y);
			if (f->order == JT_ORDER_DMY || (sep == '.' && f->order == JT_ORDER_NONE)) {
				d = a;
				mo = b;
			} else if (f->order == JT_ORDER_MDY) {
				mo = a;
				d = b;
			} else {
				return JT_TIME_NEED_ORDER;
			}
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > mdays(y, (unsigned)mo))
		return JT_TIME_BAD;
	if (c.i < n) {
		if (dashed && (s[c.i] == 'T' || s[c.i] == 't'))
			c.i++;
		else if (!eat(&c, ' '))
			return JT_TIME_BAD;
		if (!num(&c, iso ? 2 : 1, 2, &hh) || !eat(&c, ':') || num(&c, 2, 2, &mi) != 2)
			return JT_TIME_BAD;
		if (eat(&c, ':')) {
			if (num(&c, 2, 2, &ss) != 2)
				return JT_TIME_BAD;
			if (c.i < n && (s[c.i] == '.' || s[c.i] == ',')) {
				c.i++;
				if (!isdig(&c, 0))
					return JT_TIME_BAD;
				while (isdig(&c, 0))
					c.i++;
			}
		}
		if (!iso) {	/* 12-hour clock */
			size_t save = c.i;
			eat(&c, ' ');
			int pm = eatword(&c, "pm") ? 1 : eatword(&c, "am") ? 0 : -1;
			if (pm < 0) {
				c.i = save;
			} else {
				if (hh < 1 || hh > 12)
					return JT_TIME_BAD;
				hh = hh % 12 + 12 * pm;
			}
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return JT_TIME_BAD;
		if (ss == 60)
			ss = 59;	/* a leap second is read as the second before it */
		if (zone(&c, iso, &hasoff, &off) != 0)
			return JT_TIME_BAD;
	}
	if (c.i != n)
		return JT_TIME_BAD;
done:;
	int64_t local = jt_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss;
	if (hasoff)
		*t = local - off;
	else if (f && f->tz)
		*t = jt_tz_to_utc(f->tz, local);
	else
		*t = local;
	if (*t < JT_TIME_MIN || *t > JT_TIME_MAX)
		return JT_TIME_RANGE;
	return JT_TIME_OK;
}

int jt_year2(int yy) { return yy < 70 ? 2000 + yy : 1900 + yy; }

int jt_time_parse(const char *s, size_t n, int64_t *t)
{
	return jt_time_read(s, n, NULL, t) == JT_TIME_OK ? 0 : -1;
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

static char *put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

char *jt_time_format(int64_t t, char *buf)
{
	int64_t days, y;
	int secs;
	unsigned m, d;
	static _Thread_local int64_t last_days = INT64_MIN;
	static _Thread_local char last_date[11];
	split(t, &days, &secs);
	if (days == last_days) {	/* consecutive touches mostly share a day */
		memcpy(buf, last_date, 11);
		char *q = put2(buf + 11, (unsigned)(secs / 3600));
		*q++ = ':';
		q = put2(q, (unsigned)(secs / 60 % 60));
		*q++ = ':';
		q = put2(q, (unsigned)(secs % 60));
		q[0] = 'Z';
		q[1] = '\0';
		return buf;
	}
	jt_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {	/* outside what the touch stream holds: still say it */
		snprintf(buf, 32, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d, secs / 3600,
			 secs / 60 % 60, secs % 60);
		return buf;
	}
	char *p = put2(buf, (unsigned)(y / 100));
	p = put2(p, (unsigned)(y % 100));
	*p++ = '-';
	p = put2(p, m);
	*p++ = '-';
	p = put2(p, d);
	*p++ = 'T';
	p = put2(p, (unsigned)(secs / 3600));
	*p++ = ':';
	p = put2(p, (unsigned)(secs / 60 % 60));
	*p++ = ':';
	p = put2(p, (unsigned)(secs % 60));
	*p++ = 'Z';
	*p = '\0';
	memcpy(last_date, buf, 11);
	last_days = days;
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
		/* the first days of year 0000 fall in week 52 of ISO year -1: "-0001-W52", not "-001" */
		return (size_t)snprintf(buf, 32, "%s%04lld-W%02lld", ty < 0 ? "-" : "", (long long)(ty < 0 ? -ty : ty),
					(long long)week);
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
