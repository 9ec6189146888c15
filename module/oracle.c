// SPDX-License-Identifier: GPL-2.0
/* The checker's decisions: the decision table of oracle.h, row by row. */
#include "oracle.h"

/*
 * A repointed translation that is not due: under an SVA-style model the
 * contract owed it a secondary call before the bracket's end (case B).
 * Decided once the bracket has ended (@ended) and no batched flush, which
 * would carry the call late but legitimately, is pending.
 */
static bool owed_repoint(const struct tlbsan_dev_view *d, const struct tlbsan_cpu_view *c,
			 bool ended)
{
	return d->secondary_model && ended && !c->flush_pending;
}

enum tlbsan_class tlbsan_oracle_access(const struct tlbsan_dev_view *d,
				       const struct tlbsan_cpu_view *c,
				       bool write, bool same_content, bool *owed)
{
	bool notified = tlbsan_notified(d->chk);

	*owed = false;
	if (c->walk == TLBSAN_WALK_UNSTABLE)
		return TLBSAN_CLASS_UNSPEC;
	if (tlbsan_replaced(d, c)) {
		if (!notified) {
			*owed = true;
			return TLBSAN_CLASS_MISSED;
		}
		if (!write && !c->writable && same_content)
			return TLBSAN_CLASS_STALE_BENIGN;
		if (tlbsan_due(d))
			return TLBSAN_CLASS_STALE;
		if (owed_repoint(d, c, d->chk & TLBSAN_CHK_ENDED)) {
			*owed = true;
			return TLBSAN_CLASS_STALE;
		}
		return TLBSAN_CLASS_UNSPEC;
	}
	if (c->walk != TLBSAN_WALK_OK) {
		*owed = !notified;
		return notified ? TLBSAN_CLASS_UNSPEC : TLBSAN_CLASS_MISSED;
	}
	if (d->writable && !c->writable) {
		if (!notified) {
			*owed = true;
			return TLBSAN_CLASS_MISSED;
		}
		if (write && (d->chk & TLBSAN_CHK_ENDED) && tlbsan_due(d))
			return TLBSAN_CLASS_WP_WRITE;
	}
	return TLBSAN_CLASS_UNSPEC;
}

/*
 * At invalidate_range_end (or, up to 6.5, at the secondary call the end
 * makes, which is the same moment for case B), for each translation the
 * bracket covered that the device still holds, before the model acts.
 */
enum tlbsan_class tlbsan_oracle_end(const struct tlbsan_dev_view *d,
				    const struct tlbsan_cpu_view *c, bool same_content,
				    bool *owed)
{
	*owed = false;
	if (!tlbsan_replaced(d, c))
		return TLBSAN_CLASS_UNSPEC;
	if (!c->writable && same_content)
		return TLBSAN_CLASS_STALE_BENIGN;
	if (tlbsan_due(d))
		return TLBSAN_CLASS_STALE;
	if (owed_repoint(d, c, true)) {
		*owed = true;
		return TLBSAN_CLASS_STALE;
	}
	return TLBSAN_CLASS_UNSPEC;
}

/*
 * A page freed while a device caches it is always class 1.  The kernel is
 * at fault when the device was never told to drop it (case A: the free
 * must follow the call the model is written against); otherwise the
 * device kept a translation it was told to drop.
 */
bool tlbsan_oracle_free_owed(const struct tlbsan_dev_view *d)
{
	return !tlbsan_due(d);
}
