/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for the kernel's <linux/kernel.h>, for the unit tests. */
#ifndef TLBSAN_SHIM_LINUX_KERNEL_H
#define TLBSAN_SHIM_LINUX_KERNEL_H
#include <limits.h>
#include <linux/types.h>
#endif
