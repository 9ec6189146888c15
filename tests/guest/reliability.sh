# Reliability and security tests (sourced by the main suite): privileges,
# memory the device must not reach, frees the page allocator never sees,
# bounded tables and queues.  Each test here failed before its fix.

# Privileges: CAP_NET_ADMIN for every command, CAP_SYS_ADMIN for what
# touches process memory or hands out pfns, CAP_SYS_PTRACE to attach.
t_privileges_enforced() {
	mc_start
	expect_rc 1 memctl caps net_admin -- tlbsan attach "$MPID"
	expect_err "CAP_SYS_ADMIN"
	expect_rc 1 memctl caps net_admin,sys_admin -- tlbsan attach "$MPID"
	expect_err "CAP_SYS_PTRACE"
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "a refused attach left a context"
	expect_rc 0 memctl caps net_admin,sys_admin,sys_ptrace -- \
		tlbsan attach --pattern buffers "$MPID" >/dev/null
	mc_map a 1
	for cmd in "access $MPID read $ADDR" "access $MPID write $ADDR 1" \
		   "buf-add $MPID read $ADDR 4096" "buf-clear $MPID" "detach $MPID"; do
		# shellcheck disable=SC2086
		expect_rc 1 memctl caps net_admin -- tlbsan $cmd
		expect_err "CAP_SYS_ADMIN"
	done
	# A dump's refusal: 6.1 does not pass the extack message of .start on.
	expect_rc 1 memctl caps net_admin -- tlbsan tlb "$MPID"
	expect_err "not permitted"
	# report and monitor exit 1 for a violation: a refusal is 2.
	expect_rc 2 memctl caps net_admin -- tlbsan report "$MPID"
	expect_err "not permitted"
	expect_rc 2 memctl caps net_admin -- tlbsan monitor --json
	expect_err "cannot join"
	expect_rc 0 memctl caps net_admin -- tlbsan stats "$MPID" >/dev/null
	expect_rc 1 su nobody -c "tlbsan stats"
	expect_err "not permitted"
	expect_rc 1 su nobody -c "tlbsan sites"
	expect_rc 1 su nobody -c "tlbsan coverage"
	mc read "$ADDR"
	[ "$MC" = 0x0 ] || fail "a refused write changed memory ($MC)"
	expect_rc 0 tlbsan detach "$MPID" >/dev/null
	mc_stop
}

# memfd_secret memory is not in the direct map: the walker refuses it and
# a device write through it must not fault in the kernel.
t_secret_memory_not_reached() {
	attach_mc --pattern buffers
	echo "map s 2 secret" >&5
	read -r MC <&6 || MC="err eof"
	case $MC in
	err*)
		mc_stop
		skip "memfd_secret unavailable: $MC"
		;;
	esac
	set -- $MC
	ADDR=$2
	acc "$MPID" read "$ADDR"
	[ "$(field status)" = fault ] && [ "$(field walk)" = not-in-direct-map ] ||
		fail "secret memory was translated"
	acc "$MPID" write "$(hex "$ADDR + 4096")" 0x77
	[ "$(field status)" = fault ] || fail "device wrote secret memory"
	mc read "$(hex "$ADDR + 4096")"
	[ "$MC" = 0x1 ] || fail "secret page changed ($MC)"
	tlbsan stats "$MPID" >/tmp/s
	[ "$(stat_of walk.not-in-direct-map /tmp/s)" -ge 1 ] || fail "refusals not counted"
	mc_stop
}

# A hugetlb page freed back into its pool never reaches the page
# allocator: a device that still caches it must be caught all the same.
t_hugetlb_pool_free_caught() {
	H2M=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
	echo 2 >"$H2M"
	[ "$(cat "$H2M")" -ge 1 ] || skip "no 2 MiB hugetlb page"
	for m in none hw sw; do
		attach_mc --pattern buffers --model "$m"
		mc_map h 1 hugetlb2m
		acc "$MPID" read "$(hex "$ADDR + 8192")"
		[ "$(field status)" = ok ] || fail "$m: no translation of the hugetlb page"
		mc munmap "$ADDR" 2097152
		report_of "$MPID"
		case $m in
		none)
			has_class 1 || fail "none: pool free not caught"
			grep -q 'free_huge_' /tmp/rep || fail "none: report lacks the hugetlb free"
			tlbsan stats "$MPID" >/tmp/s
			[ "$(stat_of dev.poisoned /tmp/s)" -ge 1 ] || fail "none: entry not poisoned"
			;;
		*)
			no_violations "$MPID" ;;
		esac
		mc_stop
	done
	echo 0 >"$H2M"
}

# VALUE and EXPECT must fit in the access size (a 4-byte CAS with high
# bits in EXPECT used to swap and report a failure).
t_access_operands_fit_size() {
	attach_mc --pattern buffers
	mc_map a 1
	mc write "$ADDR" 0x11
	expect_rc 1 tlbsan access --size 4 "$MPID" cas "$ADDR" 0x100000011 0x22
	expect_err "fit in the access size"
	expect_rc 1 tlbsan access --size 2 "$MPID" write "$ADDR" 0x10000
	mc read "$ADDR"
	[ "$MC" = 0x11 ] || fail "a refused access changed memory ($MC)"
	acc --size 4 "$MPID" cas "$ADDR" 0x11 0x22
	[ "$(field status)" = ok ] || fail "4-byte cas"
	mc read "$ADDR"
	[ "$MC" = 0x22 ] || fail "4-byte cas result ($MC)"
	mc_stop
}

# At most 64 access streams per device thread; a full thread refuses.
t_access_streams_bounded() {
	attach_mc --pattern buffers
	mc_map s 1
	i=0
	while [ $i -lt 64 ]; do
		tlbsan buf-add "$MPID" read "$ADDR" 4096 || fail "stream $i refused"
		i=$((i + 1))
	done
	expect_rc 1 tlbsan buf-add "$MPID" read "$ADDR" 4096
	expect_err "access streams already"
	expect_rc 0 tlbsan buf-clear "$MPID"
	expect_rc 0 tlbsan buf-add "$MPID" read "$ADDR" 4096
	mc_stop
}

# With room for one bracket in progress, nested or concurrent zaps of one
# mm go untracked: counted, and no report (hw and sw, the device sampling).
t_untracked_brackets_stay_silent() {
	rmmod tlbsan
	insmod /tlbsan.ko open_brackets=1 || fail "insmod open_brackets=1"
	for m in hw sw; do
		attach_mc --model "$m"
		# A THP zapped in part splits inside the zap's bracket: a
		# second bracket of the same task, at once.
		mc_map t 512 thp
		[ "$HUGE" -eq 0 ] || mc dontneed "$(hex "$ADDR + 4096")" 4096
		n=0
		while [ $n -lt 10 ]; do
			mc zapstorm 4 500
			tlbsan stats "$MPID" >/tmp/s
			[ "$(stat_of dev.brackets_untracked /tmp/s)" -ge 1 ] && break
			n=$((n + 1))
		done
		[ "$(stat_of dev.brackets_untracked /tmp/s)" -ge 1 ] ||
			fail "$m: no bracket went untracked in 10 rounds"
		echo "$m: $(stat_of dev.brackets_untracked /tmp/s) brackets untracked"
		no_violations "$MPID"
		mc_stop
	done
	rmmod tlbsan
	insmod /tlbsan.ko || fail "insmod"
}

# Random and mutated requests (tests/guest/nlfuzz.c), as root and as an
# unprivileged user, while contexts are attached, sampling and streaming.
# tlbsan.fuzz=N on the kernel command line sets the root run's count.
t_netlink_fuzz() {
	n=$(sed -n 's/.*tlbsan\.fuzz=\([0-9]*\).*/\1/p' /proc/cmdline)
	n=${n:-200000}
	spawn_sleeper
	t1=$SLEEPER
	spawn_sleeper
	t2=$SLEEPER
	expect_rc 0 tlbsan attach "$t1" >/dev/null
	expect_rc 0 tlbsan attach --pattern buffers --model sw "$t2" >/dev/null
	stack=$(awk '/\[stack\]/ { split($1, r, "-"); print "0x" r[1]; exit }' /proc/"$t1"/maps)
	expect_rc 0 tlbsan buf-add "$t1" read "$stack" 4096
	nlfuzz --seed 1 --count "$n" --target "$t1" --target "$t2" || fail "nlfuzz as root"
	su nobody -c "nlfuzz --seed 2 --count $((n / 4)) --target $t1 --target $t2" ||
		fail "nlfuzz as nobody"
	# The module still answers, and knows no context but the targets'.
	expect_rc 0 tlbsan stats >/dev/null
	awk '$1 == "pid" && $2 != '"$t1"' && $2 != '"$t2"' { bad = 1 } END { exit bad }' /tmp/out ||
		fail "a context of another process appeared"
	# A target the device wrote into at random may have died already.
	kill "$t1" "$t2" 2>/dev/null || true
	wait "$t1" "$t2" 2>/dev/null || true
	# ->release took each context off the list before its exit finished.
	tlbsan stats >/tmp/s 2>&1
	grep -q "no attached contexts" /tmp/s || fail "contexts survived their processes"
}

# Lifetimes: attach/detach cycles against a process that keeps faulting and
# zapping (tlbsan.cycles=N sets the count), then its exit.
t_attach_detach_cycles() {
	n=$(sed -n 's/.*tlbsan\.cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
	n=${n:-300}
	mc_start
	# memctl answers once its threads are done: the cycles run meanwhile.
	echo "zapstorm 2 100000" >&5
	i=0
	while [ $i -lt "$n" ]; do
		tlbsan attach --threads 2 "$MPID" >/dev/null || fail "attach $i"
		tlbsan detach "$MPID" || fail "detach $i"
		i=$((i + 1))
	done
	read -r MC <&6 || MC="err eof"
	[ "$MC" = ok ] || fail "the faulting process failed: $MC"
	echo "$n attach/detach cycles"
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "a cycle left a context"
	mc_stop
}

# The target goes while its device threads walk and stream: SIGKILL, exec,
# and exit, under hw and sw.
t_target_dies_mid_access() {
	for m in hw sw; do
		spawn_sleeper
		p=$SLEEPER
		expect_rc 0 tlbsan attach --model "$m" "$p" >/dev/null
		stack=$(awk '/\[stack\]/ { split($1, r, "-"); print "0x" r[1]; exit }' /proc/"$p"/maps)
		expect_rc 0 tlbsan buf-add "$p" read "$stack" 4096
		kill -9 "$p"
		wait "$p" 2>/dev/null || true
		# A shell that execs: the old mm goes, the new one is not attached.
		# (it says so once it runs, after the exec of 'sh -c')
		rm -f /tmp/x.in /tmp/x.out
		mkfifo /tmp/x.in /tmp/x.out
		sh -c 'echo $$ >/tmp/x.out; read -r go </tmp/x.in; exec sleep 0' &
		read -r p </tmp/x.out
		expect_rc 0 tlbsan attach --model "$m" "$p" >/dev/null
		echo go >/tmp/x.in
		wait "$p"
	done
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "a context survived its mm"
}

# A page request into memory registered with userfaultfd whose monitor
# never answers: the fault fails at once, as an IOMMU's page request
# fails (it is not retried, so it cannot wait for the monitor), the
# access reports a fault, and detach and a stream on that memory return.
# (A worker waiting in handle_userfault could not be stopped: detach and
# rmmod would hang behind it.)
t_page_request_unserved_userfaultfd() {
	attach_mc --pattern buffers
	mc_map u 4 uffd
	acc "$MPID" read "$ADDR"
	[ "$(field status)" = fault ] || fail "an access to an unserved userfaultfd page did not fault"
	tlbsan stats "$MPID" >/tmp/s
	[ "$(stat_of dev.page_requests_failed /tmp/s)" -ge 1 ] || fail "no failed page request counted"
	expect_rc 0 tlbsan buf-add "$MPID" write "$ADDR" 16384 >/dev/null
	expect_rc 0 tlbsan detach "$MPID" >/dev/null
	mc_stop
}

# A reporter that stops reading, and one that is killed, while reports
# pour in: the workload never waits for them (the mm paths only queue
# work), a stopped monitor counts what its socket lost when it resumes,
# and the module goes on answering.
t_reporter_stopped_or_killed() {
	# (stderr to a file, not a fifo: its later lines must not SIGPIPE it)
	: >/tmp/mon.log
	tlbsan monitor --json >/tmp/mon.out 2>/tmp/mon.log &
	mon=$!
	until grep -q "^tlbsan: monitoring" /tmp/mon.log; do
		[ -d /proc/$mon ] || fail "monitor did not start: $(cat /tmp/mon.log)"
	done
	kill -STOP $mon
	tlbsan monitor >/dev/null 2>&1 &
	mon2=$!
	for s in reuse bigzap cowstorm; do
		rc=0
		timeout 600 tlbsan run --pattern buffers --model none -- \
			tlbsan-scenario --seed 3 "$s" >/tmp/run.out 2>&1 </dev/null || rc=$?
		echo "$s under none, a reporter stopped: exit $rc"
		[ $rc -eq 1 ] || fail "$s under none: exit $rc (124: it waited for a reporter)"
		kill -9 $mon2 2>/dev/null || true
	done
	kill -CONT $mon
	# It reads what its socket kept (each report is flushed as printed).
	n=0
	until grep -q '"type":"report"' /tmp/mon.out; do
		[ -d /proc/$mon ] || break
		n=$((n + 1))
		[ $n -lt 3000 ] || fail "the resumed monitor printed nothing:" \
			"$(grep State /proc/$mon/status) $(wc -c </tmp/mon.out) bytes, $(cat /tmp/mon.log)"
	done
	# Idle now: SIGTERM must end it although no report arrives (a
	# receive that retried after the signal kept it waiting forever).
	kill -TERM $mon
	n=0
	while grep -q "^State:.*[RS]" /proc/$mon/status 2>/dev/null; do
		n=$((n + 1))
		[ $n -lt 3000 ] || { kill -9 $mon; fail "an idle monitor ignored SIGTERM"; }
	done
	rc=0
	wait $mon || rc=$?
	wait $mon2 2>/dev/null || true
	tail -n 1 /tmp/mon.out
	cat /tmp/mon.log
	[ $rc -eq 1 ] || fail "the resumed monitor exited $rc, expected 1 (violations seen)"
	grep -q '"type":"summary"' /tmp/mon.out || fail "no summary from the resumed monitor"
	! grep -q "monitor:" /tmp/mon.log || fail "the resumed monitor failed"
	expect_rc 0 tlbsan stats >/dev/null
}

# Many short-lived processes under tlbsan run, each attached from its first
# instruction: all of them attached and gone, nothing reported.
t_run_many_short_processes() {
	expect_rc 0 tlbsan run --json -- sh -c \
		'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done' >/dev/null
	grep -q '"violation":true' /tmp/out && fail "a violation under hw"
	expect_rc 0 tlbsan stats
	grep -q "no attached contexts" /tmp/out || fail "run left contexts behind"
}
