/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TLBSAN_CTX_H
#define TLBSAN_CTX_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <uapi/tlbsan.h>
#include "dev.h"
#include "mn.h"

/*
 * One device context per attached mm: its device, and the two notifier
 * registrations that feed it (mn.h).
 *
 * Lifetime: a context is created by ATTACH and lives on tlbsan_ctxs until
 * DETACH, the mm's ->release or module exit takes it off the list and drops
 * both registrations with mmu_notifier_put(); the notifier core calls
 * ->free_notifier for each after an SRCU grace period, so callbacks still
 * running never see the context freed, and the second of them frees it.
 *
 * Locking: tlbsan_ctx_lock protects tlbsan_ctxs and every ctx->node; a
 * context found on the list under the lock has not been put and stays valid
 * until the lock is dropped.  id is constant after attach.
 */
struct tlbsan_ctx {
	struct tlbsan_mn mn;
	atomic_t notifiers;		/* registrations not yet freed */
	struct list_head node;		/* on tlbsan_ctxs, under tlbsan_ctx_lock */
	struct tlbsan_ident id;		/* pasid, tgid, comm: constant after attach */
	struct work_struct teardown_work; /* ->release: stop device, unregister */
	struct work_struct free_work;	/* last ->free_notifier: free memory */
	struct tlbsan_dev dev;
};

extern struct mutex tlbsan_ctx_lock;
extern struct list_head tlbsan_ctxs;

/* ctx.c */
struct tlbsan_ctx *tlbsan_ctx_find(struct mm_struct *mm);
struct tlbsan_ctx *tlbsan_ctx_attach(struct task_struct *task, struct mm_struct *mm,
				     const struct tlbsan_dev_config *cfg);
int tlbsan_ctx_detach_mm(struct mm_struct *mm);
void tlbsan_ctx_detach_all(void);
void tlbsan_ctx_wait_all(void);
void tlbsan_ctx_exit(void);

/* ctx.c: set once module exit has begun; ATTACH refuses then. */
extern bool tlbsan_exiting;

#endif /* TLBSAN_CTX_H */
