#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2046,SC2154
# The contract every jtools program shares (DESIGN.md section 5, style.md 5.5).
# Loops over the programs that exist in bin/.
bats_require_minimum_version 1.5.0
load test_helper

# programs: the jtools programs built so far
programs() {
	local p
	for p in jstage jtouch jvalue jrefer jkpi; do
		if [ -x "$REPO/bin/$p" ]; then echo "$p"; fi
	done
}

# minimal_args PROG: the options a program needs to run on any CSV input
minimal_args() {
	case $1 in
	jkpi) echo "-k count" ;;
	jtouch) echo "-p $FIX/any.profile" ;;
	*) echo "" ;;
	esac
}

# input_for PROG: a fixture the program reads without options (the touch
# stream for the programs that read it)
input_for() {
	case $1 in
	jstage | jvalue | jrefer) echo touches.csv ;;
	*) echo kpi.csv ;;
	esac
}

setup() {
	PROGS=$(programs)
	[ -n "$PROGS" ] || skip "no program in bin/ yet (run make)"
}

@test "common: --help and -h: usage on stdout with examples, exit 0" {
	local p flag
	for p in $PROGS; do
		for flag in --help -h; do
			run --separate-stderr "$p" "$flag"
			assert_success
			assert_equal "$stderr" ""
			assert_line --regexp '^usage: '
			assert_line --regexp '^Examples:'
		done
	done
}

@test "common: --version and -V: '<prog> (jtools) N', libcsv, PCRE2 and datadir" {
	local p flag
	for p in $PROGS; do
		for flag in --version -V; do
			run --separate-stderr "$p" "$flag"
			assert_success
			assert_equal "$stderr" ""
			assert_line --index 0 --regexp "^$p \\(jtools\\) [0-9]"
			assert_line --regexp '^libcsv [0-9]'
			assert_line --regexp '^PCRE2 [0-9]'
			assert_line "datadir $JTOOLS_DATADIR"
		done
	done
}

@test "common: unknown options --bogus, -Z, -Zfoo: exit 2, stdout empty, hint on stderr" {
	local p
	for p in $PROGS; do
		run -2 --separate-stderr "$p" --bogus
		assert_output ''
		assert_equal "${stderr_lines[0]}" "$p: unrecognized option '--bogus'"
		assert_equal "${stderr_lines[${#stderr_lines[@]} - 1]}" "Try '$p --help' for more information."

		run -2 --separate-stderr "$p" -Z
		assert_output ''
		assert_regex "${stderr_lines[0]}" "^$p: .*(-Z|'Z')"
		assert_equal "${stderr_lines[${#stderr_lines[@]} - 1]}" "Try '$p --help' for more information."

		run -2 --separate-stderr "$p" -Zfoo
		assert_output ''
		assert_regex "${stderr_lines[0]}" "^$p: .*(-Z|'Z')"
		assert_equal "${stderr_lines[${#stderr_lines[@]} - 1]}" "Try '$p --help' for more information."
	done
}

@test "common: empty stdin gives empty output and exit 0" {
	local p
	for p in $PROGS; do
		# shellcheck disable=SC2046
		run --separate-stderr "$p" $(minimal_args "$p") </dev/null
		assert_success
		assert_output ''
		assert_equal "$stderr" ""
	done
}

@test "common: > /dev/full is exit 1 with a write error" {
	local p
	for p in $PROGS; do
		run --separate-stderr bash -c '"$@" <"$FIX/$0" >/dev/full' "$(input_for "$p")" "$p" $(minimal_args "$p")
		assert_failure 1
		assert_output ''
		assert_regex "$stderr" "^$p: write error"
	done
}

@test "common: every long option in --help is documented in the man page" {
	local p opt missing=
	for p in $PROGS; do
		local man="$REPO/man/man1/$p.1"
		[ -f "$man" ] || skip "man/man1/$p.1 not written yet"
		command -v mandoc >/dev/null || skip "mandoc not installed"
		local text
		text=$(mandoc -Tascii "$man")
		text=${text//?$'\b'/}	# the overstrike of bold and underlined text off (as col -b does)
		run "$p" --help
		assert_success
		for opt in $(printf '%s\n' "$output" | grep -o -E -- '--[a-z][a-z0-9-]*' | sort -u); do
			if ! grep -q -F -e "$opt" <<<"$text"; then missing="$missing $p:$opt"; fi
		done
	done
	assert_equal "missing:$missing" "missing:"
}

@test "common: mandoc -Tlint -Wwarning is clean for every man page" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	local p n=0
	for p in $PROGS; do
		local man="$REPO/man/man1/$p.1"
		[ -f "$man" ] || continue
		run mandoc -Tlint -Wwarning "$man"
		assert_success
		assert_output ''
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || skip "no man page written yet"
}
