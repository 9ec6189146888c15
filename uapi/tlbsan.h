/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * tlbsan generic netlink ABI, shared by the module and the tools.
 *
 * Conventions: every enum reserves 0 (UNSPEC) so that an uninitialised
 * field is never a valid value; attributes are marked (in) when userspace
 * sends them and (out) when only the kernel does.  Numbers are stable:
 * new values are only ever appended.
 */
#ifndef _UAPI_LINUX_TLBSAN_H
#define _UAPI_LINUX_TLBSAN_H

#define TLBSAN_FAMILY_NAME	"tlbsan"
#define TLBSAN_FAMILY_VERSION	1

enum tlbsan_cmd {
	TLBSAN_CMD_UNSPEC,
	/* admin; (in) PID -> (out) PID, PASID */
	TLBSAN_CMD_ATTACH,
	/* admin; (in) PID */
	TLBSAN_CMD_DETACH,
	/* (in) PID -> one context; as a dump request: every context */
	TLBSAN_CMD_STATS,

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

#endif /* _UAPI_LINUX_TLBSAN_H */
