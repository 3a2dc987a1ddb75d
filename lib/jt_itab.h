/* jt_itab.h — interning: byte strings to dense ids 0, 1, 2, ... in the order
 * first seen, for the hot paths (customers, repeated values). Open
 * addressing: one probe reads a 32-byte slot holding the hash, the id, the
 * length and, for a key of up to 16 bytes (most ids), the key itself, so a
 * lookup touches one cache line; longer keys are compared where they are
 * kept. Keys are packed in large blocks, 4-byte aligned, for id -> key. No
 * allocation per key. */
#ifndef JT_ITAB_H
#define JT_ITAB_H

#include <stddef.h>
#include <stdint.h>

struct jt_itab_blk;
struct jt_itab {
	struct jt_islot *slot;
	size_t mask;
	uint32_t n;	/* keys */
	const char **key;	/* id -> its key (the bytes; length before them) */
	size_t kcap;
	struct jt_itab_blk *blk;	/* key storage */
	size_t used, size;
	uint64_t bytes;	/* memory held, for budgets */
};
#define JT_ITAB_INIT { NULL, 0, 0, NULL, 0, NULL, 0, 0, 0 }

uint64_t jt_hash_bytes(const void *s, size_t n);
/* The id of key, added when absent (*isnew, when not NULL, says so). */
uint32_t jt_itab_put(struct jt_itab *t, const void *key, size_t len, int *isnew);
/* The same with the key's jt_hash_bytes already known. */
uint32_t jt_itab_put_h(struct jt_itab *t, const void *key, size_t len, uint64_t h, int *isnew);
/* The id of key, or UINT32_MAX. */
uint32_t jt_itab_find(const struct jt_itab *t, const void *key, size_t len);
static inline const char *jt_itab_key(const struct jt_itab *t, uint32_t id, size_t *len)
{
	const char *k = t->key[id];
	uint32_t l;
	__builtin_memcpy(&l, k - 8, 4);
	*len = l;
	return k;
}
void jt_itab_free(struct jt_itab *t);

#endif
