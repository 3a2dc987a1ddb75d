#!/bin/sh
# make demo: the whole pipeline over the sample exports of share/jtools/sample
# (surveys, tickets, orders, referrals, web events; synthetic, with the flaws
# real exports have): jtouch -> jstage -> jvalue -> jkpi, plus jrefer. The
# value-chain x journey matrix is printed; every result file goes to demo-out/.
set -eu
export JTOOLS_DATADIR="$(pwd)/share/jtools"
s=share/jtools/sample
out=${JT_DEMO_OUT:-demo-out}
mkdir -p "$out"
# stages in rules order, activities in Porter's order (from the rules files)
stages=$(bin/jstage --labels | sed 1d | paste -sd, -)
activities=$(bin/jvalue --labels | sed 1d | cut -d, -f1 | paste -sd, -)

# 1. raw exports -> the touch stream (bad rows set aside in rejects-jtouch.csv)
bin/jtouch -q --rejects "$out/rejects-jtouch.csv" --stats "$out/stats-jtouch.csv" -o "$out/touches.csv" \
	-p survey "$s/surveys.csv" -p tickets "$s/tickets.csv" -p orders "$s/orders.csv" \
	-p referrals "$s/referrals.csv" -p events "$s/events.csv"
# 2. journey stages and what happened next; 3. value-chain activities
bin/jstage --outcome default -o "$out/journeys.csv" "$out/touches.csv"
bin/jvalue -o "$out/value-chain.csv" "$out/journeys.csv"
# 4. the report: long table, and the matrix of each KPI (customers weigh once per cell)
kpis=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred
bin/jkpi -q -s -g activity,stage --row-order "$activities" --per customer -k "$kpis" -o "$out/report.csv" "$out/value-chain.csv"
for k in customers=distinct:customer nps:next_nps csat:next_csat p50:resolution_s rate:referred; do
	name=${k%%[:=]*}
	bin/jkpi -q -g activity --row-order "$activities" --pivot stage --pivot-order "$stages" --per customer -k "$k" \
		-o "$out/matrix-$name.csv" "$out/value-chain.csv"
done
# journey views and the moments that matter
bin/jstage -q --funnel awareness,consideration,purchase,loyalty,advocacy -o "$out/funnel.csv" "$out/touches.csv"
bin/jstage -q --paths -o "$out/paths.csv" "$out/touches.csv"
bin/jstage -q --variants --collapse --top 10 -o "$out/variants.csv" "$out/touches.csv"
bin/jstage -q --retention --period month -o "$out/retention.csv" "$out/touches.csv"
bin/jstage -q --customers -g channel -o "$out/customers.csv" "$out/touches.csv"
bin/jvalue -q --impact next_nps --min-n 5 -o "$out/impact-nps.csv" "$out/journeys.csv"
bin/jrefer -q --summary --flags "$out/referral-flags.csv" --rejects "$out/rejects-jrefer.csv" \
	-o "$out/referrals.csv" "$out/touches.csv"
# 5. one page for people (open it in a browser; no network needed): the NPS
# heatmap (cells under 30 customers marked), the funnel, the moments that
# matter and the referral program
bin/jkpi -q -g activity --row-order "$activities" --pivot stage --pivot-order "$stages" --per customer \
	-k nps:next_nps --format html --min-n 30 --title "Value chain x customer journey: NPS after the touch" \
	--attach "Funnel: awareness to advocacy=$out/funnel.csv" \
	--attach "Moments that matter: NPS after a touch against never touched (worst first)=$out/impact-nps.csv" \
	--attach "Referral program=$out/referrals.csv" \
	-o "$out/report.html" "$out/value-chain.csv"

echo
echo "Customers per value-chain activity and journey stage (each customer once per cell)"
bin/jkpi -q -g activity --row-order "$activities" --pivot stage --pivot-order "$stages" --per customer -k customers=distinct:customer \
	--format md "$out/value-chain.csv"
echo
echo "NPS after the touch (next answer within 90 days; points -100..100), activity x stage"
bin/jkpi -q -g activity --row-order "$activities" --pivot stage --pivot-order "$stages" --per customer -k nps:next_nps \
	--format md "$out/value-chain.csv"
echo
echo "Funnel awareness -> advocacy (customers, conversion from the first step)"
cut -d, -f1-5 "$out/funnel.csv" | sed 's/,/ | /g'
echo
echo "Moments that matter (NPS after a touch in the cell against never touched there; worst first)"
head -6 "$out/impact-nps.csv" | cut -d, -f1,2,3,6,7,8 | sed 's/,/ | /g'
echo
echo "Referral program"
grep -E '^(customers|referrers|invites|conversion_pct|k_factor|referred_pct),' "$out/referrals.csv" | sed 's/,/: /'
echo
echo "Rows set aside (see $out/rejects-jtouch.csv and $out/rejects-jrefer.csv):"
grep '^rows_\|^touches_out' "$out/stats-jtouch.csv" | sed 's/^/  /'
echo
echo "Full report files: $out/"
ls "$out" | sed 's/^/  /'
