#!/bin/bash
# Hadoop Streaming mapper for the value-chain x journey report (README,
# "Scale-out"): stdin is one whole shard of the touch stream, written by
# `jtouch --shard K/N` into a file named NAME-K-of-N.csv.gz (a .gz file is
# never split, so each mapper reads every touch of its customers, header
# first). Output: the shard's jkpi partial state, marked as shard K/N (from the
# file name, which Hadoop gives as mapreduce_map_input_file), each line keyed
# by the mapper's number and its line number, so that one reducer can put
# every partial back in order.
# KPIS and GROUP_BY may be set in the job's environment (-cmdenv).
# Any program that fails fails the task (pipefail): a broken shard stops the
# job instead of vanishing from the report.
set -euo pipefail
: "${KPIS:=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred}"
: "${GROUP_BY:=activity,stage}"
file=${mapreduce_map_input_file:-${map_input_file:-}}
if [[ ${file##*/} =~ -([0-9]+)-of-([0-9]+)\. ]]; then
	id=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
else
	echo "mapper.sh: input file '$file' is not named NAME-K-of-N.csv.gz (write shard K of N there with jtouch --shard K/N)" >&2
	exit 1
fi
jstage -q --outcome default | jvalue -q |
	jkpi -q --partial --shard-id "$id" -g "$GROUP_BY" --per customer -k "$KPIS" |
	awk -v m="${mapreduce_task_partition:-0}" '{ printf "%06d\t%09d\t%s\n", m, NR, $0 }'
