#!/bin/bash
# tests/demo.sh [LINE] - the main job: fetch the kernel line (default 6.1),
# build the module and the tools, boot a guest, attach tlbsan to a demo
# workload and print what the device context saw.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
line=${1:-6.1}
bash tests/deps.sh
make -s tools
bash tests/kernels.sh "$line" >/dev/null
bash tests/build-module.sh "$line"
bash tests/initramfs.sh build/initramfs.cpio
rc=0
bash tests/guest.sh "$line" demo || rc=$?
echo
echo "tlbsan on $(cat "build/$line/release") (guest console: build/$line/console.log):"
sed -n 's/^# \{0,1\}//p' "build/$line/demo.ktap"
exit $rc
