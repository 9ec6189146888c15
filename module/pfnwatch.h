/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine-wide watch on page frees: a lock-free counting hash of the
 * frames any device TLB caches, and the mm_page_free tracepoint probe that
 * looks a freed page up in it.  Only on a hit are the watchers called.
 *
 * Locking: the hash is atomics, updated by whoever fills or evicts a TLB
 * entry (under that TLB's lock); the watcher list is read under RCU from
 * the probe and written under its own spinlock in process context.
 */
#ifndef TLBSAN_PFNWATCH_H
#define TLBSAN_PFNWATCH_H

#include <linux/list.h>
#include "stack.h"
#include "tlb.h"

/* The stack of the free being looked at, saved on first use (tlbsan_free_stack()). */
struct tlbsan_free_ctx {
	unsigned long stack[TLBSAN_STACK_DEPTH];
	unsigned int nr;
};

struct tlbsan_pfnwatch {
	struct list_head node;		/* on the watcher list */
	/* A page in [pfn, pfn + n) some TLB caches is being freed; any context. */
	void (*freed)(struct tlbsan_pfnwatch *w, unsigned long pfn, unsigned long n,
		      struct tlbsan_free_ctx *f);
};

int tlbsan_pfnwatch_init(void);
void tlbsan_pfnwatch_exit(void);
void tlbsan_pfnwatch_add(struct tlbsan_pfnwatch *w);
/* Process context; afterwards no probe runs @w->freed. */
void tlbsan_pfnwatch_del(struct tlbsan_pfnwatch *w);
/* Every entry filled into, and evicted from, any device TLB. */
void tlbsan_pfnwatch_track(const struct tlbsan_tlbe *e);
void tlbsan_pfnwatch_untrack(const struct tlbsan_tlbe *e);
/* The free's stack, saved once per free. */
void tlbsan_free_stack(struct tlbsan_free_ctx *f);

static inline unsigned long tlbsan_tlbe_pages(const struct tlbsan_tlbe *e)
{
	return tlbsan_tlbe_bytes(e) >> PAGE_SHIFT;
}

#endif /* TLBSAN_PFNWATCH_H */
