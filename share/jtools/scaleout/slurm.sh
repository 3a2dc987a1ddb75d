#!/bin/bash
# The value-chain x journey report in N shards on a Slurm cluster (README,
# "Scale-out"):
#
#   slurm.sh -n N -o REPORT [-w FOLDER] [--] JTOUCH-ARGS...
#
# submits a job array of N tasks (--array=1-N): task K runs `jtouch --shard
# K/N JTOUCH-ARGS` (K = $SLURM_ARRAY_TASK_ID, N = $SLURM_ARRAY_TASK_COUNT),
# the per-customer steps and `jkpi --partial --shard-id K/N`; and a merge job
# that runs only once every task has succeeded (--dependency=afterok), `jkpi
# --merge --expect N`, which puts REPORT in place in one step. A task in which
# any program fails (pipefail) fails, the merge job is then cancelled and
# REPORT stays as it was. It prints the two job ids, "ARRAY MERGE".
#
# Every node needs jtools on its PATH and the exports, REPORT and FOLDER on a
# file system they share: each run gets a folder under FOLDER (default: the
# folder of REPORT) with the tasks' logs, and the partials until the merge
# has used them. The jobs run in the current folder with this environment
# (sbatch's default), so relative paths and PATH carry over. KPIS and
# GROUP_BY choose the KPIs and groups; SBATCH_PARTITION, SBATCH_ACCOUNT,
# SBATCH_TIMELIMIT and the other SBATCH_* variables go to both jobs.
set -euo pipefail
: "${KPIS:=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred}"
: "${GROUP_BY:=activity,stage}"

# --shard-task RUN JTOUCH-ARGS...: one task of the array (sbatch runs a copy of this file)
shard_task() {
	local run=$1 k=${SLURM_ARRAY_TASK_ID:?not in a Slurm job array} n=${SLURM_ARRAY_TASK_COUNT:?not in a Slurm job array}
	shift
	jtouch -q --shard "$k/$n" "$@" | jstage -q --outcome default | jvalue -q |
		jkpi -q --partial --shard-id "$k/$n" -g "$GROUP_BY" --per customer -k "$KPIS" -o "$run/part-$k-of-$n.csv"
}

# --merge-task RUN N REPORT: the merge job
merge_task() {
	local run=$1 n=$2 report=$3
	jkpi --merge -s --expect "$n" -o "$report" "$run"/part-*-of-"$n".csv
	rm -f "$run"/part-*-of-"$n".csv
}

case ${1:-} in
--shard-task) shift; shard_task "$@"; exit ;;
--merge-task) shift; merge_task "$@"; exit ;;
esac

usage() {
	echo "usage: slurm.sh -n shards -o report [-w folder] [--] jtouch-args..." >&2
	exit 2
}
n="" report="" folder=""
while getopts n:o:w: opt; do
	case $opt in
	n) n=$OPTARG ;;
	o) report=$OPTARG ;;
	w) folder=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "slurm.sh: -n '$n' is not a number of shards" >&2; usage; }
if [ -z "$report" ] || [ $# -eq 0 ]; then usage; fi
case $report in /*) ;; *) report=$PWD/$report ;; esac
folder=${folder:-$(dirname "$report")}
run=$(mktemp -d "$folder/jtools-slurm.XXXXXX")
case $run in /*) ;; *) run=$PWD/$run ;; esac

array=$(sbatch --parsable --job-name=jtools-shard --array="1-$n" --output="$run/shard-%a.log" \
	"$0" --shard-task "$run" "$@")
array=${array%%;*}
if ! merge=$(sbatch --parsable --job-name=jtools-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
	--output="$run/merge.log" "$0" --merge-task "$run" "$n" "$report"); then
	scancel "$array" || true
	echo "slurm.sh: the merge job was not submitted; the shards ($array) are cancelled" >&2
	exit 1
fi
echo "$array ${merge%%;*}"
