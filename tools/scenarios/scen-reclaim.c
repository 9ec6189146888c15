// SPDX-License-Identifier: GPL-2.0
/*
 * Memory pressure: pages the device caches reclaimed to swap, and the OOM
 * reaper's unmap.
 *
 *   swap      MADV_PAGEOUT and memory-cgroup reclaim to zram swap, then
 *             swap-in by device page requests.
 *   oom       the OOM reaper's unmap, through process_mrelease().
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "scenario.h"

/* ---- swap ---- */

#define CG_ROOT "/sys/fs/cgroup"

static int swap_active(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n > 1;		/* a header line, then one per device */
}

/* Move into a fresh memory cgroup limited to @max, its path in @cg. */
static int enter_memcg(char *cg, size_t size, const char *max, const char *swap_max)
{
	char path[192], pid[16];

	if (access(CG_ROOT "/cgroup.controllers", F_OK) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
		return -1;
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	snprintf(cg, size, CG_ROOT "/tlbsan-%d", getpid());
	if (mkdir(cg, 0755) && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	if (write_file(path, max))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg);
	if (swap_max && write_file(path, swap_max))
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_file(path, pid);
}

static void leave_memcg(const char *cg)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(CG_ROOT "/cgroup.procs", pid);
	rmdir(cg);
}

static int check_values(const char *what, char *p, size_t len, uint64_t v)
{
	for (size_t i = 0; i < len; i += ps)
		if (*(volatile uint64_t *)(p + i) != v + i / ps) {
			printf("swap: %s: page %zu lost its contents\n", what, i / ps);
			return 1;
		}
	return 0;
}

/*
 * Swap-out and swap-in of pages the device caches: MADV_PAGEOUT, then
 * reclaim under an 8 MiB memory cgroup limit while a 24 MiB working set
 * cycles.  Needs an active swap device (the guest suite sets up zram).
 */
static int swap(void)
{
	size_t len = 64 * ps, big = 24UL << 20;
	char cg[128], *p, *w;
	int i, bad = 0;

	if (!swap_active()) {
		printf("swap: no active swap device\n");
		return 1;
	}
	if (enter_memcg(cg, sizeof(cg), "8M", NULL)) {
		perror("swap: memory cgroup");
		return 1;
	}
	p = map(len);
	w = map(big);
	for (i = 0; i < iterations; i++) {
		touch(p, len, i);
		dev_read_all(p, len);
		madvise(p, len, MADV_PAGEOUT);	/* swapped out now */
		dev_read_all(p, len);		/* swapped in by page requests */
		bad |= check_values("pageout", p, len, i);
		touch(w, big, i);		/* reclaim pushes p out again */
		dev_read_all(p, len);
		bad |= check_values("reclaim", p, len, i);
	}
	leave_memcg(cg);
	return bad;
}

/* Reclaim frees a page after writing it out, past the end. */
SCENARIO(11, "swap", swap, "clear", "",
	 .end_only	= NOTHING,
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) });

/* ---- oom ---- */

/*
 * The OOM reaper's path (__oom_reap_task_mm) reached through
 * process_mrelease(): a child the device caches is SIGKILLed and its mm
 * reaped by the parent.  Both run on one CPU and the parent is SCHED_FIFO,
 * so the child cannot run its exit before the parent has reaped (when the
 * scheduling calls are refused, the two race).
 */
static int oom(void)
{
	size_t len = 64 * ps;
	int i, reaped = 0, pfd[2];
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	cpu_set_t one, all;
	char c;
	pid_t child;

	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one) ||
	    sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &fifo))
		printf("oom: cannot pin and raise priority; the reap races the exit\n");
	for (i = 0; i < iterations; i++) {
		if (pipe(pfd))
			return 1;
		child = fork();
		if (child == 0) {
			char *q = map(len);

			touch(q, len, i);
			dev_read_all(q, len);
			if (write(pfd[1], "r", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		close(pfd[1]);
		if (read(pfd[0], &c, 1) == 1) {
			int pidfd = syscall(SYS_pidfd_open, child, 0);

			kill(child, SIGKILL);
			if (pidfd >= 0 && !syscall(SYS_process_mrelease, pidfd, 0))
				reaped++;
			if (pidfd >= 0)
				close(pidfd);
		}
		close(pfd[0]);
		waitpid(child, NULL, 0);
	}
	sched_setscheduler(0, SCHED_OTHER, &other);
	sched_setaffinity(0, sizeof(all), &all);
	printf("oom: process_mrelease returned 0 for %d of %d children\n", reaped, iterations);
	return 0;
}

/* The reaper races the child's exit (which the release flushes). */
SCENARIO(12, "oom", oom, "unmap", "",
	 .end_only	= NOTHING,
	 .lazy		= { ANY, C(USE_AFTER_FREE), 0 },
	 .drop_ev	= { ANY, C(USE_AFTER_FREE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) });
