/* spill.c — unnamed temporary files (jt_spill.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_spill.h"

#define SBUF ((size_t)256 << 10)

static uint64_t total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *tmpdir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

static _Noreturn void fail(const char *what)
{
	const char *d = tmpdir();
	jt_die("%s %s: %s (set TMPDIR to a folder with room, or give more --memory)", what, d, strerror(errno));
}

void jt_spill_open(struct jt_spill *s)
{
	struct jt_buf path = JT_BUF_INIT;
	jt_buf_printf(&path, "%s/.jtools-spill.XXXXXX", tmpdir());
	int fd = mkstemp(path.p);
	if (fd < 0)
		fail("cannot make a spill file in");
	unlink(path.p);	/* no name: nothing to leave behind, however the run ends */
	jt_buf_free(&path);
	s->fd = fd;
	s->size = 0;
	s->blen = 0;
	s->buf = jt_xmalloc(SBUF);
}

static void put(struct jt_spill *s, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(s->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			fail("cannot write a spill file in");
		}
		p += k;
		n -= (size_t)k;
	}
}

void jt_spill_write(struct jt_spill *s, const void *p, size_t n)
{
	s->size += n;
	pthread_mutex_lock(&total_lock);
	total += n;
	pthread_mutex_unlock(&total_lock);
	if (s->blen + n > SBUF) {
		put(s, s->buf, s->blen);
		s->blen = 0;
		if (n >= SBUF) {
			put(s, p, n);
			return;
		}
	}
	memcpy(s->buf + s->blen, p, n);
	s->blen += n;
}

void jt_spill_pwrite(struct jt_spill *s, uint64_t off, const void *p, size_t n)
{
	const char *c = p;
	pthread_mutex_lock(&total_lock);
	total += n;
	pthread_mutex_unlock(&total_lock);
	if (off + n > s->size)
		s->size = off + n;
	while (n) {
		ssize_t k = pwrite(s->fd, c, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = ENOSPC;
			fail("cannot write a spill file in");
		}
		c += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
}

void jt_spill_flush(struct jt_spill *s)
{
	put(s, s->buf, s->blen);
	s->blen = 0;
}

void jt_spill_pread(const struct jt_spill *s, uint64_t off, void *dst, size_t n)
{
	char *d = dst;
	while (n) {
		ssize_t k = pread(s->fd, d, n, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			fail("cannot read back a spill file in");
		}
		d += k;
		off += (uint64_t)k;
		n -= (size_t)k;
	}
}

void jt_spill_close(struct jt_spill *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}

uint64_t jt_spill_total(void)
{
	pthread_mutex_lock(&total_lock);
	uint64_t t = total;
	pthread_mutex_unlock(&total_lock);
	return t;
}
