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
 * Reports are folded by (class, call site) into a bounded per-device table
 * under the TLB lock and multicast from a worker: nothing on an mm path
 * waits for the consumer.
 *
 * Walking the CPU page tables from a notifier callback (end check) is safe
 * for the same reason as the device's walk (walk.c): interrupts are off
 * (the TLB lock is taken irqsave) and Debian's x86-64 kernels free page
 * tables through RCU or after a tlb_remove_table_sync_one() IPI to every
 * CPU (MMU_GATHER_RCU_TABLE_FREE), both of which an interrupts-off
 * section holds off.
 */
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/mm_inline.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/stacktrace.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "oracle.h"
#include "tlbsan.h"
#include "walk.h"

/* ---- pfns cached by any device TLB: a lock-free counting hash ---- */

#define GRANULE_BITS	16
/* Entries whose translation touches each 2 MiB frame granule, hashed. */
static atomic_t tlbsan_granules[1 << GRANULE_BITS];
/* Entries in every device TLB: zero makes the free hook a single read. */
static atomic_t tlbsan_tracked;

static inline atomic_t *granule(unsigned long pfn)
{
	return &tlbsan_granules[hash_long(pfn >> 9, GRANULE_BITS)];
}

static inline unsigned long tlbe_pages(const struct tlbsan_tlbe *e)
{
	return tlbsan_tlbe_bytes(e) >> PAGE_SHIFT;
}

static void track(const struct tlbsan_tlbe *e, int delta)
{
	unsigned long g, n = max(tlbe_pages(e) >> 9, 1UL);

	for (g = 0; g < n; g++)
		atomic_add(delta, granule(e->pfn + (g << 9)));
	atomic_add(delta, &tlbsan_tracked);
}

void tlbsan_check_track_fill(const struct tlbsan_tlbe *e)
{
	track(e, 1);
}

/* The TLB's evict hook: every valid entry that leaves any TLB. */
void tlbsan_check_evict(const struct tlbsan_tlbe *e)
{
	track(e, -1);
}

/* Devices the free hook looks at: RCU readers, writers under the lock. */
static LIST_HEAD(tlbsan_check_devs);
static DEFINE_SPINLOCK(tlbsan_check_devs_lock);

void tlbsan_check_dev_add(struct tlbsan_dev *dev)
{
	spin_lock(&tlbsan_check_devs_lock);
	list_add_tail_rcu(&dev->check_node, &tlbsan_check_devs);
	spin_unlock(&tlbsan_check_devs_lock);
}

/* Process context; afterwards no free hook can see @dev. */
void tlbsan_check_dev_del(struct tlbsan_dev *dev)
{
	spin_lock(&tlbsan_check_devs_lock);
	list_del_rcu(&dev->check_node);
	spin_unlock(&tlbsan_check_devs_lock);
	synchronize_rcu();
}

/* ---- call sites ---- */

/* Frames that are machinery, not the call site: notifier core, TLB flush, page freeing. */
static const char *const tlbsan_machinery[] = {
	"mmu_notifier", "__mmu_notifier", "mn_hlist", "mn_itree", "flush_tlb", "native_flush_tlb",
	"__flush_tlb", "arch_tlbbatch", "ptep_clear_flush", "pmdp_", "pudp_", "tlb_flush",
	"free_unref", "free_pages", "__free_pages", "free_pcp", "__free_one_page", "free_frozen",
	"__folio_put", "folio_put", "put_page", "__put_page", "free_the_page", "__traceiter_",
	"trace_", "stack_trace_save", "free_compound_page", "destroy_large_folio", "folios_put",
	"free_unref_folios", "__folio_batch_release", "release_pages", "free_pages_and_swap_cache",
	"tlb_batch_pages_flush", "__tlb_batch_free_encoded_pages", "free_swap_cache",
};

/*
 * Frames of the notifier core's invalidate_range_end, which up to 6.5 makes
 * the late secondary call itself (mn_hlist_invalidate_end may be inlined).
 */
static const char *const tlbsan_end_frames[] = {
	"__mmu_notifier_invalidate_range_end", "mn_hlist_invalidate_end",
};

/*
 * A symbol-prefix classifier with a cache: direct-mapped slots hold the
 * address with bit 63 carrying the answer (kernel text addresses have it
 * set).  Racing writers store the same answer; a torn slot cannot happen
 * (one word).
 */
struct sym_class {
	const char *const *prefix;
	unsigned int nr;
	bool module_matches;		/* this module's own frames match */
	unsigned long cache[256];
};

static struct sym_class tlbsan_machinery_class = {
	.prefix = tlbsan_machinery, .nr = ARRAY_SIZE(tlbsan_machinery), .module_matches = true,
};

static struct sym_class tlbsan_end_class = {
	.prefix = tlbsan_end_frames, .nr = ARRAY_SIZE(tlbsan_end_frames),
};

static bool sym_matches(struct sym_class *k, unsigned long ip)
{
	unsigned long *slot = &k->cache[hash_long(ip, 8)];
	unsigned long c = READ_ONCE(*slot);
	char name[KSYM_NAME_LEN];
	bool match = false;
	unsigned int i;

	if ((c | BIT(63)) == ip)
		return c >> 63;
	if (within_module(ip, THIS_MODULE)) {
		match = k->module_matches;
	} else {
		sprint_symbol_no_offset(name, ip);
		for (i = 0; i < k->nr; i++)
			if (!strncmp(name, k->prefix[i], strlen(k->prefix[i])))
				match = true;
	}
	WRITE_ONCE(*slot, match ? ip : ip & ~BIT(63));
	return match;
}

static bool is_machinery(unsigned long ip)
{
	return sym_matches(&tlbsan_machinery_class, ip);
}

/*
 * Is @rec the secondary call that invalidate_range_end makes itself (up to
 * 6.5, the non-_only_end form)?  Its stack says so.  From 6.6 the core
 * makes no such call.
 */
static bool is_late_call(const struct tlbsan_inv_rec *rec)
{
	unsigned int i;

	if (!TLBSAN_HAVE_MN_INVALIDATE_RANGE)
		return false;
	for (i = 0; i < rec->nr_stack; i++)
		if (sym_matches(&tlbsan_end_class, rec->stack[i]))
			return true;
	return false;
}

/* The first frame of @stack outside the machinery, or 0. */
static unsigned long site_of(const unsigned long *stack, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!is_machinery(stack[i]))
			return stack[i];
	return 0;
}

/* ---- call-site coverage (module parameter coverage=1) ---- */

static bool coverage;
module_param(coverage, bool, 0444);
MODULE_PARM_DESC(coverage, "record the call site of every notifier call (tlbsan coverage)");

#define TLBSAN_COV_MAX	512
/* Distinct (call site, callback) pairs; under tlbsan_cov_lock (irqsave). */
static struct tlbsan_cov tlbsan_cov[TLBSAN_COV_MAX];
static unsigned int tlbsan_cov_n;
static DEFINE_SPINLOCK(tlbsan_cov_lock);

/* From a notifier callback: count its call site. */
void tlbsan_cov_note(enum tlbsan_cb cb)
{
	unsigned long stack[TLBSAN_STACK_DEPTH], site, flags;
	unsigned int nr, i;

	if (!coverage)
		return;
	nr = stack_trace_save(stack, TLBSAN_STACK_DEPTH, 0);
	site = site_of(stack, nr);
	spin_lock_irqsave(&tlbsan_cov_lock, flags);
	for (i = 0; i < tlbsan_cov_n; i++)
		if (tlbsan_cov[i].ip == site && tlbsan_cov[i].cb == cb)
			break;
	if (i == tlbsan_cov_n && i < TLBSAN_COV_MAX) {
		tlbsan_cov[i].ip = site;
		tlbsan_cov[i].cb = cb;
		tlbsan_cov_n++;
	}
	if (i < tlbsan_cov_n)
		tlbsan_cov[i].count++;
	spin_unlock_irqrestore(&tlbsan_cov_lock, flags);
}

/* Copy coverage entry @i; false past the end. */
bool tlbsan_cov_get(unsigned int i, struct tlbsan_cov *out)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&tlbsan_cov_lock, flags);
	ok = i < tlbsan_cov_n;
	if (ok)
		*out = tlbsan_cov[i];
	spin_unlock_irqrestore(&tlbsan_cov_lock, flags);
	return ok;
}

/* ---- reports ---- */

static void report_add(struct tlbsan_dev *dev, struct tlbsan_report *r)
{
	struct tlbsan_report *old;
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	atomic64_inc(&dev->classes[r->cls]);
	for (i = 0; i < dev->nr_reports; i++) {
		old = &dev->reports[i];
		if (old->cls == r->cls && old->site == r->site) {
			old->count++;
			goto queue;
		}
	}
	if (dev->nr_reports == TLBSAN_REPORTS) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_REPORTS_DROPPED);
		return;
	}
	r->count = 1;
	r->sent = 0;
	dev->reports[dev->nr_reports++] = *r;
queue:
	queue_work(tlbsan_wq, &dev->report_work);
}

static struct tlbsan_inv_rec *inv_find(struct tlbsan_dev *dev, u64 id)
{
	struct tlbsan_inv_rec *rec = &dev->inv_ring[id % TLBSAN_INV_RING];

	return id && rec->id == id ? rec : NULL;
}

/* A report about translation @e, with the nearest notifier call that covered it. */
static void report_init(struct tlbsan_dev *dev, struct tlbsan_report *r, u32 cls,
			const struct tlbsan_tlbe *e, unsigned long va)
{
	struct tlbsan_inv_rec *inv = inv_find(dev, e->inv_id);

	memset(r, 0, sizeof(*r));
	r->cls = cls;
	r->thread = e->thread;
	r->va = va;
	r->old_pfn = e->pfn + ((va - e->va) >> PAGE_SHIFT);
	r->fill_ns = e->fill_ns;
	r->at_ns = ktime_get_ns();
	if (inv) {
		r->inv = *inv;
		r->site = site_of(inv->stack, inv->nr_stack);
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
	if (culprit && culprit->id != r->inv.id) {
		r->last = r->inv;
		r->inv = *culprit;
	}
	if (r->inv.id)
		r->site = site_of(r->inv.stack, r->inv.nr_stack);
}

/* The bracket in progress that covers @va (the innermost: last opened), or NULL. */
static struct tlbsan_inv_rec *open_bracket_at(struct tlbsan_dev *dev, unsigned long va)
{
	struct tlbsan_inv_rec *rec;
	unsigned int i;

	for (i = dev->nr_open; i-- > 0; ) {
		if (!tlbsan_range_overlaps(dev->open[i].start, dev->open[i].end, va, 1))
			continue;
		rec = inv_find(dev, dev->open[i].id);
		if (rec)
			return rec;
	}
	return NULL;
}

static void report_call(struct tlbsan_dev *dev, enum tlbsan_class cls,
			struct tlbsan_inv_rec *rec, const char *detail)
{
	struct tlbsan_report r = {
		.cls = cls,
		.thread = U32_MAX,
		.va = rec->start,
		.at_ns = rec->start_ns,
		.detail = detail,
		.inv = *rec,
		.site = site_of(rec->stack, rec->nr_stack),
	};

	report_add(dev, &r);
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

static void cpu_view(struct tlbsan_dev *dev, unsigned long va, struct tlbsan_cpu_view *c,
		     u64 *pte)
{
	struct tlbsan_xlat x;

	c->walk = tlbsan_walk(dev->ctx->mn_range.mm, va, 0, &x);
	c->pfn = c->walk == TLBSAN_WALK_OK ? tlbsan_xlat_pfn(&x, va) : 0;
	c->writable = c->walk == TLBSAN_WALK_OK && x.cpu_write;
	/*
	 * A batched flush counted before the PTE we read was changed is seen
	 * (pairs with the PTL release after inc_tlb_flush_pending() in
	 * tlb_gather_mmu()); its decrement comes after the flush, whose
	 * secondary call needs the TLB lock we hold.
	 */
	smp_rmb();
	c->flush_pending = mm_tlb_flush_pending(dev->ctx->mn_range.mm);
	*pte = c->walk == TLBSAN_WALK_OK ? x.raw : 0;
}

static void dev_view(const struct tlbsan_dev *dev, const struct tlbsan_tlbe *e,
		     unsigned long va, struct tlbsan_dev_view *d)
{
	d->chk = e->chk;
	d->secondary_model = dev->cfg.model == TLBSAN_MODEL_HW ||
			     dev->cfg.model == TLBSAN_MODEL_LAZY;
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
	struct tlbsan_dev *dev;
	struct tlbsan_inv_rec *rec;	/* the bracket */
	bool late;			/* this is the end's own secondary call */
	bool checked;			/* ... which already checked this bracket */
};

static void end_fn(struct tlbsan_tlbe *e, void *arg)
{
	struct end_arg *a = arg;
	struct tlbsan_dev *dev = a->dev;
	struct tlbsan_cpu_view c;
	struct tlbsan_dev_view d;
	struct tlbsan_report r;
	bool same = false, owed;
	u32 cls;
	u64 pte;

	if (!a->late && (e->chk & TLBSAN_CHK_STARTED))
		e->chk |= TLBSAN_CHK_ENDED;
	if (a->checked)
		return;
	cpu_view(dev, e->va, &c, &pte);
	dev_view(dev, e, e->va, &d);
	if (tlbsan_replaced(&d, &c) && !c.writable)
		same = pages_equal(d.pfn, c.pfn);
	cls = tlbsan_oracle_end(&d, &c, same, &owed);
	if (!cls)
		return;
	report_init(dev, &r, cls, e, e->va);
	report_blame(&r, owed, a->rec);
	r.new_pfn = c.pfn;
	r.has_new = true;
	r.pte = pte;
	r.at_ns = a->late ? a->rec->start_ns : a->rec->end_ns;
	r.noticed_what = a->late ? "secondary call made by invalidate_range_end" :
			 "invalidate_range_end";
	r.detail = cls == TLBSAN_CLASS_STALE_BENIGN ?
		   "read-only same-content replacement still cached at invalidate_range_end" :
		   owed ? "PTE repointed; the bracket ended without an under-lock secondary call" :
		   "translation to a replaced page still cached at invalidate_range_end";
	report_add(dev, &r);
}

/*
 * A start or secondary call delivered to the device.  Records it, checks
 * its range and marks the translations it covers.  Returns its record id.
 */
u64 tlbsan_check_call(struct tlbsan_dev *dev, enum tlbsan_cb cb, int event,
		      unsigned long start, unsigned long end)
{
	u64 id = ++dev->inv_next_id;
	struct tlbsan_inv_rec *rec = &dev->inv_ring[id % TLBSAN_INV_RING];
	struct mark_arg m = { .id = id };
	bool redundant = false;
	struct tlbsan_open *o;
	struct tlbsan_site *s;
	struct end_arg a;
	unsigned long site;
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	rec->id = id;
	rec->start_ns = ktime_get_ns();
	rec->end_ns = 0;
	rec->start = start;
	rec->end = end;
	rec->cb = cb;
	rec->event = event;
	rec->nr_stack = stack_trace_save(rec->stack, TLBSAN_STACK_DEPTH, 0);

	/*
	 * The core may still deliver a call that was in flight when ->release
	 * ran (the OOM reaper racing exit_mmap): harmless, the device has
	 * flushed everything and will not fill again.  Counted only.
	 */
	if (dev->released)
		tlbsan_dev_inc(dev, TLBSAN_DEV_AFTER_RELEASE);
	if (tlbsan_range_is_fullmm(start, end))
		report_call(dev, TLBSAN_CLASS_WHOLE_MM, rec,
			    "whole-mm flush passed as the empty range [~0, ~0)");
	else if (tlbsan_range_is_anomalous(start, end))
		report_call(dev, TLBSAN_CLASS_PROTOCOL, rec, "zero-length or inverted range");

	if (cb == TLBSAN_CB_INVALIDATE_RANGE_START) {
		if (dev->nr_open < TLBSAN_OPEN_MAX) {
			o = &dev->open[dev->nr_open++];
			memset(o, 0, sizeof(*o));
			o->id = id;
			o->start = start;
			o->end = end;
			o->event = event;
		} else {
			dev->open_overflow = true;
		}
		m.set = TLBSAN_CHK_STARTED;
		m.clear = TLBSAN_CHK_ENDED;
		tlbsan_tlb_visit(&dev->tlb, start, end, mark_fn, &m);
		return id;
	}

	/*
	 * Secondary call.  Redundant when a bracket in progress already had
	 * a secondary call covering this range and nothing was filled since:
	 * there cannot be anything left to flush (the 2017 thread's subject).
	 */
	for (i = 0; i < dev->nr_open; i++) {
		o = &dev->open[i];
		if (!tlbsan_range_overlaps(o->start, o->end, start, end - start))
			continue;
		if (!rec->event)
			rec->event = o->event;
		if (o->sec_valid && o->sec_start <= start && end <= o->sec_end &&
		    o->sec_fill_seq == dev->fill_seq)
			redundant = true;
		o->sec_valid = true;
		o->sec_start = start;
		o->sec_end = end;
		o->sec_fill_seq = dev->fill_seq;
	}
	site = site_of(rec->stack, rec->nr_stack);
	for (i = 0; i < dev->nr_sites; i++)
		if (dev->sites[i].ip == site && dev->sites[i].event == rec->event)
			break;
	if (i == dev->nr_sites && i < TLBSAN_SITES) {
		dev->sites[i].ip = site;
		dev->sites[i].event = rec->event;
		dev->nr_sites++;
	}
	if (i < dev->nr_sites) {
		s = &dev->sites[i];
		s->calls++;
		s->redundant += redundant;
	}
	if (redundant) {
		struct tlbsan_report r = {
			.cls = TLBSAN_CLASS_REDUNDANT,
			.thread = U32_MAX,
			.va = start,
			.at_ns = rec->start_ns,
			.detail = "secondary invalidation found nothing left to flush",
			.inv = *rec,
			.site = site,
		};

		report_add(dev, &r);
	}

	/*
	 * The end's own secondary call covers what the bracket changed, but
	 * too late for a repointed PTE (case B): check the bracket's end now,
	 * before the model flushes, and mark what it covers LATE, not
	 * SECONDARY.  Its bracket has this exact range.
	 */
	if (is_late_call(rec)) {
		a.dev = dev;
		a.rec = rec;
		a.late = true;
		a.checked = false;
		for (i = 0; i < dev->nr_open; i++) {
			o = &dev->open[i];
			if (o->start == start && o->end == end && inv_find(dev, o->id)) {
				o->late_checked = true;
				a.rec = inv_find(dev, o->id);
				break;
			}
		}
		tlbsan_tlb_visit(&dev->tlb, start, end, end_fn, &a);
		m.set = TLBSAN_CHK_LATE;
	} else {
		m.set = TLBSAN_CHK_SECONDARY;
	}
	tlbsan_tlb_visit(&dev->tlb, start, end, mark_fn, &m);
	return id;
}

/* invalidate_range_end delivered to the device, before the model acts. */
void tlbsan_check_end(struct tlbsan_dev *dev, int event, unsigned long start,
		      unsigned long end)
{
	struct tlbsan_inv_rec *rec = NULL, tmp;
	struct end_arg a = { .dev = dev };
	bool mismatch = false;
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nr_open; i++) {
		struct tlbsan_open *o = &dev->open[i];

		if (o->event != event)
			continue;
		if (o->start == start && o->end == end) {
			rec = inv_find(dev, o->id);
			a.checked = o->late_checked;
			dev->open[i] = dev->open[--dev->nr_open];
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
		if (mismatch && !dev->open_overflow)
			report_call(dev, TLBSAN_CLASS_PROTOCOL, &tmp,
				    "end range differs from its start");
		rec = &tmp;
	}
	rec->end_ns = ktime_get_ns();
	a.rec = rec;
	a.late = false;
	tlbsan_tlb_visit(&dev->tlb, start, end, end_fn, &a);
}

/*
 * A device access through @e at @va: compare with the CPU page table now.
 * TLB lock held, interrupts off, in a device thread using the mm.  Returns
 * whether a write may go ahead: the CPU still maps the same page (so it is
 * not free) and the access is no violation.
 */
bool tlbsan_check_access(struct tlbsan_dev *dev, struct tlbsan_tlbe *e, unsigned long va,
			 u32 op, u32 thread)
{
	bool write = op != TLBSAN_OP_READ;
	struct tlbsan_cpu_view c;
	struct tlbsan_dev_view d;
	struct tlbsan_report r;
	bool same = false, owed;
	u32 cls;
	u64 pte;

	lockdep_assert_held(&dev->lock);
	cpu_view(dev, va, &c, &pte);
	dev_view(dev, e, va, &d);
	if (tlbsan_oracle_wants_content(&d, &c, write))
		same = pages_equal(d.pfn, c.pfn);
	cls = tlbsan_oracle_access(&d, &c, write, same, &owed);
	if (cls) {
		/* Owed: the translation's last call is the bracket that ended without it. */
		report_init(dev, &r, cls, e, va);
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
		report_add(dev, &r);
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
void tlbsan_check_fill(struct tlbsan_dev *dev, unsigned long va, unsigned long size,
		       u64 since, struct tlbsan_tlbe *e)
{
	unsigned int i;

	/*
	 * A fill inside a bracket in progress is covered by that bracket's
	 * start, which came before it: the device was told an invalidation of
	 * this range is under way (HW-style models keep filling until the
	 * secondary call; the PTE may be cleared before it).
	 */
	for (i = 0; i < dev->nr_open; i++) {
		if (tlbsan_range_overlaps(dev->open[i].start, dev->open[i].end, va, size)) {
			e->chk |= TLBSAN_CHK_STARTED;
			e->inv_id = dev->open[i].id;
		}
	}

	bool secondary = dev->cfg.model == TLBSAN_MODEL_HW || dev->cfg.model == TLBSAN_MODEL_LAZY;
	u8 cb = secondary ? TLBSAN_CB_SECONDARY : TLBSAN_CB_INVALIDATE_RANGE_START;
	u64 id;

	lockdep_assert_held(&dev->lock);
	for (id = max(since + 1, dev->inv_next_id >= TLBSAN_INV_RING ?
			dev->inv_next_id - TLBSAN_INV_RING + 1 : 1);
	     id <= dev->inv_next_id; id++) {
		struct tlbsan_inv_rec *rec = inv_find(dev, id);

		if (rec && rec->cb == cb && tlbsan_range_overlaps(rec->start, rec->end, va, size)) {
			report_call(dev, TLBSAN_CLASS_PROTOCOL, rec,
				    "fill raced an invalidation that covered it");
			return;
		}
	}
}

/* ---- page frees ---- */

static void check_free_dev(struct tlbsan_dev *dev, unsigned long pfn, unsigned long n,
			   unsigned long *stack, unsigned int *nr_stack)
{
	struct tlbsan_dev_view d;
	struct tlbsan_tlbe *e;
	struct tlbsan_report r;
	unsigned long flags, first, va;
	unsigned int i;
	bool owed;

	spin_lock_irqsave(&dev->lock, flags);
	for (i = 0; i < dev->tlb.sets * dev->tlb.ways; i++) {
		e = &dev->tlb.e[i];
		if (!e->valid || e->pfn >= pfn + n || pfn >= e->pfn + tlbe_pages(e))
			continue;
		if (!*nr_stack)
			*nr_stack = stack_trace_save(stack, TLBSAN_STACK_DEPTH, 0);
		first = max(pfn, e->pfn);
		va = e->va + ((first - e->pfn) << PAGE_SHIFT);
		report_init(dev, &r, TLBSAN_CLASS_USE_AFTER_FREE, e, va);
		dev_view(dev, e, va, &d);
		owed = tlbsan_oracle_free_owed(&d);
		r.detail = !tlbsan_notified(e->chk) ?
			   "page freed while the device still caches it (never notified)" :
			   owed ? "page freed while the device caches it (no secondary call)" :
			   "page freed while the device still caches it (notified, not flushed)";
		r.nr_stack = *nr_stack;
		memcpy(r.stack, stack, sizeof(r.stack));
		r.noticed = site_of(stack, *nr_stack);
		r.site = r.noticed;
		/*
		 * Case A names the bracket the page was freed in (or, freed after
		 * it, the one that last covered it): that path owed the call.
		 */
		report_blame(&r, owed, owed ? open_bracket_at(dev, va) : NULL);
		report_add(dev, &r);
		/* Poison: the device must never touch memory that is someone else's now. */
		tlbsan_tlb_drop(&dev->tlb, e);
		tlbsan_dev_inc(dev, TLBSAN_DEV_POISONED);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
}

/* Slow path: some granule of [pfn, pfn + n) is cached by some device. */
static noinline void check_free(unsigned long pfn, unsigned long n)
{
	unsigned long stack[TLBSAN_STACK_DEPTH];
	unsigned int nr_stack = 0;
	struct tlbsan_dev *dev;

	rcu_read_lock();
	list_for_each_entry_rcu(dev, &tlbsan_check_devs, check_node)
		check_free_dev(dev, pfn, n, stack, &nr_stack);
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
			check_free(pfn, n);
			return;
		}
	}
}

static struct tracepoint *tlbsan_tp_page_free;

static void find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "mm_page_free"))
		tlbsan_tp_page_free = tp;
}

int tlbsan_check_init(void)
{
	for_each_kernel_tracepoint(find_tp, NULL);
	if (!tlbsan_tp_page_free) {
		pr_err("tlbsan: no mm_page_free tracepoint: use-after-free detection impossible\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(tlbsan_tp_page_free, tlbsan_page_free, NULL);
}

void tlbsan_check_exit(void)
{
	tracepoint_probe_unregister(tlbsan_tp_page_free, tlbsan_page_free, NULL);
	tracepoint_synchronize_unregister();
}

/* ---- delivery ---- */

static const char *const tlbsan_class_names[__TLBSAN_CLASS_MAX] = TLBSAN_CLASS_NAMES;

static bool warn_on_violation;
module_param(warn_on_violation, bool, 0644);
MODULE_PARM_DESC(warn_on_violation,
		 "WARN() on the first violation of each class, so panic_on_warn stops the box");

/* Multicast reports whose count grew; first of each class also to dmesg. */
void tlbsan_report_fn(struct work_struct *work)
{
	struct tlbsan_dev *dev = container_of(work, struct tlbsan_dev, report_work);
	struct tlbsan_report r;
	unsigned long flags;
	unsigned int i;
	bool warn;

	for (i = 0; ; i++) {
		spin_lock_irqsave(&dev->lock, flags);
		if (i >= dev->nr_reports) {
			spin_unlock_irqrestore(&dev->lock, flags);
			break;
		}
		if (dev->reports[i].count == dev->reports[i].sent) {
			spin_unlock_irqrestore(&dev->lock, flags);
			continue;
		}
		r = dev->reports[i];
		dev->reports[i].sent = r.count;
		warn = (TLBSAN_CLASS_VIOLATIONS & BIT(r.cls)) && !(dev->warned & BIT(r.cls));
		dev->warned |= BIT(r.cls);
		spin_unlock_irqrestore(&dev->lock, flags);

		if (warn && warn_on_violation)
			WARN(1, "tlbsan: pasid %u pid %d (%s): %s at va %#lx, site %pS: %s\n",
			     dev->ctx->pasid, dev->ctx->pid, dev->ctx->comm,
			     tlbsan_class_names[r.cls], r.va, (void *)r.site, r.detail);
		else if (warn)
			pr_warn("tlbsan: pasid %u pid %d (%s): %s at va %#lx, site %pS: %s\n",
				dev->ctx->pasid, dev->ctx->pid, dev->ctx->comm,
				tlbsan_class_names[r.cls], r.va, (void *)r.site, r.detail);
		tlbsan_genl_report(dev->ctx, &r);
	}
}
