/* par.c — parts of a file for threads, and the threads (jt_par.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_input.h"
#include "jt_par.h"
#include "jt_reject.h"
#include "jt_rx.h"

/* Smaller parts are not worth a thread; JTOOLS_PART_MIN (bytes) lowers it
 * for the tests, which read small files in parts. */
static uint64_t min_part(void)
{
	const char *e = getenv("JTOOLS_PART_MIN");
	uint64_t v;
	if (e && *e && jt_parse_size(e, &v) == 0 && v > 0)
		return v;
	return (uint64_t)1 << 20;
}
#define BUF ((size_t)1 << 20)

size_t jt_par_chunk(uint64_t budget, size_t n)
{
	uint64_t c = 4 * min_part(), share = budget / 16 / (2 * n + 1);
	if (c > share)
		c = share;
	return c < 65536 ? 65536 : (size_t)c;
}

size_t jt_jobs(size_t asked)
{
	if (asked)
		return asked > JT_MAXJOBS ? JT_MAXJOBS : asked;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > JT_MAXJOBS ? JT_MAXJOBS : (size_t)n;
}

/* A sequential reader of the file with quote parity. */
struct scan {
	int fd;
	uint64_t pos, size;	/* pos: the next byte to look at */
	int quoted;	/* an odd number of quotes before pos */
	char *buf;
	uint64_t boff;	/* file offset of buf[0] */
	size_t blen;
};

/* Makes pos readable in the buffer; 0 at the end of the file. */
static int fill(struct scan *s)
{
	if (s->pos >= s->boff && s->pos < s->boff + s->blen)
		return 1;
	if (s->pos >= s->size)
		return 0;
	ssize_t k;
	do
		k = pread(s->fd, s->buf, BUF, (off_t)s->pos);
	while (k < 0 && errno == EINTR);
	if (k <= 0)
		return 0;
	s->boff = s->pos;
	s->blen = (size_t)k;
	return 1;
}

/* From pos, the offset just after the next line end outside quotes (a CRLF
 * taken whole); 0 when there is none before the end of the file. */
static uint64_t next_record(struct scan *s)
{
	while (fill(s)) {
		char c = s->buf[s->pos - s->boff];
		s->pos++;
		if (c == '"') {
			s->quoted ^= 1;
		} else if (!s->quoted && (c == '\n' || c == '\r')) {
			if (c == '\r' && fill(s) && s->buf[s->pos - s->boff] == '\n')
				s->pos++;
			return s->pos;
		}
	}
	return 0;
}

/* Moves to target, counting quotes on the way. */
static int skip_to(struct scan *s, uint64_t target)
{
	while (s->pos < target) {
		if (!fill(s))
			return -1;
		const char *b = s->buf + (s->pos - s->boff);
		size_t n = (size_t)(s->boff + s->blen - s->pos);
		if (n > target - s->pos)
			n = (size_t)(target - s->pos);
		for (const char *q = b, *e = b + n; (q = memchr(q, '"', (size_t)(e - q))) != NULL; q++)
			s->quoted ^= 1;
		s->pos += n;
	}
	return 0;
}

/* The quote parity of the file's byte ranges [at[k], at[k + 1]), one range
 * per thread: the parity at each cut, without one thread reading it all. */
struct qcount {
	int fd;
	uint64_t size;
	const uint64_t *at;
	int odd[JT_MAXJOBS], bad[JT_MAXJOBS];
};

static void count_quotes(void *arg, size_t k)
{
	struct qcount *q = arg;
	struct scan s = { q->fd, q->at[k], q->size, 0, jt_xmalloc(BUF), 0, 0 };
	q->bad[k] = skip_to(&s, q->at[k + 1]) != 0;
	q->odd[k] = s.quoted;
	free(s.buf);
}

int jt_par_whole(const struct jt_dialect *d, const unsigned char *head, size_t n)
{
	/* a part is read on its own from its offset: not through --encoding,
	 * nor guessing the delimiter from the file's head */
	if (d->lazy || d->no_header || d->encoding || d->delim_auto)
		return 1;
	/* UTF-16 (the reader says so), compressed (read as one stream) */
	return head && ((n >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) ||
			jt_input_needed(NULL, head, n));
}

size_t jt_header_end(const unsigned char *s, size_t n)
{
	size_t i = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? 3 : 0;
	int odd = 0, blank = 1;
	for (; i < n; i++) {
		unsigned char c = s[i];
		if (c == '"') {
			odd ^= 1;
			blank = 0;
		} else if (!odd && (c == '\n' || c == '\r')) {
			if (c == '\r') {
				if (i + 1 >= n)
					return 0;	/* a CRLF's LF may follow */
				if (s[i + 1] == '\n')
					i++;
			}
			if (!blank)
				return i + 1;
		} else {
			blank = 0;
		}
	}
	return 0;
}

size_t jt_split_file(const char *path, const struct jt_dialect *d, size_t want, struct jt_split *sp)
{
	return jt_split_file_w(path, d, want, 100, sp);
}

size_t jt_split_file_w(const char *path, const struct jt_dialect *d, size_t want, unsigned first,
		       struct jt_split *sp)
{
	struct stat st;
	memset(sp, 0, sizeof *sp);
	sp->n = 1;
	if (want > JT_MAXJOBS)
		want = JT_MAXJOBS;
	if (want < 2 || !path || strcmp(path, "-") == 0 || jt_par_whole(d, NULL, 0))
		return 1;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 1;
	uint64_t mp = min_part();
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size < 2 * mp) {
		close(fd);
		return 1;
	}
	struct scan s = { fd, 0, (uint64_t)st.st_size, 0, jt_xmalloc(BUF), 0, 0 };
	uint64_t at;	/* the header's end, in the first block */
	if (!fill(&s) || jt_par_whole(d, (const unsigned char *)s.buf, s.blen) ||
	    !(at = jt_header_end((const unsigned char *)s.buf, s.blen)))
		goto whole;
	s.pos = at;
	sp->data_start = at;
	uint64_t data = s.size - at;
	if (want > data / mp)
		want = (size_t)(data / mp);
	/* the cuts' quote parity, counted on a thread per range */
	uint64_t cut[JT_MAXJOBS + 1];
	struct qcount qc;
	memset(&qc, 0, sizeof qc);
	/* part 0 weighs first/100 of another: cut k after first + 100 (k - 1)
	 * of first + 100 (want - 1) shares */
	uint64_t shares = first + 100 * (uint64_t)(want - 1);
	cut[0] = at;
	for (size_t k = 1; k < want; k++)
		cut[k] = at + (uint64_t)((double)data * (double)(first + 100 * (k - 1)) / (double)shares);
	cut[want] = s.size;
	qc.fd = fd;
	qc.size = s.size;
	qc.at = cut;
	jt_par_run(want, count_quotes, &qc);
	int quoted = s.quoted;
	size_t n = 0;
	sp->start[n++] = at;
	for (size_t k = 0; k < want; k++) {
		if (qc.bad[k])
			goto whole;
		if (k && cut[k] > sp->start[n - 1]) {
			s.pos = cut[k];	/* from the cut, with its parity, to the next record */
			s.quoted = quoted;
			uint64_t b = next_record(&s);
			if (b && b < s.size)
				sp->start[n++] = b;
		}
		quoted ^= qc.odd[k];
	}
	if (n < 2 || quoted)
		goto whole;	/* a quote left open: the reader stops there, with the message */
	sp->start[n] = s.size;
	sp->n = n;
	free(s.buf);
	close(fd);
	return n;
whole:
	free(s.buf);
	close(fd);
	memset(sp, 0, sizeof *sp);
	sp->n = 1;
	return 1;
}

uint64_t jt_lines_estimate(const char *path, const struct jt_dialect *d)
{
	struct stat st;
	if (!path || strcmp(path, "-") == 0 || d->encoding)
		return 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t est = 0;
	char *buf = jt_xmalloc(65536);
	ssize_t k;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (k = pread(fd, buf, 65536, 0)) > 0 &&
	    !jt_input_needed(NULL, (const unsigned char *)buf, (size_t)k)) {
		uint64_t lines = 0;
		for (const char *q = buf, *e = buf + k; (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
			lines++;
		est = lines ? (uint64_t)st.st_size / ((uint64_t)k / lines) : 1;
	}
	free(buf);
	close(fd);
	return est;
}

struct job {
	void (*fn)(void *, size_t);
	void *arg;
	size_t k;
};

static void *thread_main(void *p)
{
	struct job *j = p;
	j->fn(j->arg, j->k);
	jt_rx_thread_done();
	return NULL;
}

/* fn(arg, k) for k < n: job 0 on the caller, or with side, every job on a
 * thread while the caller runs side(sarg). */
static void run(size_t n, void (*fn)(void *, size_t), void *arg, void (*side)(void *), void *sarg)
{
	pthread_t th[JT_MAXJOBS];
	struct job jobs[JT_MAXJOBS];
	size_t first = side ? 0 : 1, started = 0;
	for (size_t k = first; k < n && k < JT_MAXJOBS; k++) {
		jobs[k] = (struct job){ fn, arg, k };
		int e = pthread_create(&th[k], NULL, thread_main, &jobs[k]);
		if (e != 0) {
			errno = e;
			jt_die("cannot start a thread:");
		}
		started++;
	}
	if (side)
		side(sarg);
	else
		fn(arg, 0);
	for (size_t k = first; k < first + started; k++)
		pthread_join(th[k], NULL);
}

void jt_par_run(size_t n, void (*fn)(void *arg, size_t k), void *arg)
{
	if (n <= 1) {
		if (n == 1)
			fn(arg, 0);
		return;
	}
	run(n, fn, arg, NULL, NULL);
}

void jt_par_run_beside(size_t n, void (*fn)(void *arg, size_t k), void *arg, void (*side)(void *sarg), void *sarg)
{
	run(n, fn, arg, side, sarg);
}

/* ---- a file read in parts ------------------------------------------------------------- */

struct hdrjob {
	jt_header_fn *hf;
	void *ctx;
	struct jt_header *copy;
};

static void keep_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct hdrjob *j = ctx;
	if (!j->copy)
		j->copy = jt_header_copy(h);
	j->hf(j->ctx, src, h);
}

static void no_record(void *ctx, const char *src, const struct jt_record *rec)
{
	(void)ctx;
	(void)src;
	(void)rec;	/* the header's range holds no record */
}

/* The header from hp's bytes: of path, or (path NULL) of hp->buf. */
static struct jt_header *read_header(const char *src, const char *path, const struct jt_dialect *d,
				     struct jt_rejects *rj, const struct jt_part *hp, jt_header_fn *hf, void *ctx)
{
	char err[512];
	unsigned long long eline = 0;
	struct hdrjob j = { hf, ctx, NULL };
	int rc = path ? jt_read_part(path, d, rj, keep_header, no_record, &j, hp, err, sizeof err, &eline)
		      : jt_read_buf(NULL, src, d, rj, keep_header, no_record, &j, hp, err, sizeof err, &eline);
	if (rc != 0)
		jt_die_at(src, eline, "%s", err);
	return j.copy;
}

struct jt_header *jt_par_header(const char *path, const struct jt_dialect *d, struct jt_rejects *rj,
				const struct jt_split *sp, jt_header_fn *hf, void *ctx, unsigned long long *hlines)
{
	*hlines = 0;
	struct jt_part hp = { 0, sp->data_start, NULL, NULL, hlines, NULL, 0, 0 };
	jt_rejects_file_begin(rj);	/* as jt_read: a file of which every row was rejected */
	return read_header(path, path, d, rj, &hp, hf, ctx);
}

struct jt_header *jt_par_header_buf(const char *src, const struct jt_dialect *d, struct jt_rejects *rj,
				    const unsigned char *buf, size_t len, jt_header_fn *hf, void *ctx,
				    unsigned long long *hlines)
{
	*hlines = 0;
	struct jt_part hp = { 0, 0, NULL, NULL, hlines, buf, len, 0 };
	return read_header(src, NULL, d, rj, &hp, hf, ctx);
}

void jt_par_no_header(void *ctx, const char *src, const struct jt_header *h)
{
	(void)ctx;
	(void)src;
	(void)h;	/* the calling thread read the header */
}

struct partsjob {
	const char *path;
	const struct jt_dialect *d;
	const struct jt_split *sp;
	const struct jt_header *h;
	jt_record_fn *rf;
	struct jt_par_part *parts;
};

static void read_one(void *arg, size_t k)
{
	struct partsjob *j = arg;
	struct jt_par_part *p = &j->parts[k];
	struct jt_part pt = { j->sp->start[k], j->sp->start[k + 1], j->h, &p->stop, &p->lines, NULL, 0, 0 };
	p->err = jt_read_part(j->path, j->d, *p->rj_at, jt_par_no_header, j->rf, p->ctx, &pt, p->errmsg,
			      sizeof p->errmsg, &p->errline) != 0;
}

void jt_par_part_again(const char *path, const struct jt_common *c, const struct jt_split *sp,
			const struct jt_header *h, size_t k, jt_record_fn *rf, void *ctx, struct jt_rejects **rj_at)
{
	struct jt_rejects *rj = *rj_at;
	volatile int stop = 0;
	unsigned long long lines = 0, errline = 0;
	char errmsg[512];
	*rj_at = jt_rejects_deferred(c, &stop);	/* counted and shown the first time */
	struct jt_part pt = { sp->start[k], sp->start[k + 1], h, &stop, &lines, NULL, 0, 0 };
	(void)jt_read_part(path, &c->dialect, *rj_at, jt_par_no_header, rf, ctx, &pt, errmsg, sizeof errmsg, &errline);
	jt_rejects_free(*rj_at);
	*rj_at = rj;
}

void jt_par_parts(const char *path, const struct jt_common *c, struct jt_rejects *rj, const struct jt_split *sp,
		  const struct jt_header *h, unsigned long long hlines, jt_record_fn *rf, struct jt_par_part *parts)
{
	size_t n = sp->n;
	for (size_t k = 0; k < n; k++) {
		struct jt_par_part *p = &parts[k];
		p->stop = 0;
		p->err = 0;
		p->lines = 0;
		p->errline = 0;
		*p->rj_at = jt_rejects_deferred(c, &p->stop);
	}
	struct partsjob job = { path, &c->dialect, sp, h, rf, parts };
	jt_par_run(n, read_one, &job);
	/* in file order: each part's rejects, then its error if it had one */
	unsigned long long base = 1 + hlines;
	for (size_t k = 0; k < n; k++) {
		struct jt_par_part *p = &parts[k];
		jt_rejects_replay(rj, *p->rj_at, base);
		jt_rejects_free(*p->rj_at);
		*p->rj_at = rj;
		if (p->err)
			jt_die_at(path, p->errline ? base + p->errline - 1 : 0, "%s", p->errmsg);
		base += p->lines;
	}
	jt_rejects_file_end(rj, path);
}
