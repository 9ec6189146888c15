/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The invalidation models' two properties that the rest of the module asks
 * about, stated once.
 */
#ifndef TLBSAN_MODEL_H
#define TLBSAN_MODEL_H

#include <linux/types.h>
#include <uapi/tlbsan.h>

/* SVA-style: told to drop a translation by the secondary TLB call (HW, LAZY). */
static inline bool tlbsan_model_due_on_secondary(u32 model)
{
	return model == TLBSAN_MODEL_HW || model == TLBSAN_MODEL_LAZY;
}

/* Registers the secondary TLB callback at all (the KVM-style SW, END_ONLY, DROP do not). */
static inline bool tlbsan_model_takes_secondary(u32 model)
{
	return tlbsan_model_due_on_secondary(model) || model == TLBSAN_MODEL_NONE;
}

#endif /* TLBSAN_MODEL_H */
