/* stage_funnel.c — jstage --funnel: how far each customer got through an
 * ordered (or strict, or unordered) list of steps within --window, as
 * PostHog counts funnels; conversion with Wilson intervals, drop-off and the
 * time to each step, optionally broken down by a column (-g). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_rules.h"
#include "jt_rx.h"
#include "jt_stats.h"
#include "stage_int.h"

#ifndef JT_FUNNEL_SCAN	/* 1: every funnel start tried, as before (tests/unit/jstage-scan) */
#define JT_FUNNEL_SCAN 0
#endif

/* "awareness, consideration, ...": the stages of the rules, then --default's
 * label when the rules do not have it. */
static void stage_list(const struct jt_stagerun *r, struct jt_buf *b)
{
	size_t n = jt_rules_nlabels(r->o.rules);
	for (size_t i = 0; i <= n; i++) {
		const char *l = jt_stage_label(r, i);
		if (!l || (i == n && jt_rules_find(r->o.rules, l) >= 0))
			continue;
		if (b->len)
			jt_buf_adds(b, ", ");
		jt_buf_adds(b, l);
	}
}

/* The steps of --funnel: a stage of the rules (or --default), stage:LABEL,
 * or touchpoint:RE; a bare step that is no stage is a usage error (a typo
 * of a stage used to be taken as a touchpoint pattern that matched nothing). */
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
			continue;
		}
		int prefixed = strncmp(it, "stage:", 6) == 0;
		const char *label = prefixed ? it + 6 : it;
		if ((s->label = jt_stage_label_index(r, label)) >= 0)
			continue;
		struct jt_buf b = JT_BUF_INIT;
		stage_list(r, &b);
		jt_usage_error("--funnel: '%s' is not a stage of the rules (%s)%s", jt_show(label, strlen(label)),
			       b.p ? b.p : "", prefixed ? "" : "; write touchpoint:RE for a touchpoint pattern");
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

/* The best attempt by trying every start: the furthest step, and the first
 * start that reaches it. Quadratic in the touches of a window for ordered
 * and unordered funnels (an attempt may scan the whole window), linear for
 * strict ones (an attempt takes one touch per step, then stops). */
static size_t best_scan(const struct jt_stagerun *r, const struct tch *t, size_t n, size_t *start)
{
	int64_t first[MAXSTEP];
	size_t pos[MAXSTEP], best = 0;
	uint64_t startmask = r->o.order == JT_FO_UNORDERED ? ~(uint64_t)0 : 1;
	for (size_t i = 0; i < n && best < r->nstep; i++) {
		if (!(t[i].mask & startmask))
			continue;
		size_t reach = attempt(r, t, n, i, first, pos);
		if (reach > best) {
			best = reach;
			*start = i;
		}
	}
	return best;
}

/* The touches of each step, in time order: step k's are fl[off[k]] ..
 * fl[off[k + 1] - 1] (a touch is in the list of every step it matches). */
static void step_lists(struct jt_stagerun *r, const struct tch *t, size_t n, size_t *off)
{
	size_t ns = r->nstep, cnt[MAXSTEP + 1] = { 0 };
	uint64_t all = ns == 64 ? ~(uint64_t)0 : ((uint64_t)1 << ns) - 1;
	for (size_t i = 0; i < n; i++)
		for (uint64_t m = t[i].mask & all; m; m &= m - 1)
			cnt[__builtin_ctzll(m)]++;
	off[0] = 0;
	for (size_t k = 0; k < ns; k++)
		off[k + 1] = off[k] + cnt[k];
	void *p = r->fl;
	jt_xgrow(&p, &r->flcap, off[ns] + 1, sizeof *r->fl);
	r->fl = p;
	size_t at[MAXSTEP];
	memcpy(at, off, ns * sizeof *at);
	for (size_t i = 0; i < n; i++)
		for (uint64_t m = t[i].mask & all; m; m &= m - 1)
			r->fl[at[__builtin_ctzll(m)]++] = (uint32_t)i;
}

/* The best ordered attempt, in one pass over the step lists per step: time
 * linear in the customer's touches, times the steps. Facts about attempt(): V_k(i), the touches that count for step k in
 * the attempt from start i, are the touches j of step k within --window of
 * i that have a touch of V_{k-1}(i) before them within step k's window (any
 * before them without one); V_0(i) is i and the later step-1 touches. An
 * earlier start i' < i has every touch of V_k(i) up to the end of its own
 * window in V_k(i') too, so without --window the starts whose V_k holds j
 * are all the starts up to a latest one, S_k(j):
 *   S_0(j) = j; S_k(j) = max S_{k-1}(j') over the touches j' of step k - 1
 *   before j within step k's window of it (a sliding-window maximum),
 * and with --window, j is in V_k(i) when i <= S_k(j) and t_j - t_i <= window.
 * Start i reaches step k + 1 when the earliest such j is within its window:
 * E_k(i) = min t_j over the j with S_k(j) >= i, a suffix minimum. Starts are
 * numbered by their place in step 1's list, so S is a start number. */
static size_t best_ordered(struct jt_stagerun *r, const struct tch *t, size_t n, size_t *start)
{
	size_t ns = r->nstep, off[MAXSTEP + 1];
	step_lists(r, t, n, off);
	size_t n0 = off[1], best = n0 ? 1 : 0;
	if (n0 == 0)
		return 0;
	void *p = r->fs;
	jt_xgrow(&p, &r->fscap, off[ns] + 1, sizeof *r->fs);
	r->fs = p;
	p = r->fe;
	jt_xgrow(&p, &r->fecap, n0 + 1, sizeof *r->fe);
	r->fe = p;
	p = r->fr;
	jt_xgrow(&p, &r->frcap, n0 + 1, sizeof *r->fr);
	r->fr = p;
	size_t most = 0;
	for (size_t k = 0; k < ns; k++)
		if (off[k + 1] - off[k] > most)
			most = off[k + 1] - off[k];
	p = r->fq;
	jt_xgrow(&p, &r->fqcap, most + 1, sizeof *r->fq);
	r->fq = p;
	const uint32_t *fl = r->fl;
	uint32_t *fs = r->fs, *dq = r->fq;
	for (size_t s = 0; s < n0; s++) {
		fs[s] = (uint32_t)s;
		r->fr[s] = 1;
	}
	for (size_t k = 1; k < ns && best == k; k++) {
		int64_t win = r->steps[k].win;
		size_t a = off[k - 1], ae = off[k], head = 0, tail = 0;
		for (size_t q = off[k]; q < off[k + 1]; q++) {	/* S_k of each touch of step k */
			size_t j = fl[q];
			for (; a < ae && fl[a] < j; a++) {	/* step k - 1 touches before j enter */
				if (fs[a] == NOKEY)
					continue;
				while (tail > head && fs[dq[tail - 1]] <= fs[a])
					tail--;
				dq[tail++] = (uint32_t)a;
			}
			while (win && tail > head && t[j].t - t[fl[dq[head]]].t > win)
				head++;	/* before step k's window of j */
			fs[q] = tail > head ? fs[dq[head]] : NOKEY;
		}
		for (size_t s = 0; s < n0; s++)
			r->fe[s] = INT64_MAX;
		for (size_t q = off[k]; q < off[k + 1]; q++)
			if (fs[q] != NOKEY && t[fl[q]].t < r->fe[fs[q]])
				r->fe[fs[q]] = t[fl[q]].t;
		for (size_t s = n0 - 1; s-- > 0;)
			if (r->fe[s + 1] < r->fe[s])
				r->fe[s] = r->fe[s + 1];
		for (size_t s = 0; s < n0; s++)
			if (r->fr[s] == k && r->fe[s] != INT64_MAX && r->fe[s] - t[fl[s]].t <= r->o.window) {
				r->fr[s] = (unsigned char)(k + 1);
				best = k + 1;
			}
	}
	for (size_t s = 0; s < n0; s++)
		if (r->fr[s] == best) {
			*start = fl[s];
			break;
		}
	return best;
}

/* The best unordered attempt: every start, each in at most one step per
 * step done. From start i the attempt's next touch is the first one at or
 * after its last that matches a step not done yet: the least of the steps'
 * next touches, kept in one pointer per step into the step lists (the
 * pointers of the first touch at or after i only move forward from start to
 * start). Touches of steps already done are never visited. */
static size_t best_unordered(struct jt_stagerun *r, const struct tch *t, size_t n, size_t *start)
{
	size_t ns = r->nstep, off[MAXSTEP + 1], base[MAXSTEP], ptr[MAXSTEP], best = 0;
	step_lists(r, t, n, off);
	const uint32_t *fl = r->fl;
	memcpy(base, off, ns * sizeof *base);
	for (size_t i = 0; i < n && best < ns; i++) {
		if (!t[i].mask)
			continue;
		for (size_t k = 0; k < ns; k++) {
			while (base[k] < off[k + 1] && fl[base[k]] < i)
				base[k]++;
			ptr[k] = base[k];
		}
		uint64_t done = 0;
		size_t reach = 0;
		for (;;) {
			size_t j = n;
			for (size_t k = 0; k < ns; k++)
				if (!(done >> k & 1) && ptr[k] < off[k + 1] && fl[ptr[k]] < j)
					j = fl[ptr[k]];
			if (j == n || t[j].t - t[i].t > r->o.window)
				break;
			uint64_t m = t[j].mask & ~done;
			done |= m & -m;	/* as attempt(): the first step it matches */
			if (++reach == ns)
				break;
			for (size_t k = 0; k < ns; k++)
				if (ptr[k] < off[k + 1] && fl[ptr[k]] == j)
					ptr[k]++;
		}
		if (reach > best) {
			best = reach;
			*start = i;
		}
	}
	return best;
}

void jt_funnel_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	int64_t bfirst[MAXSTEP];
	size_t bpos[MAXSTEP], best, start = 0;
	if (JT_FUNNEL_SCAN || r->o.order == JT_FO_STRICT)
		best = best_scan(r, t, n, &start);
	else if (r->o.order == JT_FO_ORDERED)
		best = best_ordered(r, t, n, &start);
	else
		best = best_unordered(r, t, n, &start);
	if (best == 0)
		return;
	attempt(r, t, n, start, bfirst, bpos);	/* the times and touches of its steps */
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
	free(r->fl);
	free(r->fs);
	free(r->fq);
	free(r->fe);
	free(r->fr);
}
