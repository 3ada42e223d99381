// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task persistence: picks a backend for each PERSISTENT task and
 * routes every read and write of its run count through it.  The task code
 * only sees st_store_read() and st_store_write(); the backends only see
 * their ops table.
 *
 * Backends, in the order store=auto tries them:
 *   nvmem-cell  an NVMEM cell "scheduled-task-<task>" of the client device
 *               (scheduled_task_store_nvmem.c)
 *   nvmem       a slot in the region named by nvmem=<device>:<offset>:<size>
 *               (scheduled_task_store_nvmem.c)
 *   efivar      one EFI variable per task (scheduled_task_store_efivar.c)
 * and "ram", only when asked for (scheduled_task_store_ram.c).
 */

#include <linux/completion.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "scheduled_task_internal.h"
#include "scheduled_task_trace.h"

enum st_store_choice {
	ST_STORE_AUTO,
	ST_STORE_CELL,
	ST_STORE_REGION,
	ST_STORE_EFIVAR,
	ST_STORE_RAM,
};

static const char * const st_store_choices[] = {
	[ST_STORE_AUTO] = "auto",
	[ST_STORE_CELL] = "nvmem-cell",
	[ST_STORE_REGION] = "nvmem",
	[ST_STORE_EFIVAR] = "efivar",
	[ST_STORE_RAM] = "ram",
};

/* The module parameters, parsed; read at each create. */
static DEFINE_MUTEX(st_cfg_lock);
static enum st_store_choice st_choice = ST_STORE_AUTO;
static struct {
	char name[ST_NAME_MAX + 1];	/* "" when no region is set */
	unsigned int offset;
	unsigned int size;
} st_region_cfg;

/* Set by the KUnit suites to put a faulty backend under every new task. */
static const struct st_store_ops *st_store_forced;

static int st_parse_choice(const char *val)
{
	int i = sysfs_match_string(st_store_choices, val);

	if (i < 0)
		pr_err("scheduled_task: store=%s: expected auto, nvmem-cell, nvmem, efivar or ram\n",
		       val);
	return i < 0 ? -EINVAL : i;
}

/* "<device>:<offset>:<size>", or "" for none. */
static int st_parse_region(const char *val, char *name, unsigned int *offset,
			   unsigned int *size)
{
	char buf[ST_NAME_MAX + 24], *dev, *off, *sz;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		goto bad;
	dev = strim(buf);
	if (!*dev) {
		*name = '\0';
		return 0;
	}
	sz = strrchr(dev, ':');
	if (!sz)
		goto bad;
	*sz++ = '\0';
	off = strrchr(dev, ':');
	if (!off || off == dev)
		goto bad;
	*off++ = '\0';
	if (strlen(dev) > ST_NAME_MAX || kstrtouint(off, 0, offset) ||
	    kstrtouint(sz, 0, size) || *size < ST_RECORD_SIZE ||
	    *offset > UINT_MAX - *size)
		goto bad;
	strscpy(name, dev, ST_NAME_MAX + 1);
	return 0;
bad:
	pr_err("scheduled_task: nvmem=%s: expected <device>:<offset>:<size> with size >= %d\n",
	       val, ST_RECORD_SIZE);
	return -EINVAL;
}

/**
 * st_store_configure() - set the store parameters
 * @choice: a store= value, or NULL to keep the current one.
 * @region: an nvmem= value, or NULL to keep the current one.
 *
 * What the module parameters do; tasks created afterwards use the new
 * values.  Nothing changes unless both are valid.
 *
 * Return: 0 or -EINVAL.
 */
int st_store_configure(const char *choice, const char *region)
{
	char name[ST_NAME_MAX + 1];
	unsigned int offset = 0, size = 0;
	int c = 0, err;

	if (choice) {
		c = st_parse_choice(choice);
		if (c < 0)
			return c;
	}
	if (region) {
		err = st_parse_region(region, name, &offset, &size);
		if (err)
			return err;
	}
	mutex_lock(&st_cfg_lock);
	if (choice)
		st_choice = c;
	if (region) {
		strscpy(st_region_cfg.name, name, sizeof(st_region_cfg.name));
		st_region_cfg.offset = offset;
		st_region_cfg.size = size;
	}
	mutex_unlock(&st_cfg_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(st_store_configure);

/**
 * st_region_get() - the region set by nvmem=
 * @name: receives the NVMEM device name.
 * @len: size of @name.
 * @offset: receives the region's first byte.
 * @size: receives the region's length.
 *
 * Return: 0, or -ENOENT when no region is set.
 */
int st_region_get(char *name, size_t len, unsigned int *offset,
		  unsigned int *size)
{
	int err = -ENOENT;

	mutex_lock(&st_cfg_lock);
	if (st_region_cfg.name[0]) {
		strscpy(name, st_region_cfg.name, len);
		*offset = st_region_cfg.offset;
		*size = st_region_cfg.size;
		err = 0;
	}
	mutex_unlock(&st_cfg_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(st_region_get);

static int st_param_store_set(const char *val, const struct kernel_param *kp)
{
	return st_store_configure(val, NULL);
}

static int st_param_store_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&st_cfg_lock);
	n = sysfs_emit(buf, "%s\n", st_store_choices[st_choice]);
	mutex_unlock(&st_cfg_lock);
	return n;
}

static const struct kernel_param_ops st_param_store_ops = {
	.set = st_param_store_set,
	.get = st_param_store_get,
};
module_param_cb(store, &st_param_store_ops, NULL, 0644);
MODULE_PARM_DESC(store,
		 "Store for PERSISTENT tasks created from now on: auto (default: nvmem-cell, then nvmem, then efivar), nvmem-cell, nvmem, efivar or ram");

static int st_param_nvmem_set(const char *val, const struct kernel_param *kp)
{
	return st_store_configure(NULL, val);
}

static int st_param_nvmem_get(char *buf, const struct kernel_param *kp)
{
	int n;

	mutex_lock(&st_cfg_lock);
	if (st_region_cfg.name[0])
		n = sysfs_emit(buf, "%s:%u:%u\n", st_region_cfg.name,
			       st_region_cfg.offset, st_region_cfg.size);
	else
		n = sysfs_emit(buf, "\n");
	mutex_unlock(&st_cfg_lock);
	return n;
}

static const struct kernel_param_ops st_param_nvmem_ops = {
	.set = st_param_nvmem_set,
	.get = st_param_nvmem_get,
};
module_param_cb(nvmem, &st_param_nvmem_ops, NULL, 0644);
MODULE_PARM_DESC(nvmem,
		 "NVMEM region for the nvmem store: <device>:<offset>:<size>, for example cmos_nvram0:82:32 (32 bytes per task)");

static enum st_store_choice st_choice_get(void)
{
	enum st_store_choice c;

	mutex_lock(&st_cfg_lock);
	c = st_choice;
	mutex_unlock(&st_cfg_lock);
	return c;
}

/*
 * Try one backend.  Return 0 when attached, -ENODEV when it does not apply
 * to this task (the reason goes to @why), another error when it applies
 * but failed.
 */
static int st_store_try(struct scheduled_task *task,
			const struct st_store_ops *ops, char *why, size_t len)
{
	int err;

	mutex_lock(&task->store_lock);
	task->store = ops;
	err = ops->attach ? ops->attach(task) : 0;
	if (err)
		task->store = NULL;
	mutex_unlock(&task->store_lock);
	trace_scheduled_task_store(task, ops->name, "attach", err);
	if (err == -ENODEV)
		scnprintf(why + strlen(why), len - strlen(why), "%s%s (%s)",
			  *why ? ", " : "", ops->name, ops->unavailable);
	else if (err == -EPROBE_DEFER)
		dev_dbg(&task->dev, "store %s: not ready, deferring\n",
			ops->name);
	else if (err)
		dev_err(&task->dev, "store %s: attach failed: %d\n",
			ops->name, err);
	return err;
}

static int st_store_lookup(struct scheduled_task *task, struct st_record *rec);

/*
 * Whether @ops holds a record of @task: 1 yes, 0 no, -ENODEV when it does
 * not apply, another error when it failed to attach.  @rec gets what the
 * store holds, and @read whether it could be read (unreadable counts as
 * no record).  Leaves @task with no store.
 */
static int st_store_holds(struct scheduled_task *task,
			  const struct st_store_ops *ops, struct st_record *rec,
			  bool *read, char *why, size_t len)
{
	int err = st_store_try(task, ops, why, len);

	if (err)
		return err;
	mutex_lock(&task->store_lock);
	err = st_store_lookup(task, rec);
	st_store_detach(task);
	task->store = NULL;
	mutex_unlock(&task->store_lock);
	*read = !err;
	return !err && rec->state == ST_RECORD_OURS;
}

static const struct st_store_ops * const st_auto[] = {
	&st_cell_ops, &st_region_ops, &st_efivar_ops,
};

/*
 * store=auto: the first store, in st_auto[] order, that holds the task's
 * record, else the first that applies.  A record stays where it was
 * written when another store appears later (a cell added, nvmem= set on
 * an EFI machine): moving would find no record and run the task again.
 * Return: as st_store_attach(); the record of the store chosen was read
 * while choosing it.
 */
static int st_store_attach_auto(struct scheduled_task *task,
				struct st_record *found)
{
	int i, first = -1, err;
	struct st_record rec;
	bool read, first_read = false;
	char why[192] = "";

	for (i = 0; i < ARRAY_SIZE(st_auto); i++) {
		err = st_store_holds(task, st_auto[i], &rec, &read, why,
				     sizeof(why));
		if (err == -ENODEV)
			continue;
		if (err < 0)
			return err;
		if (err == 1 || first < 0) {
			first = i;
			first_read = read;
			*found = rec;
		}
		if (err == 1)
			break;
	}
	if (first < 0) {
		dev_err(&task->dev, "no persistent store (tried: %s); see the store= and nvmem= parameters\n",
			why);
		return -ENODEV;
	}
	err = st_store_try(task, st_auto[first], why, sizeof(why));
	return err ?: first_read;
}

/* store=<forced>: forced it is, but say so when a record is elsewhere. */
static int st_store_attach_forced(struct scheduled_task *task,
				  enum st_store_choice c)
{
	static const struct st_store_ops * const st_forced[] = {
		[ST_STORE_CELL] = &st_cell_ops,
		[ST_STORE_REGION] = &st_region_ops,
		[ST_STORE_EFIVAR] = &st_efivar_ops,
		[ST_STORE_RAM] = &st_ram_ops,
	};
	struct st_record rec;
	char why[192] = "";
	bool read;
	int i, err;

	for (i = 0; i < ARRAY_SIZE(st_auto); i++) {
		if (st_auto[i] == st_forced[c])
			continue;
		if (st_store_holds(task, st_auto[i], &rec, &read, why,
				   sizeof(why)) == 1)
			dev_warn(&task->dev, "store=%s hides this task's record in store %s\n",
				 st_store_choices[c], st_auto[i]->name);
	}
	why[0] = '\0';
	err = st_store_try(task, st_forced[c], why, sizeof(why));
	if (err == -ENODEV)
		dev_err(&task->dev, "no persistent store: store=%s is not available here: %s\n",
			st_store_choices[c], why);
	return err;
}

/*
 * The driver behind the store must not go while the client uses it: an
 * NVMEM provider's remove frees what its read and write callbacks use,
 * and the reference the store holds does not stop that.  A managed device
 * link makes the driver core unbind the client before the provider; it
 * goes when the client unbinds (the driver core counts the links the
 * client's tasks add between the same two devices).
 */
static void st_store_link(struct scheduled_task *task)
{
	struct device *supplier;

	if (!task->store->supplier)
		return;
	supplier = task->store->supplier(task);
	/*
	 * A client that provides its own store needs no link, nor does a
	 * provider without a driver: nothing unbinds it (and a managed link
	 * to an unbound supplier would hold the client back).
	 */
	if (!supplier || supplier == task->client || !READ_ONCE(supplier->driver))
		return;
	if (!device_link_add(task->client, supplier, DL_FLAG_AUTOREMOVE_CONSUMER))
		dev_warn(&task->dev, "store %s: no device link to %s, which must not be unbound before %s\n",
			 task->store->name, dev_name(supplier),
			 dev_name(task->client));
}

/**
 * st_store_attach() - choose and prepare the store of a PERSISTENT task
 * @task: the task, with its key set.
 * @found: where the record of the store chosen goes, when choosing it
 *	read it (st_store_read() then need not read it again).
 *
 * Context: process context; may sleep.
 * Return: 1 when @found holds the record, 0 when it was not read, or
 * -ENODEV (with a dev_err naming what was tried) when no store fits, or
 * the backend's attach error.
 */
int st_store_attach(struct scheduled_task *task, struct st_record *found)
{
	enum st_store_choice c = st_choice_get();
	char why[8] = "";
	int err;

	if (st_store_forced)
		err = st_store_try(task, st_store_forced, why, sizeof(why));
	else if (c == ST_STORE_AUTO)
		err = st_store_attach_auto(task, found);
	else
		err = st_store_attach_forced(task, c);
	if (err >= 0)
		st_store_link(task);
	return err;
}

/* Context: process context, @task->store_lock held. */
void st_store_detach(struct scheduled_task *task)
{
	lockdep_assert_held(&task->store_lock);
	if (task->store && task->store->detach)
		task->store->detach(task);
}

/*
 * What a decoded record gives a task: its count (0 when absent), or
 * -EBADMSG for a record that is corrupt or another task's.
 */
static int st_store_result(struct scheduled_task *task,
			   const struct st_record *rec, u32 *times_run)
{
	switch (rec->state) {
	case ST_RECORD_ABSENT:
		*times_run = 0;
		return 0;
	case ST_RECORD_OURS:
		*times_run = rec->times_run;
		return 0;
	case ST_RECORD_FOREIGN:
		dev_err(&task->dev, "store %s: record belongs to another task\n",
			st_store_name(task));
		return -EBADMSG;
	default:
		dev_err(&task->dev, "store %s: record corrupt in both copies\n",
			st_store_name(task));
		return -EBADMSG;
	}
}

/**
 * st_store_commit() - write a new run count into a task's record
 * @task: the task; a write bumps its logical write counter.
 * @io: the backend's @save, and whether it replaces the record whole.
 * @ctx: passed to @io->save.
 * @area: the record as read and decoded into @rec; updated in place.
 * @rec: the decoded state of @area.
 * @times_run: the new count.
 *
 * One logical write is the codec's saves, in its order (st_record_update()),
 * or for a backend that replaces the record atomically, one save of the
 * new record; none when the record is the task's and holds @times_run
 * already.  @io->save may be handed bytes other than @area's (a spoiled
 * crc).
 *
 * Return: 0 or @io->save's error.
 */
int st_store_commit(struct scheduled_task *task, const struct st_area_io *io,
		    void *ctx, u8 *area, const struct st_record *rec,
		    u32 times_run)
{
	struct st_record_plan plan;
	int i, err = 0;

	st_record_update(area, rec, task->key_hash, times_run, &plan);
	if (!plan.saves)
		return 0;
	task->store_writes++;
	if (io->whole)
		return io->save(ctx, area, 0, ST_RECORD_SIZE);
	for (i = 0; i < plan.saves && !err; i++)
		err = io->save(ctx, plan.save[i].from, plan.save[i].off,
			       plan.save[i].len);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(st_store_commit);

/**
 * st_store_decode() - decode a record area for a task
 * @task: the reading task.
 * @area: %ST_RECORD_SIZE bytes as read from the store.
 * @rec: the result.
 *
 * The task's record under its key or, for a task that had another key
 * before (@task->former_key), under that one: the next write then puts
 * it under the task's key (st_record_update()).
 */
void st_store_decode(struct scheduled_task *task, const u8 *area,
		     struct st_record *rec)
{
	struct st_record former;

	st_record_decode(area, task->key_hash, rec);
	if (rec->state == ST_RECORD_OURS || !task->former_key)
		return;
	st_record_decode(area, task->former_hash, &former);
	if (former.state == ST_RECORD_OURS)
		*rec = former;
}
EXPORT_SYMBOL_IF_KUNIT(st_store_decode);

/* Load and decode a single-record backend's area. */
static int st_area_load(struct scheduled_task *task, const struct st_area_io *io,
			u8 *area, struct st_record *rec)
{
	int err = io->load(task, area);

	if (!err)
		st_store_decode(task, area, rec);
	return err;
}

static int st_area_read(struct scheduled_task *task, const struct st_area_io *io,
			struct st_record *rec)
{
	u8 area[ST_RECORD_SIZE];

	return st_area_load(task, io, area, rec);
}

/*
 * Rewrites a corrupt record (an administrator's repair) but refuses to
 * overwrite another task's.
 */
static int st_area_write(struct scheduled_task *task, const struct st_area_io *io,
			 u32 times_run)
{
	u8 area[ST_RECORD_SIZE];
	struct st_record rec;
	int err;

	err = st_area_load(task, io, area, &rec);
	if (err)
		return err;
	if (rec.state == ST_RECORD_FOREIGN)
		return st_store_result(task, &rec, &times_run);
	return st_store_commit(task, io, task, area, &rec, times_run);
}

/*
 * Store I/O runs on a kernel worker, never in the caller's thread.  The
 * EFI variable calls sleep interruptibly (efivar_lock(),
 * efivar_set_variable()): in a thread with a signal pending, such as a
 * probe run by a modprobe that was killed, they fail with -EINTR, and a
 * completion that is not recorded means a second run at the next boot.
 * Kernel workers take no signals; the caller waits uninterruptibly.
 */
struct st_store_io {
	struct work_struct work;
	struct completion done;
	struct scheduled_task *task;
	bool write;
	u32 value;		/* the count to write */
	struct st_record rec;	/* the record read */
	int err;
	unsigned int fail_nth;	/* see st_fail_nth_swap() */
};

/*
 * Allocation-failure injection counts allocations per thread (fail_nth):
 * the I/O takes the caller's count to the worker and brings back what is
 * left, so a test that fails the n-th allocation of a call still reaches
 * the store's allocations.
 */
static void st_fail_nth_swap(unsigned int *held)
{
#ifdef CONFIG_FAULT_INJECTION
	swap(current->fail_nth, *held);
#endif
}

static int st_store_do_read(struct scheduled_task *task, struct st_record *rec)
{
	const struct st_store_ops *ops = task->store;

	return ops->area ? st_area_read(task, ops->area, rec) :
			   ops->read(task, rec);
}

/*
 * A write is read back: a store that takes a write and keeps something
 * else (a write-protected EEPROM that acks, a firmware that drops it)
 * must fail here, while the task can still refuse to run, and not at the
 * next boot.  A read-back that cannot read (out of memory) proves
 * nothing either way: the write's own success stands.
 */
static int st_store_do_write(struct scheduled_task *task, u32 times_run)
{
	const struct st_store_ops *ops = task->store;
	struct st_record rec;
	int err;

	err = ops->area ? st_area_write(task, ops->area, times_run) :
			  ops->write(task, times_run);
	if (err)
		return err;
	err = st_store_do_read(task, &rec);
	if (err) {
		dev_warn_ratelimited(&task->dev, "store %s: cannot read back times_run %u: %d\n",
				     ops->name, times_run, err);
		return 0;
	}
	if (rec.state != ST_RECORD_OURS || rec.times_run != times_run) {
		dev_err_ratelimited(&task->dev, "store %s: wrote times_run %u, read back %s %u\n",
				    ops->name, times_run,
				    rec.state == ST_RECORD_OURS ? "times_run" : "no record,",
				    rec.times_run);
		return -EIO;
	}
	return 0;
}

static void st_store_io_fn(struct work_struct *work)
{
	struct st_store_io *io = container_of(work, struct st_store_io, work);

	st_fail_nth_swap(&io->fail_nth);
	if (io->write)
		io->err = st_store_do_write(io->task, io->value);
	else
		io->err = st_store_do_read(io->task, &io->rec);
	st_fail_nth_swap(&io->fail_nth);
	complete(&io->done);
}

static int st_store_io(struct scheduled_task *task, bool write, u32 value,
		       struct st_record *rec)
{
	struct st_store_io io = {
		.task = task,
		.write = write,
		.value = value,
	};

	lockdep_assert_held(&task->store_lock);
	INIT_WORK_ONSTACK(&io.work, st_store_io_fn);
	init_completion(&io.done);
	st_fail_nth_swap(&io.fail_nth);
	/* Not the module's workqueue: it is frozen during hibernation restore. */
	queue_work(system_unbound_wq, &io.work);
	wait_for_completion(&io.done);
	st_fail_nth_swap(&io.fail_nth);
	destroy_work_on_stack(&io.work);
	if (rec)
		*rec = io.rec;
	trace_scheduled_task_store(task, task->store->name,
				   write ? "write" : "read", io.err);
	return io.err;
}

/* The task's record as its store holds it; @task->store_lock held. */
static int st_store_lookup(struct scheduled_task *task, struct st_record *rec)
{
	return st_store_io(task, false, 0, rec);
}

/*
 * A record found under the task's former key is written again under its
 * key, so that the former key (a dev_name() that may change) is not
 * needed again.  If that fails, the record still counts, and the move is
 * tried again at the next read.
 */
static void st_store_move(struct scheduled_task *task, u32 times_run)
{
	int err = st_store_io(task, true, times_run, NULL);

	dev_info(&task->dev, "store %s: record of key %s taken over: %s (%d)\n",
		 st_store_name(task), task->former_key,
		 err ? "failed, kept" : "done", err);
}

/*
 * @found: the task's record as st_store_attach() just read it, or NULL to
 * read it now.
 * Context: process context, @task->store_lock held; may sleep.
 * Return: 0 with the count (0 for no record), or the read's error, or
 * -EBADMSG for a record that is corrupt or another task's.
 */
int st_store_read(struct scheduled_task *task, const struct st_record *found,
		  u32 *times_run)
{
	struct st_record rec;
	int err = 0;

	if (found)
		rec = *found;
	else
		err = st_store_lookup(task, &rec);
	if (err)
		return err;
	if (rec.state == ST_RECORD_OURS && task->former_key &&
	    rec.key_hash == task->former_hash)
		st_store_move(task, rec.times_run);
	return st_store_result(task, &rec, times_run);
}

/*
 * Context: process context, @task->store_lock held; may sleep.
 * Return: 0 once @times_run is durable and read back, or an error.
 */
int st_store_write(struct scheduled_task *task, u32 times_run)
{
	return st_store_io(task, true, times_run, NULL);
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
	st_ram_exit();
}
