/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_MN_H
#define TLBSAN_MN_H

#include <linux/atomic.h>
#include <linux/mmu_notifier.h>
#include <uapi/tlbsan.h>
#include "dev.h"

struct tlbsan_mn;

/*
 * What the owner of a tlbsan_mn does at the mm's ->release (after the
 * device has been told; may sleep) and at each registration's
 * ->free_notifier (an SRCU callback: must not sleep).
 */
struct tlbsan_mn_owner {
	void (*release)(struct tlbsan_mn *mn);
	void (*free)(struct tlbsan_mn *mn);
};

/*
 * The two notifier registrations of one device context:
 *  - tlb is what an SVA driver registers: the secondary TLB flush made
 *    under the page-table lock or from the arch TLB flush;
 *  - range observes the invalidate_range_start/end brackets, the young
 *    callbacks and ->release.
 * From 6.6 the core refuses a notifier that has both the secondary TLB
 * callback and start/end, so they are two registrations on every line.
 *
 * Locking: dev and owner are constant from tlbsan_mn_init(); the counters
 * are atomics, written locklessly by the callbacks and read without
 * ordering by STATS.
 */
struct tlbsan_mn {
	struct mmu_notifier range;
	struct mmu_notifier tlb;
	struct tlbsan_dev *dev;
	const struct tlbsan_mn_owner *owner;

	atomic64_t cb[__TLBSAN_CB_MAX];
	atomic64_t starts[__TLBSAN_EVENT_MAX];
	atomic64_t ends[__TLBSAN_EVENT_MAX];
};

/* Before registering either notifier: from then on callbacks reach @dev. */
void tlbsan_mn_init(struct tlbsan_mn *mn, struct tlbsan_dev *dev,
		    const struct tlbsan_mn_owner *owner);
bool tlbsan_cb_offered(enum tlbsan_cb cb);

#endif /* TLBSAN_MN_H */
