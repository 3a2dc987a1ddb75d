#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# --tz for time buckets (jkpi day:|week:|month:|quarter:|year:) and for the
# periods of jstage --cohorts, --retention and --clv: the calendar of a zone,
# across its daylight saving changes. Real data: the BPI Challenge 2012 loan
# applications, whose times carry Dutch offsets (+02:00, then +01:00).
# Europe/Berlin (= Amsterdam's rules): CET +01:00; CEST +02:00 from 2024-03-31 01:00Z
# to 2024-10-27 01:00Z.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# edges.csv: each instant, and its Berlin wall-clock time
#   e1 2024-03-30T22:59:59Z  Sat 03-30 23:59:59 CET     day 03-30, week 2024-W13
#   e2 2024-03-30T23:00:00Z  Sun 03-31 00:00:00 CET     day 03-31
#   e3 2024-03-31T00:59:59Z  Sun 03-31 01:59:59 CET     (the last second before the gap)
#   e4 2024-03-31T01:00:00Z  Sun 03-31 03:00:00 CEST
#   e5 2024-03-31T21:59:59Z  Sun 03-31 23:59:59 CEST    month 03, quarter Q1, week W13
#   e6 2024-03-31T22:00:00Z  Mon 04-01 00:00:00 CEST    month 04, quarter Q2, week W14
#   e7 2024-10-27T00:30:00Z  Sun 10-27 02:30:00 CEST    (first 02:30 of the overlap)
#   e8 2024-10-27T01:30:00Z  Sun 10-27 02:30:00 CET     (second 02:30)
#   e9 2024-10-27T22:59:59Z  Sun 10-27 23:59:59 CET     (a day of 25 hours)
#   e10 2024-10-31T23:00:00Z Fri 11-01 00:00:00 CET     month 11
#   e11 2024-12-31T23:00:00Z Wed 2025-01-01 00:00 CET   year 2025, week 2025-W01
#   e12 2024-10-31 23:30 (no offset): a Berlin wall-clock time -> Oct (in UTC it would be read as
#       23:30Z = Nov 1 00:30 CET)
mkedges() {
	cat >edges.csv <<'EOF'
id,time
e1,2024-03-30T22:59:59Z
e2,2024-03-30T23:00:00Z
e3,2024-03-31T00:59:59Z
e4,2024-03-31T01:00:00Z
e5,2024-03-31T21:59:59Z
e6,2024-03-31T22:00:00Z
e7,2024-10-27T00:30:00Z
e8,2024-10-27T01:30:00Z
e9,2024-10-27T22:59:59Z
e10,2024-10-31T23:00:00Z
e11,2024-12-31T23:00:00Z
e12,2024-10-31 23:30
EOF
}

@test "jkpi --tz: day, week, month, quarter and year buckets of the zone's calendar across DST changes" {
	need_zone Europe/Berlin
	mkedges
	PROG=jkpi
	jt -g id,day:time,week:time,month:time,quarter:time,year:time -k count --tz Europe/Berlin edges.csv
	same <<'EOF'
id,day_time,week_time,month_time,quarter_time,year_time,count
e1,2024-03-30,2024-W13,2024-03,2024-Q1,2024,1
e2,2024-03-31,2024-W13,2024-03,2024-Q1,2024,1
e3,2024-03-31,2024-W13,2024-03,2024-Q1,2024,1
e4,2024-03-31,2024-W13,2024-03,2024-Q1,2024,1
e5,2024-03-31,2024-W13,2024-03,2024-Q1,2024,1
e6,2024-04-01,2024-W14,2024-04,2024-Q2,2024,1
e7,2024-10-27,2024-W43,2024-10,2024-Q4,2024,1
e8,2024-10-27,2024-W43,2024-10,2024-Q4,2024,1
e9,2024-10-27,2024-W43,2024-10,2024-Q4,2024,1
e10,2024-11-01,2024-W44,2024-11,2024-Q4,2024,1
e11,2025-01-01,2025-W01,2025-01,2025-Q1,2025,1
e12,2024-10-31,2024-W44,2024-10,2024-Q4,2024,1
EOF
	# the 25-hour day holds e7, e8 and e9; the 23-hour day e2 to e5
	jt -g day:time -k count --tz Europe/Berlin edges.csv
	same <<'EOF'
day_time,count
2024-03-30,1
2024-03-31,4
2024-04-01,1
2024-10-27,3
2024-11-01,1
2025-01-01,1
2024-10-31,1
EOF
	# without --tz: UTC, as before (e2 on 03-30, e6 on 03-31, e12 on 10-31, e11 in 2024)
	jt -g id,day:time,year:time -k count edges.csv
	run sed -n '3p;7p;12p;13p' "$T/out"
	assert_output 'e2,2024-03-30,2024,1
e6,2024-03-31,2024,1
e11,2024-12-31,2024,1
e12,2024-10-31,2024,1'
}

@test "jkpi --tz: a zone with a 45-minute offset and a zone west of UTC" {
	need_zone Asia/Kathmandu
	need_zone America/New_York
	PROG=jkpi
	# Kathmandu is +05:45: 18:14:59Z is 23:59:59 on 01-31, 18:15Z midnight on 02-01
	printf 'id,t\nk1,2024-01-31T18:14:59Z\nk2,2024-01-31T18:15:00Z\n' >k.csv
	jt -g id,day:t -k count --tz Asia/Kathmandu k.csv
	same <<'EOF'
id,day_t,count
k1,2024-01-31,1
k2,2024-02-01,1
EOF
	# New York on 2024-11-03 (EDT -4 until 06:00Z, then EST -5): 03:59:59Z is 23:59:59 on 11-02
	printf 'id,t\nn1,2024-11-03T03:59:59Z\nn2,2024-11-03T04:00:00Z\nn3,2024-11-04T04:59:59Z\nn4,2024-11-04T05:00:00Z\n' >n.csv
	jt -g id,day:t -k count --tz America/New_York n.csv
	same <<'EOF'
id,day_t,count
n1,2024-11-02,1
n2,2024-11-03,1
n3,2024-11-03,1
n4,2024-11-04,1
EOF
}

@test "jkpi --tz: a bad zone is a usage error; partials record the zone and merge only with the same one" {
	PROG=jkpi
	mkedges
	jtrc 2 -g day:time -k count --tz Nowhere/Zone edges.csv
	err_is "jkpi: --tz: unknown time zone 'Nowhere/Zone' (no file ${TZDIR:-/usr/share/zoneinfo}/Nowhere/Zone)
Try 'jkpi --help' for more information."
	need_zone Europe/Berlin
	jt -s -g month:time -k count --tz Europe/Berlin edges.csv
	cp out single
	{ head -1 edges.csv; sed -n '2,7p' edges.csv; } >a.csv
	{ head -1 edges.csv; sed -n '8,13p' edges.csv; } >b.csv
	jt --partial -g month:time -k count --tz Europe/Berlin a.csv
	cp out a.partial
	run grep -c '^1,option,,tz,Europe/Berlin$' a.partial
	assert_output 1
	jt --partial -g month:time -k count --tz Europe/Berlin b.csv
	cp out b.partial
	jt --merge -s b.partial a.partial
	same single <"$T/out"
	jt --partial -g month:time -k count b.csv
	cp out utc.partial
	jtrc 1 --merge a.partial utc.partial
	err_is "jkpi: utc.partial:1: partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): tz=Europe/Berlin in a.partial, nothing here"
}

# cohorts.csv: a first touch 2024-03-31T22:30Z = 04-01 00:30 CEST (April cohort in Berlin,
# March in UTC), again 2024-04-30T21:30Z = 04-30 23:30 CEST (April: period 0 in Berlin; May 0:00
# is 22:00Z, so in UTC it is April too); b first 2024-03-31T21:30Z = 03-31 23:30 CEST (March
# both ways), then 2024-04-01T08:00Z (April: period 1).
@test "jstage --tz: cohorts by the zone's months" {
	need_zone Europe/Berlin
	PROG=jstage
	printf 'customer,time,touchpoint\na,2024-03-31T22:30:00Z,order_placed\na,2024-04-30T21:30:00Z,order_placed\nb,2024-03-31T21:30:00Z,order_placed\nb,2024-04-01T08:00:00Z,login\n' >co.csv
	jt --cohorts month --tz Europe/Berlin co.csv
	same <<'EOF'
cohort,customers,0,1
2024-03,1,100.00,100.00
2024-04,1,100.00,
EOF
	jt --cohorts month co.csv
	same <<'EOF'
cohort,customers,0,1
2024-03,2,100.00,100.00
EOF
	# days: the 23-hour 31 March; a's first touch is on 04-01 in Berlin
	jt --cohorts day --counts --tz Europe/Berlin co.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'cohort,customers
2024-03-31,1
2024-04-01,1'
}

@test "jstage --tz: retention periods start at the zone's midnights (23 and 25-hour days), --clv months too" {
	need_zone Europe/Berlin
	PROG=jstage
	printf 'customer,time,touchpoint\na,2024-03-31T22:30:00Z,order_placed\nb,2024-03-31T21:30:00Z,order_placed\nb,2024-04-01T08:00:00Z,login\n' >r.csv
	jt --retention --period month --as-of 2024-06-01T00:00:00Z --tz Europe/Berlin r.csv
	# March starts 02-29T23:00Z (CET), April 03-31T22:00Z (CEST): a is new in April, b in March
	same <<'EOF'
from,to,customers_start,new,customers_end,lost,retained,retention_pct,churn_pct
2024-02-29T23:00:00Z,2024-03-31T22:00:00Z,0,1,1,0,0,,
2024-03-31T22:00:00Z,2024-04-30T22:00:00Z,1,1,2,0,1,100.00,0.00
2024-04-30T22:00:00Z,2024-05-31T22:00:00Z,2,0,2,0,2,100.00,0.00
EOF
	jt --retention --period day --as-of 2024-04-02T00:00:00Z --tz Europe/Berlin r.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'from,to
2024-03-30T23:00:00Z,2024-03-31T22:00:00Z
2024-03-31T22:00:00Z,2024-04-01T22:00:00Z'
	printf 'customer,time,touchpoint\nc,2024-10-26T22:00:00Z,order_placed\n' >f.csv
	jt --retention --period day --as-of 2024-10-29T00:00:00Z --tz Europe/Berlin f.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'from,to
2024-10-26T22:00:00Z,2024-10-27T23:00:00Z
2024-10-27T23:00:00Z,2024-10-28T23:00:00Z'
	# --clv counts churn over the zone's months: it runs, and --tz goes with no other view
	jt --clv --as-of 2024-06-01T00:00:00Z --tz Europe/Berlin r.csv
	jtrc 2 --paths --tz Europe/Berlin r.csv
	err_is "jstage: --tz sets the zone of the periods of --cohorts, --retention and --clv
Try 'jstage --help' for more information."
	jtrc 2 --cohorts month --tz Nowhere/Zone r.csv
	err_is "jstage: --tz: unknown time zone 'Nowhere/Zone' (no file ${TZDIR:-/usr/share/zoneinfo}/Nowhere/Zone)
Try 'jstage --help' for more information."
}

# bpic2012_cases.csv: REG_DATE carries the Dutch offset of its day (2011-10-01T00:38:44.546+02:00
# is the first application). With --tz Europe/Amsterdam the month is the text's own month, which
# awk reads independently; in UTC the first application falls in September.
@test "jkpi --tz: the real BPIC 2012 loan applications by month of their Dutch registration date" {
	need_shared
	need_zone Europe/Amsterdam
	PROG=jkpi
	local f="$SHARED/bpic2012-loan-application/bpic2012_cases.csv"
	jt -s -g month:REG_DATE -k count --tz Europe/Amsterdam "$f"
	{
		echo month_REG_DATE,count
		awk -F, 'NR > 1 { n[substr($2, 1, 7)]++ } END { for (m in n) print m "," n[m] }' "$f" | sort
	} >want
	same want <"$T/out"
	jt -s -g month:REG_DATE -k count "$f"
	assert_equal "$(sed -n 2p "$T/out")" "2011-09,1"
}
