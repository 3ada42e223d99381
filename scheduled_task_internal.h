/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scheduled_task internals shared by the core, sysfs, the stores and the
 * KUnit suites.  Not part of the client API.
 */
#ifndef _SCHEDULED_TASK_INTERNAL_H
#define _SCHEDULED_TASK_INTERNAL_H

#include <linux/device.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "scheduled_task.h"
#include "scheduled_task_record.h"

#define ST_NAME_MAX	32
/* "<driver>/<device>/<task>", the key of a task's persistent record. */
#define ST_KEY_MAX	128

/*
 * Where a task is in its life, as the sysfs "state" attribute says it.
 * The transitions are listed at the top of scheduled_task.c; only
 * st_set_state_locked() changes the state.  The last three are "settled":
 * the task has answered its once question and scheduled runs no longer
 * pass the gate.
 */
enum st_state {
	ST_IDLE,		/* nothing scheduled or requested */
	ST_PENDING,		/* a run is scheduled, requested or queued */
	ST_RETRY_WAIT,		/* a *_TRY_AGAIN retry is armed */
	ST_RUNNING,		/* the callback is executing */
	ST_CANCELLED,		/* cancelled (or being destroyed) */
	ST_RECORD_PENDING,	/* succeeded; its record is being written */
	ST_COMPLETED,		/* succeeded and recorded */
	ST_STORE_ERROR,		/* no usable record: runs would not count */
};

/* What may start work: a cancel closes the gate until restart. */
enum st_gate {
	ST_GATE_OPEN,
	ST_GATE_CANCELLED,	/* scheduled_task_cancel() */
	ST_GATE_DYING,		/* scheduled_task_destroy(): for good */
};

/* What the delayed work (DMF's timer) is armed for. */
enum st_armed {
	ST_ARMED_NONE,
	ST_ARMED_RUN,		/* a scheduled run: probe, resume, restart */
	ST_ARMED_RETRY,		/* a *_TRY_AGAIN retry */
};

struct st_store_ops;

/**
 * struct scheduled_task - one scheduled-once task
 * @dev: the class device /sys/class/scheduled_task/<client>:<name>, a
 *	child of @client; its release frees the task.
 * @client: the client device given to create.
 * @cfg: the client's configuration; @cfg.name points to @name.
 * @name: the task name.
 * @key: the task's persistent record key, "<driver>/<device>/<task>",
 *	where <device> is the firmware node's path when the client has a
 *	stable one, else its dev_name() (see st_key()).
 * @key_hash: st_record_key_hash() of @key, stored in its records.
 * @former_key: the key earlier versions gave a task of a client with a
 *	firmware node, "<driver>/<dev_name>/<task>", whose record is taken
 *	over; NULL when there is none.
 * @former_hash: st_record_key_hash() of @former_key.
 * @name_node: in the live tasks by class device name.
 * @key_node: in the live persistent tasks by @key_hash.
 * @wq: workqueue for deferred runs.
 * @run_lock: held across every callback invocation, so two never overlap.
 * @run_key: lockdep class of @run_lock, per task, so a callback may run
 *	another task's execute_now() without a false recursion report.
 * @dwork_key: lockdep class of @dwork, per task for the same reason: a
 *	callback may cancel or destroy another task.
 * @ex_key: likewise for @ex_work.
 * @legacy_key: likewise for @legacy_work.
 * @record_key: likewise for @record_work.
 * @runner: the thread inside the callback, NULL when none; lets calls made
 *	from the callback itself avoid waiting for themselves.
 * @store_lock: serializes times_run read-modify-write with the store.
 * @store: persistence backend, NULL for %SCHEDULED_TASK_NOT_PERSISTENT.
 * @store_priv: backend data.
 * @store_writes: logical record writes since create (see st_store_commit()).
 * @store_read_err: why the store could not be read at create; 0 once a
 *	write has succeeded.
 * @times_run: the run count: in memory for a %SCHEDULED_TASK_NOT_PERSISTENT
 *	task, else as the store last read or wrote it, so that reading it
 *	never reaches the store.  Under @store_lock, like the two above.
 * @lock: protects the fields below; taken from atomic context.
 * @state: where the task is in its life (enum st_state).
 * @gate: whether work may start (enum st_gate).
 * @announce: @state has become completed or store-error and user space
 *	has not been told yet (st_announce()).
 * @suspended: the class device is suspended: deferred work waits, its
 *	requests kept, until resume queues it again.
 * @record_tries: writes of a success's record so far (record-pending).
 * @armed: what @dwork is armed for; stays set while a fired @dwork waits
 *	for resume.
 * @dwork_state: previous_state for the next @dwork run.
 * @ex_requests: execute_now_deferred_ex() requests not yet run.
 * @legacy_calls: queued execute_now_deferred() calls (struct st_call).
 * @last_result: result of the most recent invocation.
 * @runs: callback invocations since create, all paths.
 * @dwork: scheduled runs and retries (DMF's timer).
 * @ex_work: drains @ex_requests.
 * @legacy_work: drains @legacy_calls.
 * @record_work: retries the record of a success (st_record_retry()).
 */
struct scheduled_task {
	struct device dev;
	struct device *client;
	struct scheduled_task_config cfg;
	char name[ST_NAME_MAX + 1];
	char key[ST_KEY_MAX];
	u32 key_hash;
	const char *former_key;
	u32 former_hash;
	struct hlist_node name_node, key_node;
	struct workqueue_struct *wq;

	struct mutex run_lock;		/* one invocation at a time */
	struct lock_class_key run_key;
	struct lock_class_key dwork_key, ex_key, legacy_key, record_key;
	struct task_struct *runner;

	struct mutex store_lock;	/* times_run read-modify-write */
	const struct st_store_ops *store;
	void *store_priv;
	u64 store_writes;
	int store_read_err;
	u32 times_run;

	spinlock_t lock;		/* the fields below; atomic-safe */
	enum st_state state;
	enum st_gate gate;
	bool announce;
	bool suspended;
	unsigned int record_tries;
	enum st_armed armed;
	enum scheduled_task_power_state dwork_state;
	unsigned int ex_requests;
	struct list_head legacy_calls;
	enum scheduled_task_result last_result;
	u64 runs;

	struct delayed_work dwork;
	struct work_struct ex_work;
	struct work_struct legacy_work;
	struct delayed_work record_work;
};

static inline struct scheduled_task *st_from_dev(struct device *dev)
{
	return container_of(dev, struct scheduled_task, dev);
}

/**
 * struct st_area_io - access to a backend's record bytes
 * @load: read the task's %ST_RECORD_SIZE bytes; an absent record reads as
 *	zeroes.  Optional for backends with their own @read.
 * @save: write @len bytes at @off of @area (the whole new area is given,
 *	for backends that can only write it whole); @ctx as given to
 *	st_store_commit().
 * @whole: @save replaces the whole record atomically (an EFI variable):
 *	a logical write is then one save of the new record, since the
 *	codec's copy-by-copy order buys nothing there.
 */
struct st_area_io {
	int (*load)(struct scheduled_task *task, u8 *area);
	int (*save)(void *ctx, const u8 *area, unsigned int off,
		    unsigned int len);
	bool whole;
};

/**
 * struct st_store_ops - a persistence backend
 * @name: what the sysfs ``store`` attribute shows.
 * @unavailable: why @attach may return -ENODEV, for the log.
 * @attach: prepare @task's record; may set @task->store_priv.  -ENODEV
 *	means the backend does not apply here (store=auto tries the next).
 *	Optional.
 * @detach: undo @attach.  Optional.
 * @read: find and decode the task's record (%ST_RECORD_ABSENT when it has
 *	none); the store layer decides what the record means.
 * @write: write the run count; on return the value is durable.
 * @area: instead of @read and @write, for a backend that keeps one
 *	record per task: the record format is then applied for it.
 * @supplier: the device whose driver serves the attached store, which
 *	must stay bound while the task uses it, or NULL.  Optional.
 *
 * All called in process context with @task->store_lock held.
 */
struct st_store_ops {
	const char *name;
	const char *unavailable;
	int (*attach)(struct scheduled_task *task);
	void (*detach)(struct scheduled_task *task);
	int (*read)(struct scheduled_task *task, struct st_record *rec);
	int (*write)(struct scheduled_task *task, u32 times_run);
	const struct st_area_io *area;
	struct device *(*supplier)(struct scheduled_task *task);
};

/* The backends (scheduled_task_store_*.c). */
extern const struct st_store_ops st_ram_ops;
extern const struct st_store_ops st_cell_ops;
extern const struct st_store_ops st_region_ops;
extern const struct st_store_ops st_efivar_ops;
int st_region_get(char *name, size_t len, unsigned int *offset,
		  unsigned int *size);
int st_region_clear_slot(unsigned int offset);
#if IS_ENABLED(CONFIG_KUNIT)
void st_efivar_name(u16 *name, size_t len, const char *key);
void st_efivar_legacy_name(u16 *name, size_t len, const char *key);
#endif
void st_ram_exit(void);

/* scheduled_task.c */
extern struct class st_class;
#if IS_ENABLED(CONFIG_KUNIT)
extern const struct dev_pm_ops st_pm_ops;
extern unsigned int st_record_retry_ms;
struct module *st_this_module(void);
#endif
const char *st_state_name(struct scheduled_task *task);
const char *st_result_name(enum scheduled_task_result result);
void st_flush(struct scheduled_task *task);

/* scheduled_task_store.c */
int st_store_attach(struct scheduled_task *task, struct st_record *found);
void st_store_detach(struct scheduled_task *task);
int st_store_read(struct scheduled_task *task, const struct st_record *found,
		  u32 *times_run);
int st_store_write(struct scheduled_task *task, u32 times_run);
const char *st_store_name(struct scheduled_task *task);
void st_store_exit(void);
void st_store_test_override(const struct st_store_ops *ops);
int st_store_configure(const char *choice, const char *region);
void st_store_decode(struct scheduled_task *task, const u8 *area,
		     struct st_record *rec);
int st_store_commit(struct scheduled_task *task, const struct st_area_io *io,
		    void *ctx, u8 *area, const struct st_record *rec,
		    u32 times_run);

/* scheduled_task_sysfs.c */
extern const struct attribute_group *st_groups[];
extern const struct attribute_group *st_class_groups[];

/*
 * Internals the KUnit suites reach are exported with the kernel's
 * EXPORT_SYMBOL_IF_KUNIT(): only in kernels built with KUnit, in the
 * EXPORTED_FOR_KUNIT_TESTING namespace.
 */
#include <kunit/visibility.h>

#endif /* _SCHEDULED_TASK_INTERNAL_H */
