#!/usr/bin/env bats
# jstage --funnel: the best attempt of each customer in linear time, checked against the way
# it was found before, every start tried (tests/unit/jstage-scan, built from the same source
# with JT_FUNNEL_SCAN=1: the attempts of old, which make a customer's funnel quadratic in their
# touches). Both binaries must write the same bytes for every --order, --window,
# --step-windows and --attribution on random touch streams; and one customer with a million
# touches must be counted right, in seconds.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$BATS_TEST_TMPDIR
	SCAN="$REPO/tests/unit/jstage-scan"
	[ -x "$SCAN" ] || skip "tests/unit/jstage-scan is not built (make check builds it)"
}

# iso(t): seconds since 1970 as YYYY-MM-DDTHH:MM:SSZ (Hinnant's civil_from_days).
ISO_AWK='
function iso(t,   z, era, doe, yoe, y, doy, mp, d, m, s) {
	s = t % 86400; z = (t - s) / 86400 + 719468
	era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y + (m <= 2), m, d, int(s / 3600), int(s % 3600 / 60), s % 60)
}'

# random.csv: 60 customers, most with up to 25 touches, every tenth with up to 200, touchpoints
# a, b, c, d, x and channels p, q, r drawn at random; gaps of 0 (same second), 1-3 hours, or
# ten times that, so that windows of 12 h and 2 d cut attempts short.
random_stream() {
	awk -v SEED="$1" "$ISO_AWK"'
	BEGIN {
		srand(SEED); split("a b c d x", tp, " "); split("p q r", ch, " ")
		print "customer,time,touchpoint,channel"
		for (c = 1; c <= 60; c++) {
			n = int(rand() * (c % 10 == 0 ? 200 : 25)); t = 1704067200
			for (i = 0; i < n; i++) {
				if (rand() < 0.8)
					t += int(rand() * 4) * 3600 * (rand() < 0.3 ? 10 : 1)
				printf "c%03d,%s,%s,%s\n", c, iso(t), tp[1 + int(rand() * 5)], ch[1 + int(rand() * 3)]
			}
		}
	}'
}

@test "funnel: the linear best attempt writes what trying every start wrote, for every order, window, step window and attribution" {
	printf '%s\n' 'one touchpoint ^a$' 'two touchpoint ^(b|d)$' 'three touchpoint ^c$' >"$T/r.rules"
	local seed steps order win sw at n=0 bad=0 seeds='1 2'
	local -a args
	# one stream under the sanitizers (each run there costs ten): the same paths, half the runs
	[ -z "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ] || seeds=1
	for seed in $seeds; do
		random_stream "$seed" >"$T/s.csv"
		for steps in 'touchpoint:^a$,touchpoint:^b$,touchpoint:^c$' \
			'touchpoint:a|b,touchpoint:b|c,touchpoint:^c$,touchpoint:.' \
			'touchpoint:^a$,touchpoint:^a$,touchpoint:^b$' 'one,two,three' 'one,one,two,three,touchpoint:x'; do
			for order in ordered strict unordered; do
				for win in '' 2d 12h; do
					for sw in '' 6h,2h -,3h; do
						[ "$order" = unordered ] && [ -n "$sw" ] && continue
						for at in '' first all step:2; do
							args=(-r "$T/r.rules" --funnel "$steps" --order "$order")
							[ -n "$win" ] && args+=(--window "$win")
							[ -n "$sw" ] && args+=(--step-windows "$sw")
							[ -n "$at" ] && args+=(-g channel --attribution "$at")
							"$REPO/bin/jstage" "${args[@]}" "$T/s.csv" >"$T/new.csv"
							"$SCAN" "${args[@]}" "$T/s.csv" >"$T/old.csv"
							n=$((n + 1))
							if ! cmp -s "$T/new.csv" "$T/old.csv"; then
								bad=$((bad + 1))
								echo "seed $seed: jstage ${args[*]}" >&2
								diff "$T/old.csv" "$T/new.csv" >&2 || true
							fi
						done
					done
				done
			done
		done
	done
	assert_equal "$n runs, $bad differ" "$((420 * $(wc -w <<<"$seeds"))) runs, 0 differ"
	# the streams do have customers who reach every step, and some who stop short (the last
	# stream written: seed 2, or 1 under the sanitizers)
	"$REPO/bin/jstage" -r "$T/r.rules" --funnel one,two,three --window 12h "$T/s.csv" >"$T/out"
	run cut -d, -f1,3 "$T/out"
	if [ "$seed" = 2 ]; then
		assert_output "step,customers
1,47
2,40
3,19"
	else
		assert_output "step,customers
1,51
2,40
3,26"
	fi
}

# One customer with a million touches: 999,998 visits (v) a minute apart from 2024-01-01, a
# signup (s) 30 s after visit K = 500,000 and an order (o) 10 s after it. Trying every start
# scanned up to 129,600 visits for each of them (the 90 days of the window). Expected:
#   ordered: the earliest start whose window holds the order: 60 (K - i) + 40 <= 7,776,000
#     -> i = K - 129,599; times to convert 60 * 129,599 + 30 = 7,775,970 and + 10 = 7,775,980
#   unordered: the same start and times (the visit, then s, then o: '2 of 3', '3 of 3')
#   strict: only visit K is followed directly by s and then o: 30 and 40
#   v,o,x (no x): nobody gets past the order; the earliest start with the order in its window
#     -> 7,775,980; every start is tried
#   --step-windows 1m,1m: s is within a minute of the latest visit before it (30 s) and o of s
#   -g channel (visits on web, s and o on app): first gives web, last app
@test "funnel: one customer with a million touches, in seconds, and right" {
	awk "$ISO_AWK"'
	BEGIN {
		print "customer,time,touchpoint,channel"
		b = 1704067200; K = 500000
		for (i = 0; i < 999998; i++) {
			printf "bot,%s,v,web\n", iso(b + 60 * i)
			if (i == K)
				printf "bot,%s,s,app\nbot,%s,o,app\n", iso(b + 60 * K + 30), iso(b + 60 * K + 40)
		}
	}' >"$T/bot.csv"
	run grep -c '' "$T/bot.csv"
	assert_output 1000001
	local steps='touchpoint:^v$,touchpoint:^s$,touchpoint:^o$'
	run -0 timeout 60 "$REPO/bin/jstage" --funnel "$steps" "$T/bot.csv"
	run cut -d, -f1,3,4,10,11 <<<"$output"
	assert_output "step,customers,conversion_pct,median_s,p90_s
1,1,100.00,,
2,1,100.00,7775970,7775970
3,1,100.00,7775980,7775980"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel "$steps" --order unordered "$T/bot.csv"
	run cut -d, -f1-3,10 <<<"$output"
	assert_output "step,name,customers,median_s
1,1 of 3,1,
2,2 of 3,1,7775970
3,3 of 3,1,7775980"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel "$steps" --order strict "$T/bot.csv"
	run cut -d, -f1,3,10 <<<"$output"
	assert_output "step,customers,median_s
1,1,
2,1,30
3,1,40"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel 'touchpoint:^v$,touchpoint:^o$,touchpoint:^x$' "$T/bot.csv"
	run cut -d, -f1,3,10 <<<"$output"
	assert_output "step,customers,median_s
1,1,
2,1,7775980
3,0,"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel 'touchpoint:^v$,touchpoint:^o$,touchpoint:^x$' --order unordered "$T/bot.csv"
	run cut -d, -f1,3,10 <<<"$output"
	assert_output "step,customers,median_s
1,1,
2,1,7775980
3,0,"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel "$steps" --step-windows 1m,1m -g channel --attribution last "$T/bot.csv"
	run cut -d, -f1,2,4,11 <<<"$output"
	assert_output "channel,step,customers,median_s
app,1,1,
app,2,1,7775970
app,3,1,7775980"
	run -0 timeout 60 "$REPO/bin/jstage" --funnel "$steps" -g channel "$T/bot.csv"
	run cut -d, -f1,2,4 <<<"$output"
	assert_output "channel,step,customers
web,1,1
web,2,1
web,3,1"
}
