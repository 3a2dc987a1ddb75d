/* stage_funnel.c — jstage --funnel: how far each customer got through an
 * ordered (or strict, or unordered) list of steps within --window, as
 * PostHog counts funnels; conversion with Wilson intervals, drop-off and the
 * time to each step, optionally broken down by a column (-g). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_rx.h"
#include "jt_stats.h"
#include "stage_int.h"

void jt_funnel_setup(struct jt_stagerun *r)
{
	char *list = jt_xstrdup(r->o.steps), *cur = list;
	for (char *it; (it = jt_stage_next_item(&cur));) {
		if (!*it)
			jt_usage_error("--funnel: an empty step in '%s'", r->o.steps);
		if (r->nstep == MAXSTEP)
			jt_usage_error("--funnel: more than %d steps", MAXSTEP);
		struct step *s = &r->steps[r->nstep++];
		s->label = -1;
		s->col = -1;
		s->name = jt_xstrdup(it);
		if (strncmp(it, "touchpoint:", 11) == 0) {
			s->rx = jt_stage_compile(it + 11, "--funnel");
			r->need_tp = 1;
		} else if (strncmp(it, "stage:", 6) == 0) {
			s->label = jt_stage_label_index(r, it + 6);
			if (s->label < 0)
				jt_usage_error("--funnel: '%s' is not a stage of the rules (or --default)", it + 6);
		} else if ((s->label = jt_stage_label_index(r, it)) < 0) {
			s->rx = jt_stage_compile(it, "--funnel");	/* not a stage: a touchpoint pattern */
			r->need_tp = 1;
		}
	}
	free(list);
	if (r->nstep < 1)
		jt_usage_error("--funnel: no steps (a comma list of stages or touchpoint patterns)");
	if (r->o.step_windows) {
		char *wl = jt_xstrdup(r->o.step_windows), *wc = wl;
		size_t k = 1;
		for (char *it; (it = jt_stage_next_item(&wc)); k++) {
			if (k >= r->nstep)
				jt_usage_error("--step-windows: more windows than steps after the first (%zu)", r->nstep - 1);
			if (!*it)
				jt_usage_error("--step-windows: an empty window in '%s' (write - for none)", r->o.step_windows);
			r->steps[k].win = strcmp(it, "-") == 0 ? 0 : jt_stage_duration(it, "--step-windows");
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

void jt_funnel_customer(struct jt_stagerun *r, struct tch *t, size_t n)
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
	case JT_AT_FIRST: bucket_add(r, 1 + t[bpos[0]].u.k.grp, best, bfirst); break;
	case JT_AT_LAST: bucket_add(r, 1 + t[bpos[best - 1]].u.k.grp, best, bfirst); break;
	case JT_AT_STEP: {
		size_t k = r->o.attrib_step - 1;
		uint32_t g = k < best ? t[bpos[k]].u.k.grp : jt_itab_put(&r->grps, "", 0, NULL);
		bucket_add(r, 1 + g, best, bfirst);
		break;
	}
	case JT_AT_ALL: {
		uint32_t seen[MAXSTEP];
		size_t ns = 0;
		for (size_t k = 0; k < best; k++) {
			uint32_t g = t[bpos[k]].u.k.grp;
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

static const struct jt_stagerun *sort_ctx;

static int cmp_grp(const void *a, const void *b)
{
	const struct jt_stagerun *r = sort_ctx;
	size_t lx, ly;
	const char *x = jt_itab_key(&r->grps, (uint32_t)*(const size_t *)a, &lx);
	const char *y = jt_itab_key(&r->grps, (uint32_t)*(const size_t *)b, &ly);
	int c = memcmp(x, y, lx < ly ? lx : ly);
	return c ? c : (lx > ly) - (lx < ly);
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
		jt_w_record(&r->main.w, f + off, len + off, nf, 0);
	}
}

void jt_funnel_write(struct jt_stagerun *r)
{
	const char *hdr[] = { r->o.group ? r->o.group : "", "step", "name", "customers", "conversion_pct",
		"conversion_lo", "conversion_hi", "step_conversion_pct", "dropoff", "dropoff_pct", "median_s", "p90_s" };
	size_t off = r->o.group ? 0 : 1;
	jt_stage_row_out(&r->main, hdr + off, 12 - off);
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
		size_t g = ord[i] + 1, glen;
		const char *gv = jt_itab_key(&r->grps, (uint32_t)ord[i], &glen);
		if (g < r->nbk && r->bk[g])
			funnel_rows(r, r->bk[g], gv, glen);
	}
	free(ord);
}

void jt_funnel_free(struct jt_stagerun *r)
{
	for (size_t k = 0; k < r->nstep; k++) {
		free(r->steps[k].name);
		jt_rx_free(r->steps[k].rx);
		free(r->steps[k].colname);
	}
	for (size_t i = 0; i < r->nbk; i++) {
		if (!r->bk[i])
			continue;
		for (size_t k = 0; k < MAXSTEP; k++)
			free(r->bk[i]->tt[k]);
		free(r->bk[i]);
	}
	free(r->bk);
}
