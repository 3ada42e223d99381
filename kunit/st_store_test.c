// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "scheduled_task_store": the persistence backends on a real
 * NVMEM provider that this suite registers (RAM behind nvmem_register(),
 * with cells and a cell lookup), so the nvmem-cell and nvmem region
 * stores run under KASAN and lockdep; fault injection in the provider
 * (read error, write error, a write torn after N bytes, damaged copies);
 * the module parameters' parsing; and the RTC CMOS region when the machine
 * has one.
 */

#include <kunit/test.h>
#include <linux/err.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/efi.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/nvmem-consumer.h>
#include <linux/nvmem-provider.h>
#include <linux/property.h>
#include <linux/slab.h>

#include "st_kunit.h"
#include "../scheduled_task_compat.h"

#define PERS	SCHEDULED_TASK_PERSISTENT
#define NP	SCHEDULED_TASK_NOT_PERSISTENT
#define IMM	SCHEDULED_TASK_IMMEDIATE
#define PROBE	SCHEDULED_TASK_AT_PROBE

#define ST_NV_NAME	"st-kunit-nvmem"
#define ST_NV_SIZE	256
/* Cells at 0 (a), 32 (b) and 64 (small, too short); the region from 128. */
#define ST_NV_REGION	128

/* The provider: RAM with injected faults. */
static struct {
	u8 mem[ST_NV_SIZE];
	int read_err;		/* every read fails with this */
	int write_err;		/* every write fails with this */
	int reads;		/* reg_read calls */
	int writes;		/* reg_write calls */
	bool drop_writes;	/* writes succeed and change nothing */
	int tear_write;		/* this write (1-based) stops after ... */
	unsigned int tear_bytes;	/* ... this many bytes, then fails */
	struct device *parent;
	struct nvmem_device *nvmem;
} st_nv;

static int st_nv_read(void *priv, unsigned int off, void *val, size_t bytes)
{
	st_nv.reads++;
	if (st_nv.read_err)
		return st_nv.read_err;
	memcpy(val, st_nv.mem + off, bytes);
	return 0;
}

static int st_nv_write(void *priv, unsigned int off, void *val, size_t bytes)
{
	if (++st_nv.writes == st_nv.tear_write) {
		memcpy(st_nv.mem + off, val, min_t(size_t, bytes, st_nv.tear_bytes));
		return -EIO;
	}
	if (st_nv.write_err)
		return st_nv.write_err;
	if (!st_nv.drop_writes)
		memcpy(st_nv.mem + off, val, bytes);
	return 0;
}

static const struct nvmem_cell_info st_nv_cells[] = {
	{ .name = "st-cell-a", .offset = 0, .bytes = 32 },
	{ .name = "st-cell-b", .offset = 32, .bytes = 32 },
	{ .name = "st-cell-small", .offset = 64, .bytes = 16 },
};

/*
 * The provider's parent is a platform device bound to a driver of its
 * own, like a real NVMEM provider's: clients using its region are linked
 * to it.
 */
static int st_nv_parent_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver st_nv_parent_driver = {
	.probe = st_nv_parent_probe,
	.driver = {
		.name = "st-kunit-nvmem-parent",
	},
};

static int st_store_suite_init(struct kunit_suite *suite)
{
	struct platform_device *pdev;
	struct nvmem_config cfg = {
		.name = ST_NV_NAME,
		.id = NVMEM_DEVID_NONE,
		.owner = THIS_MODULE,
		.cells = st_nv_cells,
		.ncells = ARRAY_SIZE(st_nv_cells),
		.size = ST_NV_SIZE,
		.word_size = 1,
		.stride = 1,
		.reg_read = st_nv_read,
		.reg_write = st_nv_write,
	};
	int err;

	err = st_kunit_suite_init(suite);
	if (err)
		return err;
	err = st_kunit_driver_register(&st_nv_parent_driver);
	if (err)
		goto out_suite;
	pdev = platform_device_register_simple("st-kunit-nvmem-parent",
					       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev)) {
		err = PTR_ERR(pdev);
		goto out_driver;
	}
	st_nv.parent = &pdev->dev;
	cfg.dev = st_nv.parent;
	st_nv.nvmem = nvmem_register(&cfg);
	if (IS_ERR(st_nv.nvmem)) {
		err = PTR_ERR(st_nv.nvmem);
		goto out_device;
	}
	return 0;
out_device:
	platform_device_unregister(pdev);
out_driver:
	platform_driver_unregister(&st_nv_parent_driver);
out_suite:
	st_kunit_suite_exit(suite);
	return err;
}

static void st_store_suite_exit(struct kunit_suite *suite)
{
	nvmem_unregister(st_nv.nvmem);
	platform_device_unregister(to_platform_device(st_nv.parent));
	platform_driver_unregister(&st_nv_parent_driver);
	st_kunit_suite_exit(suite);
}

static void st_store_defaults(void *unused)
{
	st_store_configure("ram", "");
}

/* Each test: blank provider, no faults, store= and nvmem= as given. */
static void st_store_setup(struct kunit *test, const char *store,
			   const char *region)
{
	memset(st_nv.mem, 0, sizeof(st_nv.mem));
	st_nv.read_err = 0;
	st_nv.write_err = 0;
	st_nv.drop_writes = false;
	st_nv.reads = 0;
	st_nv.writes = 0;
	st_nv.tear_write = 0;
	st_nv.tear_bytes = 0;
	KUNIT_ASSERT_EQ(test, st_store_configure(store, region), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_store_defaults,
							NULL), 0);
}

/*
 * A client whose probe creates the configured tasks, after giving its
 * device the cell lookups "scheduled-task-<cell task>" -> st-cell-*.
 */
#define ST_MAX_TASKS	4

struct st_store_client {
	struct kunit *test;
	struct st_rec *rec;
	int ntasks;
	struct scheduled_task_config cfg[ST_MAX_TASKS];
	struct scheduled_task *task[ST_MAX_TASKS];
	int create_err[ST_MAX_TASKS];
	struct nvmem_cell_lookup *lookups;
	char con_id[ST_MAX_TASKS][ST_NAME_MAX + 16];
	int nlookups;
	bool looked_up;
};

static void st_del_lookups(void *data)
{
	struct st_store_client *sc = data;

	nvmem_del_cell_lookups(sc->lookups, sc->nlookups);
}

static int st_store_probe(struct st_client *client, struct device *dev)
{
	struct st_store_client *sc = client->data;
	int i;

	if (sc->nlookups && !sc->looked_up) {
		for (i = 0; i < sc->nlookups; i++)
			sc->lookups[i].dev_id = dev_name(dev);
		nvmem_add_cell_lookups(sc->lookups, sc->nlookups);
		sc->looked_up = true;
		if (kunit_add_action_or_reset(sc->test, st_del_lookups, sc))
			return -ENOMEM;
	}
	for (i = 0; i < sc->ntasks; i++) {
		sc->task[i] = devm_scheduled_task_create(dev, &sc->cfg[i]);
		sc->create_err[i] = PTR_ERR_OR_ZERO(sc->task[i]);
		if (IS_ERR(sc->task[i]))
			sc->task[i] = NULL;
	}
	client->task = sc->task[0];
	return 0;
}

static struct st_store_client *st_store_client(struct kunit *test)
{
	struct st_store_client *sc = kunit_kzalloc(test, sizeof(*sc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sc);
	sc->test = test;
	sc->rec = st_rec_new(test);
	return sc;
}

/* Add a persistent, immediate, at-probe task; optionally on a cell. */
static void st_store_task(struct st_store_client *sc, const char *name,
			  const char *cell)
{
	struct kunit *test = sc->test;

	KUNIT_ASSERT_LT(test, sc->ntasks, ST_MAX_TASKS);
	sc->cfg[sc->ntasks++] = st_cfg(name, sc->rec, PERS, IMM, PROBE);
	if (!cell)
		return;
	if (!sc->lookups) {
		sc->lookups = kunit_kcalloc(test, ST_MAX_TASKS,
					    sizeof(*sc->lookups), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, sc->lookups);
	}
	sc->lookups[sc->nlookups].nvmem_name = ST_NV_NAME;
	sc->lookups[sc->nlookups].cell_name = cell;
	snprintf(sc->con_id[sc->nlookups], sizeof(sc->con_id[0]),
		 "scheduled-task-%s", name);
	sc->lookups[sc->nlookups].con_id = sc->con_id[sc->nlookups];
	sc->nlookups++;
}

static struct st_client *st_store_bind(struct st_store_client *sc)
{
	return st_client_new(sc->test, st_store_probe, sc);
}

/* The same, on a device with software node @node. */
static struct st_client *st_store_bind_on(struct st_store_client *sc,
					  const struct software_node *node,
					  bool auto_id)
{
	return st_client_new_on(sc->test, st_store_probe, sc, node, auto_id);
}

/* "Reboot": unbind and bind again; the tasks are created anew. */
static void st_reboot(struct kunit *test, struct st_client *client)
{
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
}

static int st_calls(struct st_store_client *sc)
{
	return atomic_read(&sc->rec->calls);
}

static u32 st_get(struct kunit *test, struct scheduled_task *task)
{
	u32 n = 0xdead;

	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	return n;
}

/* What the provider holds at @off for the task with key @task. */
static struct st_record st_peek(struct scheduled_task *task, unsigned int off)
{
	struct st_record rec;

	st_record_decode(st_nv.mem + off, task->key_hash, &rec);
	return rec;
}

static bool st_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* ---- parameters -------------------------------------------------------- */

static void s01_parameters_reject_bad_input(struct kunit *test)
{
	static const char * const bad_regions[] = {
		"cmos_nvram0", "cmos_nvram0:82", ":82:32", "cmos_nvram0:x:32",
		"cmos_nvram0:82:31", "cmos_nvram0:82:-1", "cmos_nvram0:-82:32",
		"cmos_nvram0:4294967295:32",
		"a-device-name-much-longer-than-thirty-two-bytes:0:32",
	};
	char name[ST_NAME_MAX + 1];
	unsigned int off, size;
	int i;

	st_store_setup(test, "ram", "kept:0x10:64");
	KUNIT_EXPECT_EQ(test, st_store_configure("bogus", NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, st_store_configure("", NULL), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_regions); i++)
		KUNIT_EXPECT_EQ_MSG(test, st_store_configure(NULL, bad_regions[i]),
				    -EINVAL, "nvmem=%s", bad_regions[i]);
	/* Nothing changed: neither the region nor the choice. */
	KUNIT_ASSERT_EQ(test, st_region_get(name, sizeof(name), &off, &size), 0);
	KUNIT_EXPECT_STREQ(test, name, "kept");
	KUNIT_EXPECT_EQ(test, off, 16);
	KUNIT_EXPECT_EQ(test, size, 64);
	/* What sysfs hands over: surrounding blanks and a newline. */
	KUNIT_EXPECT_EQ(test, st_store_configure("efivar\n", " sp:0:32\n"), 0);
	KUNIT_ASSERT_EQ(test, st_region_get(name, sizeof(name), &off, &size), 0);
	KUNIT_EXPECT_STREQ(test, name, "sp");
	KUNIT_EXPECT_EQ(test, st_store_configure("auto", ""), 0);
	KUNIT_EXPECT_EQ(test, st_region_get(name, sizeof(name), &off, &size),
			-ENOENT);
}

/*
 * Hostile writes to the module parameters through sysfs, as an
 * administrator makes them: each gives its documented value or -EINVAL,
 * and an error changes nothing.  A parameter
 * value ends at an embedded NUL: the kernel hands parameters over as C
 * strings.
 */
struct st_param_case {
	const char *bytes;
	size_t len;		/* 0: strlen(bytes) */
	const char *expect;	/* what the parameter reads after, or NULL: -EINVAL */
};

static const struct st_param_case st_store_writes[] = {
	{ "auto", 0, "auto" }, { "auto\n", 0, "auto" },
	{ "nvmem-cell", 0, "nvmem-cell" }, { "nvmem", 0, "nvmem" },
	{ "efivar", 0, "efivar" }, { "ram\n", 0, "ram" },
	{ "ram\0junk", 8, "ram" },
	{ "\n", 0, NULL }, { "AUTO", 0, NULL }, { " auto", 0, NULL },
	{ "auto ", 0, NULL }, { "autox", 0, NULL }, { "nvmem-cel", 0, NULL },
	{ "nvmem-cells", 0, NULL }, { "efi", 0, NULL }, { "ram\n\n", 0, NULL },
	{ "0", 0, NULL }, { "-1", 0, NULL }, { "auto,ram", 0, NULL },
	{ "\xff", 0, NULL }, { "\0ram", 4, NULL }, { "nvmem cell", 0, NULL },
	{ "store=ram", 0, NULL }, { "RAM", 0, NULL }, { "ram\t", 0, NULL },
	{ "r", 0, NULL }, { "efivar\r\n", 0, NULL }, { "a\nram", 0, NULL },
	{ "'ram'", 0, NULL }, { "\"ram\"", 0, NULL },
};

static const struct st_param_case st_nvmem_writes[] = {
	{ "cmos_nvram0:82:32", 0, "cmos_nvram0:82:32" },
	{ "x:0x52:0x20\n", 0, "x:82:32" }, { " sp:0:32\n", 0, "sp:0:32" },
	{ "a:010:32", 0, "a:8:32" },	/* C bases: a leading 0 is octal */
	{ "a:0:64", 0, "a:0:64" }, { "a:4294967263:32", 0, "a:4294967263:32" },
	{ "dev:with:colons:1:32", 0, "dev:with:colons:1:32" },
	{ "a:1:32\0:0:0", 10, "a:1:32" }, { "\n", 0, "" },
	{ "a", 0, NULL }, { "a:1", 0, NULL }, { ":1:32", 0, NULL },
	{ "a:x:32", 0, NULL }, { "a:1:31", 0, NULL }, { "a:1:0", 0, NULL },
	{ "a:1:-1", 0, NULL }, { "a:-1:32", 0, NULL },
	{ "a:4294967295:32", 0, NULL }, { "a:4294967264:32", 0, NULL },
	{ "a:1:4294967296", 0, NULL }, { "a:1:32:", 0, NULL },
	{ "a::32", 0, NULL }, { "a:1:", 0, NULL }, { "a:0b1:32", 0, NULL },
	{ "a:1:32 x", 0, NULL }, { "a:1e2:32", 0, NULL }, { "a:1.5:32", 0, NULL },
	{ "a-device-name-much-longer-than-thirty-two-bytes:0:32", 0, NULL },
	{ "a:1:32\n\n", 0, "a:1:32" }, { "a:0x:32", 0, NULL },
};

static struct file *st_sysfs_open_test(struct kunit *test, const char *path,
				       int flags)
{
	struct file *file = st_sysfs_open(path, flags);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(file), "open %s", path);
	return file;
}

static struct file *st_param_open(struct kunit *test, const char *param,
				  int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/scheduled_task/parameters/%s",
		 param);
	return st_sysfs_open_test(test, path, flags);
}

static ssize_t st_sysfs_write(struct kunit *test, struct file *file,
			      const char *bytes, size_t len)
{
	ssize_t ret = st_write_file(file, bytes, len);

	fput(file);
	return ret;
}

static ssize_t st_param_write(struct kunit *test, const char *param,
			      const char *bytes, size_t len)
{
	return st_sysfs_write(test, st_param_open(test, param, O_WRONLY),
			      bytes, len);
}

static void st_param_read(struct kunit *test, const char *param, char *buf,
			  size_t size)
{
	struct file *file = st_param_open(test, param, O_RDONLY);
	loff_t pos = 0;
	ssize_t n;

	n = kernel_read(file, buf, size - 1, &pos);
	fput(file);
	KUNIT_ASSERT_GT(test, n, 0);
	buf[n - 1] = '\0';	/* the newline */
}

static void st_param_table(struct kunit *test, const char *param,
			   const char *kept, const struct st_param_case *cases,
			   int ncases)
{
	char got[128], *big;
	ssize_t ret;
	int i;

	for (i = 0; i < ncases; i++) {
		const struct st_param_case *c = &cases[i];
		size_t len = c->len ?: strlen(c->bytes);

		KUNIT_ASSERT_EQ(test, st_param_write(test, param, kept,
						     strlen(kept)),
				(ssize_t)strlen(kept));
		ret = st_param_write(test, param, c->bytes, len);
		st_param_read(test, param, got, sizeof(got));
		KUNIT_EXPECT_EQ_MSG(test, ret, c->expect ? (ssize_t)len : -EINVAL,
				    "%s='%*pE'", param, (int)len, c->bytes);
		KUNIT_EXPECT_STREQ_MSG(test, got, c->expect ?: kept,
				       "%s='%*pE'", param, (int)len, c->bytes);
	}
	big = kunit_kmalloc(test, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 'a', 5000);
	KUNIT_EXPECT_EQ(test, st_param_write(test, param, big, 5000),
			(ssize_t)-EINVAL);
	st_param_read(test, param, got, sizeof(got));
	KUNIT_EXPECT_STREQ(test, got, kept);
}

static void s01_parameters_hostile_writes(struct kunit *test)
{
	st_store_setup(test, "ram", "");
	st_param_table(test, "store", "efivar", st_store_writes,
		       ARRAY_SIZE(st_store_writes));
	st_param_table(test, "nvmem", "kept:16:64", st_nvmem_writes,
		       ARRAY_SIZE(st_nvmem_writes));
}

/* ---- choice ------------------------------------------------------------ */

static void s02_auto_tries_cell_then_region_then_efivar(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);

	st_store_setup(test, "auto", ST_NV_NAME ":128:64");
	st_store_task(sc, "on-cell", "st-cell-a");
	st_store_task(sc, "in-region", NULL);
	st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[1]);
	KUNIT_EXPECT_STREQ(test, st_store_name(sc->task[0]), "nvmem-cell");
	KUNIT_EXPECT_STREQ(test, st_store_name(sc->task[1]), "nvmem");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
}

static void s02_auto_without_any_store_is_enodev(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);

	st_store_setup(test, "auto", "");
	if (st_efivar_supported())
		kunit_skip(test, "this machine has EFI variables");
	st_store_task(sc, "nowhere", NULL);
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -ENODEV);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
}

static void s03_forced_store_must_be_there(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);

	/* A cell exists, but store=nvmem wants a region: none is set. */
	st_store_setup(test, "nvmem", "");
	st_store_task(sc, "on-cell", "st-cell-a");
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -ENODEV);

	sc = st_store_client(test);
	KUNIT_ASSERT_EQ(test, st_store_configure("nvmem-cell", NULL), 0);
	st_store_task(sc, "cell-less", NULL);
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -ENODEV);

	sc = st_store_client(test);
	KUNIT_ASSERT_EQ(test, st_store_configure("nvmem", "no-such-nvmem:0:32"), 0);
	st_store_task(sc, "lost", NULL);
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -EPROBE_DEFER);

	/* A region past the device's end: nothing could bound its writes. */
	sc = st_store_client(test);
	KUNIT_ASSERT_EQ(test, st_store_configure("nvmem", ST_NV_NAME ":240:32"), 0);
	st_store_task(sc, "beyond", NULL);
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -EINVAL);

	sc = st_store_client(test);
	KUNIT_ASSERT_EQ(test, st_store_configure("nvmem-cell", NULL), 0);
	st_store_task(sc, "small", "st-cell-small");
	st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, sc->create_err[0], -EINVAL);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
	KUNIT_EXPECT_EQ(test, st_nv.writes, 0);
}

/* ---- the run count on NVMEM ----------------------------------------- */

static void s04_cell_runs_once_across_reboots(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;
	struct st_record rec;

	st_store_setup(test, "auto", "");
	st_store_task(sc, "once", "st-cell-b");
	client = st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_EQ(test, st_get(test, task), 1);
	/* The first record (0) before the run, then the completion. */
	KUNIT_EXPECT_EQ(test, task->store_writes, 2);
	rec = st_peek(task, 32);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_OURS);
	KUNIT_EXPECT_EQ(test, rec.times_run, 1);
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem, 32));

	st_reboot(test, client);
	task = sc->task[0];
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	/* Nothing changed: no write at all. */
	st_nv.writes = 0;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 1), 0);
	KUNIT_EXPECT_EQ(test, st_nv.writes, 0);
	KUNIT_EXPECT_EQ(test, task->store_writes, 0);
	/* The administrator's 0: one logical write, and it runs again. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_EQ(test, task->store_writes, 1);
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
}

static void s05_not_persistent_never_touches_nvmem(struct kunit *test)
{
	struct st_rec *rec = st_rec_new(test);
	struct scheduled_task_config cfg = st_cfg("np", rec, NP, IMM, PROBE);
	struct st_client *client = st_client_new(test, NULL, NULL);
	struct scheduled_task *task;
	u32 n;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:128");
	st_nv.read_err = -EIO;
	task = scheduled_task_create(st_client_dev(client), &cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, task);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 5), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 5);
	scheduled_task_destroy(task);
	KUNIT_EXPECT_EQ(test, st_nv.writes, 0);
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem, sizeof(st_nv.mem)));
}

static void s06_region_gives_each_task_a_slot(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	int i, owner[2] = { -1, -1 };

	/* Two slots, three tasks: the third has no room. */
	st_store_setup(test, "nvmem", ST_NV_NAME ":128:64");
	st_store_task(sc, "first", NULL);
	st_store_task(sc, "second", NULL);
	st_store_task(sc, "third", NULL);
	client = st_store_bind(sc);
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_NOT_NULL(test, sc->task[i]);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[2]), "store-error");

	for (i = 0; i < 2; i++) {
		int slot;

		for (slot = 0; slot < 2; slot++)
			if (st_peek(sc->task[i], ST_NV_REGION + 32 * slot).state ==
			    ST_RECORD_OURS)
				owner[slot] = i;
	}
	KUNIT_EXPECT_NE(test, owner[0], -1);
	KUNIT_EXPECT_NE(test, owner[1], -1);
	KUNIT_EXPECT_NE(test, owner[0], owner[1]);
	/* Nothing was written outside the region. */
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem, ST_NV_REGION));
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem + ST_NV_REGION + 64, 64));

	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[1]), 1);
}

/* Whether sysfs shows a device link from @consumer to @supplier. */
static bool st_linked(struct kunit *test, struct device *consumer,
		      struct device *supplier)
{
	char *dir = kobject_get_path(&consumer->kobj, GFP_KERNEL);
	char *link;
	bool found;

	KUNIT_ASSERT_NOT_NULL(test, dir);
	link = kasprintf(GFP_KERNEL, "/sys%s/supplier:%s:%s", dir,
			 dev_bus_name(supplier), dev_name(supplier));
	kfree(dir);
	KUNIT_ASSERT_NOT_NULL(test, link);
	found = st_sysfs_exists(link);
	kfree(link);
	return found;
}

/*
 * The region's provider must not be unbound under a client that uses it:
 * the client is linked to it while bound.
 */
static void s06_region_links_the_client_to_its_provider(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:64");
	st_store_task(sc, "linked", NULL);
	st_store_task(sc, "linked-too", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_TRUE(test, st_linked(test, st_client_dev(client), st_nv.parent));
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	KUNIT_EXPECT_FALSE(test, st_linked(test, st_client_dev(client), st_nv.parent));
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	KUNIT_EXPECT_TRUE(test, st_linked(test, st_client_dev(client), st_nv.parent));
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
}

/* Tasks of different clients claim slots at the same time. */
struct st_claim {
	struct st_store_client *sc;
	struct st_client *client;
	struct completion go;
};

static int st_claim_thread(void *data)
{
	struct st_claim *c = data;

	wait_for_completion(&c->go);
	return st_client_bind(c->client);
}

static void s06_region_claims_race_safely(struct kunit *test)
{
	struct st_claim c[4];
	struct task_struct *t[4];
	int i, j, owners = 0;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:128");
	for (i = 0; i < 4; i++) {
		c[i].sc = st_store_client(test);
		st_store_task(c[i].sc, "racer", NULL);
		c[i].client = st_store_bind(c[i].sc);
		KUNIT_ASSERT_EQ(test, st_client_unbind(c[i].client), 0);
		init_completion(&c[i].go);
	}
	/* The first binds wrote records: start again from a blank region. */
	memset(st_nv.mem, 0, sizeof(st_nv.mem));
	for (i = 0; i < 4; i++) {
		t[i] = kthread_run(st_claim_thread, &c[i], "st-claim-%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		get_task_struct(t[i]);
	}
	for (i = 0; i < 4; i++)
		complete(&c[i].go);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kthread_stop(t[i]), 0);
		put_task_struct(t[i]);
	}
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, st_calls(c[i].sc), 2);
		KUNIT_EXPECT_EQ(test, st_get(test, c[i].sc->task[0]), 1);
		for (j = 0; j < 4; j++)
			if (st_peek(c[i].sc->task[0], ST_NV_REGION + 32 * j).state ==
			    ST_RECORD_OURS)
				owners |= BIT(j);
	}
	KUNIT_EXPECT_EQ(test, owners, 0xf);
}

/* The region slot (0-based, of @slots) whose record is @task's, or -1. */
static int st_slot_of(struct scheduled_task *task, int slots)
{
	int i;

	for (i = 0; i < slots; i++)
		if (st_peek(task, ST_NV_REGION + 32 * i).state == ST_RECORD_OURS)
			return i;
	return -1;
}

static void st_move_slot(int from, int to)
{
	u8 *base = st_nv.mem + ST_NV_REGION;

	memcpy(base + 32 * to, base + 32 * from, 32);
	memset(base + 32 * from, 0, 32);
}

/*
 * A record is found in whatever slot it is, also past a blank slot (the
 * first slot the task would look at).
 */
static void s06_region_record_found_in_any_slot(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	int home, away;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:128");
	st_store_task(sc, "moved", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	home = sc->task[0]->key_hash % 4;
	KUNIT_ASSERT_EQ(test, st_slot_of(sc->task[0], 4), home);
	away = (home + 3) % 4;
	st_move_slot(home, away);

	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
}

/*
 * Choosing the store reads the record there; create does not read it a
 * second time.  A completed task's create: one slot, one read, no write.
 */
static void s06_region_read_once_at_create(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;

	st_store_setup(test, "auto", ST_NV_NAME ":128:32");
	st_store_task(sc, "read-once", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_ASSERT_EQ(test, st_calls(sc), 1);

	st_nv.reads = 0;
	st_nv.writes = 0;
	st_reboot(test, client);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	KUNIT_EXPECT_EQ(test, st_nv.reads, 1);
	KUNIT_EXPECT_EQ(test, st_nv.writes, 0);
}

/* Growing the region (nvmem=...:32 to ...:128) keeps every record. */
static void s06_region_growth_keeps_every_record(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	int size;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:32");
	st_store_task(sc, "grows", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	for (size = 64; size <= 128; size += 32) {
		char region[48];

		snprintf(region, sizeof(region), ST_NV_NAME ":128:%d", size);
		KUNIT_ASSERT_EQ(test, st_store_configure(NULL, region), 0);
		st_reboot(test, client);
		KUNIT_EXPECT_EQ_MSG(test, st_calls(sc), 1, "region %s", region);
		KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	}
}

/*
 * A rotten slot hides no other task's record, is never taken, and keeps a
 * task without a record from running until an administrator decides.
 */
static void s06_region_rotten_slot(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *fresh;
	int home, next;
	u8 *rotten;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:128");
	st_store_task(sc, "intact", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	home = sc->task[0]->key_hash % 4;
	next = (home + 1) % 4;
	/* Its record one slot on, and garbage where it looks first. */
	st_move_slot(home, next);
	rotten = st_nv.mem + ST_NV_REGION + 32 * home;
	memset(rotten, 0x5a, 32);

	st_store_task(sc, "fresh", NULL);
	st_reboot(test, client);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
	/* The new task: the rotten slot may have been its record. */
	fresh = sc->task[1];
	KUNIT_ASSERT_NOT_NULL(test, fresh);
	KUNIT_EXPECT_STREQ(test, st_state_name(fresh), "store-error");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);

	/* The administrator says it never ran: a blank slot, not the rotten. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(fresh, 0), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(fresh, 1), 0);
	KUNIT_EXPECT_EQ(test, rotten[0], 0x5a);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(rotten, 0x5a, 32));
	KUNIT_EXPECT_GE(test, st_slot_of(fresh, 4), 0);
	KUNIT_EXPECT_NE(test, st_slot_of(fresh, 4), home);
}

#define ST_CLEAR_SLOT	"/sys/class/scheduled_task/nvmem_clear_slot"

static ssize_t st_clear_slot(struct kunit *test, const char *what)
{
	return st_sysfs_write(test, st_sysfs_open_test(test, ST_CLEAR_SLOT, O_WRONLY),
			      what, strlen(what));
}

/*
 * A full region is repaired through sysfs: the administrator blanks a
 * slot no live task owns (a rotten one here), and the task that found no
 * room gets it.  A live task's slot and anything but a slot's first byte
 * are refused and change nothing.
 */
static void s06_region_full_repaired_through_sysfs(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *late;
	char kept_at[16], rotten_at[16];
	u8 before[ST_NV_SIZE];
	struct file *file;
	int kept, rotten;
	static const char * const refused[] = {
		"129", "96", "192", "0x100", "-128", " 128", "128 ", "slot",
		"4294967296", "160\n\n",
	};
	int i;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:64");
	st_store_task(sc, "kept", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	kept = st_slot_of(sc->task[0], 2);
	KUNIT_ASSERT_GE(test, kept, 0);
	rotten = 1 - kept;
	memset(st_nv.mem + ST_NV_REGION + 32 * rotten, 0x5a, 32);
	st_store_task(sc, "late", NULL);
	st_reboot(test, client);
	late = sc->task[1];
	KUNIT_ASSERT_NOT_NULL(test, late);
	KUNIT_EXPECT_STREQ(test, st_state_name(late), "store-error");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(late, 0), -ENOSPC);

	snprintf(kept_at, sizeof(kept_at), "%d\n", ST_NV_REGION + 32 * kept);
	snprintf(rotten_at, sizeof(rotten_at), "%#x", ST_NV_REGION + 32 * rotten);
	memcpy(before, st_nv.mem, sizeof(before));
	KUNIT_EXPECT_EQ(test, st_clear_slot(test, kept_at), (ssize_t)-EBUSY);
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		KUNIT_EXPECT_EQ_MSG(test, st_clear_slot(test, refused[i]),
				    (ssize_t)-EINVAL, "'%s'", refused[i]);
	file = st_sysfs_open_test(test, ST_CLEAR_SLOT, O_WRONLY);
	KUNIT_EXPECT_EQ(test, st_sysfs_write(test, file, "160\0x", 5),
			(ssize_t)-EINVAL);
	KUNIT_EXPECT_TRUE(test, !memcmp(before, st_nv.mem, sizeof(before)));

	KUNIT_EXPECT_EQ(test, st_clear_slot(test, rotten_at),
			(ssize_t)strlen(rotten_at));
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem + ST_NV_REGION + 32 * rotten, 32));
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(late, 0), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(late), "idle");
	KUNIT_EXPECT_EQ(test, st_slot_of(late, 2), rotten);

	/* The next boot runs the late task, and only it. */
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[1]), "completed");

	/* Without nvmem= there is no region to clear. */
	KUNIT_ASSERT_EQ(test, st_store_configure(NULL, ""), 0);
	KUNIT_EXPECT_EQ(test, st_clear_slot(test, rotten_at), (ssize_t)-ENODEV);
}

/* ---- identity ---------------------------------------------------------- */

static const struct software_node st_node_board = { .name = "st-kunit-board" };
static const struct software_node st_node_eeprom = {
	.name = "eeprom-50", .parent = &st_node_board,
};

static const struct software_node st_node_unnamed;

static void st_nodes_unregister(void *unused)
{
	software_node_unregister(&st_node_board);
}

/*
 * Register the board node for this test; it is unregistered after every
 * client created later (KUnit runs cleanups last first).
 */
/*
 * A software node whose last user went may still be on its way out: with
 * CONFIG_DEBUG_KOBJECT_RELEASE its release runs 1 to 4 s late, and using
 * it again before would take a reference on a count of zero.
 */
static void st_node_released(const struct software_node *node)
{
	int i;

	for (i = 0; i < 100 && software_node_fwnode(node); i++)
		msleep(100);
}

static void st_nodes(struct kunit *test)
{
	st_node_released(&st_node_board);
	KUNIT_ASSERT_EQ(test, software_node_register(&st_node_board), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, st_nodes_unregister,
							NULL), 0);
}

/*
 * A device with a firmware node is keyed by the node's path, also when it
 * is numbered in probe order; one without (or with a node that is
 * numbered as registered) by its name.
 */
static void s14_key_is_the_firmware_node_path(struct kunit *test)
{
	struct st_store_client *a = st_store_client(test);
	struct st_store_client *b = st_store_client(test);
	struct st_store_client *c = st_store_client(test);
	struct st_store_client *d = st_store_client(test);
	struct st_client *cb, *cc;
	char key[ST_KEY_MAX];

	st_store_setup(test, "ram", "");
	st_nodes(test);
	st_store_task(a, "idn", NULL);
	st_store_task(b, "idn", NULL);
	st_store_task(c, "idn", NULL);
	st_store_task(d, "auto", NULL);
	st_store_bind_on(a, &st_node_eeprom, false);
	cb = st_store_bind(b);
	cc = st_store_bind_on(c, &st_node_unnamed, false);
	st_store_bind_on(d, &st_node_board, true);
	KUNIT_EXPECT_EQ(test, d->create_err[0], 0);
	KUNIT_EXPECT_EQ(test, st_calls(d), 1);
	KUNIT_ASSERT_NOT_NULL(test, a->task[0]);
	KUNIT_ASSERT_NOT_NULL(test, b->task[0]);
	KUNIT_ASSERT_NOT_NULL(test, c->task[0]);
	KUNIT_EXPECT_STREQ(test, a->task[0]->key,
			   "st-kunit-client/st-kunit-board/eeprom-50/idn");
	snprintf(key, sizeof(key), "st-kunit-client/%s/idn",
		 dev_name(st_client_dev(cb)));
	KUNIT_EXPECT_STREQ(test, b->task[0]->key, key);
	snprintf(key, sizeof(key), "st-kunit-client/%s/idn",
		 dev_name(st_client_dev(cc)));
	KUNIT_EXPECT_STREQ(test, c->task[0]->key, key);
}

/*
 * The same device under another name next boot (probe order, a bus
 * renumbered): its firmware node is the same, and the task does not run
 * again.
 */
static void s14_renumbered_device_keeps_its_record(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *first, *second;
	char first_name[48];

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:128");
	st_nodes(test);
	st_store_task(sc, "once", NULL);
	first = st_store_bind_on(sc, &st_node_eeprom, false);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	strscpy(first_name, dev_name(st_client_dev(first)), sizeof(first_name));
	st_client_del(first);
	st_node_released(&st_node_eeprom);

	second = st_store_bind_on(sc, &st_node_eeprom, false);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_STRNEQ(test, dev_name(st_client_dev(second)), first_name);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
}

/*
 * Two devices with one firmware node, bound to one driver, would share
 * the records of their tasks: the second task is refused.
 */
static void s14_one_identity_one_live_task(struct kunit *test)
{
	struct st_store_client *a = st_store_client(test);
	struct st_store_client *b = st_store_client(test);

	st_store_setup(test, "ram", "");
	st_nodes(test);
	st_store_task(a, "shared", NULL);
	st_store_task(b, "shared", NULL);
	st_store_bind_on(a, &st_node_board, false);
	st_store_bind_on(b, &st_node_board, false);
	KUNIT_EXPECT_NOT_NULL(test, a->task[0]);
	KUNIT_EXPECT_NULL(test, b->task[0]);
	KUNIT_EXPECT_EQ(test, b->create_err[0], -EEXIST);
	KUNIT_EXPECT_EQ(test, st_calls(a), 1);
	KUNIT_EXPECT_EQ(test, st_calls(b), 0);
}

/*
 * A record written under the key earlier versions used (dev_name()) is
 * taken over by the task, once its device has a firmware node, and
 * written again under the node's key (both copies).
 */
static void s14_record_of_the_former_key_is_taken_over(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct st_record rec;
	u8 *slot;
	u32 former;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:32");
	st_nodes(test);
	st_store_task(sc, "moves", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	former = sc->task[0]->key_hash;
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);

	KUNIT_ASSERT_EQ(test, device_add_software_node(st_client_dev(client),
						       &st_node_eeprom), 0);
	client->node = &st_node_eeprom;
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_NE(test, sc->task[0]->key_hash, former);
	KUNIT_EXPECT_EQ(test, sc->task[0]->former_hash, former);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
	slot = st_nv.mem + ST_NV_REGION;
	st_record_decode(slot, sc->task[0]->key_hash, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_OURS);
	KUNIT_EXPECT_EQ(test, rec.times_run, 1U);
	/* Both copies carry the new key: the former one is gone. */
	st_record_decode(slot, former, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_FOREIGN);
}

/* ---- faults ------------------------------------------------------------ */

static void s07_read_error_refuses_to_run(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;
	u32 n;

	st_store_setup(test, "auto", "");
	st_store_task(sc, "unreadable", "st-cell-a");
	st_nv.read_err = -EIO;
	/* Created, so that it can be repaired; it does not run. */
	client = st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_STREQ(test, st_store_name(task), "nvmem-cell");
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), -EIO);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), -EIO);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");

	/* The cell reads again: the administrator's write repairs it. */
	st_nv.read_err = 0;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_STRNEQ(test, st_state_name(task), "store-error");
	st_reboot(test, client);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);

	/*
	 * It goes bad again: a write reaches the store and fails, a read
	 * does not reach it and gives the count the store last held.
	 */
	st_nv.read_err = -EIO;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), 0);
	KUNIT_EXPECT_EQ(test, n, 1U);
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), -EIO);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	st_nv.read_err = 0;
	KUNIT_EXPECT_EQ(test, st_get(test, task), 1);
}

/*
 * A store that cannot be written is found out before the first run (the
 * first record is written at create), not after a run it cannot record,
 * which would then run again at every boot.
 */
static void s07_unwritable_store_refuses_the_first_run(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:32");
	st_store_task(sc, "unwritable", NULL);
	st_nv.write_err = -EIO;
	client = st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 1), -EIO);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);

	/* Writable again: the next boot runs it, once. */
	st_nv.write_err = 0;
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
}

/* A store that acks writes and keeps nothing fails the read-back. */
static void s07_dropped_write_fails_the_read_back(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct scheduled_task *task;

	st_store_setup(test, "nvmem-cell", "");
	st_store_task(sc, "dropped", "st-cell-a");
	st_nv.drop_writes = true;
	st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 1), -EIO);
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem, 32));
	st_nv.drop_writes = false;
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "idle");
}

/*
 * A record stays in the store it was written to: a cell that appears
 * later (store=auto tries cells first) or nvmem= set afterwards must not
 * move the task to a store without its record.
 */
static void s12_record_pins_its_store(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;

	st_store_setup(test, "auto", ST_NV_NAME ":128:64");
	st_store_task(sc, "pinned", NULL);
	client = st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_STREQ(test, st_store_name(task), "nvmem");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);

	/* A cell for the task appears: the record stays in the region. */
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	sc->lookups = kunit_kcalloc(test, ST_MAX_TASKS, sizeof(*sc->lookups),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sc->lookups);
	sc->lookups[0].nvmem_name = ST_NV_NAME;
	sc->lookups[0].cell_name = "st-cell-a";
	snprintf(sc->con_id[0], sizeof(sc->con_id[0]), "scheduled-task-pinned");
	sc->lookups[0].con_id = sc->con_id[0];
	sc->nlookups = 1;
	st_nv.writes = 0;
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_STREQ(test, st_store_name(task), "nvmem");
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_EQ(test, st_nv.writes, 0);
	KUNIT_EXPECT_TRUE(test, st_zero(st_nv.mem, 32));
}

/*
 * A write torn after N bytes, on the first or the second of the two saves
 * a logical write makes: the first record (absent -> 0) written at create
 * before the first run, the completion (0 -> 1), or the administrator's
 * 1 -> 0.  The next boot reads the new count when the second save was
 * torn, and the old or the new one when the first was (a cell is written
 * whole: N bytes of the first save can complete its copy): never garbage.
 * kunit/st_record_test.c cuts every byte of the codec's saves.
 */
enum st_tear_write { ST_TEAR_FIRST, ST_TEAR_RUN, ST_TEAR_UPDATE };

struct st_tear_case {
	const char *store;	/* "cell" or "region" */
	enum st_tear_write write;
	int save;		/* 1 or 2 */
	unsigned int bytes;
};

static const struct st_tear_case st_tear_cases[] = {
	{ "cell", ST_TEAR_FIRST, 1, 3 }, { "cell", ST_TEAR_FIRST, 2, 30 },
	{ "cell", ST_TEAR_RUN, 1, 0 }, { "cell", ST_TEAR_RUN, 1, 20 },
	{ "cell", ST_TEAR_RUN, 2, 7 }, { "cell", ST_TEAR_RUN, 2, 31 },
	{ "cell", ST_TEAR_UPDATE, 1, 16 }, { "cell", ST_TEAR_UPDATE, 1, 27 },
	{ "cell", ST_TEAR_UPDATE, 2, 0 }, { "cell", ST_TEAR_UPDATE, 2, 15 },
	{ "region", ST_TEAR_FIRST, 1, 11 }, { "region", ST_TEAR_FIRST, 2, 5 },
	{ "region", ST_TEAR_RUN, 1, 0 }, { "region", ST_TEAR_RUN, 1, 9 },
	{ "region", ST_TEAR_RUN, 2, 1 }, { "region", ST_TEAR_RUN, 2, 15 },
	{ "region", ST_TEAR_UPDATE, 1, 4 }, { "region", ST_TEAR_UPDATE, 1, 12 },
	{ "region", ST_TEAR_UPDATE, 2, 0 }, { "region", ST_TEAR_UPDATE, 2, 14 },
};

static void st_tear_desc(const struct st_tear_case *c, char *desc)
{
	static const char * const what[] = {
		[ST_TEAR_FIRST] = "first record",
		[ST_TEAR_RUN] = "0->1",
		[ST_TEAR_UPDATE] = "1->0",
	};

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s %s, save %d torn after %u bytes",
		 c->store, what[c->write], c->save, c->bytes);
}

KUNIT_ARRAY_PARAM(st_tear, st_tear_cases, st_tear_desc);

static void s08_torn_write_reads_old_or_new(struct kunit *test)
{
	const struct st_tear_case *c = test->param_value;
	bool cell = !strcmp(c->store, "cell");
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;
	u32 old = c->write == ST_TEAR_UPDATE, new = !old, read;
	int ran = c->write != ST_TEAR_FIRST;

	st_store_setup(test, cell ? "nvmem-cell" : "nvmem", ST_NV_NAME ":128:32");
	st_store_task(sc, "torn", cell ? "st-cell-a" : NULL);
	if (c->write != ST_TEAR_UPDATE) {
		/* The first record is two writes, then the completion. */
		st_nv.tear_write = c->save + (c->write == ST_TEAR_RUN ? 2 : 0);
		st_nv.tear_bytes = c->bytes;
	}
	client = st_store_bind(sc);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), ran);
	if (c->write == ST_TEAR_UPDATE) {
		KUNIT_EXPECT_STREQ(test, st_state_name(task), "completed");
		st_nv.writes = 0;
		st_nv.tear_write = c->save;
		st_nv.tear_bytes = c->bytes;
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), -EIO);
	} else {
		KUNIT_EXPECT_STREQ(test, st_state_name(task), ran ?
				   "record-pending" : "store-error");
	}

	/*
	 * The power is cut: nothing more is written (not the retries of a
	 * completion's record, nor the last try at unbind), then it comes
	 * back.
	 */
	st_nv.write_err = -EIO;
	KUNIT_ASSERT_EQ(test, st_client_unbind(client), 0);
	st_nv.write_err = 0;
	st_nv.tear_write = 0;
	KUNIT_ASSERT_EQ(test, st_client_bind(client), 0);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_STRNEQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, st_get(test, task), 1);
	if (c->write == ST_TEAR_FIRST) {
		/* Absent or 0, both 0: it runs now, once. */
		KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
		return;
	}
	/* A run at this boot means the count read 0. */
	read = st_calls(sc) == 2 ? 0 : 1;
	if (c->save == 2)
		KUNIT_EXPECT_EQ(test, read, new);
	else
		KUNIT_EXPECT_TRUE(test, read == old || read == new);
	KUNIT_EXPECT_LE(test, st_calls(sc), 2);
}

static void s09_one_damaged_copy_loses_nothing(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	int copy;

	st_store_setup(test, "nvmem", ST_NV_NAME ":128:32");
	st_store_task(sc, "bitrot", NULL);
	client = st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	for (copy = 0; copy < 2; copy++) {
		u8 saved = st_nv.mem[ST_NV_REGION + 16 * copy + 12];

		/* A flipped CRC bit in one copy: the other still holds 1. */
		st_nv.mem[ST_NV_REGION + 16 * copy + 12] ^= 0x10;
		st_reboot(test, client);
		KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
		KUNIT_EXPECT_STREQ(test, st_state_name(sc->task[0]), "completed");
		st_nv.mem[ST_NV_REGION + 16 * copy + 12] = saved;
	}
}

static void s09_both_copies_damaged_is_a_store_error(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task;
	u32 n;

	st_store_setup(test, "nvmem-cell", "");
	st_store_task(sc, "rotten", "st-cell-a");
	client = st_store_bind(sc);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	st_nv.mem[12] ^= 0x01;
	st_nv.mem[16 + 8] ^= 0x80;	/* the run count of copy 1 */
	st_reboot(test, client);
	task = sc->task[0];
	KUNIT_ASSERT_NOT_NULL(test, task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_STREQ(test, st_state_name(task), "store-error");
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_get(task, &n), -EBADMSG);
	KUNIT_EXPECT_EQ(test, scheduled_task_execute_now_deferred_ex(task), 0);
	st_flush(task);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);

	/* The administrator's write repairs it. */
	KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	KUNIT_EXPECT_EQ(test, st_get(test, task), 0);
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 2);
	KUNIT_EXPECT_EQ(test, st_get(test, sc->task[0]), 1);
}

/* ---- efivar: one SetVariable per write, injective names -------------- */

struct st_saves {
	int n;
	unsigned int off, len;
	u8 area[ST_RECORD_SIZE];
};

static int st_count_save(void *ctx, const u8 *area, unsigned int off,
			 unsigned int len)
{
	struct st_saves *sv = ctx;

	sv->n++;
	sv->off = off;
	sv->len = len;
	memcpy(sv->area + off, area + off, len);
	return 0;
}

/*
 * A backend that replaces the record atomically (an EFI variable) gets one
 * save of the whole new record per logical write, not the codec's two.
 */
static void s13_whole_record_backend_saves_once(struct kunit *test)
{
	const struct st_area_io whole = { .save = st_count_save, .whole = true };
	const struct st_area_io parts = { .save = st_count_save };
	struct scheduled_task *task = kunit_kzalloc(test, sizeof(*task),
						    GFP_KERNEL);
	struct st_saves sv = {};
	u8 area[ST_RECORD_SIZE] = {};
	struct st_record rec;
	u32 n;

	KUNIT_ASSERT_NOT_NULL(test, task);
	task->key_hash = st_record_key_hash("drv/dev/whole");
	for (n = 0; n < 3; n++) {
		st_record_decode(area, task->key_hash, &rec);
		sv.n = 0;
		KUNIT_EXPECT_EQ(test, st_store_commit(task, &whole, &sv, area,
						      &rec, n), 0);
		KUNIT_EXPECT_EQ(test, sv.n, 1);
		KUNIT_EXPECT_EQ(test, sv.off, 0U);
		KUNIT_EXPECT_EQ(test, sv.len, (unsigned int)ST_RECORD_SIZE);
		st_record_decode(sv.area, task->key_hash, &rec);
		KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_OURS);
		KUNIT_EXPECT_EQ(test, rec.times_run, n);
	}
	/* The same count again: no save at all. */
	sv.n = 0;
	KUNIT_EXPECT_EQ(test, st_store_commit(task, &whole, &sv, area, &rec, 2), 0);
	KUNIT_EXPECT_EQ(test, sv.n, 0);
	KUNIT_EXPECT_EQ(test, task->store_writes, 3);
	/* A backend that can write part of a record: copy by copy. */
	KUNIT_EXPECT_EQ(test, st_store_commit(task, &parts, &sv, area, &rec, 3), 0);
	KUNIT_EXPECT_EQ(test, sv.n, 2);
}

static bool st_ucs2_eq(const efi_char16_t *a, const char *b)
{
	while (*a && *a == (u8)*b) {
		a++;
		b++;
	}
	return !*a && !*b;
}

static bool st_ucs2_same(const efi_char16_t *a, const efi_char16_t *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Two keys that shared one variable under the old names do not now. */
static void s13_efivar_names_are_injective(struct kunit *test)
{
	static const char * const keys[][2] = {
		{ "mfd/pmic/otp-load", "mfd/pmic-otp/load" },
		{ "drv/a b/task", "drv/a_b/task" },
		{ "drv/a:b/task", "drv/a;b/task" },
	};
	efi_char16_t *a, *b;
	size_t len = 3 * ST_KEY_MAX + 16;
	int i;

	a = kunit_kcalloc(test, len, sizeof(*a), GFP_KERNEL);
	b = kunit_kcalloc(test, len, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		st_efivar_legacy_name(a, len, keys[i][0]);
		st_efivar_legacy_name(b, len, keys[i][1]);
		KUNIT_EXPECT_TRUE_MSG(test, st_ucs2_same(a, b), "legacy %d", i);
		st_efivar_name(a, len, keys[i][0]);
		st_efivar_name(b, len, keys[i][1]);
		KUNIT_EXPECT_FALSE_MSG(test, st_ucs2_same(a, b), "new %d", i);
	}
	st_efivar_name(a, len, "st_sample/st_sample/probe-p");
	KUNIT_EXPECT_TRUE(test, st_ucs2_eq(a, "ScheduledTask-st_sample%2Fst_sample%2Fprobe-p"));
	st_efivar_name(a, len, "d/0000:00:1f.3/x y");
	KUNIT_EXPECT_TRUE(test, st_ucs2_eq(a, "ScheduledTask-d%2F0000%3A00%3A1f.3%2Fx%20y"));
}

/* ---- the real RTC CMOS ---------------------------------------------- */

static void s10_cmos_region(struct kunit *test)
{
	struct st_store_client *sc = st_store_client(test);
	struct nvmem_device *cmos;
	struct st_client *client;
	u8 saved[32], area[32];
	struct st_record rec;

	cmos = nvmem_device_find((void *)"cmos_nvram0", device_match_name);
	if (IS_ERR(cmos))
		kunit_skip(test, "no cmos_nvram0 here");
	KUNIT_ASSERT_EQ(test, nvmem_device_read(cmos, 82, 32, saved), 32);
	memset(area, 0, sizeof(area));
	KUNIT_ASSERT_EQ(test, nvmem_device_write(cmos, 82, 32, area), 32);

	st_store_setup(test, "auto", "cmos_nvram0:82:32");
	st_store_task(sc, "cmos", NULL);
	client = st_store_bind(sc);
	KUNIT_ASSERT_NOT_NULL(test, sc->task[0]);
	KUNIT_EXPECT_STREQ(test, st_store_name(sc->task[0]), "nvmem");
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);
	KUNIT_EXPECT_EQ(test, nvmem_device_read(cmos, 82, 32, area), 32);
	st_record_decode(area, sc->task[0]->key_hash, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_OURS);
	KUNIT_EXPECT_EQ(test, rec.times_run, 1);
	st_reboot(test, client);
	KUNIT_EXPECT_EQ(test, st_calls(sc), 1);

	KUNIT_EXPECT_EQ(test, st_client_unbind(client), 0);
	KUNIT_EXPECT_EQ(test, nvmem_device_write(cmos, 82, 32, saved), 32);
	nvmem_device_put(cmos);
}

/* ---- allocation failures ---------------------------------------------- */

/*
 * Every allocation an operation makes, failed one at a time: the n-th
 * allocation of this thread fails through fail_nth (failslab), for n = 1,
 * 2, ... until the operation makes fewer than n.  The guest sets failslab's
 * ignore-gfp-wait to N, so GFP_KERNEL allocations fail too.  A failed
 * operation must return -ENOMEM and change nothing: no callback ran, no
 * record byte changed, no class device is left behind, the task keeps its
 * state and count.  An operation that absorbs the failure must still
 * leave a consistent task.  kmemleak, scanning after the suite, sees a
 * leak on any of these paths.
 */
enum st_fault_op {
	ST_FAULT_CREATE,	/* devm_scheduled_task_create() */
	ST_FAULT_SET,		/* times_run_set(0) on a completed task */
	ST_FAULT_GET,		/* times_run_get() */
	ST_FAULT_LEGACY,	/* execute_now_deferred() */
	ST_FAULT_EX,		/* execute_now_deferred_ex() */
};

struct st_fault_param {
	const char *desc;
	enum st_fault_op op;
	const char *store;	/* store= for the run */
	const char *cell;	/* the task's cell, for store=nvmem-cell */
	enum scheduled_task_persistence persistence;
	enum scheduled_task_mode mode;
	enum scheduled_task_when when;
};

static const struct st_fault_param st_fault_params[] = {
	{ "create not-persistent immediate at probe", ST_FAULT_CREATE, "ram",
	  NULL, NP, IMM, PROBE },
	{ "create not-persistent deferred at probe", ST_FAULT_CREATE, "ram",
	  NULL, NP, SCHEDULED_TASK_DEFERRED, PROBE },
	{ "create not-persistent immediate at resume", ST_FAULT_CREATE, "ram",
	  NULL, NP, IMM, SCHEDULED_TASK_AT_RESUME },
	{ "create persistent on ram", ST_FAULT_CREATE, "ram", NULL,
	  PERS, IMM, PROBE },
	{ "create persistent on a cell", ST_FAULT_CREATE, "nvmem-cell",
	  "st-cell-a", PERS, IMM, PROBE },
	{ "create persistent in a region", ST_FAULT_CREATE, "nvmem", NULL,
	  PERS, IMM, PROBE },
	{ "times_run_set on a cell", ST_FAULT_SET, "nvmem-cell", "st-cell-a",
	  PERS, IMM, PROBE },
	{ "times_run_set in a region", ST_FAULT_SET, "nvmem", NULL,
	  PERS, IMM, PROBE },
	{ "times_run_set on ram", ST_FAULT_SET, "ram", NULL, PERS, IMM, PROBE },
	{ "times_run_get on a cell", ST_FAULT_GET, "nvmem-cell", "st-cell-a",
	  PERS, IMM, PROBE },
	{ "times_run_get in a region", ST_FAULT_GET, "nvmem", NULL,
	  PERS, IMM, PROBE },
	{ "execute_now_deferred", ST_FAULT_LEGACY, "ram", NULL,
	  NP, SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_ON_DEMAND },
	{ "execute_now_deferred_ex", ST_FAULT_EX, "ram", NULL,
	  NP, SCHEDULED_TASK_DEFERRED, SCHEDULED_TASK_ON_DEMAND },
};

static void st_fault_desc(const struct st_fault_param *p, char *desc)
{
	strscpy(desc, p->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(st_fault, st_fault_params, st_fault_desc);

/* What an operation must leave alone when it fails. */
struct st_fault_snapshot {
	u8 mem[ST_NV_SIZE];
	int calls;
	u32 times_run;
	const char *state;
};

static void st_fault_snap(struct st_store_client *sc, struct scheduled_task *task,
			  struct st_fault_snapshot *snap)
{
	memcpy(snap->mem, st_nv.mem, sizeof(snap->mem));
	snap->calls = st_calls(sc);
	snap->times_run = task ? task->times_run : 0;
	snap->state = task ? st_state_name(task) : NULL;
}

static void st_fault_unchanged(struct kunit *test, struct st_store_client *sc,
			       struct scheduled_task *task,
			       const struct st_fault_snapshot *snap, int n)
{
	KUNIT_EXPECT_EQ_MSG(test, st_calls(sc), snap->calls,
			    "allocation %d: the callback ran", n);
	KUNIT_EXPECT_TRUE_MSG(test, !memcmp(st_nv.mem, snap->mem, sizeof(snap->mem)),
			      "allocation %d: the store changed", n);
	if (!task)
		return;
	KUNIT_EXPECT_EQ_MSG(test, task->times_run, snap->times_run,
			    "allocation %d: times_run changed", n);
	KUNIT_EXPECT_STREQ_MSG(test, st_state_name(task), snap->state,
			       "allocation %d: the state changed", n);
}

/* The class device "<client>:<task>", if it exists. */
static bool st_fault_published(struct device *client, const char *name)
{
	struct device *dev;
	char full[64];

	snprintf(full, sizeof(full), "%s:%s", dev_name(client), name);
	dev = class_find_device_by_name(&st_class, full);
	put_device(dev);
	return dev;
}

/*
 * One create with allocation @n failing.  Returns false once create made
 * fewer than @n allocations (the loop is done).
 */
static bool st_fault_create(struct kunit *test, struct st_store_client *sc,
			    struct st_client *client, int n)
{
	struct device *dev = st_client_dev(client);
	struct st_fault_snapshot snap;
	struct scheduled_task *task;
	unsigned int left;

	st_fault_snap(sc, NULL, &snap);
	st_fail_nth_set(n);
	task = devm_scheduled_task_create(dev, &sc->cfg[0]);
	left = st_fail_nth_get();
	st_fail_nth_set(0);

	if (IS_ERR(task)) {
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(task), -ENOMEM,
				    "allocation %d failed", n);
		KUNIT_EXPECT_FALSE_MSG(test, st_fault_published(dev, sc->cfg[0].name),
				       "allocation %d: a class device is left", n);
		st_fault_unchanged(test, sc, NULL, &snap, n);
	} else {
		/* Absorbed (a uevent, say): a task whose state is its own. */
		KUNIT_EXPECT_TRUE_MSG(test, st_fault_published(dev, sc->cfg[0].name),
				      "allocation %d: created but not in sysfs", n);
		if (!left && !strcmp(st_state_name(task), "completed"))
			KUNIT_EXPECT_EQ(test, st_get(test, task), 1);
		/* The next round starts from a record that says "never ran". */
		if (sc->cfg[0].persistence == PERS)
			KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 0), 0);
	}
	/* Unbind (devm destroys the task), rebind, a blank store. */
	st_reboot(test, client);
	memset(st_nv.mem, 0, sizeof(st_nv.mem));
	return !left;
}

/* One operation on a live task with allocation @n failing. */
static bool st_fault_call(struct kunit *test, struct st_store_client *sc,
			  struct scheduled_task *task, enum st_fault_op op, int n)
{
	struct st_fault_snapshot snap;
	unsigned int left;
	u32 got = 0xdead;
	int err;

	st_fault_snap(sc, task, &snap);
	st_fail_nth_set(n);
	switch (op) {
	case ST_FAULT_SET:
		err = scheduled_task_times_run_set(task, 0);
		break;
	case ST_FAULT_GET:
		err = scheduled_task_times_run_get(task, &got);
		break;
	case ST_FAULT_LEGACY:
		err = scheduled_task_execute_now_deferred(task, &sc->rec->self);
		break;
	default:
		err = scheduled_task_execute_now_deferred_ex(task);
		break;
	}
	left = st_fail_nth_get();
	st_fail_nth_set(0);
	st_flush(task);

	if (err) {
		KUNIT_EXPECT_EQ_MSG(test, err, -ENOMEM, "allocation %d failed", n);
		st_fault_unchanged(test, sc, task, &snap, n);
		if (op == ST_FAULT_GET)
			KUNIT_EXPECT_EQ(test, got, 0xdead);
	} else if (op == ST_FAULT_GET) {
		KUNIT_EXPECT_EQ_MSG(test, got, 1, "allocation %d", n);
	} else if (op == ST_FAULT_SET) {
		/* Done: put the completed count back for the next round. */
		KUNIT_EXPECT_EQ(test, st_get(test, task), 0);
		KUNIT_EXPECT_EQ(test, scheduled_task_times_run_set(task, 1), 0);
	}
	return !left;
}

static void s11_allocation_failures_change_nothing(struct kunit *test)
{
	const struct st_fault_param *p = test->param_value;
	struct st_store_client *sc = st_store_client(test);
	struct st_client *client;
	struct scheduled_task *task = NULL;
	int n;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "needs CONFIG_FAILSLAB");
	st_store_setup(test, p->store, ST_NV_NAME ":128:64");
	/* The only kind of failure here is the injected one. */
	st_fail_nth_set(1);
	kfree(kmalloc(8, GFP_KERNEL));
	n = st_fail_nth_get();
	st_fail_nth_set(0);
	if (n)
		kunit_skip(test, "failslab cannot fail GFP_KERNEL allocations (ignore-gfp-wait)");

	st_store_task(sc, "faulty", p->cell);
	sc->cfg[0].persistence = p->persistence;
	sc->cfg[0].mode = p->mode;
	sc->cfg[0].when = p->when;
	if (p->op != ST_FAULT_CREATE) {
		client = st_store_bind(sc);
		task = sc->task[0];
		KUNIT_ASSERT_NOT_NULL(test, task);
	} else {
		/* The probe adds the cell lookup only; the test creates. */
		sc->ntasks = 0;
		client = st_store_bind(sc);
	}

	for (n = 1; n < 1000; n++) {
		bool more = p->op == ST_FAULT_CREATE ?
			st_fault_create(test, sc, client, n) :
			st_fault_call(test, sc, task, p->op, n);
		if (!more)
			break;
	}
	KUNIT_EXPECT_LT(test, n, 1000);
	/* The host adds these up: "<n> allocation points". */
	kunit_info(test, "alloc-faults: %s: %d allocation points", p->desc, n - 1);
}

static struct kunit_case st_store_cases[] = {
	KUNIT_CASE(s01_parameters_reject_bad_input),
	KUNIT_CASE(s01_parameters_hostile_writes),
	KUNIT_CASE(s02_auto_tries_cell_then_region_then_efivar),
	KUNIT_CASE(s02_auto_without_any_store_is_enodev),
	KUNIT_CASE(s03_forced_store_must_be_there),
	KUNIT_CASE(s04_cell_runs_once_across_reboots),
	KUNIT_CASE(s05_not_persistent_never_touches_nvmem),
	KUNIT_CASE(s06_region_gives_each_task_a_slot),
	KUNIT_CASE(s06_region_links_the_client_to_its_provider),
	KUNIT_CASE(s06_region_claims_race_safely),
	KUNIT_CASE(s06_region_record_found_in_any_slot),
	KUNIT_CASE(s06_region_read_once_at_create),
	KUNIT_CASE(s06_region_growth_keeps_every_record),
	KUNIT_CASE(s06_region_rotten_slot),
	KUNIT_CASE(s06_region_full_repaired_through_sysfs),
	KUNIT_CASE(s07_read_error_refuses_to_run),
	KUNIT_CASE(s07_unwritable_store_refuses_the_first_run),
	KUNIT_CASE(s07_dropped_write_fails_the_read_back),
	KUNIT_CASE_PARAM(s08_torn_write_reads_old_or_new, st_tear_gen_params),
	KUNIT_CASE(s09_one_damaged_copy_loses_nothing),
	KUNIT_CASE(s09_both_copies_damaged_is_a_store_error),
	KUNIT_CASE(s10_cmos_region),
	KUNIT_CASE_PARAM_ATTR(s11_allocation_failures_change_nothing,
			      st_fault_gen_params, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(s12_record_pins_its_store),
	KUNIT_CASE(s13_whole_record_backend_saves_once),
	KUNIT_CASE(s13_efivar_names_are_injective),
	KUNIT_CASE(s14_key_is_the_firmware_node_path),
	KUNIT_CASE(s14_renumbered_device_keeps_its_record),
	KUNIT_CASE(s14_one_identity_one_live_task),
	KUNIT_CASE(s14_record_of_the_former_key_is_taken_over),
	{}
};

static struct kunit_suite st_store_suite = {
	.name = "scheduled_task_store",
	.suite_init = st_store_suite_init,
	.suite_exit = st_store_suite_exit,
	.test_cases = st_store_cases,
};

kunit_test_suite(st_store_suite);
