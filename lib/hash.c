/* hash.c — FNV-1a 64-bit and a linear-probing map over insertion-ordered
 * entries (hashed with jt_hash_bytes: FNV takes a byte at a time, and its
 * multiply chain was a tenth of jkpi --per's and jvalue's time). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_hash.h"
#include "jt_itab.h"

uint64_t jt_fnv1a64(const void *s, size_t n)
{
	const unsigned char *p = s;
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static uint64_t mix(uint64_t h)
{
	/* FNV's low bits are weak for short keys; spread them for the table index */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

long jt_map_find(const struct jt_map *m, const void *key, size_t len)
{
	return jt_map_find_h(m, key, len, jt_hash_bytes(key, len));
}

/* A slot: the entry's index + 1 in the low half (0: empty), the top half
 * of its hash in the high, so a probe that misses reads no entry. */
static inline uint64_t slot_of(uint64_t h, size_t idx)
{
	return (h & 0xffffffff00000000ULL) | (uint64_t)(idx + 1);
}

long jt_map_find_h(const struct jt_map *m, const void *key, size_t len, uint64_t h)
{
	if (!m->slot)
		return -1;
	size_t i = mix(h) & m->mask;
	uint64_t tag = h & 0xffffffff00000000ULL;
	for (;; i = (i + 1) & m->mask) {
		uint64_t s = m->slot[i];
		if (!s)
			return -1;
		if ((s & 0xffffffff00000000ULL) != tag)
			continue;
		const struct jt_map_ent *e = &m->ent[(uint32_t)s - 1];
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return (long)((uint32_t)s - 1);
	}
}

static void rehash(struct jt_map *m, size_t cap)
{
	free(m->slot);
	m->slot = jt_xcalloc(cap, sizeof *m->slot);
	m->mask = cap - 1;
	for (size_t k = 0; k < m->n; k++) {
		uint64_t h = m->ent[k].hash;
		size_t i = mix(h) & m->mask;
		while (m->slot[i])
			i = (i + 1) & m->mask;
		m->slot[i] = slot_of(h, k);
	}
}

size_t jt_map_put(struct jt_map *m, const void *key, size_t len, uint32_t val, int *isnew)
{
	if (!m->slot)
		rehash(m, 64);
	uint64_t h = jt_hash_bytes(key, len), tag = h & 0xffffffff00000000ULL;
	size_t i = mix(h) & m->mask;
	for (;; i = (i + 1) & m->mask) {
		uint64_t s = m->slot[i];
		if (!s)
			break;
		if ((s & 0xffffffff00000000ULL) != tag)
			continue;
		const struct jt_map_ent *e = &m->ent[(uint32_t)s - 1];
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
			if (isnew)
				*isnew = 0;
			return (uint32_t)s - 1;
		}
	}
	if (m->n >= UINT32_MAX - 1)
		jt_die("more than 4294967294 distinct keys (groups, customers or values), the most jtools holds");
	if (len > UINT32_MAX)
		jt_die("a key of %zu bytes, more than the 4 GiB jtools holds", len);
	void *p = m->ent;
	jt_xgrow(&p, &m->ecap, m->n + 1, sizeof *m->ent);
	m->ent = p;
	struct jt_map_ent *e = &m->ent[m->n];
	e->key = jt_arena_dup(&m->arena, key, len);
	e->len = (uint32_t)len;
	e->val = val;
	e->hash = h;
	m->slot[i] = slot_of(h, m->n);
	m->n++;
	if (isnew)
		*isnew = 1;
	if (m->n * 2 > m->mask + 1)
		rehash(m, (m->mask + 1) * 2);
	return m->n - 1;
}

void jt_map_free(struct jt_map *m)
{
	free(m->ent);
	free(m->slot);
	jt_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}

void jt_key_add(struct jt_buf *key, const char *s, size_t n)
{
	uint32_t l = (uint32_t)n;
	jt_buf_add(key, &l, 4);
	jt_buf_add(key, s, n);
}

const char *jt_key_next(const char *p, const char **s, size_t *n)
{
	uint32_t l;
	memcpy(&l, p, 4);
	*s = p + 4;
	*n = l;
	return p + 4 + l;
}

int jt_bytes_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

int jt_key_cmp(const char *a, const char *b, size_t nparts)
{
	for (size_t i = 0; i < nparts; i++) {
		const char *x, *y;
		size_t lx, ly;
		a = jt_key_next(a, &x, &lx);
		b = jt_key_next(b, &y, &ly);
		int c = memcmp(x, y, lx < ly ? lx : ly);
		if (c || lx != ly)
			return c ? c : lx < ly ? -1 : 1;
	}
	return 0;
}
