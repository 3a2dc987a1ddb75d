/* mem.c — allocation helpers; out of memory is fatal for a filter. */
#define _GNU_SOURCE	/* MADV_HUGEPAGE, mremap */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "jt_err.h"
#include "jt_mem.h"

void *jt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		jt_die("out of memory");
	return p;
}

void *jt_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		jt_die("out of memory");
	return p;
}

void *jt_xcalloc_own(size_t size)
{
	void *p = NULL;
	size_t n = size ? (size + 127) / 128 * 128 : 128;
	if (posix_memalign(&p, 128, n) != 0)
		jt_die("out of memory");
	memset(p, 0, n);
	return p;
}

void *jt_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		jt_die("out of memory");
	return p;
}

void jt_xgrow(void **p, size_t *cap, size_t need, size_t sz)
{
	size_t c = *cap;
	if (need <= c)
		return;
	if (c < 8)
		c = 8;
	while (c < need) {
		if (c > ((size_t)-1) / 2 / sz)
			jt_die("out of memory");
		c *= 2;
	}
	*p = jt_xrealloc(*p, c * sz);
	*cap = c;
}

#define HUGE_PAGE ((size_t)2 << 20)

void *jt_xbig(size_t n)
{
	void *p = jt_xbig_try(n);
	if (!p)
		jt_die("out of memory");
	return p;
}

void *jt_xbig_try(size_t n)
{
	if (n <= HUGE_PAGE / 2)
		return calloc(1, n ? n : 1);
	/* fresh pages from mmap are zero: no memset, no page touched before use */
	size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (len < n || len + HUGE_PAGE < len)
		return NULL;
	char *p = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + HUGE_PAGE)
		munmap(a + len, (size_t)(p + len + HUGE_PAGE - (a + len)));
#ifdef MADV_HUGEPAGE
	madvise(a, len, MADV_HUGEPAGE);	/* a hint: fewer page faults, fewer TLB misses */
#endif
	return a;
}

void *jt_xbig_grow(void *p, size_t old, size_t n)
{
	if (!p || n <= old)
		return p;
#if defined(__linux__) && defined(MREMAP_FIXED)
	if (old > HUGE_PAGE / 2) {	/* mmap'd, 2 MiB aligned: moved to a place aligned as well */
		size_t olen = (old + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		if (olen >= len)
			return p;	/* the mapping holds n already */
		void *dst = jt_xbig_try(n);
		if (dst) {
			void *q = mremap(p, olen, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
			if (q != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
				madvise(q, len, MADV_HUGEPAGE);
#endif
				return q;
			}
			jt_xbig_release(dst, n);
		}
	}
#endif
	void *q = jt_xbig(n);
	memcpy(q, p, old);
	jt_xbig_release(p, old);
	return q;
}

void jt_xbig_populate(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, e = (uintptr_t)p + n;
	if (p && n)
		(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);	/* older kernels: EINVAL, no harm */
#else
	(void)p;
	(void)n;
#endif
}

/* The 2 MiB pieces of tables freed (a hash table's old slots as it grows),
 * kept for jt_xbig_dirty: memory used again costs no page fault and no
 * zeroing, which on a virtual machine cost more than the work on them. */
static void *pool[256];
static size_t npool;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;

void jt_xbig_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n <= HUGE_PAGE / 2) {
		free(p);
		return;
	}
	size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	pthread_mutex_lock(&pool_mu);
	for (size_t off = 0; off < len; off += HUGE_PAGE) {
		if (npool < sizeof pool / sizeof *pool)
			pool[npool++] = (char *)p + off;
		else
			munmap((char *)p + off, HUGE_PAGE);
	}
	pthread_mutex_unlock(&pool_mu);
}

void jt_xbig_release(void *p, size_t n)
{
	if (!p)
		return;
	if (n <= HUGE_PAGE / 2) {
		free(p);
		return;
	}
	munmap(p, (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
}

void jt_xbig_trim(void)
{
	pthread_mutex_lock(&pool_mu);
	while (npool)
		munmap(pool[--npool], HUGE_PAGE);
	pthread_mutex_unlock(&pool_mu);
}

void *jt_xbig_dirty(size_t n)
{
	void *p = NULL;
	if (n > HUGE_PAGE / 2 && n <= HUGE_PAGE) {
		pthread_mutex_lock(&pool_mu);
		if (npool)
			p = pool[--npool];
		pthread_mutex_unlock(&pool_mu);
	}
	return p ? p : jt_xbig(n);
}

char *jt_xstrdup(const char *s)
{
	return jt_xmemdup(s, strlen(s));
}

char *jt_xmemdup(const void *s, size_t n)
{
	char *p = jt_xmalloc(n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void buf_need(struct jt_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need > b->cap) {
		void *p = b->p;
		jt_xgrow(&p, &b->cap, need, 1);
		b->p = p;
	}
}

void jt_buf_add(struct jt_buf *b, const void *s, size_t n)
{
	buf_need(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

char *jt_buf_room(struct jt_buf *b, size_t n)
{
	buf_need(b, n);
	char *at = b->p + b->len;
	b->len += n;
	b->p[b->len] = '\0';
	return at;
}

void jt_buf_addc(struct jt_buf *b, char c)
{
	buf_need(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void jt_buf_adds(struct jt_buf *b, const char *s)
{
	jt_buf_add(b, s, strlen(s));
}

void jt_buf_vprintf(struct jt_buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		jt_buf_add(b, small, (size_t)n);
		return;
	}
	buf_need(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void jt_buf_printf(struct jt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	jt_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void jt_buf_reset(struct jt_buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

void jt_buf_free(struct jt_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

struct jt_arena_blk {
	struct jt_arena_blk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void *jt_arena_alloc(struct jt_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->used + n > a->size) {
		size_t sz = n > 65536 - 64 ? n : 65536 - 64;
		struct jt_arena_blk *b = jt_xmalloc(sizeof *b + sz);
		b->size = sz;
		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->size = sz;
	}
	void *p = a->head->data + a->used;
	a->used += n;
	return p;
}

char *jt_arena_dup(struct jt_arena *a, const void *s, size_t n)
{
	char *p = jt_arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void jt_arena_free(struct jt_arena *a)
{
	struct jt_arena_blk *b = a->head, *nx;
	for (; b; b = nx) {
		nx = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = a->size = 0;
}
