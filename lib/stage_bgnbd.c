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

/* lifetimes' summary_data_from_transaction_data: purchases (order_placed) grouped
 * by time unit; frequency = units with a purchase - 1, recency = last - first
 * unit, T = --as-of's unit - first unit, monetary = mean of the repeat units' sums. */
void jt_bgnbd_customer(struct jt_stagerun *r, struct vctx *v, struct tch *t, size_t n)
{
	int64_t unit = r->o.unit, first = 0, last = 0, cur = 0;
	double x = -1, sum = 0, repeat = 0;
	jt_i128 unit_sum = 0;
	int any = 0;
	for (size_t i = 0; i <= n; i++) {
		int64_t u = 0;
		jt_i128 amt = 0;
		if (i < n) {
			if (!is_tp(r, v, &t[i], "order_placed"))
				continue;
			u = t[i].t >= 0 ? t[i].t / unit : -((-t[i].t + unit - 1) / unit);
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

void jt_bgnbd_write(struct jt_stagerun *r)
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
	jt_w_record(&r->main.w, hdr, len, 9, 0);
	double month = 30.0 * 86400 / (double)r->o.unit;	/* lifetimes: a month is 30 days */
	double disc = jt_dec_to_double(r->discount), margin = jt_dec_to_double(r->margin);
	double H = r->o.horizon * month;
	for (size_t i = 0; i < r->nbg; i++) {
		const struct jt_rfm *c = &d[i];
		char b[8][64];
		const char *f[9];
		f[0] = jt_stage_cust(r, r->bg[i].cust, &len[0]);
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
}

