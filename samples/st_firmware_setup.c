// SPDX-License-Identifier: GPL-2.0
/*
 * st_firmware_setup: a one-time setup that runs once ever, at probe.
 *
 * Copy from here when a device needs something done exactly once in its
 * life: programming factory defaults, a one-shot firmware step, writing a
 * serial number.  The task is:
 *
 *	SCHEDULED_TASK_PERSISTENT	once ever: the run count is kept in a
 *					persistent store and survives unbind,
 *					module reload and (with a firmware
 *					store) reboot
 *	SCHEDULED_TASK_IMMEDIATE	in probe's own thread, so the setup is
 *					done before probe returns
 *	SCHEDULED_TASK_AT_PROBE		triggered by the create call in probe
 *
 * The first probe runs the callback inside devm_scheduled_task_create().
 * Every later probe finds the task completed in the store and does not call
 * it.  Writing 0 to times_run in sysfs makes it run again at the next probe.
 *
 * A persistent task needs a store (an NVMEM cell or region, or EFI
 * variables; see "Persistence" in Documentation/scheduled_task.rst).
 * Without one create fails with -ENODEV and so does probe; to try the
 * sample on such a machine load scheduled-task.ko with store=ram, which
 * remembers until scheduled-task.ko is unloaded.
 *
 * Each call logs one line (dev_info() prefixes it with the driver and
 * device name, both "st_firmware_setup"):
 *
 *	st_firmware_setup: setup ran call=<n>
 *
 * Try it:
 *
 *	insmod scheduled-task.ko
 *	insmod st_firmware_setup.ko	# logs "setup ran call=1"
 *	cat /sys/class/scheduled_task/st_firmware_setup:fw-setup/times_run
 *	rmmod st_firmware_setup
 *	insmod st_firmware_setup.ko	# logs nothing: it already ran
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include "../scheduled_task.h"

#define ST_FW_NAME "st_firmware_setup"

/**
 * struct st_fw_setup - the driver data, also the task's context
 * @calls: callback invocations in this binding.  No lock needed: the
 *	service never runs two invocations of one task at the same time.
 *
 * Allocated with devm_kzalloc() before the task is created, so devres
 * destroys the task before it frees the context.
 */
struct st_fw_setup {
	unsigned int calls;
};

/**
 * st_fw_setup_run() - the one-time setup
 * @task: the task being run.
 * @context: our struct st_fw_setup.
 * @previous_state: always %SCHEDULED_TASK_POWER_NONE for a probe task.
 *
 * A real driver would talk to its hardware here.  Returning
 * %SCHEDULED_TASK_FAIL would make create, and so probe, fail with -EIO;
 * %SCHEDULED_TASK_FAIL_TRY_AGAIN would retry it on the workqueue.
 *
 * Context: process context, inside probe; may sleep.
 * Return: %SCHEDULED_TASK_SUCCESS: recorded in the store, never run again.
 */
static enum scheduled_task_result
st_fw_setup_run(struct scheduled_task *task, void *context,
		enum scheduled_task_power_state previous_state)
{
	struct st_fw_setup *fw = context;

	fw->calls++;
	dev_info(scheduled_task_device(task), "setup ran call=%u\n", fw->calls);
	return SCHEDULED_TASK_SUCCESS;
}

static int st_fw_setup_probe(struct platform_device *pdev)
{
	struct scheduled_task_config cfg = {
		/* Keys the persistent record: never rename a shipped task. */
		.name = "fw-setup",
		.callback = st_fw_setup_run,
		.persistence = SCHEDULED_TASK_PERSISTENT,
		.mode = SCHEDULED_TASK_IMMEDIATE,
		.when = SCHEDULED_TASK_AT_PROBE,
		/* Retry delays, initial delay and wq are unused here. */
	};
	struct device *dev = &pdev->dev;
	struct scheduled_task *task;
	struct st_fw_setup *fw;

	fw = devm_kzalloc(dev, sizeof(*fw), GFP_KERNEL);
	if (!fw)
		return -ENOMEM;
	cfg.context = fw;

	/* The first time ever, the setup runs in here. */
	task = devm_scheduled_task_create(dev, &cfg);
	if (IS_ERR(task))
		return dev_err_probe(dev, PTR_ERR(task),
				     "cannot create task %s\n", cfg.name);
	return 0;
}

static struct platform_driver st_fw_setup_driver = {
	.probe = st_fw_setup_probe,
	/* No remove: devres destroys the task. */
	.driver = {
		.name = ST_FW_NAME,
	},
};

/* The sample's own device; a real driver binds to one that firmware made. */
static struct platform_device *st_fw_setup_pdev;

static int __init st_fw_setup_init(void)
{
	int err;

	err = platform_driver_register(&st_fw_setup_driver);
	if (err)
		return err;
	/* Adding the device probes it at once. */
	st_fw_setup_pdev = platform_device_register_simple(ST_FW_NAME,
							   PLATFORM_DEVID_NONE,
							   NULL, 0);
	if (IS_ERR(st_fw_setup_pdev)) {
		platform_driver_unregister(&st_fw_setup_driver);
		return PTR_ERR(st_fw_setup_pdev);
	}
	return 0;
}
module_init(st_fw_setup_init);

static void __exit st_fw_setup_exit(void)
{
	platform_device_unregister(st_fw_setup_pdev);
	platform_driver_unregister(&st_fw_setup_driver);
}
module_exit(st_fw_setup_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("scheduled_task example: once-ever setup at probe");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
