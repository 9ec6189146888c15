#!/bin/bash
# tests/layers.sh - the module's parts include only parts below them.
#
# The map (README, "Design notes"), top to bottom; a part may include its
# own header and any header of a lower layer, never one above (the parts
# of base, and those of netlink, may include each other):
#   6 netlink  main.c (init/exit), netlink.c (the genl family), nl_ctx.c,
#              nl_dev.c, nl_report.c (command families), nl.h
#   5 ctx      ctx.c, ctx.h (registry, PASIDs, lifetime)
#   4 mn       mn.c, mn.h (notifier glue: callbacks -> device)
#   3 dev      dev.c, dev.h (TLB lock, fill protocol, threads, PRI, models)
#   2 check    check.c, check.h (the checks, the checker's state)
#   1 parts    report, sites, pfnwatch, walk
#   0 base     tlb, oracle, range, model, stack, compat, conftest
set -euo pipefail
cd "$(dirname "$0")/../module"

layer_of() {
	case ${1%.*} in
	main | netlink | nl | nl_*) echo 6 ;;
	ctx) echo 5 ;;
	mn) echo 4 ;;
	dev) echo 3 ;;
	check) echo 2 ;;
	report | sites | pfnwatch | walk) echo 1 ;;
	tlb | oracle | range | model | stack | compat | conftest) echo 0 ;;
	*) echo "layers: module/$1 is in no layer: add it to tests/layers.sh and the README map" >&2
	   echo 9 ;;
	esac
}

bad=0
for f in *.c *.h; do
	[ "$f" = conftest.h ] && continue
	lf=$(layer_of "$f")
	[ "$lf" -eq 9 ] && bad=1
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		[ "${inc%.h}" = "${f%.*}" ] && continue
		li=$(layer_of "$inc")
		# Within base and within netlink, parts may include each other.
		[ "$li" -lt "$lf" ] && continue
		[ "$li" -eq "$lf" ] && { [ "$lf" -eq 0 ] || [ "$lf" -eq 6 ]; } && continue
		echo "layers: module/$f (layer $lf) includes $inc (layer $li)" >&2
		bad=1
	done
done
[ $bad -eq 0 ] && echo "layers: module/ includes point downwards only"
exit $bad
