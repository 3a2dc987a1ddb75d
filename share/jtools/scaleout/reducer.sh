#!/bin/sh
# Hadoop Streaming reducer (one: -D mapreduce.job.reduces=1): the mappers'
# keyed lines, sorted by mapper and line number (KeyFieldBasedComparator
# -k1,1 -k2,2n), are the partials again, concatenated; jkpi merges them into
# what one machine prints.
set -eu
cut -f3- | jkpi --merge -s
