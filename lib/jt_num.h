/* num.h — exact decimal numbers (scaled integers) and locale-free formatting.
 *
 * A number is kept as a signed 128-bit integer counting billionths (scale 1e9),
 * so sums are exact and never depend on row order. Magnitudes must be below
 * 1e20; digits past the ninth decimal are rounded half to even.
 */
#ifndef JT_NUM_H
#define JT_NUM_H

#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 jt_i128;

#define JT_DEC_SCALE ((jt_i128)1000000000)

/* JT_NUM_RANGE: magnitude of 1e20 or more; JT_NUM_FRACTION and JT_NUM_OUTSIDE:
 * a number, but not a whole one, or outside the range asked (jt_score_parse). */
enum { JT_NUM_OK = 0, JT_NUM_SYNTAX = 1, JT_NUM_RANGE = 2, JT_NUM_FRACTION = 3, JT_NUM_OUTSIDE = 4 };

/* Strict grammar: [+-]? (digits [. digits] | . digits) ([eE] [+-]? digits)? */
int jt_dec_parse(const char *s, size_t n, jt_i128 *out);
/* A finite double in the same grammar (no blanks, hex, inf or nan), for
 * values beyond the scale of jt_dec_parse (fitted parameters, HTML cells);
 * at most 63 bytes. 1 and *v, or 0. */
int jt_double_parse(const char *s, size_t n, double *v);
/* A score (NPS 0-10, CSAT 1-5, CES 1-7): a whole number in lo..hi, any
 * spelling jt_dec_parse reads ("7", "+7", "7.0", "7e0"). JT_NUM_OK and *v, or why not. */
int jt_score_parse(const char *s, size_t n, int lo, int hi, int *v);
/* What jt_dec_format writes, over the whole scaled range (|x| < 1.7e29), not
 * just the 1e20 of input values: sums in jkpi partial states. */
int jt_dec_parse_exact(const char *s, size_t n, jt_i128 *out);
/* Exact decimal, trailing zeros dropped: 12.5, 3, -0.25. buf >= 64 bytes. */
char *jt_dec_format(jt_i128 v, char *buf);
/* num/den rounded half away from zero to `dec` decimals; den > 0. buf >= 64. */
char *jt_fmt_ratio(jt_i128 num, jt_i128 den, int dec, char *buf);
/* A finite double with `dec` decimals, never "-0.00", "" for nan/inf. buf >= 64. */
char *jt_fmt_double(double v, int dec, char *buf);
char *jt_fmt_u64(uint64_t v, char *buf);
double jt_dec_to_double(jt_i128 v);
/* Strict unsigned integer for option values; returns -1 on error. */
int jt_parse_size(const char *s, uint64_t *out);
/* A byte count: N, NK, NM, NG or NT (powers of 1024; KiB, MB, ... also
 * taken, all binary). Returns 0 or -1. */
int jt_parse_bytes(const char *s, uint64_t *out);

/* Sorts v[0..n) ascending (exact quantiles' values), in place. */
void jt_sort_i128(jt_i128 *v, size_t n);

#endif
