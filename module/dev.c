// SPDX-License-Identifier: GPL-2.0
/*
 * The fake device: an ATS/PASID-style device TLB filled by kernel threads
 * that walk the target's page tables without locks (walk.c), page requests
 * resolved through the kernel's fault path, and the invalidation models.
 *
 * Fill protocol (all models): a device thread reads inv_seq under the TLB
 * lock, drops the lock, walks, retakes the lock and installs the
 * translation only if inv_seq is unchanged.  Every invalidation the model
 * applies bumps inv_seq under the same lock, so a fill can never install a
 * translation read before an invalidation that completed (or began, for
 * SW) before the fill committed:
 *
 *   device thread                     invalidation (model applies it)
 *   lock; seq = inv_seq; unlock
 *   walk: reads the old PTE
 *                                     lock; inv_seq++; flush; unlock
 *   lock; inv_seq != seq: retry
 *
 * SW also refuses to start or commit a fill whose translation overlaps a
 * bracket in progress (inv_active, union of ranges), like KVM's
 * mmu_invalidate_retry_gfn().
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mmu_context.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>
#include "compat.h"
#include "dev.h"
#include "model.h"
#include "walk.h"

struct workqueue_struct *tlbsan_wq;
struct workqueue_struct *tlbsan_prq_wq;

/* Bounded retries of a fill that keeps losing races with invalidations. */
#define TLBSAN_FILL_TRIES	64
/* Page requests per access before the device gives up. */
#define TLBSAN_PRI_TRIES	3

const char *tlbsan_dev_check_config(const struct tlbsan_dev_config *cfg)
{
	const char *why;

	if (cfg->model == TLBSAN_MODEL_LAZY && (cfg->model_arg < 1 || cfg->model_arg > 1000000))
		return "lazy model needs a delay of 1 to 1000000 us";
	if (cfg->model == TLBSAN_MODEL_DROP &&
	    (cfg->model_arg < TLBSAN_EVENT_UNMAP || cfg->model_arg > TLBSAN_EVENT_MAX))
		return "drop model needs an mmu_notifier event to drop";
	why = tlbsan_tlb_check_geometry(cfg->entries, cfg->ways);
	if (why)
		return why;
	if (cfg->threads < 1 || cfg->threads > TLBSAN_THREADS_MAX)
		return "device threads must be between 1 and " __stringify(TLBSAN_THREADS_MAX);
	if (cfg->pde_entries > 4096 || (cfg->pde_entries & (cfg->pde_entries - 1)))
		return "PDE cache entries must be 0 or a power of two up to 4096";
	return NULL;
}

static void tlbsan_lazy_fn(struct work_struct *work);

/*
 * Before the context's notifiers are registered: from then on callbacks
 * may come, and find the TLB lock, the (empty) TLB and the checker ready.
 */
int tlbsan_dev_init(struct tlbsan_dev *dev, const struct tlbsan_dev_config *cfg,
		    struct mm_struct *mm, const struct tlbsan_ident *who)
{
	struct tlbsan_checker_setup cs = {
		.lock = &dev->lock, .tlb = &dev->tlb, .mm = mm, .model = cfg->model,
		.released = &dev->released, .stat = dev->stat, .who = who, .wq = tlbsan_wq,
	};
	int ret;

	dev->cfg = *cfg;
	dev->mm = mm;
	raw_spin_lock_init(&dev->lock);
	spin_lock_init(&dev->job_lock);
	init_waitqueue_head(&dev->wq);
	INIT_DELAYED_WORK(&dev->lazy_work, tlbsan_lazy_fn);
	ret = tlbsan_check_init(&dev->check, &cs);
	dev->tlb_mem = kvcalloc(cfg->entries, sizeof(*dev->tlb_mem), GFP_KERNEL);
	if (cfg->pde_entries)
		dev->pde_mem = kvcalloc(cfg->pde_entries, sizeof(*dev->pde_mem), GFP_KERNEL);
	dev->threads = kcalloc(cfg->threads, sizeof(*dev->threads), GFP_KERNEL);
	if (ret || !dev->tlb_mem || (cfg->pde_entries && !dev->pde_mem) || !dev->threads) {
		tlbsan_dev_free(dev);
		return -ENOMEM;
	}
	tlbsan_tlb_init(&dev->tlb, dev->tlb_mem, cfg->entries, cfg->ways);
	dev->tlb.evict = tlbsan_pfnwatch_untrack;
	tlbsan_pde_init(&dev->pde, dev->pde_mem, cfg->pde_entries);
	return 0;
}

/*
 * Called once no notifier callback can run any more (or before any could):
 * a callback that ran after tlbsan_dev_stop() may have re-armed the LAZY
 * work, so cancel it here, where nothing can re-arm it.
 */
void tlbsan_dev_free(struct tlbsan_dev *dev)
{
	unsigned long flags;

	tlbsan_check_unwatch(&dev->check);
	cancel_delayed_work_sync(&dev->lazy_work);
	/* Deliver what the checker found last, then forget the cached pfns. */
	tlbsan_reports_flush(&dev->check.reports);
	if (dev->tlb_mem) {
		raw_spin_lock_irqsave(&dev->lock, flags);
		tlbsan_tlb_flush_all(&dev->tlb);
		raw_spin_unlock_irqrestore(&dev->lock, flags);
	}
	tlbsan_check_free(&dev->check);
	kvfree(dev->tlb_mem);
	kvfree(dev->pde_mem);
	kfree(dev->threads);
	dev->tlb_mem = NULL;
	dev->pde_mem = NULL;
	dev->threads = NULL;
}

/* ---- Invalidations (notifier callbacks; must not sleep) ---- */

/* Apply an invalidation of [start, end) to the TLB and PDE cache. */
static void dev_invalidate(struct tlbsan_dev *dev, unsigned long start, unsigned long end)
{
	unsigned int n, p;

	lockdep_assert_held(&dev->lock);
	dev->inv_seq++;
	n = tlbsan_tlb_invalidate(&dev->tlb, start, end);
	p = tlbsan_pde_invalidate(&dev->pde, start, end);
	tlbsan_dev_inc(dev, TLBSAN_DEV_INVALIDATIONS);
	if (tlbsan_range_is_all(start, end))
		tlbsan_dev_inc(dev, TLBSAN_DEV_FLUSH_ALL);
	atomic64_add(n, &dev->stat[TLBSAN_DEV_ENTRIES_FLUSHED]);
	atomic64_add(p, &dev->stat[TLBSAN_DEV_PDE_FLUSHED]);
	if (!n && !p)
		tlbsan_dev_inc(dev, TLBSAN_DEV_EMPTY_INVALIDATIONS);
}

/* Does this model treat the brackets of @event like SW does? */
static bool dev_sw_brackets(const struct tlbsan_dev *dev, int event)
{
	return dev->cfg.model == TLBSAN_MODEL_SW ||
	       (dev->cfg.model == TLBSAN_MODEL_DROP && event != dev->cfg.model_arg);
}

static void dev_note_range(struct tlbsan_dev *dev, atomic64_t *hist,
			   unsigned long start, unsigned long end)
{
	atomic64_inc(&hist[tlbsan_range_bucket(start, end)]);
	if (tlbsan_range_is_anomalous(start, end))
		tlbsan_dev_inc(dev, TLBSAN_DEV_RANGE_ANOMALIES);
}

/* Is @event's bracket delivered to the device at all?  DROP withholds one. */
static bool dev_delivered(const struct tlbsan_dev *dev, int event)
{
	return dev->cfg.model != TLBSAN_MODEL_DROP || event != dev->cfg.model_arg;
}

void tlbsan_dev_range_start(struct tlbsan_dev *dev, int event,
			    unsigned long start, unsigned long end)
{
	unsigned long flags;

	dev_note_range(dev, dev->hist_start, start, end);
	if (!dev_delivered(dev, event))
		return;
	raw_spin_lock_irqsave(&dev->lock, flags);
	tlbsan_check_call(&dev->check, TLBSAN_CB_INVALIDATE_RANGE_START, event, start, end);
	if (!dev_sw_brackets(dev, event)) {
		raw_spin_unlock_irqrestore(&dev->lock, flags);
		return;
	}
	if (!dev->inv_active++) {
		dev->inv_start = start;
		dev->inv_end = end;
	} else {
		dev->inv_start = min(dev->inv_start, start);
		dev->inv_end = max(dev->inv_end, end);
	}
	dev_invalidate(dev, start, end);
	raw_spin_unlock_irqrestore(&dev->lock, flags);
}

void tlbsan_dev_range_end(struct tlbsan_dev *dev, int event,
			  unsigned long start, unsigned long end)
{
	unsigned long flags;

	if (!dev_delivered(dev, event))
		return;
	raw_spin_lock_irqsave(&dev->lock, flags);
	/* The checker looks before the model acts. */
	tlbsan_check_end(&dev->check, event, start, end);
	if (dev_sw_brackets(dev, event)) {
		/*
		 * Pairs with the check in dev_sw_blocks(): fills may resume.
		 * A start that came before the attach has no count to drop.
		 */
		if (dev->inv_active)
			dev->inv_active--;
		dev->inv_seq++;
	} else if (dev->cfg.model == TLBSAN_MODEL_END_ONLY) {
		dev_invalidate(dev, start, end);
	}
	raw_spin_unlock_irqrestore(&dev->lock, flags);
}

void tlbsan_dev_secondary(struct tlbsan_dev *dev, unsigned long start, unsigned long end)
{
	unsigned long flags;

	dev_note_range(dev, dev->hist_secondary, start, end);
	raw_spin_lock_irqsave(&dev->lock, flags);
	/* KVM-style models (SW, END_ONLY, DROP) do not take this callback. */
	if (tlbsan_model_takes_secondary(dev->cfg.model))
		tlbsan_check_call(&dev->check, TLBSAN_CB_SECONDARY, 0, start, end);
	if (dev->cfg.model == TLBSAN_MODEL_HW) {
		dev_invalidate(dev, start, end);
	} else if (dev->cfg.model == TLBSAN_MODEL_LAZY) {
		if (dev->lazy_n < TLBSAN_LAZY_SLOTS) {
			dev->lazy_start[dev->lazy_n] = start;
			dev->lazy_end[dev->lazy_n++] = end;
		} else {
			dev->lazy_all = true;
		}
		tlbsan_dev_inc(dev, TLBSAN_DEV_DEFERRED);
		queue_delayed_work(tlbsan_wq, &dev->lazy_work,
				   usecs_to_jiffies(dev->cfg.model_arg));
	}
	raw_spin_unlock_irqrestore(&dev->lock, flags);
}

/* LAZY: the deferred flushes, applied late from a worker. */
static void tlbsan_lazy_fn(struct work_struct *work)
{
	struct tlbsan_dev *dev = container_of(to_delayed_work(work), struct tlbsan_dev,
					      lazy_work);
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&dev->lock, flags);
	if (dev->lazy_all)
		dev_invalidate(dev, 0, ULONG_MAX);
	else
		for (i = 0; i < dev->lazy_n; i++)
			dev_invalidate(dev, dev->lazy_start[i], dev->lazy_end[i]);
	dev->lazy_n = 0;
	dev->lazy_all = false;
	raw_spin_unlock_irqrestore(&dev->lock, flags);
}

/* ->release: the device stops; every model but NONE drops its TLB. */
void tlbsan_dev_release(struct tlbsan_dev *dev)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&dev->lock, flags);
	WRITE_ONCE(dev->released, true);
	if (dev->cfg.model != TLBSAN_MODEL_NONE)
		dev_invalidate(dev, 0, ULONG_MAX);
	raw_spin_unlock_irqrestore(&dev->lock, flags);
}

/* ---- Device side (device threads; never in a notifier callback) ---- */

/* SW: may a translation of [va, va + size) be filled now? */
static bool dev_sw_blocks(const struct tlbsan_dev *dev, unsigned long va, unsigned long size)
{
	return dev->inv_active && tlbsan_range_overlaps(dev->inv_start, dev->inv_end, va, size);
}

/*
 * Perform @j through entry @e.  TLB lock held, interrupts off, from a
 * thread using the mm.  The checker compares the translation with the CPU
 * page table first; a write goes ahead only if it vouches for the page:
 * while this CPU keeps interrupts off, a page it finds mapped cannot be
 * freed (its free waits for the TLB flush IPI to this CPU).
 */
static u32 dev_do_access(struct tlbsan_devthread *t, struct tlbsan_tlbe *e,
			 struct tlbsan_job *j)
{
	struct tlbsan_dev *dev = t->dev;
	bool vouched;
	unsigned long pfn = e->pfn + ((j->va - e->va) >> PAGE_SHIFT);
	void *kaddr = pfn_to_kaddr(pfn) + offset_in_page(j->va);
	u64 v = 0;

	j->pfn = pfn;
	j->size_class = e->size;
	j->perm = e->perm;
	vouched = tlbsan_check_access(&dev->check, e, j->va, j->op, t->idx);
	if (j->op == TLBSAN_OP_READ) {
		/* Through a stale entry the page may be free or unmapped. */
		if (copy_from_kernel_nofault(&v, kaddr, j->size)) {
			tlbsan_dev_inc(dev, TLBSAN_DEV_ACCESS_FAULTS);
			return TLBSAN_ACCESS_FAULT;
		}
		j->result = v;
		tlbsan_dev_inc(dev, TLBSAN_DEV_READS);
		return TLBSAN_ACCESS_OK;
	}
	if (!vouched) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_WRITES_SUPPRESSED);
		return TLBSAN_ACCESS_SUPPRESSED;
	}
	/*
	 * A store must not fault here (TLB lock, interrupts off).  The page is
	 * mapped by the CPU and cannot be freed (above), so it cannot leave
	 * the direct map between this probe and the store.
	 */
	if (copy_from_kernel_nofault(&v, kaddr, j->size)) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_ACCESS_FAULTS);
		return TLBSAN_ACCESS_FAULT;
	}
	if (j->op == TLBSAN_OP_CAS) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_CAS);
		if (j->size == 8)
			j->result = cmpxchg((u64 *)kaddr, j->expect, j->value);
		else
			j->result = cmpxchg((u32 *)kaddr, (u32)j->expect, (u32)j->value);
		return j->result == j->expect ? TLBSAN_ACCESS_OK : TLBSAN_ACCESS_CAS_FAILED;
	}
	switch (j->size) {
	case 1:
		WRITE_ONCE(*(u8 *)kaddr, (u8)j->value);
		break;
	case 2:
		WRITE_ONCE(*(u16 *)kaddr, (u16)j->value);
		break;
	case 4:
		WRITE_ONCE(*(u32 *)kaddr, (u32)j->value);
		break;
	default:
		WRITE_ONCE(*(u64 *)kaddr, j->value);
		break;
	}
	tlbsan_dev_inc(dev, TLBSAN_DEV_WRITES);
	return TLBSAN_ACCESS_OK;
}

/* What a TLB miss saw under the lock, for the fill that follows its walk. */
struct dev_miss {
	u64 seq;		/* dev->inv_seq then: any invalidation since voids the fill */
	u64 since;		/* first invalidation record the fill must be checked against */
	unsigned long table;	/* PDE-cache hit: the PTE table to read, else 0 */
	bool blocked;		/* SW: a bracket covering the page is open */
};

/*
 * Under dev->lock: on a usable hit, access and return true with *status
 * set; on a miss, record in @m what the fill will need and return false.
 */
static bool dev_lookup(struct tlbsan_devthread *t, struct tlbsan_job *j, bool write,
		       struct dev_miss *m, u32 *status)
{
	struct tlbsan_dev *dev = t->dev;
	struct tlbsan_tlbe *e;
	struct tlbsan_pdee *pde;

	lockdep_assert_held(&dev->lock);
	e = tlbsan_tlb_lookup(&dev->tlb, j->va);
	if (e && (!write || (e->perm & TLBSAN_PERM_WRITE))) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_HITS);
		*status = dev_do_access(t, e, j);
		return true;
	}
	m->seq = dev->inv_seq;
	m->since = dev->check.inv_next_id;
	m->blocked = dev_sw_blocks(dev, j->va & PAGE_MASK, PAGE_SIZE);
	pde = tlbsan_pde_lookup(&dev->pde, j->va);
	m->table = pde ? pde->table_pfn : 0;
	return false;
}

/* IRQs off, no lock held: walk the CPU page tables for a miss. */
static enum tlbsan_walk dev_walk(struct tlbsan_dev *dev, unsigned long va, bool write,
				 unsigned long table, struct tlbsan_xlat *x)
{
	struct tlbsan_xlat live;
	enum tlbsan_walk r;

	tlbsan_dev_inc(dev, TLBSAN_DEV_MISSES);
	r = tlbsan_walk(dev->mm, va, table, x);
	if (table) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_PDE_HITS);
		if (tlbsan_walk(dev->mm, va, 0, &live) == TLBSAN_WALK_UNSTABLE ||
		    live.table_pfn != table)
			tlbsan_dev_inc(dev, TLBSAN_DEV_PDE_STALE);
	}
	if (r == TLBSAN_WALK_OK && write && !(x->perm & TLBSAN_PERM_WRITE))
		r = TLBSAN_WALK_NOPERM;
	return r;
}

/*
 * Under dev->lock: cache what the walk found and access through it; or,
 * when an invalidation (or, under SW, a bracket) raced the walk, return
 * false: the walk may have read entries the invalidation already dropped.
 */
static bool dev_fill_access(struct tlbsan_devthread *t, struct tlbsan_job *j,
			    const struct dev_miss *m, const struct tlbsan_xlat *x, u32 *status)
{
	struct tlbsan_dev *dev = t->dev;
	unsigned long bytes = 1UL << tlbsan_size_shift(x->size);
	struct tlbsan_fill f;
	struct tlbsan_tlbe *e;

	lockdep_assert_held(&dev->lock);
	if (dev->inv_seq != m->seq || dev_sw_blocks(dev, j->va & ~(bytes - 1), bytes)) {
		tlbsan_dev_inc(dev, TLBSAN_DEV_FILL_RETRIES);
		return false;
	}
	f.va = j->va;
	f.pfn = x->pfn;
	f.size = x->size;
	f.perm = x->perm;
	f.thread = t->idx;
	f.fill_ns = ktime_get_ns();
	f.fill_seq = ++dev->fill_seq;
	e = tlbsan_tlb_fill(&dev->tlb, &f);
	tlbsan_pfnwatch_track(e);
	tlbsan_check_fill(&dev->check, e->va, tlbsan_tlbe_bytes(e), m->since, e);
	tlbsan_dev_inc(dev, TLBSAN_DEV_FILLS);
	if (x->table_pfn && !m->table) {
		tlbsan_pde_fill(&dev->pde, j->va, x->table_pfn);
		if (dev->pde.entries)
			tlbsan_dev_inc(dev, TLBSAN_DEV_PDE_FILLS);
	}
	*status = dev_do_access(t, e, j);
	return true;
}

/*
 * Translate and access, with the target mm in use: look up, walk on a
 * miss with interrupts off (which keeps the walked tables allocated, see
 * walk.c), then fill unless an invalidation raced the walk.  Returns the
 * access status; *need_pri when the walk found no usable translation.
 */
static u32 dev_translate_access(struct tlbsan_devthread *t, struct tlbsan_job *j, bool *need_pri)
{
	struct tlbsan_dev *dev = t->dev;
	bool write = j->op != TLBSAN_OP_READ;
	unsigned int tries = 0;
	struct tlbsan_xlat x;
	struct dev_miss m;
	unsigned long flags;
	enum tlbsan_walk r;
	bool done;
	u32 status;

	while (tries < TLBSAN_FILL_TRIES) {
		local_irq_save(flags);
		raw_spin_lock(&dev->lock);
		done = dev_lookup(t, j, write, &m, &status);
		raw_spin_unlock(&dev->lock);
		if (done)
			goto out;
		if (m.blocked) {
			/* SW: wait for the bracket to end, as a KVM vCPU retries. */
			local_irq_restore(flags);
			if (READ_ONCE(dev->released) || kthread_should_stop())
				return TLBSAN_ACCESS_DEAD;
			usleep_range(10, 50);
			continue;
		}
		tries++;
		r = dev_walk(dev, j->va, write, m.table, &x);
		j->walk = r;
		if (r != TLBSAN_WALK_OK) {
			local_irq_restore(flags);
			atomic64_inc(&dev->walk_fail[r]);
			if (r == TLBSAN_WALK_UNSTABLE)
				continue;
			/* No fault makes these translatable: no page request. */
			*need_pri = r != TLBSAN_WALK_SPECIAL && r != TLBSAN_WALK_NODIRECT;
			return TLBSAN_ACCESS_FAULT;
		}
		raw_spin_lock(&dev->lock);
		done = dev_fill_access(t, j, &m, &x, &status);
		raw_spin_unlock(&dev->lock);
		if (done)
			goto out;
		local_irq_restore(flags);
	}
	j->walk = TLBSAN_WALK_RETRY;
	atomic64_inc(&dev->walk_fail[TLBSAN_WALK_RETRY]);
	return TLBSAN_ACCESS_FAULT;
out:
	local_irq_restore(flags);
	return status;
}

/* A page request (PRI), resolved by a worker through the kernel's fault path. */
struct tlbsan_prq {
	struct work_struct work;
	struct mm_struct *mm;
	unsigned long va;
	bool write;
	int ret;
	struct completion done;
};

static void tlbsan_prq_fn(struct work_struct *work)
{
	struct tlbsan_prq *prq = container_of(work, struct tlbsan_prq, work);

	struct vm_area_struct *vma;
	bool unlocked = false;

	prq->ret = -ESRCH;
	if (mmget_not_zero(prq->mm)) {
		/*
		 * With @unlocked the fault may drop mmap_lock around I/O and
		 * retry (FAULT_FLAG_ALLOW_RETRY): a slow fault does not hold
		 * off the target's own mmap writers meanwhile.  Not under
		 * userfaultfd: there that flag makes the fault wait for the
		 * monitor, which a worker cannot be killed out of; without it
		 * the fault fails at once, as an IOMMU's page request does.
		 */
		mmap_read_lock(prq->mm);
		vma = vma_lookup(prq->mm, prq->va);
		prq->ret = fixup_user_fault(prq->mm, prq->va, prq->write ? FAULT_FLAG_WRITE : 0,
					    vma && !userfaultfd_armed(vma) ? &unlocked : NULL);
		mmap_read_unlock(prq->mm);
		mmput(prq->mm);
	}
	complete(&prq->done);
}

static int dev_page_request(struct tlbsan_dev *dev, struct mm_struct *mm,
			    unsigned long va, bool write)
{
	struct tlbsan_prq prq = { .mm = mm, .va = va, .write = write };

	tlbsan_dev_inc(dev, TLBSAN_DEV_PAGE_REQUESTS);
	init_completion(&prq.done);
	INIT_WORK_ONSTACK(&prq.work, tlbsan_prq_fn);
	/* Its own queue: teardown work never waits behind a slow fault. */
	queue_work(tlbsan_prq_wq, &prq.work);
	wait_for_completion(&prq.done);
	destroy_work_on_stack(&prq.work);
	if (prq.ret)
		tlbsan_dev_inc(dev, TLBSAN_DEV_PAGE_REQUESTS_FAILED);
	return prq.ret;
}

/* One device access: translate (page requests as configured), then access. */
static void dev_run_access(struct tlbsan_devthread *t, struct tlbsan_job *j, bool pri)
{
	struct tlbsan_dev *dev = t->dev;
	struct mm_struct *mm = t->dev->mm;
	unsigned int attempt;
	bool need_pri;

	for (attempt = 0; ; attempt++) {
		if (READ_ONCE(dev->released) || !mmget_not_zero(mm)) {
			j->status = TLBSAN_ACCESS_DEAD;
			return;
		}
		kthread_use_mm(mm);
		need_pri = false;
		j->status = dev_translate_access(t, j, &need_pri);
		kthread_unuse_mm(mm);
		/* Never run exit_mmap() from a device thread. */
		mmput_async(mm);
		if (j->status == TLBSAN_ACCESS_FAULT && need_pri)
			tlbsan_dev_inc(dev, TLBSAN_DEV_ACCESS_FAULTS);
		if (!need_pri || !pri || attempt == TLBSAN_PRI_TRIES)
			return;
		if (dev_page_request(dev, mm, j->va, j->op != TLBSAN_OP_READ))
			return;
	}
}

static inline u32 dev_rand(struct tlbsan_devthread *t)
{
	/* xorshift32: cheap, per thread, seeded at start */
	t->rnd ^= t->rnd << 13;
	t->rnd ^= t->rnd >> 17;
	t->rnd ^= t->rnd << 5;
	return t->rnd;
}

/* Pick a random page of a random ordinary VMA of @mm, or 0. */
static unsigned long dev_pick_va(struct tlbsan_devthread *t, struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	unsigned long va = 0, n = 0, k;

	if (!mmap_read_trylock(mm))
		return 0;
	{
		VMA_ITERATOR(vmi, mm, 0);

		for_each_vma(vmi, vma)
			n += !(vma->vm_flags & (VM_IO | VM_PFNMAP));
	}
	if (n) {
		VMA_ITERATOR(vmi, mm, 0);

		k = dev_rand(t) % n;
		for_each_vma(vmi, vma) {
			if (vma->vm_flags & (VM_IO | VM_PFNMAP))
				continue;
			if (!k--) {
				va = vma->vm_start + ((dev_rand(t) % vma_pages(vma)) << PAGE_SHIFT);
				break;
			}
		}
	}
	mmap_read_unlock(mm);
	return va;
}

/* Sampling: read one resident page of the target; no page requests. */
static void dev_sample(struct tlbsan_devthread *t)
{
	struct mm_struct *mm = t->dev->mm;
	struct tlbsan_job j = { .op = TLBSAN_OP_READ, .size = 8 };

	if (!mmget_not_zero(mm))
		return;
	j.va = dev_pick_va(t, mm);
	mmput_async(mm);
	if (!j.va)
		return;
	tlbsan_dev_inc(t->dev, TLBSAN_DEV_SAMPLES);
	dev_run_access(t, &j, false);
}

/*
 * One pass over this thread's streams: one access per stream, taking the
 * first and moving it to the tail, so a pass is linear in the streams.
 */
static bool dev_run_streams(struct tlbsan_devthread *t)
{
	struct tlbsan_dev *dev = t->dev;
	struct tlbsan_stream *s;
	struct tlbsan_job j;
	unsigned int i, n;
	bool any = false;

	spin_lock(&dev->job_lock);
	n = t->nr_streams;
	spin_unlock(&dev->job_lock);
	for (i = 0; i < n; i++) {
		memset(&j, 0, sizeof(j));
		spin_lock(&dev->job_lock);
		s = list_first_entry_or_null(&t->streams, struct tlbsan_stream, node);
		if (s) {
			j.op = s->op;
			j.size = 8;
			j.va = s->va + s->cursor;
			j.value = s->value;
			s->cursor += PAGE_SIZE;
			if (s->cursor >= s->len)
				s->cursor = 0;
			list_move_tail(&s->node, &t->streams);
		}
		spin_unlock(&dev->job_lock);
		if (!s)
			break;
		any = true;
		dev_run_access(t, &j, dev->cfg.pri);
		cond_resched();
	}
	return any;
}

static struct tlbsan_job *dev_pop_job(struct tlbsan_devthread *t)
{
	struct tlbsan_dev *dev = t->dev;
	struct tlbsan_job *j;

	spin_lock(&dev->job_lock);
	j = list_first_entry_or_null(&t->jobs, struct tlbsan_job, node);
	if (j)
		list_del_init(&j->node);
	spin_unlock(&dev->job_lock);
	return j;
}

static bool dev_has_work(struct tlbsan_devthread *t)
{
	struct tlbsan_dev *dev = t->dev;
	bool work;

	spin_lock(&dev->job_lock);
	work = !list_empty(&t->jobs) || (!list_empty(&t->streams) && !READ_ONCE(dev->released));
	spin_unlock(&dev->job_lock);
	return work;
}

static int tlbsan_devthread_fn(void *arg)
{
	struct tlbsan_devthread *t = arg;
	struct tlbsan_dev *dev = t->dev;
	struct tlbsan_job *j;
	bool busy;

	while (!kthread_should_stop()) {
		j = dev_pop_job(t);
		if (j) {
			dev_run_access(t, j, dev->cfg.pri);
			complete(&j->done);
			continue;
		}
		busy = false;
		if (!READ_ONCE(dev->released)) {
			busy = dev_run_streams(t);
			if (dev->cfg.pattern == TLBSAN_PATTERN_SAMPLE) {
				dev_sample(t);
				usleep_range(500, 1000);
				continue;
			}
		}
		if (busy) {
			usleep_range(50, 100);
			continue;
		}
		wait_event_interruptible(dev->wq, kthread_should_stop() || dev_has_work(t));
	}
	return 0;
}

/* Start the device threads, named after the context: tlbsan/<pasid>:<n>. */
int tlbsan_dev_start(struct tlbsan_dev *dev, u32 pasid)
{
	struct task_struct *task;
	unsigned int i;

	tlbsan_check_watch(&dev->check);

	for (i = 0; i < dev->cfg.threads; i++) {
		struct tlbsan_devthread *t = &dev->threads[i];

		t->dev = dev;
		t->idx = i;
		t->rnd = get_random_u32() | 1;
		INIT_LIST_HEAD(&t->jobs);
		INIT_LIST_HEAD(&t->streams);
		task = kthread_run(tlbsan_devthread_fn, t, "tlbsan/%u:%u", pasid, i);
		if (IS_ERR(task)) {
			tlbsan_dev_stop(dev);
			return PTR_ERR(task);
		}
		t->task = task;
	}
	return 0;
}

/*
 * Stop the threads and deferred work.  Jobs queued to a thread that never
 * ran or already stopped are completed here as DEAD.
 */
void tlbsan_dev_stop(struct tlbsan_dev *dev)
{
	struct tlbsan_stream *s, *tmp;
	struct tlbsan_job *j;
	unsigned int i;

	spin_lock(&dev->job_lock);
	dev->stopping = true;
	spin_unlock(&dev->job_lock);
	for (i = 0; i < dev->cfg.threads; i++) {
		struct tlbsan_devthread *t = &dev->threads[i];

		if (!t->task)
			continue;
		kthread_stop(t->task);
		t->task = NULL;
		while ((j = dev_pop_job(t))) {
			j->status = TLBSAN_ACCESS_DEAD;
			complete(&j->done);
		}
		list_for_each_entry_safe(s, tmp, &t->streams, node) {
			list_del(&s->node);
			kfree(s);
		}
		t->nr_streams = 0;
	}
	cancel_delayed_work_sync(&dev->lazy_work);
}

int tlbsan_dev_submit(struct tlbsan_dev *dev, unsigned int thread, struct tlbsan_job *job)
{
	init_completion(&job->done);
	spin_lock(&dev->job_lock);
	if (dev->stopping || !dev->threads[thread].task) {
		spin_unlock(&dev->job_lock);
		return -ESHUTDOWN;
	}
	list_add_tail(&job->node, &dev->threads[thread].jobs);
	spin_unlock(&dev->job_lock);
	wake_up(&dev->wq);
	return 0;
}

int tlbsan_dev_add_stream(struct tlbsan_dev *dev, unsigned int thread,
			  struct tlbsan_stream *stream)
{
	spin_lock(&dev->job_lock);
	if (dev->stopping || !dev->threads[thread].task) {
		spin_unlock(&dev->job_lock);
		return -ESHUTDOWN;
	}
	if (dev->threads[thread].nr_streams == TLBSAN_STREAMS_MAX) {
		spin_unlock(&dev->job_lock);
		return -ENOSPC;
	}
	dev->threads[thread].nr_streams++;
	list_add_tail(&stream->node, &dev->threads[thread].streams);
	spin_unlock(&dev->job_lock);
	wake_up(&dev->wq);
	return 0;
}

void tlbsan_dev_clear_streams(struct tlbsan_dev *dev)
{
	struct tlbsan_stream *s, *tmp;
	LIST_HEAD(gone);
	unsigned int i;

	spin_lock(&dev->job_lock);
	for (i = 0; i < dev->cfg.threads; i++) {
		list_splice_init(&dev->threads[i].streams, &gone);
		dev->threads[i].nr_streams = 0;
	}
	spin_unlock(&dev->job_lock);
	list_for_each_entry_safe(s, tmp, &gone, node)
		kfree(s);
}
