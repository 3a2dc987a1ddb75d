/* jrefer — the referral graph: who refers whom, how well, how fast, and what
 * looks wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jt.h"
#include "jt_refer.h"

enum {
	OPT_SUMMARY = JT_OPT_TOOL, OPT_CHAINS, OPT_REFERRER, OPT_REFEREE, OPT_TIME, OPT_SIGNUP, OPT_CONVERTED,
	OPT_CUSTOMERS, OPT_KFACTOR, OPT_FLAGS, OPT_MEMORY
};

static const struct option longopts[] = {
	JT_COMMON_LONGOPTS,
	{ "chains", no_argument, NULL, OPT_CHAINS },
	{ "converted", required_argument, NULL, OPT_CONVERTED },
	{ "customers", required_argument, NULL, OPT_CUSTOMERS },
	{ "flags", required_argument, NULL, OPT_FLAGS },
	{ "jobs", required_argument, NULL, 'j' },
	{ "k-factor", required_argument, NULL, OPT_KFACTOR },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "referee", required_argument, NULL, OPT_REFEREE },
	{ "referrer", required_argument, NULL, OPT_REFERRER },
	{ "signup", required_argument, NULL, OPT_SIGNUP },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "time", required_argument, NULL, OPT_TIME },
	{ NULL, 0, NULL, 0 }
};

/* --memory SIZE: bytes, or a number with K, M, G or T (powers of 1024), at least 1K. */
static uint64_t memory_size(const char *s)
{
	static const char units[] = "KMGT";
	char num[32];
	size_t n = strlen(s);
	uint64_t v, mul = 1;
	const char *u = n ? strchr(units, s[n - 1] & ~0x20) : NULL;
	if (u && *u) {
		mul = (uint64_t)1 << (10 * (u - units + 1));
		n--;
	}
	if (n >= sizeof num)
		n = 0;	/* too long to be a size */
	memcpy(num, s, n);
	num[n] = '\0';
	if (jt_parse_size(num, &v) != 0 || v > UINT64_MAX / mul)
		jt_usage_error("--memory: '%s' is not a size (bytes, or a number with K, M or G: 512M, 2G)",
			       jt_show(s, strlen(s)));
	if (v * mul < 1024)
		jt_usage_error("--memory: '%s' is less than 1K", jt_show(s, strlen(s)));
	return v * mul;
}

static void help(void)
{
	printf("usage: jrefer [--summary | --chains] [--customers N] [--k-factor customers|referrers]\n"
	       "              [--flags file] [--memory size] [-j N] [file ...]\n"
	       "       jrefer --referrer col --referee col --time col [--signup col] [--converted col] ...\n"
	       "The referral graph of the touch stream (referral_sent touches: customer -> referee), or of a\n"
	       "raw referral export: per referrer, a summary, or the chains.\n\n"
	       "      --summary         customers, referrers, invites, conversion, K-factor, viral cycle time,\n"
	       "                        generations, share of customers acquired through referral\n"
	       "      --chains          every referred customer with referrer, root, generation and path\n"
	       "      --customers N     the customer base for --summary (default: the input's customers); fewer\n"
	       "                        than its referrers and referred customers is a usage error\n"
	       "      --k-factor DEF    customers (default: invites per customer x conversion) or\n"
	       "                        referrers (invites per referring customer x conversion)\n"
	       "      --flags FILE      referrals kept but suspicious (the referee was a customer before)\n"
	       "      --memory SIZE     the memory for what grows with the rows (default 1G; K, M, G: 512M);\n"
	       "                        past it the invitations go through spill files in $TMPDIR\n"
	       "  -j, --jobs N          threads: 1, or 2 and more, one reading while one builds (the\n"
	       "                        default where there are 2 processors); more than 2 add nothing\n"
	       "      --referrer COL    a raw export: the referrer column (with --referee and --time)\n"
	       "      --referee COL     the referred person\n"
	       "      --time COL        when the invitation was sent\n"
	       "      --signup COL      when the referee signed up (optional)\n"
	       "      --converted COL   when the referee converted (optional)\n"
	       "%s\n"
	       "Examples:\n"
	       "  jtouch -p referrals r.csv -p orders o.csv | jrefer --summary\n"
	       "  jrefer --chains --flags suspicious.csv touches.csv\n"
	       "  jrefer --referrer advocate --referee friend --time sent_at --converted paid_at export.csv\n\n"
	       "See jrefer(1) and jtools(7).\n",
	       jt_common_help);
}

int main(int argc, char **argv)
{
	struct jt_common c;
	struct jt_refer_opts o;
	int opt;

	jt_setprogname("jrefer");
	argv[0] = "jrefer";
	jt_out_init();
	jt_common_init(&c);
	memset(&o, 0, sizeof o);
	o.c = &c;
	while ((opt = getopt_long(argc, argv, JT_SHORTOPTS "j:", longopts, NULL)) != -1) {
		if (jt_common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case OPT_SUMMARY:
		case OPT_CHAINS: {
			enum jt_refer_mode m = opt == OPT_SUMMARY ? JT_RM_SUMMARY : JT_RM_CHAINS;
			if (o.mode != JT_RM_REFERRERS && o.mode != m)
				jt_usage_error("--summary and --chains: one view at a time");
			o.mode = m;
			break;
		}
		case OPT_REFERRER: o.referrer = optarg; break;
		case OPT_REFEREE: o.referee = optarg; break;
		case OPT_TIME: o.time = optarg; break;
		case OPT_SIGNUP: o.signup = optarg; break;
		case OPT_CONVERTED: o.converted = optarg; break;
		case OPT_FLAGS: o.flags = optarg; break;
		case OPT_CUSTOMERS: {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0)
				jt_usage_error("--customers: '%s' is not a positive number", optarg);
			o.customers = n;
			break;
		}
		case OPT_MEMORY: o.memory = memory_size(optarg); break;
		case 'j': {
			uint64_t n;
			if (jt_parse_size(optarg, &n) != 0 || n == 0 || n > 1024)
				jt_usage_error("-j: '%s' is not a number of threads from 1 to 1024", jt_show(optarg, strlen(optarg)));
			o.jobs = (int)n;
			break;
		}
		case OPT_KFACTOR:
			if (strcmp(optarg, "customers") == 0)
				o.kfactor = JT_K_CUSTOMERS;
			else if (strcmp(optarg, "referrers") == 0)
				o.kfactor = JT_K_REFERRERS;
			else
				jt_usage_error("--k-factor: '%s' is not customers or referrers", optarg);
			break;
		default: jt_usage_fail();
		}
	}
	jt_common_check(&c);
	if ((o.referrer || o.referee || o.time || o.signup || o.converted) && !(o.referrer && o.referee && o.time))
		jt_usage_error("a raw export needs --referrer, --referee and --time together");
	if (o.referrer && (c.has_since || c.has_until))
		jt_usage_error("--since and --until read the touch stream's time column; a raw export has none");
	if (o.flags)
		jt_check_other_output(&c, "--flags", o.flags);

	jt_common_inputs(argv + optind, argc - optind);
	struct jt_referrun *r = jt_refer_new(&o);
	for (int i = optind; i < argc; i++)
		jt_refer_input(r, argv[i]);
	FILE *out = jt_out_open(c.output);
	int status = jt_refer_run(r, out);
	if (status == 0)
		jt_out_commit(out);
	else
		jt_out_fail();
	jt_refer_free(r);
	return jt_finish(status);
}
