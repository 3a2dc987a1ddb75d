/* rules.c — rules files: parsed once, patterns compiled once, matched per row. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_csv.h"
#include "jt_err.h"
#include "jt_hash.h"
#include "jt_mem.h"
#include "jt_paths.h"
#include "jt_rules.h"
#include "jt_rx.h"

struct rule {
	size_t label;
	char *col;
	long idx;	/* column in the bound header, -1 absent */
	struct jt_rx *rx;
	unsigned line;
};

struct attr {
	char *label;	/* resolved against the rules' labels when asked */
	char *key, *val;
	unsigned line;
	size_t col;
};

struct jt_rules {
	char *name;
	char **label;
	size_t nlabel;
	struct rule *rule;
	size_t nrule;
	struct attr *attr;
	size_t nattr;
	int quiet_missing;	/* the shipped files: absent columns are expected */
	char **warned;	/* missing columns already reported */
	size_t nwarned;
	/* memo: the label of each tuple of the rules' column values seen so far
	 * (bounded), so rows that repeat their values skip the patterns */
	long *cols;	/* distinct bound columns the rules read */
	size_t ncols;
	struct jt_map memo;
	long *memo_label;
	size_t memo_cap;
	struct jt_buf key;
};

static int is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static size_t label_of(struct jt_rules *r, const char *s, size_t n)
{
	for (size_t i = 0; i < r->nlabel; i++)
		if (strlen(r->label[i]) == n && memcmp(r->label[i], s, n) == 0)
			return i;
	r->label = jt_xrealloc(r->label, (r->nlabel + 1) * sizeof *r->label);
	r->label[r->nlabel] = jt_xmemdup(s, n);
	return r->nlabel++;
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* One token at *i: its start and length; 0 when the line has none. */
static size_t token(const char *s, size_t n, size_t *i, size_t *start)
{
	while (*i < n && is_blank(s[*i]))
		(*i)++;
	*start = *i;
	while (*i < n && !is_blank(s[*i]))
		(*i)++;
	return *i - *start;
}

static int bad_token(const char *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (!is_token_char(s[k]))
			return (int)k;
	return -1;
}

static int parse_line(struct jt_rules *r, const char *s, size_t n, unsigned line, char *err, size_t errlen,
		      size_t *col)
{
	size_t i = 0, a, b;
	size_t an = token(s, n, &i, &a);
	if (an == 0 || s[a] == '#')
		return 0;
	if (s[a] == '%') {
		size_t kn, ln, vn, k, l, v;
		if (an != 5 || memcmp(s + a, "%kind", 5) != 0) {
			*col = a + 1;
			snprintf(err, errlen, "unknown directive '%.*s' (directives: %%kind)", (int)an, s + a);
			return -1;
		}
		k = a + 1;
		kn = an - 1;
		ln = token(s, n, &i, &l);
		vn = token(s, n, &i, &v);
		if (ln == 0 || vn == 0) {
			*col = (ln ? i : l) + 1;
			snprintf(err, errlen, "%%%.*s needs a label and a value", (int)kn, s + k);
			return -1;
		}
		size_t rest = i;
		while (rest < n && is_blank(s[rest]))
			rest++;
		if (rest < n) {
			*col = rest + 1;
			snprintf(err, errlen, "%%%.*s takes one value after the label", (int)kn, s + k);
			return -1;
		}
		struct attr *at;
		r->attr = jt_xrealloc(r->attr, (r->nattr + 1) * sizeof *r->attr);
		at = &r->attr[r->nattr++];
		label_of(r, s + l, ln);	/* a %kind line places its label in the order too */
		at->label = jt_xmemdup(s + l, ln);
		at->key = jt_xmemdup(s + k, kn);
		at->val = jt_xmemdup(s + v, vn);
		at->line = line;
		at->col = l + 1;
		return 0;
	}
	int bt = bad_token(s + a, an);
	if (bt >= 0) {
		*col = a + (size_t)bt + 1;
		snprintf(err, errlen, "label '%.*s' may hold letters, digits and '_' only", (int)an, s + a);
		return -1;
	}
	size_t bn = token(s, n, &i, &b);
	if (bn == 0) {
		*col = i + 1;
		snprintf(err, errlen, "rule '%.*s' has no column (LABEL COLUMN PATTERN)", (int)an, s + a);
		return -1;
	}
	while (i < n && is_blank(s[i]))
		i++;
	size_t p = i, e = n;
	while (e > p && is_blank(s[e - 1]))
		e--;
	if (e == p) {
		*col = i + 1;
		snprintf(err, errlen, "rule '%.*s' has no pattern (LABEL COLUMN PATTERN)", (int)an, s + a);
		return -1;
	}
	char why[256];
	size_t off = 0;
	struct jt_rx *rx = jt_rx_compile(s + p, e - p, 0, why, sizeof why, &off);
	if (!rx) {
		*col = p + off + 1;
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	r->rule = jt_xrealloc(r->rule, (r->nrule + 1) * sizeof *r->rule);
	struct rule *ru = &r->rule[r->nrule++];
	ru->label = label_of(r, s + a, an);
	ru->col = jt_xmemdup(s + b, bn);
	ru->idx = -1;
	ru->rx = rx;
	ru->line = line;
	return 0;
}

struct jt_rules *jt_rules_parse(const char *text, size_t len, const char *name, char *err, size_t errlen,
				unsigned *line, size_t *col)
{
	struct jt_rules *r = jt_xcalloc(1, sizeof *r);
	r->name = jt_xstrdup(name);
	size_t i = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		i = 3;	/* a UTF-8 BOM, as an editor may write it */
	*line = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		size_t e = j;
		if (e > i && text[e - 1] == '\r')
			e--;
		++*line;
		if (memchr(text + i, '\0', e - i)) {
			*col = (size_t)((const char *)memchr(text + i, '\0', e - i) - (text + i)) + 1;
			snprintf(err, errlen, "a NUL byte in the rules");
			jt_rules_free(r);
			return NULL;
		}
		if (parse_line(r, text + i, e - i, *line, err, errlen, col) != 0) {
			jt_rules_free(r);
			return NULL;
		}
		i = j + 1;
	}
	if (r->nrule == 0) {
		*col = 1;
		if (*line == 0)
			*line = 1;	/* an empty file: its first line */
		snprintf(err, errlen, "no rules (LABEL COLUMN PATTERN lines)");
		jt_rules_free(r);
		return NULL;
	}
	for (size_t k = 0; k < r->nattr; k++) {
		size_t lab = (size_t)jt_rules_find(r, r->attr[k].label), j;
		for (j = 0; j < r->nrule && r->rule[j].label != lab; j++)
			;
		if (j < r->nrule)
			continue;
		{
			*line = r->attr[k].line;
			*col = r->attr[k].col;
			snprintf(err, errlen, "%%%s names label '%s', which no rule has", r->attr[k].key, r->attr[k].label);
			jt_rules_free(r);
			return NULL;
		}
	}
	return r;
}

struct jt_rules *jt_rules_load(const char *path)
{
	jt_path_config("rules file", path);
	FILE *fp = fopen(path, "r");
	if (!fp)
		jt_usage_error("%s: %s", path, strerror(errno));
	struct jt_buf b = JT_BUF_INIT;
	char chunk[8192];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + k > (1u << 24)) {
			fclose(fp);
			jt_usage_error("%s: a rules file of more than 16 MiB", path);
		}
		jt_buf_add(&b, chunk, k);
	}
	int bad = ferror(fp) ? errno : 0;
	fclose(fp);
	if (bad)
		jt_usage_error("%s: %s", path, strerror(bad));
	char err[512];
	unsigned line;
	size_t col;
	struct jt_rules *r = jt_rules_parse(b.p ? b.p : "", b.len, path, err, sizeof err, &line, &col);
	jt_buf_free(&b);
	if (!r)
		jt_usage_error("%s:%u:%zu: %s", path, line, col, err);
	return r;
}

void jt_rules_free(struct jt_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlabel; i++)
		free(r->label[i]);
	free(r->label);
	for (size_t i = 0; i < r->nrule; i++) {
		free(r->rule[i].col);
		jt_rx_free(r->rule[i].rx);
	}
	free(r->rule);
	for (size_t i = 0; i < r->nattr; i++) {
		free(r->attr[i].label);
		free(r->attr[i].key);
		free(r->attr[i].val);
	}
	free(r->attr);
	for (size_t i = 0; i < r->nwarned; i++)
		free(r->warned[i]);
	free(r->warned);
	free(r->cols);
	jt_map_free(&r->memo);
	free(r->memo_label);
	jt_buf_free(&r->key);
	free(r->name);
	free(r);
}

void jt_rules_quiet_missing(struct jt_rules *r) { r->quiet_missing = 1; }
size_t jt_rules_nlabels(const struct jt_rules *r) { return r->nlabel; }
const char *jt_rules_label(const struct jt_rules *r, size_t i) { return r->label[i]; }

long jt_rules_find(const struct jt_rules *r, const char *label)
{
	for (size_t i = 0; i < r->nlabel; i++)
		if (strcmp(r->label[i], label) == 0)
			return (long)i;
	return -1;
}

const char *jt_rules_attr(const struct jt_rules *r, size_t i, const char *key)
{
	const char *v = NULL;
	for (size_t k = 0; k < r->nattr; k++)
		if (strcmp(r->attr[k].label, r->label[i]) == 0 && strcmp(r->attr[k].key, key) == 0)
			v = r->attr[k].val;
	return v;
}

void jt_rules_write_labels(const struct jt_rules *r, FILE *fp, const char *col, const char *attr,
			   const char *deflabel)
{
	struct jt_writer w;
	jt_writer_init(&w, fp);
	jt_w_field(&w, col, strlen(col));
	if (attr) {
		char name[64];
		snprintf(name, sizeof name, "%s_%s", col, attr);
		jt_w_field(&w, name, strlen(name));
	}
	jt_w_end(&w);
	for (size_t i = 0; i <= r->nlabel; i++) {
		const char *l = i < r->nlabel ? r->label[i] : deflabel;
		if (!l || (i == r->nlabel && jt_rules_find(r, l) >= 0))
			continue;
		jt_w_field(&w, l, strlen(l));
		if (attr) {
			const char *v = i < r->nlabel ? jt_rules_attr(r, i, attr) : NULL;
			jt_w_field(&w, v ? v : "", v ? strlen(v) : 0);
		}
		jt_w_end(&w);
	}
}

#define MEMO_MAX 65536
#define MEMO_KEY_MAX 256

void jt_rules_bind(struct jt_rules *r, const struct jt_header *h, const char *src)
{
	jt_map_free(&r->memo);	/* a new header: new columns */
	struct jt_map empty = JT_MAP_INIT;
	r->memo = empty;
	r->ncols = 0;
	for (size_t k = 0; k < r->nrule; k++) {
		struct rule *ru = &r->rule[k];
		ru->idx = jt_col_find(h, ru->col);
		if (ru->idx >= 0 && jt_col_find_next(h, ru->col, (size_t)ru->idx + 1) >= 0)
			jt_col_by_name(h, ru->col, src);	/* dies: two columns of that name */
		if (ru->idx >= 0) {
			size_t c;
			for (c = 0; c < r->ncols && r->cols[c] != ru->idx; c++)
				;
			if (c == r->ncols) {
				r->cols = jt_xrealloc(r->cols, (r->ncols + 1) * sizeof *r->cols);
				r->cols[r->ncols++] = ru->idx;
			}
			continue;
		}
		size_t w;
		for (w = 0; w < r->nwarned; w++)
			if (strcmp(r->warned[w], ru->col) == 0)
				break;
		if (w < r->nwarned)
			continue;
		r->warned = jt_xrealloc(r->warned, (r->nwarned + 1) * sizeof *r->warned);
		r->warned[r->nwarned++] = jt_xstrdup(ru->col);
		if (!r->quiet_missing)
			jt_warn("%s:%u: %s has no column '%s': its rules never match", r->name, ru->line, src, ru->col);
	}
}

static long match_rules(const struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen);

long jt_rules_eval(const struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen)
{
	return match_rules(r, rec, err, errlen);
}

const long *jt_rules_columns(const struct jt_rules *r, size_t *n)
{
	*n = r->ncols;
	return r->cols;
}

long jt_rules_match(struct jt_rules *r, const struct jt_record *rec, const char *src)
{
	char err[1024];
	long lab = jt_rules_try(r, rec, err, sizeof err);
	if (lab == -2)
		jt_die_at(src, rec->line, "%s", err);
	return lab;
}

long jt_rules_try(struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen)
{
	struct jt_buf *k = &r->key;
	jt_buf_reset(k);
	for (size_t c = 0; c < r->ncols; c++) {
		size_t i = (size_t)r->cols[c];
		if (i >= rec->n)
			return match_rules(r, rec, err, errlen);
		uint32_t n = (uint32_t)rec->len[i];
		if (k->len + 4 + n > MEMO_KEY_MAX)
			return match_rules(r, rec, err, errlen);	/* long values (comments): no memo */
		jt_buf_add(k, &n, 4);
		jt_buf_add(k, rec->f[i], n);
	}
	long e = jt_map_find(&r->memo, k->p ? k->p : "", k->len);
	if (e >= 0)
		return r->memo_label[e];
	long lab = match_rules(r, rec, err, errlen);
	if (lab != -2 && r->memo.n < MEMO_MAX) {
		int isnew;
		size_t at = jt_map_put(&r->memo, k->p ? k->p : "", k->len, 0, &isnew);
		void *p = r->memo_label;
		jt_xgrow(&p, &r->memo_cap, at + 1, sizeof *r->memo_label);
		r->memo_label = p;
		r->memo_label[at] = lab;
	}
	return lab;
}

static long match_rules(const struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen)
{
	char why[256];
	for (size_t k = 0; k < r->nrule; k++) {
		const struct rule *ru = &r->rule[k];
		if (ru->idx < 0 || (size_t)ru->idx >= rec->n)
			continue;
		int m = jt_rx_match(ru->rx, rec->f[ru->idx], rec->len[ru->idx], why, sizeof why);
		if (m > 0)
			return (long)ru->label;
		if (m < 0) {
			snprintf(err, errlen, "rule %s:%u on column '%s': %s", r->name, ru->line, ru->col, why);
			return -2;
		}
	}
	return -1;
}
