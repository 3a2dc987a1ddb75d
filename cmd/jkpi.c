/* jkpi — KPIs by group over a CSV stream, long or pivoted; partial state and merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt.h"

enum { OPT_PER = JT_OPT_TOOL, OPT_PIVOT, OPT_PIVOT_ORDER, OPT_FORMAT, OPT_PARTIAL, OPT_MERGE, OPT_CSAT,
       OPT_ROW_ORDER, OPT_TITLE, OPT_MIN_N, OPT_ATTACH, OPT_SHARD_ID, OPT_EXPECT };

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "csat", required_argument, NULL, OPT_CSAT },
	{ "exclude", required_argument, NULL, 'x' },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "group-by", required_argument, NULL, 'g' },
	{ "kpi", required_argument, NULL, 'k' },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "min-n", required_argument, NULL, OPT_MIN_N },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "per", required_argument, NULL, OPT_PER },
	{ "pivot", required_argument, NULL, OPT_PIVOT },
	{ "pivot-order", required_argument, NULL, OPT_PIVOT_ORDER },
	{ "row-order", required_argument, NULL, OPT_ROW_ORDER },
	{ "shard-id", required_argument, NULL, OPT_SHARD_ID },
	{ "sort", no_argument, NULL, 's' },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ NULL, 0, NULL, 0 }
};

static void help(void)
{
	printf("usage: jkpi [-nqst] [--lazy-quotes] [--ragged] [--strict] [-d delim] [-g list] [-x list]\n"
	       "            [-o file] [--per col] [--pivot col] [--format fmt] [--partial [--shard-id K/N]]\n"
	       "            -k spec [file ...]\n"
	       "       jkpi --merge [-s] [--expect n] [--row-order list] [--format fmt] [-o file] [partial ...]\n"
	       "Compute KPIs over a CSV stream, one row per group.\n\n"
	       "KPIs and groups:\n"
	       "  -k, --kpi SPEC        comma list of [NAME=]KPI[:COLUMN] (repeatable): count, distinct,\n"
	       "                        sum, mean, min, max, median, pNN, nps, csat, ces, rate\n"
	       "  -g, --group-by LIST   group by these columns; day:|week:|month:|quarter:|year:COL buckets\n"
	       "  -x, --exclude LIST    remove these columns from the -g selection\n"
	       "  -s, --sort            sort groups by key (default: first-seen order)\n"
	       "      --per COL         count each COL value once per group (its first valid row)\n"
	       "      --csat MODE       top2 (4-5 of 1-5, default) or good-bad (Zendesk: Good/Bad words too)\n"
	       "      --pivot COL       one column per value of COL, for one KPI\n"
	       "      --pivot-order L   pivot columns: 'sorted' or a comma list (default: first seen)\n"
	       "      --row-order L     rows whose first -g value is in comma list L first, in its order\n"
	       "      --format FMT      csv (default), tsv, md, json or html (a page; pivots as a heatmap)\n"
	       "      --title TEXT      html: the page's title and heading\n"
	       "      --min-n N         html: mark pivot cells with fewer than N values as too thin\n"
	       "      --attach T=FILE   html: add the CSV FILE as a table headed T (repeatable)\n"
	       "      --partial         write mergeable state instead of the result\n"
	       "      --shard-id K/N    --partial: record that the input is shard K of N (for --expect)\n"
	       "      --merge           read partial states (files or streams) and print the result\n"
	       "      --expect N        --merge: the partials must be shards 1..N of --shard-id, each once\n"
	       "%s\n"
	       "Examples:\n"
	       "  jkpi -g channel -k count,nps:nps,csat:csat surveys.csv\n"
	       "  jkpi -g month:time -k p50:resolution_s,p90:resolution_s --format md touches.csv\n"
	       "  jkpi -g activity --pivot stage --per customer -k nps:next_nps touches.csv\n"
	       "  jkpi --partial -g channel -k nps:nps part1.csv > p1; jkpi --merge -s p1 p2 p3\n\n"
	       "See jkpi(1) and jtools(7).\n",
	       jt_common_help);
}

struct run {
	struct jt_agg *agg;
	struct jt_common *c;
	struct jt_rejects *rj;
	struct jt_timefilter tf;
};

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct run *r = ctx;
	jt_agg_header(r->agg, src, h);
	jt_timefilter_bind(&r->tf, r->c, h, src);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct run *r = ctx;
	if (jt_timefilter_keep(&r->tf, r->c, r->rj, src, rec) == 1)
		jt_agg_row(r->agg, src, rec, r->rj);
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_kpi_opts o;
	struct jt_buf kpis = JT_BUF_INIT;
	int opt, other = 0;
	const char *html_only = NULL;
	const char **attach = NULL;
	size_t nattach = 0;

	jt_setprogname("jkpi");
	argv[0] = "jkpi";	/* getopt names the program in its messages */
	jt_out_init();
	jt_common_init(&c);
	memset(&o, 0, sizeof o);
	while ((opt = getopt_long(argc, argv, JT_SHORTOPTS "g:k:sx:", longopts, NULL)) != -1) {
		if (jt_common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'g': o.group = optarg; other = 1; break;
		case 'k':
			if (kpis.len)
				jt_buf_addc(&kpis, ',');
			jt_buf_adds(&kpis, optarg);
			break;
		case 's': o.sort = o.sort_given = 1; break;
		case 'x': o.exclude = optarg; other = 1; break;
		case OPT_PER: o.per = optarg; other = 1; break;
		case OPT_PIVOT: o.pivot = optarg; other = 1; break;
		case OPT_PIVOT_ORDER: o.pivot_order = optarg; other = 1; break;
		case OPT_ROW_ORDER: o.row_order = optarg; break;
		case OPT_TITLE: o.html.title = optarg; html_only = "--title"; break;
		case OPT_MIN_N: {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0 || n > 1000000000)
				jt_usage_error("--min-n: '%s' is not a count from 1", optarg);
			o.html.min_n = (unsigned long)n;
			html_only = "--min-n";
			break;
		}
		case OPT_ATTACH:
			if (!strchr(optarg, '=') || optarg[0] == '=' || !strchr(optarg, '=')[1])
				jt_usage_error("--attach: '%s' is not TITLE=FILE", optarg);
			attach = jt_xrealloc(attach, (nattach + 1) * sizeof *attach);
			attach[nattach++] = optarg;
			html_only = "--attach";
			break;
		case OPT_PARTIAL: o.partial = 1; break;
		case OPT_MERGE: o.merge = 1; break;
		case OPT_SHARD_ID:
			if (jt_shard_parse(optarg, strlen(optarg), &o.shard_k, &o.shard_n) != 0)
				jt_usage_error("--shard-id: '%s' is not K/N with 1 <= K <= N (e.g. 2/8)", optarg);
			break;
		case OPT_EXPECT:
			if (jt_parse_size(optarg, &o.expect) != 0 || o.expect == 0 || o.expect > JT_SHARDS_MAX)
				jt_usage_error("--expect: '%s' is not a number of shards from 1 to %d", optarg, JT_SHARDS_MAX);
			break;
		case OPT_CSAT:
			if (strcmp(optarg, "top2") == 0)
				o.csat = JT_CSAT_TOP2;
			else if (strcmp(optarg, "good-bad") == 0)
				o.csat = JT_CSAT_GOODBAD;
			else
				jt_usage_error("--csat: '%s' is not top2 or good-bad", optarg);
			other = 1;
			break;
		case OPT_FORMAT: {
			int f = jt_format_from_name(optarg);
			if (f < 0)
				jt_usage_error("--format: '%s' is not csv, tsv, md, json or html", optarg);
			o.format = (enum jt_format)f;
			o.format_given = 1;
			break;
		}
		default:
			jt_usage_fail();
		}
	}
	jt_common_check(&c);
	o.kpis = kpis.len ? kpis.p : NULL;
	o.html.attach = attach;
	o.html.nattach = nattach;
	if (html_only && (!o.format_given || o.format != JT_FMT_HTML))
		jt_usage_error("%s goes with --format html", html_only);
	if (html_only && o.partial)
		jt_usage_error("%s goes with the result, not --partial: give it to --merge", html_only);
	if (o.partial && c.excel_safe)
		jt_usage_error("--excel-safe is for files people open; a --partial state is read by --merge (give --excel-safe to the merge)");
	if (o.shard_n && !o.partial)
		jt_usage_error("--shard-id goes with --partial (it names the shard a partial holds)");
	if (o.expect && !o.merge)
		jt_usage_error("--expect goes with --merge (it checks the partials' shard ids)");
	if (o.merge && (o.partial || o.kpis || other || c.has_since || c.has_until))
		jt_usage_error("--merge takes its KPIs and groups from the partials (only -s, --expect, --row-order, --format and its page options, -o and the input options go with it)");

	c.dialect.header_rows = o.merge;	/* concatenated partials: each header starts one */
	jt_common_inputs(argv + optind, argc - optind);
	for (size_t i = 0; i < nattach; i++)
		jt_path_input(strchr(attach[i], '=') + 1);
	jt_paths_check();
	FILE *out = jt_out_open(c.output);	/* a bad -o folder fails before a long read */
	struct run r = { jt_agg_new(&o), &c, jt_rejects_new(&c), { 0, 0 } };
	if (optind >= argc) {
		jt_read(NULL, &c.dialect, r.rj, on_header, on_record, &r);
	} else {
		for (int i = optind; i < argc; i++)
			jt_read(argv[i], &c.dialect, r.rj, on_header, on_record, &r);
	}
	int status = jt_rejects_finish(r.rj, -1);
	if (status == 0) {
		jt_agg_write(r.agg, out);
		jt_out_commit(out);
	} else {
		jt_out_fail();
	}
	jt_agg_free(r.agg);
	jt_rejects_free(r.rj);
	jt_buf_free(&kpis);
	free(attach);
	return jt_finish(status);
}
