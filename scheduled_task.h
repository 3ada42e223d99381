/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scheduled_task: run a driver's callback once, per binding or once ever.
 *
 * The Linux counterpart of Microsoft DMF's DMF_ScheduledTask
 * ("ScheduleTaskOnce").  See Documentation/scheduled_task.rst for the model
 * and Documentation/ABI/testing/sysfs-class-scheduled_task for the sysfs view.
 *
 * Clients import the symbol namespace: MODULE_IMPORT_NS(SCHEDULED_TASK);
 */
#ifndef _SCHEDULED_TASK_H
#define _SCHEDULED_TASK_H

#include <linux/types.h>

struct device;
struct workqueue_struct;
struct scheduled_task;

/**
 * enum scheduled_task_result - what a callback tells the service
 * @SCHEDULED_TASK_RESULT_INVALID: never returned by a valid callback; also
 *	what scheduled_task_execute_now() returns when it cannot call.
 * @SCHEDULED_TASK_SUCCESS: done; never run again (per binding or, for
 *	%SCHEDULED_TASK_PERSISTENT, ever).
 * @SCHEDULED_TASK_FAIL: failed; no automatic retry.
 * @SCHEDULED_TASK_FAIL_TRY_AGAIN: failed; run again after
 *	&scheduled_task_config.retry_ms_on_fail.
 * @SCHEDULED_TASK_SUCCESS_TRY_AGAIN: succeeded but wants another run after
 *	&scheduled_task_config.retry_ms_on_success.
 *
 * DMF: ScheduledTask_Result_Type.
 */
enum scheduled_task_result {
	SCHEDULED_TASK_RESULT_INVALID = 0,
	SCHEDULED_TASK_SUCCESS,
	SCHEDULED_TASK_FAIL,
	SCHEDULED_TASK_FAIL_TRY_AGAIN,
	SCHEDULED_TASK_SUCCESS_TRY_AGAIN,
};

/**
 * enum scheduled_task_persistence - how long "once" lasts
 * @SCHEDULED_TASK_PERSISTENCE_INVALID: not a valid configuration.
 * @SCHEDULED_TASK_PERSISTENT: once ever; the run count is kept in
 *	firmware-backed storage and survives reboots.
 * @SCHEDULED_TASK_NOT_PERSISTENT: once per binding of the client device.
 *
 * DMF: ScheduledTask_Persistence_Type.
 */
enum scheduled_task_persistence {
	SCHEDULED_TASK_PERSISTENCE_INVALID = 0,
	SCHEDULED_TASK_PERSISTENT,
	SCHEDULED_TASK_NOT_PERSISTENT,
};

/**
 * enum scheduled_task_mode - which thread runs the callback
 * @SCHEDULED_TASK_MODE_INVALID: not a valid configuration.
 * @SCHEDULED_TASK_IMMEDIATE: in the caller's thread (probe, resume).
 * @SCHEDULED_TASK_DEFERRED: on a workqueue, after
 *	&scheduled_task_config.initial_delay_ms.
 *
 * DMF: ScheduledTask_ExecutionMode_Type.
 */
enum scheduled_task_mode {
	SCHEDULED_TASK_MODE_INVALID = 0,
	SCHEDULED_TASK_IMMEDIATE,
	SCHEDULED_TASK_DEFERRED,
};

/**
 * enum scheduled_task_when - what triggers a scheduled run
 * @SCHEDULED_TASK_WHEN_INVALID: not a valid configuration.
 * @SCHEDULED_TASK_AT_PROBE: once, from the create call made in probe
 *	(DMF: PrepareHardware).
 * @SCHEDULED_TASK_AT_RESUME: at the first power-up (in create) and at
 *	each later power-up of the client device until a run succeeds
 *	(DMF: D0Entry, with DMF's once semantics).  Work due at every
 *	power-up re-arms the task with scheduled_task_times_run_set(task, 0)
 *	before it runs (see samples/st_resume_recal.c).
 * @SCHEDULED_TASK_ON_DEMAND: only the scheduled_task_execute_*() calls
 *	(DMF: Other).
 *
 * DMF: ScheduledTask_ExecuteWhen_Type.
 */
enum scheduled_task_when {
	SCHEDULED_TASK_WHEN_INVALID = 0,
	SCHEDULED_TASK_AT_PROBE,
	SCHEDULED_TASK_AT_RESUME,
	SCHEDULED_TASK_ON_DEMAND,
};

/**
 * enum scheduled_task_power_state - the state a device powers up from
 * @SCHEDULED_TASK_POWER_NONE: not a power-up (WdfPowerDeviceInvalid):
 *	probe runs, retries and on-demand runs.
 * @SCHEDULED_TASK_POWER_OFF: first power-up after probe, or restore from
 *	hibernation (WdfPowerDeviceD3Final).
 * @SCHEDULED_TASK_POWER_SUSPENDED: system resume from suspend (D3).
 * @SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED: runtime-PM resume (D3, idle).
 *
 * DMF: the PreviousState (WDF_POWER_DEVICE_STATE) given to D0Entry.
 */
enum scheduled_task_power_state {
	SCHEDULED_TASK_POWER_NONE = 0,
	SCHEDULED_TASK_POWER_OFF,
	SCHEDULED_TASK_POWER_SUSPENDED,
	SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED,
};

/**
 * typedef scheduled_task_fn - the client's work (EVT_DMF_ScheduledTask_Callback)
 * @task: the task being run.
 * @context: &scheduled_task_config.context, or the context given to
 *	scheduled_task_execute_now() / scheduled_task_execute_now_deferred().
 * @prev: the previous power state: the one the device came from for a
 *	power-up run, else %SCHEDULED_TASK_POWER_NONE.
 *
 * Called in process context; may sleep.  Two runs of one task never
 * overlap.  The callback may call any function of its own task except
 * scheduled_task_destroy().
 *
 * Return: one of the valid &enum scheduled_task_result values.
 */
typedef enum scheduled_task_result (*scheduled_task_fn)(struct scheduled_task *task,
							 void *context,
							 enum scheduled_task_power_state prev);

/**
 * struct scheduled_task_config - how a task runs (DMF_CONFIG_ScheduledTask)
 * @name: task name, ``[a-z0-9_-]{1,32}``, unique per client device; names
 *	the sysfs directory and the persistent record.
 * @callback: the work (EvtScheduledTaskCallback).
 * @context: passed to @callback by scheduled runs (CallbackContext).
 * @persistence: once per binding or once ever (PersistenceType).
 * @mode: in the caller's thread or on a workqueue (ExecutionMode).
 * @when: probe, resume or on demand (ExecuteWhen).
 * @retry_ms_on_success: delay before the run that follows
 *	%SCHEDULED_TASK_SUCCESS_TRY_AGAIN (TimerPeriodMsOnSuccess).
 * @retry_ms_on_fail: delay before the run that follows
 *	%SCHEDULED_TASK_FAIL_TRY_AGAIN (TimerPeriodMsOnFail).
 * @initial_delay_ms: delay before a deferred scheduled run
 *	(TimeMsBeforeInitialCall).
 * @wq: workqueue for deferred runs; NULL selects the module's freezable
 *	workqueue.  A client workqueue must outlive the task.
 */
struct scheduled_task_config {
	const char *name;
	scheduled_task_fn callback;
	void *context;
	enum scheduled_task_persistence persistence;
	enum scheduled_task_mode mode;
	enum scheduled_task_when when;
	unsigned int retry_ms_on_success;
	unsigned int retry_ms_on_fail;
	unsigned int initial_delay_ms;
	struct workqueue_struct *wq;
};

struct scheduled_task *
devm_scheduled_task_create(struct device *dev,
			   const struct scheduled_task_config *cfg);
struct scheduled_task *
scheduled_task_create(struct device *dev,
		      const struct scheduled_task_config *cfg);
void scheduled_task_destroy(struct scheduled_task *task);

void scheduled_task_cancel(struct scheduled_task *task);
void scheduled_task_restart(struct scheduled_task *task);
enum scheduled_task_result
scheduled_task_execute_now(struct scheduled_task *task, void *context);
int scheduled_task_execute_now_deferred(struct scheduled_task *task,
					void *context);
int scheduled_task_execute_now_deferred_ex(struct scheduled_task *task);
int scheduled_task_times_run_get(struct scheduled_task *task, u32 *times_run);
int scheduled_task_times_run_set(struct scheduled_task *task, u32 times_run);
int scheduled_task_resume(struct scheduled_task *task,
			  enum scheduled_task_power_state previous_state);
struct device *scheduled_task_device(struct scheduled_task *task);
void *scheduled_task_context(struct scheduled_task *task);

#endif /* _SCHEDULED_TASK_H */
