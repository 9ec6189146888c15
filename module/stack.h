/* SPDX-License-Identifier: GPL-2.0 */
/* A saved kernel stack, as the checker keeps one per notifier call and free. */
#ifndef TLBSAN_STACK_H
#define TLBSAN_STACK_H

#define TLBSAN_STACK_DEPTH	12

#endif /* TLBSAN_STACK_H */
