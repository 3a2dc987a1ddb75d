/* num.c — strict decimal parsing into scaled integers; exact formatting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_num.h"

#define MANT_LIMIT ((jt_i128)1000000000000000000 * 1000000000000000000) /* 1e36 */
#define VALUE_LIMIT ((jt_i128)100000000000000000 * 1000000000000)     /* 1e29 = 1e20 scaled */

static jt_i128 pow10i(int e)
{
	jt_i128 p = 1;
	while (e-- > 0)
		p *= 10;
	return p;
}

int jt_dec_parse(const char *s, size_t n, jt_i128 *out)
{
	const char *p = s, *end = s + n;
	int neg = 0, ndig = 0, exp10 = 0, dropped_first = -1, sticky = 0;
	jt_i128 m = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
		if (m < MANT_LIMIT) {
			m = m * 10 + (*p - '0');
		} else {
			exp10++;
			if (dropped_first < 0)
				dropped_first = *p - '0';
			else if (*p != '0')
				sticky = 1;
		}
	}
	if (p < end && *p == '.') {
		p++;
		if (p == end || *p < '0' || *p > '9')
			return JT_NUM_SYNTAX;	/* "5." is not a number */
		for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
			if (m < MANT_LIMIT) {
				m = m * 10 + (*p - '0');
				exp10--;
			} else if (dropped_first < 0) {
				dropped_first = *p - '0';
			} else if (*p != '0') {
				sticky = 1;
			}
		}
	}
	if (ndig == 0)
		return JT_NUM_SYNTAX;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, edig = 0;
		long e = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++, edig++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		if (!edig)
			return JT_NUM_SYNTAX;
		exp10 += (int)(eneg ? -e : e);
	}
	if (p != end)
		return JT_NUM_SYNTAX;

	int sh = exp10 + 9;	/* value * 1e9 = m * 10^sh */
	jt_i128 v;
	if (m == 0) {
		v = 0;
	} else if (sh >= 0) {
		if (sh > 29 || m >= VALUE_LIMIT / pow10i(sh))
			return JT_NUM_RANGE;
		v = m * pow10i(sh);
	} else {
		int d = -sh;
		if (d > 37) {
			v = 0;
		} else {
			jt_i128 div = pow10i(d), q = m / div, r = m % div, half = div / 2;
			/* the dropped digits past the mantissa only matter as a tie breaker */
			int above = r > half || (r == half && (dropped_first > 0 || sticky));
			if (above || (r == half && (q & 1)))
				q++;
			v = q;
		}
		if (v >= VALUE_LIMIT)
			return JT_NUM_RANGE;
	}
	*out = neg ? -v : v;
	return JT_NUM_OK;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

int jt_double_parse(const char *s, size_t n, double *v)
{
	char buf[64], *end;
	size_t i = 0, ndig = 0;
	if (n == 0 || n >= sizeof buf)
		return 0;
	if (s[i] == '+' || s[i] == '-')
		i++;
	for (; i < n && is_digit(s[i]); i++)
		ndig++;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			ndig++;
	if (ndig == 0)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t e = i;
		while (i < n && is_digit(s[i]))
			i++;
		if (i == e)
			return 0;
	}
	if (i != n)
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	return isfinite(*v);
}

int jt_dec_parse_exact(const char *s, size_t n, jt_i128 *out)
{
	size_t i = 0;
	int neg = 0, fd = 0;
	jt_i128 v = 0;
	if (i < n && s[i] == '-')
		neg = 1, i++;
	if (i == n || s[i] < '0' || s[i] > '9')
		return JT_NUM_SYNTAX;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
			return JT_NUM_RANGE;
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9' && fd < 9; i++, fd++)
			if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
				return JT_NUM_RANGE;
		if (fd == 0)
			return JT_NUM_SYNTAX;
	}
	if (i != n)
		return JT_NUM_SYNTAX;
	for (; fd < 9; fd++)
		if (__builtin_mul_overflow(v, 10, &v))
			return JT_NUM_RANGE;
	*out = neg ? -v : v;
	return JT_NUM_OK;
}

static char *u128_str(jt_i128 v, char *end)
{
	/* writes digits of v >= 0 backwards ending at end (exclusive); returns start */
	char *p = end;
	do {
		*--p = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	return p;
}

int jt_score_parse(const char *s, size_t n, int lo, int hi, int *v)
{
	jt_i128 x;
	if (n == 1 && s[0] >= '0' && s[0] <= '9') {	/* fast path: one digit */
		*v = s[0] - '0';
		return *v >= lo && *v <= hi ? JT_NUM_OK : JT_NUM_OUTSIDE;
	}
	if (n == 2 && s[0] == '1' && s[1] == '0') {
		*v = 10;
		return 10 >= lo && 10 <= hi ? JT_NUM_OK : JT_NUM_OUTSIDE;
	}
	int rc = jt_dec_parse(s, n, &x);
	if (rc == JT_NUM_RANGE)
		return JT_NUM_OUTSIDE;	/* 1e309 is simply not in 0-10 */
	if (rc != JT_NUM_OK)
		return rc;
	if (x % JT_DEC_SCALE != 0)
		return JT_NUM_FRACTION;
	if (x < lo * JT_DEC_SCALE || x > hi * JT_DEC_SCALE)
		return JT_NUM_OUTSIDE;
	*v = (int)(x / JT_DEC_SCALE);
	return JT_NUM_OK;
}

char *jt_dec_format(jt_i128 v, char *buf)
{
	char tmp[64], *p;
	int neg = v < 0;
	jt_i128 a = neg ? -v : v, ip = a / JT_DEC_SCALE, fp = a % JT_DEC_SCALE;
	size_t n = 0;

	if (neg)
		buf[n++] = '-';
	p = u128_str(ip, tmp + sizeof tmp);
	memcpy(buf + n, p, (size_t)(tmp + sizeof tmp - p));
	n += (size_t)(tmp + sizeof tmp - p);
	if (fp) {
		char f[10];
		int i, last = 8;
		for (i = 8; i >= 0; i--) {
			f[i] = (char)('0' + (int)(fp % 10));
			fp /= 10;
		}
		while (last > 0 && f[last] == '0')
			last--;
		buf[n++] = '.';
		memcpy(buf + n, f, (size_t)last + 1);
		n += (size_t)last + 1;
	}
	buf[n] = '\0';
	return buf;
}

char *jt_fmt_ratio(jt_i128 num, jt_i128 den, int dec, char *buf)
{
	int neg = (num < 0) != (den < 0);
	jt_i128 a = num < 0 ? -num : num, d = den < 0 ? -den : den;
	jt_i128 sc = pow10i(dec);
	jt_i128 q = (a * sc) / d, r = (a * sc) % d;
	char tmp[64], *p;
	size_t n = 0;

	if (2 * r >= d)
		q++;
	if (q == 0)
		neg = 0;
	if (neg)
		buf[n++] = '-';
	p = u128_str(q / sc, tmp + sizeof tmp);
	memcpy(buf + n, p, (size_t)(tmp + sizeof tmp - p));
	n += (size_t)(tmp + sizeof tmp - p);
	if (dec > 0) {
		jt_i128 f = q % sc;
		buf[n++] = '.';
		for (int i = dec - 1; i >= 0; i--) {
			buf[n + (size_t)i] = (char)('0' + (int)(f % 10));
			f /= 10;
		}
		n += (size_t)dec;
	}
	buf[n] = '\0';
	return buf;
}

char *jt_fmt_double(double v, int dec, char *buf)
{
	if (!isfinite(v)) {
		buf[0] = '\0';
		return buf;
	}
	double sc = pow(10, dec);
	double r = round(v * sc) / sc;	/* half away from zero */
	if (r == 0)
		r = 0;	/* no "-0.00" */
	snprintf(buf, 64, "%.*f", dec, r);
	return buf;
}

char *jt_fmt_u64(uint64_t v, char *buf)
{
	char tmp[24];
	size_t k = 0;
	do {	/* digits backwards, without printf: it runs once per output row */
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < k; i++)
		buf[i] = tmp[k - 1 - i];
	buf[k] = '\0';
	return buf;
}

double jt_dec_to_double(jt_i128 v)
{
	return (double)v / 1e9;
}

int jt_parse_bytes(const char *s, uint64_t *out)
{
	char digits[32];
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9' && n < sizeof digits - 1) {
		digits[n] = s[n];
		n++;
	}
	digits[n] = '\0';
	uint64_t v, mul = 1;
	if (n == 0 || jt_parse_size(digits, &v) != 0)
		return -1;
	const char *u = s + n;
	static const char units[] = "KMGT";
	const char *k = *u ? strchr(units, *u >= 'a' ? *u - 32 : *u) : NULL;
	if (*u && !k)
		return -1;
	if (k) {
		for (const char *q = units; q <= k; q++)
			mul *= 1024;
		u++;
		if (strcmp(u, "") != 0 && strcmp(u, "B") != 0 && strcmp(u, "iB") != 0 && strcmp(u, "b") != 0)
			return -1;
	}
	if (v > UINT64_MAX / mul)
		return -1;
	*out = v * mul;
	return 0;
}

int jt_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* A quicksort with the comparison inline (qsort's call a comparison was a
 * sixth of jkpi -j's serial tail), insertion sort for short runs, heapsort
 * past a depth bound. */
static void sift_i128(jt_i128 *v, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && v[c + 1] > v[c])
			c++;
		if (v[i] >= v[c])
			return;
		jt_i128 t = v[i];
		v[i] = v[c];
		v[c] = t;
		i = c;
	}
}

static void sort_i128_depth(jt_i128 *v, size_t n, int depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			for (size_t i = n / 2; i-- > 0;)
				sift_i128(v, i, n);
			for (size_t e = n - 1; e > 0; e--) {
				jt_i128 t = v[0];
				v[0] = v[e];
				v[e] = t;
				sift_i128(v, 0, e);
			}
			return;
		}
		jt_i128 a = v[0], b = v[n / 2], c = v[n - 1];
		jt_i128 p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
		size_t i = 0, j = n - 1;
		for (;;) {	/* Hoare: [0, j] <= p <= [j + 1, n) */
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i >= j)
				break;
			jt_i128 t = v[i];
			v[i++] = v[j];
			v[j--] = t;
		}
		if (j + 1 < n - j - 1) {	/* the smaller side first, the larger in the loop */
			sort_i128_depth(v, j + 1, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			sort_i128_depth(v + j + 1, n - j - 1, depth);
			n = j + 1;
		}
	}
	for (size_t i = 1; i < n; i++) {
		jt_i128 x = v[i];
		size_t k = i;
		for (; k > 0 && v[k - 1] > x; k--)
			v[k] = v[k - 1];
		v[k] = x;
	}
}

void jt_sort_i128(jt_i128 *v, size_t n)
{
	int depth = 0;
	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	sort_i128_depth(v, n, depth);
}
