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

/* 1 when an input must be read as one stream, not in parts: the dialect
 * (--lazy-quotes, --no-header, --encoding, --delimiter auto), or its first
 * bytes head[0..n) (head NULL: the dialect only) a UTF-16 mark or a
 * compressed file's magic. */
int jt_par_whole(const struct jt_dialect *d, const unsigned char *head, size_t n);
/* The end of the first record of s[0..n) that is not a blank line (after a
 * byte order mark): just after its line end outside quotes, a CRLF whole;
 * 0 when s does not hold all of it. */
size_t jt_header_end(const unsigned char *s, size_t n);

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
/* The same with part 0 first/100 the size of each other part (100: equal):
 * when a later part costs more a byte than the first. */
size_t jt_split_file_w(const char *path, const struct jt_dialect *d, size_t want, unsigned first,
		       struct jt_split *sp);

/* About how many lines path holds: its size over the mean line length of
 * its first 64 KiB; 0 when it cannot tell (not a regular file, compressed,
 * --encoding). For sizing tables ahead, never for results. */
uint64_t jt_lines_estimate(const char *path, const struct jt_dialect *d);

/* Runs fn(arg, k) for k = 0 .. n-1, k = 0 on the calling thread, the others
 * on threads of their own; returns when all are done. */
void jt_par_run(size_t n, void (*fn)(void *arg, size_t k), void *arg);
/* The same with every fn(arg, k) on a thread of its own while the calling
 * thread runs side(sarg) (the output of the jobs before, say). */
void jt_par_run_beside(size_t n, void (*fn)(void *arg, size_t k), void *arg, void (*side)(void *sarg), void *sarg);

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
/* The same from a stream's first bytes buf[0..len) (ending at jt_header_end),
 * the stream already begun in rj. */
struct jt_header *jt_par_header_buf(const char *src, const struct jt_dialect *d, struct jt_rejects *rj,
				    const unsigned char *buf, size_t len, jt_header_fn *hf, void *ctx,
				    unsigned long long *hlines);
/* A header callback that does nothing: for the parts of an input whose
 * header was read first. */
void jt_par_no_header(void *ctx, const char *src, const struct jt_header *h);
/* Then its records: part k through rf(parts[k].ctx) on a thread of its own,
 * its rejects kept aside; afterwards each part's rejects are replayed into rj
 * in file order with their line numbers, a part's read error stops the run
 * where a sequential read would have, and the file ends in rj. */
void jt_par_parts(const char *path, const struct jt_common *c, struct jt_rejects *rj, const struct jt_split *sp,
		  const struct jt_header *h, unsigned long long hlines, jt_record_fn *rf, struct jt_par_part *parts);
/* Part k of sp read again, on the calling thread, after jt_par_parts read
 * it: its rejects were counted and shown then, so they are not again
 * (*rj_at points to a sink meanwhile); a read error had ended the run. */
void jt_par_part_again(const char *path, const struct jt_common *c, const struct jt_split *sp,
			const struct jt_header *h, size_t k, jt_record_fn *rf, void *ctx, struct jt_rejects **rj_at);

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
