// SPDX-License-Identifier: GPL-2.0
/*
 * Range system calls on mappings the device caches: madvise, mprotect,
 * mremap and MAP_FIXED.
 *
 *   madvise   MADV_DONTNEED, MADV_FREE, MADV_PAGEOUT, MADV_COLD, MADV_REMOVE
 *             on shmem.
 *   mprotect  RW -> RO -> NONE -> RW flips with device writes; mremap move,
 *             grow, shrink; MAP_FIXED replacement.
 */
#include <sys/mman.h>
#include "scenario.h"

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

/* A zero page the device cached is replaced at the next write (B). */
SCENARIO(4, "madvise", madv, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), C(MISSED) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE), C(USE_AFTER_FREE) | C(STALE) });

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

SCENARIO(5, "mprotect", mprot, "protection_vma", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(WP_WRITE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), C(MISSED) },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(WP_WRITE), C(WP_WRITE) });
