/* parts.c — records spread over partitions in a spill file (jt_parts.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt_mem.h"
#include "jt_parts.h"
#include "jt_spill.h"

#define RUNBUF ((size_t)16 << 10)

void jt_parts_open(struct jt_parts *ps, size_t n, size_t chunk)
{
	memset(ps, 0, sizeof *ps);
	ps->n = n;
	ps->fd = jt_xmalloc(sizeof *ps->fd);
	ps->tag = jt_xcalloc(1, sizeof *ps->tag);
	ps->fd[0] = jt_spill_fd();
	ps->nsrc = 1;
	ps->chunk = chunk < 4096 ? 4096 : chunk;
	ps->buf = jt_xcalloc(n, sizeof *ps->buf);
	ps->ch = jt_xcalloc(n, sizeof *ps->ch);
	ps->nch = jt_xcalloc(n, sizeof *ps->nch);
	ps->chcap = jt_xcalloc(n, sizeof *ps->chcap);
}

static void flush(struct jt_parts *ps, size_t p)
{
	struct jt_buf *b = &ps->buf[p];
	if (!b->len)
		return;
	void *q = ps->ch[p];
	jt_xgrow(&q, &ps->chcap[p], ps->nch[p] + 1, sizeof *ps->ch[p]);
	ps->ch[p] = q;
	ps->ch[p][ps->nch[p]++] = (struct jt_parts_chunk){ ps->size, b->len, 0 };
	jt_spill_fd_write(ps->fd[0], b->p, b->len);
	ps->size += b->len;
	jt_buf_reset(b);
}

void jt_parts_add(struct jt_parts *ps, size_t p, const void *rec, size_t len)
{
	jt_buf_add(&ps->buf[p], rec, len);
	if (ps->buf[p].len >= ps->chunk)
		flush(ps, p);
}

void jt_parts_add2(struct jt_parts *ps, size_t p, const void *head, size_t hlen, const void *rec, size_t len)
{
	jt_buf_add(&ps->buf[p], head, hlen);
	jt_parts_add(ps, p, rec, len);
}

void jt_parts_each(struct jt_parts *ps, size_t p, void (*fn)(void *ctx, const char *data, size_t len, void *tag),
		   void *ctx)
{
	struct jt_buf rd = JT_BUF_INIT;
	flush(ps, p);
	for (size_t c = 0; c < ps->nch[p]; c++) {
		const struct jt_parts_chunk *ch = &ps->ch[p][c];
		if (ch->len > rd.cap) {
			void *q = rd.p;
			jt_xgrow(&q, &rd.cap, ch->len, 1);
			rd.p = q;
		}
		jt_spill_fd_pread(ps->fd[ch->src], rd.p, ch->len, ch->off);
		fn(ctx, rd.p, ch->len, ps->tag[ch->src]);
	}
	jt_buf_free(&rd);
	free(ps->ch[p]);	/* read once */
	ps->ch[p] = NULL;
	ps->nch[p] = ps->chcap[p] = 0;
	jt_buf_free(&ps->buf[p]);
}

void jt_parts_adopt(struct jt_parts *dst, struct jt_parts *src, void *tag)
{
	for (size_t p = 0; p < dst->n; p++) {
		flush(dst, p);
		flush(src, p);
	}
	size_t k = dst->nsrc++;
	dst->fd = jt_xrealloc(dst->fd, dst->nsrc * sizeof *dst->fd);
	dst->tag = jt_xrealloc(dst->tag, dst->nsrc * sizeof *dst->tag);
	dst->fd[k] = src->fd[0];
	dst->tag[k] = tag;
	src->nsrc = 0;	/* its file is dst's */
	for (size_t p = 0; p < dst->n; p++) {
		void *q = dst->ch[p];
		jt_xgrow(&q, &dst->chcap[p], dst->nch[p] + src->nch[p], sizeof *dst->ch[p]);
		dst->ch[p] = q;
		for (size_t c = 0; c < src->nch[p]; c++) {
			struct jt_parts_chunk x = src->ch[p][c];
			x.src = k;
			dst->ch[p][dst->nch[p]++] = x;
		}
	}
	jt_parts_close(src);
}

void jt_parts_close(struct jt_parts *ps)
{
	if (!ps->buf)
		return;
	for (size_t i = 0; i < ps->nsrc; i++)
		close(ps->fd[i]);
	free(ps->fd);
	free(ps->tag);
	for (size_t p = 0; p < ps->n; p++) {
		jt_buf_free(&ps->buf[p]);
		free(ps->ch[p]);
	}
	free(ps->buf);
	free(ps->ch);
	free(ps->nch);
	free(ps->chcap);
	memset(ps, 0, sizeof *ps);
}

void jt_run_open(struct jt_run *r, int fd, uint64_t off, uint64_t end, size_t rsize)
{
	r->fd = fd;
	r->off = off;
	r->end = end;
	r->rsize = rsize;
	r->buf = jt_xmalloc(RUNBUF / rsize * rsize);
	r->pos = r->len = 0;
}

const void *jt_run_peek(struct jt_run *r)
{
	if (r->pos == r->len) {
		if (r->off >= r->end)
			return NULL;
		size_t n = RUNBUF / r->rsize * r->rsize;
		if (n > r->end - r->off)
			n = (size_t)(r->end - r->off);
		jt_spill_fd_pread(r->fd, r->buf, n, r->off);
		r->off += n;
		r->pos = 0;
		r->len = n;
	}
	return r->buf + r->pos;
}

void jt_run_next(struct jt_run *r) { r->pos += r->rsize; }

void jt_run_close(struct jt_run *r)
{
	free(r->buf);
	r->buf = NULL;
}
