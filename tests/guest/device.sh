# Device tests (sourced by suite-tests.sh): the fake device's TLB, walker,
# page requests, access streams and invalidation models.

# attach_mc ARGS... - start memctl and attach a context with ARGS.
attach_mc() {
	mc_start
	expect_rc 0 tlbsan attach "$@" "$MPID" >/dev/null
	PASID=$(pasid_of "$MPID")
}

t_device_threads_named() {
	attach_mc --pattern buffers --threads 3
	n=$(grep -l "^tlbsan/$PASID:[0-2]\$" /proc/[0-9]*/comm | wc -l)
	[ "$n" -eq 3 ] || fail "expected 3 device threads tlbsan/$PASID:N, found $n"
	expect_rc 0 tlbsan detach "$MPID" >/dev/null
	n=$(grep -l "^tlbsan/$PASID:" /proc/[0-9]*/comm 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] || fail "device threads survived detach"
	mc_stop
}

t_device_reads_and_writes_memory() {
	attach_mc --pattern buffers
	mc_map a 4
	acc "$MPID" read "$ADDR"
	[ "$(field status)" = ok ] && [ "$(field value)" = 0x0 ] || fail "read page 0"
	acc "$MPID" read "$(hex "$ADDR + 4096")"
	[ "$(field value)" = 0x1 ] || fail "read page 1"
	mc write "$(hex "$ADDR + 8")" 0x1234
	acc "$MPID" read "$(hex "$ADDR + 8")"
	[ "$(field value)" = 0x1234 ] || fail "device did not see the CPU's write"
	acc --thread 1 "$MPID" write "$(hex "$ADDR + 16")" 0xbeef
	[ "$(field status)" = ok ] || fail "device write"
	mc read "$(hex "$ADDR + 16")"
	[ "$MC" = 0xbeef ] || fail "CPU did not see the device's write ($MC)"
	acc "$MPID" cas "$(hex "$ADDR + 16")" 0xbeef 0xcafe
	[ "$(field status)" = ok ] && [ "$(field value)" = 0xbeef ] || fail "cas"
	mc read "$(hex "$ADDR + 16")"
	[ "$MC" = 0xcafe ] || fail "cas result not visible ($MC)"
	acc "$MPID" cas "$(hex "$ADDR + 16")" 0x1 0x2
	[ "$(field status)" = cas-failed ] && [ "$(field value)" = 0xcafe ] || fail "failed cas"
	acc --size 4 "$MPID" write "$(hex "$ADDR + 24")" 0x11223344
	mc read "$(hex "$ADDR + 24")"
	[ "$MC" = 0x11223344 ] || fail "4-byte write ($MC)"
	acc --size 2 "$MPID" read "$(hex "$ADDR + 26")"
	[ "$(field value)" = 0x1122 ] || fail "2-byte read"
	mc_stop
}

t_translation_4k() {
	attach_mc --pattern buffers
	mc_map a 2
	acc "$MPID" read "$ADDR"
	[ "$(field page)" = 4K ] || fail "expected a 4 KiB translation"
	[ "$(tlb_count "$MPID" "$ADDR" 4096)" -eq 1 ] || fail "no TLB entry"
	mc_stop
}

t_translation_thp_2m() {
	grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null &&
		skip "THP disabled"
	attach_mc --pattern buffers
	mc_map t 512 thp
	[ "$HUGE" -ge 2048 ] || skip "no THP for the region (AnonHugePages ${HUGE} kB)"
	acc "$MPID" read "$(hex "$ADDR + 0x12000")"
	[ "$(field page)" = 2M ] || fail "expected a 2 MiB translation"
	[ "$(field value)" = 0x12 ] || fail "wrong data through the 2 MiB entry"
	mc_stop
}

t_translation_hugetlb_1g() {
	[ "$(cat /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages 2>/dev/null || echo 0)" -ge 1 ] ||
		skip "no free 1 GiB hugetlb page in this guest"
	attach_mc --pattern buffers
	mc_map h 0 hugetlb1g
	acc "$MPID" read "$(hex "$ADDR + 0x12345000")"
	[ "$(field page)" = 1G ] || fail "expected a 1 GiB translation"
	[ "$(field value)" = "$(hex 0x12345)" ] || fail "wrong data through the 1 GiB entry"
	mc_stop
}

# invalidation_survivors MODEL OP - fill 8 entries, run OP, print survivors.
invalidation_survivors() {
	attach_mc --pattern buffers --model "$1"
	mc_map r 8
	i=0
	while [ $i -lt 8 ]; do
		acc "$MPID" read "$(hex "$ADDR + $i * 4096")" >/dev/null
		i=$((i + 1))
	done
	[ "$(tlb_count "$MPID" "$ADDR" 32768)" -eq 8 ] || fail "expected 8 cached translations"
	case $2 in
	munmap) mc munmap "$ADDR" 32768 ;;
	dontneed) mc dontneed "$ADDR" 32768 ;;
	protect) mc protect "$ADDR" 32768 ro ;;
	esac
	SURVIVORS=$(tlb_count "$MPID" "$ADDR" 32768)
	echo "model $1, $2: $SURVIVORS entries survive"
	expect_rc 0 tlbsan detach "$MPID" >/dev/null
	mc_stop
}

t_invalidation_hw() {
	for op in munmap dontneed protect; do
		invalidation_survivors hw $op
		[ "$SURVIVORS" -eq 0 ] || fail "hw: entries survived $op"
	done
}

t_invalidation_sw() {
	for op in munmap dontneed protect; do
		invalidation_survivors sw $op
		[ "$SURVIVORS" -eq 0 ] || fail "sw: entries survived $op"
	done
}

# The same check must see survivors when nothing flushes.  (After munmap
# or MADV_DONTNEED the checker poisons them as their pages are freed: see
# the use-after-free tests.)
t_invalidation_none_keeps_entries() {
	invalidation_survivors none protect
	[ "$SURVIVORS" -eq 8 ] || fail "none: expected all 8 entries to survive mprotect"
}

t_page_request_faults_in() {
	attach_mc --pattern buffers
	mc_map n 4 nofill
	acc "$MPID" read "$(hex "$ADDR + 4096")"
	[ "$(field status)" = ok ] || fail "access to a never-touched page"
	tlbsan stats "$MPID" >/tmp/s
	[ "$(stat_of dev.page_requests /tmp/s)" -ge 1 ] || fail "no page request"
	hits=$(stat_of dev.hits /tmp/s)
	acc "$MPID" read "$(hex "$ADDR + 4096")"
	tlbsan stats "$MPID" >/tmp/s
	[ "$(stat_of dev.hits /tmp/s)" -eq $((hits + 1)) ] || fail "second access did not hit"
	acc "$MPID" write "$(hex "$ADDR + 8192")" 7
	[ "$(field status)" = ok ] || fail "write to a never-touched page"
	mc read "$(hex "$ADDR + 8192")"
	[ "$MC" = 0x7 ] || fail "write through a page request lost ($MC)"
	mc_stop
}

t_page_requests_off() {
	attach_mc --pattern buffers --pri off
	mc_map n 4 nofill
	acc "$MPID" read "$ADDR"
	[ "$(field status)" = fault ] && [ "$(field walk)" = none ] || fail "expected an ATS failure"
	mc protect "$ADDR" 16384 ro
	mc read "$ADDR"
	acc "$MPID" write "$ADDR" 1
	[ "$(field status)" = fault ] && [ "$(field walk)" = noperm ] || fail "expected noperm"
	mc_stop
}

t_access_streams() {
	attach_mc --pattern buffers
	mc_map s 4
	expect_rc 0 tlbsan buf-add --value 0x55 "$MPID" write "$ADDR" 16384 >/dev/null
	# Wait (bounded) until the stream has written all four pages.
	n=0
	while [ $n -lt 2000 ]; do
		done4=1
		for i in 0 1 2 3; do
			mc read "$(hex "$ADDR + $i * 4096")"
			[ "$MC" = 0x55 ] || done4=0
		done
		[ $done4 -eq 1 ] && break
		n=$((n + 1))
	done
	[ $done4 -eq 1 ] || fail "stream did not write every page"
	expect_rc 0 tlbsan buf-clear "$MPID" >/dev/null
	mc_stop
}

t_sampling_pattern() {
	attach_mc
	mc_map s 64
	n=0
	while [ $n -lt 500 ]; do
		tlbsan stats "$MPID" >/tmp/s
		[ "$(stat_of dev.samples /tmp/s)" -gt 0 ] && [ "$(stat_of dev.fills /tmp/s)" -gt 0 ] && break
		n=$((n + 1))
	done
	cat /tmp/s | grep -E 'dev.(samples|fills|hits)'
	[ $n -lt 500 ] || fail "the sampling device made no accesses"
	mc_stop
}

t_clone_vm_threads_share_context() {
	attach_mc --pattern buffers
	mc thread
	tid=$MC
	[ "$tid" != "$MPID" ] || fail "no new thread"
	expect_rc 1 tlbsan attach "$tid"
	expect_err "already attached as pasid $PASID"
	tlbsan stats "$tid" | head -n1 | grep -q "^pid $MPID pasid $PASID " || fail "thread sees another context"
	mc_stop
}

# cli_usage - every command 'tlbsan --help' lists answers --help and -h
# with its usage on stdout and exit 0; an unknown option is one line on
# stderr and exit 2.
cli_usage() {
	expect_rc 0 tlbsan --help >/dev/null
	sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' /tmp/out >/tmp/cmds
	n=$(wc -l </tmp/cmds)
	echo "tlbsan --help lists $n commands:" $(cat /tmp/cmds)
	[ "$n" -ge 12 ] || fail "tlbsan --help lists $n commands"
	while read -r c; do
		for h in --help -h; do
			expect_rc 0 tlbsan "$c" $h >/dev/null
			grep -q "^usage: tlbsan $c" /tmp/out || fail "tlbsan $c $h: no usage on stdout"
		done
		expect_rc 2 tlbsan "$c" --no-such-option >/dev/null
		[ "$(wc -l </tmp/err)" -eq 1 ] || fail "tlbsan $c --no-such-option: not one line"
		expect_err "unrecognized option"
	done </tmp/cmds
}

t_device_bad_inputs() {
	cli_usage
	mc_start
	expect_rc 1 tlbsan attach --entries 100 "$MPID"
	expect_err "power of two"
	expect_rc 1 tlbsan attach --threads 17 "$MPID"
	expect_rc 1 tlbsan attach --pde 3 "$MPID"
	expect_err "PDE"
	expect_rc 2 tlbsan attach --model lazy "$MPID"
	expect_rc 2 tlbsan attach --model drop:bogus "$MPID"
	expect_rc 2 tlbsan attach --model hw:1 "$MPID"
	expect_rc 2 tlbsan attach --pattern everything "$MPID"
	expect_rc 2 tlbsan attach --pri maybe "$MPID"
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "a rejected attach left a context"
	expect_rc 0 tlbsan attach --pattern buffers --threads 2 "$MPID"
	mc_map a 1
	expect_rc 1 tlbsan access --thread 5 "$MPID" read "$ADDR"
	expect_err "no such device thread"
	expect_rc 1 tlbsan access "$MPID" read "$(hex "$ADDR + 4")"
	expect_err "aligned"
	expect_rc 1 tlbsan access "$MPID" read 0xffffffffffff0000
	expect_rc 2 tlbsan access "$MPID" write "$ADDR"
	expect_rc 2 tlbsan access "$MPID" frob "$ADDR"
	expect_rc 2 tlbsan access --size 3 "$MPID" read "$ADDR"
	expect_rc 1 tlbsan access --size 2 "$MPID" cas "$ADDR" 0 1
	expect_err "size of 4 or 8"
	expect_rc 2 tlbsan buf-add "$MPID" cas "$ADDR" 4096
	expect_rc 1 tlbsan buf-add "$MPID" read "$ADDR" 0xffffffffffffff
	expect_err "past the user address space"
	expect_rc 1 tlbsan tlb 4000000
	expect_err "[Nn]o such process"
	mc_stop
}

# Every model, under a forking, COW-ing, unmapping workload with the
# device sampling: nothing may crash or warn, brackets balance.
t_models_under_workload() {
	for m in hw sw end-only lazy:200 drop:unmap drop:clear none; do
		workload_start
		expect_rc 0 tlbsan attach --model "$m" "$WPID" >/dev/null
		[ "$(workload_step)" = done ] || fail "workload failed under $m"
		tlbsan stats "$WPID" >/tmp/s
		s=$(stat_of invalidate_range_start /tmp/s)
		e=$(stat_of invalidate_range_end /tmp/s)
		echo "model $m: starts=$s ends=$e samples=$(stat_of dev.samples /tmp/s)" \
			"invalidations=$(stat_of dev.invalidations /tmp/s)"
		[ "$s" -eq "$e" ] || fail "$m: unbalanced brackets"
		workload_step >/dev/null
		wait
	done
}
