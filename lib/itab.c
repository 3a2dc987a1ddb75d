/* itab.c — interning with 16-byte tagged slots (jt_itab.h). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_itab.h"
#include "jt_mem.h"

struct jt_itab_blk {
	struct jt_itab_blk *next;
	char data[];
};

/* Key blocks grow from 1 KiB to 256 KiB, and the slots from 16: a table per
 * column of a 100,000-column file costs a few hundred bytes each. */
#define BLK ((size_t)256 << 10)
#define BLK_MIN ((size_t)1 << 10)

static uint64_t load8(const char *s, size_t n)
{
	uint64_t v = 0;
	if (n >= 8)
		memcpy(&v, s, 8);	/* one load */
	else if (n)
		memcpy(&v, s, n);
	return v;
}

/* A 64-bit hash: 8 bytes at a time, each round a multiply and a shift (the
 * finalizer of SplitMix64 at the end), so keys that differ in one byte
 * anywhere spread over the whole table. pre is the first 8 bytes. */
static uint64_t hash_pre(const char *s, size_t n, uint64_t pre)
{
	uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ULL ^ pre;
	for (size_t i = 8; i < n; i += 8) {
		h *= 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		h ^= load8(s + i, n - i);
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

uint64_t jt_hash_bytes(const void *s, size_t n)
{
	return hash_pre(s, n, load8(s, n));
}

/* The tag keeps bits 40-63 of the hash, which are bits 0-23 of the slot's
 * index: a table of up to 2^24 slots grows without a look at the keys. */
static uint32_t tag_of(uint64_t h, size_t n)
{
	return ((uint32_t)(h >> 32) & 0xffffff00u) | (uint32_t)(n < 255 ? n : 255);
}

static void place(struct jt_itab *t, struct jt_islot sl, size_t i)
{
	while (t->slot[i].id1)
		i = (i + 1) & t->mask;
	t->slot[i] = sl;
}

static void resize(struct jt_itab *t, size_t cap)
{
	enum { AHEAD = 16 };
	struct jt_islot *old = t->slot;
	size_t oldcap = old ? t->mask + 1 : 0;
	t->slot = jt_xbig(cap * sizeof *t->slot);
	t->mask = cap - 1;
	t->bytes += (cap - oldcap) * sizeof *t->slot;
	if (cap <= (size_t)1 << 24) {
		/* the old slots front to back, each one's new slot from its tag,
		 * fetched AHEAD slots before it is filled */
		for (size_t k = 0; k < oldcap; k++) {
			if (k + AHEAD < oldcap && old[k + AHEAD].id1)
				__builtin_prefetch(&t->slot[(old[k + AHEAD].tag >> 8) & t->mask], 1);
			if (old[k].id1)
				place(t, old[k], (old[k].tag >> 8) & t->mask);
		}
	} else {
		/* past 2^24 slots the index needs more of the hash than the tag
		 * holds: the keys in id order, hashed again */
		uint64_t hs[AHEAD];
		for (size_t id = 0; id < (size_t)t->n + AHEAD; id++) {
			if (id >= AHEAD) {
				uint32_t k = (uint32_t)(id - AHEAD);
				size_t n;
				const char *s = jt_itab_key(t, k, &n);
				uint64_t h = hs[k % AHEAD];
				place(t, (struct jt_islot){ k + 1, tag_of(h, n), load8(s, n) }, jt_itab_index(t, h));
			}
			if (id < t->n) {
				size_t n;
				const char *s = jt_itab_key(t, (uint32_t)id, &n);
				hs[id % AHEAD] = jt_hash_bytes(s, n);
				jt_itab_prefetch(t, hs[id % AHEAD]);
			}
		}
	}
	jt_xbig_free(old, oldcap * sizeof *old);
}

static const char *store(struct jt_itab *t, const void *key, size_t len)
{
	size_t need = (4 + len + 1 + 3) & ~(size_t)3;
	if (!t->blk || t->used + need > t->size) {
		size_t sz = t->size ? 2 * t->size : BLK_MIN;
		if (sz > BLK)
			sz = BLK;
		if (sz < need)
			sz = need;
		struct jt_itab_blk *b = jt_xmalloc(sizeof *b + sz);
		b->next = t->blk;
		t->blk = b;
		t->used = 0;
		t->size = sz;
		t->bytes += sz;
	}
	char *p = t->blk->data + t->used;
	uint32_t l = (uint32_t)len;
	memcpy(p, &l, 4);
	if (len)
		memcpy(p + 4, key, len);
	p[4 + len] = '\0';
	t->used += need;
	return p + 4;
}

/* The slot of key (hash h): its id, or UINT32_MAX with *at the empty slot
 * where it goes. */
static uint32_t probe(const struct jt_itab *t, const char *s, size_t n, uint64_t h, size_t *at)
{
	uint64_t pre = load8(s, n);
	uint32_t tag = tag_of(h, n);
	size_t i = jt_itab_index(t, h);
	for (;; i = (i + 1) & t->mask) {
		const struct jt_islot *sl = &t->slot[i];
		if (!sl->id1)
			break;
		if (sl->tag != tag || sl->pre != pre)
			continue;
		uint32_t id = sl->id1 - 1;
		if (n > 8) {
			size_t len;
			const char *k = jt_itab_key(t, id, &len);
			if (len != n || memcmp(k + 8, s + 8, n - 8) != 0)
				continue;
		}
		return id;
	}
	*at = i;
	return UINT32_MAX;
}

uint32_t jt_itab_put_h(struct jt_itab *t, const void *key, size_t len, uint64_t h, int *isnew)
{
	if (!t->slot)
		resize(t, 16);
	size_t i = 0;
	uint32_t id = probe(t, key, len, h, &i);
	if (id != UINT32_MAX) {
		if (isnew)
			*isnew = 0;
		return id;
	}
	uint32_t max = t->max ? t->max : UINT32_MAX - 1;
	if (t->n >= max) {
		if (isnew)
			*isnew = 0;
		if (!t->max)
			jt_die("more than 4294967294 distinct keys (groups, customers or values), the most jtools holds");
		return UINT32_MAX;
	}
	if (len > UINT32_MAX - 8)
		jt_die("a key of %zu bytes, more than the 4 GiB jtools holds", len);
	id = t->n++;
	const char *k = store(t, key, len);
	if (id >= t->kcap) {
		size_t old = t->kcap;
		void *p = t->key;
		jt_xgrow(&p, &t->kcap, (size_t)id + 1, sizeof *t->key);
		t->key = p;
		t->bytes += (t->kcap - old) * sizeof *t->key;
	}
	t->key[id] = k;
	t->slot[i] = (struct jt_islot){ id + 1, tag_of(h, len), load8(key, len) };
	if ((size_t)t->n * 10 > (t->mask + 1) * 7)	/* at most 70 % full */
		resize(t, (t->mask + 1) * 2);
	if (isnew)
		*isnew = 1;
	return id;
}

void jt_itab_reserve(struct jt_itab *t, size_t keys, uint64_t most)
{
	size_t cap = 16;
	while (cap < ((size_t)1 << 31) && keys * 10 > cap * 7 && 2 * cap * sizeof *t->slot <= most)
		cap *= 2;
	if (!t->slot || cap > t->mask + 1)
		resize(t, cap);
}

uint32_t jt_itab_put(struct jt_itab *t, const void *key, size_t len, int *isnew)
{
	return jt_itab_put_h(t, key, len, jt_hash_bytes(key, len), isnew);
}

uint32_t jt_itab_find(const struct jt_itab *t, const void *key, size_t len)
{
	if (!t->slot)
		return UINT32_MAX;
	size_t at;
	return probe(t, key, len, jt_hash_bytes(key, len), &at);
}

/* ---- the keys in byte order ---------------------------------------------------------- */

/* Bytes [d, d + 8) of k (zero past its end) as a number in byte order, its
 * top bit flipped (the values are signed), above the bytes left (up to 9)
 * and id. */
static jt_i128 order_value(const char *k, size_t len, size_t d, uint32_t id)
{
	uint64_t c = load8(k + d, len - d);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	c = __builtin_bswap64(c);
#endif
	size_t rest = len - d < 9 ? len - d : 9;
	return (jt_i128)((unsigned __int128)(c ^ (uint64_t)1 << 63) << 64 | (uint64_t)rest << 32 | id);
}

/* v[0..n): keys equal in their first d bytes, each longer than d. Values
 * equal but for the id are keys that go on past d + 8 with the same 8
 * bytes: those are sorted again, 8 bytes further, and given back their
 * values (the same above the id). */
static void order_from(const struct jt_itab *t, jt_i128 *v, size_t n, size_t d)
{
	jt_sort_i128(v, n);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && v[b] >> 32 == v[a] >> 32; b++)
			;
		if (b - a < 2)
			continue;	/* distinct keys: equal values are longer than d + 8 */
		jt_i128 above = v[a] & ~(jt_i128)0xffffffff;
		for (size_t i = a; i < b; i++) {
			size_t len;
			uint32_t id = (uint32_t)v[i];
			const char *k = jt_itab_key(t, id, &len);
			v[i] = order_value(k, len, d + 8, id);
		}
		order_from(t, v + a, b - a, d + 8);
		for (size_t i = a; i < b; i++)
			v[i] = above | (uint32_t)v[i];
	}
}

void jt_itab_order(const struct jt_itab *t, jt_i128 *v)
{
	for (uint32_t i = 0; i < t->n; i++) {
		size_t len;
		const char *k = jt_itab_key(t, i, &len);
		v[i] = order_value(k, len, 0, i);
	}
	order_from(t, v, t->n, 0);
}

int jt_itab_order_cmp(const struct jt_itab *ta, jt_i128 a, const struct jt_itab *tb, jt_i128 b)
{
	jt_i128 x = a >> 32, y = b >> 32;
	if (x != y)
		return x < y ? -1 : 1;
	if ((uint32_t)((uint64_t)a >> 32) < 9)
		return 0;	/* the same bytes, all of them */
	size_t la, lb;
	const char *ka = jt_itab_key(ta, (uint32_t)a, &la), *kb = jt_itab_key(tb, (uint32_t)b, &lb);
	int c = memcmp(ka, kb, la < lb ? la : lb);	/* as jt_bytes_cmp, without a loop back to hash.c */
	return c ? c : (la > lb) - (la < lb);
}

void jt_itab_clear(struct jt_itab *t)
{
	if (!t->slot)
		return;
	memset(t->slot, 0, (t->mask + 1) * sizeof *t->slot);
	struct jt_itab_blk *b = t->blk;	/* the newest block, the largest, stays */
	for (struct jt_itab_blk *o = b ? b->next : NULL, *nx; o; o = nx) {
		nx = o->next;
		free(o);
	}
	if (b)
		b->next = NULL;
	t->n = 0;
	t->used = 0;
	t->bytes = (t->mask + 1) * sizeof *t->slot + t->kcap * sizeof *t->key + t->size;
}

void jt_itab_free(struct jt_itab *t)
{
	for (struct jt_itab_blk *b = t->blk, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	jt_xbig_free(t->slot, t->slot ? (t->mask + 1) * sizeof *t->slot : 0);
	free(t->key);
	memset(t, 0, sizeof *t);
}
