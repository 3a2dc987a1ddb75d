/* profile_tok.c — jtouch profile settings: a setting's text as tokens
 * (quotes, a | b | c groups), with the column of each for messages; a
 * column reference from a token (profile_int.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_mem.h"
#include "profile_int.h"

int jt_pf_fail(struct perr *e, size_t at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
	*e->col = at;
	return -1;
}

void jt_pf_toks_free(struct toks *tk)
{
	for (size_t i = 0; i < tk->n; i++)
		free(tk->t[i]);
	free(tk->t);
	free(tk->at);
	free(tk->q);
	for (size_t i = 0; tk->al && i < tk->n; i++) {
		for (size_t k = 0; k < tk->al[i].k; k++)
			free(tk->al[i].n[k]);
		free(tk->al[i].n);
	}
	free(tk->al);
	memset(tk, 0, sizeof *tk);
}

/* Blank-separated tokens; "..." groups (with \" and \\ inside); an unquoted
 * '|' is a token of its own (bar), which join_alts folds into groups. */
static int tokenize_raw(const char *s, struct toks *tk, unsigned char **bar, struct perr *e)
{
	size_t i = 0, bcap = 0;
	struct jt_buf b = JT_BUF_INIT;
	memset(tk, 0, sizeof *tk);
	*bar = NULL;
	for (;;) {
		while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')
			i++;
		if (!s[i])
			break;
		void *pt = tk->t, *pa = tk->at, *pq = tk->q, *pb = *bar;
		jt_xgrow(&pt, &tk->cap, tk->n + 1, sizeof *tk->t);
		jt_xgrow(&pa, &tk->acap, tk->n + 1, sizeof *tk->at);
		jt_xgrow(&pq, &tk->qcap, tk->n + 1, sizeof *tk->q);
		jt_xgrow(&pb, &bcap, tk->n + 1, 1);
		tk->t = pt;
		tk->at = pa;
		tk->q = pq;
		*bar = pb;
		tk->q[tk->n] = 0;
		(*bar)[tk->n] = 0;
		size_t start = i;
		jt_buf_reset(&b);
		jt_buf_add(&b, "", 0);
		if (s[i] == '|') {
			(*bar)[tk->n] = 1;
			i++;
		}
		while (!(*bar)[tk->n] && s[i] && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '|') {
			if (s[i] != '"') {
				jt_buf_addc(&b, s[i++]);
				continue;
			}
			size_t q = i++;
			tk->q[tk->n] = 1;
			while (s[i] && s[i] != '"') {
				if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
					i++;
				jt_buf_addc(&b, s[i++]);
			}
			if (!s[i]) {
				jt_buf_free(&b);
				jt_pf_toks_free(tk);
				free(*bar);
				*bar = NULL;
				return jt_pf_fail(e, q, "unterminated quote");
			}
			i++;
		}
		tk->at[tk->n] = start;
		tk->t[tk->n++] = jt_xmemdup(b.p, b.len);
	}
	jt_buf_free(&b);
	return 0;
}

/* Folds NAME | NAME | ... into one token whose names are in al. */
static int join_alts(struct toks *tk, const unsigned char *bar, struct perr *e)
{
	size_t o = 0;
	tk->al = jt_xcalloc(tk->n + 1, sizeof *tk->al);
	for (size_t i = 0; i < tk->n; i++) {
		if (!bar[i]) {
			tk->t[o] = tk->t[i];
			tk->at[o] = tk->at[i];
			tk->q[o] = tk->q[i];
			o++;
			continue;
		}
		if (o == 0 || (i > 0 && bar[i - 1]) || i + 1 == tk->n || bar[i + 1]) {
			size_t at = tk->at[i];
			for (size_t k = i; k < tk->n; k++)
				free(tk->t[k]);
			tk->n = o;
			return jt_pf_fail(e, at, "'|' needs a column name on each side (a | b: the first the input has)");
		}
		struct talt *a = &tk->al[o - 1];
		if (!a->k) {
			a->n = jt_xcalloc(2, sizeof *a->n);
			a->n[a->k++] = jt_xstrdup(tk->t[o - 1]);
		} else {
			a->n = jt_xrealloc(a->n, (a->k + 1) * sizeof *a->n);
		}
		a->n[a->k++] = jt_xstrdup(tk->t[i + 1]);
		struct jt_buf j = JT_BUF_INIT;
		jt_buf_printf(&j, "%s|%s", tk->t[o - 1], tk->t[i + 1]);
		free(tk->t[o - 1]);
		tk->t[o - 1] = j.p;
		tk->q[o - 1] |= tk->q[i + 1];
		free(tk->t[i]);
		free(tk->t[i + 1]);
		i++;
	}
	tk->n = o;
	return 0;
}

int jt_pf_tokenize(const char *s, struct toks *tk, struct perr *e)
{
	unsigned char *bar;
	if (tokenize_raw(s, tk, &bar, e) != 0)
		return -1;
	int r = join_alts(tk, bar, e);
	free(bar);
	if (r != 0)
		jt_pf_toks_free(tk);
	return r;
}

void jt_pf_pcol(struct jt_pcol *c, const char *tok)
{
	size_t n = strlen(tok);
	c->optional = n > 1 && tok[n - 1] == '?';
	c->name = jt_xmemdup(tok, n - (size_t)c->optional);
}

void jt_pf_pcol_free(struct jt_pcol *c)
{
	free(c->name);
	for (size_t i = 0; i < c->nalt; i++)
		free(c->alt[i]);
	free(c->alt);
	memset(c, 0, sizeof *c);
}

/* The column (or group a | b) of token i, its first name without its first
 * skip bytes (customer=, NEW=); a '?' on any name makes the group optional.
 * Returns -1 with a message when a name is empty. */
int jt_pf_pcol_tk(struct jt_pcol *c, const struct toks *tk, size_t i, size_t skip, struct perr *e, const char *what)
{
	const struct talt *a = &tk->al[i];
	memset(c, 0, sizeof *c);
	if (!a->k) {
		jt_pf_pcol(c, tk->t[i] + skip);
		return 0;
	}
	for (size_t k = 0; k < a->k; k++) {
		const char *nm = a->n[k] + (k ? 0 : skip);
		size_t n = strlen(nm);
		int opt = n > 1 && nm[n - 1] == '?';
		if (n - (size_t)opt == 0) {
			jt_pf_pcol_free(c);
			return jt_pf_fail(e, tk->at[i], "%s: an empty column name in '%s'", what, tk->t[i]);
		}
		c->optional |= opt;
		char *x = jt_xmemdup(nm, n - (size_t)opt);
		if (!k) {
			c->name = x;
		} else {
			c->alt = jt_xrealloc(c->alt, (c->nalt + 1) * sizeof *c->alt);
			c->alt[c->nalt++] = x;
		}
	}
	return 0;
}

int jt_pf_is_label(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.' || *s == ':'))
			return 0;
	return 1;
}
