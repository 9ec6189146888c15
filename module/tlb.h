/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device TLB: set-associative, LRU within a set, caching 4 KiB, 2 MiB
 * and 1 GiB translations; and the paging-structure cache (PDE cache) that
 * caches the PMD-level pointer to a PTE table.
 *
 * Pure data structure: no locking, no allocation after init, no kernel
 * services, so that tests/unit/ compiles it in userspace.  The owner
 * (struct tlbsan_dev) serialises every call with its lock.
 */
#ifndef TLBSAN_TLB_H
#define TLBSAN_TLB_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <uapi/tlbsan.h>		/* TLBSAN_PERM_* */

/* Page-size classes, smallest first. */
enum tlbsan_size {
	TLBSAN_SIZE_4K,
	TLBSAN_SIZE_2M,
	TLBSAN_SIZE_1G,
	TLBSAN_NR_SIZES,
};

/* 12, 21, 30: x86-64's page, PMD and PUD leaf sizes. */
static inline unsigned int tlbsan_size_shift(unsigned int size)
{
	return 12 + 9 * size;
}

struct tlbsan_tlbe {
	unsigned long va;	/* aligned to the entry's size */
	unsigned long pfn;	/* first pfn of the translation */
	u64 fill_ns;		/* when it was filled */
	u64 fill_seq;		/* the device's fill sequence number */
	u64 inv_id;		/* checker: nearest notifier call that covered it */
	u32 lru;		/* larger is more recent */
	u8 size;		/* enum tlbsan_size */
	u8 perm;		/* TLBSAN_PERM_READ/WRITE */
	u8 valid;
	u8 thread;		/* device thread that filled it */
	u8 chk;			/* checker: TLBSAN_CHK_* (oracle.h) */
};

struct tlbsan_tlb {
	/* Called for each valid entry that leaves the TLB (may be NULL). */
	void (*evict)(const struct tlbsan_tlbe *e);
	unsigned int sets;	/* a power of two */
	unsigned int ways;
	u32 clock;		/* LRU stamp source */
	struct tlbsan_tlbe *e;	/* sets * ways entries, set-major */
};

struct tlbsan_fill {
	unsigned long va;	/* any address inside the translation */
	unsigned long pfn;	/* pfn of the translation's first page */
	enum tlbsan_size size;
	u8 perm;
	u8 thread;
	u64 fill_ns;
	u64 fill_seq;
};

/* Geometry check: returns NULL or a reason. */
const char *tlbsan_tlb_check_geometry(unsigned int entries, unsigned int ways);
/* @mem holds entries * sizeof(struct tlbsan_tlbe) bytes. */
void tlbsan_tlb_init(struct tlbsan_tlb *tlb, struct tlbsan_tlbe *mem,
		     unsigned int entries, unsigned int ways);
unsigned int tlbsan_tlb_set_of(const struct tlbsan_tlb *tlb, unsigned long va,
			       enum tlbsan_size size);
/* Lookup: the entry translating @va, made most recently used; or NULL. */
struct tlbsan_tlbe *tlbsan_tlb_lookup(struct tlbsan_tlb *tlb, unsigned long va);
/* Fill: replaces a translation of the same page, else the LRU way. */
struct tlbsan_tlbe *tlbsan_tlb_fill(struct tlbsan_tlb *tlb, const struct tlbsan_fill *f);
/* Invalidate every entry overlapping [start, end); returns how many. */
unsigned int tlbsan_tlb_invalidate(struct tlbsan_tlb *tlb, unsigned long start,
				   unsigned long end);
unsigned int tlbsan_tlb_flush_all(struct tlbsan_tlb *tlb);
/* Drop one entry (the checker's poisoning). */
void tlbsan_tlb_drop(struct tlbsan_tlb *tlb, struct tlbsan_tlbe *e);
/* Call @fn for each valid entry overlapping [start, end). */
void tlbsan_tlb_visit(struct tlbsan_tlb *tlb, unsigned long start, unsigned long end,
		      void (*fn)(struct tlbsan_tlbe *e, void *arg), void *arg);
unsigned int tlbsan_tlb_count(const struct tlbsan_tlb *tlb);

static inline unsigned long tlbsan_tlbe_bytes(const struct tlbsan_tlbe *e)
{
	return 1UL << tlbsan_size_shift(e->size);
}

/*
 * PDE cache: direct-mapped, one entry per 2 MiB region, holding the pfn of
 * the PTE table the PMD pointed to when the walker filled it.
 */
struct tlbsan_pdee {
	unsigned long va;	/* 2 MiB aligned */
	unsigned long table_pfn;
	u8 valid;
};

struct tlbsan_pde {
	unsigned int entries;	/* a power of two; 0 when the cache is off */
	struct tlbsan_pdee *e;
};

void tlbsan_pde_init(struct tlbsan_pde *pde, struct tlbsan_pdee *mem, unsigned int entries);
struct tlbsan_pdee *tlbsan_pde_lookup(struct tlbsan_pde *pde, unsigned long va);
void tlbsan_pde_fill(struct tlbsan_pde *pde, unsigned long va, unsigned long table_pfn);
unsigned int tlbsan_pde_invalidate(struct tlbsan_pde *pde, unsigned long start,
				   unsigned long end);

#endif /* TLBSAN_TLB_H */
