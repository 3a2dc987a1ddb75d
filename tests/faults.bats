#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# Faults (issue 9): a full disk, a closed pipe, an -o folder that is missing or
# read-only, a file size limit, SIGINT/SIGTERM/SIGHUP during -o, output paths
# that name one file, and the mode of the file -o leaves behind; for every
# program. The output side is shared (lib/out.c, lib/opt.c), so each case runs
# the five programs in a loop.
#
# Never point -o at /dev/null, /dev/full or /dev/stdout in a test: a regression
# in the special-file path would replace the device with a regular file on a
# machine that runs the suite as root. A fifo in the test's folder stands in.
bats_require_minimum_version 1.5.0
load test_helper

PROGS=(jtouch jstage jvalue jrefer jkpi)

setup_file() {
	local F=$BATS_FILE_TMPDIR
	# a raw export for jtouch: 4000 rows, 300 customers (about 190 KB of touches)
	awk 'BEGIN { print "id,t,note"
		for (i = 1; i <= 4000; i++) printf "c%d,2024-01-%02dT10:%02d:00Z,note %d\n", i % 300, i % 28 + 1, i % 60, i }' \
		>"$F/raw.csv"
	# a touch stream with referrals for the others
	local S=$REPO/share/jtools/sample
	jtouch -q -p survey "$S/surveys.csv" -p referrals "$S/referrals.csv" >"$F/touch.csv" 2>/dev/null
}

setup() {
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	BG=
}

teardown() {
	if [ -n "$BG" ]; then
		kill -KILL "$BG" 2>/dev/null || true
	fi
	if [ -n "${RO:-}" ]; then
		chmod -R u+w "$RO" 2>/dev/null || true
		rm -rf "$RO"
	fi
}

# args_of PROG: how the tests run PROG: A (program and options), Z (after the
# test's own options) and IN (the file on stdin).
args_of() {
	Z=()
	IN=$F/touch.csv
	case $1 in
	jtouch) A=(jtouch --customer id --touch 'seen t') Z=(-) IN=$F/raw.csv ;;
	jrefer) A=(jrefer -q) ;;
	jkpi) A=(jkpi -g customer -k count,mean:nps) ;;
	*) A=("$1") ;;
	esac
}

# p PROG ARGS...: PROG on its usual input (stdin), with ARGS.
p() {
	args_of "$1"
	shift
	"${A[@]}" "$@" "${Z[@]}" <"$IN"
}

# no_temp DIR: no temp file of an -o left in DIR.
no_temp() {
	run find "$1" -maxdepth 1 -name '.*.??????'
	assert_output ''
}

# temp_appears WHO: waits up to 10 s until $BG has the output of -o $T/x.csv
# open (the run is writing): its temporary file, unnamed (O_TMPFILE, seen in
# /proc/$BG/fd as "$T/#N (deleted)") or .x.csv.XXXXXX where the system has no
# O_TMPFILE; fails naming WHO when none appears.
temp_appears() {
	local i=0
	until [ -n "$(find "$T" -maxdepth 1 -name '.x.csv.??????')" ] ||
		ls -l "/proc/$BG/fd" 2>/dev/null | grep -q -- "-> $T/#.* (deleted)"; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { echo "$1: no temp file appeared" >&2; return 1; }
		sleep 0.05
	done
}

# ---- a full disk

@test "faults: > /dev/full: exit 1 and 'write error: No space left on device', every program" {
	for prog in "${PROGS[@]}"; do
		rc=0
		p "$prog" >/dev/full 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(tail -n 1 "$T/err")" "$prog: write error: No space left on device"
	done
}

@test "faults: -o past the file size limit (a full disk for one file): exit 1, no partial file, the old one kept" {
	for prog in "${PROGS[@]}"; do
		echo old >"$T/x.csv"
		rc=0
		(ulimit -f 4 && p "$prog" -o "$T/x.csv") 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(tail -n 1 "$T/err")" "$prog: $T/x.csv: write error: File too large"
		assert_equal "$(cat "$T/x.csv")" old
		rm "$T/x.csv"
		rc=0
		(ulimit -f 4 && p "$prog" -o "$T/x.csv") 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		[ ! -e "$T/x.csv" ]
		no_temp "$T"
	done
}

# ---- a closed pipe

@test "faults: a closed pipe ends every program quietly (SIGPIPE, or exit 0 when the output fit the pipe)" {
	for prog in "${PROGS[@]}"; do
		p "$prog" >"$T/full.csv" 2>"$T/err0"
		for reader in 'head -c1' true; do
			(
				set +e
				p "$prog" 2>"$T/err" | $reader >/dev/null
				echo "${PIPESTATUS[0]}" >"$T/rc"
			)
			rc=$(cat "$T/rc")
			if [ "$rc" != 0 ] && [ "$rc" != 141 ]; then
				echo "$prog | $reader: exit status $rc" >&2
				cat "$T/err" >&2
				return 1
			fi
			# nothing about the pipe: every message is one the run to a file printed too
			run grep -vxF -f "$T/err0" "$T/err"
			assert_output ''
		done
	done
}

@test "faults: a closed pipe when the parent ignores SIGPIPE: still the default action, no message" {
	# style.md 7.8: every program restores SIGPIPE's default at startup.
	# Output past what the pipe (1 MiB) and the output buffer hold, so a
	# write comes after the reader is gone: raw.csv's rows 20 times, 3.8 MB
	{ cat "$F/raw.csv"; for i in $(seq 19); do tail -n +2 "$F/raw.csv"; done; } >"$T/raw20.csv"
	(
		trap '' PIPE
		set +e
		jtouch --customer id --touch 'seen t' - <"$T/raw20.csv" 2>"$T/err" | head -c1 >/dev/null
		echo "${PIPESTATUS[0]}" >"$T/rc"
	)
	assert_equal "$(cat "$T/rc")" 141
	assert_equal "$(cat "$T/err")" ""
}

# ---- -o into a folder that will not take it

@test "faults: -o into a missing folder: exit 1, the path and the reason, nothing created" {
	for prog in "${PROGS[@]}"; do
		rc=0
		p "$prog" -o "$T/nodir/x.csv" >"$T/out" 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(cat "$T/err")" "$prog: $T/nodir/x.csv: cannot create output: No such file or directory"
		[ ! -e "$T/nodir" ]
		[ ! -s "$T/out" ]
	done
}

@test "faults: -o into a read-only folder: exit 1, Permission denied, nothing created" {
	RO=$(mktemp -d "${TMPDIR:-/tmp}/jt-ro.XXXXXX")
	chmod 755 "$RO"
	local as=()
	if [ "$(id -u)" = 0 ]; then
		# root writes anywhere: run the program as nobody instead
		command -v setpriv >/dev/null || skip "running as root and setpriv(1) is missing"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		"${as[@]}" sh -c 'test -x "$1" && test -r "$2" && test -x "$3"' sh "$REPO/bin/jkpi" \
			"$JTOOLS_DATADIR/stages.rules" "$RO" ||
			skip "running as root and user nobody cannot reach $REPO/bin or $RO"
	else
		chmod 555 "$RO"
	fi
	for prog in "${PROGS[@]}"; do
		rc=0
		case $prog in
		jtouch) "${as[@]}" "$REPO/bin/jtouch" --customer id --touch 'seen t' -o "$RO/x.csv" - <"$F/raw.csv" 2>"$T/err" || rc=$? ;;
		jkpi) "${as[@]}" "$REPO/bin/jkpi" -k count -o "$RO/x.csv" <"$F/touch.csv" 2>"$T/err" || rc=$? ;;
		*) "${as[@]}" "$REPO/bin/$prog" -q -o "$RO/x.csv" <"$F/touch.csv" 2>"$T/err" || rc=$? ;;
		esac
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(cat "$T/err")" "$prog: $RO/x.csv: cannot create output: Permission denied"
	done
	run ls -A "$RO"
	assert_output ''
}

@test "faults: -o naming a folder: exit 1 before reading, the folder untouched" {
	mkdir "$T/d"
	for prog in "${PROGS[@]}"; do
		rc=0
		p "$prog" -o "$T/d" 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(cat "$T/err")" "$prog: $T/d: cannot write output: is a directory"
		[ -d "$T/d" ]
		no_temp "$T"
	done
}

@test "faults: -o naming a fifo (or a device): written in place, never replaced by a regular file" {
	# the bug: the temp file was renamed over the target, so -o /dev/null as root
	# put a regular file where the device had been
	for prog in "${PROGS[@]}"; do
		rm -f "$T/fifo"
		mkfifo "$T/fifo"
		cat "$T/fifo" >"$T/got" &
		BG=$!
		p "$prog" -o "$T/fifo" 2>/dev/null
		wait "$BG"
		BG=
		[ -p "$T/fifo" ]
		p "$prog" 2>/dev/null | cmp - "$T/got"
		no_temp "$T"
	done
}

# ---- signals during -o

# sig_during_o PROG SIG: PROG -o x.csv reads a fifo; once its temp file exists, SIG
# arrives. The exit status is 128 + the signal, no temp file stays, x.csv keeps "old".
sig_during_o() {
	local prog=$1 sig=$2 want=$3
	args_of "$prog"
	echo old >"$T/x.csv"
	rm -f "$T/in"
	mkfifo "$T/in"
	# a script's background job starts with SIGINT ignored (and keeps it so,
	# like nohup): give it the default back, as a terminal's job would have
	env --default-signal=INT,TERM,HUP "$REPO/bin/$prog" "${A[@]:1}" -o "$T/x.csv" "${Z[@]}" <"$T/in" 2>"$T/err" &
	BG=$!
	exec 8>"$T/in"
	head -n 50 "$IN" >&8
	temp_appears "$prog"
	kill -"$sig" "$BG"
	local rc=0
	wait "$BG" || rc=$?
	BG=
	exec 8>&-
	assert_equal "$prog $sig rc=$rc" "$prog $sig rc=$want"
	assert_equal "$(cat "$T/x.csv")" old
	no_temp "$T"
}

@test "faults: SIGINT and SIGTERM during -o: exit 130 / 143, no temp file, the target untouched, every program" {
	env --default-signal=INT true 2>/dev/null || skip "env(1) has no --default-signal (coreutils < 8.31)"
	for prog in "${PROGS[@]}"; do
		sig_during_o "$prog" INT 130
		sig_during_o "$prog" TERM 143
		sig_during_o "$prog" HUP 129
	done
}

@test "faults: a signal ignored at startup stays ignored (nohup): the run completes" {
	echo old >"$T/x.csv"
	mkfifo "$T/in"
	(
		trap '' HUP INT
		exec jtouch --customer id --touch 'seen t' -o "$T/x.csv" - <"$T/in"
	) &
	BG=$!
	exec 8>"$T/in"
	head -n 50 "$F/raw.csv" >&8
	temp_appears jtouch
	kill -HUP "$BG"
	kill -INT "$BG"
	tail -n +51 "$F/raw.csv" >&8
	exec 8>&-
	local rc=0
	wait "$BG" || rc=$?
	BG=
	assert_equal "rc=$rc" "rc=0"
	jtouch --customer id --touch 'seen t' - <"$F/raw.csv" | cmp - "$T/x.csv"
	no_temp "$T"
}

# ---- output paths that name one file

@test "faults: --rejects, --stats and -o naming one file are refused, however spelled (exit 2)" {
	cd "$T"
	mkdir sub
	for prog in "${PROGS[@]}"; do
		rm -f y y.hard y.link
		run -2 p "$prog" -o ./x.csv --rejects x.csv
		assert_output "$prog: --rejects and -o name the same file 'x.csv'
Try '$prog --help' for more information."
		run -2 p "$prog" -o sub/../x.csv --rejects x.csv
		assert_output "$prog: --rejects and -o name the same file 'x.csv'
Try '$prog --help' for more information."
		echo keep >y
		ln y y.hard
		ln -s y y.link
		run -2 p "$prog" -o y --rejects y.hard
		assert_output "$prog: --rejects and -o name the same file 'y.hard'
Try '$prog --help' for more information."
		run -2 p "$prog" -o y.link --stats "$T/y"
		assert_output "$prog: --stats and -o name the same file '$T/y'
Try '$prog --help' for more information."
		run -2 p "$prog" --rejects y.link --stats ./y
		assert_output "$prog: --stats and --rejects name the same file './y'
Try '$prog --help' for more information."
		assert_equal "$(cat y)" keep
		[ ! -e x.csv ]
	done
}

@test "faults: jrefer --flags and jstage --params naming the output, the rejects or the stats file are refused" {
	cd "$T"
	echo keep >y
	ln -s y y.link
	run -2 jrefer --flags ./y -o y.link "$F/touch.csv"
	assert_output "jrefer: --flags and -o name the same file './y'
Try 'jrefer --help' for more information."
	run -2 jstage --bgnbd --params y.link --rejects ./y "$F/touch.csv"
	assert_output "jstage: --params and --rejects name the same file 'y.link'
Try 'jstage --help' for more information."
	assert_equal "$(cat y)" keep
}

@test "faults: -o may name an input: the file is replaced only once the run succeeded (in-place update)" {
	# decision (jtools.7, FILES): the output is a temp file renamed at the end, so
	# the input is read whole from the old file; sort -o works the same way
	for prog in "${PROGS[@]}"; do
		case $prog in jtouch) cp "$F/raw.csv" "$T/in.csv" ;; *) cp "$F/touch.csv" "$T/in.csv" ;; esac
		args_of "$prog"
		"${A[@]}" "$T/in.csv" 2>/dev/null >"$T/want"
		case $prog in
		jtouch) jtouch --customer id --touch 'seen t' -o "$T/in.csv" "$T/in.csv" ;;
		jkpi) jkpi -g customer -k count,mean:nps -o "$T/in.csv" "$T/in.csv" ;;
		jrefer) jrefer -q -o "$T/in.csv" "$T/in.csv" 2>/dev/null ;;
		*) "$prog" -o "$T/in.csv" "$T/in.csv" ;;
		esac
		cmp "$T/want" "$T/in.csv"
	done
}

# ---- the mode of the file -o leaves

@test "faults: -o keeps the mode of the file it replaces, and a new file gets 0666 & ~umask" {
	for prog in "${PROGS[@]}"; do
		echo old >"$T/x.csv"
		chmod 640 "$T/x.csv"
		p "$prog" -o "$T/x.csv" 2>/dev/null
		assert_equal "$prog $(stat -c %a "$T/x.csv")" "$prog 640"
		chmod 604 "$T/x.csv"
		(umask 077 && p "$prog" -o "$T/x.csv" 2>/dev/null)
		assert_equal "$prog $(stat -c %a "$T/x.csv")" "$prog 604"
		rm "$T/x.csv"
		(umask 027 && p "$prog" -o "$T/x.csv" 2>/dev/null)
		assert_equal "$prog $(stat -c %a "$T/x.csv")" "$prog 640"
		rm "$T/x.csv"
		(umask 022 && p "$prog" -o "$T/x.csv" --rejects "$T/r.csv" --stats "$T/s.csv" 2>/dev/null)
		assert_equal "$prog $(stat -c %a "$T/x.csv" "$T/r.csv" "$T/s.csv" | tr '\n' ' ')" "$prog 644 644 644 "
		rm "$T/x.csv" "$T/r.csv" "$T/s.csv"
	done
}

# ---- no output replaces an input (issue 14, item 1)

# refused ARGS...: the run is a usage error, before reading, and every file in
# $T keeps its bytes (compared with the snapshot taken first).
refused() {
	local before after
	before=$(cd "$T" && find . -type f -exec cksum {} + | sort)
	run -2 "$@"
	after=$(cd "$T" && find . -type f -exec cksum {} + | sort)
	assert_equal "$after" "$before"
}

@test "faults: a side output naming a data input is refused with exit 2 before reading, under any spelling" {
	cd "$T"
	cp "$F/touch.csv" t.csv
	ln t.csv t.hard
	ln -s t.csv t.link
	refused jkpi -k count --stats t.csv t.csv
	assert_output "jkpi: --stats 't.csv' would replace the input 't.csv': write it elsewhere
Try 'jkpi --help' for more information."
	refused jstage --rejects t.csv -o out.csv t.csv
	assert_output "jstage: --rejects 't.csv' would replace the input 't.csv': write it elsewhere
Try 'jstage --help' for more information."
	[ ! -e out.csv ]
	refused jrefer --flags t.hard t.csv
	assert_output "jrefer: --flags 't.hard' would replace the input 't.csv': write it elsewhere
Try 'jrefer --help' for more information."
	refused jstage --bgnbd --params ./t.link t.csv
	assert_output "jstage: --params './t.link' would replace the input 't.csv': write it elsewhere
Try 'jstage --help' for more information."
	mkdir sub
	refused jvalue --stats sub/../t.csv t.csv
	assert_output "jvalue: --stats 'sub/../t.csv' would replace the input 't.csv': write it elsewhere
Try 'jvalue --help' for more information."
	cp "$F/raw.csv" raw.csv
	refused jtouch --customer id --touch 'seen t' --rejects raw.csv raw.csv
	assert_output "jtouch: --rejects 'raw.csv' would replace the input 'raw.csv': write it elsewhere
Try 'jtouch --help' for more information."
	# standard input redirected from the file is the same file
	refused jkpi -k count --stats t.csv <t.csv
	assert_output "jkpi: --stats 't.csv' would replace the input (standard input is that file): write it elsewhere
Try 'jkpi --help' for more information."
	refused jtouch --customer id --touch 'seen t' --stats raw.csv <raw.csv
	assert_output "jtouch: --stats 'raw.csv' would replace the input (standard input is that file): write it elsewhere
Try 'jtouch --help' for more information."
	# a later input is an input too
	refused jkpi -k count --rejects t.link "$F/touch.csv" t.csv
	assert_output "jkpi: --rejects 't.link' would replace the input 't.csv': write it elsewhere
Try 'jkpi --help' for more information."
}

@test "faults: no output, -o included, may name a rules file, a profile, a lookup table or a --use-params file" {
	cd "$T"
	cp "$REPO/share/jtools/stages.rules" R
	cp "$REPO/share/jtools/value-chain.rules" V
	cp "$F/touch.csv" t.csv
	refused jstage -r R -o R t.csv
	assert_output "jstage: -o 'R' would replace the rules file 'R': write it elsewhere
Try 'jstage --help' for more information."
	refused jstage --labels -r ./R -o R
	assert_output "jstage: -o 'R' would replace the rules file './R': write it elsewhere
Try 'jstage --help' for more information."
	refused jvalue -r V --stats V t.csv
	assert_output "jvalue: --stats 'V' would replace the rules file 'V': write it elsewhere
Try 'jvalue --help' for more information."
	printf 'customer id\ntouch seen t\n' >my.profile
	cp "$F/raw.csv" raw.csv
	refused jtouch -p ./my.profile -o my.profile raw.csv
	assert_output "jtouch: -o 'my.profile' would replace the profile './my.profile': write it elsewhere
Try 'jtouch --help' for more information."
	printf 'id,segment\nc1,gold\n' >seg.csv
	refused jtouch --lookup seg.csv:id -p ./my.profile --carry segment -o seg.csv raw.csv
	assert_output "jtouch: -o 'seg.csv' would replace the lookup table 'seg.csv': write it elsewhere
Try 'jtouch --help' for more information."
	printf 'model,param,estimate,se\n' >P.csv
	refused jstage --bgnbd --use-params P.csv -o P.csv t.csv
	assert_output "jstage: -o 'P.csv' would replace the --use-params file 'P.csv': write it elsewhere
Try 'jstage --help' for more information."
	# -o naming a data input stays allowed (the temp file makes it safe)
	jkpi -k count -o t.csv t.csv
	assert_equal "$(cat t.csv)" "$(jkpi -k count "$F/touch.csv")"
}

# ---- side files when the result cannot be written (issue 14, item 2)

@test "faults: when -o cannot be written, --stats and --rejects keep their old content; on --max-rejects they are written" {
	for prog in "${PROGS[@]}"; do
		echo old-out >"$T/x.csv"
		echo old-stats >"$T/st.csv"
		echo old-rejects >"$T/rj.csv"
		rc=0
		(ulimit -f 4 && p "$prog" -o "$T/x.csv" --stats "$T/st.csv" --rejects "$T/rj.csv") 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(tail -n 1 "$T/err")" "$prog: $T/x.csv: write error: File too large"
		assert_equal "$prog $(cat "$T/x.csv") $(cat "$T/st.csv") $(cat "$T/rj.csv")" "$prog old-out old-stats old-rejects"
		no_temp "$T"
	done
	# --max-rejects: no result, but the operator gets the rejects and the counts
	printf 'customer,time,touchpoint\na,2024-01-01T00:00:00Z,x\nb,not a time,x\n' >"$T/bad.csv"
	for prog in jstage jvalue jkpi; do
		echo old-out >"$T/x.csv"
		echo old-stats >"$T/st.csv"
		rc=0
		k=()
		[ "$prog" != jkpi ] || k=(-k count)
		"$prog" "${k[@]}" -q --since 2020-01-01 --max-rejects 0 -o "$T/x.csv" --stats "$T/st.csv" --rejects "$T/rj.csv" \
			"$T/bad.csv" 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$(cat "$T/x.csv")" old-out
		stats_are rows_in=2 rows_rejected=1
		assert_equal "$(wc -l <"$T/rj.csv")" 2
	done
}

@test "faults: stdout that cannot be written (a full disk) leaves --stats and --rejects as they were" {
	for prog in "${PROGS[@]}"; do
		echo old-stats >"$T/st.csv"
		echo old-rejects >"$T/rj.csv"
		rc=0
		p "$prog" --stats "$T/st.csv" --rejects "$T/rj.csv" >/dev/full 2>"$T/err" || rc=$?
		assert_equal "$prog rc=$rc" "$prog rc=1"
		assert_equal "$prog $(cat "$T/st.csv") $(cat "$T/rj.csv")" "$prog old-stats old-rejects"
	done
}

# ---- SIGKILL (issue 14, item 3)

@test "faults: SIGKILL during -o leaves no temporary file in the folder (O_TMPFILE), every program" {
	[ "$(uname -s)" = Linux ] || skip "O_TMPFILE is Linux's: elsewhere a killed run may leave .NAME.XXXXXX (jtools.7)"
	for prog in "${PROGS[@]}"; do
		args_of "$prog"
		echo old >"$T/x.csv"
		rm -f "$T/in"
		mkfifo "$T/in"
		"$REPO/bin/$prog" "${A[@]:1}" -o "$T/x.csv" --stats "$T/st.csv" "${Z[@]}" <"$T/in" 2>/dev/null &
		BG=$!
		exec 8>"$T/in"
		head -n 50 "$IN" >&8
		temp_appears "$prog"
		# the output is open, and unnamed: nothing in the folder but our files
		run ls -A "$T"
		assert_output "in
x.csv"
		kill -KILL "$BG"
		wait "$BG" || true
		BG=
		exec 8>&-
		run ls -A "$T"
		assert_output "in
x.csv"
		assert_equal "$(cat "$T/x.csv")" old
	done
}

# ---- -o through a symlink (issue 14, item 4)

@test "faults: -o through a symlink to a regular file: replaced by our own file, default mode, the target untouched" {
	for prog in "${PROGS[@]}"; do
		rm -rf "$T/ww"
		mkdir "$T/ww"
		echo theirs >"$T/victim"
		chmod 666 "$T/victim"
		if [ "$(id -u)" = 0 ]; then
			chown 12345:12345 "$T/victim"
		fi
		ln -s "$T/victim" "$T/ww/rep.csv"
		(umask 022 && p "$prog" -o "$T/ww/rep.csv" 2>/dev/null)
		[ -f "$T/ww/rep.csv" ] && [ ! -L "$T/ww/rep.csv" ]
		assert_equal "$prog $(stat -c '%a %u' "$T/ww/rep.csv")" "$prog 644 $(id -u)"
		assert_equal "$(cat "$T/victim")" theirs
		p "$prog" 2>/dev/null | cmp - "$T/ww/rep.csv"
		# a regular file named directly keeps its owner and mode (root may chown)
		if [ "$(id -u)" = 0 ]; then
			rm "$T/ww/rep.csv"
			echo theirs >"$T/ww/rep.csv"
			chmod 660 "$T/ww/rep.csv"
			chown 12345:12345 "$T/ww/rep.csv"
			p "$prog" -o "$T/ww/rep.csv" 2>/dev/null
			assert_equal "$prog $(stat -c '%a %u %g' "$T/ww/rep.csv")" "$prog 660 12345 12345"
		fi
		# a symlink to a fifo (as /dev/stdout is) is written in place
		rm -f "$T/ww/rep.csv" "$T/fifo"
		mkfifo "$T/fifo"
		ln -s "$T/fifo" "$T/ww/rep.csv"
		cat "$T/fifo" >"$T/got" &
		BG=$!
		p "$prog" -o "$T/ww/rep.csv" 2>/dev/null
		wait "$BG"
		BG=
		[ -L "$T/ww/rep.csv" ] && [ -p "$T/fifo" ]
		p "$prog" 2>/dev/null | cmp - "$T/got"
	done
}
