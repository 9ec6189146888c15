/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that reads the conftest predicates.  Everything else in
 * module/ is written against the helpers and predicates below, never
 * against kernel versions.
 */
#ifndef TLBSAN_COMPAT_H
#define TLBSAN_COMPAT_H

#include <linux/mmu_notifier.h>
#include <net/genetlink.h>
#include <uapi/tlbsan.h>
#include "conftest.h"

#if TLBSAN_HAVE_MN_INVALIDATE_RANGE == TLBSAN_HAVE_MN_ARCH_INVALIDATE_SECONDARY_TLBS
#error "exactly one of ->invalidate_range and ->arch_invalidate_secondary_tlbs must exist"
#endif

/* Young callbacks return int in older kernels and bool in newer ones. */
#if TLBSAN_HAVE_MN_YOUNG_BOOL
#define TLBSAN_YOUNG_RET	bool
#else
#define TLBSAN_YOUNG_RET	int
#endif

/*
 * The under-page-table-lock secondary TLB callback: ->invalidate_range up to
 * 6.5, ->arch_invalidate_secondary_tlbs (called from the arch TLB flush)
 * from 6.6.  Same prototype; tlbsan_mn_secondary() implements both.
 */
#if TLBSAN_HAVE_MN_INVALIDATE_RANGE
#define TLBSAN_MN_SECONDARY_OP	invalidate_range
#define TLBSAN_CB_SECONDARY	TLBSAN_CB_INVALIDATE_RANGE
#else
#define TLBSAN_MN_SECONDARY_OP	arch_invalidate_secondary_tlbs
#define TLBSAN_CB_SECONDARY	TLBSAN_CB_ARCH_INVALIDATE_SECONDARY_TLBS
#endif

/*
 * Up to 6.5, mmu_notifier_invalidate_range_end() (not the _only_end form)
 * calls ->invalidate_range itself, after the page-table lock was dropped.
 */
#define TLBSAN_END_MAKES_SECONDARY_CALL	TLBSAN_HAVE_MN_INVALIDATE_RANGE

/* ->change_pte exists up to 6.9: an ops initialiser, or nothing. */
#if TLBSAN_HAVE_MN_CHANGE_PTE
#define TLBSAN_MN_OP_CHANGE_PTE(fn)	.change_pte = (fn),
#else
#define TLBSAN_MN_OP_CHANGE_PTE(fn)
#endif

/* Formatted extack messages exist from 6.2; older kernels get the fallback. */
#ifdef NL_SET_ERR_MSG_FMT_MOD
#define tlbsan_extack_fmt(info, fallback, fmt, ...)				\
	do {									\
		(void)(fallback);						\
		NL_SET_ERR_MSG_FMT_MOD((info)->extack, fmt, ##__VA_ARGS__);	\
	} while (0)
#else
#define tlbsan_extack_fmt(info, fallback, fmt, ...)				\
	do {									\
		(void)(fmt);							\
		GENL_SET_ERR_MSG(info, fallback);				\
	} while (0)
#endif

/*
 * Set an extack message that is not a literal but has static storage (the
 * reasons returned by the config checks).  NL_SET_ERR_MSG() wants a
 * literal; it stores the pointer, as this does.
 */
static inline void tlbsan_extack_static(struct netlink_ext_ack *extack, const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

/* Typed allocation helpers arrived in 7.x; older kernels get the plain form. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

/* Where a hugetlb page is freed, into its pool or not (pfnwatch.c). */
#if TLBSAN_HAVE_FREE_HUGE_FOLIO
#define TLBSAN_HUGE_FREE_FN	"free_huge_folio"
#else
#define TLBSAN_HUGE_FREE_FN	"free_huge_page"
#endif

/*
 * Reports carry pfns and other processes' addresses: only a listener with
 * CAP_NET_ADMIN and CAP_SYS_ADMIN may join the group.  The flags came in
 * 6.7 and were backported to the 6.1 and 6.6 stable lines; a kernel without
 * them could not keep the reports from unprivileged users.
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define TLBSAN_MCGRP_ADMIN	.flags = GENL_MCAST_CAP_NET_ADMIN | GENL_MCAST_CAP_SYS_ADMIN
#else
#error "this kernel's generic netlink cannot restrict multicast listeners (GENL_MCAST_CAP_*)"
#endif

/* Attributes of a dump request. */
static inline struct nlattr **tlbsan_dump_attrs(struct netlink_callback *cb)
{
#if TLBSAN_HAVE_GENL_DUMPIT_INFO_ATTRS
	return genl_dumpit_info(cb)->attrs;
#else
	return genl_dumpit_info(cb)->info.attrs;
#endif
}

/* What kind of non-present, non-none PTE @pte is (enum tlbsan_walk). */
#if TLBSAN_HAVE_SOFTLEAF
#include <linux/swap.h>
#include <linux/leafops.h>
static inline int tlbsan_pte_nonpresent_kind(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	if (softleaf_is_migration(e))
		return TLBSAN_WALK_MIGRATION;
	if (softleaf_is_device_private(e) || softleaf_is_device_exclusive(e))
		return TLBSAN_WALK_DEVICE;
	if (softleaf_is_swap(e))
		return TLBSAN_WALK_SWAP;
	return TLBSAN_WALK_NONE;	/* markers, poison */
}
#else
#include <linux/swap.h>
#include <linux/swapops.h>
static inline int tlbsan_pte_nonpresent_kind(pte_t pte)
{
	swp_entry_t e = pte_to_swp_entry(pte);

	if (is_migration_entry(e))
		return TLBSAN_WALK_MIGRATION;
	if (is_device_private_entry(e) || is_device_exclusive_entry(e))
		return TLBSAN_WALK_DEVICE;
	if (!non_swap_entry(e))
		return TLBSAN_WALK_SWAP;
	return TLBSAN_WALK_NONE;	/* markers, poison */
}
#endif

#endif /* TLBSAN_COMPAT_H */
