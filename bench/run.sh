#!/bin/sh
# bench/run.sh - throughput report for `make bench`.
#
# Builds bench/bareparse, generates the input files (datasets) the benchmarks
# use if missing, then times every benchmark listed in benches() below (best
# of $BENCH_RUNS wall clock, after one untimed warm-up run; the runs are
# interleaved round by round) and prints MB/s (MB = 10^6 bytes) plus each
# program's throughput as a percentage of the bare libcsv parse of the same
# file.  When repeated runs of one benchmark differ by more than 15 % it adds
# a note that the machine looks busy.
#
# Datasets, listed in datasets() below; each is one CSV file in bench/out/
# (git-ignored), either generated with $BENCH_ROWS rows by an awk script from
# a fixed seed, or made from another dataset by a jtools program, so every run
# and every machine times the same bytes:
#   survey   bench/out/survey-1m.csv, a survey export already in the touch
#            stream shape (bench/gensurvey.awk), the input of jkpi
#   events   bench/out/events-1m.csv, a raw web/product event export
#            (user_id,event,timestamp,channel,page; bench/genevents.awk), the
#            input of jtouch -p events
#   touches  bench/out/touches-1m.csv, the touch stream of the events file
#            (bin/jtouch -p events: one touch per event, time-ordered, not
#            grouped by customer), the input of jstage
#   referrals bench/out/referrals-1m.csv, a raw referral export
#            (referrer,referee,sent_at,signed_up_at,converted_at;
#            bench/genreferrals.awk): referral trees over ~420,000
#            customers, with double claims, reminders, self-referrals and
#            cycles for the reject paths; the input of jrefer (raw export)
# Every benchmark names its dataset, and every dataset has its own bare-parse
# baseline: a program's percentage is against the bare parse of the file it
# read.  A file is made only when a benchmark uses it (or uses a dataset made
# from it), and again when its generator is newer than the file; a file made
# from another dataset is made again when that dataset's file, the program
# that makes it or anything in the data folder (profiles) is newer.
#
# It is a report: it exits 0 even when a target is missed (printing
# BELOW TARGET); it exits 1 only when a benchmarked command itself fails
# (2 when it cannot measure at all: no bareparse, no data, or a dataset's
# baseline missing or failed).
#
# Environment:
#   CC, CPPFLAGS, LDFLAGS  compiler for bench/bareparse (default: cc)
#   AWK                    awk used by the generators (default: awk)
#   BENCH_RUNS             timed runs per benchmark, best is kept (default: 3)
#   BENCH_ROWS             rows in each generated file (default: 1000000;
#                          other counts use bench/out/NAME-$BENCH_ROWS.csv)
#   BENCH_TIMER            bash | gnu | date  (default: bash if available,
#                          else GNU /usr/bin/time, else date +%N)
# JTOOLS_DATADIR is set to the source tree's share/jtools for the programs.
#
# Written in POSIX sh; re-executes itself under bash when bash exists, for
# bash's millisecond `time` (GNU time's %e only has 10 ms resolution, which is
# ~3 % of a 0.3 s run).  Peak RSS comes from /usr/bin/time -f %M when present.

# ---- datasets --------------------------------------------------------------
# One line per input file, either of
#   dataset NAME GENERATOR
#   derive  NAME FROM COMMAND
#   NAME       what bench lines call it (lower case letters, digits, _); the
#              file is bench/out/NAME-1m.csv, or bench/out/NAME-$ROWS.csv
#   GENERATOR  awk script, run as: $AWK -v rows=N -f GENERATOR >FILE
#   FROM       a dataset listed above this line
#   COMMAND    shell text, run from the repository root with "$SRC" set to
#              FROM's file; its stdout is the file.  The program (first word)
#              must be built.
# shellcheck disable=SC2016  # "$SRC" is expanded when the command runs
datasets() {
    dataset survey  bench/gensurvey.awk
    dataset events  bench/genevents.awk
    derive  touches events 'bin/jtouch -p events "$SRC"'
    derive  valuechain touches 'bin/jstage --outcome default "$SRC" | bin/jvalue'
    dataset referrals bench/genreferrals.awk
}

# ---- benchmarks ------------------------------------------------------------
# One line per program:  bench NAME DATASET TARGET COMMAND
#   NAME     label in the table
#   DATASET  the input, one of the datasets above
#   TARGET   minimum % of its dataset's baseline MB/s, or - for none (the
#            percentage is printed either way)
#   COMMAND  shell text, run from the repository root; "$DATA" is the
#            dataset's file.  stdout goes to /dev/null, stderr to a file that
#            is shown only when the command fails: a program may exit 0 with
#            messages (rejected rows), as jrefer does here.  A command whose
#            program (first word) does not exist yet is reported as skipped.
# The first line of each dataset is that dataset's baseline, the one the
# percentages of its other lines refer to.
# shellcheck disable=SC2016  # "$DATA" is expanded when the command runs
benches() {
    bench 'bare parse' survey -  'bench/bareparse "$DATA"'
    bench 'jkpi'       survey 80 'bin/jkpi -g channel -k count,nps:nps "$DATA"'
    bench 'bare parse' events -  'bench/bareparse "$DATA"'
    bench 'jtouch'     events 70 'bin/jtouch -p events "$DATA"'
    # jstage keeps every touch in memory unless --sorted; --sorted is not
    # benchmarked, as the touches are time-ordered, not grouped by customer
    bench 'bare parse'     touches - 'bench/bareparse "$DATA"'
    bench 'jstage'         touches - 'bin/jstage "$DATA"'
    bench 'jstage --paths' touches - 'bin/jstage --paths "$DATA"'
    bench 'jstage --outcome' touches - 'bin/jstage --outcome default "$DATA"'
    bench 'jvalue'         touches 70 'bin/jvalue "$DATA"'
    # the last step of the pipeline: the value-chain x journey report over
    # the touches after jstage --outcome default | jvalue
    bench 'bare parse'     valuechain - 'bench/bareparse "$DATA"'
    bench 'jkpi report'    valuechain - 'bin/jkpi -g activity,stage --per customer -k touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,rate:referred "$DATA"'
    # the whole pipeline, one process after the other, over the event export;
    # its stages one by one, each with its peak memory, are the lines jtouch,
    # jstage --outcome, jvalue and jkpi report above
    bench 'pipeline'       events - 'bin/jtouch -p events "$DATA" | bin/jstage --outcome default | bin/jvalue | bin/jkpi -g activity,stage --per customer -k touches=count,customers=distinct:customer,nps:next_nps,rate:referred'
    # jrefer keeps every referral in memory (the graph is built at the end);
    # ~4.8 % of the rows are rejected, so stderr has reject lines and exit 0
    bench 'bare parse'       referrals - 'bench/bareparse "$DATA"'
    bench 'jrefer --summary' referrals - 'bin/jrefer --referrer referrer --referee referee --time sent_at --signup signed_up_at --converted converted_at --summary "$DATA"'
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
# the programs under test are the uninstalled ones in bin/: give them the
# source tree's data folder (profiles), as the tests and `make demo` do
JTOOLS_DATADIR="$(pwd)/share/jtools"
export JTOOLS_DATADIR

RUNS=${BENCH_RUNS:-3}
ROWS=${BENCH_ROWS:-1000000}
if [ "$ROWS" = 1000000 ]; then
    ROWS_TAG=1m
else
    ROWS_TAG=$ROWS
fi
DATA=           # set per benchmark to its dataset's file
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

# ---- registration ----------------------------------------------------------
# dataset() and bench() only register, into $DATASETS and $TMP/ds/NAME.*
# (datasets) and $TMP/N.* (benchmark N).
mkdir "$TMP/ds" || exit 2
DATASETS=

# dataset_name NAME: check and register the name of a new dataset
dataset_name() {
    case $1 in
    '' | *[!a-z0-9_]*) die "dataset name '$1': use a-z, 0-9 and _" ;;
    esac
    [ -e "$TMP/ds/$1.file" ] && die "dataset $1 listed twice"
    DATASETS="$DATASETS $1"
    printf '%s\n' "bench/out/$1-$ROWS_TAG.csv" >"$TMP/ds/$1.file"
}

# dataset NAME GENERATOR
dataset() {
    [ $# -eq 2 ] || die "dataset ${1:-}: want NAME GENERATOR"
    dataset_name "$1"
    printf '%s\n' "$2" >"$TMP/ds/$1.gen"
}

# derive NAME FROM COMMAND
derive() {
    [ $# -eq 3 ] || die "derive ${1:-}: want NAME FROM COMMAND"
    case $2 in
    '' | *[!a-z0-9_]*) die "derive $1: no dataset '$2'" ;;
    esac
    [ -e "$TMP/ds/$2.file" ] || die "derive $1: no dataset '$2' above it"
    dataset_name "$1"
    printf '%s\n' "$2" >"$TMP/ds/$1.from"
    printf '%s\n' "$3" >"$TMP/ds/$1.cmd"
}

# bench NAME DATASET TARGET COMMAND
bench() {
    [ $# -eq 4 ] || die "bench ${1:-}: want NAME DATASET TARGET COMMAND"
    case $2 in
    '' | *[!a-z0-9_]*) die "bench $1: no dataset '$2'" ;;
    esac
    [ -e "$TMP/ds/$2.file" ] || die "bench $1: no dataset '$2'"
    NB=$((NB + 1))
    # the first benchmark of a dataset is its baseline
    [ -e "$TMP/ds/$2.base" ] || echo "$NB" >"$TMP/ds/$2.base"
    printf '%s\n' "$1" >"$TMP/$NB.name"
    printf '%s\n' "$2" >"$TMP/$NB.dataset"
    cp "$TMP/ds/$2.file" "$TMP/$NB.data"
    printf '%s\n' "$3" >"$TMP/$NB.target"
    printf '%s\n' "$4" >"$TMP/$NB.cmd"
    if [ -x "${4%% *}" ]; then
        echo ok >"$TMP/$NB.status"
    else
        echo skipped >"$TMP/$NB.status"
    fi
    echo - >"$TMP/$NB.rss"
}

NB=0
datasets
benches
[ $NB -gt 0 ] || die "no benchmarks in benches()"

# ---- data ------------------------------------------------------------------
# Only the datasets some benchmark uses (they have a baseline), and the ones
# those are made from: mark them needed, last listed first, as a dataset is
# only made from one listed above it.
REVERSED=
for ds in $DATASETS; do
    REVERSED="$ds $REVERSED"
done
for ds in $REVERSED; do
    if [ -e "$TMP/ds/$ds.base" ] || [ -e "$TMP/ds/$ds.need" ]; then
        : >"$TMP/ds/$ds.need"
        [ -e "$TMP/ds/$ds.from" ] && : >"$TMP/ds/$(cat "$TMP/ds/$ds.from").need"
    fi
done

for ds in $DATASETS; do
    [ -e "$TMP/ds/$ds.need" ] || continue
    if [ -e "$TMP/ds/$ds.base" ]; then
        base=$(cat "$TMP/ds/$ds.base")
        [ "$(cat "$TMP/$base.status")" = ok ] ||
            die "baseline $(cat "$TMP/$base.cmd") of dataset $ds missing"
    fi
    file=$(cat "$TMP/ds/$ds.file")
    if [ -e "$TMP/ds/$ds.gen" ]; then
        gen=$(cat "$TMP/ds/$ds.gen")
        [ -r "$gen" ] || die "dataset $ds: no generator $gen"
        if [ ! -s "$file" ] || newer "$gen" "$file"; then
            echo "bench: generating $file ($ROWS rows)" >&2
            mkdir -p bench/out || exit 2
            if ! ${AWK:-awk} -v rows="$ROWS" -f "$gen" >"$file.tmp" ||
                ! mv "$file.tmp" "$file"; then
                rm -f "$file.tmp"
                die "cannot generate $file"
            fi
        fi
        printf '%s rows\n' "$ROWS" >"$TMP/ds/$ds.rows"
    else
        from=$(cat "$TMP/ds/$ds.from")
        SRC=$(cat "$TMP/ds/$from.file")
        maker=$(cat "$TMP/ds/$ds.cmd")
        [ -x "${maker%% *}" ] ||
            die "dataset $ds: ${maker%% *} not built (run make first)"
        if [ ! -s "$file" ] || newer "$SRC" "$file" ||
            newer "${maker%% *}" "$file" || newer "$JTOOLS_DATADIR" "$file"; then
            echo "bench: making $file from $SRC ($maker)" >&2
            if ! eval "$maker" >"$file.tmp" || ! mv "$file.tmp" "$file"; then
                rm -f "$file.tmp"
                die "cannot make $file"
            fi
        fi
        # lines, not records: a quoted field may hold a line break
        printf '%s lines from %s\n' "$(($(wc -l <"$file") - 1))" "$from" \
            >"$TMP/ds/$ds.rows"
    fi
    wc -c <"$file" | tr -d ' ' >"$TMP/ds/$ds.bytes"
done

# ---- run -------------------------------------------------------------------
# The runs are interleaved round by round (every benchmark once per round),
# so a burst of load elsewhere on the machine hits the baselines and the
# programs alike instead of skewing one of them.

# run_one N ROUND: one run of benchmark N (ROUND 0 = untimed warm-up, which
# also measures peak RSS when GNU time exists); records failures.
run_one() {
    [ "$(cat "$TMP/$1.status")" = ok ] || return 0
    _cmd=$(cat "$TMP/$1.cmd")
    DATA=$(cat "$TMP/$1.data")
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

case $TIMER in
bash) TIMER_DESC="bash time, 1 ms" ;;
gnu) TIMER_DESC="/usr/bin/time %e, 10 ms" ;;
date) TIMER_DESC="date +%N" ;;
esac
echo "jtools bench: best of $RUNS wall clock ($TIMER_DESC), MB = 10^6 bytes"
for ds in $DATASETS; do
    [ -e "$TMP/ds/$ds.bytes" ] || continue
    awk -v d="$ds" -v f="$(cat "$TMP/ds/$ds.file")" \
        -v r="$(cat "$TMP/ds/$ds.rows")" -v b="$(cat "$TMP/ds/$ds.bytes")" \
        'BEGIN { printf "  %-9s %s (%.1f MB, %s)\n", d, f, b / 1e6, r }'
done

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
BASE_FAILED=
SPREAD=0
: >"$TMP/targets"
echo
printf '%-16s %-9s %9s %9s %12s\n' name dataset seconds MB/s 'peak RSS'
i=1
while [ $i -le $NB ]; do
    name=$(cat "$TMP/$i.name")
    ds=$(cat "$TMP/$i.dataset")
    base=$(cat "$TMP/ds/$ds.base")
    bytes=$(cat "$TMP/ds/$ds.bytes")
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
        awk -v n="$name" -v d="$ds" -v s="$best" -v b="$bytes" \
            -v r="$(cat "$TMP/$i.rss")" \
            'BEGIN { printf "%-16s %-9s %9.3f %9.1f %12s\n", n, d, s, b / 1e6 / s, r }'
        [ "$i" -eq "$base" ] && printf '%s\n' "$best" >"$TMP/ds/$ds.secs"
        result=$best
        ;;
    skipped)
        printf '%-16s %-9s %9s %9s %12s  skipped: %s not built\n' \
            "$name" "$ds" - - - "$(sed 's/ .*//' "$TMP/$i.cmd")"
        result='NOT MEASURED'
        ;;
    *)
        printf '%-16s %-9s %9s %9s %12s  FAILED (exit %s)\n' \
            "$name" "$ds" - - - "${status#failed }"
        sed -n '1,5s/^/    /p' "$TMP/$i.err"
        FAILED=1
        result=FAILED
        [ "$i" -eq "$base" ] && BASE_FAILED="$BASE_FAILED, $name ($ds)"
        ;;
    esac
    # a benchmark comes after its baseline, so the baseline's time is known
    [ "$i" -ne "$base" ] &&
        printf '%s\t%s\t%s\t%s (%s)\t%s\n' "$name" "$target" "$result" \
            "$(cat "$TMP/$base.name")" "$ds" "$(cat "$TMP/ds/$ds.secs" 2>/dev/null)" \
            >>"$TMP/targets"
    i=$((i + 1))
done

if [ -s "$TMP/targets" ]; then
    echo
    awk -F '\t' '{
        tgt = ($2 == "-") ? "no target" : "target >= " $2 " %"
        if ($3 !~ /^[0-9.]+$/ || $5 == "") {
            printf "%s / %s = n/a (%s)  %s\n", $1, $4, tgt,
                ($3 !~ /^[0-9.]+$/) ? $3 : "BASELINE FAILED"
            next
        }
        pct = sprintf("%.1f", $5 / $3 * 100)
        printf "%s / %s = %s %% (%s)%s\n", $1, $4, pct, tgt,
            ($2 != "-" && pct + 0 < $2 + 0) ? "  BELOW TARGET" : ""
    }' "$TMP/targets"
fi
if [ "$SPREAD" -gt 15 ]; then
    echo
    echo "note: repeated runs differed by up to $SPREAD % - the machine looks busy;" \
        "rerun (or raise BENCH_RUNS) before trusting the ratio"
fi
[ -n "$BASE_FAILED" ] && die "baseline ${BASE_FAILED#, } failed"

exit $FAILED
