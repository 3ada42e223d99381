// SPDX-License-Identifier: GPL-2.0
/*
 * st_wait_resource: finish setting a device up once something it needs
 * appears, retrying from a workqueue.
 *
 * Copy from here when probe can complete but part of the setup must wait
 * for a resource that shows up later (a firmware file, a link partner,
 * another device's service).  Unlike returning -EPROBE_DEFER, which throws
 * the whole probe away and retries it only when the driver core sees some
 * other driver bind, the device binds at once and the task polls at a
 * fixed period.  The task is:
 *
 *	SCHEDULED_TASK_NOT_PERSISTENT	once per binding
 *	SCHEDULED_TASK_DEFERRED		on the service's workqueue, first
 *					initial_delay_ms after probe
 *	SCHEDULED_TASK_AT_PROBE		triggered by the create call in probe
 *
 * The callback returns SCHEDULED_TASK_FAIL_TRY_AGAIN while the resource is
 * missing; the service calls it again retry_ms_on_fail later, until it
 * returns SCHEDULED_TASK_SUCCESS.  (To give up after a while, count the
 * tries and return SCHEDULED_TASK_FAIL.)  Unbind cancels pending retries.
 *
 * The resource is simulated: it is "ready" on the ready_after'th call.
 *
 * Module parameters (read-only once loaded):
 *	initial_delay_ms=N	delay before the first call (default 100)
 *	retry_ms=N		delay between tries (default 200)
 *	ready_after=N		the call on which the resource is ready (3)
 *
 * Each call logs one line (dev_info() prefixes it with the driver and
 * device name, both "st_wait_resource"):
 *
 *	st_wait_resource: call=<n> result=<fail-try-again|success>
 *
 * Try it:
 *
 *	insmod scheduled-task.ko
 *	insmod st_wait_resource.ko	# three calls, about 0.5 s
 *	dmesg | grep 'st_wait_resource: call='
 *	cat /sys/class/scheduled_task/st_wait_resource:wait-resource/state
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>

#include "../scheduled_task.h"

#define ST_WAIT_NAME "st_wait_resource"

static unsigned int initial_delay_ms = 100;
module_param(initial_delay_ms, uint, 0444);
MODULE_PARM_DESC(initial_delay_ms,
		 "Delay before the first call, in ms (default 100)");

static unsigned int retry_ms = 200;
module_param(retry_ms, uint, 0444);
MODULE_PARM_DESC(retry_ms, "Delay between tries, in ms (default 200)");

static unsigned int ready_after = 3;
module_param(ready_after, uint, 0444);
MODULE_PARM_DESC(ready_after,
		 "The call on which the resource is ready (default 3)");

/**
 * struct st_wait - the driver data, also the task's context
 * @calls: callback invocations in this binding.  No lock needed: the
 *	service never runs two invocations of one task at the same time.
 */
struct st_wait {
	unsigned int calls;
};

/* A real driver asks whether its resource exists; this one counts calls. */
static bool st_wait_resource_ready(struct st_wait *wait)
{
	return wait->calls >= ready_after;
}

/**
 * st_wait_run() - finish the setup if the resource is there
 * @task: the task being run.
 * @context: our struct st_wait.
 * @previous_state: always %SCHEDULED_TASK_POWER_NONE for a probe task and
 *	its retries.
 *
 * Context: process context, on the workqueue; may sleep.
 * Return: %SCHEDULED_TASK_FAIL_TRY_AGAIN while the resource is missing,
 * then %SCHEDULED_TASK_SUCCESS (never called again in this binding).
 */
static enum scheduled_task_result
st_wait_run(struct scheduled_task *task, void *context,
	    enum scheduled_task_power_state previous_state)
{
	struct st_wait *wait = context;
	bool ready;

	wait->calls++;
	ready = st_wait_resource_ready(wait);
	/* ... here a real driver would use the resource when ready ... */
	dev_info(scheduled_task_device(task), "call=%u result=%s\n",
		 wait->calls, ready ? "success" : "fail-try-again");
	return ready ? SCHEDULED_TASK_SUCCESS : SCHEDULED_TASK_FAIL_TRY_AGAIN;
}

static int st_wait_probe(struct platform_device *pdev)
{
	struct scheduled_task_config cfg = {
		.name = "wait-resource",
		.callback = st_wait_run,
		.persistence = SCHEDULED_TASK_NOT_PERSISTENT,
		.mode = SCHEDULED_TASK_DEFERRED,
		.when = SCHEDULED_TASK_AT_PROBE,
		.initial_delay_ms = initial_delay_ms,
		.retry_ms_on_fail = retry_ms,
		.wq = NULL,	/* the service's freezable workqueue */
	};
	struct device *dev = &pdev->dev;
	struct scheduled_task *task;
	struct st_wait *wait;

	/* The context first, so that devres frees it after the task. */
	wait = devm_kzalloc(dev, sizeof(*wait), GFP_KERNEL);
	if (!wait)
		return -ENOMEM;
	cfg.context = wait;

	/* Returns at once: the first call comes initial_delay_ms later. */
	task = devm_scheduled_task_create(dev, &cfg);
	if (IS_ERR(task))
		return dev_err_probe(dev, PTR_ERR(task),
				     "cannot create task %s\n", cfg.name);
	return 0;
}

static struct platform_driver st_wait_driver = {
	.probe = st_wait_probe,
	/* No remove: devres cancels and destroys the task. */
	.driver = {
		.name = ST_WAIT_NAME,
	},
};

/* The sample's own device; a real driver binds to one that firmware made. */
static struct platform_device *st_wait_pdev;

static int __init st_wait_init(void)
{
	int err;

	err = platform_driver_register(&st_wait_driver);
	if (err)
		return err;
	/* Adding the device probes it at once. */
	st_wait_pdev = platform_device_register_simple(ST_WAIT_NAME,
						       PLATFORM_DEVID_NONE,
						       NULL, 0);
	if (IS_ERR(st_wait_pdev)) {
		platform_driver_unregister(&st_wait_driver);
		return PTR_ERR(st_wait_pdev);
	}
	return 0;
}
module_init(st_wait_init);

static void __exit st_wait_exit(void)
{
	platform_device_unregister(st_wait_pdev);
	platform_driver_unregister(&st_wait_driver);
}
module_exit(st_wait_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("scheduled_task example: wait for a resource, retrying");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
