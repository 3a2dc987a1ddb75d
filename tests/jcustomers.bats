#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# jstage --customers, --retention, --clv: the customer table, retention and churn, lifetime value
# (spec: jstage --help, issue 7, DESIGN.md section 2 "Active, retained, churned", domain.md 6).
# Every figure was worked out by hand; the arithmetic is in the comments, and the goldens in
# tests/expected/jcustomers/ were checked against it line by line. Fixtures: tests/fixtures/jcustomers/
# (each test runs there). Tests marked skip "BUG: ..." describe what the spec asks and the program
# does not do yet.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jstage
GOLDEN=jcustomers

setup() {
	cd "$FIX/jcustomers"
	T=$BATS_TEST_TMPDIR
}

# same_rows < EXPECTED: stdout of the last run has the lines of stdin, in any order.
same_rows() {
	local d
	if ! d=$(diff -u <(LC_ALL=C sort) <(LC_ALL=C sort "$T/out")); then
		printf 'rows differ (--- expected, +++ actual, both sorted):\n%s\n' "$d" >&2
		return 1
	fi
}

# column_values NAME [FILE]: the values of column NAME (by header) of FILE (default: the last stdout).
column_values() {
	awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "${2:-$T/out}"
}

# ================================================================ the customer set
#
# touches.csv is what jtouch makes of four small exports (first test): orders.csv, tickets.csv,
# surveys.csv, referrals.csv. All times are UTC, 2024 (a leap year: February has 29 days).
# Eight customers; ids in byte order u1 < u10 < u2 < u3 < ... (not numeric). [stage] by the shipped
# rules, whose order is awareness < consideration < purchase < support < loyalty < advocacy.
#   u1   01-05T10:00 order_placed 10.1 (web) [purchase]; 02-01T12:00 survey_response nps 9 csat 5
#        (email) [loyalty]; 03-15T08:00 order_placed 20.2 (web); ticket t2 (phone) [support]:
#        03-20T09:00 opened, 10:00 first reply, 03-21T09:00 solved with csat 2;
#        04-02T12:00 referral_sent, referee u5 (web) [advocacy]
#   u10  02-15, 02-16, 02-17 T12:00 order_placed 1, 1, 1.01 (app)
#   u2   01-20T12:00 order_placed 0.1, 01-25T12:00 order_placed 0.2 (app)
#   u3   01-31T00:00 survey_response nps 3, no csat (email)
#   u4   ticket t1 (phone): 02-01T00:00 opened, 02:00 first reply, 02-02T00:00 solved csat 5;
#        05-10T12:00 order_placed 99.99 (web)
#   u5   04-03T12:00 referral_signup (web, from u1's referral) [consideration];
#        04-05T12:00 order_placed 50 (web)
#   u6   03-01T00:00 survey_response nps 10 csat 4 (app)
#   u7   05-20T12:00 order_placed 7.5 (email); 06-20T12:00 survey_response nps 8 (email)
# The latest time in the input, the default --as-of: 2024-06-20T12:00:00Z (u7's survey).

@test "jcustomers: the fixture touches.csv is jtouch's stream of the four exports" {
	run jtouch -q -p orders orders.csv -p tickets tickets.csv -p survey surveys.csv -p referrals referrals.csv
	assert_success
	same <<<"$output" touches.csv
}

# ================================================================ 1. --customers

# golden customers.csv, column by column (as_of 06-20T12:00, --churn-after 90d; active = first <=
# as_of < last + 90 d):
#   u1: first 01-05T10:00, last 04-02T12:00; tenure 26 + 29 + 31 + 2 = 88 d + 2 h = 7603200 + 7200 =
#       7610400; touches 7 (2 orders, 3 ticket touches, survey, referral); orders 2; tickets 1 (opened
#       only); revenue 10.1 + 20.2 = 30.3 exactly (binary floating point: 30.299999999999997); aov
#       30.3 / 2 = 15.1500; furthest advocacy; last_nps 9 at 02-01T12:00; last_csat 2 at 03-21T09:00
#       (the ticket's rating is later than the survey's 5); referrals 1; 04-02T12:00 + 90 d =
#       07-01T12:00 (28 + 31 + 30 = 89 d to 06-30, +1) > as_of -> active 1; channel web
#   u10: 02-15T12:00 .. 02-17T12:00, tenure 2 d = 172800; 3 touches, 3 orders; revenue 1 + 1 + 1.01 =
#       3.01; aov 3.01 / 3 = 1.00333 -> 1.0033; purchase; no nps/csat; 02-17 + 90 d = 05-17 (12 + 31 +
#       30 + 17) < as_of -> 0; app
#   u2: 01-20T12:00 .. 01-25T12:00, 5 d = 432000; 2 touches, 2 orders; revenue 0.1 + 0.2 = 0.3 exactly;
#       aov 0.1500; purchase; 01-25 + 90 d = 04-24 -> 0; app
#   u3: one touch 01-31T00:00: tenure 0; 0 orders, revenue 0, aov empty (no orders); loyalty;
#       last_nps 3 at 01-31T00:00; no csat; 01-31 + 90 d = 04-30 -> 0; email
#   u4: 02-01T00:00 .. 05-10T12:00 = 29 + 31 + 30 + 9 = 99 d + 12 h = 8553600 + 43200 = 8596800;
#       4 touches; 1 order; 1 ticket; revenue 99.99, aov 99.9900; furthest support: support comes after
#       purchase in the stage order, although the order came later; last_csat 5 at 02-02T00:00;
#       05-10 + 90 d = 08-08 -> 1; channel phone (the ticket is the first touch, the order is web)
#   u5: 04-03T12:00 .. 04-05T12:00 = 172800; 2 touches, 1 order, revenue 50, aov 50.0000; purchase
#       (beyond consideration); 04-05 + 90 d = 07-04 -> 1; web
#   u6: 03-01T00:00 once: tenure 0; loyalty; nps 10 and csat 4 both at 03-01T00:00; 03-01 + 90 d =
#       05-30 -> 0; app
#   u7: 05-20T12:00 .. 06-20T12:00 = 31 d = 2678400; 2 touches, 1 order, 7.5, aov 7.5000; loyalty;
#       last_nps 8 at 06-20T12:00, no csat; the as_of is its last touch -> 1; email
@test "jcustomers: --customers -g channel: every column by hand, exact decimal revenue (golden customers.csv)" {
	jt --customers -g channel touches.csv
	golden customers.csv
}

# -g takes a comma list of columns (help: "-g COLS: first-touch attributes"); source of the first
# touch: u1 orders, u10 orders, u2 orders, u3 survey, u4 tickets, u5 referrals, u6 survey, u7 orders
@test "jcustomers: --customers -g channel,source: one column per name, values of the first touch (golden customers_channel_source.csv)" {
	jt --customers -g channel,source touches.csv
	golden customers_channel_source.csv
}

# active = first_touch <= as_of < last_touch + churn_after; last touches + 30 d:
#   u1 04-02T12:00 -> 05-02T12:00; u10 02-17T12:00 -> 03-18T12:00; u2 01-25T12:00 -> 02-24T12:00;
#   u3 01-31T00:00 -> 03-01T00:00 (2024: Feb has 29 days); u4 05-10T12:00 -> 06-09T12:00;
#   u5 04-05T12:00 -> 05-05T12:00; u6 03-01T00:00 -> 03-31T00:00; u7 06-20T12:00 -> 07-20T12:00
# default as_of 06-20T12:00, 30d: only u7 is still alive.
# --as-of 2024-03-01 (00:00), 90d: u5 and u7 came later (0); the others' last + 90 d are all after
#   03-01, and u6's first touch is 03-01T00:00 itself (first <= as_of: 1).
# --as-of 2024-03-01, 30d: u1 1; u10 1 (03-18); u2 0 (02-24); u3 0: 03-01T00:00 is exactly
#   last + 30 d, and alive ends before it; u4 1; u5 0; u6 1; u7 0.
# --as-of 2024-02-29T23:59:59Z, 30d: u3 is still alive (1); u6 has not come yet (0).
@test "jcustomers: --as-of and --churn-after change active, at the boundaries" {
	jt --customers --churn-after 30d touches.csv
	assert_equal "$(column_values active | paste -sd ' ')" "0 0 0 0 0 0 0 1"
	jt --customers --as-of 2024-03-01 touches.csv
	assert_equal "$(column_values active | paste -sd ' ')" "1 1 1 1 1 0 1 0"
	jt --customers --as-of 2024-03-01 --churn-after 30d touches.csv
	assert_equal "$(column_values active | paste -sd ' ')" "1 1 0 0 1 0 1 0"
	jt --customers --as-of 2024-02-29T23:59:59Z --churn-after 30d touches.csv
	assert_equal "$(column_values active | paste -sd ' ')" "1 1 0 1 1 0 0 0"
	# --as-of changes nothing but active
	jt --customers --as-of 2024-03-01 touches.csv
	cut -d, -f1-15 "$EXP/jcustomers/customers.csv" | same <(cut -d, -f1-15 "$T/out")
}

# amounts.csv: x orders 12, 1e1 (= 10), 'ten' (rejected: not a number, the row is in no timeline),
# -2.5 (a refund lowers revenue): revenue 12 + 10 - 2.5 = 19.5, 3 orders, aov 6.5000, 3 touches.
# y: 'mystery' matches no rule; with --default other it is stage 'other', which ranks after every
# label of the rules, so it beats y's referral_sent (advocacy) as the furthest stage.
@test "jcustomers: an amount that is not a number rejects the row; 1e1 and negative amounts count; --default is a stage" {
	jtrc 0 --customers --default other --stats "$T/st.csv" amounts.csv
	err_is "jstage: amounts.csv:4: column 'amount': 'ten' is not a number
jstage: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
	same <<'EOF'
customer,first_touch,last_touch,tenure_s,touches,orders,tickets,revenue,aov,furthest_stage,last_nps,last_nps_time,last_csat,last_csat_time,referrals,active
x,2024-01-01T00:00:00Z,2024-01-06T00:00:00Z,432000,3,3,0,19.5,6.5000,purchase,,,,,0,1
y,2024-01-04T00:00:00Z,2024-01-05T00:00:00Z,86400,2,0,0,0,,other,,,,,1,1
EOF
	run grep -E '^(rows_in|rows_out|rows_rejected|rejected:not a number),' "$T/st.csv"
	assert_output "rows_in,6
rows_out,5
rows_rejected,1
rejected:not a number,1"
	# without --default the mystery touch has no stage: y's furthest is advocacy
	jtrc 0 --customers -q amounts.csv
	assert_equal "$(column_values furthest_stage | paste -sd ' ')" "purchase advocacy"
}

@test "jcustomers: a header-only input gives the header (and one zero row for --clv)" {
	head -n 1 touches.csv >"$T/h.csv"
	jt --customers "$T/h.csv"
	assert_equal "$(cat "$T/out")" "customer,first_touch,last_touch,tenure_s,touches,orders,tickets,revenue,aov,furthest_stage,last_nps,last_nps_time,last_csat,last_csat_time,referrals,active"
	jt --retention --period month "$T/h.csv"
	assert_equal "$(cat "$T/out")" "from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct"
	jt --clv "$T/h.csv"
	assert_equal "$(cat "$T/out")" "customers,orders,revenue,historic_clv,aov,orders_per_month,monthly_churn_pct,expected_lifetime_months,predictive_clv
0,0,0,,,,,,"
}

# The fixture is already grouped by customer once sorted by id.
@test "jcustomers: --sorted gives the same retention and CLV" {
	{ head -n 1 touches.csv; tail -n +2 touches.csv | LC_ALL=C sort -s -t, -k1,1; } >"$T/sorted.csv"
	jt --retention --period month --churn-after 30d "$T/sorted.csv"
	cp "$T/out" "$T/a"
	jt --sorted --retention --period month --churn-after 30d "$T/sorted.csv"
	same <"$T/a"
	jt --clv --churn-after 30d "$T/sorted.csv"
	cp "$T/out" "$T/a"
	jt --sorted --clv --churn-after 30d "$T/sorted.csv"
	same <"$T/a"
}

# --sorted --customers writes each customer as the next one starts; active must use --as-of.
# --as-of 2024-03-01: 1 1 1 1 1 0 1 0 as without --sorted (test above).
@test "jcustomers: --sorted --customers --as-of gives the same table as without --sorted" {
	{ head -n 1 touches.csv; tail -n +2 touches.csv | LC_ALL=C sort -s -t, -k1,1; } >"$T/sorted.csv"
	jt --customers --as-of 2024-03-01 "$T/sorted.csv"
	cp "$T/out" "$T/a"
	jt --sorted --customers --as-of 2024-03-01 "$T/sorted.csv"
	same <"$T/a"
}

# ================================================================ 2. --retention

# --churn-after 30d; alive at x: first <= x < last + 30 d ("dies" below):
#   u1 01-05T10:00, dies 05-02T12:00    u2 01-20T12:00, dies 02-24T12:00
#   u3 01-31T00:00, dies 03-01T00:00    u4 02-01T00:00, dies 06-09T12:00
#   u10 02-15T12:00, dies 03-18T12:00   u6 03-01T00:00, dies 03-31T00:00
#   u5 04-03T12:00, dies 05-05T12:00    u7 05-20T12:00, dies 07-20T12:00
# Month [A, B): start = first < A and alive at A; new = A <= first < B; end = first < B and alive at B;
# lost = counted at start, not at end; retained = start - lost; retention = (end - new) / start;
# churn = lost / start (percent, 2 decimals; empty when start = 0).
#   Jan: start 0; new u1 u2 u3 = 3; end (02-01) u1 u2 u3 = 3; lost 0 -> empty percentages
#   Feb: start u1 u2 u3 = 3; new u4 (first 02-01T00:00 = A: new, not start) u10 = 2; end (03-01):
#        u1 u4 u10 = 3 (u2 died 02-24, u3 dies at 03-01T00:00 itself); lost u2 u3 = 2; retained 1;
#        retention (3 - 2) / 3 = 33.33; churn 2 / 3 = 66.67
#   Mar: start u1 u4 u10 = 3; new u6 = 1; end (04-01): u1 u4 = 2 (u10 died 03-18, u6 03-31); lost u10
#        = 1; retained 2; retention (2 - 1) / 3 = 33.33, not retained / start = 66.67: u6 came and
#        went within March; churn 1 / 3 = 33.33
#   Apr: start u1 u4 = 2; new u5 = 1; end (05-01): u1 u4 u5 = 3; lost 0; retained 2; (3 - 1) / 2 = 100
#   May: start u1 u4 u5 = 3; new u7 = 1; end (06-01): u4 u7 = 2; lost u1 u5 = 2; retained 1;
#        (2 - 1) / 3 = 33.33; churn 66.67
#   Jun: B = 07-01 > as_of 06-20T12:00: incomplete, not written
@test "jcustomers: --retention --period month: counts and percentages by hand, the incomplete June left out" {
	jt --retention --period month --churn-after 30d touches.csv
	same <<'EOF'
from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct
2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,0,3,3,0,0,,
2024-02-01T00:00:00Z,2024-03-01T00:00:00Z,3,2,3,2,1,33.33,66.67
2024-03-01T00:00:00Z,2024-04-01T00:00:00Z,3,1,2,1,2,33.33,33.33
2024-04-01T00:00:00Z,2024-05-01T00:00:00Z,2,1,3,0,2,100.00,0.00
2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,3,1,2,2,1,33.33,66.67
EOF
}

# June [06-01, 07-01) is complete when as_of >= 07-01T00:00 (B <= as_of): start u4 u7 = 2; new 0;
# end (07-01): u7 = 1 (u4 died 06-09); lost u4 = 1; retained 1; retention (1 - 0) / 2 = 50; churn 50.
@test "jcustomers: --retention: a period is written once --as-of reaches its end, not a second before" {
	jt --retention --period month --churn-after 30d --as-of 2024-06-30T23:59:59Z touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,3,1,2,2,1,33.33,66.67"
	jt --retention --period month --churn-after 30d --as-of 2024-07-01 touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "2024-06-01T00:00:00Z,2024-07-01T00:00:00Z,2,0,1,1,1,50.00,50.00"
	assert_equal "$(wc -l <"$T/out")" 7
}

# The default --churn-after 90d; dies: u1 07-01T12:00, u2 04-24T12:00, u3 04-30T00:00, u4 08-08T12:00,
# u10 05-17T12:00, u6 05-30T00:00, u5 07-04T12:00, u7 09-18T12:00.
#   Jan: 0 start, 3 new, 3 at end.  Feb: start 3; new u4 u10; end 5; lost 0 -> 100, 0
#   Mar: start 5; new u6; end 6; lost 0.  Apr: start 6; new u5 = 1; end (05-01): u1 u4 u10 u6 u5 = 5
#   (u2 died 04-24, u3 04-30); lost 2; retained 4; (5 - 1) / 6 = 66.67; churn 2 / 6 = 33.33
#   May: start 5; new u7; end (06-01): u1 u4 u5 u7 = 4 (u10 05-17, u6 05-30); lost 2; retained 3;
#   (4 - 1) / 5 = 60; churn 40
@test "jcustomers: --retention --period month with the default 90-day rule" {
	jt --retention --period month touches.csv
	same <<'EOF'
from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct
2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,0,3,3,0,0,,
2024-02-01T00:00:00Z,2024-03-01T00:00:00Z,3,2,5,0,3,100.00,0.00
2024-03-01T00:00:00Z,2024-04-01T00:00:00Z,5,1,6,0,5,100.00,0.00
2024-04-01T00:00:00Z,2024-05-01T00:00:00Z,6,1,5,2,4,66.67,33.33
2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,5,1,4,2,3,60.00,40.00
EOF
}

# 30d. --from 2024-03-01 --to 2024-04-01 is the March row above.
# --from 2024-01-15 --to 2024-04-15: start (alive at 01-15, first before): u1 = 1; new: u2 u3 u4 u10 u6
# u5 = 6; end (04-15): u1 u4 u5 = 3; lost 0; retained 1; retention (3 - 6) / 1 = -300.00: five of the
# six new customers were gone by 04-15. DESIGN's formula counts them against the period; churn 0.
# A window is written even when it ends after --as-of: --from 2024-06-01 --to 2024-07-01 is the June
# row of the test above (2, 0, 1, 1, 1, 50, 50).
@test "jcustomers: --retention --from --to: one window; new customers who left make retention negative" {
	jt --retention --from 2024-03-01 --to 2024-04-01 --churn-after 30d touches.csv
	same <<'EOF'
from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct
2024-03-01T00:00:00Z,2024-04-01T00:00:00Z,3,1,2,1,2,33.33,33.33
EOF
	jt --retention --from 2024-01-15 --to 2024-04-15 --churn-after 30d touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "2024-01-15T00:00:00Z,2024-04-15T00:00:00Z,1,6,3,0,1,-300.00,0.00"
	jt --retention --from 2024-06-01 --to 2024-07-01 --churn-after 30d touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "2024-06-01T00:00:00Z,2024-07-01T00:00:00Z,2,0,1,1,1,50.00,50.00"
}

# 30d. quarter: Q1 [01-01, 04-01): start 0; new u1 u2 u3 u4 u10 u6 = 6; end (04-01) u1 u4 = 2;
# Q2 ends 07-01 > as_of: not written. year: 2024 is not over: header only.
# week: Monday weeks, from the week of the earliest first touch (Fri 01-05 -> Mon 01-01) to the last
# one ending by as_of (06-10 .. 06-17): 01-01 to 06-10 is 161 d = 23 weeks, so 24 rows.
#   week 1 [01-01, 01-08): new u1; week 2 [01-08, 01-15): start u1, nothing else
#   last [06-10, 06-17): start u7 (u4 died 06-09T12:00), end u7: 1, 0, 1, 0, 1, 100, 0
@test "jcustomers: --retention --period quarter, year and week" {
	jt --retention --period quarter --churn-after 30d touches.csv
	same <<'EOF'
from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct
2024-01-01T00:00:00Z,2024-04-01T00:00:00Z,0,6,2,0,0,,
EOF
	jt --retention --period year touches.csv
	assert_equal "$(cat "$T/out")" "from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct"
	jt --retention --period week --churn-after 30d touches.csv
	assert_equal "$(wc -l <"$T/out")" 25
	assert_equal "$(sed -n 2,3p "$T/out")" "2024-01-01T00:00:00Z,2024-01-08T00:00:00Z,0,1,1,0,0,,
2024-01-08T00:00:00Z,2024-01-15T00:00:00Z,1,0,1,0,1,100.00,0.00"
	assert_equal "$(tail -n 1 "$T/out")" "2024-06-10T00:00:00Z,2024-06-17T00:00:00Z,1,0,1,0,1,100.00,0.00"
}

# -g channel (first touch): app u2 u10 u6; email u3 u7; phone u4; web u1 u5. Every group has the
# periods from the month of the earliest first touch of all (January), 30d:
#   app   Jan 0,1(u2),1; Feb start u2, new u10, end u10, lost u2: (1 - 1) / 1 = 0.00, churn 100;
#         Mar start u10, new u6, end none, lost u10: (0 - 1) / 1 = -100.00, churn 100; Apr, May 0s
#   email Jan 0,1(u3),1; Feb start u3, end 0 (u3 dies 03-01T00:00), lost 1: 0.00, 100; Mar, Apr 0s;
#         May new u7, end u7: 0,1,1
#   phone Jan 0s; Feb new u4 (end 1); Mar, Apr, May start u4, end u4: 100, 0
#   web   Jan new u1; Feb, Mar start u1 end u1: 100, 0; Apr start u1, new u5, end 2: (2 - 1) / 1 =
#         100; May start u1 u5, end 0 (05-02, 05-05), lost 2: 0.00, 100
@test "jcustomers: --retention -g channel: counts per group by hand (rows in any order)" {
	jt --retention --period month -g channel --churn-after 30d touches.csv
	same_rows <"$EXP/jcustomers/retention_channel.csv"
}

@test "jcustomers: --retention -g channel: groups sorted by their values byte for byte (golden retention_channel.csv)" {
	jt --retention --period month -g channel --churn-after 30d touches.csv
	golden retention_channel.csv
}

# ================================================================ 3. --clv

# A month is 2629746 s (365.2425 d / 12). as_of 06-20T12:00 = day 171.5 of 2024 (from 01-01T00:00).
# First touches, days from 01-01T00:00: u1 4 + 10/24, u2 19.5, u3 30, u4 31, u10 45.5, u6 60,
# u5 93.5, u7 140.5; as_of - first: 167.0833, 152, 141.5, 140.5, 126, 111.5, 78, 31 d;
# sum 947.5833 d = 81871200 s = 31.1327 months.
# customers 8; orders 2 + 3 + 2 + 0 + 1 + 1 + 0 + 1 = 10; revenue 30.3 + 3.01 + 0.3 + 99.99 + 50 + 7.5
# = 191.1; historic_clv 191.1 / 8 = 23.8875; aov 191.1 / 10 = 19.1100;
# orders_per_month 10 / 31.1327 = 0.3212;
# monthly churn, 30d (the month rows of --retention): lost 0 + 2 + 1 + 0 + 2 = 5 over start
# 0 + 3 + 3 + 2 + 3 = 11 = 45.45 %; expected lifetime 11 / 5 = 2.2000 months;
# predictive = margin x aov x orders_per_month / (churn + discount):
#   margin 1, discount 0: 19.11 x 0.32121 / 0.45455 = 13.5041 (= aov x frequency x lifetime)
#   margin 0.3, discount 0.01: 0.3 x 19.11 x 0.32121 / 0.46455 = 3.9640
# With 90d (monthly lost 4 over start 19, see the 90d retention test): churn 21.05, lifetime 4.7500.
@test "jcustomers: --clv: historic and predictive CLV by hand, margin and discount recomputed with awk" {
	local want
	want=$(awk 'BEGIN {
		M = 2629746; d = 86400
		s = (171.5 - (4 + 10 / 24) + 171.5 - 19.5 + 171.5 - 30 + 171.5 - 31 + 171.5 - 45.5 + 171.5 - 60 + 171.5 - 93.5 + 171.5 - 140.5) * d
		if (int(s + 0.5) != 81871200) print "bad sum " s
		f = 10 / (s / M); c = 5 / 11; aov = 191.1 / 10
		# the closed form, and the series it sums: months t >= 1, (1 - c)^(t - 1) / (1 + d)^t
		for (t = 1; t <= 2000; t++) g += (1 - c) ^ (t - 1) / 1.01 ^ t
		if (sprintf("%.6f", g) != sprintf("%.6f", 1 / (c + 0.01))) print "series " g
		printf "%.4f %.4f %.4f %.4f\n", f, aov * f / c, 0.3 * aov * f / (c + 0.01), aov * f * (1 / c)
	}')
	set -- $want
	assert_equal "$3" "3.9640"
	assert_equal "$4" "$2"
	jt --clv --churn-after 30d touches.csv
	same <<EOF
customers,orders,revenue,historic_clv,aov,orders_per_month,monthly_churn_pct,expected_lifetime_months,predictive_clv
8,10,191.1,23.8875,19.1100,$1,45.45,2.2000,$2
EOF
	jt --clv --churn-after 30d --margin 0.3 --discount 0.01 touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "8,10,191.1,23.8875,19.1100,$1,45.45,2.2000,$3"
	jt --clv touches.csv
	assert_equal "$(cut -d, -f1-8 "$T/out" | tail -n 1)" "8,10,191.1,23.8875,19.1100,$1,21.05,4.7500"
	# margin 1 and discount 0 written out are the defaults
	jt --clv --margin 1 --discount 0 touches.csv
	assert_equal "$(tail -n 1 "$T/out")" "8,10,191.1,23.8875,19.1100,$1,21.05,4.7500,$(awk 'BEGIN { printf "%.4f", 19.11 * (10 / (81871200 / 2629746)) / (4 / 19) }')"
}

# -g channel, 30d, --margin 0.3 --discount 0.01 (groups and monthly counts as in the retention test):
#   app   u2 u10 u6: 3 customers, 2 + 3 + 0 = 5 orders, 0.3 + 3.01 = 3.31; historic 1.1033; aov 0.6620;
#         months 152 + 126 + 111.5 = 389.5 d; churn: lost 1 + 1 over start 1 + 1 = 100 %, lifetime 1
#   email u3 u7: 2, 1 order, 7.5; historic 3.7500, aov 7.5000; 141.5 + 31 = 172.5 d; churn 1 / 1
#   phone u4: 1, 1, 99.99; 140.5 d; lost 0 over start 3: churn 0.00, lifetime empty (1 / 0), and the
#         predictive CLV rests on the discount alone: 0.3 x 99.99 x f / 0.01
#   web   u1 u5: 2, 3 orders, 80.3; historic 40.1500, aov 80.3 / 3 = 26.7667; 167.0833 + 78 d;
#         churn: lost 2 over start 1 + 1 + 1 + 2 = 5: 40.00, lifetime 2.5000
@test "jcustomers: --clv -g channel with margin and discount: each group by hand (rows in any order)" {
	local rows
	rows=$(awk 'BEGIN {
		M = 2629746; d = 86400
		split("app email phone web", g, " ")
		days[1] = 152 + 126 + 111.5; days[2] = 141.5 + 31; days[3] = 140.5; days[4] = 167 + 1 / 12 + 78
		split("5 1 1 3", o, " "); split("3.31 7.5 99.99 80.3", r, " "); split("1 1 0 0.4", c, " ")
		split("3,5,3.31,1.1033,0.6620 2,1,7.5,3.7500,7.5000 1,1,99.99,99.9900,99.9900 2,3,80.3,40.1500,26.7667", head, " ")
		split("100.00,1.0000 100.00,1.0000 0.00, 40.00,2.5000", ch, " ")
		for (i = 1; i <= 4; i++) {
			f = o[i] / (days[i] * d / M)
			printf "%s,%s,%.4f,%s,%.4f\n", g[i], head[i], f, ch[i], 0.3 * (r[i] / o[i]) * f / (c[i] + 0.01)
		}
	}')
	jt --clv -g channel --churn-after 30d --margin 0.3 --discount 0.01 touches.csv
	same_rows <<EOF
channel,customers,orders,revenue,historic_clv,aov,orders_per_month,monthly_churn_pct,expected_lifetime_months,predictive_clv
$rows
EOF
	# without a discount the churn-free group has no predictive CLV
	jt --clv -g channel --churn-after 30d touches.csv
	assert_equal "$(grep '^phone,' "$T/out" | cut -d, -f8-)" "0.00,,"
}

# ================================================================ 4. real data: Olist (../shared, CI only)

# The orders of olist_orders_dataset.csv through the customers lookup: one customer per
# customer_unique_id; order_placed once per order (every order has a purchase time). awk joins the
# raw files on its own: orders per unique id, then how many customers have 1, 2, 3+ orders.
@test "jcustomers: real Olist orders: customers who ordered twice and the orders-per-customer counts, recomputed with awk" {
	need_shared
	need_zone America/Sao_Paulo
	local d="$SHARED/olist-sample-4000-orders"
	jtouch -q --lookup "$d/olist_customers_dataset.csv:customer_id" -p olist-orders "$d/olist_orders_dataset.csv" >"$T/t.csv"
	jt --customers "$T/t.csv"
	local want got
	want=$(awk -F, 'NR == FNR { if (FNR > 1) u[$1] = $2; next }
		FNR > 1 { n[u[$2]]++; if ($4 != "") placed++ }
		END { for (c in n) { k[n[c] >= 3 ? 3 : n[c]]++; cust++ }
			printf "customers %d placed %d one %d two %d three+ %d\n", cust, placed, k[1], k[2], k[3] }' \
		"$d/olist_customers_dataset.csv" "$d/olist_orders_dataset.csv")
	got=$(awk -F, 'NR > 1 { cust++; placed += $6; k[$6 >= 3 ? 3 : $6]++ }
		END { printf "customers %d placed %d one %d two %d three+ %d\n", cust, placed, k[1], k[2], k[3] }' "$T/out")
	assert_equal "$got" "$want"
	# the sample has 3998 people for 4000 orders: two ordered twice, nobody three times
	assert_equal "$got" "customers 3998 placed 4000 one 3996 two 2 three+ 0"
	# touches per customer: one per non-empty timestamp of their orders (purchase, approval, carrier, delivery)
	want=$(awk -F, 'NR == FNR { if (FNR > 1) u[$1] = $2; next }
		FNR > 1 { for (i = 4; i <= 7; i++) if ($i != "") n[u[$2]]++ }
		END { for (c in n) print c "," n[c] }' "$d/olist_customers_dataset.csv" "$d/olist_orders_dataset.csv" | LC_ALL=C sort)
	assert_equal "$(cut -d, -f1,5 "$T/out" | tail -n +2)" "$want"
	# no amounts in the orders file: revenue 0 for all
	assert_equal "$(column_values revenue | sort -u)" "0"
}

# amounts: awk sums payment_value per order (several payment rows per order: vouchers, two cards)
# into order_id,customer_unique_id,purchased,paid, and jtouch reads it with the orders profile and
# the settings below (purchase times are Sao Paulo local time). Then an independent awk computes,
# per customer_unique_id, the orders, first and last purchase in UTC and the sum of every payment
# row, straight from the raw files: UTC = local + 3 h, or + 2 h in daylight saving time, local
# 2016-10-16 00:00 to 2017-02-19 00:00 and 2017-10-15 00:00 to 2018-02-18 00:00 (the repeated hour
# 2018-02-17 23:xx is the earlier instant, DST, as jtouch documents; the sample has one order there).
# Compared for every customer: revenue to the cent.
@test "jcustomers: real Olist payments: revenue, orders, first and last purchase per customer against awk on the raw CSVs" {
	need_shared
	need_zone America/Sao_Paulo
	command -v gawk >/dev/null || skip "gawk not installed (mktime/strftime for the independent times)"
	local d="$SHARED/olist-sample-4000-orders"
	awk -F, 'FILENAME ~ /customers/ { if (FNR > 1) u[$1] = $2; next }
		FILENAME ~ /payments/ { if (FNR > 1) p[$1] += $5; next }
		FNR == 1 { print "order_id,customer_unique_id,purchased,paid"; next }
		{ printf "%s,%s,%s,%.2f\n", $1, u[$2], $4, p[$1] }' \
		"$d/olist_customers_dataset.csv" "$d/olist_order_payments_dataset.csv" "$d/olist_orders_dataset.csv" >"$T/pay.csv"
	jtouch -p orders --customer customer_unique_id --touch 'order_placed purchased' \
		--measure 'amount = paid on order_placed' --tz America/Sao_Paulo "$T/pay.csv" >"$T/t.csv"
	jt --customers "$T/t.csv"
	gawk -F, 'FILENAME ~ /customers/ { if (FNR > 1) u[$1] = $2; next }
		FILENAME ~ /payments/ { if (FNR > 1) p[$1] += $5; next }
		FNR > 1 {
			c = u[$2]; s = $4
			dst = (s >= "2016-10-16 00:00:00" && s < "2017-02-19 00:00:00") || (s >= "2017-10-15 00:00:00" && s < "2018-02-18 00:00:00")
			gsub(/[-:]/, " ", s)
			t = mktime(s, 1) + (dst ? 2 : 3) * 3600
			n[c]++; rev[c] += p[$1]
			if (!(c in lo) || t < lo[c]) lo[c] = t
			if (!(c in hi) || t > hi[c]) hi[c] = t
		}
		END { for (c in n) printf "%s,%s,%s,%d,%.2f\n", c, strftime("%Y-%m-%dT%H:%M:%SZ", lo[c], 1),
			strftime("%Y-%m-%dT%H:%M:%SZ", hi[c], 1), n[c], rev[c] }' \
		"$d/olist_customers_dataset.csv" "$d/olist_order_payments_dataset.csv" "$d/olist_orders_dataset.csv" \
		| LC_ALL=C sort >"$T/want"
	awk -F, 'NR > 1 { printf "%s,%s,%s,%d,%.2f\n", $1, $2, $3, $6, $8 }' "$T/out" | LC_ALL=C sort >"$T/got"
	assert_equal "$(wc -l <"$T/got")" 3998
	same "$T/got" <"$T/want"
	# by hand: 62ddc4fa... ordered 2018-02-17 23:43:05, the repeated hour: the earlier instant, -02 ->
	# 2018-02-18T01:43:05Z; 6469f99c... ordered 2017-09-19 01:02:44 (-03) and 2017-12-25 21:22:03
	# (DST, -02): 04:02:44Z and 23:22:03Z, tenure 97 d 19:19:19 = 8380800 + 69559 = 8450359;
	# 91.77 + 67.98 = 159.75, aov 79.8750
	run grep -E '^(6469f99c1f9dfae7733b25662e7f1782|62ddc4fac7716e758a1958c5244ecd7e),' "$T/out"
	assert_output "62ddc4fac7716e758a1958c5244ecd7e,2018-02-18T01:43:05Z,2018-02-18T01:43:05Z,0,1,1,0,66.2,66.2000,purchase,,,,,0,0
6469f99c1f9dfae7733b25662e7f1782,2017-09-19T04:02:44Z,2017-12-25T23:22:03Z,8450359,2,2,0,159.75,79.8750,purchase,,,,,0,0"
	# --clv over all: 3998 customers, 4000 orders, the sum of all 4161 payment rows (in cents, exactly)
	local cents
	cents=$(awk -F, 'NR > 1 { split($5, a, "."); c += a[1] * 100 + substr(a[2] "00", 1, 2) } END { printf "%d", c }' \
		"$d/olist_order_payments_dataset.csv")
	jt --clv "$T/t.csv"
	assert_equal "$(tail -n 1 "$T/out" | cut -d, -f1-4)" \
		"3998,4000,$(awk -v c="$cents" 'BEGIN { printf "%d.%02d,%.4f", c / 100, c % 100, c / 100 / 3998 }')"
}

# ================================================================ 5. usage errors

# usage_err MSG ARGS...: exit 2, nothing on stdout, MSG and the help pointer on stderr.
usage_err() {
	local msg=$1
	shift
	jtrc 2 "$@" touches.csv
	assert_equal "$(cat "$T/out")" ""
	err_is "jstage: $msg
Try 'jstage --help' for more information."
}

@test "jcustomers: usage errors: periods, windows, margin, discount, --as-of and --sorted" {
	usage_err "--retention needs --period PERIOD or --from TIME --to TIME" --retention
	usage_err "--retention needs --period PERIOD or --from TIME --to TIME" --retention --period month --from 2024-01-01 --to 2024-02-01
	usage_err "--retention needs --period PERIOD or --from TIME --to TIME" --retention --from 2024-01-01
	usage_err "--to must come after --from" --retention --from 2024-02-01 --to 2024-01-01
	usage_err "--to must come after --from" --retention --from 2024-02-01 --to 2024-02-01
	usage_err "--period: 'fortnight' is not day, week, month, quarter or year" --retention --period fortnight
	usage_err "--margin: '0' is not a share in (0, 1]" --clv --margin 0
	usage_err "--margin: '2' is not a share in (0, 1]" --clv --margin 2
	usage_err "--discount: '1' is not a monthly rate in [0, 1)" --clv --discount 1
	usage_err "--discount: '-0.1' is not a monthly rate in [0, 1)" --clv --discount -0.1
	usage_err "--as-of goes with --customers, --retention or --clv" --paths --as-of 2024-01-01
	usage_err "--churn-after goes with --customers, --retention or --clv" --cohorts month --churn-after 30d
	usage_err "--customers with --sorted writes as it reads: give --as-of" --sorted --customers
	usage_err "--period goes with --customers, --retention or --clv" --period month
	usage_err "--period, --from and --to go with --retention" --customers --period month
	usage_err "--period, --from and --to go with --retention" --clv --from 2024-01-01 --to 2024-02-01
	usage_err "--as-of: 'yesterday' is not a time (ISO 8601, e.g. 2024-06-30T00:00:00Z)" --customers --as-of yesterday
	usage_err "--churn-after: '0d' is not a duration (N followed by s, m, h, d or w, e.g. 90d)" --customers --churn-after 0d
	usage_err "-g: an empty column name in 'channel,'" --customers -g channel,
	jtrc 2 --clv --customers touches.csv
	assert_regex "$(cat "$T/err")" "^jstage: --customers: one view at a time \\(--funnel, --paths, --variants, --cohorts, --customers, --retention"
}

# The --margin and --discount message names the views they go with; it grows with the modes.
@test "jcustomers: --margin and --discount without --clv are usage errors" {
	jtrc 2 --customers --margin 0.5 touches.csv
	assert_regex "$(cat "$T/err")" "^jstage: --margin and --discount go with --clv"
	jtrc 2 --retention --period month --discount 0.01 touches.csv
	assert_regex "$(cat "$T/err")" "^jstage: --margin and --discount go with --clv"
}

@test "jcustomers: --period with only --from is a usage error (exactly one of --period and --from/--to)" {
	usage_err "--retention needs --period PERIOD or --from TIME --to TIME" --retention --period month --from 2024-03-01
}
