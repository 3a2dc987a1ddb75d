/* jt_itab.h — interning: byte strings to dense ids 0, 1, 2, ... in the order
 * first seen, for the hot paths (customer ids, repeated values).
 *
 * Open addressing with linear probing, at most 70 % full. A 16-byte slot holds
 * the id, a tag (hash bits 40-63 and the length) and the key's first 8 bytes,
 * so a key of up to 8 bytes is found or refused in its slot alone, and a
 * longer one compares its bytes only on a match of both. The tag holds the
 * slot's index bits, so the table grows without reading the keys (up to 2^24
 * slots). The slots sit in huge pages where the system has them. Keys are
 * packed in large blocks, never moved (a key's pointer stays valid while the
 * table lives), with their length before them. No allocation per key. */
#ifndef JT_ITAB_H
#define JT_ITAB_H

#include <stddef.h>
#include <stdint.h>

#include "jt_num.h"

struct jt_islot {
	uint32_t id1;	/* id + 1; 0: empty */
	uint32_t tag;	/* hash bits 40-63 in bits 8-31, the length (255: 255 or more) in 0-7 */
	uint64_t pre;	/* the key's first 8 bytes, zero-padded */
};

struct jt_itab_blk;
struct jt_itab {
	struct jt_islot *slot;
	size_t mask;
	uint32_t n;	/* keys */
	uint32_t max;	/* most keys (0: UINT32_MAX - 1) */
	const char **key;	/* id -> its key (the bytes; the length in the 4 bytes before) */
	size_t kcap;
	struct jt_itab_blk *blk;	/* key storage */
	size_t used, size;
	uint64_t bytes;	/* memory held, for budgets */
};
#define JT_ITAB_INIT { NULL, 0, 0, 0, NULL, 0, NULL, 0, 0, 0 }

uint64_t jt_hash_bytes(const void *s, size_t n);
/* The id of key, added when absent (*isnew, when not NULL, says so).
 * UINT32_MAX (and *isnew 0) when the key is new and max keys are there. */
uint32_t jt_itab_put(struct jt_itab *t, const void *key, size_t len, int *isnew);
/* The same with the key's jt_hash_bytes already known. */
uint32_t jt_itab_put_h(struct jt_itab *t, const void *key, size_t len, uint64_t h, int *isnew);
/* Room for keys keys without growing (a table grows by doubling, each time
 * into fresh pages: on a virtual machine their first touch costs more than
 * the work on them), in slots of at most most bytes. Only a hint: more keys
 * still fit. */
void jt_itab_reserve(struct jt_itab *t, size_t keys, uint64_t most);
/* The id of key, or UINT32_MAX. */
uint32_t jt_itab_find(const struct jt_itab *t, const void *key, size_t len);
static inline size_t jt_itab_index(const struct jt_itab *t, uint64_t h)
{
	return (size_t)(h >> 40 | h << 24) & t->mask;
}
/* Fetches the slot of hash h ahead of a put (a batch of keys: their cache
 * misses overlap). */
static inline void jt_itab_prefetch(const struct jt_itab *t, uint64_t h)
{
	if (t->slot)
		__builtin_prefetch(&t->slot[jt_itab_index(t, h)]);
}
/* A key pointer the table handed out (t->key[id]) and its length. */
static inline const char *jt_itab_keyp(const char *k, size_t *len)
{
	uint32_t l;
	__builtin_memcpy(&l, k - 4, 4);
	*len = l;
	return k;
}
static inline const char *jt_itab_key(const struct jt_itab *t, uint32_t id, size_t *len)
{
	return jt_itab_keyp(t->key[id], len);
}
/* The keys in byte order (as jt_bytes_cmp): v[0..t->n) gets one value a
 * key, ascending, the key's id in its low 32 bits. Above them, its first 8
 * bytes and its length up to 9: two keys' values (of any tables) order them
 * unless those are equal with length 9 (jt_itab_order_cmp looks further).
 * Sorted by 8 bytes at a time, the keys read in id order (as they are
 * stored), never compared whole. */
void jt_itab_order(const struct jt_itab *t, jt_i128 *v);
/* Key a of table ta against key b of tb, from their jt_itab_order values. */
int jt_itab_order_cmp(const struct jt_itab *ta, jt_i128 a, const struct jt_itab *tb, jt_i128 b);
/* Forgets every key, keeping the slots and the newest key block (a table
 * filled again and again: no fresh pages each time). */
void jt_itab_clear(struct jt_itab *t);
void jt_itab_free(struct jt_itab *t);

#endif
