// SPDX-License-Identifier: GPL-2.0
/*
 * st_resume_recal: recalibrate a device at every power-up, fully or lightly
 * depending on the state it comes back from.  The task is NOT_PERSISTENT,
 * AT_RESUME (the first power-up, in create, with previous_state OFF; system
 * resume with SUSPENDED; every scheduled_task_resume() call) and IMMEDIATE:
 * the run ends before probe or the resume callback returns, so nobody uses
 * the device uncalibrated, and it cannot start after runtime PM powered the
 * device down again, as a deferred run could.
 *
 * A task that returned SUCCESS does not run again, and each power-up makes
 * the calibration due again, so the driver re-arms the task with
 * scheduled_task_times_run_set(task, 0): in runtime_resume, before calling
 * scheduled_task_resume(task, SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED)
 * (runtime PM is the driver's business), and in system suspend if the
 * device is powered (the service's resume callback, which runs after the
 * driver's, then runs it with SUSPENDED; a device runtime-suspended across
 * system sleep is calibrated at its next runtime resume).
 *
 * Each call logs, after dev_info()'s "st_resume_recal " prefix:
 *	st_resume_recal: call=<n> previous_state=<state> action=<full|light>
 * <state> is NONE, OFF, SUSPENDED or RUNTIME_SUSPENDED.  Unbind normally
 * logs one more light run: the driver core powers the device up for it.
 *
 * After probe the device is idle and runtime PM suspends it.  A write to
 * its "poke" attribute makes sure it is suspended (-EAGAIN if power/control
 * is "on"), resumes it and lets it idle again.  Writing "on", then "auto",
 * to power/control also resumes it.  Try it:
 *	insmod scheduled-task.ko
 *	insmod st_resume_recal.ko	# call=1 previous_state=OFF action=full
 *	cat /sys/devices/platform/st_resume_recal/power/runtime_status
 *	echo 1 > /sys/devices/platform/st_resume_recal/poke
 *	dmesg | grep 'st_resume_recal: call='	# RUNTIME_SUSPENDED, light
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm.h>
#include <linux/pm_runtime.h>
#include <linux/sysfs.h>

#include "../scheduled_task.h"

#define ST_RECAL_NAME "st_resume_recal"

/* The driver data, also the task's context (allocated before the task). */
struct st_recal {
	struct scheduled_task *task;	/* set after the first run (OFF) */
	unsigned int calls;	/* no lock: runs of a task never overlap */
};

static const char *st_recal_state_name(enum scheduled_task_power_state s)
{
	switch (s) {
	case SCHEDULED_TASK_POWER_NONE:
		return "NONE";
	case SCHEDULED_TASK_POWER_OFF:
		return "OFF";
	case SCHEDULED_TASK_POWER_SUSPENDED:
		return "SUSPENDED";
	case SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED:
		return "RUNTIME_SUSPENDED";
	}
	return "INVALID";
}

/**
 * st_recal_run() - recalibrate after a power-up
 * @task: the task being run.
 * @context: our struct st_recal.
 * @previous_state: the state the device powers up from.
 * Context: process context, in probe or a resume callback; may sleep.
 * Return: %SCHEDULED_TASK_SUCCESS: done until the driver re-arms the task.
 */
static enum scheduled_task_result
st_recal_run(struct scheduled_task *task, void *context,
	     enum scheduled_task_power_state previous_state)
{
	struct st_recal *recal = context;
	/*
	 * Idle power-down keeps the chip's trim: re-check the offset only.
	 * After power-off or system suspend, redo everything.
	 */
	bool light = previous_state == SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED;

	recal->calls++;
	dev_info(scheduled_task_device(task),
		 "call=%u previous_state=%s action=%s\n", recal->calls,
		 st_recal_state_name(previous_state), light ? "light" : "full");
	return SCHEDULED_TASK_SUCCESS;
}

/*
 * Power was lost, so the calibration is due again: re-arm the task.  For a
 * NOT_PERSISTENT task times_run lives in memory and this cannot fail.
 */
static int st_recal_runtime_resume(struct device *dev)
{
	struct st_recal *recal = dev_get_drvdata(dev);
	int err;

	err = scheduled_task_times_run_set(recal->task, 0);
	if (err)
		return err;
	/* The immediate task runs in here; -EIO if it returned FAIL. */
	return scheduled_task_resume(recal->task,
				     SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);
}

/* System sleep: the service's resume callback runs the task (SUSPENDED). */
static int st_recal_suspend(struct device *dev)
{
	struct st_recal *recal = dev_get_drvdata(dev);

	if (pm_runtime_status_suspended(dev))
		return 0;	/* off already: runtime resume calibrates */
	return scheduled_task_times_run_set(recal->task, 0);
}

static const struct dev_pm_ops st_recal_pm_ops = {
	.suspend = pm_sleep_ptr(st_recal_suspend),
	.poweroff = pm_sleep_ptr(st_recal_suspend),
	RUNTIME_PM_OPS(NULL, st_recal_runtime_resume, NULL)
};

/* /sys/devices/platform/st_resume_recal/poke: one runtime PM cycle. */
static ssize_t poke_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	int err;

	err = pm_runtime_suspend(dev);	/* 1: it was suspended already */
	if (err < 0)
		return err;
	err = pm_runtime_resume_and_get(dev);	/* runs the task */
	if (err)
		return err;
	pm_runtime_put(dev);		/* idle: it suspends again */
	return count;
}
static DEVICE_ATTR_WO(poke);

static struct attribute *st_recal_attrs[] = {
	&dev_attr_poke.attr,
	NULL
};
ATTRIBUTE_GROUPS(st_recal);

static int st_recal_probe(struct platform_device *pdev)
{
	struct scheduled_task_config cfg = {
		.name = "recal",
		.callback = st_recal_run,
		.persistence = SCHEDULED_TASK_NOT_PERSISTENT,
		.mode = SCHEDULED_TASK_IMMEDIATE,
		.when = SCHEDULED_TASK_AT_RESUME,
	};
	struct device *dev = &pdev->dev;
	struct st_recal *recal;
	int err;

	recal = devm_kzalloc(dev, sizeof(*recal), GFP_KERNEL);
	if (!recal)
		return -ENOMEM;
	platform_set_drvdata(pdev, recal);
	cfg.context = recal;

	/* The first power-up: a full calibration (OFF) runs in here. */
	recal->task = devm_scheduled_task_create(dev, &cfg);
	if (IS_ERR(recal->task))
		return dev_err_probe(dev, PTR_ERR(recal->task),
				     "cannot create task %s\n", cfg.name);

	/*
	 * The device is powered: say so, then enable runtime PM.  devres
	 * disables it again before it destroys the task, so the runtime
	 * resume callback never sees a destroyed task.
	 */
	err = pm_runtime_set_active(dev);
	if (err)
		return err;
	return devm_pm_runtime_enable(dev);
}

static struct platform_driver st_recal_driver = {
	.probe = st_recal_probe,
	.driver = {
		.name = ST_RECAL_NAME,
		.pm = pm_ptr(&st_recal_pm_ops),
		.dev_groups = st_recal_groups,
	},
};

static struct platform_device *st_recal_pdev;

static int __init st_recal_init(void)
{
	int err;

	err = platform_driver_register(&st_recal_driver);
	if (err)
		return err;
	st_recal_pdev = platform_device_register_simple(ST_RECAL_NAME,
							PLATFORM_DEVID_NONE,
							NULL, 0);
	if (IS_ERR(st_recal_pdev)) {
		platform_driver_unregister(&st_recal_driver);
		return PTR_ERR(st_recal_pdev);
	}
	return 0;
}
module_init(st_recal_init);

static void __exit st_recal_exit(void)
{
	platform_device_unregister(st_recal_pdev);
	platform_driver_unregister(&st_recal_driver);
}
module_exit(st_recal_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("scheduled_task example: recalibrate at every power-up");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
