/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the suites need to run on the 6.1 debug kernel too
 * (scripts/kernel.sh 6.1): the KUnit API 6.1 lacks, under its upstream
 * names and meaning, and registration helpers for when 6.1's KUnit runs
 * the suites.  All of it goes when 6.1 support does.  What depends on
 * the kernel's version is in ../scheduled_task_compat.h, the one file
 * that tests versions; kunit/Kbuild asks it for the KUnit part.
 */
#ifndef _ST_KUNIT_COMPAT_H
#define _ST_KUNIT_COMPAT_H

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../scheduled_task_compat.h"

/*
 * 6.1's KUnit runs a module's suites from the MODULE_STATE_COMING
 * notifier, 6.12's once the module is live (kunit_module_notify() in
 * lib/kunit/test.c).  Before that the module has no sysfs kobject
 * (load_module() calls mod_sysfs_setup() later), and a driver or root
 * device it owns gets linked to the uninitialised kobject: kobject
 * warnings, a refcount use-after-free, and root_device_register()
 * failing.  Until the module is live, its test drivers and devices have
 * no owner (they lose only their "module" link in sysfs).
 */
static inline struct module *st_kunit_owner(void)
{
	struct module *owner = THIS_MODULE;

	return owner && owner->state == MODULE_STATE_COMING ? NULL : owner;
}

/*
 * The parameters, for the same reason: load_module() copies insmod's
 * words to module->args before the notifier and parses them after it.
 * Until then, set the ones named there as parse_args() will; once the
 * module is live, it has.
 */
static inline void st_kunit_early_params(void)
{
	struct module *mod = THIS_MODULE;
	char *args, *rest, *word, *val;
	unsigned int i;

	if (!mod || mod->state != MODULE_STATE_COMING || !mod->args)
		return;
	args = kstrdup(mod->args, GFP_KERNEL);
	rest = args;
	while ((word = strsep(&rest, " \t\n"))) {
		val = strchr(word, '=');
		if (!val)
			continue;
		*val++ = '\0';
		for (i = 0; i < mod->num_kp; i++)
			if (!strcmp(mod->kp[i].name, word))
				mod->kp[i].ops->set(val, &mod->kp[i]);
	}
	kfree(args);
}

#define st_kunit_driver_register(drv) \
	__platform_driver_register(drv, st_kunit_owner())
#define st_kunit_root_device_register(name) \
	__root_device_register(name, st_kunit_owner())

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
