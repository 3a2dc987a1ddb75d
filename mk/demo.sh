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
for k in customers=distinct:customer nps:next_nps csat:next_csat p50:resolution_s p90:resolution_s rate:referred; do
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
bin/jstage -q --clv -o "$out/clv.csv" "$out/touches.csv"
# one --min-n for the whole page: the moments that matter rank only cells with
# 30 customers on each side, as the heatmaps colour only cells of 30 customers
bin/jvalue -q --impact next_nps --min-n 30 -o "$out/impact-nps.csv" "$out/journeys.csv"
bin/jrefer -q --summary --flags "$out/referral-flags.csv" --rejects "$out/rejects-jrefer.csv" \
	-o "$out/referrals.csv" "$out/touches.csv"
# BG/NBD: on the page only when the fit is sound (--strict: no fit at the edge of
# the parameter space; every standard error a number)
bgnbd=
if bin/jstage -q --bgnbd --strict --params "$out/bgnbd-params.csv" -o "$out/bgnbd.csv" "$out/touches.csv" 2>"$out/bgnbd.log" &&
	! awk -F, 'NR > 1 && $1 == "bgnbd" && $2 ~ /^(r|alpha|a|b)$/ && $4 !~ /^[0-9.eE+-]+$/ { bad = 1 } END { exit !bad }' \
		"$out/bgnbd-params.csv"; then
	bin/jkpi -q -k customers=count,p_alive=mean:p_alive,expected_purchases=sum:expected_purchases,clv=mean:clv,clv_total=sum:clv \
		-o "$out/bgnbd-summary.csv" "$out/bgnbd.csv"
	bgnbd=1
else
	rm -f "$out/bgnbd-summary.csv"
fi
# 5. one page for people (open it in a browser; no network needed): a heatmap per
# KPI (cells under 30 customers marked), the funnel, the moments that matter,
# retention, lifetime value and the referral program. SOURCE_DATE_EPOCH, when
# set, is its generation time (the tests set it for a byte-exact page).
set -- --attach "Funnel: awareness to advocacy=$out/funnel.csv" \
	--about "Customers who reached each stage in this order within 90 days of their first awareness touch (jstage --funnel); the bar is the share of the first step. Same touches and period as above." \
	--attach "Moments that matter: NPS after a touch against never touched (worst first)=$out/impact-nps.csv" \
	--about "NPS of the customers touched in the cell (their first touch there) against the customers never touched there (their last answer), worst first (jvalue --impact). A difference is significant when its 95 % interval excludes 0; association, not causation. Same touches and period as above." \
	--attach "Retention by month=$out/retention.csv" \
	--about "Customers alive at the start of each month (alive from their first touch until 90 days after their last), new in it, and still alive at its end (jstage --retention --period month)." \
	--attach "Customer lifetime value=$out/clv.csv" \
	--about "Revenue per customer so far, and predicted over the expected lifetime that the monthly churn gives (jstage --clv). Same touches and period as above."
if [ -n "$bgnbd" ]; then
	set -- "$@" --attach "Predicted value (BG/NBD)=$out/bgnbd-summary.csv" \
		--about "Probability that a customer is still active, purchases and value expected over the next 12 months, from the BG/NBD and Gamma-Gamma models fitted to each customer's orders (jstage --bgnbd). Same touches and period as above."
fi
bin/jkpi -q -g activity --row-order "$activities" --pivot stage --pivot-order "$stages" --per customer \
	-k nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred --format html --min-n 30 \
	--title "Value chain × customer journey" --sources "$out/stats-jtouch.csv" \
	--about "The touches of every export, by the value-chain activity behind the touch and the customer's journey stage." \
	"$@" \
	--attach "Referral program=$out/referrals.csv" \
	--about "Invitations, sign-ups and conversions of the referral program and its K-factor (jrefer --summary). Same touches and period as above." \
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
echo "Moments that matter (NPS after a touch in the cell against never touched there; worst first;"
echo "cells with 30 customers on each side)"
head -6 "$out/impact-nps.csv" | cut -d, -f1,2,3,6,7,8 | sed 's/,/ | /g'
echo
echo "Referral program"
grep -E '^(customers|referrers|invites|conversion_pct|k_factor|referred_pct),' "$out/referrals.csv" | sed 's/,/: /'
echo
echo "Rows set aside (see $out/rejects-jtouch.csv and $out/rejects-jrefer.csv):"
grep '^rows_\|^touches_out' "$out/stats-jtouch.csv" | sed 's/^/  /'
if [ -z "$bgnbd" ]; then
	echo
	echo "BG/NBD left off the page: its fit is not sound on this data (see $out/bgnbd.log, $out/bgnbd-params.csv)"
fi
echo
echo "Full report files: $out/"
ls "$out" | sed 's/^/  /'
