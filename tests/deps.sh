#!/bin/bash
# tests/deps.sh - install the Debian packages the build and the guest tests
# need, when any is missing.  Needs root (it is run as root in CI).
set -euo pipefail
pkgs=(build-essential pkg-config libnl-3-dev libnl-genl-3-dev qemu-system-x86
      busybox-static cpio debootstrap dwarves bc xz-utils zstd libelf-dev kmod
      ca-certificates debian-archive-keyring sparse stress-ng)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
