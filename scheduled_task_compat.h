/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels scheduled_task supports (6.1 and
 * 6.12), each behind one small name.  This is the only file that tests
 * kernel versions.
 */
#ifndef _SCHEDULED_TASK_COMPAT_H
#define _SCHEDULED_TASK_COMPAT_H

#include <linux/version.h>

/* 6.10 dropped __assign_str()'s source argument: it comes from __string(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define st_assign_str(dst, src)	__assign_str(dst)
#else
#define st_assign_str(dst, src)	__assign_str(dst, src)
#endif

#endif /* _SCHEDULED_TASK_COMPAT_H */
