/* rules.c — a rules file (lib/rules.c) from any bytes: parsed; when it parses,
 * its labels and attributes read back, and a few fixed rows matched against
 * two headers (memo and no memo, a short record). A pattern too costly for a
 * row is an error the matcher returns (jt_rules_try), never a hang. */
#include <string.h>

#include "fuzz.h"
#include "jt.h"
#include "jt_rules.h"

static const char *const cols[] = { "touchpoint", "category", "subject", "comment", "title", "channel", "1" };
enum { NCOL = sizeof cols / sizeof *cols };

static const char *const rows[][NCOL] = {
	{ "page_view", "Billing", "refund please", "the item arrived broken", "Mr", "web", "x" },
	{ "order_returned", "", "", "", "", "", "" },
	{ "social_share", "shipping", "Re: late delivery", "\xff\xfe not UTF-8 \xc3", "", "app", "1" },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	  "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "x", "y", "z", "2" },
	{ "purchase", "Billing", "refund please", "the item arrived broken", "Mr", "web", "x" },
};
enum { NROW = sizeof rows / sizeof *rows };

static void match_all(struct jt_rules *r, const struct jt_header *h, size_t ncol)
{
	jt_rules_bind(r, h, "fuzz");
	for (int pass = 0; pass < 2; pass++)	/* the second pass hits the memo */
		for (size_t k = 0; k < NROW; k++) {
			size_t len[NCOL];
			for (size_t i = 0; i < NCOL; i++)
				len[i] = strlen(rows[k][i]);
			struct jt_record rec = { ncol, rows[k], len, k + 2, k + 1, NULL, 0, ',' };
			char err[1024] = "";
			long lab = jt_rules_try(r, &rec, err, sizeof err);
			FUZZ_ASSERT(lab >= -2 && lab < (long)jt_rules_nlabels(r), "label %ld of %zu", lab,
				    jt_rules_nlabels(r));
			FUZZ_ASSERT(lab != -2 || err[0], "a failed match without a message");
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	unsigned line = 0;
	size_t col = 0;
	jt_set_quiet(1);
	struct jt_rules *r = jt_rules_parse((const char *)data, size, "fuzz.rules", err, sizeof err, &line, &col);
	if (!r) {
		FUZZ_ASSERT(err[0] && line >= 1 && col >= 1, "an error without message, line or column");
		return 0;
	}
	size_t n = jt_rules_nlabels(r);
	FUZZ_ASSERT(n >= 1, "rules without a label");
	for (size_t i = 0; i < n; i++) {
		const char *l = jt_rules_label(r, i);
		FUZZ_ASSERT(jt_rules_find(r, l) == (long)i, "label '%s' found at another index", l);
		const char *v = jt_rules_attr(r, i, "kind");
		FUZZ_ASSERT(!v || *v, "an empty attribute");
	}
	size_t len[NCOL];
	for (size_t i = 0; i < NCOL; i++)
		len[i] = strlen(cols[i]);
	struct jt_header h = { NCOL, (char **)cols, len };
	match_all(r, &h, NCOL);
	struct jt_header h2 = { 3, (char **)cols + 2, len + 2 };	/* a new header: the bound columns move */
	match_all(r, &h2, 3);
	match_all(r, &h, 2);	/* records shorter than the header */
	jt_rules_free(r);
	return 0;
}
