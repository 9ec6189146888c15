# 'tlbsan run' and scenario tests (sourced by suite-tests.sh, and by
# suite-numa.sh for scenarios_judge).

# scenario_judge NAME MODEL VERDICT MAY MUST [OPTS...] - run one scenario
# under one model and hold it to its line of 'tlbsan-scenario --list'.
scenario_judge() {
	s=$1 m=$2 verdict=$3 may=$4 must=$5
	shift 5
	rc=0
	if [ "$verdict" = skip ]; then
		# The kernel cannot exercise it: the scenario says why, exit 4.
		tlbsan-scenario "$s" >/tmp/run.out 2>&1 || rc=$?
		echo "$(head -n1 /tmp/run.out) (under $m)"
		[ $rc -eq 4 ] || { echo "FAIL: $s: skip exit $rc"; return 1; }
		return 0
	fi
	tlbsan run --pattern buffers --model "$m" "$@" --json -- \
		tlbsan-scenario --seed 1 "$s" >/tmp/run.out 2>&1 || rc=$?
	# The classes of the violations ("violation":true; audit findings are not).
	seen=$(grep '"violation":true' /tmp/run.out | grep -o '"class":[0-9]*,' |
		tr -dc '0-9\n' | sort -u | tr '\n' ' ')
	echo "$s under $m: exit $rc, classes ${seen:-none} (expected $verdict ${may} ${must})"
	bad=
	case $verdict in
	silent) [ $rc -eq 0 ] || bad="exit $rc" ;;
	caught) { [ $rc -eq 1 ] && [ -n "$seen" ]; } || bad="exit $rc, not caught" ;;
	any) [ $rc -le 1 ] || bad="exit $rc" ;;
	esac
	for c in $seen; do
		case ",$may," in *",$c,"*) ;; *) bad="$bad; class $c" ;; esac
	done
	for c in $(echo "$must" | tr ',-' '  '); do
		case " $seen" in *" $c "*) ;; *) bad="$bad; no class $c" ;; esac
	done
	if [ -n "$bad" ]; then
		grep -v '"violation":false' /tmp/run.out | cut -c1-1500 | tail -n 30
		echo "FAIL: $s under $m: $bad"
		return 1
	fi
}

# scenarios_judge correct|broken|all [NAME] - every scenario (or NAME) under
# the correct models (hw, sw), the broken ones, or all.
scenarios_judge() {
	tlbsan-scenario --list >/tmp/scen.list
	failed=0
	while read -r s m verdict may must opts; do
		case $m in hw | sw) kind=correct ;; *) kind=broken ;; esac
		[ "$1" = all ] || [ "$kind" = "$1" ] || continue
		[ -z "${2:-}" ] || [ "$s" = "$2" ] || continue
		scenario_judge "$s" "$m" "$verdict" "$may" "$must" $opts </dev/null || failed=1
	done </tmp/scen.list
	[ $failed -eq 0 ] || fail "scenario expectations not met"
}

t_run_attaches_the_process_tree() {
	# The shell, and the shell it forks and execs, each see their own
	# context from their first command on.
	expect_rc 0 tlbsan run --pattern buffers -- sh -c \
		'tlbsan stats $$ | head -n1; sh -c "tlbsan stats \$\$ | head -n1; tlbsan stats | grep -c ^pid"'
	# (busybox may exec the inner shell in place: same pid, a new mm)
	[ "$(grep -c '^pid [0-9]* pasid [0-9]* comm' /tmp/out)" -eq 2 ] || fail "shells not attached"
	[ "$(sed -n 3p /tmp/out)" -ge 2 ] || fail "expected several contexts at once"
}

t_run_exit_status() {
	expect_rc 7 tlbsan run -- sh -c 'exit 7'
	expect_rc 127 tlbsan run -- /nonexistent
	expect_rc 2 tlbsan run
	expect_rc 2 tlbsan run --model bogus -- true
	expect_rc 2 tlbsan run --timeout 0 -- true
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "run left contexts behind"
}

t_scenarios_silent_under_hw_and_sw() {
	scenarios_judge correct
}

t_scenarios_under_broken_models() {
	scenarios_judge broken
}

t_litmus_ordering_inversion() {
	rc=0
	tlbsan run --pattern buffers --model none -- tlbsan-scenario litmus >/tmp/run.out 2>&1 || rc=$?
	grep -E "^litmus|^===|class" /tmp/run.out | head -n 20
	[ $rc -eq 1 ] || fail "litmus under none: exit $rc"
	grep -q "ordering inversion" /tmp/run.out || fail "no inversion observed under none"
	rc=0
	tlbsan run --pattern buffers --model end-only --json -- tlbsan-scenario litmus \
		>/tmp/run.out 2>&1 || rc=$?
	[ $rc -eq 1 ] || fail "litmus under end-only: exit $rc"
	grep -q '"class":2,' /tmp/run.out || fail "no stale-translation report under end-only"
	expect_rc 0 tlbsan run --pattern buffers --model hw -- tlbsan-scenario litmus
	grep -q "inversion" /tmp/out && fail "inversion under hw"
	true
}

t_stress_ng_under_audit() {
	command -v stress-ng >/dev/null || fail "no stress-ng in the guest"
	stress_audit 2 "--vm 1 --vm-bytes 8M|--mmap 1 --mmap-bytes 8M|--fork 1|--mremap 1|nobody:--madvise 1|--mprotect 1|ksm:--vm 1 --vm-bytes 8M --vm-madvise mergeable"
}


t_attach_follow_running_tree() {
	workload_start
	rm -f /tmp/fol.err
	mkfifo /tmp/fol.err
	tlbsan attach --follow --pattern buffers --model hw "$WPID" >/tmp/fol.out 2>/tmp/fol.err &
	fol=$!
	read -r line </tmp/fol.err
	echo "$line"
	case $line in *following*) ;; *) fail "attach --follow did not start" ;; esac
	expect_rc 0 tlbsan stats "$WPID" >/dev/null
	# The workload forks a child, which must be attached too; then it exits.
	[ "$(workload_step)" = done ] || fail "workload failed"
	tlbsan stats "$WPID" >/tmp/s
	echo "invalidate_range_start $(stat_of invalidate_range_start /tmp/s)"
	workload_step >/dev/null
	rc=0
	wait $fol || rc=$?
	cat /tmp/fol.out
	[ $rc -eq 0 ] || fail "attach --follow exited $rc"
	grep -q "^--- summary: 0 reports, 0 violations" /tmp/fol.out || fail "no clean summary"
	expect_rc 2 tlbsan attach --follow 4000000
	expect_rc 2 tlbsan attach --json 1
}
