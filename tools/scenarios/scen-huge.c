// SPDX-License-Identifier: GPL-2.0
/*
 * Huge pages: transparent huge pages collapsed and split, and hugetlb.
 *
 *   thp       a THP collapsed (MADV_COLLAPSE) and split (partial munmap and
 *             mprotect), shmem collapsed; run with --pde to have the
 *             paging-structure cache on.
 *   hugetlb   private 2 MiB hugetlb: fork, COW, mprotect, mremap,
 *             MADV_DONTNEED, munmap; shared 1 GiB-spanning hugetlb with
 *             userfaultfd write-protect (PMD unsharing).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>
#include "scenario.h"

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

/* Collapse frees the small pages after the bracket's end. */
SCENARIO(7, "thp", thp, "clear", "--pde 64",
	 .end_only	= NOTHING,
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE), C(USE_AFTER_FREE) },
	 .unmet		= no_thp);

/* ---- hugetlb ---- */

#define NR_HUGEPAGES_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

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

SCENARIO(10, "hugetlb", hugetlb, "clear", "",
	 .end_only	= { CAUGHT, C(STALE), C(STALE) },
	 .lazy		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(WP_WRITE), 0 },
	 .drop_ev	= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(MISSED), 0 },
	 .none		= { CAUGHT, C(USE_AFTER_FREE) | C(STALE) | C(WP_WRITE), C(STALE) });
