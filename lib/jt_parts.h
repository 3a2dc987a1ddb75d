/* jt_parts.h — records spread over partitions in one spill file, read back
 * one partition at a time, in the order they were added; and sorted runs
 * read back side by side. For state past --memory that is split by a key
 * (jvalue --impact: by customer). */
#ifndef JT_PARTS_H
#define JT_PARTS_H

#include <stddef.h>
#include <stdint.h>

#include "jt_mem.h"

struct jt_parts_chunk {
	uint64_t off;
	size_t len;
	size_t src;	/* index in fd and tag */
};

struct jt_parts {
	size_t n;	/* partitions */
	int *fd;	/* unnamed spill files (jt_spill.h): [0] its own, then adopted ones */
	void **tag;	/* per file, for the reader (NULL for its own) */
	size_t nsrc;
	uint64_t size;	/* of its own file */
	size_t chunk;	/* a partition's buffer is written out past this */
	struct jt_buf *buf;
	struct jt_parts_chunk **ch;
	size_t *nch, *chcap;
};

/* n partitions, buffers of about chunk bytes each. */
void jt_parts_open(struct jt_parts *ps, size_t n, size_t chunk);
/* Appends a record of len bytes to partition p. */
void jt_parts_add(struct jt_parts *ps, size_t p, const void *rec, size_t len);
/* The same, the record made of two pieces. */
void jt_parts_add2(struct jt_parts *ps, size_t p, const void *head, size_t hlen, const void *rec, size_t len);
/* The records of partition p, in order, chunk by chunk: fn gets whole
 * records only (a chunk never splits one), and the tag of the file. */
void jt_parts_each(struct jt_parts *ps, size_t p, void (*fn)(void *ctx, const char *data, size_t len, void *tag),
		   void *ctx);
/* Appends src's records after dst's, partition by partition (src has no
 * adopted files); src's file is dst's now, read with tag; src is closed. */
void jt_parts_adopt(struct jt_parts *dst, struct jt_parts *src, void *tag);
void jt_parts_close(struct jt_parts *ps);

/* A run of fixed-size records in a spill file, [off, end), read in order. */
struct jt_run {
	int fd;
	uint64_t off, end;
	size_t rsize;
	char *buf;
	size_t pos, len;
};
void jt_run_open(struct jt_run *r, int fd, uint64_t off, uint64_t end, size_t rsize);
/* The next record, or NULL at the end. */
const void *jt_run_peek(struct jt_run *r);
void jt_run_next(struct jt_run *r);
void jt_run_close(struct jt_run *r);

#endif
