/* touch_int.h — jtouch inside: what the settings and the run (touch.c),
 * the lookups and binding (touch_plan.c) and the per-row work (touch_row.c)
 * share. Not a public header. */
#ifndef TOUCH_INT_H
#define TOUCH_INT_H

#include <stdint.h>
#include <stdio.h>

#include "jt_csv.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_profile.h"
#include "jt_reject.h"
#include "jt_time.h"
#include "jt_touch.h"
#include "jt_tz.h"
#include "jt_where.h"

#define MAXTOUCH 64

/* ---- settings in command-line order ---------------------------------- */

struct ent {
	int is_profile;
	char *opt;	/* where it came from, for messages */
	char *key, *args;	/* setting; or args = profile text, key = its path */
	char *pname;	/* profile name */
};

struct input {
	char *path;
	size_t upto;	/* entries in effect */
};

/* ---- lookups ---------------------------------------------------------- */

struct lookup_tab {
	char *file, *key;
	struct jt_header *h;
	size_t keycol;
	struct jt_map map;	/* key -> row */
	const char **f;	/* nrow * h->n borrowed from the arena */
	size_t *len;
	size_t nrow, cap;
	uint64_t dups;
	struct jt_arena ar;
};

/* ---- a configuration bound to one input's header ---------------------- */

struct vcol {	/* a column of the virtual row: the input's, or a lookup's */
	int lk;	/* -1 input, else index into plan lookups */
	int dup;	/* the input has two columns of this name: naming it is an error */
	size_t idx;
};

/* The ways to read one time column, tried in order. */
struct rlist {
	struct jt_timefmt *r;
	size_t n;
	int plain;	/* one of auto, epoch, epoch_ms: messages need not list it */
	char *tried;	/* "auto, %d-%m-%Y" for messages */
};

struct ptouch {
	const char *tp;	/* constant touchpoint, or NULL */
	size_t tplen;
	long tpcol;	/* vcol of {COL}, -1 */
	long timecol;	/* -1: column absent (optional) */
	const struct rlist *rd;
	long custcol;	/* -1: the row's customer */
	const char *custname;
};

enum mkind { MK_PLAIN, MK_DURATION };

struct pmeasure {
	const struct jt_pmeasure *spec;
	size_t out;	/* output column */
	long a, b;	/* vcols, -1 absent */
	const struct rlist *ra, *rb;
	size_t on;	/* touch index */
	enum mkind kind;
	int integer;
	int has_lo, has_hi;
	jt_i128 lo, hi;
	char buf[64];
	const char *val;
	size_t vlen;
	uint64_t negative;	/* on rows that were written */
	int neg_row;	/* this row's value was negative */
};

struct pcarry {
	size_t out;
	long col;
	uint64_t on;	/* touches it rides on (bit k: touch k); 0: every touch */
};

struct plan {
	struct jt_profile cfg;
	const char *source;
	size_t srclen, chanlen;
	uint64_t safe;	/* output fields that never need quoting: time, a plain source */
	struct jt_dialect dialect;
	struct jt_tz *tz;
	struct jt_timefmt tf;	/* date order, zone, month names, %Z zones */
	struct jt_zones zones;
	struct rlist *rl;	/* per time_format entry of cfg, then the default */
	size_t nrl;
	struct jt_where *where;	/* the profile's where lines and --where, NULL: none */
	int bound;
	/* bound to a header: */
	struct jt_header vh;	/* virtual header: input columns, then lookup columns */
	struct jt_map vidx;	/* name -> vh index (a 100,000-column header binds in linear time) */
	const struct jt_header *inh;	/* while binding: the input header, for messages */
	const char *insrc;
	size_t vcap;
	struct vcol *vc;
	const struct jt_pmap **vmap;	/* per vcol, NULL = no map */
	struct lookup_tab **lk;
	long *lkrow;	/* key vcol per lookup */
	long *lkmatch;	/* per row: matched row per lookup */
	size_t nlk;
	long *cust;	/* customer alias vcols (first present) */
	long custcol;
	long custlk;	/* the lookup the customer column comes from, -1 the input's */
	const char *custname;
	int split;	/* a touch has its own customer (customer=COL) */
	struct ptouch *touch;
	size_t ntouch;
	struct pmeasure *meas;
	size_t nmeas;
	struct pcarry *carry;
	size_t ncarry;
	long chancol;
	long refcol;
	uint64_t rowbase;	/* records of the same source in earlier files */
};

struct jt_touchrun {
	const struct jt_touchopts *op;	/* the caller's, filled while options are parsed */
	struct jt_touchopts o;	/* copied at jt_touch_run */
	struct ent *ent;
	size_t nent, ecap;
	struct input *in;
	size_t nin, icap;
	struct plan *plans;	/* one per input (or one for stdin) */
	size_t nplan;
	struct lookup_tab **tabs;
	size_t ntab;
	char **cols;	/* output header */
	size_t ncol;
	struct jt_rejects *rj;
	struct jt_writer w;
	const char **of;
	size_t *olen;
	struct jt_map dedup;
	struct jt_map rowids;	/* sources seen, for @row numbers */
	struct jt_map absent;	/* optional columns said to be absent */
	struct jt_buf absent_now;	/* the ones of the header being bound */
	size_t nabsent_now;
	uint64_t *rowbase_of;	/* per source: records read so far */
	struct jt_buf key, cbuf, tcbuf, rowbuf;
	uint64_t rows_out, rows_notime, rows_filtered, touches, dup, filtered, dropped;
	uint64_t rows_where;	/* left out by where / --where */
	struct plan *cur;
	int header_done;
};

/* touch_plan.c: lookup files, and a plan bound to an input's header */
struct lookup_tab *jt_touch_load_lookup(struct jt_touchrun *r, const struct jt_plookup *l);
void jt_touch_lookup_free(struct lookup_tab *t);
void jt_touch_plan_bind(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_header *h);
void jt_touch_plan_free(struct plan *pl);

/* touch_row.c: the reader's callbacks (ctx: the run) */
void jt_touch_on_header(void *ctx, const char *src, const struct jt_header *h);
void jt_touch_on_record(void *ctx, const char *src, const struct jt_record *rec);

#endif
