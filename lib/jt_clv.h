/* jt_clv.h — the BG/NBD purchase model and the Gamma-Gamma spend model, as
 * the `lifetimes` Python package defines them (Fader, Hardie and Lee 2005;
 * Fader and Hardie 2013): maximum likelihood fits with standard errors from
 * the observed information, and the per-customer predictions. */
#ifndef JT_CLV_H
#define JT_CLV_H

#include <stddef.h>

/* One customer: repeat purchases x, recency t_x and age T (time units from
 * the first purchase), mean value m of the repeat purchases (x > 0). */
struct jt_rfm {
	double x, tx, T, m;
};

/* The parameter space of the fits: every parameter, in the fit's scaled
 * units (time so that the longest T is 10, money so that the largest mean
 * is 10, as lifetimes scales them), from JT_FIT_LO to JT_FIT_HI. */
#define JT_FIT_LO 1e-6
#define JT_FIT_HI 1e6

struct jt_fit {
	double p[4], se[4];	/* BG/NBD: r, alpha, a, b; Gamma-Gamma: p, q, v */
	size_t np;
	double loglik;
	int converged;	/* the simplex met its tolerance */
	unsigned at_lo, at_hi;	/* bit i: parameter i ended at its lower, upper bound */
	int pd;	/* the Hessian of the negative log-likelihood at the end is positive definite */
};

/* Fits BG/NBD on n customers; 0, or -1 when there is no customer or the fit
 * is no estimate: it did not converge, ended at a bound of the parameter
 * space, or not at a maximum (f->converged, f->at_lo, f->at_hi, f->pd say
 * which). */
int jt_bgnbd_fit(const struct jt_rfm *d, size_t n, struct jt_fit *f);
/* Fits Gamma-Gamma on the customers with x > 0; returns as jt_bgnbd_fit. */
int jt_gg_fit(const struct jt_rfm *d, size_t n, struct jt_fit *f);
/* Expected purchases in (T, T + t] for one customer (needs a > 1). */
double jt_bgnbd_expected(const double *p, const struct jt_rfm *c, double t);
/* Probability that the customer is still alive at T. */
double jt_bgnbd_alive(const double *p, const struct jt_rfm *c);
/* Expected mean purchase value (Gamma-Gamma), or the population mean for x = 0. */
double jt_gg_value(const double *p, const struct jt_rfm *c);
/* Gauss's hypergeometric 2F1(a, b; c; z) for 0 <= z < 1 (series). */
double jt_hyp2f1(double a, double b, double c, double z);

#endif
