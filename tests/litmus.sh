#!/bin/bash
# tests/litmus.sh [LINE [RUNS]] - the 2017 litmus RUNS times (default 20)
# under hw in a guest of LINE (tests/guest/suite-litmus.sh; default
# mut-cow-notify, a kernel from tests/mutants.sh whose COW omits its
# under-lock secondary call; mut-stock and the stock lines are the
# control).  Prints how many runs showed the ordering inversion and how
# many the checker reported as case B at wp_page_copy.  Fails when the
# guest fails, or when a mutant whose COW omits the call shows no case-B
# report, or a stock kernel shows either.
set -euo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"
line=${1:-mut-cow-notify}
runs=${2:-20}
case $runs in '' | *[!0-9]*) echo "litmus: RUNS must be a number" >&2; exit 2 ;; esac
[ -f "$cache/kernels/$line/ready" ] ||
	{ echo "litmus: no kernel line '$line' (run tests/kernels.sh or tests/mutants.sh first)" >&2; exit 2; }
make -s tools
build_initramfs
build_module "$line"
TLBSAN_CMDLINE="tlbsan.runs=$runs" boot_guest "$line" litmus
res=$(sed -n 's/^# litmus-result //p' "build/$line/litmus.ktap")
echo "litmus on $(cat "build/$line/release"): $res"
inv=$(echo "$res" | sed -n 's/.*inversion_runs=\([0-9]*\).*/\1/p')
caseb=$(echo "$res" | sed -n 's/.*caseb_runs=\([0-9]*\).*/\1/p')
case $line in
mut-cow-notify | mut-cow-late-end)
	[ "${caseb:-0}" -gt 0 ] || { echo "litmus: no case-B report on $line" >&2; exit 1; } ;;
*)
	[ "${inv:-0}" -eq 0 ] && [ "${caseb:-0}" -eq 0 ] ||
		{ echo "litmus: a correct kernel showed an inversion or a report" >&2; exit 1; } ;;
esac
