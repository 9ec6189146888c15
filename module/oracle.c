// SPDX-License-Identifier: GPL-2.0
/* The checker's decisions (see oracle.h). */
#include "oracle.h"

/*
 * At a device access through a cached translation:
 *  - the CPU now maps another page: MISSED if no notification covered the
 *    translation since its fill; STALE_BENIGN for a read when the new page
 *    is read-only with the same content (KSM); STALE once the translation
 *    was due; otherwise the kernel's flush may still be on its way (a
 *    zap whose TLB flush is batched) and nothing is reported;
 *  - the CPU entry is gone: MISSED if never notified; otherwise the page
 *    is still allocated until the pending flush (its free is class 1);
 *  - write permission was removed: MISSED if never notified; WP_WRITE for
 *    a write once the bracket that write-protected it ended and the
 *    translation was due.
 */
enum tlbsan_class tlbsan_oracle_access(const struct tlbsan_dev_view *d,
				       const struct tlbsan_cpu_view *c,
				       bool write, bool same_content)
{
	bool notified = tlbsan_notified(d->chk);

	if (c->walk == TLBSAN_WALK_UNSTABLE)
		return TLBSAN_CLASS_UNSPEC;
	if (tlbsan_replaced(d, c)) {
		if (!notified)
			return TLBSAN_CLASS_MISSED;
		if (!write && !c->writable && same_content)
			return TLBSAN_CLASS_STALE_BENIGN;
		return tlbsan_due(d) ? TLBSAN_CLASS_STALE : TLBSAN_CLASS_UNSPEC;
	}
	if (c->walk != TLBSAN_WALK_OK)
		return notified ? TLBSAN_CLASS_UNSPEC : TLBSAN_CLASS_MISSED;
	if (d->writable && !c->writable) {
		if (!notified)
			return TLBSAN_CLASS_MISSED;
		if (write && (d->chk & TLBSAN_CHK_ENDED) && tlbsan_due(d))
			return TLBSAN_CLASS_WP_WRITE;
	}
	return TLBSAN_CLASS_UNSPEC;
}

/*
 * At invalidate_range_end, for each translation the bracket covered that
 * the device still holds, before the model acts: a translation to a page
 * the CPU has replaced must already be gone (case B), unless the new page
 * is read-only with the same content, which may wait for the end (KSM).
 */
enum tlbsan_class tlbsan_oracle_end(const struct tlbsan_dev_view *d,
				    const struct tlbsan_cpu_view *c, bool same_content)
{
	if (!tlbsan_replaced(d, c))
		return TLBSAN_CLASS_UNSPEC;
	if (!c->writable && same_content)
		return TLBSAN_CLASS_STALE_BENIGN;
	return tlbsan_due(d) ? TLBSAN_CLASS_STALE : TLBSAN_CLASS_UNSPEC;
}
