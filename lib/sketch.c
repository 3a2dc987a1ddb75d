/* sketch.c — log-bucket quantile sketch (after DDSketch, Masson et al. 2019). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_sketch.h"

#define ALPHA 0.008
#define GAMMA ((1 + ALPHA) / (1 - ALPHA))

static int32_t key_of(double v)
{
	return (int32_t)ceil(log(v) / log(GAMMA));
}

static double value_of(int32_t k)
{
	return 2.0 * pow(GAMMA, k) / (GAMMA + 1.0);
}

static void side_add(struct jt_sketch_side *sd, int32_t k, uint64_t c)
{
	if (sd->n == 0) {
		sd->cnt = jt_xcalloc(1, sizeof *sd->cnt);
		sd->lo = k;
		sd->n = 1;
	} else if (k < sd->lo) {
		uint32_t grow = (uint32_t)(sd->lo - k), n = sd->n + grow;
		uint64_t *c2 = jt_xcalloc(n, sizeof *c2);
		memcpy(c2 + grow, sd->cnt, sd->n * sizeof *c2);
		free(sd->cnt);
		sd->cnt = c2;
		sd->lo = k;
		sd->n = n;
	} else if (k >= sd->lo + (int32_t)sd->n) {
		uint32_t n = (uint32_t)(k - sd->lo) + 1;
		sd->cnt = jt_xrealloc(sd->cnt, n * sizeof *sd->cnt);
		memset(sd->cnt + sd->n, 0, (n - sd->n) * sizeof *sd->cnt);
		sd->n = n;
	}
	sd->cnt[k - sd->lo] += c;
}

void jt_sketch_add(struct jt_sketch *s, double v)
{
	s->count++;
	if (v > 0)
		side_add(&s->pos, key_of(v), 1);
	else if (v < 0)
		side_add(&s->neg, key_of(-v), 1);
	else
		s->zero++;
}

void jt_sketch_merge(struct jt_sketch *dst, const struct jt_sketch *src)
{
	for (uint32_t i = 0; i < src->pos.n; i++)
		if (src->pos.cnt[i])
			side_add(&dst->pos, src->pos.lo + (int32_t)i, src->pos.cnt[i]);
	for (uint32_t i = 0; i < src->neg.n; i++)
		if (src->neg.cnt[i])
			side_add(&dst->neg, src->neg.lo + (int32_t)i, src->neg.cnt[i]);
	dst->zero += src->zero;
	dst->count += src->count;
}

double jt_sketch_at_rank(const struct jt_sketch *s, uint64_t r)
{
	uint64_t seen = 0;
	/* most negative first: largest |v| keys of neg, descending */
	for (uint32_t i = s->neg.n; i-- > 0;) {
		seen += s->neg.cnt[i];
		if (r < seen)
			return -value_of(s->neg.lo + (int32_t)i);
	}
	seen += s->zero;
	if (r < seen)
		return 0;
	for (uint32_t i = 0; i < s->pos.n; i++) {
		seen += s->pos.cnt[i];
		if (r < seen)
			return value_of(s->pos.lo + (int32_t)i);
	}
	return s->pos.n ? value_of(s->pos.lo + (int32_t)s->pos.n - 1) : 0;
}

static void side_encode(const struct jt_sketch_side *sd, const char *name, struct jt_buf *b, int *first)
{
	int any = 0;
	for (uint32_t i = 0; i < sd->n; i++) {
		if (!sd->cnt[i])
			continue;
		if (!any) {
			jt_buf_printf(b, "%s%s=", *first ? "" : ";", name);
			*first = 0;
			any = 1;
		} else {
			jt_buf_addc(b, ' ');
		}
		jt_buf_printf(b, "%ld:%llu", (long)(sd->lo + (int32_t)i), (unsigned long long)sd->cnt[i]);
	}
}

void jt_sketch_encode(const struct jt_sketch *s, struct jt_buf *b)
{
	int first = 0;	/* callers append after other items */
	if (s->zero)
		jt_buf_printf(b, ";zero=%llu", (unsigned long long)s->zero);
	side_encode(&s->pos, "pos", b, &first);
	side_encode(&s->neg, "neg", b, &first);
}

int jt_sketch_decode_item(struct jt_sketch *s, const char *key, const char *val, size_t n)
{
	char *tmp = jt_xmemdup(val, n), *p = tmp, *end;
	int rc = 0;
	if (strcmp(key, "zero") == 0) {
		unsigned long long z = strtoull(p, &end, 10);
		if (end == p || *end)
			rc = -1;
		else {
			s->zero += z;
			s->count += z;
		}
	} else {
		struct jt_sketch_side *sd = strcmp(key, "pos") == 0 ? &s->pos : &s->neg;
		while (*p) {
			long k = strtol(p, &end, 10);
			if (end == p || *end != ':' || k < -100000 || k > 100000) {
				rc = -1;
				break;
			}
			p = end + 1;
			unsigned long long c = strtoull(p, &end, 10);
			if (end == p || (*end && *end != ' ')) {
				rc = -1;
				break;
			}
			side_add(sd, (int32_t)k, c);
			s->count += c;
			p = *end ? end + 1 : end;
		}
	}
	free(tmp);
	return rc;
}

void jt_sketch_free(struct jt_sketch *s)
{
	free(s->pos.cnt);
	free(s->neg.cnt);
	memset(s, 0, sizeof *s);
}
