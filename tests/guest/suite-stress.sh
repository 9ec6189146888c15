#!/bin/sh
# make stress: Debian's stress-ng memory stressors under tlbsan run, each
# for tlbsan.duration= seconds (kernel command line): silent under hw and sw,
# and every broken model caught by at least one stressor.  KTAP.
. /tests/common.sh

DURATION=$(sed -n 's/.*tlbsan\.duration=\([0-9]*\).*/\1/p' /proc/cmdline)
DURATION=${DURATION:-10}
STRESSORS="--vm 2 --vm-bytes 32M|--vm-rw 1|--mmap 1|--mmapfork 1|--mremap 1|nobody:--madvise 1|--fork 2|--userfaultfd 1|--numa 1|--pageswap 1|--mprotect 1|--remap 1|--pagemove 1|--bigheap 1|--memthrash 1|ksm:--vm 1 --vm-bytes 16M --vm-madvise mergeable"

t_insmod() {
	insmod /tlbsan.ko
}

t_stress() {
	stress_audit "$DURATION" "$STRESSORS"
}

ktap_run t_insmod t_stress
