// SPDX-License-Identifier: GPL-2.0
/*
 * Device TLB and PDE cache (see tlb.h).  Every function here runs under the
 * owning device's lock, never sleeps and never allocates.
 */
#include "range.h"
#include "tlb.h"

static inline bool is_pow2(unsigned int n)
{
	return n && !(n & (n - 1));
}

const char *tlbsan_tlb_check_geometry(unsigned int entries, unsigned int ways)
{
	if (ways < 1 || ways > 64)
		return "TLB ways must be between 1 and 64";
	if (entries < ways || entries > 65536)
		return "TLB entries must be between the number of ways and 65536";
	if (entries % ways || !is_pow2(entries / ways))
		return "TLB entries / ways must be a power of two";
	return NULL;
}

void tlbsan_tlb_init(struct tlbsan_tlb *tlb, struct tlbsan_tlbe *mem,
		     unsigned int entries, unsigned int ways)
{
	unsigned int i;

	tlb->evict = NULL;
	tlb->ways = ways;
	tlb->sets = entries / ways;
	tlb->clock = 0;
	tlb->e = mem;
	for (i = 0; i < entries; i++)
		tlb->e[i].valid = 0;
}

/*
 * Set index of a page of a given size: the page number, folded so that
 * neighbouring huge pages do not all land in set 0 together with the
 * 4 KiB pages at the start of their region.
 */
unsigned int tlbsan_tlb_set_of(const struct tlbsan_tlb *tlb, unsigned long va,
			       enum tlbsan_size size)
{
	unsigned long pn = va >> tlbsan_size_shift(size);

	return (unsigned int)((pn ^ (pn >> 9) ^ ((unsigned long)size << 5)) & (tlb->sets - 1));
}

static inline struct tlbsan_tlbe *set_base(struct tlbsan_tlb *tlb, unsigned int set)
{
	return &tlb->e[(size_t)set * tlb->ways];
}

static inline bool tlbe_covers(const struct tlbsan_tlbe *e, unsigned long va)
{
	return e->valid && va - e->va < tlbsan_tlbe_bytes(e);
}

struct tlbsan_tlbe *tlbsan_tlb_lookup(struct tlbsan_tlb *tlb, unsigned long va)
{
	unsigned int s, w;

	for (s = 0; s < TLBSAN_NR_SIZES; s++) {
		struct tlbsan_tlbe *set = set_base(tlb, tlbsan_tlb_set_of(tlb, va, s));

		for (w = 0; w < tlb->ways; w++) {
			if (set[w].size == s && tlbe_covers(&set[w], va)) {
				set[w].lru = ++tlb->clock;
				return &set[w];
			}
		}
	}
	return NULL;
}

struct tlbsan_tlbe *tlbsan_tlb_fill(struct tlbsan_tlb *tlb, const struct tlbsan_fill *f)
{
	unsigned long base = f->va & ~((1UL << tlbsan_size_shift(f->size)) - 1);
	struct tlbsan_tlbe *set = set_base(tlb, tlbsan_tlb_set_of(tlb, base, f->size));
	struct tlbsan_tlbe *victim = NULL;
	unsigned int w;

	for (w = 0; w < tlb->ways; w++) {
		struct tlbsan_tlbe *e = &set[w];

		if (e->valid && e->size == f->size && e->va == base) {
			victim = e;
			break;
		}
		if (!victim || (victim->valid && (!e->valid || e->lru < victim->lru)))
			victim = e;
	}
	if (victim->valid && tlb->evict)
		tlb->evict(victim);
	victim->va = base;
	victim->pfn = f->pfn;
	victim->size = f->size;
	victim->perm = f->perm;
	victim->thread = f->thread;
	victim->fill_ns = f->fill_ns;
	victim->fill_seq = f->fill_seq;
	victim->inv_id = 0;
	victim->chk = 0;
	victim->lru = ++tlb->clock;
	victim->valid = 1;
	return victim;
}

static unsigned int invalidate_set(struct tlbsan_tlb *tlb, unsigned int set,
				   unsigned long start, unsigned long end)
{
	struct tlbsan_tlbe *e = set_base(tlb, set);
	unsigned int w, n = 0;

	for (w = 0; w < tlb->ways; w++) {
		if (e[w].valid &&
		    tlbsan_range_overlaps(start, end, e[w].va, tlbsan_tlbe_bytes(&e[w]))) {
			tlbsan_tlb_drop(tlb, &e[w]);
			n++;
		}
	}
	return n;
}

/*
 * Small ranges probe the sets their pages map to, for each size class;
 * ranges with more pages than the TLB has sets scan every set.
 */
unsigned int tlbsan_tlb_invalidate(struct tlbsan_tlb *tlb, unsigned long start,
				   unsigned long end)
{
	unsigned int s, set, n = 0;
	unsigned long pn, first, last;

	if (tlbsan_range_is_anomalous(start, end) && !tlbsan_range_is_fullmm(start, end))
		return 0;
	if (tlbsan_range_is_all(start, end) || ((end - start) >> 12) >= tlb->sets) {
		for (set = 0; set < tlb->sets; set++)
			n += invalidate_set(tlb, set, start, end);
		return n;
	}
	for (s = 0; s < TLBSAN_NR_SIZES; s++) {
		first = start >> tlbsan_size_shift(s);
		last = (end - 1) >> tlbsan_size_shift(s);
		for (pn = first; pn <= last; pn++) {
			set = tlbsan_tlb_set_of(tlb, pn << tlbsan_size_shift(s), s);
			n += invalidate_set(tlb, set, start, end);
		}
	}
	return n;
}

void tlbsan_tlb_drop(struct tlbsan_tlb *tlb, struct tlbsan_tlbe *e)
{
	if (e->valid && tlb->evict)
		tlb->evict(e);
	e->valid = 0;
}

void tlbsan_tlb_visit(struct tlbsan_tlb *tlb, unsigned long start, unsigned long end,
		      void (*fn)(struct tlbsan_tlbe *e, void *arg), void *arg)
{
	unsigned int i;

	for (i = 0; i < tlb->sets * tlb->ways; i++)
		if (tlb->e[i].valid &&
		    tlbsan_range_overlaps(start, end, tlb->e[i].va, tlbsan_tlbe_bytes(&tlb->e[i])))
			fn(&tlb->e[i], arg);
}

unsigned int tlbsan_tlb_flush_all(struct tlbsan_tlb *tlb)
{
	return tlbsan_tlb_invalidate(tlb, 0, ULONG_MAX);
}

unsigned int tlbsan_tlb_count(const struct tlbsan_tlb *tlb)
{
	unsigned int i, n = 0;

	for (i = 0; i < tlb->sets * tlb->ways; i++)
		n += tlb->e[i].valid;
	return n;
}

void tlbsan_pde_init(struct tlbsan_pde *pde, struct tlbsan_pdee *mem, unsigned int entries)
{
	unsigned int i;

	pde->entries = entries;
	pde->e = mem;
	for (i = 0; i < entries; i++)
		pde->e[i].valid = 0;
}

static inline struct tlbsan_pdee *pde_slot(struct tlbsan_pde *pde, unsigned long va)
{
	return &pde->e[(va >> 21) & (pde->entries - 1)];
}

struct tlbsan_pdee *tlbsan_pde_lookup(struct tlbsan_pde *pde, unsigned long va)
{
	struct tlbsan_pdee *p;

	if (!pde->entries)
		return NULL;
	p = pde_slot(pde, va);
	return p->valid && p->va == (va & ~((1UL << 21) - 1)) ? p : NULL;
}

void tlbsan_pde_fill(struct tlbsan_pde *pde, unsigned long va, unsigned long table_pfn)
{
	struct tlbsan_pdee *p;

	if (!pde->entries)
		return;
	p = pde_slot(pde, va);
	p->va = va & ~((1UL << 21) - 1);
	p->table_pfn = table_pfn;
	p->valid = 1;
}

unsigned int tlbsan_pde_invalidate(struct tlbsan_pde *pde, unsigned long start,
				   unsigned long end)
{
	unsigned int i, n = 0;

	for (i = 0; i < pde->entries; i++) {
		struct tlbsan_pdee *p = &pde->e[i];

		if (p->valid && tlbsan_range_overlaps(start, end, p->va, 1UL << 21)) {
			p->valid = 0;
			n++;
		}
	}
	return n;
}
