// SPDX-License-Identifier: GPL-2.0
/*
 * The checker: the notifier contract made executable (decisions in
 * oracle.c).  It watches three things:
 *  - every notifier call delivered to a device (recorded in a small ring
 *    for reports, marking the cached translations it covers);
 *  - every device access, against a fresh walk of the CPU page tables,
 *    under the TLB lock, so that the comparison is ordered against the
 *    device's own flushes;
 *  - every page freed on the machine (tracepoint mm_page_free), looked up
 *    lock-free in a counting hash of the pfns any device TLB caches, and
 *    only on a hit against the TLBs themselves.
 * Reports are folded by (class, call site, fault) into a bounded per-device table
 * under the TLB lock and delivered from a worker (report.c): nothing on an
 * mm path waits for the consumer.
 *
 * Walking the CPU page tables from a notifier callback (end check) is safe
 * for the reasons walk.c's header gives for callers outside mm_cpumask:
 * every entry below the PGD is read without faulting, and the walk is
 * discarded (UNSTABLE, no decision) if a table it went through was
 * unlinked while it read it.  The TLB lock (taken irqsave) orders the walk
 * against the device's own fills and flushes, not against table frees.
 */
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/uaccess.h>
#include "check.h"
#include "compat.h"
#include "model.h"
#include "oracle.h"
#include "pfnwatch.h"
#include "range.h"
#include "sites.h"
#include "walk.h"

/* ---- reports ---- */

static void report_add(struct tlbsan_checker *ck, struct tlbsan_report *r)
{
	tlbsan_reports_add(&ck->reports, r);
}

static struct tlbsan_inv_rec *inv_find(struct tlbsan_checker *ck, u64 id)
{
	struct tlbsan_inv_rec *rec = &ck->inv_ring[id % TLBSAN_INV_RING];

	return id && rec->id == id ? rec : NULL;
}

/* A report about translation @e, with the nearest notifier call that covered it. */
static void report_init(struct tlbsan_checker *ck, struct tlbsan_report *r, u32 cls,
			const struct tlbsan_tlbe *e, unsigned long va)
{
	struct tlbsan_inv_rec *inv = inv_find(ck, e->inv_id);

	memset(r, 0, sizeof(*r));
	r->cls = cls;
	r->thread = e->thread;
	r->va = va;
	r->old_pfn = e->pfn + ((va - e->va) >> PAGE_SHIFT);
	r->fill_ns = e->fill_ns;
	r->at_ns = ktime_get_ns();
	if (inv) {
		r->inv = *inv;
		r->site = tlbsan_site_of(inv->stack, inv->nr_stack);
	}
}

/*
 * Say whose bug report @r is.  When the kernel owed the call (@owed), the
 * report names @culprit, the bracket that should have carried it, as its
 * invalidation and site, and keeps the call that covered the translation
 * last beside it.  Otherwise the device kept a translation it was told to
 * drop, and where that was seen is the site.
 */
static void report_blame(struct tlbsan_report *r, bool owed,
			 const struct tlbsan_inv_rec *culprit)
{
	r->fault = owed ? TLBSAN_FAULT_KERNEL : TLBSAN_FAULT_DEVICE;
	if (!owed)
		return;
	/* An end whose start predates the attach has a placeholder record (id 0). */
	if (culprit && culprit->id && culprit->id != r->inv.id) {
		r->last = r->inv;
		r->inv = *culprit;
	}
	if (r->inv.id)
		r->site = tlbsan_site_of(r->inv.stack, r->inv.nr_stack);
}

/* The bracket in progress that covers @va (the innermost: last opened), or NULL. */
static struct tlbsan_inv_rec *open_bracket_at(struct tlbsan_checker *ck, unsigned long va)
{
	struct tlbsan_inv_rec *rec;
	unsigned int i;

	for (i = ck->nr_open; i-- > 0; ) {
		if (!tlbsan_range_overlaps(ck->open[i].start, ck->open[i].end, va, 1))
			continue;
		rec = inv_find(ck, ck->open[i].id);
		if (rec)
			return rec;
	}
	return NULL;
}

static void report_call(struct tlbsan_checker *ck, enum tlbsan_class cls,
			struct tlbsan_inv_rec *rec, const char *detail)
{
	struct tlbsan_report r = {
		.cls = cls,
		.thread = U32_MAX,
		.va = rec->start,
		.at_ns = rec->start_ns,
		.detail = detail,
		.inv = *rec,
		.site = tlbsan_site_of(rec->stack, rec->nr_stack),
	};

	report_add(ck, &r);
}

/* Same bytes in two pages?  Through the direct map, without faulting. */
static bool pages_equal(unsigned long a, unsigned long b)
{
	u64 x[8], y[8];
	unsigned int off;

	for (off = 0; off < PAGE_SIZE; off += sizeof(x)) {
		if (copy_from_kernel_nofault(x, pfn_to_kaddr(a) + off, sizeof(x)) ||
		    copy_from_kernel_nofault(y, pfn_to_kaddr(b) + off, sizeof(y)) ||
		    memcmp(x, y, sizeof(x)))
			return false;
	}
	return true;
}

/* The CPU's view of @va; *next, if asked, is where the CPU's leaf ends. */
static void cpu_view_next(struct tlbsan_checker *ck, unsigned long va, struct tlbsan_cpu_view *c,
			  u64 *pte, unsigned long *next)
{
	struct tlbsan_xlat x;

	c->walk = tlbsan_walk(ck->mm, va, 0, &x);
	if (next) {
		/* Nothing at the PMD level or above: no 4 KiB leaf in its 2 MiB. */
		unsigned long span = c->walk == TLBSAN_WALK_OK ? 1UL << tlbsan_size_shift(x.size) :
				     x.table_pfn ? PAGE_SIZE : PMD_SIZE;

		*next = ALIGN_DOWN(va, span) + span;
	}
	c->pfn = c->walk == TLBSAN_WALK_OK ? tlbsan_xlat_pfn(&x, va) : 0;
	c->writable = c->walk == TLBSAN_WALK_OK && x.cpu_write;
	/*
	 * A batched flush counted before the PTE we read was changed is seen
	 * (pairs with the PTL release after inc_tlb_flush_pending() in
	 * tlb_gather_mmu()); its decrement comes after the flush, whose
	 * secondary call needs the TLB lock we hold.
	 */
	smp_rmb();
	c->flush_pending = mm_tlb_flush_pending(ck->mm);
	*pte = c->walk == TLBSAN_WALK_OK ? x.raw : 0;
}

static void cpu_view(struct tlbsan_checker *ck, unsigned long va, struct tlbsan_cpu_view *c,
		     u64 *pte)
{
	cpu_view_next(ck, va, c, pte, NULL);
}

static void dev_view(const struct tlbsan_checker *ck, const struct tlbsan_tlbe *e,
		     unsigned long va, struct tlbsan_dev_view *d)
{
	d->chk = e->chk;
	d->secondary_model = ck->secondary_model;
	d->pfn = e->pfn + ((va - e->va) >> PAGE_SHIFT);
	d->writable = e->perm & TLBSAN_PERM_WRITE;
}

/* ---- notifier calls ---- */

struct mark_arg {
	u8 set, clear;
	u64 id;
};

static void mark_fn(struct tlbsan_tlbe *e, void *arg)
{
	struct mark_arg *m = arg;

	e->chk = (e->chk & ~m->clear) | m->set;
	e->inv_id = m->id;
}

/*
 * The end of a bracket, for case B: each translation it covered that the
 * device still holds is checked before the model acts, either at
 * invalidate_range_end or, up to 6.5, at the secondary call the end makes
 * itself (@late: that call comes first, and the model would flush on it).
 */
struct end_arg {
	struct tlbsan_checker *ck;
	struct tlbsan_inv_rec *rec;	/* the bracket */
	u64 at_ns;			/* when its end (or the end's own call) came */
	bool late;			/* this is the end's own secondary call */
	bool checked;			/* ... which already checked this bracket */
	unsigned int budget;		/* CPU leaves past each entry's first still to look at */
};

/*
 * CPU leaves looked at per end beyond each entry's first: a huge entry the
 * CPU now maps with smaller leaves (split, then part repointed) is checked
 * leaf by leaf over the bracket's range while this lasts (interrupts are
 * off); what it leaves unchecked is counted (end_leaves_unchecked), a
 * missed report, never a false one.
 */
#define TLBSAN_END_LEAVES	1024

static void end_fn(struct tlbsan_tlbe *e, void *arg)
{
	struct end_arg *a = arg;
	struct tlbsan_checker *ck = a->ck;
	unsigned long va, last, next;
	struct tlbsan_cpu_view c;
	struct tlbsan_dev_view d;
	struct tlbsan_report r;
	unsigned long benign = 0;
	bool same, owed;
	unsigned int n;
	u32 cls = 0, k;
	u64 pte;

	if (!a->late && (e->chk & TLBSAN_CHK_STARTED))
		e->chk |= TLBSAN_CHK_ENDED;
	if (a->checked)
		return;
	/* From the entry's first 4 KiB the bracket covers (a huge entry may start before it). */
	va = clamp(a->rec->start, e->va, e->va + tlbsan_tlbe_bytes(e) - PAGE_SIZE) & PAGE_MASK;
	last = min(a->rec->end, e->va + tlbsan_tlbe_bytes(e));
	for (n = 0; va < last; n++, va = next) {
		if (n && !a->budget) {
			atomic64_inc(&ck->stat[TLBSAN_DEV_END_LEAVES_UNCHECKED]);
			break;
		}
		if (n)
			a->budget--;
		cpu_view_next(ck, va, &c, &pte, &next);
		dev_view(ck, e, va, &d);
		same = false;
		if (tlbsan_replaced(&d, &c) && !c.writable)
			same = pages_equal(d.pfn, c.pfn);
		k = tlbsan_oracle_end(&d, &c, same, &owed);
		/* A same-content leaf (class 7) may hide a real one further on. */
		if (k && k != TLBSAN_CLASS_STALE_BENIGN) {
			cls = k;
			break;
		}
		if (k && !benign)
			benign = va;
	}
	if (!cls && benign) {
		/* Only benign leaves: report the first of them. */
		va = benign;
		cpu_view(ck, va, &c, &pte);
		dev_view(ck, e, va, &d);
		cls = tlbsan_oracle_end(&d, &c, true, &owed);
	}
	if (!cls)
		return;
	report_init(ck, &r, cls, e, va);
	report_blame(&r, owed, a->rec);
	r.new_pfn = c.pfn;
	r.has_new = true;
	r.pte = pte;
	r.at_ns = a->at_ns;
	r.noticed_what = a->late ? "secondary call made by invalidate_range_end" :
			 "invalidate_range_end";
	r.detail = cls == TLBSAN_CLASS_STALE_BENIGN ?
		   "read-only same-content replacement still cached at invalidate_range_end" :
		   owed ? "PTE repointed; the bracket ended without an under-lock secondary call" :
		   "translation to a replaced page still cached at invalidate_range_end";
	report_add(ck, &r);
}

/* Record a notifier call in the ring; returns its record. */
static struct tlbsan_inv_rec *record_call(struct tlbsan_checker *ck, enum tlbsan_cb cb,
					  int event, unsigned long start, unsigned long end)
{
	u64 id = ++ck->inv_next_id;
	struct tlbsan_inv_rec *rec = &ck->inv_ring[id % TLBSAN_INV_RING];

	rec->id = id;
	rec->start_ns = ktime_get_ns();
	rec->end_ns = 0;
	rec->start = start;
	rec->end = end;
	rec->cb = cb;
	rec->event = event;
	rec->nr_stack = stack_trace_save(rec->stack, TLBSAN_STACK_DEPTH, 0);
	return rec;
}

/* A start: the bracket is in progress until its end. */
static void open_bracket(struct tlbsan_checker *ck, const struct tlbsan_inv_rec *rec)
{
	struct tlbsan_open *o;

	if (ck->nr_open == ck->open_max) {
		/* Sticky: the untracked bracket's end cannot be told from others. */
		ck->open_overflow = true;
		atomic64_inc(&ck->stat[TLBSAN_DEV_BRACKETS_UNTRACKED]);
		return;
	}
	o = &ck->open[ck->nr_open++];
	memset(o, 0, sizeof(*o));
	o->id = rec->id;
	o->start = rec->start;
	o->end = rec->end;
	o->event = rec->event;
	o->task = current;
}

/*
 * A secondary call is redundant when a bracket in progress already had a
 * secondary call covering its range and nothing was filled since: there
 * cannot be anything left to flush (the 2017 thread's subject).  Also
 * gives the call its bracket's event.
 */
static bool secondary_redundant(struct tlbsan_checker *ck, struct tlbsan_inv_rec *rec)
{
	unsigned long start = rec->start, end = rec->end;
	bool redundant = false;
	struct tlbsan_open *o;
	unsigned int i;

	for (i = 0; i < ck->nr_open; i++) {
		o = &ck->open[i];
		if (!tlbsan_range_overlaps(o->start, o->end, start, end - start))
			continue;
		if (!rec->event)
			rec->event = o->event;
		if (o->sec_valid && o->sec_start <= start && end <= o->sec_end &&
		    o->sec_fill_seq == ck->fills)
			redundant = true;
		o->sec_valid = true;
		o->sec_start = start;
		o->sec_end = end;
		o->sec_fill_seq = ck->fills;
	}
	return redundant;
}

/* Count a secondary call per (site, event); one the table has no room for is counted apart. */
static void count_site(struct tlbsan_checker *ck, const struct tlbsan_inv_rec *rec,
		       unsigned long site, bool redundant)
{
	struct tlbsan_site *s;
	unsigned int i;

	for (i = 0; i < ck->nr_sites; i++)
		if (ck->sites[i].ip == site && ck->sites[i].event == rec->event)
			break;
	if (i == ck->nr_sites) {
		if (i == TLBSAN_SITES) {
			atomic64_inc(&ck->stat[TLBSAN_DEV_SITES_UNTRACKED]);
			return;
		}
		ck->sites[i].ip = site;
		ck->sites[i].event = rec->event;
		ck->nr_sites++;
	}
	s = &ck->sites[i];
	s->calls++;
	s->redundant += redundant;
}

/*
 * The end's own secondary call (up to 6.5) covers what its bracket
 * changed, but too late for a repointed PTE (case B): check the bracket's
 * end now, before the model flushes.  Its bracket has this exact range.
 */
static void check_late_call(struct tlbsan_checker *ck, struct tlbsan_inv_rec *rec)
{
	struct end_arg a = { .ck = ck, .rec = rec, .at_ns = rec->start_ns, .late = true,
			     .budget = TLBSAN_END_LEAVES };
	struct tlbsan_open *o;
	unsigned int i;

	for (i = 0; i < ck->nr_open; i++) {
		o = &ck->open[i];
		if (o->task == current && o->start == rec->start && o->end == rec->end) {
			o->late_checked = true;
			a.rec = inv_find(ck, o->id) ?: rec;
			break;
		}
	}
	tlbsan_tlb_visit(ck->tlb, rec->start, rec->end, end_fn, &a);
}

/*
 * A start or secondary call delivered to the device.  Records it, checks
 * its range and marks the translations it covers: STARTED for a start,
 * SECONDARY for a secondary call, LATE for the end's own one.  Returns its
 * record id.
 */
u64 tlbsan_check_call(struct tlbsan_checker *ck, enum tlbsan_cb cb, int event,
		      unsigned long start, unsigned long end)
{
	struct tlbsan_inv_rec *rec;
	struct mark_arg m = { };
	unsigned long site;
	bool redundant;

	lockdep_assert_held(ck->lock);
	rec = record_call(ck, cb, event, start, end);
	m.id = rec->id;
	/*
	 * The core may still deliver a call that was in flight when ->release
	 * ran (the OOM reaper racing exit_mmap): harmless, the device has
	 * flushed everything and will not fill again.  Counted only.
	 */
	if (READ_ONCE(*ck->released))
		atomic64_inc(&ck->stat[TLBSAN_DEV_AFTER_RELEASE]);
	if (tlbsan_range_is_fullmm(start, end))
		report_call(ck, TLBSAN_CLASS_WHOLE_MM, rec,
			    "whole-mm flush passed as the empty range [~0, ~0)");
	else if (tlbsan_range_is_anomalous(start, end))
		report_call(ck, TLBSAN_CLASS_PROTOCOL, rec, "zero-length or inverted range");

	if (cb == TLBSAN_CB_INVALIDATE_RANGE_START) {
		open_bracket(ck, rec);
		m.set = TLBSAN_CHK_STARTED;
		m.clear = TLBSAN_CHK_ENDED;
		tlbsan_tlb_visit(ck->tlb, start, end, mark_fn, &m);
		return rec->id;
	}

	redundant = secondary_redundant(ck, rec);
	site = tlbsan_site_of(rec->stack, rec->nr_stack);
	count_site(ck, rec, site, redundant);
	if (redundant)
		report_call(ck, TLBSAN_CLASS_REDUNDANT, rec,
			    "secondary invalidation found nothing left to flush");

	if (TLBSAN_END_MAKES_SECONDARY_CALL && tlbsan_stack_in_end(rec->stack, rec->nr_stack)) {
		check_late_call(ck, rec);
		m.set = TLBSAN_CHK_LATE;
	} else {
		m.set = TLBSAN_CHK_SECONDARY;
	}
	tlbsan_tlb_visit(ck->tlb, start, end, mark_fn, &m);
	return rec->id;
}

/* invalidate_range_end delivered to the device, before the model acts. */
void tlbsan_check_end(struct tlbsan_checker *ck, int event, unsigned long start,
		      unsigned long end)
{
	struct tlbsan_inv_rec *rec = NULL, tmp;
	struct end_arg a = { .ck = ck, .budget = TLBSAN_END_LEAVES };
	bool mismatch = false;
	unsigned int i;

	lockdep_assert_held(ck->lock);
	for (i = 0; i < ck->nr_open; i++) {
		struct tlbsan_open *o = &ck->open[i];

		if (o->event != event || o->task != current)
			continue;
		if (o->start == start && o->end == end) {
			rec = inv_find(ck, o->id);
			a.checked = o->late_checked;
			ck->open[i] = ck->open[--ck->nr_open];
			mismatch = false;
			break;
		}
		if (tlbsan_range_overlaps(o->start, o->end, start, end - start))
			mismatch = true;
	}
	if (!rec) {
		/* The start may predate the attach: only a near miss is reported. */
		memset(&tmp, 0, sizeof(tmp));
		tmp.start = start;
		tmp.end = end;
		tmp.event = event;
		tmp.cb = TLBSAN_CB_INVALIDATE_RANGE_END;
		tmp.start_ns = ktime_get_ns();
		tmp.nr_stack = stack_trace_save(tmp.stack, TLBSAN_STACK_DEPTH, 0);
		if (mismatch && !ck->open_overflow)
			report_call(ck, TLBSAN_CLASS_PROTOCOL, &tmp,
				    "end range differs from its start");
		rec = &tmp;
	}
	rec->end_ns = ktime_get_ns();
	a.rec = rec;
	a.at_ns = rec->end_ns;
	a.late = false;
	tlbsan_tlb_visit(ck->tlb, start, end, end_fn, &a);
}

/*
 * A device access through @e at @va: compare with the CPU page table now.
 * TLB lock held, interrupts off, in a device thread using the mm.  Returns
 * whether a write may go ahead: the CPU still maps the same page (so it is
 * not free) and the access is no violation.
 */
bool tlbsan_check_access(struct tlbsan_checker *ck, struct tlbsan_tlbe *e, unsigned long va,
			 u32 op, u32 thread)
{
	bool write = op != TLBSAN_OP_READ;
	struct tlbsan_cpu_view c;
	struct tlbsan_dev_view d;
	struct tlbsan_report r;
	bool same = false, owed;
	u32 cls;
	u64 pte;

	lockdep_assert_held(ck->lock);
	cpu_view(ck, va, &c, &pte);
	dev_view(ck, e, va, &d);
	if (tlbsan_oracle_wants_content(&d, &c, write))
		same = pages_equal(d.pfn, c.pfn);
	cls = tlbsan_oracle_access(&d, &c, write, same, &owed);
	if (cls) {
		/* Owed: the translation's last call is the bracket that ended without it. */
		report_init(ck, &r, cls, e, va);
		report_blame(&r, owed, NULL);
		r.noticed_what = "device access";
		r.thread = thread;
		r.op = op;
		r.pte = pte;
		r.has_new = c.walk == TLBSAN_WALK_OK;
		r.new_pfn = c.pfn;
		r.detail = cls == TLBSAN_CLASS_MISSED ?
			   "the CPU entry changed and no notification covered the translation" :
			   cls == TLBSAN_CLASS_WP_WRITE ?
			   "device write through a translation the CPU write-protected" :
			   cls == TLBSAN_CLASS_STALE_BENIGN ?
			   "device read through a read-only same-content replacement" :
			   owed ? "access via a replaced page; its bracket had no secondary call" :
			   "device access through a translation to a replaced page";
		report_add(ck, &r);
	}
	return c.walk == TLBSAN_WALK_OK && c.pfn == d.pfn &&
	       (!cls || cls == TLBSAN_CLASS_STALE_BENIGN);
}

/*
 * A fill about to be installed for [va, va + size): did a notifier call the
 * model is due on (secondary for HW/LAZY, start otherwise) cover it after
 * the walk began (@since: inv_next_id then)?  A correct model has already
 * refused such a fill; one that installs it keeps a translation the
 * invalidation should have removed: a driver-side race (class 5).
 */
void tlbsan_check_fill(struct tlbsan_checker *ck, unsigned long va, unsigned long size,
		       u64 since, struct tlbsan_tlbe *e)
{
	u8 due_cb = ck->secondary_model ? TLBSAN_CB_SECONDARY : TLBSAN_CB_INVALIDATE_RANGE_START;
	u64 id, oldest = ck->inv_next_id >= TLBSAN_INV_RING ?
			 ck->inv_next_id - TLBSAN_INV_RING + 1 : 1;
	struct tlbsan_inv_rec *rec;
	bool raced = false;
	unsigned int i;

	lockdep_assert_held(ck->lock);
	ck->fills++;
	/*
	 * A fill inside a bracket in progress is covered by that bracket's
	 * start, which came before it: the device was told an invalidation of
	 * this range is under way (HW-style models keep filling until the
	 * secondary call; the PTE may be cleared before it).  So is a fill
	 * whose walk a whole bracket ran inside (its start after the walk
	 * began, its end before the commit, its flush still to come).  When
	 * the record of what happened during the walk is lost (the ring
	 * wrapped, or brackets went untracked), it is marked as covered too:
	 * that suppresses a report rather than inventing one.
	 */
	for (i = 0; i < ck->nr_open; i++) {
		if (tlbsan_range_overlaps(ck->open[i].start, ck->open[i].end, va, size)) {
			e->chk |= TLBSAN_CHK_STARTED;
			e->inv_id = ck->open[i].id;
		}
	}
	if (since + 1 < oldest || ck->open_overflow)
		e->chk |= TLBSAN_CHK_STARTED;
	for (id = max(since + 1, oldest); id <= ck->inv_next_id; id++) {
		rec = inv_find(ck, id);
		if (!rec || !tlbsan_range_overlaps(rec->start, rec->end, va, size))
			continue;
		if (rec->cb == TLBSAN_CB_INVALIDATE_RANGE_START) {
			e->chk |= TLBSAN_CHK_STARTED;
			e->inv_id = rec->id;
		}
		if (rec->cb == due_cb && !raced) {
			report_call(ck, TLBSAN_CLASS_PROTOCOL, rec,
				    "fill raced an invalidation that covered it");
			raced = true;
		}
	}
}

/* ---- page frees ---- */

/* The page-free watch found [pfn, pfn + n) in some TLB: is it this device's? */
static void check_freed(struct tlbsan_pfnwatch *w, unsigned long pfn, unsigned long n,
			struct tlbsan_free_ctx *f)
{
	struct tlbsan_checker *ck = container_of(w, struct tlbsan_checker, watch);
	struct tlbsan_dev_view d;
	struct tlbsan_tlbe *e;
	struct tlbsan_report r;
	unsigned long flags, first, va;
	unsigned int i;
	bool owed;

	raw_spin_lock_irqsave(ck->lock, flags);
	for (i = 0; i < ck->tlb->sets * ck->tlb->ways; i++) {
		e = &ck->tlb->e[i];
		if (!e->valid || e->pfn >= pfn + n || pfn >= e->pfn + tlbsan_tlbe_pages(e))
			continue;
		tlbsan_free_stack(f);
		first = max(pfn, e->pfn);
		va = e->va + ((first - e->pfn) << PAGE_SHIFT);
		report_init(ck, &r, TLBSAN_CLASS_USE_AFTER_FREE, e, va);
		dev_view(ck, e, va, &d);
		owed = tlbsan_oracle_free_owed(&d);
		r.detail = !tlbsan_notified(e->chk) ?
			   "page freed while the device still caches it (never notified)" :
			   owed ? "page freed while the device caches it (no secondary call)" :
			   "page freed while the device still caches it (notified, not flushed)";
		r.nr_stack = f->nr;
		memcpy(r.stack, f->stack, sizeof(r.stack));
		r.noticed = tlbsan_site_of(f->stack, f->nr);
		r.site = r.noticed;
		/*
		 * Case A names the bracket the page was freed in (or, freed after
		 * it, the one that last covered it): that path owed the call.
		 */
		report_blame(&r, owed, owed ? open_bracket_at(ck, va) : NULL);
		report_add(ck, &r);
		/* Poison: the device must never touch memory that is someone else's now. */
		tlbsan_tlb_drop(ck->tlb, e);
		atomic64_inc(&ck->stat[TLBSAN_DEV_POISONED]);
	}
	raw_spin_unlock_irqrestore(ck->lock, flags);
}

/*
 * Brackets in progress tracked per context.  A task has at most a couple
 * of brackets open on one mm at a time, and those in a bracket at once are
 * mostly the CPUs' current tasks; blockable brackets may sleep, so this is
 * no hard bound: a bracket beyond it goes untracked, which makes fills
 * unknown (never a report) and is counted in STATS.
 */
static unsigned int open_brackets;
module_param(open_brackets, uint, 0444);
MODULE_PARM_DESC(open_brackets,
		 "brackets in progress tracked per context, up to 65536 (0: 4 per possible CPU, at least 16)");

int tlbsan_check_init(struct tlbsan_checker *ck, const struct tlbsan_checker_setup *s)
{
	ck->lock = s->lock;
	ck->tlb = s->tlb;
	ck->mm = s->mm;
	ck->secondary_model = tlbsan_model_due_on_secondary(s->model);
	ck->released = s->released;
	ck->stat = s->stat;
	ck->watch.freed = check_freed;
	INIT_LIST_HEAD(&ck->watch.node);
	tlbsan_reports_init(&ck->reports, s->lock, s->who, s->wq,
			    &s->stat[TLBSAN_DEV_REPORTS_DROPPED]);
	/* Last: on failure the checker is still safe to free. */
	ck->open_max = open_brackets ? min(open_brackets, 65536U) :
				       max(16U, 4 * num_possible_cpus());
	ck->open = kvcalloc(ck->open_max, sizeof(*ck->open), GFP_KERNEL);
	return ck->open ? 0 : -ENOMEM;
}

/* After the device's notifiers are gone. */
void tlbsan_check_free(struct tlbsan_checker *ck)
{
	kvfree(ck->open);
	ck->open = NULL;
}

void tlbsan_check_watch(struct tlbsan_checker *ck)
{
	tlbsan_pfnwatch_add(&ck->watch);
}

/* Process context; afterwards no free is checked against @ck. */
void tlbsan_check_unwatch(struct tlbsan_checker *ck)
{
	if (!list_empty(&ck->watch.node))
		tlbsan_pfnwatch_del(&ck->watch);
}
