#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# The reader's plain way (lib/csv.c, plain_lines): a whole line with no CR
# (but one right before its LF), at the start of a record, whose quotes if
# any are well-formed quoted fields, is split without libcsv. Everything else
# goes through libcsv as before. JTOOLS_PLAIN=0 sends
# every byte through libcsv; these tests run each command both ways and want
# the same bytes on stdout, in the rejects file and on stderr, and the same
# exit status, on inputs made to mix the two ways at every boundary (a chunk
# of 64 KiB ending inside a line, a CRLF or a quoted field; quoted line ends;
# lone CRs; empty lines; a repeated header; short and long rows; a BOM; no
# last line end) and on every real export of ../shared/data/real.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

# both_ways NAME CMD...: runs CMD in the folders NAME.0 (JTOOLS_PLAIN=0)
# and NAME.1 (the plain way), so a file it writes has the same name in both
# (give inputs as ../FILE), with stdout in out, stderr in err and the status
# in rc, and fails on any difference between the two folders.
both_ways() {
	local name=$1 w
	shift
	for w in 0 1; do
		mkdir -p "$name.$w"
		if [ "$w" = 0 ]; then
			(cd "$name.$w" && { JTOOLS_PLAIN=0 "$@" >out 2>err && echo 0 >rc || echo $? >rc; })
		else
			(cd "$name.$w" && { "$@" >out 2>err && echo 0 >rc || echo $? >rc; })
		fi
	done
	if ! diff -r "$name.0" "$name.1" >"$name.diff"; then
		echo "$name: JTOOLS_PLAIN=0 and the plain way differ:" >&2
		head -20 "$name.diff" >&2
		return 1
	fi
}

# nasty FILE ROWS: a touch stream (customer,time,touchpoint,page) whose page
# field is every shape a CSV field takes, with rows broken in every way.
nasty() {
	awk -v rows="$2" 'BEGIN {
		srand(7)
		printf "\357\273\277customer,time,touchpoint,page\n"
		big = "x"
		while (length(big) < 70000)
			big = big big
		for (i = 1; i <= rows; i++) {
			c = sprintf("C%04d", int(rand() * 300))
			t = sprintf("2024-%02d-%02dT%02d:%02d:00Z", 1 + i % 12, 1 + i % 28, i % 24, i % 60)
			k = i % 23
			if (k == 0) p = "\"a,b\""
			else if (k == 1) p = "\"she said \"\"hi\"\"\""
			else if (k == 2) p = "\"line one\nline two\""
			else if (k == 3) p = "\"crlf\r\ninside\""
			else if (k == 4) p = " spaced "
			else if (k == 5) p = ""
			else if (k == 6 && i % 7 == 0) p = big
			else if (k == 7 && i % 5 == 0) p = "\"" big "\""
			else p = sprintf("/p/%d?q=%d", i, int(rand() * 1000))
			line = c "," t ",view," p
			if (i % 97 == 0) line = c "," t ",view"              # short
			if (i % 89 == 0) line = line ",extra"                 # long
			if (i % 101 == 0) line = "customer,time,touchpoint,page"  # the header again
			end = "\n"
			if (i % 13 == 0) end = "\r\n"
			if (i % 211 == 0) end = "\r"
			printf "%s%s", line, end
			if (i % 53 == 0) printf "\n"                          # an empty line
		}
		printf "C0001,2024-12-31T00:00:00Z,view,last"            # no line end
	}' >"$1"
}

@test "plain way: a touch stream mixing every shape reads the same as through libcsv (jstage, jkpi, rejects, stderr)" {
	nasty n.csv 4000
	# the file really crosses chunks inside long fields and holds each shape
	[ "$(wc -c <n.csv)" -gt 1000000 ]
	grep -q $'\r$' n.csv
	both_ways stage jstage --rejects R ../n.csv
	[ "$(cat stage.1/rc)" = 0 ]
	[ -s stage.1/R ]
	# a data row of each shape is there, exactly
	grep -q '^C[0-9]*,.*,view,"a,b",' stage.1/out
	grep -q '"she said ""hi""",' stage.1/out
	grep -q '," spaced ",' stage.1/out
	grep -c 'xxxxxxxxxxxxxxxxxxxx' stage.1/out
	both_ways kpi jkpi --rejects K -k n=count,d=distinct:page -g touchpoint ../n.csv
	both_ways kpi2 jkpi -k n=count -g page ../n.csv
	both_ways lazy jkpi --lazy-quotes -k n=count -g page ../n.csv
	both_ways ragged jkpi --ragged -q -k n=count -g page ../n.csv
}

@test "plain way: a line of well-formed quoted fields is split without libcsv too, to the same bytes; any other quote goes to libcsv" {
	# quoted fields first, last, alone, empty, holding the delimiter, a
	# doubled quote or spaces, before a CRLF; a quoted line end (libcsv's)
	{
		printf 'a,b,c\n'
		printf '"x,1","y""z",""\n'
		printf '"",,"q"\r\n'
		printf '"p""","""""",\" \"\n'
		printf '1,"2",3\n'
		printf '"a\nb",c,d\n'
		printf '"x",y," z "\n'
		printf 'last,"line","no end"'
	} >g.csv
	both_ways g jkpi -k n=count -g a,b,c --format json ../g.csv
	[ "$(cat g.1/rc)" = 0 ]
	grep -qF '{"a":"x,1","b":"y\"z","c":"","n":1}' g.1/out
	grep -qF '{"a":"p\"","b":"\"\"","c":" ","n":1}' g.1/out
	grep -qF '{"a":"a\nb","b":"c","c":"d","n":1}' g.1/out
	grep -qF '{"a":"last","b":"line","c":"no end","n":1}' g.1/out
	both_ways gs jstage --rejects R ../g.csv
	# a quote that does not close its field before the delimiter, one in an
	# unquoted field, a field left open: libcsv's message, or --lazy-quotes'
	local bad i=0
	for bad in '"x"y,1,2' '"x" ,1,2' 'x"y",1,2' '"x,1,2'; do
		i=$((i + 1))
		printf 'a,b,c\n1,2,3\n%s\n4,5,6\n' "$bad" >b$i.csv
		both_ways "b$i" jkpi -k n=count -g a "../b$i.csv"
		[ "$(cat "b$i.1/rc")" = 1 ]
		both_ways "l$i" jkpi --lazy-quotes -k n=count -g a "../b$i.csv"
	done
	grep -q 'b1.csv:3: bad quote' b1.1/err
	grep -q 'b4.csv:3: unterminated quoted field' b4.1/err
}

@test "plain way: -j 2 over parts of a file reads the same as through libcsv" {
	nasty n.csv 3000
	JTOOLS_PART_MIN=4096 both_ways j2 jstage -j 2 --rejects R ../n.csv
	JTOOLS_PART_MIN=4096 both_ways k2 jkpi -j 2 -k n=count,d=distinct:page -g customer ../n.csv
}

@test "plain way: a stray quote stops the run on the same line, with the same message" {
	printf 'customer,time,touchpoint\nA,2024-01-01T00:00:00Z,x\nB,2024-01-02T00:00:00Z,a"b\nC,2024-01-03T00:00:00Z,y\n' >q.csv
	both_ways q jkpi -k n=count -g touchpoint ../q.csv
	[ "$(cat q.1/rc)" = 1 ]
	grep -q 'q.csv:3: bad quote' q.1/err
	both_ways ql jkpi --lazy-quotes -k n=count -g touchpoint ../q.csv
	[ "$(cat ql.1/rc)" = 0 ]
	grep -q '^"a""b",1$' ql.1/out
	printf 'customer,time,touchpoint\nA,2024-01-01T00:00:00Z,"open\nB,2024-01-02T00:00:00Z,x\n' >u.csv
	both_ways u jkpi -k n=count -g touchpoint ../u.csv
	[ "$(cat u.1/rc)" = 1 ]
	grep -q 'unterminated quoted field' u.1/err
}

@test "plain way: other delimiters, --decimal-comma and a field cap read the same as through libcsv" {
	nasty n.csv 1500
	tr ',' ';' <n.csv >s.csv
	both_ways semi jkpi -d ';' -k n=count -g page ../s.csv
	both_ways auto jkpi --delimiter auto -k n=count -g page ../s.csv
	tr ',' '\t' <n.csv >t.csv
	both_ways tab jkpi -d tab -k n=count -g page ../t.csv
	printf 'customer;amount\nA;1234,5\nB;"12,25"\nC;-3,0\n' >dc.csv
	both_ways dc jkpi -d ';' --decimal-comma -k s=sum:amount ../dc.csv
	grep -qx '1243.75,3,0' dc.1/out
	JTOOLS_FIELD_MAX=1000 both_ways cap jkpi -k n=count -g page ../n.csv
}

@test "plain way: jvalue writes a row the writer would leave as it is straight from the input, to the same bytes" {
	# jvalue appends activity and activity_kind: a row with no quote, no CR
	# and no field with a leading or trailing blank is copied as it came
	nasty n.csv 3000
	jstage -q --outcome default n.csv >j.csv
	# blanks at a field's edges, a tab, quoted fields, CRLF; short rows padded
	{
		head -1 j.csv
		sed -n '2,400p' j.csv
		sed -n '2,50p' j.csv | sed 's/,view,/,view ,/'
		sed -n '2,50p' j.csv | sed 's/,view,/,\tview,/'
		sed -n '2,50p' j.csv | sed 's/$/\r/'
		sed -n '2,50p' j.csv | sed 's/,view,/,"view",/'
	} >v.csv
	both_ways val jvalue --rejects R ../v.csv
	[ "$(cat val.1/rc)" = 0 ]
	grep -q ',"view ",' val.1/out
	grep -q ',"view",' v.csv
	run grep -c ',"view",' val.1/out
	assert_output 0
	both_ways valq jvalue -q ../n.csv
	tr ',' ';' <v.csv >s.csv
	both_ways vsemi jvalue -q -d ';' ../s.csv
	both_ways vtsv jvalue -q -t ../v.csv
	both_ways vexcel jvalue -q --excel-safe ../v.csv
	both_ways vrag jvalue -q --ragged ../n.csv
}

@test "plain way: every real export of ../shared/data/real reads the same as through libcsv (each column's values and counts)" {
	need_shared
	local f n=0 col
	while IFS= read -r f; do
		# every column: its values in first-seen order with their counts
		col=$(head -c 65536 "$f" | head -n 1 | tr -d '\r' | sed 's/^\xef\xbb\xbf//' | cut -d, -f1)
		[ -n "$col" ] || continue
		both_ways "real$n" jkpi --lazy-quotes --ragged -q -k n=count,d=distinct:"$col" -g "$col" "$f"
		both_ways "all$n" jkpi --lazy-quotes --ragged -q -k n=count "$f"
		n=$((n + 1))
	done < <(find "$SHARED" -name '*.csv' -size -200M | sort)
	[ "$n" -ge 10 ]
}
