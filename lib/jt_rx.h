/* jt_rx.h — PCRE2 patterns compiled once (UTF, invalid-UTF matching, JIT when
 * available) and matched under limits: a runaway pattern is an error, not a hang. */
#ifndef JT_RX_H
#define JT_RX_H

#include <stddef.h>

struct jt_rx;
/* NULL on a compile error, with a message in err (size errlen). */
struct jt_rx *jt_rx_new(const char *pat, size_t len, int caseless, char *err, size_t errlen);
/* The same, with the pattern offset of a compile error in *erroff (err has no offset). */
struct jt_rx *jt_rx_compile(const char *pat, size_t len, int caseless, char *err, size_t errlen, size_t *erroff);
/* 1 match, 0 no match, -1 error (match limit, ...): message in err, naming the value. */
int jt_rx_match(struct jt_rx *rx, const char *s, size_t n, char *err, size_t errlen);
void jt_rx_free(struct jt_rx *rx);
/* A thread that matched patterns frees its match data before it ends (the
 * main thread's is freed at exit). */
void jt_rx_thread_done(void);
/* "10.42" */
const char *jt_pcre2_version(void);

#endif
