/* jt_shards.h — which shards of a split a merge of jkpi partials holds:
 * jkpi --partial --shard-id K/N writes a shard row, jkpi --merge --expect N
 * checks that the partials are shards 1..N, each once. Memory grows with the
 * partials read. */
#ifndef JT_SHARDS_H
#define JT_SHARDS_H

#include <stddef.h>
#include <stdint.h>

/* The most shards --expect takes. */
#define JT_SHARDS_MAX 1000000

/* "K/N" with 1 <= K <= N, decimal digits only (jtouch --shard's grammar):
 * 0, or -1 when s (len bytes) is not that. */
int jt_shard_parse(const char *s, size_t len, uint64_t *k, uint64_t *n);

struct jt_shards;
/* expect 0: shard rows are read for their syntax only (--merge without
 * --expect). The caller frees with jt_shards_free. */
struct jt_shards *jt_shards_new(uint64_t expect);
/* A partial's header: a new partial starts. */
void jt_shards_begin(struct jt_shards *sh);
/* Every row of a partial after its header. Returns 1 for a shard row (the
 * caller has nothing more to do with it), 0 for another row; dies at the row
 * on a bad shard id, and with --expect on a partial whose first row is not its
 * shard id, a shard of another split or a shard given twice. */
int jt_shards_row(struct jt_shards *sh, const char *src, unsigned long long line, const char *type,
		  const char *val, size_t vlen);
/* The end of the input: with --expect, dies naming the shards no partial held. */
void jt_shards_finish(const struct jt_shards *sh);
void jt_shards_free(struct jt_shards *sh);

#endif
