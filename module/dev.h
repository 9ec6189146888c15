/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake device of a context: its TLB and PDE cache, its invalidation
 * model, its threads and their work.
 */
#ifndef TLBSAN_DEV_H
#define TLBSAN_DEV_H

#include <linux/completion.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "check.h"
#include "range.h"
#include "tlb.h"

struct tlbsan_dev_config {
	u32 model;		/* enum tlbsan_model */
	u32 model_arg;		/* LAZY: delay in us; DROP: enum tlbsan_event */
	u32 entries;
	u32 ways;
	u32 threads;
	u32 pattern;		/* enum tlbsan_pattern */
	u32 pde_entries;	/* 0: no paging-structure cache */
	bool pri;
};

/* A synchronous ACCESS request, on the requester's stack until done. */
struct tlbsan_job {
	struct list_head node;
	u32 op;
	u32 size;
	unsigned long va;
	u64 value;
	u64 expect;
	/* results */
	u32 status;		/* enum tlbsan_access_status */
	u32 walk;		/* enum tlbsan_walk of the last walk */
	u64 result;
	unsigned long pfn;
	u8 size_class;		/* enum tlbsan_size of the entry used */
	u8 perm;
	struct completion done;
};

/* A repeated access stream (BUF_ADD): one access per page per pass. */
struct tlbsan_stream {
	struct list_head node;
	unsigned long va;
	unsigned long len;
	unsigned long cursor;
	u32 op;
	u64 value;
};

struct tlbsan_devthread {
	struct tlbsan_dev *dev;
	struct task_struct *task;
	unsigned int idx;
	u32 rnd;
	struct list_head jobs;		/* under dev->job_lock */
	struct list_head streams;	/* under dev->job_lock */
	unsigned int nr_streams;	/* under dev->job_lock */
};

/* Access streams per device thread (BUF_ADD beyond it: -ENOSPC). */
#define TLBSAN_STREAMS_MAX	64

#define TLBSAN_LAZY_SLOTS	8

/*
 * Locking:
 *  - lock (the TLB lock) protects tlb, pde, the inv_* and fill_seq fields,
 *    the lazy_* fields and the checker's state (check.h).  It is taken by
 *    the invalidation callbacks and by a device thread around each TLB
 *    lookup + access and each fill commit, with interrupts off; it is
 *    never held across anything that can sleep, fault, allocate or trigger
 *    an invalidation (the walk inside it only reads page tables), so a
 *    callback can always take it.  It is a raw spinlock because its takers
 *    include atomic contexts even on PREEMPT_RT (the page-free tracepoint,
 *    the hugetlb kprobe, the secondary call from the arch TLB flush with
 *    preemption off), where a spinlock_t would sleep; only raw locks
 *    (workqueue and timer bases) are taken inside it.
 *  - job_lock protects every thread's jobs and streams lists and stopping;
 *    never taken by the notifier callbacks.
 *  - cfg is constant after attach; counters are atomics.
 */
struct tlbsan_dev {
	struct tlbsan_dev_config cfg;

	raw_spinlock_t lock;		/* the TLB lock, see above */
	struct tlbsan_tlb tlb;
	struct tlbsan_pde pde;
	u64 inv_seq;			/* bumped by every applied invalidation */
	unsigned int inv_active;	/* SW: brackets in progress */
	unsigned long inv_start;	/* SW: union of their ranges */
	unsigned long inv_end;
	u64 fill_seq;
	unsigned int lazy_n;		/* LAZY: deferred ranges */
	bool lazy_all;
	unsigned long lazy_start[TLBSAN_LAZY_SLOTS];
	unsigned long lazy_end[TLBSAN_LAZY_SLOTS];
	struct delayed_work lazy_work;

	spinlock_t job_lock;		/* jobs, streams, stopping */
	bool stopping;
	wait_queue_head_t wq;
	struct tlbsan_devthread *threads;

	bool released;			/* set once by ->release */
	struct mm_struct *mm;		/* the target's, pinned by the context's notifiers */

	struct tlbsan_checker check;	/* under lock, see check.h */

	struct tlbsan_tlbe *tlb_mem;
	struct tlbsan_pdee *pde_mem;

	atomic64_t stat[__TLBSAN_DEV_MAX];
	atomic64_t walk_fail[__TLBSAN_WALK_MAX];
	atomic64_t hist_start[TLBSAN_RANGE_BUCKETS];
	atomic64_t hist_secondary[TLBSAN_RANGE_BUCKETS];
};

/* Teardown, frees, reports and LAZY work; page requests (may block on I/O). */
extern struct workqueue_struct *tlbsan_wq;
extern struct workqueue_struct *tlbsan_prq_wq;

const char *tlbsan_dev_check_config(const struct tlbsan_dev_config *cfg);
int tlbsan_dev_init(struct tlbsan_dev *dev, const struct tlbsan_dev_config *cfg,
		    struct mm_struct *mm, const struct tlbsan_ident *who);
int tlbsan_dev_start(struct tlbsan_dev *dev, u32 pasid);
void tlbsan_dev_stop(struct tlbsan_dev *dev);
void tlbsan_dev_free(struct tlbsan_dev *dev);

/* Invalidation hooks, called from the notifier callbacks (mn.c). */
void tlbsan_dev_range_start(struct tlbsan_dev *dev, int event,
			    unsigned long start, unsigned long end);
void tlbsan_dev_range_end(struct tlbsan_dev *dev, int event,
			  unsigned long start, unsigned long end);
void tlbsan_dev_secondary(struct tlbsan_dev *dev, unsigned long start, unsigned long end);
void tlbsan_dev_release(struct tlbsan_dev *dev);

/* Requests from netlink. */
int tlbsan_dev_submit(struct tlbsan_dev *dev, unsigned int thread, struct tlbsan_job *job);
int tlbsan_dev_add_stream(struct tlbsan_dev *dev, unsigned int thread,
			  struct tlbsan_stream *stream);
void tlbsan_dev_clear_streams(struct tlbsan_dev *dev);

static inline void tlbsan_dev_inc(struct tlbsan_dev *dev, enum tlbsan_dev_stat s)
{
	atomic64_inc(&dev->stat[s]);
}

#endif /* TLBSAN_DEV_H */
