#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jstage's cold values (issue 15, the compact form): when the input is files
# of more than a quarter of --memory and at most what the slots may hold, the
# long values of a mostly distinct column (URLs, comments: 12 bytes and
# more) wait in a temporary file until their customers' turn, in rounds of
# customers. The output is the same bytes as a run that holds them, at any
# -j, in every view that reads rows, with values holding commas, quotes,
# newlines and CRs; when such a run spills after all (many customers), the
# values are read back into the spilled rows. JTOOLS_PART_MIN makes the
# small files read in parts.
bats_require_minimum_version 1.5.0
load test_helper

PROG=jstage

# gen SEED ROWS CUSTOMERS: a touch stream with a page column of URLs (most
# distinct, with click ids; some short, some repeated) and a note column,
# now and then long and quoted with commas, quotes, newlines and a CR
gen() {
	awk -v seed="$1" -v rows="$2" -v nc="$3" 'BEGIN {
		srand(seed)
		n = split("ad_click page_view product_view add_to_cart order_placed ticket_opened ticket_solved survey_response referral_sent", tp, " ")
		print "customer,time,touchpoint,source,channel,nps,amount,page,note"
		t = 1704067200
		for (i = 0; i < rows; i++) {
			t += int(rand() * 200)
			c = sprintf("u%06d", int(rand() * rand() * nc))
			k = tp[1 + int(rand() * n)]
			r = rand()
			page = r < 0.1 ? "" : r < 0.2 ? "/" : r < 0.3 ? "/cart" : \
				sprintf("/product/%d?utm_source=ads&utm_campaign=q%d&gclid=%08x%08x", int(rand() * 900), int(rand() * 4), int(rand() * 2^31), i)
			r = rand()
			note = r < 0.03 ? sprintf("\"said \"\"hi\"\", then\nleft, twice\r\n(visit %d)\"", i) : \
				r < 0.2 ? sprintf("a comment long enough: number %d", i) : r < 0.3 ? "ok" : ""
			nps = k == "survey_response" ? int(rand() * 11) : ""
			amt = k == "order_placed" ? sprintf("%.2f", rand() * 200) : ""
			printf "%s,%s,%s,gen,%s,%s,%s,%s,%s\n", c, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), k, rand() < 0.5 ? "web" : "app", nps, amt, page, note
		}
	}'
}

setup_file() {
	local F=$BATS_FILE_TMPDIR
	gen 21 90000 6000 >"$F/urls.csv"	# about 8 MB: cold under --memory 16M
}

setup() {
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	export JTOOLS_PART_MIN=65536
	export TMPDIR=$T/tmp
	mkdir -p "$TMPDIR"
}

# cold_same VIEWOPTS FILE: the view held (the default --memory: the file is
# under a quarter of it) and cold (--memory 16M) at -j 1, 2 and 7
cold_same() {
	local v=$1 in=$2 args
	# shellcheck disable=SC2086
	jstage -q -j 1 $v "$in" >"$T/ref" 2>"$T/ref.err"
	[ -s "$T/ref" ]
	for args in "-j 1 --memory 16M" "-j 2 --memory 16M" "-j 7 --memory 16M" "-j 2 --memory 12M"; do
		# shellcheck disable=SC2086
		jstage -q $args $v "$in" >"$T/got" 2>"$T/got.err"
		cmp "$T/ref" "$T/got" || { echo "'$v' with $args differs" >&2; diff "$T/ref" "$T/got" | head -5 >&2; return 1; }
		cmp "$T/ref.err" "$T/got.err" || { echo "'$v' with $args: stderr differs" >&2; return 1; }
	done
}

@test "cold: every view that reads rows gives the same bytes with the long values in a file, at -j 1, 2, 7" {
	local size v
	size=$(stat -c %s "$F/urls.csv")
	# more than a quarter of 16M, at most seven eighths of 12M
	[ "$size" -gt $((4 * 1024 * 1024)) ] && [ "$size" -le $((12 * 1024 * 1024 * 7 / 8)) ]
	for v in "--outcome default" "--outcome next:page,next:note,bought=touchpoint:^order_placed$ --window 30d" \
		"--customers -g channel" "--retention --period month" "--clv" "--bgnbd"; do
		cold_same "$v" "$F/urls.csv"
	done
}

@test "cold: the values with commas, quotes, newlines and CRs come back as they were read" {
	jstage -q --memory 16M --outcome next:note "$F/urls.csv" >"$T/out.csv"
	# every note of the input is in the output, once as a row's own field
	# (the next_note column repeats some): compare the multiset of the notes
	command -v python3 >/dev/null || skip "python3 not installed"
	python3 - "$F/urls.csv" "$T/out.csv" <<'EOF'
import csv, sys
from collections import Counter
def notes(path, col):
    with open(path, newline='') as f:
        r = csv.DictReader(f)
        return Counter(row[col] for row in r)
a = notes(sys.argv[1], 'note')
b = notes(sys.argv[2], 'note')
assert a == b, "notes differ"
assert any('\r\n' in k for k in a), "no CRLF note in the sample"
EOF
}

@test "cold: a run with its long values in a file keeps one open in \$TMPDIR, and leaves nothing behind" {
	jstage -q -j 2 --memory 16M --outcome default -o "$T/out.csv" "$F/urls.csv" &
	saw_tmpfile $! || skip "the run ended before its file could be seen"
	run ls -A "$TMPDIR"
	assert_output ''
	# the default --memory holds them: no file at all
	jstage -q -j 2 --outcome default -o "$T/out2.csv" "$F/urls.csv"
	cmp "$T/out.csv" "$T/out2.csv"
}

@test "cold: a run that spills after all reads its long values back into the spilled rows" {
	# one customer a row or so: the customers' table passes the budget
	# although the file is under it
	gen 22 110000 50000000 >"$T/many.csv"
	local v
	for v in "--outcome default" "--customers"; do
		# shellcheck disable=SC2086
		jstage -q -j 1 $v "$T/many.csv" >"$T/ref"
		# shellcheck disable=SC2086
		jstage -q -j 2 --memory 16M $v "$T/many.csv" >"$T/got"
		cmp "$T/ref" "$T/got"
	done
	run ls -A "$TMPDIR"
	assert_output ''
}

@test "cold: a full \$TMPDIR while the long values are written is exit 1 with a message and no output file" {
	full_tmpdir 256k "$T/out.csv" jstage -q --memory 16M --outcome default -o "$T/out.csv" "$F/urls.csv"
}
