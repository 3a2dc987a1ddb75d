#!/usr/bin/env bats
# The whole pipeline on the sample exports (share/jtools/sample, synthetic,
# made by gen-exports.awk and gen-surveys.awk): jtouch -> jstage -> jvalue ->
# jkpi, plus the journey views and jrefer, as make demo runs them. The outputs
# are goldens (a change in any program shows here); a few figures are
# recomputed from the raw exports with awk.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	S=$REPO/share/jtools/sample
}

pipeline() {
	jtouch -q --rejects "$T/rj.csv" --stats "$T/st.csv" -o "$T/touches.csv" \
		-p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv"
	jstage --outcome default -o "$T/journeys.csv" "$T/touches.csv"
	jvalue -o "$T/value-chain.csv" "$T/journeys.csv"
}

@test "pipeline: the samples regenerate byte for byte from their generators" {
	awk -v OUT="$T" -v SURVEYS="$S/surveys.csv" -f "$S/gen-exports.awk"
	for f in tickets orders referrals events; do
		cmp "$S/$f.csv" "$T/$f.csv"
	done
}

@test "pipeline: jtouch reads every sample; rows in = out + rejected; touches per source match the raw files" {
	pipeline
	run awk -F, '$1 == "rows_in" || $1 == "rows_out" || $1 == "rows_rejected" || $1 == "rows_skipped" { v[$1] = $2 }
		END { print v["rows_in"] == v["rows_out"] + v["rows_skipped"] + v["rows_rejected"] }' "$T/st.csv"
	assert_output 1
	# events: one touch per row with a user and a time (the file has no quoted newlines)
	want=$(awk -F, 'NR > 1 && $1 != "" && $3 != "" { n++ } END { print n }' "$S/events.csv")
	run awk -F, 'NR > 1 && $4 == "events" { n++ } END { print n }' "$T/touches.csv"
	assert_output "$want"
	# orders: one order_placed per row with a customer, a time and a readable amount
	want=$(awk -F, 'NR > 1 && $2 != "" && $3 != "" && $8 != "n/a" { n++ } END { print n }' "$S/orders.csv")
	run awk -F, 'NR > 1 && $3 == "order_placed" { n++ } END { print n }' "$T/touches.csv"
	assert_output "$want"
}

@test "pipeline: the value-chain x journey report and its NPS matrix (goldens)" {
	pipeline
	jkpi -q -s -g activity,stage --per customer \
		-k touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred \
		-o "$T/report.csv" "$T/value-chain.csv"
	diff -u "$EXP/pipeline/report.csv" "$T/report.csv"
	jkpi -q -s -g activity --pivot stage --pivot-order awareness,consideration,purchase,support,loyalty,advocacy \
		--per customer -k nps:next_nps -o "$T/m.csv" "$T/value-chain.csv"
	diff -u "$EXP/pipeline/matrix-nps.csv" "$T/m.csv"
}

@test "pipeline: funnel, variants, retention, moments that matter and referrals (goldens)" {
	pipeline
	jstage -q --funnel awareness,consideration,purchase,loyalty,advocacy -o "$T/funnel.csv" "$T/touches.csv"
	diff -u "$EXP/pipeline/funnel.csv" "$T/funnel.csv"
	jstage -q --variants --collapse --top 10 -o "$T/variants.csv" "$T/touches.csv"
	diff -u "$EXP/pipeline/variants.csv" "$T/variants.csv"
	jstage -q --retention --period month -o "$T/retention.csv" "$T/touches.csv"
	diff -u "$EXP/pipeline/retention.csv" "$T/retention.csv"
	jvalue -q --impact next_nps --min-n 5 -o "$T/impact.csv" "$T/journeys.csv"
	diff -u "$EXP/pipeline/impact-nps.csv" "$T/impact.csv"
	jrefer -q --summary -o "$T/ref.csv" "$T/touches.csv"
	diff -u "$EXP/pipeline/referrals.csv" "$T/ref.csv"
}

@test "pipeline: support problems sink NPS: every support cell below the overall NPS (impact difference < 0)" {
	pipeline
	jvalue -q --impact next_nps --min-n 5 -o "$T/impact.csv" "$T/journeys.csv"
	run awk -F, '$2 == "support" && $8 != "" && $8 + 0 >= 0 { print }' "$T/impact.csv"
	assert_output ''
}

@test "pipeline: make demo's script runs and names its folder" {
	cd "$T"
	mkdir -p bin share
	ln -s "$REPO/bin/"* bin/
	ln -s "$REPO/share/jtools" share/jtools
	run sh "$REPO/mk/demo.sh"
	assert_success
	assert_output --partial "Full report files: demo-out/"
	[ -s demo-out/report.csv ]
	[ -s demo-out/matrix-nps.csv ]
}
