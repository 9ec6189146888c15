// SPDX-License-Identifier: GPL-2.0
/*
 * The oracle's decision table (module/oracle.h), row by row, for both
 * kinds of model, with who is at fault: each CHECK_EQ names the class and
 * whether the kernel owed the call (K) or the device kept the translation
 * (D).
 */
#include "oracle.h"
#include "unit.h"

#define S TLBSAN_CHK_STARTED
#define E TLBSAN_CHK_ENDED
#define X TLBSAN_CHK_SECONDARY
#define L TLBSAN_CHK_LATE

#define SVA true
#define KVM false

/* A translation to pfn 100, writable. */
static struct tlbsan_dev_view dv(u8 chk, bool sva)
{
	struct tlbsan_dev_view d = { .chk = chk, .secondary_model = sva, .pfn = 100,
				     .writable = true };
	return d;
}

static struct tlbsan_cpu_view cpu(int walk, unsigned long pfn, bool writable)
{
	struct tlbsan_cpu_view c = { .walk = walk, .pfn = pfn, .writable = writable };
	return c;
}

/* Verdicts folded into one number: class, plus 100 when the kernel owed the call. */
#define K 100

static unsigned int acc(u8 chk, bool sva, struct tlbsan_cpu_view c, bool write, bool same)
{
	struct tlbsan_dev_view d = dv(chk, sva);
	bool owed = false;
	unsigned int cls = tlbsan_oracle_access(&d, &c, write, same, &owed);

	return cls + (cls && owed ? K : 0);
}

static unsigned int end(u8 chk, bool sva, struct tlbsan_cpu_view c, bool same)
{
	struct tlbsan_dev_view d = dv(chk, sva);
	bool owed = false;
	unsigned int cls = tlbsan_oracle_end(&d, &c, same, &owed);

	return cls + (cls && owed ? K : 0);
}

static struct tlbsan_cpu_view pending(struct tlbsan_cpu_view c)
{
	c.flush_pending = true;
	return c;
}

UNIT_TEST(oracle_unchanged_is_silent)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 100, true);
	u8 chk;

	for (chk = 0; chk <= (S | E | X | L); chk++) {
		CHECK_EQ(acc(chk, SVA, c, false, false), 0);
		CHECK_EQ(acc(chk, SVA, c, true, false), 0);
		CHECK_EQ(acc(chk, KVM, c, true, false), 0);
		CHECK_EQ(end(chk, SVA, c, false), 0);
		CHECK_EQ(end(chk, KVM, c, false), 0);
	}
}

UNIT_TEST(oracle_unstable_walk_decides_nothing)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_UNSTABLE, 0, false);

	CHECK_EQ(acc(0, SVA, c, true, false), 0);
	CHECK_EQ(acc(S | E, SVA, c, true, false), 0);
	CHECK_EQ(acc(0, KVM, c, false, false), 0);
}

UNIT_TEST(oracle_repointed_never_notified_is_missed)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 200, true);

	/* fill; CPU repoints; no notification at all: the kernel's (class 3) */
	CHECK_EQ(acc(0, SVA, c, false, false), K + TLBSAN_CLASS_MISSED);
	CHECK_EQ(acc(0, KVM, c, true, false), K + TLBSAN_CLASS_MISSED);
	CHECK_EQ(acc(0, SVA, pending(c), false, false), K + TLBSAN_CLASS_MISSED);
}

UNIT_TEST(oracle_repointed_due_is_the_device)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 200, true);

	/* SVA: the under-lock call or the end's late call was delivered */
	CHECK_EQ(acc(S | X, SVA, c, false, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(acc(S | X, SVA, c, true, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(acc(S | E | L, SVA, c, false, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(end(S | X, SVA, c, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(end(S | X, SVA, pending(c), false), TLBSAN_CLASS_STALE);
	/* KVM: due at start */
	CHECK_EQ(acc(S, KVM, c, false, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(acc(S, KVM, pending(c), false, false), TLBSAN_CLASS_STALE);
	CHECK_EQ(end(S, KVM, c, false), TLBSAN_CLASS_STALE);
}

/*
 * Case B, the 2017 thread: a PTE repointed by a path whose clear did not
 * notify, in a bracket that ends without a secondary call (or with only the
 * end's own, late one).
 */
UNIT_TEST(oracle_case_b_owed_secondary_call)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 200, true);

	/* at the end: the kernel's, unless a batched flush is pending */
	CHECK_EQ(end(S, SVA, c, false), K + TLBSAN_CLASS_STALE);
	CHECK_EQ(end(S, SVA, pending(c), false), 0);
	/* a fill inside an open bracket whose call came before the fill */
	CHECK_EQ(end(S | E, SVA, c, false), K + TLBSAN_CLASS_STALE);
	/* in the bracket, before the end: the call may still come */
	CHECK_EQ(acc(S, SVA, c, false, false), 0);
	CHECK_EQ(acc(S, SVA, c, true, false), 0);
	/* after the end, at any later access: the kernel's */
	CHECK_EQ(acc(S | E, SVA, c, false, false), K + TLBSAN_CLASS_STALE);
	CHECK_EQ(acc(S | E, SVA, c, true, false), K + TLBSAN_CLASS_STALE);
	/* ... unless a batched flush is still owed (zap, then a refault) */
	CHECK_EQ(acc(S | E, SVA, pending(c), false, false), 0);
	/* the end's late call counts as due: the device, not the kernel, keeps it */
	CHECK_EQ(acc(S | E | L, SVA, c, true, false), TLBSAN_CLASS_STALE);
}

UNIT_TEST(oracle_ksm_same_content_is_benign)
{
	struct tlbsan_cpu_view ro = cpu(TLBSAN_WALK_OK, 200, false);
	struct tlbsan_cpu_view rw = cpu(TLBSAN_WALK_OK, 200, true);
	struct tlbsan_dev_view d = dv(S | X, SVA);

	CHECK(tlbsan_oracle_wants_content(&d, &ro, false));
	CHECK(!tlbsan_oracle_wants_content(&d, &ro, true));
	CHECK(!tlbsan_oracle_wants_content(&d, &rw, false));
	d = dv(0, SVA);
	CHECK(!tlbsan_oracle_wants_content(&d, &ro, false));
	CHECK_EQ(acc(S | X, SVA, ro, false, true), TLBSAN_CLASS_STALE_BENIGN);
	CHECK_EQ(acc(S | X, SVA, ro, false, false), TLBSAN_CLASS_STALE);
	/* KSM may wait for the end: benign even with no secondary call at all */
	CHECK_EQ(acc(S | E, SVA, ro, false, true), TLBSAN_CLASS_STALE_BENIGN);
	CHECK_EQ(end(S, SVA, ro, true), TLBSAN_CLASS_STALE_BENIGN);
	CHECK_EQ(end(S, KVM, ro, true), TLBSAN_CLASS_STALE_BENIGN);
	/* A write through the old page is a lost write, never benign. */
	CHECK_EQ(acc(S | X, SVA, ro, true, true), TLBSAN_CLASS_STALE);
	CHECK_EQ(acc(S | E, SVA, ro, true, true), K + TLBSAN_CLASS_STALE);
	/* A writable replacement is never the same-content case. */
	CHECK_EQ(end(S, SVA, rw, true), K + TLBSAN_CLASS_STALE);
}

UNIT_TEST(oracle_gone_entry)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_NONE, 0, false);
	u8 chk;

	CHECK_EQ(acc(0, SVA, c, false, false), K + TLBSAN_CLASS_MISSED);
	CHECK_EQ(acc(0, KVM, c, false, false), K + TLBSAN_CLASS_MISSED);
	/* Notified: the batched flush may still be coming; the free is class 1. */
	for (chk = 1; chk <= (S | E | X | L); chk++) {
		if (!(chk & (S | X | L)))
			continue;
		CHECK_EQ(acc(chk, SVA, c, true, false), 0);
		CHECK_EQ(acc(chk, KVM, c, true, false), 0);
		CHECK_EQ(end(chk, SVA, c, false), 0);
	}
	c.walk = TLBSAN_WALK_SWAP;
	CHECK_EQ(acc(0, SVA, c, false, false), K + TLBSAN_CLASS_MISSED);
	CHECK_EQ(end(S, SVA, c, false), 0);
}

UNIT_TEST(oracle_write_protect)
{
	struct tlbsan_cpu_view c = cpu(TLBSAN_WALK_OK, 100, false);

	/* fill rw; mprotect(RO) never notified: missed, for reads and writes */
	CHECK_EQ(acc(0, SVA, c, false, false), K + TLBSAN_CLASS_MISSED);
	CHECK_EQ(acc(0, SVA, c, true, false), K + TLBSAN_CLASS_MISSED);
	/* inside the bracket: write-protect may wait for the end */
	CHECK_EQ(acc(S, SVA, c, true, false), 0);
	/* bracket ended, the SVA flush still to come (6.6+ fork, mprotect) */
	CHECK_EQ(acc(S | E, SVA, c, true, false), 0);
	CHECK_EQ(end(S, SVA, c, false), 0);
	/* bracket ended and the flush was delivered: a write is class 4 */
	CHECK_EQ(acc(S | E | X, SVA, c, true, false), TLBSAN_CLASS_WP_WRITE);
	CHECK_EQ(acc(S | E | L, SVA, c, true, false), TLBSAN_CLASS_WP_WRITE);
	CHECK_EQ(acc(S | E | X, SVA, c, false, false), 0);
	/* delivered, bracket still open: may wait for the end */
	CHECK_EQ(acc(S | X, SVA, c, true, false), 0);
	/* KVM-style models are due at start */
	CHECK_EQ(acc(S | E, KVM, c, true, false), TLBSAN_CLASS_WP_WRITE);
	CHECK_EQ(acc(S, KVM, c, true, false), 0);
	/* a read-only translation cannot write */
	{
		struct tlbsan_dev_view d = dv(S | E | X, SVA);
		bool owed;

		d.writable = false;
		CHECK_EQ(tlbsan_oracle_access(&d, &c, true, false, &owed), 0);
	}
}

UNIT_TEST(oracle_free_blames)
{
	struct tlbsan_dev_view d;

	/* case A: freed before the SVA device was told: the kernel's */
	d = dv(S, SVA);
	CHECK(tlbsan_oracle_free_owed(&d));
	d = dv(S | E, SVA);
	CHECK(tlbsan_oracle_free_owed(&d));
	d = dv(0, SVA);
	CHECK(tlbsan_oracle_free_owed(&d));
	/* told (under the lock or late), still cached: the device's */
	d = dv(S | X, SVA);
	CHECK(!tlbsan_oracle_free_owed(&d));
	d = dv(S | E | L, SVA);
	CHECK(!tlbsan_oracle_free_owed(&d));
	/* KVM-style models are told at the start */
	d = dv(S, KVM);
	CHECK(!tlbsan_oracle_free_owed(&d));
	d = dv(0, KVM);
	CHECK(tlbsan_oracle_free_owed(&d));
}
