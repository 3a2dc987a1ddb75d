#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Adversarial suite, CSV structure (issue 9): every program against broken
# quotes, ragged rows, BOM, CRLF and CR line ends, NUL bytes, invalid UTF-8 and
# Latin-1, empty and header-only inputs, duplicate and empty column names,
# missing, unreadable and directory inputs. For each: the exact messages, the
# exit status, and rows in = rows out + rows rejected. Decisions: jtools(7),
# "Input handling".
bats_require_minimum_version 1.5.0
load test_helper
load adv_helper

setup() { adv_setup; }

# ---------------------------------------------------------------- quotes

@test "adv: an unterminated quote stops every program (exit 1, the line it opened on, no stats)" {
	{ echo "$H"; row 1; printf '"c2,2024-01-02T10:00:00Z\n'; } >unterm.csv
	local p
	for p in $ADV_PROGS; do
		arun 1 "$p" unterm.csv
		errs_are "$p" "$p: unterm.csv:3: unterminated quoted field (opened on line 3)"
		no_stats
	done
}

@test "adv: --lazy-quotes takes an unterminated final quote to the end as one field: a short row, rejected" {
	{ echo "$H"; row 1; printf '"c2,2024-01-02T10:00:00Z\n'; } >unterm.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" --lazy-quotes unterm.csv
		errs_are "$p" "$p: unterm.csv:3: expected 14 fields, found 1 (use --ragged to pad short rows)" \
			"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=2 rows_out=1 rows_rejected=1 "rejected:field count=1"
		invariant
	done
}

# line 3: a bare quote inside an unquoted field; line 5: text after a closing quote
stray_csv() {
	{
		echo "$H"
		row 1
		echo 'c2,2024-01-02T10:00:00Z,surv"ey_response,survey,web,9,,,,,,,,'
		row 3
		echo 'c4,2024-01-04T10:00:00Z,survey_response,survey,"web"x,9,,,,,,,,'
	} >stray.csv
}

@test "adv: a stray quote stops every program with a hint to --lazy-quotes (exit 1)" {
	stray_csv
	local p
	for p in $ADV_PROGS; do
		arun 1 "$p" stray.csv
		errs_are "$p" "$p: stray.csv:3: bad quote (use --lazy-quotes to accept stray quotes)"
		no_stats
		# with -o: no output file, no temporary file left behind
		mkdir -p o
		arun 1 "$p" -o o/out.csv stray.csv
		errs_are "$p" "$p: stray.csv:3: bad quote (use --lazy-quotes to accept stray quotes)"
		assert_equal "$(ls -A o)" ""
	done
}

@test "adv: --lazy-quotes keeps a bare quote as data; text after a closing quote runs on to the end (one short row)" {
	stray_csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" --lazy-quotes stray.csv
		# libcsv's lazy mode: after "web" the x is data and the field stays open to the next quote
		errs_are "$p" "$p: stray.csv:5: expected 14 fields, found 5 (use --ragged to pad short rows)" \
			"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=4 rows_out=3 rows_rejected=1
		invariant
	done
	# the bare quote is a byte of the touchpoint, written back quoted; no stage rule knows it
	arun 0 jstage --lazy-quotes stray.csv
	assert_equal "$(sed -n 3p "$T/out")" 'c2,2024-01-02T10:00:00Z,"surv""ey_response",survey,web,9,,,,,,,,,,1,'
}

@test "adv: --lazy-quotes --rejects keeps the swallowed lines in the rejected record" {
	stray_csv
	arun 0 jkpi --lazy-quotes --rejects rej.csv stray.csv
	# the record is padded to the header; its field 5 holds the rest of the file
	same rej.csv <<EOF
$H,reject_file,reject_line,reject_reason
c4,2024-01-04T10:00:00Z,survey_response,survey,"web""x,9,,,,,,,,
",,,,,,,,,,stray.csv,5,"expected 14 fields, found 5 (use --ragged to pad short rows)"
EOF
}

@test "adv: --lazy-quotes: a stray quote that runs a field over several lines is named, never silent" {
	# line 2: text after a closing quote; the field runs on to the quote on line 5,
	# and by chance the record that makes has 14 fields: kept, with a warning
	{
		echo "$H"
		echo 'c0,2024-01-01T10:00:00Z,survey_response,survey,"web"x,9,,,,,,,,'
		row 1
		row 2
		echo 'c3,2024-01-03T10:00:00Z,survey_response,survey,"web",9,,,,,,,,'
	} >swallow.csv
	# the same, but the record ends short: rejected, the message says why
	{
		echo "$H"
		echo 'c0,2024-01-01T10:00:00Z,survey_response,survey,"web"x,9,,,,,,,,'
		row 1
		row 2
		echo 'c3,"a",b'
	} >short.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" --lazy-quotes swallow.csv
		errs_are "$p" "$p: warning: swallow.csv:2: a stray quote on line 2 makes one record of lines 2-5 (check it; without --lazy-quotes it stops the run)"
		stats_are rows_in=1 rows_out=1 rows_rejected=0
		invariant
		arun 0 "$p" --lazy-quotes -q swallow.csv
		errs_are "$p"
		arun 0 "$p" --lazy-quotes --max-rejects 100% short.csv
		errs_are "$p" "$p: short.csv:2: expected 14 fields, found 6 (a stray quote on line 2 makes one record of lines 2-5)" \
			"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=1 rows_out=0 rows_rejected=1
		invariant
	done
	# a quote inside a quoted comment over two lines is what --lazy-quotes is for: kept, and named
	printf 'customer,comment\nc1,"The "best" one\nreally"\nc2,x\n' >comment.csv
	PROG=jkpi jtrc 0 --lazy-quotes -k count comment.csv
	err_is "jkpi: warning: comment.csv:2: a stray quote on line 2 makes one record of lines 2-3 (check it; without --lazy-quotes it stops the run)"
	same <<<"count
2"
	# CRLF line ends count the same lines
	sed 's/$/\r/' short.csv >shortcrlf.csv
	PROG=jkpi jtrc 0 --lazy-quotes -k count --max-rejects 100% shortcrlf.csv
	assert_equal "$(head -n 1 "$T/err")" "jkpi: shortcrlf.csv:2: expected 14 fields, found 6 (a stray quote on line 2 makes one record of lines 2-5)"
}

# ---------------------------------------------------------------- ragged rows

ragged_csv() {
	{
		echo "$H"
		row 1
		echo 'c2,2024-01-02T10:00:00Z,survey_response,survey,web,9'
		row 3
		echo "$(row 4 | tr -d '\n'),extra"
	} >ragged.csv
}

@test "adv: ragged rows are rejected by every program, short ones with a hint to --ragged" {
	ragged_csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" ragged.csv
		errs_are "$p" "$p: ragged.csv:3: expected 14 fields, found 6 (use --ragged to pad short rows)" \
			"$p: ragged.csv:5: expected 14 fields, found 15" \
			"$p: 2 rows rejected (2 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=4 rows_out=2 rows_rejected=2 "rejected:field count=2"
		invariant
	done
}

@test "adv: --ragged pads the short row in every program; the long row is still rejected" {
	ragged_csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" --ragged ragged.csv
		errs_are "$p" "$p: ragged.csv:5: expected 14 fields, found 15" \
			"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=4 rows_out=3 rows_rejected=1 "rejected:field count=1"
		invariant
	done
	arun 0 jstage --ragged ragged.csv
	assert_equal "$(sed -n 3p "$T/out")" "c2,2024-01-02T10:00:00Z,survey_response,survey,web,9,,,,,,,,,loyalty,1,"
}

# ---------------------------------------------------------------- BOM and line ends

@test "adv: a UTF-8 BOM, CRLF and CR-only line ends give every program the output of the LF file" {
	{ echo "$H"; row 1; row 2; echo 'c3,2024-01-03T10:00:00Z,survey_response,survey,"a,b",8,,,,,,,,'; } >lf.csv
	{ printf '\357\273\277'; cat lf.csv; } >bom.csv
	sed 's/$/\r/' lf.csv >crlf.csv
	tr '\n' '\r' <lf.csv >cr.csv
	{ printf '\357\273\277'; sed 's/$/\r/' lf.csv; } >bomcrlf.csv
	local p f
	for p in $ADV_PROGS; do
		arun 0 "$p" lf.csv
		errs_are "$p"
		cp "$T/out" "$T/lf.out"
		assert_equal "$(head -n 1 "$T/out")" "$(header_of "$p")"
		for f in bom crlf cr bomcrlf; do
			arun 0 "$p" "$f.csv"
			errs_are "$p"
			same <"$T/lf.out"
			stats_are rows_in=3 rows_rejected=0
			invariant
		done
	done
}

@test "adv: line numbers in messages are the same with BOM, CRLF and CR-only line ends" {
	ragged_csv
	{ printf '\357\273\277'; cat ragged.csv; } >bom.csv
	sed 's/$/\r/' ragged.csv >crlf.csv
	tr '\n' '\r' <ragged.csv >cr.csv
	local p f
	for p in $ADV_PROGS; do
		for f in bom crlf cr; do
			arun 0 "$p" "$f.csv"
			errs_are "$p" "$p: $f.csv:3: expected 14 fields, found 6 (use --ragged to pad short rows)" \
				"$p: $f.csv:5: expected 14 fields, found 15" \
				"$p: 2 rows rejected (2 field count) (use --rejects FILE to keep them)"
			stats_are rows_in=4 rows_out=2 rows_rejected=2
			invariant
		done
	done
}

@test "adv: a BOM alone, or a BOM on standard input, is handled like a file without one" {
	printf '\357\273\277' >bomonly.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" bomonly.csv
		err_is ""
		same </dev/null
		stats_are rows_in=0 rows_out=0 rows_rejected=0
		{ printf '\357\273\277'; echo "$H"; row 1; } >bom.csv
		adv_args "$p"
		PROG=$p jtrc 0 "${ADV_ARGS[@]}" <bom.csv
		assert_equal "$(head -n 1 "$T/out")" "$(header_of "$p")"
	done
}

@test "adv: a second BOM stays in the first header name and survives the next program (written quoted)" {
	# only the first mark is dropped; written bare at the start of the output,
	# the second would be dropped by the next reader, so the writer quotes it
	printf '\357\273\277\357\273\277x,customer,time,touchpoint\n1,c1,2024-01-01T00:00:00Z,survey_response\n' >bb.csv
	PROG=jstage jt bb.csv
	assert_equal "$(head -n 1 "$T/out")" "$(printf '"\357\273\277x",customer,time,touchpoint,stage,step,gap_s')"
	cp "$T/out" stage.csv
	PROG=jstage jt stage.csv
	same <stage.csv
	PROG=jvalue jt stage.csv
	assert_equal "$(head -n 1 "$T/out")" "$(printf '"\357\273\277x",customer,time,touchpoint,stage,step,gap_s,activity,activity_kind')"
	# the same for a first field that starts with a UTF-16 mark, read back
	printf '\357\273\277\377\376x,customer,time,touchpoint\n1,c1,2024-01-01T00:00:00Z,survey_response\n' >u16.csv
	PROG=jstage jt u16.csv
	assert_equal "$(head -c 5 "$T/out" | od -An -c | tr -s ' ')" "$(printf '"\377\376x"' | od -An -c | tr -s ' ')"
	cp "$T/out" stage16.csv
	PROG=jstage jt stage16.csv
	same <stage16.csv
}

@test "adv: a UTF-16 BOM (LE or BE) without --encoding stops every program with a hint to --encoding (exit 1)" {
	printf '\377\376c\000,\000t\000\n\000' >le.csv
	printf '\376\377\000c\000,\000t\000\n' >be.csv
	local p f
	for p in $ADV_PROGS; do
		for f in le be; do
			arun 1 "$p" "$f.csv"
			errs_are "$p" "$p: $f.csv:1: UTF-16 input (use --encoding auto, or --encoding UTF-16)"
			same </dev/null
			no_stats
		done
	done
}

# ---------------------------------------------------------------- NUL bytes

# line 2: NUL in channel and comment (data); 3: in the customer id; 4: in the
# touchpoint; 5: after the time; 6: after the NPS
nul_csv() {
	{
		echo "$H,comment"
		printf 'c1,2024-01-01T10:00:00Z,survey_response,survey,w\0eb,9,,,,,,,,,a\0b\n'
		printf 'c\0x,2024-01-02T10:00:00Z,survey_response,survey,web,9,,,,,,,,,x\n'
		printf 'c3,2024-01-03T10:00:00Z,survey_resp\0onse,survey,web,9,,,,,,,,,x\n'
		printf 'c4,2024-01-04T10:00:00Z\0,survey_response,survey,web,9,,,,,,,,,x\n'
		printf 'c5,2024-01-05T10:00:00Z,survey_response,survey,web,9\0,,,,,,,,,x\n'
	} >nul.csv
}

@test "adv: NUL bytes are data: a time or NPS holding one is rejected where it is read, shown as \\x00" {
	nul_csv
	local p
	local time_err="column 'time': '2024-01-04T10:00:00Z\\x00' is not a time"
	local nps_err="column 'nps': nps '9\\x00' is not a number"
	for p in $ADV_PROGS; do
		arun 0 "$p" nul.csv
		case $p in
		jtouch)
			errs_are "$p" "$p: nul.csv:5: $time_err" "$p: nul.csv:6: $nps_err" \
				"$p: 2 rows rejected (1 bad time, 1 not a number) (use --rejects FILE to keep them)"
			stats_are rows_in=5 rows_out=3 rows_rejected=2 ;;
		jstage | jrefer)
			errs_are "$p" "$p: nul.csv:5: $time_err" "$p: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
			stats_are rows_in=5 rows_out=4 rows_rejected=1 ;;
		jvalue)	# reads only the rules' columns
			errs_are "$p"
			stats_are rows_in=5 rows_out=5 rows_rejected=0 ;;
		jkpi)
			errs_are "$p" "$p: nul.csv:6: $nps_err" "$p: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
			stats_are rows_in=5 rows_out=4 rows_rejected=1 ;;
		esac
		invariant
	done
}

@test "adv: NUL bytes pass through byte for byte, and an id with a NUL is its own customer" {
	nul_csv
	arun 0 jvalue nul.csv
	{
		echo "$H,comment,activity,activity_kind"
		printf 'c1,2024-01-01T10:00:00Z,survey_response,survey,w\0eb,9,,,,,,,,,a\0b,service,primary\n'
		printf 'c\0x,2024-01-02T10:00:00Z,survey_response,survey,web,9,,,,,,,,,x,service,primary\n'
		printf 'c3,2024-01-03T10:00:00Z,survey_resp\0onse,survey,web,9,,,,,,,,,x,,\n'
		printf 'c4,2024-01-04T10:00:00Z\0,survey_response,survey,web,9,,,,,,,,,x,service,primary\n'
		printf 'c5,2024-01-05T10:00:00Z,survey_response,survey,web,9\0,,,,,,,,,x,service,primary\n'
	} >want.csv
	run cmp want.csv "$T/out"
	assert_success
	# jstage: c\0x sorts before c1 (byte order) and is a customer of its own, step 1
	arun 0 jstage nul.csv
	assert_equal "$(tr '\0' @ <"$T/out" | cut -d, -f1,16,17 | sed -n 2,3p | tr '\n' ' ')" "c@x,loyalty,1 c1,loyalty,1 "
	# jkpi: a NUL inside a group key keeps the group apart
	PROG=jkpi jtrc 0 -g channel -k count nul.csv
	assert_equal "$(tr '\0' @ <"$T/out")" "channel,count
w@eb,1
web,4"
}

# ---------------------------------------------------------------- invalid UTF-8, Latin-1

# line 2: Latin-1 (customer, touchpoint, channel, comment); 3: invalid UTF-8
# sequences (a cut pair, a surrogate, past U+10FFFF, an overlong '/'); 4: a Latin-1 time
latin_csv() {
	{
		echo "$H,comment"
		printf 'c\351,2024-01-01T10:00:00Z,ticket_caf\351,survey,w\377eb,9,,,,,,,,,Caf\351 cr\350me\n'
		printf 'c2,2024-01-02T10:00:00Z,survey_response,survey,\303(,9,,,,,,,,,\355\240\200 \364\220\200\200 \300\257\n'
		printf 'c3,2024-01-03\351T10:00:00Z,survey_response,survey,web,9,,,,,,,,,x\n'
	} >latin.csv
}

@test "adv: invalid UTF-8 and Latin-1 pass through; a message shows the stray bytes as \\xNN" {
	latin_csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" latin.csv
		case $p in
		jvalue | jkpi)
			errs_are "$p"
			stats_are rows_in=3 rows_out=3 rows_rejected=0 ;;
		*)
			errs_are "$p" "$p: latin.csv:4: column 'time': '2024-01-03\\xe9T10:00:00Z' is not a time" \
				"$p: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
			stats_are rows_in=3 rows_out=2 rows_rejected=1 ;;
		esac
		invariant
	done
	# byte for byte through jvalue (no default rule matches ticket_caf\351: \w is not a stray byte)
	arun 0 jvalue latin.csv
	{
		echo "$H,comment,activity,activity_kind"
		printf 'c\351,2024-01-01T10:00:00Z,ticket_caf\351,survey,w\377eb,9,,,,,,,,,Caf\351 cr\350me,,\n'
		printf 'c2,2024-01-02T10:00:00Z,survey_response,survey,\303(,9,,,,,,,,,\355\240\200 \364\220\200\200 \300\257,service,primary\n'
		printf 'c3,2024-01-03\351T10:00:00Z,survey_response,survey,web,9,,,,,,,,,x,service,primary\n'
	} >want.csv
	run cmp want.csv "$T/out"
	assert_success
}

@test "adv: valid UTF-8 is shown as it is in messages; only the stray bytes are escaped" {
	{ echo "$H"; printf 'c1,caf\303\251 \342\202\254 \355\240\200,survey_response,survey,web,,,,,,,,,\n'; } >u.csv
	local p
	for p in jtouch jstage jrefer; do
		arun 0 "$p" --max-rejects 100% u.csv
		errs_are "$p" "$p: u.csv:2: column 'time': 'café € \\xed\\xa0\\x80' is not a time" \
			"$p: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	done
}

@test "adv: rules match around invalid UTF-8: a stray byte is no character, never an error" {
	latin_csv
	printf 'support touchpoint ^ticket_\nother touchpoint caf.$\n' >lat.rules
	local p
	for p in jstage jvalue; do
		PROG=$p jtrc 0 -r lat.rules latin.csv
		# ^ticket_ matches ticket_caf\351; 'caf.$' would need \351 to be a character
		assert_equal "$(grep ticket_caf "$T/out" | tr '\351\377\350' '###' | cut -d, -f1,3,16)" "c#,ticket_caf#,support"
	done
	printf 'other touchpoint caf.$\n' >lat2.rules
	PROG=jvalue jtrc 0 -r lat2.rules latin.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f16)" ""
}

# ---------------------------------------------------------------- empty, header only, blank lines

@test "adv: an empty file (0 bytes), as a file or on stdin: no output, exit 0, stats of zero" {
	: >empty.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" empty.csv
		err_is ""
		same </dev/null
		stats_are rows_in=0 rows_out=0 rows_skipped=0 rows_rejected=0
		arun 0 "$p" - <empty.csv
		err_is ""
		same </dev/null
	done
}

@test "adv: a header-only file: the output header (jkpi: the zero row), exit 0" {
	echo "$H" >hdr.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" hdr.csv
		errs_are "$p"
		if [ "$p" = jkpi ]; then
			same <<<"$(header_of "$p")
0,,,,0,0,0,0,0"
		else
			same <<<"$(header_of "$p")"
		fi
		stats_are rows_in=0 rows_out=0 rows_rejected=0
	done
}

@test "adv: blank lines (LF, CRLF, CR) are skipped but counted for line numbers" {
	{ echo "$H"; printf '\n\r\n\r'; row 1; printf '\n\n'; echo short; } >blank.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" blank.csv
		errs_are "$p" "$p: blank.csv:8: expected 14 fields, found 1 (use --ragged to pad short rows)" \
			"$p: 1 row rejected (1 field count) (use --rejects FILE to keep them)"
		stats_are rows_in=2 rows_out=1 rows_rejected=1
		invariant
	done
}

# ---------------------------------------------------------------- column names

@test "adv: a column a program reads by name, given twice, stops it (rename one); others pass through" {
	{ echo "$H,customer"; echo "c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,dup"; } >dupcust.csv
	local p
	for p in $ADV_PROGS; do
		case $p in
		jtouch | jstage | jrefer)
			arun 1 "$p" dupcust.csv
			errs_are "$p" "$p: dupcust.csv:1: column name 'customer' is ambiguous (columns #1 and #15); rename one of them"
			no_stats ;;
		*)	# jvalue's rules and jkpi's KPIs do not read customer
			arun 0 "$p" dupcust.csv
			err_is ""
			stats_are rows_in=1 rows_out=1 rows_rejected=0 ;;
		esac
	done
	arun 0 jvalue dupcust.csv
	assert_equal "$(head -n 1 "$T/out")" "$H,customer,activity,activity_kind"
	# where #N works (jkpi -g), the hint says so
	PROG=jkpi jtrc 1 -g customer -k count dupcust.csv
	err_is "jkpi: dupcust.csv:1: column name 'customer' is ambiguous (columns #1 and #15); use #1 or #15"
	# a rules file on a doubled column
	{ echo "$H,x,x"; echo "c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,a,b"; } >dupx.csv
	printf 'a touchpoint ^nothing$\nb x ^a\n' >x.rules
	for p in jstage jvalue; do
		PROG=$p jtrc 1 -r x.rules dupx.csv
		err_is "$p: dupx.csv:1: column name 'x' is ambiguous (columns #15 and #16); rename one of them"
	done
}

@test "adv: duplicate and empty column names nobody reads pass through every program" {
	{ echo "$H,x,x,,"; echo "c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,a,b,c,d"; } >names.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" names.csv
		errs_are "$p"
		stats_are rows_in=1 rows_out=1 rows_rejected=0
	done
	arun 0 jstage names.csv
	same <<EOF
$H,x,x,,,stage,step,gap_s
c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,a,b,c,d,loyalty,1,
EOF
	arun 0 jvalue names.csv
	same <<EOF
$H,x,x,,,activity,activity_kind
c1,2024-01-01T10:00:00Z,survey_response,survey,web,9,,,,,,,,,a,b,c,d,service,primary
EOF
	# an empty name is selectable by number
	PROG=jkpi jtrc 0 -g '#17' -k count names.csv
	same <<EOF
,count
c,1
EOF
}

# ---------------------------------------------------------------- files

@test "adv: a missing file stops every program (exit 1), as the system says it" {
	local p
	for p in $ADV_PROGS; do
		arun 1 "$p" nope.csv
		errs_are "$p" "$p: nope.csv: No such file or directory"
		no_stats
	done
}

@test "adv: an unreadable file stops every program (exit 1)" {
	{ echo "$H"; row 1; } >locked.csv
	chmod 000 locked.csv
	local p rc pre=()
	if [ "$(id -u)" = 0 ]; then
		# root reads anything: run without the capabilities that let it (CAP_DAC_*)
		pre=(setpriv --bounding-set -dac_override,-dac_read_search)
		if ! "${pre[@]}" true 2>/dev/null || "${pre[@]}" cat locked.csv >/dev/null 2>&1; then
			skip "running as root, and setpriv cannot drop CAP_DAC_OVERRIDE here"
		fi
	fi
	for p in $ADV_PROGS; do
		adv_args "$p"
		rc=0
		"${pre[@]}" "$REPO/bin/$p" "${ADV_ARGS[@]}" --stats "$T/st.csv" locked.csv >"$T/out" 2>"$T/err" || rc=$?
		assert_equal "$p: exit $rc" "$p: exit 1"
		err_is "$p: locked.csv: Permission denied"
		same </dev/null
		no_stats
	done
}

@test "adv: a directory as input, named or on stdin, stops every program (exit 1)" {
	mkdir adir
	local p
	for p in $ADV_PROGS; do
		arun 1 "$p" adir
		errs_are "$p" "$p: adir: Is a directory"
		no_stats
		arun 1 "$p" <adir
		errs_are "$p" "$p: <stdin>: Is a directory"
	done
}

@test "adv: a bad file after a good one stops the run; rows of the good file are not summed into a result" {
	{ echo "$H"; row 1; } >good.csv
	arun 1 jkpi good.csv nope.csv
	err_is "jkpi: nope.csv: No such file or directory"
	same </dev/null
	no_stats
}

# ---------------------------------------------------------------- concatenated exports

@test "adv: a header repeated mid-file (exports joined with cat) is skipped, counted as headers_skipped, warned once" {
	{ echo "$H"; row 1; echo "$H"; row 2; echo "$H"; row 3; } >cat.csv
	local p
	for p in $ADV_PROGS; do
		arun 0 "$p" cat.csv
		errs_are "$p" "$p: warning: cat.csv:3: the header again, skipped (exports joined with cat?); --stats counts every one as headers_skipped"
		stats_are rows_in=3 rows_out=3 rows_rejected=0 headers_skipped=2
		invariant
		arun 0 "$p" -q cat.csv
		errs_are "$p"
	done
	# the issue's case: no group named after the header's column
	printf 'channel,x\nweb,1\n' >d1.csv
	printf 'channel,x\nmail,2\n' >d2.csv
	cat d1.csv d2.csv | PROG=jkpi jtrc 0 -q -g channel -k count
	same <<-'EOF2'
	channel,count
	web,1
	mail,1
	EOF2
	# a padded short row equal to the header is a header too (--ragged)
	printf 'a,\n1,2\na\n' | PROG=jkpi jtrc 0 -q --ragged --stats "$T/st.csv" -k count
	stats_are rows_in=1 headers_skipped=1
	# no header, nothing to repeat
	printf 'a,b\na,b\n' | PROG=jkpi jtrc 0 -n --stats "$T/st.csv" -k count
	stats_are rows_in=2 headers_skipped=0
}
