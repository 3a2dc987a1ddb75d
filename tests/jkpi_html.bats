#!/usr/bin/env bats
# shellcheck disable=SC2016
# jkpi --format html: the report page. Its bytes (a golden page, checked line by
# line below), the heatmaps' colour classes worked out by hand in the comments,
# labels, durations, the header (period, generation time, sources), the
# attached sections, and that a failing run leaves no page. The browser's view
# of make demo's page is in report_html.bats.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	PROG=jkpi
	T=$BATS_TEST_TMPDIR
}

jkrc() { jtrc "$@"; }
jk() { jt "$@"; }

# rates: rate:x by g, one pivot column X, 4 customers a row, all on 2024-03-01
# but the last (2024-04-15):
#   a: 2 of 4 -> 50.00   b: 4 of 4 -> 100.00   c: 0 of 4 -> 0.00   d: 1 of 4 -> 25.00
#   all cells pooled: 7 of 16 -> 43.75
rates() {
	printf 'g,c,x,customer,time\n' >"$T/r.csv"
	printf '%s\n' a,X,1,c1 a,X,0,c2 a,X,1,c3 a,X,0,c4 b,X,1,c1 b,X,1,c2 b,X,1,c3 b,X,1,c4 \
		c,X,0,c1 c,X,0,c2 c,X,0,c3 c,X,0,c4 d,X,1,c1 d,X,0,c2 d,X,0,c3 |
		sed 's/$/,2024-03-01T10:00:00Z/' >>"$T/r.csv"
	printf 'd,X,0,c4,2024-04-15T23:00:00Z\n' >>"$T/r.csv"
}

# classes FILE: "ROW=CLASS" for each coloured, thin or empty cell of the page's heatmaps
classes() {
	awk '/<tr><th scope="row">/ {
		r = $0; sub(/^<tr><th scope="row">/, "", r); sub(/<.*/, "", r)
		n = split($0, c, /<td class="/)
		for (i = 2; i <= n; i++) { k = c[i]; sub(/".*/, "", k); printf "%s=%s\n", r, k }
	}' "${1:-$T/out}"
}

@test "jkpi html: one self-contained page, every export string escaped" {
	printf 'g,v\n"<script>alert(1)</script>",1\n"a&b ""q"" '"'"'x'"'"'",2\n"<a href=""javascript:alert(2)"">x</a>",3\n' >"$T/h.csv"
	run jkpi -s -g g -k sum:v --format html "$T/h.csv"
	assert_success
	assert_line --index 0 '<!DOCTYPE html>'
	assert_line '<meta name="viewport" content="width=device-width, initial-scale=1">'
	assert_line '</html>'
	assert_output --partial '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
	assert_output --partial '<td>a&amp;b &quot;q&quot; &#39;x&#39;</td>'
	assert_output --partial '<td>&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt;</td>'
	# nothing that runs or loads: no script element, no link, no src/href attribute
	refute_output --partial '<script'
	refute_output --partial 'href="'
	refute_output --partial 'src="'
	refute_output --partial '<link'
}

@test "jkpi html: a hostile column name, KPI name and file name are escaped too (and the file name stays out)" {
	local f="$T/<script>alert(3)<\\script>.csv"
	printf '"<b onmouseover=""alert('"'"'c'"'"')"">g</b>&amp;",v\n"<script>alert(1)</script>",1\n"<a href=""javascript:alert(2)"">x</a>",3\n' >"$f"
	run jkpi -s -g '#1' -k '<i>"j'"'"'&x=sum:v' --format html "$f"
	assert_success
	assert_line '<thead><tr><th scope="col">&lt;b onmouseover=&quot;alert(&#39;c&#39;)&quot;&gt;g&lt;/b&gt;&amp;amp;</th><th scope="col" class="n">&lt;i&gt;&quot;j&#39;&amp;x</th><th scope="col" class="n">&lt;i&gt;&quot;j&#39;&amp;x_n</th><th scope="col" class="n">&lt;i&gt;&quot;j&#39;&amp;x_missing</th></tr></thead>'
	assert_output --partial '<td>&lt;a href=&quot;javascript:alert(2)&quot;&gt;x&lt;/a&gt;</td>'
	assert_output --partial '<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>'
	refute_output --partial 'alert(3)'
	refute_output --partial '<script'
	refute_output --partial '<b '
	refute_output --partial '<i>'
	refute_output --partial 'href="'
}

@test "jkpi html: a pivot is a heatmap: NPS centred on 0 in classes of 20 points, empty cells hatched" {
	# NPS by channel and month: app answered twice in January (9 and 0: NPS 0), web once in January
	# (0: -100) and once in February (10: 100). Classes: |NPS| < 10 the centre (c3), 10-30, 30-50,
	# 50 and more on each side: app/January c3, web/January c0 (red), web/February c6 (blue)
	printf 'channel,time,nps\nweb,2024-01-05T00:00:00Z,0\nweb,2024-02-05T00:00:00Z,10\napp,2024-01-05T00:00:00Z,9\napp,2024-01-06T00:00:00Z,0\n' \
		>"$T/p.csv"
	jk -s -g channel --pivot month:time -k nps:nps --format html "$T/p.csv"
	run classes
	assert_output "app=n c3
app=n e
web=n c0
web=n c6"
	run grep -c '^<thead><tr><th scope="col">Channel</th><th scope="col" class="n">2024-01</th><th scope="col" class="n">2024-02</th></tr></thead>$' "$T/out"
	assert_output 1
	run grep -c '<td class="n c6" title="nps_nps: 100.00, 95 % interval -48.50 to 98.50; n=1" data-v="100.00">100.00<small>n=1</small></td>' "$T/out"
	assert_output 1
	run grep -c '^<ul class="legend"><li><span class="sw c0"></span>-100 to -50</li><li><span class="sw c1"></span>-50 to -30</li><li><span class="sw c2"></span>-30 to -10</li><li><span class="sw c3"></span>-10 to 10</li><li><span class="sw c4"></span>10 to 30</li><li><span class="sw c5"></span>30 to 50</li><li><span class="sw c6"></span>50 to 100</li><li><span class="sw e"></span>no value</li></ul>$' "$T/out"
	assert_output 1
	run grep -c '^<p class="scale">Centre 0.00 (neutral: as many promoters as detractors); higher is better; scale ends: lowest -100.00, highest 100.00; all cells pooled: 0.00.</p>$' "$T/out"
	assert_output 1
}

@test "jkpi html: --title, --min-n and --attach: the whole page (golden page.html)" {
	# With --min-n 2 web's cells rest on one answer each: dashed, not coloured, said in the
	# legend and in their titles. The attached file: step and customers are numbers (an empty
	# cell too), name is text (a label: Stage); a short row is padded.
	printf 'channel,time,nps\nweb,2024-01-05T00:00:00Z,0\nweb,2024-02-05T00:00:00Z,10\napp,2024-01-05T00:00:00Z,9\napp,2024-01-06T00:00:00Z,0\n' \
		>"$T/p.csv"
	printf 'step,name,customers\n1,a&b,10\n2,<x>,\n3\n' >"$T/f.csv"
	jk -s -g channel --pivot month:time -k nps:nps --format html --min-n 2 \
		--title 'Q&A <report>' --attach "Funnel \"one\"=$T/f.csv" "$T/p.csv"
	GOLDEN=jkpi golden page.html
	run classes
	assert_output "app=n c3
app=n e
web=n t
web=n t"
	run grep -c '^<td class="n t" title="nps_nps: -100.00, 95 % interval -98.50 to 48.50; n=1; fewer than 2: not coloured" data-v="-100.00">-100.00<small>n=1</small></td>' \
		<(sed 's/<td/\n<td/g' "$T/out")
	assert_output 1
}

@test "jkpi html: the centre of a rate's colours is the overall value, or --midpoint (bare, or NAME=VALUE); an NPS stays at 0" {
	rates
	# centre 43.75 (pooled); deviations a +6.25, b +56.25, c -43.75, d -18.75; the largest 56.25
	# / 2.5 = 22.5 -> class width 20 (1, 2, 2.5, 5 x 10^k, rounded down): edges at 43.75 +-10,
	# +-30, +-50: a c3, b c6, c c1, d c2; classes below 0 are left out of the legend
	jk -g g --pivot c -k rate:x --format html "$T/r.csv"
	run classes
	assert_output "a=n c3
b=n c6
c=n c1
d=n c2"
	run grep -c '^<ul class="legend"><li><span class="sw c1"></span>0.00 to 13.75</li><li><span class="sw c2"></span>13.75 to 33.75</li><li><span class="sw c3"></span>33.75 to 53.75</li><li><span class="sw c4"></span>53.75 to 73.75</li><li><span class="sw c5"></span>73.75 to 93.75</li><li><span class="sw c6"></span>93.75 to 100.00</li><li><span class="sw e"></span>no value</li></ul>$' "$T/out"
	assert_output 1
	run grep -c '^<p class="scale">Centre 43.75 (all cells pooled); higher is better; scale ends: lowest 0.00, highest 100.00.</p>$' "$T/out"
	assert_output 1
	# --midpoint 50: deviations 0, 50, -50, -25; width 20 (50 / 2.5): a c3, b c6, c c0, d c2
	jk -g g --pivot c -k rate:x --format html --midpoint 50 "$T/r.csv"
	run classes
	assert_output "a=n c3
b=n c6
c=n c0
d=n c2"
	run grep -c '^<p class="scale">Centre 50.00 (--midpoint); higher is better; scale ends: lowest 0.00, highest 100.00; all cells pooled: 43.75.</p>$' "$T/out"
	assert_output 1
	# --midpoint rate_x=25: deviations 25, 75, -25, 0; width 25 (75 / 2.5 = 30): a c4, b c6, c c2, d c3
	jk -g g --pivot c -k rate:x --format html --midpoint 'rate_x=25' "$T/r.csv"
	run classes
	assert_output "a=n c4
b=n c6
c=n c2
d=n c3"
	# a NAME that is no KPI of the page
	jkrc 1 -g g --pivot c -k rate:x --format html --midpoint 'rate_y=25' "$T/r.csv"
	err_is "jkpi: --midpoint: no KPI named 'rate_y' on the page (KPIs: rate_x)"
	empty_out
	# a bare --midpoint leaves an NPS at 0: each 1 as a 10 (a promoter), 0 a detractor:
	# a 0, b 100, c -100, d 25 - 75 = -50
	sed 's/,1,c/,10,c/' "$T/r.csv" >"$T/n.csv"
	jk -g g --pivot c -k nps:x --format html --midpoint 50 "$T/n.csv"
	run classes
	assert_output "a=n c3
b=n c6
c=n c0
d=n c0"
}

@test "jkpi html: durations read 3 d 4 h with the seconds in the title, on a scale where lower is better" {
	# resolution_s by channel and stage, each customer's first value in the cell:
	#   app/help: c3 90000, c4 7200 (its later 60 ignored) -> p50 48600 = 13 h 30 min
	#   web/help: c1 273600 = 3 d 4 h
	# centre: the pooled median of 7200, 90000, 273600 = 90000 (1 d 1 h); the largest deviation
	# 183600 / 2.5 = 73440 s -> width 12 h (1, 2, 3, 6, 12 h, 1 d ...); lower is better, so
	# web/help (+183600: 4.25 widths) is c0 and app/help (-41400: 0.96 widths) c4
	printf 'customer,channel,stage,nps,csat,resolution_s,time\nc1,web,buy,9,5,,2024-01-02T00:00:00Z\nc2,web,buy,6,3,,2024-01-03T00:00:00Z\nc1,web,help,,,273600,2024-01-04T00:00:00Z\nc3,app,buy,10,4,,2024-01-05T00:00:00Z\nc3,app,help,7,,90000,2024-01-06T00:00:00Z\nc4,app,help,0,1,7200,2024-01-07T00:00:00Z\nc4,app,help,10,5,60,2024-01-08T00:00:00Z\n' >"$T/m.csv"
	jk -s -g channel --pivot stage --per customer -k p50:resolution_s --format html "$T/m.csv"
	run classes
	assert_output "app=n e
app=n c4
web=n e
web=n c0"
	run grep -c '<td class="n c0" title="Median resolution time: 273600 s (3 d 4 h); n=1" data-v="273600">3 d 4 h<small>n=1</small></td>' "$T/out"
	assert_output 1
	run grep -c '<td class="n c4" title="Median resolution time: 48600 s (13 h 30 min); n=2" data-v="48600">13 h 30 min<small>n=2</small></td>' "$T/out"
	assert_output 1
	run grep -c '^<ul class="legend"><li><span class="sw c0"></span>2 d 7 h or more</li><li><span class="sw c1"></span>1 d 19 h to 2 d 7 h</li><li><span class="sw c2"></span>1 d 7 h to 1 d 19 h</li><li><span class="sw c3"></span>19 h 0 min to 1 d 7 h</li><li><span class="sw c4"></span>7 h 0 min to 19 h 0 min</li><li><span class="sw c5"></span>0 s to 7 h 0 min</li><li><span class="sw e"></span>no value</li></ul>$' "$T/out"
	assert_output 1
	run grep -c '^<p class="scale">Centre 1 d 1 h (all cells pooled); lower is better; scale ends: lowest 13 h 30 min, highest 3 d 4 h.</p>$' "$T/out"
	assert_output 1
}

@test "jkpi html: several KPIs with --pivot: one heatmap each, on the same rows and columns, every cell equal to the long CSV" {
	printf 'customer,channel,stage,nps,csat,resolution_s,time\nc1,web,buy,9,5,,2024-01-02T00:00:00Z\nc2,web,buy,6,3,,2024-01-03T00:00:00Z\nc1,web,help,,,273600,2024-01-04T00:00:00Z\nc3,app,buy,10,4,,2024-01-05T00:00:00Z\nc3,app,help,7,,90000,2024-01-06T00:00:00Z\nc4,app,help,0,1,7200,2024-01-07T00:00:00Z\nc4,app,help,10,5,60,2024-01-08T00:00:00Z\n' >"$T/m.csv"
	jk -s -g channel,stage --per customer -k nps:nps,csat:csat,p50:resolution_s -o "$T/long.csv" "$T/m.csv"
	jk -s -g channel --pivot stage --per customer -k nps:nps,csat:csat,p50:resolution_s --format html "$T/m.csv"
	run grep -c '^<figure>$' "$T/out"
	assert_output 3
	run grep -o '^<h3>[^<]*' "$T/out"
	assert_output "<h3>nps_nps
<h3>csat_csat
<h3>Median resolution time"
	run sh -c "grep -c '^<thead><tr><th scope=\"col\">Channel</th><th scope=\"col\" class=\"n\">buy</th><th scope=\"col\" class=\"n\">help</th></tr></thead>\$' '$T/out'"
	assert_output 3
	# the cells of the page, KPI by KPI, against the long table's main figures
	awk "$HEATMAP_AWK" "$T/out" | sort >"$T/page"
	awk -F, 'NR > 1 { if ($3 != "") print "nps_nps," $1 "," $2 "," $3; if ($11 != "") print "csat_csat," $1 "," $2 "," $11
		if ($17 != "") print "Median resolution time," $1 "," $2 "," $17 }' "$T/long.csv" | sort >"$T/want"
	diff -u "$T/want" "$T/page"
	# other formats show one KPI
	jkrc 2 -g channel --pivot stage -k nps:nps,csat:csat "$T/m.csv"
	err_is "jkpi: --pivot shows one KPI; 2 given with -k (--format html shows several, one heatmap each)
Try 'jkpi --help' for more information."
	# partials of several KPIs pivoted merge into the page, not into another format
	jk --partial -g channel --pivot stage --per customer -k nps:nps,csat:csat,p50:resolution_s --format html "$T/m.csv"
	cp "$T/out" "$T/p1"
	jk --merge "$T/p1"
	awk "$HEATMAP_AWK" "$T/out" | sort | diff -u "$T/page" -
	jkrc 1 --merge --format csv "$T/p1"
	err_is "jkpi: --pivot with 3 KPIs shows them in --format html only (one heatmap each)"
	empty_out
}

@test "jkpi html: labels from DATADIR/labels.csv or --labels-file (name,label[,description]), escaped like any text" {
	rates
	# the shipped labels: none for these names, so the names show
	jk -g g --pivot c -k rate:x --format html "$T/r.csv"
	run grep -o '^<h3>[^<]*' "$T/out"
	assert_output '<h3>rate_x'
	# a labels file of our own: a row, a column, the KPI (its description replaces the
	# built-in definition) and hostile text, which opens no element or attribute
	printf 'name,label,description\na,Alpha,\nX,"<img src=x onerror=alert(1)>",\nrate_x,Share of x,"What ""x"" means & why"\ng,<b>Group</b>\n' >"$T/l.csv"
	jk -g g --pivot c -k rate:x --format html --labels-file "$T/l.csv" "$T/r.csv"
	run grep -o '^<h3>[^<]*' "$T/out"
	assert_output '<h3>Share of x'
	run grep -c '^<p class="def">What &quot;x&quot; means &amp; why Period: 2024-03-01 to 2024-04-15.</p>$' "$T/out"
	assert_output 1
	run grep -c '^<thead><tr><th scope="col">&lt;b&gt;Group&lt;/b&gt;</th><th scope="col" class="n">&lt;img src=x onerror=alert(1)&gt;</th></tr></thead>$' "$T/out"
	assert_output 1
	run grep -c '^<tr><th scope="row">Alpha</th>' "$T/out"
	assert_output 1
	run grep -c '<img\|<b>' "$T/out"
	assert_output 0
	# a labels file that is not one
	printf 'name,text\na,b\n' >"$T/bad.csv"
	jkrc 1 -g g --pivot c -k rate:x --format html --labels-file "$T/bad.csv" "$T/r.csv"
	err_is "jkpi: $T/bad.csv:1: labels file: no column 'label' (a labels file starts name,label[,description])"
	printf 'name,label\na,A\na,B\n' >"$T/bad.csv"
	jkrc 1 -g g --pivot c -k rate:x --format html --labels-file "$T/bad.csv" "$T/r.csv"
	err_is "jkpi: $T/bad.csv:3: labels file: 'a' is labelled twice"
	printf 'name,label\n,A\n' >"$T/bad.csv"
	jkrc 1 -g g --pivot c -k rate:x --format html --labels-file "$T/bad.csv" "$T/r.csv"
	err_is "jkpi: $T/bad.csv:2: labels file: empty name"
	jkrc 1 -g g --pivot c -k rate:x --format html --labels-file "$T/none.csv" "$T/r.csv"
	err_is "jkpi: $T/none.csv: No such file or directory"
	empty_out
	# a data folder without labels.csv: the names as they are
	mkdir "$T/data"
	JTOOLS_DATADIR=$T/data jk -g g --pivot c -k rate:x --format html "$T/r.csv"
	run grep -c '^<h2>g × c</h2>$' "$T/out"
	assert_output 1
}

@test "jkpi html: the header: period (first to last touch), generation time (SOURCE_DATE_EPOCH), sources (--stats files)" {
	rates
	printf 'metric,value\nprogram,jtouch\nrows_in,15597\nrows_out,15588\nrows_rejected,9\nrejected:bad time,1\nrejected:not a number,8\n' >"$T/st.csv"
	jk -g g --pivot c -k rate:x --format html --sources "$T/st.csv" "$T/r.csv"
	run sed -n '/^<header>$/,/^<\/header>$/p' "$T/out"
	assert_output '<header>
<p class="meta">Period: <strong>2024-03-01</strong> to <strong>2024-04-15</strong> (first to last touch, UTC). Generated 2024-07-01 06:00 UTC.</p>
<p class="meta">Sources: jtouch: 15,597 rows read, 9 rejected (bad time 1, not a number 8).</p>
</header>'
	# --until leaves the April touch out of the period
	jk -g g --pivot c -k rate:x --format html --until 2024-04-01 "$T/r.csv"
	run grep -c '^<p class="meta">Period: <strong>2024-03-01</strong> to <strong>2024-03-01</strong>' "$T/out"
	assert_output 1
	# no SOURCE_DATE_EPOCH: the time of the run
	run env -u SOURCE_DATE_EPOCH jkpi -g g --pivot c -k rate:x --format html "$T/r.csv"
	assert_success
	assert_output --regexp "Generated $(date -u +%Y-%m-%d) [0-2][0-9]:[0-5][0-9] UTC\."
	SOURCE_DATE_EPOCH=soon jkrc 2 -g g --pivot c -k rate:x --format html "$T/r.csv"
	err_is "jkpi: SOURCE_DATE_EPOCH: 'soon' is not a number of seconds since 1970-01-01
Try 'jkpi --help' for more information."
	# a --sources file that --stats did not write
	jkrc 1 -g g --pivot c -k rate:x --format html --sources "$T/r.csv" "$T/r.csv"
	err_is "jkpi: $T/r.csv:1: --sources: not a --stats file (it starts metric,value)"
	empty_out
}

@test "jkpi html: attached sections: a funnel as bars, the moments that matter with significance and thin rows, a summary as a list" {
	rates
	printf 'step,name,customers,conversion_pct,conversion_lo,conversion_hi,step_conversion_pct,dropoff,dropoff_pct,median_s,p90_s\n1,awareness,200,100.00,98.12,100.00,100.00,0,0.00,,\n2,purchase,50,25.00,19.51,31.42,25.00,150,75.00,273600,1800\n' >"$T/fun.csv"
	printf 'activity,stage,touched,touched_n,untouched_n,nps_touched,nps_untouched,difference,difference_lo,difference_hi,rank,missing\nprocurement,support,160,114,964,-25.44,30.19,-55.63,-72.09,-39.16,1,46\nservice,loyalty,1361,694,38,25.22,28.95,-3.73,-28.55,21.09,2,667\nhuman_resources,support,31,14,1077,-71.43,26.93,,,,,17\n' >"$T/imp.csv"
	printf 'metric,value\ncustomers,1731\nconversion_pct,20.10\nconversion_lo,17.02\nconversion_hi,23.58\nk_factor,0.0664\nk_factor_definition,invites per customer x conversion\nviral_cycle_time_s,2065939\n' >"$T/ref.csv"
	cd "$T"
	jk -g g --pivot c -k rate:x --format html --min-n 30 --attach 'F\=1 \\ 2=fun.csv' --about 'The <funnel>.' \
		--attach "Moments=$T/imp.csv" --attach "Referrals=$T/ref.csv" "$T/r.csv"
	# the title holds '=' and a backslash; the about line is escaped
	run grep -c '^<h2>F=1 \\ 2</h2>$' "$T/out"
	assert_output 1
	run grep -c '^<p class="about">The &lt;funnel&gt;.</p>$' "$T/out"
	assert_output 1
	# the funnel: a bar as long as the share of the first step, its interval in the title,
	# durations as people read them
	run grep -c '^<tr><th scope="row">2. Purchase</th><td class="n">50</td><td class="bar" title="95 % interval 19.51 to 31.42"><div><div class="track"><div style="width:25.00%"></div></div><span>25.00 %</span></div></td><td class="n">25.00</td><td class="n">150</td><td class="n">75.00</td><td class="n" title="273600 s">3 d 4 h</td><td class="n" title="1800 s">30 min 0 s</td></tr>$' "$T/out"
	assert_output 1
	# the moments that matter: interval, significant or not (it holds 0), a row on fewer than
	# --min-n customers on a side marked as the heatmaps mark thin cells
	run grep -c '^<tr><td>Procurement</td><td>Support</td><td class="n">160</td><td class="n">114</td><td class="n">964</td><td class="n">-25.44</td><td class="n">30.19</td><td class="n sig">-55.63</td><td class="n iv">-72.09 to -39.16</td><td class="sig">yes</td><td class="n">1</td><td class="n">46</td></tr>$' "$T/out"
	assert_output 1
	run grep -c '<td class="n">-3.73</td><td class="n iv">-28.55 to 21.09</td><td>no</td>' "$T/out"
	assert_output 1
	run grep -c '^<tr class="t" title="fewer than 30 values behind a figure of this row"><td>Human resources</td>' "$T/out"
	assert_output 1
	run grep -c '^<ul class="legend"><li><span class="sw t"></span>fewer than 30 values behind a figure (1 row)</li></ul>$' "$T/out"
	assert_output 1
	# the referral summary: a label per figure, the interval beside it, the definition under it
	run sed -n '/<table class="metrics">/,/<\/table>/p' "$T/out"
	assert_output '<div class="scroll"><table class="metrics">
<tbody>
<tr><th scope="row">Customers</th><td class="n">1731</td></tr>
<tr><th scope="row">Conversion (%)</th><td class="n">20.10<small>95 % interval 17.02 to 23.58</small></td></tr>
<tr><th scope="row">K-factor<small>invites per customer x conversion</small></th><td class="n">0.0664</td></tr>
<tr><th scope="row">Viral cycle time<small>Median time from a referrer&#39;s own conversion to their first invitation.</small></th><td class="n" title="2065939 s">23 d 22 h</td></tr>
</tbody>
</table></div>'
}

@test "jkpi html: a page option without --format html, a bad value, or a second --about is a usage error" {
	printf 'g,v\na,1\n' >"$T/in.csv"
	local o
	for o in "--title x" "--min-n 5" "--about x" "--sources $T/in.csv" "--labels-file $T/in.csv" "--midpoint 5"; do
		# shellcheck disable=SC2086
		jkrc 2 -g g -k sum:v --format md $o "$T/in.csv"
		err_is "jkpi: ${o%% *} goes with --format html
Try 'jkpi --help' for more information."
	done
	jkrc 2 -g g -k sum:v --format html --min-n 0 "$T/in.csv"
	err_is "jkpi: --min-n: '0' is not a count from 1
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --format html --midpoint 'a=b' "$T/in.csv"
	err_is "jkpi: --midpoint: 'a=b' is not [NAME=]NUMBER
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --format html --attach "$T/in.csv" "$T/in.csv"
	err_is "jkpi: --attach: '$T/in.csv' is not TITLE=FILE (write '=' in TITLE as \\=)
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --format html --attach 'a\=b.csv' "$T/in.csv"
	err_is "jkpi: --attach: 'a\\=b.csv' is not TITLE=FILE (write '=' in TITLE as \\=)
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --format html --about one --about two "$T/in.csv"
	err_is "jkpi: --about: 'two' is the second line for the KPIs
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --format html --attach "T=$T/in.csv" --about one --about two "$T/in.csv"
	err_is "jkpi: --about: 'two' is the second line for --attach 'T=$T/in.csv'
Try 'jkpi --help' for more information."
	jkrc 2 -g g -k sum:v --partial --format html --title x "$T/in.csv"
	err_is "jkpi: --title goes with the result, not --partial: give it to --merge
Try 'jkpi --help' for more information."
}

@test "jkpi html: a failing --attach leaves no page: nothing on stdout, no -o file, exit 1" {
	cd "$T"
	printf 'g,v\na,1\n' >in.csv
	jkrc 1 -g g -k sum:v --format html --attach T=nope.csv -o page.html in.csv
	err_is "jkpi: nope.csv: No such file or directory"
	[ ! -e page.html ]
	[ -z "$(ls -A | grep -v '^in.csv$\|^out$\|^err$')" ]
	jkrc 1 -g g -k sum:v --format html --attach T=nope.csv in.csv
	empty_out
	# a row longer than the attachment's header, after a good attachment
	printf 'a,b\n1,2\n1,2,3\n' >long.csv
	jkrc 1 -g g -k sum:v --format html --attach "Good=in.csv" --attach T=long.csv in.csv
	err_is "jkpi: long.csv:3: field count: expected 2 fields, found 3"
	empty_out
}

# empty_out: stdout of the last jkrc/jk is 0 bytes.
empty_out() {
	if [ -s "$T/out" ]; then
		echo "expected empty stdout, got:" >&2
		head -c 2000 "$T/out" >&2
		return 1
	fi
}
