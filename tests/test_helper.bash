# Shared setup for the jtools bats suites.
# Loaded with `load test_helper` from every tests/*.bats file.

REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
PATH="$REPO/bin:$PATH"
LC_ALL=C
TZ=UTC
JTOOLS_DATADIR="$REPO/share/jtools"
FIX="$REPO/tests/fixtures"
EXP="$REPO/tests/expected"
SHARED="$REPO/../shared/data/real"
export REPO PATH LC_ALL TZ JTOOLS_DATADIR FIX EXP SHARED

bats_load_library bats-support
bats_load_library bats-assert

# Real data sets live outside the repository; CI has them, a fresh clone may not.
need_shared() {
	if [ ! -d "$SHARED" ]; then
		skip "../shared/data/real not present (CI-only data)"
	fi
}

# JT_VALGRIND=1 runs every program under valgrind; a definite leak or a
# memory error turns into exit status 99, which no test expects.
# JT_NO_JIT=1 makes PCRE2 interpret patterns: valgrind cannot follow JIT code,
# which reads whole words past the end of a subject by design.
if [ "${JT_VALGRIND:-0}" = 1 ]; then
	jt_valgrind() {
		JT_NO_JIT=1 valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
			--error-exitcode=99 "$@"
	}
	jkpi() { jt_valgrind "$REPO/bin/jkpi" "$@"; }
	jtouch() { jt_valgrind "$REPO/bin/jtouch" "$@"; }
	jstage() { jt_valgrind "$REPO/bin/jstage" "$@"; }
	jvalue() { jt_valgrind "$REPO/bin/jvalue" "$@"; }
	jrefer() { jt_valgrind "$REPO/bin/jrefer" "$@"; }
	export -f jt_valgrind jkpi jtouch jstage jvalue jrefer
fi
