/* value.c — jvalue: the value-chain activity of each touch (streaming), and
 * --impact: per cell, the outcome of customers touched there against the
 * customers never touched there. Association, not causation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_reject.h"
#include "jt_rules.h"
#include "jt_par.h"
#include "jt_parts.h"
#include "jt_spill.h"
#include "jt_stats.h"
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

struct jt_valuerun *jt_value_new(const struct jt_value_opts *o)
{
	if (o->group) {	/* checked before any input is read (and before anything is allocated) */
		const char *p = o->group;
		int empty = !*p;
		for (; *p; p++)
			if (*p == ',' && (p == o->group || p[1] == ',' || p[1] == '\0'))
				empty = 1;
		if (empty)
			jt_usage_error("-g: an empty column name in '%s'", o->group);
	}
	struct jt_valuerun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	r->all01 = 1;
	return r;
}

void jt_value_input(struct jt_valuerun *r, const char *path)
{
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

/* Each label's name and kind, looked up once; the last entry is --default's. */
static void labels_init(struct jt_valuerun *r)
{
	size_t n = jt_rules_nlabels(r->o.rules);
	r->lname = jt_xcalloc(n + 1, sizeof *r->lname);
	r->lkind = jt_xcalloc(n + 1, sizeof *r->lkind);
	r->lnlen = jt_xcalloc(n + 1, sizeof *r->lnlen);
	r->lklen = jt_xcalloc(n + 1, sizeof *r->lklen);
	for (size_t i = 0; i <= n; i++) {
		const char *name = i < n ? jt_rules_label(r->o.rules, i) : r->o.deflabel ? r->o.deflabel : "";
		long d = i < n ? (long)i : r->o.deflabel ? jt_rules_find(r->o.rules, r->o.deflabel) : -1;
		const char *k = d >= 0 ? jt_rules_attr(r->o.rules, (size_t)d, "kind") : NULL;
		r->lname[i] = name;
		r->lkind[i] = k ? k : "";
		r->lnlen[i] = strlen(r->lname[i]);
		r->lklen[i] = strlen(r->lkind[i]);
	}
	r->nlab = n;
}

/* A part of a file on another thread (-j): the rules without their memo
 * (not shared between threads), with a memo of its own. */
static long label_part(struct jt_valuerun *r, const struct jt_record *rec, const char *src)
{
	size_t nc;
	const long *cols = jt_rules_columns(r->o.rules, &nc);
	struct jt_buf *k = &r->lkey;
	int memo = 1;
	jt_buf_reset(k);
	for (size_t c = 0; c < nc && memo; c++) {
		size_t i = (size_t)cols[c];
		uint32_t n = i < rec->n ? (uint32_t)rec->len[i] : 0;
		if (i >= rec->n || k->len + 4 + n > 256) {
			memo = 0;	/* long values (comments): no memo */
			break;
		}
		jt_buf_add(k, &n, 4);
		jt_buf_add(k, rec->f[i], n);
	}
	long e = memo ? jt_map_find(&r->lmemo, k->p ? k->p : "", k->len) : -1;
	if (e >= 0)
		return r->lmemo_lab[e];
	char err[1024];
	long lab = jt_rules_eval(r->o.rules, rec, err, sizeof err);
	if (lab == -2)
		jt_die_at(src, rec->line, "%s", err);
	if (memo && r->lmemo.n < 65536) {
		size_t at = jt_map_put(&r->lmemo, k->p ? k->p : "", k->len, 0, NULL);
		void *q = r->lmemo_lab;
		jt_xgrow(&q, &r->lmemo_cap, at + 1, sizeof *r->lmemo_lab);
		r->lmemo_lab = q;
		r->lmemo_lab[at] = lab;
	}
	return lab;
}

static size_t label_of(struct jt_valuerun *r, const struct jt_record *rec, const char *src)
{
	long lab = r->is_part ? label_part(r, rec, src) : jt_rules_match(r->o.rules, rec, src);
	return lab < 0 ? r->nlab : (size_t)lab;
}

/* ---- annotate -------------------------------------------------------------- */

static void annotate_header(struct jt_valuerun *r, const struct jt_header *h)
{
	r->nout = h->n;
	r->c_act = jt_col_find(h, "activity");
	if (r->c_act < 0)
		r->c_act = (long)r->nout++;
	r->c_kind = jt_col_find(h, "activity_kind");
	if (r->c_kind < 0)
		r->c_kind = (long)r->nout++;
	r->of = jt_xcalloc(r->nout, sizeof *r->of);
	r->ol = jt_xcalloc(r->nout, sizeof *r->ol);
	for (size_t i = 0; i < h->n; i++) {
		r->of[i] = h->name[i];
		r->ol[i] = h->len[i];
	}
	r->of[r->c_act] = "activity";
	r->ol[r->c_act] = 8;
	r->of[r->c_kind] = "activity_kind";
	r->ol[r->c_kind] = 13;
	jt_w_record(&r->w, r->of, r->ol, r->nout, 0);
}

static void annotate_row(struct jt_valuerun *r, const char *src, const struct jt_record *rec)
{
	size_t l = label_of(r, rec, src), rn;
	const char *raw;
	if ((size_t)r->c_act == rec->n && (size_t)r->c_kind == rec->n + 1 && (raw = jt_record_raw(rec, &r->w, &rn))) {
		/* the row as it came, then its two new columns */
		const char *f[2] = { r->lname[l], r->lkind[l] };
		size_t len[2] = { r->lnlen[l], r->lklen[l] };
		jt_w_record_raw(&r->w, raw, rn, f, len, 2);
		return;
	}
	memcpy(r->of, rec->f, rec->n * sizeof *r->of);
	memcpy(r->ol, rec->len, rec->n * sizeof *r->ol);
	r->of[r->c_act] = r->lname[l];
	r->ol[r->c_act] = r->lnlen[l];
	r->of[r->c_kind] = r->lkind[l];
	r->ol[r->c_kind] = r->lklen[l];
	jt_w_record(&r->w, r->of, r->ol, r->nout, 0);
}

/* ---- impact ---------------------------------------------------------------- */

static void impact_header(struct jt_valuerun *r, const struct jt_header *h, const char *src)
{
	r->c_cust = (long)jt_col_by_name(h, "customer", src);
	r->c_time = (long)jt_col_by_name(h, "time", src);
	r->c_out = (long)jt_col_by_name(h, r->o.impact, src);
	char *list = jt_xstrdup(r->o.group ? r->o.group : "activity,stage"), *save = NULL;
	for (char *it = strtok_r(list, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		r->gcol = jt_xrealloc(r->gcol, (r->ng + 1) * sizeof *r->gcol);
		r->gname = jt_xrealloc(r->gname, (r->ng + 1) * sizeof *r->gname);
		r->gname[r->ng] = jt_xstrdup(it);
		if (strcmp(it, "activity") == 0)
			r->gcol[r->ng] = ACT;
		else if (strcmp(it, "activity_kind") == 0)
			r->gcol[r->ng] = KIND;
		else if (strcmp(it, "stage") == 0 && jt_col_find(h, "stage") < 0)
			jt_die_at(src, 1, "no column 'stage': run jstage first (jtouch ... | jstage | jvalue --impact ...), "
				  "or name other columns with -g");
		else
			r->gcol[r->ng] = (long)jt_col_by_name(h, it, src);
		r->ng++;
	}
	free(list);
	if (r->ng == 0)
		jt_usage_error("-g: no columns");
	r->kind = r->o.kind;
	if (r->kind == JT_OK_AUTO) {
		size_t n = strlen(r->o.impact);
		if (strcmp(r->o.impact, "nps") == 0 || (n > 4 && strcmp(r->o.impact + n - 4, "_nps") == 0))
			r->kind = JT_OK_NPS;
	}
}

static void acc_add(struct acc *a, double v, enum jt_outkind k)
{
	a->n++;
	a->sum += v;
	a->sumsq += v * v;
	if (k == JT_OK_NPS) {
		a->hi += v >= 9;
		a->lo += v <= 6;
	} else {
		a->hi += v != 0;
	}
}

static void acc_sub(struct acc *a, const struct acc *b)
{
	a->n -= b->n;
	a->hi -= b->hi;
	a->lo -= b->lo;
	a->sum -= b->sum;
	a->sumsq -= b->sumsq;
}

/* A touch of customer cs (cn bytes) at t, row seq, in cell: the customer's
 * first, last and largest values, and the pair's first touch. */
static void impact_apply(struct jt_valuerun *r, const char *cs, size_t cn, int64_t t, uint64_t seq, int has, double v,
			 uint32_t cell)
{
	int isnew;
	size_t c = jt_map_put(&r->custs, cs, cn, 0, &isnew);
	if (isnew) {
		void *p = r->cv;
		jt_xgrow(&p, &r->cvcap, c + 1, sizeof *r->cv);
		r->cv = p;
		memset(&r->cv[c], 0, sizeof r->cv[c]);
		r->cv[c].seen = seq;
		r->ncv = c + 1;
		r->custbytes += cn;
	}
	struct cust *cu = &r->cv[c];
	if (has && (!cu->has_last || t > cu->last_t || (t == cu->last_t && seq > cu->last_seq))) {
		cu->last_t = t;
		cu->last_seq = seq;
		cu->last = v;
	}
	if (has && (!cu->has_last || t < cu->first_t)) {
		cu->first_t = t;
		cu->first_seq = seq;
		cu->first = v;
	}
	if (has && (!cu->has_last || v > cu->max))
		cu->max = v;
	cu->has_last |= has;
	uint32_t pair[2] = { (uint32_t)c, cell };
	size_t e = jt_map_put(&r->tmap, pair, sizeof pair, 0, &isnew);
	if (isnew) {
		void *p = r->tv;
		jt_xgrow(&p, &r->tvcap, e + 1, sizeof *r->tv);
		r->tv = p;
		r->ntv = e + 1;
		r->tv[e] = (struct touched){ (uint32_t)c, cell, t, seq, seq, has, v };
	} else if (t < r->tv[e].t) {	/* an earlier touch in the cell (input not in time order) */
		r->tv[e].t = t;
		r->tv[e].seq = seq;
		r->tv[e].has = has;
		r->tv[e].v = v;
	}
}

static uint64_t impact_memory(const struct jt_valuerun *r);
static void vspill_begin(struct jt_valuerun *r);
static void vspill_row(struct jt_valuerun *r, const char *cs, size_t cn, int64_t t, uint64_t seq, int has, double v,
		       uint32_t cell);

static void impact_row(struct jt_valuerun *r, const char *src, const struct jt_record *rec)
{
	const char *cs = rec->f[r->c_cust], *ts = rec->f[r->c_time], *vs = rec->f[r->c_out];
	size_t cn = rec->len[r->c_cust], tn = rec->len[r->c_time], vn = rec->len[r->c_out];
	int64_t t;
	jt_i128 x;
	if (cn == 0) {
		jt_reject(r->rj, src, rec, "missing customer", "column 'customer': empty customer id");
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		jt_reject(r->rj, src, rec, "bad time", "column 'time': '%s' is not a time", jt_show(ts, tn));
		return;
	}
	int has = vn > 0;
	double v = 0;
	if (has) {
		int sc, rc = r->kind == JT_OK_NPS ? jt_score_parse(vs, vn, 0, 10, &sc) : jt_dec_parse(vs, vn, &x);
		if (rc != JT_NUM_OK) {
			jt_reject_number(r->rj, src, rec, r->o.impact, r->kind == JT_OK_NPS ? "nps" : NULL, vs, vn, rc,
					 r->kind == JT_OK_NPS ? "in 0-10" : NULL);
			return;
		}
		if (r->kind == JT_OK_NPS)
			x = (jt_i128)sc * JT_DEC_SCALE;
		v = jt_dec_to_double(x);
		if (v != 0 && v != 1)
			r->all01 = 0;
	}
	size_t l = label_of(r, rec, src);
	const char *act = r->lname[l], *kind = r->lkind[l];
	/* the cell key: the group values, each with its length */
	struct jt_buf *k = &r->key;
	jt_buf_reset(k);
	for (size_t g = 0; g < r->ng; g++) {
		const char *s = r->gcol[g] == ACT ? act : r->gcol[g] == KIND ? kind : rec->f[r->gcol[g]];
		jt_key_add(k, s, r->gcol[g] < 0 ? strlen(s) : rec->len[r->gcol[g]]);
	}
	int isnew;
	size_t cell = jt_map_put(&r->cells, k->p, k->len, 0, &isnew);
	if (isnew) {
		void *p = r->cells_v;
		jt_xgrow(&p, &r->cellcap, cell + 1, sizeof *r->cells_v);
		r->cells_v = p;
		memset(&r->cells_v[cell], 0, sizeof r->cells_v[cell]);
		r->ncell = cell + 1;
	}
	uint64_t seq = r->seq++;
	if (r->vs) {
		vspill_row(r, cs, cn, t, seq, has, v, (uint32_t)cell);
		return;
	}
	impact_apply(r, cs, cn, t, seq, has, v, (uint32_t)cell);
	if (r->budget && impact_memory(r) > r->budget)
		vspill_begin(r);
}

/* ---- spilling ----------------------------------------------------------------- */

/* Past the budget, the customers' state and the (customer, cell) pairs go to
 * a spill file, and so does every later row, in NPART partitions by a hash
 * of the customer: a customer is wholly in one. At the end each partition is
 * replayed on its own, in row order, with impact_apply; its customers and
 * pairs come out in the order they were first seen (their rows' numbers),
 * and the sums are made over all partitions merged by those numbers: the
 * order of the unbounded run, so the same bytes, to the last bit. */
#define NPART 64

enum { VR_ROW, VR_CUST, VR_PAIR };

struct vrec {
	uint64_t seq;
	int64_t t;
	double v;
	uint32_t cell, klen;
	int32_t has, type;
};

/* What a partition leaves for the sums. */
struct vcust_out {
	uint64_t seen;
	double u;	/* the outcome as untouched */
	int64_t has;
};
struct vpair_out {
	uint64_t seen;
	double v, u;
	uint32_t cell;
	int32_t has, chas;
};

struct vspill {
	struct jt_parts parts;
	uint32_t **cmaps;	/* the tags of the files adopted from parts */
	size_t ncmaps;
	struct jt_spill cust_out, pair_out;
	uint64_t cust_at[NPART + 1], pair_at[NPART + 1];
	uint64_t ncust;
};

static uint64_t impact_memory(const struct jt_valuerun *r)
{
	return (uint64_t)r->ncv * (sizeof(struct jt_map_ent) + 2 * sizeof(uint32_t) + 16 + sizeof(struct cust)) +
	       r->custbytes +
	       (uint64_t)r->ntv * (sizeof(struct jt_map_ent) + 2 * sizeof(uint32_t) + 16 + 8 + sizeof(struct touched));
}

static size_t part_of(const char *cs, size_t cn) { return (size_t)(jt_fnv1a64(cs, cn) >> 32) % NPART; }

static void vput(struct jt_valuerun *r, const char *cs, size_t cn, const struct vrec *h, const void *extra,
		 size_t elen)
{
	struct jt_buf *b = &r->key;	/* the cell key is made already */
	size_t p = part_of(cs, cn);
	jt_buf_reset(b);
	jt_buf_add(b, h, sizeof *h);
	if (elen)
		jt_buf_add(b, extra, elen);
	jt_buf_add(b, cs, cn);
	jt_parts_add(&r->vs->parts, p, b->p, b->len);
}

static void vspill_row(struct jt_valuerun *r, const char *cs, size_t cn, int64_t t, uint64_t seq, int has, double v,
		       uint32_t cell)
{
	struct vrec h = { seq, t, v, cell, (uint32_t)cn, has, VR_ROW };
	vput(r, cs, cn, &h, NULL, 0);
}

static void drop_state(struct jt_valuerun *r)
{
	jt_map_free(&r->custs);
	memset(&r->custs, 0, sizeof r->custs);
	jt_map_free(&r->tmap);
	memset(&r->tmap, 0, sizeof r->tmap);
	r->ncv = r->ntv = 0;
	r->custbytes = 0;
}

/* The customers and pairs so far to the partitions; the rows after follow. */
static void vspill_begin(struct jt_valuerun *r)
{
	r->vs = jt_xcalloc(1, sizeof *r->vs);
	jt_parts_open(&r->vs->parts, NPART, (size_t)(r->budget / 4 / NPART));
	for (size_t c = 0; c < r->ncv; c++) {
		const struct jt_map_ent *e = &r->custs.ent[c];
		struct vrec h = { r->cv[c].seen, 0, 0, 0, e->len, 0, VR_CUST };
		vput(r, e->key, e->len, &h, &r->cv[c], sizeof r->cv[c]);
	}
	for (size_t i = 0; i < r->ntv; i++) {
		const struct jt_map_ent *e = &r->custs.ent[r->tv[i].cust];
		struct vrec h = { r->tv[i].seen, 0, 0, r->tv[i].cell, e->len, 0, VR_PAIR };
		vput(r, e->key, e->len, &h, &r->tv[i], sizeof r->tv[i]);
	}
	drop_state(r);
}

/* Customer b's state after a's (b's rows come later in the file): the rule of
 * impact_apply on the rows of both. */
static void cust_combine(struct cust *a, const struct cust *b)
{
	if (!b->has_last)
		return;
	if (!a->has_last) {
		uint64_t seen = a->seen;
		*a = *b;
		a->seen = seen;
		return;
	}
	if (b->last_t > a->last_t || (b->last_t == a->last_t && b->last_seq > a->last_seq)) {
		a->last_t = b->last_t;
		a->last_seq = b->last_seq;
		a->last = b->last;
	}
	if (b->first_t < a->first_t) {
		a->first_t = b->first_t;
		a->first_seq = b->first_seq;
		a->first = b->first;
	}
	if (b->max > a->max)
		a->max = b->max;
}

/* A pair's first touch in b after a's. */
static void pair_combine(struct touched *a, const struct touched *b)
{
	if (b->t < a->t) {
		a->t = b->t;
		a->seq = b->seq;
		a->has = b->has;
		a->v = b->v;
	}
}

static size_t cust_put(struct jt_valuerun *r, const char *cs, size_t cn, const struct cust *st)
{
	int isnew;
	size_t c = jt_map_put(&r->custs, cs, cn, 0, &isnew);
	if (isnew) {
		void *q = r->cv;
		jt_xgrow(&q, &r->cvcap, c + 1, sizeof *r->cv);
		r->cv = q;
		r->cv[c] = *st;
		r->ncv = c + 1;
		r->custbytes += cn;
	} else {
		cust_combine(&r->cv[c], st);
	}
	return c;
}

static void pair_put(struct jt_valuerun *r, const struct touched *tv)
{
	int isnew;
	uint32_t pair[2] = { tv->cust, tv->cell };
	size_t e = jt_map_put(&r->tmap, pair, sizeof pair, 0, &isnew);
	if (isnew) {
		void *q = r->tv;
		jt_xgrow(&q, &r->tvcap, e + 1, sizeof *r->tv);
		r->tv = q;
		r->tv[e] = *tv;
		r->ntv = e + 1;
	} else {
		pair_combine(&r->tv[e], tv);
	}
}

/* tag: the cells' ids of another part's run into this run's (NULL: the same). */
static void replay(void *ctx, const char *d, size_t len, void *tag)
{
	struct jt_valuerun *r = ctx;
	const uint32_t *cmap = tag;
	for (const char *p = d, *end = d + len; p < end;) {
		struct vrec h;
		memcpy(&h, p, sizeof h);
		p += sizeof h;
		if (h.type == VR_ROW) {
			impact_apply(r, p, h.klen, h.t, h.seq, h.has, h.v, cmap ? cmap[h.cell] : h.cell);
			p += h.klen;
			continue;
		}
		if (h.type == VR_CUST) {
			struct cust cu;
			memcpy(&cu, p, sizeof cu);
			p += sizeof cu;
			cust_put(r, p, h.klen, &cu);
		} else {
			struct touched tv;
			memcpy(&tv, p, sizeof tv);
			p += sizeof tv;
			long c = jt_map_find(&r->custs, p, h.klen);	/* its customer came before */
			tv.cust = (uint32_t)c;
			if (cmap)
				tv.cell = cmap[tv.cell];
			pair_put(r, &tv);
		}
		p += h.klen;
	}
}

/* ---- -j: a file in parts ---------------------------------------------------------- */

/* Part b's state (a later part of the file) into a's, as if a had read b's
 * rows after its own; b's spill file becomes a's. */
static void vmerge(struct jt_valuerun *a, struct jt_valuerun *b)
{
	a->all01 &= b->all01;
	uint32_t *cmap = jt_xmalloc((b->ncell ? b->ncell : 1) * sizeof *cmap);
	for (size_t i = 0; i < b->ncell; i++) {
		int isnew;
		size_t c = jt_map_put(&a->cells, b->cells.ent[i].key, b->cells.ent[i].len, 0, &isnew);
		if (isnew) {
			void *q = a->cells_v;
			jt_xgrow(&q, &a->cellcap, c + 1, sizeof *a->cells_v);
			a->cells_v = q;
			memset(&a->cells_v[c], 0, sizeof a->cells_v[c]);
			a->ncell = c + 1;
		}
		cmap[i] = (uint32_t)c;
	}
	if (a->vs || b->vs) {
		if (!a->vs)
			vspill_begin(a);
		if (!b->vs)
			vspill_begin(b);
		jt_parts_adopt(&a->vs->parts, &b->vs->parts, cmap);
		a->vs->cmaps = jt_xrealloc(a->vs->cmaps, (a->vs->ncmaps + 1) * sizeof *a->vs->cmaps);
		a->vs->cmaps[a->vs->ncmaps++] = cmap;
		free(b->vs);
		b->vs = NULL;
		return;
	}
	uint32_t *umap = jt_xmalloc((b->ncv ? b->ncv : 1) * sizeof *umap);
	for (size_t c = 0; c < b->ncv; c++)
		umap[c] = (uint32_t)cust_put(a, b->custs.ent[c].key, b->custs.ent[c].len, &b->cv[c]);
	for (size_t e = 0; e < b->ntv; e++) {
		struct touched tv = b->tv[e];
		tv.cust = umap[tv.cust];
		tv.cell = cmap[tv.cell];
		pair_put(a, &tv);
	}
	free(umap);
	free(cmap);
	if (a->budget && impact_memory(a) > a->budget)
		vspill_begin(a);
}

static double untouched_value(const struct jt_valuerun *r, const struct cust *c, enum jt_outkind k);
static void acc_add(struct acc *a, double v, enum jt_outkind k);

/* Each partition replayed; its customers and pairs, in first-seen order, to
 * two runs. */
static void vspill_partitions(struct jt_valuerun *r, enum jt_outkind k)
{
	struct vspill *vs = r->vs;
	jt_spill_open(&vs->cust_out);
	jt_spill_open(&vs->pair_out);
	for (size_t p = 0; p < NPART; p++) {
		vs->cust_at[p] = vs->cust_out.size;
		vs->pair_at[p] = vs->pair_out.size;
		jt_parts_each(&vs->parts, p, replay, r);
		for (size_t c = 0; c < r->ncv; c++) {
			struct vcust_out o = { r->cv[c].seen, untouched_value(r, &r->cv[c], k), r->cv[c].has_last };
			jt_spill_write(&vs->cust_out, &o, sizeof o);
		}
		for (size_t i = 0; i < r->ntv; i++) {
			const struct touched *tv = &r->tv[i];
			const struct cust *cu = &r->cv[tv->cust];
			struct vpair_out o = { tv->seen, tv->v, untouched_value(r, cu, k), tv->cell, tv->has, cu->has_last };
			jt_spill_write(&vs->pair_out, &o, sizeof o);
		}
		vs->ncust += r->ncv;
		drop_state(r);
	}
	vs->cust_at[NPART] = vs->cust_out.size;
	vs->pair_at[NPART] = vs->pair_out.size;
	jt_spill_flush(&vs->cust_out);
	jt_spill_flush(&vs->pair_out);
	jt_parts_close(&vs->parts);
	for (size_t i = 0; i < vs->ncmaps; i++)
		free(vs->cmaps[i]);
	free(vs->cmaps);
	vs->cmaps = NULL;
	vs->ncmaps = 0;
}

/* The smallest first field (a row number) among the runs' next records. */
static long next_run(struct jt_run *run, size_t n)
{
	long best = -1;
	uint64_t bs = 0;
	for (size_t i = 0; i < n; i++) {
		const void *x = jt_run_peek(&run[i]);
		uint64_t s;
		if (!x)
			continue;
		memcpy(&s, x, sizeof s);
		if (best < 0 || s < bs) {
			best = (long)i;
			bs = s;
		}
	}
	return best;
}

/* The sums of write_impact, over the partitions in the rows' order. */
static uint64_t vspill_sums(struct jt_valuerun *r, enum jt_outkind k, struct acc *all)
{
	struct vspill *vs = r->vs;
	struct jt_run run[NPART];
	vspill_partitions(r, k);
	for (size_t p = 0; p < NPART; p++)
		jt_run_open(&run[p], vs->cust_out.fd, vs->cust_at[p], vs->cust_at[p + 1], sizeof(struct vcust_out));
	for (long i; (i = next_run(run, NPART)) >= 0;) {
		struct vcust_out o;
		memcpy(&o, jt_run_peek(&run[i]), sizeof o);
		jt_run_next(&run[i]);
		if (o.has)
			acc_add(all, o.u, k);
	}
	for (size_t p = 0; p < NPART; p++) {
		jt_run_close(&run[p]);
		jt_run_open(&run[p], vs->pair_out.fd, vs->pair_at[p], vs->pair_at[p + 1], sizeof(struct vpair_out));
	}
	for (long i; (i = next_run(run, NPART)) >= 0;) {
		struct vpair_out o;
		memcpy(&o, jt_run_peek(&run[i]), sizeof o);
		jt_run_next(&run[i]);
		struct cell *c = &r->cells_v[o.cell];
		c->touched++;
		if (o.has)
			acc_add(&c->t, o.v, k);
		if (o.chas)
			acc_add(&c->tl, o.u, k);
	}
	for (size_t p = 0; p < NPART; p++)
		jt_run_close(&run[p]);
	uint64_t n = vs->ncust;
	jt_spill_close(&vs->cust_out);
	jt_spill_close(&vs->pair_out);
	free(vs);
	r->vs = NULL;
	return n;
}

/* ---- figures ---------------------------------------------------------------- */

static int dec_of(enum jt_outkind k) { return k == JT_OK_MEAN ? 4 : 2; }

/* The outcome of one side: NPS points, a mean, or a rate in percent. */
static double value_of(const struct acc *a, enum jt_outkind k)
{
	if (k == JT_OK_NPS)
		return 100.0 * ((double)a->hi - (double)a->lo) / (double)a->n;
	if (k == JT_OK_RATE)
		return 100.0 * (double)a->hi / (double)a->n;
	return a->sum / (double)a->n;
}

static void difference(struct cell *c, const struct acc *t, const struct acc *u, enum jt_outkind k,
		       unsigned long min_n)
{
	c->has_diff = t->n > 0 && u->n > 0 && t->n >= min_n && u->n >= min_n;
	if (!c->has_diff)
		return;
	c->diff = value_of(t, k) - value_of(u, k);
	c->has_ci = 1;
	if (k == JT_OK_NPS) {	/* two-sample Wald on the -1/0/+1 recoding */
		double nt = (double)t->n, nu = (double)u->n;
		double pt = (double)t->hi / nt, dt = (double)t->lo / nt, pu = (double)u->hi / nu, du = (double)u->lo / nu;
		double vt = pt + dt - (pt - dt) * (pt - dt), vu = pu + du - (pu - du) * (pu - du);
		double se = 100.0 * sqrt(vt / nt + vu / nu);
		c->lo = fmax(c->diff - JT_Z95 * se, -200.0);	/* NPS lies in -100..100 */
		c->hi = fmin(c->diff + JT_Z95 * se, 200.0);
	} else if (k == JT_OK_RATE) {	/* Newcombe's hybrid score interval */
		double lo, hi;
		jt_newcombe(t->hi, t->n, u->hi, u->n, &lo, &hi);
		c->lo = 100.0 * lo;
		c->hi = 100.0 * hi;
	} else if (t->n >= 2 && u->n >= 2) {	/* Welch */
		double nt = (double)t->n, nu = (double)u->n;
		double vt = (t->sumsq - t->sum * t->sum / nt) / (nt - 1), vu = (u->sumsq - u->sum * u->sum / nu) / (nu - 1);
		if (vt < 0)
			vt = 0;
		if (vu < 0)
			vu = 0;
		double a = vt / nt, b = vu / nu, se = sqrt(a + b);
		if (se == 0) {
			c->lo = c->hi = c->diff;
		} else {
			double df = (a + b) * (a + b) / (a * a / (nt - 1) + b * b / (nu - 1));
			double q = jt_t_quantile(0.975, df);
			c->lo = c->diff - q * se;
			c->hi = c->diff + q * se;
		}
	} else {
		c->has_ci = 0;
	}
}

static const struct jt_valuerun *sort_r;

static int cmp_cell(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct cell *cx = &sort_r->cells_v[x], *cy = &sort_r->cells_v[y];
	if (cx->has_diff != cy->has_diff)
		return cx->has_diff ? -1 : 1;
	if (cx->has_diff && cx->diff != cy->diff)	/* worst first */
		return (cx->diff < cy->diff) == !sort_r->o.lower_better ? -1 : 1;
	/* then by the cells' values, column by column */
	return jt_key_cmp(sort_r->cells.ent[x].key, sort_r->cells.ent[y].key, sort_r->ng);
}

/* An untouched customer's outcome: last (DESIGN §2), first, or any (the largest). */
static double untouched_value(const struct jt_valuerun *r, const struct cust *c, enum jt_outkind k)
{
	enum jt_untouched u = r->o.untouched;
	if (u == JT_UT_AUTO)
		u = k == JT_OK_RATE ? JT_UT_ANY : JT_UT_LAST;
	return u == JT_UT_FIRST ? c->first : u == JT_UT_ANY ? c->max : c->last;
}

static void write_impact(struct jt_valuerun *r)
{
	enum jt_outkind k = r->kind == JT_OK_AUTO ? (r->all01 ? JT_OK_RATE : JT_OK_MEAN) : r->kind;
	const char *m = k == JT_OK_NPS ? "nps" : k == JT_OK_RATE ? "rate" : "mean";
	/* every customer with a value: the whole from which a cell's touched are taken out */
	struct acc all = { 0 };
	uint64_t ncust = r->ncv;
	if (r->vs) {
		ncust = vspill_sums(r, k, &all);
	} else {
		for (size_t i = 0; i < r->ncv; i++)
			if (r->cv[i].has_last)
				acc_add(&all, untouched_value(r, &r->cv[i], k), k);
		for (size_t e = 0; e < r->ntv; e++) {
			struct touched *tv = &r->tv[e];
			struct cell *c = &r->cells_v[tv->cell];
			c->touched++;
			if (tv->has)
				acc_add(&c->t, tv->v, k);
			if (r->cv[tv->cust].has_last)
				acc_add(&c->tl, untouched_value(r, &r->cv[tv->cust], k), k);
		}
	}
	uint64_t novalue = ncust - all.n;
	jt_rejects_stat(r->rj, "customers_without_value", novalue);
	size_t ncol = r->ng + 10;
	const char **f = jt_xcalloc(ncol, sizeof *f);
	size_t *len = jt_xcalloc(ncol, sizeof *len);
	char (*num)[64] = jt_xcalloc(10, sizeof *num);
	char names[4][32];
	for (size_t g = 0; g < r->ng; g++)
		f[g] = r->gname[g];
	snprintf(names[0], sizeof names[0], "%s_touched", m);
	snprintf(names[1], sizeof names[1], "%s_untouched", m);
	const char *hdr[10] = { "touched", "touched_n", "untouched_n", names[0], names[1], "difference",
		"difference_lo", "difference_hi", "rank", "missing" };
	for (size_t i = 0; i < 10; i++)
		f[r->ng + i] = hdr[i];
	for (size_t i = 0; i < ncol; i++)
		len[i] = strlen(f[i]);
	jt_w_record(&r->w, f, len, ncol, 0);
	size_t *ord = jt_xcalloc(r->ncell + 1, sizeof *ord);
	for (size_t i = 0; i < r->ncell; i++) {
		struct cell *c = &r->cells_v[i];
		struct acc u = all;
		acc_sub(&u, &c->tl);
		difference(c, &c->t, &u, k, r->o.min_n);
		ord[i] = i;
	}
	sort_r = r;
	if (r->ncell > 1)
		qsort(ord, r->ncell, sizeof *ord, cmp_cell);
	int dec = dec_of(k);
	for (size_t i = 0; i < r->ncell; i++) {
		struct cell *c = &r->cells_v[ord[i]];
		const struct jt_map_ent *e = &r->cells.ent[ord[i]];
		const char *p = e->key;
		for (size_t g = 0; g < r->ng; g++)
			p = jt_key_next(p, &f[g], &len[g]);
		struct acc u = all;
		acc_sub(&u, &c->tl);
		jt_fmt_u64(c->touched, num[0]);
		jt_fmt_u64(c->t.n, num[1]);
		jt_fmt_u64(u.n, num[2]);
		if (c->t.n)
			jt_fmt_double(value_of(&c->t, k), dec, num[3]);
		else
			num[3][0] = '\0';
		if (u.n)
			jt_fmt_double(value_of(&u, k), dec, num[4]);
		else
			num[4][0] = '\0';
		num[5][0] = num[6][0] = num[7][0] = num[8][0] = '\0';
		if (c->has_diff) {
			jt_fmt_double(c->diff, dec, num[5]);
			if (c->has_ci) {
				jt_fmt_double(c->lo, dec, num[6]);
				jt_fmt_double(c->hi, dec, num[7]);
			}
			jt_fmt_u64(i + 1, num[8]);
		}
		jt_fmt_u64(c->touched - c->t.n, num[9]);
		for (size_t j = 0; j < 10; j++) {
			f[r->ng + j] = num[j];
			len[r->ng + j] = strlen(num[j]);
		}
		jt_w_record(&r->w, f, len, ncol, 0);
	}
	if (novalue)
		jt_info("%llu of %llu customers have no %s value anywhere and are left out", (unsigned long long)novalue,
			(unsigned long long)ncust, r->o.impact);
	free(ord);
	free(f);
	free(len);
	free(num);
}

/* ---- the run ---------------------------------------------------------------- */

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_valuerun *r = ctx;
	if (!jt_header_first(&r->h, h, src)) {
		jt_rules_bind(r->o.rules, h, src);
		return;
	}
	jt_rejects_header(r->rj, h);
	jt_timefilter_bind(&r->tf, r->o.c, h, src);
	jt_rules_bind(r->o.rules, h, src);
	if (r->o.impact)
		impact_header(r, h, src);
	else
		annotate_header(r, h);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_valuerun *r = ctx;
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)
		return;
	if (r->o.impact)
		impact_row(r, src, rec);
	else
		annotate_row(r, src, rec);
}

/* A run for part k > 0 of a file: r's columns, labels and options, state of its own. */
static struct jt_valuerun *part_run(const struct jt_valuerun *r, uint64_t seq, uint64_t budget)
{
	struct jt_valuerun *b = jt_xcalloc(1, sizeof *b);
	b->o = r->o;
	b->tf = r->tf;
	b->h = r->h;
	b->c_cust = r->c_cust;
	b->c_time = r->c_time;
	b->c_out = r->c_out;
	b->gcol = r->gcol;
	b->ng = r->ng;
	b->kind = r->kind;
	b->all01 = 1;
	b->seq = seq;
	b->budget = budget;
	b->lname = r->lname;
	b->lkind = r->lkind;
	b->lnlen = r->lnlen;
	b->lklen = r->lklen;
	b->nlab = r->nlab;
	b->is_part = 1;
	return b;
}

static void part_free(struct jt_valuerun *b)
{
	jt_map_free(&b->custs);
	free(b->cv);
	jt_map_free(&b->cells);
	free(b->cells_v);
	jt_map_free(&b->tmap);
	free(b->tv);
	jt_buf_free(&b->key);
	jt_map_free(&b->lmemo);
	free(b->lmemo_lab);
	jt_buf_free(&b->lkey);
	free(b);
}

/* --impact on a regular file with -j: its parts on threads, each into a run
 * of its own whose rows are numbered from (part << 40) on, merged in file
 * order. Returns 0 when the file is read as one stream instead. */
static int read_parts(struct jt_valuerun *r, const char *path, size_t jobs)
{
	struct jt_split sp;
	if (!r->o.impact || jobs < 2 || jt_split_file(path, &r->o.c->dialect, jobs, &sp) < 2)
		return 0;
	unsigned long long hlines;
	struct jt_header *h = jt_par_header(path, &r->o.c->dialect, r->rj, &sp, on_header, r, &hlines);
	if (!h)
		return 1;
	struct jt_valuerun *pr[JT_MAXJOBS];
	struct jt_par_part pp[JT_MAXJOBS];
	uint64_t seq0 = r->seq, budget = r->budget;
	memset(pp, 0, sp.n * sizeof *pp);
	r->budget = budget / sp.n;	/* shared by the parts */
	for (size_t k = 0; k < sp.n; k++) {
		pr[k] = k ? part_run(r, seq0 + ((uint64_t)k << 40), r->budget) : r;
		pp[k].ctx = pr[k];
		pp[k].rj_at = &pr[k]->rj;
	}
	jt_par_parts(path, r->o.c, r->rj, &sp, h, hlines, on_record, pp);
	r->budget = budget;
	for (size_t k = 1; k < sp.n; k++) {
		vmerge(r, pr[k]);
		part_free(pr[k]);
	}
	r->seq = seq0 + ((uint64_t)sp.n << 40);
	jt_header_free(h);
	return 1;
}

int jt_value_run(struct jt_valuerun *r, FILE *out)
{
	jt_writer_init(&r->w, out);
	r->rj = jt_rejects_new(r->o.c);
	labels_init(r);
	r->budget = r->o.impact ? r->o.c->memory / 2 : 0;
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	size_t jobs = jt_jobs(r->o.c->jobs);
	for (size_t i = 0; i < r->nin; i++)
		if (!read_parts(r, r->in[i], jobs))
			jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	if (r->o.impact && r->h)
		write_impact(r);
	jt_writer_flush(&r->w);
	jt_out_flush(out);
	return jt_rejects_finish(r->rj, -1);
}

void jt_value_free(struct jt_valuerun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r->in);
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	free(r->of);
	free(r->ol);
	for (size_t g = 0; g < r->ng; g++)
		free(r->gname[g]);
	free(r->gname);
	free(r->gcol);
	jt_map_free(&r->custs);
	free(r->cv);
	jt_map_free(&r->cells);
	free(r->cells_v);
	jt_map_free(&r->tmap);
	free(r->tv);
	if (r->vs) {
		jt_parts_close(&r->vs->parts);
		for (size_t i = 0; i < r->vs->ncmaps; i++)
			free(r->vs->cmaps[i]);
		free(r->vs->cmaps);
		free(r->vs);
	}
	jt_buf_free(&r->key);
	free(r->lname);
	free(r->lkind);
	free(r->lnlen);
	free(r->lklen);
	free(r);
}
