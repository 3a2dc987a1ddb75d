/* where.c — row filters (jt_where.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_colsel.h"
#include "jt_err.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_rx.h"
#include "jt_where.h"

enum op { EQ, NE, RX, NRX, LT, LE, GT, GE };

struct cond {
	char *text;	/* the expression, for messages */
	char *name;	/* column name, or NULL for #N */
	size_t idx;	/* #N - 1, then the bound column */
	enum op op;
	char *val;
	size_t vlen;
	jt_i128 num;
	struct jt_rx *rx;
};

struct jt_where {
	struct cond *c;
	size_t n, cap;
};

struct jt_where *jt_where_new(void)
{
	return jt_xcalloc(1, sizeof(struct jt_where));
}

size_t jt_where_count(const struct jt_where *w)
{
	return w ? w->n : 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

static int err_at(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int err_at(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A quoted token at *p ('...' or "...", no escapes): its text, *p after it. */
static char *quoted(const char **p, size_t *len)
{
	const char *s = *p, *e = strchr(s + 1, *s);
	if (!e)
		return NULL;
	*len = (size_t)(e - s - 1);
	*p = e + 1;
	return jt_xmemdup(s + 1, *len);
}

static const char *op_name(enum op op)
{
	static const char *const names[] = { "=", "!=", "~", "!~", "<", "<=", ">", ">=" };
	return names[op];
}

int jt_where_add(struct jt_where *w, const char *expr, char *err, size_t errlen)
{
	struct cond c;
	const char *p = expr, *q;
	size_t len;
	memset(&c, 0, sizeof c);

	while (blank(*p))
		p++;
	if (*p == '\'' || *p == '"') {	/* a quoted name: any bytes but its quote */
		if (!(c.name = quoted(&p, &len)))
			return err_at(err, errlen, "unterminated quote");
		while (blank(*p))
			p++;
		if (!*p || !strchr("=!~<>", *p)) {
			free(c.name);
			return err_at(err, errlen, "no operator after the column (COL = VALUE, or != ~ !~ < <= > >=)");
		}
	} else {
		q = p + strcspn(p, "=!~<>");
		if (!*q)
			return err_at(err, errlen, "no operator (COL = VALUE, or != ~ !~ < <= > >=)");
		const char *e = q;
		while (e > p && blank(e[-1]))
			e--;
		if (e == p)
			return err_at(err, errlen, "no column before the operator");
		if (*p == '#') {	/* #N: the column's number */
			uint64_t v;
			char num[24];
			size_t k = (size_t)(e - p - 1);
			if (k == 0 || k >= sizeof num)
				return err_at(err, errlen, "'%s' is not a column number", jt_show(p, (size_t)(e - p)));
			memcpy(num, p + 1, k);
			num[k] = '\0';
			if (jt_parse_size(num, &v) != 0 || v > 100000000)
				return err_at(err, errlen, "'%s' is not a column number", jt_show(p, (size_t)(e - p)));
			if (v == 0)
				return err_at(err, errlen, "'%s': column numbers start at 1", jt_show(p, (size_t)(e - p)));
			c.idx = (size_t)v - 1;
		} else {
			c.name = jt_xmemdup(p, (size_t)(e - p));
		}
		p = q;
	}
	/* the operator, longest first */
	if (p[0] == '!' && p[1] == '=')
		c.op = NE, p += 2;
	else if (p[0] == '!' && p[1] == '~')
		c.op = NRX, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		c.op = LE, p += 2;
	else if (p[0] == '>' && p[1] == '=')
		c.op = GE, p += 2;
	else if (p[0] == '=' && p[1] == '=')
		c.op = EQ, p += 2;
	else if (p[0] == '=')
		c.op = EQ, p += 1;
	else if (p[0] == '~')
		c.op = RX, p += 1;
	else if (p[0] == '<')
		c.op = LT, p += 1;
	else if (p[0] == '>')
		c.op = GT, p += 1;
	else {
		free(c.name);
		return err_at(err, errlen, "'%s' is not an operator (= != ~ !~ < <= > >=)", jt_show(p, 1));
	}
	/* the value */
	while (blank(*p))
		p++;
	const char *v0 = p;
	if (*p == '\'' || *p == '"') {
		if (!(c.val = quoted(&p, &c.vlen))) {
			free(c.name);
			return err_at(err, errlen, "unterminated quote");
		}
		while (blank(*p))
			p++;
		if (*p) {
			free(c.name);
			free(c.val);
			return err_at(err, errlen, "text after the quoted value");
		}
	} else {
		const char *e = p + strlen(p);
		while (e > p && blank(e[-1]))
			e--;
		if (e == p) {
			free(c.name);
			return err_at(err, errlen, "no value after '%s'%s", op_name(c.op),
				      c.op == EQ || c.op == NE ? " (the empty value is written '')" : "");
		}
		c.val = jt_xmemdup(p, (size_t)(e - p));
		c.vlen = (size_t)(e - p);
	}
	if (c.op >= LT) {
		if (jt_dec_parse(c.val, c.vlen, &c.num) != JT_NUM_OK) {
			int comma = memchr(c.val, ',', c.vlen) != NULL;
			char v[128];
			snprintf(v, sizeof v, "%s", jt_show(c.val, c.vlen));
			free(c.name);
			free(c.val);
			return err_at(err, errlen, "'%s' is not a number%s", v,
				      comma ? " (write it with a '.' for decimals and no thousands separators)" : "");
		}
	} else if (c.op == RX || c.op == NRX) {
		char why[256];
		if (!(c.rx = jt_rx_new(c.val, c.vlen, 0, why, sizeof why))) {
			char v[128];
			snprintf(v, sizeof v, "%s", jt_show(v0, strlen(v0)));
			free(c.name);
			free(c.val);
			return err_at(err, errlen, "invalid pattern '%s': %s", v, why);
		}
	}
	c.text = jt_xstrdup(expr);
	void *pp = w->c;
	jt_xgrow(&pp, &w->cap, w->n + 1, sizeof *w->c);
	w->c = pp;
	w->c[w->n++] = c;
	return 0;
}

void jt_where_bind(struct jt_where *w, const struct jt_header *h, const char *src)
{
	for (size_t i = 0; w && i < w->n; i++) {
		struct cond *c = &w->c[i];
		if (c->name)
			c->idx = jt_col_by_name(h, c->name, src);
		else if (c->idx >= h->n)
			jt_die_at(src, 1, "--where '%s': column #%zu does not exist (the input has %zu columns)",
				  c->text, c->idx + 1, h->n);
	}
}

int jt_where_match(struct jt_where *w, const char *src, const struct jt_record *rec)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct cond *c = &w->c[i];
		const char *s = rec->f[c->idx];
		size_t n = rec->len[c->idx];
		int ok;
		jt_i128 v;
		switch (c->op) {
		case EQ:
		case NE:
			ok = (n == c->vlen && memcmp(s, c->val, n) == 0) == (c->op == EQ);
			break;
		case RX:
		case NRX: {
			char why[512];
			int m = jt_rx_match(c->rx, s, n, why, sizeof why);
			if (m < 0)
				jt_die_at(src, rec->line, "--where '%s': %s", c->text, why);
			ok = (m == 1) == (c->op == RX);
			break;
		}
		default:	/* not a number: the comparison does not hold */
			if (jt_dec_parse(s, n, &v) != JT_NUM_OK)
				return 0;
			ok = c->op == LT ? v < c->num : c->op == LE ? v <= c->num : c->op == GT ? v > c->num : v >= c->num;
			break;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

void jt_where_free(struct jt_where *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->c[i].text);
		free(w->c[i].name);
		free(w->c[i].val);
		jt_rx_free(w->c[i].rx);
	}
	free(w->c);
	free(w);
}
