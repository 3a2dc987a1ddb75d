#!/usr/bin/env bats
# shellcheck disable=SC2016
# The one-page report of make demo (jkpi --format html, mk/demo.sh): its bytes
# (golden, generation time fixed by SOURCE_DATE_EPOCH), that it is
# self-contained, and what a browser shows: headless Chromium renders it
# (--dump-dom) and the checks read the rendered DOM: every KPI's cells against
# the long CSV, the colour classes and the centre of the scale worked out
# again here, the legends, the labels, the period; the page in a 420 px wide
# frame must not scroll sideways (a wrapper page runs a script that measures
# it; the report itself has none); hostile labels add no element or
# attribute. Screenshots at 1400 and 420 px go to tests/artifacts/ (not in
# git) for people to look at. Chromium comes with `make deps`
# (mk/deps.sh); when it is missing the test installs it (sh mk/deps.sh
# chromium) or skips and says why.
bats_require_minimum_version 1.5.0
load test_helper

setup_file() {
	export D="$BATS_FILE_TMPDIR/demo"
	(cd "$REPO" && JT_DEMO_OUT="$D" sh mk/demo.sh >"$BATS_FILE_TMPDIR/demo.log" 2>&1)
}

setup() {
	T=$BATS_TEST_TMPDIR
}

browser() {
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v $b >/dev/null 2>&1 && { echo $b; return; }
	done
	return 1
}

# need_browser: sets B and FLAGS, installing Chromium when it is missing, or skips.
need_browser() {
	if ! B=$(browser); then
		sh "$REPO/mk/deps.sh" chromium >"$BATS_FILE_TMPDIR/chromium-install.log" 2>&1 || true
		B=$(browser) || skip "Chromium is not installed and 'sh mk/deps.sh chromium' could not install it (see its log): the page was not rendered"
	fi
	FLAGS="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --hide-scrollbars --user-data-dir=$T/profile"
}

# dom FILE OUT [FLAGS...]: Chromium's DOM of FILE after loading it, into OUT
dom() {
	local f=$1 out=$2
	shift 2
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS "$@" --dump-dom "file://$f" >"$out" 2>/dev/null
	[ -s "$out" ] || { echo "Chromium wrote no DOM for $f" >&2; return 1; }
}

# label NAME: its label in share/jtools/labels.csv as the page writes it (& escaped)
LABEL_AWK='BEGIN { FS = "," }
FNR == NR { if (FNR > 1) { l = $2; gsub(/&/, "\\&amp;", l); lab[$1] = l }; next }
function L(x) { return x in lab ? lab[x] : x }'

@test "report page: make demo writes the page byte for byte (golden; generation time from SOURCE_DATE_EPOCH)" {
	diff -u "$EXP/pipeline/report.html" "$D/report.html"
}

@test "report page: self-contained, with a heatmap per KPI and every section in order" {
	run grep -c -i -E '<script|<link|<img|src=|href=|url\(|@import|https?:' "$D/report.html"
	assert_output 0
	run grep -o '<h[123]>[^<]*' "$D/report.html"
	assert_output "<h1>Value chain × customer journey
<h2>Value-chain activity × Journey stage
<h3>NPS after the touch
<h3>CSAT after the touch (%)
<h3>Median resolution time
<h3>Resolution time of 9 tickets in 10 (p90)
<h3>Referral rate (%)
<h2>Funnel: awareness to advocacy
<h2>Moments that matter: NPS after a touch against never touched (worst first)
<h2>Retention by month
<h2>Customer lifetime value
<h2>Referral program"
	# every section says what it measures; the heatmaps and the retention say over which period
	run grep -c '^<p class="\(about\|def\)">' "$D/report.html"
	assert_output 11
	run grep -c '^<p class="def">.* Period: 2024-01-01 to 2024-06-30.</p>$' "$D/report.html"
	assert_output 5
	run grep -c '^<p class="about">Customers alive at the start of each month .* Period: 2024-01-01 to 2024-06-01.</p>$' "$D/report.html"
	assert_output 1
	# the BG/NBD fit of the sample hits the edge of its parameter space: no section, and the
	# demo says why
	run grep -c 'BG/NBD left off the page: its fit is not sound' "$BATS_FILE_TMPDIR/demo.log"
	assert_output 1
}

@test "report page: headless Chromium shows every KPI's cells as the long CSV has them, with labels" {
	need_browser
	dom "$D/report.html" "$T/dom.html"
	awk "$HEATMAP_AWK" "$T/dom.html" | sort >"$T/page"
	# the long CSV of make demo (report.csv: activity, stage, every KPI's figures), names
	# through share/jtools/labels.csv as the page shows them
	awk "$LABEL_AWK"'
		FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ split("nps_next_nps csat_next_csat p50_resolution_s p90_resolution_s rate_referred", k, " ")
		  for (j = 1; j <= 5; j++) if ($c[k[j]] != "") print L(k[j]) "," L($1) "," L($2) "," $c[k[j]] }' \
		"$JTOOLS_DATADIR/labels.csv" "$D/report.csv" | sort >"$T/want"
	diff -u "$T/want" "$T/page"
	# 5 KPIs x the 15 (activity, stage) cells with touches, less the p50/p90 of the 10 cells
	# without a solved ticket
	run wc -l <"$T/page"
	assert_output 55
	# rows in Porter's order, columns in the stage rules' order, labelled
	run sh -c "grep -o '<tr><th scope=\"row\">[^<]*' '$T/dom.html' | head -8 | sed 's/.*>//' | paste -sd, -"
	assert_output "Operations,Outbound logistics,Marketing &amp; sales,Service,Procurement,Technology,Human resources,Infrastructure"
	run sh -c "grep -o '<thead><tr><th scope=\"col\">Value-chain activity</th><th scope=\"col\" class=\"n\">Awareness</th>.*</tr></thead>' '$T/dom.html' | uniq -c | sed 's/^ *//'"
	assert_output '5 <thead><tr><th scope="col">Value-chain activity</th><th scope="col" class="n">Awareness</th><th scope="col" class="n">Consideration</th><th scope="col" class="n">Purchase</th><th scope="col" class="n">Support</th><th scope="col" class="n">Loyalty</th><th scope="col" class="n">Advocacy</th></tr></thead>'
	# a duration as people read it, the seconds in the title
	run grep -c '<td class="n c[0-9]" title="Median resolution time: 205607 s (2 d 9 h); n=135" data-v="205607">2 d 9 h<small>n=135</small></td>' "$T/dom.html"
	assert_output 1
}

@test "report page: the colours: NPS centred on 0, CSAT on all cells pooled, cells under 30 customers thin, one legend each" {
	need_browser
	dom "$D/report.html" "$T/dom.html"
	# class of every NPS and CSAT cell, from the long CSV: thin under 30 customers; NPS classes
	# of 20 points around 0; CSAT around the pooled share (satisfied / answers over the cells)
	# with the width 1, 2, 2.5 or 5 x 10^k at most the largest distance / 2.5
	awk "$LABEL_AWK"'
		FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		function cls(d, w,   k) { k = int(abs(d) / w + 0.5); if (k > 3) k = 3; return d < 0 ? 3 - k : 3 + k }
		function abs(x) { return x < 0 ? -x : x }
		function nice(x,   p, f) { p = 1; while (p * 10 <= x) p *= 10; while (p > x) p /= 10; f = x / p
			return (f >= 5 ? 5 : f >= 2.5 ? 2.5 : f >= 2 ? 2 : 1) * p }
		{ r = L($1) "," L($2); n[r] = $c["nps_next_nps_n"]; v[r] = $c["nps_next_nps"]
		  cn[r] = $c["csat_next_csat_n"]; cv[r] = $c["csat_next_csat"]; rows[++nr] = r
		  S += $c["csat_next_csat_satisfied"]; N += $c["csat_next_csat_n"] }
		END {
			m = int(10000 * S / N + 0.5) / 100; s = 0
			for (i = 1; i <= nr; i++) { r = rows[i]; if (cv[r] != "" && cn[r] >= 30 && abs(cv[r] - m) > s) s = abs(cv[r] - m) }
			w = nice(s / 2.5)
			printf "csat centre %.2f width %s\n", m, w
			for (i = 1; i <= nr; i++) { r = rows[i]
				if (v[r] != "") print "NPS after the touch," r "," (n[r] < 30 ? "t" : "c" cls(v[r], 20))
				if (cv[r] != "") print "CSAT after the touch (%)," r "," (cn[r] < 30 ? "t" : "c" cls(cv[r] - m, w)) }
		}' "$JTOOLS_DATADIR/labels.csv" "$D/report.csv" | sort >"$T/want"
	awk '/^<h3>/ { k = $0; sub(/^<h3>/, "", k); sub(/<\/h3>.*/, "", k) }
		/^<tr><th scope="row">/ && (k ~ /^(NPS|CSAT)/) {
			r = $0; sub(/^<tr><th scope="row">/, "", r); sub(/<.*/, "", r)
			n = split($0, c, /<td class="n /)
			for (i = 2; i <= n; i++) { x = c[i]; sub(/".*/, "", x); if (x != "e") print k "," r "," stage[i] "," x }
		}
		/^<thead><tr>/ { n = split($0, h, /<th( [^>]*)?>/); for (i = 3; i <= n; i++) { x = h[i]; sub(/<.*/, "", x); stage[i - 1] = x } }
		/^<p class="scale">Centre [0-9.]* \(all cells pooled\)/ && k ~ /^CSAT/ { x = $0; sub(/^<p class="scale">Centre /, "", x); sub(/ .*/, "", x); print "csat centre " x }
		' "$T/dom.html" | sort >"$T/page"
	sed -i '/^csat centre/s/ width .*//' "$T/want"
	diff -u "$T/want" "$T/page"
	# the thin cell of the NPS map (Human resources at Support, 14 answers) is marked, and ranked
	# nowhere in the moments that matter (jvalue --min-n 30 too)
	run grep -c '<td class="n t" title="NPS after the touch: -71.43, 95 % interval -94.58 to -23.07; n=14; fewer than 30: not coloured" data-v="-71.43">-71.43<small>n=14</small></td>' "$T/dom.html"
	assert_output 1
	run grep -c '^<tr class="t" title="fewer than 30 customers behind a figure of this row"><td>Human resources</td><td>Support</td>.*<td></td><td class="n">17</td></tr>$' "$T/dom.html"
	assert_output 1
	# legends: 7 classes for the NPS with their ranges, the thin and empty swatches
	run grep -c '<ul class="legend"><li><span class="sw c0"></span>-100 to -50</li><li><span class="sw c1"></span>-50 to -30</li><li><span class="sw c2"></span>-30 to -10</li><li><span class="sw c3"></span>-10 to 10</li><li><span class="sw c4"></span>10 to 30</li><li><span class="sw c5"></span>30 to 50</li><li><span class="sw c6"></span>50 to 100</li><li><span class="sw t"></span>fewer than 30 customers (not coloured)</li><li><span class="sw e"></span>no value</li></ul>' "$T/dom.html"
	assert_output 1
	run grep -c '<ul class="legend">' "$T/dom.html"
	assert_output 6
	run grep -c '<p class="scale">Centre 0.00 (neutral: as many promoters as detractors); higher is better;' "$T/dom.html"
	assert_output 1
	run grep -c '<p class="scale">Centre [0-9]* d [0-9]* h (all cells pooled); lower is better;' "$T/dom.html"
	assert_output 2
}

@test "report page: header: the period of the touches, the generation time, the rows read and rejected" {
	need_browser
	dom "$D/report.html" "$T/dom.html"
	local first last
	# the times of the touch stream (its second column; a comment's continuation lines left out)
	awk -F, 'NR > 1 && $2 ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ { print $2 }' "$D/value-chain.csv" | sort >"$T/times"
	first=$(head -1 "$T/times")
	last=$(tail -1 "$T/times")
	run grep -c "^<p class=\"meta\">Period: <strong>${first%%T*}</strong> to <strong>${last%%T*}</strong> (first to last touch, UTC). Generated 2024-07-01 06:00 UTC.</p>\$" "$T/dom.html"
	assert_output 1
	run grep -c "^<p class=\"meta\">Sources: jtouch: 15,597 rows read, 9 rejected (bad time 1, field count 2, missing customer 2, not a number 3, out of range 1).</p>\$" "$T/dom.html"
	assert_output 1
	run awk -F, '$1 == "rows_in" || $1 == "rows_rejected" { printf "%s ", $2 }' "$D/stats-jtouch.csv"
	assert_output "15597 9 "
}

@test "report page: at 420 px the page does not scroll sideways (its tables scroll in their box); on A4 nothing is cut; screenshots at 1400 and 420 px" {
	need_browser
	# the report in a 420 px wide frame; the wrapper's script measures the frame's document
	cp "$D/report.html" "$T/report.html"
	cat >"$T/w420.html" <<'EOF'
<!DOCTYPE html><html><head><style>body{margin:0}iframe{border:0;width:420px;height:2400px;display:block}</style></head>
<body><iframe id="f" src="report.html"></iframe><script>
document.getElementById("f").addEventListener("load", function () {
  var d = document.getElementById("f").contentDocument, e = d.documentElement, wide = 0;
  d.querySelectorAll(".scroll").forEach(function (s) { if (s.scrollWidth > s.clientWidth) wide++; });
  document.body.setAttribute("data-m", "page " + e.scrollWidth + "/" + e.clientWidth + " boxes-scrolling " + wide);
});
</script></body></html>
EOF
	dom "$T/w420.html" "$T/w420.dom" --allow-file-access-from-files --virtual-time-budget=5000 --window-size=600,900
	run grep -o 'data-m="[^"]*"' "$T/w420.dom"
	# the page is as wide as the frame; the heatmaps and the wide tables scroll inside their boxes
	assert_output --regexp '^data-m="page 420/420 boxes-scrolling [1-9][0-9]*"$'
	# printed on A4 (@page; 210 mm less two 12 mm margins: 703 px at 96 px/in), with the print
	# styles applied to the screen in a copy: nothing wider than the paper
	run grep -c '^@page{size:A4;margin:12mm}$' "$D/report.html"
	assert_output 1
	sed 's/@media print{/@media all{/' "$D/report.html" >"$T/print.html"
	sed 's/width:420px/width:703px/; s/report.html/print.html/' "$T/w420.html" >"$T/wa4.html"
	dom "$T/wa4.html" "$T/wa4.dom" --allow-file-access-from-files --virtual-time-budget=5000 --window-size=900,900
	run grep -o 'data-m="[^"]*"' "$T/wa4.dom"
	assert_output 'data-m="page 703/703 boxes-scrolling 0"'
	mkdir -p "$REPO/tests/artifacts"
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --window-size=1400,4900 --screenshot="$REPO/tests/artifacts/report-1400.png" \
		"file://$D/report.html" >/dev/null 2>&1
	# shellcheck disable=SC2086
	timeout 120 $B $FLAGS --allow-file-access-from-files --window-size=420,2400 \
		--screenshot="$REPO/tests/artifacts/report-420.png" "file://$T/w420.html" >/dev/null 2>&1
	[ -s "$REPO/tests/artifacts/report-1400.png" ]
	[ -s "$REPO/tests/artifacts/report-420.png" ]
	echo "# screenshots: tests/artifacts/report-1400.png, tests/artifacts/report-420.png" >&3
}

@test "report page: hostile labels, titles and about lines add no element and no attribute in the browser" {
	need_browser
	# every name of the page labelled with markup that would run if it were not escaped
	# (scripts that set a variable: an alert() would hold the headless browser)
	{
		echo 'name,label,description'
		for n in activity operations outbound_logistics marketing_sales service procurement technology \
			human_resources infrastructure awareness consideration purchase support loyalty advocacy \
			nps_next_nps step name customers conversion_pct k_factor metric; do
			printf '%s,"<img src=x onerror=self.a=1>"" onmouseover=""self.b=2"" x=""","<script>self.c=3</script>'"'"' onfocus='"'"'self.d=4"\n' "$n"
		done
	} >"$T/evil.csv"
	jkpi -q -g activity --pivot stage --per customer -k nps:next_nps --format html --min-n 30 \
		--labels-file "$T/evil.csv" --title '<script>self.e=5</script>' \
		--attach "<b onclick\\=self.f\\=6>Funnel</b>=$D/funnel.csv" --about '"><img src=y onerror=self.g=7>' \
		--attach "Referrals=$D/referrals.csv" -o "$T/evil.html" "$D/value-chain.csv"
	dom "$T/evil.html" "$T/evil.dom"
	# the elements of the rendered page, counted by name: none a label could have made
	grep -o '<[a-zA-Z][a-zA-Z0-9]*' "$T/evil.dom" | sort | uniq -c | awk '{ print $2 }' >"$T/tags"
	run grep -c -v -x -E '<(html|head|meta|title|style|body|header|h1|h2|h3|p|strong|section|div|figure|ul|li|span|table|thead|tbody|tr|th|td|small)' "$T/tags"
	assert_output 0
	# no attribute but the page's own (quoted values removed first, so text inside them does not count)
	run sh -c "sed 's/\"[^\"]*\"//g' '$T/evil.dom' | grep -o '<[a-zA-Z][^>]*>' | grep -o ' [a-zA-Z-]*=' | sort -u | tr -d ' ' | paste -sd' ' -"
	assert_output 'charset= class= content= data-v= lang= name= scope= style= title='
	# the labels are there, as text
	run grep -c '&lt;img src=x onerror=self.a=1&gt;' "$T/evil.dom"
	refute_output 0
}
