/* input.c — compressed inputs and other encodings, turned into the UTF-8
 * bytes the CSV reader parses (jt_input.h). Two layers, each kept in the
 * input's struct (nothing static but tables):
 *   produce(): the file's bytes, decompressed when its first bytes are the
 *              magic of gzip, bzip2, xz or zstd (zlib, libbz2, liblzma, libzstd);
 *   decode():  those bytes as UTF-8: as they are, through iconv (--encoding
 *              NAME), or, for --encoding auto, told by a BOM (UTF-8, UTF-16)
 *              or by the first block holding a byte above 127 (UTF-8 when it
 *              is valid UTF-8, else windows-1252, said once on stderr). */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "jt_err.h"
#include "jt_input.h"
#include "jt_mem.h"

#define RAW 65536	/* compressed bytes read at a time */
#define MID 65536	/* decompressed bytes waiting to be decoded */

enum comp { C_NONE, C_GZIP, C_BZIP2, C_XZ, C_ZSTD };
static const char *const comp_name[] = { "", "gzip", "bzip2", "xz", "zstd" };

enum mode {
	M_PASS,	/* the bytes as they are */
	M_ICONV,	/* through iconv */
	M_CP1252,	/* auto's fallback: windows-1252 as WHATWG reads it (every byte is a character) */
	M_AUTO_START,	/* auto: a BOM? */
	M_AUTO_PENDING	/* auto: no BOM, only ASCII so far */
};

struct jt_input {
	FILE *fp;
	const char *src;
	const char *encoding;	/* as given (messages) */
	const char *reading;	/* the encoding being read (messages) */
	enum comp comp;
	int eof;	/* fp read to its end */
	unsigned char *raw;	/* bytes of fp not yet handed to the decompressor */
	size_t rawpos, rawlen;

	int started;	/* the decompressor was set up (to be ended) */
	int ended;	/* the last stream (gzip member, bzip2 stream) ended */
	size_t zret;	/* zstd: the last call that made progress (0: at a frame's end) */
	z_stream z;
	bz_stream bz;
	lzma_stream xz;
	ZSTD_DStream *zs;

	enum mode mode;
	iconv_t cd;
	int flushed;	/* iconv's shift state written at the end */
	int need;	/* iconv: an incomplete character, read more */
	unsigned char *mid;	/* produced bytes not yet decoded */
	size_t midpos, midlen;
	int midend;	/* produce() is at its end */

	int count;	/* count line ends (decoding: the line of a decoding error) */
	unsigned long long lines;	/* line ends in the bytes returned so far */
	int cr;	/* the last byte returned was a CR */

	int failed;	/* an error, reported once the bytes before it are read */
	int failline;	/* the message names a line (decoding) */
	char msg[256];
};

/* WHATWG's windows-1252 for 0x80-0x9F (0xA0-0xFF are Latin-1): the five
 * bytes Microsoft left unassigned read as the C1 controls, as browsers do. */
static const uint16_t cp1252_hi[32] = {
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178
};

static int fail(struct jt_input *in, int withline, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct jt_input *in, int withline, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(in->msg, sizeof in->msg, fmt, ap);
	va_end(ap);
	in->failed = 1;
	in->failline = withline;
	return -1;
}

static enum comp sniff(const unsigned char *s, size_t n)
{
	static const unsigned char bz_block[6] = { 0x31, 0x41, 0x59, 0x26, 0x53, 0x59 },	/* pi */
				   bz_end[6] = { 0x17, 0x72, 0x45, 0x38, 0x50, 0x90 };	/* sqrt(pi): empty */
	if (n >= 3 && s[0] == 0x1F && s[1] == 0x8B && s[2] == 8)
		return C_GZIP;
	/* "BZh" alone could start a CSV header: the block magic must follow */
	if (n >= 10 && s[0] == 'B' && s[1] == 'Z' && s[2] == 'h' && s[3] >= '1' && s[3] <= '9' &&
	    (memcmp(s + 4, bz_block, 6) == 0 || memcmp(s + 4, bz_end, 6) == 0))
		return C_BZIP2;
	if (n >= 6 && memcmp(s, "\xFD" "7zXZ\0", 6) == 0)
		return C_XZ;
	if (n >= 4 && s[0] == 0x28 && s[1] == 0xB5 && s[2] == 0x2F && s[3] == 0xFD)
		return C_ZSTD;
	return C_NONE;
}

int jt_input_needed(const char *encoding, const unsigned char *head, size_t n)
{
	return encoding || sniff(head, n) != C_NONE;
}

int jt_encoding_check(const char *name, char *err, size_t errlen)
{
	if (strcmp(name, "auto") == 0)
		return 0;
	iconv_t cd = *name ? iconv_open("UTF-8", name) : (iconv_t)-1;
	if (cd == (iconv_t)-1) {
		snprintf(err, errlen, "'%s' is not an encoding iconv knows (iconv -l lists them; or auto)",
			 jt_show(name, strlen(name)));
		return -1;
	}
	iconv_close(cd);
	return 0;
}

/* ---- produce: the file's bytes, decompressed ---------------------------- */

static int raw_more(struct jt_input *in)
{
	in->rawpos = in->rawlen = 0;
	if (in->eof)
		return 0;
	size_t n = fread(in->raw, 1, RAW, in->fp);
	if (n < RAW) {
		if (ferror(in->fp))
			return fail(in, 0, "read error: %s", strerror(errno));
		in->eof = 1;
	}
	in->rawlen = n;
	return 0;
}

static long truncated(struct jt_input *in)
{
	return fail(in, 0, "%s data ends early (a truncated file?)", comp_name[in->comp]);
}

static long gz(struct jt_input *in, unsigned char *dst, size_t cap)
{
	z_stream *z = &in->z;
	z->next_out = dst;
	z->avail_out = (uInt)cap;
	for (;;) {
		if (z->avail_in == 0 && in->rawpos < in->rawlen) {
			z->next_in = in->raw + in->rawpos;
			z->avail_in = (uInt)(in->rawlen - in->rawpos);
			in->rawpos = in->rawlen;
		}
		if (z->avail_in == 0 && !in->eof) {
			if (raw_more(in) != 0)
				return -1;
			continue;
		}
		size_t got = cap - z->avail_out;
		if (in->ended) {	/* another member follows (cat a.gz b.gz), or the end */
			if (z->avail_in == 0)
				return (long)got;
			inflateReset(z);
			in->ended = 0;
		}
		if (z->avail_out == 0)
			return (long)got;
		int rc = inflate(z, Z_NO_FLUSH);
		got = cap - z->avail_out;
		if (rc == Z_STREAM_END) {
			in->ended = 1;
		} else if (rc == Z_BUF_ERROR) {	/* no progress: input needed */
			if (z->avail_in == 0 && in->eof)
				return got ? (long)got : truncated(in);
		} else if (rc == Z_MEM_ERROR) {
			jt_die("out of memory");
		} else if (rc != Z_OK) {
			return fail(in, 0, "bad gzip data (%s)", z->msg ? z->msg : "zlib error");
		}
	}
}

static long bz(struct jt_input *in, unsigned char *dst, size_t cap)
{
	bz_stream *b = &in->bz;
	b->next_out = (char *)dst;
	b->avail_out = (unsigned)cap;
	for (;;) {
		if (b->avail_in == 0 && in->rawpos < in->rawlen) {
			b->next_in = (char *)in->raw + in->rawpos;
			b->avail_in = (unsigned)(in->rawlen - in->rawpos);
			in->rawpos = in->rawlen;
		}
		if (b->avail_in == 0 && !in->eof) {
			if (raw_more(in) != 0)
				return -1;
			continue;
		}
		size_t got = cap - b->avail_out;
		if (in->ended) {	/* concatenated streams (pbzip2 writes them), or the end */
			if (b->avail_in == 0)
				return (long)got;
			char *ni = b->next_in;
			unsigned ai = b->avail_in;
			BZ2_bzDecompressEnd(b);
			in->started = 0;
			if (BZ2_bzDecompressInit(b, 0, 0) != BZ_OK)
				jt_die("out of memory");
			in->started = 1;
			b->next_in = ni;
			b->avail_in = ai;
			b->next_out = (char *)dst + got;
			b->avail_out = (unsigned)(cap - got);
			in->ended = 0;
		}
		if (b->avail_out == 0)
			return (long)got;
		unsigned in0 = b->avail_in, out0 = b->avail_out;
		int rc = BZ2_bzDecompress(b);
		got = cap - b->avail_out;
		if (rc == BZ_STREAM_END) {
			in->ended = 1;
		} else if (rc == BZ_OK) {
			if (b->avail_in == in0 && b->avail_out == out0) {	/* no progress */
				if (b->avail_in == 0 && in->eof)
					return got ? (long)got : truncated(in);
				if (b->avail_in != 0)
					return fail(in, 0, "bad bzip2 data");
			}
		} else if (rc == BZ_MEM_ERROR) {
			jt_die("out of memory");
		} else {
			return fail(in, 0, "bad bzip2 data (%s)",
				    rc == BZ_DATA_ERROR_MAGIC ? "not a bzip2 stream" : "data integrity error");
		}
	}
}

static long xz(struct jt_input *in, unsigned char *dst, size_t cap)
{
	lzma_stream *x = &in->xz;
	x->next_out = dst;
	x->avail_out = cap;
	for (;;) {
		if (x->avail_in == 0 && in->rawpos < in->rawlen) {
			x->next_in = in->raw + in->rawpos;
			x->avail_in = in->rawlen - in->rawpos;
			in->rawpos = in->rawlen;
		}
		if (x->avail_in == 0 && !in->eof) {
			if (raw_more(in) != 0)
				return -1;
			continue;
		}
		size_t got = cap - x->avail_out;
		if (in->ended || x->avail_out == 0)
			return (long)got;
		lzma_ret rc = lzma_code(x, x->avail_in == 0 && in->eof ? LZMA_FINISH : LZMA_RUN);
		got = cap - x->avail_out;
		if (rc == LZMA_STREAM_END) {
			in->ended = 1;
		} else if (rc == LZMA_BUF_ERROR) {	/* no progress at the end */
			return got ? (long)got : truncated(in);
		} else if (rc == LZMA_MEM_ERROR) {
			jt_die("out of memory");
		} else if (rc != LZMA_OK) {
			return fail(in, 0, "bad xz data (%s)",
				    rc == LZMA_FORMAT_ERROR ? "not an xz stream" :
				    rc == LZMA_OPTIONS_ERROR ? "unsupported options" :
				    rc == LZMA_MEMLIMIT_ERROR ? "memory limit" : "corrupt data");
		}
	}
}

static long zst(struct jt_input *in, unsigned char *dst, size_t cap)
{
	ZSTD_outBuffer out = { dst, cap, 0 };
	for (;;) {
		if (in->rawpos == in->rawlen && !in->eof) {
			if (raw_more(in) != 0)
				return -1;
			continue;
		}
		if (out.pos == cap)
			return (long)out.pos;
		ZSTD_inBuffer ib = { in->raw, in->rawlen, in->rawpos };
		size_t in0 = ib.pos, out0 = out.pos;
		size_t rc = ZSTD_decompressStream(in->zs, &out, &ib);
		in->rawpos = ib.pos;
		if (ZSTD_isError(rc))
			return fail(in, 0, "bad zstd data (%s)", ZSTD_getErrorName(rc));
		if (ib.pos != in0 || out.pos != out0) {
			in->zret = rc;
		} else if (in->rawpos == in->rawlen && in->eof) {	/* no progress at the end */
			if (out.pos)
				return (long)out.pos;
			return in->zret ? truncated(in) : 0;
		}
	}
}

/* The file's next bytes, decompressed: their count (at most cap), 0 at the end, -1 failed. */
static long produce(struct jt_input *in, unsigned char *dst, size_t cap)
{
	switch (in->comp) {
	case C_GZIP:
		return gz(in, dst, cap);
	case C_BZIP2:
		return bz(in, dst, cap);
	case C_XZ:
		return xz(in, dst, cap);
	case C_ZSTD:
		return zst(in, dst, cap);
	case C_NONE:
	default:
		break;
	}
	if (in->rawpos < in->rawlen) {	/* the look-ahead first */
		size_t n = in->rawlen - in->rawpos < cap ? in->rawlen - in->rawpos : cap;
		memcpy(dst, in->raw + in->rawpos, n);
		in->rawpos += n;
		return (long)n;
	}
	if (in->eof)
		return 0;
	size_t n = fread(dst, 1, cap, in->fp);
	if (n < cap) {
		if (ferror(in->fp))
			return fail(in, 0, "read error: %s", strerror(errno));
		in->eof = 1;
	}
	return (long)n;
}

/* ---- decode: those bytes as UTF-8 ---------------------------------------- */

/* More produced bytes into mid, after the ones not yet decoded. */
static int mid_fill(struct jt_input *in)
{
	if (in->midpos > 0) {
		memmove(in->mid, in->mid + in->midpos, in->midlen - in->midpos);
		in->midlen -= in->midpos;
		in->midpos = 0;
	}
	if (in->midlen == MID || in->midend)
		return 0;
	long n = produce(in, in->mid + in->midlen, MID - in->midlen);
	if (n < 0)
		return -1;
	if (n == 0)
		in->midend = 1;
	in->midlen += (size_t)n;
	return 0;
}

static size_t take(struct jt_input *in, unsigned char *dst, size_t cap, size_t upto)
{
	size_t n = upto - in->midpos < cap ? upto - in->midpos : cap;
	memcpy(dst, in->mid + in->midpos, n);
	in->midpos += n;
	return n;
}

/* s[0..n) from its first byte above 127: 1 when it is valid UTF-8, -1 and
 * *bad at the first byte that is not, 0 when all there is is one character
 * cut by the block's end (more is needed; last: there is no more). */
static int utf8_block(const unsigned char *s, size_t n, int last, size_t *bad)
{
	int seen = 0;
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 2, cp = c & 0x1Fu;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 3, cp = c & 0x0Fu;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 4, cp = c & 0x07u;
		else
			return *bad = i, -1;
		size_t j = 1;
		for (; j < k && i + j < n; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return *bad = i, -1;
			cp = cp << 6 | (s[i + j] & 0x3Fu);
		}
		if (j < k) {	/* cut by the end of the block */
			if (last)
				return *bad = i, -1;
			return seen;
		}
		if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return *bad = i, -1;
		seen = 1;
		i += k;
	}
	return seen;
}

static unsigned long long lines_in(const unsigned char *s, size_t n)
{
	unsigned long long k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n' ? !(i && s[i - 1] == '\r') : s[i] == '\r';
	return k;
}

static int open_iconv(struct jt_input *in, const char *name)
{
	in->cd = iconv_open("UTF-8", name);
	if (in->cd == (iconv_t)-1)
		return fail(in, 0, "cannot read %s with iconv: %s", name, strerror(errno));
	in->reading = name;
	in->mode = M_ICONV;
	return 0;
}

static long dec_iconv(struct jt_input *in, unsigned char *dst, size_t cap)
{
	for (;;) {
		if (in->midpos == in->midlen || in->need) {
			if (in->midend) {
				if (in->midpos < in->midlen)
					return fail(in, 1, "the input ends inside a %s character (a truncated file?)",
						    in->reading);
				if (in->flushed)
					return 0;
				char *op = (char *)dst;
				size_t ol = cap;
				in->flushed = 1;
				iconv(in->cd, NULL, NULL, &op, &ol);	/* a shift state's reset, if any */
				if (ol < cap)
					return (long)(cap - ol);
				return 0;
			}
			size_t had = in->midlen - in->midpos;
			if (mid_fill(in) != 0)
				return -1;
			if (in->midlen - in->midpos > had || in->midend)
				in->need = 0;
			continue;
		}
		char *ip = (char *)in->mid + in->midpos, *op = (char *)dst;
		size_t il = in->midlen - in->midpos, ol = cap;
		size_t rc = iconv(in->cd, &ip, &il, &op, &ol);
		int e = errno;
		in->midpos = (size_t)((unsigned char *)ip - in->mid);
		size_t got = cap - ol;
		if (got)
			return (long)got;	/* an error after them comes at the next call */
		if (rc != (size_t)-1)
			continue;
		if (e == EINVAL) {
			in->need = 1;
		} else if (e == EILSEQ && strcmp(in->encoding, "auto") == 0) {
			return fail(in, 1, "byte 0x%02x is not %s (--encoding auto took %s from the byte order mark)",
				    in->mid[in->midpos], in->reading, in->reading);
		} else if (e == EILSEQ) {
			return fail(in, 1, "byte 0x%02x is not %s (check --encoding; auto tells UTF-8, UTF-16 and "
				    "windows-1252 apart)", in->mid[in->midpos], jt_show(in->reading, strlen(in->reading)));
		} else {
			return fail(in, 1, "cannot convert from %s: %s", in->reading, strerror(e));
		}
	}
}

static long dec_cp1252(struct jt_input *in, unsigned char *dst, size_t cap)
{
	for (;;) {
		size_t o = 0, i = in->midpos, n = in->midlen;
		const unsigned char *s = in->mid;
		while (i < n && o + 3 <= cap) {
			unsigned c = s[i++];
			if (c < 0x80) {
				dst[o++] = (unsigned char)c;
				continue;
			}
			if (c < 0xA0)
				c = cp1252_hi[c - 0x80];
			if (c < 0x800) {
				dst[o++] = (unsigned char)(0xC0 | c >> 6);
				dst[o++] = (unsigned char)(0x80 | (c & 0x3F));
			} else {
				dst[o++] = (unsigned char)(0xE0 | c >> 12);
				dst[o++] = (unsigned char)(0x80 | (c >> 6 & 0x3F));
				dst[o++] = (unsigned char)(0x80 | (c & 0x3F));
			}
		}
		in->midpos = i;
		if (o)
			return (long)o;
		if (in->midend)
			return 0;
		if (mid_fill(in) != 0)
			return -1;
	}
}

/* auto: a BOM says UTF-8 or UTF-16; without one, the first block that holds
 * a byte above 127 decides between UTF-8 and windows-1252. */
static long dec_auto(struct jt_input *in, unsigned char *dst, size_t cap)
{
	while (in->mode == M_AUTO_START) {
		size_t have = in->midlen - in->midpos;
		if (have < 3 && !in->midend) {
			if (mid_fill(in) != 0)
				return -1;
			continue;
		}
		const unsigned char *s = in->mid + in->midpos;
		if (have >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
			in->midpos += 2;
			return open_iconv(in, "UTF-16LE");
		}
		if (have >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
			in->midpos += 2;
			return open_iconv(in, "UTF-16BE");
		}
		/* a UTF-8 BOM: UTF-8 (the reader drops the BOM) */
		in->mode = have >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? M_PASS : M_AUTO_PENDING;
	}
	for (;;) {
		if (in->midpos == in->midlen) {
			if (in->midend)
				return 0;
			if (mid_fill(in) != 0)
				return -1;
			continue;
		}
		const unsigned char *s = in->mid + in->midpos;
		size_t n = in->midlen - in->midpos, k = 0;
		while (k < n && s[k] < 0x80)
			k++;
		if (k)	/* ASCII is the same either way */
			return (long)take(in, dst, cap, in->midpos + k);
		size_t bad = 0;
		int v = utf8_block(s, n, in->midend, &bad);
		if (v == 0) {	/* one cut character: look further */
			if (mid_fill(in) != 0)
				return -1;
			if (in->midlen - in->midpos == n && !in->midend)
				v = 1;	/* the block is full of it: cannot happen with MID > 4 */
			else
				continue;
		}
		if (v > 0) {
			in->mode = M_PASS;
		} else {
			in->mode = M_CP1252;
			in->reading = "windows-1252";
			jt_warn("%s:%llu: byte 0x%02x is not UTF-8: reading the input as windows-1252 (--encoding auto; "
				"give --encoding NAME if it is another)", in->src,
				in->lines + lines_in(s, bad) + 1, s[bad]);
		}
		return 0;	/* decided: the caller decodes on */
	}
}

static long decode(struct jt_input *in, unsigned char *dst, size_t cap)
{
	for (;;) {
		switch (in->mode) {
		case M_PASS:
			if (in->midpos < in->midlen)
				return (long)take(in, dst, cap, in->midlen);
			return in->midend ? 0 : produce(in, dst, cap);
		case M_ICONV:
			return dec_iconv(in, dst, cap);
		case M_CP1252:
			return dec_cp1252(in, dst, cap);
		case M_AUTO_START:
		case M_AUTO_PENDING: {
			enum mode was = in->mode;
			long n = dec_auto(in, dst, cap);
			if (n != 0 || in->mode == was)
				return n;	/* bytes, the end, or an error */
			break;	/* decided: decode with the new mode */
		}
		}
	}
}

struct jt_input *jt_input_new(FILE *fp, const char *src, const char *encoding, const unsigned char *head,
			      size_t n)
{
	struct jt_input *in = jt_xcalloc(1, sizeof *in);
	in->fp = fp;
	in->src = src;
	in->encoding = encoding;
	in->cd = (iconv_t)-1;
	in->raw = jt_xmalloc(n > RAW ? n : RAW);
	memcpy(in->raw, head, n);
	in->rawlen = n;
	in->eof = feof(fp) || ferror(fp);
	in->comp = sniff(head, n);
	switch (in->comp) {
	case C_GZIP:
		if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)	/* gzip wrapper only */
			jt_die("out of memory");
		in->started = 1;
		break;
	case C_BZIP2:
		if (BZ2_bzDecompressInit(&in->bz, 0, 0) != BZ_OK)
			jt_die("out of memory");
		in->started = 1;
		break;
	case C_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;
		in->xz = init;
		if (lzma_stream_decoder(&in->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
			jt_die("out of memory");
		in->started = 1;
		break;
	}
	case C_ZSTD:
		if (!(in->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(in->zs)))
			jt_die("out of memory");
		break;
	case C_NONE:
		break;
	}
	in->mode = M_PASS;
	in->count = encoding != NULL;
	if (encoding) {
		in->mid = jt_xmalloc(MID);
		if (strcmp(encoding, "auto") == 0)
			in->mode = M_AUTO_START;
		else if (open_iconv(in, encoding) != 0)
			in->failline = 0;	/* reported at the first read */
	}
	return in;
}

long jt_input_read(struct jt_input *in, unsigned char *buf, size_t cap, char *err, size_t errlen,
		   unsigned long long *line)
{
	size_t got = 0;
	/* room for a character of 4 bytes is left for each step (a step never
	 * splits one, and 0 from it means the end) */
	while (cap - got >= 8 && !in->failed) {
		unsigned char *p = buf + got;
		long n = decode(in, p, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (in->count) {	/* lines before a decoding error or the fallback's byte */
			in->lines += lines_in(p, (size_t)n) - (in->cr && p[0] == '\n');
			in->cr = p[n - 1] == '\r';
		}
	}
	if (got || !in->failed)
		return (long)got;
	snprintf(err, errlen, "%s", in->msg);
	*line = in->failline ? in->lines + 1 : 0;
	return -1;
}

void jt_input_free(struct jt_input *in)
{
	if (!in)
		return;
	if (in->started && in->comp == C_GZIP)
		inflateEnd(&in->z);
	if (in->started && in->comp == C_BZIP2)
		BZ2_bzDecompressEnd(&in->bz);
	if (in->started && in->comp == C_XZ)
		lzma_end(&in->xz);
	if (in->zs)
		ZSTD_freeDStream(in->zs);
	if (in->cd != (iconv_t)-1)
		iconv_close(in->cd);
	free(in->raw);
	free(in->mid);
	free(in);
}
