#!/usr/bin/env bats
# jstage --bgnbd: BG/NBD and Gamma-Gamma fitted on a touch stream simulated
# from known parameters (tests/gen/bgnbd.awk, fixed seed, 5,000 customers):
# every estimate within 3 standard errors of the truth.
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	T=$(mktemp -d)
	awk -v N=5000 -v SEED=7 -f "$REPO/tests/gen/bgnbd.awk" >"$T/sim.csv"
}

teardown() { rm -rf "$T"; }

@test "jbgnbd: every parameter within 3 standard errors of the one the data was simulated from" {
	run jstage --bgnbd --as-of 2020-10-01T00:00:00Z --params "$T/p.csv" "$T/sim.csv"
	assert_success
	# a fit inside the parameter space: no warning, and --strict has nothing to stop
	refute_output --partial warning
	run jstage --strict --bgnbd --as-of 2020-10-01T00:00:00Z -o "$T/strict.csv" "$T/sim.csv"
	assert_success
	run awk 'END { print NR - 1 }' "$T/strict.csv"
	assert_output 5000
	run awk -F, 'BEGIN { t["r"] = 0.24; t["alpha"] = 30.8; t["a"] = 0.79; t["b"] = 2.43
			     t["p"] = 6.25; t["q"] = 3.74; t["v"] = 15.44 }
		($2 in t) && $4 > 0 { n++; z = ($3 - t[$2]) / $4; if (z < -3 || z > 3) bad = bad " " $2 "=" z }
		END { print n " parameters" (bad ? ", outside 3 se:" bad : "") }' "$T/p.csv"
	assert_output "7 parameters"
	run grep -c '^bgnbd,customers,5000,$' "$T/p.csv"
	assert_output 1
}

@test "jbgnbd: --use-params predicts the same as the fit it saved; lifetimes' summary columns" {
	jstage -q --bgnbd --as-of 2020-10-01T00:00:00Z --params "$T/p.csv" "$T/sim.csv" >"$T/fit.csv"
	jstage -q --bgnbd --as-of 2020-10-01T00:00:00Z --use-params "$T/p.csv" "$T/sim.csv" >"$T/use.csv"
	run cmp "$T/fit.csv" "$T/use.csv"
	assert_success
	run head -1 "$T/fit.csv"
	assert_output "customer,frequency,recency,T,monetary_value,p_alive,expected_purchases,expected_value,clv"
	# a customer without repeat purchases is alive for sure (BG/NBD drops out only after a repeat purchase)
	run awk -F, 'NR > 1 && $2 == 0 && $6 != "1.0000" { bad++ } END { print bad + 0 }' "$T/fit.csv"
	assert_output 0
	# every customer of the simulation is in the table
	run awk 'END { print NR - 1 }' "$T/fit.csv"
	assert_output 5000
}

@test "jbgnbd: frequency, recency and T by day as lifetimes' summary_data_from_transaction_data" {
	# c1: purchases on days 0, 0 (same day: one unit), 3 and 10; as-of day 20
	#   frequency = 3 units - 1 = 2, recency = 10 - 0 = 10, T = 20, monetary = mean(7, 11) = 9
	# c2: one purchase on day 5: frequency 0, recency 0, T 15, no monetary value
	{ echo customer,time,touchpoint,amount; printf '%s\n' \
		'c1,2024-01-01T08:00:00Z,order_placed,4' 'c1,2024-01-01T20:00:00Z,order_placed,6' \
		'c1,2024-01-04T09:00:00Z,order_placed,7' 'c1,2024-01-11T09:00:00Z,order_placed,11' \
		'c1,2024-01-12T09:00:00Z,survey_response,' 'c2,2024-01-06T10:00:00Z,order_placed,3'; } >"$T/t.csv"
	run jstage -q --bgnbd --as-of 2024-01-21T00:00:00Z --use-params "$T/p0.csv" "$T/t.csv"
	assert_failure 1
	{ echo model,param,estimate,se; printf '%s\n' bgnbd,r,0.24, bgnbd,alpha,30.8, bgnbd,a,0.79, bgnbd,b,2.43, \
		gamma_gamma,p,6.25, gamma_gamma,q,3.74, gamma_gamma,v,15.44, bgnbd,unit_s,86400,; } >"$T/p0.csv"
	run jstage -q --bgnbd --as-of 2024-01-21T00:00:00Z --use-params "$T/p0.csv" "$T/t.csv"
	assert_success
	run cut -d, -f1-5 <<<"$output"
	assert_output "customer,frequency,recency,T,monetary_value
c1,2,10,20,9.0000
c2,0,0,15,"
}

# --unit week: pandas' to_period('W') (W-SUN) weeks, Monday to Sunday, as lifetimes'
# summary_data_from_transaction_data(freq='W') takes them; recency and T are differences of
# week numbers. As-of Wednesday 2024-01-17: the week of Monday 2024-01-15.
#   mt: Monday 2024-01-01 and Thursday 2024-01-04, one week: frequency 0, recency 0, T 2
#   sm: Sunday 2024-01-07 23:59:59 and Monday 2024-01-08 00:00:00, two weeks: frequency 1,
#       recency 1, T 2 (the week of January 1 to the week of January 15), monetary 7
# expected_purchases over --horizon 12 months of 4.345 weeks (lifetimes' customer_lifetime_value
# factor for freq='W'), 52.14 weeks: BG/NBD's conditional expectation for mt (x = 0, T = 2),
# computed here with the series of 2F1; 30 days a month (51.43 weeks) would give 0.3140.
@test "jbgnbd: --unit week counts ISO weeks, Monday to Sunday; a month is 4.345 weeks" {
	{ echo customer,time,touchpoint,amount; printf '%s\n' \
		'mt,2024-01-01T09:00:00Z,order_placed,10' 'mt,2024-01-04T09:00:00Z,order_placed,20' \
		'sm,2024-01-07T23:59:59Z,order_placed,5' 'sm,2024-01-08T00:00:00Z,order_placed,7'; } >"$T/w.csv"
	{ echo model,param,estimate,se; printf '%s\n' bgnbd,r,0.24, bgnbd,alpha,30.8, bgnbd,a,0.79, bgnbd,b,2.43, \
		gamma_gamma,p,6.25, gamma_gamma,q,3.74, gamma_gamma,v,15.44, bgnbd,unit_s,604800,; } >"$T/pw.csv"
	run jstage -q --bgnbd --unit week --as-of 2024-01-17T00:00:00Z --use-params "$T/pw.csv" "$T/w.csv"
	assert_success
	local out=$output
	run cut -d, -f1-5 <<<"$out"
	assert_output "customer,frequency,recency,T,monetary_value
mt,0,0,2,
sm,1,1,2,7.0000"
	run awk -v t="$(awk 'BEGIN { print 12 * 4.345 }')" '
		function h2f1(a, b, c, z,   k, term, sum) {
			term = 1; sum = 1
			for (k = 0; k < 100000; k++) {
				term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z; sum += term
				if ((term < 0 ? -term : term) < 1e-15 * sum) break
			}
			return sum
		}
		BEGIN { r = 0.24; al = 30.8; a = 0.79; b = 2.43; T = 2
			printf "%.4f\n", (a + b - 1) / (a - 1) * (1 - ((al + T) / (al + T + t)) ^ r * h2f1(r, b, a + b - 1, t / (al + T + t))) }'
	assert_output 0.3177
	run awk -F, '$1 == "mt" { print $7 }' <<<"$out"
	assert_output 0.3177
}

# The sample orders (make demo): customers who buy at one steady rate and never drop out. BG/NBD
# has no maximum inside its parameter space: r and alpha grow together (a Poisson process) and a
# goes to 0. The fit stops within a factor of 10 of the bounds (1e5 .. 1e6 scaled; alpha is
# 1e6 / scale = 1e6 * 181 days / 10 = 1.8e7 days) and says so; the figures are still written
# (exit 0). With --strict: the same message as an error, exit 1, and nothing written: -o keeps
# its old content, no --params file. Gamma-Gamma fits these data (no message about it).
@test "jbgnbd: a fit at the bounds of the parameter space warns; --strict exits 1 and writes nothing" {
	jtouch -q -p orders "$REPO/share/jtools/sample/orders.csv" >"$T/orders.csv"
	local msg='the BG/NBD fit did not converge inside the parameter space (r 1.5e+05 and alpha 1.8e+07 at their bounds, a near 0): the model does not fit these data; its figures are not estimates'
	jstage --bgnbd -o "$T/out.csv" "$T/orders.csv" 2>"$T/err"
	run grep -c '' "$T/out.csv"
	assert_output 1535
	run grep -v '^jstage: [a-z_]* [a-z]* = ' "$T/err"
	assert_output "jstage: warning: $msg"
	run -0 jstage -q --bgnbd "$T/orders.csv"
	echo old >"$T/out.csv"
	run -1 jstage --strict --bgnbd -o "$T/out.csv" --params "$T/p.csv" "$T/orders.csv"
	run grep -v '^jstage: [a-z_]* [a-z]* = ' <<<"$output"
	assert_output "jstage: $msg"
	run cat "$T/out.csv"
	assert_output old
	assert [ ! -e "$T/p.csv" ]
	# -q silences the warning, not the error
	run -1 jstage -q --strict --bgnbd "$T/orders.csv"
	assert_output "jstage: $msg"
}

# Gamma-Gamma on spend without any spread: every order is worth 10, so the shape p of a
# purchase's value runs off to its bound (1e6, unscaled as money is scaled by 10 / 10); BG/NBD
# is fine (300 simulated customers).
@test "jbgnbd: a Gamma-Gamma fit at its bounds warns too, and --strict exits 1" {
	awk -v N=300 -v SEED=1 -f "$REPO/tests/gen/bgnbd.awk" | awk -F, -v OFS=, 'NR > 1 && $3 == "order_placed" { $4 = 10 } 1' >"$T/flat.csv"
	run -0 jstage --bgnbd --as-of 2020-10-01T00:00:00Z "$T/flat.csv"
	run grep warning <<<"$output"
	assert_output "jstage: warning: the Gamma-Gamma fit did not converge inside the parameter space (p 1e+06 at its bound): the model does not fit these data; its figures are not estimates"
	run -1 jstage -q --strict --bgnbd --as-of 2020-10-01T00:00:00Z "$T/flat.csv"
	assert_output "jstage: the Gamma-Gamma fit did not converge inside the parameter space (p 1e+06 at its bound): the model does not fit these data; its figures are not estimates"
}

@test "jbgnbd: usage errors" {
	run -2 jstage --bgnbd -g channel "$T/sim.csv"
	assert_output --partial "-g: --bgnbd is one fit over all customers"
	run -2 jstage --horizon 12 "$T/sim.csv"
	assert_output --partial "--horizon goes with --bgnbd"
	run -2 jstage --bgnbd --unit month "$T/sim.csv"
	assert_output --partial "--unit: 'month' is not day or week"
	run -2 jstage --bgnbd --params a --use-params b "$T/sim.csv"
	assert_output --partial "give one"
}

@test "jbgnbd: --use-params checks the whole file before any input is read: each fault at its line (exit 1)" {
	good() { echo model,param,estimate,se; printf '%s\n' bgnbd,r,0.24,0.01 bgnbd,alpha,30.8, bgnbd,a,0.79, \
		bgnbd,b,2.43, gamma_gamma,p,6.25, gamma_gamma,q,3.74, gamma_gamma,v,15.44, bgnbd,loglik,-197.5, \
		bgnbd,unit_s,86400, bgnbd,customers,2,; }
	good >"$T/p.csv"
	# the input does not exist: the parameters are read first
	bad() {
		run -1 jstage -q --bgnbd --use-params "$T/p.csv" "$T/nosuch.csv"
		assert_output "jstage: $T/p.csv:$1: --use-params: $2"
	}
	good | sed 's/^bgnbd,r,0.24,/bgnbd,r,0.24junk,/' >"$T/p.csv"
	bad 2 "bgnbd r '0.24junk' is not a number above 0"
	for v in nan inf -0.5 0 '' ' 1' 0x1p3 1e999; do
		good | sed "s/^gamma_gamma,q,3.74,/gamma_gamma,q,$v,/" >"$T/p.csv"
		bad 7 "gamma_gamma q '$v' is not a number above 0"
	done
	good | sed 's/^bgnbd,unit_s,86400,/bgnbd,unit_s,86400.5,/' >"$T/p.csv"
	bad 10 "bgnbd unit_s '86400.5' is not a whole number of seconds above 0"
	good | sed 's/^bgnbd,unit_s,86400,/bgnbd,unit_s,nan,/' >"$T/p.csv"
	bad 10 "bgnbd unit_s 'nan' is not a whole number of seconds above 0"
	good | sed '3p' >"$T/p.csv"
	bad 4 "bgnbd alpha is given twice"
	good | sed 's/^gamma_gamma,q/gamma_gamma,r/' >"$T/p.csv"
	bad 7 "gamma_gamma has no parameter 'r' (p, q, v, loglik)"
	good | sed 's/^bgnbd,b,/bgnbd,beta,/' >"$T/p.csv"
	bad 5 "bgnbd has no parameter 'beta' (r, alpha, a, b, loglik, unit_s, customers)"
	good | sed 's/^gamma_gamma,v/gamma,v/' >"$T/p.csv"
	bad 8 "model 'gamma' is neither bgnbd nor gamma_gamma"
	good | sed '1s/estimate/est/' >"$T/p.csv"
	bad 1 "no column 'estimate' (a file that --params wrote starts model,param,estimate,se)"
	good | sed '4s/$/,extra/' >"$T/p.csv"
	run -1 jstage -q --bgnbd --use-params "$T/p.csv" "$T/nosuch.csv"
	assert_output --partial "jstage: $T/p.csv:4: "
	good | sed '/^bgnbd,alpha/d; /^gamma_gamma,v/d' >"$T/p.csv"
	run -1 jstage -q --bgnbd --use-params "$T/p.csv" "$T/nosuch.csv"
	assert_output "jstage: --use-params $T/p.csv: bgnbd alpha, gamma_gamma v missing (a file that --params wrote has all seven parameters)"
	run -1 jstage -q --bgnbd --use-params "$T/nope.csv" "$T/nosuch.csv"
	assert_output "jstage: --use-params $T/nope.csv: No such file or directory"
	# the file as --params writes it, CRLF line ends and all, is read
	good | sed 's/$/\r/' >"$T/p.csv"
	run -1 jstage -q --bgnbd --use-params "$T/p.csv" "$T/nosuch.csv"
	assert_output "jstage: $T/nosuch.csv: No such file or directory"
}

