/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differences between the kernels scheduled_task supports (6.1 and
 * 6.12), each behind one small name.  This is the only file of the
 * module that tests kernel versions, for the module and for its KUnit
 * suites.
 */
#ifndef _SCHEDULED_TASK_COMPAT_H
#define _SCHEDULED_TASK_COMPAT_H

#include <linux/device.h>
#include <linux/efi.h>
#include <linux/kernfs.h>
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
 * The size of an NVMEM device, given the device and its struct device
 * (what nvmem_device_find()'s match callback was handed); 0 means
 * "unknown".  nvmem_dev_size() came with the NVMEM layouts work (6.4).
 * On 6.1 the size is that of the device's sysfs file "nvmem", which
 * nvmem_bin_attr_is_visible() sets to the device's size before the file
 * is made; without CONFIG_NVMEM_SYSFS there is no such file.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
static inline size_t st_nvmem_dev_size(struct nvmem_device *nvmem,
				       struct device *dev)
{
	return nvmem_dev_size(nvmem);
}
#else
static inline size_t st_nvmem_dev_size(struct nvmem_device *nvmem,
				       struct device *dev)
{
	struct kernfs_node *kn;
	size_t size = 0;

	kn = dev ? kernfs_find_and_get(dev->kobj.sd, "nvmem") : NULL;
	if (kn) {
		size = kn->attr.size;
		kernfs_put(kn);
	}
	return size;
}
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

/*
 * The KUnit API the suites use that 6.1 lacks; only kunit/Kbuild defines
 * ST_KUNIT_COMPAT, so the module itself does not see KUnit.
 */
#ifdef ST_KUNIT_COMPAT
#include <kunit/resource.h>
#include <linux/slab.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
/*
 * Deferred actions came in 6.5; 6.1 has test-managed resources, which
 * are released in reverse order when the test ends, passes or not, as
 * actions are (they are resources there too).  A resource carries one
 * pointer, so it points at the function and its argument.
 */
typedef void (kunit_action_t)(void *);

struct st_kunit_action {
	kunit_action_t *action;
	void *ctx;
};

static inline void st_kunit_action_run(struct kunit_resource *res)
{
	struct st_kunit_action *a = res->data;

	a->action(a->ctx);
	kfree(a);
}

static inline int kunit_add_action_or_reset(struct kunit *test,
					    kunit_action_t *action, void *ctx)
{
	struct st_kunit_action *a = kmalloc(sizeof(*a), GFP_KERNEL);

	if (a) {
		a->action = action;
		a->ctx = ctx;
		/* No init function: it can fail only allocating. */
		if (kunit_alloc_resource(test, NULL, st_kunit_action_run,
					 GFP_KERNEL, a))
			return 0;
		kfree(a);
	}
	action(ctx);
	return -ENOMEM;
}
#endif
#endif /* ST_KUNIT_COMPAT */

#endif /* _SCHEDULED_TASK_COMPAT_H */
