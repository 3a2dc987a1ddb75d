/* jt_hash.h — FNV-1a 64 (stable: --shard and spill partitions) and an
 * insertion-ordered byte-string map.
 * Memory grows with the number of distinct keys; keys are copied into an arena. */
#ifndef JT_HASH_H
#define JT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "jt_mem.h"

uint64_t jt_fnv1a64(const void *s, size_t n);

struct jt_map_ent {
	const char *key;	/* NUL-terminated copy */
	uint32_t len;
	uint32_t val;
	uint64_t hash;
};

struct jt_map {
	struct jt_map_ent *ent;	/* entries in insertion order */
	size_t n, ecap;
	uint64_t *slot;	/* open addressing: the hash's top half, entry index + 1 (0 = empty) */
	size_t mask;
	struct jt_arena arena;
};
#define JT_MAP_INIT { NULL, 0, 0, NULL, 0, JT_ARENA_INIT }

/* Index of the entry for key, or -1. */
long jt_map_find(const struct jt_map *m, const void *key, size_t len);
/* The same with the key's hash already known (an entry's: jt_hash_bytes). */
long jt_map_find_h(const struct jt_map *m, const void *key, size_t len, uint64_t h);
/* Index of the entry for key, inserting it with val when absent (*isnew set). */
size_t jt_map_put(struct jt_map *m, const void *key, size_t len, uint32_t val, int *isnew);
void jt_map_free(struct jt_map *m);

/* A key of several values (a group of columns): each value with its length,
 * so that values holding any byte stay apart. */
void jt_key_add(struct jt_buf *key, const char *s, size_t n);
/* The next value of a key; returns where the one after starts. */
const char *jt_key_next(const char *p, const char **s, size_t *n);
/* Keys of nparts values, compared value by value, byte by byte. */
int jt_key_cmp(const char *a, const char *b, size_t nparts);
/* Byte strings in memcmp order, a prefix first. */
int jt_bytes_cmp(const char *a, size_t la, const char *b, size_t lb);

#endif
