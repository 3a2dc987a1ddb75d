#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jkpi and jvalue --impact on every core and in bounded memory (issue 15):
# the same bytes whatever the threads (-j: a regular file read in parts, each
# part's state merged in file order), the memory budget (--memory: past it
# the --per keys, or jvalue's customers, are spread over temporary files by a
# hash and aggregated one file at a time) and the input given as a file or a
# pipe. JTOOLS_PART_MIN lowers the size of a part read on its own thread, so
# that these small files are read in parts; --memory 1M, the least, makes
# them spill.
bats_require_minimum_version 1.5.0
load test_helper

PROG=jkpi

# gen SEED ROWS START: a touch stream of 3,000 customers in time order, with
# quoted fields holding commas, quotes and newlines, NPS, CSAT, CES, amounts
# and resolution times
gen() {
	awk -v seed="$1" -v rows="$2" -v t="$3" 'BEGIN {
		srand(seed)
		n = split("ad_click site_visit page_view product_view email_open signup add_to_cart order_placed ticket_solved survey_response login referral_sent", tp, " ")
		print "customer,time,touchpoint,channel,stage,nps,csat,ces,resolution_s,amount,converted,note"
		for (i = 0; i < rows; i++) {
			if (rand() < 0.9) t += int(rand() * 1000)
			c = "c" int(rand() * rand() * 3000)
			k = tp[1 + int(rand() * n)]
			nps = k == "survey_response" || rand() < 0.05 ? int(rand() * 11) : ""
			csat = k == "ticket_solved" ? 1 + int(rand() * 5) : ""
			ces = k == "ticket_solved" && rand() < 0.5 ? 1 + int(rand() * 7) : ""
			amt = k == "order_placed" ? sprintf("%.2f", rand() * 200 - 20) : ""
			res = k == "ticket_solved" ? int(rand() * 900000) : ""
			conv = rand() < 0.3 ? (rand() < 0.4 ? 1 : 0) : ""
			note = rand() < 0.05 ? "\"said \"\"hi\"\", then\nleft, twice\"" : (rand() < 0.1 ? "plain note" : "")
			ch = rand() < 0.5 ? "web" : (rand() < 0.5 ? "app" : "store")
			st = rand() < 0.3 ? "awareness" : (rand() < 0.5 ? "purchase" : "service")
			printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", c, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), k, ch, st, nps, csat, ces, res, amt, conv, note
		}
	}'
}

# traced SYSCALLS CMD...: CMD under strace, its calls in $T/trace (LeakSanitizer
# cannot work under ptrace: it is off for these runs)
traced() {
	local calls=$1
	shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace="$calls" -o "$T/trace" "$@"
}

setup_file() {
	local F=$BATS_FILE_TMPDIR
	gen 25 20000 1704067200 >"$F/touches.csv"	# about 1.4 MB
	# a few rows that are rejected (an empty --per key, a bad NPS, a bad time), spread out
	awk -F, 'NR == 1500 { print ",2024-03-01T00:00:00Z,login,web,service,,,,,,," }
		NR == 9000 { print "c9,2024-03-01T00:00:00Z,login,web,service,11,,,,,," }
		NR == 17000 { print "c8,yesterday,login,web,service,,,,,,," } { print }' \
		"$F/touches.csv" >"$F/touches_rej.csv"
}

setup() {
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	export JTOOLS_PART_MIN=65536
	export TMPDIR=$T/tmp
	export SOURCE_DATE_EPOCH=1700000000
	mkdir -p "$TMPDIR"
}

KPIS="count,nps:nps,csat:csat,ces:ces,p90:resolution_s,median:amount,p0:amount,p100:amount,distinct:customer,mean:amount,sum:amount,min:amount,max:amount,rate:converted"
RUNS=(
	"-g channel -k $KPIS"
	"-g month:time,channel -k $KPIS"
	"-s -g stage,channel -k $KPIS"
	"-g touchpoint --per customer -k $KPIS"
	"-s -g month:time --per customer -k $KPIS"
	"-k $KPIS --per customer"
	"-g stage --pivot channel -k nps:nps"
	"-g stage --pivot month:time --per customer -k p50:amount"
	"-g stage,touchpoint --per customer --pivot channel --pivot-order sorted -k csat:csat"
	"-g touchpoint -k $KPIS --partial"
	"-g touchpoint --per customer -k $KPIS --partial"
	"-s -g channel --pivot stage --per customer -k nps:nps --partial"
	"-g touchpoint --per customer -k nps:nps,count,median:amount --format html"
	"-g stage --pivot channel -k nps:nps,csat:csat --format html"
	"-g channel,stage --per customer -k $KPIS --format json"
	"-g channel --row-order store,web -k $KPIS --format md"
	"-g touchpoint --since 2024-02-01 --until 2024-05-01 --per customer -k $KPIS"
	"-g touchpoint --where channel=web --per customer -k $KPIS"
	"-g channel --map stage:awareness=early,purchase=early --per customer -k $KPIS,distinct:stage"
)

# sames ARGS [FILE] [MORE]: jkpi ARGS on FILE is the same bytes (stdout and
# stderr) at -j 1, 2 and 7 and from a pipe, and with each set of options in MORE
sames() {
	local v=$1 in=${2:-$F/touches.csv} more=${3:-}
	# shellcheck disable=SC2086
	jkpi -j 1 $v "$in" >"$T/ref" 2>"$T/ref.err"
	[ -s "$T/ref" ]
	local args
	local IFS=$'\n'
	for args in "-j 2" "-j 7" $more; do
		IFS=$' \t\n'
		# shellcheck disable=SC2086
		jkpi $args $v "$in" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got" || { echo "'$v' with $args differs" >&2; diff "$T/ref" "$T/got" | head -5 >&2; return 1; }
		cmp "$T/ref.err" "$T/got.err" || { echo "'$v' with $args: stderr differs" >&2; return 1; }
	done
	IFS=$' \t\n'
	# shellcheck disable=SC2086
	jkpi -j 2 $v <"$in" >"$T/got" 2>/dev/null
	cmp "$T/ref" "$T/got"
}

MEM=$'-j 1 --memory 1M\n-j 2 --memory 1M\n-j 7 --memory 1M\n-j 3 --memory 2M'

@test "engine_kpi: jkpi -j and --memory: the same bytes at -j 1, 2, 7, --memory 1M and from a pipe, every KPI, --per, --pivot, --partial, html" {
	local v
	for v in "${RUNS[@]}"; do
		sames "$v" "$F/touches.csv" "$MEM"
	done
	# a pipe past --memory
	jkpi -j 1 -g touchpoint --per customer -k "$KPIS" "$F/touches.csv" >"$T/ref"
	jkpi --memory 1M -g touchpoint --per customer -k "$KPIS" <"$F/touches.csv" >"$T/got"
	cmp "$T/ref" "$T/got"
}

@test "engine_kpi: jkpi --per past --memory did spill, and not below it nor with --partial" {
	command -v strace >/dev/null || skip "no strace here"
	local v="-g touchpoint --per customer -k $KPIS" args
	for args in "-j 1 --memory 1M" "-j 3 --memory 1M"; do
		# shellcheck disable=SC2086
		traced openat jkpi $args $v "$F/touches.csv" >/dev/null
		grep -q "O_TMPFILE" "$T/trace"
	done
	for args in "-j 1" "-j 3" "--memory 1M --partial"; do
		# shellcheck disable=SC2086
		traced openat jkpi $args $v "$F/touches.csv" >/dev/null
		! grep -q "O_TMPFILE\|jtools-spill" "$T/trace"
	done
}

@test "engine_kpi: jkpi: no spill file is left after a normal run, an error, and SIGTERM" {
	local v="-g touchpoint --per customer -k $KPIS"
	# shellcheck disable=SC2086
	jkpi -q -j 2 --memory 1M $v -o "$T/out.csv" "$F/touches.csv"
	[ -s "$T/out.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	# an error after spilling: a stray quote at the end of the input
	{ cat "$F/touches.csv"; printf 'c1,2025-01-01T00:00:00Z,login,web,service,,,,,,,"open\n'; } >"$T/bad.csv"
	# shellcheck disable=SC2086
	run -1 jkpi -q -j 2 --memory 1M $v -o "$T/out2.csv" "$T/bad.csv"
	[ ! -e "$T/out2.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	# SIGTERM in the middle: a pipe that stays open keeps it reading
	mkfifo "$T/in"
	# shellcheck disable=SC2086
	jkpi -q --memory 1M $v -o "$T/out3.csv" <"$T/in" &
	local pid=$!
	exec 8>"$T/in"
	cat "$F/touches.csv" >&8
	local i
	for i in $(seq 200); do
		ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "(deleted)\|O_TMPFILE\|/tmp/#" && break
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

@test "engine_kpi: jkpi: a full \$TMPDIR is exit 1 with a message, and no output file" {
	full_tmpdir 64k "$T/out.csv" jkpi -q --memory 1M -g touchpoint --per customer -k "$KPIS" -o "$T/out.csv" "$F/touches.csv"
}

@test "engine_kpi: jkpi -j: the parts were read on threads" {
	# a file of 1.4 MB in parts of at least 64 KiB: seven parts at -j 7
	command -v strace >/dev/null || skip "no strace here"
	traced clone,clone3 jkpi -j 7 -g channel -k count "$F/touches.csv" >/dev/null
	[ "$(grep -c clone "$T/trace")" -ge 6 ]
	: >"$T/trace"
	traced clone,clone3 jkpi -j 7 -g channel -k count <"$F/touches.csv" >/dev/null
	[ "$(grep -c clone "$T/trace" || true)" = 0 ]
}

@test "engine_kpi: jkpi -j: a --merge of partials made at -j 1 and -j 7 gives the same bytes" {
	jkpi -q -j 1 --partial -g touchpoint --per customer -k "$KPIS" "$F/touches.csv" >"$T/p1"
	jkpi -q -j 7 --partial -g touchpoint --per customer -k "$KPIS" "$F/touches.csv" >"$T/p7"
	cmp "$T/p1" "$T/p7"
	jkpi --merge -s "$T/p1" >"$T/m1"
	jkpi -j 7 --merge -s "$T/p7" >"$T/m7"
	cmp "$T/m1" "$T/m7"
}

@test "engine_kpi: jkpi -j: --history keeps the whole state at any -j (the last merge only counts when nothing keeps it)" {
	local j
	for j in 1 2 7; do
		jkpi -q -j "$j" -g touchpoint --per customer -k "$KPIS" --history "$T/h$j" "$F/touches.csv" >"$T/out$j"
	done
	for j in 2 7; do
		cmp "$T/out1" "$T/out$j"
		diff -r "$T/h1" "$T/h$j"
	done
	# and the state merges like the partial of a one-thread run
	jkpi -q -j 1 --partial -g touchpoint --per customer -k "$KPIS" "$F/touches.csv" >"$T/p1"
	jkpi --merge "$T/p1" >"$T/m1"
	jkpi --merge "$T/h7"/*.state >"$T/m7"
	cmp "$T/m1" "$T/m7"
}

@test "engine_kpi: jkpi --per: distinct of the --per column counts its keys with no set, the same as a run that keeps the set" {
	# distinct:customer with --per customer takes each key once (its first
	# row): a run keeps no set for it, a run with --history (whose state
	# lists the values) does; both give the same bytes
	local v args
	for v in "-g touchpoint --per customer -k $KPIS" "-s -g month:time,stage --per customer -k distinct:customer,count" \
		"-g channel --per customer --where channel=web -k $KPIS,distinct:stage"; do
		rm -rf "$T/h"
		# shellcheck disable=SC2086
		jkpi -q -j 1 --history "$T/h" $v "$F/touches.csv" >"$T/ref"
		grep -q '^1,value,' "$T/h"/*.state
		for args in "-j 1" "-j 2" "-j 7" "-j 1 --memory 1M" "-j 3 --memory 1M"; do
			# shellcheck disable=SC2086
			jkpi -q $args $v "$F/touches.csv" >"$T/got"
			cmp "$T/ref" "$T/got" || { echo "'$v' with $args differs from the run that keeps the set" >&2; diff "$T/ref" "$T/got" | head -5 >&2; return 1; }
		done
	done
	# the count is the group's keys, each once
	printf 'customer,g\nc1,a\nc2,a\nc1,a\nc3,b\nc1,b\n' | jkpi -g g --per customer -k n=distinct:customer,count >"$T/got"
	printf 'g,n,n_missing,count\na,2,0,2\nb,2,0,2\n' | cmp - "$T/got"
}

@test "engine_kpi: jkpi --per: rows in runs of one key (a file in customer order) take the same values as in any order" {
	# a key's rows in a run find their entry by group without hashing; the
	# same key back after another one hashes again. Each (group, customer)
	# has one value here, so any order gives the same figures (-s: the
	# groups in order, not as first seen)
	awk 'BEGIN {
		srand(5)
		print "customer,g,v"
		for (i = 0; i < 6000; i++) {
			c = int(rand() * rand() * 700)
			n = 1 + int(rand() * 4)	# a run of n rows of one customer
			for (k = 0; k < n; k++) {
				g = int(rand() * 5)
				printf "c%d,g%d,%d\n", c, g, (c * 7 + g * 3) % 11
			}
		}
	}' >"$T/runs.csv"
	{ head -1 "$T/runs.csv"; tail -n +2 "$T/runs.csv" | sort -t, -k1,1 -s; } >"$T/sorted.csv"
	{ head -1 "$T/runs.csv"; tail -n +2 "$T/runs.csv" | awk 'BEGIN { srand(9) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2-; } >"$T/shuffled.csv"
	local k='count,distinct:customer,nps:v,mean:v,p50:v,max:v' in args
	jkpi -q -s -j 1 -g g --per customer -k "$k" "$T/shuffled.csv" >"$T/ref"
	[ "$(wc -l <"$T/ref")" = 6 ]
	for in in runs sorted shuffled; do
		for args in "-j 1" "-j 3" "-j 2 --memory 1M"; do
			# shellcheck disable=SC2086
			jkpi -q -s $args -g g --per customer -k "$k" "$T/$in.csv" >"$T/got"
			cmp "$T/ref" "$T/got" || { echo "$in with $args differs" >&2; return 1; }
		done
		jkpi -q -s -g g --per customer -k "$k" <"$T/$in.csv" | cmp - "$T/ref"
	done
	# the same key back after another: its own entry again, not a new one
	printf 'customer,g\nc1,a\nc1,b\nc2,a\nc1,a\nc1,b\nc2,b\n' | jkpi -g g --per customer -k count,n=distinct:customer >"$T/got"
	printf 'g,count,n,n_missing\na,2,2,0\nb,2,2,0\n' | cmp - "$T/got"
}

@test "engine_kpi: jkpi -j --per: a later part in key order takes its keys' values at once, and is read again when they were not new" {
	# each customer's rows carry different values, so the first row with a
	# value must win: -j 1 is the reference. A later part whose key runs go
	# up 64 times in a row takes the values of its new keys at once; the
	# merge checks they are new to the parts before (at once when those were
	# in order, below its first such key; else one by one), and when one is
	# not, reads the part again after them. Shapes: in key order (customers
	# cut between parts), in order twice (a later part's keys all seen
	# before: read again), out of order then in order with new keys, out of
	# order then in order with old keys, in order with a few rows out of
	# order later, and shuffled.
	awk 'BEGIN {
		srand(17)
		print "customer,g,v,w"
		for (c = 0; c < 2500; c++) {
			n = 1 + int(rand() * 6)
			for (k = 0; k < n; k++)
				printf "c%05d,g%d,%s,%d\n", c, int(rand() * 4), (rand() < 0.3 ? "" : int(rand() * 11)), int(rand() * 1000)
		}
	}' >"$T/body"
	local h="customer,g,v,w"
	{ echo "$h"; tail -n +2 "$T/body"; } >"$T/sorted.csv"
	{ echo "$h"; tail -n +2 "$T/body"; tail -n +2 "$T/body" | awk -F, -v OFS=, '{ $3 = ($3 == "" ? 5 : 10 - $3); print }'; } >"$T/twice.csv"
	{ echo "$h"; tail -n +2 "$T/body" | awk -F, '$1 < "c01250"' | sort -t, -k4,4n; tail -n +2 "$T/body" | awk -F, '$1 >= "c01250"'; } >"$T/newafter.csv"
	{ echo "$h"; tail -n +2 "$T/body" | awk 'NR % 2' | sort -t, -k4,4n; tail -n +2 "$T/body" | awk 'NR % 2 == 0'; } >"$T/oldafter.csv"
	{ echo "$h"; tail -n +2 "$T/body"; tail -n +2 "$T/body" | awk -F, -v OFS=, 'NR % 97 == 0 { $3 = 3; print }'; } >"$T/latefew.csv"
	{ echo "$h"; tail -n +2 "$T/body" | awk 'BEGIN { srand(3) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2-; } >"$T/shuffled.csv"
	local k='count,distinct:customer,nps:v,mean:v,p50:w,min:w,max:w,distinct:w' in args
	for in in sorted twice newafter oldafter latefew shuffled; do
		jkpi -q -j 1 -g g --per customer -k "$k" "$T/$in.csv" >"$T/ref"
		[ "$(wc -l <"$T/ref")" = 5 ]
		for args in "-j 2" "-j 3" "-j 7" "-j 2 --memory 1M" "-j 3 --partial"; do
			# shellcheck disable=SC2086
			jkpi -q $args -g g --per customer -k "$k" "$T/$in.csv" >"$T/got"
			if [ "$args" = "-j 3 --partial" ]; then
				jkpi -q -j 1 --partial -g g --per customer -k "$k" "$T/$in.csv" >"$T/ref.p"
				cmp "$T/ref.p" "$T/got" || { echo "$in with $args differs" >&2; return 1; }
			else
				cmp "$T/ref" "$T/got" || { echo "$in with $args differs" >&2; diff "$T/ref" "$T/got" >&2; return 1; }
			fi
		done
	done
}

@test "engine_kpi: jkpi -j: two input files are one file joined" {
	head -n 9001 "$F/touches.csv" >"$T/a.csv"
	{ head -n 1 "$F/touches.csv"; tail -n +9002 "$F/touches.csv"; } >"$T/b.csv"
	local v
	for v in "-g channel -k $KPIS" "-g touchpoint --per customer -k $KPIS"; do
		# shellcheck disable=SC2086
		jkpi -j 1 $v "$F/touches.csv" >"$T/ref"
		# shellcheck disable=SC2086
		jkpi -j 5 $v "$T/a.csv" "$T/b.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
		# shellcheck disable=SC2086
		jkpi -j 3 --memory 1M $v "$T/a.csv" "$T/b.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
	done
}

@test "engine_kpi: jkpi -j: rejects are reported in file order with their lines" {
	local v="-g touchpoint --per customer -k nps:nps,count" args
	# shellcheck disable=SC2086
	jkpi -j 1 --rejects "$T/rj.csv" --stats "$T/st.csv" $v "$F/touches_rej.csv" >"$T/ref" 2>"$T/ref.err"
	mv "$T/rj.csv" "$T/rj1.csv"
	mv "$T/st.csv" "$T/st1.csv"
	run cat "$T/ref.err"
	assert_line --index 0 "jkpi: $F/touches_rej.csv:1500: column 'customer': empty --per key"
	assert_line --index 1 "jkpi: $F/touches_rej.csv:$(grep -n '^c9,2024-03-01T00:00:00Z,login,web,service,11' "$F/touches_rej.csv" | cut -d: -f1): column 'nps': nps '11' is not in 0-10"
	for args in "-j 2" "-j 7"; do
		# shellcheck disable=SC2086
		jkpi $args --rejects "$T/rj.csv" --stats "$T/st.csv" $v "$F/touches_rej.csv" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got"
		cmp "$T/ref.err" "$T/got.err"
		cmp "$T/rj1.csv" "$T/rj.csv"
		cmp "$T/st1.csv" "$T/st.csv"
	done
	# --strict: the first reject in the file ends the run, also when a later part saw one first
	jtrc 1 -j 7 --strict $v "$F/touches_rej.csv"
	run tail -1 "$T/err"
	assert_output "jkpi: $F/touches_rej.csv:1500: column 'customer': empty --per key"
	[ ! -s "$T/out" ]
}

@test "engine_kpi: jkpi -j: the sample exports and the real exports" {
	local S=$REPO/share/jtools/sample
	sames "-g channel -k count,nps:nps,csat:csat,ces:ces,distinct:customer_id,p90:ces" "$S/surveys.csv"
	sames "-g month:submitted_at --per customer_id -k nps:nps,csat:csat" "$S/surveys.csv"
	sames "-g channel,category -k count,csat:satisfaction,mean:reopens" "$S/tickets.csv"
	need_shared
	sames "-g Contract,InternetService -k count,mean:MonthlyCharges,p90:tenure,distinct:PaymentMethod,rate:SeniorCitizen,sum:TotalCharges" \
		"$SHARED/telco-customer-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
	# a byte order mark, and column names with spaces
	local st=$SHARED/support-tickets-kaggle/customer_support_tickets.csv j
	local k="count,csat:Customer Satisfaction Rating,p50:Customer Age,distinct:Product Purchased"
	jkpi -q -j 1 -g "Ticket Channel,Ticket Type" --per "Customer Email" -k "$k" "$st" >"$T/ref"
	for j in 2 7; do
		jkpi -q -j "$j" -g "Ticket Channel,Ticket Type" --per "Customer Email" -k "$k" "$st" >"$T/got"
		cmp "$T/ref" "$T/got"
	done
	sames "-g review_score --per order_id -k count,distinct:order_id" \
		"$SHARED/olist-sample-4000-orders/olist_order_reviews_dataset.csv"
}

@test "engine_kpi: jkpi -j: bad values are usage errors, --lazy-quotes and --no-header read on one thread" {
	run -2 jkpi -j 0 -k count "$F/touches.csv"
	assert_output --partial "jkpi: -j: '0' is not a number of threads from 1 to 64"
	jkpi -j 1 --lazy-quotes -g channel -k "$KPIS" "$F/touches.csv" >"$T/ref"
	jkpi -j 7 --lazy-quotes -g channel -k "$KPIS" "$F/touches.csv" >"$T/got"
	cmp "$T/ref" "$T/got"
}

# ---- jvalue --impact past --memory ------------------------------------------------------

# a stream of 30,000 customers out of time order (earlier touches come later),
# ties in time, decimals with long tails: the customers' first and last values
# and each cell's first touch depend on the rows' order
gen_shuffled() {
	awk 'BEGIN {
		srand(7)
		print "customer,time,stage,channel,touchpoint,nps,amount,referred"
		for (i = 0; i < 120000; i++) {
			printf "k%d,%s,%s,ch%d,%s,%s,%s,%s\n", int(rand() * 30000),
				strftime("%Y-%m-%dT%H:%M:%SZ", 1704067200 + int(rand() * 400000) * 20, 1),
				rand() < 0.5 ? "awareness" : "purchase", int(rand() * 9),
				rand() < 0.5 ? "order_placed" : "ticket_solved",
				rand() < 0.2 ? int(rand() * 11) : "", rand() < 0.3 ? sprintf("%.7f", rand() * 1000) : "",
				rand() < 0.1 ? (rand() < 0.3 ? 1 : 0) : ""
		}
	}'
}

IMPACTS=(
	"--impact nps"
	"--impact nps -g stage,channel"
	"--impact amount -g channel,touchpoint"
	"--impact amount -g channel --untouched first"
	"--impact amount -g activity,channel --untouched any --lower-better --min-n 30"
	"--impact referred -g stage,channel"
)

# vsames ARGS FILE: jvalue ARGS on FILE is the same bytes (stdout and stderr)
# at -j 1, 2 and 7, with --memory 1M and 3M as without a bound, and from a pipe
vsames() {
	local v=$1 in=$2 args
	# shellcheck disable=SC2086
	jvalue -j 1 $v "$in" >"$T/ref" 2>"$T/ref.err"
	[ -s "$T/ref" ]
	for args in "-j 2" "-j 7" "-j 1 --memory 1M" "-j 1 --memory 3M" "-j 2 --memory 1M" "-j 7 --memory 1M"; do
		# shellcheck disable=SC2086
		jvalue $args $v "$in" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got" || { echo "'$v' with $args differs" >&2; diff "$T/ref" "$T/got" | head -5 >&2; return 1; }
		cmp "$T/ref.err" "$T/got.err" || { echo "'$v' with $args: stderr differs" >&2; return 1; }
	done
	# shellcheck disable=SC2086
	jvalue --memory 1M $v <"$in" >"$T/got" 2>/dev/null
	cmp "$T/ref" "$T/got"
}

@test "engine_kpi: jvalue --impact: the same bytes at -j 1, 2, 7 and with --memory 1M (spilled) as without a bound" {
	gen_shuffled >"$T/sh.csv"
	local v
	for v in "${IMPACTS[@]}"; do
		vsames "$v" "$T/sh.csv"
	done
	vsames "--impact nps -g stage,channel" "$F/touches.csv"
	vsames "--impact resolution_s -g activity,stage --lower-better" "$F/touches.csv"
	# the rejects too: rows of every partition, in the file's order
	vsames "--impact nps -g stage" "$F/touches_rej.csv"
}

@test "engine_kpi: jvalue --impact: the sample pipeline's impact reports past --memory" {
	local S=$REPO/share/jtools/sample
	jtouch -q -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv" | jstage -q --outcome default >"$T/chain.csv"
	vsames "--impact next_nps" "$T/chain.csv"
	vsames "--impact referred -g activity" "$T/chain.csv"
	vsames "--impact amount -g activity,stage,channel" "$T/chain.csv"
}

@test "engine_kpi: jvalue --impact past --memory did spill, and not below it" {
	command -v strace >/dev/null || skip "no strace here"
	gen_shuffled >"$T/sh.csv"
	traced openat jvalue --memory 1M --impact nps -g stage "$T/sh.csv" >/dev/null
	grep -q "O_TMPFILE" "$T/trace"
	traced openat jvalue --impact nps -g stage "$T/sh.csv" >/dev/null
	! grep -q "O_TMPFILE\|jtools-spill" "$T/trace"
}

@test "engine_kpi: jvalue -j: --impact reads the parts on threads, the annotating run and a pipe on one" {
	command -v strace >/dev/null || skip "no strace here"
	traced clone,clone3 jvalue -j 7 --impact nps -g stage "$F/touches.csv" >/dev/null
	[ "$(grep -c clone "$T/trace")" -ge 6 ]
	traced clone,clone3 jvalue -j 7 "$F/touches.csv" >/dev/null
	[ "$(grep -c clone "$T/trace" || true)" = 0 ]
	traced clone,clone3 jvalue -j 7 --impact nps -g stage <"$F/touches.csv" >/dev/null
	[ "$(grep -c clone "$T/trace" || true)" = 0 ]
}

@test "engine_kpi: jvalue --impact: no spill file is left after a normal run, an error, and SIGTERM; a full \$TMPDIR is exit 1" {
	gen_shuffled >"$T/sh.csv"
	jvalue -q --memory 1M --impact nps -o "$T/out.csv" -g stage "$T/sh.csv"
	[ -s "$T/out.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	{ cat "$T/sh.csv"; printf 'k1,2025-01-01T00:00:00Z,awareness,ch1,x,,,"open\n'; } >"$T/bad.csv"
	run -1 jvalue -q --memory 1M --impact nps -g stage -o "$T/out2.csv" "$T/bad.csv"
	[ ! -e "$T/out2.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	mkfifo "$T/in"
	jvalue -q --memory 1M --impact nps -g stage -o "$T/out3.csv" <"$T/in" &
	local pid=$!
	exec 8>"$T/in"
	cat "$T/sh.csv" >&8
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	exec 8>&-
	assert_equal "rc=$rc" "rc=143"
	[ ! -e "$T/out3.csv" ]
	run ls -A "$TMPDIR"
	assert_output ''
	full_tmpdir 64k "$T/out4.csv" jvalue -q --memory 1M --impact nps -g stage -o "$T/out4.csv" "$T/sh.csv"
}

@test "engine_kpi: jvalue --memory: bad values are usage errors" {
	run -2 jvalue --memory 512K --impact nps "$F/touches.csv"
	assert_output "jvalue: --memory: '512K' is less than 1M, the least jtools works in
Try 'jvalue --help' for more information."
	run -2 jvalue --memory 12x --impact nps "$F/touches.csv"
	assert_output "jvalue: --memory: '12x' is not a size (a number with K, M, G or T, e.g. 512M)
Try 'jvalue --help' for more information."
}
