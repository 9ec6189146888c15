#!/bin/bash
# tests/soak.sh [LINE...] - make soak: every scenario and a set of stress-ng
# stressors under tlbsan run on hw and sw, round after round for DURATION
# seconds (environment, default 600) per kernel line, in a two-node guest
# (tests/guest/suite-soak.sh).  Prints one line per kernel: runtime,
# rounds, runs, notifier calls, reports by class, drops, and the verdict
# (any violation or kernel-log report fails it).
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"
set_lines "$@"
duration=${DURATION:-600}
prepare_host && prepare_guests "${lines[@]}" || exit 1
rc=0
results=()
for l in "${lines[@]}"; do
	build_module "$l" || { rc=1; results+=("$l: module build failed"); continue; }
	# A round runs to its end: allow one more round past the duration.
	TLBSAN_NUMA=1 TLBSAN_TIMEOUT=$((duration * 2 + 1200)) \
		TLBSAN_CMDLINE="tlbsan.soak=$duration" boot_guest "$l" soak || rc=1
	read -r verdict _ _ _ secs <"build/$l/soak.status"
	sum=$(ktap_notes "$l" soak | sed -n 's/^soak-summary //p')
	results+=("${sum:-$l: no summary} verdict=$verdict guest=${secs}s")
	grep '^not ok' "build/$l/soak.ktap"
done
printf '%s\n' "${results[@]}"
exit $rc
