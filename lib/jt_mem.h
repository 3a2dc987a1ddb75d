/* mem.h — allocation that dies on failure, growable buffers and arenas. */
#ifndef JT_MEM_H
#define JT_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *jt_xmalloc(size_t n);
void *jt_xcalloc(size_t n, size_t size);
void *jt_xrealloc(void *p, size_t n);
/* Zeroed, on cache lines of its own (128-byte aligned, padded; free()
 * frees it): a thread's state allocated by another thread, whose next
 * allocations would otherwise share its lines and take turns with it. */
void *jt_xcalloc_own(size_t size);
/* Grow *p (holding *cap elements of size sz) to hold at least need elements. */
void jt_xgrow(void **p, size_t *cap, size_t need, size_t sz);
/* n zeroed bytes for a large table, freed with jt_xbig_free(p, n): past 1 MiB,
 * straight from mmap (a whole 2 MiB at least), aligned to 2 MiB and marked for transparent huge
 * pages where the system has them, so that a table of random accesses costs
 * fewer page faults and TLB misses. */
void *jt_xbig(size_t n);
void jt_xbig_free(void *p, size_t n);
/* The same, straight back to the system, not kept for jt_xbig_dirty: for a
 * table that grows by copying, whose old copies nothing will reuse. */
void jt_xbig_release(void *p, size_t n);
/* jt_xbig, or NULL when the system refuses (never for 1 MiB or less but
 * for a failing calloc). Large sizes are only reserved: a page costs memory
 * once it is touched. */
void *jt_xbig_try(size_t n);
/* A table of n bytes whose content does not matter (the caller sets each
 * entry before reading it): from 1 MiB to 2 MiB, a piece of a table freed
 * before where there is one. Free with jt_xbig_free(p, n). */
void *jt_xbig_dirty(size_t n);
/* Faults in the pages of [p, p + n) as a write would, without writing (the
 * bytes stay as they are, so another thread may be using them): the page
 * faults and the zeroing paid on this thread instead of the one that will
 * use the memory. Where the system cannot (Linux before 5.14), nothing. */
void jt_xbig_populate(void *p, size_t n);
/* An array p of old bytes (from jt_xbig or jt_xbig_dirty) made n bytes, its
 * content kept, the old one gone: past 1 MiB on Linux its pages are moved
 * (mremap), not copied, so the array never takes its old and new sizes at
 * once; elsewhere, and for a smaller one, copied. Free with jt_xbig_release. */
void *jt_xbig_grow(void *p, size_t old, size_t n);
/* Gives the pieces kept for jt_xbig_dirty back to the system (the pool holds
 * up to 512 MiB): when a phase that freed them is over and the next one
 * allocates otherwise, so that they do not add to its peak. */
void jt_xbig_trim(void);
char *jt_xstrdup(const char *s);
char *jt_xmemdup(const void *s, size_t n);	/* adds a NUL */

/* Growable byte string, always NUL-terminated once used. */
struct jt_buf {
	char *p;
	size_t len, cap;
};
#define JT_BUF_INIT { NULL, 0, 0 }
void jt_buf_add(struct jt_buf *b, const void *s, size_t n);
void jt_buf_addc(struct jt_buf *b, char c);
/* n more bytes at the end, for the caller to fill. */
char *jt_buf_room(struct jt_buf *b, size_t n);
void jt_buf_adds(struct jt_buf *b, const char *s);
void jt_buf_printf(struct jt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jt_buf_vprintf(struct jt_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void jt_buf_reset(struct jt_buf *b);
void jt_buf_free(struct jt_buf *b);

/* Arena: many small copies freed at once. Pointers stay valid until jt_arena_free. */
struct jt_arena_blk;
struct jt_arena {
	struct jt_arena_blk *head;
	size_t used, size;
};
#define JT_ARENA_INIT { NULL, 0, 0 }
void *jt_arena_alloc(struct jt_arena *a, size_t n);	/* 16-byte aligned */
char *jt_arena_dup(struct jt_arena *a, const void *s, size_t n);	/* adds a NUL */
void jt_arena_free(struct jt_arena *a);

#endif
