/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels scheduled_task supports (6.1 and
 * 6.12), each behind one small name.  This is the only file of the
 * module that tests kernel versions (kunit/st_kunit_compat.h does for
 * the KUnit API the suites use).
 */
#ifndef _SCHEDULED_TASK_COMPAT_H
#define _SCHEDULED_TASK_COMPAT_H

#include <linux/efi.h>
#include <linux/nvmem-consumer.h>
#include <linux/version.h>

/* 6.10 dropped __assign_str()'s source argument: it comes from __string(). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define st_assign_str(dst, src)	__assign_str(dst)
#else
#define st_assign_str(dst, src)	__assign_str(dst, src)
#endif

/* 6.4 made the class and attribute of class attribute callbacks const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define st_class_const	const
#else
#define st_class_const
#endif

/*
 * nvmem_dev_size() came with the NVMEM layouts work (2023): 6.12 has it,
 * 6.1 does not and has no other size getter.  0 means "unknown": the
 * caller then trusts the region the administrator named.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define st_nvmem_dev_size(nvmem)	nvmem_dev_size(nvmem)
#else
#define st_nvmem_dev_size(nvmem)	((size_t)0)
#endif

/*
 * Whether EFI runtime variable services can be used.  6.12 has
 * efivar_is_available(), 6.1 does not; efivar_supports_writes() exists in
 * both (int on 6.1, bool on 6.12) and is true only with a registered
 * efivars backend that can write, which is what a store needs.  It must
 * be checked before efivar_lock(), which does not check for a backend.
 * Without CONFIG_EFI it is constant false, and the compiler drops the
 * calls into the EFI code it guards.
 */
static inline bool st_efivar_supported(void)
{
	return IS_ENABLED(CONFIG_EFI) && efivar_supports_writes();
}

#endif /* _SCHEDULED_TASK_COMPAT_H */
