#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2154,SC2164
# Reading exports as they come (issue 16): compressed inputs, --encoding,
# --delimiter auto and --decimal-comma, in every program, through the shared
# reader. jtools(7), "Encodings and compression"; jtouch-profile(5) for the
# profile lines. The inputs are made here with gzip, bzip2, xz, zstd, iconv
# and perl from plain files (some of them real exports in ../shared/data/real).
bats_require_minimum_version 1.5.0
load test_helper
load adv_helper

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
}

# zip KIND FILE: FILE compressed by KIND's command to stdout.
zip() {
	case $1 in
	gzip) gzip -c -n "$2" ;;
	bzip2) bzip2 -c "$2" ;;
	xz) xz -c "$2" ;;
	zstd) zstd -q -c "$2" ;;
	esac
}

need_zippers() {
	local z
	for z in gzip bzip2 xz zstd; do
		command -v "$z" >/dev/null || skip "$z not installed (make deps)"
	done
}

# ---------------------------------------------------------------- compressed inputs

@test "decode: gzip, bzip2, xz and zstd files read like the plain file, in every program" {
	need_zippers
	cp "$FIX/touches.csv" t.csv
	local p z
	for p in $ADV_PROGS; do
		arun 0 "$p" t.csv
		cp "$T/out" plain.out
		cp "$T/st.csv" plain.st
		for z in gzip bzip2 xz zstd; do
			zip "$z" t.csv >"t.csv.$z"
			arun 0 "$p" "t.csv.$z"
			errs_are "$p"
			same <plain.out
			same "$T/st.csv" <plain.st
		done
	done
}

@test "decode: compressed standard input (a pipe and a redirect) is told by its magic bytes" {
	need_zippers
	cp "$FIX/touches.csv" t.csv
	PROG=jkpi jt -g channel -k count t.csv
	cp "$T/out" plain.out
	local z
	for z in gzip bzip2 xz zstd; do
		zip "$z" t.csv >t.z
		run --separate-stderr bash -c 'cat t.z | jkpi -g channel -k count'
		assert_success
		assert_equal "$stderr" ""
		assert_equal "$output" "$(cat plain.out)"
		PROG=jkpi jt -g channel -k count - <t.z
		same <plain.out
	done
	# jtouch too, whose settings apply per file
	zip gzip t.csv | PROG=jtouch jtrc 0 -p survey --customer customer --touch 'survey_response time' -
	err_is "jtouch: warning: survey: <stdin> has no columns 'response_id|ResponseId|Respondent ID|#', 'comment' (optional: they read as empty)"
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-3)" "c1,2024-01-01T10:00:00Z,survey_response"
}

@test "decode: a real event log, gzip-compressed, gives the same KPIs as the plain file" {
	need_shared
	need_zippers
	local f="$SHARED/road-traffic-fines-event-log/roadtraffic100traces.csv"
	PROG=jkpi jt -g concept:name -k count,distinct:case:concept:name "$f"
	cp "$T/out" plain.out
	gzip -c -n "$f" >fines.csv.gz
	PROG=jkpi jt -g concept:name -k count,distinct:case:concept:name fines.csv.gz
	same <plain.out
	assert_equal "$(sed -n 2p "$T/out")" "Create Fine,100,100,0"
}

@test "decode: concatenated gzip members (cat a.gz b.gz) are one stream" {
	need_zippers
	printf 'g,v\na,1\n' | gzip -c -n >a.gz
	printf 'b,2\n' | gzip -c -n >b.gz
	cat a.gz b.gz >ab.gz
	PROG=jkpi jt -g g -k sum:v ab.gz
	same <<'EOF'
g,sum_v,sum_v_n,sum_v_missing
a,1,1,0
b,2,1,0
EOF
	# bzip2 and zstd streams join the same way
	printf 'g,v\na,1\n' | bzip2 -c >a.bz2
	printf 'b,2\n' | bzip2 -c >b.bz2
	cat a.bz2 b.bz2 >ab.bz2
	PROG=jkpi jt -g g -k sum:v ab.bz2
	assert_equal "$(sed -n 3p "$T/out")" "b,2,1,0"
	printf 'g,v\na,1\n' | zstd -q -c >a.zst
	printf 'b,2\n' | zstd -q -c >b.zst
	cat a.zst b.zst >ab.zst
	PROG=jkpi jt -g g -k sum:v ab.zst
	assert_equal "$(sed -n 3p "$T/out")" "b,2,1,0"
}

@test "decode: a truncated compressed file stops the run (exit 1), in every format and on stdin" {
	need_zippers
	awk 'BEGIN { print "g,v"; for (i = 0; i < 20000; i++) print "k" i % 7 "," i }' >big.csv
	local z
	for z in gzip bzip2 xz zstd; do
		zip "$z" big.csv >big.z
		head -c $(($(wc -c <big.z) / 2)) big.z >"cut.$z"
		PROG=jkpi jtrc 1 -g g -k sum:v "cut.$z"
		err_is "jkpi: cut.$z: $z data ends early (a truncated file?)"
		same </dev/null
	done
	PROG=jkpi jtrc 1 -k count - <cut.gzip
	err_is "jkpi: <stdin>: gzip data ends early (a truncated file?)"
	# with -o, no output file is left behind
	PROG=jtouch jtrc 1 -o out.csv --customer g --touch 'x v' --time-format epoch cut.gzip
	err_is "jtouch: cut.gzip: gzip data ends early (a truncated file?)"
	[ ! -e out.csv ]
}

@test "decode: bytes after the gzip data, or a damaged stream, stop the run with the library's word" {
	need_zippers
	{ printf 'g,v\na,1\n' | gzip -c -n; echo 'not gzip'; } >tail.gz
	PROG=jkpi jtrc 1 -k count tail.gz
	err_is "jkpi: tail.gz: bad gzip data (incorrect header check)"
	{ printf 'BZh91AY&SY'; head -c 100 /dev/zero; } >bad.bz2
	PROG=jkpi jtrc 1 -k count bad.bz2
	err_is "jkpi: bad.bz2: bad bzip2 data (data integrity error)"
}

@test "decode: a plain CSV whose first bytes look like a magic (BZh, a lone 0x1f) is read as text" {
	printf 'BZh9,v\nx,1\n' >bzh.csv
	PROG=jkpi jt -g BZh9 -k sum:v bzh.csv
	same <<'EOF'
BZh9,sum_v,sum_v_n,sum_v_missing
x,1,1,0
EOF
	printf '\037g,v\nx,1\n' >us.csv
	PROG=jkpi jt -k count us.csv
	same <<<"count
1"
}

# ---------------------------------------------------------------- --encoding

# latin.csv: windows-1252 bytes with ';' and decimal commas, the shape of a
# European spreadsheet's export: é (0xe9), ç (0xe7), ô (0xf4), € (0x80).
latin_csv() {
	printf 'Num\351ro;Pays;Montant;Note\n1;France;12,5;tr\350s bien\n2;C\364te d'"'"'Ivoire;3,25;co\373t 5 \200\n3;Fran\347a;-0,75;\n' >latin.csv
}

@test "decode: --encoding latin1 / windows-1252 -d ';' --decimal-comma reads a European export" {
	latin_csv
	PROG=jkpi jt --encoding windows-1252 -d ';' --decimal-comma -g Pays -k sum:Montant latin.csv
	same <<'EOF'
Pays,sum_Montant,sum_Montant_n,sum_Montant_missing
France,12.5,1,0
Côte d'Ivoire,3.25,1,0
França,-0.75,1,0
EOF
	# latin1 reads 0x80 as the C1 control U+0080, windows-1252 as the euro sign
	PROG=jvalue jt --encoding latin1 -d ';' --decimal-comma latin.csv
	assert_equal "$(sed -n 3p "$T/out" | cut -d, -f1-4)" "2,Côte d'Ivoire,3.25,coût 5 $(printf '\302\200')"
	PROG=jvalue jt --encoding windows-1252 -d ';' latin.csv
	assert_equal "$(head -n 1 "$T/out")" "Numéro,Pays,Montant,Note,activity,activity_kind"
	assert_equal "$(sed -n 3p "$T/out")" "2,Côte d'Ivoire,\"3,25\",coût 5 €,,"
}

@test "decode: without --encoding, a Latin-1 header's unknown column names the fix" {
	latin_csv
	PROG=jkpi jtrc 1 -d ';' -g Numéro -k count latin.csv
	err_is "jkpi: latin.csv:1: no column named 'Numéro' (columns: Num\\xe9ro, Pays, Montant, Note); did you mean 'Num\\xe9ro'? (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	PROG=jtouch jtrc 1 -d ';' --customer Numéro --touch 'x Pays' latin.csv
	err_is "jtouch: latin.csv:1: no column named 'Numéro' (columns: Num\\xe9ro, Pays, Montant, Note); did you mean 'Num\\xe9ro'? (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	# a UTF-8 header gets no such hint
	printf 'Numéro,v\n1,2\n' >utf8.csv
	PROG=jkpi jtrc 1 -g Numero -k count utf8.csv
	err_is "jkpi: utf8.csv:1: no column named 'Numero' (columns: Numéro, v); did you mean 'Numéro'?"
}

@test "decode: a header read as one column holding ';' (tab, '|', ',') names -d, not a near miss" {
	printf 'a;b\n1;2\n' >semi.csv
	PROG=jkpi jtrc 1 -g a -k count semi.csv
	err_is "jkpi: semi.csv:1: no column named 'a' (columns: a;b) (one column, whose name holds ';': give -d ';', or -d auto)"
	PROG=jtouch jtrc 1 --customer a --touch 'x b' semi.csv
	err_is "jtouch: semi.csv:1: no column named 'a' (columns: a;b) (one column, whose name holds ';': give -d ';', or -d auto)"
	printf 'id\tt\n1\t2\n' >tab.tsv
	PROG=jvalue jtrc 1 --where 'id = 1' tab.tsv
	err_is "jvalue: tab.tsv:1: no column named 'id' (columns: id\\tt) (one column, whose name holds tab: give -d tab, or -d auto)"
	printf 'id|n|v\n' >pipe.csv
	PROG=jkpi jtrc 1 -k sum:v pipe.csv
	err_is "jkpi: pipe.csv:1: no column named 'v' (columns: id|n|v) (one column, whose name holds '|': give -d '|', or -d auto)"
	printf 'a,b\n' >comma.csv
	PROG=jkpi jtrc 1 -d ';' -k sum:b comma.csv
	err_is "jkpi: comma.csv:1: no column named 'b' (columns: a,b) (one column, whose name holds ',': give -d ',', or -d auto)"
	# with the Latin-1 hint too; as many of two: no hint (-d auto could not tell either)
	printf 'n\351;v\n' >latin.csv
	PROG=jkpi jtrc 1 -k sum:v latin.csv
	err_is "jkpi: latin.csv:1: no column named 'v' (columns: n\\xe9;v) (one column, whose name holds ';': give -d ';', or -d auto) (the header is not UTF-8: give --encoding latin1, or --encoding auto)"
	printf 'a;b|c\n' >tie.csv
	PROG=jkpi jtrc 1 -k sum:a tie.csv
	err_is "jkpi: tie.csv:1: no column named 'a' (columns: a;b|c)"
	# several columns: no hint
	printf 'id;y,z\n' >two.csv
	PROG=jkpi jtrc 1 -k sum:amount two.csv
	err_is "jkpi: two.csv:1: no column named 'amount' (columns: id;y, z)"
}

@test "decode: --encoding auto falls back to windows-1252 when the bytes are not UTF-8, and says so once" {
	latin_csv
	PROG=jkpi jtrc 0 --encoding auto -d ';' --decimal-comma -g Pays -k sum:Montant latin.csv
	err_is "jkpi: warning: latin.csv:1: byte 0xe9 is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)"
	assert_equal "$(sed -n 3p "$T/out")" "Côte d'Ivoire,3.25,1,0"
	# the line named is the one of the first such byte, after many ASCII lines
	{ echo 'a,b'; for i in $(seq 1 5000); do echo "x$i,1"; done; printf 'caf\351,2\n'; } >late.csv
	PROG=jkpi jtrc 0 --encoding auto -g a -k sum:b late.csv
	err_is "jkpi: warning: late.csv:5002: byte 0xe9 is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)"
	assert_equal "$(tail -n 1 "$T/out")" "café,2,1,0"
	# -q silences it
	PROG=jkpi jtrc 0 -q --encoding auto -g a -k count late.csv
	err_is ""
}

@test "decode: --encoding auto leaves UTF-8 as it is (with or without a BOM) and says nothing" {
	printf 'name,v\ncaf\303\251 \342\202\254,1\n' >u.csv
	PROG=jvalue jt --encoding auto u.csv
	same <<'EOF'
name,v,activity,activity_kind
café €,1,,
EOF
	printf '\357\273\277name,v\ncaf\303\251,1\n' >bom.csv
	PROG=jkpi jt --encoding auto -g name -k count bom.csv
	same <<'EOF'
name,count
café,1
EOF
	# a character cut by the end of the block that decides is read whole
	{ echo name; head -c 65530 /dev/zero | tr '\0' x; printf '\303\251\n'; } >cut.csv
	PROG=jkpi jt --encoding auto -g name -k count cut.csv
	assert_equal "$(sed -n 2p "$T/out" | tail -c 7)" "xxé,1"
	# at the end of the input it is not UTF-8
	printf 'name\ncaf\303' >end.csv
	PROG=jkpi jtrc 0 --encoding auto -g name -k count end.csv
	err_is "jkpi: warning: end.csv:2: byte 0xc3 is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)"
	assert_equal "$(sed -n 2p "$T/out")" "cafÃ,1"
}

@test "decode: --encoding auto reads UTF-16 LE and BE with a BOM, in every program" {
	local p
	printf 'customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,resolution_s,reopens,amount,delay_s,referee\nc1,2024-01-05T10:00:00Z,survey_response,survey,caf\303\251,9,,,,,,,,\n' >u8.csv
	{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE u8.csv; } >le.csv
	{ printf '\376\377'; iconv -f UTF-8 -t UTF-16BE u8.csv; } >be.csv
	for p in $ADV_PROGS; do
		arun 0 "$p" u8.csv
		cp "$T/out" want.out
		arun 0 "$p" --encoding auto le.csv
		errs_are "$p"
		same <want.out
		arun 0 "$p" --encoding auto be.csv
		errs_are "$p"
		same <want.out
	done
	# an explicit UTF-16 reads the BOM too
	PROG=jkpi jt --encoding UTF-16 -g channel -k count le.csv
	same <<'EOF'
channel,count
café,1
EOF
}

@test "decode: a byte the given encoding does not have stops the run at its line (exit 1)" {
	printf 'g,v\na,1\nb,2\nc\201,3\n' >bad.csv
	PROG=jkpi jtrc 1 --encoding windows-1252 -g g -k sum:v bad.csv
	err_is "jkpi: bad.csv:4: byte 0x81 is not windows-1252 (check --encoding; auto tells UTF-8, UTF-16 and windows-1252 apart)"
	same </dev/null
	# an explicit UTF-8 checks: Latin-1 bytes are not UTF-8
	printf 'g,v\ncaf\351,1\n' >l1.csv
	PROG=jkpi jtrc 1 --encoding UTF-8 -k count l1.csv
	err_is "jkpi: l1.csv:2: byte 0xe9 is not UTF-8 (check --encoding; auto tells UTF-8, UTF-16 and windows-1252 apart)"
	PROG=jtouch jtrc 1 --encoding windows-1252 --customer g --touch 'x v' --time-format epoch bad.csv
	err_is "jtouch: bad.csv:4: byte 0x81 is not windows-1252 (check --encoding; auto tells UTF-8, UTF-16 and windows-1252 apart)"
	# UTF-16 cut in the middle of a character
	{ printf '\377\376'; printf 'g\nx\n' | iconv -f UTF-8 -t UTF-16LE; printf 'y'; } >odd.csv
	PROG=jkpi jtrc 1 --encoding auto -k count odd.csv
	err_is "jkpi: odd.csv:3: the input ends inside a UTF-16LE character (a truncated file?)"
	# auto's UTF-16 with a lone surrogate
	{ printf '\377\376'; printf 'g\n' | iconv -f UTF-8 -t UTF-16LE; printf '\000\330x\000\n\000'; } >sur.csv
	PROG=jkpi jtrc 1 --encoding auto -k count sur.csv
	err_is "jkpi: sur.csv:2: byte 0x00 is not UTF-16LE (--encoding auto took UTF-16LE from the byte order mark)"
}

@test "decode: --encoding with a name iconv does not know is a usage error (exit 2), in every program and profile" {
	local p
	for p in $ADV_PROGS; do
		[ "$p" = jtouch ] && continue
		run --separate-stderr "$p" --encoding nope "$FIX/touches.csv"
		assert_failure 2
		assert_equal "$stderr" "$p: --encoding: 'nope' is not an encoding iconv knows (iconv -l lists them; or auto)
Try '$p --help' for more information."
		assert_output ''
	done
	run --separate-stderr jkpi --encoding '' -k count "$FIX/touches.csv"
	assert_failure 2
	assert_equal "$stderr" "jkpi: --encoding: '' is not an encoding iconv knows (iconv -l lists them; or auto)
Try 'jkpi --help' for more information."
	PROG=jtouch jtrc 2 --encoding nope -p survey "$FIX/touches.csv"
	err_is "jtouch: --encoding 'nope': 'nope' is not an encoding iconv knows (iconv -l lists them; or auto)
Try 'jtouch --help' for more information."
	printf 'customer customer\ntouch x time\nencoding nope\n' >bad.profile
	PROG=jtouch jtrc 2 -p ./bad.profile "$FIX/touches.csv"
	err_is "jtouch: ./bad.profile:3:10: 'nope' is not an encoding iconv knows (iconv -l lists them; or auto)
Try 'jtouch --help' for more information."
	printf 'customer customer\ntouch x time\nencoding latin1 utf-8\n' >two.profile
	PROG=jtouch jtrc 2 -p ./two.profile "$FIX/touches.csv"
	err_is "jtouch: ./two.profile:3:17: encoding takes one name (latin1, windows-1252, UTF-16, auto, ...)
Try 'jtouch --help' for more information."
}

# ---------------------------------------------------------------- --delimiter auto

@test "decode: --delimiter auto picks ',' ';' tab or '|' from the header line" {
	local d name
	for d in , ';' tab '|'; do
		name=$d
		[ "$d" = tab ] && d=$'\t'
		printf 'g%sv%sw\na%s1%s"x%sy"\nb%s2%sz\n' "$d" "$d" "$d" "$d" "$d" "$d" "$d" >"in.csv"
		PROG=jkpi jt -d auto -g g -k sum:v in.csv
		same <<'EOF'
g,sum_v,sum_v_n,sum_v_missing
a,1,1,0
b,2,1,0
EOF
		# jtouch takes it as a setting
		PROG=jtouch jt -d auto --customer g --touch 'x v' --time-format epoch in.csv
		assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1-3)" "a,1970-01-01T00:00:01Z,x" || { echo "delimiter $name" >&2; return 1; }
	done
	# the most frequent one wins; quoted delimiters do not count
	printf 'id;"a,b,c";amount (EUR, net)\n1;x;2\n' >most.csv
	PROG=jkpi jt --delimiter auto -k sum:#3 most.csv
	assert_equal "$(sed -n 2p "$T/out")" "2,1,0"
	# a one-column file: a comma
	printf 'id\n1\n2\n' >one.csv
	PROG=jkpi jt -d auto -k count one.csv
	same <<<"count
2"
}

@test "decode: --delimiter auto on a header with as many of two delimiters stops the run (exit 1)" {
	printf 'a;b,c\n1;2,3\n' >tie.csv
	PROG=jkpi jtrc 1 -d auto -k count tie.csv
	err_is "jkpi: tie.csv:1: --delimiter auto cannot tell: the first line has 1 ',' and 1 ';' (give -d CHAR)"
	printf 'a\tb|c\n' >tie2.csv
	PROG=jvalue jtrc 1 -d auto tie2.csv
	err_is "jvalue: tie2.csv:1: --delimiter auto cannot tell: the first line has 1 tab and 1 '|' (give -d CHAR)"
	# -d after auto replaces it
	PROG=jkpi jt -d auto -d ';' -k count tie.csv
	same <<<"count
1"
}

@test "decode: -d auto with a bad value next to it; jtouch's -d names auto" {
	PROG=jtouch jtrc 2 -d autox -p survey "$FIX/touches.csv"
	err_is "jtouch: -d: 'autox' is not one character or auto
Try 'jtouch --help' for more information."
	PROG=jkpi jtrc 2 -d autox -k count "$FIX/touches.csv"
	err_is "jkpi: -d: the delimiter must be one byte other than a quote or line end, not 'autox'
Try 'jkpi --help' for more information."
}

# ---------------------------------------------------------------- --decimal-comma

@test "decode: --decimal-comma reads 1234,5 as 1234.5 in every program that reads numbers, and passes it on so" {
	printf 'customer;time;touchpoint;amount;nps\nc1;2024-01-01T00:00:00Z;order_placed;1234,5;9\nc2;2024-01-02T00:00:00Z;order_placed;-0,25;\nc3;2024-01-03T00:00:00Z;order_placed;+7,0;\n' >dc.csv
	PROG=jkpi jt -d ';' --decimal-comma -k sum:amount,mean:amount dc.csv
	same <<'EOF'
sum_amount,sum_amount_n,sum_amount_missing,mean_amount,mean_amount_n,mean_amount_missing
1241.25,3,0,413.7500,3,0
EOF
	# a pass-through program writes the number with a '.' (the output is comma CSV)
	PROG=jvalue jt -d ';' --decimal-comma dc.csv
	assert_equal "$(cut -d, -f4 "$T/out" | tr '\n' ' ')" "amount 1234.5 -0.25 +7.0 "
	PROG=jtouch jt -d ';' --decimal-comma --customer customer --touch 'order_placed time' --measure 'amount = amount' dc.csv
	assert_equal "$(cut -d, -f12 "$T/out" | tr '\n' ' ')" "amount 1234.5 -0.25 +7.0 "
	# only [+-]DIGITS,DIGITS: thousands separators and text stay as they are
	printf 'a;b\n1.234,5;x,y\n1,2,3;,5\n' >other.csv
	PROG=jvalue jt -d ';' --decimal-comma other.csv
	same <<'EOF'
a,b,activity,activity_kind
"1.234,5","x,y",,
"1,2,3",",5",,
EOF
	# the header is not touched
	printf '1,5;v\n2,5;1\n' >hdr.csv
	PROG=jvalue jt -d ';' --decimal-comma hdr.csv
	assert_equal "$(head -n 1 "$T/out")" '"1,5",v,activity,activity_kind'
	assert_equal "$(sed -n 2p "$T/out")" '2.5,1,,'
}

@test "decode: --decimal-comma with the comma delimiter reads quoted numbers and warns about the unquoted" {
	printf 'g,v\na,"1,5"\nb,2\n' >q.csv
	PROG=jkpi jtrc 0 --decimal-comma -g g -k sum:v q.csv
	err_is "jkpi: warning: q.csv: --decimal-comma with ',' as the delimiter reads only quoted numbers (\"1234,5\"); an unquoted one is two fields (give -d ';' or --delimiter auto)"
	same <<'EOF'
g,sum_v,sum_v_n,sum_v_missing
a,1.5,1,0
b,2,1,0
EOF
}

@test "decode: without --decimal-comma a decimal comma is rejected with a hint to it" {
	printf 'g;v\na;12,5\nb;2\n' >dc.csv
	PROG=jkpi jtrc 0 -d ';' -g g -k sum:v dc.csv
	err_is "jkpi: dc.csv:2: column 'v': '12,5' is not a number (a decimal comma? --decimal-comma reads it; no thousands separators)
jkpi: 1 row rejected (1 not a number) (use --rejects FILE to keep them)"
}

# ---------------------------------------------------------------- jtouch profiles

@test "decode: jtouch's --encoding, -d auto and --decimal-comma apply to the files after them, as profile lines do" {
	printf 'c,t,m\nc1,1704067200,5\n' >a.csv	# UTF-8, commas
	printf 'c;t;m\nc\351;1704153600;12,5\n' >b.csv	# windows-1252, ';', a decimal comma
	PROG=jtouch jt --customer c --touch 'x t' --time-format epoch --measure 'amount = m' a.csv \
		--encoding windows-1252 -d auto --decimal-comma b.csv
	run cut -d, -f1,2,12 "$T/out"
	assert_output "customer,time,amount
c1,2024-01-01T00:00:00Z,5
cé,2024-01-02T00:00:00Z,12.5"
	# before the file they are not applied to it
	PROG=jtouch jtrc 1 --customer c --touch 'x t' --time-format epoch b.csv --encoding auto a.csv
	err_is "jtouch: b.csv:1: no column named 'c' (columns: c;t;m) (one column, whose name holds ';': give -d ';', or -d auto)"
	PROG=jtouch jtrc 2 --customer c --touch 'x t' --time-format epoch a.csv --encoding auto
	err_is "jtouch: --encoding auto comes after the last input file, so it applies to none: put it before the file
Try 'jtouch --help' for more information."
	# the same as profile lines
	cat >eu.profile <<'EOF'
customer c
touch x t
time_format epoch
measure amount = m
encoding windows-1252
delimiter auto
decimal_comma
EOF
	PROG=jtouch jt -p ./eu.profile b.csv
	assert_equal "$(sed -n 2p "$T/out" | cut -d, -f1,2,12)" "cé,2024-01-02T00:00:00Z,12.5"
	# and a later setting turns one off
	printf 'decimal_comma no\n' >>eu.profile
	PROG=jtouch jtrc 0 -p ./eu.profile --max-rejects 100% b.csv
	assert_equal "$(head -n 1 "$T/err")" "jtouch: b.csv:2: column 'm': amount '12,5' is not a number (a decimal comma? --decimal-comma reads it; no thousands separators)"
}

@test "decode: profile values of decimal_comma and delimiter are checked (exit 2)" {
	printf 'customer c\ntouch x t\ndecimal_comma maybe\n' >a.profile
	PROG=jtouch jtrc 2 -p ./a.profile "$FIX/touches.csv"
	err_is "jtouch: ./a.profile:3:15: decimal_comma takes yes, no or nothing (yes)
Try 'jtouch --help' for more information."
	printf 'customer c\ntouch x t\ndelimiter ab\n' >b.profile
	PROG=jtouch jtrc 2 -p ./b.profile "$FIX/touches.csv"
	err_is "jtouch: ./b.profile:3:11: delimiter takes one character, 'tab' or 'auto'
Try 'jtouch --help' for more information."
}

# ---------------------------------------------------------------- a real export in the shape of a European spreadsheet

# The real Olist payments and reviews as a Brazilian spreadsheet saves them:
# windows-1252, ';' between fields (perl swaps the delimiter outside quotes),
# decimal commas in the payments, a Portuguese header; CRLF line ends.
@test "decode: real Olist payments as a windows-1252 ';' decimal-comma export: same sums as the original" {
	need_shared
	local f="$SHARED/olist-sample-4000-orders/olist_order_payments_dataset.csv"
	{
		printf 'pedido;sequ\352ncia;tipo de pagamento;parcelas;valor (R$)\r\n'
		sed 1d "$f" | perl -pe 's/,/;/g; s/(\d)\.(\d)/$1,$2/g; s/\n/\r\n/'
	} >pagamentos.csv
	assert_equal "$(grep -c ',' pagamentos.csv)" "$(($(wc -l <"$f") - 1))"	# every row has its decimal comma
	PROG=jkpi jt -s -g payment_type -k count,sum:payment_value "$f"
	sed 1d "$T/out" >want.csv
	PROG=jkpi jt -s --encoding windows-1252 -d ';' --decimal-comma -g 'tipo de pagamento' -k 'count,sum:valor (R$)' pagamentos.csv
	sed 1d "$T/out" | same want.csv
	assert_equal "$(head -n 1 "$T/out")" 'tipo de pagamento,count,sum_valor (R$),sum_valor (R$)_n,sum_valor (R$)_missing'
	# auto finds all three (the header's ê makes it windows-1252)
	PROG=jkpi jtrc 0 -s --encoding auto -d auto --decimal-comma -g 'tipo de pagamento' -k 'count,sum:valor (R$)' pagamentos.csv
	err_is "jkpi: warning: pagamentos.csv:1: byte 0xea is not UTF-8: reading the input as windows-1252 (--encoding auto; give --encoding NAME if it is another)"
	sed 1d "$T/out" | same want.csv
	# gzip on top changes nothing
	gzip -c -n pagamentos.csv >pagamentos.csv.gz
	PROG=jkpi jt -q -s --encoding auto -d auto --decimal-comma -g 'tipo de pagamento' -k 'count,sum:valor (R$)' pagamentos.csv.gz
	sed 1d "$T/out" | same want.csv
}

@test "decode: real Olist reviews (accents, quotes, line breaks) in windows-1252 with ';' read back to the same text" {
	need_shared
	local f="$SHARED/olist-sample-4000-orders/olist_order_reviews_dataset.csv"
	# ';' between fields, a field that holds one quoted; emoji have no windows-1252
	# byte: the export would have lost them (iconv //TRANSLIT writes '?')
	perl -0777 -ne '
		while (/\G("(?:[^"]|"")*"|[^,\r\n"]*)(,|\r\n|\n|\z)/gc) {
			my ($f, $e) = ($1, $2);
			$f = "\"$f\"" if $f !~ /^"/ && $f =~ /;/;
			print $f, $e eq "," ? ";" : $e;
			last if $e eq "";
		}' "$f" | iconv -f UTF-8 -t WINDOWS-1252//TRANSLIT >reviews.csv
	iconv -f WINDOWS-1252 -t UTF-8 reviews.csv >back.csv
	PROG=jvalue jt -d ';' back.csv
	cp "$T/out" want.csv
	PROG=jvalue jt --encoding windows-1252 -d ';' reviews.csv
	same <want.csv
	PROG=jkpi jt -s --encoding auto -d auto -q -g review_score -k count reviews.csv
	assert_equal "$(tr '\n' ' ' <"$T/out")" "review_score,count 1,454 2,137 3,337 4,765 5,2293 "
}
