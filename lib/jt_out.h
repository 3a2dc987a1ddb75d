/* jt_out.h — output files: stdout checked at exit, -o FILE written atomically
 * (temp file in the same folder, renamed on success, removed on failure or on
 * SIGINT, SIGTERM and SIGHUP). */
#ifndef JT_OUT_H
#define JT_OUT_H

#include <stdio.h>

/* Call first in main: SIGPIPE to its default, cleanup handlers installed. */
void jt_out_init(void);
/* NULL or "-" = stdout (64 KiB buffer). Dies when the folder is missing or read-only. */
FILE *jt_out_open(const char *path);
/* Flushes; dies on a write error (before a program prints its summary). */
void jt_out_flush(FILE *fp);
/* Flushes and, for a file, renames it into place. Dies on a write error. */
void jt_out_commit(FILE *fp);
/* Removes every temp file not yet committed (also run by jt_die). */
void jt_out_abort(void);
/* 1 when two output paths name one file: the same spelling, the same inode
 * (./x and x, a hard link, a symlink), or, for files not there yet, the same
 * name in the same folder (compared by inode). */
int jt_same_file(const char *a, const char *b);
/* fflush/ferror/fclose on stdout; returns the exit status to use (0 or 1). */
int jt_finish(int status);

#endif
