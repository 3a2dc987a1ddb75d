/* spill.c — unnamed temporary files (jt_spill.h). */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE	/* O_TMPFILE */
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
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

const char *jt_spill_dir(void)
{
	const char *d = getenv("TMPDIR");
	return d && *d ? d : "/tmp";
}

static _Noreturn void spill_fail(const char *what, int err)
{
	const char *d = jt_spill_dir();
	if (strcmp(what, "write") == 0)
		jt_die("cannot write a spill file in %s: %s (make room there, set TMPDIR to a folder with room, "
		       "or raise --memory)", jt_show(d, strlen(d)), strerror(err));
	if (strcmp(what, "create") == 0)
		jt_die("cannot create a spill file in %s: %s (set TMPDIR to a folder where it can, or raise --memory)",
		       jt_show(d, strlen(d)), strerror(err));
	jt_die("cannot read a spill file in %s: %s", jt_show(d, strlen(d)), strerror(err));
}

static void count(size_t n)
{
	pthread_mutex_lock(&total_lock);
	total += n;
	pthread_mutex_unlock(&total_lock);
}

int jt_spill_fd(void)
{
	const char *d = jt_spill_dir();
	int fd;
#ifdef O_TMPFILE
	fd = open(d, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOSYS)
		spill_fail("create", errno);
#endif
	struct jt_buf path = JT_BUF_INIT;
	jt_buf_printf(&path, "%s/.jtools-spill.XXXXXX", d);
	/* no signal between the name's birth and its unlink */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	fd = mkstemp(path.p);
	int err = errno;
	if (fd >= 0)
		unlink(path.p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	jt_buf_free(&path);
	if (fd < 0)
		spill_fail("create", err);
	return fd;
}

void jt_spill_fd_write(int fd, const void *p, size_t n)
{
	const char *s = p;
	count(n);
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			spill_fail("write", w < 0 ? errno : ENOSPC);
		s += w;
		n -= (size_t)w;
	}
}

void jt_spill_fd_pwrite(int fd, uint64_t off, const void *p, size_t n)
{
	const char *s = p;
	count(n);
	while (n > 0) {
		ssize_t w = pwrite(fd, s, n, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			spill_fail("write", w < 0 ? errno : ENOSPC);
		s += w;
		off += (uint64_t)w;
		n -= (size_t)w;
	}
}

void jt_spill_fd_pread(int fd, void *p, size_t n, uint64_t off)
{
	char *s = p;
	while (n > 0) {
		ssize_t r = pread(fd, s, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			spill_fail("read", r < 0 ? errno : EIO);
		s += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
}

/* ---- a buffered spill file ------------------------------------------------- */

void jt_spill_open(struct jt_spill *s)
{
	s->fd = jt_spill_fd();
	s->size = 0;
	s->blen = 0;
	s->buf = jt_xmalloc(SBUF);
}

void jt_spill_write(struct jt_spill *s, const void *p, size_t n)
{
	s->size += n;
	if (s->blen + n > SBUF) {
		jt_spill_fd_write(s->fd, s->buf, s->blen);
		s->blen = 0;
		if (n >= SBUF) {
			jt_spill_fd_write(s->fd, p, n);
			return;
		}
	}
	memcpy(s->buf + s->blen, p, n);
	s->blen += n;
}

void jt_spill_pwrite(struct jt_spill *s, uint64_t off, const void *p, size_t n)
{
	if (off + n > s->size)
		s->size = off + n;
	jt_spill_fd_pwrite(s->fd, off, p, n);
}

void jt_spill_flush(struct jt_spill *s)
{
	jt_spill_fd_write(s->fd, s->buf, s->blen);
	s->blen = 0;
}

void jt_spill_pread(const struct jt_spill *s, uint64_t off, void *dst, size_t n)
{
	jt_spill_fd_pread(s->fd, dst, n, off);
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
