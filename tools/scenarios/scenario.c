// SPDX-License-Identifier: GPL-2.0
/*
 * tlbsan-scenario NAME [--seed N] [--iterations N]: small, bounded
 * programs that drive a notifier path while the tlbsan device accesses the
 * memory involved, through the ACCESS command on the program's own pid.
 * Run them under 'tlbsan run --pattern buffers'; they need an attached
 * context (exit 2 otherwise).
 *
 * Expectations (the guest suite checks them on every kernel line):
 * silent under hw and sw; under none every scenario produces violations.
 *
 *   litmus    the 2017 thread: A and B write-protected for COW by fork; CPU
 *             threads write A then B, in order, over two rounds; device
 *             threads read B then A.  Seeing the second write without the
 *             first is an ordering inversion (exit 3 when observed).
 *             end-only: class 2 at the COW's invalidate_range_end.
 *   reuse     munmap a page and map a new one at the same VA while the
 *             device reads it.  Broken models: class 1.
 *   cowstorm  fork children that write shared pages, parent COW-writes,
 *             MADV_DONTFORK and MADV_WIPEONFORK regions, a THP region.
 *             Broken models: classes 1 and 2.
 *   madvise   MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_COLD, MADV_REMOVE
 *             on shmem.  Broken models: class 1.
 *   mprotect  RW -> RO -> NONE -> RW flips with device writes; mremap move,
 *             grow, shrink; MAP_FIXED replacement.  Broken models: classes
 *             1, 3 or 4.
 *   ksm       identical MADV_MERGEABLE pages merged by ksmd (forced to run),
 *             then COW-broken by writes.  Benign reports at the merge;
 *             broken models: classes 1 and 2 at the COW.
 *   thp       a THP collapsed (MADV_COLLAPSE) and split (partial munmap and
 *             mprotect), device reads between; run with --pde to have the
 *             paging-structure cache on.  Broken models: class 1.
 *   migrate   move_pages() of cached pages between NUMA nodes (when the
 *             machine has two) and compaction (/proc/sys/vm/compact_memory).
 *             Broken models: class 1 or 2.
 *   misc      soft-dirty (clear_refs), userfaultfd missing-page faults,
 *             process_madvise, a hugetlb region, and an exit while the
 *             device is mid-access.  Broken models: class 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "nl.h"
#include "tlbsan.h"

#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static struct tlbsan_nl nl;
static long ps;
static unsigned int seed = 1;
static int iterations = 8;

struct acc {
	unsigned int status;
	unsigned long long value;
};

static int acc_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	struct acc *a = arg;

	if (!tlbsan_nl_parse(msg, tb) && tb[TLBSAN_ATTR_STATUS] && tb[TLBSAN_ATTR_VALUE]) {
		a->status = nla_get_u32(tb[TLBSAN_ATTR_STATUS]);
		a->value = nla_get_u64(tb[TLBSAN_ATTR_VALUE]);
	}
	return NL_OK;
}

/* DEV-thread-@thread performs @op on @va; exits 2 if not attached. */
static struct acc dev(int thread, int op, void *va, uint64_t value)
{
	struct acc a = { 0 };
	struct nl_msg *msg = tlbsan_nl_msg(&nl, TLBSAN_CMD_ACCESS, false);
	int err;

	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, getpid()) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, op) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, (uintptr_t)va) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread) ||
	    (op != TLBSAN_OP_READ && nla_put_u64(msg, TLBSAN_ATTR_VALUE, value)))
		exit(2);
	err = tlbsan_nl_request(&nl, msg, acc_reply, &a, "access");
	if (err == -ENOENT || err == -ESRCH) {
		fprintf(stderr, "scenario: not attached (run me under 'tlbsan run')\n");
		exit(2);
	}
	return a;
}

/* A repeated device read stream over [va, va + len) on DEV-thread-@thread. */
static void dev_stream(int thread, void *va, size_t len)
{
	struct nl_msg *msg = tlbsan_nl_msg(&nl, TLBSAN_CMD_BUF_ADD, false);

	if (!msg || nla_put_u32(msg, TLBSAN_ATTR_PID, getpid()) ||
	    nla_put_u32(msg, TLBSAN_ATTR_OP, TLBSAN_OP_READ) ||
	    nla_put_u64(msg, TLBSAN_ATTR_VA, (uintptr_t)va) ||
	    nla_put_u64(msg, TLBSAN_ATTR_LEN, len) ||
	    nla_put_u32(msg, TLBSAN_ATTR_THREAD, thread))
		exit(2);
	if (tlbsan_nl_request(&nl, msg, NULL, NULL, "buf-add"))
		exit(2);
}

static uint64_t dev_read(int thread, void *va)
{
	return dev(thread, TLBSAN_OP_READ, va, 0).value;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("scenario: mmap");
		exit(1);
	}
	return p;
}

static void touch(char *p, size_t len, uint64_t v)
{
	for (size_t i = 0; i < len; i += ps)
		*(volatile uint64_t *)(p + i) = v + i / ps;
}

static void dev_read_all(char *p, size_t len)
{
	for (size_t i = 0; i < len; i += ps)
		dev_read((i / ps) & 1, p + i);
}

/* A child that shares the parent's memory COW until it is reaped. */
static pid_t hold_child(int *fd)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (pipe(pfd))
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		while (read(pfd[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(pfd[0]);
	*fd = pfd[1];
	return pid;
}

static void reap(pid_t pid, int fd)
{
	close(fd);
	waitpid(pid, NULL, 0);
}

/* ---- litmus ---- */

struct write_arg {
	volatile uint64_t *p;
	uint64_t v;
};

static void *cpu_write(void *arg)
{
	struct write_arg *w = arg;

	*w->p = w->v;
	return NULL;
}

/* One CPU thread writes, and the write is complete when it returns. */
static void cpu_thread_write(volatile uint64_t *p, uint64_t v)
{
	struct write_arg w = { p, v };
	pthread_t t;

	pthread_create(&t, NULL, cpu_write, &w);
	pthread_join(t, NULL);
}

static int litmus(void)
{
	volatile uint64_t *a = map(ps), *b = map(ps);
	int inversions = 0, fd, round;
	uint64_t va, vb;
	pid_t child;

	*a = 0;
	*b = 0;
	/* Both pages become COW-shared with a child; the device caches A. */
	dev_read(0, (void *)a);
	child = hold_child(&fd);
	dev_read(0, (void *)a);
	for (round = 1; round <= 2; round++) {
		cpu_thread_write(a, round);	/* CPU-thread-(2r-2): A, COW */
		cpu_thread_write(b, round);	/* CPU-thread-(2r-1): B, after A */
		vb = dev_read(1, (void *)b);	/* DEV-thread-1 reads B ... */
		va = dev_read(0, (void *)a);	/* ... then DEV-thread-0 reads A */
		printf("litmus round %d: DEV-thread-1 read B=%llu, DEV-thread-0 read A=%llu\n",
		       round, (unsigned long long)vb, (unsigned long long)va);
		if (vb == (uint64_t)round && va != (uint64_t)round) {
			printf("litmus: ordering inversion: the device saw the write of B"
			       " without the earlier write of A\n");
			inversions++;
		}
	}
	reap(child, fd);
	return inversions ? 3 : 0;
}

/* ---- reuse ---- */

static int reuse(void)
{
	char *p = map(ps);
	int i;

	for (i = 0; i < iterations; i++) {
		touch(p, ps, i);
		if (dev_read(0, p) != (uint64_t)i)
			printf("reuse: iteration %d: the device read a stale value\n", i);
		munmap(p, ps);
		if (mmap(p, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return 1;
	}
	munmap(p, ps);
	return 0;
}

/* ---- cowstorm ---- */

static int cowstorm(void)
{
	size_t len = 16 * ps, thp = 2UL << 20;
	char *p = map(len), *dontfork = map(ps), *wipe = map(ps), *raw, *h;
	int i, fd;
	pid_t child;

	madvise(dontfork, ps, MADV_DONTFORK);
	madvise(wipe, ps, MADV_WIPEONFORK);
	raw = map(2 * thp);
	h = (char *)(((uintptr_t)raw + thp - 1) & ~(thp - 1));
	madvise(h, thp, MADV_HUGEPAGE);
	touch(h, thp, 7);
	touch(dontfork, ps, 1);
	touch(wipe, ps, 1);
	for (i = 0; i < iterations; i++) {
		touch(p, len, i);
		dev_read_all(p, len);
		dev_read(0, h + (rand_r(&seed) % 512) * ps);
		dev_read(1, dontfork);
		dev_read(1, wipe);
		child = hold_child(&fd);
		if (rand_r(&seed) & 1) {
			pid_t w = fork();

			if (w == 0) {
				touch(p, len, 100 + i);	/* the child's own COW copies */
				_exit(0);
			}
			waitpid(w, NULL, 0);
		}
		touch(p, len, 200 + i);		/* the parent COW-writes */
		touch(h, ps, i);		/* COW of the THP (split or copy) */
		dev_read_all(p, len);
		reap(child, fd);
	}
	return 0;
}

/* ---- madvise ---- */

static int madv(void)
{
	size_t len = 16 * ps;
	char *p = map(len), *shm;
	int i;

	shm = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shm == MAP_FAILED)
		return 1;
	for (i = 0; i < iterations; i++) {
		static const int advice[] = { MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_COLD };
		int a = advice[i % 4];

		touch(p, len, i);
		dev_read_all(p, len);
		madvise(p, len, a);
		dev_read_all(p, len);
		touch(shm, len, i);
		dev_read_all(shm, len);
		madvise(shm, len, MADV_REMOVE);
		dev_read_all(shm, len);
	}
	return 0;
}

/* ---- mprotect, mremap, MAP_FIXED ---- */

static int mprot(void)
{
	size_t len = 8 * ps;
	char *p = map(len), *q;
	int i;

	for (i = 0; i < iterations; i++) {
		touch(p, len, i);
		dev_read_all(p, len);
		dev(0, TLBSAN_OP_WRITE, p, i);
		mprotect(p, len, PROT_READ);
		dev(0, TLBSAN_OP_WRITE, p, i);
		mprotect(p, len, PROT_NONE);
		dev_read(1, p + ps);
		mprotect(p, len, PROT_READ | PROT_WRITE);
		dev(1, TLBSAN_OP_WRITE, p + ps, i);

		/* mremap: move, grow, shrink */
		q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, map(len));
		if (q == MAP_FAILED)
			return 1;
		dev_read_all(q, len);
		p = mremap(q, len, 2 * len, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return 1;
		touch(p, 2 * len, i);
		dev_read_all(p, 2 * len);
		p = mremap(p, 2 * len, len, 0);
		dev_read_all(p, len);

		/* MAP_FIXED replacement of a cached range */
		if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return 1;
		dev_read_all(p, len);
	}
	return 0;
}

/* ---- ksm ---- */

static int write_file(const char *path, const char *v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(v, f) >= 0;
	return fclose(f) || !ok ? -1 : 0;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int ksm(void)
{
	size_t len = 16 * ps;
	char *p = map(len), path[64];
	long merged = 0;
	int i;

	if (write_file("/sys/kernel/mm/ksm/sleep_millisecs", "0") ||
	    write_file("/sys/kernel/mm/ksm/pages_to_scan", "10000")) {
		printf("ksm: no KSM; nothing to do\n");
		return 0;
	}
	for (i = 0; i < 16; i++)
		*(uint64_t *)(p + i * ps) = 0x4b534d;
	dev_read_all(p, len);
	madvise(p, len, MADV_MERGEABLE);
	write_file("/sys/kernel/mm/ksm/run", "1");
	snprintf(path, sizeof(path), "/proc/%d/ksm_merging_pages", getpid());
	/* Bounded wait for ksmd; the scenario is valid whatever it merged. */
	for (i = 0; i < 100000 && merged < 16; i++)
		merged = read_long(path);
	write_file("/sys/kernel/mm/ksm/run", "0");
	printf("ksm: %ld pages merged\n", merged);
	dev_read_all(p, len);
	touch(p, len, 1);		/* COW-break every merged page */
	dev_read_all(p, len);
	return 0;
}

/* ---- thp ---- */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

static int thp(void)
{
	size_t huge = 2UL << 20;
	char *raw, *h;
	int i;

	for (i = 0; i < iterations; i++) {
		raw = map(2 * huge);
		h = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
		madvise(h, huge, MADV_NOHUGEPAGE);
		touch(h, huge, i);		/* small pages, in one PTE table */
		dev_read(0, h);			/* caches the PTE table too (--pde) */
		dev_read(1, h + 511 * ps);
		madvise(h, huge, MADV_HUGEPAGE);
		madvise(h, huge, MADV_COLLAPSE);	/* PTE table replaced by a PMD */
		dev_read(0, h + ps);
		dev_read(1, h);
		mprotect(h + 16 * ps, ps, PROT_READ);	/* split */
		dev_read(0, h + 16 * ps);
		munmap(h + 256 * ps, 16 * ps);		/* partial unmap */
		dev_read(1, h + 255 * ps);
		munmap(raw, 2 * huge);
	}
	return 0;
}

/* ---- migrate ---- */

static int migrate(void)
{
	size_t len = 16 * ps;
	char *p = map(len);
	void *pages[16];
	int nodes[16], status[16], i, k, nr_nodes = 0;
	char path[64];

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", i);
		if (access(path, F_OK) == 0)
			nr_nodes = i + 1;
	}
	printf("migrate: %d NUMA node(s)\n", nr_nodes);
	for (k = 0; k < iterations; k++) {
		touch(p, len, k);
		dev_read_all(p, len);
		if (nr_nodes >= 2) {
			for (i = 0; i < 16; i++) {
				pages[i] = p + i * ps;
				nodes[i] = (k + i) & 1;
			}
			if (syscall(SYS_move_pages, 0, 16, pages, nodes, status, 2 /* MPOL_MF_MOVE */))
				perror("migrate: move_pages");
			dev_read_all(p, len);
		}
		if (k == 0 && write_file("/proc/sys/vm/compact_memory", "1"))
			printf("migrate: no compaction here\n");
		dev_read_all(p, len);
	}
	return 0;
}

/* ---- misc ---- */


static int soft_dirty(char *p, size_t len)
{
	touch(p, len, 5);
	dev_read_all(p, len);
	if (write_file("/proc/self/clear_refs", "4"))	/* soft-dirty: write-protects */
		return 0;
	dev(0, TLBSAN_OP_WRITE, p, 6);
	touch(p, len, 7);
	dev_read_all(p, len);
	return 0;
}

static void *uffd_handler(void *arg)
{
	int uffd = (int)(intptr_t)arg;
	static char page[65536] __attribute__((aligned(65536)));
	struct uffd_msg msg;

	memset(page, 0x5a, sizeof(page));
	while (read(uffd, &msg, sizeof(msg)) == sizeof(msg)) {
		struct uffdio_copy copy = {
			.dst = msg.arg.pagefault.address & ~((uint64_t)ps - 1),
			.src = (uintptr_t)page,
			.len = ps,
		};

		if (msg.event == UFFD_EVENT_PAGEFAULT)
			ioctl(uffd, UFFDIO_COPY, &copy);
	}
	return NULL;
}

static int userfault(void)
{
	size_t len = 4 * ps;
	char *p = map(len);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	pthread_t t;
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("misc: no userfaultfd here\n");
		return 0;
	}
	pthread_create(&t, NULL, uffd_handler, (void *)(intptr_t)uffd);
	/* Device page requests fault through the userfaultfd handler. */
	dev_read_all(p, len);
	madvise(p, len, MADV_DONTNEED);
	dev_read_all(p, len);
	close(uffd);
	munmap(p, len);
	return 0;
}

static int misc(void)
{
	size_t len = 8 * ps;
	char *p = map(len), *hp;
	struct iovec iov = { p, len };
	int pidfd, i;
	pid_t child;

	soft_dirty(p, len);
	userfault();
	/* process_madvise(MADV_COLD) on ourselves through a pidfd */
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	touch(p, len, 9);
	dev_read_all(p, len);
	if (pidfd >= 0)
		syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0);
	dev_read_all(p, len);
	/* a 2 MiB hugetlb region, if the system has one */
	hp = mmap(NULL, 2UL << 20, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (hp != MAP_FAILED) {
		touch(hp, ps, 3);
		dev_read(0, hp);
		munmap(hp, 2UL << 20);
	}
	/* A child exits while its device context is mid-access. */
	for (i = 0; i < iterations; i++) {
		child = fork();
		if (child == 0) {
			char *c = map(len);

			touch(c, len, i);
			dev_read_all(c, len);
			dev_stream(i & 1, c, len);	/* the device keeps reading ... */
			_exit(0);			/* ... while the mm goes away */
		}
		waitpid(child, NULL, 0);
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} scenarios[] = {
	{ "litmus", litmus },
	{ "reuse", reuse },
	{ "cowstorm", cowstorm },
	{ "madvise", madv },
	{ "mprotect", mprot },
	{ "ksm", ksm },
	{ "thp", thp },
	{ "migrate", migrate },
	{ "misc", misc },
};

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	size_t i;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == '?' || tlbsan_parse_u64(optarg, 1, 1000000, &v)) {
			fprintf(stderr, "usage: tlbsan-scenario [--seed N] [--iterations N] NAME\n");
			return 2;
		}
		if (c == 's')
			seed = (unsigned int)v;
		else
			iterations = (int)v;
	}
	ps = sysconf(_SC_PAGESIZE);
	for (i = 0; optind == argc - 1 && i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[optind], scenarios[i].name))
			continue;
		if (tlbsan_nl_open(&nl) != EXIT_OK)
			return 2;
		return scenarios[i].fn();
	}
	fprintf(stderr, "usage: tlbsan-scenario [--seed N] [--iterations N] "
		"litmus|reuse|cowstorm|madvise|mprotect|ksm|thp|migrate|misc\n");
	return 2;
}
