#!/bin/sh
# Call-site coverage: load the module with coverage=1, run every scenario
# and a few stress-ng stressors under hw, then print which notifier call
# sites were reached (callback, first frame outside the notifier core and
# TLB flush machinery, count).
. /tests/common.sh

t_coverage() {
	insmod /tlbsan.ko coverage=1
	for s in $(tlbsan-scenario --list | cut -d' ' -f1 | uniq); do
		tlbsan run --pattern buffers --model hw -- tlbsan-scenario $s >/dev/null 2>&1 || true
	done
	for st in "--vm 1 --vm-bytes 8M" "--mmap 1" "--fork 1" "--mremap 1" "--mprotect 1" \
		  "nobody:--madvise 1" "--userfaultfd 1" "--numa 1" \
		  "ksm:--vm 1 --vm-bytes 8M --vm-madvise mergeable"; do
		stress_run hw 2 "$st" >/dev/null
	done
	tlbsan coverage | sort >/tmp/cov
	echo "call sites reached on $(uname -r):"
	cat /tmp/cov
	[ "$(grep -c invalidate_range_start /tmp/cov)" -ge 5 ] || fail "too few call sites"
}

ktap_run t_coverage
