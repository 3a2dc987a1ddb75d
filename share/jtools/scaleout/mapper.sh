#!/bin/sh
# Hadoop Streaming mapper for the value-chain x journey report (README,
# "Scale-out"): stdin is one whole shard of the touch stream, written by
# `jtouch --shard K/N` (give the job gzipped shards: a .gz file is never split,
# so each mapper reads every touch of its customers, header first). Output:
# the shard's jkpi partial state, each line keyed by the mapper's number and
# its line number, so that one reducer can put every partial back in order.
# KPIS and GROUPS may be set in the job's environment (-cmdenv).
set -eu
: "${KPIS:=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred}"
: "${GROUPS:=activity,stage}"
jstage -q --outcome default | jvalue -q |
	jkpi -q --partial -g "$GROUPS" --per customer -k "$KPIS" |
	awk -v m="${mapreduce_task_partition:-0}" '{ printf "%06d\t%09d\t%s\n", m, NR, $0 }'
