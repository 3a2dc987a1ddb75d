/* jvalue — the value-chain activity of every touch, and where activities make
 * or break the journey (--impact). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt.h"
#include "jt_rules.h"
#include "jt_value.h"

enum { OPT_DEFAULT = JT_OPT_TOOL, OPT_IMPACT, OPT_KIND, OPT_MIN_N, OPT_UNTOUCHED, OPT_LOWER, OPT_LABELS };

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	JT_ENGINE_LONGOPTS,
	{ "default", required_argument, NULL, OPT_DEFAULT },
	{ "group-by", required_argument, NULL, 'g' },
	{ "impact", required_argument, NULL, OPT_IMPACT },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "lower-better", no_argument, NULL, OPT_LOWER },
	{ "min-n", required_argument, NULL, OPT_MIN_N },
	{ "rules", required_argument, NULL, 'r' },
	{ "untouched", required_argument, NULL, OPT_UNTOUCHED },
	{ NULL, 0, NULL, 0 }
};

static void help(void)
{
	printf("usage: jvalue [-q] [-r rules] [--default label] [file ...]\n"
	       "       jvalue --impact col [-g list] [--kind nps|mean|rate] [--min-n N] [-r rules] [file ...]\n"
	       "       jvalue --labels [-r rules] [--default label]\n"
	       "The value-chain activity of every touch, and the moments that matter.\n\n"
	       "  -r, --rules FILE      activity rules (default: DATADIR/value-chain.rules)\n"
	       "      --default LABEL   activity of touches no rule matches (default: empty)\n"
	       "      --labels          the activities in rules order (activity,activity_kind), no input\n"
	       "      --impact COL      per cell, COL among customers touched there against those never\n"
	       "                        touched there, the difference with a 95 %% interval, worst first\n"
	       "  -g, --group-by LIST   the cells (default: activity,stage; activity is computed)\n"
	       "      --kind KIND       nps, mean or rate (default: nps for nps and *_nps columns,\n"
	       "                        rate when every value is 0 or 1, else mean)\n"
	       "      --min-n N         no difference for cells with fewer than N customers on a side\n"
	       "      --untouched HOW   a never-touched customer's outcome: last (default), first, or any\n"
	       "                        (the largest; the default for 0/1 outcomes such as referred)\n"
	       "      --lower-better    lower outcomes are better (resolution_s): rank the highest first\n"
	       "%s%s\n"
	       "Examples:\n"
	       "  jtouch -p tickets t.csv -p orders o.csv | jstage --outcome default | jvalue > touches.csv\n"
	       "  jvalue --impact next_nps touches.csv\n"
	       "  jvalue --impact referred -g activity touches.csv\n\n"
	       "See jvalue(1), jtools-rules(5) and jtools(7).\n",
	       jt_engine_help, jt_common_help);
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_value_opts o;
	const char *rules = NULL;
	int opt, impact_only = 0, labels = 0;

	jt_setprogname("jvalue");
	argv[0] = "jvalue";
	jt_out_init();
	jt_common_init(&c);
	memset(&o, 0, sizeof o);
	o.c = &c;
	while ((opt = getopt_long(argc, argv, JT_SHORTOPTS JT_ENGINE_SHORTOPTS "g:r:", longopts, NULL)) != -1) {
		if (jt_common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'r': rules = optarg; break;
		case 'g': o.group = optarg; impact_only = 1; break;
		case OPT_DEFAULT: o.deflabel = optarg; break;
		case OPT_IMPACT: o.impact = optarg; break;
		case OPT_LABELS: labels = 1; break;
		case OPT_KIND:
			if (strcmp(optarg, "nps") == 0)
				o.kind = JT_OK_NPS;
			else if (strcmp(optarg, "mean") == 0)
				o.kind = JT_OK_MEAN;
			else if (strcmp(optarg, "rate") == 0)
				o.kind = JT_OK_RATE;
			else
				jt_usage_error("--kind: '%s' is not nps, mean or rate", optarg);
			impact_only = 1;
			break;
		case OPT_UNTOUCHED:
			if (strcmp(optarg, "last") == 0)
				o.untouched = JT_UT_LAST;
			else if (strcmp(optarg, "first") == 0)
				o.untouched = JT_UT_FIRST;
			else if (strcmp(optarg, "any") == 0)
				o.untouched = JT_UT_ANY;
			else
				jt_usage_error("--untouched: '%s' is not last, first or any", optarg);
			impact_only = 1;
			break;
		case OPT_LOWER: o.lower_better = 1; impact_only = 1; break;
		case OPT_MIN_N: {
			impact_only = 1;
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0)
				jt_usage_error("--min-n: '%s' is not a number", optarg);
			o.min_n = (unsigned long)n;
			break;
		}
		default: jt_usage_fail();
		}
	}
	jt_common_check(&c);
	if (!o.impact && impact_only)
		jt_usage_error("-g, --kind, --min-n, --untouched and --lower-better go with --impact");

	struct jt_buf path = JT_BUF_INIT;
	if (!rules) {
		jt_buf_printf(&path, "%s/value-chain.rules", jt_datadir());
		rules = path.p;
	}
	jt_path_config("rules file", rules);	/* no output may replace an input */
	jt_common_inputs(argv + optind, argc - optind);
	o.rules = jt_rules_load(rules);
	if (path.p)
		jt_rules_quiet_missing(o.rules);	/* the shipped file */
	if (labels) {
		if (o.impact || optind < argc)
			jt_usage_error("--labels lists the rules' activities: it takes no input and no --impact");
		FILE *out = jt_out_open(c.output);
		jt_rules_write_labels(o.rules, out, "activity", "kind", o.deflabel);
		jt_out_commit(out);
		jt_rules_free(o.rules);
		jt_buf_free(&path);
		return jt_finish(0);
	}
	struct jt_valuerun *r = jt_value_new(&o);
	for (int i = optind; i < argc; i++)
		jt_value_input(r, argv[i]);
	FILE *out = jt_out_open(c.output);
	int status = jt_value_run(r, out);
	if (status == 0)
		jt_out_commit(out);
	else
		jt_out_fail();
	jt_value_free(r);
	jt_rules_free(o.rules);
	jt_buf_free(&path);
	return jt_finish(status);
}
