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

# JT_VALGRIND=1 runs every jkpi call under valgrind; a definite leak or a
# memory error turns into exit status 99, which no test expects.
if [ "${JT_VALGRIND:-0}" = 1 ]; then
	jkpi() {
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
			--error-exitcode=99 "$REPO/bin/jkpi" "$@"
	}
	export -f jkpi
fi
