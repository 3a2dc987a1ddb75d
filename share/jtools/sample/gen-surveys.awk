# gen-surveys.awk — makes surveys.csv, the sample survey export of make demo.
# Deterministic (fixed seed). Usage: awk -f gen-surveys.awk > surveys.csv
# Shape of a typical survey tool export: one row per response, ISO times with
# offsets, NPS 0-10, CSAT 1-5, CES 1-7, free-text comments (commas, quotes,
# line breaks), unanswered questions left empty, and a few bad rows as real
# exports have them (an NPS of 11, a CSAT typed as text, a short row).
function rnd(n) { return int(rand() * n) }
function pick(s,   a, n) { n = split(s, a, "|"); return a[rnd(n) + 1] }
BEGIN {
	srand(20261122)
	print "response_id,customer_id,submitted_at,channel,nps,csat,ces,comment"
	nch = split("web|web|web|email|email|app|app|app|phone|store", ch, "|")
	comments = "Fast delivery, great packaging|Support took too long to answer|" \
		"Item arrived damaged; replacement was quick|Love the app|" \
		"Checkout kept failing, had to try 3 times|The agent was rude|" \
		"Good value for money|Wrong item sent, then refunded|Website is slow|" \
		"Easy returns, will buy again"
	for (i = 1; i <= 2400; i++) {
		c = ch[rnd(nch) + 1]
		# channel drives the mood a little, so the table shows differences
		bias = (c == "app") ? 1.5 : (c == "phone") ? -1.5 : (c == "store") ? 0.5 : 0
		nps = int(rand() * 7 + 4 + bias + rand() * 2)
		if (nps > 10) nps = 10
		if (nps < 0) nps = 0
		csat = int(nps / 2.2) + 1; if (rand() < 0.25) csat += (rand() < 0.5) ? -1 : 1
		if (csat < 1) csat = 1; if (csat > 5) csat = 5
		ces = int(nps * 0.6) + 1; if (ces > 7) ces = 7
		if (rand() < 0.04) nps = ""
		if (rand() < 0.10) csat = ""
		if (rand() < 0.30) ces = ""
		d = rnd(181); m = 1; dd = d
		split("31 29 31 30 31 30", ml, " ")
		while (dd >= ml[m]) { dd -= ml[m]; m++ }
		off = (rnd(3) == 0) ? "-03:00" : (rnd(2) ? "+01:00" : "Z")
		t = sprintf("2024-%02d-%02dT%02d:%02d:%02d%s", m, dd + 1, rnd(24), rnd(60), rnd(60), off)
		cm = ""
		r = rand()
		if (r < 0.35) cm = "\"" pick(comments) "\""
		else if (r < 0.38) cm = "\"They said \"\"next day\"\", it took a week\""
		else if (r < 0.40) cm = "\"First line\nsecond line of the same comment\""
		cust = sprintf("C%05d", rnd(1500) + 1)
		if (i == 117) nps = 11
		if (i == 845) csat = "great"
		if (i == 1999) { printf "R%06d,%s,%s,%s,%s\n", i, cust, t, c, nps; continue }
		printf "R%06d,%s,%s,%s,%s,%s,%s,%s\n", i, cust, t, c, nps, csat, ces, cm
	}
}
