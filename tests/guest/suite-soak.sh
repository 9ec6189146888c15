#!/bin/sh
# make soak: every scenario and a set of stress-ng memory stressors under
# tlbsan run, on each correct model (hw, sw), round after round until
# tlbsan.soak=SECONDS (kernel command line) have passed.  Silent, and a
# clean kernel log, or the soak fails.  Prints one "# soak-summary" line:
# runtime, rounds, runs, notifier calls delivered, reports by class,
# reports dropped.  KTAP.
. /tests/common.sh

SOAK=$(sed -n 's/.*tlbsan\.soak=\([0-9]*\).*/\1/p' /proc/cmdline)
SOAK=${SOAK:-60}
STRESSORS="--vm 2 --vm-bytes 32M|--mmap 1|--mmapfork 1|--mremap 1|nobody:--madvise 1|--fork 2|--userfaultfd 1|--numa 1|--mprotect 1|--pagemove 1|ksm:--vm 1 --vm-bytes 16M --vm-madvise mergeable"
STRESS_SECS=10

t_insmod() {
	# coverage=1: the per-site call counts are the soak's operation count.
	insmod /tlbsan.ko coverage=1
}

# soak_tally - add /tmp/run.out's reports to the soak's totals.
soak_tally() {
	runs=$((runs + 1))
	grep -o '"class_name":"[a-z-]*"' /tmp/run.out | cut -d'"' -f4 >>/tmp/soak.classes || true
	d=$(grep -o '"dropped":[0-9]*' /tmp/run.out | cut -d: -f2 | awk '{ s += $1 } END { print s + 0 }')
	dropped=$((dropped + d))
	# A run that ended without its summary did not run: that fails too.
	if ! grep -q '^{"type":"summary"' /tmp/run.out; then
		tail -n 5 /tmp/run.out
		bad="$bad $1(no-summary)"
	fi
	if grep -q '"violation":true' /tmp/run.out; then
		grep -v '"violation":false' /tmp/run.out | cut -c1-1500 | tail -n 20
		bad="$bad $1"
	fi
}

t_soak() {
	tlbsan-scenario --list | awk '$2 == "hw" && $3 != "skip" { print $1 }' >/tmp/soak.scen
	echo "$STRESSORS" | tr '|' '\n' >/tmp/soak.stress
	: >/tmp/soak.classes
	start=$(date +%s)
	rounds=0 runs=0 dropped=0 bad=
	while [ $(($(date +%s) - start)) -lt "$SOAK" ]; do
		rounds=$((rounds + 1))
		for s in $(cat /tmp/soak.scen); do
			for m in hw sw; do
				tlbsan run --pattern buffers --model $m --json -- \
					tlbsan-scenario --seed $rounds "$s" >/tmp/run.out 2>&1 </dev/null || true
				soak_tally "$s/$m/round$rounds"
			done
			[ $(($(date +%s) - start)) -lt "$SOAK" ] || break 2
		done
		while read -r spec; do
			for m in hw sw; do
				stress_run $m $STRESS_SECS "$spec"
				soak_tally "stress-ng $spec/$m/round$rounds"
			done
			[ $(($(date +%s) - start)) -lt "$SOAK" ] || break 2
		done </tmp/soak.stress
	done
	secs=$(($(date +%s) - start))
	calls=$(tlbsan coverage | awk '{ s += $NF } END { print s + 0 }')
	classes=$(sort /tmp/soak.classes | uniq -c | awk '{ printf "%s%s=%s", NR > 1 ? "," : "", $2, $1 }')
	echo "soak-summary $(uname -r) runtime=${secs}s rounds=$rounds runs=$runs" \
	     "notifier_calls=$calls reports=${classes:-none} dropped=$dropped"
	[ -z "$bad" ] || fail "violations under a correct model in:$bad"
}

t_rmmod() {
	rmmod tlbsan
}

ktap_run t_insmod t_soak t_rmmod t_dmesg_clean
