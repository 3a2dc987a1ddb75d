/* jt_sketch.h — a DDSketch-style quantile sketch: logarithmic buckets with
 * relative accuracy 0.8 % (bound 1 %), counts only, so merging is addition and
 * the result does not depend on the order of values or of merges.
 * Memory: one counter per bucket between the smallest and largest seen. */
#ifndef JT_SKETCH_H
#define JT_SKETCH_H

#include <stdint.h>

struct jt_buf;

struct jt_sketch_side {
	int32_t lo;	/* key of cnt[0] */
	uint32_t n;
	uint64_t *cnt;
};

struct jt_sketch {
	struct jt_sketch_side pos, neg;	/* neg holds keys of |v| */
	uint64_t zero;
	uint64_t count;
};

void jt_sketch_add(struct jt_sketch *s, double v);
void jt_sketch_merge(struct jt_sketch *dst, const struct jt_sketch *src);
/* Estimated value at 0-based rank r (r < count). */
double jt_sketch_at_rank(const struct jt_sketch *s, uint64_t r);
/* "zero=N;pos=K:C K:C;neg=K:C" (empty parts left out). */
void jt_sketch_encode(const struct jt_sketch *s, struct jt_buf *b);
/* Parses one "zero=", "pos=" or "neg=" item value into s; -1 on error. */
int jt_sketch_decode_item(struct jt_sketch *s, const char *key, const char *val, size_t n);
void jt_sketch_free(struct jt_sketch *s);

#endif
