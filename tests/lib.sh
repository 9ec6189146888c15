# tests/lib.sh - sourced (bash) by the host scripts of tests/: where the
# checkout and the cache are, and the steps that prepare and boot guests.
# It changes no directory and exits nowhere; each function returns the
# status of what it ran.
#
#   top             the checkout
#   cache           ${TLBSAN_CACHE:-$top/build/cache}: the kernel lines
#                   (kernels/LINE/), their apt lists and chroots, checkpatch
#   initramfs_cpio  the guest root shared by every line (tests/initramfs.sh)
#   all_lines       the lines tests/kernels.sh fetches, the default LINE...
#
# A guest's outputs are in build/LINE/ (tests/guest.sh): console.log,
# SUITE.ktap, SUITE.status.
# shellcheck shell=bash disable=SC2034

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${TLBSAN_CACHE:-$top/build/cache}
initramfs_cpio=$top/build/initramfs.cpio
all_lines=(6.1 6.12 sid rt)

# set_lines LINE... - lines=(LINE...), or every line when none is given.
set_lines() {
	lines=("$@")
	[ ${#lines[@]} -gt 0 ] || lines=("${all_lines[@]}")
}

# prepare_host - the Debian packages (tests/deps.sh), then the tools.
prepare_host() {
	bash "$top/tests/deps.sh" && make -s -C "$top" tools
}

# prepare_guests [--list] LINE... - fetch the kernel lines (tests/kernels.sh;
# --list keeps its "kernel LINE RELEASE" lines on stdout), then build the
# initramfs.
prepare_guests() {
	if [ "${1:-}" = --list ]; then
		shift
		bash "$top/tests/kernels.sh" "$@" || return
	else
		bash "$top/tests/kernels.sh" "$@" >/dev/null || return
	fi
	build_initramfs
}

build_initramfs() {
	bash "$top/tests/initramfs.sh" "$initramfs_cpio"
}

# build_module LINE - build/LINE/tlbsan.ko (tests/build-module.sh).
build_module() {
	bash "$top/tests/build-module.sh" "$1"
}

# boot_guest LINE SUITE - boot LINE and run the guest suite SUITE
# (tests/guest/suite-SUITE.sh) and judge it (tests/guest.sh, which reads
# TLBSAN_NUMA, TLBSAN_TIMEOUT, TLBSAN_CMDLINE and the like from the
# environment: set them on the call).
boot_guest() {
	bash "$top/tests/guest.sh" "$1" "$2"
}

# ktap_notes LINE SUITE - the diagnostic ("# ") lines of the suite's KTAP,
# without the marker.
ktap_notes() {
	sed -n 's/^# \{0,1\}//p' "$top/build/$1/$2.ktap"
}
