#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jkpi --baseline, --alert and --history (issue 18). The expected figures are
# worked out independently of jkpi, with the python3 lines quoted in the
# comments (z = 1.959963984540054, the 0.975 normal quantile).
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	PROG=jkpi
	T=$BATS_TEST_TMPDIR
	cd "$T"
	# last period (base) and this one (now); team a and b in both, c only in
	# base, d only in now
	printf '%s\n' team,score,hit,v a,10,1,2 a,10,1,4 a,9,0,6 a,7,1,8 a,3,1, b,9,1,1 b,2,0,1 c,8,1,5 >base.csv
	printf '%s\n' team,score,hit,v a,2,0,10 a,5,0,12 a,9,1,14 a,6,0, a,0,1,16 b,10,1,1 b,10,1,2 d,7,0,3 >now.csv
	K=nps:score,rate:hit,mean:v,count
}

# The figures of base.csv against now.csv:
# nps a: base P 3 D 1 n 5 = 40, now P 1 D 4 n 5 = -60, change -100. Each side's
#   variance is the adjusted-Wald one of jkpi's NPS interval: n' = n + 3,
#   P' = (P + .75)/n', D' = (D + .75)/n', var = (P' + D' - (P' - D')^2) / n':
#   base 3.75/8, 1.75/8 -> (0.6875 - 0.0625)/8 = 0.078125... (python3:
#   v=lambda P,D,n:((P+.75)/(n+3)+(D+.75)/(n+3)-((P-D)/(n+3))**2)/(n+3);
#   se=100*sqrt(v(3,1,5)+v(1,4,5)) = 39.9487 -> -100 -/+ z*se = -178.30 .. -21.70?
#   no: P'-D' = (P-D)/n' only when the .75s cancel, which they do: (3-1)/8,
#   (1-4)/8; v(3,1,5) = (0.6875-0.0625)/8 = 0.078125, v(1,4,5) =
#   (0.21875+0.59375-0.140625)/8 = 0.083984; se = 100*sqrt(0.162109) = 40.2628;
#   -100 -/+ 78.9135 = -178.91 .. -21.09; p = erfc(100/40.2628/sqrt 2) = 0.013003
# nps b: base 1,1 of 2 = 0, now 2,0 of 2 = 100: v(1,1,2) = (0.35+0.35-0)/5 =
#   0.14, v(2,0,2) = (0.55+0.15-0.16)/5 = 0.108; se = 100*sqrt(0.248) = 49.7996;
#   100 -/+ 97.6053 = 2.39 .. 197.61; p = erfc(100/49.7996/sqrt 2) = 0.044638
# rate a: 4/5 -> 2/5: Newcombe's method 10 from the Wilson intervals of 2/5
#   (0.117621 .. 0.769244) and 4/5 (0.375535 .. 0.963776): d = -0.4,
#   lo = -0.4 - sqrt((0.4-0.117621)^2 + (0.963776-0.8)^2) = -0.7264,
#   hi = -0.4 + sqrt((0.769244-0.4)^2 + (0.8-0.375535)^2) = 0.1626;
#   p: se = (hi - d)/z = 0.28706 -> erfc(0.4/0.28706/sqrt 2) = 0.163478
# rate b: 1/2 -> 2/2: d 0.5, -0.2726 .. 0.9055, p 0.204632 (the same way)
# mean a: 2 4 6 8 (mean 5, var 6.6667) -> 10 12 14 16 (13, 6.6667): d = 8,
#   se = sqrt(6.6667/4 * 2) = 1.8257, 8 -/+ 3.5784 = 4.4216 .. 11.5784,
#   p = erfc(8/1.8257/sqrt 2) = 0.000012
# mean b: 1 1 (var 0) -> 1 2 (var 0.5): d 0.5, se 0.5, -0.48 .. 1.48, p 0.317311
# count: no interval. Holm over the 6 p values at 0.05: 0.000012 <= 0.05/6
# alerts; 0.013003 > 0.05/5 stops: only mean a alerts, nps a and b are
# changed (their intervals exclude 0) but not alerts.
HEAD=team,nps_score_base,nps_score,nps_score_change,nps_score_change_lo,nps_score_change_hi,nps_score_base_n,nps_score_n,nps_score_p,nps_score_changed,nps_score_alert,rate_hit_base,rate_hit,rate_hit_change,rate_hit_change_lo,rate_hit_change_hi,rate_hit_base_n,rate_hit_n,rate_hit_p,rate_hit_changed,rate_hit_alert,mean_v_base,mean_v,mean_v_change,mean_v_change_lo,mean_v_change_hi,mean_v_base_n,mean_v_n,mean_v_p,mean_v_changed,mean_v_alert,count_base,count,count_change,count_change_lo,count_change_hi,count_base_n,count_n,count_p,count_changed,count_alert

@test "jkpi --baseline STATE --alert: the changes, their intervals and Holm's alerts, byte for byte (hand-computed)" {
	jt --partial -g team -k "$K" base.csv
	cp out base.state
	jtrc 3 -g team -k "$K" --baseline base.state --alert now.csv
	same <<EOF
$HEAD
a,40.00,-60.00,-100.00,-178.91,-21.09,5,5,0.013003,1,0,80.00,40.00,-40.00,-72.64,16.26,5,5,0.163478,0,0,5.0000,13.0000,8.0000,4.4216,11.5784,4,4,0.000012,1,1,5,5,0,,,5,5,,,
b,0.00,100.00,100.00,2.39,197.61,2,2,0.044638,1,0,50.00,100.00,50.00,-27.26,90.55,2,2,0.204632,0,0,1.0000,1.5000,0.5000,-0.4800,1.4800,2,2,0.317311,0,0,2,2,0,,,2,2,,,
d,,0.00,,,,,1,,,,,0.00,,,,,1,,,,,3.0000,,,,,1,,,,,1,,,,,1,,,
c,0.00,,,,,1,,,,,100.00,,,,,1,,,,,5.0000,,,,,1,,,,,1,,,,,1,,,,
EOF
	err_is "jkpi: alert: a: mean_v 5.0000 → 13.0000 (8.0000, 95 % CI 4.4216 … 11.5784, n 4 → 4; p 0.000012, Holm at 5 % over 6 comparisons)"
	# without --alert: no alert column, exit 0, nothing on stderr
	jt -g team -k "$K" --baseline base.state now.csv
	run head -1 out
	assert_output "$(echo "$HEAD" | sed 's/,[a-z_]*_alert//g')"
}

@test "jkpi --baseline --min-n: a cell thin on either side gets no test; the family shrinks" {
	jt --partial -g team -k "$K" base.csv
	cp out base.state
	# --min-n 3: team b (2 and 2) is not tested; 3 p values left (nps, rate, mean
	# of a): 0.000012 <= 0.05/3, 0.013003 <= 0.05/2, 0.163478 > 0.05: two alerts
	jtrc 3 -g team -k "$K" --baseline base.state --alert --min-n 3 now.csv
	run sed -n 2,3p out
	assert_output 'a,40.00,-60.00,-100.00,-178.91,-21.09,5,5,0.013003,1,1,80.00,40.00,-40.00,-72.64,16.26,5,5,0.163478,0,0,5.0000,13.0000,8.0000,4.4216,11.5784,4,4,0.000012,1,1,5,5,0,,,5,5,,,
b,0.00,100.00,100.00,,,2,2,,,,50.00,100.00,50.00,,,2,2,,,,1.0000,1.5000,0.5000,,,2,2,,,,2,2,0,,,2,2,,,'
	err_is "jkpi: alert: a: nps_score 40.00 → −60.00 (−100.00, 95 % CI −178.91 … −21.09, n 5 → 5; p 0.013003, Holm at 5 % over 3 comparisons)
jkpi: alert: a: mean_v 5.0000 → 13.0000 (8.0000, 95 % CI 4.4216 … 11.5784, n 4 → 4; p 0.000012, Holm at 5 % over 3 comparisons)"
	# --alert-level 0.2 (all 6 tested): 0.000012 <= 0.2/6, 0.013003 <= 0.2/5,
	# 0.044638 <= 0.2/4, 0.163478 > 0.2/3 stops: three alerts; the level is in each line
	jtrc 3 -g team -k "$K" --baseline base.state --alert --alert-level 0.2 now.csv
	run grep -c 'Holm at 20 % over 6 comparisons' err
	assert_output 3
}

@test "jkpi --baseline REPORT: a long report serves as the baseline; means get no interval (no sum of squares); -s sorts every cell" {
	jt -g team -k "$K" base.csv
	cp out base.rep
	jt -s -g team -k "$K" --baseline base.rep now.csv
	same <<EOF
$(echo "$HEAD" | sed 's/,[a-z_]*_alert//g')
a,40.00,-60.00,-100.00,-178.91,-21.09,5,5,0.013003,1,80.00,40.00,-40.00,-72.64,16.26,5,5,0.163478,0,5.0000,13.0000,8.0000,,,4,4,,,5,5,0,,,5,5,,
b,0.00,100.00,100.00,2.39,197.61,2,2,0.044638,1,50.00,100.00,50.00,-27.26,90.55,2,2,0.204632,0,1.0000,1.5000,0.5000,,,2,2,,,2,2,0,,,2,2,,
c,0.00,,,,,1,,,,100.00,,,,,1,,,,5.0000,,,,,1,,,,1,,,,,1,,,
d,,0.00,,,,,1,,,,0.00,,,,,1,,,,3.0000,,,,,1,,,,1,,,,,1,,
EOF
}

@test "jkpi --baseline: a merge of this period's partials compares like one run" {
	jt --partial -g team -k "$K" base.csv
	cp out base.state
	head -4 now.csv >n1.csv
	{ head -1 now.csv; tail -n +5 now.csv; } >n2.csv
	jt --partial -g team -k "$K" n1.csv
	cp out n1.state
	jt --partial -g team -k "$K" n2.csv
	cp out n2.state
	jtrc 3 --merge --baseline base.state --alert n1.state n2.state
	cp out merged
	jtrc 3 -g team -k "$K" --baseline base.state --alert now.csv
	same <merged
}

@test "jkpi --baseline: other groups, KPIs or options than the baseline's stop the run, naming the difference (exit 1)" {
	jt --partial -g team -k "$K" base.csv
	cp out base.state
	jtrc 1 -g team,hit -k "$K" --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline groups by 'team', this run by 'team,hit' (give its -g)"
	jtrc 1 -k "$K" --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline groups by 'team', this run by nothing (give its -g)"
	jtrc 1 -g team -k nps:score,rate:hit,mean:v --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline was made with other KPIs or options: kpi count=count in the baseline, nothing here (give its -k, --csat, --per, --map and --tz)"
	jtrc 1 -g team -k nps:score,rate:hit,p50:v,count --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline was made with other KPIs or options: kpi mean_v=mean:v in the baseline, kpi p50_v=p50:v here (give its -k, --csat, --per, --map and --tz)"
	jtrc 1 -g team -k count,nps:score,rate:hit,mean:v --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline was made with other KPIs or options: the same lines in another order (the baseline first) (give its -k, --csat, --per, --map and --tz)"
	jtrc 1 -g team -k "$K" --map hit:1=0 --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline was made with other KPIs or options: nothing in the baseline, map=hit:1=0 here (give its -k, --csat, --per, --map and --tz)"
	jtrc 1 -g team -k "$K" --per score --baseline base.state now.csv
	err_is "jkpi: base.state:1: the baseline was made with other KPIs or options: nothing in the baseline, per=score here (give its -k, --csat, --per, --map and --tz)"
	assert_equal "$(cat out)" ""
}

@test "jkpi --merge: partials of other KPI lists or groups stop the merge, naming the difference" {
	jt --partial -g team -k count base.csv
	cp out a.state
	jt --partial -g team -k count,nps:score base.csv
	cp out b.state
	jt --partial -g hit -k count base.csv
	cp out c.state
	jtrc 1 --merge a.state b.state
	err_is "jkpi: b.state:1: partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): nothing in a.state, kpi nps_score=nps:score here"
	jtrc 1 --merge b.state a.state
	err_is "jkpi: a.state:1: partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): kpi nps_score=nps:score in b.state, nothing here"
	jtrc 1 --merge a.state c.state
	err_is "jkpi: c.state:1: partial groups by other columns than a.state: 'team' there, 'hit' here"
}

@test "jkpi --baseline: a bad baseline report or file is an error with its place (exit 1)" {
	jt -g team -k "$K" base.csv
	cp out base.rep
	cut -d, -f1-9 base.rep >short.rep
	jtrc 1 -g team -k "$K" --baseline short.rep now.csv
	err_is "jkpi: short.rep:1: the baseline has no column 'rate_hit' (this run's KPI rate_hit needs it: give the baseline's -k)"
	cut -d, -f1-13 base.rep >short.rep
	jtrc 1 -g team -k nps:score,rate:hit --baseline short.rep now.csv
	err_is "jkpi: short.rep:1: the baseline has no column 'rate_hit_n' (this run's KPI rate_hit needs it: give the baseline's -k)"
	cut -d, -f1-6 base.rep >nonps.rep
	jtrc 1 -g team -k nps:score --baseline nonps.rep now.csv
	err_is "jkpi: nonps.rep:1: the baseline has no column 'nps_score_detractors' (this run's KPI nps_score needs it: give the baseline's -k)"
	jtrc 1 -g team -k nps:score --baseline base.rep now.csv
	err_is "jkpi: base.rep:1: the baseline's column 'rate_hit' is no group or KPI figure of this run (-g and -k must match the baseline's)"
	jtrc 1 -g hit -k "$K" --baseline base.rep now.csv
	err_is "jkpi: base.rep:1: the baseline has no column 'hit' (this run groups by it: give the baseline's -g)"
	sed '2s/,5,0,/,five,0,/' base.rep >bad.rep
	jtrc 1 -g team -k "$K" --baseline bad.rep now.csv
	err_is "jkpi: bad.rep:2: column 'nps_score_n': 'five' is not a count"
	sed '2s/^a,40.00/a,forty/' base.rep >bad.rep
	jtrc 1 -g team -k "$K" --baseline bad.rep now.csv
	err_is "jkpi: bad.rep:2: column 'nps_score': 'forty' is not a number"
	sed -n '1,2p;2p' base.rep >twice.rep
	jtrc 1 -g team -k "$K" --baseline twice.rep now.csv
	err_is "jkpi: twice.rep:3: cell 'a' is in the baseline twice"
	sed '2s/,3,1,1,5,0,/,3,1,4,5,0,/' base.rep >many.rep
	jtrc 1 -g team -k "$K" --baseline many.rep now.csv
	err_is "jkpi: many.rep:2: KPI nps_score: more promoters and detractors, or hits, than values (5)"
	: >empty
	jtrc 1 -g team -k "$K" --baseline empty now.csv
	err_is "jkpi: empty:1: the baseline is empty (give a state of jkpi --partial or --history, or a jkpi report)"
	jtrc 1 -g team -k "$K" --baseline missing.state now.csv
	err_is "jkpi: missing.state: No such file or directory"
	printf 'jkpi_partial,type,team,name,value\n1,kpi,,count,count\n1,group,a,,\n1,state,a,count,n=x\n' >bad.state
	jtrc 1 -g team -k count --baseline bad.state now.csv
	err_is "jkpi: bad.state:4: bad state 'n=x' for KPI 'count'"
}

@test "jkpi --baseline, --alert, --alert-level, --min-n: usage errors before any input is read (exit 2)" {
	jtrc 2 -g team -k count --alert now.csv
	err_is "jkpi: --alert needs --baseline FILE or --history DIR (what to compare with)
Try 'jkpi --help' for more information."
	jtrc 2 -g team -k count --alert-level 0.1 now.csv
	err_is "jkpi: --alert-level goes with --alert
Try 'jkpi --help' for more information."
	for l in 0 1 x 0.05x -0.1; do
		jtrc 2 -g team -k count --baseline now.csv --alert --alert-level "$l" now.csv
		err_is "jkpi: --alert-level: '$l' is not a probability between 0 and 1 (e.g. 0.05)
Try 'jkpi --help' for more information."
	done
	jtrc 2 -g team -k count --partial --baseline now.csv now.csv
	err_is "jkpi: --baseline compares results; --partial writes a state (compare it later with --baseline)
Try 'jkpi --help' for more information."
	jtrc 2 -g team -k count --min-n 3 now.csv
	err_is "jkpi: --min-n goes with --format html
Try 'jkpi --help' for more information."
}

@test "jkpi --baseline: a mean's state keeps its sum of squares; one without (an older partial) gives no interval" {
	jt --partial -g team -k mean:v base.csv
	run grep '^1,state,a,' out
	# 2 4 6 8: squares 4+16+36+64 = 120, scaled by 10^9 twice
	assert_output '1,state,a,mean_v,n=4;missing=1;sum=20;sumsq=120000000000000000000'
	sed 's/;sumsq=[0-9]*//' out >old.state
	jt -g team -k mean:v --baseline old.state now.csv
	run sed -n 2p out
	assert_output 'a,5.0000,13.0000,8.0000,,,4,4,,'
}

# ---- --history

# night D (1-9): team a's scores $2, team b's $3 (space-separated), at 2024-06-0D 10:00Z
night() {
	local s
	echo time,team,stage,score
	for s in $2; do echo "2024-06-0$1T10:00:00Z,a,x,$s"; done
	for s in $3; do echo "2024-06-0$1T10:00:00Z,b,x,$s"; done
}

@test "jkpi --history DIR: each run's state is DIR/DAY.state (the day of its latest time), the state --partial writes; --keep N keeps the last N" {
	night 1 "10 9 3" "7 7" >n1.csv
	night 2 "10 0" "9" >n2.csv
	night 3 "5" "9 9" >n3.csv
	jt -g team -k nps:score,count --history H n1.csv
	cp out r1
	jt -g team -k nps:score,count n1.csv
	same <r1
	run ls H
	assert_output 2024-06-01.state
	jt --partial -g team -k nps:score,count n1.csv
	same H/2024-06-01.state <out
	jt -g team -k nps:score,count --history H --keep 2 n2.csv
	jt -g team -k nps:score,count --history H --keep 2 n3.csv
	run ls H
	assert_output '2024-06-02.state
2024-06-03.state'
	# a run again for a day kept replaces its state; --stamp names it
	jt -g team -k nps:score,count --history H --keep 2 n1.csv --stamp 2024-06-03
	jt --partial -g team -k nps:score,count n1.csv
	same H/2024-06-03.state <out
	jt -g team -k nps:score,count --history H --stamp w27 n1.csv
	run ls H
	assert_output '2024-06-02.state
2024-06-03.state
w27.state'
	# the latest time is the stamp, whatever the order of the rows
	{ echo time,team,score; echo 2024-07-09T23:59:59Z,a,1; echo 2024-06-01T00:00:00Z,a,1; } >late.csv
	jt -g team -k nps:score,count --history H2 late.csv
	run ls H2
	assert_output 2024-07-09.state
}

@test "jkpi --history: a kept state of other KPIs or groups stops the run naming the difference; nothing is written, nothing removed" {
	night 1 "10 9 3" "7 7" >n1.csv
	night 2 "10 0" "9" >n2.csv
	jt -g team -k nps:score --history H n1.csv
	jtrc 1 -g team -k nps:score,count --history H --keep 1 n2.csv
	err_is "jkpi: H/2024-06-01.state:1: the kept state was made with other KPIs or options: nothing in the kept state, kpi count=count here (give its -k, --csat, --per, --map and --tz)"
	assert_equal "$(cat out)" ""
	jtrc 1 -g team,stage -k nps:score --history H -o report.csv n2.csv
	err_is "jkpi: H/2024-06-01.state:1: the kept state groups by 'team', this run by 'team,stage' (give its -g)"
	[ ! -e report.csv ]
	run ls -A H
	assert_output 2024-06-01.state
}

@test "jkpi --history --alert: the first night has nothing to compare; later nights alert against the last state kept" {
	night 1 "10 10 10 10 10 10 10 10 10 10" "7" >n1.csv
	night 2 "0 0 0 0 0 0 0 0 0 0" "7" >n2.csv
	jt -g team -k nps:score --history H --alert n1.csv
	# a: 10 promoters (NPS 100) -> 10 detractors (-100): adjusted-Wald variances
	# (10.75/13 + 0.75/13 - (10/13)^2)/13 = (0.884615 - 0.591716)/13 = 0.0225307 each;
	# se = 100 sqrt(0.0450615) = 21.2277; -200 -/+ 41.6060 = -241.61 .. -158.39;
	# p = erfc(200/21.2277/sqrt 2) = 0.000000. b: 1 passive -> 1 passive, no change.
	jtrc 3 -g team -k nps:score --history H --alert n2.csv
	err_is "jkpi: alert: a: nps_score 100.00 → −100.00 (−200.00, 95 % CI −241.61 … −158.39, n 10 → 10; p 0.000000, Holm at 5 % over 2 comparisons)"
	# the report is the plain one (jkpi's adjusted-Wald NPS interval: a: P' = 0.75/13,
	# D' = 10.75/13, var = 0.884615 - 0.591716 = 0.292899, -76.92 + z sqrt(0.292899/13) =
	# -47.50; b: P' = D' = 0.75/4, var 0.375, 0 -/+ z sqrt(0.375/4) = 60.01)
	same <<'EOF'
team,nps_score,nps_score_lo,nps_score_hi,nps_score_promoters,nps_score_passives,nps_score_detractors,nps_score_n,nps_score_missing
a,-100.00,-100.00,-47.50,0,0,10,10,0
b,0.00,-60.01,60.01,0,1,0,1,0
EOF
	run ls H
	assert_output '2024-06-01.state
2024-06-02.state'
}

@test "jkpi --history, --stamp, --keep: usage errors before any input is read (exit 2), a run with no time to name it (exit 1)" {
	night 1 "10" "7" >n1.csv
	jtrc 2 -g team -k count --stamp x n1.csv
	err_is "jkpi: --stamp goes with --history DIR
Try 'jkpi --help' for more information."
	jtrc 2 -g team -k count --keep 3 n1.csv
	err_is "jkpi: --keep goes with --history DIR
Try 'jkpi --help' for more information."
	for k in 0 x -1; do
		jtrc 2 -g team -k count --history H --keep "$k" n1.csv
		err_is "jkpi: --keep: '$k' is not a count from 1
Try 'jkpi --help' for more information."
	done
	for s in ../x .hidden -x 'a b' '' 2024/06/30; do
		jtrc 2 -g team -k count --history H --stamp "$s" n1.csv
		err_is "jkpi: --stamp: '$s' is not a stamp (letters, digits, '.', '_' and '-', up to 64, as 2024-06-30)
Try 'jkpi --help' for more information."
	done
	jtrc 2 -g team -k count --history H --stamp "$(printf 'x\ny')" n1.csv
	err_is "jkpi: --stamp: 'x\\ny' is not a stamp (letters, digits, '.', '_' and '-', up to 64, as 2024-06-30)
Try 'jkpi --help' for more information."
	jtrc 2 -g team -k count --history n1.csv n1.csv
	err_is "jkpi: --history: 'n1.csv' is not a folder
Try 'jkpi --help' for more information."
	jtrc 2 -g team -k count --history H --partial n1.csv
	err_is "jkpi: --history keeps the state of a result; --partial writes one to merge (give --history to the merge)
Try 'jkpi --help' for more information."
	jt --partial -g team -k count n1.csv
	cp out p1
	jtrc 2 --merge --history H p1
	err_is "jkpi: --history with --merge needs --stamp (partials carry no times to name the state by)
Try 'jkpi --help' for more information."
	printf 'team,score\na,1\n' >notime.csv
	jtrc 1 -g team -k count --history H notime.csv
	err_is "jkpi: --history: no 'time' was read to name this run's state: give --stamp"
	run ls -A H
	assert_output ""
}

@test "jkpi --merge --history --stamp: the merge keeps its state, which merges and compares like a run's (zone and maps kept)" {
	night 1 "10 9 3" "7 7" >n1.csv
	jt --partial -g team,day:time -k nps:score --tz Europe/Berlin --map score:3=9 n1.csv
	cp out p1
	jt --merge --history H --stamp s1 p1
	same H/s1.state <p1
	jt -g team,day:time -k nps:score --tz Europe/Berlin --map score:3=9 --baseline H/s1.state n1.csv
	run cut -d, -f1-5,11 out
	assert_output 'team,day_time,nps_score_base,nps_score,nps_score_change,nps_score_changed
a,2024-06-01,100.00,100.00,0.00,0
b,2024-06-01,0.00,0.00,0.00,0'
}

@test "jkpi --history --format html: each heatmap cell has its trend as an inline SVG line, a dot on an alerting change (hand-computed points)" {
	night 1 "10 10 10 10 10 10 10 10 10 10 7 7 7 7 7 7 7 7 7 7" "7" >n1.csv
	night 2 "10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 7 7 7 7 7" "7 7" >n2.csv
	night 3 "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0" "7" >n3.csv
	for d in 1 2 3; do
		jtrc "$([ $d = 3 ] && echo 3 || echo 0)" -g team --pivot stage -k nps:score --format html --history H --alert n$d.csv
	done
	cp out page.html
	# a: NPS 50, 75, -100 over 3 periods; lowest -100, highest 75: y = 2 + 10 (75 - v) / 175
	# = 3.4, 2.0, 12.0; x = 2, 24, 46. 75 -> -100 alerts (a dot); 50 -> 75 does not (night 2
	# had no alert: exit 0). b: 0 every night: a flat line at y = 7.
	run grep -o '<svg[^>]*>.*</svg>' page.html
	assert_output '<svg class="tr" viewBox="0 0 48 14" width="48" height="14" role="img" aria-label="trend over 3 periods, 1 significant change"><polyline points="2.0,3.4 24.0,2.0 46.0,12.0"/><circle cx="46.0" cy="12.0" r="2"/></svg>
<svg class="tr" viewBox="0 0 48 14" width="48" height="14" role="img" aria-label="trend over 3 periods, 0 significant changes"><polyline points="2.0,7.0 24.0,7.0 46.0,7.0"/></svg>'
	run grep -c '^<p class="def">Under each figure, its line over the 3 periods kept (2024-06-01 to 2024-06-03), from the cell&#39;s lowest to its highest; a dot marks a change from the period before that stays significant once corrected for the number of cells compared (Holm, family-wise 5 %).</p>$' page.html
	assert_output 1
	# no script, no link, nothing fetched
	run grep -c -i -E '<script|<link|<img|src=|href=|url\(|@import' page.html
	assert_output 0
	# without --history the page is as before: no trend, no trend style
	jt -g team --pivot stage -k nps:score --format html n3.csv
	run grep -c 'svg' out
	assert_output 0
}

# A month of nightly exports (tests/gen/nightly.awk): 6 teams x 4 stages, 300 answers a
# cell a night, NPS 20 everywhere; from night 15 on team3 x stage2 has 20 points fewer
# promoters and 20 more detractors (NPS -20). The cron job's run each night.
@test "jkpi --history --alert over a month of nights: exactly the cell whose NPS drops alerts, on the night it drops" {
	local d rc
	for d in $(seq 1 30); do
		awk -v seed=$((1000 + d)) -v night="$d" -v teams=6 -v stages=4 -v n=300 \
			-v drop_cell=team3,stage2 -v drop_from=15 -v drop=40 -f "$REPO/tests/gen/nightly.awk" >night.csv
		rc=0
		jkpi -g team,stage -k nps:score --history H --keep 40 --alert night.csv >/dev/null 2>"err$d" || rc=$?
		echo "$d $rc $(cat "err$d")" >>nights
	done
	run awk '$2 != 0' nights
	assert_output --regexp '^15 3 jkpi: alert: team3 × stage2: nps_score [0-9.]+ → −[0-9.]+ \(−[0-9.]+, 95 % CI −[0-9.]+ … −[0-9.]+, n 300 → 300; p 0\.[0-9]+, Holm at 5 % over 24 comparisons\)$'
	run ls H
	assert_line --index 29 2024-06-30.state
}

@test "jkpi --history --alert over 20 nights of pure noise (30 cells): at most 3 nights alert, while the per-cell 'changed' says 1 more often" {
	# 6 teams x 5 stages, 60 answers a cell a night, the same distribution every night
	# (NPS 20), new samples: 20 nights compared with the night before.
	local d rc prev changed=0 nights=0
	for d in $(seq 1 21); do
		awk -v seed=$((2000 + d)) -v night="$d" -v teams=6 -v stages=5 -v n=60 -f "$REPO/tests/gen/nightly.awk" >night.csv
		if [ "$d" -gt 1 ]; then
			prev=$(printf '2024-06-%02d' $((d - 1)))
			jkpi -g team,stage -k nps:score --baseline "H/$prev.state" night.csv >cmp.csv
			changed=$((changed + $(awk -F, 'NR > 1 && $10 == 1' cmp.csv | wc -l)))
		fi
		rc=0
		jkpi -g team,stage -k nps:score --history H --alert night.csv >/dev/null 2>"err$d" || rc=$?
		case $rc in
		0) [ ! -s "err$d" ] ;;
		3) nights=$((nights + 1)) ;;
		*) cat "err$d" >&2; return 1 ;;
		esac
	done
	echo "# $nights of 20 nights alerted; 'changed' was 1 in $changed of 600 cell-nights" >&3
	[ "$nights" -le 3 ]
	[ "$changed" -ge 10 ]
}

browser() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v $b >/dev/null 2>&1 && { echo $b; return; }
	done
	return 1
}

@test "jkpi --history html in headless Chromium: every cell draws its trend, and at 420 px the page does not scroll sideways; screenshots at 1400 and 420 px" {
	local B FLAGS d
	if ! B=$(browser); then
		sh "$REPO/mk/deps.sh" chromium >chromium-install.log 2>&1 || true
		B=$(browser) || skip "Chromium is not installed and 'sh mk/deps.sh chromium' could not install it: the page was not rendered"
	fi
	FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$T/profile"
	for d in 1 2 3 4 5 6 7; do
		awk -v seed=$((3000 + d)) -v night="$d" -v teams=5 -v stages=6 -v n=80 \
			-v drop_cell=team2,stage4 -v drop_from=6 -v drop=60 -f "$REPO/tests/gen/nightly.awk" >night.csv
		jtrc "$([ $d = 6 ] && echo 3 || echo 0)" -g team --pivot stage -k nps:score,mean:score --format html \
			--title "NPS by team and stage, with trends" --history H --alert night.csv
	done
	cp out page.html
	# the DOM Chromium built: one SVG line per cell of each heatmap (5 x 6 x 2), a dot on team2 x stage4
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --dump-dom "file://$T/page.html" >dom.html 2>/dev/null
	run grep -o '<svg class="tr"' dom.html
	assert_equal "${#lines[@]}" 60
	run grep -o 'aria-label="trend over 7 periods, 1 significant change"' dom.html
	assert_equal "${#lines[@]}" 2
	cat >w420.html <<'EOF'
<!DOCTYPE html><html><head><style>body{margin:0}iframe{border:0;width:420px;height:2400px;display:block}</style></head>
<body><iframe id="f" src="page.html"></iframe><script>
document.getElementById("f").addEventListener("load", function () {
  var d = document.getElementById("f").contentDocument, e = d.documentElement, svg = 0;
  d.querySelectorAll("svg.tr").forEach(function (s) { if (s.getBoundingClientRect().width > 0) svg++; });
  document.body.setAttribute("data-m", "page " + e.scrollWidth + "/" + e.clientWidth + " svg " + svg);
});
</script></body></html>
EOF
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --allow-file-access-from-files --virtual-time-budget=5000 --window-size=600,900 \
		--dump-dom "file://$T/w420.html" >w420.dom 2>/dev/null
	run grep -o 'data-m="[^"]*"' w420.dom
	assert_output 'data-m="page 420/420 svg 60"'
	mkdir -p "$REPO/tests/artifacts"
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --window-size=1400,1300 --screenshot="$REPO/tests/artifacts/history-1400.png" \
		"file://$T/page.html" >/dev/null 2>&1
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --allow-file-access-from-files --window-size=420,2400 \
		--screenshot="$REPO/tests/artifacts/history-420.png" "file://$T/w420.html" >/dev/null 2>&1
	[ -s "$REPO/tests/artifacts/history-1400.png" ]
	[ -s "$REPO/tests/artifacts/history-420.png" ]
	echo "# screenshots: tests/artifacts/history-1400.png, tests/artifacts/history-420.png" >&3
}
