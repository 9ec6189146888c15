#!/bin/bash
# tests/style.sh - checkpatch.pl --strict (from Debian's newest linux-source,
# fetched once into the cache, ${TLBSAN_CACHE:-build/cache}/checkpatch)
# over every module source file.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cp_dir=$cache/checkpatch
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	bash "$top/tests/kernels.sh" sid >/dev/null
	d=$cache/apt/sid
	opts=(-o "Dir::Etc::sourcelist=$d/sources.list" -o "Dir::Etc::sourceparts=$d/empty"
	      -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d" -o "Dir::State::status=/dev/null"
	      -o APT::Sandbox::User=root -q)
	src=$(apt-cache "${opts[@]}" depends linux-source | sed -n 's/^  Depends: \(linux-source-[0-9.]*\)$/\1/p' | head -n1)
	[ -n "$src" ] || { echo "style: cannot resolve linux-source" >&2; exit 1; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get "${opts[@]}" download "$src" >/dev/null)
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards '*/linux-source-*.tar.*'
	mkdir -p "$cp_dir"
	tar -x -C "$cp_dir" --strip-components=1 -f "$tmp"/usr/src/linux-source-*.tar.* \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	echo "$src" >"$cp_dir/version"
fi
cd "$top"
echo "style: checkpatch from $(cat "$cp_dir/version")"
out=$(perl "$cp_dir/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES \
	-f $(ls module/*.c module/*.h uapi/*.h | grep -v -e conftest.h -e "\.mod\.c$")) || true
echo "$out"
if echo "$out" | grep -q ': \(ERROR\|WARNING\|CHECK\):'; then
	echo "style: checkpatch --strict is not clean" >&2
	exit 1
fi
echo "style: clean"
