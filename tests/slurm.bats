#!/usr/bin/env bats
# shellcheck disable=SC2154
# Scale-out on a real Slurm cluster (issue 18): each test starts a one-node
# cluster of Debian's slurm-wlm on localhost (munged, slurmctld and slurmd,
# as root, with the configuration, state, logs, sockets and pid files in the
# test's folder and two free ports) and stops it in teardown, whatever
# happened. share/jtools/scaleout/slurm.sh submits the shards as a job array
# and the merge as a job that depends on it (afterok). Skipped, with the
# reason, where Slurm cannot start: not root, or the packages missing (make
# deps installs slurmctld, slurmd, slurm-client and munge).
bats_require_minimum_version 1.5.0
load test_helper
load scaleout_helper

# up to WAIT seconds for the cluster to come up and for a job to end
WAIT=90

setup() {
	T=$BATS_TEST_TMPDIR
	export T
	[ "$(id -u)" = 0 ] || skip "not root: slurmd runs jobs only as root"
	PATH=$PATH:/usr/sbin:/sbin
	local p
	for p in munged slurmctld slurmd sbatch scontrol squeue scancel; do
		command -v "$p" >/dev/null ||
			skip "$p is not installed (make deps installs slurmctld, slurmd, slurm-client and munge)"
	done
	# munged's socket path must fit in a sockaddr_un
	C=$T/c
	[ "${#C}" -lt 80 ] || skip "the test folder's path is too long for munged's socket: $C"
	mkdir -p "$C/munge" "$C/state" "$C/spool" "$C/work"
	cd "$C/work" || return 1
	start_cluster
}

teardown() {
	[ -n "${C:-}" ] && stop_cluster
	return 0
}

# free_port: a port on 127.0.0.1 nobody listens on, and the one after it
free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	return 1
}

start_cluster() {
	local port i
	port=$(free_port)
	chmod 711 "$C/munge"
	head -c 1024 /dev/urandom >"$C/munge/key"
	chmod 600 "$C/munge/key"
	munged --force --socket="$C/munge/sock" --key-file="$C/munge/key" --pid-file="$C/munge/pid" \
		--log-file="$C/munge/log" --seed-file="$C/munge/seed"
	cat >"$C/slurm.conf" <<EOF
ClusterName=jtools
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/munge/sock
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
ReturnToService=2
MailProg=/bin/true
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=jtools Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	export SLURM_CONF=$C/slurm.conf
	slurmctld -f "$SLURM_CONF"
	slurmd -f "$SLURM_CONF" -N localhost
	for ((i = 0; i < WAIT * 2; i++)); do
		[ "$(sinfo -h -N -o %T 2>/dev/null)" = idle ] && return 0
		sleep 0.5
	done
	echo "the cluster did not come up in ${WAIT}s; slurmctld.log and slurmd.log:" >&2
	tail -n 20 "$C/slurmctld.log" "$C/slurmd.log" >&2
	return 1
}

# stop_cluster: cancel the jobs and wait for them, then stop slurmd,
# slurmctld and munged (each by its pid file) and wait for them to exit
stop_cluster() {
	local i f p pids=() alive=()
	if [ -s "$C/slurmctld.pid" ]; then
		# shellcheck disable=SC2046
		scancel --quiet $(squeue -h -o %A 2>/dev/null) 2>/dev/null
		for ((i = 0; i < 40; i++)); do
			[ -z "$(squeue -h -t PD,CF,R,CG,S -o %A 2>/dev/null)" ] && break
			sleep 0.25
		done
	fi
	for f in "$C/slurmd.pid" "$C/slurmctld.pid" "$C/munge/pid"; do
		[ -s "$f" ] && pids+=("$(cat "$f")")
	done
	[ ${#pids[@]} -gt 0 ] || return 0
	kill "${pids[@]}" 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		alive=()
		for p in "${pids[@]}"; do
			kill -0 "$p" 2>/dev/null && alive+=("$p")
		done
		[ ${#alive[@]} -gt 0 ] || return 0
		sleep 0.25
	done
	kill -KILL "${alive[@]}" 2>/dev/null
	return 0
}

# job_states ID: 'TASK STATE EXITCODE' of each task of job ID (TASK N/A for a plain job)
job_states() {
	scontrol -o show job "$1" | sed -E 's/.*ArrayTaskId=([^ ]+) .*JobState=([^ ]+) .*ExitCode=([^ ]+) .*/\1 \2 \3/; t; s/.*JobState=([^ ]+) .*ExitCode=([^ ]+) .*/N\/A \1 \2/' | sort -n
}

# wait_job ID: until job ID has ended (COMPLETED, FAILED, CANCELLED, ...)
wait_job() {
	local i s
	for ((i = 0; i < WAIT * 2; i++)); do
		s=$(scontrol -o show job "$1" | sed -E 's/.*JobState=([^ ]+) .*/\1/')
		case $s in PENDING | RUNNING | CONFIGURING | COMPLETING | SUSPENDED | REQUEUED) ;; *) return 0 ;; esac
		sleep 0.5
	done
	echo "job $1 still $s after ${WAIT}s" >&2
	return 1
}

@test "slurm: slurm.sh -n 4 (job array and afterok merge job) writes the one-machine report, byte for byte" {
	one_machine >one.csv
	[ "$(wc -l <one.csv)" -gt 10 ]
	run -0 --separate-stderr "$SCALEOUT/slurm.sh" -n 4 -o report.csv -- "${EXPORTS[@]}"
	[[ $output =~ ^([0-9]+)\ ([0-9]+)$ ]]
	local array=${BASH_REMATCH[1]} merge=${BASH_REMATCH[2]}
	wait_job "$merge"
	run job_states "$array"
	assert_output $'1 COMPLETED 0:0\n2 COMPLETED 0:0\n3 COMPLETED 0:0\n4 COMPLETED 0:0'
	run job_states "$merge"
	assert_output 'N/A COMPLETED 0:0'
	scontrol -o show job "$merge" | grep -q " Dependency=(null) "
	diff -u one.csv report.csv
	# the run's folder keeps the logs; the partials are gone once merged
	run ls jtools-slurm.*
	assert_output $'merge.log\nshard-1.log\nshard-2.log\nshard-3.log\nshard-4.log'
}

@test "slurm: a shard that fails fails its task; the merge job never runs and yesterday's report stays" {
	echo "yesterday's report" >report.csv
	break_shard 3/4
	run -0 --separate-stderr "$SCALEOUT/slurm.sh" -n 4 -o report.csv -- "${EXPORTS[@]}"
	[[ $output =~ ^([0-9]+)\ ([0-9]+)$ ]]
	local array=${BASH_REMATCH[1]} merge=${BASH_REMATCH[2]}
	wait_job "$merge"
	run job_states "$array"
	assert_output $'1 COMPLETED 0:0\n2 COMPLETED 0:0\n3 FAILED 1:0\n4 COMPLETED 0:0'
	grep -q 'jstage: <stdin>:[0-9]*: unterminated quoted field' jtools-slurm.*/shard-3.log
	# cancelled on the failed dependency, without ever starting: no node, no log
	run job_states "$merge"
	assert_output 'N/A CANCELLED 0:0'
	scontrol -o show job "$merge" | grep -q " Reason=DependencyNeverSatisfied .* NodeList= "
	run ls jtools-slurm.*
	assert_output $'part-1-of-4.csv\npart-2-of-4.csv\npart-3-of-4.csv\npart-4-of-4.csv\nshard-1.log\nshard-2.log\nshard-3.log\nshard-4.log'
	# shard 3's jkpi read an empty stream: its partial is empty, and no merge read it
	local folder=(jtools-slurm.*)
	[ ! -s "${folder[0]}/part-3-of-4.csv" ]
	assert_equal "$(cat report.csv)" "yesterday's report"
}
