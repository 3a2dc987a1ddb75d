#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# Row filters (issue 16): --where in every program, `where` in jtouch profiles,
# rows_filtered in --stats; and a file none of whose rows was used because
# every one was rejected makes the run exit 1 (--max-rejects 100% allows it).
# jtools(7), "Row filters" and "Rejected rows".
bats_require_minimum_version 1.5.0
load test_helper
load adv_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	cat >tickets.csv <<'EOF'
id,queue,status,country,amount,note
1,Billing,Closed,FR,10.5,
2,Tech,Open,DE,7,urgent
3,Billing,Open,FR,,late
4,Sales,Closed,NL,n/a,
5,Tech,Closed,FR,1e2,x
EOF
}

# ids WHERE...: the ids jvalue passes with these --where, as one line "1 3 ".
ids() {
	local a=() w
	for w in "$@"; do a+=(--where "$w"); done
	PROG=jvalue jt "${a[@]}" tickets.csv
	sed 1d "$T/out" | cut -d, -f1 | tr '\n' ' '
}

@test "where: = and != compare the bytes; == is =" {
	assert_equal "$(ids 'queue = Billing')" "1 3 "
	assert_equal "$(ids 'queue == Billing')" "1 3 "
	assert_equal "$(ids 'queue=Billing')" "1 3 "
	assert_equal "$(ids 'queue != Billing')" "2 4 5 "
	assert_equal "$(ids 'queue = billing')" ""
	assert_equal "$(ids 'amount = 10.50')" ""	# text, not numbers
	assert_equal "$(ids 'amount = 10.5')" "1 "
}

@test "where: ~ and !~ match a PCRE2 pattern ((?i) for any case)" {
	assert_equal "$(ids 'queue ~ ^(Bill|Sal)')" "1 3 4 "
	assert_equal "$(ids 'queue ~ (?i)TECH')" "2 5 "
	assert_equal "$(ids 'queue !~ ^B')" "2 4 5 "
	assert_equal "$(ids 'note ~ .')" "2 3 5 "
}

@test "where: COL = '' is empty, COL != '' is not; quotes keep a value's blanks" {
	assert_equal "$(ids "note = ''")" "1 4 "
	assert_equal "$(ids 'note = ""')" "1 4 "
	assert_equal "$(ids "note != ''")" "2 3 5 "
	assert_equal "$(ids "status = ' Open'")" ""
	assert_equal "$(ids "status = 'Open'")" "2 3 "
	assert_equal "$(ids 'status =   Open   ')" "2 3 "
}

@test "where: < <= > >= compare numbers exactly; a cell that is not a number never holds (filtered, not rejected)" {
	assert_equal "$(ids 'amount > 10')" "1 5 "
	assert_equal "$(ids 'amount >= 7')" "1 2 5 "
	assert_equal "$(ids 'amount < 10.5')" "2 "
	assert_equal "$(ids 'amount <= 10.500')" "1 2 "
	assert_equal "$(ids 'amount > 10.499999999')" "1 5 "
	assert_equal "$(ids 'amount >= 1e2')" "5 "
	assert_equal "$(ids 'amount >= -1e3')" "1 2 5 "	# 3 (empty) and 4 (n/a) never
	assert_equal "$(ids 'amount < -1e3')" ""
	PROG=jvalue jt --where 'amount < 1000' --stats "$T/st.csv" tickets.csv
	stats_are rows_in=5 rows_out=3 rows_filtered=2 rows_rejected=0
	invariant
}

@test "where: repeated, every condition must hold" {
	assert_equal "$(ids 'queue = Billing' 'status = Open')" "3 "
	assert_equal "$(ids 'country = FR' 'amount > 10' 'note != ""')" "5 "
	assert_equal "$(ids 'country = FR' 'country = DE')" ""
}

@test "where: a column by #N, a quoted name, names with blanks and colons" {
	assert_equal "$(ids '#2 = Tech')" "2 5 "
	assert_equal "$(ids ' #2 = Tech ')" "2 5 "
	printf 'a=b,resource country,lifecycle:transition\n1,France,complete\n2,Sweden,start\n' >odd.csv
	PROG=jkpi jt --where "'a=b' = 1" -k count odd.csv
	same <<<"count
1"
	PROG=jkpi jt --where 'resource country = France' --where 'lifecycle:transition = complete' -k count odd.csv
	same <<<"count
1"
	PROG=jkpi jt --where '"resource country" != France' -k count odd.csv
	same <<<"count
1"
	# -n: the columns are 1, 2, ...
	PROG=jkpi jt -n --where '2 = France' -k count odd.csv
	same <<<"count
1"
}

@test "where: every program filters, counts rows_filtered, and keeps the invariant" {
	cp "$FIX/touches.csv" t.csv	# channels: web, web, email, phone, phone
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" --where 'channel = web' t.csv
		errs_are "$p"
		stats_are rows_in=5 rows_filtered=3 rows_rejected=0 rows_skipped=0
		invariant
	done
	arun 0 jkpi --where 'channel = web' t.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1)" "2"
	# with --since: filtered first, then skipped
	arun 0 jkpi --where 'channel != phone' --since 2024-01-02 t.csv
	stats_are rows_in=5 rows_out=2 rows_filtered=2 rows_skipped=1
	invariant
}

@test "where: an unknown column stops the run listing the columns (exit 1); #N past the last too" {
	PROG=jkpi jtrc 1 --where 'Queue = x' -k count tickets.csv
	err_is "jkpi: tickets.csv:1: no column named 'Queue' (columns: id, queue, status, country, amount, note); did you mean 'queue'?"
	PROG=jkpi jtrc 1 --where '#9 = x' -k count tickets.csv
	err_is "jkpi: tickets.csv:1: --where '#9 = x': column #9 does not exist (the input has 6 columns)"
	PROG=jtouch jtrc 1 --where 'qeue = x' --customer id --touch 'x amount' tickets.csv
	err_is "jtouch: tickets.csv:1: no column named 'qeue' (columns: id, queue, status, country, amount, note); did you mean 'queue'?"
	PROG=jstage jtrc 1 --where 'nope = 1' "$FIX/touches.csv"
	err_is "jstage: $FIX/touches.csv:1: no column named 'nope' (columns: customer, time, touchpoint, source, channel, nps, csat, ces, first_reply_s, resolution_s, reopens, amount, delay_s, referee); did you mean 'nps'?"
}

@test "where: bad expressions are usage errors (exit 2) before any input is read, with the reason" {
	local e m
	while IFS='|' read -r e m; do
		run --separate-stderr jkpi --where "$e" -k count /nonexistent.csv
		assert_failure 2
		assert_equal "$stderr" "jkpi: --where '$e': $m
Try 'jkpi --help' for more information."
	done <<'EOF'
queue|no operator (COL = VALUE, or != ~ !~ < <= > >=)
= x|no column before the operator
queue =|no value after '=' (the empty value is written '')
queue !=   |no value after '!=' (the empty value is written '')
amount >|no value after '>'
amount > 1,5|'1,5' is not a number (write it with a '.' for decimals and no thousands separators)
amount <= abc|'abc' is not a number
queue ~ (|invalid pattern '(': missing closing parenthesis at offset 1
queue = 'x|unterminated quote
queue = 'x' y|text after the quoted value
'queue x|unterminated quote
'queue' x|no operator after the column (COL = VALUE, or != ~ !~ < <= > >=)
#0 = x|'#0': column numbers start at 1
#x = 1|'#x' is not a column number
queue ! x|'!' is not an operator (= != ~ !~ < <= > >=)
EOF
	# the same words in jtouch (a setting) and in a profile (its line and column)
	PROG=jtouch jtrc 2 --where 'queue ~ (' --customer id --touch 'x amount' tickets.csv
	err_is "jtouch: --where 'queue ~ (': invalid pattern '(': missing closing parenthesis at offset 1
Try 'jtouch --help' for more information."
	printf 'customer id\ntouch x amount\nwhere amount > ten\n' >bad.profile
	PROG=jtouch jtrc 2 -p ./bad.profile tickets.csv
	err_is "jtouch: ./bad.profile:3:7: 'ten' is not a number
Try 'jtouch --help' for more information."
	# jkpi --merge takes its rows from partials
	PROG=jkpi jtrc 2 --merge --where 'a = b' /nonexistent.csv
	err_is "jkpi: --merge takes its KPIs, groups, maps and zone from the partials (only -s, --expect, --row-order, --format and its page options, -o and the input options go with it)
Try 'jkpi --help' for more information."
}

@test "where: a pattern that backtracks too much stops the run at its line (exit 1)" {
	local a60
	a60=$(printf 'a%.0s' $(seq 1 60))
	printf 'k\nab\n%sb\n' "$a60" >evil.csv
	PROG=jkpi jtrc 1 --where 'k ~ (a+)+$' -k count evil.csv
	err_is "jkpi: evil.csv:3: --where 'k ~ (a+)+\$': match limit exceeded on '${a60}b' (the pattern backtracks too much: simplify it)"
}

@test "where: jtouch filters the export's own rows before touches: a filtered row is never rejected" {
	printf 'id,status,opened,amount\n1,Closed,2024-01-01,5\n2,Draft,not a time,x\n3,Closed,2024-01-03,\n' >ex.csv
	PROG=jtouch jtrc 0 --where 'status = Closed' --customer id --touch 'ticket_opened opened' \
		--measure 'amount = amount' --stats "$T/st.csv" ex.csv
	err_is "jtouch: 3 rows in: 2 emitted 2 touches; 1 left out by where"
	assert_equal "$(cut -d, -f1,3 "$T/out" | tr '\n' ' ')" "customer,touchpoint 1,ticket_opened 3,ticket_opened "
	stats_are rows_in=3 rows_out=2 rows_filtered=1 rows_rejected=0
	invariant
	# the same as a profile line; it applies to the files after it, not before
	cat >ex.profile <<'EOF'
customer id
touch ticket_opened opened
where status = Closed
EOF
	PROG=jtouch jt -q -p ./ex.profile ex.csv
	assert_equal "$(wc -l <"$T/out")" 3
	PROG=jtouch jtrc 0 --customer id --touch 'ticket_opened opened' --max-rejects 100% ex.csv --where 'status = Closed' ex.csv
	assert_equal "$(head -n 1 "$T/err")" "jtouch: ex.csv:3: column 'opened': 'not a time' is not a time"
	assert_equal "$(sed 1d "$T/out" | cut -d, -f1 | tr '\n' ' ')" "1 3 1 3 "
	# on the raw columns: a column the touch stream does not carry
	PROG=jtouch jt -q --where 'amount = ""' --customer id --touch 'ticket_opened opened' ex.csv
	assert_equal "$(sed 1d "$T/out" | cut -d, -f1)" "3"
}

@test "where: jrefer filters a raw export and the touch stream alike" {
	printf 'referrer,referee,sent_at\nr1,a,2024-01-01\nr1,b,2024-01-02\nr2,c,2024-01-03\n' >ref.csv
	PROG=jrefer jt --referrer referrer --referee referee --time sent_at --where 'referrer = r2' --stats "$T/st.csv" ref.csv
	assert_equal "$(cut -d, -f1,3 "$T/out" | tr '\n' ' ')" "referrer,invites r2,1 "
	stats_are rows_in=3 rows_filtered=2
}

# ---------------------------------------------------------------- real event logs

@test "where: real BPIC 2012 log: only lifecycle:transition = COMPLETE events, counted per activity, equal awk" {
	need_shared
	local f="$SHARED/bpic2012-loan-application/bpic2012_events.csv"
	PROG=jkpi jt -s --where 'lifecycle:transition = COMPLETE' -g concept:name -k count,distinct:case_id --stats "$T/st.csv" "$f"
	awk -F, 'NR > 1 && $3 == "COMPLETE" { n[$2]++; if (!(($2, $1) in seen)) { seen[$2, $1]; c[$2]++ } }
		END { for (a in n) print a "," n[a] "," c[a] ",0" }' "$f" | LC_ALL=C sort >want.csv
	sed 1d "$T/out" | same want.csv
	stats_are rows_in=262200 rows_out=164506 rows_filtered=97694 rows_rejected=0
	invariant
}

@test "where: real road-traffic fines log: a jtouch profile's where keeps the complete events" {
	need_shared
	local f="$SHARED/road-traffic-fines-event-log/roadtraffic100traces.csv"
	cat >fines.profile <<'EOF'
customer case:concept:name
touch {concept:name} time:timestamp
where lifecycle:transition = complete
where amount >= 50
EOF
	PROG=jtouch jt -q -p ./fines.profile "$f"
	local want
	want=$(awk -F, 'NR > 1 && $8 == "complete" && $1 != "" && $1 + 0 >= 50' "$f" | wc -l)
	assert_equal "$(($(wc -l <"$T/out") - 1))" "$want"
	[ "$want" -gt 0 ]
}

@test "where: real BPIC 2013 incidents: one country (a column with a blank) and one support queue" {
	need_shared
	local f="$SHARED/bpic2013-volvo-it-incidents/bpic2013_incidents_events.csv"
	PROG=jkpi jt --where 'resource country = France' -k count,distinct:case_id "$f"
	assert_equal "$(sed -n 2p "$T/out")" "$(awk -F, 'NR > 1 && $10 == "France" { n++; if (!($1 in s)) { s[$1]; c++ } } END { print n "," c ",0" }' "$f")"
	PROG=jkpi jt --where 'org:group = V30' -g concept:name -s -k count "$f"
	awk -F, 'NR > 1 && $6 == "V30" { n[$2]++ } END { for (a in n) print a "," n[a] }' "$f" | LC_ALL=C sort >want.csv
	sed 1d "$T/out" | same want.csv
}

# ---------------------------------------------------------------- a file none of whose rows was used

@test "rejects: a file whose every row is rejected exits 1 in every program, naming it; --max-rejects 100% allows it" {
	{ echo "$H"; echo 'c1,yesterday,survey_response,survey,web,9,,,,,,,,'; echo 'c2,tomorrow,survey_response,survey,web,9,,,,,,,,'; } >bad.csv
	local p
	for p in $ADV_PROGS; do
		case $p in
		jkpi | jvalue) set -- --since 2024-01-01 ;;	# they read the time only for --since
		jrefer) set -- --until 2030-01-01 ;;
		*) set -- ;;
		esac
		rm -f "$T/st.csv"
		arun 1 "$p" "$@" -q bad.csv
		assert_equal "$(tail -n 1 "$T/err")" "$p: bad.csv: no row was used, 2 rejected (--max-rejects 100% allows it)"
		case $p in jtouch | jvalue) ;; *) same </dev/null ;; esac	# the streaming two wrote their header
		stats_are rows_in=2 rows_rejected=2
		arun 0 "$p" "$@" -q --max-rejects 100% bad.csv
		arun 0 "$p" "$@" -q --max-rejects 2 bad.csv
		arun 1 "$p" "$@" -q --max-rejects 1 bad.csv
	done
}

@test "rejects: the rule is per file: a bad file among good ones, standard input, -o left alone" {
	{ echo "$H"; echo 'c1,yesterday,survey_response,survey,web,9,,,,,,,,'; } >bad.csv
	cp "$FIX/touches.csv" good.csv
	PROG=jstage jtrc 1 -o out.csv good.csv bad.csv
	assert_equal "$(tail -n 1 "$T/err")" "jstage: bad.csv: no row was used, 1 rejected (--max-rejects 100% allows it)"
	[ ! -e out.csv ]
	PROG=jstage jtrc 1 -q - <bad.csv
	err_is "jstage: 1 row rejected (1 bad time) (use --rejects FILE to keep them)
jstage: <stdin>: no row was used, 1 rejected (--max-rejects 100% allows it)"
	cp bad.csv bad2.csv
	cp bad.csv bad3.csv
	PROG=jstage jtrc 1 -q bad.csv good.csv bad2.csv bad3.csv
	err_is "jstage: 3 rows rejected (3 bad time) (use --rejects FILE to keep them)
jstage: bad.csv: no row was used, 1 rejected (and 2 more inputs) (--max-rejects 100% allows it)"
	# some rows used: no
	cat good.csv >mixed.csv
	echo 'c9,yesterday,survey_response,survey,web,9,,,,,,,,' >>mixed.csv
	PROG=jstage jtrc 0 -q mixed.csv
}

@test "rejects: the input none of whose rows was used is named in full, however long its path" {
	local d=exports/olist-marketing-funnel/2024-06-30/olist_marketing_qualified_leads_dataset_full_export
	mkdir -p "$d"
	printf 'g,v\na,x\n' >"$d/leads.csv"
	PROG=jkpi jtrc 1 -q -k sum:v "$d/leads.csv"
	err_is "jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)
jkpi: $d/leads.csv: no row was used, 1 rejected (--max-rejects 100% allows it)"
}

@test "warnings name a long input path in full: absent optional column, --encoding auto, --decimal-comma with ',', the header again" {
	local d=exports/olist-marketing-funnel/2024-06-30/olist_marketing_qualified_leads_dataset_full_export
	mkdir -p "$d"
	printf 'g,t\nb\351,2024-01-01\ng,t\n' >"$d/a.csv"
	PROG=jtouch jtrc 0 --customer g --touch 'x t' --carry 'note?' --encoding auto "$d/a.csv"
	err_is "jtouch: warning: $d/a.csv:2: byte 0xe9 is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)
jtouch: warning: the command line: $d/a.csv has no column 'note' (optional: it reads as empty)
jtouch: warning: $d/a.csv:3: the header again, skipped (exports joined with cat?); --stats counts every one as headers_skipped"
	PROG=jkpi jtrc 0 --decimal-comma -k count "$d/a.csv"
	assert_equal "$(head -n 1 "$T/err")" "jkpi: warning: $d/a.csv: --decimal-comma with ',' as the delimiter reads only quoted numbers (\"1234,5\"); an unquoted one is two fields (give -d ';' or --delimiter auto)"
}

@test "rejects: filtered rows do not count as used; a file filtered to nothing is not an error" {
	printf 'g,v\na,x\nb,1\n' >f.csv
	PROG=jkpi jtrc 1 -q --where 'g = a' -k sum:v f.csv
	err_is "jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)
jkpi: f.csv: no row was used, 1 rejected (--max-rejects 100% allows it)"
	PROG=jkpi jt --where 'g = c' -k sum:v --stats "$T/st.csv" f.csv
	stats_are rows_in=2 rows_out=0 rows_filtered=2 rows_rejected=0
	# rows without a time in jtouch are skipped, not used: the one with a bad time still fails the file
	printf 'id,t\n1,\n2,never\n' >e.csv
	PROG=jtouch jtrc 1 -q --customer id --touch 'x t' e.csv
	err_is "jtouch: 1 row rejected (1 bad time) (use --rejects FILE to keep them)
jtouch: e.csv: no row was used, 1 rejected (--max-rejects 100% allows it)"
}
