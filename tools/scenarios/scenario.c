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
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

static const struct {
	const char *name;
	int (*fn)(void);
} scenarios[] = {
	{ "litmus", litmus },
	{ "reuse", reuse },
	{ "cowstorm", cowstorm },
	{ "madvise", madv },
	{ "mprotect", mprot },
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
		"litmus|reuse|cowstorm|madvise|mprotect\n");
	return 2;
}
