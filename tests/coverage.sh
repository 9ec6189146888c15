#!/bin/bash
# tests/coverage.sh [LINE...] - run the scenario suite with call-site
# coverage on each kernel line and print the sites reached.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(6.1 6.12 sid)
bash tests/deps.sh && make -s tools || exit 1
bash tests/kernels.sh "${lines[@]}" >/dev/null || exit 1
bash tests/initramfs.sh build/initramfs.cpio || exit 1
rc=0
for l in "${lines[@]}"; do
	bash tests/build-module.sh "$l" || { rc=1; continue; }
	TLBSAN_NUMA=1 bash tests/guest.sh "$l" coverage || rc=1
	sed -n 's/^# \{0,1\}//p' "build/$l/coverage.ktap"
done
exit $rc
