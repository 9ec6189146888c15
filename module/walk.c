// SPDX-License-Identifier: GPL-2.0
/*
 * The device's page-table walker: translates a VA of the target mm by
 * reading the CPU page tables the way an IOMMU does for an ATS request,
 * with neither mmap_lock nor the page-table lock.
 *
 * Why the walk is safe (every kernel line, x86-64), from the device thread
 * and from any other context (the checker walks from notifier callbacks
 * made by tasks that need not run the target mm, e.g. kswapd):
 *  - Only the top level is read plainly: the PGD page lives as long as the
 *    mm, which the caller keeps.  Every lower entry is read with a
 *    non-faulting load, so a table page freed under the walk, and even
 *    one taken out of the direct map since, cannot oops it.
 *  - A table page is unlinked from its parent entry before it is freed.
 *    When the walk has read its last entry, it reads every parent entry it
 *    went through again, top down: if each still holds what it held, each
 *    table was still linked when it was read; if one changed (THP collapse
 *    or split, table freed, moved or replaced) the walk reports UNSTABLE
 *    and its caller retries or, the checker, decides nothing, as gup_fast
 *    does.  (A table freed and linked again into the same parent slot
 *    within one walk would pass; its entries are then that slot's.)
 *  - The device thread also has the stronger guarantee lockless GUP
 *    relies on: it runs with the target mm adopted (kthread_use_mm), so
 *    its CPU is in mm_cpumask, with interrupts disabled, and page tables
 *    are freed only after the flush IPI to mm_cpumask or, with
 *    MMU_GATHER_RCU_TABLE_FREE, after an RCU grace period (or a
 *    tlb_remove_table_sync_one() IPI), both of which it holds off.  A
 *    caller outside mm_cpumask has neither (6.1 and 6.12 on bare metal and
 *    under TCG free tables right after the IPI): the two points above are
 *    what make its walk safe.
 *  - Entries are single 64-bit words, read once each.
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

/*
 * The non-leaf entries one walk went through below the PGD, for the final
 * check.  Local to the walk (its caller's stack).
 */
struct walk_chain {
	const u64 *ptr[3];
	u64 val[3];
	unsigned int n;
};

/* Read the entry at @ptr without faulting: false if it cannot be read. */
static bool read_entry(const void *ptr, u64 *val)
{
	return !copy_from_kernel_nofault(val, ptr, sizeof(*val));
}

/* Read a non-leaf entry and remember it for walk_stable(). */
static bool read_parent(struct walk_chain *c, const void *ptr, u64 *val)
{
	if (!read_entry(ptr, val))
		return false;
	c->ptr[c->n] = ptr;
	c->val[c->n++] = *val;
	return true;
}

/* Every table the walk read from was still linked (see the top). */
static bool walk_stable(const struct walk_chain *c)
{
	unsigned int i;
	u64 v;

	for (i = 0; i < c->n; i++)
		if (!read_entry(c->ptr[i], &v) || v != c->val[i])
			return false;
	return true;
}

/*
 * The PUD entry covering @va into *@pudp and *@pud: OK, NONE when an upper
 * level is empty, UNSTABLE when an entry could not be read.
 */
static enum tlbsan_walk walk_to_pud(struct mm_struct *mm, unsigned long va, pud_t **pudp,
				    pud_t *pud, struct walk_chain *c)
{
	pgd_t *pgdp, pgd;
	p4d_t *p4dp, p4d;
	u64 v;

	pgdp = pgd_offset(mm, va);
	pgd = READ_ONCE(*pgdp);
	if (pgd_none(pgd))
		return TLBSAN_WALK_NONE;
	p4dp = p4d_offset_lockless(pgdp, pgd, va);
	/* (with four levels the P4D is the PGD: read again, harmlessly) */
	if (!read_parent(c, p4dp, &v))
		return TLBSAN_WALK_UNSTABLE;
	p4d = __p4d(v);
	if (p4d_none(p4d) || !(p4d_flags(p4d) & _PAGE_PRESENT))
		return TLBSAN_WALK_NONE;
	*pudp = pud_offset_lockless(p4dp, p4d, va);
	if (!read_parent(c, *pudp, &v))
		return TLBSAN_WALK_UNSTABLE;
	*pud = __pud(v);
	return pud_none(*pud) ? TLBSAN_WALK_NONE : TLBSAN_WALK_OK;
}

/* A leaf read from the tables in @c: only if they were still linked. */
static enum tlbsan_walk walk_checked(const struct walk_chain *c, enum tlbsan_walk r)
{
	return walk_stable(c) ? r : TLBSAN_WALK_UNSTABLE;
}

/* From a present, non-leaf PUD down to the leaf. */
static enum tlbsan_walk walk_pmd(pud_t *pudp, pud_t pud, unsigned long va,
				 struct tlbsan_xlat *x, struct walk_chain *c)
{
	pmd_t *pmdp, pmd;
	u64 v;

	pmdp = pmd_offset_lockless(pudp, pud, va);
	if (!read_parent(c, pmdp, &v))
		return TLBSAN_WALK_UNSTABLE;
	pmd = __pmd(v);
	if (pmd_none(pmd))
		return walk_checked(c, TLBSAN_WALK_NONE);
	if (!(pmd_flags(pmd) & _PAGE_PRESENT)) {
		if (pmd_flags(pmd) & _PAGE_PROTNONE)
			return walk_checked(c, TLBSAN_WALK_PROTNONE);
		/* Invalidated for a split or collapse (PSE kept), or migrating. */
		return (pmd_flags(pmd) & _PAGE_PSE) ? TLBSAN_WALK_UNSTABLE :
		       walk_checked(c, TLBSAN_WALK_MIGRATION);
	}
	if (pmd_flags(pmd) & _PAGE_PSE) {
		c->n--;		/* a leaf: the tables above it are checked */
		return walk_checked(c, walk_leaf(x, pmd_pfn(pmd), pmd_val(pmd), TLBSAN_SIZE_2M,
						 pmd_flags(pmd) & _PAGE_RW, pmd_write(pmd),
						 pmd_dirty(pmd)));
	}

	x->table_pfn = pmd_pfn(pmd);
	if (!read_entry((pte_t *)pfn_to_kaddr(x->table_pfn) + pte_index(va), &v))
		return TLBSAN_WALK_UNSTABLE;
	return walk_checked(c, walk_pte(__pte(v), x));
}

enum tlbsan_walk tlbsan_walk(struct mm_struct *mm, unsigned long va,
			     unsigned long pde_table_pfn, struct tlbsan_xlat *x)
{
	struct walk_chain c = { .n = 0 };
	enum tlbsan_walk r;
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

	r = walk_to_pud(mm, va, &pudp, &pud, &c);
	if (r != TLBSAN_WALK_OK)
		return r == TLBSAN_WALK_NONE ? walk_checked(&c, r) : r;
	/*
	 * Not present and not none: invalidated for a change (PSE kept, as
	 * pudp_invalidate() leaves it), else a 1 GiB migration or hwpoison
	 * entry, which a page request resolves or fails.
	 */
	if (!(pud_flags(pud) & _PAGE_PRESENT)) {
		if (pud_flags(pud) & _PAGE_PROTNONE)
			return walk_checked(&c, TLBSAN_WALK_PROTNONE);
		return (pud_flags(pud) & _PAGE_PSE) ? TLBSAN_WALK_UNSTABLE :
		       walk_checked(&c, TLBSAN_WALK_MIGRATION);
	}
	if (pud_flags(pud) & _PAGE_PSE) {
		c.n--;		/* a leaf: the tables above it are checked */
		return walk_checked(&c, walk_leaf(x, pud_pfn(pud), pud_val(pud), TLBSAN_SIZE_1G,
						  pud_flags(pud) & _PAGE_RW, pud_write(pud),
						  pud_dirty(pud)));
	}
	return walk_pmd(pudp, pud, va, x, &c);
}
