/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker of one device (check.c): what it remembers of the notifier
 * calls delivered to the device, and its reports.  It sees the device only
 * through what tlbsan_check_init() hands it.
 */
#ifndef TLBSAN_CHECK_H
#define TLBSAN_CHECK_H

#include <linux/mm_types.h>
#include <linux/spinlock.h>
#include "pfnwatch.h"
#include "report.h"
#include "tlb.h"

#define TLBSAN_INV_RING		32	/* recent notifier calls, for reports */
#define TLBSAN_SITES		32	/* secondary-call sites counted */

/* A bracket in progress (delivered start without its end yet). */
struct tlbsan_open {
	u64 id;				/* its tlbsan_inv_rec */
	unsigned long start, end;
	u8 event;
	const struct task_struct *task;	/* that made the start (and makes the end): compared only */
	bool late_checked;		/* its end's own secondary call checked it */
	bool sec_valid;			/* a secondary call inside it covered ... */
	unsigned long sec_start, sec_end; /* ... this range ... */
	u64 sec_fill_seq;		/* ... when fills was this */
};

struct tlbsan_site {
	unsigned long ip;
	u8 event;
	u64 calls;
	u64 redundant;
};

/*
 * Locking: the fields below the constants are under *lock, the device's
 * TLB lock (irqsave), which every tlbsan_check_* entry point but init,
 * watch and unwatch is called with; the constants are set by
 * tlbsan_check_init() before the device's notifiers are registered.
 */
struct tlbsan_checker {
	/* constant */
	raw_spinlock_t *lock;		/* the device's TLB lock: guards what follows */
	struct tlbsan_tlb *tlb;		/* the device TLB the calls mark */
	struct mm_struct *mm;		/* the CPU page tables to compare with */
	bool secondary_model;		/* due on the secondary call (model.h) */
	const bool *released;		/* the device saw ->release */
	atomic64_t *stat;		/* the device's counters, enum tlbsan_dev_stat */

	/* under *lock */
	u64 fills;			/* fills seen, for the redundancy check */
	u64 inv_next_id;
	struct tlbsan_inv_rec inv_ring[TLBSAN_INV_RING];
	struct tlbsan_open *open;	/* open_max slots, constant pointer */
	unsigned int open_max;		/* constant */
	unsigned int nr_open;
	bool open_overflow;		/* a bracket went untracked: fills are unknown */
	struct tlbsan_site sites[TLBSAN_SITES];
	unsigned int nr_sites;
	struct tlbsan_reports reports;	/* its own locking, see report.h */

	struct tlbsan_pfnwatch watch;	/* on the page-free watch while the device runs */
};

/* What the device hands its checker; see struct tlbsan_checker. */
struct tlbsan_checker_setup {
	raw_spinlock_t *lock;		/* the device's TLB lock */
	struct tlbsan_tlb *tlb;
	struct mm_struct *mm;
	u32 model;
	const bool *released;
	atomic64_t *stat;
	const struct tlbsan_ident *who;
	struct workqueue_struct *wq;
};

int tlbsan_check_init(struct tlbsan_checker *ck, const struct tlbsan_checker_setup *s);
void tlbsan_check_free(struct tlbsan_checker *ck);
/* On and off the page-free watch; process context. */
void tlbsan_check_watch(struct tlbsan_checker *ck);
void tlbsan_check_unwatch(struct tlbsan_checker *ck);

u64 tlbsan_check_call(struct tlbsan_checker *ck, enum tlbsan_cb cb, int event,
		      unsigned long start, unsigned long end);
void tlbsan_check_end(struct tlbsan_checker *ck, int event, unsigned long start,
		      unsigned long end);
bool tlbsan_check_access(struct tlbsan_checker *ck, struct tlbsan_tlbe *e, unsigned long va,
			 u32 op, u32 thread);
void tlbsan_check_fill(struct tlbsan_checker *ck, unsigned long va, unsigned long size,
		       u64 since, struct tlbsan_tlbe *e);

#endif /* TLBSAN_CHECK_H */
