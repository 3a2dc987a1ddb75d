/* clv.c — BG/NBD and Gamma-Gamma: likelihoods as in `lifetimes`, fitted by
 * Nelder-Mead on the logarithms of the parameters (they stay positive),
 * inside the box [JT_FIT_LO, JT_FIT_HI] of scaled parameters, standard
 * errors from the inverse of the numerical Hessian (delta method). */
#include <math.h>
#include <string.h>

#include "jt_clv.h"

typedef double nll_fn(const double *lp, const struct jt_rfm *d, size_t n, double scale);

static double logaddexp(double a, double b)
{
	double m = a > b ? a : b;
	return m + log(exp(a - m) + exp(b - m));
}

/* Negative log-likelihood of BG/NBD; lp = log(r, alpha, a, b) with time scaled by scale. */
static double bg_nll(const double *lp, const struct jt_rfm *d, size_t n, double scale)
{
	double r = exp(lp[0]), alpha = exp(lp[1]), a = exp(lp[2]), b = exp(lp[3]), s = 0;
	for (size_t i = 0; i < n; i++) {
		double x = d[i].x, tx = d[i].tx * scale, T = d[i].T * scale;
		double a1 = lgamma(r + x) - lgamma(r) + r * log(alpha);
		double a2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
		double a3 = -(r + x) * log(alpha + T);
		double ll = a1 + a2 + a3;
		if (x > 0) {
			double a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + tx);
			ll = a1 + a2 + logaddexp(a3, a4);
		}
		s -= ll;
	}
	return isfinite(s) ? s : HUGE_VAL;
}

/* Negative log-likelihood of Gamma-Gamma; lp = log(p, q, v), values scaled by scale. */
static double gg_nll(const double *lp, const struct jt_rfm *d, size_t n, double scale)
{
	double p = exp(lp[0]), q = exp(lp[1]), v = exp(lp[2]), s = 0;
	for (size_t i = 0; i < n; i++) {
		double x = d[i].x, m = d[i].m * scale;
		if (x <= 0 || m <= 0)
			continue;
		s -= lgamma(p * x + q) - lgamma(p * x) - lgamma(q) + q * log(v) + (p * x - 1) * log(m) +
		     (p * x) * log(x) - (p * x + q) * log(x * m + v);
	}
	return isfinite(s) ? s : HUGE_VAL;
}

/* The objective at x, after x is put inside the parameter space: each
 * coordinate (a log parameter) clamped to [log JT_FIT_LO, log JT_FIT_HI],
 * so that the search never leaves it. */
static double inside(nll_fn *f, double *x, size_t k, const struct jt_rfm *d, size_t n, double scale)
{
	double lo = log(JT_FIT_LO), hi = log(JT_FIT_HI);
	for (size_t i = 0; i < k; i++)
		x[i] = x[i] < lo ? lo : x[i] > hi ? hi : x[i];
	return f(x, d, n, scale);
}

/* Nelder-Mead from x (k <= 4 dimensions) inside the parameter space; returns
 * 1 when it converged. x ends inside it. */
static int simplex(nll_fn *f, double *x, size_t k, const struct jt_rfm *d, size_t n, double scale, double *fx)
{
	double v[5][4], fv[5];
	for (size_t i = 0; i <= k; i++) {
		memcpy(v[i], x, k * sizeof *x);
		if (i)
			v[i][i - 1] += 0.5;
		fv[i] = inside(f, v[i], k, d, n, scale);
	}
	int ok = 0, edge = 0;
	double lo = log(JT_FIT_LO) + log(10.0), hi = log(JT_FIT_HI) - log(10.0);
	for (int it = 0; it < 40000; it++) {
		/* order: best first */
		for (size_t i = 1; i <= k; i++)
			for (size_t j = i; j > 0 && fv[j] < fv[j - 1]; j--) {
				double t = fv[j];
				fv[j] = fv[j - 1];
				fv[j - 1] = t;
				double tv[4];
				memcpy(tv, v[j], sizeof tv);
				memcpy(v[j], v[j - 1], sizeof tv);
				memcpy(v[j - 1], tv, sizeof tv);
			}
		double size = 0;
		for (size_t i = 1; i <= k; i++)
			for (size_t j = 0; j < k; j++)
				size = fmax(size, fabs(v[i][j] - v[0][j]));
		if (fabs(fv[k] - fv[0]) <= 1e-11 * (fabs(fv[0]) + 1e-11) && size < 1e-9) {
			ok = 1;
			break;
		}
		/* A best point at a bound (within a factor of 10, as bounds() has it)
		 * is no estimate, and the simplex may crawl along the bound without
		 * ever meeting the tolerance: 500 such steps end the search. A fit
		 * that never comes near a bound is not affected. */
		int near = 0;
		for (size_t j = 0; j < k; j++)
			near |= v[0][j] <= lo || v[0][j] >= hi;
		if (near && ++edge >= 500)
			break;
		double c[4] = { 0 }, xr[4], xe[4], xc[4];
		for (size_t i = 0; i < k; i++)
			for (size_t j = 0; j < k; j++)
				c[j] += v[i][j] / (double)k;
		for (size_t j = 0; j < k; j++)
			xr[j] = c[j] + (c[j] - v[k][j]);
		double fr = inside(f, xr, k, d, n, scale);
		if (fr < fv[0]) {
			for (size_t j = 0; j < k; j++)
				xe[j] = c[j] + 2 * (c[j] - v[k][j]);
			double fe = inside(f, xe, k, d, n, scale);
			if (fe < fr) {
				memcpy(v[k], xe, k * sizeof *xe);
				fv[k] = fe;
			} else {
				memcpy(v[k], xr, k * sizeof *xr);
				fv[k] = fr;
			}
			continue;
		}
		if (fr < fv[k - 1]) {
			memcpy(v[k], xr, k * sizeof *xr);
			fv[k] = fr;
			continue;
		}
		int outside = fr < fv[k];
		for (size_t j = 0; j < k; j++)
			xc[j] = outside ? c[j] + 0.5 * (xr[j] - c[j]) : c[j] + 0.5 * (v[k][j] - c[j]);
		double fc = inside(f, xc, k, d, n, scale);
		if (fc < (outside ? fr : fv[k])) {
			memcpy(v[k], xc, k * sizeof *xc);
			fv[k] = fc;
			continue;
		}
		for (size_t i = 1; i <= k; i++) {	/* shrink towards the best */
			for (size_t j = 0; j < k; j++)
				v[i][j] = v[0][j] + 0.5 * (v[i][j] - v[0][j]);
			fv[i] = inside(f, v[i], k, d, n, scale);
		}
	}
	size_t best = 0;
	for (size_t i = 1; i <= k; i++)
		if (fv[i] < fv[best])
			best = i;
	memcpy(x, v[best], k * sizeof *x);	/* inside the box: every vertex was put there */
	*fx = fv[best];
	return ok;
}

/* Inverts the k x k matrix m in place (Gauss-Jordan); -1 when singular. */
static int invert(double m[4][4], size_t k)
{
	double a[4][8];
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < 2 * k; j++)
			a[i][j] = j < k ? m[i][j] : (j - k == i);
	for (size_t c = 0; c < k; c++) {
		size_t p = c;
		for (size_t i = c + 1; i < k; i++)
			if (fabs(a[i][c]) > fabs(a[p][c]))
				p = i;
		if (fabs(a[p][c]) < 1e-300)
			return -1;
		if (p != c)
			for (size_t j = 0; j < 2 * k; j++) {
				double t = a[c][j];
				a[c][j] = a[p][j];
				a[p][j] = t;
			}
		double piv = a[c][c];
		for (size_t j = 0; j < 2 * k; j++)
			a[c][j] /= piv;
		for (size_t i = 0; i < k; i++)
			if (i != c) {
				double g = a[i][c];
				for (size_t j = 0; j < 2 * k; j++)
					a[i][j] -= g * a[c][j];
			}
	}
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < k; j++)
			m[i][j] = a[i][j + k];
	return 0;
}

/* 1 when the symmetric k x k matrix m is positive definite (Cholesky). */
static int posdef(double m[4][4], size_t k)
{
	double l[4][4];
	for (size_t j = 0; j < k; j++) {
		double s = m[j][j];
		for (size_t q = 0; q < j; q++)
			s -= l[j][q] * l[j][q];
		if (!(s > 0))
			return 0;
		l[j][j] = sqrt(s);
		for (size_t i = j + 1; i < k; i++) {
			double t = m[i][j];
			for (size_t q = 0; q < j; q++)
				t -= l[i][q] * l[j][q];
			l[i][j] = t / l[j][j];
		}
	}
	return 1;
}

/* Standard errors of exp(x) from the Hessian of f in x (log parameters);
 * returns 1 when that Hessian is positive definite (x is a minimum of f). */
static int std_errors(nll_fn *f, const double *x, size_t k, const struct jt_rfm *d, size_t n, double scale,
		      double *se)
{
	double h = 1e-4, H[4][4], y[4];
	double f0 = f(x, d, n, scale);
	for (size_t i = 0; i < k; i++)
		for (size_t j = i; j < k; j++) {
			double s[4];
			int sg[4][2] = { { 1, 1 }, { 1, -1 }, { -1, 1 }, { -1, -1 } };
			if (i == j) {
				memcpy(y, x, k * sizeof *y);
				y[i] += h;
				double fp = f(y, d, n, scale);
				y[i] -= 2 * h;
				double fm = f(y, d, n, scale);
				H[i][i] = (fp - 2 * f0 + fm) / (h * h);
				continue;
			}
			for (int q = 0; q < 4; q++) {
				memcpy(y, x, k * sizeof *y);
				y[i] += sg[q][0] * h;
				y[j] += sg[q][1] * h;
				s[q] = f(y, d, n, scale);
			}
			H[i][j] = H[j][i] = (s[0] - s[1] - s[2] + s[3]) / (4 * h * h);
		}
	int pd = posdef(H, k);
	if (invert(H, k) != 0) {
		for (size_t i = 0; i < k; i++)
			se[i] = NAN;
		return 0;
	}
	for (size_t i = 0; i < k; i++)	/* delta method: d exp(x) = exp(x) dx */
		se[i] = H[i][i] > 0 ? exp(x[i]) * sqrt(H[i][i]) : NAN;
	return pd;
}

/* Which log parameters of x ended at a bound of the parameter space: within
 * a factor of 10 of it (the search slows down in the corner of two bounds,
 * and a scaled parameter beyond 1e5 or below 1e-5 is degenerate anyway). */
static void bounds(struct jt_fit *f, const double *x, size_t k)
{
	double lo = log(JT_FIT_LO), hi = log(JT_FIT_HI), tol = log(10.0);
	f->at_lo = f->at_hi = 0;
	for (size_t i = 0; i < k; i++) {
		if (x[i] <= lo + tol)
			f->at_lo |= 1u << i;
		if (x[i] >= hi - tol)
			f->at_hi |= 1u << i;
	}
}

int jt_bgnbd_fit(const struct jt_rfm *d, size_t n, struct jt_fit *f)
{
	double maxT = 0;
	for (size_t i = 0; i < n; i++)
		maxT = fmax(maxT, d[i].T);
	if (n == 0 || maxT <= 0)
		return -1;
	double scale = 10.0 / maxT;	/* time scaled to 0..10, as lifetimes does */
	double x[4] = { 0, 0, 0, 0 }, fx;
	int ok = simplex(bg_nll, x, 4, d, n, scale, &fx);
	ok = simplex(bg_nll, x, 4, d, n, scale, &fx) || ok;	/* a restart from the best point */
	double se[4];
	f->pd = std_errors(bg_nll, x, 4, d, n, scale, se);
	bounds(f, x, 4);
	f->np = 4;
	for (int i = 0; i < 4; i++) {
		f->p[i] = exp(x[i]);
		f->se[i] = se[i];
	}
	f->p[1] /= scale;	/* alpha is in units of time */
	f->se[1] /= scale;
	double lp[4] = { log(f->p[0]), log(f->p[1]), log(f->p[2]), log(f->p[3]) };
	f->loglik = -bg_nll(lp, d, n, 1.0);
	f->converged = ok;
	return ok && f->pd && !f->at_lo && !f->at_hi ? 0 : -1;
}

int jt_gg_fit(const struct jt_rfm *d, size_t n, struct jt_fit *f)
{
	double maxm = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (d[i].x > 0 && d[i].m > 0) {
			maxm = fmax(maxm, d[i].m);
			k++;
		}
	if (k == 0)
		return -1;
	double scale = 10.0 / maxm, x[4] = { 0, 0, 0, 0 }, fx;
	int ok = simplex(gg_nll, x, 3, d, n, scale, &fx);
	ok = simplex(gg_nll, x, 3, d, n, scale, &fx) || ok;
	double se[4];
	f->pd = std_errors(gg_nll, x, 3, d, n, scale, se);
	bounds(f, x, 3);
	f->np = 3;
	for (int i = 0; i < 3; i++) {
		f->p[i] = exp(x[i]);
		f->se[i] = se[i];
	}
	f->p[2] /= scale;	/* v is in units of money */
	f->se[2] /= scale;
	double lp[3] = { log(f->p[0]), log(f->p[1]), log(f->p[2]) };
	f->loglik = -gg_nll(lp, d, n, 1.0);
	f->converged = ok;
	return ok && f->pd && !f->at_lo && !f->at_hi ? 0 : -1;
}

double jt_hyp2f1(double a, double b, double c, double z)
{
	double term = 1, sum = 1;
	for (int k = 0; k < 1000000; k++) {
		term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z;
		sum += term;
		if (fabs(term) < 1e-15 * fabs(sum))
			break;
	}
	return sum;
}

double jt_bgnbd_expected(const double *p, const struct jt_rfm *cu, double t)
{
	double r = p[0], alpha = p[1], a = p[2], b = p[3], x = cu->x, T = cu->T, tx = cu->tx;
	if (t <= 0)
		return 0;
	double A = (a + b + x - 1) / (a - 1);
	double hyp = jt_hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
	double first = A * (1 - pow((alpha + T) / (alpha + T + t), r + x) * hyp);
	double den = 1 + (x > 0 ? a / (b + x - 1) * pow((alpha + T) / (alpha + tx), r + x) : 0);
	return first / den;
}

double jt_bgnbd_alive(const double *p, const struct jt_rfm *cu)
{
	double r = p[0], alpha = p[1], a = p[2], b = p[3], x = cu->x;
	if (x <= 0)
		return 1;
	return 1 / (1 + a / (b + x - 1) * pow((alpha + cu->T) / (alpha + cu->tx), r + x));
}

double jt_gg_value(const double *p, const struct jt_rfm *cu)
{
	double pp = p[0], q = p[1], v = p[2];
	if (cu->x <= 0 || cu->m <= 0)
		return pp * v / (q - 1);
	return pp * (v + cu->x * cu->m) / (pp * cu->x + q - 1);
}
