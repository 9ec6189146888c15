/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlbsan generic netlink ABI, shared by the module and the tools.
 *
 * Conventions: every enum reserves 0 (UNSPEC) so that an uninitialised
 * field is never a valid value; attributes are marked (in) when userspace
 * sends them and (out) when only the kernel does.  Numbers are stable:
 * new values are only ever appended.  Each attribute's type and what the
 * module accepts in it are in uapi/tlbsan_policy.h.
 */
#ifndef _UAPI_LINUX_TLBSAN_H
#define _UAPI_LINUX_TLBSAN_H

#define TLBSAN_FAMILY_NAME	"tlbsan"
#define TLBSAN_FAMILY_VERSION	1

/* Device threads per context (ATTACH THREADS: 1 to this; THREAD below it). */
#define TLBSAN_THREADS_MAX	16

enum tlbsan_cmd {
	TLBSAN_CMD_UNSPEC,
	/* admin; (in) PID -> (out) PID, PASID */
	TLBSAN_CMD_ATTACH,
	/* admin; (in) PID */
	TLBSAN_CMD_DETACH,
	/* (in) PID -> one context; as a dump request: every context */
	TLBSAN_CMD_STATS,
	/* admin; (in) PID, OP, VA, SIZE, VALUE, EXPECT, THREAD -> VALUE, STATUS, ... */
	TLBSAN_CMD_ACCESS,
	/* admin; (in) PID, OP, VA, LEN, VALUE, THREAD: a repeated access stream */
	TLBSAN_CMD_BUF_ADD,
	/* admin; (in) PID: drop every access stream of the context */
	TLBSAN_CMD_BUF_CLEAR,
	/* dump only; (in) PID -> one message per TLBE or PDE entry */
	TLBSAN_CMD_TLB_DUMP,
	/*
	 * A violation report: multicast on TLBSAN_MCGRP_REPORTS as it is
	 * found (again whenever its fold count grows); as a dump request
	 * with (in) PID, or without for every context, the stored reports.
	 */
	TLBSAN_CMD_REPORT,
	/* dump only; (in) PID -> one message per notifier call site */
	TLBSAN_CMD_SITES,
	/*
	 * Multicast on TLBSAN_MCGRP_REPORTS when a context is gone for good
	 * (PID, PASID), after its last report was sent.
	 */
	TLBSAN_CMD_GONE,
	/*
	 * dump only: notifier call sites seen on the whole machine since the
	 * module was loaded with coverage=1; CB, SITE, COUNT per message.
	 */
	TLBSAN_CMD_COVERAGE,

	__TLBSAN_CMD_MAX,
};

#define TLBSAN_CMD_MAX (__TLBSAN_CMD_MAX - 1)

enum tlbsan_attr {
	TLBSAN_ATTR_UNSPEC,
	TLBSAN_ATTR_PAD,
	TLBSAN_ATTR_PID,		/* u32 (in/out): a task of the target mm */
	TLBSAN_ATTR_PASID,		/* u32 (out): device context id */
	TLBSAN_ATTR_COMM,		/* string (out): comm of the attached task */
	TLBSAN_ATTR_CALLBACKS,		/* nest (out): u64 per enum tlbsan_cb */
	TLBSAN_ATTR_STARTS,		/* nest (out): u64 per enum tlbsan_event */
	TLBSAN_ATTR_ENDS,		/* nest (out): u64 per enum tlbsan_event */
	TLBSAN_ATTR_RELEASED,		/* flag (out): the mm went through ->release */
	/* Device options: (in) at ATTACH, (out) in STATS */
	TLBSAN_ATTR_MODEL,		/* u32: enum tlbsan_model (default HW) */
	TLBSAN_ATTR_MODEL_ARG,		/* u32: LAZY delay in us; DROP enum tlbsan_event */
	TLBSAN_ATTR_TLB_ENTRIES,	/* u32: default 512 */
	TLBSAN_ATTR_TLB_WAYS,		/* u32: default 8 */
	TLBSAN_ATTR_THREADS,		/* u32: device threads, default 2 */
	TLBSAN_ATTR_PATTERN,		/* u32: enum tlbsan_pattern (default SAMPLE) */
	TLBSAN_ATTR_PRI,		/* u8: page requests on (default 1) */
	TLBSAN_ATTR_PDE_ENTRIES,	/* u32: paging-structure cache size, 0 = off */
	/* Device accesses */
	TLBSAN_ATTR_OP,			/* u32 (in): enum tlbsan_op */
	TLBSAN_ATTR_VA,			/* u64 (in/out) */
	TLBSAN_ATTR_SIZE,		/* u32 (in): access size, 1, 2, 4 or 8 (default 8) */
	TLBSAN_ATTR_LEN,		/* u64 (in): BUF_ADD length in bytes */
	TLBSAN_ATTR_VALUE,		/* u64 (in/out): value written; value read/old */
	TLBSAN_ATTR_EXPECT,		/* u64 (in): CAS comparand */
	TLBSAN_ATTR_THREAD,		/* u32 (in/out): device thread index (default 0) */
	TLBSAN_ATTR_STATUS,		/* u32 (out): enum tlbsan_access_status */
	TLBSAN_ATTR_PFN,		/* u64 (out): pfn the access went to */
	TLBSAN_ATTR_PAGE_SHIFT,		/* u32 (out): 12, 21 or 30 */
	TLBSAN_ATTR_PERM,		/* u32 (out): TLBSAN_PERM_* */
	TLBSAN_ATTR_WALK,		/* u32 (out): enum tlbsan_walk of the last walk */
	/* Counters */
	TLBSAN_ATTR_DEV,		/* nest (out): u64 per enum tlbsan_dev_stat */
	TLBSAN_ATTR_WALK_FAILS,		/* nest (out): u64 per enum tlbsan_walk */
	TLBSAN_ATTR_HIST_START,		/* nest (out): u64 per range-size bucket + 1 */
	TLBSAN_ATTR_HIST_SECONDARY,	/* nest (out): u64 per range-size bucket + 1 */
	/* TLB_DUMP */
	TLBSAN_ATTR_TLBE,		/* nest (out): one cached translation */
	TLBSAN_ATTR_PDE,		/* nest (out): one PDE-cache entry */
	TLBSAN_ATTR_FILL_NS,		/* u64 (out) */
	TLBSAN_ATTR_FILL_SEQ,		/* u64 (out) */
	TLBSAN_ATTR_TABLE_PFN,		/* u64 (out): PTE table of a PDE entry */
	/* Reports (TLBSAN_CMD_REPORT); PID, PASID, COMM, VA, THREAD, OP, FILL_NS too */
	TLBSAN_ATTR_CLASS,		/* u32: enum tlbsan_class */
	TLBSAN_ATTR_COUNT,		/* u64: reports folded into this one */
	TLBSAN_ATTR_OLD_PFN,		/* u64: pfn the device used */
	TLBSAN_ATTR_NEW_PFN,		/* u64: pfn the CPU maps now (absent: none) */
	TLBSAN_ATTR_PTE,		/* u64: the CPU entry seen (raw) */
	TLBSAN_ATTR_AT_NS,		/* u64: time of the access, free or call */
	TLBSAN_ATTR_INV,		/* nest: the nearest invalidation, below */
	TLBSAN_ATTR_CB,			/* u32: enum tlbsan_cb */
	TLBSAN_ATTR_EVENT,		/* u32: enum tlbsan_event */
	TLBSAN_ATTR_START,		/* u64: range start */
	TLBSAN_ATTR_END,		/* u64: range end (exclusive) */
	TLBSAN_ATTR_START_NS,		/* u64 */
	TLBSAN_ATTR_END_NS,		/* u64: when the bracket ended (absent: open) */
	TLBSAN_ATTR_STACK,		/* nest of strings: symbolized frames */
	TLBSAN_ATTR_FRAME,		/* string: one frame in a STACK */
	TLBSAN_ATTR_SITE,		/* string: call site (first frame outside the core) */
	TLBSAN_ATTR_DETAIL,		/* string: what the checker saw, in words */
	TLBSAN_ATTR_DROPPED,		/* u64: reports lost to a full buffer */
	TLBSAN_ATTR_CLASSES,		/* nest (out, STATS): u64 per enum tlbsan_class */
	TLBSAN_ATTR_CALLS,		/* u64 (SITES): secondary calls from the site */
	TLBSAN_ATTR_REDUNDANT,		/* u64 (SITES): of which found nothing left */
	/* Reports: who is at fault and where it was seen */
	TLBSAN_ATTR_FAULT,		/* u32: enum tlbsan_fault */
	TLBSAN_ATTR_NOTICED,		/* string: where the checker saw it (SITE: the bug) */
	TLBSAN_ATTR_LAST_INV,		/* nest, as INV: the call that last covered it */

	__TLBSAN_ATTR_MAX,
};

#define TLBSAN_ATTR_MAX (__TLBSAN_ATTR_MAX - 1)

/*
 * mmu_notifier callbacks.  A STATS reply carries a counter for each callback
 * the running kernel offers and no others: INVALIDATE_RANGE up to 6.5,
 * ARCH_INVALIDATE_SECONDARY_TLBS from 6.6, CHANGE_PTE up to 6.9.
 */
enum tlbsan_cb {
	TLBSAN_CB_UNSPEC,
	TLBSAN_CB_RELEASE,
	TLBSAN_CB_CLEAR_FLUSH_YOUNG,
	TLBSAN_CB_CLEAR_YOUNG,
	TLBSAN_CB_TEST_YOUNG,
	TLBSAN_CB_CHANGE_PTE,
	TLBSAN_CB_INVALIDATE_RANGE_START,
	TLBSAN_CB_INVALIDATE_RANGE_END,
	TLBSAN_CB_INVALIDATE_RANGE,
	TLBSAN_CB_ARCH_INVALIDATE_SECONDARY_TLBS,
	/* invalidate_range_start calls that were not allowed to block */
	TLBSAN_CB_INVALIDATE_RANGE_START_NONBLOCK,

	__TLBSAN_CB_MAX,
};

#define TLBSAN_CB_MAX (__TLBSAN_CB_MAX - 1)

/* enum mmu_notifier_event, renumbered from 1; OTHER for values unknown here */
enum tlbsan_event {
	TLBSAN_EVENT_UNSPEC,
	TLBSAN_EVENT_UNMAP,
	TLBSAN_EVENT_CLEAR,
	TLBSAN_EVENT_PROTECTION_VMA,
	TLBSAN_EVENT_PROTECTION_PAGE,
	TLBSAN_EVENT_SOFT_DIRTY,
	TLBSAN_EVENT_RELEASE,
	TLBSAN_EVENT_MIGRATE,
	TLBSAN_EVENT_EXCLUSIVE,
	TLBSAN_EVENT_OTHER,

	__TLBSAN_EVENT_MAX,
};

#define TLBSAN_EVENT_MAX (__TLBSAN_EVENT_MAX - 1)

#define TLBSAN_MCGRP_REPORTS	"reports"

/* Violation classes (README: "Violation classes"). */
/*
 * Whose bug a report is.  KERNEL: the notifier call the contract owed the
 * translation never came; SITE and INV name the path (bracket) that should
 * have made it.  DEVICE: the call came and the device model kept using the
 * translation; SITE is where that was seen.
 */
enum tlbsan_fault {
	TLBSAN_FAULT_UNSPEC,
	TLBSAN_FAULT_KERNEL,
	TLBSAN_FAULT_DEVICE,
	__TLBSAN_FAULT_MAX,
};

enum tlbsan_class {
	TLBSAN_CLASS_UNSPEC,
	TLBSAN_CLASS_USE_AFTER_FREE,	/* 1: page freed while a device TLB maps it */
	TLBSAN_CLASS_STALE,		/* 2: translation to a replaced page used */
	TLBSAN_CLASS_MISSED,		/* 3: CPU entry changed, no notification came */
	TLBSAN_CLASS_WP_WRITE,		/* 4: write through a write-protected mapping */
	TLBSAN_CLASS_PROTOCOL,		/* 5: protocol anomaly */
	TLBSAN_CLASS_REDUNDANT,		/* 6: audit: redundant secondary invalidation */
	TLBSAN_CLASS_STALE_BENIGN,	/* 7: as 2, but a same-content read-only replacement */
	TLBSAN_CLASS_WHOLE_MM,		/* 8: audit: whole-mm flush passed as [~0, ~0) */

	__TLBSAN_CLASS_MAX,
};

#define TLBSAN_CLASS_MAX (__TLBSAN_CLASS_MAX - 1)

/* Class names, as reports, the JSON output and --fail-on spell them. */
#define TLBSAN_CLASS_NAMES {						\
	[TLBSAN_CLASS_USE_AFTER_FREE]	= "use-after-free",			\
	[TLBSAN_CLASS_STALE]		= "stale-translation",			\
	[TLBSAN_CLASS_MISSED]		= "missed-notification",		\
	[TLBSAN_CLASS_WP_WRITE]		= "write-through-write-protected",	\
	[TLBSAN_CLASS_PROTOCOL]		= "protocol-anomaly",			\
	[TLBSAN_CLASS_REDUNDANT]	= "redundant-notification",		\
	[TLBSAN_CLASS_STALE_BENIGN]	= "stale-translation-benign",		\
	[TLBSAN_CLASS_WHOLE_MM]		= "whole-mm-range",			\
}

/* The classes that are violations; the others are audit findings. */
#define TLBSAN_CLASS_VIOLATIONS						\
	((1u << TLBSAN_CLASS_USE_AFTER_FREE) | (1u << TLBSAN_CLASS_STALE) |	\
	 (1u << TLBSAN_CLASS_MISSED) | (1u << TLBSAN_CLASS_WP_WRITE) |		\
	 (1u << TLBSAN_CLASS_PROTOCOL))

/*
 * Invalidation models.  HW and SW are correct; the others are broken on
 * purpose, so that the checker can be shown to catch them.
 */
enum tlbsan_model {
	TLBSAN_MODEL_UNSPEC,
	/* SVA style: flush from the secondary TLB callback and ->release */
	TLBSAN_MODEL_HW,
	/* KVM/HMM style: flush at start, no fills inside a bracket, seq retry */
	TLBSAN_MODEL_SW,
	/* flush only at invalidate_range_end */
	TLBSAN_MODEL_END_ONLY,
	/* HW, with each flush deferred MODEL_ARG microseconds to a worker */
	TLBSAN_MODEL_LAZY,
	/* SW, ignoring the brackets of event MODEL_ARG (enum tlbsan_event) */
	TLBSAN_MODEL_DROP,
	/* never flush */
	TLBSAN_MODEL_NONE,

	__TLBSAN_MODEL_MAX,
};

#define TLBSAN_MODEL_MAX (__TLBSAN_MODEL_MAX - 1)

enum tlbsan_pattern {
	TLBSAN_PATTERN_UNSPEC,
	/* only registered access streams (BUF_ADD) and ACCESS requests */
	TLBSAN_PATTERN_BUFFERS,
	/* also sample resident pages of the target's VMAs */
	TLBSAN_PATTERN_SAMPLE,

	__TLBSAN_PATTERN_MAX,
};

#define TLBSAN_PATTERN_MAX (__TLBSAN_PATTERN_MAX - 1)

enum tlbsan_op {
	TLBSAN_OP_UNSPEC,
	TLBSAN_OP_READ,
	TLBSAN_OP_WRITE,
	TLBSAN_OP_CAS,

	__TLBSAN_OP_MAX,
};

#define TLBSAN_OP_MAX (__TLBSAN_OP_MAX - 1)

enum tlbsan_access_status {
	TLBSAN_ACCESS_UNSPEC,
	TLBSAN_ACCESS_OK,
	/* no usable translation (page requests off, or the request failed) */
	TLBSAN_ACCESS_FAULT,
	/* a write the CPU page table did not vouch for was dropped */
	TLBSAN_ACCESS_SUPPRESSED,
	/* CAS found a different value (VALUE holds it) */
	TLBSAN_ACCESS_CAS_FAILED,
	/* the context's mm is gone */
	TLBSAN_ACCESS_DEAD,

	__TLBSAN_ACCESS_MAX,
};

#define TLBSAN_PERM_READ	0x1
#define TLBSAN_PERM_WRITE	0x2

/* Outcome of one walk of the CPU page tables by the device. */
enum tlbsan_walk {
	TLBSAN_WALK_UNSPEC,
	TLBSAN_WALK_OK,
	TLBSAN_WALK_NONE,		/* no entry at some level */
	TLBSAN_WALK_SWAP,		/* swapped out */
	TLBSAN_WALK_MIGRATION,		/* migration entry */
	TLBSAN_WALK_DEVICE,		/* device-private or device-exclusive entry */
	TLBSAN_WALK_PROTNONE,		/* PROT_NONE or NUMA-hinting entry */
	TLBSAN_WALK_NOPERM,		/* write through a read-only or clean entry */
	TLBSAN_WALK_SPECIAL,		/* present, but no normal memory behind it */
	TLBSAN_WALK_UNSTABLE,		/* an upper level changed under the walk */
	TLBSAN_WALK_RETRY,		/* an invalidation raced the fill too often */
	TLBSAN_WALK_NODIRECT,		/* present, but not in the direct map (memfd_secret) */

	__TLBSAN_WALK_MAX,
};

#define TLBSAN_WALK_MAX (__TLBSAN_WALK_MAX - 1)

/* Per-context device counters (STATS, nest TLBSAN_ATTR_DEV). */
enum tlbsan_dev_stat {
	TLBSAN_DEV_UNSPEC,
	TLBSAN_DEV_HITS,
	TLBSAN_DEV_MISSES,
	TLBSAN_DEV_FILLS,
	TLBSAN_DEV_FILL_RETRIES,	/* fills discarded: an invalidation raced them */
	TLBSAN_DEV_READS,
	TLBSAN_DEV_WRITES,
	TLBSAN_DEV_CAS,
	TLBSAN_DEV_ACCESS_FAULTS,
	TLBSAN_DEV_WRITES_SUPPRESSED,
	TLBSAN_DEV_PAGE_REQUESTS,
	TLBSAN_DEV_PAGE_REQUESTS_FAILED,
	TLBSAN_DEV_SAMPLES,
	TLBSAN_DEV_INVALIDATIONS,	/* invalidations the model applied */
	TLBSAN_DEV_FLUSH_ALL,		/* ... of which flush-everything */
	TLBSAN_DEV_ENTRIES_FLUSHED,
	TLBSAN_DEV_EMPTY_INVALIDATIONS,	/* applied, and found nothing to flush */
	TLBSAN_DEV_RANGE_ANOMALIES,	/* zero-length or inverted ranges */
	TLBSAN_DEV_DEFERRED,		/* flushes deferred by the LAZY model */
	TLBSAN_DEV_PDE_HITS,
	TLBSAN_DEV_PDE_FILLS,
	TLBSAN_DEV_PDE_FLUSHED,
	TLBSAN_DEV_PDE_STALE,		/* PDE hit whose table the PMD no longer holds */
	TLBSAN_DEV_POISONED,		/* entries dropped because their page was freed */
	TLBSAN_DEV_REPORTS_DROPPED,	/* reports lost to a full report buffer */
	TLBSAN_DEV_AFTER_RELEASE,	/* notifier calls in flight past ->release */
	TLBSAN_DEV_BRACKETS_UNTRACKED,	/* brackets beyond the table: checks went unknown */
	TLBSAN_DEV_SITES_UNTRACKED,	/* secondary calls from sites beyond the table */
	TLBSAN_DEV_END_LEAVES_UNCHECKED, /* huge entries not checked leaf by leaf at an end */

	__TLBSAN_DEV_MAX,
};

#define TLBSAN_DEV_MAX (__TLBSAN_DEV_MAX - 1)

#endif /* _UAPI_LINUX_TLBSAN_H */
