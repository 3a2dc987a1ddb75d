/* jtouch — raw export rows to the touch stream (one row per touch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt.h"
#include "jt_touch.h"

enum { OPT_DEDUP = JT_OPT_TOOL, OPT_SHARD, OPT_LIST, OPT_SETTING };

/* Every profile setting is also an option; its value is the setting's text. */
static const char *const settings[] = {
	"source", "customer", "customer-normalize", "touch", "measure", "range", "map", "referee",
	"channel", "carry", "tz", "date-order", "time-format", "lookup", "month-names", NULL
};
enum { NSETTING = sizeof settings / sizeof *settings - 1 };

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	{ "dedup", no_argument, NULL, OPT_DEDUP },
	{ "list-profiles", no_argument, NULL, OPT_LIST },
	{ "profile", required_argument, NULL, 'p' },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "source", required_argument, NULL, OPT_SETTING + 0 },
	{ "customer", required_argument, NULL, OPT_SETTING + 1 },
	{ "customer-normalize", required_argument, NULL, OPT_SETTING + 2 },
	{ "touch", required_argument, NULL, OPT_SETTING + 3 },
	{ "measure", required_argument, NULL, OPT_SETTING + 4 },
	{ "range", required_argument, NULL, OPT_SETTING + 5 },
	{ "map", required_argument, NULL, OPT_SETTING + 6 },
	{ "referee", required_argument, NULL, OPT_SETTING + 7 },
	{ "channel", required_argument, NULL, OPT_SETTING + 8 },
	{ "carry", required_argument, NULL, OPT_SETTING + 9 },
	{ "tz", required_argument, NULL, OPT_SETTING + 10 },
	{ "date-order", required_argument, NULL, OPT_SETTING + 11 },
	{ "time-format", required_argument, NULL, OPT_SETTING + 12 },
	{ "lookup", required_argument, NULL, OPT_SETTING + 13 },
	{ "month-names", required_argument, NULL, OPT_SETTING + 14 },
	{ NULL, 0, NULL, 0 }
};

static void help(void)
{
	printf("usage: jtouch [options] [-p profile] [settings] file ... [-p profile [settings] file ...]\n"
	       "Turn raw export rows (surveys, tickets, orders, referrals, events) into the touch stream:\n"
	       "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,\n"
	       "amount,delay_s,referee, then custom measures and carried columns.\n\n"
	       "Profiles and settings (apply to the files named after them; a column may be\n"
	       "'a | b', the first the input has):\n"
	       "  -p, --profile NAME|FILE   a shipped profile (see --list-profiles) or a profile file\n"
	       "      --list-profiles       print the shipped profiles and exit\n"
	       "      --source NAME         value of the source column (default: the profile's name)\n"
	       "      --customer 'COL ...'  customer id column; the first present alias wins; @row makes ids\n"
	       "      --customer-normalize lower,trim\n"
	       "      --touch 'TP TIMECOL [customer=COL]'  emit touchpoint TP ({COL}: COL's value) at TIMECOL\n"
	       "      --measure 'NAME = COL [* N | / N | - COL] [on TP] [signed]'\n"
	       "      --range 'NAME LOW HIGH'   accepted values of a measure ('-' for no bound)\n"
	       "      --map 'COL VALUE=NEW ...' rewrite values of COL (case-insensitive; VALUE= empties)\n"
	       "      --channel COL|=VALUE  the channel column, or a constant\n"
	       "      --referee COL         the referred customer (on the row's first touch)\n"
	       "      --carry 'COL|NEW=COL ... [on TP,...]'  columns to carry to every touch of the row,\n"
	       "                            or to the touches TP only\n"
	       "      --lookup FILE:KEY[=COL]   join FILE's row whose KEY equals COL (chainable)\n"
	       "      --tz ZONE             zone of times without offset (IANA name, default UTC)\n"
	       "      --date-order mdy|dmy  day/month order of 03/04/2024, 03-04-2024, 3.4.24; required for / and -\n"
	       "      --time-format 'READER ... [COL ...]'  auto, epoch, epoch_ms or a format such as\n"
	       "                            '%%d-%%m-%%Y %%H:%%M' (repeatable: the first that reads wins)\n"
	       "      --month-names FILE    month names for %%b, %%B and auto (12 lines, January first)\n"
	       "  -d, --delimiter C|auto, -t, --encoding NAME, --decimal-comma, --where EXPR\n"
	       "                            apply to the files after them, like the settings above\n"
	       "Run options:\n"
	       "      --shard K/N           keep customers with FNV-1a64(id) mod N + 1 = K\n"
	       "      --dedup               drop repeated touches (same customer, time, touchpoint)\n"
	       "%s\n"
	       "Examples:\n"
	       "  jtouch -p survey surveys.csv -p tickets tickets.csv > touches.csv\n"
	       "  jtouch -p zendesk --tz Europe/Berlin export.csv\n"
	       "  jtouch --lookup orders.csv:order_id --lookup customers.csv:customer_id \\\n"
	       "         -p olist-reviews reviews.csv\n"
	       "  jtouch --customer user_id --touch '{event} ts' --time-format 'epoch_ms ts' events.csv\n\n"
	       "See jtouch(1), jtouch-profile(5) and jtools(7).\n",
	       jt_common_help);
}

static void shard(struct jt_touchopts *o, const char *arg)
{
	const char *slash = strchr(arg, '/');
	char k[32];
	if (!slash || (size_t)(slash - arg) >= sizeof k)
		jt_usage_error("--shard: '%s' is not K/N (e.g. 2/8)", arg);
	memcpy(k, arg, (size_t)(slash - arg));
	k[slash - arg] = '\0';
	if (jt_parse_size(k, &o->shard_k) != 0 || jt_parse_size(slash + 1, &o->shard_n) != 0 || o->shard_n == 0 ||
	    o->shard_k < 1 || o->shard_k > o->shard_n)
		jt_usage_error("--shard: '%s' is not K/N with 1 <= K <= N", arg);
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_touchopts o = { &c, 0, 0, 0 };
	int opt, list = 0;

	jt_setprogname("jtouch");
	argv[0] = "jtouch";
	jt_out_init();
	jt_common_init(&c);
	struct jt_touchrun *r = jt_touch_new(&o);
	/* '+': stop at each file operand, so settings apply to the files after them */
	for (;;) {
		while ((opt = getopt_long(argc, argv, "+" JT_SHORTOPTS "p:", longopts, NULL)) != -1) {
			char d[8];
			switch (opt) {
			case 'd':
			case 't':
				if (opt == 't' || strcmp(optarg, "\\t") == 0 || strcmp(optarg, "tab") == 0)
					snprintf(d, sizeof d, "tab");
				else if (strcmp(optarg, "auto") == 0)
					snprintf(d, sizeof d, "auto");
				else if (strlen(optarg) == 1)
					snprintf(d, sizeof d, "%s", optarg);
				else
					jt_usage_error("-d: '%s' is not one character or auto", optarg);
				jt_touch_setting(r, opt == 't' ? "-t" : "-d", "delimiter", d);
				continue;
			case 'p': jt_touch_profile(r, optarg); continue;
			/* decoding and row filters are settings here: they apply to the files after them */
			case JT_OPT_ENCODING: jt_touch_setting(r, "--encoding", "encoding", optarg); continue;
			case JT_OPT_DECIMAL_COMMA: jt_touch_setting(r, "--decimal-comma", "decimal_comma", "yes"); continue;
			case JT_OPT_WHERE: jt_touch_setting(r, "--where", "where", optarg); continue;
			case OPT_DEDUP: o.dedup = 1; continue;
			case OPT_SHARD: shard(&o, optarg); continue;
			case OPT_LIST: list = 1; continue;
			default: break;
			}
			if (opt >= OPT_SETTING && opt < OPT_SETTING + NSETTING) {
				char name[40];
				snprintf(name, sizeof name, "--%s", settings[opt - OPT_SETTING]);
				jt_touch_setting(r, name, settings[opt - OPT_SETTING], optarg);
			} else if (!jt_common_option(&c, opt, optarg, help)) {
				jt_usage_fail();
			}
		}
		if (optind >= argc)
			break;
		jt_touch_input(r, argv[optind++]);
	}
	jt_common_check(&c);
	if (list) {
		jt_touch_list_profiles(stdout);
		jt_touch_free(r);
		return jt_finish(0);
	}
	FILE *out = jt_out_open(c.output);
	int status = jt_touch_run(r, out);
	if (status == 0)
		jt_out_commit(out);
	else
		jt_out_fail();
	jt_touch_free(r);
	return jt_finish(status);
}
