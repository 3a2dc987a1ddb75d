# bgnbd.awk — a touch stream simulated from known BG/NBD and Gamma-Gamma
# parameters (Fader, Hardie and Lee 2005; lifetimes' generator), for the
# --bgnbd test. Time in days. Usage:
#   awk -v N=5000 -v SEED=7 -f bgnbd.awk
# Each customer joins on a day in the first 12 weeks with a purchase, then
# buys at Poisson rate lambda ~ Gamma(R, ALPHA) until the end of day 273 or
# until they drop out, with probability p ~ Beta(A, B) after each repeat
# purchase. A purchase's value is Gamma(P, nu) with nu ~ Gamma(Q, V).
function normal(   u, v) {
	u = rand(); v = rand()
	if (u < 1e-300) u = 1e-300
	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v)
}
# Marsaglia and Tsang; shape < 1 through shape + 1
function gamma(k, rate,   d, c, x, v, u) {
	if (k < 1)
		return gamma(k + 1, rate) * rand() ^ (1 / k)
	d = k - 1 / 3; c = 1 / sqrt(9 * d)
	for (;;) {
		do { x = normal(); v = 1 + c * x } while (v <= 0)
		v = v * v * v; u = rand()
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v / rate
	}
}
function beta(a, b,   x) { x = gamma(a, 1); return x / (x + gamma(b, 1)) }
# UTC time of a day number (days since 2020-01-01, with a fraction), without strftime
function stamp(day,   s, z, era, doe, yoe, y, doy, mp, d, m) {
	s = int(day * 86400)
	z = int(s / 86400) + 18262 + 719468	# 2020-01-01 is day 18262 of the epoch
	era = int(z / 146097); doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9; if (m <= 2) y++
	s %= 86400
	return sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, int(s / 3600), int(s / 60) % 60, s % 60)
}
BEGIN {
	if (N == "") N = 5000
	if (SEED == "") SEED = 7
	srand(SEED)
	R = 0.24; ALPHA = 30.8; A = 0.79; B = 2.43; P = 6.25; Q = 3.74; V = 15.44
	END_DAY = 273
	print "customer,time,touchpoint,amount"
	for (i = 1; i <= N; i++) {
		id = sprintf("S%05d", i)
		lambda = gamma(R, ALPHA); p = beta(A, B); nu = gamma(Q, V)
		t = int(rand() * 84) + rand() * 0.5
		printf "%s,%s,order_placed,%.2f\n", id, stamp(t), gamma(P, nu)
		for (;;) {
			t += -log(1 - rand()) / lambda
			if (t >= END_DAY) break
			printf "%s,%s,order_placed,%.2f\n", id, stamp(t), gamma(P, nu)
			if (rand() < p) break
		}
	}
}
