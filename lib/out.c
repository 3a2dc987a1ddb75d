/* out.c — atomic output files and checked stdout. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_out.h"

#define MAXOUT 8

static struct pending {
	FILE *fp;
	char tmp[4096];
	char *target;
	volatile sig_atomic_t live;
} outs[MAXOUT];

static void on_signal(int sig)
{
	for (int i = 0; i < MAXOUT; i++)
		if (outs[i].live)
			unlink(outs[i].tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

void jt_out_abort(void)
{
	for (int i = 0; i < MAXOUT; i++)
		if (outs[i].live) {
			outs[i].live = 0;
			unlink(outs[i].tmp);
		}
}

void jt_out_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	signal(SIGPIPE, SIG_DFL);
	/* past a file size limit (ulimit -f) a write fails with EFBIG and the
	 * run ends as on a full disk, temp file removed, instead of a core dump */
	signal(SIGXFSZ, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* A signal ignored when we start stays ignored (nohup, a background job
	 * of a script): the caller chose to survive it, and so do we. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	jt_on_die(jt_out_abort);
	setvbuf(stdout, NULL, _IOFBF, 65536);
}

FILE *jt_out_open(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	struct stat st;
	int exists = stat(path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode))
		jt_die("%s: cannot write output: is a directory", path);
	int slot = -1;
	for (int i = 0; i < MAXOUT; i++)
		if (!outs[i].live && !outs[i].fp) {
			slot = i;
			break;
		}
	if (slot < 0)
		jt_die("too many output files");
	struct pending *o = &outs[slot];
	if (exists && !S_ISREG(st.st_mode)) {
		/* /dev/null, /dev/stdout, a fifo: written in place, never replaced
		 * (a rename would put a regular file where the device was) */
		FILE *fp = fopen(path, "w");
		if (!fp)
			jt_die("%s: cannot write output:", path);
		o->fp = fp;
		o->tmp[0] = '\0';
		o->target = jt_xstrdup(path);
		return fp;
	}
	char *d1 = jt_xstrdup(path), *d2 = jt_xstrdup(path);
	const char *dir = dirname(d1), *base = basename(d2);
	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dir, base) >= sizeof o->tmp)
		jt_die("%s: path too long", path);
	free(d1);
	free(d2);

	/* block signals while the temp file exists but is not yet recorded */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int fd = mkstemp(o->tmp);
	if (fd >= 0)
		o->live = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (fd < 0)
		jt_die("%s: cannot create output:", path);

	/* mkstemp made it 0600: give it the target's mode (and owner, when we
	 * may), or what a plain creat() would have given, 0666 & ~umask */
	mode_t mode;
	if (exists) {
		mode = st.st_mode & 0777;
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* not permitted: the replacement is ours, with the same mode */
		}
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (fchmod(fd, mode) != 0)
		jt_die("%s: cannot set the mode of %s:", path, o->tmp);
	o->fp = fdopen(fd, "w");
	if (!o->fp)
		jt_die("%s:", path);
	setvbuf(o->fp, NULL, _IOFBF, 65536);
	o->target = jt_xstrdup(path);
	return o->fp;
}

static _Noreturn void write_error(const char *what, int err)
{
	if (err == EPIPE) {
		jt_out_abort();
		exit(JT_EXIT_DATA);	/* a closed pipe ends the program quietly */
	}
	errno = err;
	if (what)
		jt_die("%s: write error:", what);
	jt_die("write error:");
}

void jt_out_flush(FILE *fp)
{
	errno = 0;
	if (fflush(fp) == 0 && !ferror(fp))
		return;
	int err = errno ? errno : EIO;
	for (int i = 0; i < MAXOUT; i++)
		if (fp != stdout && outs[i].fp == fp)
			write_error(outs[i].target, err);
	write_error(NULL, err);
}

void jt_out_commit(FILE *fp)
{
	if (fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			write_error(NULL, errno ? errno : EIO);
		return;
	}
	for (int i = 0; i < MAXOUT; i++) {
		struct pending *o = &outs[i];
		if (o->fp != fp)
			continue;
		errno = 0;
		int bad = fflush(fp) != 0 || ferror(fp);
		int err = errno ? errno : EIO;
		if (fclose(fp) != 0 && !bad) {
			bad = 1;
			err = errno;
		}
		o->fp = NULL;
		if (bad)
			write_error(o->target, err);
		if (o->live && rename(o->tmp, o->target) != 0)
			jt_die("%s: cannot rename %s into place:", o->target, o->tmp);
		o->live = 0;
		free(o->target);
		o->target = NULL;
		return;
	}
}

int jt_finish(int status)
{
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		write_error(NULL, errno ? errno : EIO);
	if (fclose(stdout) != 0)
		write_error(NULL, errno);
	return status;
}

/* The folder part's inode and the last name (a file not there yet). */
static int locate(const char *path, struct stat *dir, char **base)
{
	char *d1 = jt_xstrdup(path), *d2 = jt_xstrdup(path);
	int ok = stat(dirname(d1), dir) == 0;
	*base = jt_xstrdup(basename(d2));
	free(d1);
	free(d2);
	return ok;
}

int jt_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (strcmp(a, b) == 0)
		return 1;
	int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
	if (ea && eb)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	if (ea || eb)
		return 0;
	/* neither exists yet: the same name in the same folder */
	char *ba, *bb;
	int same = locate(a, &sa, &ba) & locate(b, &sb, &bb);
	same = same && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && strcmp(ba, bb) == 0;
	free(ba);
	free(bb);
	return same;
}
