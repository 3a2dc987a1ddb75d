#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# Limits (issue 9, jtools(7) LIMITS): each limit ends in a clear message that
# names it, never a crash or a wrap-around. The field cap (512 MiB) is tested
# through JTOOLS_FIELD_MAX, the documented way to lower it; the others with
# inputs of a few megabytes.
bats_require_minimum_version 1.5.0
load test_helper

PROGS=(jtouch jstage jvalue jrefer jkpi)

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# args_of PROG: options that make PROG read any CSV with a 'customer' column.
args_of() {
	case $1 in
	jtouch) A=(jtouch --customer customer --touch 'x time' --carry c2) ;;
	jkpi) A=(jkpi -k count) ;;
	*) A=("$1") ;;
	esac
}

# Inputs of a million columns take minutes under valgrind (make valgrind-check);
# the native run covers them, the smaller cases keep valgrind's eyes on the code.
no_valgrind_big() {
	if [ "${JT_VALGRIND:-0}" = 1 ]; then
		skip "a million-column input under valgrind takes minutes; the native suite runs it"
	fi
}

# field N: N x's.
field() {
	head -c "$1" /dev/zero | tr '\0' x
}

@test "limits: a field of JTOOLS_FIELD_MAX bytes is read, one byte more stops the run naming the limit (quoted or not, strict or lazy)" {
	for prog in "${PROGS[@]}"; do
		args_of "$prog"
		for lazy in "" --lazy-quotes; do
			for n in 40 100; do
				local h=customer,time,touchpoint,referee,c2 r=c1,2024-01-01T00:00:00Z,ad_click,,
				{ echo "$h"; echo "$r$(field "$n")"; echo "$r\"$(field "$n")\""; } >ok.csv
				{ echo "$h"; echo "$r$(field "$((n + 1))")"; } >big.csv
				{ echo "$h"; echo "$r"; echo "$r\"$(field "$((n + 1))")\""; } >bigq.csv
				run -0 --separate-stderr env JTOOLS_FIELD_MAX=$n "${A[@]}" $lazy ok.csv
				assert_equal "$stderr" ""
				if [ -n "$lazy" ]; then
					hint="a stray quote? drop --lazy-quotes to find it"
				else
					hint="an unterminated quote?"
				fi
				run -1 --separate-stderr env JTOOLS_FIELD_MAX=$n "${A[@]}" $lazy big.csv
				assert_equal "$stderr" "$prog: big.csv:2: field larger than $n bytes, the most jtools reads ($hint)"
				run -1 --separate-stderr env JTOOLS_FIELD_MAX=$n "${A[@]}" $lazy bigq.csv
				assert_equal "$stderr" "$prog: bigq.csv:3: field larger than $n bytes, the most jtools reads ($hint)"
			done
		done
	done
}

@test "limits: an unterminated quote that swallows the rest of the file stops at the field cap, on the line it opened" {
	{
		echo "customer,c2"
		echo "c1,ok"
		echo 'c2,"never closed'
		for i in $(seq 1 200); do echo "c$i,row $i of what should have been data"; done
	} >runaway.csv
	run -1 env JTOOLS_FIELD_MAX=1000 jkpi -k count runaway.csv
	assert_output "jkpi: runaway.csv:3: field larger than 1000 bytes, the most jtools reads (an unterminated quote?)"
	# without the lower cap the end of the input finds it
	run -1 jkpi -k count runaway.csv
	assert_output "jkpi: runaway.csv:3: unterminated quoted field (opened on line 3)"
}

@test "limits: JTOOLS_FIELD_MAX outside 1..512 MiB is refused" {
	printf 'customer\nc1\n' >a.csv
	for v in 0 536870913 1k -5 ''x; do
		run -1 env JTOOLS_FIELD_MAX="$v" jkpi -k count a.csv
		assert_output "jkpi: JTOOLS_FIELD_MAX: '$v' is not a byte count from 1 to 536870912"
	done
	run -0 env JTOOLS_FIELD_MAX=536870912 jkpi -k count a.csv
	assert_output "count
1"
}

@test "limits: a record of 1,048,576 fields is read; 1,048,577 stop the run naming the limit, every program" {
	no_valgrind_big
	awk 'BEGIN { printf "customer"; for (i = 2; i <= 1048576; i++) printf ",c%d", i; printf "\n" }' >max.csv
	awk 'BEGIN { printf "customer"; for (i = 2; i <= 1048577; i++) printf ",c%d", i; printf "\n" }' >over.csv
	for prog in "${PROGS[@]}"; do
		args_of "$prog"
		run -1 --separate-stderr "${A[@]}" over.csv
		assert_equal "$stderr" "$prog: over.csv:1: more than 1048576 fields in a record, the most jtools reads"
	done
	# the widest header: jvalue passes it through, jkpi counts its (no) rows
	run -0 jvalue max.csv
	assert_equal "$(printf '%s\n' "$output" | head -n 1 | awk -F, '{ print NF }')" 1048578
	run -0 jkpi -k count max.csv
	assert_output "count
0"
	# jtouch binds every column of it (a map, not a list: this took minutes)
	awk 'BEGIN { printf "c1,2024-01-01T00:00:00Z"; for (i = 3; i <= 1048576; i++) printf ","; printf "\n" }' >row.txt
	cat max.csv row.txt >max1.csv
	run -0 jtouch --customer customer --touch 'seen c2' --carry c1048576 max1.csv
	assert_output "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,c1048576
c1,2024-01-01T00:00:00Z,seen,max1,,,,,,,,,,,"
}

@test "limits: an unknown column in a 100,000-column header: one line, the first 50 names and the count" {
	no_valgrind_big
	awk 'BEGIN { printf "customer"; for (i = 2; i <= 100000; i++) printf ",c%d", i; printf "\n" }' >wide.csv
	run -1 jrefer wide.csv
	local first50
	first50=$(seq 2 50 | sed 's/^/c/' | paste -sd, - | sed 's/,/, /g')
	assert_output "jrefer: wide.csv:1: no column named 'referee' (columns: customer, $first50, ... (100000 columns in all))"
}

@test "limits: only the first 5 rejected rows are shown; the summary counts them all" {
	{ echo "v"; for i in 1 2 3 4 5 6 7; do echo "x$i"; done; echo 1; } >bad.csv
	run -0 --separate-stderr jkpi -k sum:v bad.csv
	assert_output "sum_v,sum_v_n,sum_v_missing
1,1,0"
	assert_equal "$stderr" "jkpi: bad.csv:2: column 'v': 'x1' is not a number
jkpi: bad.csv:3: column 'v': 'x2' is not a number
jkpi: bad.csv:4: column 'v': 'x3' is not a number
jkpi: bad.csv:5: column 'v': 'x4' is not a number
jkpi: bad.csv:6: column 'v': 'x5' is not a number
jkpi: 7 rows rejected (7 not a number) (use --rejects FILE to keep them)"
}

@test "limits: numbers: |x| < 1e20 is read exactly, 1e20 and 1e309 are rejected naming the range" {
	printf 'v\n99999999999999999999.999999999\n1e20\n-1e20\n1e309\n-99999999999999999999\n' >n.csv
	run -0 --separate-stderr jkpi -k sum:v n.csv
	assert_output "sum_v,sum_v_n,sum_v_missing
0.999999999,2,0"
	assert_equal "$stderr" "jkpi: n.csv:3: column 'v': '1e20' is out of range (|x| < 1e20)
jkpi: n.csv:4: column 'v': '-1e20' is out of range (|x| < 1e20)
jkpi: n.csv:5: column 'v': '1e309' is out of range (|x| < 1e20)
jkpi: 3 rows rejected (3 out of range) (use --rejects FILE to keep them)"
}

@test "limits: a partial whose sum passed 1e20 merges (the bug: --merge called it a bad state); past 1.7e29 the merge names the limit" {
	printf 'v\n99999999999999999999\n99999999999999999999\n' >two.csv
	jkpi --partial -k sum:v two.csv >p.csv
	run -0 jkpi --merge p.csv p.csv
	assert_output "sum_v,sum_v_n,sum_v_missing
399999999999999999996,4,0"
	# the largest sum a state holds: (2^127 - 1) billionths
	sed 's/sum=.*/sum=170141183460469231731687303715.884105727/' p.csv >max.csv
	run -0 jkpi --merge max.csv
	assert_output "sum_v,sum_v_n,sum_v_missing
170141183460469231731687303715.884105727,2,0"
	run -1 jkpi --merge max.csv p.csv
	assert_output "jkpi: p.csv:5: KPI 'sum_v': the sum overflows (|sum| < 1.7e29 is the most jkpi adds up)"
	sed 's/sum=.*/sum=170141183460469231731687303715.884105728/' p.csv >over.csv
	run -1 jkpi --merge over.csv
	assert_output "jkpi: over.csv:5: bad state 'n=2;missing=0;sum=170141183460469231731687303715.884105728' for KPI 'sum_v'"
}

@test "limits: jstage --funnel takes 64 steps, not 65" {
	printf 'customer,time,touchpoint\nc1,2024-01-01T00:00:00Z,s1\n' >t.csv
	run -0 jstage --funnel "$(seq -s, 1 64 | sed 's/[0-9][0-9]*/touchpoint:s&/g')" t.csv
	assert_line --index 1 --partial '1,touchpoint:s1,1,'
	run -2 jstage --funnel "$(seq -s, 1 65 | sed 's/[0-9][0-9]*/touchpoint:s&/g')" t.csv
	assert_output "jstage: --funnel: more than 64 steps
Try 'jstage --help' for more information."
}

@test "limits: jstage --cohorts holds 1,048,574 periods (a record jtools reads back): one day more stops the run" {
	no_valgrind_big
	# 1000-01-01 + 1,048,573 days = 3870-11-24: columns cohort, customers, 0 .. 1048573 = 1,048,576 fields
	printf 'customer,time,touchpoint\nc1,1000-01-01T00:00:00Z,order_placed\nc2,3870-11-24T00:00:00Z,order_placed\n' >ok.csv
	run -0 jstage --cohorts day -o table.csv ok.csv
	assert_equal "$(head -n 1 table.csv | awk -F, '{ print NF, $NF }')" "1048576 1048573"
	run -0 jkpi -k count table.csv
	printf 'customer,time,touchpoint\nc1,1000-01-01T00:00:00Z,order_placed\nc2,3870-11-25T00:00:00Z,order_placed\n' >over.csv
	run -1 jstage --cohorts day over.csv
	assert_output "jstage: --cohorts day: the touches span more than 1048574 periods, the most a cohort table has columns for (use a longer period, or --since and --until)"
	# a longer period fits
	run -0 jstage --cohorts month over.csv
	assert_line --index 0 --partial 'cohort,customers,0,1,2,'
}
