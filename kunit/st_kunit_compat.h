/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the suites need to run on the 6.1 debug kernel too
 * (scripts/kernel.sh 6.1): the KUnit API 6.1 lacks, under its upstream
 * names and meaning, and registration helpers for when 6.1's KUnit runs
 * the suites.  All of it goes when 6.1 support does.
 */
#ifndef _ST_KUNIT_COMPAT_H
#define _ST_KUNIT_COMPAT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/version.h>

/*
 * 6.1's KUnit runs a module's suites from the MODULE_STATE_COMING
 * notifier, 6.12's once the module is live (kunit_module_notify() in
 * lib/kunit/test.c).  Before that the module has no sysfs kobject
 * (load_module() calls mod_sysfs_setup() later), and a driver or root
 * device it owns gets linked to the uninitialised kobject: kobject
 * warnings, a refcount use-after-free, and root_device_register()
 * failing.  Until the module is live, its test drivers and devices have
 * no owner (they lose only their "module" link in sysfs).  Its
 * parameters are not parsed yet either: the suites see their defaults.
 */
static inline struct module *st_kunit_owner(void)
{
	struct module *owner = THIS_MODULE;

	return owner && owner->state == MODULE_STATE_COMING ? NULL : owner;
}

#define st_kunit_driver_register(drv) \
	__platform_driver_register(drv, st_kunit_owner())
#define st_kunit_root_device_register(name) \
	__root_device_register(name, st_kunit_owner())

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

/* Test attributes (the "slow" speed) came in 6.6: before, a case has none. */
#ifndef KUNIT_CASE_SLOW
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#define KUNIT_CASE_PARAM_ATTR(test_name, gen_params, attributes) \
	KUNIT_CASE_PARAM(test_name, gen_params)
#endif

#ifndef KUNIT_FAIL_AND_ABORT
#define KUNIT_FAIL_AND_ABORT(test, fmt, ...) \
	KUNIT_FAIL_ASSERTION(test, KUNIT_ASSERTION, fmt, ##__VA_ARGS__)
#endif

#endif /* _ST_KUNIT_COMPAT_H */
