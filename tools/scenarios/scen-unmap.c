// SPDX-License-Identifier: GPL-2.0
/*
 * Unmapping: pages a zap takes away from the device's translations, and
 * the mmu_gather that frees them.
 *
 *   reuse     munmap a page and map a new one at the same VA while the
 *             device reads it.
 *   bigzap    pages freed inside the bracket: 64 MiB unmapped (munmap,
 *             MADV_DONTNEED) overflows the mmu_gather, which flushes and
 *             frees mid-zap; one munmap of anonymous memory and dirty shmem
 *             makes it flush at the shmem's first PTE table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "scenario.h"

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

/* munmap frees after the bracket's end: end-only is enough. */
SCENARIO(2, "reuse", reuse, "unmap", "",
	 .end_only	= NOTHING,
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 });

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

/*
 * Case A: the gather's early flush frees pages inside the bracket.
 *   end-only    flushes at invalidate_range_end, after the free;
 *   lazy        the secondary call precedes the free, its flush follows;
 *   drop:unmap  munmap never reaches the device (MADV_DONTNEED does):
 *               the pages it caches are freed, and when the next round's
 *               mapping lands at the same address the device may use
 *               those entries against the new pages (MISSED);
 *   none        the pages are freed under cached translations.
 */
SCENARIO(14, "bigzap", bigzap, "unmap", "",
	 .end_only	= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), C(USE_AFTER_FREE) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) });
