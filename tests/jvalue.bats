#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# jvalue: behaviour suite (spec: jvalue --help, jtools-rules(5), DESIGN.md sections 2 and 3).
# Every label and every impact figure was worked out by hand; the arithmetic is in the
# comments, and the intervals are recomputed by this suite's own awk (STATS_AWK below: the
# t quantile by Simpson integration, Wilson/Newcombe and the NPS Wald interval from their
# formulas), which shares no code with jvalue. The goldens in tests/expected/jvalue/ were
# checked against the hand computations line by line. Fixtures: tests/fixtures/jvalue/
# (each test runs there, so messages name the files as given).
# Tests marked skip "BUG: ..." describe what the spec asks and the program does not do yet.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jvalue
GOLDEN=jvalue

# JT_VALGRIND=1 (make valgrind-check): tests/test_helper.bash wraps the program in valgrind.

setup() {
	cd "$FIX/jvalue"
	T=$BATS_TEST_TMPDIR
}

# row KEY: the output row of the last --impact run whose cell (the -g fields, joined by
# commas) is KEY, without the cell fields.
row() {
	awk -F, -v k="$1" -v g="${2:-2}" '{ c = $1; for (i = 2; i <= g; i++) c = c "," $i }
		NR > 1 && c == k { s = $(g + 1); for (i = g + 2; i <= NF; i++) s = s "," $i; print s }' "$T/out"
}

# The statistics of the impact report, from their textbook formulas, with no code of jvalue.
# Each of nps(), rate() and welch() takes the touched side's and the untouched side's values
# as blank-separated lists and returns
#   touched_n,untouched_n,<kind>_touched,<kind>_untouched,difference,difference_lo,difference_hi
# (nps and rate to 2 decimals, means to 4), the columns 2-8 after the cell in jvalue's output.
# The t quantile: with t = sqrt(df) tan(u), the t density becomes cos(u)^(df-1), so
# P(0 < T < q) / P(T > 0) = I(atan(q / sqrt(df))) / I(pi/2), I(x) = integral of cos^(df-1) from 0
# to x (Simpson, 4000 panels); t(0.975, df) is where that ratio is 0.95 (bisection, 60 steps).
STATS_AWK='
function ipow(x, a) { return x <= 0 || a * log(x) < -700 ? 0 : exp(a * log(x)) }
function cint(phi, df,   n, h, s, k) {
	n = 4000; h = phi / n; s = 1 + ipow(cos(phi), df - 1)
	for (k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * ipow(cos(k * h), df - 1)
	return s * h / 3
}
function tq(df,   lo, hi, mid, tot, i) {
	tot = cint(atan2(1, 0), df); lo = 0; hi = atan2(1, 0)
	for (i = 0; i < 60; i++) { mid = (lo + hi) / 2; if (cint(mid, df) / tot < 0.95) lo = mid; else hi = mid }
	mid = (lo + hi) / 2
	return sqrt(df) * sin(mid) / cos(mid)
}
function fmt(x, d) { x = sprintf("%." d "f", x); return x ~ /^-0\.0+$/ ? substr(x, 2) : x }
function out(nt, nu, vt, vu, diff, lo, hi, d) {
	return nt "," nu "," fmt(vt, d) "," fmt(vu, d) "," fmt(diff, d) "," (lo == "" ? "" : fmt(lo, d)) "," (hi == "" ? "" : fmt(hi, d))
}
# NPS: 100 (P - D) / n; two-sample Wald on the -1/0/+1 recoding, V = P + D - (P - D)^2 (shares),
# the interval clamped to -200..200, the range of a difference of two NPS
function nps(ts, us,   t, u, nt, nu, i, pt, dt, pu, du, vt, vu, diff, se, lo, hi) {
	nt = split(ts, t, " "); nu = split(us, u, " ")
	for (i = 1; i <= nt; i++) { pt += t[i] >= 9; dt += t[i] <= 6 }
	for (i = 1; i <= nu; i++) { pu += u[i] >= 9; du += u[i] <= 6 }
	pt /= nt; dt /= nt; pu /= nu; du /= nu
	vt = pt + dt - (pt - dt) ^ 2; vu = pu + du - (pu - du) ^ 2
	diff = 100 * (pt - dt) - 100 * (pu - du); se = 100 * sqrt(vt / nt + vu / nu)
	lo = diff - 1.959963984540054 * se; hi = diff + 1.959963984540054 * se
	return out(nt, nu, 100 * (pt - dt), 100 * (pu - du), diff, lo < -200 ? -200 : lo, hi > 200 ? 200 : hi, 2)
}
# Wilson score interval of x hits in n (95 %), into W[1], W[2]
function wilson(x, n,   z, p, c, h) {
	z = 1.959963984540054; p = x / n
	c = (p + z * z / (2 * n)) / (1 + z * z / n)
	h = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
	W[1] = c - h < 0 ? 0 : c - h; W[2] = c + h > 1 ? 1 : c + h
}
# rate: percent of 1s; Newcombe (1998) method 10 from the two Wilson intervals
function rate(ts, us,   t, u, nt, nu, i, xt, xu, p1, p2, l1, u1, l2, u2, d) {
	nt = split(ts, t, " "); nu = split(us, u, " ")
	for (i = 1; i <= nt; i++) xt += t[i]
	for (i = 1; i <= nu; i++) xu += u[i]
	p1 = xt / nt; p2 = xu / nu; d = p1 - p2
	wilson(xt, nt); l1 = W[1]; u1 = W[2]
	wilson(xu, nu); l2 = W[1]; u2 = W[2]
	return out(nt, nu, 100 * p1, 100 * p2, 100 * d, 100 * (d - sqrt((p1 - l1) ^ 2 + (u2 - p2) ^ 2)),
		100 * (d + sqrt((u1 - p1) ^ 2 + (p2 - l2) ^ 2)), 2)
}
# Welch: diff +- t(0.975, df) se, se^2 = st^2/nt + su^2/nu, Welch-Satterthwaite df (in DF)
function welch(ts, us,   t, u, nt, nu, i, mt, mu, vt, vu, a, b, se, q, diff) {
	nt = split(ts, t, " "); nu = split(us, u, " ")
	for (i = 1; i <= nt; i++) mt += t[i] / nt
	for (i = 1; i <= nu; i++) mu += u[i] / nu
	diff = mt - mu; DF = ""
	if (nt < 2 || nu < 2) return out(nt, nu, mt, mu, diff, "", "", 4)
	for (i = 1; i <= nt; i++) vt += (t[i] - mt) ^ 2 / (nt - 1)
	for (i = 1; i <= nu; i++) vu += (u[i] - mu) ^ 2 / (nu - 1)
	a = vt / nt; b = vu / nu; se = sqrt(a + b)
	if (se == 0) return out(nt, nu, mt, mu, diff, diff, diff, 4)
	DF = (a + b) ^ 2 / (a * a / (nt - 1) + b * b / (nu - 1)); q = tq(DF)
	return out(nt, nu, mt, mu, diff, diff - q * se, diff + q * se, 4)
}'

# stat EXPR: print an awk expression evaluated with STATS_AWK.
stat() {
	awk "$STATS_AWK"' BEGIN { print '"$1"' }'
}

# ================================================================ 0. the suite's own statistics

@test "jvalue: the suite's awk t quantile, Wilson and Newcombe match published values" {
	# t(0.975, df) from a t table: 12.7062 (1), 2.7764 (4), 2.5706 (5), 2.2281 (10), 2.0423 (30)
	run stat 'sprintf("%.4f %.4f %.4f %.4f %.4f", tq(1), tq(4), tq(5), tq(10), tq(30))'
	assert_output "12.7062 2.7764 2.5706 2.2281 2.0423"
	# Newcombe (1998), table II, example (a): 56/70 against 48/80 -> 0.0524 to 0.3339 (method 10)
	run awk "$STATS_AWK"' BEGIN { for (i = 1; i <= 70; i++) t = t " " (i <= 56); for (i = 1; i <= 80; i++) u = u " " (i <= 48)
		print rate(t, u) }'
	assert_output "70,80,80.00,60.00,20.00,5.24,33.39"
	# Wilson (1927) for 0 of 10: 0 to 0.2775 (Newcombe 1998a, table I)
	run stat 'wilson(0, 10) sprintf("%.4f %.4f", W[1], W[2])'
	assert_output "0.0000 0.2775"
}

# ================================================================ 1. annotate

# annotate.csv, the 14 fixed columns and the text columns the shipped rules read (category,
# subject, comment, title); one row per rule family of value-chain.rules (first match wins,
# text rules above touchpoint rules; (?i) ignores case):
#   c1 ad_click, checkout_started, order_placed      -> marketing_sales primary (touchpoint)
#      order_approved                                -> operations primary
#      order_shipped, order_delivered                -> outbound_logistics primary
#      survey_response, comment 'Fast, and well packed' (no rule word) -> service primary
#   c2 supplier_delivery                             -> inbound_logistics primary (supplier_\w+)
#      referral_sent, (c9) referral_signup           -> marketing_sales (referral_\w+)
#      ticket_opened, category 'Damaged item'        -> procurement support (category rule)
#      ticket_opened, subject 'App crashes on login' -> technology support (subject: \bapp\b, crash)
#   c3 ticket_opened, category 'Billing'             -> infrastructure support (category)
#      ticket_opened, category 'Login problem'       -> technology support (category \blogin\b)
#      ticket_solved, subject 'Refund for order 12'  -> infrastructure support (subject refund)
#   c4 survey_response, comment 'The agent was RUDE to me'           -> human_resources (\brude\b)
#      comment 'Atendente sem paciencia, "mal" educado' (quoted)     -> human_resources (atendente)
#      comment 'the website\nwas down' (embedded newline)            -> technology (\bwebsite\b)
#   c5 survey_response, comment 'Produto QUEBRADO'   -> procurement (quebrad, any case)
#      survey_response, title 'Produto errado'       -> procurement (title rule)
#      order_delivered, category 'Damaged', delay_s  -> procurement: the text wins over the touchpoint
#   c6 ticket_opened, subject 'Application form question' -> service ('app' is no word there)
#      ticket_first_reply, login, order_returned     -> service primary (login is a service touch)
#      mystery_event                                 -> no rule: empty activity, empty kind
#   c7 email_open -> marketing_sales; 'Ticket_opened' -> none (patterns are case-sensitive)
@test "jvalue: default rules give every Porter activity and its kind (golden annotate.csv)" {
	jt annotate.csv
	golden annotate.csv
	# the header gains the two columns at the end; every other byte of the input is kept
	run head -1 "$T/out"
	assert_output "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,category,subject,comment,title,activity,activity_kind"
	sed -E 's/,[a-z_]*,[a-z]*$//' "$T/out" | tail -n +2 >"$T/stripped"
	tail -n +2 annotate.csv | same "$T/stripped"
	# the labels in input order (the record with the embedded newline ends on its second line)
	run awk -F, 'NR > 1 && !/"the website$/ { print $(NF - 1) == "" ? "(none)" : $(NF - 1) }' "$EXP/jvalue/annotate.csv"
	assert_output "marketing_sales
marketing_sales
marketing_sales
operations
outbound_logistics
outbound_logistics
service
inbound_logistics
marketing_sales
marketing_sales
procurement
technology
infrastructure
technology
infrastructure
human_resources
human_resources
technology
procurement
procurement
procurement
service
service
service
service
(none)
marketing_sales
(none)"
	# the kind of every label is its %kind line in the shipped rules
	run awk -F, 'NR == FNR { if ($1 == "%kind") k[$2] = $3; next }
		FNR > 1 && NF >= 20 && $(NF - 1) != "" && k[$(NF - 1)] != $NF { print "row " FNR ": " $(NF - 1) " " $NF }' \
		FS=' ' "$JTOOLS_DATADIR/value-chain.rules" FS=, "$T/out"
	assert_output ''
	run awk -F, 'NR > 1 && !/"the website$/ && $(NF - 1) != "" && $NF != "primary" && $NF != "support"' "$T/out"
	assert_output ''
	run awk -F, 'NR > 1 && !/"the website$/ && $(NF - 1) == "" && $NF != ""' "$T/out"
	assert_output ''
}

@test "jvalue: all nine activities of the shipped rules, in Porter's order, with their kinds" {
	run awk '$1 == "%kind" { print $2, $3 }' "$JTOOLS_DATADIR/value-chain.rules"
	assert_output "inbound_logistics primary
operations primary
outbound_logistics primary
marketing_sales primary
service primary
procurement support
technology support
human_resources support
infrastructure support"
	# annotate.csv reaches every one of them
	jt annotate.csv
	run sh -c "awk -F, 'NR > 1 && \$(NF - 1) != \"\" { print \$(NF - 1) }' '$T/out' | sort -u | wc -l"
	assert_output 9
}

@test "jvalue: --labels lists the activities in rules order with their kinds (for jkpi --row-order)" {
	jt --labels
	assert_equal "$(cat "$T/out")" "activity,activity_kind
inbound_logistics,primary
operations,primary
outbound_logistics,primary
marketing_sales,primary
service,primary
procurement,support
technology,support
human_resources,support
infrastructure,support"
	# --default adds its label when the rules do not have it; -r reads a user's file
	printf 'late_box touchpoint ^x$\nearly touchpoint ^y$\n%%kind early support\n' >"$T/r.rules"
	jt --labels -r "$T/r.rules" --default other
	assert_equal "$(cat "$T/out")" "activity,activity_kind
late_box,
early,support
other,"
	jtrc 2 --labels annotate.csv
	err_is "jvalue: --labels lists the rules' activities: it takes no input and no --impact
Try 'jvalue --help' for more information."
}

@test "jvalue: --default LABEL for unmatched touches: its %kind when the rules have one, else empty" {
	jt --default other annotate.csv
	# mystery_event and Ticket_opened: 'other' with an empty kind; every other row unchanged
	run awk -F, '$3 == "mystery_event" || $3 == "Ticket_opened" { print $3, $(NF - 1), "[" $NF "]" }' "$T/out"
	assert_output "mystery_event other []
Ticket_opened other []"
	awk -F, '$3 != "mystery_event" && $3 != "Ticket_opened"' "$T/out" >"$T/a"
	awk -F, '$3 != "mystery_event" && $3 != "Ticket_opened"' "$EXP/jvalue/annotate.csv" | same "$T/a"
	# a label of the rules: its kind comes along
	jt --default service annotate.csv
	run awk -F, '$3 == "mystery_event" || $3 == "Ticket_opened" { print $3, $(NF - 1), $NF }' "$T/out"
	assert_output "mystery_event service primary
Ticket_opened service primary"
	jt --default technology annotate.csv
	run awk -F, '$3 == "mystery_event" { print $(NF - 1), $NF }' "$T/out"
	assert_output "technology support"
}

# rules/custom.rules: %kind delivery primary, %kind complaint support (line 2-3), then
#   5 late delay_s ^[1-9]; 6 complaint priority ...; 7 delivery touchpoint ^order_(shipped|delivered)$;
#   8 complaint severity ...; 9 complaint priority ^P1$; 10 complaint category (?i)damaged
# annotate.csv has neither priority nor severity: one warning per column, at its first rule's line.
#   c1 order_shipped -> delivery primary; c1 order_delivered delay_s -30600 -> not late -> delivery
#   c5 order_delivered delay_s 151200 -> late (line 5 before line 7), kind empty (no %kind late)
#   c2 ticket_opened category 'Damaged item' -> complaint support; everything else: empty
@test "jvalue: -r custom rules; one warning per absent column with its exact text (golden annotate_custom.csv)" {
	jtrc 0 -r rules/custom.rules annotate.csv
	golden annotate_custom.csv
	err_is "jvalue: warning: rules/custom.rules:6: annotate.csv has no column 'priority': its rules never match
jvalue: warning: rules/custom.rules:8: annotate.csv has no column 'severity': its rules never match"
	run awk -F, 'NR > 1 && $(NF - 1) != "" { print $1, $3, $(NF - 1), "[" $NF "]" }' "$T/out"
	assert_output "c1 order_shipped delivery [primary]
c1 order_delivered delivery [primary]
c2 ticket_opened complaint [support]
c5 order_delivered late []"
	# two inputs: still one warning per column, naming the first input; stdin is <stdin>
	jtrc 0 -r rules/custom.rules annotate.csv annotate.csv
	err_is "jvalue: warning: rules/custom.rules:6: annotate.csv has no column 'priority': its rules never match
jvalue: warning: rules/custom.rules:8: annotate.csv has no column 'severity': its rules never match"
	assert_equal "$(wc -l <"$T/out")" $((2 * $(wc -l <"$EXP/jvalue/annotate_custom.csv") - 1))
	jtrc 0 -r rules/custom.rules <annotate.csv
	golden annotate_custom.csv
	err_is "jvalue: warning: rules/custom.rules:6: <stdin> has no column 'priority': its rules never match
jvalue: warning: rules/custom.rules:8: <stdin> has no column 'severity': its rules never match"
	# -q silences the warnings
	jt -q -r rules/custom.rules annotate.csv
	golden annotate_custom.csv
	# the shipped file has rules on category, subject, comment and title: never a warning
	printf 'customer,time,touchpoint\nc1,2024-01-01T00:00:00Z,order_shipped\n' >"$T/narrow.csv"
	jt "$T/narrow.csv"
	same <<'EOF'
customer,time,touchpoint,activity,activity_kind
c1,2024-01-01T00:00:00Z,order_shipped,outbound_logistics,primary
EOF
	# ... but the same file given with -r is a user's file: it warns
	jtrc 0 -r "$JTOOLS_DATADIR/value-chain.rules" "$T/narrow.csv"
	local l
	l=$(grep -n -m1 '^[a-z_]* *category ' "$JTOOLS_DATADIR/value-chain.rules" | cut -d: -f1)
	run head -1 "$T/err"
	assert_output "jvalue: warning: $JTOOLS_DATADIR/value-chain.rules:$l: $T/narrow.csv has no column 'category': its rules never match"
	assert_equal "$(wc -l <"$T/err")" 4
}

@test "jvalue: a second run replaces activity and activity_kind in place (the same bytes)" {
	jt annotate.csv
	cp "$T/out" "$T/once.csv"
	jt "$T/once.csv"
	same <"$T/once.csv"
	# other rules on the annotated stream: the same columns, new values
	jt -q -r rules/custom.rules "$T/once.csv"
	golden annotate_custom.csv
	# the columns where they stand, not at the end: activity before the others
	printf 'activity,customer,time,touchpoint,activity_kind,x\nold,c1,2024-01-01T00:00:00Z,order_approved,stale,1\nold,c2,2024-01-01T00:00:00Z,nothing,stale,2\n' >"$T/mid.csv"
	jt "$T/mid.csv"
	same <<'EOF'
activity,customer,time,touchpoint,activity_kind,x
operations,c1,2024-01-01T00:00:00Z,order_approved,primary,1
,c2,2024-01-01T00:00:00Z,nothing,,2
EOF
	# only one of the two present: it is replaced, the other appended
	printf 'customer,touchpoint,activity\nc1,ad_click,old\n' >"$T/one.csv"
	jt "$T/one.csv"
	same <<'EOF'
customer,touchpoint,activity,activity_kind
c1,ad_click,marketing_sales,primary
EOF
}

# BOM, CRLF record ends, a quoted CRLF inside the comment (kept byte for byte); annotate does not
# read times ('soon' passes); rows with the wrong field count are the only rejects
@test "jvalue: BOM and CRLF input; the reader's field count is the only reject of annotate" {
	printf '\357\273\277customer,time,touchpoint,comment\r\nc1,2024-03-01T09:00:00Z,ticket_opened,"line one\r\nwith login trouble"\r\nc2,soon,order_shipped,\r\nc3,2024-03-01T09:00:00Z,order_placed\r\nc4,2024-03-01T09:00:00Z,ad_click,x,y\r\n' >"$T/bc.csv"
	jtrc 0 --stats "$T/st.csv" --rejects "$T/rj.csv" "$T/bc.csv"
	printf 'customer,time,touchpoint,comment,activity,activity_kind\nc1,2024-03-01T09:00:00Z,ticket_opened,"line one\r\nwith login trouble",technology,support\nc2,soon,order_shipped,,outbound_logistics,primary\n' | same
	err_is "jvalue: $T/bc.csv:5: expected 4 fields, found 3 (use --ragged to pad short rows)
jvalue: $T/bc.csv:6: expected 4 fields, found 5
jvalue: 2 rows rejected (2 field count) (see $T/rj.csv)"
	stats_are rows_in=4 rows_out=2 rows_rejected=2 'rejected:field count=2'
	jtrc 0 --ragged "$T/bc.csv"
	run tail -1 "$T/out"
	assert_output "c3,2024-03-01T09:00:00Z,order_placed,,marketing_sales,primary"
	# the shipped golden through CRLF line ends (the quoted newline stays LF): the same output
	awk 'BEGIN { ORS = "\r\n" } /^was down/ { printf "%s\r\n", $0; next } { q = gsub(/"/, "\"") } q % 2 { printf "%s\n", $0; next } { print }' \
		annotate.csv >"$T/crlf.csv"
	[ "$(grep -c $'\r$' "$T/crlf.csv")" -eq 29 ]
	jt "$T/crlf.csv"
	golden annotate.csv
}

@test "jvalue: 0-byte input gives no output; header only gives the header; -o writes the file" {
	jt </dev/null
	assert_equal "$(wc -c <"$T/out")" 0
	jt --impact next_nps </dev/null
	assert_equal "$(wc -c <"$T/out")" 0
	printf 'customer,time\n' | jt
	same <<'EOF'
customer,time,activity,activity_kind
EOF
	jt -o "$T/a.csv" annotate.csv
	assert_equal "$(wc -c <"$T/out")" 0
	same "$T/a.csv" <"$EXP/jvalue/annotate.csv"
}

# ================================================================ 2. impact (hand-worked)
# impact.csv: 11 customers a..k, cells (activity,stage) by the shipped rules:
#   A = marketing_sales,awareness (ad_click)     T = service,support (ticket_opened)
#   D = outbound_logistics,purchase (order_delivered)   P = marketing_sales,purchase (order_placed)
# next_nps per row (input order; d's rows and b's tickets are out of time order on purpose):
#   a: P 03-01 10 | A 03-02 9 | T 03-05 3
#   b: P 03-01 9  | T 03-04 10 | T 03-03 0      -> b's first touch in T is 03-03: 0 (not the input's first)
#   c: P 03-01 8  | A 03-02 7 | A 03-02 8       -> same time: first in A = 7 (input order), last = 8 (later row)
#   d: D 03-06 9  | P 03-01 6                   -> last = 9 (latest time, not the last row)
#   e: P 03-01 10 | A 03-02 (empty) | A 03-03 9 -> e's first touch in A is empty: missing in A; last = 9
#   f: P 4 | T 03-03 5;  g: P 9 | D 03-06 10;  h: P 10 | D 03-04 9 | D 03-04 4 (first 9, last 4)
#   i: P 2 | A 03-02 3;  j: P 7 only;  k: P and A, both empty -> no value anywhere: left out (1 of 11)
# Last values (untouched side): a 3 D, b 10 P, c 8 N, d 9 P, e 9 P, f 5 D, g 10 P, h 4 D, i 3 D, j 7 N
# (P promoter 9-10, D detractor 0-6, N passive 7-8).
#   T: touched a, b, f: first values 3, 0, 5 -> P 0 D 3 -> NPS -100; untouched c d e g h i j:
#      8 9 9 10 4 3 7 -> P 3 D 2 of 7 -> 100/7 = 14.29; difference -114.29
#      V_t = 0 + 1 - 1 = 0; V_u = 5/7 - (1/7)^2 = 0.693878; se = 100 sqrt(0.693878/7) = 31.4841;
#      1.959964 * 31.4841 = 61.7079 -> -175.99 .. -52.58
#   A: touched a, c, e, i, k (5); with a value a 9, c 7, i 3 -> P 1 D 1 of 3 -> 0.00; missing e, k = 2;
#      untouched b d f g h j: 10 9 5 10 4 7 -> P 3 D 2 of 6 -> 16.67; difference -16.67
#      V_t = 2/3 - 0 = 0.666667, /3 = 0.222222; V_u = 5/6 - (1/6)^2 = 0.805556, /6 = 0.134259;
#      se = 100 sqrt(0.356481) = 59.7061; * 1.959964 = 117.0217 -> -133.69 .. 100.36
#   D: touched d, g, h: 9 10 9 -> NPS 100; untouched a b c e f i j: 3 10 8 9 5 3 7 -> P 2 D 3 of 7 ->
#      -14.29; difference 114.29; V_t = 0, V_u = 0.693878 as in T -> 52.58 .. 175.99
#   P: touched all 11, k without a value (missing 1): 10 9 8 6 10 4 9 10 2 7 -> P 5 D 3 of 10 -> 20.00;
#      nobody untouched -> no difference, no rank, last
# Rank, worst first: T 1, A 2, D 3, then P.
@test "jvalue: --impact next_nps: NPS per activity x stage, Wald interval, first touch and last value (golden impact_nps.csv)" {
	jtrc 0 --impact next_nps impact.csv
	golden impact_nps.csv
	err_is "jvalue: 1 of 11 customers have no next_nps value anywhere and are left out"
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,nps_touched,nps_untouched,difference,difference_lo,difference_hi,rank,missing
service,support,3,3,7,-100.00,14.29,-114.29,-175.99,-52.58,1,0
marketing_sales,awareness,5,3,6,0.00,16.67,-16.67,-133.69,100.36,2,2
outbound_logistics,purchase,3,3,7,100.00,-14.29,114.29,52.58,175.99,3,0
marketing_sales,purchase,11,10,0,20.00,,,,,,1
EOF
	# the figures once more from the value lists above, by the suite's awk
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'nps("3 0 5", "8 9 9 10 4 3 7")')"
	assert_equal "$(row marketing_sales,awareness | cut -d, -f2-8)" "$(stat 'nps("9 7 3", "10 9 5 10 4 7")')"
	assert_equal "$(row outbound_logistics,purchase | cut -d, -f2-8)" "$(stat 'nps("9 10 9", "3 10 8 9 5 3 7")')"
	# missing = touched - touched_n on every row
	run awk -F, 'NR > 1 && $12 != $3 - $4' "$T/out"
	assert_output ''
}

@test "jvalue: --impact: the input's order does not matter (rows shuffled give the same report)" {
	{ head -1 impact.csv; tail -n +2 impact.csv | sort -r; } >"$T/shuffled.csv"
	# the two same-time rows of c and of h keep their relative order only if sort -r keeps it:
	# put them back in input order so the ties read as in impact.csv
	awk -F, 'NR == 1 || !(($1 == "c" || $1 == "h") && $2 ~ /T10/ && $3 != "order_placed")' "$T/shuffled.csv" >"$T/s2.csv"
	grep -E '^(c,2024-03-02|h,2024-03-04)' impact.csv >>"$T/s2.csv"
	jtrc 0 --impact next_nps "$T/s2.csv"
	golden impact_nps.csv
}

# referred (0/1 everywhere -> rate kind), the same rows and cells as above; per row:
#   a: P 0 | A 1 | T 1;  b: P 0 | T 03-04 0 | T 03-03 1;  c: P 0 | A 1 | A 0 (same time);
#   d: D 03-06 1 | P 0;  e: P 1 | A empty | A 1;  f: P 0 | T 0;  g: P 1 | D 1;
#   h: P 0 | D 0 | D 1 (same time);  i: P 0 | A 0;  j: P 1;  k: nothing
# For a 0/1 outcome an untouched customer's value is 'any' by default (--untouched): the largest,
# 1 when any touch has 1 (a customer who referred at some point) -- jstage's referred is 0 on a
# customer's last touches, so 'last' would call almost everyone a non-referrer:
#   a 1, b 1, c 1, d 1, e 1, f 0, g 1, h 1, i 0, j 1
#   T: touched a 1, b 1 (03-03), f 0 -> 2/3 = 66.67 %; untouched c d e g h i j: 1 1 1 1 1 0 1 ->
#      6/7 = 85.71 %; difference -19.05
#      Wilson 2/3: centre (0.666667 + 0.640243)/2.280486 = 0.573084, half 0.859452 * 0.425184 = 0.365425
#        -> 0.207659 .. 0.938509; Wilson 6/7: centre (0.857143 + 0.274390)/1.548780 = 0.730597,
#        half 1.265490 * sqrt(0.122449/7 + 0.019599) = 1.265490 * 0.192618 = 0.243756 -> 0.486841 .. 0.974353
#      Newcombe: lo = -0.190476 - sqrt(0.459008^2 + 0.117210^2) = -0.190476 - 0.473737 = -0.664213 -> -66.42
#                hi = -0.190476 + sqrt(0.271842^2 + 0.370302^2) = -0.190476 + 0.459370 = 0.268894 -> 26.89
#   A: touched a 1, c 1, i 0 (e, k missing) -> 66.67; untouched b d f g h j: 1 1 0 1 1 1 -> 83.33; -16.67
#   D: touched d 1, g 1, h 0 -> 66.67; untouched a b c e f i j: 1 1 1 1 0 0 1 -> 71.43; -4.76
#   P: first values 0 0 0 0 1 0 1 0 0 1 -> 30.00; nobody untouched
@test "jvalue: --impact referred: a 0/1 outcome is a rate, Newcombe's interval (golden impact_rate.csv)" {
	jtrc 0 --impact referred impact.csv
	golden impact_rate.csv
	err_is "jvalue: 1 of 11 customers have no referred value anywhere and are left out"
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,rate_touched,rate_untouched,difference,difference_lo,difference_hi,rank,missing
service,support,3,3,7,66.67,85.71,-19.05,-66.42,26.89,1,0
marketing_sales,awareness,5,3,6,66.67,83.33,-16.67,-64.56,31.43,2,2
outbound_logistics,purchase,3,3,7,66.67,71.43,-4.76,-54.97,39.98,3,0
marketing_sales,purchase,11,10,0,30.00,,,,,,1
EOF
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "1 1 1 1 1 0 1")')"
	assert_equal "$(row marketing_sales,awareness | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "1 1 0 1 1 1")')"
	assert_equal "$(row outbound_logistics,purchase | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "1 1 1 1 0 0 1")')"
}

# --untouched last: the last value (latest time, later row on ties), as for the other kinds:
#   a 1 (T 03-05), b 0 (03-04), c 0 (later row), d 1, e 1, f 0, g 1, h 1 (later row), i 0, j 1
#   T: 2/3 against c d e g h i j 0 1 1 1 1 0 1 = 5/7 = 71.43 -> -4.76
#      Wilson 5/7: centre 0.638357, half 0.279425 -> 0.358932 .. 0.917782
#      lo = -0.047619 - sqrt(0.459008^2 + 0.203496^2) = -0.549714 -> -54.97
#      hi = -0.047619 + sqrt(0.271842^2 + 0.355354^2) = 0.399789 -> 39.98
#   A: 2/3 against b d f g h j 0 1 0 1 1 1 = 4/6 -> 0.00;  D: 2/3 against a b c e f i j
#      1 0 0 1 0 0 1 = 3/7 = 42.86 -> 23.81
# --untouched first (earliest time, first row on ties) on next_nps: a 10, b 9, c 8, d 6 (03-01,
#   the second row), e 10, f 4, g 9, h 10, i 2, j 7; D: 9 10 9 against a b c e f i j
#   10 9 8 10 4 2 7 -> P 3 D 2 of 7 = 14.29 -> difference 85.71
@test "jvalue: --untouched last|first|any picks an untouched customer's value" {
	jtrc 0 --impact referred --untouched last impact.csv
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,rate_touched,rate_untouched,difference,difference_lo,difference_hi,rank,missing
service,support,3,3,7,66.67,71.43,-4.76,-54.97,39.98,1,0
marketing_sales,awareness,5,3,6,66.67,66.67,0.00,-51.64,45.65,2,2
outbound_logistics,purchase,3,3,7,66.67,42.86,23.81,-32.20,62.15,3,0
marketing_sales,purchase,11,10,0,30.00,,,,,,1
EOF
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "0 1 1 1 1 0 1")')"
	assert_equal "$(row marketing_sales,awareness | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "0 1 0 1 1 1")')"
	assert_equal "$(row outbound_logistics,purchase | cut -d, -f2-8)" "$(stat 'rate("1 1 0", "1 0 0 1 0 0 1")')"
	jtrc 0 --impact referred --untouched any impact.csv
	golden impact_rate.csv
	# next_nps: last is the default; any is the largest score
	jtrc 0 --impact next_nps --untouched last impact.csv
	golden impact_nps.csv
	jtrc 0 --impact next_nps --untouched first impact.csv
	assert_equal "$(row outbound_logistics,purchase | cut -d, -f2-8)" "$(stat 'nps("9 10 9", "10 9 8 10 4 2 7")')"
	run row outbound_logistics,purchase
	assert_output --regexp '^3,3,7,100\.00,14\.29,85\.71,'
	# any on next_nps: a 10, b 10, c 8, d 9, e 10, f 5, g 10, h 10, i 3, j 7; T: 3 0 5 against
	#   c d e g h i j 8 9 10 10 10 3 7 -> P 4 D 1 of 7 = 42.86 -> -142.86
	jtrc 0 --impact next_nps --untouched any impact.csv
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'nps("3 0 5", "8 9 10 10 10 3 7")')"
	run row service,support
	assert_output --regexp '^3,3,7,-100\.00,42\.86,-142\.86,'
	jtrc 2 --impact next_nps --untouched middle impact.csv
	err_is "jvalue: --untouched: 'middle' is not last, first or any
Try 'jvalue --help' for more information."
}

# --lower-better: the worst cell is the one with the highest difference (resolution_s, delays)
@test "jvalue: --lower-better ranks the highest difference first; cells without one stay last" {
	jtrc 0 --impact next_nps --lower-better impact.csv
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,nps_touched,nps_untouched,difference,difference_lo,difference_hi,rank,missing
outbound_logistics,purchase,3,3,7,100.00,-14.29,114.29,52.58,175.99,1,0
marketing_sales,awareness,5,3,6,0.00,16.67,-16.67,-133.69,100.36,2,2
service,support,3,3,7,-100.00,14.29,-114.29,-175.99,-52.58,3,0
marketing_sales,purchase,11,10,0,20.00,,,,,,1
EOF
}

# impact_mean.csv, next_csat 1-5 (not all 0/1 -> mean kind), -g activity (no stage column needed):
#   m1: order_delivered 04-01 2 | ticket_opened 04-02 1     m2: delivered 3 | ticket 2
#   m3: ticket 04-02 2 | ad_click 04-03 3                   m4: ticket 3
#   m5: delivered 04-01 4 | ad_click 04-02 4                m6: delivered 5;  m7: ad_click 5;  m8: ad_click 4
#   m9: ad_click, empty -> no value anywhere (1 of 9); touched in marketing_sales, missing there
# Last values: m1 1, m2 2, m3 3, m4 3, m5 4, m6 5, m7 5, m8 4.
#   service: touched m1..m4: 1 2 2 3, mean 2, s^2 = (1 + 0 + 0 + 1)/3 = 2/3;
#            untouched m5..m8: 4 5 5 4, mean 4.5, s^2 = 4 * 0.25 / 3 = 1/3; difference -2.5
#            se^2 = (2/3)/4 + (1/3)/4 = 1/4, se = 0.5; df = 0.25^2 / ((1/6)^2/3 + (1/12)^2/3) = 5.4;
#            t(0.975, 5.4) = 2.514352 (between the table's 2.5706 at 5 and 2.4469 at 6)
#            -> -2.5 -+ 1.257176 = -3.7572 .. -1.2428
#   outbound_logistics: touched m1 2, m2 3, m5 4, m6 5: mean 3.5, s^2 = 5/3; untouched m3 3, m4 3, m7 5,
#            m8 4: mean 3.75, s^2 = 2.75/3; difference -0.25; se^2 = 5/12 + 0.229167 = 0.645833,
#            df = 0.645833^2 / (0.416667^2/3 + 0.229167^2/3) = 5.5336
#   marketing_sales: touched m3 3, m5 4, m7 5, m8 4 (m9 missing): mean 4, s^2 = 2/3; untouched m1 1,
#            m2 2, m4 3, m6 5: mean 2.75, s^2 = 8.75/3; difference 1.25
@test "jvalue: --impact next_csat -g activity: means with Welch's interval (golden impact_mean.csv)" {
	jtrc 0 --impact next_csat -g activity impact_mean.csv
	golden impact_mean.csv
	err_is "jvalue: 1 of 9 customers have no next_csat value anywhere and are left out"
	same <<'EOF'
activity,touched,touched_n,untouched_n,mean_touched,mean_untouched,difference,difference_lo,difference_hi,rank,missing
service,4,4,4,2.0000,4.5000,-2.5000,-3.7572,-1.2428,1,0
outbound_logistics,4,4,4,3.5000,3.7500,-0.2500,-2.2573,1.7573,2,0
marketing_sales,5,4,4,4.0000,2.7500,1.2500,-1.3064,3.8064,3,1
EOF
	# df and the quantile of the service row, then every row from its value lists
	run stat 'welch("1 2 2 3", "4 5 5 4") sprintf(" df %.4f t %.6f", DF, tq(DF))'
	assert_output "4,4,2.0000,4.5000,-2.5000,-3.7572,-1.2428 df 5.4000 t 2.514352"
	run stat 'welch("2 3 4 5", "3 3 5 4") sprintf(" df %.4f", DF)'
	assert_output "4,4,3.5000,3.7500,-0.2500,-2.2573,1.7573 df 5.5336"
	assert_equal "$(row service 1 | cut -d, -f2-8)" "$(stat 'welch("1 2 2 3", "4 5 5 4")')"
	assert_equal "$(row outbound_logistics 1 | cut -d, -f2-8)" "$(stat 'welch("2 3 4 5", "3 3 5 4")')"
	assert_equal "$(row marketing_sales 1 | cut -d, -f2-8)" "$(stat 'welch("3 4 5 4", "1 2 3 5")')"
}

# -g channel, an input column (the rows' channel: m1, m2 delivered web / ticket phone; m3 ticket phone,
# ad_click web; m4 phone; m5 web web; m6 web; m7 web; m8 store; m9 web):
#   phone: m1..m4 first values 1 2 2 3 against m5..m8 -> as service above
#   web: touched m1 2, m2 3, m3 3 (ad_click), m5 4, m6 5, m7 5, m9 missing: mean 22/6 = 3.6667;
#        untouched m4 3, m8 4: mean 3.5; difference 0.1667
#   store: touched m8 4 alone: n = 1 -> a difference (4 - 23/7 = 0.7143) and a rank, but no interval
@test "jvalue: -g with an input column; a side of one customer has a difference but no interval" {
	jtrc 0 --impact next_csat -g channel impact_mean.csv
	same <<'EOF'
channel,touched,touched_n,untouched_n,mean_touched,mean_untouched,difference,difference_lo,difference_hi,rank,missing
phone,4,4,4,2.0000,4.5000,-2.5000,-3.7572,-1.2428,1,0
web,7,6,2,3.6667,3.5000,0.1667,-1.9656,2.2990,2,1
store,1,1,7,4.0000,3.2857,0.7143,,,3,0
EOF
	assert_equal "$(row web 1 | cut -d, -f2-8)" "$(stat 'welch("2 3 3 4 5 5", "3 4")')"
	assert_equal "$(row store 1 | cut -d, -f2-8)" "$(stat 'welch("4", "1 2 3 3 4 5 5")')"
	# a computed column and an input column together: marketing_sales splits into store and web
	jtrc 0 --impact next_csat -g activity,channel impact_mean.csv
	run row marketing_sales,store
	assert_output "1,1,7,4.0000,3.2857,0.7143,,,3,0"
	# marketing_sales,web: m3 3, m5 4, m7 5 (m9 missing) against m1 1, m2 2, m4 3, m6 5, m8 4
	assert_equal "$(row marketing_sales,web | cut -d, -f2-8)" "$(stat 'welch("3 4 5", "1 2 3 5 4")')"
	# activity_kind is a computed column too
	jtrc 0 --impact next_csat -g activity_kind impact_mean.csv
	run cut -d, -f1-4 "$T/out"
	assert_output "activity_kind,touched,touched_n,untouched_n
primary,9,8,0"
}

@test "jvalue: Welch with no spread on either side: the interval is the difference itself" {
	# touched x1 x2: 4 4; untouched x3 x4: 2 2 -> difference 2, se 0 -> lo = hi = 2
	printf 'customer,time,touchpoint,score\nx1,2024-01-01T00:00:00Z,ticket_opened,4\nx2,2024-01-01T00:00:00Z,ticket_opened,4\nx3,2024-01-01T00:00:00Z,ad_click,2\nx4,2024-01-01T00:00:00Z,ad_click,2\n' >"$T/z.csv"
	jt --impact score -g activity "$T/z.csv"
	same <<'EOF'
activity,touched,touched_n,untouched_n,mean_touched,mean_untouched,difference,difference_lo,difference_hi,rank,missing
marketing_sales,2,2,2,2.0000,4.0000,-2.0000,-2.0000,-2.0000,1,0
service,2,2,2,4.0000,2.0000,2.0000,2.0000,2.0000,2,0
EOF
	assert_equal "$(row service 1 | cut -d, -f2-8)" "$(stat 'welch("4 4", "2 2")')"
}

# --kind mean on next_nps: the scores' means instead of NPS (values as in the NPS test):
#   T: touched 3 0 5 -> 8/3 = 2.6667; untouched 8 9 9 10 4 3 7 -> 50/7 = 7.1429; -4.4762
#   A: 9 7 3 -> 6.3333 against 10 9 5 10 4 7 -> 7.5; -1.1667.  D: 9 10 9 -> 9.3333 against
#   3 10 8 9 5 3 7 -> 45/7 = 6.4286; 2.9048.  P: 75/10 = 7.5, nobody untouched
@test "jvalue: --kind overrides the automatic kind (mean on next_nps, nps on any column, rate)" {
	jtrc 0 --impact next_nps --kind mean impact.csv
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,mean_touched,mean_untouched,difference,difference_lo,difference_hi,rank,missing
service,support,3,3,7,2.6667,7.1429,-4.4762,-9.3504,0.3980,1,0
marketing_sales,awareness,5,3,6,6.3333,7.5000,-1.1667,-7.2020,4.8687,2,2
outbound_logistics,purchase,3,3,7,9.3333,6.4286,2.9048,0.2663,5.5433,3,0
marketing_sales,purchase,11,10,0,7.5000,,,,,,1
EOF
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'welch("3 0 5", "8 9 9 10 4 3 7")')"
	assert_equal "$(row marketing_sales,awareness | cut -d, -f2-8)" "$(stat 'welch("9 7 3", "10 9 5 10 4 7")')"
	assert_equal "$(row outbound_logistics,purchase | cut -d, -f2-8)" "$(stat 'welch("9 10 9", "3 10 8 9 5 3 7")')"
	# --kind nps on a column not named *nps: the same figures as next_nps
	sed '1s/next_nps/score/' impact.csv >"$T/score.csv"
	jtrc 0 --impact score --kind nps "$T/score.csv"
	run head -1 "$T/out"
	assert_output "activity,stage,touched,touched_n,untouched_n,nps_touched,nps_untouched,difference,difference_lo,difference_hi,rank,missing"
	tail -n +2 "$EXP/jvalue/impact_nps.csv" >"$T/want"
	tail -n +2 "$T/out" | same "$T/want"
	# without --kind, 'score' (0-10, not all 0/1) is a mean; a column named exactly 'nps' is NPS
	jtrc 0 --impact score "$T/score.csv"
	run head -c 80 "$T/out"
	assert_output --partial ",mean_touched,mean_untouched,"
	sed '1s/next_nps/nps/' impact.csv >"$T/nps.csv"
	jtrc 0 --impact nps "$T/nps.csv"
	tail -n +2 "$T/out" | same "$T/want"
	# --kind rate on the 0/1 column: what the automatic kind gives
	jtrc 0 --impact referred --kind rate impact.csv
	golden impact_rate.csv
}

@test "jvalue: --min-n N: cells with fewer than N customers on a side get no difference and no rank" {
	# every side has at least 3 customers with a value: --min-n 3 changes nothing
	jtrc 0 --impact next_nps --min-n 3 impact.csv
	golden impact_nps.csv
	# --min-n 4: T, A and D have 3 touched customers with a value (A's 5 touched include 2 without)
	jtrc 0 --impact next_nps --min-n 4 impact.csv
	run awk -F, 'NR > 1 { print $1 "," $2 "," $4 "," $5 "," $8 "," $9 "," $10 "," $11 }' "$T/out"
	assert_output --partial "service,support,3,7,,,,"
	run sh -c "tail -n +2 '$T/out' | sort"
	assert_output "marketing_sales,awareness,5,3,6,0.00,16.67,,,,,2
marketing_sales,purchase,11,10,0,20.00,,,,,,1
outbound_logistics,purchase,3,3,7,100.00,-14.29,,,,,0
service,support,3,3,7,-100.00,14.29,,,,,0"
	# the side counts only customers with a value: -g channel, web has 6 with a value out of 7
	jtrc 0 --impact next_csat -g channel --min-n 2 impact_mean.csv
	run row web 1
	assert_output "7,6,2,3.6667,3.5000,0.1667,-1.9656,2.2990,2,1"
	run row store 1
	assert_output "1,1,7,4.0000,3.2857,,,,,0"
	jtrc 0 --impact next_csat -g channel --min-n 3 impact_mean.csv
	run row web 1
	assert_output "7,6,2,3.6667,3.5000,,,,,1"
	jtrc 2 --impact next_csat --min-n x impact_mean.csv
	err_is "jvalue: --min-n: 'x' is not a number
Try 'jvalue --help' for more information."
}

# ties.csv (inline): team zz touched by x1 (1), team aaa by x2 (1), x3 3, x4 5 elsewhere:
#   zz: 1 against x2 1, x3 3, x4 5 -> mean 3 -> difference -2; aaa the same -> a tie at -2
#   b: touched by all four (x3 3, x4 5 first there; x1, x2 empty) -> nobody untouched
#   aa: touched by all four with empty values -> touched_n 0
# Tied cells take consecutive ranks.
@test "jvalue: tied differences take consecutive ranks; cells without a difference come last" {
	printf 'customer,time,team,score\nx1,2024-01-01T00:00:00Z,zz,1\nx2,2024-01-01T00:00:00Z,aaa,1\nx3,2024-01-01T00:00:00Z,b,3\nx4,2024-01-01T00:00:00Z,b,5\nx1,2024-01-02T00:00:00Z,b,\nx2,2024-01-02T00:00:00Z,b,\nx1,2024-01-02T00:00:00Z,aa,\nx2,2024-01-02T00:00:00Z,aa,\nx3,2024-01-02T00:00:00Z,aa,\nx4,2024-01-02T00:00:00Z,aa,\n' >"$T/ties.csv"
	jt --impact score -g team "$T/ties.csv"
	run sh -c "sed -n 2,3p '$T/out' | cut -d, -f2- | sort"
	assert_output "1,1,3,1.0000,3.0000,-2.0000,,,1,0
1,1,3,1.0000,3.0000,-2.0000,,,2,0"
	run sh -c "sed -n 2,3p '$T/out' | cut -d, -f1 | sort"
	assert_output "aaa
zz"
	run sh -c "sed -n 4,5p '$T/out' | sort"
	assert_output "aa,4,0,0,,,,,,,4
b,4,2,0,4.0000,,,,,,2"
}

@test "jvalue: ties and cells without a difference are ordered by their cell values' bytes" {
	printf 'customer,time,team,score\nx1,2024-01-01T00:00:00Z,zz,1\nx2,2024-01-01T00:00:00Z,aaa,1\nx3,2024-01-01T00:00:00Z,b,3\nx4,2024-01-01T00:00:00Z,b,5\nx1,2024-01-02T00:00:00Z,b,\nx2,2024-01-02T00:00:00Z,b,\nx1,2024-01-02T00:00:00Z,aa,\nx2,2024-01-02T00:00:00Z,aa,\nx3,2024-01-02T00:00:00Z,aa,\nx4,2024-01-02T00:00:00Z,aa,\n' >"$T/ties.csv"
	jt --impact score -g team "$T/ties.csv"
	same <<'EOF'
team,touched,touched_n,untouched_n,mean_touched,mean_untouched,difference,difference_lo,difference_hi,rank,missing
aaa,1,1,3,1.0000,3.0000,-2.0000,,,1,0
zz,1,1,3,1.0000,3.0000,-2.0000,,,2,0
aa,4,0,0,,,,,,,4
b,4,2,0,4.0000,,,,,,2
EOF
	# two columns: the first column's bytes, then the second's (as LC_ALL=C sort -t, -k1,1 -k2,2)
	jtrc 0 --impact next_nps --min-n 4 impact.csv
	run cut -d, -f1,2 "$T/out"
	assert_output "activity,stage
marketing_sales,awareness
marketing_sales,purchase
outbound_logistics,purchase
service,support"
}

@test "jvalue: --impact needs its columns: a missing outcome or -g column exits 1 listing the columns" {
	jtrc 1 --impact nosuch impact.csv
	err_is "jvalue: impact.csv:1: no column named 'nosuch' (columns: customer, time, touchpoint, stage, channel, next_nps, referred)"
	assert_equal "$(cat "$T/out")" ""
	jtrc 1 --impact next_nps -g activity,segment impact.csv
	err_is "jvalue: impact.csv:1: no column named 'segment' (columns: customer, time, touchpoint, stage, channel, next_nps, referred)"
	# the default cells need jstage's stage column
	jtrc 1 --impact next_csat impact_mean.csv
	err_is "jvalue: impact_mean.csv:1: no column 'stage': run jstage first (jtouch ... | jstage | jvalue --impact ...), or name other columns with -g"
	# customer and time are needed too
	cut -d, -f1,3- impact.csv >"$T/notime.csv"
	jtrc 1 --impact next_nps "$T/notime.csv"
	err_is "jvalue: $T/notime.csv:1: no column named 'time' (columns: customer, touchpoint, stage, channel, next_nps, referred)"
	# -o: nothing is written when the run stops
	jtrc 1 --impact nosuch -o "$T/r.csv" impact.csv
	[ ! -e "$T/r.csv" ]
}

# rj.csv: line 2 c1 9 (kept); 3 c2 11 and 4 c3 7.5 and 8 c6 -1 -> out of range for NPS; 5 c4 'great'
# -> not a number; 6 empty customer; 7 time 'yesterday' -> bad time; 9 c7 '9.0' (a whole number) and
# 10 c8 0 kept. Kept: c1 9 (A); c7 9.0, c8 0 (T):
#   A: c1 -> NPS 100 against c7 9, c8 0 -> 0; difference 100
#   T: c7, c8 -> P 1 D 1 -> 0 against c1 -> 100; difference -100
@test "jvalue: --impact rejects: not a number, NPS out of range, missing customer, bad time (--rejects, --stats)" {
	printf 'customer,time,touchpoint,stage,next_nps\nc1,2024-01-01T00:00:00Z,ad_click,awareness,9\nc2,2024-01-01T00:00:00Z,ad_click,awareness,11\nc3,2024-01-01T00:00:00Z,ad_click,awareness,7.5\nc4,2024-01-01T00:00:00Z,ad_click,awareness,great\n,2024-01-01T00:00:00Z,ad_click,awareness,3\nc5,yesterday,ad_click,awareness,3\nc6,2024-01-02T00:00:00Z,ticket_opened,support,-1\nc7,2024-01-02T00:00:00Z,ticket_opened,support,9.0\nc8,2024-01-02T00:00:00Z,ticket_opened,support,0\n' >"$T/rj.csv"
	cd "$T"
	jtrc 0 --impact next_nps --rejects rejects.csv --stats st.csv rj.csv
	same rejects.csv <<'EOF'
customer,time,touchpoint,stage,next_nps,reject_file,reject_line,reject_reason
c2,2024-01-01T00:00:00Z,ad_click,awareness,11,rj.csv,3,column 'next_nps': nps '11' is not in 0-10
c3,2024-01-01T00:00:00Z,ad_click,awareness,7.5,rj.csv,4,column 'next_nps': nps '7.5' is not a whole number in 0-10
c4,2024-01-01T00:00:00Z,ad_click,awareness,great,rj.csv,5,column 'next_nps': nps 'great' is not a number
,2024-01-01T00:00:00Z,ad_click,awareness,3,rj.csv,6,column 'customer': empty customer id
c5,yesterday,ad_click,awareness,3,rj.csv,7,column 'time': 'yesterday' is not a time
c6,2024-01-02T00:00:00Z,ticket_opened,support,-1,rj.csv,8,column 'next_nps': nps '-1' is not in 0-10
EOF
	stats_are rows_in=9 rows_out=3 rows_rejected=6 'rejected:bad time=1' 'rejected:missing customer=1' \
		'rejected:not a number=1' 'rejected:out of range=3'
	same <<'EOF'
activity,stage,touched,touched_n,untouched_n,nps_touched,nps_untouched,difference,difference_lo,difference_hi,rank,missing
service,support,2,2,1,0.00,100.00,-100.00,-200.00,38.59,1,0
marketing_sales,awareness,1,1,2,100.00,0.00,100.00,-38.59,200.00,2,0
EOF
	# V_t = 1/2 + 1/2 - 0 = 1, V_u = 0: se = 100 sqrt(1/2) = 70.7107, * 1.959964 = 138.59:
	# -100 - 138.59 = -238.59, clamped to -200 (a difference of two NPS is within -200..200)
	assert_equal "$(row service,support | cut -d, -f2-8)" "$(stat 'nps("9 0", "9")')"
	# at most 5 rows are shown, then the summary
	err_is "jvalue: rj.csv:3: column 'next_nps': nps '11' is not in 0-10
jvalue: rj.csv:4: column 'next_nps': nps '7.5' is not a whole number in 0-10
jvalue: rj.csv:5: column 'next_nps': nps 'great' is not a number
jvalue: rj.csv:6: column 'customer': empty customer id
jvalue: rj.csv:7: column 'time': 'yesterday' is not a time
jvalue: 6 rows rejected (1 bad time, 1 missing customer, 1 not a number, 3 out of range) (see rejects.csv)"
	# the range is NPS's: with --kind mean, 11, 7.5 and -1 are values like any other
	jtrc 0 -q --impact next_nps --kind mean --stats st.csv rj.csv
	stats_are rows_out=6 rows_rejected=3 'rejected:out of range='
	# --strict stops at the first
	jtrc 1 --impact next_nps --strict rj.csv
	run head -1 "$T/err"
	assert_output "jvalue: rj.csv:3: column 'next_nps': nps '11' is not in 0-10"
}

# ================================================================ 3. real data (../shared, CI only)

# The Olist sample: orders (4000, no quoted field) and reviews through jtouch, next_csat from jstage
# (the customer's next non-empty csat strictly after the touch, within 90 days), then two rules on
# delay_s, which only order_delivered touches carry (delivered - estimated, signed seconds):
#   late_delivery delay_s ^[1-9] (delivered after the estimate), on_time_delivery delay_s ^(-|0$).
# jvalue's touched mean for late_delivery is then: over the customers with a late delivery, the
# first (earliest) of their late deliveries, the csat of their next review at or after it (reviews
# come after the orders in the stream, so a review in the same second is later) within 90 days;
# customers whose next review is later or absent are 'missing'. The awk below computes exactly that
# from the raw orders file (late = order_delivered_customer_date > order_estimated_delivery_date as
# text, both local times), the raw customers file (customer_id -> customer_unique_id) and, for the
# reviews, jtouch's olist-reviews output (checked against the raw file in jtouch.bats). Local times
# become UTC with America/Sao_Paulo's rule written out here: -02 in summer time (2016-10-16 to
# 2017-02-19, 2017-10-15 to 2018-02-18, 2018-11-04 to 2019-02-17, the skipped hour taking the
# offset before and the repeated hour the earlier instant), else -03.
@test "jvalue: real Olist: late deliveries have a lower mean next review score than on-time ones (recomputed by awk)" {
	need_shared
	need_zone America/Sao_Paulo
	local d="$SHARED/olist-sample-4000-orders"
	cd "$T"
	jtouch -p olist-orders --lookup "$d/olist_customers_dataset.csv:customer_id" "$d/olist_orders_dataset.csv" \
		-p olist-reviews --lookup "$d/olist_orders_dataset.csv:order_id" --lookup "$d/olist_customers_dataset.csv:customer_id" \
		"$d/olist_order_reviews_dataset.csv" >touches.csv
	jstage --outcome next:csat touches.csv >staged.csv
	printf '# late and on-time deliveries, from delay_s (only on order_delivered)\nlate_delivery     delay_s  ^[1-9]\non_time_delivery  delay_s  ^(-|0$)\n' >late.rules
	jtrc 0 --impact next_csat -g activity -r late.rules staged.csv
	local late ontime
	late=$(row late_delivery 1)
	ontime=$(row on_time_delivery 1)
	echo "late: $late" >&2
	echo "on time: $ontime" >&2
	# late deliveries: a negative difference, worst first; on time: a positive one
	run cut -d, -f1,10 "$T/out"
	assert_output --regexp $'^activity,rank\nlate_delivery,1\non_time_delivery,2\n,$'
	awk -F, -v l="$late" -v o="$ontime" 'BEGIN { split(l, a); split(o, b); exit !(a[4] < b[4] && a[6] < 0 && a[8] < 0) }'
	# the same figures from the raw files
	jtouch -p olist-reviews --lookup "$d/olist_orders_dataset.csv:order_id" --lookup "$d/olist_customers_dataset.csv:customer_id" \
		"$d/olist_order_reviews_dataset.csv" >reviews.csv
	run awk -F, "$OLIST_TIME_AWK"'
		FILENAME == ARGV[1] { if (FNR > 1) uniq[$1] = $2; next }
		FILENAME == ARGV[2] {	# order_id,customer_id,status,purchase,approved,carrier,delivered,estimated
			if (FNR == 1 || $7 == "") next
			c = uniq[$2]; t = sp($7); k = $7 > $8 ? "late" : "on_time"
			if (!((c, k) in first) || t < first[c, k]) first[c, k] = t
			next
		}
		# jtouch reviews: customer (1), time (2, UTC), touchpoint (3), csat (7); the carried comment
		# may span lines, so only the records first lines count
		FNR > 1 && $3 == "survey_response" && $2 ~ /^[0-9-]+T[0-9:]+Z$/ && $7 != "" {
			m = ++nrev[$1]; rt[$1, m] = secs($2); rv[$1, m] = $7
		}
		END {
			for (ck in first) {
				split(ck, p, SUBSEP); c = p[1]; k = p[2]; t = first[ck]; touched[k]++
				best = ""
				for (i = 1; i <= nrev[c]; i++)	# the earliest review at or after t; first in input on ties
					if (rt[c, i] >= t && (best == "" || rt[c, i] < rt[c, best])) best = i
				if (best != "" && rt[c, best] - t <= 90 * 86400) { n[k]++; sum[k] += rv[c, best] }
			}
			printf "late %d %d %.4f\non_time %d %d %.4f\n", touched["late"], n["late"], sum["late"] / n["late"],
				touched["on_time"], n["on_time"], sum["on_time"] / n["on_time"]
		}' "$d/olist_customers_dataset.csv" "$d/olist_orders_dataset.csv" reviews.csv
	assert_success
	local want
	want=$(awk -F, '{ print "late", $1, $2, $4 } ' <<<"$late"; awk -F, '{ print "on_time", $1, $2, $4 }' <<<"$ontime")
	assert_output "$want"
	# the comparison rests on more than 100 customers with a next review on each side
	run awk '{ print ($2 > 100 && $3 > 100) }' <<<"$output"
	assert_output "1
1"
	# the third cell: every customer is touched by an unlabelled touch (orders placed, reviews)
	local ncust
	ncust=$(awk -F, 'NR > 1 && $2 ~ /Z$/ { c[$1] = 1 } END { print length(c) }' touches.csv)
	run tail -1 "$T/out"
	assert_output --regexp "^,$ncust,[0-9]+,0,[0-9.]+,,,,,,[0-9]+\$"
	err_is "$(printf 'jvalue: %s of %s customers have no next_csat value anywhere and are left out' "$(sed 's/^jvalue: \([0-9]*\) .*/\1/' "$T/err")" "$ncust")"
}

# ================================================================ 4. errors

@test "jvalue: rules file errors exit 2 with FILE:LINE:COL before reading any input" {
	local f=$T/bad.rules
	printf 'late delay_s ^[1-9]\n%%knd late primary\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:1: unknown directive '%knd' (directives: %kind)
Try 'jvalue --help' for more information."
	assert_equal "$(cat "$T/out")" ""
	# '  loyalty' alone: the column is missing after the label (column 10, the end of the label)
	printf 'late delay_s ^[1-9]\n  loyalty\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:10: rule 'loyalty' has no column (LABEL COLUMN PATTERN)
Try 'jvalue --help' for more information."
	printf 'late delay_s ^[1-9]\r\nsupport   touchpoint   \r\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:24: rule 'support' has no pattern (LABEL COLUMN PATTERN)
Try 'jvalue --help' for more information."
	printf 'awareness! touchpoint x\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:1:10: label 'awareness!' may hold letters, digits and '_' only
Try 'jvalue --help' for more information."
	# the pattern starts at column 28 and is 30 bytes long: PCRE2 reports its end, column 58
	printf 'support        touchpoint  ^(ticket_opened|ticket_solved$\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:1:58: missing closing parenthesis
Try 'jvalue --help' for more information."
	printf '# comment\nlate delay_s [a-\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:17: missing terminating ] for character class
Try 'jvalue --help' for more information."
	printf '%%kind ghost support\nlate delay_s x\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:1:7: %kind names label 'ghost', which no rule has
Try 'jvalue --help' for more information."
	printf 'late delay_s x\n%%kind late\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:11: %kind needs a label and a value
Try 'jvalue --help' for more information."
	printf '%%kind late primary extra\nlate delay_s x\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:1:20: %kind takes one value after the label
Try 'jvalue --help' for more information."
	printf 'late delay_s x\0y\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:1:15: a NUL byte in the rules
Try 'jvalue --help' for more information."
	printf '# only comments\n\n' >"$f"
	jtrc 2 -r "$f" annotate.csv
	err_is "jvalue: $f:2:1: no rules (LABEL COLUMN PATTERN lines)
Try 'jvalue --help' for more information."
	jtrc 2 -r nosuch.rules annotate.csv
	err_is "jvalue: nosuch.rules: No such file or directory
Try 'jvalue --help' for more information."
	# the same errors in --impact mode
	printf 'late delay_s (\n' >"$f"
	jtrc 2 --impact next_nps -r "$f" impact.csv
	err_is "jvalue: $f:1:15: missing closing parenthesis
Try 'jvalue --help' for more information."
}

@test "jvalue: an empty rules file names line 1, as lines are counted from 1" {
	: >"$T/empty.rules"
	jtrc 2 -r "$T/empty.rules" annotate.csv
	err_is "jvalue: $T/empty.rules:1:1: no rules (LABEL COLUMN PATTERN lines)
Try 'jvalue --help' for more information."
}

@test "jvalue: -g, --kind, --min-n, --untouched, --lower-better without --impact, and a bad --kind, are usage errors (exit 2)" {
	local a
	for a in "-g activity" "--group-by activity" "--kind mean" "--min-n 2" "--min-n 0" "--untouched last" "--lower-better"; do
		# shellcheck disable=SC2086
		jtrc 2 $a impact.csv
		err_is "jvalue: -g, --kind, --min-n, --untouched and --lower-better go with --impact
Try 'jvalue --help' for more information."
		assert_equal "$(cat "$T/out")" ""
	done
	jtrc 2 --impact next_nps --kind foo impact.csv
	err_is "jvalue: --kind: 'foo' is not nps, mean or rate
Try 'jvalue --help' for more information."
	jtrc 2 --impact next_nps -g , impact.csv
	err_is "jvalue: -g: an empty column name in ','
Try 'jvalue --help' for more information."
	jtrc 2 --impact next_nps -g activity, </dev/null
	err_is "jvalue: -g: an empty column name in 'activity,'
Try 'jvalue --help' for more information."
	jtrc 2 --nosuch impact.csv
	run head -1 "$T/err"
	assert_output --regexp "^jvalue: .*nosuch"
}

@test "jvalue: --help and -V" {
	jt --help
	run head -2 "$T/out"
	assert_output "usage: jvalue [-q] [-r rules] [--default label] [file ...]
       jvalue --impact col [-g list] [--kind nps|mean|rate] [--min-n N] [-r rules] [file ...]"
	jt -V
	run grep -c '^datadir ' "$T/out"
	assert_output 1
}
