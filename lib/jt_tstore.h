/* jt_tstore.h — the rows of a touch stream held compactly (jstage).
 *
 * A row is kept as bytes that give back every field exactly: the customer
 * is left out (the caller interns it once), and so is the time when it is in
 * the canonical form jtools writes (YYYY-MM-DDTHH:MM:SSZ, given back from
 * the integer); a bitmap says which other fields are not empty (most of a
 * touch stream's are), and each of those is a small id into its column's dictionary
 * while the column repeats itself (touchpoint, source, channel, empty
 * measures), or its bytes once a column turns out to hold mostly distinct
 * values (comments, ids). Rows are packed in large blocks, no allocation per
 * row. One store per thread: ids are the store's own.
 *
 * Cold values (jt_ts_cold): a mostly distinct column's values of COLD_MIN
 * bytes and more (URLs, comments) are written to a spill file instead, the
 * row keeping their length and 4 bytes of place: first their offset in that
 * file, later (jt_ts_cold_each) wherever the caller moved them; they are
 * read from the caller's coldbase. */
#ifndef JT_TSTORE_H
#define JT_TSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "jt_csv.h"
#include "jt_itab.h"
#include "jt_mem.h"
#include "jt_spill.h"

struct jt_tcol {
	struct jt_itab dict;	/* id 0 is the empty value */
	uint32_t lastid;	/* the column's last value, compared before hashing */
	int raw;	/* values written as bytes from now on */
	uint64_t seen;
	uint64_t vbytes;	/* the bytes of the values seen */
};

struct jt_tstore {
	size_t ncol;
	long c_cust, c_time;	/* left out of rows */
	size_t nbm;	/* bytes of a row's bitmap of the fields it holds */
	struct jt_tcol *col;
	uint32_t *last;	/* ids of the row just put */
	char **blk;	/* row blocks */
	size_t *bsz;	/* their sizes */
	size_t nblk, bcap, used, size;
	size_t blksize;	/* rows are packed in blocks of this many bytes (default 2 MiB) */
	uint64_t rowbytes;	/* memory held by row blocks */
	uint64_t dictbytes;	/* memory held by the dictionaries */
	uint64_t dictmax;	/* past it, a column whose dictionary grows goes raw (0: no limit) */
	int cold;	/* long raw values go to coldf (jt_ts_cold) */
	struct jt_spill coldf;
	const char *coldbase;	/* where the cold values' places point (set by the caller) */
};

void jt_ts_init(struct jt_tstore *s, size_t ncol, long c_cust, long c_time);
/* Encodes rec; time_canon says its time field is the canonical spelling of
 * the time the caller keeps. Returns the row (valid until jt_ts_drop_rows). */
const char *jt_ts_put(struct jt_tstore *s, const struct jt_record *rec, int time_canon);
/* The dictionary id of value s[0..n) of column col, added when new; NOKEY
 * (UINT32_MAX) once the column is raw. For memos keyed by a column's value,
 * also when no row is kept. */
uint32_t jt_ts_intern(struct jt_tstore *s, size_t col, const char *v, size_t n);
/* The id jt_ts_put gave column col of the row it just wrote (UINT32_MAX for
 * a raw value, the customer or a left-out time). */
static inline uint32_t jt_ts_last_id(const struct jt_tstore *s, size_t col) { return s->last[col]; }
/* Bytes of the row at p (to copy it elsewhere: a spill file). */
size_t jt_ts_rowlen(const struct jt_tstore *s, const char *p);
/* Every field of row p into f/len (ncol of them); the customer's and, for
 * a canonical time, the time's are the caller's cust and tbuf. Dictionary
 * values point into the store, raw values into the row. */
void jt_ts_get(const struct jt_tstore *s, const char *p, const char **f, size_t *len, const char *cust,
	       size_t custlen, const char *tbuf, size_t tlen);
/* One field of row p (not the customer; the time only when it is kept). */
const char *jt_ts_field(const struct jt_tstore *s, const char *p, size_t col, size_t *len);
/* 1 when row p keeps its time field (not canonical). */
static inline int jt_ts_time_kept(const char *p) { return !(*p & 1); }
/* From now on, long values of raw columns go to a spill file of their own. */
void jt_ts_cold(struct jt_tstore *s);
/* Bytes written to the cold file. */
static inline uint64_t jt_ts_cold_bytes(const struct jt_tstore *s) { return s->cold ? s->coldf.size : 0; }
/* Calls fn for each cold value of row p: its length and its 4-byte place
 * (an offset, in the cold file until fn writes another). */
void jt_ts_cold_each(const struct jt_tstore *s, char *p, void (*fn)(void *ctx, char *place, size_t len), void *ctx);
/* The bytes of row p with its cold values read back into it (pread, one a
 * value), into out; returns its length. For a spill of rows. */
size_t jt_ts_row_warm(const struct jt_tstore *s, const char *p, struct jt_buf *out);
/* The bytes row p takes with its cold values in it. */
size_t jt_ts_rowlen_warm(const struct jt_tstore *s, const char *p);
/* No more cold values: the cold file closed (its rows dropped or warmed). */
void jt_ts_cold_end(struct jt_tstore *s);
/* Forgets every row (after a spill); the dictionaries stay. */
void jt_ts_drop_rows(struct jt_tstore *s);
/* Memory held: row blocks and dictionaries. */
uint64_t jt_ts_bytes(const struct jt_tstore *s);
void jt_ts_free(struct jt_tstore *s);

#endif
