/* profile.c — a jtouch profile (lib/profile.c) from any bytes: parsed, every
 * setting read back, freed; then parsed again over the first result, as a
 * profile followed by --KEY options is. Errors come back with a message, a
 * line and a column, never an exit. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"
#include "jt_profile.h"

static size_t total;	/* touched so that reads of freed or unset strings are reads */
static int ok;	/* no setting failed: a failed one may leave its setting half made */

static void str(const char *s)
{
	if (s)
		total += strlen(s);
}

static void pcol(const struct jt_pcol *c)
{
	str(c->name);
	FUZZ_ASSERT(!ok || !c->name || *c->name, "an empty column name");
}

static void walk(const struct jt_profile *p)
{
	str(p->name);
	str(p->description);
	str(p->source);
	for (size_t i = 0; i < p->ncustomer; i++)
		pcol(&p->customer[i]);
	for (size_t i = 0; i < p->ntouch; i++) {
		str(p->touch[i].touchpoint);
		pcol(&p->touch[i].from_col);
		pcol(&p->touch[i].time);
		pcol(&p->touch[i].customer);
		FUZZ_ASSERT(!ok || p->touch[i].touchpoint || p->touch[i].from_col.name, "a touch without a name");
	}
	for (size_t i = 0; i < p->nmeasure; i++) {
		const struct jt_pmeasure *m = &p->measure[i];
		str(m->name);
		pcol(&m->a);
		pcol(&m->b);
		str(m->on);
		FUZZ_ASSERT(!ok || m->op != JT_M_DIFF || m->b.name, "a difference without its second column");
	}
	for (size_t i = 0; i < p->nmap; i++) {
		str(p->map[i].col);
		for (size_t k = 0; k < p->map[i].n; k++) {
			str(p->map[i].key[k]);
			str(p->map[i].val[k]);
		}
	}
	for (size_t i = 0; i < p->ncarry; i++) {
		str(p->carry[i].out);
		pcol(&p->carry[i].col);
	}
	for (size_t i = 0; i < p->nrange; i++) {
		str(p->range[i].name);
		FUZZ_ASSERT(!ok || !p->range[i].has_lo || !p->range[i].has_hi || p->range[i].lo <= p->range[i].hi,
			    "range %s: low above high", p->range[i].name);
	}
	for (size_t i = 0; i < p->nlookup; i++) {
		str(p->lookup[i].file);
		str(p->lookup[i].key);
		str(p->lookup[i].rowcol);
	}
	for (size_t i = 0; i < p->ntimefmt; i++)
		str(p->timefmt[i].col);
	pcol(&p->channel);
	str(p->channel_const);
	pcol(&p->referee);
	str(p->tz);
	FUZZ_ASSERT(!ok || (p->delim != '"' && p->delim != '\n' && p->delim != '\r'), "a delimiter that cannot be");
}

static void parse(struct jt_profile *p, const char *text, size_t size)
{
	char err[512] = "";
	unsigned line = 0;
	size_t col = 0;
	if (jt_profile_parse(p, text, size, err, sizeof err, &line, &col) != 0) {
		FUZZ_ASSERT(err[0] && line >= 1 && col >= 1, "an error without message, line or column");
		ok = 0;
	}
	walk(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jt_profile p;
	jt_set_quiet(1);
	ok = 1;
	jt_profile_init(&p);
	parse(&p, (const char *)data, size);
	/* the settings again, one by one, over what the profile set (as options do) */
	const char *s = (const char *)data, *e = s + size;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
		const char *sp = memchr(s, ' ', n);
		if (sp && !memchr(s, '\0', n)) {
			char key[40], *args = jt_xmemdup(sp + 1, n - (size_t)(sp + 1 - s));
			size_t kn = (size_t)(sp - s) < sizeof key - 1 ? (size_t)(sp - s) : sizeof key - 1, col = 0;
			char err[512] = "";
			memcpy(key, s, kn);
			key[kn] = '\0';
			if (jt_profile_set(&p, key, args, err, sizeof err, &col) != 0) {
				FUZZ_ASSERT(err[0] && col <= strlen(args), "a setting error without message, or past its text");
				ok = 0;
			}
			free(args);
		}
		s += n + 1;
	}
	walk(&p);
	jt_profile_free(&p);
	return 0;
}
