#!/bin/bash
# tests/debug-kernel.sh [--build-only] [SUITE...] - the guest suites on a
# debug kernel (make check-debug; default suite: tests).
#
# The kernel is Debian's linux-source-6.1 (the tested 6.1 line's source),
# configured from x86_64_defconfig + kvm_guest.config + tests/mutants/config
# (what the suites need) + tests/debug/config (KASAN, KFENCE, kmemleak,
# UBSAN, lockdep with raw-lock nesting, atomic-sleep checks, DEBUG_VM,
# page-table check, debug objects).  It shares the source tree extracted
# by tests/mutants.sh in ${TLBSAN_MUTANT_CACHE:-/var/cache/tlbsan/mutants}
# (outside the clone, so a fresh clone reuses both) and that cache's lock,
# and builds into its own object tree, obj-debug.  A built kernel is
# reused while the source and both config fragments are unchanged.
#
# The kernel becomes the harness line "debug" (${TLBSAN_CACHE:-build/cache}/
# kernels/debug); the module is built against its tree, so it is KASAN-
# and UBSAN-instrumented too.  A run passes when every suite passes: no
# test fails, and the console shows no report of any checker
# (tests/bad-log.sh).  The suite's t_kmemleak_clean scans for leaks after
# rmmod.
set -euo pipefail

main() {
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"

mcache=${TLBSAN_MUTANT_CACHE:-/var/cache/tlbsan/mutants}
tarball=/usr/src/linux-source-6.1.tar.xz
src=$mcache/linux-source-6.1
obj=$mcache/obj-debug
d=$cache/kernels/debug
jobs=$(nproc)

log() { printf 'debug-kernel: %s\n' "$*" >&2; }
die() { printf 'debug-kernel: error: %s\n' "$*" >&2; exit 1; }

build_only=0
suites=()
for a in "$@"; do
	case $a in
	--build-only) build_only=1 ;;
	-*) die "unknown option '$a' (usage: tests/debug-kernel.sh [--build-only] [SUITE...])" ;;
	*) [ -f "tests/guest/suite-$a.sh" ] || die "no suite '$a' (tests/guest/suite-$a.sh)"
	   suites+=("$a") ;;
	esac
done
[ ${#suites[@]} -gt 0 ] || suites=(tests)

need=()
for p in linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev cpio; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
		die "apt-get install ${need[*]} failed"
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)

mkdir -p "$mcache"
# The source tree is tests/mutants.sh's, which patches it in place: hold
# its lock while building, and refuse a tree left with a mutant applied.
exec 9>"$mcache/lock"
flock -n 9 || die "another run is using $mcache"
[ ! -f "$mcache/applied" ] || die "$src has mutant $(cat "$mcache/applied") applied: run tests/mutants.sh once to revert it"
if [ ! -f "$src/.tlbsan-source" ] || [ "$(cat "$src/.tlbsan-source")" != "$srcver" ]; then
	log "extracting $tarball ($srcver) into $src"
	rm -rf "$src" "$mcache/obj" "$obj"
	tar -xJf "$tarball" -C "$mcache"
	[ -f "$src/Makefile" ] || die "no $src/Makefile after extracting $tarball"
	echo "$srcver" >"$src/.tlbsan-source"
fi

export KBUILD_BUILD_VERSION=1-debug KBUILD_BUILD_USER=tlbsan KBUILD_BUILD_HOST=debug
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
kmake() { make -s -C "$src" O="$obj" -j"$jobs" "$@"; }

key=$( (echo "$srcver"; cat tests/mutants/config tests/debug/config) | sha256sum | cut -c1-16)
if [ ! -f "$obj/.tlbsan-config" ] || [ "$(cat "$obj/.tlbsan-config")" != "$key" ]; then
	log "configuring $obj (x86_64_defconfig + kvm_guest.config + tests/mutants/config + tests/debug/config)"
	rm -f "$obj/.tlbsan-built"
	mkdir -p "$obj"
	kmake x86_64_defconfig >/dev/null
	kmake kvm_guest.config >/dev/null
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$top/tests/mutants/config" "$top/tests/debug/config" >"$obj/merge.log" 2>&1) ||
		die "merge_config failed ($obj/merge.log)"
	kmake olddefconfig >/dev/null
	missing=
	for s in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' tests/mutants/config tests/debug/config); do
		grep -q "^$s=y" "$obj/.config" || missing="$missing $s"
	done
	[ -z "$missing" ] || die "config symbols not set in $obj/.config:$missing"
	echo "$key" >"$obj/.tlbsan-config"
fi
if [ "$(cat "$obj/.tlbsan-built" 2>/dev/null)" != "$key" ]; then
	log "building the debug kernel (make -j$jobs vmlinux modules)"
	t0=$(date +%s)
	mkdir -p build/debug
	kmake vmlinux modules >build/debug/kernel-build.log 2>&1 ||
		{ tail -n 40 build/debug/kernel-build.log >&2; die "kernel build failed"; }
	echo "$key" >"$obj/.tlbsan-built"
	log "built in $(($(date +%s) - t0)) s"
else
	log "debug kernel cached ($obj)"
fi
release=$(cat "$obj/include/config/kernel.release")
flock -u 9

# The harness line: what tests/guest.sh and tests/build-module.sh read.
mkdir -p "$d" build/debug
rm -f "$d/ready"
ln -sfn "$obj/vmlinux" "$d/vmlinux"
echo "$obj" >"$d/kdir"
echo "$release" >"$d/release"
echo "zram.num_devices=2" >"$d/cmdline"
touch "$d/ready"
[ $build_only -eq 0 ] || exit 0

make -s tools
build_initramfs
build_module debug
# Every checker on, under emulation: a wide hang bound.
export TLBSAN_TIMEOUT=${TLBSAN_TIMEOUT:-3600}
failed=0
for s in "${suites[@]}"; do
	log "booting the $s suite on $release"
	boot_guest debug "$s" || true
	read -r verdict _ p f secs <"build/debug/$s.status"
	log "$s: $verdict, $p passed, $f failed, guest ${secs}s (console: build/debug/console.log)"
	[ "$verdict" = pass ] || failed=1
done
exit $failed
}

main "$@"
exit
