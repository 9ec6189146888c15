/* SPDX-License-Identifier: GPL-2.0 */
/* Names of the ABI's enums, as the CLI prints and parses them. */
#ifndef TLBSAN_TOOLS_NAMES_H
#define TLBSAN_TOOLS_NAMES_H

#include "tlbsan.h"

extern const char *const tlbsan_cb_names[__TLBSAN_CB_MAX];
extern const char *const tlbsan_event_names[__TLBSAN_EVENT_MAX];
extern const char *const tlbsan_model_names[__TLBSAN_MODEL_MAX];
extern const char *const tlbsan_pattern_names[__TLBSAN_PATTERN_MAX];
extern const char *const tlbsan_op_names[__TLBSAN_OP_MAX];
extern const char *const tlbsan_status_names[__TLBSAN_ACCESS_MAX];
extern const char *const tlbsan_walk_names[__TLBSAN_WALK_MAX];
extern const char *const tlbsan_dev_stat_names[__TLBSAN_DEV_MAX];
extern const char *const tlbsan_class_names[__TLBSAN_CLASS_MAX];

/* Index of @s in @names[1..n-1], or 0. */
int tlbsan_name_index(const char *const *names, int n, const char *s);
/* Name of @v in @names, or "?" */
const char *tlbsan_name(const char *const *names, int n, unsigned int v);

#endif
