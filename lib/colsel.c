/* colsel.c — parse and resolve column lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_mem.h"
#include "jt_rx.h"

enum kind { NAME, INDEX, RANGE, REGEX };

struct jt_colsel_item {
	enum kind kind;
	char *name;	/* NAME: unescaped; REGEX: the text as written, for messages */
	size_t nlen;
	size_t a, b;	/* INDEX a; RANGE a..b (b = 0: to the last column) */
	struct jt_rx *rx;
	enum jt_bucket bucket;
};

static int parse_num(const char **p, size_t *v)
{
	size_t x = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (x > 100000000)
			return -1;
		x = x * 10 + (size_t)(*s - '0');
	}
	*p = s;
	*v = x;
	return 0;
}

void jt_colsel_parse(struct jt_colsel *cs, const char *opt, const char *list, int flags)
{
	const char *p = list;
	size_t cap = 0;

	memset(cs, 0, sizeof *cs);
	cs->opt = opt;
	if (!*list)
		jt_usage_error("%s: empty column list", opt);
	for (;;) {
		struct jt_colsel_item it;
		memset(&it, 0, sizeof it);

		if (flags & JT_COLSEL_BUCKETS) {
			const char *colon = strchr(p, ':');
			if (colon) {
				enum jt_bucket b = jt_bucket_from_name(p, (size_t)(colon - p));
				if (b != JT_BUCKET_NONE) {
					it.bucket = b;
					p = colon + 1;
				}
			}
		}
		if (*p == '#') {
			const char *q = p + 1;
			if (parse_num(&q, &it.a) != 0)
				jt_usage_error("%s: invalid column list '%s': '#' needs a column number", opt, list);
			if (it.a == 0)
				jt_usage_error("%s: invalid column list '%s': column numbers start at 1", opt, list);
			it.kind = INDEX;
			if (*q == '-') {
				q++;
				it.kind = RANGE;
				if (*q == '#')
					q++;
				if (*q >= '0' && *q <= '9') {
					if (parse_num(&q, &it.b) != 0 || it.b == 0)
						jt_usage_error("%s: invalid column list '%s': column numbers start at 1", opt, list);
				}
			}
			if (*q != ',' && *q != '\0')
				jt_usage_error("%s: invalid column list '%s' at '%s'", opt, list, q);
			p = q;
		} else if (*p == '/') {
			const char *q = p + 1;
			struct jt_buf re = JT_BUF_INIT;
			for (; *q && *q != '/'; q++) {
				if (*q == '\\' && q[1] == '/') {
					q++;
				} else if (*q == '\\' && q[1]) {
					jt_buf_addc(&re, *q++);
				}
				jt_buf_addc(&re, *q);
			}
			if (*q != '/')
				jt_usage_error("%s: invalid column list '%s': regex without closing '/'", opt, list);
			q++;
			int ci = 0;
			if (*q == 'i') {
				ci = 1;
				q++;
			}
			if (*q != ',' && *q != '\0')
				jt_usage_error("%s: invalid column list '%s' at '%s'", opt, list, q);
			char err[300];
			it.kind = REGEX;
			it.rx = jt_rx_new(re.p ? re.p : "", re.len, ci, err, sizeof err);
			it.name = jt_xmemdup(p, (size_t)(q - p));
			if (!it.rx)
				jt_usage_error("%s: invalid regex '%s': %s", opt, it.name, err);
			jt_buf_free(&re);
			p = q;
		} else {
			struct jt_buf nm = JT_BUF_INIT;
			const char *q = p;
			if (*q == '\\' && (q[1] == '#' || q[1] == '/'))
				q++;
			for (; *q && *q != ','; q++) {
				if (*q == '\\' && (q[1] == ',' || q[1] == '\\'))
					q++;
				jt_buf_addc(&nm, *q);
			}
			if (nm.len == 0)
				jt_usage_error("%s: invalid column list '%s': empty column name (use #N for a column without a name)", opt, list);
			it.kind = NAME;
			it.name = nm.p;
			it.nlen = nm.len;
			p = q;
		}
		void *v = cs->it;
		jt_xgrow(&v, &cap, cs->n + 1, sizeof *cs->it);
		cs->it = v;
		cs->it[cs->n++] = it;
		if (*p == '\0')
			break;
		p++;	/* ',' */
		if (*p == '\0')
			jt_usage_error("%s: invalid column list '%s': trailing comma", opt, list);
	}
	if ((flags & JT_COLSEL_ONE) && (cs->n != 1 || cs->it[0].kind == RANGE || cs->it[0].kind == REGEX))
		jt_usage_error("%s: '%s' must name one column", opt, list);
}

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t *row = jt_xmalloc((m + 1) * sizeof *row), i, j;
	for (j = 0; j <= m; j++)
		row[j] = j;
	for (i = 1; i <= n; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= m; j++) {
			size_t cur = row[j];
			size_t best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	size_t d = row[m];
	free(row);
	return d;
}

#define SHOW_COLS 50

/* A header read as one column whose name holds ',' ';' a tab or '|' (the one
 * it holds most of, as -d auto counts them) was split at the wrong delimiter:
 * that delimiter as the -d argument that reads it, else NULL. */
static const char *one_column_delim(const struct jt_header *h)
{
	static const char cand[] = ",;\t|";
	static const char *const arg[] = { "','", "';'", "tab", "'|'" };
	size_t most = 0;
	const char *best = NULL;
	int tie = 0;
	if (h->n != 1)
		return NULL;
	for (size_t c = 0; c < sizeof cand - 1; c++) {
		size_t k = 0;
		for (size_t i = 0; i < h->len[0]; i++)
			k += h->name[0][i] == cand[c];
		if (k > most) {
			most = k;
			best = arg[c];
			tie = 0;
		} else if (k && k == most) {
			tie = 1;	/* -d auto cannot tell either */
		}
	}
	return tie ? NULL : best;
}

static _Noreturn void unknown_as(const struct jt_header *h, const char *name, size_t nlen, const char *shown,
				   const char *src)
{
	struct jt_buf b = JT_BUF_INIT;
	size_t best = (size_t)-1, bi = 0;
	const char *enc = "";
	for (size_t i = 0; i < h->n; i++) {
		if (!*enc && !jt_utf8_valid(h->name[i], h->len[i]))	/* a Latin-1 export read as UTF-8 */
			enc = " (the header is not UTF-8: give --encoding latin1, or --encoding auto)";
		/* one line a person can read: the first SHOW_COLS names, each cut short */
		if (i < SHOW_COLS) {
			jt_buf_adds(&b, i ? ", " : "");
			jt_buf_adds(&b, jt_show(h->name[i], h->len[i]));
		} else if (i == SHOW_COLS) {
			jt_buf_printf(&b, ", ... (%zu columns in all)", h->n);
		}
		size_t d = edit_distance(name, nlen, h->name[i], h->len[i]);
		if (d < best) {
			best = d;
			bi = i;
		}
	}
	const char *delim = one_column_delim(h);
	if (delim) {	/* a ';' export read with ',': its one column is no near miss */
		jt_die_at(src, 1, "no column named %s (columns: %s) (one column, whose name holds %s: give -d %s, or -d auto)%s",
			  shown, b.p ? b.p : "", delim, delim, enc);
	}
	if (best <= 2 && h->n)
		jt_die_at(src, 1, "no column named %s (columns: %s); did you mean '%s'?%s", shown, b.p ? b.p : "",
			  jt_show(h->name[bi], h->len[bi]), enc);
	jt_die_at(src, 1, "no column named %s (columns: %s)%s", shown, b.p ? b.p : "", enc);
}

static _Noreturn void unknown(const struct jt_header *h, const char *name, size_t nlen, const char *src)
{
	char shown[4096];
	snprintf(shown, sizeof shown, "'%s'", name);
	unknown_as(h, name, nlen, shown, src);
}

void jt_cols_unknown(const struct jt_header *h, const char *const *names, size_t n, const char *src)
{
	struct jt_buf b = JT_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		jt_buf_printf(&b, "%s'%s'", i == 0 ? "" : i + 1 == n ? " or " : ", ", jt_show(names[i], strlen(names[i])));
	char shown[4096];
	snprintf(shown, sizeof shown, "%s", b.p ? b.p : "''");
	jt_buf_free(&b);
	unknown_as(h, names[0], strlen(names[0]), shown, src);
}

/* by_index: the name came from a column list, where #N works instead */
static size_t find_name(const struct jt_header *h, const char *name, size_t nlen, const char *src, int by_index)
{
	size_t found = (size_t)-1;
	for (size_t i = 0; i < h->n; i++) {
		if (h->len[i] == nlen && memcmp(h->name[i], name, nlen) == 0) {
			if (found != (size_t)-1 && by_index)
				jt_die_at(src, 1, "column name '%s' is ambiguous (columns #%zu and #%zu); use #%zu or #%zu",
					  name, found + 1, i + 1, found + 1, i + 1);
			if (found != (size_t)-1)
				jt_die_at(src, 1, "column name '%s' is ambiguous (columns #%zu and #%zu); rename one of them",
					  name, found + 1, i + 1);
			found = i;
		}
	}
	if (found == (size_t)-1)
		unknown(h, name, nlen, src);
	return found;
}

long jt_col_find(const struct jt_header *h, const char *name)
{
	return jt_col_find_next(h, name, 0);
}

long jt_col_find_next(const struct jt_header *h, const char *name, size_t from)
{
	size_t n = strlen(name);
	for (size_t i = from; i < h->n; i++)
		if (h->len[i] == n && memcmp(h->name[i], name, n) == 0)
			return (long)i;
	return -1;
}

size_t jt_col_by_name(const struct jt_header *h, const char *name, const char *src)
{
	return find_name(h, name, strlen(name), src, 0);
}

static void add(struct jt_col **out, size_t *n, size_t *cap, size_t idx, enum jt_bucket b)
{
	void *p = *out;
	jt_xgrow(&p, cap, *n + 1, sizeof **out);
	*out = p;
	(*out)[*n].idx = idx;
	(*out)[*n].bucket = b;
	(*n)++;
}

size_t jt_colsel_resolve(const struct jt_colsel *cs, const struct jt_header *h, const char *src,
			 struct jt_col **out)
{
	size_t n = 0, cap = 0;
	*out = NULL;
	for (size_t k = 0; k < cs->n; k++) {
		const struct jt_colsel_item *it = &cs->it[k];
		switch (it->kind) {
		case NAME:
			add(out, &n, &cap, find_name(h, it->name, it->nlen, src, 1), it->bucket);
			break;
		case INDEX:
			if (it->a > h->n)
				jt_die_at(src, 1, "%s: column #%zu does not exist (the input has %zu columns)", cs->opt,
					  it->a, h->n);
			add(out, &n, &cap, it->a - 1, it->bucket);
			break;
		case RANGE: {
			size_t a = it->a, b = it->b ? it->b : h->n;
			if (a > h->n || b > h->n)
				jt_die_at(src, 1, "%s: column #%zu does not exist (the input has %zu columns)", cs->opt,
					  a > h->n ? a : b, h->n);
			if (a <= b)
				for (size_t i = a; i <= b; i++)
					add(out, &n, &cap, i - 1, it->bucket);
			else
				for (size_t i = a; i >= b; i--)
					add(out, &n, &cap, i - 1, it->bucket);
			break;
		}
		case REGEX: {
			size_t before = n;
			for (size_t i = 0; i < h->n; i++) {
				char err[256];
				int m = jt_rx_match(it->rx, h->name[i], h->len[i], err, sizeof err);
				if (m < 0)
					jt_die_at(src, 1, "%s: regex '%s': %s", cs->opt, it->name, err);
				if (m)
					add(out, &n, &cap, i, it->bucket);
			}
			if (n == before)
				jt_die_at(src, 1, "%s: regex '%s' matches no column", cs->opt, it->name);
			break;
		}
		}
	}
	return n;
}

size_t jt_colsel_exclude(const struct jt_colsel *x, const struct jt_header *h, const char *src,
			 struct jt_col *cols, size_t n)
{
	struct jt_col *ex;
	size_t nx = jt_colsel_resolve(x, h, src, &ex), k = 0;
	for (size_t i = 0; i < n; i++) {
		int drop = 0;
		for (size_t j = 0; j < nx; j++)
			if (ex[j].idx == cols[i].idx)
				drop = 1;
		if (!drop)
			cols[k++] = cols[i];
	}
	free(ex);
	return k;
}

void jt_colsel_free(struct jt_colsel *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->it[i].name);
		jt_rx_free(cs->it[i].rx);
	}
	free(cs->it);
	cs->it = NULL;
	cs->n = 0;
}
