#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jtouch time formats (jtouch(1) "Time formats", jtouch-profile(5) time_format,
# month_names): strptime-style formats, the automatic reader's day-first and
# month-first dates with '-' and '.', month names, YYYYMMDD, two-digit years,
# lists of readers, and the real Olist marketing funnel export (DD-MM-YYYY).
# Every expected instant was worked out by hand; the arithmetic is in the comments.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jtouch

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# readas 'FORMAT' 'VALUE' EXPECTED [ARGS...]: the one-row file x,VALUE read with
# --time-format FORMAT gives EXPECTED (a UTC time, or 'rejected': the file's
# one row rejected, which --max-rejects 100% lets pass with exit 0).
readas() {
	local fmt=$1 val=$2 want=$3
	shift 3
	printf 'id,t\nx,"%s"\n' "$val" >"$T/one.csv"
	jtrc 0 -q --max-rejects 100% --customer id --touch 'seen t' --time-format "$fmt" "$@" one.csv
	local got
	got=$(awk -F, 'NR == 2 { print $2 }' "$T/out")
	assert_equal "$fmt | $val -> ${got:-rejected}" "$fmt | $val -> $want"
}

# ---------------------------------------------------------------- directives
@test "time formats: %Y %m %d, one or two digits; %y; literal text; %% is a percent sign" {
	readas '%Y-%m-%d' '2018-02-01' 2018-02-01T00:00:00Z
	readas '%d/%m/%Y' '1/2/2018' 2018-02-01T00:00:00Z
	readas '%d/%m/%Y' '01/02/2018' 2018-02-01T00:00:00Z
	readas '%Y%m%d' '20180201' 2018-02-01T00:00:00Z
	readas '%y%m%d' '180201' 2018-02-01T00:00:00Z
	readas '"day %d of %m, %Y"' 'day 1 of 2, 2018' 2018-02-01T00:00:00Z
	readas '%d%%%m%%%Y' '01%02%2018' 2018-02-01T00:00:00Z
	# exact: three digits of a month, a year of three digits, trailing text, case of literal text
	readas '%d/%m/%Y' '01/002/2018' rejected
	readas '%d/%m/%Y' '01/02/218' rejected
	readas '%d/%m/%Y' '01/02/2018 ' rejected
	readas '"day %d/%m/%Y"' 'Day 01/02/2018' rejected
	# the calendar: 29 February only in leap years, no month 13
	readas '%d/%m/%Y' '29/02/2016' 2016-02-29T00:00:00Z
	readas '%d/%m/%Y' '29/02/2018' rejected
	readas '%d/%m/%Y' '01/13/2018' rejected
}

@test "time formats: %e takes a leading blank; a blank in a format matches one or more blanks or tabs" {
	readas '%b %e %Y' 'Feb  1 2018' 2018-02-01T00:00:00Z
	readas '%b %e %Y' 'Feb 1 2018' 2018-02-01T00:00:00Z
	readas '%e.%m.%Y' ' 1.02.2018' 2018-02-01T00:00:00Z
	readas '%d %m %Y' '01 	 02 2018' 2018-02-01T00:00:00Z
	readas '%d %m %Y' '0102 2018' rejected
}

@test "time formats: %H %M %S, %f dropped (truncated), %I with %p (12 AM is midnight, 12 PM noon)" {
	readas '%d.%m.%Y %H:%M:%S' '01.02.2018 13:05:09' 2018-02-01T13:05:09Z
	readas '%d.%m.%Y %H:%M' '01.02.2018 7:05' 2018-02-01T07:05:00Z
	readas '%d.%m.%Y %H' '01.02.2018 23' 2018-02-01T23:00:00Z
	readas '%Y-%m-%d %H:%M:%S.%f' '2018-02-01 13:05:09.987654321' 2018-02-01T13:05:09Z
	readas '%Y-%m-%d %H:%M:%S' '2018-02-01 23:59:60' 2018-02-01T23:59:59Z
	readas '%d.%m.%Y %H:%M' '01.02.2018 24:00' rejected
	readas '%d.%m.%Y %H:%M' '01.02.2018 10:60' rejected
	readas '%m/%d/%Y %I:%M %p' '2/1/2018 1:05 pm' 2018-02-01T13:05:00Z
	readas '%m/%d/%Y %I:%M %p' '2/1/2018 12:00 AM' 2018-02-01T00:00:00Z
	readas '%m/%d/%Y %I:%M %p' '2/1/2018 12:30 PM' 2018-02-01T12:30:00Z
	readas '%m/%d/%Y %I:%M%p' '2/1/2018 11:59PM' 2018-02-01T23:59:00Z
	readas '%m/%d/%Y %I:%M %p' '2/1/2018 13:00 PM' rejected
	readas '%m/%d/%Y %I:%M %p' '2/1/2018 0:30 AM' rejected
}

@test "time formats: %b and %B read the full or the short English name in any case; %j is the day of the year" {
	readas '%d %B %Y' '1 FEBRUARY 2018' 2018-02-01T00:00:00Z
	readas '%d %B %Y' '1 feb 2018' 2018-02-01T00:00:00Z
	readas '%d-%b-%Y' '01-Feb-2018' 2018-02-01T00:00:00Z
	readas '%d-%b-%y' '01-Sept-18' 2018-09-01T00:00:00Z
	readas '%b %d, %Y' 'June 30, 2018' 2018-06-30T00:00:00Z
	readas '%d %b %Y' '1 Febr 2018' rejected
	# day 32 is 1 February; 2016 is a leap year, so its day 366 is 31 December; 2018 has no day 366
	readas '%Y-%j' '2018-032' 2018-02-01T00:00:00Z
	readas '%Y-%j' '2018-32' 2018-02-01T00:00:00Z
	readas '%Y-%j' '2016-366' 2016-12-31T00:00:00Z
	readas '%Y-%j' '2018-366' rejected
	readas '%Y-%j' '2018-000' rejected
}

@test "time formats: %z is Z or an offset; %Z is UTC, GMT, Z, UT or an IANA zone; both win over --tz" {
	need_zone Europe/Berlin
	need_zone America/New_York
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09+0100' 2018-02-01T12:05:09Z
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09+01:00' 2018-02-01T12:05:09Z
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09-05' 2018-02-01T18:05:09Z
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09Z' 2018-02-01T13:05:09Z
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09+1' rejected
	readas '%Y-%m-%dT%H:%M:%S%z' '2018-02-01T13:05:09+24:00' rejected
	readas '%Y-%m-%dT%H:%M:%S %z' '2018-02-01T13:05:09 +01:00' 2018-02-01T12:05:09Z --tz America/New_York
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 utc' 2018-02-01T13:05:00Z --tz Europe/Berlin
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 GMT' 2018-02-01T13:05:00Z
	# Berlin is +01:00 in February and +02:00 in July; New York -05:00 in February
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 Europe/Berlin' 2018-02-01T12:05:00Z
	readas '%Y-%m-%d %H:%M %Z' '2018-07-01 13:05 Europe/Berlin' 2018-07-01T11:05:00Z
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 America/New_York' 2018-02-01T18:05:00Z --tz Europe/Berlin
	# a zone abbreviation is not a zone (PST is no file of the zone database); neither is a made-up name
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 PST' rejected
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 Mars/Olympus' rejected
	readas '%Y-%m-%d %H:%M %Z' '2018-02-01 13:05 ../etc/passwd' rejected
}

@test "time formats: a %Z column of more zones than are kept loaded still reads every row" {
	need_zone Europe/Berlin
	{
		echo id,t,expect
		for i in $(seq 1 20); do
			echo "a$i,2018-02-01 13:05 Etc/GMT-$((i % 12 + 1)),"
		done
	} >"$T/zones.csv"
	jt --customer id --touch 'seen t' --time-format '%Y-%m-%d %H:%M %Z' zones.csv
	# Etc/GMT-N is N hours east of UTC: 13:05 there is 13-N:05 UTC
	run awk -F, 'NR > 1 { split($1, a, "a"); n = a[2] % 12 + 1; want = sprintf("2018-02-01T%02d:05:00Z", 13 - n)
		if ($2 != want) print $1 ": " $2 " want " want }' "$T/out"
	assert_output ''
	assert_equal "$(wc -l <"$T/out")" 21
}

@test "time formats: a time without zone is local to --tz, as with auto" {
	need_zone Europe/Berlin
	need_zone America/New_York
	readas '%d-%m-%Y %H:%M' '01-02-2018 13:05' 2018-02-01T12:05:00Z --tz Europe/Berlin
	# 10 March 2024 02:30 does not exist in New York (gap): read with EST, 07:30Z, as auto does
	readas '%d-%m-%Y %H:%M' '10-03-2024 02:30' 2024-03-10T07:30:00Z --tz America/New_York
	readas '%d-%m-%Y' '01-02-2018' 2018-01-31T23:00:00Z --tz Europe/Berlin
}

@test "time formats: two-digit years are 1970 to 2069 (%y, and auto with a date order)" {
	readas '%d/%m/%y' '01/02/69' 2069-02-01T00:00:00Z
	readas '%d/%m/%y' '01/02/70' 1970-02-01T00:00:00Z
	readas '%d/%m/%y' '01/02/00' 2000-02-01T00:00:00Z
	readas '%d/%m/%y' '01/02/99' 1999-02-01T00:00:00Z
	readas '%d/%m/%y' '01/02/2018' rejected
	readas auto '01-02-69' 2069-02-01T00:00:00Z --date-order dmy
	readas auto '02/01/70 10:00' 1970-02-01T10:00:00Z --date-order mdy
	readas auto '1-Feb-99' 1999-02-01T00:00:00Z
	readas auto '01/02/018' rejected --date-order dmy
}

# ---------------------------------------------------------------- bad formats
# badfmt 'FORMAT' 'REASON': exit 2 before any input, the exact message.
badfmt() {
	printf 'id,t\nx,2018-02-01\n' >"$T/one.csv"
	jtrc 2 --customer id --touch 'seen t' --time-format "$1" one.csv
	err_is "jtouch: --time-format '$1': time format '$1': $2
Try 'jtouch --help' for more information."
	assert_equal "$(cat "$T/out")" ""
}

@test "time formats: every bad format is a usage error (exit 2) with its reason" {
	badfmt '%d.%q.%Y' "unknown directive '%q' (directives: %Y %y %m %d %e %H %I %M %S %f %p %b %B %j %z %Z %%)"
	badfmt '%Y-%m-%d %' "a % at the end (%% is a percent sign)"
	badfmt '%d.%m' 'no year (%Y or %y)'
	badfmt '%Y %d' 'no month (%m, %b or %B; or %j, the day of the year)'
	badfmt '%Y-%m' 'no day (%d or %e)'
	badfmt '%Y-%m-%d %Y' '%Y twice'
	badfmt '%Y %y %m %d' '%Y and %y both give the year'
	badfmt '%Y %m %b %d' '%m and %b both give the month'
	badfmt '%Y %m %d %e' '%d and %e both give the day'
	badfmt '%Y %m %d %H %I %p' '%H and %I both give the hour'
	badfmt '%Y %m %d %H:%M:%S %z %Z' '%z and %Z both give the zone'
	badfmt '%Y-%j-%m' '%j is the day of the year: it goes without %m'
	badfmt '%Y-%d-%j' '%j is the day of the year: it goes without %d'
	badfmt '%Y-%m-%d %I:%M' '%I needs %p (AM or PM; %H is the hour 0-23)'
	badfmt '%Y-%m-%d %H:%M %p' '%p needs %I, the hour 1-12'
	badfmt '%Y-%m-%d %M' '%M needs an hour (%H or %I)'
	badfmt '%Y-%m-%d %H %S' '%S needs %M'
	badfmt '%Y-%m-%d %H:%M.%f' '%f needs %S'
	printf 'id,t\nx,2018-02-01\n' >"$T/one.csv"
	jtrc 2 --customer id --touch 'seen t' --time-format "$(printf '%%Y-%%m-%%d%%\001')" one.csv
	err_is "jtouch: --time-format '%Y-%m-%d%\\x01': time format '%Y-%m-%d%\\x01': unknown directive '%\\x01' (directives: %Y %y %m %d %e %H %I %M %S %f %p %b %B %j %z %Z %%)
Try 'jtouch --help' for more information."
	local long
	long="%Y-%m-%d$(printf '%0250d' 0)"
	# a long value is shown cut at 80 bytes, as every value in a message
	printf 'id,t\nx,2018-02-01\n' >"$T/one.csv"
	jtrc 2 --customer id --touch 'seen t' --time-format "$long" one.csv
	err_is "jtouch: --time-format '${long:0:81}...': time format '${long:0:81}...': a time format of more than 256 bytes
Try 'jtouch --help' for more information."
}

@test "time formats: a setting that is no reader, or a format after a column, is a usage error" {
	printf 'id,t\nx,2018-02-01\n' >"$T/one.csv"
	jtrc 2 --customer id --touch 'seen t' --time-format 'iso t' one.csv
	err_is "jtouch: --time-format 'iso t': time format 'iso' is not auto, epoch, epoch_ms or a format with % directives (such as %d.%m.%Y)
Try 'jtouch --help' for more information."
	jtrc 2 --customer id --touch 'seen t' --time-format '%Y%m%d t %d.%m.%Y' one.csv
	err_is "jtouch: --time-format '%Y%m%d t %d.%m.%Y': time_format: '%d.%m.%Y' comes after the column 't': the formats come first (quote each format when a line gives several)
Try 'jtouch --help' for more information."
	jtrc 2 --customer id --touch 'seen t' --time-format '' one.csv
	err_is "jtouch: --time-format '': time_format needs auto, epoch, epoch_ms or a format such as %d.%m.%Y [COLUMN ...]
Try 'jtouch --help' for more information."
	# in a profile: the file, line and the column of the format
	printf 'customer id\ntouch seen t\ntime_format "%%d.%%m.%%Y" "%%Y-%%m" t\n' >"$T/p.profile"
	jtrc 2 -p "$T/p.profile" one.csv
	err_is "jtouch: $T/p.profile:3:24: time format '%Y-%m': no day (%d or %e)
Try 'jtouch --help' for more information."
}

# ---------------------------------------------------------------- lists of readers
@test "time formats: repeated settings add readers, the first that reads wins; the rejection names them" {
	printf 'id,t\na,01-02-2018\nb,01-02-2018 13:05\nc,2018-02-01T13:05:00Z\nd,1 Feb 2018\ne,\n' >"$T/mix.csv"
	jtrc 0 --customer id --touch 'seen t' --time-format '%d-%m-%Y %H:%M' --time-format '%d-%m-%Y' mix.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee
a,2018-02-01T00:00:00Z,seen,mix,,,,,,,,,,
b,2018-02-01T13:05:00Z,seen,mix,,,,,,,,,,
EOF
	err_is "jtouch: mix.csv:4: column 't': '2018-02-01T13:05:00Z' is not a time (tried: '%d-%m-%Y %H:%M', '%d-%m-%Y')
jtouch: mix.csv:5: column 't': '1 Feb 2018' is not a time (tried: '%d-%m-%Y %H:%M', '%d-%m-%Y')
jtouch: 5 rows in: 2 emitted 2 touches; 1 without a timestamp; 2 rejected
jtouch: 2 rows rejected (2 bad time) (use --rejects FILE to keep them)"
	# auto as one of the readers: ISO and month names by auto, the rest by the format
	jtrc 0 -q --customer id --touch 'seen t' --time-format 'auto "%d-%m-%Y %H:%M" %d-%m-%Y' mix.csv
	same <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee
a,2018-02-01T00:00:00Z,seen,mix,,,,,,,,,,
b,2018-02-01T13:05:00Z,seen,mix,,,,,,,,,,
c,2018-02-01T13:05:00Z,seen,mix,,,,,,,,,,
d,2018-02-01T00:00:00Z,seen,mix,,,,,,,,,,
EOF
	# the first reader that reads wins: month first before day first
	jtrc 0 -q --customer id --touch 'seen t' --time-format '%m-%d-%Y' --time-format '%d-%m-%Y %H:%M' \
		--time-format auto mix.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-01-02T00:00:00Z
b,2018-02-01T13:05:00Z
c,2018-02-01T13:05:00Z
d,2018-02-01T00:00:00Z'
}

@test "time formats: a column's own formats, else the formats for every column, else auto" {
	printf 'id,a,b,c\nx,01.02.2018,1517443200123,2018-02-01T10:00:00Z\n' >"$T/cols.csv"
	jt --customer id --touch 'ta a' --touch 'tb b' --touch 'tc c' --time-format 'epoch_ms b' \
		--time-format '%d.%m.%Y a' cols.csv
	run cut -d, -f2,3 "$T/out"
	# 1517443200 s = 17562 days = 2018-02-01T00:00:00Z
	assert_output 'time,touchpoint
2018-02-01T00:00:00Z,ta
2018-02-01T00:00:00Z,tb
2018-02-01T10:00:00Z,tc'
	jtrc 0 -q --customer id --touch 'ta a' --touch 'tc c' --time-format '%d.%m.%Y' --time-format 'auto c' \
		cols.csv
	run cut -d, -f2,3 "$T/out"
	assert_output 'time,touchpoint
2018-02-01T00:00:00Z,ta
2018-02-01T10:00:00Z,tc'
}

@test "time formats: in a profile, a quoted format may hold blanks; unquoted pieces with a % are one format" {
	printf 'id,t,u\nx,01.02.2018 13:05,1 Feb 2018\n' >"$T/p.csv"
	printf 'customer id\ntouch a t\ntouch b u\ntime_format "%%d.%%m.%%Y %%H:%%M" %%d.%%m.%%Y t\ntime_format %%e %%b %%Y u\n' \
		>"$T/p.profile"
	jt -p "$T/p.profile" p.csv
	run cut -d, -f2,3 "$T/out"
	assert_output 'time,touchpoint
2018-02-01T13:05:00Z,a
2018-02-01T00:00:00Z,b'
	# a plain --time-format '%e %b %Y' (no column) is the one format too
	jt --customer id --touch 'b u' --time-format '%e %b %Y' p.csv
	run cut -d, -f2 "$T/out"
	assert_line --index 1 2018-02-01T00:00:00Z
}

@test "time formats: a duration between two formatted columns" {
	printf 'id,opened,solved\nx,01-02-2018 13:05,02-02-2018 14:06\n' >"$T/d.csv"
	jt --customer id --touch 'ticket_opened opened' --touch 'ticket_solved solved' \
		--measure 'resolution_s = solved - opened on ticket_solved' --time-format '%d-%m-%Y %H:%M' "$T/d.csv"
	# one day, one hour and one minute: 86400 + 3600 + 60 = 90060
	run cut -d, -f3,10 "$T/out"
	assert_output 'touchpoint,resolution_s
ticket_opened,
ticket_solved,90060'
}

# ---------------------------------------------------------------- auto
@test "auto: day-first and month-first dates with '-' and '.' follow --date-order as '/' does" {
	printf 'id,t\na,01-02-2018\nb,1.2.2018 13:05\nc,01/02/2018\n' >"$T/a.csv"
	jt --customer id --touch 'seen t' --date-order dmy a.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-02-01T00:00:00Z
b,2018-02-01T13:05:00Z
c,2018-02-01T00:00:00Z'
	jt --customer id --touch 'seen t' --date-order mdy a.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-01-02T00:00:00Z
b,2018-01-02T13:05:00Z
c,2018-01-02T00:00:00Z'
	# without an order a dashed date stops as a slash date does; a dotted one is day first
	jtrc 1 --customer id --touch 'seen t' a.csv
	err_is "jtouch: a.csv:2: column 't': '01-02-2018' is a day/month date; say which order with --date-order mdy or --date-order dmy"
	printf 'id,t\nb,1.2.2018 13:05\n' >"$T/dot.csv"
	jt --customer id --touch 'seen t' dot.csv
	run cut -d, -f2 "$T/out"
	assert_line --index 1 2018-02-01T13:05:00Z
}

@test "auto: month names (D-Mon-Y, D Mon Y, D/Mon/Y, D. Month Y, Mon D, Y) need no date order" {
	cat >"$T/m.csv" <<'EOF'
id,t
a,01-Feb-2018
b,1 Feb 2018
c,01/FEB/2018 13:05
d,"Feb 1, 2018"
e,February 1 2018 1:05 PM
f,1. February 2018
g,1-feb-18
h,"Sept 30, 2018 23:59:59 UTC"
i,1 Feb. 2018
j,Feb-01-2018
k,"1 Feb, 2018"
l,31 Feb 2018
EOF
	jtrc 0 --customer id --touch 'seen t' m.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-02-01T00:00:00Z
b,2018-02-01T00:00:00Z
c,2018-02-01T13:05:00Z
d,2018-02-01T00:00:00Z
e,2018-02-01T13:05:00Z
f,2018-02-01T00:00:00Z
g,2018-02-01T00:00:00Z
h,2018-09-30T23:59:59Z'
	err_is "jtouch: m.csv:10: column 't': '1 Feb. 2018' is not a time
jtouch: m.csv:11: column 't': 'Feb-01-2018' is not a time
jtouch: m.csv:12: column 't': '1 Feb, 2018' is not a time
jtouch: m.csv:13: column 't': '31 Feb 2018' is not a time
jtouch: 12 rows in: 8 emitted 8 touches; 4 rejected
jtouch: 4 rows rejected (4 bad time) (use --rejects FILE to keep them)"
}

@test "auto: YYYYMMDD, alone, with THHMM[SS][.frac][zone] or a time after a blank" {
	cat >"$T/b.csv" <<'EOF'
id,t
a,20180201
b,20180201T1305
c,20180201T130509.5Z
d,20180201T130509+0100
e,20180201 13:05
f,20180231
g,201802011
h,20180201T13
EOF
	jtrc 0 --customer id --touch 'seen t' b.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-02-01T00:00:00Z
b,2018-02-01T13:05:00Z
c,2018-02-01T13:05:09Z
d,2018-02-01T12:05:09Z
e,2018-02-01T13:05:00Z'
	run grep -c 'is not a time' "$T/err"
	assert_output 3
}

# ---------------------------------------------------------------- month names
@test "month names: a file of other names serves %b, %B and auto; case folds ASCII and Latin-1 letters" {
	cat >"$T/de.months" <<'EOF'
# German month names, January first
Januar Jan. Jan Jänner
Februar Feb. Feb
März Mär. Mär
April Apr. Apr
Mai
Juni Jun. Jun
Juli Jul. Jul
August Aug. Aug

September Sep. Sep Sept.
Oktober Okt. Okt
November Nov. Nov
Dezember Dez. Dez
EOF
	cat >"$T/de.csv" <<'EOF'
id,t
a,1. MÄRZ 2018 um 13:05
b,3. Dez. 2018 um 9:00
c,1. März 2018
d,1. March 2018 um 13:05
EOF
	jtrc 0 --customer id --touch 'seen t' --month-names "$T/de.months" --time-format '"%d. %B %Y um %H:%M"' \
		--time-format auto de.csv
	run cut -d, -f1,2 "$T/out"
	assert_output 'customer,time
a,2018-03-01T13:05:00Z
b,2018-12-03T09:00:00Z
c,2018-03-01T00:00:00Z'
	err_is "jtouch: de.csv:5: column 't': '1. March 2018 um 13:05' is not a time (tried: '%d. %B %Y um %H:%M', auto)
jtouch: 4 rows in: 3 emitted 3 touches; 1 rejected
jtouch: 1 row rejected (1 bad time) (use --rejects FILE to keep them)"
	# the same as a profile line
	printf 'customer id\ntouch seen t\nmonth_names %s\ntime_format "%%d. %%B %%Y um %%H:%%M" auto\n' "$T/de.months" \
		>"$T/de.profile"
	jtrc 0 -q -p "$T/de.profile" de.csv
	assert_equal "$(wc -l <"$T/out")" 4
}

@test "month names: a bad file is a usage error at its line (exit 2)" {
	printf 'id,t\nx,2018-02-01\n' >"$T/one.csv"
	bad() {
		printf "$1" >"$T/bad.months"
		jtrc 2 --customer id --touch 'seen t' --month-names "$T/bad.months" one.csv
		err_is "jtouch: --month-names '$T/bad.months': month_names $T/bad.months:$2
Try 'jtouch --help' for more information."
	}
	bad 'jan\nfeb\n' "2: 2 lines of month names, not 12 (one line per month, January first)"
	bad '' "0: 0 lines of month names, not 12 (one line per month, January first)"
	bad '1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n' "1: month name '1' has a digit"
	bad 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n' "13: more than 12 lines of month names (one line per month, January first)"
	bad 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nA\n' "12: month name 'A' is on the lines of month 1 and month 12"
	bad 'a b c d e f g h i\n' "1: more than 8 names for month 1"
	bad "$(printf 'x%.0s' $(seq 33))\n" "1: month name '$(printf 'x%.0s' $(seq 33))' is longer than 32 bytes"
	jtrc 2 --customer id --touch 'seen t' --month-names "$T" one.csv
	err_is "jtouch: --month-names '$T': month_names: $T is not a regular file of at most 16 KiB
Try 'jtouch --help' for more information."
	jtrc 2 --customer id --touch 'seen t' --month-names "$T/none.months" one.csv
	err_is "jtouch: --month-names '$T/none.months': month_names: cannot read $T/none.months: No such file or directory
Try 'jtouch --help' for more information."
}

# ---------------------------------------------------------------- real exports
# olist-marketing-funnel (PROVENANCE.md): the MQL file's first_contact_date is DD-MM-YYYY,
# the closed deals' won_date DD-MM-YYYY HH:MM (a spreadsheet re-save). With --date-order dmy
# every row reads; each time is the text turned around by awk, independently.
@test "auto: the real Olist marketing funnel (DD-MM-YYYY and DD-MM-YYYY HH:MM) with --date-order dmy" {
	need_shared
	local d="$SHARED/olist-marketing-funnel"
	jt --customer mql_id --touch 'mql first_contact_date' --date-order dmy --stats "$T/st.csv" \
		"$d/olist_marketing_qualified_leads_dataset.csv"
	stats_are rows_in=8000 rows_out=8000 rows_rejected=0
	awk -F, 'NR > 1 { sub(/\r$/, ""); split($2, a, "-"); print $1 "," a[3] "-" a[2] "-" a[1] "T00:00:00Z" }' \
		"$d/olist_marketing_qualified_leads_dataset.csv" >"$T/want"
	cut -d, -f1,2 "$T/out" | sed 1d | same "$T/want"
	jt --customer mql_id --touch 'won won_date' --date-order dmy "$d/olist_closed_deals_dataset.csv"
	awk -F, 'NR > 1 { split($5, a, /[- ]/); print $1 "," a[3] "-" a[2] "-" a[1] "T" a[4] ":00Z" }' \
		"$d/olist_closed_deals_dataset.csv" >"$T/want"
	cut -d, -f1,2 "$T/out" | sed 1d | same "$T/want"
	assert_equal "$(wc -l <"$T/want")" 842
	# the same with an explicit format, and no date order
	jt --customer mql_id --touch 'won won_date' --time-format '%d-%m-%Y %H:%M' "$d/olist_closed_deals_dataset.csv"
	cut -d, -f1,2 "$T/out" | sed 1d | same "$T/want"
}
