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
#include "range.h"
#include "tlb.h"

struct tlbsan_ctx;

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
	struct tlbsan_ctx *ctx;
	struct task_struct *task;
	unsigned int idx;
	u32 rnd;
	struct list_head jobs;		/* under dev->job_lock */
	struct list_head streams;	/* under dev->job_lock */
};

#define TLBSAN_LAZY_SLOTS	8

/* ---- Checker state (check.c); all under the TLB lock ---- */

#define TLBSAN_STACK_DEPTH	12
#define TLBSAN_INV_RING		32	/* recent notifier calls, for reports */
#define TLBSAN_OPEN_MAX		16	/* brackets in progress we track */
#define TLBSAN_REPORTS		32	/* distinct (class, site) reports kept */
#define TLBSAN_SITES		32	/* secondary-call sites counted */

/* One notifier call as the device saw it. */
struct tlbsan_inv_rec {
	u64 id;				/* 0: empty slot */
	u64 start_ns;			/* when the call came */
	u64 end_ns;			/* start brackets: when the end came, or 0 */
	unsigned long start, end;
	u8 cb;				/* enum tlbsan_cb */
	u8 event;			/* enum tlbsan_event, 0 if none */
	u8 nr_stack;
	unsigned long stack[TLBSAN_STACK_DEPTH];
};

/* A bracket in progress (delivered start without its end yet). */
struct tlbsan_open {
	u64 id;				/* its tlbsan_inv_rec */
	unsigned long start, end;
	u8 event;
	bool late_checked;		/* its end's own secondary call checked it */
	bool sec_valid;			/* a secondary call inside it covered ... */
	unsigned long sec_start, sec_end; /* ... this range ... */
	u64 sec_fill_seq;		/* ... when fill_seq was this */
};

struct tlbsan_report {
	u32 cls;			/* enum tlbsan_class */
	u32 thread;			/* device thread, or U32_MAX */
	u8 op;				/* enum tlbsan_op, 0 for frees and calls */
	bool has_new;
	u64 count;			/* folded occurrences */
	u64 sent;			/* count already multicast */
	unsigned long site;		/* folding key: first frame outside the core */
	unsigned long va, old_pfn, new_pfn;
	u64 pte;
	u64 fill_ns, at_ns;
	const char *detail;		/* static string */
	u8 fault;			/* enum tlbsan_fault */
	unsigned long noticed;		/* where it was seen: a free's site, or 0 ... */
	const char *noticed_what;	/* ... then this static string */
	/* The call that covered it last or, kernel at fault, the bracket that owed it. */
	struct tlbsan_inv_rec inv;	/* id 0: none */
	/* Kernel at fault: the call that covered it last, when not inv. */
	struct tlbsan_inv_rec last;	/* id 0: none */
	u8 nr_stack;			/* stack of the free (class 1) or call */
	unsigned long stack[TLBSAN_STACK_DEPTH];
};

struct tlbsan_cov {
	unsigned long ip;
	u8 cb;
	u64 count;
};

struct tlbsan_site {
	unsigned long ip;
	u8 event;
	u64 calls;
	u64 redundant;
};

/*
 * Locking:
 *  - lock (the TLB lock) protects tlb, pde, the inv_* and fill_seq fields
 *    and the lazy_* fields.  It is taken by the invalidation callbacks and
 *    by a device thread around each TLB lookup + access and each fill
 *    commit, with interrupts off; it is never held across anything that
 *    can sleep, fault, allocate or trigger an invalidation (the walk inside
 *    it only reads page tables), so a callback can always take it.
 *  - job_lock protects every thread's jobs and streams lists and stopping;
 *    never taken by the notifier callbacks.
 *  - cfg is constant after attach; counters are atomics.
 */
struct tlbsan_dev {
	struct tlbsan_dev_config cfg;

	spinlock_t lock;		/* the TLB lock, see above */
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

	/* checker, under lock */
	u64 inv_next_id;
	struct tlbsan_inv_rec inv_ring[TLBSAN_INV_RING];
	struct tlbsan_open open[TLBSAN_OPEN_MAX];
	unsigned int nr_open;
	bool open_overflow;
	struct tlbsan_report reports[TLBSAN_REPORTS];
	unsigned int nr_reports;
	struct tlbsan_site sites[TLBSAN_SITES];
	unsigned int nr_sites;
	u32 warned;			/* classes already pr_warn'ed */
	struct work_struct report_work;	/* multicasts new reports */
	struct list_head check_node;	/* on tlbsan_check_devs (RCU) */
	struct tlbsan_ctx *ctx;		/* owner, for reports */
	atomic64_t classes[__TLBSAN_CLASS_MAX];

	struct tlbsan_tlbe *tlb_mem;
	struct tlbsan_pdee *pde_mem;

	atomic64_t stat[__TLBSAN_DEV_MAX];
	atomic64_t walk_fail[__TLBSAN_WALK_MAX];
	atomic64_t hist_start[TLBSAN_RANGE_BUCKETS];
	atomic64_t hist_secondary[TLBSAN_RANGE_BUCKETS];
};

extern struct workqueue_struct *tlbsan_wq;

const char *tlbsan_dev_check_config(const struct tlbsan_dev_config *cfg);
int tlbsan_dev_init(struct tlbsan_dev *dev, const struct tlbsan_dev_config *cfg);
int tlbsan_dev_start(struct tlbsan_ctx *ctx);
void tlbsan_dev_stop(struct tlbsan_dev *dev);
void tlbsan_dev_free(struct tlbsan_dev *dev);

/* check.c */
int tlbsan_check_init(void);
void tlbsan_check_exit(void);
void tlbsan_check_dev_add(struct tlbsan_dev *dev);
void tlbsan_check_dev_del(struct tlbsan_dev *dev);
void tlbsan_check_track_fill(const struct tlbsan_tlbe *e);
void tlbsan_check_evict(const struct tlbsan_tlbe *e);
u64 tlbsan_check_call(struct tlbsan_dev *dev, enum tlbsan_cb cb, int event,
		      unsigned long start, unsigned long end);
void tlbsan_check_end(struct tlbsan_dev *dev, int event, unsigned long start,
		      unsigned long end);
bool tlbsan_check_access(struct tlbsan_dev *dev, struct tlbsan_tlbe *e, unsigned long va,
			 u32 op, u32 thread);
void tlbsan_check_fill(struct tlbsan_dev *dev, unsigned long va, unsigned long size,
		       u64 since, struct tlbsan_tlbe *e);
void tlbsan_report_fn(struct work_struct *work);
void tlbsan_cov_note(enum tlbsan_cb cb);
bool tlbsan_cov_get(unsigned int i, struct tlbsan_cov *out);

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
