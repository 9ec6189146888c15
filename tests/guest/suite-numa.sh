#!/bin/sh
# The suite of a two-node guest (TLBSAN_NUMA=1; Debian's kernels then turn
# NUMA balancing on): the migrate scenario moves cached pages between the
# nodes under every model, and every scenario stays silent under hw and sw
# while NUMA balancing adds its own protection changes and migrations.
. /tests/common.sh
. /tests/scenarios.sh

t_insmod() {
	insmod /tlbsan.ko
	[ -d /sys/devices/system/node/node1 ] || fail "the guest has one NUMA node"
	echo "numa_balancing=$(cat /proc/sys/kernel/numa_balancing 2>/dev/null)"
}

t_migrate_between_nodes() {
	scenarios_judge all migrate
}

t_scenarios_silent_under_hw_and_sw() {
	scenarios_judge correct
}

t_stress_ng_numa_silent() {
	for m in hw sw; do
		stress_run $m 2 "--numa 1"
		[ "${SV:-x}" = 0 ] || fail "stress-ng --numa under $m"
	done
}

ktap_run t_insmod t_migrate_between_nodes t_scenarios_silent_under_hw_and_sw \
	t_stress_ng_numa_silent t_dmesg_clean
