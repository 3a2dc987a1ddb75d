/* jt_profile.h — jtouch profiles: one export shape as settings (jtouch-profile(5)).
 *
 * A profile is lines of `KEY ARGS`; the same settings are jtouch's long options
 * (`--KEY 'ARGS'`, hyphens for underscores). ARGS are blank-separated tokens;
 * double quotes group blanks into a token ("Requester id"), \" and \\ inside
 * quotes. Parsing never exits: errors come back as a message and a column. */
#ifndef JT_PROFILE_H
#define JT_PROFILE_H

#include <stddef.h>

#include "jt_num.h"
#include "jt_time.h"

/* A column reference: name, other names the export may use instead (a | b:
 * the first the input has wins), and whether it may be absent (a '?'). */
struct jt_pcol {
	char *name;
	int optional;
	char **alt;
	size_t nalt;
};

struct jt_ptouch {
	char *touchpoint;	/* constant name, or NULL when from_col */
	struct jt_pcol from_col;	/* {COL}: the touchpoint is COL's value */
	struct jt_pcol time;
	struct jt_pcol customer;	/* customer=COL override, name NULL if none */
};

enum jt_mop { JT_M_COPY, JT_M_MUL, JT_M_DIV, JT_M_DIFF };

struct jt_pmeasure {
	char *name;
	enum jt_mop op;
	struct jt_pcol a, b;	/* b for DIFF */
	jt_i128 factor;	/* MUL, DIV */
	char *on;	/* touchpoint it rides on, NULL: the first touch */
	size_t on_at;	/* where 'on' named it: column in its profile line */
	unsigned on_line;	/* its profile line, 0 when given as an option */
	int is_signed;
};

struct jt_pmap {
	char *col;
	size_t n;
	char **key, **val;	/* val "" maps to empty */
};

struct jt_pcarry {
	char *out;	/* output column name */
	struct jt_pcol col;
	char **on;	/* the touchpoints it rides on; none: every touch of the row */
	size_t non;
	size_t on_at;	/* where 'on' named them: column in its profile line */
	unsigned on_line;	/* its profile line, 0 when given as an option */
};

struct jt_prange {
	char *name;
	jt_i128 lo, hi;
	int has_lo, has_hi;
};

struct jt_plookup {
	char *file;
	char *key;	/* key column in FILE */
	char *rowcol;	/* column of the row holding the key (default: key) */
};

/* A way to read a time column: auto, epoch, epoch_ms, or a format. */
struct jt_preader {
	enum jt_time_kind kind;
	char *fmt;	/* JT_TIME_FORMAT: the format text */
};

struct jt_ptimefmt {
	char *col;	/* NULL: every time column */
	struct jt_preader *r;	/* tried in order; later lines add to the list */
	size_t nr;
};

struct jt_profile {
	char *name;	/* profile name, NULL without -p */
	char *description;
	char *source;
	struct jt_pcol *customer;
	size_t ncustomer;
	int customer_row;	/* customer @row */
	int norm_lower, norm_trim;
	struct jt_ptouch *touch;
	size_t ntouch;
	struct jt_pmeasure *measure;
	size_t nmeasure;
	struct jt_pmap *map;
	size_t nmap;
	struct jt_pcarry *carry;
	size_t ncarry;
	struct jt_prange *range;
	size_t nrange;
	struct jt_plookup *lookup;
	size_t nlookup;
	struct jt_ptimefmt *timefmt;
	size_t ntimefmt;
	char *month_file;	/* month_names FILE, NULL: English */
	struct jt_months *months;	/* its names */
	struct jt_pcol channel;	/* column, or name NULL */
	char *channel_const;
	struct jt_pcol referee;
	char *tz;
	enum jt_date_order order;
	char delim;	/* 0: not set */
	/* issue 16: decoding and row filters (jtouch-profile(5)) */
	int delim_auto;	/* delimiter auto */
	char *encoding;	/* NULL: not set */
	int decimal_comma;
	char **where;	/* the expressions, checked (jt_where.h) */
	size_t nwhere;
};

/* The touch stream's fixed columns, in order (DESIGN §2). */
extern const char *const jt_touch_columns[];
enum { JT_TOUCH_NCOL = 14 };
/* 1 when name is reserved: a fixed column, stage, step, gap_s, activity,
 * activity_kind, or next_*. */
int jt_touch_reserved(const char *name);

void jt_profile_init(struct jt_profile *p);
void jt_profile_free(struct jt_profile *p);
/* Applies one setting. key may use '-' or '_'. Returns 0, or -1 with a message
 * in err and the 0-based byte offset in args it concerns in *col. */
int jt_profile_set(struct jt_profile *p, const char *key, const char *args, char *err, size_t errlen,
		   size_t *col);
/* 1 when key names a setting. */
int jt_profile_is_key(const char *key);
/* Applies a profile's text (lines of settings). Returns 0, or -1 with the
 * message, 1-based line and column. */
int jt_profile_parse(struct jt_profile *p, const char *text, size_t len, char *err, size_t errlen,
		     unsigned *line, size_t *col);

#endif
