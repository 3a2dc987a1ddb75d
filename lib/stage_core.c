/* stage_core.c — jstage's engine: reading the touch stream on every core,
 * holding touches compactly within --memory (spilling past it), and handing
 * the views one customer at a time in customer-id order (stage_int.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_paths.h"
#include "jt_rules.h"
#include "jt_rx.h"
#include "stage_int.h"

/* ---- small shared helpers ---------------------------------------------------- */

struct jt_rx *jt_stage_compile(const char *pat, const char *what)
{
	char err[256];
	struct jt_rx *rx = jt_rx_new(pat, strlen(pat), 0, err, sizeof err);
	if (!rx)
		jt_usage_error("%s: '%s': %s", what, pat, err);
	return rx;
}

int64_t jt_stage_duration(const char *s, const char *what)
{
	int64_t v;
	if (jt_duration_parse(s, &v) != 0 || v <= 0)
		jt_usage_error("%s: '%s' is not a duration (N followed by s, m, h, d or w, e.g. 90d)", what, s);
	return v;
}

char *jt_stage_next_item(char **p)
{
	char *it = *p;
	if (!it)
		return NULL;
	char *c = strchr(it, ',');
	if (c) {
		*c = '\0';
		*p = c + 1;
	} else {
		*p = NULL;
	}
	return it;
}

long jt_stage_label_index(const struct jt_stagerun *r, const char *label)
{
	long i = jt_rules_find(r->o.rules, label);
	if (i < 0 && r->o.deflabel && strcmp(label, r->o.deflabel) == 0)
		i = (long)jt_rules_nlabels(r->o.rules);
	return i;
}

const char *jt_stage_label(const struct jt_stagerun *r, size_t i)
{
	return i < jt_rules_nlabels(r->o.rules) ? jt_rules_label(r->o.rules, i) : r->o.deflabel;
}

const char *jt_stage_key(const struct jt_stagerun *r, uint32_t k, size_t *len)
{
	return jt_itab_key(&r->keys, k, len);
}

const char *jt_stage_cust(const struct jt_stagerun *r, uint32_t c, size_t *len)
{
	return jt_itab_key(&r->cust, c - r->cust_base, len);
}

const char *jt_stage_field(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, size_t col,
			   size_t *len)
{
	if ((long)col == r->c_cust)
		return jt_stage_cust(r, x->cust, len);
	if ((long)col == r->c_time && !jt_ts_time_kept(x->u.row)) {
		jt_time_format(x->t, v->fbuf);
		*len = 20;
		return v->fbuf;
	}
	return jt_ts_field(&r->parts[x->part]->ts, x->u.row, col, len);
}

void jt_stage_row(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, const char **f, size_t *len)
{
	size_t cl;
	const char *c = jt_stage_cust(r, x->cust, &cl);
	if (!jt_ts_time_kept(x->u.row))
		jt_time_format(x->t, v->tbuf);
	jt_ts_get(&r->parts[x->part]->ts, x->u.row, f, len, c, cl, v->tbuf, 20);
}

void jt_stage_row_out(struct vctx *v, const char *const *f, size_t n)
{
	size_t len[32];
	for (size_t i = 0; i < n; i++)
		len[i] = strlen(f[i]);
	jt_w_record(&v->w, f, len, n, 0);
}

void jt_vctx_init(struct vctx *v, FILE *fp, size_t nfields)
{
	memset(v, 0, sizeof *v);
	jt_writer_init(&v->w, fp);
	size_t n = nfields ? nfields : 1;
	v->of = jt_xcalloc(n, sizeof *v->of);
	v->ol = jt_xcalloc(n, sizeof *v->ol);
	v->num = jt_xcalloc(n, sizeof *v->num);
	v->nnum = n;
}

void jt_vctx_free(struct vctx *v)
{
	free(v->of);
	free(v->ol);
	free(v->num);
	free(v->tgt);
	memset(v, 0, sizeof *v);
}

/* ---- setup ---------------------------------------------------------------------- */

struct jt_stagerun *jt_stage_new(const struct jt_stage_opts *o)
{
	double bgp[7] = { 0 };
	if (o->params_in) {	/* first: a bad file stops the run with nothing allocated */
		int64_t unit = o->unit;
		jt_bgnbd_read_params(o->params_in, bgp, &unit);
		if (unit != o->unit)
			jt_die("--use-params %s: fitted with a unit of %lld s, not --unit's %lld s", o->params_in,
			       (long long)unit, (long long)o->unit);
	}
	struct jt_stagerun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	memcpy(r->bgp, bgp, sizeof bgp);
	r->jobs = o->sorted ? 1 : jt_jobs(o->c->jobs);
	r->budget = o->c->memory;
	r->lastperiod = INT64_MIN;
	r->maxt = INT64_MIN;
	r->deflab = o->deflabel ? jt_stage_label_index(r, o->deflabel) : -1;
	r->need_tp = o->by_touchpoint || o->returning;
	r->need_row = o->mode == JT_SM_ANNOTATE || o->mode >= JT_SM_CUSTOMERS;
	if (jt_rules_nlabels(o->rules) + 1 >= NOLABEL)
		jt_usage_error("the rules have %zu labels, more than the %u jstage holds", jt_rules_nlabels(o->rules),
			       NOLABEL - 1);
	if (o->mode == JT_SM_FUNNEL)
		jt_funnel_setup(r);
	if (o->outcome)
		jt_annotate_setup(r);
	if (o->returning)
		r->ret = jt_stage_compile(o->returning, "--returning");
	r->as_of = o->as_of;	/* known before reading when given (--sorted writes as it reads) */
	if (o->mode >= JT_SM_CUSTOMERS)
		jt_customers_setup(r);
	if (o->mode == JT_SM_COHORTS) {
		r->pbucket = jt_bucket_from_name(o->period, strlen(o->period));
		if (r->pbucket != JT_BUCKET_DAY && r->pbucket != JT_BUCKET_WEEK && r->pbucket != JT_BUCKET_MONTH)
			jt_usage_error("--cohorts: '%s' is not day, week or month", o->period);
	}
	return r;
}

void jt_stage_input(struct jt_stagerun *r, const char *path)
{
	r->in = jt_xrealloc(r->in, (r->nin + 1) * sizeof *r->in);
	r->in[r->nin++] = jt_xstrdup(path);
}

static struct part *part_new(struct jt_stagerun *r, size_t k)
{
	struct part *p = jt_xcalloc(1, sizeof *p);
	p->r = r;
	p->k = k;
	p->rj = r->rj;	/* a deferred one while a file is read in parts */
	p->ct = k == 0 ? &r->cust : &p->cust;
	p->kt = k == 0 ? &r->keys : &p->keys;
	p->gt = k == 0 ? &r->grps : &p->grps;
	p->maxt = INT64_MIN;
	if (r->noc)
		p->flag = jt_xcalloc(r->noc, sizeof *p->flag);
	jt_ts_init(&p->ts, r->h->n, r->c_cust, r->c_time);
	/* row blocks small enough that a slot's share of --memory holds many */
	uint64_t share = r->budget / 2 / r->jobs / 16;
	p->ts.blksize = share < (64 << 10) ? 64 << 10 : share > (2 << 20) ? 2 << 20 : (size_t)share;
	/* the dictionaries stay to the end (spilled rows hold their ids): an
	 * eighth of the budget, past which a column's new values are kept raw */
	p->ts.dictmax = r->budget / 8 / r->jobs;
	return p;
}

static void memo_free(struct memo *m)
{
	free(m->val);
	free(m->known);
}

static void part_free(struct part *p)
{
	if (!p)
		return;
	jt_ts_free(&p->ts);
	jt_itab_free(&p->cust);
	jt_itab_free(&p->keys);
	jt_itab_free(&p->grps);
	free(p->cnt);
	jt_xbig_free(p->tv, p->tcap * sizeof *p->tv);
	free(p->seg);
	memo_free(&p->lab);
	memo_free(&p->key);
	memo_free(&p->grp);
	memo_free(&p->step);
	memo_free(&p->ret);
	for (size_t k = 0; p->flag && k < p->r->noc; k++)
		memo_free(&p->flag[k]);
	free(p->flag);
	free(p->cmap);
	free(p->kmap);
	free(p->gmap);
	free(p);
}

/* ---- reading --------------------------------------------------------------------- */

static void mark_segments(struct jt_stagerun *r, size_t f);

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_stagerun *r = ctx;
	if (!jt_header_first(&r->h, h, src)) {
		jt_rules_bind(r->o.rules, h, src);
		return;
	}
	jt_rejects_header(r->rj, h);
	jt_timefilter_bind(&r->tf, r->o.c, h, src);
	r->c_cust = (long)jt_col_by_name(h, "customer", src);
	r->c_time = (long)jt_col_by_name(h, "time", src);
	r->c_tp = jt_col_find(h, "touchpoint");
	if (r->need_tp && r->c_tp < 0)
		r->c_tp = (long)jt_col_by_name(h, "touchpoint", src);	/* dies, listing the columns */
	r->c_grp = r->o.group && r->o.mode == JT_SM_FUNNEL ? (long)jt_col_by_name(h, r->o.group, src) : -1;
	for (size_t k = 0; k < r->nstep; k++)
		if (r->steps[k].colname)
			r->steps[k].col = (long)jt_col_by_name(h, r->steps[k].colname, src);
	for (size_t k = 0; k < r->noc; k++) {
		r->oc[k].idx = jt_col_find(h, r->oc[k].col);
		if (r->oc[k].idx < 0)
			jt_warn("--outcome %s: %s has no column '%s': it is always %s", r->oc[k].name, src, r->oc[k].col,
				r->oc[k].kind == OUT_NEXT ? "empty" : "0");
	}
	jt_rules_bind(r->o.rules, h, src);
	if (r->o.mode == JT_SM_ANNOTATE)
		jt_annotate_header(r);
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		r->c_amount = jt_col_find(h, "amount");
		r->c_nps = jt_col_find(h, "nps");
		r->c_csat = jt_col_find(h, "csat");
		r->gcol = jt_xcalloc(r->ng + 1, sizeof *r->gcol);
		for (size_t g = 0; g < r->ng; g++)
			r->gcol[g] = (long)jt_col_by_name(h, r->gname[g], src);
	}
	jt_vctx_init(&r->main, r->out, r->o.mode == JT_SM_ANNOTATE ? r->nout : 16 + r->ng);
	for (size_t k = 0; k < r->jobs; k++)
		r->parts[k] = part_new(r, k);
	r->nparts = r->jobs;
	if (r->seg_pending)
		mark_segments(r, r->seg_pending - 1);
}

/* The id of a column's value for memos: the store's dictionary id, or NOKEY. */
static uint32_t value_id(struct part *p, long col, const struct jt_record *rec)
{
	if (col < 0)
		return NOKEY;
	if (p->r->need_row)
		return jt_ts_last_id(&p->ts, (size_t)col);
	return jt_ts_intern(&p->ts, (size_t)col, rec->f[col], rec->len[col]);
}

static int memo_get(const struct memo *m, uint32_t id, uint64_t *v)
{
	if (id == NOKEY || id >= m->cap || !m->known[id])
		return 0;
	*v = m->val[id];
	return 1;
}

static void memo_put(struct memo *m, uint32_t id, uint64_t v)
{
	if (id == NOKEY)
		return;
	if (id >= m->cap) {
		size_t cap = m->cap ? m->cap : 64;
		while (cap <= id)
			cap *= 2;
		m->val = jt_xrealloc(m->val, cap * sizeof *m->val);
		m->known = jt_xrealloc(m->known, cap);
		memset(m->known + m->cap, 0, cap - m->cap);
		m->cap = cap;
	}
	m->val[id] = v;
	m->known[id] = 1;
}

/* rx on field col; a failing pattern stops the run: pre, name and post say
 * which pattern. */
static int match(struct jt_rx *rx, const struct jt_record *rec, long col, const char *src, const char *pre,
		 const char *name, const char *post)
{
	char err[256];
	if (col < 0)
		return 0;
	int m = jt_rx_match(rx, rec->f[col], rec->len[col], err, sizeof err);
	if (m < 0)
		jt_die_at(src, rec->line, "%s%s%s: %s", pre, name, post, err);
	return m;
}

static long label_of(struct part *p, const struct jt_record *rec, const char *src)
{
	struct jt_stagerun *r = p->r;
	size_t nc;
	const long *cols = jt_rules_columns(r->o.rules, &nc);
	uint32_t id = nc == 1 ? value_id(p, cols[0], rec) : NOKEY;
	uint64_t v;
	if (memo_get(&p->lab, id, &v))
		return (long)v - 1;
	char err[1024];
	long lab = jt_rules_eval(r->o.rules, rec, err, sizeof err);
	if (lab == -2)
		jt_die_at(src, rec->line, "%s", err);
	if (lab < 0)
		lab = r->deflab;
	memo_put(&p->lab, id, (uint64_t)(lab + 1));
	return lab;
}

/* Touches per customer. */
static void ccount_add(struct part *p, uint32_t c)
{
	if (c >= p->ccap) {
		size_t old = p->ccap, cap = old ? old : 1024;
		while (cap <= c)
			cap *= 2;
		p->cnt = jt_xrealloc(p->cnt, cap * sizeof *p->cnt);
		memset(p->cnt + old, 0, (cap - old) * sizeof *p->cnt);
		p->ccap = cap;
	}
	p->cnt[c]++;
}

uint64_t jt_stage_slot_bytes(const struct part *p)
{
	return p->ts.rowbytes + p->nt * sizeof *p->tv + p->ct->bytes + p->ccap * sizeof *p->cnt;
}

static void customer_done(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n, struct tch *tmp);

static int is_canonical(const char *s, size_t n, int64_t t)
{
	char buf[32];
	return n == 20 && s[10] == 'T' && s[19] == 'Z' && memcmp(jt_time_format(t, buf), s, 20) == 0;
}

static void part_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct part *p = ctx;
	struct jt_stagerun *r = p->r;
	int64_t t;
	if (jt_timefilter_keep(&r->tf, r->o.c, p->rj, src, rec) != 1)
		return;
	const char *cs = rec->f[r->c_cust], *ts = rec->f[r->c_time];
	size_t cn = rec->len[r->c_cust], tn = rec->len[r->c_time];
	if (cn == 0) {
		jt_reject(p->rj, src, rec, "missing customer", "column 'customer': empty customer id");
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		jt_reject(p->rj, src, rec, "bad time", "column 'time': '%s' is not a time", jt_show(ts, tn));
		return;
	}
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		jt_i128 amt;
		int rc;
		if (r->c_amount >= 0 && rec->len[r->c_amount] &&
		    (rc = jt_dec_parse(rec->f[r->c_amount], rec->len[r->c_amount], &amt)) != JT_NUM_OK) {
			jt_reject_number(p->rj, src, rec, "amount", NULL, rec->f[r->c_amount], rec->len[r->c_amount], rc,
					 NULL);
			return;
		}
		/* the customer table reports the last NPS and CSAT: they are read, so checked */
		static const struct { const char *name, *range; int lo, hi; } score[2] = {
			{ "nps", "in 0-10", 0, 10 }, { "csat", "in 1-5", 1, 5 } };
		long scol[2] = { r->c_nps, r->c_csat };
		for (int k = 0; k < 2 && r->o.mode == JT_SM_CUSTOMERS; k++) {
			int v;
			if (scol[k] < 0 || rec->len[scol[k]] == 0 ||
			    (rc = jt_score_parse(rec->f[scol[k]], rec->len[scol[k]], score[k].lo, score[k].hi, &v)) == JT_NUM_OK)
				continue;
			jt_reject_number(p->rj, src, rec, score[k].name, score[k].name, rec->f[scol[k]], rec->len[scol[k]],
					 rc, score[k].range);
			return;
		}
	}
	int isnew;
	uint32_t cust = jt_itab_put(p->ct, cs, cn, &isnew);
	if (r->o.sorted && (!r->have_cur || cust != r->curcust)) {
		if (r->have_cur) {	/* streaming: one customer in memory at a time */
			struct tch *tmp = jt_xmalloc(p->nt * sizeof *tmp);
			customer_done(r, &r->main, p->tv, p->nt, tmp);
			free(tmp);
			p->nt = 0;
			jt_ts_drop_rows(&p->ts);
			jt_itab_put(&r->done, &r->curcust, sizeof r->curcust, NULL);
		}
		if (jt_itab_find(&r->done, &cust, sizeof cust) != NOKEY)
			jt_die_at(src, rec->line, "customer '%s' appears again after other customers: the input is not "
				  "grouped by customer (drop --sorted)", jt_show(cs, cn));
		r->curcust = cust;
		r->have_cur = 1;
	}
	if (p->nt >= UINT32_MAX)
		jt_die_at(src, rec->line, "more than %lu touches held at once, the most jstage keeps (--sorted holds one "
			  "customer at a time)", (unsigned long)UINT32_MAX);
	if (p->nt == p->tcap) {
		/* doubling, but never past the slot's share of --memory: a full
		 * array spills rather than grows */
		size_t cap = p->tcap ? p->tcap * 2 : 4096, most = (size_t)(r->budget / 2 / r->nparts / sizeof *p->tv);
		if (!r->o.sorted && cap > most)
			cap = most > p->nt ? most : p->nt + 1;
		/* in huge pages past 1 MiB: fewer faults than realloc's 4 KiB pages */
		struct tch *nv = jt_xbig_dirty(cap * sizeof *nv);
		if (p->nt)
			memcpy(nv, p->tv, p->nt * sizeof *nv);
		jt_xbig_release(p->tv, p->tcap * sizeof *p->tv);	/* not pooled: it would stay in memory */
		p->tcap = cap;
		p->tv = nv;
	}
	struct tch *x = &p->tv[p->nt++];
	x->t = t;
	x->cust = cust;
	x->part = (uint8_t)p->k;
	x->pad = 0;
	x->mask = 0;
	x->u.row = NULL;
	if (r->need_row)
		x->u.row = jt_ts_put(&p->ts, rec, is_canonical(ts, tn, t));
	long lab = label_of(p, rec, src);
	x->label = lab < 0 ? NOLABEL : (uint16_t)lab;
	if (t > p->maxt)
		p->maxt = t;
	if (!r->o.sorted)
		ccount_add(p, cust);
	if (r->o.mode == JT_SM_ANNOTATE) {
		for (size_t k = 0; k < r->noc; k++) {
			const struct outcome *o = &r->oc[k];
			if (o->idx < 0)
				continue;
			if (o->kind == OUT_NEXT) {	/* bit k: this touch has a value for next:COL */
				if (rec->len[o->idx])
					x->mask |= (uint64_t)1 << k;
				continue;
			}
			uint32_t id = value_id(p, o->idx, rec);
			uint64_t m;
			if (!memo_get(&p->flag[k], id, &m)) {
				m = (uint64_t)match(o->rx, rec, o->idx, src, "--outcome ", o->name, "");
				memo_put(&p->flag[k], id, m);
			}
			if (m)
				x->mask |= (uint64_t)1 << k;
		}
	} else if (r->o.mode == JT_SM_PATHS || r->o.mode == JT_SM_VARIANTS) {
		uint64_t kv;
		if (r->o.by_touchpoint) {
			uint32_t id = value_id(p, r->c_tp, rec);
			if (!memo_get(&p->key, id, &kv)) {
				kv = jt_itab_put(p->kt, rec->f[r->c_tp], rec->len[r->c_tp], NULL);
				memo_put(&p->key, id, kv);
			}
		} else if (!memo_get(&p->key, x->label, &kv)) {
			const char *l = lab < 0 ? "(none)" : jt_stage_label(r, (size_t)lab);
			kv = jt_itab_put(p->kt, l, strlen(l), NULL);
			memo_put(&p->key, x->label, kv);
		}
		x->u.k.key = (uint32_t)kv;
	} else if (r->o.mode == JT_SM_FUNNEL) {
		if (r->c_grp >= 0) {
			uint32_t id = value_id(p, r->c_grp, rec);
			uint64_t g;
			if (!memo_get(&p->grp, id, &g)) {
				g = jt_itab_put(p->gt, rec->f[r->c_grp], rec->len[r->c_grp], NULL);
				memo_put(&p->grp, id, g);
			}
			x->u.k.grp = (uint32_t)g;
		}
		/* the pattern steps on the touchpoint, memoized; stage steps by label */
		uint64_t pm = 0;
		uint32_t id = value_id(p, r->c_tp, rec);
		if (!memo_get(&p->step, id, &pm)) {
			pm = 0;
			for (size_t k = 0; k < r->nstep; k++) {
				const struct step *s = &r->steps[k];
				if (s->rx && !s->colname && match(s->rx, rec, r->c_tp, src, "--funnel step '", s->name, "'"))
					pm |= (uint64_t)1 << k;
			}
			memo_put(&p->step, id, pm);
		}
		for (size_t k = 0; k < r->nstep; k++) {
			const struct step *s = &r->steps[k];
			if (s->colname) {
				if (match(s->rx, rec, s->col, src, "--funnel step '", s->name, "'"))
					pm |= (uint64_t)1 << k;
			} else if (!s->rx && lab == s->label) {
				pm |= (uint64_t)1 << k;
			}
		}
		x->mask = pm;
	} else if (r->o.mode == JT_SM_COHORTS) {
		uint64_t m = 1;
		if (r->ret) {
			uint32_t id = value_id(p, r->c_tp, rec);
			if (!memo_get(&p->ret, id, &m)) {
				m = (uint64_t)match(r->ret, rec, r->c_tp, src, "--returning", "", "");
				memo_put(&p->ret, id, m);
			}
		}
		x->mask = m;
	}
	/* the slots' touches, rows and customers: half the budget */
	if (!r->o.sorted && jt_stage_slot_bytes(p) > r->budget / 2 / r->nparts)
		jt_stage_spill(p);
}

/* ---- reading the inputs ------------------------------------------------------------- */

static void whole_header(void *ctx, const char *src, const struct jt_header *h)
{
	on_header(ctx, src, h);
}

static void whole_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_stagerun *r = ctx;
	part_record(r->parts[0], src, rec);
}

/* Slot p's segments up to f start here: its touches so far are before them. */
static void part_mark(struct part *p, size_t f)
{
	if (f + 2 > p->segcap) {
		p->segcap = (f + 2) * 2;
		p->seg = jt_xrealloc(p->seg, p->segcap * sizeof *p->seg);
	}
	for (; p->nseg <= f; p->nseg++)
		p->seg[p->nseg] = p->base + p->nt;
}

static void mark_segments(struct jt_stagerun *r, size_t f)
{
	for (size_t k = 0; k < r->nparts; k++)
		part_mark(r->parts[k], f);
	r->nseg = f + 1;
}

static void stream_slots(void *ctx, struct jt_par_stream *ps)
{
	struct jt_stagerun *r = ctx;
	for (size_t k = 0; k < r->nparts; k++) {
		ps->slot_ctx[k] = r->parts[k];
		ps->rj_at[k] = &r->parts[k]->rj;
	}
}

/* On a slot's thread, before the records of a stream's chunk i. */
static void stream_begin(void *ctx, size_t i)
{
	struct part *p = ctx;
	part_mark(p, p->r->seg0 + i);
}

/* stdin or a named pipe, on the threads chunk by chunk (jt_par_stream):
 * each chunk is a segment of the input order */
static void read_stream(struct jt_stagerun *r, const char *path, size_t f)
{
	FILE *fp = stdin;
	const char *src = "<stdin>";
	if (path && strcmp(path, "-") != 0) {
		if (!(fp = fopen(path, "rb")))
			jt_die("%s:", path);
		src = path;
	}
	if (r->h)
		mark_segments(r, f);
	else
		r->seg_pending = f + 1;
	r->seg0 = f;
	struct jt_par_stream ps;
	memset(&ps, 0, sizeof ps);
	ps.n = r->jobs;
	ps.chunk = jt_par_chunk(r->budget, r->jobs);
	ps.hf = whole_header;
	ps.hctx = r;
	ps.rf = part_record;
	ps.slots = stream_slots;
	ps.begin = stream_begin;
	size_t n = jt_par_stream(fp, src, r->o.c, r->rj, &ps);
	if (fp != stdin)
		fclose(fp);
	if (r->h)
		mark_segments(r, f + (n ? n : 1) - 1);
}

static int is_stream(const char *path)
{
	struct stat st;
	return !path || strcmp(path, "-") == 0 || (stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

static void read_file(struct jt_stagerun *r, const char *path)
{
	struct jt_split sp;
	size_t f = r->nseg;
	if (r->jobs > 1 && !r->o.sorted && is_stream(path)) {
		read_stream(r, path, f);
		return;
	}
	size_t n = r->jobs > 1 && path && !r->o.sorted ? jt_split_file(path, &r->o.c->dialect, r->jobs, &sp) : 1;
	if (n <= 1) {
		if (r->h)
			mark_segments(r, f);
		else	/* the parts are made at the first header */
			r->seg_pending = f + 1;
		jt_read(path, &r->o.c->dialect, r->rj, whole_header, whole_record, r);
		return;
	}
	unsigned long long hlines;
	jt_header_free(jt_par_header(path, &r->o.c->dialect, r->rj, &sp, whole_header, r, &hlines));
	if (!r->h)
		return;
	mark_segments(r, f);
	struct jt_par_part pp[JT_MAXJOBS];
	memset(pp, 0, n * sizeof *pp);
	for (size_t k = 0; k < n; k++) {
		pp[k].ctx = r->parts[k];
		pp[k].rj_at = &r->parts[k]->rj;
	}
	jt_par_parts(path, r->o.c, r->rj, &sp, r->h, hlines, part_record, pp);
}

/* ---- after the read: one set of ids ------------------------------------------------- */

static uint32_t *remap(struct jt_itab *into, const struct jt_itab *from)
{
	uint32_t *m = jt_xmalloc(((size_t)from->n + 1) * sizeof *m);
	for (uint32_t i = 0; i < from->n; i++) {
		size_t len;
		const char *k = jt_itab_key(from, i, &len);
		m[i] = jt_itab_put(into, k, len, NULL);
	}
	return m;
}

static void merge_slots(struct jt_stagerun *r)
{
	size_t nf = r->nseg;
	for (size_t k = 0; k < r->nparts; k++) {
		struct part *p = r->parts[k];
		part_mark(p, nf - 1);
		p->seg[nf] = p->base + p->nt;	/* the end (part_mark left room) */
		if (p->maxt > r->maxt)
			r->maxt = p->maxt;
		if (k == 0)
			continue;
		if (!r->spilled)	/* spilled touches carry their customer's id */
			p->cmap = remap(&r->cust, &p->cust);
		p->kmap = remap(&r->keys, &p->keys);
		p->gmap = remap(&r->grps, &p->grps);
	}
	if (r->spilled)
		return;
	size_t nc = r->cust.n;
	r->ccount = jt_xcalloc(nc + 1, sizeof *r->ccount);
	r->ccap = nc + 1;
	for (size_t k = 0; k < r->nparts; k++) {
		struct part *p = r->parts[k];
		size_t n = k ? p->cust.n : r->cust.n;
		for (size_t c = 0; c < n && c < p->ccap; c++) {
			uint32_t g = k ? p->cmap[c] : (uint32_t)c;
			r->ccount[g] += p->cnt[c];
		}
	}
}

static const struct jt_itab *cmp_tab;

static int cmp_cust(const void *a, const void *b)
{
	size_t la, lb;
	const char *x = jt_itab_key(cmp_tab, *(const uint32_t *)a, &la), *y = jt_itab_key(cmp_tab, *(const uint32_t *)b, &lb);
	return jt_bytes_cmp(x, la, y, lb);
}

void jt_stage_order(const struct jt_itab *t, uint32_t *ord, uint32_t *rank)
{
	for (uint32_t i = 0; i < t->n; i++)
		ord[i] = i;
	cmp_tab = t;	/* one thread sorts */
	qsort(ord, t->n, sizeof *ord, cmp_cust);
	for (uint32_t i = 0; i < t->n; i++)
		rank[ord[i]] = i;
}

/* ---- customers, one at a time ------------------------------------------------------- */

/* Stable by time: ties keep the input order they came in. */
static void sort_by_time(struct tch *t, size_t n, struct tch *tmp)
{
	size_t i;
	for (i = 1; i < n && t[i - 1].t <= t[i].t; i++)
		;
	if (i >= n)
		return;	/* mostly: already in time order */
	for (size_t w = 1; w < n; w *= 2) {	/* bottom-up merge sort */
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, a = lo, b = mid, o = lo;
			while (a < mid && b < hi)
				tmp[o++] = t[b].t < t[a].t ? t[b++] : t[a++];
			while (a < mid)
				tmp[o++] = t[a++];
			while (b < hi)
				tmp[o++] = t[b++];
		}
		memcpy(t, tmp, n * sizeof *t);
	}
}

static void customer_done(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n, struct tch *tmp)
{
	if (n == 0)
		return;
	sort_by_time(t, n, tmp);
	v->customers++;
	switch (r->o.mode) {
	case JT_SM_ANNOTATE: jt_annotate_customer(r, v, t, n); break;
	case JT_SM_PATHS: jt_paths_customer(r, t, n); break;
	case JT_SM_VARIANTS: jt_variants_customer(r, t, n); break;
	case JT_SM_FUNNEL: jt_funnel_customer(r, t, n); break;
	case JT_SM_COHORTS: jt_cohorts_customer(r, t, n); break;
	case JT_SM_BGNBD: jt_bgnbd_customer(r, v, t, n); break;
	case JT_SM_CUSTOMERS:
	case JT_SM_RETENTION:
	case JT_SM_CLV: jt_customers_customer(r, v, t, n); break;
	}
}

static void gather(const struct proc *pc, size_t rank, struct tch *one, size_t *n)
{
	const struct jt_stagerun *r = pc->r;
	uint64_t a = pc->start[rank - pc->lo], b = pc->start[rank - pc->lo + 1];
	uint32_t cust = pc->ord[rank];
	size_t k = 0;
	for (uint64_t e = a; e < b; e++) {
		uint32_t i = pc->idx[e];
		struct tch x;
		if (pc->pt) {
			x = pc->pt[i];
		} else {
			if (e + 8 < pc->start[pc->hi - pc->lo]) {	/* the touches are scattered: ask ahead */
				uint32_t ahead = pc->idx[e + 8];
				size_t s8 = 0;
				while (ahead >= pc->slotbase[s8 + 1])
					s8++;
				__builtin_prefetch(&r->parts[s8]->tv[ahead - pc->slotbase[s8]]);
			}
			size_t s = 0;
			while (i >= pc->slotbase[s + 1])
				s++;
			const struct part *p = r->parts[s];
			x = p->tv[i - pc->slotbase[s]];
			if (s && (r->o.mode == JT_SM_PATHS || r->o.mode == JT_SM_VARIANTS))
				x.u.k.key = p->kmap[x.u.k.key];
			else if (s && r->o.mode == JT_SM_FUNNEL && r->c_grp >= 0)
				x.u.k.grp = p->gmap[x.u.k.grp];
		}
		x.cust = cust + r->cust_base;
		if (r->need_row)
			__builtin_prefetch(x.u.row);	/* read soon, and far from the others */
		one[k++] = x;
	}
	*n = k;
}

static void process_ranks(struct proc *pc, size_t lo, size_t hi, struct vctx *v, struct tch *one, struct tch *tmp)
{
	for (size_t c = lo; c < hi; c++) {
		size_t n;
		gather(pc, c, one, &n);
		customer_done(pc->r, v, one, n, tmp);
	}
}

static int row_views(const struct jt_stagerun *r)
{
	return r->o.mode == JT_SM_ANNOTATE || r->o.mode == JT_SM_CUSTOMERS;
}

static void round_job(void *arg, size_t k)
{
	struct proc *pc = arg;
	struct vctx *v = &pc->vc[k];
	v->w.mem = &pc->ob[k];
	v->w.started = 1;	/* the header came first */
	process_ranks(pc, pc->cut[k], pc->cut[k + 1], v, pc->one[k], pc->tmp[k]);
	jt_writer_flush(&v->w);
}

/* Touches per thread and round: their output is held until the round ends,
 * about 150 bytes each, within an eighth of --memory. */
static uint64_t round_touches(const struct jt_stagerun *r, size_t threads)
{
	uint64_t n = r->budget / 8 / 150 / threads;
	return n < 1024 ? 1024 : n > ((uint64_t)1 << 15) ? (uint64_t)1 << 15 : n;
}

/* Every customer of ranks [lo, hi), in order, on the threads when the view
 * writes rows: rounds of about ROUND_TOUCHES touches, each cut in one slice
 * per thread, the slices' output written in order. */
void jt_stage_process(struct proc *pc)
{
	struct jt_stagerun *r = pc->r;
	size_t T = row_views(r) ? r->jobs : 1;
	if (T > pc->hi - pc->lo)
		T = pc->hi - pc->lo ? pc->hi - pc->lo : 1;
	if (!pc->one) {
		pc->one = jt_xcalloc(JT_MAXJOBS, sizeof *pc->one);
		pc->tmp = jt_xcalloc(JT_MAXJOBS, sizeof *pc->tmp);
		pc->vc = jt_xcalloc(JT_MAXJOBS, sizeof *pc->vc);
		pc->ob = jt_xcalloc(JT_MAXJOBS, sizeof *pc->ob);
		for (size_t k = 0; row_views(r) && r->jobs > 1 && k < r->jobs; k++) {
			jt_vctx_init(&pc->vc[k], NULL, r->main.nnum);
			pc->vc[k].w.delim = r->main.w.delim;
		}
	}
	if (pc->maxn + 1 > pc->onecap) {	/* a partition's customer may have more touches */
		pc->onecap = pc->maxn + 1;
		for (size_t k = 0; k < r->jobs; k++) {
			free(pc->one[k]);
			free(pc->tmp[k]);
			pc->one[k] = jt_xmalloc(pc->onecap * sizeof **pc->one);
			pc->tmp[k] = jt_xmalloc(pc->onecap * sizeof **pc->tmp);
		}
	}
	if (T <= 1) {
		process_ranks(pc, pc->lo, pc->hi, &r->main, pc->one[0], pc->tmp[0]);
		return;
	}
	jt_writer_flush(&r->main.w);
	for (size_t c = pc->lo; c < pc->hi;) {
		/* this round: customers up to about ROUND_TOUCHES touches per thread */
		uint64_t want = round_touches(r, T) * T, got = 0, per;
		size_t e = c;
		while (e < pc->hi && got < want)
			got += r->ccount[pc->ord[e++]];
		per = (got + T - 1) / T;
		size_t k = 0, x = c;
		pc->cut[0] = c;
		uint64_t acc = 0;
		for (; x < e && k + 1 < T; x++) {
			acc += r->ccount[pc->ord[x]];
			if (acc >= per * (k + 1))
				pc->cut[++k] = x + 1;
		}
		while (k + 1 < T)
			pc->cut[++k] = e;
		pc->cut[T] = e;
		jt_par_run(T, round_job, pc);
		for (size_t j = 0; j < T; j++) {
			jt_out_write(r->out, pc->ob[j].p, pc->ob[j].len);
			pc->ob[j].len = 0;
		}
		jt_out_flush(r->out);
		c = e;
	}
}

void jt_stage_proc_free(struct proc *pc)
{
	for (size_t k = 0; pc->one && k < JT_MAXJOBS; k++) {
		free(pc->one[k]);
		free(pc->tmp[k]);
		if (pc->vc[k].of)
			jt_vctx_free(&pc->vc[k]);
	}
	for (size_t k = 0; pc->vc && k < JT_MAXJOBS; k++)
		pc->r->customers += pc->vc[k].customers;
	free(pc->one);
	free(pc->tmp);
	free(pc->vc);
	for (size_t k = 0; pc->ob && k < JT_MAXJOBS; k++)
		jt_buf_free(&pc->ob[k]);
	free(pc->ob);
	pc->one = NULL;
	pc->onecap = 0;
}

/* In memory: the slots' touches indexed in customer order by a counting
 * sort over the input order (files, then parts), so ties stay in it. */
static void process_memory(struct jt_stagerun *r, uint32_t *ord, uint32_t *rank)
{
	struct proc pc;
	memset(&pc, 0, sizeof pc);
	pc.r = r;
	pc.ord = ord;
	pc.lo = 0;
	pc.hi = r->cust.n;
	size_t nc = r->cust.n, nf = r->nseg;
	uint64_t total = 0;
	for (size_t k = 0; k < r->nparts; k++) {
		pc.slotbase[k] = total;
		total += r->parts[k]->nt;
	}
	pc.slotbase[r->nparts] = total;
	for (size_t k = r->nparts + 1; k <= JT_MAXJOBS; k++)
		pc.slotbase[k] = UINT64_MAX;
	if (total >= UINT32_MAX)
		jt_die("more than %lu touches held at once, the most jstage keeps", (unsigned long)UINT32_MAX - 1);
	pc.start = jt_xcalloc(nc + 2, sizeof *pc.start);
	for (size_t c = 0; c < nc; c++) {
		pc.start[rank[c] + 1] = r->ccount[c];
		if (r->ccount[c] > pc.maxn)
			pc.maxn = r->ccount[c];
	}
	for (size_t c = 0; c < nc; c++)
		pc.start[c + 1] += pc.start[c];
	uint64_t *fill = jt_xmalloc((nc + 1) * sizeof *fill);
	memcpy(fill, pc.start, (nc + 1) * sizeof *fill);
	pc.idx = jt_xmalloc((total + 1) * sizeof *pc.idx);
	for (size_t f = 0; f < nf; f++)
		for (size_t k = 0; k < r->nparts; k++) {
			const struct part *p = r->parts[k];
			for (uint64_t i = p->seg[f]; i < p->seg[f + 1]; i++) {
				uint32_t c = p->tv[i].cust;
				if (k)
					c = p->cmap[c];
				pc.idx[fill[rank[c]]++] = (uint32_t)(pc.slotbase[k] + i);
			}
		}
	free(fill);
	jt_stage_process(&pc);
	jt_stage_proc_free(&pc);
	free(pc.start);
	free(pc.idx);
}

/* ---- the run ------------------------------------------------------------------------ */

int jt_stage_run(struct jt_stagerun *r, FILE *out)
{
	r->out = out;
	r->rj = jt_rejects_new(r->o.c);
	r->start_key = jt_itab_put(&r->keys, "(start)", 7, NULL);
	r->end_key = jt_itab_put(&r->keys, "(end)", 5, NULL);
	if (r->nin == 0)
		read_file(r, NULL);
	for (size_t i = 0; i < r->nin; i++)
		read_file(r, r->in[i]);
	int status = 0;
	if (r->o.sorted) {
		r->as_of = r->o.has_as_of ? r->o.as_of : (r->parts[0] ? r->parts[0]->maxt : INT64_MIN);
		if (r->parts[0] && r->parts[0]->nt) {
			struct tch *tmp = jt_xmalloc(r->parts[0]->nt * sizeof *tmp);
			customer_done(r, &r->main, r->parts[0]->tv, r->parts[0]->nt, tmp);
			free(tmp);
		}
	} else if ((status = jt_rejects_finish(r->rj, -1)) != 0) {
		/* too many rejects: nothing is written, as --max-rejects promises */
		free(r->hnames);
		r->hnames = NULL;
		return status;
	} else if (r->h) {
		merge_slots(r);
		r->as_of = r->o.has_as_of ? r->o.as_of : r->maxt;
		size_t nc = r->cust.n;
		if (r->o.mode == JT_SM_CUSTOMERS && (nc || r->spilled))
			jt_customers_header(r, &r->main);
		if (r->o.mode == JT_SM_ANNOTATE && (nc || r->spilled))
			jt_annotate_header_out(r, &r->main);
		if (r->spilled) {
			jt_stage_spilled(r);
		} else {
			uint32_t *ord = jt_xmalloc((nc + 1) * sizeof *ord), *rank = jt_xmalloc((nc + 1) * sizeof *rank);
			jt_stage_order(&r->cust, ord, rank);
			process_memory(r, ord, rank);
			free(ord);
			free(rank);
		}
	}
	r->customers += r->main.customers;
	if (r->h || r->o.mode != JT_SM_ANNOTATE) {
		switch (r->o.mode) {
		case JT_SM_PATHS: if (r->h) jt_paths_write(r); break;
		case JT_SM_VARIANTS: if (r->h) jt_variants_write(r); break;
		case JT_SM_FUNNEL: if (r->h) jt_funnel_write(r); break;
		case JT_SM_COHORTS: if (r->h) jt_cohorts_write(r); break;
		case JT_SM_CUSTOMERS: if (r->h && !r->ctab_header) jt_customers_header(r, &r->main); break;
		case JT_SM_RETENTION: if (r->h) jt_retention_write(r); break;
		case JT_SM_CLV: if (r->h) jt_clv_write(r); break;
		case JT_SM_BGNBD: if (r->h && jt_bgnbd_write(r) != 0) return 1; break;
		default: break;
		}
	}
	if (r->o.mode == JT_SM_ANNOTATE && r->h)
		jt_annotate_header_out(r, &r->main);	/* a header-only input: the header alone */
	if (r->main.of) {
		jt_writer_flush(&r->main.w);
		jt_out_flush(out);
	}
	return r->o.sorted ? jt_rejects_finish(r->rj, -1) : status;
}

void jt_stage_free(struct jt_stagerun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r->in);
	for (size_t k = 0; k < r->nparts; k++)
		part_free(r->parts[k]);
	jt_stage_spill_free(r);
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	jt_annotate_free(r);
	jt_funnel_free(r);
	jt_paths_free(r);
	jt_variants_free(r);
	jt_cohorts_free(r);
	jt_customers_free(r);
	jt_rx_free(r->ret);
	jt_itab_free(&r->cust);
	jt_itab_free(&r->keys);
	jt_itab_free(&r->grps);
	jt_itab_free(&r->done);
	free(r->ccount);
	jt_buf_free(&r->bgname);
	if (r->main.of)
		jt_vctx_free(&r->main);
	jt_buf_free(&r->vb);
	free(r);
}
