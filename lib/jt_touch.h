/* jt_touch.h — jtouch's engine: raw export rows -> the touch stream (DESIGN §2, §4).
 *
 * Settings arrive in command-line order. Settings given before the first -p
 * are the base of every configuration; -p starts a new configuration from the
 * base plus the profile; later settings add to it. Each input file takes the
 * configuration in effect where it was named. Errors in settings and profiles
 * are usage errors (exit 2) and happen before any input is read. */
#ifndef JT_TOUCH_H
#define JT_TOUCH_H

#include <stdint.h>
#include <stdio.h>

struct jt_common;
struct jt_touchrun;

struct jt_touchopts {
	const struct jt_common *c;
	int dedup;
	uint64_t shard_k, shard_n;	/* shard_n 0: no sharding */
};

struct jt_touchrun *jt_touch_new(const struct jt_touchopts *o);
/* A setting (jtouch-profile(5) key, '-' or '_'), from option `opt` (for messages). */
void jt_touch_setting(struct jt_touchrun *r, const char *opt, const char *key, const char *args);
/* -p NAME|FILE: NAME.profile in DATADIR/profiles, or a file. */
void jt_touch_profile(struct jt_touchrun *r, const char *name);
/* An input operand ("-" is stdin). */
void jt_touch_input(struct jt_touchrun *r, const char *path);
/* Checks every configuration, loads lookups, reads the inputs (stdin when none
 * was named), writes the touch stream to out. Returns the exit status. */
int jt_touch_run(struct jt_touchrun *r, FILE *out);
void jt_touch_free(struct jt_touchrun *r);
/* Prints the shipped profiles and their descriptions. */
void jt_touch_list_profiles(FILE *out);
/* 1..n: the shard of a customer id (FNV-1a 64 of its bytes, mod n, plus 1). */
uint64_t jt_shard_of(const char *id, size_t len, uint64_t n);

#endif
