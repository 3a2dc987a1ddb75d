/* csv_write.c — the CSV writer (jt_writer, jt_csv.h): a field is quoted
 * only when it must be (the delimiter, a quote, a line end, a leading or
 * trailing blank), --excel-safe's formula guard, records assembled in a
 * buffer and written whole. The reader is csv.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_csv.h"
#include "jt_err.h"
#include "jt_input.h"
#include "jt_mem.h"

static const unsigned char *special_table(char delim)
{
	static _Thread_local unsigned char t[256];
	static _Thread_local int init_for = -1;
	if (init_for != (unsigned char)delim) {
		memset(t, 0, sizeof t);
		t['"'] = t['\r'] = t['\n'] = 1;
		t[(unsigned char)delim] = 1;
		init_for = (unsigned char)delim;
	}
	return t;
}

/* A leading or trailing blank (n > 0): the field is quoted to keep it. */
static inline int blank_edge(const char *s, size_t n)
{
	return s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t';
}

static int needs_quote(const char *s, size_t n, char delim)
{
	const unsigned char *t = special_table(delim);
	if (n == 0)
		return 0;
	if (blank_edge(s, n))
		return 1;
	for (size_t i = 0; i < n; i++)
		if (t[(unsigned char)s[i]])
			return 1;
	return 0;
}

static int excel_safe;

void jt_csv_excel_safe(int on) { excel_safe = on; }

/* A plain number: [+-] digits [. digits] [e [+-] digits], a digit somewhere
 * before the exponent ("-", "+.", "-e5" are not numbers). */
static int plain_number(const char *s, size_t n)
{
	size_t i = 0, digits = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	if (!digits)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			e++;
		if (!e)
			return 0;
	}
	return i == n;
}

static int formula_start(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	switch (s[0]) {
	case '=': case '@': case '\t': case '\r':
		return 1;
	case '+': case '-':
		return !plain_number(s, n);
	default:
		return 0;
	}
}

int jt_excel_risky(const char *s, size_t n)
{
	return excel_safe && formula_start(s, n);
}

void jt_writer_init(struct jt_writer *w, FILE *fp)
{
	w->fp = fp;
	w->mem = NULL;
	w->excel = excel_safe;
	w->delim = ',';
	w->nfield = 0;
	w->lastlen = 0;
	w->used = 0;
	w->started = 0;
}

/* The first field of the output starting with what a reader takes for a byte
 * order mark (UTF-8), a UTF-16 mark or the magic of a compressed file (gzip,
 * bzip2, xz, zstd: a field of an input that began with a BOM can): written as
 * it is, the next program would drop the mark, refuse the file or try to
 * decompress it, so it is quoted. */
static int mark_first(const struct jt_writer *w, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	return !w->started && w->nfield == 0 && n >= 2 &&
	       ((n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) || (u[0] == 0xFF && u[1] == 0xFE) ||
		(u[0] == 0xFE && u[1] == 0xFF) || jt_input_needed(NULL, u, n));
}

/* A memory sink (a thread's slice of a round) grows a buffer the caller
 * keeps from round to round, so its pages are faulted in once. */
static void wout(struct jt_writer *w, const char *s, size_t n)
{
	if (w->mem)
		jt_buf_add(w->mem, s, n);
	else
		fwrite(s, 1, n, w->fp);
}

/* A record is assembled in w->buf and written with one fwrite at its end
 * (a field too big for the buffer goes straight through). */
static void wflush(struct jt_writer *w)
{
	if (w->used)
		wout(w, w->buf, w->used);
	w->used = 0;
}

static void wput(struct jt_writer *w, const char *s, size_t n)
{
	if (n > sizeof w->buf - w->used) {
		wflush(w);
		if (n > sizeof w->buf / 2) {
			wout(w, s, n);
			return;
		}
	}
	memcpy(w->buf + w->used, s, n);
	w->used += n;
}

static void wputc(struct jt_writer *w, char c)
{
	if (w->used == sizeof w->buf)
		wflush(w);
	w->buf[w->used++] = c;
}

/* The cell as a quoted field, after the opening quote (and what follows it):
 * each quote doubled, then the closing quote. */
static void w_quoted_rest(struct jt_writer *w, const char *s, size_t n)
{
	const char *p = s, *e = s + n, *q;
	while ((q = memchr(p, '"', (size_t)(e - p))) != NULL) {
		wput(w, p, (size_t)(q - p) + 1);
		wputc(w, '"');
		p = q + 1;
	}
	wput(w, p, (size_t)(e - p));
	wputc(w, '"');
}

static void w_quoted(struct jt_writer *w, const char *s, size_t n)
{
	wputc(w, '"');
	w_quoted_rest(w, s, n);
}

#define ONES 0x0101010101010101ULL
/* Non-zero when some byte of x is zero (the classic SWAR test). */
static inline uint64_t zbyte(uint64_t x) { return (x - ONES) & ~x & 0x8080808080808080ULL; }

/* What copy_scan needs of the delimiter, made once per field or record. */
struct qscan {
	const unsigned char *t;	/* special_table */
	uint64_t dl, below;
	unsigned char lim;	/* every special byte is below it */
};

static struct qscan qscan_of(char delim)
{
	struct qscan q;
	q.t = special_table(delim);
	q.dl = ONES * (unsigned char)delim;
	q.lim = (unsigned char)(((unsigned char)delim > '"' ? (unsigned char)delim : '"') + 1);
	q.below = ONES * q.lim;
	return q;
}

/* Copies s[0..n) (n > 0) to d and says whether the field needs quotes (a
 * leading or trailing blank, or a special byte), in one pass, 8 bytes at a
 * time: a word with no byte below lim needs no closer look. */
static inline __attribute__((always_inline)) int copy_scan(const struct qscan *q, char *d, const char *s, size_t n)
{
	uint64_t bad = (uint64_t)blank_edge(s, n);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t x;
		memcpy(&x, s + i, 8);
		memcpy(d + i, &x, 8);
		if (q->lim <= 128 && !((x - q->below) & ~x & 0x8080808080808080ULL))
			continue;
		bad |= zbyte(x ^ (ONES * '"')) | zbyte(x ^ (ONES * '\n')) | zbyte(x ^ (ONES * '\r')) | zbyte(x ^ q->dl);
	}
	for (; i < n; i++) {
		d[i] = s[i];
		bad |= q->t[(unsigned char)s[i]];
	}
	return bad != 0;
}

/* --excel-safe: ' then the cell, quoted when the cell needs it (its first
 * byte no longer counts as a leading blank: it is not first any more). */
static void w_excel(struct jt_writer *w, const char *s, size_t n)
{
	const unsigned char *t = special_table(w->delim);
	int quote = s[n - 1] == ' ' || s[n - 1] == '\t';
	for (size_t i = 0; i < n && !quote; i++)
		quote = t[(unsigned char)s[i]];
	if (w->nfield++)
		wputc(w, w->delim);
	if (!quote) {
		wputc(w, '\'');
		wput(w, s, n);
		return;
	}
	wput(w, "\"'", 2);
	w_quoted_rest(w, s, n);
}

void jt_w_field(struct jt_writer *w, const char *s, size_t n)
{
	w->lastlen = n;
	if (w->excel && formula_start(s, n)) {
		w_excel(w, s, n);
		return;
	}
	if (mark_first(w, s, n)) {
		w->nfield++;
		w_quoted(w, s, n);
		return;
	}
	if (w->used + n + 1 > sizeof w->buf) {	/* rare: a big field */
		if (w->nfield++)
			wputc(w, w->delim);
		if (needs_quote(s, n, w->delim))
			w_quoted(w, s, n);
		else
			wput(w, s, n);
		return;
	}
	char *d = w->buf + w->used;
	if (w->nfield++)
		*d++ = w->delim;
	if (n == 0) {
		w->used = (size_t)(d - w->buf);
		return;
	}
	const struct qscan q = qscan_of(w->delim);
	int bad = copy_scan(&q, d, s, n);
	w->used = (size_t)(d - w->buf);
	if (bad)
		w_quoted(w, s, n);
	else
		w->used += n;
}

void jt_w_record(struct jt_writer *w, const char *const *f, const size_t *len, size_t n, uint64_t safe)
{
	const struct qscan q = qscan_of(w->delim);
	const char delim = w->delim;
	char *d = w->buf + w->used, *const end = w->buf + sizeof w->buf;

	/* very wide records, --excel-safe, the output's first record: field by field */
	if (n > sizeof w->buf / 4 || w->excel || !w->started) {
		for (size_t k = 0; k < n; k++)
			jt_w_field(w, f[k], len[k]);
		jt_w_end(w);
		return;
	}
	/* Kept true at the start of every field: the buffer has room for the
	 * delimiters and the newline still to come. A field is copied in place
	 * only when it fits beside all of them; else, and when it needs quotes,
	 * it goes through the buffered helpers, after which the room is made
	 * again (they may leave the buffer full). */
	if ((size_t)(end - d) < n + 2) {
		w->used = (size_t)(d - w->buf);
		wflush(w);
		d = w->buf;
	}
	for (size_t k = 0; k < n; k++) {
		const char *s = f[k];
		size_t m = len[k];
		if (k)
			*d++ = delim;
		if (m == 0)
			continue;
		if ((size_t)(end - d) < m + n + 2) {
			w->used = (size_t)(d - w->buf);
			wflush(w);
			d = w->buf;
		}
		int fits = m + n + 2 <= sizeof w->buf;
		if (fits && k < 64 && (safe >> k & 1)) {	/* the caller vouches: nothing to quote */
			memcpy(d, s, m);
			d += m;
			continue;
		}
		/* a field too big to sit beside the rest of the record: the helpers */
		int bad = !fits || copy_scan(&q, d, s, m);
		if (!bad) {
			d += m;
			continue;
		}
		w->used = (size_t)(d - w->buf);	/* the rare way: through the buffered helpers */
		if (needs_quote(s, m, delim))
			w_quoted(w, s, m);
		else
			wput(w, s, m);
		if (sizeof w->buf - w->used < n + 2)
			wflush(w);
		d = w->buf + w->used;
	}
	w->used = (size_t)(d - w->buf);
	if (n == 1 && len[0] == 0)
		wput(w, "\"\"", 2);
	wputc(w, '\n');
	w->nfield = 0;
	w->started = 1;
	if (w->used > sizeof w->buf / 2)
		wflush(w);
}

const char *jt_record_raw(const struct jt_record *rec, const struct jt_writer *w, size_t *len)
{
	if (!rec->raw || rec->delim != w->delim || w->excel || !w->started)
		return NULL;
	for (size_t i = 0; i < rec->n; i++)
		if (rec->len[i] && blank_edge(rec->f[i], rec->len[i]))
			return NULL;	/* the writer quotes it */
	*len = rec->rawlen;
	return rec->raw;
}

void jt_w_record_raw(struct jt_writer *w, const char *raw, size_t rn, const char *const *f, const size_t *len,
		     size_t n)
{
	wput(w, raw, rn);
	w->nfield = 1;	/* the next field has a delimiter before it */
	for (size_t k = 0; k < n; k++)
		jt_w_field(w, f[k], len[k]);
	wputc(w, '\n');
	w->nfield = 0;
	w->started = 1;
	if (w->used > sizeof w->buf / 2)
		wflush(w);
}

void jt_writer_flush(struct jt_writer *w)
{
	wflush(w);
}

void jt_w_empty(struct jt_writer *w, size_t k)
{
	if (k == 0)
		return;
	size_t d = k - (w->nfield == 0);
	w->nfield += k;
	w->lastlen = 0;
	while (d--)
		wputc(w, w->delim);
}

void jt_w_str(struct jt_writer *w, const char *s)
{
	jt_w_field(w, s, strlen(s));
}

void jt_w_end(struct jt_writer *w)
{
	if (w->nfield == 1 && w->lastlen == 0)
		wput(w, "\"\"", 2);
	wputc(w, '\n');
	wflush(w);
	w->nfield = 0;
	w->started = 1;
}

void jt_csv_quote(struct jt_buf *b, const char *s, size_t n, char delim)
{
	if (!needs_quote(s, n, delim)) {
		jt_buf_add(b, s, n);
		return;
	}
	jt_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			jt_buf_addc(b, '"');
		jt_buf_addc(b, s[i]);
	}
	jt_buf_addc(b, '"');
}
