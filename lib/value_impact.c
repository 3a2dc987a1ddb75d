/* value_impact.c — jvalue --impact: per cell, the outcome of customers
 * touched there against the customers never touched there (association,
 * not causation); past --memory the customers go to spill partitions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_num.h"
#include "jt_parts.h"
#include "jt_spill.h"
#include "jt_stats.h"

#include "value_int.h"

/* ---- impact ---------------------------------------------------------------- */

void jt_value_impact_header(struct jt_valuerun *r, const struct jt_header *h, const char *src)
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

void jt_value_impact_row(struct jt_valuerun *r, const char *src, const struct jt_record *rec)
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
	size_t l = jt_value_label(r, rec, src);
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
	return (uint64_t)r->ncv * (sizeof(struct jt_map_ent) + 2 * sizeof(uint64_t) + 16 + sizeof(struct cust)) +
	       r->custbytes +
	       (uint64_t)r->ntv * (sizeof(struct jt_map_ent) + 2 * sizeof(uint64_t) + 16 + 8 + sizeof(struct touched));
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
void jt_value_merge(struct jt_valuerun *a, struct jt_valuerun *b)
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

void jt_value_write_impact(struct jt_valuerun *r)
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

void jt_value_vspill_free(struct jt_valuerun *r)
{
	if (!r->vs)
		return;
	jt_parts_close(&r->vs->parts);
	for (size_t i = 0; i < r->vs->ncmaps; i++)
		free(r->vs->cmaps[i]);
	free(r->vs->cmaps);
	free(r->vs);
	r->vs = NULL;
}
