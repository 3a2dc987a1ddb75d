/* par_stream.c — a stream (stdin, a pipe) read on several threads: the
 * calling thread reads it into chunks that end at record boundaries, the
 * threads parse them as they come (jt_par.h, jt_par_stream). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_opt.h"
#include "jt_par.h"
#include "jt_reject.h"

/* The stream's first read: the reader's look-ahead for compression and
 * --encoding (csv.c reads 64 KiB at a time). */
#define PEEK ((size_t)65536)
/* No record end in 16 chunks (a huge quoted field, CR line ends, a stray
 * quote): the rest of the stream is read by one thread as a whole. */
#define ALONE(chunk) ((chunk) * 16)

struct chunk {
	size_t i;	/* its number, from 0 */
	unsigned char *mem;	/* the allocation, of cap bytes */
	size_t cap;
	const unsigned char *buf;
	size_t len;
	uint64_t start;	/* offset in the stream */
	FILE *rest;	/* read on from here when its bytes are done (no record end found) */
	struct jt_rejects *rj;
	volatile int stop;	/* set by its rejects (--strict) on its thread, or before it is taken */
	int taken, done, err;
	char errmsg[512];
	unsigned long long errline, lines;
	struct chunk *next;	/* the queue */
	struct chunk *after;	/* the chunks not yet replayed, in order */
};

struct stream {
	struct jt_par_stream *ps;
	FILE *fp;
	const char *src;
	const struct jt_common *c;
	struct jt_rejects *rj;
	const struct jt_header *h;
	unsigned char *mem;	/* the first read, with the header at its start */
	size_t len, cap, hend;
	pthread_mutex_t mu;
	pthread_cond_t more, room, fin;
	struct chunk *head, *tail;	/* read, not yet taken */
	size_t queued, busy;
	int eof;
	struct chunk *first, *last;	/* read, not yet replayed */
	/* chunk buffers done with, for the next chunks: fresh memory would be
	 * faulted in and zeroed again, 4 MiB at a time */
	unsigned char *pool[2 * JT_MAXJOBS + 2];
	size_t npool;
	size_t n;	/* chunks made */
	unsigned long long base;	/* the line the next replayed chunk starts on */
	int failed;
};

static unsigned char *alloc(size_t cap)
{
	unsigned char *m = jt_xmalloc(cap + JT_READ_PAD);
	memset(m + cap, 0, JT_READ_PAD);
	return m;
}

/* A buffer of cap bytes (and the pad): one from the pool when cap is a
 * chunk's size. */
static unsigned char *get_buf(struct stream *st, size_t cap)
{
	unsigned char *m = NULL;
	if (cap == st->ps->chunk) {
		pthread_mutex_lock(&st->mu);
		if (st->npool)
			m = st->pool[--st->npool];
		pthread_mutex_unlock(&st->mu);
	}
	return m ? m : alloc(cap);
}

static void put_buf(struct stream *st, unsigned char *m, size_t cap)
{
	if (cap == st->ps->chunk) {
		pthread_mutex_lock(&st->mu);
		if (st->npool < sizeof st->pool / sizeof *st->pool) {
			st->pool[st->npool++] = m;
			m = NULL;
		}
		pthread_mutex_unlock(&st->mu);
	}
	free(m);
}

/* Just after the last LF outside quotes in s[0..n), read from a record's
 * start; 0 when there is none. The quotes are counted forwards (memchr),
 * then the LF looked for backwards from the end. */
static size_t last_end(const unsigned char *s, size_t n)
{
	int odd = 0;
	for (const unsigned char *q = s, *e = s + n; (q = memchr(q, '"', (size_t)(e - q))) != NULL; q++)
		odd ^= 1;
	for (size_t i = n; i > 0; i--) {
		unsigned char c = s[i - 1];
		if (c == '"')
			odd ^= 1;
		else if (c == '\n' && !odd)
			return i;
	}
	return 0;
}

/* The next chunk, and whether to skip it (a chunk before it failed). */
static struct chunk *take(struct stream *st, int *skip)
{
	pthread_mutex_lock(&st->mu);
	while (!st->head && !st->eof)
		pthread_cond_wait(&st->more, &st->mu);
	struct chunk *ch = st->head;
	if (ch) {
		st->head = ch->next;
		if (!st->head)
			st->tail = NULL;
		st->queued--;
		st->busy++;
		ch->taken = 1;
		*skip = ch->stop;
		pthread_cond_signal(&st->room);
	}
	pthread_mutex_unlock(&st->mu);
	return ch;
}

static void parse(struct stream *st, size_t slot)
{
	struct jt_par_stream *ps = st->ps;
	struct chunk *ch;
	int skip;
	while ((ch = take(st, &skip)) != NULL) {
		if (!skip) {
			ps->begin(ps->slot_ctx[slot], ch->i);
			*ps->rj_at[slot] = ch->rj;
			struct jt_part pt = { ch->start, 0, st->h, &ch->stop, &ch->lines, ch->buf, ch->len, 0 };
			ch->err = jt_read_buf(ch->rest, st->src, &st->c->dialect, ch->rj, jt_par_no_header, ps->rf,
					      ps->slot_ctx[slot], &pt, ch->errmsg, sizeof ch->errmsg, &ch->errline) != 0;
		}
		put_buf(st, ch->mem, ch->cap);
		ch->mem = NULL;
		pthread_mutex_lock(&st->mu);
		ch->done = 1;
		st->busy--;
		pthread_cond_broadcast(&st->fin);
		pthread_mutex_unlock(&st->mu);
	}
}

/* Replays the done chunks at the front, in order; with wait, waits for
 * each. A chunk that failed (a read error, --strict's first reject) stops
 * the ones after it and, once those before it are replayed, the run. */
static void replay(struct stream *st, int wait)
{
	for (;;) {
		pthread_mutex_lock(&st->mu);
		struct chunk *ch = st->first;
		while (wait && ch && !ch->done)
			pthread_cond_wait(&st->fin, &st->mu);
		int ready = ch && ch->done;
		if (ready && (ch->stop || ch->err)) {
			st->failed = 1;	/* the chunks after it: skipped, or waited for */
			for (struct chunk *c = ch->after; c; c = c->after)
				if (!c->taken)
					c->stop = 1;
			while (st->busy || st->queued)
				pthread_cond_wait(&st->fin, &st->mu);
		}
		pthread_mutex_unlock(&st->mu);
		if (!ready)
			return;
		jt_rejects_replay(st->rj, ch->rj, st->base);	/* --strict: ends the run at its first */
		jt_rejects_free(ch->rj);
		if (ch->err)
			jt_die_at(st->src, ch->errline ? st->base + ch->errline - 1 : 0, "%s", ch->errmsg);
		st->base += ch->lines;
		st->first = ch->after;
		if (!st->first)
			st->last = NULL;
		free(ch);
	}
}

/* Queues buf[0..len) of mem (owned) as the next chunk. */
static void dispatch(struct stream *st, unsigned char *mem, size_t cap, const unsigned char *buf, size_t len,
		     uint64_t start, FILE *rest)
{
	struct chunk *ch = jt_xcalloc(1, sizeof *ch);
	ch->i = st->n++;
	ch->mem = mem;
	ch->cap = cap;
	ch->buf = buf;
	ch->len = len;
	ch->start = start;
	ch->rest = rest;
	ch->rj = jt_rejects_deferred(st->c, &ch->stop);
	pthread_mutex_lock(&st->mu);
	while (st->queued >= st->ps->n)	/* the threads' next chunks, no more */
		pthread_cond_wait(&st->room, &st->mu);
	if (st->failed)
		ch->stop = 1;
	if (st->tail)
		st->tail->next = ch;
	else
		st->head = ch;
	st->tail = ch;
	st->queued++;
	if (st->last)
		st->last->after = ch;
	else
		st->first = ch;
	st->last = ch;
	pthread_cond_signal(&st->more);
	pthread_mutex_unlock(&st->mu);
}

/* The stream's last bytes, a[off..len) and then the rest of fp when it is
 * not NULL, on the calling thread through slot 0 once every chunk before
 * it is replayed and the threads are done: its line numbers are then known,
 * also the one an unterminated quote's message names. */
static void read_last(struct stream *st, unsigned char *a, size_t off, size_t len, uint64_t start, FILE *fp)
{
	struct jt_par_stream *ps = st->ps;
	char err[512];
	unsigned long long eline = 0;
	ps->begin(ps->slot_ctx[0], st->n++);
	*ps->rj_at[0] = st->rj;
	struct jt_part pt = { start, 0, st->h, NULL, NULL, a + off, len - off, st->base };
	int rc = jt_read_buf(fp, st->src, &st->c->dialect, st->rj, jt_par_no_header, ps->rf, ps->slot_ctx[0], &pt, err,
			     sizeof err, &eline);
	free(a);
	if (rc != 0)
		jt_die_at(st->src, eline, "%s", err);
}

/* The calling thread: reads the stream on into chunks. */
static void read_on(struct stream *st)
{
	size_t csize = st->ps->chunk;
	unsigned char *a = st->mem;
	size_t off = st->hend, len = st->len, cap = st->cap;
	uint64_t start = st->hend;
	int eof = 0, rerr = 0;
	FILE *rest = NULL;	/* the last bytes are read on from fp */
	for (;;) {
		if (len < cap) {
			size_t got = fread(a + len, 1, cap - len, st->fp);
			len += got;
			if (len < cap) {
				eof = 1;
				rerr = ferror(st->fp) ? errno : 0;
			}
		}
		if (eof)
			break;
		size_t cut = last_end(a + off, len - off);
		if (!cut && len - off >= ALONE(csize)) {
			rest = st->fp;
			break;
		}
		if (!cut) {	/* a record longer than the chunk: room for it */
			cap *= 2;
			unsigned char *b = jt_xrealloc(a, cap + JT_READ_PAD);
			memset(b + cap, 0, JT_READ_PAD);
			a = b;
			continue;
		}
		size_t left = len - off - cut, ncap = csize > 2 * left ? csize : 2 * left;
		unsigned char *b = get_buf(st, ncap);
		memcpy(b, a + off + cut, left);
		dispatch(st, a, cap, a + off, cut, start, NULL);
		start += cut;
		a = b;
		off = 0;
		len = left;
		cap = ncap;
		replay(st, 0);
		if (st->failed)
			break;
	}
	pthread_mutex_lock(&st->mu);
	st->eof = 1;
	pthread_cond_broadcast(&st->more);
	pthread_mutex_unlock(&st->mu);
	replay(st, 1);	/* a failed chunk ends the run here */
	if (rerr)
		jt_die_at(st->src, 0, "read error: %s", strerror(rerr));
	if (len > off || rest)
		read_last(st, a, off, len, start, rest);
	else
		free(a);
}

static void run(void *arg, size_t k)
{
	struct stream *st = arg;
	if (k == 0)
		read_on(st);
	else
		parse(st, k - 1);
}

/* ---- the stream's start --------------------------------------------------------------- */

struct serial {
	struct jt_par_stream *ps;
	struct jt_rejects *rj;
	int begun;
};

static void serial_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct serial *s = ctx;
	s->ps->hf(s->ps->hctx, src, h);
}

static void serial_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct serial *s = ctx;
	struct jt_par_stream *ps = s->ps;
	if (!s->begun) {
		s->begun = 1;
		ps->slots(ps->hctx, ps);
		*ps->rj_at[0] = s->rj;
		ps->begin(ps->slot_ctx[0], 0);
	}
	ps->rf(ps->slot_ctx[0], src, rec);
}

size_t jt_par_stream(FILE *fp, const char *src, const struct jt_common *c, struct jt_rejects *rj,
		     struct jt_par_stream *ps)
{
	const struct jt_dialect *d = &c->dialect;
	char err[512];
	unsigned long long eline = 0;
	struct stream st;
	memset(&st, 0, sizeof st);
	st.ps = ps;
	st.fp = fp;
	st.src = src;
	st.c = c;
	st.rj = rj;
	if (ps->chunk < PEEK)
		ps->chunk = PEEK;
	jt_die_if_dir(fp, src);
	jt_rejects_file_begin(rj);
	/* the look-ahead first, as the reader takes it: a compressed stream,
	 * a UTF-16 mark, --encoding are read as a whole on this thread */
	st.cap = ps->chunk;
	st.mem = alloc(st.cap);
	st.len = fread(st.mem, 1, PEEK, fp);
	int whole = ps->n < 2 || st.len < PEEK || jt_par_whole(d, st.mem, st.len);
	if (!whole) {
		st.len += fread(st.mem + st.len, 1, st.cap - st.len, fp);
		st.hend = jt_header_end(st.mem, st.len);
		whole = st.len < st.cap || !st.hend;	/* all of it in one chunk; a header past it */
	}
	if (whole) {
		struct serial s = { ps, rj, 0 };
		struct jt_part pt = { 0, 0, NULL, NULL, NULL, st.mem, st.len, 0 };
		int rc = jt_read_buf(fp, src, d, rj, serial_header, serial_record, &s, &pt, err, sizeof err, &eline);
		free(st.mem);
		if (rc != 0)
			jt_die_at(src, eline, "%s", err);
		jt_rejects_file_end(rj, src);
		return 1;
	}
	/* the header, here; then the records on the threads, chunk by chunk */
	unsigned long long hlines;
	struct jt_header *h = jt_par_header_buf(src, d, rj, st.mem, st.hend, ps->hf, ps->hctx, &hlines);
	st.h = h;
	st.base = 1 + hlines;
	ps->slots(ps->hctx, ps);
	pthread_mutex_init(&st.mu, NULL);
	pthread_cond_init(&st.more, NULL);
	pthread_cond_init(&st.room, NULL);
	pthread_cond_init(&st.fin, NULL);
	jt_par_run(ps->n + 1, run, &st);
	while (st.npool)
		free(st.pool[--st.npool]);
	pthread_mutex_destroy(&st.mu);
	pthread_cond_destroy(&st.more);
	pthread_cond_destroy(&st.room);
	pthread_cond_destroy(&st.fin);
	for (size_t k = 0; k < ps->n; k++)
		*ps->rj_at[k] = rj;
	jt_header_free(h);
	jt_rejects_file_end(rj, src);
	return st.n;
}
