#!/bin/bash
# tests/guest.sh LINE [SUITE] - boot the LINE kernel under QEMU with the
# shared initramfs plus build/LINE/tlbsan.ko, run the guest suite SUITE
# (tests/guest/suite-SUITE.sh; default: tests), and judge the run.
# Outputs in build/LINE/:
#   console.log     the guest's whole console
#   SUITE.ktap      the suite's stdout, from the second serial port
#   SUITE.status    pass/fail, counts and boot wall time (one line)
#
# A run fails when QEMU did not deliver the suite's exit status 0 (panic,
# reset, hang past the timeout), when the KTAP plan and results disagree,
# or when the console shows a kernel warning, oops, lockdep, KASAN, RCU
# stall or lockup report (BAD_LOG of tests/bad-log.sh, the regex the guest
# suites apply to dmesg).
#
# A line's extra kernel arguments, if any, are in its kernels/LINE/cmdline.
# TLBSAN_ACCEL=kvm opts into KVM (default tcg,thread=single: one host
# thread runs both vCPUs in turn; multi-threaded TCG lets a vCPU execute a
# stale int3 of the kernel's text_poke_bp, an "Oops: int3" that is the
# emulator's, not the kernel's or tlbsan's); TLBSAN_TIMEOUT (seconds,
# default 900) bounds each guest; TLBSAN_NUMA=1 boots two NUMA nodes;
# TLBSAN_SMP=N boots N vCPUs (default 2; not with TLBSAN_NUMA);
# TLBSAN_ONLY=SUBSTRING[,SUBSTRING...] runs only the in-guest tests whose
# name contains one of them (the module still loads first).
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/bad-log.sh
. "$top/tests/bad-log.sh"
line=$1
suite=${2:-tests}
k=$cache/kernels/$line
out=$top/build/$line
accel=${TLBSAN_ACCEL:-tcg,thread=single}
timeout=${TLBSAN_TIMEOUT:-900}
initrd=$out/initrd.cpio

[ -f "$out/tlbsan.ko" ] || { echo "guest: [$line] build/$line/tlbsan.ko missing" >&2; exit 1; }
[ -f "$initramfs_cpio" ] || { echo "guest: build/initramfs.cpio missing" >&2; exit 1; }

# The line's own modules the suites need (zram for swap), with their
# dependencies first, decompressed for busybox insmod: /modules/order.
# zram gets two devices: swap, and a block device for writeback tests.
EXTRA_MODULES="zram"
declare -A MODULE_ARGS=([zram]="num_devices=2")
# (A line without packaged modules, such as a mutant build, has them built in.)
mods=$(find "$k/root" -type d -path '*/lib/modules/*' -name kernel 2>/dev/null | head -n1)
stage=$(mktemp -d "${TMPDIR:-/tmp}/tlbsan-ko.XXXXXX")
mkdir -p "$stage/modules"
: >"$stage/modules/order"
stage_module() {
	local f dep
	grep -q "^$1 " "$stage/modules/order" && return 0
	[ -n "$mods" ] || return 0
	f=$(find "$mods" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -n1)
	[ -n "$f" ] || return 0		# built in
	for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
		stage_module "$dep"
	done
	case $f in
	*.xz) xz -dc "$f" >"$stage/modules/$1.ko" ;;
	*.zst) zstd -qdc "$f" >"$stage/modules/$1.ko" ;;
	*) cp "$f" "$stage/modules/$1.ko" ;;
	esac
	echo "$1 ${MODULE_ARGS[$1]:-}" >>"$stage/modules/order"
}
for m in $EXTRA_MODULES; do
	stage_module "$m"
done
cp "$out/tlbsan.ko" "$stage/"
(cd "$stage" && find tlbsan.ko modules | cpio -o -H newc --quiet -R 0:0) >"$stage/ko.cpio"
cat "$initramfs_cpio" "$stage/ko.cpio" >"$initrd"
rm -rf "$stage"

console=$out/console.log
ktap=$out/$suite.ktap
rm -f "$console" "$ktap"
t0=$(date +%s.%N)
# TLBSAN_NUMA=1: two NUMA nodes, one CPU socket each (NUMA balancing on).
numa=()
mem=(-m 3G)
if [ "${TLBSAN_NUMA:-0}" = 1 ]; then
	mem=(-m 3G -object memory-backend-ram,id=m0,size=1536M
	     -object memory-backend-ram,id=m1,size=1536M
	     -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1)
	numa=(-smp 2,sockets=2)
else
	numa=(-smp "${TLBSAN_SMP:-2}")
fi
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
	-accel "$accel" -cpu max "${numa[@]}" "${mem[@]}" \
	-nodefaults -no-reboot -display none -monitor none \
	-kernel "$k/vmlinux" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 rdinit=/init hugepagesz=1G hugepages=1 secretmem.enable=1 tlbsan.suite=$suite${TLBSAN_ONLY:+ tlbsan.only=$TLBSAN_ONLY} $(cat "$k/cmdline" 2>/dev/null) ${TLBSAN_CMDLINE:-}" \
	-serial "file:$console" -serial "file:$ktap" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
qrc=$?
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)

reasons=()
case $qrc in
1) ;;			# the suite wrote status 0
124|137) reasons+=("guest hung: killed after ${timeout}s") ;;
0) reasons+=("guest stopped without reporting a status (panic or reset)") ;;
*) reasons+=("suite exit status $(((qrc - 1) / 2))") ;;
esac

pass=0 fail=0 plan=0
if [ -f "$ktap" ]; then
	tr -d '\r' <"$ktap" >"$ktap.tmp" && mv "$ktap.tmp" "$ktap"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$ktap" | head -n1)
	pass=$(grep -c '^ok [0-9]' "$ktap")
	fail=$(grep -c '^not ok [0-9]' "$ktap")
fi
plan=${plan:-0}
if [ $((pass + fail)) -ne "$plan" ] || [ "$plan" -eq 0 ]; then
	reasons+=("KTAP plan 1..$plan but $((pass + fail)) results")
fi
if grep -aEq "$BAD_LOG" "$console" 2>/dev/null; then
	reasons+=("kernel log: $(grep -aE "$BAD_LOG" "$console" | head -n1 | cut -c1-120)")
fi
# An int3 oops in a kernel tlbsan never touched (untainted by an out-of-tree
# module, tlbsan not among the modules) is the emulator executing a stale
# text_poke_bp breakpoint, not a finding: say so ($suite.emulator marks it
# for tests/run.sh, which boots such a guest once more).
rm -f "$out/$suite.emulator"
if grep -aq 'Oops: int3' "$console" 2>/dev/null &&
   ! grep -aA60 'Oops: int3' "$console" |
	grep -aEq 'Tainted: [A-Z ]*O|Modules linked in:.*\<tlbsan\>'; then
	reasons+=("emulator fault: Oops: int3 with tlbsan not loaded (a stale text_poke_bp breakpoint under $accel)")
	touch "$out/$suite.emulator"
fi

release=$(cat "$k/release")
if [ ${#reasons[@]} -eq 0 ]; then
	verdict=pass
else
	verdict=fail
	# A run that failed as a whole counts as one more failure.
	fail=$((fail + 1))
fi
printf '%s %s %d %d %.1f\n' "$verdict" "$release" "$pass" "$fail" "$secs" >"$out/$suite.status"
grep -a '^not ok\|^# FAIL' "$ktap" 2>/dev/null | sed "s/^/  [$line] /" >&2
for r in "${reasons[@]}"; do
	echo "  [$line] $r (console: build/$line/console.log)" >&2
done
[ "$verdict" = pass ]
