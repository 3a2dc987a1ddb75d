/* jt_rules.h — rules files (DESIGN §3, jtools-rules(5)): `LABEL COLUMN PATTERN`
 * lines, first match wins, label order = first appearance. Shared by jstage
 * (stages) and jvalue (value-chain activities). */
#ifndef JT_RULES_H
#define JT_RULES_H

#include <stddef.h>
#include <stdio.h>

struct jt_header;
struct jt_record;
struct jt_rules;

/* Parses rules text; name is used in messages. NULL on error with the message,
 * 1-based line and column. Never exits. */
struct jt_rules *jt_rules_parse(const char *text, size_t len, const char *name, char *err, size_t errlen,
				unsigned *line, size_t *col);
/* Reads and parses a file; a usage error (exit 2) naming FILE:LINE:COL on failure. */
struct jt_rules *jt_rules_load(const char *path);
void jt_rules_free(struct jt_rules *r);

/* No warning for rules on absent columns (the shipped rules files cover
 * columns that only some exports have). */
void jt_rules_quiet_missing(struct jt_rules *r);
size_t jt_rules_nlabels(const struct jt_rules *r);
const char *jt_rules_label(const struct jt_rules *r, size_t i);
/* The label's index, or -1. */
long jt_rules_find(const struct jt_rules *r, const char *label);
/* A %KEY LABEL VALUE attribute of label i, or NULL. */
const char *jt_rules_attr(const struct jt_rules *r, size_t i, const char *key);
/* The labels in rules order as CSV: header COL (and COL_ATTR when attr is not
 * NULL, the %ATTR value of each label), then --default's label when it is new. */
void jt_rules_write_labels(const struct jt_rules *r, FILE *fp, const char *col, const char *attr,
			   const char *deflabel);

/* Resolves the rules' columns in h; a rule on a missing column never matches
 * (one warning per column). Call at each input's header. */
void jt_rules_bind(struct jt_rules *r, const struct jt_header *h, const char *src);
/* The label index of the first matching rule, or -1. A pattern that fails
 * (match limit) stops the run (exit 1) naming the rule's file and line. */
long jt_rules_match(struct jt_rules *r, const struct jt_record *rec, const char *src);
/* The same without exiting: -2 when a pattern fails, with the message (naming
 * the rule's file and line) in err. */
long jt_rules_try(struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen);
/* The same without the memo, safe on several threads at once (the caller
 * memoizes): -2 when a pattern fails, with the message in err. */
long jt_rules_eval(const struct jt_rules *r, const struct jt_record *rec, char *err, size_t errlen);
/* The input columns the bound rules read (n of them). */
const long *jt_rules_columns(const struct jt_rules *r, size_t *n);

#endif
