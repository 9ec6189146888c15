#!/bin/sh
# The 2017 thread's litmus, RUNS times (tlbsan.runs=, default 20) under
# the SVA-style model hw, counting the runs whose device saw B's write
# without A's (the ordering inversion) and the runs the checker reported
# case B (class 2) at wp_page_copy.  On a kernel whose COW omits its
# under-lock secondary call both happen; on a correct kernel neither.
# One KTAP test; the counts are "# litmus-result" lines for the host.
. /tests/common.sh

t_litmus_rounds() {
	insmod /tlbsan.ko
	runs=$(sed -n 's/.*tlbsan\.runs=\([0-9]*\).*/\1/p' /proc/cmdline)
	runs=${runs:-20}
	inv_runs=0 inv_rounds=0 caseb_runs=0 bad=0 i=1
	while [ $i -le "$runs" ]; do
		rc=0
		tlbsan run --pattern buffers --model hw --json -- \
			tlbsan-scenario --seed "$i" litmus >/tmp/run.out 2>&1 || rc=$?
		n=$(grep -c "ordering inversion" /tmp/run.out || true)
		[ "$n" -gt 0 ] && inv_runs=$((inv_runs + 1))
		inv_rounds=$((inv_rounds + n))
		if grep '"class":2,' /tmp/run.out | grep -q '"site":"wp_page_copy'; then
			caseb_runs=$((caseb_runs + 1))
		fi
		# 0 silent, 1 violation, 3 inversion only: anything else is a failure.
		case $rc in 0 | 1 | 3) ;; *) bad=1; tail -n 20 /tmp/run.out ;; esac
		[ $i -eq 1 ] && grep -v '^{' /tmp/run.out | head -n 8
		i=$((i + 1))
	done
	echo "litmus-result runs=$runs inversion_runs=$inv_runs inversion_rounds=$inv_rounds of $((2 * runs)) caseb_runs=$caseb_runs"
	rmmod tlbsan
	[ $bad -eq 0 ] || fail "a litmus run failed on its own"
}

ktap_run t_litmus_rounds
