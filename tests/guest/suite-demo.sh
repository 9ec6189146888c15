#!/bin/sh
# The main job's guest side: scenario 1, the 2017 thread's litmus, run
# under tlbsan with a correct SVA-style model (hw: silent) and with a
# broken one that flushes only at invalidate_range_end (caught), showing
# the reporter's timeline and summary.  KTAP with one test; the host
# prints the diagnostic lines.
. /tests/common.sh

t_demo() {
	insmod /tlbsan.ko
	echo "######## tlbsan run --model hw -- tlbsan-scenario litmus"
	rc=0
	tlbsan run --pattern buffers --model hw -- tlbsan-scenario litmus 2>&1 || rc=$?
	echo "######## exit status $rc (0: no violation)"
	[ $rc -eq 0 ] || fail "hw is not silent"
	echo
	echo "######## tlbsan run --model end-only -- tlbsan-scenario litmus"
	rc=0
	tlbsan run --pattern buffers --model end-only -- tlbsan-scenario litmus 2>&1 || rc=$?
	echo "######## exit status $rc (1: violations found)"
	[ $rc -eq 1 ] || fail "end-only was not caught"
	rmmod tlbsan
}

ktap_run t_demo
