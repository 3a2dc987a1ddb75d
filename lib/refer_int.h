/* refer_int.h — jrefer inside: what the reading (refer_read.c: rows to
 * invitations, a worker thread interning ids) and the graph and outputs
 * (refer.c) share. Not a public header. */
#ifndef REFER_INT_H
#define REFER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "jt_csv.h"
#include "jt_itab.h"
#include "jt_mem.h"
#include "jt_refer.h"
#include "jt_reject.h"
#include "jt_spill.h"
#include "jt_time.h"
#include "jt_xsort.h"

#define NONE (-1)
#define NOTIME INT64_MIN
#define LINE_BITS 44	/* an invitation's place: input number << 44 | line */
#define MAX_INPUTS (((uint64_t)1 << (64 - LINE_BITS)) - 1)
#define SIGNED_UP 0x80000000u	/* in an edge's from (raw export): the row has a sign-up */

/* A customer: what the graph tests and the tables read, one cache line. */
struct node {
	int32_t parent, child, sibling;
	uint32_t uf;	/* union-find: the trees */
	uint32_t d;	/* generation less that of uf; at a uf root, the generation */
	uint32_t invites, converted;	/* as a referrer; at most one per referee */
	uint32_t signed_up;	/* likewise; the top bit: N_TOUCH */
	int64_t first_inv, last_inv;
	int64_t first_touch;	/* the earliest time the customer was about: see seen() */
	int64_t own;	/* own conversion: touch stream, first referral_converted (then else
			   the first order); raw export, the conversion of the row that referred them */
};

#define N_TOUCH 0x80000000u	/* the customer has a touch of their own (touch stream) */
#define SIGNED(x) ((x)->signed_up & ~N_TOUCH)

/* The touch stream: the rest of what a customer's touches tell. */
struct tagg {
	int64_t last_touch;	/* latest touch: signed up at or after an invitation? */
	int64_t first_ord;	/* first order_placed */
	int64_t last_co;	/* latest referral_converted or order_placed: converted at or after? */
};

/* An invitation, as the external sort holds it: t, pos, from, to; then cv in
 * a raw export; then the row's offset with --rejects. */
struct edge {
	int64_t t;
	uint64_t pos;
	uint32_t from, to;
	int64_t cv;
	uint64_t row;
};

/* The day of the last time read in a column, for the canonical form
 * YYYY-MM-DDTHH:MM:SSZ that jtouch writes: a row of the same day as the one
 * before (an export in time order) reads only its clock. Anything else is
 * jt_time_parse's. */
struct tcache {
	uint64_t date8;	/* the day's YYYY-MM-D */
	uint16_t date2;	/* and D- */
	int ok;
	int64_t days;
};

struct tree {	/* set once the graph is whole */
	uint32_t gen, height, desc;
};

/* Nodes live in chunks of 2 MiB (32768 nodes, a huge page each where the
 * system gives them), aligned so that a node is one cache line: no copy as
 * they grow, one miss per node touched. */
#define CHUNK_BITS 15
#define CHUNK ((size_t)1 << CHUNK_BITS)
#define SPARES 4

/* The rows read are handled in batches: the keys hashed and their slots
 * fetched ahead of the lookups, the nodes fetched ahead of their updates, so
 * that the cache misses of random ids overlap instead of queueing. */
#define BATCH 1024
#define AHEAD 8
enum { I_EDGE = 1, I_TOUCH = 2, I_CONV = 4, I_ORD = 8 };

struct item {
	uint64_t h[2];
	int64_t t, su, cv;
	uint64_t pos, row;
	uint32_t off[2], len[2];	/* the ids' bytes in the batch's key buffer */
	uint32_t id[2];
	uint8_t nk, what;
};

/* With a second core (-j 2), the main thread reads and checks the rows, a
 * worker interns their ids and updates the nodes: two batches take turns,
 * one filled while the other is handled. Only the main thread rejects,
 * writes and spills (the worker's one error, too many ids, is passed on),
 * and the batches are handled in input order, so the result is the same. */
enum { B_FREE, B_QUEUED, B_BUSY, B_DONE };
struct batch {
	struct item it[BATCH];
	size_t n;
	char *kb;	/* the batch's ids */
	size_t kblen, kbcap;
	int state;
	int full;	/* the worker met more ids than jrefer links */
	char apart[128];	/* the next batch's items on other lines */
};

struct jt_referrun {
	struct jt_refer_opts o;
	char **in;
	size_t nin;
	const char **src;	/* the name each input is read under */
	size_t cur;	/* the input being read */
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	long c_from, c_to, c_time, c_tp, c_signup, c_conv;
	struct tcache tc[3];	/* time, signup, converted */
	/* the main thread's fields and the worker's on lines of their own: a
	 * line both write takes turns between the cores */
	char apart0[128];
	struct jt_itab ids;
	struct node **nch;	/* node chunks */
	struct tagg **tch;	/* touch stream: tagg chunks */
	size_t nn, nchunks, chcap;
	/* node chunks the main thread faulted in for the worker, a ring: the
	 * main thread adds at spare_in, the worker takes at spare_out */
	struct node *spare[SPARES];
	_Atomic size_t spare_out;
	char apart1[128];
	_Atomic size_t spare_in;
	char *slot_pop;	/* the id table's slots not faulted in yet, up to slot_end */
	char *slot_end;
	struct batch b[2];
	int fill;	/* the batch being filled */
	int threaded;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	struct tree *tr;
	struct jt_xsort *xs;
	size_t rsz, rowat;
	struct jt_blobs *rows;	/* --rejects: the invitations' rows */
	struct jt_buf rowbuf;
	const char **rf;
	size_t *rl;
	uint64_t flagged;
	uint32_t gens;	/* the largest generation */
	struct {	/* over the customers, for --summary and the --customers check */
		uint64_t referrers, invites, signed_up, converted, referred, touched, floor;
		int64_t *cyc;	/* referrers' own conversion to first invitation */
		size_t ncyc;
	} sum;
	struct jt_writer w;
};

static inline struct node *NODE(const struct jt_referrun *r, uint32_t i)
{
	return &r->nch[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

static inline struct tagg *TAGG(const struct jt_referrun *r, uint32_t i)
{
	return &r->tch[i >> CHUNK_BITS][i & (CHUNK - 1)];
}

/* refer_read.c */
void jt_refer_on_header(void *ctx, const char *src, const struct jt_header *h);
void jt_refer_on_record(void *ctx, const char *src, const struct jt_record *rec);
/* The end of the input: every batch handled, the worker stopped. */
void jt_refer_end_batches(struct jt_referrun *r);
/* A kept row's fields, packed, back as a record. */
void jt_refer_unpack(const char *p, const char **f, size_t *len, size_t n, struct jt_record *rec);
void jt_refer_get_edge(const struct jt_referrun *r, const char *p, struct edge *e);

#endif
