// SPDX-License-Identifier: GPL-2.0
/*
 * Fixture of the scheduled_task KUnit suites: see st_kunit.h.
 */

#include <kunit/resource.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/property.h>

#include "st_kunit.h"

static enum scheduled_task_result st_rec_result(struct st_rec *rec, int call)
{
	if (call <= ST_MAX_SCRIPT && rec->script[call])
		return rec->script[call];
	return rec->then;
}

/* The callback every test task uses: records, optionally waits, returns. */
enum scheduled_task_result st_rec_cb(struct scheduled_task *task, void *ctx,
				     enum scheduled_task_power_state state)
{
	struct st_ctx *c = ctx;
	struct st_rec *rec = c->rec;
	int call;

	if (atomic_inc_return(&rec->inside) > 1)
		atomic_inc(&rec->overlaps);
	call = atomic_inc_return(&rec->calls);
	if (call <= ARRAY_SIZE(rec->states))
		rec->states[call - 1] = state;
	if (call <= ARRAY_SIZE(rec->tags))
		rec->tags[call - 1] = c->tag;
	if (c->tag < ST_TAGS)
		atomic_inc(&rec->per_tag[c->tag]);
	complete(&rec->entered);
	if (rec->hook)
		rec->hook(rec, task, call);
	if (rec->hold)
		wait_for_completion_timeout(rec->hold, ST_WAIT);
	atomic_dec(&rec->inside);
	wake_up_all(&rec->waitq);
	return st_rec_result(rec, call);
}

struct st_rec *st_rec_new(struct kunit *test)
{
	struct st_rec *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, rec);
	rec->test = test;
	rec->then = SCHEDULED_TASK_SUCCESS;
	rec->self.rec = rec;
	init_completion(&rec->entered);
	init_waitqueue_head(&rec->waitq);
	return rec;
}

static void st_rec_release(void *data)
{
	complete_all(data);
}

/*
 * Make the callback wait (bounded) until the test completes the returned
 * completion; a test that stops early releases it on its way out, so no
 * callback is left waiting on freed memory.
 */
struct completion *st_rec_hold(struct st_rec *rec)
{
	struct completion *hold;

	hold = kunit_kzalloc(rec->test, sizeof(*hold), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(rec->test, hold);
	init_completion(hold);
	KUNIT_ASSERT_EQ(rec->test, kunit_add_action_or_reset(rec->test,
							     st_rec_release, hold), 0);
	rec->hold = hold;
	return hold;
}

/* Wait (bounded) until the callback has been called @calls times. */
bool st_rec_wait(struct st_rec *rec, int calls)
{
	return wait_event_timeout(rec->waitq,
				  atomic_read(&rec->calls) >= calls &&
				  !atomic_read(&rec->inside), ST_WAIT) > 0;
}

struct scheduled_task_config st_cfg(const char *name, struct st_rec *rec,
				    enum scheduled_task_persistence persistence,
				    enum scheduled_task_mode mode,
				    enum scheduled_task_when when)
{
	return (struct scheduled_task_config) {
		.name = name,
		.callback = st_rec_cb,
		.context = &rec->self,
		.persistence = persistence,
		.mode = mode,
		.when = when,
	};
}

static int st_client_probe(struct platform_device *pdev)
{
	struct st_client *client = *(struct st_client **)dev_get_platdata(&pdev->dev);

	client->probes++;
	client->probe_err = client->probe ? client->probe(client, &pdev->dev) : 0;
	return client->probe_err;
}

static struct platform_driver st_client_driver = {
	.probe = st_client_probe,
	.driver = {
		.name = "st-kunit-client",
	},
};

static DEFINE_MUTEX(st_driver_lock);
static int st_driver_users;

/*
 * Built in, the suites run during boot, before user space has mounted
 * sysfs on /sys: the tests reach sysfs through a mount of their own,
 * wherever they run.  Release it with kern_unmount().
 */
struct vfsmount *st_sysfs_mount(void)
{
	struct file_system_type *type = get_fs_type("sysfs");

	if (!type)
		return ERR_PTR(-ENODEV);
	return vfs_kern_mount(type, SB_KERNMOUNT, "sysfs", NULL);
}

/**
 * st_sysfs_open() - open a sysfs file by its usual path
 * @path: "/sys/..."
 * @flags: as for filp_open()
 *
 * Return: the file (it keeps the mount it was opened on), or an ERR_PTR().
 */
struct file *st_sysfs_open(const char *path, int flags)
{
	struct vfsmount *mnt;
	struct file *file;

	if (strncmp(path, "/sys/", 5))
		return ERR_PTR(-EINVAL);
	mnt = st_sysfs_mount();
	if (IS_ERR(mnt))
		return ERR_CAST(mnt);
	file = file_open_root_mnt(mnt, path + 5, flags, 0);
	kern_unmount(mnt);
	return file;
}

/**
 * st_write_file() - one write(2) of @len bytes at the start of @file
 * @file: an open sysfs attribute or parameter.
 * @bytes: what to write; it may hold NUL bytes.
 * @len: how many.
 *
 * Return: what the attribute's store returned: bytes taken, or an error.
 */
ssize_t st_write_file(struct file *file, const char *bytes, size_t len)
{
	loff_t pos = 0;

	return kernel_write(file, bytes, len, &pos);
}

/**
 * st_sysfs_exists() - whether a sysfs path exists
 * @path: "/sys/..."
 *
 * Return: true when @path can be looked up (symbolic links are not
 * followed).
 */
bool st_sysfs_exists(const char *path)
{
	struct vfsmount *mnt;
	struct file *file;

	if (strncmp(path, "/sys/", 5))
		return false;
	mnt = st_sysfs_mount();
	if (IS_ERR(mnt))
		return false;
	/* O_PATH: a lookup, not an open (6.1 keeps vfs_path_lookup() internal). */
	file = file_open_root_mnt(mnt, path + 5, O_PATH | O_NOFOLLOW, 0);
	if (!IS_ERR(file))
		fput(file);
	kern_unmount(mnt);
	return !IS_ERR(file);
}

/*
 * The previous suite's unregistering of the driver may still be under
 * way: its sysfs directory goes with the release of its kobject, which
 * CONFIG_DEBUG_KOBJECT_RELEASE runs 1 to 4 s late.  Registering before
 * that would collide with it (-EEXIST, and sysfs's duplicate-name dump).
 * driver_find() does not see a driver whose last reference is gone, so
 * look at the directory.
 */
static void st_driver_gone(void)
{
	char dir[64];
	int i;

	snprintf(dir, sizeof(dir), "/sys/bus/platform/drivers/%s",
		 st_client_driver.driver.name);
	for (i = 0; i < 100; i++) {
		if (!st_sysfs_exists(dir))
			return;
		msleep(100);
	}
}

int st_kunit_suite_init(struct kunit_suite *suite)
{
	int err = 0;

	/*
	 * The suites' PERSISTENT tasks use the ram store unless a test says
	 * otherwise: the test kernel boots without EFI or a free region.
	 */
	err = st_store_configure("ram", "");
	if (err)
		return err;
	mutex_lock(&st_driver_lock);
	if (!st_driver_users) {
		st_driver_gone();
		err = st_kunit_driver_register(&st_client_driver);
	}
	if (!err)
		st_driver_users++;
	mutex_unlock(&st_driver_lock);
	return err;
}

void st_kunit_suite_exit(struct kunit_suite *suite)
{
	mutex_lock(&st_driver_lock);
	if (!--st_driver_users)
		platform_driver_unregister(&st_client_driver);
	mutex_unlock(&st_driver_lock);
	st_store_configure("auto", "");
}

static atomic_t st_client_ids = ATOMIC_INIT(0);

static void st_client_release(void *data)
{
	struct st_client *client = data;

	if (!client->pdev)
		return;
	platform_device_del(client->pdev);
	if (client->node)
		device_remove_software_node(&client->pdev->dev);
	platform_device_put(client->pdev);
	client->pdev = NULL;
}

/* Remove the client's device before the test ends. */
void st_client_del(struct st_client *client)
{
	st_client_release(client);
}

/*
 * A new platform device bound to the test driver; @probe runs in its
 * probe.  The device goes away (unbinding first) when the test ends.
 */
struct st_client *st_client_new(struct kunit *test, st_probe_fn probe,
				void *data)
{
	return st_client_new_on(test, probe, data, NULL, false);
}

/*
 * The same, on a device with software node @node (a firmware node, as
 * far as the device's identity goes), numbered in probe order
 * (PLATFORM_DEVID_AUTO) if @auto_id.
 */
struct st_client *st_client_new_on(struct kunit *test, st_probe_fn probe,
				   void *data, const struct software_node *node,
				   bool auto_id)
{
	struct st_client *client;
	int err;

	client = kunit_kzalloc(test, sizeof(*client), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, client);
	client->test = test;
	client->probe = probe;
	client->data = data;

	/*
	 * Numbered here unless asked: persistent tasks refuse a device whose
	 * name depends on probe order, unless it has a firmware node.
	 */
	client->pdev = platform_device_alloc("st-kunit-client", auto_id ?
					     PLATFORM_DEVID_AUTO :
					     atomic_inc_return(&st_client_ids));
	KUNIT_ASSERT_NOT_NULL(test, client->pdev);
	err = platform_device_add_data(client->pdev, &client, sizeof(client));
	if (!err && node) {
		err = device_add_software_node(&client->pdev->dev, node);
		if (!err)
			client->node = node;
	}
	if (!err)
		err = platform_device_add(client->pdev);
	if (err) {
		if (client->node)
			device_remove_software_node(&client->pdev->dev);
		platform_device_put(client->pdev);
		KUNIT_FAIL_AND_ABORT(test, "platform device: %d", err);
	}
	err = kunit_add_action_or_reset(test, st_client_release, client);
	KUNIT_ASSERT_EQ(test, err, 0);
	return client;
}

struct device *st_client_dev(struct st_client *client)
{
	return &client->pdev->dev;
}

/* Unbind the driver: devm tasks are destroyed. */
int st_client_unbind(struct st_client *client)
{
	device_release_driver(&client->pdev->dev);
	return client->pdev->dev.driver ? -EBUSY : 0;
}

/* Bind again: probe runs. */
int st_client_bind(struct st_client *client)
{
	int err = device_attach(&client->pdev->dev);

	if (err < 0)
		return err;
	return client->pdev->dev.driver ? 0 : (client->probe_err ?: -ENODEV);
}

MODULE_IMPORT_NS(SCHEDULED_TASK);
