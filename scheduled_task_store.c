// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task persistence: picks a backend for each PERSISTENT task and
 * routes every read and write of its run count through it.  The task code
 * only sees st_store_read() and st_store_write(); the backends only see
 * their ops table.
 *
 * Backends: "ram" (an in-memory table that survives unbind/rebind and
 * re-create, not module unload or reboot).  The firmware-backed backends
 * plug into the same table.
 */

#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "scheduled_task_internal.h"
#include "scheduled_task_trace.h"

static char *store = "auto";
module_param(store, charp, 0444);
MODULE_PARM_DESC(store,
		 "Store for PERSISTENT tasks: auto (default), efivar, nvmem or ram");

/* Set by the KUnit suites to put a faulty backend under every new task. */
static const struct st_store_ops *st_store_forced;

/* ram: one entry per task key, kept until the module is unloaded. */
struct st_ram_record {
	struct list_head node;
	u32 times_run;
	char key[ST_KEY_MAX];
};

static LIST_HEAD(st_ram_records);
static DEFINE_MUTEX(st_ram_lock);

static struct st_ram_record *st_ram_find(const char *key)
{
	struct st_ram_record *rec;

	lockdep_assert_held(&st_ram_lock);
	list_for_each_entry(rec, &st_ram_records, node)
		if (!strcmp(rec->key, key))
			return rec;
	return NULL;
}

static int st_ram_read(struct scheduled_task *task, u32 *times_run)
{
	struct st_ram_record *rec;

	mutex_lock(&st_ram_lock);
	rec = st_ram_find(task->key);
	*times_run = rec ? rec->times_run : 0;
	mutex_unlock(&st_ram_lock);
	return 0;
}

static int st_ram_write(struct scheduled_task *task, u32 times_run)
{
	struct st_ram_record *rec;
	int err = 0;

	mutex_lock(&st_ram_lock);
	rec = st_ram_find(task->key);
	if (!rec) {
		rec = kzalloc(sizeof(*rec), GFP_KERNEL);
		if (rec) {
			strscpy(rec->key, task->key, sizeof(rec->key));
			list_add(&rec->node, &st_ram_records);
		} else {
			err = -ENOMEM;
		}
	}
	if (rec)
		rec->times_run = times_run;
	mutex_unlock(&st_ram_lock);
	return err;
}

static const struct st_store_ops st_ram_ops = {
	.name = "ram",
	.read = st_ram_read,
	.write = st_ram_write,
};

/**
 * st_store_attach() - choose and prepare the store of a PERSISTENT task
 * @task: the task, with its key set.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENODEV (with a dev_err naming what was tried) when no
 * store fits, or the backend's attach error.
 */
int st_store_attach(struct scheduled_task *task)
{
	const struct st_store_ops *ops;
	int err = 0;

	if (st_store_forced)
		ops = st_store_forced;
	else if (sysfs_streq(store, "auto") || sysfs_streq(store, "ram"))
		ops = &st_ram_ops;
	else
		ops = NULL;

	if (!ops) {
		dev_err(&task->dev, "no persistent store: store=%s is not available (tried: %s)\n",
			store, store);
		return -ENODEV;
	}

	mutex_lock(&task->store_lock);
	task->store = ops;
	if (ops->attach)
		err = ops->attach(task);
	if (err)
		task->store = NULL;
	mutex_unlock(&task->store_lock);
	trace_scheduled_task_store(task, ops->name, "attach", err);
	if (err)
		dev_err(&task->dev, "store %s: attach failed: %d\n", ops->name, err);
	return err;
}

/* Context: process context, @task->store_lock held. */
void st_store_detach(struct scheduled_task *task)
{
	lockdep_assert_held(&task->store_lock);
	if (task->store && task->store->detach)
		task->store->detach(task);
}

/* Context: process context, @task->store_lock held. */
int st_store_read(struct scheduled_task *task, u32 *times_run)
{
	int err;

	lockdep_assert_held(&task->store_lock);
	err = task->store->read(task, times_run);
	trace_scheduled_task_store(task, task->store->name, "read", err);
	return err;
}

/* Context: process context, @task->store_lock held. */
int st_store_write(struct scheduled_task *task, u32 times_run)
{
	int err;

	lockdep_assert_held(&task->store_lock);
	err = task->store->write(task, times_run);
	trace_scheduled_task_store(task, task->store->name, "write", err);
	return err;
}

/* What the sysfs "store" attribute shows. */
const char *st_store_name(struct scheduled_task *task)
{
	return task->store ? task->store->name : "none";
}
EXPORT_SYMBOL_IF_KUNIT(st_store_name);

/**
 * st_store_test_override() - make new PERSISTENT tasks use @ops
 * @ops: a backend, or NULL to choose normally again.
 *
 * For KUnit fault injection only.
 */
void st_store_test_override(const struct st_store_ops *ops)
{
	st_store_forced = ops;
}
EXPORT_SYMBOL_IF_KUNIT(st_store_test_override);

/* Module unload: the ram records go with the module. */
void st_store_exit(void)
{
	struct st_ram_record *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, &st_ram_records, node) {
		list_del(&rec->node);
		kfree(rec);
	}
}
