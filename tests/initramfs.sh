#!/bin/bash
# tests/initramfs.sh OUT.cpio - the guest root shared by every kernel line:
# busybox, the in-guest suites (tests/guest/*.sh in /tests/, the kernel
# log regex tests/bad-log.sh beside them, tests/guest/init as /init), the
# host-built tools with every library ldd lists for them (so dynamically
# linked host programs run in the guest).  The per-line module is appended
# as a second cpio archive by tests/guest.sh.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
out=$1
mkdir -p "$(dirname "$out")"	# build/ need not exist: TLBSAN_CACHE may be elsewhere
root=$(mktemp -d "${TMPDIR:-/tmp}/tlbsan-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"		# mktemp made it 0700: the guest's / for every user

busybox=$(command -v busybox) || { echo "initramfs: busybox-static is not installed" >&2; exit 1; }
mkdir -p "$root"/{usr/bin,usr/lib,usr/lib64,proc,sys,dev,tmp,tests,root,etc}
ln -s usr/bin "$root/bin"
ln -s usr/bin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
ln -s bin "$root/usr/sbin"
cp "$busybox" "$root/usr/bin/busybox"
for app in $("$busybox" --list); do
	[ -e "$root/usr/bin/$app" ] || ln -s busybox "$root/usr/bin/$app"
done

# Host programs and their shared libraries, at their host paths.
progs=("$top/tools/tlbsan" "$top/tools/tlbsan-scenario" "$top/tests/guest/workload"
       "$top/tests/guest/memctl" "$top/tests/guest/nlfuzz" "$(command -v stress-ng)")
for p in "${progs[@]}"; do
	[ -x "$p" ] || { echo "initramfs: $p is not built" >&2; exit 1; }
	cp "$p" "$root/usr/bin/"
	for lib in $(ldd "$p" | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
done

# root, and an unprivileged user for programs that must run without
# CAP_SYS_ADMIN (stress-ng's madvise stressor poisons pages when it has it).
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

cp "$top/tests/guest/init" "$root/init"
cp "$top"/tests/guest/*.sh "$top/tests/bad-log.sh" "$root/tests/"
chmod +x "$root/init" "$root"/tests/*.sh
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
