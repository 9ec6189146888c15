// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of device contexts (one per attached mm): attach, detach,
 * PASIDs and each context's lifetime (see ctx.h).
 */
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include "compat.h"
#include "ctx.h"

/* Protects tlbsan_ctxs, every ctx->node and tlbsan_exiting. */
DEFINE_MUTEX(tlbsan_ctx_lock);
LIST_HEAD(tlbsan_ctxs);
bool tlbsan_exiting;

/*
 * Contexts allocated and not yet freed, whether listed or not: module exit
 * waits for zero, so that a DETACH or ->release that took its context off
 * the list before exit began still finds the workqueue and the module text
 * there until its context is freed.
 */
static atomic_t tlbsan_live = ATOMIC_INIT(0);

/* PASID-like context ids; the IDA has its own internal lock. */
#define TLBSAN_PASID_MAX	((1U << 20) - 1)
static DEFINE_IDA(tlbsan_pasids);

struct tlbsan_ctx *tlbsan_ctx_find(struct mm_struct *mm)
{
	struct tlbsan_ctx *ctx;

	lockdep_assert_held(&tlbsan_ctx_lock);
	list_for_each_entry(ctx, &tlbsan_ctxs, node)
		if (ctx->mn.range.mm == mm)
			return ctx;
	return NULL;
}

/* Drop both registrations; the device must be stopped. */
static void tlbsan_ctx_unregister(struct tlbsan_ctx *ctx)
{
	mmu_notifier_put(&ctx->mn.tlb);
	mmu_notifier_put(&ctx->mn.range);
}

/* For a context that is off the list: stop its device, unregister. */
static void tlbsan_ctx_teardown(struct tlbsan_ctx *ctx)
{
	tlbsan_dev_stop(&ctx->dev);
	tlbsan_ctx_unregister(ctx);
}

static void tlbsan_ctx_teardown_fn(struct work_struct *work)
{
	tlbsan_ctx_teardown(container_of(work, struct tlbsan_ctx, teardown_work));
}

static void tlbsan_ctx_free_fn(struct work_struct *work);
static const struct tlbsan_mn_owner tlbsan_ctx_mn_owner;

static void tlbsan_ctx_gone(void)
{
	if (atomic_dec_and_test(&tlbsan_live))
		wake_up_var(&tlbsan_live);
}

/*
 * Attach a new context to @mm (which the caller holds with mmget()).
 * Returns the context, or an ERR_PTR: -EEXIST when @mm already has one.
 */
struct tlbsan_ctx *tlbsan_ctx_attach(struct task_struct *task, struct mm_struct *mm,
				     const struct tlbsan_dev_config *cfg)
{
	struct tlbsan_ctx *ctx;
	int ret;

	lockdep_assert_held(&tlbsan_ctx_lock);
	if (tlbsan_exiting)
		return ERR_PTR(-ESHUTDOWN);
	if (tlbsan_ctx_find(mm))
		return ERR_PTR(-EEXIST);

	ctx = kzalloc_obj(*ctx, GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	atomic_inc(&tlbsan_live);
	INIT_LIST_HEAD(&ctx->node);
	INIT_WORK(&ctx->teardown_work, tlbsan_ctx_teardown_fn);
	INIT_WORK(&ctx->free_work, tlbsan_ctx_free_fn);
	ret = tlbsan_dev_init(&ctx->dev, cfg, mm, &ctx->id);
	if (ret)
		goto out_free_ctx;
	ret = ida_alloc_range(&tlbsan_pasids, 1, TLBSAN_PASID_MAX, GFP_KERNEL);
	if (ret < 0)
		goto out_free_dev;
	ctx->id.pasid = ret;
	ctx->id.pid = task_tgid_nr(task);
	get_task_comm(ctx->id.comm, task);
	tlbsan_mn_init(&ctx->mn, &ctx->dev, &tlbsan_ctx_mn_owner);
	atomic_set(&ctx->notifiers, 2);

	/*
	 * Takes mmap_lock for write: lock order is tlbsan_ctx_lock, then
	 * mmap_lock.  No callback that can run under mmap_lock takes
	 * tlbsan_ctx_lock (only ->release does, and exit_mmap calls it
	 * without mmap_lock held).
	 */
	ret = mmu_notifier_register(&ctx->mn.range, mm);
	if (ret)
		goto out_free_pasid;
	ret = mmu_notifier_register(&ctx->mn.tlb, mm);
	if (ret) {
		/* mn.tlb never existed; freeing mn.range frees the context. */
		atomic_dec(&ctx->notifiers);
		mmu_notifier_put(&ctx->mn.range);
		return ERR_PTR(ret);
	}
	ret = tlbsan_dev_start(&ctx->dev, ctx->id.pasid);
	if (ret) {
		tlbsan_ctx_unregister(ctx);
		return ERR_PTR(ret);
	}
	list_add_tail(&ctx->node, &tlbsan_ctxs);
	return ctx;

out_free_pasid:
	ida_free(&tlbsan_pasids, ctx->id.pasid);
out_free_dev:
	tlbsan_dev_free(&ctx->dev);
out_free_ctx:
	kfree(ctx);
	tlbsan_ctx_gone();
	return ERR_PTR(ret);
}

/*
 * Detach the context of @mm.  Returns its PASID, or -ENOENT when @mm has no
 * context (never attached, or already detached by ->release).
 */
int tlbsan_ctx_detach_mm(struct mm_struct *mm)
{
	struct tlbsan_ctx *ctx;
	int pasid;

	mutex_lock(&tlbsan_ctx_lock);
	ctx = tlbsan_ctx_find(mm);
	if (!ctx) {
		mutex_unlock(&tlbsan_ctx_lock);
		return -ENOENT;
	}
	list_del_init(&ctx->node);
	pasid = ctx->id.pasid;
	mutex_unlock(&tlbsan_ctx_lock);
	tlbsan_ctx_teardown(ctx);
	return pasid;
}

/*
 * ->release: take the context off the list and tear it down from a worker
 * (->release may run where stopping the device threads could deadlock).
 * DETACH, ->release and module exit may race; whichever takes the context
 * off the list tears it down, the others find it gone.  The context stays
 * valid because the caller runs inside the notifier's SRCU section.
 */
static void tlbsan_ctx_mn_release(struct tlbsan_mn *mn)
{
	struct tlbsan_ctx *ctx = container_of(mn, struct tlbsan_ctx, mn);
	bool put = false;

	mutex_lock(&tlbsan_ctx_lock);
	if (!list_empty(&ctx->node)) {
		list_del_init(&ctx->node);
		put = true;
	}
	mutex_unlock(&tlbsan_ctx_lock);
	if (put)
		queue_work(tlbsan_wq, &ctx->teardown_work);
}

/*
 * From ->free_notifier of either registration; the second frees the
 * context, when no callback of either can be running any more.
 */
static void tlbsan_ctx_mn_free(struct tlbsan_mn *mn)
{
	struct tlbsan_ctx *ctx = container_of(mn, struct tlbsan_ctx, mn);

	/* SRCU callback context: leave the vmalloc'ed TLB to a worker. */
	if (atomic_dec_and_test(&ctx->notifiers))
		queue_work(tlbsan_wq, &ctx->free_work);
}

static const struct tlbsan_mn_owner tlbsan_ctx_mn_owner = {
	.release	= tlbsan_ctx_mn_release,
	.free		= tlbsan_ctx_mn_free,
};

static void tlbsan_ctx_free_fn(struct work_struct *work)
{
	struct tlbsan_ctx *ctx = container_of(work, struct tlbsan_ctx, free_work);

	/* Flushes the last reports, then says so. */
	tlbsan_dev_free(&ctx->dev);
	tlbsan_event_gone(&ctx->id);
	ida_free(&tlbsan_pasids, ctx->id.pasid);
	kfree(ctx);
	tlbsan_ctx_gone();
}

/* Module exit: no new contexts from now on; tear down every remaining one. */
void tlbsan_ctx_detach_all(void)
{
	struct tlbsan_ctx *ctx;

	mutex_lock(&tlbsan_ctx_lock);
	tlbsan_exiting = true;
	while ((ctx = list_first_entry_or_null(&tlbsan_ctxs, struct tlbsan_ctx, node))) {
		list_del_init(&ctx->node);
		mutex_unlock(&tlbsan_ctx_lock);
		tlbsan_ctx_teardown(ctx);
		mutex_lock(&tlbsan_ctx_lock);
	}
	mutex_unlock(&tlbsan_ctx_lock);
}

/*
 * Module exit, after tlbsan_ctx_detach_all(): wait until every context is
 * freed, including those a DETACH or ->release was still tearing down.
 */
void tlbsan_ctx_wait_all(void)
{
	wait_var_event(&tlbsan_live, !atomic_read(&tlbsan_live));
}

/* Module exit, once every context is freed. */
void tlbsan_ctx_exit(void)
{
	WARN_ON_ONCE(!ida_is_empty(&tlbsan_pasids));
	ida_destroy(&tlbsan_pasids);
}
