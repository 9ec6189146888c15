/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reports: folded by (class, site, fault) into a bounded table per device,
 * delivered from a worker to whoever registered for them (netlink), the
 * first violation of each class also to the kernel log.
 */
#ifndef TLBSAN_REPORT_H
#define TLBSAN_REPORT_H

#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <uapi/tlbsan.h>
#include "stack.h"

#define TLBSAN_REPORTS		32	/* distinct (class, site) reports kept */

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

struct tlbsan_report {
	u32 cls;			/* enum tlbsan_class */
	u32 thread;			/* device thread, or U32_MAX */
	u8 op;				/* enum tlbsan_op, 0 for frees and calls */
	bool has_new;
	u64 count;			/* folded occurrences */
	u64 sent;			/* count already delivered */
	unsigned long site;		/* folding key: where the bug is */
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
	u64 dropped;			/* as delivered: reports the table had to drop */
};

/* Who a device belongs to; constant after attach. */
struct tlbsan_ident {
	u32 pasid;
	pid_t pid;			/* tgid that was attached */
	char comm[TASK_COMM_LEN];
};

/*
 * A device's reports.  Locking: reports[], nr and warned are under *lock
 * (the owner's TLB lock, irqsave); classes and dropped are atomics; the
 * rest is constant after tlbsan_reports_init().
 */
struct tlbsan_reports {
	raw_spinlock_t *lock;		/* the owner's TLB lock */
	const struct tlbsan_ident *who;
	struct workqueue_struct *wq;
	struct work_struct work;	/* delivers new reports */
	struct tlbsan_report reports[TLBSAN_REPORTS];
	unsigned int nr;
	u32 warned;			/* classes already logged */
	atomic64_t classes[__TLBSAN_CLASS_MAX];
	atomic64_t *dropped;		/* the owner's count of reports lost to a full table */
};

void tlbsan_reports_init(struct tlbsan_reports *rs, raw_spinlock_t *lock,
			 const struct tlbsan_ident *who, struct workqueue_struct *wq,
			 atomic64_t *dropped);
/* Fold @r in; under *rs->lock.  Never sleeps. */
void tlbsan_reports_add(struct tlbsan_reports *rs, struct tlbsan_report *r);
/* Deliver what is pending and wait for it; process context. */
void tlbsan_reports_flush(struct tlbsan_reports *rs);

/*
 * Where reports go: set once at init by the transport (netlink), so the
 * core never calls up into it.  @report runs in process context from the
 * worker; @gone once a context has delivered its last report.
 */
struct tlbsan_events {
	void (*report)(const struct tlbsan_ident *who, const struct tlbsan_report *r);
	void (*gone)(const struct tlbsan_ident *who);
};

void tlbsan_events_set(const struct tlbsan_events *ev);
void tlbsan_event_gone(const struct tlbsan_ident *who);

#endif /* TLBSAN_REPORT_H */
