#!/bin/sh
# The guest test suite: module load, attach/detach/stats, notifier counters
# on a real workload, bad inputs, teardown.  KTAP on stdout.
. /tests/common.sh
. /tests/device.sh
. /tests/checker.sh
. /tests/scenarios.sh
. /tests/reliability.sh

# Which under-lock secondary TLB callback this kernel line has.
secondary_cb() {
	set -- $(uname -r | tr '.-' '  ')
	if [ "$1" -lt 6 ] || { [ "$1" -eq 6 ] && [ "$2" -lt 6 ]; }; then
		echo invalidate_range
	else
		echo arch_invalidate_secondary_tlbs
	fi
}

t_cli_without_module() {
	expect_rc 2 tlbsan stats
	expect_err "module is not loaded"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

t_insmod() {
	# A kmemleak kernel (make check-debug): forget what boot left, so
	# that t_kmemleak_clean sees only what the suite leaked.
	[ ! -w $KMEMLEAK ] || echo clear >$KMEMLEAK
	insmod /tlbsan.ko
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "expected an empty context list"
}

t_bad_pid_strings() {
	for p in abc 0 -1 12x 99999999999 ''; do
		expect_rc 2 tlbsan attach "$p"
	done
	expect_rc 2 tlbsan attach
	expect_rc 2 tlbsan detach 1 2
	expect_rc 2 tlbsan frobnicate
}

t_attach_nonexistent_pid() {
	expect_rc 1 tlbsan attach 4000000
	expect_err "no such process"
}

t_attach_kernel_thread() {
	expect_rc 1 tlbsan attach 2
	expect_err "kernel thread"
}

t_detach_unattached() {
	expect_rc 1 tlbsan detach $$
	expect_err "not attached"
	expect_rc 1 tlbsan stats $$
	expect_err "not attached"
}

t_workload_counters() {
	workload_start
	expect_rc 0 tlbsan attach "$WPID"
	grep -q "attached pid $WPID pasid [1-9]" /tmp/out || fail "no pasid in the reply"

	expect_rc 1 tlbsan attach "$WPID"
	expect_err "already attached"

	[ "$(workload_step)" = done ] || fail "workload failed"
	expect_rc 0 tlbsan stats "$WPID" >/dev/null
	cp /tmp/out /tmp/stats

	starts=$(stat_of invalidate_range_start /tmp/stats)
	ends=$(stat_of invalidate_range_end /tmp/stats)
	sec=$(secondary_cb)
	nsec=$(stat_of "$sec" /tmp/stats)
	echo "starts=$starts ends=$ends $sec=$nsec"
	[ "$starts" -gt 0 ] || fail "no invalidate_range_start"
	[ "$starts" -eq "$ends" ] || fail "starts $starts != ends $ends"
	[ "$nsec" -gt 0 ] || fail "no $sec calls"
	for other in invalidate_range arch_invalidate_secondary_tlbs; do
		[ "$other" = "$sec" ] && continue
		! has_stat "$other" /tmp/stats || fail "$other listed on $(uname -r)"
	done
	# Per-event counters add up and balance.
	sum=0
	for ev in unmap clear protection_vma protection_page soft_dirty release migrate exclusive other; do
		s=$(stat_of "start.$ev" /tmp/stats)
		e=$(stat_of "end.$ev" /tmp/stats)
		[ "$s" -eq "$e" ] || fail "event $ev: $s starts, $e ends"
		sum=$((sum + s))
	done
	[ "$sum" -eq "$starts" ] || fail "per-event starts $sum != $starts"
	[ "$(stat_of start.unmap /tmp/stats)" -gt 0 ] || fail "munmap gave no unmap event"
	[ "$(stat_of start.protection_vma /tmp/stats)" -gt 0 ] || fail "mprotect gave no protection_vma event"

	expect_rc 0 tlbsan detach "$WPID"
	expect_rc 1 tlbsan stats "$WPID"
	expect_err "not attached"
	workload_step >/dev/null
	wait
}

t_exit_releases_context() {
	workload_start
	expect_rc 0 tlbsan attach "$WPID"
	workload_step >/dev/null
	workload_step >/dev/null
	wait
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "context survived its mm"
}

t_rmmod_with_attached_context() {
	workload_start
	expect_rc 0 tlbsan attach "$WPID"
	rmmod tlbsan || fail "rmmod failed"
	[ "$(workload_step)" = done ] || fail "workload failed after rmmod"
	workload_step >/dev/null
	wait
	insmod /tlbsan.ko
}

t_rmmod() {
	rmmod tlbsan
	! grep -q '^tlbsan ' /proc/modules || fail "module still loaded"
}

# After rmmod nothing of the module may remain: every object it allocated
# and did not free is now unreferenced, and kmemleak finds it.  (Twice:
# kmemleak holds back an object whose contents changed since its previous
# scan.  It reports nothing younger than five seconds, so a leak of the
# last seconds of the suite can escape; the earlier tests' cannot.)
t_kmemleak_clean() {
	[ -w $KMEMLEAK ] || skip "the kernel has no kmemleak"
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	if grep -q . $KMEMLEAK; then
		head -n 60 $KMEMLEAK
		fail "kmemleak reports unreferenced objects"
	fi
}

ktap_run t_cli_without_module t_insmod t_bad_pid_strings t_attach_nonexistent_pid \
	t_attach_kernel_thread t_detach_unattached t_workload_counters \
	t_exit_releases_context \
	t_device_threads_named t_device_reads_and_writes_memory t_translation_4k \
	t_translation_thp_2m t_translation_hugetlb_1g t_invalidation_hw t_invalidation_sw \
	t_invalidation_none_keeps_entries t_page_request_faults_in t_page_requests_off \
	t_access_streams t_sampling_pattern t_clone_vm_threads_share_context \
	t_device_bad_inputs t_models_under_workload \
	t_class1_use_after_free_caught t_class1_silent_under_correct_models \
	t_class2_stale_translation_caught t_class2_silent_under_correct_models \
	t_class3_missed_notification_caught t_class4_write_through_write_protected_caught \
	t_class3_4_silent_under_correct_models t_ksm_merge_is_benign t_ksm_merge_silent_under_hw \
	t_class6_call_sites t_monitor_streams_reports t_reporter_bad_inputs \
	t_run_attaches_the_process_tree t_run_exit_status t_scenarios_silent_under_hw_and_sw \
	t_scenarios_under_broken_models t_litmus_ordering_inversion t_stress_ng_under_audit \
	t_attach_follow_running_tree \
	t_privileges_enforced t_secret_memory_not_reached t_hugetlb_pool_free_caught \
	t_access_operands_fit_size t_access_streams_bounded t_untracked_brackets_stay_silent \
	t_netlink_fuzz t_attach_detach_cycles t_target_dies_mid_access t_run_many_short_processes \
	t_page_request_unserved_userfaultfd t_reporter_stopped_or_killed \
	t_rmmod_with_attached_context t_rmmod t_kmemleak_clean t_dmesg_clean
