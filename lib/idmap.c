/* idmap.c — interned ids: see jt_idmap.h. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_idmap.h"
#include "jt_mem.h"

static uint64_t load8(const char *s, size_t n)
{
	uint64_t v = 0;
	if (n >= 8)
		memcpy(&v, s, 8);	/* one load */
	else
		memcpy(&v, s, n);
	return v;
}

/* A 64-bit hash of s: 8 bytes at a time, each round a multiply and a shift
 * (the finalizer of SplitMix64 at the end), so ids that differ in one byte
 * anywhere spread over the whole table. pre is s's first 8 bytes. */
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

void jt_idmap_init(struct jt_idmap *m, size_t max)
{
	memset(m, 0, sizeof *m);
	m->max = max;
}

uint64_t jt_idmap_hash(const char *s, size_t n)
{
	return hash_pre(s, n, load8(s, n));
}

/* The tag keeps bits 40-63 of the hash, which are bits 0-23 of the slot's
 * index: a table of up to 2^24 slots grows without a look at the keys. */
static uint32_t tag_of(uint64_t h, size_t n)
{
	return ((uint32_t)(h >> 32) & 0xffffff00u) | (uint32_t)(n < 255 ? n : 255);
}

static void place(struct jt_idmap *m, struct jt_idslot sl, size_t i)
{
	while (m->slot[i].id1)
		i = (i + 1) & m->mask;
	m->slot[i] = sl;
}

static void resize(struct jt_idmap *m, size_t cap)
{
	enum { AHEAD = 16 };
	struct jt_idslot *old = m->slot;
	size_t oldcap = old ? m->mask + 1 : 0;
	m->slot = jt_xbig(cap * sizeof *m->slot);
	m->mask = cap - 1;
	if (cap <= (size_t)1 << 24) {
		/* the old slots front to back, each one's new slot from its tag,
		 * fetched AHEAD slots before it is filled */
		for (size_t k = 0; k < oldcap; k++) {
			if (k + AHEAD < oldcap && old[k + AHEAD].id1)
				__builtin_prefetch(&m->slot[(old[k + AHEAD].tag >> 8) & m->mask], 1);
			if (old[k].id1)
				place(m, old[k], (old[k].tag >> 8) & m->mask);
		}
	} else {
		uint64_t hs[AHEAD];
		/* past 2^24 slots the index needs more of the hash than the tag
		 * holds: the keys in id order, hashed again */
		for (size_t id = 0; id < m->n + AHEAD; id++) {
			if (id >= AHEAD) {
				uint32_t k = (uint32_t)(id - AHEAD);
				size_t n;
				const char *s = jt_idmap_key(m, k, &n);
				uint64_t h = hs[k % AHEAD];
				place(m, (struct jt_idslot){ k + 1, tag_of(h, n), load8(s, n) }, jt_idmap_index(m, h));
			}
			if (id < m->n) {
				size_t n;
				const char *s = jt_idmap_key(m, (uint32_t)id, &n);
				hs[id % AHEAD] = jt_idmap_hash(s, n);
				jt_idmap_prefetch(m, hs[id % AHEAD]);
			}
		}
	}
	jt_xbig_free(old, oldcap * sizeof *old);
}

uint32_t jt_idmap_put(struct jt_idmap *m, const char *s, size_t n, int *isnew)
{
	return jt_idmap_put_h(m, s, n, jt_idmap_hash(s, n), isnew);
}

uint32_t jt_idmap_put_h(struct jt_idmap *m, const char *s, size_t n, uint64_t h, int *isnew)
{
	if (!m->slot)
		resize(m, 1024);
	uint64_t pre = load8(s, n);
	uint32_t tag = tag_of(h, n);
	size_t i = jt_idmap_index(m, h);
	for (;; i = (i + 1) & m->mask) {
		const struct jt_idslot *sl = &m->slot[i];
		if (!sl->id1)
			break;
		if (sl->tag != tag || sl->pre != pre)
			continue;
		uint32_t id = sl->id1 - 1;
		if (n > 8) {
			size_t len;
			const char *k = jt_idmap_key(m, id, &len);
			if (len != n || memcmp(k + 8, s + 8, n - 8) != 0)
				continue;
		}
		*isnew = 0;
		return id;
	}
	if (m->n >= m->max) {
		*isnew = 0;
		return UINT32_MAX;
	}
	if (m->klen + n < m->klen)
		jt_die("out of memory");
	if (m->klen + n > m->kcap) {
		void *p = m->key;
		jt_xgrow(&p, &m->kcap, m->klen + n, 1);
		m->key = p;
	}
	void *p = m->off;
	jt_xgrow(&p, &m->ocap, m->n + 2, sizeof *m->off);
	m->off = p;
	if (n)
		memcpy(m->key + m->klen, s, n);
	m->off[m->n] = m->klen;
	m->klen += n;
	m->off[m->n + 1] = m->klen;
	uint32_t id = (uint32_t)m->n++;
	m->slot[i] = (struct jt_idslot){ id + 1, tag, pre };
	if (m->n * 10 > (m->mask + 1) * 7)	/* at most 70 % full */
		resize(m, (m->mask + 1) * 2);
	*isnew = 1;
	return id;
}

size_t jt_idmap_bytes(const struct jt_idmap *m)
{
	return (m->slot ? (m->mask + 1) * sizeof *m->slot : 0) + m->kcap + m->ocap * sizeof *m->off;
}

void jt_idmap_free(struct jt_idmap *m)
{
	jt_xbig_free(m->slot, m->slot ? (m->mask + 1) * sizeof *m->slot : 0);
	free(m->key);
	free(m->off);
	memset(m, 0, sizeof *m);
}
