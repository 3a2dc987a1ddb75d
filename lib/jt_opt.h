/* jt_opt.h — options every jtools program shares, parsed once here. */
#ifndef JT_OPT_H
#define JT_OPT_H

#include <getopt.h>
#include <stdint.h>

#include "jt_csv.h"

struct jt_where;

enum {
	JT_OPT_RAGGED = 256, JT_OPT_LAZY, JT_OPT_REJECTS, JT_OPT_STRICT, JT_OPT_MAX_REJECTS,
	JT_OPT_STATS, JT_OPT_SINCE, JT_OPT_UNTIL, JT_OPT_EXCEL, JT_OPT_MEMORY,
	JT_OPT_ENCODING, JT_OPT_DECIMAL_COMMA, JT_OPT_WHERE,	/* issue 16: decoding, row filters */
	JT_OPT_TOOL = 320	/* first value free for a program's own long options */
};

#define JT_SHORTOPTS "d:hno:qtV"
#define JT_COMMON_LONGOPTS \
	{ "decimal-comma", no_argument, NULL, JT_OPT_DECIMAL_COMMA }, \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "encoding", required_argument, NULL, JT_OPT_ENCODING }, \
	{ "excel-safe", no_argument, NULL, JT_OPT_EXCEL }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "lazy-quotes", no_argument, NULL, JT_OPT_LAZY }, \
	{ "max-rejects", required_argument, NULL, JT_OPT_MAX_REJECTS }, \
	{ "no-header", no_argument, NULL, 'n' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "ragged", no_argument, NULL, JT_OPT_RAGGED }, \
	{ "rejects", required_argument, NULL, JT_OPT_REJECTS }, \
	{ "since", required_argument, NULL, JT_OPT_SINCE }, \
	{ "stats", required_argument, NULL, JT_OPT_STATS }, \
	{ "strict", no_argument, NULL, JT_OPT_STRICT }, \
	{ "tabs", no_argument, NULL, 't' }, \
	{ "until", required_argument, NULL, JT_OPT_UNTIL }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ "where", required_argument, NULL, JT_OPT_WHERE }

/* -j and --memory, for the programs that hold touches or use every core. */
#define JT_ENGINE_SHORTOPTS "j:"
#define JT_ENGINE_LONGOPTS \
	{ "jobs", required_argument, NULL, 'j' }, \
	{ "memory", required_argument, NULL, JT_OPT_MEMORY }
extern const char jt_engine_help[];
#define JT_MEMORY_DEFAULT ((uint64_t)1 << 30)

struct jt_common {
	struct jt_dialect dialect;
	int quiet, strict;
	int excel_safe;	/* --excel-safe: CSV and TSV cells that a spreadsheet would run get a ' */
	const char *output, *rejects, *stats;
	int max_mode;	/* 0 none, 1 count, 2 percent */
	uint64_t max_n;
	double max_pct;
	int has_since, has_until;
	int64_t since, until;
	uint64_t memory;	/* --memory: bytes of touches held before spilling */
	size_t jobs;	/* -j: threads (0: the online CPUs) */
	struct jt_where *where;	/* --where (NULL: none); lives for the whole run */
};

/* The shared option lines for --help. */
extern const char jt_common_help[];

void jt_common_init(struct jt_common *c);
/* Handles a shared option; returns 0 when opt is not one. -h calls help() and
 * exits 0; -V prints the version and exits 0. Bad values: usage error (exit 2). */
int jt_common_option(struct jt_common *c, int opt, const char *arg, void (*help)(void));
/* After parsing: conflicting paths and other cross-checks (usage errors). */
void jt_common_check(const struct jt_common *c);
/* A program's own side output (jrefer --flags, jstage --params): registered
 * for jt_paths_check ('-' = stdout: only when -o is a file). */
void jt_check_other_output(const struct jt_common *c, const char *opt, const char *path);
/* The data inputs named on the command line (none: stdin), then
 * jt_paths_check(): an output that would replace an input is a usage error.
 * Call after every configuration file was loaded, before reading data. */
void jt_common_inputs(char **files, int n);
/* A getopt error or stray option: "Try 'prog --help'", exit 2. */
_Noreturn void jt_usage_fail(void);
void jt_print_version(void);
/* JTOOLS_DATADIR, else the compiled-in PREFIX/share/jtools. */
const char *jt_datadir(void);

#endif
