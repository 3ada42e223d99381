// SPDX-License-Identifier: GPL-2.0
/*
 * st_bench: what scheduled_task costs over the raw primitives it wraps,
 * measured in the same boot (make bench).  Loading the module runs every
 * pair and prints, per pair, the median ns per operation of five rounds
 * and their ratio:
 *
 *	st_bench: <name> raw=<ns> st=<ns> ratio=<st/raw>
 *
 * Pairs:
 *  call      an indirect call of the callback, against
 *            scheduled_task_execute_now() (run lock, bookkeeping,
 *            tracepoints off)
 *  deferred  queue_work() and waiting for the item, against
 *            scheduled_task_execute_now_deferred_ex() and waiting for the
 *            callback
 *  delayed   queue_delayed_work(0) and waiting for the item, against
 *            scheduled_task_restart() of a deferred at-probe task (which
 *            arms the task's delayed work) and waiting for the callback
 *  lifetime  kzalloc + INIT_DELAYED_WORK + cancel_delayed_work_sync + kfree,
 *            against scheduled_task_create() + scheduled_task_destroy()
 *            (a class device with sysfs attributes)
 *
 * Not a test: nothing here asserts on time.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "../scheduled_task.h"

#define ST_BENCH_ROUNDS	5

static unsigned int iterations = 2000;
module_param(iterations, uint, 0444);
MODULE_PARM_DESC(iterations, "operations per round (default 2000)");

static struct platform_device *st_bench_pdev;
static struct workqueue_struct *st_bench_wq;
static DECLARE_COMPLETION(st_bench_done);
static unsigned long st_bench_sink;

static enum scheduled_task_result
st_bench_cb(struct scheduled_task *task, void *ctx,
	    enum scheduled_task_power_state state)
{
	st_bench_sink++;
	complete(&st_bench_done);
	/* FAIL: stays runnable, so every request runs it again. */
	return SCHEDULED_TASK_FAIL;
}

static void st_bench_work(struct work_struct *work)
{
	complete(&st_bench_done);
}

static struct scheduled_task *st_bench_task(const char *name,
					    enum scheduled_task_mode mode,
					    enum scheduled_task_when when)
{
	struct scheduled_task_config cfg = {
		.name = name,
		.callback = st_bench_cb,
		.persistence = SCHEDULED_TASK_NOT_PERSISTENT,
		.mode = mode,
		.when = when,
		.wq = st_bench_wq,
	};

	return scheduled_task_create(&st_bench_pdev->dev, &cfg);
}

/* One round of one side of a pair: ns per operation. */
typedef u64 (*st_bench_round_fn)(unsigned int n);

static u64 st_call_raw(unsigned int n)
{
	scheduled_task_fn fn = st_bench_cb;
	ktime_t t = ktime_get();
	unsigned int i;

	/* An indirect call, as the service makes: no inlining. */
	OPTIMIZER_HIDE_VAR(fn);
	for (i = 0; i < n; i++)
		fn(NULL, NULL, SCHEDULED_TASK_POWER_NONE);
	reinit_completion(&st_bench_done);
	return ktime_to_ns(ktime_sub(ktime_get(), t));
}

static struct scheduled_task *st_bench_demand;

static u64 st_call_st(unsigned int n)
{
	ktime_t t = ktime_get();
	unsigned int i;

	for (i = 0; i < n; i++)
		scheduled_task_execute_now(st_bench_demand, NULL);
	reinit_completion(&st_bench_done);
	return ktime_to_ns(ktime_sub(ktime_get(), t));
}

/* n times: start one run with @kick, wait until it has happened. */
static u64 st_round_trips(unsigned int n, void (*kick)(void *arg), void *arg)
{
	ktime_t t = ktime_get();
	unsigned int i;

	for (i = 0; i < n; i++) {
		reinit_completion(&st_bench_done);
		kick(arg);
		wait_for_completion(&st_bench_done);
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t));
}

static void st_kick_work(void *work)
{
	queue_work(st_bench_wq, work);
}

static void st_kick_delayed_work(void *dwork)
{
	queue_delayed_work(st_bench_wq, dwork, 0);
}

static void st_kick_ex(void *task)
{
	scheduled_task_execute_now_deferred_ex(task);
}

static void st_kick_restart(void *task)
{
	scheduled_task_restart(task);
}

static u64 st_deferred_raw(unsigned int n)
{
	struct work_struct work;
	u64 ns;

	INIT_WORK_ONSTACK(&work, st_bench_work);
	ns = st_round_trips(n, st_kick_work, &work);
	flush_work(&work);
	destroy_work_on_stack(&work);
	return ns;
}

static u64 st_deferred_st(unsigned int n)
{
	return st_round_trips(n, st_kick_ex, st_bench_demand);
}

static u64 st_delayed_raw(unsigned int n)
{
	struct delayed_work dw;
	u64 ns;

	INIT_DELAYED_WORK_ONSTACK(&dw, st_bench_work);
	ns = st_round_trips(n, st_kick_delayed_work, &dw);
	flush_delayed_work(&dw);
	destroy_delayed_work_on_stack(&dw);
	return ns;
}

static struct scheduled_task *st_bench_probe_def;

static u64 st_delayed_st(unsigned int n)
{
	return st_round_trips(n, st_kick_restart, st_bench_probe_def);
}

static u64 st_lifetime_raw(unsigned int n)
{
	unsigned int i;
	ktime_t t = ktime_get();

	for (i = 0; i < n; i++) {
		struct delayed_work *dw = kzalloc(sizeof(*dw), GFP_KERNEL);

		if (!dw)
			break;
		INIT_DELAYED_WORK(dw, st_bench_work);
		cancel_delayed_work_sync(dw);
		kfree(dw);
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t));
}

static u64 st_lifetime_st(unsigned int n)
{
	unsigned int i;
	ktime_t t = ktime_get();

	for (i = 0; i < n; i++) {
		struct scheduled_task *task;

		task = st_bench_task("lifetime", SCHEDULED_TASK_DEFERRED,
				     SCHEDULED_TASK_ON_DEMAND);
		if (IS_ERR(task))
			break;
		scheduled_task_destroy(task);
	}
	return ktime_to_ns(ktime_sub(ktime_get(), t));
}

static int st_bench_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Median over the rounds, ns per operation; raw and st rounds alternate. */
static void st_bench_pair(const char *name, st_bench_round_fn raw,
			  st_bench_round_fn st, unsigned int n)
{
	u64 r[ST_BENCH_ROUNDS], s[ST_BENCH_ROUNDS], rm, sm;
	int i;

	for (i = 0; i < ST_BENCH_ROUNDS; i++) {
		r[i] = raw(n);
		s[i] = st(n);
	}
	sort(r, ST_BENCH_ROUNDS, sizeof(r[0]), st_bench_cmp, NULL);
	sort(s, ST_BENCH_ROUNDS, sizeof(s[0]), st_bench_cmp, NULL);
	rm = div_u64(r[ST_BENCH_ROUNDS / 2], n) ?: 1;
	sm = div_u64(s[ST_BENCH_ROUNDS / 2], n);
	pr_info("%s raw=%llu st=%llu ratio=%llu.%02llu\n", name, rm, sm,
		div_u64(sm, rm), div_u64(sm * 100, rm) % 100);
}

static int __init st_bench_init(void)
{
	int err = -ENOMEM;

	st_bench_wq = alloc_workqueue("st_bench", WQ_UNBOUND, 0);
	if (!st_bench_wq)
		return err;
	st_bench_pdev = platform_device_register_simple("st_bench",
							PLATFORM_DEVID_NONE,
							NULL, 0);
	if (IS_ERR(st_bench_pdev)) {
		err = PTR_ERR(st_bench_pdev);
		goto out_wq;
	}
	st_bench_demand = st_bench_task("demand", SCHEDULED_TASK_DEFERRED,
					SCHEDULED_TASK_ON_DEMAND);
	if (IS_ERR(st_bench_demand)) {
		err = PTR_ERR(st_bench_demand);
		goto out_dev;
	}
	/* Its probe-time run happens now; later ones come from restart. */
	st_bench_probe_def = st_bench_task("probe-deferred",
					   SCHEDULED_TASK_DEFERRED,
					   SCHEDULED_TASK_AT_PROBE);
	if (IS_ERR(st_bench_probe_def)) {
		err = PTR_ERR(st_bench_probe_def);
		goto out_demand;
	}
	wait_for_completion(&st_bench_done);
	scheduled_task_cancel(st_bench_probe_def);

	pr_info("%u operations per round, median of %d rounds, ns per operation\n",
		iterations, ST_BENCH_ROUNDS);
	st_bench_pair("call", st_call_raw, st_call_st, iterations * 10);
	st_bench_pair("deferred", st_deferred_raw, st_deferred_st, iterations);
	st_bench_pair("delayed", st_delayed_raw, st_delayed_st, iterations);
	st_bench_pair("lifetime", st_lifetime_raw, st_lifetime_st,
		      iterations / 10 ?: 1);
	pr_info("done\n");
	err = 0;

	scheduled_task_destroy(st_bench_probe_def);
out_demand:
	scheduled_task_destroy(st_bench_demand);
out_dev:
	platform_device_unregister(st_bench_pdev);
out_wq:
	destroy_workqueue(st_bench_wq);
	return err;
}
module_init(st_bench_init);

/* Everything was torn down at the end of init: the numbers are in the log. */
static void __exit st_bench_exit(void)
{
}
module_exit(st_bench_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("scheduled_task benchmark against raw workqueue primitives");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
