/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checker's decisions, as pure functions of what it knows about one
 * cached translation, so that tests/unit/ can drive them through every
 * ordering of fill, invalidation and access.
 *
 * What the checker knows about a cached translation (flags in
 * tlbsan_tlbe.chk, set when a notifier call covering it is *delivered* to
 * the device model; DROP withholds its dropped event):
 *   STARTED    an invalidate_range_start covered it since the fill, or a
 *              bracket covering it was still open when it was filled;
 *   ENDED      ... and that bracket has ended;
 *   SECONDARY  a secondary TLB call (invalidate_range or
 *              arch_invalidate_secondary_tlbs) made *before* the end of
 *              its bracket covered it since the fill: the under-lock call;
 *   LATE       the secondary call that mmu_notifier_invalidate_range_end()
 *              itself makes up to 6.5 (not the _only_end form) covered it:
 *              the device was told, but long after the page-table lock
 *              that changed the entry was dropped.
 * A translation is "notified" once any of STARTED, SECONDARY, LATE.  It is
 * "due" (the device was told to drop it) once the call the model is
 * written against has covered it: SECONDARY or LATE for the SVA-style
 * models (HW, LAZY), STARTED for the others.
 *
 * Who is at fault.  A due translation still in use is the device's bug.
 * A translation that is not due although the contract required the call
 * is the kernel's: the report then names the bracket that should have
 * carried the call (*owed is set), not the call that came last.  For the
 * SVA-style models the contract (2017 thread) owes, for each PTE change:
 *   case A  page freed before invalidate_range_end: a secondary call
 *           before the free (checked at the free, check.c: class 1);
 *   case B  PTE repointed to another present page: a secondary call under
 *           the page-table lock, i.e. before the bracket ends; LATE is
 *           too late.  A read-only same-content replacement (KSM) may
 *           wait for the end: class 7, not a violation;
 *   WP      write permission removed: may wait for the end, and from 6.6
 *           even past it (fork write-protects under a bracket and flushes
 *           with flush_tlb_mm() after its end, with no pending-flush
 *           count), so a missing call is not decidable and only writes
 *           after the call (class 4) or without any notification
 *           (class 3) are reported.
 * The KVM-style models owe nothing but the start, so for them the kernel
 * is at fault only when nothing was delivered (class 3).
 *
 * A legitimate late secondary call for case B exists in one shape: a zap
 * whose TLB flush is batched (mmu_gather, reclaim) clears the PTE, the
 * bracket ends, and a fault maps a new page before the batched flush.  The
 * PTE went through none, not from page to page, and the kernel says so:
 * mm_tlb_flush_pending() stays true until the gather's flush (with its
 * secondary call) is done.  While it is true, an undue repointed
 * translation decides nothing (errs towards "unknown", never towards a
 * violation); the old page's free is checked as case A.
 *
 * Decision table ("-" is no report; SVA: HW, LAZY; KVM: SW, END_ONLY,
 * DROP, NONE; "pending": cpu_view.flush_pending):
 *
 *  CPU entry now         chk                moment         SVA        KVM
 *  --------------------  -----------------  -------------  ---------  ---------
 *  walk unstable         any                access         -          -
 *  same page and perms   any                access, end    -          -
 *  other page            not notified       access         3          3
 *  other page, RO, same  notified           read, end      7          7
 *    content
 *  other page            due                access, end    2 device   2 device
 *  other page            STARTED, not due,  end            2 kernel   (due)
 *                        not pending
 *  other page            STARTED, not due,  access         -          (due)
 *                        bracket open
 *  other page            STARTED|ENDED,     access         2 kernel   (due)
 *                        not due, not pend.
 *  other page            not due, pending   access, end    -          (due)
 *  gone (none, swap...)  not notified       access         3          3
 *  gone                  notified           access, end    -          -
 *  write-protected       not notified       access         3          3
 *  write-protected       ENDED and due      write          4 device   4 device
 *  write-protected       otherwise          access, end    -          -
 */
#ifndef TLBSAN_ORACLE_H
#define TLBSAN_ORACLE_H

#include <linux/types.h>
#include <uapi/tlbsan.h>

#define TLBSAN_CHK_STARTED	0x1
#define TLBSAN_CHK_ENDED	0x2
#define TLBSAN_CHK_SECONDARY	0x4
#define TLBSAN_CHK_LATE		0x8

/* The CPU page table's answer for the translation's VA, now. */
struct tlbsan_cpu_view {
	int walk;		/* enum tlbsan_walk */
	unsigned long pfn;	/* 4 KiB pfn mapped at the VA, when walk is OK */
	bool writable;		/* pte_write() of that entry */
	bool flush_pending;	/* mm_tlb_flush_pending(): a batched flush is owed */
};

/* What the device is about to do through the translation. */
struct tlbsan_dev_view {
	u8 chk;			/* TLBSAN_CHK_* */
	bool secondary_model;	/* HW, LAZY: due when SECONDARY or LATE */
	unsigned long pfn;	/* 4 KiB pfn the device uses for the VA */
	bool writable;		/* the cached translation allows writes */
};

static inline bool tlbsan_notified(u8 chk)
{
	return chk & (TLBSAN_CHK_STARTED | TLBSAN_CHK_SECONDARY | TLBSAN_CHK_LATE);
}

static inline bool tlbsan_due(const struct tlbsan_dev_view *d)
{
	return d->chk & (d->secondary_model ? TLBSAN_CHK_SECONDARY | TLBSAN_CHK_LATE :
			 TLBSAN_CHK_STARTED);
}

/* Does the CPU map a different present page than the device uses? */
static inline bool tlbsan_replaced(const struct tlbsan_dev_view *d,
				   const struct tlbsan_cpu_view *c)
{
	return c->walk == TLBSAN_WALK_OK && c->pfn != d->pfn;
}

/*
 * Would a same-content check decide between STALE and STALE_BENIGN?  Only
 * a read through a translation whose page was replaced by a read-only one.
 */
static inline bool tlbsan_oracle_wants_content(const struct tlbsan_dev_view *d,
					       const struct tlbsan_cpu_view *c, bool write)
{
	return !write && tlbsan_replaced(d, c) && !c->writable && tlbsan_notified(d->chk);
}

/*
 * Each returns the class to report (0: none).  *owed is set when the
 * kernel is at fault: the call it owed never came, and the report names
 * the bracket that should have carried it.
 */
enum tlbsan_class tlbsan_oracle_access(const struct tlbsan_dev_view *d,
				       const struct tlbsan_cpu_view *c,
				       bool write, bool same_content, bool *owed);
enum tlbsan_class tlbsan_oracle_end(const struct tlbsan_dev_view *d,
				    const struct tlbsan_cpu_view *c, bool same_content,
				    bool *owed);
/* At the free of a page the translation still maps (always class 1). */
bool tlbsan_oracle_free_owed(const struct tlbsan_dev_view *d);

#endif /* TLBSAN_ORACLE_H */
