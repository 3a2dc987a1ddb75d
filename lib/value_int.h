/* value_int.h — jvalue inside: what the streaming part (value.c) and
 * --impact (value_impact.c) share. Not a public header. */
#ifndef VALUE_INT_H
#define VALUE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "jt_csv.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_reject.h"
#include "jt_time.h"
#include "jt_value.h"

#define ACT (-2)	/* the computed activity as a group column */
#define KIND (-3)	/* the computed activity_kind */

/* Outcome accumulators: NPS classes, sums for means, hits for rates. */
struct acc {
	uint64_t n, hi, lo;	/* values; 0/1 hits (rate) or promoters; detractors */
	double sum, sumsq;
};

struct cust {
	int64_t last_t, first_t;
	uint64_t last_seq, first_seq;
	uint64_t seen;	/* the row that brought the customer in */
	int has_last;
	double last, first, max;
};

struct touched {	/* a customer's first touch in a cell */
	uint32_t cust, cell;
	int64_t t;
	uint64_t seq;
	uint64_t seen;	/* the row that brought the pair in */
	int has;
	double v;
};

struct cell {
	uint64_t touched;	/* customers, with a value or not */
	struct acc t;	/* first-touch values of the touched */
	struct acc tl;	/* last values of the touched (to take out of the total) */
	double diff, lo, hi;
	int has_diff, has_ci;
};

struct vspill;

struct jt_valuerun {
	struct jt_value_opts o;
	char **in;
	size_t nin;
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	struct jt_writer w;
	const char **of;
	size_t *ol;
	size_t nout;
	long c_act, c_kind;	/* output positions of activity and activity_kind */
	/* impact */
	long c_cust, c_time, c_out;
	long *gcol;
	char **gname;
	size_t ng;
	enum jt_outkind kind;
	int all01;
	struct jt_map custs;
	struct cust *cv;
	size_t ncv, cvcap;
	struct jt_map cells;
	struct cell *cells_v;
	size_t ncell, cellcap;
	struct jt_map tmap;	/* (cust, cell) -> touched */
	struct touched *tv;
	size_t ntv, tvcap;
	struct jt_buf key;
	uint64_t seq;
	/* past --memory: customers spread over partitions (see "spilling") */
	uint64_t budget, custbytes;
	struct vspill *vs;
	/* a part of a file on another thread (-j): its own memo of the rules */
	int is_part;
	struct jt_map lmemo;
	long *lmemo_lab;
	size_t lmemo_cap;
	struct jt_buf lkey;
	const char **lname, **lkind;
	size_t *lnlen, *lklen, nlab;
};

/* value.c: the activity of a row, an index into the labels (nlab: none). */
size_t jt_value_label(struct jt_valuerun *r, const struct jt_record *rec, const char *src);

/* value_impact.c */
void jt_value_impact_header(struct jt_valuerun *r, const struct jt_header *h, const char *src);
void jt_value_impact_row(struct jt_valuerun *r, const char *src, const struct jt_record *rec);
/* b, a later part of the same file, into a. */
void jt_value_merge(struct jt_valuerun *a, struct jt_valuerun *b);
void jt_value_write_impact(struct jt_valuerun *r);
void jt_value_vspill_free(struct jt_valuerun *r);

#endif
