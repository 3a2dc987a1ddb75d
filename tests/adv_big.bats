#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Adversarial suite, sizes (issue 9): a 100 MB field, a header of 100,000
# columns, a million empty lines. The inputs are made once per file; every
# program runs under timeout so that a hang fails (status 124) instead of
# stalling the suite.
bats_require_minimum_version 1.5.0
load test_helper
load adv_helper

setup_file() {
	local d=$BATS_FILE_TMPDIR h=customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee
	# 100 MB in the comment column of row 1
	{
		echo "$h,comment"
		printf 'c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,'
		head -c 100000000 /dev/zero | tr '\0' x
		printf '\n'
		echo 'c2,2024-01-02T10:00:00Z,survey_response,survey,web,9,,,,,,,,,short'
	} >"$d/bigfield.csv"
	# 100 MB in the touchpoint, the column every rule reads
	{
		echo "$h"
		printf 'c1,2024-01-01T10:00:00Z,'
		head -c 100000000 /dev/zero | tr '\0' y
		printf ',survey,web,9,,,,,,,,\n'
	} >"$d/bigtp.csv"
	# 100,000 columns: the touch stream's 14, then x15 .. x100000
	awk -v h="$h" 'BEGIN {
		ORS = ""; print h; for (i = 15; i <= 100000; i++) print ",x" i; print "\n"
		print "c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,"
		for (i = 15; i <= 100000; i++) print ",v" i; print "\n" }' >"$d/wide.csv"
	# a million empty lines after the header, then a good row, an NPS 11 and a short row
	{
		echo "$h"
		yes '' | head -n 1000000
		echo 'c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,'
		echo 'c2,2024-01-02T10:00:00Z,survey_response,survey,web,11,,,,,,,,'
		echo short
	} >"$d/blank.csv"
	yes '' | head -n 1000000 >"$d/blankonly.csv"
}

setup() {
	adv_setup
	D=$BATS_FILE_TMPDIR
}

# brun RC PROG ARGS...: like arun, under timeout 120 (124 = a hang)
brun() {
	local want=$1 p=$2 rc=0
	shift 2
	adv_args "$p"
	rm -f "$T/st.csv"
	if [ "${JT_VALGRIND:-0}" = 1 ]; then
		"$p" "${ADV_ARGS[@]}" --stats "$T/st.csv" "$@" >"$T/out" 2>"$T/err" || rc=$?
	else
		timeout 120 "$REPO/bin/$p" "${ADV_ARGS[@]}" --stats "$T/st.csv" "$@" >"$T/out" 2>"$T/err" || rc=$?
	fi
	if [ "$rc" != "$want" ]; then
		{ echo "$p $*: exit status $rc, expected $want (124: a hang)"; head -c 2000 "$T/err"; } >&2
		return 1
	fi
}

no_valgrind() {
	if [ "${JT_VALGRIND:-0}" = 1 ]; then skip "100 MB under valgrind takes minutes"; fi
}

@test "adv: a 100 MB field passes through every program whole" {
	no_valgrind
	local p
	for p in $ADV_PROGS; do
		brun 0 "$p" "$D/bigfield.csv"
		errs_are "$p"
		stats_are rows_in=2 rows_out=2 rows_rejected=0
		case $p in
		jtouch | jstage | jvalue)	# the comment column is carried
			assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1 | head -c 10)" "c1"
			assert_equal "$(wc -l <"$T/out")" 3
			# the comment is field 16 (jtouch) or 15, whole; the row's other fields are short
			# (cut and wc: awk takes a minute a program over a 100 MB field)
			local f=$([ "$p" = jtouch ] && echo 16 || echo 15)
			assert_equal "$(sed -n 2p "$T/out" | cut -d, -f"$f" | wc -c)" 100000001
			[ "$(sed -n 2p "$T/out" | wc -c)" -lt 100000200 ] ;;
		jkpi)
			same <<<"$(header_of jkpi)
2,100.00,-24.41,100.00,2,0,0,2,0" ;;
		esac
	done
}

@test "adv: a 100 MB touchpoint goes through the rules (no rule matches it) in jstage and jvalue" {
	no_valgrind
	local p
	for p in jstage jvalue; do
		brun 0 "$p" "$D/bigtp.csv"
		err_is ""
		stats_are rows_in=1 rows_out=1 rows_rejected=0
		# stage (jstage) or activity (jvalue) is empty
		assert_equal "$(cut -d, -f15 "$T/out" | tail -n 1)" ""
		assert_equal "$(wc -c <"$T/out")" "$([ "$p" = jstage ] && echo 100000178 || echo 100000182)"
	done
}

@test "adv: a header of 100,000 columns: every program runs in linear time and passes them through" {
	local p
	for p in $ADV_PROGS; do
		brun 0 "$p" "$D/wide.csv"
		errs_are "$p"
		stats_are rows_in=1 rows_out=1 rows_rejected=0
		invariant
		case $p in
		jstage)
			assert_equal "$(head -n 1 "$T/out" | awk -F, '{ print NF, $15, $100000, $NF }')" "100003 x15 x100000 gap_s"
			assert_equal "$(sed -n 2p "$T/out" | awk -F, '{ print NF, $100000, $100001 }')" "100003 v100000 loyalty" ;;
		jvalue)
			assert_equal "$(head -n 1 "$T/out" | awk -F, '{ print NF, $100001, $NF }')" "100002 activity activity_kind"
			assert_equal "$(sed -n 2p "$T/out" | awk -F, '{ print NF, $100000, $100001 }')" "100002 v100000 service" ;;
		jtouch)	# carries only the columns its profile names
			assert_equal "$(head -n 1 "$T/out")" "$(header_of jtouch)" ;;
		jkpi)
			assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1,2)" "1,100.00" ;;
		esac
	done
	# a KPI on the last column and a group by the 100,000th
	PROG=jkpi jtrc 0 -g x100000 -k count "$D/wide.csv"
	same <<<"x100000,count
v100000,1"
}

@test "adv: a million empty lines are skipped and counted: the next rows keep their line numbers" {
	local p
	for p in $ADV_PROGS; do
		brun 0 "$p" "$D/blank.csv"
		case $p in
		jtouch | jkpi)
			errs_are "$p" "$p: $D/blank.csv:1000003: column 'nps': nps '11' is not in 0-10" \
				"$p: $D/blank.csv:1000004: expected 14 fields, found 1 (use --ragged to pad short rows)" \
				"$p: 2 rows rejected (1 field count, 1 out of range) (use --rejects FILE to keep them)"
			stats_are rows_in=3 rows_out=1 rows_rejected=2 ;;
		*)
			errs_are "$p" "$p: $D/blank.csv:1000004: expected 14 fields, found 1 (use --ragged to pad short rows)" \
				"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
			stats_are rows_in=3 rows_out=2 rows_rejected=1 ;;
		esac
		invariant
	done
}

@test "adv: a file of a million empty lines is an empty input (no header): no output, exit 0" {
	local p
	for p in $ADV_PROGS; do
		brun 0 "$p" "$D/blankonly.csv"
		err_is ""
		same </dev/null
		stats_are rows_in=0 rows_out=0 rows_rejected=0
	done
}
