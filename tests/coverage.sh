#!/bin/bash
# tests/coverage.sh [LINE...] - run the scenario suite with call-site
# coverage (tests/guest/suite-coverage.sh) on each kernel line and print
# the sites reached.
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"
set_lines "$@"
prepare_host && prepare_guests "${lines[@]}" || exit 1
rc=0
for l in "${lines[@]}"; do
	build_module "$l" || { rc=1; continue; }
	TLBSAN_NUMA=1 boot_guest "$l" coverage || rc=1
	ktap_notes "$l" coverage
done
exit $rc
