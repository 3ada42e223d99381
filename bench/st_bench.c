// SPDX-License-Identifier: GPL-2.0
/*
 * st_bench: what scheduled_task costs over the raw kernel primitives it
 * wraps, measured in the same boot (make bench).  Not a test: nothing here
 * asserts on time.
 *
 * The guest script (tests/guest/bench.sh) drives it by writing commands
 * to /sys/kernel/debug/st_bench/run; each runs to its end in the writer's
 * thread and prints its figures to the kernel log, one per line:
 *
 *	ST-BENCH <section>.<side>.<figure> <integer>
 *
 * Latencies are per-operation samples, reported as p50, p99 and max in ns.
 * The raw and the service side of a pair are interleaved sample by sample,
 * so that whatever else the machine does falls on both alike.
 *
 * Commands:
 *  dispatch N      execute_now_deferred_ex() to callback entry vs
 *                  queue_work() to work entry, N samples each
 *  timer N MS      restart() of a task with a MS initial delay vs
 *                  queue_delayed_work() of MS: lateness past MS
 *  sync N          execute_now() vs an indirect call of the callback vs a
 *                  mutex_lock()/mutex_unlock() pair vs nothing
 *  legacy N        N execute_now_deferred() from two threads vs N
 *                  queue_work() + counter; the first call waits until all
 *                  are queued: then the worst wake-up delay of other
 *                  threads while the worker drains the rest
 *  concurrency N   N execute_now_deferred_ex() requests over 64 tasks from
 *                  every CPU vs N queue_work() + counter over 64 items
 *  hold st|raw N   create N tasks (or N bare delayed_work users) and keep
 *                  them, for the script to read /proc/slabinfo
 *  free            destroy what hold created
 *  scaling D M     per-task create + destroy, M samples, with 10^2, 10^3,
 *                  10^4 tasks alive on D client devices
 *  store NAME N    N times_run_set() of a persistent task on the store
 *                  selected now (NAME labels the figures)
 *  persist NAME    create a persistent task that runs once and succeeds,
 *                  destroy it (the script counts the store calls)
 *  call N          N execute_now() calls, and
 *  create N        N create + destroy of one more task: for a profile
 *                  (st.profile=1: ftrace's function_graph over them)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "../scheduled_task.h"

#define ST_BENCH_WARMUP		1000
#define ST_BENCH_TASKS		64	/* concurrency: tasks and work items */
#define ST_BENCH_DEVS		100	/* scaling: the most client devices */

/* The workqueue both sides use: per-CPU, so placement is the caller's. */
static struct workqueue_struct *st_wq;
static struct platform_device *st_devs[ST_BENCH_DEVS];
static struct dentry *st_dir;
static DEFINE_MUTEX(st_cmd_lock);	/* one command at a time */

static void st_fig(const char *section, const char *fig, long long v)
{
	pr_info("ST-BENCH %s.%s %lld\n", section, fig, v);
}

static int st_cmp(const void *a, const void *b)
{
	s32 x = *(const s32 *)a, y = *(const s32 *)b;

	return x < y ? -1 : x > y;
}

/**
 * st_percentiles() - sort samples and print p50, p99, max and n
 * @section: figure prefix, "<section>.<side>".
 * @v: the samples in ns (signed: a timer may fire before its delay).
 * @n: how many.
 *
 * Return: the p50, for the ratios the caller prints.
 */
static s32 st_percentiles(const char *section, s32 *v, unsigned int n)
{
	if (!n)
		return 0;
	sort(v, n, sizeof(*v), st_cmp, NULL);
	st_fig(section, "p50_ns", v[n / 2]);
	st_fig(section, "p99_ns", v[(u64)n * 99 / 100]);
	st_fig(section, "max_ns", v[n - 1]);
	st_fig(section, "n", n);
	return v[n / 2];
}

/* A ratio in thousandths, what the host divides by 1000. */
static void st_ratio(const char *section, const char *fig, s64 a, s64 b)
{
	st_fig(section, fig, b ? div64_s64(a * 1000, b) : 0);
}

static s32 *st_samples(unsigned int n)
{
	return vmalloc_array(n, sizeof(s32));
}

/* Keep the running thread on one CPU for a measurement, then free it. */
static void st_pin(int cpu)
{
	set_cpus_allowed_ptr(current, cpu >= 0 ? cpumask_of(cpu) :
			     cpu_possible_mask);
}

/*
 * The callbacks.  Each stamps or counts, and returns FAIL: a task that
 * failed stays runnable and is not retried, so every request runs it.
 */
static u64 st_stamp;			/* ktime of the last callback entry */
static DECLARE_COMPLETION(st_done);
static atomic_t st_count;		/* callbacks so far */
static int st_target;			/* ... and how many complete st_done */

static enum scheduled_task_result
st_cb_stamp(struct scheduled_task *task, void *ctx,
	    enum scheduled_task_power_state state)
{
	WRITE_ONCE(st_stamp, ktime_get_ns());
	complete(&st_done);
	return SCHEDULED_TASK_FAIL;
}

static void st_work_stamp(struct work_struct *work)
{
	WRITE_ONCE(st_stamp, ktime_get_ns());
	complete(&st_done);
}

/*
 * legacy: the first call waits at the gate until every request is queued,
 * so that the drain that follows can be watched on its own.
 */
static bool st_gated;
static DECLARE_COMPLETION(st_gate);

static void st_counted(void)
{
	if (READ_ONCE(st_gated) && !atomic_read(&st_count))
		wait_for_completion(&st_gate);
	if (atomic_inc_return(&st_count) == READ_ONCE(st_target))
		complete(&st_done);
}

static enum scheduled_task_result
st_cb_count(struct scheduled_task *task, void *ctx,
	    enum scheduled_task_power_state state)
{
	st_counted();
	return SCHEDULED_TASK_FAIL;
}

static enum scheduled_task_result
st_cb_nop(struct scheduled_task *task, void *ctx,
	  enum scheduled_task_power_state state)
{
	return SCHEDULED_TASK_FAIL;
}

static enum scheduled_task_result
st_cb_success(struct scheduled_task *task, void *ctx,
	      enum scheduled_task_power_state state)
{
	return SCHEDULED_TASK_SUCCESS;
}

static struct scheduled_task *st_task_on(struct device *dev, const char *name,
					 scheduled_task_fn fn,
					 enum scheduled_task_when when,
					 unsigned int delay_ms,
					 struct workqueue_struct *wq)
{
	struct scheduled_task_config cfg = {
		.name = name,
		.callback = fn,
		.persistence = SCHEDULED_TASK_NOT_PERSISTENT,
		.mode = SCHEDULED_TASK_DEFERRED,
		.when = when,
		.initial_delay_ms = delay_ms,
		.wq = wq,
	};

	return scheduled_task_create(dev, &cfg);
}

/* A task on the raw side's workqueue, so both sides dispatch alike. */
static struct scheduled_task *st_task(struct device *dev, const char *name,
				      scheduled_task_fn fn,
				      enum scheduled_task_when when,
				      unsigned int delay_ms)
{
	return st_task_on(dev, name, fn, when, delay_ms, st_wq);
}

/* Time from @kick to the stamp of the run it starts; waits for that run. */
static s32 st_trip(void (*kick)(void *arg), void *arg)
{
	u64 t0;

	reinit_completion(&st_done);
	t0 = ktime_get_ns();
	kick(arg);
	wait_for_completion(&st_done);
	return READ_ONCE(st_stamp) - t0;
}

static unsigned int st_delay_ms;

static void st_kick_work(void *work)
{
	queue_work(st_wq, work);
}

static void st_kick_ex(void *task)
{
	scheduled_task_execute_now_deferred_ex(task);
}

static void st_kick_dwork(void *dwork)
{
	queue_delayed_work(st_wq, dwork, msecs_to_jiffies(st_delay_ms));
}

static void st_kick_restart(void *task)
{
	scheduled_task_restart(task);
}

/*
 * Sample a raw and a service kick alternately, the first of the two
 * swapped every time.  @late: subtract this many ns from each sample.
 */
static int st_pair(const char *section, unsigned int n, s64 late,
		   void (*raw)(void *), void *raw_arg,
		   void (*svc)(void *), void *svc_arg)
{
	s32 *r = st_samples(n), *s = st_samples(n);
	char name[32];
	s32 rp, sp;
	unsigned int i;
	int err = -ENOMEM;

	if (!r || !s)
		goto out;
	for (i = 0; i < n; i++) {
		if (i & 1) {
			s[i] = st_trip(svc, svc_arg) - late;
			r[i] = st_trip(raw, raw_arg) - late;
		} else {
			r[i] = st_trip(raw, raw_arg) - late;
			s[i] = st_trip(svc, svc_arg) - late;
		}
	}
	snprintf(name, sizeof(name), "%s.raw", section);
	rp = st_percentiles(name, r, n);
	snprintf(name, sizeof(name), "%s.st", section);
	sp = st_percentiles(name, s, n);
	st_ratio(section, "p50_ratio_milli", sp, rp);
	st_ratio(section, "p99_ratio_milli", s[(u64)n * 99 / 100],
		 r[(u64)n * 99 / 100]);
	st_fig(section, "p99_diff_ns", (s64)s[(u64)n * 99 / 100] -
	       r[(u64)n * 99 / 100]);
	err = 0;
out:
	vfree(r);
	vfree(s);
	return err;
}

/*
 * dispatch: both kicks queue on st_wq from CPU 0, so both items run in
 * CPU 0's worker pool of the same workqueue.
 */
static int st_dispatch(unsigned int n)
{
	struct scheduled_task *task;
	struct work_struct work;
	unsigned int i;
	int err;

	task = st_task(&st_devs[0]->dev, "dispatch", st_cb_stamp,
		       SCHEDULED_TASK_ON_DEMAND, 0);
	if (IS_ERR(task))
		return PTR_ERR(task);
	INIT_WORK_ONSTACK(&work, st_work_stamp);
	st_pin(0);
	for (i = 0; i < ST_BENCH_WARMUP; i++) {
		st_trip(st_kick_work, &work);
		st_trip(st_kick_ex, task);
	}
	err = st_pair("dispatch", n, 0, st_kick_work, &work, st_kick_ex, task);
	st_pin(-1);
	flush_work(&work);
	destroy_work_on_stack(&work);
	scheduled_task_destroy(task);
	return err;
}

/* timer: lateness of a run past its delay, both armed from CPU 0. */
static int st_timer(unsigned int n, unsigned int ms)
{
	struct scheduled_task *task;
	struct delayed_work dwork;
	int err;

	st_delay_ms = ms;
	reinit_completion(&st_done);
	/* An at-probe deferred task runs once after create; restart re-arms. */
	task = st_task(&st_devs[0]->dev, "timer", st_cb_stamp,
		       SCHEDULED_TASK_AT_PROBE, ms);
	if (IS_ERR(task))
		return PTR_ERR(task);
	wait_for_completion(&st_done);
	INIT_DELAYED_WORK_ONSTACK(&dwork, st_work_stamp);
	st_pin(0);
	err = st_pair("timer", n, (s64)ms * NSEC_PER_MSEC, st_kick_dwork,
		      &dwork, st_kick_restart, task);
	st_pin(-1);
	st_fig("timer", "jiffy_ns", jiffies_to_nsecs(1));
	flush_delayed_work(&dwork);
	destroy_delayed_work_on_stack(&dwork);
	scheduled_task_destroy(task);
	return err;
}

/*
 * sync: one sample per operation, the four kinds interleaved.  "none"
 * times an empty interval: what every sample pays for the clock.
 */
static int st_sync(unsigned int n)
{
	s32 *v[4] = { st_samples(n), st_samples(n), st_samples(n),
		      st_samples(n) };
	static const char * const name[4] = {
		"sync.none", "sync.direct", "sync.mutex", "sync.st",
	};
	scheduled_task_fn fn = st_cb_nop;
	struct scheduled_task *task;
	struct mutex lock;	/* uncontended: what one pair costs */
	s32 p50[4];
	unsigned int i, k;
	u64 t;
	int err = -ENOMEM;

	mutex_init(&lock);
	task = st_task(&st_devs[0]->dev, "sync", st_cb_nop,
		       SCHEDULED_TASK_ON_DEMAND, 0);
	if (IS_ERR(task)) {
		err = PTR_ERR(task);
		goto out;
	}
	for (k = 0; k < 4; k++)
		if (!v[k])
			goto out;
	/* An indirect call, as the service makes: nothing to inline. */
	OPTIMIZER_HIDE_VAR(fn);
	for (i = 0; i < n + ST_BENCH_WARMUP; i++) {
		unsigned int j = i < ST_BENCH_WARMUP ? 0 : i - ST_BENCH_WARMUP;

		t = ktime_get_ns();
		v[0][j] = ktime_get_ns() - t;

		t = ktime_get_ns();
		fn(task, NULL, SCHEDULED_TASK_POWER_NONE);
		v[1][j] = ktime_get_ns() - t;

		t = ktime_get_ns();
		mutex_lock(&lock);
		mutex_unlock(&lock);
		v[2][j] = ktime_get_ns() - t;

		t = ktime_get_ns();
		scheduled_task_execute_now(task, NULL);
		v[3][j] = ktime_get_ns() - t;
		cond_resched();
	}
	for (k = 0; k < 4; k++)
		p50[k] = st_percentiles(name[k], v[k], n);
	/* Overhead over the direct call, in mutex pairs (both less clock). */
	st_fig("sync", "overhead_ns", p50[3] - p50[1]);
	st_fig("sync", "mutex_pair_ns", p50[2] - p50[0]);
	st_ratio("sync", "overhead_in_mutex_pairs_milli", p50[3] - p50[1],
		 p50[2] - p50[0]);
	err = 0;
out:
	scheduled_task_destroy(task);
	for (k = 0; k < 4; k++)
		vfree(v[k]);
	mutex_destroy(&lock);
	return err;
}

/* A kernel thread that runs @fn, then waits to be stopped. */
struct st_thread {
	struct task_struct *task;
	void (*fn)(struct st_thread *t);
	void *arg;
	unsigned int n;
	s64 worst;			/* probe: worst wake-up delay, ns */
};

static void st_probe(struct st_thread *t);
static atomic_t st_producers;		/* producers still queueing */
static DECLARE_COMPLETION(st_enqueued);	/* ... none left */

static int st_thread_fn(void *data)
{
	struct st_thread *t = data;

	t->fn(t);
	if (t->fn != st_probe && atomic_dec_and_test(&st_producers))
		complete(&st_enqueued);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int st_threads_start(struct st_thread *t, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		t[i].task = kthread_create(st_thread_fn, &t[i], "st_bench/%u",
					   i);
		if (IS_ERR(t[i].task))
			return PTR_ERR(t[i].task);
		kthread_bind(t[i].task, i % num_online_cpus());
	}
	for (i = 0; i < nr; i++)
		wake_up_process(t[i].task);
	return 0;
}

static void st_threads_stop(struct st_thread *t, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!IS_ERR_OR_NULL(t[i].task))
			kthread_stop(t[i].task);
}

/*
 * The raw side of the throughput pairs: a request adds to an item's
 * counter and queues it; the item calls the "callback" once per request.
 */
struct st_raw_item {
	struct work_struct work;
	atomic_t pending;
};

static struct st_raw_item *st_items;
static bool st_probe_stop;
static bool st_probe_on;		/* probes note delays from now on */

static void st_raw_work(struct work_struct *work)
{
	struct st_raw_item *it = container_of(work, struct st_raw_item, work);
	int n = atomic_xchg(&it->pending, 0);

	while (n--)
		st_counted();
}

static void st_raw_request(struct st_raw_item *it)
{
	atomic_inc(&it->pending);
	queue_work(st_wq, &it->work);
}

/* Sleep 1 ms again and again; note how much later than asked it woke. */
static void st_probe(struct st_thread *t)
{
	while (!READ_ONCE(st_probe_stop)) {
		u64 t0 = ktime_get_ns();
		s64 late;

		usleep_range(1000, 1001);
		late = ktime_get_ns() - t0 - NSEC_PER_MSEC;
		if (READ_ONCE(st_probe_on))
			t->worst = max(t->worst, late);
	}
}

static void st_legacy_producer(struct st_thread *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		if (t->arg)
			scheduled_task_execute_now_deferred(t->arg, NULL);
		else
			st_raw_request(&st_items[0]);
		if (!(i % 256))
			cond_resched();
	}
}

/**
 * st_throughput() - one side of a throughput pair
 * @section: figure prefix.
 * @side: "raw" or "st".
 * @fn: the producers' loop.
 * @arg: for @fn: what to call (NULL: the raw side).
 * @nprod: producer threads, one per CPU round robin.
 * @total: requests, from all producers together.
 * @gated: hold the first call until every request is queued, then watch
 *	the drain alone: the worst wake-up delay is the drain's, and the
 *	enqueue and drain rates are printed too.  Else the probes watch
 *	the whole run.
 *
 * Probes on every CPU sleep 1 ms again and again and note how late they
 * wake.  Prints <section>.<side>.per_s (requests per second, the whole
 * run) and .worst_wakeup_delay_ns.
 *
 * Return: 0 or an error from starting the threads.
 */
static int st_throughput(const char *section, const char *side,
			 void (*fn)(struct st_thread *t), void *arg,
			 unsigned int nprod, unsigned int total, bool gated)
{
	unsigned int ncpu = num_online_cpus(), i;
	struct st_thread *t;
	char name[48];
	s64 worst = 0;
	u64 t0, t1 = 0, ns;
	int err;

	t = kcalloc(nprod + ncpu, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < nprod; i++) {
		t[i].fn = fn;
		t[i].arg = arg;
		t[i].n = total / nprod;
	}
	for (i = nprod; i < nprod + ncpu; i++)
		t[i].fn = st_probe;
	atomic_set(&st_count, 0);
	WRITE_ONCE(st_target, total / nprod * nprod);
	reinit_completion(&st_done);
	reinit_completion(&st_gate);
	reinit_completion(&st_enqueued);
	atomic_set(&st_producers, nprod);
	WRITE_ONCE(st_gated, gated);
	WRITE_ONCE(st_probe_on, !gated);
	WRITE_ONCE(st_probe_stop, false);
	t0 = ktime_get_ns();
	/* Probes on CPU 0, 1, ... after the producers on 0, 1, ... */
	err = st_threads_start(t, nprod + ncpu);
	if (!err && gated) {
		wait_for_completion(&st_enqueued);
		t1 = ktime_get_ns();
		WRITE_ONCE(st_probe_on, true);
		complete_all(&st_gate);
	}
	if (!err)
		wait_for_completion(&st_done);
	ns = ktime_get_ns() - t0;
	WRITE_ONCE(st_probe_stop, true);
	WRITE_ONCE(st_gated, false);
	complete_all(&st_gate);	/* nobody is left waiting, whatever failed */
	st_threads_stop(t, nprod + ncpu);
	for (i = nprod; i < nprod + ncpu; i++)
		worst = max(worst, t[i].worst);
	kfree(t);
	if (err)
		return err;
	snprintf(name, sizeof(name), "%s.%s", section, side);
	st_fig(name, "per_s", div64_u64((u64)atomic_read(&st_count) *
					NSEC_PER_SEC, ns ?: 1));
	if (gated) {
		st_fig(name, "enqueue_per_s",
		       div64_u64((u64)total * NSEC_PER_SEC, t1 - t0 ?: 1));
		st_fig(name, "drain_per_s",
		       div64_u64((u64)total * NSEC_PER_SEC, t0 + ns - t1 ?: 1));
	}
	st_fig(name, "worst_wakeup_delay_ns", worst);
	st_fig(name, "n", atomic_read(&st_count));
	return 0;
}

static int st_items_alloc(unsigned int nr)
{
	unsigned int i;

	st_items = kcalloc(nr, sizeof(*st_items), GFP_KERNEL);
	if (!st_items)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		INIT_WORK(&st_items[i].work, st_raw_work);
	return 0;
}

static void st_items_free(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		cancel_work_sync(&st_items[i].work);
	kfree(st_items);
	st_items = NULL;
}

/* legacy: two producer threads, one per CPU where there are two. */
static int st_legacy(unsigned int n)
{
	struct scheduled_task *task;
	int err;

	task = st_task(&st_devs[0]->dev, "legacy", st_cb_count,
		       SCHEDULED_TASK_ON_DEMAND, 0);
	if (IS_ERR(task))
		return PTR_ERR(task);
	err = st_items_alloc(1);
	if (!err)
		err = st_throughput("legacy", "raw", st_legacy_producer, NULL,
				    2, n, true);
	if (!err)
		err = st_throughput("legacy", "st", st_legacy_producer, task,
				    2, n, true);
	if (st_items)
		st_items_free(1);
	scheduled_task_destroy(task);
	return err;
}

static struct scheduled_task *st_conc_tasks[ST_BENCH_TASKS];

/* Requests round robin over the 64 tasks (or items), from this CPU. */
static void st_conc_producer(struct st_thread *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		if (t->arg)
			scheduled_task_execute_now_deferred_ex(st_conc_tasks[i % ST_BENCH_TASKS]);
		else
			st_raw_request(&st_items[i % ST_BENCH_TASKS]);
		if (!(i % 256))
			cond_resched();
	}
}

static int st_concurrency(unsigned int n)
{
	unsigned int ncpu = num_online_cpus(), i;
	char name[16];
	int err = 0;

	st_fig("concurrency", "cpus", ncpu);
	for (i = 0; i < ST_BENCH_TASKS && !err; i++) {
		snprintf(name, sizeof(name), "conc%u", i);
		st_conc_tasks[i] = st_task(&st_devs[0]->dev, name, st_cb_count,
					   SCHEDULED_TASK_ON_DEMAND, 0);
		if (IS_ERR(st_conc_tasks[i]))
			err = PTR_ERR(st_conc_tasks[i]);
	}
	if (!err)
		err = st_items_alloc(ST_BENCH_TASKS);
	if (!err)
		err = st_throughput("concurrency", "raw", st_conc_producer,
				    NULL, ncpu, n, false);
	if (!err)
		err = st_throughput("concurrency", "st", st_conc_producer,
				    st_conc_tasks, ncpu, n, false);
	if (st_items)
		st_items_free(ST_BENCH_TASKS);
	for (i = 0; i < ST_BENCH_TASKS; i++) {
		scheduled_task_destroy(st_conc_tasks[i]);
		st_conc_tasks[i] = NULL;
	}
	return err;
}

/*
 * hold/free and scaling: a population of live tasks, or of bare
 * delayed_work users (what a driver without the service would keep).
 */
struct st_bare {
	struct delayed_work dwork;
	scheduled_task_fn fn;
	void *context;
};

static struct scheduled_task **st_pop;
static struct st_bare **st_bare_pop;
static unsigned int st_pop_n, st_bare_n, st_pop_max;

static void st_bare_fn(struct work_struct *work)
{
}

static int st_pop_alloc(unsigned int max)
{
	if (st_pop_max >= max)
		return 0;
	if (st_pop_n || st_bare_n)
		return -EBUSY;
	vfree(st_pop);
	vfree(st_bare_pop);
	st_pop = vcalloc(max, sizeof(*st_pop));
	st_bare_pop = vcalloc(max, sizeof(*st_bare_pop));
	st_pop_max = st_pop && st_bare_pop ? max : 0;
	return st_pop_max ? 0 : -ENOMEM;
}

/* Grow the population to @n tasks, round robin over @ndev devices. */
static int st_pop_grow(unsigned int n, unsigned int ndev)
{
	char name[16];
	int err = st_pop_alloc(n);

	while (!err && st_pop_n < n) {
		snprintf(name, sizeof(name), "t%u", st_pop_n);
		/*
		 * As drivers make most tasks: on the default workqueue, so
		 * with no PM callbacks and no power/ files.
		 */
		st_pop[st_pop_n] = st_task_on(&st_devs[st_pop_n % ndev]->dev,
					      name, st_cb_nop,
					      SCHEDULED_TASK_ON_DEMAND, 0, NULL);
		if (IS_ERR(st_pop[st_pop_n]))
			return PTR_ERR(st_pop[st_pop_n]);
		st_pop_n++;
		cond_resched();
	}
	return err;
}

static int st_bare_grow(unsigned int n)
{
	int err = st_pop_alloc(n);

	while (!err && st_bare_n < n) {
		struct st_bare *b = kzalloc(sizeof(*b), GFP_KERNEL);

		if (!b)
			return -ENOMEM;
		INIT_DELAYED_WORK(&b->dwork, st_bare_fn);
		b->fn = st_cb_nop;
		st_bare_pop[st_bare_n++] = b;
	}
	return err;
}

static void st_pop_free(void)
{
	while (st_pop_n) {
		scheduled_task_destroy(st_pop[--st_pop_n]);
		cond_resched();
	}
	while (st_bare_n) {
		struct st_bare *b = st_bare_pop[--st_bare_n];

		cancel_delayed_work_sync(&b->dwork);
		kfree(b);
	}
}

/*
 * scaling: create and destroy one more task, @m times, at each population
 * size.  Its device goes round robin over the @ndev the population uses.
 */
static int st_scaling(unsigned int ndev, unsigned int m)
{
	static const unsigned int alive[] = { 100, 1000, 10000 };
	char section[32];
	s32 p50[ARRAY_SIZE(alive)];
	s32 *v = st_samples(m);
	unsigned int a, i;
	int err = v ? 0 : -ENOMEM;

	for (a = 0; a < ARRAY_SIZE(alive) && !err; a++) {
		err = st_pop_grow(alive[a], ndev);
		for (i = 0; i < m && !err; i++) {
			struct scheduled_task *task;
			u64 t = ktime_get_ns();

			task = st_task_on(&st_devs[i % ndev]->dev, "probe",
					  st_cb_nop, SCHEDULED_TASK_ON_DEMAND, 0,
					  NULL);
			if (IS_ERR(task)) {
				err = PTR_ERR(task);
				break;
			}
			scheduled_task_destroy(task);
			v[i] = ktime_get_ns() - t;
			cond_resched();
		}
		if (err)
			break;
		snprintf(section, sizeof(section), "scaling.dev%u.alive%u",
			 ndev, alive[a]);
		p50[a] = st_percentiles(section, v, m);
	}
	if (!err) {
		snprintf(section, sizeof(section), "scaling.dev%u", ndev);
		st_ratio(section, "p50_10k_over_100_milli", p50[2], p50[0]);
	}
	st_pop_free();
	vfree(v);
	return err;
}

/* A persistent task <prefix>-<label> on the first device. */
static struct scheduled_task *st_persistent(const char *prefix,
					    const char *label,
					    scheduled_task_fn fn,
					    enum scheduled_task_when when)
{
	struct scheduled_task_config cfg = {
		.callback = fn,
		.persistence = SCHEDULED_TASK_PERSISTENT,
		.mode = SCHEDULED_TASK_IMMEDIATE,
		.when = when,
	};
	char name[32];

	snprintf(name, sizeof(name), "%s-%s", prefix, label);
	cfg.name = name;
	return scheduled_task_create(&st_devs[0]->dev, &cfg);
}

/* store: times_run_set() latency on the store selected now. */
static int st_store(const char *label, unsigned int n)
{
	struct scheduled_task *task;
	char section[32];
	s32 *v = st_samples(n);
	unsigned int i;
	int err = 0;

	task = v ? st_persistent("lat", label, st_cb_nop,
				 SCHEDULED_TASK_ON_DEMAND) : ERR_PTR(-ENOMEM);
	if (IS_ERR(task)) {
		vfree(v);
		return PTR_ERR(task);
	}
	/* 1, 0, 1, ...: every write changes the record. */
	for (i = 0; i < n && !err; i++) {
		u64 t = ktime_get_ns();

		err = scheduled_task_times_run_set(task, !(i & 1));
		v[i] = ktime_get_ns() - t;
	}
	if (!err) {
		snprintf(section, sizeof(section), "stores.%s", label);
		st_percentiles(section, v, n);
	}
	scheduled_task_destroy(task);
	vfree(v);
	return err;
}

/* persist: one persistent task's whole life, to count its store calls. */
static int st_persist(const char *label)
{
	struct scheduled_task *task;
	u32 n = 0;

	task = st_persistent("once", label, st_cb_success,
			     SCHEDULED_TASK_AT_PROBE);
	if (IS_ERR(task))
		return PTR_ERR(task);
	scheduled_task_times_run_get(task, &n);
	scheduled_task_destroy(task);
	return n == 1 ? 0 : -EIO;
}

/* call, create: short runs for ftrace to follow, no figures. */
static int st_call(unsigned int n)
{
	struct scheduled_task *task;

	task = st_task(&st_devs[0]->dev, "call", st_cb_nop,
		       SCHEDULED_TASK_ON_DEMAND, 0);
	if (IS_ERR(task))
		return PTR_ERR(task);
	while (n--)
		scheduled_task_execute_now(task, NULL);
	scheduled_task_destroy(task);
	return 0;
}

static int st_create(unsigned int n)
{
	struct scheduled_task *task;

	while (n--) {
		task = st_task(&st_devs[0]->dev, "probe", st_cb_nop,
			       SCHEDULED_TASK_ON_DEMAND, 0);
		if (IS_ERR(task))
			return PTR_ERR(task);
		scheduled_task_destroy(task);
	}
	return 0;
}

static int st_run_cmd(char *cmd)
{
	char word[16], arg[16];
	unsigned int a = 0, b = 0;
	int n;

	n = sscanf(cmd, "%15s %u %u", word, &a, &b);
	if (n < 1)
		return -EINVAL;
	if (!strcmp(word, "dispatch") && n == 2)
		return st_dispatch(a);
	if (!strcmp(word, "timer") && n == 3)
		return st_timer(a, b);
	if (!strcmp(word, "sync") && n == 2)
		return st_sync(a);
	if (!strcmp(word, "legacy") && n == 2)
		return st_legacy(a);
	if (!strcmp(word, "concurrency") && n == 2)
		return st_concurrency(a);
	if (!strcmp(word, "call") && n == 2)
		return st_call(a);
	if (!strcmp(word, "create") && n == 2)
		return st_create(a);
	if (!strcmp(word, "free")) {
		st_pop_free();
		return 0;
	}
	if (!strcmp(word, "scaling") && n == 3 && a && a <= ST_BENCH_DEVS)
		return st_scaling(a, b);

	n = sscanf(cmd, "%15s %15s %u", word, arg, &a);
	if (!strcmp(word, "hold") && n == 3 && !strcmp(arg, "st"))
		return st_pop_grow(a, 1);
	if (!strcmp(word, "hold") && n == 3 && !strcmp(arg, "raw"))
		return st_bare_grow(a);
	if (!strcmp(word, "store") && n == 3)
		return st_store(arg, a);
	if (!strcmp(word, "persist") && n == 2)
		return st_persist(arg);
	return -EINVAL;
}

static ssize_t st_run_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char cmd[64];
	int err;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	mutex_lock(&st_cmd_lock);
	err = st_run_cmd(strim(cmd));
	mutex_unlock(&st_cmd_lock);
	if (err)
		pr_err("'%s' failed: %d\n", strim(cmd), err);
	return err ?: len;
}

static const struct file_operations st_run_fops = {
	.owner = THIS_MODULE,
	.write = st_run_write,
};

static void st_bench_cleanup(void)
{
	int i;

	debugfs_remove_recursive(st_dir);
	st_pop_free();
	vfree(st_pop);
	vfree(st_bare_pop);
	for (i = 0; i < ST_BENCH_DEVS; i++)
		if (!IS_ERR_OR_NULL(st_devs[i]))
			platform_device_unregister(st_devs[i]);
	if (st_wq)
		destroy_workqueue(st_wq);
}

static int __init st_bench_init(void)
{
	int i;

	st_wq = alloc_workqueue("st_bench", 0, 0);
	if (!st_wq)
		return -ENOMEM;
	for (i = 0; i < ST_BENCH_DEVS; i++) {
		st_devs[i] = platform_device_register_simple("st_bench", i,
							     NULL, 0);
		if (IS_ERR(st_devs[i])) {
			int err = PTR_ERR(st_devs[i]);

			st_bench_cleanup();
			return err;
		}
	}
	st_dir = debugfs_create_dir("st_bench", NULL);
	debugfs_create_file("run", 0200, st_dir, NULL, &st_run_fops);
	return 0;
}
module_init(st_bench_init);

static void __exit st_bench_exit(void)
{
	st_bench_cleanup();
}
module_exit(st_bench_exit);

MODULE_IMPORT_NS(SCHEDULED_TASK);
MODULE_DESCRIPTION("scheduled_task benchmark against raw kernel primitives");
MODULE_AUTHOR("scheduled_task developers");
MODULE_LICENSE("GPL");
