# Shared by the scale-out suites (scaleout.bats, slurm.bats): the sample
# exports, the report the recipes of share/jtools/scaleout/ make, one
# machine's copy of it, and a jtouch that breaks one shard.

KPIS=touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred
GROUP_BY=activity,stage
SCALEOUT=$REPO/share/jtools/scaleout
S=$REPO/share/jtools/sample
EXPORTS=(-p survey "$S/surveys.csv" -p tickets "$S/tickets.csv" -p orders "$S/orders.csv"
	-p referrals "$S/referrals.csv" -p events "$S/events.csv")
export KPIS GROUP_BY SCALEOUT S

# one_machine [--shard K/N]: the report (or shard K/N's partial with --shard)
# as one machine makes it: the quantiles of a merge come from the sketch, so
# the whole input goes through --partial | --merge -s
one_machine() {
	(
		set -o pipefail
		if [ "${1:-}" = --shard ]; then
			jtouch -q --shard "$2" "${EXPORTS[@]}" | jstage -q --outcome default | jvalue -q |
				jkpi -q --partial --shard-id "$2" -g "$GROUP_BY" --per customer -k "$KPIS"
		else
			jtouch -q "${EXPORTS[@]}" | jstage -q --outcome default | jvalue -q |
				jkpi -q --partial -g "$GROUP_BY" --per customer -k "$KPIS" | jkpi --merge -s
		fi
	) 2>/dev/null
}

# break_shard K/N: puts first on PATH a jtouch that, for --shard K/N only,
# writes the real stream and then a row with an unterminated quote (what a
# corrupted copy of an export on one node gives): jstage stops on it (exit 1,
# nothing written), jvalue and jkpi then read an empty stream and exit 0, so
# only pipefail fails the shard.
break_shard() {
	mkdir -p "$T/fault"
	cat >"$T/fault/jtouch" <<EOS
#!/bin/sh
case " \$* " in
*" --shard $1 "*) "$REPO/bin/jtouch" "\$@" || exit; printf 'x,"unterminated\\n'; exit 0 ;;
esac
exec "$REPO/bin/jtouch" "\$@"
EOS
	chmod +x "$T/fault/jtouch"
	unset -f jtouch	# JT_VALGRIND's function would hide the file
	PATH=$T/fault:$PATH
	export PATH
}
