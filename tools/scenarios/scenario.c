// SPDX-License-Identifier: GPL-2.0
/*
 * tlbsan-scenario NAME [--seed N] [--iterations N]: small, bounded
 * programs that drive a notifier path while the tlbsan device accesses the
 * memory involved, through the ACCESS command on the program's own pid.
 * Run them under 'tlbsan run --pattern buffers'; they need an attached
 * context (exit 2 otherwise).
 *
 * What each must produce under each model is the table 'scenarios[]'
 * below ('tlbsan-scenario --list' prints it; the guest suite holds every
 * kernel line to it).
 *
 *   litmus    the 2017 thread: A and B write-protected for COW by fork; CPU
 *             threads write A then B, in order, over two rounds; device
 *             threads read B then A.  Seeing the second write without the
 *             first is an ordering inversion (exit 3 when observed).
 *   reuse     munmap a page and map a new one at the same VA while the
 *             device reads it.
 *   cowstorm  fork children that write shared pages, parent COW-writes,
 *             MADV_DONTFORK and MADV_WIPEONFORK regions, a THP region.
 *   madvise   MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_COLD, MADV_REMOVE
 *             on shmem.
 *   mprotect  RW -> RO -> NONE -> RW flips with device writes; mremap move,
 *             grow, shrink; MAP_FIXED replacement.
 *   ksm       identical MADV_MERGEABLE pages merged by ksmd (forced to run),
 *             then COW-broken by writes (benign reports at the merge).
 *   thp       a THP collapsed (MADV_COLLAPSE) and split (partial munmap and
 *             mprotect), shmem collapsed; run with --pde to have the
 *             paging-structure cache on.
 *   migrate   move_pages() and mbind() between NUMA nodes (when there are
 *             two), compaction, MADV_SOFT_OFFLINE, a THP split (debugfs).
 *   misc      a time namespace joined (vvar zapped), soft-dirty, writeback
 *             of a shared block-device mapping (page_mkclean), userfaultfd
 *             missing and write-protect modes, process_madvise, and an
 *             exit while the device is mid-access.
 *   hugetlb   private 2 MiB hugetlb: fork, COW, mprotect, mremap,
 *             MADV_DONTNEED, munmap; shared 1 GiB-spanning hugetlb with
 *             userfaultfd write-protect (PMD unsharing).
 *   swap      MADV_PAGEOUT and memory-cgroup reclaim to zram swap, then
 *             swap-in by device page requests.
 *   oom       the OOM reaper's unmap, through process_mrelease().
 *   uprobe    a uprobe on the program's own text enabled and disabled.
 *   bigzap    pages freed inside the bracket: 64 MiB unmapped (munmap,
 *             MADV_DONTNEED) overflows the mmu_gather, which flushes and
 *             frees mid-zap; one munmap of anonymous memory and dirty shmem
 *             makes it flush at the shmem's first PTE table.
 *   cowkeep   COW of pages that stay allocated (a child keeps them; the
 *             zero page; a THP; the huge zero page): the device reads each
 *             page after its write returned (exit 3 on a stale read).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
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
	unsigned int page_shift;	/* of the translation used: 12, 21 or 30 */
};

static int acc_reply(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[TLBSAN_ATTR_MAX + 1];
	struct acc *a = arg;

	if (!tlbsan_nl_parse(msg, tb) && tb[TLBSAN_ATTR_STATUS] && tb[TLBSAN_ATTR_VALUE]) {
		a->status = nla_get_u32(tb[TLBSAN_ATTR_STATUS]);
		a->value = nla_get_u64(tb[TLBSAN_ATTR_VALUE]);
		if (tb[TLBSAN_ATTR_PAGE_SHIFT])
			a->page_shift = nla_get_u32(tb[TLBSAN_ATTR_PAGE_SHIFT]);
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

#define HPAGE_2M (2UL << 20)
#define NR_HUGEPAGES_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

static char *align_2m(char *p)
{
	return (char *)(((uintptr_t)p + HPAGE_2M - 1) & ~(HPAGE_2M - 1));
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
	h = align_2m(raw);
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
		/* The device caches the pages the fork write-protected. */
		dev_read_all(p, len);
		dev_read(0, h);
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

/*
 * MADV_COLLAPSE of shared anonymous memory (shmem): the small pages are
 * unmapped from every mm (try_to_unmap) and the PTE table retracted.  The
 * mapping starts 2 MiB-aligned at file offset 0, so that a huge page fits.
 */
static int thp_shmem(void)
{
	size_t huge = 2UL << 20;
	char *raw, *h;
	int i;

	for (i = 0; i < iterations; i++) {
		raw = map(2 * huge);
		h = align_2m(raw);
		if (mmap(h, huge, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			return 1;
		touch(h, huge, i);
		dev_read(0, h);
		dev_read(1, h + 300 * ps);
		madvise(h, huge, MADV_COLLAPSE);
		dev_read(0, h + ps);
		dev_read(1, h + 300 * ps);
		munmap(raw, 2 * huge);
	}
	return 0;
}

static int thp(void)
{
	size_t huge = 2UL << 20;
	char *raw, *h;
	int i;

	for (i = 0; i < iterations; i++) {
		raw = map(2 * huge);
		h = align_2m(raw);
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
	return thp_shmem();
}

/* ---- migrate ---- */

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif

/* Splitting an anonymous THP goes through migration entries. */
static int migrate_thp_split(void)
{
	size_t huge = 2UL << 20;
	char *raw = map(2 * huge), *h, cmd[96];

	h = align_2m(raw);
	madvise(h, huge, MADV_HUGEPAGE);
	touch(h, huge, 3);
	dev_read(0, h);
	dev_read(1, h + 100 * ps);
	snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx", getpid(), (unsigned long)h,
		 (unsigned long)(h + huge));
	if (write_file("/sys/kernel/debug/split_huge_pages", cmd))
		printf("migrate: no split_huge_pages in debugfs\n");
	dev_read(0, h);
	dev_read(1, h + 100 * ps);
	munmap(raw, 2 * huge);
	return 0;
}

static int migrate(void)
{
	size_t len = 16 * ps;
	char *p = map(len);
	void *pages[16];
	int nodes[16], status[16], i, k, nr_nodes = 0;
	unsigned long mask;
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
			/* mbind(MPOL_BIND, MPOL_MF_MOVE) moves them all to one node. */
			mask = 1UL << (k & 1);
			if (syscall(SYS_mbind, p, len, 2 /* MPOL_BIND */, &mask, 64,
				    2 /* MPOL_MF_MOVE */))
				perror("migrate: mbind");
			dev_read_all(p, len);
			syscall(SYS_mbind, p, len, 0 /* MPOL_DEFAULT */, NULL, 0, 0);
		}
		if (k == 0 && write_file("/proc/sys/vm/compact_memory", "1"))
			printf("migrate: no compaction here\n");
		dev_read_all(p, len);
		/* Soft offline migrates a page away from its frame. */
		if (madvise(p + (k % 16) * ps, ps, MADV_SOFT_OFFLINE))
			perror("migrate: MADV_SOFT_OFFLINE");
		dev_read_all(p, len);
	}
	return migrate_thp_split();
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

/*
 * A userfaultfd and the thread serving it.  The thread is stopped and
 * joined before the descriptor is closed: a handler still looping could
 * otherwise read whatever file the next userfaultfd() gets at that number.
 */
struct uffd_server {
	int uffd, stop[2];
	pthread_t thread;
	void (*serve)(int uffd, const struct uffd_msg *msg);
};

static void *uffd_serve(void *arg)
{
	struct uffd_server *u = arg;
	struct pollfd pfd[2] = { { u->uffd, POLLIN, 0 }, { u->stop[0], POLLIN, 0 } };
	struct uffd_msg msg;

	while (poll(pfd, 2, -1) > 0 && !pfd[1].revents) {
		if (read(u->uffd, &msg, sizeof(msg)) == sizeof(msg) &&
		    msg.event == UFFD_EVENT_PAGEFAULT)
			u->serve(u->uffd, &msg);
	}
	return NULL;
}

/* A userfaultfd registered on [p, p + len) in @mode, served by @serve. */
static int uffd_start(struct uffd_server *u, void *p, size_t len, uint64_t mode,
		      void (*serve)(int uffd, const struct uffd_msg *msg))
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = mode,
	};

	u->serve = serve;
	u->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (u->uffd < 0)
		return -1;
	if (ioctl(u->uffd, UFFDIO_API, &api) || ioctl(u->uffd, UFFDIO_REGISTER, &reg) ||
	    pipe(u->stop)) {
		close(u->uffd);
		return -1;
	}
	pthread_create(&u->thread, NULL, uffd_serve, u);
	return 0;
}

static void uffd_stop(struct uffd_server *u)
{
	if (write(u->stop[1], "s", 1) != 1)
		exit(1);
	pthread_join(u->thread, NULL);
	close(u->stop[0]);
	close(u->stop[1]);
	close(u->uffd);
}

/* Missing-page faults are filled with a page of 0x5a. */
static void serve_missing(int uffd, const struct uffd_msg *msg)
{
	static char page[65536] __attribute__((aligned(65536)));
	struct uffdio_copy copy = {
		.dst = msg->arg.pagefault.address & ~((uint64_t)ps - 1),
		.src = (uintptr_t)page,
		.len = ps,
	};

	memset(page, 0x5a, sizeof(page));
	ioctl(uffd, UFFDIO_COPY, &copy);
}

static int userfault(void)
{
	size_t len = 4 * ps;
	char *p = map(len);
	struct uffd_server u;

	if (uffd_start(&u, p, len, UFFDIO_REGISTER_MODE_MISSING, serve_missing)) {
		printf("misc: no userfaultfd here\n");
		return 0;
	}
	/* Device page requests fault through the userfaultfd handler. */
	dev_read_all(p, len);
	madvise(p, len, MADV_DONTNEED);
	dev_read_all(p, len);
	uffd_stop(&u);
	munmap(p, len);
	return 0;
}

/* Write-protect faults (CPU or device page requests) lift the protection. */
static void serve_wp(int uffd, const struct uffd_msg *msg)
{
	struct uffdio_writeprotect wp = {
		.range = {
			.start = msg->arg.pagefault.address & ~((uint64_t)ps - 1),
			.len = ps,
		},
		.mode = 0,
	};

	if (msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP)
		ioctl(uffd, UFFDIO_WRITEPROTECT, &wp);
}

/*
 * userfaultfd write-protect mode: the device holds writable translations
 * when UFFDIO_WRITEPROTECT takes write access away; then the device and a
 * CPU thread write, and the handler lifts the protection page by page.
 */
static int userfault_wp(void)
{
	size_t len = 4 * ps;
	char *p = map(len);
	struct uffdio_writeprotect wp = {
		.range = { .start = (uintptr_t)p, .len = len },
		.mode = UFFDIO_WRITEPROTECT_MODE_WP,
	};
	struct uffd_server u;

	touch(p, len, 11);
	if (uffd_start(&u, p, len, UFFDIO_REGISTER_MODE_WP, serve_wp)) {
		printf("misc: no userfaultfd write-protect mode here\n");
		return 0;
	}
	for (size_t i = 0; i < len; i += ps)
		dev(i / ps & 1, TLBSAN_OP_WRITE, p + i, 12);
	if (ioctl(u.uffd, UFFDIO_WRITEPROTECT, &wp))
		perror("misc: UFFDIO_WRITEPROTECT");
	dev(0, TLBSAN_OP_WRITE, p, 13);
	cpu_thread_write((uint64_t *)(p + ps), 14);
	dev_read_all(p, len);
	uffd_stop(&u);
	munmap(p, len);
	return 0;
}

/*
 * Writeback of a dirty MAP_SHARED page of a block device (the second zram
 * device): page_mkclean write-protects every mapping of it.
 */
static int mkclean(void)
{
	size_t len = 4 * ps;
	char *p;
	int fd;

	if (read_long("/sys/block/zram1/disksize") == 0)
		write_file("/sys/block/zram1/disksize", "4M");
	fd = open("/dev/zram1", O_RDWR);
	if (fd < 0) {
		printf("misc: no /dev/zram1 for writeback\n");
		return 0;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 1;
	touch(p, len, 21);
	for (size_t i = 0; i < len; i += ps)
		dev(i / ps & 1, TLBSAN_OP_WRITE, p + i, 22);
	if (msync(p, len, MS_SYNC))		/* write-protected for writeback */
		perror("misc: msync");
	dev(0, TLBSAN_OP_WRITE, p, 23);
	dev_read_all(p, len);
	munmap(p, len);
	return 0;
}

/*
 * Joining a time namespace remaps the vvar page (zapped).  Must run while
 * the process is still single-threaded.
 */
static void timens(void)
{
	int fd;

	if (unshare(CLONE_NEWTIME)) {
		printf("misc: no time namespaces here\n");
		return;
	}
	fd = open("/proc/self/ns/time_for_children", O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWTIME))
		perror("misc: setns(CLONE_NEWTIME)");
	if (fd >= 0)
		close(fd);
}

static int misc(void)
{
	size_t len = 8 * ps;
	char *p = map(len);
	struct iovec iov = { p, len };
	int pidfd, i;
	pid_t child;

	timens();
	soft_dirty(p, len);
	mkclean();
	userfault();
	userfault_wp();
	/* process_madvise(MADV_COLD) on ourselves through a pidfd */
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	touch(p, len, 9);
	dev_read_all(p, len);
	if (pidfd >= 0)
		syscall(SYS_process_madvise, pidfd, &iov, 1, MADV_COLD, 0);
	dev_read_all(p, len);
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

/* ---- hugetlb ---- */

/*
 * Registering userfaultfd write-protection on a shared hugetlb mapping
 * that spans a whole 1 GiB-aligned range unshares its PMD tables (address
 * space only: MAP_NORESERVE, nothing populated but one page).
 */
static void hugetlb_shared_unshare(void)
{
	size_t gb = 1UL << 30, len = 2 * gb;
	char *raw, *p;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	int uffd;

	raw = mmap(NULL, len + gb, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return;
	p = (char *)(((uintptr_t)raw + gb - 1) & ~(gb - 1));
	if (mmap(p, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_NORESERVE | MAP_FIXED,
		 -1, 0) == MAP_FAILED) {
		perror("hugetlb: shared mapping");
		munmap(raw, len + gb);
		return;
	}
	touch(p, ps, 31);
	dev_read(0, p);
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	reg.range.start = (uintptr_t)p;
	reg.range.len = len;
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) || ioctl(uffd, UFFDIO_REGISTER, &reg))
		printf("hugetlb: no userfaultfd write-protect on shared hugetlb here\n");
	dev_read(1, p);
	if (uffd >= 0)
		close(uffd);
	munmap(raw, len + gb);
}

/*
 * A private 2 MiB hugetlb mapping: fork (copy_hugetlb_page_range
 * write-protects it), COW by the parent, mprotect, mremap move,
 * MADV_DONTNEED and munmap, the device reading after each step.
 */
static int hugetlb(void)
{
	size_t len = 2 * HPAGE_2M;
	char *p, *raw, *dst;
	int i, fd;
	pid_t child;

	if (read_long(NR_HUGEPAGES_2M) < 8 && write_file(NR_HUGEPAGES_2M, "8"))
		printf("hugetlb: cannot reserve 2 MiB pages\n");
	for (i = 0; i < iterations; i++) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED) {
			perror("hugetlb: mmap(MAP_HUGETLB)");
			return 1;
		}
		touch(p, len, i);
		child = hold_child(&fd);	/* both huge pages COW-shared */
		dev_read(0, p);
		dev_read(1, p + HPAGE_2M);
		touch(p, ps, 100 + i);		/* COW of the first huge page */
		dev_read(0, p);
		reap(child, fd);		/* the old huge page is freed */
		mprotect(p, len, PROT_READ);
		dev_read(1, p + HPAGE_2M);
		mprotect(p, len, PROT_READ | PROT_WRITE);
		dev(1, TLBSAN_OP_WRITE, p + HPAGE_2M, i);
		/* Move the second huge page into an aligned hole. */
		raw = map(2 * HPAGE_2M);
		dst = align_2m(raw);
		if (mremap(p + HPAGE_2M, HPAGE_2M, HPAGE_2M, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst) == MAP_FAILED)
			perror("hugetlb: mremap");
		else
			dev_read(0, dst);
		madvise(p, HPAGE_2M, MADV_DONTNEED);
		dev_read(1, p);
		munmap(p, len);
		munmap(raw, 2 * HPAGE_2M);
	}
	hugetlb_shared_unshare();
	return 0;
}

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

/* ---- uprobe ---- */

__attribute__((noinline)) int uprobe_target(int x)
{
	__asm__ volatile("" : : : "memory");
	return x + 1;
}

static const char *tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static char ev[64];

	for (int i = 0; i < 2; i++) {
		snprintf(ev, sizeof(ev), "%s/uprobe_events", dirs[i]);
		if (access(ev, W_OK) == 0)
			return dirs[i];
	}
	if (mount("tracefs", dirs[0], "tracefs", 0, NULL) == 0)
		return dirs[0];
	return NULL;
}

/* File offset of @addr in the mapping of /proc/self/exe that holds it. */
static long text_offset(uintptr_t addr, char path[256])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long start, end, off;
	char line[512];
	long ret = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %255s", &start, &end, &off, path) == 4 &&
		    addr >= start && addr < end) {
			ret = (long)(addr - start + off);
			break;
		}
	}
	if (f)
		fclose(f);
	return ret;
}

static const char *path_in(const char *dir, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", dir, file);
	return buf;
}

/* Append @text to the tracefs file @dir/@file. */
static int trace_write(const char *dir, const char *file, const char *text)
{
	char path[192];
	int fd, ok;

	fd = open(path_in(dir, file, path, sizeof(path)), O_WRONLY | O_APPEND);
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * A uprobe on this program's own text, which the device caches: enabling
 * it replaces the file page by an anonymous copy holding the breakpoint
 * (uprobes' page replacement); disabling it restores the original
 * instruction and lets the copy go.
 */
static int uprobe(void)
{
	uintptr_t fn = (uintptr_t)uprobe_target;
	char exe[256], def[512], name[32], enable[64], opt[128];
	long record_cmd;
	const char *dir = tracefs();
	long off = text_offset(fn, exe);
	void *page = (void *)(fn & ~((uintptr_t)ps - 1));
	int i;

	if (!dir || off < 0) {
		printf("uprobe: no tracefs or no text mapping here\n");
		return 1;
	}
	/*
	 * Enabling a trace event normally starts comm recording, which hooks
	 * sched_switch by patching kernel text; that is beside the point
	 * here (and not reliable under emulation), so it is turned off.
	 */
	record_cmd = read_long(path_in(dir, "options/record-cmd", opt, sizeof(opt)));
	if (record_cmd > 0)
		write_file(opt, "0");
	snprintf(name, sizeof(name), "p%d", getpid());
	snprintf(def, sizeof(def), "p:tlbsan_scenario/%s %s:0x%lx\n", name, exe, off);
	snprintf(enable, sizeof(enable), "events/tlbsan_scenario/%s/enable", name);
	if (trace_write(dir, "uprobe_events", def)) {
		perror("uprobe: uprobe_events");
		return 1;
	}
	for (i = 0; i < iterations; i++) {
		uprobe_target(i);
		dev_read(0, page);
		if (trace_write(dir, enable, "1")) {
			perror("uprobe: enable");
			break;
		}
		dev_read(1, page);
		if (uprobe_target(i) != i + 1)		/* through the breakpoint */
			return 1;
		dev_read(0, page);
		if (trace_write(dir, enable, "0")) {
			perror("uprobe: disable");
			break;
		}
		dev_read(1, page);
	}
	snprintf(def, sizeof(def), "-:tlbsan_scenario/%s\n", name);
	trace_write(dir, "uprobe_events", def);
	if (record_cmd > 0)
		write_file(opt, "1");
	printf("uprobe: %d enable/disable rounds\n", i);
	return i == iterations ? 0 : 1;
}

/* ---- bigzap ---- */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/*
 * Pages freed inside the bracket: case A as the contract defines it.  A
 * zap gathers the pages it unmaps in an mmu_gather, which frees them after
 * its TLB flush, normally in tlb_finish_mmu(), past invalidate_range_end.
 * It flushes and frees early, inside the bracket, when it cannot grow
 * (MAX_GATHER_BATCH_COUNT batches of MAX_GATHER_BATCH pages: about 10 000
 * small pages) and when it meets a dirty PTE of a shared file page (the
 * flush must come before the page-table lock is dropped); either flush
 * frees every page gathered so far, from every VMA the zap covers.
 */
#define BIGZAP_LEN	(64UL << 20)	/* 16 384 small pages: more than one gather */
#define BIGZAP_HELD	32		/* pages the device caches at each end */

/*
 * Populate [p, p + len) with small pages (a gather entry each) and have the
 * device cache BIGZAP_HELD pages at each end: the first ones are freed by
 * the gather's early flush, the last ones after the bracket's end.  The
 * last ones are faulted first, so that no per-CPU LRU batch still holds a
 * reference to them when the zap drops the mapping's.
 */
static void bigzap_fill(char *p, size_t len, uint64_t v)
{
	size_t held = BIGZAP_HELD * ps;

	madvise(p, len, MADV_NOHUGEPAGE);
	touch(p + len - held, held, v);
	if (madvise(p, len, MADV_POPULATE_WRITE))
		touch(p, len, v);
	touch(p, held, v);
	dev_read_all(p, held);
	dev_read_all(p + len - held, held);
}

/*
 * An anonymous region the device caches, then a dirty shared (shmem)
 * region right above it, unmapped by one munmap: the shmem pages stay in
 * their page cache, but their dirty PTEs make the gather flush in the
 * bracket and free the anonymous pages it already holds.
 */
static void bigzap_shared(uint64_t v)
{
	size_t anon = 2 * BIGZAP_HELD * ps, shared = 16 * ps;
	char *p = map(anon + shared);

	if (mmap(p + anon, shared, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
		perror("bigzap: shared mapping");
		exit(1);
	}
	touch(p, anon, v);
	touch(p + anon, shared, v);
	dev_read_all(p, BIGZAP_HELD * ps);
	munmap(p, anon + shared);
}

/* Each round maps and populates 128 MiB: a quarter of --iterations. */
static int bigzap(void)
{
	int i, rounds = (iterations + 3) / 4;
	char *p;

	for (i = 0; i < rounds; i++) {
		p = map(BIGZAP_LEN);
		bigzap_fill(p, BIGZAP_LEN, i);
		munmap(p, BIGZAP_LEN);
		p = map(BIGZAP_LEN);
		bigzap_fill(p, BIGZAP_LEN, i);
		madvise(p, BIGZAP_LEN, MADV_DONTNEED);
		munmap(p, BIGZAP_LEN);
		bigzap_shared(i);
	}
	printf("bigzap: %d rounds of munmap, MADV_DONTNEED and munmap with dirty shmem\n",
	       rounds);
	return 0;
}

/* ---- cowkeep ---- */

/*
 * COW of pages that stay allocated (case B): the write repoints the PTE to
 * a copy while the old page lives on (mapped by a child, or the zero
 * page), so no free gives the device's translation away; only the
 * secondary call made under the page-table lock, before the copy is
 * mapped, removes it in time.  The device reads each page once its write
 * returned; a read that misses the write is stale (exit 3 if there was
 * one: under a correct model that is a bug whatever the checker says).
 */

/* The device reads @va, which the CPU just wrote @want to: 1 if stale. */
static int dev_stale(int thread, char *va, uint64_t want)
{
	return dev_read(thread, va) != want;
}

/* Small pages shared with a child: each write copies one. */
static int cowkeep_small(uint64_t v)
{
	size_t len = 16 * ps;
	char *p = map(len);
	int fd, stale = 0;
	pid_t child;

	madvise(p, len, MADV_NOHUGEPAGE);
	touch(p, len, v);
	dev_read_all(p, len);
	child = hold_child(&fd);	/* write-protected, shared with the child */
	dev_read_all(p, len);		/* read-only translations of the shared pages */
	for (size_t i = 0; i < len; i += ps) {
		*(volatile uint64_t *)(p + i) = v + 0x100 + i / ps;
		stale += dev_stale((i / ps) & 1, p + i, v + 0x100 + i / ps);
	}
	reap(child, fd);
	munmap(p, len);
	return stale;
}

/* Read faults map the zero page; each write replaces it by a new page. */
static int cowkeep_zero(uint64_t v)
{
	size_t len = 16 * ps;
	char *p = map(len);
	int stale = 0;

	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < len; i += ps)
		(void)*(volatile uint64_t *)(p + i);
	dev_read_all(p, len);
	for (size_t i = 0; i < len; i += ps) {
		*(volatile uint64_t *)(p + i) = v + i / ps;
		stale += dev_stale((i / ps) & 1, p + i, v + i / ps);
	}
	munmap(p, len);
	return stale;
}

/*
 * A THP shared with a child (@zero false), or the huge zero page mapped by
 * a read fault (@zero true): the first write splits the PMD or replaces it,
 * each write copies a page.  The device reads every page it writes just
 * before the write, through the 2 MiB translation while there is one
 * (counted in *@huge: the kernel may have had no huge page to give).
 */
static int cowkeep_huge(uint64_t v, bool zero, int *huge)
{
	char *raw = map(2 * HPAGE_2M), *h = align_2m(raw), *q;
	int fd = -1, stale = 0;
	unsigned int shift;
	pid_t child = 0;

	madvise(h, HPAGE_2M, MADV_HUGEPAGE);
	if (zero) {
		(void)*(volatile uint64_t *)h;
	} else {
		touch(h, HPAGE_2M, v);
		child = hold_child(&fd);
	}
	for (int k = 0; k < 16; k++) {
		q = h + k * 32 * ps;
		shift = dev(k & 1, TLBSAN_OP_READ, q, 0).page_shift;
		*huge += k == 0 && shift == 21;
		*(volatile uint64_t *)q = v + 0x200 + k;
		stale += dev_stale(!(k & 1), q, v + 0x200 + k);
	}
	/* A page not written: still the one before. */
	stale += dev_stale(0, h + ps, zero ? 0 : v + 1);
	if (!zero)
		reap(child, fd);
	munmap(raw, 2 * HPAGE_2M);
	return stale;
}

static int cowkeep(void)
{
	int i, small = 0, zero = 0, thp = 0, huge_zero = 0, thp_2m = 0, zero_2m = 0, stale;

	for (i = 0; i < iterations; i++) {
		small += cowkeep_small(i << 12);
		zero += cowkeep_zero(i << 12);
		thp += cowkeep_huge(i << 12, false, &thp_2m);
		huge_zero += cowkeep_huge(i << 12, true, &zero_2m);
	}
	stale = small + zero + thp + huge_zero;
	printf("cowkeep: %d rounds (2 MiB translations: THP %d, huge zero page %d): %d stale"
	       " device reads (small pages %d, zero page %d, THP %d, huge zero page %d)\n",
	       iterations, thp_2m, zero_2m, stale, small, zero, thp, huge_zero);
	return stale ? 3 : 0;
}

/*
 * What each scenario must produce under each model, checked by the guest
 * suite on every kernel line (tlbsan-scenario --list prints it).  Correct
 * models (hw, sw) are silent everywhere.  For a broken model:
 *   SILENT  no violation: the contract lets that model pass this path
 *           (e.g. munmap frees pages only after invalidate_range_end, so
 *           end-only is enough there);
 *   CAUGHT  at least one violation, all of classes @may, each of @must;
 *   ANY     violations, if any, are of classes @may (what is reached
 *           depends on a race the scenario cannot pin or on the kernel
 *           line, named below).
 * drop:EVENT is run with the event the scenario drives most.  lazy may
 * also show class 5 everywhere: a fill can commit after an invalidation
 * whose flush the model has deferred.
 */
enum verdict { SILENT, CAUGHT, ANY };

struct expect {
	enum verdict verdict;
	unsigned int may, must;		/* class bitmasks, C(n) */
};

#define C(n) (1u << (n))
#define NOTHING { SILENT, 0, 0 }

static const struct scenario {
	const char *name;
	int (*fn)(void);
	const char *drop;		/* the event run with drop:EVENT */
	const char *opts;		/* extra attach options */
	struct expect end_only, lazy, drop_ev, none;
} scenarios[] = {
	/*
	 * COW (case B): the device read A after the fork write-protected it.
	 * lazy is caught only when the COW comes within its deferral of the
	 * fork's flush (which drops A's entry first otherwise): scheduling
	 * decides, so any; cowkeep holds lazy to class 2 without that race.
	 */
	{ "litmus", litmus, "clear", "",
	  { CAUGHT, C(2), C(2) }, { ANY, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(3), C(3) }, { CAUGHT, C(1) | C(2), C(2) } },
	/* munmap frees after the bracket's end: end-only is enough. */
	{ "reuse", reuse, "unmap", "",
	  NOTHING, { CAUGHT, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), 0 }, { CAUGHT, C(1) | C(2), 0 } },
	{ "cowstorm", cowstorm, "clear", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), 0 }, { CAUGHT, C(1) | C(2), C(2) } },
	/* A zero page the device cached is replaced at the next write (B). */
	{ "madvise", madv, "clear", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), C(3) }, { CAUGHT, C(1) | C(2), C(1) | C(2) } },
	{ "mprotect", mprot, "protection_vma", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2) | C(4), 0 },
	  { CAUGHT, C(1) | C(3), C(3) }, { CAUGHT, C(1) | C(2) | C(4), C(4) } },
	{ "ksm", ksm, "clear", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(3), C(3) }, { CAUGHT, C(1) | C(2), C(1) } },
	/* Collapse frees the small pages after the bracket's end. */
	{ "thp", thp, "clear", "--pde 64",
	  NOTHING, { CAUGHT, C(1), C(1) },
	  { CAUGHT, C(1) | C(3), 0 }, { CAUGHT, C(1), C(1) } },
	/* Migration frees the old page after the bracket's end. */
	{ "migrate", migrate, "clear", "",
	  NOTHING, { CAUGHT, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), 0 }, { CAUGHT, C(1) | C(2), C(1) } },
	/* Write-protection (soft-dirty, uffd-wp) may wait for the end. */
	{ "misc", misc, "soft_dirty", "",
	  NOTHING, { CAUGHT, C(1) | C(4), C(4) },
	  { CAUGHT, C(3) | C(4), 0 }, { CAUGHT, C(1) | C(4), C(4) } },
	{ "hugetlb", hugetlb, "clear", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2) | C(4), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), 0 }, { CAUGHT, C(1) | C(2) | C(4), C(2) } },
	/* Reclaim frees a page after writing it out, past the end. */
	{ "swap", swap, "clear", "",
	  NOTHING, { CAUGHT, C(1), C(1) },
	  { CAUGHT, C(1) | C(3), 0 }, { CAUGHT, C(1), C(1) } },
	/* The reaper races the child's exit (which the release flushes). */
	{ "oom", oom, "unmap", "",
	  NOTHING, { ANY, C(1), 0 },
	  { ANY, C(1) | C(3), 0 }, { CAUGHT, C(1), C(1) } },
	/*
	 * Enabling a uprobe repoints the text PTE to a copy (B).  Up to 6.x
	 * the copy holds the breakpoint when it is mapped (end-only: class
	 * 2); 7.x first maps an identical copy (benign), then writes the
	 * breakpoint through its own mapping.
	 */
	{ "uprobe", uprobe, "clear", "",
	  { ANY, C(2), 0 }, { ANY, C(1) | C(2), 0 },
	  { CAUGHT, C(1) | C(2) | C(3), 0 }, { CAUGHT, C(1) | C(2), C(2) } },
	/*
	 * Case A: the gather's early flush frees pages inside the bracket.
	 *   end-only    flushes at invalidate_range_end, after the free;
	 *   lazy        the secondary call precedes the free, its flush follows;
	 *   drop:unmap  munmap never reaches the device (MADV_DONTNEED does);
	 *   none        the pages are freed under cached translations.
	 */
	{ "bigzap", bigzap, "unmap", "",
	  { CAUGHT, C(1), C(1) }, { CAUGHT, C(1), C(1) },
	  { CAUGHT, C(1), C(1) }, { CAUGHT, C(1), C(1) } },
	/*
	 * Case B: each COW maps a copy while the old page stays allocated.
	 *   end-only    still holds the old page at the COW's end (class 2);
	 *   lazy        reads the old page after the secondary call (2), which
	 *               the child's exit may free before the deferred flush (1);
	 *   drop:clear  never sees the COW (3; 1 when the child's exit frees it);
	 *   none        as lazy, and the VAs mapped again later (2).
	 */
	{ "cowkeep", cowkeep, "clear", "",
	  { CAUGHT, C(2), C(2) }, { CAUGHT, C(1) | C(2), C(2) },
	  { CAUGHT, C(1) | C(3), C(3) }, { CAUGHT, C(1) | C(2), C(2) } },
};

#define NR_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void print_classes(unsigned int mask)
{
	const char *sep = "";

	if (!mask)
		printf(" -");
	for (int c = 1; c < 32; c++)
		if (mask & C(c)) {
			printf("%s%d", *sep ? sep : " ", c);
			sep = ",";
		}
}

static void print_expect(const struct scenario *sc, const char *model, const struct expect *e)
{
	static const char *const names[] = { "silent", "caught", "any" };

	printf("%s %s %s", sc->name, model, names[e->verdict]);
	print_classes(e->may);
	print_classes(e->must);
	printf("%s%s\n", *sc->opts ? " " : "", sc->opts);
}

/* One line per scenario and model: NAME MODEL VERDICT MAY MUST [OPTS]. */
static void list(void)
{
	static const struct expect silent = NOTHING;
	struct expect lazy;
	char drop[32];

	for (size_t i = 0; i < NR_SCENARIOS; i++) {
		const struct scenario *sc = &scenarios[i];

		snprintf(drop, sizeof(drop), "drop:%s", sc->drop);
		print_expect(sc, "hw", &silent);
		print_expect(sc, "sw", &silent);
		print_expect(sc, "end-only", &sc->end_only);
		lazy = sc->lazy;
		lazy.may |= C(5);
		print_expect(sc, "lazy:100000", &lazy);
		print_expect(sc, drop, &sc->drop_ev);
		print_expect(sc, "none", &sc->none);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: tlbsan-scenario [--seed N] [--iterations N] NAME | --list\n"
		"  NAME:");
	for (size_t i = 0; i < NR_SCENARIOS; i++)
		fprintf(stderr, " %s", scenarios[i].name);
	fprintf(stderr, "\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	size_t i;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
		if (c == 'l') {
			if (optind != argc)
				break;
			list();
			return 0;
		}
		if (c == '?' || tlbsan_parse_u64(optarg, 1, 1000000, &v)) {
			usage();
			return 2;
		}
		if (c == 's')
			seed = (unsigned int)v;
		else
			iterations = (int)v;
	}
	ps = sysconf(_SC_PAGESIZE);
	for (i = 0; optind == argc - 1 && i < NR_SCENARIOS; i++) {
		if (strcmp(argv[optind], scenarios[i].name))
			continue;
		if (tlbsan_nl_open(&nl) != EXIT_OK)
			return 2;
		return scenarios[i].fn();
	}
	usage();
	return 2;
}
