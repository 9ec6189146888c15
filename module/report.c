// SPDX-License-Identifier: GPL-2.0
/* Report folding and delivery (see report.h). */
#include <linux/bug.h>
#include <linux/module.h>
#include "report.h"

static const char *const tlbsan_class_names[__TLBSAN_CLASS_MAX] = TLBSAN_CLASS_NAMES;

static bool warn_on_violation;
module_param(warn_on_violation, bool, 0644);
MODULE_PARM_DESC(warn_on_violation,
		 "WARN() on the first violation of each class, so panic_on_warn stops the box");

/* Written once at init and at exit, when no worker runs. */
static const struct tlbsan_events *tlbsan_events;

void tlbsan_events_set(const struct tlbsan_events *ev)
{
	WRITE_ONCE(tlbsan_events, ev);
}

void tlbsan_event_gone(const struct tlbsan_ident *who)
{
	const struct tlbsan_events *ev = READ_ONCE(tlbsan_events);

	if (ev)
		ev->gone(who);
}

/* Deliver reports whose count grew; the first of each violation class also to the log. */
static void tlbsan_reports_fn(struct work_struct *work)
{
	struct tlbsan_reports *rs = container_of(work, struct tlbsan_reports, work);
	const struct tlbsan_events *ev = READ_ONCE(tlbsan_events);
	const struct tlbsan_ident *who = rs->who;
	struct tlbsan_report r;
	unsigned long flags;
	unsigned int i;
	bool warn;

	for (i = 0; ; i++) {
		raw_spin_lock_irqsave(rs->lock, flags);
		if (i >= rs->nr) {
			raw_spin_unlock_irqrestore(rs->lock, flags);
			break;
		}
		if (rs->reports[i].count == rs->reports[i].sent) {
			raw_spin_unlock_irqrestore(rs->lock, flags);
			continue;
		}
		r = rs->reports[i];
		rs->reports[i].sent = r.count;
		warn = (TLBSAN_CLASS_VIOLATIONS & BIT(r.cls)) && !(rs->warned & BIT(r.cls));
		rs->warned |= BIT(r.cls);
		raw_spin_unlock_irqrestore(rs->lock, flags);

		r.dropped = atomic64_read(rs->dropped);
		if (warn && warn_on_violation)
			WARN(1, "tlbsan: pasid %u pid %d (%s): %s at va %#lx, site %pS: %s\n",
			     who->pasid, who->pid, who->comm,
			     tlbsan_class_names[r.cls], r.va, (void *)r.site, r.detail);
		else if (warn)
			pr_warn("tlbsan: pasid %u pid %d (%s): %s at va %#lx, site %pS: %s\n",
				who->pasid, who->pid, who->comm,
				tlbsan_class_names[r.cls], r.va, (void *)r.site, r.detail);
		if (ev)
			ev->report(who, &r);
	}
}

void tlbsan_reports_init(struct tlbsan_reports *rs, raw_spinlock_t *lock,
			 const struct tlbsan_ident *who, struct workqueue_struct *wq,
			 atomic64_t *dropped)
{
	rs->lock = lock;
	rs->who = who;
	rs->wq = wq;
	rs->dropped = dropped;
	INIT_WORK(&rs->work, tlbsan_reports_fn);
}

void tlbsan_reports_add(struct tlbsan_reports *rs, struct tlbsan_report *r)
{
	struct tlbsan_report *old;
	unsigned int i;

	lockdep_assert_held(rs->lock);
	atomic64_inc(&rs->classes[r->cls]);
	for (i = 0; i < rs->nr; i++) {
		old = &rs->reports[i];
		if (old->cls == r->cls && old->site == r->site && old->fault == r->fault) {
			old->count++;
			goto queue;
		}
	}
	if (rs->nr == TLBSAN_REPORTS) {
		atomic64_inc(rs->dropped);
		return;
	}
	r->count = 1;
	r->sent = 0;
	rs->reports[rs->nr++] = *r;
queue:
	queue_work(rs->wq, &rs->work);
}

void tlbsan_reports_flush(struct tlbsan_reports *rs)
{
	flush_work(&rs->work);
}
