/* stage_int.h — jstage inside: what the core (stage_core.c, the reading in
 * stage_read.c, the customers' order in memory in stage_order.c, the spill
 * in stage_spill.c) and the views (the other stage_*.c) share. Not a public
 * header.
 *
 * The core reads the touch stream (several threads over parts of a regular
 * file, or over chunks of a pipe), keeps each touch as a 32-byte struct tch and, when a view needs the
 * row, its bytes in a compact store (jt_tstore.h), past --memory in spill
 * files; then it hands the views one customer at a time, in customer-id
 * order, each customer's touches by time (ties in input order). */
#ifndef STAGE_INT_H
#define STAGE_INT_H

#include <stdint.h>
#include <stdio.h>

#include "jt_clv.h"
#include "jt_csv.h"
#include "jt_hash.h"
#include "jt_itab.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_par.h"
#include "jt_reject.h"
#include "jt_spill.h"
#include "jt_stage.h"
#include "jt_time.h"
#include "jt_tstore.h"

#define MAXSTEP 64
#define NOLABEL 0xFFFFu	/* a touch no rule matched (and no --default) */
#define NOKEY UINT32_MAX

/* One touch: 32 bytes. */
struct tch {
	int64_t t;
	uint32_t cust;	/* customer id (the run's, once the parts are merged) */
	uint16_t label;	/* stage index, NOLABEL when none */
	uint8_t part;	/* the store (thread) that holds the row */
	uint8_t pad;
	uint64_t mask;	/* funnel steps; outcome flags; bit 0 = --returning for cohorts */
	union {
		const char *row;	/* annotate, customers, retention, CLV, BG/NBD */
		struct {
			uint32_t key;	/* paths, variants: stage or touchpoint */
			uint32_t grp;	/* funnel: the -g value */
		} k;
	} u;
};

struct step {
	long label;	/* stage index, or -1 */
	long col;	/* a COLUMN:PATTERN step's column in the input, -1 touchpoint */
	char *colname;	/* COLUMN of a COLUMN:PATTERN step, NULL for touchpoint */
	struct jt_rx *rx;
	char *name;
	int64_t win;	/* from the previous step, 0 = none */
};

enum { OUT_NEXT, OUT_FLAG };
struct outcome {
	int kind;
	char *name;	/* output column */
	char *col;
	long idx;	/* input column */
	struct jt_rx *rx;
	long outcol;	/* output position */
};

struct edge {
	uint32_t from, to;
	uint64_t count, customers;
	uint32_t lastcust;
	int64_t *gap;
	size_t ngap, gcap;
};

struct variant {
	uint64_t count;
	size_t steps;
	int64_t *dur;
	size_t n, cap;
};

struct bucket {	/* funnel totals of one breakdown value */
	uint64_t reached[MAXSTEP];
	int64_t *tt[MAXSTEP];
	size_t ntt[MAXSTEP], ttcap[MAXSTEP];
};

struct cohort {
	int64_t period;
	char label[32];
	uint64_t size;
	uint64_t *active;
	size_t nact;
};

struct bgc {	/* one customer for --bgnbd */
	uint64_t name;	/* its id, in bgname (the id tables do not outlive a partition) */
	struct jt_rfm rfm;
};

struct csum {	/* one customer, for --retention and --clv */
	int64_t first, last;
	uint64_t orders;
	jt_i128 revenue;
	uint32_t grp;
};

/* Where a view writes, and its scratch: one per thread that formats rows. */
struct vctx {
	struct jt_writer w;
	const char **of;
	size_t *ol;
	char (*num)[64];
	size_t nnum;
	long *tgt;	/* annotate: outcome targets */
	size_t tgtcap;
	char tbuf[32];	/* a canonical time, for jt_stage_row */
	char fbuf[32];	/* the same, for jt_stage_field */
	uint64_t customers;	/* customers seen through this context */
};

struct jt_stagerun {
	struct jt_stage_opts o;
	double bgp[7];	/* --use-params, read before any input */
	char **in;
	size_t nin;
	size_t jobs;	/* -j */
	uint64_t budget;	/* --memory */
	uint64_t held;	/* what the slots hold, as they last told (atomic) */
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	long c_cust, c_time, c_tp, c_grp;
	long c_stage, c_step, c_gap;	/* annotate: own columns */
	size_t nout;	/* annotate: output columns */
	struct outcome *oc;
	size_t noc;
	int need_row;	/* the view reads rows: keep them */
	int cold_ok;	/* the rows' long distinct values may wait in files (jt_ts_cold) */
	/* the run's touches, customers and keys (parts merge into these) */
	struct tch *tv;
	size_t nt, tcap;
	struct jt_itab cust;
	uint32_t *ccount;	/* touches per customer (in memory: per rank) */
	const char **ckey;	/* in memory: each rank's id, as jt_itab_key's */
	size_t ccap;
	uint32_t cust_base;	/* past --memory: the ids of the partitions before this one */
	struct jt_itab keys;	/* paths, variants */
	struct jt_itab grps;	/* funnel -g values */
	struct part *parts[JT_MAXJOBS];	/* one per thread slot; slot 0 is the main thread's */
	size_t nparts;
	size_t seg_pending;	/* the segment (+1) whose marks wait for the parts */
	size_t nseg;	/* input segments so far: a file read whole or in parts is one,
			 * a stream read in chunks (jt_par_stream) one a chunk */
	size_t seg0;	/* the stream's first segment */
	struct spillset *ss;	/* past --memory (stage_spill.c) */
	volatile int spilled;
	int64_t maxt, as_of;
	uint64_t customers;
	/* --sorted */
	uint32_t curcust;
	int have_cur;
	struct jt_itab done;
	/* views: setup */
	struct step steps[MAXSTEP];
	size_t nstep;
	struct jt_rx *ret;
	uint32_t start_key, end_key;	/* (start) and (end) of --paths */
	int need_tp;
	long c_amount, c_nps, c_csat;
	long *gcol;
	char **gname;
	size_t ng;
	jt_i128 margin, discount;
	long deflab;
	/* views: totals */
	struct csum *cs;
	size_t ncs, cscap;
	struct jt_map cgroups;
	int ctab_header;
	struct bgc *bg;
	size_t nbg, bgcap;
	struct jt_buf bgname;
	const char **hnames;	/* annotate: the header, until the first row */
	size_t *hlens;
	struct jt_map edges;
	struct edge *ev;
	size_t nev, evcap;
	struct jt_map variants;
	struct variant *vv;
	size_t nvv, vvcap;
	struct bucket **bk;
	size_t nbk;
	/* funnel scratch, one customer at a time (stage_funnel.c, best_ordered) */
	uint32_t *fl, *fs, *fq;	/* touches of each step; their latest start; a deque */
	size_t flcap, fscap, fqcap;
	int64_t *fe;	/* per start */
	unsigned char *fr;
	size_t fecap, frcap;
	struct cohort *co;
	size_t nco, cocap;
	struct jt_map comap;
	int64_t firstperiod, lastperiod;
	enum jt_bucket pbucket;
	/* output */
	FILE *out;
	struct vctx main;	/* the main thread's writer (views that total) */
	struct jt_buf vb;
};

/* A value memo: what a predicate said of each dictionary id of a column. */
struct memo {
	uint64_t *val;
	uint8_t *known;
	size_t cap;
};

/* One thread slot: a part of each input file, its touches and their rows.
 * Slot 0 runs on the main thread; its tables are the run's. */
struct part {
	struct jt_stagerun *r;
	size_t k;
	struct jt_rejects *rj;	/* slot 0: the run's; others: deferred */
	struct jt_tstore ts;
	struct jt_itab cust, keys, grps;	/* slot 0 uses the run's instead */
	struct jt_itab *ct, *kt, *gt;	/* the tables this slot interns into */
	uint32_t *cnt;	/* touches per customer (this slot's ids) */
	uint32_t *cb;	/* bytes of cold values per customer, when the store has them */
	size_t ccap;
	struct tch *tv;
	size_t nt, tcap;
	uint64_t base;	/* the number of the first touch in tv (the ones before are spilled) */
	uint64_t *seg;	/* the number of the first touch of each input segment (a file's
			 * part, a chunk of a stream) in this slot: seg[f] */
	size_t nseg, segcap;	/* segments marked */
	struct memo lab, key, grp, *flag, step, ret;
	int64_t maxt;
	uint64_t told;	/* its share of r->held */
	/* after the read: this slot's ids in the run's tables */
	uint32_t *kmap, *gmap;
	uint32_t *rank;	/* in memory: this slot's customers' ranks in the run (stage_order.c) */
};

/* Where the touches of each customer are, in customer order: in memory
 * (idx into the slots' arrays) or in a partition loaded from a spill file. */
struct proc {
	struct jt_stagerun *r;
	uint32_t *ord;	/* rank -> customer; NULL: the ranks are the customers */
	uint64_t *start;	/* rank - lo -> first entry in idx */
	uint32_t *idx;
	size_t lo, hi;	/* ranks at hand */
	uint64_t slotbase[JT_MAXJOBS + 1];	/* in memory: idx = slotbase[k] + touch */
	struct tch *pt;	/* a partition's touches, else NULL */
	size_t maxn;	/* the most touches of a customer */
	/* a round on threads */
	size_t cut[JT_MAXJOBS + 1];
	struct vctx **vc;	/* each on lines of its own */
	struct jt_buf **ob;	/* each thread's output of a round, two sets (one being
			 * written while the threads fill the other), kept */
	int set;	/* the set the threads fill */
	size_t unwritten;	/* buffers of the other set still to write */
	struct tch **one, **tmp;
	size_t onecap;
};

/* ---- reading (stage_read.c) ---- */
/* Every input into the slots (struct part), past --memory spilled. */
void jt_stage_read(struct jt_stagerun *r);
/* After the read: the slots' customers, keys and groups as the run's ids. */
void jt_stage_merge_slots(struct jt_stagerun *r);
void jt_stage_part_free(struct part *p);
/* The input files' bytes in all; 0 when one is a pipe (unknown). */
uint64_t jt_stage_input_bytes(const struct jt_stagerun *r);

/* ---- the core for the spill (stage_core.c) ---- */
/* One customer's touches t[0..n) (tmp: room for n) to the view. */
void jt_stage_customer_done(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n, struct tch *tmp);
/* ---- in memory (stage_order.c) ---- */
/* ord: the customers of t by id (bytes), rank its inverse. */
void jt_stage_order(const struct jt_itab *t, uint32_t *ord, uint32_t *rank);
/* After a read that held everything: every customer, in id order, to the views. */
void jt_stage_memory(struct jt_stagerun *r);
/* ---- cold values (stage_cold.c) ---- */
/* 1 when a slot holds rows with cold values (jt_ts_cold). */
int jt_stage_has_cold(const struct jt_stagerun *r);
/* Ranks [0, nc) of pc to the views, in rounds, each with its cold values read in. */
void jt_stage_cold_process(struct proc *pc, size_t nc);
/* Every customer of ranks [pc->lo, pc->hi), in order, to the views. */
void jt_stage_process(struct proc *pc);
void jt_stage_proc_free(struct proc *pc);
/* Memory a slot holds: its touches, rows and customers. */
uint64_t jt_stage_slot_bytes(const struct part *p);

/* ---- past --memory (stage_spill.c) ---- */
/* Slot p's touches to the partitions; the slot starts over empty. */
void jt_stage_spill(struct part *p);
/* After the read: the rest of the slots' touches to the partitions, then
 * each partition to the views, in customer order. */
void jt_stage_spilled(struct jt_stagerun *r);
void jt_stage_spill_free(struct jt_stagerun *r);

/* ---- core helpers for the views (stage_core.c) ---- */
const char *jt_stage_label(const struct jt_stagerun *r, size_t i);
long jt_stage_label_index(const struct jt_stagerun *r, const char *label);
/* Field col of touch x's row (the customer and a canonical time too). */
const char *jt_stage_field(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, size_t col,
			   size_t *len);
/* Every field of touch x's row into f/len. */
void jt_stage_row(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, const char **f, size_t *len);
const char *jt_stage_key(const struct jt_stagerun *r, uint32_t k, size_t *len);
const char *jt_stage_cust(const struct jt_stagerun *r, uint32_t c, size_t *len);
void jt_stage_row_out(struct vctx *v, const char *const *f, size_t n);
struct jt_rx *jt_stage_compile(const char *pat, const char *what);
/* The period number of t: UTC days, ISO weeks (Monday to Sunday) or months. */
int64_t jt_stage_period(enum jt_bucket b, int64_t t);
int64_t jt_stage_duration(const char *s, const char *what);
char *jt_stage_next_item(char **p);
void jt_vctx_init(struct vctx *v, FILE *fp, size_t nfields);
void jt_vctx_free(struct vctx *v);

/* ---- the views: setup, per customer, totals ---- */
void jt_annotate_setup(struct jt_stagerun *r);
void jt_annotate_header(struct jt_stagerun *r);
void jt_annotate_header_out(struct jt_stagerun *r, struct vctx *v);
void jt_annotate_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n);
void jt_annotate_free(struct jt_stagerun *r);

void jt_paths_customer(struct jt_stagerun *r, struct tch *t, size_t n);
void jt_paths_write(struct jt_stagerun *r);
void jt_paths_free(struct jt_stagerun *r);

void jt_variants_customer(struct jt_stagerun *r, struct tch *t, size_t n);
void jt_variants_write(struct jt_stagerun *r);
void jt_variants_free(struct jt_stagerun *r);

void jt_funnel_setup(struct jt_stagerun *r);
void jt_funnel_customer(struct jt_stagerun *r, struct tch *t, size_t n);
void jt_funnel_write(struct jt_stagerun *r);
void jt_funnel_free(struct jt_stagerun *r);

void jt_cohorts_customer(struct jt_stagerun *r, struct tch *t, size_t n);
void jt_cohorts_write(struct jt_stagerun *r);
void jt_cohorts_free(struct jt_stagerun *r);

void jt_customers_setup(struct jt_stagerun *r);
void jt_customers_header(struct jt_stagerun *r, struct vctx *v);
void jt_customers_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n);
void jt_retention_write(struct jt_stagerun *r);
void jt_clv_write(struct jt_stagerun *r);
void jt_customers_free(struct jt_stagerun *r);

void jt_bgnbd_read_params(const char *path, double *p, int64_t *unit);
void jt_bgnbd_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n);
/* 1 when --strict and a fit is no estimate (nothing written). */
int jt_bgnbd_write(struct jt_stagerun *r);

#endif
