#!/usr/bin/env bats
# shellcheck disable=SC2034,SC2054,SC2154
# jkpi --partial --shard-id K/N and jkpi --merge --expect N (issue 18): each
# partial names the shard it holds, and a merge told to expect N shards stops
# when one is missing, repeated or of another split, instead of printing a
# report without that shard's customers. jkpi(1), "Partial state and merging".
bats_require_minimum_version 1.5.0
load test_helper

KPI=(-g channel -k count,sum:amount)

setup() {
	PROG=jkpi
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	# kpi.csv's 8 rows in 3 parts by customer (c1 / c2 / c3, c4 and the empty id)
	awk -F, 'NR == 1 { for (i = 1; i <= 3; i++) print > ("in" i ".csv"); next }
		{ print > ("in" ($3 == "c1" ? 1 : $3 == "c2" ? 2 : 3) ".csv") }' "$FIX/kpi.csv"
	for k in 1 2 3; do
		jkpi --partial --shard-id "$k/3" "${KPI[@]}" -o "p$k.csv" "in$k.csv"
	done
}

@test "shards: --shard-id K/N writes 'shard' with K/N as the first row after the header, and nothing else changes" {
	jt --partial --shard-id 2/3 "${KPI[@]}" in2.csv
	run head -n 2 "$T/out"
	assert_output $'jkpi_partial,type,channel,name,value\n1,shard,,,2/3'
	jkpi --partial "${KPI[@]}" in2.csv >plain.csv
	sed 2d "$T/out" | cmp - plain.csv
	# no group columns: one empty field less
	jt --partial --shard-id 3/3 -k count in3.csv
	run head -n 2 "$T/out"
	assert_output $'jkpi_partial,type,name,value\n1,shard,,3/3'
}

@test "shards: --merge --expect 3 of shards 1..3, in any order or as one stream, is the one-run report" {
	jkpi -s "${KPI[@]}" "$FIX/kpi.csv" >one.csv
	jt --merge -s --expect 3 p1.csv p2.csv p3.csv
	same <one.csv
	jt --merge -s --expect 3 p3.csv p1.csv p2.csv
	same <one.csv
	cat p2.csv p3.csv p1.csv | jt --merge -s --expect 3
	same <one.csv
	# without --expect the shard ids are not checked: two days of the same shards merge
	jt --merge -s p1.csv p1.csv
	run head -n 2 "$T/out"
	assert_output $'channel,count,sum_amount,sum_amount_n,sum_amount_missing\nemail,2,0,0,2'
}

@test "shards: --expect: a missing shard stops the merge (exit 1, nothing written, -o file kept)" {
	echo yesterday >report.csv
	jtrc 1 --merge -s --expect 3 -o report.csv p1.csv p3.csv
	err_is "jkpi: --expect 3: shard 2 is missing"
	[ ! -s "$T/out" ]
	assert_equal "$(cat report.csv)" yesterday
	jtrc 1 --merge --expect 3 p2.csv
	err_is "jkpi: --expect 3: shards 1, 3 are missing"
	# an empty partial (the shard's pipe died before jkpi printed anything) holds no shard
	: >p2-empty.csv
	jtrc 1 --merge --expect 3 p1.csv p2-empty.csv p3.csv
	err_is "jkpi: --expect 3: shard 2 is missing"
	jtrc 1 --merge --expect 3 </dev/null
	err_is "jkpi: --expect 3: shards 1, 2, 3 are missing"
	# past 10 the list is cut
	jkpi --partial --shard-id 7/40 -k count in1.csv >p7of40.csv
	jtrc 1 --merge --expect 40 p7of40.csv
	err_is "jkpi: --expect 40: shards 1, 2, 3, 4, 5, 6, 8, 9, 10, 11 and 29 more are missing"
}

@test "shards: --expect: a shard given twice stops the merge where the second starts" {
	cp p2.csv again.csv
	jtrc 1 --merge --expect 3 -o report.csv p1.csv p2.csv p3.csv again.csv
	err_is "jkpi: again.csv:2: shard 2/3 is given twice (first in p2.csv:2)"
	[ ! -e report.csv ]
	cat p1.csv p2.csv p2.csv | jtrc 1 --merge --expect 3
	err_is "jkpi: <stdin>:$(($(wc -l <p1.csv) + $(wc -l <p2.csv) + 2)): shard 2/3 is given twice (first in <stdin>:$(($(wc -l <p1.csv) + 2)))"
}

@test "shards: --expect: a partial of another split, without a shard id, or with two stops the merge" {
	jkpi --partial --shard-id 2/4 "${KPI[@]}" in2.csv >p2of4.csv
	jtrc 1 --merge --expect 3 p1.csv p2of4.csv p3.csv
	err_is "jkpi: p2of4.csv:2: partial is shard 2/4, of a split into 4, not --expect 3"
	jkpi --partial "${KPI[@]}" in2.csv >noid.csv
	jtrc 1 --merge --expect 3 p1.csv noid.csv p3.csv
	err_is "jkpi: noid.csv:2: partial has no shard id (make each with jkpi --partial --shard-id K/N, or merge without --expect)"
	# without --expect a partial with no shard id merges with the others, as before
	jt --merge -s p1.csv noid.csv p3.csv
	sed '2a 1,shard,,,2/3' p2.csv >twice.csv
	jtrc 1 --merge --expect 3 p1.csv twice.csv p3.csv
	err_is "jkpi: twice.csv:3: partial has a second shard id '2/3'"
}

@test "shards: a bad shard id in a partial stops any merge" {
	local bad
	for bad in 0/3 4/3 3 /3 2/ 1/0 x/3 ' 1/3' 1/3x $'1/3\n'; do
		{ head -n 1 p1.csv; printf '1,shard,,,"%s"\n' "$bad"; tail -n +3 p1.csv; } >bad.csv
		jtrc 1 --merge bad.csv
		err_is "jkpi: bad.csv:2: bad shard id '${bad//$'\n'/\\n}' in partial (K/N with 1 <= K <= N)"
	done
}

@test "shards: --shard-id and --expect: bad values and misplaced options are usage errors (exit 2)" {
	local v
	for v in 0/3 4/3 3 a/b 1/0 -1/3 '' 1/3/3 99999999999999999999/1; do
		jtrc 2 --partial --shard-id "$v" -k count in1.csv
		assert_equal "$(head -n 1 "$T/err")" "jkpi: --shard-id: '$v' is not K/N with 1 <= K <= N (e.g. 2/8)"
	done
	for v in 0 -1 x 1000001 ''; do
		jtrc 2 --merge --expect "$v" p1.csv
		assert_equal "$(head -n 1 "$T/err")" "jkpi: --expect: '$v' is not a number of shards from 1 to 1000000"
	done
	jtrc 2 --shard-id 1/3 -k count in1.csv
	assert_equal "$(head -n 1 "$T/err")" "jkpi: --shard-id goes with --partial (it names the shard a partial holds)"
	jtrc 2 --merge --shard-id 1/3 p1.csv
	assert_equal "$(head -n 1 "$T/err")" "jkpi: --shard-id goes with --partial (it names the shard a partial holds)"
	jtrc 2 --partial --expect 3 -k count in1.csv
	assert_equal "$(head -n 1 "$T/err")" "jkpi: --expect goes with --merge (it checks the partials' shard ids)"
	[ ! -s "$T/out" ]
	# the largest N is taken
	jtrc 1 --merge --expect 1000000 </dev/null
	err_is "jkpi: --expect 1000000: shards 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 999990 more are missing"
	jtrc 1 --merge --expect 1000000 p1.csv
	err_is "jkpi: p1.csv:2: partial is shard 1/3, of a split into 3, not --expect 1000000"
}
