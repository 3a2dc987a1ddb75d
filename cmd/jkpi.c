/* jkpi — KPIs by group over a CSV stream, long or pivoted; partial state and merge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jt.h"
#include "jt_baseline.h"
#include "jt_history.h"
#include "jt_page.h"
#include "jt_par.h"
#include "jt_tz.h"

enum { OPT_PER = JT_OPT_TOOL, OPT_PIVOT, OPT_PIVOT_ORDER, OPT_FORMAT, OPT_PARTIAL, OPT_MERGE, OPT_CSAT,
       OPT_ROW_ORDER, OPT_TITLE, OPT_MIN_N, OPT_ATTACH, OPT_ABOUT, OPT_LABELS_FILE, OPT_SOURCES, OPT_MIDPOINT,
       OPT_MAP, OPT_TZ, OPT_SHARD_ID, OPT_EXPECT, OPT_BASELINE, OPT_ALERT, OPT_ALERT_LEVEL,
       OPT_HISTORY, OPT_STAMP, OPT_KEEP };

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	JT_ENGINE_LONGOPTS,
	{ "about", required_argument, NULL, OPT_ABOUT },
	{ "alert", no_argument, NULL, OPT_ALERT },
	{ "alert-level", required_argument, NULL, OPT_ALERT_LEVEL },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "attach", required_argument, NULL, OPT_ATTACH },
	{ "csat", required_argument, NULL, OPT_CSAT },
	{ "exclude", required_argument, NULL, 'x' },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "group-by", required_argument, NULL, 'g' },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "kpi", required_argument, NULL, 'k' },
	{ "labels-file", required_argument, NULL, OPT_LABELS_FILE },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "merge", no_argument, NULL, OPT_MERGE },
	{ "midpoint", required_argument, NULL, OPT_MIDPOINT },
	{ "min-n", required_argument, NULL, OPT_MIN_N },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "per", required_argument, NULL, OPT_PER },
	{ "pivot", required_argument, NULL, OPT_PIVOT },
	{ "pivot-order", required_argument, NULL, OPT_PIVOT_ORDER },
	{ "row-order", required_argument, NULL, OPT_ROW_ORDER },
	{ "shard-id", required_argument, NULL, OPT_SHARD_ID },
	{ "sort", no_argument, NULL, 's' },
	{ "sources", required_argument, NULL, OPT_SOURCES },
	{ "stamp", required_argument, NULL, OPT_STAMP },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ NULL, 0, NULL, 0 }
};

static void help(void)
{
	printf("usage: jkpi [-nqst] [-j n] [--memory size] [--lazy-quotes] [--ragged] [--strict] [-d delim] [-g list]\n"
	       "            [-x list] [-o file] [--per col] [--pivot col] [--format fmt] [--partial [--shard-id K/N]]\n"
	       "            -k spec [file ...]\n"
	       "       jkpi --merge [-s] [--expect n] [--row-order list] [--format fmt] [-o file] [partial ...]\n"
	       "Compute KPIs over a CSV stream, one row per group.\n\n"
	       "KPIs and groups:\n"
	       "  -k, --kpi SPEC        comma list of [NAME=]KPI[:COLUMN] (repeatable): count, distinct,\n"
	       "                        sum, mean, min, max, median, pNN, nps, csat, ces, rate\n"
	       "  -g, --group-by LIST   group by these columns; day:|week:|month:|quarter:|year:COL buckets\n"
	       "  -x, --exclude LIST    remove these columns from the -g selection\n"
	       "  -s, --sort            sort groups by key (default: first-seen order)\n"
	       "      --map COL:V=NEW,...  rewrite COL's values first (any case; V= empties; COL:bool maps\n"
	       "                        yes/no, true/false, y/n, 1/0 to 1/0); repeatable\n"
	       "      --tz ZONE         day:..year: buckets in this IANA zone (default UTC)\n"
	       "      --per COL         count each COL value once per group (its first valid row)\n"
	       "      --csat MODE       top2 (4-5 of 1-5, default) or good-bad (Zendesk: Good/Bad words too)\n"
	       "      --pivot COL       one column per value of COL, for one KPI\n"
	       "      --pivot-order L   pivot columns: 'sorted' or a comma list (default: first seen)\n"
	       "      --row-order L     rows whose first -g value is in comma list L first, in its order\n"
	       "      --format FMT      csv (default), tsv, md, json or html (a page; a pivot: one heatmap per KPI)\n"
	       "      --title TEXT      html: the page's title and heading\n"
	       "      --min-n N         html: mark figures resting on fewer than N values as too thin;\n"
	       "                        --baseline: no test for a cell with fewer on either side\n"
	       "      --midpoint LIST   html: centre of the colours, [NAME=]VALUE,... (default: NPS 0, others\n"
	       "                        the overall value)\n"
	       "      --attach T=FILE   html: add the CSV FILE as a section headed T (repeatable; \\= for =)\n"
	       "      --about TEXT      html: one line under the heading of the last --attach (before any:\n"
	       "                        of the KPIs)\n"
	       "      --sources FILE    html: a --stats file of a run behind the input (repeatable)\n"
	       "      --labels-file F   html: name,label[,description] for names (default: DATADIR/labels.csv)\n"
	       "      --baseline FILE   compare each cell with FILE's (a state of --partial or --history,\n"
	       "                        or a long report): change, its 95 %% interval, changed\n"
	       "      --alert           one line on stderr per significant change (Holm) against the\n"
	       "                        baseline or the last state in --history; exit 3 if any\n"
	       "      --alert-level P   --alert's family-wise error rate (default 0.05)\n"
	       "      --history DIR     keep this run's state as DIR/STAMP.state; html: each heatmap cell's\n"
	       "                        trend over the kept periods, dots on significant changes\n"
	       "      --stamp STAMP     the state's name (default: the day of the latest time, YYYY-MM-DD)\n"
	       "      --keep N          keep the last N states in DIR (default 90)\n"
	       "      --partial         write mergeable state instead of the result\n"
	       "      --shard-id K/N    --partial: record that the input is shard K of N (for --expect)\n"
	       "      --merge           read partial states (files or streams) and print the result\n"
	       "      --expect N        --merge: the partials must be shards 1..N of --shard-id, each once\n"
	       "%s%s\n"
	       "Examples:\n"
	       "  jkpi -g channel -k count,nps:nps,csat:csat surveys.csv\n"
	       "  jkpi -g month:time -k p50:resolution_s,p90:resolution_s --format md touches.csv\n"
	       "  jkpi -g activity --pivot stage --per customer -k nps:next_nps touches.csv\n"
	       "  jkpi --partial -g channel -k nps:nps part1.csv > p1; jkpi --merge -s p1 p2 p3\n"
	       "  jkpi -g team -k nps:nps --baseline last-week.state --alert this-week.csv\n"
	       "  jkpi -g team --pivot stage -k nps:nps --format html --history states --alert t.csv\n\n"
	       "See jkpi(1) and jtools(7).\n",
	       jt_engine_help, jt_common_help);
}

struct run {
	struct jt_agg *agg;
	struct jt_common *c;
	struct jt_rejects *rj;
	struct jt_timefilter tf;
	struct jt_period *period;	/* html: first and last touch */
	int agg_merge;	/* --merge: partials, read as one stream each */
	uint64_t budget;	/* --per's keys: half of --memory */
	int keep_state;	/* --history: the state is written after the run */
};

static void on_header(void *ctx, const char *src, const struct jt_header *h)
{
	struct run *r = ctx;
	jt_agg_header(r->agg, src, h);
	jt_timefilter_bind(&r->tf, r->c, h, src);
	if (r->period)
		jt_period_bind(r->period, h);
}

static void on_record(void *ctx, const char *src, const struct jt_record *rec)
{
	struct run *r = ctx;
	if (jt_timefilter_keep(&r->tf, r->c, r->rj, src, rec) == 1) {
		jt_agg_row(r->agg, src, rec, r->rj);
		if (r->period)
			jt_period_row(r->period, rec);
	}
}

/* A regular file read in parts on threads (-j), each into a state of its own,
 * merged in file order: the same state as one read. */
static void read_input(struct run *r, const char *path, size_t jobs, int last)
{
	struct jt_split sp;
	if (jobs < 2 || r->agg_merge || jt_split_file_w(path, &r->c->dialect, jobs, jt_agg_first_share(r->agg), &sp) < 2) {
		jt_read(path, &r->c->dialect, r->rj, on_header, on_record, r);
		return;
	}
	unsigned long long hlines;
	struct jt_header *h = jt_par_header(path, &r->c->dialect, r->rj, &sp, on_header, r, &hlines);
	if (!h)
		return;
	struct run pr[JT_MAXJOBS];
	struct jt_par_part pp[JT_MAXJOBS];
	struct {	/* each part's first and last touch, written a row at a time by its thread */
		struct jt_period p;
		char apart[128];	/* not on a line of the next */
	} per[JT_MAXJOBS];
	memset(pp, 0, sp.n * sizeof *pp);
	jt_agg_budget(r->agg, r->budget / sp.n);	/* shared by the parts */
	for (size_t k = 0; k < sp.n; k++) {
		pr[k] = *r;	/* part 0 reads into r's state */
		if (k) {
			pr[k].agg = jt_agg_part(r->agg, 1);
			if (r->period) {
				per[k].p = *r->period;
				per[k].p.have = 0;
				pr[k].period = &per[k].p;
			}
		}
		pp[k].ctx = &pr[k];
		pp[k].rj_at = &pr[k].rj;
	}
	jt_par_parts(path, r->c, r->rj, &sp, h, hlines, on_record, pp);
	for (size_t k = 1; k < sp.n; k++) {
		/* the last part of the last file: a lookup on threads when nothing
		 * keeps the state (--history writes it) */
		int again = last && k + 1 == sp.n && !r->keep_state ? jt_agg_merge_last(r->agg, pr[k].agg, sp.n)
								     : jt_agg_merge(r->agg, pr[k].agg);
		jt_agg_free(pr[k].agg);
		if (again) {	/* its keys in order took values the parts before had taken */
			struct run rr = *r;
			rr.period = NULL;	/* per[k] has them */
			jt_par_part_again(path, r->c, &sp, h, k, on_record, &rr, &rr.rj);
		}
		if (r->period)
			jt_period_merge(r->period, &per[k].p);
	}
	jt_agg_budget(r->agg, r->budget);
	jt_header_free(h);
}

/* SOURCE_DATE_EPOCH (reproducible-builds.org): the page's generation time. */
static void generated(struct jt_html *h)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	uint64_t t;
	h->has_generated = 1;
	if (!e) {
		h->generated = (int64_t)time(NULL);
		return;
	}
	if (jt_parse_size(e, &t) != 0 || t > (uint64_t)JT_TIME_MAX)
		jt_usage_error("SOURCE_DATE_EPOCH: '%s' is not a number of seconds since 1970-01-01", e);
	h->generated = (int64_t)t;
}

/* --midpoint: NAME=VALUE or VALUE, comma-separated; VALUE a number. */
static void check_midpoint(const char *list)
{
	for (const char *p = list;;) {
		const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p)), *v = eq ? eq + 1 : p;
		double x;
		if ((eq && eq == p) || !jt_double_parse(v, (size_t)(end - v), &x))
			jt_usage_error("--midpoint: '%.*s' is not [NAME=]NUMBER", (int)(end - p), p);
		if (!e)
			break;
		p = e + 1;
	}
}

/* --baseline, --alert and --alert-level go together and with a run (or --merge). */
static void check_compare(const struct jt_kpi_opts *o, const char *baseline, const char *history, int alert,
			  const char *level)
{
	if (level && !alert)
		jt_usage_error("--alert-level goes with --alert");
	if (alert && !baseline && !history)
		jt_usage_error("--alert needs --baseline FILE or --history DIR (what to compare with)");
	if (baseline && o->partial)
		jt_usage_error("--baseline compares results; --partial writes a state (compare it later with --baseline)");
}

/* The comparison with the baseline as the result, then the alerts; 1 when any. */
static int compare(struct jt_agg *agg, struct jt_side *base, const struct jt_cmp_opts *co, const struct jt_kpi_opts *o,
		   FILE *out)
{
	struct jt_side *now = jt_side_from_agg(agg);
	struct jt_cmp_opts c = *co;
	c.sort = o->sort;
	struct jt_cmp *cmp = jt_cmp_new(agg, base, now, &c);
	jt_cmp_write(cmp, o->format, &o->html, out);
	jt_out_commit(out);
	size_t n = co->alert ? jt_cmp_alerts(cmp) : 0;
	jt_cmp_free(cmp);
	jt_side_free(base);
	jt_side_free(now);
	return n > 0;
}

/* --history with --alert and no --baseline: this run against the last state kept; 1 when any alert. */
static int alert_prev(struct jt_agg *agg, const struct jt_history *h, const struct jt_cmp_opts *co)
{
	struct jt_side *now = jt_side_from_agg(agg);
	struct jt_cmp *cmp = jt_cmp_new(agg, jt_history_prev(h), now, co);
	size_t n = jt_cmp_alerts(cmp);
	jt_cmp_free(cmp);
	jt_side_free(now);
	return n > 0;
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_kpi_opts o;
	struct jt_buf kpis = JT_BUF_INIT;
	int opt, other = 0, min_n_given = 0;
	struct jt_cmp_opts co = { 0.05, 0, 0, 0 };
	const char *baseline = NULL, *alert_level = NULL;
	struct jt_history_opts ho = { NULL, NULL, JT_HISTORY_KEEP };
	int keep_given = 0;
	const char *html_only = NULL;
	const char **attach = NULL, **about = NULL, **sources = NULL, *labels_file = NULL;
	size_t nattach = 0, nsources = 0;
	struct jt_period period = { -1, 0, 0, 0 };
	about = jt_xcalloc(1, sizeof *about);	/* [0]: the KPIs' line, [1 + i]: --attach i's */
	const char **maps = NULL;
	size_t nmaps = 0;
	struct jt_tz *tz = NULL;

	jt_setprogname("jkpi");
	argv[0] = "jkpi";	/* getopt names the program in its messages */
	jt_out_init();
	jt_common_init(&c);
	memset(&o, 0, sizeof o);
	while ((opt = getopt_long(argc, argv, JT_SHORTOPTS JT_ENGINE_SHORTOPTS "g:k:sx:", longopts, NULL)) != -1) {
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
			co.min_n = (unsigned long)n;
			min_n_given = 1;
			break;
		}
		case OPT_BASELINE: baseline = optarg; break;
		case OPT_HISTORY: ho.dir = optarg; break;
		case OPT_STAMP: ho.stamp = optarg; break;
		case OPT_KEEP: {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0 || n > 100000)
				jt_usage_error("--keep: '%s' is not a count from 1", optarg);
			ho.keep = (unsigned long)n;
			keep_given = 1;
			break;
		}
		case OPT_ALERT: co.alert = 1; break;
		case OPT_ALERT_LEVEL: {
			double x;
			if (!jt_double_parse(optarg, strlen(optarg), &x) || !(x > 0 && x < 1))
				jt_usage_error("--alert-level: '%s' is not a probability between 0 and 1 (e.g. 0.05)", optarg);
			co.level = x;
			alert_level = optarg;
			break;
		}
		case OPT_ATTACH: {
			const char *file;
			char *title = jt_attach_split(optarg, &file);
			if (!title)
				jt_usage_error("--attach: '%s' is not TITLE=FILE (write '=' in TITLE as \\=)", optarg);
			free(title);
			attach = jt_xrealloc(attach, (nattach + 1) * sizeof *attach);
			attach[nattach++] = optarg;
			about = jt_xrealloc(about, (nattach + 1) * sizeof *about);
			about[nattach] = NULL;
			html_only = "--attach";
			break;
		}
		case OPT_ABOUT:
			if (about[nattach])
				jt_usage_error("--about: '%s' is the second line for %s%s%s", optarg,
					       nattach ? "--attach '" : "the KPIs", nattach ? attach[nattach - 1] : "",
					       nattach ? "'" : "");
			about[nattach] = optarg;
			html_only = "--about";
			break;
		case OPT_SOURCES:
			sources = jt_xrealloc(sources, (nsources + 1) * sizeof *sources);
			sources[nsources++] = optarg;
			html_only = "--sources";
			break;
		case OPT_LABELS_FILE:
			labels_file = optarg;
			html_only = "--labels-file";
			break;
		case OPT_MIDPOINT:
			check_midpoint(optarg);
			o.html.midpoint = optarg;
			html_only = "--midpoint";
			break;
		case OPT_MAP:
			maps = jt_xrealloc(maps, (nmaps + 1) * sizeof *maps);
			maps[nmaps++] = optarg;
			other = 1;
			break;
		case OPT_TZ: {
			char why[512];
			jt_tz_free(tz);
			if (!(tz = jt_tz_load(optarg, why, sizeof why)))
				jt_usage_error("--tz: %s", why);
			o.tz_name = optarg;
			other = 1;
			break;
		}
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
	o.html.about = about;
	o.html.sources = sources;
	o.html.nsources = nsources;
	o.maps = maps;
	o.nmaps = nmaps;
	o.tz = tz;
	if (!html_only && min_n_given && !baseline && !ho.dir)
		html_only = "--min-n";
	check_compare(&o, baseline, ho.dir, co.alert, alert_level);
	if ((ho.stamp || keep_given) && !ho.dir)
		jt_usage_error("%s goes with --history DIR", ho.stamp ? "--stamp" : "--keep");
	if (ho.dir && o.partial)
		jt_usage_error("--history keeps the state of a result; --partial writes one to merge (give --history to the merge)");
	if (ho.dir && o.merge && !ho.stamp)
		jt_usage_error("--history with --merge needs --stamp (partials carry no times to name the state by)");
	if (ho.dir)
		jt_history_check(&ho);
	if (html_only && (!o.format_given || o.format != JT_FMT_HTML))
		jt_usage_error("%s goes with --format html", html_only);
	if (html_only && o.partial)
		jt_usage_error("%s goes with the result, not --partial: give it to --merge", html_only);
	struct jt_labels *labels = NULL;
	if ((o.format == JT_FMT_HTML || o.merge) && !o.partial) {	/* a merge takes its format from the partials */
		generated(&o.html);
		labels = jt_labels_load(labels_file);
		o.html.labels = labels;
		o.html.period = o.merge ? NULL : &period;
	}
	if (o.partial && c.excel_safe)
		jt_usage_error("--excel-safe is for files people open; a --partial state is read by --merge (give --excel-safe to the merge)");
	if (o.shard_n && !o.partial)
		jt_usage_error("--shard-id goes with --partial (it names the shard a partial holds)");
	if (o.expect && !o.merge)
		jt_usage_error("--expect goes with --merge (it checks the partials' shard ids)");
	if (o.merge && (o.partial || o.kpis || other || c.has_since || c.has_until || c.where))
		jt_usage_error("--merge takes its KPIs, groups, maps and zone from the partials (only -s, --expect, --row-order, --format and its page options, -o and the input options go with it)");

	c.dialect.header_rows = o.merge;	/* concatenated partials: each header starts one */
	jt_common_inputs(argv + optind, argc - optind);
	if (baseline)
		jt_path_input(baseline);
	for (size_t i = 0; i < nattach; i++) {
		const char *file;
		free(jt_attach_split(attach[i], &file));
		jt_path_input(file);
	}
	for (size_t i = 0; i < nsources; i++)
		jt_path_input(sources[i]);
	jt_paths_check();
	FILE *out = jt_out_open(c.output);	/* a bad -o folder fails before a long read */
	struct run r = { jt_agg_new(&o), &c, jt_rejects_new(&c), { 0, 0 },
			 o.html.period || (ho.dir && !o.merge) ? &period : NULL, o.merge, c.memory / 2, ho.dir != NULL };
	jt_agg_budget(r.agg, r.budget);
	size_t jobs = jt_jobs(c.jobs);
	jt_agg_threads(r.agg, jobs, r.keep_state);
	if (optind >= argc) {
		jt_read(NULL, &c.dialect, r.rj, on_header, on_record, &r);
	} else {
		for (int i = optind; i < argc; i++)
			read_input(&r, argv[i], jobs, i + 1 == argc);
	}
	int status = jt_rejects_finish(r.rj, -1);
	struct jt_history *hist = NULL;
	if (status == 0 && ho.dir) {
		hist = jt_history_load(&ho, r.agg, period.have ? period.last : -1, &co);
		jt_history_save(hist, r.agg);
		if (o.format == JT_FMT_HTML) {
			jt_agg_set_trend(r.agg, jt_history_trend, hist, jt_history_note(hist, co.level));
		}
	}
	if (status == 0 && !o.partial)
		jt_agg_sort(r.agg, jobs);	/* after --history kept the state as read */
	if (status == 0 && baseline) {
		if (compare(r.agg, jt_side_load(baseline, r.agg, "the baseline"), &co, &o, out))
			status = 3;
	} else if (status == 0) {
		jt_agg_write(r.agg, out);
		jt_out_commit(out);
		if (co.alert && jt_history_prev(hist) && alert_prev(r.agg, hist, &co))
			status = 3;
	} else {
		jt_out_fail();
	}
	if (hist && status != 1)
		jt_history_prune(hist);
	jt_history_free(hist);
	jt_agg_free(r.agg);
	jt_rejects_free(r.rj);
	jt_buf_free(&kpis);
	free(attach);
	free(about);
	free(sources);
	jt_labels_free(labels);
	free(maps);
	jt_tz_free(tz);
	return jt_finish(status);
}
