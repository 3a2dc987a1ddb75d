#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# Issue 16, "Real exports in, as they come": each of its seven points on a real
# export of ../shared/data/real (each folder's PROVENANCE.md says what it is),
# read as the README and the man pages say, with no sed, awk or iconv before
# the programs; the figures are checked against awk or python3 reading the
# original files. Where no real export has the shape, the file is made from
# real rows in that shape (said at the test). And the README's section
# "Reading your exports": its commands run as shown and print what it shows.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	need_shared
	MQL=$SHARED/olist-marketing-funnel/olist_marketing_qualified_leads_dataset.csv
	BPIC=$SHARED/bpic2012-loan-application/bpic2012_events.csv
}

# ---------------------------------------------------------------- the README

# readme_blocks: the section "Reading your exports" of README.md as files
# cmd.N (a ```sh block) and want.N (the ```text block after it).
readme_blocks() {
	awk '
		/^## Reading your exports$/ { on = 1; next }
		on && /^## / { on = 0 }
		!on { next }
		/^```sh$/ { n++; f = "cmd." n; next }
		/^```text$/ { f = "want." n; next }
		/^```$/ { f = ""; next }
		f != "" { print > f }
	' "$REPO/README.md"
}

@test "README 'Reading your exports': each command runs as shown from the clone and prints the lines shown" {
	readme_blocks
	local n=0 c k
	for c in cmd.*; do
		k=${c#cmd.}
		n=$((n + 1))
		[ -s "want.$k" ] || { echo "command $k has no output block" >&2; return 1; }
		(cd "$REPO" && bash -eo pipefail "$T/$c") >"got.$k" 2>"err.$k" || {
			echo "command $k failed:" >&2; cat "$c" "err.$k" >&2; return 1
		}
		# the shown lines are lines of the output, in its order
		awk 'NR == FNR { w[++n] = $0; next } i < n && $0 == w[i + 1] { i++ } END { exit i != n }' \
			"want.$k" "got.$k" || {
			echo "command $k: the README's lines are not in its output:" >&2
			diff "want.$k" "got.$k" >&2
			return 1
		}
	done
	assert_equal "$n" 3
	# the first line shown is the header: the output starts there
	for k in 1 2 3; do
		assert_equal "$(head -n 1 "got.$k")" "$(head -n 1 "want.$k")"
	done
}

# ---------------------------------------------------------------- 1. dates

# olist_marketing_qualified_leads_dataset.csv: first_contact_date is DD-MM-YYYY (a
# spreadsheet re-save), CRLF. The README's leads per month, counted by awk from the text.
@test "1. dates: the real Olist leads (01-02-2018 = 1 Feb): --date-order dmy; leads per month equal awk" {
	jtouch --customer mql_id --touch 'mql first_contact_date' --date-order dmy --stats st.csv "$MQL" >t.csv
	stats_are rows_in=8000 rows_out=8000 rows_rejected=0
	PROG=jkpi jt -s -g month:time -k count t.csv
	{
		echo month_time,count
		awk -F, 'NR > 1 { sub(/\r$/, ""); split($2, d, "-"); n[d[3] "-" d[2]]++ }
			END { for (m in n) print m "," n[m] }' "$MQL" | LC_ALL=C sort
	} | same
	# every time is the text turned around (the first: 1 February 2018)
	assert_equal "$(sed -n 2p t.csv | cut -d, -f1-3)" "dac32acd4db4c29c230538b72f8dd87d,2018-02-01T00:00:00Z,mql"
	# without a date order the run stops at the first row and says which option
	PROG=jtouch jtrc 1 --customer mql_id --touch 'mql first_contact_date' "$MQL"
	err_is "jtouch: $MQL:2: column 'first_contact_date': '01-02-2018' is a day/month date; say which order with --date-order mdy or --date-order dmy"
}

# No real export writes 01-Feb-2018 & co.: the leads' own dates are written in each
# shape by awk (a small file made from the real one), and each column must read to
# the times of the original.
@test "1. dates: the real leads' dates as 01-Feb-2018, 1 Feb 2018, Feb 1, 2018, 20180201, 01/02/18, 01.02.18 read the same" {
	awk -F, 'BEGIN { split("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec", mon, " ") }
		NR == 1 { print "mql_id,orig,dmon,dsp,mdy,compact,slash2,dot2"; next }
		{
			sub(/\r$/, ""); split($2, d, "-"); m = mon[d[2] + 0]
			printf "%s,%s,%s-%s-%s,%d %s %s,\"%s %d, %s\",%s%s%s,%s/%s/%s,%s.%s.%s\n", $1, $2,
				d[1], m, d[3], d[1], m, d[3], m, d[1], d[3], d[3], d[2], d[1],
				d[1], d[2], substr(d[3], 3), d[1], d[2], substr(d[3], 3)
		}' "$MQL" >shapes.csv
	assert_equal "$(sed -n 2p shapes.csv)" 'dac32acd4db4c29c230538b72f8dd87d,01-02-2018,01-Feb-2018,1 Feb 2018,"Feb 1, 2018",20180201,01/02/18,01.02.18'
	jtouch --customer mql_id --touch 'mql orig' --date-order dmy shapes.csv | cut -d, -f1,2 >want.csv
	[ "$(wc -l <want.csv)" = 8001 ]
	local c
	# month names and YYYYMMDD need no date order; the two-digit years pivot at 1970
	for c in dmon dsp mdy compact slash2 dot2; do
		jtouch --customer mql_id --touch "mql $c" --date-order dmy shapes.csv | cut -d, -f1,2 | same want.csv
	done
	for c in dmon dsp mdy compact dot2; do
		jtouch --customer mql_id --touch "mql $c" shapes.csv | cut -d, -f1,2 | same want.csv
	done
	# a format of one's own, without naming the column
	jtouch --customer mql_id --touch 'mql dsp' --time-format '%e %b %Y' shapes.csv | cut -d, -f1,2 | same want.csv
}

@test "1. dates: formats that read no row of the real leads: each row rejected with the formats tried, the run exits 1" {
	PROG=jtouch jtrc 1 --customer mql_id --touch 'mql first_contact_date' --time-format '%Y-%m-%d' \
		--time-format '%d/%m/%Y' --rejects rj.csv "$MQL"
	assert_equal "$(tail -n 1 "$T/err")" "jtouch: $MQL: no row was used, 8000 rejected (--max-rejects 100% allows it)"
	assert_equal "$(($(wc -l <rj.csv) - 1))" 8000
	assert_equal "$(sed -n 2p rj.csv | sed 's/.*\.csv,2,/2,/')" \
		"2,\"column 'first_contact_date': '01-02-2018' is not a time (tried: '%Y-%m-%d', '%d/%m/%Y')\""
	PROG=jtouch jtrc 0 -q --customer mql_id --touch 'mql first_contact_date' --time-format '%Y-%m-%d' \
		--max-rejects 100% "$MQL"
	PROG=jtouch jtrc 1 --customer mql_id --touch 'mql first_contact_date' --time-format '%Y-%m-%d' --strict "$MQL"
	err_is "jtouch: $MQL:2: column 'first_contact_date': '01-02-2018' is not a time (tried: '%Y-%m-%d')"
}

# ---------------------------------------------------------------- 2. row filters

# bpic2012_events.csv: COMPLETE 164,506 / START 71,376 / SCHEDULE 26,318 (PROVENANCE.md);
# no quoting in the file, so awk -F, reads it.
@test "2. filters: the real BPIC 2012 log, COMPLETE events per activity (the README's figures) equal awk" {
	PROG=jkpi jt -s --where 'lifecycle:transition = COMPLETE' -g concept:name -k count,distinct:case_id \
		--stats st.csv "$BPIC"
	{
		echo concept:name,count,distinct_case_id,distinct_case_id_missing
		awk -F, 'NR > 1 && $3 == "COMPLETE" { n[$2]++; if (!(($2, $1) in s)) { s[$2, $1]; c[$2]++ } }
			END { for (a in n) print a "," n[a] "," c[a] ",0" }' "$BPIC" | LC_ALL=C sort
	} | same
	stats_are rows_in=262200 rows_out=164506 rows_filtered=97694 rows_rejected=0
	invariant
	# the same filter in jtouch, then a regex one: the application states only
	PROG=jtouch jt -q -p events --where 'lifecycle:transition = COMPLETE' --where 'concept:name ~ ^A_' \
		--stats st.csv "$BPIC"
	stats_are rows_in=262200 rows_out="$(awk -F, '$3 == "COMPLETE" && $2 ~ /^A_/' "$BPIC" | wc -l)"
	invariant
}

# ---------------------------------------------------------------- 3. value maps

# WA_Fn-UseC_-Telco-Customer-Churn.csv: Churn and Partner Yes/No, SeniorCitizen 0/1, TotalCharges
# ' ' for 11 customers (PROVENANCE.md); ASCII, no quoting: awk -F, reads it.
@test "3. value maps: the real Telco churn: Yes/No and 0/1 columns as rates with --map COL:bool, ' ' missing" {
	local f="$SHARED/telco-customer-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
	PROG=jkpi jt -s -g InternetService -k rate:Churn,rate:SeniorCitizen,rate:Partner,sum:TotalCharges \
		--map Churn:bool --map SeniorCitizen:bool --map Partner:bool --stats st.csv "$f"
	stats_are rows_in=7043 rows_rejected=0
	# hits and n of each rate, and the missing of the sum, by awk
	awk -F, 'NR > 1 { g = $9; n[g]++; c[g] += $21 == "Yes"; s[g] += $3 == 1; p[g] += $4 == "Yes"; m[g] += $20 == " " }
		END { for (g in n) print g, c[g], n[g], s[g], p[g], m[g] }' "$f" | LC_ALL=C sort >want
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		{ print $1, $h["rate_Churn_hits"], $h["rate_Churn_n"], $h["rate_SeniorCitizen_hits"], $h["rate_Partner_hits"],
			$h["sum_TotalCharges_missing"] }' "$T/out" | same want
	# without the map every row is rejected, and the run says so with exit 1
	PROG=jkpi jtrc 1 -q -k rate:Churn "$f"
	assert_equal "$(tail -n 1 "$T/err")" "jkpi: $f: no row was used, 7043 rejected (--max-rejects 100% allows it)"
}

# ---------------------------------------------------------------- 4. encodings, delimiters, compression

# tests/fixtures/real/olist-itens-cp1252.csv: 600 real Olist items with their seller's state,
# windows-1252, ';', decimal commas, CRLF, made by tests/gen/olist-itens-cp1252.py (no real
# export of that shape is in ../shared). python3 sums the original UTF-8 files.
@test "4. encodings: a real Olist extract as a Brazilian spreadsheet saves it reads as it is; sums equal python3" {
	local f="$REPO/tests/fixtures/real/olist-itens-cp1252.csv"
	python3 "$REPO/tests/gen/olist-itens-cp1252.py" "$SHARED" | cmp - "$f"
	PROG=jkpi jtrc 0 --encoding auto -d auto --decimal-comma -s -g UF -k 'count,sum:preço,sum:frete' "$f"
	err_is "jkpi: warning: $f:1: byte 0xe7 is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)"
	python3 - "$SHARED" >want <<'EOF'
import csv, sys
from decimal import Decimal
real = sys.argv[1]
st = {r["seller_id"]: r["seller_state"] for r in csv.DictReader(open(real + "/olist-official-dims/olist_sellers_dataset.csv", encoding="utf-8"))}
agg = {}
for i, r in enumerate(csv.DictReader(open(real + "/olist-sample-4000-orders/olist_order_items_dataset.csv", encoding="utf-8"))):
    if i == 600:
        break
    a = agg.setdefault(st[r["seller_id"]], [0, Decimal(0), Decimal(0)])
    a[0] += 1; a[1] += Decimal(r["price"]); a[2] += Decimal(r["freight_value"])
print("UF,count,sum_preço,sum_preço_n,sum_preço_missing,sum_frete,sum_frete_n,sum_frete_missing")
for k in sorted(agg):
    n, p, fr = agg[k]
    print(f"{k},{n},{p.normalize():f},{n},0,{fr.normalize():f},{n},0")
EOF
	same <want
	# named settings instead of the guesses; every compression; the same bytes
	PROG=jkpi jt --encoding windows-1252 -d ';' --decimal-comma -s -g UF -k 'count,sum:preço,sum:frete' "$f"
	same <want
	local z
	for z in gzip bzip2 xz zstd; do
		command -v "$z" >/dev/null || continue
		"$z" -c "$f" >itens.z
		PROG=jkpi jt -q --encoding auto -d auto --decimal-comma -s -g UF -k 'count,sum:preço,sum:frete' itens.z
		same <want
	done
	# without the options each step names the next
	PROG=jkpi jtrc 1 -s -g UF -k 'count,sum:preço' "$f"
	err_is "jkpi: $f:1: no column named 'UF' (columns: pedido;item;cidade do vendedor;UF;pre\\xe7o;frete) (one column, whose name holds ';': give -d ';', or -d auto) (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	PROG=jkpi jtrc 1 -d ';' -s -g UF -k 'count,sum:preço' "$f"
	err_is "jkpi: $f:1: no column named 'preço' (columns: pedido, item, cidade do vendedor, UF, pre\\xe7o, frete); did you mean 'pre\\xe7o'? (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	PROG=jkpi jtrc 1 -q --encoding latin1 -d ';' -s -g UF -k 'count,sum:preço' "$f"
	assert_equal "$(tail -n 1 "$T/err")" "jkpi: $f: no row was used, 600 rejected (--max-rejects 100% allows it)"
	PROG=jkpi jtrc 1 --encoding latin1 -d ';' --strict -k 'sum:preço' "$f"
	err_is "jkpi: $f:2: column 'preço': '179,49' is not a number (a decimal comma? --decimal-comma reads it; no thousands separators)"
}

@test "4. compression: the real helpdesk log and the UTF-8 BOM support tickets read compressed as plain" {
	local f="$SHARED/helpdesk-ticket-event-log/helpdesk_events.csv" z
	PROG=jkpi jt -s -g concept:name -k count,distinct:case_id "$f"
	cp "$T/out" plain
	for z in gzip bzip2 xz zstd; do
		command -v "$z" >/dev/null || continue
		"$z" -c "$f" >"hd.csv.$z"
		PROG=jkpi jt -s -g concept:name -k count,distinct:case_id "hd.csv.$z"
		same <plain
	done
	assert_equal "$(grep -c . plain)" "$(($(cut -d, -f2 "$f" | sed 1d | sort -u | wc -l) + 1))"
	# the BOM of the Kaggle tickets is no part of the first column's name, compressed or not
	f="$SHARED/support-tickets-kaggle/customer_support_tickets.csv"
	gzip -c "$f" >tickets.csv.gz
	PROG=jkpi jt -q -s -g 'Ticket Status' -k 'count,distinct:Ticket ID' tickets.csv.gz
	same <<'EOF'
Ticket Status,count,distinct_Ticket ID,distinct_Ticket ID_missing
,1,0,1
Closed,2769,2769,0
Open,2819,2819,0
Pending Customer Response,2881,2881,0
EOF
}

# ---------------------------------------------------------------- 5. time zones

# bpic2012_events.csv: the times carry the Dutch offset of their day; the first application
# was made at 00:38 on 1 October 2011 (+02:00). A case's cohort is the month of its first
# COMPLETE event, read by awk from the local text.
@test "5. time zones: cohorts of the real BPIC 2012 applications by Dutch month (jstage --tz) equal awk" {
	need_zone Europe/Amsterdam
	jtouch -q -p events --where 'lifecycle:transition = COMPLETE' "$BPIC" >t.csv
	PROG=jstage jt --cohorts month --tz Europe/Amsterdam t.csv
	cut -d, -f1,2 "$T/out" | sed 1d >got
	awk -F, 'NR > 1 && $3 == "COMPLETE" { if (!($1 in m) || $4 < m[$1]) m[$1] = $4 }
		END { for (c in m) n[substr(m[c], 1, 7)]++; for (k in n) print k "," n[k] }' "$BPIC" | LC_ALL=C sort | same got
	# in UTC the first application is September's only one
	PROG=jstage jt --cohorts month t.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1,2)" "2011-09,1"
	# and jkpi's buckets agree
	PROG=jkpi jt -s -g month:time -k distinct:customer --tz Europe/Amsterdam --where 'touchpoint = A_SUBMITTED' t.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1,2)" "2011-10,$(sed -n 1p got | cut -d, -f2)"
}

# ---------------------------------------------------------------- 6. carried columns

# customer_support_tickets.csv: a row is a purchase ('Date of Purchase', M/D/YYYY) and a
# ticket; 'First Response Time' is empty for 2,820 tickets (PROVENANCE.md). Multi-line
# quoted fields: python3 csv counts.
@test "6. carry on: the real Kaggle tickets: the subject on the ticket touch only, so every purchase stays marketing_sales" {
	local f="$SHARED/support-tickets-kaggle/customer_support_tickets.csv"
	jtouch -q --customer '"Customer Email"' --date-order mdy --touch 'purchase "Date of Purchase"' \
		--touch 'ticket_first_reply "First Response Time"?' --carry 'subject="Ticket Subject" on ticket_first_reply' \
		"$f" | jvalue -q >acts.csv
	run awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["touchpoint"] == "purchase" { p[$h["activity"] "/" ($h["subject"] == "" ? "empty" : "subject")]++ }
		$h["touchpoint"] == "ticket_first_reply" && $h["subject"] != "" { t++ }
		END { for (k in p) print k, p[k]; print "tickets", t }' acts.csv
	local n
	n=$(python3 -c 'import csv, sys; print(sum(1 for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")) if r["First Response Time"] and r["Ticket Subject"]))' "$f")
	assert_output "marketing_sales/empty 8469
tickets $n"
	# carried on every touch (no 'on'), the subjects label purchases too
	jtouch -q --customer '"Customer Email"' --date-order mdy --touch 'purchase "Date of Purchase"' \
		--carry 'subject="Ticket Subject"' "$f" | jvalue -q >all.csv
	run awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$h["touchpoint"] == "purchase" && $h["activity"] != "marketing_sales" { n++ } END { print n + 0 }' all.csv
	[ "$output" -gt 1000 ]
}

# ---------------------------------------------------------------- 7. column aliases, absent optional columns

# The shipped events profile reads the pm4py logs by their XES names (case:concept:name or
# case_id, concept:name, time:timestamp); it has optional channel and page columns.
@test "7. aliases: the shipped events profile reads the real pm4py event logs by their own names; absent optional columns said once" {
	local fines="$SHARED/road-traffic-fines-event-log/roadtraffic100traces.csv"
	local hd="$SHARED/helpdesk-ticket-event-log/helpdesk_events.csv"
	PROG=jtouch jtrc 0 -p events --stats st.csv "$fines" "$hd"
	err_is "jtouch: warning: events: $fines has no columns 'page', 'channel' (optional: they read as empty)"
	stats_are rows_in=$((390 + 21348)) rows_rejected=0
	# the fines log's case is case:concept:name (column 3), the helpdesk's case_id
	awk -F, 'NR > 1 { print $3 "," $4 }' "$fines" >want
	awk -F, 'NR > 1 { print $1 "," $2 }' "$hd" >>want
	LC_ALL=C sort want >want.sorted
	awk -F, 'NR > 1 { print $1 "," $3 }' "$T/out" | LC_ALL=C sort | same want.sorted
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-3)" "N77802,2005-03-22T23:00:00Z,Create Fine"
	# -q: not a word
	PROG=jtouch jtrc 0 -q -p events "$fines"
	err_is ""
}
