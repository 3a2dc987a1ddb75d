/* kpi.c — the KPI engine behind jkpi: groups, exact state, figures, partials.
 *
 * State is exact wherever the KPI allows it: counts, sums as scaled integers,
 * NPS/CSAT/CES/rate as counts, distinct values as sets. Quantiles keep their
 * values (exact) in a plain run and stream into a mergeable sketch with
 * --partial. Figures are computed from state only, so a merge of partials
 * prints what one run prints. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jt_baseline.h"
#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_kpi.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_page.h"
#include "jt_reject.h"
#include "jt_shards.h"
#include "jt_sketch.h"
#include "jt_spill.h"
#include "jt_stats.h"
#include "jt_time.h"
#include "jt_tz.h"

#define PARTIAL_VERSION "1"
/* --per takes, for each KPI, the key's first row with a value for it; jkpi
 * before this rule took the key's first row for every KPI and wrote no
 * per_rows option, and its partials are refused rather than mixed in. */
#define PER_ROWS "first-with-value"

enum kind { K_COUNT, K_DISTINCT, K_SUM, K_MEAN, K_MIN, K_MAX, K_QUANT, K_NPS, K_CSAT, K_CES, K_RATE };

static const char *const kind_name[] = { "count", "distinct", "sum", "mean", "min", "max", "p",
					 "nps", "csat", "ces", "rate" };

struct kpi {
	char *name;	/* output column (base) name */
	char *given;	/* NAME from NAME=KPI, or NULL */
	char *spec;	/* KPI[:COL] as written, for the partial */
	enum kind kind;
	int q;	/* percentile for K_QUANT */
	int median;
	int has_col;
	struct jt_colsel cs;
	size_t col;
	char *colname;
	int duration;	/* column name ends in _s: whole seconds */
	struct jt_map set;	/* distinct: (group id, value) */
};

struct kst {
	uint64_t n, missing, c1, c2, c3;
	jt_i128 sum, min, max;
	jt_i128 sumsq;	/* mean, ces: the squares of the scaled values (--baseline's variance) */
	int sq_bad;	/* sumsq overflowed, or a merged partial had none */
	jt_i128 *v;	/* exact quantiles: every value */
	size_t vn, vcap;
	int sorted;
	struct jt_sketch *sk;	/* --partial and --merge: the sketch instead */
};

/* --map: the values of one column rewritten (keys in lower case). */
struct vmap {
	char *colspec;
	struct jt_colsel cs;
	size_t col;
	size_t n;
	char **key, **val;
};

struct parsed {
	int present;
	jt_i128 v;
	int cls;	/* nps: 1 promoter 2 passive 3 detractor; csat/rate/ces flags */
};

/* A value --per took in a deferred part: KPI ki of per entry e. */
struct taken {
	jt_i128 v;	/* distinct: offset of the value in tkbytes */
	uint32_t e, ki, len;	/* len: distinct's value */
	int present, cls;
};

struct pspill;

struct jt_agg {
	struct jt_kpi_opts o;
	struct kpi *k;
	size_t nk;
	struct parsed *pv;

	struct jt_colsel gsel, xsel;
	int bound;
	struct jt_header *hdr;
	char *first_src;
	struct jt_col *gcols;
	size_t ng;
	char **gname;
	size_t *gnlen;
	unsigned char *gbucket;	/* per group column: a time bucket (pivots sort it by time) */
	size_t per_col;
	char *per_name;
	long pivot_g;	/* index among group columns, -1 none */
	char *pivot_name;
	int pivot_added;
	int saw_header;
	struct jt_map rowrank;	/* --row-order values, in order */
	struct vmap *vm;	/* --map */
	size_t nvm;
	const struct vmap **colmap;	/* per input column, NULL: no map */
	struct jt_buf maptext;	/* the maps, for the partial's options */

	struct jt_map groups;
	struct kst *st;
	size_t stcap;
	struct jt_map per;	/* --per: (group id, key); its entries' KPI bits in per_done */
	unsigned char *per_done;	/* per entry, one bit per KPI: its value was taken */
	size_t per_bytes, per_cap;
	struct jt_buf key, tmp;
	/* a part of a file after the first (jkpi -j) with --per: the values
	 * taken, kept for jt_agg_merge instead of added */
	int defer;
	struct taken *tk;
	size_t ntk, tkcap;
	struct jt_buf tkbytes;	/* distinct: the values taken */
	/* --per past --memory: the keys' rows spread over NPART partitions by a
	 * hash of the key, aggregated one partition at a time at the end */
	uint64_t budget;	/* bytes the --per state may take; 0: no bound */
	uint64_t per_keybytes;
	struct pspill *ps;	/* NULL until the state passes the budget */
	struct jt_buf last;	/* previous row's group key, and its id */
	size_t last_g;
	int have_last;

	/* --merge */
	int m_defined;	/* KPIs and options known */
	size_t m_kpi_seen;
	struct jt_buf m_opts, m_ref_opts;
	int m_have_ref;
	const char *m_src;
	struct jt_shards *m_shards;	/* the partials' shard ids (--expect) */
	int finished;	/* --per's missing counts made */
	const char *(*trend)(void *, const char *, size_t, size_t);	/* --history: a cell's trend */
	void *trend_ctx;
	char *m_tz;	/* --merge: the partials' zone, written again by a state */
	int m_checked;	/* this partial's options checked (at its first group) */
};

/* ---------- specs ---------- */

static int parse_kind(struct kpi *k, const char *s, size_t n)
{
	for (int i = 0; i <= K_RATE; i++) {
		if (i == K_QUANT)
			continue;
		if (strlen(kind_name[i]) == n && memcmp(s, kind_name[i], n) == 0) {
			k->kind = (enum kind)i;
			return 0;
		}
	}
	if (n == 6 && memcmp(s, "median", 6) == 0) {
		k->kind = K_QUANT;
		k->q = 50;
		k->median = 1;
		return 0;
	}
	if (n >= 2 && n <= 4 && s[0] == 'p') {
		int q = 0;
		for (size_t i = 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			q = q * 10 + (s[i] - '0');
		}
		if (q > 100)
			return -1;
		k->kind = K_QUANT;
		k->q = q;
		return 0;
	}
	return -1;
}

static void add_kpi(struct jt_agg *a, const char *item, size_t *cap)
{
	struct kpi k;
	const char *eq = strchr(item, '='), *body = item, *colon;
	memset(&k, 0, sizeof k);
	if (eq) {
		if (eq == item)
			jt_usage_error("-k: '%s': empty name before '='", item);
		k.given = jt_xmemdup(item, (size_t)(eq - item));
		body = eq + 1;
	}
	colon = strchr(body, ':');
	size_t kn = colon ? (size_t)(colon - body) : strlen(body);
	if (parse_kind(&k, body, kn) != 0)
		jt_usage_error("-k: unknown KPI '%.*s' (KPIs: count, distinct, sum, mean, min, max, median, pNN, nps, csat, ces, rate)",
			       (int)kn, body);
	k.spec = jt_xstrdup(body);
	if (k.kind == K_COUNT) {
		if (colon)
			jt_usage_error("-k: 'count' takes no column (use distinct:COL or rate:COL)");
	} else {
		if (!colon || !colon[1])
			jt_usage_error("-k: '%s' needs a column, e.g. %.*s:amount", body, (int)kn, body);
		k.has_col = 1;
		if (!a->o.merge)
			jt_colsel_parse(&k.cs, "-k", colon + 1, JT_COLSEL_ONE);
		k.colname = jt_xstrdup(colon + 1);
	}
	void *p = a->k;
	jt_xgrow(&p, cap, a->nk + 1, sizeof *a->k);
	a->k = p;
	a->k[a->nk++] = k;
}

static void parse_kpis(struct jt_agg *a, const char *list)
{
	struct jt_buf item = JT_BUF_INIT;
	size_t cap = 0;
	for (const char *p = list;; p++) {
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
			jt_buf_addc(&item, '\\');
			jt_buf_addc(&item, *++p);
			continue;
		}
		if (*p == ',' || *p == '\0') {
			if (item.len == 0)
				jt_usage_error("-k: empty KPI in '%s'", list);
			add_kpi(a, item.p, &cap);
			jt_buf_reset(&item);
			if (*p == '\0')
				break;
			continue;
		}
		jt_buf_addc(&item, *p);
	}
	jt_buf_free(&item);
}

static int ends_with_s(const char *s, size_t n)
{
	return n >= 2 && s[n - 2] == '_' && s[n - 1] == 's';
}

static void name_kpi(struct kpi *k, const char *col, size_t clen)
{
	struct jt_buf b = JT_BUF_INIT;
	free(k->name);
	if (k->given) {
		jt_buf_adds(&b, k->given);
	} else if (k->kind == K_COUNT) {
		jt_buf_adds(&b, "count");
	} else {
		if (k->kind == K_QUANT && !k->median)
			jt_buf_printf(&b, "p%d", k->q);
		else if (k->kind == K_QUANT)
			jt_buf_adds(&b, "median");
		else
			jt_buf_adds(&b, kind_name[k->kind]);
		jt_buf_addc(&b, '_');
		jt_buf_add(&b, col, clen);
	}
	k->name = b.p;
	k->duration = col && ends_with_s(col, clen);
}

static void list_put(struct jt_map *m, const char *list);

static void vmap_add(struct vmap *m, const char *from, size_t fl, const char *to, size_t tl)
{
	for (size_t i = 0; i < m->n; i++)	/* a value given again: the later pair wins */
		if (strlen(m->key[i]) == fl && strncasecmp(m->key[i], from, fl) == 0) {
			free(m->val[i]);
			m->val[i] = jt_xmemdup(to, tl);
			return;
		}
	m->key = jt_xrealloc(m->key, (m->n + 1) * sizeof *m->key);
	m->val = jt_xrealloc(m->val, (m->n + 1) * sizeof *m->val);
	m->key[m->n] = jt_xmemdup(from, fl);
	for (char *c = m->key[m->n]; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	m->val[m->n++] = jt_xmemdup(to, tl);
}

/* --map COL:ITEM,...: ITEM is FROM=TO (TO may be empty) or bool. The column is
 * what comes before the last ':' ahead of the first '=' (column names such as
 * concept:name keep their colons); \, and \\ escape in items. */
static void parse_map(struct jt_agg *a, const char *arg)
{
	const char *eq = strchr(arg, '='), *colon = NULL;
	for (const char *p = arg; *p && (!eq || p < eq); p++)
		if (*p == ':')
			colon = p;
	if (!colon || colon == arg || !colon[1])
		jt_usage_error("--map: '%s' is not COLUMN:VALUE=NEW,... or COLUMN:bool", jt_show(arg, strlen(arg)));
	char *col = jt_xmemdup(arg, (size_t)(colon - arg));
	struct vmap *m = NULL;
	for (size_t i = 0; i < a->nvm; i++)
		if (strcmp(a->vm[i].colspec, col) == 0)
			m = &a->vm[i];
	if (!m) {
		a->vm = jt_xrealloc(a->vm, (a->nvm + 1) * sizeof *a->vm);
		m = &a->vm[a->nvm++];
		memset(m, 0, sizeof *m);
		m->colspec = col;
		jt_colsel_parse(&m->cs, "--map", col, JT_COLSEL_ONE);
	} else {
		free(col);
	}
	struct jt_buf item = JT_BUF_INIT;
	for (const char *p = colon + 1;; p++) {
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
			jt_buf_addc(&item, *++p);
			continue;
		}
		if (*p != ',' && *p != '\0') {
			jt_buf_addc(&item, *p);
			continue;
		}
		const char *it = item.p ? item.p : "";
		const char *e = memchr(it, '=', item.len);
		if (item.len == 4 && memcmp(it, "bool", 4) == 0) {
			static const char *const yes[] = { "yes", "true", "y", "1" }, *const no[] = { "no", "false", "n", "0" };
			for (size_t k = 0; k < 4; k++) {
				vmap_add(m, yes[k], strlen(yes[k]), "1", 1);
				vmap_add(m, no[k], strlen(no[k]), "0", 1);
			}
		} else if (!e || e == it) {
			jt_usage_error("--map: '%s' in '%s' is not VALUE=NEW or bool", jt_show(it, item.len),
				       jt_show(arg, strlen(arg)));
		} else {
			vmap_add(m, it, (size_t)(e - it), e + 1, item.len - (size_t)(e - it) - 1);
		}
		jt_buf_reset(&item);
		if (!*p)
			break;
	}
	jt_buf_free(&item);
	if (a->maptext.len)
		jt_buf_addc(&a->maptext, ' ');
	jt_buf_adds(&a->maptext, arg);
}

struct jt_agg *jt_agg_new(const struct jt_kpi_opts *o)
{
	struct jt_agg *a = jt_xcalloc(1, sizeof *a);
	a->o = *o;
	a->pivot_g = -1;
	if (o->row_order)
		list_put(&a->rowrank, o->row_order);
	if (o->merge) {
		a->m_shards = jt_shards_new(o->expect);
		return a;
	}
	if (!o->kpis)
		jt_usage_error("no KPI given (use -k, e.g. -k count,nps:nps)");
	parse_kpis(a, o->kpis);
	if (o->group)
		jt_colsel_parse(&a->gsel, "-g", o->group, JT_COLSEL_BUCKETS);
	if (o->exclude) {
		if (!o->group)
			jt_usage_error("-x needs -g (it removes columns from the groups)");
		jt_colsel_parse(&a->xsel, "-x", o->exclude, 0);
	}
	if (o->pivot && a->nk != 1 && !(o->format == JT_FMT_HTML && a->nk > 1))
		jt_usage_error("--pivot shows one KPI; %zu given with -k (--format html shows several, one heatmap each)",
			       a->nk);
	if (o->pivot_order && !o->pivot)
		jt_usage_error("--pivot-order needs --pivot");
	if (o->row_order && !o->group)
		jt_usage_error("--row-order orders the rows by the first -g column: give -g");
	for (size_t i = 0; i < o->nmaps; i++)
		parse_map(a, o->maps[i]);
	a->pv = jt_xcalloc(a->nk, sizeof *a->pv);
	a->per_bytes = (a->nk + 7) / 8;
	return a;
}

/* ---------- binding to a header ---------- */

static void set_group_names(struct jt_agg *a, const struct jt_header *h)
{
	a->gname = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gname);
	a->gnlen = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gnlen);
	for (size_t i = 0; i < a->ng; i++) {
		struct jt_buf b = JT_BUF_INIT;
		if (a->gcols[i].bucket != JT_BUCKET_NONE) {
			jt_buf_adds(&b, jt_bucket_name(a->gcols[i].bucket));
			jt_buf_addc(&b, '_');
		}
		jt_buf_add(&b, h->name[a->gcols[i].idx], h->len[a->gcols[i].idx]);
		a->gname[i] = b.p;
		a->gnlen[i] = b.len;
	}
	a->gbucket = jt_xcalloc(a->ng ? a->ng : 1, 1);
	for (size_t i = 0; i < a->ng; i++)
		a->gbucket[i] = a->gcols[i].bucket != JT_BUCKET_NONE;
}

static void bind(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	if (a->o.group) {
		a->ng = jt_colsel_resolve(&a->gsel, h, src, &a->gcols);
		if (a->o.exclude)
			a->ng = jt_colsel_exclude(&a->xsel, h, src, a->gcols, a->ng);
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		if (k->has_col) {
			struct jt_col *c;
			jt_colsel_resolve(&k->cs, h, src, &c);
			k->col = c[0].idx;
			free(c);
			free(k->colname);
			k->colname = jt_xmemdup(h->name[k->col], h->len[k->col]);
			name_kpi(k, h->name[k->col], h->len[k->col]);
		} else {
			name_kpi(k, NULL, 0);
		}
	}
	if (a->o.per) {
		struct jt_colsel cs;
		struct jt_col *c;
		jt_colsel_parse(&cs, "--per", a->o.per, JT_COLSEL_ONE);
		jt_colsel_resolve(&cs, h, src, &c);
		a->per_col = c[0].idx;
		a->per_name = jt_xmemdup(h->name[a->per_col], h->len[a->per_col]);
		free(c);
		jt_colsel_free(&cs);
	}
	if (a->o.pivot) {
		struct jt_colsel cs;
		struct jt_col *c;
		jt_colsel_parse(&cs, "--pivot", a->o.pivot, JT_COLSEL_ONE | JT_COLSEL_BUCKETS);
		jt_colsel_resolve(&cs, h, src, &c);
		for (size_t i = 0; i < a->ng; i++)
			if (a->gcols[i].idx == c[0].idx && a->gcols[i].bucket == c[0].bucket)
				a->pivot_g = (long)i;
		if (a->pivot_g < 0) {
			void *p = a->gcols;
			size_t cap = a->ng;
			jt_xgrow(&p, &cap, a->ng + 1, sizeof *a->gcols);
			a->gcols = p;
			a->gcols[a->ng] = c[0];
			a->pivot_g = (long)a->ng++;
		}
		free(c);
		jt_colsel_free(&cs);
	}
	set_group_names(a, h);
	if (a->pivot_g >= 0)
		a->pivot_name = jt_xmemdup(a->gname[a->pivot_g], a->gnlen[a->pivot_g]);
	a->colmap = jt_xcalloc(h->n ? h->n : 1, sizeof *a->colmap);
	for (size_t i = 0; i < a->nvm; i++) {
		struct jt_col *c;
		jt_colsel_resolve(&a->vm[i].cs, h, src, &c);
		a->vm[i].col = c[0].idx;
		if (a->colmap[c[0].idx])
			jt_die_at(src, 1, "--map: '%s' and '%s' are the same column", a->colmap[c[0].idx]->colspec,
				  a->vm[i].colspec);
		a->colmap[c[0].idx] = &a->vm[i];
		free(c);
	}
}

/* The value of column i of rec, after its --map. */
static inline const char *cell(const struct jt_agg *a, const struct jt_record *rec, size_t i, size_t *len)
{
	const struct vmap *m = a->colmap ? a->colmap[i] : NULL;
	*len = rec->len[i];
	if (!m)
		return rec->f[i];
	for (size_t k = 0; k < m->n; k++)
		if (strlen(m->key[k]) == *len && strncasecmp(m->key[k], rec->f[i], *len) == 0) {
			*len = strlen(m->val[k]);
			return m->val[k];
		}
	return rec->f[i];
}

/* Nothing but blanks: a missing value. */
static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' && s[i] != '\v' && s[i] != '\f')
			return 0;
	return 1;
}

static void merge_header(struct jt_agg *a, const char *src, const struct jt_header *h);

void jt_agg_header(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	a->saw_header = 1;
	if (a->o.merge) {
		merge_header(a, src, h);
		return;
	}
	if (!a->bound) {
		a->bound = 1;
		a->hdr = jt_header_copy(h);
		a->first_src = jt_xstrdup(src);
		bind(a, src, h);
		return;
	}
	if (!jt_header_equal(a->hdr, h))
		jt_die_at(src, 1, "header differs from %s", a->first_src);
}

/* ---------- groups and state ---------- */

static void key_add(struct jt_buf *b, const char *s, size_t n)
{
	uint32_t l = (uint32_t)n;
	if (b->len + n + sizeof l + 1 > b->cap) {
		void *p = b->p;
		jt_xgrow(&p, &b->cap, b->len + n + sizeof l + 1, 1);
		b->p = p;
	}
	memcpy(b->p + b->len, &l, sizeof l);
	memcpy(b->p + b->len + sizeof l, s, n);
	b->len += n + sizeof l;
	b->p[b->len] = '\0';
}

/* Field i of an encoded key; returns pointer and length. */
static const char *key_field(const char *key, size_t i, size_t *len)
{
	uint32_t l;
	for (;;) {
		memcpy(&l, key, sizeof l);
		key += sizeof l;
		if (i-- == 0)
			break;
		key += l;
	}
	*len = l;
	return key;
}

static size_t group_id(struct jt_agg *a, const char *key, size_t n)
{
	int isnew;
	size_t g = jt_map_put(&a->groups, key, n, 0, &isnew);
	if (isnew) {
		void *p = a->st;
		size_t need = (g + 1) * a->nk;
		if (need > a->stcap) {
			size_t old = a->stcap;
			jt_xgrow(&p, &a->stcap, need, sizeof *a->st);
			a->st = p;
			memset(a->st + old, 0, (a->stcap - old) * sizeof *a->st);
		}
	}
	return g;
}

/* A score into *v (a whole number, unscaled); JT_NUM_OK or why not. */
static int score(const char *s, size_t n, int lo, int hi, jt_i128 *v)
{
	int x = 0, rc = jt_score_parse(s, n, lo, hi, &x);
	*v = x;
	return rc;
}

static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Parses every KPI's value of rec into a->pv; rejects and returns -1 on the first bad one. */
static int parse_values(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		struct parsed *p = &a->pv[i];
		p->present = 0;
		p->cls = 0;
		if (!k->has_col)
			continue;
		size_t n;
		const char *s = cell(a, rec, k->col, &n);
		if (blank(s, n))
			continue;
		p->present = 1;
		switch (k->kind) {
		case K_DISTINCT:
		case K_COUNT:
			break;
		case K_SUM:
		case K_MEAN:
		case K_MIN:
		case K_MAX:
		case K_QUANT:
		case K_RATE: {
			int rc = jt_dec_parse(s, n, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, NULL, s, n, rc, NULL);
				return -1;
			}
			p->cls = p->v != 0;
			break;
		}
		case K_NPS: {
			int rc = score(s, n, 0, 10, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "nps", s, n, rc, "in 0-10");
				return -1;
			}
			p->cls = p->v >= 9 ? 1 : p->v >= 7 ? 2 : 3;
			break;
		}
		case K_CSAT: {
			if (a->o.csat == JT_CSAT_GOODBAD) {
				if (word_is(s, n, "good") || word_is(s, n, "good with comment")) {
					p->cls = 1;
					break;
				}
				if (word_is(s, n, "bad") || word_is(s, n, "bad with comment")) {
					p->cls = 0;
					break;
				}
				if (word_is(s, n, "offered") || word_is(s, n, "not offered") ||
				    word_is(s, n, "unoffered")) {
					p->present = 0;
					break;
				}
			}
			int rc = score(s, n, 1, 5, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "csat", s, n, rc,
						 a->o.csat == JT_CSAT_GOODBAD ? "in 1-5 or good/bad" : "in 1-5");
				return -1;
			}
			p->cls = p->v >= 4;
			break;
		}
		case K_CES: {
			int rc = score(s, n, 1, 7, &p->v);
			if (rc != JT_NUM_OK) {
				jt_reject_number(rj, src, rec, k->colname, "ces", s, n, rc, "in 1-7");
				return -1;
			}
			p->cls = p->v >= 5;
			p->v *= JT_DEC_SCALE;
			break;
		}
		}
	}
	return 0;
}

static void add_value(struct kst *s, jt_i128 v)
{
	if (!s->sk) {
		void *p = s->v;
		jt_xgrow(&p, &s->vcap, s->vn + 1, sizeof *s->v);
		s->v = p;
		s->v[s->vn++] = v;
	} else {
		jt_sketch_add(s->sk, jt_dec_to_double(v));
	}
}

static void minmax(struct kst *s, jt_i128 v)
{
	if (s->n == 1 || v < s->min)
		s->min = v;
	if (s->n == 1 || v > s->max)
		s->max = v;
}

/* The square of v into a mean's sum of squares; on overflow the variance is unknown. */
static inline void add_square(struct kst *s, jt_i128 v)
{
	jt_i128 sq;
	if (!s->sq_bad && (__builtin_mul_overflow(v, v, &sq) || __builtin_add_overflow(s->sumsq, sq, &s->sumsq)))
		s->sq_bad = 1;
}

/* Adds the parsed value p of KPI i to group g's state (v, vl: the cell, for
 * distinct; src and line: where, for the message of an overflow). */
__attribute__((always_inline)) static inline void take(struct jt_agg *a, struct kst *s, size_t g, size_t i,
							  const struct parsed *p, const struct jt_record *rec,
							  const char *v, size_t vl, const char *src,
							  unsigned long long line)
{
	struct kpi *k = &a->k[i];
	if (k->kind == K_COUNT) {
		s->n++;
		return;
	}
	if (!p->present) {
		s->missing++;
		return;
	}
	switch (k->kind) {
	case K_DISTINCT: {
		int isnew;
		jt_buf_reset(&a->tmp);
		uint32_t gid = (uint32_t)g;
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		if (rec)	/* a row: its cell; else a value kept (merge, spill) */
			v = cell(a, rec, k->col, &vl);
		jt_buf_add(&a->tmp, v, vl);
		jt_map_put(&k->set, a->tmp.p, a->tmp.len, 0, &isnew);
		s->n += (uint64_t)isnew;
		break;
	}
	case K_SUM:
	case K_MEAN:
	case K_CES:
		s->n++;
		if (__builtin_add_overflow(s->sum, p->v, &s->sum))
			jt_die_at(src, line, "column '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)",
				  k->colname);
		s->c1 += (uint64_t)(k->kind == K_CES && p->cls);
		if (k->kind != K_SUM)
			add_square(s, p->v);
		break;
	case K_MIN:
	case K_MAX:
		s->n++;
		minmax(s, p->v);
		break;
	case K_QUANT:
		s->n++;
		minmax(s, p->v);
		if (a->o.partial && !s->sk)
			s->sk = jt_xcalloc(1, sizeof *s->sk);
		add_value(s, p->v);
		break;
	case K_NPS:
		s->n++;
		s->c1 += p->cls == 1;
		s->c2 += p->cls == 2;
		s->c3 += p->cls == 3;
		break;
	case K_CSAT:
	case K_RATE:
		s->n++;
		s->c1 += (uint64_t)(p->cls != 0);
		break;
	default:
		break;
	}
}

/* A deferred part: keeps what take would add, for jt_agg_merge. */
static void defer_take(struct jt_agg *a, size_t e, size_t i, const struct parsed *p, const char *v, size_t vl)
{
	void *q = a->tk;
	jt_xgrow(&q, &a->tkcap, a->ntk + 1, sizeof *a->tk);
	a->tk = q;
	struct taken *t = &a->tk[a->ntk++];
	t->v = p->v;
	t->e = (uint32_t)e;
	t->ki = (uint32_t)i;
	t->len = 0;
	t->present = p->present;
	t->cls = p->cls;
	if (a->k[i].kind == K_DISTINCT && p->present) {
		t->v = (jt_i128)a->tkbytes.len;
		t->len = (uint32_t)vl;
		jt_buf_add(&a->tkbytes, v, vl);
	}
}

/* Adds rec to group g. With --per, done holds a bit per KPI for this key in
 * this group (per entry e): a KPI takes the key's first row that has a value
 * for it (count and distinct: its first row), and its missing count is made
 * at the end. */
static void update(struct jt_agg *a, size_t g, const char *src, const struct jt_record *rec, unsigned char *done,
		   size_t e)
{
	struct kst *st = &a->st[g * a->nk];
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		struct parsed *p = &a->pv[i];
		if (done) {
			if (done[i / 8] & 1u << (i % 8))
				continue;
			if (!p->present && k->kind != K_COUNT && k->kind != K_DISTINCT)
				continue;
			done[i / 8] |= (unsigned char)(1u << (i % 8));
		}
		if (__builtin_expect(a->defer, 0)) {
			size_t vl = 0;
			const char *v = k->kind == K_DISTINCT && p->present ? cell(a, rec, k->col, &vl) : NULL;
			defer_take(a, e, i, p, v, vl);
		} else {
			take(a, &st[i], g, i, p, rec, NULL, 0, src, rec->line);
		}
	}
}

static void merge_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj);
static uint64_t per_memory(const struct jt_agg *a);
static void pspill_begin(struct jt_agg *a);
static void pspill_row(struct jt_agg *a, size_t g, const char *key, size_t klen, const struct jt_record *rec);
static void pspill_take(struct jt_agg *a, struct jt_agg *b, const size_t *gmap);

void jt_agg_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	if (a->o.merge) {
		merge_row(a, src, rec, rj);
		return;
	}
	jt_buf_reset(&a->key);
	for (size_t i = 0; i < a->ng; i++) {
		const struct jt_col *c = &a->gcols[i];
		size_t n;
		const char *s = cell(a, rec, c->idx, &n);
		if (c->bucket != JT_BUCKET_NONE && n > 0) {
			int64_t t;
			char b[32];
			struct jt_timefmt iso = { .kind = JT_TIME_ISO, .tz = a->o.tz };
			if (jt_time_read(s, n, &iso, &t) != JT_TIME_OK) {
				jt_reject(rj, src, rec, "bad time", "column '%s': '%s' is not a time",
					  a->hdr->name[c->idx], jt_show(s, n));
				return;
			}
			n = jt_time_bucket(jt_tz_local(a->o.tz, t), c->bucket, b);
			key_add(&a->key, b, n);
		} else {
			key_add(&a->key, s, n);
		}
	}
	if (parse_values(a, src, rec, rj) != 0)
		return;
	size_t perlen = 0;
	const char *perkey = a->o.per ? cell(a, rec, a->per_col, &perlen) : NULL;
	if (a->o.per && perlen == 0) {
		jt_reject(rj, src, rec, "missing key", "column '%s': empty --per key", a->per_name);
		return;
	}
	size_t g;
	if (a->have_last && a->key.len == a->last.len &&
	    (a->key.len == 0 || memcmp(a->key.p, a->last.p, a->key.len) == 0)) {
		g = a->last_g;	/* same group as the previous row: no hashing */
	} else {
		g = group_id(a, a->key.p ? a->key.p : "", a->key.len);
		jt_buf_reset(&a->last);
		jt_buf_add(&a->last, a->key.p ? a->key.p : "", a->key.len);
		a->last_g = g;
		a->have_last = 1;
	}
	unsigned char *done = NULL;
	size_t e = 0;
	int spill_now = 0;
	if (a->o.per) {
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, perkey, perlen);
		if (a->ps) {
			pspill_row(a, g, perkey, perlen, rec);
			return;
		}
		e = jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
		if (isnew) {
			void *p = a->per_done;
			size_t old = a->per_cap;
			jt_xgrow(&p, &a->per_cap, (e + 1) * a->per_bytes, 1);
			a->per_done = p;
			memset(a->per_done + old, 0, a->per_cap - old);
			a->per_keybytes += a->tmp.len;
			spill_now = a->budget && per_memory(a) > a->budget;
		}
		done = a->per_done + e * a->per_bytes;
	}
	update(a, g, src, rec, done, e);
	if (spill_now)
		pspill_begin(a);	/* this row's key and values with the others */
}

/* ---------- parts of a file (jkpi -j) ---------- */

struct jt_agg *jt_agg_part(const struct jt_agg *a, int later)
{
	struct jt_agg *b = jt_agg_new(&a->o);
	if (a->bound)
		jt_agg_header(b, a->first_src, a->hdr);
	b->defer = later && a->o.per;
	b->budget = a->budget;
	return b;
}

/* Kst y into x: everything but distinct's count (its set's) and per's. */
static void kst_merge(const struct kpi *k, struct kst *x, struct kst *y)
{
	if (y->n && k->kind != K_DISTINCT) {
		if (!x->n || y->min < x->min)
			x->min = y->min;
		if (!x->n || y->max > x->max)
			x->max = y->max;
	}
	if (k->kind != K_DISTINCT)
		x->n += y->n;
	x->missing += y->missing;
	x->c1 += y->c1;
	x->c2 += y->c2;
	x->c3 += y->c3;
	if (__builtin_add_overflow(x->sum, y->sum, &x->sum))
		jt_die("column '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)", k->colname);
	/* a mean's sum of squares (--baseline's variance): unknown once either is */
	if (y->sq_bad || (!x->sq_bad && __builtin_add_overflow(x->sumsq, y->sumsq, &x->sumsq)))
		x->sq_bad = 1;
	if (y->sk) {
		if (!x->sk)
			x->sk = jt_xcalloc(1, sizeof *x->sk);
		jt_sketch_merge(x->sk, y->sk);
	}
	if (y->vn) {
		void *p = x->v;
		jt_xgrow(&p, &x->vcap, x->vn + y->vn, sizeof *x->v);
		x->v = p;
		memcpy(x->v + x->vn, y->v, y->vn * sizeof *x->v);
		x->vn += y->vn;
		x->sorted = 0;
	}
}

/* The key of a set or per entry, its group id g replaced by id (into a->tmp). */
static void regroup(struct jt_agg *a, const struct jt_map_ent *e, uint32_t id)
{
	jt_buf_reset(&a->tmp);
	jt_buf_add(&a->tmp, &id, sizeof id);
	jt_buf_add(&a->tmp, e->key + sizeof id, e->len - sizeof id);
}

void jt_agg_merge(struct jt_agg *a, struct jt_agg *b)
{
	if (!b->bound)
		return;
	size_t *gmap = jt_xmalloc((b->groups.n ? b->groups.n : 1) * sizeof *gmap);
	for (size_t g = 0; g < b->groups.n; g++)	/* in b's first-seen order: a's stays the file's */
		gmap[g] = group_id(a, b->groups.ent[g].key, b->groups.ent[g].len);
	for (size_t g = 0; g < b->groups.n; g++)
		for (size_t i = 0; i < a->nk; i++)
			kst_merge(&a->k[i], &a->st[gmap[g] * a->nk + i], &b->st[g * b->nk + i]);
	for (size_t i = 0; i < a->nk; i++) {
		const struct jt_map *m = &b->k[i].set;
		for (size_t e = 0; e < m->n; e++) {
			uint32_t gid;
			int isnew;
			memcpy(&gid, m->ent[e].key, sizeof gid);
			regroup(a, &m->ent[e], (uint32_t)gmap[gid]);
			jt_map_put(&a->k[i].set, a->tmp.p, a->tmp.len, 0, &isnew);
			a->st[gmap[gid] * a->nk + i].n += (uint64_t)isnew;
		}
	}
	if (a->ps || b->ps) {	/* past --memory: b's rows after a's in the spill */
		if (!a->ps)
			pspill_begin(a);
		if (!b->ps)
			pspill_begin(b);
		pspill_take(a, b, gmap);
	}
	/* --per: b's keys in a (in b's order), then the values b took for them,
	 * each only when a had none for that KPI: a sequential read's first */
	size_t *emap = jt_xmalloc((b->per.n ? b->per.n : 1) * sizeof *emap);
	for (size_t e = 0; e < b->per.n; e++) {
		uint32_t gid;
		int isnew;
		memcpy(&gid, b->per.ent[e].key, sizeof gid);
		regroup(a, &b->per.ent[e], (uint32_t)gmap[gid]);
		emap[e] = jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
		if (isnew) {
			void *p = a->per_done;
			size_t old = a->per_cap;
			jt_xgrow(&p, &a->per_cap, (emap[e] + 1) * a->per_bytes, 1);
			a->per_done = p;
			memset(a->per_done + old, 0, a->per_cap - old);
		}
	}
	for (size_t t = 0; t < b->ntk; t++) {
		const struct taken *x = &b->tk[t];
		unsigned char *done = a->per_done + emap[x->e] * a->per_bytes;
		if (done[x->ki / 8] & 1u << (x->ki % 8))
			continue;
		done[x->ki / 8] |= (unsigned char)(1u << (x->ki % 8));
		struct parsed p = { x->present, x->v, x->cls };
		uint32_t gid;
		memcpy(&gid, b->per.ent[x->e].key, sizeof gid);
		const char *v = x->len ? b->tkbytes.p + (size_t)x->v : "";
		take(a, &a->st[gmap[gid] * a->nk + x->ki], gmap[gid], x->ki, &p, NULL, v, x->len, b->first_src, 0);
	}
	free(emap);
	free(gmap);
}

/* ---------- --per past --memory ---------- */

/* Past the budget, the --per state (each key's entry and which KPIs took a
 * value) goes to a spill file, and so does every later row with a --per key,
 * as a record: the group id, the key, the KPI bits already taken, and the
 * values the row offers (one per KPI that has one, or is count or distinct).
 * Records go to one of NPART partitions by a hash of the key, so a key is
 * wholly in one; a partition is a list of chunks, in the order the rows were
 * read. At the end each partition is replayed on its own, in that order, with
 * the rule of update(): the same first value per key and KPI as one read. */
#define NPART 64

struct pchunk {
	uint32_t src, len;
	uint64_t off;
};

struct psrc {
	int fd;
	uint64_t size;
	uint32_t *gmap;	/* the records' group ids into the agg's (NULL: the same) */
};

struct pspill {
	struct psrc *src;	/* src[0]: this agg's own file */
	size_t nsrc;
	size_t chunk;	/* a partition's buffer is written out past this */
	struct jt_buf buf[NPART];
	struct pchunk *ch[NPART];
	size_t nch[NPART], chcap[NPART];
};

/* A record's fixed part, then done bits and the key; then nt values. */
struct prec {
	uint32_t g, klen, nt;
};
struct pval {
	jt_i128 v;
	uint32_t ki, slen;
	int32_t cls, present;
};

static uint64_t per_memory(const struct jt_agg *a)
{
	return (uint64_t)a->per.n * (sizeof(struct jt_map_ent) + 2 * sizeof(uint32_t) + 16 + a->per_bytes) +
	       a->per_keybytes + (uint64_t)a->ntk * sizeof *a->tk + a->tkbytes.len;
}

static void pflush(struct jt_agg *a, size_t p)
{
	struct pspill *ps = a->ps;
	struct jt_buf *b = &ps->buf[p];
	if (!b->len)
		return;
	void *q = ps->ch[p];
	jt_xgrow(&q, &ps->chcap[p], ps->nch[p] + 1, sizeof *ps->ch[p]);
	ps->ch[p] = q;
	ps->ch[p][ps->nch[p]++] = (struct pchunk){ 0, (uint32_t)b->len, ps->src[0].size };
	jt_spill_fd_write(ps->src[0].fd, b->p, b->len);
	ps->src[0].size += b->len;
	jt_buf_reset(b);
}

/* Starts a record of key (klen bytes) of group g in its partition's buffer;
 * returns the partition. */
static size_t prec_begin(struct jt_agg *a, size_t g, const char *key, size_t klen, const unsigned char *done,
			 uint32_t nt)
{
	size_t p = (size_t)(jt_fnv1a64(key, klen) >> 32) % NPART;
	struct jt_buf *b = &a->ps->buf[p];
	struct prec r = { (uint32_t)g, (uint32_t)klen, nt };
	jt_buf_add(b, &r, sizeof r);
	size_t at = b->len;
	jt_buf_add(b, key, a->per_bytes);	/* room for the bits */
	if (done)
		memcpy(b->p + at, done, a->per_bytes);
	else
		memset(b->p + at, 0, a->per_bytes);
	jt_buf_add(b, key, klen);
	return p;
}

static void prec_value(struct jt_agg *a, size_t p, size_t ki, const struct parsed *x, const char *str, size_t slen)
{
	struct jt_buf *b = &a->ps->buf[p];
	struct pval v = { x->v, (uint32_t)ki, (uint32_t)slen, x->cls, x->present };
	jt_buf_add(b, &v, sizeof v);
	if (slen)
		jt_buf_add(b, str, slen);
}

static void prec_end(struct jt_agg *a, size_t p)
{
	if (a->ps->buf[p].len >= a->ps->chunk)
		pflush(a, p);
}

/* The --per state to the spill file; from now on rows go there too. */
static void pspill_begin(struct jt_agg *a)
{
	struct pspill *ps = jt_xcalloc(1, sizeof *ps);
	a->ps = ps;
	ps->src = jt_xcalloc(1, sizeof *ps->src);
	ps->src[0].fd = jt_spill_fd();
	ps->nsrc = 1;
	ps->chunk = a->budget / 4 / NPART;
	if (ps->chunk < 4096)
		ps->chunk = a->budget ? 4096 : (size_t)64 << 10;
	/* the keys first, with the KPIs that took their value here (a later part's
	 * were held back: none), then a later part's held values in row order */
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		size_t p = prec_begin(a, gid, a->per.ent[e].key + sizeof gid, a->per.ent[e].len - sizeof gid,
				      a->defer ? NULL : a->per_done + e * a->per_bytes, 0);
		prec_end(a, p);
	}
	for (size_t t = 0; t < a->ntk; t++) {
		const struct taken *x = &a->tk[t];
		const struct jt_map_ent *en = &a->per.ent[x->e];
		uint32_t gid;
		memcpy(&gid, en->key, sizeof gid);
		size_t p = prec_begin(a, gid, en->key + sizeof gid, en->len - sizeof gid, NULL, 1);
		struct parsed v = { x->present, x->v, x->cls };
		prec_value(a, p, x->ki, &v, x->len ? a->tkbytes.p + (size_t)x->v : NULL, x->len);
		prec_end(a, p);
	}
	jt_map_free(&a->per);
	memset(&a->per, 0, sizeof a->per);
	free(a->per_done);
	a->per_done = NULL;
	a->per_cap = 0;
	a->per_keybytes = 0;
	free(a->tk);
	a->tk = NULL;
	a->ntk = a->tkcap = 0;
	jt_buf_free(&a->tkbytes);
}

static void pspill_row(struct jt_agg *a, size_t g, const char *key, size_t klen, const struct jt_record *rec)
{
	uint32_t nt = 0;
	for (size_t i = 0; i < a->nk; i++)
		nt += a->pv[i].present || a->k[i].kind == K_COUNT || a->k[i].kind == K_DISTINCT;
	size_t p = prec_begin(a, g, key, klen, NULL, nt);
	for (size_t i = 0; i < a->nk; i++) {
		const struct kpi *k = &a->k[i];
		if (!a->pv[i].present && k->kind != K_COUNT && k->kind != K_DISTINCT)
			continue;
		size_t vl = 0;
		const char *v = k->kind == K_DISTINCT && a->pv[i].present ? cell(a, rec, k->col, &vl) : NULL;
		prec_value(a, p, i, &a->pv[i], v, vl);
	}
	prec_end(a, p);
}

/* b's spilled state after a's (jt_agg_merge; both spill): gmap takes b's
 * group ids to a's. */
static void pspill_take(struct jt_agg *a, struct jt_agg *b, const size_t *gmap)
{
	struct pspill *pa = a->ps, *pb = b->ps;
	for (size_t p = 0; p < NPART; p++) {
		pflush(a, p);	/* a's rows before b's */
		pflush(b, p);
	}
	size_t base = pa->nsrc;
	pa->src = jt_xrealloc(pa->src, (pa->nsrc + pb->nsrc) * sizeof *pa->src);
	for (size_t i = 0; i < pb->nsrc; i++) {
		struct psrc s = pb->src[i];
		uint32_t *m = jt_xmalloc((b->groups.n ? b->groups.n : 1) * sizeof *m);
		for (size_t g = 0; g < b->groups.n; g++)
			m[g] = (uint32_t)gmap[s.gmap ? s.gmap[g] : g];
		free(s.gmap);
		s.gmap = m;
		pa->src[pa->nsrc++] = s;
	}
	for (size_t p = 0; p < NPART; p++) {
		void *q = pa->ch[p];
		jt_xgrow(&q, &pa->chcap[p], pa->nch[p] + pb->nch[p], sizeof *pa->ch[p]);
		pa->ch[p] = q;
		for (size_t c = 0; c < pb->nch[p]; c++) {
			struct pchunk x = pb->ch[p][c];
			x.src += (uint32_t)base;
			pa->ch[p][pa->nch[p]++] = x;
		}
		free(pb->ch[p]);
		jt_buf_free(&pb->buf[p]);
	}
	free(pb->src);	/* the files are a's now */
	free(pb);
	b->ps = NULL;
}

/* Replays the partitions one by one into the groups' state; keys[g] gets the
 * keys of group g. */
static void pspill_finish(struct jt_agg *a, uint64_t *keys)
{
	struct pspill *ps = a->ps;
	struct jt_buf rd = JT_BUF_INIT, mk = JT_BUF_INIT;
	for (size_t p = 0; p < NPART; p++)
		pflush(a, p);
	for (size_t p = 0; p < NPART; p++) {
		struct jt_map m = JT_MAP_INIT;
		unsigned char *done = NULL;
		size_t dcap = 0;
		for (size_t c = 0; c < ps->nch[p]; c++) {
			const struct pchunk *ch = &ps->ch[p][c];
			const struct psrc *sr = &ps->src[ch->src];
			if (ch->len > rd.cap) {
				void *q = rd.p;
				jt_xgrow(&q, &rd.cap, ch->len, 1);
				rd.p = q;
			}
			jt_spill_fd_pread(sr->fd, rd.p, ch->len, ch->off);
			for (const char *r = rd.p, *end = rd.p + ch->len; r < end;) {
				struct prec h;
				memcpy(&h, r, sizeof h);
				r += sizeof h;
				const unsigned char *bits = (const unsigned char *)r;
				r += a->per_bytes;
				uint32_t g = sr->gmap ? sr->gmap[h.g] : h.g;
				jt_buf_reset(&mk);
				jt_buf_add(&mk, &g, sizeof g);
				jt_buf_add(&mk, r, h.klen);
				r += h.klen;
				int isnew;
				size_t e = jt_map_put(&m, mk.p, mk.len, 0, &isnew);
				if (isnew) {
					void *q = done;
					size_t old = dcap;
					jt_xgrow(&q, &dcap, (e + 1) * a->per_bytes, 1);
					done = q;
					memset(done + old, 0, dcap - old);
					keys[g]++;
				}
				unsigned char *d = done + e * a->per_bytes;
				for (size_t i = 0; i < a->per_bytes; i++)
					d[i] |= bits[i];
				for (uint32_t t = 0; t < h.nt; t++) {
					struct pval v;
					memcpy(&v, r, sizeof v);
					r += sizeof v;
					const char *str = r;
					r += v.slen;
					if (d[v.ki / 8] & 1u << (v.ki % 8))
						continue;
					d[v.ki / 8] |= (unsigned char)(1u << (v.ki % 8));
					struct parsed x = { v.present, v.v, v.cls };
					take(a, &a->st[(size_t)g * a->nk + v.ki], g, v.ki, &x, NULL, str, v.slen,
					     a->first_src, 0);
				}
			}
		}
		jt_map_free(&m);
		free(done);
	}
	jt_buf_free(&rd);
	jt_buf_free(&mk);
}

static void pspill_free(struct pspill *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->nsrc; i++) {
		close(ps->src[i].fd);
		free(ps->src[i].gmap);
	}
	free(ps->src);
	for (size_t p = 0; p < NPART; p++) {
		jt_buf_free(&ps->buf[p]);
		free(ps->ch[p]);
	}
	free(ps);
}

void jt_agg_budget(struct jt_agg *a, uint64_t bytes)
{
	/* a --partial writes every key out: its state is its output */
	a->budget = a->o.per && !a->o.partial ? bytes : 0;
}

/* --per: a KPI's missing count is the keys of the group that never had a
 * value for it (count and distinct counted theirs on the key's first row). */
static void per_missing(struct jt_agg *a)
{
	uint64_t *keys = jt_xcalloc(a->groups.n ? a->groups.n : 1, sizeof *keys);
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		keys[gid]++;
	}
	if (a->ps)
		pspill_finish(a, keys);
	for (size_t g = 0; g < a->groups.n; g++)
		for (size_t i = 0; i < a->nk; i++) {
			struct kst *s = &a->st[g * a->nk + i];
			if (a->k[i].kind != K_COUNT && a->k[i].kind != K_DISTINCT)
				s->missing = keys[g] - s->n;
		}
	free(keys);
}

/* ---------- figures ---------- */

static int cmp_i128(const void *x, const void *y)
{
	jt_i128 a = *(const jt_i128 *)x, b = *(const jt_i128 *)y;
	return (a > b) - (a < b);
}

static void quantile(const struct kpi *k, struct kst *s, char *out)
{
	int dec = k->duration ? 0 : 4;
	if (s->n == 0) {
		out[0] = '\0';
		return;
	}
	/* h = (n-1) q / 100 (type 7) */
	uint64_t hn = (s->n - 1) * (uint64_t)k->q, lo = hn / 100, rem = hn % 100;
	if (!s->sk) {
		if (!s->sorted) {
			qsort(s->v, s->vn, sizeof *s->v, cmp_i128);
			s->sorted = 1;
		}
		jt_i128 x0 = s->v[lo], x1 = rem ? s->v[lo + 1] : x0;
		jt_fmt_ratio(100 * x0 + (jt_i128)rem * (x1 - x0), 100 * JT_DEC_SCALE, dec, out);
		return;
	}
	double mn = jt_dec_to_double(s->min), mx = jt_dec_to_double(s->max);
	double x0, x1;
	x0 = lo == 0 ? mn : lo == s->n - 1 ? mx : jt_sketch_at_rank(s->sk, lo);
	if (rem) {
		uint64_t hi = lo + 1;
		x1 = hi == s->n - 1 ? mx : jt_sketch_at_rank(s->sk, hi);
	} else {
		x1 = x0;
	}
	x0 = x0 < mn ? mn : x0 > mx ? mx : x0;
	x1 = x1 < mn ? mn : x1 > mx ? mx : x1;
	jt_fmt_double(x0 + (x1 - x0) * (double)rem / 100.0, dec, out);
}

/* Number of figures a KPI writes, and their suffixes. */
static const char *const *suffixes(enum kind kd, size_t *n)
{
	static const char *const s_count[] = { "" };
	static const char *const s_distinct[] = { "", "_missing" };
	static const char *const s_num[] = { "", "_n", "_missing" };
	static const char *const s_nps[] = { "", "_lo", "_hi", "_promoters", "_passives", "_detractors", "_n", "_missing" };
	static const char *const s_csat[] = { "", "_lo", "_hi", "_satisfied", "_n", "_missing" };
	static const char *const s_ces[] = { "", "_low_effort", "_n", "_missing" };
	static const char *const s_rate[] = { "", "_lo", "_hi", "_hits", "_n", "_missing" };
	switch (kd) {
	case K_COUNT: *n = 1; return s_count;
	case K_DISTINCT: *n = 2; return s_distinct;
	case K_NPS: *n = 8; return s_nps;
	case K_CSAT: *n = 6; return s_csat;
	case K_CES: *n = 4; return s_ces;
	case K_RATE: *n = 6; return s_rate;
	default: *n = 3; return s_num;
	}
}

typedef char fig_t[64];

/* Writes the figures of KPI k for state s into f (as many as suffixes()). */
static void figures(const struct kpi *k, struct kst *s, fig_t *f)
{
	size_t i = 0;
	switch (k->kind) {
	case K_COUNT:
		jt_fmt_u64(s->n, f[0]);
		return;
	case K_DISTINCT:
		jt_fmt_u64(s->n, f[0]);
		jt_fmt_u64(s->missing, f[1]);
		return;
	case K_SUM:
		jt_dec_format(s->sum, f[i++]);
		break;
	case K_MEAN:
		if (s->n)
			jt_fmt_ratio(s->sum, (jt_i128)s->n * JT_DEC_SCALE, k->duration ? 0 : 4, f[i++]);
		else
			f[i++][0] = '\0';
		break;
	case K_MIN:
	case K_MAX:
		if (s->n)
			jt_dec_format(k->kind == K_MIN ? s->min : s->max, f[i++]);
		else
			f[i++][0] = '\0';
		break;
	case K_QUANT:
		quantile(k, s, f[i++]);
		break;
	case K_NPS: {
		if (s->n) {
			jt_fmt_ratio(100 * ((jt_i128)s->c1 - (jt_i128)s->c3), (jt_i128)s->n, 2, f[0]);
			double n2 = (double)s->n + 3, p = ((double)s->c1 + 0.75) / n2, d = ((double)s->c3 + 0.75) / n2;
			double c = p - d, var = p + d - c * c, h = JT_Z95 * sqrt(var / n2);
			double lo = (c - h) * 100, hi = (c + h) * 100;
			jt_fmt_double(lo < -100 ? -100 : lo, 2, f[1]);
			jt_fmt_double(hi > 100 ? 100 : hi, 2, f[2]);
		} else {
			f[0][0] = f[1][0] = f[2][0] = '\0';
		}
		jt_fmt_u64(s->c1, f[3]);
		jt_fmt_u64(s->c2, f[4]);
		jt_fmt_u64(s->c3, f[5]);
		i = 6;
		break;
	}
	case K_CSAT:
	case K_RATE:
		if (s->n)
			jt_fmt_ratio(100 * (jt_i128)s->c1, (jt_i128)s->n, 2, f[0]);
		else
			f[0][0] = '\0';
		jt_wilson(s->c1, s->n, f[1], f[2]);
		jt_fmt_u64(s->c1, f[3]);
		i = 4;
		break;
	case K_CES:
		if (s->n) {
			jt_fmt_ratio(s->sum, (jt_i128)s->n * JT_DEC_SCALE, 4, f[0]);
			jt_fmt_ratio(100 * (jt_i128)s->c1, (jt_i128)s->n, 2, f[1]);
		} else {
			f[0][0] = f[1][0] = '\0';
		}
		i = 2;
		break;
	}
	jt_fmt_u64(s->n, f[i++]);
	jt_fmt_u64(s->missing, f[i]);
}

/* ---------- output ---------- */

/* What orders the rows of a table: passed to the comparisons (no static state:
 * jkpi may sort in several threads). */
struct keycmp_ctx {
	const struct jt_map *m;
	const size_t *cols;
	size_t ncols;
	const struct jt_map *rank;	/* --row-order, or NULL */
	int bytes;	/* -s: by the key's bytes; else first seen */
	const unsigned char *bucket;	/* per column: a time bucket, sorted by time (bytes) */
	struct jt_map *seen;	/* per column without -s: its values in first-seen order */
};

/* A comma list ("\\," is a comma in a value) into m, in order. */
static void list_put(struct jt_map *m, const char *list)
{
	struct jt_buf item = JT_BUF_INIT;
	for (const char *p = list;; p++) {
		if (*p == '\\' && (p[1] == ',' || p[1] == '\\')) {
			jt_buf_addc(&item, *++p);
			continue;
		}
		if (*p == ',' || *p == '\0') {
			jt_map_put(m, item.p ? item.p : "", item.len, 0, NULL);
			jt_buf_reset(&item);
			if (!*p)
				break;
			continue;
		}
		jt_buf_addc(&item, *p);
	}
	jt_buf_free(&item);
}

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);
	return c ? c : (la > lb) - (la < lb);
}

/* Stable merge sort of ids by cmp(x, y, ctx). */
static void sort_idx(size_t *ids, size_t n, int (*cmp)(size_t, size_t, const void *), const void *ctx)
{
	if (n < 2)
		return;
	size_t *tmp = jt_xmalloc(n * sizeof *tmp);
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(ids[j], ids[i], ctx) < 0 ? ids[j++] : ids[i++];
			while (i < mid)
				tmp[k++] = ids[i++];
			while (j < hi)
				tmp[k++] = ids[j++];
		}
		memcpy(ids, tmp, n * sizeof *ids);
	}
	free(tmp);
}

/* Whole map keys by bytes (pivot column values); ctx is the map. */
static int cmp_raw(size_t x, size_t y, const void *ctx)
{
	const struct jt_map *m = ctx;
	return cmp_bytes(m->ent[x].key, m->ent[x].len, m->ent[y].key, m->ent[y].len);
}

/* Rows: --row-order's rank of the first column first (values not listed
 * after the listed ones), then the key's bytes with -s; else, when a column
 * is a time bucket, column by column: buckets by time, the other columns in
 * the order their values were first seen; else first seen. */
static size_t rank_of(const struct keycmp_ctx *kc, size_t id)
{
	size_t l;
	const char *f = key_field(kc->m->ent[id].key, kc->cols[0], &l);
	long r = jt_map_find(kc->rank, f, l);
	return r < 0 ? kc->rank->n : (size_t)r;
}

static int cmp_rows(size_t ia, size_t ib, const void *ctx)
{
	const struct keycmp_ctx *kc = ctx;
	if (kc->rank) {
		size_t ra = rank_of(kc, ia), rb = rank_of(kc, ib);
		if (ra != rb)
			return ra < rb ? -1 : 1;
	}
	if (kc->bytes || kc->seen) {
		const char *ka = kc->m->ent[ia].key, *kb = kc->m->ent[ib].key;
		for (size_t i = 0; i < kc->ncols; i++) {
			size_t la, lb, c = kc->cols[i];
			const char *fa = key_field(ka, c, &la), *fb = key_field(kb, c, &lb);
			int d;
			if (kc->bytes || kc->bucket[c]) {
				d = cmp_bytes(fa, la, fb, lb);
			} else {
				long sa = jt_map_find(&kc->seen[c], fa, la), sb = jt_map_find(&kc->seen[c], fb, lb);
				d = (sa > sb) - (sa < sb);
			}
			if (d)
				return d;
		}
	}
	return (ia > ib) - (ia < ib);
}

/* Sorts the ids of map m, whose keys have the columns cols (bucket[c]: column
 * c of the keys is a time bucket). */
static void sort_ids(const struct jt_agg *a, const struct jt_map *m, size_t *ids, size_t n, const size_t *cols,
		     size_t ncols, const unsigned char *bucket)
{
	struct keycmp_ctx kc = { m, cols, ncols, a->rowrank.n ? &a->rowrank : NULL, a->o.sort, bucket, NULL };
	int timed = 0;
	for (size_t i = 0; i < ncols && bucket; i++)
		timed |= bucket[cols[i]];
	if (!ncols || (!a->o.sort && !a->rowrank.n && !timed))
		return;
	size_t nkc = 0;
	if (timed && !a->o.sort) {
		for (size_t i = 0; i < ncols; i++)
			nkc = cols[i] + 1 > nkc ? cols[i] + 1 : nkc;
		kc.seen = jt_xcalloc(nkc, sizeof *kc.seen);
		for (size_t e = 0; e < m->n; e++)
			for (size_t i = 0; i < ncols; i++) {
				size_t l;
				const char *f = key_field(m->ent[e].key, cols[i], &l);
				jt_map_put(&kc.seen[cols[i]], f, l, 0, NULL);
			}
	}
	sort_idx(ids, n, cmp_rows, &kc);
	for (size_t i = 0; i < nkc; i++)
		jt_map_free(&kc.seen[i]);
	free(kc.seen);
}

/* The <h2> over the main table of an HTML page: "KPIs by groups". */
static char *heading(const struct jt_agg *a)
{
	struct jt_buf b = JT_BUF_INIT;
	for (size_t i = 0; i < a->nk; i++) {
		if (i)
			jt_buf_adds(&b, ", ");
		jt_buf_adds(&b, a->k[i].name);
	}
	int first = 1;
	for (size_t i = 0; i < a->ng; i++) {
		if ((long)i == a->pivot_g)
			continue;
		jt_buf_adds(&b, first ? " by " : ", ");
		jt_buf_add(&b, a->gname[i], a->gnlen[i]);
		first = 0;
	}
	if (a->pivot_g >= 0) {
		jt_buf_adds(&b, first ? " by " : " \xc3\x97 ");
		jt_buf_adds(&b, a->pivot_name);
	}
	if (a->per_name) {
		jt_buf_adds(&b, " (each ");
		jt_buf_adds(&b, a->per_name);
		jt_buf_adds(&b, " once per cell)");
	}
	jt_buf_addc(&b, '\0');
	return b.p;
}

/* KPI ki over every group pooled (the centre of its heatmap's colours). */
static void overall(struct jt_agg *a, size_t ki, fig_t *f)
{
	struct kpi *k = &a->k[ki];
	struct kst s;
	struct jt_sketch sk;
	int have = 0, sketch = 0, bad = 0;
	memset(&s, 0, sizeof s);
	memset(&sk, 0, sizeof sk);
	for (size_t g = 0; g < a->groups.n; g++) {
		struct kst *x = &a->st[g * a->nk + ki];
		if (x->n && (!have || x->min < s.min))
			s.min = x->min;
		if (x->n && (!have || x->max > s.max))
			s.max = x->max;
		have |= x->n > 0;
		s.n += x->n;
		s.missing += x->missing;
		s.c1 += x->c1;
		s.c2 += x->c2;
		s.c3 += x->c3;
		if (__builtin_add_overflow(s.sum, x->sum, &s.sum))
			bad = 1;
		if (k->kind != K_QUANT)
			continue;
		if (x->sk) {
			sketch = 1;
			jt_sketch_merge(&sk, x->sk);
		} else {
			void *p = s.v;
			jt_xgrow(&p, &s.vcap, s.vn + x->vn, sizeof *s.v);
			s.v = p;
			if (x->vn)
				memcpy(s.v + s.vn, x->v, x->vn * sizeof *s.v);
			s.vn += x->vn;
		}
	}
	s.sk = sketch ? &sk : NULL;
	figures(k, &s, f);
	if (bad)
		f[0][0] = '\0';	/* no overall: the colours centre on the middle of the range */
	free(s.v);
	jt_sketch_free(&sk);
}

/* What the HTML page needs to know of a KPI; kind is a buffer of 16. */
static void kpi_view(const struct jt_agg *a, const struct kpi *k, struct jt_kpiview *kv, char *kind, const char *ov)
{
	memset(kv, 0, sizeof *kv);
	kv->name = k->name;
	kv->col = k->has_col ? k->colname : NULL;
	if (k->kind == K_QUANT && k->median)
		snprintf(kind, 16, "median");
	else if (k->kind == K_QUANT)
		snprintf(kind, 16, "p%d", k->q);
	else if (k->kind == K_CSAT && a->o.csat == JT_CSAT_GOODBAD)
		snprintf(kind, 16, "csat-good-bad");
	else
		snprintf(kind, 16, "%s", kind_name[k->kind]);
	kv->kind = kind;
	switch (k->kind) {
	case K_COUNT:
	case K_DISTINCT: kv->scale = JT_SCALE_NONE; break;
	case K_NPS: kv->scale = JT_SCALE_NPS; break;
	case K_CSAT:
	case K_RATE: kv->scale = JT_SCALE_PCT; break;
	default: kv->scale = JT_SCALE_NUM; break;
	}
	kv->duration = k->duration && kv->scale == JT_SCALE_NUM && k->kind != K_SUM;
	kv->lower_better = kv->duration;
	kv->overall = ov;
}

static void write_long(struct jt_agg *a, FILE *fp)
{
	size_t nfig = 0, ncol;
	for (size_t i = 0; i < a->nk; i++) {
		size_t n;
		suffixes(a->k[i].kind, &n);
		nfig += n;
	}
	ncol = a->ng + nfig;
	const char **names = jt_xcalloc(ncol ? ncol : 1, sizeof *names);
	size_t *lens = jt_xcalloc(ncol ? ncol : 1, sizeof *lens);
	unsigned char *num = jt_xcalloc(ncol ? ncol : 1, 1);
	struct jt_buf nb = JT_BUF_INIT;
	size_t c = 0;
	for (size_t i = 0; i < a->ng; i++, c++) {
		names[c] = a->gname[i];
		lens[c] = a->gnlen[i];
	}
	char **owned = jt_xcalloc(nfig ? nfig : 1, sizeof *owned);
	size_t no = 0;
	for (size_t i = 0; i < a->nk; i++) {
		size_t n;
		const char *const *sx = suffixes(a->k[i].kind, &n);
		for (size_t j = 0; j < n; j++, c++) {
			jt_buf_reset(&nb);
			jt_buf_adds(&nb, a->k[i].name);
			jt_buf_adds(&nb, sx[j]);
			owned[no] = jt_xmemdup(nb.p, nb.len);
			names[c] = owned[no++];
			lens[c] = nb.len;
			num[c] = 1;
		}
	}
	struct jt_table *t = jt_table_new(fp, a->o.format, ncol, names, lens, num);
	struct jt_html html = a->o.html;
	char *hd = heading(a);
	html.heading = hd;
	html.per = a->per_name;
	jt_table_set_html(t, &html);
	size_t ngr = a->groups.n, *ids = jt_xmalloc((ngr ? ngr : 1) * sizeof *ids);
	for (size_t g = 0; g < ngr; g++)
		ids[g] = g;
	if (a->ng) {
		size_t *cols = jt_xmalloc(a->ng * sizeof *cols);
		for (size_t i = 0; i < a->ng; i++)
			cols[i] = i;
		sort_ids(a, &a->groups, ids, ngr, cols, a->ng, NULL);
		free(cols);
	}
	fig_t *f = jt_xmalloc((nfig ? nfig : 1) * sizeof *f);
	const char **cells = jt_xcalloc(ncol ? ncol : 1, sizeof *cells);
	size_t *cl = jt_xcalloc(ncol ? ncol : 1, sizeof *cl);
	for (size_t r = 0; r < ngr; r++) {
		size_t g = ids[r], fi = 0;
		const char *key = a->groups.ent[g].key;
		for (size_t i = 0; i < a->ng; i++)
			cells[i] = key_field(key, i, &cl[i]);
		for (size_t i = 0; i < a->nk; i++) {
			size_t n;
			suffixes(a->k[i].kind, &n);
			figures(&a->k[i], &a->st[g * a->nk + i], f + fi);
			fi += n;
		}
		for (size_t j = 0; j < nfig; j++) {
			cells[a->ng + j] = f[j];
			cl[a->ng + j] = strlen(f[j]);
		}
		jt_table_row(t, cells, cl);
	}
	jt_table_end(t);
	free(hd);
	for (size_t i = 0; i < no; i++)
		free(owned[i]);
	free(owned);
	free(f);
	free(cells);
	free(cl);
	free(ids);
	free(names);
	free(lens);
	free(num);
	jt_buf_free(&nb);
}

static void write_pivot(struct jt_agg *a, FILE *fp)
{
	struct jt_map rows = JT_MAP_INIT, cols = JT_MAP_INIT;
	struct jt_buf kb = JT_BUF_INIT;
	size_t ngr = a->groups.n, pg = (size_t)a->pivot_g;
	size_t *rowof = jt_xmalloc((ngr ? ngr : 1) * sizeof *rowof), *colof = jt_xmalloc((ngr ? ngr : 1) * sizeof *colof);

	/* explicit column order first */
	if (a->o.pivot_order && strcmp(a->o.pivot_order, "sorted") != 0)
		list_put(&cols, a->o.pivot_order);
	for (size_t g = 0; g < ngr; g++) {
		const char *key = a->groups.ent[g].key;
		size_t l;
		jt_buf_reset(&kb);
		for (size_t i = 0; i < a->ng; i++) {
			if (i == pg)
				continue;
			const char *f = key_field(key, i, &l);
			key_add(&kb, f, l);
		}
		rowof[g] = jt_map_put(&rows, kb.p ? kb.p : "", kb.len, (uint32_t)g, NULL);
		const char *pv = key_field(key, pg, &l);
		colof[g] = jt_map_put(&cols, pv, l, 0, NULL);
	}
	size_t nr = rows.n, nc = cols.n, nrest = a->ng - 1;
	/* column order */
	size_t *corder = jt_xmalloc((nc ? nc : 1) * sizeof *corder);
	for (size_t i = 0; i < nc; i++)
		corder[i] = i;
	if (a->o.pivot_order && strcmp(a->o.pivot_order, "sorted") == 0) {
		sort_idx(corder, nc, cmp_raw, &cols);
	} else if (a->gbucket && a->gbucket[pg]) {
		/* time buckets by time, after the values --pivot-order lists */
		size_t listed = 0;
		if (a->o.pivot_order) {
			struct jt_map l = JT_MAP_INIT;
			list_put(&l, a->o.pivot_order);
			listed = l.n;
			jt_map_free(&l);
		}
		sort_idx(corder + listed, nc - listed, cmp_raw, &cols);
	}
	size_t *rorder = jt_xmalloc((nr ? nr : 1) * sizeof *rorder);
	for (size_t i = 0; i < nr; i++)
		rorder[i] = i;
	if (nrest) {
		size_t *cc = jt_xmalloc(nrest * sizeof *cc);
		unsigned char *bk = jt_xcalloc(nrest, 1);
		for (size_t i = 0, c = 0; i < a->ng; i++)
			if (i != pg) {
				bk[c] = a->gbucket ? a->gbucket[i] : 0;
				cc[c] = c;
				c++;
			}
		sort_ids(a, &rows, rorder, nr, cc, nrest, bk);
		free(bk);
		free(cc);
	}
	long *cell = jt_xmalloc((nr * nc > 0 ? nr * nc : 1) * sizeof *cell);
	for (size_t i = 0; i < nr * nc; i++)
		cell[i] = -1;
	for (size_t g = 0; g < ngr; g++)
		cell[rowof[g] * nc + colof[g]] = (long)g;

	size_t ncol = nrest + nc;
	const char **names = jt_xcalloc(ncol ? ncol : 1, sizeof *names);
	size_t *lens = jt_xcalloc(ncol ? ncol : 1, sizeof *lens);
	unsigned char *num = jt_xcalloc(ncol ? ncol : 1, 1);
	for (size_t i = 0, c = 0; i < a->ng; i++) {
		if (i == pg)
			continue;
		names[c] = a->gname[i];
		lens[c++] = a->gnlen[i];
	}
	for (size_t j = 0; j < nc; j++) {
		names[nrest + j] = cols.ent[corder[j]].key;
		lens[nrest + j] = cols.ent[corder[j]].len;
		num[nrest + j] = 1;
	}
	/* HTML: one heatmap per KPI on the same rows and columns; other formats: the one KPI */
	int html = a->o.format == JT_FMT_HTML;
	struct jt_html hp = a->o.html;
	char *hd = heading(a);
	hp.heading = hd;
	hp.pivot = a->pivot_name;
	hp.per = a->per_name;
	struct jt_page *page = html ? jt_page_new(&hp) : NULL;
	size_t nf = 0;
	for (size_t ki = 0; ki < a->nk; ki++) {
		size_t n;
		suffixes(a->k[ki].kind, &n);
		nf = n > nf ? n : nf;
	}
	fig_t *f = jt_xmalloc(nf * sizeof *f);
	fig_t *main = jt_xmalloc((nc ? nc : 1) * 3 * sizeof *main);
	struct jt_cellx *x = jt_xcalloc(ncol ? ncol : 1, sizeof *x);
	const char **cells = jt_xcalloc(ncol ? ncol : 1, sizeof *cells);
	size_t *cl = jt_xcalloc(ncol ? ncol : 1, sizeof *cl);
	for (size_t ki = 0; ki < (html ? a->nk : 1); ki++) {
		struct kpi *k = &a->k[ki];
		struct jt_table *t = jt_table_new(fp, a->o.format, ncol, names, lens, num);
		if (html) {
			fig_t ov[8];
			struct jt_kpiview kv;
			char kind[16];
			overall(a, ki, ov);
			kpi_view(a, k, &kv, kind, ov[0]);
			jt_table_set_pivot(t, nrest);
			jt_table_set_kpi(t, &kv);
		}
		int ival = k->kind == K_NPS || k->kind == K_CSAT || k->kind == K_RATE;
		for (size_t i = 0; i < ncol; i++)
			x[i].n = -1;
		for (size_t r = 0; r < nr; r++) {
			size_t ri = rorder[r];
			const char *rk = rows.ent[ri].key;
			for (size_t i = 0; i < nrest; i++)
				cells[i] = key_field(rk, i, &cl[i]);
			for (size_t j = 0; j < nc; j++) {
				long g = cell[ri * nc + corder[j]];
				fig_t *m = &main[3 * j];
				if (g < 0) {
					m[0][0] = m[1][0] = m[2][0] = '\0';
					x[nrest + j].n = -1;
				} else {
					struct kst *st = &a->st[(size_t)g * a->nk + ki];
					figures(k, st, f);
					memcpy(m[0], f[0], sizeof m[0]);
					memcpy(m[1], ival ? f[1] : "", ival ? sizeof m[1] : 1);
					memcpy(m[2], ival ? f[2] : "", ival ? sizeof m[2] : 1);
					x[nrest + j].n = (long)st->n;
				}
				x[nrest + j].trend = g >= 0 && a->trend ? a->trend(a->trend_ctx, a->groups.ent[g].key,
											 a->groups.ent[g].len, ki) : NULL;
				x[nrest + j].lo = m[1];
				x[nrest + j].hi = m[2];
				cells[nrest + j] = m[0];
				cl[nrest + j] = strlen(m[0]);
			}
			jt_table_row_x(t, cells, cl, x);
		}
		if (page)
			jt_page_add(page, t);
		else
			jt_table_end(t);
	}
	if (page)
		jt_page_write(page, fp);
	free(x);
	free(hd);
	free(f);
	free(main);
	free(cells);
	free(cl);
	free(names);
	free(lens);
	free(num);
	free(cell);
	free(rorder);
	free(corder);
	free(rowof);
	free(colof);
	jt_map_free(&rows);
	jt_map_free(&cols);
	jt_buf_free(&kb);
}

/* ---------- partial state ---------- */

/* A whole i128 in decimal digits into d (64 bytes). */
static char *i128_format(jt_i128 v, char *d)
{
	char t[64];
	size_t n = 0;
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	do
		t[n++] = (char)('0' + (int)(u % 10));
	while ((u /= 10) != 0);
	size_t i = 0;
	if (v < 0)
		d[i++] = '-';
	while (n)
		d[i++] = t[--n];
	d[i] = '\0';
	return d;
}

static int i128_parse(const char *s, size_t n, jt_i128 *v)
{
	unsigned __int128 u = 0;
	if (n == 0 || n > 39)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		u = u * 10 + (unsigned)(s[i] - '0');
	}
	if (u >> 127)
		return -1;
	*v = (jt_i128)u;
	return 0;
}

static void state_string(const struct kpi *k, const struct kst *s, struct jt_buf *b)
{
	char d[64];
	jt_buf_reset(b);
	switch (k->kind) {
	case K_COUNT:
		jt_buf_printf(b, "n=%llu", (unsigned long long)s->n);
		return;
	case K_DISTINCT:
		jt_buf_printf(b, "missing=%llu", (unsigned long long)s->missing);
		return;
	default:
		break;
	}
	jt_buf_printf(b, "n=%llu;missing=%llu", (unsigned long long)s->n, (unsigned long long)s->missing);
	switch (k->kind) {
	case K_SUM:
	case K_MEAN:
		jt_buf_printf(b, ";sum=%s", jt_dec_format(s->sum, d));
		if (k->kind == K_MEAN && !s->sq_bad)
			jt_buf_printf(b, ";sumsq=%s", i128_format(s->sumsq, d));
		break;
	case K_CES:
		jt_buf_printf(b, ";sum=%s;low_effort=%llu", jt_dec_format(s->sum, d), (unsigned long long)s->c1);
		if (!s->sq_bad)
			jt_buf_printf(b, ";sumsq=%s", i128_format(s->sumsq, d));
		break;
	case K_MIN:
	case K_MAX:
	case K_QUANT:
		if (s->n) {
			jt_buf_printf(b, ";min=%s", jt_dec_format(s->min, d));
			jt_buf_printf(b, ";max=%s", jt_dec_format(s->max, d));
		}
		if (k->kind == K_QUANT) {
			if (s->sk) {
				jt_sketch_encode(s->sk, b);
			} else {
				struct jt_sketch sk;
				memset(&sk, 0, sizeof sk);
				for (size_t i = 0; i < s->vn; i++)
					jt_sketch_add(&sk, jt_dec_to_double(s->v[i]));
				jt_sketch_encode(&sk, b);
				jt_sketch_free(&sk);
			}
		}
		break;
	case K_NPS:
		jt_buf_printf(b, ";promoters=%llu;passives=%llu;detractors=%llu", (unsigned long long)s->c1,
			      (unsigned long long)s->c2, (unsigned long long)s->c3);
		break;
	case K_CSAT:
		jt_buf_printf(b, ";satisfied=%llu", (unsigned long long)s->c1);
		break;
	case K_RATE:
		jt_buf_printf(b, ";hits=%llu", (unsigned long long)s->c1);
		break;
	default:
		break;
	}
}

static void prow(struct jt_writer *w, const char *type, const char *key, size_t ng, const char *name,
		 const char *val, size_t vlen)
{
	jt_w_str(w, PARTIAL_VERSION);
	jt_w_str(w, type);
	for (size_t i = 0; i < ng; i++) {
		size_t l = 0;
		const char *f = key ? key_field(key, i, &l) : "";
		jt_w_field(w, f, l);
	}
	jt_w_str(w, name);
	jt_w_field(w, val, vlen);
	jt_w_end(w);
}

/* --shard-id K/N: the partial's first row, "shard" with K/N as its value (jt_shards.h) */
static void write_shard_id(const struct jt_agg *a, struct jt_writer *w)
{
	char id[48];
	int n = snprintf(id, sizeof id, "%llu/%llu", (unsigned long long)a->o.shard_k, (unsigned long long)a->o.shard_n);
	prow(w, "shard", NULL, a->ng, "", id, (size_t)n);
}

/* The partial's options and KPI rows, through emit (the partial writes them;
 * jt_agg_signature lists them). */
typedef void emit_fn(void *ctx, const char *type, const char *name, const char *val, size_t vlen);

static void emit_head(struct jt_agg *a, emit_fn *emit, void *ctx)
{
	struct jt_buf b = JT_BUF_INIT;
	emit(ctx, "option", "csat", a->o.csat == JT_CSAT_GOODBAD ? "good-bad" : "top2",
	     a->o.csat == JT_CSAT_GOODBAD ? 8 : 4);
	if (a->per_name) {
		emit(ctx, "option", "per", a->per_name, strlen(a->per_name));
		emit(ctx, "option", "per_rows", PER_ROWS, strlen(PER_ROWS));
	}
	if (a->pivot_name)
		emit(ctx, "option", "pivot", a->pivot_name, strlen(a->pivot_name));
	if (a->o.pivot_order)
		emit(ctx, "option", "pivot_order", a->o.pivot_order, strlen(a->o.pivot_order));
	if (a->pivot_name) {	/* which group columns are time buckets: --merge sorts them by time */
		jt_buf_reset(&b);
		for (size_t i = 0; i < a->ng; i++)
			if (a->gbucket[i])
				jt_buf_printf(&b, "%s%zu", b.len ? "," : "", i + 1);
		if (b.len)
			emit(ctx, "option", "time_buckets", b.p, b.len);
	}
	if (a->maptext.len)
		emit(ctx, "option", "map", a->maptext.p, a->maptext.len);
	if (a->o.tz_name)
		emit(ctx, "option", "tz", a->o.tz_name, strlen(a->o.tz_name));
	if (a->o.sort)
		emit(ctx, "option", "sort", "1", 1);
	if (a->o.format != JT_FMT_CSV) {
		static const char *const fn[] = { "csv", "tsv", "md", "json", "html" };
		emit(ctx, "option", "format", fn[a->o.format], strlen(fn[a->o.format]));
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		jt_buf_reset(&b);
		if (k->kind == K_QUANT && k->median)
			jt_buf_adds(&b, "median");
		else if (k->kind == K_QUANT)
			jt_buf_printf(&b, "p%d", k->q);
		else
			jt_buf_adds(&b, kind_name[k->kind]);
		if (k->has_col) {
			jt_buf_addc(&b, ':');
			jt_buf_adds(&b, k->colname);
		}
		emit(ctx, "kpi", k->name, b.p, b.len);
	}
	jt_buf_free(&b);
}

struct pemit {
	struct jt_writer *w;
	size_t ng;
};

static void partial_emit(void *ctx, const char *type, const char *name, const char *val, size_t vlen)
{
	struct pemit *pe = ctx;
	prow(pe->w, type, NULL, pe->ng, name, val, vlen);
}

static void write_partial(struct jt_agg *a, FILE *fp)
{
	struct jt_writer w;
	struct jt_buf b = JT_BUF_INIT;
	jt_writer_init(&w, fp);
	jt_w_str(&w, "jkpi_partial");
	jt_w_str(&w, "type");
	for (size_t i = 0; i < a->ng; i++)
		jt_w_field(&w, a->gname[i], a->gnlen[i]);
	jt_w_str(&w, "name");
	jt_w_str(&w, "value");
	jt_w_end(&w);
	if (a->o.shard_n)
		write_shard_id(a, &w);
	struct pemit pe = { &w, a->ng };
	emit_head(a, partial_emit, &pe);
	for (size_t g = 0; g < a->groups.n; g++) {
		const char *key = a->groups.ent[g].key;
		prow(&w, "group", key, a->ng, "", "", 0);
		for (size_t i = 0; i < a->nk; i++) {
			state_string(&a->k[i], &a->st[g * a->nk + i], &b);
			prow(&w, "state", key, a->ng, a->k[i].name, b.p, b.len);
		}
	}
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		for (size_t e = 0; e < k->set.n; e++) {
			uint32_t gid;
			memcpy(&gid, k->set.ent[e].key, sizeof gid);
			prow(&w, "value", a->groups.ent[gid].key, a->ng, k->name, k->set.ent[e].key + sizeof gid,
			     k->set.ent[e].len - sizeof gid);
		}
	}
	for (size_t e = 0; e < a->per.n; e++) {
		uint32_t gid;
		memcpy(&gid, a->per.ent[e].key, sizeof gid);
		prow(&w, "per", a->groups.ent[gid].key, a->ng, "", a->per.ent[e].key + sizeof gid,
		     a->per.ent[e].len - sizeof gid);
	}
	jt_buf_free(&b);
}

/* ---------- merge ---------- */

/* Names the first line where this partial's options differ from the first's. */
static _Noreturn void options_differ(struct jt_agg *a, const char *src)
{
	const char *x = a->m_ref_opts.p ? a->m_ref_opts.p : "", *y = a->m_opts.p ? a->m_opts.p : "";
	char diff[512];
	jt_lines_diff(x, a->m_ref_opts.len, y, a->m_opts.len, a->first_src, diff, sizeof diff);
	jt_die_at(src, 1, "partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): %s", diff);
}

/* The first partial's options become the reference; every later one must match. */
static void check_options(struct jt_agg *a, const char *src)
{
	const char *o = a->m_opts.p ? a->m_opts.p : "";
	if ((!strncmp(o, "per=", 4) || strstr(o, "\nper=")) && !strstr(o, "\nper_rows="))
		jt_die_at(src, 1, "a partial with --per from an older jkpi (it took each key's first row for every KPI): make it again");
	if (!a->m_have_ref) {
		a->m_have_ref = 1;
		jt_buf_add(&a->m_ref_opts, a->m_opts.p ? a->m_opts.p : "", a->m_opts.len);
	} else if (a->m_opts.len != a->m_ref_opts.len ||
		   memcmp(a->m_opts.p ? a->m_opts.p : "", a->m_ref_opts.p ? a->m_ref_opts.p : "", a->m_opts.len)) {
		options_differ(a, src);
	}
}

/* "'x,y' there, 'x,z' here": the group columns of two partials' headers. */
static const char *group_diff(const struct jt_header *first, const struct jt_header *h)
{
	static char msg[512];
	struct jt_buf b[2] = { JT_BUF_INIT, JT_BUF_INIT };
	for (int s = 0; s < 2; s++) {
		const struct jt_header *x = s ? h : first;
		for (size_t i = 2; i + 2 < x->n; i++) {
			if (i > 2)
				jt_buf_addc(&b[s], ',');
			jt_buf_add(&b[s], x->name[i], x->len[i]);
		}
		jt_buf_addc(&b[s], '\0');
	}
	char there[200];
	snprintf(there, sizeof there, "%s", b[0].p[0] ? jt_show(b[0].p, b[0].len - 1) : "");
	snprintf(msg, sizeof msg, "%s%s%s there, %s%s%s here", there[0] ? "'" : "", there[0] ? there : "nothing",
		 there[0] ? "'" : "", b[1].p[0] ? "'" : "", b[1].p[0] ? jt_show(b[1].p, b[1].len - 1) : "nothing",
		 b[1].p[0] ? "'" : "");
	jt_buf_free(&b[0]);
	jt_buf_free(&b[1]);
	return msg;
}

static void merge_header(struct jt_agg *a, const char *src, const struct jt_header *h)
{
	if (h->n < 4 || h->len[0] != 12 || memcmp(h->name[0], "jkpi_partial", 12) != 0 ||
	    strcmp(h->name[1], "type") != 0 || strcmp(h->name[h->n - 2], "name") != 0 ||
	    strcmp(h->name[h->n - 1], "value") != 0)
		jt_die_at(src, 1, "not a jkpi partial (make one with jkpi --partial)");
	a->m_src = src;
	if (!a->hdr) {
		a->hdr = jt_header_copy(h);
		a->first_src = jt_xstrdup(src);
		a->ng = h->n - 4;
		a->gname = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gname);
		a->gnlen = jt_xcalloc(a->ng ? a->ng : 1, sizeof *a->gnlen);
		for (size_t i = 0; i < a->ng; i++) {
			a->gname[i] = jt_xmemdup(h->name[i + 2], h->len[i + 2]);
			a->gnlen[i] = h->len[i + 2];
		}
		a->gbucket = jt_xcalloc(a->ng ? a->ng : 1, 1);
	} else if (!jt_header_equal(a->hdr, h)) {
		jt_die_at(src, 1, "partial groups by other columns than %s: %s", a->first_src, group_diff(a->hdr, h));
	}
	jt_shards_begin(a->m_shards);
	/* a new partial starts: the previous one's options must match the first's */
	if (a->m_opts.len || a->m_kpi_seen)
		check_options(a, src);
	jt_buf_reset(&a->m_opts);
	a->m_checked = 0;
	if (a->nk)
		a->m_defined = 1;
	a->m_kpi_seen = 0;
}

static long find_kpi(struct jt_agg *a, const char *name)
{
	for (size_t i = 0; i < a->nk; i++)
		if (strcmp(a->k[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	char tmp[32];
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return jt_parse_size(tmp, v);
}

static int merge_state(struct kpi *k, struct kst *s, const char *v, size_t vlen)
{
	struct kst in;
	memset(&in, 0, sizeof in);
	int have_min = 0, have_max = 0, have_sq = 0;
	const char *p = v, *end = v + vlen;
	while (p < end) {
		const char *semi = memchr(p, ';', (size_t)(end - p)), *e = semi ? semi : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		if (!eq)
			return -1;
		size_t kl = (size_t)(eq - p), vl = (size_t)(e - eq - 1);
		const char *val = eq + 1;
		char key[16];
		if (kl >= sizeof key)
			return -1;
		memcpy(key, p, kl);
		key[kl] = '\0';
		int rc = 0;
		if (!strcmp(key, "n"))
			rc = parse_u64(val, vl, &in.n);
		else if (!strcmp(key, "missing"))
			rc = parse_u64(val, vl, &in.missing);
		else if (!strcmp(key, "promoters") || !strcmp(key, "satisfied") || !strcmp(key, "hits") ||
			 !strcmp(key, "low_effort"))
			rc = parse_u64(val, vl, &in.c1);
		else if (!strcmp(key, "passives"))
			rc = parse_u64(val, vl, &in.c2);
		else if (!strcmp(key, "detractors"))
			rc = parse_u64(val, vl, &in.c3);
		else if (!strcmp(key, "sum"))
			rc = jt_dec_parse_exact(val, vl, &in.sum) ? -1 : 0;
		else if (!strcmp(key, "sumsq") && (k->kind == K_MEAN || k->kind == K_CES)) {
			rc = i128_parse(val, vl, &in.sumsq);
			have_sq = 1;
		}
		else if (!strcmp(key, "min")) {
			rc = jt_dec_parse(val, vl, &in.min) ? -1 : 0;
			have_min = 1;
		} else if (!strcmp(key, "max")) {
			rc = jt_dec_parse(val, vl, &in.max) ? -1 : 0;
			have_max = 1;
		} else if (!strcmp(key, "zero") || !strcmp(key, "pos") || !strcmp(key, "neg")) {
			if (k->kind != K_QUANT)
				return -1;
			if (!s->sk)
				s->sk = jt_xcalloc(1, sizeof *s->sk);
			rc = jt_sketch_decode_item(s->sk, key, val, vl);
		} else
			return -1;
		if (rc)
			return -1;
		p = semi ? semi + 1 : end;
	}
	if (k->kind == K_QUANT && !s->sk)
		s->sk = jt_xcalloc(1, sizeof *s->sk);
	if ((k->kind == K_MIN || k->kind == K_MAX || k->kind == K_QUANT) && in.n && (!have_min || !have_max))
		return -1;
	if (in.n && (s->n == 0 || in.min < s->min))
		s->min = in.min;
	if (in.n && (s->n == 0 || in.max > s->max))
		s->max = in.max;
	if (k->kind != K_DISTINCT)
		s->n += in.n;
	s->missing += in.missing;
	s->c1 += in.c1;
	s->c2 += in.c2;
	s->c3 += in.c3;
	if (__builtin_add_overflow(s->sum, in.sum, &s->sum))
		return -2;
	if (in.n && !have_sq)	/* an older partial: no variance */
		s->sq_bad = 1;
	if (!s->sq_bad && __builtin_add_overflow(s->sumsq, in.sumsq, &s->sumsq))
		s->sq_bad = 1;
	return 0;
}

static void merge_row(struct jt_agg *a, const char *src, const struct jt_record *rec, struct jt_rejects *rj)
{
	size_t ng = a->ng;
	const char *type = rec->f[1], *name = rec->f[ng + 2], *val = rec->f[ng + 3];
	size_t vlen = rec->len[ng + 3];
	(void)rj;
	if (strcmp(rec->f[0], "jkpi_partial") == 0 && strcmp(type, "type") == 0) {
		struct jt_header h = { rec->n, (char **)rec->f, (size_t *)rec->len };
		merge_header(a, src, &h);	/* concatenated partials */
		return;
	}
	if (strcmp(rec->f[0], PARTIAL_VERSION) != 0)
		jt_die_at(src, rec->line, "partial format version '%s' is not supported (this jkpi reads version %s)",
			  jt_show(rec->f[0], rec->len[0]), PARTIAL_VERSION);
	if (jt_shards_row(a->m_shards, src, rec->line, type, val, vlen))
		return;
	if (!strcmp(type, "option")) {
		if (!strcmp(name, "sort")) {
			if (!a->o.sort_given)
				a->o.sort = 1;
			return;
		}
		if (!strcmp(name, "format")) {
			int f = jt_format_from_name(val);
			if (f < 0)
				jt_die_at(src, rec->line, "unknown format '%s' in partial", jt_show(val, vlen));
			if (!a->o.format_given)
				a->o.format = (enum jt_format)f;
			return;
		}
		jt_buf_printf(&a->m_opts, "%s=%s\n", name, val);
		if (a->m_defined)
			return;
		if (!strcmp(name, "csat"))
			a->o.csat = !strcmp(val, "good-bad") ? JT_CSAT_GOODBAD : JT_CSAT_TOP2;
		else if (!strcmp(name, "per"))
			a->per_name = jt_xstrdup(val);
		else if (!strcmp(name, "per_rows")) {
			if (strcmp(val, PER_ROWS) != 0)
				jt_die_at(src, rec->line, "unknown per_rows rule '%s' in partial (this jkpi knows %s)",
					  jt_show(val, vlen), PER_ROWS);
		}
		else if (!strcmp(name, "pivot")) {
			a->pivot_name = jt_xstrdup(val);
			for (size_t i = 0; i < ng; i++)
				if (strcmp(a->gname[i], val) == 0)
					a->pivot_g = (long)i;
			if (a->pivot_g < 0)
				jt_die_at(src, rec->line, "pivot column '%s' is not among the partial's groups", jt_show(val, vlen));
		} else if (!strcmp(name, "pivot_order"))
			a->o.pivot_order = jt_xstrdup(val);
		else if (!strcmp(name, "time_buckets")) {
			for (const char *p = val; *p;) {
				char *end;
				unsigned long c = strtoul(p, &end, 10);
				if (end == p || c < 1 || c > ng || (*end && *end != ','))
					jt_die_at(src, rec->line, "bad time_buckets '%s' in partial (group column numbers)",
						  jt_show(val, vlen));
				a->gbucket[c - 1] = 1;
				p = *end ? end + 1 : end;
			}
		}
		else if (!strcmp(name, "map"))	/* applied before the state was made: must only match, */
			jt_buf_adds(&a->maptext, val);	/* and a state of the merge (--history) says it again */
		else if (!strcmp(name, "tz"))
			a->o.tz_name = a->m_tz = jt_xstrdup(val);
		else
			jt_die_at(src, rec->line, "unknown option '%s' in partial", jt_show(name, strlen(name)));
		return;
	}
	if (!strcmp(type, "kpi")) {
		jt_buf_printf(&a->m_opts, "kpi %s=%s\n", name, val);
		if (a->m_defined) {
			a->m_kpi_seen++;
			return;
		}
		size_t cap = a->nk;
		add_kpi(a, val, &cap);
		struct kpi *k = &a->k[a->nk - 1];
		k->name = jt_xstrdup(name);
		k->duration = k->colname && ends_with_s(k->colname, strlen(k->colname));
		a->pv = jt_xrealloc(a->pv, a->nk * sizeof *a->pv);
		a->m_kpi_seen++;
		return;
	}
	if (!a->nk)
		jt_die_at(src, rec->line, "partial has no kpi rows before its groups");
	if (!a->m_checked) {	/* its options are all read: they must be the first partial's */
		a->m_checked = 1;
		check_options(a, src);
	}
	a->m_defined = 1;
	jt_buf_reset(&a->key);
	for (size_t i = 0; i < ng; i++)
		key_add(&a->key, rec->f[2 + i], rec->len[2 + i]);
	size_t g = group_id(a, a->key.p ? a->key.p : "", a->key.len);
	if (!strcmp(type, "group"))
		return;
	if (!strcmp(type, "state")) {
		long ki = find_kpi(a, name);
		if (ki < 0)
			jt_die_at(src, rec->line, "state for unknown KPI '%s'", jt_show(name, strlen(name)));
		int m = merge_state(&a->k[ki], &a->st[g * a->nk + (size_t)ki], val, vlen);
		if (m == -2)
			jt_die_at(src, rec->line, "KPI '%s': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)", name);
		if (m != 0)
			jt_die_at(src, rec->line, "bad state '%s' for KPI '%s'", jt_show(val, vlen), name);
		return;
	}
	if (!strcmp(type, "value")) {
		long ki = find_kpi(a, name);
		if (ki < 0 || a->k[ki].kind != K_DISTINCT)
			jt_die_at(src, rec->line, "value row for '%s', which is not a distinct KPI", jt_show(name, strlen(name)));
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, val, vlen);
		jt_map_put(&a->k[ki].set, a->tmp.p, a->tmp.len, 0, &isnew);
		a->st[g * a->nk + (size_t)ki].n += (uint64_t)isnew;
		return;
	}
	if (!strcmp(type, "per")) {
		int isnew;
		uint32_t gid = (uint32_t)g;
		jt_buf_reset(&a->tmp);
		jt_buf_add(&a->tmp, &gid, sizeof gid);
		jt_buf_add(&a->tmp, val, vlen);
		jt_map_put(&a->per, a->tmp.p, a->tmp.len, 0, &isnew);
		if (!isnew)
			jt_die_at(src, rec->line,
				  "%s '%s' is counted in the same group by two partials (split the input by %s, e.g. jtouch --shard)",
				  a->per_name ? a->per_name : "per key", jt_show(val, vlen),
				  a->per_name ? a->per_name : "that column");
		return;
	}
	jt_die_at(src, rec->line, "unknown partial row type '%s'", jt_show(type, rec->len[1]));
}

/* ---------- entry points ---------- */

void jt_agg_finish(struct jt_agg *a)
{
	if (a->finished)
		return;
	a->finished = 1;
	if (a->o.per && !a->o.merge)
		per_missing(a);
}

void jt_agg_write(struct jt_agg *a, FILE *fp)
{
	if (a->o.merge)
		jt_shards_finish(a->m_shards);	/* --expect: no shard missing */
	if (!a->saw_header) {
		/* empty input: no output, but JSON readers get an empty array */
		if (a->o.format == JT_FMT_JSON && !a->o.partial)
			fputs("[]\n", fp);
		return;
	}
	if (a->o.merge && (a->m_have_ref || a->m_opts.len))
		check_options(a, a->m_src);	/* the last partial read */
	jt_agg_finish(a);
	if (a->o.partial) {
		write_partial(a, fp);
		return;
	}
	if (a->pivot_g >= 0 && a->nk > 1 && a->o.format != JT_FMT_HTML)	/* --merge: -k came from the partials */
		jt_die("--pivot with %zu KPIs shows them in --format html only (one heatmap each)", a->nk);
	if (a->ng == 0 && a->groups.n == 0)
		group_id(a, "", 0);	/* no -g: one row, even for a header-only input */
	if (a->pivot_g >= 0)
		write_pivot(a, fp);
	else
		write_long(a, fp);
}

void jt_agg_free(struct jt_agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nk; i++) {
		struct kpi *k = &a->k[i];
		free(k->name);
		free(k->given);
		free(k->spec);
		free(k->colname);
		jt_colsel_free(&k->cs);
		jt_map_free(&k->set);
	}
	for (size_t g = 0; g < a->groups.n * a->nk; g++) {
		free(a->st[g].v);
		if (a->st[g].sk) {
			jt_sketch_free(a->st[g].sk);
			free(a->st[g].sk);
		}
	}
	for (size_t i = 0; i < a->ng && a->gname; i++)
		free(a->gname[i]);
	free(a->gname);
	free(a->gnlen);
	free(a->gbucket);
	free(a->gcols);
	free(a->k);
	free(a->pv);
	free(a->st);
	free(a->per_name);
	free(a->pivot_name);
	jt_map_free(&a->rowrank);
	for (size_t i = 0; i < a->nvm; i++) {
		struct vmap *m = &a->vm[i];
		for (size_t k = 0; k < m->n; k++) {
			free(m->key[k]);
			free(m->val[k]);
		}
		free(m->key);
		free(m->val);
		free(m->colspec);
		jt_colsel_free(&m->cs);
	}
	free(a->vm);
	free(a->colmap);
	jt_buf_free(&a->maptext);
	free(a->first_src);
	free(a->m_tz);
	if (a->o.merge)
		free((char *)a->o.pivot_order);
	jt_header_free(a->hdr);
	jt_colsel_free(&a->gsel);
	jt_colsel_free(&a->xsel);
	jt_map_free(&a->groups);
	jt_map_free(&a->per);
	free(a->per_done);
	jt_buf_free(&a->key);
	jt_buf_free(&a->tmp);
	jt_buf_free(&a->last);
	free(a->tk);
	jt_buf_free(&a->tkbytes);
	pspill_free(a->ps);
	jt_buf_free(&a->m_opts);
	jt_buf_free(&a->m_ref_opts);
	jt_shards_free(a->m_shards);
	free(a);
}


/* ---------- read access: --baseline and --history (lib/baseline.c) ---------- */

size_t jt_agg_nkpi(const struct jt_agg *a)
{
	return a->nk;
}

const char *jt_agg_kpi_name(const struct jt_agg *a, size_t i)
{
	return a->k[i].name;
}

enum jt_test jt_agg_kpi_test(const struct jt_agg *a, size_t i)
{
	switch (a->k[i].kind) {
	case K_NPS: return JT_TEST_NPS;
	case K_CSAT:
	case K_RATE: return JT_TEST_PROP;
	case K_MEAN:
	case K_CES: return JT_TEST_MEAN;
	case K_QUANT: return JT_TEST_QUANT;
	default: return JT_TEST_NONE;
	}
}

int jt_agg_kpi_decimals(const struct jt_agg *a, size_t i)
{
	const struct kpi *k = &a->k[i];
	switch (k->kind) {
	case K_NPS:
	case K_CSAT:
	case K_RATE: return 2;
	case K_MEAN: return k->duration ? 0 : 4;
	case K_CES: return 4;
	case K_COUNT:
	case K_DISTINCT: return 0;
	default: return -1;	/* as the figures have them */
	}
}

size_t jt_agg_ngroupcols(const struct jt_agg *a)
{
	return a->ng;
}

const char *jt_agg_groupcol(const struct jt_agg *a, size_t i, size_t *len)
{
	*len = a->gnlen[i];
	return a->gname[i];
}

size_t jt_agg_ncells(struct jt_agg *a)
{
	jt_agg_finish(a);
	if (a->ng == 0 && a->groups.n == 0 && a->saw_header)
		group_id(a, "", 0);	/* no -g: one cell */
	return a->groups.n;
}

const char *jt_agg_cell_key(const struct jt_agg *a, size_t g, size_t *len)
{
	*len = a->groups.ent[g].len;
	return a->groups.ent[g].key;
}

void jt_agg_cell_order(const struct jt_agg *a, size_t *ids)
{
	for (size_t g = 0; g < a->groups.n; g++)
		ids[g] = g;
	if (!a->ng)
		return;
	size_t *cols = jt_xmalloc(a->ng * sizeof *cols);
	for (size_t i = 0; i < a->ng; i++)
		cols[i] = i;
	sort_ids(a, &a->groups, ids, a->groups.n, cols, a->ng, a->gbucket);
	free(cols);
}

void jt_agg_cell(struct jt_agg *a, size_t g, size_t ki, struct jt_cellstat *cs)
{
	struct kst *s = &a->st[g * a->nk + ki];
	fig_t f[8];
	memset(cs, 0, sizeof *cs);
	figures(&a->k[ki], s, f);
	memcpy(cs->fig, f[0], sizeof cs->fig);
	cs->n = s->n;
	cs->c1 = s->c1;
	cs->c3 = s->c3;
	cs->sum = (long double)s->sum / (long double)JT_DEC_SCALE;
	cs->sumsq = (long double)s->sumsq / ((long double)JT_DEC_SCALE * (long double)JT_DEC_SCALE);
	cs->has_sq = (a->k[ki].kind == K_MEAN || a->k[ki].kind == K_CES) && !s->sq_bad;
}

static void sig_emit(void *ctx, const char *type, const char *name, const char *val, size_t vlen)
{
	struct jt_buf *b = ctx;
	if (!strcmp(type, "kpi"))
		jt_buf_printf(b, "kpi %s=%.*s\n", name, (int)vlen, val);
	else if (strcmp(name, "sort") && strcmp(name, "format"))
		jt_buf_printf(b, "%s=%.*s\n", name, (int)vlen, val);
}

void jt_agg_signature(struct jt_agg *a, struct jt_buf *b)
{
	jt_buf_reset(b);
	if (!a->o.merge)
		emit_head(a, sig_emit, b);
	else if (a->m_have_ref)
		jt_buf_add(b, a->m_ref_opts.p ? a->m_ref_opts.p : "", a->m_ref_opts.len);
	else
		jt_buf_add(b, a->m_opts.p ? a->m_opts.p : "", a->m_opts.len);
}

void jt_agg_set_trend(struct jt_agg *a, const char *(*fn)(void *, const char *, size_t, size_t), void *ctx,
		      const char *note)
{
	a->o.html.trend_note = note;
	a->trend = fn;
	a->trend_ctx = ctx;
}

void jt_agg_write_state(struct jt_agg *a, FILE *fp)
{
	jt_agg_finish(a);
	write_partial(a, fp);
}
