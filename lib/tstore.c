/* tstore.c — touch rows held compactly (jt_tstore.h). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_tstore.h"

#define BLK ((size_t)2 << 20)
/* A column whose values are mostly new after this many is written raw. */
#define DICT_TRY 4096
/* A row's first byte: bit 0 says its time was left out (canonical), bits
 * 1-7 its length in bytes, or ROWLEN_LONG for 127 and more (then found by
 * walking its fields). Then nbm bytes, a bit a column but the customer's:
 * set for a field held (not empty, not a canonical time). Then the fields
 * held, in column order. */
#define ROWLEN_LONG 127u
/* A field's varint: a dictionary id << 1; or a raw value's length << 2 | 1,
 * its bytes after; or a cold value's length << 2 | 3, its place after. */
/* Raw values this long and longer go cold: their 4-byte place saves 8 bytes and more. */
#define COLD_MIN 12

void jt_ts_init(struct jt_tstore *s, size_t ncol, long c_cust, long c_time)
{
	memset(s, 0, sizeof *s);
	s->ncol = ncol;
	s->c_cust = c_cust;
	s->c_time = c_time;
	s->nbm = (ncol - (c_cust >= 0) + 7) / 8;
	s->col = jt_xcalloc(ncol ? ncol : 1, sizeof *s->col);
	s->last = jt_xcalloc(ncol ? ncol : 1, sizeof *s->last);
	for (size_t i = 0; i < ncol; i++) {
		jt_itab_put(&s->col[i].dict, "", 0, NULL);	/* id 0 */
		s->dictbytes += s->col[i].dict.bytes;
	}
}

/* Column c saw a value of n bytes, new to its dictionary when isnew (which
 * held before bytes then). The column goes raw, its dictionary kept for the
 * rows that use it but grown no more, when its values are mostly new, when
 * its dictionary costs more than the values' bytes would in the rows (ids
 * of a large dictionary take 3 bytes, a value 1 more than its bytes: ticket
 * ids that come back a few times; a dictionary that size is also read a
 * cache miss a value when the rows are written), or when the dictionaries
 * pass dictmax in all. */
static void seen(struct jt_tstore *s, struct jt_tcol *c, int isnew, uint64_t before, size_t n)
{
	c->seen++;
	c->vbytes += n;
	if (!isnew)
		return;
	s->dictbytes += c->dict.bytes - before;
	if ((s->dictmax && s->dictbytes > s->dictmax) ||
	    (c->dict.n > DICT_TRY && ((uint64_t)c->dict.n * 2 > c->seen || c->dict.bytes + 2 * c->seen > c->vbytes)))
		c->raw = 1;
}

static char *room(struct jt_tstore *s, size_t need)
{
	if (!s->nblk || s->used + need > s->size) {
		size_t blk = s->blksize ? s->blksize : BLK;
		size_t sz = need > blk ? need : blk;
		if (s->nblk == s->bcap) {
			s->bcap = s->bcap ? 2 * s->bcap : 16;
			s->blk = jt_xrealloc(s->blk, s->bcap * sizeof *s->blk);
			s->bsz = jt_xrealloc(s->bsz, s->bcap * sizeof *s->bsz);
		}
		/* 2 MiB blocks come in huge pages, and again from the pool after a
		 * spill: a fault per 4 KiB page cost more than the copying */
		s->bsz[s->nblk] = sz;
		s->blk[s->nblk++] = jt_xbig_dirty(sz);
		s->used = 0;
		s->size = sz;
		s->rowbytes += sz;
	}
	return s->blk[s->nblk - 1] + s->used;
}

static size_t put_varint(char *p, uint64_t v)
{
	size_t k = 0;
	while (v >= 0x80) {
		p[k++] = (char)(v | 0x80);
		v >>= 7;
	}
	p[k++] = (char)v;
	return k;
}

static inline uint64_t get_varint(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	uint64_t v = *p & 0x7f;
	if (*p++ & 0x80) {
		int sh = 7;
		do {
			v |= (uint64_t)(*p & 0x7f) << sh;
			sh += 7;
		} while (*p++ & 0x80);
	}
	*pp = (const char *)p;
	return v;
}

/* The bytes after a field's varint v: a raw value's, a cold value's place, none for an id. */
static inline size_t field_size(uint64_t v)
{
	return v & 1 ? (v & 2 ? 4 : (size_t)(v >> 2)) : 0;
}

/* Column i's bit in a row's bitmap. */
static inline size_t bit_of(const struct jt_tstore *s, size_t i)
{
	return i - (s->c_cust >= 0 && (long)i > s->c_cust);
}

static inline int held(const struct jt_tstore *s, const char *p, size_t i)
{
	size_t b = bit_of(s, i);
	return (unsigned char)p[1 + b / 8] >> (b % 8) & 1;
}

const char *jt_ts_put(struct jt_tstore *s, const struct jt_record *rec, int time_canon)
{
	/* the largest the row can be: a flag byte, then per field a varint of
	 * at most 10 bytes and the field's bytes */
	size_t max = 1 + s->nbm;
	for (size_t i = 0; i < s->ncol; i++)
		max += 10 + (s->col[i].raw ? rec->len[i] : 0);
	char *p = room(s, max), *q = p + 1 + s->nbm;
	*p = (char)(time_canon ? 1 : 0);
	memset(p + 1, 0, s->nbm);
	for (size_t i = 0; i < s->ncol; i++) {
		s->last[i] = UINT32_MAX;
		if ((long)i == s->c_cust || ((long)i == s->c_time && time_canon))
			continue;
		size_t n = rec->len[i];
		struct jt_tcol *c = &s->col[i];
		if (n == 0) {
			s->last[i] = 0;	/* id 0, the empty value: not held */
			continue;
		}
		size_t b = bit_of(s, i);
		p[1 + b / 8] = (char)(p[1 + b / 8] | 1 << (b % 8));
		if (!c->raw) {
			int isnew = 0;
			uint64_t before = 0;
			uint32_t id = c->lastid;
			size_t ln;
			const char *lv = jt_itab_key(&c->dict, id, &ln);
			if (ln != n || memcmp(lv, rec->f[i], n) != 0) {	/* not the same as the row before */
				before = c->dict.bytes;
				id = jt_itab_put(&c->dict, rec->f[i], n, &isnew);
				c->lastid = id;
			}
			seen(s, c, isnew, before, n);	/* later values may go raw */
			s->last[i] = id;
			q += put_varint(q, (uint64_t)id << 1);
			continue;
		}
		/* raw since before this row (a column turns raw only after its
		 * own value was interned), so max counted its bytes */
		if (s->cold && n >= COLD_MIN && s->coldf.size + n <= UINT32_MAX) {
			uint32_t at = (uint32_t)s->coldf.size;
			q += put_varint(q, (uint64_t)n << 2 | 3);
			memcpy(q, &at, 4);
			q += 4;
			jt_spill_write(&s->coldf, rec->f[i], n);
			continue;
		}
		q += put_varint(q, (uint64_t)n << 2 | 1);
		memcpy(q, rec->f[i], n);
		q += n;
	}
	/* the flag byte keeps the row's length too, when it is short */
	size_t len = (size_t)(q - p);
	*p = (char)(*p | (len < ROWLEN_LONG ? len : ROWLEN_LONG) << 1);
	s->used += len;
	return p;
}

uint32_t jt_ts_intern(struct jt_tstore *s, size_t col, const char *v, size_t n)
{
	struct jt_tcol *c = &s->col[col];
	if (n == 0)
		return 0;
	if (c->raw)
		return UINT32_MAX;
	int isnew;
	uint64_t before = c->dict.bytes;
	uint32_t id = jt_itab_put(&c->dict, v, n, &isnew);
	seen(s, c, isnew, before, n);
	return id;
}

/* Moves past field i at *p; the dictionary id, the raw bytes or the cold ones. */
static inline const char *next_field(const struct jt_tstore *s, size_t i, const char **p, size_t *len)
{
	uint64_t v = get_varint(p);
	if (v & 1) {
		const char *q = *p;
		*len = (size_t)(v >> 2);
		if (v & 2) {
			uint32_t at;
			memcpy(&at, q, 4);
			*p += 4;
			return s->coldbase + at;
		}
		*p += *len;
		return q;
	}
	return jt_itab_key(&s->col[i].dict, (uint32_t)(v >> 1), len);
}

/* Moves past field i at *p, if the row holds it. */
static inline void skip_field(const struct jt_tstore *s, const char *p, size_t i, const char **q)
{
	if ((long)i == s->c_cust || !held(s, p, i))
		return;
	*q += field_size(get_varint(q));
}

size_t jt_ts_rowlen(const struct jt_tstore *s, const char *p)
{
	size_t len = (unsigned char)*p >> 1;
	if (len < ROWLEN_LONG)
		return len;
	const char *q = p + 1 + s->nbm;
	for (size_t i = 0; i < s->ncol; i++)
		skip_field(s, p, i, &q);
	return (size_t)(q - p);
}

void jt_ts_get(const struct jt_tstore *s, const char *p, const char **f, size_t *len, const char *cust,
	       size_t custlen, const char *tbuf, size_t tlen)
{
	const char *q = p + 1 + s->nbm;
	int canon = *p & 1;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust) {
			f[i] = cust;
			len[i] = custlen;
		} else if ((long)i == s->c_time && canon) {
			f[i] = tbuf;
			len[i] = tlen;
		} else if (held(s, p, i)) {
			f[i] = next_field(s, i, &q, &len[i]);
		} else {
			f[i] = "";
			len[i] = 0;
		}
	}
}

const char *jt_ts_field(const struct jt_tstore *s, const char *p, size_t col, size_t *len)
{
	const char *q = p + 1 + s->nbm;
	*len = 0;
	if (col >= s->ncol || (long)col == s->c_cust || !held(s, p, col))
		return "";
	for (size_t i = 0; i < col; i++)
		skip_field(s, p, i, &q);
	return next_field(s, col, &q, len);
}

void jt_ts_cold(struct jt_tstore *s)
{
	if (!s->cold)
		jt_spill_open(&s->coldf);
	s->cold = 1;
}

void jt_ts_cold_end(struct jt_tstore *s)
{
	if (s->cold)
		jt_spill_close(&s->coldf);
	s->cold = 0;
}

/* Calls fn on each field row p holds: its varint and where its bytes (or place) are. */
static void each_field(const struct jt_tstore *s, const char *p, void (*fn)(void *ctx, uint64_t v, const char *at),
		       void *ctx)
{
	const char *q = p + 1 + s->nbm;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust || !held(s, p, i))
			continue;
		uint64_t v = get_varint(&q);
		fn(ctx, v, q);
		q += field_size(v);
	}
}

void jt_ts_cold_each(const struct jt_tstore *s, char *p, void (*fn)(void *ctx, char *place, size_t len), void *ctx)
{
	const char *q = p + 1 + s->nbm;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust || !held(s, p, i))
			continue;
		uint64_t v = get_varint(&q);
		if ((v & 3) == 3)
			fn(ctx, p + (q - p), (size_t)(v >> 2));	/* the rows' blocks are the store's, writable */
		q += field_size(v);
	}
}

struct warm_ctx {
	const struct jt_tstore *s;
	struct jt_buf *out;
	size_t len;
};

static void warm_len(void *arg, uint64_t v, const char *at)
{
	struct warm_ctx *w = arg;
	(void)at;
	char tmp[10];
	w->len += put_varint(tmp, v) + (v & 1 ? v >> 2 : 0);
}

size_t jt_ts_rowlen_warm(const struct jt_tstore *s, const char *p)
{
	if (!s->cold)	/* no value is cold: the row as it is */
		return jt_ts_rowlen(s, p);
	struct warm_ctx w = { s, NULL, 1 + s->nbm };
	each_field(s, p, warm_len, &w);
	return w.len;
}

static void warm_one(void *arg, uint64_t v, const char *at)
{
	struct warm_ctx *w = arg;
	char tmp[10];
	size_t n = (size_t)(v >> 2);
	if ((v & 3) != 3) {	/* as it is: an id, or raw bytes */
		size_t k = put_varint(tmp, v);
		jt_buf_add(w->out, tmp, k);
		if (v & 1)
			jt_buf_add(w->out, at, n);
		return;
	}
	uint32_t off;
	memcpy(&off, at, 4);
	size_t k = put_varint(tmp, (uint64_t)n << 2 | 1);
	jt_buf_add(w->out, tmp, k);
	jt_spill_pread(&w->s->coldf, off, jt_buf_room(w->out, n), n);
}

size_t jt_ts_row_warm(const struct jt_tstore *s, const char *p, struct jt_buf *out)
{
	struct warm_ctx w = { s, out, 0 };
	out->len = 0;
	jt_buf_add(out, p, 1 + s->nbm);	/* the flag byte, then the same fields */
	each_field(s, p, warm_one, &w);
	size_t len = out->len;
	out->p[0] = (char)((*p & 1) | (len < ROWLEN_LONG ? len : ROWLEN_LONG) << 1);
	return len;
}

void jt_ts_drop_rows(struct jt_tstore *s)
{
	for (size_t i = 0; i < s->nblk; i++)
		jt_xbig_free(s->blk[i], s->bsz[i]);
	s->rowbytes = 0;
	s->nblk = 0;
	s->used = s->size = 0;
}

uint64_t jt_ts_bytes(const struct jt_tstore *s)
{
	uint64_t b = s->rowbytes + s->bcap * sizeof *s->blk + s->ncol * sizeof *s->col;
	for (size_t i = 0; i < s->ncol; i++)
		b += s->col[i].dict.bytes;
	return b;
}

void jt_ts_free(struct jt_tstore *s)
{
	for (size_t i = 0; i < s->nblk; i++)
		jt_xbig_free(s->blk[i], s->bsz[i]);
	free(s->blk);
	free(s->bsz);
	for (size_t i = 0; i < s->ncol; i++)
		jt_itab_free(&s->col[i].dict);
	free(s->col);
	free(s->last);
	jt_ts_cold_end(s);
	memset(s, 0, sizeof *s);
}
