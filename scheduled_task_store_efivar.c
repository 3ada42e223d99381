// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task "efivar" store: one non-volatile EFI variable per task,
 * holding its record (ST_RECORD_SIZE bytes, both copies).
 *
 * The variable is named ScheduledTask-<key> under the project's vendor
 * GUID ST_EFI_GUID, with attributes NV|BS|RT, where <key> is the task key
 * "<driver>/<device>/<task>" percent-encoded: A-Z, a-z, 0-9, '_', '.' and
 * '-' as they are, every other byte (the '/' separators among them) as
 * %XX.  The encoding is injective, so two keys never share a variable.
 * From a shell, with efivarfs mounted, task st_sample/st_sample/probe-p is
 * the file ScheduledTask-st_sample%2Fst_sample%2Fprobe-p-<ST_EFI_GUID> in
 * /sys/firmware/efi/efivars/.
 *
 * Versions before this encoding named the variable with '/' made '-' and
 * other bytes made '_', which is not injective, and keyed a device with a
 * firmware node by its dev_name() (struct scheduled_task.former_key): a
 * task with no variable under its name takes over its record from the
 * first of those former names that holds a record of its own, moving it
 * to the new name.
 *
 * Firmware replaces a variable whole and atomically (UEFI requires
 * fault-tolerant variable writes), so a logical write is one SetVariable
 * of the whole record (struct st_area_io.whole); the two copies keep one
 * format for every store and guard against firmware that tears a write.
 * A write that would leave less than ST_EFI_MIN_RESERVE bytes of variable
 * storage is refused with -ENOSPC: some firmware does not boot with a full
 * store.
 */

#include <linux/ctype.h>
#include <linux/efi.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/ucs2_string.h>

#include "scheduled_task_compat.h"
#include "scheduled_task_internal.h"

MODULE_IMPORT_NS(EFIVAR);

/* The scheduled_task vendor GUID: its variables and nobody else's. */
#define ST_EFI_GUID	EFI_GUID(0x81e7533c, 0x5260, 0x4bee, \
				 0xbd, 0x13, 0x57, 0x1d, 0x97, 0x4f, 0xcc, 0xfb)

#define ST_EFI_PREFIX	"ScheduledTask-"
/* What x86 Linux keeps free in the variable store (EFI_MIN_RESERVE). */
#define ST_EFI_MIN_RESERVE	5120
#define ST_EFI_ATTR	(EFI_VARIABLE_NON_VOLATILE | \
			 EFI_VARIABLE_BOOTSERVICE_ACCESS | \
			 EFI_VARIABLE_RUNTIME_ACCESS)

#define ST_EFI_NAME_MAX	(sizeof(ST_EFI_PREFIX) + 3 * ST_KEY_MAX)

/**
 * struct st_efivar - a task's variable
 * @guid: ST_EFI_GUID.
 * @name: the variable name, UCS-2, NUL-terminated.
 */
struct st_efivar {
	efi_guid_t guid;
	efi_char16_t name[ST_EFI_NAME_MAX];
};

static bool st_efivar_plain(u8 c)
{
	return isascii(c) && (isalnum(c) || c == '_' || c == '.' || c == '-');
}

/* Percent-encoding: injective, see the top of this file. */
VISIBLE_IF_KUNIT void st_efivar_name(efi_char16_t *name, size_t len, const char *key)
{
	const char *prefix = ST_EFI_PREFIX;
	size_t i = 0;

	while (*prefix)
		name[i++] = *prefix++;
	for (; *key && i + 3 < len; key++) {
		u8 c = *key;

		if (st_efivar_plain(c)) {
			name[i++] = c;
			continue;
		}
		name[i++] = '%';
		name[i++] = hex_asc_upper_hi(c);
		name[i++] = hex_asc_upper_lo(c);
	}
	name[i] = 0;
}
EXPORT_SYMBOL_IF_KUNIT(st_efivar_name);

/* The name versions before the percent-encoding used. */
VISIBLE_IF_KUNIT void st_efivar_legacy_name(efi_char16_t *name, size_t len,
					    const char *key)
{
	const char *prefix = ST_EFI_PREFIX;
	size_t i = 0;

	while (*prefix)
		name[i++] = *prefix++;
	for (; *key && i < len - 1; key++) {
		char c = *key;

		if (c == '/')
			c = '-';
		else if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			c = '_';
		name[i++] = c;
	}
	name[i] = 0;
}
EXPORT_SYMBOL_IF_KUNIT(st_efivar_legacy_name);

static int st_efivar_attach(struct scheduled_task *task)
{
	struct st_efivar *v;

	if (!st_efivar_supported())
		return -ENODEV;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->guid = ST_EFI_GUID;
	st_efivar_name(v->name, ST_EFI_NAME_MAX, task->key);
	task->store_priv = v;
	return 0;
}

static void st_efivar_detach(struct scheduled_task *task)
{
	kfree(task->store_priv);
	task->store_priv = NULL;
}

/* Read variable @name into @area; efivar lock held. */
static efi_status_t st_efivar_get(struct st_efivar *v, efi_char16_t *name,
				  u8 *area, unsigned long *size)
{
	u32 attr;

	*size = ST_RECORD_SIZE;
	return efivar_get_variable(name, &v->guid, &attr, size, area);
}

/*
 * No variable under the task's name: take over the task's own record (the
 * key hash says whose it is) from the first former name that holds one,
 * moving it to the new name and deleting the former variable.  If the
 * move fails, the record is still honoured and the move is tried again at
 * the next read.  Efivar lock held.  Return: 0 with the record in @area,
 * -ENOENT when no former name holds one, -ENOMEM.
 */
static const struct {
	void (*encode)(efi_char16_t *name, size_t len, const char *key);
	bool of_former_key;
} st_efivar_former_names[] = {
	{ st_efivar_legacy_name, false },
	{ st_efivar_name, true },
	{ st_efivar_legacy_name, true },
};

static int st_efivar_take_former(struct scheduled_task *task,
				 struct st_efivar *v, u8 *area)
{
	efi_char16_t *former;
	efi_status_t status;
	struct st_record rec;
	unsigned long size;
	const char *key;
	int i;

	former = kmalloc_array(ST_EFI_NAME_MAX, sizeof(*former), GFP_KERNEL);
	if (!former)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(st_efivar_former_names); i++) {
		key = st_efivar_former_names[i].of_former_key ?
		      task->former_key : task->key;
		if (!key)
			continue;
		st_efivar_former_names[i].encode(former, ST_EFI_NAME_MAX, key);
		status = st_efivar_get(v, former, area, &size);
		if (status != EFI_SUCCESS || size != ST_RECORD_SIZE)
			continue;
		st_store_decode(task, area, &rec);
		if (rec.state == ST_RECORD_OURS)
			break;
	}
	if (i == ARRAY_SIZE(st_efivar_former_names)) {
		kfree(former);
		return -ENOENT;
	}
	status = efivar_set_variable_locked(v->name, &v->guid, ST_EFI_ATTR,
					    ST_RECORD_SIZE, area, false);
	if (status == EFI_SUCCESS)
		efivar_set_variable_locked(former, &v->guid, 0, 0, NULL, false);
	kfree(former);
	dev_info(&task->dev, "efivar: record moved from a former variable name: %s\n",
		 status == EFI_SUCCESS ? "done" : "failed, kept");
	return 0;
}

static int st_efivar_load(struct scheduled_task *task, u8 *area)
{
	struct st_efivar *v = task->store_priv;
	unsigned long size = ST_RECORD_SIZE;
	efi_status_t status;
	int err;

	/* efivars can go away (efi=noruntime, a driver unload) after attach. */
	if (!st_efivar_supported())
		return -ENODEV;
	err = efivar_lock();
	if (err)
		return err;
	status = st_efivar_get(v, v->name, area, &size);
	if (status == EFI_NOT_FOUND)
		err = st_efivar_take_former(task, v, area);
	efivar_unlock();

	if (status == EFI_NOT_FOUND) {
		if (err == -ENOENT)
			memset(area, 0, ST_RECORD_SIZE);
		return err == -ENOENT ? 0 : err;
	}
	if (status == EFI_BUFFER_TOO_SMALL ||
	    (status == EFI_SUCCESS && size != ST_RECORD_SIZE)) {
		dev_err_ratelimited(&task->dev, "efivar: variable has the wrong size\n");
		return -EBADMSG;
	}
	return efi_status_to_err(status);
}

/* Whether a @size-byte variable @name fits, keeping the reserve free. */
static bool st_efivar_fits(const efi_char16_t *name, unsigned long size)
{
	u64 storage, remaining, max_size;
	efi_status_t status;

	status = efivar_query_variable_info(ST_EFI_ATTR, &storage, &remaining,
					    &max_size);
	if (status != EFI_SUCCESS)
		return true;	/* not told: SetVariable will say */
	size += ucs2_strsize((efi_char16_t *)name, 1024);
	return remaining >= size && remaining - size >= ST_EFI_MIN_RESERVE;
}

/* One SetVariable of the whole record (st_area_io.whole). */
static int st_efivar_save(void *ctx, const u8 *area, unsigned int off,
			  unsigned int len)
{
	struct scheduled_task *task = ctx;
	struct st_efivar *v = task->store_priv;
	u8 buf[ST_RECORD_SIZE];
	efi_status_t status;
	int err;

	if (!st_efivar_supported())
		return -ENODEV;
	memcpy(buf, area, sizeof(buf));
	err = efivar_lock();
	if (err)
		return err;
	if (!st_efivar_fits(v->name, sizeof(buf))) {
		efivar_unlock();
		dev_err_ratelimited(&task->dev, "efivar: the variable store is full: writing the record would leave less than %d bytes free\n",
				    ST_EFI_MIN_RESERVE);
		return -ENOSPC;
	}
	status = efivar_set_variable_locked(v->name, &v->guid, ST_EFI_ATTR,
					    sizeof(buf), buf, false);
	efivar_unlock();
	return efi_status_to_err(status);
}

static const struct st_area_io st_efivar_io = {
	.load = st_efivar_load,
	.save = st_efivar_save,
	.whole = true,
};

const struct st_store_ops st_efivar_ops = {
	.name = "efivar",
	.unavailable = "no EFI runtime variable services",
	.attach = st_efivar_attach,
	.detach = st_efivar_detach,
	.area = &st_efivar_io,
};
