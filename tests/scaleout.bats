#!/usr/bin/env bats
# shellcheck disable=SC2154
# Scale-out (DESIGN §7, README "Scale-out"): the recipes of
# share/jtools/scaleout/ split the sample exports by customer with jtouch
# --shard K/N, run every shard through the per-customer steps and jkpi
# --partial --shard-id K/N, and merge with --expect N. The report must be
# byte-identical to one machine's --partial | --merge; a shard that breaks
# must fail its task and never leave a report without its customers (issue 18).
# GNU parallel runs for real; Hadoop Streaming and Kubernetes are played by
# sort(1) and bash here (no Hadoop, no cluster); Slurm is in slurm.bats.
bats_require_minimum_version 1.5.0
load test_helper
load scaleout_helper

setup() {
	T=$BATS_TEST_TMPDIR
	export T
	cd "$T" || return 1
}

need_parallel() {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (make deps installs it)"
}

# the python with PyYAML, for the Kubernetes manifests
need_yaml() {
	local p
	for p in python3 /usr/bin/python3; do
		if "$p" -c 'import yaml' 2>/dev/null; then
			PY=$p
			return
		fi
	done
	skip "PyYAML is not installed (make deps installs python3-yaml)"
}

@test "scale-out: GNU parallel: parallel.sh with 1, 2, 4 and 7 shards writes the one-machine report, byte for byte" {
	need_parallel
	one_machine >one.csv
	[ "$(wc -l <one.csv)" -gt 10 ]
	for n in 1 2 4 7; do
		run -0 --separate-stderr bash "$SCALEOUT/parallel.sh" -n "$n" -o "merged-$n.csv" -- "${EXPORTS[@]}"
		assert_output ''
		diff -u one.csv "merged-$n.csv"
	done
}

@test "scale-out: GNU parallel: a shard that breaks fails parallel.sh (exit 1) and leaves the report as it was" {
	need_parallel
	echo "yesterday's report" >report.csv
	break_shard 3/4
	run -1 --separate-stderr bash "$SCALEOUT/parallel.sh" -n 4 -o report.csv -- "${EXPORTS[@]}"
	assert_output ''
	assert_equal "$(grep -c 'jstage: <stdin>:[0-9]*: unterminated quoted field' <<<"$stderr")" 1
	assert_equal "${stderr_lines[${#stderr_lines[@]} - 1]}" "parallel.sh: a shard failed; report.csv is left as it was"
	assert_equal "$(cat report.csv)" "yesterday's report"
	# the break is in shard 3 of 4 only
	run -0 bash "$SCALEOUT/parallel.sh" -n 3 -o report3.csv -- "${EXPORTS[@]}"
	diff -u <(one_machine) report3.csv
}

@test "scale-out: GNU parallel and slurm.sh: usage errors exit 2 before any work" {
	local s
	for s in parallel.sh slurm.sh; do
		run -2 bash "$SCALEOUT/$s" -n 0 -o r.csv -- "${EXPORTS[@]}"
		assert_line --index 0 "$s: -n '0' is not a number of shards"
		assert_line --index 1 "usage: $s -n shards -o report $([ $s = slurm.sh ] && echo '[-w folder] ')[--] jtouch-args..."
		run -2 bash "$SCALEOUT/$s" -n 4 -- "${EXPORTS[@]}"
		run -2 bash "$SCALEOUT/$s" -n 4 -o r.csv
		[ ! -e r.csv ]
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

# hadoop_map K N [FILE]: mapper.sh on shard K of N (or FILE), as Hadoop runs it
# for the input file touches-K-of-N.csv.gz, the map task numbered K-1
hadoop_map() {
	[ -n "${3:-}" ] || jtouch -q --shard "$1/$2" "${EXPORTS[@]}" >"shard$1.csv" 2>/dev/null
	mapreduce_map_input_file=hdfs://nn/touches/touches-$1-of-$2.csv.gz mapreduce_task_partition=$(($1 - 1)) \
		"$SCALEOUT/mapper.sh" <"${3:-shard$1.csv}"
}

# hadoop_reduce FILE...: the map outputs mixed, sorted as KeyFieldBasedComparator
# -k1,1 -k2,2n sorts them, into reducer.sh
hadoop_reduce() {
	cat "$@" | awk 'BEGIN { srand(7) } { print rand() "\t" $0 }' | sort -k1,1 | cut -f2- |
		LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n | "$SCALEOUT/reducer.sh"
}

@test "scale-out: Hadoop Streaming contract (mapper per shard file, shuffled, sorted on two key fields, one reducer) gives the one-machine report" {
	# sort(1) plays Hadoop's shuffle here: the mappers' lines are mixed, then sorted as
	# KeyFieldBasedComparator -k1,1 -k2,2n sorts them; no Hadoop is involved.
	for k in 1 2 3 4 5; do
		hadoop_map "$k" 5 >"map$k.out"
	done
	# each mapper's partial is its shard's, marked K/N from the file name, keyed
	cut -f3- map3.out | cmp - <(one_machine --shard 3/5)
	assert_equal "$(head -n 1 map3.out)" $'000002\t000000001\tjkpi_partial,type,activity,stage,name,value'
	SHARDS=5 hadoop_reduce map*.out >hadoop.csv
	diff -u <(one_machine) hadoop.csv
}

@test "scale-out: Hadoop Streaming: a broken shard fails its mapper, a lost one fails the reducer" {
	for k in 1 2 3 4 5; do
		hadoop_map "$k" 5 >"map$k.out"
	done
	# shard 3's file ends in an unterminated quote: jstage stops, so does the task
	{ cat shard3.csv; printf 'x,"unterminated\n'; } >broken3.csv
	run -1 --separate-stderr hadoop_map 3 5 broken3.csv
	assert_output ''
	assert_equal "$stderr" "jstage: <stdin>:$(($(wc -l <shard3.csv) + 1)): unterminated quoted field (opened on line $(($(wc -l <shard3.csv) + 1)))"
	# shard 3's output lost (or a shard file left out of -input): the reducer's merge stops
	SHARDS=5 run -1 --separate-stderr hadoop_reduce map1.out map2.out map4.out map5.out
	assert_output ''
	assert_equal "$stderr" "jkpi: --expect 5: shard 3 is missing"
	# and a shard file given twice (a sixth map task reads it again)
	mapreduce_map_input_file=hdfs://nn/touches/copy/touches-3-of-5.csv.gz mapreduce_task_partition=5 \
		"$SCALEOUT/mapper.sh" <shard3.csv >map6.out
	SHARDS=5 run -1 --separate-stderr hadoop_reduce map*.out
	assert_equal "$stderr" "jkpi: <stdin>:$(($(cat map[1-5].out | wc -l) + 2)): shard 3/5 is given twice (first in <stdin>:$(($(cat map1.out map2.out | wc -l) + 2)))"
	# the reducer needs the number of shards, the mapper a shard file name
	SHARDS='' run -1 hadoop_reduce map*.out
	assert_output "reducer.sh: SHARDS='' is not the number of shards (give the job -cmdenv SHARDS=N)"
	mapreduce_map_input_file=hdfs://nn/touches/part-00003.gz run -1 "$SCALEOUT/mapper.sh" <shard3.csv
	assert_output "mapper.sh: input file 'hdfs://nn/touches/part-00003.gz' is not named NAME-K-of-N.csv.gz (write shard K of N there with jtouch --shard K/N)"
}

# k8s_job FILE DIR: the one Job of FILE (PyYAML) into DIR: argv (the
# container's command and args) and env (NAME=VALUE), NUL-separated, and
# facts, one 'key value' a line
k8s_job() {
	mkdir -p "$2"
	"$PY" - "$1" "$2" <<'EOF'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
assert len(docs) == 1, "one document"
job = docs[0]
spec = job["spec"]
pod = spec["template"]["spec"]
(c,) = pod["containers"]
out = sys.argv[2]
with open(out + "/argv", "w") as f:
    f.write("".join(a + "\0" for a in c.get("command", []) + c.get("args", [])))
with open(out + "/env", "w") as f:
    f.write("".join("%s=%s\0" % (e["name"], e["value"]) for e in c.get("env", [])))
mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName", "") for v in pod.get("volumes", [])}
facts = {
    "api": job["apiVersion"] + "/" + job["kind"], "name": job["metadata"]["name"],
    "mode": spec.get("completionMode", "NonIndexed"), "completions": spec.get("completions", 1),
    "parallelism": spec.get("parallelism", 1), "restart": pod["restartPolicy"],
    "workdir": c.get("workingDir", ""), "mount": mounts.get("data", ""), "claim": claims.get("data", ""),
}
with open(out + "/facts", "w") as f:
    f.write("".join("%s %s\n" % kv for kv in facts.items()))
EOF
}

fact() {
	awk -v k="$2" '$1 == k { print $2 }' "$1/facts"
}

# k8s_run DIR [INDEX]: the container's command of the Job read into DIR, run
# by bash in data/ (the volume, mounted at the working folder) with the Job's
# environment and JOB_COMPLETION_INDEX=INDEX, as the pod of that index runs it
k8s_run() {
	local -a argv envs
	mapfile -d '' argv <"$1/argv"
	mapfile -d '' envs <"$1/env"
	(cd data && env "${envs[@]}" ${2:+JOB_COMPLETION_INDEX=$2} "${argv[@]}")
}

k8s_setup() {
	need_yaml
	k8s_job "$SCALEOUT/k8s-shards.yaml" shards
	k8s_job "$SCALEOUT/k8s-merge.yaml" merge
	mkdir -p data/exports
	cp "$S"/surveys.csv "$S"/tickets.csv "$S"/orders.csv "$S"/referrals.csv "$S"/events.csv data/exports/
	N=$(fact shards completions)
}

@test "scale-out: Kubernetes: an Indexed Job of SHARDS pods and a merge Job; their commands, run here for each index, give the one-machine report" {
	# no Kubernetes cluster runs them here: the manifests are read and their commands run by bash
	k8s_setup
	assert_equal "$(fact shards api) $(fact shards mode) $(fact shards restart)" "batch/v1/Job Indexed Never"
	assert_equal "$(fact merge api) $(fact merge mode) $(fact merge completions) $(fact merge restart)" \
		"batch/v1/Job NonIndexed 1 Never"
	[ "$N" -ge 2 ]
	assert_equal "$(fact shards parallelism)" "$N"
	# SHARDS in both Jobs is the number of completions
	assert_equal "$(tr '\0' '\n' <shards/env | grep '^SHARDS=')" "SHARDS=$N"
	assert_equal "$(tr '\0' '\n' <merge/env | grep '^SHARDS=')" "SHARDS=$N"
	# both work in the shared volume
	assert_equal "$(fact shards workdir) $(fact shards claim)" "$(fact shards mount) jtools-data"
	assert_equal "$(fact merge workdir) $(fact merge claim)" "$(fact merge mount) jtools-data"
	for ((i = 0; i < N; i++)); do
		k8s_run shards "$i" 2>/dev/null
		cmp "data/parts/part-$((i + 1))-of-$N.csv" <(one_machine --shard "$((i + 1))/$N")
	done
	run -0 k8s_run merge
	assert_output ''
	diff -u <(one_machine) data/reports/value-chain-journey.csv
	# the merged partials are gone
	run ls data/parts
	assert_output ''
}

@test "scale-out: Kubernetes: a shard that breaks fails its pod; the merge then fails and leaves the report" {
	k8s_setup
	mkdir -p data/reports
	echo "yesterday's report" >data/reports/value-chain-journey.csv
	break_shard "3/$N"
	for ((i = 0; i < N; i++)); do
		if [ "$i" = 2 ]; then
			run -1 k8s_run shards "$i"
			assert_output --regexp 'jstage: <stdin>:[0-9]+: unterminated quoted field'
		else
			k8s_run shards "$i" 2>/dev/null
		fi
	done
	# were the merge applied all the same, it finds no shard 3 (its partial is empty)
	run -1 k8s_run merge
	assert_output "jkpi: --expect $N: shard 3 is missing"
	assert_equal "$(cat data/reports/value-chain-journey.csv)" "yesterday's report"
	# a pod past SHARDS (completions raised without SHARDS) fails too
	# (jtouch --shard and jkpi --shard-id refuse it at once: their messages may mix)
	run -2 k8s_run shards "$N"
	assert_output --regexp "jtouch: --shard: '$((N + 1))/$N' is not K/N|jkpi: --shard-id: '$((N + 1))/$N' is not K/N"
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
