// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: random mixed operations on 64 tasks from 4 threads, with exact
 * accounting (issue 16).
 *
 * 8 client devices of 8 tasks each cover every combination of mode, when
 * and persistence, half of them on a client workqueue that is not
 * freezable.  Four kthreads pick operations with a PRNG seeded from
 * stress_seed: execute_now, both deferred calls, cancel, restart,
 * times_run get and set, sysfs reads of every attribute and writes of
 * times_run through the real files, system suspend and resume through the
 * class PM callbacks, runtime resume, a task destroyed and created again,
 * and the client unbound and bound again (devm destroys its tasks, probe
 * creates new ones).  The callback returns random results, with short
 * retry delays, so retries run all the time.
 *
 * Every invocation is checked in the callback against a model that the
 * operations keep under stx->lock: it must be explained by a request of
 * its path (the caller's execute_now, a legacy call, a counted request, a
 * trigger that may arm the timer, an immediate trigger in this thread);
 * no two overlap in a task; none comes after destroy, or while cancelled
 * (other than execute_now), or while the task is suspended on a client
 * workqueue (other than the direct and immediate calls), and no scheduled
 * path runs a completed task.  The model only ever errs on the weak side:
 * while an operation that changes what it records is under way (a cancel,
 * a restart, a times_run write), the checks that depend on it are not
 * made.  At the end everything is drained and the counts must add up.
 *
 * The operations are replayed by the seed; the interleaving is not.
 * Each round of at most STX_ROUND_OPS operations is one run of the
 * parameterized case: a KUnit case must end within the hung-task timeout
 * (120 s) in the slow guest, since the thread that loaded the module waits
 * for it uninterruptibly.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "st_kunit.h"

static unsigned int stress_ops = 10000;
module_param(stress_ops, uint, 0444);
MODULE_PARM_DESC(stress_ops, "operations of the scheduled_task_stress suite (default 10000)");

static unsigned int stress_seed;
module_param(stress_seed, uint, 0444);
MODULE_PARM_DESC(stress_seed, "seed of the scheduled_task_stress suite; 0 picks one and prints it");

#define STX_CLIENTS	8
#define STX_SLOTS	8
#define STX_THREADS	4
/* The four threads and the KUnit thread, which binds the clients first. */
#define STX_ACTORS	(STX_THREADS + 1)
/*
 * At most this many operations per run of the case (see the top comment):
 * about 45 s on the KASAN kernel under TCG; a KCSAN kernel, which watches
 * accesses with delays, takes twice as long.
 */
#define STX_ROUND_OPS	(IS_ENABLED(CONFIG_KCSAN) ? 2000 : 5000)
/* Violations printed in full; the rest are only counted. */
#define STX_REPORTED	20

enum stx_op {
	STX_OP_NOW, STX_OP_EX, STX_OP_LEGACY, STX_OP_CANCEL, STX_OP_RESTART,
	STX_OP_GET, STX_OP_SET, STX_OP_SYSFS_READ, STX_OP_SYSFS_WRITE,
	STX_OP_PM, STX_OP_RUNTIME, STX_OP_RECREATE, STX_OP_REBIND,
	STX_OP_COUNT,
};

static const char * const stx_op_names[STX_OP_COUNT] = {
	"now", "ex", "legacy", "cancel", "restart", "get", "set", "read",
	"write", "pm", "runtime", "recreate", "rebind",
};

enum stx_kind { STX_SELF, STX_NOW, STX_LEGACY };

/*
 * Whether a task is cancelled, as the model knows it.  A cancel and a
 * restart that overlap land in an order the model cannot see: then it is
 * not known until a restart or cancel that overlaps nothing.
 */
enum stx_cancel { STX_RUNNING, STX_CANCELLED, STX_CANCEL_UNKNOWN };

/* What a thread is doing that may run an immediate callback in it. */
enum stx_trigger { STX_TRIG_NONE, STX_TRIG_CREATE, STX_TRIG_PM, STX_TRIG_RUNTIME };

struct stx_gen;

/**
 * struct stx_ctx - a context given to the API; tells the callback's path
 * @gen: the task generation it belongs to.
 * @kind: config context, an execute_now() call or a legacy call.
 * @actor: for %STX_NOW, the thread whose call it is.
 */
struct stx_ctx {
	struct stx_gen *gen;
	enum stx_kind kind;
	int actor;
};

struct stx_slot;

/**
 * struct stx_gen - one task, from its create to its destroy
 * @slot: where it lives.
 * @task: the task, once create has returned.
 * @self: its config context (scheduled runs, requests).
 * @legacy: the context of its legacy calls.
 * @now: the context of execute_now() per thread.
 * @dead: destroy has returned: no callback may come.
 * @completed: the model: a scheduled path must not call it.
 * @cancel: the model: only execute_now() may call it when cancelled.
 * @suspended: the model: suspend returned and resume has not begun.
 * @ever_completed: it was completed at some time (requests were dropped).
 * @ever_cancelled: it was cancelled at some time (calls were dropped).
 * @ever_set: times_run was written.
 * @sets: times_run writes under way: @completed is not known.
 * @sets_mixed: while @sets were under way, another write or a scheduled
 *	success came: which landed last is not known.
 * @cancels: cancels under way.
 * @restarts: restarts under way.
 * @restart_seq: restarts begun.
 * @cancel_seq: cancels begun.
 * @power_ups: power states a deferred run may have been armed with.
 * @ex_issued: execute_now_deferred_ex() calls that were (or may be) taken.
 * @legacy_issued: likewise for execute_now_deferred().
 * @timer_credits: triggers that may have armed the delayed work.
 * @ex_runs: invocations by the request path.
 * @legacy_runs: invocations by legacy calls.
 * @timer_runs: invocations by the delayed work.
 * @successes: scheduled runs that returned SUCCESS.
 * @runs: invocations by every path.
 */
struct stx_gen {
	struct stx_slot *slot;
	struct scheduled_task *task;
	struct stx_ctx self, legacy, now[STX_THREADS];
	bool dead, completed, suspended;
	enum stx_cancel cancel;
	bool ever_completed, ever_cancelled, ever_set, sets_mixed;
	unsigned int sets, cancels, restarts, restart_seq, cancel_seq;
	unsigned int power_ups;
	u32 ex_issued, legacy_issued, timer_credits;
	u32 ex_runs, legacy_runs, timer_runs, successes, runs;
};

struct stx;
struct stx_client;

/**
 * struct stx_slot - a place for one task of a client, with its combination
 * @s: the run.
 * @client: the client.
 * @name: the task name.
 * @index: 0..63.
 * @persistence: the combination...
 * @mode: ...
 * @when: ...
 * @client_wq: on the run's non-freezable workqueue, not the module's.
 * @gen: the live task, or NULL (unbound, or its create failed).
 * @devm: @gen was created with devm (destroyed by unbind only).
 * @pm_busy: a thread is suspending or resuming it.
 * @record_set: the model of the persistent record: its count is > 0.
 * @record_unknown: two writes of the record raced: its count is not known.
 * @rnd: the callback's results, under &stx.lock.
 * @inside: callbacks of this slot executing now.
 */
struct stx_slot {
	struct stx *s;
	struct stx_client *client;
	char name[8];
	int index;
	enum scheduled_task_persistence persistence;
	enum scheduled_task_mode mode;
	enum scheduled_task_when when;
	bool client_wq;
	struct stx_gen *gen;
	bool devm, pm_busy, record_set, record_unknown;
	struct rnd_state rnd;
	atomic_t inside;
};

/**
 * struct stx_client - a client device and its tasks
 * @s: the run.
 * @st: the fixture's client.
 * @rw: read-held by operations on its tasks (the task stays), write-held
 *	by unbind, bind and a task's destroy and create.
 * @bound: the driver is bound.
 * @slots: its tasks.
 */
struct stx_client {
	struct stx *s;
	struct st_client *st;
	struct rw_semaphore rw;
	bool bound;
	struct stx_slot slots[STX_SLOTS];
};

/**
 * struct stx_actor - a thread that makes operations
 * @s: the run.
 * @index: 0..3 for the threads, 4 for the KUnit thread.
 * @thread: its task_struct.
 * @rnd: its operation choices.
 * @ops: operations to make.
 * @done: completed when it has made them.
 * @trig: an immediate trigger under way in this thread.
 * @trig_slot: for which slot.
 * @trig_calls: callbacks run by it.
 * @trig_result: what the last one returned.
 * @now_calls: callbacks run by this thread's execute_now() under way.
 * @now_result: what the last one returned.
 */
struct stx_actor {
	struct stx *s;
	int index;
	struct task_struct *thread;
	struct rnd_state rnd;
	unsigned int ops;
	struct completion done;
	enum stx_trigger trig;
	struct stx_slot *trig_slot;
	int trig_calls;
	enum scheduled_task_result trig_result;
	int now_calls;
	enum scheduled_task_result now_result;
};

/**
 * struct stx - one run of the case
 * @test: the case.
 * @seed: this round's seed.
 * @lock: the model (every &struct stx_gen, the slots' model fields, the
 *	actors' trigger fields); never held across an API call.
 * @draining: the callbacks stop asking for retries.
 * @wq: the client workqueue, not freezable.
 * @clients: the clients.
 * @actors: the threads, and the KUnit thread.
 * @ops: operations made.
 * @op_count: operations made, per kind.
 * @op_ns: time they took, per kind.
 * @invocations: callbacks run.
 * @violations: contract violations seen.
 */
struct stx {
	struct kunit *test;
	u32 seed;
	spinlock_t lock;	/* the model */
	bool draining;
	struct workqueue_struct *wq;
	struct stx_client clients[STX_CLIENTS];
	struct stx_actor actors[STX_ACTORS];
	atomic_t ops;
	atomic_t op_count[STX_OP_COUNT];
	atomic64_t op_ns[STX_OP_COUNT];
	atomic64_t invocations;
	atomic_t violations;
};

static __printf(3, 4) void stx_violation(struct stx *s, struct stx_slot *slot,
					 const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (atomic_inc_return(&s->violations) > STX_REPORTED)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	kunit_err(s->test, "violation: seed %u, task %s: %pV\n", s->seed,
		  slot ? slot->name : "-", &vaf);
	va_end(args);
}

static struct stx_actor *stx_me(struct stx *s)
{
	int i;

	for (i = 0; i < STX_ACTORS; i++)
		if (s->actors[i].thread == current)
			return &s->actors[i];
	return NULL;
}

static u32 stx_rand(struct rnd_state *rnd, u32 n)
{
	return prandom_u32_state(rnd) % n;
}

static bool stx_deferred_scheduled(struct stx_slot *slot)
{
	return slot->mode == SCHEDULED_TASK_DEFERRED &&
	       slot->when != SCHEDULED_TASK_ON_DEMAND;
}

/* The result a callback returns: retries often, but not while draining. */
static enum scheduled_task_result stx_result(struct stx *s, struct stx_slot *slot)
{
	u32 r = stx_rand(&slot->rnd, 100);

	if (s->draining)
		return r < 50 ? SCHEDULED_TASK_SUCCESS : SCHEDULED_TASK_FAIL;
	if (r < 30)
		return SCHEDULED_TASK_SUCCESS;
	if (r < 55)
		return SCHEDULED_TASK_FAIL;
	if (r < 80)
		return SCHEDULED_TASK_FAIL_TRY_AGAIN;
	return SCHEDULED_TASK_SUCCESS_TRY_AGAIN;
}

/*
 * An immediate run in the caller's thread: which trigger of this thread
 * explains it, and with which previous_state.  NULL when it is right.
 */
static const char *stx_check_immediate(struct stx_slot *slot,
				       struct stx_actor *me,
				       enum scheduled_task_power_state state)
{
	enum scheduled_task_power_state want;

	if (!me || me->trig == STX_TRIG_NONE || me->trig_slot != slot)
		return "immediate run with no trigger of it in this thread";
	if (slot->mode != SCHEDULED_TASK_IMMEDIATE ||
	    slot->when == SCHEDULED_TASK_ON_DEMAND)
		return "immediate run of a task that runs none";
	if (++me->trig_calls > 1)
		return "two immediate runs from one trigger";
	switch (me->trig) {
	case STX_TRIG_CREATE:
		want = slot->when == SCHEDULED_TASK_AT_PROBE ?
		       SCHEDULED_TASK_POWER_NONE : SCHEDULED_TASK_POWER_OFF;
		break;
	case STX_TRIG_PM:
		want = SCHEDULED_TASK_POWER_SUSPENDED;
		break;
	default:
		want = SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED;
		break;
	}
	if (me->trig != STX_TRIG_CREATE &&
	    slot->when != SCHEDULED_TASK_AT_RESUME)
		return "a resume ran a task that is not AT_RESUME";
	if (state != want)
		return "immediate run with the wrong previous_state";
	return NULL;
}

/*
 * The callback of every task: explain the invocation by its path, check
 * it against the model, pick a result and note what it changes.
 */
static enum scheduled_task_result
stx_callback(struct scheduled_task *task, void *context,
	     enum scheduled_task_power_state state)
{
	struct stx_ctx *ctx = context;
	struct stx_gen *gen = ctx->gen;
	struct stx_slot *slot = gen->slot;
	struct stx *s = slot->s;
	struct work_struct *work = current_work();
	struct stx_actor *me = stx_me(s);
	enum scheduled_task_result result;
	const char *why = NULL, *path = "?";
	bool scheduled = false, deferred = false;
	u32 pause;

	if (atomic_inc_return(&slot->inside) > 1)
		stx_violation(s, slot, "two callbacks of the task overlap");

	spin_lock(&s->lock);
	result = stx_result(s, slot);
	pause = stx_rand(&slot->rnd, 16);
	gen->runs++;
	if (gen->dead) {
		why = "invocation after destroy returned";
	} else if (gen->task && gen->task != task) {
		why = "the callback got another task";
	} else if (ctx->kind == STX_NOW) {
		path = "execute_now";
		if (!me || me->index != ctx->actor)
			why = "execute_now context called in another thread";
		else if (work)
			why = "execute_now ran on a workqueue";
		else
			me->now_result = result;
		if (!why)
			me->now_calls++;
	} else if (ctx->kind == STX_LEGACY) {
		path = "legacy call";
		deferred = true;
		if (work != &task->legacy_work)
			why = "a legacy call's context outside the legacy work";
		else if (++gen->legacy_runs > gen->legacy_issued)
			why = "more legacy invocations than calls";
	} else if (work == &task->ex_work) {
		path = "request";
		scheduled = true;
		deferred = true;
		if (++gen->ex_runs > gen->ex_issued)
			why = "more request runs than requests";
		else if (state != SCHEDULED_TASK_POWER_NONE)
			why = "a request run got a power state";
	} else if (work == &task->dwork.work) {
		path = "timer";
		scheduled = true;
		deferred = true;
		if (++gen->timer_runs > gen->timer_credits)
			why = "more timer runs than triggers that arm it";
		else if (state != SCHEDULED_TASK_POWER_NONE &&
			 (!stx_deferred_scheduled(slot) ||
			  slot->when != SCHEDULED_TASK_AT_RESUME ||
			  !(gen->power_ups & BIT(state))))
			why = "timer run with a power state no power-up gave";
	} else if (!work) {
		path = "immediate";
		scheduled = true;
		why = stx_check_immediate(slot, me, state);
		if (!why)
			me->trig_result = result;
	} else {
		why = "config context on an unknown work item";
	}
	if (!why && ctx->kind != STX_SELF &&
	    state != SCHEDULED_TASK_POWER_NONE)
		why = "an on-demand call got a power state";
	if (!why && scheduled && gen->completed && !gen->sets)
		why = "a scheduled path ran a completed task";
	if (!why && (scheduled || deferred) && gen->cancel == STX_CANCELLED)
		why = "ran while cancelled";
	if (!why && deferred && gen->suspended && slot->client_wq)
		why = "deferred work ran while the task was suspended";
	if (scheduled && !why) {
		if (result == SCHEDULED_TASK_SUCCESS) {
			gen->completed = true;
			gen->ever_completed = true;
			gen->successes++;
			if (gen->sets)
				gen->sets_mixed = true;
			slot->record_set = true;
			slot->record_unknown = false;
		} else if (result == SCHEDULED_TASK_FAIL_TRY_AGAIN ||
			   result == SCHEDULED_TASK_SUCCESS_TRY_AGAIN) {
			gen->timer_credits++;
		}
	}
	spin_unlock(&s->lock);

	atomic64_inc(&s->invocations);
	if (why)
		stx_violation(s, slot, "%s (path %s, previous_state %d)", why,
			      path, state);
	/* Now and then widen the window for the other threads. */
	if (!pause)
		usleep_range(20, 100);
	atomic_dec(&slot->inside);
	return result;
}

/* ---- creating and destroying tasks ------------------------------------ */

static void stx_trigger_begin(struct stx_actor *me, enum stx_trigger trig,
			      struct stx_slot *slot)
{
	lockdep_assert_held(&me->s->lock);
	me->trig = trig;
	me->trig_slot = slot;
	me->trig_calls = 0;
	me->trig_result = SCHEDULED_TASK_RESULT_INVALID;
}

/* Create the task of @slot (the client's rw write-held, or in its probe). */
static void stx_create(struct stx *s, struct stx_slot *slot, struct device *dev,
		       bool devm)
{
	struct stx_actor *me = stx_me(s);
	struct scheduled_task_config cfg = {
		.name = slot->name,
		.callback = stx_callback,
		.persistence = slot->persistence,
		.mode = slot->mode,
		.when = slot->when,
		.retry_ms_on_success = 1 + slot->index % 3,
		.retry_ms_on_fail = 1 + slot->index % 2,
		.initial_delay_ms = slot->index % 3,
		.wq = slot->client_wq ? s->wq : NULL,
	};
	struct scheduled_task *task;
	struct stx_gen *gen;
	bool failed_run;
	int i;

	gen = kunit_kzalloc(s->test, sizeof(*gen), GFP_KERNEL);
	if (!gen) {
		stx_violation(s, slot, "out of memory for the model");
		return;
	}
	gen->slot = slot;
	gen->self = (struct stx_ctx){ gen, STX_SELF, -1 };
	gen->legacy = (struct stx_ctx){ gen, STX_LEGACY, -1 };
	for (i = 0; i < STX_THREADS; i++)
		gen->now[i] = (struct stx_ctx){ gen, STX_NOW, i };
	cfg.context = &gen->self;

	spin_lock(&s->lock);
	slot->gen = gen;
	/*
	 * The ram store keeps the record across destroy and create.  A record
	 * whose count is not known may make the task start completed.
	 */
	if (slot->persistence == SCHEDULED_TASK_PERSISTENT) {
		gen->completed = slot->record_set && !slot->record_unknown;
		gen->ever_completed = slot->record_set || slot->record_unknown;
	}
	if (stx_deferred_scheduled(slot)) {
		gen->timer_credits++;
		gen->power_ups |= BIT(SCHEDULED_TASK_POWER_OFF);
	}
	stx_trigger_begin(me, STX_TRIG_CREATE, slot);
	spin_unlock(&s->lock);

	task = devm ? devm_scheduled_task_create(dev, &cfg) :
		      scheduled_task_create(dev, &cfg);

	spin_lock(&s->lock);
	me->trig = STX_TRIG_NONE;
	failed_run = me->trig_calls && me->trig_result == SCHEDULED_TASK_FAIL;
	if (IS_ERR(task)) {
		gen->dead = true;
		slot->gen = NULL;
	} else {
		gen->task = task;
		slot->devm = devm;
	}
	spin_unlock(&s->lock);

	if (IS_ERR(task) && (PTR_ERR(task) != -EIO || !failed_run))
		stx_violation(s, slot, "create failed with %ld (first run %s)",
			      PTR_ERR(task), failed_run ? "failed" : "did not fail");
	else if (!IS_ERR(task) && failed_run)
		stx_violation(s, slot, "create succeeded although its first run failed");
	else if (slot->persistence == SCHEDULED_TASK_NOT_PERSISTENT &&
		 slot->mode == SCHEDULED_TASK_IMMEDIATE &&
		 slot->when != SCHEDULED_TASK_ON_DEMAND && me->trig_calls != 1)
		stx_violation(s, slot, "immediate first run made %d calls",
			      me->trig_calls);
}

/* Destroy a task that is not devm (the client's rw write-held). */
static void stx_destroy(struct stx *s, struct stx_slot *slot)
{
	struct stx_gen *gen = slot->gen;

	scheduled_task_destroy(gen->task);
	spin_lock(&s->lock);
	gen->dead = true;
	slot->gen = NULL;
	spin_unlock(&s->lock);
}

static int stx_probe(struct st_client *st, struct device *dev)
{
	struct stx_client *c = st->data;
	struct stx_actor *me = stx_me(c->s);
	int i;

	c->st = st;
	if (!me) {
		stx_violation(c->s, NULL, "probe in a thread of no actor");
		return -EINVAL;
	}
	for (i = 0; i < STX_SLOTS; i++)
		stx_create(c->s, &c->slots[i], dev, stx_rand(&me->rnd, 2));
	return 0;
}

static void stx_unbind(struct stx *s, struct stx_client *c)
{
	int i;

	for (i = 0; i < STX_SLOTS; i++)
		if (c->slots[i].gen && !c->slots[i].devm)
			stx_destroy(s, &c->slots[i]);
	if (st_client_unbind(c->st))
		stx_violation(s, NULL, "client %s did not unbind",
			      dev_name(st_client_dev(c->st)));
	spin_lock(&s->lock);
	for (i = 0; i < STX_SLOTS; i++) {
		struct stx_slot *slot = &c->slots[i];

		if (slot->gen) {
			slot->gen->dead = true;
			slot->gen = NULL;
		}
		slot->pm_busy = false;
	}
	c->bound = false;
	spin_unlock(&s->lock);
}

static void stx_bind(struct stx *s, struct stx_client *c)
{
	int err = st_client_bind(c->st);

	if (err)
		stx_violation(s, NULL, "client %s did not bind: %d",
			      dev_name(st_client_dev(c->st)), err);
	else
		c->bound = true;
}

/* ---- operations on one task (the client's rw read-held) ---------------- */

static void stx_op_execute_now(struct stx *s, struct stx_actor *me,
			       struct stx_slot *slot, struct stx_gen *gen)
{
	enum scheduled_task_result ret;

	me->now_calls = 0;
	ret = scheduled_task_execute_now(gen->task, &gen->now[me->index]);
	spin_lock(&s->lock);
	if (me->now_calls != 1 || ret != me->now_result) {
		spin_unlock(&s->lock);
		stx_violation(s, slot, "execute_now returned %d after %d calls (last returned %d)",
			      ret, me->now_calls, me->now_result);
		return;
	}
	spin_unlock(&s->lock);
}

/**
 * struct stx_window - what the model knew when a deferred call began
 * @cancel: &stx_gen.cancel then.
 * @cancels: cancels under way then.
 * @cancel_seq: cancels begun until then.
 * @restart_seq: restarts begun until then.
 */
struct stx_window {
	enum stx_cancel cancel;
	unsigned int cancels, cancel_seq, restart_seq;
};

static struct stx_window stx_window(struct stx_gen *gen)
{
	return (struct stx_window){ gen->cancel, gen->cancels, gen->cancel_seq,
				    gen->restart_seq };
}

/*
 * A deferred call must return -ECANCELED when the task was cancelled
 * all along (cancelled when it began, no restart begun since), and 0 when
 * it was not cancelled all along (running when it began, no cancel under
 * way or begun since).
 */
static void stx_check_canceled(struct stx *s, struct stx_slot *slot,
			       struct stx_gen *gen, struct stx_window w,
			       const char *call, int ret)
{
	bool cancelled = w.cancel == STX_CANCELLED &&
			 w.restart_seq == gen->restart_seq;
	bool running = w.cancel == STX_RUNNING && !w.cancels &&
		       w.cancel_seq == gen->cancel_seq;

	lockdep_assert_held(&s->lock);
	if ((ret == -ECANCELED && running) || (!ret && cancelled) ||
	    (ret && ret != -ECANCELED)) {
		spin_unlock(&s->lock);
		stx_violation(s, slot, "%s returned %d (cancelled all along %d, running %d)",
			      call, ret, cancelled, running);
		spin_lock(&s->lock);
	}
}

static void stx_op_ex(struct stx *s, struct stx_slot *slot, struct stx_gen *gen)
{
	struct stx_window w;
	int ret;

	spin_lock(&s->lock);
	gen->ex_issued++;
	w = stx_window(gen);
	spin_unlock(&s->lock);
	ret = scheduled_task_execute_now_deferred_ex(gen->task);
	spin_lock(&s->lock);
	if (ret)
		gen->ex_issued--;
	stx_check_canceled(s, slot, gen, w, "execute_now_deferred_ex", ret);
	spin_unlock(&s->lock);
}

static void stx_op_legacy(struct stx *s, struct stx_slot *slot,
			  struct stx_gen *gen)
{
	struct stx_window w;
	int ret;

	spin_lock(&s->lock);
	gen->legacy_issued++;
	w = stx_window(gen);
	spin_unlock(&s->lock);
	ret = scheduled_task_execute_now_deferred(gen->task, &gen->legacy);
	spin_lock(&s->lock);
	if (ret)
		gen->legacy_issued--;
	stx_check_canceled(s, slot, gen, w, "execute_now_deferred", ret);
	spin_unlock(&s->lock);
}

/*
 * After a cancel the task is cancelled, unless a restart was under way
 * when it began or began since: that one may have landed after it.
 */
static void stx_op_cancel(struct stx *s, struct stx_gen *gen)
{
	unsigned int seq;
	bool alone;

	spin_lock(&s->lock);
	seq = gen->restart_seq;
	alone = !gen->restarts;
	gen->cancels++;
	gen->cancel_seq++;
	spin_unlock(&s->lock);
	scheduled_task_cancel(gen->task);
	spin_lock(&s->lock);
	gen->cancels--;
	gen->ever_cancelled = true;
	gen->cancel = alone && seq == gen->restart_seq ? STX_CANCELLED :
						      STX_CANCEL_UNKNOWN;
	spin_unlock(&s->lock);
}

/* Likewise, after a restart the task runs unless a cancel overlapped it. */
static void stx_op_restart(struct stx *s, struct stx_slot *slot,
			   struct stx_gen *gen)
{
	unsigned int seq;
	bool alone;

	spin_lock(&s->lock);
	seq = gen->cancel_seq;
	alone = !gen->cancels;
	gen->restart_seq++;
	gen->restarts++;
	gen->cancel = STX_CANCEL_UNKNOWN;
	if (stx_deferred_scheduled(slot))
		gen->timer_credits++;
	spin_unlock(&s->lock);
	scheduled_task_restart(gen->task);
	spin_lock(&s->lock);
	gen->restarts--;
	if (alone && seq == gen->cancel_seq)
		gen->cancel = STX_RUNNING;
	spin_unlock(&s->lock);
}

/*
 * Around a times_run write: the completed state is not known meanwhile.
 * A write lands when it gets the task's run lock, which the model cannot
 * see: when another write or a scheduled success came while it was under
 * way, the outcome is not known, and the model takes it as not completed
 * (checks nothing) but possibly completed once (requests may have been
 * dropped).
 */
static void stx_set_begin(struct stx *s, struct stx_gen *gen)
{
	spin_lock(&s->lock);
	if (gen->sets++)
		gen->sets_mixed = true;
	spin_unlock(&s->lock);
}

static void stx_set_end(struct stx *s, struct stx_gen *gen, bool done, u32 v)
{
	struct stx_slot *slot = gen->slot;

	spin_lock(&s->lock);
	if (done) {
		gen->ever_set = true;
		gen->completed = v > 0 && !gen->sets_mixed;
		gen->ever_completed |= v > 0 || gen->sets_mixed;
		slot->record_set = v > 0;
		slot->record_unknown = gen->sets_mixed;
	}
	if (!--gen->sets)
		gen->sets_mixed = false;
	spin_unlock(&s->lock);
}

static void stx_op_set(struct stx *s, struct stx_actor *me,
		       struct stx_slot *slot, struct stx_gen *gen)
{
	u32 v = stx_rand(&me->rnd, 3) ? 0 : 1 + stx_rand(&me->rnd, 3);
	int ret;

	stx_set_begin(s, gen);
	ret = scheduled_task_times_run_set(gen->task, v);
	stx_set_end(s, gen, !ret, v);
	if (ret)
		stx_violation(s, slot, "times_run_set(%u) returned %d", v, ret);
}

static void stx_op_get(struct stx *s, struct stx_slot *slot, struct stx_gen *gen)
{
	u32 v;
	int ret = scheduled_task_times_run_get(gen->task, &v);

	if (ret)
		stx_violation(s, slot, "times_run_get returned %d", ret);
}

static const char * const stx_attrs[] = {
	"times_run", "state", "persistence", "mode", "when", "last_result",
	"runs", "store",
};

static bool stx_one_of(const char *value, const char * const *set)
{
	for (; *set; set++)
		if (!strcmp(value, *set))
			return true;
	return false;
}

static struct file *stx_open(struct stx_gen *gen, const char *attr, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/scheduled_task/%s/%s",
		 dev_name(&gen->task->dev), attr);
	return st_sysfs_open(path, flags);
}

/* Read one attribute through its file; its content must fit the task. */
static void stx_op_sysfs_read(struct stx *s, struct stx_actor *me,
			      struct stx_slot *slot, struct stx_gen *gen)
{
	static const char * const states[] = {
		"store-error", "running", "record-pending", "completed",
		"cancelled", "retry-wait", "pending", "idle", NULL,
	};
	static const char * const results[] = {
		"none", "success", "fail", "fail-try-again",
		"success-try-again", NULL,
	};
	const char *attr = stx_attrs[stx_rand(&me->rnd, ARRAY_SIZE(stx_attrs))];
	const char *want = NULL;
	bool ok = true;
	u32 before, after, n;
	struct file *file;
	char buf[32];
	loff_t pos = 0;
	ssize_t len;

	file = stx_open(gen, attr, O_RDONLY);
	if (IS_ERR(file)) {
		stx_violation(s, slot, "open %s: %ld", attr, PTR_ERR(file));
		return;
	}
	spin_lock(&s->lock);
	before = gen->runs;
	spin_unlock(&s->lock);
	len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	spin_lock(&s->lock);
	after = gen->runs;
	spin_unlock(&s->lock);
	fput(file);
	if (len <= 0 || buf[len - 1] != '\n') {
		stx_violation(s, slot, "read %s: %zd", attr, len);
		return;
	}
	buf[len - 1] = '\0';

	if (!strcmp(attr, "state"))
		ok = stx_one_of(buf, states);
	else if (!strcmp(attr, "last_result"))
		ok = stx_one_of(buf, results);
	else if (!strcmp(attr, "times_run"))
		ok = !kstrtou32(buf, 10, &n);
	else if (!strcmp(attr, "runs"))
		/* Counted before the callback starts: one may be under way. */
		ok = !kstrtou32(buf, 10, &n) && n >= before && n <= after + 1;
	else if (!strcmp(attr, "persistence"))
		want = slot->persistence == SCHEDULED_TASK_PERSISTENT ?
		       "persistent" : "not-persistent";
	else if (!strcmp(attr, "mode"))
		want = slot->mode == SCHEDULED_TASK_IMMEDIATE ? "immediate" :
		       "deferred";
	else if (!strcmp(attr, "when"))
		want = slot->when == SCHEDULED_TASK_AT_PROBE ? "probe" :
		       slot->when == SCHEDULED_TASK_AT_RESUME ? "resume" :
		       "on-demand";
	else if (!strcmp(attr, "store"))
		want = slot->persistence == SCHEDULED_TASK_PERSISTENT ? "ram" :
		       "none";
	if (want)
		ok = !strcmp(buf, want);
	if (!ok)
		stx_violation(s, slot, "%s reads '%s' (runs counted %u..%u)",
			      attr, buf, before, after);
}

/* Write times_run through its file: a count, or now and then garbage. */
static void stx_op_sysfs_write(struct stx *s, struct stx_actor *me,
			       struct stx_slot *slot, struct stx_gen *gen)
{
	bool bad = !stx_rand(&me->rnd, 8);
	u32 v = stx_rand(&me->rnd, 3) ? 0 : 1 + stx_rand(&me->rnd, 3);
	struct file *file;
	char buf[16];
	loff_t pos = 0;
	ssize_t ret;
	int len;

	len = bad ? scnprintf(buf, sizeof(buf), "%ux\n", v) :
		    scnprintf(buf, sizeof(buf), "%u\n", v);
	file = stx_open(gen, "times_run", O_WRONLY);
	if (IS_ERR(file)) {
		stx_violation(s, slot, "open times_run: %ld", PTR_ERR(file));
		return;
	}
	if (!bad)
		stx_set_begin(s, gen);
	ret = kernel_write(file, buf, len, &pos);
	if (!bad)
		stx_set_end(s, gen, ret == len, v);
	fput(file);
	if (ret != (bad ? -EINVAL : len))
		stx_violation(s, slot, "write '%*pE' to times_run: %zd", len, buf,
			      ret);
}

/* Suspend, or resume, through the class PM callbacks (the PM core's way). */
static void stx_op_pm(struct stx *s, struct stx_actor *me,
		      struct stx_slot *slot, struct stx_gen *gen)
{
	struct device *dev = &gen->task->dev;
	bool suspend, ran_fail;
	int ret;

	/* Only a task with PM callbacks gets them called. */
	if (!dev->type || !dev->type->pm)
		return;
	spin_lock(&s->lock);
	if (slot->pm_busy) {
		spin_unlock(&s->lock);
		return;
	}
	slot->pm_busy = true;
	suspend = !gen->suspended;
	if (!suspend) {
		gen->suspended = false;
		if (stx_deferred_scheduled(slot) &&
		    slot->when == SCHEDULED_TASK_AT_RESUME) {
			gen->timer_credits++;
			gen->power_ups |= BIT(SCHEDULED_TASK_POWER_SUSPENDED);
		}
		stx_trigger_begin(me, STX_TRIG_PM, slot);
	}
	spin_unlock(&s->lock);

	ret = suspend ? st_pm_ops.suspend(dev) : st_pm_ops.resume(dev);

	spin_lock(&s->lock);
	me->trig = STX_TRIG_NONE;
	ran_fail = me->trig_calls && me->trig_result == SCHEDULED_TASK_FAIL;
	if (suspend)
		gen->suspended = true;
	slot->pm_busy = false;
	spin_unlock(&s->lock);
	if (suspend ? ret : ret != (ran_fail ? -EIO : 0))
		stx_violation(s, slot, "%s returned %d (immediate run %s)",
			      suspend ? "suspend" : "resume", ret,
			      ran_fail ? "failed" : "did not fail");
}

static void stx_op_runtime_resume(struct stx *s, struct stx_actor *me,
				  struct stx_slot *slot, struct stx_gen *gen)
{
	bool ran_fail;
	int ret;

	spin_lock(&s->lock);
	if (stx_deferred_scheduled(slot) &&
	    slot->when == SCHEDULED_TASK_AT_RESUME) {
		gen->timer_credits++;
		gen->power_ups |= BIT(SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);
	}
	stx_trigger_begin(me, STX_TRIG_RUNTIME, slot);
	spin_unlock(&s->lock);

	ret = scheduled_task_resume(gen->task,
				    SCHEDULED_TASK_POWER_RUNTIME_SUSPENDED);

	spin_lock(&s->lock);
	me->trig = STX_TRIG_NONE;
	ran_fail = me->trig_calls && me->trig_result == SCHEDULED_TASK_FAIL;
	spin_unlock(&s->lock);
	if (ret != (ran_fail ? -EIO : 0))
		stx_violation(s, slot, "runtime resume returned %d (immediate run %s)",
			      ret, ran_fail ? "failed" : "did not fail");
}

/* ---- the threads ------------------------------------------------------- */

/* Relative frequencies: rebinding is the costly one. */
static const u8 stx_weights[STX_OP_COUNT] = {
	[STX_OP_NOW] = 12, [STX_OP_EX] = 14, [STX_OP_LEGACY] = 10,
	[STX_OP_CANCEL] = 6, [STX_OP_RESTART] = 9, [STX_OP_GET] = 5,
	[STX_OP_SET] = 6, [STX_OP_SYSFS_READ] = 10, [STX_OP_SYSFS_WRITE] = 5,
	[STX_OP_PM] = 10, [STX_OP_RUNTIME] = 8, [STX_OP_RECREATE] = 3,
	[STX_OP_REBIND] = 2,
};

static enum stx_op stx_pick(struct rnd_state *rnd)
{
	u32 total = 0, r;
	int i;

	for (i = 0; i < STX_OP_COUNT; i++)
		total += stx_weights[i];
	r = stx_rand(rnd, total);
	for (i = 0; r >= stx_weights[i]; i++)
		r -= stx_weights[i];
	return i;
}

/* Destroy and create one task, or unbind and bind its client. */
static void stx_op_structural(struct stx *s, struct stx_actor *me,
			      struct stx_client *c, struct stx_slot *slot,
			      enum stx_op op)
{
	down_write(&c->rw);
	if (op == STX_OP_REBIND) {
		if (c->bound)
			stx_unbind(s, c);
		else
			stx_bind(s, c);
	} else if (c->bound && !(slot->gen && slot->devm)) {
		if (slot->gen)
			stx_destroy(s, slot);
		stx_create(s, slot, st_client_dev(c->st), false);
	}
	up_write(&c->rw);
}

static void stx_op(struct stx *s, struct stx_actor *me)
{
	enum stx_op op = stx_pick(&me->rnd);
	struct stx_client *c = &s->clients[stx_rand(&me->rnd, STX_CLIENTS)];
	struct stx_slot *slot = &c->slots[stx_rand(&me->rnd, STX_SLOTS)];
	u64 start = ktime_get_ns();
	struct stx_gen *gen;

	atomic_inc(&s->op_count[op]);
	if (op == STX_OP_RECREATE || op == STX_OP_REBIND) {
		stx_op_structural(s, me, c, slot, op);
		goto time;
	}
	down_read(&c->rw);
	spin_lock(&s->lock);
	gen = slot->gen;
	spin_unlock(&s->lock);
	if (!gen)
		goto out;
	switch (op) {
	case STX_OP_NOW:
		stx_op_execute_now(s, me, slot, gen);
		break;
	case STX_OP_EX:
		stx_op_ex(s, slot, gen);
		break;
	case STX_OP_LEGACY:
		stx_op_legacy(s, slot, gen);
		break;
	case STX_OP_CANCEL:
		stx_op_cancel(s, gen);
		break;
	case STX_OP_RESTART:
		stx_op_restart(s, slot, gen);
		break;
	case STX_OP_GET:
		stx_op_get(s, slot, gen);
		break;
	case STX_OP_SET:
		stx_op_set(s, me, slot, gen);
		break;
	case STX_OP_SYSFS_READ:
		stx_op_sysfs_read(s, me, slot, gen);
		break;
	case STX_OP_SYSFS_WRITE:
		stx_op_sysfs_write(s, me, slot, gen);
		break;
	case STX_OP_PM:
		stx_op_pm(s, me, slot, gen);
		break;
	default:
		stx_op_runtime_resume(s, me, slot, gen);
		break;
	}
out:
	up_read(&c->rw);
time:
	atomic64_add(ktime_get_ns() - start, &s->op_ns[op]);
}

static int stx_thread(void *data)
{
	struct stx_actor *me = data;
	unsigned int i;

	for (i = 0; i < me->ops && !kthread_should_stop(); i++) {
		stx_op(me->s, me);
		atomic_inc(&me->s->ops);
		cond_resched();
	}
	complete(&me->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

/* ---- the case ---------------------------------------------------------- */

static void stx_setup(struct stx *s)
{
	static const enum scheduled_task_when whens[] = {
		SCHEDULED_TASK_AT_PROBE, SCHEDULED_TASK_AT_RESUME,
		SCHEDULED_TASK_ON_DEMAND,
	};
	int i, j;

	for (i = 0; i < STX_CLIENTS; i++) {
		struct stx_client *c = &s->clients[i];

		c->s = s;
		init_rwsem(&c->rw);
		for (j = 0; j < STX_SLOTS; j++) {
			struct stx_slot *slot = &c->slots[j];
			int n = i * STX_SLOTS + j;

			slot->s = s;
			slot->client = c;
			slot->index = n;
			snprintf(slot->name, sizeof(slot->name), "s%02d", n);
			/* 12 combinations, each on 5 or 6 of the 64 tasks. */
			slot->when = whens[n % 3];
			slot->mode = (n / 3) % 2 ? SCHEDULED_TASK_DEFERRED :
						   SCHEDULED_TASK_IMMEDIATE;
			slot->persistence = (n / 6) % 2 ?
					    SCHEDULED_TASK_PERSISTENT :
					    SCHEDULED_TASK_NOT_PERSISTENT;
			slot->client_wq = (n / 12) % 2;
			prandom_seed_state(&slot->rnd, ((u64)s->seed << 8) | n);
			atomic_set(&slot->inside, 0);
		}
	}
	for (i = 0; i < STX_ACTORS; i++) {
		struct stx_actor *a = &s->actors[i];

		a->s = s;
		a->index = i;
		init_completion(&a->done);
		prandom_seed_state(&a->rnd, ((u64)s->seed << 8) | (0x80 + i));
	}
}

/*
 * Everything must be drained before counts are exact: resume what is
 * suspended (held work runs then), stop asking for retries, and wait
 * until nothing is queued or running.
 */
static void stx_drain(struct stx *s)
{
	struct stx_actor *me = &s->actors[STX_THREADS];
	int i, j;

	spin_lock(&s->lock);
	s->draining = true;
	spin_unlock(&s->lock);
	for (i = 0; i < STX_CLIENTS; i++) {
		for (j = 0; j < STX_SLOTS; j++) {
			struct stx_slot *slot = &s->clients[i].slots[j];

			if (slot->gen && slot->gen->suspended)
				stx_op_pm(s, me, slot, slot->gen);
			if (slot->gen)
				st_flush(slot->gen->task);
		}
	}
}

/* After draining: the counts of each live task must add up exactly. */
static void stx_check_counts(struct stx *s, struct stx_slot *slot)
{
	struct stx_gen *gen = slot->gen;
	struct file *file;
	char buf[32];
	loff_t pos = 0;
	ssize_t len;
	u32 runs, times_run;

	if (!gen->ever_cancelled && gen->legacy_runs != gen->legacy_issued)
		stx_violation(s, slot, "%u legacy calls taken, %u ran",
			      gen->legacy_issued, gen->legacy_runs);
	if (!gen->ever_cancelled && !gen->ever_completed &&
	    gen->ex_runs != gen->ex_issued)
		stx_violation(s, slot, "%u requests taken, %u ran",
			      gen->ex_issued, gen->ex_runs);
	if (gen->suspended)
		stx_violation(s, slot, "still suspended after draining");

	file = stx_open(gen, "runs", O_RDONLY);
	if (IS_ERR(file)) {
		stx_violation(s, slot, "open runs: %ld", PTR_ERR(file));
		return;
	}
	len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	fput(file);
	buf[max_t(ssize_t, len, 0)] = '\0';
	if (len <= 0 || kstrtou32(strim(buf), 10, &runs) || runs != gen->runs)
		stx_violation(s, slot, "runs reads '%s', the callback counted %u",
			      buf, gen->runs);

	if (scheduled_task_times_run_get(gen->task, &times_run))
		stx_violation(s, slot, "times_run_get failed after draining");
	else if (slot->persistence == SCHEDULED_TASK_NOT_PERSISTENT &&
		 !gen->ever_set && times_run != gen->successes)
		stx_violation(s, slot, "times_run %u, %u scheduled successes",
			      times_run, gen->successes);
	else if (gen->completed && !times_run)
		stx_violation(s, slot, "completed with times_run 0");
}

/* Where the time went: count and mean duration of each kind of operation. */
static void stx_print_ops(struct stx *s)
{
	char line[400];
	int i, n, len = 0;

	for (i = 0; i < STX_OP_COUNT; i++) {
		n = atomic_read(&s->op_count[i]);
		len += scnprintf(line + len, sizeof(line) - len, " %s %d/%llu us",
				 stx_op_names[i], n,
				 n ? div_u64(atomic64_read(&s->op_ns[i]),
					     n * NSEC_PER_USEC) : 0);
	}
	kunit_log(KERN_INFO, s->test, KUNIT_SUBTEST_INDENT "# stress ops:%s", line);
}

static const void *stx_rounds(const void *prev, char *desc)
{
	unsigned long round = (unsigned long)prev;
	unsigned long rounds = DIV_ROUND_UP(max(stress_ops, 1U), STX_ROUND_OPS);

	if (round >= rounds)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %lu of %lu", round + 1,
		 rounds);
	return (const void *)(round + 1);
}

static u32 stx_seed;

static int stx_suite_init(struct kunit_suite *suite)
{
	st_kunit_early_params();
	stx_seed = stress_seed ?: (get_random_u32() ?: 1);
	return st_kunit_suite_init(suite);
}

static void stress_random_mixed_operations(struct kunit *test)
{
	unsigned long round = (unsigned long)test->param_value - 1;
	unsigned int ops = min(stress_ops - round * STX_ROUND_OPS,
			       (unsigned int)STX_ROUND_OPS);
	struct task_struct *threads[STX_THREADS];
	struct stx *s;
	u64 start;
	int i, j;

	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	s->test = test;
	s->seed = stx_seed + round;
	spin_lock_init(&s->lock);
	if (!round)
		kunit_log(KERN_INFO, test,
			  KUNIT_SUBTEST_INDENT
			  "# seed %u (replay: make stress-ops SEED=%u OPS=%u)",
			  stx_seed, stx_seed, stress_ops);
	s->wq = alloc_workqueue("st-stress", WQ_UNBOUND, 0);
	KUNIT_ASSERT_NOT_NULL(test, s->wq);
	stx_setup(s);
	s->actors[STX_THREADS].thread = current;

	start = ktime_get_ns();
	for (i = 0; i < STX_CLIENTS; i++) {
		struct stx_client *c = &s->clients[i];

		c->st = st_client_new(test, stx_probe, c);
		c->bound = !!st_client_dev(c->st)->driver;
		KUNIT_ASSERT_TRUE(test, c->bound);
	}

	for (i = 0; i < STX_THREADS; i++) {
		s->actors[i].ops = ops / STX_THREADS +
				   (i < ops % STX_THREADS);
		threads[i] = kthread_create(stx_thread, &s->actors[i],
					    "st-stress/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(threads[i]));
		s->actors[i].thread = threads[i];
	}
	for (i = 0; i < STX_THREADS; i++)
		wake_up_process(threads[i]);
	/* Wake now and then: the hung-task detector watches this thread. */
	for (i = 0; i < STX_THREADS; i++) {
		while (!wait_for_completion_timeout(&s->actors[i].done, 10 * HZ))
			;
		kthread_stop(threads[i]);
	}

	stx_drain(s);
	for (i = 0; i < STX_CLIENTS; i++)
		for (j = 0; j < STX_SLOTS; j++)
			if (s->clients[i].slots[j].gen)
				stx_check_counts(s, &s->clients[i].slots[j]);
	for (i = 0; i < STX_CLIENTS; i++)
		if (s->clients[i].bound)
			stx_unbind(s, &s->clients[i]);
	destroy_workqueue(s->wq);

	kunit_log(KERN_INFO, test,
		  KUNIT_SUBTEST_INDENT
		  "# stress: %d operations, %lld invocations, %llu ms, %d violations (seed %u)",
		  atomic_read(&s->ops), atomic64_read(&s->invocations),
		  div_u64(ktime_get_ns() - start, NSEC_PER_MSEC),
		  atomic_read(&s->violations), s->seed);
	stx_print_ops(s);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&s->violations), 0,
			    "seed %u: see the violations above", s->seed);
}

static struct kunit_case st_stress_cases[] = {
	KUNIT_CASE_PARAM_ATTR(stress_random_mixed_operations, stx_rounds,
			      { .speed = KUNIT_SPEED_SLOW }),
	{}
};

static struct kunit_suite st_stress_suite = {
	.name = "scheduled_task_stress",
	.suite_init = stx_suite_init,
	.suite_exit = st_kunit_suite_exit,
	.test_cases = st_stress_cases,
};

kunit_test_suite(st_stress_suite);
