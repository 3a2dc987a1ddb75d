/* stage_bgnbd.c — jstage --bgnbd: the BG/NBD model of purchases and the
 * Gamma-Gamma model of spend, fitted as lifetimes fits them (or read with
 * --use-params), then per customer: p_alive, expected purchases, value and
 * CLV over --horizon months. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_paths.h"
#include "stage_int.h"

static int is_tp(const struct jt_stagerun *r, struct vctx *v, const struct tch *x, const char *name)
{
	size_t len;
	if (r->c_tp < 0)
		return 0;
	const char *s = jt_stage_field(r, v, x, (size_t)r->c_tp, &len);
	return len == strlen(name) && memcmp(s, name, len) == 0;
}

/* The model's period of t: the UTC day, or the ISO week (Monday to Sunday),
 * numbered as pandas' to_period('D') and to_period('W') are (W is W-SUN:
 * weeks that end on Sunday), the same weeks as --cohorts week. */
static int64_t bg_period(const struct jt_stagerun *r, int64_t t)
{
	return jt_stage_period(r->o.unit == 7 * 86400 ? JT_BUCKET_WEEK : JT_BUCKET_DAY, t);
}

/* lifetimes' summary_data_from_transaction_data: purchases (order_placed) grouped
 * by period; frequency = periods with a purchase - 1, recency = last - first
 * period, T = --as-of's period - first period (differences of period numbers,
 * as lifetimes takes them), monetary = mean of the repeat periods' sums. */
void jt_bgnbd_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n)
{
	int64_t first = 0, last = 0, cur = 0;
	double x = -1, sum = 0, repeat = 0;
	jt_i128 unit_sum = 0;
	int any = 0;
	for (size_t i = 0; i <= n; i++) {
		int64_t u = 0;
		jt_i128 amt = 0;
		if (i < n) {
			if (!is_tp(r, v, &t[i], "order_placed"))
				continue;
			u = bg_period(r, t[i].t);
			size_t len;
			const char *s = r->c_amount >= 0 ? jt_stage_field(r, v, &t[i], (size_t)r->c_amount, &len) : "";
			if (r->c_amount < 0)
				len = 0;
			if (len)
				jt_dec_parse(s, len, &amt);
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
	int64_t asof = bg_period(r, r->as_of);
	void *p = r->bg;
	jt_xgrow(&p, &r->bgcap, r->nbg + 1, sizeof *r->bg);
	r->bg = p;
	struct bgc *b = &r->bg[r->nbg++];
	size_t clen;
	const char *c = jt_stage_cust(r, t[0].cust, &clen);
	uint32_t l = (uint32_t)clen;
	b->name = r->bgname.len;
	jt_buf_add(&r->bgname, &l, sizeof l);
	jt_buf_add(&r->bgname, c, clen);
	b->rfm.x = x;
	b->rfm.tx = (double)(last - first);
	b->rfm.T = (double)(asof - first);
	b->rfm.m = repeat > 0 ? sum / repeat : 0;
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

void jt_bgnbd_read_params(const char *path, double *p, int64_t *unit)
{
	struct params_rd pr = { p, unit, 0, 0, -1, -1, -1 };
	struct jt_dialect d = { .delim = ',' };
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

/* The parameters of mask, "r 6.1e+06 and alpha 7.2e+08" (with their values). */
static void fit_names(struct jt_buf *b, const struct jt_fit *f, const char *const *names, unsigned mask, int values)
{
	size_t n = 0, k = 0;
	for (size_t i = 0; i < f->np; i++)
		n += mask >> i & 1;
	for (size_t i = 0; i < f->np; i++) {
		if (!(mask >> i & 1))
			continue;
		if (k++)
			jt_buf_adds(b, k == n ? " and " : ", ");
		jt_buf_adds(b, names[i]);
		if (values)
			jt_buf_printf(b, " %.2g", f->p[i]);
	}
}

/* Says why a fit is no estimate, if it is not: a warning, or with --strict an
 * error (the caller then exits 1). Returns 1 when it is not. */
static int fit_check(const struct jt_stagerun *r, int rc, const struct jt_fit *f, const char *model,
		     const char *const *names, const char *nothing)
{
	if (rc == 0)
		return 0;
	struct jt_buf b = JT_BUF_INIT;
	if (f->np == 0) {
		jt_buf_printf(&b, "the %s fit has %s: its figures are not estimates", model, nothing);
	} else if (f->at_lo || f->at_hi) {
		jt_buf_printf(&b, "the %s fit did not converge inside the parameter space (", model);
		fit_names(&b, f, names, f->at_hi, 1);
		if (f->at_hi)
			jt_buf_adds(&b, (f->at_hi & (f->at_hi - 1)) ? " at their bounds" : " at its bound");
		if (f->at_hi && f->at_lo)
			jt_buf_adds(&b, ", ");
		fit_names(&b, f, names, f->at_lo, 0);
		if (f->at_lo)
			jt_buf_adds(&b, " near 0");
		jt_buf_adds(&b, "): the model does not fit these data; its figures are not estimates");
	} else if (!f->pd) {
		jt_buf_printf(&b, "the %s fit did not converge inside the parameter space (it ended where the "
			      "likelihood has no maximum: the Hessian is not positive definite): the model does not "
			      "fit these data; its figures are not estimates", model);
	} else {
		jt_buf_printf(&b, "the %s fit did not converge: its figures are not estimates", model);
	}
	if (r->o.c->strict)
		jt_note("%s", b.p);
	else
		jt_warn("%s", b.p);
	jt_buf_free(&b);
	return 1;
}

/* The fits, the parameters (stderr, --params) and the predictions; returns
 * the exit status: 1 when --strict and a fit is no estimate. */
int jt_bgnbd_write(struct jt_stagerun *r)
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
	} else if (r->nbg == 0) {	/* no row to predict: nothing to fit, and nothing wrong */
		jt_warn("the BG/NBD fit has no customer with a purchase");
		memset(p, 0, sizeof p);
	} else {
		int bad = fit_check(r, jt_bgnbd_fit(d, r->nbg, &bf), &bf, "BG/NBD", bg_names,
				    "no customer whose T is above 0 (every first purchase is in the period of --as-of)");
		bad |= fit_check(r, jt_gg_fit(d, r->nbg, &gf), &gf, "Gamma-Gamma", bg_names + 4,
				 "no customer with a repeat purchase");
		if (bad && r->o.c->strict) {	/* nothing written: -o stays as it was */
			free(d);
			return 1;
		}
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
	jt_w_record(&r->main.w, hdr, len, 9, 0);
	/* lifetimes' customer_lifetime_value: a month is 30 days, or 4.345 weeks */
	double month = r->o.unit == 7 * 86400 ? 4.345 : 30.0;
	double disc = jt_dec_to_double(r->discount), margin = jt_dec_to_double(r->margin);
	double H = r->o.horizon * month;
	for (size_t i = 0; i < r->nbg; i++) {
		const struct jt_rfm *c = &d[i];
		char b[8][64];
		const char *f[9];
		uint32_t l;
		memcpy(&l, r->bgname.p + r->bg[i].name, sizeof l);
		len[0] = l;
		f[0] = r->bgname.p + r->bg[i].name + sizeof l;
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
		jt_w_record(&r->main.w, f, len, 9, 0);
	}
	free(d);
	return 0;
}

