// SPDX-License-Identifier: GPL-2.0
/* Call sites and their coverage (see sites.h). */
#include <linux/hash.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/stacktrace.h>
#include "sites.h"

/* Frames that are machinery, not the call site: notifier core, TLB flush, page freeing. */
static const char *const tlbsan_machinery[] = {
	"mmu_notifier", "__mmu_notifier", "mn_hlist", "mn_itree", "flush_tlb", "native_flush_tlb",
	"__flush_tlb", "arch_tlbbatch", "ptep_clear_flush", "pmdp_", "pudp_", "tlb_flush",
	"free_unref", "free_pages", "__free_pages", "free_pcp", "__free_one_page", "free_frozen",
	"__folio_put", "folio_put", "put_page", "__put_page", "free_the_page", "__traceiter_",
	"trace_", "stack_trace_save", "free_compound_page", "destroy_large_folio", "folios_put",
	"free_unref_folios", "__folio_batch_release", "release_pages", "free_pages_and_swap_cache",
	"tlb_batch_pages_flush", "__tlb_batch_free_encoded_pages", "free_swap_cache",
	"tlb_finish_mmu", "free_page_and_swap_cache", "folio_batch_move_lru", "lru_add_drain",
	"__pagevec_", "pagevec_", "folio_batch_", "folio_add_lru", "lru_cache_add",
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

/* @ip's symbol+offset; @none when there is no @ip, "?" when no symbol has it (never an address). */
void tlbsan_sprint_site(char *buf, unsigned long ip, const char *none)
{
	if (!ip)
		strscpy(buf, none, KSYM_SYMBOL_LEN);
	else if (!sprint_symbol(buf, ip) || !strncmp(buf, "0x", 2))
		strscpy(buf, "?", KSYM_SYMBOL_LEN);
}

bool tlbsan_stack_in_end(const unsigned long *stack, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (sym_matches(&tlbsan_end_class, stack[i]))
			return true;
	return false;
}

unsigned long tlbsan_site_of(const unsigned long *stack, unsigned int nr)
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
static DEFINE_RAW_SPINLOCK(tlbsan_cov_lock);

void tlbsan_cov_note(enum tlbsan_cb cb)
{
	unsigned long stack[TLBSAN_STACK_DEPTH], site, flags;
	unsigned int nr, i;

	if (!coverage)
		return;
	nr = stack_trace_save(stack, TLBSAN_STACK_DEPTH, 0);
	site = tlbsan_site_of(stack, nr);
	raw_spin_lock_irqsave(&tlbsan_cov_lock, flags);
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
	raw_spin_unlock_irqrestore(&tlbsan_cov_lock, flags);
}

bool tlbsan_cov_get(unsigned int i, struct tlbsan_cov *out)
{
	unsigned long flags;
	bool ok;

	raw_spin_lock_irqsave(&tlbsan_cov_lock, flags);
	ok = i < tlbsan_cov_n;
	if (ok)
		*out = tlbsan_cov[i];
	raw_spin_unlock_irqrestore(&tlbsan_cov_lock, flags);
	return ok;
}
