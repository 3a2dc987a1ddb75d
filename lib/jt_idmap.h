/* jt_idmap.h — ids (customer ids) interned once: each distinct byte string
 * gets a dense number 0, 1, 2, ... in the order first seen. Open addressing
 * with linear probing; a slot holds a tag (hash bits and the length) and the
 * first 8 bytes of the key, so an id of up to 8 bytes is found or refused in
 * its slot alone and a longer one compares its bytes only on a full match of
 * both. The keys sit back to back in one buffer: no pointer chains, no
 * allocation per id. Memory: about 40 bytes per id plus its bytes. */
#ifndef JT_IDMAP_H
#define JT_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct jt_idslot {
	uint32_t id1;	/* id + 1; 0: empty */
	uint32_t tag;	/* hash bits 40-63 in bits 8-31, the length (255: 255 or more) in 0-7 */
	uint64_t pre;	/* the key's first 8 bytes, zero-padded */
};

struct jt_idmap {
	struct jt_idslot *slot;
	size_t mask;
	char *key;	/* every key, back to back */
	size_t klen, kcap;
	uint64_t *off;	/* key i is key[off[i] .. off[i + 1]) */
	size_t n, ocap;
	size_t max;	/* most ids (jt_idmap_init) */
};

/* max: the most ids the caller can number (at most UINT32_MAX - 1). */
void jt_idmap_init(struct jt_idmap *m, size_t max);
/* The id of key s[0..n), new ones numbered next (*isnew set); UINT32_MAX
 * when the key is new and max ids are there already. */
uint32_t jt_idmap_put(struct jt_idmap *m, const char *s, size_t n, int *isnew);
/* The same in two steps, for a batch of keys: the hash of each first, its
 * slot fetched ahead (jt_idmap_prefetch), then the put. */
uint64_t jt_idmap_hash(const char *s, size_t n);
uint32_t jt_idmap_put_h(struct jt_idmap *m, const char *s, size_t n, uint64_t h, int *isnew);
static inline size_t jt_idmap_index(const struct jt_idmap *m, uint64_t h)
{
	return (size_t)(h >> 40 | h << 24) & m->mask;
}
static inline void jt_idmap_prefetch(const struct jt_idmap *m, uint64_t h)
{
	if (m->slot)
		__builtin_prefetch(&m->slot[jt_idmap_index(m, h)]);
}
/* The bytes of id (not NUL-terminated). */
static inline const char *jt_idmap_key(const struct jt_idmap *m, uint32_t id, size_t *len)
{
	*len = (size_t)(m->off[id + 1] - m->off[id]);
	return m->key + m->off[id];
}
/* Bytes held, for memory reports. */
size_t jt_idmap_bytes(const struct jt_idmap *m);
void jt_idmap_free(struct jt_idmap *m);

#endif
