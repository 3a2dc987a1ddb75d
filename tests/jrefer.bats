#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# jrefer: behaviour suite (spec: jrefer --help, DESIGN.md section 2 "Referrals", issue 6).
# Every graph below was drawn by hand and every figure worked out by hand; the arithmetic is
# in the comments. The Wilson intervals are recomputed by this suite's own awk (WILSON_AWK,
# the textbook formula, checked against Newcombe 1998 table I), time differences by date(1).
# The goldens in tests/expected/jrefer/ were typed from those hand computations and checked
# line by line. Fixtures: tests/fixtures/jrefer/ (each test runs there, so messages name the
# files as given).
# Tests marked skip "BUG: ..." describe what the spec asks and the program does not do yet.
bats_require_minimum_version 1.5.0
load test_helper
PROG=jrefer
GOLDEN=jrefer

# JT_VALGRIND=1 (make valgrind-check): tests/test_helper.bash wraps the programs in valgrind.

setup() {
	cd "$FIX/jrefer"
	T=$BATS_TEST_TMPDIR
}

# metric NAME: the value of NAME in the --summary output of the last run.
metric() {
	awk -F, -v k="$1" 'NR > 1 && $1 == k { print $2 }' "$T/out"
}

# row ID: the per-referrer row of ID in the last run's output.
row() {
	awk -F, -v k="$1" 'NR > 1 && $1 == k' "$T/out"
}

# The 95 % Wilson score interval of x hits in n, in percent with 2 decimals, "lo,hi":
# centre (p + z^2/2n) / (1 + z^2/n), half-width z / (1 + z^2/n) sqrt(p (1 - p) / n + z^2 / 4n^2),
# clamped to 0..100. Shares no code with jrefer.
WILSON_AWK='
function wilson(x, n,   z, p, c, h, lo, hi) {
	z = 1.959963984540054; p = x / n
	c = (p + z * z / (2 * n)) / (1 + z * z / n)
	h = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
	lo = c - h < 0 ? 0 : c - h; hi = c + h > 1 ? 1 : c + h
	return sprintf("%.2f,%.2f", 100 * lo, 100 * hi)
}'

# wilson X N: "lo,hi" from WILSON_AWK.
wilson() {
	awk "$WILSON_AWK"' BEGIN { print wilson('"$1"', '"$2"') }'
}

# secs A B: B - A in seconds (two ISO 8601 UTC times), by date(1).
secs() {
	echo $(($(date -u -d "$2" +%s) - $(date -u -d "$1" +%s)))
}

# The raw export of graph.csv: advocate -> friend at sent_at, joined_at and paid_at times.
RAW=(--referrer advocate --referee friend --time sent_at --signup joined_at --converted paid_at)

# touches: the touch stream of R.csv (referrals) and O.csv (orders) through jtouch, in
# $T/touches.csv; the test then runs in $T so messages name touches.csv.
touches() {
	jtouch -p referrals R.csv -p orders O.csv >"$T/touches.csv" 2>"$T/jtouch.err"
	cd "$T"
}

# ================================================================ 0. the suite's own statistics

@test "jrefer: the suite's awk Wilson interval matches published values" {
	# Newcombe (1998a), table I, method 3 (score): 81/263 -> 0.2553-0.3662, 15/148 ->
	# 0.0624-0.1605, 0/20 -> 0-0.1611, 1/29 -> 0.0061-0.1718
	run awk "$WILSON_AWK"' BEGIN { print wilson(81, 263), wilson(15, 148), wilson(0, 20), wilson(1, 29) }'
	assert_output "25.53,36.62 6.24,16.05 0.00,16.11 0.61,17.18"
	# the closed forms the goldens use: n/n -> lo = n / (n + z^2), 0/n -> hi = z^2 / (n + z^2);
	# z^2 = 3.841459: 1/4.841459 = 0.206549, 2/5.841459 = 0.342380, 3.841459/4.841459 = 0.793451
	run awk "$WILSON_AWK"' BEGIN { print wilson(1, 1), wilson(2, 2), wilson(0, 1) }'
	assert_output "20.65,100.00 34.24,100.00 0.00,79.35"
}

# ================================================================ 1. hand-drawn graphs
#
# graph.csv, a raw export (advocate -> friend at sent_at; joined_at = sign-up, paid_at =
# conversion); line numbers are the file's (header = line 1). Edges in time order:
#
#   chain     a -> b -> c -> d            lines 2, 3, 4   (01-01, 01-03, 01-05)
#             c -> b   line 6, 01-06: b is a's already        -> "referee already referred by a: c -> b"
#             d -> a   line 5, 01-07: a is d's ancestor        -> "would close a cycle: d -> a"
#             (c -> b would close a cycle too; the claim is checked first)
#   tree      r -> r1, r2, r3             lines 7, 8, 9   (02-01 09:00, 02-01 09:30, 02-03)
#             r1 -> r11, r12              lines 10, 11    (02-04 09:00, 02-04 12:00)
#             r2 -> r21                   line 12         (02-06)
#             r11 -> r111                 line 13         (02-08)
#   self      s -> s   line 14                                 -> "self-referral: s -> s"
#   claims    x1 -> p  line 15, 03-02 (kept); x2 -> p line 16, 03-04 (later in file and time)
#                                                              -> "referee already referred by x1: x2 -> p"
#             y2 -> q  line 17, 03-06: EARLIER in the file, later in time
#                                                              -> "referee already referred by y1: y2 -> q"
#             y1 -> q  line 18, 03-05: later in the file, earlier in time: kept
#             q -> w   line 23, 03-05 12:00 (q converted at 12:00 too)
#   tie       z2 -> u  line 19 and z1 -> u line 20, both 03-07 09:00: input order, z2 wins
#             (not id order: z1 < z2)                          -> "referee already referred by z2: z1 -> u"
#   2-cycle   n -> m   line 21, 03-09: earlier in the file, later in time
#                                                              -> "would close a cycle: n -> m"
#             m -> n   line 22, 03-08: kept
#
# Rejected in time order: lines 6, 5, 14, 16, 17, 20, 21 (7 = 4 already referred, 2 cycle, 1
# self-referral); kept 22 - 7 = 15 edges.
#
# Per referrer (kept invitations; sign-up / conversion = the kept row's joined_at / paid_at):
#   gen: roots 0 (a, r, m, x1, y1, z2); b 1, c 2; r1 r2 1, r11 2; q 1 (y1 -> q)
#   descendants: a {b c d} 3; b {c d} 2; c {d} 1; r {r1 r2 r3 r11 r12 r21 r111} 7;
#     r1 {r11 r12 r111} 3; r11 {r111} 1; r2 {r21} 1; y1 {q w} 2; m, q, x1, z2 1
#   depth (levels below): a 3 (b c d), b 2, c 1; r 3 (r1 r11 r111), r1 2, r11 1, r2 1; y1 2; others 1
#   invites / signed_up / converted:
#     a 1/1/1 (b joined 01-01 12:00, paid 01-02)   b 1/1/0 (c joined)   c 1/0/0 (d)
#     r 3/2/1 (r1 joined+paid, r2 joined, r3 none)  r1 2/2/2 (r11, r12 both)   r11 1/1/0 (r111)
#     r2 1/0/0   x1 1/1/1 (p)   y1 1/1/1 (q)   q 1/0/0 (w)   z2 1/0/0   m 1/0/0
#     (x2, y2, z1, n, d, s: no kept invitation, no row)
#   conversion_pct and Wilson: 1/1 100.00 20.65-100.00; 0/1 0.00 0.00-79.35; 2/2 100.00
#     34.24-100.00; 1/3 33.33: p = 1/3, centre (0.333333 + 0.640243) / 2.280486 = 0.426921, half
#     1.959964 / 2.280486 * sqrt(0.074074 + 0.106707) = 0.365424 -> 6.15-79.23
#   first/last invite: r 02-01 09:00 / 02-03 09:00; r1 02-04 09:00 / 12:00; c's rejected c -> b
#     (01-06) is not an invitation: c's only is 01-05
# Sorted bytewise: a b c m q r r1 r11 r2 x1 y1 z2.
@test "jrefer: hand-drawn graph: chain, tree, cycles, self-referral, claims, a tie (golden referrers.csv)" {
	jtrc 0 "${RAW[@]}" graph.csv
	golden referrers.csv
	# the first 5 rejects in the order the edges are taken (time), then the summary by reason
	err_is "jrefer: graph.csv:6: referee already referred by a: c -> b
jrefer: graph.csv:5: would close a cycle: d -> a
jrefer: graph.csv:14: self-referral: s -> s
jrefer: graph.csv:16: referee already referred by x1: x2 -> p
jrefer: graph.csv:17: referee already referred by y1: y2 -> q
jrefer: 7 rows rejected (4 already referred, 2 cycle, 1 self-referral) (use --rejects FILE to keep them)"
	# the intervals of the golden, recomputed
	for r in a r r1 b; do
		run awk -F, -v k=$r '$1 == k { print $5, $3 }' "$T/out"
		read -r x n <<<"$output"
		assert_equal "$r:$(row $r | cut -d, -f7,8)" "$r:$(wilson "$x" "$n")"
	done
}

# Every kept referee, sorted by id bytewise (r1 < r11 < r111 < r12 < r2), with the way down
# from the root; w's root is y1 (y1 -> q -> w). Not listed: the roots, and x2, y2, z1, s.
@test "jrefer: --chains: referrer, root, generation and path of every kept referee (golden chains.csv)" {
	jtrc 0 "${RAW[@]}" --chains -q graph.csv
	golden chains.csv
	# the generation is the path's length - 1, the root its first and the referrer its last but one
	run awk -F, 'NR > 1 { n = split($5, p, " > "); if (n - 1 != $4 || p[1] != $3 || p[n - 1] != $2 || p[n] != $1) print }' "$T/out"
	assert_output ''
}

@test "jrefer: a chain a -> b -> c -> d and the edge d -> a closing it: rejected with its line" {
	printf 'advocate,friend,sent_at\nc,d,2024-01-03T00:00:00Z\nd,a,2024-01-04T00:00:00Z\na,b,2024-01-01T00:00:00Z\nb,c,2024-01-02T00:00:00Z\n' >"$T/c.csv"
	cd "$T"
	# d -> a is line 3 but the latest edge: by then a -> b -> c -> d is built and a is d's root
	jtrc 0 --referrer advocate --referee friend --time sent_at --rejects rj.csv c.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
a,0,1,,,,,,3,3,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
b,1,1,,,,,,2,2,2024-01-02T00:00:00Z,2024-01-02T00:00:00Z
c,2,1,,,,,,1,1,2024-01-03T00:00:00Z,2024-01-03T00:00:00Z
EOF
	err_is "jrefer: c.csv:3: would close a cycle: d -> a
jrefer: 1 row rejected (1 cycle) (see rj.csv)"
	same rj.csv <<'EOF'
advocate,friend,sent_at,reject_file,reject_line,reject_reason
d,a,2024-01-04T00:00:00Z,c.csv,3,would close a cycle: d -> a
EOF
	# a self-referral and a 2-cycle, smallest cases
	printf 'advocate,friend,sent_at\nk,k,2024-01-01T00:00:00Z\ne,f,2024-01-01T00:00:00Z\nf,e,2024-01-01T00:00:00Z\n' >"$T/s.csv"
	jtrc 0 --referrer advocate --referee friend --time sent_at s.csv
	err_is "jrefer: s.csv:2: self-referral: k -> k
jrefer: s.csv:4: would close a cycle: f -> e
jrefer: 2 rows rejected (1 cycle, 1 self-referral) (use --rejects FILE to keep them)"
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
e,0,1,,,,,,1,1,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
EOF
}

# Claims on one referee (v): 10:00 g1 (line 4), 09:00 g2 (line 2), 11:00 g3 (line 3), and a tie
# at 09:00 by g0 (line 5, after g2 in the input): g2 is first by time; the tie goes to the
# earlier line (g2), not the smaller id (g0); the later ones in time order are rejected naming g2.
@test "jrefer: double claims: the first by time wins wherever it is in the file; ties go to input order" {
	printf 'advocate,friend,sent_at\ng2,v,2024-01-01T09:00:00Z\ng3,v,2024-01-01T11:00:00Z\ng1,v,2024-01-01T10:00:00Z\ng0,v,2024-01-01T09:00:00Z\n' >"$T/v.csv"
	cd "$T"
	jtrc 0 --referrer advocate --referee friend --time sent_at --chains v.csv
	same <<'EOF'
customer,referrer,root,generation,path
v,g2,g2,1,g2 > v
EOF
	err_is "jrefer: v.csv:5: referee already referred by g2: g0 -> v
jrefer: v.csv:4: referee already referred by g2: g1 -> v
jrefer: v.csv:3: referee already referred by g2: g3 -> v
jrefer: 3 rows rejected (3 already referred) (use --rejects FILE to keep them)"
	# a tie across two inputs: the file named first holds the earlier row
	printf 'advocate,friend,sent_at\nh1,v,2024-01-01T09:00:00Z\n' >"$T/h1.csv"
	printf 'advocate,friend,sent_at\nh2,v,2024-01-01T09:00:00Z\n' >"$T/h2.csv"
	jtrc 0 --referrer advocate --referee friend --time sent_at --chains h2.csv h1.csv
	run tail -1 "$T/out"
	assert_output "v,h2,h2,1,h2 > v"
	err_is "jrefer: h1.csv:2: referee already referred by h2: h1 -> v
jrefer: 1 row rejected (1 already referred) (use --rejects FILE to keep them)"
	jtrc 0 -q --referrer advocate --referee friend --time sent_at --chains h1.csv h2.csv
	run tail -1 "$T/out"
	assert_output "v,h1,h1,1,h1 > v"
	# the same referrer inviting the same referee twice: a reminder, rejected as a repeat invitation
	printf 'advocate,friend,sent_at\nA,b,2024-01-01T00:00:00Z\nA,b,2024-01-02T00:00:00Z\n' >"$T/twice.csv"
	jtrc 0 --referrer advocate --referee friend --time sent_at twice.csv
	err_is "jrefer: twice.csv:3: repeat invitation: A -> b
jrefer: 1 row rejected (1 repeat invitation) (use --rejects FILE to keep them)"
	assert_equal "$(row A | cut -d, -f3)" 1
}

@test "jrefer: the graph depends on times, not on the input's order or its split into files (except ties)" {
	# graph.csv's data lines reversed: the same report, but for the tie at 03-07 09:00, which
	# now goes to z1 (its line comes first): z1's row replaces z2's (1 invite, u not converted)
	{ head -1 graph.csv; tail -n +2 graph.csv | tac; } >"$T/rev.csv"
	jtrc 0 -q "${RAW[@]}" "$T/rev.csv"
	sed 's/^z2,/z1,/' "$EXP/jrefer/referrers.csv" | same
	# split in two with the second half named first
	{ head -1 graph.csv; sed -n 12,23p graph.csv; } >"$T/g2.csv"
	head -11 graph.csv >"$T/g1.csv"
	cd "$T"
	jtrc 0 "${RAW[@]}" --chains g2.csv g1.csv
	golden chains.csv
	# the same rejects, named by file and line of the part
	run head -2 "$T/err"
	assert_output "jrefer: g1.csv:6: referee already referred by a: c -> b
jrefer: g1.csv:5: would close a cycle: d -> a"
}

# CSV conventions: a UTF-8 BOM and CRLF line ends change nothing; ids with a delimiter or a quote
# are quoted in every output (minimal quoting), kept byte for byte in the rejects file.
@test "jrefer: BOM and CRLF input; ids with commas and quotes are quoted on output" {
	{ printf '\357\273\277'; sed 's/$/\r/' graph.csv; } >"$T/crlf.csv"
	jtrc 0 -q "${RAW[@]}" "$T/crlf.csv"
	golden referrers.csv
	printf 'a,b,t\n"o, 1","o""2",2024-01-01T00:00:00Z\n"o""2","o""2",2024-01-02T00:00:00Z\n' >"$T/q.csv"
	cd "$T"
	jtrc 0 --referrer a --referee b --time t --chains --rejects rj.csv q.csv
	same <<'EOF2'
customer,referrer,root,generation,path
"o""2","o, 1","o, 1",1,"o, 1 > o""2"
EOF2
	same rj.csv <<'EOF2'
a,b,t,reject_file,reject_line,reject_reason
"o""2","o""2",2024-01-02T00:00:00Z,q.csv,3,"self-referral: o""2 -> o""2"
EOF2
	err_is "jrefer: q.csv:3: self-referral: o\"2 -> o\"2
jrefer: 1 row rejected (1 self-referral) (see rj.csv)"
}

# ================================================================ 2. --summary, every figure by hand

# graph.csv as a raw export:
#   customers: the distinct referrers and referees of the export = a b c d, r r1 r2 r3 r11 r12 r21
#     r111, s, x1 x2 p, y1 y2 q w, z1 z2 u, m n = 4 + 8 + 1 + 3 + 4 + 3 + 2 = 25
#   referrers (>= 1 kept invitation) 12 (a b c m q r r1 r11 r2 x1 y1 z2); referring_pct 12/25 = 48.00
#   invites 15 (kept edges); invites_per_customer 15/25 = 0.6000; invites_per_referrer 15/12 = 1.2500
#   signed_up 1+1+0+0+0+2+2+1+0+1+1+0 = 9 (a b c m q r r1 r11 r2 x1 y1 z2); signup_pct 9/15 = 60.00
#   converted 1+0+0+0+0+1+2+0+0+1+1+0 = 6; conversion_pct 6/15 = 40.00; Wilson 6/15: centre
#     (0.4 + 0.128049) / 1.256097 = 0.420388, half 1.560360 * sqrt(0.016 + 0.004268) = 0.222144
#     -> 19.82 .. 64.25
#   k_factor customers: 15/25 x 6/15 = 6/25 = 0.2400; referrers: 15/12 x 6/15 = 6/12 = 0.5000
#   viral cycle time: own conversion = conversion as a referee (paid_at of the kept row):
#     b: paid 01-02 10:00, first invite 01-03 10:00 -> 86400
#     r1: paid 02-04 10:00, first invite 02-04 09:00: after it -> left out
#     r11: paid 02-05 09:00, first invite 02-08 09:00 -> 259200
#     q: paid 03-05 12:00, first invite 03-05 12:00 -> 0 (not after: counted)
#     a, c, m, r, r2, x1, y1, z2: never converted as a referee (or are roots) -> left out
#     n = 3, median of 0, 86400, 259200 = 86400
#   generations 3 (d, r111); referred_customers 15 (one per kept edge); referred_pct 15/25 = 60.00
#   rejected 7; flagged 0 (no kept referee sent a row, signed up or converted before their invitation)
@test "jrefer: --summary of the raw export: every figure by hand (golden summary.csv), both K-factors" {
	jtrc 0 "${RAW[@]}" --summary -q graph.csv
	golden summary.csv
	assert_equal "$(metric conversion_lo),$(metric conversion_hi)" "$(wilson 6 15)"
	assert_equal "$(secs 2024-01-02T10:00:00Z 2024-01-03T10:00:00Z) $(secs 2024-02-05T09:00:00Z 2024-02-08T09:00:00Z)" \
		"86400 259200"
	# K-factor the other way: only the two k_factor lines change
	jtrc 0 "${RAW[@]}" --summary -q --k-factor referrers graph.csv
	diff "$EXP/jrefer/summary.csv" "$T/out" | grep '^[<>]' >"$T/d" || true
	same "$T/d" <<'EOF'
< k_factor,0.2400
< k_factor_definition,invites per customer x conversion
> k_factor,0.5000
> k_factor_definition,invites per referrer x conversion
EOF
	jtrc 0 "${RAW[@]}" --summary -q --k-factor customers graph.csv
	golden summary.csv
	# --customers 100 replaces the base: 12/100 = 12.00, 15/100 = 0.1500, 6/100 = 0.0600, 15/100 = 15.00
	jtrc 0 "${RAW[@]}" --summary -q --customers 100 graph.csv
	assert_equal "$(metric customers) $(metric referring_pct) $(metric invites_per_customer) $(metric k_factor) $(metric referred_pct)" \
		"100 12.00 0.1500 0.0600 15.00"
}

# The touch stream of R.csv and O.csv (jtouch; lines of touches.csv in brackets):
#   R.csv: A -> b1 04-01 10:00 [2] (b1 referral_signup 04-02 [3], referral_converted 04-05 10:00:01 [4]),
#     A -> b2 11:00 [5], A -> b3 12:00 [6], A -> b6 13:00 [7] (b6 referral_signup 13:00 [8]),
#     B -> b4 04-02 10:00 [9], B -> b5 11:00 [10], C -> b7 04-03 10:00 [11], b1 -> c1 04-06 10:00 [12],
#     D -> (empty) 04-07 [13]: rejected "missing referee"
#   O.csv order_placed: A 03-20 10:00 [14], b1 04-03 09:00 [15], b2 04-03 09:00 [16], b4 03-15 08:00
#     [17] and 04-10 08:00 [18], b5 04-02 11:00 [19], b7 01-10 12:00 [20], B 04-20 10:00 [21], E 04-04 [22]
# Per referee (sign-up: referral_signup at or after, else any touch at or after; conversion:
# referral_converted at or after, else order_placed at or after):
#   b1 signed (signup 04-02), converted (referral_converted 04-05)
#   b2 signed (its order 04-03 is its first touch after 11:00), converted (the same order)
#   b3 no touches: neither;  b6 signed (referral_signup at 13:00, the invitation's second), not converted
#   b4 signed and converted by the order 04-10; flagged: its order 03-15 is before the invitation
#   b5 its only touch, an order at 11:00, the invitation's second: signed up and converted
#      (both at or after)
#   b7 flagged (order 01-10 before 04-03), nothing after: neither;  c1 no touches: neither
# A 4/3/2 (Wilson 2/4: centre 0.5, half 0.999796 * sqrt(0.0625 + 0.060023) = 0.349962 -> 15.00..85.00),
# B 2/2/2 (100.00, 34.24..100.00), C 1/0/0, b1 1/0/0 (generation 1: A -> b1)
# descendants: A {b1 b2 b3 b6 c1} 5, depth 2 (b1 c1); B 2, 1; C 1, 1; b1 1, 1
@test "jrefer: touch stream from jtouch: sign-up and conversion from the referee's touches (golden touch_referrers.csv)" {
	touches
	run wc -l <"$T/touches.csv"
	assert_output 22
	jtrc 0 touches.csv
	golden touch_referrers.csv
	err_is "jrefer: touches.csv:13: column 'referee': empty referee id on referral_sent
jrefer: 1 row rejected (1 missing referee) (use --rejects FILE to keep them)
jrefer: 2 referrals kept but flagged: the referee was a customer before (use --flags FILE to list them)"
	assert_equal "$(row A | cut -d, -f7,8)" "$(wilson 2 4)"
	# the stream through a pipe: the same report
	jtouch -p referrals "$FIX/jrefer/R.csv" -p orders "$FIX/jrefer/O.csv" 2>/dev/null | jrefer -q >"$T/p.csv" 2>/dev/null
	golden touch_referrers.csv "$T/p.csv"
}

# The referees who had a touch before their invitation: b4 (order 03-15 08:00 < 04-02 10:00) and
# b7 (order 01-10 12:00 < 04-03 10:00), in the order the edges are taken; both are kept (they
# count in the report above). b6's referral_signup and b5's order at the invitation's second
# are not before it.
@test "jrefer: referees who were customers before are kept and flagged on stderr and in --flags (golden flags.csv)" {
	touches
	jtrc 0 --flags flags.csv --chains touches.csv
	golden flags.csv flags.csv
	err_is "jrefer: touches.csv:13: column 'referee': empty referee id on referral_sent
jrefer: 1 row rejected (1 missing referee) (use --rejects FILE to keep them)
jrefer: 2 referrals kept but flagged: the referee was a customer before (flags.csv)"
	# kept: b4 and b7 are in the chains
	same <<'EOF'
customer,referrer,root,generation,path
b1,A,A,1,A > b1
b2,A,A,1,A > b2
b3,A,A,1,A > b3
b4,B,B,1,B > b4
b5,B,B,1,B > b5
b6,A,A,1,A > b6
b7,C,C,1,C > b7
c1,b1,A,2,A > b1 > c1
EOF
	# one flagged: the singular
	printf 'customer,time,touchpoint,referee\nx,2024-01-01T00:00:00Z,site_visit,\nA,2024-01-02T00:00:00Z,referral_sent,x\n' >"$T/one.csv"
	jtrc 0 --flags f1.csv one.csv
	err_is "jrefer: 1 referral kept but flagged: the referee was a customer before (f1.csv)"
	same f1.csv <<'EOF'
referrer,referee,time,flag,detail
A,x,2024-01-02T00:00:00Z,existing_customer,first touch 2024-01-01T00:00:00Z
EOF
	# no flag: the header only
	printf 'customer,time,touchpoint,referee\nA,2024-01-02T00:00:00Z,referral_sent,x\nx,2024-01-02T00:00:00Z,site_visit,\n' >"$T/none.csv"
	jt --flags f0.csv none.csv
	same f0.csv <<<"referrer,referee,time,flag,detail"
}

# Boundaries, one referrer P, three invitations at 2024-05-01 10:00:00:
#   k1: referral_signup 09:00, referral_converted 09:30 (both before): neither counts, no later
#       touch -> not signed, not converted; flagged (first touch 09:00)
#   k2: site_visit 10:00:01 (after) -> signed; order_approved later is no order_placed ->
#       not converted
#   k3: site_visit and referral_converted at 10:00:00 -> signed and converted (at or after);
#       not flagged (nothing strictly before)
# P: 3 invites, 2 signed, 1 converted, 33.33 (6.15..79.23, as r in the graph), descendants 3, depth 1
@test "jrefer: touch stream: 'at or after' the invitation for every sign-up and conversion rule" {
	printf 'customer,time,touchpoint,referee\nP,2024-05-01T10:00:00Z,referral_sent,k1\nk1,2024-05-01T09:00:00Z,referral_signup,\nk1,2024-05-01T09:30:00Z,referral_converted,\nP,2024-05-01T10:00:00Z,referral_sent,k2\nk2,2024-05-01T10:00:01Z,site_visit,\nk2,2024-05-02T00:00:00Z,order_approved,\nP,2024-05-01T10:00:00Z,referral_sent,k3\nk3,2024-05-01T10:00:00Z,site_visit,\nk3,2024-05-01T10:00:00Z,referral_converted,\n' >"$T/b.csv"
	cd "$T"
	jtrc 0 --flags f.csv b.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
P,0,3,2,1,33.33,6.15,79.23,3,1,2024-05-01T10:00:00Z,2024-05-01T10:00:00Z
EOF
	same f.csv <<'EOF'
referrer,referee,time,flag,detail
P,k1,2024-05-01T10:00:00Z,existing_customer,first touch 2024-05-01T09:00:00Z
EOF
	err_is "jrefer: 1 referral kept but flagged: the referee was a customer before (f.csv)"
}

# The touch stream (see above):
#   customers with at least one touch: A (sent, order), B (sent, order), C (sent), E (order), b1
#     (signup, converted, order, sent), b2, b4, b5, b7 (orders), b6 (signup) = 10; not b3, c1 (no
#     touch) nor D (its only row is rejected)
#   referrers 4 (A B C b1): referring_pct 4/10 = 40.00
#   invites 4 + 2 + 1 + 1 = 8: invites_per_customer 8/10 = 0.8000, invites_per_referrer 8/4 = 2.0000
#   signed_up 3 + 2 + 0 + 0 = 5: signup_pct 5/8 = 62.50; converted 2 + 2 + 0 + 0 = 4: conversion_pct 4/8 = 50.00
#   Wilson 4/8: centre 0.5, half 1.959964 / 1.480182 * sqrt(0.03125 + 0.015006) = 0.284786 -> 21.52..78.48
#   k_factor 4/10 = 0.4000 (8/10 x 4/8); referrers: 4/4 = 1.0000 (8/4 x 4/8)
#   viral cycle time: own conversion = first referral_converted, else first order_placed:
#     A: no referral_converted, order 03-20 10:00; first invite 04-01 10:00 -> 12 days = 1036800
#     b1: referral_converted 04-05 10:00:01 (not its earlier order 04-03 09:00); first invite
#         04-06 10:00 -> 86399
#     B: order 04-20, after its first invite 04-02 -> left out; C: no conversion -> left out
#     n = 2, median (86399 + 1036800) / 2 = 561599.5 -> 561600 (half away from zero)
#   generations 2 (c1); referred_customers 6: the kept referees who are customers (have a touch):
#   b1 b2 b4 b5 b6 b7, not b3 or c1; referred_pct 6/10 = 60.00
#   rejected 1 (D's empty referee); flagged 2 (b4, b7)
@test "jrefer: --summary of the touch stream: every figure by hand (golden touch_summary.csv), --customers N" {
	touches
	jtrc 0 --summary touches.csv
	golden touch_summary.csv
	assert_equal "$(metric conversion_lo),$(metric conversion_hi)" "$(wilson 4 8)"
	assert_equal "$(secs 2024-03-20T10:00:00Z 2024-04-01T10:00:00Z) $(secs 2024-04-05T10:00:01Z 2024-04-06T10:00:00Z)" \
		"1036800 86399"
	jtrc 0 -q --summary --k-factor referrers touches.csv
	assert_equal "$(metric k_factor) $(metric k_factor_definition)" "1.0000 invites per referrer x conversion"
	# --customers 20: referring_pct 4/20 = 20.00, invites_per_customer 8/20 = 0.4000,
	# k_factor 4/20 = 0.2000, referred_pct 6/20 = 30.00; the rest unchanged
	jtrc 0 -q --summary --customers 20 touches.csv
	diff "$EXP/jrefer/touch_summary.csv" "$T/out" | grep '^>' >"$T/d" || true
	same "$T/d" <<'EOF'
> customers,20
> referring_pct,20.00
> invites_per_customer,0.4000
> k_factor,0.2000
> referred_pct,30.00
EOF
	# fewer than the 13 ids the run knows (A B C D E b1..b7 c1): a warning, the figures as asked
	# (referring_pct 4/12 = 33.33)
	jtrc 0 --summary --customers 12 touches.csv
	run tail -1 "$T/err"
	assert_output "jrefer: warning: --customers 12 is fewer than the 13 customers the referrals name"
	assert_equal "$(metric referring_pct)" "33.33"
}

# Issue 14, item 5: an invitation rejected by the graph tests is still a touch of its
# referrer, who sent it. rep.csv: a -> q 01-01 (kept), b -> q 01-02 (rejected: q is a's), p -> b
# 01-03 (kept). Customers with a touch: a, b, p = 3 (q has none); b's touch of 01-02 is before
# p's invitation of 01-03: p -> b is kept and flagged. The same from jtouch -p referrals.
# referrers 2 (a, p): 66.67; invites 2: 0.6667; referred_customers 1 (b; q has no touch): 33.33.
@test "jrefer: a rejected invitation is its referrer's touch: a customer and an earlier touch for the flag" {
	cd "$T"
	printf 'customer,time,touchpoint,referee\na,2024-01-01T00:00:00Z,referral_sent,q\nb,2024-01-02T00:00:00Z,referral_sent,q\np,2024-01-03T00:00:00Z,referral_sent,b\n' >rep.csv
	jtrc 0 --summary --flags f.csv rep.csv
	assert_equal "$(metric customers) $(metric referrers) $(metric referring_pct) $(metric invites_per_customer) $(metric referred_customers) $(metric referred_pct) $(metric flagged)" \
		"3 2 66.67 0.6667 1 33.33 1"
	same f.csv <<'EOF'
referrer,referee,time,flag,detail
p,b,2024-01-03T00:00:00Z,existing_customer,first touch 2024-01-02T00:00:00Z
EOF
	err_is "jrefer: rep.csv:3: referee already referred by a: b -> q
jrefer: 1 row rejected (1 already referred) (use --rejects FILE to keep them)
jrefer: 1 referral kept but flagged: the referee was a customer before (f.csv)"
	printf 'referrer_id,referee_id,sent_at\na,q,2024-01-01T00:00:00Z\nb,q,2024-01-02T00:00:00Z\np,b,2024-01-03T00:00:00Z\n' >rep_raw.csv
	jtouch -p referrals rep_raw.csv >rep_t.csv
	jtrc 0 -q --summary --flags f2.csv rep_t.csv
	assert_equal "$(metric customers) $(metric flagged)" "3 1"
	same f2.csv <f.csv
	# every graph test: a self-referral, a cycle and a reminder are touches of their sender too.
	# s's only row is s -> s; x's only row, x -> a, would close the cycle a -> x; a's reminder to x
	# comes last. Customers a, s, x = 3; x's rejected x -> a (01-06) is x's first touch at or
	# after a -> x (01-05): x signed up
	printf 'customer,time,touchpoint,referee\ns,2024-01-04T00:00:00Z,referral_sent,s\na,2024-01-05T00:00:00Z,referral_sent,x\nx,2024-01-06T00:00:00Z,referral_sent,a\na,2024-01-07T00:00:00Z,referral_sent,x\n' >g.csv
	jtrc 0 -q --summary g.csv
	assert_equal "$(metric customers) $(metric referrers) $(metric invites) $(metric signed_up) $(metric referred_customers) $(metric rejected)" \
		"3 1 1 1 1 3"
}

# The EXAMPLES of jrefer(1), run as printed: the page's two exports are written from the page,
# every "$ " command is run in one shell (so R= and echo $? work), and its standard output and
# standard error (the 'jrefer: ' lines) must be the page's, byte for byte. Then the figures the
# page gives in prose: the stream shows 7 customers (fay's only row, her self-referral, is
# rejected but hers), so without --customers k_factor is 3/7 = 0.4286 and referred_pct 5/7 = 71.43.
@test "jrefer: the EXAMPLES of jrefer(1) run as printed, and the prose figures (7 customers, 0.4286, 71.43)" {
	cd "$T"
	awk '
	function flush(   f) {
		if (cmd == "") return
		n++
		printf "%s", outp >("exp." n); close("exp." n)
		f = substr(cmd, 5)
		if (cmd ~ /^cat [^ ]+$/ && index(seen, " " f " ") == 0) { printf "%s", outp >f; close(f) }
		printf "{ %s\n} >out.%d 2>err.%d\n", cmd, n, n >"ex.sh"
		seen = seen " " cmd " "; cmd = ""; outp = ""
	}
	function odd_quotes(s) { return gsub(/\047/, "", s) % 2 }
	/^\.Sh EXAMPLES/ { on = 1; next }
	/^\.Sh / { on = 0 }
	!on { next }
	/^\.Bd -literal/ { blk = 1; next }
	/^\.Ed/ { flush(); blk = 0; next }
	!blk { next }
	{
		gsub(/\\e/, "\\"); gsub(/\\\(aq/, "\047"); gsub(/\\&/, "")
		if (cont) { cmd = cmd "\n" $0; cont = $0 ~ /\\$/ || odd_quotes(cmd); next }
		if (/^\$ /) { flush(); cmd = substr($0, 3); cont = cmd ~ /\\$/ || odd_quotes(cmd); next }
		outp = outp $0 "\n"
	}
	END { print n >"count" }' "$REPO/man/man1/jrefer.1"
	assert_equal "$(cat count)" 16
	[ -s referrals.csv ] && [ -s orders.csv ]
	bash ex.sh
	local i
	for i in $(seq "$(cat count)"); do
		grep -v '^jrefer: ' "exp.$i" | same "out.$i"
		grep '^jrefer: ' "exp.$i" | same "err.$i"
	done
	jtrc 0 -q --summary touches.csv
	assert_equal "$(metric customers) $(metric k_factor) $(metric referred_customers) $(metric referred_pct)" "7 0.4286 5 71.43"
}

# --since 2024-04-02T00:00:00Z drops the 8 touches before it (A's four invitations, b6's sign-up,
# the orders of A 03-20, b4 03-15, b7 01-10): A's edges are gone, b1 becomes a root (generation 0),
# b4 and b7 are no longer flagged (their earlier orders are outside the range). rows_in 21 =
# rows_out 12 + skipped 8 + rejected 1.
@test "jrefer: --since/--until on the touch stream cut the graph; skipped rows in --stats" {
	touches
	jtrc 0 --since 2024-04-02T00:00:00Z --stats st.csv touches.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
B,0,2,2,2,100.00,34.24,100.00,2,1,2024-04-02T10:00:00Z,2024-04-02T11:00:00Z
C,0,1,0,0,0.00,0.00,79.35,1,1,2024-04-03T10:00:00Z,2024-04-03T10:00:00Z
b1,0,1,0,0,0.00,0.00,79.35,1,1,2024-04-06T10:00:00Z,2024-04-06T10:00:00Z
EOF
	err_is "jrefer: touches.csv:13: column 'referee': empty referee id on referral_sent
jrefer: 1 row rejected (1 missing referee) (use --rejects FILE to keep them)"
	stats_are rows_in=21 rows_out=12 rows_skipped=8 rows_rejected=1
	# --until 2024-04-02T00:00:00Z keeps touches before 04-02: A's four invitations, b6's sign-up at
	# 04-01 13:00 and the orders of A, b4, b7; b1's sign-up (04-02) and order (04-03) and b2's order
	# are outside: only b6 signed up, nobody converted -> A 4/1/0, descendants 4 (no c1), depth 1;
	# D's row (04-07) is skipped, not rejected
	jtrc 0 -q --until 2024-04-02T00:00:00Z touches.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
A,0,4,1,0,0.00,0.00,48.99,4,1,2024-04-01T10:00:00Z,2024-04-01T13:00:00Z
EOF
	# 0/4: hi = z^2 / (4 + z^2) = 3.841459 / 7.841459 = 0.489890 -> 48.99
	assert_equal "$(row A | cut -d, -f7,8)" "$(wilson 0 4)"
}

# ================================================================ 4. raw export mode

# Issue 14, item 5, the raw export: its rows stand for the touches jtouch -p referrals makes of
# them (the referrer's at the time, the referee's at the sign-up and conversion), so both forms
# flag the same referrals. x.csv: a -> q 01-01 kept; b -> q 01-02 rejected (q is a's); p -> b 01-03
# kept, flagged: b sent an invitation 01-02; k -> m 01-05 kept, flagged: m signed up 01-04, before
# it; k -> n 01-06 kept, n converted 01-07, after it: not flagged.
# customers differ, as jrefer(1) defines them: the raw export counts every id (a b k m n p q =
# 7); the touch stream the ids with a touch (a b k m n p = 6; q has none).
@test "jrefer: raw export: its rows are the touches for the flag; the same flags as its jtouch stream" {
	cd "$T"
	printf 'referrer_id,referee_id,sent_at,signed_up_at,converted_at\na,q,2024-01-01T00:00:00Z,,\nb,q,2024-01-02T00:00:00Z,,\np,b,2024-01-03T00:00:00Z,,\nk,m,2024-01-05T00:00:00Z,2024-01-04T00:00:00Z,\nk,n,2024-01-06T00:00:00Z,,2024-01-07T00:00:00Z\n' >x.csv
	local R=(--referrer referrer_id --referee referee_id --time sent_at --signup signed_up_at --converted converted_at)
	jtrc 0 "${R[@]}" --summary --flags f.csv x.csv
	same f.csv <<'EOF'
referrer,referee,time,flag,detail
p,b,2024-01-03T00:00:00Z,existing_customer,first touch 2024-01-02T00:00:00Z
k,m,2024-01-05T00:00:00Z,existing_customer,first touch 2024-01-04T00:00:00Z
EOF
	err_is "jrefer: x.csv:3: referee already referred by a: b -> q
jrefer: 1 row rejected (1 already referred) (use --rejects FILE to keep them)
jrefer: 2 referrals kept but flagged: the referee was a customer before (f.csv)"
	assert_equal "$(metric customers) $(metric flagged)" "7 2"
	jtouch -p referrals x.csv >t.csv
	jtrc 0 -q --summary --flags ft.csv t.csv
	same ft.csv <f.csv
	assert_equal "$(metric customers) $(metric flagged)" "6 2"
	# the issue's three rows without sign-up or conversion: b is flagged all the same; customers
	# a b p q = 4 in the raw export
	head -4 x.csv | cut -d, -f1-3 >y.csv
	jtrc 0 -q --referrer referrer_id --referee referee_id --time sent_at --summary --flags fy.csv y.csv
	assert_equal "$(metric customers) $(metric flagged) $(sed -n 2p fy.csv)" \
		"4 1 p,b,2024-01-03T00:00:00Z,existing_customer,first touch 2024-01-02T00:00:00Z"
	# graph.csv (renamed for the profile): no flag in either form (jrefer(1)'s export, with none
	# either, is run by the EXAMPLES test: a flag would add a line to its standard error)
	printf 'referrer_id,referee_id,sent_at,signed_up_at,converted_at\n' >g.csv
	tail -n +2 "$FIX/jrefer/graph.csv" >>g.csv
	jtrc 0 -q "${R[@]}" --flags fr.csv g.csv
	jtouch -p referrals g.csv >gt.csv
	jtrc 0 -q --flags ft.csv gt.csv
	same fr.csv <<<"referrer,referee,time,flag,detail"
	same ft.csv <fr.csv
}

@test "jrefer: raw export without --signup/--converted: sign-ups and conversions unknown (empty), not 0" {
	# graph.csv with only the three required columns: invites and the tree as in the golden; the
	# sign-up and conversion columns and their rates are empty: unknown, not a measured 0 %
	jtrc 0 -q --referrer advocate --referee friend --time sent_at graph.csv
	run awk -F, 'NR > 1 && ($4 != "" || $5 != "" || $6 != "" || $7 != "" || $8 != "") { print }' "$T/out"
	assert_output ''
	diff <(cut -d, -f1-3,9-12 "$EXP/jrefer/referrers.csv") <(cut -d, -f1-3,9-12 "$T/out")
	jtrc 0 -q --referrer advocate --referee friend --time sent_at --summary graph.csv
	assert_equal "[$(metric signed_up)] [$(metric signup_pct)] [$(metric converted)] [$(metric conversion_pct)] [$(metric k_factor)] [$(metric viral_cycle_time_s)] $(metric viral_cycle_time_n)" \
		"[] [] [] [] [] [] 0"
	# only --converted: sign-ups unknown, conversions as in the golden (6 of 15), cycle time as there
	jtrc 0 -q --referrer advocate --referee friend --time sent_at --converted paid_at --summary graph.csv
	assert_equal "[$(metric signed_up)] $(metric converted) $(metric viral_cycle_time_s) $(metric viral_cycle_time_n)" \
		"[] 6 86400 3"
}

# raw.csv: line 2 kept (a -> b, joined and paid); 3 empty referrer; 4 empty referee; 5 sent_at
# 'yesterday'; 6 joined_at 'soon'; 7 paid_at 'later'; 8 a -> g with the other time forms the
# time parser takes (kept: signed 01-03, paid 01-03 22:00 UTC).
# Kept: a -> b, a -> g: a 2 invites, 2 signed, 2 converted.
@test "jrefer: raw export rejects: missing referrer, missing referee, a bad time in any time column" {
	printf 'advocate,friend,sent_at,joined_at,paid_at\na,b,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,2024-01-02T00:00:00Z\n,c,2024-01-01T00:00:00Z,,\na,,2024-01-01T00:00:00Z,,\na,d,yesterday,,\na,e,2024-01-02T00:00:00Z,soon,\na,f,2024-01-02T00:00:00Z,,later\na,g,2024-01-02,2024-01-03 10:00,2024-01-04T00:00:00+02:00\n' >"$T/raw.csv"
	cd "$T"
	jtrc 0 "${RAW[@]}" --rejects rj.csv --stats st.csv raw.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
a,0,2,2,2,100.00,34.24,100.00,2,1,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z
EOF
	same rj.csv <<'EOF'
advocate,friend,sent_at,joined_at,paid_at,reject_file,reject_line,reject_reason
,c,2024-01-01T00:00:00Z,,,raw.csv,3,column 'advocate': empty referrer id
a,,2024-01-01T00:00:00Z,,,raw.csv,4,column 'friend': empty referee id
a,d,yesterday,,,raw.csv,5,column 'sent_at': 'yesterday' is not a time
a,e,2024-01-02T00:00:00Z,soon,,raw.csv,6,column 'joined_at': 'soon' is not a time
a,f,2024-01-02T00:00:00Z,,later,raw.csv,7,column 'paid_at': 'later' is not a time
EOF
	stats_are rows_in=7 rows_out=2 rows_rejected=5 'rejected:bad time=3' 'rejected:missing customer=1' 'rejected:missing referee=1'
	err_is "jrefer: raw.csv:3: column 'advocate': empty referrer id
jrefer: raw.csv:4: column 'friend': empty referee id
jrefer: raw.csv:5: column 'sent_at': 'yesterday' is not a time
jrefer: raw.csv:6: column 'joined_at': 'soon' is not a time
jrefer: raw.csv:7: column 'paid_at': 'later' is not a time
jrefer: 5 rows rejected (3 bad time, 1 missing customer, 1 missing referee) (see rj.csv)"
	# summary: customers are the ids of the rows read without a row problem: a, b, g = 3 (c, d,
	# e, f appear only in rejected rows); referrers 1 (a), invites 2, rejected 5
	jtrc 0 -q "${RAW[@]}" --summary raw.csv
	assert_equal "$(metric customers) $(metric referrers) $(metric invites) $(metric rejected)" "3 1 2 5"
}

@test "jrefer: a raw export needs --referrer, --referee and --time together; --since/--until refused (exit 2)" {
	local a
	for a in "--referrer advocate --referee friend" "--referrer advocate --time sent_at" "--referee friend --time sent_at" \
		"--signup joined_at" "--converted paid_at" "--referrer advocate --signup joined_at --converted paid_at"; do
		# shellcheck disable=SC2086
		jtrc 2 $a graph.csv
		err_is "jrefer: a raw export needs --referrer, --referee and --time together
Try 'jrefer --help' for more information."
		assert_equal "$(cat "$T/out")" ""
	done
	for a in "--since 2024-01-01T00:00:00Z" "--until 2024-01-01T00:00:00Z"; do
		# shellcheck disable=SC2086
		jtrc 2 "${RAW[@]}" $a graph.csv
		err_is "jrefer: --since and --until read the touch stream's time column; a raw export has none
Try 'jrefer --help' for more information."
	done
	# an unknown column is a data error naming the columns (exit 1)
	jtrc 1 --referrer advocate --referee nosuch --time sent_at graph.csv
	err_is "jrefer: graph.csv:1: no column named 'nosuch' (columns: advocate, friend, sent_at, joined_at, paid_at)"
	# the touch stream needs its columns: a raw export read without the options
	jtrc 1 graph.csv
	run head -1 "$T/err"
	assert_output --regexp "^jrefer: graph.csv:1: no column named '(customer|referee|time|touchpoint)'"
}

# ================================================================ 5. a 100,000-generation chain

# n0 -> n1 -> ... -> n100000, one second apart from 2024-01-01T00:00:00Z (100,000 edges, lines 2 to
# 100001): 100,001 customers, 100,000 referrers, generations 100000; n0 has every other node below
# it (100000 descendants) in 100000 levels; n99999 is at generation 99999 with n100000 below.
# In a 1 MiB stack a recursive walk of 100,000 levels would overflow.
@test "jrefer: a 100,000-generation chain runs in a 1 MiB stack; the edge closing it is rejected with its line" {
	awk 'BEGIN { print "advocate,friend,sent_at"
		for (i = 0; i < 100000; i++)
			printf "n%d,n%d,2024-01-%02dT%02d:%02d:%02dZ\n", i, i + 1, 1 + int(i / 86400), int(i % 86400 / 3600), int(i % 3600 / 60), i % 60 }' >"$T/chain.csv"
	run tail -1 "$T/chain.csv"
	assert_output "n99999,n100000,2024-01-02T03:46:39Z"
	cd "$T"
	run bash -c 'ulimit -s 1024 && ulimit -s'
	assert_output 1024
	bash -c 'ulimit -s 1024; jrefer --referrer advocate --referee friend --time sent_at --summary chain.csv' >sum.csv 2>err
	assert_equal "$(cat err)" ""
	awk -F, '$1 ~ /^(customers|referrers|invites|generations|referred_customers|rejected)$/ { print $1 "=" $2 }' sum.csv >kv
	same kv <<'EOF'
customers=100001
referrers=100000
invites=100000
generations=100000
referred_customers=100000
rejected=0
EOF
	bash -c 'ulimit -s 1024; jrefer --referrer advocate --referee friend --time sent_at chain.csv' >ref.csv 2>err
	assert_equal "$(cat err)" ""
	assert_equal "$(wc -l <ref.csv)" 100001
	assert_equal "$(grep -m1 '^n0,' ref.csv | cut -d, -f2,3,9,10)" "0,1,100000,100000"
	assert_equal "$(grep -m1 '^n99999,' ref.csv | cut -d, -f2,9,10)" "99999,1,1"
	assert_equal "$(grep -m1 '^n50000,' ref.csv | cut -d, -f2,9,10)" "50000,50000,50000"
	# n100000 -> n0 one second later (line 100002) closes the chain into a cycle
	{ cat chain.csv; echo 'n100000,n0,2024-01-02T03:46:40Z'; } >cyc.csv
	bash -c 'ulimit -s 1024; jrefer --referrer advocate --referee friend --time sent_at --summary cyc.csv' >sum2.csv 2>err
	assert_equal "$(cat err)" "jrefer: cyc.csv:100002: would close a cycle: n100000 -> n0
jrefer: 1 row rejected (1 cycle) (use --rejects FILE to keep them)"
	assert_equal "$(awk -F, '$1 == "generations" || $1 == "rejected" || $1 == "invites" { printf "%s ", $2 }' sum2.csv)" "100000 100000 1 "
}

# ================================================================ 6. rejects

# graph.csv: 22 rows in, 15 kept, 7 rejected (see section 1): the --rejects rows carry the original
# five columns, in the order the edges are taken (time), as on stderr.
@test "jrefer: --rejects keeps the original row with file, line and reason; --stats: rows_in = rows_out + rows_rejected" {
	jtrc 0 -q "${RAW[@]}" --rejects "$T/rj.csv" --stats "$T/st.csv" graph.csv
	golden referrers.csv
	err_is ""	# -q: the counts are in --stats
	jtrc 0 "${RAW[@]}" --rejects "$T/rj.csv" --stats "$T/st.csv" graph.csv
	assert_equal "$(tail -n 1 "$T/err")" "jrefer: 7 rows rejected (4 already referred, 2 cycle, 1 self-referral) (see $T/rj.csv)"
	same "$T/rj.csv" <<'EOF'
advocate,friend,sent_at,joined_at,paid_at,reject_file,reject_line,reject_reason
c,b,2024-01-06T10:00:00Z,,,graph.csv,6,referee already referred by a: c -> b
d,a,2024-01-07T10:00:00Z,,,graph.csv,5,would close a cycle: d -> a
s,s,2024-03-01T09:00:00Z,,,graph.csv,14,self-referral: s -> s
x2,p,2024-03-04T09:00:00Z,,,graph.csv,16,referee already referred by x1: x2 -> p
y2,q,2024-03-06T09:00:00Z,,,graph.csv,17,referee already referred by y1: y2 -> q
z1,u,2024-03-07T09:00:00Z,,,graph.csv,20,referee already referred by z2: z1 -> u
n,m,2024-03-09T09:00:00Z,,,graph.csv,21,would close a cycle: n -> m
EOF
	# each rejected row is its graph.csv line byte for byte
	run awk -F, 'NR == FNR { l[FNR] = $0; next } FNR > 1 { r = $1; for (i = 2; i <= 5; i++) r = r "," $i; if (l[$7] != r) print "line " $7 }' \
		graph.csv "$T/rj.csv"
	assert_output ''
	stats_are program=jrefer rows_in=22 rows_out=15 rows_skipped=0 rows_rejected=7 'rejected:already referred=4' \
		'rejected:cycle=2' 'rejected:self-referral=1'
	# the touch stream: 21 touches in, 20 out, 1 rejected
	touches
	jtrc 0 -q --stats st.csv --rejects rj.csv touches.csv
	stats_are rows_in=21 rows_out=20 rows_rejected=1 'rejected:missing referee=1'
	same rj.csv <<'EOF'
customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee,referral_code,reward,order_id,status,reject_file,reject_line,reject_reason
D,2024-04-07T10:00:00Z,referral_sent,referrals,,,,,,,,,,,R9,,,,touches.csv,13,column 'referee': empty referee id on referral_sent
EOF
}

# The first reject in time is c -> b (line 6, 01-06), not d -> a (line 5, 01-07)
@test "jrefer: --strict exits 1 at the first reject in time order, leaving no output, flags or temp files" {
	jtrc 1 "${RAW[@]}" --strict -o "$T/o.csv" --flags "$T/f.csv" graph.csv
	err_is "jrefer: graph.csv:6: referee already referred by a: c -> b"
	assert_equal "$(cat "$T/out")" ""
	run ls -A "$T"
	refute_output --partial "o.csv"
	refute_output --partial "f.csv"
	# a row problem stops it while reading
	touches
	jtrc 1 --strict touches.csv
	err_is "jrefer: touches.csv:13: column 'referee': empty referee id on referral_sent"
	assert_equal "$(cat "$T/out")" ""
}

# 7 of 22 rows rejected = 31.82 %
@test "jrefer: --max-rejects N and P%: exit 1 and no report when exceeded" {
	jtrc 1 -q "${RAW[@]}" --max-rejects 6 graph.csv
	assert_equal "$(cat "$T/out")" ""
	err_is "jrefer: 7 rows rejected (4 already referred, 2 cycle, 1 self-referral) (use --rejects FILE to keep them)
jrefer: 7 rows rejected, more than --max-rejects 6"
	jtrc 0 -q "${RAW[@]}" --max-rejects 7 graph.csv
	golden referrers.csv
	jtrc 1 -q "${RAW[@]}" --max-rejects 30% --summary graph.csv
	assert_equal "$(cat "$T/out")" ""
	run tail -1 "$T/err"
	assert_output "jrefer: 31.82% of rows rejected, more than --max-rejects 30%"
	jtrc 0 -q "${RAW[@]}" --max-rejects 35% --summary graph.csv
	golden summary.csv
}

# ts.csv: line 2 A -> b kept; 3 empty customer; 4 time 'notime'; 5 referral_sent without a
# referee; 6 an empty customer on a referral_sent
@test "jrefer: touch stream rejects: missing customer, bad time, referral_sent without a referee" {
	printf 'customer,time,touchpoint,referee\nA,2024-01-01T00:00:00Z,referral_sent,b\n,2024-01-01T00:00:00Z,order_placed,\nB,notime,order_placed,\nA,2024-01-01T00:00:00Z,referral_sent,\n,2024-01-01T00:00:00Z,referral_sent,c\n' >"$T/ts.csv"
	cd "$T"
	jtrc 0 --rejects rj.csv --stats st.csv ts.csv
	same <<'EOF'
referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite
A,0,1,0,0,0.00,0.00,79.35,1,1,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
EOF
	same rj.csv <<'EOF'
customer,time,touchpoint,referee,reject_file,reject_line,reject_reason
,2024-01-01T00:00:00Z,order_placed,,ts.csv,3,column 'customer': empty customer id
B,notime,order_placed,,ts.csv,4,column 'time': 'notime' is not a time
A,2024-01-01T00:00:00Z,referral_sent,,ts.csv,5,column 'referee': empty referee id on referral_sent
,2024-01-01T00:00:00Z,referral_sent,c,ts.csv,6,column 'customer': empty customer id
EOF
	stats_are rows_in=5 rows_out=1 rows_rejected=4 'rejected:bad time=1' 'rejected:missing customer=2' 'rejected:missing referee=1'
	run tail -1 "$T/err"
	assert_output "jrefer: 4 rows rejected (1 bad time, 2 missing customer, 1 missing referee) (see rj.csv)"
}

# Header only: customers 0, so every share is empty (no denominator), counts 0.
# With --customers 5: referring_pct 0/5 = 0.00, invites_per_customer 0.0000, k_factor 0/5 = 0.0000,
# referred_pct 0.00; invites 0 leaves signup_pct, conversion_pct, the interval and
# invites_per_referrer (0 referrers) empty.
@test "jrefer: 0-byte input gives no output in every mode; header only gives headers and an empty summary" {
	local m
	for m in "" --summary --chains; do
		# shellcheck disable=SC2086
		jt $m </dev/null
		assert_equal "$(wc -c <"$T/out")" 0
		# shellcheck disable=SC2086
		jt $m "${RAW[@]}" </dev/null
		assert_equal "$(wc -c <"$T/out")" 0
	done
	: >"$T/empty.csv"
	jt --flags "$T/f.csv" -o "$T/o.csv" "$T/empty.csv"
	assert_equal "$(wc -c <"$T/o.csv")" 0
	printf 'customer,time,touchpoint,referee\n' >"$T/h.csv"
	jt "$T/h.csv"
	same <<<"referrer,generation,invites,signed_up,converted,conversion_pct,conversion_lo,conversion_hi,descendants,depth,first_invite,last_invite"
	jt --chains "$T/h.csv"
	same <<<"customer,referrer,root,generation,path"
	jt --summary "$T/h.csv"
	same <<'EOF'
metric,value
customers,0
referrers,0
referring_pct,
invites,0
invites_per_customer,
invites_per_referrer,
signed_up,0
converted,0
signup_pct,
conversion_pct,
conversion_lo,
conversion_hi,
k_factor,
k_factor_definition,invites per customer x conversion
viral_cycle_time_s,
viral_cycle_time_n,0
generations,0
referred_customers,0
referred_pct,
rejected,0
flagged,0
EOF
	jt --summary --customers 5 "$T/h.csv"
	assert_equal "$(metric customers) $(metric referring_pct) $(metric invites_per_customer) [$(metric invites_per_referrer)] $(metric k_factor) $(metric referred_pct) [$(metric conversion_pct)]" \
		"5 0.00 0.0000 [] 0.0000 0.00 []"
	head -1 graph.csv >"$T/hr.csv"
	jt "${RAW[@]}" --summary "$T/hr.csv"
	assert_equal "$(metric customers) $(metric invites) [$(metric referring_pct)]" "0 0 []"
}

# ================================================================ 7. usage errors

@test "jrefer: usage errors exit 2 before reading: --summary with --chains, --k-factor, --customers, --flags" {
	jtrc 2 --summary --chains graph.csv
	err_is "jrefer: --summary and --chains: one view at a time
Try 'jrefer --help' for more information."
	jtrc 2 --chains --summary /nonexistent.csv
	err_is "jrefer: --summary and --chains: one view at a time
Try 'jrefer --help' for more information."
	jtrc 2 --k-factor foo graph.csv
	err_is "jrefer: --k-factor: 'foo' is not customers or referrers
Try 'jrefer --help' for more information."
	local n
	for n in 0 -3 x ''; do
		jtrc 2 --customers "$n" graph.csv
		err_is "jrefer: --customers: '$n' is not a positive number
Try 'jrefer --help' for more information."
	done
	jtrc 2 --flags "$T/x.csv" -o "$T/x.csv" /nonexistent.csv
	err_is "jrefer: --flags and -o name the same file '$T/x.csv'
Try 'jrefer --help' for more information."
	jtrc 2 --flags "$T/x.csv" --rejects "$T/x.csv" graph.csv
	err_is "jrefer: --flags and --rejects name the same file '$T/x.csv'
Try 'jrefer --help' for more information."
	jtrc 2 --flags - -o - graph.csv
	err_is "jrefer: --flags -: standard output is already the output or the stats file
Try 'jrefer --help' for more information."
	[ ! -e "$T/x.csv" ]
	jtrc 2 --nosuch graph.csv
	run head -1 "$T/err"
	assert_output --regexp "^jrefer: .*nosuch"
	# a repeated view is no conflict
	jtrc 0 -q --summary --summary "${RAW[@]}" graph.csv
	golden summary.csv
}

# Issue 14, item 8: a --customers base smaller than the referrers and referred customers (each
# once) gave shares over 100 % (the demo's samples: referring_pct 1420.00, k_factor 5.7500). It
# is a usage error, known only after reading: exit 2, nothing written (-o, --rejects, --flags,
# --stats). The tiny graphs, by hand:
#   touch stream a -> q, b -> q (rejected), p -> b: referrers a p, referred b (q has no touch): 3
#   the same as a raw export: referrers a p, referred q b: 4
#   a raw chain a -> b -> c: referrers a b, referred b c: 3, not 4 (b is both)
@test "jrefer: --summary --customers below the referrers and referred customers: exit 2 after reading, nothing written" {
	mkdir "$T/w"
	cd "$T/w"
	printf 'customer,time,touchpoint,referee\na,2024-01-01T00:00:00Z,referral_sent,q\nb,2024-01-02T00:00:00Z,referral_sent,q\np,2024-01-03T00:00:00Z,referral_sent,b\n' >rep.csv
	jtrc 2 -q --summary --customers 2 -o o.csv --rejects rj.csv --flags f.csv --stats st.csv rep.csv
	err_is "jrefer: --customers 2 is fewer than the 3 referrers and referred customers (give at least 3, or leave --customers out)
Try 'jrefer --help' for more information."
	assert_equal "$(ls)" "rep.csv"
	assert_equal "$(wc -c <"$T/out")" 0
	jtrc 0 -q --summary --customers 3 rep.csv
	assert_equal "$(metric customers) $(metric referring_pct) $(metric referred_pct)" "3 66.67 33.33"
	# the same check with the other K-factor: the shares per customer are printed either way
	jtrc 2 -q --summary --k-factor referrers --customers 2 rep.csv
	run head -1 "$T/err"
	assert_output "jrefer: --customers 2 is fewer than the 3 referrers and referred customers (give at least 3, or leave --customers out)"
	# --customers is read by --summary only: the other views take any value
	jtrc 0 -q --customers 1 rep.csv
	jtrc 0 -q --chains --customers 1 rep.csv
	# raw exports: q counts there; a referrer who was referred counts once
	printf 'r,e,t\na,q,2024-01-01T00:00:00Z\nb,q,2024-01-02T00:00:00Z\np,b,2024-01-03T00:00:00Z\n' >raw.csv
	jtrc 2 -q --referrer r --referee e --time t --summary --customers 3 raw.csv
	run head -1 "$T/err"
	assert_output "jrefer: --customers 3 is fewer than the 4 referrers and referred customers (give at least 4, or leave --customers out)"
	jtrc 0 -q --referrer r --referee e --time t --summary --customers 4 raw.csv
	printf 'r,e,t\na,b,2024-01-01T00:00:00Z\nb,c,2024-01-02T00:00:00Z\n' >chain.csv
	jtrc 2 -q --referrer r --referee e --time t --summary --customers 2 chain.csv
	run head -1 "$T/err"
	assert_output "jrefer: --customers 2 is fewer than the 3 referrers and referred customers (give at least 3, or leave --customers out)"
	jtrc 0 -q --referrer r --referee e --time t --summary --customers 3 chain.csv
	assert_equal "$(metric referrers) $(metric referred_customers) $(metric referring_pct) $(metric referred_pct)" "2 2 66.67 66.67"
}

# The demo's sample exports, as the issue ran them. The floor is counted here without jrefer's
# summary: the referrers of the per-referrer table and the kept referees of --chains who have a
# touch in the stream, each id once.
@test "jrefer: the demo's samples with --summary --customers 20: exit 2 naming both numbers" {
	local S="$REPO/share/jtools/sample"
	jtouch -p referrals "$S/referrals.csv" -p orders "$S/orders.csv" >"$T/touches.csv" 2>/dev/null
	cd "$T"
	jtrc 0 -q touches.csv
	cut -d, -f1 out | tail -n +2 >ids
	jtrc 0 -q --chains touches.csv
	awk -F, 'NR == FNR { if (FNR > 1) seen[$1] = 1; next } FNR > 1 && seen[$1] { print $1 }' touches.csv out >>ids
	local n rc=0
	n=$(sort -u ids | wc -l)
	assert_equal "$n" 509
	jtouch -p referrals "$S/referrals.csv" -p orders "$S/orders.csv" 2>/dev/null | jrefer --summary --customers 20 >o.csv 2>e.txt || rc=$?
	assert_equal "$rc" 2
	assert_equal "$(wc -c <o.csv)" 0
	assert_equal "$(tail -2 e.txt)" "jrefer: --customers 20 is fewer than the 509 referrers and referred customers (give at least 509, or leave --customers out)
Try 'jrefer --help' for more information."
	jtrc 2 -q --summary --customers $((n - 1)) touches.csv
	jtrc 0 -q --summary --customers "$n" touches.csv
	assert_equal "$(metric referrers) $(metric referred_customers)" "284 247"
}

# The output goes to stdout when -o is not given, so --flags - is the output: two CSVs would be
# concatenated there. jtools refuses '-' for --rejects for the same reason.
@test "jrefer: --flags - without -o is refused like --flags equal to -o" {
	touches
	jtrc 2 --flags - touches.csv
	assert_equal "$(cat "$T/out")" ""
}

# --stats, --rejects and -o are refused pairwise (jt_common_check); --flags is checked against -o
# and --rejects only, so --flags F --stats F silently overwrites the flags with the stats.
@test "jrefer: --flags equal to --stats is refused like the other output pairs" {
	touches
	jtrc 2 --flags same.csv --stats same.csv touches.csv
}

# A 0-byte input writes nothing: -o is left empty and so is --rejects ("still leave a (empty)
# file for the cron job"); the flags file gets its header all the same.
@test "jrefer: 0-byte input leaves the --flags file empty like -o and --rejects" {
	: >"$T/empty.csv"
	jt --flags "$T/f.csv" -o "$T/o.csv" --rejects "$T/r.csv" "$T/empty.csv"
	assert_equal "$(wc -c <"$T/o.csv") $(wc -c <"$T/r.csv") $(wc -c <"$T/f.csv")" "0 0 0"
}

# ================================================================ 8. --memory: spilling past a budget
#
# What grows with the rows (the invitations, and with --rejects their rows) stays within --memory
# SIZE; past it, it goes through spill files in $TMPDIR: sorted runs, merged. The output never
# depends on it. Every run below gets its own TMPDIR, $T/tmp, which must be empty afterwards.

# both_ways ARGS...: jrefer in each view with --rejects, --flags and --stats, unbounded with two
# threads (-j 2) and under --memory $MEM (default 1K) with one (-j 1), in $T/big and $T/small;
# every file byte for byte the same, the exit status too, and (unless NOSPILL is set) the small run
# said it spilled.
both_ways() {
	local m d
	for m in "" --summary --chains; do
		for d in big small; do
			rm -rf "${T:?}/$d" "$T/tmp"
			mkdir -p "$T/$d" "$T/tmp"
			local mem=(-j 2)
			[ "$d" = small ] && mem=(-j 1 --memory "${MEM:-1K}")
			# shellcheck disable=SC2086
			(cd "$T/$d" && TMPDIR="$T/tmp" jrefer $m "${mem[@]}" --rejects rj.csv --flags fl.csv --stats st.csv \
				-o out.csv "$@" 2>err; echo $? >rc)
			assert_equal "$(ls -A "$T/tmp")" ""
		done
		for f in out.csv rj.csv fl.csv st.csv rc; do
			if ! cmp -s "$T/big/$f" "$T/small/$f"; then
				echo "jrefer $m --memory ${MEM:-1K} $*: $f differs" >&2
				diff "$T/big/$f" "$T/small/$f" | head -5 >&2
				return 1
			fi
		done
		if [ -z "${NOSPILL:-}" ]; then
			run grep -c "^jrefer: past --memory ${MEM:-1K}: .* MB went through spill files in $T/tmp$" "$T/small/err"
			assert_output 1
		fi
	done
}

@test "jrefer: --memory SIZE: bytes or K, M, G, T; not a size, or under 1K: exit 2 before reading" {
	local m
	for m in x '' 1.5G 16MB -1 16M1 99999999999999999999 20000000T; do
		jtrc 2 --memory "$m" /nonexistent.csv
		err_is "jrefer: --memory: '$m' is not a size (bytes, or a number with K, M or G: 512M, 2G)
Try 'jrefer --help' for more information."
	done
	for m in 0 1023 0K; do
		jtrc 2 --memory "$m" /nonexistent.csv
		err_is "jrefer: --memory: '$m' is less than 1K
Try 'jrefer --help' for more information."
	done
	for m in 1024 1K 1k 16M 16m 2G 1T; do
		jtrc 0 -q "${RAW[@]}" --memory "$m" graph.csv
		golden referrers.csv
	done
}

# The hand-drawn graph (22 rows, 7 rejects of every graph kind, a tie) and the touch stream of R.csv
# and O.csv (flags): with --memory 1K the sort holds 16 invitations a run (32 bytes each, 512 bytes,
# half the budget with --rejects), so they are merged from several runs in several passes, and the
# rows of --rejects go to a spill file.
@test "jrefer: --memory 1K: the hand-drawn graphs spill and merge, byte for byte as in memory" {
	both_ways "${RAW[@]}" "$FIX/jrefer/graph.csv"
	{ head -1 graph.csv; tail -n +2 graph.csv | tac; } >"$T/rev.csv"
	both_ways "${RAW[@]}" "$T/rev.csv"
	touches
	both_ways "$T/touches.csv"
	# the views printed without --memory stay the same
	jtrc 0 -q --memory 1K "${RAW[@]}" --chains "$FIX/jrefer/graph.csv"
	golden chains.csv
	jtrc 0 -q --memory 1K "${RAW[@]}" --summary "$FIX/jrefer/graph.csv"
	golden summary.csv
}

# The demo's samples (share/jtools/sample): the touch stream as mk/demo.sh makes it, and the referral
# export read raw with its sign-up and conversion columns, in file order and reversed (the sort's
# work), split in two files named in reverse order (the input order of ties).
@test "jrefer: --memory 1K and 64K on the demo's samples: byte for byte as in memory" {
	local S="$REPO/share/jtools/sample"
	jtouch -q -o "$T/touches.csv" -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv"
	both_ways "$T/touches.csv"
	MEM=64K both_ways "$T/touches.csv"
	local raw=(--referrer referrer_id --referee referee_id --time sent_at --signup signed_up_at --converted converted_at)
	both_ways "${raw[@]}" "$S/referrals.csv"
	{ head -1 "$S/referrals.csv"; tail -n +2 "$S/referrals.csv" | tac; } >"$T/rev.csv"
	both_ways "${raw[@]}" "$T/rev.csv"
	head -300 "$S/referrals.csv" >"$T/r1.csv"
	{ head -1 "$S/referrals.csv"; tail -n +301 "$S/referrals.csv"; } >"$T/r2.csv"
	both_ways "${raw[@]}" "$T/r2.csv" "$T/r1.csv"
	# and the whole demo pipeline's referral report
	jtrc 0 -q --summary --memory 1K "$T/touches.csv"
	cp "$T/out" "$T/small.csv"
	jtrc 0 -q --summary "$T/touches.csv"
	same "$T/small.csv" <"$T/out"
}

# -j N: a second thread interns the ids while the first reads (batches of 1,024 rows, handled in
# input order); the output never depends on it. The demo's touch stream (27,000 rows) and its
# referral export; BPIC 2012 (262,200 rows).
@test "jrefer: -j 1, 2 and 3: byte for byte the same; -j not a number from 1 to 64: exit 2" {
	local S="$REPO/share/jtools/sample" j m
	jtouch -q -o "$T/touches.csv" -p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv" \
		-p referrals "$S/referrals.csv" -p events "$S/events.csv"
	local inputs=("$T/touches.csv")
	if [ -d "$SHARED" ]; then
		inputs+=("--referrer org:resource --referee case_id --time time:timestamp $SHARED/bpic2012-loan-application/bpic2012_events.csv")
	fi
	for args in "${inputs[@]}"; do
		for m in "" --summary --chains; do
			# shellcheck disable=SC2086
			jtrc 0 -q -j 1 $m --rejects "$T/rj1" --flags "$T/fl1" --stats "$T/st1" $args
			mv "$T/out" "$T/out1"
			for j in 2 3; do
				# shellcheck disable=SC2086
				jtrc 0 -q -j "$j" $m --rejects "$T/rj" --flags "$T/fl" --stats "$T/st" $args
				cmp "$T/out1" "$T/out"
				cmp "$T/rj1" "$T/rj"
				cmp "$T/fl1" "$T/fl"
				cmp "$T/st1" "$T/st"
			done
		done
	done
	for j in 0 -1 x '' 65; do
		jtrc 2 -j "$j" /nonexistent.csv
		err_is "jrefer: -j: '$j' is not a number of threads from 1 to 64
Try 'jrefer --help' for more information."
	done
	jtrc 2 --jobs x /nonexistent.csv
	err_is "jrefer: -j: 'x' is not a number of threads from 1 to 64
Try 'jrefer --help' for more information."
}

# Real exports read as referral graphs: BPIC 2012 (262,200 events) with its resource as the
# referrer of the case (one resource submits every case: 198,503 second claims and 32,600
# repeats), and its hand-overs, the previous resource of a case to the next, a graph of 68
# people dense with second claims and cycles; the helpdesk log likewise.
@test "jrefer: --memory 64K on real event logs read as referral graphs: byte for byte as in memory" {
	need_shared
	local B="$SHARED/bpic2012-loan-application/bpic2012_events.csv" H="$SHARED/helpdesk-ticket-event-log/helpdesk_events.csv"
	MEM=64K both_ways --referrer org:resource --referee case_id --time time:timestamp "$B"
	assert_equal "$(grep -c '^rejected:' "$T/small/st.csv")" 3
	awk -F, 'NR == 1 { print "from,to,time"; next } $5 != "" { if (($1 in last) && last[$1] != $5) print last[$1] "," $5 "," $4; last[$1] = $5 }' \
		"$B" >"$T/handover.csv"
	MEM=64K both_ways --referrer from --referee to --time time "$T/handover.csv"
	run grep -E '^rejected:(cycle|already referred|repeat invitation),' "$T/small/st.csv"
	assert_equal "${#lines[@]}" 3
	MEM=64K both_ways --referrer org:resource --referee case_id --time time:timestamp "$H"
}

# genbig N: a touch stream of 10 x N rows in $T/big.csv, from an awk block of N rows repeated:
# 50,000 customers, 20 % referral_sent (one in 97 to themselves), orders, sign-ups, conversions
# and page views, times scattered over 2024 (far from sorted, and each one 10 times, in 10 blocks:
# the ties are settled by input order, across runs), ~100 bytes a row.
genbig() {
	awk -v rows="$1" 'BEGIN {
		s = 7; P = 50000
		pad = sprintf("%55s", ""); gsub(/ /, "x", pad)
		for (i = 0; i < rows; i++) {
			s = (s * 48271) % 2147483647; a = s % P
			s = (s * 48271) % 2147483647; t = s % 31536000
			s = (s * 48271) % 2147483647; k = s % 20
			d = int(t / 86400); sec = t % 86400
			ts = sprintf("2024-%02d-%02dT%02d:%02d:%02dZ", 1 + int(d / 31) % 12, 1 + d % 28, int(sec / 3600), int(sec / 60) % 60, sec % 60)
			tp = k < 4 ? "referral_sent" : k < 6 ? "order_placed" : k == 6 ? "referral_signup" : k == 7 ? "referral_converted" : "page_view"
			b = ""
			if (k < 4) { s = (s * 48271) % 2147483647; b = "c" (i % 97 == 0 ? a : s % P) }
			printf "c%d,%s,%s,%s,%s%d\n", a, ts, tp, b, pad, i
		}
	}' >"$T/block.csv"
	{
		echo "customer,time,touchpoint,referee,note"
		for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$T/block.csv"; done
	} >"$T/big.csv"
	rm "$T/block.csv"
}

# The issue's test: --memory 16M on an input 20 times that size (352 MB: 3.4M touches, 680,000
# invitations, 22 MB packed, and their rows, 75 MB, for --rejects). The same stdout, rejects,
# flags and stats as in memory; the peak memory (GNU time, when installed) under the budget, plus
# a constant (8 MiB: the program, libcsv, the buffers), plus what grows with the customers (50,000
# here; jrefer(1) says about 150 bytes each: 8 MB).
@test "jrefer: --memory 16M on an input 20 times its size: the same outputs, the peak memory within the budget" {
	genbig 340000
	local size
	size=$(wc -c <"$T/big.csv")
	[ "$size" -ge $((20 * 16 * 1048576)) ]
	mkdir "$T/a" "$T/b" "$T/tmp"
	local rss="" timer=()
	[ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null && timer=(/usr/bin/time -f %M -o "$T/rss")
	(cd "$T/a" && jrefer -q --rejects rj --flags fl --stats st -o out ../big.csv)
	(cd "$T/b" && TMPDIR="$T/tmp" "${timer[@]}" "$REPO/bin/jrefer" --memory 16M --rejects rj --flags fl --stats st -o out \
		../big.csv 2>err)
	run tail -1 "$T/b/err"
	assert_output --regexp "^jrefer: past --memory 16M: [0-9.]+ MB went through spill files in $T/tmp\$"
	local f
	for f in out rj fl st; do
		cmp "$T/a/$f" "$T/b/$f"
	done
	assert_equal "$(ls -A "$T/tmp")" ""
	run grep -E '^(rows_in|rejected:already referred|referrals_flagged),' "$T/b/st"
	assert_equal "${#lines[@]}" 3
	# the peak memory, but not under the sanitizers (their shadow memory is no measure of ours)
	if [ ${#timer[@]} -gt 0 ] && [ -z "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" ]; then
		rss=$(tail -1 "$T/rss")
		echo "peak ${rss} KB" >&3
		[ "$rss" -le $(((16 + 8) * 1024 + 50000 * 150 / 1024)) ]
	fi
}

# Spill files have no name (O_TMPFILE, or unlinked as soon as made): whatever ends the run, $TMPDIR
# is left as it was. A normal run; a --strict stop on a row while reading after runs were
# written; a --strict stop on an invitation while merging; SIGTERM, SIGINT and SIGHUP while
# spilling (the run waits on a fifo, its spill files open in $TMPDIR): no output file either.
@test "jrefer: spill files are gone after a normal run, a --strict error, and SIGTERM, SIGINT, SIGHUP" {
	mkdir "$T/tmp"
	cd "$T"
	awk 'BEGIN { print "r,e,t"; for (i = 0; i < 3000; i++) printf "p%d,q%d,2024-01-01T%02d:%02d:00Z\n", i, i, i % 24, i % 60 }' >ok.csv
	TMPDIR="$T/tmp" jtrc 0 --referrer r --referee e --time t --memory 1K --summary -o o.csv ok.csv
	assert_equal "$(ls -A "$T/tmp")" ""
	run grep -c "past --memory 1K" "$T/err"
	assert_output 1
	rm o.csv
	# a bad row at the end: runs written, then the stop
	{ cat ok.csv; echo 'p,q,never'; } >bad.csv
	TMPDIR="$T/tmp" jtrc 1 --referrer r --referee e --time t --memory 1K --strict -o o.csv bad.csv
	err_is "jrefer: bad.csv:3002: column 't': 'never' is not a time"
	assert_equal "$(ls -A "$T/tmp")" ""
	[ ! -e o.csv ]
	# a self-referral, the last invitation in time: the stop comes in the merge
	{ cat ok.csv; echo 'z,z,2024-12-31T00:00:00Z'; } >self.csv
	TMPDIR="$T/tmp" jtrc 1 --referrer r --referee e --time t --memory 1K --strict -o o.csv self.csv
	err_is "jrefer: self.csv:3002: self-referral: z -> z"
	assert_equal "$(ls -A "$T/tmp")" ""
	[ ! -e o.csv ]
	[ -d /proc/self/fd ] || skip "no /proc: the signal cases need to see the open spill files"
	local sig pid rc k open
	for sig in TERM INT HUP; do
		rm -f fifo
		mkfifo fifo
		set -m	# job control: a background job of a script would start with SIGINT ignored
		TMPDIR="$T/tmp" "$REPO/bin/jrefer" --referrer r --referee e --time t --memory 1K -o o.csv fifo 2>err &
		pid=$!
		set +m
		exec 7>fifo
		cat ok.csv >&7
		open=no
		for k in $(seq 600); do	# until it has a spill file open in $T/tmp (up to 60 s)
			if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q -- "-> $T/tmp/"; then
				open=yes
				break
			fi
			sleep 0.1
		done
		kill -"$sig" "$pid"
		exec 7>&-	# were the signal ignored, the end of the input ends the run
		rc=0
		wait "$pid" || rc=$?
		assert_equal "$sig $open $rc" "$sig yes $((128 + $(kill -l "$sig")))"
		assert_equal "$(ls -A "$T/tmp")" ""
		[ ! -e o.csv ]
	done
}

# A full $TMPDIR: exit 1, a message naming it, no output file. ulimit -f (a file size limit) stands
# for a full disk anywhere: each spill file may grow to 64 KiB, and these invitations need 96 KB.
# As root, a 64 KiB tmpfs is a truly full one.
@test "jrefer: a full \$TMPDIR (ulimit -f; a small tmpfs as root): exit 1 naming it, no output file" {
	mkdir "$T/tmp"
	cd "$T"
	awk 'BEGIN { print "r,e,t"; for (i = 0; i < 3000; i++) printf "p%d,q%d,2024-01-01T%02d:%02d:00Z\n", i, i, i % 24, i % 60 }' >ok.csv
	local rc=0
	TMPDIR="$T/tmp" bash -c 'ulimit -f 64 && exec "$0" "$@"' "$REPO/bin/jrefer" -q --referrer r --referee e --time t \
		--memory 1K --summary -o o.csv ok.csv >out 2>err || rc=$?
	assert_equal "$rc" 1
	err_is "jrefer: cannot write a spill file in $T/tmp: File too large (make room there, set TMPDIR to a folder with room, or raise --memory)"
	[ ! -e o.csv ]
	assert_equal "$(ls -A "$T/tmp")" ""
	# with room, the same run works
	TMPDIR="$T/tmp" jtrc 0 -q --referrer r --referee e --time t --memory 1K --summary -o o.csv ok.csv
	rm o.csv
	[ "$(id -u)" = 0 ] || skip "not root: a small tmpfs cannot be mounted"
	mkdir "$T/small"
	mount -t tmpfs -o size=64k tmpfs "$T/small" 2>/dev/null || skip "mount -t tmpfs failed (a container without the right)"
	rc=0
	TMPDIR="$T/small" jrefer -q --referrer r --referee e --time t --memory 1K --summary -o o.csv ok.csv >out 2>err || rc=$?
	local left
	left=$(ls -A "$T/small")
	umount "$T/small"
	assert_equal "$rc" 1
	err_is "jrefer: cannot write a spill file in $T/small: No space left on device (make room there, set TMPDIR to a folder with room, or raise --memory)"
	[ ! -e o.csv ]
	assert_equal "$left" ""
	# a $TMPDIR that is not there
	TMPDIR="$T/none" jtrc 1 -q --referrer r --referee e --time t --memory 1K --summary -o o.csv ok.csv
	err_is "jrefer: cannot create a spill file in $T/none: No such file or directory (set TMPDIR to a folder where it can, or raise --memory)"
	[ ! -e o.csv ]
}

@test "jrefer: --help and -V" {
	jt --help
	run head -3 "$T/out"
	assert_output "usage: jrefer [--summary | --chains] [--customers N] [--k-factor customers|referrers]
              [--flags file] [--memory size] [-j N] [file ...]
       jrefer --referrer col --referee col --time col [--signup col] [--converted col] ..."
	jt -V
	run grep -c '^datadir ' "$T/out"
	assert_output 1
}
