#!/bin/sh
# bench/run.sh - throughput report for `make bench`.
#
# Builds bench/bareparse, generates bench/out/survey-1m.csv if missing, then
# times every benchmark listed in benches() below (best of $BENCH_RUNS wall
# clock, after one untimed warm-up run; the runs are interleaved round by
# round) and prints MB/s (MB = 10^6 bytes) plus each program's throughput as
# a percentage of the bare libcsv parse.  When repeated runs of one benchmark
# differ by more than 15 % it adds a note that the machine looks busy.
#
# It is a report: it exits 0 even when a target is missed (printing
# BELOW TARGET); it exits 1 only when a benchmarked command itself fails.
#
# Environment:
#   CC, CPPFLAGS, LDFLAGS  compiler for bench/bareparse (default: cc)
#   AWK                    awk used by the generator (default: awk)
#   BENCH_RUNS             timed runs per benchmark, best is kept (default: 3)
#   BENCH_ROWS             rows in the generated file (default: 1000000)
#   BENCH_TIMER            bash | gnu | date  (default: bash if available,
#                          else GNU /usr/bin/time, else date +%N)
#
# Written in POSIX sh; re-executes itself under bash when bash exists, for
# bash's millisecond `time` (GNU time's %e only has 10 ms resolution, which is
# ~3 % of a 0.3 s run).  Peak RSS comes from /usr/bin/time -f %M when present.

# ---- benchmarks ------------------------------------------------------------
# One line per program:  bench NAME TARGET COMMAND
#   NAME     label in the table
#   TARGET   minimum % of the baseline's MB/s, or - for none
#   COMMAND  shell text, run from the repository root; "$DATA" is the input.
#            stdout goes to /dev/null.  A command whose program (first word)
#            does not exist yet is reported as skipped.
# The first line is the baseline the percentages refer to.
# shellcheck disable=SC2016  # "$DATA" is expanded when the command runs
benches() {
    bench 'bare parse' - 'bench/bareparse "$DATA"'
    bench 'jkpi'      80 'bin/jkpi -g channel -k count,nps:nps "$DATA"'
}
# ----------------------------------------------------------------------------

if [ -z "${BASH_VERSION:-}" ] && [ -z "${BENCH_NO_REEXEC:-}" ] &&
    command -v bash >/dev/null 2>&1; then
    BENCH_NO_REEXEC=1 exec bash "$0" "$@"
fi

set -u
LC_ALL=C
export LC_ALL

cd "$(dirname "$0")/.." || exit 2

RUNS=${BENCH_RUNS:-3}
ROWS=${BENCH_ROWS:-1000000}
if [ "$ROWS" = 1000000 ]; then
    DATA=bench/out/survey-1m.csv
else
    DATA=bench/out/survey-$ROWS.csv
fi
export DATA     # commands run via sh -c under the GNU time timer
GNUTIME=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null
then
    GNUTIME=/usr/bin/time
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/jtools-bench.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'rm -rf "$TMP"; exit 130' INT TERM

die() {
    echo "bench: $*" >&2
    exit 2
}

# ---- timer -----------------------------------------------------------------
TIMER=${BENCH_TIMER:-}
if [ -z "$TIMER" ]; then
    if [ -n "${BASH_VERSION:-}" ]; then
        TIMER='bash'
    elif [ -n "$GNUTIME" ]; then
        TIMER='gnu'
    else
        TIMER='date'
    fi
fi
case $TIMER in
bash) [ -n "${BASH_VERSION:-}" ] || die "BENCH_TIMER=bash needs bash" ;;
gnu) [ -n "$GNUTIME" ] || die "BENCH_TIMER=gnu needs GNU /usr/bin/time" ;;
date)
    case $(date +%N) in
    *[!0-9]* | '') die "no usable timer: need bash, GNU /usr/bin/time or date +%N" ;;
    esac
    ;;
*) die "BENCH_TIMER must be bash, gnu or date" ;;
esac

# now_ns: nanoseconds since the epoch (date timer only)
now_ns() {
    date +%s%N
}

# timed CMD: run CMD (stdout to /dev/null, stderr to $TMP/err) once; sets
# SECS to its wall-clock seconds and returns its exit status.
timed() {
    case $TIMER in
    bash)
        TIMEFORMAT=%3R
        { time eval "$1" >/dev/null 2>"$TMP/err"; } 2>"$TMP/t"
        _rc=$?
        SECS=$(tail -n 1 "$TMP/t")
        ;;
    gnu)
        $GNUTIME -f %e -o "$TMP/t" sh -c "exec $1" >/dev/null 2>"$TMP/err"
        _rc=$?
        SECS=$(tail -n 1 "$TMP/t")
        ;;
    date)
        _t0=$(now_ns)
        eval "$1" >/dev/null 2>"$TMP/err"
        _rc=$?
        _t1=$(now_ns)
        SECS=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        ;;
    esac
    return "$_rc"
}

# ---- build + data ----------------------------------------------------------
# newer A B: A was modified after B (portable stand-in for test -nt)
newer() {
    [ -n "$(find "$1" -newer "$2" 2>/dev/null)" ]
}

if [ ! -x bench/bareparse ] || newer bench/bareparse.c bench/bareparse; then
    echo "bench: building bench/bareparse" >&2
    # shellcheck disable=SC2086  # CPPFLAGS/LDFLAGS are word lists
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra ${CPPFLAGS:-} -o bench/bareparse \
        bench/bareparse.c ${LDFLAGS:-} -lcsv ||
        die "cannot build bench/bareparse (is libcsv-dev installed?)"
fi

if [ ! -s "$DATA" ] || newer bench/gensurvey.awk "$DATA"; then
    echo "bench: generating $DATA ($ROWS rows)" >&2
    mkdir -p bench/out || exit 2
    if ! ${AWK:-awk} -v rows="$ROWS" -f bench/gensurvey.awk >"$DATA.tmp" ||
        ! mv "$DATA.tmp" "$DATA"; then
        rm -f "$DATA.tmp"
        die "cannot generate $DATA"
    fi
fi
BYTES=$(wc -c <"$DATA" | tr -d ' ')
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')

# ---- run -------------------------------------------------------------------
# bench() only registers; the runs are interleaved round by round (every
# benchmark once per round), so a burst of load elsewhere on the machine hits
# the baseline and the programs alike instead of skewing one of them.
NB=0

# bench NAME TARGET COMMAND
bench() {
    NB=$((NB + 1))
    printf '%s\n' "$1" >"$TMP/$NB.name"
    printf '%s\n' "$2" >"$TMP/$NB.target"
    printf '%s\n' "$3" >"$TMP/$NB.cmd"
    if [ -x "${3%% *}" ]; then
        echo ok >"$TMP/$NB.status"
    else
        echo skipped >"$TMP/$NB.status"
    fi
    echo - >"$TMP/$NB.rss"
}

# run_one N ROUND: one run of benchmark N (ROUND 0 = untimed warm-up, which
# also measures peak RSS when GNU time exists); records failures.
run_one() {
    [ "$(cat "$TMP/$1.status")" = ok ] || return 0
    _cmd=$(cat "$TMP/$1.cmd")
    if [ "$2" -eq 0 ]; then
        if [ -n "$GNUTIME" ]; then
            $GNUTIME -f %M -o "$TMP/rss" sh -c "exec $_cmd" >/dev/null 2>"$TMP/$1.err"
            _rc=$?
            [ $_rc -eq 0 ] && awk '{ k = $1 } END {
                if (k >= 10240) printf "%.1f MB\n", k / 1024
                else printf "%d KB\n", k }' "$TMP/rss" >"$TMP/$1.rss"
        else
            eval "$_cmd" >/dev/null 2>"$TMP/$1.err"
            _rc=$?
        fi
    else
        timed "$_cmd"
        _rc=$?
        cp "$TMP/err" "$TMP/$1.err"
        [ $_rc -eq 0 ] && printf '%s\n' "$SECS" >>"$TMP/$1.times"
    fi
    if [ $_rc -ne 0 ]; then
        echo "failed $_rc" >"$TMP/$1.status"
    fi
    return 0
}

benches
[ "$(cat "$TMP/1.status")" = ok ] || die "baseline $(cat "$TMP/1.cmd") missing"

case $TIMER in
bash) TIMER_DESC="bash time, 1 ms" ;;
gnu) TIMER_DESC="/usr/bin/time %e, 10 ms" ;;
date) TIMER_DESC="date +%N" ;;
esac
echo "jtools bench: $DATA ($MB MB, $ROWS rows), best of $RUNS wall clock" \
    "($TIMER_DESC), MB = 10^6 bytes"

round=0
while [ $round -le "$RUNS" ]; do
    i=1
    while [ $i -le $NB ]; do
        run_one $i $round
        i=$((i + 1))
    done
    round=$((round + 1))
done

# ---- report ----------------------------------------------------------------
FAILED=0
BASE_NAME=$(cat "$TMP/1.name")
BASE_SECS=
SPREAD=0
: >"$TMP/targets"
echo
printf '%-14s %9s %9s %12s\n' name seconds MB/s 'peak RSS'
i=1
while [ $i -le $NB ]; do
    name=$(cat "$TMP/$i.name")
    target=$(cat "$TMP/$i.target")
    status=$(cat "$TMP/$i.status")
    case $status in
    ok)
        # best (minimum) time and max/min spread of the timed runs
        read -r best spread <<EOF
$(awk 'NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 }
    END { if (lo <= 0) lo = 0.001       # below timer resolution
          printf "%s %d\n", lo, (hi / lo - 1) * 100 + 0.5 }' "$TMP/$i.times")
EOF
        [ "$spread" -gt "$SPREAD" ] && SPREAD=$spread
        awk -v n="$name" -v s="$best" -v b="$BYTES" -v r="$(cat "$TMP/$i.rss")" \
            'BEGIN { printf "%-14s %9.3f %9.1f %12s\n", n, s, b / 1e6 / s, r }'
        [ $i -eq 1 ] && BASE_SECS=$best
        result=$best
        ;;
    skipped)
        printf '%-14s %9s %9s %12s  skipped: %s not built\n' \
            "$name" - - - "$(sed 's/ .*//' "$TMP/$i.cmd")"
        result='NOT MEASURED'
        ;;
    *)
        printf '%-14s %9s %9s %12s  FAILED (exit %s)\n' "$name" - - - "${status#failed }"
        sed -n '1,5s/^/    /p' "$TMP/$i.err"
        FAILED=1
        result=FAILED
        ;;
    esac
    [ "$target" != - ] &&
        printf '%s\t%s\t%s\n' "$name" "$target" "$result" >>"$TMP/targets"
    i=$((i + 1))
done
[ -z "$BASE_SECS" ] && die "baseline $BASE_NAME failed"

if [ -s "$TMP/targets" ]; then
    echo
    awk -F '\t' -v base="$BASE_NAME" -v bs="$BASE_SECS" '{
        if ($3 !~ /^[0-9.]+$/) {
            printf "%s / %s = n/a (target >= %s %%)  %s\n", $1, base, $2, $3
            next
        }
        pct = sprintf("%.1f", bs / $3 * 100)
        printf "%s / %s = %s %% (target >= %s %%)%s\n", $1, base, pct, $2,
            (pct + 0 < $2 + 0) ? "  BELOW TARGET" : ""
    }' "$TMP/targets"
fi
if [ "$SPREAD" -gt 15 ]; then
    echo
    echo "note: repeated runs differed by up to $SPREAD % - the machine looks busy;" \
        "rerun (or raise BENCH_RUNS) before trusting the ratio"
fi

exit $FAILED
