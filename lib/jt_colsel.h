/* jt_colsel.h — the one column-selection grammar (jtools(7), COLUMN SELECTION):
 *   list = item *("," item)
 *   item = name | "#" N | "#" N "-" ["#"] [M] | "/" regex "/" ["i"]
 * Names are exact; "\," and "\\" escape; a leading "#" or "/" needs "\".
 * With JT_COLSEL_BUCKETS, an item may be prefixed day:|week:|month:|quarter:|year:.
 * Syntax errors are usage errors (exit 2, before input); resolution errors
 * (unknown or ambiguous name, regex matching nothing) exit 1. */
#ifndef JT_COLSEL_H
#define JT_COLSEL_H

#include <stddef.h>

#include "jt_csv.h"
#include "jt_time.h"

enum { JT_COLSEL_BUCKETS = 1, JT_COLSEL_ONE = 2 };

struct jt_colsel_item;
struct jt_colsel {
	const char *opt;	/* "-g", "-k", ... for messages */
	struct jt_colsel_item *it;
	size_t n;
};

struct jt_col {
	size_t idx;	/* 0-based */
	enum jt_bucket bucket;
};

void jt_colsel_parse(struct jt_colsel *cs, const char *opt, const char *list, int flags);
/* Resolves against a header; returns the number of columns, *out malloc'd. */
size_t jt_colsel_resolve(const struct jt_colsel *cs, const struct jt_header *h, const char *src,
			 struct jt_col **out);
/* Removes from cols (n of them) every column x selects; returns the new count. */
size_t jt_colsel_exclude(const struct jt_colsel *x, const struct jt_header *h, const char *src,
			 struct jt_col *cols, size_t n);
void jt_colsel_free(struct jt_colsel *cs);
/* Exactly one column by its name (no grammar): dies listing the columns when
 * there is none, and naming both when there are two ("rename one of them"). */
size_t jt_col_by_name(const struct jt_header *h, const char *name, const char *src);
/* The first column named name, or -1 (no message). */
long jt_col_find(const struct jt_header *h, const char *name);
/* Dies (exit 1): none of the n names is a column ("no column named 'a' or 'b'
 * (columns: ...)", with "did you mean" for the first). */
_Noreturn void jt_cols_unknown(const struct jt_header *h, const char *const *names, size_t n, const char *src);
/* The first column named name at or after index from, or -1. */
long jt_col_find_next(const struct jt_header *h, const char *name, size_t from);

#endif
