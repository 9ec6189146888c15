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
 *              arch_invalidate_secondary_tlbs) covered it since the fill.
 * A translation is "notified" once STARTED or SECONDARY.  It is "due"
 * (the contract required the device to have dropped it) once the call the
 * model is written against has covered it: SECONDARY for the SVA-style
 * models (HW, LAZY), STARTED for the others.
 */
#ifndef TLBSAN_ORACLE_H
#define TLBSAN_ORACLE_H

#include <linux/types.h>
#include <uapi/tlbsan.h>

#define TLBSAN_CHK_STARTED	0x1
#define TLBSAN_CHK_ENDED	0x2
#define TLBSAN_CHK_SECONDARY	0x4

/* The CPU page table's answer for the translation's VA, now. */
struct tlbsan_cpu_view {
	int walk;		/* enum tlbsan_walk */
	unsigned long pfn;	/* 4 KiB pfn mapped at the VA, when walk is OK */
	bool writable;		/* pte_write() of that entry */
};

/* What the device is about to do through the translation. */
struct tlbsan_dev_view {
	u8 chk;			/* TLBSAN_CHK_* */
	bool secondary_model;	/* HW, LAZY: due when SECONDARY */
	unsigned long pfn;	/* 4 KiB pfn the device uses for the VA */
	bool writable;		/* the cached translation allows writes */
};

static inline bool tlbsan_notified(u8 chk)
{
	return chk & (TLBSAN_CHK_STARTED | TLBSAN_CHK_SECONDARY);
}

static inline bool tlbsan_due(const struct tlbsan_dev_view *d)
{
	return d->chk & (d->secondary_model ? TLBSAN_CHK_SECONDARY : TLBSAN_CHK_STARTED);
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

enum tlbsan_class tlbsan_oracle_access(const struct tlbsan_dev_view *d,
				       const struct tlbsan_cpu_view *c,
				       bool write, bool same_content);
enum tlbsan_class tlbsan_oracle_end(const struct tlbsan_dev_view *d,
				    const struct tlbsan_cpu_view *c, bool same_content);

#endif /* TLBSAN_ORACLE_H */
