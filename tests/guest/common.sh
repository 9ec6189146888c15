# Shared helpers of the in-guest suites (busybox sh), sourced by each
# tests/guest/suite-*.sh as /tests/common.sh.  KTAP goes to stdout;
# diagnostics are "# " lines.

# BAD_LOG: the kernel log regex, shared with the host (tests/bad-log.sh).
# shellcheck source=tests/bad-log.sh
. /tests/bad-log.sh

KTAP_N=0
KTAP_FAILED=0

# ktap_run TEST... - print the plan, run each test function, report it.
ktap_run() {
	# tlbsan.only=SUBSTRING[,SUBSTRING...] on the kernel command line runs
	# the tests whose names contain one of them (and t_insmod).
	only=$(sed -n 's/.*tlbsan\.only=\([^ ]*\).*/\1/p' /proc/cmdline)
	if [ -n "$only" ]; then
		sel=
		for t in "$@"; do
			for o in $(echo "$only" | tr ',' ' '); do
				case $t in t_insmod | *"$o"*) sel="$sel $t"; break ;; esac
			done
		done
		set -- $sel
	fi
	echo "KTAP version 1"
	echo "1..$#"
	for t in "$@"; do
		KTAP_N=$((KTAP_N + 1))
		# Not in an if: errexit must stay active inside the test.
		( set -e; "$t" ) >/tmp/ktap.out 2>&1
		rc=$?
		sed 's/^/# /' /tmp/ktap.out
		if [ $rc -eq 0 ]; then
			echo "ok $KTAP_N ${t#t_}"
		elif [ $rc -eq 4 ]; then
			echo "ok $KTAP_N ${t#t_} # SKIP $(sed -n 's/^SKIP: //p' /tmp/ktap.out | tail -n1)"
		else
			echo "not ok $KTAP_N ${t#t_}"
			KTAP_FAILED=$((KTAP_FAILED + 1))
		fi
	done
	[ "$KTAP_FAILED" -eq 0 ]
}

fail() {
	echo "FAIL: $*"
	return 1
}

# skip REASON - end the current test as skipped.
skip() {
	echo "SKIP: $*"
	exit 4
}

# expect_rc RC CMD... - run CMD, require exit status RC; its stderr is kept
# in /tmp/err for expect_err.
expect_rc() {
	want=$1
	shift
	rc=0
	"$@" >/tmp/out 2>/tmp/err || rc=$?
	cat /tmp/out /tmp/err
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want"
}

expect_err() {
	grep -q -- "$1" /tmp/err || fail "stderr lacks '$1'"
}

# spawn_sleeper - start 'sleep' in the background; SLEEPER is its pid,
# once it runs sleep.  Until its exec the child is a copy of this shell,
# and a context attached to that copy's mm dies with the exec: wait for
# the exec itself (the comm changes after the new mm is in place).
spawn_sleeper() {
	sleep 100000 &
	SLEEPER=$!
	while [ "$(cat /proc/$SLEEPER/comm 2>/dev/null)" != sleep ]; do
		[ -d /proc/$SLEEPER ] || fail "sleep exited"
	done
}

# Workload control: start it, wait for "ready PID", later step it.
workload_start() {
	rm -f /tmp/w.in /tmp/w.out
	mkfifo /tmp/w.in /tmp/w.out
	workload </tmp/w.in >/tmp/w.out &
	exec 7>/tmp/w.in 8</tmp/w.out
	read -r tag WPID <&8
	[ "$tag" = ready ] || fail "workload did not start"
}

# Advance the workload one step and wait for its next line.
workload_step() {
	echo go >&7
	read -r tag <&8 || tag=eof
	echo "$tag"
}

# stat_of NAME FILE - value of a counter line in 'tlbsan stats' output (0 if absent).
stat_of() {
	awk -v k="$1" '$1 == k { v = $2 } END { print v + 0 }' "$2"
}

has_stat() {
	awk -v k="$1" '$1 == k { f = 1 } END { exit !f }' "$2"
}

# The last test of a suite: no kernel output that fails a run (BAD_LOG),
# whatever the tests printed.
t_dmesg_clean() {
	if dmesg | grep -E "$BAD_LOG"; then
		fail "kernel log has warnings"
	fi
}

# memctl control: mc_start; mc CMD... (reply in $MC; "err" fails the test).
mc_start() {
	rm -f /tmp/m.in /tmp/m.out
	mkfifo /tmp/m.in /tmp/m.out
	memctl </tmp/m.in >/tmp/m.out &
	exec 5>/tmp/m.in 6</tmp/m.out
	read -r tag MPID <&6
	[ "$tag" = ready ] || fail "memctl did not start"
}

mc() {
	echo "$*" >&5
	read -r MC <&6 || MC="err eof"
	case $MC in err*) fail "memctl $*: $MC" ;; esac
}

# mc_map NAME PAGES [KIND] - sets ADDR and HUGE (KiB of huge pages).
mc_map() {
	mc map "$@"
	set -- $MC
	ADDR=$2
	HUGE=${3#huge=}
}

mc_stop() {
	echo exit >&5
	wait
}

hex() {
	printf '0x%x' "$(($1))"
}

# acc ARGS... - run 'tlbsan access ARGS'; the output line is in $ACC.
acc() {
	ACC=$(tlbsan access "$@" 2>&1) || true
	echo "access $*: $ACC"
}

# field NAME - a key=value field of $ACC.
field() {
	echo "$ACC" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# tlb_count PID START LEN - TLB entries whose VA lies in [START, START+LEN).
tlb_count() {
	n=0
	tlbsan tlb "$1" >/tmp/tlb || fail "tlbsan tlb $1"
	while read -r kind va rest; do
		[ "$kind" = tlbe ] || continue
		va=$((${va#va=}))
		[ "$va" -ge $(($2)) ] && [ "$va" -lt $(($2 + $3)) ] && n=$((n + 1))
	done </tmp/tlb
	echo $n
}

# pasid_of PID - the PASID of PID's context.
pasid_of() {
	tlbsan stats "$1" | awk 'NR == 1 { print $4 }'
}

# stress_run MODEL SECONDS SPEC - one stress-ng stressor under 'tlbsan run
# --model MODEL'.  SPEC is stress-ng's options, prefixed "nobody:" to run it
# without privileges (the madvise stressor poisons pages as root) or "ksm:"
# to run it with ksmd merging.  Sets SV to the violations the summary
# counted (empty if there was none) and prints one line.
stress_run() {
	# Own names: the caller's loop variables must survive.
	sr_model=$1 sr_secs=$2 sr_spec=$3 sr_user=root sr_ksm=0
	case $sr_spec in
	nobody:*) sr_user=nobody sr_spec=${sr_spec#nobody:} ;;
	ksm:*) sr_ksm=1 sr_spec=${sr_spec#ksm:} ;;
	esac
	sr_cmd="stress-ng $sr_spec --timeout ${sr_secs}s --quiet --temp-path /tmp"
	if [ $sr_ksm = 1 ]; then
		echo 0 >/sys/kernel/mm/ksm/sleep_millisecs
		echo 1 >/sys/kernel/mm/ksm/run
	fi
	sr_rc=0
	if [ $sr_user = nobody ]; then
		tlbsan run --model "$sr_model" --json -- su nobody -c "$sr_cmd" \
			>/tmp/run.out 2>&1 </dev/null || sr_rc=$?
	else
		tlbsan run --model "$sr_model" --json -- $sr_cmd >/tmp/run.out 2>&1 </dev/null ||
			sr_rc=$?
	fi
	[ $sr_ksm = 0 ] || echo 0 >/sys/kernel/mm/ksm/run
	# Judged by the summary: stress-ng's own status may also be 1 or 2.
	SV=$(sed -n 's/^{"type":"summary".*"violations":\([0-9]*\).*/\1/p' /tmp/run.out)
	echo "stress-ng $sr_spec ($sr_user) under $sr_model: exit $sr_rc, ${SV:-no summary}" \
		"violations $(grep -o '"class_name":"[a-z-]*"' /tmp/run.out | sort | uniq -c | tr '\n' ' ')"
}

# stress_audit SECONDS SPEC|SPEC... - every stressor silent under hw and sw
# (no violation), and each broken model caught by at least one of them.
stress_audit() {
	secs=$1
	echo "$2" | tr '|' '\n' >/tmp/stressors
	sa_failed=0
	while read -r spec; do
		for m in hw sw; do
			stress_run $m "$secs" "$spec"
			if [ "${SV:-x}" != 0 ]; then
				# All but the audit findings ("violation":false).
				grep -v '"violation":false' /tmp/run.out | cut -c1-1500 | tail -n 20
				sa_failed=1
			fi
		done
	done </tmp/stressors
	[ $sa_failed = 0 ] || fail "violations under a correct model"
	for m in end-only lazy:100000 drop:unmap none; do
		caught=0
		while read -r spec; do
			stress_run $m "$secs" "$spec"
			if [ "${SV:-0}" -gt 0 ]; then
				caught=1
				break
			fi
		done </tmp/stressors
		[ $caught = 1 ] || fail "no stressor caught the $m model"
	done
}
