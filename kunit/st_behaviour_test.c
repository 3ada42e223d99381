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
	reinit_completion(&rec->entered);
	KUNIT_EXPECT_EQ(test, st_legacy(task, &rec->self), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
							  ST_WAIT), 0UL);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	complete_all(hold);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
}

static int st_probe_two(struct st_client *client, struct device *dev)
{
	struct st_probe_case *pc = client->data;
	struct scheduled_task_config np = pc->cfg;
	struct scheduled_task *t;

	np.name = "np";
	np.persistence = NP;
	np.context = &((struct st_rec *)pc->rec->hook_data)->self;
	t = devm_scheduled_task_create(dev, &np);
	if (IS_ERR(t))
		return PTR_ERR(t);
	return st_probe_create(client, dev);
}

static void b06_persistent_once_across_rebind(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "pers", PERS, IMM, PROBE);
	struct st_rec *np_rec = st_rec_new(test);
	struct st_client *client;
	u32 n;

	/* The hook would record the thread; this case needs the NP recorder. */
	pc->rec->hook = NULL;
	pc->rec->hook_data = np_rec;
	client = st_client_new(test, st_probe_two, pc);
	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 1);
	KUNIT_EXPECT_EQ(test, st_calls(np_rec), 1);

	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	/* Rebind: once per binding runs again, once ever does not. */
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 1);
	KUNIT_EXPECT_EQ(test, st_calls(np_rec), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(pc->task), "completed");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(pc->task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);

	/* Until an administrator sets times_run back to 0. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(pc->task, 0), 0);
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 2);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(pc->task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
}

/* ---- B7, B8 ------------------------------------------------------------ */

static void b07_success_try_again_repeats(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("sta", rec, NP, DEF, PROBE);
	struct scheduled_task *task;

	rec->script[1] = SCHEDULED_TASK_SUCCESS_TRY_AGAIN;
	rec->script[2] = SCHEDULED_TASK_SUCCESS_TRY_AGAIN;
	rec->script[3] = SCHEDULED_TASK_SUCCESS_TRY_AGAIN;
	cfg.retry_ms_on_success = 1;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;	/* must not be the one used */
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 4));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 4);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, rec->states[1], SCHEDULED_TASK_POWER_NONE);
}

static void b08_fail_try_again_retries(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("fta", rec, NP, DEF, PROBE);
	struct scheduled_task *task;

	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->script[2] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	cfg.retry_ms_on_fail = 1;
	cfg.retry_ms_on_success = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 3));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 3);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
}

static void b08_fail_does_not_retry(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("fail", rec, NP, DEF, RESUME);
	struct scheduled_task *task;

	rec->script[1] = SCHEDULED_TASK_FAIL;
	cfg.retry_ms_on_fail = 1;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	/* A later resume, or an Ex request, may run it again. */
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 2));
	st_flush(task);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
}

/* ---- B9 ---------------------------------------------------------------- */

static void b09_no_second_timer_while_armed(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("timer", rec, NP, DEF, RESUME);
	struct scheduled_task *task;
	int i;

	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->then = SCHEDULED_TASK_FAIL;
	cfg.initial_delay_ms = ST_FOREVER_MS;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "pending");
	for (i = 0; i < 5; i++) {
		KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
		scheduled_task_restart(task);
	}
	/* Fire the one timer now: one run, which arms one retry. */
	flush_delayed_work(&task->dwork);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "retry-wait");
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
}

/* ---- B10 --------------------------------------------------------------- */

static void b10_execute_now_is_a_direct_call(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("now", rec, NP, DEF, DEMAND);
	struct st_ctx ctx = { .rec = rec, .tag = 7 };
	struct scheduled_task *task;
	u32 n;

	cfg.retry_ms_on_success = 1;
	task = st_new(test, st_dev(test), &cfg);
	rec->script[1] = SCHEDULED_TASK_SUCCESS;
	rec->script[2] = SCHEDULED_TASK_SUCCESS_TRY_AGAIN;
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now(task, &ctx),
			SCHEDULED_TASK_SUCCESS);
	KUNIT_EXPECT_EQ(test, rec->tags[0], 7UL);
	KUNIT_EXPECT_EQ(test, rec->states[0], SCHEDULED_TASK_POWER_NONE);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now(task, &ctx),
			SCHEDULED_TASK_SUCCESS_TRY_AGAIN);
	st_flush(task);
	/* No completion, no count, no retry timer from a direct call. */
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	/* Still runs after cancel. */
	scheduled_task_cancel(task);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now(task, &ctx),
			SCHEDULED_TASK_SUCCESS);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 3);
}

struct st_self_call {
	struct scheduled_task *task;
	enum scheduled_task_result now;
	int ex, legacy, resume;
	bool fired;
};

static void st_call_self(struct st_rec *rec, struct scheduled_task *task,
			 int call)
{
	struct st_self_call *sc = rec->hook_data;

	if (sc->fired)
		return;
	sc->fired = true;
	sc->now = scheduled_task_execute_now(task, &rec->self);
	sc->ex = scheduled_task_execute_now_deferred_ex(task);
	sc->legacy = scheduled_task_execute_now_deferred(task, &rec->self);
	sc->resume = st_runtime_resume(task);
}

static void b10_execute_now_from_own_callback_is_invalid(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("self", rec, NP, IMM, RESUME);
	struct st_self_call sc = { .now = SCHEDULED_TASK_SUCCESS, .resume = -1 };
	struct scheduled_task *task;

	/* The first power-up arms a far retry: the task stays runnable. */
	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);

	rec->hook = st_call_self;
	rec->hook_data = &sc;
	rec->then = SCHEDULED_TASK_FAIL;
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now(task, &rec->self),
			SCHEDULED_TASK_FAIL);
	KUNIT_EXPECT_EQ(test, sc.now, SCHEDULED_TASK_RESULT_INVALID);
	/* An immediate resume run from inside does not deadlock either. */
	KUNIT_EXPECT_EQ(test, sc.resume, 0);
	/* The deferred calls from inside the callback queue normally. */
	KUNIT_EXPECT_EQ(test, sc.ex, 0);
	KUNIT_EXPECT_EQ(test, sc.legacy, 0);
	KUNIT_EXPECT_TRUE(test, st_rec_wait(rec, 4));
	scheduled_task_cancel(task);	/* drop the far retry */
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 4);
}

/* ---- B11 --------------------------------------------------------------- */

static void b11_legacy_calls_each_run_in_order(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("legacy", rec, NP, DEF, DEMAND);
	struct st_ctx *ctx = kunit_kcalloc(test, 50, sizeof(*ctx), GFP_KERNEL);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	for (i = 0; i < 50; i++) {
		ctx[i].rec = rec;
		ctx[i].tag = i + 1;
		KUNIT_EXPECT_EQ(test, st_legacy(task, &ctx[i]), 0);
	}
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 50));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 50);
	for (i = 0; i < 50; i++)
		KUNIT_EXPECT_EQ(test, rec->tags[i], (unsigned long)i + 1);
	/* SUCCESS from a legacy call does not complete the task. */
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
}

static void b11_legacy_from_atomic_context(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("atomic", rec, NP, DEF, DEMAND);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	unsigned long flags;
	int a, b;

	spin_lock_irqsave(&st_atomic_lock, flags);
	a = scheduled_task_execute_now_deferred(task, &rec->self);
	b = scheduled_task_execute_now_deferred_ex(task);
	scheduled_task_restart(task);
	spin_unlock_irqrestore(&st_atomic_lock, flags);
	KUNIT_EXPECT_EQ(test, a, 0);
	KUNIT_EXPECT_EQ(test, b, 0);
	KUNIT_EXPECT_TRUE(test, st_rec_wait(rec, 2));
}

static void b11_legacy_canceled_and_enomem(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("legacy", rec, NP, DEF, DEMAND);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	int err;

	scheduled_task_cancel(task);
	KUNIT_EXPECT_EQ(test, st_legacy(task, &rec->self), -ECANCELED);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task),
			-ECANCELED);
	scheduled_task_restart(task);

	/* failslab: the next allocation of this thread fails. */
	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "the -ENOMEM half needs CONFIG_FAILSLAB");
	st_fail_nth_set(1);
	err = scheduled_task_execute_now_deferred(task, &rec->self);
	st_fail_nth_set(0);
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
}

/* ---- B12 --------------------------------------------------------------- */

static void b12_ex_requests_are_counted(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("ex", rec, NP, DEF, DEMAND);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	int i;

	rec->then = SCHEDULED_TASK_FAIL;
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 10));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 10);
}

static void b12_ex_success_drops_the_rest(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("ex", rec, NP, DEF, DEMAND);
	struct completion *hold;
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	int i;

	rec->script[1] = SCHEDULED_TASK_FAIL;
	rec->script[2] = SCHEDULED_TASK_FAIL;
	hold = st_rec_hold(rec);
	/* All ten requests are in before the first run returns. */
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	complete_all(hold);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 3));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 3);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	/* Completed: accepted, nothing runs. */
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 3);
}

/* ---- B13 --------------------------------------------------------------- */

/* Context tags of the hammer: which path made an invocation. */
#define ST_TAG_CONFIG	0	/* resume, Ex requests, retries */
#define ST_TAG_NOW	1	/* execute_now */
#define ST_TAG_LEGACY	2	/* execute_now_deferred */

struct st_hammer {
	struct scheduled_task *task;
	struct st_rec *rec;
	struct st_ctx now_ctx, legacy_ctx;
	bool cancel_restart;
	atomic_t *now_runs, *queued, *resumes;
	struct completion done;
	int iterations;
};

static int st_hammer_fn(void *data)
{
	struct st_hammer *h = data;
	int i;

	for (i = 0; i < h->iterations && !kthread_should_stop(); i++) {
		if (scheduled_task_execute_now(h->task, &h->now_ctx) !=
		    SCHEDULED_TASK_RESULT_INVALID)
			atomic_inc(h->now_runs);
		if (!scheduled_task_execute_now_deferred(h->task, &h->legacy_ctx))
			atomic_inc(h->queued);
		if (!scheduled_task_execute_now_deferred_ex(h->task))
			atomic_inc(h->queued);
		if (scheduled_task_resume(h->task,
					  SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED) == -EIO)
			atomic_inc(h->resumes);
		if (h->cancel_restart && (i & 7) == 3) {
			scheduled_task_cancel(h->task);
			scheduled_task_restart(h->task);
		}
		cond_resched();
	}
	complete(&h->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

#define ST_HAMMERS	4

static void b13_runs_never_overlap(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("hammer", rec, NP, IMM, RESUME);
	struct st_hammer *h = kunit_kcalloc(test, ST_HAMMERS, sizeof(*h),
					    GFP_KERNEL);
	struct task_struct *threads[ST_HAMMERS];
	atomic_t now_runs = ATOMIC_INIT(0), queued = ATOMIC_INIT(0);
	atomic_t resumes = ATOMIC_INIT(0);
	struct scheduled_task *task;
	int i, expected;

	KUNIT_ASSERT_NOT_NULL(test, h);
	/* Never completes, so every run counts; no retry fires meanwhile. */
	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	rec->then = SCHEDULED_TASK_FAIL;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	for (i = 0; i < ST_HAMMERS; i++) {
		h[i] = (struct st_hammer) {
			.task = task, .rec = rec,
			.now_ctx = { .rec = rec, .tag = ST_TAG_NOW },
			.legacy_ctx = { .rec = rec, .tag = ST_TAG_LEGACY },
			.now_runs = &now_runs, .queued = &queued,
			.resumes = &resumes, .iterations = 100,
		};
		init_completion(&h[i].done);
		threads[i] = kthread_run(st_hammer_fn, &h[i], "st-hammer/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(threads[i]));
	}
	for (i = 0; i < ST_HAMMERS; i++) {
		KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&h[i].done,
								  10 * ST_WAIT), 0UL);
		kthread_stop(threads[i]);
	}
	st_flush(task);		/* also fires the first run's retry: +1 */
	expected = 2 + atomic_read(&now_runs) + atomic_read(&queued) +
		   atomic_read(&resumes);
	KUNIT_EXPECT_EQ(test, expected, 2 + ST_HAMMERS * 100 * 4);
	KUNIT_EXPECT_EQ(test, st_calls(rec), expected);
	KUNIT_EXPECT_EQ(test, atomic_read(&rec->per_tag[ST_TAG_NOW]),
			atomic_read(&now_runs));
	KUNIT_EXPECT_EQ(test, atomic_read(&rec->overlaps), 0);
}

struct st_pair {
	struct st_rec *rec[2];
	bool met[2];
};

/* Each task's callback waits for the other's: only parallel runs meet. */
static void st_meet(struct st_rec *rec, struct scheduled_task *task, int call)
{
	struct st_pair *pair = rec->hook_data;
	int me = rec == pair->rec[1];

	pair->met[me] = wait_for_completion_timeout(&pair->rec[!me]->entered,
						    ST_WAIT) > 0;
}

static void b13_different_tasks_run_in_parallel(struct kunit *test)
{
	struct device *dev = st_dev(test);
	struct st_pair pair = { { st_rec_new(test), st_rec_new(test) } };
	struct scheduled_task_config a = st_cfg("a", pair.rec[0], NP, DEF, PROBE);
	struct scheduled_task_config b = st_cfg("b", pair.rec[1], NP, DEF, PROBE);

	pair.rec[0]->hook = st_meet;
	pair.rec[0]->hook_data = &pair;
	pair.rec[1]->hook = st_meet;
	pair.rec[1]->hook_data = &pair;
	st_new(test, dev, &a);
	st_new(test, dev, &b);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(pair.rec[0], 1));
	KUNIT_ASSERT_TRUE(test, st_rec_wait(pair.rec[1], 1));
	KUNIT_EXPECT_TRUE(test, pair.met[0]);
	KUNIT_EXPECT_TRUE(test, pair.met[1]);
}

/* ---- B14 --------------------------------------------------------------- */

static void b14_cancel_drops_pending_work(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("cancel", rec, NP, DEF, PROBE);
	struct scheduled_task *task;
	int i;

	cfg.initial_delay_ms = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "pending");
	scheduled_task_cancel(task);
	scheduled_task_cancel(task);	/* idempotent */
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "cancelled");
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
		KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task),
				-ECANCELED);
	}
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
}

static void st_cancel_self(struct st_rec *rec, struct scheduled_task *task,
			   int call)
{
	if (call == 1)
		scheduled_task_cancel(task);
}

static void b14_cancel_from_own_callback_stops_future_runs(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("selfcancel", rec, NP, DEF,
						  DEMAND);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	int i;

	rec->hook = st_cancel_self;
	rec->then = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	cfg.retry_ms_on_fail = 1;
	for (i = 0; i < 5; i++)
		scheduled_task_execute_now_deferred(task, &rec->self);
	for (i = 0; i < 5; i++)
		scheduled_task_execute_now_deferred_ex(task);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "cancelled");
}

struct st_canceller {
	void (*op)(struct scheduled_task *task);
	struct scheduled_task *task;
	struct st_rec *rec;
	struct completion done;
	int inside_at_return;
};

/* Runs @op (cancel or destroy) on the task and notes what was inside. */
static int st_stopper_thread(void *data)
{
	struct st_canceller *c = data;

	c->op(c->task);
	c->inside_at_return = atomic_read(&c->rec->inside);
	complete(&c->done);
	return 0;
}

static void b14_cancel_waits_for_running_callback(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("wait", rec, NP, DEF, DEMAND);
	struct completion *hold;
	struct st_canceller c = { .op = scheduled_task_cancel, .rec = rec,
				  .inside_at_return = -1 };
	struct task_struct *thread;

	c.task = st_new(test, st_dev(test), &cfg);
	init_completion(&c.done);
	rec->then = SCHEDULED_TASK_FAIL;
	hold = st_rec_hold(rec);
	KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(c.task), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
							  ST_WAIT), 0UL);
	thread = kthread_run(st_stopper_thread, &c, "st-cancel");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	/* While the callback is held, cancel cannot have returned. */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&c.done, HZ / 2), 0UL);
	complete_all(hold);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c.done, ST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, c.inside_at_return, 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(c.task), "cancelled");
}

/* B's callback cancels task A while A's callback runs on another worker. */
static void st_cancel_other(struct st_rec *rec, struct scheduled_task *task,
			    int call)
{
	scheduled_task_cancel(rec->hook_data);
}

static void b14_callback_cancels_another_task(struct kunit *test)
{
	struct st_rec *ra = st_rec_new(test), *rb = st_rec_new(test);
	struct scheduled_task_config a = st_cfg("a", ra, NP, DEF, DEMAND);
	struct scheduled_task_config b = st_cfg("b", rb, NP, DEF, DEMAND);
	struct device *dev = st_dev(test);
	struct scheduled_task *ta = st_new(test, dev, &a);
	struct scheduled_task *tb = st_new(test, dev, &b);
	struct completion *hold;

	KUNIT_ASSERT_TRUE_MSG(test, debug_locks, "lockdep was off before the test");
	ra->then = SCHEDULED_TASK_FAIL;
	hold = st_rec_hold(ra);
	KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(ta), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&ra->entered, ST_WAIT), 0UL);

	rb->hook = st_cancel_other;
	rb->hook_data = ta;
	KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(tb), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rb->entered, ST_WAIT), 0UL);
	msleep(100);	/* B is waiting for A's callback inside cancel */
	complete_all(hold);
	KUNIT_EXPECT_TRUE(test, st_rec_wait(rb, 1));
	st_flush(tb);
	KUNIT_EXPECT_STREQ(test, st_state_name(ta), "cancelled");
	/* Two tasks' work items are not one lock: no report, lockdep on. */
	KUNIT_EXPECT_TRUE(test, debug_locks);
}

/* ---- B15 --------------------------------------------------------------- */

static void b15_restart_reschedules_deferred(struct kunit *test)
{
	struct device *dev = st_dev(test);
	struct st_rec *rec = st_rec_new(test), *od = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("restart", rec, NP, DEF, PROBE);
	struct scheduled_task_config dcfg = st_cfg("demand", od, NP, DEF, DEMAND);
	struct scheduled_task *task, *demand;

	cfg.initial_delay_ms = ST_FOREVER_MS;
	task = st_new(test, dev, &cfg);
	demand = st_new(test, dev, &dcfg);
	scheduled_task_cancel(task);
	scheduled_task_cancel(demand);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "cancelled");

	spin_lock_irq(&st_atomic_lock);	/* callable from atomic context */
	scheduled_task_restart(task);
	scheduled_task_restart(demand);
	spin_unlock_irq(&st_atomic_lock);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "pending");
	KUNIT_EXPECT_STREQ(test, st_state_name(demand), "idle");
	st_flush(task);
	st_flush(demand);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_EQ(test, st_calls(od), 0);
	/* Completed: restart schedules nothing. */
	scheduled_task_restart(task);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
}

/*
 * cancel() racing restart(): whatever the order, a task that says
 * "pending" has its delayed work armed.  A restart between cancel's
 * unlock and its cancel_delayed_work_sync() used to leave "armed" set
 * with nothing queued: "pending" forever.  And it must not be lost: right
 * after a cancel returns, the task is cancelled (the last restart came
 * before it) or pending (one came after it and armed the run).  A restart
 * whose timer the cancel took back left the task open and "idle", with
 * nothing armed, so it never ran.
 */
struct st_racer {
	struct scheduled_task *task;
	int iterations;
	atomic_t *stale;
	atomic_t *lost;
	struct completion done;
};

static int st_restarter(void *data)
{
	struct st_racer *r = data;
	int i;

	for (i = 0; i < r->iterations; i++) {
		scheduled_task_restart(r->task);
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

static int st_canceller_loop(void *data)
{
	struct st_racer *r = data;
	int i;

	for (i = 0; i < r->iterations; i++) {
		scheduled_task_cancel(r->task);
		/* Only this thread cancels and the delay never ends. */
		if (!strcmp(st_state_name(r->task), "pending") &&
		    !delayed_work_pending(&r->task->dwork))
			atomic_inc(r->stale);
		if (!strcmp(st_state_name(r->task), "idle"))
			atomic_inc(r->lost);
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

static void b15_cancel_racing_restart_leaves_nothing_stale(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("racy", rec, NP, DEF, PROBE);
	atomic_t stale = ATOMIC_INIT(0), lost = ATOMIC_INIT(0);
	struct st_racer r[2];
	struct task_struct *t;
	int i;

	cfg.initial_delay_ms = ST_FOREVER_MS;
	r[0].task = st_new(test, st_dev(test), &cfg);
	for (i = 0; i < 2; i++) {
		r[i].task = r[0].task;
		r[i].iterations = 5000;
		r[i].stale = &stale;
		r[i].lost = &lost;
		init_completion(&r[i].done);
		t = kthread_run(i ? st_canceller_loop : st_restarter, &r[i],
				"st-race/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < 2; i++)
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&r[i].done,
								  10 * ST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&stale), 0);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&lost), 0,
			    "restarts lost to a racing cancel");
	scheduled_task_cancel(r[0].task);
	KUNIT_EXPECT_STREQ(test, st_state_name(r[0].task), "cancelled");
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
}

/* ---- B16, B17, B20: stores --------------------------------------------- */

/* A store that counts, fails on request, and checks write-before-complete. */
struct st_fake_store {
	u32 value;
	int reads, writes;
	int read_err, write_err;
	bool completed_before_write;
	bool detached;
	int after_detach;	/* reads and writes of a detached store */
	struct completion *write_hold;	/* when set, writes wait for it */
	struct completion write_entered;
};

static struct st_fake_store st_fake;

/* Like efivar_lock(): a sleep that a pending signal interrupts. */
static int st_fake_lock(void)
{
	return signal_pending(current) ? -EINTR : 0;
}

static int st_fake_read(struct scheduled_task *task, struct st_record *rec)
{
	if (st_fake_lock())
		return -EINTR;
	st_fake.after_detach += st_fake.detached;
	st_fake.reads++;
	if (st_fake.read_err)
		return st_fake.read_err;
	rec->state = ST_RECORD_OURS;
	rec->times_run = st_fake.value;
	return 0;
}

static int st_fake_write(struct scheduled_task *task, u32 times_run)
{
	if (st_fake_lock())
		return -EINTR;
	st_fake.after_detach += st_fake.detached;
	st_fake.writes++;
	if (READ_ONCE(task->state) == ST_COMPLETED)
		st_fake.completed_before_write = true;
	if (st_fake.write_hold) {
		complete(&st_fake.write_entered);
		wait_for_completion_timeout(st_fake.write_hold, ST_WAIT);
	}
	if (st_fake.write_err)
		return st_fake.write_err;
	st_fake.value = times_run;
	return 0;
}

static void st_fake_detach(struct scheduled_task *task)
{
	st_fake.detached = true;
}

static const struct st_store_ops st_fake_ops = {
	.name = "fake",
	.read = st_fake_read,
	.write = st_fake_write,
	.detach = st_fake_detach,
};

static void st_fake_reset(void *unused)
{
	st_store_test_override(NULL);
}

static void st_use_fake_store(struct kunit *test)
{
	memset(&st_fake, 0, sizeof(st_fake));
	init_completion(&st_fake.write_entered);
	st_store_test_override(&st_fake_ops);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_fake_reset,
							NULL), 0);
}

static void b16_times_run_counts_and_rearms(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("count", rec, NP, IMM, RESUME);
	struct scheduled_task *task = st_new(test, st_dev(test), &cfg);
	u32 n;

	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	/* Non-zero marks it completed. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 5), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.resume), 0);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 2);
}

static void b16_persistent_write_precedes_completion(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("durable", rec, PERS, IMM, PROBE);
	struct scheduled_task *task;
	u32 n;

	st_use_fake_store(test);
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_EQ(test, st_fake.value, 1U);
	/* The first record (0) before the run, then the completion. */
	KUNIT_EXPECT_EQ(test, st_fake.writes, 2);
	KUNIT_EXPECT_FALSE(test, st_fake.completed_before_write);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");

	/* Set writes through; get gives what the store last took. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 3), 0);
	KUNIT_EXPECT_EQ(test, st_fake.value, 3U);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 3U);
}

/*
 * times_run is written between runs, never inside one: a write of 0
 * during a run that succeeds re-arms the task afterwards instead of being
 * overwritten by the completion, and a write of N stays N, not N + 1.
 */
static void st_set_0(struct scheduled_task *task)
{
	scheduled_task_times_run_set(task, 0);
}

static void st_set_5(struct scheduled_task *task)
{
	scheduled_task_times_run_set(task, 5);
}

static void b16_times_run_set_waits_for_the_run(struct kunit *test)
{
	static const struct {
		const char *name;
		void (*op)(struct scheduled_task *task);
		u32 times_run;
		const char *state;
	} cases[] = {
		{ "set0", st_set_0, 0, "idle" },
		{ "set5", st_set_5, 5, "completed" },
	};
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct st_rec *rec = st_rec_new(test);
		struct scheduled_task_config cfg = st_cfg(cases[i].name, rec, NP,
							  DEF, DEMAND);
		struct st_canceller c = { .op = cases[i].op, .rec = rec,
					  .inside_at_return = -1 };
		struct task_struct *thread;
		struct completion *hold;
		u32 n = 0xdead;

		c.task = st_new(test, st_dev(test), &cfg);
		init_completion(&c.done);
		hold = st_rec_hold(rec);
		KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(c.task), 0);
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
								  ST_WAIT), 0UL);
		thread = kthread_run(st_stopper_thread, &c, "st-set");
		KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
		schedule_timeout_uninterruptible(HZ / 2);
		KUNIT_EXPECT_FALSE_MSG(test, completion_done(&c.done),
				       "%s returned inside the run", cases[i].name);
		complete_all(hold);
		KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c.done, ST_WAIT), 0UL);
		st_flush(c.task);
		KUNIT_EXPECT_EQ(test, c.inside_at_return, 0);
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(c.task, &n), 0);
		KUNIT_EXPECT_EQ_MSG(test, n, cases[i].times_run, "%s", cases[i].name);
		KUNIT_EXPECT_STREQ_MSG(test, st_state_name(c.task), cases[i].state,
				       "%s", cases[i].name);
	}
}

/*
 * A success is published with its record: while the completion is being
 * written the task is still running, and its last result is not yet
 * "success" next to a times_run of 0.
 */
static void b16_result_published_with_its_record(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("publish", rec, PERS, DEF, DEMAND);
	enum scheduled_task_result last;
	struct scheduled_task *task;
	struct completion hold;
	u32 n = 0xdead;

	st_use_fake_store(test);
	task = st_new(test, st_dev(test), &cfg);
	init_completion(&hold);
	st_fake.write_hold = &hold;
	KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&st_fake.write_entered,
							  ST_WAIT), 0UL);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "running");
	last = READ_ONCE(task->last_result);
	KUNIT_EXPECT_NE(test, last, SCHEDULED_TASK_SUCCESS);
	complete_all(&hold);
	st_flush(task);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, task->last_result, SCHEDULED_TASK_SUCCESS);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	st_fake.write_hold = NULL;
}

/*
 * Hostile writes to times_run: each gives its documented value or error,
 * and an error changes nothing.  A write is one value: an embedded NUL,
 * blanks, signs, other bases and overflow are -EINVAL.
 */
struct st_write_case {
	const char *bytes;
	size_t len;		/* 0: strlen(bytes) */
	long expect;		/* the value, or a negative errno */
};

static const struct st_write_case st_times_run_writes[] = {
	{ "0", 0, 0 }, { "1", 0, 1 }, { "1\n", 0, 1 }, { "42", 0, 42 },
	{ "007", 0, 7 }, { "010", 0, 10 }, { "01", 0, 1 },
	{ "4294967295", 0, 4294967295L }, { "4294967295\n", 0, 4294967295L },
	{ "4294967296", 0, -EINVAL }, { "99999999999999999999", 0, -EINVAL },
	{ "\n", 0, -EINVAL }, { " 1", 0, -EINVAL }, { "1 ", 0, -EINVAL },
	{ "\t1", 0, -EINVAL }, { "+1", 0, -EINVAL }, { "-1", 0, -EINVAL },
	{ "-0", 0, -EINVAL }, { "0x1", 0, -EINVAL }, { "0X1F", 0, -EINVAL },
	{ "1\n\n", 0, -EINVAL }, { "1\r\n", 0, -EINVAL },
	{ "1\0junk", 6, -EINVAL }, { "\0", 1, -EINVAL }, { "1\0", 2, -EINVAL },
	{ "1e3", 0, -EINVAL }, { "1.0", 0, -EINVAL }, { "abc", 0, -EINVAL },
	{ "\xef\xbc\x91", 0, -EINVAL },	/* fullwidth digit one */
	{ "\xd9\xa3", 0, -EINVAL },	/* Arabic-Indic digit three */
	{ "1,000", 0, -EINVAL }, { "1_000", 0, -EINVAL },
};

static void b16_times_run_hostile_writes(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("hostile", rec, NP, DEF, DEMAND);
	struct scheduled_task *task;
	struct file *file;
	char path[96], *big;
	ssize_t ret;
	u32 n;
	int i;

	task = st_new(test, st_dev(test), &cfg);
	snprintf(path, sizeof(path), "/sys/class/scheduled_task/%s/times_run",
		 dev_name(&task->dev));
	file = st_sysfs_open(path, O_WRONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s", path);
	for (i = 0; i < ARRAY_SIZE(st_times_run_writes); i++) {
		const struct st_write_case *c = &st_times_run_writes[i];
		size_t len = c->len ?: strlen(c->bytes);

		KUNIT_ASSERT_EQ(test, scheduled_task_times_run_set(task, 123), 0);
		ret = st_write_file(file, c->bytes, len);
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
		if (c->expect < 0) {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)c->expect,
					    "case %d '%*pE'", i, (int)len, c->bytes);
			KUNIT_EXPECT_EQ_MSG(test, n, 123U, "case %d", i);
			KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
		} else {
			KUNIT_EXPECT_EQ_MSG(test, ret, (ssize_t)len,
					    "case %d '%*pE'", i, (int)len, c->bytes);
			KUNIT_EXPECT_EQ_MSG(test, n, (u32)c->expect, "case %d", i);
		}
	}

	/* An empty write never reaches the attribute: nothing changes. */
	KUNIT_ASSERT_EQ(test, scheduled_task_times_run_set(task, 123), 0);
	KUNIT_EXPECT_EQ(test, st_write_file(file, "", 0), 0);
	/* sysfs cuts a write to one page: too long a number either way. */
	big = kunit_kmalloc(test, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, '1', 5000);
	KUNIT_EXPECT_EQ(test, st_write_file(file, big, 5000), (ssize_t)-EINVAL);
	KUNIT_EXPECT_EQ(test, st_write_file(file, big, PAGE_SIZE), (ssize_t)-EINVAL);
	memset(big, '0', PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, st_write_file(file, big, PAGE_SIZE), (ssize_t)PAGE_SIZE);
	/* A value split over two writes is two values. */
	KUNIT_EXPECT_EQ(test, st_write_file(file, "1", 1), 1);
	KUNIT_EXPECT_EQ(test, st_write_file(file, "2\n", 2), 2);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 2U);
	fput(file);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
}

/* 100 reads of the sysfs attribute: not one reaches the store. */
static void b16_reads_never_reach_the_store(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("reads", rec, PERS, IMM, PROBE);
	struct scheduled_task *task;
	struct file *file;
	char path[96], buf[16];
	int i, reads;

	st_use_fake_store(test);
	task = st_new(test, st_dev(test), &cfg);
	reads = st_fake.reads;
	snprintf(path, sizeof(path), "/sys/class/scheduled_task/%s/times_run",
		 dev_name(&task->dev));
	file = st_sysfs_open(path, O_RDONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s", path);
	for (i = 0; i < 100; i++) {
		loff_t pos = 0;
		ssize_t len = kernel_read(file, buf, sizeof(buf) - 1, &pos);

		KUNIT_EXPECT_EQ(test, len, 2);
		if (len == 2)
			KUNIT_EXPECT_EQ(test, buf[0], '1');
	}
	fput(file);
	KUNIT_EXPECT_EQ(test, st_fake.reads, reads);
}

/*
 * Hibernation: the kernel that boots to restore an image may run a
 * persistent task and record it.  The restored image must believe the
 * store, not its own memory, and not run the task a second time.
 */
static void b16_restore_rereads_the_record(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("hib", rec, PERS, IMM, RESUME);
	struct scheduled_task *task;
	u32 n;

	st_use_fake_store(test);
	/* The first power-up fails and waits for a retry far away. */
	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	cfg.retry_ms_on_fail = ST_FOREVER_MS;
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STRNEQ(test, st_state_name(task), "completed");

	/* The boot kernel ran it and wrote 1; then this image is restored. */
	st_fake.value = 1;
	KUNIT_EXPECT_EQ(test, st_pm(task, st_pm_ops.restore), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
}

/*
 * A probe in a modprobe that was killed: the record is read and the
 * completion written while the probing thread has a signal pending, and
 * the store's calls sleep interruptibly (as the EFI variable calls do).
 * Neither may fail for it: a lost completion is a second run next boot.
 */
static void b16_pending_signal_loses_no_completion(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("killed", rec, PERS, IMM, PROBE);
	struct device *dev = st_dev(test);
	struct scheduled_task *task;

	st_use_fake_store(test);
	allow_signal(SIGUSR1);
	send_sig(SIGUSR1, current, 0);
	KUNIT_EXPECT_TRUE(test, signal_pending(current));
	task = scheduled_task_create(dev, &cfg);
	flush_signals(current);
	disallow_signal(SIGUSR1);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, st_fake.value, 1U);
	scheduled_task_destroy(task);
}

static void b16_store_errors_reach_the_caller(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("errs", rec, PERS, DEF, DEMAND);
	struct scheduled_task *task;
	u32 n = 77;

	st_use_fake_store(test);
	task = st_new(test, st_dev(test), &cfg);
	st_fake.write_err = -EIO;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 4), -EIO);
	KUNIT_EXPECT_EQ(test, st_fake.value, 0U);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);

	/* A completion the store cannot record: not done, being retried. */
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "record-pending");
	/* The administrator's write wins over the retries. */
	st_fake.write_err = 0;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	msleep(4 * st_record_retry_ms);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	KUNIT_EXPECT_EQ(test, st_fake.value, 0U);
}

static void st_retry_ms_restore(void *ms)
{
	st_record_retry_ms = (unsigned long)ms;
}

static void st_fast_record_retry(struct kunit *test, unsigned int ms)
{
	void *old = (void *)(unsigned long)st_record_retry_ms;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_retry_ms_restore,
							old), 0);
	st_record_retry_ms = ms;
}

static bool st_wait_state(struct scheduled_task *task, const char *state)
{
	int i;

	for (i = 0; i < 250; i++) {
		if (!strcmp(st_state_name(task), state))
			return true;
		msleep(20);
	}
	return false;
}

/*
 * A success whose record write fails is not lost: the task does not run
 * again while the write is retried, and the record lands once the store
 * takes it.
 */
static void b16_failed_record_is_retried(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("retried", rec, PERS, DEF, DEMAND);
	struct scheduled_task *task;
	u32 n = 77;

	st_use_fake_store(test);
	st_fast_record_retry(test, 20);
	task = st_new(test, st_dev(test), &cfg);
	st_fake.write_err = -EIO;
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	st_flush(task);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "record-pending");
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);

	st_fake.write_err = 0;
	KUNIT_ASSERT_TRUE(test, st_wait_state(task, "completed"));
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, st_fake.value, 1U);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
}

/* A store that never takes it: a bounded number of writes, then store-error. */
static void b16_failed_record_gives_up(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("hopeless", rec, PERS, DEF, DEMAND);
	struct scheduled_task *task;
	int writes;

	st_use_fake_store(test);
	st_fast_record_retry(test, 1);
	task = st_new(test, st_dev(test), &cfg);
	writes = st_fake.writes;
	st_fake.write_err = -EIO;
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	KUNIT_ASSERT_TRUE(test, st_wait_state(task, "store-error"));
	KUNIT_EXPECT_EQ(test, st_fake.writes - writes, 8);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_EQ(test, st_fake.value, 0U);
}

static void b17_each_task_has_its_own_record(struct kunit *test)
{
	struct device *dev = st_dev(test);
	struct st_rec *ra = st_rec_new(test), *rb = st_rec_new(test);
	struct scheduled_task_config a = st_cfg("rec-a", ra, PERS, IMM, PROBE);
	struct scheduled_task_config b = st_cfg("rec-b", rb, PERS, DEF, DEMAND);
	struct scheduled_task *ta = st_new(test, dev, &a);
	struct scheduled_task *tb = st_new(test, dev, &b);
	char key[ST_KEY_MAX];
	u32 n;

	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(ta, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(tb, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 0U);
	KUNIT_EXPECT_STREQ(test, st_state_name(tb), "idle");
	snprintf(key, sizeof(key), "st-kunit-client/%s/rec-a", dev_name(dev));
	KUNIT_EXPECT_STREQ(test, ta->key, key);
	KUNIT_EXPECT_STREQ(test, st_store_name(ta), "ram");
}

/*
 * A record key is never cut short: two tasks whose keys differ only past
 * ST_KEY_MAX would share one record, and the second would never run.
 */
static void b17_key_too_long_is_refused(struct kunit *test)
{
	char long_dev[101];	/* "none/<100 bytes>/<32 bytes>": 138 bytes */
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config a = st_cfg("long-task-name-number-one-aaaa-1", rec,
						PERS, IMM, PROBE);
	struct scheduled_task_config b = a;
	struct scheduled_task *ta, *tb;
	struct device *dev;

	b.name = "long-task-name-number-one-aaaa-2";
	memset(long_dev, 'd', sizeof(long_dev) - 1);
	long_dev[sizeof(long_dev) - 1] = '\0';
	dev = st_kunit_root_device_register(long_dev);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	ta = scheduled_task_create(dev, &a);
	tb = scheduled_task_create(dev, &b);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ta), -ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(tb), -ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
	scheduled_task_destroy(ta);
	scheduled_task_destroy(tb);

	/* Not persistent: no record, no key to keep. */
	a.persistence = NP;
	ta = scheduled_task_create(dev, &a);
	KUNIT_EXPECT_FALSE(test, IS_ERR(ta));
	scheduled_task_destroy(ta);
	root_device_unregister(dev);
}

/* A device named in probe order cannot identify a record across boots. */
static void b17_auto_numbered_device_is_refused(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("auto", rec, PERS, IMM, PROBE);
	struct platform_device *pdev;
	struct scheduled_task *task;

	pdev = platform_device_register_simple("st-kunit-auto", PLATFORM_DEVID_AUTO,
					       NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pdev);
	task = scheduled_task_create(&pdev->dev, &cfg);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(task), -EINVAL);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
	scheduled_task_destroy(task);

	cfg.persistence = NP;
	task = scheduled_task_create(&pdev->dev, &cfg);
	KUNIT_EXPECT_FALSE(test, IS_ERR(task));
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	scheduled_task_destroy(task);
	platform_device_unregister(pdev);
}

static void b20_unreadable_store_refuses_to_run(struct kunit *test)
{
	struct device *dev = st_dev(test);
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("broken", rec, PERS, IMM, PROBE);
	struct scheduled_task *task;

	st_use_fake_store(test);
	st_fake.read_err = -EBADMSG;
	/* create succeeds so the administrator can repair it via sysfs */
	task = st_new(test, dev, &cfg);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	scheduled_task_restart(task);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 0);

	st_fake.read_err = 0;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
}

static void b20_not_persistent_never_touches_store(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("volatile", rec, NP, IMM, PROBE);
	struct scheduled_task *task;
	u32 n;

	st_use_fake_store(test);
	task = st_new(test, st_dev(test), &cfg);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_STREQ(test, st_store_name(task), "none");
	KUNIT_EXPECT_EQ(test, st_fake.reads + st_fake.writes, 0);
}

/* ---- B18 --------------------------------------------------------------- */

struct st_teardown {
	struct st_rec *rec;
	struct workqueue_struct *wq;
	struct scheduled_task *task;
	struct task_struct *threads[ST_HAMMERS];
	struct st_hammer h[ST_HAMMERS];
	atomic_t now_runs, queued, resumes;
};

static void st_stop_hammers(void *data)
{
	struct st_teardown *td = data;
	int i;

	for (i = 0; i < ST_HAMMERS; i++)
		kthread_stop(td->threads[i]);
}

/* Probe: a task, queued calls, armed retries and four threads at it. */
static int st_probe_busy(struct st_client *client, struct device *dev)
{
	struct st_teardown *td = client->data;
	struct scheduled_task_config cfg = st_cfg("busy", td->rec, NP, DEF,
						  RESUME);
	int i;

	cfg.wq = td->wq;
	cfg.retry_ms_on_fail = 1;
	td->task = devm_scheduled_task_create(dev, &cfg);
	if (IS_ERR(td->task))
		return PTR_ERR(td->task);
	for (i = 0; i < ST_HAMMERS; i++) {
		td->h[i] = (struct st_hammer) {
			.task = td->task, .rec = td->rec,
			.now_ctx = { .rec = td->rec, .tag = ST_TAG_NOW },
			.legacy_ctx = { .rec = td->rec, .tag = ST_TAG_LEGACY },
			.cancel_restart = true,
			.now_runs = &td->now_runs, .queued = &td->queued,
			.resumes = &td->resumes, .iterations = INT_MAX,
		};
		init_completion(&td->h[i].done);
		td->threads[i] = kthread_run(st_hammer_fn, &td->h[i],
					     "st-busy/%d", i);
		if (IS_ERR(td->threads[i]))
			return PTR_ERR(td->threads[i]);
	}
	/* Released before the task (devm is LIFO): the threads stop first. */
	return devm_add_action_or_reset(dev, st_stop_hammers, td);
}

static void b18_unbind_while_busy_is_safe(struct kunit *test)
{
	struct st_teardown *td = kunit_kzalloc(test, sizeof(*td), GFP_KERNEL);
	struct st_client *client;
	int calls;

	KUNIT_ASSERT_NOT_NULL(test, td);
	td->rec = st_rec_new(test);
	td->rec->then = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	td->wq = alloc_workqueue("st-kunit", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, td->wq);
	client = st_client_new(test, st_probe_busy, td);
	KUNIT_ASSERT_EQ(test, client->probe_err, 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(td->rec, 200));

	/* Unbind with threads calling, calls queued and retries armed. */
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	calls = st_calls(td->rec);
	KUNIT_EXPECT_EQ(test, atomic_read(&td->rec->inside), 0);
	flush_workqueue(td->wq);
	KUNIT_EXPECT_EQ(test, st_calls(td->rec), calls);
	KUNIT_EXPECT_EQ(test, atomic_read(&td->rec->overlaps), 0);
	/* Cancel drops queued calls; direct calls all ran, exactly once. */
	KUNIT_EXPECT_EQ(test, atomic_read(&td->rec->per_tag[ST_TAG_NOW]),
			atomic_read(&td->now_runs));
	KUNIT_EXPECT_LE(test, atomic_read(&td->rec->per_tag[ST_TAG_LEGACY]),
			atomic_read(&td->queued));
	KUNIT_EXPECT_GT(test, atomic_read(&td->now_runs), 0);
	KUNIT_EXPECT_FALSE(test, st_class_has(st_client_dev(client), "busy"));
	destroy_workqueue(td->wq);
}

/* A sysfs write that is under way while its task is destroyed. */
struct st_late_write {
	struct file *file;
	ssize_t ret;
};

static int st_late_write_thread(void *data)
{
	struct st_late_write *w = data;
	loff_t pos = 0;

	w->ret = kernel_write(w->file, "0\n", 2, &pos);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static int st_destroy_thread(void *task)
{
	scheduled_task_destroy(task);
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static void b18_sysfs_never_reaches_a_detached_store(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("late", rec, PERS, DEF, DEMAND);
	struct st_late_write w = {};
	struct task_struct *destroyer, *writer;
	struct scheduled_task *task;
	char path[96];

	st_use_fake_store(test);
	task = scheduled_task_create(st_dev(test), &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	snprintf(path, sizeof(path), "/sys/class/scheduled_task/%s/times_run",
		 dev_name(&task->dev));
	w.file = st_sysfs_open(path, O_WRONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(w.file), "open %s", path);

	/*
	 * Hold the store: destroy queues for it first, then the write.
	 * Whatever the order, the write must not reach the store once
	 * destroy has detached it.
	 */
	mutex_lock(&task->store_lock);
	destroyer = kthread_run(st_destroy_thread, task, "st-destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(destroyer));
	msleep(200);
	writer = kthread_run(st_late_write_thread, &w, "st-late-write");
	KUNIT_ASSERT_FALSE(test, IS_ERR(writer));
	msleep(200);
	mutex_unlock(&task->store_lock);

	kthread_stop(destroyer);
	kthread_stop(writer);
	fput(w.file);
	KUNIT_EXPECT_TRUE(test, st_fake.detached);
	KUNIT_EXPECT_EQ(test, st_fake.after_detach, 0);
	/* A write that came too late is refused, not lost in a freed task. */
	KUNIT_EXPECT_EQ(test, w.ret, -ENODEV);
}

static void b18_destroy_waits_for_running_callback(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("dying", rec, NP, DEF, DEMAND);
	struct st_canceller c = { .op = scheduled_task_destroy, .rec = rec,
				  .inside_at_return = -1 };
	struct device *dev = st_dev(test);
	struct task_struct *thread;
	struct completion *hold;
	int i;

	c.task = scheduled_task_create(dev, &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c.task);
	init_completion(&c.done);
	rec->then = SCHEDULED_TASK_FAIL;
	hold = st_rec_hold(rec);
	for (i = 0; i < 5; i++) {
		scheduled_task_execute_now_deferred_ex(c.task);
		scheduled_task_execute_now_deferred(c.task, &rec->self);
	}
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
							  ST_WAIT), 0UL);
	/* Destroy from another thread while the callback is held... */
	thread = kthread_run(st_stopper_thread, &c, "st-destroy");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&c.done, HZ / 2), 0UL);
	/* ...returns only after it, and runs none of the queued calls. */
	complete_all(hold);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c.done, ST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, c.inside_at_return, 0);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_FALSE(test, st_class_has(dev, "dying"));
}

/* module_refcount() exists only with CONFIG_MODULE_UNLOAD. */
static int st_module_refs(struct module *mod)
{
#ifdef CONFIG_MODULE_UNLOAD
	return module_refcount(mod);
#else
	return 0;
#endif
}

/*
 * Each task pins the module until its release has run: the release is
 * module code, and the driver core may run it late (with
 * CONFIG_DEBUG_KOBJECT_RELEASE, seconds after the last put), after the
 * client and then the module could have been unloaded.
 */
static void b18_each_task_pins_the_module(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("pin", rec, NP, DEF, DEMAND);
	struct module *mod = st_this_module();
	struct scheduled_task *task;
	int refs;

	if (!IS_ENABLED(CONFIG_MODULE_UNLOAD) || !mod)
		kunit_skip(test, "scheduled_task is built in: no module to pin");
	/*
	 * CONFIG_DEBUG_KOBJECT_RELEASE runs each release 1 to 4 s after the
	 * last put: let earlier tests' tasks go first, and give this one's
	 * release the same time below.
	 */
	if (IS_ENABLED(CONFIG_DEBUG_KOBJECT_RELEASE))
		msleep(5000);
	refs = st_module_refs(mod);
	task = scheduled_task_create(st_dev(test), &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_module_refs(mod), refs + 1);
	get_device(&task->dev);
	scheduled_task_destroy(task);
	/* Destroyed, but a reference is still out: still pinned. */
	KUNIT_EXPECT_EQ(test, st_module_refs(mod), refs + 1);
	put_device(&task->dev);
	if (IS_ENABLED(CONFIG_DEBUG_KOBJECT_RELEASE))
		msleep(5000);
	KUNIT_EXPECT_EQ(test, st_module_refs(mod), refs);
}

static int st_probe_then_fail(struct st_client *client, struct device *dev)
{
	int err = st_probe_create(client, dev);

	return err ?: -ENODEV;
}

static void b18_probe_failure_releases_task(struct kunit *test)
{
	struct st_probe_case *pc = st_probe_case(test, "gone", NP, DEF, PROBE);
	struct st_client *client;

	pc->cfg.initial_delay_ms = ST_FOREVER_MS;
	client = st_client_new(test, st_probe_then_fail, pc);
	KUNIT_EXPECT_EQ(test, client->probe_err, -ENODEV);
	KUNIT_EXPECT_FALSE(test, st_class_has(st_client_dev(client), "gone"));
	KUNIT_EXPECT_EQ(test, st_calls(pc->rec), 0);
}

/* ---- B19 --------------------------------------------------------------- */

static void b19_nothing_runs_while_suspended(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("sleepy", rec, NP, DEF, DEMAND);
	const struct dev_pm_ops *pm = &st_pm_ops;
	struct workqueue_struct *wq;
	struct scheduled_task *task;

	/* A client workqueue that is not freezable: the task must hold off. */
	wq = alloc_workqueue("st-kunit-nf", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	cfg.wq = wq;
	cfg.retry_ms_on_fail = 1;
	rec->script[1] = SCHEDULED_TASK_FAIL_TRY_AGAIN;
	task = scheduled_task_create(st_dev(test), &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);

	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 1));
	/* Suspend with the retry armed; fire it while suspended. */
	KUNIT_EXPECT_EQ(test, st_pm(task, pm->suspend), 0);
	flush_delayed_work(&task->dwork);
	KUNIT_EXPECT_EQ(test, st_legacy(task, &rec->self), 0);
	flush_workqueue(wq);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "retry-wait");

	KUNIT_EXPECT_EQ(test, st_pm(task, pm->resume), 0);
	KUNIT_ASSERT_TRUE(test, st_rec_wait(rec, 3));
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(rec), 3);
	scheduled_task_destroy(task);
	destroy_workqueue(wq);
}

/*
 * A callback already running on a client workqueue that is not freezable
 * when the device suspends: the class device's suspend waits for it, so
 * nothing of the task runs while the client sleeps.
 */
static void st_suspend_op(struct scheduled_task *task)
{
	st_pm_ops.suspend(&task->dev);
}

static void b19_suspend_waits_for_running_callback(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("insomniac", rec, NP, DEF, DEMAND);
	struct st_canceller c = { .op = st_suspend_op, .rec = rec,
				  .inside_at_return = -1 };
	struct workqueue_struct *wq;
	struct task_struct *thread;
	struct completion *hold;

	wq = alloc_workqueue("st-kunit-nf", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	cfg.wq = wq;
	c.task = scheduled_task_create(st_dev(test), &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, c.task);
	init_completion(&c.done);
	rec->then = SCHEDULED_TASK_FAIL;
	hold = st_rec_hold(rec);
	KUNIT_ASSERT_EQ(test, scheduled_task_execute_now_deferred_ex(c.task), 0);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&rec->entered,
							  ST_WAIT), 0UL);
	thread = kthread_run(st_stopper_thread, &c, "st-suspend");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	schedule_timeout_uninterruptible(HZ / 2);
	KUNIT_EXPECT_FALSE(test, completion_done(&c.done));
	complete_all(hold);
	KUNIT_ASSERT_GT(test, wait_for_completion_timeout(&c.done, ST_WAIT), 0UL);
	KUNIT_EXPECT_EQ(test, c.inside_at_return, 0);
	KUNIT_EXPECT_EQ(test, st_pm(c.task, st_pm_ops.resume), 0);
	scheduled_task_destroy(c.task);
	destroy_workqueue(wq);
}

/*
 * Only tasks that act at system sleep have PM callbacks: the others must
 * not stop the PM core from leaving a runtime-suspended client asleep
 * through a system suspend (direct complete).
 */
static void b19_pm_callbacks_only_where_needed(struct kunit *test)
{
	static const struct {
		const char *name;
		enum scheduled_task_persistence persistence;
		enum scheduled_task_when when;
		bool client_wq;
		bool callbacks;
	} cases[] = {
		{ "demand", NP, DEMAND, false, false },
		{ "probe", NP, PROBE, false, false },
		{ "resume", NP, RESUME, false, true },
		{ "ownwq", NP, DEMAND, true, true },
		{ "persistent", PERS, DEMAND, false, true },
	};
	struct device *dev = st_dev(test);
	struct workqueue_struct *wq;
	int i;

	wq = alloc_workqueue("st-kunit-nf", 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, wq);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct st_rec *rec = st_rec_new(test);
		struct scheduled_task_config cfg = st_cfg(cases[i].name, rec,
							  cases[i].persistence,
							  DEF, cases[i].when);
		struct scheduled_task *task;

		cfg.initial_delay_ms = ST_FOREVER_MS;
		if (cases[i].client_wq)
			cfg.wq = wq;
		task = scheduled_task_create(dev, &cfg);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
		KUNIT_EXPECT_EQ_MSG(test, !task->dev.power.no_pm_callbacks &&
				    !device_pm_not_required(&task->dev),
				    cases[i].callbacks, "%s", cases[i].name);
		scheduled_task_destroy(task);
	}
	destroy_workqueue(wq);
}

static struct kunit_case st_behaviour_cases[] = {
	KUNIT_CASE(b01_invalid_config_is_einval),
	KUNIT_CASE(b01_duplicate_name_is_eexist),
	KUNIT_CASE(b01_invalid_task_pointer_is_refused),
	KUNIT_CASE(b02_probe_immediate_runs_inside_create),
	KUNIT_CASE(b02_probe_immediate_fail_fails_create),
	KUNIT_CASE(b02_probe_immediate_fail_try_again_arms_retry),
	KUNIT_CASE(b02_probe_immediate_success_try_again_arms_retry),
	KUNIT_CASE(b03_probe_deferred_runs_on_workqueue),
	KUNIT_CASE(b04_resume_first_power_up_is_off),
	KUNIT_CASE(b04_resume_system_sleep_states),
	KUNIT_CASE(b04_resume_deferred_passes_state),
	KUNIT_CASE(b04_resume_joining_an_armed_run_reports_it),
	KUNIT_CASE(b04_resume_rejects_bad_previous_state),
	KUNIT_CASE(b05_on_demand_runs_only_when_asked),
	KUNIT_CASE(b06_success_is_final),
	KUNIT_CASE(b06_completed_stays_completed_during_a_legacy_call),
	KUNIT_CASE(b06_persistent_once_across_rebind),
	KUNIT_CASE(b07_success_try_again_repeats),
	KUNIT_CASE(b08_fail_try_again_retries),
	KUNIT_CASE(b08_fail_does_not_retry),
	KUNIT_CASE(b09_no_second_timer_while_armed),
	KUNIT_CASE(b10_execute_now_is_a_direct_call),
	KUNIT_CASE(b10_execute_now_from_own_callback_is_invalid),
	KUNIT_CASE(b11_legacy_calls_each_run_in_order),
	KUNIT_CASE(b11_legacy_from_atomic_context),
	KUNIT_CASE(b11_legacy_canceled_and_enomem),
	KUNIT_CASE(b12_ex_requests_are_counted),
	KUNIT_CASE(b12_ex_success_drops_the_rest),
	KUNIT_CASE_SLOW(b13_runs_never_overlap),
	KUNIT_CASE(b13_different_tasks_run_in_parallel),
	KUNIT_CASE(b14_cancel_drops_pending_work),
	KUNIT_CASE(b14_cancel_from_own_callback_stops_future_runs),
	KUNIT_CASE(b14_cancel_waits_for_running_callback),
	KUNIT_CASE(b14_callback_cancels_another_task),
	KUNIT_CASE(b15_restart_reschedules_deferred),
	KUNIT_CASE(b15_cancel_racing_restart_leaves_nothing_stale),
	KUNIT_CASE(b16_times_run_counts_and_rearms),
	KUNIT_CASE(b16_persistent_write_precedes_completion),
	KUNIT_CASE(b16_times_run_set_waits_for_the_run),
	KUNIT_CASE(b16_result_published_with_its_record),
	KUNIT_CASE(b16_times_run_hostile_writes),
	KUNIT_CASE(b16_reads_never_reach_the_store),
	KUNIT_CASE(b16_restore_rereads_the_record),
	KUNIT_CASE(b16_pending_signal_loses_no_completion),
	KUNIT_CASE(b16_store_errors_reach_the_caller),
	KUNIT_CASE(b16_failed_record_is_retried),
	KUNIT_CASE(b16_failed_record_gives_up),
	KUNIT_CASE(b17_each_task_has_its_own_record),
	KUNIT_CASE(b17_key_too_long_is_refused),
	KUNIT_CASE(b17_auto_numbered_device_is_refused),
	KUNIT_CASE_SLOW(b18_unbind_while_busy_is_safe),
	KUNIT_CASE(b18_destroy_waits_for_running_callback),
	KUNIT_CASE(b18_each_task_pins_the_module),
	KUNIT_CASE(b18_sysfs_never_reaches_a_detached_store),
	KUNIT_CASE(b18_probe_failure_releases_task),
	KUNIT_CASE(b19_nothing_runs_while_suspended),
	KUNIT_CASE(b19_suspend_waits_for_running_callback),
	KUNIT_CASE(b19_pm_callbacks_only_where_needed),
	KUNIT_CASE(b20_unreadable_store_refuses_to_run),
	KUNIT_CASE(b20_not_persistent_never_touches_store),
	{}
};

static struct kunit_suite st_behaviour_suite = {
	.name = "scheduled_task_behaviour",
	.suite_init = st_kunit_suite_init,
	.suite_exit = st_kunit_suite_exit,
	.test_cases = st_behaviour_cases,
};

kunit_test_suite(st_behaviour_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit suites of scheduled_task");
MODULE_LICENSE("GPL");
