#!/bin/bash
# tests/demo.sh [LINE] - the main job: fetch the kernel line (default 6.1),
# build the module and the tools, boot a guest, attach tlbsan to a demo
# workload (tests/guest/suite-demo.sh) and print what the device context saw.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"
line=${1:-6.1}
prepare_host
prepare_guests "$line"
build_module "$line"
rc=0
boot_guest "$line" demo || rc=$?
echo
echo "tlbsan on $(cat "build/$line/release") (guest console: build/$line/console.log):"
ktap_notes "$line" demo
exit $rc
