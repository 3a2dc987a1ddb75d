#!/usr/bin/env bats
# The fuzz harnesses (tests/fuzz/*.c) replayed without libFuzzer: every seed of
# tests/fuzz/corpus and every input that once found a bug (tests/fuzz/regress)
# must run clean. make check builds the replay drivers with the normal
# compiler; under `make check SANITIZE=1` they run with ASan and UBSan, under
# JT_VALGRIND=1 with valgrind. `make fuzz` runs the harnesses under libFuzzer.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
}

# replay NAME: runs tests/fuzz/bin/replay-NAME on NAME's corpus and regressions.
replay() {
	local bin="$REPO/tests/fuzz/bin/replay-$1" f n=0
	[ -x "$bin" ] || skip "tests/fuzz/bin/replay-$1 not built (run make check)"
	local -a in=()
	for f in "$REPO/tests/fuzz/corpus/$1"/* "$REPO/tests/fuzz/regress/$1"/*; do
		[ -f "$f" ] && in+=("$f") && n=$((n + 1))
	done
	[ "$n" -gt 0 ]
	if [ "${JT_VALGRIND:-0}" = 1 ]; then
		run jt_valgrind "$bin" "${in[@]}"
	else
		run "$bin" "${in[@]}"
	fi
	assert_success
	assert_output ""
}

@test "fuzz: the CSV reader replays its corpus and regressions clean" {
	replay csv
}

@test "fuzz: the rules parser and matcher replay their corpus and regressions clean" {
	replay rules
}

@test "fuzz: the profile parser replays its corpus and regressions clean" {
	replay profile
}

@test "fuzz: the time parser replays its corpus and regressions clean" {
	replay time
}

@test "fuzz: the TZif reader replays its corpus and regressions clean" {
	replay tzif
}

@test "fuzz: the number parser replays its corpus and regressions clean" {
	replay num
}

# Found by the csv harness: a quote opened before any field and never closed
# ('"' CR) made the reader count newlines from a NULL buffer (undefined; UBSan).
@test "fuzz: an unterminated quote before any field: a clear error, exit 1" {
	PROG=jkpi
	printf '"\r' >"$T/in.csv"
	jtrc 1 -k count "$T/in.csv"
	err_is "jkpi: $T/in.csv:1: unterminated quoted field (opened on line 1)"
	# --lazy-quotes closes the field at the end: a header of one column, no rows
	jt -k count --lazy-quotes "$T/in.csv"
	assert_equal "$(cat "$T/out")" "$(printf 'count\n0')"
}

# Found by the profile harness: an empty quoted token ("") was taken as a
# column name (customer "", touch visit "", measure m = "", referee ""); a
# column name may not be empty, as carry and jvalue -g already said.
@test "fuzz: an empty column name in a profile setting is an error at its column" {
	PROG=jtouch
	printf 'a,b\nx,2024-01-01\n' >"$T/in.csv"
	jtrc 2 --customer 'a ""' --touch 'visit b' "$T/in.csv"
	err_is "jtouch: --customer 'a \"\"': customer: an empty column name
Try 'jtouch --help' for more information."
	jtrc 2 --customer a --touch 'visit ""' "$T/in.csv"
	err_is "jtouch: --touch 'visit \"\"': touch visit: an empty time column name
Try 'jtouch --help' for more information."
	jtrc 2 --customer a --touch 'visit b' --measure 'm = a - ""' "$T/in.csv"
	err_is "jtouch: --measure 'm = a - \"\"': measure m: an empty column name
Try 'jtouch --help' for more information."
	printf 'customer a\ntouch visit b\nchannel ""\n' >"$T/p.profile"
	jtrc 2 -p "$T/p.profile" "$T/in.csv"
	err_is "jtouch: $T/p.profile:3:9: channel: an empty column name
Try 'jtouch --help' for more information."
}

# The csv harness writes what it read and reads it back; it skips outputs that
# start with a byte order mark, because only the first BOM of an input is
# dropped (jtools(7), CAVEATS): a second one stays in the first header name.
@test "fuzz: a first name that starts like a compressed file (after a BOM) is quoted on output, which reads back" {
	# found by make fuzz (tests/fuzz/regress/csv/xz-magic-after-bom, xz's
	# magic, which holds a NUL): the BOM hid the magic from the reader, and
	# the writer wrote it first; here gzip's and zstd's
	local magic name
	for magic in '\037\213\010' '\050\265\057\375'; do
		name=$(printf "${magic}x")
		printf "\357\273\277${magic}x,b\n1,2\n" >"$T/in.csv"
		"$REPO/bin/jkpi" -g "$name" -k count "$T/in.csv" >"$T/out.csv"
		assert_equal "$(head -c 1 "$T/out.csv")" '"'
		run -0 --separate-stderr "$REPO/bin/jkpi" -g "$name" -k n=sum:count "$T/out.csv"
		assert_output "$(printf "\"${magic}x\",n,n_n,n_missing\n1,1,1,0")"
	done
}

@test "fuzz: only the first byte order mark is dropped; a second stays in the first name" {
	PROG=jkpi
	printf '\357\273\277\357\273\277a,b\n1,2\n' >"$T/in.csv"
	jtrc 1 -g a -k count "$T/in.csv"
	err_is "jkpi: $T/in.csv:1: no column named 'a' (columns: $(printf '\357\273\277')a, b); did you mean 'b'?"
	printf '\357\273\277a,b\n1,2\n' >"$T/in.csv"
	jt -g a -k count "$T/in.csv"
	assert_equal "$(cat "$T/out")" "$(printf 'a,count\n1,1')"
}
