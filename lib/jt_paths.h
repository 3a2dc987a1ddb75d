/* jt_paths.h — the files a run reads and writes, checked against each other
 * before any data is read, so that no output replaces an input.
 *
 * Data inputs may be named by -o (its temporary file makes that safe, as
 * jtools(7) says); no side output (--rejects, --stats, --flags, --params, ...)
 * may name an input or another output; and no output at all, -o included, may
 * name a configuration file (rules, profile, lookup table, parameters). Two
 * names are one file when they are the same spelling, the same inode (links,
 * ./x and x), or, for files not there yet, the same name in the same folder. */
#ifndef JT_PATHS_H
#define JT_PATHS_H

/* A data input; "-" is standard input (compared by what fd 0 is). */
void jt_path_input(const char *path);
/* A configuration file the run reads; what names it in messages ("rules file"). */
void jt_path_config(const char *what, const char *path);
/* An output: opt is the option that names it ("-o", "--stats"); main is 1
 * for the run's result (-o), 0 for a side output. "-" is standard output. */
void jt_path_output(const char *opt, const char *path, int main);
/* Usage error (exit 2) when an output names a file it may not. Cheap: call it
 * again after registering more files. */
void jt_paths_check(void);

#endif
