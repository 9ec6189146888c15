// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include "tlb.h"
#include "unit.h"

static struct tlbsan_tlbe mem[1024];

static void fill(struct tlbsan_tlb *t, unsigned long va, unsigned long pfn,
		 enum tlbsan_size size)
{
	struct tlbsan_fill f = { .va = va, .pfn = pfn, .size = size, .perm = TLBSAN_PERM_READ };

	tlbsan_tlb_fill(t, &f);
}

UNIT_TEST(tlb_geometry)
{
	CHECK(tlbsan_tlb_check_geometry(512, 8) == NULL);
	CHECK(tlbsan_tlb_check_geometry(8, 8) == NULL);
	CHECK(tlbsan_tlb_check_geometry(512, 0) != NULL);
	CHECK(tlbsan_tlb_check_geometry(512, 65) != NULL);
	CHECK(tlbsan_tlb_check_geometry(4, 8) != NULL);
	CHECK(tlbsan_tlb_check_geometry(24, 8) != NULL);	/* 3 sets */
	CHECK(tlbsan_tlb_check_geometry(100, 8) != NULL);
	CHECK(tlbsan_tlb_check_geometry(131072, 8) != NULL);
}

UNIT_TEST(tlb_lookup_each_size)
{
	struct tlbsan_tlb t;
	struct tlbsan_tlbe *e;

	tlbsan_tlb_init(&t, mem, 512, 8);
	fill(&t, 0x7f0000001234UL, 100, TLBSAN_SIZE_4K);
	fill(&t, 0x7f0000200000UL, 512, TLBSAN_SIZE_2M);
	fill(&t, 0x7f0040000000UL, 262144, TLBSAN_SIZE_1G);
	e = tlbsan_tlb_lookup(&t, 0x7f0000001ff8UL);
	CHECK(e && e->pfn == 100 && e->va == 0x7f0000001000UL && e->size == TLBSAN_SIZE_4K);
	CHECK(!tlbsan_tlb_lookup(&t, 0x7f0000002000UL));
	e = tlbsan_tlb_lookup(&t, 0x7f00003fffffUL);
	CHECK(e && e->pfn == 512 && e->size == TLBSAN_SIZE_2M);
	e = tlbsan_tlb_lookup(&t, 0x7f007fffffffUL);
	CHECK(e && e->pfn == 262144 && e->size == TLBSAN_SIZE_1G);
	CHECK(!tlbsan_tlb_lookup(&t, 0x7f0080000000UL));
	CHECK_EQ(tlbsan_tlb_count(&t), 3);
}

UNIT_TEST(tlb_refill_same_page_replaces)
{
	struct tlbsan_tlb t;

	tlbsan_tlb_init(&t, mem, 64, 4);
	fill(&t, 0x1000, 1, TLBSAN_SIZE_4K);
	fill(&t, 0x1000, 2, TLBSAN_SIZE_4K);
	CHECK_EQ(tlbsan_tlb_count(&t), 1);
	CHECK_EQ(tlbsan_tlb_lookup(&t, 0x1000)->pfn, 2);
}

UNIT_TEST(tlb_lru_evicts_least_recent)
{
	struct tlbsan_tlb t;
	unsigned long va[5];
	unsigned int n = 0;
	unsigned long p;

	tlbsan_tlb_init(&t, mem, 16, 4);	/* 4 sets of 4 ways */
	/* Find five pages that map to the same set. */
	for (p = 0; n < 5; p++)
		if (tlbsan_tlb_set_of(&t, p << 12, TLBSAN_SIZE_4K) == 1)
			va[n++] = p << 12;
	for (n = 0; n < 4; n++)
		fill(&t, va[n], n + 10, TLBSAN_SIZE_4K);
	CHECK(tlbsan_tlb_lookup(&t, va[0]) != NULL);	/* va[1] is now LRU */
	fill(&t, va[4], 99, TLBSAN_SIZE_4K);
	CHECK(tlbsan_tlb_lookup(&t, va[1]) == NULL);
	CHECK(tlbsan_tlb_lookup(&t, va[0]) != NULL);
	CHECK(tlbsan_tlb_lookup(&t, va[2]) != NULL);
	CHECK(tlbsan_tlb_lookup(&t, va[3]) != NULL);
	CHECK(tlbsan_tlb_lookup(&t, va[4]) != NULL);
}

UNIT_TEST(tlb_invalidate_ranges)
{
	struct tlbsan_tlb t;
	unsigned long i;

	tlbsan_tlb_init(&t, mem, 512, 8);
	for (i = 0; i < 16; i++)
		fill(&t, 0x400000 + i * 4096, i, TLBSAN_SIZE_4K);
	fill(&t, 0x600000, 7, TLBSAN_SIZE_2M);
	/* End is exclusive: [0x402000, 0x404000) drops pages 2 and 3 only. */
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0x402000, 0x404000), 2);
	CHECK(tlbsan_tlb_lookup(&t, 0x401000) && tlbsan_tlb_lookup(&t, 0x404000));
	CHECK(!tlbsan_tlb_lookup(&t, 0x402000) && !tlbsan_tlb_lookup(&t, 0x403000));
	/* One 4 KiB page inside a 2 MiB translation drops the whole entry. */
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0x7ff000, 0x800000), 1);
	CHECK(!tlbsan_tlb_lookup(&t, 0x600000));
	/* Zero-length and inverted ranges drop nothing. */
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0x401000, 0x401000), 0);
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0x410000, 0x400000), 0);
	/* A range larger than the TLB's sets takes the full-scan path. */
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0x400000, 0x400000 + (1UL << 30)), 14);
	CHECK_EQ(tlbsan_tlb_count(&t), 0);
}

UNIT_TEST(tlb_flush_all_range)
{
	struct tlbsan_tlb t;

	tlbsan_tlb_init(&t, mem, 512, 8);
	fill(&t, 0x1000, 1, TLBSAN_SIZE_4K);
	fill(&t, 0x7ffffffff000UL, 2, TLBSAN_SIZE_4K);
	fill(&t, 0x40000000, 3, TLBSAN_SIZE_1G);
	CHECK_EQ(tlbsan_tlb_invalidate(&t, 0, ULONG_MAX), 3);
	CHECK_EQ(tlbsan_tlb_count(&t), 0);
	fill(&t, 0x1000, 1, TLBSAN_SIZE_4K);
	CHECK_EQ(tlbsan_tlb_invalidate(&t, ULONG_MAX, ULONG_MAX), 1);
}

UNIT_TEST(tlb_random_against_model)
{
	/* Random fills and invalidations against a brute-force model. */
	static struct { unsigned long va; int valid; } model[64];
	struct tlbsan_tlb t;
	unsigned int i, k;

	srand(1);
	tlbsan_tlb_init(&t, mem, 1024, 16);	/* big enough: nothing evicted */
	for (i = 0; i < 64; i++) {
		model[i].va = (unsigned long)(rand() % 4096) << 12;
		model[i].valid = 0;
	}
	for (k = 0; k < 2000; k++) {
		i = rand() % 64;
		if (rand() % 3) {
			fill(&t, model[i].va, i, TLBSAN_SIZE_4K);
			for (unsigned int j = 0; j < 64; j++)
				if (model[j].va == model[i].va)
					model[j].valid = 1;
		} else {
			unsigned long s = (unsigned long)(rand() % 4096) << 12;
			unsigned long e = s + ((unsigned long)(rand() % 64 + 1) << 12);

			tlbsan_tlb_invalidate(&t, s, e);
			for (unsigned int j = 0; j < 64; j++)
				if (model[j].va >= s && model[j].va < e)
					model[j].valid = 0;
		}
	}
	for (i = 0; i < 64; i++)
		CHECK_EQ(!!tlbsan_tlb_lookup(&t, model[i].va), model[i].valid);
}

UNIT_TEST(pde_cache)
{
	static struct tlbsan_pdee pmem[64];
	struct tlbsan_pde pde;

	tlbsan_pde_init(&pde, pmem, 0);
	tlbsan_pde_fill(&pde, 0x200000, 5);
	CHECK(!tlbsan_pde_lookup(&pde, 0x200000));	/* off */
	tlbsan_pde_init(&pde, pmem, 64);
	tlbsan_pde_fill(&pde, 0x234000, 5);
	CHECK(tlbsan_pde_lookup(&pde, 0x3ff000) && tlbsan_pde_lookup(&pde, 0x3ff000)->table_pfn == 5);
	CHECK(!tlbsan_pde_lookup(&pde, 0x400000));
	CHECK_EQ(tlbsan_pde_invalidate(&pde, 0x3ff000, 0x400000), 1);
	CHECK(!tlbsan_pde_lookup(&pde, 0x200000));
}

static int evicted;

static void count_evict(const struct tlbsan_tlbe *e)
{
	(void)e;
	evicted++;
}

static void mark(struct tlbsan_tlbe *e, void *arg)
{
	e->chk |= *(unsigned char *)arg;
}

UNIT_TEST(tlb_evict_hook_and_visit)
{
	struct tlbsan_tlb t;
	unsigned char flag = 4;
	unsigned long p;

	tlbsan_tlb_init(&t, mem, 16, 4);
	t.evict = count_evict;
	evicted = 0;
	for (p = 0; p < 40; p++)		/* 40 fills into 16 entries */
		fill(&t, p << 12, p, TLBSAN_SIZE_4K);
	CHECK_EQ(evicted, 24);
	fill(&t, 39UL << 12, 1000, TLBSAN_SIZE_4K);	/* refill of a cached page */
	CHECK_EQ(evicted, 25);
	tlbsan_tlb_visit(&t, 36UL << 12, 38UL << 12, mark, &flag);
	CHECK_EQ(tlbsan_tlb_lookup(&t, 36UL << 12)->chk, 4);
	CHECK_EQ(tlbsan_tlb_lookup(&t, 38UL << 12)->chk, 0);
	CHECK_EQ(tlbsan_tlb_flush_all(&t), 16);
	CHECK_EQ(evicted, 41);
}
