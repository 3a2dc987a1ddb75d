#!/bin/sh
# mk/fuzz.sh SECONDS NAME... — runs the libFuzzer harness build/fuzz/fuzz-NAME of
# each NAME for SECONDS (make fuzz). Seeds: tests/fuzz/corpus/NAME and
# tests/fuzz/regress/NAME, plus the first lines of every export in
# ../shared/data/real when it is there (not committed: their licences vary).
# What a run finds stays in build/fuzz/corpus/NAME for the next run. A crash,
# leak, timeout or sanitizer report leaves its input in build/fuzz/crash/ and
# makes the exit status 1.
set -u
secs=$1
shift
dir=build/fuzz
shared=../shared/data/real
fail=0
for h in "$@"; do
	work=$dir/corpus/$h
	mkdir -p "$work" "$dir/crash" "tests/fuzz/regress/$h"
	if [ -d "$shared" ]; then
		for f in "$shared"/*/*.csv; do
			[ -f "$f" ] || continue
			s=$work/shared-$(basename "$(dirname "$f")")-$(basename "$f")
			[ -e "$s" ] && continue
			case $h in
			csv) head -n 12 "$f" | head -c 4096 >"$s" ;;
			time)	# one time-like cell of the export's second line
				sed -n 2p "$f" | tr ',' '\n' | tr -d '"' |
					grep -m1 -E '^[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]' | tr -d '\n' >"$s"
				[ -s "$s" ] || rm -f "$s" ;;
			esac
		done
	fi
	case $h in
	time) maxlen=128 ;;
	*) maxlen=8192 ;;
	esac
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	log=$dir/$h.log
	# shellcheck disable=SC2086
	UBSAN_OPTIONS=print_stacktrace=1 "$dir/fuzz-$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
		-print_final_stats=1 -artifact_prefix="$dir/crash/$h-" $dict \
		"$work" "tests/fuzz/corpus/$h" "tests/fuzz/regress/$h" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log")
	ninputs=$(ls "$work" | wc -l)
	if [ "$rc" = 0 ]; then
		echo "fuzz $h: ${runs:-?} executions in ${time:-$secs} s (${rate:-?}/s), corpus $((ninputs)) inputs, nothing found"
	else
		fail=1
		echo "fuzz $h: FOUND A BUG (exit $rc) after ${runs:-?} executions; log: $log"
		grep -m3 -E 'ERROR|runtime error|fuzz: ' "$log"
		ls -t "$dir/crash/$h-"* 2>/dev/null | head -1 | sed 's/^/  input: /'
		echo "  fix it, then keep the input in tests/fuzz/regress/$h/ (make check replays it)"
	fi
done
exit $fail
