// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the behaviour table of design.md, rows B1 to B20, each row one or
 * more cases named after it.  Real platform devices, real workqueues and
 * real threads; waits are bounded and no case asserts on a duration.
 */

#include <kunit/test.h>
#include <linux/debug_locks.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "st_kunit.h"

#define NP	SCHEDULED_TASK_NOT_PERSISTENT
#define PERS	SCHEDULED_TASK_PERSISTENT
#define IMM	SCHEDULED_TASK_IMMEDIATE
#define DEF	SCHEDULED_TASK_DEFERRED
#define PROBE	SCHEDULED_TASK_AT_PROBE
#define RESUME	SCHEDULED_TASK_AT_RESUME
#define DEMAND	SCHEDULED_TASK_ON_DEMAND

/* A long delay that keeps a timer pending for the whole case. */
#define ST_FOREVER_MS	600000

/* Held to call from atomic context (a static lock: lockdep needs its key). */
static DEFINE_SPINLOCK(st_atomic_lock);

static struct device *st_dev(struct kunit *test)
{
	return st_client_dev(st_client_new(test, NULL, NULL));
}

static void st_destroy_action(void *task)
{
	scheduled_task_destroy(task);
}

/* Create on @dev and destroy when the test ends; asserts success. */
static struct scheduled_task *st_new(struct kunit *test, struct device *dev,
				     const struct scheduled_task_config *cfg)
{
	struct scheduled_task *task = scheduled_task_create(dev, cfg);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_destroy_action,
							task), 0);
	return task;
}

static int st_calls(struct st_rec *rec)
{
	return atomic_read(&rec->calls);
}

static int st_runtime_resume(struct scheduled_task *task)
{
	return scheduled_task_resume(task, SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);
}

static int st_legacy(struct scheduled_task *task, struct st_ctx *ctx)
{
	return scheduled_task_execute_now_deferred(task, ctx);
}

static bool st_class_has(struct device *client, const char *name)
{
	char full[96];
	struct device *dev;

	snprintf(full, sizeof(full), "%s:%s", dev_name(client), name);
	dev = class_find_device_by_name(&st_class, full);
	put_device(dev);
	return dev;
}

/* ---- B1 ---------------------------------------------------------------- */

static void b01_invalid_config_is_einval(struct kunit *test)
{
	static const char * const bad_names[] = {
		"", "Upper", "with space", "slash/", "dot.",
		"abcdefghijklmnopqrstuvwxyz0123456", /* 33 */
	};
	struct device *dev = st_dev(test);
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg;
	int i;

	cfg = st_cfg("ok", rec, NP, IMM, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(NULL, &cfg)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, NULL)), -EINVAL);

	cfg.callback = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);

	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		cfg = st_cfg(bad_names[i], rec, NP, IMM, DEMAND);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(scheduled_task_create(dev, &cfg)),
				    -EINVAL, "name '%s'", bad_names[i]);
	}
	cfg = st_cfg(NULL, rec, NP, IMM, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);

	cfg = st_cfg("ok", rec, SCHEDULED_TASK_PERSISTENCE_INVALID, IMM, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);
	cfg = st_cfg("ok", rec, NP, SCHEDULED_TASK_MODE_INVALID, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);
	cfg = st_cfg("ok", rec, NP, IMM, SCHEDULED_TASK_WHEN_INVALID);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);
	cfg = st_cfg("ok", rec, 7, IMM, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);
	cfg = st_cfg("ok", rec, NP, 7, DEMAND);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);
	cfg = st_cfg("ok", rec, NP, IMM, 7);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EINVAL);

	/* Nothing was left behind, nothing ran: the good name is still free. */
	KUNIT_EXPECT_FALSE(test, st_class_has(dev, "ok"));
	cfg = st_cfg("ok", rec, NP, IMM, DEMAND);
	st_new(test, dev, &cfg);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
}

/* Every call refuses NULL and a failed create's ERR_PTR() cleanly. */
static void b01_invalid_task_pointer_is_refused(struct kunit *test)
{
	struct scheduled_task *bad[] = { NULL, ERR_PTR(-ENOMEM) };
	u32 n = 5;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct scheduled_task *t = bad[i];

		scheduled_task_cancel(t);
		scheduled_task_restart(t);
		scheduled_task_destroy(t);
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now(t, NULL),
				SCHEDULED_TASK_RESULT_INVALID);
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred(t, NULL),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(t),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(t, &n), -EINVAL);
		KUNIT_EXPECT_EQ(test, n, 5U);
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(t, 0), -EINVAL);
		KUNIT_EXPECT_EQ(test, scheduled_task_resume(t, SCHEDULED_TASK_POWER_OFF),
				-EINVAL);
		KUNIT_EXPECT_NULL(test, scheduled_task_device(t));
		KUNIT_EXPECT_NULL(test, scheduled_task_context(t));
	}
}

static void b01_duplicate_name_is_eexist(struct kunit *test)
{
	struct device *dev = st_dev(test), *other = st_dev(test);
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("dup", rec, NP, IMM, DEMAND);

	st_new(test, dev, &cfg);
	KUNIT_EXPECT_EQ(test, PTR_ERR(scheduled_task_create(dev, &cfg)), -EEXIST);
	/* The same name on another device is another task. */
	st_new(test, other, &cfg);
}

/* ---- B2 ---------------------------------------------------------------- */

struct st_probe_case {
	struct st_rec *rec;
	struct scheduled_task_config cfg;
	struct scheduled_task *task;
	int calls_when_create_returned;
	struct task_struct *thread;
	struct task_struct *probe_thread;
};

static void st_record_thread(struct st_rec *rec, struct scheduled_task *task,
			     int call)
{
	struct st_probe_case *pc = rec->hook_data;

	if (call == 1)
		pc->thread = current;
}

static int st_probe_create(struct st_client *client, struct device *dev)
{
	struct st_probe_case *pc = client->data;

	pc->probe_thread = current;
	pc->task = devm_scheduled_task_create(dev, &pc->cfg);
	pc->calls_when_create_returned = st_calls(pc->rec);
	client->task = pc->task;
	return PTR_ERR_OR_ZERO(pc->task);
}

static struct st_probe_case *st_probe_case(struct kunit *test, const char *name,
					   enum scheduled_task_persistence p,
					   enum scheduled_task_mode mode,
					   enum scheduled_task_when when)
{
	struct st_probe_case *pc = kunit_kzalloc(test, sizeof(*pc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pc);
	pc->rec = st_rec_new(test);
	pc->rec->hook = st_record_thread;
	pc->rec->hook_data = pc;
	pc->cfg = st_cfg(name, pc->rec, p, mode, when);
	return pc;
}

static void b02_probe_immediate_runs_inside_create(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "imm", NP, IMM, PROBE);
	struct st_client *client = st_client_new(test, st_probe_create, pc);

	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_EXPECT_EQ(test, pc->calls_when_create_returned, 1);
	KUNIT_EXPECT_PTR_EQ(test, pc->thread, pc->probe_thread);
	KUNIT_EXPECT_EQ(test, pc->rec->states[0], SCHEDULED_TASK_POWER_NONE);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "completed");
}

static void b02_probe_immediate_fail_fails_create(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "immfail", NP, IMM, PROBE);
	struct st_client *client;

	pc->rec->script[1] = SCHEDULED_TASK_FAIL;
	client = st_client_new(test, st_probe_create, pc);
	KUNIT_EXPECT_EQ(test, client->probe_err, -EIO);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pc->task), -EIO);
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 1);
	KUNIT_EXPECT_FALSE(test, st_class_has(st_client_dev(client), "immfail"));
	KUNIT_EXPECT_NULL(test, st_client_dev(client)->driver);
}

static void st_probe_immediate_try_again(struct kunit *test,
					 enum scheduled_task_result first)
{
	struct st_probe_case *pc = st_probe_case(test, "immretry", NP, IMM, PROBE);
	struct st_client *client;

	pc->rec->script[1] = first;
	pc->cfg.retry_ms_on_fail = ST_FOREVER_MS;
	pc->cfg.retry_ms_on_success = ST_FOREVER_MS;
	client = st_client_new(test, st_probe_create, pc);
	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_EXPECT_EQ(test, pc->calls_when_create_returned, 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "retry-wait");
	st_flush(pc->task);	/* fires the armed retry now */
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "completed");
}

static void b02_probe_immediate_fail_try_again_arms_retry(struct kunit *test)
{
	st_probe_immediate_try_again(test, SCHEDULED_TASK_FAIL_TRY_AGAIN);
}

static void b02_probe_immediate_success_try_again_arms_retry(struct kunit *test)
{
	st_probe_immediate_try_again(test, SCHEDULED_TASK_SUCCESS_TRY_AGAIN);
}

/* ---- B3 ---------------------------------------------------------------- */

static void b03_probe_deferred_runs_on_workqueue(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "def", NP, DEF, PROBE);
	struct completion *hold;
	struct st_client *client;

	/* Held: had create called it inline, create could not return. */
	hold = st_rec_hold(pc->rec);
	pc->cfg.initial_delay_ms = 1;
	client = st_client_new(test, st_probe_create, pc);
	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&pc->rec->entered,
							  ST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, pc->calls_when_create_returned, 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "running");
	complete_all(hold);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(pc->rec, 1));
	KUNIT_EXPECT_PTR_NE(test, pc->thread, pc->probe_thread);
	KUNIT_EXPECT_TRUE(test, !!(pc->thread->flags & PF_WQ_WORKER));
	KUNIT_EXPECT_EQ(test, pc->rec->states[0], SCHEDULED_TASK_POWER_NONE);
	st_flush(pc->task);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "completed");
}

/* ---- B4 ---------------------------------------------------------------- */

static int st_pm(struct scheduled_task *task, int (*op)(struct device *))
{
	return op(&task->dev);
}

static void b04_resume_first_power_up_is_off(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "res", NP, IMM, RESUME);
	struct st_client *client = st_client_new(test, st_probe_create, pc);

	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_EXPECT_EQ(test, pc->calls_when_create_returned, 1);
	KUNIT_EXPECT_EQ(test, pc->rec->states[0], SCHEDULED_TASK_POWER_OFF);
	/* The task's device is the client's child: it resumes after it. */
	KUNIT_EXPECT_PTR_EQ(test, pc->task->dev.parent, st_client_dev(client));
	KUNIT_EXPECT_PTR_EQ(test, scheduled_task_device(pc->task),
			    st_client_dev(client));
}

static void b04_resume_system_sleep_states(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("res", rec, NP, IMM, RESUME);
	const struct dev_pm_ops *pm = &st_pm_ops;
	struct scheduled_task *task;

	/* First power-up asks for a retry far away; later runs fail. */
	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->then = SCHEDULED_TASK_FAIL;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_EQ(test, st_calls(rec), 1);

	KUNIT_EXPECT_EQ(test, st_pm(task, pm->suspend), 0);
	KUNIT_EXPECT_EQ(test, st_pm(task, pm->resume), -EIO);
	KUNIT_EXPECT_EQ(test, rec->states[1], SCHEDULED_TASK_POWER_SUSPENDED);

	KUNIT_EXPECT_EQ(test, st_pm(task, pm->freeze), 0);
	KUNIT_EXPECT_EQ(test, st_pm(task, pm->thaw), 0);	/* no power loss */
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_EQ(test, st_pm(task, pm->poweroff), 0);
	KUNIT_EXPECT_EQ(test, st_pm(task, pm->restore), -EIO);
	KUNIT_EXPECT_EQ(test, rec->states[2], SCHEDULED_TASK_POWER_OFF);

	KUNIT_EXPECT_EQ(test, st_runtime_resume(task), -EIO);
	KUNIT_EXPECT_EQ(test, rec->states[3],
			SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 4);
}

static void b04_resume_deferred_passes_state(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("resdef", rec, NP, DEF, RESUME);
	struct scheduled_task *task;

	rec->then = SCHEDULED_TASK_FAIL;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, rec->states[0], SCHEDULED_TASK_POWER_OFF);
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.suspend), 0);
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 2));
	KUNIT_EXPECT_EQ(test, rec->states[1], SCHEDULED_TASK_POWER_SUSPENDED);
}

/*
 * A resume that finds a run armed (here a retry, which would report NONE)
 * joins it, and the run still tells the callback the device lost power.
 */
static void b04_resume_joining_an_armed_run_reports_it(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("joined", rec, NP, DEF, RESUME);
	struct scheduled_task *task;

	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->then = SCHEDULED_TASK_FAIL;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	/* The first run ends (and arms its retry) before it drops run_lock. */
	mutex_lock(&task->run_lock);
	mutex_unlock(&task->run_lock);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "retry-wait");
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.suspend), 0);
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	/* Still one timer; flushing fires it now. */
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_EQ(test, rec->states[1], SCHEDULED_TASK_POWER_SUSPENDED);
}

static void b04_resume_rejects_bad_previous_state(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("res", rec, NP, IMM, RESUME);
	struct scheduled_task *task;

	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->then = SCHEDULED_TASK_FAIL;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_EQ(test, scheduled_task_resume(task, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, scheduled_task_resume(task, 9), -EINVAL);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
}

/* ---- B5 ---------------------------------------------------------------- */

static void b05_on_demand_runs_only_when_asked(struct kunit *test)
{
	struct device *dev = st_dev(test);
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config ci = st_cfg("imm", rec, NP, IMM, DEMAND);
	struct scheduled_task_config cd = st_cfg("def", rec, NP, DEF, DEMAND);
	struct scheduled_task *a = st_new(test, dev, &ci);
	struct scheduled_task *b = st_new(test, dev, &cd);

	KUNIT_EXPECT_EQ(test, st_pm(a, st_pm_ops.resume), 0);
	KUNIT_EXPECT_EQ(test, st_runtime_resume(b), 0);
	scheduled_task_restart(a);
	scheduled_task_restart(b);
	st_flush(a);
	st_flush(b);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(a), "idle");

	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(b), 0);
	KUNIT_EXPECT_TRUE(test, st_rec_wait(rec, 1));
}

/* ---- B6 ---------------------------------------------------------------- */

static void b06_success_is_final(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("once", rec, NP, DEF, RESUME);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);

	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");

	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	KUNIT_EXPECT_EQ(test, st_runtime_resume(task), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	scheduled_task_cancel(task);
	scheduled_task_restart(task);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
}

/*
 * A settled task stays settled while a call that ignores the once state
 * runs its callback: sysfs says "completed" during the legacy call, which
 * neither reads nor changes it.  An unsettled task says "running".
 */
static void b06_completed_stays_completed_during_a_legacy_call(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("settled", rec, NP, IMM, PROBE);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	struct completion *hold;

	KUNIT_ASSERT_EQ(test, st_calls(rec), 1);
	KUNIT_ASSERT_STREQ(test, st_state_name(task), "completed");

	hold = st_rec_hold(rec);
	KUNIT_EXPECT_EQ(test, st_legacy(task, &rec->self), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
							  ST_WAIT), 0UL);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	complete_all(hold);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
}
