/* touch_plan.c — jtouch: lookup files loaded once, and a configuration
 * (plan) bound to one input's header: its virtual row of input and lookup
 * columns, each setting's column found or reported (touch_int.h). */
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "touch_int.h"

/* The output column named name (0: none). */
static size_t out_index(const struct jt_touchrun *r, const char *name)
{
	for (size_t i = 0; i < r->ncol; i++)
		if (strcmp(r->cols[i], name) == 0)
			return i;
	return 0;
}

/* ---- lookup tables ---------------------------------------------------- */

struct lkload {
	struct lookup_tab *t;
	const char *src;
};

static void lk_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct lkload *l = ctx;
	l->t->h = jt_header_copy(h);
	l->t->keycol = jt_col_by_name(h, l->t->key, src);
}

static void lk_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct lookup_tab *t = ((struct lkload *)ctx)->t;
	int isnew;
	(void)src;
	if (t->nrow >= UINT32_MAX - 1)
		jt_die_at(src, rec->line, "lookup table has too many rows");
	jt_map_put(&t->map, rec->f[t->keycol], rec->len[t->keycol], (uint32_t)t->nrow, &isnew);
	if (!isnew) {
		t->dups++;
		return;
	}
	size_t n = t->h->n;
	if (t->nrow + 1 > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->f = jt_xrealloc(t->f, t->cap * n * sizeof *t->f);
		t->len = jt_xrealloc(t->len, t->cap * n * sizeof *t->len);
	}
	for (size_t i = 0; i < n; i++) {
		t->f[t->nrow * n + i] = jt_arena_dup(&t->ar, rec->f[i], rec->len[i]);
		t->len[t->nrow * n + i] = rec->len[i];
	}
	t->nrow++;
}

struct lookup_tab *jt_touch_load_lookup(struct jt_touchrun *r, const struct jt_plookup *l)
{
	for (size_t i = 0; i < r->ntab; i++)
		if (strcmp(r->tabs[i]->file, l->file) == 0 && strcmp(r->tabs[i]->key, l->key) == 0)
			return r->tabs[i];
	FILE *probe = strcmp(l->file, "-") ? fopen(l->file, "r") : NULL;
	if (!probe)
		jt_die("lookup %s:", strcmp(l->file, "-") ? l->file : "- (a lookup table must be a file)");
	fclose(probe);
	/* in r->tabs before reading: a bad row that stops the run leaves nothing unreachable */
	struct lookup_tab *t = jt_xcalloc(1, sizeof *t);
	t->file = jt_xstrdup(l->file);
	t->key = jt_xstrdup(l->key);
	r->tabs = jt_xrealloc(r->tabs, (r->ntab + 1) * sizeof *r->tabs);
	r->tabs[r->ntab++] = t;
	struct jt_common strict = *r->o.c;	/* a lookup table must be clean: the first bad row stops */
	strict.strict = 1;
	strict.rejects = strict.stats = NULL;
	struct jt_rejects *rj = jt_rejects_new(&strict);
	struct lkload ctx = { t, l->file };
	struct jt_dialect d = r->o.c->dialect;
	d.no_header = 0;
	jt_read(l->file, &d, rj, lk_header, lk_record, &ctx);
	jt_rejects_free(rj);
	if (!t->h)
		jt_die("lookup %s: the file is empty (it needs a header with column '%s')", l->file, l->key);
	if (t->dups)
		jt_warn("lookup %s: %llu duplicate %s keys, the first row of each is used", l->file,
			(unsigned long long)t->dups, l->key);
	return t;
}

void jt_touch_lookup_free(struct lookup_tab *t)
{
	free(t->file);
	free(t->key);
	jt_header_free(t->h);
	jt_map_free(&t->map);
	free(t->f);
	free(t->len);
	jt_arena_free(&t->ar);
	free(t);
}

/* ---- binding a plan to an input header ------------------------------- */

static void vh_add(struct plan *pl, const char *name, size_t len, int lk, size_t idx)
{
	int isnew;
	size_t e = jt_map_put(&pl->vidx, name, len, (uint32_t)pl->vh.n, &isnew);
	if (!isnew) {	/* the input's (or an earlier lookup's) column wins over a lookup's */
		size_t at = pl->vidx.ent[e].val;
		if (lk < 0 && pl->vc[at].lk < 0)
			pl->vc[at].dup = 1;	/* but two of the input's own are ambiguous */
		return;
	}
	size_t n = pl->vh.n + 1, c = pl->vcap;
	void *p = pl->vh.name;
	jt_xgrow(&p, &c, n, sizeof *pl->vh.name);
	pl->vh.name = p;
	p = pl->vh.len;
	c = pl->vcap;
	jt_xgrow(&p, &c, n, sizeof *pl->vh.len);
	pl->vh.len = p;
	p = pl->vc;
	jt_xgrow(&p, &pl->vcap, n, sizeof *pl->vc);
	pl->vc = p;
	pl->vh.name[pl->vh.n] = jt_xmemdup(name, len);
	pl->vh.len[pl->vh.n] = len;
	pl->vc[pl->vh.n].lk = lk;
	pl->vc[pl->vh.n].dup = 0;
	pl->vc[pl->vh.n].idx = idx;
	pl->vh.n = n;
}

static long vfind(const struct plan *pl, const char *name)
{
	long e = jt_map_find(&pl->vidx, name, strlen(name));
	if (e < 0)
		return -1;
	long i = (long)pl->vidx.ent[e].val;
	if (pl->vc[i].dup)
		jt_col_by_name(pl->inh, name, pl->insrc);	/* dies: ambiguous, naming both */
	return i;
}

/* A column the profile names (or the first of its names the input has):
 * dies listing the columns when it is required and absent; says once on
 * stderr (not with -q) that an optional one is absent. */
static long need(struct jt_touchrun *r, const struct plan *pl, const struct jt_pcol *c, const char *src)
{
	long i = vfind(pl, c->name);
	for (size_t k = 0; i < 0 && k < c->nalt; k++)
		i = vfind(pl, c->alt[k]);
	if (i >= 0)
		return i;
	if (!c->optional) {
		if (!c->nalt)
			jt_col_by_name(&pl->vh, c->name, src);	/* dies: unknown column, lists them */
		const char **names = jt_xcalloc(c->nalt + 1, sizeof *names);
		names[0] = c->name;
		for (size_t k = 0; k < c->nalt; k++)
			names[k + 1] = c->alt[k];
		jt_cols_unknown(&pl->vh, names, c->nalt + 1, src);
	}
	struct jt_buf b = JT_BUF_INIT;
	jt_buf_printf(&b, "%s'%s", pl->cfg.name ? pl->cfg.name : "", jt_show(c->name, strlen(c->name)));
	for (size_t k = 0; k < c->nalt; k++)
		jt_buf_printf(&b, "|%s", jt_show(c->alt[k], strlen(c->alt[k])));
	jt_buf_addc(&b, '\'');
	int isnew;
	size_t pre = pl->cfg.name ? strlen(pl->cfg.name) : 0;
	jt_map_put(&r->absent, b.p, b.len, 0, &isnew);
	if (isnew) {	/* said once per configuration name and column, with the others of this header */
		jt_buf_printf(&r->absent_now, "%s%s", r->absent_now.len ? ", " : "", b.p + pre);
		r->nabsent_now++;
	}
	jt_buf_free(&b);
	return -1;
}

static const struct rlist *rlist_named(const struct plan *pl, const char *col)
{
	const struct jt_profile *c = &pl->cfg;
	for (size_t i = 0; i < c->ntimefmt; i++)
		if (c->timefmt[i].col && strcmp(c->timefmt[i].col, col) == 0)
			return &pl->rl[i];
	return NULL;
}

/* How time column pc (bound to virtual column v) is read: the time_format
 * entry of the column the input has, else of another of its names, else the
 * default. */
static const struct rlist *rlist_of(const struct plan *pl, const struct jt_pcol *pc, long v)
{
	const struct rlist *l = v >= 0 ? rlist_named(pl, pl->vh.name[v]) : NULL;
	if (!l)
		l = rlist_named(pl, pc->name);
	for (size_t k = 0; !l && k < pc->nalt; k++)
		l = rlist_named(pl, pc->alt[k]);
	return l ? l : &pl->rl[pl->nrl - 1];
}

struct mdefault {
	const char *name;
	int integer, has_lo, has_hi;
	long lo, hi;
};

static const struct mdefault mdefaults[] = {
	{ "nps", 1, 1, 1, 0, 10 }, { "csat", 1, 1, 1, 1, 5 }, { "ces", 1, 1, 1, 1, 7 },
	{ "reopens", 1, 1, 0, 0, 0 },
};

static void bind_measure(struct jt_touchrun *r, struct plan *pl, struct pmeasure *m, const char *src)
{
	const struct jt_pmeasure *s = m->spec;
	const struct jt_profile *c = &pl->cfg;
	size_t n = strlen(s->name);
	m->out = out_index(r, s->name);
	m->a = need(r, pl, &s->a, src);
	m->ra = rlist_of(pl, &s->a, m->a);
	m->b = s->op == JT_M_DIFF ? need(r, pl, &s->b, src) : -1;
	m->rb = s->op == JT_M_DIFF ? rlist_of(pl, &s->b, m->b) : NULL;
	m->kind = n > 2 && strcmp(s->name + n - 2, "_s") == 0 ? MK_DURATION : MK_PLAIN;
	m->on = 0;
	for (size_t k = 0; s->on && k < pl->ntouch; k++)
		if (pl->touch[k].tp && strcmp(pl->touch[k].tp, s->on) == 0)
			m->on = k;
	for (size_t k = 0; k < sizeof mdefaults / sizeof *mdefaults; k++)
		if (strcmp(mdefaults[k].name, s->name) == 0) {
			m->integer = mdefaults[k].integer;
			m->has_lo = mdefaults[k].has_lo;
			m->has_hi = mdefaults[k].has_hi;
			m->lo = (jt_i128)mdefaults[k].lo * JT_DEC_SCALE;
			m->hi = (jt_i128)mdefaults[k].hi * JT_DEC_SCALE;
		}
	for (size_t k = 0; k < c->nrange; k++)
		if (strcmp(c->range[k].name, s->name) == 0) {
			m->has_lo = c->range[k].has_lo;
			m->has_hi = c->range[k].has_hi;
			m->lo = c->range[k].lo;
			m->hi = c->range[k].hi;
		}
}

void jt_touch_plan_bind(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_header *h)
{
	const struct jt_profile *c = &pl->cfg;
	pl->bound = 1;
	pl->inh = h;
	pl->insrc = src;
	if (pl->where)	/* on the export's own columns */
		jt_where_bind(pl->where, h, src);
	for (size_t i = 0; i < h->n; i++)
		vh_add(pl, h->name[i], h->len[i], -1, i);
	pl->nlk = c->nlookup;
	pl->lk = jt_xcalloc(pl->nlk + 1, sizeof *pl->lk);
	pl->lkrow = jt_xcalloc(pl->nlk + 1, sizeof *pl->lkrow);
	pl->lkmatch = jt_xcalloc(pl->nlk + 1, sizeof *pl->lkmatch);
	for (size_t k = 0; k < pl->nlk; k++) {
		struct lookup_tab *t = jt_touch_load_lookup(r, &c->lookup[k]);
		struct jt_pcol kc = { c->lookup[k].rowcol, 0, NULL, 0 };
		pl->lk[k] = t;
		pl->lkrow[k] = need(r, pl, &kc, src);
		for (size_t i = 0; i < t->h->n; i++)
			vh_add(pl, t->h->name[i], t->h->len[i], (int)k, i);
	}
	pl->vmap = jt_xcalloc(pl->vh.n + 1, sizeof *pl->vmap);
	for (size_t k = 0; k < c->nmap; k++) {
		long i = vfind(pl, c->map[k].col);
		if (i >= 0)
			pl->vmap[i] = &c->map[k];
	}
	pl->custcol = -1;
	if (!c->customer_row) {
		for (size_t k = 0; k < c->ncustomer && pl->custcol < 0; k++) {
			pl->custcol = vfind(pl, c->customer[k].name);
			pl->custname = c->customer[k].name;
		}
		if (pl->custcol < 0) {
			struct jt_buf b = JT_BUF_INIT;
			for (size_t k = 0; k < c->ncustomer; k++)
				jt_buf_printf(&b, "%s'%s'", k ? ", " : "", c->customer[k].name);
			if (c->ncustomer == 1)
				jt_col_by_name(&pl->vh, c->customer[0].name, src);
			jt_die_at(src, 1, "no customer column: none of %s is a column (--customer COLUMN names it%s)", b.p,
				  pl->nlk ? "" : "; --lookup FILE:KEY joins a table that has it");
		}
	}
	pl->custlk = pl->custcol >= 0 ? pl->vc[pl->custcol].lk : -1;
	pl->ntouch = c->ntouch;
	pl->touch = jt_xcalloc(pl->ntouch, sizeof *pl->touch);
	for (size_t k = 0; k < c->ntouch; k++) {
		const struct jt_ptouch *s = &c->touch[k];
		struct ptouch *t = &pl->touch[k];
		t->tp = s->touchpoint;
		t->tplen = t->tp ? strlen(t->tp) : 0;
		t->tpcol = s->touchpoint ? -1 : need(r, pl, &s->from_col, src);
		t->timecol = need(r, pl, &s->time, src);
		t->rd = rlist_of(pl, &s->time, t->timecol);
		t->custcol = s->customer.name ? need(r, pl, &s->customer, src) : -1;
		t->custname = s->customer.name;
		if (!s->touchpoint && t->tpcol < 0)
			t->timecol = -1;
		pl->split |= t->custcol >= 0;
	}
	pl->nmeas = c->nmeasure;
	pl->meas = jt_xcalloc(pl->nmeas + 1, sizeof *pl->meas);
	for (size_t k = 0; k < c->nmeasure; k++) {
		pl->meas[k].spec = &c->measure[k];
		bind_measure(r, pl, &pl->meas[k], src);
	}
	pl->ncarry = c->ncarry;
	pl->carry = jt_xcalloc(pl->ncarry + 1, sizeof *pl->carry);
	for (size_t k = 0; k < c->ncarry; k++) {
		pl->carry[k].out = out_index(r, c->carry[k].out);
		pl->carry[k].col = need(r, pl, &c->carry[k].col, src);
		pl->carry[k].on = 0;
		for (size_t o = 0; o < c->carry[k].non; o++)
			for (size_t t = 0; t < pl->ntouch; t++)
				if (pl->touch[t].tp && strcmp(pl->touch[t].tp, c->carry[k].on[o]) == 0)
					pl->carry[k].on |= (uint64_t)1 << t;
	}
	pl->chancol = c->channel.name ? need(r, pl, &c->channel, src) : -1;
	pl->refcol = c->referee.name ? need(r, pl, &c->referee, src) : -1;
	if (r->nabsent_now) {
		int one = r->nabsent_now == 1;
		jt_warn("%s: %s has no column%s %s (optional: %s empty)", pl->cfg.name ? pl->cfg.name : "the command line",
			src, one ? "" : "s", r->absent_now.p, one ? "it reads as" : "they read as");
		jt_buf_reset(&r->absent_now);
		r->nabsent_now = 0;
	}
}

void jt_touch_plan_free(struct plan *pl)
{
	for (size_t i = 0; i < pl->vh.n; i++)
		free(pl->vh.name[i]);
	free(pl->vh.name);
	free(pl->vh.len);
	jt_map_free(&pl->vidx);
	free(pl->vc);
	free(pl->vmap);
	free(pl->lk);
	free(pl->lkrow);
	free(pl->lkmatch);
	free(pl->touch);
	free(pl->meas);
	free(pl->carry);
	if (pl->tz)
		jt_tz_free(pl->tz);
	jt_where_free(pl->where);
	for (size_t i = 0; i < pl->nrl; i++) {
		for (size_t k = 0; k < pl->rl[i].n; k++)
			jt_tfmt_free((struct jt_tfmt *)pl->rl[i].r[k].fmt);
		free(pl->rl[i].r);
		free(pl->rl[i].tried);
	}
	free(pl->rl);
	jt_zones_free(&pl->zones);
	jt_profile_free(&pl->cfg);
}
