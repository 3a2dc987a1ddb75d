/* profile.c — jtouch profile settings: tokenizing, validating, accumulating.
 * List settings (touch, measure, map, carry, range, lookup, time_format) add to
 * what is there, replacing an entry of the same name (a {COL} touch's name is
 * COL); the others replace. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_input.h"
#include "jt_mem.h"
#include "jt_tz.h"
#include "jt_where.h"
#include "profile_int.h"

const char *const jt_touch_columns[] = {
	"customer", "time", "touchpoint", "source", "channel", "nps", "csat", "ces",
	"first_reply_s", "resolution_s", "reopens", "amount", "delay_s", "referee"
};

int jt_touch_reserved(const char *name)
{
	static const char *const more[] = { "stage", "step", "gap_s", "activity", "activity_kind" };
	for (size_t i = 0; i < JT_TOUCH_NCOL; i++)
		if (strcmp(name, jt_touch_columns[i]) == 0)
			return 1;
	for (size_t i = 0; i < sizeof more / sizeof *more; i++)
		if (strcmp(name, more[i]) == 0)
			return 1;
	return strncmp(name, "next_", 5) == 0;
}

/* Slot for a named entry of a list: the existing one (cleared by clear) or a new one. */
static void *slot(void **arr, size_t *n, size_t sz, size_t found, void (*clear)(void *))
{
	if (found < *n) {
		char *p = (char *)*arr + found * sz;
		clear(p);
		memset(p, 0, sz);
		return p;
	}
	size_t cap = *n;
	jt_xgrow(arr, &cap, *n + 1, sz);
	char *p = (char *)*arr + (*n)++ * sz;
	memset(p, 0, sz);
	return p;
}

static void touch_clear(void *v)
{
	struct jt_ptouch *t = v;
	free(t->touchpoint);
	jt_pf_pcol_free(&t->from_col);
	jt_pf_pcol_free(&t->time);
	jt_pf_pcol_free(&t->customer);
}

static void measure_clear(void *v)
{
	struct jt_pmeasure *m = v;
	free(m->name);
	jt_pf_pcol_free(&m->a);
	jt_pf_pcol_free(&m->b);
	free(m->on);
}

static void map_clear(void *v)
{
	struct jt_pmap *m = v;
	for (size_t i = 0; i < m->n; i++) {
		free(m->key[i]);
		free(m->val[i]);
	}
	free(m->key);
	free(m->val);
	free(m->col);
}

static void carry_clear(void *v)
{
	struct jt_pcarry *c = v;
	free(c->out);
	jt_pf_pcol_free(&c->col);
	for (size_t i = 0; i < c->non; i++)
		free(c->on[i]);
	free(c->on);
}

static void range_clear(void *v) { free(((struct jt_prange *)v)->name); }

static void lookup_clear(void *v)
{
	struct jt_plookup *l = v;
	free(l->file);
	free(l->key);
	free(l->rowcol);
}

static void timefmt_clear(void *v)
{
	struct jt_ptimefmt *f = v;
	for (size_t i = 0; i < f->nr; i++)
		free(f->r[i].fmt);
	free(f->r);
	free(f->col);
}

#define FIND(arr, n, field, name) find_by(arr, n, sizeof *(arr), offsetof(__typeof__(*(arr)), field), name)

static size_t find_by(const void *arr, size_t n, size_t sz, size_t off, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = *(char *const *)((const char *)arr + i * sz + off);
		if (s && name && strcmp(s, name) == 0)
			return i;
	}
	return n;
}

static int set_touch(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	if (tk->n < 2)
		return jt_pf_fail(e, 0, "touch needs TOUCHPOINT TIME_COLUMN [customer=COLUMN]");
	const char *tp = tk->t[0];
	size_t tn = strlen(tp);
	int from_col = tn > 2 && tp[0] == '{' && tp[tn - 1] == '}';
	if (tk->al[0].k && !from_col)
		return jt_pf_fail(e, tk->at[0], "touchpoint '%s' is not a name (letters, digits, _ - . :) or {COLUMN}", tp);
	if (!from_col && !jt_pf_is_label(tp))
		return jt_pf_fail(e, tk->at[0], "touchpoint '%s' is not a name (letters, digits, _ - . :) or {COLUMN}", tp);
	if (!*tk->t[1])
		return jt_pf_fail(e, tk->at[1], "touch %s: an empty time column name", tp);
	/* a touch is named by its touchpoint, a {COL} touch by COL: the same name replaces */
	struct jt_pcol col = { 0 };
	if (from_col) {
		char *inner = jt_xmemdup(tp + 1, tn - 2);
		jt_pf_pcol(&col, inner);
		free(inner);
	}
	size_t found = p->ntouch;
	for (size_t i = 0; i < p->ntouch; i++)
		if (from_col ? !p->touch[i].touchpoint && strcmp(p->touch[i].from_col.name, col.name) == 0 :
			       p->touch[i].touchpoint && strcmp(p->touch[i].touchpoint, tp) == 0)
			found = i;
	void *arr = p->touch;
	struct jt_ptouch *t = slot(&arr, &p->ntouch, sizeof *t, found, touch_clear);
	p->touch = arr;
	if (from_col && tk->al[0].k) {	/* {a | b} */
		struct talt *al = &tk->al[0];
		jt_pf_pcol_free(&col);
		memmove(al->n[0], al->n[0] + 1, strlen(al->n[0]));
		al->n[al->k - 1][strlen(al->n[al->k - 1]) - 1] = '\0';
		if (jt_pf_pcol_tk(&t->from_col, tk, 0, 0, e, "touch") != 0)
			return -1;
	} else if (from_col) {
		t->from_col = col;
	} else {
		t->touchpoint = jt_xstrdup(tp);
	}
	if (jt_pf_pcol_tk(&t->time, tk, 1, 0, e, "touch") != 0)
		return -1;
	for (size_t i = 2; i < tk->n; i++) {
		if (strncmp(tk->t[i], "customer=", 9) == 0 && tk->t[i][9] && tk->t[i][9] != '|') {
			jt_pf_pcol_free(&t->customer);
			if (jt_pf_pcol_tk(&t->customer, tk, i, 9, e, "touch") != 0)
				return -1;
		} else {
			return jt_pf_fail(e, tk->at[i], "touch: unexpected '%s' (only customer=COLUMN may follow the time column)",
				    tk->t[i]);
		}
	}
	return 0;
}

static int number(const char *s, jt_i128 *v) { return jt_dec_parse(s, strlen(s), v) == JT_NUM_OK ? 0 : -1; }

static int set_measure(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	size_t i = 0;
	if (tk->n < 2)
		return jt_pf_fail(e, 0, "measure needs NAME = COLUMN [* N | / N | - COLUMN] [on TOUCHPOINT] [signed]");
	const char *name = tk->t[i++];
	if (!jt_pf_is_label(name) || strchr(name, ':'))
		return jt_pf_fail(e, tk->at[0], "measure name '%s' is not a column name (letters, digits, _)", name);
	if (strcmp(name, "customer") == 0 || strcmp(name, "time") == 0 || strcmp(name, "touchpoint") == 0 ||
	    strcmp(name, "source") == 0 || strcmp(name, "channel") == 0 || strcmp(name, "referee") == 0 ||
	    (jt_touch_reserved(name) && !(strcmp(name, "nps") == 0 || strcmp(name, "csat") == 0 ||
					  strcmp(name, "ces") == 0 || strcmp(name, "first_reply_s") == 0 ||
					  strcmp(name, "resolution_s") == 0 || strcmp(name, "reopens") == 0 ||
					  strcmp(name, "amount") == 0 || strcmp(name, "delay_s") == 0)))
		return jt_pf_fail(e, tk->at[0], "'%s' is not a measure (a reserved column of the touch stream)", name);
	if (strcmp(tk->t[i], "=") == 0)
		i++;
	if (i >= tk->n)
		return jt_pf_fail(e, tk->at[tk->n - 1], "measure %s: no column after '='", name);
	if (!*tk->t[i])
		return jt_pf_fail(e, tk->at[i], "measure %s: an empty column name", name);
	void *arr = p->measure;
	struct jt_pmeasure *m = slot(&arr, &p->nmeasure, sizeof *m, FIND(p->measure, p->nmeasure, name, name),
				     measure_clear);
	p->measure = arr;
	m->name = jt_xstrdup(name);
	m->is_signed = strcmp(name, "delay_s") == 0;
	if (jt_pf_pcol_tk(&m->a, tk, i++, 0, e, "measure") != 0)
		return -1;
	m->op = JT_M_COPY;
	if (i < tk->n && (strcmp(tk->t[i], "*") == 0 || strcmp(tk->t[i], "/") == 0 || strcmp(tk->t[i], "-") == 0)) {
		char op = tk->t[i][0];
		if (++i >= tk->n)
			return jt_pf_fail(e, tk->at[i - 1], "measure %s: nothing after '%c'", name, op);
		if (op == '-') {
			if (!*tk->t[i])
				return jt_pf_fail(e, tk->at[i], "measure %s: an empty column name", name);
			m->op = JT_M_DIFF;
			if (jt_pf_pcol_tk(&m->b, tk, i, 0, e, "measure") != 0)
				return -1;
		} else {
			m->op = op == '*' ? JT_M_MUL : JT_M_DIV;
			if (number(tk->t[i], &m->factor) != 0 || (op == '/' && m->factor == 0))
				return jt_pf_fail(e, tk->at[i], "measure %s: '%s' is not a %snumber", name, tk->t[i],
					    op == '/' ? "non-zero " : "");
		}
		i++;
	}
	for (; i < tk->n; i++) {
		if (strcmp(tk->t[i], "on") == 0 && i + 1 < tk->n) {
			free(m->on);
			m->on = jt_xstrdup(tk->t[++i]);
			m->on_at = tk->at[i];
		} else if (strcmp(tk->t[i], "signed") == 0) {
			m->is_signed = 1;
		} else if (strcmp(tk->t[i], "unsigned") == 0) {
			m->is_signed = 0;
		} else {
			return jt_pf_fail(e, tk->at[i], "measure %s: unexpected '%s' (a column with blanks needs quotes; "
				    "operators need blanks around them)", name, tk->t[i]);
		}
	}
	return 0;
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static int set_map_col(struct jt_profile *p, const char *col, struct toks *tk, struct perr *e);

/* map COL VALUE=NEW ...; COL may be a | b: the same map for each name */
static int set_map(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	if (tk->n < 2)
		return jt_pf_fail(e, 0, "map needs COLUMN VALUE=NUMBER ...");
	if (!tk->al[0].k)
		return set_map_col(p, tk->t[0], tk, e);
	for (size_t k = 0; k < tk->al[0].k; k++)
		if (set_map_col(p, tk->al[0].n[k], tk, e) != 0)
			return -1;
	return 0;
}

static int set_map_col(struct jt_profile *p, const char *col, struct toks *tk, struct perr *e)
{
	void *arr = p->map;
	struct jt_pmap *m = slot(&arr, &p->nmap, sizeof *m, FIND(p->map, p->nmap, col, col), map_clear);
	p->map = arr;
	m->col = jt_xstrdup(col);
	m->key = jt_xcalloc(tk->n, sizeof *m->key);
	m->val = jt_xcalloc(tk->n, sizeof *m->val);
	size_t cap = tk->n;
	for (size_t i = 1; i < tk->n; i++) {
		/* good=5,bad=1 is read as two pairs when every comma-separated piece is a pair */
		const char *tok = tk->t[i];
		int split = strchr(tok, ',') != NULL;
		for (const char *q = tok; split && q; q = strchr(q, ',')) {
			q += *q == ',';
			const char *c = strchr(q, ','), *eq = strchr(q, '=');
			if (!eq || eq == q || (c && eq > c))
				split = 0;
		}
		for (const char *q = tok; q;) {
			const char *c = split ? strchr(q, ',') : NULL;
			size_t len = c ? (size_t)(c - q) : strlen(q);
			char *pair = jt_xmemdup(q, len);
			char *eq = strrchr(pair, '=');
			if (!eq || eq == pair) {
				free(pair);
				return jt_pf_fail(e, tk->at[i], "map %s: '%s' is not VALUE=NEW", m->col, tok);
			}
			if (m->n == cap) {
				cap *= 2;
				m->key = jt_xrealloc(m->key, cap * sizeof *m->key);
				m->val = jt_xrealloc(m->val, cap * sizeof *m->val);
			}
			*eq = '\0';
			m->key[m->n] = jt_xstrdup(pair);
			lower(m->key[m->n]);
			m->val[m->n++] = jt_xstrdup(eq + 1);
			free(pair);
			q = c ? c + 1 : NULL;
		}
	}
	return 0;
}

static int set_carry(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	size_t ncol = tk->n, on_at = 0;
	char **on = NULL;
	size_t non = 0;
	if (tk->n < 1)
		return jt_pf_fail(e, 0, "carry needs COLUMN or NEW_NAME=COLUMN ... [on TOUCHPOINT[,TOUCHPOINT...]]");
	/* an unquoted 'on' ends the columns: the touchpoints follow, by commas or blanks */
	for (size_t i = 0; i < tk->n; i++)
		if (!tk->q[i] && strcmp(tk->t[i], "on") == 0) {
			ncol = i;
			on_at = i + 1 < tk->n ? tk->at[i + 1] : tk->at[i];
			if (i + 1 == tk->n)
				return jt_pf_fail(e, tk->at[i], "carry: 'on' needs the touchpoints the columns ride on");
			for (size_t j = i + 1; j < tk->n; j++) {
				char *save = NULL, *w = jt_xstrdup(tk->t[j]);
				for (char *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
					if (!jt_pf_is_label(t)) {
						int r = jt_pf_fail(e, tk->at[j], "carry: touchpoint '%s' is not a name (letters, digits, _ - . :)",
							     t);
						free(w);
						for (size_t k = 0; k < non; k++)
							free(on[k]);
						free(on);
						return r;
					}
					on = jt_xrealloc(on, (non + 1) * sizeof *on);
					on[non++] = jt_xstrdup(t);
				}
				free(w);
			}
			break;
		}
	if (ncol == 0) {
		for (size_t k = 0; k < non; k++)
			free(on[k]);
		free(on);
		return jt_pf_fail(e, 0, "carry needs COLUMN or NEW_NAME=COLUMN ... [on TOUCHPOINT[,TOUCHPOINT...]]");
	}
	for (size_t i = 0; i < ncol; i++) {
		const char *t = tk->t[i], *first = tk->al[i].k ? tk->al[i].n[0] : t, *eq = strchr(first, '=');
		char *out = eq ? jt_xmemdup(first, (size_t)(eq - first)) : NULL;
		struct jt_pcol c;
		if (jt_pf_pcol_tk(&c, tk, i, eq ? (size_t)(eq - first) + 1 : 0, e, "carry") != 0) {
			free(out);
			for (size_t k = 0; k < non; k++)
				free(on[k]);
			free(on);
			return -1;
		}
		if (!out)
			out = jt_xstrdup(c.name);
		int r = 0;
		if (!*out || !*c.name)
			r = jt_pf_fail(e, tk->at[i], "carry: '%s' is not COLUMN or NEW_NAME=COLUMN", t);
		else if (jt_touch_reserved(out))
			r = jt_pf_fail(e, tk->at[i], "carried column '%s' takes a reserved name; rename it: carry %s_%s=%s",
				 out, p->source ? p->source : "src", out, c.name);
		if (r) {
			free(out);
			jt_pf_pcol_free(&c);
			for (size_t k = 0; k < non; k++)
				free(on[k]);
			free(on);
			return r;
		}
		void *arr = p->carry;
		struct jt_pcarry *k = slot(&arr, &p->ncarry, sizeof *k, FIND(p->carry, p->ncarry, out, out),
					   carry_clear);
		p->carry = arr;
		k->out = out;
		k->col = c;
		k->non = non;
		k->on_at = on_at;
		k->on = non ? jt_xcalloc(non, sizeof *k->on) : NULL;
		for (size_t m = 0; m < non; m++)
			k->on[m] = jt_xstrdup(on[m]);
	}
	for (size_t k = 0; k < non; k++)
		free(on[k]);
	free(on);
	return 0;
}

static int set_range(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	if (tk->n != 3)
		return jt_pf_fail(e, 0, "range needs MEASURE LOW HIGH ('-' for no bound)");
	void *arr = p->range;
	struct jt_prange *r = slot(&arr, &p->nrange, sizeof *r, FIND(p->range, p->nrange, name, tk->t[0]),
				   range_clear);
	p->range = arr;
	r->name = jt_xstrdup(tk->t[0]);
	for (int k = 1; k <= 2; k++) {
		if (strcmp(tk->t[k], "-") == 0)
			continue;
		if (number(tk->t[k], k == 1 ? &r->lo : &r->hi) != 0)
			return jt_pf_fail(e, tk->at[k], "range %s: '%s' is not a number", r->name, tk->t[k]);
		*(k == 1 ? &r->has_lo : &r->has_hi) = 1;
	}
	if (r->has_lo && r->has_hi && r->lo > r->hi)
		return jt_pf_fail(e, tk->at[1], "range %s: low is above high", r->name);
	return 0;
}

static int set_lookup(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	if (tk->n != 1)
		return jt_pf_fail(e, 0, "lookup needs FILE:KEY[=COLUMN]");
	const char *t = tk->t[0], *colon = strrchr(t, ':');
	if (!colon || colon == t || !colon[1])
		return jt_pf_fail(e, tk->at[0], "lookup '%s' is not FILE:KEY[=COLUMN]", t);
	const char *eq = strchr(colon, '=');
	char *key = jt_xmemdup(colon + 1, eq ? (size_t)(eq - colon - 1) : strlen(colon + 1));
	if (!*key || (eq && !eq[1])) {
		free(key);
		return jt_pf_fail(e, tk->at[0], "lookup '%s' is not FILE:KEY[=COLUMN]", t);
	}
	void *arr = p->lookup;
	struct jt_plookup *l = slot(&arr, &p->nlookup, sizeof *l, p->nlookup, lookup_clear);
	p->lookup = arr;
	l->file = jt_xmemdup(t, (size_t)(colon - t));
	l->key = key;
	l->rowcol = jt_xstrdup(eq ? eq + 1 : key);
	return 0;
}

static int time_kind(const char *t, enum jt_time_kind *k)
{
	if (strcmp(t, "auto") == 0)
		*k = JT_TIME_AUTO;
	else if (strcmp(t, "epoch") == 0 || strcmp(t, "epoch_s") == 0)
		*k = JT_TIME_EPOCH;
	else if (strcmp(t, "epoch_ms") == 0)
		*k = JT_TIME_EPOCH_MS;
	else
		return -1;
	return 0;
}

/* time_format READER ... [COLUMN ...]: a reader is auto, epoch, epoch_ms or a
 * format (a value with a %). Unquoted neighbours with a % are one format with
 * blanks ('%e %b %Y'); a quoted value is one format. */
static int set_timefmt(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	struct jt_preader *rd = NULL;
	size_t nr = 0, i = 0;
	int r = 0;
	if (tk->n < 1)
		return jt_pf_fail(e, 0, "time_format needs auto, epoch, epoch_ms or a format such as %%d.%%m.%%Y [COLUMN ...]");
	while (i < tk->n) {
		enum jt_time_kind k;
		size_t at = tk->at[i];
		struct jt_buf f = JT_BUF_INIT;
		if (time_kind(tk->t[i], &k) == 0) {
			i++;
		} else if (strchr(tk->t[i], '%')) {
			k = JT_TIME_FORMAT;
			jt_buf_adds(&f, tk->t[i++]);
			while (!tk->q[i - 1] && i < tk->n && !tk->q[i] && strchr(tk->t[i], '%')) {
				jt_buf_addc(&f, ' ');
				jt_buf_adds(&f, tk->t[i++]);
			}
			char why[256];
			struct jt_tfmt *c = jt_tfmt_compile(f.p, why, sizeof why);
			if (!c) {
				r = jt_pf_fail(e, at, "time format '%s': %s", jt_show(f.p, f.len), why);
				jt_buf_free(&f);
				goto out;
			}
			jt_tfmt_free(c);
		} else {
			break;
		}
		rd = jt_xrealloc(rd, (nr + 1) * sizeof *rd);
		rd[nr].kind = k;
		rd[nr++].fmt = f.p;
	}
	if (!nr) {
		r = jt_pf_fail(e, tk->at[0], "time format '%s' is not auto, epoch, epoch_ms or a format with %% directives "
			 "(such as %%d.%%m.%%Y)", jt_show(tk->t[0], strlen(tk->t[0])));
		goto out;
	}
	for (size_t j = i; j < tk->n; j++)
		if (strchr(tk->t[j], '%') || time_kind(tk->t[j], &(enum jt_time_kind){ 0 }) == 0) {
			r = jt_pf_fail(e, tk->at[j], "time_format: '%s' comes after the column '%s': the formats come first "
				 "(quote each format when a line gives several)", jt_show(tk->t[j], strlen(tk->t[j])),
				 jt_show(tk->t[i], strlen(tk->t[i])));
			goto out;
		}
	/* the columns, each name of a | b apart */
	struct toks cols = { 0 };
	for (size_t j = i; j < tk->n; j++)
		for (size_t k = 0; k < (tk->al[j].k ? tk->al[j].k : 1); k++) {
			cols.t = jt_xrealloc(cols.t, (cols.n + 1) * sizeof *cols.t);
			cols.t[cols.n++] = tk->al[j].k ? tk->al[j].n[k] : tk->t[j];
		}
	for (size_t j = 0; j < (cols.n ? cols.n : 1); j++) {
		const char *col = cols.n ? cols.t[j] : NULL;
		size_t found = p->ntimefmt;
		for (size_t m = 0; m < p->ntimefmt; m++)
			if ((!col && !p->timefmt[m].col) || (col && p->timefmt[m].col && strcmp(col, p->timefmt[m].col) == 0))
				found = m;
		if (found == p->ntimefmt) {
			void *arr = p->timefmt;
			struct jt_ptimefmt *f = slot(&arr, &p->ntimefmt, sizeof *f, found, timefmt_clear);
			p->timefmt = arr;
			f->col = col ? jt_xstrdup(col) : NULL;
		}
		struct jt_ptimefmt *f = &p->timefmt[found];
		f->r = jt_xrealloc(f->r, (f->nr + nr) * sizeof *f->r);
		for (size_t m = 0; m < nr; m++) {
			f->r[f->nr].kind = rd[m].kind;
			f->r[f->nr++].fmt = rd[m].fmt ? jt_xstrdup(rd[m].fmt) : NULL;
		}
	}
	free(cols.t);
out:
	for (size_t m = 0; m < nr; m++)
		free(rd[m].fmt);
	free(rd);
	return r;
}

/* month_names FILE: the month names of %b, %B and the automatic formats. */
static int set_months(struct jt_profile *p, struct toks *tk, struct perr *e)
{
	if (tk->n != 1)
		return jt_pf_fail(e, tk->n ? tk->at[1] : 0, "month_names takes one file (quote it if it has blanks)");
	/* a regular file only: a FIFO or a device would hang or never end */
	int fd = open(tk->t[0], O_RDONLY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return jt_pf_fail(e, tk->at[0], "month_names: cannot read %s: %s", tk->t[0], strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > 16384) {
		close(fd);
		return jt_pf_fail(e, tk->at[0], "month_names: %s is not a regular file of at most 16 KiB", tk->t[0]);
	}
	char buf[16384];
	size_t len = 0;
	for (;;) {
		ssize_t k = read(fd, buf + len, sizeof buf - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int er = errno;
			close(fd);
			return jt_pf_fail(e, tk->at[0], "month_names: cannot read %s: %s", tk->t[0], strerror(er));
		}
		if (k == 0 || (len += (size_t)k) == sizeof buf)
			break;
	}
	close(fd);
	struct jt_months *m = jt_xmalloc(sizeof *m);
	char why[256];
	unsigned line;
	if (jt_months_parse(buf, len, m, why, sizeof why, &line) != 0) {
		free(m);
		return jt_pf_fail(e, tk->at[0], "month_names %s:%u: %s", tk->t[0], line, why);
	}
	free(p->months);
	free(p->month_file);
	p->months = m;
	p->month_file = jt_xstrdup(tk->t[0]);
	return 0;
}

static int set_one(char **dst, struct toks *tk, struct perr *e, const char *what)
{
	if (tk->n != 1)
		return jt_pf_fail(e, tk->n ? tk->at[1] : 0, "%s takes one value (quote it if it has blanks)", what);
	free(*dst);
	*dst = jt_xstrdup(tk->t[0]);
	return 0;
}

static int set_pcol1(struct jt_pcol *c, struct toks *tk, struct perr *e, const char *what)
{
	if (tk->n != 1)
		return jt_pf_fail(e, tk->n ? tk->at[1] : 0, "%s takes one column (quote it if it has blanks)", what);
	if (!*tk->t[0])
		return jt_pf_fail(e, tk->at[0], "%s: an empty column name", what);
	jt_pf_pcol_free(c);
	return jt_pf_pcol_tk(c, tk, 0, 0, e, what);
}

static const char *const keys[] = {
	"source", "customer", "customer_normalize", "touch", "measure", "range", "map", "referee",
	"channel", "carry", "tz", "date_order", "time_format", "month_names", "lookup", "delimiter", "description",
	"encoding", "decimal_comma", "where", NULL
};

static void norm_key(const char *key, char *out, size_t n)
{
	size_t i = 0;
	for (; key[i] && i + 1 < n; i++)
		out[i] = key[i] == '-' ? '_' : key[i];
	out[i] = '\0';
}

int jt_profile_is_key(const char *key)
{
	char k[32];
	norm_key(key, k, sizeof k);
	for (size_t i = 0; keys[i]; i++)
		if (strcmp(k, keys[i]) == 0)
			return 1;
	return 0;
}

static int apply(struct jt_profile *p, const char *k, struct toks *tk, struct perr *e)
{
	if (strcmp(k, "description") == 0)
		return 0;
	if (strcmp(k, "source") == 0) {
		if (tk->n == 1 && !jt_pf_is_label(tk->t[0]))
			return jt_pf_fail(e, tk->at[0], "source '%s' is not a name (letters, digits, _ - . :)", tk->t[0]);
		return set_one(&p->source, tk, e, "source");
	}
	if (strcmp(k, "customer") == 0) {
		if (tk->n < 1)
			return jt_pf_fail(e, 0, "customer needs COLUMN ... (first present wins) or @row");
		for (size_t i = 0; i < tk->n; i++)
			if (!*tk->t[i])
				return jt_pf_fail(e, tk->at[i], "customer: an empty column name");
		for (size_t i = 0; i < p->ncustomer; i++)
			jt_pf_pcol_free(&p->customer[i]);
		free(p->customer);
		p->customer = NULL;
		p->ncustomer = 0;
		p->customer_row = tk->n == 1 && strcmp(tk->t[0], "@row") == 0;
		if (p->customer_row)
			return 0;
		size_t nn = 0;
		for (size_t i = 0; i < tk->n; i++)
			nn += tk->al[i].k ? tk->al[i].k : 1;
		p->customer = jt_xcalloc(nn, sizeof *p->customer);
		for (size_t i = 0; i < tk->n; i++) {
			if (!tk->al[i].k) {
				jt_pf_pcol(&p->customer[p->ncustomer++], tk->t[i]);
				continue;
			}
			for (size_t m = 0; m < tk->al[i].k; m++) {
				if (!*tk->al[i].n[m])
					return jt_pf_fail(e, tk->at[i], "customer: an empty column name");
				jt_pf_pcol(&p->customer[p->ncustomer++], tk->al[i].n[m]);
			}
		}
		return 0;
	}
	if (strcmp(k, "customer_normalize") == 0) {
		p->norm_lower = p->norm_trim = 0;
		for (size_t i = 0; i < tk->n; i++) {
			char *s = tk->t[i], *save = NULL;
			for (char *w = strtok_r(s, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
				if (strcmp(w, "lower") == 0)
					p->norm_lower = 1;
				else if (strcmp(w, "trim") == 0)
					p->norm_trim = 1;
				else if (strcmp(w, "none") != 0)
					return jt_pf_fail(e, tk->at[i], "customer_normalize: '%s' is not lower, trim or none", w);
			}
		}
		return 0;
	}
	if (strcmp(k, "touch") == 0)
		return set_touch(p, tk, e);
	if (strcmp(k, "measure") == 0)
		return set_measure(p, tk, e);
	if (strcmp(k, "range") == 0)
		return set_range(p, tk, e);
	if (strcmp(k, "map") == 0)
		return set_map(p, tk, e);
	if (strcmp(k, "referee") == 0)
		return set_pcol1(&p->referee, tk, e, "referee");
	if (strcmp(k, "channel") == 0) {
		if (tk->n == 1 && tk->t[0][0] == '=') {
			jt_pf_pcol_free(&p->channel);
			free(p->channel_const);
			p->channel_const = jt_xstrdup(tk->t[0] + 1);
			return 0;
		}
		free(p->channel_const);
		p->channel_const = NULL;
		return set_pcol1(&p->channel, tk, e, "channel");
	}
	if (strcmp(k, "carry") == 0)
		return set_carry(p, tk, e);
	if (strcmp(k, "tz") == 0) {
		char why[256];
		struct jt_tz *z = tk->n == 1 ? jt_tz_load(tk->t[0], why, sizeof why) : NULL;
		if (tk->n == 1 && !z)
			return jt_pf_fail(e, tk->at[0], "%s", why);
		jt_tz_free(z);
		return set_one(&p->tz, tk, e, "tz");
	}
	if (strcmp(k, "date_order") == 0) {
		if (tk->n != 1)
			return jt_pf_fail(e, 0, "date_order takes mdy, dmy or none");
		if (strcmp(tk->t[0], "mdy") == 0)
			p->order = JT_ORDER_MDY;
		else if (strcmp(tk->t[0], "dmy") == 0)
			p->order = JT_ORDER_DMY;
		else if (strcmp(tk->t[0], "none") == 0)
			p->order = JT_ORDER_NONE;
		else
			return jt_pf_fail(e, tk->at[0], "date order '%s' is not mdy, dmy or none", tk->t[0]);
		return 0;
	}
	if (strcmp(k, "time_format") == 0)
		return set_timefmt(p, tk, e);
	if (strcmp(k, "month_names") == 0)
		return set_months(p, tk, e);
	if (strcmp(k, "lookup") == 0)
		return set_lookup(p, tk, e);
	if (strcmp(k, "delimiter") == 0) {
		if (tk->n == 1 && strcmp(tk->t[0], "auto") == 0) {
			p->delim = 0;
			p->delim_auto = 1;
			return 0;
		}
		if (tk->n != 1 || (strlen(tk->t[0]) != 1 && strcmp(tk->t[0], "tab") != 0))
			return jt_pf_fail(e, 0, "delimiter takes one character, 'tab' or 'auto'");
		p->delim_auto = 0;
		p->delim = strcmp(tk->t[0], "tab") == 0 ? '\t' : tk->t[0][0];
		if (p->delim == '"' || p->delim == '\n' || p->delim == '\r')
			return jt_pf_fail(e, tk->at[0], "delimiter cannot be a quote or a line end");
		return 0;
	}
	if (strcmp(k, "encoding") == 0) {
		char why[256];
		if (tk->n != 1)
			return jt_pf_fail(e, tk->n ? tk->at[1] : 0, "encoding takes one name (latin1, windows-1252, UTF-16, auto, ...)");
		if (jt_encoding_check(tk->t[0], why, sizeof why) != 0)
			return jt_pf_fail(e, tk->at[0], "%s", why);
		return set_one(&p->encoding, tk, e, "encoding");
	}
	if (strcmp(k, "decimal_comma") == 0) {
		if (tk->n > 1 || (tk->n == 1 && strcmp(tk->t[0], "yes") != 0 && strcmp(tk->t[0], "no") != 0))
			return jt_pf_fail(e, tk->n ? tk->at[tk->n > 1] : 0, "decimal_comma takes yes, no or nothing (yes)");
		p->decimal_comma = tk->n == 0 || strcmp(tk->t[0], "yes") == 0;
		return 0;
	}
	return jt_pf_fail(e, 0, "unknown setting '%s'", k);
}

/* where EXPR: the raw text (its own quoting, jt_where.h), checked now. */
static int set_where(struct jt_profile *p, const char *args, struct perr *e)
{
	char why[512];
	struct jt_where *w = jt_where_new();
	int rc = jt_where_add(w, args, why, sizeof why);
	jt_where_free(w);
	if (rc != 0)
		return jt_pf_fail(e, 0, "%s", why);
	p->where = jt_xrealloc(p->where, (p->nwhere + 1) * sizeof *p->where);
	p->where[p->nwhere++] = jt_xstrdup(args);
	return 0;
}

int jt_profile_set(struct jt_profile *p, const char *key, const char *args, char *err, size_t errlen,
		   size_t *col)
{
	struct perr e = { err, errlen, col };
	struct toks tk;
	char k[32];
	*col = 0;
	norm_key(key, k, sizeof k);
	if (!jt_profile_is_key(k))
		return jt_pf_fail(&e, 0, "unknown setting '%s'", key);
	if (strcmp(k, "description") == 0) {
		free(p->description);
		p->description = jt_xstrdup(args);
		return 0;
	}
	if (strcmp(k, "where") == 0)
		return set_where(p, args, &e);
	if (jt_pf_tokenize(args, &tk, &e) != 0)
		return -1;
	int r = apply(p, k, &tk, &e);
	jt_pf_toks_free(&tk);
	return r;
}

int jt_profile_parse(struct jt_profile *p, const char *text, size_t len, char *err, size_t errlen,
		     unsigned *line, size_t *col)
{
	size_t i = 0;
	struct jt_buf b = JT_BUF_INIT;
	*line = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;	/* a UTF-8 BOM, as an editor may write it */
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		++*line;
		jt_buf_reset(&b);
		jt_buf_add(&b, text + i, j - i);
		if (b.len && b.p[b.len - 1] == '\r')
			b.p[--b.len] = '\0';
		i = j + 1;
		if (memchr(b.p, '\0', b.len)) {
			*col = 1;
			snprintf(err, errlen, "a NUL byte in the profile");
			jt_buf_free(&b);
			return -1;
		}
		size_t k0 = 0;
		while (k0 < b.len && (b.p[k0] == ' ' || b.p[k0] == '\t'))
			k0++;
		if (k0 == b.len || b.p[k0] == '#')
			continue;
		size_t k1 = k0;
		while (k1 < b.len && b.p[k1] != ' ' && b.p[k1] != '\t')
			k1++;
		char key[32];
		if (k1 - k0 >= sizeof key) {
			*col = k0 + 1;
			snprintf(err, errlen, "unknown setting '%.*s'", (int)(k1 - k0), b.p + k0);
			jt_buf_free(&b);
			return -1;
		}
		memcpy(key, b.p + k0, k1 - k0);
		key[k1 - k0] = '\0';
		size_t a0 = k1;
		while (a0 < b.len && (b.p[a0] == ' ' || b.p[a0] == '\t'))
			a0++;
		size_t c = 0;
		if (jt_profile_set(p, key, b.p + a0, err, errlen, &c) != 0) {
			*col = (jt_profile_is_key(key) ? a0 + c : k0) + 1;
			jt_buf_free(&b);
			return -1;
		}
		for (size_t m = 0; m < p->nmeasure; m++)
			if (p->measure[m].on && !p->measure[m].on_line) {
				p->measure[m].on_line = *line;
				p->measure[m].on_at += a0 + 1;
			}
		for (size_t m = 0; m < p->ncarry; m++)
			if (p->carry[m].non && !p->carry[m].on_line) {
				p->carry[m].on_line = *line;
				p->carry[m].on_at += a0 + 1;
			}
	}
	jt_buf_free(&b);
	/* a measure must ride on a touch the profile has */
	for (size_t m = 0; m < p->nmeasure; m++) {
		const struct jt_pmeasure *ms = &p->measure[m];
		size_t k;
		if (!ms->on || !ms->on_line)
			continue;
		for (k = 0; k < p->ntouch; k++)
			if (p->touch[k].touchpoint && strcmp(p->touch[k].touchpoint, ms->on) == 0)
				break;
		if (k == p->ntouch) {
			*line = ms->on_line;
			*col = ms->on_at;
			snprintf(err, errlen, "measure %s rides on '%s', which is not a touch of this profile", ms->name,
				 ms->on);
			return -1;
		}
	}
	/* and so must a carried column */
	for (size_t m = 0; m < p->ncarry; m++) {
		const struct jt_pcarry *cs = &p->carry[m];
		for (size_t o = 0; cs->on_line && o < cs->non; o++) {
			size_t k;
			for (k = 0; k < p->ntouch; k++)
				if (p->touch[k].touchpoint && strcmp(p->touch[k].touchpoint, cs->on[o]) == 0)
					break;
			if (k == p->ntouch) {
				*line = cs->on_line;
				*col = cs->on_at;
				snprintf(err, errlen, "carried column %s rides on '%s', which is not a touch of this profile",
					 cs->out, cs->on[o]);
				return -1;
			}
		}
	}
	return 0;
}

void jt_profile_init(struct jt_profile *p) { memset(p, 0, sizeof *p); }

#define FREE_LIST(arr, n, clear) do { for (size_t i_ = 0; i_ < (n); i_++) clear(&(arr)[i_]); free(arr); } while (0)

void jt_profile_free(struct jt_profile *p)
{
	free(p->name);
	free(p->description);
	free(p->source);
	FREE_LIST(p->customer, p->ncustomer, jt_pf_pcol_free);
	FREE_LIST(p->touch, p->ntouch, touch_clear);
	FREE_LIST(p->measure, p->nmeasure, measure_clear);
	FREE_LIST(p->map, p->nmap, map_clear);
	FREE_LIST(p->carry, p->ncarry, carry_clear);
	FREE_LIST(p->range, p->nrange, range_clear);
	FREE_LIST(p->lookup, p->nlookup, lookup_clear);
	FREE_LIST(p->timefmt, p->ntimefmt, timefmt_clear);
	free(p->month_file);
	free(p->months);
	jt_pf_pcol_free(&p->channel);
	free(p->channel_const);
	jt_pf_pcol_free(&p->referee);
	free(p->tz);
	free(p->encoding);
	for (size_t i = 0; i < p->nwhere; i++)
		free(p->where[i]);
	free(p->where);
	memset(p, 0, sizeof *p);
}
