/* touch_row.c — jtouch: the per-row work that turns an export row into
 * touches. Nothing is allocated per row: fields are borrowed, derived values
 * live in fixed buffers of the plan (touch_int.h). */
#include <string.h>

#include "jt_err.h"
#include "jt_opt.h"
#include "touch_int.h"

/* ---- the row ------------------------------------------------------------ */

static int ieq(const char *a, size_t n, const char *lowered)
{
	for (size_t i = 0; i < n; i++) {
		char ch = a[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != lowered[i] || !lowered[i])
			return 0;
	}
	return lowered[n] == '\0';
}

static const char *get_slow(const struct plan *pl, const struct jt_record *rec, long v, size_t *len);

/* The value of virtual column v for this row, after its map. */
static inline const char *get(const struct plan *pl, const struct jt_record *rec, long v, size_t *len)
{
	if (v >= 0 && pl->vc[v].lk < 0 && !pl->vmap[v]) {	/* an input column as it is */
		*len = rec->len[pl->vc[v].idx];
		return rec->f[pl->vc[v].idx];
	}
	return get_slow(pl, rec, v, len);
}

static const char *get_slow(const struct plan *pl, const struct jt_record *rec, long v, size_t *len)
{
	const char *s;
	if (v < 0) {
		*len = 0;
		return "";
	}
	const struct vcol *vc = &pl->vc[v];
	if (vc->lk < 0) {
		s = rec->f[vc->idx];
		*len = rec->len[vc->idx];
	} else {
		const struct lookup_tab *t = pl->lk[vc->lk];
		size_t at = (size_t)pl->lkmatch[vc->lk] * t->h->n + vc->idx;
		s = t->f[at];
		*len = t->len[at];
	}
	const struct jt_pmap *m = pl->vmap[v];
	if (m)
		for (size_t i = 0; i < m->n; i++)
			if (ieq(s, *len, m->key[i])) {
				*len = strlen(m->val[i]);
				return m->val[i];
			}
	return s;
}

/* Parses column v's time; 1 = empty, 0 = ok, -1 = rejected (dies on a day/month date without order). */
static int row_time(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_record *rec, long v,
		    const struct rlist *rl, int64_t *t, const char **canon)
{
	size_t n;
	const char *s = get(pl, rec, v, &n);
	if (n == 0)
		return 1;
	int need = 0, range = 0;
	for (size_t k = 0; k < rl->n; k++) {
		int rc = jt_time_read(s, n, &rl->r[k], t);
		if (rc == JT_TIME_OK) {
			/* already YYYY-MM-DDTHH:MM:SSZ (and no leap second): written as it came */
			if (canon)
				*canon = n == 20 && s[10] == 'T' && s[19] == 'Z' && rl->r[k].kind == JT_TIME_AUTO &&
						 !(s[17] == '6' && s[18] == '0') ? s : NULL;
			return 0;
		}
		need |= rc == JT_TIME_NEED_ORDER;
		range |= rc == JT_TIME_RANGE;
	}
	if (need)
		jt_die_at(src, rec->line, "column '%s': '%s' is a day/month date; say which order with --date-order mdy "
			  "or --date-order dmy", pl->vh.name[v], jt_show(s, n));
	if (rl->plain)
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' %s", pl->vh.name[v], jt_show(s, n),
			  range ? "is outside years 0000-9999" : "is not a time");
	else
		jt_reject(r->rj, src, rec, "bad time", "column '%s': '%s' %s (tried: %s)", pl->vh.name[v],
			  jt_show(s, n), range ? "is outside years 0000-9999" : "is not a time", jt_show(rl->tried, strlen(rl->tried)));
	return -1;
}

static void range_text(const struct pmeasure *m, char *buf, size_t n)
{
	char lo[64], hi[64];
	if (!m->has_lo && !m->has_hi)
		snprintf(buf, n, "%s", "");
	else if (m->has_lo && m->has_hi)
		snprintf(buf, n, "in %s-%s", jt_dec_format(m->lo, lo), jt_dec_format(m->hi, hi));
	else if (m->has_lo)
		snprintf(buf, n, "at least %s", jt_dec_format(m->lo, lo));
	else
		snprintf(buf, n, "at most %s", jt_dec_format(m->hi, hi));
}

/* Computes a measure into m->val; 0 ok (maybe empty), -1 rejected. */
static int row_measure(struct jt_touchrun *r, struct plan *pl, const char *src, const struct jt_record *rec,
		       struct pmeasure *m)
{
	const struct jt_pmeasure *s = m->spec;
	size_t n;
	const char *v = get(pl, rec, m->a, &n);
	jt_i128 x;
	m->val = "";
	m->vlen = 0;
	m->neg_row = 0;
	if (s->op == JT_M_DIFF) {
		int64_t ta, tb;
		int ra = row_time(r, pl, src, rec, m->a, m->ra, &ta, NULL);
		if (ra < 0)
			return -1;
		int rb = row_time(r, pl, src, rec, m->b, m->rb, &tb, NULL);
		if (rb < 0)
			return -1;
		if (ra || rb)
			return 0;
		x = (jt_i128)(ta - tb) * JT_DEC_SCALE;
	} else {
		if (n == 0)
			return 0;
		int rc = jt_dec_parse(v, n, &x);
		if (rc != JT_NUM_OK) {
			char rt[160];
			range_text(m, rt, sizeof rt);
			jt_reject_number(r->rj, src, rec, pl->vh.name[m->a], s->name, v, n, rc, *rt ? rt : NULL);
			return -1;
		}
		if (s->op == JT_M_MUL) {
			x = x * s->factor / JT_DEC_SCALE;
		} else if (s->op == JT_M_DIV) {
			x = x * JT_DEC_SCALE / s->factor;
		}
	}
	if (m->kind == MK_DURATION && s->op != JT_M_COPY) {	/* whole seconds, half away from zero */
		jt_i128 h = JT_DEC_SCALE / 2;
		x = (x >= 0 ? x + h : x - h) / JT_DEC_SCALE * JT_DEC_SCALE;
	}
	if (m->kind == MK_DURATION && x < 0 && !s->is_signed) {
		m->neg_row = 1;
		return 0;
	}
	if ((m->integer && x % JT_DEC_SCALE != 0) || (m->has_lo && x < m->lo) || (m->has_hi && x > m->hi)) {
		char rt[160];
		range_text(m, rt, sizeof rt);
		const char *shown = s->op == JT_M_COPY ? v : jt_dec_format(x, m->buf);
		int frac = m->integer && x % JT_DEC_SCALE != 0;
		jt_reject_number(r->rj, src, rec, pl->vh.name[m->a], s->name, shown,
				 s->op == JT_M_COPY ? n : strlen(shown), frac ? JT_NUM_FRACTION : JT_NUM_OUTSIDE,
				 *rt ? rt : NULL);
		return -1;
	}
	if (s->op == JT_M_COPY) {
		m->val = v;
		m->vlen = n;
	} else {
		m->val = jt_dec_format(x, m->buf);
		m->vlen = strlen(m->val);
	}
	return 0;
}

/* The customer id of column v, normalized when asked; empty when missing. */
static const char *row_customer(struct jt_touchrun *r, struct plan *pl, const struct jt_record *rec, long v,
				size_t *len, struct jt_buf *buf)
{
	const char *s = get(pl, rec, v, len);
	if (!pl->cfg.norm_lower && !pl->cfg.norm_trim)
		return s;
	size_t a = 0, b = *len;
	if (pl->cfg.norm_trim) {
		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
	}
	jt_buf_reset(buf);
	jt_buf_add(buf, s + a, b - a);
	if (pl->cfg.norm_lower)
		for (size_t i = 0; i < buf->len; i++)
			if (buf->p[i] >= 'A' && buf->p[i] <= 'Z')
				buf->p[i] = (char)(buf->p[i] - 'A' + 'a');
	(void)r;
	*len = buf->len;
	return buf->p ? buf->p : "";
}

uint64_t jt_shard_of(const char *id, size_t len, uint64_t n)
{
	return jt_fnv1a64(id, len) % n + 1;
}

/* 1: write the touch; 2: another shard's touch inside --since/--until (that
 * shard writes it, unless --dedup finds it a duplicate there): it still makes
 * its row count as out; 0: left out. The touch counters count this shard's
 * touches only. */
static int keep_touch(struct jt_touchrun *r, const char *cust, size_t clen, int64_t t, const char *tp,
		      size_t tplen)
{
	const struct jt_common *c = r->o.c;
	int here = !r->o.shard_n || jt_shard_of(cust, clen, r->o.shard_n) == r->o.shard_k;
	if ((c->has_since && t < c->since) || (c->has_until && t >= c->until)) {
		r->filtered += (uint64_t)here;
		return 0;
	}
	if (!here)
		return 2;
	if (r->o.dedup) {
		int isnew;
		jt_buf_reset(&r->key);
		jt_buf_add(&r->key, cust, clen);
		jt_buf_add(&r->key, "\0", 1);
		jt_buf_add(&r->key, &t, sizeof t);
		jt_buf_add(&r->key, tp, tplen);
		jt_map_put(&r->dedup, r->key.p, r->key.len, 0, &isnew);
		if (!isnew) {
			r->dup++;
			return 0;
		}
	}
	return 1;
}

/* The row's customer id (normalized when asked; empty when missing). */
static inline const char *row_id(struct jt_touchrun *r, struct plan *pl, const struct jt_record *rec, size_t *len)
{
	if (pl->cfg.customer_row) {	/* SOURCE:N, N counting every record of the source's files */
		jt_buf_reset(&r->rowbuf);
		jt_buf_printf(&r->rowbuf, "%s:%llu", pl->source, (unsigned long long)(pl->rowbase + rec->recno));
		*len = r->rowbuf.len;
		return r->rowbuf.p;
	}
	if (!pl->cfg.norm_lower && !pl->cfg.norm_trim)
		return get(pl, rec, pl->custcol, len);
	return row_customer(r, pl, rec, pl->custcol, len, &r->cbuf);
}

/* --shard: 1 when the row is this shard's (its customer's shard, or shard 1
 * for a row without a customer id); else 0 (the row is not counted here, but
 * a touch of its own customer may be this shard's), or -1 when it has
 * nothing for this shard. */
static int row_mine(struct jt_touchrun *r, const struct plan *pl, const char *cust, size_t clen)
{
	if (clen == 0) {
		jt_row_unowned(r->rj);
		if (r->o.shard_k == 1)
			return 1;
	} else if (jt_shard_of(cust, clen, r->o.shard_n) == r->o.shard_k) {
		return 1;
	} else {
		jt_row_elsewhere(r->rj);
	}
	return pl->split ? 0 : -1;
}

void jt_touch_on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct jt_touchrun *r = ctx;
	struct plan *pl = r->cur;
	int64_t tt[MAXTOUCH];
	const char *tcanon[MAXTOUCH];
	int has[MAXTOUCH];
	size_t nt = pl->ntouch;
	size_t clen = 0;
	const char *cust = NULL;
	int mine = 1;	/* --shard: the row is this shard's, to count and report */
	/* the customer as soon as its column is there: another shard's row stops
	 * there, unless a touch has its own customer */
	if (pl->custlk < 0) {
		cust = row_id(r, pl, rec, &clen);
		if (r->o.shard_n && (mine = row_mine(r, pl, cust, clen)) < 0)
			return;
	}
	if (pl->where && !jt_where_match(pl->where, src, rec)) {	/* before anything is made of the row */
		r->rows_where++;
		jt_rows_filtered(r->rj);
		return;
	}
	/* lookups, in order: each may use the columns of the ones before */
	for (size_t k = 0; k < pl->nlk; k++) {
		size_t n;
		const char *key = get(pl, rec, pl->lkrow[k], &n);
		long row = n ? jt_map_find(&pl->lk[k]->map, key, n) : -1;
		if (row < 0) {
			if (r->o.shard_n && pl->custlk >= (long)k)	/* no customer yet: shard 1's row */
				jt_row_unowned(r->rj);
			jt_reject(r->rj, src, rec, "unmatched lookup", "column '%s': '%s' is not in lookup %s",
				  pl->cfg.lookup[k].rowcol, jt_show(key, n), pl->lk[k]->file);
			return;
		}
		pl->lkmatch[k] = (long)pl->lk[k]->map.ent[row].val;
		if (pl->custlk == (long)k) {
			cust = row_id(r, pl, rec, &clen);
			if (r->o.shard_n && (mine = row_mine(r, pl, cust, clen)) < 0)
				return;
		}
	}
	/* every time first: one bad time rejects the whole row */
	size_t nemit = 0;
	for (size_t k = 0; k < nt; k++) {
		int rc = pl->touch[k].timecol < 0 ? 1 :
			row_time(r, pl, src, rec, pl->touch[k].timecol, pl->touch[k].rd, &tt[k], &tcanon[k]);
		if (rc < 0)
			return;
		has[k] = rc == 0;
		nemit += (size_t)has[k];
	}
	for (size_t k = 0; k < nt; k++) {
		if (!has[k])
			continue;
		if (pl->touch[k].custcol < 0 && clen == 0) {
			jt_reject(r->rj, src, rec, "missing customer", "column '%s': empty customer id",
				  pl->custname ? pl->custname : "customer");
			return;
		}
		if (pl->touch[k].custcol >= 0) {
			size_t n;
			get(pl, rec, pl->touch[k].custcol, &n);
			if (n == 0) {
				jt_reject(r->rj, src, rec, "missing customer", "column '%s': empty customer id for %s",
					  pl->touch[k].custname, pl->touch[k].tp ? pl->touch[k].tp : "the touch");
				return;
			}
		}
		if (pl->touch[k].tpcol >= 0) {
			size_t n;
			get(pl, rec, pl->touch[k].tpcol, &n);
			if (n == 0) {
				jt_reject(r->rj, src, rec, "missing touchpoint", "column '%s': empty touchpoint",
					  pl->vh.name[pl->touch[k].tpcol]);
				return;
			}
		}
	}
	for (size_t k = 0; k < pl->nmeas; k++)
		if (row_measure(r, pl, src, rec, &pl->meas[k]) != 0)
			return;
	if (nemit == 0) {
		r->rows_notime += (uint64_t)mine;
		jt_rows_skipped(r->rj);
		return;
	}
	/* the row is good: fill the constant part of the output row */
	const char **of = r->of;
	size_t *ol = r->olen;
	memset(ol, 0, r->ncol * sizeof *ol);	/* an empty field's pointer is never read */
	of[3] = pl->source;
	ol[3] = pl->srclen;
	if (pl->cfg.channel_const) {
		of[4] = pl->cfg.channel_const;
		ol[4] = pl->chanlen;
	} else {
		of[4] = get(pl, rec, pl->chancol, &ol[4]);
	}
	int carry_on = 0;	/* a carried column rides on some touches only */
	for (size_t k = 0; k < pl->ncarry; k++) {
		of[pl->carry[k].out] = get(pl, rec, pl->carry[k].col, &ol[pl->carry[k].out]);
		carry_on |= pl->carry[k].on != 0;
	}
	for (size_t k = 0; k < pl->nmeas; k++)
		if (pl->meas[k].vlen && !has[pl->meas[k].on])
			r->dropped += (uint64_t)mine;
	size_t refn = 0;
	const char *ref = get(pl, rec, pl->refcol, &refn);
	if (refn && !has[0])
		r->dropped += (uint64_t)mine;
	size_t emitted = 0;
	int out = 0;
	char tbuf[32];
	for (size_t k = 0; k < nt; k++) {
		if (!has[k])
			continue;
		const struct ptouch *t = &pl->touch[k];
		size_t cl = clen, tpl;
		const char *cu = t->custcol >= 0 ? get(pl, rec, t->custcol, &cl) : cust;
		if (t->custcol >= 0)
			cu = row_customer(r, pl, rec, t->custcol, &cl, &r->tcbuf);
		const char *tp = t->tp ? t->tp : get(pl, rec, t->tpcol, &tpl);
		if (t->tp)
			tpl = t->tplen;
		int keep = keep_touch(r, cu, cl, tt[k], tp, tpl);
		out |= keep;
		if (keep != 1)
			continue;
		of[0] = cu;
		ol[0] = cl;
		of[1] = tcanon[k] ? tcanon[k] : jt_time_format(tt[k], tbuf);
		ol[1] = 20;	/* YYYY-MM-DDTHH:MM:SSZ: every time was checked to be in 0000-9999 */
		of[2] = tp;
		ol[2] = tpl;
		for (size_t m = 0; m < pl->nmeas; m++) {
			size_t o = pl->meas[m].out;
			of[o] = pl->meas[m].on == k ? pl->meas[m].val : "";
			ol[o] = pl->meas[m].on == k ? pl->meas[m].vlen : 0;
		}
		of[13] = k == 0 ? ref : "";
		ol[13] = k == 0 ? refn : 0;
		for (size_t c = 0; carry_on && c < pl->ncarry; c++)
			if (pl->carry[c].on) {
				size_t o = pl->carry[c].out;
				if (pl->carry[c].on >> k & 1)
					of[o] = get(pl, rec, pl->carry[c].col, &ol[o]);
				else
					ol[o] = 0;
			}
		jt_w_record(&r->w, of, ol, r->ncol, pl->safe);
		emitted++;
	}
	r->touches += emitted;
	if (!mine)
		return;
	if (out) {
		r->rows_out++;
		for (size_t m = 0; m < pl->nmeas; m++)
			pl->meas[m].negative += (uint64_t)pl->meas[m].neg_row;
	} else {
		r->rows_filtered++;
		jt_rows_skipped(r->rj);
	}
}

void jt_touch_on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct jt_touchrun *r = ctx;
	jt_rejects_header(r->rj, h);
	jt_touch_plan_bind(r, r->cur, src, h);
	if (!r->header_done) {	/* at the first header: an empty input gives an empty output */
		r->header_done = 1;
		for (size_t i = 0; i < r->ncol; i++)
			jt_w_str(&r->w, r->cols[i]);
		jt_w_end(&r->w);
	}
}
