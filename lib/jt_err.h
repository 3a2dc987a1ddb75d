/* err.h — program name, messages and exit codes shared by every jtools program. */
#ifndef JT_ERR_H
#define JT_ERR_H

#include <stdarg.h>

enum { JT_EXIT_OK = 0, JT_EXIT_DATA = 1, JT_EXIT_USAGE = 2 };

void jt_setprogname(const char *name);
const char *jt_progname(void);
void jt_set_quiet(int quiet);
int jt_quiet(void);

/* A format ending in ':' gets ": strerror(errno)" appended (sbase idiom). */
_Noreturn void jt_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prog: SRC:LINE: message, exit 1. */
_Noreturn void jt_die_at(const char *src, unsigned long long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* prog: message, then "Try 'prog --help' ...", exit 2. */
_Noreturn void jt_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prog: warning: message (silenced by -q). */
void jt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prog: message, never silenced (what ends the run, or a summary the user
 * must see). */
void jt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* prog: message, a count or a fact about the run, silenced by -q (which
 * leaves errors only: the counts are in --stats). */
void jt_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before a dying exit: removes a pending -o temp file. Set by out.c. */
void jt_on_die(void (*fn)(void));



/* A field value fit for a one-line message: control bytes and bytes that are
 * not valid UTF-8 escaped as \xNN (so messages are UTF-8), cut at 80
 * bytes with "...". Returns one of 4 rotating static buffers. */
const char *jt_show(const char *s, size_t n);
/* 1 when s[0..n) is valid UTF-8. */
int jt_utf8_valid(const char *s, size_t n);
/* The text of b made fit for a message, in place: as jt_show, uncut. */
struct jt_buf;
void jt_clean(struct jt_buf *b);
#endif
