// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "names.h"

const char *const tlbsan_cb_names[__TLBSAN_CB_MAX] = {
	[TLBSAN_CB_RELEASE]			= "release",
	[TLBSAN_CB_CLEAR_FLUSH_YOUNG]		= "clear_flush_young",
	[TLBSAN_CB_CLEAR_YOUNG]			= "clear_young",
	[TLBSAN_CB_TEST_YOUNG]			= "test_young",
	[TLBSAN_CB_CHANGE_PTE]			= "change_pte",
	[TLBSAN_CB_INVALIDATE_RANGE_START]	= "invalidate_range_start",
	[TLBSAN_CB_INVALIDATE_RANGE_END]	= "invalidate_range_end",
	[TLBSAN_CB_INVALIDATE_RANGE]		= "invalidate_range",
	[TLBSAN_CB_ARCH_INVALIDATE_SECONDARY_TLBS] = "arch_invalidate_secondary_tlbs",
	[TLBSAN_CB_INVALIDATE_RANGE_START_NONBLOCK] = "invalidate_range_start_nonblock",
};

const char *const tlbsan_event_names[__TLBSAN_EVENT_MAX] = {
	[TLBSAN_EVENT_UNMAP]		= "unmap",
	[TLBSAN_EVENT_CLEAR]		= "clear",
	[TLBSAN_EVENT_PROTECTION_VMA]	= "protection_vma",
	[TLBSAN_EVENT_PROTECTION_PAGE]	= "protection_page",
	[TLBSAN_EVENT_SOFT_DIRTY]	= "soft_dirty",
	[TLBSAN_EVENT_RELEASE]		= "release",
	[TLBSAN_EVENT_MIGRATE]		= "migrate",
	[TLBSAN_EVENT_EXCLUSIVE]	= "exclusive",
	[TLBSAN_EVENT_OTHER]		= "other",
};

const char *const tlbsan_model_names[__TLBSAN_MODEL_MAX] = {
	[TLBSAN_MODEL_HW]	= "hw",
	[TLBSAN_MODEL_SW]	= "sw",
	[TLBSAN_MODEL_END_ONLY]	= "end-only",
	[TLBSAN_MODEL_LAZY]	= "lazy",
	[TLBSAN_MODEL_DROP]	= "drop",
	[TLBSAN_MODEL_NONE]	= "none",
};

const char *const tlbsan_pattern_names[__TLBSAN_PATTERN_MAX] = {
	[TLBSAN_PATTERN_BUFFERS]	= "buffers",
	[TLBSAN_PATTERN_SAMPLE]		= "sample",
};

const char *const tlbsan_op_names[__TLBSAN_OP_MAX] = {
	[TLBSAN_OP_READ]	= "read",
	[TLBSAN_OP_WRITE]	= "write",
	[TLBSAN_OP_CAS]		= "cas",
};

const char *const tlbsan_status_names[__TLBSAN_ACCESS_MAX] = {
	[TLBSAN_ACCESS_OK]		= "ok",
	[TLBSAN_ACCESS_FAULT]		= "fault",
	[TLBSAN_ACCESS_SUPPRESSED]	= "suppressed",
	[TLBSAN_ACCESS_CAS_FAILED]	= "cas-failed",
	[TLBSAN_ACCESS_DEAD]		= "dead",
};

const char *const tlbsan_walk_names[__TLBSAN_WALK_MAX] = {
	[TLBSAN_WALK_OK]	= "ok",
	[TLBSAN_WALK_NONE]	= "none",
	[TLBSAN_WALK_SWAP]	= "swap",
	[TLBSAN_WALK_MIGRATION]	= "migration",
	[TLBSAN_WALK_DEVICE]	= "device",
	[TLBSAN_WALK_PROTNONE]	= "protnone",
	[TLBSAN_WALK_NOPERM]	= "noperm",
	[TLBSAN_WALK_SPECIAL]	= "special",
	[TLBSAN_WALK_UNSTABLE]	= "unstable",
	[TLBSAN_WALK_RETRY]	= "retry",
	[TLBSAN_WALK_NODIRECT]	= "not-in-direct-map",
};

const char *const tlbsan_dev_stat_names[__TLBSAN_DEV_MAX] = {
	[TLBSAN_DEV_HITS]		= "hits",
	[TLBSAN_DEV_MISSES]		= "misses",
	[TLBSAN_DEV_FILLS]		= "fills",
	[TLBSAN_DEV_FILL_RETRIES]	= "fill_retries",
	[TLBSAN_DEV_READS]		= "reads",
	[TLBSAN_DEV_WRITES]		= "writes",
	[TLBSAN_DEV_CAS]		= "cas",
	[TLBSAN_DEV_ACCESS_FAULTS]	= "access_faults",
	[TLBSAN_DEV_WRITES_SUPPRESSED]	= "writes_suppressed",
	[TLBSAN_DEV_PAGE_REQUESTS]	= "page_requests",
	[TLBSAN_DEV_PAGE_REQUESTS_FAILED] = "page_requests_failed",
	[TLBSAN_DEV_SAMPLES]		= "samples",
	[TLBSAN_DEV_INVALIDATIONS]	= "invalidations",
	[TLBSAN_DEV_FLUSH_ALL]		= "flush_all",
	[TLBSAN_DEV_ENTRIES_FLUSHED]	= "entries_flushed",
	[TLBSAN_DEV_EMPTY_INVALIDATIONS] = "empty_invalidations",
	[TLBSAN_DEV_RANGE_ANOMALIES]	= "range_anomalies",
	[TLBSAN_DEV_DEFERRED]		= "deferred",
	[TLBSAN_DEV_PDE_HITS]		= "pde_hits",
	[TLBSAN_DEV_PDE_FILLS]		= "pde_fills",
	[TLBSAN_DEV_PDE_FLUSHED]	= "pde_flushed",
	[TLBSAN_DEV_PDE_STALE]		= "pde_stale",
	[TLBSAN_DEV_POISONED]		= "poisoned",
	[TLBSAN_DEV_REPORTS_DROPPED]	= "reports_dropped",
	[TLBSAN_DEV_AFTER_RELEASE]	= "calls_after_release",
	[TLBSAN_DEV_BRACKETS_UNTRACKED]	= "brackets_untracked",
	[TLBSAN_DEV_SITES_UNTRACKED]	= "site_calls_untracked",
	[TLBSAN_DEV_END_LEAVES_UNCHECKED] = "end_leaves_unchecked",
};

const char *const tlbsan_class_names[__TLBSAN_CLASS_MAX] = TLBSAN_CLASS_NAMES;

int tlbsan_name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 1; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return 0;
}

const char *tlbsan_name(const char *const *names, int n, unsigned int v)
{
	return v < (unsigned int)n && names[v] ? names[v] : "?";
}
