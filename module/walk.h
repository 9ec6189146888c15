/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_WALK_H
#define TLBSAN_WALK_H

#include <linux/mm_types.h>
#include "tlb.h"

/* One translation as the walker found it in the CPU page tables. */
struct tlbsan_xlat {
	unsigned long pfn;		/* first pfn of the leaf */
	unsigned long table_pfn;	/* PTE table of a 4 KiB leaf, else 0 */
	u64 raw;			/* the leaf entry, for reports */
	enum tlbsan_size size;
	u8 perm;			/* TLBSAN_PERM_* the device may use */
	bool cpu_write;			/* the CPU entry is writable (dirty or not) */
};

enum tlbsan_walk tlbsan_walk(struct mm_struct *mm, unsigned long va,
			     unsigned long pde_table_pfn, struct tlbsan_xlat *x);

/* pfn of the 4 KiB page holding @va inside translation @x. */
static inline unsigned long tlbsan_xlat_pfn(const struct tlbsan_xlat *x, unsigned long va)
{
	return x->pfn + ((va & ((1UL << tlbsan_size_shift(x->size)) - 1)) >> 12);
}

#endif /* TLBSAN_WALK_H */
