#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154
# jkpi --map (value maps, COL:bool), blank cells as missing values, and what
# both mean for --partial/--merge (jkpi(1) "Value maps", "Numbers").
# Real data: the IBM Telco churn sample (Churn Yes/No, TotalCharges " ") and the
# online shoppers sessions (Revenue TRUE/FALSE and 29 NULL).
bats_require_minimum_version 1.5.0
load test_helper

setup() {
	PROG=jkpi
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

# yn.csv: 8 customers; churned Yes/No in mixed cases, one blank-only, one empty
#   churned: Yes yes YES No no Y (blanks) (empty) -> with bool: 1 1 1 0 0 1, 2 missing
#   spend: 10 20 (two blanks) 30 (a tab) 40 50 (empty)
mkyn() {
	printf 'id,plan,churned,spend\n' >yn.csv
	printf 'c1,a,Yes,10\nc2,a,yes,20\nc3,b,YES,  \nc4,b,No,30\nc5,a,no,"\t"\nc6,b,Y,40\nc7,a,   ,50\nc8,b,,\n' >>yn.csv
}

@test "jkpi --map COL:bool: yes/no, true/false, y/n, 1/0 in any case become 1/0" {
	mkyn
	# hits c1 c2 c3 c6 = 4 of n = 6 (c7 blank, c8 empty: missing 2). Wilson, z^2 = 3.8416:
	# (0.6667 + 0.3201) / 1.6403 = 0.6016 +- 1.96 sqrt(0.0370 + 0.0267) / 1.6403 = 0.3016 -> 30.00, 90.32
	jt -k rate:churned --map churned:bool yn.csv
	same <<'EOF'
rate_churned,rate_churned_lo,rate_churned_hi,rate_churned_hits,rate_churned_n,rate_churned_missing
66.67,30.00,90.32,4,6,2
EOF
	printf 'x\nTRUE\nfalse\nT\n1\n0\nN\ntrue\n' >tf.csv
	# T is no bool word: it stays 'T', not a number, and rejects its row; 3 of 6: 0.5 +- 0.3124
	jtrc 0 -k rate:x --map x:bool tf.csv
	same <<'EOF'
rate_x,rate_x_lo,rate_x_hi,rate_x_hits,rate_x_n,rate_x_missing
50.00,18.76,81.24,3,6,0
EOF
	err_is "jkpi: tf.csv:4: column 'x': 'T' is not a number
jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
	# without the map every word is rejected: the issue's all-rejected run
	jtrc 0 -q -k rate:churned yn.csv --stats st.csv
	stats_are rows_rejected=6
}

@test "jkpi --map COL:FROM=TO,...: pairs, an empty TO, bool with more pairs, the later pair wins" {
	mkyn
	jt -k rate:churned --map 'churned:bool,y=0' --map 'churned:no=' yn.csv
	# the later pair wins: Y -> 0 after bool, no -> empty; c1 c2 c3 1, c4 c5 missing, c6 0, c7 c8
	# missing: 3 of 4, Wilson (0.75 + 0.4802) / 1.9604 = 0.6275 +- 0.3269 -> 30.06, 95.44
	same <<'EOF'
rate_churned,rate_churned_lo,rate_churned_hi,rate_churned_hits,rate_churned_n,rate_churned_missing
75.00,30.06,95.44,3,4,4
EOF
	# a map rewrites the column wherever jkpi reads it: groups and --per too
	jt -g churned -k count --map 'churned:bool' yn.csv
	same <<'EOF'
churned,count
1,4
0,2
"   ",1
,1
EOF
	# text to text, a comma in a value with \,
	printf 'k,v\na,"x,y"\nb,3\n' >esc.csv
	jt -g v -k count --map 'v:x\,y=two words' esc.csv
	same <<'EOF'
v,count
two words,1
3,1
EOF
	# a column name with colons: the column is what comes before the last ':' ahead of the first '='
	printf 'concept:name,n\nA_SUBMITTED,1\nO_SENT,2\n' >colon.csv
	jt -g concept:name -k sum:n --map 'concept:name:a_submitted=submitted' colon.csv
	same <<'EOF'
concept:name,sum_n,sum_n_n,sum_n_missing
submitted,1,1,0
O_SENT,2,1,0
EOF
	jt -g '#1' -k count --map '#1:bool' colon.csv
	assert_equal "$(sed -n 2p "$T/out")" "A_SUBMITTED,1"
}

@test "jkpi: a blank or whitespace-only cell is missing for the KPIs that read it, not a rejected row" {
	mkyn
	# spend: 10 20 [2 blanks] 30 [tab] 40 50 [empty]: 5 values, 3 missing; sum 150, mean 30
	# distinct:spend counts 5 values and 3 missing too
	jt -k count,sum:spend,mean:spend,distinct:spend,median:spend yn.csv --stats st.csv
	same <<'EOF'
count,sum_spend,sum_spend_n,sum_spend_missing,mean_spend,mean_spend_n,mean_spend_missing,distinct_spend,distinct_spend_missing,median_spend,median_spend_n,median_spend_missing
8,150,5,3,30.0000,5,3,5,3,30.0000,5,3
EOF
	stats_are rows_in=8 rows_out=8 rows_rejected=0
	# nps and csat alike; the blank row still counts for the other KPIs. NPS interval:
	# n + 3 = 5, p = d = 1.75 / 5 = 0.35, var = 0.7, 1.96 sqrt(0.7 / 5) = 0.7334 -> +-73.34;
	# Wilson 1 of 2: centre 0.5, 1.96 sqrt(0.125 + 0.2401) / 2.9208 = 0.4055 -> 9.45, 90.55
	printf 'g,nps,csat\na,10,5\na, ,\t\na,0,1\n' >sc.csv
	jt -g g -k count,nps:nps,csat:csat sc.csv
	same <<'EOF'
g,count,nps_nps,nps_nps_lo,nps_nps_hi,nps_nps_promoters,nps_nps_passives,nps_nps_detractors,nps_nps_n,nps_nps_missing,csat_csat,csat_csat_lo,csat_csat_hi,csat_csat_satisfied,csat_csat_n,csat_csat_missing
a,3,0.00,-73.34,73.34,1,0,1,2,1,50.00,9.45,90.55,1,2,1
EOF
	# text around a number is still not a number
	printf 'x\n 5\n7\n' >pad.csv
	jtrc 0 -k sum:x pad.csv
	err_is "jkpi: pad.csv:2: column 'x': ' 5' is not a number
jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
}

@test "jkpi --map: bad maps are usage errors (exit 2); an unknown column lists the columns (exit 1)" {
	mkyn
	jtrc 2 -k count --map churned yn.csv
	err_is "jkpi: --map: 'churned' is not COLUMN:VALUE=NEW,... or COLUMN:bool
Try 'jkpi --help' for more information."
	jtrc 2 -k count --map 'churned:' yn.csv
	err_is "jkpi: --map: 'churned:' is not COLUMN:VALUE=NEW,... or COLUMN:bool
Try 'jkpi --help' for more information."
	jtrc 2 -k count --map ':a=b' yn.csv
	err_is "jkpi: --map: ':a=b' is not COLUMN:VALUE=NEW,... or COLUMN:bool
Try 'jkpi --help' for more information."
	jtrc 2 -k count --map 'churned:yes=1,maybe' yn.csv
	err_is "jkpi: --map: 'maybe' in 'churned:yes=1,maybe' is not VALUE=NEW or bool
Try 'jkpi --help' for more information."
	jtrc 2 -k count --map 'churned:=1' yn.csv
	err_is "jkpi: --map: '=1' in 'churned:=1' is not VALUE=NEW or bool
Try 'jkpi --help' for more information."
	jtrc 2 -k count --map 'churned:bool,,no=0' yn.csv
	err_is "jkpi: --map: '' in 'churned:bool,,no=0' is not VALUE=NEW or bool
Try 'jkpi --help' for more information."
	jtrc 1 -k count --map 'chruned:bool' yn.csv
	err_is "jkpi: yn.csv:1: no column named 'chruned' (columns: id, plan, churned, spend); did you mean 'churned'?"
	jtrc 1 -k count --map 'churned:bool' --map '#3:no=0' yn.csv
	err_is "jkpi: yn.csv:1: --map: 'churned' and '#3' are the same column"
	jtrc 2 --merge --map 'churned:bool' yn.csv
	err_is "jkpi: --merge takes its KPIs, groups, maps and zone from the partials (only -s, --expect, --row-order, --format and its page options, -o and the input options go with it)
Try 'jkpi --help' for more information."
}

@test "jkpi --map and blank cells with --partial/--merge: shards merge to the one-run result, byte for byte" {
	mkyn
	jt -s -g plan -k rate:churned,distinct:spend,sum:spend --map churned:bool yn.csv
	cp out single
	{ head -1 yn.csv; sed -n '2,4p' yn.csv; } >a.csv
	{ head -1 yn.csv; sed -n '5,9p' yn.csv; } >b.csv
	jt --partial -g plan -k rate:churned,distinct:spend,sum:spend --map churned:bool a.csv
	cp out a.partial
	run grep -c '^1,option,,map,churned:bool$' a.partial
	assert_output 1
	jt --partial -g plan -k rate:churned,distinct:spend,sum:spend --map churned:bool b.csv
	cp out b.partial
	jt --merge -s b.partial a.partial
	same single <"$T/out"
	jt --partial -g plan -k rate:churned,distinct:spend,sum:spend --map churned:bool yn.csv
	cp out all.partial
	jt --merge -s all.partial
	same single <"$T/out"
	# a partial made with another map (or none) does not merge
	jt --partial -g plan -k rate:churned,distinct:spend,sum:spend --map 'churned:bool,y=0' b.csv
	cp out c.partial
	jtrc 1 --merge a.partial c.partial
	err_is "jkpi: c.partial:1: partials were made with different options (-k, --per, --pivot, --csat, --map, --tz): map=churned:bool in a.partial, map=churned:bool,y=0 here"
}

# ---------------------------------------------------------------- real data
# WA_Fn-UseC_-Telco-Customer-Churn.csv: Churn Yes 1,869 / No 5,174; TotalCharges is " " for
# 11 customers (PROVENANCE.md). Counted independently with awk (no quoting in the file).
@test "jkpi: real Telco churn: rate:Churn with --map Churn:bool, TotalCharges ' ' missing, by contract" {
	need_shared
	local f="$SHARED/telco-customer-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv"
	jt -g Contract -s -k rate:Churn,sum:TotalCharges --map Churn:bool "$f" --stats st.csv
	stats_are rows_in=7043 rows_rejected=0
	awk -F, 'NR > 1 { n[$16]++; if ($21 == "Yes") y[$16]++; if ($20 == " ") m[$16]++ }
		END { for (c in n) print c, n[c], y[c] + 0, m[c] + 0 }' "$f" | sort >want
	awk -F, 'NR > 1 { print $1, $6, $5, $10 }' out >got
	same want <got
	jt -k rate:Churn --map Churn:bool "$f"
	assert_equal "$(cut -d, -f4,5,6 out | sed -n 2p)" "1869,7043,0"
}

# online_shoppers_intention.csv: Revenue TRUE 1,908 / FALSE 10,422 and 29 'NULL' (PROVENANCE.md)
@test "jkpi: real online shoppers: rate:Revenue with --map 'Revenue:bool,null=' (NULL missing)" {
	need_shared
	local f="$SHARED/online-shoppers-intention/online_shoppers_intention.csv"
	jt -k rate:Revenue --map 'Revenue:bool,null=' "$f"
	same <<'EOF'
rate_Revenue,rate_Revenue_lo,rate_Revenue_hi,rate_Revenue_hits,rate_Revenue_n,rate_Revenue_missing
15.47,14.85,16.12,1908,12330,29
EOF
	# bool alone leaves NULL as it is: those rows are rejected, by reason
	jtrc 0 -q -k rate:Revenue --map Revenue:bool "$f" --stats st.csv
	stats_are rows_rejected=29
}
