/* opt.c — shared options, --version, usage failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt_csv.h"
#include "jt_err.h"
#include "jt_input.h"
#include "jt_num.h"
#include "jt_opt.h"
#include "jt_out.h"
#include "jt_paths.h"
#include "jt_rx.h"
#include "jt_time.h"
#include "jt_where.h"

#ifndef JT_VERSION
#define JT_VERSION "0.0.0"
#endif

const char jt_common_help[] =
	"Input and output (gzip, bzip2, xz and zstd inputs are read decompressed, stdin too):\n"
	"  -d, --delimiter CHAR  input field delimiter, one byte; '\\t' or 'tab' for tabs (default ',');\n"
	"                        auto: ',' ';' tab or '|', the one the first line has most of\n"
	"  -t, --tabs            same as -d tab\n"
	"      --encoding NAME   the input's encoding, any name iconv knows (latin1, windows-1252,\n"
	"                        UTF-16); auto: UTF-8, UTF-16 by its BOM, else windows-1252\n"
	"      --decimal-comma   read numbers written 1234,5 as 1234.5 (needs a delimiter other\n"
	"                        than ',', or quoted numbers)\n"
	"  -n, --no-header       input has no header; columns are #1, #2, ...\n"
	"      --ragged          pad short rows with empty fields (long rows are still rejected)\n"
	"      --lazy-quotes     accept stray quotes (libcsv non-strict mode)\n"
	"  -o, --output FILE     write FILE atomically instead of stdout\n"
	"      --excel-safe      put a ' before CSV/TSV cells that start with = + - @ TAB or CR and are\n"
	"                        not numbers, so a spreadsheet shows them instead of running them\n"
	"      --since TIME      keep rows whose 'time' is at or after TIME (ISO 8601; UTC if no offset)\n"
	"      --until TIME      keep rows whose 'time' is before TIME\n"
	"      --where EXPR      keep rows where EXPR holds: COL = VALUE, COL != VALUE, COL ~ REGEX,\n"
	"                        COL !~ REGEX, COL < N (<= > >=); COL = '' is empty; repeatable\n"
	"Bad rows:\n"
	"      --rejects FILE    write rejected rows there, with reject_file, reject_line, reject_reason\n"
	"      --strict          stop with exit 1 at the first rejected row\n"
	"      --max-rejects N|P%  exit 1 when more than N rows (or P percent) were rejected;\n"
	"                        without it, when no row of an input was used and some were rejected\n"
	"      --stats FILE      write row counts (in, out, skipped, filtered, rejected by reason) as CSV\n"
	"  -q, --quiet           errors only: no warnings, per-row messages or counts (--stats has\n"
	"                        them; the reject summary prints unless --rejects or --stats is given)\n"
	"  -h, --help            show this help and exit\n"
	"  -V, --version         show version and exit\n";

const char jt_engine_help[] =
	"Memory and cores:\n"
	"  -j, --jobs N          threads (default: the online CPUs); the output is the same for any N\n"
	"      --memory SIZE     memory for the data held, e.g. 512M or 4G (default 1G); past it the\n"
	"                        run goes on with temporary files in $TMPDIR, same output\n";
/* --where's conditions, kept for the whole run (reachable to the end) */
static struct jt_where *where_list;

void jt_common_init(struct jt_common *c)
{
	memset(c, 0, sizeof *c);
	c->dialect.delim = ',';
	c->memory = JT_MEMORY_DEFAULT;
}

void jt_usage_fail(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", jt_progname());
	exit(JT_EXIT_USAGE);
}

void jt_print_version(void)
{
	const char *pv = jt_pcre2_version();
	int n = (int)strcspn(pv, " ");
	printf("%s (jtools) %s\nlibcsv %s\nPCRE2 %.*s\ndatadir %s\n", jt_progname(), JT_VERSION,
	       jt_libcsv_version(), n, pv, jt_datadir());
}

static int64_t parse_time_opt(const char *opt, const char *arg)
{
	int64_t t;
	if (jt_time_parse(arg, strlen(arg), &t) != 0)
		jt_usage_error("%s: '%s' is not a time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", opt, arg);
	return t;
}

int jt_common_option(struct jt_common *c, int opt, const char *arg, void (*help)(void))
{
	switch (opt) {
	case 'd':
		c->dialect.delim_auto = strcmp(arg, "auto") == 0;
		if (c->dialect.delim_auto)
			c->dialect.delim = ',';
		else if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
			c->dialect.delim = '\t';
		else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' && arg[0] != '\r')
			c->dialect.delim = arg[0];
		else
			jt_usage_error("-d: the delimiter must be one byte other than a quote or line end, not '%s'", arg);
		return 1;
	case 't':
		c->dialect.delim = '\t';
		c->dialect.delim_auto = 0;
		return 1;
	case 'n':
		c->dialect.no_header = 1;
		return 1;
	case 'h':
		help();
		exit(jt_finish(0));
	case 'V':
		jt_print_version();
		exit(jt_finish(0));
	case 'o':
		c->output = arg;
		return 1;
	case 'q':
		c->quiet = 1;
		jt_set_quiet(1);
		return 1;
	case JT_OPT_RAGGED:
		c->dialect.ragged = 1;
		return 1;
	case JT_OPT_LAZY:
		c->dialect.lazy = 1;
		return 1;
	case JT_OPT_REJECTS:
		c->rejects = arg;
		return 1;
	case JT_OPT_STRICT:
		c->strict = 1;
		return 1;
	case JT_OPT_STATS:
		c->stats = arg;
		return 1;
	case JT_OPT_EXCEL:
		c->excel_safe = 1;
		jt_csv_excel_safe(1);
		return 1;
	case JT_OPT_MAX_REJECTS: {
		size_t n = strlen(arg);
		if (n > 1 && arg[n - 1] == '%') {
			jt_i128 v;
			if (jt_dec_parse(arg, n - 1, &v) != 0 || v < 0 || v > 100 * JT_DEC_SCALE)
				jt_usage_error("--max-rejects: '%s' is not a count or a percentage 0-100%%", arg);
			c->max_mode = 2;
			c->max_pct = jt_dec_to_double(v);
		} else if (jt_parse_size(arg, &c->max_n) == 0) {
			c->max_mode = 1;
		} else {
			jt_usage_error("--max-rejects: '%s' is not a count or a percentage like 5%%", arg);
		}
		return 1;
	}
	case 'j': {
		uint64_t n;
		if (jt_parse_size(arg, &n) != 0 || n < 1 || n > 64)
			jt_usage_error("-j: '%s' is not a number of threads from 1 to 64", arg);
		c->jobs = (size_t)n;
		return 1;
	}
	case JT_OPT_MEMORY:
		if (jt_parse_bytes(arg, &c->memory) != 0)
			jt_usage_error("--memory: '%s' is not a size (a number with K, M, G or T, e.g. 512M)", arg);
		if (c->memory < ((uint64_t)1 << 20))
			jt_usage_error("--memory: '%s' is less than 1M, the least jtools works in", arg);
		return 1;
	case JT_OPT_ENCODING: {
		char err[256];
		if (jt_encoding_check(arg, err, sizeof err) != 0)
			jt_usage_error("--encoding: %s", err);
		c->dialect.encoding = arg;
		return 1;
	}
	case JT_OPT_DECIMAL_COMMA:
		c->dialect.decimal_comma = 1;
		return 1;
	case JT_OPT_WHERE: {
		char err[512];
		if (!c->where)
			c->where = where_list = jt_where_new();
		if (jt_where_add(c->where, arg, err, sizeof err) != 0)
			jt_usage_error("--where '%s': %s", jt_show(arg, strlen(arg)), err);
		return 1;
	}
	case JT_OPT_SINCE:
		c->has_since = 1;
		c->since = parse_time_opt("--since", arg);
		return 1;
	case JT_OPT_UNTIL:
		c->has_until = 1;
		c->until = parse_time_opt("--until", arg);
		return 1;
	default:
		return 0;
	}
}

void jt_common_check(const struct jt_common *c)
{
	if (c->rejects && strcmp(c->rejects, "-") == 0)
		jt_usage_error("--rejects needs a file name, not '-'");
	if (c->stats && strcmp(c->stats, "-") == 0 && (!c->output || strcmp(c->output, "-") == 0))
		jt_usage_error("--stats -: standard output is the output; give -o FILE or a --stats file");
	jt_path_output("-o", c->output ? c->output : "-", 1);
	if (c->rejects)
		jt_path_output("--rejects", c->rejects, 0);
	if (c->stats)
		jt_path_output("--stats", c->stats, 0);
}

void jt_check_other_output(const struct jt_common *c, const char *opt, const char *path)
{
	if (strcmp(path, "-") == 0 && (!c->output || strcmp(c->output, "-") == 0 || (c->stats && strcmp(c->stats, "-") == 0)))
		jt_usage_error("%s -: standard output is already the output or the stats file", opt);
	jt_path_output(opt, path, 0);
}

void jt_common_inputs(char **files, int n)
{
	if (n <= 0)
		jt_path_input("-");
	for (int i = 0; i < n; i++)
		jt_path_input(files[i]);
	jt_paths_check();
}
