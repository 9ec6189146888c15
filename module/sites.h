/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call sites: which frame of a saved stack is the kernel path that made a
 * notifier call or freed a page, and the machine-wide coverage table of
 * those sites (module parameter coverage=1).
 */
#ifndef TLBSAN_SITES_H
#define TLBSAN_SITES_H

#include <linux/types.h>
#include <uapi/tlbsan.h>
#include "stack.h"

struct tlbsan_cov {
	unsigned long ip;
	u8 cb;			/* enum tlbsan_cb */
	u64 count;
};

/* The first frame of @stack outside the notifier core, TLB flush and page freeing, or 0. */
unsigned long tlbsan_site_of(const unsigned long *stack, unsigned int nr);
/* @ip as "symbol+off/size [module]", or @none when 0; @buf has KSYM_SYMBOL_LEN bytes. */
void tlbsan_sprint_site(char *buf, unsigned long ip, const char *none);
/* Was @stack taken inside the notifier core's invalidate_range_end? */
bool tlbsan_stack_in_end(const unsigned long *stack, unsigned int nr);

/* From a notifier callback: count its call site, when coverage=1. */
void tlbsan_cov_note(enum tlbsan_cb cb);
/* Copy coverage entry @i; false past the end. */
bool tlbsan_cov_get(unsigned int i, struct tlbsan_cov *out);

#endif /* TLBSAN_SITES_H */
