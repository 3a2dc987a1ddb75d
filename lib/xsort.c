/* xsort.c — an external sort of fixed-size records and a blob store, both
 * past a memory budget in spill files (jt_xsort.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_spill.h"
#include "jt_xsort.h"
/* ---- sorting in memory -------------------------------------------------------- */

static inline int key16(const void *a, const void *b)
{
	int64_t ta, tb;
	uint64_t pa, pb;
	memcpy(&ta, a, 8);
	memcpy(&tb, b, 8);
	if (ta != tb)
		return ta < tb ? -1 : 1;
	memcpy(&pa, (const char *)a + 8, 8);
	memcpy(&pb, (const char *)b + 8, 8);
	return (pa > pb) - (pa < pb);
}

int jt_cmp_key16(const void *a, const void *b) { return key16(a, b); }

static void swap_rec(char *a, char *b, size_t n)
{
	char t[64];
	while (n) {
		size_t k = n < sizeof t ? n : sizeof t;
		memcpy(t, a, k);
		memcpy(a, b, k);
		memcpy(b, t, k);
		a += k;
		b += k;
		n -= k;
	}
}

static void insertion(char *base, size_t n, size_t rsz, jt_cmp_fn *cmp)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cmp(base + (j - 1) * rsz, base + j * rsz) > 0; j--)
			swap_rec(base + (j - 1) * rsz, base + j * rsz, rsz);
}

static void sift(char *base, size_t i, size_t n, size_t rsz, jt_cmp_fn *cmp)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && cmp(base + c * rsz, base + (c + 1) * rsz) < 0)
			c++;
		if (cmp(base + i * rsz, base + c * rsz) >= 0)
			return;
		swap_rec(base + i * rsz, base + c * rsz, rsz);
		i = c;
	}
}

static void heapsort_rec(char *base, size_t n, size_t rsz, jt_cmp_fn *cmp)
{
	for (size_t i = n / 2; i-- > 0;)
		sift(base, i, n, rsz, cmp);
	for (size_t k = n; k-- > 1;) {
		swap_rec(base, base + k * rsz, rsz);
		sift(base, 0, k, rsz, cmp);
	}
}

/* Quicksort (median of three, Hoare partition), the smaller side first so the
 * recursion stays O(log n) deep; past 2 log2 n levels a heapsort. */
static void quick(char *base, size_t n, size_t rsz, jt_cmp_fn *cmp, int depth)
{
	while (n > 16) {
		if (depth-- == 0) {
			heapsort_rec(base, n, rsz, cmp);
			return;
		}
		char *a = base, *m = base + n / 2 * rsz, *z = base + (n - 1) * rsz;
		if (cmp(a, m) > 0)
			swap_rec(a, m, rsz);
		if (cmp(m, z) > 0) {
			swap_rec(m, z, rsz);
			if (cmp(a, m) > 0)
				swap_rec(a, m, rsz);
		}
		swap_rec(base, m, rsz);	/* the pivot at base; z is not below it */
		size_t i = 0, j = n;
		for (;;) {
			do
				i++;
			while (i < n - 1 && cmp(base + i * rsz, base) < 0);
			do
				j--;
			while (j > 0 && cmp(base, base + j * rsz) < 0);
			if (i >= j)
				break;
			swap_rec(base + i * rsz, base + j * rsz, rsz);
		}
		swap_rec(base, base + j * rsz, rsz);
		size_t left = j, right = n - j - 1;
		if (left < right) {
			quick(base, left, rsz, cmp, depth);
			base += (j + 1) * rsz;
			n = right;
		} else {
			quick(base + (j + 1) * rsz, right, rsz, cmp, depth);
			n = left;
		}
	}
	insertion(base, n, rsz, cmp);
}

void jt_sort_records(void *base, size_t n, size_t rsz, jt_cmp_fn *cmp)
{
	char *b = base;
	size_t i = 1;
	if (cmp == jt_cmp_key16)	/* exports come sorted, often: checked inline */
		while (i < n && key16(b + (i - 1) * rsz, b + i * rsz) <= 0)
			i++;
	else
		while (i < n && cmp(b + (i - 1) * rsz, b + i * rsz) <= 0)
			i++;
	if (i >= n)
		return;
	int depth = 0;
	for (size_t k = n; k > 1; k >>= 1)
		depth += 2;
	quick(b, n, rsz, cmp, depth);
}

/* ---- the external sort ------------------------------------------------------- */

#define MERGE_BUF_MIN ((size_t)16 << 10)	/* the least buffer a run gets in a merge pass */
#define MERGE_BUF_MAX ((size_t)1 << 20)

struct run {
	uint64_t off, n;	/* in the spill file: bytes, records */
};

struct cur {	/* a run being read */
	char *buf;
	size_t cap, pos, end;	/* in records */
	uint64_t off, left;	/* next byte in the file, records not yet read */
};

struct merger {
	int fd;
	size_t rsz;
	jt_cmp_fn *cmp;
	struct cur *c;
	size_t k;
	size_t *heap, nh;
	int started;
};

struct jt_xsort {
	size_t rsz, mem;
	jt_cmp_fn *cmp;
	char *a;	/* records being gathered */
	size_t n, cap, capmax;
	uint64_t total;
	int unsorted;	/* the buffer's records are out of order (seen as they come) */
	int fd;
	uint64_t fend;
	struct run *runs;
	size_t nruns, rcap;
	uint64_t written;	/* bytes, as runs */
	int phase;	/* 0 gathering, 1 in memory, 2 merging */
	size_t it;
	struct merger m;
};

struct jt_xsort *jt_xsort_new(size_t rsz, jt_cmp_fn *cmp, size_t mem)
{
	struct jt_xsort *x = jt_xcalloc(1, sizeof *x);
	x->rsz = rsz;
	x->cmp = cmp;
	x->mem = mem;
	x->capmax = mem / rsz < 2 ? 2 : mem / rsz;
	x->fd = -1;
	return x;
}

static void add_run(struct jt_xsort *x, uint64_t off, uint64_t n)
{
	void *p = x->runs;
	jt_xgrow(&p, &x->rcap, x->nruns + 1, sizeof *x->runs);
	x->runs = p;
	x->runs[x->nruns++] = (struct run){ off, n };
}

/* The buffer in order: sorted, unless its records came in order. */
static void sort_buffer(struct jt_xsort *x)
{
	if (x->n >= 2 && x->cmp(x->a + (x->n - 2) * x->rsz, x->a + (x->n - 1) * x->rsz) > 0)
		x->unsorted = 1;	/* the last pair, not yet seen by jt_xsort_add */
	if (x->unsorted)
		jt_sort_records(x->a, x->n, x->rsz, x->cmp);
	x->unsorted = 0;
}

static void flush_run(struct jt_xsort *x)
{
	sort_buffer(x);
	if (x->fd < 0)
		x->fd = jt_spill_fd();
	jt_spill_fd_write(x->fd, x->a, x->n * x->rsz);
	add_run(x, x->fend, x->n);
	x->fend += (uint64_t)x->n * x->rsz;
	x->written += (uint64_t)x->n * x->rsz;
	x->n = 0;
}

/* The buffer, reserved whole (a page costs memory once touched, so a run
 * that needs little uses little), in huge pages where the system has them;
 * where the system will not reserve that much, less. */
static void reserve(struct jt_xsort *x)
{
	size_t c = x->capmax;
	while (!(x->a = jt_xbig_try(c * x->rsz))) {
		if (c <= 4096)
			jt_die("out of memory");
		c /= 2;
	}
	x->cap = x->capmax = c;
}

void *jt_xsort_add(struct jt_xsort *x)
{
	if (x->n == x->cap) {
		if (!x->a)
			reserve(x);
		else
			flush_run(x);
	}
	/* the two records before this one are filled: in order? (while hot) */
	if (x->n >= 2 && !x->unsorted && x->cmp(x->a + (x->n - 2) * x->rsz, x->a + (x->n - 1) * x->rsz) > 0)
		x->unsorted = 1;
	x->total++;
	return x->a + x->n++ * x->rsz;
}

uint64_t jt_xsort_count(const struct jt_xsort *x) { return x->total; }
uint64_t jt_xsort_spilled(const struct jt_xsort *x) { return x->written; }

/* A buffer of bytes for a run: whole records, at least one. */
static size_t buf_records(size_t bytes, size_t rsz)
{
	if (bytes > MERGE_BUF_MAX)
		bytes = MERGE_BUF_MAX;
	return bytes / rsz ? bytes / rsz : 1;
}

static int less_at(const struct merger *m, size_t a, size_t b)
{
	const struct cur *x = &m->c[m->heap[a]], *y = &m->c[m->heap[b]];
	return m->cmp(x->buf + x->pos * m->rsz, y->buf + y->pos * m->rsz) < 0;
}

static void heap_down(struct merger *m, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m->nh)
			return;
		if (c + 1 < m->nh && less_at(m, c + 1, c))
			c++;
		if (!less_at(m, c, i))
			return;
		size_t t = m->heap[i];
		m->heap[i] = m->heap[c];
		m->heap[c] = t;
		i = c;
	}
}

/* Reads the next records of a run; 0 when it has none left. */
static int refill(struct merger *m, struct cur *c)
{
	if (!c->left)
		return 0;
	size_t k = c->left < c->cap ? (size_t)c->left : c->cap;
	jt_spill_fd_pread(m->fd, c->buf, k * m->rsz, c->off);
	c->off += (uint64_t)k * m->rsz;
	c->left -= k;
	c->pos = 0;
	c->end = k;
	return 1;
}

static void merger_init(struct merger *m, int fd, size_t rsz, jt_cmp_fn *cmp, const struct run *runs, size_t k,
			size_t recs)
{
	m->fd = fd;
	m->rsz = rsz;
	m->cmp = cmp;
	m->k = k;
	m->c = jt_xcalloc(k, sizeof *m->c);
	m->heap = jt_xmalloc(k * sizeof *m->heap);
	m->nh = 0;
	m->started = 0;
	for (size_t i = 0; i < k; i++) {
		struct cur *c = &m->c[i];
		c->cap = recs;
		c->buf = jt_xmalloc(recs * rsz);
		c->off = runs[i].off;
		c->left = runs[i].n;
		if (refill(m, c))
			m->heap[m->nh++] = i;
	}
	for (size_t i = m->nh / 2; i-- > 0;)
		heap_down(m, i);
}

static const void *merger_next(struct merger *m)
{
	if (m->started && m->nh) {	/* the record given last is used: step past it */
		struct cur *c = &m->c[m->heap[0]];
		if (++c->pos == c->end && !refill(m, c))
			m->heap[0] = m->heap[--m->nh];
		heap_down(m, 0);
	}
	m->started = 1;
	if (!m->nh)
		return NULL;
	const struct cur *c = &m->c[m->heap[0]];
	return c->buf + c->pos * m->rsz;
}

static void merger_free(struct merger *m)
{
	for (size_t i = 0; m->c && i < m->k; i++)
		free(m->c[i].buf);
	free(m->c);
	free(m->heap);
	memset(m, 0, sizeof *m);
}

/* Merges groups of fan runs into a new file until at most fan are left. */
static void merge_pass(struct jt_xsort *x, size_t fan)
{
	size_t recs = buf_records(x->mem / (fan + 1), x->rsz);
	int out = jt_spill_fd();
	uint64_t oend = 0;
	struct run *nr = NULL;
	size_t nn = 0, ncap = 0;
	char *ob = jt_xmalloc(recs * x->rsz);
	for (size_t g = 0; g < x->nruns; g += fan) {
		size_t k = x->nruns - g < fan ? x->nruns - g : fan;
		struct merger m;
		merger_init(&m, x->fd, x->rsz, x->cmp, x->runs + g, k, recs);
		uint64_t n = 0;
		size_t used = 0;
		const void *r;
		while ((r = merger_next(&m)) != NULL) {
			memcpy(ob + used * x->rsz, r, x->rsz);
			if (++used == recs) {
				jt_spill_fd_write(out, ob, used * x->rsz);
				used = 0;
			}
			n++;
		}
		jt_spill_fd_write(out, ob, used * x->rsz);
		merger_free(&m);
		void *p = nr;
		jt_xgrow(&p, &ncap, nn + 1, sizeof *nr);
		nr = p;
		nr[nn++] = (struct run){ oend, n };
		oend += n * x->rsz;
	}
	free(ob);
	close(x->fd);
	free(x->runs);
	x->fd = out;
	x->runs = nr;
	x->nruns = nn;
	x->rcap = ncap;
	x->fend = oend;
}

void jt_xsort_end(struct jt_xsort *x)
{
	if (!x->nruns) {
		sort_buffer(x);
		x->phase = 1;
		x->it = 0;
		return;
	}
	if (x->n)
		flush_run(x);
	jt_xbig_free(x->a, x->cap * x->rsz);
	x->a = NULL;
	x->cap = 0;
	size_t fan = x->mem / MERGE_BUF_MIN;
	if (fan < 2)
		fan = 2;
	while (x->nruns > fan)
		merge_pass(x, fan);
	merger_init(&x->m, x->fd, x->rsz, x->cmp, x->runs, x->nruns, buf_records(x->mem / x->nruns, x->rsz));
	x->phase = 2;
}

const void *jt_xsort_next(struct jt_xsort *x)
{
	if (x->phase == 1)
		return x->it < x->n ? x->a + x->it++ * x->rsz : NULL;
	return merger_next(&x->m);
}

void jt_xsort_free(struct jt_xsort *x)
{
	if (!x)
		return;
	merger_free(&x->m);
	if (x->fd >= 0)
		close(x->fd);
	jt_xbig_free(x->a, x->cap * x->rsz);
	free(x->runs);
	free(x);
}

/* ---- blobs -------------------------------------------------------------------- */

#define BLOB_WBUF ((size_t)1 << 20)

struct jt_blobs {
	char *buf;
	size_t len, cap, mem;
	uint64_t base;	/* bytes before buf, in the file */
	int fd;
};

struct jt_blobs *jt_blobs_new(size_t mem)
{
	struct jt_blobs *b = jt_xcalloc(1, sizeof *b);
	b->mem = mem;
	b->fd = -1;
	return b;
}

static void blobs_flush(struct jt_blobs *b)
{
	jt_spill_fd_write(b->fd, b->buf, b->len);
	b->base += b->len;
	b->len = 0;
}

uint64_t jt_blobs_add(struct jt_blobs *b, const void *p, size_t n)
{
	if (n > UINT32_MAX)
		jt_die("a row of %zu bytes, more than the 4 GiB a rejects file row can hold", n);
	size_t need = 4 + n;
	if (b->len + need > b->mem && b->fd < 0 && b->len) {	/* past the budget: to disk from now on */
		b->fd = jt_spill_fd();
		blobs_flush(b);
		size_t w = b->mem < BLOB_WBUF ? b->mem : BLOB_WBUF;
		if (w < b->cap) {
			b->buf = jt_xrealloc(b->buf, w);
			b->cap = w;
		}
	} else if (b->fd >= 0 && b->len + need > b->cap && b->len) {
		blobs_flush(b);
	}
	if (b->len + need > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 4096;
		if (b->fd < 0 && c > b->mem)
			c = b->mem;
		if (b->fd >= 0 && c > BLOB_WBUF)
			c = BLOB_WBUF;
		if (c < b->len + need)
			c = b->len + need;	/* one row larger than the buffer */
		b->buf = jt_xrealloc(b->buf, c);
		b->cap = c;
	}
	uint64_t off = b->base + b->len;
	uint32_t l = (uint32_t)n;
	memcpy(b->buf + b->len, &l, 4);
	if (n)
		memcpy(b->buf + b->len + 4, p, n);
	b->len += need;
	return off;
}

void jt_blobs_get(struct jt_blobs *b, uint64_t off, struct jt_buf *out)
{
	uint32_t l;
	jt_buf_reset(out);
	if (off >= b->base) {
		const char *p = b->buf + (off - b->base);
		memcpy(&l, p, 4);
		jt_buf_add(out, p + 4, l);
		return;
	}
	jt_spill_fd_pread(b->fd, &l, 4, off);
	jt_buf_add(out, "", 0);
	if (out->cap < (size_t)l + 1) {
		void *p = out->p;
		jt_xgrow(&p, &out->cap, (size_t)l + 1, 1);
		out->p = p;
	}
	jt_spill_fd_pread(b->fd, out->p, l, off + 4);
	out->len = l;
	out->p[l] = '\0';
}

uint64_t jt_blobs_spilled(const struct jt_blobs *b) { return b->fd >= 0 ? b->base + b->len : 0; }

void jt_blobs_free(struct jt_blobs *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b->buf);
	free(b);
}
