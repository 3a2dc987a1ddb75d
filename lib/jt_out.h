/* jt_out.h — output files: stdout checked at exit, -o FILE written atomically
 * (a temporary file in the same folder, unnamed where O_TMPFILE exists, put in
 * place on success, removed on failure or on SIGINT, SIGTERM and SIGHUP).
 * Side outputs go in place only once the result did (see out.c). */
#ifndef JT_OUT_H
#define JT_OUT_H

#include <stdio.h>

/* Call first in main: SIGPIPE to its default, cleanup handlers installed. */
void jt_out_init(void);
/* NULL or "-" = stdout (64 KiB buffer). Dies when the folder is missing or read-only. */
FILE *jt_out_open(const char *path);
/* A side output: diag 1 for --rejects and --stats (written even when the run
 * stops on --max-rejects, when the operator needs them), 0 for the result's
 * companions (--flags, --params: dropped with the result). */
FILE *jt_out_open_side(const char *path, int diag);
/* Writes n bytes of p; dies on a write error, naming the file and the reason. */
void jt_out_write(FILE *fp, const void *p, size_t n);
/* Flushes; dies on a write error (before a program prints its summary). */
void jt_out_flush(FILE *fp);
/* Flushes and, for a file, puts it in place. Dies on a write error. The
 * result's commit (stdout included) also puts the finished side outputs in
 * place; a side output committed before it waits for it. */
void jt_out_commit(FILE *fp);
/* A side output finished ("-": stdout, flushed). */
void jt_out_commit_side(FILE *fp);
/* The run ends without its result (--max-rejects, a --strict failure): the
 * result and its companions are dropped, the finished --rejects and --stats
 * put in place. */
void jt_out_fail(void);
/* Removes every output not yet in place (jt_die runs it: errors, signals). */
void jt_out_abort(void);
/* 1 when two output paths name one file: the same spelling, the same inode
 * (./x and x, a hard link, a symlink), or, for files not there yet, the same
 * name in the same folder (compared by inode). */
int jt_same_file(const char *a, const char *b);
/* fflush/ferror/fclose on stdout; returns the exit status to use (0 or 1). */
int jt_finish(int status);

#endif
