/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Virtual address ranges as the mmu_notifier core passes them: [start, end),
 * end exclusive.  From 6.6 the secondary TLB callback may pass 0..ULONG_MAX
 * to mean "flush everything"; that range overlaps every translation.
 * Zero-length and inverted ranges are anomalies the caller counts; they
 * overlap nothing.
 */
#ifndef TLBSAN_RANGE_H
#define TLBSAN_RANGE_H

#include <linux/kernel.h>
#include <linux/types.h>

/*
 * 6.1's mmu_gather encodes "the whole mm" as start == end == ~0 (fullmm,
 * __tlb_reset_range()) and passes it to ->invalidate_range as such when
 * tlb_finish_mmu() finds nested flushes.  It is both a flush of everything
 * and a protocol anomaly (an SVA driver reading it as [start, end) flushes
 * nothing); the checker reports it, the device flushes everything.
 */
static inline bool tlbsan_range_is_fullmm(unsigned long start, unsigned long end)
{
	return start == ULONG_MAX && end == ULONG_MAX;
}

static inline bool tlbsan_range_is_all(unsigned long start, unsigned long end)
{
	return (start == 0 && end == ULONG_MAX) || tlbsan_range_is_fullmm(start, end);
}

static inline bool tlbsan_range_is_anomalous(unsigned long start, unsigned long end)
{
	return start >= end;
}

/* Does [start, end) overlap the translation [va, va + size)? */
static inline bool tlbsan_range_overlaps(unsigned long start, unsigned long end,
					 unsigned long va, unsigned long size)
{
	if (tlbsan_range_is_all(start, end))
		return true;
	return start < end && start < va + size && va < end;
}

/*
 * Histogram bucket of a range's length in 4 KiB pages: bucket 0 is one page
 * or less, bucket n covers (2^(n-1), 2^n] pages, the last bucket everything
 * larger and the flush-all range.  Anomalous ranges land in bucket 0.
 */
#define TLBSAN_RANGE_BUCKETS	20

static inline unsigned int tlbsan_range_bucket(unsigned long start, unsigned long end)
{
	unsigned long pages;
	unsigned int b = 0;

	if (tlbsan_range_is_all(start, end))
		return TLBSAN_RANGE_BUCKETS - 1;
	if (tlbsan_range_is_anomalous(start, end))
		return 0;
	pages = ((end - start) + 4095) >> 12;
	while (b < TLBSAN_RANGE_BUCKETS - 1 && (1UL << b) < pages)
		b++;
	return b;
}

#endif /* TLBSAN_RANGE_H */
