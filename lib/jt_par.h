/* jt_par.h — every core: one regular file read as parts on several threads,
 * and work shared out to threads. */
#ifndef JT_PAR_H
#define JT_PAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jt_csv.h"

struct jt_common;
struct jt_rejects;

#define JT_MAXJOBS 64

/* -j N: 0 means the online CPUs. */
size_t jt_jobs(size_t asked);

/* A regular file cut into parts at record boundaries, for jt_read_part. */
struct jt_split {
	size_t n;	/* parts of data (1: read the file as a whole) */
	uint64_t data_start;	/* after the header line */
	uint64_t start[JT_MAXJOBS + 1];	/* part k is [start[k], start[k + 1]) */
};
/* Cuts path into at most want parts of about equal size, each starting at
 * a record: returns the number of parts, 1 when the file is not worth
 * cutting or cannot be cut safely (not a regular file, small, --lazy-quotes,
 * --no-header, a UTF-16 mark, a quote left open). Record boundaries are found
 * by quote parity, exact for RFC 4180 (a doubled quote counts twice). */
size_t jt_split_file(const char *path, const struct jt_dialect *d, size_t want, struct jt_split *sp);

/* About how many lines path holds: its size over the mean line length of
 * its first 64 KiB; 0 when it cannot tell (not a regular file, compressed,
 * --encoding). For sizing tables ahead, never for results. */
uint64_t jt_lines_estimate(const char *path, const struct jt_dialect *d);

/* Runs fn(arg, k) for k = 0 .. n-1, k = 0 on the calling thread, the others
 * on threads of their own; returns when all are done. */
void jt_par_run(size_t n, void (*fn)(void *arg, size_t k), void *arg);

/* One part of a file read by jt_par_parts, on a thread of its own. */
struct jt_par_part {
	void *ctx;	/* the record callback's */
	struct jt_rejects **rj_at;	/* where the part's callback finds its rejects: the
					 * part's deferred object during the read, rj after */
	volatile int stop;	/* --strict: the part's first reject ends its read */
	int err;
	char errmsg[512];
	unsigned long long errline, lines;
};

/* The header of a file cut as sp (jt_split_file gave n >= 2): begins the file
 * in rj (as jt_read does), reads the header line through hf(ctx) and returns
 * a copy of the header (NULL: none), with its physical lines in *hlines. */
struct jt_header *jt_par_header(const char *path, const struct jt_dialect *d, struct jt_rejects *rj,
				const struct jt_split *sp, jt_header_fn *hf, void *ctx, unsigned long long *hlines);
/* Then its records: part k through rf(parts[k].ctx) on a thread of its own,
 * its rejects kept aside; afterwards each part's rejects are replayed into rj
 * in file order with their line numbers, a part's read error stops the run
 * where a sequential read would have, and the file ends in rj. */
void jt_par_parts(const char *path, const struct jt_common *c, struct jt_rejects *rj, const struct jt_split *sp,
		  const struct jt_header *h, unsigned long long hlines, jt_record_fn *rf, struct jt_par_part *parts);

/* A stream that cannot be cut ahead (stdin, a pipe) read on n threads: the
 * calling thread reads it into chunks of about chunk bytes, each ending at a
 * record boundary (quote parity, as jt_split_file), and the threads take
 * them in turn, each in increasing order. The header is read first, on the
 * calling thread, through hf(hctx); then slots(hctx, ps) fills slot_ctx and
 * rj_at for each thread slot, and a slot's thread calls begin(slot_ctx[k],
 * i) before the records of chunk i, then rf(slot_ctx[k]) for each. A
 * chunk's rejects are kept aside and replayed into rj in stream order with
 * their line numbers; a chunk's read error (or --strict's first reject)
 * stops the chunks after it and the run where a sequential read would. At
 * most 2n + 1 chunks are held. A stream that is not worth it (shorter than
 * a chunk), or that the reader must see whole (compressed, --encoding,
 * --lazy-quotes, --no-header, --delimiter auto, UTF-16), is read on the
 * calling thread as one chunk through slot 0. Returns the chunks read. */
struct jt_par_stream {
	size_t n;	/* threads */
	size_t chunk;	/* bytes (at least 64 KiB) */
	jt_header_fn *hf;
	void *hctx;
	jt_record_fn *rf;
	void (*slots)(void *hctx, struct jt_par_stream *ps);
	void (*begin)(void *slot_ctx, size_t i);
	void *slot_ctx[JT_MAXJOBS];
	struct jt_rejects **rj_at[JT_MAXJOBS];
};
size_t jt_par_stream(FILE *fp, const char *src, const struct jt_common *c, struct jt_rejects *rj,
		     struct jt_par_stream *ps);
/* The bytes of a stream's chunk for n threads under a memory budget: about
 * 4 MiB (less with JTOOLS_PART_MIN), less when the budget is small. */
size_t jt_par_chunk(uint64_t budget, size_t n);

#endif
