/* jt_refer.h — jrefer's engine: the referral graph from the touch stream or a
 * raw referral export; per referrer, summary (K-factor, cycle time), chains,
 * and the data problems (self-referral, double claims, cycles, referees who
 * were customers already). Memory grows with the customers; what grows with
 * the rows (the invitations, the rows kept for --rejects) stays within a
 * budget and goes to spill files past it (see refer.c). */
#ifndef JT_REFER_H
#define JT_REFER_H

#include <stdint.h>
#include <stdio.h>

struct jt_common;

enum jt_refer_mode { JT_RM_REFERRERS, JT_RM_SUMMARY, JT_RM_CHAINS };
enum jt_kfactor { JT_K_CUSTOMERS, JT_K_REFERRERS };

struct jt_refer_opts {
	const struct jt_common *c;
	enum jt_refer_mode mode;
	/* raw export columns; referrer NULL = the touch stream */
	const char *referrer, *referee, *time, *signup, *converted;
	unsigned long long customers;	/* --customers N, 0 = from the input */
	enum jt_kfactor kfactor;
	const char *flags;	/* --flags FILE */
	uint64_t memory;	/* --memory SIZE in bytes, 0 = JT_REFER_MEMORY */
	int jobs;	/* -j N: 1 = one thread; else a second reads while one builds */
};

#define JT_REFER_MEMORY ((uint64_t)1 << 30)

struct jt_referrun;
struct jt_referrun *jt_refer_new(const struct jt_refer_opts *o);
void jt_refer_input(struct jt_referrun *r, const char *path);
int jt_refer_run(struct jt_referrun *r, FILE *out);
void jt_refer_free(struct jt_referrun *r);

#endif
