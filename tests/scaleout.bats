#!/usr/bin/env bats
# Scale-out (DESIGN §7): the sample exports split by customer with
# jtouch --shard K/N, every shard run through the per-customer steps and
# jkpi --partial by GNU parallel, the partials merged: the report must be
# byte-identical to one machine's --partial | --merge, for 1, 2, 4 and 7 shards.
bats_require_minimum_version 1.5.0
load test_helper

KPIS=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred

setup() {
	T=$BATS_TEST_TMPDIR
	S=$REPO/share/jtools/sample
	export T S KPIS
}

# one shard K of N (or the whole input without --shard): touches -> stages ->
# activities -> a partial state
shard() {
	local sh=()
	[ "$1" = all ] || sh=(--shard "$1")
	jtouch -q "${sh[@]}" -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv" |
		jstage -q --outcome default | jvalue -q |
		jkpi -q --partial -g activity,stage --per customer -k "$KPIS"
}
export -f shard

@test "scale-out: 1, 2, 4 and 7 shards under GNU parallel merge to the one-machine report, byte for byte" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (make deps installs it)"
	set -o pipefail
	shard all | jkpi --merge -s >"$T/one.csv"
	[ "$(wc -l <"$T/one.csv")" -gt 10 ]
	for n in 1 2 4 7; do
		mkdir -p "$T/$n"
		parallel --will-cite -j 2 "shard {}/$n > $T/$n/part{}.csv" ::: $(seq 1 "$n")
		jkpi --merge -s "$T/$n"/part*.csv >"$T/merged-$n.csv"
		diff -u "$T/one.csv" "$T/merged-$n.csv"
	done
}

@test "scale-out: the shards split the customers: every customer in exactly one of 7 shards" {
	for k in 1 2 3 4 5 6 7; do
		jtouch -q --shard "$k/7" -p orders "$S/orders.csv" | cut -d, -f1 | tail -n +2 | sort -u >"$T/c$k"
	done
	jtouch -q -p orders "$S/orders.csv" | cut -d, -f1 | tail -n +2 | sort -u >"$T/all"
	run sort "$T"/c1 "$T"/c2 "$T"/c3 "$T"/c4 "$T"/c5 "$T"/c6 "$T"/c7
	assert_output "$(cat "$T/all")"
}

@test "scale-out: Hadoop Streaming contract (mapper per shard file, shuffled, sorted on two key fields, one reducer) gives the one-machine report" {
	# sort(1) plays Hadoop's shuffle here: the mappers' lines are mixed, then sorted as
	# KeyFieldBasedComparator -k1,1 -k2,2n sorts them; no Hadoop is involved.
	set -o pipefail
	M=$REPO/share/jtools/scaleout
	shard all | jkpi --merge -s >"$T/one.csv"
	for k in 1 2 3 4 5; do
		jtouch -q --shard "$k/5" -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
			-p referrals "$S/referrals.csv" -p events "$S/events.csv" >"$T/shard$k.csv"
		mapreduce_task_partition=$((k - 1)) sh "$M/mapper.sh" <"$T/shard$k.csv" >"$T/map$k.out"
	done
	cat "$T"/map*.out | awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2- >"$T/shuffled"
	! cmp -s "$T/shuffled" <(cat "$T"/map*.out)
	LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n "$T/shuffled" | sh "$M/reducer.sh" >"$T/hadoop.csv"
	diff -u "$T/one.csv" "$T/hadoop.csv"
}

# jtouch's counts and rejects of 8 shards (the command line of mk/demo.sh) add up to one run's:
# each rejected row is reported once, by the shard of its customer, or by shard 1 when it has none.
@test "scale-out: the --stats of 8 jtouch shards sum to one run's, line by line, and their rejects are one run's" {
	local k
	touches() {
		jtouch -q "$@" -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
			-p referrals "$S/referrals.csv" -p events "$S/events.csv"
	}
	touches --rejects "$T/rej.csv" --stats "$T/st.csv" -o "$T/all.csv"
	# the sample has rejects of every kind a shard must place: field count, missing customer, bad time, numbers
	[ "$(awk -F, '$1 == "rows_rejected" { print $2 }' "$T/st.csv")" -ge 8 ]
	for k in 1 2 3 4 5 6 7 8; do
		touches --shard "$k/8" --rejects "$T/rej$k.csv" --stats "$T/st$k.csv" -o "$T/out$k.csv"
		# the same rejects file header in every shard
		assert_equal "$(head -1 "$T/rej$k.csv")" "$(head -1 "$T/rej.csv")"
	done
	for k in 1 2 3 4 5 6 7 8; do tail -n +3 "$T/st$k.csv"; done |
		awk -F, '{ if (!($1 in s)) o[++n] = $1; s[$1] += $2 } END { for (i = 1; i <= n; i++) print o[i] "," s[o[i]] }' |
		sort >"$T/sum"
	tail -n +3 "$T/st.csv" | sort | diff -u - "$T/sum"
	for k in 1 2 3 4 5 6 7 8; do tail -n +2 "$T/rej$k.csv"; done | sort >"$T/rej-union"
	tail -n +2 "$T/rej.csv" | sort | diff -u - "$T/rej-union"
	for k in 1 2 3 4 5 6 7 8; do tail -n +2 "$T/out$k.csv"; done | sort >"$T/out-union"
	tail -n +2 "$T/all.csv" | sort | diff -u - "$T/out-union"
}
