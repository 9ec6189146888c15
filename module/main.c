// SPDX-License-Identifier: GPL-2.0
/* tlbsan: a secondary-TLB sanitizer.  Module init and exit. */
#include <linux/module.h>
#include <linux/workqueue.h>
#include "pfnwatch.h"
#include "ctx.h"
#include "nl.h"

static int __init tlbsan_init(void)
{
	int ret;

	/* Unbound and not ordered: a teardown may wait for device threads. */
	tlbsan_wq = alloc_workqueue("tlbsan", WQ_UNBOUND, 0);
	if (!tlbsan_wq)
		return -ENOMEM;
	tlbsan_prq_wq = alloc_workqueue("tlbsan_prq", WQ_UNBOUND, 0);
	if (!tlbsan_prq_wq) {
		ret = -ENOMEM;
		goto out_wq;
	}
	ret = tlbsan_pfnwatch_init();
	if (ret)
		goto out_prq_wq;
	ret = tlbsan_genl_init();
	if (ret)
		goto out_pfnwatch;
	return 0;

out_pfnwatch:
	tlbsan_pfnwatch_exit();
out_prq_wq:
	destroy_workqueue(tlbsan_prq_wq);
out_wq:
	destroy_workqueue(tlbsan_wq);
	return ret;
}

static void __exit tlbsan_exit(void)
{
	/* No new contexts after this. */
	tlbsan_ctx_detach_all();

	/*
	 * Every context is freed from tlbsan_wq once both its registrations'
	 * ->free_notifier ran, whoever took it off the list: DETACH and
	 * ->release teardowns already under way are waited for here too.
	 * The final frees deliver their last reports: netlink is still up.
	 */
	tlbsan_ctx_wait_all();
	/*
	 * The SRCU callbacks that called ->free_notifier may still be returning
	 * through module text: wait for every callback mmu_notifier_put() queued.
	 */
	mmu_notifier_synchronize();
	destroy_workqueue(tlbsan_wq);
	/* Page requests are waited for by their device threads, all stopped. */
	destroy_workqueue(tlbsan_prq_wq);
	tlbsan_genl_exit();
	tlbsan_pfnwatch_exit();
	tlbsan_ctx_exit();
}

module_init(tlbsan_init);
module_exit(tlbsan_exit);
MODULE_DESCRIPTION("tlbsan: secondary-TLB sanitizer (instrumented mmu_notifier device)");
MODULE_LICENSE("GPL");
