# genexports.awk - deterministic synthetic raw exports for `make bench`: the
# four nightly exports of the README's pipeline, at any size (the inputs of
# jtouch -p survey / tickets / orders / referrals, and of the DuckDB query in
# bench/duckdb/report.sql).
#
#   awk -v export=surveys|tickets|orders|referrals [-v rows=1000000] \
#       [-v seed=20240701] -f bench/genexports.awk > FILE
#
# Each run writes one export of `rows` rows, in the columns of the sample
# exports of make demo (share/jtools/sample, made by gen-surveys.awk and
# gen-exports.awk), so that the shipped profiles read them unchanged:
#
#   surveys    response_id,customer_id,submitted_at,channel,nps,csat,ces,comment
#   tickets    ticket_id,customer_id,created_at,first_reply_at,solved_at,
#              reopened_at,satisfaction,reopens,channel,category,priority,subject
#   orders     order_id,customer_id,placed_at,approved_at,shipped_at,
#              delivered_at,estimated_delivery_at,amount,channel,status
#   referrals  referral_code,referrer_id,referee_id,sent_at,signed_up_at,
#              converted_at,channel,reward
#
# The sample generators hold every row in memory and sort at the end, which
# does not scale to millions of rows; this one streams.  Each export is
# written in order of its first time (submitted_at, created_at, placed_at,
# sent_at: nondecreasing in UTC, as a nightly export is), over the sample's
# half year, 2024-01-01 to the export time 2024-07-01T00:00:00Z; whatever
# would happen after it (a delivery, a solve, a sign-up) is left empty.
#
# Customers: rows/2 ids C0000001.. (so each customer has about two rows in
# each export), 20 % of the rows from the first 5 % of the ids.  The exports
# are coherent without sharing state, so each can be written alone: every
# customer has a mood, a function of the id (20 % unhappy, 35 % neutral,
# 45 % happy), and the unhappy ones get more late deliveries, more tickets
# about damaged or wrong items, delays, log-ins, the app or the bill, low
# NPS and CSAT and comments about the same, while the happy ones invite
# friends.  So the value-chain x journey report shows real differences.
#
# The flaws real exports have, as in the samples (each at a fixed rate):
#   surveys    times with Z, +01:00 and -03:00; empty NPS (4 %), CSAT
#              (10 %) and CES (30 %); comments with commas, doubled quotes
#              and line breaks; per 2,400 rows one NPS of 11, one CSAT
#              'great' and one row cut short (jtouch rejects the three).
#   tickets    times in three forms (Z, -03:00, naive); unsolved and
#              reopened tickets; satisfaction as 1-5 scores up to March and
#              as Zendesk words from April; subjects with commas, quotes and
#              a line break; per 400 rows a day-first date that does not
#              exist (31.02.2024), an empty customer_id and a short row.
#   orders     placed_at ISO Z (web, app) or naive (store), approved naive,
#              shipped with +01:00/+02:00, the estimate a naive end of day;
#              late, cancelled and undelivered orders; one amount 'n/a'
#              per 1,500 rows.
#   referrals  sign-ups naive, conversions with offsets; second-generation
#              referrers (converted referees, 5 %), self-referrals (0.5 %),
#              reminders to the same friend (1 %), friends claimed by a
#              second referrer who copies the sign-up (0.7 %), invitations
#              to people who were customers already (1.25 %).
#
# All randomness comes from our own Park-Miller generator, dates are
# computed from day numbers and no for-in loop is used, so mawk, gawk and
# the one true awk write the same bytes.  Sizes at 1M rows: surveys ~64 MB,
# tickets ~138 MB, orders ~153 MB, referrals ~90 MB; jtouch makes ~9.4M
# touches of them.

function rnd() {
	# Park-Miller "minimal standard" with multiplier 48271; products stay
	# below 2^47, so doubles compute it exactly in every awk.
	_s = (_s * 48271) % 2147483647
	return _s / 2147483647
}
function ri(n) { return int(rnd() * n) }
function pick(s,   a, n) { n = split(s, a, "|"); return a[ri(n) + 1] }
# a weighted choice: "label:weight|label:weight|..."
function wpick(s,   a, n, i, tot, x, b) {
	n = split(s, a, "|"); tot = 0
	for (i = 1; i <= n; i++) { split(a[i], b, ":"); W[i] = b[2]; L[i] = b[1]; tot += b[2] }
	x = rnd() * tot
	for (i = 1; i <= n; i++) {
		if (x < W[i]) return L[i]
		x -= W[i]
	}
	return L[n]
}

# ---- customers ----------------------------------------------------------------
function cust(   x) {
	x = rnd()
	if (x < 0.2) return 1 + ri(HOT)
	return 1 + ri(NC)
}
function cid(c) { return sprintf("C%07d", c) }
# mood of customer c: 0 unhappy, 1 neutral, 2 happy; app user or not
function mix(c) { return (c * 48271 + 11) % 2147483647 }
function mood(c,   m) { m = mix(c) % 100; return (m < 20) ? 0 : (m < 55) ? 1 : 2 }
function appuser(c) { return (int(mix(c) / 100) % 100) < 35 }

# ---- dates: seconds since 2024-01-01T00:00:00Z --------------------------------
# DAY[d]: YYYY-MM-DD of day d (0 = 2024-01-01), -31 .. 400
function mkdays(   d, y, m, dd, ml) {
	split("31 29 31 30 31 30 31 31 30 31 30 31", ml, " ")
	y = 2024; m = 1; dd = 1
	for (d = 0; d <= 400; d++) {
		DAY[d] = sprintf("%04d-%02d-%02d", y, m, dd)
		if (++dd > ml[m] + (m == 2 && y != 2024 ? -1 : 0)) { dd = 1; if (++m > 12) { m = 1; y++ } }
	}
	for (d = -1; d >= -31; d--) DAY[d] = sprintf("2023-12-%02d", 32 + d)
}
function hms(s) { s %= 86400; return sprintf("%02d:%02d:%02d", int(s / 3600), int(s / 60) % 60, s % 60) }
function ymdhms(s, sep,   d) { d = int(s / 86400); if (d * 86400 > s) d--; return DAY[d] sep hms(s - d * 86400) }
# Central European offset: CEST from 2024-03-31T01:00Z to 2024-10-27T01:00Z
function euoff(s) { return (s >= 90 * 86400 + 3600 && s < 300 * 86400 + 3600) ? 7200 : 3600 }
# a time in one of the forms exports write; "" for none (-1) or after the export
function fmt(s, style,   o) {
	if (s < 0 || s >= END_T) return ""
	if (style == "Z") return ymdhms(s, "T") "Z"
	if (style == "naive") return ymdhms(s, " ")
	if (style == "br") return ymdhms(s - 10800, "T") "-03:00"
	if (style == "uk") return ymdhms(s + 3600, "T") "+01:00"
	if (style == "eu") { o = euoff(s); return ymdhms(s + o, "T") (o == 3600 ? "+01:00" : "+02:00") }
	return ymdhms(s, "T") "Z"
}
# the time of row i: nondecreasing over the half year
function rowtime(i) { return int((i - 1 + rnd()) * END_T / rows) }

function csv(v,   k, o) {
	if (v !~ /[",\n\r]/) return v
	o = ""				# doubled quotes, without gsub() (slow in mawk)
	while ((k = index(v, "\"")) > 0) { o = o substr(v, 1, k) "\""; v = substr(v, k + 1) }
	return "\"" o v "\""
}
function money(c) { return sprintf("%d.%02d", int(c / 100), c % 100) }
function clamp(v, lo, hi) { return (v < lo) ? lo : (v > hi) ? hi : v }

# ---- surveys --------------------------------------------------------------------
function surveys(   i, t, c, m, nps, csat, ces, cm, r, ch, off, line) {
	print "response_id,customer_id,submitted_at,channel,nps,csat,ces,comment"
	for (i = 1; i <= rows; i++) {
		t = rowtime(i); c = cust(); m = mood(c)
		ch = appuser(c) ? pick("app|app|web|email") : pick("web|web|web|email|email|app|phone|store")
		r = rnd()
		if (m == 0) nps = (r < 0.8) ? ri(7) : 7 + ri(2)
		else if (m == 1) nps = (r < 0.7) ? 7 + ri(2) : 5 + ri(6)
		else nps = (r < 0.75) ? 9 + ri(2) : 7 + ri(2)
		csat = int(nps / 2.2) + 1
		if (rnd() < 0.25) csat += (rnd() < 0.5) ? -1 : 1
		csat = clamp(csat, 1, 5)
		ces = clamp(int(nps * 0.6) + 1, 1, 7)
		if (rnd() < 0.04) nps = ""
		if (rnd() < 0.10) csat = ""
		if (rnd() < 0.30) ces = ""
		cm = ""
		r = rnd()
		if (r < 0.35) cm = (m == 0) ? pick(BADC) : (m == 1) ? pick(MIDC) : pick(GOODC)
		else if (r < 0.38) cm = "They said \"next day\", it took a week"
		else if (r < 0.40) cm = "First line\nsecond line of the same comment"
		r = ri(3)
		off = (r == 0) ? "br" : (r == 1) ? "uk" : "Z"
		if (i % 2400 == 117) nps = 11
		if (i % 2400 == 845) csat = "great"
		line = sprintf("R%08d,%s,%s,%s,%s,%s,%s", i, cid(c), fmt(t, off), ch, nps, csat, ces)
		if (i % 2400 == 1999) print line
		else print line "," csv(cm)
	}
}

# ---- tickets --------------------------------------------------------------------
function subject(cat,   s, oid, k) {
	oid = 24000000 + 1 + ri(rows)
	if (cat == "Damaged item") s = pick("Item arrived damaged|Box crushed, item broken inside|Order #@ arrived damaged|Screen cracked on arrival|The \"new\" jacket has a hole in it|Damaged parcel, please send a replacement")
	else if (cat == "Wrong item") s = pick("Wrong item received|Ordered size M, got XL|Wrong colour sent, need an exchange|Received someone else's order (#@)|Wrong item in order #@")
	else if (cat == "Delivery delay") s = pick("Where is my order #@?|Order late, tracking not updated|Parcel stuck in transit, was promised \"3-5 days\"|Still waiting for delivery|Delivery date passed, no parcel")
	else if (cat == "Refund") s = pick("Refund not received yet|Where is my refund for #@?|Refund amount wrong, shipping missing|Cancelled order #@, refund please")
	else if (cat == "Billing") s = pick("Charged twice for order #@|Invoice missing VAT number|Payment declined, but money taken|Need an invoice for #@, company address")
	else if (cat == "Login problem") s = pick("Can't log in|Login link expired, tried 3 times|Locked out of my account|\"Invalid password\" although it is right")
	else if (cat == "App crash") s = pick("App crashes at checkout|App keeps closing on Android 14|Error \"something went wrong\" in the app|App freezes after the update")
	else if (cat == "Password reset") s = pick("Password reset email never arrives|Reset my password, please")
	else if (cat == "Return request") s = pick("How do I return an item?|Return label, please|Return for order #@, too small")
	else if (cat == "Staff complaint") s = pick("Rude agent on the phone|Complaint about staff at the pickup point")
	else s = pick("Do you ship to Austria?|Question about sizes|Can I change my delivery address?|Gift wrapping, is it possible?|Is the app available for iPad?|Opening hours of the store, and parking?")
	# index and substr, not sub(): mawk 1.3.4 takes ~70 us per sub() call
	k = index(s, "@")
	if (k > 0) s = substr(s, 1, k - 1) oid substr(s, k + 1)
	return s
}
function tickets(   i, t, c, q, cat, x, r, sol, ro, sc, sat, reopens, style, created, subj, line, ch, pri) {
	print "ticket_id,customer_id,created_at,first_reply_at,solved_at,reopened_at,satisfaction,reopens,channel,category,priority,subject"
	for (i = 1; i <= rows; i++) {
		t = rowtime(i); c = cust(); q = 2 - mood(c)
		if (q == 2) cat = wpick("Damaged item:20|Wrong item:12|Delivery delay:20|Refund:8|Billing:8|Login problem:10|App crash:10|Password reset:4|Staff complaint:4|Return request:4")
		else if (q == 1) cat = wpick("Question:30|Delivery delay:12|Return request:12|Login problem:10|Password reset:10|Billing:8|Refund:8|App crash:5|Damaged item:3|Wrong item:2")
		else cat = wpick("Question:55|Return request:15|Password reset:10|Login problem:8|Billing:5|Delivery delay:4|App crash:3")
		x = rnd()
		style = (x < 0.5) ? "Z" : (x < 0.75) ? "br" : "naive"
		r = -1; sol = -1; ro = -1
		if (rnd() >= 0.04) {
			r = t + 600 + ri(q == 2 ? 30 * 3600 : 8 * 3600)
			if (rnd() >= 0.06) sol = r + 1800 + ri((q == 2 ? 5 : 2) * 86400)
		}
		if (r >= END_T) { r = -1; sol = -1 }
		if (sol >= END_T) sol = -1
		reopens = (sol >= 0) ? 0 : ""
		if (sol >= 0 && rnd() < (q == 2 ? 0.2 : 0.06)) {
			ro = sol + 3600 + ri(3 * 86400)
			if (ro < END_T) {
				reopens = 1; if (rnd() < 0.2) reopens = 2
				sol = (rnd() < 0.85) ? ro + 1800 + ri(2 * 86400) : -1
				if (sol >= END_T) sol = -1
			} else ro = -1
		}
		# satisfaction: 1-5 scores up to March, Zendesk words from April
		sat = ""
		if (sol >= 0) {
			x = rnd()
			if (x < 0.45) {
				if (q == 2) sc = pick("1|1|2|2|3|4") + 0
				else if (q == 1) sc = pick("5|4|4|3|2") + 0
				else sc = pick("5|5|5|4|4|3") + 0
				if (ro >= 0 && sc > 1) sc--
				if (t < APR1) sat = sc
				else if (sc >= 4 || (sc == 3 && rnd() < 0.5)) sat = (rnd() < 0.3) ? "Good with comment" : "Good"
				else sat = (rnd() < 0.3) ? "Bad with comment" : "Bad"
			} else if (t >= APR1 && x < 0.75) sat = "Offered"
			else if (t >= APR1 && x < 0.88) sat = "Not Offered"
		}
		ch = (cat == "App crash" && rnd() < 0.5) ? "app" : wpick("email:40|web:25|chat:22|phone:13")
		pri = (q == 2) ? wpick("normal:45|high:40|urgent:15") : wpick("low:25|normal:60|high:15")
		subj = subject(cat)
		if ((cat == "Damaged item" || cat == "Wrong item") && ++NPHOTO % 25 == 5)
			subj = subj "\nPhotos of the box and the label attached"
		created = fmt(t, style)
		# a day-first date that does not exist: jtouch rejects the row (bad time)
		if (i % 400 == 56) created = "31.02.2024 " substr(hms(t), 1, 5)
		line = sprintf("%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", 80000000 + i, (i % 400 == 172) ? "" : cid(c),
			created, fmt(r, style), fmt(sol, style), fmt(ro, style), csv(sat), reopens, ch, csv(cat), pri)
		if (i % 400 == 308) print line
		else print line "," csv(subj)
	}
}

# ---- orders ---------------------------------------------------------------------
function basket(   n, k, c, p, q) {
	n = 1; if (rnd() < 0.35) n = 2; if (rnd() < 0.12) n = 3
	c = 0
	for (k = 1; k <= n; k++) {
		p = pick("990|1490|1990|2490|2990|3490|3990|4990|5990|7990|9990|12990|19990")
		q = 1; if (rnd() < 0.15) q = 2
		c += p * q
	}
	if (rnd() < 0.12) c = int(c * 9 / 10)		# a 10 % voucher
	if (c < 5000) c += 490				# shipping
	return c
}
function orders(   i, p, c, m, x, mode, ch, amt, appr, est, ship, del, lo, hi, st, cancel) {
	print "order_id,customer_id,placed_at,approved_at,shipped_at,delivered_at,estimated_delivery_at,amount,channel,status"
	for (i = 1; i <= rows; i++) {
		p = rowtime(i); c = cust(); m = mood(c)
		ch = appuser(c) ? wpick("app:60|web:36|store:4") : wpick("web:80|store:14|phone:6")
		x = rnd()
		lo = (m == 0) ? 0.35 : (m == 1) ? 0.11 : 0.04
		mode = (x < 0.05) ? "cancel" : (x < 0.05 + lo) ? "late" : "ontime"
		amt = basket()
		appr = p + 60 + ri(5 * 3600)
		est = (int(p / 86400) + 3 + ri(5)) * 86400 + 86399
		ship = -1; del = -1
		cancel = (mode == "cancel")
		if (cancel) {
			if (rnd() < 0.4) appr = -1
		} else {
			ship = appr + 4 * 3600 + ri(2 * 86400)
			if (mode == "late") del = est + 8 * 3600 + ri(8 * 86400)
			else {
				lo = ship + 10 * 3600; hi = est - 3 * 3600
				if (hi <= lo) hi = lo + 1
				del = lo + ri(hi - lo)
			}
		}
		st = cancel ? "cancelled" : (del >= 0 && del < END_T) ? "delivered" : (ship >= 0 && ship < END_T) ? "shipped" : "processing"
		printf "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", 24000000 + i, cid(c),
			fmt(p, (ch == "store") ? "naive" : "Z"), fmt(appr, "naive"), fmt(ship, "eu"),
			fmt(del, "Z"), ymdhms(est, " "), (i % 1500 == 700) ? "n/a" : money(amt), ch, st
	}
}

# ---- referrals ------------------------------------------------------------------
function code(   s, k) {
	s = "REF-"
	for (k = 1; k <= 6; k++) s = s substr("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 1 + ri(32), 1)
	return s
}
function referrals(   i, s, c, from, to, su, cv, x, k, j, rw) {
	print "referral_code,referrer_id,referee_id,sent_at,signed_up_at,converted_at,channel,reward"
	NRING = 0; NREF = 0
	for (i = 1; i <= rows; i++) {
		s = rowtime(i)
		# the referrer: a happy customer most of the time
		do {
			c = cust(); x = rnd()
		} while (!(mood(c) == 2 || (mood(c) == 1 && x < 0.15) || x < 0.03))
		from = cid(c)
		x = rnd()
		su = -1; cv = -1; to = ""
		if (x < 0.05 && NCONV > 0) {
			# second generation: a converted referee invites their own friends
			from = CONV[1 + (ri(NCONV) % 64)]
		} else if (x < 0.055) {
			to = from				# self-referral
		} else if (x < 0.065 && NRING > 0) {
			j = 1 + ri(NRING < 64 ? NRING : 64)	# a reminder to the same friend
			from = QF[j]; to = QT[j]
		} else if (x < 0.072 && NRING > 0) {
			j = 1 + ri(NRING < 64 ? NRING : 64)	# a second claim, copying the sign-up
			to = QT[j]; su = QS[j]; cv = QC[j]
		} else if (x < 0.0845) {
			to = cid(1 + ri(NC))			# already a customer
		}
		if (to == "") {
			to = sprintf("R%07d", ++NREF)
			if (rnd() < 0.45) {
				su = s + 600 + ri(10 * 86400)
				if (rnd() < 0.45) cv = su + 3600 + ri(5 * 86400)
			}
			if (su >= END_T) { su = -1; cv = -1 }
			if (cv >= END_T) cv = -1
			k = 1 + (NRING % 64); NRING++
			QF[k] = from; QT[k] = to; QS[k] = su; QC[k] = cv
			if (cv >= 0) { NCONV++; CONV[1 + ((NCONV - 1) % 64)] = to }
		}
		rw = (cv >= 0) ? "10.00" : (su >= 0) ? "0.00" : ""
		printf "%s,%s,%s,%s,%s,%s,%s,%s\n", code(), from, to, fmt(s, "Z"), fmt(su, "naive"),
			fmt(cv, "eu"), wpick("whatsapp:40|email:25|link:20|sms:10|facebook:5"), rw
	}
}

BEGIN {
	if (rows == "") rows = 1000000
	rows = int(rows)
	if (rows < 1) { print "genexports.awk: rows must be 1 or more" | "cat 1>&2"; exit 2 }
	_s = (seed == "") ? 20240701 : int(seed)
	# each export its own stream: the same seed would give row i of every export
	# the same time and customer
	_s = (_s + 7919 * ((export == "tickets") + 2 * (export == "orders") + 3 * (export == "referrals"))) % 2147483647
	if (_s < 1) _s = 1
	END_T = 182 * 86400			# export time 2024-07-01T00:00:00Z
	APR1 = 91 * 86400			# the help desk's new satisfaction survey
	NC = int(rows / 2); if (NC < 1000) NC = 1000
	HOT = int(NC / 20)
	GOODC = "Fast delivery, great packaging|Love the app|Good value for money|Easy returns, will buy again|Friendly staff, quick answer"
	MIDC = "Support took too long to answer|Item arrived damaged; replacement was quick|Website is slow|Good value for money|Delivery was a day late"
	BADC = "Item arrived damaged, box crushed|Checkout kept failing, had to try 3 times|The agent was rude|Wrong item sent, then refunded|App crash at login, twice|Charged twice, no answer yet"
	mkdays()
	if (export == "surveys") surveys()
	else if (export == "tickets") tickets()
	else if (export == "orders") orders()
	else if (export == "referrals") referrals()
	else { print "genexports.awk: export must be surveys, tickets, orders or referrals" | "cat 1>&2"; exit 2 }
}
