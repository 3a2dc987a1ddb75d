#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# The per-customer engine (issue 15): jstage's output is the same bytes
# whatever the threads (-j), the memory budget (--memory: past it the run
# spills to temporary files), the input given as one file, several files or a
# pipe, and --sorted; spill files never stay behind; a full $TMPDIR is an
# error with a message and no output file. JTOOLS_PART_MIN lowers the size of
# a file part read on its own thread, so that these small files are read in
# parts; --memory 1M, the least, makes them spill.
bats_require_minimum_version 1.5.0
load test_helper

PROG=jstage

# gen SEED ROWS START [CUSTOMERS]: a touch stream of 3,000 customers (or
# CUSTOMERS), time-ordered from
# START (epoch seconds; not grouped by customer), with ties, quoted fields
# holding commas, quotes and newlines (the parts are cut by quote parity),
# NPS, CSAT, amounts, tickets, orders and referrals; the header first
gen() {
	awk -v seed="$1" -v rows="$2" -v t="$3" -v nc="${4:-3000}" 'BEGIN {
		srand(seed)
		n = split("ad_click site_visit page_view product_view email_open signup add_to_cart order_placed order_delivered ticket_opened ticket_solved survey_response login referral_sent review_posted", tp, " ")
		print "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,note"
		for (i = 0; i < rows; i++) {
			if (rand() < 0.9) t += int(rand() * 1000)
			c = "c" int(rand() * rand() * nc)
			k = tp[1 + int(rand() * n)]
			nps = k == "survey_response" ? int(rand() * 11) : ""
			csat = k == "ticket_solved" ? 1 + int(rand() * 5) : ""
			amt = k == "order_placed" ? sprintf("%.2f", rand() * 200) : ""
			ref = k == "referral_sent" ? "c" int(rand() * 3000) : ""
			res = k == "ticket_solved" ? int(rand() * 900000) : ""
			note = rand() < 0.05 ? "\"said \"\"hi\"\", then\nleft, twice\"" : (rand() < 0.1 ? "plain note" : "")
			ch = rand() < 0.5 ? "web" : "app"
			printf "%s,%s,%s,gen,%s,%s,%s,,,%s,,%s,,%s,%s\n", c, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), k, ch, nps, csat, res, amt, ref, note
		}
	}'
}

setup_file() {
	local F=$BATS_FILE_TMPDIR
	gen 15 15000 1704067200 >"$F/a.csv"
	gen 16 15000 1711929600 >"$F/b.csv"
	{ cat "$F/a.csv"; tail -n +2 "$F/b.csv"; } >"$F/touches.csv"	# about 3.5 MB
	# a few rows that are rejected (no customer, a bad time), spread out
	awk 'NR == 2000 { print ",2024-03-01T00:00:00Z,login,gen,web,,,,,,,,,," } NR == 9000 { print "c9,yesterday,login,gen,web,,,,,,,,,," } { print }' \
		"$F/touches.csv" >"$F/touches_rej.csv"
}

setup() {
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	export JTOOLS_PART_MIN=65536
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
}

# views VIEW...: the view's options, one set per line
VIEWS=(
	"--outcome default"
	"--outcome next:nps,next:note,solved=touchpoint:^ticket_solved$ --window 30d"
	""
	"--paths"
	"--paths --by touchpoint"
	"--variants --collapse --top 20"
	"--funnel awareness,consideration,purchase --window 30d"
	"--funnel touchpoint:^site_visit$,touchpoint:^order_placed$ -g channel --attribution last"
	"--cohorts week --returning ^order_placed$"
	"--customers -g channel"
	"--retention --period month -g channel"
	"--clv"
)

# same_all VIEWOPTS: the view on touches.csv is the same bytes at -j 1, 2 and
# 7, with --memory 1M (spilling) at -j 1 and 2, from a pipe, and as two files
sames() {
	local v=$1 in=${2:-$F/touches.csv}
	# shellcheck disable=SC2086
	jstage -q -j 1 $v "$in" >"$T/ref" 2>"$T/ref.err"
	[ -s "$T/ref" ]
	local args
	for args in "-j 2" "-j 7" "-j 1 --memory 1M" "-j 2 --memory 1M" "-j 7 --memory 1M"; do
		# shellcheck disable=SC2086
		jstage -q $args $v "$in" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got" || { echo "'$v' with $args differs" >&2; diff "$T/ref" "$T/got" | head -5 >&2; return 1; }
		cmp "$T/ref.err" "$T/got.err" || { echo "'$v' with $args: stderr differs" >&2; return 1; }
	done
	# shellcheck disable=SC2086
	jstage -q -j 2 $v <"$in" >"$T/got"
	cmp "$T/ref" "$T/got"
}

@test "engine: every view gives the same bytes at -j 1, 2, 7, with --memory 1M (spilled) and from a pipe" {
	local v
	for v in "${VIEWS[@]}"; do
		sames "$v"
	done
}

@test "engine: the spilled runs did spill, and the parts were read on threads" {
	# --memory 1M holds about 256 KiB of touches per thread: 3 MB must go to disk
	jstage -q -j 2 --memory 1M --outcome default "$F/touches.csv" >/dev/null &
	saw_tmpfile $! || skip "the run ended before a spill file could be seen"
}

@test "engine: rejects are reported in file order with their lines, whatever -j and --memory" {
	local args
	jstage -j 1 --rejects "$T/rj.csv" --stats "$T/st.csv" "$F/touches_rej.csv" >"$T/ref" 2>"$T/ref.err"
	mv "$T/rj.csv" "$T/rj1.csv"
	mv "$T/st.csv" "$T/st1.csv"
	run cat "$T/ref.err"
	assert_line --index 0 --regexp "^jstage: $F/touches_rej.csv:[0-9]+: column 'customer': empty customer id$"
	assert_line --index 1 --regexp "^jstage: $F/touches_rej.csv:[0-9]+: column 'time': 'yesterday' is not a time$"
	for args in "-j 2" "-j 7" "-j 3 --memory 1M"; do
		# shellcheck disable=SC2086
		jstage $args --rejects "$T/rj.csv" --stats "$T/st.csv" "$F/touches_rej.csv" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got"
		cmp "$T/ref.err" "$T/got.err"
		cmp "$T/rj1.csv" "$T/rj.csv"
		cmp "$T/st1.csv" "$T/st.csv"
	done
	# --strict: the first reject in the file ends the run, also when a later part saw one first
	jtrc 1 -j 7 --strict "$F/touches_rej.csv"
	run tail -1 "$T/err"
	assert_output --regexp "^jstage: $F/touches_rej.csv:[0-9]+: column 'customer': empty customer id$"
	local line=${output##*csv:}
	line=${line%%:*}
	assert_equal "$(awk -v l="$line" 'NR == l' "$F/touches_rej.csv" | cut -c1-1)" ","
}

@test "engine: two input files are one file joined, and the annotated output read back with --sorted is the same" {
	jstage -q -j 1 --outcome default "$F/touches.csv" >"$T/ref"
	local args
	for args in "-j 1" "-j 2" "-j 5 --memory 1M"; do
		# shellcheck disable=SC2086
		jstage -q $args --outcome default "$F/a.csv" "$F/b.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
		# a pipe among the files: its chunks between them in the input order
		# shellcheck disable=SC2086
		jstage -q $args --outcome default "$F/a.csv" - <"$F/b.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
		# shellcheck disable=SC2086
		cat "$F/a.csv" | jstage -q $args --outcome default - "$F/b.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
	done
	# grouped by customer (the annotated output is): --sorted streams it, same rows
	jstage -q --outcome default "$F/touches.csv" >"$T/ann.csv"
	jstage -q --outcome default --sorted "$T/ann.csv" >"$T/s1"
	jstage -q --outcome default "$T/ann.csv" >"$T/s2"
	cmp "$T/s1" "$T/s2"
	cmp "$T/s1" "$T/ann.csv"
}

@test "engine: the sample exports and the real event logs, every view, -j and --memory" {
	local S=$REPO/share/jtools/sample
	jtouch -q -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv" >"$T/sample.csv"
	local v
	for v in "--outcome default" "--paths" "--variants" "--funnel awareness,purchase" "--customers" "--clv"; do
		sames "$v" "$T/sample.csv"
	done
	need_shared
	jtouch -q --customer case_id --touch '{concept:name} time:timestamp' --source helpdesk \
		"$SHARED/helpdesk-ticket-event-log/helpdesk_events.csv" >"$T/hd.csv"
	for v in "--outcome default" "--paths --by touchpoint" "--variants --by touchpoint" "--cohorts month"; do
		sames "$v" "$T/hd.csv"
	done
}

@test "engine: --bgnbd is the same fit and figures at any -j and --memory" {
	jstage -q --bgnbd "$F/touches.csv" >"$T/ref" 2>/dev/null || true
	[ -s "$T/ref" ]
	for args in "-j 4" "-j 2 --memory 1M"; do
		# shellcheck disable=SC2086
		jstage -q $args --bgnbd "$F/touches.csv" >"$T/got" 2>/dev/null || true
		cmp "$T/ref" "$T/got"
	done
}

@test "engine: no spill file is left after a normal run, an error, and SIGTERM" {
	jstage -q -j 2 --memory 1M --outcome default -o "$T/out.csv" "$F/touches.csv"
	run ls -A "$TMPDIR"
	assert_output ''
	# an error after spilling: a stray quote at the end of the input
	{ cat "$F/touches.csv"; printf 'c1,2025-01-01T00:00:00Z,login,gen,web,,,,,,,,,,"open\n'; } >"$T/bad.csv"
	run -1 jstage -q -j 2 --memory 1M -o "$T/out2.csv" "$T/bad.csv"
	[ ! -e "$T/out2.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	# SIGTERM in the middle: a pipe that stays open keeps it reading
	mkfifo "$T/in"
	jstage -q --memory 1M --outcome default -o "$T/out3.csv" <"$T/in" &
	local pid=$!
	exec 8>"$T/in"
	cat "$F/touches.csv" >&8
	local i
	for i in $(seq 200); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "(deleted)" && break
		sleep 0.02
	done
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	exec 8>&-
	assert_equal "rc=$rc" "rc=143"
	[ ! -e "$T/out3.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
}

@test "engine: a full \$TMPDIR is exit 1 with a message, and no output file" {
	full_tmpdir 256k "$T/out.csv" jstage -q --memory 1M --outcome default -o "$T/out.csv" "$F/touches.csv"
}

@test "engine: --memory and -j: bad values are usage errors" {
	local v
	for v in 12x 1Q -5 ''; do
		jtrc 2 --memory "$v" "$F/touches.csv"
		err_is "jstage: --memory: '$v' is not a size (a number with K, M, G or T, e.g. 512M)
Try 'jstage --help' for more information."
	done
	jtrc 2 --memory 512K "$F/touches.csv"
	err_is "jstage: --memory: '512K' is less than 1M, the least jtools works in
Try 'jstage --help' for more information."
	for v in 0 65 x; do
		jtrc 2 -j "$v" "$F/touches.csv"
		err_is "jstage: -j: '$v' is not a number of threads from 1 to 64
Try 'jstage --help' for more information."
	done
}

@test "engine: --memory 16M on an input 20 times that size, 3.6 million customers: same bytes, peak RSS under the budget plus a constant" {
	[ -x /usr/bin/time ] || skip "GNU time is not installed (make deps installs it)"
	# AddressSanitizer's shadow memory and quarantine are no measure of ours
	[ -z "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ] || skip "peak RSS is not measured under the sanitizers"
	# 20 x 16 MiB of touches: 5.6 million rows over eight years, of 3.6
	# million customers (their table alone is more than the budget)
	gen 15 5700000 1704067200 10000000 >"$T/big.csv"
	local size
	size=$(stat -c %s "$T/big.csv")
	[ "$size" -gt $((20 * 16 * 1024 * 1024)) ]
	jstage -q --outcome default "$T/big.csv" | cksum >"$T/ref"
	/usr/bin/time -f %M -o "$T/rss" jstage -q --memory 16M --outcome default "$T/big.csv" | cksum >"$T/got"
	cmp "$T/ref" "$T/got"
	# the budget, and 24 MiB for the threads' scratch and the libraries
	local rss
	rss=$(cat "$T/rss")
	[ "$rss" -lt $(((16 + 24) * 1024)) ] || { echo "peak RSS $rss KiB" >&2; return 1; }
	run ls -A "$TMPDIR"
	assert_output ''
}

@test "engine: blank lines before the header: a file read in parts loses nothing (jstage, jkpi, jvalue --impact)" {
	# the first part's end was the first line end, a blank line's: the
	# header was not found there and -j 2 wrote nothing at all
	{ printf '\n\r\n'; cat "$F/touches_rej.csv"; } >"$T/blank.csv"
	jstage -j 1 --rejects "$T/rj.csv" --outcome default "$T/blank.csv" >"$T/ref" 2>"$T/ref.err"
	mv "$T/rj.csv" "$T/rj1.csv"
	[ "$(wc -l <"$T/ref")" -gt 30000 ]
	local j
	for j in 2 7; do
		jstage -j "$j" --rejects "$T/rj.csv" --outcome default "$T/blank.csv" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got"
		cmp "$T/ref.err" "$T/got.err"
		cmp "$T/rj1.csv" "$T/rj.csv"
	done
	# the rejects' lines count the blank lines
	run cat "$T/ref.err"
	assert_line --index 0 --regexp "^jstage: $T/blank.csv:2002: column 'customer': empty customer id$"
	PROG=jkpi
	jkpi -j 1 -q -g channel -k count,distinct:customer,p50:resolution_s "$T/blank.csv" >"$T/kref"
	jkpi -j 2 -q -g channel -k count,distinct:customer,p50:resolution_s "$T/blank.csv" >"$T/kgot"
	cmp "$T/kref" "$T/kgot"
	run cat "$T/kref"
	assert_line --index 0 'channel,count,distinct_customer,distinct_customer_missing,p50_resolution_s,p50_resolution_s_n,p50_resolution_s_missing'
	[ "${#lines[@]}" = 3 ]
	jstage -q --outcome default "$T/blank.csv" >"$T/j.csv"
	{ printf '\n'; cat "$T/j.csv"; } >"$T/jb.csv"
	jvalue -q -j 1 --impact next_nps "$T/jb.csv" >"$T/vref"
	jvalue -q -j 2 --impact next_nps "$T/jb.csv" >"$T/vgot"
	[ -s "$T/vref" ]
	cmp "$T/vref" "$T/vgot"
}

# pipe ARGS...: jstage ARGS reading touches_rej.csv (or $IN) from a pipe
pipe() {
	cat "${IN:-$F/touches_rej.csv}" | jstage "$@"
}

@test "engine: a pipe is read in chunks on the threads: the same bytes, rejects, lines and messages as -j 1" {
	# JTOOLS_PART_MIN=64K: chunks of 256 KiB, about 14 for this input
	local args
	jstage -j 1 --rejects "$T/rj.csv" --stats "$T/st.csv" --outcome default "$F/touches_rej.csv" >"$T/ref" 2>"$T/ref.err"
	mv "$T/rj.csv" "$T/rj1.csv"
	mv "$T/st.csv" "$T/st1.csv"
	sed "s|$F/touches_rej.csv|<stdin>|" "$T/ref.err" >"$T/ref.perr"
	for args in "-j 2" "-j 7" "-j 3 --memory 1M"; do
		# shellcheck disable=SC2086
		pipe $args --rejects "$T/rj.csv" --stats "$T/st.csv" --outcome default >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got"
		cmp "$T/ref.perr" "$T/got.err"
		sed "s|$F/touches_rej.csv|<stdin>|" "$T/rj1.csv" | cmp - "$T/rj.csv"
		sed "s|$F/touches_rej.csv|<stdin>|" "$T/st1.csv" | cmp - "$T/st.csv"
	done
	run cat "$T/got.err"
	assert_line --index 0 "jstage: <stdin>:2000: column 'customer': empty customer id"
	# a named pipe is read the same way; blank lines before the header count
	{ printf '\n\n'; cat "$F/touches.csv"; } >"$T/blank.csv"
	jstage -q -j 1 --outcome default "$F/touches.csv" >"$T/ref"
	jstage -q -j 2 --outcome default <(cat "$T/blank.csv") >"$T/got"
	cmp "$T/ref" "$T/got"
	# compressed: read whole on one thread, the same
	gzip -c "$F/touches.csv" | jstage -q -j 2 --outcome default >"$T/got"
	cmp "$T/ref" "$T/got"
	# a header alone, an empty pipe, a pipe shorter than a chunk
	head -1 "$F/touches.csv" | jstage -j 2 --outcome default >"$T/got"
	jstage -j 1 --outcome default <(head -1 "$F/touches.csv") | cmp - "$T/got"
	printf '' | jstage -j 2 --outcome default >"$T/got"
	[ ! -s "$T/got" ]
	head -300 "$F/touches.csv" | jstage -q -j 2 --paths >"$T/got"
	jstage -q -j 1 --paths <(head -300 "$F/touches.csv") | cmp - "$T/got"
}

@test "engine: a pipe's --strict, bad quote and unterminated quote stop where -j 1 stops" {
	local args
	# --strict: the first reject in the stream, also when a later chunk saw one first
	for args in "-j 2" "-j 7"; do
		# shellcheck disable=SC2086
		run -1 pipe $args --strict --outcome default
		assert_output "jstage: <stdin>:2000: column 'customer': empty customer id"
	done
	# a bad quote in the middle: the rejects before it, then the message, exit 1
	awk 'NR == 20000 { print "c1,2024-03-01T00:00:00Z,login,gen,web,,,,,,,,,,x\"y" } { print }' \
		"$F/touches_rej.csv" >"$T/badq.csv"
	IN=$T/badq.csv run -1 pipe -j 1 --outcome default
	local want=$output
	assert_line --index 2 "jstage: <stdin>:20000: bad quote (use --lazy-quotes to accept stray quotes)"
	for args in "-j 2" "-j 7" "-j 2 --memory 1M"; do
		# shellcheck disable=SC2086
		IN=$T/badq.csv run -1 pipe $args --outcome default
		assert_output "$want"
	done
	# an unterminated quote swallows the rest (7 MB, more than 16 chunks
	# with no record end): one thread reads on from the pipe
	grep -v '"' "$F/touches.csv" >"$T/plain.csv"
	{ head -100 "$F/touches.csv"; echo 'c1,2024-03-01T00:00:00Z,login,gen,web,,,,,,,,,,"open'; tail -n +2 "$T/plain.csv"; tail -n +2 "$T/plain.csv"; } >"$T/open.csv"
	IN=$T/open.csv run -1 pipe -j 1 --outcome default
	want=$output
	assert_output --partial "jstage: <stdin>:101: unterminated quoted field (opened on line 101)"
	IN=$T/open.csv run -1 pipe -j 2 --outcome default
	assert_output "$want"
	# CR line ends: no LF for a chunk to end at (7 MB); the same rows
	{ cat "$F/touches.csv"; tail -n +2 "$F/touches.csv"; } | tr '\n' '\r' >"$T/cr.csv"
	jstage -q -j 1 --outcome default "$T/cr.csv" >"$T/ref"
	IN=$T/cr.csv pipe -q -j 2 --outcome default >"$T/got"
	cmp "$T/ref" "$T/got"
	[ -s "$T/got" ]
}
