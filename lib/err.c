/* err.c — messages: "prog: [src:line: ]message" on stderr, one line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_err.h"

static const char *progname = "jtools";
static int quiet;
static void (*die_hook)(void);

void jt_setprogname(const char *name) { progname = name; }
const char *jt_progname(void) { return progname; }
void jt_set_quiet(int q) { quiet = q; }
int jt_quiet(void) { return quiet; }
void jt_on_die(void (*fn)(void)) { die_hook = fn; }

static __attribute__((format(printf, 2, 0))) void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
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
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	die_exit(JT_EXIT_DATA);
}

void jt_die_at(const char *src, unsigned long long line, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (line)
		fprintf(stderr, "%s: %s:%llu: ", progname, src, line);
	else
		fprintf(stderr, "%s: %s: ", progname, src);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	die_exit(JT_EXIT_DATA);
}

void jt_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	die_exit(JT_EXIT_USAGE);
}

void jt_warn(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void jt_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

const char *jt_show(const char *s, size_t n)
{
	static char bufs[4][400];
	static int k;
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
		} else {
			b[o++] = (char)c;
		}
	}
	b[o] = '\0';
	return b;
}
