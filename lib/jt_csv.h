/* jt_csv.h — CSV reading (over libcsv) and writing.
 *
 * Reading: strict RFC 4180 unless lazy; fields are never trimmed; a leading
 * UTF-8 BOM is dropped; LF, CRLF and CR line ends; blank lines skipped but
 * counted; each record carries the physical line where it starts. Field
 * pointers are borrowed: valid only during the callback. No allocation per
 * field: one buffer per reader holds the current record.
 */
#ifndef JT_CSV_H
#define JT_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct jt_rejects;

struct jt_dialect {
	char delim;
	int no_header;	/* first record is data; columns are named 1, 2, ... */
	int ragged;	/* pad short records with empty fields */
	int lazy;	/* accept stray quotes (libcsv non-strict, capped field size) */
	int header_rows;	/* a record equal to the header is data (jkpi --merge: concatenated
			   partials); else it is skipped and counted (exports joined with cat) */
	/* Decoding (jtools(7), Encodings and compression). A gzip, bzip2, xz or
	 * zstd input is always read decompressed, told by its first bytes. */
	const char *encoding;	/* --encoding: NULL reads the bytes as they are; "auto"; an iconv name */
	int delim_auto;	/* --delimiter auto: ',' ';' tab or '|', the one the first line has most of */
	int decimal_comma;	/* --decimal-comma: a data field [+-]DIGITS,DIGITS is read with a '.' */
};

struct jt_record {
	size_t n;
	const char *const *f;	/* NUL-terminated (fields may also hold NUL: use len) */
	const size_t *len;
	unsigned long long line;	/* physical line where the record starts */
	unsigned long long recno;	/* data record number, header excluded */
	/* The record's bytes in the input, without the line end, when it was
	 * one line with no quote and no CR, split at delim (else NULL): see
	 * jt_record_raw. */
	const char *raw;
	size_t rawlen;
	char delim;
};

struct jt_header {
	size_t n;
	char **name;	/* owned copies */
	size_t *len;
};

typedef void jt_header_fn(void *ctx, const char *src, const struct jt_header *h);
typedef void jt_record_fn(void *ctx, const char *src, const struct jt_record *r);

/* Reads one input (path NULL or "-" = stdin, named "<stdin>"). Calls hf once
 * with the header (not at all for an empty input), then rf per data record
 * whose field count matches; other records go to rj as "field count" rejects.
 * Stream errors (unreadable file, bad quote, unterminated quote, UTF-16
 * without --encoding, bad compressed data, bytes not in the encoding) exit 1. */
void jt_read(const char *path, const struct jt_dialect *d, struct jt_rejects *rj,
	     jt_header_fn *hf, jt_record_fn *rf, void *ctx);
/* The same on an open stream named src, without exiting on a stream error:
 * returns 0, or -1 with the message in err and its line in *line (0: none).
 * The callbacks and rj behave as in jt_read. */
int jt_read_fp(FILE *fp, const char *src, const struct jt_dialect *d, struct jt_rejects *rj,
	       jt_header_fn *hf, jt_record_fn *rf, void *ctx, char *err, size_t errlen, unsigned long long *line);

/* A part of a regular file, for reading one file on several threads
 * (lib/par.c finds the parts): bytes [start, end) (end 0: to the end), which
 * begin and end at record boundaries. A part after the first has no header
 * line: hdr is the file's header, given to hf as if read. Line numbers in
 * records and messages count from 1 at start; *lines (when not NULL) gets the
 * physical lines read, for the next part's numbers. *stop, when set by
 * another thread, ends the read early (no more callbacks). */
struct jt_part {
	uint64_t start, end;
	const struct jt_header *hdr;
	volatile int *stop;
	unsigned long long *lines;
	/* jt_read_buf: the part's bytes in memory, followed by JT_READ_PAD
	 * readable bytes (not read as data); start is their offset in the stream */
	const unsigned char *buf;
	size_t buflen;
	unsigned long long line0;	/* the line it starts on, when known (0: 1) */
};
#define JT_READ_PAD 32
int jt_read_part(const char *path, const struct jt_dialect *d, struct jt_rejects *rj, jt_header_fn *hf,
		 jt_record_fn *rf, void *ctx, const struct jt_part *part, char *err, size_t errlen,
		 unsigned long long *eline);

/* The same over part->buf (a stream read ahead: jt_par_stream), then, when
 * fp is not NULL, the rest of fp. A part at start 0 is read as a stream's
 * start: a byte order mark dropped, compression and --encoding told from
 * its first bytes (then buflen must be at most 64 KiB, the look-ahead). */
int jt_read_buf(FILE *fp, const char *src, const struct jt_dialect *d, struct jt_rejects *rj, jt_header_fn *hf,
		jt_record_fn *rf, void *ctx, const struct jt_part *part, char *err, size_t errlen,
		unsigned long long *eline);

/* Stops the run (exit 1) when fp is a directory, said as for a missing file. */
void jt_die_if_dir(FILE *fp, const char *src);

int jt_header_equal(const struct jt_header *a, const struct jt_header *b);
/* Several inputs of one run: keeps a copy of the first header and returns 1;
 * for a later one returns 0, or stops the run when it differs. */
int jt_header_first(struct jt_header **keep, const struct jt_header *h, const char *src);
struct jt_header *jt_header_copy(const struct jt_header *h);
void jt_header_free(struct jt_header *h);

/* Writing: comma, LF, minimal quoting (a field is quoted when it holds the
 * delimiter, a quote, CR or LF, or starts or ends with a space or tab); a
 * record of one empty field is written "". The output's very first field is
 * quoted too when it starts with a byte order mark, a UTF-16 mark or a
 * compressed file's magic, which the next reader would otherwise drop, refuse
 * or try to decompress. */
struct jt_buf;
struct jt_writer {
	FILE *fp;
	struct jt_buf *mem;	/* when set, the output is appended here instead of fp */
	char delim;
	int excel;	/* --excel-safe when the writer was set up */
	size_t nfield;
	size_t lastlen;
	size_t used;	/* the record so far, written at jt_w_end */
	int started;	/* a record has been ended: the output no longer starts here */
	char buf[4096];
};
void jt_writer_init(struct jt_writer *w, FILE *fp);
/* --excel-safe (OWASP CSV injection): every writer set up afterwards writes
 * a cell that starts with =, +, -, @, TAB or CR and is not a plain number
 * (-12, +3.5, -1e3) with a ' in front, so a spreadsheet shows it as text
 * instead of running it as a formula. Off by default: it changes bytes. */
void jt_csv_excel_safe(int on);
/* 1 when --excel-safe is on and the cell s[0..n) needs the ' (TSV writers). */
int jt_excel_risky(const char *s, size_t n);
void jt_w_field(struct jt_writer *w, const char *s, size_t n);
void jt_w_str(struct jt_writer *w, const char *s);
/* A whole record, ended. It may stay in the writer's buffer: call
 * jt_writer_flush before writing to fp otherwise and at the end. Bit k of
 * safe says field k (< 64) never needs quoting (the caller made it). */
void jt_w_record(struct jt_writer *w, const char *const *f, const size_t *len, size_t n, uint64_t safe);
/* rec's input bytes when w would write exactly them for rec's fields
 * (the same delimiter, no field with a leading or trailing blank, no
 * --excel-safe, not the output's first record), for jt_w_record_raw;
 * else NULL. */
const char *jt_record_raw(const struct jt_record *rec, const struct jt_writer *w, size_t *len);
/* A record whose first fields are raw[0..rn) (jt_record_raw), then
 * f[0..n) as jt_w_record writes them. */
void jt_w_record_raw(struct jt_writer *w, const char *raw, size_t rn, const char *const *f, const size_t *len,
		     size_t n);
void jt_writer_flush(struct jt_writer *w);
/* k empty fields. */
void jt_w_empty(struct jt_writer *w, size_t k);
void jt_w_end(struct jt_writer *w);
/* Appends s as one CSV field (quoted when needed) to b. */
void jt_csv_quote(struct jt_buf *b, const char *s, size_t n, char delim);

const char *jt_libcsv_version(void);

#endif
