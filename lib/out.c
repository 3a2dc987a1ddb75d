/* out.c — atomic output files and checked stdout.
 *
 * An output file is written to a temporary file in the target's folder and
 * put in place only when the run succeeded. On Linux the temporary file is
 * made with O_TMPFILE: it has no name until the end, when it is linked into
 * the folder under a hidden name and renamed over the target at once, so a
 * run killed by SIGKILL leaves nothing behind. Elsewhere (or on a file system
 * without O_TMPFILE) it is a mkstemp file, .NAME.XXXXXX, removed on errors and
 * on SIGINT, SIGTERM and SIGHUP; only SIGKILL or a crash can leave it.
 *
 * Side outputs (--rejects, --stats, --flags, --params) are finished before
 * the run's result, but are put in place only after it: when the result
 * cannot be written (a full disk, a signal), they keep their old content too.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE	/* O_TMPFILE, AT_EMPTY_PATH */
#endif
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jt_err.h"
#include "jt_mem.h"
#include "jt_out.h"

#define MAXOUT 8
#define JT_OUT_BUF (256 * 1024)	/* bytes a write(2) gives a pipe or a file */

enum { FREE, OPEN, DONE };	/* DONE: a side output written, waiting for the result */

static struct pending {
	FILE *fp;
	int state;
	int side, diag;
	int anon;	/* O_TMPFILE: no name in the folder yet */
	char tmp[4096];	/* the temporary name, once there is one */
	char *target;
	char *buf;	/* fp's buffer: kept for the slot's next file */
	volatile sig_atomic_t live;	/* tmp names a file to remove on a signal */
} outs[MAXOUT];
static int main_done;	/* the result is in place: side outputs go in place at once */

static void on_signal(int sig)
{
	for (int i = 0; i < MAXOUT; i++)
		if (outs[i].live)
			unlink(outs[i].tmp);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void drop(struct pending *o)
{
	if (o->live) {
		o->live = 0;
		unlink(o->tmp);
	}
	if (o->fp)
		fclose(o->fp);
	o->fp = NULL;
	free(o->target);
	o->target = NULL;
	o->state = FREE;
}

void jt_out_abort(void)
{
	for (int i = 0; i < MAXOUT; i++)
		if (outs[i].state != FREE && outs[i].fp != stdout)
			drop(&outs[i]);
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
	/* glibc takes a size only with a buffer: without one it allocates
	 * st_blksize (4 KiB for a pipe or ext4), a write(2) every 4 KiB */
	static char obuf[JT_OUT_BUF];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
#ifdef F_SETPIPE_SZ
	struct stat st;
	if (fstat(1, &st) == 0 && S_ISFIFO(st.st_mode))
		(void)fcntl(1, F_SETPIPE_SZ, 1 << 20);
#endif
}

/* A hidden name in dir for base: dir/.base.XXXXXX (X filled by the caller). */
static void tmp_name(struct pending *o, const char *path)
{
	char *d1 = jt_xstrdup(path), *d2 = jt_xstrdup(path);
	const char *dir = dirname(d1), *base = basename(d2);
	if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%s.XXXXXX", dir, base) >= sizeof o->tmp)
		jt_die("%s: path too long", jt_show(path, strlen(path)));
	free(d1);
	free(d2);
}

/* The unnamed file of O_TMPFILE, in path's folder; -1 when this system or
 * file system has none (then mkstemp is used). */
static int anon_file(const char *path)
{
#ifdef O_TMPFILE
	char *d = jt_xstrdup(path);
	int fd = open(dirname(d), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	int err = errno;
	free(d);
	if (fd >= 0)
		return fd;
	if (err == EOPNOTSUPP || err == EISDIR || err == EINVAL || err == ENOSYS)
		return -1;
	errno = err;
	jt_die("%s: cannot create output:", jt_show(path, strlen(path)));
#else
	(void)path;
	return -1;
#endif
}

static FILE *open_out(const char *path, int side, int diag)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	const char *shown = jt_show(path, strlen(path));
	struct stat st, lst;
	int exists = stat(path, &st) == 0;	/* what the name leads to */
	int direct = lstat(path, &lst) == 0 && S_ISREG(lst.st_mode);	/* a regular file, not a symlink */
	if (exists && S_ISDIR(st.st_mode))
		jt_die("%s: cannot write output: is a directory", shown);
	int slot = -1;
	for (int i = 0; i < MAXOUT; i++)
		if (outs[i].state == FREE) {
			slot = i;
			break;
		}
	if (slot < 0)
		jt_die("too many output files");
	struct pending *o = &outs[slot];
	o->side = side;
	o->diag = diag;
	o->live = 0;
	o->anon = 0;
	if (exists && !S_ISREG(st.st_mode)) {
		/* /dev/null, /dev/stdout, a fifo (named or through a symlink):
		 * written in place, never replaced (a rename would put a regular
		 * file where the device was) */
		FILE *fp = fopen(path, "w");
		if (!fp)
			jt_die("%s: cannot write output:", shown);
		o->fp = fp;
		o->tmp[0] = '\0';
		o->target = jt_xstrdup(path);
		o->state = OPEN;
		return fp;
	}
	tmp_name(o, path);
	int fd = anon_file(path);
	if (fd >= 0) {
		o->anon = 1;
	} else {
		/* block signals while the temp file exists but is not yet recorded */
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		fd = mkstemp(o->tmp);
		if (fd >= 0)
			o->live = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (fd < 0)
			jt_die("%s: cannot create output:", shown);
	}
	o->state = OPEN;
	o->target = jt_xstrdup(path);

	/* The file is 0600: give it the mode of the regular file the path names
	 * directly (and its owner, when we may), or what a plain creat() would
	 * have given, 0666 & ~umask. A symlink is replaced by the new file, its
	 * target's owner and mode never taken: another user's link in a shared
	 * folder must not make our report theirs. */
	mode_t mode;
	if (exists && direct) {
		mode = lst.st_mode & 0777;
		if ((lst.st_uid != geteuid() || lst.st_gid != getegid()) && fchown(fd, lst.st_uid, lst.st_gid) != 0) {
			/* not permitted: the replacement is ours, with the same mode */
		}
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (fchmod(fd, mode) != 0)
		jt_die("%s: cannot set the mode of the output:", shown);
	o->fp = fdopen(fd, "w");
	if (!o->fp)
		jt_die("%s:", shown);
	if (!o->buf)
		o->buf = jt_xmalloc(JT_OUT_BUF);
	setvbuf(o->fp, o->buf, _IOFBF, JT_OUT_BUF);
	return o->fp;
}

FILE *jt_out_open(const char *path) { return open_out(path, 0, 0); }
FILE *jt_out_open_side(const char *path, int diag) { return open_out(path, 1, diag); }

static _Noreturn void write_error(const char *what, int err)
{
	if (err == EPIPE) {
		jt_out_abort();
		exit(JT_EXIT_DATA);	/* a closed pipe ends the program quietly */
	}
	errno = err;
	if (what)
		jt_die("%s: write error:", jt_show(what, strlen(what)));
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

void jt_out_write(FILE *fp, const void *p, size_t n)
{
	errno = 0;
	if (n == 0 || fwrite(p, 1, n, fp) == n)
		return;
	int err = errno ? errno : EIO;
	for (int i = 0; i < MAXOUT; i++)
		if (fp != stdout && outs[i].fp == fp)
			write_error(outs[i].target, err);
	write_error(NULL, err);
}

#ifdef O_TMPFILE
/* Gives the unnamed file of o a hidden name in the target's folder. */
static int link_anon(struct pending *o)
{
	int fd = fileno(o->fp);
	char proc[64];
	size_t n = strlen(o->tmp);
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	static unsigned long seq;
	for (int attempt = 0; attempt < 100; attempt++) {
		static const char abc[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long x = ((unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec << 20) * 2654435761u ^
				  (unsigned long)getpid() * 40503u ^ ++seq * 0x9e3779b9u;
		for (size_t k = n - 6; k < n; k++, x /= 62)
			o->tmp[k] = abc[x % 62];
		sigset_t all, old;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		int rc = linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW);
		if (rc != 0 && errno == ENOENT)	/* no /proc: needs CAP_DAC_READ_SEARCH */
			rc = linkat(fd, "", AT_FDCWD, o->tmp, AT_EMPTY_PATH);
		if (rc == 0)
			o->live = 1;
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (rc == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		memcpy(o->tmp + n - 6, "XXXXXX", 6);
	}
	return -1;
}
#endif

/* Flushes and closes fp, or dies with the target's name. */
static void finish_file(struct pending *o)
{
	errno = 0;
	if (fflush(o->fp) != 0 || ferror(o->fp))
		write_error(o->target, errno ? errno : EIO);
}

/* Puts a finished output in place: the hidden name renamed over the target. */
static void place(struct pending *o)
{
	if (o->tmp[0]) {
#ifdef O_TMPFILE
		if (o->anon && link_anon(o) != 0)
			jt_die("%s: cannot link the output into its folder:", jt_show(o->target, strlen(o->target)));
#endif
		if (rename(o->tmp, o->target) != 0)
			jt_die("%s: cannot rename %s into place:", jt_show(o->target, strlen(o->target)),
			       jt_show(o->tmp, strlen(o->tmp)));
		o->live = 0;
	}
	if (fclose(o->fp) != 0)
		write_error(o->target, errno);
	o->fp = NULL;
	free(o->target);
	o->target = NULL;
	o->state = FREE;
}

static void place_sides(int diag_only)
{
	for (int i = 0; i < MAXOUT; i++) {
		struct pending *o = &outs[i];
		if (o->state == DONE && (!diag_only || o->diag))
			place(o);
		else if (o->state == DONE)
			drop(o);
	}
}

void jt_out_commit(FILE *fp)
{
	if (fp == stdout) {
		if (fflush(stdout) != 0 || ferror(stdout))
			write_error(NULL, errno ? errno : EIO);
		main_done = 1;
		place_sides(0);
		return;
	}
	for (int i = 0; i < MAXOUT; i++) {
		struct pending *o = &outs[i];
		if (o->fp != fp || o->state != OPEN)
			continue;
		finish_file(o);
		if (o->side && !main_done) {
			o->state = DONE;	/* in place once the result is */
			return;
		}
		place(o);
		if (!o->side) {
			main_done = 1;
			place_sides(0);
		}
		return;
	}
}

void jt_out_commit_side(FILE *fp)
{
	if (fp == stdout) {	/* --stats -: written with the rest of stdout */
		jt_out_flush(stdout);
		return;
	}
	jt_out_commit(fp);
}

void jt_out_fail(void)
{
	for (int i = 0; i < MAXOUT; i++) {
		struct pending *o = &outs[i];
		if (o->state == OPEN && (!o->side || !o->diag) && o->fp != stdout)
			drop(o);
	}
	place_sides(1);
}

int jt_finish(int status)
{
	/* a side output the program finished but never saw placed: in place
	 * after a success; after a failure, only the diagnostic ones */
	place_sides(status != 0);
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
