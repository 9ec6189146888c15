// SPDX-License-Identifier: GPL-2.0
/*
 * mmu_notifier glue: one tlbsan_mn_<op> per callback the running kernel
 * offers, split over the two registrations of a context (see mn.h).
 * Every callback counts, then lets the device's invalidation model act
 * (dev.c); none blocks or allocates, and the only lock they take is the
 * device's TLB lock (a spinlock never held across anything that can sleep
 * or invalidate), except ->release, which is always allowed to sleep.
 * Lifetime is the owner's (struct tlbsan_mn_owner, ctx.c): mn.c calls it
 * at ->release and ->free_notifier and knows nothing else of it.
 *
 * Range convention: mmu_notifier ranges are [start, end), end exclusive.
 * From 6.6 the secondary TLB callback may be called with 0..ULONG_MAX,
 * meaning "flush everything".
 */
#include <linux/mmu_notifier.h>
#include "compat.h"
#include "mn.h"
#include "sites.h"

static inline struct tlbsan_mn *to_mn(struct mmu_notifier *mn)
{
	return container_of(mn, struct tlbsan_mn, range);
}

static inline struct tlbsan_mn *tlb_to_mn(struct mmu_notifier *mn)
{
	return container_of(mn, struct tlbsan_mn, tlb);
}

static inline void tlbsan_count(struct tlbsan_mn *t, enum tlbsan_cb cb)
{
	atomic64_inc(&t->cb[cb]);
}

static enum tlbsan_event tlbsan_event_of(enum mmu_notifier_event event)
{
	switch (event) {
	case MMU_NOTIFY_UNMAP:
		return TLBSAN_EVENT_UNMAP;
	case MMU_NOTIFY_CLEAR:
		return TLBSAN_EVENT_CLEAR;
	case MMU_NOTIFY_PROTECTION_VMA:
		return TLBSAN_EVENT_PROTECTION_VMA;
	case MMU_NOTIFY_PROTECTION_PAGE:
		return TLBSAN_EVENT_PROTECTION_PAGE;
	case MMU_NOTIFY_SOFT_DIRTY:
		return TLBSAN_EVENT_SOFT_DIRTY;
	case MMU_NOTIFY_RELEASE:
		return TLBSAN_EVENT_RELEASE;
	case MMU_NOTIFY_MIGRATE:
		return TLBSAN_EVENT_MIGRATE;
	case MMU_NOTIFY_EXCLUSIVE:
		return TLBSAN_EVENT_EXCLUSIVE;
	}
	return TLBSAN_EVENT_OTHER;
}

/*
 * ->release: the mm is being torn down (exit_mmap), or the notifier is being
 * unregistered.  Sleeping is allowed here.  The device drops everything,
 * then the owner detaches; the notifier core keeps the memory until an SRCU
 * grace period has passed, which covers the callback we are running in.
 */
static void tlbsan_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct tlbsan_mn *t = to_mn(mn);

	tlbsan_count(t, TLBSAN_CB_RELEASE);
	tlbsan_dev_release(t->dev);
	t->owner->release(t);
}

static TLBSAN_YOUNG_RET
tlbsan_mn_clear_flush_young(struct mmu_notifier *mn, struct mm_struct *mm,
			    unsigned long start, unsigned long end)
{
	tlbsan_count(to_mn(mn), TLBSAN_CB_CLEAR_FLUSH_YOUNG);
	return 0;
}

static TLBSAN_YOUNG_RET
tlbsan_mn_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
		      unsigned long start, unsigned long end)
{
	tlbsan_count(to_mn(mn), TLBSAN_CB_CLEAR_YOUNG);
	return 0;
}

static TLBSAN_YOUNG_RET
tlbsan_mn_test_young(struct mmu_notifier *mn, struct mm_struct *mm,
		     unsigned long address)
{
	tlbsan_count(to_mn(mn), TLBSAN_CB_TEST_YOUNG);
	return 0;
}

/* Up to 6.9 only (see TLBSAN_MN_OP_CHANGE_PTE). */
static void __maybe_unused tlbsan_mn_change_pte(struct mmu_notifier *mn,
						struct mm_struct *mm,
						unsigned long address,
						pte_t pte)
{
	tlbsan_count(to_mn(mn), TLBSAN_CB_CHANGE_PTE);
}

/* May be called with !mmu_notifier_range_blockable(): must not sleep. */
static int tlbsan_mn_invalidate_range_start(struct mmu_notifier *mn,
					    const struct mmu_notifier_range *range)
{
	struct tlbsan_mn *t = to_mn(mn);
	enum tlbsan_event event = tlbsan_event_of(range->event);

	tlbsan_count(t, TLBSAN_CB_INVALIDATE_RANGE_START);
	tlbsan_cov_note(TLBSAN_CB_INVALIDATE_RANGE_START);
	if (!mmu_notifier_range_blockable(range))
		tlbsan_count(t, TLBSAN_CB_INVALIDATE_RANGE_START_NONBLOCK);
	atomic64_inc(&t->starts[event]);
	tlbsan_dev_range_start(t->dev, event, range->start, range->end);
	return 0;
}

static void tlbsan_mn_invalidate_range_end(struct mmu_notifier *mn,
					   const struct mmu_notifier_range *range)
{
	struct tlbsan_mn *t = to_mn(mn);
	enum tlbsan_event event = tlbsan_event_of(range->event);

	tlbsan_count(t, TLBSAN_CB_INVALIDATE_RANGE_END);
	atomic64_inc(&t->ends[event]);
	tlbsan_dev_range_end(t->dev, event, range->start, range->end);
}

/*
 * The secondary TLB flush made under the page-table lock (->invalidate_range)
 * or from the arch TLB flush (->arch_invalidate_secondary_tlbs).  Atomic
 * context: no sleeping, no locks the walker may hold.
 */
static void tlbsan_mn_secondary(struct mmu_notifier *mn, struct mm_struct *mm,
				unsigned long start, unsigned long end)
{
	struct tlbsan_mn *t = tlb_to_mn(mn);

	tlbsan_count(t, TLBSAN_CB_SECONDARY);
	tlbsan_cov_note(TLBSAN_CB_SECONDARY);
	tlbsan_dev_secondary(t->dev, start, end);
}

/* Called by the notifier core an SRCU grace period after mmu_notifier_put(). */
static void tlbsan_mn_free_range(struct mmu_notifier *mn)
{
	to_mn(mn)->owner->free(to_mn(mn));
}

static void tlbsan_mn_free_tlb(struct mmu_notifier *mn)
{
	tlb_to_mn(mn)->owner->free(tlb_to_mn(mn));
}

static const struct mmu_notifier_ops tlbsan_range_ops = {
	.release		= tlbsan_mn_release,
	.clear_flush_young	= tlbsan_mn_clear_flush_young,
	.clear_young		= tlbsan_mn_clear_young,
	.test_young		= tlbsan_mn_test_young,
	TLBSAN_MN_OP_CHANGE_PTE(tlbsan_mn_change_pte)
	.invalidate_range_start	= tlbsan_mn_invalidate_range_start,
	.invalidate_range_end	= tlbsan_mn_invalidate_range_end,
	.free_notifier		= tlbsan_mn_free_range,
};

static const struct mmu_notifier_ops tlbsan_tlb_ops = {
	.TLBSAN_MN_SECONDARY_OP	= tlbsan_mn_secondary,
	.free_notifier		= tlbsan_mn_free_tlb,
};

void tlbsan_mn_init(struct tlbsan_mn *mn, struct tlbsan_dev *dev,
		    const struct tlbsan_mn_owner *owner)
{
	mn->dev = dev;
	mn->owner = owner;
	mn->range.ops = &tlbsan_range_ops;
	mn->tlb.ops = &tlbsan_tlb_ops;
}

/* Whether the running kernel has the callback that @cb counts. */
bool tlbsan_cb_offered(enum tlbsan_cb cb)
{
	switch (cb) {
	case TLBSAN_CB_CHANGE_PTE:
		return TLBSAN_HAVE_MN_CHANGE_PTE;
	case TLBSAN_CB_INVALIDATE_RANGE:
		return TLBSAN_HAVE_MN_INVALIDATE_RANGE;
	case TLBSAN_CB_ARCH_INVALIDATE_SECONDARY_TLBS:
		return TLBSAN_HAVE_MN_ARCH_INVALIDATE_SECONDARY_TLBS;
	case TLBSAN_CB_UNSPEC:
	case __TLBSAN_CB_MAX:
		return false;
	default:
		return true;
	}
}
