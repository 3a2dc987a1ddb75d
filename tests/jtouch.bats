#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# jtouch: behaviour suite (spec: jtouch(1), jtouch-profile(5), DESIGN.md sections 2 and 4).
# Every expected time and measure was worked out by hand; the arithmetic is in the
# comments. The goldens in tests/expected/jtouch/ were checked against those hand
# computations line by line. Fixtures: tests/fixtures/jtouch/ (each test runs there,
# so messages name the files as given: survey.csv:5: ...).
# Tests marked skip "BUG: ..." describe what the spec asks and the program does not do yet.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jtouch
GOLDEN=jtouch

# JT_VALGRIND=1 (make valgrind-check): tests/test_helper.bash wraps the program in valgrind.

setup() {
	cd "$FIX/jtouch"
	T=$BATS_TEST_TMPDIR
}

# times_match: every output row's time (column 2) equals its carried expect column (15).
times_match() {
	run awk -F, 'NR > 1 && $2 != $15 { print "row " NR ": time " $2 ", expected " $15 }' "$T/out"
	assert_success
	assert_output ''
}

# err_but_warnings TEXT: stderr without its warning lines (optional columns a
# shipped profile names and the fixture lacks) equals TEXT.
err_but_warnings() {
	assert_equal "$(grep -v '^jtouch: warning: ' "$T/err")" "$1"
}

# fnv_shard ID N: FNV-1a 64 of ID's bytes in hex, and its shard (hash mod N, plus 1).
# Independent of jtouch: 64-bit arithmetic in 16-bit limbs, so no bit is lost in perl.
fnv_shard() {
	perl -e '
		my @h = (0x2325, 0x8422, 0x9ce4, 0xcbf2);	# offset basis cbf29ce484222325, low limb first
		my @p = (0x01b3, 0x0000, 0x0100, 0x0000);	# prime 00000100000001b3
		for my $c (unpack("C*", $ARGV[0])) {
			$h[0] ^= $c;
			my @r = (0, 0, 0, 0);
			for my $i (0 .. 3) { for my $j (0 .. 3 - $i) { $r[$i + $j] += $h[$i] * $p[$j] } }
			my $carry = 0;
			for my $k (0 .. 3) { my $v = $r[$k] + $carry; $h[$k] = $v % 65536; $carry = int($v / 65536) }
		}
		my $m = 0;
		$m = ($m * 65536 + $_) % $ARGV[1] for reverse @h;
		printf "%04x%04x%04x%04x %d\n", reverse(@h), $m + 1;' "$1" "$2"
}

# ================================================================ 1. shipped profiles

# survey.csv (line numbers: r2 spans lines 3-4):
#   r1 c1 14:02Z                      -> nps 9 csat 5 ces 2, email, comment with a comma
#   r2 c2 '2024-03-05 09:30' (UTC)    -> 09:30:00Z, nps 10, comment with an embedded newline
#   r3 (line 5) no customer           -> rejected: missing customer
#   r4 c3 no date                     -> no touch, a row without a timestamp
#   r5 (line 7) nps 11                -> rejected: out of range
#   r6 c5 23:59:59.999Z               -> 23:59:59Z (fraction truncated), doubled quotes kept
#   r7 c6 date only 2024-03-09        -> 00:00:00Z; nps '5.0' and csat '4.0' copied byte for byte
# columns: the 14 fixed ones, then the carried response_id, comment
@test "jtouch: survey profile (golden survey.csv, exact stderr, --stats)" {
	jtrc 0 -p survey --stats "$T/st.csv" survey.csv
	golden survey.csv
	err_is "jtouch: survey.csv:5: column 'customer_id': empty customer id
jtouch: survey.csv:7: column 'nps': nps '11' is not in 0-10
jtouch: 7 rows in: 4 emitted 4 touches; 1 without a timestamp; 2 rejected
jtouch: 2 rows rejected (1 missing customer, 1 out of range) (use --rejects FILE to keep them)"
	stats_are rows_in=7 rows_out=4 rows_skipped=1 rows_rejected=2 touches_out=4 rows_without_time=1 \
		'rejected:missing customer=1' 'rejected:out of range=1'
	invariant
}

# tickets.csv (t3 spans lines 4-5):
#   t1 opened 01-10 09:00Z; first reply 09:15:30Z -> first_reply_s 930; solved 01-11 10:00Z
#      -> resolution_s 25 h = 90000, reopens 0, satisfaction Good -> csat 5
#   t2 opened '2024-01-12 08:00:00' -> 08:00:00Z; reopens 1 but no solved_at: measure dropped (1)
#   t3 reply 09:00 and solve 09:30 before opening 10:00 -> both durations negative: empty, counted (2);
#      'bad with comment' -> csat 1; subject with an embedded newline
#   t4 solved 01-20 12:00 -> 6 d 2 h = 525600; reopens 2; 'Offered' -> csat empty; reopened 01-21 08:00Z
#   t5 (line 7) 2024-13-01 -> bad time; t6 no timestamp; t7 (line 9) satisfaction 'great' -> not a number
@test "jtouch: tickets profile (golden tickets.csv): map words, negative durations, dropped measure" {
	jtrc 0 -p tickets --stats "$T/st.csv" tickets.csv
	golden tickets.csv
	err_is "jtouch: tickets.csv:7: column 'created_at': '2024-13-01T00:00:00Z' is not a time
jtouch: tickets.csv:9: column 'satisfaction': csat 'great' is not a number
jtouch: 7 rows in: 4 emitted 10 touches; 1 without a timestamp; 2 rejected; 2 negative durations left empty (first_reply_s 1, resolution_s 1); 1 value dropped (measure or referee whose touch has no timestamp)
jtouch: 2 rows rejected (1 bad time, 1 not a number) (use --rejects FILE to keep them)"
	stats_are rows_in=7 rows_out=4 rows_skipped=1 rows_rejected=2 touches_out=10 negative_durations=2 \
		measures_dropped=1 'rejected:bad time=1' 'rejected:not a number=1'
	invariant
}

# zendesk.csv: the Zendesk export header (domain.md 4b, the profile's columns and a few more),
# --tz Europe/Berlin (CET +1, CEST +2 from 2024-03-31 02:00 to 2024-10-27 03:00):
#   101 created 03-30 23:30 CET -> 22:30Z; solved 03-31 03:15 CEST -> 01:15Z;
#       first reply 1.01 min * 60 = 60.6 -> 61 s; full resolution 165 * 60 = 9900; Good -> 5; reopens 0
#   102 (line 3) empty 'Requester id' (the first alias present wins, even when empty) -> missing customer
#   103 created 10-27 02:30, the repeated hour -> the earlier instant, CEST: 00:30Z; 2.5 min -> 150;
#       not solved; 'Not Offered' -> no csat
#   104 07-01 09:00 CEST -> 07:00Z; solved 07-02 17:45 -> 15:45Z; 0.5 min -> 30; 1965 min -> 117900; Bad -> 1
#   105 no 'Created at' -> without a timestamp
#   106 12-24 18:00 CET -> 17:00Z; solved 12-27 08:00 -> 07:00Z; 45 min -> 2700; 3720 min -> 223200;
#       'Offered' -> no csat; reopens 2; subject with an embedded newline
#   107 (line 9) 2024-02-30 -> bad time
@test "jtouch: zendesk profile with --tz Europe/Berlin (golden zendesk.csv)" {
	need_zone Europe/Berlin
	jtrc 0 -p zendesk --tz Europe/Berlin --stats "$T/st.csv" zendesk.csv
	golden zendesk.csv
	err_is "jtouch: zendesk.csv:3: column 'Requester id': empty customer id
jtouch: zendesk.csv:9: column 'Created at': '2024-02-30 10:00:00' is not a time
jtouch: 7 rows in: 4 emitted 7 touches; 1 without a timestamp; 2 rejected
jtouch: 2 rows rejected (1 bad time, 1 missing customer) (use --rejects FILE to keep them)"
	invariant
}

# referrals.csv:
#   ABC u1 -> u2: sent (u1, referee u2), signup and converted belong to u2
#   ABD u1 -> u3: sent only; ABE u4 with no referee: sent, referee empty
#   ABF (line 5) signup without referee_id -> missing customer (for referral_signup)
#   ABG (line 6) sent without referrer -> missing customer
#   ABH no referrer, no sent_at: only u7's signup, 09:00+02:00 = 07:00Z; the referee rides on
#       referral_sent, which has no timestamp -> dropped and counted; channel with a comma
#   ABI no timestamp at all
@test "jtouch: referrals profile (golden referrals.csv): customer=COL per touch, referee on sent" {
	jtrc 0 -p referrals --stats "$T/st.csv" referrals.csv
	golden referrals.csv
	err_is "jtouch: referrals.csv:5: column 'referee_id': empty customer id for referral_signup
jtouch: referrals.csv:6: column 'referrer_id': empty customer id
jtouch: 7 rows in: 4 emitted 6 touches; 1 without a timestamp; 2 rejected; 1 value dropped (measure or referee whose touch has no timestamp)
jtouch: 2 rows rejected (2 missing customer) (use --rejects FILE to keep them)"
	stats_are touches_out=6 measures_dropped=1 'rejected:missing customer=2'
	invariant
}

# orders.csv:
#   o1 4 touches; amount '99.90' copied; delay_s = 02-04 15:30 - 02-05 00:00 = -8.5 h = -30600 (signed)
#   o2 naive 'YYYY-MM-DD HH:MM' times; no delivery -> 3 touches, delay_s empty
#   o3 placed only, amount 0
#   o4 delay_s = 02-10 18:00 - 02-09 00:00 = 42 h = 151200; amount -5 (no range on amount)
#   o5 (line 6) amount "12,50" -> not a number; o6 (line 7) approved_at 'soon' -> bad time
#   o7 no placed_at -> without a timestamp
@test "jtouch: orders profile (golden orders.csv): amount copied, signed delay_s" {
	jtrc 0 -p orders --stats "$T/st.csv" orders.csv
	golden orders.csv
	err_is "jtouch: orders.csv:6: column 'amount': amount '12,50' is not a number (a decimal comma? --decimal-comma reads it; no thousands separators)
jtouch: orders.csv:7: column 'approved_at': 'soon' is not a time
jtouch: 7 rows in: 4 emitted 12 touches; 1 without a timestamp; 2 rejected
jtouch: 2 rows rejected (1 bad time, 1 not a number) (use --rejects FILE to keep them)"
	stats_are touches_out=12 negative_durations=0
	invariant
}

# events.csv, customer from distinct_id (the third alias), epoch seconds:
#   1709647320: 1970..2023 = 54 years, 13 leap days -> 19723 days, + 31 + 29 + 4 = 19787 days
#   = 1709596800 s, + 14:02 -> 1709647320 = 2024-03-05T14:02:00Z
#   1709650000.75 = +2680 s -> 14:46:40Z (fraction dropped); 1709736400 = +86400 -> 03-06 14:46:40Z
#   line 4: empty event -> missing touchpoint; line 5: no distinct_id; line 6: no timestamp;
#   line 7: 'abc' -> bad time
@test "jtouch: events profile with --time-format 'epoch timestamp' (golden events.csv)" {
	jtrc 0 -p events --time-format 'epoch timestamp' --stats "$T/st.csv" events.csv
	golden events.csv
	err_is "jtouch: events.csv:4: column 'event': empty touchpoint
jtouch: events.csv:5: column 'distinct_id': empty customer id
jtouch: events.csv:7: column 'timestamp': 'abc' is not a time
jtouch: 7 rows in: 3 emitted 3 touches; 1 without a timestamp; 3 rejected
jtouch: 3 rows rejected (1 bad time, 1 missing customer, 1 missing touchpoint) (use --rejects FILE to keep them)"
	invariant
}

# olist/ (America/Sao_Paulo: -03, DST -02 from 2017-10-15 to 2018-02-17 24:00, and again from
# 2018-11-04 00:00), customer = customer_unique_id through the customers table:
#   ord1 (DST) 01-10 10:00 -> 12:00Z, 10:30 -> 12:30Z, 01-12 14:00 -> 16:00Z, 01-20 16:00 -> 18:00Z;
#        delay_s = 01-20 16:00 - 02-01 00:00 = -(11 d 8 h) = -979200
#   ord2 (-03) 06-15 21:30 -> 06-16T00:30Z, 21:45:10 -> 00:45:10Z, 06-18 09:00 -> 12:00Z,
#        07-02 12:00 -> 15:00Z; delay_s = 3 d 12 h = 302400
#   ord3 02-17 23:30 is in the repeated hour (DST ended at 02-18 00:00 -> 02-17 23:00): the earlier
#        instant, -02 -> 02-18T01:30Z; customer cust3 -> uniqA (a repeat buyer)
#   ord4 11-04 00:30 is in the gap (00:00 -> 01:00): the offset before, -03 -> 03:30Z;
#        09:00 (-02) -> 11:00Z; 11-05 10:00 -> 12:00Z
#   ord5 (line 6) cust5 is not in the customers table -> unmatched lookup; ord6 no purchase time
@test "jtouch: olist-orders profile with --lookup customers (golden olist_orders.csv)" {
	need_zone America/Sao_Paulo
	cd olist
	jtrc 0 --lookup olist_customers_dataset.csv:customer_id -p olist-orders --stats "$T/st.csv" olist_orders_dataset.csv
	golden olist_orders.csv
	err_is "jtouch: olist_orders_dataset.csv:6: column 'customer_id': 'cust5' is not in lookup olist_customers_dataset.csv
jtouch: 6 rows in: 4 emitted 12 touches; 1 without a timestamp; 1 rejected
jtouch: 1 row rejected (1 unmatched lookup) (use --rejects FILE to keep them)"
	invariant
}

# reviews -> orders (order_id) -> customers (customer_id):
#   rev1 01-22 10:15 (-02) -> 12:15Z, csat 5, uniqA; rev2 (lines 3-4) 07-05 18:40:12 (-03) -> 21:40:12Z,
#   csat 1, uniqB, multi-line comment; rev3 not answered; rev4 (line 6) order ordX unknown;
#   rev5 (line 7) score 6 -> out of range; rev6 11-22 23:59:59 (-02) -> 11-23T01:59:59Z, uniqC;
#   rev7 (line 9) ord5 -> cust5, not in the customers table (the second lookup)
@test "jtouch: olist-reviews profile through two lookups (golden olist_reviews.csv)" {
	need_zone America/Sao_Paulo
	cd olist
	jtrc 0 --lookup olist_orders_dataset.csv:order_id --lookup olist_customers_dataset.csv:customer_id \
		-p olist-reviews --stats "$T/st.csv" olist_order_reviews_dataset.csv
	golden olist_reviews.csv
	err_is "jtouch: olist_order_reviews_dataset.csv:6: column 'order_id': 'ordX' is not in lookup olist_orders_dataset.csv
jtouch: olist_order_reviews_dataset.csv:7: column 'review_score': csat '6' is not in 1-5
jtouch: olist_order_reviews_dataset.csv:9: column 'customer_id': 'cust5' is not in lookup olist_customers_dataset.csv
jtouch: 7 rows in: 3 emitted 3 touches; 1 without a timestamp; 3 rejected
jtouch: 3 rows rejected (1 out of range, 2 unmatched lookup) (use --rejects FILE to keep them)"
	stats_are 'rejected:unmatched lookup=2' 'rejected:out of range=1'
	invariant
}

@test "jtouch: --list-profiles lists the 8 shipped profiles with their descriptions" {
	jt --list-profiles
	run awk '{ print $1 }' "$T/out"
	assert_output "events
olist-orders
olist-reviews
orders
referrals
survey
tickets
zendesk"
	# name padded to 16 columns, a blank, the profile's description line
	run awk 'substr($0, 1, 17) != sprintf("%-16s ", $1) || length($0) < 30' "$T/out"
	assert_output ''
	run awk '$1 == "survey" { print substr($0, 18) }' "$T/out"
	assert_output "survey answers: NPS 0-10, CSAT 1-5, CES 1-7 on survey_response"
}

@test "jtouch: -p with an unknown name exits 2 and lists the shipped profiles" {
	jtrc 2 -p nosuch survey.csv
	err_is "jtouch: -p nosuch: no such profile (shipped in $JTOOLS_DATADIR/profiles: events, olist-orders, olist-reviews, orders, referrals, survey, tickets, zendesk; or give a file path)
Try 'jtouch --help' for more information."
	assert_equal "$(cat "$T/out")" ""
	jtrc 2 -p nosuch.profile survey.csv
	err_is "jtouch: -p nosuch.profile: cannot read profile nosuch.profile: No such file or directory
Try 'jtouch --help' for more information."
}

# ================================================================ 2. several exports in one run

# --tz America/New_York before the first -p applies to all three files (June: EDT, -04):
#   survey (source overridden to nps_tool): p1 06-01 09:00 -> 13:00Z nps 10; p2 10:30 -> 14:30Z nps 3
#   tickets (respondent/requester aliases): p2 opened 06-02 08:00 -> 12:00Z, solved 09:30 -> 13:30Z,
#     resolution_s 5400, 'bad' -> csat 1, ticket_id T-1
#   orders (customer from email): p1 05-30 12:00 -> 16:00Z, amount '20.00', channel =shop (orders only)
# header: 14 fixed, then survey's response_id,comment, tickets' ticket_id,category,priority,subject,
# orders' order_id,status
@test "jtouch: three profiles in one run: header union, input order, base and per-profile settings (golden multi.csv)" {
	need_zone America/New_York
	jtrc 0 --tz America/New_York -p survey --source nps_tool multi_survey.csv -p tickets multi_tickets.csv \
		-p orders --channel =shop multi_orders.csv
	golden multi.csv
	# each profile's absent optional columns, said once (-q keeps quiet)
	err_is "jtouch: warning: survey: multi_survey.csv has no columns 'csat', 'ces', 'response_id|ResponseId|Respondent ID|#', 'channel|DistributionChannel' (optional: they read as empty)
jtouch: warning: tickets: multi_tickets.csv has no columns 'first_reply_at|first_response_at|first_responded_at|stats.first_responded_at|first_admin_reply_at', 'reopened_at|stats.reopened_at', 'reopens', 'category|type|Type', 'priority|Priority', 'subject|Subject', 'channel|source|Source' (optional: they read as empty)
jtouch: warning: orders: multi_orders.csv has no columns 'approved_at|Paid at|paid_date', 'shipped_at|Fulfilled at', 'delivered_at|completed_date', 'estimated_delivery_at', 'status|Financial Status' (optional: they read as empty)"
}

@test "jtouch: a setting after -p holds for the files after it, up to the next -p" {
	# three reads of the same order: two after --channel =shop, one after a new -p orders
	jtrc 0 -q -p orders --channel =shop multi_orders.csv multi_orders.csv -p orders multi_orders.csv
	run cut -d, -f1-5 "$T/out"
	assert_output "customer,time,touchpoint,source,channel
p1,2024-05-30T12:00:00Z,order_placed,orders,shop
p1,2024-05-30T12:00:00Z,order_placed,orders,shop
p1,2024-05-30T12:00:00Z,order_placed,orders,"
	# a base setting is replayed before the profile: the profile's own 'source survey' wins;
	# the same setting after -p wins over the profile
	jtrc 0 -q --source base -p survey multi_survey.csv -p survey --source late multi_survey.csv
	run cut -d, -f1,4 "$T/out"
	assert_output "customer,source
p1,survey
p2,survey
p1,late
p2,late"
}

@test "jtouch: a setting or -p after the last input file is a usage error (it would apply to nothing)" {
	jtrc 2 -p survey survey.csv --source late
	err_is "jtouch: --source late comes after the last input file, so it applies to none: put it before the file
Try 'jtouch --help' for more information."
	jtrc 2 -p survey survey.csv -p tickets
	err_is "jtouch: -p $JTOOLS_DATADIR/profiles/tickets.profile comes after the last input file, so it applies to none: put it before the file
Try 'jtouch --help' for more information."
	# run options (not settings) may come anywhere
	jtrc 0 -p survey survey.csv -q --stats "$T/st.csv"
	stats_are rows_in=7
}

# ================================================================ 3. time formats
# times.csv carries the expected UTC time of each row in 'expect' (worked out by hand):
#   +05:30 -> minus 5:30; +01 -> minus 1 h; .999999 truncated; .5+01:00 at midnight -> 03-04 23:00Z;
#   lower-case t and z; 'YYYY-MM-DD HH:MM'; date only = midnight; 2024/3/5 and 2024/3/5 7:05:09;
#   05.03.2024 14:02 and 5.3.2024 (D.M.YYYY); ' UTC' and ' GMT' suffixes; 12:00 AM -> 00:00,
#   12:30 PM -> 12:30, 2:05pm -> 14:05, 9:15 am +02:00 -> 07:15Z; leap day 2024-02-29;
#   second 60 -> 59; 0000-01-01 and 9999-12-31T23:59:59Z; 9999-12-31T23:00:00-00:59 -> 23:59:00Z
@test "jtouch: automatic time formats convert to the expected UTC time, row by row" {
	jtrc 0 --customer id --touch 'seen t' --carry expect --rejects "$T/rj.csv" --stats "$T/st.csv" times.csv
	times_match
	run cut -d, -f1 "$T/out"
	assert_output "customer
z
p0530
p01
frac
fracoff
lowt
hhmm
date
slash
slashtime
dot
dotshort
utc
gmt
am12
pm1230
pmnospace
amoff
leap
sec60
min
max
maxoff"
	stats_are rows_in=30 rows_out=23 rows_rejected=7 'rejected:bad time=7'
}

# 2023-02-29 (no leap day), 13:00 PM and 0:30 AM (12-hour clock is 1-12), 24:00, '+5' (one digit),
# 9999-12-31T23:59:59-01:00 = 10000-01-01T00:59:59Z and 0000-01-01T00:30:00+01:00 = -0001-12-31T23:30Z
# are outside years 0000-9999
@test "jtouch: unreadable times and times outside years 0000-9999 are rejected with their reason" {
	jtrc 0 -q --customer id --touch 'seen t' --carry expect --rejects "$T/rj.csv" times.csv
	same "$T/rj.csv" <<'EOF'
id,t,expect,reject_file,reject_line,reject_reason
nonleap,2023-02-29,rejected,times.csv,25,column 't': '2023-02-29' is not a time
pm13,2024-03-05 13:00 PM,rejected,times.csv,26,column 't': '2024-03-05 13:00 PM' is not a time
am0,2024-03-05 0:30 AM,rejected,times.csv,27,column 't': '2024-03-05 0:30 AM' is not a time
over,9999-12-31T23:59:59-01:00,rejected,times.csv,28,column 't': '9999-12-31T23:59:59-01:00' is outside years 0000-9999
under,0000-01-01T00:30:00+01:00,rejected,times.csv,29,column 't': '0000-01-01T00:30:00+01:00' is outside years 0000-9999
h24,2024-03-05T24:00:00Z,rejected,times.csv,30,column 't': '2024-03-05T24:00:00Z' is not a time
nozone,2024-03-05T14:02:00+5,rejected,times.csv,31,column 't': '2024-03-05T14:02:00+5' is not a time
EOF
}

# -0130 -> plus 1:30 = 15:32Z; +0530 (after a space) -> 08:32Z; +0000 -> unchanged
@test "jtouch: offsets without a colon (+HHMM, -HHMM)" {
	jt --customer id --touch 'seen t' --carry expect times_hhmm.csv
	times_match
	assert_equal "$(wc -l <"$T/out")" 4
}

# slash.csv: a '3/5/2024 2:05 PM', b '12/31/2024 11:59:59 pm', c '31/12/2024 00:00', d '7/4/2024'
@test "jtouch: --date-order mdy reads M/D/YYYY (with AM/PM); a day above 12 in the month place is rejected" {
	jtrc 0 --customer id --touch 'seen t' --carry expect_mdy --date-order mdy slash.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,expect_mdy
a,2024-03-05T14:05:00Z,seen,slash,,,,,,,,,,,2024-03-05T14:05:00Z
b,2024-12-31T23:59:59Z,seen,slash,,,,,,,,,,,2024-12-31T23:59:59Z
d,2024-07-04T00:00:00Z,seen,slash,,,,,,,,,,,2024-07-04T00:00:00Z
EOF
	run head -1 "$T/err"
	assert_output "jtouch: slash.csv:4: column 't': '31/12/2024 00:00' is not a time"
}

@test "jtouch: --date-order dmy reads D/M/YYYY" {
	jtrc 0 --customer id --touch 'seen t' --carry expect_dmy --date-order dmy slash.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,expect_dmy
a,2024-05-03T14:05:00Z,seen,slash,,,,,,,,,,,2024-05-03T14:05:00Z
c,2024-12-31T00:00:00Z,seen,slash,,,,,,,,,,,2024-12-31T00:00:00Z
d,2024-04-07T00:00:00Z,seen,slash,,,,,,,,,,,2024-04-07T00:00:00Z
EOF
	run head -1 "$T/err"
	assert_output "jtouch: slash.csv:3: column 't': '12/31/2024 11:59:59 pm' is not a time"
}

@test "jtouch: a slash date without --date-order stops the run (exit 1) with the hint" {
	jtrc 1 --customer id --touch 'seen t' slash.csv
	err_is "jtouch: slash.csv:2: column 't': '3/5/2024 2:05 PM' is a day/month date; say which order with --date-order mdy or --date-order dmy"
	# -o: nothing is written when the run stops
	jtrc 1 --customer id --touch 'seen t' -o "$T/touches.csv" slash.csv
	[ ! -e "$T/touches.csv" ]
}

# epoch.csv: 0; 1709647320(.999) = 2024-03-05T14:02:00Z; -1; -1.5 -> -2 (toward the earlier second);
# -1.000 -> -1; 253402300799 = 9999-12-31T23:59:59Z (2932897 days to 10000-01-01, minus 1 s);
# -62167219200 = -719528 days = 0000-01-01; 253402300800 -> outside; '1e9' and ISO text -> not a time
@test "jtouch: --time-format 'epoch ts': seconds, fractions toward the earlier second, negative, limits" {
	jtrc 0 --customer id --touch 'seen ts' --carry expect --time-format 'epoch ts' epoch.csv
	times_match
	run cut -d, -f1 "$T/out"
	assert_output "customer
e0
e1
e2
e3
e4
e5
e6
e7"
	err_is "jtouch: epoch.csv:10: column 'ts': '253402300800' is outside years 0000-9999
jtouch: epoch.csv:11: column 'ts': '1e9' is not a time
jtouch: epoch.csv:12: column 'ts': '2024-03-05T14:02:00Z' is not a time
jtouch: 11 rows in: 8 emitted 8 touches; 3 rejected
jtouch: 3 rows rejected (3 bad time) (use --rejects FILE to keep them)"
}

# epoch_ms.csv: 1709647320123 -> 14:02:00Z; 999 -> 0; -1, -1000 -> -1 s; -1001 -> -2 s (floor);
# 253402300799999 -> 9999-12-31T23:59:59Z; '1.5' (milliseconds are integers) and 253402300800000 rejected
@test "jtouch: --time-format 'epoch_ms ts': milliseconds, floor for negative values" {
	jtrc 0 --customer id --touch 'seen ts' --carry expect --time-format 'epoch_ms ts' epoch_ms.csv
	times_match
	run cut -d, -f1 "$T/out"
	assert_output "customer
m0
m1
m2
m3
m4
m5"
	err_is "jtouch: epoch_ms.csv:8: column 'ts': '1.5' is not a time
jtouch: epoch_ms.csv:9: column 'ts': '253402300800000' is outside years 0000-9999
jtouch: 8 rows in: 6 emitted 6 touches; 2 rejected
jtouch: 2 rows rejected (2 bad time) (use --rejects FILE to keep them)"
}

# ================================================================ 4. zones
# zones_ny.csv (EST -05, EDT -04 from 2024-03-10 02:00 to 2024-11-03 02:00):
#   gap 03-10 02:30 -> offset before (EST) 07:30Z; 01:59:59 EST -> 06:59:59Z; 03:00 EDT -> 07:00Z
#   overlap 11-03 01:30 -> earlier instant (EDT) 05:30Z; 01:00 -> 05:00Z; 02:00 EST -> 07:00Z
#   07-04 12:00 -> 16:00Z; 01-15 12:00 -> 17:00Z; date only 07-04 -> 04:00Z
#   explicit +00:00, -08:00 and UTC win over --tz; 2100-07-01 (POSIX rule) and 1960-07-01 (EDT) -> 16:00Z
@test "jtouch: --tz America/New_York: gap, overlap, summer, winter, explicit offsets win" {
	need_zone America/New_York
	jt --customer id --touch 'seen t' --carry expect --tz America/New_York zones_ny.csv
	times_match
	assert_equal "$(wc -l <"$T/out")" 15
}

# zones_berlin.csv: gap 03-31 02:30 -> +01 -> 01:30Z; 03:00 CEST -> 01:00Z; overlap 10-27 02:30 ->
# earlier (CEST) 00:30Z; 03:00 CET -> 02:00Z; 07-01 09:00 -> 07:00Z; 12-24 18:00 -> 17:00Z;
# 2025-01-01 00:30 -> 2024-12-31T23:30Z
@test "jtouch: --tz Europe/Berlin: gap and overlap" {
	need_zone Europe/Berlin
	jt --customer id --touch 'seen t' --carry expect --tz Europe/Berlin zones_berlin.csv
	times_match
	assert_equal "$(wc -l <"$T/out")" 8
}

@test "jtouch: a profile's tz line; --tz after -p overrides it" {
	need_zone America/New_York
	need_zone Europe/Berlin
	jt -p profiles/ny.profile zones_ny.csv
	times_match
	assert_equal "$(wc -l <"$T/out")" 15
	run cut -d, -f4 "$T/out"
	assert_line --index 1 ny
	jt -p profiles/ny.profile --tz Europe/Berlin zones_berlin.csv
	times_match
	assert_equal "$(wc -l <"$T/out")" 8
}

@test "jtouch: --tz with an unknown zone exits 2 before reading input" {
	jtrc 2 -p survey --tz Nowhere/Zone survey.csv
	err_is "jtouch: --tz 'Nowhere/Zone': unknown time zone 'Nowhere/Zone' (no file ${TZDIR:-/usr/share/zoneinfo}/Nowhere/Zone)
Try 'jtouch --help' for more information."
	assert_equal "$(cat "$T/out")" ""
}

@test "jtouch: an unknown zone in a profile's tz line is reported at its file:line:col" {
	printf 'customer id\ntouch seen t\ntz Nowhere/Zone\n' >"$T/badtz.profile"
	jtrc 2 -p "$T/badtz.profile" times.csv
	err_is "jtouch: $T/badtz.profile:3:4: unknown time zone 'Nowhere/Zone' (no file ${TZDIR:-/usr/share/zoneinfo}/Nowhere/Zone)
Try 'jtouch --help' for more information."
}

# ================================================================ 5. rejects and accounting
# rejects.csv: line 2 ok; 3 no customer; 4 'yesterday'; 5 nps 11; 6 nps -1; 7 nps 7.5;
# 8 csat 'great'; 9 no timestamp; 10 ok (nps 0, csat 1)
@test "jtouch: reject reasons, the first 5 on stderr, --stats and --rejects for one input" {
	jtrc 0 -p survey --rejects "$T/rj.csv" --stats "$T/st.csv" rejects.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment
c1,2024-01-01T00:00:00Z,survey_response,survey,,9,5,,,,,,,,,
c9,2024-01-02T00:00:00Z,survey_response,survey,,0,1,,,,,,,,,
EOF
	err_is "jtouch: warning: survey: rejects.csv has no columns 'ces', 'response_id|ResponseId|Respondent ID|#', 'comment', 'channel|DistributionChannel' (optional: they read as empty)
jtouch: rejects.csv:3: column 'customer_id': empty customer id
jtouch: rejects.csv:4: column 'submitted_at': 'yesterday' is not a time
jtouch: rejects.csv:5: column 'nps': nps '11' is not in 0-10
jtouch: rejects.csv:6: column 'nps': nps '-1' is not in 0-10
jtouch: rejects.csv:7: column 'nps': nps '7.5' is not a whole number in 0-10
jtouch: 9 rows in: 2 emitted 2 touches; 1 without a timestamp; 6 rejected
jtouch: 6 rows rejected (1 bad time, 1 missing customer, 1 not a number, 3 out of range) (see $T/rj.csv)"
	same "$T/rj.csv" <<'EOF'
customer_id,submitted_at,nps,csat,reject_file,reject_line,reject_reason
,2024-01-01T00:00:00Z,9,5,rejects.csv,3,column 'customer_id': empty customer id
c3,yesterday,9,5,rejects.csv,4,column 'submitted_at': 'yesterday' is not a time
c4,2024-01-01T00:00:00Z,11,,rejects.csv,5,column 'nps': nps '11' is not in 0-10
c5,2024-01-01T00:00:00Z,-1,,rejects.csv,6,column 'nps': nps '-1' is not in 0-10
c6,2024-01-01T00:00:00Z,7.5,,rejects.csv,7,column 'nps': nps '7.5' is not a whole number in 0-10
c7,2024-01-01T00:00:00Z,,great,rejects.csv,8,column 'csat': csat 'great' is not a number
EOF
	same "$T/st.csv" <<'EOF'
metric,value
program,jtouch
rows_in,9
rows_out,2
rows_skipped,1
rows_filtered,0
rows_rejected,6
headers_skipped,0
touches_out,2
rows_without_time,1
touches_filtered,0
touches_duplicate,0
negative_durations,0
measures_dropped,0
rejected:bad time,1
rejected:missing customer,1
rejected:not a number,1
rejected:out of range,3
EOF
	invariant
}

@test "jtouch: --rejects with two inputs keeps each record as one CSV field (record column)" {
	jtrc 0 -q -p survey rejects.csv -p orders orders.csv --rejects "$T/rj.csv" --stats "$T/st.csv"
	same "$T/rj.csv" <<'EOF'
record,reject_file,reject_line,reject_reason
",2024-01-01T00:00:00Z,9,5",rejects.csv,3,column 'customer_id': empty customer id
"c3,yesterday,9,5",rejects.csv,4,column 'submitted_at': 'yesterday' is not a time
"c4,2024-01-01T00:00:00Z,11,",rejects.csv,5,column 'nps': nps '11' is not in 0-10
"c5,2024-01-01T00:00:00Z,-1,",rejects.csv,6,column 'nps': nps '-1' is not in 0-10
"c6,2024-01-01T00:00:00Z,7.5,",rejects.csv,7,column 'nps': nps '7.5' is not a whole number in 0-10
"c7,2024-01-01T00:00:00Z,,great",rejects.csv,8,column 'csat': csat 'great' is not a number
"o5,c5,delivered,2024-02-06T10:00:00Z,,,,,""12,50"",web",orders.csv,6,"column 'amount': amount '12,50' is not a number (a decimal comma? --decimal-comma reads it; no thousands separators)"
"o6,c6,processing,2024-02-07T09:00:00Z,soon,,,,7,app",orders.csv,7,column 'approved_at': 'soon' is not a time
EOF
	# 9 + 7 rows in; 2 + 4 out (2 + 12 touches); 1 + 1 without a timestamp; 6 + 2 rejected
	stats_are rows_in=16 rows_out=6 rows_skipped=2 rows_rejected=8 touches_out=14
	invariant
}

@test "jtouch: --strict stops with exit 1 at the first rejected row, -o is not written" {
	jtrc 1 -q -p survey --strict -o "$T/touches.csv" rejects.csv
	err_is "jtouch: rejects.csv:3: column 'customer_id': empty customer id"
	[ ! -e "$T/touches.csv" ]
}

@test "jtouch: --max-rejects N and P% (6 of 9 rows rejected = 66.67%)" {
	jtrc 1 -q -p survey --max-rejects 5 rejects.csv
	run tail -1 "$T/err"
	assert_output "jtouch: 6 rows rejected, more than --max-rejects 5"
	jtrc 0 -q -p survey --max-rejects 6 rejects.csv
	jtrc 1 -q -p survey --max-rejects 50% rejects.csv
	run tail -1 "$T/err"
	assert_output "jtouch: 66.67% of rows rejected, more than --max-rejects 50%"
	jtrc 0 -q -p survey --max-rejects 67% rejects.csv
}

@test "jtouch: rows_in = rows_out + rows_skipped + rows_rejected in every run's --stats" {
	local run_args
	while IFS= read -r run_args; do
		eval "jtrc 0 -q --stats \"\$T/st.csv\" $run_args"
		invariant
	done <<'EOF'
-p survey survey.csv
-p tickets tickets.csv
-p tickets --since 2024-01-11 --until 2024-01-14 tickets.csv
-p referrals referrals.csv
-p orders orders.csv
-p events --time-format 'epoch timestamp' events.csv
-p events --dedup dedup.csv
-p survey --shard 2/3 shard.csv
-p survey rejects.csv -p orders orders.csv -p tickets tickets.csv
--customer id --touch 'seen t' --carry expect times.csv
-p survey --ragged ragged.csv
EOF
}

# ================================================================ 6. durations and measure arithmetic
# measures.csv, every measure on the one touch 'seen' at 2024-01-01T00:00:00Z:
#            a        wait_s=a*60  swait_s(signed)  v     half=v/2  half_s=v/2  raw=v  raw_s=v  b - t (lag_s, delay_s)
#   r1  0.0125   0.75 -> 1    1            5     2.5       2.5 -> 3    5      5        +30 -> 30, 30
#   r2  0.0075   0.45 -> 0    0            5.0   2.5       3           '5.0'  '5.0'    -90 -> empty(1), -90
#   r3  -0.025  -1.5 -> -2: empty(1)  -2   1     0.5       0.5 -> 1    1      1        no b -> empty, empty
#   r4  0.025    1.5 -> 2     2            -3    -1.5      -2: empty(1) -3    -3: empty(1)  .9 s truncated: 0, 0
#   r5  2.5e1    1500         1500         0.1   0.05      0.05 -> 0   0.1    0.1      01:00+01:00 = t: 0, 0
#   r6 (line 7) a 'abc' -> not a number
# delay_s is a fixed column (signed by default); the other seven follow in declaration order
@test "jtouch: measure arithmetic: * 60 and / 2 round durations half away from zero, copies keep bytes (golden measures.csv)" {
	jtrc 0 --customer id --touch 'seen t' --measure 'wait_s = a * 60' --measure 'swait_s = a * 60 signed' \
		--measure 'half = v / 2' --measure 'half_s = v / 2' --measure 'raw = v' --measure 'raw_s = v' \
		--measure 'lag_s = b - t' --measure 'delay_s = b - t' --stats "$T/st.csv" measures.csv
	golden measures.csv
	err_is "jtouch: measures.csv:7: column 'a': wait_s 'abc' is not a number
jtouch: 6 rows in: 5 emitted 5 touches; 1 rejected; 4 negative durations left empty (wait_s 1, half_s 1, raw_s 1, lag_s 1)
jtouch: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
	stats_are negative_durations=4 'rejected:not a number=1'
}

@test "jtouch: a negative duration in a rejected row is not counted as left empty" {
	# solved a day before created (resolution_s negative), then satisfaction 'great' rejects the row
	printf 'customer_id,created_at,solved_at,satisfaction\nc1,2024-01-02T00:00:00Z,2024-01-01T00:00:00Z,great\n' >"$T/t.csv"
	jtrc 0 -q -p tickets --max-rejects 100% --stats "$T/st.csv" "$T/t.csv"
	stats_are rows_rejected=1 negative_durations=0
}

@test "jtouch: delay_s declared unsigned leaves a negative delay empty; orders keeps it signed" {
	# o1 delivered 8.5 h before the estimate: -30600 signed (golden orders.csv), empty when unsigned
	jtrc 0 -q -p orders --measure 'delay_s = delivered_at? - estimated_delivery_at? on order_delivered unsigned' \
		--stats "$T/st.csv" orders.csv
	run awk -F, '$3 == "order_delivered" { print $15 ":" $13 }' "$T/out"
	assert_output "o1:
o4:151200"
	stats_are negative_durations=1
}

# ================================================================ 7. map, channel, carry, customers
# map.csv: Email ' Alice@Example.COM ' (quoted, blanks) -> trim + lower -> alice@example.com;
# 'ANONYMOUS' maps to empty (case-insensitive) -> missing customer (line 4); 'Carol@Example.com<TAB>'
# -> carol@example.com; answer Yes -> 1, no -> 0, 'maybe' unchanged; rating GOOD -> 5, bad -> 1, 4 stays
@test "jtouch: map (case-insensitive, VALUE= empties), channel =CONST, carry NEW=COL, customer_normalize" {
	jtrc 0 --customer Email --customer-normalize lower,trim --touch 'answered when' \
		--map 'answer yes=1 NO=0 N/A=' --map 'rating good=5 bad=1 offered=' --map 'Email anonymous=' \
		--measure 'csat = rating' --channel =survey_tool --carry 'answer code origin=via' map.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,answer,code,origin
alice@example.com,2024-02-01T10:00:00Z,answered,map,survey_tool,,5,,,,,,,,1,A1,Web
bob@example.com,2024-02-02T10:00:00Z,answered,map,survey_tool,,1,,,,,,,,0,B2,
carol@example.com,2024-02-04T10:00:00Z,answered,map,survey_tool,,4,,,,,,,,maybe,D4,phone
EOF
	err_is "jtouch: map.csv:4: column 'Email': empty customer id
jtouch: 4 rows in: 3 emitted 3 touches; 1 rejected
jtouch: 1 row rejected (1 missing customer) (use --rejects FILE to keep them)"
}

@test "jtouch: carry with a reserved name exits 2 with the rename hint (option and profile)" {
	jtrc 2 -p survey --carry nps survey.csv
	err_is "jtouch: --carry 'nps': carried column 'nps' takes a reserved name; rename it: carry src_nps=nps
Try 'jtouch --help' for more information."
	jtrc 2 -p profiles/carry-reserved.profile times.csv
	err_is "jtouch: profiles/carry-reserved.profile:4:7: carried column 'nps' takes a reserved name; rename it: carry crm_nps=nps
Try 'jtouch --help' for more information."
	# a renamed carry is fine
	jtrc 0 -q -p survey --carry 'src_nps=nps' rejects.csv
	run head -1 "$T/out"
	assert_output "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment,src_nps"
}

@test "jtouch: reserved names are refused as measures" {
	jtrc 2 -p survey --measure 'gap_s = a - b' survey.csv
	err_is "jtouch: --measure 'gap_s = a - b': 'gap_s' is not a measure (a reserved column of the touch stream)
Try 'jtouch --help' for more information."
	jtrc 2 -p survey --measure 'referee = a' survey.csv
	assert_equal "$(head -1 "$T/err")" "jtouch: --measure 'referee = a': 'referee' is not a measure (a reserved column of the touch stream)"
}

# aliases.csv has email and user_id: user_id comes first in the survey profile's list
# (customer_id respondent_id user_id email), so it is the customer column even where it is empty
@test "jtouch: the first customer alias present wins; optional columns absent read as empty" {
	jtrc 0 -p survey aliases.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment
U1,2024-02-01T10:00:00Z,survey_response,survey,,9,,,,,,,,,,
EOF
	err_is "jtouch: warning: survey: aliases.csv has no columns 'csat', 'ces', 'response_id|ResponseId|Respondent ID|#', 'comment', 'channel|DistributionChannel' (optional: they read as empty)
jtouch: aliases.csv:3: column 'user_id': empty customer id
jtouch: 2 rows in: 1 emitted 1 touch; 1 rejected
jtouch: 1 row rejected (1 missing customer) (use --rejects FILE to keep them)"
}

@test "jtouch: a required column that is absent exits 1 listing the columns" {
	jtrc 1 -p tickets survey.csv
	err_is "jtouch: survey.csv:1: no column named 'created_at', 'Created time' or 'conversation_started_at' (columns: response_id, customer_id, submitted_at, nps, csat, ces, channel, comment)"
	jtrc 1 --customer 'a b' --touch 'x submitted_at' survey.csv
	err_is "jtouch: survey.csv:1: no customer column: none of 'a', 'b' is a column (--customer COLUMN names it; --lookup FILE:KEY joins a table that has it)"
}

# rowid_a.csv: 4 records (2: no timestamp, 3: nps 'x'); rowid_b.csv: 1 record
@test "jtouch: customer @row numbers each source's records through the run" {
	jtrc 0 -q -p survey --customer @row rowid_a.csv rowid_b.csv -p survey --customer @row --source crm rowid_b.csv
	run cut -d, -f1-4 "$T/out"
	assert_output "customer,time,touchpoint,source
survey:1,2024-02-01T10:00:00Z,survey_response,survey
survey:4,2024-02-04T10:00:00Z,survey_response,survey
survey:5,2024-03-01T10:00:00Z,survey_response,survey
crm:1,2024-03-01T10:00:00Z,survey_response,crm"
}

@test "jtouch: customer @row counts a record rejected by a lookup too" {
	jtrc 0 -q --lookup lk_accounts.csv:account=acct --customer @row --touch 'visit visited_at' rowid_lk.csv
	run cut -d, -f1-3 "$T/out"
	assert_output "customer,time,touchpoint
rowid_lk:2,2024-04-01T10:00:00Z,visit"
}

# ================================================================ 8. lookups
# lk_accounts.csv: A1 p-100 smb north; A2 p-200 enterprise south; A1 again (duplicate, ignored);
# '' p-000; A3 p-300 smb ''. lk_visits.csv has its own 'segment', which wins over the table's.
@test "jtouch: --lookup FILE:KEY=COL joins by another column; the row's own column wins; duplicates warned" {
	jtrc 0 --lookup lk_accounts.csv:account=acct --customer person --touch 'visit visited_at' \
		--carry 'acct segment region' lk_visits.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,acct,segment,region
p-100,2024-04-01T10:00:00Z,visit,lk_visits,,,,,,,,,,,A1,from-row,north
p-200,2024-04-02T10:00:00Z,visit,lk_visits,,,,,,,,,,,A2,,south
p-300,2024-04-05T10:00:00Z,visit,lk_visits,,,,,,,,,,,A3,z,
EOF
	err_is "jtouch: warning: lookup lk_accounts.csv: 1 duplicate account keys, the first row of each is used
jtouch: lk_visits.csv:4: column 'acct': 'A9' is not in lookup lk_accounts.csv
jtouch: 4 rows in: 3 emitted 3 touches; 1 rejected
jtouch: 1 row rejected (1 unmatched lookup) (use --rejects FILE to keep them)"
}

@test "jtouch: an empty lookup key is rejected even when the table has an empty key" {
	printf 'acct,visited_at\n,2024-04-04T10:00:00Z\n' >"$T/v.csv"
	jtrc 0 -q --lookup lk_accounts.csv:account=acct --customer person --touch 'visit visited_at' --max-rejects 100% --stats "$T/st.csv" "$T/v.csv"
	stats_are rows_out=0 'rejected:unmatched lookup=1'
}

@test "jtouch: lookup problems stop the run (exit 1): missing file, missing key column, a bad row" {
	jtrc 1 --lookup nosuch.csv:id --customer person --touch 'visit visited_at' lk_visits.csv
	err_is "jtouch: lookup nosuch.csv: No such file or directory"
	jtrc 1 --lookup lk_accounts.csv:nokey=acct --customer person --touch 'visit visited_at' lk_visits.csv
	err_is "jtouch: lk_accounts.csv:1: no column named 'nokey' (columns: account, person, segment, region)"
	printf 'account,person\nA1,p1,extra\n' >"$T/badlk.csv"
	jtrc 1 --lookup "$T/badlk.csv:account=acct" --customer person --touch 'visit visited_at' lk_visits.csv
	err_is "jtouch: $T/badlk.csv:2: expected 2 fields, found 3"
	jtrc 2 --lookup lk_accounts.csv --customer person --touch 'visit visited_at' lk_visits.csv
	err_is "jtouch: --lookup 'lk_accounts.csv': lookup 'lk_accounts.csv' is not FILE:KEY[=COLUMN]
Try 'jtouch --help' for more information."
}

# ================================================================ 9. shards

@test "jtouch: the FNV-1a 64 helper of this suite matches the published vectors" {
	assert_equal "$(fnv_shard '' 3)" "cbf29ce484222325 3"	# 0x...2325 mod 3 = 2
	assert_equal "$(fnv_shard a 3)" "af63dc4c8601ec8c 2"	# mod 3 = 1
	assert_equal "$(fnv_shard foobar 7)" "85944171f73967e8 7"	# mod 7 = 6
}

# shard.csv: cust01..cust20, four of them twice (24 rows)
@test "jtouch: --shard K/3: shards are disjoint, their union is the whole, each customer in its FNV-1a shard" {
	jtrc 0 -q -p survey shard.csv
	tail -n +2 "$T/out" | sort >"$T/all"
	local k
	: >"$T/union"
	for k in 1 2 3; do
		jtrc 0 -q -p survey --shard "$k/3" shard.csv
		tail -n +2 "$T/out" | tee -a "$T/union" | cut -d, -f1 | sort -u >"$T/shard$k"
		[ -s "$T/shard$k" ]
	done
	sort "$T/union" | diff -u "$T/all" -
	assert_equal "$(cat "$T"/shard1 "$T"/shard2 "$T"/shard3 | sort | uniq -d)" ""
	local c want
	while IFS= read -r c; do
		want=$(fnv_shard "$c" 3 | cut -d' ' -f2)
		grep -qx "$c" "$T/shard$want" || { echo "$c: expected in shard $want" >&2; return 1; }
	done < <(cut -d, -f1 "$T/all" | sort -u)
	# the partition, as the helper above computes it (and checked once more outside this suite)
	assert_equal "$(tr '\n' ' ' <"$T/shard1")" "cust05 cust06 cust09 cust13 cust14 cust18 "
	assert_equal "$(tr '\n' ' ' <"$T/shard2")" "cust01 cust02 cust07 cust11 cust12 cust17 "
	assert_equal "$(tr '\n' ' ' <"$T/shard3")" "cust03 cust04 cust08 cust10 cust15 cust16 cust19 cust20 "
	# cust03, cust07, cust11 and cust19 have two rows each, both in their customer's shard
	assert_equal "$(grep -c '^cust07,' "$T/union")" 2
}

# shard_sum K...: the --stats files $T/stK.csv added up, line by line (not the program line).
shard_sum() {
	local k
	for k in "$@"; do tail -n +3 "$T/st$k.csv"; done |
		awk -F, '{ if (!($1 in s)) o[++n] = $1; s[$1] += $2 } END { for (i = 1; i <= n; i++) print o[i] "," s[o[i]] }' | sort
}

# shard_rejects.csv, -p survey, N = 3 (shards as fnv_shard computes them):
#   cust01 ok (shard 2); line 3 cust05 nps 11 (shard 1); line 4 cust03 bad time (shard 3);
#   line 5 no customer (no shard: 1); line 6 cust07 short row: its fields are not to be trusted,
#   so no customer (1), though cust07 is shard 2's; cust04 no time (3); line 8 cust02 nps 'x' (2);
#   cust06 ok (1)
@test "jtouch: --shard: a rejected row is reported and counted by its customer's shard only; a row without a customer (empty id, wrong field count) by shard 1" {
	local k
	for k in 1 2 3; do
		jtrc 0 --shard "$k/3" -p survey --rejects "$T/rej$k.csv" --stats "$T/st$k.csv" shard_rejects.csv
		# every shard says the optional columns the file lacks; the rest is the shard's own
		grep -v "has no columns 'csat', 'ces'" "$T/err" >"$T/err$k" || true
		cut -d, -f1 "$T/out" | tail -n +2 | paste -sd' ' >"$T/cust$k"
	done
	assert_equal "$(cat "$T/cust1")|$(cat "$T/cust2")|$(cat "$T/cust3")" "cust06|cust01|"
	assert_equal "$(cat "$T/err1")" "jtouch: shard_rejects.csv:3: column 'nps': nps '11' is not in 0-10
jtouch: shard_rejects.csv:5: column 'customer_id': empty customer id
jtouch: shard_rejects.csv:6: expected 3 fields, found 2 (use --ragged to pad short rows)
jtouch: 4 rows in: 1 emitted 1 touch; 3 rejected
jtouch: 3 rows rejected (1 field count, 1 missing customer, 1 out of range) (see $T/rej1.csv)"
	assert_equal "$(cat "$T/err2")" "jtouch: shard_rejects.csv:8: column 'nps': nps 'x' is not a number
jtouch: 2 rows in: 1 emitted 1 touch; 1 rejected
jtouch: 1 row rejected (1 not a number) (see $T/rej2.csv)"
	assert_equal "$(cat "$T/err3")" "jtouch: shard_rejects.csv:4: column 'submitted_at': '2024-13-01' is not a time
jtouch: 2 rows in: 0 emitted 0 touches; 1 without a timestamp; 1 rejected
jtouch: 1 row rejected (1 bad time) (see $T/rej3.csv)"
	same "$T/rej1.csv" <<'EOF'
customer_id,submitted_at,nps,reject_file,reject_line,reject_reason
cust05,2024-05-02T08:00:00Z,11,shard_rejects.csv,3,column 'nps': nps '11' is not in 0-10
,2024-05-03T08:00:00Z,8,shard_rejects.csv,5,column 'customer_id': empty customer id
cust07,2024-05-04T08:00:00Z,,shard_rejects.csv,6,"expected 3 fields, found 2 (use --ragged to pad short rows)"
EOF
	same "$T/rej2.csv" <<'EOF'
customer_id,submitted_at,nps,reject_file,reject_line,reject_reason
cust02,2024-05-05T08:00:00Z,x,shard_rejects.csv,8,column 'nps': nps 'x' is not a number
EOF
	same "$T/rej3.csv" <<'EOF'
customer_id,submitted_at,nps,reject_file,reject_line,reject_reason
cust03,2024-13-01,7,shard_rejects.csv,4,column 'submitted_at': '2024-13-01' is not a time
EOF
	# each shard counts its own rows: rows_in = rows_out + rows_skipped + rows_rejected
	cp "$T/st1.csv" "$T/st.csv"
	stats_are rows_in=4 rows_out=1 rows_skipped=0 rows_rejected=3 touches_out=1 'rejected:field count=1' \
		'rejected:missing customer=1' 'rejected:out of range=1'
	cp "$T/st2.csv" "$T/st.csv"
	stats_are rows_in=2 rows_out=1 rows_skipped=0 rows_rejected=1 touches_out=1 'rejected:not a number=1'
	cp "$T/st3.csv" "$T/st.csv"
	stats_are rows_in=2 rows_out=0 rows_skipped=1 rows_rejected=1 rows_without_time=1 'rejected:bad time=1'
	# and the shards add up to the whole run, line by line
	jtrc 0 -q -p survey --stats "$T/st.csv" shard_rejects.csv
	stats_are rows_in=8 rows_out=2 rows_skipped=1 rows_rejected=5
	assert_equal "$(shard_sum 1 2 3)" "$(tail -n +3 "$T/st.csv" | sort)"
	# --strict stops the shard that owns the first bad row, not the others
	jtrc 1 -q --strict --shard 2/3 -p survey shard_rejects.csv
	err_is "jtouch: shard_rejects.csv:8: column 'nps': nps 'x' is not a number"
	jtrc 1 -q --strict --shard 1/3 -p survey shard_rejects.csv
	err_is "jtouch: shard_rejects.csv:3: column 'nps': nps '11' is not in 0-10"
}

# referrals.csv with N = 3: u1, u4, u7 are shard 3's; u2, u5, u8 shard 1's. ABC (u1 -> u2):
# the row is u1's (shard 3) and so is referral_sent; u2's signup and conversion are written by
# shard 1. ABF (u5, empty referee) and ABG (no referrer) are rejected in shard 1; ABH has no
# referrer and no sent_at: the row is shard 1's (counted out there, its dropped referee too),
# u7's signup is written by shard 3. ABI (u8) has no time: shard 1.
@test "jtouch: --shard: a row's counts go to its customer's shard, each touch to its own customer's shard (customer=COL)" {
	local k
	for k in 1 2 3; do
		jtrc 0 -q --shard "$k/3" -p referrals --stats "$T/st$k.csv" referrals.csv
		cut -d, -f1,3 "$T/out" | tail -n +2 | paste -sd' ' >"$T/t$k"
	done
	assert_equal "$(cat "$T/t1")" "u2,referral_signup u2,referral_converted"
	assert_equal "$(cat "$T/t2")" ""
	assert_equal "$(cat "$T/t3")" "u1,referral_sent u1,referral_sent u4,referral_sent u7,referral_signup"
	cp "$T/st1.csv" "$T/st.csv"
	stats_are rows_in=4 rows_out=1 rows_skipped=1 rows_rejected=2 touches_out=2 rows_without_time=1 \
		measures_dropped=1 'rejected:missing customer=2'
	invariant
	cp "$T/st2.csv" "$T/st.csv"
	stats_are rows_in=0 rows_out=0 rows_skipped=0 rows_rejected=0 touches_out=0
	cp "$T/st3.csv" "$T/st.csv"
	stats_are rows_in=3 rows_out=3 rows_skipped=0 rows_rejected=0 touches_out=4
	jtrc 0 -q -p referrals --stats "$T/st.csv" referrals.csv
	stats_are rows_in=7 rows_out=4 touches_out=6
	assert_equal "$(shard_sum 1 2 3)" "$(tail -n +3 "$T/st.csv" | sort)"
	# --until 2024-05-03: ABC's sent is in (shard 3) and its signup (shard 1) too, its
	# conversion out (counted filtered by shard 1); ABD, ABE out (shard 3); ABH's signup out (shard 3)
	for k in 1 2 3; do
		jtrc 0 -q --shard "$k/3" --until 2024-05-03 -p referrals --stats "$T/st$k.csv" referrals.csv
	done
	jtrc 0 -q --until 2024-05-03 -p referrals --stats "$T/st.csv" referrals.csv
	stats_are rows_out=1 rows_skipped=4 touches_out=2 touches_filtered=4
	assert_equal "$(shard_sum 1 2 3)" "$(tail -n +3 "$T/st.csv" | sort)"
	cp "$T/st1.csv" "$T/st.csv"
	stats_are rows_out=0 rows_skipped=2 touches_out=1 touches_filtered=1
}

# lk_visits.csv line 4: acct A9 is not in lk_accounts.csv. With --customer person (a column of
# the lookup) the row has no customer: shard 1 reports it. With --customer acct (the input's
# own column) it is A9's, and A9 is shard 3's.
@test "jtouch: --shard: an unmatched lookup is the customer's shard's when the customer column is the input's, else shard 1's" {
	local k
	for k in 1 2 3; do
		jtrc 0 -q --shard "$k/3" --lookup lk_accounts.csv:account=acct --customer person \
			--touch 'visit visited_at' --stats "$T/st.csv" lk_visits.csv
		echo "$(stat_of rows_in) $(stat_of 'rejected:unmatched lookup')" >>"$T/person"
		jtrc 0 -q --shard "$k/3" --lookup lk_accounts.csv:account=acct --customer acct \
			--touch 'visit visited_at' --stats "$T/st.csv" lk_visits.csv
		echo "$(stat_of rows_in) $(stat_of 'rejected:unmatched lookup')" >>"$T/acct"
	done
	# person: p-100 shard 1, p-200 and p-300 shard 2; acct: A3 shard 1, A1 shard 2, A2 and A9 shard 3
	assert_equal "$(paste -sd'|' "$T/person")" "2 1|2 |0 "
	assert_equal "$(paste -sd'|' "$T/acct")" "1 |1 |2 1"
}

@test "jtouch: --shard 0/3, 4/3, 1/0 and x are usage errors" {
	local s
	for s in 0/3 4/3 1/0; do
		jtrc 2 -p survey --shard "$s" survey.csv
		err_is "jtouch: --shard: '$s' is not K/N with 1 <= K <= N
Try 'jtouch --help' for more information."
	done
	jtrc 2 -p survey --shard x survey.csv
	err_is "jtouch: --shard: 'x' is not K/N (e.g. 2/8)
Try 'jtouch --help' for more information."
}

# ================================================================ 10. dedup, since, until
# dedup.csv: rows 2 (same), 3 ('2024-02-01 10:00:00' = same instant) and 7 (11:00+01:00 = same
# instant) repeat row 1 (u1, 10:00Z, page_view); row 4 (click), 5 (u2), 6 (10:00:01) differ
@test "jtouch: --dedup drops later touches with the same customer, time and touchpoint" {
	jtrc 0 -p events --dedup --stats "$T/st.csv" dedup.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,page
u1,2024-02-01T10:00:00Z,page_view,events,,,,,,,,,,,
u1,2024-02-01T10:00:00Z,click,events,,,,,,,,,,,
u2,2024-02-01T10:00:00Z,page_view,events,,,,,,,,,,,
u1,2024-02-01T10:00:01Z,page_view,events,,,,,,,,,,,
EOF
	err_but_warnings "jtouch: 7 rows in: 4 emitted 4 touches; 3 with every touch outside --shard/--since/--until/--dedup; 3 duplicate touches dropped"
	stats_are rows_out=4 rows_skipped=3 touches_out=4 touches_duplicate=3
	invariant
}

# tickets.csv touches in [2024-01-11T00:00Z, 2024-01-20T12:00Z): t1 solved (01-11 10:00); t2 opened;
# t3 all three; t4 opened (01-14) -- its solve at exactly --until is out. Filtered: t1 2 + t4 2 = 4
@test "jtouch: --since/--until keep touches in [since, until) by touch time" {
	jtrc 0 -q -p tickets --since 2024-01-11 --until 2024-01-20T12:00:00Z --stats "$T/st.csv" tickets.csv
	run cut -d, -f1-3 "$T/out"
	assert_output "customer,time,touchpoint
c1,2024-01-11T10:00:00Z,ticket_solved
c2,2024-01-12T08:00:00Z,ticket_opened
c3,2024-01-13T10:00:00Z,ticket_opened
skew\"
c3,2024-01-13T09:00:00Z,ticket_first_reply
skew\"
c3,2024-01-13T09:30:00Z,ticket_solved
skew\"
c4,2024-01-14T10:00:00Z,ticket_opened"
	stats_are rows_out=4 touches_out=6 touches_filtered=4
	# --since with an offset: 2024-01-11T00:00+01:00 = 01-10T23:00Z, so t1's solve is in, its reply out
	jtrc 0 -q -p tickets --since 2024-01-11T00:00:00+01:00 --until 2024-01-12 tickets.csv
	run cut -d, -f1-3 "$T/out"
	assert_output "customer,time,touchpoint
c1,2024-01-11T10:00:00Z,ticket_solved"
}

@test "jtouch: a row whose every touch is outside --until is counted as skipped" {
	# --until 2024-01-12: t1's three touches are in; t2, t3, t4 are entirely out
	jtrc 0 -p tickets --until 2024-01-12 --stats "$T/st.csv" tickets.csv
	run sed -n 3p "$T/err"
	assert_output --regexp '^jtouch: 7 rows in: 1 emitted 3 touches; 1 without a timestamp; 3 with every touch outside --shard/--since/--until/--dedup; 2 rejected; 7 touches outside --shard/--since/--until(;|$)'
	stats_are rows_in=7 rows_out=1 rows_skipped=4 rows_rejected=2 touches_out=3 touches_filtered=7
	invariant
	jtrc 2 -p tickets --since yesterday tickets.csv
	err_is "jtouch: --since: 'yesterday' is not a time (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)
Try 'jtouch --help' for more information."
}

# ================================================================ 11. settings and profile errors

@test "jtouch: profile error: unknown setting (file:line:col, exit 2)" {
	jtrc 2 -p profiles/unknown-setting.profile times.csv
	err_is "jtouch: profiles/unknown-setting.profile:3:1: unknown setting 'colour'
Try 'jtouch --help' for more information."
	assert_equal "$(cat "$T/out")" ""
}

@test "jtouch: profile error: unterminated quote points at the quote" {
	# line 2 'customer "Requester id': the quote is column 10
	jtrc 2 -p profiles/unterminated.profile times.csv
	err_is "jtouch: profiles/unterminated.profile:2:10: unterminated quote
Try 'jtouch --help' for more information."
}

@test "jtouch: profile error: bad measure syntax (profile and option)" {
	# 'measure wait_s = a + b': the '+' is column 20
	jtrc 2 -p profiles/bad-measure.profile times.csv
	err_is "jtouch: profiles/bad-measure.profile:3:20: measure wait_s: unexpected '+' (a column with blanks needs quotes; operators need blanks around them)
Try 'jtouch --help' for more information."
	jtrc 2 --measure 'x_s = a *' -p survey survey.csv
	err_is "jtouch: --measure 'x_s = a *': measure x_s: nothing after '*'
Try 'jtouch --help' for more information."
	jtrc 2 -p survey --measure 'x_s = a / 0' survey.csv
	err_is "jtouch: --measure 'x_s = a / 0': measure x_s: '0' is not a non-zero number
Try 'jtouch --help' for more information."
}

@test "jtouch: profile error: bad range" {
	# '  range score 10 1' (indented): '10' is column 15
	jtrc 2 -p profiles/bad-range.profile times.csv
	err_is "jtouch: profiles/bad-range.profile:4:15: range score: low is above high
Try 'jtouch --help' for more information."
	jtrc 2 -p survey --range 'nps 0' survey.csv
	err_is "jtouch: --range 'nps 0': range needs MEASURE LOW HIGH ('-' for no bound)
Try 'jtouch --help' for more information."
}

@test "jtouch: built-in ranges: csat whole 1-5, ces whole 1-7, reopens whole >= 0" {
	printf 'customer_id,submitted_at,csat,ces\nc1,2024-01-01,4.5,\nc2,2024-01-01,,7.0\nc3,2024-01-01,0,\nc4,2024-01-01,,8\n' >"$T/cc.csv"
	jtrc 0 -p survey "$T/cc.csv"
	run cut -d, -f1,7,8 "$T/out"
	assert_output "customer,csat,ces
c2,,7.0"
	err_is "jtouch: warning: survey: $T/cc.csv has no columns 'nps', 'response_id|ResponseId|Respondent ID|#', 'comment', 'channel|DistributionChannel' (optional: they read as empty)
jtouch: $T/cc.csv:2: column 'csat': csat '4.5' is not a whole number in 1-5
jtouch: $T/cc.csv:4: column 'csat': csat '0' is not in 1-5
jtouch: $T/cc.csv:5: column 'ces': ces '8' is not in 1-7
jtouch: 4 rows in: 1 emitted 1 touch; 3 rejected
jtouch: 3 rows rejected (3 out of range) (use --rejects FILE to keep them)"
	printf 'customer_id,created_at,solved_at,reopens\nc1,2024-01-01,2024-01-02,-1\nc2,2024-01-01,2024-01-02,1.5\n' >"$T/ro.csv"
	jtrc 0 -p tickets --max-rejects 100% "$T/ro.csv"
	run sed -n '2,3p' "$T/err"
	assert_output "jtouch: $T/ro.csv:2: column 'reopens': reopens '-1' is not at least 0
jtouch: $T/ro.csv:3: column 'reopens': reopens '1.5' is not a whole number at least 0"
}

@test "jtouch: range: custom bounds on a built-in measure, one-sided bounds" {
	printf 'customer_id,submitted_at,nps\nc1,2024-01-01,11\nc2,2024-01-01,7.5\nc3,2024-01-01,-3\n' >"$T/r.csv"
	jtrc 0 -p survey --range 'nps 0 -' "$T/r.csv"
	run cut -d, -f1,6 "$T/out"
	assert_output "customer,nps
c1,11"
	run sed -n '2,3p' "$T/err"
	assert_output "jtouch: $T/r.csv:3: column 'nps': nps '7.5' is not a whole number at least 0
jtouch: $T/r.csv:4: column 'nps': nps '-3' is not at least 0"
}

@test "jtouch: range with no bound at all: the whole-number message names no bound" {
	printf 'customer_id,submitted_at,nps\nc2,2024-01-01,7.5\n' >"$T/r.csv"
	jtrc 0 -p survey --range 'nps - -' --max-rejects 100% "$T/r.csv"
	run sed -n 2p "$T/err"
	assert_output "jtouch: $T/r.csv:2: column 'nps': nps '7.5' is not a whole number"
}

@test "jtouch: profile error: measure 'on' an unknown touch names the profile's file:line:col" {
	jtrc 2 -p profiles/bad-on.profile times.csv
	run head -1 "$T/err"
	assert_output --regexp "^jtouch: profiles/bad-on.profile:4:[0-9]+: .*'solved'"
}

@test "jtouch: at most 64 touches per row; the same touchpoint again replaces the first" {
	local i
	{ echo 'customer id'; for i in $(seq 1 65); do echo "touch tp$i t"; done; } >"$T/many.profile"
	jtrc 2 -p "$T/many.profile" times.csv
	err_is "jtouch: many: more than 64 touches per row
Try 'jtouch --help' for more information."
	{ echo 'customer id'; for i in $(seq 1 64); do echo "touch tp$i t"; done; } >"$T/many.profile"
	jtrc 0 -q -p "$T/many.profile" --stats "$T/st.csv" times.csv
	stats_are touches_out=$((23 * 64))
	# 'touch seen t' twice: one touch per row, not two
	jtrc 0 -q --customer id --touch 'seen t' --touch 'seen t' --stats "$T/st.csv" times.csv
	stats_are touches_out=23
}

# A {COL} touch is named by its column, as a plain touch by its touchpoint: a later
# --touch '{event} ...' replaces the profile's '{event} timestamp' where it stands.
@test "jtouch: --touch '{event} ts' replaces the events profile's '{event} timestamp'; a plain touchpoint is replaced likewise" {
	printf 'user_id,event,timestamp,ts\nu1,view,2024-01-01T00:00:00Z,2024-02-01T10:00:00Z\nu2,click,,2024-02-02T11:00:00Z\n' >"$T/ev.csv"
	jtrc 0 -p events --touch '{event} ts' --stats "$T/st.csv" "$T/ev.csv"
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,page
u1,2024-02-01T10:00:00Z,view,events,,,,,,,,,,,
u2,2024-02-02T11:00:00Z,click,events,,,,,,,,,,,
EOF
	err_is "jtouch: warning: events: $T/ev.csv has no columns 'page', 'channel' (optional: they read as empty)"
	stats_are rows_in=2 rows_out=2 touches_out=2
	# a file without the profile's time column: the replaced touch no longer needs it
	cut -d, -f1,2,4 "$T/ev.csv" >"$T/ts.csv"
	jtrc 0 -p events --touch '{event} ts' "$T/ts.csv"
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,page
u1,2024-02-01T10:00:00Z,view,events,,,,,,,,,,,
u2,2024-02-02T11:00:00Z,click,events,,,,,,,,,,,
EOF
	# '{event?}' names the same column, so it replaces too; another column adds a touch
	jtrc 0 -q -p events --touch '{event?} ts' --stats "$T/st.csv" "$T/ev.csv"
	stats_are touches_out=2
	jtrc 0 -q -p events --touch '{user_id} ts' --stats "$T/st.csv" "$T/ev.csv"
	stats_are touches_out=3
	# a plain touchpoint: the profile's 'seen timestamp' replaced by 'seen ts', in place (first)
	printf 'customer user_id\ntouch seen timestamp\ntouch {event} ts\n' >"$T/p.profile"
	jtrc 0 -p "$T/p.profile" --touch 'seen ts' "$T/ev.csv"
	run cut -d, -f1-3 "$T/out"
	assert_output "customer,time,touchpoint
u1,2024-02-01T10:00:00Z,seen
u1,2024-02-01T10:00:00Z,view
u2,2024-02-02T11:00:00Z,seen
u2,2024-02-02T11:00:00Z,click"
}

@test "jtouch: without a profile, --touch and --customer are required (exit 2)" {
	jtrc 2 survey.csv
	err_is "jtouch: the command line: no touch to emit (give -p NAME, or --touch 'TOUCHPOINT TIME_COLUMN')
Try 'jtouch --help' for more information."
	jtrc 2 --touch 'x submitted_at' survey.csv
	err_is "jtouch: the command line: no customer column (give -p NAME, or --customer COLUMN)
Try 'jtouch --help' for more information."
	jtrc 2 -p survey --date-order ymd survey.csv
	err_is "jtouch: --date-order 'ymd': date order 'ymd' is not mdy, dmy or none
Try 'jtouch --help' for more information."
	jtrc 2 -p survey --customer-normalize upper survey.csv
	err_is "jtouch: --customer-normalize 'upper': customer_normalize: 'upper' is not lower, trim or none
Try 'jtouch --help' for more information."
}

# ================================================================ 12. dialect
# semi.csv (-d ';'): c1 '2024-03-05 10:00' nps 9, "ok; fine"; c2 05.03.2024 11:00, 'slow, late'
# bom_crlf.csv (default ','): BOM, CRLF ends, c3 with a quoted CRLF kept byte for byte; c4 no nps
@test "jtouch: -d applies to the files after it; BOM and CRLF input (golden dialect.csv)" {
	jtrc 0 -q -p survey -d ';' semi.csv -p survey bom_crlf.csv
	golden dialect.csv
	# -d before the first -p is part of the base: bom_crlf.csv is then read with ';' too
	jtrc 1 -d ';' -p survey semi.csv -p survey bom_crlf.csv
	err_but_warnings "jtouch: bom_crlf.csv:1: no customer column: none of 'customer_id', 'respondent_id', 'user_id', 'email', 'email_address', 'ExternalReference', 'RecipientEmail', 'Email Address', 'Respondent ID' is a column (--customer COLUMN names it; --lookup FILE:KEY joins a table that has it)"
}

@test "jtouch: short rows are rejected unless --ragged; long rows always" {
	jtrc 0 -p survey --max-rejects 100% --stats "$T/st.csv" ragged.csv
	err_is "jtouch: warning: survey: ragged.csv has no columns 'csat', 'ces', 'response_id|ResponseId|Respondent ID|#', 'channel|DistributionChannel' (optional: they read as empty)
jtouch: ragged.csv:2: expected 4 fields, found 3 (use --ragged to pad short rows)
jtouch: ragged.csv:3: expected 4 fields, found 2 (use --ragged to pad short rows)
jtouch: ragged.csv:4: expected 4 fields, found 5
jtouch: 3 rows in: 0 emitted 0 touches; 3 rejected
jtouch: 3 rows rejected (3 field count) (use --rejects FILE to keep them)"
	jtrc 0 -q -p survey --ragged ragged.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment
c5,2024-03-07T10:00:00Z,survey_response,survey,,8,,,,,,,,,,
c6,2024-03-07T11:00:00Z,survey_response,survey,,,,,,,,,,,,
EOF
}

@test "jtouch: a 0-byte input gives no output; a header-only input gives the header only (style.md 7.6)" {
	jt -p survey </dev/null
	assert_equal "$(wc -c <"$T/out")" 0
	printf 'customer_id,submitted_at\r\n' >"$T/h.csv"
	jtrc 0 -q -p survey "$T/h.csv"
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment
EOF
}

@test "jtouch: -t reads tabs; --time-format without columns applies to every time column; -o writes the file" {
	printf 'distinct_id\tevent\ttimestamp\nu1\tsite_visit\t1709647320\n' >"$T/e.tsv"
	jtrc 0 -q -p events -t --time-format epoch -o "$T/touches.csv" "$T/e.tsv"
	assert_equal "$(cat "$T/out")" ""
	same "$T/touches.csv" <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,page
u1,2024-03-05T14:02:00Z,site_visit,events,,,,,,,,,,,
EOF
}

# ================================================================ 13. real data (../shared, CI only)

# olist_orders_dataset.csv has no quoted field: awk counts the non-empty timestamps per column
@test "jtouch: real Olist orders: one touch per non-empty timestamp, lookup resolves every customer" {
	need_shared
	need_zone America/Sao_Paulo
	local d="$SHARED/olist-sample-4000-orders"
	jtrc 0 --lookup "$d/olist_customers_dataset.csv:customer_id" -p olist-orders --stats "$T/st.csv" \
		"$d/olist_orders_dataset.csv"
	err_is ""
	local want got
	want=$(awk -F, 'NR > 1 { for (i = 4; i <= 7; i++) if ($i != "") n[i]++ }
		END { printf "order_placed %d\norder_approved %d\norder_shipped %d\norder_delivered %d\n", n[4], n[5], n[6], n[7] }' \
		"$d/olist_orders_dataset.csv")
	got=$(awk -F, 'NR > 1 { n[$3]++ }
		END { printf "order_placed %d\norder_approved %d\norder_shipped %d\norder_delivered %d\n", n["order_placed"], n["order_approved"], n["order_shipped"], n["order_delivered"] }' \
		"$T/out")
	assert_equal "$got" "$want"
	stats_are rows_in=4000 rows_out=4000 rows_rejected=0
	assert_equal "touches_out=$(stat_of touches_out)" "touches_out=$(($(wc -l <"$T/out") - 1))"
	# order 8db13b5a..., customer 5ce67907... -> unique 087329e8...:
	#   purchase 2018-02-17 22:05:41, still DST (-02) -> 2018-02-18T00:05:41Z
	#   approved 2018-02-18 22:50:22, DST over (-03) -> 2018-02-19T01:50:22Z
	#   carrier 2018-02-19 19:12:06 -> 22:12:06Z; delivered 2018-03-10 05:11:45 -> 08:11:45Z
	#   delay_s = 03-10 05:11:45 - 03-21 00:00:00 = -(10 d 18:48:15) = -(864000 + 67695) = -931695
	run grep 8db13b5ac7b555d8b6bc0062763ae387 "$T/out"
	assert_output "087329e89b9294b9f586b7d7392537e8,2018-02-18T00:05:41Z,order_placed,orders,,,,,,,,,,,8db13b5ac7b555d8b6bc0062763ae387,delivered
087329e89b9294b9f586b7d7392537e8,2018-02-19T01:50:22Z,order_approved,orders,,,,,,,,,,,8db13b5ac7b555d8b6bc0062763ae387,delivered
087329e89b9294b9f586b7d7392537e8,2018-02-19T22:12:06Z,order_shipped,orders,,,,,,,,,,,8db13b5ac7b555d8b6bc0062763ae387,delivered
087329e89b9294b9f586b7d7392537e8,2018-03-10T08:11:45Z,order_delivered,orders,,,,,,,,,-931695,,8db13b5ac7b555d8b6bc0062763ae387,delivered"
}

# a review record ends its last physical line with ',creation,answer' (two timestamps) or
# ',creation,' when unanswered; grep counts both independently of any CSV parser
@test "jtouch: real Olist reviews through two lookups: one touch per answered review, no reject" {
	need_shared
	need_zone America/Sao_Paulo
	local d="$SHARED/olist-sample-4000-orders" ts='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
	jtrc 0 --lookup "$d/olist_orders_dataset.csv:order_id" --lookup "$d/olist_customers_dataset.csv:customer_id" \
		-p olist-reviews --stats "$T/st.csv" "$d/olist_order_reviews_dataset.csv"
	err_is ""
	local answered unanswered
	answered=$(grep -cE ",$ts,$ts\$" "$d/olist_order_reviews_dataset.csv")
	unanswered=$(grep -cE ",$ts,\$" "$d/olist_order_reviews_dataset.csv" || true)
	assert_equal "records $((answered + unanswered))" "records 3986"
	stats_are rows_in=3986 "touches_out=$answered" rows_rejected=0 "rows_without_time=$unanswered"
	# every customer is a customer_unique_id of the customers table
	run awk -F, 'NR == FNR { if (FNR > 1) u[$2] = 1; next }
		FNR > 1 && $3 == "survey_response" { n++; if (!($1 in u)) bad++ } END { print n, bad + 0 }' \
		"$d/olist_customers_dataset.csv" "$T/out"
	assert_output "$answered 0"
	# review 1ba932f0... of order 8db13b5a...: answered 2018-03-13 08:29:17 (-03) -> 11:29:17Z, score 5
	run grep -c '^087329e89b9294b9f586b7d7392537e8,2018-03-13T11:29:17Z,survey_response,reviews,,,5,.*,1ba932f035875ea9d723dec9ac1ae5a9,8db13b5ac7b555d8b6bc0062763ae387,' "$T/out"
	assert_output 1
}

# customer_support_tickets.csv: BOM, CRLF record ends, bare LF inside quoted descriptions, so gawk with
# RS = CRLF and FPAT reads one record per ticket; it counts the non-empty dates and the closed tickets
# whose 'Time to Resolution' (M/D/YYYY H:MM) is earlier than 'First Response Time'
@test "jtouch: real support tickets (BOM, CRLF, M/D/YYYY, embedded newlines) with a test profile" {
	need_shared
	command -v gawk >/dev/null || skip "gawk not installed (needed for the independent count)"
	local f="$SHARED/support-tickets-kaggle/customer_support_tickets.csv"
	jtrc 0 -p profiles/support-tickets.profile --stats "$T/st.csv" "$f"
	# the last record is 17 empty fields: no timestamp, so it is skipped before its (empty)
	# customer is looked at -- a row without a timestamp, not a reject
	err_is "jtouch: 8470 rows in: 8469 emitted 16888 touches; 1 without a timestamp; 1365 negative durations left empty (resolution_s 1365)"
	stats_are rows_in=8470 rows_out=8469 rows_skipped=1 rows_without_time=1 rows_rejected=0 \
		touches_out=16888 negative_durations=1365
	invariant
	run gawk 'BEGIN { RS = "\r\n"; FPAT = "([^,]*)|(\"([^\"]|\"\")*\")" }
		function k(s,  a) { split(s, a, /[\/ :]/); return sprintf("%04d%02d%02d%02d%02d", a[3], a[1], a[2], a[4], a[5]) }
		NR > 1 { rows++; if (NF != 17) bad++; if ($7 != "") p++; if ($15 != "") f++
			if ($16 != "") { s++; if (k($16) < k($15)) neg++ } }
		END { print rows, bad + 0, p, f, s, neg, p + f + s }' "$f"
	assert_output "8470 0 8469 5650 2769 1365 16888"
	run awk -F, 'NR > 1 { n[$3]++ } END { print n["purchase"], n["ticket_first_reply"], n["ticket_solved"] }' "$T/out"
	assert_output "8469 5650 2769"
	# tickets 3 (11:14 -> 18:05 = 6 h 51 min = 24660 s), 4 (solved 1:57 before the 7:29 reply:
	# negative, empty) and 5 (0:12 -> 19:53 = 19 h 41 min = 70860 s); purchase dates M/D/YYYY
	run grep -E ',(3|4|5)$' "$T/out"
	assert_output "gonzalestracy@example.com,2020-07-14T00:00:00Z,purchase,support,Social media,,,,,,,,,,3
gonzalestracy@example.com,2023-06-01T11:14:00Z,ticket_first_reply,support,Social media,,,,,,,,,,3
gonzalestracy@example.com,2023-06-01T18:05:00Z,ticket_solved,support,Social media,,3,,,24660,,,,,3
bradleyolson@example.org,2020-11-13T00:00:00Z,purchase,support,Social media,,,,,,,,,,4
bradleyolson@example.org,2023-06-01T07:29:00Z,ticket_first_reply,support,Social media,,,,,,,,,,4
bradleyolson@example.org,2023-06-01T01:57:00Z,ticket_solved,support,Social media,,3,,,,,,,,4
bradleymark@example.com,2020-02-04T00:00:00Z,purchase,support,Email,,,,,,,,,,5
bradleymark@example.com,2023-06-01T00:12:00Z,ticket_first_reply,support,Email,,,,,,,,,,5
bradleymark@example.com,2023-06-01T19:53:00Z,ticket_solved,support,Email,,1,,,70860,,,,,5"
	# the BOM is stripped: the first column is 'Ticket ID', so the carry finds it
	run head -1 "$T/out"
	assert_output "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,ticket_id"
}

# verbatim_nps.csv: DD/MM/YYYY HH:MM, no customer id; the survey profile with its touch and nps
# redeclared (same touchpoint replaces), ids made up per record
@test "jtouch: real NPS verbatims: customer @row, --date-order dmy, empty scores give touches without nps" {
	need_shared
	local f="$SHARED/nps-verbatims-journey-stage/verbatim_nps.csv"
	jtrc 0 -p survey --customer @row --date-order dmy --touch 'survey_response CUSTOMER_RESPONSE_DATE' \
		--measure 'nps = NPS_SCORE' --carry 'stage_name=SURVEY_SUB_TYPE' --stats "$T/st.csv" "$f"
	err_is "jtouch: warning: survey: $f has no columns 'csat', 'ces', 'response_id|ResponseId|Respondent ID|#', 'comment', 'channel|DistributionChannel' (optional: they read as empty)"
	stats_are rows_in=2385 rows_out=2385 touches_out=2385 rows_rejected=0
	# 11/04/2018 20:09 = 11 April 2018
	run head -2 "$T/out"
	assert_output "customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,response_id,comment,stage_name
survey:1,2018-04-11T20:09:00Z,survey_response,survey,,7,,,,,,,,,,,Order"
	run awk -F, 'NR > 1 && $6 == "" { n++ } END { print n + 0 }' "$T/out"
	assert_output 32
	run tail -1 "$T/out"
	assert_output --regexp '^survey:2385,'
}

@test "jtouch: map pairs may also be comma-separated (good=5,bad=1); a value with a comma stays one pair" {
	printf 'customer_id,submitted_at,s\nc1,2024-01-01,Good\nc2,2024-01-01,bad\nc3,2024-01-01,"x,y"\n' >"$T/m.csv"
	jtrc 0 --customer customer_id --touch 'r submitted_at' --measure 'csat = s' --map 's good=5,bad=1 "x,y=3"' "$T/m.csv"
	run cut -d, -f1,7 "$T/out"
	assert_output "customer,csat
c1,5
c2,1
c3,3"
}
