/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared fixture of the scheduled_task KUnit suites: a real platform
 * client device bound to a test driver whose probe runs test code, and a
 * recording callback whose results a test scripts call by call.
 */
#ifndef _ST_KUNIT_H
#define _ST_KUNIT_H

#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/wait.h>

#include "../scheduled_task.h"
#include "../scheduled_task_internal.h"
#include "st_kunit_compat.h"

/* Bounded waits: generous for TCG, never part of an assertion on time. */
#define ST_WAIT		(20 * HZ)

/*
 * failslab's fail_nth: the n-th slab allocation of this thread from now on
 * fails.  Without CONFIG_FAILSLAB the tests that need it skip.
 */
#ifdef CONFIG_FAILSLAB
static inline void st_fail_nth_set(unsigned int n)
{
	current->fail_nth = n;
}

static inline unsigned int st_fail_nth_get(void)
{
	return current->fail_nth;
}
#else
static inline void st_fail_nth_set(unsigned int n)
{
}

static inline unsigned int st_fail_nth_get(void)
{
	return 0;
}
#endif

#define ST_MAX_SCRIPT	8
#define ST_TAGS		4

struct st_rec;

/**
 * struct st_ctx - what a test task's callback gets as context
 * @rec: the recorder.
 * @tag: told apart per call (execute_now and legacy deferred calls).
 */
struct st_ctx {
	struct st_rec *rec;
	unsigned long tag;
};

/**
 * struct st_rec - what a task's callback did, and what it is to return
 * @test: the running test.
 * @script: result of call n (1-based) for n <= ST_MAX_SCRIPT; 0 entries
 *	and later calls return @then.
 * @then: result once the script runs out (default SUCCESS).
 * @calls: invocations so far.
 * @inside: callbacks executing now.
 * @overlaps: entries that found another callback of the task inside.
 * @states: previous_state of each of the first calls.
 * @tags: &st_ctx.tag of the context of each of the first calls.
 * @per_tag: calls per &st_ctx.tag (tags below ST_TAGS).
 * @self: the config context.
 * @hold: when set, each call waits for it (bounded) before returning.
 * @entered: completed at each entry (for tests that wait for "running").
 * @hook: optional extra work done inside the callback.
 * @hook_data: for @hook.
 * @waitq: woken after every call.
 */
struct st_rec {
	struct kunit *test;
	enum scheduled_task_result script[ST_MAX_SCRIPT + 1];
	enum scheduled_task_result then;
	atomic_t calls;
	atomic_t inside;
	atomic_t overlaps;
	enum scheduled_task_power_state states[64];
	unsigned long tags[128];
	atomic_t per_tag[ST_TAGS];
	struct st_ctx self;
	struct completion *hold;
	struct completion entered;
	void (*hook)(struct st_rec *rec, struct scheduled_task *task, int call);
	void *hook_data;
	wait_queue_head_t waitq;
};

struct st_client;
typedef int (*st_probe_fn)(struct st_client *client, struct device *dev);

/**
 * struct st_client - a platform device bound to the test driver
 * @test: the running test.
 * @pdev: the device.
 * @probe: run by the driver's probe, may be NULL.
 * @data: for @probe.
 * @task: a task @probe created, for the test to use.
 * @probe_err: what @probe returned last.
 * @probes: times probe ran.
 * @node: the device's software node, or NULL.
 */
struct st_client {
	struct kunit *test;
	struct platform_device *pdev;
	const struct software_node *node;
	st_probe_fn probe;
	void *data;
	struct scheduled_task *task;
	int probe_err;
	int probes;
};

struct st_rec *st_rec_new(struct kunit *test);
enum scheduled_task_result st_rec_cb(struct scheduled_task *task, void *ctx,
				     enum scheduled_task_power_state state);
bool st_rec_wait(struct st_rec *rec, int calls);
struct completion *st_rec_hold(struct st_rec *rec);

struct scheduled_task_config st_cfg(const char *name, struct st_rec *rec,
				    enum scheduled_task_persistence persistence,
				    enum scheduled_task_mode mode,
				    enum scheduled_task_when when);

struct st_client *st_client_new(struct kunit *test, st_probe_fn probe,
				void *data);
struct st_client *st_client_new_on(struct kunit *test, st_probe_fn probe,
				   void *data, const struct software_node *node,
				   bool auto_id);
void st_client_del(struct st_client *client);
int st_client_unbind(struct st_client *client);
int st_client_bind(struct st_client *client);
struct device *st_client_dev(struct st_client *client);

struct vfsmount *st_sysfs_mount(void);
struct file *st_sysfs_open(const char *path, int flags);
bool st_sysfs_exists(const char *path);
ssize_t st_write_file(struct file *file, const char *bytes, size_t len);

int st_kunit_suite_init(struct kunit_suite *suite);
void st_kunit_suite_exit(struct kunit_suite *suite);

#endif /* _ST_KUNIT_H */
