// SPDX-License-Identifier: GPL-2.0
#include "oracle.h"
#include "unit.h"

/* A translation to pfn 100, writable, in an SVA-style (HW) device. */
static struct tlbsan_dev_view dv(u8 chk)
{
	struct tlbsan_dev_view d = { .chk = chk, .secondary_model = true, .pfn = 100,
				     .writable = true };
	return d;
}

static struct tlbsan_cpu_view cpu(int walk, unsigned long pfn, bool writable)
{
	struct tlbsan_cpu_view c = { .walk = walk, .pfn = pfn, .writable = writable };
	return c;
}

#define S TLBSAN_CHK_STARTED
#define E TLBSAN_CHK_ENDED
#define X TLBSAN_CHK_SECONDARY

UNIT_TEST(oracle_unchanged_is_silent)
{
	struct tlbsan_dev_view d = dv(0);
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 100, true);

	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), 0);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), 0);
	CHECK_EQ(tlbsan_oracle_end(&d, &c, false), 0);
}

UNIT_TEST(oracle_replaced_page)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 200, true);
	struct tlbsan_dev_view d;

	/* fill; CPU repoints; no notification at all: missed (class 3) */
	d = dv(0);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_MISSED);
	/* fill; start; repoint; access before the secondary flush: HW not due yet */
	d = dv(S);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), 0);
	/* ... but a SW-style model flushes at start: due, stale (class 2) */
	d.secondary_model = false;
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_STALE);
	/* fill; start; secondary flush delivered; still cached: stale */
	d = dv(S | X);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), TLBSAN_CLASS_STALE);
}

UNIT_TEST(oracle_ksm_same_content_is_benign)
{
	struct tlbsan_cpu_view ro = cpu(TLBSAN_WALK_OK, 200, false);
	struct tlbsan_cpu_view rw = cpu(TLBSAN_WALK_OK, 200, true);
	struct tlbsan_dev_view d = dv(S | X);

	CHECK(tlbsan_oracle_wants_content(&d, &ro, false));
	CHECK(!tlbsan_oracle_wants_content(&d, &ro, true));
	CHECK(!tlbsan_oracle_wants_content(&d, &rw, false));
	CHECK_EQ(tlbsan_oracle_access(&d, &ro, false, true), TLBSAN_CLASS_STALE_BENIGN);
	CHECK_EQ(tlbsan_oracle_access(&d, &ro, false, false), TLBSAN_CLASS_STALE);
	/* A write through the old page is a lost write, never benign. */
	CHECK_EQ(tlbsan_oracle_access(&d, &ro, true, true), TLBSAN_CLASS_STALE);
	/* At the end of the merge's bracket: benign even before the flush. */
	d = dv(S);
	CHECK_EQ(tlbsan_oracle_end(&d, &ro, true), TLBSAN_CLASS_STALE_BENIGN);
	CHECK_EQ(tlbsan_oracle_end(&d, &rw, false), 0);
	d.secondary_model = false;
	CHECK_EQ(tlbsan_oracle_end(&d, &rw, false), TLBSAN_CLASS_STALE);
}

UNIT_TEST(oracle_gone_entry)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_NONE, 0, false);
	struct tlbsan_dev_view d = dv(0);

	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_MISSED);
	/* Notified: the batched flush may still be coming; the free is class 1. */
	d = dv(S);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), 0);
	d = dv(S | E | X);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), 0);
	c.walk = TLBSAN_WALK_SWAP;
	d = dv(0);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_MISSED);
	/* A walk that raced a split or collapse decides nothing. */
	c.walk = TLBSAN_WALK_UNSTABLE;
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), 0);
}

UNIT_TEST(oracle_write_protect)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 100, false);
	struct tlbsan_dev_view d;

	/* fill rw; mprotect(RO) never notified: missed, for reads and writes */
	d = dv(0);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), TLBSAN_CLASS_MISSED);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), TLBSAN_CLASS_MISSED);
	/* inside the bracket: write-protect may wait for the end */
	d = dv(S);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), 0);
	/* bracket ended, but the HW flush is still pending (6.6+ mprotect) */
	d = dv(S | E);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), 0);
	/* bracket ended and the flush was delivered: a write is class 4 */
	d = dv(S | E | X);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), TLBSAN_CLASS_WP_WRITE);
	CHECK_EQ(tlbsan_oracle_access(&d, &c, false, false), 0);
	/* SW-style models are due at start */
	d = dv(S | E);
	d.secondary_model = false;
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), TLBSAN_CLASS_WP_WRITE);
	/* a read-only translation cannot write */
	d = dv(S | E | X);
	d.writable = false;
	CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false), 0);
}
