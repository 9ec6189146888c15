#!/bin/bash
# tests/sparse.sh LINE - sparse (make C=2) over the module against a fetched
# kernel line that builds on the host (6.1, 6.12); any sparse warning fails.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
line=$1
k=$cache/kernels/$line
if [ -f "$k/chroot" ]; then
	echo "sparse: [$line] builds in a chroot without sparse; skipped" >&2
	exit 0
fi
src=$top/build/$line/sparse
rm -rf "$src"
mkdir -p "$src"
cp -r "$top/module" "$top/uapi" "$top/Kbuild" "$top/Makefile" "$src/"
find "$src/module" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
	-o -name conftest.h \) -delete
log=$top/build/$line/sparse.log
make -C "$src" sparse KDIR="$(cat "$k/kdir")" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
if grep -E '(warning|error):' "$log" >&2; then
	echo "sparse: [$line] not clean (log: $log)" >&2
	exit 1
fi
echo "sparse: [$line] clean" >&2
