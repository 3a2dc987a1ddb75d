/* tz.c — IANA time zones read straight from TZif files (RFC 8536, versions 1-4).
 * A zone is its list of transitions (UTC instant, offset from then on) and, for
 * times after the last one, the POSIX TZ rule of the v2+ footer. Such a rule
 * repeats every 400 Gregorian years (146097 days, a whole number of weeks), so
 * one cycle of rule transitions is computed at load and later instants are
 * folded into it: every lookup is a binary search with no allocation and no
 * mutable state. Local -> UTC follows Python's zoneinfo with fold=0: a change
 * at T from offset a to b governs local times >= T + max(a, b), so a time in a
 * gap takes the offset before and an ambiguous time the earlier instant.
 * Leap-second records are skipped, as zoneinfo does. The C library's time-zone
 * state (TZ, tzset, localtime) is never used. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_mem.h"
#include "jt_time.h"
#include "jt_tz.h"

#define TZ_FILE_MAX (1 << 20)	/* real TZif files are a few KiB */
#define TZ_NAME_MAX 255
#define CYCLE ((int64_t)146097 * 86400)	/* 400 Gregorian years */
#define CYCLE_T0 ((int64_t)946684800)	/* 2000-01-01T00:00Z, where the folded cycle starts */
#define CYCLE_Y0 2000
#define CYCLE_PAD 2	/* rule years computed on each side of the cycle */
#define TIME_LIM ((int64_t)1 << 59)	/* file times must lie within +-2^59 (zic's big bang) */
#define INPUT_LIM ((int64_t)1 << 60)	/* lookups clamp their argument to +-2^60 */

/* Offset changes: at UTC instant at[i] the offset becomes off[i]. lt[i] is
 * at[i] + max(offset before, off[i]), the first local time mapped with off[i]. */
struct tz_list {
	int64_t *at, *lt;
	int32_t *off;
	size_t n;
	int32_t before;	/* offset before at[0] */
};

/* A POSIX rule date, Jn (1..365, no Feb 29), n (0..365) or Mm.w.d, and the local time. */
struct tz_date {
	char kind;	/* 'J', 'N' or 'M' */
	int m, w, d;	/* d is the day number for J and N, the weekday for M */
	int32_t secs;
};

/* A POSIX TZ string: the standard offset and, with has_dst, the DST offset and dates. */
struct tz_rule {
	int32_t std, dst;
	int has_dst;
	struct tz_date start, end;
};

struct jt_tz {
	char *name;
	int fixed;	/* fixed_off holds for all time */
	int32_t fixed_off;
	struct tz_list file;	/* the transitions in the file */
	int has_rule;	/* the footer rule governs times from the last transition on */
	struct tz_rule rule;
	struct tz_list cycle;	/* rule transitions of CYCLE_Y0 - PAD .. CYCLE_Y0 + 400 + PAD */
};

/* ---- lookups ---- */

static int64_t clamp(int64_t t)
{
	return t < -INPUT_LIM ? -INPUT_LIM : t > INPUT_LIM ? INPUT_LIM : t;
}

/* Index of the first key > x (Python's bisect_right). */
static size_t upper(const int64_t *key, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x < key[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Offset after the last change whose key (at or lt) is <= x. */
static int32_t list_off(const struct tz_list *l, const int64_t *key, int64_t x)
{
	size_t i = upper(key, l->n, x);
	return i ? l->off[i - 1] : l->before;
}

/* Offset by the footer rule; local says whether x is local time or UTC. */
static int32_t rule_off(const struct jt_tz *z, int64_t x, int local)
{
	if (!z->rule.has_dst)
		return z->rule.std;
	int64_t d = (x - CYCLE_T0) % CYCLE;
	if (d < 0)
		d += CYCLE;
	const struct tz_list *c = &z->cycle;
	return list_off(c, local ? c->lt : c->at, CYCLE_T0 + d);
}

long jt_tz_offset(const struct jt_tz *z, int64_t t)
{
	const struct tz_list *f = &z->file;
	if (z->fixed)
		return z->fixed_off;
	t = clamp(t);
	if (z->has_rule && (f->n == 0 || t >= f->at[f->n - 1]))
		return rule_off(z, t, 0);
	return list_off(f, f->at, t);
}

int64_t jt_tz_local(const struct jt_tz *z, int64_t t)
{
	return z ? t + jt_tz_offset(z, t) : t;
}

int64_t jt_tz_to_utc(const struct jt_tz *z, int64_t local)
{
	const struct tz_list *f = &z->file;
	local = clamp(local);
	if (z->fixed)
		return local - z->fixed_off;
	if (z->has_rule && (f->n == 0 || local > f->lt[f->n - 1]))
		return local - rule_off(z, local, 1);
	return local - list_off(f, f->lt, local);
}

const char *jt_tz_name(const struct jt_tz *z)
{
	return z->name;
}

/* ---- building a zone ---- */

static void list_alloc(struct tz_list *l, size_t n)
{
	l->at = jt_xmalloc(n * sizeof *l->at);
	l->lt = jt_xmalloc(n * sizeof *l->lt);
	l->off = jt_xmalloc(n * sizeof *l->off);
	l->n = n;
}

static void fill_lt(struct tz_list *l)
{
	int32_t prev = l->before;
	for (size_t i = 0; i < l->n; i++) {
		l->lt[i] = l->at[i] + (prev > l->off[i] ? prev : l->off[i]);
		prev = l->off[i];
	}
}

static struct jt_tz *new_zone(const char *name)
{
	struct jt_tz *z = jt_xcalloc(1, sizeof *z);
	z->name = jt_xstrdup(name);
	return z;
}

void jt_tz_free(struct jt_tz *z)
{
	if (!z)
		return;
	struct tz_list *l[2] = { &z->file, &z->cycle };
	for (int i = 0; i < 2; i++) {
		free(l[i]->at);
		free(l[i]->lt);
		free(l[i]->off);
	}
	free(z->name);
	free(z);
}

/* A zone is fixed when one offset holds before, between and after all transitions. */
static void find_fixed(struct jt_tz *z)
{
	const struct tz_list *f = &z->file;
	int32_t o = f->before;
	if (z->has_rule) {
		if (z->rule.has_dst)
			return;
		if (f->n == 0)
			o = z->rule.std;	/* the footer governs all time */
		else if (z->rule.std != o)
			return;
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->off[i] != o)
			return;
	z->fixed = 1;
	z->fixed_off = o;
}

/* ---- POSIX TZ rules ---- */

static int is_leap(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int64_t weekday(int64_t days)	/* 0 = Sunday; 1970-01-01 was a Thursday */
{
	int64_t w = (days + 4) % 7;
	return w < 0 ? w + 7 : w;
}

/* Day (since the epoch) of weekday d in week w (5 = last) of month m of year y. */
static int64_t month_day(int64_t y, const struct tz_date *d)
{
	int64_t first = jt_days_from_civil(y, (unsigned)d->m, 1);
	int64_t next = d->m == 12 ? jt_days_from_civil(y + 1, 1, 1)
		: jt_days_from_civil(y, (unsigned)d->m + 1, 1);
	int64_t day = first + (d->d - weekday(first) + 7) % 7 + 7 * (d->w - 1);
	while (day >= next)
		day -= 7;
	return day;
}

/* Local wall-clock time (seconds since the epoch) of rule date d in year y. */
static int64_t rule_wall(const struct tz_date *d, int64_t y)
{
	int64_t day = jt_days_from_civil(y, 1, 1);
	if (d->kind == 'J')
		day += d->d - 1 + (is_leap(y) && d->d >= 60);
	else if (d->kind == 'N')
		day += d->d;
	else
		day = month_day(y, d);
	return day * 86400 + d->secs;
}

struct tr {
	int64_t at;
	int32_t off;
	uint32_t seq;
};

static int cmp_tr(const void *a, const void *b)
{
	const struct tr *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The rule's changes over one 400-year cycle plus padding, in time order (of
 * changes at one instant, bisection takes the later); non-changes are dropped. */
static void build_cycle(struct jt_tz *z)
{
	const struct tz_rule *r = &z->rule;
	size_t n = 0, k = 0;
	struct tr *v = jt_xmalloc(2 * (400 + 2 * CYCLE_PAD) * sizeof *v);
	for (int64_t y = CYCLE_Y0 - CYCLE_PAD; y < CYCLE_Y0 + 400 + CYCLE_PAD; y++) {
		v[n] = (struct tr){ rule_wall(&r->start, y) - r->std, r->dst, (uint32_t)n };
		n++;
		v[n] = (struct tr){ rule_wall(&r->end, y) - r->dst, r->std, (uint32_t)n };
		n++;
	}
	qsort(v, n, sizeof *v, cmp_tr);
	struct tz_list *c = &z->cycle;
	list_alloc(c, n);
	c->before = r->std;
	int32_t prev = r->std;
	for (size_t i = 0; i < n; i++) {
		if (v[i].off == prev)
			continue;
		c->at[k] = v[i].at;
		c->off[k++] = v[i].off;
		prev = v[i].off;
	}
	c->n = k;
	fill_lt(c);
	free(v);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* 1 to maxdig digits. */
static int num(const char **p, int maxdig, long *v)
{
	const char *s = *p;
	long x = 0;
	while (is_digit(*s) && s - *p < maxdig)
		x = x * 10 + (*s++ - '0');
	if (s == *p || is_digit(*s))
		return -1;
	*v = x;
	*p = s;
	return 0;
}

/* [+-]h[h[h]][:mm[:ss]] with at most maxh hours -> seconds. */
static int hms(const char **p, long maxh, int32_t *v)
{
	const char *s = *p;
	long sign = *s == '-' ? -1 : 1, h, m = 0, sec = 0;
	if (*s == '+' || *s == '-')
		s++;
	if (num(&s, 3, &h) < 0 || h > maxh)
		return -1;
	if (*s == ':' && (s++, num(&s, 2, &m) < 0 || m > 59))
		return -1;
	if (*s == ':' && (s++, num(&s, 2, &sec) < 0 || sec > 59))
		return -1;
	*v = (int32_t)(sign * (h * 3600 + m * 60 + sec));
	*p = s;
	return 0;
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits, + and -. */
static int abbr(const char **p)
{
	const char *s = *p, *b;
	if (*s == '<') {
		for (b = ++s; is_alpha(*s) || is_digit(*s) || *s == '+' || *s == '-'; s++)
			;
		if (*s != '>' || s - b < 3)
			return -1;
		*p = s + 1;
		return 0;
	}
	for (b = s; is_alpha(*s); s++)
		;
	if (s - b < 3)
		return -1;
	*p = s;
	return 0;
}

/* Jn, n or Mm.w.d, then an optional /time (hours -167..167 since TZif v3). */
static int rule_date(const char **p, struct tz_date *d)
{
	const char *s = *p;
	long a, b = 0, c = 0;
	d->kind = *s == 'J' || *s == 'M' ? *s++ : 'N';
	if (num(&s, 3, &a) < 0)
		return -1;
	if (d->kind == 'M' && (*s++ != '.' || num(&s, 1, &b) < 0 || *s++ != '.' || num(&s, 1, &c) < 0))
		return -1;
	if (d->kind == 'J' ? a < 1 || a > 365 : d->kind == 'N' ? a > 365
	    : a < 1 || a > 12 || b < 1 || b > 5 || c > 6)
		return -1;
	d->m = (int)a;
	d->w = (int)b;
	d->d = (int)(d->kind == 'M' ? c : a);
	d->secs = 7200;
	if (*s == '/' && (s++, hms(&s, 167, &d->secs) < 0))
		return -1;
	*p = s;
	return 0;
}

/* std offset [dst [offset],start[/time],end[/time]]; POSIX offsets are west-positive. */
static int parse_rule(const char *s, struct tz_rule *r)
{
	int32_t v;
	if (abbr(&s) < 0 || hms(&s, 24, &v) < 0)
		return -1;
	r->std = -v;
	if (*s == '\0')
		return 0;
	if (abbr(&s) < 0)
		return -1;
	r->dst = r->std + 3600;
	if (*s != ',') {
		if (hms(&s, 24, &v) < 0)
			return -1;
		r->dst = -v;
	}
	if (*s != ',' || (s++, rule_date(&s, &r->start) < 0) || *s != ',' ||
	    (s++, rule_date(&s, &r->end) < 0) || *s != '\0')
		return -1;
	r->has_dst = 1;
	return 0;
}

/* ---- TZif ---- */

struct rd {
	const unsigned char *p;
	size_t len, at;
};

static const unsigned char *take(struct rd *r, uint64_t n)
{
	if (n > r->len - r->at)
		return NULL;
	const unsigned char *q = r->p + r->at;
	r->at += (size_t)n;
	return q;
}

static uint32_t be32(const unsigned char *q)
{
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static int64_t sbe32(const unsigned char *q)
{
	uint32_t u = be32(q);
	return u >> 31 ? -(int64_t)(~u) - 1 : (int64_t)u;
}

static int64_t sbe64(const unsigned char *q)
{
	uint64_t u = (uint64_t)be32(q) << 32 | be32(q + 4);
	return u >> 63 ? -(int64_t)(~u) - 1 : (int64_t)u;
}

struct hdr {
	unsigned char ver;
	uint32_t isut, isstd, leap, time, type, chars;
};

static int header(struct rd *r, struct hdr *h)
{
	const unsigned char *q = take(r, 44);
	if (!q || memcmp(q, "TZif", 4) != 0 || (q[4] != 0 && q[4] < '2'))
		return -1;
	h->ver = q[4];
	h->isut = be32(q + 20);
	h->isstd = be32(q + 24);
	h->leap = be32(q + 28);
	h->time = be32(q + 32);
	h->type = be32(q + 36);
	h->chars = be32(q + 40);
	return 0;
}

/* Bytes in a data block whose times are ts bytes wide. */
static uint64_t block_len(const struct hdr *h, unsigned ts)
{
	return (uint64_t)h->time * (ts + 1) + (uint64_t)h->type * 6 + h->chars
		+ (uint64_t)h->leap * (ts + 4) + h->isstd + h->isut;
}

/* Local time type offsets; utoff must lie in RFC 8536's [-89999, 93599]. */
static int types(const struct hdr *h, const unsigned char *q, int32_t *off)
{
	for (uint32_t i = 0; i < h->type; i++, q += 6) {
		int64_t o = sbe32(q);
		if (o < -89999 || o > 93599 || q[4] > 1 || q[5] >= h->chars)
			return -1;
		off[i] = (int32_t)o;
	}
	return 0;
}

/* The data block's transitions into f; times are ts bytes wide. */
static int block(struct rd *r, const struct hdr *h, unsigned ts, struct tz_list *f)
{
	int32_t off[256];
	if (h->type == 0 || h->type > 256 || h->chars == 0 || (h->isut && h->isut != h->type) ||
	    (h->isstd && h->isstd != h->type) || block_len(h, ts) > r->len - r->at)
		return -1;
	const unsigned char *t = take(r, (uint64_t)h->time * ts), *idx = take(r, h->time);
	if (types(h, take(r, (uint64_t)h->type * 6), off) < 0)
		return -1;
	take(r, block_len(h, ts) - (uint64_t)h->time * (ts + 1) - (uint64_t)h->type * 6);
	list_alloc(f, h->time);
	f->before = off[0];
	for (uint32_t i = 0; i < h->time; i++, t += ts) {
		f->at[i] = ts == 8 ? sbe64(t) : sbe32(t);
		if (f->at[i] < -TIME_LIM || f->at[i] > TIME_LIM || (i && f->at[i] <= f->at[i - 1]) ||
		    idx[i] >= h->type)
			return -1;
		f->off[i] = off[idx[i]];
	}
	fill_lt(f);
	return 0;
}

/* "\n" TZ string "\n"; an empty string means no rule. */
static int footer(struct rd *r, struct jt_tz *z)
{
	char s[256];
	const unsigned char *q = take(r, 1), *nl;
	if (!q || *q != '\n' || !(nl = memchr(q + 1, '\n', r->len - r->at)))
		return -1;
	size_t n = (size_t)(nl - (q + 1));
	if (n == 0)
		return 0;
	if (n >= sizeof s || memchr(q + 1, '\0', n))
		return -1;
	memcpy(s, q + 1, n);
	s[n] = '\0';
	if (parse_rule(s, &z->rule) < 0)
		return -1;
	z->has_rule = 1;
	return 0;
}

/* Version 1: one block of 32-bit times. Version 2 and later (any later version
 * keeps this layout): skip that block, read the 64-bit one and the footer. */
static int read_tzif(struct rd *r, struct jt_tz *z)
{
	struct hdr h;
	if (header(r, &h) < 0)
		return -1;
	if (h.ver == 0)
		return block(r, &h, 4, &z->file);
	if (!take(r, block_len(&h, 4)) || header(r, &h) < 0 || h.ver == 0 ||
	    block(r, &h, 8, &z->file) < 0)
		return -1;
	return footer(r, z);
}

struct jt_tz *jt_tz_parse(const void *p, size_t len, const char *name)
{
	struct jt_tz *z = new_zone(name);
	struct rd r = { p, len, 0 };
	if (read_tzif(&r, z) < 0) {
		jt_tz_free(z);
		return NULL;
	}
	if (z->has_rule && z->rule.has_dst)
		build_cycle(z);
	find_fixed(z);
	return z;
}

/* ---- loading ---- */

/* Reads a regular file of at most TZ_FILE_MAX bytes. Returns 0, an errno value,
 * or -1 for anything that cannot be a TZif file (not regular, too large). */
static int slurp(const char *path, unsigned char **buf, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0)
		rc = errno;
	else if (S_ISDIR(st.st_mode))
		rc = EISDIR;
	else if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX)
		rc = -1;
	size_t cap = rc ? 0 : (size_t)st.st_size + 1, n = 0;
	*buf = rc ? NULL : jt_xmalloc(cap);
	while (!rc && n < cap) {
		ssize_t k = read(fd, *buf + n, cap - n);
		if (k < 0 && errno != EINTR)
			rc = errno;
		else if (k == 0)
			break;
		else if (k > 0)
			n += (size_t)k;
	}
	if (!rc && n == cap)
		rc = -1;	/* grew while we read it */
	close(fd);
	*len = n;
	return rc;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void load_error(int rc, const char *name, const char *path, char *err, size_t errlen)
{
	char why[128];
	if (rc == ENOENT || rc == ENOTDIR) {
		seterr(err, errlen, "unknown time zone '%s' (no file %s)", name, path);
	} else if (rc == EISDIR) {
		seterr(err, errlen, "unknown time zone '%s' (%s is a directory)", name, path);
	} else if (rc < 0) {
		seterr(err, errlen, "time zone '%s' is not a TZif file", name);
	} else {
		snprintf(why, sizeof why, "%s", strerror(rc));
		if (why[0] >= 'A' && why[0] <= 'Z')
			why[0] = (char)(why[0] - 'A' + 'a');
		seterr(err, errlen, "cannot read time zone '%s' (%s: %s)", name, path, why);
	}
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > TZ_NAME_MAX || s[0] == '/' || strstr(s, ".."))
		return 0;
	for (; *s; s++)
		if (!is_alpha(*s) && !is_digit(*s) && !strchr("/_+-", *s))
			return 0;
	return 1;
}

/* The name for a message: printable ASCII only, at most 64 characters. */
static void shown(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; *s && n + 4 < cap; s++)
		out[n++] = *s >= ' ' && *s <= '~' ? *s : '?';
	if (*s)
		out[n++] = '.', out[n++] = '.', out[n++] = '.';
	out[n] = '\0';
}

struct jt_tz *jt_tz_load(const char *name, char *err, size_t errlen)
{
	char show[68];
	if (!name_ok(name)) {
		shown(name, show, sizeof show);
		seterr(err, errlen, "invalid time zone name '%s'", show);
		return NULL;
	}
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Z") == 0) {
		struct jt_tz *z = new_zone(name);
		z->fixed = 1;
		return z;
	}
	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	size_t plen = strlen(dir) + strlen(name) + 2, len = 0;
	char *path = jt_xmalloc(plen);
	snprintf(path, plen, "%s/%s", dir, name);
	unsigned char *buf = NULL;
	struct jt_tz *z = NULL;
	int rc = slurp(path, &buf, &len);
	if (!rc && !(z = jt_tz_parse(buf, len, name)))
		rc = -1;
	if (rc)
		load_error(rc, name, path, err, errlen);
	free(buf);
	free(path);
	return z;
}
