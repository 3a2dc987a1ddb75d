#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jtouch: carried columns on chosen touches (carry ... on TOUCHPOINT), column
# aliases in profiles (a | b: the first present wins) and the word said about
# an absent optional column (jtouch-profile(5) "Optional columns" and "Column
# aliases"). Real data: the Kaggle support tickets, whose rows hold a purchase and
# a ticket.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jtouch

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# shop.csv: one row = a purchase and a ticket about it (the Kaggle export's shape)
mkshop() {
	cat >shop.csv <<'EOF'
email,bought,opened,solved,subject
a@x,2024-01-05,2024-02-01 10:00,2024-02-02 10:00,Screen broken on arrival
b@x,2024-01-06,2024-02-03 09:00,,Password reset
EOF
}

# ---------------------------------------------------------------- carry on
@test "carry on: a carried column rides on the named touches only; the others get it empty" {
	mkshop
	jt --customer email --touch 'order_placed bought' --touch 'ticket_opened opened' --touch 'ticket_solved solved' \
		--carry 'subject on ticket_opened,ticket_solved' shop.csv
	run cut -d, -f1,3,15 "$T/out"
	assert_output 'customer,touchpoint,subject
a@x,order_placed,
a@x,ticket_opened,Screen broken on arrival
a@x,ticket_solved,Screen broken on arrival
b@x,order_placed,
b@x,ticket_opened,Password reset'
	# touchpoints after 'on' by blanks as well as commas; one line's columns share them
	jt --customer email --touch 'order_placed bought' --touch 'ticket_opened opened' --touch 'ticket_solved solved' \
		--carry 'subject topic=subject on ticket_opened ticket_solved' --carry 'mail=email' shop.csv
	run cut -d, -f3,15-17 "$T/out"
	assert_output 'touchpoint,subject,topic,mail
order_placed,,,a@x
ticket_opened,Screen broken on arrival,Screen broken on arrival,a@x
ticket_solved,Screen broken on arrival,Screen broken on arrival,a@x
order_placed,,,b@x
ticket_opened,Password reset,Password reset,b@x'
	# a later carry of the same name replaces the entry, 'on' included
	jt --customer email --touch 'order_placed bought' --carry 'subject on order_placed' --carry subject shop.csv
	run cut -d, -f3,15 "$T/out"
	assert_line --index 1 'order_placed,Screen broken on arrival'
	# a quoted "on" is a column's name
	printf 'id,t,on\nx,2024-01-01,yes\n' >on.csv
	jt --customer id --touch 'seen t' --carry '"on"' on.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f15)" yes
}

@test "carry on: jvalue reads a ticket's text on its ticket touches only, so the purchase stays marketing_sales" {
	mkshop
	# before 'on', the subject on the purchase touch made it procurement ('broken') and technology
	# ('password'); now only the ticket touches read it
	jtouch -q --customer email --touch 'order_placed bought' --touch 'ticket_opened opened' \
		--touch 'ticket_solved solved' --carry 'subject on ticket_opened,ticket_solved' shop.csv |
		jvalue -q | cut -d, -f1,3,16 >"$T/acts"
	same "$T/acts" <<'EOF'
customer,touchpoint,activity
a@x,order_placed,marketing_sales
a@x,ticket_opened,procurement
a@x,ticket_solved,procurement
b@x,order_placed,marketing_sales
b@x,ticket_opened,technology
EOF
	jtouch -q --customer email --touch 'order_placed bought' --touch 'ticket_opened opened' \
		--touch 'ticket_solved solved' --carry subject shop.csv | jvalue -q | cut -d, -f3,16 >"$T/acts"
	same "$T/acts" <<'EOF'
touchpoint,activity
order_placed,procurement
ticket_opened,procurement
ticket_solved,procurement
order_placed,technology
ticket_opened,technology
EOF
}

@test "carry on: a touchpoint that is not a touch, a missing list and a bad name are usage errors" {
	mkshop
	jtrc 2 --customer email --touch 'order_placed bought' --carry 'subject on ticket_opened' shop.csv
	err_is "jtouch: the command line: carried column subject rides on 'ticket_opened', which is not a touch here (touches: order_placed)
Try 'jtouch --help' for more information."
	jtrc 2 --customer email --touch 'order_placed bought' --carry 'subject on' shop.csv
	err_is "jtouch: --carry 'subject on': carry: 'on' needs the touchpoints the columns ride on
Try 'jtouch --help' for more information."
	jtrc 2 --customer email --touch 'order_placed bought' --carry 'on order_placed' shop.csv
	err_is "jtouch: --carry 'on order_placed': carry needs COLUMN or NEW_NAME=COLUMN ... [on TOUCHPOINT[,TOUCHPOINT...]]
Try 'jtouch --help' for more information."
	jtrc 2 --customer email --touch 'order_placed bought' --carry 'subject on order_placed,{x}' shop.csv
	err_is "jtouch: --carry 'subject on order_placed,{x}': carry: touchpoint '{x}' is not a name (letters, digits, _ - . :)
Try 'jtouch --help' for more information."
	printf 'customer email\ntouch order_placed bought\ncarry subject on order_placed ticket_solved\n' >p.profile
	jtrc 2 -p ./p.profile shop.csv
	err_is "jtouch: ./p.profile:3:18: carried column subject rides on 'ticket_solved', which is not a touch of this profile
Try 'jtouch --help' for more information."
}

# customer_support_tickets.csv (PROVENANCE.md): a row is a purchase ('Date of Purchase') and a
# ticket (first response, resolution); subjects include 'Software bug' (technology in
# value-chain.rules), 'Payment issue' and 'Refund request' (infrastructure)
@test "carry on: the real Kaggle support tickets: the subject rides on the ticket touches only" {
	need_shared
	local f="$SHARED/support-tickets-kaggle/customer_support_tickets.csv"
	jtouch -q -p "$FIX/jtouch/profiles/support-tickets.profile" \
		--carry 'subject="Ticket Subject" on ticket_first_reply,ticket_solved' "$f" >"$T/touches.csv"
	jvalue -q "$T/touches.csv" >"$T/acts.csv"
	# every purchase is marketing_sales, with an empty subject
	run awk -F, 'NR > 1 && $3 == "purchase" { n[$17 "/" ($16 == "" ? "empty" : "subject")]++ }
		END { for (k in n) print k, n[k] }' "$T/acts.csv"
	assert_output 'marketing_sales/empty 8469'
	# the ticket touches of 'Software bug' tickets are technology, as many as there are
	run awk -F, 'NR > 1 && $3 != "purchase" && $16 == "Software bug" { n++; if ($17 == "technology") t++ }
		END { print n, t }' "$T/acts.csv"
	local n
	n=$(awk -F, '$16 == "Software bug" && $3 != "purchase"' "$T/touches.csv" | wc -l)
	[ "$n" -gt 0 ]
	assert_output "$n $n"
}

# ---------------------------------------------------------------- aliases
# two help desks' names for the same columns
mkdesks() {
	printf 'requester_id,created_at,first_reply_at,rating,via\nc1,2024-01-01 10:00,2024-01-01 11:00,good,email\n' >a.csv
	printf 'requester_id,Created time,first_response_at,satisfaction,source\nc2,2024-01-02 10:00,2024-01-02 10:30,bad,phone\n' >b.csv
	{
		echo 'customer requester_id'
		echo 'touch ticket_opened created_at | "Created time"'
		echo 'touch ticket_first_reply first_reply_at? | first_response_at?'
		echo 'measure first_reply_s = first_reply_at? | first_response_at? - created_at | "Created time" on ticket_first_reply'
		echo 'measure csat = satisfaction? | rating? on ticket_first_reply'
		echo 'map satisfaction | rating good=5 bad=1'
		echo 'channel via? | source?'
		echo 'carry opened=created_at|"Created time"'
	} >desk.profile
}

@test "aliases: a column written a | b is the first of its names the input has, in every setting" {
	mkdesks
	jt -p ./desk.profile a.csv -p ./desk.profile b.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,opened
c1,2024-01-01T10:00:00Z,ticket_opened,desk,email,,,,,,,,,,2024-01-01 10:00
c1,2024-01-01T11:00:00Z,ticket_first_reply,desk,email,,5,,3600,,,,,,2024-01-01 10:00
c2,2024-01-02T10:00:00Z,ticket_opened,desk,phone,,,,,,,,,,2024-01-02 10:00
c2,2024-01-02T10:30:00Z,ticket_first_reply,desk,phone,,1,,1800,,,,,,2024-01-02 10:00
EOF
	# the first present wins when both are there
	printf 'requester_id,created_at,Created time\nc3,2024-01-03 10:00,2024-01-09 10:00\n' >both.csv
	jtrc 0 -q -p ./desk.profile both.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f2)" 2024-01-03T10:00:00Z
	# a time_format line naming a group reads whichever column is there; {a | b} touchpoints
	printf 'uid,ts,what\nu1,1704103200,visit\n' >ev.csv
	jt --customer 'user_id|uid' --touch '{event | what} timestamp|ts' --time-format 'epoch timestamp | ts' ev.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-3)" "u1,2024-01-01T10:00:00Z,visit"
	# blanks around '|' or none, in options as in profiles
	jt --customer requester_id --touch 'ticket_opened created_at|"Created time"' b.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f2)" 2024-01-02T10:00:00Z
}

@test "aliases: a required group none of whose names is there lists them all (exit 1)" {
	mkdesks
	printf 'requester_id,opened\nc1,2024-01-01\n' >c.csv
	jtrc 1 -p ./desk.profile c.csv
	err_is "jtouch: c.csv:1: no column named 'created_at' or 'Created time' (columns: requester_id, opened)"
	jtrc 1 --customer requester_id --touch 'x created_at | "Created time" | opened_at' c.csv
	err_is "jtouch: c.csv:1: no column named 'created_at', 'Created time' or 'opened_at' (columns: requester_id, opened)"
}

@test "aliases: an absent optional column is said once on stderr, -q says nothing" {
	mkdesks
	printf 'requester_id,created_at\nc4,2024-01-04 10:00\n' >d.csv
	cp d.csv e.csv
	jtrc 0 -p ./desk.profile d.csv e.csv
	err_is "jtouch: warning: desk: d.csv has no columns 'first_reply_at|first_response_at', 'satisfaction|rating', 'via|source' (optional: they read as empty)"
	jtrc 0 -q -p ./desk.profile d.csv e.csv
	err_is ""
	# options alone: 'the command line'; one column: 'it reads'
	jtrc 0 --customer requester_id --touch 'x created_at' --carry 'note?' d.csv
	err_is "jtouch: warning: the command line: d.csv has no column 'note' (optional: it reads as empty)"
}

@test "aliases: the shipped tickets profile reads Freshdesk's API fields (its numeric source and priority named), Intercom's and Zendesk's" {
	# Freshdesk API v2 ticket fields, stats flattened; source 2 = Portal, priority 3 = High
	printf 'id,requester_id,email,subject,type,priority,source,created_at,stats.first_responded_at,stats.resolved_at\n42,9001,k@x,Charged twice,Question,3,2,2024-02-01T10:00:00Z,2024-02-01T10:20:00Z,2024-02-01T12:00:00Z\n43,9002,l@x,Login fails,Incident,1,email,2024-02-02T10:00:00Z,,\n' >fd.csv
	jtrc 0 -q -p tickets fd.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,ticket_id,category,priority,subject
9001,2024-02-01T10:00:00Z,ticket_opened,tickets,Portal,,,,,,,,,,42,Question,High,Charged twice
9001,2024-02-01T10:20:00Z,ticket_first_reply,tickets,Portal,,,,1200,,,,,,42,Question,High,Charged twice
9001,2024-02-01T12:00:00Z,ticket_solved,tickets,Portal,,,,,7200,,,,,42,Question,High,Charged twice
9002,2024-02-02T10:00:00Z,ticket_opened,tickets,email,,,,,,,,,,43,Incident,Low,Login fails
EOF
	# Intercom's conversation statistics
	printf 'id,user_id,conversation_started_at,first_admin_reply_at,last_close_at\nc1,u7,2024-03-01T09:00:00Z,2024-03-01T09:01:30Z,2024-03-01T10:00:00Z\n' >ic.csv
	jtrc 0 -q -p tickets ic.csv
	assert_equal "$(cut -d, -f1,3,9,10,15 "$T/out" | tr '\n' ' ')" \
		"customer,touchpoint,first_reply_s,resolution_s,ticket_id u7,ticket_opened,,,c1 u7,ticket_first_reply,90,,c1 u7,ticket_solved,,3600,c1 "
	# Zendesk's API names in the zendesk profile
	printf 'id,requester_id,created_at,solved_at,first_reply_time_in_minutes,full_resolution_time_in_minutes,satisfaction,via,subject\n7,r1,2024-04-01T08:00:00Z,2024-04-02T08:00:00Z,15,1440,good,web,Refund\n' >zd.csv
	jtrc 0 -q -p zendesk zd.csv
	assert_equal "$(cut -d, -f1,3,5,7,9,10,15,16 "$T/out" | tr '\n' ' ')" \
		"customer,touchpoint,channel,csat,first_reply_s,resolution_s,ticket_id,subject r1,ticket_opened,web,,900,,7,Refund r1,ticket_solved,web,5,,86400,7,Refund "
}

@test "aliases: the shipped orders profile reads WooCommerce's older export (M/D/YYYY H:MM), survey reads SurveyMonkey's API email_address" {
	# the Customer/Order CSV Export's older header, trimmed to its first columns and the ones read
	printf 'order_id,order_number_formatted,order_number,date,status,order_total,customer_user,billing_email,completed_date\n4993,4993,,5/31/2016 0:37,completed,30,17,c@x,6/2/2016 14:05\n' >woo.csv
	jtrc 0 -q -p orders --date-order mdy woo.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,order_id,status
17,2016-05-31T00:37:00Z,order_placed,orders,,,,,,,,30,,,4993,completed
17,2016-06-02T14:05:00Z,order_delivered,orders,,,,,,,,,,,4993,completed
EOF
	printf 'id,email_address,submitted_at,nps\nr9,s@x,2024-05-01T12:00:00Z,8\n' >sm.csv
	jtrc 0 -q -p survey sm.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-3,6)" "s@x,2024-05-01T12:00:00Z,survey_response,8"
}

@test "carry on: the shipped rules read a ticket's text only on its ticket touches, also in a copy of tickets.profile that adds a purchase" {
	cp "$JTOOLS_DATADIR/profiles/tickets.profile" shop.profile
	echo 'touch order_placed ordered_at' >>shop.profile
	printf 'customer_id,ordered_at,created_at,solved_at,subject\nc1,2024-01-01 10:00,2024-01-03 09:00,2024-01-03 11:00,Item arrived broken\nc2,2024-01-02 10:00,2024-01-04 09:00,,Password reset fails\n' >shop.csv
	jtouch -q -p ./shop.profile shop.csv | jvalue -q >acts.csv
	run awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next } { print $h["customer"], $h["touchpoint"], $h["subject"] "/" $h["activity"] }' acts.csv
	assert_output "c1 ticket_opened Item arrived broken/procurement
c1 ticket_solved Item arrived broken/procurement
c1 order_placed /marketing_sales
c2 ticket_opened Password reset fails/technology
c2 order_placed /marketing_sales"
}

@test "aliases: '|' with no name on a side is a usage error at its column" {
	mkdesks
	printf 'customer requester_id\ntouch x created_at |\n' >bad.profile
	jtrc 2 -p ./bad.profile a.csv
	err_is "jtouch: ./bad.profile:2:20: '|' needs a column name on each side (a | b: the first the input has)
Try 'jtouch --help' for more information."
	jtrc 2 --customer requester_id --touch '| x created_at' a.csv
	err_is "jtouch: --touch '| x created_at': '|' needs a column name on each side (a | b: the first the input has)
Try 'jtouch --help' for more information."
	jtrc 2 --customer requester_id --touch 'x created_at | | b' a.csv
	err_is "jtouch: --touch 'x created_at | | b': '|' needs a column name on each side (a | b: the first the input has)
Try 'jtouch --help' for more information."
	# a quoted '|' is part of a name
	printf 'id,a|b\nx,2024-01-01\n' >pipe.csv
	jt --customer id --touch 'seen "a|b"' pipe.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f2)" 2024-01-01T00:00:00Z
}

# the shipped profiles read the names of the common exports (their comments say where each comes from)
@test "aliases: the shipped profiles read Shopify, Qualtrics, SurveyMonkey, Typeform and Freshdesk-style names" {
	printf 'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Total,Created at,Lineitem name\n#1001,a@x,paid,2024-05-01 10:05:00 +0200,fulfilled,2024-05-02 09:00:00 +0200,49.90,2024-05-01 10:00:00 +0200,Mug\n#1001,,,,,,,,Spoon\n' >shopify.csv
	jtrc 0 -q -p orders --stats st.csv shopify.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,order_id,status
a@x,2024-05-01T08:00:00Z,order_placed,orders,,,,,,,,49.90,,,#1001,paid
a@x,2024-05-01T08:05:00Z,order_approved,orders,,,,,,,,,,,#1001,paid
a@x,2024-05-02T07:00:00Z,order_shipped,orders,,,,,,,,,,,#1001,paid
EOF
	stats_are rows_in=2 rows_out=1 rows_without_time=1
	printf 'StartDate,EndDate,Status,RecordedDate,ResponseId,RecipientEmail,ExternalReference,DistributionChannel,nps\n2024-01-01 09:00:00,2024-01-01 09:05:00,0,2024-01-01 09:05:01,R_1,r@x,C9,email,9\n' >qualtrics.csv
	jtrc 0 -q -p survey qualtrics.csv
	assert_equal "$(sed -n 2p "$T/out")" "C9,2024-01-01T09:05:01Z,survey_response,survey,email,9,,,,,,,,,R_1,"
	printf 'Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,nps\n1001,C1,01/15/2024 10:00:00 AM,01/15/2024 10:05:00 AM,1.2.3.4,m@x,,,,7\n' >monkey.csv
	jtrc 0 -q -p survey --date-order mdy monkey.csv
	assert_equal "$(sed -n 2p "$T/out")" "m@x,2024-01-15T10:05:00Z,survey_response,survey,,7,,,,,,,,,1001,"
	printf '#,nps,email,Start Date (UTC),Submit Date (UTC),Network ID\nabc123,10,t@x,2024-10-05 02:39:31,2024-10-05 02:41:38,n1\n' >typeform.csv
	jtrc 0 -q -p survey typeform.csv
	assert_equal "$(sed -n 2p "$T/out")" "t@x,2024-10-05T02:41:38Z,survey_response,survey,,10,,,,,,,,,abc123,"
	printf 'Ticket ID,Subject,Type,Priority,Source,Created time,Resolved time,Contact ID\n7,Screen broken,Problem,High,Email,2024-02-01 10:00:00,2024-02-01 12:30:00,K1\n' >fresh.csv
	jtrc 0 -q -p tickets fresh.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,ticket_id,category,priority,subject
K1,2024-02-01T10:00:00Z,ticket_opened,tickets,Email,,,,,,,,,,7,Problem,High,Screen broken
K1,2024-02-01T12:30:00Z,ticket_solved,tickets,Email,,,,,9000,,,,,7,Problem,High,Screen broken
EOF
}
