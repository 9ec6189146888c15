#!/bin/bash
# tests/stress.sh [LINE...] - stress-ng memory stressors under tlbsan run
# (tests/guest/suite-stress.sh) on each kernel line, DURATION seconds each
# (environment, default 10).
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"
set_lines "$@"
duration=${DURATION:-10}
prepare_host && prepare_guests "${lines[@]}" || exit 1
rc=0
for l in "${lines[@]}"; do
	build_module "$l" || { rc=1; continue; }
	# Two nodes for the numa stressor.  16 stressors x 2 correct models,
	# up to 16 x 4 broken ones, DURATION each plus start-up, emulated.
	TLBSAN_NUMA=1 TLBSAN_TIMEOUT=$(((duration + 10) * 96 + 600)) \
		TLBSAN_CMDLINE="tlbsan.duration=$duration" boot_guest "$l" stress || rc=1
	ktap_notes "$l" stress
	grep '^ok\|^not ok' "build/$l/stress.ktap"
done
exit $rc
