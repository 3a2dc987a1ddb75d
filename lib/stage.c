/* stage.c — jstage: touches grouped into customer timelines (sorted by
 * customer id, then time, ties in input order), stages from rules, outcomes,
 * and the journey views. Each view is a function over one customer's
 * touches; the totals are written at the end. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jt_clv.h"
#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_paths.h"
#include "jt_reject.h"
#include "jt_rules.h"
#include "jt_rx.h"
#include "jt_stage.h"
#include "jt_stats.h"
#include "jt_time.h"
#include "jt_tz.h"

#define MAXSTEP 64
#define NOKEY UINT32_MAX

struct tch {
	int64_t t;
	uint64_t seq;
	uint32_t cust;
	uint32_t key;	/* interned stage or touchpoint (views) */
	uint32_t grp;	/* interned -g value (funnel) */
	uint32_t label;	/* stage index, NOKEY when none */
	uint64_t mask;	/* funnel steps this touch matches; bit 0 = --returning for cohorts */
	char *row;	/* annotate: the packed record */
	unsigned long long line;
};

struct step {
	long label;	/* stage index, or -1 */
	struct jt_rx *rx;	/* pattern on touchpoint */
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
	uint32_t cust;
	struct jt_rfm rfm;
};

struct csum {	/* one customer, for --retention and --clv */
	int64_t first, last;
	uint64_t orders;
	jt_i128 revenue;
	uint32_t grp;
};

struct jt_stagerun {
	struct jt_stage_opts o;
	double bgp[7];	/* --use-params, read before any input */
	char **in;
	size_t nin;
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_header *h;
	long c_cust, c_time, c_tp, c_grp;
	/* own columns */
	long c_stage, c_step, c_gap;
	size_t nout;	/* output columns */
	struct outcome *oc;
	size_t noc;
	/* touches */
	struct tch *tv;
	size_t nt, tcap;
	struct jt_map cust;	/* id -> index */
	struct jt_map keys;	/* interned keys */
	struct jt_map grps;
	struct jt_arena ar;
	uint64_t seq;
	uint32_t curcust;	/* --sorted: the customer being read */
	int have_cur;
	struct jt_map done;	/* --sorted: customers finished */
	/* views */
	struct step steps[MAXSTEP];
	size_t nstep;
	struct jt_rx *ret;
	uint32_t start_key, end_key;	/* (start) and (end) of --paths */
	int need_tp;	/* touchpoint patterns need the touchpoint column */
	/* customer table, retention, CLV */
	long c_amount, c_nps, c_csat;
	long *gcol;
	char **gname;
	size_t ng;
	int64_t maxt, as_of;
	struct csum *cs;
	size_t ncs, cscap;
	struct jt_map cgroups;	/* group key -> index */
	jt_i128 margin, discount;	/* scaled decimals */
	int ctab_header;
	struct bgc *bg;
	size_t nbg, bgcap;
	const char **hnames;	/* annotate: the header, until the first row */
	size_t *hlens;
	long deflab;	/* the stage of unmatched touches: --default's index, or -1 */
	struct jt_map edges;
	struct edge *ev;
	size_t nev, evcap;
	struct jt_map variants;
	struct variant *vv;
	size_t nvv, vvcap;
	struct bucket **bk;	/* per grp index (+1 for the total) */
	size_t nbk;
	struct cohort *co;
	size_t nco, cocap;
	struct jt_map comap;	/* cohort period (8 bytes) -> index in co */
	int64_t firstperiod;	/* the earliest cohort */
	int64_t lastperiod;	/* the latest period of any touch */
	enum jt_bucket pbucket;
	uint64_t customers;
	/* output */
	FILE *out;
	struct jt_writer w;
	const char **of;
	size_t *ol;
	char (*num)[64];
	struct jt_buf vb;
	int header_done;
};

/* ---- setup ---------------------------------------------------------------- */

static struct jt_rx *compile(const char *pat, const char *what)
{
	char err[256];
	struct jt_rx *rx = jt_rx_new(pat, strlen(pat), 0, err, sizeof err);
	if (!rx)
		jt_usage_error("%s: '%s': %s", what, pat, err);
	return rx;
}

static int64_t duration(const char *s, const char *what)
{
	int64_t v;
	if (jt_duration_parse(s, &v) != 0 || v <= 0)
		jt_usage_error("%s: '%s' is not a duration (N followed by s, m, h, d or w, e.g. 90d)", what, s);
	return v;
}

/* The next item of a comma list (empty items kept); NULL at the end. */
static char *next_item(char **p)
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

/* The stage index of a label: a rules label, or the --default label. */
static long stage_index(const struct jt_stagerun *r, const char *label)
{
	long i = jt_rules_find(r->o.rules, label);
	if (i < 0 && r->o.deflabel && strcmp(label, r->o.deflabel) == 0)
		i = (long)jt_rules_nlabels(r->o.rules);
	return i;
}

static const char *stage_name(const struct jt_stagerun *r, size_t i)
{
	return i < jt_rules_nlabels(r->o.rules) ? jt_rules_label(r->o.rules, i) : r->o.deflabel;
}

static void parse_steps(struct jt_stagerun *r)
{
	char *list = jt_xstrdup(r->o.steps), *cur = list;
	for (char *it; (it = next_item(&cur));) {
		if (!*it)
			jt_usage_error("--funnel: an empty step in '%s'", r->o.steps);
		if (r->nstep == MAXSTEP)
			jt_usage_error("--funnel: more than %d steps", MAXSTEP);
		struct step *s = &r->steps[r->nstep++];
		s->label = -1;
		s->name = jt_xstrdup(it);
		if (strncmp(it, "touchpoint:", 11) == 0) {
			s->rx = compile(it + 11, "--funnel");
		} else if (strncmp(it, "stage:", 6) == 0) {
			s->label = stage_index(r, it + 6);
			if (s->label < 0)
				jt_usage_error("--funnel: '%s' is not a stage of the rules (or --default)", it + 6);
		} else if ((s->label = stage_index(r, it)) < 0) {
			s->rx = compile(it, "--funnel");	/* not a stage: a touchpoint pattern */
			r->need_tp = 1;
		}
	}
	free(list);
	if (r->nstep < 1)
		jt_usage_error("--funnel: no steps (a comma list of stages or touchpoint patterns)");
	if (r->o.step_windows) {
		char *wl = jt_xstrdup(r->o.step_windows), *wc = wl;
		size_t k = 1;
		for (char *it; (it = next_item(&wc)); k++) {
			if (k >= r->nstep)
				jt_usage_error("--step-windows: more windows than steps after the first (%zu)", r->nstep - 1);
			if (!*it)
				jt_usage_error("--step-windows: an empty window in '%s' (write - for none)", r->o.step_windows);
			r->steps[k].win = strcmp(it, "-") == 0 ? 0 : duration(it, "--step-windows");
		}
		free(wl);
	}
	if (r->o.step_windows && r->o.order == JT_FO_UNORDERED)
		jt_usage_error("--step-windows: an unordered funnel has no step before another");
	if (r->o.attrib == JT_AT_STEP && r->o.attrib_step > r->nstep)
		jt_usage_error("--attribution step:%u: the funnel has %zu steps", r->o.attrib_step, r->nstep);
	if (r->o.order == JT_FO_UNORDERED)	/* row k means "k of the steps, in any order" */
		for (size_t k = 0; k < r->nstep; k++) {
			struct jt_buf b = JT_BUF_INIT;
			jt_buf_printf(&b, "%zu of %zu", k + 1, r->nstep);
			free(r->steps[k].name);
			r->steps[k].name = b.p;
		}
}

static void parse_outcomes(struct jt_stagerun *r)
{
	const char *spec = r->o.outcome;
	if (strcmp(spec, "default") == 0)
		spec = "next:nps,next:csat,referred=touchpoint:^referral_sent$";
	char *list = jt_xstrdup(spec), *save = NULL;
	for (char *it = strtok_r(list, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		if (r->noc == 64)
			jt_usage_error("--outcome: more than 64 outcomes");
		r->oc = jt_xrealloc(r->oc, (r->noc + 1) * sizeof *r->oc);
		struct outcome *o = &r->oc[r->noc++];
		memset(o, 0, sizeof *o);
		o->idx = -1;
		char *eq = strchr(it, '=');
		if (strncmp(it, "next:", 5) == 0 && (!eq || eq > strchr(it, ':'))) {
			o->kind = OUT_NEXT;
			o->col = jt_xstrdup(it + 5);
			struct jt_buf b = JT_BUF_INIT;
			jt_buf_printf(&b, "next_%s", o->col);
			o->name = b.p;
			if (!*o->col)
				jt_usage_error("--outcome: 'next:' needs a column");
			continue;
		}
		char *colon = eq ? strchr(eq, ':') : NULL;
		if (!eq || !colon || eq == it || colon == eq + 1)
			jt_usage_error("--outcome: '%s' is not next:COL or NAME=COL:PATTERN", it);
		o->kind = OUT_FLAG;
		o->name = jt_xmemdup(it, (size_t)(eq - it));
		o->col = jt_xmemdup(eq + 1, (size_t)(colon - eq - 1));
		o->rx = compile(colon + 1, "--outcome");
	}
	free(list);
}

static void read_params(const char *path, double *p, int64_t *unit);

struct jt_stagerun *jt_stage_new(const struct jt_stage_opts *o)
{
	double bgp[7] = { 0 };
	if (o->params_in) {	/* first: a bad file stops the run with nothing allocated */
		int64_t unit = o->unit;
		read_params(o->params_in, bgp, &unit);
		if (unit != o->unit)
			jt_die("--use-params %s: fitted with a unit of %lld s, not --unit's %lld s", o->params_in,
			       (long long)unit, (long long)o->unit);
	}
	struct jt_stagerun *r = jt_xcalloc(1, sizeof *r);
	r->o = *o;
	memcpy(r->bgp, bgp, sizeof bgp);
	r->lastperiod = INT64_MIN;
	r->deflab = o->deflabel ? stage_index(r, o->deflabel) : -1;
	r->need_tp = o->by_touchpoint || o->returning;
	if (o->mode == JT_SM_FUNNEL)
		parse_steps(r);
	if (o->outcome)
		parse_outcomes(r);
	if (o->returning)
		r->ret = compile(o->returning, "--returning");
	r->maxt = INT64_MIN;
	r->as_of = o->as_of;	/* known before reading when given (--sorted writes as it reads) */
	if (o->mode >= JT_SM_CUSTOMERS) {
		if (o->sorted && !o->has_as_of && o->mode == JT_SM_CUSTOMERS)
			jt_usage_error("--customers with --sorted writes as it reads: give --as-of");
		if (o->group) {
			char *list = jt_xstrdup(o->group), *cur = list;
			for (char *it; (it = next_item(&cur));) {
				if (!*it)
					jt_usage_error("-g: an empty column name in '%s'", o->group);
				r->gname = jt_xrealloc(r->gname, (r->ng + 1) * sizeof *r->gname);
				r->gname[r->ng++] = jt_xstrdup(it);
			}
			free(list);
		}
		r->margin = JT_DEC_SCALE;
		if (o->margin && (jt_dec_parse(o->margin, strlen(o->margin), &r->margin) != JT_NUM_OK ||
				  r->margin <= 0 || r->margin > JT_DEC_SCALE))
			jt_usage_error("--margin: '%s' is not a share in (0, 1]", o->margin);
		if (o->discount && (jt_dec_parse(o->discount, strlen(o->discount), &r->discount) != JT_NUM_OK ||
				    r->discount < 0 || r->discount >= JT_DEC_SCALE))
			jt_usage_error("--discount: '%s' is not a monthly rate in [0, 1)", o->discount);
		if (o->mode == JT_SM_RETENTION) {
			if (o->has_from != o->has_to || !!o->rperiod == (o->has_from && o->has_to))
				jt_usage_error("--retention needs --period PERIOD or --from TIME --to TIME");
			if (o->rperiod) {
				enum jt_bucket pb = jt_bucket_from_name(o->rperiod, strlen(o->rperiod));
				if (pb == JT_BUCKET_NONE)
					jt_usage_error("--period: '%s' is not day, week, month, quarter or year", o->rperiod);
			} else if (o->to <= o->from) {
				jt_usage_error("--to must come after --from");
			}
		}
	}
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

/* ---- rows in memory ---------------------------------------------------------- */

static char *pack(struct jt_stagerun *r, const struct jt_record *rec)
{
	size_t need = sizeof(uint32_t) * (rec->n + 1);
	for (size_t i = 0; i < rec->n; i++)
		need += rec->len[i];
	char *p = jt_arena_alloc(&r->ar, need);
	uint32_t n = (uint32_t)rec->n;
	memcpy(p, &n, 4);
	char *q = p + 4 + 4 * rec->n;
	for (size_t i = 0; i < rec->n; i++) {
		uint32_t l = (uint32_t)rec->len[i];
		memcpy(p + 4 + 4 * i, &l, 4);
		memcpy(q, rec->f[i], rec->len[i]);
		q += rec->len[i];
	}
	return p;
}

/* Field i of a packed row. */
static const char *field(const char *p, size_t i, size_t *len)
{
	uint32_t n, l;
	memcpy(&n, p, 4);
	const char *q = p + 4 + 4 * (size_t)n;
	for (size_t k = 0; k < i; k++) {
		memcpy(&l, p + 4 + 4 * k, 4);
		q += l;
	}
	memcpy(&l, p + 4 + 4 * i, 4);
	*len = l;
	return q;
}

static uint32_t intern(struct jt_map *m, const char *s, size_t n)
{
	int isnew;
	return (uint32_t)jt_map_put(m, s, n, 0, &isnew);
}

/* ---- outputs of the views, per customer ------------------------------------- */

static const char *keyname(const struct jt_stagerun *r, uint32_t k, size_t *len)
{
	*len = r->keys.ent[k].len;
	return r->keys.ent[k].key;
}

static void annotate_header(struct jt_stagerun *r)
{
	const struct jt_header *h = r->h;
	r->nout = h->n;
	long *own[] = { &r->c_stage, &r->c_step, &r->c_gap };
	const char *names[] = { "stage", "step", "gap_s" };
	for (int k = 0; k < 3; k++) {
		*own[k] = -1;
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->name[i], names[k]) == 0)
				*own[k] = (long)i;	/* a second run replaces its own columns in place */
		if (*own[k] < 0)
			*own[k] = (long)r->nout++;
	}
	for (size_t k = 0; k < r->noc; k++) {
		r->oc[k].outcol = -1;
		for (size_t i = 0; i < h->n; i++)
			if (strcmp(h->name[i], r->oc[k].name) == 0)
				r->oc[k].outcol = (long)i;
		if (r->oc[k].outcol < 0)
			r->oc[k].outcol = (long)r->nout++;
	}
	r->of = jt_xcalloc(r->nout, sizeof *r->of);
	r->ol = jt_xcalloc(r->nout, sizeof *r->ol);
	r->num = jt_xcalloc(r->nout, sizeof *r->num);
	const char **names_out = jt_xcalloc(r->nout, sizeof *names_out);
	size_t *lens = jt_xcalloc(r->nout, sizeof *lens);
	for (size_t i = 0; i < h->n; i++) {
		names_out[i] = h->name[i];
		lens[i] = h->len[i];
	}
	for (int k = 0; k < 3; k++) {
		names_out[*own[k]] = names[k];
		lens[*own[k]] = strlen(names[k]);
	}
	for (size_t k = 0; k < r->noc; k++) {
		names_out[r->oc[k].outcol] = r->oc[k].name;
		lens[r->oc[k].outcol] = strlen(r->oc[k].name);
	}
	r->hnames = names_out;	/* written with the first row (or at the end) */
	r->hlens = lens;
}

static void header_out(struct jt_stagerun *r)
{
	if (!r->hnames)
		return;
	jt_w_record(&r->w, r->hnames, r->hlens, r->nout, 0);
	free(r->hnames);
	free(r->hlens);
	r->hnames = NULL;
	r->hlens = NULL;
}

static void do_annotate(struct jt_stagerun *r, struct tch *t, size_t n)
{
	size_t noc = r->noc;
	header_out(r);
	long nextidx[64];
	for (size_t k = 0; k < noc && k < 64; k++)
		nextidx[k] = -1;
	/* outcome targets, from the last touch backwards: the nearest later touch */
	long *tgt = noc ? jt_xmalloc(n * noc * sizeof *tgt) : NULL;
	for (size_t i = n; i-- > 0;) {
		for (size_t k = 0; k < noc; k++)
			tgt[i * noc + k] = nextidx[k];
		for (size_t k = 0; k < noc; k++) {
			const struct outcome *o = &r->oc[k];
			size_t len;
			if (o->idx < 0)
				continue;
			int hit = (int)(t[i].mask >> k & 1);	/* a flag's pattern was matched as it was read */
			if (o->kind == OUT_NEXT) {
				field(t[i].row, (size_t)o->idx, &len);
				hit = len > 0;
			}
			if (hit)
				nextidx[k] = (long)i;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *row = t[i].row;
		uint32_t nf;
		memcpy(&nf, row, 4);
		memset(r->ol, 0, r->nout * sizeof *r->ol);	/* empty fields' pointers are not read */
		const char *q = row + 4 + 4 * (size_t)nf;
		for (size_t c = 0; c < nf && c < r->h->n; c++) {	/* unpack the row in one pass */
			uint32_t l;
			memcpy(&l, row + 4 + 4 * c, 4);
			r->of[c] = q;
			r->ol[c] = l;
			q += l;
		}
		r->of[r->c_stage] = t[i].label != NOKEY ? stage_name(r, t[i].label) : "";
		r->ol[r->c_stage] = strlen(r->of[r->c_stage]);
		r->of[r->c_step] = jt_fmt_u64(i + 1, r->num[r->c_step]);
		r->ol[r->c_step] = strlen(r->of[r->c_step]);
		if (i > 0) {	/* touches are in time order: gaps are never negative */
			jt_fmt_u64((uint64_t)(t[i].t - t[i - 1].t), r->num[r->c_gap]);
			r->of[r->c_gap] = r->num[r->c_gap];
			r->ol[r->c_gap] = strlen(r->num[r->c_gap]);
		} else {
			r->ol[r->c_gap] = 0;
		}
		for (size_t k = 0; k < noc; k++) {
			const struct outcome *o = &r->oc[k];
			long j = tgt[i * noc + k];
			int in = j >= 0 && t[j].t - t[i].t <= r->o.window;
			if (o->kind == OUT_NEXT) {
				if (in) {
					r->of[o->outcol] = field(t[j].row, (size_t)o->idx, &r->ol[o->outcol]);
				} else {
					r->ol[o->outcol] = 0;
				}
			} else {
				r->of[o->outcol] = in ? "1" : "0";
				r->ol[o->outcol] = 1;
			}
		}
		jt_w_record(&r->w, r->of, r->ol, r->nout, 0);
	}
	free(tgt);
}

static struct edge *edge_at(struct jt_stagerun *r, uint32_t from, uint32_t to)
{
	uint32_t k[2] = { from, to };
	int isnew;
	size_t e = jt_map_put(&r->edges, k, sizeof k, 0, &isnew);
	if (isnew) {
		void *p = r->ev;
		jt_xgrow(&p, &r->evcap, e + 1, sizeof *r->ev);
		r->ev = p;
		memset(&r->ev[e], 0, sizeof r->ev[e]);
		r->ev[e].from = from;
		r->ev[e].to = to;
		r->ev[e].lastcust = NOKEY;
		r->nev = e + 1;
	}
	return &r->ev[e];
}

static void edge_add(struct edge *e, uint32_t cust, int64_t gap, int has_gap)
{
	e->count++;
	if (e->lastcust != cust) {
		e->customers++;
		e->lastcust = cust;
	}
	if (has_gap) {
		void *p = e->gap;
		jt_xgrow(&p, &e->gcap, e->ngap + 1, sizeof *e->gap);
		e->gap = p;
		e->gap[e->ngap++] = gap;
	}
}

static void do_paths(struct jt_stagerun *r, struct tch *t, size_t n)
{
	edge_add(edge_at(r, r->start_key, t[0].key), t[0].cust, 0, 0);
	for (size_t i = 1; i < n; i++)
		edge_add(edge_at(r, t[i - 1].key, t[i].key), t[i].cust, t[i].t - t[i - 1].t, 1);
	edge_add(edge_at(r, t[n - 1].key, r->end_key), t[n - 1].cust, 0, 0);
}

static void do_variants(struct jt_stagerun *r, struct tch *t, size_t n)
{
	struct jt_buf *b = &r->vb;
	jt_buf_reset(b);
	jt_buf_add(b, "", 0);
	uint64_t *seen = NULL;
	size_t nseen = 0;
	uint32_t prev = NOKEY;
	size_t nsteps = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t k = t[i].key;
		if (r->o.collapse && k == prev)
			continue;
		if (r->o.first_only) {
			size_t s;
			for (s = 0; s < nseen && seen[s] != k; s++)
				;
			if (s < nseen)
				continue;
			seen = jt_xrealloc(seen, (nseen + 1) * sizeof *seen);
			seen[nseen++] = k;
		}
		size_t len;
		const char *name = keyname(r, k, &len);
		if (prev != NOKEY)	/* not the first item (an empty first item still needs the separator) */
			jt_buf_adds(b, " > ");
		jt_buf_add(b, name, len);
		prev = k;
		nsteps++;
	}
	free(seen);
	int isnew;
	size_t v = jt_map_put(&r->variants, b->p, b->len, 0, &isnew);
	if (isnew) {
		void *p = r->vv;
		jt_xgrow(&p, &r->vvcap, v + 1, sizeof *r->vv);
		r->vv = p;
		memset(&r->vv[v], 0, sizeof r->vv[v]);
		r->nvv = v + 1;
	}
	struct variant *va = &r->vv[v];
	va->count++;
	va->steps = nsteps;
	void *p = va->dur;
	jt_xgrow(&p, &va->cap, va->n + 1, sizeof *va->dur);
	va->dur = p;
	va->dur[va->n++] = t[n - 1].t - t[0].t;
}

/* One funnel attempt from touch i: the furthest step, with the first time and
 * touch of each step reached. */
static size_t attempt(const struct jt_stagerun *r, const struct tch *t, size_t n, size_t i, int64_t *first,
		      size_t *pos)
{
	size_t ns = r->nstep, reach = 1;
	int64_t t0 = t[i].t, latest[MAXSTEP];
	int set[MAXSTEP] = { 0 };
	first[0] = t0;
	pos[0] = i;
	latest[0] = t0;
	set[0] = 1;
	if (r->o.order == JT_FO_STRICT) {
		for (size_t j = i + 1; j < n && reach < ns; j++) {
			if (!(t[j].mask >> reach & 1) || t[j].t - t0 > r->o.window ||
			    (r->steps[reach].win && t[j].t - t[j - 1].t > r->steps[reach].win))
				break;
			first[reach] = t[j].t;
			pos[reach] = j;
			reach++;
		}
		return reach;
	}
	if (r->o.order == JT_FO_UNORDERED) {
		uint64_t done = 0;
		reach = 0;
		for (size_t j = i; j < n && t[j].t - t0 <= r->o.window; j++) {
			uint64_t m = t[j].mask & ~done;
			if (!m)
				continue;
			done |= m & -m;	/* a touch counts for one step: the first it matches */
			first[reach] = t[j].t;
			pos[reach] = j;
			reach++;
			if (reach == ns)
				break;
		}
		return reach;
	}
	for (size_t j = i + 1; j < n && t[j].t - t0 <= r->o.window; j++) {
		for (size_t k = ns; k-- > 0;) {	/* downwards: one touch is not two steps */
			if (!(t[j].mask >> k & 1))
				continue;
			if (k == 0) {
				latest[0] = t[j].t;
				continue;
			}
			if (!set[k - 1] || (r->steps[k].win && t[j].t - latest[k - 1] > r->steps[k].win))
				continue;
			if (!set[k]) {
				set[k] = 1;
				first[k] = t[j].t;
				pos[k] = j;
				if (k + 1 > reach)
					reach = k + 1;
			}
			latest[k] = t[j].t;
		}
		if (reach == ns)
			break;
	}
	return reach;
}

static struct bucket *bucket_of(struct jt_stagerun *r, size_t g)
{
	if (g >= r->nbk) {
		r->bk = jt_xrealloc(r->bk, (g + 1) * sizeof *r->bk);
		for (size_t i = r->nbk; i <= g; i++)
			r->bk[i] = NULL;
		r->nbk = g + 1;
	}
	if (!r->bk[g])
		r->bk[g] = jt_xcalloc(1, sizeof **r->bk);
	return r->bk[g];
}

static void bucket_add(struct jt_stagerun *r, size_t g, size_t reach, const int64_t *first)
{
	struct bucket *b = bucket_of(r, g);
	for (size_t k = 0; k < reach; k++) {
		b->reached[k]++;
		void *p = b->tt[k];
		jt_xgrow(&p, &b->ttcap[k], b->ntt[k] + 1, sizeof *b->tt[k]);
		b->tt[k] = p;
		b->tt[k][b->ntt[k]++] = first[k] - first[0];
	}
}

static void do_funnel(struct jt_stagerun *r, struct tch *t, size_t n)
{
	int64_t first[MAXSTEP], bfirst[MAXSTEP];
	size_t pos[MAXSTEP], bpos[MAXSTEP], best = 0;
	for (size_t i = 0; i < n && best < r->nstep; i++) {
		uint64_t startmask = r->o.order == JT_FO_UNORDERED ? ~(uint64_t)0 : 1;
		if (!(t[i].mask & startmask))
			continue;
		size_t reach = attempt(r, t, n, i, first, pos);
		if (reach > best) {
			best = reach;
			memcpy(bfirst, first, sizeof first);
			memcpy(bpos, pos, sizeof pos);
		}
	}
	if (best == 0)
		return;
	bucket_add(r, 0, best, bfirst);	/* bucket 0: every customer */
	if (!r->o.group)
		return;
	switch (r->o.attrib) {
	case JT_AT_FIRST: bucket_add(r, 1 + t[bpos[0]].grp, best, bfirst); break;
	case JT_AT_LAST: bucket_add(r, 1 + t[bpos[best - 1]].grp, best, bfirst); break;
	case JT_AT_STEP: {
		size_t k = r->o.attrib_step - 1;
		uint32_t g = k < best ? t[bpos[k]].grp : intern(&r->grps, "", 0);
		bucket_add(r, 1 + g, best, bfirst);
		break;
	}
	case JT_AT_ALL: {
		uint32_t seen[MAXSTEP];
		size_t ns = 0;
		for (size_t k = 0; k < best; k++) {
			uint32_t g = t[bpos[k]].grp;
			size_t s;
			for (s = 0; s < ns && seen[s] != g; s++)
				;
			if (s < ns)
				continue;
			seen[ns++] = g;
			bucket_add(r, 1 + g, best, bfirst);
		}
		break;
	}
	}
}

/* --tz: the wall-clock time of instant t in the zone (t itself in UTC). */
static int64_t local_of(const struct jt_tz *z, int64_t t) { return z ? t + jt_tz_offset(z, t) : t; }

static int64_t period_of(enum jt_bucket b, int64_t t)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	if (b == JT_BUCKET_DAY)
		return days;
	if (b == JT_BUCKET_WEEK) {	/* Monday-based weeks; 1970-01-01 was a Thursday */
		int64_t x = days + 3;
		return x >= 0 ? x / 7 : -((-x + 6) / 7);
	}
	int64_t y;
	unsigned m, d;
	jt_civil_from_days(days, &y, &m, &d);
	return y * 12 + (int64_t)m - 1;
}

/* Periods of a cohort table: with the cohort and customers columns, the
 * most fields a record may have for jtools to read it back (1,048,576). */
#define JT_COHORT_MAX_PERIODS 1048574

static void do_cohorts(struct jt_stagerun *r, struct tch *t, size_t n)
{
	int64_t p0 = period_of(r->pbucket, local_of(r->o.tz, t[0].t));
	int isnew;
	size_t c = jt_map_put(&r->comap, &p0, sizeof p0, 0, &isnew);
	if (isnew) {
		if (r->nco == 0 || p0 < r->firstperiod)
			r->firstperiod = p0;
		void *p = r->co;
		jt_xgrow(&p, &r->cocap, r->nco + 1, sizeof *r->co);
		r->co = p;
		memset(&r->co[c], 0, sizeof r->co[c]);
		r->co[c].period = p0;
		jt_time_bucket(local_of(r->o.tz, t[0].t), r->pbucket, r->co[c].label);
		r->nco++;
	}
	struct cohort *co = &r->co[c];
	co->size++;
	int64_t last = -1;
	for (size_t i = 0; i < n; i++) {
		int64_t pp = period_of(r->pbucket, local_of(r->o.tz, t[i].t)), k = pp - p0;
		if (pp > r->lastperiod)
			r->lastperiod = pp;
		if (r->lastperiod - r->firstperiod >= JT_COHORT_MAX_PERIODS)
			jt_die("--cohorts %s: the touches span more than %d periods, the most a cohort table has "
			       "columns for (use a longer period, or --since and --until)", r->o.period,
			       JT_COHORT_MAX_PERIODS);
		if (i > 0 && !(t[i].mask & 1))
			continue;	/* not a returning touch */
		if ((size_t)k >= co->nact) {
			size_t nn = (size_t)k + 1;
			co->active = jt_xrealloc(co->active, nn * sizeof *co->active);
			memset(co->active + co->nact, 0, (nn - co->nact) * sizeof *co->active);
			co->nact = nn;
		}
		if (k == last)
			continue;
		if (r->o.unbounded) {
			for (int64_t j = last + 1; j <= k; j++)
				co->active[j]++;
		} else {
			co->active[k]++;
		}
		last = k;
	}
}

static int is_tp(const char *row, long c, const char *name)
{
	size_t len;
	if (c < 0)
		return 0;
	const char *v = field(row, (size_t)c, &len);
	return len == strlen(name) && memcmp(v, name, len) == 0;
}

/* The group key of a customer: the -g values of their first touch. */
static uint32_t group_of(struct jt_stagerun *r, const char *row)
{
	struct jt_buf *b = &r->vb;
	jt_buf_reset(b);
	jt_buf_add(b, "", 0);
	for (size_t g = 0; g < r->ng; g++) {
		size_t len;
		const char *v = field(row, (size_t)r->gcol[g], &len);
		jt_key_add(b, v, len);
	}
	return intern(&r->cgroups, b->p, b->len);
}

/* lifetimes' summary_data_from_transaction_data: purchases (order_placed) grouped
 * by time unit; frequency = units with a purchase - 1, recency = last - first
 * unit, T = --as-of's unit - first unit, monetary = mean of the repeat units' sums. */
static void bg_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	int64_t unit = r->o.unit, first = 0, last = 0, cur = 0;
	double x = -1, sum = 0, repeat = 0;
	jt_i128 unit_sum = 0;
	int any = 0;
	for (size_t i = 0; i <= n; i++) {
		int64_t u = 0;
		jt_i128 amt = 0;
		if (i < n) {
			if (!is_tp(t[i].row, r->c_tp, "order_placed"))
				continue;
			u = t[i].t >= 0 ? t[i].t / unit : -((-t[i].t + unit - 1) / unit);
			size_t len;
			const char *v = r->c_amount >= 0 ? field(t[i].row, (size_t)r->c_amount, &len) : "";
			if (r->c_amount < 0)
				len = 0;
			if (len)
				jt_dec_parse(v, len, &amt);
		}
		if (any && (i == n || u != cur)) {	/* a unit is complete */
			x += 1;
			if (x > 0) {
				sum += jt_dec_to_double(unit_sum);
				repeat += 1;
			}
			unit_sum = 0;
		}
		if (i == n)
			break;
		if (!any)
			first = u;
		any = 1;
		cur = u;
		last = u;
		unit_sum += amt;
	}
	if (!any)
		return;	/* no purchase: not in the model */
	int64_t asof = r->as_of >= 0 ? r->as_of / unit : -((-r->as_of + unit - 1) / unit);
	void *p = r->bg;
	jt_xgrow(&p, &r->bgcap, r->nbg + 1, sizeof *r->bg);
	r->bg = p;
	struct bgc *b = &r->bg[r->nbg++];
	b->cust = t[0].cust;
	b->rfm.x = x;
	b->rfm.tx = (double)(last - first);
	b->rfm.T = (double)(asof - first);
	b->rfm.m = repeat > 0 ? sum / repeat : 0;
}

static void ctab_header(struct jt_stagerun *r)
{
	static const char *const fixed[] = { "customer", "first_touch", "last_touch", "tenure_s", "touches", "orders",
		"tickets", "revenue", "aov", "furthest_stage", "last_nps", "last_nps_time", "last_csat",
		"last_csat_time", "referrals", "active" };
	size_t nf = sizeof fixed / sizeof *fixed, n = nf + r->ng;
	const char **f = jt_xcalloc(n, sizeof *f);
	size_t *len = jt_xcalloc(n, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		f[i] = i < nf ? fixed[i] : r->gname[i - nf];
		len[i] = strlen(f[i]);
	}
	jt_w_record(&r->w, f, len, n, 0);
	free(f);
	free(len);
	r->ctab_header = 1;
}

static void do_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	uint64_t orders = 0, tickets = 0, referrals = 0;
	jt_i128 revenue = 0;
	long furthest = -1;
	size_t nps_i = n, csat_i = n;
	for (size_t i = 0; i < n; i++) {
		const char *row = t[i].row;
		size_t len;
		orders += (uint64_t)is_tp(row, r->c_tp, "order_placed");
		tickets += (uint64_t)is_tp(row, r->c_tp, "ticket_opened");
		referrals += (uint64_t)is_tp(row, r->c_tp, "referral_sent");
		if (r->c_amount >= 0) {
			const char *v = field(row, (size_t)r->c_amount, &len);
			jt_i128 x;
			if (len && jt_dec_parse(v, len, &x) == JT_NUM_OK)
				revenue += x;
		}
		if (t[i].label != NOKEY && (long)t[i].label > furthest)
			furthest = (long)t[i].label;
		if (r->c_nps >= 0 && (field(row, (size_t)r->c_nps, &len), len))
			nps_i = i;
		if (r->c_csat >= 0 && (field(row, (size_t)r->c_csat, &len), len))
			csat_i = i;
	}
	if (r->o.mode == JT_SM_BGNBD) {
		bg_customer(r, t, n);
		return;
	}
	if (r->o.mode != JT_SM_CUSTOMERS) {
		void *p = r->cs;
		jt_xgrow(&p, &r->cscap, r->ncs + 1, sizeof *r->cs);
		r->cs = p;
		r->cs[r->ncs++] = (struct csum){ t[0].t, t[n - 1].t, orders, revenue, group_of(r, t[0].row) };
		return;
	}
	if (!r->ctab_header)
		ctab_header(r);
	size_t nf = 16 + r->ng;
	const char **f = r->of;
	size_t *l = r->ol;
	char (*b)[64] = r->num;
	size_t cl;
	f[0] = field(t[0].row, (size_t)r->c_cust, &cl);
	l[0] = cl;
	f[1] = jt_time_format(t[0].t, b[1]);
	f[2] = jt_time_format(t[n - 1].t, b[2]);
	f[3] = jt_fmt_u64((uint64_t)(t[n - 1].t - t[0].t), b[3]);
	f[4] = jt_fmt_u64(n, b[4]);
	f[5] = jt_fmt_u64(orders, b[5]);
	f[6] = jt_fmt_u64(tickets, b[6]);
	f[7] = jt_dec_format(revenue, b[7]);
	f[8] = orders ? jt_fmt_ratio(revenue, (jt_i128)orders * JT_DEC_SCALE, 4, b[8]) : "";
	f[9] = furthest >= 0 ? stage_name(r, (size_t)furthest) : "";
	f[10] = nps_i < n ? field(t[nps_i].row, (size_t)r->c_nps, &l[10]) : "";
	f[11] = nps_i < n ? jt_time_format(t[nps_i].t, b[11]) : "";
	f[12] = csat_i < n ? field(t[csat_i].row, (size_t)r->c_csat, &l[12]) : "";
	f[13] = csat_i < n ? jt_time_format(t[csat_i].t, b[13]) : "";
	f[14] = jt_fmt_u64(referrals, b[14]);
	/* alive from the first touch until the last touch plus --churn-after (DESIGN §2) */
	f[15] = t[0].t <= r->as_of && r->as_of < t[n - 1].t + r->o.churn_after ? "1" : "0";
	for (size_t g = 0; g < r->ng; g++)
		f[16 + g] = field(t[0].row, (size_t)r->gcol[g], &l[16 + g]);
	for (size_t i = 1; i < nf; i++)
		if (i != 10 && i != 12 && i < 16)
			l[i] = strlen(f[i]);
	if (nps_i >= n)
		l[10] = 0;
	if (csat_i >= n)
		l[12] = 0;
	jt_w_record(&r->w, f, l, nf, 0);
}

static int cmp_tch(const void *a, const void *b)
{
	const struct tch *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void customer_done(struct jt_stagerun *r, struct tch *t, size_t n)
{
	if (n == 0)
		return;
	qsort(t, n, sizeof *t, cmp_tch);
	r->customers++;
	switch (r->o.mode) {
	case JT_SM_ANNOTATE: do_annotate(r, t, n); break;
	case JT_SM_PATHS: do_paths(r, t, n); break;
	case JT_SM_VARIANTS: do_variants(r, t, n); break;
	case JT_SM_FUNNEL: do_funnel(r, t, n); break;
	case JT_SM_COHORTS: do_cohorts(r, t, n); break;
	case JT_SM_CUSTOMERS:
	case JT_SM_RETENTION:
	case JT_SM_CLV:
	case JT_SM_BGNBD: do_customer(r, t, n); break;
	}
}

/* ---- reading ---------------------------------------------------------------- */

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
	for (size_t k = 0; k < r->noc; k++) {
		r->oc[k].idx = jt_col_find(h, r->oc[k].col);
		if (r->oc[k].idx < 0)
			jt_warn("--outcome %s: %s has no column '%s': it is always %s", r->oc[k].name, src, r->oc[k].col,
				r->oc[k].kind == OUT_NEXT ? "empty" : "0");
	}
	jt_rules_bind(r->o.rules, h, src);
	if (r->o.mode == JT_SM_ANNOTATE)
		annotate_header(r);
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		r->c_amount = jt_col_find(h, "amount");
		r->c_nps = jt_col_find(h, "nps");
		r->c_csat = jt_col_find(h, "csat");
		r->gcol = jt_xcalloc(r->ng + 1, sizeof *r->gcol);
		for (size_t g = 0; g < r->ng; g++)
			r->gcol[g] = (long)jt_col_by_name(h, r->gname[g], src);
		size_t n = 16 + r->ng;
		r->of = jt_xcalloc(n, sizeof *r->of);
		r->ol = jt_xcalloc(n, sizeof *r->ol);
		r->num = jt_xcalloc(n, sizeof *r->num);
	}
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_stagerun *r = ctx;
	int64_t t;
	if (jt_timefilter_keep(&r->tf, r->o.c, r->rj, src, rec) != 1)
		return;
	const char *cs = rec->f[r->c_cust], *ts = rec->f[r->c_time];
	size_t cn = rec->len[r->c_cust], tn = rec->len[r->c_time];
	if (cn == 0) {
		jt_reject(r->rj, src, rec, "missing customer", "column 'customer': empty customer id");
		return;
	}
	if (jt_time_parse(ts, tn, &t) != 0) {
		jt_reject(r->rj, src, rec, "bad time", "column 'time': '%s' is not a time", jt_show(ts, tn));
		return;
	}
	int isnew;
	uint32_t cust = (uint32_t)jt_map_put(&r->cust, cs, cn, 0, &isnew);
	if (r->o.sorted && (!r->have_cur || cust != r->curcust)) {
		if (r->have_cur) {
			customer_done(r, r->tv, r->nt);
			r->nt = 0;
			jt_arena_free(&r->ar);	/* streaming: memory for one customer at a time */
			jt_map_put(&r->done, &r->curcust, sizeof r->curcust, 0, &isnew);
		}
		if (jt_map_find(&r->done, &cust, sizeof cust) >= 0)
			jt_die_at(src, rec->line, "customer '%s' appears again after other customers: the input is not "
				  "grouped by customer (drop --sorted)", jt_show(cs, cn));
		r->curcust = cust;
		r->have_cur = 1;
	}
	if (r->nt >= UINT32_MAX)	/* touches are numbered in 32 bits when the customers are sorted */
		jt_die_at(src, rec->line, "more than %lu touches held at once, the most jstage keeps (--sorted holds one "
			  "customer at a time)", (unsigned long)UINT32_MAX);
	void *p = r->tv;
	jt_xgrow(&p, &r->tcap, r->nt + 1, sizeof *r->tv);
	r->tv = p;
	struct tch *x = &r->tv[r->nt++];
	memset(x, 0, sizeof *x);
	x->t = t;
	x->seq = r->seq++;
	x->cust = cust;
	x->line = rec->line;
	long lab = jt_rules_match(r->o.rules, rec, src);
	if (lab < 0)
		lab = r->deflab;
	x->label = lab < 0 ? NOKEY : (uint32_t)lab;
	char err[256];
	if (t > r->maxt)
		r->maxt = t;
	if (r->o.mode >= JT_SM_CUSTOMERS) {
		jt_i128 amt;
		int rc;
		if (r->c_amount >= 0 && rec->len[r->c_amount] &&
		    (rc = jt_dec_parse(rec->f[r->c_amount], rec->len[r->c_amount], &amt)) != JT_NUM_OK) {
			r->nt--;
			jt_reject_number(r->rj, src, rec, "amount", NULL, rec->f[r->c_amount], rec->len[r->c_amount], rc,
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
			r->nt--;
			jt_reject_number(r->rj, src, rec, score[k].name, score[k].name, rec->f[scol[k]], rec->len[scol[k]], rc,
					 score[k].range);
			return;
		}
		x->row = pack(r, rec);
		return;
	}
	if (r->o.mode == JT_SM_ANNOTATE) {
		x->row = pack(r, rec);
		for (size_t k = 0; k < r->noc; k++) {
			const struct outcome *o = &r->oc[k];
			if (o->kind != OUT_FLAG || o->idx < 0)
				continue;
			int m = jt_rx_match(o->rx, rec->f[o->idx], rec->len[o->idx], err, sizeof err);
			if (m < 0)
				jt_die_at(src, rec->line, "--outcome %s: %s", o->name, err);
			if (m)
				x->mask |= (uint64_t)1 << k;
		}
		return;
	}
	if (r->o.by_touchpoint) {
		x->key = intern(&r->keys, rec->f[r->c_tp], rec->len[r->c_tp]);
	} else {
		const char *l = lab < 0 ? "(none)" : stage_name(r, (size_t)lab);
		x->key = intern(&r->keys, l, strlen(l));
	}
	if (r->c_grp >= 0)
		x->grp = intern(&r->grps, rec->f[r->c_grp], rec->len[r->c_grp]);
	for (size_t k = 0; k < r->nstep; k++) {
		const struct step *s = &r->steps[k];
		int m = s->rx ? jt_rx_match(s->rx, rec->f[r->c_tp], rec->len[r->c_tp], err, sizeof err)
			      : lab == s->label;
		if (m < 0)
			jt_die_at(src, rec->line, "--funnel step '%s': %s", s->name, err);
		if (m)
			x->mask |= (uint64_t)1 << k;
	}
	if (r->o.mode == JT_SM_COHORTS) {
		int m = r->ret ? jt_rx_match(r->ret, rec->f[r->c_tp], rec->len[r->c_tp], err, sizeof err) : 1;
		if (m < 0)
			jt_die_at(src, rec->line, "--returning: %s", err);
		x->mask = (uint64_t)m;
	}
}

/* ---- results ---------------------------------------------------------------- */

static void row(struct jt_stagerun *r, const char *const *f, size_t n)
{
	size_t len[32];
	for (size_t i = 0; i < n; i++)
		len[i] = strlen(f[i]);
	jt_w_record(&r->w, f, len, n, 0);
}

static const struct jt_stagerun *sort_ctx;

static int cmp_key(const struct jt_stagerun *r, uint32_t a, uint32_t b)
{
	size_t la, lb;
	const char *x = keyname(r, a, &la), *y = keyname(r, b, &lb);
	int c = memcmp(x, y, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

/* Edges by count, most first, then by name. */
static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	int c = cmp_key(sort_ctx, x->from, y->from);
	return c ? c : cmp_key(sort_ctx, x->to, y->to);
}

static void dot_id(struct jt_buf *b, const char *s, size_t n)
{
	jt_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			jt_buf_addc(b, '\\');
		if (s[i] == '\n' || s[i] == '\r')
			jt_buf_adds(b, "\\n");
		else
			jt_buf_addc(b, s[i]);
	}
	jt_buf_addc(b, '"');
}

static void write_paths(struct jt_stagerun *r)
{
	sort_ctx = r;
	if (r->nev > 1)
		qsort(r->ev, r->nev, sizeof *r->ev, cmp_edge);
	if (r->o.dot) {
		struct jt_buf b = JT_BUF_INIT;
		fputs("digraph journey {\n\trankdir=LR;\n\tnode [shape=box];\n", r->out);
		for (size_t i = 0; i < r->nev; i++) {
			size_t lf, lt;
			const char *f = keyname(r, r->ev[i].from, &lf), *t = keyname(r, r->ev[i].to, &lt);
			jt_buf_reset(&b);
			jt_buf_adds(&b, "\t");
			dot_id(&b, f, lf);
			jt_buf_adds(&b, " -> ");
			dot_id(&b, t, lt);
			jt_buf_printf(&b, " [label=\"%llu\"];\n", (unsigned long long)r->ev[i].count);
			fwrite(b.p, 1, b.len, r->out);
		}
		fputs("}\n", r->out);
		jt_buf_free(&b);
		return;
	}
	const char *hdr[] = { "from", "to", "count", "customers", "median_s", "p90_s" };
	row(r, hdr, 6);
	for (size_t i = 0; i < r->nev; i++) {
		struct edge *e = &r->ev[i];
		char c[64], cu[64], med[64], p90[64];
		size_t lf, lt;
		const char *f[6];
		f[0] = keyname(r, e->from, &lf);
		f[1] = keyname(r, e->to, &lt);
		f[2] = jt_fmt_u64(e->count, c);
		f[3] = jt_fmt_u64(e->customers, cu);
		jt_quantile_s(e->gap, e->ngap, 50, med);
		jt_quantile_s(e->gap, e->ngap, 90, p90);
		f[4] = med;
		f[5] = p90;
		size_t len[6] = { lf, lt, strlen(f[2]), strlen(f[3]), strlen(med), strlen(p90) };
		jt_w_record(&r->w, f, len, 6, 0);
	}
}

static int cmp_var(const void *a, const void *b)
{
	const struct jt_stagerun *r = sort_ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (r->vv[x].count != r->vv[y].count)
		return r->vv[x].count > r->vv[y].count ? -1 : 1;
	const struct jt_map_ent *ex = &r->variants.ent[x], *ey = &r->variants.ent[y];
	int c = memcmp(ex->key, ey->key, ex->len < ey->len ? ex->len : ey->len);
	return c ? c : (ex->len > ey->len) - (ex->len < ey->len);
}

static void write_variants(struct jt_stagerun *r)
{
	size_t *ord = jt_xcalloc(r->nvv + 1, sizeof *ord);
	for (size_t i = 0; i < r->nvv; i++)
		ord[i] = i;
	sort_ctx = r;
	if (r->nvv > 1)
		qsort(ord, r->nvv, sizeof *ord, cmp_var);
	const char *hdr[] = { "variant", "customers", "share_pct", "cumulative_pct", "median_duration_s", "steps" };
	row(r, hdr, 6);
	uint64_t cum = 0;
	size_t shown = r->o.top && r->o.top < r->nvv ? r->o.top : r->nvv;
	for (size_t i = 0; i < shown; i++) {
		struct variant *v = &r->vv[ord[i]];
		const struct jt_map_ent *e = &r->variants.ent[ord[i]];
		char c[64], sh[64], cu[64], med[64], st[64];
		cum += v->count;
		jt_fmt_u64(v->count, c);
		jt_pct(v->count, r->customers, sh);
		jt_pct(cum, r->customers, cu);
		jt_quantile_s(v->dur, v->n, 50, med);
		jt_fmt_u64(v->steps, st);
		const char *f[6] = { e->key, c, sh, cu, med, st };
		size_t len[6] = { e->len, strlen(c), strlen(sh), strlen(cu), strlen(med), strlen(st) };
		jt_w_record(&r->w, f, len, 6, 0);
	}
	if (shown < r->nvv) {	/* the rest, so that shares add up to 100 */
		uint64_t rest = r->customers - cum;
		int64_t *d = NULL;
		size_t nd = 0;
		for (size_t i = shown; i < r->nvv; i++) {
			struct variant *v = &r->vv[ord[i]];
			d = jt_xrealloc(d, (nd + v->n + 1) * sizeof *d);
			memcpy(d + nd, v->dur, v->n * sizeof *d);
			nd += v->n;
		}
		char c[64], sh[64], cu[64], med[64];
		jt_fmt_u64(rest, c);
		jt_pct(rest, r->customers, sh);
		jt_pct(r->customers, r->customers, cu);
		jt_quantile_s(d, nd, 50, med);
		const char *f[6] = { "(other)", c, sh, cu, med, "" };
		row(r, f, 6);
		free(d);
	}
	free(ord);
}

static int cmp_grp(const void *a, const void *b)
{
	const struct jt_stagerun *r = sort_ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct jt_map_ent *ex = &r->grps.ent[x], *ey = &r->grps.ent[y];
	int c = memcmp(ex->key, ey->key, ex->len < ey->len ? ex->len : ey->len);
	return c ? c : (ex->len > ey->len) - (ex->len < ey->len);
}

static void funnel_rows(struct jt_stagerun *r, struct bucket *b, const char *gval, size_t glen)
{
	for (size_t k = 0; k < r->nstep; k++) {
		char st[64], cu[64], cv[64], lo[64], hi[64], sc[64], dr[64], dp[64], med[64], p90[64];
		uint64_t n = b ? b->reached[k] : 0, e = b ? b->reached[0] : 0, p = k ? (b ? b->reached[k - 1] : 0) : n;
		jt_fmt_u64(k + 1, st);
		jt_fmt_u64(n, cu);
		jt_pct(n, e, cv);
		jt_wilson(n, e, lo, hi);
		jt_pct(n, p, sc);
		jt_fmt_u64(p - n, dr);
		jt_pct(p - n, p, dp);
		if (k && b) {
			jt_quantile_s(b->tt[k], b->ntt[k], 50, med);
			jt_quantile_s(b->tt[k], b->ntt[k], 90, p90);
		} else {
			med[0] = p90[0] = '\0';
		}
		const char *f[13] = { gval, st, r->steps[k].name, cu, cv, lo, hi, sc, dr, dp, med, p90 };
		size_t len[13];
		size_t off = r->o.group ? 0 : 1, nf = 12 - off;
		for (size_t i = 0; i < 12; i++)
			len[i] = i == 0 ? glen : strlen(f[i]);
		jt_w_record(&r->w, f + off, len + off, nf, 0);
	}
}

static void write_funnel(struct jt_stagerun *r)
{
	const char *hdr[] = { r->o.group ? r->o.group : "", "step", "name", "customers", "conversion_pct",
		"conversion_lo", "conversion_hi", "step_conversion_pct", "dropoff", "dropoff_pct", "median_s", "p90_s" };
	size_t off = r->o.group ? 0 : 1;
	row(r, hdr + off, 12 - off);
	if (!r->o.group) {
		funnel_rows(r, r->nbk ? r->bk[0] : NULL, "", 0);
		return;
	}
	size_t ng = r->grps.n;
	size_t *ord = jt_xcalloc(ng + 1, sizeof *ord);
	for (size_t i = 0; i < ng; i++)
		ord[i] = i;
	sort_ctx = r;
	if (ng > 1)
		qsort(ord, ng, sizeof *ord, cmp_grp);
	for (size_t i = 0; i < ng; i++) {
		size_t g = ord[i] + 1;
		if (g < r->nbk && r->bk[g])
			funnel_rows(r, r->bk[g], r->grps.ent[ord[i]].key, r->grps.ent[ord[i]].len);
	}
	free(ord);
}

static int cmp_cohort(const void *a, const void *b)
{
	const struct cohort *x = a, *y = b;
	return (x->period > y->period) - (x->period < y->period);
}

static void write_cohorts(struct jt_stagerun *r)
{
	if (r->nco > 1)
		qsort(r->co, r->nco, sizeof *r->co, cmp_cohort);
	int64_t lastp = r->lastperiod;
	/* columns up to the oldest cohort's age: every period the data could show */
	size_t ncol = 2 + (size_t)(r->nco ? lastp - r->co[0].period + 1 : 1);
	const char **f = jt_xcalloc(ncol, sizeof *f);
	size_t *len = jt_xcalloc(ncol, sizeof *len);
	char (*num)[64] = jt_xcalloc(ncol, sizeof *num);
	f[0] = "cohort";
	f[1] = "customers";
	for (size_t k = 2; k < ncol; k++) {
		snprintf(num[k], 64, "%zu", k - 2);
		f[k] = num[k];
	}
	for (size_t k = 0; k < ncol; k++)
		len[k] = strlen(f[k]);
	jt_w_record(&r->w, f, len, ncol, 0);
	for (size_t c = 0; c < r->nco; c++) {
		struct cohort *co = &r->co[c];
		f[0] = co->label;
		f[1] = jt_fmt_u64(co->size, num[1]);
		for (size_t k = 2; k < ncol; k++) {
			int64_t off = (int64_t)k - 2;
			uint64_t a = off == 0 ? co->size : (size_t)off < co->nact ? co->active[off] : 0;
			if (co->period + off > lastp)
				num[k][0] = '\0';	/* not observed yet */
			else if (r->o.counts)
				jt_fmt_u64(a, num[k]);
			else
				jt_pct(a, co->size, num[k]);
			f[k] = num[k];
		}
		for (size_t k = 0; k < ncol; k++)
			len[k] = strlen(f[k]);
		jt_w_record(&r->w, f, len, ncol, 0);
	}
	free(f);
	free(len);
	free(num);
}

/* ---- retention and CLV over the customer summaries ---------------------------- */

/* Alive at instant x: first touch at or before x, and x before last + churn_after. */
static int alive(const struct jt_stagerun *r, const struct csum *c, int64_t x)
{
	return c->first <= x && x < c->last + r->o.churn_after;
}

static int64_t period_start_utc(enum jt_bucket b, int64_t t, int next);

/* Period boundaries: the start of the period of t, and of the one after, as
 * instants; with --tz, periods of the zone's calendar (a day of 23 or 25 hours
 * on the nights the clocks change). */
static int64_t period_start(const struct jt_tz *z, enum jt_bucket b, int64_t t, int next)
{
	if (!z)
		return period_start_utc(b, t, next);
	return jt_tz_to_utc(z, period_start_utc(b, local_of(z, t), next));
}

static int64_t period_start_utc(enum jt_bucket b, int64_t t, int next)
{
	int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400), y;
	unsigned m, d;
	jt_civil_from_days(days, &y, &m, &d);
	switch (b) {
	case JT_BUCKET_DAY: return (days + next) * 86400;
	case JT_BUCKET_WEEK: {
		int64_t wd = ((days % 7) + 7 + 3) % 7;	/* 0 = Monday */
		return (days - wd + 7 * next) * 86400;
	}
	case JT_BUCKET_MONTH: {
		int64_t mm = y * 12 + (int64_t)m - 1 + next;
		return jt_days_from_civil(mm / 12, (unsigned)(mm % 12) + 1, 1) * 86400;
	}
	case JT_BUCKET_QUARTER: {
		int64_t q = y * 4 + (int64_t)(m - 1) / 3 + next;
		return jt_days_from_civil(q / 4, (unsigned)(q % 4) * 3 + 1, 1) * 86400;
	}
	default: {
		int64_t yy = y + next;
		return jt_days_from_civil(yy, 1, 1) * 86400;
	}
	}
}

struct rcount {
	uint64_t start, neww, end, lost;
};

static void count_period(const struct jt_stagerun *r, uint32_t g, int all, int64_t a, int64_t b, struct rcount *rc)
{
	memset(rc, 0, sizeof *rc);
	for (size_t i = 0; i < r->ncs; i++) {
		const struct csum *c = &r->cs[i];
		if (!all && c->grp != g)
			continue;
		/* alive at the start: became a customer before it */
		int at_a = c->first < a && alive(r, c, a), at_b = c->first < b && alive(r, c, b);
		rc->start += (uint64_t)at_a;
		rc->neww += (uint64_t)(c->first >= a && c->first < b);
		rc->end += (uint64_t)at_b;
		rc->lost += (uint64_t)(at_a && !at_b);
	}
}

/* The -g values of a group, from its key. */
static void group_fields(const struct jt_stagerun *r, uint32_t g, const char **f, size_t *len)
{
	const char *p = r->cgroups.ent[g].key;
	for (size_t k = 0; k < r->ng; k++)
		p = jt_key_next(p, &f[k], &len[k]);
}

/* Groups by their values, column by column, byte by byte. */
static int cmp_grpkey(const void *a, const void *b)
{
	return jt_key_cmp(sort_ctx->cgroups.ent[*(const uint32_t *)a].key,
			  sort_ctx->cgroups.ent[*(const uint32_t *)b].key, sort_ctx->ng);
}

static uint32_t *group_order(struct jt_stagerun *r)
{
	uint32_t *ord = jt_xcalloc(r->cgroups.n + 1, sizeof *ord);
	for (uint32_t i = 0; i < r->cgroups.n; i++)
		ord[i] = i;
	sort_ctx = r;
	if (r->cgroups.n > 1)
		qsort(ord, r->cgroups.n, sizeof *ord, cmp_grpkey);
	return ord;
}

static void write_retention(struct jt_stagerun *r)
{
	if (r->ncs == 0 && !r->o.has_from) {	/* no customer: the header alone */
		static const char *const h0[] = { "from", "to", "customers_start", "new", "customers_end", "lost",
			"retained", "retention_pct", "churn_pct" };
		size_t n0 = r->ng + 9, l0[64];
		const char *f0[64];
		for (size_t k = 0; k < n0 && k < 64; k++) {
			f0[k] = k < r->ng ? r->gname[k] : h0[k - r->ng];
			l0[k] = strlen(f0[k]);
		}
		jt_w_record(&r->w, f0, l0, n0 < 64 ? n0 : 64, 0);
		return;
	}
	size_t ng = r->ng, nc = ng + 10;
	const char **f = jt_xcalloc(nc, sizeof *f);
	size_t *len = jt_xcalloc(nc, sizeof *len);
	char b[10][64];
	static const char *const hdr[] = { "from", "to", "customers_start", "new", "customers_end", "lost",
		"retained", "retention_pct", "churn_pct", "" };
	for (size_t k = 0; k < ng; k++)
		f[k] = r->gname[k];
	for (size_t k = 0; k < 9; k++)
		f[ng + k] = hdr[k];
	for (size_t k = 0; k < ng + 9; k++)
		len[k] = strlen(f[k]);
	jt_w_record(&r->w, f, len, ng + 9, 0);
	uint32_t *ord = group_order(r);
	size_t ngr = ng ? r->cgroups.n : 1;
	int64_t lo = INT64_MAX;
	for (size_t i = 0; i < r->ncs; i++)
		if (r->cs[i].first < lo)
			lo = r->cs[i].first;
	for (size_t gi = 0; gi < ngr; gi++) {
		uint32_t g = ng ? ord[gi] : 0;
		if (ng)
			group_fields(r, g, f, len);
		int64_t a, bnd;
		enum jt_bucket pb = r->o.rperiod ? jt_bucket_from_name(r->o.rperiod, strlen(r->o.rperiod)) : JT_BUCKET_NONE;
		if (pb == JT_BUCKET_NONE) {
			a = r->o.from;
			bnd = r->o.to;
		} else {
			a = period_start(r->o.tz, pb, lo, 0);
			bnd = period_start(r->o.tz, pb, a, 1);
		}
		while (bnd <= r->as_of || (pb == JT_BUCKET_NONE && a == r->o.from)) {
			struct rcount rc;
			count_period(r, g, ng == 0, a, bnd, &rc);
			char t1[32], t2[32];
			f[ng] = jt_time_format(a, t1);
			f[ng + 1] = jt_time_format(bnd, t2);
			f[ng + 2] = jt_fmt_u64(rc.start, b[2]);
			f[ng + 3] = jt_fmt_u64(rc.neww, b[3]);
			f[ng + 4] = jt_fmt_u64(rc.end, b[4]);
			f[ng + 5] = jt_fmt_u64(rc.lost, b[5]);
			f[ng + 6] = jt_fmt_u64(rc.start - rc.lost, b[6]);
			if (rc.start) {	/* (end - new) / start, as DESIGN §2 and the issue define it */
				jt_fmt_ratio(((jt_i128)rc.end - (jt_i128)rc.neww) * 100 * JT_DEC_SCALE,
					     (jt_i128)rc.start * JT_DEC_SCALE, 2, b[7]);
				jt_pct(rc.lost, rc.start, b[8]);
			} else {
				b[7][0] = b[8][0] = '\0';
			}
			f[ng + 7] = b[7];
			f[ng + 8] = b[8];
			for (size_t k = ng; k < ng + 9; k++)
				len[k] = strlen(f[k]);
			jt_w_record(&r->w, f, len, ng + 9, 0);
			if (pb == JT_BUCKET_NONE)
				break;
			a = bnd;
			bnd = period_start(r->o.tz, pb, a, 1);
		}
	}
	free(ord);
	free(f);
	free(len);
}

#define MONTH_S 2629746	/* a mean Gregorian month: 365.2425 days / 12 */

static void write_clv(struct jt_stagerun *r)
{
	size_t ng = r->ng;
	static const char *const hdr[] = { "customers", "orders", "revenue", "historic_clv", "aov",
		"orders_per_month", "monthly_churn_pct", "expected_lifetime_months", "predictive_clv" };
	size_t nh = sizeof hdr / sizeof *hdr, nc = ng + nh;
	const char **f = jt_xcalloc(nc, sizeof *f);
	size_t *len = jt_xcalloc(nc, sizeof *len);
	char b[16][64];
	for (size_t k = 0; k < ng; k++)
		f[k] = r->gname[k];
	for (size_t k = 0; k < nh; k++)
		f[ng + k] = hdr[k];
	for (size_t k = 0; k < nc; k++)
		len[k] = strlen(f[k]);
	jt_w_record(&r->w, f, len, nc, 0);
	uint32_t *ord = group_order(r);
	size_t ngr = ng ? r->cgroups.n : 1;
	int64_t lo = INT64_MAX;
	for (size_t i = 0; i < r->ncs; i++)
		if (r->cs[i].first < lo)
			lo = r->cs[i].first;
	for (size_t gi = 0; gi < ngr; gi++) {
		uint32_t g = ng ? ord[gi] : 0;
		if (ng)
			group_fields(r, g, f, len);
		uint64_t cust = 0, orders = 0, start = 0, lost = 0;
		jt_i128 rev = 0;
		double months = 0;	/* customer-months observed: first touch to --as-of */
		for (size_t i = 0; i < r->ncs; i++) {
			const struct csum *c = &r->cs[i];
			if (ng && c->grp != g)
				continue;
			cust++;
			orders += c->orders;
			rev += c->revenue;
			if (r->as_of > c->first)
				months += (double)(r->as_of - c->first) / MONTH_S;
		}
		/* monthly churn: lost / alive at the start, over the complete months of the data */
		for (int64_t a = r->ncs ? period_start(r->o.tz, JT_BUCKET_MONTH, lo, 0) : 0,
			     e = r->ncs ? period_start(r->o.tz, JT_BUCKET_MONTH, a, 1) : INT64_MAX;
		     e <= r->as_of; a = e, e = period_start(r->o.tz, JT_BUCKET_MONTH, a, 1)) {
			struct rcount rc;
			count_period(r, g, ng == 0, a, e, &rc);
			start += rc.start;
			lost += rc.lost;
		}
		f[ng] = jt_fmt_u64(cust, b[0]);
		f[ng + 1] = jt_fmt_u64(orders, b[1]);
		f[ng + 2] = jt_dec_format(rev, b[2]);
		f[ng + 3] = cust ? jt_fmt_ratio(rev, (jt_i128)cust * JT_DEC_SCALE, 4, b[3]) : "";
		f[ng + 4] = orders ? jt_fmt_ratio(rev, (jt_i128)orders * JT_DEC_SCALE, 4, b[4]) : "";
		double freq = months > 0 ? (double)orders / months : 0;
		f[ng + 5] = months > 0 ? jt_fmt_double(freq, 4, b[5]) : "";
		double churn = start ? (double)lost / (double)start : 0;
		if (start)
			jt_pct(lost, start, b[6]);
		else
			b[6][0] = '\0';
		f[ng + 6] = b[6];
		f[ng + 7] = start && lost ? jt_fmt_double(1.0 / churn, 4, b[7]) : "";
		/* margin x AOV x orders per month x sum over months t >= 1 of (1 - churn)^(t-1) / (1 + d)^t
		 * = margin x AOV x orders per month / (churn + d) */
		double d = jt_dec_to_double(r->discount), m = jt_dec_to_double(r->margin);
		if (orders && months > 0 && start && churn + d > 0) {
			double aov = jt_dec_to_double(rev) / (double)orders;
			jt_fmt_double(m * aov * freq / (churn + d), 4, b[8]);
		} else {
			b[8][0] = '\0';
		}
		f[ng + 8] = b[8];
		for (size_t k = ng; k < nc; k++)
			len[k] = strlen(f[k]);
		jt_w_record(&r->w, f, len, nc, 0);
	}
	free(ord);
	free(f);
	free(len);
}

/* ---- BG/NBD and Gamma-Gamma ------------------------------------------------- */

static const char *const bg_names[7] = { "r", "alpha", "a", "b", "p", "q", "v" };

/* --use-params: the file --params wrote, read as CSV before any input. Each
 * of the seven parameters must be there once, a finite number above 0;
 * unit_s a whole number of seconds; loglik, customers and the se column
 * are for people and not read. Anything else is an error at its line. */
struct params_rd {
	double *p;
	int64_t *unit;
	int have, have_unit;
	long c_model, c_param, c_est;
};

static void params_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct params_rd *pr = ctx;
	static const char *const need[3] = { "model", "param", "estimate" };
	long *col[3] = { &pr->c_model, &pr->c_param, &pr->c_est };
	for (int k = 0; k < 3; k++)
		if ((*col[k] = jt_col_find(h, need[k])) < 0)
			jt_die_at(src, 1, "--use-params: no column '%s' (a file that --params wrote starts model,param,estimate,se)",
				  need[k]);
}

static void params_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct params_rd *pr = ctx;
	const char *model = rec->f[pr->c_model], *name = rec->f[pr->c_param], *v = rec->f[pr->c_est];
	size_t vlen = rec->len[pr->c_est];
	int bg = strcmp(model, "bgnbd") == 0, gg = strcmp(model, "gamma_gamma") == 0;
	if (!bg && !gg)
		jt_die_at(src, rec->line, "--use-params: model '%s' is neither bgnbd nor gamma_gamma",
			  jt_show(model, rec->len[pr->c_model]));
	if (strcmp(name, "loglik") == 0 || (bg && strcmp(name, "customers") == 0))
		return;
	if (bg && strcmp(name, "unit_s") == 0) {
		uint64_t u;
		if (strlen(v) != vlen || jt_parse_size(v, &u) != 0 || u == 0 || u > INT64_MAX)
			jt_die_at(src, rec->line, "--use-params: bgnbd unit_s '%s' is not a whole number of seconds above 0",
				  jt_show(v, vlen));
		if (pr->have_unit)
			jt_die_at(src, rec->line, "--use-params: bgnbd unit_s is given twice");
		pr->have_unit = 1;
		*pr->unit = (int64_t)u;
		return;
	}
	for (int k = bg ? 0 : 4; k < (bg ? 4 : 7); k++) {
		if (strcmp(name, bg_names[k]) != 0)
			continue;
		double x;
		if (!jt_double_parse(v, vlen, &x) || !(x > 0))
			jt_die_at(src, rec->line, "--use-params: %s %s '%s' is not a number above 0", model, name,
				  jt_show(v, vlen));
		if (pr->have & 1 << k)
			jt_die_at(src, rec->line, "--use-params: %s %s is given twice", model, name);
		pr->have |= 1 << k;
		pr->p[k] = x;
		return;
	}
	jt_die_at(src, rec->line, "--use-params: %s has no parameter '%s' (%s)", model,
		  jt_show(name, rec->len[pr->c_param]), bg ? "r, alpha, a, b, loglik, unit_s, customers" : "p, q, v, loglik");
}

static void read_params(const char *path, double *p, int64_t *unit)
{
	struct params_rd pr = { p, unit, 0, 0, -1, -1, -1 };
	struct jt_dialect d = { ',', 0, 0, 0, 0 };
	jt_path_config("--use-params file", path);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		jt_die("--use-params %s:", path);
	fclose(fp);
	jt_read(path, &d, NULL, params_header, params_record, &pr);
	if (pr.have != 0x7f) {
		char miss[128] = "";
		for (int k = 0; k < 7; k++)
			if (!(pr.have & 1 << k))
				snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s%s %s", miss[0] ? ", " : "",
					 k < 4 ? "bgnbd" : "gamma_gamma", bg_names[k]);
		jt_die("--use-params %s: %s missing (a file that --params wrote has all seven parameters)", path, miss);
	}
}

static void write_bgnbd(struct jt_stagerun *r)
{
	double p[7];
	struct jt_fit bf, gf;
	memset(&bf, 0, sizeof bf);
	memset(&gf, 0, sizeof gf);
	struct jt_rfm *d = jt_xcalloc(r->nbg + 1, sizeof *d);
	for (size_t i = 0; i < r->nbg; i++)
		d[i] = r->bg[i].rfm;
	if (r->o.params_in) {
		memcpy(p, r->bgp, sizeof r->bgp);
	} else {
		if (jt_bgnbd_fit(d, r->nbg, &bf) != 0)
			jt_warn("BG/NBD: the fit did not converge (%zu customers with a purchase)", r->nbg);
		if (jt_gg_fit(d, r->nbg, &gf) != 0)
			jt_warn("Gamma-Gamma: the fit did not converge or no customer has a repeat purchase");
		memcpy(p, bf.p, 4 * sizeof *p);
		memcpy(p + 4, gf.p, 3 * sizeof *p);
		char num[2][64];
		for (int k = 0; k < 7; k++)
			if (!jt_quiet())
				jt_note("%s %s = %s (se %s)", k < 4 ? "bgnbd" : "gamma_gamma", bg_names[k],
					jt_fmt_double(p[k], 6, num[0]), jt_fmt_double(k < 4 ? bf.se[k] : gf.se[k - 4], 6, num[1]));
		if (r->o.params_out) {
			FILE *fp = jt_out_open_side(r->o.params_out, 0);
			fprintf(fp, "model,param,estimate,se\n");
			for (int k = 0; k < 7; k++)
				fprintf(fp, "%s,%s,%.17g,%.17g\n", k < 4 ? "bgnbd" : "gamma_gamma", bg_names[k], p[k],
					k < 4 ? bf.se[k] : gf.se[k - 4]);
			fprintf(fp, "bgnbd,loglik,%.17g,\ngamma_gamma,loglik,%.17g,\nbgnbd,unit_s,%lld,\nbgnbd,customers,%zu,\n",
				bf.loglik, gf.loglik, (long long)r->o.unit, r->nbg);
			jt_out_commit_side(fp);
		}
	}
	static const char *const hdr[] = { "customer", "frequency", "recency", "T", "monetary_value", "p_alive",
		"expected_purchases", "expected_value", "clv" };
	size_t len[9];
	for (int k = 0; k < 9; k++)
		len[k] = strlen(hdr[k]);
	jt_w_record(&r->w, hdr, len, 9, 0);
	double month = 30.0 * 86400 / (double)r->o.unit;	/* lifetimes: a month is 30 days */
	double disc = jt_dec_to_double(r->discount), margin = jt_dec_to_double(r->margin);
	double H = r->o.horizon * month;
	for (size_t i = 0; i < r->nbg; i++) {
		const struct jt_rfm *c = &d[i];
		char b[8][64];
		const char *f[9];
		f[0] = r->cust.ent[r->bg[i].cust].key;
		len[0] = r->cust.ent[r->bg[i].cust].len;
		f[1] = jt_fmt_double(c->x, 0, b[0]);
		f[2] = jt_fmt_double(c->tx, 0, b[1]);
		f[3] = jt_fmt_double(c->T, 0, b[2]);
		f[4] = c->x > 0 ? jt_fmt_double(c->m, 4, b[3]) : "";
		f[5] = jt_fmt_double(jt_bgnbd_alive(p, c), 4, b[4]);
		double ev = jt_gg_value(p + 4, c), clv = 0, prev = 0;
		f[6] = jt_fmt_double(jt_bgnbd_expected(p, c, H), 4, b[5]);
		f[7] = jt_fmt_double(ev, 4, b[6]);
		for (unsigned m = 1; m <= r->o.horizon; m++) {	/* lifetimes' customer_lifetime_value */
			double e = jt_bgnbd_expected(p, c, m * month);
			clv += margin * ev * (e - prev) / pow(1 + disc, m);
			prev = e;
		}
		f[8] = jt_fmt_double(clv, 4, b[7]);
		for (int k = 1; k < 9; k++)
			len[k] = strlen(f[k]);
		jt_w_record(&r->w, f, len, 9, 0);
	}
	free(d);
}

static int cmp_cust(const void *a, const void *b)
{
	const struct jt_stagerun *r = sort_ctx;
	const struct jt_map_ent *x = &r->cust.ent[*(const uint32_t *)a], *y = &r->cust.ent[*(const uint32_t *)b];
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static uint32_t *rank_of;

int jt_stage_run(struct jt_stagerun *r, FILE *out)
{
	r->out = out;
	jt_writer_init(&r->w, out);
	r->rj = jt_rejects_new(r->o.c);
	r->start_key = intern(&r->keys, "(start)", 7);
	r->end_key = intern(&r->keys, "(end)", 5);
	if (r->nin == 0)
		jt_read(NULL, &r->o.c->dialect, r->rj, on_header, on_record, r);
	for (size_t i = 0; i < r->nin; i++)
		jt_read(r->in[i], &r->o.c->dialect, r->rj, on_header, on_record, r);
	int status = 0;
	r->as_of = r->o.has_as_of ? r->o.as_of : r->maxt;
	if (r->o.sorted) {
		customer_done(r, r->tv, r->nt);
	} else if ((status = jt_rejects_finish(r->rj, -1)) != 0) {
		/* too many rejects: nothing is written, as --max-rejects promises */
		free(r->hnames);
		r->hnames = NULL;
		return status;
	} else if (r->nt) {
		/* customers in id order, each customer's touches by time, ties in input order */
		size_t nc = r->cust.n;
		uint32_t *ord = jt_xmalloc(nc * sizeof *ord);
		rank_of = jt_xmalloc(nc * sizeof *rank_of);
		for (uint32_t i = 0; i < nc; i++)
			ord[i] = i;
		sort_ctx = r;
		qsort(ord, nc, sizeof *ord, cmp_cust);
		for (uint32_t i = 0; i < nc; i++)
			rank_of[ord[i]] = i;
		/* customers in id order by a counting sort of touch numbers, stable:
		 * each customer's touches stay in input order (customer_done sorts
		 * them by time), gathered into one scratch array at a time */
		size_t *start = jt_xcalloc((size_t)nc + 2, sizeof *start);
		for (size_t i = 0; i < r->nt; i++)
			start[rank_of[r->tv[i].cust] + 2]++;
		for (uint32_t i = 0; i < nc; i++)
			start[i + 2] += start[i + 1];
		uint32_t *idx = jt_xmalloc(r->nt * sizeof *idx);
		for (size_t i = 0; i < r->nt; i++)
			idx[start[rank_of[r->tv[i].cust] + 1]++] = (uint32_t)i;
		size_t most = 1;
		for (uint32_t c = 0; c < nc; c++)
			if (start[c + 1] - start[c] > most)
				most = start[c + 1] - start[c];
		struct tch *one = jt_xmalloc(most * sizeof *one);
		for (uint32_t c = 0; c < nc; c++) {
			size_t k = 0;
			for (size_t i = start[c]; i < start[c + 1]; i++)
				one[k++] = r->tv[idx[i]];
			customer_done(r, one, k);
		}
		free(one);
		free(idx);
		free(start);
		free(ord);
		free(rank_of);
		rank_of = NULL;
	}
	if (r->h || r->o.mode != JT_SM_ANNOTATE) {
		switch (r->o.mode) {
		case JT_SM_PATHS: if (r->h) write_paths(r); break;
		case JT_SM_VARIANTS: if (r->h) write_variants(r); break;
		case JT_SM_FUNNEL: if (r->h) write_funnel(r); break;
		case JT_SM_COHORTS: if (r->h) write_cohorts(r); break;
		case JT_SM_CUSTOMERS: if (r->h && !r->ctab_header) ctab_header(r); break;
		case JT_SM_RETENTION: if (r->h) write_retention(r); break;
		case JT_SM_CLV: if (r->h) write_clv(r); break;
		case JT_SM_BGNBD: if (r->h) write_bgnbd(r); break;
		default: break;
		}
	}
	header_out(r);	/* a header-only input: the header alone */
	jt_writer_flush(&r->w);
	jt_out_flush(out);
	return r->o.sorted ? jt_rejects_finish(r->rj, -1) : status;
}

void jt_stage_free(struct jt_stagerun *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nin; i++)
		free(r->in[i]);
	free(r->in);
	jt_rejects_free(r->rj);
	jt_header_free(r->h);
	for (size_t k = 0; k < r->noc; k++) {
		free(r->oc[k].name);
		free(r->oc[k].col);
		jt_rx_free(r->oc[k].rx);
	}
	free(r->oc);
	free(r->tv);
	jt_map_free(&r->cust);
	jt_map_free(&r->keys);
	jt_map_free(&r->grps);
	jt_map_free(&r->done);
	jt_arena_free(&r->ar);
	for (size_t k = 0; k < r->nstep; k++) {
		free(r->steps[k].name);
		jt_rx_free(r->steps[k].rx);
	}
	jt_rx_free(r->ret);
	jt_map_free(&r->edges);
	for (size_t i = 0; i < r->nev; i++)
		free(r->ev[i].gap);
	free(r->ev);
	jt_map_free(&r->variants);
	for (size_t i = 0; i < r->nvv; i++)
		free(r->vv[i].dur);
	free(r->vv);
	for (size_t i = 0; i < r->nbk; i++) {
		if (!r->bk[i])
			continue;
		for (size_t k = 0; k < MAXSTEP; k++)
			free(r->bk[i]->tt[k]);
		free(r->bk[i]);
	}
	free(r->bk);
	for (size_t i = 0; i < r->nco; i++)
		free(r->co[i].active);
	free(r->co);
	jt_map_free(&r->comap);
	free(r->of);
	free(r->ol);
	free(r->num);
	free(r->hnames);
	free(r->hlens);
	for (size_t g = 0; g < r->ng; g++)
		free(r->gname[g]);
	free(r->gname);
	free(r->gcol);
	free(r->cs);
	free(r->bg);
	jt_map_free(&r->cgroups);
	jt_buf_free(&r->vb);
	free(r);
}
