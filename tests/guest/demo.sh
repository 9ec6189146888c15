#!/bin/sh
# The main job's guest side: load the module, attach a device context to a
# workload that maps, forks, COW-writes, mprotects and unmaps, and print the
# notifier calls the context saw.  KTAP with one test; the host prints the
# diagnostic lines.
. /tests/lib.sh

t_demo() {
	insmod /tlbsan.ko
	workload_start
	echo "workload pid $WPID: attaching"
	tlbsan attach "$WPID"
	[ "$(workload_step)" = done ] || fail "workload failed"
	echo "workload done: mmap, touch, fork + COW, mprotect, MADV_DONTNEED, munmap"
	echo
	tlbsan stats "$WPID"
	echo
	tlbsan detach "$WPID"
	workload_step >/dev/null
	wait
	rmmod tlbsan
}

ktap_run t_demo
