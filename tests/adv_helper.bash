# Shared by the adversarial suites (tests/adv_*.bats): every program, one
# minimal invocation each, run on the same hostile touch stream.
# Load after test_helper.

ADV_PROGS="jtouch jstage jvalue jrefer jkpi"
H=customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee

# adv_args PROG: sets ADV_ARGS to what PROG needs to run on a touch stream.
# jtouch reads it as a survey export (customer and time named explicitly,
# nps/csat/ces as the profile's measures); jkpi counts and computes NPS.
adv_args() {
	case $1 in
	jtouch) ADV_ARGS=(-p survey --customer customer --touch 'survey_response time') ;;
	jkpi) ADV_ARGS=(-k count,nps:nps) ;;
	*) ADV_ARGS=() ;;
	esac
}

# arun RC PROG ARGS...: PROG with its minimal options, --stats st.csv and
# ARGS; stdout -> $T/out, stderr -> $T/err; the exit status must be RC.
arun() {
	local want=$1 p=$2
	shift 2
	adv_args "$p"
	rm -f "$T/st.csv"
	PROG=$p jtrc "$want" "${ADV_ARGS[@]}" --stats "$T/st.csv" "$@"
}

# errs_are PROG LINE...: stderr is exactly these lines; jtouch's own summary
# line ("N rows in: ...", tested in jtouch.bats) and its word on the survey
# profile's optional columns the touch stream lacks (response_id, comment;
# tested in carry_alias.bats) are left out of the comparison.
errs_are() {
	local p=$1 want
	shift
	want=$(printf '%s\n' "$@")
	if [ $# -eq 0 ]; then want=''; fi
	assert_equal "$(grep -v -E '^jtouch: ([0-9]+ rows? in: |warning: survey: .* has no columns? .*\(optional: )' "$T/err")" "$want"
	if [ "$p" = jtouch ] && [ -s "$T/st.csv" ] && [ "$(stat_of rows_rejected)" != 0 ]; then
		grep -q -E "^jtouch: [0-9]+ rows? in: .*; $(stat_of rows_rejected) rejected\$" "$T/err" ||
			{ echo "jtouch: no 'rows in' line" >&2; return 1; }
	fi
	return 0
}

# header_of PROG: the first line PROG writes on the touch stream $H.
header_of() {
	case $1 in
	jtouch) echo "$H,response_id,comment" ;;
	jstage) echo "$H,stage,step,gap_s" ;;
	jvalue) echo "$H,activity,activity_kind" ;;
	jrefer) echo "referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite" ;;
	jkpi) echo "count,nps_nps,nps_nps_lo,nps_nps_hi,nps_nps_promoters,nps_nps_passives,nps_nps_detractors,nps_nps_n,nps_nps_missing" ;;
	esac
}

# row N [NPS]: a survey touch of customer cN on 2024-01-0N.
row() {
	printf 'c%s,2024-01-0%sT10:00:00Z,survey_response,survey,web,%s,,,,,,,,\n' "$1" "$1" "${2-9}"
}

# no_stats: the run stopped before writing --stats.
no_stats() {
	if [ -e "$T/st.csv" ]; then
		echo "--stats written by a run that stopped" >&2
		return 1
	fi
}

adv_setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}
