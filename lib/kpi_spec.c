/* kpi_spec.c — jkpi's specs and options: -k's KPIs, --map, the engine made
 * from them (jt_agg_new). */
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
#include "kpi_int.h"

const char *const kpi_kind_name[] = { "count", "distinct", "sum", "mean", "min", "max", "p",
				       "nps", "csat", "ces", "rate" };

/* ---------- specs ---------- */

static int parse_kind(struct kpi *k, const char *s, size_t n)
{
	for (int i = 0; i <= K_RATE; i++) {
		if (i == K_QUANT)
			continue;
		if (strlen(kpi_kind_name[i]) == n && memcmp(s, kpi_kind_name[i], n) == 0) {
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

void kpi_add_kpi(struct jt_agg *a, const char *item, size_t *cap)
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
			kpi_add_kpi(a, item.p, &cap);
			jt_buf_reset(&item);
			if (*p == '\0')
				break;
			continue;
		}
		jt_buf_addc(&item, *p);
	}
	jt_buf_free(&item);
}

int kpi_ends_with_s(const char *s, size_t n)
{
	return n >= 2 && s[n - 2] == '_' && s[n - 1] == 's';
}

void kpi_name_kpi(struct kpi *k, const char *col, size_t clen)
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
			jt_buf_adds(&b, kpi_kind_name[k->kind]);
		jt_buf_addc(&b, '_');
		jt_buf_add(&b, col, clen);
	}
	k->name = b.p;
	k->duration = col && kpi_ends_with_s(col, clen);
}


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
	struct jt_agg *a = jt_xcalloc_own(sizeof *a);	/* a part's, written by its thread */
	a->o = *o;
	a->pivot_g = -1;
	if (o->row_order)
		kpi_list_put(&a->rowrank, o->row_order);
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
