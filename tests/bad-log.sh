# tests/bad-log.sh - the kernel log lines that fail a guest run whatever its
# tests printed: BAD_LOG, one case-sensitive extended regex (grep -E).
# Sourced on the host by tests/guest.sh (over the guest's console) and in
# the guest, where tests/initramfs.sh puts it at /tests/bad-log.sh, by
# tests/guest/common.sh (t_dmesg_clean, over dmesg).  POSIX sh: busybox
# reads it too.  Each pattern matches a report, never a boot line of the
# tested kernels (lower-case "kfence:" and "kmemleak:" lines are their boot
# banners; "BUG: KFENCE:" and "kmemleak: N new suspected memory leaks" are
# the reports).
# shellcheck shell=sh disable=SC2034

# Warnings, BUGs (KFENCE's and "scheduling while atomic" among them),
# oopses, panics, any stack dump.
BAD_LOG='WARNING:|BUG:|Oops|Kernel panic|Call Trace'
# Lock validation.
BAD_LOG="$BAD_LOG|lockdep|possible circular locking|possible recursive locking|inconsistent lock state"
# Memory checkers.
BAD_LOG="$BAD_LOG|KASAN|UBSAN|KFENCE|kmemleak: .*suspected memory leak"
# Stalls, lockups and hung tasks.
BAD_LOG="$BAD_LOG|rcu.*stall|rcu: INFO|soft lockup|hard LOCKUP|hung_task|blocked for more than"
