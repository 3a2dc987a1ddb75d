#!/usr/bin/env bats
# Scale-out (DESIGN §7): the sample exports split by customer with
# jtouch --shard K/N, every shard run through the per-customer steps and
# jkpi --partial by GNU parallel, the partials merged: the report must be
# byte-identical to one machine's --partial | --merge, for 1, 2, 4 and 7 shards.
bats_require_minimum_version 1.5.0
load test_helper

KPIS=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred

setup() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (make deps installs it)"
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
