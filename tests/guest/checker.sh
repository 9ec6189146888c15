# Checker tests (sourced by suite-tests.sh): each violation class caught
# under a broken invalidation model, and the correct models (hw, sw) silent
# under the same workload.

# report_of PID - stored reports of PID's context as JSON in /tmp/rep.
report_of() {
	tlbsan report --json "$1" >/tmp/rep 2>&1 || true
	grep -o '"class_name":"[a-z-]*","violation":[a-z]*,"count":[0-9]*' /tmp/rep || true
}

has_class() {
	grep -q "\"type\":\"report\",\"class\":$1," /tmp/rep
}

# no_violations PID - the correct models report no violation (classes 1-5).
no_violations() {
	report_of "$1"
	expect_rc 0 tlbsan report "$1" >/dev/null
}

# fill_pages N - the device reads N pages from ADDR on, caching them.
fill_pages() {
	i=0
	while [ $i -lt "$1" ]; do
		acc "$MPID" read "$(hex "$ADDR + $i * 4096")" >/dev/null
		i=$((i + 1))
	done
}

# Class 1: munmap frees pages the device still caches.
uaf_scenario() {
	attach_mc --pattern buffers --model "$1"
	mc_map u 8
	fill_pages 8
	mc munmap "$ADDR" 32768
	report_of "$MPID"
}

t_class1_use_after_free_caught() {
	for m in none drop:unmap; do
		uaf_scenario "$m"
		has_class 1 || fail "$m: no use-after-free report"
		va=$(sed -n 's/.*"class":1,.*"va":"\(0x[0-9a-f]*\)".*/\1/p' /tmp/rep | head -n1)
		[ $((va)) -ge $((ADDR)) ] && [ $((va)) -lt $((ADDR + 32768)) ] ||
			fail "$m: report VA $va outside the unmapped range"
		site=$(sed -n 's/.*"class":1,.*"site":"\([^"]*\)".*/\1/p' /tmp/rep | head -n1)
		echo "$m: use-after-free at $va, site $site"
		echo "$site" | grep -Eq 'tlb_|unmap|zap|munmap|vms_' || fail "$m: unexpected free site $site"
		tlbsan stats "$MPID" >/tmp/s
		[ "$(stat_of dev.poisoned /tmp/s)" -ge 1 ] || fail "$m: freed entries not poisoned"
		expect_rc 1 tlbsan report "$MPID" >/dev/null
		mc_stop
	done
}

t_class1_silent_under_correct_models() {
	for m in hw sw; do
		uaf_scenario "$m"
		no_violations "$MPID"
		mc_stop
	done
}

# Class 2: COW repoints the PTE; the device reads through its old entry.
cow_scenario() {
	attach_mc --pattern buffers --model "$1"
	mc_map c 1
	mc write "$ADDR" 0x11
	acc "$MPID" read "$ADDR"
	mc fork
	mc write "$ADDR" 0x22
	acc "$MPID" read "$ADDR"
	report_of "$MPID"
}

t_class2_stale_translation_caught() {
	for m in none lazy:1000000; do
		cow_scenario "$m"
		[ "$(field value)" = 0x11 ] || fail "$m: expected the device to read the old page"
		has_class 2 || fail "$m: no stale-translation report"
		grep '"class":2,' /tmp/rep | head -n1 | grep -q '"new_pfn":"0x' || fail "$m: no new pfn"
		mc reap
		mc_stop
	done
}

t_class2_silent_under_correct_models() {
	for m in hw sw; do
		cow_scenario "$m"
		[ "$(field value)" = 0x22 ] || fail "$m: device read a stale value"
		no_violations "$MPID"
		mc reap
		mc_stop
	done
}

# Class 3: mprotect(PROT_READ) whose notification the device never gets.
wp_scenario() {
	attach_mc --pattern buffers --model "$1"
	mc_map w 1
	mc write "$ADDR" 0x33
	acc "$MPID" read "$ADDR"
	[ "$(field perm)" = rw ] || fail "expected a writable translation"
	mc protect "$ADDR" 4096 ro
}

t_class3_missed_notification_caught() {
	wp_scenario drop:protection_vma
	acc "$MPID" read "$ADDR"
	report_of "$MPID"
	has_class 3 || fail "no missed-notification report"
	mc_stop
}

# Class 4: the device writes through a writable entry after mprotect returned.
t_class4_write_through_write_protected_caught() {
	for m in none lazy:1000000; do
		wp_scenario "$m"
		acc "$MPID" write "$ADDR" 0x44
		[ "$(field status)" = suppressed ] || fail "$m: the write was not suppressed"
		mc read "$ADDR"
		[ "$MC" = 0x33 ] || fail "$m: suppressed write landed ($MC)"
		report_of "$MPID"
		has_class 4 || fail "$m: no write-through-write-protected report"
		mc_stop
	done
}

t_class3_4_silent_under_correct_models() {
	for m in hw sw; do
		wp_scenario "$m"
		acc "$MPID" read "$ADDR"
		acc "$MPID" write "$ADDR" 0x44
		[ "$(field status)" = fault ] || fail "$m: write to a read-only page did not fault"
		no_violations "$MPID"
		mc_stop
	done
}

# KSM: merging identical pages replaces them with one read-only page of
# the same content.  A translation still cached at the merge's end is
# benign (class 2, benign); hw reports no violation.
ksm_scenario() {
	[ -w /sys/kernel/mm/ksm/run ] || skip "no KSM in this kernel"
	echo 0 >/sys/kernel/mm/ksm/sleep_millisecs
	echo 10000 >/sys/kernel/mm/ksm/pages_to_scan
	attach_mc --pattern buffers --model "$1"
	mc_map k 16 nofill
	i=0
	while [ $i -lt 16 ]; do
		mc write "$(hex "$ADDR + $i * 4096")" 0x4b534d
		i=$((i + 1))
	done
	fill_pages 16
	[ -r "/proc/$MPID/ksm_merging_pages" ] || skip "no /proc/PID/ksm_merging_pages"
	mc ksm "$ADDR" 65536
	echo 1 >/sys/kernel/mm/ksm/run
	# Wait (bounded) until ksmd merged all 16 pages into one.
	n=0
	merged=0
	while [ "$merged" -lt 16 ] && [ $n -lt 5000 ]; do
		read -r merged <"/proc/$MPID/ksm_merging_pages"
		n=$((n + 1))
	done
	# Stop ksmd without unmerging (2 would COW-break the merged pages).
	echo 0 >/sys/kernel/mm/ksm/run
	[ "$merged" -ge 16 ] || skip "ksmd merged only $merged of 16 pages"
	report_of "$MPID"
}

t_ksm_merge_is_benign() {
	ksm_scenario none
	has_class 7 || fail "no benign report for the KSM merge"
	if has_class 2; then
		cat /tmp/rep
		fail "KSM merge reported as a stale translation"
	fi
	mc_stop
}

t_ksm_merge_silent_under_hw() {
	ksm_scenario hw
	no_violations "$MPID"
	mc_stop
}

# Class 6: secondary calls per call site add up to the callback counter.
t_class6_call_sites() {
	workload_start
	expect_rc 0 tlbsan attach --pattern buffers --model hw "$WPID" >/dev/null
	[ "$(workload_step)" = done ] || fail "workload failed"
	# Counters and sites are read separately: retry until a background
	# call (reclaim, khugepaged) is not caught between the two reads.
	for try in 1 2 3 4 5; do
		tlbsan stats "$WPID" >/tmp/s
		tlbsan sites "$WPID" >/tmp/sites
		# "site S event E calls N redundant M"
		calls=$(awk '{ n += $6 } END { print n + 0 }' /tmp/sites)
		red=$(awk '{ n += $8 } END { print n + 0 }' /tmp/sites)
		sec=$(( $(stat_of invalidate_range /tmp/s) + $(stat_of arch_invalidate_secondary_tlbs /tmp/s) ))
		[ "$calls" -eq "$sec" ] && break
	done
	cat /tmp/sites
	echo "secondary calls $sec, by site $calls, redundant $red"
	[ "$calls" -gt 0 ] || fail "no call sites"
	[ "$calls" -eq "$sec" ] || fail "sites count $calls calls, the callback counter $sec"
	[ "$red" -eq "$(stat_of class.redundant-notification /tmp/s)" ] ||
		fail "redundant by site $red != class counter"
	[ "$red" -le "$calls" ] || fail "more redundant calls than calls"
	workload_step >/dev/null
	wait
}

t_monitor_streams_reports() {
	rm -f /tmp/mon.err
	mkfifo /tmp/mon.err
	timeout 120 tlbsan monitor --json --count 1 >/tmp/mon.out 2>/tmp/mon.err &
	mon=$!
	read -r line </tmp/mon.err
	[ "$line" = "tlbsan: monitoring" ] || fail "monitor did not start: $line"
	uaf_scenario none
	rc=0
	wait $mon || rc=$?
	cat /tmp/mon.out
	[ $rc -eq 1 ] || fail "monitor exited $rc, expected 1"
	grep -q '"type":"report","class":1,' /tmp/mon.out || fail "no class 1 report streamed"
	grep -q '"type":"summary",.*"violations":[1-9]' /tmp/mon.out || fail "no summary"
	tlbsan report "$MPID" >/tmp/human || true
	grep -q "^=== use-after-free (class 1)" /tmp/human || fail "no human report"
	grep -q "\[T+0 ns\]" /tmp/human || fail "no timeline"
	expect_rc 0 tlbsan report --fail-on 4 "$MPID" >/dev/null
	mc_stop
}

t_reporter_bad_inputs() {
	expect_rc 2 tlbsan monitor --fail-on bogus
	expect_rc 2 tlbsan monitor 123
	expect_rc 2 tlbsan report --count 3
	expect_rc 2 tlbsan report 4000000
	expect_err "[Nn]o such process"
}
