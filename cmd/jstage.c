/* jstage — journey stages of the touch stream, customer timelines, outcomes,
 * and the journey views: funnel, paths, variants, cohorts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt.h"
#include "jt_rules.h"
#include "jt_stage.h"

enum {
	OPT_DEFAULT = JT_OPT_TOOL, OPT_OUTCOME, OPT_WINDOW, OPT_FUNNEL, OPT_ORDER, OPT_STEPWIN, OPT_ATTRIB,
	OPT_PATHS, OPT_BY, OPT_FORMAT, OPT_VARIANTS, OPT_TOP, OPT_COLLAPSE, OPT_FIRST, OPT_COHORTS,
	OPT_RETURNING, OPT_UNBOUNDED, OPT_COUNTS, OPT_SORTED, OPT_CUSTOMERS, OPT_RETENTION, OPT_CLV, OPT_AS_OF,
	OPT_CHURN, OPT_PERIOD, OPT_FROM, OPT_TO, OPT_MARGIN, OPT_DISCOUNT, OPT_BGNBD, OPT_UNIT, OPT_HORIZON,
	OPT_PARAMS, OPT_USE_PARAMS, OPT_LABELS
};

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	JT_ENGINE_LONGOPTS,
	{ "as-of", required_argument, NULL, OPT_AS_OF },
	{ "attribution", required_argument, NULL, OPT_ATTRIB },
	{ "bgnbd", no_argument, NULL, OPT_BGNBD },
	{ "by", required_argument, NULL, OPT_BY },
	{ "churn-after", required_argument, NULL, OPT_CHURN },
	{ "clv", no_argument, NULL, OPT_CLV },
	{ "cohorts", required_argument, NULL, OPT_COHORTS },
	{ "collapse", no_argument, NULL, OPT_COLLAPSE },
	{ "counts", no_argument, NULL, OPT_COUNTS },
	{ "customers", no_argument, NULL, OPT_CUSTOMERS },
	{ "default", required_argument, NULL, OPT_DEFAULT },
	{ "discount", required_argument, NULL, OPT_DISCOUNT },
	{ "first-only", no_argument, NULL, OPT_FIRST },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "funnel", required_argument, NULL, OPT_FUNNEL },
	{ "group-by", required_argument, NULL, 'g' },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "margin", required_argument, NULL, OPT_MARGIN },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "outcome", required_argument, NULL, OPT_OUTCOME },
	{ "params", required_argument, NULL, OPT_PARAMS },
	{ "paths", no_argument, NULL, OPT_PATHS },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "retention", no_argument, NULL, OPT_RETENTION },
	{ "returning", required_argument, NULL, OPT_RETURNING },
	{ "rules", required_argument, NULL, 'r' },
	{ "sorted", no_argument, NULL, OPT_SORTED },
	{ "step-windows", required_argument, NULL, OPT_STEPWIN },
	{ "to", required_argument, NULL, OPT_TO },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "unbounded", no_argument, NULL, OPT_UNBOUNDED },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "use-params", required_argument, NULL, OPT_USE_PARAMS },
	{ "variants", no_argument, NULL, OPT_VARIANTS },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ NULL, 0, NULL, 0 }
};

static void help(void)
{
	printf("usage: jstage [-q] [-j n] [--memory size] [-r rules] [--default label] [--outcome spec] [--window dur]\n"
	       "              [--sorted] [file ...]\n"
	       "       jstage --funnel steps [--order ordered|strict|unordered] [--step-windows list] [-g col]\n"
	       "              [--attribution first|last|all|step:N] [file ...]\n"
	       "       jstage --paths [--by stage|touchpoint] [--format csv|dot] [file ...]\n"
	       "       jstage --variants [--by stage|touchpoint] [--top N] [--collapse] [--first-only] [file ...]\n"
	       "       jstage --cohorts day|week|month [--returning pattern] [--unbounded] [--counts] [file ...]\n"
	       "       jstage --labels [-r rules] [--default label]\n"
	       "Journey stages of the touch stream, and the journeys of customers.\n\n"
	       "Stages and outcomes (default mode: every touch, with stage, step and gap_s):\n"
	       "  -r, --rules FILE      stage rules (default: DATADIR/stages.rules)\n"
	       "      --default LABEL   stage of touches no rule matches (default: empty)\n"
	       "      --outcome SPEC    next:COL, NAME=COL:PATTERN, or default\n"
	       "                        (next:nps,next:csat,referred=touchpoint:^referral_sent$)\n"
	       "      --window DUR      how far ahead outcomes and funnels look (default 90d)\n"
	       "      --labels          the stages in rules order (one column, stage), no input\n"
	       "      --sorted          input is grouped by customer: stream, one customer in memory\n"
	       "Views (one of):\n"
	       "      --funnel STEPS    comma list of stages or touchpoint patterns (stage:X, touchpoint:RE)\n"
	       "      --order MODE      ordered (default), strict or unordered\n"
	       "      --step-windows L  windows between consecutive steps, e.g. 1d,20d ('-' for none)\n"
	       "  -g, --group-by COL    funnel breakdown by COL\n"
	       "      --attribution A   first (default), last, all or step:N: which touch gives the breakdown\n"
	       "      --paths           directly-follows graph: from,to,count,customers,median_s,p90_s\n"
	       "      --variants        distinct journeys with count, share and median duration\n"
	       "      --by WHAT         stage (default) or touchpoint, for paths and variants\n"
	       "      --format FMT      csv (default) or dot (Graphviz, --paths)\n"
	       "      --top N           the N most common variants, the rest as (other)\n"
	       "      --collapse        variants: consecutive repeats as one\n"
	       "      --first-only      variants: the first occurrence of each step only\n"
	       "      --cohorts PERIOD  retention by cohort of first touch: day, week or month\n"
	       "      --returning RE    touchpoints that count as active (default: any touch)\n"
	       "      --unbounded       active in a period or any later one\n"
	       "      --counts          customers instead of percentages\n"
	       "Customers (one row per customer, or KPIs over them; -g COLS: first-touch attributes):\n"
	       "      --customers       the customer table: first and last touch, tenure, touches, orders,\n"
	       "                        tickets, revenue, AOV, furthest stage, last NPS and CSAT, referrals,\n"
	       "                        active\n"
	       "      --retention       retention and churn per --period, or --from TIME --to TIME\n"
	       "      --clv             historic and predictive lifetime value (--margin, --discount)\n"
	       "      --as-of TIME      'now' for active and periods (default: the latest time in the input)\n"
	       "      --churn-after DUR a customer is alive until last touch + DUR (default 90d)\n"
	       "      --period PERIOD   day, week, month, quarter or year (--retention)\n"
	       "      --from TIME, --to TIME   one window (--retention)\n"
	       "      --margin M        share of revenue that is margin, 0-1 (default 1)\n"
	       "      --discount D      monthly discount rate (default 0)\n"
	       "      --bgnbd           BG/NBD purchases and Gamma-Gamma spend (lifetimes): fit, then per\n"
	       "                        customer: p_alive, expected purchases, value and CLV over --horizon\n"
	       "      --unit U          day (default) or week: the model's time unit\n"
	       "      --horizon N       months ahead for expected purchases and CLV (default 12)\n"
	       "      --params FILE     save the fitted parameters and standard errors\n"
	       "      --use-params FILE predict with saved parameters instead of fitting\n"
	       "%s%s\n"
	       "Examples:\n"
	       "  jtouch -p survey s.csv -p tickets t.csv | jstage --outcome default > touches.csv\n"
	       "  jstage --funnel awareness,consideration,purchase --window 30d touches.csv\n"
	       "  jstage --paths --by touchpoint --format dot touches.csv | dot -Tsvg > paths.svg\n"
	       "  jstage --variants --collapse --top 10 touches.csv\n"
	       "  jstage --cohorts month --returning '^order_placed$' touches.csv\n"
	       "  jstage --customers -g channel touches.csv > customers.csv\n"
	       "  jstage --retention --period month -g channel touches.csv\n\n"
	       "See jstage(1), jtools-rules(5) and jtools(7).\n",
	       jt_engine_help, jt_common_help);
}

static void set_mode(struct jt_stage_opts *o, enum jt_stage_mode m, const char *name)
{
	if (o->mode != JT_SM_ANNOTATE && o->mode != m)
		jt_usage_error("%s: one view at a time (--funnel, --paths, --variants, --cohorts, --customers, --retention, --clv or --bgnbd)", name);
	o->mode = m;
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_stage_opts o;
	const char *rules = NULL, *window = NULL;
	int opt, fmt_dot = -1, order_given = 0, attrib_given = 0, by_given = 0;
	const char *cust_only = NULL, *churn = NULL, *bg_only = NULL;
	int labels = 0;

	jt_setprogname("jstage");
	argv[0] = "jstage";
	jt_out_init();
	jt_common_init(&c);
	memset(&o, 0, sizeof o);
	o.c = &c;
	o.window = 90 * 86400;
	o.churn_after = 90 * 86400;
	o.unit = 86400;
	o.horizon = 12;
	while ((opt = getopt_long(argc, argv, JT_SHORTOPTS JT_ENGINE_SHORTOPTS "g:r:", longopts, NULL)) != -1) {
		if (jt_common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'r': rules = optarg; break;
		case 'g': o.group = optarg; break;
		case OPT_DEFAULT: o.deflabel = optarg; break;
		case OPT_OUTCOME: o.outcome = optarg; break;
		case OPT_WINDOW: window = optarg; break;
		case OPT_SORTED: o.sorted = 1; break;
		case OPT_LABELS: labels = 1; break;
		case OPT_FUNNEL: set_mode(&o, JT_SM_FUNNEL, "--funnel"); o.steps = optarg; break;
		case OPT_ORDER:
			order_given = 1;
			if (strcmp(optarg, "ordered") == 0)
				o.order = JT_FO_ORDERED;
			else if (strcmp(optarg, "strict") == 0)
				o.order = JT_FO_STRICT;
			else if (strcmp(optarg, "unordered") == 0)
				o.order = JT_FO_UNORDERED;
			else
				jt_usage_error("--order: '%s' is not ordered, strict or unordered", optarg);
			break;
		case OPT_STEPWIN: o.step_windows = optarg; break;
		case OPT_ATTRIB:
			attrib_given = 1;
			if (strcmp(optarg, "first") == 0) {
				o.attrib = JT_AT_FIRST;
			} else if (strcmp(optarg, "last") == 0) {
				o.attrib = JT_AT_LAST;
			} else if (strcmp(optarg, "all") == 0) {
				o.attrib = JT_AT_ALL;
			} else {
				uint64_t n;
				if (strncmp(optarg, "step:", 5) != 0 || jt_parse_size(optarg + 5, &n) != 0 || n < 1 ||
				    n > 64)
					jt_usage_error("--attribution: '%s' is not first, last, all or step:N", optarg);
				o.attrib = JT_AT_STEP;
				o.attrib_step = (unsigned)n;
			}
			break;
		case OPT_PATHS: set_mode(&o, JT_SM_PATHS, "--paths"); break;
		case OPT_VARIANTS: set_mode(&o, JT_SM_VARIANTS, "--variants"); break;
		case OPT_COHORTS: set_mode(&o, JT_SM_COHORTS, "--cohorts"); o.period = optarg; break;
		case OPT_BY:
			by_given = 1;
			if (strcmp(optarg, "touchpoint") == 0)
				o.by_touchpoint = 1;
			else if (strcmp(optarg, "stage") != 0)
				jt_usage_error("--by: '%s' is not stage or touchpoint", optarg);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "dot") == 0)
				fmt_dot = 1;
			else if (strcmp(optarg, "csv") == 0)
				fmt_dot = 0;
			else
				jt_usage_error("--format: '%s' is not csv or dot", optarg);
			break;
		case OPT_TOP: {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0)
				jt_usage_error("--top: '%s' is not a positive number", optarg);
			o.top = (unsigned long)n;
			break;
		}
		case OPT_COLLAPSE: o.collapse = 1; break;
		case OPT_FIRST: o.first_only = 1; break;
		case OPT_RETURNING: o.returning = optarg; break;
		case OPT_CUSTOMERS: set_mode(&o, JT_SM_CUSTOMERS, "--customers"); break;
		case OPT_RETENTION: set_mode(&o, JT_SM_RETENTION, "--retention"); break;
		case OPT_CLV: set_mode(&o, JT_SM_CLV, "--clv"); break;
		case OPT_BGNBD: set_mode(&o, JT_SM_BGNBD, "--bgnbd"); break;
		case OPT_UNIT:
			if (strcmp(optarg, "day") == 0)
				o.unit = 86400;
			else if (strcmp(optarg, "week") == 0)
				o.unit = 7 * 86400;
			else
				jt_usage_error("--unit: '%s' is not day or week", optarg);
			bg_only = "--unit";
			break;
		case OPT_HORIZON: {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0 || n > 1200)
				jt_usage_error("--horizon: '%s' is not a number of months from 1 to 1200", optarg);
			o.horizon = (unsigned)n;
			bg_only = "--horizon";
			break;
		}
		case OPT_PARAMS: o.params_out = optarg; bg_only = "--params"; break;
		case OPT_USE_PARAMS: o.params_in = optarg; bg_only = "--use-params"; break;
		case OPT_AS_OF:
		case OPT_FROM:
		case OPT_TO: {
			int64_t t;
			const char *what = opt == OPT_AS_OF ? "--as-of" : opt == OPT_FROM ? "--from" : "--to";
			if (jt_time_parse(optarg, strlen(optarg), &t) != 0)
				jt_usage_error("%s: '%s' is not a time (ISO 8601, e.g. 2024-06-30T00:00:00Z)", what, optarg);
			if (opt == OPT_AS_OF) {
				o.has_as_of = 1;
				o.as_of = t;
			} else if (opt == OPT_FROM) {
				o.has_from = 1;
				o.from = t;
			} else {
				o.has_to = 1;
				o.to = t;
			}
			cust_only = what;
			break;
		}
		case OPT_CHURN: churn = optarg; cust_only = "--churn-after"; break;
		case OPT_PERIOD: o.rperiod = optarg; cust_only = "--period"; break;
		case OPT_MARGIN: o.margin = optarg; cust_only = "--margin"; break;
		case OPT_DISCOUNT: o.discount = optarg; cust_only = "--discount"; break;
		case OPT_UNBOUNDED: o.unbounded = 1; break;
		case OPT_COUNTS: o.counts = 1; break;
		default: jt_usage_fail();
		}
	}
	jt_common_check(&c);
	if (window && (jt_duration_parse(window, &o.window) != 0 || o.window <= 0))
		jt_usage_error("--window: '%s' is not a duration (N followed by s, m, h, d or w, e.g. 90d)", window);
	if (fmt_dot == 1 && o.mode != JT_SM_PATHS)
		jt_usage_error("--format dot goes with --paths");
	o.dot = fmt_dot == 1;
	if (o.outcome && o.mode != JT_SM_ANNOTATE)
		jt_usage_error("--outcome annotates touches: it does not go with a view");
	if (o.group && o.mode == JT_SM_BGNBD)
		jt_usage_error("-g: --bgnbd is one fit over all customers");
	if (o.group && o.mode != JT_SM_FUNNEL && o.mode < JT_SM_CUSTOMERS)
		jt_usage_error("-g goes with --funnel, --customers, --retention or --clv");
	if (o.step_windows && o.mode != JT_SM_FUNNEL)
		jt_usage_error("--step-windows goes with --funnel");
	if (cust_only && o.mode < JT_SM_CUSTOMERS)
		jt_usage_error("%s goes with --customers, --retention or --clv", cust_only);
	if ((o.rperiod || o.has_from || o.has_to) && o.mode != JT_SM_RETENTION)
		jt_usage_error("--period, --from and --to go with --retention");
	if ((o.margin || o.discount) && o.mode != JT_SM_CLV && o.mode != JT_SM_BGNBD)
		jt_usage_error("--margin and --discount go with --clv or --bgnbd");
	if (bg_only && o.mode != JT_SM_BGNBD)
		jt_usage_error("%s goes with --bgnbd", bg_only);
	if (o.params_out)
		jt_check_other_output(&c, "--params", o.params_out);
	if (o.params_out && o.params_in)
		jt_usage_error("--params saves a fit and --use-params skips it: give one");
	if (churn && (jt_duration_parse(churn, &o.churn_after) != 0 || o.churn_after <= 0))
		jt_usage_error("--churn-after: '%s' is not a duration (N followed by s, m, h, d or w, e.g. 90d)", churn);
	if ((order_given || attrib_given) && o.mode != JT_SM_FUNNEL)
		jt_usage_error("%s goes with --funnel", order_given ? "--order" : "--attribution");
	if (attrib_given && !o.group)
		jt_usage_error("--attribution says which touch gives the -g value: give -g COL");
	if (by_given && o.mode != JT_SM_PATHS && o.mode != JT_SM_VARIANTS)
		jt_usage_error("--by goes with --paths or --variants");
	if (window && o.mode != JT_SM_ANNOTATE && o.mode != JT_SM_FUNNEL)
		jt_usage_error("--window goes with --outcome or --funnel");
	if (window && o.mode == JT_SM_ANNOTATE && !o.outcome)
		jt_usage_error("--window goes with --outcome or --funnel");
	if ((o.top || o.collapse || o.first_only) && o.mode != JT_SM_VARIANTS)
		jt_usage_error("--top, --collapse and --first-only go with --variants");
	if ((o.returning || o.unbounded || o.counts) && o.mode != JT_SM_COHORTS)
		jt_usage_error("--returning, --unbounded and --counts go with --cohorts");

	struct jt_buf path = JT_BUF_INIT;
	if (!rules) {
		jt_buf_printf(&path, "%s/stages.rules", jt_datadir());
		rules = path.p;
	}
	/* no output may replace an input: checked before anything is read */
	jt_path_config("rules file", rules);
	if (o.params_in)
		jt_path_config("--use-params file", o.params_in);
	jt_common_inputs(argv + optind, argc - optind);
	o.rules = jt_rules_load(rules);
	if (path.p)
		jt_rules_quiet_missing(o.rules);	/* the shipped file */
	if (labels) {
		if (o.mode != JT_SM_ANNOTATE || o.outcome || optind < argc)
			jt_usage_error("--labels lists the rules' stages: it takes no input and no view");
		FILE *out = jt_out_open(c.output);
		jt_rules_write_labels(o.rules, out, "stage", NULL, o.deflabel);
		jt_out_commit(out);
		jt_rules_free(o.rules);
		jt_buf_free(&path);
		return jt_finish(0);
	}
	struct jt_stagerun *r = jt_stage_new(&o);
	for (int i = optind; i < argc; i++)
		jt_stage_input(r, argv[i]);
	FILE *out = jt_out_open(c.output);
	int status = jt_stage_run(r, out);
	if (status == 0)
		jt_out_commit(out);
	else
		jt_out_fail();
	jt_stage_free(r);
	jt_rules_free(o.rules);
	jt_buf_free(&path);
	return jt_finish(status);
}
