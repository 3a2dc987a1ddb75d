/* shards.c — the shard ids of jkpi partials (jt_shards.h). A partial made
 * with --shard-id K/N has, right after its header, the row
 * "1,shard,<empty group columns>,,K/N"; --merge --expect N wants every
 * partial to start with one, of N shards, and shards 1..N each exactly once. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_shards.h"

struct seen {
	char *src;
	unsigned long long line;
};

struct jt_shards {
	uint64_t expect;
	int first_row;	/* the current partial has had no row yet */
	int has_id;	/* the current partial's shard row was read */
	struct jt_map ids;	/* shard K (8 bytes) -> index in seen */
	struct seen *seen;
	size_t nseen, cap;
};

int jt_shard_parse(const char *s, size_t len, uint64_t *k, uint64_t *n)
{
	const char *slash = memchr(s, '/', len);
	char a[32], b[32];
	size_t la = slash ? (size_t)(slash - s) : 0, lb = slash ? len - la - 1 : 0;
	if (!slash || la >= sizeof a || lb >= sizeof b)
		return -1;
	memcpy(a, s, la);
	a[la] = '\0';
	memcpy(b, slash + 1, lb);
	b[lb] = '\0';
	if (jt_parse_size(a, k) != 0 || jt_parse_size(b, n) != 0 || *n == 0 || *k < 1 || *k > *n)
		return -1;
	return 0;
}

struct jt_shards *jt_shards_new(uint64_t expect)
{
	struct jt_shards *sh = jt_xcalloc(1, sizeof *sh);
	sh->expect = expect;
	return sh;
}

void jt_shards_begin(struct jt_shards *sh)
{
	sh->first_row = 1;
	sh->has_id = 0;
}

int jt_shards_row(struct jt_shards *sh, const char *src, unsigned long long line, const char *type,
		  const char *val, size_t vlen)
{
	int first = sh->first_row, is_id = strcmp(type, "shard") == 0;
	uint64_t k, n;
	sh->first_row = 0;
	if (is_id && jt_shard_parse(val, vlen, &k, &n) != 0)
		jt_die_at(src, line, "bad shard id '%s' in partial (K/N with 1 <= K <= N)", jt_show(val, vlen));
	if (!sh->expect)
		return is_id;
	if (!is_id) {
		if (first)
			jt_die_at(src, line, "partial has no shard id (make each with jkpi --partial --shard-id K/N, "
				  "or merge without --expect)");
		return 0;
	}
	if (sh->has_id)
		jt_die_at(src, line, "partial has a second shard id '%s'", jt_show(val, vlen));
	sh->has_id = 1;
	if (n != sh->expect)
		jt_die_at(src, line, "partial is shard %llu/%llu, of a split into %llu, not --expect %llu",
			  (unsigned long long)k, (unsigned long long)n, (unsigned long long)n,
			  (unsigned long long)sh->expect);
	int isnew;
	size_t i = jt_map_put(&sh->ids, &k, sizeof k, (uint32_t)sh->nseen, &isnew);
	if (!isnew) {
		const struct seen *f = &sh->seen[sh->ids.ent[i].val];
		jt_die_at(src, line, "shard %llu/%llu is given twice (first in %s:%llu)", (unsigned long long)k,
			  (unsigned long long)n, f->src, f->line);
	}
	jt_xgrow((void **)&sh->seen, &sh->cap, sh->nseen + 1, sizeof *sh->seen);
	sh->seen[sh->nseen].src = jt_xstrdup(src);
	sh->seen[sh->nseen++].line = line;
	return 1;
}

void jt_shards_finish(const struct jt_shards *sh)
{
	if (!sh->expect || sh->nseen == sh->expect)
		return;
	/* every shard read is one of 1..expect, once: some are missing */
	struct jt_buf b = JT_BUF_INIT;
	uint64_t missing = sh->expect - sh->nseen, listed = 0;
	for (uint64_t k = 1; k <= sh->expect && listed < 10; k++) {
		if (jt_map_find(&sh->ids, &k, sizeof k) >= 0)
			continue;
		jt_buf_printf(&b, "%s%llu", listed ? ", " : "", (unsigned long long)k);
		listed++;
	}
	if (missing > listed)
		jt_buf_printf(&b, " and %llu more", (unsigned long long)(missing - listed));
	jt_die("--expect %llu: shard%s %s %s missing", (unsigned long long)sh->expect, missing > 1 ? "s" : "", b.p,
	       missing > 1 ? "are" : "is");
}

void jt_shards_free(struct jt_shards *sh)
{
	if (!sh)
		return;
	for (size_t i = 0; i < sh->nseen; i++)
		free(sh->seen[i].src);
	free(sh->seen);
	jt_map_free(&sh->ids);
	free(sh);
}
