#!/bin/bash
# tests/build-module.sh LINE - build tlbsan.ko for a fetched kernel line
# (tests/kernels.sh) into build/<line>/tlbsan.ko.
#
# The sources are copied to a private tree per line, so lines never share
# objects or probe results; lines that need a newer toolchain build inside
# their suite's chroot.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
line=$1
k=$cache/kernels/$line
[ -f "$k/ready" ] || "$top/tests/kernels.sh" "$line" >/dev/null
kdir=$(cat "$k/kdir")
out=$top/build/$line
mkdir -p "$out"

# TLBSAN_SRC: a tree to take module/, uapi/, Kbuild and Makefile from
# (default: this checkout).
srctop=${TLBSAN_SRC:-$top}
copy_src() {
	mkdir -p "$1"
	rm -rf "$1/module" "$1/uapi"
	cp -r "$srctop/module" "$srctop/uapi" "$srctop/Kbuild" "$srctop/Makefile" "$1/"
	# Objects of a host build must not leak into the copy.
	find "$1/module" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name conftest.h \) -delete
}

if [ -f "$k/chroot" ]; then
	ch=$(cat "$k/chroot")
	src=/tmp/tlbsan-src-$line
	copy_src "$ch$src"
	mountpoint -q "$ch/proc" || mount -t proc proc "$ch/proc"
	rc=0
	chroot "$ch" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
		make -C "$src" module KDIR="$kdir" >"$out/build.log" 2>&1 || rc=$?
	umount "$ch/proc" 2>/dev/null || true
	built=$ch$src/module/tlbsan.ko
else
	src=$out/src
	copy_src "$src"
	rc=0
	make -C "$src" module KDIR="$kdir" >"$out/build.log" 2>&1 || rc=$?
	built=$src/module/tlbsan.ko
fi
if [ $rc -ne 0 ]; then
	cat "$out/build.log" >&2
	echo "build-module: [$line] module build failed (log: $out/build.log)" >&2
	exit 1
fi
# W=1 must be clean: any compiler warning fails the build.
if grep -E 'warning:' "$out/build.log" >&2; then
	echo "build-module: [$line] module build has warnings" >&2
	exit 1
fi
cp "$built" "$out/tlbsan.ko"
cat "$k/release" >"$out/release"
echo "build-module: [$line] $(cat "$k/release"): $out/tlbsan.ko" >&2
