/* err.c — messages: "prog: [src:line: ]message" on stderr, one line. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"
#include "jt_mem.h"

static const char *progname = "jtools";
static int quiet;
static void (*die_hook)(void);
/* Threads that fail at once (two parts, a full disk): the first one says it
 * and ends the run; the others wait here until it has. */
static pthread_mutex_t die_lock = PTHREAD_MUTEX_INITIALIZER;

void jt_setprogname(const char *name) { progname = name; }
const char *jt_progname(void) { return progname; }
void jt_set_quiet(int q) { quiet = q; }
int jt_quiet(void) { return quiet; }
void jt_on_die(void (*fn)(void)) { die_hook = fn; }

/* Writes s[0..n) as jt_show does, without its cut: control bytes and bytes
 * that are not valid UTF-8 escaped, so a message is one line of UTF-8 however
 * the names and values in it were spelled. */
static size_t utf8_len(const unsigned char *s, size_t n);
static void put_clean(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else if (c < 0x80)
			fputc(c, f);
		else {
			size_t u = utf8_len((const unsigned char *)s + i, n - i);
			if (u) {
				fwrite(s + i, 1, u, f);
				i += u - 1;
			} else {
				fprintf(f, "\\x%02x", c);
			}
		}
	}
}

void jt_clean(struct jt_buf *b)
{
	char *p;
	size_t n;
	FILE *f = open_memstream(&p, &n);
	if (!f)
		return;
	put_clean(f, b->p ? b->p : "", b->len);
	fclose(f);
	jt_buf_reset(b);
	jt_buf_add(b, p, n);
	free(p);
}

/* One message line, "prog: HEAD" and s cleaned, then tail, written to stderr
 * with one write: the programs of a pipeline share stderr, and a line written
 * a byte at a time would mix with theirs (a cron mail of garbled lines). */
static void say(const char *head, const char *s, size_t n, const char *tail)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);
	fflush(stdout);
	if (!f) {	/* no memory for the line: the same bytes, written as they come */
		fprintf(stderr, "%s: %s", progname, head);
		put_clean(stderr, s, n);
		fprintf(stderr, "\n%s", tail ? tail : "");
		return;
	}
	fprintf(f, "%s: %s", progname, head);
	put_clean(f, s, n);
	fputc('\n', f);
	if (tail)
		fputs(tail, f);
	fclose(f);
	fwrite(p, 1, len, stderr);
	free(p);
}

static __attribute__((format(printf, 3, 0))) void vmsg(const char *prefix, const char *tail, const char *fmt,
							  va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);
	struct jt_buf b = JT_BUF_INIT;

	jt_buf_vprintf(&b, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		jt_buf_printf(&b, " %s", strerror(saved));
	say(prefix, b.p ? b.p : "", b.len, tail);
	jt_buf_free(&b);
}

static _Noreturn void die_exit(int code)
{
	if (die_hook)
		die_hook();
	exit(code);
}

void jt_die(const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&die_lock);	/* never unlocked: exit follows */
	va_start(ap, fmt);
	vmsg("", NULL, fmt, ap);
	va_end(ap);
	die_exit(JT_EXIT_DATA);
}

void jt_die_at(const char *src, unsigned long long line, const char *fmt, ...)
{
	va_list ap;
	struct jt_buf b = JT_BUF_INIT;
	if (line)
		jt_buf_printf(&b, "%s:%llu: ", src, line);
	else
		jt_buf_printf(&b, "%s: ", src);
	va_start(ap, fmt);
	jt_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&die_lock);	/* never unlocked: exit follows */
	say("", b.p, b.len, NULL);
	jt_buf_free(&b);
	die_exit(JT_EXIT_DATA);
}

void jt_usage_error(const char *fmt, ...)
{
	va_list ap;
	struct jt_buf tail = JT_BUF_INIT;
	jt_buf_printf(&tail, "Try '%s --help' for more information.\n", progname);
	va_start(ap, fmt);
	vmsg("", tail.p, fmt, ap);
	va_end(ap);
	jt_buf_free(&tail);
	die_exit(JT_EXIT_USAGE);
}

void jt_warn(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", NULL, fmt, ap);
	va_end(ap);
}

void jt_info(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vmsg("", NULL, fmt, ap);
	va_end(ap);
}

void jt_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", NULL, fmt, ap);
	va_end(ap);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	unsigned cp;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1Fu;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0Fu;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07u;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3Fu);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

int jt_utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x80)
			continue;
		size_t u = utf8_len((const unsigned char *)s + i, n - i);
		if (!u)
			return 0;
		i += u - 1;
	}
	return 1;
}

const char *jt_show(const char *s, size_t n)
{
	static _Thread_local char bufs[4][400];
	static _Thread_local int k;
	char *b = bufs[k++ & 3];
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o > 80) {
			memcpy(b + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\n') {
			b[o++] = '\\';
			b[o++] = 'n';
		} else if (c == '\r') {
			b[o++] = '\\';
			b[o++] = 'r';
		} else if (c == '\t') {
			b[o++] = '\\';
			b[o++] = 't';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(b + o, 8, "\\x%02x", c);
		} else if (c < 0x80) {
			b[o++] = (char)c;
		} else {
			size_t u = utf8_len((const unsigned char *)s + i, n - i);
			if (u) {	/* valid UTF-8 as it is */
				memcpy(b + o, s + i, u);
				o += u;
				i += u - 1;
			} else {	/* a stray byte (Latin-1, a cut sequence): messages stay UTF-8 */
				o += (size_t)snprintf(b + o, 8, "\\x%02x", c);
			}
		}
	}
	b[o] = '\0';
	return b;
}
