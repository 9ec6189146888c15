// SPDX-License-Identifier: GPL-2.0
/*
 * Copy-on-write: pages write-protected by fork, or read-mapped from the
 * zero page, and copied at the next CPU write.
 *
 *   litmus    the 2017 thread: A and B write-protected for COW by fork; CPU
 *             threads write A then B, in order, over two rounds; device
 *             threads read B then A.  Seeing the second write without the
 *             first is an ordering inversion (exit 3 when observed).
 *   cowstorm  fork children that write shared pages, parent COW-writes,
 *             MADV_DONTFORK and MADV_WIPEONFORK regions, a THP region.
 *   cowkeep   COW of pages that stay allocated (a child keeps them; the
 *             zero page; a THP; the huge zero page): the device reads each
 *             page after its write returned (exit 3 on a stale read).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "scenario.h"

/* ---- litmus ---- */

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

/*
 * COW (case B): the device read A after the fork write-protected it.
 * lazy is caught only when the COW comes within its deferral of the
 * fork's flush (which drops A's entry first otherwise): scheduling
 * decides, so any; cowkeep holds lazy to STALE without that race.
 */
SCENARIO(1, "litmus", litmus, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { ANY, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), C(MISSED) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(STALE) });

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

SCENARIO(3, "cowstorm", cowstorm, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(STALE) });

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
 * Case B: each COW maps a copy while the old page stays allocated.
 *   end-only    still holds the old page at the COW's end (STALE);
 *   lazy        reads the old page after the secondary call (STALE), which
 *               the child's exit may free before the deferred flush
 *               (USE_AFTER_FREE);
 *   drop:clear  never sees the COW (MISSED; USE_AFTER_FREE when the
 *               child's exit frees it);
 *   none        as lazy, and the VAs mapped again later (STALE).
 */
SCENARIO(15, "cowkeep", cowkeep, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(STALE) },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), C(MISSED) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(STALE) });
