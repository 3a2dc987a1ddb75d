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
 * walking its fields) */
#define ROWLEN_LONG 127u

void jt_ts_init(struct jt_tstore *s, size_t ncol, long c_cust, long c_time)
{
	memset(s, 0, sizeof *s);
	s->ncol = ncol;
	s->c_cust = c_cust;
	s->c_time = c_time;
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

const char *jt_ts_put(struct jt_tstore *s, const struct jt_record *rec, int time_canon)
{
	/* the largest the row can be: a flag byte, then per field a varint of
	 * at most 10 bytes and the field's bytes */
	size_t max = 1;
	for (size_t i = 0; i < s->ncol; i++)
		max += 10 + (s->col[i].raw ? rec->len[i] : 0);
	char *p = room(s, max), *q = p + 1;
	*p = (char)(time_canon ? 1 : 0);
	for (size_t i = 0; i < s->ncol; i++) {
		s->last[i] = UINT32_MAX;
		if ((long)i == s->c_cust || ((long)i == s->c_time && time_canon))
			continue;
		size_t n = rec->len[i];
		struct jt_tcol *c = &s->col[i];
		if (n == 0) {
			*q++ = 0;	/* id 0, the empty value */
			s->last[i] = 0;
			continue;
		}
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
		q += put_varint(q, (uint64_t)n << 1 | 1);
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

/* Moves past the field at *p; the dictionary id or the raw bytes. */
static inline const char *next_field(const struct jt_tcol *c, const char **p, size_t *len)
{
	uint64_t v = get_varint(p);
	if (v & 1) {
		const char *s = *p;
		*len = (size_t)(v >> 1);
		*p += *len;
		return s;
	}
	return jt_itab_key(&c->dict, (uint32_t)(v >> 1), len);
}

size_t jt_ts_rowlen(const struct jt_tstore *s, const char *p)
{
	size_t len = (unsigned char)*p >> 1;
	if (len < ROWLEN_LONG)
		return len;
	const char *q = p + 1;
	int canon = *p & 1;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust || ((long)i == s->c_time && canon))
			continue;
		uint64_t v = get_varint(&q);
		if (v & 1)
			q += v >> 1;
	}
	return (size_t)(q - p);
}

void jt_ts_get(const struct jt_tstore *s, const char *p, const char **f, size_t *len, const char *cust,
	       size_t custlen, const char *tbuf, size_t tlen)
{
	const char *q = p + 1;
	int canon = *p & 1;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust) {
			f[i] = cust;
			len[i] = custlen;
		} else if ((long)i == s->c_time && canon) {
			f[i] = tbuf;
			len[i] = tlen;
		} else {
			f[i] = next_field(&s->col[i], &q, &len[i]);
		}
	}
}

const char *jt_ts_field(const struct jt_tstore *s, const char *p, size_t col, size_t *len)
{
	const char *q = p + 1;
	int canon = *p & 1;
	for (size_t i = 0; i < s->ncol; i++) {
		if ((long)i == s->c_cust || ((long)i == s->c_time && canon))
			continue;
		const char *v = next_field(&s->col[i], &q, len);
		if (i == col)
			return v;
	}
	*len = 0;
	return "";
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
	memset(s, 0, sizeof *s);
}
