// SPDX-License-Identifier: GPL-2.0
/* The page-free watch (see pfnwatch.h). */
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/rculist.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include <linux/tracepoint.h>
#include "compat.h"
#include "pfnwatch.h"

#define GRANULE_BITS	16
/* Entries whose translation touches each 2 MiB frame granule, hashed. */
static atomic_t tlbsan_granules[1 << GRANULE_BITS];
/* Entries in every device TLB: zero makes the free probe a single read. */
static atomic_t tlbsan_tracked;

static inline atomic_t *granule(unsigned long pfn)
{
	return &tlbsan_granules[hash_long(pfn >> 9, GRANULE_BITS)];
}

static void track(const struct tlbsan_tlbe *e, int delta)
{
	unsigned long g, n = max(tlbsan_tlbe_pages(e) >> 9, 1UL);

	for (g = 0; g < n; g++)
		atomic_add(delta, granule(e->pfn + (g << 9)));
	atomic_add(delta, &tlbsan_tracked);
}

void tlbsan_pfnwatch_track(const struct tlbsan_tlbe *e)
{
	track(e, 1);
}

/* The TLB's evict hook: every valid entry that leaves any TLB. */
void tlbsan_pfnwatch_untrack(const struct tlbsan_tlbe *e)
{
	track(e, -1);
}

/* Watchers: RCU readers (the probe), writers under the lock. */
static LIST_HEAD(tlbsan_watchers);
static DEFINE_SPINLOCK(tlbsan_watchers_lock);

void tlbsan_pfnwatch_add(struct tlbsan_pfnwatch *w)
{
	spin_lock(&tlbsan_watchers_lock);
	list_add_tail_rcu(&w->node, &tlbsan_watchers);
	spin_unlock(&tlbsan_watchers_lock);
}

void tlbsan_pfnwatch_del(struct tlbsan_pfnwatch *w)
{
	spin_lock(&tlbsan_watchers_lock);
	list_del_rcu(&w->node);
	spin_unlock(&tlbsan_watchers_lock);
	synchronize_rcu();
}

void tlbsan_free_stack(struct tlbsan_free_ctx *f)
{
	if (!f->nr)
		f->nr = stack_trace_save(f->stack, TLBSAN_STACK_DEPTH, 0);
}

/* Slow path: some granule of [pfn, pfn + n) is cached by some device. */
static noinline void watchers_freed(unsigned long pfn, unsigned long n)
{
	struct tlbsan_free_ctx f = { .nr = 0 };
	struct tlbsan_pfnwatch *w;

	rcu_read_lock();
	list_for_each_entry_rcu(w, &tlbsan_watchers, node)
		w->freed(w, pfn, n, &f);
	rcu_read_unlock();
}

/* Tracepoint mm_page_free: runs for every page freed, in any context. */
static void tlbsan_page_free(void *data, struct page *page, unsigned int order)
{
	unsigned long pfn, g, n = 1UL << order;

	if (likely(!atomic_read(&tlbsan_tracked)))
		return;
	pfn = page_to_pfn(page);
	for (g = pfn >> 9; g <= (pfn + n - 1) >> 9; g++) {
		if (atomic_read(granule(g << 9))) {
			watchers_freed(pfn, n);
			return;
		}
	}
}

/*
 * A hugetlb page whose last reference goes: it may go back to its pool,
 * never reaching the page allocator's free and its tracepoint, and be
 * handed to another process from there.  Same check as any other free.
 * The first argument is the page (6.1) or its folio: the same pointer.
 */
static int tlbsan_huge_free(struct kprobe *kp, struct pt_regs *regs)
{
	struct page *page = (struct page *)regs_get_kernel_argument(regs, 0);

	tlbsan_page_free(NULL, page, compound_order(page));
	return 0;
}

static struct kprobe tlbsan_kp_huge_free = {
	.symbol_name	= TLBSAN_HUGE_FREE_FN,
	.pre_handler	= tlbsan_huge_free,
};

static bool tlbsan_huge_watched;

static struct tracepoint *tlbsan_tp_page_free;

static void find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "mm_page_free"))
		tlbsan_tp_page_free = tp;
}

int tlbsan_pfnwatch_init(void)
{
	int ret;

	for_each_kernel_tracepoint(find_tp, NULL);
	if (!tlbsan_tp_page_free) {
		pr_err("tlbsan: no mm_page_free tracepoint: use-after-free detection impossible\n");
		return -ENOENT;
	}
	ret = tracepoint_probe_register(tlbsan_tp_page_free, tlbsan_page_free, NULL);
	if (ret)
		return ret;
	ret = register_kprobe(&tlbsan_kp_huge_free);
	if (ret)
		pr_warn("tlbsan: cannot probe %s (%d): frees into a hugetlb pool go unchecked\n",
			TLBSAN_HUGE_FREE_FN, ret);
	tlbsan_huge_watched = !ret;
	return 0;
}

void tlbsan_pfnwatch_exit(void)
{
	if (tlbsan_huge_watched)
		unregister_kprobe(&tlbsan_kp_huge_free);
	tracepoint_probe_unregister(tlbsan_tp_page_free, tlbsan_page_free, NULL);
	tracepoint_synchronize_unregister();
}
