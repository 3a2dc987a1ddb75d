#!/bin/sh
# make demo: jkpi over the sample survey export (share/jtools/sample/surveys.csv).
# Until the whole pipeline exists this is the main job: NPS, CSAT and CES by
# channel and month as readable tables; the full CSV results go to demo-out/.
set -eu
export JTOOLS_DATADIR="$(pwd)/share/jtools"
in=share/jtools/sample/surveys.csv
out=demo-out
mkdir -p "$out"

bin/jkpi -s -g channel --rejects "$out/rejects.csv" --stats "$out/stats.csv" \
	-k responses=count,customers=distinct:customer_id,nps:nps,csat:csat,ces:ces \
	-o "$out/by-channel.csv" "$in"
for k in nps csat ces; do
	bin/jkpi -q -s -g channel --pivot month:submitted_at --pivot-order sorted -k "$k:$k" -o "$out/$k-by-channel-month.csv" "$in" 2>/dev/null
done

echo
echo "NPS by channel and month (points, -100..100; promoters 9-10 minus detractors 0-6)"
bin/jkpi -q -s -g channel --pivot month:submitted_at --pivot-order sorted -k nps:nps --format md "$in" 2>/dev/null
echo
echo "CSAT by channel and month (% answering 4 or 5 on 1-5)"
bin/jkpi -q -s -g channel --pivot month:submitted_at --pivot-order sorted -k csat:csat --format md "$in" 2>/dev/null
echo
echo "Responses by channel and month"
bin/jkpi -q -s -g channel --pivot month:submitted_at --pivot-order sorted -k count --format md "$in" 2>/dev/null
echo
echo "Full results (with 95% intervals, counts and missing values): $out/"
ls "$out" | sed 's/^/  /'
