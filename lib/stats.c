/* stats.c — proportions and quantiles shared by jkpi, jstage and the reports. */
#include <math.h>
#include <stdlib.h>

#include "jt_num.h"
#include "jt_stats.h"

void jt_wilson(uint64_t x, uint64_t n, char *lo, char *hi)
{
	if (n == 0) {
		lo[0] = hi[0] = '\0';
		return;
	}
	double p = (double)x / (double)n, z2 = JT_Z95 * JT_Z95, nn = (double)n;
	double c = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double h = JT_Z95 / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	double l = c - h, u = c + h;
	jt_fmt_double(l < 0 ? 0 : l * 100, 2, lo);
	jt_fmt_double(u > 1 ? 100 : u * 100, 2, hi);
}

void jt_pct(uint64_t x, uint64_t n, char *out)
{
	if (n == 0) {
		out[0] = '\0';
		return;
	}
	jt_fmt_ratio((jt_i128)x * 100 * JT_DEC_SCALE, (jt_i128)n * JT_DEC_SCALE, 2, out);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static void swap_i64(int64_t *a, int64_t *b)
{
	int64_t t = *a;
	*a = *b;
	*b = t;
}

/* Puts the k-th smallest of v[0..n) at v[k], the smaller before it and the
 * larger after (Hoare's selection, the pivot a median of three; a range that
 * does not shrink fast enough is sorted instead, so never quadratic). */
static void select_i64(int64_t *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n, rounds = 0, most = 16;
	for (size_t m = n; m > 1; m >>= 1)
		most += 2;
	while (hi - lo > 16) {
		if (++rounds > most) {
			qsort(v + lo, hi - lo, sizeof *v, cmp_i64);
			return;
		}
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < v[lo])
			swap_i64(&v[mid], &v[lo]);
		if (v[hi - 1] < v[lo])
			swap_i64(&v[hi - 1], &v[lo]);
		if (v[hi - 1] < v[mid])
			swap_i64(&v[hi - 1], &v[mid]);
		int64_t p = v[mid];
		size_t i = lo, j = hi - 1;
		for (;;) {	/* v[lo] <= p <= v[hi - 1]: neither scan runs off */
			while (v[i] < p)
				i++;
			while (v[j] > p)
				j--;
			if (i >= j)
				break;
			swap_i64(&v[i++], &v[j--]);
		}
		/* [lo, j] <= p <= [j + 1, hi) */
		if (k <= j)
			hi = j + 1;
		else
			lo = j + 1;
	}
	qsort(v + lo, hi - lo, sizeof *v, cmp_i64);
}

void jt_quantile_s(int64_t *v, size_t n, unsigned q, char *out)
{
	if (n == 0) {
		out[0] = '\0';
		return;
	}
	/* h = (n-1) q / 100; value = x[lo] + (h - lo) (x[lo+1] - x[lo]): the
	 * two order statistics by selection, v left in another order */
	uint64_t hn = (uint64_t)(n - 1) * q, lo = hn / 100, rem = hn % 100;
	select_i64(v, n, (size_t)lo);
	int64_t x0 = v[lo], x1 = x0;
	if (rem) {
		x1 = v[lo + 1];
		for (size_t i = (size_t)lo + 2; i < n; i++)
			x1 = v[i] < x1 ? v[i] : x1;
	}
	jt_fmt_ratio((jt_i128)x0 * 100 + (jt_i128)rem * (x1 - x0), 100, 0, out);
}

/* The continued fraction of the regularized incomplete beta function (modified Lentz). */
static double betacf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double qab = a + b, qap = a + 1, qam = a - 1, c = 1, d = 1 - qab * x / qap, h;
	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa = m * (b - m) * x / ((qam + m2) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		double del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-15)
			break;
	}
	return h;
}

static double ibeta(double a, double b, double x)
{
	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return bt * betacf(a, b, x) / a;
	return 1 - bt * betacf(b, a, 1 - x) / b;
}

/* P(T <= t) for Student's t with df degrees of freedom. */
static double t_cdf(double t, double df)
{
	double tail = 0.5 * ibeta(df / 2, 0.5, df / (df + t * t));
	return t >= 0 ? 1 - tail : tail;
}

double jt_t_quantile(double p, double df)
{
	if (df > 1e7)
		return p == 0.975 ? JT_Z95 : 0;	/* the normal limit; only 0.975 is asked for */
	double lo = 0, hi = 1e4;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;
		if (t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void jt_wilson_d(uint64_t x, uint64_t n, double *lo, double *hi)
{
	double p = (double)x / (double)n, z2 = JT_Z95 * JT_Z95, nn = (double)n;
	double c = (p + z2 / (2 * nn)) / (1 + z2 / nn);
	double h = JT_Z95 / (1 + z2 / nn) * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
	*lo = c - h < 0 ? 0 : c - h;
	*hi = c + h > 1 ? 1 : c + h;
}

void jt_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *lo, double *hi)
{
	double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2, l1, u1, l2, u2;
	jt_wilson_d(x1, n1, &l1, &u1);
	jt_wilson_d(x2, n2, &l2, &u2);
	double d = p1 - p2;
	*lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}
