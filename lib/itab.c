/* itab.c — interning with one-probe slots (jt_itab.h). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_itab.h"
#include "jt_mem.h"

/* 32 bytes: a key of up to 16 bytes is compared in the slot itself, so a
 * lookup of a short id (most customer ids) touches one cache line. */
#define INLINE 16
struct jt_islot {
	uint64_t hash;	/* 0: empty (a key hashing to 0 is stored as 1) */
	uint32_t id, len;
	union {
		char in[INLINE];	/* len <= INLINE: the key's bytes */
		const char *key;	/* longer: the bytes; [u32 len][u32 id] before them */
	} k;
};

struct jt_itab_blk {
	struct jt_itab_blk *next;
	char data[];
};

#define BLK ((size_t)256 << 10)

uint64_t jt_hash_bytes(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
	while (n >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = (h ^ v) * 0xbf58476d1ce4e5b9ULL;
		h ^= h >> 31;
		p += 8;
		n -= 8;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	h = (h ^ v) * 0x94d049bb133111ebULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h ? h : 1;
}

static void grow(struct jt_itab *t, size_t cap)
{
	struct jt_islot *old = t->slot;
	size_t oldcap = old ? t->mask + 1 : 0;
	t->slot = jt_xcalloc(cap, sizeof *t->slot);
	t->mask = cap - 1;
	for (size_t k = 0; k < oldcap; k++) {
		if (!old[k].hash)
			continue;
		size_t i = old[k].hash & t->mask;
		while (t->slot[i].hash)
			i = (i + 1) & t->mask;
		t->slot[i] = old[k];
	}
	free(old);
	t->bytes += (cap - oldcap) * sizeof *t->slot;
}

static const char *store(struct jt_itab *t, const void *key, size_t len, uint32_t id)
{
	size_t need = (8 + len + 1 + 3) & ~(size_t)3;
	if (!t->blk || t->used + need > t->size) {
		size_t sz = need > BLK ? need : BLK;
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
	memcpy(p + 4, &id, 4);
	if (len)
		memcpy(p + 8, key, len);
	p[8 + len] = '\0';
	t->used += need;
	return p + 8;
}

uint32_t jt_itab_put_h(struct jt_itab *t, const void *key, size_t len, uint64_t h, int *isnew)
{
	if (!t->slot)
		grow(t, 64);
	size_t i = h & t->mask;
	for (;; i = (i + 1) & t->mask) {
		const struct jt_islot *s = &t->slot[i];
		if (!s->hash)
			break;
		if (s->hash == h && s->len == len &&
		    memcmp(len <= INLINE ? s->k.in : s->k.key, key, len) == 0) {
			if (isnew)
				*isnew = 0;
			return s->id;
		}
	}
	if (t->n >= UINT32_MAX - 1)
		jt_die("more than 4294967294 distinct keys (groups, customers or values), the most jtools holds");
	if (len > UINT32_MAX)
		jt_die("a key of %zu bytes, more than the 4 GiB jtools holds", len);
	uint32_t id = t->n++;
	const char *k = store(t, key, len, id);
	t->slot[i].hash = h;
	t->slot[i].id = id;
	t->slot[i].len = (uint32_t)len;
	if (len <= INLINE)
		memcpy(t->slot[i].k.in, key, len);
	else
		t->slot[i].k.key = k;
	if (id >= t->kcap) {
		size_t old = t->kcap;
		void *p = t->key;
		jt_xgrow(&p, &t->kcap, (size_t)id + 1, sizeof *t->key);
		t->key = p;
		t->bytes += (t->kcap - old) * sizeof *t->key;
	}
	t->key[id] = k;
	if (isnew)
		*isnew = 1;
	if ((size_t)t->n * 2 > t->mask + 1)
		grow(t, (t->mask + 1) * 2);
	return id;
}

uint32_t jt_itab_put(struct jt_itab *t, const void *key, size_t len, int *isnew)
{
	return jt_itab_put_h(t, key, len, jt_hash_bytes(key, len), isnew);
}

uint32_t jt_itab_find(const struct jt_itab *t, const void *key, size_t len)
{
	if (!t->slot)
		return UINT32_MAX;
	uint64_t h = jt_hash_bytes(key, len);
	for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
		const struct jt_islot *s = &t->slot[i];
		if (!s->hash)
			return UINT32_MAX;
		if (s->hash == h && s->len == len && memcmp(len <= INLINE ? s->k.in : s->k.key, key, len) == 0)
			return s->id;
	}
}

void jt_itab_free(struct jt_itab *t)
{
	for (struct jt_itab_blk *b = t->blk, *nx; b; b = nx) {
		nx = b->next;
		free(b);
	}
	free(t->slot);
	free(t->key);
	memset(t, 0, sizeof *t);
}
