/* kpi_int.h — the KPI engine's insides, shared by its files (lib/kpi*.c):
 * kpi_spec.c reads the specs and options, kpi.c binds a header and takes the
 * rows, kpi_parts.c merges the parts of a file (jkpi -j) and spills --per
 * past --memory, kpi_out.c computes the figures and writes them, and
 * kpi_state.c writes and merges partial states and gives --baseline and
 * --history their cells. */
#ifndef KPI_INT_H
#define KPI_INT_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_reject.h"


#define PARTIAL_VERSION "1"
/* --per takes, for each KPI, the key's first row with a value for it; jkpi
 * before this rule took the key's first row for every KPI and wrote no
 * per_rows option, and its partials are refused rather than mixed in. */
#define PER_ROWS "first-with-value"

enum kind { K_COUNT, K_DISTINCT, K_SUM, K_MEAN, K_MIN, K_MAX, K_QUANT, K_NPS, K_CSAT, K_CES, K_RATE };

extern const char *const kpi_kind_name[];	/* by enum kind */

struct kpi {
	char *name;	/* output column (base) name */
	char *given;	/* NAME from NAME=KPI, or NULL */
	char *spec;	/* KPI[:COL] as written, for the partial */
	enum kind kind;
	int q;	/* percentile for K_QUANT */
	int median;
	int has_col;
	struct jt_colsel cs;
	size_t col;
	char *colname;
	int duration;	/* column name ends in _s: whole seconds */
	struct jt_map set;	/* distinct: (group id, value) */
	/* distinct of the --per column itself: each key's first row adds its
	 * key, new in the group by --per's rule, so the count is its keys' and
	 * no set is kept (not when a state is written: it lists the values) */
	int keyed;
};

struct kst {
	uint64_t n, missing, c1, c2, c3;
	jt_i128 sum, min, max;
	jt_i128 sumsq;	/* mean, ces: the squares of the scaled values (--baseline's variance) */
	int sq_bad;	/* sumsq overflowed, or a merged partial had none */
	jt_i128 *v;	/* exact quantiles: every value */
	size_t vn, vcap;
	int sorted;
	struct jt_sketch *sk;	/* --partial and --merge: the sketch instead */
};

/* --map: the values of one column rewritten (keys in lower case). */
struct vmap {
	char *colspec;
	struct jt_colsel cs;
	size_t col;
	size_t n;
	char **key, **val;
};

struct parsed {
	int present;
	jt_i128 v;
	int cls;	/* nps: 1 promoter 2 passive 3 detractor; csat/rate/ces flags */
};

/* A value --per took in a deferred part: KPI ki of per entry e (packed: a
 * part holds one for each key and KPI). */
struct taken {
	jt_i128 v;	/* distinct: offset of the value in tkbytes */
	uint32_t e, ki, len;	/* len: distinct's value */
	unsigned char present, cls;
} __attribute__((packed));

/* A KPI whose value for a --per key is the key's first row itself (count,
 * a keyed distinct): a deferred part keeps none, the merge takes it for
 * each key the earlier part lacks (kpi_take_first). */
static inline int kpi_first_row(const struct kpi *k)
{
	return k->kind == K_COUNT || k->keyed;
}

struct pspill;

enum { SPEC_WARM, SPEC_DIRECT, SPEC_OFF };
#define SPEC_RUNS 64
/* A later part's entry e took its values at once (see struct jt_agg). */
#define kpi_direct(a, e) ((e) >= (a)->e_lo && (e) < (a)->e_hi)
/* A --per key run begins in a: its order, and a later part's mode. */
void kpi_key_run(struct jt_agg *a, const char *k, size_t n);

struct jt_agg {
	struct jt_kpi_opts o;
	struct kpi *k;
	size_t nk;
	struct parsed *pv;

	struct jt_colsel gsel, xsel;
	int bound;
	struct jt_header *hdr;
	char *first_src;
	struct jt_col *gcols;
	size_t ng;
	char **gname;
	size_t *gnlen;
	unsigned char *gbucket;	/* per group column: a time bucket (pivots sort it by time) */
	size_t per_col;
	char *per_name;
	long pivot_g;	/* index among group columns, -1 none */
	char *pivot_name;
	int pivot_added;
	int saw_header;
	struct jt_map rowrank;	/* --row-order values, in order */
	struct vmap *vm;	/* --map */
	size_t nvm;
	const struct vmap **colmap;	/* per input column, NULL: no map */
	struct jt_buf maptext;	/* the maps, for the partial's options */

	struct jt_map groups;
	struct kst *st;
	size_t stcap;
	struct jt_map per;	/* --per: (group id, key); its entries' KPI bits in per_done */
	unsigned char *per_done;	/* per entry, one bit per KPI: its value was taken */
	size_t per_bytes, per_cap;
	struct jt_buf key, tmp;
	/* a part of a file after the first (jkpi -j) with --per: the values
	 * taken, kept for jt_agg_merge instead of added */
	int defer;
	struct taken *tk;
	size_t ntk, tkcap;
	struct jt_buf tkbytes;	/* distinct: the values taken */
	/* --per past --memory: the keys' rows spread over NPART partitions by a
	 * hash of the key, aggregated one partition at a time at the end */
	uint64_t budget;	/* bytes the --per state may take; 0: no bound */
	uint64_t per_keybytes;
	struct pspill *ps;	/* NULL until the state passes the budget */
	struct jt_buf last;	/* previous row's group key, and its id */
	size_t last_g;
	int have_last;
	/* --per: the rows of one key value in a run (a file in customer order)
	 * find their (group, key) entry by group id, without hashing: pk[g].e
	 * holds when pk[g].run is the run's number */
	struct jt_buf pk_last;
	uint32_t pk_run;
	/* --per: the key runs' order, for a later part's direct keys: every run
	 * after the first had a greater key (kunsorted 0), the first and the last */
	int khave, kunsorted;
	struct jt_buf kfirst, klast;
	/* a later part (defer) whose key runs have gone up SPEC_WARM times in a
	 * row takes the values of the keys new from then on at once, as the first
	 * part does (entries [e_lo, e_hi): keys greater than dfirst), until a run
	 * goes down; the merge checks they are new to the earlier parts, else
	 * the part is read again after them (jt_agg_merge returns 1) */
	int spec;	/* SPEC_WARM, SPEC_DIRECT, SPEC_OFF */
	uint32_t streak;
	size_t e_lo, e_hi;
	struct jt_buf dfirst;
	struct { uint32_t e, run; } *pk;
	size_t pk_cap;

	/* --merge */
	int m_defined;	/* KPIs and options known */
	size_t m_kpi_seen;
	struct jt_buf m_opts, m_ref_opts;
	int m_have_ref;
	const char *m_src;
	struct jt_shards *m_shards;	/* the partials' shard ids (--expect) */
	int finished;	/* --per's missing counts made */
	int counted;	/* jt_agg_merge_last: the sets and --per keys are not whole */
	size_t threads;	/* jt_agg_threads */
	int keep_state;
	uint64_t *per_more;	/* jt_agg_merge_last: --per keys per group not in per */
	const char *(*trend)(void *, const char *, size_t, size_t);	/* --history: a cell's trend */
	void *trend_ctx;
	char *m_tz;	/* --merge: the partials' zone, written again by a state */
	int m_checked;	/* this partial's options checked (at its first group) */
};

typedef char fig_t[64];	/* one figure, formatted */

/* The value of column i of rec, after its --map. */
static inline const char *cell(const struct jt_agg *a, const struct jt_record *rec, size_t i, size_t *len)
{
	const struct vmap *m = a->colmap ? a->colmap[i] : NULL;
	*len = rec->len[i];
	if (!m)
		return rec->f[i];
	for (size_t k = 0; k < m->n; k++)
		if (strlen(m->key[k]) == *len && strncasecmp(m->key[k], rec->f[i], *len) == 0) {
			*len = strlen(m->val[k]);
			return m->val[k];
		}
	return rec->f[i];
}

/* kpi_spec.c: -k's items, the output names */
void kpi_add_kpi(struct jt_agg *a, const char *item, size_t *cap);
int kpi_ends_with_s(const char *s, size_t n);
void kpi_name_kpi(struct kpi *k, const char *col, size_t clen);

/* kpi.c: the groups and the rows */
void kpi_take(struct jt_agg *a, struct kst *s, size_t g, size_t i, const struct parsed *p, const char *v, size_t vl,
	      const char *src);
size_t kpi_group_id(struct jt_agg *a, const char *key, size_t n);
/* --per: room in *done (*cap bytes) for entry e's KPI bits, zeroed. */
void kpi_done_room(unsigned char **done, size_t *cap, size_t e, size_t per_bytes);
void kpi_key_add(struct jt_buf *b, const char *s, size_t n);
const char *kpi_key_field(const char *key, size_t i, size_t *len);
int kpi_blank(const char *s, size_t n);	/* nothing but blanks: a missing value */
void kpi_set_keyed(struct jt_agg *a);
void kpi_take_first(struct jt_agg *a, size_t g, const char *key, size_t klen, unsigned char *done);
void kpi_update(struct jt_agg *a, size_t g, const char *src, const struct jt_record *rec, unsigned char *done, size_t e);

/* kpi_parts.c: --per's state past --memory */
uint64_t kpi_per_memory(const struct jt_agg *a);
void kpi_per_missing(struct jt_agg *a);
void kpi_pspill_begin(struct jt_agg *a);
void kpi_pspill_free(struct pspill *ps);
void kpi_pspill_row(struct jt_agg *a, size_t g, const char *key, size_t klen, const struct jt_record *rec);
void kpi_pspill_take(struct jt_agg *a, struct jt_agg *b, const size_t *gmap);

/* kpi_out.c: figures and tables */
void kpi_figures(const struct kpi *k, struct kst *s, fig_t *f);
void kpi_list_put(struct jt_map *m, const char *list);
void kpi_sort_ids(const struct jt_agg *a, const struct jt_map *m, size_t *ids, size_t n, const size_t *cols,
		  size_t ncols, const unsigned char *bucket);
void kpi_write_long(struct jt_agg *a, FILE *fp);
void kpi_write_pivot(struct jt_agg *a, FILE *fp);

/* kpi_state.c: partials and --merge */
void kpi_check_options(struct jt_agg *a, const char *src);
void kpi_merge_header(struct jt_agg *a, const char *src, const struct jt_header *h);
void kpi_merge_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj);
void kpi_write_partial(struct jt_agg *a, FILE *fp);

#endif
