/* stage_customers.c — jstage --customers (one row per customer), and the
 * views over customer summaries: --retention (per period, or one window)
 * and --clv (historic and predictive lifetime value). */
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_stats.h"
#include "jt_tz.h"
#include "stage_int.h"

void jt_customers_setup(struct jt_stagerun *r)
{
	const struct jt_stage_opts *o = &r->o;
	if (o->sorted && !o->has_as_of && o->mode == JT_SM_CUSTOMERS)
		jt_usage_error("--customers with --sorted writes as it reads: give --as-of");
	if (o->group) {
		char *list = jt_xstrdup(o->group), *cur = list;
		for (char *it; (it = jt_stage_next_item(&cur));) {
			if (!*it)
				jt_usage_error("-g: an empty column name in '%s'", o->group);
			r->gname = jt_xrealloc(r->gname, (r->ng + 1) * sizeof *r->gname);
			r->gname[r->ng++] = jt_xstrdup(it);
		}
		free(list);
	}
	r->margin = JT_DEC_SCALE;
	if (o->margin && (jt_dec_parse(o->margin, strlen(o->margin), &r->margin) != JT_NUM_OK || r->margin <= 0 ||
			  r->margin > JT_DEC_SCALE))
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

static int is_tp(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, const char *name)
{
	size_t len;
	if (r->c_tp < 0)
		return 0;
	const char *s = jt_stage_field(r, v, x, (size_t)r->c_tp, &len);
	return len == strlen(name) && memcmp(s, name, len) == 0;
}

/* The group key of a customer: the -g values of their first touch. */
static uint32_t group_of(struct jt_stagerun *r, struct vctx *v, const struct tch *x)
{
	struct jt_buf *b = &r->vb;
	jt_buf_reset(b);
	jt_buf_add(b, "", 0);
	for (size_t g = 0; g < r->ng; g++) {
		size_t len;
		const char *s = jt_stage_field(r, v, x, (size_t)r->gcol[g], &len);
		jt_key_add(b, s, len);
	}
	int isnew;
	return (uint32_t)jt_map_put(&r->cgroups, b->p, b->len, 0, &isnew);
}

void jt_customers_header(struct jt_stagerun *r, struct vctx *v)
{
	static const char *const fixed[] = { "customer", "first_touch", "last_touch", "tenure_s", "touches", "orders",
		"tickets", "revenue", "aov", "furthest_stage", "last_nps", "last_nps_time", "last_csat",
		"last_csat_time", "referrals", "active" };
	if (r->ctab_header)
		return;
	size_t nf = sizeof fixed / sizeof *fixed, n = nf + r->ng;
	const char **f = jt_xcalloc(n, sizeof *f);
	size_t *len = jt_xcalloc(n, sizeof *len);
	for (size_t i = 0; i < n; i++) {
		f[i] = i < nf ? fixed[i] : r->gname[i - nf];
		len[i] = strlen(f[i]);
	}
	jt_w_record(&v->w, f, len, n, 0);
	free(f);
	free(len);
	r->ctab_header = 1;
}

void jt_customers_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n)
{
	uint64_t orders = 0, tickets = 0, referrals = 0;
	jt_i128 revenue = 0;
	long furthest = -1;
	size_t nps_i = n, csat_i = n;
	for (size_t i = 0; i < n; i++) {
		size_t len;
		orders += (uint64_t)is_tp(r, v, &t[i], "order_placed");
		tickets += (uint64_t)is_tp(r, v, &t[i], "ticket_opened");
		referrals += (uint64_t)is_tp(r, v, &t[i], "referral_sent");
		if (r->c_amount >= 0) {
			const char *s = jt_stage_field(r, v, &t[i], (size_t)r->c_amount, &len);
			jt_i128 x;
			if (len && jt_dec_parse(s, len, &x) == JT_NUM_OK)
				revenue += x;
		}
		if (t[i].label != NOLABEL && (long)t[i].label > furthest)
			furthest = (long)t[i].label;
		if (r->c_nps >= 0 && (jt_stage_field(r, v, &t[i], (size_t)r->c_nps, &len), len))
			nps_i = i;
		if (r->c_csat >= 0 && (jt_stage_field(r, v, &t[i], (size_t)r->c_csat, &len), len))
			csat_i = i;
	}
	if (r->o.mode != JT_SM_CUSTOMERS) {
		void *p = r->cs;
		jt_xgrow(&p, &r->cscap, r->ncs + 1, sizeof *r->cs);
		r->cs = p;
		r->cs[r->ncs++] = (struct csum){ t[0].t, t[n - 1].t, orders, revenue, group_of(r, v, &t[0]) };
		return;
	}
	jt_customers_header(r, v);	/* --sorted: with the first customer */
	size_t nf = 16 + r->ng;
	const char **f = v->of;
	size_t *l = v->ol;
	char (*b)[64] = v->num;
	f[0] = jt_stage_cust(r, t[0].cust, &l[0]);
	f[1] = jt_time_format(t[0].t, b[1]);
	f[2] = jt_time_format(t[n - 1].t, b[2]);
	f[3] = jt_fmt_u64((uint64_t)(t[n - 1].t - t[0].t), b[3]);
	f[4] = jt_fmt_u64(n, b[4]);
	f[5] = jt_fmt_u64(orders, b[5]);
	f[6] = jt_fmt_u64(tickets, b[6]);
	f[7] = jt_dec_format(revenue, b[7]);
	f[8] = orders ? jt_fmt_ratio(revenue, (jt_i128)orders * JT_DEC_SCALE, 4, b[8]) : "";
	f[9] = furthest >= 0 ? jt_stage_label(r, (size_t)furthest) : "";
	f[10] = nps_i < n ? jt_stage_field(r, v, &t[nps_i], (size_t)r->c_nps, &l[10]) : "";
	f[11] = nps_i < n ? jt_time_format(t[nps_i].t, b[11]) : "";
	f[12] = csat_i < n ? jt_stage_field(r, v, &t[csat_i], (size_t)r->c_csat, &l[12]) : "";
	f[13] = csat_i < n ? jt_time_format(t[csat_i].t, b[13]) : "";
	f[14] = jt_fmt_u64(referrals, b[14]);
	/* alive from the first touch until the last touch plus --churn-after (DESIGN §2) */
	f[15] = t[0].t <= r->as_of && r->as_of < t[n - 1].t + r->o.churn_after ? "1" : "0";
	for (size_t g = 0; g < r->ng; g++)
		f[16 + g] = jt_stage_field(r, v, &t[0], (size_t)r->gcol[g], &l[16 + g]);
	for (size_t i = 1; i < nf; i++)
		if (i != 10 && i != 12 && i < 16)
			l[i] = strlen(f[i]);
	if (nps_i >= n)
		l[10] = 0;
	if (csat_i >= n)
		l[12] = 0;
	jt_w_record(&v->w, f, l, nf, 0);
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
	return jt_tz_to_utc(z, period_start_utc(b, jt_tz_local(z, t), next));
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

static const struct jt_stagerun *sort_ctx;

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

void jt_retention_write(struct jt_stagerun *r)
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
		jt_w_record(&r->main.w, f0, l0, n0 < 64 ? n0 : 64, 0);
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
	jt_w_record(&r->main.w, f, len, ng + 9, 0);
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
			jt_w_record(&r->main.w, f, len, ng + 9, 0);
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

void jt_clv_write(struct jt_stagerun *r)
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
	jt_w_record(&r->main.w, f, len, nc, 0);
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
		jt_w_record(&r->main.w, f, len, nc, 0);
	}
	free(ord);
	free(f);
	free(len);
}

void jt_customers_free(struct jt_stagerun *r)
{
	for (size_t g = 0; g < r->ng; g++)
		free(r->gname[g]);
	free(r->gname);
	free(r->gcol);
	free(r->cs);
	free(r->bg);
	jt_map_free(&r->cgroups);
}
