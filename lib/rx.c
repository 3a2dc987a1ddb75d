/* rx.c — the one place that talks to PCRE2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_rx.h"

struct jt_rx {
	pcre2_code *code;
	pcre2_match_context *mctx;
};

/* Match data is the one thing a match writes: one per thread, for every
 * pattern (jtools only asks whether a pattern matches: one pair is enough). */
static _Thread_local pcre2_match_data *tl_md;

void jt_rx_thread_done(void)
{
	pcre2_match_data_free(tl_md);
	tl_md = NULL;
}

struct jt_rx *jt_rx_new(const char *pat, size_t len, int caseless, char *err, size_t errlen)
{
	size_t off;
	struct jt_rx *rx = jt_rx_compile(pat, len, caseless, err, errlen, &off);
	if (!rx) {
		size_t k = strlen(err);
		snprintf(err + k, errlen > k ? errlen - k : 0, " at offset %zu", off);
	}
	return rx;
}

struct jt_rx *jt_rx_compile(const char *pat, size_t len, int caseless, char *err, size_t errlen, size_t *erroff)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0);
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, len, opts, &ec, &off, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof msg);
		snprintf(err, errlen, "%s", (char *)msg);
		*erroff = (size_t)off;
		return NULL;
	}
	/* JT_NO_JIT=1 keeps PCRE2's interpreter: valgrind cannot follow JIT code,
	 * which reads whole words past a subject by design */
	const char *nojit = getenv("JT_NO_JIT");
	if (!nojit || strcmp(nojit, "1") != 0)
		(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);	/* no JIT: interpreter */
	struct jt_rx *rx = jt_xcalloc(1, sizeof *rx);
	rx->code = code;
	rx->mctx = pcre2_match_context_create(NULL);
	if (!rx->mctx) {
		jt_rx_free(rx);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pcre2_set_match_limit(rx->mctx, 1000000);
	pcre2_set_depth_limit(rx->mctx, 100000);
	return rx;
}

int jt_rx_match(struct jt_rx *rx, const char *s, size_t n, char *err, size_t errlen)
{
	if (!tl_md && !(tl_md = pcre2_match_data_create(1, NULL)))
		jt_die("out of memory");
	int rc = pcre2_match(rx->code, (PCRE2_SPTR)s, n, 0, 0, tl_md, rx->mctx);
	if (rc >= 0)	/* 0: matched, the ovector too small for the groups */
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(rc, msg, sizeof msg);
	/* one wording wherever a pattern meets data (rules, --outcome, --funnel, ...) */
	snprintf(err, errlen, "%s on '%s' (the pattern backtracks too much: simplify it)", (char *)msg, jt_show(s, n));
	return -1;
}

void jt_rx_free(struct jt_rx *rx)
{
	if (!rx)
		return;
	pcre2_match_context_free(rx->mctx);
	pcre2_code_free(rx->code);
	free(rx);
}

const char *jt_pcre2_version(void)
{
	static char v[64];
	if (!v[0])
		pcre2_config(PCRE2_CONFIG_VERSION, v);
	return v;
}
