#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Adversarial suite, values (issue 9): years 0000 and 9999, NPS 11 and -1,
# 1e309, thousands separators and decimal commas, and patterns that backtrack
# catastrophically. Every program that reads a value checks it with the same
# words; the ones that do not read it pass it through untouched.
bats_require_minimum_version 1.5.0
load test_helper
load adv_helper

setup() { adv_setup; }

# ---------------------------------------------------------------- years

years_csv() {
	{
		echo "$H"
		echo 'c1,0000-01-01T00:00:00Z,survey_response,survey,web,9,,,,,,,,'
		echo 'c1,9999-12-31T23:59:59Z,survey_response,survey,web,9,,,,,,,,'
		echo 'c1,10000-01-01T00:00:00Z,survey_response,survey,web,9,,,,,,,,'
	} >years.csv
}

@test "adv: years 0000 and 9999 are times in every program; a fifth digit is not" {
	years_csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" years.csv
		case $p in
		jvalue | jkpi)	# do not read time here
			errs_are "$p"
			stats_are rows_in=3 rows_out=3 rows_rejected=0 ;;
		*)
			errs_are "$p" "$p: years.csv:4: column 'time': '10000-01-01T00:00:00Z' is not a time" \
				"$p: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
			stats_are rows_in=3 rows_out=2 rows_rejected=1 "rejected:bad time=1" ;;
		esac
		invariant
	done
	# 10,000 years less a second between the two touches
	arun 0 jstage years.csv
	assert_equal "$(sed -n 3p "$T/out" | cut -d, -f2,17)" "9999-12-31T23:59:59Z,315569519999"
	# --since/--until read the same range
	arun 0 jkpi --since 0000-01-01 --until 9999-12-31T23:59:59Z years.csv
	errs_are jkpi "jkpi: years.csv:4: column 'time': '10000-01-01T00:00:00Z' is not a time" \
		"jkpi: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	stats_are rows_in=3 rows_out=1 rows_skipped=1 rows_rejected=1
	invariant
}

@test "adv: time buckets of years 0000 and 9999 (0000-01-01 is in ISO week 52 of year -1)" {
	years_csv
	sed -i '$d' years.csv
	local b
	for b in day week month quarter year; do
		PROG=jkpi jtrc 0 -g "$b:time" -k count years.csv
		err_is ""
		case $b in
		day) same <<<"day_time,count
0000-01-01,1
9999-12-31,1" ;;
		week) same <<<"week_time,count
-0001-W52,1
9999-W52,1" ;;
		month) same <<<"month_time,count
0000-01,1
9999-12,1" ;;
		quarter) same <<<"quarter_time,count
0000-Q1,1
9999-Q4,1" ;;
		year) same <<<"year_time,count
0000,1
9999,1" ;;
		esac
	done
	PROG=jstage jtrc 0 --cohorts week years.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-4)" "-0001-W52,1,100.00,0.00"
}

# ---------------------------------------------------------------- NPS out of range

# lines 2..8: 11, -1, 1e309, abc, 9.5, then 10 and +7.0e0 (valid)
nps_csv() {
	{
		echo "$H"
		for v in 11 -1 1e309 abc 9.5 10 +7.0e0; do
			printf 'c1,2024-01-01T10:00:00Z,survey_response,survey,web,%s,,,,,,,,\n' "$v"
		done
	} >nps.csv
}

# nps_errs PROG: the five rejects of nps.csv, in the one wording every program uses
nps_errs() {
	errs_are "$1" "$1: nps.csv:2: column 'nps': nps '11' is not in 0-10" \
		"$1: nps.csv:3: column 'nps': nps '-1' is not in 0-10" \
		"$1: nps.csv:4: column 'nps': nps '1e309' is not in 0-10" \
		"$1: nps.csv:5: column 'nps': nps 'abc' is not a number" \
		"$1: nps.csv:6: column 'nps': nps '9.5' is not a whole number in 0-10" \
		"$1: 5 rows rejected (1 not a number, 4 out of range) (use --rejects FILE to keep them)"
	stats_are rows_in=7 rows_out=2 rows_rejected=5 "rejected:not a number=1" "rejected:out of range=4"
	invariant
}

@test "adv: NPS 11, -1, 1e309, abc and 9.5 are rejected in the same words by every program that reads NPS" {
	nps_csv
	local p
	for p in $ADV_PROGS; do
		case $p in
		jtouch | jkpi)
			arun 0 "$p" nps.csv
			nps_errs "$p" ;;
		jvalue)
			arun 0 "$p" --impact nps -g channel nps.csv
			nps_errs "$p" ;;
		jstage)	# the customer table reports the last NPS
			arun 0 "$p" --customers nps.csv
			nps_errs "$p" ;;
		jrefer)	# carries nps without reading it
			arun 0 "$p" nps.csv
			errs_are "$p"
			stats_are rows_in=7 rows_out=7 rows_rejected=0 ;;
		esac
	done
	# nor does jstage's stage annotation read it: it passes through, byte for byte
	arun 0 jstage nps.csv
	errs_are jstage
	assert_equal "$(cut -d, -f6 "$T/out" | tr '\n' ' ')" "nps 11 -1 1e309 abc 9.5 10 +7.0e0 "
	# the kept scores: 10 and +7.0e0, a promoter and a passive; jtouch writes them as given
	arun 0 jkpi nps.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1,2,5,6,7)" "2,50.00,1,1,0"
	arun 0 jtouch nps.csv
	assert_equal "$(cut -d, -f6 "$T/out" | tail -n 2 | tr '\n' ' ')" "10 +7.0e0 "
	# csat and ces use the same words
	{ echo "$H"; echo 'c1,2024-01-01T10:00:00Z,survey_response,survey,web,,6,0.5,,,,,,'; } >scores.csv
	PROG=jkpi jtrc 0 -k csat:csat --max-rejects 100% scores.csv
	err_is "jkpi: scores.csv:2: column 'csat': csat '6' is not in 1-5
jkpi: 1 row rejected (1 out of range) (use --rejects FILE to keep them)"
	PROG=jkpi jtrc 0 -k ces:ces --max-rejects 100% scores.csv
	err_is "jkpi: scores.csv:2: column 'ces': ces '0.5' is not a whole number in 1-7
jkpi: 1 row rejected (1 out of range) (use --rejects FILE to keep them)"
	arun 0 jtouch --max-rejects 100% scores.csv
	errs_are jtouch "jtouch: scores.csv:2: column 'csat': csat '6' is not in 1-5" \
		"jtouch: 1 row rejected (1 out of range) (use --rejects FILE to keep them)"
}

@test "adv: --strict stops at the first NPS out of range in every program that reads NPS" {
	nps_csv
	local p
	for p in jtouch jkpi; do
		arun 1 "$p" --strict nps.csv
		errs_are "$p" "$p: nps.csv:2: column 'nps': nps '11' is not in 0-10"
		no_stats
	done
}

# ---------------------------------------------------------------- 1e309, thousands separators

# lines 2..6: "1,234" (quoted), "1.234,5" (quoted), 1e309, "1 234", then 1.234 (a number: C locale)
amount_csv() {
	{
		echo "$H"
		echo 'c1,2024-01-01T10:00:00Z,order_placed,orders,web,,,,,,,"1,234",,'
		echo 'c2,2024-01-02T10:00:00Z,order_placed,orders,web,,,,,,,"1.234,5",,'
		echo 'c3,2024-01-03T10:00:00Z,order_placed,orders,web,,,,,,,1e309,,'
		echo 'c4,2024-01-04T10:00:00Z,order_placed,orders,web,,,,,,,1 234,,'
		echo 'c5,2024-01-05T10:00:00Z,order_placed,orders,web,,,,,,,1.234,,'
	} >amount.csv
}

# amount_args PROG: PROG reading the amount column
amount_args() {
	case $1 in
	jtouch) AMT_ARGS=(--measure 'amount = amount') ;;
	jstage) AMT_ARGS=(--customers) ;;
	jvalue) AMT_ARGS=(--impact amount -g channel) ;;
	jkpi) AMT_ARGS=(-k sum:amount) ;;
	*) AMT_ARGS=() ;;
	esac
}

@test "adv: 1e309, 1,234, 1.234,5 and '1 234' are rejected in the same words by every program that reads amounts" {
	amount_csv
	local p w hint="(use '.' for decimals and no thousands separators)"
	local dchint="(a decimal comma? --decimal-comma reads it; no thousands separators)"
	for p in $ADV_PROGS; do
		amount_args "$p"
		adv_args "$p"
		if [ "$p" = jkpi ]; then ADV_ARGS=(); fi	# -k sum:amount alone
		rm -f "$T/st.csv"
		PROG=$p jtrc 0 "${ADV_ARGS[@]}" "${AMT_ARGS[@]}" --stats "$T/st.csv" amount.csv
		if [ "$p" = jrefer ]; then	# reads no amounts
			errs_are "$p"
			stats_are rows_in=5 rows_out=5 rows_rejected=0
			continue
		fi
		w=""
		[ "$p" = jtouch ] && w="amount "	# jtouch names the measure the column feeds
		errs_are "$p" "$p: amount.csv:2: column 'amount': $w'1,234' is not a number $dchint" \
			"$p: amount.csv:3: column 'amount': $w'1.234,5' is not a number $hint" \
			"$p: amount.csv:4: column 'amount': $w'1e309' is out of range (|x| < 1e20)" \
			"$p: amount.csv:5: column 'amount': $w'1 234' is not a number $hint" \
			"$p: 4 rows rejected (3 not a number, 1 out of range) (use --rejects FILE to keep them)"
		stats_are rows_in=5 rows_out=1 rows_rejected=4 "rejected:not a number=3" "rejected:out of range=1"
		invariant
	done
	# 1.234 is one and a bit (numbers are read in the C locale, whatever LC_NUMERIC says)
	LC_ALL=de_DE.UTF-8 PROG=jkpi jtrc 0 -k sum:amount -q amount.csv
	assert_equal "$(sed -n 2p "$T/out")" "1.234,1,0"
}

@test "adv: with -d ';' a decimal comma is a field of its own text, and still not a number" {
	printf 'customer;time;amount\nc1;2024-01-01T10:00:00Z;1.234,5\n' >semi.csv
	PROG=jkpi jtrc 0 -d ';' -k sum:amount --max-rejects 100% semi.csv
	err_is "jkpi: semi.csv:2: column 'amount': '1.234,5' is not a number (use '.' for decimals and no thousands separators)
jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
	assert_equal "$(sed -n 2p "$T/out")" "0,0,0"
}

# ---------------------------------------------------------------- catastrophic backtracking

# evil.csv line 3: 60 'a' then 'b', against (a+)+$ (exponential backtracking)
evil_setup() {
	A60=$(printf 'a%.0s' $(seq 1 60))
	{ echo "$H"; row 1; printf 'c2,2024-01-02T10:00:00Z,%sb,survey,web,9,,,,,,,,\n' "$A60"; } >evil.csv
	printf '# a runaway pattern\nevil touchpoint (a+)+$\n' >evil.rules
	EVIL_TAIL="match limit exceeded on '${A60}b' (the pattern backtracks too much: simplify it)"
}

# trun RC PROG ARGS...: PROG under timeout 20; never a hang (124), then status RC
trun() {
	local want=$1 p=$2 rc=0
	shift 2
	rm -f "$T/st.csv"
	if [ "${JT_VALGRIND:-0}" = 1 ]; then
		"$p" "$@" >"$T/out" 2>"$T/err" || rc=$?
	else
		timeout 20 "$REPO/bin/$p" "$@" >"$T/out" 2>"$T/err" || rc=$?
	fi
	assert_equal "$p: status $rc (124 is a hang)" "$p: status $want (124 is a hang)"
}

@test "adv: a catastrophic rules pattern stops jstage and jvalue cleanly by PCRE2's match limit (exit 1)" {
	evil_setup
	local p
	for p in jstage jvalue; do
		trun 1 "$p" -r evil.rules --stats "$T/st.csv" evil.csv
		err_is "$p: evil.csv:3: rule evil.rules:2 on column 'touchpoint': $EVIL_TAIL"
		no_stats
		# interpreted (no JIT) the limit holds as well
		JT_NO_JIT=1 trun 1 "$p" -r evil.rules evil.csv
		err_is "$p: evil.csv:3: rule evil.rules:2 on column 'touchpoint': $EVIL_TAIL"
	done
}

@test "adv: a runaway pattern in jstage's options and jkpi's column regex stops cleanly (exit 1)" {
	evil_setup
	trun 1 jstage --outcome 'x=touchpoint:(a+)+$' evil.csv
	err_is "jstage: evil.csv:3: --outcome x: $EVIL_TAIL"
	trun 1 jstage --funnel 'touchpoint:(a+)+$' evil.csv
	err_is "jstage: evil.csv:3: --funnel step 'touchpoint:(a+)+\$': $EVIL_TAIL"
	trun 1 jstage --cohorts day --returning '(a+)+$' evil.csv
	err_is "jstage: evil.csv:3: --returning: $EVIL_TAIL"
	# jkpi's /re/ runs on column names
	{ echo "${A60}b,x"; echo "1,2"; } >wide.csv
	trun 1 jkpi -g '/(a+)+$/' -k count wide.csv
	err_is "jkpi: wide.csv:1: -g: regex '/(a+)+\$/': $EVIL_TAIL"
}

@test "adv: a runaway pattern on a 100,000-byte value still stops at once" {
	[ "${JT_VALGRIND:-0}" = 1 ] && skip "too slow under valgrind"
	local a
	a=$(head -c 100000 /dev/zero | tr '\0' a)
	{ echo "$H"; printf 'c1,2024-01-01T10:00:00Z,%sb,survey,web,9,,,,,,,,\n' "$a"; } >long.csv
	printf 'evil touchpoint (a+)+$\n' >evil.rules
	local p
	for p in jstage jvalue; do
		trun 1 "$p" -r evil.rules long.csv
		assert_regex "$(cat "$T/err")" "^$p: long.csv:2: rule evil.rules:1 on column 'touchpoint': match limit exceeded on 'a{81}\\.\\.\\.' \\(the pattern backtracks too much: simplify it\\)\$"
	done
}

@test "adv: the other programs take no patterns on data: the runaway value is plain data to them" {
	evil_setup
	local p
	for p in jtouch jrefer jkpi; do
		arun 0 "$p" evil.csv
		errs_are "$p"
		stats_are rows_in=2 rows_out=2 rows_rejected=0
	done
}
