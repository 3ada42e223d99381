// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task "ram" store: record areas in memory, one per task key.
 * They survive unbind/rebind and re-create but not module unload or
 * reboot: for tests, and for machines without a firmware store.  It keeps
 * the same record format as the firmware stores so that it exercises the
 * same code.
 */

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "scheduled_task_internal.h"

struct st_ram_record {
	struct list_head node;
	u8 area[ST_RECORD_SIZE];
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

/* The task's record, or the one it had under its former key. */
static struct st_ram_record *st_ram_find_task(struct scheduled_task *task)
{
	struct st_ram_record *rec = st_ram_find(task->key);

	if (!rec && task->former_key) {
		rec = st_ram_find(task->former_key);
		if (rec)
			strscpy(rec->key, task->key, sizeof(rec->key));
	}
	return rec;
}

static int st_ram_load(struct scheduled_task *task, u8 *area)
{
	struct st_ram_record *rec;

	mutex_lock(&st_ram_lock);
	rec = st_ram_find_task(task);
	if (rec)
		memcpy(area, rec->area, ST_RECORD_SIZE);
	else
		memset(area, 0, ST_RECORD_SIZE);
	mutex_unlock(&st_ram_lock);
	return 0;
}

static int st_ram_save(void *ctx, const u8 *area, unsigned int off,
		       unsigned int len)
{
	struct scheduled_task *task = ctx;
	struct st_ram_record *rec;
	int err = 0;

	mutex_lock(&st_ram_lock);
	rec = st_ram_find_task(task);
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
		memcpy(rec->area + off, area + off, len);
	mutex_unlock(&st_ram_lock);
	return err;
}

static const struct st_area_io st_ram_io = {
	.load = st_ram_load,
	.save = st_ram_save,
};

const struct st_store_ops st_ram_ops = {
	.name = "ram",
	.area = &st_ram_io,
};

/* Module unload: the records go with the module. */
void st_ram_exit(void)
{
	struct st_ram_record *rec, *tmp;

	list_for_each_entry_safe(rec, tmp, &st_ram_records, node) {
		list_del(&rec->node);
		kfree(rec);
	}
}
