#!/bin/bash
# Hadoop Streaming reducer (one: -D mapreduce.job.reduces=1): the mappers'
# keyed lines, sorted by mapper and line number (KeyFieldBasedComparator
# -k1,1 -k2,2n), are the partials again, concatenated; jkpi merges them into
# what one machine prints. SHARDS (-cmdenv SHARDS=N) is the number of shards:
# the merge fails unless the partials are shards 1..N, each once, and so does
# the task when any program in it fails (pipefail).
set -euo pipefail
if ! [[ ${SHARDS:-} =~ ^[1-9][0-9]*$ ]]; then
	echo "reducer.sh: SHARDS='${SHARDS:-}' is not the number of shards (give the job -cmdenv SHARDS=N)" >&2
	exit 1
fi
cut -f3- | jkpi --merge -s --expect "$SHARDS"
