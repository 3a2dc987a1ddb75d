/* jt_where.h — row filters: --where EXPR in every program, `where EXPR` in
 * jtouch profiles (jtools(7), ROW FILTERS). A list of conditions that must
 * all hold:
 *   EXPR  = COL OP VALUE
 *   COL   = a column name (the text before the operator, blanks around it
 *           dropped), 'name' or "name" (quoted: any bytes), or #N
 *   OP    = "=" | "==" | "!=" | "~" | "!~" | "<" | "<=" | ">" | ">="
 *   VALUE = the rest, blanks around it dropped, or 'text' / "text" as it is
 *           ('' is the empty value: COL = '' is empty, COL != '' is not)
 * = and != compare bytes; ~ and !~ match a PCRE2 pattern (lib/rx.c); < <= >
 * >= compare numbers exactly (jt_dec_parse), and a cell that is not a number
 * (empty included) never satisfies them: the row is filtered out, not rejected. */
#ifndef JT_WHERE_H
#define JT_WHERE_H

#include <stddef.h>

#include "jt_csv.h"

struct jt_where;

struct jt_where *jt_where_new(void);
/* Adds one condition. 0, or -1 with why in err (no "--where" prefix). */
int jt_where_add(struct jt_where *w, const char *expr, char *err, size_t errlen);
size_t jt_where_count(const struct jt_where *w);
/* Finds the columns in h: an unknown or ambiguous name, or #N past the last
 * column, stops the run (exit 1), listing the columns. */
void jt_where_bind(struct jt_where *w, const struct jt_header *h, const char *src);
/* 1 when every condition holds for rec (bound to its header). A pattern that
 * fails on a value (match limit) stops the run, naming the line. */
int jt_where_match(struct jt_where *w, const char *src, const struct jt_record *rec);
void jt_where_free(struct jt_where *w);

#endif
