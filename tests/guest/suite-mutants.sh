#!/bin/sh
# The suite of a mutant kernel (tests/mutants.sh, tlbsan.suite=mutants):
# every scenario of 'tlbsan-scenario --list' and a few stress-ng stressors,
# each under hw and sw.  A violation is data here, not a failure: for each
# (workload, model) the suite prints, on the KTAP channel,
#
#   # mutant-result WORKLOAD MODEL CLASS SITE MS
#
# one line per violation class and call-site symbol seen (classes 1-5, the
# JSON reports' "violation":true objects), MS being the time from the
# workload's start to that (class, site)'s first report (the report's
# at_ns), or "# mutant-result WORKLOAD MODEL none - -" when there was none,
# and with each a "# mutant-stack" line (the first report's stack).
# The host (tests/mutants.sh) judges them.  A workload run fails (KTAP
# not ok) only when it did not finish: no summary from 'tlbsan run', its
# --timeout, a setup error or a crash of the workload.
. /tests/common.sh

# Hang bound of each workload run (tlbsan run --timeout), not a measurement.
RUN_TIMEOUT=600
STRESS_SECS=3
# name:stress-ng spec (the prefixes of stress_run in common.sh apply).
STRESSORS="vm64:--vm 1 --vm-bytes 64M|mmap64:--mmap 1 --mmap-bytes 64M|mremap:--mremap 1|fork:--fork 1|ksmvm:ksm:--vm 1 --vm-bytes 8M --vm-madvise mergeable"

# CLOCK_MONOTONIC in ns, the clock of the reports' at_ns (ktime_get_ns).
now_ns() {
	n=$(sed -n 's/^now at \([0-9]*\) nsecs$/\1/p;3q' /proc/timer_list 2>/dev/null)
	if [ -z "$n" ]; then
		# No timer_list: boot time, equal to it in a guest that never suspends.
		n=$(awk '{ printf "%.0f", $1 * 1000000000 }' /proc/uptime)
	fi
	echo "$n"
}

# results WORKLOAD MODEL T0 - the mutant-result lines of /tmp/run.out, and
# for each of them a "# mutant-stack WORKLOAD MODEL CLASS SITE FRAMES" line:
# the stack (free or access) of that (class, site)'s first report, as
# comma-separated symbols.
results() {
	grep '^{"type":"report",' /tmp/run.out | grep '"violation":true' |
		sed -nE 's/^\{"type":"report","class":([0-9]+),.*"at_ns":([0-9]+),"site":(null|"[^"]*").*"stack":\[(.*)\],"dropped".*/\1 \2 \3 \4/p' |
		sed -E 's/ \[[a-z_]+\]//g; s/\+0x[0-9a-f]+\/0x[0-9a-f]+//g; s/"//g' |
		awk -v w="$1" -v m="$2" -v t0="$3" '
		{
			site = ($3 == "" || $3 == "null") ? "-" : $3
			k = $1 " " site
			if (!(k in first) || $2 < first[k]) {
				first[k] = $2
				stack[k] = $4 == "" ? "-" : $4
			}
		}
		END {
			n = 0
			for (k in first) {
				ms = (first[k] - t0) / 1000000
				printf "# mutant-result %s %s %s %d\n", w, m, k, ms < 0 ? 0 : ms
				printf "# mutant-stack %s %s %s %s\n", w, m, k, stack[k]
				n++
			}
			if (!n)
				printf "# mutant-result %s %s none - -\n", w, m
		}' | sort
}

# evidence - the run's summary and its first violation reports (with the
# free's or access's stack), as diagnostics.
evidence() {
	grep '^{"type":"summary"' /tmp/run.out | cut -c1-1500
	grep '^{"type":"report",' /tmp/run.out | grep '"violation":true' | head -n 6 | cut -c1-2000
}

# finished RC - did the run end on its own, with a summary?
finished() {
	grep -q '^{"type":"summary"' /tmp/run.out || { echo "no summary from tlbsan run"; return 1; }
	grep -q 'tlbsan: run: timed out' /tmp/run.out && { echo "timed out"; return 1; }
	[ "$1" -lt 128 ] || { echo "killed by signal $(($1 - 128))"; return 1; }
	return 0
}

# scenario_case NAME MODEL OPTS...
scenario_case() {
	s=$1 m=$2
	shift 2
	t0=$(now_ns)
	rc=0
	tlbsan run --pattern buffers --model "$m" --timeout "$RUN_TIMEOUT" "$@" --json -- \
		tlbsan-scenario --seed 1 "$s" >/tmp/run.out 2>&1 </dev/null || rc=$?
	echo "scenario $s under $m: exit $rc"
	results "$s" "$m" "$t0" >/tmp/res
	cat /tmp/res >&3
	evidence
	if ! finished $rc; then
		grep -v '^{"type":"report"' /tmp/run.out | tail -n 20
		return 1
	fi
}

stress_case() {
	w=$1 m=$2 spec=$3
	t0=$(now_ns)
	stress_run "$m" "$STRESS_SECS" "$spec"
	results "stress-$w" "$m" "$t0" >/tmp/res
	cat /tmp/res >&3
	evidence
	finished "$sr_rc" || return 1
}

t_insmod() {
	insmod /tlbsan.ko
	echo "kernel $(uname -r) $(uname -v)"
}

# tlbsan.workloads=A,B,... on the kernel command line: only these
# workloads (scenario names, stress-NAME), e.g. those a mutant's header
# names; default all.
WORKLOADS=$(sed -n 's/.*tlbsan\.workloads=\([^ ]*\).*/\1/p' /proc/cmdline)
wanted() {
	[ -z "$WORKLOADS" ] && return 0
	case ",$WORKLOADS," in *",$1,"*) return 0 ;; esac
	return 1
}

# One KTAP test per (workload, model), made from the scenario list.
tlbsan-scenario --list >/tmp/scen.list 2>/dev/null || true
tests=t_insmod
while read -r s m verdict may must opts; do
	[ "$m" = hw ] || continue
	wanted "$s" || continue
	for model in hw sw; do
		eval "t_${s}_$model() { scenario_case $s $model $opts; }"
		tests="$tests t_${s}_$model"
	done
done </tmp/scen.list
echo "$STRESSORS" | tr '|' '\n' >/tmp/stressors
while IFS= read -r ws; do
	w=${ws%%:*}
	wanted "stress-$w" || continue
	for model in hw sw; do
		eval "t_stress_${w}_$model() { stress_case $w $model '${ws#*:}'; }"
		tests="$tests t_stress_${w}_$model"
	done
done </tmp/stressors

# fd 3: the KTAP channel itself, past ktap_run's capture of each test.
exec 3>&1
# shellcheck disable=SC2086
ktap_run $tests t_dmesg_clean
