/* csv.c — the CSV reader, the one place that talks to libcsv (the writer is
 * csv_write.c). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "jt_csv.h"
#include "jt_err.h"
#include "jt_input.h"
#include "jt_mem.h"
#include "jt_num.h"
#include "jt_reject.h"

#define CHUNK 65536
/* SMALL_COPY_OK: a field always starts at the start of libcsv's entry buffer,
 * which grows in steps of the block size we set (4096), so reading 32 bytes
 * from it never leaves the allocation; short fields are then copied by a few
 * inlined moves instead of a call. Only the first n + 1 bytes are used. */
#define BLK_SIZE 4096
/* plain_field copies 32 bytes from a field in the chunk, and line_sse loads
 * 16 bytes from within it: the chunk has room past its end for both. */
#define CHUNK_PAD 32
/* The largest field and the most fields in a record (jtools(7), LIMITS).
 * The field cap keeps every length that is later stored in 32 bits (keys,
 * memo entries, HTML cells) exact, and turns an unterminated quote that
 * swallows a huge file into a message instead of exhausting memory. */
#define FIELD_CAP ((size_t)512 << 20)
#define FIELDS_MAX ((size_t)1 << 20)
/* Per thread: jstage and jkpi -j read parts of one file at once. */
static _Thread_local size_t field_cap = FIELD_CAP;
static _Thread_local int cap_hit;

struct rd {
	const char *src;
	const struct jt_dialect *d;
	char delim;	/* d->delim, or the one --delimiter auto found */
	struct jt_rejects *rj;
	jt_header_fn *hf;
	jt_record_fn *rf;
	void *ctx;

	char *buf;	/* current record's fields, NUL-separated */
	size_t blen, bcap;
	size_t *off, *len;
	const char **fp;
	size_t nf, fcap;

	unsigned long long line, recline, recno;
	volatile int *stop;	/* a part of a file (jt_read_part): set by another thread to end it */
	int last_cr;
	int have_header;
	/* --lazy-quotes: a scan of the raw bytes beside libcsv finds the quotes
	 * that libcsv takes as data inside a quoted field ("web"x), after which
	 * the field runs on, maybe over many lines: the lines where they are */
	int qstate, qcr;
	unsigned long long qline;
	unsigned long long *stray;
	size_t nstray, stray0, straycap;
	unsigned warned;
	size_t ncol;
	struct jt_header *hdr;
	char **pad;	/* empty strings for --ragged */
	size_t small;	/* fields shorter than this take cb_field's short way: 32, less under a tiny field cap */
	const char *raw;	/* the line being ended, when it had no quote and no CR (jt_record.raw) */
	size_t rawlen;
};

static int no_space(unsigned char c)
{
	(void)c;
	return 0;	/* RFC 4180: spaces are data */
}

/* libcsv grows its field buffer one block (4096 bytes) per call to its
 * realloc function. Where realloc copies instead of remapping (ASan, musl,
 * macOS) a 100 MB field then costs quadratic copying: minutes. These double
 * the capacity instead, so most calls return the block as it is. The
 * capacities live in a small table (a parser per open input: lookups nest in
 * jtouch), keyed by the block, which libcsv holds by its start. */
static _Thread_local struct {
	void *p;
	size_t cap;
} grown[16];

static void *grow_realloc(void *p, size_t n, size_t limit)
{
	size_t k, cap = 0, want;
	void *np;
	for (k = 0; p && k < sizeof grown / sizeof *grown && grown[k].p != p; k++)
		;
	if (p && k < sizeof grown / sizeof *grown)
		cap = grown[k].cap;
	if (n <= cap)
		return p;
	want = cap < limit / 2 ? 2 * cap : limit;	/* never past the field cap */
	if (want < n)
		want = n;
	if (!(np = realloc(p, want)) && !(np = realloc(p, want = n)))
		return NULL;
	if (!p || k == sizeof grown / sizeof *grown)	/* a new block: a free slot, if any */
		for (k = 0; k < sizeof grown / sizeof *grown && grown[k].p; k++)
			;
	if (k < sizeof grown / sizeof *grown) {
		grown[k].p = np;
		grown[k].cap = want;
	}
	return np;
}

static void grow_free(void *p)
{
	for (size_t k = 0; p && k < sizeof grown / sizeof *grown; k++)
		if (grown[k].p == p)
			grown[k].p = NULL;
	free(p);
}

static void *capped_realloc(void *p, size_t n)
{
	if (n > field_cap + 3) {	/* libcsv's NUL, and a closing quote it holds for a while */
		cap_hit = 1;
		return NULL;
	}
	return grow_realloc(p, n, field_cap + 3);
}

/* JTOOLS_FIELD_MAX lowers the field cap (bytes, 1 to 512 MiB). */
static void set_field_cap(void)
{
	const char *e = getenv("JTOOLS_FIELD_MAX");
	uint64_t v;
	field_cap = FIELD_CAP;
	if (!e || !*e)
		return;
	if (jt_parse_size(e, &v) != 0 || v < 1 || v > FIELD_CAP)
		jt_die("JTOOLS_FIELD_MAX: '%s' is not a byte count from 1 to %zu", e, FIELD_CAP);
	field_cap = (size_t)v;
}

/* The message for a field past the cap. */
static void big_msg(const struct rd *r, char *buf, size_t n)
{
	char size[48];
	if (field_cap % ((size_t)1 << 20) == 0)
		snprintf(size, sizeof size, "%zu MiB", field_cap >> 20);
	else
		snprintf(size, sizeof size, "%zu bytes", field_cap);
	if (r->d->lazy)
		snprintf(buf, n, "field larger than %s, the most jtools reads (a stray quote? drop --lazy-quotes to find it)",
			 size);
	else
		snprintf(buf, n, "field larger than %s, the most jtools reads (an unterminated quote?)", size);
}

static _Noreturn void too_big(const struct rd *r, unsigned long long at)
{
	char m[256];
	big_msg(r, m, sizeof m);
	jt_die_at(r->src, at, "%s", m);
}

/* Room for need fields in the three per-field arrays (they share fcap). */
static void grow_fields(struct rd *r, size_t need)
{
	size_t c = r->fcap;
	void *p = r->off;
	jt_xgrow(&p, &c, need, sizeof *r->off);
	r->off = p;
	p = r->len;
	c = r->fcap;
	jt_xgrow(&p, &c, need, sizeof *r->len);
	r->len = p;
	p = r->fp;
	jt_xgrow(&p, &r->fcap, need, sizeof *r->fp);
	r->fp = p;
}

/* Any field: grows the arrays as needed. libcsv's copy is NUL-terminated
 * (CSV_APPEND_NULL), so one memcpy takes the terminator along. Newlines inside
 * quoted fields are counted once per record, in cb_record. */
static __attribute__((noinline)) void field_slow(struct rd *r, const void *s, size_t n)
{
	if (r->nf == 0)
		r->recline = r->line;
	if (n > field_cap)	/* exact here; capped_realloc stops a runaway a few bytes later */
		too_big(r, r->recline);
	if (r->nf >= r->fcap) {
		if (r->nf >= FIELDS_MAX)
			jt_die_at(r->src, r->recline, "more than %zu fields in a record, the most jtools reads", FIELDS_MAX);
		grow_fields(r, r->nf + 1);
	}
	if (r->blen + n + 48 > r->bcap) {
		void *p = r->buf;
		jt_xgrow(&p, &r->bcap, r->blen + n + 48, 1);
		r->buf = p;
	}
	r->off[r->nf] = r->blen;
	r->len[r->nf++] = n;
	if (s)
		memcpy(r->buf + r->blen, s, n + 1);
	else
		r->buf[r->blen] = '\0';
	r->blen += n + 1;
}

/* Hot path, one call per field: a short field that fits is copied by a few
 * inlined moves (see SMALL_COPY_OK); everything else takes field_slow. Kept
 * free of calls so that it needs no stack frame. */
static void cb_field(void *s, size_t n, void *data)
{
	struct rd *r = data;
	size_t nf = r->nf, blen = r->blen;
	if (nf >= r->fcap || blen + 48 > r->bcap || n >= r->small || !s) {
		field_slow(r, s, n);
		return;
	}
	if (nf == 0)
		r->recline = r->line;
	r->off[nf] = blen;
	r->len[nf] = n;
	r->nf = nf + 1;
	r->blen = blen + n + 1;
	memcpy(r->buf + blen, s, 32);
}

static void cb_record(int c, void *data);

/* The plain way, for a record that libcsv would read as it is split: a
 * field of the line, n bytes at s before its delimiter or line end. That byte
 * is in the chunk, and so are the 32 bytes cb_field copies (see CHUNK_PAD);
 * libcsv's copy would end in a NUL, this one gets it written. */
static inline void plain_field(struct rd *r, const char *s, size_t n)
{
	cb_field((void *)s, n, r);
	r->buf[r->off[r->nf - 1] + n] = '\0';
}

/* A quoted field of the line: its n bytes between the quotes at s, each
 * doubled quote in them (esc) made one, as libcsv does. */
static void quoted_field(struct rd *r, const char *s, size_t n, int esc)
{
	plain_field(r, s, n);
	if (!esc)
		return;
	char *f = r->buf + r->off[r->nf - 1], *o = f;
	for (size_t i = 0; i < n; i++) {
		*o++ = f[i];
		i += f[i] == '"';	/* the second of a pair */
	}
	*o = '\0';
	r->len[r->nf - 1] = (size_t)(o - f);
	r->blen = r->off[r->nf - 1] + (size_t)(o - f) + 1;
}

/* The fields of a line [a, b): split at the delimiter when each quote in
 * it opens a field, pairs inside it, and closes it before the delimiter or
 * the line end (none, under --lazy-quotes), which is what libcsv makes of
 * it. 0, or -1 (nothing is kept: the record starts over) for anything else
 * (a quoted field running over the line, a stray quote), which libcsv takes. */
static int split_line(struct rd *r, const unsigned char *a, const unsigned char *b)
{
	const unsigned char d = (unsigned char)r->delim;
	const unsigned char *f = a;
	for (;;) {
		if (f < b && *f == '"') {
			if (r->d->lazy)
				goto other;
			const unsigned char *q = f + 1;
			int esc = 0;
			for (;;) {
				q = memchr(q, '"', (size_t)(b - q));
				if (!q)
					goto other;	/* open at the line end */
				if (q + 1 < b && q[1] == '"') {
					esc = 1;
					q += 2;
					continue;
				}
				break;
			}
			if (q + 1 < b && q[1] != d)
				goto other;	/* "x"y */
			quoted_field(r, (const char *)f + 1, (size_t)(q - f - 1), esc);
			if (q + 1 == b)
				return 0;
			f = q + 2;
		} else {
			const unsigned char *q = memchr(f, d, (size_t)(b - f)), *e = q ? q : b;
			if (memchr(f, '"', (size_t)(e - f)))
				goto other;	/* x"y */
			plain_field(r, (const char *)f, (size_t)(e - f));
			if (!q)
				return 0;
			f = q + 1;
		}
	}
other:
	r->nf = 0;
	r->blen = 0;
	return -1;
}

#ifdef __SSE2__
/* The common line, 16 bytes at a time: from a, the fields up to its LF,
 * while no quote, no CR and no more than the field cap come before it;
 * returns the LF, or NULL (nothing kept: the record starts over) for the
 * other lines and one with no LF before end, which plain_lines takes. */
static const unsigned char *line_sse(struct rd *r, const unsigned char *a, const unsigned char *end)
{
	const __m128i vd = _mm_set1_epi8(r->delim), vn = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
		      vr = _mm_set1_epi8('\r');
	const unsigned char *f = a;
	for (const unsigned char *p = a; p < end; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vn));
		unsigned odd = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vr)));
		unsigned dm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd));
		if ((size_t)(end - p) < 16) {	/* past end: the chunk's pad */
			unsigned keep = (1u << (end - p)) - 1;
			nl &= keep;
			odd &= keep;
			dm &= keep;
		}
		if (nl) {
			unsigned before = (nl & -nl) - 1;
			odd &= before;
			dm &= before;
		}
		if (odd || (size_t)(p - a) > field_cap)
			break;
		for (; dm; dm &= dm - 1) {
			const unsigned char *q = p + __builtin_ctz(dm);
			plain_field(r, (const char *)f, (size_t)(q - f));
			f = q + 1;
		}
		if (nl) {
			const unsigned char *e = p + __builtin_ctz(nl);
			if (e > a)	/* an empty line has no field */
				plain_field(r, (const char *)f, (size_t)(e - f));
			return e;
		}
	}
	r->nf = 0;
	r->blen = 0;
	return NULL;
}
#endif

/* Reads the whole lines at the start of s[0..n) while libcsv stands at the
 * start of a record: a line with no CR but a CRLF's is split here
 * (line_sse, else split_line) when that is all libcsv would make of it, at
 * a fraction of its cost (it takes a byte at a time). Returns the bytes
 * read; the caller hands the line it stopped at to libcsv. */
static size_t plain_lines(struct rd *r, const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const unsigned char *a = s + i, *e;
#ifdef __SSE2__
		if ((e = line_sse(r, a, s + n)) != NULL) {
			r->raw = (const char *)a;
			r->rawlen = (size_t)(e - a);
			cb_record('\n', r);
			r->raw = NULL;
			i += (size_t)(e - a) + 1;
			if (r->stop && *r->stop)
				break;
			continue;
		}
#endif
		e = memchr(a, '\n', n - i);
		if (!e)
			break;
		size_t m = (size_t)(e - a);
		/* a CRLF line end, as libcsv takes it: the record ends at the CR,
		 * and the LF after it is an empty line end that cb_record skips */
		const unsigned char *cr = memchr(a, '\r', m), *b = e;
		if (cr && cr != e - 1)
			break;
		if (cr)
			b = cr;
		if (m > field_cap)
			break;
		if (b > a && split_line(r, a, b) != 0)	/* an empty line has no field */
			break;
		if (cr)
			cb_record('\r', r);
		cb_record('\n', r);
		i += m + 1;
		if (r->stop && *r->stop)
			break;
	}
	return i;
}

enum { Q_START, Q_UNQUOTED, Q_QUOTED, Q_QUOTE_IN_QUOTED };

/* Follows libcsv's lazy reading of s[0..n) and notes each line where a
 * quote inside a quoted field is followed by neither a quote, the delimiter
 * nor a line end (libcsv keeps it as data and the field stays open). */
static void scan_strays(struct rd *r, const unsigned char *s, size_t n)
{
	const unsigned char d = (unsigned char)r->delim;
	int st = r->qstate;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		int nl = c == '\n' || c == '\r';
		if (nl) {
			if (!(c == '\n' && r->qcr))
				r->qline++;
			r->qcr = c == '\r';
		} else {
			r->qcr = 0;
		}
		switch (st) {
		case Q_START:
			st = c == '"' ? Q_QUOTED : (c == d || nl) ? Q_START : Q_UNQUOTED;
			break;
		case Q_UNQUOTED:
			if (c == d || nl)
				st = Q_START;
			break;
		case Q_QUOTED:
			if (c == '"')
				st = Q_QUOTE_IN_QUOTED;
			break;
		case Q_QUOTE_IN_QUOTED:
			if (c == '"') {
				st = Q_QUOTED;
			} else if (c == d || nl) {
				st = Q_START;
			} else {
				st = Q_QUOTED;
				if (r->nstray == 0 || r->stray[r->nstray - 1] != r->qline) {
					void *p = r->stray;
					jt_xgrow(&p, &r->straycap, r->nstray + 1, sizeof *r->stray);
					r->stray = p;
					r->stray[r->nstray++] = r->qline;
				}
			}
			break;
		}
	}
	r->qstate = st;
}

/* Newlines inside the fields of the record being read. */
static unsigned long long inner_newlines(const struct rd *r)
{
	unsigned long long k = 0;
	if (!r->blen)
		return 0;	/* no field yet: buf may be NULL, and NULL + 0 is undefined */
	const char *p = r->buf, *e = r->buf + r->blen;
	while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

static int is_header(const struct rd *r, const struct jt_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		if (rec->len[i] != r->hdr->len[i] || memcmp(rec->f[i], r->hdr->name[i], rec->len[i]) != 0)
			return 0;
	return 1;
}

/* --decimal-comma: [+-]DIGITS,DIGITS becomes [+-]DIGITS.DIGITS, in place. */
static void decimal_commas(struct rd *r)
{
	for (size_t i = 0; i < r->nf; i++) {
		char *s = r->buf + r->off[i];
		size_t n = r->len[i], k = 0, a;
		if (n < 3 || !memchr(s, ',', n))
			continue;
		if (s[0] == '+' || s[0] == '-')
			k++;
		for (a = k; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			;
		if (k == a || k + 1 >= n || s[k] != ',')
			continue;
		for (a = ++k; k < n && s[k] >= '0' && s[k] <= '9'; k++)
			;
		if (k == n)
			s[a - 1] = '.';
	}
}

static void emit(struct rd *r)
{
	struct jt_record rec;
	if (r->stop && *r->stop)
		return;
	for (size_t i = 0; i < r->nf; i++)
		r->fp[i] = r->buf + r->off[i];
	rec.f = r->fp;
	rec.len = r->len;
	rec.n = r->nf;
	rec.line = r->recline;
	rec.recno = 0;
	rec.raw = r->d->decimal_comma ? NULL : r->raw;	/* --decimal-comma may change a field */
	rec.rawlen = r->rawlen;
	rec.delim = r->delim;

	if (!r->have_header) {
		struct jt_header h;
		r->have_header = 1;
		r->ncol = r->nf;
		if (r->d->no_header) {
			h.n = r->nf;
			h.name = jt_xmalloc(h.n * sizeof *h.name);
			h.len = jt_xmalloc(h.n * sizeof *h.len);
			for (size_t i = 0; i < h.n; i++) {
				char num[32];
				h.len[i] = (size_t)snprintf(num, sizeof num, "%zu", i + 1);
				h.name[i] = jt_xstrdup(num);
			}
			r->hdr = jt_header_copy(&h);
			for (size_t i = 0; i < h.n; i++)
				free(h.name[i]);
			free(h.name);
			free(h.len);
		} else {
			h.n = r->nf;
			h.name = (char **)r->fp;
			h.len = r->len;
			r->hdr = jt_header_copy(&h);
		}
		if (r->rj)
			jt_rejects_header(r->rj, r->hdr);
		r->hf(r->ctx, r->src, r->hdr);
		if (!r->d->no_header)
			return;
	}
	if (rec.n < r->ncol && r->d->ragged) {
		if (r->ncol > r->fcap) {
			grow_fields(r, r->ncol);
			rec.f = r->fp;
			rec.len = r->len;
		}
		for (size_t i = rec.n; i < r->ncol; i++) {
			r->fp[i] = "";
			r->len[i] = 0;
		}
		rec.n = r->ncol;
		rec.raw = NULL;
	}
	unsigned long long span = 0, stray = 0;
	if (r->stray0 < r->nstray) {	/* lazy quotes, and a stray quote not yet placed */
		span = inner_newlines(r);
		if (span && r->blen >= 2 && r->buf[r->blen - 2] == '\n')
			span--;	/* a field open to the end of the input took the last line end too */
		while (r->stray0 < r->nstray && r->stray[r->stray0] <= rec.line + span) {
			if (r->stray[r->stray0] >= rec.line && !stray)
				stray = r->stray[r->stray0];
			r->stray0++;
		}
		if (!stray)
			span = 0;
		if (r->stray0 == r->nstray)
			r->stray0 = r->nstray = 0;	/* all placed: the list stays short */
	}
	if (!r->d->no_header && !r->d->header_rows && rec.n == r->ncol && rec.len[0] == r->hdr->len[0] &&
	    (rec.len[0] == 0 || rec.f[0][0] == r->hdr->name[0][0]) && is_header(r, &rec)) {
		/* the header again: exports joined with cat. Not data. */
		if (r->rj)
			jt_header_repeated(r->rj, r->src, rec.line);
		return;
	}
	rec.recno = ++r->recno;
	if (r->rj)
		jt_rows_in(r->rj);
	if (rec.n != r->ncol) {
		if (r->rj)	/* its fields cannot be trusted to name its customer */
			jt_row_unowned(r->rj);
		if (span)	/* the stray quote swallowed the lines after it */
			jt_reject(r->rj, r->src, &rec, "field count",
				  "expected %zu fields, found %zu (a stray quote on line %llu makes one record of lines %llu-%llu)",
				  r->ncol, rec.n, stray, rec.line, rec.line + span);
		else if (rec.n < r->ncol)
			jt_reject(r->rj, r->src, &rec, "field count",
				  "expected %zu fields, found %zu (use --ragged to pad short rows)",
				  r->ncol, rec.n);
		else
			jt_reject(r->rj, r->src, &rec, "field count", "expected %zu fields, found %zu",
				  r->ncol, rec.n);
		return;
	}
	if (r->d->decimal_comma)
		decimal_commas(r);
	if (span && r->warned++ < 5)	/* the count fits by chance: these lines may be rows run together */
		jt_warn("%s:%llu: a stray quote on line %llu makes one record of lines %llu-%llu (check it; "
			"without --lazy-quotes it stops the run)", r->src, rec.line, stray, rec.line, rec.line + span);
	r->rf(r->ctx, r->src, &rec);
}

static void cb_record(int c, void *data)
{
	struct rd *r = data;
	if (c == '\n' && r->last_cr && r->nf == 0) {
		r->last_cr = 0;	/* the LF of a CRLF */
		return;
	}
	if (r->nf > 0) {
		emit(r);
		r->line += inner_newlines(r);
	}
	r->nf = 0;
	r->blen = 0;
	if (c == '\r') {
		r->line++;
		r->last_cr = 1;
	} else if (c == '\n') {
		r->line++;
		r->last_cr = 0;
	}
}

/* --delimiter auto: of ',' ';' tab '|', the one the first line of s[0..n)
 * has most of outside quotes; a comma when it has none (one column); a tie
 * is an error (-d says which). */
static int guess_delim(const unsigned char *s, size_t n, char *out, char *err, size_t errlen)
{
	static const char cand[4] = { ',', ';', '\t', '|' };
	static const char *const shown[4] = { "','", "';'", "tab", "'|'" };
	size_t cnt[4] = { 0, 0, 0, 0 }, best = 0;
	int q = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '"')
			q = !q;
		else if (!q && (c == '\n' || c == '\r'))
			break;
		else if (!q)
			for (size_t k = 0; k < 4; k++)
				cnt[k] += c == (unsigned char)cand[k];
	}
	for (size_t k = 1; k < 4; k++)
		if (cnt[k] > cnt[best])
			best = k;
	for (size_t k = 0; k < 4; k++)
		if (k != best && cnt[k] && cnt[k] == cnt[best]) {
			snprintf(err, errlen, "--delimiter auto cannot tell: the first line has %zu %s and %zu %s "
				 "(give -d CHAR)", cnt[k < best ? k : best], shown[k < best ? k : best],
				 cnt[best], shown[k < best ? best : k]);
			return -1;
		}
	*out = cand[best];
	return 0;
}

/* The message of a libcsv error: stream errors come back to the caller. */
static int fail(char *err, size_t errlen, unsigned long long *eline, unsigned long long at, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, unsigned long long *eline, unsigned long long at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	*eline = at;
	return -1;
}

static int read_stream(FILE *fp, const char *src, const struct jt_dialect *d, struct jt_rejects *rj,
		       jt_header_fn *hf, jt_record_fn *rf, void *ctx, char *err, size_t errlen,
		       unsigned long long *eline, const struct jt_part *part)
{
	struct rd r;
	struct csv_parser p;
	static _Thread_local unsigned char chunk[CHUNK + CHUNK_PAD];
	size_t n;
	int first = 1, rc = 0;
	uint64_t left = part && part->end ? part->end - part->start : UINT64_MAX;
	const unsigned char *mem = part ? part->buf : NULL;	/* read ahead (jt_read_buf), before fp */
	size_t memleft = mem ? part->buflen : 0;
	/* JTOOLS_PLAIN=0: every byte through libcsv (the tests compare) */
	const char *pe = getenv("JTOOLS_PLAIN");
	int plain = !(pe && strcmp(pe, "0") == 0);
	struct jt_input *in = NULL;

	memset(&r, 0, sizeof r);
	r.src = src;
	r.d = d;
	r.rj = rj;
	r.hf = hf;
	r.rf = rf;
	r.ctx = ctx;
	r.line = 1;
	r.qline = 1;
	if (part && part->line0)
		r.line = r.qline = part->line0;
	if (part) {
		r.stop = part->stop;
		first = part->start == 0;
		if (part->hdr) {	/* a part after the first: the header is the file's */
			r.have_header = 1;
			r.hdr = jt_header_copy(part->hdr);
			r.ncol = r.hdr->n;
			if (rj)
				jt_rejects_header(rj, r.hdr);
			hf(ctx, src, r.hdr);
		}
	}

	if (csv_init(&p, (unsigned char)((d->lazy ? 0 : CSV_STRICT | CSV_STRICT_FINI) |
					 CSV_APPEND_NULL | CSV_REPALL_NL)) != 0)
		jt_die("out of memory");
	csv_set_space_func(&p, no_space);
	csv_set_blk_size(&p, BLK_SIZE);
	set_field_cap();
	cap_hit = 0;
	r.small = field_cap < 32 ? field_cap + 1 : 32;
	csv_set_realloc_func(&p, capped_realloc);
	csv_set_free_func(&p, grow_free);

	r.delim = d->delim;
	csv_set_delim(&p, (unsigned char)r.delim);	/* a part after the first: the file's first part guessed none */
	while (rc == 0 && left && !(r.stop && *r.stop)) {
		/* a compressed input, or --encoding: read through jt_input, whose
		 * look-ahead is the first block (no seek: pipes too) */
		unsigned char *s = chunk;
		long got;
		if (in) {
			got = jt_input_read(in, chunk, CHUNK, err, errlen, eline);
		} else if (memleft) {	/* all of it at once: it has the pad the splitters read past its end */
			s = (unsigned char *)(uintptr_t)mem;
			got = (long)memleft;
			memleft = 0;
		} else {
			got = fp ? (long)fread(chunk, 1, left < CHUNK ? (size_t)left : CHUNK, fp) : 0;
		}
		if (got <= 0) {
			rc = got < 0 ? -1 : 0;
			break;
		}
		n = (size_t)got;
		/* a stream's start (not a part of a file cut ahead) */
		if (first && !in && (!part || part->buf) && jt_input_needed(d->encoding, s, n)) {
			if (s != chunk)
				memcpy(chunk, s, n);	/* the look-ahead (at most CHUNK: jt_read_buf) */
			in = jt_input_new(fp, src, d->encoding, chunk, n);
			continue;
		}
		if (left != UINT64_MAX)
			left -= n;
		if (first) {
			first = 0;
			if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
				s += 3;
				n -= 3;
			} else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
				rc = fail(err, errlen, eline, 1, "UTF-16 input (use --encoding auto, or --encoding UTF-16)");
				break;
			}
			if (d->delim_auto && guess_delim(s, n, &r.delim, err, errlen) != 0) {
				*eline = 1;
				rc = -1;
				break;
			}
			csv_set_delim(&p, (unsigned char)r.delim);
			if (d->decimal_comma && r.delim == ',')
				jt_warn("%s: --decimal-comma with ',' as the delimiter reads only quoted numbers (\"1234,5\"); "
					"an unquoted one is two fields (give -d ';' or --delimiter auto)", src);
		}
		if (d->lazy)
			scan_strays(&r, s, n);
		if (r.delim == '"' || r.delim == '\n' || r.delim == '\r')
			plain = 0;	/* a line is not split at such a delimiter */
		size_t done = 0;
		while (done < n) {
			/* at the start of a record: plain lines the quick way, then
			 * one line (to its LF, or the rest) through libcsv */
			if (plain && p.pstate == 0 && r.nf == 0 && (done += plain_lines(&r, s + done, n - done)) >= n)
				break;
			if (r.stop && *r.stop)
				break;
			const unsigned char *nl = memchr(s + done, '\n', n - done);
			size_t m = nl ? (size_t)(nl - (s + done)) + 1 : n - done;
			if (csv_parse(&p, s + done, m, cb_field, cb_record, &r) != m)
				break;
			done += m;
		}
		if (done < n && !(r.stop && *r.stop)) {
			int e = csv_error(&p);
			unsigned long long at = r.nf ? r.recline : r.line;
			if (e == CSV_EPARSE) {
				rc = fail(err, errlen, eline, at, "bad quote (use --lazy-quotes to accept stray quotes)");
			} else if (e == CSV_ENOMEM && cap_hit) {
				big_msg(&r, err, errlen);
				*eline = at;
				rc = -1;
			} else if (e == CSV_ENOMEM) {
				jt_die("out of memory");
			} else {
				rc = fail(err, errlen, eline, at, "%s", csv_strerror(e));
			}
		}
	}
	if (rc == 0 && fp && ferror(fp))
		rc = fail(err, errlen, eline, 0, "read error: %s", strerror(errno));
	if (rc == 0 && csv_fini(&p, cb_field, cb_record, &r) != 0) {
		if (csv_error(&p) == CSV_EPARSE)
			rc = fail(err, errlen, eline, r.nf ? r.recline : r.line,
				  "unterminated quoted field (opened on line %llu)", r.line + inner_newlines(&r));
		else
			rc = fail(err, errlen, eline, r.line, "%s", csv_strerror(csv_error(&p)));
	}
	if (part && part->lines)
		*part->lines = r.line - 1;
	csv_free(&p);
	jt_input_free(in);
	free(r.buf);
	free(r.off);
	free(r.len);
	free(r.fp);
	free(r.stray);
	jt_header_free(r.hdr);
	return rc;
}

int jt_read_fp(FILE *fp, const char *src, const struct jt_dialect *d, struct jt_rejects *rj,
	       jt_header_fn *hf, jt_record_fn *rf, void *ctx, char *err, size_t errlen, unsigned long long *eline)
{
	return read_stream(fp, src, d, rj, hf, rf, ctx, err, errlen, eline, NULL);
}

int jt_read_part(const char *path, const struct jt_dialect *d, struct jt_rejects *rj, jt_header_fn *hf,
		 jt_record_fn *rf, void *ctx, const struct jt_part *part, char *err, size_t errlen,
		 unsigned long long *eline)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s", strerror(errno));
		*eline = 0;
		return -1;
	}
	int rc;
	if (fseeko(fp, (off_t)part->start, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		*eline = 0;
		rc = -1;
	} else {
		rc = read_stream(fp, path, d, rj, hf, rf, ctx, err, errlen, eline, part);
	}
	fclose(fp);
	return rc;
}

int jt_read_buf(FILE *fp, const char *src, const struct jt_dialect *d, struct jt_rejects *rj, jt_header_fn *hf,
		jt_record_fn *rf, void *ctx, const struct jt_part *part, char *err, size_t errlen,
		unsigned long long *eline)
{
	return read_stream(fp, src, d, rj, hf, rf, ctx, err, errlen, eline, part);
}

void jt_die_if_dir(FILE *fp, const char *src)
{
	struct stat st;
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;	/* as a missing file says it: "dir: Is a directory" */
		jt_die("%s:", src);
	}
}

void jt_read(const char *path, const struct jt_dialect *d, struct jt_rejects *rj,
	     jt_header_fn *hf, jt_record_fn *rf, void *ctx)
{
	int is_stdin = !path || strcmp(path, "-") == 0;
	const char *src = is_stdin ? "<stdin>" : path;
	FILE *fp;
	char err[256];
	unsigned long long line = 0;

	if (is_stdin)
		fp = stdin;
	else if (!(fp = fopen(path, "rb")))
		jt_die("%s:", path);
	jt_die_if_dir(fp, src);
	if (rj)
		jt_rejects_file_begin(rj);
	int rc = jt_read_fp(fp, src, d, rj, hf, rf, ctx, err, sizeof err, &line);
	if (!is_stdin)
		fclose(fp);
	if (rc != 0)
		jt_die_at(src, line, "%s", err);
	if (rj)
		jt_rejects_file_end(rj, src);
}

int jt_header_equal(const struct jt_header *a, const struct jt_header *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->len[i] != b->len[i] || memcmp(a->name[i], b->name[i], a->len[i]) != 0)
			return 0;
	return 1;
}

int jt_header_first(struct jt_header **keep, const struct jt_header *h, const char *src)
{
	if (!*keep) {
		*keep = jt_header_copy(h);
		return 1;
	}
	if (!jt_header_equal(*keep, h))
		jt_die_at(src, 1, "a header unlike the first input's (every input of one run needs the same columns)");
	return 0;
}

struct jt_header *jt_header_copy(const struct jt_header *h)
{
	struct jt_header *c = jt_xmalloc(sizeof *c);
	c->n = h->n;
	c->name = jt_xmalloc((h->n ? h->n : 1) * sizeof *c->name);
	c->len = jt_xmalloc((h->n ? h->n : 1) * sizeof *c->len);
	for (size_t i = 0; i < h->n; i++) {
		c->name[i] = jt_xmemdup(h->name[i], h->len[i]);
		c->len[i] = h->len[i];
	}
	return c;
}

void jt_header_free(struct jt_header *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		free(h->name[i]);
	free(h->name);
	free(h->len);
	free(h);
}

const char *jt_libcsv_version(void)
{
	static char v[32];
	snprintf(v, sizeof v, "%d.%d.%d", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
	return v;
}
