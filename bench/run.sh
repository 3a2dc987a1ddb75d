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
# Then the README pipeline from four raw exports to the activity x stage
# report, against DuckDB computing the same cells from the same files in one
# SQL query (bench/duckdb/report.sql), checked equal cell by cell; see "the
# README pipeline against DuckDB" below.  It ends with a summary of the
# targets of issue 15, each a ratio of two commands timed in this run, with
# the machine's cores and load average before and after: timings from a busy
# machine are not comparable, so the load is part of every result.
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
#   BENCH_PIPELINE_ROWS    rows per export of the pipeline part, a list:
#                          '1000000 5000000' runs it at both sizes; 0 skips
#                          it (default: $BENCH_ROWS)
#   BENCH_COMPACT_ROWS     events of the compact-form part (default 5000000;
#                          0 skips it): jstage --outcome default's peak RSS
#                          a touch over their touch stream, default --memory
#   BENCH_DUCKDB           0: leave DuckDB out of the pipeline part (it is
#                          also skipped, with a message, without node, npm
#                          or a working install of @duckdb/node-api)
#   BENCH_TIMER            bash | gnu | date  (default: bash if available,
#                          else GNU /usr/bin/time, else date +%N)
# JTOOLS_DATADIR is set to the source tree's share/jtools for the programs.
#
# Written in POSIX sh; re-executes itself under bash when bash exists, for
# bash's millisecond `time` (GNU time's %e only has 10 ms resolution, which is
# ~3 % of a 0.3 s run).  Peak RSS comes from /usr/bin/time -f %M when present
# (Debian package time; `make bench` installs it through mk/deps.sh bench).
#
# The loop is the script's own, not a benchmark tool's: it runs anywhere
# with sh and awk, interleaves the commands round by round, and times shell
# pipelines (the README pipeline is four processes) and datasets it makes.

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
    bench 'jstage --outcome' touches 50 'bin/jstage --outcome default "$DATA"'
    bench 'jvalue'         touches 70 'bin/jvalue "$DATA"'
    # the last step of the pipeline: the value-chain x journey report over
    # the touches after jstage --outcome default | jvalue
    bench 'bare parse'     valuechain - 'bench/bareparse "$DATA"'
    bench 'jkpi report'    valuechain - 'bin/jkpi -g activity,stage --per customer -k touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,rate:referred "$DATA"'
    # the whole pipeline, one process after the other, over the event export;
    # its stages one by one, each with its peak memory, are the lines jtouch,
    # jstage --outcome, jvalue and jkpi report above
    bench 'pipeline'       events - 'bin/jtouch -p events "$DATA" | bin/jstage --outcome default | bin/jvalue | bin/jkpi -g activity,stage --per customer -k touches=count,customers=distinct:customer,nps:next_nps,rate:referred'
    # jrefer keeps its customers in memory and the referrals within --memory
    # (1G by default: all of them here), the graph built once they are read,
    # with a second thread interning ids while the first parses (-j default);
    # ~4.8 % of the rows are rejected, so stderr has reject lines and exit 0
    bench 'bare parse'       referrals - 'bench/bareparse "$DATA"'
    bench 'jrefer --summary' referrals 50 'bin/jrefer --referrer referrer --referee referee --time sent_at --signup signed_up_at --converted converted_at --summary "$DATA"'
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
PIPE_ROWS=${BENCH_PIPELINE_ROWS:-$ROWS}
COMPACT_ROWS=${BENCH_COMPACT_ROWS:-5000000}
for _n in $RUNS $ROWS $PIPE_ROWS $COMPACT_ROWS; do
    case $_n in
    '' | *[!0-9]*) echo "bench: BENCH_RUNS, BENCH_ROWS, BENCH_PIPELINE_ROWS and BENCH_COMPACT_ROWS take whole numbers" >&2; exit 2 ;;
    esac
done
# the machine: cores and load, printed before and after (timings are only
# comparable on a quiet machine)
CORES=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')
load_now() {
    if [ -r /proc/loadavg ]; then
        cut -d ' ' -f 1-3 /proc/loadavg
    else
        uptime | sed 's/.*load averages*: *//; s/,//g'
    fi
}
LOAD_BEFORE=$(load_now)
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
# SECS to its wall-clock seconds and CPU to the user + system seconds of all
# its processes ('-' under the date timer), and returns its exit status.
timed() {
    case $TIMER in
    bash)
        TIMEFORMAT='%3R %3U %3S'
        { time eval "$1" >/dev/null 2>"$TMP/err"; } 2>"$TMP/t"
        _rc=$?
        read -r SECS CPU <<EOF
$(tail -n 1 "$TMP/t" | awk '{ printf "%s %.3f\n", $1, $2 + $3 }')
EOF
        ;;
    gnu)
        $GNUTIME -f '%e %U %S' -o "$TMP/t" sh -c "exec $1" >/dev/null 2>"$TMP/err"
        _rc=$?
        read -r SECS CPU <<EOF
$(tail -n 1 "$TMP/t" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
EOF
        ;;
    date)
        _t0=$(now_ns)
        eval "$1" >/dev/null 2>"$TMP/err"
        _rc=$?
        _t1=$(now_ns)
        SECS=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
        CPU=-
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
: >"$TMP/summary"     # the closing summary: label, value, target, verdict
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
echo "machine: $CORES cores ($(uname -sm)), load average $LOAD_BEFORE"
# The machine's parallel capacity: one CPU-bound loop alone, then one per
# core at once (best of 3 each). On a virtual machine the cores may share a
# physical one, and then no -j can reach the issue's 1.6x: the -j ratios
# are read against this one. Seen on one machine: 1.07x one hour, 1.95x
# the next.
capacity() {
    _spin='awk "BEGIN { for (i = 0; i < 2e7; i++) s += i; exit }"'
    _all=$_spin
    _k=1
    while [ "$_k" -lt "$CORES" ] 2>/dev/null; do
        _all="$_all & $_spin"
        _k=$((_k + 1))
    done
    _one= _many=
    for _r in 1 2 3; do
        timed "$_spin" && _one="$_one $SECS"
        timed "$_all; wait" && _many="$_many $SECS"
    done
    awk -v a="$_one" -v b="$_many" -v n="$CORES" 'BEGIN {
        k = split(a, x, " "); m = split(b, y, " ")
        bx = x[1]; for (i = 2; i <= k; i++) if (x[i] < bx) bx = x[i]
        by = y[1]; for (i = 2; i <= m; i++) if (y[i] < by) by = y[i]
        if (k && m && by > 0) printf "%.2f", n * bx / by
    }'
}
case $CORES in
'' | *[!0-9]*) CAPACITY= ;;
*) CAPACITY=$(capacity) ;;
esac
[ -n "$CAPACITY" ] &&
    echo "parallel capacity: $CORES CPU-bound processes at once do ${CAPACITY}x the work of one (1 to $CORES)"
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
        # the lines with a target go to the closing summary too
        if ($2 != "-")
            printf "%s / %s\t%s %%\t>= %s %%\t%s\n", $1, $4, pct, $2,
                (pct + 0 < $2 + 0) ? "BELOW TARGET" : "ok" >>summary
    }' summary="$TMP/summary" "$TMP/targets"
fi

# ---- the README pipeline against DuckDB --------------------------------------
# For each size in $BENCH_PIPELINE_ROWS (rows per export; default $BENCH_ROWS,
# 0 skips this part): the four raw exports of bench/genexports.awk (surveys,
# tickets, orders, referrals: the exports of the README's pipeline, DESIGN.md
# section 1; the event log has its own lines above), in bench/out/exports-SIZE/,
# and in bench/out/pipeline-SIZE/ the files of the run.
#   round 0  the stages one by one, each from the file the one before wrote
#            (seconds and peak RSS of each: the profile), then the pipeline
#            as one pipe with each stage's peak RSS, then DuckDB, whose
#            report is checked against jkpi's cell by cell
#            (bench/duckdb/compare.mjs)
#   rounds 1..$BENCH_RUNS, each command once per round, the best run counts:
#            the pipe, from the four exports to report.csv (every process of
#            the pipe, process start to exit); DuckDB (node
#            bench/duckdb/report.mjs: process start to the report written,
#            CSV reading included, DuckDB's default threads = the cores);
#            bench/bareparse and jstage --outcome default over the touch
#            stream the pipe carries; jstage and jkpi with -j 1 and -j 2,
#            when they have -j.
# The DuckDB side needs node and @duckdb/node-api (bench/duckdb/package.json
# and package-lock.json pin it): npm ci installs it into
# bench/duckdb/node_modules on first use; without node, npm or the network,
# or with BENCH_DUCKDB=0, that part is skipped with a message.
PIPE_KPIS='touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred'
RSS_TARGET_KB=1258291         # 1.2 GiB

# size_tag N: 1m for 1000000, 5m for 5000000, else N
size_tag() {
    if [ $(($1 % 1000000)) -eq 0 ]; then
        echo "$(($1 / 1000000))m"
    else
        echo "$1"
    fi
}

# mb FILE: size in MB (10^6 bytes), one decimal
mb() {
    awk -v b="$(wc -c <"$1")" 'BEGIN { printf "%.1f", b / 1e6 }'
}

# kb_text KB: peak RSS as text
kb_text() {
    case $1 in
    '' | *[!0-9]*) echo - ;;
    *) awk -v k="$1" 'BEGIN { if (k >= 10240) printf "%.1f MB\n", k / 1024
        else printf "%d KB\n", k }' ;;
    esac
}

# gnu_run OUT CMD: run CMD once under GNU time; OUT gets "seconds cpu_seconds
# peak_kb"; stdout to /dev/null, stderr to $TMP/err; returns CMD's status
gnu_run() {
    if [ -n "$GNUTIME" ]; then
        $GNUTIME -f '%e %U %S %M' -o "$1" sh -c "exec $2" >/dev/null 2>"$TMP/err"
        _rc=$?
        tail -n 1 "$1" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' >"$1.last"
        mv "$1.last" "$1"
    else
        timed "$2"
        _rc=$?
        echo "$SECS $CPU -" >"$1"
    fi
    return $_rc
}

# best FILE: the smallest wall time in FILE (lines "wall cpu"), or nothing
best() {
    [ -s "$1" ] && awk 'NR == 1 || $1 < lo { lo = $1 } END { if (lo <= 0) lo = 0.001; print lo }' "$1"
}

# best_cpu FILE: the CPU seconds of that run
best_cpu() {
    [ -s "$1" ] && awk 'NR == 1 || $1 < lo { lo = $1; c = $2 } END { print c }' "$1"
}

# ratio LABEL A_FILE B_FILE TARGET KIND: a summary line comparing the best
# times of two commands; KIND x: A / B (a speed-up, TARGET its minimum),
# KIND %: B / A in percent (a share of a baseline B's speed)
ratio() {
    _a=$(best "$2") _b=$(best "$3")
    if [ -z "$_a" ] || [ -z "$_b" ]; then
        summary "$1" - "$4" 'FAILED (a command failed, see above)'
        FAILED=1
        return 0
    fi
    if [ "$5" = x ]; then
        _v=$(awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.2fx", a / b }')
        _ok=$(awk -v a="$_a" -v b="$_b" -v t="$4" 'BEGIN { print (a / b >= t) ? "ok" : "BELOW TARGET" }')
        summary "$1 ($_a s / $_b s)" "$_v" ">= $4" "$_ok"
    else
        _v=$(awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.1f %%", b / a * 100 }')
        _ok=$(awk -v a="$_a" -v b="$_b" -v t="$4" 'BEGIN { print (b / a * 100 >= t) ? "ok" : "BELOW TARGET" }')
        summary "$1 ($_a s / $_b s)" "$_v" ">= $4 %" "$_ok"
    fi
}

# spread FILE: (max / min - 1) in percent, rounded
spread() {
    [ -s "$1" ] && awk 'NR == 1 || $1 < lo { lo = $1 } $1 > hi { hi = $1 }
        END { if (lo <= 0) lo = 0.001; printf "%d\n", (hi / lo - 1) * 100 + 0.5 }' "$1"
}

# summary LABEL VALUE TARGET VERDICT: one line of the closing summary
summary() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$TMP/summary"
}

# has_j PROG: PROG takes -j (it runs -j 1 over an empty stream)
has_j() {
    case $1 in
    jstage) printf 'customer,time\n' | bin/jstage -j 1 >/dev/null 2>&1 ;;
    jkpi) printf 'a\n1\n' | bin/jkpi -j 1 -k count >/dev/null 2>&1 ;;
    esac
}

# duckdb_setup: DUCKDB_SKIP becomes the reason the DuckDB side cannot run, or
# stays empty; installs @duckdb/node-api on first use
DUCKDB_SKIP='unset'
duckdb_setup() {
    [ "$DUCKDB_SKIP" = unset ] || return 0
    DUCKDB_SKIP=
    if [ "${BENCH_DUCKDB:-1}" = 0 ]; then
        DUCKDB_SKIP='BENCH_DUCKDB=0'
        return 0
    fi
    if ! command -v node >/dev/null 2>&1; then
        DUCKDB_SKIP='no node on the PATH'
        return 0
    fi
    if [ ! -d bench/duckdb/node_modules/@duckdb/node-api ]; then
        if ! command -v npm >/dev/null 2>&1; then
            DUCKDB_SKIP='no npm to install @duckdb/node-api'
            return 0
        fi
        echo "bench: installing @duckdb/node-api into bench/duckdb/node_modules (npm ci, once)" >&2
        if ! (cd bench/duckdb && npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm" 2>&1; then
            DUCKDB_SKIP="npm ci in bench/duckdb failed: $(grep -v '^[[:space:]]*$' "$TMP/npm" | tail -n 1)"
            rm -rf bench/duckdb/node_modules
            return 0
        fi
    fi
    if ! (cd bench/duckdb && node --input-type=module -e "await import('@duckdb/node-api')") \
        >"$TMP/npm" 2>&1; then
        DUCKDB_SKIP="node cannot load @duckdb/node-api: $(grep -v '^[[:space:]]*$' "$TMP/npm" | tail -n 1)"
    fi
    return 0
}

# gen_export NAME ROWS: bench/out/exports-TAG/NAME.csv, made when missing or
# older than its generator
gen_export() {
    _f=bench/out/exports-$(size_tag "$2")/$1.csv
    if [ ! -s "$_f" ] || newer bench/genexports.awk "$_f"; then
        echo "bench: generating $_f ($2 rows)" >&2
        mkdir -p "${_f%/*}" || exit 2
        if ! ${AWK:-awk} -v rows="$2" -v export="$1" -f bench/genexports.awk >"$_f.tmp" ||
            ! mv "$_f.tmp" "$_f"; then
            rm -f "$_f.tmp"
            die "cannot generate $_f"
        fi
    fi
}

# pipeline_bench ROWS: the whole part for one size
pipeline_bench() {
    _n=$1
    _tag=$(size_tag "$_n")
    for _e in surveys tickets orders referrals; do
        gen_export "$_e" "$_n"
    done
    S=bench/out/exports-$_tag/surveys.csv T=bench/out/exports-$_tag/tickets.csv
    O=bench/out/exports-$_tag/orders.csv R=bench/out/exports-$_tag/referrals.csv
    P=bench/out/pipeline-$_tag
    mkdir -p "$P" || exit 2
    rm -f "$P"/*.csv "$P"/*.t
    JTOUCH="bin/jtouch -q -p survey $S -p tickets $T -p orders $O -p referrals $R"
    JSTAGE="bin/jstage --outcome default"
    JKPI="bin/jkpi -q -s -g activity,stage --per customer -k $PIPE_KPIS"
    PIPE="$JTOUCH | $JSTAGE | bin/jvalue | $JKPI -o $P/report.csv"
    DUCK="node bench/duckdb/report.mjs $S $T $O $R $P/duckdb.csv"
    duckdb_setup

    echo
    echo "README pipeline, 4 exports x $_n rows: surveys $(mb "$S") MB, tickets $(mb "$T") MB," \
        "orders $(mb "$O") MB, referrals $(mb "$R") MB"

    # -- round 0: the stages one by one (the profile), the pipe, DuckDB
    _fail=
    gnu_run "$P/st1" "$JTOUCH -o $P/touches.csv" || _fail="jtouch"
    [ -z "$_fail" ] && { gnu_run "$P/st2" "$JSTAGE -o $P/journeys.csv $P/touches.csv" || _fail="jstage"; }
    [ -z "$_fail" ] && { gnu_run "$P/st3" "bin/jvalue -o $P/value-chain.csv $P/journeys.csv" || _fail="jvalue"; }
    rm -f "$P/journeys.csv"
    [ -z "$_fail" ] && { gnu_run "$P/st4" "$JKPI -o $P/report-stages.csv $P/value-chain.csv" || _fail="jkpi"; }
    if [ -n "$_fail" ]; then
        echo "  FAILED: $_fail (exit $_rc)"
        sed -n '1,5s/^/    /p' "$TMP/err"
        FAILED=1
        return 0
    fi
    _touches=$(($(wc -l <"$P/touches.csv") - 1))
    echo "  touch stream $(mb "$P/touches.csv") MB ($_touches lines)," \
        "after jstage | jvalue $(mb "$P/value-chain.csv") MB"
    # the pipe, with the peak RSS of each of its processes
    if [ -n "$GNUTIME" ]; then
        _g="$GNUTIME -f %M -o $P/rss"
        _cmd="$_g.1 $JTOUCH | $_g.2 $JSTAGE | $_g.3 bin/jvalue | $_g.4 $JKPI -o $P/report.csv"
    else
        _cmd=$PIPE
    fi
    if ! timed "$_cmd" || [ ! -s "$P/report.csv" ]; then
        echo "  FAILED: the pipe (exit $_rc)"
        sed -n '1,5s/^/    /p' "$TMP/err"
        FAILED=1
        return 0
    fi
    if ! cmp -s "$P/report.csv" "$P/report-stages.csv"; then
        echo "  FAILED: the pipe's report differs from the stage-by-stage run's"
        FAILED=1
    fi
    if [ -z "$DUCKDB_SKIP" ]; then
        if gnu_run "$P/duck0" "$DUCK"; then
            node bench/duckdb/compare.mjs "$P/report.csv" "$P/duckdb.csv" >"$P/compare.txt" 2>&1
            _eq=$?
        else
            echo "  DuckDB FAILED (exit $_rc):"
            sed -n '1,5s/^/    /p' "$TMP/err"
            DUCKDB_SKIP="the query failed"
            FAILED=1
        fi
    fi

    # -- rounds 1..RUNS
    _jstage_j=; has_j jstage && _jstage_j=1
    _jkpi_j=; has_j jkpi && _jkpi_j=1
    _r=1
    while [ $_r -le "$RUNS" ]; do
        timed "$PIPE" && echo "$SECS $CPU" >>"$P/pipe.t"
        [ -z "$DUCKDB_SKIP" ] && timed "$DUCK" && echo "$SECS $CPU" >>"$P/duck.t"
        timed "bench/bareparse $P/touches.csv" && echo "$SECS $CPU" >>"$P/parse.t"
        timed "$JSTAGE $P/touches.csv" && echo "$SECS $CPU" >>"$P/jstage.t"
        if [ -n "$_jstage_j" ]; then
            timed "bin/jstage -j 1 --outcome default $P/touches.csv" && echo "$SECS $CPU" >>"$P/jstage1.t"
            timed "bin/jstage -j 2 --outcome default $P/touches.csv" && echo "$SECS $CPU" >>"$P/jstage2.t"
        fi
        if [ -n "$_jkpi_j" ]; then
            timed "$JKPI -j 1 $P/value-chain.csv" && echo "$SECS $CPU" >>"$P/jkpi1.t"
            timed "$JKPI -j 2 $P/value-chain.csv" && echo "$SECS $CPU" >>"$P/jkpi2.t"
        fi
        _r=$((_r + 1))
    done
    for _t in "$P"/*.t; do
        _s=$(spread "$_t")
        [ -n "$_s" ] && [ "$_s" -gt "$SPREAD" ] && SPREAD=$_s
    done

    # -- report
    echo
    printf '  %-36s %9s %9s %12s %12s\n' 'stage (one by one, from files)' seconds CPU-s 'peak RSS' 'in the pipe'
    _maxkb=0 _maxname=
    _i=1
    for _name in 'jtouch (4 exports)' 'jstage --outcome default' 'jvalue' 'jkpi (the report)'; do
        read -r _sec _cpu _kb <"$P/st$_i"
        _pkb=$(tail -n 1 "$P/rss.$_i" 2>/dev/null)
        printf '  %-36s %9s %9s %12s %12s\n' "$_name" "$_sec" "$_cpu" "$(kb_text "$_kb")" "$(kb_text "$_pkb")"
        for _k in "$_kb" "$_pkb"; do
            case $_k in '' | *[!0-9]*) continue ;; esac
            [ "$_k" -gt "$_maxkb" ] && _maxkb=$_k _maxname=${_name%% *}
        done
        _i=$((_i + 1))
    done
    printf '  %-36s %9s %9s\n' "the pipe, best of $RUNS" "$(best "$P/pipe.t")" "$(best_cpu "$P/pipe.t")"
    if [ -n "$DUCKDB_SKIP" ]; then
        printf '  %-36s %9s %9s %12s  skipped: %s\n' 'DuckDB, one query' - - - "$DUCKDB_SKIP"
        summary "pipeline $_tag: DuckDB s / pipe s" - '> 1' "skipped: $DUCKDB_SKIP"
    else
        read -r _sec _cpu _kb <"$P/duck0"
        printf '  %-36s %9s %9s %12s\n' "DuckDB, one query, best of $RUNS" "$(best "$P/duck.t")" \
            "$(best_cpu "$P/duck.t")" "$(kb_text "$_kb")"
        sed 's/^/  /' "$P/compare.txt"
        _a=$(best "$P/duck.t") _b=$(best "$P/pipe.t")
        if [ -n "$_a" ] && [ -n "$_b" ]; then
            summary "pipeline $_tag: DuckDB s / pipe s ($_a s / $_b s)" \
                "$(awk -v a="$_a" -v b="$_b" 'BEGIN { printf "%.2fx", a / b }')" '> 1' \
                "$(awk -v a="$_a" -v b="$_b" 'BEGIN { print (a > b) ? "ok" : "BELOW TARGET" }')"
        else
            summary "pipeline $_tag: DuckDB s / pipe s" - '> 1' 'FAILED (see above)'
            FAILED=1
        fi
        _cells=$(sed -n 's/^compare: all \([0-9]*\) cells equal.*/\1 of \1/p;s/^compare: \([0-9]* of [0-9]*\) cells differ.*/\1 differ/p' "$P/compare.txt")
        summary "pipeline $_tag: cells equal to DuckDB's" "${_cells:-?}" 'all' \
            "$([ "$_eq" = 0 ] && echo ok || echo DIFFERENT)"
    fi
    summary "pipeline $_tag: largest peak RSS of a stage ($_maxname)" "$(kb_text "$_maxkb")" '< 1.2 GiB' \
        "$([ "$_maxkb" -lt "$RSS_TARGET_KB" ] && echo ok || echo OVER)"
    ratio "jstage --outcome default / bare parse, touches $_tag" "$P/jstage.t" "$P/parse.t" 50 %
    if [ -n "$_jstage_j" ]; then
        ratio "jstage -j 1 / -j 2, touches $_tag" "$P/jstage1.t" "$P/jstage2.t" 1.6 x
    else
        summary "jstage -j 1 / -j 2, touches $_tag" - '>= 1.6' 'skipped: jstage has no -j yet'
    fi
    if [ -n "$_jkpi_j" ]; then
        ratio "jkpi -j 1 / -j 2, the report $_tag" "$P/jkpi1.t" "$P/jkpi2.t" 1.6 x
    else
        summary "jkpi -j 1 / -j 2, the report $_tag" - '>= 1.6' 'skipped: jkpi has no -j yet'
    fi
    # the big intermediate files; the exports and the reports stay
    rm -f "$P/touches.csv" "$P/value-chain.csv" "$P/report-stages.csv"
}

for n in $PIPE_ROWS; do
    [ "$n" = 0 ] || pipeline_bench "$n"
done

# ---- the compact form: bytes a touch -------------------------------------------
# The event log of bench/genevents.awk at $BENCH_COMPACT_ROWS rows (5M by
# default), its touch stream (jtouch -p events: 15 columns, one of them the
# page URL, distinct on most rows), then jstage --outcome default over it
# with the default --memory, best of $BENCH_RUNS beside the bare parse of the
# same file: its peak RSS divided by the touches (issue 15: at most 64
# bytes), and its throughput against the parse.
compact_bench() {
    _tag=$(size_tag "$1")
    _ev=bench/out/events-$_tag.csv _tv=bench/out/touches-$_tag.csv
    if [ ! -s "$_ev" ] || newer bench/genevents.awk "$_ev"; then
        echo "bench: generating $_ev ($1 rows)" >&2
        ${AWK:-awk} -v rows="$1" -f bench/genevents.awk >"$_ev.tmp" && mv "$_ev.tmp" "$_ev" ||
            { rm -f "$_ev.tmp"; die "cannot generate $_ev"; }
    fi
    if [ ! -s "$_tv" ] || newer "$_ev" "$_tv" || newer bin/jtouch "$_tv"; then
        echo "bench: making $_tv (bin/jtouch -p events)" >&2
        bin/jtouch -q -p events "$_ev" >"$_tv.tmp" && mv "$_tv.tmp" "$_tv" ||
            { rm -f "$_tv.tmp"; die "cannot make $_tv"; }
    fi
    _n=$(($(wc -l <"$_tv") - 1))
    _C=bench/out/compact-$_tag
    mkdir -p "$_C" || exit 2
    : >"$_C/jstage.t"
    : >"$_C/parse.t"
    _kb=
    for _r in $(seq 0 "$RUNS"); do
        if gnu_run "$_C/run" "bin/jstage --outcome default $_tv"; then
            read -r _sec _cpu _k <"$_C/run"
            [ "$_r" -gt 0 ] && echo "$_sec $_cpu" >>"$_C/jstage.t"
            case $_k in '' | *[!0-9]*) ;; *) [ -z "$_kb" ] || [ "$_k" -gt "$_kb" ] && _kb=$_k ;; esac
        else
            echo "bench: jstage --outcome default $_tv failed: $(tail -n 1 "$TMP/err")" >&2
            FAILED=1
        fi
        gnu_run "$_C/run" "bench/bareparse $_tv" &&
            [ "$_r" -gt 0 ] && read -r _sec _cpu _k <"$_C/run" && echo "$_sec $_cpu" >>"$_C/parse.t"
    done
    echo
    echo "The compact form: jstage --outcome default over $_tv ($(mb "$_tv") MB, $_n touches), default --memory"
    printf '  %-36s %9s %9s %12s\n' '' seconds CPU-s 'peak RSS'
    printf '  %-36s %9s %9s %12s\n' "jstage, best of $RUNS" "$(best "$_C/jstage.t")" "$(best_cpu "$_C/jstage.t")" \
        "$(kb_text "$_kb")"
    printf '  %-36s %9s %9s\n' "bare parse, best of $RUNS" "$(best "$_C/parse.t")" "$(best_cpu "$_C/parse.t")"
    case $_kb in
    '' | *[!0-9]*)
        summary "jstage --outcome default: bytes a touch, touches $_tag" - '<= 64' 'no peak RSS (GNU time missing)' ;;
    *)
        _b=$(awk -v k="$_kb" -v n="$_n" 'BEGIN { printf "%.1f", k * 1024 / n }')
        summary "jstage --outcome default: peak RSS a touch, touches $_tag" "$_b B" '<= 64' \
            "$(awk -v b="$_b" 'BEGIN { print (b <= 64) ? "ok" : "OVER" }')" ;;
    esac
    ratio "jstage --outcome default / bare parse, touches $_tag (events)" "$_C/jstage.t" "$_C/parse.t" 50 %
}

[ "$COMPACT_ROWS" = 0 ] || compact_bench "$COMPACT_ROWS"

echo
echo "Targets (issue 15: each a ratio of two commands of this run) on $CORES cores" \
    "(parallel capacity ${CAPACITY:-?}x); load average $LOAD_BEFORE before, $(load_now) after"
awk -F '\t' '{ printf "  %-72s %18s  target %-9s %s\n", $1, $2, $3, $4 }' "$TMP/summary"
if [ "$SPREAD" -gt 15 ]; then
    echo
    echo "note: repeated runs differed by up to $SPREAD % - the machine looks busy;" \
        "rerun (or raise BENCH_RUNS) before trusting the ratio"
fi
[ -n "$BASE_FAILED" ] && die "baseline ${BASE_FAILED#, } failed"

exit $FAILED
