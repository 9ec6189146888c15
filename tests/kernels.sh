#!/bin/bash
# tests/kernels.sh - fetch Debian kernel images and headers into the build tree.
#
# Usage: tests/kernels.sh [LINE...]      LINE is one of: 6.1 6.12 sid rt (default: 6.1 6.12 sid rt)
#
# CACHE is ${TLBSAN_CACHE:-build/cache} (tests/lib.sh).  Each kernel line is
# resolved from one Debian suite through a private apt configuration under
# CACHE/apt/<line>/ (the system's apt sources are never touched).  "Newest
# available" is resolved at fetch time from the suite's linux-image-amd64
# metapackage.  The result for each line is
#
#   CACHE/kernels/<line>/vmlinux     raw ELF kernel (QEMU boots it via PVH)
#   CACHE/kernels/<line>/kdir        path of the headers tree to build against
#   CACHE/kernels/<line>/release     uname -r of the kernel
#   CACHE/kernels/<line>/chroot      present when the build needs a chroot
#
# Lines whose headers need a newer toolchain than the host's (sid) are built in
# a debootstrapped chroot of that suite, cached in CACHE/chroot-<suite>/.
set -euo pipefail

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
mirror=${TLBSAN_MIRROR:-http://deb.debian.org/debian}
secmirror=${TLBSAN_SECMIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

log() { printf 'kernels: %s\n' "$*" >&2; }
die() { printf 'kernels: error: %s\n' "$*" >&2; exit 1; }

# line -> "suite list" and whether it builds in a chroot
line_sources() {
	case $1 in
	6.1)  echo "deb [signed-by=$keyring] $mirror bookworm main"
	      echo "deb [signed-by=$keyring] $mirror bookworm-updates main"
	      echo "deb [signed-by=$keyring] $secmirror bookworm-security main" ;;
	6.12|rt) echo "deb [signed-by=$keyring] $mirror bookworm-backports main" ;;
	sid)  echo "deb [signed-by=$keyring] $mirror sid main" ;;
	*) die "unknown kernel line '$1' (expected 6.1, 6.12, sid or rt)" ;;
	esac
}
# rt: the PREEMPT_RT flavour of the 6.12 line (spinlock_t sleeps there).
line_flavour() { if [ "$1" = rt ]; then echo rt-amd64; else echo amd64; fi; }
line_chroot_suite() { [ "$1" = sid ] && echo sid || true; }

apt_opts() {
	local d=$cache/apt/$1
	echo "-o Dir::Etc::sourcelist=$d/sources.list -o Dir::Etc::sourceparts=$d/empty" \
	     "-o Dir::Etc::preferences=$d/preferences -o Dir::Etc::preferencesparts=$d/empty" \
	     "-o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false -o Acquire::Check-Date=false" \
	     "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d -o Dir::Cache::archives=$d/archives" \
	     "-o Dir::State::status=/dev/null -o APT::Get::List-Cleanup=0 -q"
}

# Print the Depends of package $2 (exact names only, no alternatives).
depends_of() {
	# shellcheck disable=SC2046
	apt-cache $(apt_opts "$1") depends --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$2" |
		sed -n 's/^  \(Pre\)\{0,1\}Depends: \([^<>| ]*\)$/\2/p'
}

# Extract the raw ELF payload of a compressed bzImage, as the kernel's
# scripts/extract-vmlinux does: find each compression magic and try it.
extract_vmlinux() {
	local img=$1 out=$2 tmp=$2.tmp pair magic cmd off
	for pair in '\x1f\x8b\x08:gunzip' '\xfd7zXZ\x00:unxz' '\x28\xb5\x2f\xfd:unzstd' \
		    '\x02\x21\x4c\x18:lz4 -d' 'BZh:bunzip2' '\x5d\x00\x00\x00:unlzma'; do
		magic=${pair%%:*} cmd=${pair#*:}
		command -v "${cmd%% *}" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$img" | cut -d: -f1); do
			tail -c+"$((off + 1))" "$img" | $cmd >"$tmp" 2>/dev/null || true
			if [ "$(head -c4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	return 1
}

setup_chroot() {
	local suite=$1 ch=$cache/chroot-$1
	if [ -f "$ch/.tlbsan-ready" ]; then
		echo "$ch"
		return
	fi
	command -v debootstrap >/dev/null || die "debootstrap is not installed"
	log "debootstrapping a $suite build chroot in $ch (cached afterwards)"
	rm -rf "$ch"
	debootstrap --variant=minbase --include=make,ca-certificates "$suite" "$ch" "$mirror" >&2 ||
		die "debootstrap of $suite failed"
	touch "$ch/.tlbsan-ready"
	echo "$ch"
}

# Run a command inside a chroot with /proc mounted (objtool needs it).
in_chroot() {
	local ch=$1; shift
	mountpoint -q "$ch/proc" || mount -t proc proc "$ch/proc"
	local rc=0
	chroot "$ch" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@" || rc=$?
	umount "$ch/proc" 2>/dev/null || true
	return $rc
}

fetch_line() {
	local line=$1 d=$cache/apt/$1 k=$cache/kernels/$1
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/empty" "$k"
	line_sources "$line" >"$d/sources.list"
	: >"$d/preferences"
	log "[$line] updating package lists"
	# shellcheck disable=SC2046
	apt-get $(apt_opts "$line") update >/dev/null || die "[$line] apt-get update failed"

	local img abi flavour
	flavour=$(line_flavour "$line")
	img=$(depends_of "$line" linux-image-$flavour | grep -E "^linux-image-.*-$flavour\$" | head -n1)
	[ -n "$img" ] || die "[$line] cannot resolve linux-image-$flavour"
	abi=${img#linux-image-}
	abi=${abi%-"$flavour"}
	local hdr=linux-headers-$abi-$flavour

	# Closure of the image and headers packages over the same ABI.
	local want=("$img" "$hdr") seen=" " p q
	while [ ${#want[@]} -gt 0 ]; do
		p=${want[0]}; want=("${want[@]:1}")
		case $seen in *" $p "*) continue ;; esac
		seen="$seen$p "
		for q in $(depends_of "$line" "$p"); do
			case $q in linux-*"$abi"* | linux-kbuild-*) want+=("$q") ;; esac
		done
	done

	local pkgs=() vers=()
	for p in $seen; do
		pkgs+=("$p")
		# shellcheck disable=SC2046
		vers+=("$p=$(apt-cache $(apt_opts "$line") show "$p" | sed -n 's/^Version: //p' | head -n1)")
	done

	local stamp
	stamp=$(printf '%s\n' "${vers[@]}" | sort)
	if [ -f "$k/packages" ] && [ "$(cat "$k/packages")" = "$stamp" ] && [ -f "$k/vmlinux" ] &&
	   [ -f "$k/ready" ]; then
		log "[$line] cached: $(cat "$k/release") ($(tr '\n' ' ' <"$k/packages"))"
		return 0
	fi

	log "[$line] downloading ${pkgs[*]}"
	rm -rf "$k/debs" "$k/root" "$k/ready"
	mkdir -p "$k/debs" "$k/root"
	# shellcheck disable=SC2046
	(cd "$k/debs" && apt-get $(apt_opts "$line") download "${vers[@]}" >/dev/null) ||
		die "[$line] download failed"
	for p in "$k"/debs/*.deb; do
		dpkg-deb -x "$p" "$k/root"
	done

	local vmlinuz release
	# /boot/vmlinuz-REL up to trixie; /usr/lib/modules/REL/vmlinuz after.
	vmlinuz=$(find "$k/root" -path '*/boot/vmlinuz-*' -o -path '*/lib/modules/*/vmlinuz' | head -n1)
	[ -n "$vmlinuz" ] || die "[$line] no vmlinuz in the image packages"
	case $vmlinuz in
	*/boot/vmlinuz-*) release=${vmlinuz##*/vmlinuz-} ;;
	*) release=${vmlinuz%/vmlinuz}; release=${release##*/} ;;
	esac
	extract_vmlinux "$vmlinuz" "$k/vmlinux" || die "[$line] cannot extract an ELF kernel from $vmlinuz"
	echo "$release" >"$k/release"

	local suite
	suite=$(line_chroot_suite "$line")
	if [ -n "$suite" ]; then
		# Build inside a chroot of the suite; the headers package is
		# installed there by apt so that its toolchain dependencies
		# (gcc-N-for-host, pahole) come along.
		local ch
		ch=$(setup_chroot "$suite")
		log "[$line] installing $hdr into the $suite chroot"
		in_chroot "$ch" apt-get -o Acquire::Check-Valid-Until=false -o Acquire::Check-Date=false update -q >/dev/null
		in_chroot "$ch" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false -o Acquire::Check-Date=false install -y -q \
			--no-install-recommends "$hdr" >/dev/null || die "[$line] cannot install $hdr in chroot"
		echo "$ch" >"$k/chroot"
		echo "/usr/src/linux-headers-$release" >"$k/kdir"
	else
		# Debian's headers Makefile includes the -common tree by absolute
		# path; point it into the unpacked tree.
		local kd=$k/root/usr/src/linux-headers-$release
		[ -f "$kd/Makefile" ] || die "[$line] no headers tree at $kd"
		sed -i "s|^include /usr/src/|include $k/root/usr/src/|" "$kd/Makefile"
		# The kbuild scripts are symlinked by absolute path as well.
		local l t
		find "$k/root/usr/src" -maxdepth 2 -type l | while read -r l; do
			t=$(readlink "$l")
			case $t in /*) ln -sfn "$k/root$t" "$l" ;; esac
		done
		rm -f "$k/chroot"
		echo "$kd" >"$k/kdir"
	fi
	echo "$stamp" >"$k/packages"
	touch "$k/ready"
	log "[$line] ready: $release ($(echo "$stamp" | tr '\n' ' '))"
}

set_lines "$@"
for l in "${lines[@]}"; do
	fetch_line "$l"
done
for l in "${lines[@]}"; do
	printf 'kernel %-5s %s\n' "$l" "$(cat "$cache/kernels/$l/release")"
done
