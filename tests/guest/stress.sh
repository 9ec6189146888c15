#!/bin/sh
# make stress: Debian's stress-ng memory stressors under tlbsan run, each
# for tlbsan.duration= seconds (kernel command line), under hw and sw
# (must be silent) and none (must be caught).  KTAP, one test per model.
. /tests/lib.sh

DURATION=$(sed -n 's/.*tlbsan\.duration=\([0-9]*\).*/\1/p' /proc/cmdline)
DURATION=${DURATION:-10}
STRESSORS="--vm 2 --vm-bytes 32M|--vm-rw 1|--mmap 1|--mmapfork 1|--mremap 1|--madvise 1|--fork 2|--userfaultfd 1|--pageswap 1|--mprotect 1|--remap 1|--pagemove 1|--bigheap 1|--memthrash 1|--ksm 1 --vm 1"

stress_model() {
	IFS='|'
	set -- $STRESSORS
	unset IFS
	caught=0
	for st in "$@"; do
		if ! stress-ng $st --timeout 1s --quiet --temp-path /tmp >/dev/null 2>&1; then
			echo "stress-ng $st fails without tlbsan here: not audited"
			continue
		fi
		rc=0
		tlbsan run --model "$MODEL" --fail-on 1,2,3,4 --json -- stress-ng $st \
			--timeout "${DURATION}s" --quiet --temp-path /tmp >/tmp/run.out 2>&1 || rc=$?
		# Judge by the summary: stress-ng's own exit status may also be 1 or 2.
		v=$(sed -n 's/^{"type":"summary".*"violations":\([0-9]*\).*/\1/p' /tmp/run.out)
		echo "stress-ng $st under $MODEL: exit $rc, ${v:-no summary} violations" \
			"$(grep -o '"class_name":"[a-z-]*"' /tmp/run.out | sort | uniq -c | tr '\n' ' ')"
		[ -n "$v" ] || fail "stress-ng $st under $MODEL: no summary"
		if [ "$MODEL" = none ]; then
			[ "$v" -gt 0 ] && caught=$((caught + 1))
		else
			[ "$v" -eq 0 ] || fail "stress-ng $st under $MODEL"
		fi
	done
	[ "$MODEL" != none ] || [ $caught -gt 0 ] || fail "no stressor caught the none model"
}

t_stress_hw() {
	insmod /tlbsan.ko
	MODEL=hw stress_model
}

t_stress_sw() {
	MODEL=sw stress_model
}

t_stress_none() {
	MODEL=none stress_model
}

ktap_run t_stress_hw t_stress_sw t_stress_none
