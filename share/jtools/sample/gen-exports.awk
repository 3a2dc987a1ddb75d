# gen-exports.awk — makes the other four sample exports of make demo, next to
# surveys.csv and for the same customers (C00001..C01500):
#
#   tickets.csv    help desk, one row per ticket (the tickets profile):
#                  ticket_id,customer_id,created_at,first_reply_at,solved_at,
#                  reopened_at,satisfaction,reopens,channel,category,priority,subject
#   orders.csv     order system, one row per order (the orders profile):
#                  order_id,customer_id,placed_at,approved_at,shipped_at,
#                  delivered_at,estimated_delivery_at,amount,channel,status
#   referrals.csv  referral program, one row per invitation (the referrals profile):
#                  referral_code,referrer_id,referee_id,sent_at,signed_up_at,
#                  converted_at,channel,reward
#   events.csv     web and app analytics, one row per event (the events profile):
#                  user_id,event,timestamp,channel,page
#
# As shipped: 1,200 tickets, 3,034 orders, 585 invitations and 8,378 events
# (1.25 MB; 1.40 MB with surveys.csv), for the 1,500 customers and 564 people
# they invited (R00001..), 110 of whom converted and so have an order too.
#
# Usage, from the top of the source tree (OUT is the folder that holds
# surveys.csv and receives the four files; SURVEYS may name another survey file):
#
#   awk -v OUT=share/jtools/sample -f share/jtools/sample/gen-exports.awk
#
# PROVENANCE. All the data in share/jtools/sample is synthetic: surveys.csv
# was made by gen-surveys.awk, the four files above by this program. No row
# describes a real person, order or ticket; names, ids, codes and texts are
# made up. The output is deterministic: the program has its own random
# number generator (Park-Miller "minimal standard", multiplier 48271, fixed
# seed), uses integer arithmetic for money, computes dates from day numbers
# (no strftime, no srand/rand, no for-in loops, no regex intervals), so gawk,
# mawk and original-awk write the same bytes.
#
# The exports span the survey export's half year: 2024-01-01 to the export
# time, 2024-07-01T00:00:00Z. Whatever would happen after it (a delivery, a
# solve) is left empty, as in a real nightly export. They are coherent with
# each other and with the survey answers (surveys.csv is read, not changed):
# a survey answer usually follows an order (a post-purchase survey), and the
# detractors' orders were more often delivered late and more often led to a
# ticket about a damaged or wrong item, a delivery delay, a log-in or app
# failure or a bill, so that the value-chain x journey report shows real
# differences; "Delivery delay" tickets always follow a late order, opened
# after its estimated date; promoters are the ones who invite friends; a
# referee who converts places an order at the conversion time, and a web or
# app session tracked before an order (about a third of the online orders)
# ends in a purchase event on that order's confirmation page.
#
# The flaws real exports have, planted so that each of jtouch's and jrefer's
# reject and count paths shows on the samples:
#   tickets    times in three forms in one column (ISO with Z, with -03:00,
#              naive YYYY-MM-DD HH:MM:SS, read as UTC); unsolved tickets
#              (empty solved_at) and reopened ones (a few reopened and not
#              solved again, whose reopens count has no ticket_solved touch
#              to ride on: "measures dropped"); satisfaction as 1-5 scores up
#              to March and as Zendesk words from April (Good, Bad, "Good
#              with comment", "Bad with comment", Offered, Not Offered: the
#              help desk changed its survey); subjects with commas, doubled
#              quotes and a line break; three bad rows: a day-first date that
#              does not exist (31.02.2024: "bad time"; a slash date such as
#              31/02/2024 would stop the whole run instead, asking for
#              --date-order), a requester deleted from the help desk (empty
#              customer_id: "missing customer") and a row cut one field short
#              ("field count").
#   orders     placed_at as ISO Z from the web shop and naive from the store
#              tills, approved_at naive, shipped_at with the warehouse's
#              +01:00/+02:00 offset, the estimate as a naive end of day; late
#              deliveries (delay_s > 0), cancelled orders (no shipping), orders
#              still on their way at export time; two amounts "n/a" ("not a
#              number").
#   referrals  sign-up times naive, conversions with offsets; self-referrals,
#              reminders to the same friend, friends claimed by two referrers
#              (the second claim copies the sign-up: a duplicate touch),
#              invitations to people who were customers already (jrefer flags
#              them), one invitation that closes a cycle (A -> B -> C -> A),
#              and second-generation referrals from converted referees.
#   events     ISO times with and without milliseconds, page paths with query
#              strings (some with a comma or quotes, so the field is quoted),
#              events sent twice by the SDK (exact duplicates, for --dedup),
#              and one anonymous event without a user_id ("missing customer").

# ---- random numbers, the same in every awk -----------------------------------
# Only one call per expression: awks may evaluate operands in different orders.
function rnd() { RS_X = (RS_X * 48271) % 2147483647; return RS_X / 2147483647 }
function ri(n) { return int(rnd() * n) }
function pick(s,   a, n, k) { n = split(s, a, "|"); k = ri(n); return a[k + 1] }
# a weighted choice: "label:weight|label:weight|..."
function wpick(s,   a, n, i, tot, w, x, b) {
	n = split(s, a, "|"); tot = 0
	for (i = 1; i <= n; i++) { split(a[i], b, ":"); tot += b[2] }
	x = rnd() * tot
	for (i = 1; i <= n; i++) {
		split(a[i], b, ":")
		if (x < b[2]) return b[1]
		x -= b[2]
	}
	split(a[n], b, ":"); return b[1]
}

# ---- dates: seconds since 2024-01-01T00:00:00Z ---------------------------------
# day number (since 2024-01-01) of a civil date, and back (H. Hinnant's algorithms)
function dfc(y, m, d,   era, yoe, mp, doy, doe) {
	if (m <= 2) y--
	era = int(y / 400); yoe = y - era * 400
	mp = (m > 2) ? m - 3 : m + 9
	doy = int((153 * mp + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468 - 19723
}
function civil(s,   z, era, doe, yoe, doy, mp) {
	z = int(s / 86400) + 19723 + 719468
	era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	CY = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); CD = doy - int((153 * mp + 2) / 5) + 1
	CM = mp < 10 ? mp + 3 : mp - 9; if (CM <= 2) CY++
	s = s % 86400
	CH = int(s / 3600); CMI = int(s / 60) % 60; CS = s % 60
}
function ymdhms(s, sep) {
	civil(s)
	return sprintf("%04d-%02d-%02d%s%02d:%02d:%02d", CY, CM, CD, sep, CH, CMI, CS)
}
# Central European offset: CEST from 2024-03-31T01:00Z to 2024-10-27T01:00Z
function euoff(s) { return (s >= 90 * 86400 + 3600 && s < 300 * 86400 + 3600) ? 7200 : 3600 }
# a time in one of the forms exports write; ms only for "ms"
function fmt(s, style, ms,   o) {
	if (s < 0) return ""
	if (style == "Z") return ymdhms(s, "T") "Z"
	if (style == "ms") return ymdhms(s, "T") sprintf(".%03dZ", ms)
	if (style == "naive") return ymdhms(s, " ")
	if (style == "br") return ymdhms(s - 10800, "T") "-03:00"
	if (style == "eu") { o = euoff(s); return ymdhms(s + o, "T") (o == 3600 ? "+01:00" : "+02:00") }
	return ymdhms(s, "T") "Z"
}
# a survey time as surveys.csv writes it: 2024-06-24T22:01:54Z, ...+01:00, ...-03:00
function parsetime(v,   s, r, off) {
	s = dfc(substr(v, 1, 4) + 0, substr(v, 6, 2) + 0, substr(v, 9, 2) + 0) * 86400
	s += substr(v, 12, 2) * 3600 + substr(v, 15, 2) * 60 + substr(v, 18, 2)
	r = substr(v, 20)
	off = 0
	if (r != "Z" && r != "") {
		off = substr(r, 2, 2) * 3600 + substr(r, 5, 2) * 60
		if (substr(r, 1, 1) == "-") off = -off
	}
	return s - off
}
# a time of day, mostly awake hours
function tod(   h) {
	if (rnd() < 0.1) return ri(86400)
	h = 7 + ri(16)
	return h * 3600 + ri(3600)
}

function csv(v) {
	if (v ~ /[",\n\r]/) { gsub(/"/, "\"\"", v); return "\"" v "\"" }
	return v
}
function money(c) { return sprintf("%d.%02d", int(c / 100), c % 100) }
function die(msg) { print "gen-exports.awk: " msg | "cat 1>&2"; close("cat 1>&2"); ERR = 1; exit 1 }

# ---- orders --------------------------------------------------------------------
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
# an order placed at p: mode norm (11 % late, 5 % cancelled), late, ontime, cancel
function mkorder(cust, p, mode, ch,   i, promised, lo, hi, x) {
	i = ++NO
	if (mode == "norm") {
		x = rnd()
		mode = (x < 0.05) ? "cancel" : (x < 0.16) ? "late" : "ontime"
	}
	O_c[i] = cust; O_p[i] = p; O_ch[i] = ch; O_ms[i] = ri(1000)
	O_amt[i] = basket()
	O_appr[i] = p + 60 + ri(5 * 3600)
	promised = 3 + ri(5)
	O_est[i] = (int(p / 86400) + promised) * 86400 + 86399
	O_cancel[i] = (mode == "cancel")
	O_ship[i] = -1; O_del[i] = -1
	if (mode == "cancel") {
		if (rnd() < 0.4) O_appr[i] = -1
	} else {
		O_ship[i] = O_appr[i] + 4 * 3600 + ri(2 * 86400)
		if (mode == "late") {
			O_del[i] = O_est[i] + 8 * 3600 + ri(8 * 86400)
		} else {
			lo = O_ship[i] + 10 * 3600; hi = O_est[i] - 3 * 3600
			if (hi <= lo) hi = lo + 1
			O_del[i] = lo + ri(hi - lo)
		}
	}
	O_late[i] = (O_del[i] > O_est[i])
	CO_n[cust]++; CO[cust, CO_n[cust]] = i
	return i
}
function oshift(i, d) {
	O_p[i] += d; O_est[i] += d
	if (O_appr[i] >= 0) O_appr[i] += d
	if (O_ship[i] >= 0) O_ship[i] += d
	if (O_del[i] >= 0) O_del[i] += d
}
# the time an order is known to be delivered, shipped, or placed (at export time)
function ocut(t) { return (t >= 0 && t < END_T) ? t : -1 }
function oseen(i) {
	if (ocut(O_del[i]) >= 0) return O_del[i]
	if (ocut(O_ship[i]) >= 0) return O_ship[i]
	return O_p[i]
}
# the customer's latest order placed before t, or 0
function lastorder(cust, t,   k, best, i) {
	best = 0
	for (k = 1; k <= CO_n[cust]; k++) {
		i = CO[cust, k]
		if (O_p[i] < t && (best == 0 || O_p[i] > O_p[best])) best = i
	}
	return best
}
function ochannel(c) {
	if (APP[c]) return wpick("app:60|web:36|store:4")
	return wpick("web:80|store:14|phone:6")
}

# ---- tickets --------------------------------------------------------------------
function subject(cat, o,   s, oid) {
	oid = (o > 0) ? O_id[o] : ""
	if (cat == "Damaged item") {
		s = pick("Item arrived damaged|Box crushed, item broken inside|Order #@ arrived damaged|Screen cracked on arrival|The \"new\" jacket has a hole in it|Damaged parcel, please send a replacement")
	} else if (cat == "Wrong item") {
		s = pick("Wrong item received|Ordered size M, got XL|Wrong colour sent, need an exchange|Received someone else's order (#@)|Wrong item in order #@")
	} else if (cat == "Delivery delay") {
		s = pick("Where is my order #@?|Order late, tracking not updated|Parcel stuck in transit, was promised \"3-5 days\"|Still waiting for delivery|Delivery date passed, no parcel")
	} else if (cat == "Refund") {
		s = pick("Refund not received yet|Where is my refund for #@?|Refund amount wrong, shipping missing|Cancelled order #@, refund please")
	} else if (cat == "Billing") {
		s = pick("Charged twice for order #@|Invoice missing VAT number|Payment declined, but money taken|Need an invoice for #@, company address")
	} else if (cat == "Login problem") {
		s = pick("Can't log in|Login link expired, tried 3 times|Locked out of my account|\"Invalid password\" although it is right")
	} else if (cat == "App crash") {
		s = pick("App crashes at checkout|App keeps closing on Android 14|Error \"something went wrong\" in the app|App freezes after the update")
	} else if (cat == "Password reset") {
		s = pick("Password reset email never arrives|Reset my password, please")
	} else if (cat == "Return request") {
		s = pick("How do I return an item?|Return label, please|Return for order #@, too small")
	} else if (cat == "Staff complaint") {
		s = pick("Rude agent on the phone|Complaint about staff at the pickup point")
	} else {
		s = pick("Do you ship to Austria?|Question about sizes|Can I change my delivery address?|Gift wrapping, is it possible?|Is the app available for iPad?|Opening hours of the store, and parking?")
	}
	if (index(s, "@") > 0) {
		if (oid == "") oid = "unknown"
		sub(/@/, oid, s)
	}
	return s
}
# a ticket of customer cust opened at c about order o (0: none); q 0 good .. 2 bad
function mkticket(cust, c, cat, q, o,   i, x, r, sol, ro, sc, fs) {
	if (c >= END_T - 600) return 0
	i = ++NT
	T_c[i] = cust; T_cr[i] = c; T_cat[i] = cat; T_o[i] = o
	x = rnd()
	T_style[i] = (x < 0.5) ? "Z" : (x < 0.75) ? "br" : "naive"
	r = -1; sol = -1; ro = -1; T_reopens[i] = ""
	if (rnd() >= 0.04) {
		x = ri(q == 2 ? 30 * 3600 : 8 * 3600)
		r = c + 600 + x
		if (rnd() >= 0.06) {
			x = ri((q == 2 ? 5 : 2) * 86400)
			sol = r + 1800 + x
		}
	}
	if (r >= END_T) { r = -1; sol = -1 }
	if (sol >= END_T) sol = -1
	T_reopens[i] = (sol >= 0) ? 0 : ""
	x = rnd()
	if (sol >= 0 && x < (q == 2 ? 0.2 : 0.06)) {
		ro = sol + 3600 + ri(3 * 86400)
		if (ro < END_T) {
			T_reopens[i] = 1; if (rnd() < 0.2) T_reopens[i] = 2
			x = rnd()
			if (x < 0.85) sol = ro + 1800 + ri(2 * 86400)
			else sol = -1
			if (sol >= END_T) sol = -1
		} else ro = -1
	}
	T_rep[i] = r; T_sol[i] = sol; T_ro[i] = ro
	# satisfaction: 1-5 scores up to March, Zendesk words from April
	T_sat[i] = ""
	if (sol >= 0) {
		x = rnd()
		if (x < 0.45) {
			if (q == 2) sc = pick("1|1|2|2|3|4") + 0
			else if (q == 1) sc = pick("5|4|4|3|2") + 0
			else sc = pick("5|5|5|4|4|3") + 0
			if (ro >= 0 && sc > 1) sc--
			if (c < APR1) T_sat[i] = sc
			else if (sc >= 4 || (sc == 3 && rnd() < 0.5)) T_sat[i] = (rnd() < 0.3) ? "Good with comment" : "Good"
			else T_sat[i] = (rnd() < 0.3) ? "Bad with comment" : "Bad"
		} else if (c >= APR1 && x < 0.75) T_sat[i] = "Offered"
		else if (c >= APR1 && x < 0.88) T_sat[i] = "Not Offered"
	}
	if (cat == "App crash" && rnd() < 0.5) T_ch[i] = "app"
	else T_ch[i] = wpick("email:40|web:25|chat:22|phone:13")
	if (q == 2) T_pri[i] = wpick("normal:45|high:40|urgent:15")
	else T_pri[i] = wpick("low:25|normal:60|high:15")
	T_subj[i] = subject(cat, o)
	return i
}
# a problem ticket after order o, before time lim; bad: how unhappy
function orderticket(cust, o, lim, bad,   cat, c, lo, hi, q) {
	if (O_late[o] && O_est[o] < lim && rnd() < 0.55) {
		cat = "Delivery delay"
		lo = O_est[o] + 3600; hi = O_del[o]
		if (hi < 0 || hi > lim) hi = lim
		if (hi > END_T) hi = END_T
	} else {
		if (O_cancel[o]) cat = wpick("Refund:60|Question:25|Billing:15")
		else if (bad) cat = wpick("Damaged item:26|Wrong item:16|Refund:10|Billing:12|Login problem:12|App crash:10|Question:8|Return request:4|Staff complaint:4")
		else cat = wpick("Damaged item:9|Wrong item:7|Refund:10|Billing:10|Question:34|Return request:26|Login problem:2|App crash:2")
		lo = oseen(o) + 1800; hi = lo + 3 * 86400
		if (hi > lim) hi = lim
	}
	if (hi <= lo) return 0
	c = lo + ri(hi - lo)
	q = (cat == "Damaged item" || cat == "Wrong item" || cat == "Delivery delay" || cat == "Staff complaint") ? 2 : 1
	if (!bad && q == 2 && rnd() < 0.5) q = 1
	if (bad && q == 1) q = 2
	if (cat == "Question" || cat == "Return request") q = bad ? 1 : 0
	return mkticket(cust, c, cat, q, o)
}

# ---- events --------------------------------------------------------------------
function ev(u, name, s, ch, page,   ms) {
	if (s < 0 || s >= END_T) return
	NE++
	E_u[NE] = u; E_n[NE] = name; E_ch[NE] = ch; E_pg[NE] = page
	ms = ri(1000)
	E_t[NE] = s; E_ms[NE] = ms
	E_key[NE] = s * 1000 + ms
	E_ms_on[NE] = (ch == "web")
}
function product(   n) { n = 1000 + ri(400); return "p-" n }
function utm(   x) {
	x = wpick("google:40|facebook:25|instagram:15|newsletter:12|tiktok:8")
	if (x == "google") return "utm_source=google&utm_medium=cpc&utm_campaign=" pick("brand|generic_shoes|summer24")
	if (x == "newsletter") return "utm_source=newsletter&utm_medium=email&utm_campaign=" pick("jan_sale|spring_drop|new_in")
	return "utm_source=" x "&utm_medium=paid_social&utm_campaign=" pick("spring24|ugc_video|lookalike")
}
function search(   q) {
	q = pick("running+shoes|rain+jacket|socks,wool|\"gift card\"|yoga+mat|backpack+20l|kids+boots")
	return "/search?q=" q
}
# a shopping session of u ending at time e; o > 0: it ends in that order
function session(u, e, ch, o,   s, x, n, k, p, q, home) {
	s = e - 300 - ri(40 * 60)
	home = (ch == "app") ? "/home" : "/"
	x = rnd()
	if (x < 0.35) {
		p = utm()
		ev(u, "ad_click", s - 2, ch, home "?" p)
		ev(u, (ch == "app") ? "app_open" : "site_visit", s, ch, home "?" p)
	} else ev(u, (ch == "app") ? "app_open" : "site_visit", s, ch, home)
	n = 1 + ri(3)
	for (k = 1; k <= n; k++) {
		x = ri(30)
		s += 40 + ri(240)
		if (k == 1 && rnd() < 0.25) { ev(u, "search", s, ch, search()); s += 20 + x }
		p = product()
		q = ""
		x = rnd()
		if (x < 0.4) { q = "?size=" pick("S|M|L|XL"); q = q "&color=" pick("black|navy|sand") }
		ev(u, "product_view", s, ch, "/products/" p q)
	}
	s += 30 + ri(120)
	ev(u, "add_to_cart", s, ch, "/cart?added=" p)
	if (o == 0 && rnd() < 0.6) return
	s += 20 + ri(200)
	ev(u, "checkout_started", s, ch, "/checkout?step=shipping")
	if (rnd() < 0.35) ev(u, "login", s + 15, ch, "/account/login?next=%2Fcheckout")
	if (o > 0) ev(u, "purchase", O_p[o] + ri(20), ch, "/checkout/confirmation?order=" O_id[o])
}

# ---- referrals -----------------------------------------------------------------
function code(u,   s, k, x) {
	if (u in CODE) return CODE[u]
	s = "REF-"
	for (k = 1; k <= 6; k++) { x = ri(32); s = s substr("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", x + 1, 1) }
	CODE[u] = s
	return s
}
function mkref(from, to, sent, su, cv,   i) {
	i = ++NR
	F_from[i] = from; F_to[i] = to; F_sent[i] = sent; F_su[i] = su; F_cv[i] = cv
	F_ch[i] = wpick("email:35|whatsapp:30|link:20|sms:10|facebook:5")
	F_key[i] = sent
	return i
}
# an invitation to a brand-new person: they may sign up and convert (an order)
function invite(from, sent,   to, su, cv, x, o, i) {
	if (sent >= END_T) return 0
	to = sprintf("R%05d", ++NREF)
	su = -1; cv = -1
	if (rnd() < 0.45) {
		x = ri(10 * 86400)
		su = sent + 600 + x
		if (su >= END_T) su = -1
	}
	if (su >= 0 && rnd() < 0.55) {
		x = ri(20 * 86400)
		cv = su + 3600 + x
		if (cv >= END_T) cv = -1
	}
	i = mkref(from, to, sent, su, cv)
	if (su >= 0) {
		R_su_n++; R_su[R_su_n] = i
		x = rnd()
		if (x < 0.7) {
			x = code(from)
			ev(to, "site_visit", su - 120 - ri(600), "web", "/?ref=" x "&utm_source=referral&utm_medium=" F_ch[i])
		}
	}
	if (cv >= 0) {
		o = mkorder(to, cv, "norm", pick("web|web|app"))
		R_cv_n++; R_cv[R_cv_n] = i
	}
	return i
}

# ---- sorting: heap sort of 1..n by key (numbers), ties by index ---------------
function before(k, i, j) { return (k[i] < k[j]) || (k[i] == k[j] && i < j) }
function sift(k, a, root, end,   child, sw, tmp) {
	while (2 * root <= end) {
		child = 2 * root; sw = root
		if (before(k, a[sw], a[child])) sw = child
		if (child + 1 <= end && before(k, a[sw], a[child + 1])) sw = child + 1
		if (sw == root) return
		tmp = a[root]; a[root] = a[sw]; a[sw] = tmp; root = sw
	}
}
function hsort(k, a, n,   i, tmp) {
	for (i = 1; i <= n; i++) a[i] = i
	for (i = int(n / 2); i >= 1; i--) sift(k, a, i, n)
	for (i = n; i > 1; i--) { tmp = a[1]; a[1] = a[i]; a[i] = tmp; sift(k, a, 1, i - 1) }
}

BEGIN {
	if (OUT == "") OUT = "."
	if (SURVEYS == "") SURVEYS = OUT "/surveys.csv"
	RS_X = 20240701				# the seed
	END_T = 182 * 86400			# export time 2024-07-01T00:00:00Z
	APR1 = 91 * 86400			# the help desk's new satisfaction survey
	NO = 0; NT = 0; NE = 0; NR = 0; NREF = 0

	# ---- the survey answers: customer, time, NPS (-1: none) ----
	NS = 0; NC = 0
	while ((rc = getline line < SURVEYS) > 0) {
		if (line !~ /^R[0-9][0-9][0-9][0-9][0-9][0-9],C[0-9]/) continue
		n = split(line, fld, ",")
		if (fld[3] !~ /^2024-/) continue
		NS++
		S_c[NS] = fld[2]; S_t[NS] = parsetime(fld[3])
		S_n[NS] = (fld[5] ~ /^[0-9]+$/ && fld[5] + 0 <= 10) ? fld[5] + 0 : -1
		k = substr(fld[2], 2) + 0
		if (k > NC) NC = k
	}
	if (rc < 0 || NS == 0) die("cannot read survey answers from " SURVEYS)
	close(SURVEYS)
	if (NC < 1500) NC = 1500
	for (c = 1; c <= NC; c++) {
		id = sprintf("C%05d", c)
		CID[c] = id
		x = rnd(); APP[id] = (x < 0.35)
	}

	# ---- orders behind the survey answers (a post-purchase survey) ----
	for (i = 1; i <= NS; i++) {
		x = rnd()
		if (x >= 0.55) continue
		cust = S_c[i]; t = S_t[i]; nps = S_n[i]
		x = rnd()
		if (nps >= 0 && nps <= 6) mode = (x < 0.45) ? "late" : "ontime"
		else if (nps >= 9) mode = (x < 0.04) ? "late" : "ontime"
		else mode = (x < 0.14) ? "late" : "ontime"
		gap = 3600 + ri(6 * 86400)
		p = t - gap - 17 * 86400 + tod() - 43200
		if (p < 0) p = ri(86400)
		ch = ochannel(cust)
		o = mkorder(cust, p, mode, ch)
		if (O_del[o] >= t - 3600) { CO_n[cust]--; NO--; continue }
		d = int((t - gap - O_del[o]) / 86400)
		if (d > 0) oshift(o, d * 86400)
		S_o[i] = o
	}
	# ---- the other orders: most customers 1-4 in all ----
	for (c = 1; c <= NC; c++) {
		cust = CID[c]
		x = rnd()
		n = (x < 0.3) ? 0 : (x < 0.72) ? 1 : (x < 0.92) ? 2 : 3
		if (n == 0 && CO_n[cust] == 0 && rnd() < 0.6) n = 1
		for (k = 1; k <= n; k++) {
			d = ri(180)
			p = d * 86400 + tod()
			ch = ochannel(cust)
			mkorder(cust, p, "norm", ch)
		}
	}

	# ---- referrals: promoters invite friends after a good answer ----
	for (i = 1; i <= NS; i++) {
		x = rnd()
		if (S_n[i] < 9 || x >= 0.23) continue
		cust = S_c[i]
		n = 1 + ri(2); if (rnd() < 0.25) n += 1 + ri(3)
		s = S_t[i] + 600 + ri(10 * 86400)
		for (k = 1; k <= n; k++) {
			invite(cust, s)
			s += 3600 + ri(4 * 86400)
		}
	}
	# some customers refer after an order without being asked
	for (k = 1; k <= 60; k++) {
		o = 1 + ri(NO)
		cust = O_c[o]
		if (cust !~ /^C/) continue
		invite(cust, oseen(o) + 86400 + ri(20 * 86400))
	}
	# second generation: converted referees invite their own friends
	for (j = 1; j <= R_cv_n; j++) {
		i = R_cv[j]
		if (rnd() >= 0.22) continue
		n = 1 + ri(3)
		s = F_cv[i] + 86400 + ri(15 * 86400)
		for (k = 1; k <= n; k++) { invite(F_to[i], s); s += 3600 + ri(3 * 86400) }
	}
	# reminders: the same friend invited again a few days later ("repeat invitation")
	for (k = 1; k <= 5; k++) {
		i = 1 + ri(NR)
		s = F_sent[i] + 3 * 86400 + ri(4 * 86400)
		if (F_to[i] !~ /^R/ || F_su[i] >= 0 || (F_to[i] in CLAIMED) || s >= END_T) { k--; continue }
		CLAIMED[F_to[i]] = 1
		mkref(F_from[i], F_to[i], s, -1, -1)
	}
	# double claims: a second referrer claims a friend who signed up ("already referred")
	for (k = 1; k <= 4; k++) {
		j = R_su[1 + ri(R_su_n)]
		i = 1 + ri(NR)
		if (F_from[i] == F_from[j] || F_from[i] == F_to[j] || (F_to[j] in CLAIMED)) { k--; continue }
		CLAIMED[F_to[j]] = 1
		s = F_sent[j] + int((F_su[j] - F_sent[j]) * 0.5)
		mkref(F_from[i], F_to[j], s, F_su[j], F_cv[j])
	}
	# self-referrals ("self-referral")
	for (k = 1; k <= 3; k++) {
		i = 1 + ri(NR)
		s = F_sent[i] + 7200 + ri(86400)
		if (F_from[i] !~ /^C/ || s >= END_T) { k--; continue }
		mkref(F_from[i], F_from[i], s, -1, -1)
	}
	# invitations to people who were customers already (kept, flagged by jrefer)
	for (k = 1; k <= 8; k++) {
		o = 1 + ri(NO)
		cust = O_c[o]
		j = 1 + ri(NR)
		s = F_sent[j] + 86400
		if (cust !~ /^C/ || F_from[j] !~ /^C/ || F_from[j] == cust || O_p[o] >= F_sent[j] || (cust in CLAIMED) || s >= END_T) { k--; continue }
		CLAIMED[cust] = 1
		su = -1; cv = -1
		if (rnd() < 0.6) su = s + 3600 + ri(86400)
		if (su >= END_T) su = -1
		if (su >= 0 && rnd() < 0.5) {
			cv = su + 3600 + ri(5 * 86400)
			if (cv < END_T) mkorder(cust, cv, "norm", ochannel(cust))
			else cv = -1
		}
		mkref(F_from[j], cust, s, su, cv)
	}
	# one cycle: A invites B, B invites C, C invites A back ("cycle")
	do {
		o = 1 + ri(NO)
		a = O_c[o]
	} while (a !~ /^C/ || (a in CLAIMED) || O_p[o] > 60 * 86400)
	CLAIMED[a] = 1
	s = O_p[o] + 5 * 86400
	b = sprintf("R%05d", ++NREF); cc = sprintf("R%05d", ++NREF)
	mkref(a, b, s, s + 7200, s + 86400); mkorder(b, s + 86400, "ontime", "web")
	s += 10 * 86400
	mkref(b, cc, s, s + 3600, s + 2 * 86400); mkorder(cc, s + 2 * 86400, "ontime", "app")
	s += 12 * 86400
	mkref(cc, a, s, -1, -1)

	# ---- two order amounts the export could not fill ----
	NA[1 + ri(NO)] = 1
	do { o = 1 + ri(NO) } while (o in NA)
	NA[o] = 1

	# ---- orders in order of time, numbered ----
	for (i = 1; i <= NO; i++) O_key[i] = O_p[i]
	hsort(O_key, OI, NO)
	for (r = 1; r <= NO; r++) O_id[OI[r]] = 240000 + r
	f = OUT "/orders.csv"
	print "order_id,customer_id,placed_at,approved_at,shipped_at,delivered_at,estimated_delivery_at,amount,channel,status" > f
	for (r = 1; r <= NO; r++) {
		i = OI[r]
		st = O_cancel[i] ? "cancelled" : (ocut(O_del[i]) >= 0) ? "delivered" : (ocut(O_ship[i]) >= 0) ? "shipped" : "processing"
		printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", O_id[i], O_c[i],
			fmt(O_p[i], (O_ch[i] == "store") ? "naive" : "Z"),
			fmt(ocut(O_appr[i]), "naive"), fmt(ocut(O_ship[i]), "eu"), fmt(ocut(O_del[i]), "Z"),
			fmt(O_est[i], "naive"), (i in NA) ? "n/a" : money(O_amt[i]), O_ch[i], st > f
	}
	close(f)

	# ---- tickets behind the survey answers ----
	for (i = 1; i <= NS; i++) {
		cust = S_c[i]; t = S_t[i]; nps = S_n[i]
		x = rnd()
		if (nps >= 0 && nps <= 6) { if (x >= 0.5) continue; bad = 1 }
		else if (nps >= 9) { if (x >= 0.06) continue; bad = 0 }
		else { if (x >= 0.12) continue; bad = 0 }
		o = (i in S_o) ? S_o[i] : lastorder(cust, t - 86400)
		if (o > 0 && oseen(o) < t - 3600) { orderticket(cust, o, t - 600, bad); continue }
		# no order to complain about: the account, the app, the bill, a question
		cat = bad ? wpick("Login problem:30|App crash:30|Billing:15|Password reset:10|Staff complaint:5|Question:10") : "Question"
		c = t - 3600 - ri(10 * 86400)
		if (c < 0) continue
		mkticket(cust, c, cat, bad ? 2 : 0, 0)
	}
	# ---- the other tickets, about an order or not ----
	while (NT < 1200) {
		x = rnd()
		if (x < 0.7) {
			o = 1 + ri(NO)
			if (O_c[o] !~ /^C/) continue
			orderticket(O_c[o], o, END_T, 0)
		} else {
			c = 1 + ri(NC); cust = CID[c]
			cat = wpick("Login problem:22|App crash:15|Password reset:13|Question:35|Billing:10|Staff complaint:5")
			d = ri(181)
			mkticket(cust, d * 86400 + tod(), cat, (cat == "Question") ? 0 : 1, 0)
		}
	}
	for (i = 1; i <= NT; i++) T_key[i] = T_cr[i]
	hsort(T_key, TI, NT)
	f = OUT "/tickets.csv"
	print "ticket_id,customer_id,created_at,first_reply_at,solved_at,reopened_at,satisfaction,reopens,channel,category,priority,subject" > f
	# the three bad rows, and a few subjects written over two lines (the mail's second line)
	badtime = TI[int(NT * 0.14)]; nocust = TI[int(NT * 0.43)]; short = TI[int(NT * 0.77)]
	for (r = 1; r <= NT; r++) {
		i = TI[r]
		if (T_cat[i] == "Damaged item" || T_cat[i] == "Wrong item")
			if (++nphoto % 25 == 5) T_subj[i] = T_subj[i] "\nPhotos of the box and the label attached"
		created = fmt(T_cr[i], T_style[i])
		if (i == badtime) { civil(T_cr[i]); created = sprintf("31.02.2024 %02d:%02d", CH, CMI) }
		line = sprintf("%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", 80000 + r, (i == nocust) ? "" : T_c[i], created,
			fmt(T_rep[i], T_style[i]), fmt(T_sol[i], T_style[i]), fmt(T_ro[i], T_style[i]),
			csv(T_sat[i]), T_reopens[i], T_ch[i], csv(T_cat[i]), T_pri[i])
		if (i != short) line = line "," csv(T_subj[i])
		print line > f
	}
	close(f)

	# ---- events: the web or app session before an order, abandoned carts, logins ----
	for (i = 1; i <= NO; i++) {
		if (O_ch[i] == "store" || O_ch[i] == "phone") continue
		x = rnd()
		if (x >= 0.33) continue
		session(O_c[i], O_p[i], O_ch[i], i)
	}
	for (k = 1; k <= 220; k++) {
		c = 1 + ri(NC); cust = CID[c]
		d = ri(181)
		session(cust, d * 86400 + tod(), APP[cust] ? "app" : "web", 0)
	}
	for (c = 1; c <= NC; c++) {
		cust = CID[c]
		x = rnd()
		n = APP[cust] ? ri(3) : (x < 0.4)
		for (k = 1; k <= n; k++) {
			d = ri(181)
			s = d * 86400 + tod()
			if (APP[cust]) ev(cust, "app_open", s, "app", "/home")
			else ev(cust, "login", s, "web", "/account/login?next=%2Forders")
		}
	}
	# the SDK sends a few events twice; one visitor never logged in
	for (k = 1; k <= 12; k++) {
		j = 1 + ri(NE)
		NE++
		E_u[NE] = E_u[j]; E_n[NE] = E_n[j]; E_ch[NE] = E_ch[j]; E_pg[NE] = E_pg[j]
		E_t[NE] = E_t[j]; E_ms[NE] = E_ms[j]; E_key[NE] = E_key[j]; E_ms_on[NE] = E_ms_on[j]
	}
	ev("", "site_visit", 77 * 86400 + 51234, "web", "/?" utm())
	for (i = 1; i <= NE; i++) E_key[i] = E_t[i] * 1000 + E_ms[i]
	hsort(E_key, EI, NE)
	f = OUT "/events.csv"
	print "user_id,event,timestamp,channel,page" > f
	for (r = 1; r <= NE; r++) {
		i = EI[r]
		printf "%s,%s,%s,%s,%s\n", E_u[i], E_n[i], E_ms_on[i] ? fmt(E_t[i], "ms", E_ms[i]) : fmt(E_t[i], "Z"),
			E_ch[i], csv(E_pg[i]) > f
	}
	close(f)

	# ---- referrals in order of time ----
	hsort(F_key, FI, NR)
	f = OUT "/referrals.csv"
	print "referral_code,referrer_id,referee_id,sent_at,signed_up_at,converted_at,channel,reward" > f
	for (r = 1; r <= NR; r++) {
		i = FI[r]
		rw = (F_cv[i] >= 0) ? "10.00" : (F_su[i] >= 0) ? "0.00" : ""
		printf "%s,%s,%s,%s,%s,%s,%s,%s\n", code(F_from[i]), F_from[i], F_to[i], fmt(F_sent[i], "Z"),
			fmt(F_su[i], "naive"), fmt(F_cv[i], "eu"), F_ch[i], rw > f
	}
	close(f)
	printf "gen-exports.awk: %d orders, %d tickets, %d referrals, %d events in %s\n", NO, NT, NR, NE, OUT | "cat 1>&2"
	close("cat 1>&2")
}
