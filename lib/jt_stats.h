/* jt_stats.h — small statistics every report needs: the Wilson score interval
 * of a proportion and type-7 quantiles of whole seconds. */
#ifndef JT_STATS_H
#define JT_STATS_H

#include <stddef.h>
#include <stdint.h>

#define JT_Z95 1.959963984540054

/* 95 % Wilson interval of x/n in percent with 2 decimals into lo and hi
 * (>= 64 bytes each); empty when n = 0. */
void jt_wilson(uint64_t x, uint64_t n, char *lo, char *hi);
/* x/n in percent with 2 decimals (half away from zero); empty when n = 0. */
void jt_pct(uint64_t x, uint64_t n, char *out);
/* The type-7 quantile q (0-100) of v (reordered in place), in whole seconds
 * rounded half away from zero; empty when n = 0. */
void jt_quantile_s(int64_t *v, size_t n, unsigned q, char *out);

/* The p quantile of Student's t with df degrees of freedom (bisection on the
 * CDF through the incomplete beta function; |error| < 1e-12). */
double jt_t_quantile(double p, double df);
/* The 95 % Wilson interval of x/n as proportions (n > 0). */
void jt_wilson_d(uint64_t x, uint64_t n, double *lo, double *hi);
/* Newcombe's hybrid score interval (his method 10) for p1 - p2, as proportions. */
void jt_newcombe(uint64_t x1, uint64_t n1, uint64_t x2, uint64_t n2, double *lo, double *hi);

#endif
