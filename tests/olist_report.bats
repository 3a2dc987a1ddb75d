#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# The value-chain x journey report on the real Olist sample (../shared/data/real/
# olist-sample-4000-orders, CI only; see its PROVENANCE.md), built as an analyst would
# with the shipped profiles and rules:
#
#   jtouch -p olist-orders  --lookup customers            orders.csv
#          -p olist-reviews --lookup orders --lookup customers reviews.csv
#   | jstage --outcome next:csat          (Olist reviews give a 1-5 score: csat, not nps)
#   | jvalue                              (share/jtools/value-chain.rules)
#   | jkpi -s -g activity,stage --per customer
#          -k customers=distinct:customer,csat:next_csat,p50:delay_s,p90:delay_s
#
# and the same with -g activity,stage,touchpoint (the breakdown by touchpoint). Its figures
# are checked against OLIST_AWK below, which reads the three raw CSV files (customers,
# orders, reviews) and shares no code with jtools. The touchpoint -> cell mapping it uses,
# from the shipped rules (first matching rule wins; the order touches carry no text column,
# so only the touchpoint rules can match them):
#   order_placed                     -> marketing_sales    (value-chain.rules)  purchase (stages.rules)
#   order_approved                   -> operations                              purchase
#   order_shipped, order_delivered   -> outbound_logistics                      purchase
#   survey_response (the reviews)    -> service, or a support activity by the comment's text; loyalty
# jtouch emits an order row's touches in profile order (placed, approved, shipped, delivered),
# one per non-empty timestamp, and delay_s = delivered - estimated (signed seconds) on
# order_delivered only.
#
# What the report's figures mean, from the man pages, and so what the awk computes:
# - jkpi --per customer: each KPI takes a customer's first valid row of a cell, in input order,
#   that has a value for it; jstage writes each customer's touches in time order (touches at
#   the same second in input order), so that row is the customer's earliest touch in the cell
#   with a next_csat (for csat) or a delay_s (for the quantiles).
# - next_csat (jstage --outcome next:csat, --window 90d): the csat of the customer's nearest
#   touch with a csat strictly after this one in the timeline (a later time, or the same time
#   and later in the input), if it is at most 90 days (inclusive) after this touch, else empty.
#   The reviews are read after the orders, so a review in the same second as an order touch
#   is after it: the awk takes the earliest review at or after the touch (the first in the
#   file on equal times). In this sample no review falls in the same second as a customer's
#   first touch of a cell, so that tie rule changes no figure here; the window does.
# - csat (top-2 box): 100 * (answers 4 or 5) / answers, rounded half away from zero to 2
#   decimals, with the Wilson interval of jkpi(1).
# - p50, p90: Hyndman-Fan type 7 over the values, rounded to whole seconds (delay_s ends in
#   _s) half away from zero.
# Times are Sao Paulo local time without a zone; the awk turns them into UTC with the rule
# of tests/jvalue.bats: -02 in summer time (2016-10-16 to 2017-02-19, 2017-10-15 to
# 2018-02-18, 2018-11-04 to 2019-02-17, the skipped hour taking the offset before and the
# repeated hour the earlier instant), else -03.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	need_shared
	need_zone America/Sao_Paulo
	T=$BATS_TEST_TMPDIR
	D=$SHARED/olist-sample-4000-orders
}

# need_zone NAME: skip when the IANA zone file is not installed.
need_zone() {
	[ -f "${TZDIR:-/usr/share/zoneinfo}/$1" ] || skip "time zone $1 not installed (${TZDIR:-/usr/share/zoneinfo})"
}

KPIS=customers=distinct:customer,csat:next_csat,p50:delay_s,p90:delay_s

# report: the analyst's pipeline; $T/report.csv (activity, stage) and $T/by_touch.csv
# (activity, stage, touchpoint).
report() {
	jtouch -q --stats "$T/st.csv" --rejects "$T/rj.csv" -o "$T/touches.csv" \
		-p olist-orders --lookup "$D/olist_customers_dataset.csv:customer_id" "$D/olist_orders_dataset.csv" \
		-p olist-reviews --lookup "$D/olist_orders_dataset.csv:order_id" \
		--lookup "$D/olist_customers_dataset.csv:customer_id" "$D/olist_order_reviews_dataset.csv"
	jstage -q --outcome next:csat -o "$T/staged.csv" "$T/touches.csv"
	jvalue -q -o "$T/value-chain.csv" "$T/staged.csv"
	jkpi -q -s -g activity,stage --per customer -k "$KPIS" -o "$T/report.csv" "$T/value-chain.csv"
	jkpi -q -s -g activity,stage,touchpoint --per customer -k "$KPIS" -o "$T/by_touch.csv" "$T/value-chain.csv"
}

# The independent computation. Input: customers, orders, reviews (raw files, in that order).
# Output: 'records ORDERS REVIEWS', 'reviewers N' (customers with a review), then one CSV line
# per purchase cell in the report's columns: the (activity, stage) cells, then the
# (activity, stage, touchpoint) cells.
OLIST_AWK="$OLIST_TIME_AWK"'
# csvsplit(REC): the fields of one CSV record (RFC 4180 quotes, embedded newlines) into F[1..]
function csvsplit(rec,   n, i, c, q, f, len) {
	n = 1; f = ""; q = 0; len = length(rec)
	for (i = 1; i <= len; i++) {
		c = substr(rec, i, 1)
		if (q) {
			if (c == "\"") { if (substr(rec, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 }
			else f = f c
		} else if (c == "\"") q = 1
		else if (c == ",") { F[n++] = f; f = "" }
		else f = f c
	}
	F[n] = f
	return n
}
# touch(CELL, CUSTOMER, TIME, POS, DELAY): keep every touch of the customer in the cell
# (time, input position POS, delay_s or empty)
function touch(cell, c, t, pos, delay,   k, i) {
	k = cell SUBSEP c
	i = ++nt[k]; tt[k, i] = t; tp[k, i] = pos; td[k, i] = delay
	if (!(k in seen)) { seen[k] = 1; ncust[cell]++ }
}
# before(K, I, J): touch I of K is earlier than touch J (equal times: the earlier position)
function before(k, i, j) { return tt[k, i] < tt[k, j] || (tt[k, i] == tt[k, j] && tp[k, i] < tp[k, j]) }
# nextrev(C, T): the customer s earliest review at or after T within 90 days, or ""
function nextrev(c, t,   i, best) {
	best = ""
	for (i = 1; i <= nrev[c]; i++)
		if (rt[c, i] >= t && (best == "" || rt[c, i] < rt[c, best])) best = i
	return best != "" && rt[c, best] - t <= 90 * 86400 ? best : ""
}
# pct(X, N): 100 X / N to 2 decimals, half away from zero, in integers (no binary rounding)
function pct(x, n,   v) { v = int((20000 * x + n) / (2 * n)); return int(v / 100) "." sprintf("%02d", v % 100) }
# wilson(X, N): "lo,hi" in percent, the formula of jkpi(1)
function wilson(x, n,   z, p, c, h) {
	z = 1.959963984540054; p = x / n
	c = (p + z * z / (2 * n)) / (1 + z * z / n)
	h = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
	return sprintf("%.2f,%.2f", 100 * (c - h), 100 * (c + h))
}
# shell sort of A[0..N-1], numbers
function ssort(a, n,   gap, i, j, v) {
	for (gap = int(n / 2); gap > 0; gap = int(gap / 2))
		for (i = gap; i < n; i++) {
			v = a[i]
			for (j = i; j >= gap && a[j - gap] > v; j -= gap) a[j] = a[j - gap]
			a[j] = v
		}
}
# quant(A, N, NN): type 7 quantile of sorted whole numbers, whole, half away from zero
function quant(a, n, nn,   h, f, r, tot) {
	if (n == 0) return ""
	h = (n - 1) * nn; f = int(h / 100); r = h - 100 * f
	tot = 100 * a[f] + (r ? r * (a[f + 1] - a[f]) : 0)	# 100 * the quantile, exact
	return tot < 0 ? -int((-tot + 50) / 100) : int((tot + 50) / 100)
}
BEGIN {
	FS = ","
	ncell = split("marketing_sales,purchase operations,purchase outbound_logistics,purchase " \
		"marketing_sales,purchase,order_placed operations,purchase,order_approved " \
		"outbound_logistics,purchase,order_delivered outbound_logistics,purchase,order_shipped", cells, " ")
}
FILENAME == ARGV[1] { if (FNR > 1) uniq[$1] = $2; next }	# customer_id -> customer_unique_id
FILENAME == ARGV[2] {	# order_id,customer_id,status,purchase,approved,carrier,delivered,estimated (no quotes)
	if (FNR == 1) next
	norders++
	for (k = 4; k <= 7; k++) ntouch[k] += $k != ""
	c = uniq[$2]; cust[$1] = c; pos = 4 * FNR
	if ($4 != "") { touch("marketing_sales,purchase", c, sp($4), pos); touch("marketing_sales,purchase,order_placed", c, sp($4), pos) }
	if ($5 != "") { touch("operations,purchase", c, sp($5), pos + 1); touch("operations,purchase,order_approved", c, sp($5), pos + 1) }
	if ($6 != "") { touch("outbound_logistics,purchase", c, sp($6), pos + 2); touch("outbound_logistics,purchase,order_shipped", c, sp($6), pos + 2) }
	if ($7 != "") {
		touch("outbound_logistics,purchase", c, sp($7), pos + 3, sp($7) - sp($8))
		touch("outbound_logistics,purchase,order_delivered", c, sp($7), pos + 3, sp($7) - sp($8))
	}
	next
}
{	# reviews: review_id,order_id,review_score,title,comment,creation,answer; a record ends on a
	# line that leaves an even number of quotes (comments hold newlines, CRLF ones too)
	rec = inrec ? rec "\n" $0 : $0
	quotes += gsub(/"/, "&")
	if (quotes % 2) { inrec = 1; next }
	inrec = 0; quotes = 0
	if (++nrec == 1) next
	if (csvsplit(rec) != 7) { print "reviews record " nrec ": not 7 fields"; exit 1 }
	c = cust[F[2]]
	m = ++nrev[c]; rt[c, m] = sp(F[7]); rv[c, m] = F[3]
}
END {
	print "records", norders, nrec - 1
	print "touches", ntouch[4], ntouch[5], ntouch[6], ntouch[7], nrec - 1
	for (c in nrev) nreviewers++
	print "reviewers", nreviewers
	for (k in nt) {
		split(k, p, SUBSEP); cell = p[1]; c = p[2]
		# per KPI, the customer s earliest touch of the cell that has a value for it: for
		# next_csat one with a review within the window, for delay_s one with a delay
		fc = fdl = ""
		for (i = 1; i <= nt[k]; i++) {
			if ((fc == "" || before(k, i, fc)) && nextrev(c, tt[k, i]) != "") fc = i
			if ((fdl == "" || before(k, i, fdl)) && td[k, i] != "") fdl = i
		}
		if (fc != "") { n[cell]++; sat[cell] += rv[c, nextrev(c, tt[k, fc])] >= 4 }
		if (fdl != "") dl[cell, nd[cell]++] = td[k, fdl]
	}
	for (j = 1; j <= ncell; j++) {
		cell = cells[j]; nc = ncust[cell]; nn = n[cell] + 0; m = nd[cell] + 0
		for (i = 0; i < m; i++) x[i] = dl[cell, i]
		ssort(x, m)
		printf "%s,%d,0,%s,%d,%d,%d,%s,%d,%d,%s,%d,%d\n", cell, nc,
			nn ? pct(sat[cell], nn) "," wilson(sat[cell], nn) : ",,", sat[cell], nn, nc - nn,
			quant(x, m, 50), m, nc - m, quant(x, m, 90), m, nc - m
	}
}'

# independent: OLIST_AWK over the raw files into $T/ind.txt
independent() {
	awk "$OLIST_AWK" "$D/olist_customers_dataset.csv" "$D/olist_orders_dataset.csv" \
		"$D/olist_order_reviews_dataset.csv" >"$T/ind.txt"
}

# cells FILE CUT: the purchase rows of a report (or of $T/ind.txt), fields CUT
cells() {
	grep -E '^[a-z_]+,purchase,' "$1" | cut -d, -f"$2"
}

# the same cell rows, from the report and from the awk, must be equal
same_cells() { # FIELDS-REPORT FIELDS-TOUCH
	local d
	if ! d=$(diff -u <(grep -E '^[a-z_]+,purchase,[0-9]' "$T/ind.txt" | cut -d, -f"$1") <(cells "$T/report.csv" "$1")); then
		printf 'the (activity, stage) report differs from the awk (--- awk, +++ jkpi):\n%s\n' "$d" >&2
		return 1
	fi
	if ! d=$(diff -u <(grep -E '^[a-z_]+,purchase,order_' "$T/ind.txt" | cut -d, -f"$2") <(cells "$T/by_touch.csv" "$2")); then
		printf 'the (activity, stage, touchpoint) report differs from the awk (--- awk, +++ jkpi):\n%s\n' "$d" >&2
		return 1
	fi
}

@test "olist report: every order and review is read (no reject) and every purchase cell holds order touches only" {
	report
	independent
	run awk -F, '$1 ~ /^rows_(in|out|rejected|skipped)$/ { printf "%s=%s ", $1, $2 }' "$T/st.csv"
	local want
	want=$(awk '$1 == "records" { printf "rows_in=%d rows_out=%d rows_skipped=0 rows_rejected=0 ", $2 + $3, $2 + $3 }' "$T/ind.txt")
	assert_output "$want"
	# PROVENANCE.md: 4000 orders, 3986 reviews
	run grep '^records' "$T/ind.txt"
	assert_output "records 4000 3986"
	# the touches per touchpoint, and the stage and activity of each (by jkpi, which reads the
	# quoted comments; the awk has the counts): the purchase cells hold the order touches only,
	# every review is in stage loyalty
	jkpi -q -s -g touchpoint,stage,activity -k touches=count -o "$T/tsa.csv" "$T/value-chain.csv"
	run sh -c "grep -v '^survey_response,' '$T/tsa.csv'"
	assert_output "$(awk '$1 == "touches" { print "touchpoint,stage,activity,touches"
		print "order_approved,purchase,operations," $3
		print "order_delivered,purchase,outbound_logistics," $5
		print "order_placed,purchase,marketing_sales," $2
		print "order_shipped,purchase,outbound_logistics," $4 }' "$T/ind.txt")"
	run awk -F, '$1 == "survey_response" { n += $4; if ($2 != "loyalty") print } END { print n }' "$T/tsa.csv"
	assert_output "$(awk '$1 == "touches" { print $6 }' "$T/ind.txt")"
	# the report's columns, which the checks below compare by position
	run head -1 "$T/report.csv"
	assert_output "activity,stage,customers,customers_missing,csat_next_csat,csat_next_csat_lo,csat_next_csat_hi,csat_next_csat_satisfied,csat_next_csat_n,csat_next_csat_missing,p50_delay_s,p50_delay_s_n,p50_delay_s_missing,p90_delay_s,p90_delay_s_n,p90_delay_s_missing"
	run head -1 "$T/by_touch.csv"
	assert_output --regexp '^activity,stage,touchpoint,customers,customers_missing,csat_next_csat,'
	run sh -c "cut -d, -f1,2 '$T/report.csv' | grep ',purchase\$'"
	assert_output "marketing_sales,purchase
operations,purchase
outbound_logistics,purchase"
}

@test "olist report: distinct customers (customer_unique_id) per (activity, stage) cell, recomputed by awk" {
	report
	independent
	same_cells 1-4 1-5
	# the figures, as a reader of the report sees them (the sample has 4000 orders of 3998 people;
	# 6 orders were never approved, 61 never handed to a carrier)
	run cells "$T/report.csv" 1-3
	assert_output "marketing_sales,purchase,3998
operations,purchase,3992
outbound_logistics,purchase,3937"
	# the customers with a review are the stage loyalty customers of the report by stage
	jkpi -q -g stage --per customer -k customers=distinct:customer -o "$T/by_stage.csv" "$T/value-chain.csv"
	run awk -F, '$1 == "loyalty" { print $2 }' "$T/by_stage.csv"
	assert_output "$(awk '$1 == "reviewers" { print $2 }' "$T/ind.txt")"
}

@test "olist report: CSAT of the next review after the customer's first touch of each purchase cell, recomputed by awk" {
	report
	independent
	# csat_next_csat, _lo, _hi, _satisfied, _n, _missing
	same_cells 1,2,5-10 1-3,6-11
	run sh -c "grep '^outbound_logistics,purchase,' '$T/report.csv' | cut -d, -f5-10"
	echo "outbound_logistics,purchase: csat,lo,hi,satisfied,n,missing = $output" >&2
	# more than 3500 customers with a next review: the figure rests on real data
	awk -F, -v r="$output" 'BEGIN { split(r, a); exit !(a[5] > 3500) }'
}

# (c) delay_s. In the (activity, stage) report the outbound_logistics/purchase cell's first touch
# per customer is, for all but one customer, a carrier hand-off (order_shipped), which has no
# delay_s (the carrier date comes before the delivery). --per customer takes, for the delay
# quantiles, each customer's first touch of the cell that has a delay_s: their first delivery
# (jkpi before issue 17 took the hand-off and left p50_delay_s over 1 customer, 3936 missing).
# So the cell equals the touchpoint breakdown's outbound_logistics/purchase/order_delivered
# row, and both are checked against the awk, exactly.
@test "olist report: p50 and p90 delay_s over each customer's first touch of the cell with a delay (the first delivery), recomputed by awk" {
	report
	independent
	# p50_delay_s, _n, _missing, p90_delay_s, _n, _missing
	same_cells 1,2,11-16 1-3,12-17
	# the cell's p50, n, p90, n are its first deliveries' (its missing counts the customers
	# without a delivery, which the touchpoint row does not hold)
	run sh -c "grep '^outbound_logistics,purchase,' '$T/report.csv' | cut -d, -f11,12,14,15"
	local cell=$output
	run sh -c "grep '^outbound_logistics,purchase,order_delivered,' '$T/by_touch.csv' | cut -d, -f12,13,15,16"
	assert_equal "$cell" "$output"
	run sh -c "grep '^outbound_logistics,purchase,order_delivered,' '$T/by_touch.csv' | cut -d, -f12-17"
	echo "first delivery per customer: p50,n,missing,p90,n,missing = $output" >&2
	# deliveries beat the estimate: the median customer's first delivery is more than a week early
	awk -F, -v r="$output" 'BEGIN { split(r, a); exit !(a[1] < -7 * 86400 && a[2] > 3800 && a[3] == 0) }'
}
