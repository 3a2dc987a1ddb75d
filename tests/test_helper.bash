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
# jkpi --format html writes its generation time: SOURCE_DATE_EPOCH
# (reproducible-builds.org) fixes it, so pages compare byte for byte.
# 2024-07-01T06:00:00Z, the morning after the sample exports end.
SOURCE_DATE_EPOCH=1719813600
export REPO PATH LC_ALL TZ JTOOLS_DATADIR FIX EXP SHARED SOURCE_DATE_EPOCH

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

# ---- helpers for the per-program suites. Each file sets PROG (the program
# jtrc runs) and GOLDEN (its folder under tests/expected, default PROG); the
# tests use $T as their scratch folder.

# jtrc RC ARGS...: run $PROG, stdout -> $T/out, stderr -> $T/err; require exit status RC.
jtrc() {
	local want=$1 rc=0
	shift
	"$PROG" "$@" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$rc" != "$want" ]; then
		{
			echo "$PROG $*: exit status $rc, expected $want"
			echo "--- stderr:"; cat "$T/err"
			echo "--- stdout:"; head -c 3000 "$T/out"
		} >&2
		return 1
	fi
}

# jt ARGS...: $PROG must succeed with nothing on stderr.
jt() {
	jtrc 0 "$@"
	err_is ""
}

# err_is TEXT: stderr of the last run equals TEXT (final newline dropped).
err_is() {
	assert_equal "$(cat "$T/err")" "$1"
}

# same [FILE] < EXPECTED: FILE (default: stdout of the last run) equals stdin byte for byte.
same() {
	local d
	if ! d=$(diff -u - "${1:-$T/out}"); then
		printf 'output differs (--- expected, +++ actual):\n%s\n' "$d" >&2
		return 1
	fi
}

# golden NAME [FILE]: FILE (default: stdout of the last run) equals tests/expected/$GOLDEN/NAME.
golden() {
	local d
	if ! d=$(diff -u "$EXP/${GOLDEN:-$PROG}/$1" "${2:-$T/out}"); then
		printf 'output differs from %s:\n%s\n' "$1" "$d" >&2
		return 1
	fi
}

# stat_of NAME: a value of the --stats file $T/st.csv.
stat_of() {
	awk -F, -v k="$1" '$1 == k { print $2 }' "$T/st.csv"
}

# stats_are NAME=VALUE...: the --stats file $T/st.csv has these values.
stats_are() {
	local kv
	for kv in "$@"; do
		assert_equal "${kv%%=*}=$(stat_of "${kv%%=*}")" "$kv"
	done
}

# need_zone NAME: skip when the IANA zone file is not installed.
need_zone() {
	[ -f "${TZDIR:-/usr/share/zoneinfo}/$1" ] || skip "time zone $1 not installed (${TZDIR:-/usr/share/zoneinfo})"
}

# invariant: rows_in = rows_out + rows_skipped + rows_filtered + rows_rejected in $T/st.csv.
invariant() {
	local in out sk fl rj
	in=$(stat_of rows_in) out=$(stat_of rows_out) sk=$(stat_of rows_skipped) fl=$(stat_of rows_filtered)
	rj=$(stat_of rows_rejected)
	if [ -z "$in" ] || [ -z "$out" ] || [ -z "$sk" ] || [ -z "$fl" ] || [ -z "$rj" ]; then
		echo "no counts in --stats" >&2
		return 1
	fi
	assert_equal "rows_in $in" "rows_in $((out + sk + fl + rj))"
}

# OLIST_TIME_AWK: awk functions for the independent Olist computations
# (olist_report.bats, jvalue.bats): days(y, m, d) since 1970-01-01 (Hinnant's
# days_from_civil), secs("YYYY-MM-DD?HH:MM:SS") with no zone, and sp(s), a Sao
# Paulo local time in UTC seconds (the DST periods of the data's years).
OLIST_TIME_AWK='
function days(y, m, d,   era, yoe, doy, doe) {
	y -= m <= 2; era = int((y >= 0 ? y : y - 399) / 400); yoe = y - era * 400
	doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468
}
function secs(s) {
	return days(substr(s, 1, 4) + 0, substr(s, 6, 2) + 0, substr(s, 9, 2) + 0) * 86400 + \
		substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60 + substr(s, 18, 2)
}
function sp(s,   dst) {
	dst = (s >= "2016-10-16 01:00:00" && s < "2017-02-19 00:00:00") || \
		(s >= "2017-10-15 01:00:00" && s < "2018-02-18 00:00:00") || \
		(s >= "2018-11-04 01:00:00" && s < "2019-02-17 00:00:00")
	return secs(s) + (dst ? 2 : 3) * 3600
}
'

# HEATMAP_AWK: the cells of the heatmaps of a jkpi --format html page (its
# source or Chromium's --dump-dom of it) as KPI,ROW,COLUMN,FIGURE lines, the
# names as the page shows them (labels), the figure as computed (data-v);
# cells without a figure are left out.
HEATMAP_AWK='
/^<h3>/ { k = $0; sub(/^<h3>/, "", k); sub(/<\/h3>.*/, "", k) }
/^<thead><tr>/ && k != "" {
	n = split($0, h, /<th( [^>]*)?>/)
	for (i = 2; i <= n; i++) { x = h[i]; sub(/<.*/, "", x); col[i - 1] = x }
}
/^<tr><th scope="row">/ && k != "" {
	r = $0; sub(/^<tr><th scope="row">/, "", r); sub(/<.*/, "", r)
	n = split($0, c, /<td /)
	for (i = 2; i <= n; i++)
		if (match(c[i], /data-v="[^"]*"/))
			print k "," r "," col[i] "," substr(c[i], RSTART + 8, RLENGTH - 9)
}
/^<\/figure>/ { k = "" }
'

# full_tmpdir SIZE OUT CMD...: runs CMD with $TMPDIR a tmpfs of SIZE that
# fills up (skips unless root can mount one), then checks what a full
# $TMPDIR gives: exit 1, no OUT, and the message naming the folder
full_tmpdir() {
	local size=$1 out=$2 rc=0
	shift 2
	[ "$(id -u)" = 0 ] || skip "mounting a small tmpfs needs root"
	mkdir "$T/small"
	mount -t tmpfs -o size="$size" tmpfs "$T/small" 2>/dev/null || skip "cannot mount a tmpfs here"
	TMPDIR=$T/small "$@" 2>"$T/err" || rc=$?
	umount "$T/small"
	assert_equal "rc=$rc" "rc=1"
	run cat "$T/err"
	assert_output "$1: cannot write a spill file in $T/small: No space left on device (make room there, set TMPDIR to a folder with room, or raise --memory)"
	[ ! -e "$out" ]
}

# saw_tmpfile PID: waits for PID (up to 2 s of looking), returns 0 when it
# was seen holding an unnamed file in $TMPDIR (a spill file), else 1
saw_tmpfile() {
	local pid=$1 seen=1 i
	for i in $(seq 200); do
		if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$TMPDIR/[^ ]* (deleted)"; then
			seen=0
			break
		fi
		sleep 0.01
	done
	wait "$pid"
	return $seen
}
