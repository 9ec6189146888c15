// SPDX-License-Identifier: GPL-2.0
#include "range.h"
#include "unit.h"

UNIT_TEST(range_flush_all_overlaps_everything)
{
	CHECK(tlbsan_range_is_all(0, ULONG_MAX));
	CHECK(!tlbsan_range_is_all(0, ULONG_MAX - 1));
	CHECK(tlbsan_range_overlaps(0, ULONG_MAX, 0x7fff0000, 4096));
	CHECK(tlbsan_range_overlaps(0, ULONG_MAX, 0, 1UL << 30));
	CHECK(!tlbsan_range_is_anomalous(0, ULONG_MAX));
}

UNIT_TEST(range_end_is_exclusive)
{
	/* [0x1000, 0x2000) touches the page at 0x2000 only at its end. */
	CHECK(!tlbsan_range_overlaps(0x1000, 0x2000, 0x2000, 4096));
	CHECK(tlbsan_range_overlaps(0x1000, 0x2001, 0x2000, 4096));
	CHECK(!tlbsan_range_overlaps(0x3000, 0x4000, 0x2000, 4096));
	CHECK(tlbsan_range_overlaps(0x2fff, 0x3000, 0x2000, 4096));
	/* A 2 MiB translation overlapped by a single page inside it. */
	CHECK(tlbsan_range_overlaps(0x201000, 0x202000, 0x200000, 0x200000));
}

UNIT_TEST(range_anomalies_overlap_nothing)
{
	CHECK(tlbsan_range_is_anomalous(0x1000, 0x1000));
	CHECK(tlbsan_range_is_anomalous(0x2000, 0x1000));
	CHECK(!tlbsan_range_overlaps(0x1000, 0x1000, 0x1000, 4096));
	CHECK(!tlbsan_range_overlaps(0x2000, 0x1000, 0x1000, 4096));
}

UNIT_TEST(range_size_buckets)
{
	CHECK_EQ(tlbsan_range_bucket(0x1000, 0x2000), 0);
	CHECK_EQ(tlbsan_range_bucket(0x1000, 0x3000), 1);
	CHECK_EQ(tlbsan_range_bucket(0x1000, 0x4000), 2);
	CHECK_EQ(tlbsan_range_bucket(0x1000, 0x5000), 2);
	CHECK_EQ(tlbsan_range_bucket(0, 0x200000), 9);
	CHECK_EQ(tlbsan_range_bucket(0, ULONG_MAX), TLBSAN_RANGE_BUCKETS - 1);
	CHECK_EQ(tlbsan_range_bucket(0, 1UL << 46), TLBSAN_RANGE_BUCKETS - 1);
	CHECK_EQ(tlbsan_range_bucket(0x2000, 0x1000), 0);
}

UNIT_TEST(range_fullmm_encoding)
{
	/* 6.1 mmu_gather's whole-mm range: everything, and an anomaly. */
	CHECK(tlbsan_range_is_fullmm(ULONG_MAX, ULONG_MAX));
	CHECK(tlbsan_range_is_all(ULONG_MAX, ULONG_MAX));
	CHECK(tlbsan_range_is_anomalous(ULONG_MAX, ULONG_MAX));
	CHECK(tlbsan_range_overlaps(ULONG_MAX, ULONG_MAX, 0x1000, 4096));
	CHECK(!tlbsan_range_is_fullmm(0, ULONG_MAX));
	CHECK_EQ(tlbsan_range_bucket(ULONG_MAX, ULONG_MAX), TLBSAN_RANGE_BUCKETS - 1);
}
