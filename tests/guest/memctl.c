// SPDX-License-Identifier: GPL-2.0
/*
 * memctl: a process whose memory the guest tests script line by line.
 * Each command on stdin gets exactly one line on stdout ("err ..." on
 * failure), so a test always knows the operation has returned.
 *
 *   map NAME PAGES [thp|hugetlb1g|nofill]  -> "NAME 0xADDR huge=N"
 *       anonymous RW; pages filled with their index unless nofill;
 *       thp: 2 MiB aligned with MADV_HUGEPAGE; huge=N is the region's
 *       AnonHugePages/hugetlb size in KiB from /proc/self/smaps
 *   write ADDR VALUE | read ADDR            -> "ok" | "0xVALUE" (u64)
 *   munmap ADDR LEN | dontneed ADDR LEN     -> "ok"
 *   protect ADDR LEN ro|rw|none             -> "ok"
 *   thread                                  -> "TID" of a new idle thread
 *   fork | reap        -> "PID" of a child sharing memory COW | "ok" once it is gone
 *   ksm ADDR LEN                            -> "ok" (MADV_MERGEABLE)
 *   zapstorm THREADS ITERS  -> "ok" once THREADS threads each faulted in
 *       and MADV_DONTNEED'ed a region of their own ITERS times: brackets
 *       of one mm in progress at once
 *   mixstorm THREADS ITERS ADDR PAGES  -> "ok" once THREADS threads ran
 *       ITERS rounds each, thread i doing by i % 3: zap a region of its
 *       own; write-protect and unprotect its slice of [ADDR, +PAGES);
 *       write its slice and MADV_DONTNEED it (slices: PAGES / THREADS)
 *   exit
 * Region kinds also include "secret": memfd_secret(2) memory, which is
 * not in the kernel's direct map; "hugetlb2m": one 2 MiB hugetlb page
 * (from the pool: set nr_hugepages first); and "uffd": anonymous memory
 * left unpopulated and registered with userfaultfd for missing pages,
 * with nobody serving the faults (the descriptor stays open, unread).
 *
 * memctl caps CAP[,CAP...] -- PROGRAM ARGS: run PROGRAM as root with only
 * those capabilities (net_admin, sys_admin, sys_ptrace) in its bounding
 * set, so that it keeps only them across exec.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

static unsigned long smaps_huge_kb(unsigned long addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	unsigned long start, end, kb = 0;
	int in = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in = addr >= start && addr < end;
			continue;
		}
		if (in && (sscanf(line, "AnonHugePages: %lu kB", &kb) == 1 ||
			   sscanf(line, "Private_Hugetlb: %lu kB", &kb) == 1) && kb)
			break;
		kb = 0;
	}
	fclose(f);
	return kb;
}

static void *idle_thread(void *arg)
{
	int *fd = arg;
	char c;

	printf("%ld\n", (long)syscall(SYS_gettid));
	/* Idle until the process exits. */
	while (read(fd[0], &c, 1) > 0)
		;
	return NULL;
}

static void do_map(const char *name, unsigned long pages, const char *kind)
{
	long ps = sysconf(_SC_PAGESIZE);
	size_t len = pages * ps;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p, *raw;

	if (kind && !strcmp(kind, "hugetlb1g")) {
		p = mmap(NULL, 1UL << 30, PROT_READ | PROT_WRITE,
			 flags | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
		if (p == MAP_FAILED) {
			printf("err hugetlb1g\n");
			return;
		}
		len = 1UL << 30;
	} else if (kind && !strcmp(kind, "hugetlb2m")) {
		p = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE, flags | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED) {
			printf("err hugetlb2m\n");
			return;
		}
		len = 2UL << 20;
	} else if (kind && !strcmp(kind, "secret")) {
		int fd = syscall(SYS_memfd_secret, 0);

		if (fd < 0 || ftruncate(fd, len)) {
			printf("err memfd_secret\n");
			return;
		}
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED) {
			printf("err mmap\n");
			return;
		}
	} else if (kind && !strcmp(kind, "uffd")) {
		struct uffdio_api api = { .api = UFFD_API };
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
		int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
		reg.range.start = (unsigned long)p;
		reg.range.len = len;
		if (fd < 0 || p == MAP_FAILED || ioctl(fd, UFFDIO_API, &api) ||
		    ioctl(fd, UFFDIO_REGISTER, &reg)) {
			printf("err userfaultfd\n");
			return;
		}
		/* (never closed: the region stays registered, its faults unserved) */
		printf("%s %p huge=0\n", name, (void *)p);
		return;
	} else if (kind && !strcmp(kind, "thp")) {
		raw = mmap(NULL, len + (2UL << 20), PROT_READ | PROT_WRITE, flags, -1, 0);
		if (raw == MAP_FAILED) {
			printf("err mmap\n");
			return;
		}
		p = (char *)(((uintptr_t)raw + (2UL << 20) - 1) & ~((2UL << 20) - 1));
		madvise(p, len, MADV_HUGEPAGE);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, -1, 0);
		if (p == MAP_FAILED) {
			printf("err mmap\n");
			return;
		}
	}
	if (!kind || strcmp(kind, "nofill"))
		for (size_t i = 0; i < len; i += ps)
			*(uint64_t *)(p + i) = i / ps;
	printf("%s %p huge=%lu\n", name, (void *)p, smaps_huge_kb((unsigned long)p));
}

#define ZAP_PAGES	16

static void *zap_loop(void *arg)
{
	long iters = (long)arg, ps = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, ZAP_PAGES * ps, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)1;
	for (long i = 0; i < iters; i++) {
		for (long k = 0; k < ZAP_PAGES; k++)
			p[k * ps] = (char)i;
		madvise(p, ZAP_PAGES * ps, MADV_DONTNEED);
	}
	munmap(p, ZAP_PAGES * ps);
	return NULL;
}

static void zapstorm(unsigned long threads, unsigned long iters)
{
	pthread_t th[64];
	void *ret;
	int bad = 0;
	unsigned long i, n = threads > 64 ? 64 : threads;

	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, zap_loop, (void *)iters))
			break;
	n = i;
	for (i = 0; i < n; i++) {
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
	}
	printf(n && !bad ? "ok\n" : "err zapstorm\n");
}

struct mix {
	pthread_t th;
	int kind;
	long iters;
	char *p;
	size_t len;
};

static void *mix_loop(void *arg)
{
	struct mix *m = arg;
	long ps = sysconf(_SC_PAGESIZE);
	volatile char *v = m->p;

	if (m->kind == 0)
		return zap_loop((void *)m->iters);
	for (long i = 0; i < m->iters; i++) {
		if (m->kind == 1) {
			if (mprotect(m->p, m->len, PROT_READ))
				return (void *)1;
			for (size_t k = 0; k < m->len; k += ps)
				(void)v[k];
			if (mprotect(m->p, m->len, PROT_READ | PROT_WRITE))
				return (void *)1;
		} else {
			for (size_t k = 0; k < m->len; k += ps)
				v[k] = (char)i;
			if (madvise(m->p, m->len, MADV_DONTNEED))
				return (void *)1;
		}
	}
	return NULL;
}

static void mixstorm(unsigned long threads, unsigned long iters, char *addr,
		     unsigned long pages)
{
	static struct mix mix[64];
	long ps = sysconf(_SC_PAGESIZE);
	unsigned long i, n = threads > 64 ? 64 : threads;
	size_t slice = n ? pages / n * ps : 0;
	void *ret;
	int bad = 0;

	if (!slice) {
		printf("err mixstorm: fewer pages than threads\n");
		return;
	}
	for (i = 0; i < n; i++) {
		mix[i] = (struct mix){ .kind = i % 3, .iters = iters,
				       .p = addr + i * slice, .len = slice };
		if (pthread_create(&mix[i].th, NULL, mix_loop, &mix[i]))
			break;
	}
	n = i;
	for (i = 0; i < n; i++) {
		pthread_join(mix[i].th, &ret);
		bad |= ret != NULL;
	}
	printf(n && !bad ? "ok\n" : "err mixstorm\n");
}

static int cap_number(const char *name, size_t n)
{
	static const struct { const char *name; int nr; } caps[] = {
		{ "net_admin", 12 }, { "sys_ptrace", 19 }, { "sys_admin", 21 },
	};

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (strlen(caps[i].name) == n && !strncmp(caps[i].name, name, n))
			return caps[i].nr;
	return -1;
}

/* memctl caps LIST -- PROGRAM ARGS */
static int run_with_caps(char *list, char **argv)
{
	unsigned long long keep = 0;
	char *p = list;
	int cap, last = 40;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = 40;
		fclose(f);
	}
	while (*p) {
		size_t n = strcspn(p, ",");

		cap = cap_number(p, n);
		if (cap < 0) {
			fprintf(stderr, "memctl: unknown capability '%.*s'\n", (int)n, p);
			return 2;
		}
		keep |= 1ULL << cap;
		p += n + (p[n] == ',');
	}
	for (cap = 0; cap <= last; cap++)
		if (!(keep & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			perror("memctl: PR_CAPBSET_DROP");
			return 2;
		}
	execvp(argv[0], argv);
	perror("memctl: exec");
	return 2;
}

static int main_loop(void);

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "caps") && !strcmp(argv[3], "--"))
		return run_with_caps(argv[2], argv + 4);
	if (argc != 1) {
		fprintf(stderr, "usage: memctl | memctl caps CAP[,CAP...] -- PROGRAM ARGS\n");
		return 2;
	}
	return main_loop();
}

static int main_loop(void)
{
	char line[256], a[64], b[64], c[64], d[64], e[64];
	static int pipefd[2];
	int childfd[2] = { -1, -1 };
	pid_t child = 0;
	unsigned long x, y;
	pthread_t th;
	int n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(pipefd))
		return 1;
	printf("ready %d\n", (int)getpid());
	while (fgets(line, sizeof(line), stdin)) {
		n = sscanf(line, "%63s %63s %63s %63s %63s", a, b, c, d, e);
		if (n < 1)
			continue;
		if (!strcmp(a, "map") && n >= 3) {
			do_map(b, strtoul(c, NULL, 0), n >= 4 ? d : NULL);
		} else if (!strcmp(a, "write") && n == 3) {
			*(volatile uint64_t *)strtoul(b, NULL, 0) = strtoull(c, NULL, 0);
			printf("ok\n");
		} else if (!strcmp(a, "read") && n == 2) {
			printf("0x%llx\n", (unsigned long long)*(volatile uint64_t *)strtoul(b, NULL, 0));
		} else if (!strcmp(a, "munmap") && n == 3) {
			x = strtoul(b, NULL, 0);
			y = strtoul(c, NULL, 0);
			printf(munmap((void *)x, y) ? "err munmap\n" : "ok\n");
		} else if (!strcmp(a, "dontneed") && n == 3) {
			x = strtoul(b, NULL, 0);
			y = strtoul(c, NULL, 0);
			printf(madvise((void *)x, y, MADV_DONTNEED) ? "err madvise\n" : "ok\n");
		} else if (!strcmp(a, "protect") && n == 4) {
			int prot = !strcmp(d, "rw") ? PROT_READ | PROT_WRITE :
				   !strcmp(d, "ro") ? PROT_READ : PROT_NONE;

			x = strtoul(b, NULL, 0);
			y = strtoul(c, NULL, 0);
			printf(mprotect((void *)x, y, prot) ? "err mprotect\n" : "ok\n");
		} else if (!strcmp(a, "thread")) {
			if (pthread_create(&th, NULL, idle_thread, pipefd))
				printf("err thread\n");
		} else if (!strcmp(a, "fork")) {
			if (pipe(childfd))
				return 1;
			child = fork();
			if (child == 0) {
				close(childfd[1]);
				/* Hold the COW-shared memory until reaped. */
				while (read(childfd[0], &c[0], 1) > 0)
					;
				_exit(0);
			}
			close(childfd[0]);
			printf("%d\n", (int)child);
		} else if (!strcmp(a, "reap")) {
			close(childfd[1]);
			printf(child > 0 && waitpid(child, NULL, 0) == child ? "ok\n" : "err reap\n");
			child = 0;
		} else if (!strcmp(a, "ksm") && n == 3) {
			x = strtoul(b, NULL, 0);
			y = strtoul(c, NULL, 0);
			printf(madvise((void *)x, y, MADV_MERGEABLE) ? "err madvise\n" : "ok\n");
		} else if (!strcmp(a, "zapstorm") && n == 3) {
			zapstorm(strtoul(b, NULL, 0), strtoul(c, NULL, 0));
		} else if (!strcmp(a, "mixstorm") && n == 5) {
			mixstorm(strtoul(b, NULL, 0), strtoul(c, NULL, 0),
				 (char *)strtoul(d, NULL, 0), strtoul(e, NULL, 0));
		} else if (!strcmp(a, "exit")) {
			return 0;
		} else {
			printf("err unknown command\n");
		}
	}
	return 0;
}
