#!/usr/bin/env bats
# The one-page report of make demo (jkpi --format html with --attach): its
# bytes (golden), that it is self-contained, and that a browser shows the
# figures: headless Chromium renders it (--dump-dom) and takes a screenshot for
# people to look at (tests/artifacts/report.png, not in git). Chromium is
# installed on demand by `sh mk/deps.sh chromium`; where it cannot be, the
# browser test skips and says so.
bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	export D="$BATS_FILE_TMPDIR/demo"
	(cd "$REPO" && JT_DEMO_OUT="$D" sh mk/demo.sh >"$BATS_FILE_TMPDIR/demo.log" 2>&1)
}

browser() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v $b >/dev/null 2>&1 && { echo $b; return; }
	done
	return 1
}

@test "report page: make demo writes one page: NPS heatmap, funnel, moments that matter, referrals (golden)" {
	diff -u "$EXP/pipeline/report.html" "$D/report.html"
}

@test "report page: self-contained and in order: no script, link or remote asset; sections as attached" {
	run grep -c -i -E '<script|<link|src=|href=|url\(|@import|https?:' "$D/report.html"
	assert_output 0
	run grep -o '<h[12]>[^<]*' "$D/report.html"
	assert_output "<h1>Value chain x customer journey: NPS after the touch
<h2>nps_next_nps by activity × stage (each customer once per cell)
<h2>Funnel: awareness to advocacy
<h2>Moments that matter: NPS after a touch against never touched (worst first)
<h2>Referral program"
	# rows in Porter's order, columns in the stage rules' order
	run sh -c "grep -o '<tr><td>[a-z_]*</td>' '$D/report.html' | head -8 | sed 's/<[^>]*>//g' | paste -sd, -"
	assert_output operations,outbound_logistics,marketing_sales,service,procurement,technology,human_resources,infrastructure
	run sh -c "grep -o '<thead><tr><th>activity</th>.*</tr></thead>' '$D/report.html' | head -1"
	assert_output '<thead><tr><th>activity</th><th>awareness</th><th>consideration</th><th>purchase</th><th>support</th><th>loyalty</th><th>advocacy</th></tr></thead>'
}

@test "report page: headless Chromium shows the cells and figures (screenshot in tests/artifacts)" {
	if ! b=$(browser); then
		sh "$REPO/mk/deps.sh" chromium >"$BATS_FILE_TMPDIR/chromium-install.log" 2>&1 || true
		b=$(browser) || skip "Chromium is not installed and 'sh mk/deps.sh chromium' could not install it: the page was not rendered"
	fi
	flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --user-data-dir=$BATS_TEST_TMPDIR/profile"
	# shellcheck disable=SC2086
	timeout 120 $b $flags --dump-dom "file://$D/report.html" >"$BATS_TEST_TMPDIR/dom.html" 2>/dev/null
	dom=$BATS_TEST_TMPDIR/dom.html
	# the heatmap: human_resources at support rests on 14 answers (under --min-n 30: marked thin,
	# not coloured); marketing_sales at purchase is coloured, with its n under the figure
	run grep -c '<td class="n t" title="n=14: fewer than 30 values">-71.43<small>n=14</small></td>' "$dom"
	assert_output 1
	run grep -c '<td class="n" style="background:hsl([0-9]*,70%,80%)">26.69<small>n=1004</small></td>' "$dom"
	assert_output 1
	# the funnel's last step, the worst moment that matters, the K-factor
	run grep -c '<td class="n">5</td><td>advocacy</td><td class="n">68</td><td class="n">7.89</td>' "$dom"
	assert_output 1
	run grep -c '<tr><td>human_resources</td><td>support</td><td class="n">31</td><td class="n">14</td>' "$dom"
	assert_output 1
	run grep -c '<tr><td>k_factor</td><td>0.0664</td></tr>' "$dom"
	assert_output 1
	mkdir -p "$REPO/tests/artifacts"
	# shellcheck disable=SC2086
	timeout 120 $b $flags --window-size=1300,2200 --screenshot="$REPO/tests/artifacts/report.png" \
		"file://$D/report.html" >/dev/null 2>&1
	[ -s "$REPO/tests/artifacts/report.png" ]
	echo "# screenshot: tests/artifacts/report.png" >&3
}
