#!/bin/bash
# tests/run.sh [--guest-only] [LINE...] - the whole test suite:
#   1. install missing packages, build the tools and run the unit tests;
#   2. fetch each kernel line (default: 6.1 6.12 sid rt), build the module for it;
#   3. boot each line in a guest and run the in-guest KTAP suite
#      (tests/guest/suite-tests.sh), then boot it again with two NUMA nodes
#      for the NUMA suite (tests/guest/suite-numa.sh), and once more with
#      ${TLBSAN_SMP:-32} vCPUs for the many-CPU suite (tests/guest/suite-smp.sh).
# Prints a summary per kernel and, last, "N passed, N failed" over all of
# them; exits non-zero on any failure.
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"

guest_only=0
if [ "${1:-}" = --guest-only ]; then
	guest_only=1
	shift
fi
set_lines "$@"

start=$(date +%s)
passed=0 failed=0
summary=()

prepare_host || exit 1

if [ $guest_only -eq 0 ]; then
	make -s tests/unit/run-unit || exit 1
	unit_out=$(./tests/unit/run-unit)
	unit_rc=$?
	echo "$unit_out" | grep -E '^(not ok|#)' || true
	up=$(echo "$unit_out" | grep -c '^ok ')
	uf=$(echo "$unit_out" | grep -c '^not ok ')
	[ $unit_rc -eq 0 ] || [ "$uf" -gt 0 ] || uf=1
	passed=$((passed + up))
	failed=$((failed + uf))
	summary+=("$(printf '%-28s %3d passed, %d failed' "unit (userspace)" "$up" "$uf")")
fi

prepare_guests --list "${lines[@]}" || exit 1

# Static checks count as one test each.
static() {
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		summary+=("$(printf '%-28s pass' "$name")")
	else
		failed=$((failed + 1))
		summary+=("$(printf '%-28s FAIL' "$name")")
	fi
}
if [ $guest_only -eq 0 ]; then
	static "checkpatch --strict" bash tests/style.sh
	static "module layering" bash tests/layers.sh
	for l in "${lines[@]}"; do
		[ -f "$cache/kernels/$l/chroot" ] || static "sparse C=2 ($l)" bash tests/sparse.sh "$l"
	done
fi

for l in "${lines[@]}"; do
	if ! build_module "$l"; then
		failed=$((failed + 1))
		summary+=("$(printf '%-28s module build failed' "$l")")
		continue
	fi
	# One single-node guest with the whole suite, one two-node guest
	# (tests/guest/suite-numa.sh) for migration between nodes, one with
	# many vCPUs (tests/guest/suite-smp.sh) for brackets open on many
	# CPUs at once.
	for suite in tests numa smp; do
		numa=0 smp=2
		[ $suite = numa ] && numa=1
		[ $suite = smp ] && smp=${TLBSAN_SMP:-32}
		TLBSAN_NUMA=$numa TLBSAN_SMP=$smp boot_guest "$l" $suite
		read -r verdict release p f secs <"build/$l/$suite.status"
		# A guest that died before its suite printed its first line never
		# loaded tlbsan (seen: sid oopsing at boot under multi-threaded
		# TCG, untainted), and an emulator fault (tests/guest.sh) is not
		# a finding: boot it once more, and say so.  Any other failure,
		# and any failure of the second boot, stands.
		if [ "$verdict" = fail ] && { [ -f "build/$l/$suite.emulator" ] ||
		   ! grep -q '^KTAP version' "build/$l/$suite.ktap" 2>/dev/null; }; then
			why="died before its suite started"
			[ -f "build/$l/$suite.emulator" ] && why="hit an emulator fault (Oops: int3, tlbsan not loaded)"
			cp "build/$l/console.log" "build/$l/$suite.boot-failure.log"
			echo "  [$l] $suite guest $why" \
			     "(console: build/$l/$suite.boot-failure.log); booting it once more" >&2
			TLBSAN_NUMA=$numa TLBSAN_SMP=$smp boot_guest "$l" $suite
			read -r verdict release p f secs <"build/$l/$suite.status"
			summary+=("$(printf '%-28s rebooted once: the first %s guest %s' "$release" "$suite" "$why")")
		fi
		passed=$((passed + p))
		failed=$((failed + f))
		summary+=("$(printf '%-28s %3d passed, %d failed  (%s, %s guest %ss)' "$release" "$p" "$f" "$verdict" "$suite" "$secs")")
	done
done

echo
echo "summary ($(($(date +%s) - start))s):"
printf '  %s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
