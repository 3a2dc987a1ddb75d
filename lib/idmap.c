/* idmap.c — interned ids: see jt_idmap.h. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_idmap.h"
#include "jt_mem.h"

static uint64_t load8(const char *s, size_t n)
{
	uint64_t v = 0;
	memcpy(&v, s, n < 8 ? n : 8);
	return v;
}

/* A 64-bit hash of s: 8 bytes at a time, each round a multiply and a shift
 * (the finalizer of SplitMix64 at the end), so ids that differ in one byte
 * anywhere spread over the whole table. pre is s's first 8 bytes. */
static uint64_t hash(const char *s, size_t n, uint64_t pre)
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

static void resize(struct jt_idmap *m, size_t cap)
{
	free(m->slot);
	m->slot = jt_xcalloc(cap, sizeof *m->slot);
	m->mask = cap - 1;
	/* the ids in order: their keys are read front to back */
	for (uint32_t id = 0; id < m->n; id++) {
		size_t n;
		const char *s = jt_idmap_key(m, id, &n);
		uint64_t pre = load8(s, n), h = hash(s, n, pre);
		size_t i = (size_t)(h >> 32) & m->mask;
		while (m->slot[i].id1)
			i = (i + 1) & m->mask;
		m->slot[i] = (struct jt_idslot){ id + 1, ((uint32_t)h & 0xffffff00u) | (uint32_t)(n < 255 ? n : 255), pre };
	}
}

uint32_t jt_idmap_put(struct jt_idmap *m, const char *s, size_t n, int *isnew)
{
	if (!m->slot)
		resize(m, 1024);
	uint64_t pre = load8(s, n);
	uint64_t h = hash(s, n, pre);
	uint32_t tag = ((uint32_t)h & 0xffffff00u) | (uint32_t)(n < 255 ? n : 255);
	size_t i = (size_t)(h >> 32) & m->mask;
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
	if (m->n >= m->max)
		jt_die("more than %zu distinct ids, the most this program holds", m->max);
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
	free(m->slot);
	free(m->key);
	free(m->off);
	memset(m, 0, sizeof *m);
}
