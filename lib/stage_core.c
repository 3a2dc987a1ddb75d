/* stage_core.c — jstage's engine: the options, the run, and handing the
 * views one customer at a time in customer-id order, from memory or from
 * the spill's partitions (stage_int.h); the reading is stage_read.c. */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_opt.h"
#include "jt_out.h"
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
	if (r->ckey)
		return jt_itab_keyp(r->ckey[c], len);
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
	/* lines of their own: the threads' contexts are made on the main thread */
	v->of = jt_xcalloc_own(n * sizeof *v->of);
	v->ol = jt_xcalloc_own(n * sizeof *v->ol);
	v->num = jt_xcalloc_own(n * sizeof *v->num);
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

void jt_stage_customer_done(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n, struct tch *tmp)
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

/* The customer of a rank: in memory the rank itself, else ord's. */
static uint32_t cust_of(const struct proc *pc, size_t rank)
{
	return pc->ord ? pc->ord[rank] : (uint32_t)rank;
}

static void gather(const struct proc *pc, size_t rank, struct tch *one, size_t *n)
{
	const struct jt_stagerun *r = pc->r;
	uint64_t a = pc->start[rank - pc->lo], b = pc->start[rank - pc->lo + 1];
	uint32_t cust = cust_of(pc, rank);
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
		jt_stage_customer_done(pc->r, v, one, n, tmp);
	}
}

static int row_views(const struct jt_stagerun *r)
{
	return r->o.mode == JT_SM_ANNOTATE || r->o.mode == JT_SM_CUSTOMERS;
}

static void round_job(void *arg, size_t k)
{
	struct proc *pc = arg;
	struct vctx *v = pc->vc[k];
	v->w.mem = pc->ob[pc->set * JT_MAXJOBS + k];
	v->w.started = 1;	/* the header came first */
	process_ranks(pc, pc->cut[k], pc->cut[k + 1], v, pc->one[k], pc->tmp[k]);
	jt_writer_flush(&v->w);
}

/* Touches per thread and round: their output is held until it is written,
 * about 150 bytes each, two rounds at a time, within an eighth of --memory. */
static uint64_t round_touches(const struct jt_stagerun *r, size_t threads)
{
	uint64_t n = r->budget / 16 / 150 / threads;
	return n < 1024 ? 1024 : n > ((uint64_t)1 << 15) ? (uint64_t)1 << 15 : n;
}

/* The output of the round before the one in hand (the set not in use). */
static void write_round(void *arg)
{
	struct proc *pc = arg;
	struct jt_buf **ob = &pc->ob[(pc->set ^ 1) * JT_MAXJOBS];
	for (size_t j = 0; j < pc->unwritten; j++) {
		jt_out_write(pc->r->out, ob[j]->p, ob[j]->len);
		ob[j]->len = 0;
	}
	if (pc->unwritten)
		jt_out_flush(pc->r->out);
	pc->unwritten = 0;
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
		pc->ob = jt_xcalloc(2 * JT_MAXJOBS, sizeof *pc->ob);
		for (size_t k = 0; row_views(r) && r->jobs > 1 && k < r->jobs; k++) {
			/* each thread's on lines of its own */
			pc->vc[k] = jt_xcalloc_own(sizeof *pc->vc[k]);
			jt_vctx_init(pc->vc[k], NULL, r->main.nnum);
			pc->vc[k]->w.delim = r->main.w.delim;
			pc->ob[k] = jt_xcalloc_own(sizeof *pc->ob[k]);
			pc->ob[JT_MAXJOBS + k] = jt_xcalloc_own(sizeof *pc->ob[k]);
		}
	}
	if (pc->maxn + 1 > pc->onecap) {	/* a partition's customer may have more touches */
		pc->onecap = pc->maxn + 1;
		for (size_t k = 0; k < r->jobs; k++) {
			free(pc->one[k]);
			free(pc->tmp[k]);
			pc->one[k] = jt_xcalloc_own(pc->onecap * sizeof **pc->one);	/* written by thread k */
			pc->tmp[k] = jt_xcalloc_own(pc->onecap * sizeof **pc->tmp);
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
			got += r->ccount[cust_of(pc, e++)];
		per = (got + T - 1) / T;
		size_t k = 0, x = c;
		pc->cut[0] = c;
		uint64_t acc = 0;
		for (; x < e && k + 1 < T; x++) {
			acc += r->ccount[cust_of(pc, x)];
			if (acc >= per * (k + 1))
				pc->cut[++k] = x + 1;
		}
		while (k + 1 < T)
			pc->cut[++k] = e;
		pc->cut[T] = e;
		/* the round before is written while the threads work on this one */
		pc->set ^= 1;
		jt_par_run_beside(T, round_job, pc, write_round, pc);
		pc->unwritten = T;
		c = e;
	}
	pc->set ^= 1;
	write_round(pc);
}

void jt_stage_proc_free(struct proc *pc)
{
	for (size_t k = 0; pc->one && k < JT_MAXJOBS; k++) {
		free(pc->one[k]);
		free(pc->tmp[k]);
		if (pc->vc[k]) {
			pc->r->customers += pc->vc[k]->customers;
			jt_vctx_free(pc->vc[k]);
			free(pc->vc[k]);
		}
	}
	free(pc->one);
	free(pc->tmp);
	free(pc->vc);
	for (size_t k = 0; pc->ob && k < 2 * JT_MAXJOBS; k++)
		if (pc->ob[k]) {
			jt_buf_free(pc->ob[k]);
			free(pc->ob[k]);
		}
	free(pc->ob);
	pc->one = NULL;
	pc->onecap = 0;
}

/* ---- the run ------------------------------------------------------------------------ */

int jt_stage_run(struct jt_stagerun *r, FILE *out)
{
	r->out = out;
	r->rj = jt_rejects_new(r->o.c);
	r->start_key = jt_itab_put(&r->keys, "(start)", 7, NULL);
	r->end_key = jt_itab_put(&r->keys, "(end)", 5, NULL);
	jt_stage_read(r);
	int status = 0;
	if (r->o.sorted) {
		r->as_of = r->o.has_as_of ? r->o.as_of : (r->parts[0] ? r->parts[0]->maxt : INT64_MIN);
		if (r->parts[0] && r->parts[0]->nt) {
			struct tch *tmp = jt_xmalloc(r->parts[0]->nt * sizeof *tmp);
			jt_stage_customer_done(r, &r->main, r->parts[0]->tv, r->parts[0]->nt, tmp);
			free(tmp);
		}
	} else if ((status = jt_rejects_finish(r->rj, -1)) != 0) {
		/* too many rejects: nothing is written, as --max-rejects promises */
		free(r->hnames);
		r->hnames = NULL;
		return status;
	} else if (r->h) {
		jt_stage_merge_slots(r);
		r->as_of = r->o.has_as_of ? r->o.as_of : r->maxt;
		size_t nc = 0;
		for (size_t k = 0; k < r->nparts; k++)
			nc += r->parts[k]->ct->n;
		if (r->o.mode == JT_SM_CUSTOMERS && (nc || r->spilled))
			jt_customers_header(r, &r->main);
		if (r->o.mode == JT_SM_ANNOTATE && (nc || r->spilled))
			jt_annotate_header_out(r, &r->main);
		if (r->spilled) {
			jt_stage_spilled(r);
		} else {
			jt_stage_memory(r);
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
		jt_stage_part_free(r->parts[k]);
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
	free(r->ckey);
	jt_buf_free(&r->bgname);
	if (r->main.of)
		jt_vctx_free(&r->main);
	jt_buf_free(&r->vb);
	free(r);
}
