/* jt_xsort.h — working data past a memory budget, in spill files (jt_spill.h).
 *
 * jt_xsort: an external sort of fixed-size records. Records are gathered in
 * one buffer of at most `mem` bytes; a full buffer is sorted and written as a
 * run; at the end the runs are merged (in several passes when there are more
 * than the buffers of `mem` can hold at once). A sort that fits in `mem`
 * writes nothing. cmp must be a total order, so that the output does not
 * depend on how the input was split into runs.
 *
 * jt_blobs: byte strings appended and read back by offset (rows kept for the
 * rejects file): in memory up to `mem` bytes, then in a spill file.
 */
#ifndef JT_XSORT_H
#define JT_XSORT_H

#include <stddef.h>
#include <stdint.h>

struct jt_buf;

typedef int jt_cmp_fn(const void *a, const void *b);
/* Records that start with an int64_t and a uint64_t, compared in that order. */
int jt_cmp_key16(const void *a, const void *b);

struct jt_xsort;
struct jt_xsort *jt_xsort_new(size_t rsz, jt_cmp_fn *cmp, size_t mem);
/* Room for the next record, which the caller fills before the next call. */
void *jt_xsort_add(struct jt_xsort *x);
/* No more records: sort (and merge the runs, but the last pass). */
void jt_xsort_end(struct jt_xsort *x);
/* The records in order, then NULL. A record stays valid until the next call. */
const void *jt_xsort_next(struct jt_xsort *x);
uint64_t jt_xsort_count(const struct jt_xsort *x);
/* Bytes written to disk as runs (0: the sort fitted in memory). */
uint64_t jt_xsort_spilled(const struct jt_xsort *x);
void jt_xsort_free(struct jt_xsort *x);

/* Sorts n records of rsz bytes in place (introsort: no extra memory). */
void jt_sort_records(void *base, size_t n, size_t rsz, jt_cmp_fn *cmp);

struct jt_blobs;
struct jt_blobs *jt_blobs_new(size_t mem);
/* Appends p[0..n); returns its offset. */
uint64_t jt_blobs_add(struct jt_blobs *b, const void *p, size_t n);
/* The blob at off, into out (reset first). */
void jt_blobs_get(struct jt_blobs *b, uint64_t off, struct jt_buf *out);
/* Bytes written to disk (0: all in memory). */
uint64_t jt_blobs_spilled(const struct jt_blobs *b);
void jt_blobs_free(struct jt_blobs *b);

#endif
