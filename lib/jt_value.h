/* jt_value.h — jvalue's engine: the value-chain activity of each touch, and the
 * impact of activities on an outcome (touched against never touched). */
#ifndef JT_VALUE_H
#define JT_VALUE_H

#include <stdio.h>

struct jt_common;
struct jt_rules;

enum jt_outkind { JT_OK_AUTO, JT_OK_NPS, JT_OK_MEAN, JT_OK_RATE };
/* The outcome of a customer never touched in a cell: auto = any for rates
 * (0/1 flags such as referred), last for the others. */
enum jt_untouched { JT_UT_AUTO, JT_UT_LAST, JT_UT_FIRST, JT_UT_ANY };

struct jt_value_opts {
	const struct jt_common *c;
	struct jt_rules *rules;
	const char *deflabel;	/* --default, NULL = empty */
	const char *impact;	/* --impact COL, NULL = annotate */
	const char *group;	/* -g list for --impact (default activity,stage) */
	enum jt_outkind kind;	/* --kind */
	unsigned long min_n;	/* --min-n: cells with fewer customers on a side get no interval and no rank */
	enum jt_untouched untouched;	/* --untouched */
	int lower_better;	/* --lower-better: worst = highest difference */
};

struct jt_valuerun;
struct jt_valuerun *jt_value_new(const struct jt_value_opts *o);
void jt_value_input(struct jt_valuerun *r, const char *path);
int jt_value_run(struct jt_valuerun *r, FILE *out);
void jt_value_free(struct jt_valuerun *r);

#endif
