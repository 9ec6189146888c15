/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_H
#define TLBSAN_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <uapi/tlbsan.h>
#include "dev.h"

/*
 * One device context per attached mm, with two notifiers on that mm:
 *  - mn_tlb is what an SVA driver registers: the secondary TLB flush made
 *    under the page-table lock or from the arch TLB flush;
 *  - mn_range observes the invalidate_range_start/end brackets, the young
 *    callbacks and ->release.
 * From 6.6 the core refuses a notifier that has both the secondary TLB
 * callback and start/end, so they are two registrations on every line.
 *
 * Lifetime: a context is created by ATTACH and lives on tlbsan_ctxs until
 * DETACH, the mm's ->release or module exit takes it off the list and drops
 * both registrations with mmu_notifier_put(); the notifier core calls
 * ->free_notifier for each after an SRCU grace period, so callbacks still
 * running never see the context freed, and the second of them frees it.
 *
 * Locking: tlbsan_ctx_lock protects tlbsan_ctxs and every ctx->node; a
 * context found on the list under the lock has not been put and stays valid
 * until the lock is dropped.  The counters are atomics, written locklessly
 * by the callbacks and read without ordering by STATS.
 */
struct tlbsan_ctx {
	struct mmu_notifier mn_range;
	struct mmu_notifier mn_tlb;
	atomic_t notifiers;		/* registrations not yet freed */
	struct list_head node;		/* on tlbsan_ctxs, under tlbsan_ctx_lock */
	struct tlbsan_ident id;		/* pasid, tgid, comm: constant after attach */
	bool released;			/* set once by ->release */
	struct work_struct teardown_work; /* ->release: stop device, unregister */
	struct work_struct free_work;	/* last ->free_notifier: free memory */
	struct tlbsan_dev dev;

	atomic64_t cb[__TLBSAN_CB_MAX];
	atomic64_t starts[__TLBSAN_EVENT_MAX];
	atomic64_t ends[__TLBSAN_EVENT_MAX];
};

extern struct mutex tlbsan_ctx_lock;
extern struct list_head tlbsan_ctxs;

/* ctx.c */
struct tlbsan_ctx *tlbsan_ctx_find(struct mm_struct *mm);
struct tlbsan_ctx *tlbsan_ctx_attach(struct task_struct *task, struct mm_struct *mm,
				     const struct tlbsan_dev_config *cfg);
int tlbsan_ctx_detach_mm(struct mm_struct *mm);
void tlbsan_ctx_detach(struct tlbsan_ctx *ctx);
void tlbsan_ctx_put(struct tlbsan_ctx *ctx);
void tlbsan_ctx_detach_all(void);
void tlbsan_ctx_exit(void);

/* mn.c */
extern const struct mmu_notifier_ops tlbsan_range_ops;
extern const struct mmu_notifier_ops tlbsan_tlb_ops;
bool tlbsan_cb_offered(enum tlbsan_cb cb);

/* netlink.c */
int tlbsan_genl_init(void);
void tlbsan_genl_exit(void);

/* ctx.c: set once module exit has begun; ATTACH refuses then. */
extern bool tlbsan_exiting;

#endif /* TLBSAN_H */
