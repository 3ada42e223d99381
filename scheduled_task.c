// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task: the scheduled-once service, state machine and API.
 *
 * A task runs its client's callback until the callback says
 * SCHEDULED_TASK_SUCCESS, then never again: for the life of the binding or,
 * with a persistent store, ever.  Runs are triggered from probe (create),
 * from resume (the class device's PM callbacks, which the PM core calls
 * after the client device's own resume) and on demand.  Every invocation
 * holds the task's run_lock, so two runs of one task never overlap.
 *
 * Three work items carry the three kinds of deferred work, each with its
 * own request: the delayed work plays DMF's timer for scheduled runs and
 * retries (@armed; since a pending delayed work cannot be queued twice, a
 * trigger that comes while one is armed adds nothing, DMF's
 * TimerIsStarted), one drains the counted execute_now_deferred_ex()
 * requests and one the legacy execute_now_deferred() calls, each with its
 * own context.  While the device is suspended, a work item that starts
 * leaves its request in place and resume queues it again.
 *
 * Lifecycle.  task->state is one of the states below, changed only by
 * st_set_state_locked(), which traces every change and marks arrivals at
 * completed and store-error for a uevent (st_announce()).  The gate
 * (task->gate: open, cancelled, dying) says whether work may start; one
 * function, st_may_run_locked(), decides whether a scheduled run may call
 * the client.  "rest" is the state of a task that runs nothing and has not
 * settled, from st_rest_locked(): cancelled if the gate is closed, else
 * retry-wait if a retry is armed, else pending if a run is armed or
 * requests or calls are queued, else idle.
 *
 *   from                 event                                  to
 *   (create)             the record cannot be read, or no       store-error
 *                        first record can be written
 *   (create)             the record says the task ran           completed
 *   (create)             otherwise                              rest (idle)
 *   idle, pending,       a trigger: probe, power-up, restart,   rest (pending,
 *   retry-wait           a request, a deferred call             retry-wait)
 *   idle, pending,       a callback starts, on any path         running
 *   retry-wait,
 *   cancelled
 *   running              a scheduled run's SUCCESS, recorded    completed
 *   running              a scheduled run's SUCCESS whose        record-pending
 *                        record write failed
 *   running              the callback returns otherwise         rest
 *   record-pending       a retried record write lands           completed
 *   record-pending       the last retried write fails           store-error
 *   idle, pending,       cancel, destroy (running: the run      cancelled
 *   retry-wait           ends first)
 *   cancelled            restart                                rest
 *   any                  times_run set to n > 0                 completed
 *   record-pending,      times_run set to 0, or a record of 0   rest
 *   completed,           read at hibernation restore
 *   store-error
 *   any                  the record cannot be read at           store-error
 *                        hibernation restore
 *
 * The last three states are settled: no scheduled run passes the gate.
 * execute_now() and the legacy execute_now_deferred() calls run the
 * callback whatever the state (DMF runs them whatever the once state);
 * they enter running only from an unsettled state and change nothing
 * else.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/pm.h>
#include <linux/property.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stringhash.h>
#include <linux/workqueue.h>

#include "scheduled_task.h"
#include "scheduled_task_internal.h"

#define CREATE_TRACE_POINTS
#include "scheduled_task_trace.h"

/*
 * The default workqueue.  Freezable, so no deferred run happens while the
 * system sleeps.  Unbound, because callbacks are arbitrary client
 * work (firmware setup, polling a device) that may run long, and should
 * not hold up a per-CPU pool.  Not WQ_MEM_RECLAIM: nothing in memory
 * reclaim waits for a task.
 */
static struct workqueue_struct *st_wq;

static const struct device_type *
st_device_type(const struct scheduled_task_config *cfg);

/*
 * The live tasks by class device name and, for persistent ones, by record
 * key, so that create refuses a duplicate without a walk over every task.
 * st_create_lock serializes the check with device_add() and device_del().
 */
static DEFINE_MUTEX(st_create_lock);
static DEFINE_HASHTABLE(st_by_name, 10);
static DEFINE_HASHTABLE(st_by_key, 10);

/* One execute_now_deferred() call waiting to run. */
struct st_call {
	struct list_head node;
	void *context;
};

static bool st_is_self(struct scheduled_task *task)
{
	return READ_ONCE(task->runner) == current;
}

static void st_free_calls(struct list_head *calls)
{
	struct st_call *call, *tmp;

	list_for_each_entry_safe(call, tmp, calls, node) {
		list_del(&call->node);
		kfree(call);
	}
}

const char *st_result_name(enum scheduled_task_result result)
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
		return "none";
	}
}
EXPORT_SYMBOL_IF_KUNIT(st_result_name);

/* ---- State and transitions ------------------------------------------- */

static const char *const st_state_names[] = {
	[ST_IDLE] = "idle",
	[ST_PENDING] = "pending",
	[ST_RETRY_WAIT] = "retry-wait",
	[ST_RUNNING] = "running",
	[ST_CANCELLED] = "cancelled",
	[ST_RECORD_PENDING] = "record-pending",
	[ST_COMPLETED] = "completed",
	[ST_STORE_ERROR] = "store-error",
};

/* The task has answered its once question: no scheduled run any more. */
static bool st_settled(enum st_state state)
{
	return state == ST_RECORD_PENDING || state == ST_COMPLETED ||
	       state == ST_STORE_ERROR;
}

/* The one place the state changes. */
static void st_set_state_locked(struct scheduled_task *task,
				enum st_state state)
{
	lockdep_assert_held(&task->lock);

	if (state == task->state)
		return;
	trace_scheduled_task_state(task, st_state_names[task->state],
				   st_state_names[state]);
	if (state == ST_COMPLETED || state == ST_STORE_ERROR)
		task->announce = true;
	task->state = state;
}

/* What an unsettled task that runs nothing waits for (see the table). */
static enum st_state st_rest_locked(struct scheduled_task *task)
{
	lockdep_assert_held(&task->lock);

	if (task->gate != ST_GATE_OPEN)
		return ST_CANCELLED;
	if (task->armed == ST_ARMED_RETRY)
		return ST_RETRY_WAIT;
	if (task->armed == ST_ARMED_RUN || task->ex_requests ||
	    !list_empty(&task->legacy_calls))
		return ST_PENDING;
	return ST_IDLE;
}

/* After its requests or gate changed, a task that runs nothing rests. */
static void st_settle_locked(struct scheduled_task *task)
{
	if (task->state != ST_RUNNING && !st_settled(task->state))
		st_set_state_locked(task, st_rest_locked(task));
}

/* The run count became @times_run: completed, or unsettled again at 0. */
static void st_count_locked(struct scheduled_task *task, u32 times_run)
{
	if (times_run)
		st_set_state_locked(task, ST_COMPLETED);
	else if (st_settled(task->state))
		st_set_state_locked(task, st_rest_locked(task));
}

/*
 * The gate every scheduled run passes, when it is armed and again when it
 * would call the client: probe, resume and restart runs, retries and
 * execute_now_deferred_ex() requests.  Not once the task has settled, nor
 * while cancelled or dying.  execute_now() and the legacy deferred calls
 * do not pass here: DMF runs them whatever the once state.
 */
static bool st_may_run_locked(struct scheduled_task *task)
{
	lockdep_assert_held(&task->lock);

	return task->gate == ST_GATE_OPEN && !st_settled(task->state);
}

/**
 * st_state_name() - the task's state as the sysfs ``state`` attribute says it
 * @task: the task
 *
 * Context: any; takes @task->lock.
 * Return: a static string.
 */
const char *st_state_name(struct scheduled_task *task)
{
	enum st_state state;
	unsigned long flags;

	spin_lock_irqsave(&task->lock, flags);
	state = task->state;
	spin_unlock_irqrestore(&task->lock, flags);
	return st_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(st_state_name);

/*
 * Tell user space when the task reaches a state it may wait for:
 * "completed" (the one-time work is done, in this boot or, for a
 * persistent task, an earlier one) or "store-error" (it needs an
 * administrator).  A KOBJ_CHANGE uevent on the task's class device with
 * STATE=<state>, once per arrival (st_set_state_locked() marks them).
 * Called in process context after each change that may lead there.
 */
static void st_announce(struct scheduled_task *task)
{
	char env[32], *envp[] = { env, NULL };
	enum st_state state;
	bool send;

	spin_lock_irq(&task->lock);
	state = task->state;
	send = task->announce &&
	       (state == ST_COMPLETED || state == ST_STORE_ERROR);
	task->announce = false;
	spin_unlock_irq(&task->lock);
	if (!send)
		return;
	snprintf(env, sizeof(env), "STATE=%s", st_state_names[state]);
	kobject_uevent_env(&task->dev.kobj, KOBJ_CHANGE, envp);
}

/* ---- Triggers and runs ----------------------------------------------- */

/* How much a power-up may have lost: OFF > SUSPENDED > RUNTIME > none. */
static int st_power_loss(enum scheduled_task_power_state state)
{
	switch (state) {
	case SCHEDULED_TASK_POWER_OFF:
		return 3;
	case SCHEDULED_TASK_POWER_SUSPENDED:
		return 2;
	case SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED:
		return 1;
	default:
		return 0;
	}
}

/*
 * Arm the delayed work unless the gate is shut.  One timer at a time: a
 * trigger that finds a run or retry armed (or fired and waiting for
 * resume) joins it, and a power-up that joins it still makes that run
 * report the greater loss of power, so the callback learns that the
 * device was powered down.
 */
static void st_arm_locked(struct scheduled_task *task, enum st_armed why,
			  unsigned int delay_ms,
			  enum scheduled_task_power_state state)
{
	lockdep_assert_held(&task->lock);

	if (!st_may_run_locked(task))
		return;
	if (task->armed != ST_ARMED_NONE) {
		if (st_power_loss(state) > st_power_loss(task->dwork_state))
			task->dwork_state = state;
		return;
	}
	task->armed = why;
	task->dwork_state = state;
	queue_delayed_work(task->wq, &task->dwork, msecs_to_jiffies(delay_ms));
	st_settle_locked(task);
	dev_dbg(&task->dev, "%s armed, %u ms\n",
		why == ST_ARMED_RETRY ? "retry" : "run", delay_ms);
}

static void st_arm(struct scheduled_task *task, enum st_armed why,
		   unsigned int delay_ms, enum scheduled_task_power_state state)
{
	unsigned long flags;

	spin_lock_irqsave(&task->lock, flags);
	st_arm_locked(task, why, delay_ms, state);
	spin_unlock_irqrestore(&task->lock, flags);
}

/*
 * Start a run, in the lock section that took its request: a scheduled run
 * (@gated) must first pass the gate.  Return: whether the client may be
 * called; when it may, the task is marked running (unless it is settled:
 * a legacy call or execute_now() leaves a finished task as it is).
 */
static bool st_start_locked(struct scheduled_task *task, bool gated)
{
	lockdep_assert_held(&task->lock);
	if (gated && !st_may_run_locked(task))
		return false;
	if (!st_settled(task->state))
		st_set_state_locked(task, ST_RUNNING);
	task->runs++;
	return true;
}

static bool st_start(struct scheduled_task *task, bool gated)
{
	bool started;

	spin_lock_irq(&task->lock);
	started = st_start_locked(task, gated);
	spin_unlock_irq(&task->lock);
	return started;
}

/*
 * Call the client, for a run st_start_locked() started.  The caller holds
 * run_lock, which is what makes runs of one task mutually exclusive.
 */
static enum scheduled_task_result
st_invoke(struct scheduled_task *task, void *context,
	  enum scheduled_task_power_state state)
{
	enum scheduled_task_result result;
	bool timed;
	u64 start = 0;

	lockdep_assert_held(&task->run_lock);
	WRITE_ONCE(task->runner, current);

	trace_scheduled_task_run(task, state);
	/* The clock only for the tracepoint: a run's cost when it is off. */
	timed = trace_scheduled_task_done_enabled();
	if (timed)
		start = ktime_get_ns();
	result = task->cfg.callback(task, context, state);
	if (timed)
		trace_scheduled_task_done(task, result, ktime_get_ns() - start);

	WRITE_ONCE(task->runner, NULL);
	if (result < SCHEDULED_TASK_SUCCESS ||
	    result > SCHEDULED_TASK_SUCCESS_TRY_AGAIN) {
		dev_err_ratelimited(&task->dev,
				    "callback returned invalid result %d, taken as fail\n",
				    result);
		result = SCHEDULED_TASK_FAIL;
	}
	dev_dbg(&task->dev, "run %s, previous state %d\n",
		st_result_name(result), state);
	return result;
}

/*
 * The end of an invocation, published in one step: its result, for a
 * scheduled run (@retry) the retry the result asks for, and the state the
 * task comes to rest in.  A success was recorded before (st_complete()),
 * so no reader sees "success" next to the count from before it.  Then the
 * state reached, if user space waits for it, is announced.
 */
static void st_finish(struct scheduled_task *task,
		      enum scheduled_task_result result, bool retry)
{
	bool announce;

	spin_lock_irq(&task->lock);
	task->last_result = result;
	if (retry && result == SCHEDULED_TASK_SUCCESS_TRY_AGAIN)
		st_arm_locked(task, ST_ARMED_RETRY, task->cfg.retry_ms_on_success,
			      SCHEDULED_TASK_POWER_NONE);
	else if (retry && result == SCHEDULED_TASK_FAIL_TRY_AGAIN)
		st_arm_locked(task, ST_ARMED_RETRY, task->cfg.retry_ms_on_fail,
			      SCHEDULED_TASK_POWER_NONE);
	if (task->state == ST_RUNNING)
		st_set_state_locked(task, st_rest_locked(task));
	announce = task->announce;
	spin_unlock_irq(&task->lock);
	if (announce)
		st_announce(task);
}

/*
 * Count a SUCCESS in the store first, then call the task completed.
 * Return: 0, or the write's error (nothing changed).
 */
static int st_record_success(struct scheduled_task *task)
{
	u32 n;
	int err = 0;

	mutex_lock(&task->store_lock);
	n = task->times_run;
	if (task->store)
		err = st_store_write(task, n + 1);
	if (!err)
		task->times_run = n + 1;
	spin_lock_irq(&task->lock);
	if (!err) {
		st_set_state_locked(task, ST_COMPLETED);
		task->ex_requests = 0;
	}
	spin_unlock_irq(&task->lock);
	mutex_unlock(&task->store_lock);
	if (!err)
		dev_dbg(&task->dev, "completed, times_run %u\n", n + 1);
	return err;
}

/*
 * A success whose record cannot be written is written again later: the
 * store may come back (a busy bus, firmware that refused once).  Until it
 * lands the task does not run, since it did succeed.  The tries are
 * st_record_retry_ms apart, doubling, ST_RECORD_TRIES writes in all; if
 * every one fails the task enters store-error and, with its record
 * unchanged, runs again at the next boot.
 */
#define ST_RECORD_TRIES	8
VISIBLE_IF_KUNIT unsigned int st_record_retry_ms = 100;
EXPORT_SYMBOL_IF_KUNIT(st_record_retry_ms);

/* Queue the next try, or give up; @task->lock held.  True when given up. */
static bool st_record_retry(struct scheduled_task *task)
{
	lockdep_assert_held(&task->lock);

	if (task->record_tries < ST_RECORD_TRIES &&
	    task->gate != ST_GATE_DYING) {
		queue_delayed_work(st_wq, &task->record_work,
				   msecs_to_jiffies(st_record_retry_ms <<
						    (task->record_tries - 1)));
		return false;
	}
	st_set_state_locked(task, ST_STORE_ERROR);
	return true;
}

static void st_complete(struct scheduled_task *task)
{
	int err = st_record_success(task);

	if (!err)
		return;
	dev_err(&task->dev, "cannot record completion in store %s: %d; trying again\n",
		st_store_name(task), err);
	spin_lock_irq(&task->lock);
	st_set_state_locked(task, ST_RECORD_PENDING);
	task->record_tries = 1;
	st_record_retry(task);
	spin_unlock_irq(&task->lock);
}

static void st_record_work_fn(struct work_struct *work)
{
	struct scheduled_task *task =
		container_of(to_delayed_work(work), struct scheduled_task,
			     record_work);
	unsigned int tries;
	bool pending, gave_up = false;
	int err;

	/* Not inside a run, nor inside a times_run write (which wins). */
	mutex_lock(&task->run_lock);
	spin_lock_irq(&task->lock);
	tries = ++task->record_tries;
	pending = task->state == ST_RECORD_PENDING;
	spin_unlock_irq(&task->lock);
	if (!pending) {
		mutex_unlock(&task->run_lock);
		return;
	}
	err = st_record_success(task);
	if (err) {
		spin_lock_irq(&task->lock);
		gave_up = st_record_retry(task);
		spin_unlock_irq(&task->lock);
	}
	st_announce(task);
	mutex_unlock(&task->run_lock);

	if (!err)
		dev_info(&task->dev, "completion recorded at write %u\n", tries);
	else if (gave_up)
		dev_err(&task->dev, "cannot record completion in store %s after %u writes (%d): the task will run again at the next boot\n",
			st_store_name(task), tries, err);
}

/*
 * A scheduled run, started: honours the once state, the result (a retry
 * for the *_TRY_AGAIN ones) and cancel.  The caller holds run_lock.
 */
static enum scheduled_task_result
st_run_started(struct scheduled_task *task,
	       enum scheduled_task_power_state state)
{
	enum scheduled_task_result result;

	result = st_invoke(task, task->cfg.context, state);
	if (result == SCHEDULED_TASK_SUCCESS)
		st_complete(task);
	st_finish(task, result, true);
	return result;
}

static enum scheduled_task_result
st_run(struct scheduled_task *task, enum scheduled_task_power_state state)
{
	enum scheduled_task_result result;

	/* A resume hook called from the task's own callback: not a new run. */
	if (st_is_self(task)) {
		dev_err_ratelimited(&task->dev,
				    "run requested from the task's own callback, ignored\n");
		return SCHEDULED_TASK_RESULT_INVALID;
	}
	mutex_lock(&task->run_lock);
	result = st_start(task, true) ? st_run_started(task, state) :
					SCHEDULED_TASK_RESULT_INVALID;
	mutex_unlock(&task->run_lock);
	return result;
}

/*
 * Work items that start while the device is suspended (possible only on a
 * client workqueue that is not freezable) leave their request in place;
 * resume queues them again (st_wake()).  They look with run_lock held, so
 * that once st_pm_suspend() has taken and dropped run_lock, no work item
 * of the task calls the client.  A cancel or destroy drops the requests,
 * so a work item queued before it, or by a resume racing it, finds
 * nothing to do.
 */
static void st_dwork_fn(struct work_struct *work)
{
	struct scheduled_task *task =
		container_of(to_delayed_work(work), struct scheduled_task, dwork);
	enum scheduled_task_power_state state;
	bool started;

	mutex_lock(&task->run_lock);
	spin_lock_irq(&task->lock);
	if (task->armed == ST_ARMED_NONE || task->suspended) {
		spin_unlock_irq(&task->lock);
		mutex_unlock(&task->run_lock);
		return;
	}
	task->armed = ST_ARMED_NONE;
	state = task->dwork_state;
	started = st_start_locked(task, true);
	spin_unlock_irq(&task->lock);

	if (started)
		st_run_started(task, state);
	mutex_unlock(&task->run_lock);
}

static void st_ex_work_fn(struct work_struct *work)
{
	struct scheduled_task *task =
		container_of(work, struct scheduled_task, ex_work);
	bool started;

	for (;;) {
		mutex_lock(&task->run_lock);
		spin_lock_irq(&task->lock);
		if (!task->ex_requests || task->suspended) {
			spin_unlock_irq(&task->lock);
			mutex_unlock(&task->run_lock);
			return;
		}
		task->ex_requests--;
		started = st_start_locked(task, true);
		spin_unlock_irq(&task->lock);

		if (started)
			st_run_started(task, SCHEDULED_TASK_POWER_NONE);
		mutex_unlock(&task->run_lock);
		cond_resched();
	}
}

static void st_legacy_work_fn(struct work_struct *work)
{
	struct scheduled_task *task =
		container_of(work, struct scheduled_task, legacy_work);
	struct st_call *call;

	for (;;) {
		mutex_lock(&task->run_lock);
		spin_lock_irq(&task->lock);
		call = NULL;
		if (!task->suspended)
			call = list_first_entry_or_null(&task->legacy_calls,
							struct st_call, node);
		if (call) {
			list_del(&call->node);
			st_start_locked(task, false);
		}
		spin_unlock_irq(&task->lock);
		if (!call) {
			mutex_unlock(&task->run_lock);
			return;
		}

		/* DMF legacy semantics: the result and once state are ignored. */
		st_finish(task, st_invoke(task, call->context,
					  SCHEDULED_TASK_POWER_NONE), false);
		mutex_unlock(&task->run_lock);
		kfree(call);
		cond_resched();	/* DMF's To-Do: do not spin through a long queue */
	}
}

/* D0Entry: the first power-up and every resume of an AT_RESUME task. */
static int st_power_up(struct scheduled_task *task,
		       enum scheduled_task_power_state state)
{
	if (task->cfg.when != SCHEDULED_TASK_AT_RESUME)
		return 0;
	if (task->cfg.mode == SCHEDULED_TASK_DEFERRED) {
		st_arm(task, ST_ARMED_RUN, task->cfg.initial_delay_ms, state);
		return 0;
	}
	return st_run(task, state) == SCHEDULED_TASK_FAIL ? -EIO : 0;
}

/* ---- Create: validation, identity, publication ----------------------- */

static bool st_valid_name(const char *name)
{
	size_t i, len = strnlen(name, ST_NAME_MAX + 1);

	if (!len || len > ST_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!islower(name[i]) && !isdigit(name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

/* Which field is wrong, or NULL when the configuration is valid. */
static const char *st_invalid_field(const struct scheduled_task_config *cfg)
{
	if (!cfg->name || !st_valid_name(cfg->name))
		return "name";
	if (!cfg->callback)
		return "callback";
	if (cfg->persistence != SCHEDULED_TASK_PERSISTENT &&
	    cfg->persistence != SCHEDULED_TASK_NOT_PERSISTENT)
		return "persistence";
	if (cfg->mode != SCHEDULED_TASK_IMMEDIATE &&
	    cfg->mode != SCHEDULED_TASK_DEFERRED)
		return "mode";
	if (cfg->when != SCHEDULED_TASK_AT_PROBE &&
	    cfg->when != SCHEDULED_TASK_AT_RESUME &&
	    cfg->when != SCHEDULED_TASK_ON_DEMAND)
		return "when";
	return NULL;
}

static const char *st_driver_name(struct device *dev)
{
	return dev->driver ? dev->driver->name : "none";
}

/*
 * A firmware node that names the device the same way on every boot: a
 * device-tree or ACPI node, or a software node that platform code named
 * (with every parent named too: an unnamed one is numbered as registered).
 */
static bool st_fwnode_stable(const struct fwnode_handle *fwnode)
{
	const struct software_node *node = to_software_node(fwnode);

	if (is_of_node(fwnode) || is_acpi_device_node(fwnode))
		return true;
	if (!node)
		return false;
	for (; node; node = node->parent)
		if (!node->name)
			return false;
	return true;
}

/* Named in probe order (PLATFORM_DEVID_AUTO: "foo.3.auto"). */
static bool st_auto_numbered(struct device *dev)
{
	return dev_is_platform(dev) && to_platform_device(dev)->id_auto;
}

/*
 * The key of a persistent record, "<driver>/<device>/<task>", written to
 * @buf like snprintf() (the length it needs is returned).  It must name
 * this task on every boot and no other task.  <device> is the path of the
 * client's firmware node where it has a stable one ("/soc/i2c@1000/eeprom@50",
 * "\_SB.PCI0.LPCB.EC0"), which stays the same however devices are found
 * and numbered, else dev_name().  Driver names hold no '/' and task names
 * are [a-z0-9_-], so the key is unambiguous although a path holds '/'.
 */
static int st_key(struct device *dev, const char *name, char *buf, size_t len)
{
	const struct fwnode_handle *fwnode = dev_fwnode(dev);

	if (st_fwnode_stable(fwnode))
		return snprintf(buf, len, "%s/%pfwf/%s", st_driver_name(dev),
				fwnode, name);
	return snprintf(buf, len, "%s/%s/%s", st_driver_name(dev),
			dev_name(dev), name);
}

/*
 * A persistent task needs a key (st_key()) that is whole: never truncated,
 * and not made of a name that may belong to another device next boot.
 */
static int st_check_identity(struct device *dev, const char *name)
{
	int len;

	if (!st_fwnode_stable(dev_fwnode(dev)) && st_auto_numbered(dev)) {
		dev_err(dev, "persistent task %s: the device is numbered in probe order (PLATFORM_DEVID_AUTO) and has no firmware node, so its name may belong to another device next boot\n",
			name);
		return -EINVAL;
	}
	len = st_key(dev, name, NULL, 0);
	if (len >= ST_KEY_MAX) {
		dev_err(dev, "persistent task %s: record key (driver %s, device, task) is %d bytes, more than %d\n",
			name, st_driver_name(dev), len, ST_KEY_MAX - 1);
		return -ENAMETOOLONG;
	}
	return 0;
}

/*
 * Versions before firmware-node keys named every device by dev_name():
 * a task whose key is now a node path takes its record over from that
 * key (st_store_decode()).  An auto-numbered name never had a record.
 */
static int st_set_former_key(struct scheduled_task *task)
{
	struct device *client = task->client;

	if (task->cfg.persistence != SCHEDULED_TASK_PERSISTENT ||
	    !st_fwnode_stable(dev_fwnode(client)) || st_auto_numbered(client))
		return 0;
	task->former_key = kasprintf(GFP_KERNEL, "%s/%s/%s",
				     st_driver_name(client), dev_name(client),
				     task->name);
	if (!task->former_key)
		return -ENOMEM;
	task->former_hash = st_record_key_hash(task->former_key);
	return 0;
}

static void st_release(struct device *dev)
{
	struct scheduled_task *task = st_from_dev(dev);

	mutex_destroy(&task->run_lock);
	lockdep_unregister_key(&task->run_key);
	lockdep_unregister_key(&task->dwork_key);
	lockdep_unregister_key(&task->ex_key);
	lockdep_unregister_key(&task->legacy_key);
	lockdep_unregister_key(&task->record_key);
	mutex_destroy(&task->store_lock);
	kfree(task->former_key);
	kfree(task);
	/* The reference st_alloc() took: see there. */
	module_put(THIS_MODULE);
}

/*
 * The work items, each a lockdep class of its own task (INIT_WORK() gives
 * all tasks one class per item): a callback may cancel or destroy another
 * task, flushing that task's work from inside its own, and with one class
 * lockdep would report that as recursion.
 */
static void st_init_work(struct scheduled_task *task)
{
	lockdep_register_key(&task->dwork_key);
	lockdep_register_key(&task->ex_key);
	lockdep_register_key(&task->legacy_key);
	lockdep_register_key(&task->record_key);
	__INIT_WORK_KEY(&task->dwork.work, st_dwork_fn, 0, &task->dwork_key);
	timer_setup(&task->dwork.timer, delayed_work_timer_fn, TIMER_IRQSAFE);
	__INIT_WORK_KEY(&task->record_work.work, st_record_work_fn, 0,
			&task->record_key);
	timer_setup(&task->record_work.timer, delayed_work_timer_fn,
		    TIMER_IRQSAFE);
	__INIT_WORK_KEY(&task->ex_work, st_ex_work_fn, 0, &task->ex_key);
	__INIT_WORK_KEY(&task->legacy_work, st_legacy_work_fn, 0,
			&task->legacy_key);
}

/* Create, step 2: the task, initialized but not yet visible. */
static struct scheduled_task *st_alloc(struct device *client,
				       const struct scheduled_task_config *cfg)
{
	struct scheduled_task *task;

	task = kzalloc(sizeof(*task), GFP_KERNEL);
	if (!task)
		return NULL;
	/*
	 * Each task pins the module until its release has run: the release
	 * is module code, and the driver core may call it after the last
	 * put_device() returns (CONFIG_DEBUG_KOBJECT_RELEASE delays it by
	 * seconds), when the client, and then this module, may be unloaded.
	 */
	__module_get(THIS_MODULE);

	task->client = client;
	task->cfg = *cfg;
	strscpy(task->name, cfg->name, sizeof(task->name));
	task->cfg.name = task->name;
	st_key(client, task->name, task->key, sizeof(task->key));
	task->key_hash = st_record_key_hash(task->key);
	if (st_set_former_key(task)) {
		kfree(task);
		module_put(THIS_MODULE);
		return NULL;
	}
	task->wq = cfg->wq ?: st_wq;

	lockdep_register_key(&task->run_key);
	mutex_init(&task->run_lock);
	lockdep_set_class(&task->run_lock, &task->run_key);
	mutex_init(&task->store_lock);
	spin_lock_init(&task->lock);
	INIT_LIST_HEAD(&task->legacy_calls);
	st_init_work(task);

	device_initialize(&task->dev);
	task->dev.class = &st_class;
	task->dev.type = st_device_type(cfg);
	/* Without PM callbacks, no place in the PM core and no power/ files. */
	if (!task->dev.type->pm)
		device_set_pm_not_required(&task->dev);
	task->dev.parent = client;
	task->dev.release = st_release;
	return task;
}

static u32 st_name_hash(const char *name)
{
	return full_name_hash(NULL, name, strlen(name));
}

static struct scheduled_task *st_find_name(const char *name)
{
	struct scheduled_task *task;

	lockdep_assert_held(&st_create_lock);
	hash_for_each_possible(st_by_name, task, name_node, st_name_hash(name))
		if (!strcmp(dev_name(&task->dev), name))
			return task;
	return NULL;
}

static struct scheduled_task *st_find_key(const char *key, u32 key_hash)
{
	struct scheduled_task *task;

	lockdep_assert_held(&st_create_lock);
	hash_for_each_possible(st_by_key, task, key_node, key_hash)
		if (!strcmp(task->key, key))
			return task;
	return NULL;
}

/*
 * -EEXIST, with the reason logged, when the client already has a task of
 * that name, when another device of the same name (on another bus) has
 * one, since class device names "<device>:<task>" share one directory, or
 * when a persistent task's record key is another live task's.
 */
static int st_check_clash(struct scheduled_task *task)
{
	struct scheduled_task *other = st_find_name(dev_name(&task->dev));

	if (other && other->client == task->client) {
		dev_err(task->client, "scheduled task %s already exists\n",
			task->name);
		return -EEXIST;
	}
	if (other) {
		dev_err(task->client, "scheduled task %s: %s is taken by a device of the same name on bus %s\n",
			task->name, dev_name(&task->dev),
			other->client->bus ? other->client->bus->name : "none");
		return -EEXIST;
	}
	if (task->cfg.persistence != SCHEDULED_TASK_PERSISTENT)
		return 0;
	other = st_find_key(task->key, task->key_hash);
	if (other) {
		dev_err(task->client, "persistent task %s: task %s has the same record key %s (two devices with one firmware node?)\n",
			task->name, dev_name(&other->dev), task->key);
		return -EEXIST;
	}
	return 0;
}

/* Add the class device, and the task to the tables, unless it clashes. */
static int st_add(struct scheduled_task *task)
{
	int err;

	err = dev_set_name(&task->dev, "%s:%s", dev_name(task->client),
			   task->name);
	if (err)
		return err;

	mutex_lock(&st_create_lock);
	err = st_check_clash(task);
	if (!err)
		err = device_add(&task->dev);
	if (!err) {
		hash_add(st_by_name, &task->name_node,
			 st_name_hash(dev_name(&task->dev)));
		if (task->cfg.persistence == SCHEDULED_TASK_PERSISTENT)
			hash_add(st_by_key, &task->key_node, task->key_hash);
	}
	mutex_unlock(&st_create_lock);
	return err;
}

/*
 * Undo st_add(): no sysfs file of the task is in use when this returns.
 * device_del() waits for attribute callbacks under way, which may wait
 * for a run whose callback creates a task: not under st_create_lock.
 */
static void st_del(struct scheduled_task *task)
{
	device_del(&task->dev);
	mutex_lock(&st_create_lock);
	hash_del(&task->name_node);
	hash_del(&task->key_node);	/* unhashed if not persistent: no-op */
	mutex_unlock(&st_create_lock);
}

/*
 * PERSISTENT tasks are completed when their record says they ran: read at
 * create and again at hibernation restore.  A task that has not run gets
 * a record of count 0 written before it may run, so that a store which
 * cannot be written (full, write-protected, dropping writes) stops the
 * task now, in store-error, and not after a run it could not record,
 * which would repeat at every boot.
 */
static void st_load_times_run(struct scheduled_task *task,
			      const struct st_record *found)
{
	const char *what = "read run count from";
	u32 n;
	int err;

	mutex_lock(&task->store_lock);
	err = st_store_read(task, found, &n);
	if (!err && !n) {
		what = "write a first record to";
		err = st_store_write(task, 0);
	}
	if (err)
		task->store_read_err = err;
	else
		task->times_run = n;
	mutex_unlock(&task->store_lock);

	spin_lock_irq(&task->lock);
	if (err)
		st_set_state_locked(task, ST_STORE_ERROR);
	else
		st_count_locked(task, n);
	spin_unlock_irq(&task->lock);

	if (err)
		dev_err(&task->dev,
			"cannot %s store %s (%d): task will not run until times_run is written\n",
			what, st_store_name(task), err);
	st_announce(task);
}

/* Create, step 1: refuse what no task can be made of. */
static int st_validate(struct device *dev,
		       const struct scheduled_task_config *cfg)
{
	const char *field;

	if (!dev) {
		pr_err("create: no device\n");
		return -EINVAL;
	}
	if (!cfg) {
		dev_err(dev, "scheduled task: no config\n");
		return -EINVAL;
	}
	field = st_invalid_field(cfg);
	if (field) {
		dev_err(dev, "scheduled task %s: invalid %s\n",
			cfg->name && st_valid_name(cfg->name) ? cfg->name : "?",
			field);
		return -EINVAL;
	}
	if (cfg->persistence == SCHEDULED_TASK_PERSISTENT)
		return st_check_identity(dev, cfg->name);
	return 0;
}

/*
 * Create, step 3 (after st_alloc()): the class device, then for a
 * persistent task its store and the count its record holds.  On error
 * the task is gone.
 */
static int st_publish(struct scheduled_task *task)
{
	struct st_record found;
	int err;

	err = st_add(task);
	if (err) {
		if (err != -EEXIST)
			dev_err(task->client, "scheduled task %s: cannot add device: %d\n",
				task->name, err);
		put_device(&task->dev);
		return err;
	}
	if (task->cfg.persistence == SCHEDULED_TASK_PERSISTENT) {
		err = st_store_attach(task, &found);
		if (err < 0) {
			st_del(task);
			put_device(&task->dev);
			return err;
		}
		st_load_times_run(task, err ? &found : NULL);
	}
	dev_dbg(&task->dev, "created, store %s\n", st_store_name(task));
	return 0;
}

/*
 * Create, step 4: the probe-time trigger.  An AT_RESUME task's first
 * power-up is now (from OFF); an AT_PROBE task runs now or is scheduled.
 * Return: -EIO when an immediate run returned SCHEDULED_TASK_FAIL.
 */
static int st_first_trigger(struct scheduled_task *task)
{
	const struct scheduled_task_config *cfg = &task->cfg;

	if (cfg->when == SCHEDULED_TASK_AT_RESUME)
		return st_power_up(task, SCHEDULED_TASK_POWER_OFF);
	if (cfg->when != SCHEDULED_TASK_AT_PROBE)
		return 0;
	if (cfg->mode == SCHEDULED_TASK_DEFERRED) {
		st_arm(task, ST_ARMED_RUN, cfg->initial_delay_ms,
		       SCHEDULED_TASK_POWER_NONE);
		return 0;
	}
	return st_run(task, SCHEDULED_TASK_POWER_NONE) == SCHEDULED_TASK_FAIL ?
	       -EIO : 0;
}

/* ---- The API --------------------------------------------------------- */

/**
 * scheduled_task_create() - create a task and run its probe-time trigger
 * @dev: the client device, normally the one being probed.
 * @cfg: the configuration; copied, so it may live on the stack.
 *
 * Called from probe, this is DMF's PrepareHardware: an %SCHEDULED_TASK_AT_PROBE
 * %SCHEDULED_TASK_IMMEDIATE task runs its callback before this returns, a
 * deferred one is scheduled after @cfg->initial_delay_ms.  An
 * %SCHEDULED_TASK_AT_RESUME task makes its first power-up run here with
 * previous state %SCHEDULED_TASK_POWER_OFF.  A %SCHEDULED_TASK_PERSISTENT
 * task that its store says has run does not run again.
 *
 * The task appears as /sys/class/scheduled_task/<dev>:<name>/.  Destroy it
 * with scheduled_task_destroy(), or use devm_scheduled_task_create().  A
 * persistent task's record is keyed by the driver's, the device's and the
 * task's names, which must stay the same from boot to boot.
 *
 * Context: process context; may sleep (and runs the callback for immediate
 * tasks).
 * Return: the task, or ERR_PTR() with -EINVAL for an invalid @dev or @cfg
 * (or a persistent task on a device named in probe order,
 * PLATFORM_DEVID_AUTO, without a firmware node), -ENAMETOOLONG if a persistent task's record key
 * would be longer than 127 bytes, -EEXIST if @dev already has
 * a task of that name (or a persistent task's record key is another live
 * task's: two devices with one firmware node), -ENODEV if a persistent task has no store, -EIO if
 * an immediate first run returned %SCHEDULED_TASK_FAIL, -ENOMEM.  Never
 * NULL.
 */
struct scheduled_task *
scheduled_task_create(struct device *dev,
		      const struct scheduled_task_config *cfg)
{
	struct scheduled_task *task;
	int err;

	err = st_validate(dev, cfg);
	if (err)
		return ERR_PTR(err);
	task = st_alloc(dev, cfg);
	if (!task)
		return ERR_PTR(-ENOMEM);
	err = st_publish(task);
	if (err)
		return ERR_PTR(err);
	err = st_first_trigger(task);
	if (err) {
		dev_err(dev, "scheduled task %s: first run failed\n", cfg->name);
		scheduled_task_destroy(task);
		return ERR_PTR(err);
	}
	return task;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_create, SCHEDULED_TASK);

static void st_devm_destroy(struct device *dev, void *res)
{
	scheduled_task_destroy(*(struct scheduled_task **)res);
}

/**
 * devm_scheduled_task_create() - scheduled_task_create() with a devm lifetime
 * @dev: the client device; the task is destroyed when @dev is unbound (or
 *	its probe fails).
 * @cfg: the configuration; copied.
 *
 * Context: process context; may sleep.
 * Return: as scheduled_task_create().
 */
struct scheduled_task *
devm_scheduled_task_create(struct device *dev,
			   const struct scheduled_task_config *cfg)
{
	struct scheduled_task **res;
	struct scheduled_task *task;

	/*
	 * The devres first: once create returns, an immediate task has run,
	 * and failing after that would make the caller's retry run it again.
	 */
	res = devres_alloc(st_devm_destroy, sizeof(*res), GFP_KERNEL);
	if (!res)
		return ERR_PTR(-ENOMEM);
	task = scheduled_task_create(dev, cfg);
	if (IS_ERR(task)) {
		devres_free(res);
		return task;
	}
	*res = task;
	devres_add(dev, res);
	return task;
}
EXPORT_SYMBOL_NS_GPL(devm_scheduled_task_create, SCHEDULED_TASK);

/*
 * Close the gate, drop every request and take back the queued work, in
 * one step under the lock, so that a restart() that comes after it arms
 * work that stays armed.  Then, unless called from the task's own
 * callback, wait for the work items and runs already under way: they
 * find no request, or a closed gate.
 */
static void st_stop(struct scheduled_task *task, enum st_gate gate)
{
	LIST_HEAD(dropped);

	spin_lock_irq(&task->lock);
	if (task->gate != ST_GATE_DYING)
		task->gate = gate;
	task->ex_requests = 0;
	task->armed = ST_ARMED_NONE;
	list_splice_init(&task->legacy_calls, &dropped);
	cancel_delayed_work(&task->dwork);
	cancel_work(&task->ex_work);
	cancel_work(&task->legacy_work);
	st_settle_locked(task);
	spin_unlock_irq(&task->lock);
	st_free_calls(&dropped);
	if (st_is_self(task))
		return;

	flush_work(&task->dwork.work);
	flush_work(&task->ex_work);
	flush_work(&task->legacy_work);
	/* Wait for a run in a caller's thread (immediate, execute_now). */
	mutex_lock(&task->run_lock);
	mutex_unlock(&task->run_lock);
	/* A record still to write gets its last try now (no requeue: dying). */
	if (gate == ST_GATE_DYING)
		flush_delayed_work(&task->record_work);
}

/*
 * What every call taking a task does first with it: NULL and ERR_PTR()
 * (a create that failed, unchecked) are refused with a message, not
 * dereferenced.  A rate-limited pr_err, not a WARN: tests pass them on
 * purpose.
 */
static bool st_invalid_task(const struct scheduled_task *task,
			    const char *call)
{
	if (!IS_ERR_OR_NULL(task))
		return false;
	pr_err_ratelimited("%s: invalid task %pe\n", call, task);
	return true;
}

/**
 * scheduled_task_destroy() - stop a task and free it
 * @task: the task; NULL or an ERR_PTR() is ignored.
 *
 * Cancels pending runs, retries and queued calls, waits for a running
 * callback to return, removes the sysfs directory and frees the task.  No
 * callback runs after this returns.  The persistent record stays.
 *
 * Context: process context; may sleep.  Must not be called from the
 * task's own callback.
 */
void scheduled_task_destroy(struct scheduled_task *task)
{
	if (IS_ERR_OR_NULL(task))
		return;		/* a failed create's result: nothing to do */
	if (dev_WARN_ONCE(&task->dev, st_is_self(task),
			  "destroyed from its own callback\n"))
		return;

	/*
	 * The sysfs files go first: device_del() waits for the attribute
	 * callbacks under way and none starts after it, so nothing reaches
	 * the store once it is detached below.
	 */
	st_del(task);
	st_stop(task, ST_GATE_DYING);
	dev_dbg(&task->dev, "destroyed\n");
	mutex_lock(&task->store_lock);
	st_store_detach(task);
	mutex_unlock(&task->store_lock);
	put_device(&task->dev);
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_destroy, SCHEDULED_TASK);

/**
 * scheduled_task_cancel() - stop scheduled runs, retries and queued calls
 * @task: the task.
 *
 * Pending runs, retries and queued deferred calls are dropped, not
 * delayed.  Waits for a running callback to return, except when called
 * from that callback, where it only stops future runs.  Until
 * scheduled_task_restart() no scheduled run, retry or deferred call starts;
 * scheduled_task_execute_now() still runs.  Idempotent.  (DMF: Cancel.)
 *
 * Context: process context; may sleep.
 */
void scheduled_task_cancel(struct scheduled_task *task)
{
	if (st_invalid_task(task, __func__))
		return;

	st_stop(task, ST_GATE_CANCELLED);
	dev_dbg(&task->dev, "cancelled\n");
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_cancel, SCHEDULED_TASK);

/**
 * scheduled_task_restart() - allow runs again after scheduled_task_cancel()
 * @task: the task.
 *
 * An %SCHEDULED_TASK_AT_PROBE or %SCHEDULED_TASK_AT_RESUME deferred task
 * that has not completed is scheduled to run after its initial delay
 * (unless a run is already pending).  Does nothing once destroy has begun.
 * (DMF: Restart.)
 *
 * Context: any, including atomic context.
 */
void scheduled_task_restart(struct scheduled_task *task)
{
	unsigned long flags;

	if (st_invalid_task(task, __func__))
		return;

	spin_lock_irqsave(&task->lock, flags);
	if (task->gate != ST_GATE_DYING) {
		task->gate = ST_GATE_OPEN;
		if (task->cfg.when != SCHEDULED_TASK_ON_DEMAND &&
		    task->cfg.mode == SCHEDULED_TASK_DEFERRED)
			st_arm_locked(task, ST_ARMED_RUN,
				      task->cfg.initial_delay_ms,
				      SCHEDULED_TASK_POWER_NONE);
		st_settle_locked(task);
	}
	spin_unlock_irqrestore(&task->lock, flags);
	dev_dbg(&task->dev, "restarted\n");
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_restart, SCHEDULED_TASK);

/**
 * scheduled_task_execute_now() - call the callback now, in this thread
 * @task: the task.
 * @context: passed to the callback instead of the config context.
 *
 * A direct call (DMF: ExecuteNow): the callback gets
 * %SCHEDULED_TASK_POWER_NONE, and its result changes neither the once
 * state, nor times_run, nor timers.  It does wait for any other run of
 * the task to finish first, and it runs even after
 * scheduled_task_cancel().
 *
 * Context: process context; may sleep.
 * Return: the callback's result; %SCHEDULED_TASK_RESULT_INVALID without
 * calling it when called from the task's own callback (which would
 * deadlock) or once destroy has begun.
 */
enum scheduled_task_result
scheduled_task_execute_now(struct scheduled_task *task, void *context)
{
	enum scheduled_task_result result;

	if (st_invalid_task(task, __func__))
		return SCHEDULED_TASK_RESULT_INVALID;

	if (st_is_self(task)) {
		dev_err_ratelimited(&task->dev,
				    "execute_now called from the task's own callback\n");
		return SCHEDULED_TASK_RESULT_INVALID;
	}
	might_sleep();

	mutex_lock(&task->run_lock);
	if (READ_ONCE(task->gate) == ST_GATE_DYING) {
		result = SCHEDULED_TASK_RESULT_INVALID;
	} else {
		st_start(task, false);
		result = st_invoke(task, context, SCHEDULED_TASK_POWER_NONE);
		st_finish(task, result, false);
	}
	mutex_unlock(&task->run_lock);
	return result;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_execute_now, SCHEDULED_TASK);

/**
 * scheduled_task_execute_now_deferred() - queue one call with this context
 * @task: the task.
 * @context: passed to the callback for this call.
 *
 * DMF's legacy ExecuteNowDeferred: the callback runs once per call, in call
 * order, on the workqueue, each with its own call's @context; its result is
 * ignored and the once state is neither read nor changed.  Prefer
 * scheduled_task_execute_now_deferred_ex().
 *
 * Context: any, including atomic context.
 * Return: 0; -ECANCELED after scheduled_task_cancel() or once destroy has
 * begun; -ENOMEM if the call cannot be recorded (nothing is queued).
 */
int scheduled_task_execute_now_deferred(struct scheduled_task *task,
					void *context)
{
	struct st_call *call;
	unsigned long flags;
	int err = 0;

	if (st_invalid_task(task, __func__))
		return -EINVAL;

	call = kmalloc(sizeof(*call), GFP_ATOMIC);
	if (!call)
		return -ENOMEM;		/* the allocator has said why */
	call->context = context;

	spin_lock_irqsave(&task->lock, flags);
	if (task->gate != ST_GATE_OPEN) {
		err = -ECANCELED;
	} else {
		list_add_tail(&call->node, &task->legacy_calls);
		if (!task->suspended)
			queue_work(task->wq, &task->legacy_work);
		st_settle_locked(task);
	}
	spin_unlock_irqrestore(&task->lock, flags);

	if (err) {
		kfree(call);
		dev_err_ratelimited(&task->dev, "deferred call refused: cancelled\n");
	}
	return err;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_execute_now_deferred, SCHEDULED_TASK);

/**
 * scheduled_task_execute_now_deferred_ex() - request one scheduled run
 * @task: the task.
 *
 * DMF's ExecuteNowDeferredEx: the callback runs on the workqueue with the
 * config context and its result is honoured (completion, retries).
 * Requests are counted: N calls give N runs, one after another, except that
 * the requests left when a run returns %SCHEDULED_TASK_SUCCESS are dropped.
 * A completed task does not run.
 *
 * Context: any, including atomic context.
 * Return: 0 (also when the task is completed and nothing runs);
 * -ECANCELED after scheduled_task_cancel() or once destroy has begun.
 */
int scheduled_task_execute_now_deferred_ex(struct scheduled_task *task)
{
	unsigned long flags;
	int err = 0;

	if (st_invalid_task(task, __func__))
		return -EINVAL;

	spin_lock_irqsave(&task->lock, flags);
	if (task->gate != ST_GATE_OPEN) {
		err = -ECANCELED;
	} else if (st_may_run_locked(task)) {
		task->ex_requests++;
		if (!task->suspended)
			queue_work(task->wq, &task->ex_work);
		st_settle_locked(task);
	}
	spin_unlock_irqrestore(&task->lock, flags);
	if (err)
		dev_err_ratelimited(&task->dev, "run request refused: cancelled\n");
	return err;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_execute_now_deferred_ex, SCHEDULED_TASK);

/**
 * scheduled_task_times_run_get() - how many times the task completed
 * @task: the task.
 * @times_run: where to store the count.
 *
 * The count of a %SCHEDULED_TASK_PERSISTENT task is the one its store
 * held at create, kept up to date by every write since: reading it never
 * reaches the store (firmware calls can be slow, and sysfs lets any user
 * read).  (DMF: TimesRunGet.)
 *
 * Context: process context; may sleep.
 * Return: 0, or the error with which the store could not be read at
 * create, until a write succeeds (then @times_run is not written).
 */
int scheduled_task_times_run_get(struct scheduled_task *task, u32 *times_run)
{
	int err;

	if (st_invalid_task(task, __func__))
		return -EINVAL;

	mutex_lock(&task->store_lock);
	err = task->store_read_err;
	if (!err)
		*times_run = task->times_run;
	mutex_unlock(&task->store_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_times_run_get, SCHEDULED_TASK);

/**
 * scheduled_task_times_run_set() - set the run count
 * @task: the task.
 * @times_run: the new count.
 *
 * Writes through to the store for a %SCHEDULED_TASK_PERSISTENT task.  0
 * makes a completed task run again at its next trigger; any other value
 * marks it completed.  A successful write also clears a store error.
 * The write waits for a callback that is running (unless it comes from
 * that callback), so it lands after that run and its record, never
 * inside: a 0 written during a run that succeeds re-arms the task.
 * (DMF: TimesRunSet.)
 *
 * Context: process context; may sleep.
 * Return: 0, or the store's negative error code (then nothing changed).
 */
int scheduled_task_times_run_set(struct scheduled_task *task, u32 times_run)
{
	bool self;
	int err = 0;

	if (st_invalid_task(task, __func__))
		return -EINVAL;

	self = st_is_self(task);
	if (!self)
		mutex_lock(&task->run_lock);
	mutex_lock(&task->store_lock);
	if (task->store)
		err = st_store_write(task, times_run);
	if (!err) {
		task->times_run = times_run;
		task->store_read_err = 0;
		spin_lock_irq(&task->lock);
		st_count_locked(task, times_run);
		spin_unlock_irq(&task->lock);
	}
	mutex_unlock(&task->store_lock);
	st_announce(task);
	if (!self)
		mutex_unlock(&task->run_lock);

	if (err)
		dev_err(&task->dev, "cannot write times_run %u: %d\n",
			times_run, err);
	else
		dev_dbg(&task->dev, "times_run set to %u\n", times_run);
	return err;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_times_run_set, SCHEDULED_TASK);

/**
 * scheduled_task_resume() - the client's runtime-PM resume hook (D0Entry)
 * @task: the task.
 * @previous_state: the state the device resumes from, normally
 *	%SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED.
 *
 * System sleep needs no call: the task's class device resumes after its
 * parent, the client.  Call this from the client's runtime_resume
 * callback.  Tasks that are not %SCHEDULED_TASK_AT_RESUME ignore it.
 *
 * Context: process context; may sleep (an immediate task runs here).
 * Called from the task's own callback it does not run it again.
 * Return: 0; -EINVAL for an invalid @previous_state; -EIO when an
 * immediate run returned %SCHEDULED_TASK_FAIL.
 */
int scheduled_task_resume(struct scheduled_task *task,
			  enum scheduled_task_power_state previous_state)
{
	if (st_invalid_task(task, __func__))
		return -EINVAL;

	if (previous_state <= SCHEDULED_TASK_POWER_NONE ||
	    previous_state > SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED) {
		dev_err(&task->dev, "resume: invalid previous state %d\n",
			previous_state);
		return -EINVAL;
	}
	return st_power_up(task, previous_state);
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_resume, SCHEDULED_TASK);

/**
 * scheduled_task_device() - the client device a task belongs to
 * @task: the task.
 *
 * Context: any.
 * Return: the device given to create.
 */
struct device *scheduled_task_device(struct scheduled_task *task)
{
	if (st_invalid_task(task, __func__))
		return NULL;

	return task->client;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_device, SCHEDULED_TASK);

/**
 * scheduled_task_context() - the context from the task's configuration
 * @task: the task.
 *
 * Context: any.
 * Return: &scheduled_task_config.context.
 */
void *scheduled_task_context(struct scheduled_task *task)
{
	if (st_invalid_task(task, __func__))
		return NULL;

	return task->cfg.context;
}
EXPORT_SYMBOL_NS_GPL(scheduled_task_context, SCHEDULED_TASK);

/**
 * st_flush() - wait until nothing of the task is queued or running
 * @task: the task.
 *
 * For tests: after it returns, counts can be compared exactly.  Retries
 * armed by the flushed runs are flushed too.
 *
 * Context: process context; may sleep; not from the task's callback.
 */
void st_flush(struct scheduled_task *task)
{
	do {
		flush_delayed_work(&task->dwork);
		flush_work(&task->ex_work);
		flush_work(&task->legacy_work);
	} while (delayed_work_pending(&task->dwork) ||
		 work_pending(&task->ex_work) ||
		 work_pending(&task->legacy_work));
	mutex_lock(&task->run_lock);
	mutex_unlock(&task->run_lock);
}
EXPORT_SYMBOL_IF_KUNIT(st_flush);

/* ---- System sleep ---------------------------------------------------- */

/*
 * System sleep.  The PM core calls these after the client's own callbacks.
 * Suspend waits for a callback that is running (on a client workqueue
 * that is not freezable, or in another thread): the client is about to
 * lose power and nothing of the task may run through that.  Work items
 * that start afterwards find @suspended with run_lock held, and wait for
 * resume.
 */
static int st_pm_suspend(struct device *dev)
{
	struct scheduled_task *task = st_from_dev(dev);

	spin_lock_irq(&task->lock);
	task->suspended = true;
	spin_unlock_irq(&task->lock);
	mutex_lock(&task->run_lock);
	mutex_unlock(&task->run_lock);
	return 0;
}

/*
 * Let deferred work go again: queue each work item whose request is still
 * there (it found the device asleep, or was asked for meanwhile).  A
 * queued item with nothing left to do returns at once.
 */
static void st_wake(struct scheduled_task *task)
{
	spin_lock_irq(&task->lock);
	task->suspended = false;
	if (task->armed != ST_ARMED_NONE && !delayed_work_pending(&task->dwork))
		queue_delayed_work(task->wq, &task->dwork, 0);
	if (task->ex_requests)
		queue_work(task->wq, &task->ex_work);
	if (!list_empty(&task->legacy_calls))
		queue_work(task->wq, &task->legacy_work);
	spin_unlock_irq(&task->lock);
}

static int st_pm_resume(struct device *dev)
{
	struct scheduled_task *task = st_from_dev(dev);

	st_wake(task);
	return st_power_up(task, SCHEDULED_TASK_POWER_SUSPENDED);
}

static int st_pm_restore(struct device *dev)
{
	struct scheduled_task *task = st_from_dev(dev);

	/*
	 * The kernel that booted to restore this image may have run the task
	 * and recorded it: the store says what happened, not the image.
	 */
	if (task->store)
		st_load_times_run(task, NULL);
	st_wake(task);
	return st_power_up(task, SCHEDULED_TASK_POWER_OFF);
}

/* After a hibernation snapshot the device did not lose power: no run. */
static int st_pm_thaw(struct device *dev)
{
	st_wake(st_from_dev(dev));
	return 0;
}

VISIBLE_IF_KUNIT const struct dev_pm_ops st_pm_ops = {
	.suspend = pm_sleep_ptr(st_pm_suspend),
	.resume = pm_sleep_ptr(st_pm_resume),
	.freeze = pm_sleep_ptr(st_pm_suspend),
	.thaw = pm_sleep_ptr(st_pm_thaw),
	.poweroff = pm_sleep_ptr(st_pm_suspend),
	.restore = pm_sleep_ptr(st_pm_restore),
};
EXPORT_SYMBOL_IF_KUNIT(st_pm_ops);

#if IS_ENABLED(CONFIG_KUNIT)
/* For the tests: the module each task pins. */
struct module *st_this_module(void)
{
	return THIS_MODULE;
}
EXPORT_SYMBOL_IF_KUNIT(st_this_module);
#endif

/*
 * Only a task that does something at system sleep has PM callbacks: a
 * device without any lets the PM core leave a runtime-suspended client
 * asleep through a system suspend (direct complete), where a task with
 * callbacks makes it wake the client first.  One does something when it
 * runs at resume, when its deferred work runs on a client workqueue
 * (which may not be freezable: suspend holds it), or when it is
 * persistent (hibernation restore re-reads its record).
 */
static const struct device_type st_type = {};
static const struct device_type st_type_pm = {
	.pm = &st_pm_ops,
};

static const struct device_type *
st_device_type(const struct scheduled_task_config *cfg)
{
	if (cfg->when == SCHEDULED_TASK_AT_RESUME || cfg->wq ||
	    cfg->persistence == SCHEDULED_TASK_PERSISTENT)
		return &st_type_pm;
	return &st_type;
}

struct class st_class = {
	.name = "scheduled_task",
	.class_groups = st_class_groups,
	.dev_groups = st_groups,
};
EXPORT_SYMBOL_IF_KUNIT(st_class);

static int __init st_init(void)
{
	int err;

	st_wq = alloc_workqueue("scheduled_task", WQ_FREEZABLE | WQ_UNBOUND, 0);
	if (!st_wq)
		return -ENOMEM;
	err = class_register(&st_class);
	if (err)
		destroy_workqueue(st_wq);
	return err;
}
module_init(st_init);

static void __exit st_exit(void)
{
	class_unregister(&st_class);
	destroy_workqueue(st_wq);
	st_store_exit();
}
module_exit(st_exit);

MODULE_DESCRIPTION("Scheduled-once tasks for drivers (DMF ScheduledTask)");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
