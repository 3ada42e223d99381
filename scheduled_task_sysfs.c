// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task sysfs: the attributes of /sys/class/scheduled_task/<task>/
 * and of the class itself, documented in
 * Documentation/ABI/testing/sysfs-class-scheduled_task.
 */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "scheduled_task_compat.h"
#include "scheduled_task_internal.h"

static ssize_t times_run_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	u32 n;
	int err;

	err = scheduled_task_times_run_get(st_from_dev(dev), &n);
	if (err)
		return err;
	return sysfs_emit(buf, "%u\n", n);
}

/*
 * A decimal u32 and at most one trailing newline, the whole write: an
 * embedded NUL would end the string early ("1\0junk" read as "1").
 * Anything else, overflow included, is -EINVAL and changes nothing.
 */
static ssize_t times_run_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	u32 n;
	int err;

	if (!count || strnlen(buf, count) != count || !isdigit(buf[0]) ||
	    kstrtou32(buf, 10, &n)) {
		dev_err_ratelimited(dev, "times_run: not a decimal u32\n");
		return -EINVAL;
	}
	err = scheduled_task_times_run_set(st_from_dev(dev), n);
	return err ? err : count;
}
static DEVICE_ATTR_RW(times_run);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", st_state_name(st_from_dev(dev)));
}
static DEVICE_ATTR_RO(state);

static ssize_t persistence_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	bool persistent = st_from_dev(dev)->cfg.persistence ==
			  SCHEDULED_TASK_PERSISTENT;

	return sysfs_emit(buf, "%s\n",
			  persistent ? "persistent" : "not-persistent");
}
static DEVICE_ATTR_RO(persistence);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	bool immediate = st_from_dev(dev)->cfg.mode == SCHEDULED_TASK_IMMEDIATE;

	return sysfs_emit(buf, "%s\n", immediate ? "immediate" : "deferred");
}
static DEVICE_ATTR_RO(mode);

static ssize_t when_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	static const char * const names[] = {
		[SCHEDULED_TASK_AT_PROBE] = "probe",
		[SCHEDULED_TASK_AT_RESUME] = "resume",
		[SCHEDULED_TASK_ON_DEMAND] = "on-demand",
	};

	return sysfs_emit(buf, "%s\n", names[st_from_dev(dev)->cfg.when]);
}
static DEVICE_ATTR_RO(when);

static ssize_t last_result_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct scheduled_task *task = st_from_dev(dev);
	enum scheduled_task_result result;

	spin_lock_irq(&task->lock);
	result = task->last_result;
	spin_unlock_irq(&task->lock);
	return sysfs_emit(buf, "%s\n", st_result_name(result));
}
static DEVICE_ATTR_RO(last_result);

static ssize_t runs_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct scheduled_task *task = st_from_dev(dev);
	u64 runs;

	spin_lock_irq(&task->lock);
	runs = task->runs;
	spin_unlock_irq(&task->lock);
	return sysfs_emit(buf, "%llu\n", runs);
}
static DEVICE_ATTR_RO(runs);

static ssize_t store_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", st_store_name(st_from_dev(dev)));
}
static DEVICE_ATTR_RO(store);

static struct attribute *st_attrs[] = {
	&dev_attr_times_run.attr,
	&dev_attr_state.attr,
	&dev_attr_persistence.attr,
	&dev_attr_mode.attr,
	&dev_attr_when.attr,
	&dev_attr_last_result.attr,
	&dev_attr_runs.attr,
	&dev_attr_store.attr,
	NULL
};

static const struct attribute_group st_group = {
	.attrs = st_attrs,
};

const struct attribute_group *st_groups[] = {
	&st_group,
	NULL
};

/*
 * The administrator's repair of a full or damaged nvmem= region: the
 * byte offset (decimal or 0x hex) of a slot to blank, the whole write.
 */
static ssize_t nvmem_clear_slot_store(st_class_const struct class *class,
				      st_class_const struct class_attribute *attr,
				      const char *buf, size_t count)
{
	unsigned int offset;
	int err;

	if (!count || strnlen(buf, count) != count || !isdigit(buf[0]) ||
	    kstrtouint(buf, 0, &offset))
		return -EINVAL;
	err = st_region_clear_slot(offset);
	return err ? err : count;
}
static CLASS_ATTR_WO(nvmem_clear_slot);

static struct attribute *st_class_attrs[] = {
	&class_attr_nvmem_clear_slot.attr,
	NULL
};

static const struct attribute_group st_class_group = {
	.attrs = st_class_attrs,
};

const struct attribute_group *st_class_groups[] = {
	&st_class_group,
	NULL
};
