// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task NVMEM stores.
 *
 * "nvmem-cell": the client device has a cell named scheduled-task-<task>
 * (device tree nvmem-cells/nvmem-cell-names, or a cell lookup registered
 * by platform code) of at least ST_RECORD_SIZE bytes; the record is its
 * first ST_RECORD_SIZE bytes.  For EEPROMs on boards that describe them.
 *
 * "nvmem": module parameter nvmem=<device>:<offset>:<size> names a region
 * of any NVMEM device, cut in ST_RECORD_SIZE-byte slots.  A task's record
 * is looked for in every slot; a task without one takes the first blank
 * slot from hash % slots on (see st_region_find()).  One lock covers every
 * region access, so two tasks never claim the same blank slot.  A slot
 * that no live task owns can be blanked by an administrator
 * (st_region_clear_slot(), /sys/class/scheduled_task/nvmem_clear_slot).
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/mutex.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "scheduled_task_compat.h"
#include "scheduled_task_internal.h"

/* ---- nvmem-cell ---------------------------------------------------- */

/*
 * The cell's bytes as last read.  A record update is two saves, and the
 * cell is written whole: each save patches the shadow and writes it back,
 * so nothing is allocated (nothing can fail for want of memory) between
 * the first save and the second.
 */
struct st_cell {
	struct nvmem_cell *cell;
	u8 *shadow;		/* NULL until a read has succeeded */
	size_t len;
};

/* Read the whole cell into the shadow. */
static int st_cell_read_all(struct st_cell *c)
{
	size_t len;
	void *buf;

	buf = nvmem_cell_read(c->cell, &len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	if (len < ST_RECORD_SIZE || (c->shadow && len != c->len)) {
		kfree(buf);
		return -EINVAL;
	}
	kfree(c->shadow);
	c->shadow = buf;
	c->len = len;
	return 0;
}

static int st_cell_attach(struct scheduled_task *task)
{
	char id[ST_NAME_MAX + 16];
	struct st_cell *c;
	int err;

	snprintf(id, sizeof(id), "scheduled-task-%s", task->name);
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->cell = nvmem_cell_get(task->client, id);
	if (IS_ERR(c->cell)) {
		err = PTR_ERR(c->cell);
		kfree(c);
		/* No such cell (or no NVMEM at all): try the next store. */
		if (err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV)
			return -ENODEV;
		return err;
	}
	/*
	 * A cell too small for a record is a configuration error: fail
	 * create.  A cell that cannot be read now is a store error, found
	 * again by the first read: create succeeds so that an administrator
	 * can repair it through times_run.
	 */
	err = st_cell_read_all(c);
	if (err == -EINVAL) {
		dev_err(&task->dev, "nvmem cell %s is smaller than %d bytes\n",
			id, ST_RECORD_SIZE);
		nvmem_cell_put(c->cell);
		kfree(c);
		return err;
	}
	task->store_priv = c;
	return 0;
}

static void st_cell_detach(struct scheduled_task *task)
{
	struct st_cell *c = task->store_priv;

	nvmem_cell_put(c->cell);
	kfree(c->shadow);
	kfree(c);
	task->store_priv = NULL;
}

static int st_cell_load(struct scheduled_task *task, u8 *area)
{
	struct st_cell *c = task->store_priv;
	int err;

	err = st_cell_read_all(c);
	if (err)
		return err;
	memcpy(area, c->shadow, ST_RECORD_SIZE);
	return 0;
}

/* Unchanged bytes of the cell are written back as they were read. */
static int st_cell_save(void *ctx, const u8 *area, unsigned int off,
			unsigned int len)
{
	struct scheduled_task *task = ctx;
	struct st_cell *c = task->store_priv;
	int ret;

	memcpy(c->shadow + off, area + off, len);
	ret = nvmem_cell_write(c->cell, c->shadow, c->len);
	if (ret < 0)
		return ret;
	return ret == c->len ? 0 : -EIO;
}

static const struct st_area_io st_cell_io = {
	.load = st_cell_load,
	.save = st_cell_save,
};

const struct st_store_ops st_cell_ops = {
	.name = "nvmem-cell",
	.unavailable = "no cell scheduled-task-<task> on the device",
	.attach = st_cell_attach,
	.detach = st_cell_detach,
	.area = &st_cell_io,
};

/* ---- nvmem region -------------------------------------------------- */

/* Every region access; and st_region_users. */
static DEFINE_MUTEX(st_region_lock);
/* The struct st_region of every task attached to a region. */
static LIST_HEAD(st_region_users);

struct st_region {
	struct list_head node;
	struct scheduled_task *task;
	struct nvmem_device *nvmem;
	struct device *provider;
	unsigned int offset;
	unsigned int slots;
};

/* The slot a task's record is in, or would be written to. */
struct st_slot {
	unsigned int offset;
	u8 area[ST_RECORD_SIZE];
	struct st_record rec;
};

/*
 * nvmem_device_find() with a match that also keeps the NVMEM device's
 * struct device: its parent is the provider, which the NVMEM consumer
 * interface does not give otherwise.
 */
struct st_nvmem_match {
	const char *name;
	struct device **dev;
};

static int st_nvmem_match(struct device *dev, const void *data)
{
	const struct st_nvmem_match *m = data;

	if (!device_match_name(dev, m->name))
		return 0;
	*m->dev = dev;
	return 1;
}

static int st_region_attach(struct scheduled_task *task)
{
	char name[ST_NAME_MAX + 1];
	unsigned int offset, size;
	struct nvmem_device *nvmem;
	struct device *nvmem_dev = NULL;
	struct st_nvmem_match match = { .name = name, .dev = &nvmem_dev };
	struct st_region *r;
	size_t dev_size;

	if (st_region_get(name, sizeof(name), &offset, &size))
		return -ENODEV;
	nvmem = nvmem_device_find(&match, st_nvmem_match);
	if (IS_ERR(nvmem)) {
		dev_err(&task->dev, "nvmem device %s not found: %ld\n", name,
			PTR_ERR(nvmem));
		return PTR_ERR(nvmem);
	}
	/* nvmem_device_read/write() do not check bounds: we must. */
	dev_size = st_nvmem_dev_size(nvmem, nvmem_dev);
	if (dev_size && (offset >= dev_size || size > dev_size - offset)) {
		dev_err(&task->dev, "nvmem region %s:%u:%u ends beyond the device's %zu bytes\n",
			name, offset, size, dev_size);
		nvmem_device_put(nvmem);
		return -EINVAL;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		nvmem_device_put(nvmem);
		return -ENOMEM;
	}
	r->task = task;
	r->nvmem = nvmem;
	/* Held by the reference nvmem_device_find() took. */
	r->provider = nvmem_dev ? nvmem_dev->parent : NULL;
	r->offset = offset;
	r->slots = size / ST_RECORD_SIZE;
	task->store_priv = r;
	mutex_lock(&st_region_lock);
	list_add(&r->node, &st_region_users);
	mutex_unlock(&st_region_lock);
	return 0;
}

static void st_region_detach(struct scheduled_task *task)
{
	struct st_region *r = task->store_priv;

	mutex_lock(&st_region_lock);
	list_del(&r->node);
	mutex_unlock(&st_region_lock);
	nvmem_device_put(r->nvmem);
	kfree(r);
	task->store_priv = NULL;
}

/* One slot's bytes, whole or an error: a short transfer is -EIO. */
static int st_nvmem_xfer(struct nvmem_device *nvmem, unsigned int offset,
			 u8 *area, bool write)
{
	int ret = write ? nvmem_device_write(nvmem, offset, ST_RECORD_SIZE, area) :
			  nvmem_device_read(nvmem, offset, ST_RECORD_SIZE, area);

	if (ret < 0)
		return ret;
	return ret == ST_RECORD_SIZE ? 0 : -EIO;
}

/*
 * Find @task's slot; region lock held.  Every slot is read: the task's
 * record is wherever it is (a region that grew or moved, a record written
 * past a slot that was blank then).  Without a record, the task gets the
 * first blank slot from key_hash % slots on, unless a slot is corrupt:
 * that may be this task's record, damaged, so a read (@for_write false)
 * fails with -EBADMSG, and only a write (an administrator setting
 * times_run) goes ahead, to a blank slot.  A corrupt slot is never taken.
 * -ENOSPC: no record of the task and no blank slot.
 */
static int st_region_find(struct scheduled_task *task, struct st_slot *s,
			  bool for_write)
{
	struct st_region *r = task->store_priv;
	unsigned int i, offset, corrupt = 0, corrupt_at = 0;
	u8 area[ST_RECORD_SIZE];
	struct st_record rec;
	bool blank = false;
	int ret;

	lockdep_assert_held(&st_region_lock);
	for (i = 0; i < r->slots; i++) {
		offset = r->offset +
			 (task->key_hash + i) % r->slots * ST_RECORD_SIZE;
		ret = st_nvmem_xfer(r->nvmem, offset, area, false);
		if (ret)
			return ret;
		st_store_decode(task, area, &rec);
		if (rec.state == ST_RECORD_CORRUPT && !corrupt++)
			corrupt_at = offset;
		if (rec.state == ST_RECORD_OURS ||
		    (rec.state == ST_RECORD_ABSENT && !blank)) {
			s->offset = offset;
			memcpy(s->area, area, sizeof(area));
			s->rec = rec;
			blank = rec.state == ST_RECORD_ABSENT;
			if (!blank)
				return 0;
		}
	}
	if (corrupt && !for_write) {
		dev_err(&task->dev, "nvmem region: no record of this task, and %u corrupt slot(s) (first at offset %u) that may be it: clear them or write times_run\n",
			corrupt, corrupt_at);
		return -EBADMSG;
	}
	if (blank)
		return 0;
	dev_err(&task->dev, "nvmem region: no record of this task and no blank slot among %u: free one through /sys/class/scheduled_task/nvmem_clear_slot\n",
		r->slots);
	return -ENOSPC;
}

struct st_region_save {
	struct scheduled_task *task;
	unsigned int offset;
};

static int st_region_save(void *ctx, const u8 *area, unsigned int off,
			  unsigned int len)
{
	struct st_region_save *rs = ctx;
	struct st_region *r = rs->task->store_priv;
	int ret;

	ret = nvmem_device_write(r->nvmem, rs->offset + off, len,
				 (void *)(area + off));
	if (ret < 0)
		return ret;
	return ret == len ? 0 : -EIO;
}

static const struct st_area_io st_region_io = {
	.save = st_region_save,
};

static int st_region_read(struct scheduled_task *task, struct st_record *rec)
{
	struct st_slot *s;
	int err;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&st_region_lock);
	err = st_region_find(task, s, false);
	mutex_unlock(&st_region_lock);
	if (!err)
		*rec = s->rec;
	kfree(s);
	return err;
}

static int st_region_write(struct scheduled_task *task, u32 times_run)
{
	struct st_region_save rs = { .task = task };
	struct st_slot *s;
	int err;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&st_region_lock);
	err = st_region_find(task, s, true);
	if (!err) {
		rs.offset = s->offset;
		err = st_store_commit(task, &st_region_io, &rs, s->area,
				      &s->rec, times_run);
	}
	mutex_unlock(&st_region_lock);
	kfree(s);
	return err;
}

static struct device *st_region_supplier(struct scheduled_task *task)
{
	struct st_region *r = task->store_priv;

	return r->provider;
}

const struct st_store_ops st_region_ops = {
	.name = "nvmem",
	.unavailable = "no region: nvmem= is not set",
	.attach = st_region_attach,
	.detach = st_region_detach,
	.read = st_region_read,
	.write = st_region_write,
	.supplier = st_region_supplier,
};

/* Whether the record in @area is a live task's; region lock held. */
static struct scheduled_task *st_region_owner(struct nvmem_device *nvmem,
					      const u8 *area)
{
	struct st_region *r;
	struct st_record rec;

	lockdep_assert_held(&st_region_lock);
	list_for_each_entry(r, &st_region_users, node) {
		if (r->nvmem != nvmem)
			continue;
		st_store_decode(r->task, area, &rec);
		if (rec.state == ST_RECORD_OURS)
			return r->task;
	}
	return NULL;
}

/**
 * st_region_clear_slot() - blank one slot of the nvmem= region
 * @offset: the slot's first byte on the NVMEM device, as the region's
 *	messages give it.
 *
 * The administrator's way to free a slot: one that is corrupt, or that
 * holds the record of a task that is gone for good.  A slot holding the
 * record of a task that exists now is refused: clearing it would make
 * that task run again (its times_run is the way to do that).  A task
 * whose record was in the slot, if it comes back, runs again.
 *
 * Context: process context; may sleep.
 * Return: 0 once the slot reads blank; -ENODEV when nvmem= is not set,
 * -EINVAL when @offset is not the start of a slot of the region, -EBUSY
 * when the slot is a live task's, or the NVMEM device's error.
 */
int st_region_clear_slot(unsigned int offset)
{
	u8 area[ST_RECORD_SIZE], blank[ST_RECORD_SIZE] = { };
	char name[ST_NAME_MAX + 1];
	struct scheduled_task *owner;
	struct nvmem_device *nvmem;
	unsigned int start, size;
	int ret;

	if (st_region_get(name, sizeof(name), &start, &size))
		return -ENODEV;
	if (offset < start || (offset - start) % ST_RECORD_SIZE ||
	    (offset - start) / ST_RECORD_SIZE >= size / ST_RECORD_SIZE)
		return -EINVAL;
	nvmem = nvmem_device_find(name, device_match_name);
	if (IS_ERR(nvmem))
		return PTR_ERR(nvmem);
	mutex_lock(&st_region_lock);
	ret = st_nvmem_xfer(nvmem, offset, area, false);
	owner = ret ? NULL : st_region_owner(nvmem, area);
	if (owner) {
		pr_err("scheduled_task: nvmem region %s: slot at offset %u holds the record of %s: not cleared\n",
		       name, offset, dev_name(&owner->dev));
		ret = -EBUSY;
	}
	if (!ret)
		ret = st_nvmem_xfer(nvmem, offset, blank, true);
	if (!ret)
		ret = st_nvmem_xfer(nvmem, offset, area, false);
	if (!ret && memcmp(area, blank, sizeof(area)))
		ret = -EIO;
	mutex_unlock(&st_region_lock);
	nvmem_device_put(nvmem);
	if (!ret)
		pr_notice("scheduled_task: nvmem region %s: slot at offset %u cleared\n",
			  name, offset);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(st_region_clear_slot);
