/* csv.c — the CSV reader (lib/csv.c) on any bytes: strict and --lazy-quotes,
 * with and without --ragged, comma and tab. Checks: no stream error ever
 * exits (jt_read_fp returns it); every record has the header's field count
 * and NUL-terminated fields; records + rejects = rows read; and every
 * accepted record written back (jt_w_record) reads back the same in strict
 * mode; and libcsv alone (JTOOLS_PLAIN=0) reads the same as the plain
 * way. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jt.h"

struct run {
	int no_header;
	size_t ncol;
	unsigned long long nrec, lastline;
	struct jt_buf seen;	/* the records as read: n, then each len and bytes */
	struct jt_writer w;
	int write;
};

static void note(struct jt_buf *b, const char *const *f, const size_t *len, size_t n)
{
	jt_buf_add(b, &n, sizeof n);
	for (size_t i = 0; i < n; i++) {
		jt_buf_add(b, &len[i], sizeof len[i]);
		jt_buf_add(b, f[i], len[i]);
	}
}

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct run *r = ctx;
	(void)src;
	FUZZ_ASSERT(h->n > 0, "a header of no fields");
	for (size_t i = 0; i < h->n; i++)
		FUZZ_ASSERT(h->name[i][h->len[i]] == '\0', "header name %zu not NUL-terminated", i);
	r->ncol = h->n;
	if (!r->no_header) {
		note(&r->seen, (const char *const *)h->name, h->len, h->n);
		if (r->write)
			jt_w_record(&r->w, (const char *const *)h->name, h->len, h->n, 0);
	}
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct run *r = ctx;
	(void)src;
	FUZZ_ASSERT(rec->n == r->ncol, "record of %zu fields, header has %zu", rec->n, r->ncol);
	FUZZ_ASSERT(rec->line >= 1 && rec->line >= r->lastline, "line %llu after %llu", rec->line, r->lastline);
	for (size_t i = 0; i < rec->n; i++)
		FUZZ_ASSERT(rec->f[i][rec->len[i]] == '\0', "field %zu not NUL-terminated", i);
	r->lastline = rec->line;
	r->nrec++;
	note(&r->seen, rec->f, rec->len, rec->n);
	if (r->write) {
		if (r->nrec & 1) {
			jt_w_record(&r->w, rec->f, rec->len, rec->n, 0);
		} else {	/* the field-by-field writer too */
			for (size_t i = 0; i < rec->n; i++)
				jt_w_field(&r->w, rec->f[i], rec->len[i]);
			jt_w_end(&r->w);
		}
	}
}

/* Reads data under d; 0 ok, -1 a stream error. With out, writes what it read. */
static int read_once(const char *data, size_t size, const struct jt_dialect *d, struct run *r, char **out,
		     size_t *outlen)
{
	struct jt_common c;
	char err[256];
	unsigned long long line = 0;
	FILE *fp = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	FILE *wf = out ? open_memstream(out, outlen) : NULL;
	FUZZ_ASSERT(fp && (!out || wf), "fmemopen/open_memstream failed");

	jt_common_init(&c);
	c.dialect = *d;
	struct jt_rejects *rj = jt_rejects_new(&c);
	r->no_header = d->no_header;
	r->write = out != NULL;
	if (wf) {
		jt_writer_init(&r->w, wf);
		r->w.delim = d->delim;
	}
	err[0] = '\0';
	int rc = jt_read_fp(fp, "fuzz", d, rj, on_header, on_record, r, err, sizeof err, &line);
	if (rc != 0)
		FUZZ_ASSERT(err[0] != '\0', "a stream error without a message");
	else
		FUZZ_ASSERT(jt_rows_read(rj) == r->nrec + jt_rejected(rj), "rows read %llu != %llu records + %llu rejected",
			    (unsigned long long)jt_rows_read(rj), r->nrec, (unsigned long long)jt_rejected(rj));
	if (wf) {
		jt_writer_flush(&r->w);
		fclose(wf);
	}
	fclose(fp);
	jt_rejects_free(rj);
	return rc;
}

static void one(const char *data, size_t size, int lazy, int ragged, int no_header, char delim)
{
	struct jt_dialect d = { .delim = delim, .no_header = no_header, .ragged = ragged, .lazy = lazy };
	struct run a, b;
	char *out = NULL;
	size_t outlen = 0;
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	int rc = read_once(data, size, &d, &a, &out, &outlen);
	/* The plain way (lines without quotes or CR split without libcsv) and
	 * libcsv alone read the same records, lines and errors. */
	struct run c;
	memset(&c, 0, sizeof c);
	setenv("JTOOLS_PLAIN", "0", 1);
	int rc3 = read_once(data, size, &d, &c, NULL, NULL);
	unsetenv("JTOOLS_PLAIN");
	FUZZ_ASSERT(rc3 == rc && c.nrec == a.nrec && c.lastline == a.lastline && c.seen.len == a.seen.len &&
			    (a.seen.len == 0 || memcmp(a.seen.p, c.seen.p, a.seen.len) == 0),
		    "the plain way and libcsv alone read different records (lazy %d ragged %d)", lazy, ragged);
	jt_buf_free(&c.seen);
	/* Written back and read strictly, the accepted records come back as they
	 * were (a first field that starts with a byte order mark included: the
	 * writer quotes it). */
	if (rc == 0) {
		struct jt_dialect strict = { .delim = delim, .no_header = no_header };
		int rc2 = read_once(out, outlen, &strict, &b, NULL, NULL);
		FUZZ_ASSERT(rc2 == 0, "the writer's output does not read back (lazy %d ragged %d)", lazy, ragged);
		FUZZ_ASSERT(a.seen.len == b.seen.len && (a.seen.len == 0 || memcmp(a.seen.p, b.seen.p, a.seen.len) == 0),
			    "the writer's output reads back different records (lazy %d ragged %d)", lazy, ragged);
	}
	free(out);
	jt_buf_free(&a.seen);
	jt_buf_free(&b.seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	jt_set_quiet(1);
	for (int lazy = 0; lazy < 2; lazy++)
		for (int ragged = 0; ragged < 2; ragged++)
			one(s, size, lazy, ragged, 0, ',');
	one(s, size, 1, 1, 1, '\t');
	one(s, size, 0, 0, 0, ';');
	return 0;
}
