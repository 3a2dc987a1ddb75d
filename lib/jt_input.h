/* jt_input.h — the bytes the CSV reader parses, when they are not the file's
 * bytes as they are: a gzip, bzip2, xz or zstd stream (told by its magic
 * bytes, on a pipe too: the reader's first block is the look-ahead, nothing
 * is sought), and text in another encoding (--encoding), turned into UTF-8.
 * Only lib/csv.c uses it; an input that needs neither never comes here. */
#ifndef JT_INPUT_H
#define JT_INPUT_H

#include <stddef.h>
#include <stdio.h>

struct jt_input;

/* 1 when an input that starts with head[0..n) must be read through
 * jt_input: it is compressed, or encoding (--encoding, NULL for none) is set. */
int jt_input_needed(const char *encoding, const unsigned char *head, size_t n);
/* Takes over fp, of which head[0..n) was read already (copied). */
struct jt_input *jt_input_new(FILE *fp, const char *src, const char *encoding, const unsigned char *head,
			      size_t n);
/* Fills buf (cap >= 8) with decoded bytes, all but at most 7 of it until
 * the end, never splitting a character: their
 * count, 0 at the end, or -1 with a message in err and its line in *line
 * (0: none). */
long jt_input_read(struct jt_input *in, unsigned char *buf, size_t cap, char *err, size_t errlen,
		   unsigned long long *line);
void jt_input_free(struct jt_input *in);

/* An --encoding value: "auto" or a name iconv knows. 0, or -1 with why in err. */
int jt_encoding_check(const char *name, char *err, size_t errlen);

#endif
