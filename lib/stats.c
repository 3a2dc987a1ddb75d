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

void jt_quantile_s(int64_t *v, size_t n, unsigned q, char *out)
{
	if (n == 0) {
		out[0] = '\0';
		return;
	}
	qsort(v, n, sizeof *v, cmp_i64);
	/* h = (n-1) q / 100; value = x[lo] + (h - lo) (x[lo+1] - x[lo]) */
	uint64_t hn = (uint64_t)(n - 1) * q, lo = hn / 100, rem = hn % 100;
	int64_t x0 = v[lo], x1 = rem ? v[lo + 1] : x0;
	jt_fmt_ratio((jt_i128)x0 * 100 + (jt_i128)rem * (x1 - x0), 100, 0, out);
}
