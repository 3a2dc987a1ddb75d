/* stage_cohorts.c — jstage --cohorts: customers by the period of their first
 * touch, and the share (or count) active in each later period. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_stats.h"
#include "jt_tz.h"
#include "stage_int.h"

int64_t jt_stage_period(enum jt_bucket b, int64_t t)
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

void jt_cohorts_customer(struct jt_stagerun *r, struct tch *t, size_t n)
{
	int64_t p0 = jt_stage_period(r->pbucket, jt_tz_local(r->o.tz, t[0].t));
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
		jt_time_bucket(jt_tz_local(r->o.tz, t[0].t), r->pbucket, r->co[c].label);
		r->nco++;
	}
	struct cohort *co = &r->co[c];
	co->size++;
	int64_t last = -1;
	for (size_t i = 0; i < n; i++) {
		int64_t pp = jt_stage_period(r->pbucket, jt_tz_local(r->o.tz, t[i].t)), k = pp - p0;
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

static int cmp_cohort(const void *a, const void *b)
{
	const struct cohort *x = a, *y = b;
	return (x->period > y->period) - (x->period < y->period);
}

void jt_cohorts_write(struct jt_stagerun *r)
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
	jt_w_record(&r->main.w, f, len, ncol, 0);
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
		jt_w_record(&r->main.w, f, len, ncol, 0);
	}
	free(f);
	free(len);
	free(num);
}

void jt_cohorts_free(struct jt_stagerun *r)
{
	for (size_t i = 0; i < r->nco; i++)
		free(r->co[i].active);
	free(r->co);
	jt_map_free(&r->comap);
}
