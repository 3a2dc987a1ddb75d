#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Messages (issue 14, items 15 and 16): every name and value a message quotes
# is escaped (one line of UTF-8), and -q leaves errors only. jtools(7),
# "Messages".
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

@test "messages: option values, file names and column names with newlines or invalid UTF-8 are escaped" {
	run -2 jtouch -p $'a\nb' x.csv
	assert_line --index 0 --regexp '^jtouch: -p a\\nb: no such profile \(shipped in .*; or give a file path\)$'
	assert_equal "${#lines[@]}" 2
	# a column name of Latin-1 bytes, in a per-row message and in the rejects file
	printf 'v\xe9\nx\n' >latin.csv
	run -0 jkpi -k 'sum:#1' --max-rejects 100% --rejects rj.csv latin.csv
	assert_line --index 0 "jkpi: latin.csv:2: column 'v\\xe9': 'x' is not a number"
	assert_equal "$(tail -n 1 rj.csv)" "x,latin.csv,2,column 'v\\xe9': 'x' is not a number"
	# a file name with a newline, in "no such file" and in a row's place
	run -1 jkpi -k count $'no\nsuch.csv'
	assert_output 'jkpi: no\nsuch.csv: No such file or directory'
	printf 'n\n11\n' >$'f\n1.csv'
	run -0 jkpi -k nps:n --max-rejects 100% $'f\n1.csv'
	assert_line --index 0 "jkpi: f\\n1.csv:2: column 'n': nps '11' is not in 0-10"
	# an unknown column named with a tab and a newline
	run -1 jkpi -g $'a\tb\nc' -k count latin.csv
	assert_line --index 0 "jkpi: latin.csv:1: no column named 'a\\tb\\nc' (columns: v\\xe9) (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	assert_equal "${#lines[@]}" 1
	# a value with a carriage return
	printf 'customer,time,touchpoint\nc1,"\r2024",x\n' >cr.csv
	run -0 jkpi --since 2024-01-01 -k count --max-rejects 100% cr.csv
	assert_line --index 0 "jkpi: cr.csv:2: column 'time': '\\r2024' is not a time"
}

@test "messages: a rules file that is a directory says 'Is a directory' (exit 2)" {
	mkdir rd
	run -2 jstage -r rd /dev/null
	assert_output "jstage: rd: Is a directory
Try 'jstage --help' for more information."
	run -2 jvalue -r rd /dev/null
	assert_output "jvalue: rd: Is a directory
Try 'jvalue --help' for more information."
}

# a raw export with a touch whose time is missing (its measure is dropped), a
# bad time (rejected), and a good row
raw() {
	printf 'id,t1,t2,x\nc1,2024-01-01,,5\nc2,yesterday,2024-01-02,3\nc3,2024-01-01,2024-01-03,4\n' >raw.csv
}

@test "messages: jtouch -q prints nothing on success: the counts are in --stats" {
	raw
	local args=(--customer id --touch 'a t1' --touch 'b t2' --measure 'amount = x on b')
	run -0 --separate-stderr jtouch "${args[@]}" --stats st.csv raw.csv
	assert_equal "$stderr" "jtouch: raw.csv:3: column 't1': 'yesterday' is not a time
jtouch: 3 rows in: 2 emitted 3 touches; 1 rejected; 1 value dropped (measure or referee whose touch has no timestamp)
jtouch: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	run -0 --separate-stderr jtouch -q "${args[@]}" --stats st.csv raw.csv
	assert_equal "$stderr" ""
	stats_are rows_in=3 rows_out=2 rows_rejected=1 measures_dropped=1 touches_out=3
	run -0 --separate-stderr jtouch -q "${args[@]}" --rejects rj.csv raw.csv
	assert_equal "$stderr" ""
	# with neither --stats nor --rejects the rejected rows still get their one line
	run -0 --separate-stderr jtouch -q "${args[@]}" raw.csv
	assert_equal "$stderr" "jtouch: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	# errors still print
	run -2 --separate-stderr jtouch -q "${args[@]}" --measure 'amount = x on nosuch' raw.csv
	[ -n "$stderr" ]
}

@test "messages: -q silences the counts of jrefer and jvalue too (in --stats instead)" {
	# p refers b after b was already a customer: kept and flagged
	printf 'customer,time,touchpoint,referee\nb,2024-01-01T00:00:00Z,site_visit,\np,2024-01-03T00:00:00Z,referral_sent,b\n' >ref.csv
	run -0 --separate-stderr jrefer --summary ref.csv
	assert_equal "$stderr" "jrefer: 1 referral kept but flagged: the referee was a customer before (use --flags FILE to list them)"
	run -0 --separate-stderr jrefer -q --summary --stats st.csv ref.csv
	assert_equal "$stderr" ""
	stats_are referrals_flagged=1
	printf 'customer,time,touchpoint,stage,activity,nps\na,2024-01-01T00:00:00Z,x,support,service,9\nb,2024-01-01T00:00:00Z,x,support,service,\n' >v.csv
	run -0 --separate-stderr jvalue --impact nps v.csv
	assert_equal "$stderr" "jvalue: 1 of 2 customers have no nps value anywhere and are left out"
	run -0 --separate-stderr jvalue -q --impact nps --stats st.csv v.csv
	assert_equal "$stderr" ""
	stats_are customers_without_value=1
}

# The programs of a pipeline share stderr: a message line written in pieces would
# mix with another program's (a cron mail of garbled lines). Each line is one write.
@test "messages: each message line is one write to stderr (errors, usage errors with their hint, rejects, warnings)" {
	command -v strace >/dev/null || skip "strace is not installed (only this check needs it)"
	[ -z "${ASAN_OPTIONS:-}" ] || skip "strace and LeakSanitizer do not run together"
	printf 'n\n11\n5\n' >n.csv
	writes() { strace -f -qq -e trace=write -o "$T/trace" "$@" >/dev/null 2>"$T/err" || true; grep -c '^[0-9]* *write(2,' "$T/trace"; }
	# a usage error and its hint: one write for both lines
	assert_equal "$(writes "$REPO/bin/jkpi" -j 0 n.csv)" 1
	assert_equal "$(wc -l <"$T/err")" 2
	# a reject's line and the summary: a write each
	assert_equal "$(writes "$REPO/bin/jkpi" -k nps:n n.csv)" 2
	# a data error with an escaped name
	assert_equal "$(writes "$REPO/bin/jkpi" -k count $'no\nsuch.csv')" 1
	# a warning (the delimiter guess on a ';' file with --decimal-comma and ',')
	printf 'a;b\n1;2\n' >semi.csv
	assert_equal "$(writes "$REPO/bin/jtouch" -q --customer a --touch 'x b' --max-rejects 100% semi.csv)" "$(grep -c . "$T/err")"
}
