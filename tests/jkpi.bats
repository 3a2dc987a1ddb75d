#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2054,SC2154,SC2164
# jkpi: behaviour suite.  Expected figures are worked out by hand (the
# arithmetic is in the comments); the golden files in tests/expected/jkpi/ were
# written from those hand computations, not from jkpi's output.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	PROG=jkpi
	T=$BATS_TEST_TMPDIR
}

# jkrc RC ARGS... and jk ARGS...: test_helper's jtrc and jt, which run $PROG
# (stdout to $T/out, stderr to $T/err); err_is, same and golden come from there too.
jkrc() { jtrc "$@"; }
jk() { jt "$@"; }

# empty_out: stdout of the last jkrc/jk is 0 bytes.
empty_out() {
	if [ -s "$BATS_TEST_TMPDIR/out" ]; then
		echo "expected empty stdout, got:" >&2
		cat "$BATS_TEST_TMPDIR/out" >&2
		return 1
	fi
}

# All numeric KPIs of kpi.csv (amount column, 7 values + 1 empty):
#   sorted amounts -0.25 0.5 1.5 2.5 4 7.75 10; sum 26; mean 26/7 = 3.714285.. -> 3.7143
#   median: h = 6*0.5 = 3 -> 2.5; p90: h = 5.4 -> 7.75 + 0.4*(10-7.75) = 8.65
#   p0 = min = -0.25, p100 = max = 10 (quantiles 4 decimals, min/max exact decimal)
#   distinct customers c1..c5 = 5
#   handle_s (duration, whole seconds): 60 125 30 95 45 19 10 = 384 / 7 = 54.86 -> 55
#   median 10 19 30 [45] 60 95 125 -> 45; p90 h=5.4 -> 95 + 0.4*30 = 107
# By channel (first-seen web, phone, email):
#   web   amounts 10 -0.25 4 1.5: sum 15.25, mean 3.8125, median h=1.5 -> 1.5+0.5*2.5 = 2.75,
#         p90 h=2.7 -> 4+0.7*6 = 8.2; handle 60 30 45 19: mean 154/4 = 38.5 -> 39 (half away),
#         median 19 30|45 60 h=1.5 -> 37.5 -> 38, p90 h=2.7 -> 45+0.7*15 = 55.5 -> 56
#   phone amounts 2.5 7.75 0.5: sum 10.75, mean 3.58333 -> 3.5833, median 2.5,
#         p90 h=1.8 -> 2.5+0.8*5.25 = 6.7; handle 125 95 10: mean 76.67 -> 77, median 95,
#         p90 h=1.8 -> 95+0.8*30 = 119
#   email amount and handle empty: n=0, missing=1, sum 0, other figures empty
KPI_ALL=count,distinct:customer,sum:amount,mean:amount,min:amount,max:amount,median:amount,p90:amount,p0:amount,p100:amount,mean:handle_s,median:handle_s,p90:handle_s

@test "jkpi: every numeric KPI without -g (golden kpi_all.csv)" {
	jk -k "$KPI_ALL" "$FIX/kpi.csv"
	golden kpi_all.csv
}

@test "jkpi: every numeric KPI by channel, n=0 group has empty figures (golden kpi_by_channel.csv)" {
	jk -g channel -k "$KPI_ALL" "$FIX/kpi.csv"
	golden kpi_by_channel.csv
}

@test "jkpi: -k may be repeated and equals one comma list" {
	jk -g channel -k count,distinct:customer -k sum:amount,mean:amount,min:amount -k max:amount,median:amount,p90:amount,p0:amount,p100:amount,mean:handle_s -k median:handle_s,p90:handle_s "$FIX/kpi.csv"
	golden kpi_by_channel.csv
}

# survey.csv, hand computation (intervals: adjusted Wald for NPS, Wilson otherwise,
# z = 1.959963984540054):
#   all:  nps 10 9 7 6 10 0 _ 8 9 10 -> P5 (10,9,10,9,10) passives 2 (7,8) D2 (6,0) n9 missing1
#         NPS 100*3/9 = 33.33; n'=12 p'=5.75/12 d'=2.75/12 c=0.25 var=0.7083-0.0625=0.6458
#         0.25 +- 1.96*sqrt(0.6458/12)=0.4547 -> -20.47 .. 70.47
#         csat 5 4 3 5 _ 1 2 4 5 4: satisfied 6/9 = 66.67, Wilson 35.42 .. 87.94
#         ces 7 5 4 _ 2 1 6 3 7 5: 40/9 = 4.4444, 5..7: 7 5 6 7 5 = 5/9 = 55.56
#         converted 1 0 1 0 2 0 _ 0.0 1 0: hits (non-zero) 1 1 2 1 = 4/9 = 44.44, Wilson 18.88 .. 73.33
#   web:   nps 10 9 6 _ 10 -> P3 D1 n4 = 50.00 (-33.59 .. 90.73); csat 5 4 5 2 4 = 4/5 = 80.00;
#          ces 7 5 _ 6 5 = 23/4 = 5.75, 4/4 low effort = 100.00; converted 1 0 0 _ 0 = 1/4 = 25.00
#   phone: nps 7 10 8 -> P1 Pa2 = 33.33; csat 3 _ 4 = 1/2 = 50.00 (9.45 .. 90.55);
#          ces 4 2 3 = 3.0000, 0.00; converted 1 2 0.0 = 2/3 = 66.67 (20.77 .. 93.85)
#   email: nps 0 9 -> 0.00 (-73.34 .. 73.34); csat 1 5 = 50.00; ces 1 7 = 4.0000, 50.00; conv 0 1 = 50.00
@test "jkpi: nps, csat, ces and rate without -g (golden survey_all.csv)" {
	jk -k nps:nps,csat:csat,ces:ces,rate:converted "$FIX/survey.csv"
	golden survey_all.csv
}

@test "jkpi: nps, csat, ces and rate by channel (golden survey_by_channel.csv)" {
	jk -g channel -k nps:nps,csat:csat,ces:ces,rate:converted "$FIX/survey.csv"
	golden survey_by_channel.csv
}

@test "jkpi: nps rounds half away from zero (1/32 = 3.125 -> 3.13) and clamps the interval to 100" {
	# group p: one promoter + 31 passives: 100*1/32 = 3.125 -> 3.13 (half-even would give 3.12)
	#   n'=35 p'=1.75/35=0.05 d'=0.75/35 c=0.02857 var=0.07061 -> 0.02857 +- 0.08803 -> -5.95 .. 11.66
	# group d: one detractor + 31 passives: -3.125 -> -3.13, interval mirrored -11.66 .. 5.95
	# group c: 10 9 10: 100.00, n'=6 p'=0.625 d'=0.125 c=0.5 var=0.5 -> 0.5 +- 0.5658:
	#   -6.58 .. 106.58 clamped to 100.00
	awk 'BEGIN { print "g,s"; print "p,9"; for (i = 0; i < 31; i++) print "p,7";
		print "d,6"; for (i = 0; i < 31; i++) print "d,8"; print "c,10"; print "c,9"; print "c,10" }' \
		>"$BATS_TEST_TMPDIR/n.csv"
	jk -g g -k nps:s "$BATS_TEST_TMPDIR/n.csv"
	same <<'EOF'
g,nps_s,nps_s_lo,nps_s_hi,nps_s_promoters,nps_s_passives,nps_s_detractors,nps_s_n,nps_s_missing
p,3.13,-5.95,11.66,1,31,0,32,0
d,-3.13,-11.66,5.95,0,31,1,32,0
c,100.00,-6.58,100.00,3,0,0,3,0
EOF
}

@test "jkpi: csat top2 is the default: 4 and 5 are satisfied" {
	# a: 5 4 3 1 _ -> 2/4 = 50.00, Wilson p=.5 n=4: 0.5 +- 0.35 -> 15.00 .. 85.00, missing 1
	# b: 2 4 4     -> 2/3 = 66.67, Wilson 20.77 .. 93.85
	jk -g team -k csat:csat "$FIX/csat_num.csv"
	same <<'EOF'
team,csat_csat,csat_csat_lo,csat_csat_hi,csat_csat_satisfied,csat_csat_n,csat_csat_missing
a,50.00,15.00,85.00,2,4,1
b,66.67,20.77,93.85,2,3,0
EOF
	cp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/default.csv"
	jk --csat top2 -g team -k csat:csat "$FIX/csat_num.csv"
	run cmp "$BATS_TEST_TMPDIR/default.csv" "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "jkpi: csat good-bad reads good/bad words, offered/not offered/unoffered are missing" {
	# b: good, Good with comment, 4, GOOD satisfied (4); Bad, 2 not (2); n 6; 3 missing
	#    4/6 = 66.67, Wilson 30.00 .. 90.32 (29.9993 rounds to 30.00)
	# a: bad with comment, 5 -> 1/2 = 50.00, 9.45 .. 90.55
	jk --csat good-bad -g team -k csat:csat "$FIX/csat_words.csv"
	same <<'EOF'
team,csat_csat,csat_csat_lo,csat_csat_hi,csat_csat_satisfied,csat_csat_n,csat_csat_missing
b,66.67,30.00,90.32,4,6,3
a,50.00,9.45,90.55,1,2,0
EOF
}

@test "jkpi: csat top2 rejects words (8 rejected rows, figures from the numbers only)" {
	# numeric values: b 4 2 -> 1/2 = 50.00 (9.45 .. 90.55); a 5 -> 1/1 = 100.00 (20.65 .. 100.00)
	jkrc 0 -q --stats "$BATS_TEST_TMPDIR/st.csv" -g team -k csat:csat "$FIX/csat_words.csv"
	same <<'EOF'
team,csat_csat,csat_csat_lo,csat_csat_hi,csat_csat_satisfied,csat_csat_n,csat_csat_missing
b,50.00,9.45,90.55,1,2,0
a,100.00,20.65,100.00,1,1,0
EOF
	run grep -x 'rows_rejected,8' "$BATS_TEST_TMPDIR/st.csv"
	assert_success
	run grep -x 'rows_in,11' "$BATS_TEST_TMPDIR/st.csv"
	assert_success
}

@test "jkpi: csat 6 and ces 8 are out of range with the documented reasons" {
	cd "$BATS_TEST_TMPDIR"
	printf 'c,e\n5,7\n6,1\n4,8\n' >r.csv
	jkrc 0 -k csat:c,ces:e r.csv
	err_is "jkpi: r.csv:3: column 'c': csat '6' is not in 1-5
jkpi: r.csv:4: column 'e': ces '8' is not in 1-7
jkpi: 2 rows rejected (2 out of range) (use --rejects FILE to keep them)"
	# only row 2 is used: csat 5 -> 1/1 = 100.00 (20.65 .. 100.00); ces 7 -> 7.0000, 100.00 low effort
	same <<'EOF'
csat_c,csat_c_lo,csat_c_hi,csat_c_satisfied,csat_c_n,csat_c_missing,ces_e,ces_e_low_effort,ces_e_n,ces_e_missing
100.00,20.65,100.00,1,1,0,7.0000,100.00,1,0
EOF
}

@test "jkpi: NAME=KPI renames the output columns (duration rule follows the input column)" {
	# count 8; total = sum:amount = 26 (n 7, missing 1); avg = mean:handle_s = 384/7 -> 55 s;
	# top = p90:amount = 8.6500
	jk -k n=count,total=sum:amount,avg=mean:handle_s,top=p90:amount "$FIX/kpi.csv"
	same <<'EOF'
n,total,total_n,total_missing,avg,avg_n,avg_missing,top,top_n,top_missing
8,26,7,1,55,7,1,8.6500,7,1
EOF
}

@test "jkpi: number grammar; exact decimal sum, min and max" {
	# accepted: +3 .5 1.50 1e2 -2.5E-1 0.1 0.2 -> 3+0.5+1.5+100-0.25+0.1+0.2 = 105.05 (exact,
	# a double sum would print 105.05000000000001); min -0.25, max 100
	# rejected: ' 5' 0x10 inf nan '5.' (not a number), 1e20 (|v| must be < 1e20)
	jkrc 0 -q --stats "$BATS_TEST_TMPDIR/st.csv" -k count,sum:v,min:v,max:v "$FIX/numbers.csv"
	same <<'EOF'
count,sum_v,sum_v_n,sum_v_missing,min_v,min_v_n,min_v_missing,max_v,max_v_n,max_v_missing
7,105.05,7,0,-0.25,7,0,100,7,0
EOF
	run cat "$BATS_TEST_TMPDIR/st.csv"
	assert_line 'rows_rejected,6'
	assert_line 'rejected:not a number,5'
	assert_line 'rejected:out of range,1'
}

@test "jkpi: 9 fractional digits (half-even), mean half away from zero, no -0.0000, 20-digit sums" {
	# a 0.0000000015 -> 0.000000002; b 0.0000000025 -> 0.000000002 (half-even); c ...35 -> ...4
	# d (0.0001+0.0002)/2 = 0.00015 -> 0.0002; e -> -0.0002; f -0.00001 -> 0.0000 (never -0.0000)
	# g 2 * 99999999999999999999 = 199999999999999999998, mean 99999999999999999999.0000
	jk -g k -k sum:v,mean:v "$FIX/precision.csv"
	same <<'EOF'
k,sum_v,sum_v_n,sum_v_missing,mean_v,mean_v_n,mean_v_missing
a,0.000000002,1,0,0.0000,1,0
b,0.000000002,1,0,0.0000,1,0
c,0.000000004,1,0,0.0000,1,0
d,0.0003,2,0,0.0002,2,0
e,-0.0003,2,0,-0.0002,2,0
f,-0.00001,1,0,0.0000,1,0
g,199999999999999999998,2,0,99999999999999999999.0000,2,0
EOF
}

@test "jkpi: one-column file; blank line skipped, \"\" is an empty value" {
	# v: 3, (blank line), "", 4 -> 3 records, values 3 and 4 (sum 7), 1 missing
	jk -k count,sum:v "$FIX/one.csv"
	same <<'EOF'
count,sum_v,sum_v_n,sum_v_missing
3,7,2,1
EOF
}

# ---------------------------------------------------------------- grouping

@test "jkpi: -g with two columns keeps first-seen order" {
	# rows: web/north 10, phone/south 2.5, web/south -0.25, email/north _, phone/north 7.75,
	#       web/north 4, web/south 1.5, phone/south 0.5
	jk -g channel,region -k count,sum:amount "$FIX/kpi.csv"
	same <<'EOF'
channel,region,count,sum_amount,sum_amount_n,sum_amount_missing
web,north,2,14,2,0
phone,south,2,3,2,0
web,south,2,1.25,2,0
email,north,1,0,0,1
phone,north,1,7.75,1,0
EOF
}

@test "jkpi: -s sorts groups column by column" {
	jk -s -g channel,region -k count,sum:amount "$FIX/kpi.csv"
	same <<'EOF'
channel,region,count,sum_amount,sum_amount_n,sum_amount_missing
email,north,1,0,0,1
phone,north,1,7.75,1,0
phone,south,2,3,2,0
web,north,2,14,2,0
web,south,2,1.25,2,0
EOF
	jk --sort -g region,channel -k count "$FIX/kpi.csv"
	same <<'EOF'
region,channel,count
north,email,1
north,phone,1
north,web,2
south,phone,2
south,web,2
EOF
}

@test "jkpi: group keys keep spaces, quotes, tabs and embedded newlines (golden keys.csv)" {
	# ' web' and 'web' are different groups; web = 1 + 8 = 9
	jk -g key -k count,sum:v "$FIX/keys.csv"
	golden keys.csv
}

@test "jkpi: -s sorts keys by bytes (' web' < 'a\\b' < 'caf\\xc3' < 'multi' < ... < 'x|y')" {
	jk -s -g key -k count,sum:v "$FIX/keys.csv"
	golden keys_sorted.csv
}

@test "jkpi: -g accepts #N ranges and /regex/, -x removes columns from the group set" {
	jk -g '#1-2' -k count "$FIX/kpi.csv"
	same <<'EOF'
channel,region,count
web,north,2
phone,south,2
web,south,2
email,north,1
phone,north,1
EOF
	jk -g '/^(CHANNEL|region)$/i' -x region -k count "$FIX/kpi.csv"
	same <<'EOF'
channel,count
web,4
phone,3
email,1
EOF
}

@test "jkpi: --per customer counts each customer once per group (first row)" {
	# web: c1 (row 1: 10; row 6 ignored), c3 -0.25, c5 1.5 -> count 3, sum 11.25
	# phone: c2 (row 2: 2.5; row 8 ignored), c4 7.75 -> count 2, sum 10.25
	# email: c1 with empty amount -> count 1, n 0, missing 1
	jk -g channel --per customer -k count,sum:amount "$FIX/kpi.csv"
	same <<'EOF'
channel,count,sum_amount,sum_amount_n,sum_amount_missing
web,3,11.25,3,0
phone,2,10.25,2,0
email,1,0,0,1
EOF
}

@test "jkpi: --per takes each KPI from the key's first row that has a value for it (count and distinct: the first row)" {
	# One support cell: c1 opens a ticket (no resolution_s, NPS 8), solves it (3600 s) and a
	# second one (60 s, NPS 10: both later than c1's first values, ignored); c2 only opens one;
	# c3 solves one (120 s, NPS 9). Per KPI, each customer's first row with a value:
	#   count 3 (customers); distinct:touchpoint on the first rows: opened (c1, c2), solved (c3) -> 2
	#   p50:resolution_s over c1 3600 and c3 120: h = 0.5 -> 120 + 0.5 * 3480 = 1860; n 2, missing 1 (c2)
	#   mean:nps over c1 8 and c3 9 -> 8.5; n 2, missing 1 (c2)
	printf 'stage,customer,touchpoint,resolution_s,nps\nsupport,c1,ticket_opened,,8\nsupport,c1,ticket_solved,3600,\nsupport,c1,ticket_solved,60,10\nsupport,c2,ticket_opened,,\nsupport,c3,ticket_solved,120,9\n' >"$T/t.csv"
	jk -g stage --per customer -k count,distinct:touchpoint,p50:resolution_s,mean:nps "$T/t.csv"
	same <<'EOF'
stage,count,distinct_touchpoint,distinct_touchpoint_missing,p50_resolution_s,p50_resolution_s_n,p50_resolution_s_missing,mean_nps,mean_nps_n,mean_nps_missing
support,3,2,0,1860,2,1,8.5000,2,1
EOF
	cp "$T/out" "$T/single"
	# partials split by customer merge to the same bytes
	head -5 "$T/t.csv" >"$T/a.csv"
	{ head -1 "$T/t.csv"; tail -1 "$T/t.csv"; } >"$T/b.csv"
	jk --partial -g stage --per customer -k count,distinct:touchpoint,p50:resolution_s,mean:nps "$T/a.csv"
	cp "$T/out" "$T/a.partial"
	grep -q '^1,option,,per_rows,first-with-value$' "$T/a.partial"
	jk --partial -g stage --per customer -k count,distinct:touchpoint,p50:resolution_s,mean:nps "$T/b.csv"
	cp "$T/out" "$T/b.partial"
	jk --merge "$T/b.partial" "$T/a.partial"
	same "$T/single" <"$T/out"
	# a --per partial of the jkpi before this rule (no per_rows option) is not mixed in
	grep -v per_rows "$T/a.partial" >"$T/old.partial"
	jkrc 1 --merge "$T/old.partial"
	err_is "jkpi: $T/old.partial:1: a partial with --per from an older jkpi (it took each key's first row for every KPI): make it again"
}

@test "jkpi: --per rejects a row with an empty per key (missing key)" {
	cd "$BATS_TEST_TMPDIR"
	printf 'channel,customer\nweb,c1\nweb,\nweb,c2\nweb,c1\n' >p.csv
	jkrc 0 --per customer --stats st.csv -g channel -k count p.csv
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 "jkpi: p.csv:3: column 'customer': empty --per key"
	assert_line --index 1 --regexp '^jkpi: 1 rows? rejected \(1 missing key\) \(use --rejects FILE to keep them\)$'
	assert_equal "${#lines[@]}" 2
	same <<'EOF'
channel,count
web,2
EOF
	run grep -x 'rejected:missing key,1' st.csv
	assert_success
}

# ---------------------------------------------------------------- time buckets
# times.csv (amounts are powers of two so each sum names its rows):
#  1 2024-12-29T23:30:00Z       day 2024-12-29 week 2024-W52 (Sunday)
#  2 2024-12-30 08:00           day 2024-12-30 week 2025-W01 (Monday of ISO week 1 of 2025)
#  4 2025-01-01T01:00:00+02:00  = 2024-12-31T23:00Z: day 2024-12-31, month 2024-12, year 2024, 2025-W01
#  8 2025-01-05T23:59:59.5Z     2025-01-05, 2025-W01 (Sunday)
# 16 2025-01-06                 2025-01-06, 2025-W02
# 32 2025-04-01T00:00:00-0100   = 2025-04-01T01:00Z, 2025-W14, 2025-Q2
# 64 2021-01-03T12:00:00Z       2020-W53
#128 (empty)                    empty key

@test "jkpi: week:time buckets are ISO weeks (2024-12-30 is 2025-W01, 2021-01-03 is 2020-W53)" {
	jk -g week:time -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
week_time,count,sum_amount,sum_amount_n,sum_amount_missing
2024-W52,1,1,1,0
2025-W01,3,14,3,0
2025-W02,1,16,1,0
2025-W14,1,32,1,0
2020-W53,1,64,1,0
,1,128,1,0
EOF
}

@test "jkpi: day:time buckets in UTC (offsets converted, naive = UTC)" {
	jk -g day:time -k sum:amount "$FIX/times.csv"
	same <<'EOF'
day_time,sum_amount,sum_amount_n,sum_amount_missing
2024-12-29,1,1,0
2024-12-30,2,1,0
2024-12-31,4,1,0
2025-01-05,8,1,0
2025-01-06,16,1,0
2025-04-01,32,1,0
2021-01-03,64,1,0
,128,1,0
EOF
}

@test "jkpi: month:time, quarter:time and year:time buckets" {
	jk -g month:time -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
month_time,count,sum_amount,sum_amount_n,sum_amount_missing
2024-12,3,7,3,0
2025-01,2,24,2,0
2025-04,1,32,1,0
2021-01,1,64,1,0
,1,128,1,0
EOF
	jk -g quarter:time -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
quarter_time,count,sum_amount,sum_amount_n,sum_amount_missing
2024-Q4,3,7,3,0
2025-Q1,2,24,2,0
2025-Q2,1,32,1,0
2021-Q1,1,64,1,0
,1,128,1,0
EOF
	jk -g year:time -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
year_time,count,sum_amount,sum_amount_n,sum_amount_missing
2024,3,7,3,0
2025,3,56,3,0
2021,1,64,1,0
,1,128,1,0
EOF
}

@test "jkpi: a time bucket and a column together, sorted (empty key first)" {
	jk -s -g month:time,channel -k count "$FIX/times.csv"
	same <<'EOF'
month_time,channel,count
,web,1
2021-01,phone,1
2024-12,phone,1
2024-12,web,2
2025-01,phone,1
2025-01,web,1
2025-04,web,1
EOF
}

@test "jkpi: an unreadable time in a bucket column is rejected as bad time" {
	cd "$FIX"
	jkrc 0 -g month:time -k sum:amount badtime.csv
	err_is "jkpi: badtime.csv:3: column 'time': 'yesterday' is not a time
jkpi: badtime.csv:4: column 'time': '2024-13-01' is not a time
jkpi: 2 rows rejected (2 bad time) (use --rejects FILE to keep them)"
	same <<'EOF'
month_time,sum_amount,sum_amount_n,sum_amount_missing
2024-01,9,2,0
EOF
}

@test "jkpi: --since/--until keep [since, until); empty time rejected; --stats counts skipped" {
	# kept: 2 (2024-12-30 08:00), 4 (2024-12-31T23:00Z), 8 (2025-01-05) = 14; 16 is at --until
	# (excluded); 1, 32, 64 skipped; the empty time is rejected
	jkrc 0 -q --stats "$BATS_TEST_TMPDIR/st.csv" --since 2024-12-30 --until 2025-01-06 \
		-k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
count,sum_amount,sum_amount_n,sum_amount_missing
3,14,3,0
EOF
	# -q with --stats: the counts are there, not on stderr
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output ''
	run cat "$BATS_TEST_TMPDIR/st.csv"
	assert_output "metric,value
program,jkpi
rows_in,8
rows_out,3
rows_skipped,4
rows_filtered,0
rows_rejected,1
headers_skipped,0
rejected:bad time,1"
}

@test "jkpi: --since/--until: an empty time is reported as such" {
	# 8 rows: the 2021 row is skipped, the empty time (line 9) rejected -> 6 counted
	cd "$FIX"
	jkrc 0 --since 2024-01-01 -k count times.csv
	err_is "jkpi: times.csv:9: column 'time': empty (needed by --since/--until)
jkpi: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	same <<'EOF'
count
6
EOF
}

@test "jkpi: --since with an offset, --until with a space and seconds" {
	# 2025-01-01T00:00+02:00 = 2024-12-31T22:00Z: keeps 4 (23:00Z), 8, 16, 32 = 60
	jkrc 0 -q --since '2025-01-01T00:00+02:00' -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
count,sum_amount,sum_amount_n,sum_amount_missing
4,60,4,0
EOF
	# before 2024-12-30 08:00:00 UTC: 1 (2024-12-29T23:30Z) and 64 (2021); 2 is exactly at the bound
	jkrc 0 -q --until '2024-12-30 08:00:00' -k count,sum:amount "$FIX/times.csv"
	same <<'EOF'
count,sum_amount,sum_amount_n,sum_amount_missing
2,65,2,0
EOF
}

# ---------------------------------------------------------------- pivot
# kpi.csv counts: north: web 2, phone 1, email 1; south: phone 2, web 2

@test "jkpi: --pivot spreads values into columns in first-seen order, empty cell when no rows" {
	jk -g region --pivot channel -k count "$FIX/kpi.csv"
	same <<'EOF'
region,web,phone,email
north,2,1,1
south,2,2,
EOF
}

@test "jkpi: --pivot-order sorted" {
	jk -g region --pivot channel --pivot-order sorted -k count "$FIX/kpi.csv"
	same <<'EOF'
region,email,phone,web
north,1,1,2
south,,2,2
EOF
}

@test "jkpi: --pivot-order LIST: listed first (even unseen), the rest first-seen" {
	jk -g region --pivot channel --pivot-order phone,sms -k count "$FIX/kpi.csv"
	same <<'EOF'
region,phone,sms,web,email
north,1,,2,1
south,2,,2,
EOF
}

@test "jkpi: --pivot without -g holds the KPI's main figure (mean, empty when n=0)" {
	# mean amount: web 15.25/4 = 3.8125, phone 10.75/3 = 3.5833, email n=0
	jk --pivot channel -k mean:amount "$FIX/kpi.csv"
	same <<'EOF'
web,phone,email
3.8125,3.5833,
EOF
}

@test "jkpi: a record that is one empty field is written \"\"" {
	# only group email, whose amount is empty: the pivot row is a single empty mean
	printf 'channel,amount\nemail,\n' >"$BATS_TEST_TMPDIR/e.csv"
	jk --pivot channel -k mean:amount "$BATS_TEST_TMPDIR/e.csv"
	same <<'EOF'
email
""
EOF
}

@test "jkpi: -s compares column by column, a shorter key first" {
	printf 'k,l\nab,a\nb,a\na,z\naa,a\na,y\n' >"$BATS_TEST_TMPDIR/s.csv"
	jk -s -g k,l -k count "$BATS_TEST_TMPDIR/s.csv"
	same <<'EOF'
k,l,count
a,y,1
a,z,1
aa,a,1
ab,a,1
b,a,1
EOF
}

# ---------------------------------------------------------------- formats

@test "jkpi: --format tsv escapes backslash, tab and newline (golden keys.tsv)" {
	jk --format tsv -g key -k count,sum:v "$FIX/keys.csv"
	golden keys.tsv
}

@test "jkpi: --format json (golden kpi_channel.json; empty figure is null)" {
	jk --format json -g channel -k count,sum:amount,mean:amount,min:amount "$FIX/kpi.csv"
	golden kpi_channel.json
}

@test "jkpi: --format json keeps group keys as JSON strings" {
	command -v python3 >/dev/null || skip "python3 not installed"
	jk --format json -g key -k count,sum:v "$FIX/keys.csv"
	run python3 -c '
import json, sys
got = json.load(open(sys.argv[1], encoding="utf-8"))
want = [("web", 2, 9), (" web", 1, 2), ("multi\nline", 1, 3), ("a\\b", 1, 4),
        ("tab\there", 1, 5), ("say \"hi\"", 1, 6), ("x|y", 1, 7), ("caf\u00e9", 1, 9)]
have = [(o["key"], o["count"], o["sum_v"]) for o in got]
assert all(isinstance(o["key"], str) for o in got)
if have != want:
    print("got ", have); print("want", want); sys.exit(1)
' "$BATS_TEST_TMPDIR/out"
	assert_success
}

@test "jkpi: --format json of empty input without groups is []" {
	run --separate-stderr jkpi --format json -k count </dev/null
	assert_success
	assert_output '[]'
	assert_equal "$stderr" ""
}

@test "jkpi: --format md: aligned GitHub table, | escaped, newline as space" {
	jk --format md -g key -k count,sum:v "$FIX/keys.csv"
	run awk 'END { print NR }' "$BATS_TEST_TMPDIR/out"
	assert_output 10 # header, separator, 8 groups
	run sed -n 1p "$BATS_TEST_TMPDIR/out"
	assert_output --regexp '^\| key +\| count +\| sum_v +\| sum_v_n +\| sum_v_missing +\|$'
	run sed -n 2p "$BATS_TEST_TMPDIR/out"
	assert_output --regexp '^\| *:?-{3,} *\|( *-{3,}: *\|){4}$'
	run grep -c -F 'x\|y' "$BATS_TEST_TMPDIR/out"
	assert_output 1
	run grep -c '| multi line ' "$BATS_TEST_TMPDIR/out"
	assert_output 1
	# padded to column width in code points: every row as long as the header
	# (cafe-acute counts as 4; the tab inside 'tab\there' is one code point)
	run env LC_ALL=C.UTF-8 bash -c 'n=0 w=
		while IFS= read -r l; do
			n=$((n + 1)); [ "$n" -ne 2 ] || continue
			[ -n "$w" ] || w=${#l}
			[ "${#l}" -eq "$w" ] || echo "line $n: ${#l} code points, header has $w"
		done <"$1"' _ "$BATS_TEST_TMPDIR/out"
	assert_output ''
}

@test "jkpi: --format md escapes < > & as entities and | as \\|, so a label opens no tag on a wiki page" {
	printf 'g,v\n"<script>alert(1)</script>",1\n"<img src=x onerror=alert(2)>",2\n"a&amp;b|c",3\n' >"$T/h.csv"
	jk -g g -k '<b>=sum:v' --format md "$T/h.csv"
	same <<'EOF'
| g                                     | &lt;b&gt; | &lt;b&gt;_n | &lt;b&gt;_missing |
| ------------------------------------- | --------: | ----------: | ----------------: |
| &lt;script&gt;alert(1)&lt;/script&gt; |         1 |           1 |                 0 |
| &lt;img src=x onerror=alert(2)&gt;    |         2 |           1 |                 0 |
| a&amp;amp;b\|c                        |         3 |           1 |                 0 |
EOF
	run grep -c '[<>]' "$T/out"
	assert_output 0
}

# ---------------------------------------------------------------- input edge cases

@test "jkpi: empty input (0 bytes) prints nothing and exits 0" {
	jk -k count "$FIX/empty.csv"
	empty_out
	jk -g channel -k count,sum:amount </dev/null
	empty_out
}

@test "jkpi: header-only input: one zero row without -g, header line only with -g" {
	jk -k count,mean:amount "$FIX/header_only.csv"
	same <<'EOF'
count,mean_amount,mean_amount_n,mean_amount_missing
0,,0,0
EOF
	jk -g channel -k count,mean:amount "$FIX/header_only.csv"
	same <<'EOF'
channel,count,mean_amount,mean_amount_n,mean_amount_missing
EOF
}

@test "jkpi: header-only input in json is [] and in md the header and separator rows" {
	jk --format json -g channel -k count "$FIX/header_only.csv"
	same <<'EOF'
[]
EOF
	jk --format md -g channel -k count "$FIX/header_only.csv"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp '^\| channel +\| count +\|$'
	assert_line --index 1 --regexp '^\| *:?-{3,} *\| *-{3,}: *\|$'
}

@test "jkpi: CRLF input gives the same bytes as LF input" {
	jk -g channel -k "$KPI_ALL" "$FIX/kpi_crlf.csv"
	golden kpi_by_channel.csv
}

@test "jkpi: a UTF-8 BOM is dropped, from a file and from stdin" {
	# web 1.5 + 3 = 4.5, phone 2
	jk -g channel -k sum:amount "$FIX/bom.csv"
	same <<'EOF'
channel,sum_amount,sum_amount_n,sum_amount_missing
web,4.5,2,0
phone,2,1,0
EOF
	jk -g channel -k sum:amount <"$FIX/bom.csv"
	same <<'EOF'
channel,sum_amount,sum_amount_n,sum_amount_missing
web,4.5,2,0
phone,2,1,0
EOF
}

@test "jkpi: -d ';' reads semicolons and writes commas with minimal quoting" {
	# web 2.5 + 0.5 = 3; 'a;b' needs no quotes in the comma output, 'c,d' does
	jk -d ';' -g channel -k sum:amount "$FIX/semi.csv"
	same <<'EOF'
channel,sum_amount,sum_amount_n,sum_amount_missing
web,3,2,0
a;b,1,1,0
"c,d",4,1,0
EOF
}

@test "jkpi: -t, -d tab and -d '\\t' read tab-separated input" {
	local args
	for args in "-t" "-d tab" "-d \\t" "--tabs" "--delimiter=tab"; do
		# shellcheck disable=SC2086
		jk $args -g channel -k sum:amount "$FIX/tabs.tsv"
		same <<'EOF'
channel,sum_amount,sum_amount_n,sum_amount_missing
web,3,2,0
phone,1,1,0
EOF
	done
}

@test "jkpi: -n: no header, columns named by number" {
	# web 1.5 + 3 = 4.5, phone 2
	jk -n -g '#1' -k sum:#3 "$FIX/noheader.csv"
	same <<'EOF'
1,sum_3,sum_3_n,sum_3_missing
web,4.5,2,0
phone,2,1,0
EOF
	jk --no-header -k count "$FIX/noheader.csv"
	same <<'EOF'
count
3
EOF
}

@test "jkpi: several files with the same header are read as one stream" {
	# part_a: web 1; part_b: phone 2, web 4 -> web 5 (2 rows), phone 2
	jk -g channel -k count,sum:amount "$FIX/part_a.csv" "$FIX/part_b.csv"
	same <<'EOF'
channel,count,sum_amount,sum_amount_n,sum_amount_missing
web,2,5,2,0
phone,1,2,1,0
EOF
}

@test "jkpi: line numbers restart in each file; - is stdin" {
	cd "$BATS_TEST_TMPDIR"
	printf 'channel,amount\nweb,x\n' >b.csv
	jkrc 0 -g channel -k sum:amount --max-rejects 100% "$FIX/part_b.csv" b.csv - <"$FIX/part_a.csv"
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 "jkpi: b.csv:2: column 'amount': 'x' is not a number"
	assert_line --index 1 --regexp '^jkpi: 1 rows? rejected \(1 not a number\) \(use --rejects FILE to keep them\)$'
	assert_equal "${#lines[@]}" 2
	same <<'EOF'
channel,sum_amount,sum_amount_n,sum_amount_missing
phone,2,1,0
web,5,2,0
EOF
}

# ---------------------------------------------------------------- column errors

@test "jkpi: unknown column lists the columns and suggests a close name" {
	cd "$FIX"
	jkrc 1 -k sum:amout kpi.csv
	err_is "jkpi: kpi.csv:1: no column named 'amout' (columns: channel, region, customer, amount, handle_s); did you mean 'amount'?"
	empty_out
	jkrc 1 -g chanel -k count - <kpi.csv
	err_is "jkpi: <stdin>:1: no column named 'chanel' (columns: channel, region, customer, amount, handle_s); did you mean 'channel'?"
	empty_out
}

@test "jkpi: unknown column far from every name: no suggestion" {
	cd "$FIX"
	jkrc 1 -k count,sum:zzz kpi.csv
	err_is "jkpi: kpi.csv:1: no column named 'zzz' (columns: channel, region, customer, amount, handle_s)"
	empty_out
}

@test "jkpi: duplicate column names are ambiguous by name, #N works" {
	cd "$FIX"
	jkrc 1 -g id -k count dup.csv
	err_is "jkpi: dup.csv:1: column name 'id' is ambiguous (columns #1 and #4); use #1 or #4"
	empty_out
	# #4: 9 -> rows 1,2 (v 2+3 = 5), 8 -> row 3 (v 4)
	jk -g '#4' -k count,sum:v dup.csv
	same <<'EOF'
id,count,sum_v,sum_v_n,sum_v_missing
9,2,5,2,0
8,1,4,1,0
EOF
}

# ---------------------------------------------------------------- bad rows
# bad.csv: line 3 amount n/a, line 4 nps 11, line 5 nps 7.5, line 6 amount 1e3x;
# lines 2 and 7 are good: amount 10 + 2 = 12; nps 9 and 8 -> P1 Pa1 n2 = 50.00,
# n'=5 p'=.35 d'=.15 c=.2 var=.46 -> .2 +- .5945 -> -39.45 .. 79.45

BAD_OUT='count,sum_amount,sum_amount_n,sum_amount_missing,nps_nps,nps_nps_lo,nps_nps_hi,nps_nps_promoters,nps_nps_passives,nps_nps_detractors,nps_nps_n,nps_nps_missing
2,12,2,0,50.00,-39.45,79.45,1,1,0,2,0'

@test "jkpi: bad values are rejected with file:line reasons and a summary" {
	cd "$FIX"
	jkrc 0 -k count,sum:amount,nps:nps bad.csv
	err_is "jkpi: bad.csv:3: column 'amount': 'n/a' is not a number
jkpi: bad.csv:4: column 'nps': nps '11' is not in 0-10
jkpi: bad.csv:5: column 'nps': nps '7.5' is not a whole number in 0-10
jkpi: bad.csv:6: column 'amount': '1e3x' is not a number
jkpi: 4 rows rejected (2 not a number, 2 out of range) (use --rejects FILE to keep them)"
	same <<<"$BAD_OUT"
}

@test "jkpi: -q drops the per-row lines but keeps the summary" {
	cd "$FIX"
	jkrc 0 -q -k count,sum:amount,nps:nps bad.csv
	err_is "jkpi: 4 rows rejected (2 not a number, 2 out of range) (use --rejects FILE to keep them)"
	same <<<"$BAD_OUT"
	jkrc 0 --quiet -k count,sum:amount,nps:nps bad.csv
	err_is "jkpi: 4 rows rejected (2 not a number, 2 out of range) (use --rejects FILE to keep them)"
}

@test "jkpi: only the first 5 rejected rows get their own line" {
	cd "$BATS_TEST_TMPDIR"
	awk 'BEGIN { print "v"; for (i = 1; i <= 7; i++) print "x" i; print "5" }' >seven.csv
	jkrc 0 -k sum:v seven.csv
	err_is "jkpi: seven.csv:2: column 'v': 'x1' is not a number
jkpi: seven.csv:3: column 'v': 'x2' is not a number
jkpi: seven.csv:4: column 'v': 'x3' is not a number
jkpi: seven.csv:5: column 'v': 'x4' is not a number
jkpi: seven.csv:6: column 'v': 'x5' is not a number
jkpi: 7 rows rejected (7 not a number) (use --rejects FILE to keep them)"
	same <<'EOF'
sum_v,sum_v_n,sum_v_missing
5,1,0
EOF
}

@test "jkpi: --rejects writes the rejected rows with file, line and reason" {
	cd "$BATS_TEST_TMPDIR"
	cp "$FIX/bad.csv" .
	jkrc 0 --rejects rej.csv -k count,sum:amount,nps:nps bad.csv
	same <<<"$BAD_OUT"
	run tail -n 1 "$BATS_TEST_TMPDIR/err"
	assert_output "jkpi: 4 rows rejected (2 not a number, 2 out of range) (see rej.csv)"
	run diff -u - rej.csv <<'EOF'
channel,amount,nps,reject_file,reject_line,reject_reason
web,n/a,10,bad.csv,3,column 'amount': 'n/a' is not a number
phone,5,11,bad.csv,4,column 'nps': nps '11' is not in 0-10
phone,,7.5,bad.csv,5,column 'nps': nps '7.5' is not a whole number in 0-10
email,1e3x,9,bad.csv,6,column 'amount': '1e3x' is not a number
EOF
	assert_success
}

@test "jkpi: --strict stops at the first rejected row with exit 1" {
	cd "$FIX"
	jkrc 1 --strict -k count,sum:amount,nps:nps bad.csv
	empty_out
	run head -n 1 "$BATS_TEST_TMPDIR/err"
	assert_output "jkpi: bad.csv:3: column 'amount': 'n/a' is not a number"
}

@test "jkpi: --max-rejects N: exit 1 only when more than N rows were rejected" {
	cd "$FIX"
	jkrc 0 --max-rejects 4 -q -k count,sum:amount,nps:nps bad.csv
	same <<<"$BAD_OUT"
	jkrc 1 --max-rejects 3 -q -k count,sum:amount,nps:nps bad.csv
	empty_out
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --regexp '^jkpi: '
}

@test "jkpi: --max-rejects P%: 4 of 6 rows = 66.7%" {
	cd "$FIX"
	jkrc 0 --max-rejects 67% -q -k count,sum:amount,nps:nps bad.csv
	same <<<"$BAD_OUT"
	jkrc 1 --max-rejects 66% -q -k count,sum:amount,nps:nps bad.csv
	empty_out
}

@test "jkpi: --max-rejects exceeded with -o writes no file" {
	cd "$BATS_TEST_TMPDIR"
	jkrc 1 --max-rejects 1 -q -o out.csv -k count,sum:amount,nps:nps "$FIX/bad.csv"
	empty_out
	run ls -A
	assert_output $'err\nout' # only the test's own capture files
}

@test "jkpi: --stats writes metric,value rows (reasons sorted)" {
	jkrc 0 -q --stats "$BATS_TEST_TMPDIR/st.csv" -k count,sum:amount,nps:nps "$FIX/bad.csv"
	run diff -u - "$BATS_TEST_TMPDIR/st.csv" <<'EOF'
metric,value
program,jkpi
rows_in,6
rows_out,2
rows_skipped,0
rows_filtered,0
rows_rejected,4
headers_skipped,0
rejected:not a number,2
rejected:out of range,2
EOF
	assert_success
	jk --stats "$BATS_TEST_TMPDIR/st2.csv" -k count "$FIX/kpi.csv"
	run diff -u - "$BATS_TEST_TMPDIR/st2.csv" <<'EOF'
metric,value
program,jkpi
rows_in,8
rows_out,8
rows_skipped,0
rows_filtered,0
rows_rejected,0
headers_skipped,0
EOF
	assert_success
}

@test "jkpi: ragged rows are rejected (field count) without --ragged" {
	cd "$FIX"
	jkrc 0 -g a -k sum:c ragged.csv
	err_is "jkpi: ragged.csv:3: expected 3 fields, found 2 (use --ragged to pad short rows)
jkpi: ragged.csv:4: expected 3 fields, found 4
jkpi: 2 rows rejected (2 field count) (use --rejects FILE to keep them)"
	# x: 2 + 8 = 10
	same <<'EOF'
a,sum_c,sum_c_n,sum_c_missing
x,10,2,0
EOF
}

@test "jkpi: --ragged pads short rows, long rows are still rejected" {
	cd "$FIX"
	jkrc 0 --ragged -g a -k sum:c ragged.csv
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --index 0 "jkpi: ragged.csv:4: expected 3 fields, found 4"
	assert_line --index 1 --regexp '^jkpi: 1 rows? rejected \(1 field count\)'
	# y is padded: c empty -> missing
	same <<'EOF'
a,sum_c,sum_c_n,sum_c_missing
x,10,2,0
y,0,0,1
EOF
}

# ---------------------------------------------------------------- stream errors

@test "jkpi: unterminated quote stops with the record's line and the quote's line" {
	cd "$FIX"
	jkrc 1 -k count unterminated.csv
	err_is "jkpi: unterminated.csv:3: unterminated quoted field (opened on line 4)"
	empty_out
}

@test "jkpi: a stray quote is an error unless --lazy-quotes" {
	cd "$FIX"
	jkrc 1 -g a -k count badquote.csv
	err_is "jkpi: badquote.csv:3: bad quote (use --lazy-quotes to accept stray quotes)"
	empty_out
	jk --lazy-quotes -g a -k count badquote.csv
	same <<'EOF'
a,count
1,1
"x""y",1
EOF
}

@test "jkpi: a missing file is exit 1 with the system message" {
	cd "$BATS_TEST_TMPDIR"
	jkrc 1 -k count nope.csv
	err_is "jkpi: nope.csv: No such file or directory"
	empty_out
}

@test "jkpi: a second file with another header stops the run" {
	cd "$FIX"
	jkrc 1 -k count part_a.csv part_c.csv
	err_is "jkpi: part_c.csv:1: header differs from part_a.csv"
	empty_out
}

@test "jkpi: UTF-16 input without --encoding stops with a hint to --encoding" {
	cd "$BATS_TEST_TMPDIR"
	printf '\377\376a\000,\000b\000\n\000' >u16.csv
	jkrc 1 -k count u16.csv
	err_is "jkpi: u16.csv:1: UTF-16 input (use --encoding auto, or --encoding UTF-16)"
	empty_out
}

# ---------------------------------------------------------------- usage errors

@test "jkpi: usage errors exit 2 before reading input, nothing on stdout" {
	local -a cases=(
		"--bogus -k count"
		"-k bogus:amount"
		"-k sum"
		"-k p101:amount"
		"-k count -g /(ab/"
		"-k count --since yesterday"
		"-k count --until 2024-13-45"
		"-k count --since 2024-01-01T25:00"
		"--pivot channel -k count,sum:amount"
		"--pivot channel -k count -k sum:amount"
		"-k count --format xml"
		"-k count --csat maybe"
		"-k count --max-rejects lots"
		"-k count --max-rejects 5x"
		"-k count -d ab"
		"-g channel"
		"-k count --pivot-order sorted"
		"-k count -x region"
		"-k sum:#4-5"
		"-k sum:/amount/"
	)
	local c
	for c in "${cases[@]}"; do
		# shellcheck disable=SC2086
		run --separate-stderr jkpi $c "$FIX/kpi.csv"
		[ "$status" -eq 2 ] || { echo "jkpi $c: exit $status, expected 2 ($stderr)" >&2; return 1; }
		[ -z "$output" ] || { echo "jkpi $c: stdout not empty: $output" >&2; return 1; }
		[[ $stderr == jkpi:* ]] || { echo "jkpi $c: stderr does not start with 'jkpi:': $stderr" >&2; return 1; }
		# input is not read: the same options with a missing file are still a usage error
		# shellcheck disable=SC2086
		run --separate-stderr jkpi $c "$BATS_TEST_TMPDIR/nope.csv"
		[ "$status" -eq 2 ] || { echo "jkpi $c nope.csv: exit $status, expected 2" >&2; return 1; }
	done
}

# ---------------------------------------------------------------- output

@test "jkpi: > /dev/full is exit 1 with a write error" {
	run --separate-stderr bash -c 'jkpi -g channel -k count "$1" >/dev/full' _ "$FIX/kpi.csv"
	assert_failure 1
	assert_equal "$stderr" "jkpi: write error: No space left on device"
}

@test "jkpi: a closed pipe ends quietly (200000 groups | head -1)" {
	awk 'BEGIN { print "id,v"; for (i = 1; i <= 200000; i++) print "k" i "," i }' >"$BATS_TEST_TMPDIR/big.csv"
	run --separate-stderr bash -c 'jkpi -g id -k count,sum:v "$1" | head -n 1' _ "$BATS_TEST_TMPDIR/big.csv"
	assert_success
	assert_output 'id,count,sum_v,sum_v_n,sum_v_missing'
	assert_equal "$stderr" ""
}

@test "jkpi: -o writes the file, nothing on stdout, mode 0666 & ~umask" {
	mkdir "$BATS_TEST_TMPDIR/w"
	cd "$BATS_TEST_TMPDIR/w"
	umask 022
	run --separate-stderr jkpi -g channel -k count -o res.csv "$FIX/kpi.csv"
	assert_success
	assert_output ''
	assert_equal "$stderr" ""
	run cat res.csv
	assert_output "channel,count
web,4
phone,3
email,1"
	run stat -c %a res.csv
	assert_output 644
	run ls -A
	assert_output res.csv
}

@test "jkpi: -o over an existing file keeps its mode" {
	cd "$BATS_TEST_TMPDIR"
	echo old >res.csv
	chmod 600 res.csv
	run --separate-stderr jkpi -k count --output res.csv "$FIX/kpi.csv"
	assert_success
	assert_equal "$stderr" ""
	run cat res.csv
	assert_output $'count\n8'
	run stat -c %a res.csv
	assert_output 600
}

@test "jkpi: -o into a missing folder is exit 1 with a message" {
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr jkpi -k count -o nodir/res.csv "$FIX/kpi.csv"
	assert_failure 1
	assert_output ''
	assert_regex "$stderr" '^jkpi: .*nodir.*: No such file or directory$'
	[ ! -e nodir ]
}

# interrupted SIG [precontent]: start jkpi -o res.csv on a FIFO, feed a little,
# send SIG while it waits for more input, check nothing is left behind.
interrupted() {
	local sig=$1 pre=${2-} pid rc=0
	cd "$BATS_TEST_TMPDIR"
	mkdir w
	if [ -n "$pre" ]; then printf '%s\n' "$pre" >w/res.csv; fi
	mkfifo in.fifo
	# fd 3 belongs to bats; the FIFO is held on fd 8, read-write so the open never blocks
	exec 8<>in.fifo
	# env resets SIGINT, which the shell ignores in background jobs
	env --default-signal=INT "$REPO/bin/jkpi" -g a -k count -o w/res.csv in.fifo 2>err.txt 3>&- 8>&- &
	pid=$!
	printf 'a\nx\ny\n' >&8
	sleep 0.3
	if ! kill -0 "$pid" 2>/dev/null; then
		exec 8>&-
		echo "jkpi exited before the signal: $(cat err.txt)" >&2
		return 1
	fi
	kill -"$sig" "$pid"
	wait "$pid" || rc=$?
	exec 8>&-
	[ "$rc" -ne 0 ] || { echo "exit status 0 after SIG$sig" >&2; return 1; }
	run ls -A w
	if [ -n "$pre" ]; then
		assert_output res.csv
		run cat w/res.csv
		assert_output "$pre"
	else
		assert_output ''
	fi
}

@test "jkpi: -o interrupted by SIGTERM leaves neither the target nor a temp file" {
	interrupted TERM
}

@test "jkpi: -o interrupted by SIGINT leaves neither the target nor a temp file" {
	interrupted INT
}

@test "jkpi: -o interrupted by SIGTERM leaves an existing target untouched" {
	interrupted TERM "old,content"
}

# ---------------------------------------------------------------- --partial / --merge

# split_rows FILE K PREFIX: PREFIX1.csv .. PREFIXK.csv, contiguous data rows, header on each
split_rows() {
	awk -v k="$2" -v pre="$3" '
		NR == 1 { h = $0; next }
		{ r[++n] = $0 }
		END {
			for (i = 1; i <= k; i++) {
				out = pre i ".csv"; print h > out
				for (j = int((i - 1) * n / k) + 1; j <= int(i * n / k); j++) print r[j] > out
				close(out)
			}
		}' "$1"
}

# merge_check FILE K ARGS...: -s single run == --merge -s of K partials (in order,
# reversed-rotated, and as one concatenated stream on stdin)
merge_check() {
	local f=$1 k=$2 i
	shift 2
	local t="$BATS_TEST_TMPDIR/m$k"
	mkdir -p "$t"
	split_rows "$f" "$k" "$t/part"
	jk -s "$@" "$f"
	cp "$BATS_TEST_TMPDIR/out" "$t/single.csv"
	[ -s "$t/single.csv" ]
	local -a parts=()
	for ((i = 1; i <= k; i++)); do
		jk --partial "$@" "$t/part$i.csv"
		cp "$BATS_TEST_TMPDIR/out" "$t/p$i"
		parts+=("$t/p$i")
	done
	jk --merge -s "${parts[@]}"
	run diff -u "$t/single.csv" "$BATS_TEST_TMPDIR/out"
	assert_success
	# order independence: last part first
	jk --merge -s "${parts[@]:k-1}" "${parts[@]:0:k-1}"
	run diff -u "$t/single.csv" "$BATS_TEST_TMPDIR/out"
	assert_success
	# one concatenated stream (repeated header lines inside)
	cat "${parts[@]}" | jk --merge -s
	run diff -u "$t/single.csv" "$BATS_TEST_TMPDIR/out"
	assert_success
}

MERGE_KPI_A=(-g channel -k count,distinct:customer,sum:amount,mean:amount,min:amount,max:amount,mean:handle_s)
MERGE_KPI_B=(-g channel -k nps:nps,csat:csat,ces:ces,rate:converted)

@test "jkpi: --partial writes versioned CSV state (group columns between type and name)" {
	# man page: header jkpi_partial,type,<group columns>,name,value; version 1 on every row
	jk --partial "${MERGE_KPI_A[@]}" "$FIX/kpi.csv"
	run head -n 1 "$BATS_TEST_TMPDIR/out"
	assert_output 'jkpi_partial,type,channel,name,value'
	run awk 'NR > 1 && !/^1,/' "$BATS_TEST_TMPDIR/out"
	assert_output ''
	run awk 'END { print (NR > 1) }' "$BATS_TEST_TMPDIR/out"
	assert_output 1
	jk --partial -k count,sum:amount "$FIX/kpi.csv"
	run head -n 1 "$BATS_TEST_TMPDIR/out"
	assert_output 'jkpi_partial,type,name,value'
	run awk 'NR > 1 && !/^1,/' "$BATS_TEST_TMPDIR/out"
	assert_output ''
}

@test "jkpi: --merge of 2 and 3 partials == single run (count, distinct, sum, mean, min, max)" {
	merge_check "$FIX/kpi.csv" 2 "${MERGE_KPI_A[@]}"
	merge_check "$FIX/kpi.csv" 3 "${MERGE_KPI_A[@]}"
	# the merged figures are the hand-computed ones (golden rows, sorted: email, phone, web)
	jk --merge -s "$BATS_TEST_TMPDIR"/m3/p[123]
	same <<'EOF'
channel,count,distinct_customer,distinct_customer_missing,sum_amount,sum_amount_n,sum_amount_missing,mean_amount,mean_amount_n,mean_amount_missing,min_amount,min_amount_n,min_amount_missing,max_amount,max_amount_n,max_amount_missing,mean_handle_s,mean_handle_s_n,mean_handle_s_missing
email,1,1,0,0,0,1,,0,1,,0,1,,0,1,,0,1
phone,3,2,0,10.75,3,0,3.5833,3,0,0.5,3,0,7.75,3,0,77,3,0
web,4,3,0,15.25,4,0,3.8125,4,0,-0.25,4,0,10,4,0,39,4,0
EOF
}

@test "jkpi: --merge of 2 and 3 partials == single run (nps, csat, ces, rate)" {
	merge_check "$FIX/survey.csv" 2 "${MERGE_KPI_B[@]}"
	merge_check "$FIX/survey.csv" 3 "${MERGE_KPI_B[@]}"
	merge_check "$FIX/survey.csv" 3 -k nps:nps,csat:csat,ces:ces,rate:converted
}

@test "jkpi: --merge == single run with time buckets, renamed KPIs and --csat good-bad" {
	merge_check "$FIX/times.csv" 3 -g month:time,channel -k n=count,total=sum:amount
	merge_check "$FIX/kpi.csv" 2 -g region -k n=count,total=sum:amount,d=distinct:channel
	merge_check "$FIX/csat_words.csv" 3 --csat good-bad -g team -k csat:csat
}

@test "jkpi: --merge with a header-only partial and with --format json / -o" {
	# 9 parts of 8 rows: part 1 is header only
	merge_check "$FIX/kpi.csv" 9 "${MERGE_KPI_A[@]}"
	local t="$BATS_TEST_TMPDIR/m9"
	jk -s --format json "${MERGE_KPI_A[@]}" "$FIX/kpi.csv"
	cp "$BATS_TEST_TMPDIR/out" "$t/single.json"
	jk --merge -s --format json -o "$t/merged.json" "$t"/p[1-9]
	empty_out
	run diff -u "$t/single.json" "$t/merged.json"
	assert_success
}

@test "jkpi: --merge with --per: split by customer is exact, overlap is an error" {
	local t="$BATS_TEST_TMPDIR"
	awk -F, -v t="$t" 'NR == 1 { print > (t "/c1.csv"); print > (t "/c2.csv"); next }
		{ print > (t "/" ($3 <= "c2" ? "c1" : "c2") ".csv") }' "$FIX/kpi.csv"
	jk -s -g channel --per customer -k count,sum:amount "$FIX/kpi.csv"
	cp "$t/out" "$t/single.csv"
	jk --partial -g channel --per customer -k count,sum:amount "$t/c1.csv"
	cp "$t/out" "$t/q1"
	jk --partial -g channel --per customer -k count,sum:amount "$t/c2.csv"
	cp "$t/out" "$t/q2"
	jk --merge -s "$t/q2" "$t/q1"
	run diff -u "$t/single.csv" "$t/out"
	assert_success
	# rows 1-4 and 5-8: c1 is in group web in both halves
	split_rows "$FIX/kpi.csv" 2 "$t/h"
	jk --partial -g channel --per customer -k count,sum:amount "$t/h1.csv"
	cp "$t/out" "$t/r1"
	jk --partial -g channel --per customer -k count,sum:amount "$t/h2.csv"
	cp "$t/out" "$t/r2"
	jkrc 1 --merge -s "$t/r1" "$t/r2"
	empty_out
	run cat "$t/err"
	assert_output --regexp '^jkpi: '
}

@test "jkpi: --merge refuses partials made with different options" {
	jk --partial -g channel -k count "$FIX/kpi.csv"
	cp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/a.partial"
	jk --partial -g region -k count "$FIX/kpi.csv"
	cp "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/b.partial"
	jkrc 1 --merge "$BATS_TEST_TMPDIR/a.partial" "$BATS_TEST_TMPDIR/b.partial"
	empty_out
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --regexp '^jkpi: '
}

@test "jkpi: quantiles: exact in one run, within 1% after --merge (20000 values)" {
	local t="$BATS_TEST_TMPDIR"
	# lognormal-ish positive values: exp(3 + 0.8 z), z from Box-Muller
	awk 'BEGIN { srand(7); print "x";
		for (i = 0; i < 20000; i++) {
			u1 = rand(); u2 = rand(); if (u1 < 1e-12) u1 = 1e-12
			z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2)
			printf "%.6f\n", exp(3 + 0.8 * z)
		} }' >"$t/q.csv"
	# exact type-7 quantiles: h = (n-1) p, x[lo] + (h-lo) (x[lo+1]-x[lo]) (1-based +1)
	tail -n +2 "$t/q.csv" | sort -g | awk '{ a[NR] = $1 } END {
		split("50 90", ps, " ")
		for (k = 1; k <= 2; k++) {
			h = (NR - 1) * ps[k] / 100; lo = int(h)
			printf "%.6f\n", a[lo + 1] + (h - lo) * (a[lo + 2] - a[lo + 1])
		} }' >"$t/exact"
	local e50 e90
	e50=$(sed -n 1p "$t/exact")
	e90=$(sed -n 2p "$t/exact")
	jk -k median:x,p90:x "$t/q.csv"
	run sed -n 1p "$t/out"
	assert_output 'median_x,median_x_n,median_x_missing,p90_x,p90_x_n,p90_x_missing'
	run awk -F, -v e50="$e50" -v e90="$e90" 'NR == 2 {
		d50 = $1 - e50; d90 = $4 - e90; if (d50 < 0) d50 = -d50; if (d90 < 0) d90 = -d90
		if (d50 > 0.00006 || d90 > 0.00006 || $2 != 20000 || $5 != 20000 || $3 != 0 || $6 != 0)
			print "single run " $0 " exact " e50 " " e90 }' "$t/out"
	assert_output ''
	split_rows "$t/q.csv" 3 "$t/part"
	local i
	for i in 1 2 3; do
		jk --partial -k median:x,p90:x "$t/part$i.csv"
		cp "$t/out" "$t/p$i"
	done
	jk --merge "$t/p2" "$t/p3" "$t/p1"
	run awk -F, -v e50="$e50" -v e90="$e90" 'NR == 2 {
		r50 = ($1 - e50) / e50; r90 = ($4 - e90) / e90; if (r50 < 0) r50 = -r50; if (r90 < 0) r90 = -r90
		if (r50 > 0.01 || r90 > 0.01 || $2 != 20000 || $5 != 20000 || $3 != 0 || $6 != 0)
			print "merged " $0 " exact " e50 " " e90 }' "$t/out"
	assert_output ''
	run awk 'END { print NR }' "$t/out"
	assert_output 2
}

# ---------------------------------------------------------------- real data

@test "jkpi: real NPS verbatims by journey stage match an independent count" {
	need_shared
	local f="$SHARED/nps-verbatims-journey-stage/verbatim_nps.csv"
	# SURVEY_SUB_TYPE (2) and NPS_SCORE (4) come before the free-text column and are never
	# quoted, so a plain comma split is exact for them.
	awk -F, 'NR == 1 { next }
		{ g = $2; if (!(g in n) && !(g in miss)) order[++k] = g
		  if ($4 == "") { miss[g]++; next }
		  n[g]++; if ($4 >= 9) p[g]++; else if ($4 <= 6) d[g]++; else pa[g]++ }
		END {
			z = 1.959963984540054
			print "SURVEY_SUB_TYPE,nps_NPS_SCORE,nps_NPS_SCORE_lo,nps_NPS_SCORE_hi,nps_NPS_SCORE_promoters,nps_NPS_SCORE_passives,nps_NPS_SCORE_detractors,nps_NPS_SCORE_n,nps_NPS_SCORE_missing"
			for (i = 1; i <= k; i++) {
				g = order[i]; P = p[g] + 0; D = d[g] + 0; N = n[g] + 0
				# NPS = 100 (P-D)/N to 2 decimals, half away from zero, in integers
				num = 10000 * (P - D); s = num < 0 ? "-" : ""; if (num < 0) num = -num
				q = int(num / N); r = num - q * N; if (2 * r >= N) q++
				nps = sprintf("%s%d.%02d", (q == 0 ? "" : s), int(q / 100), q % 100)
				m = N + 3; pp = (P + 0.75) / m; dd = (D + 0.75) / m; c = pp - dd
				v = pp + dd - c * c; h = z * sqrt(v / m)
				lo = 100 * (c - h); hi = 100 * (c + h); if (lo < -100) lo = -100; if (hi > 100) hi = 100
				printf "%s,%s,%.2f,%.2f,%d,%d,%d,%d,%d\n", g, nps, lo, hi, P, pa[g], D, N, miss[g]
			}
		}' "$f" >"$BATS_TEST_TMPDIR/want.csv"
	# sanity of the independent count (PROVENANCE.md: 2385 rows, 32 without a score)
	run awk -F, 'NR > 1 { s += $8 + $9 } END { print s }' "$BATS_TEST_TMPDIR/want.csv"
	assert_output 2385
	jk -g SURVEY_SUB_TYPE -k nps:NPS_SCORE "$f"
	run diff -u "$BATS_TEST_TMPDIR/want.csv" "$BATS_TEST_TMPDIR/out"
	assert_success
}

# spectrum_expect OUTDIR CSV...: for each CSV, write OUTDIR/NAME.count (the number of records
# in the matching JSON) and OUTDIR/NAME.want (what `jkpi -g '#1-' -k count CSV` must print,
# built from the JSON parse: RFC 4180 output quoting, groups first-seen).  One python run.
spectrum_expect() {
	python3 - "$@" <<'PYEOF'
import json, os, sys
outdir = sys.argv[1]
def q(f):
    if any(c in f for c in ',"\r\n') or f[:1] in (" ", "\t") or f[-1:] in (" ", "\t"):
        return '"' + f.replace('"', '""') + '"'
    return f
for csvf in sys.argv[2:]:
    name = os.path.basename(csvf)[:-4]
    jsonf = os.path.join(os.path.dirname(os.path.dirname(csvf)), "json", name + ".json")
    data = json.load(open(jsonf, encoding="utf-8"))
    if isinstance(data, dict):      # location_coordinates.json is a bare object
        data = [data]
    cols = list(data[0].keys())
    first = 0
    if name == "location_coordinates":
        first = 1                   # upstream JSON has a wrong phone number: group by #2-
    if name == "null":
        data[2]["b"] = "NULL"       # RFC 4180: an unquoted NULL is the text NULL
    seen = {}
    for rec in data:
        key = tuple(rec[c] for c in cols[first:])
        seen[key] = seen.get(key, 0) + 1
    out = ",".join(q(c) for c in cols[first:]) + ",count\n"
    for key, n in seen.items():
        out += ",".join(q(v) for v in key) + "," + str(n) + "\n"
    open(os.path.join(outdir, name + ".want"), "wb").write(out.encode("utf-8"))
    open(os.path.join(outdir, name + ".count"), "w").write("count\n%d\n" % len(data))
PYEOF
}

# location_coordinates.csv has bare quotes inside unquoted fields (37\xef\xbf\xbd36'37.8"N):
# not RFC 4180, so it needs --lazy-quotes (checked in the last test of this file).
lazy_for() {
	[ "$(basename "$1")" != location_coordinates.csv ] || echo --lazy-quotes
}

@test "jkpi: csv-spectrum: -k count equals the number of records in the JSON" {
	need_shared
	command -v python3 >/dev/null || skip "python3 not installed"
	local dir="$SHARED/csv-spectrum" f checked=0
	local -a files=("$dir"/csvs/*.csv "$dir"/unmerged-prs/csvs/*.csv)
	spectrum_expect "$BATS_TEST_TMPDIR" "${files[@]}"
	for f in "${files[@]}"; do
		# shellcheck disable=SC2046
		jk $(lazy_for "$f") -k count "$f"
		run diff -u "$BATS_TEST_TMPDIR/$(basename "$f" .csv).count" "$BATS_TEST_TMPDIR/out"
		[ "$status" -eq 0 ] || { echo "$f:"; echo "$output"; return 1; } >&2
		checked=$((checked + 1))
	done
	[ "$checked" -ge 14 ]
}

@test "jkpi: csv-spectrum: every field survives as a group key byte for byte" {
	need_shared
	command -v python3 >/dev/null || skip "python3 not installed"
	local dir="$SHARED/csv-spectrum" f spec checked=0
	local -a files=("$dir"/csvs/*.csv "$dir"/unmerged-prs/csvs/*.csv)
	spectrum_expect "$BATS_TEST_TMPDIR" "${files[@]}"
	for f in "${files[@]}"; do
		spec='#1-'
		[ "$(basename "$f")" != location_coordinates.csv ] || spec='#2-'
		# shellcheck disable=SC2046
		jk $(lazy_for "$f") -g "$spec" -k count "$f"
		run diff -u "$BATS_TEST_TMPDIR/$(basename "$f" .csv).want" "$BATS_TEST_TMPDIR/out"
		[ "$status" -eq 0 ] || { echo "$f:"; echo "$output"; return 1; } >&2
		checked=$((checked + 1))
	done
	[ "$checked" -ge 14 ]
}

@test "jkpi: csv-spectrum: bare quotes in location_coordinates.csv are a bad quote without --lazy-quotes" {
	need_shared
	cd "$SHARED/csv-spectrum/csvs"
	jkrc 1 -k count location_coordinates.csv
	err_is "jkpi: location_coordinates.csv:2: bad quote (use --lazy-quotes to accept stray quotes)"
	empty_out
}

@test "jkpi: --pivot sorts time buckets by time, columns and rows alike, unless an order is given" {
	# first seen: June before January (columns), 2024-Q2 before 2024-Q1 (rows)
	printf 'channel,time,v\nweb,2024-06-03T00:00:00Z,1\napp,2024-01-10T00:00:00Z,2\nweb,2024-01-05T00:00:00Z,3\napp,2024-03-01T00:00:00Z,4\n' >"$T/m.csv"
	jk -g channel --pivot month:time -k sum:v "$T/m.csv"
	same <<'EOF'
channel,2024-01,2024-03,2024-06
web,3,,1
app,2,4,
EOF
	# a listed value first, the others by time
	jk -g channel --pivot month:time --pivot-order 2024-06 -k sum:v "$T/m.csv"
	same <<'EOF'
channel,2024-06,2024-01,2024-03
web,1,3,
app,,2,4
EOF
	# rows: the quarter by time; channel keeps first-seen order (web before app) within a quarter
	jk -g quarter:time,channel --pivot channel -k sum:v "$T/m.csv"
	same <<'EOF'
quarter_time,web,app
2024-Q1,3,6
2024-Q2,1,
EOF
	jk -g channel,quarter:time --pivot v -k count "$T/m.csv"
	same <<'EOF'
channel,quarter_time,1,2,3,4
web,2024-Q1,,,1,
web,2024-Q2,1,,,
app,2024-Q1,,1,,1
EOF
	# -s still sorts by bytes; --row-order still puts its values first
	jk -s -g channel,quarter:time --pivot v -k count "$T/m.csv"
	same <<'EOF'
channel,quarter_time,1,2,3,4
app,2024-Q1,,1,,1
web,2024-Q1,,,1,
web,2024-Q2,1,,,
EOF
	# --merge knows the bucket columns from the partial
	jk --partial -g channel --pivot month:time -k sum:v "$T/m.csv"
	grep -q '^1,option,,,time_buckets,2$' "$T/out"
	cp "$T/out" "$T/p"
	jk --merge "$T/p"
	same <<'EOF'
channel,2024-01,2024-03,2024-06
web,3,,1
app,2,4,
EOF
}

@test "jkpi: --row-order puts the listed values of the first group column first, in the list's order" {
	# first seen: b, c, a, d. --row-order d,a: d and a first, then the rest in first-seen order
	# (b, c), or sorted with -s (b, c as well); the second group column breaks ties by first seen or -s.
	printf 'act,stage,v\nb,x,1\nc,x,2\na,y,3\nd,x,4\na,x,5\nb,y,6\n' >"$BATS_TEST_TMPDIR/in.csv"
	jk -g act,stage -k sum:v --row-order d,a "$BATS_TEST_TMPDIR/in.csv"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "act,stage,sum_v,sum_v_n,sum_v_missing
d,x,4,1,0
a,y,3,1,0
a,x,5,1,0
b,x,1,1,0
c,x,2,1,0
b,y,6,1,0"
	jk -s -g act,stage -k sum:v --row-order d,a "$BATS_TEST_TMPDIR/in.csv"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "act,stage,sum_v,sum_v_n,sum_v_missing
d,x,4,1,0
a,x,5,1,0
a,y,3,1,0
b,x,1,1,0
b,y,6,1,0
c,x,2,1,0"
	# a pivot orders its rows the same way
	jk -g act --pivot stage -k sum:v --row-order 'd,a' "$BATS_TEST_TMPDIR/in.csv"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "act,x,y
d,4,
a,5,3
b,1,6
c,2,"
	# --merge takes it too (a presentation option, like -s)
	jk --partial -g act --pivot stage -k sum:v -o "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/in.csv"
	jk --merge --row-order c "$BATS_TEST_TMPDIR/p1"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "act,x,y
c,2,
b,1,6
a,5,3
d,4,"
	jkrc 2 -k sum:v --row-order a "$BATS_TEST_TMPDIR/in.csv"
	err_is "jkpi: --row-order orders the rows by the first -g column: give -g
Try 'jkpi --help' for more information."
}
