#!/bin/sh
# The many-CPU suite (tests/guest.sh with TLBSAN_SMP=N, at least 8 vCPUs):
# one mm zapped, write-protected and faulted by more threads than there are
# CPUs while several device threads translate the same pages, so that
# brackets of one mm are open on many CPUs at once.  The correct models
# stay silent, with the machine-sized bracket table and with a tiny one
# (whose overflow is counted and must err towards silence).  KTAP on
# stdout.
. /tests/common.sh
. /tests/device.sh
. /tests/checker.sh

CPUS=$(grep -c '^processor' /proc/cpuinfo)
PAGES=96
DEV_THREADS=4

t_insmod() {
	echo "$CPUS CPUs"
	[ "$CPUS" -ge 8 ] || fail "the smp suite wants at least 8 CPUs, the guest has $CPUS"
	insmod /tlbsan.ko
	expect_rc 0 tlbsan stats >/dev/null
}

# mix_silent MODEL - the storm under MODEL; the device must have been busy
# and reports nothing; prints the untracked-bracket count in $UNTRACKED.
mix_silent() {
	attach_mc --model "$1" --threads $DEV_THREADS --pattern buffers
	mc_map s $PAGES
	i=0
	while [ $i -lt $DEV_THREADS ]; do
		expect_rc 0 tlbsan buf-add --thread $i "$MPID" read "$ADDR" $((PAGES * 4096)) >/dev/null
		i=$((i + 1))
	done
	mc mixstorm $((CPUS + CPUS / 2)) 200 "$ADDR" $PAGES
	tlbsan stats "$MPID" >/tmp/s
	UNTRACKED=$(stat_of dev.brackets_untracked /tmp/s)
	echo "$1: reads $(stat_of dev.reads /tmp/s) fills $(stat_of dev.fills /tmp/s)" \
	     "invalidations $(stat_of dev.invalidations /tmp/s) untracked $UNTRACKED"
	[ "$(stat_of dev.reads /tmp/s)" -gt 0 ] || fail "$1: the device read nothing"
	[ "$(stat_of dev.invalidations /tmp/s)" -gt 0 ] || fail "$1: no invalidation reached the device"
	no_violations "$MPID"
	mc_stop
}

t_mixstorm_silent() {
	for m in hw sw; do
		mix_silent $m
		# The table is sized by the machine: nothing goes untracked.
		[ "$UNTRACKED" -eq 0 ] || fail "$m: $UNTRACKED brackets untracked on $CPUS CPUs"
	done
}

# Room for two brackets: the overflow is counted, and stays silent.
t_mixstorm_small_bracket_table_silent() {
	rmmod tlbsan
	insmod /tlbsan.ko open_brackets=2 || fail "insmod open_brackets=2"
	for m in hw sw; do
		mix_silent $m
	done
	echo "last run: $UNTRACKED brackets untracked"
	rmmod tlbsan
	insmod /tlbsan.ko || fail "insmod"
}

t_rmmod() {
	rmmod tlbsan
	! grep -q '^tlbsan ' /proc/modules || fail "module still loaded"
}

ktap_run t_insmod t_mixstorm_silent t_mixstorm_small_bracket_table_silent t_rmmod t_dmesg_clean
