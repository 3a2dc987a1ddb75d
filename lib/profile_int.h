/* profile_int.h — jtouch profiles inside: the tokenizer and its error
 * messages (profile_tok.c) for the settings (profile.c). Not a public header. */
#ifndef PROFILE_INT_H
#define PROFILE_INT_H

#include <stddef.h>

#include "jt_profile.h"

/* The names of a token written a | b | c (an unquoted '|' with or without
 * blanks around it): k 0 for a plain token. */
struct talt {
	char **n;
	size_t k;
};

struct toks {
	size_t n, cap, acap, qcap;
	char **t;	/* a group's names joined by '|' */
	size_t *at;	/* offset of each token in the argument text */
	unsigned char *q;	/* the token has quotes: a word such as 'on' in it is a name */
	struct talt *al;
};

struct perr {
	char *buf;
	size_t len;
	size_t *col;
};

/* An error at offset at of the setting's text: its message; returns -1. */
int jt_pf_fail(struct perr *e, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void jt_pf_toks_free(struct toks *tk);
/* The setting's text s as tokens (quotes and a | b | c groups); -1 with e set. */
int jt_pf_tokenize(const char *s, struct toks *tk, struct perr *e);
void jt_pf_pcol(struct jt_pcol *c, const char *tok);
void jt_pf_pcol_free(struct jt_pcol *c);
int jt_pf_pcol_tk(struct jt_pcol *c, const struct toks *tk, size_t i, size_t skip, struct perr *e, const char *what);
int jt_pf_is_label(const char *s);

#endif
