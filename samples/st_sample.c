// SPDX-License-Identifier: GPL-2.0
/*
 * st_sample: an example client of the scheduled_task service.
 *
 * Copy from here.  This platform driver shows everything a driver needs to
 * run work "once": once per binding of its device or, with a persistent
 * store, once ever (the Linux port of DMF's ScheduledTask, which DMF itself
 * says is better named "ScheduleTaskOnce").
 *
 * What a client does:
 *
 *  1. #include the API header and import its symbol namespace:
 *	MODULE_IMPORT_NS(SCHEDULED_TASK);
 *  2. In probe, fill a struct scheduled_task_config (it is copied, so a
 *     stack variable is fine) and call devm_scheduled_task_create() on the
 *     device being probed.  The task then lives exactly as long as the
 *     binding: unbind, module unload and a failing probe destroy it, wait
 *     for a running callback and guarantee no callback runs afterwards.
 *  3. Write the callback.  It returns what should happen next:
 *	SCHEDULED_TASK_SUCCESS           done: never run again
 *	SCHEDULED_TASK_FAIL              failed: no automatic retry
 *	SCHEDULED_TASK_FAIL_TRY_AGAIN    run again after retry_ms_on_fail
 *	SCHEDULED_TASK_SUCCESS_TRY_AGAIN run again after retry_ms_on_success
 *  4. If the device uses runtime PM and has tasks that run at resume, call
 *     scheduled_task_resume() from the runtime_resume callback.  System
 *     suspend/resume and hibernation need no code: the service's own
 *     device is a child of the client device and resumes after it.
 *
 * This sample creates one task per combination of when it runs (probe,
 * resume, on demand), in which thread (immediate: the caller's; deferred:
 * a workqueue) and how long "once" lasts (persistent or not): 12 tasks,
 * named <when>-<mode>-<persistence>, for example probe-imm-np,
 * resume-def-p or demand-def-np.  Each one lives in sysfs as
 * /sys/class/scheduled_task/st_sample:<task>/ (see
 * Documentation/ABI/testing/sysfs-class-scheduled_task).
 *
 * Every callback invocation logs exactly one line:
 *
 *	st_sample: task=<name> call=<n> previous_state=<state> result=<result>
 *
 * <n> counts the task's invocations from 1, <state> is NONE, OFF,
 * SUSPENDED or RUNTIME_SUSPENDED, and <result> is success, fail,
 * fail-try-again or success-try-again.  Tests grep these lines: keep the
 * format.
 *
 * Module parameters (read-only once loaded):
 *	first_result=1..4	what each task's first call returns (default 1,
 *				SCHEDULED_TASK_SUCCESS); later calls succeed
 *	retry_ms=N		retry_ms_on_success and retry_ms_on_fail (100)
 *	initial_delay_ms=N	delay before a deferred run (0)
 *	persistent=0		skip the persistent tasks
 *	tasks=a,b,...		create only the tasks named (default: all)
 *
 * The device's "run" attribute requests one run of a task by name, with
 * scheduled_task_execute_now_deferred_ex(); it is how the on-demand tasks
 * get to run:
 *
 *	echo demand-def-np > /sys/devices/platform/st_sample/run
 *
 * Try it:
 *
 *	insmod scheduled-task.ko
 *	insmod st_sample.ko first_result=3 retry_ms=500
 *	dmesg | grep 'st_sample: task='
 *	cat /sys/class/scheduled_task/st_sample:probe-def-np/state
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/pm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "../scheduled_task.h"

#define ST_SAMPLE_NAME "st_sample"

static int first_result = SCHEDULED_TASK_SUCCESS;
module_param(first_result, int, 0444);
MODULE_PARM_DESC(first_result,
		 "Result of each task's first call: 1 success (default), 2 fail, 3 fail-try-again, 4 success-try-again");

static unsigned int retry_ms = 100;
module_param(retry_ms, uint, 0444);
MODULE_PARM_DESC(retry_ms,
		 "Delay before a retry after a *-try-again result, in ms (default 100)");

static unsigned int initial_delay_ms;
module_param(initial_delay_ms, uint, 0444);
MODULE_PARM_DESC(initial_delay_ms,
		 "Delay before a deferred task's scheduled run, in ms (default 0)");

static bool persistent = true;
module_param(persistent, bool, 0444);
MODULE_PARM_DESC(persistent,
		 "Create the persistent tasks too (default true)");

static char *tasks;
module_param(tasks, charp, 0444);
MODULE_PARM_DESC(tasks,
		 "Comma-separated names of the tasks to create (default: all)");

/**
 * struct st_sample_desc - one combination of the sample's table
 * @name: the task name, ``[a-z0-9_-]{1,32}`` and unique per device; it
 *	names the sysfs directory and keys the persistent record, so a
 *	persistent task must keep its name across driver versions.
 * @when: what triggers the scheduled run.
 * @mode: in the caller's thread or on a workqueue.
 * @persistence: once per binding or once ever.
 */
struct st_sample_desc {
	const char *name;
	enum scheduled_task_when when;
	enum scheduled_task_mode mode;
	enum scheduled_task_persistence persistence;
};

/*
 * A real driver has one or two of these; the sample has all twelve so that
 * every path of the service can be watched.
 */
static const struct st_sample_desc st_sample_descs[] = {
	{ "probe-imm-np", SCHEDULED_TASK_AT_PROBE,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "probe-imm-p", SCHEDULED_TASK_AT_PROBE,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_PERSISTENT },
	{ "probe-def-np", SCHEDULED_TASK_AT_PROBE,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "probe-def-p", SCHEDULED_TASK_AT_PROBE,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_PERSISTENT },
	{ "resume-imm-np", SCHEDULED_TASK_AT_RESUME,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "resume-imm-p", SCHEDULED_TASK_AT_RESUME,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_PERSISTENT },
	{ "resume-def-np", SCHEDULED_TASK_AT_RESUME,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "resume-def-p", SCHEDULED_TASK_AT_RESUME,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_PERSISTENT },
	{ "demand-imm-np", SCHEDULED_TASK_ON_DEMAND,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "demand-imm-p", SCHEDULED_TASK_ON_DEMAND,
	  SCHEDULED_TASK_IMMEDIATE, SCHEDULED_TASK_PERSISTENT },
	{ "demand-def-np", SCHEDULED_TASK_ON_DEMAND,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_NOT_PERSISTENT },
	{ "demand-def-p", SCHEDULED_TASK_ON_DEMAND,
	  SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_PERSISTENT },
};

#define ST_SAMPLE_NR_TASKS ARRAY_SIZE(st_sample_descs)

/* Bit i set: create st_sample_descs[i].  Filled from "tasks" at load. */
static unsigned long st_sample_selected;

/**
 * struct st_sample_task - one task and the state of its callback
 * @dev: the client device, for logging.
 * @desc: which combination this task is.
 * @task: the handle devm_scheduled_task_create() returned.  Set only after
 *	create returns, which is after an immediate task's first run: the
 *	callback uses its @task argument, never this field.
 * @calls: how many times the callback was invoked.  No lock and no
 *	atomic_t are needed: the service never runs two invocations of one
 *	task at the same time, whatever triggered them (probe, resume, retry
 *	timer, execute_*), and the lock it holds around each invocation also
 *	orders the memory accesses of successive ones.  State shared between
 *	*different* tasks does need a lock: tasks run in parallel.
 *
 * This is the task's &scheduled_task_config.context.  It is allocated with
 * devm_kzalloc() *before* the task is created, so devres, which releases in
 * reverse order, destroys the task (waiting for a running callback) before
 * it frees the context.
 */
struct st_sample_task {
	struct device *dev;
	const struct st_sample_desc *desc;
	struct scheduled_task *task;
	unsigned int calls;
};

/**
 * struct st_sample - the driver data of the st_sample device
 * @tasks: the tasks created, indexed like st_sample_descs[]; NULL for the
 *	combinations left out by the module parameters.
 */
struct st_sample {
	struct st_sample_task *tasks[ST_SAMPLE_NR_TASKS];
};

static const char *
st_sample_state_name(enum scheduled_task_power_state previous_state)
{
	switch (previous_state) {
	case SCHEDULED_TASK_POWER_NONE:
		return "NONE";
	case SCHEDULED_TASK_POWER_OFF:
		return "OFF";
	case SCHEDULED_TASK_POWER_SUSPENDED:
		return "SUSPENDED";
	case SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED:
		return "RUNTIME_SUSPENDED";
	default:
		return "INVALID";
	}
}

static const char *st_sample_result_name(enum scheduled_task_result result)
{
	switch (result) {
	case SCHEDULED_TASK_SUCCESS:
		return "success";
	case SCHEDULED_TASK_FAIL:
		return "fail";
	case SCHEDULED_TASK_FAIL_TRY_AGAIN:
		return "fail-try-again";
	case SCHEDULED_TASK_SUCCESS_TRY_AGAIN:
		return "success-try-again";
	default:
		return "invalid";
	}
}

/**
 * st_sample_callback() - the work of every sample task
 * @task: the task being run.
 * @context: &scheduled_task_config.context, our struct st_sample_task (the
 *	sample never passes another context to scheduled_task_execute_now()
 *	or scheduled_task_execute_now_deferred(); a driver that does gets
 *	that context here instead).
 * @previous_state: the power state the device came up from for a run at
 *	resume (%SCHEDULED_TASK_POWER_OFF for the first power-up in probe);
 *	%SCHEDULED_TASK_POWER_NONE for everything else.
 *
 * A real driver would load firmware, calibrate, or fix up a setting once
 * here.  This one logs a line and returns first_result on its first call,
 * success on later ones, so a *-try-again first result shows the retry.
 *
 * Context: process context; may sleep.  Runs inside probe for immediate
 * probe and resume tasks, inside the resume callbacks for immediate resume
 * tasks, on a workqueue otherwise.  Must not destroy its own task.
 * Return: what the service should do next.
 */
static enum scheduled_task_result
st_sample_callback(struct scheduled_task *task, void *context,
		   enum scheduled_task_power_state previous_state)
{
	struct st_sample_task *st = context;
	enum scheduled_task_result result;

	/* Unlocked on purpose: see struct st_sample_task. */
	st->calls++;
	result = st->calls == 1 ? first_result : SCHEDULED_TASK_SUCCESS;

	dev_info(st->dev,
		 "st_sample: task=%s call=%u previous_state=%s result=%s\n",
		 st->desc->name, st->calls,
		 st_sample_state_name(previous_state),
		 st_sample_result_name(result));
	return result;
}

/* Create one task of the table on @dev; its record goes in @priv. */
static int st_sample_add_task(struct device *dev, struct st_sample *priv,
			      unsigned int i)
{
	const struct st_sample_desc *desc = &st_sample_descs[i];
	struct scheduled_task_config cfg = { };
	struct scheduled_task *task;
	struct st_sample_task *st;

	/* The context first, so that devres frees it after the task. */
	st = devm_kzalloc(dev, sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->dev = dev;
	st->desc = desc;

	cfg.name = desc->name;
	cfg.callback = st_sample_callback;
	cfg.context = st;
	cfg.persistence = desc->persistence;
	cfg.mode = desc->mode;
	cfg.when = desc->when;
	cfg.retry_ms_on_success = retry_ms;
	cfg.retry_ms_on_fail = retry_ms;
	cfg.initial_delay_ms = initial_delay_ms;
	cfg.wq = NULL;		/* the service's freezable workqueue */

	/*
	 * An immediate probe task runs its first call in here; an immediate
	 * resume task makes its first power-up run (previous state OFF) in
	 * here.  Either one returning SCHEDULED_TASK_FAIL makes create fail
	 * with -EIO, and then this probe fails: the device cannot work
	 * without its one-time setup.  A persistent task needs a store
	 * (-ENODEV without one; the service's store=ram parameter gives one
	 * for testing).
	 */
	task = devm_scheduled_task_create(dev, &cfg);
	if (IS_ERR(task))
		return dev_err_probe(dev, PTR_ERR(task),
				     "cannot create task %s\n", desc->name);

	st->task = task;
	priv->tasks[i] = st;
	return 0;
}

static int st_sample_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct st_sample *priv;
	unsigned int i;
	int err;

	priv = devm_kzalloc(dev, sizeof(*priv), GFP_KERNEL);
	if (!priv)
		return -ENOMEM;
	platform_set_drvdata(pdev, priv);

	for (i = 0; i < ST_SAMPLE_NR_TASKS; i++) {
		if (!(st_sample_selected & BIT(i)))
			continue;
		if (!persistent &&
		    st_sample_descs[i].persistence == SCHEDULED_TASK_PERSISTENT)
			continue;
		/*
		 * No unwinding on error: the tasks created so far are devm
		 * resources of @dev and go away with the failed probe.
		 */
		err = st_sample_add_task(dev, priv, i);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Runtime PM: the device's D0Entry after a runtime suspend.  Tell every
 * resume task that the device came back from RUNTIME_SUSPENDED; the service
 * runs the immediate ones here and schedules the deferred ones.  Tasks that
 * already completed ignore the call.  System sleep needs nothing like this.
 *
 * This driver never enables runtime PM (a real one would call
 * devm_pm_runtime_enable() in probe), so the PM core does not call this;
 * it is here to be copied.
 */
static int st_sample_runtime_resume(struct device *dev)
{
	struct st_sample *priv = dev_get_drvdata(dev);
	unsigned int i;
	int ret = 0;
	int err;

	if (!priv)
		return 0;

	for (i = 0; i < ST_SAMPLE_NR_TASKS; i++) {
		struct st_sample_task *st = priv->tasks[i];

		if (!st || st->desc->when != SCHEDULED_TASK_AT_RESUME)
			continue;
		/* -EIO when an immediate run returned SCHEDULED_TASK_FAIL. */
		err = scheduled_task_resume(st->task,
					    SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);
		if (err && !ret)
			ret = err;
	}
	return ret;
}

static const struct dev_pm_ops st_sample_pm_ops = {
	RUNTIME_PM_OPS(NULL, st_sample_runtime_resume, NULL)
};

/*
 * /sys/devices/platform/st_sample/run (root only): write a task name to
 * request one run of it on the workqueue.  The result is honoured like a
 * scheduled run's: a completed task does not run, a *-try-again result
 * arms the retry.  Requests are counted, not merged.
 */
static ssize_t run_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct st_sample *priv = dev_get_drvdata(dev);
	unsigned int i;
	int err;

	for (i = 0; i < ST_SAMPLE_NR_TASKS; i++) {
		struct st_sample_task *st = priv->tasks[i];

		if (!st || !sysfs_streq(buf, st->desc->name))
			continue;
		/* Callable from any context, even atomic; never sleeps. */
		err = scheduled_task_execute_now_deferred_ex(st->task);
		return err ? err : count;
	}
	return -EINVAL;
}
static DEVICE_ATTR_WO(run);

static struct attribute *st_sample_attrs[] = {
	&dev_attr_run.attr,
	NULL
};
ATTRIBUTE_GROUPS(st_sample);

static struct platform_driver st_sample_driver = {
	.probe = st_sample_probe,
	/* No remove: devres destroys the tasks, then frees their contexts. */
	.driver = {
		.name = ST_SAMPLE_NAME,
		.pm = pm_ptr(&st_sample_pm_ops),
		.dev_groups = st_sample_groups,
	},
};

/* The sample's own device; a real driver binds to one that firmware made. */
static struct platform_device *st_sample_pdev;

/* Turn the "tasks" parameter into st_sample_selected; unknown names fail. */
static int __init st_sample_select(void)
{
	const char *p, *end;
	unsigned int i;
	size_t len;

	BUILD_BUG_ON(ST_SAMPLE_NR_TASKS > BITS_PER_LONG);

	if (!tasks) {
		st_sample_selected = GENMASK(ST_SAMPLE_NR_TASKS - 1, 0);
		return 0;
	}

	for (p = tasks; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ',');
		len = end - p;
		if (!len)
			continue;
		for (i = 0; i < ST_SAMPLE_NR_TASKS; i++)
			if (strlen(st_sample_descs[i].name) == len &&
			    !strncmp(st_sample_descs[i].name, p, len))
				break;
		if (i == ST_SAMPLE_NR_TASKS) {
			pr_err("tasks: unknown task \"%.*s\"\n", (int)len, p);
			return -EINVAL;
		}
		st_sample_selected |= BIT(i);
	}
	return 0;
}

static int __init st_sample_init(void)
{
	int err;

	if (first_result < SCHEDULED_TASK_SUCCESS ||
	    first_result > SCHEDULED_TASK_SUCCESS_TRY_AGAIN) {
		pr_err("first_result must be 1..4, not %d\n", first_result);
		return -EINVAL;
	}
	err = st_sample_select();
	if (err)
		return err;

	err = platform_driver_register(&st_sample_driver);
	if (err)
		return err;

	/*
	 * Adding the device probes it at once.  A failing probe (for example
	 * first_result=2 with an immediate task) does not fail the load: the
	 * device stays, unbound, and dmesg says why.
	 */
	st_sample_pdev = platform_device_register_simple(ST_SAMPLE_NAME,
							 PLATFORM_DEVID_NONE,
							 NULL, 0);
	if (IS_ERR(st_sample_pdev)) {
		platform_driver_unregister(&st_sample_driver);
		return PTR_ERR(st_sample_pdev);
	}
	return 0;
}
module_init(st_sample_init);

static void __exit st_sample_exit(void)
{
	/* Unbinds the device: devres destroys its tasks. */
	platform_device_unregister(st_sample_pdev);
	platform_driver_unregister(&st_sample_driver);
}
module_exit(st_sample_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("Example client of the scheduled_task service");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
