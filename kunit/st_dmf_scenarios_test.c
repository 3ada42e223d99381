// SPDX-License-Identifier: GPL-2.0
/*
 * DMF's own functional test of DMF_ScheduledTask
 * (Dmf/Modules.Library.Tests/Dmf_Tests_ScheduledTask.c) ported to
 * scheduled_task: one task per row, whose callback returns the row's result
 * on its first call and SCHEDULED_TASK_SUCCESS after that, and the number
 * of times each ran.
 *
 * DMF's tables stop short where DMF does: no immediate FAIL at probe
 * ("it'll block driver from loading") and a single persistent record per
 * driver.  Here every combination of result, persistence, trigger and mode
 * has a row; immediate FAIL makes create return -EIO (rows B2, B4) and
 * each persistent task has its own record (B17).  Persistent rows that
 * complete then "boot again": the task is destroyed and created anew on
 * the same device with the same name, and must not run.
 *
 * Counts are exact: each row waits (bounded) for the runs it expects,
 * then flushes the task so that a run too many would be seen too.
 */

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "st_kunit.h"

/* DMF's MANUAL_TASK_EXECUTE_COUNT. */
#define ST_DMF_CALLS	50

/* What drives an ON_DEMAND task (DMF's RunManualTasks and ...Ex). */
enum st_dmf_how {
	ST_DMF_SCHEDULED,	/* nothing: probe or resume triggers */
	ST_DMF_LEGACY,		/* execute_now_deferred() + execute_now() */
	ST_DMF_EX,		/* execute_now_deferred_ex() */
};

/**
 * struct st_dmf_row - one scenario and what it must give
 * @when: the trigger.
 * @mode: immediate or deferred.
 * @persistence: per binding or once ever.
 * @first: the callback's result on its first call (then SUCCESS).
 * @how: what else drives the task.
 * @create_err: what scheduled_task_create() must return (0: a task).
 * @runs: callback invocations expected.
 * @times_run: times_run expected afterwards.
 */
struct st_dmf_row {
	enum scheduled_task_when when;
	enum scheduled_task_mode mode;
	enum scheduled_task_persistence persistence;
	enum scheduled_task_result first;
	enum st_dmf_how how;
	int create_err;
	int runs;
	u32 times_run;
};

#define ST_ROW(w, m, p, r, h, e, n, t) {				\
	.when = SCHEDULED_TASK_##w, .mode = SCHEDULED_TASK_##m,		\
	.persistence = SCHEDULED_TASK_##p, .first = SCHEDULED_TASK_##r,	\
	.how = ST_DMF_##h, .create_err = (e), .runs = (n), .times_run = (t) }

static const struct st_dmf_row st_dmf_rows[] = {
	/* Probe (PrepareHardware), immediate: B2. */
	ST_ROW(AT_PROBE, IMMEDIATE, NOT_PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_PROBE, IMMEDIATE, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, IMMEDIATE, NOT_PERSISTENT, FAIL, SCHEDULED, -EIO, 1, 0),
	ST_ROW(AT_PROBE, IMMEDIATE, NOT_PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, IMMEDIATE, PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_PROBE, IMMEDIATE, PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, IMMEDIATE, PERSISTENT, FAIL, SCHEDULED, -EIO, 1, 0),
	ST_ROW(AT_PROBE, IMMEDIATE, PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	/* Probe, deferred: B3. */
	ST_ROW(AT_PROBE, DEFERRED, NOT_PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_PROBE, DEFERRED, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, DEFERRED, NOT_PERSISTENT, FAIL, SCHEDULED, 0, 1, 0),
	ST_ROW(AT_PROBE, DEFERRED, NOT_PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, DEFERRED, PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_PROBE, DEFERRED, PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_PROBE, DEFERRED, PERSISTENT, FAIL, SCHEDULED, 0, 1, 0),
	ST_ROW(AT_PROBE, DEFERRED, PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	/* Resume (D0Entry), first power-up in create: B4. */
	ST_ROW(AT_RESUME, IMMEDIATE, NOT_PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_RESUME, IMMEDIATE, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, IMMEDIATE, NOT_PERSISTENT, FAIL, SCHEDULED, -EIO, 1, 0),
	ST_ROW(AT_RESUME, IMMEDIATE, NOT_PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, IMMEDIATE, PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_RESUME, IMMEDIATE, PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, IMMEDIATE, PERSISTENT, FAIL, SCHEDULED, -EIO, 1, 0),
	ST_ROW(AT_RESUME, IMMEDIATE, PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, DEFERRED, NOT_PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_RESUME, DEFERRED, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, DEFERRED, NOT_PERSISTENT, FAIL, SCHEDULED, 0, 1, 0),
	ST_ROW(AT_RESUME, DEFERRED, NOT_PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, DEFERRED, PERSISTENT, SUCCESS, SCHEDULED, 0, 1, 1),
	ST_ROW(AT_RESUME, DEFERRED, PERSISTENT, SUCCESS_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	ST_ROW(AT_RESUME, DEFERRED, PERSISTENT, FAIL, SCHEDULED, 0, 1, 0),
	ST_ROW(AT_RESUME, DEFERRED, PERSISTENT, FAIL_TRY_AGAIN, SCHEDULED, 0, 2, 1),
	/*
	 * On demand (Other), legacy: every call is a direct call whose
	 * result is ignored (B10, B11): 2 x ST_DMF_CALLS runs, times_run
	 * untouched.
	 */
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, SUCCESS, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, FAIL, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, FAIL_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, SUCCESS, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, SUCCESS_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, FAIL, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, FAIL_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, SUCCESS, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, FAIL, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, FAIL_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, SUCCESS, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, SUCCESS_TRY_AGAIN, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, FAIL, LEGACY, 0, 100, 0),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, FAIL_TRY_AGAIN, LEGACY, 0, 100, 0),
	/*
	 * On demand, Ex: the result is honoured and the requests left after
	 * a SUCCESS are dropped (B12): one run, or two when the first one
	 * did not succeed.
	 */
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, SUCCESS, EX, 0, 1, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, FAIL, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, NOT_PERSISTENT, FAIL_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, SUCCESS, EX, 0, 1, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, SUCCESS_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, FAIL, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, IMMEDIATE, PERSISTENT, FAIL_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, SUCCESS, EX, 0, 1, 1),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, SUCCESS_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, FAIL, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, NOT_PERSISTENT, FAIL_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, SUCCESS, EX, 0, 1, 1),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, SUCCESS_TRY_AGAIN, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, FAIL, EX, 0, 2, 1),
	ST_ROW(ON_DEMAND, DEFERRED, PERSISTENT, FAIL_TRY_AGAIN, EX, 0, 2, 1),
};

static const char *st_dmf_when_name(enum scheduled_task_when when)
{
	switch (when) {
	case SCHEDULED_TASK_AT_PROBE:
		return "probe";
	case SCHEDULED_TASK_AT_RESUME:
		return "resume";
	case SCHEDULED_TASK_ON_DEMAND:
		return "on-demand";
	default:
		return "invalid";
	}
}

static const char *st_dmf_how_name(enum st_dmf_how how)
{
	switch (how) {
	case ST_DMF_LEGACY:
		return "-legacy-and-execute-now";
	case ST_DMF_EX:
		return "-deferred-ex";
	default:
		return "";
	}
}

/* E.g. "probe-immediate-not-persistent-success-try-again". */
static void st_dmf_row_desc(const struct st_dmf_row *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s-%s-%s-%s%s",
		 st_dmf_when_name(row->when),
		 row->mode == SCHEDULED_TASK_IMMEDIATE ? "immediate" : "deferred",
		 row->persistence == SCHEDULED_TASK_PERSISTENT ?
			"persistent" : "not-persistent",
		 st_result_name(row->first), st_dmf_how_name(row->how));
}

KUNIT_ARRAY_PARAM(st_dmf_rows, st_dmf_rows, st_dmf_row_desc);

/*
 * Start a persistent row from a clean record: the ram store outlives the
 * test module and platform device names are reused, so a record of this
 * device and name may be left from an earlier run.  An ON_DEMAND task of
 * the same name shares the record and runs nothing.
 */
static void st_dmf_forget(struct kunit *test, struct device *dev,
			  const struct scheduled_task_config *cfg)
{
	struct scheduled_task_config clean = *cfg;
	struct scheduled_task *task;

	clean.when = SCHEDULED_TASK_ON_DEMAND;
	task = scheduled_task_create(dev, &clean);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	scheduled_task_destroy(task);
}

/* DMF's RunManualTasks / RunManualTasksEx. */
static void st_dmf_drive(struct kunit *test, struct scheduled_task *task,
			 const struct st_dmf_row *row, struct st_rec *rec)
{
	enum scheduled_task_result result;
	int i, err;

	for (i = 0; i < ST_DMF_CALLS; i++) {
		switch (row->how) {
		case ST_DMF_LEGACY:
			err = scheduled_task_execute_now_deferred(task,
								  &rec->self);
			KUNIT_EXPECT_EQ_MSG(test, err, 0, "deferred call %d", i);
			result = scheduled_task_execute_now(task, &rec->self);
			KUNIT_EXPECT_NE_MSG(test, result,
					    SCHEDULED_TASK_RESULT_INVALID,
					    "direct call %d", i);
			if (result == SCHEDULED_TASK_RESULT_INVALID)
				err = -EINVAL;
			break;
		case ST_DMF_EX:
			err = scheduled_task_execute_now_deferred_ex(task);
			KUNIT_EXPECT_EQ_MSG(test, err, 0, "ex call %d", i);
			break;
		default:
			return;
		}
		if (err)
			return;
	}
}

/* Wait (bounded) for @runs invocations, then for everything queued. */
static void st_dmf_settle(struct kunit *test, struct scheduled_task *task,
			  struct st_rec *rec, int runs)
{
	KUNIT_EXPECT_TRUE_MSG(test, st_rec_wait(rec, runs),
			      "%d of %d runs", atomic_read(&rec->calls), runs);
	st_flush(task);
}

static void st_dmf_expect_times_run(struct kunit *test,
				    struct scheduled_task *task, u32 expected)
{
	u32 times_run = U32_MAX;

	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &times_run), 0);
	KUNIT_EXPECT_EQ(test, times_run, expected);
}

static void st_dmf_scenario(struct kunit *test)
{
	const struct st_dmf_row *row = test->param_value;
	struct device *dev = st_client_dev(st_client_new(test, NULL, NULL));
	struct st_rec *rec = st_rec_new(test);
	enum scheduled_task_power_state first_state;
	struct scheduled_task_config cfg;
	struct scheduled_task *task;
	char name[ST_NAME_MAX + 1];

	/* One name per row, so that no two rows share a persistent record. */
	snprintf(name, sizeof(name), "dmf-scenario-%02d",
		 (int)(row - st_dmf_rows));
	rec->script[1] = row->first;
	rec->then = SCHEDULED_TASK_SUCCESS;
	cfg = st_cfg(name, rec, row->persistence, row->mode, row->when);
	cfg.retry_ms_on_success = 1;
	cfg.retry_ms_on_fail = 1;

	if (row->persistence == SCHEDULED_TASK_PERSISTENT)
		st_dmf_forget(test, dev, &cfg);

	task = scheduled_task_create(dev, &cfg);
	if (row->create_err) {
		/* The immediate first run failed: nothing is left behind. */
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(task), row->create_err);
		KUNIT_EXPECT_EQ(test, atomic_read(&rec->calls), row->runs);
		if (!IS_ERR(task))
			scheduled_task_destroy(task);
		return;
	}
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);

	if (row->when == SCHEDULED_TASK_ON_DEMAND) {
		/* B5: nothing runs until an execute_* call. */
		st_flush(task);
		KUNIT_EXPECT_EQ(test, atomic_read(&rec->calls), 0);
	} else if (row->mode == SCHEDULED_TASK_IMMEDIATE) {
		/* B2, B4: the first run happened inside create. */
		KUNIT_EXPECT_GE(test, atomic_read(&rec->calls), 1);
	}

	st_dmf_drive(test, task, row, rec);
	st_dmf_settle(test, task, rec, row->runs);
	KUNIT_EXPECT_EQ(test, atomic_read(&rec->calls), row->runs);
	KUNIT_EXPECT_EQ(test, atomic_read(&rec->overlaps), 0);
	st_dmf_expect_times_run(test, task, row->times_run);

	first_state = row->when == SCHEDULED_TASK_AT_RESUME ?
		      SCHEDULED_TASK_POWER_OFF : SCHEDULED_TASK_POWER_NONE;
	if (atomic_read(&rec->calls))
		KUNIT_EXPECT_EQ(test, rec->states[0], first_state);

	if (row->persistence == SCHEDULED_TASK_PERSISTENT &&
	    row->times_run == 1) {
		/* Second boot: the record says it ran, so it never runs again. */
		scheduled_task_destroy(task);
		task = scheduled_task_create(dev, &cfg);
		if (IS_ERR(task)) {
			KUNIT_FAIL(test, "second create: %ld", PTR_ERR(task));
			return;
		}
		st_dmf_drive(test, task, row, rec);
		st_flush(task);
		KUNIT_EXPECT_EQ(test, atomic_read(&rec->calls), row->runs);
		st_dmf_expect_times_run(test, task, 1);
	}

	scheduled_task_destroy(task);
}

static struct kunit_case st_dmf_cases[] = {
	KUNIT_CASE_PARAM(st_dmf_scenario, st_dmf_rows_gen_params),
	{}
};

static struct kunit_suite st_dmf_suite = {
	.name = "scheduled_task_dmf_scenarios",
	.suite_init = st_kunit_suite_init,
	.suite_exit = st_kunit_suite_exit,
	.test_cases = st_dmf_cases,
};

kunit_test_suite(st_dmf_suite);
