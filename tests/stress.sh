#!/bin/bash
# tests/stress.sh [LINE...] - stress-ng memory stressors under tlbsan run on
# each kernel line, DURATION seconds each (environment, default 10).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(6.1 6.12 sid)
duration=${DURATION:-10}
bash tests/deps.sh && make -s tools || exit 1
bash tests/kernels.sh "${lines[@]}" >/dev/null || exit 1
bash tests/initramfs.sh build/initramfs.cpio || exit 1
rc=0
for l in "${lines[@]}"; do
	bash tests/build-module.sh "$l" || { rc=1; continue; }
	# Two nodes for the numa stressor.  16 stressors x 2 correct models,
	# up to 16 x 4 broken ones, DURATION each plus start-up, emulated.
	TLBSAN_NUMA=1 TLBSAN_TIMEOUT=$(((duration + 10) * 96 + 600)) \
		TLBSAN_CMDLINE="tlbsan.duration=$duration" bash tests/guest.sh "$l" stress || rc=1
	sed -n 's/^# \{0,1\}//p' "build/$l/stress.ktap"
	grep '^ok\|^not ok' "build/$l/stress.ktap"
done
exit $rc
