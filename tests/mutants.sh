#!/bin/bash
# tests/mutants.sh [--build-only|--judge-only] [--module-rev=REV] [MUTANT...]
# - mutation testing of the kernel against kernel history (make
# check-mutants).
# --module-rev builds the module of a commit instead of the checkout's;
# --judge-only judges the results of the last run again.
#
# Guest kernels are built from Debian's linux-source-6.1 (the source of the
# tested 6.1 line), each with one historical notifier-placement bug put
# back by a small patch, tests/mutants/NAME.patch.  The source is extracted
# once into the cache ${TLBSAN_MUTANT_CACHE:-/var/cache/tlbsan/mutants}
# (outside the clone, so a fresh clone reuses it), configured from
# x86_64_defconfig + kvm_guest.config + tests/mutants/config, built fully
# once; then each mutant is applied, rebuilt incrementally (make vmlinux),
# saved and reverted.  A saved vmlinux is reused while its patch, the
# config fragment and the source are unchanged.
#
# Each kernel becomes a line of the harness,
# ${TLBSAN_CACHE:-build/cache}/kernels/mut-NAME (mut-stock for the
# unpatched tree), booted by tests/guest.sh with the suite
# tests/guest/suite-mutants.sh; the module is built once against the tree
# and loads into every mutant (same release and vermagic, checked).
#
# Judged here: mut-stock is silent under hw and sw in every workload; each
# mutant is caught as its header's "Expect:" lines say.  Prints a Markdown
# table (also build/mutants/table.md); exits non-zero on any failed
# expectation.
set -euo pipefail

# All of it in one function: bash has read the whole script before it
# starts, so editing or checking out the script during an hour-long run
# cannot change what the run executes.
main() {
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$top"

mcache=${TLBSAN_MUTANT_CACHE:-/var/cache/tlbsan/mutants}
kcache=$cache/kernels
tarball=/usr/src/linux-source-6.1.tar.xz
src=$mcache/linux-source-6.1
obj=$mcache/obj
saved=$mcache/vmlinux
out=$top/build/mutants
jobs=$(nproc)

log() { printf 'mutants: %s\n' "$*" >&2; }
die() { printf 'mutants: error: %s\n' "$*" >&2; exit 1; }

build_only=0
judge_only=0
module_rev=
sel=()
for a in "$@"; do
	case $a in
	--build-only) build_only=1 ;;
	--judge-only) judge_only=1 ;;
	--module-rev=?*) module_rev=${a#--module-rev=} ;;
	-*) die "unknown option '$a' (usage: tests/mutants.sh [--build-only|--judge-only] [--module-rev=REV] [MUTANT...])" ;;
	*) [ -f "tests/mutants/$a.patch" ] || die "no mutant '$a' (tests/mutants/$a.patch)"
	   sel+=("$a") ;;
	esac
done
if [ ${#sel[@]} -eq 0 ]; then
	for p in tests/mutants/*.patch; do
		[ -f "$p" ] || continue
		n=${p##*/}
		sel+=("${n%.patch}")
	done
fi
# Mutants that edit a header shared by many objects rebuild last, so that
# the mm/*.c ones stay small incremental builds.
order=()
for n in "${sel[@]}"; do
	grep -q '^+++ [^ ]*/include/' "tests/mutants/$n.patch" || order+=("$n")
done
for n in "${sel[@]}"; do
	grep -q '^+++ [^ ]*/include/' "tests/mutants/$n.patch" && order+=("$n")
done

t_start=$(date +%s)
fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
hdr() { sed -n "s/^$2: //p" "tests/mutants/$1.patch"; }
mkdir -p "$mcache" "$saved" "$out"
# One run at a time per cache (the source tree is patched in place).
exec 9>"$mcache/lock"
flock -n 9 || die "another run is using $mcache"

: >"$out/build-times"
if [ $judge_only -eq 0 ]; then
# --- toolchain and source ---------------------------------------------------
need=()
for p in linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev cpio; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
		die "apt-get install ${need[*]} failed"
fi
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
[ "$srcver" = 6.1.192-3 ] || log "warning: linux-source-6.1 is $srcver; the patches are written against 6.1.192-3"

if [ ! -f "$src/.tlbsan-source" ] || [ "$(cat "$src/.tlbsan-source")" != "$srcver" ]; then
	log "extracting $tarball ($srcver) into $src"
	rm -rf "$src" "$obj" "$mcache/applied"
	tar -xJf "$tarball" -C "$mcache"
	[ -f "$src/Makefile" ] || die "no $src/Makefile after extracting $tarball"
	echo "$srcver" >"$src/.tlbsan-source"
fi
# A run killed between applying and reverting a mutant left it applied.
if [ -f "$mcache/applied" ]; then
	a=$(cat "$mcache/applied")
	log "reverting $a, left applied by an interrupted run"
	patch -s -R -p1 -d "$src" <"$mcache/applied.patch" || die "cannot revert $a in $src"
	rm -f "$mcache/applied" "$mcache/applied.patch"
fi

# Stable identity: the release comes from the config (LOCALVERSION, no
# scm suffix: the tree is no git checkout) and the build stamp is fixed, so
# every mutant has the same release, vermagic and exports.  Only the build
# version (uname -v: "#1-NAME") says which mutant a kernel is.
export KBUILD_BUILD_VERSION=1-stock KBUILD_BUILD_USER=tlbsan KBUILD_BUILD_HOST=mutants
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
kmake() { make -s -C "$src" O="$obj" -j"$jobs" "$@"; }

# --- configuration ------------------------------------------------------------
cfgkey=$( (echo "$srcver"; cat tests/mutants/config) | sha256sum | cut -c1-16)
if [ ! -f "$obj/.tlbsan-config" ] || [ "$(cat "$obj/.tlbsan-config")" != "$cfgkey" ]; then
	log "configuring $obj (x86_64_defconfig + kvm_guest.config + tests/mutants/config)"
	mkdir -p "$obj"
	kmake x86_64_defconfig >/dev/null
	kmake kvm_guest.config >/dev/null
	(cd "$obj" && "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$top/tests/mutants/config" >"$obj/merge.log" 2>&1) || die "merge_config failed ($obj/merge.log)"
	kmake olddefconfig >/dev/null
	missing=
	for s in $(sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=y$/\1/p' tests/mutants/config); do
		grep -q "^$s=y" "$obj/.config" || missing="$missing $s"
	done
	[ -z "$missing" ] || die "config symbols not set in $obj/.config:$missing"
	grep -q '^CONFIG_MMU_NOTIFIER=y' "$obj/.config" || die "CONFIG_MMU_NOTIFIER is not set"
	echo "$cfgkey" >"$obj/.tlbsan-config"
	rm -f "$saved"/*.key
fi

# --- builds -------------------------------------------------------------------
# key NAME - what a saved vmlinux of NAME was built from.
key_of() {
	if [ "$1" = stock ]; then
		echo "$cfgkey"
	else
		# The diff only: editing a header's prose rebuilds nothing.
		(echo "$cfgkey"; sed -n '/^--- a\//,$p' "tests/mutants/$1.patch") | sha256sum | cut -c1-16
	fi
}
fresh() { [ -f "$saved/$1" ] && [ -f "$saved/$1.key" ] && [ "$(cat "$saved/$1.key")" = "$(key_of "$1")" ]; }

if ! fresh stock || [ ! -f "$obj/Module.symvers" ]; then
	how=full
	[ ! -f "$obj/vmlinux" ] || how=incremental
	log "building the stock kernel (make -j$jobs vmlinux modules, $how)"
	t0=$(date +%s)
	kmake vmlinux modules >"$out/build-stock.log" 2>&1 || { tail -n 40 "$out/build-stock.log" >&2; die "stock build failed"; }
	t1=$(date +%s)
	cp "$obj/vmlinux" "$saved/stock"
	key_of stock >"$saved/stock.key"
	echo "stock $how $((t1 - t0))" >>"$out/build-times"
	log "stock kernel built in $(fmt_secs $((t1 - t0))) ($how build)"
else
	log "stock kernel cached ($saved/stock)"
fi
release=$(cat "$obj/include/config/kernel.release")

# $kcache/mut-NAME: what tests/guest.sh and tests/build-module.sh read.
# zram is built in: its device count goes on the command line.
setup_line() {
	local d=$kcache/mut-$1
	mkdir -p "$d" "build/mut-$1"
	rm -f "$d/ready"
	ln -sfn "$saved/$1" "$d/vmlinux"
	echo "$obj" >"$d/kdir"
	echo "$release" >"$d/release"
	echo "zram.num_devices=2" >"$d/cmdline"
	touch "$d/ready"
	grep -aqF "Linux version $release " "$saved/$1" ||
		die "[$1] vmlinux is not release $release"
	if [ "$1" != stock ]; then
		cp build/mut-stock/tlbsan.ko "build/mut-$1/tlbsan.ko"
		echo "$release" >"build/mut-$1/release"
	fi
}

# The module, once, against the stock tree (before any mutant touches a
# header).  The mutants change no export and no vermagic input.
setup_line stock
make -s tools
if [ -n "$module_rev" ]; then
	# The module of a commit (its uapi must match the tools built here).
	git diff --quiet "$module_rev" -- uapi tools ||
		die "uapi/ or tools/ differ between $module_rev and the checkout"
	rm -rf "$out/module-src"
	mkdir -p "$out/module-src"
	git archive "$module_rev" module uapi Kbuild Makefile | tar -x -C "$out/module-src"
	log "module from $module_rev ($(git rev-parse --short "$module_rev"))"
	TLBSAN_SRC=$out/module-src build_module mut-stock
else
	build_module mut-stock
fi
vermagic=$(modinfo -F vermagic build/mut-stock/tlbsan.ko)
case $vermagic in
"$release "*) ;;
*) die "module vermagic '$vermagic' does not match the mutant release $release" ;;
esac
log "module: build/mut-stock/tlbsan.ko, vermagic '$vermagic'"
lines=(mut-stock)

for n in ${order[@]+"${order[@]}"}; do
	lines+=("mut-$n")
	if fresh "$n"; then
		log "[$n] cached"
		setup_line "$n"
		continue
	fi
	p=$top/tests/mutants/$n.patch
	patch -s -p1 -d "$src" --dry-run <"$p" >/dev/null || die "[$n] does not apply to $src"
	cp "$p" "$mcache/applied.patch"
	echo "$n" >"$mcache/applied"
	patch -s -p1 -d "$src" <"$p"
	log "[$n] applied; make -j$jobs vmlinux"
	t0=$(date +%s)
	rc=0
	KBUILD_BUILD_VERSION=1-$n kmake vmlinux >"$out/build-$n.log" 2>&1 || rc=$?
	t1=$(date +%s)
	patch -s -R -p1 -d "$src" <"$p"
	rm -f "$mcache/applied" "$mcache/applied.patch"
	[ $rc -eq 0 ] || { tail -n 40 "$out/build-$n.log" >&2; die "[$n] build failed"; }
	cp "$obj/vmlinux" "$saved/$n"
	key_of "$n" >"$saved/$n.key"
	echo "$n incremental $((t1 - t0))" >>"$out/build-times"
	log "[$n] built in $(fmt_secs $((t1 - t0))) (incremental)"
	setup_line "$n"
done
t_built=$(date +%s)
[ $build_only -eq 0 ] || { log "built in $(fmt_secs $((t_built - t_start)))"; exit 0; }

# --- guests -------------------------------------------------------------------
build_initramfs
# The suite runs ~40 workloads under emulation: a wider hang bound.
export TLBSAN_TIMEOUT=${TLBSAN_TIMEOUT:-2400}
# mut-stock runs every workload; a mutant the workloads its header's "Run:"
# line names (TLBSAN_MUTANT_ALL=1: every workload on every kernel).
for l in "${lines[@]}"; do
	run=
	if [ "$l" != mut-stock ] && [ "${TLBSAN_MUTANT_ALL:-0}" != 1 ]; then
		run=$(hdr "${l#mut-}" Run | tr ' ' ',')
	fi
	log "[$l] booting the mutants suite${run:+ (workloads $run)}"
	rc=0
	TLBSAN_CMDLINE="${TLBSAN_CMDLINE:-}${run:+ tlbsan.workloads=$run}" \
		boot_guest "$l" mutants || rc=$?
	read -r verdict _ p f secs <"build/$l/mutants.status"
	log "[$l] $verdict: $p passed, $f failed, guest ${secs}s"
done

fi

# --- judgement ----------------------------------------------------------------
# results LINE: "WORKLOAD MODEL CLASS SITE MS" lines of its suite.
results() { sed -n 's/^# mutant-result //p' "build/$1/mutants.ktap" 2>/dev/null; }
# stack_of LINE WORKLOAD MODEL CLASS SITE: that report's stack frames.
stack_of() {
	awk -v w="$2" -v m="$3" -v c="$4" -v s="$5" '
		$2 == "mutant-stack" && $3 == w && $4 == m && $5 == c && $6 == s { print $7 }' \
		"build/$1/mutants.ktap"
}
fix_of() {
	local r id subj
	r=$(sed -n '/^Reverses: /,/^[A-Z][a-z]*: /p' "tests/mutants/$1.patch" | tr '\n' ' ' | tr -s ' ')
	id=$(echo "$r" | grep -oE '\b[0-9a-f]{12}\b' | head -n1 || true)
	subj=$(echo "$r" | grep -oE '"[^"]+"' | head -n1 || true)
	echo "${id:-?} ${subj:-}"
}
problems=()
table=$out/table.md
{
	echo "| mutant | upstream fix | workload that caught it | model | class | site | time to first report |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
} >"$table"

# The stock kernel: silent under hw and sw everywhere, and a clean run.
read -r verdict _ p f _ <build/mut-stock/mutants.status
[ "$verdict" = pass ] || problems+=("mut-stock: the suite failed ($p passed, $f failed; build/mut-stock/console.log)")
noisy=$(results mut-stock | awk '$3 != "none"')
if [ -n "$noisy" ]; then
	problems+=("mut-stock: violations on the unpatched kernel: $(echo "$noisy" | tr '\n' ';')")
	echo "| stock | - | $(echo "$noisy" | head -n1 | awk '{print $1}') | $(echo "$noisy" | head -n1 | awk '{print $2}') | NOT SILENT | $(echo "$noisy" | head -n1 | awk '{print $4}') | - |" >>"$table"
else
	echo "| stock | - | every workload silent | hw, sw | - | - | - |" >>"$table"
fi

caught_mutants=0
for n in ${order[@]+"${order[@]}"}; do
	l=mut-$n
	fix=$(fix_of "$n")
	read -r verdict _ p f _ <"build/$l/mutants.status"
	[ "$verdict" = pass ] || problems+=("$l: the suite failed ($p passed, $f failed; build/$l/console.log, build/$l/mutants.ktap)")
	grep -q "^# kernel .*#1-$n " "build/$l/mutants.ktap" 2>/dev/null ||
		problems+=("$l: the guest did not report the kernel built from $n.patch")
	caught=0
	while read -r model classes regex via sregex; do
		# "via REGEX": the report's stack must also match (the site is
		# the first frame the module does not count as machinery).
		[ "${via:-}" = via ] || sregex=
		best=$(results "$l" | awk -v m="$model" -v cs=",$classes," '
			$2 == m && $3 != "none" && index(cs, "," $3 ",") { print }' |
			while read -r w m c s ms; do
				echo "$s" | grep -qE -- "$regex" || continue
				if [ -n "$sregex" ]; then
					stack_of "$l" "$w" "$m" "$c" "$s" | grep -qE -- "$sregex" || continue
				fi
				echo "$ms $w $m $c $s"
			done | sort -n | head -n1)
		if [ -n "$best" ]; then
			read -r ms w m c s <<<"$best"
			caught=1
			echo "| $n | $fix | $w | $m | $c | \`$s\`${sregex:+ via \`$(stack_of "$l" "$w" "$m" "$c" "$s" | tr ',' '\n' | grep -E -m1 -- "$sregex")\`} | $ms ms |" >>"$table"
		else
			seen=$(results "$l" | awk -v m="$model" '$2 == m && $3 != "none" { print $3 "@" $4 " (" $1 ")" }' |
				sort -u | head -n 6 | tr '\n' ' ')
			problems+=("$n: not caught under $model with class $classes at /$regex/${sregex:+ via /$sregex/}; $model saw: ${seen:-nothing}")
			echo "| $n | $fix | NOT CAUGHT | $model | expected $classes | expected /$regex/${sregex:+ via /$sregex/} | seen: ${seen:-nothing} |" >>"$table"
		fi
	done < <(hdr "$n" Expect)
	while read -r model reason; do
		model=${model%:}
		seen=$(results "$l" | awk -v m="$model" '$2 == m && $3 != "none" { print $3 "@" $4 }' | sort -u | head -n 4 | tr '\n' ' ')
		echo "| $n | $fix | - | $model | invisible to $model by design | - | (seen: ${seen:-nothing}) |" >>"$table"
	done < <(sed -n '/^Invisible: /{s/^Invisible: //;p}' "tests/mutants/$n.patch")
	caught_mutants=$((caught_mutants + caught))
done
[ ${#order[@]} -lt 8 ] || [ $caught_mutants -ge 8 ] ||
	problems+=("only $caught_mutants mutants caught by some model (at least 8 required)")

t_end=$(date +%s)
# Build times are kept in the cache too: a warm run still shows the last
# full build.
[ $judge_only -eq 1 ] || sed "s/^/$(date -u +%FT%TZ) /" "$out/build-times" >>"$mcache/build-times.log"
built=$(grep -c . "$out/build-times" || true)
kind=warm
[ "$built" -eq 0 ] || kind=cold
[ $judge_only -eq 0 ] || kind=judge-only
[ $judge_only -eq 1 ] || echo "$((t_end - t_start))" >"$mcache/total-$kind"
echo
cat "$table"
echo
while read -r what how secs; do
	echo "build (this run): $what $how $(fmt_secs "$secs")"
done <"$out/build-times"
last_full=$(grep ' stock full ' "$mcache/build-times.log" | tail -n1 || true)
[ -z "$last_full" ] || echo "last full build: $(echo "$last_full" | awk '{ print $1 }'), $(fmt_secs "$(echo "$last_full" | awk '{ print $4 }')")"
for k in cold warm; do
	[ -f "$mcache/total-$k" ] && echo "total $k run: $(fmt_secs "$(cat "$mcache/total-$k")")"
done
echo "(this run: $kind, $(fmt_secs $((t_end - t_start))); table: build/mutants/table.md)"
if [ ${#problems[@]} -gt 0 ]; then
	printf 'FAIL: %s\n' "${problems[@]}"
	exit 1
fi
echo "mutants: stock silent, $caught_mutants mutants caught as expected"
}

main "$@"
exit
