// SPDX-License-Identifier: GPL-2.0
/*
 * The device's page-table walker: translates a VA of the target mm by
 * reading the CPU page tables the way an IOMMU does for an ATS request,
 * with neither mmap_lock nor the page-table lock.
 *
 * Why the walk is safe (every kernel line, x86-64):
 *  - The device thread runs with the target mm adopted (kthread_use_mm), so
 *    its CPU is in mm_cpumask and is not in lazy-TLB mode for it, and the
 *    walk runs with interrupts disabled.
 *  - A page-table page is only freed after the TLB flush that follows its
 *    unlinking: either through the flush IPI to every CPU of mm_cpumask, or,
 *    with MMU_GATHER_RCU_TABLE_FREE (Debian's kernels: PARAVIRT=y), after an
 *    RCU grace period or a tlb_remove_table_sync_one() IPI; 6.5+ also frees
 *    retracted PTE tables with pte_free_defer(), i.e. after RCU.  An
 *    interrupts-off section holds off both the IPI and the grace period, so
 *    every table the walk reaches stays allocated until it returns.  This is
 *    the guarantee lockless GUP (gup_fast) relies on.
 *  - Entries are single 64-bit words, read once each (READ_ONCE).  After the
 *    PTE is read the PMD is read again: if it changed (THP collapse or split,
 *    table freed or replaced), the PTE may come from a stale table and the
 *    walk reports UNSTABLE so the caller retries, as gup_fast does.
 *  - Presence is the hardware's view (_PAGE_PRESENT), not pte_present(),
 *    which also counts PROT_NONE and PMDs being split as present.
 *  - The device reaches memory through the kernel's direct map, so a leaf
 *    whose first page is not in it (memfd_secret) is refused: NODIRECT.
 * The walk takes no reference on anything: the device holds translations,
 * never pages.  Races with invalidation are the caller's to resolve with
 * its fill sequence (see dev.c).
 *
 * PDE cache: when @pde_table_pfn is non-zero the walker skips the upper
 * levels and reads the PTE from that table, as hardware with a
 * paging-structure cache does; the table may have been freed if nobody
 * invalidated the cache, so that read cannot fault.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "walk.h"

static u8 perm_of(bool write, bool dirty)
{
	/* A device write needs a writable, dirty entry; else it faults (PRI). */
	return TLBSAN_PERM_READ | (write && dirty ? TLBSAN_PERM_WRITE : 0);
}

/*
 * A leaf at any level: the translation the device may cache.  @rw is the
 * hardware's write bit, which an IOMMU honours: from 6.6 pte_write() is
 * also true of shadow-stack entries (RW clear, Dirty set), which no device
 * may write.  @write is pte_write(), what the CPU's mm code calls writable.
 */
static enum tlbsan_walk walk_leaf(struct tlbsan_xlat *x, unsigned long pfn, u64 raw,
				  enum tlbsan_size size, bool rw, bool write, bool dirty)
{
	u8 probe;

	if (!pfn_valid(pfn))
		return TLBSAN_WALK_SPECIAL;
	/*
	 * Memory taken out of the direct map (memfd_secret) is refused, as
	 * GUP refuses it: the device would reach it through the direct map.
	 */
	if (copy_from_kernel_nofault(&probe, pfn_to_kaddr(pfn), 1))
		return TLBSAN_WALK_NODIRECT;
	x->pfn = pfn;
	x->raw = raw;
	x->size = size;
	x->perm = perm_of(rw, dirty);
	x->cpu_write = write;
	return TLBSAN_WALK_OK;
}

static enum tlbsan_walk walk_pte(pte_t pte, struct tlbsan_xlat *x)
{
	if (pte_none(pte))
		return TLBSAN_WALK_NONE;
	if (!(pte_flags(pte) & _PAGE_PRESENT))
		return pte_protnone(pte) ? TLBSAN_WALK_PROTNONE : tlbsan_pte_nonpresent_kind(pte);
	return walk_leaf(x, pte_pfn(pte), pte_val(pte), TLBSAN_SIZE_4K,
			 pte_flags(pte) & _PAGE_RW, pte_write(pte), pte_dirty(pte));
}

/* The PUD entry covering @va, read once; NULL when an upper level is empty. */
static pud_t *walk_to_pud(struct mm_struct *mm, unsigned long va, pud_t *pud)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	pud_t *pudp;

	pgdp = pgd_offset(mm, va);
	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd))
		return NULL;
	p4dp = p4d_offset_lockless(pgdp, pgd, va);
	p4d = READ_ONCE(*p4dp);
	if (p4d_none(p4d) || !(p4d_flags(p4d) & _PAGE_PRESENT))
		return NULL;
	pudp = pud_offset_lockless(p4dp, p4d, va);
	*pud = READ_ONCE(*pudp);
	return pudp;
}

/* From a present, non-leaf PUD down to the leaf. */
static enum tlbsan_walk walk_pmd(pud_t *pudp, pud_t pud, unsigned long va,
				 struct tlbsan_xlat *x)
{
	pmd_t *pmdp, pmd;
	pte_t pte;

	pmdp = pmd_offset_lockless(pudp, pud, va);
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd))
		return TLBSAN_WALK_NONE;
	if (!(pmd_flags(pmd) & _PAGE_PRESENT)) {
		if (pmd_flags(pmd) & _PAGE_PROTNONE)
			return TLBSAN_WALK_PROTNONE;
		/* Invalidated for a split or collapse (PSE kept), or migrating. */
		return (pmd_flags(pmd) & _PAGE_PSE) ? TLBSAN_WALK_UNSTABLE :
						      TLBSAN_WALK_MIGRATION;
	}
	if (pmd_flags(pmd) & _PAGE_PSE)
		return walk_leaf(x, pmd_pfn(pmd), pmd_val(pmd), TLBSAN_SIZE_2M,
				 pmd_flags(pmd) & _PAGE_RW, pmd_write(pmd), pmd_dirty(pmd));

	x->table_pfn = pmd_pfn(pmd);
	pte = READ_ONCE(*((pte_t *)pfn_to_kaddr(x->table_pfn) + pte_index(va)));
	/* The table we read from must still be the PMD's (see above). */
	if (pmd_val(READ_ONCE(*pmdp)) != pmd_val(pmd))
		return TLBSAN_WALK_UNSTABLE;
	return walk_pte(pte, x);
}

enum tlbsan_walk tlbsan_walk(struct mm_struct *mm, unsigned long va,
			     unsigned long pde_table_pfn, struct tlbsan_xlat *x)
{
	pud_t *pudp, pud;
	pte_t pte;

	lockdep_assert_irqs_disabled();
	x->table_pfn = 0;

	if (pde_table_pfn) {
		pte_t *ptep = (pte_t *)pfn_to_kaddr(pde_table_pfn) + pte_index(va);

		if (copy_from_kernel_nofault(&pte, ptep, sizeof(pte)))
			return TLBSAN_WALK_NONE;
		x->table_pfn = pde_table_pfn;
		return walk_pte(pte, x);
	}

	pudp = walk_to_pud(mm, va, &pud);
	if (!pudp || pud_none(pud))
		return TLBSAN_WALK_NONE;
	/*
	 * Not present and not none: invalidated for a change (PSE kept, as
	 * pudp_invalidate() leaves it), else a 1 GiB migration or hwpoison
	 * entry, which a page request resolves or fails.
	 */
	if (!(pud_flags(pud) & _PAGE_PRESENT)) {
		if (pud_flags(pud) & _PAGE_PROTNONE)
			return TLBSAN_WALK_PROTNONE;
		return (pud_flags(pud) & _PAGE_PSE) ? TLBSAN_WALK_UNSTABLE :
						      TLBSAN_WALK_MIGRATION;
	}
	if (pud_flags(pud) & _PAGE_PSE)
		return walk_leaf(x, pud_pfn(pud), pud_val(pud), TLBSAN_SIZE_1G,
				 pud_flags(pud) & _PAGE_RW, pud_write(pud), pud_dirty(pud));
	return walk_pmd(pudp, pud, va, x);
}
