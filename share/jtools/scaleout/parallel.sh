#!/bin/bash
# The value-chain x journey report in N shards under GNU parallel (README,
# "Scale-out"), on the local cores or, with --sshlogin in $PARALLEL, on other
# hosts that have jtools and the exports at the same paths:
#
#   parallel.sh -n N -o REPORT [--] JTOUCH-ARGS...
#
# Shard K of N is `jtouch --shard K/N JTOUCH-ARGS`, the per-customer steps and
# `jkpi --partial --shard-id K/N`; once every shard has succeeded, `jkpi
# --merge --expect N` writes REPORT in one step (the file is replaced only by a
# complete report). A shard in which any program fails (pipefail) stops the
# run with exit 1 and leaves REPORT as it was. KPIS and GROUP_BY choose the
# KPIs and groups; other GNU parallel options (-j, --sshlogin) go in $PARALLEL.
set -euo pipefail
: "${KPIS:=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred}"
: "${GROUP_BY:=activity,stage}"
export KPIS GROUP_BY

usage() {
	echo "usage: parallel.sh -n shards -o report [--] jtouch-args..." >&2
	exit 2
}
n="" report=""
while getopts n:o: opt; do
	case $opt in
	n) n=$OPTARG ;;
	o) report=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "parallel.sh: -n '$n' is not a number of shards" >&2; usage; }
if [ -z "$report" ] || [ $# -eq 0 ]; then usage; fi

# shard K/N ARGS...: one shard's partial on stdout; any failing program fails it
jt_shard() {
	set -o pipefail
	local id=$1
	shift
	jtouch -q --shard "$id" "$@" | jstage -q --outcome default | jvalue -q |
		jkpi -q --partial --shard-id "$id" -g "$GROUP_BY" --per customer -k "$KPIS"
}
export -f jt_shard

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jt-parallel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the partials come back concatenated, each job's output whole (--group)
if ! parallel --will-cite --group --halt now,fail=1 --env jt_shard --env KPIS --env GROUP_BY -q \
	jt_shard "{}/$n" "$@" ::: $(seq 1 "$n") >"$tmp/partials.csv"; then
	echo "parallel.sh: a shard failed; $report is left as it was" >&2
	exit 1
fi
jkpi --merge -s --expect "$n" -o "$report" "$tmp/partials.csv"
