// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task "efivar" store: one non-volatile EFI variable per task,
 * holding its record (ST_RECORD_SIZE bytes, both copies).
 *
 * The variable is named ScheduledTask-<driver>-<device>-<task> (the task
 * key with '/' made '-' and anything but [A-Za-z0-9._-] made '_') under the
 * project's vendor GUID ST_EFI_GUID, with attributes NV|BS|RT.  From a
 * shell, with efivarfs mounted, it is
 * /sys/firmware/efi/efivars/ScheduledTask-<...>-81e7533c-5260-4bee-bd13-571d974fccfb
 *
 * Firmware writes a variable as a whole and atomically (UEFI requires
 * fault-tolerant variable writes), so the two copies guard against
 * firmware that does not, and keep one format for every store.
 */

#include <linux/ctype.h>
#include <linux/efi.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "scheduled_task_compat.h"
#include "scheduled_task_internal.h"

MODULE_IMPORT_NS(EFIVAR);

/* The scheduled_task vendor GUID: its variables and nobody else's. */
#define ST_EFI_GUID	EFI_GUID(0x81e7533c, 0x5260, 0x4bee, \
				 0xbd, 0x13, 0x57, 0x1d, 0x97, 0x4f, 0xcc, 0xfb)

#define ST_EFI_PREFIX	"ScheduledTask-"
#define ST_EFI_ATTR	(EFI_VARIABLE_NON_VOLATILE | \
			 EFI_VARIABLE_BOOTSERVICE_ACCESS | \
			 EFI_VARIABLE_RUNTIME_ACCESS)

struct st_efivar {
	efi_guid_t guid;
	efi_char16_t name[sizeof(ST_EFI_PREFIX) + ST_KEY_MAX];
};

/* UCS-2, NUL-terminated; the key is ASCII in practice, anything else is '_'. */
static void st_efivar_name(struct st_efivar *v, const char *key)
{
	const char *prefix = ST_EFI_PREFIX;
	size_t i = 0;

	while (*prefix)
		v->name[i++] = *prefix++;
	for (; *key && i < ARRAY_SIZE(v->name) - 1; key++) {
		char c = *key;

		if (c == '/')
			c = '-';
		else if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			c = '_';
		v->name[i++] = c;
	}
	v->name[i] = 0;
}

static int st_efivar_attach(struct scheduled_task *task)
{
	struct st_efivar *v;

	if (!st_efivar_supported())
		return -ENODEV;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->guid = ST_EFI_GUID;
	st_efivar_name(v, task->key);
	task->store_priv = v;
	return 0;
}

static void st_efivar_detach(struct scheduled_task *task)
{
	kfree(task->store_priv);
	task->store_priv = NULL;
}

static int st_efivar_load(struct scheduled_task *task, u8 *area)
{
	struct st_efivar *v = task->store_priv;
	unsigned long size = ST_RECORD_SIZE;
	efi_status_t status;
	u32 attr;
	int err;

	/* efivars can go away (efi=noruntime, a driver unload) after attach. */
	if (!st_efivar_supported())
		return -ENODEV;
	err = efivar_lock();
	if (err)
		return err;
	status = efivar_get_variable(v->name, &v->guid, &attr, &size, area);
	efivar_unlock();

	if (status == EFI_NOT_FOUND) {
		memset(area, 0, ST_RECORD_SIZE);
		return 0;
	}
	if (status == EFI_BUFFER_TOO_SMALL ||
	    (status == EFI_SUCCESS && size != ST_RECORD_SIZE)) {
		dev_err(&task->dev, "efivar: variable has the wrong size\n");
		return -EBADMSG;
	}
	return efi_status_to_err(status);
}

/*
 * A variable is replaced whole by one SetVariable, which the firmware makes
 * atomic (EDK2's fault-tolerant write): each save writes the whole record
 * it is handed, not just its range, so the first save of a new count
 * already lands it in both copies and the second writes the same bytes
 * again.
 */
static int st_efivar_save(void *ctx, const u8 *area, unsigned int off,
			  unsigned int len)
{
	struct scheduled_task *task = ctx;
	struct st_efivar *v = task->store_priv;
	u8 buf[ST_RECORD_SIZE];
	efi_status_t status;

	if (!st_efivar_supported())
		return -ENODEV;
	memcpy(buf, area, sizeof(buf));
	status = efivar_set_variable(v->name, &v->guid, ST_EFI_ATTR,
				     sizeof(buf), buf);
	return efi_status_to_err(status);
}

static const struct st_area_io st_efivar_io = {
	.load = st_efivar_load,
	.save = st_efivar_save,
};

const struct st_store_ops st_efivar_ops = {
	.name = "efivar",
	.unavailable = "no EFI runtime variable services",
	.attach = st_efivar_attach,
	.detach = st_efivar_detach,
	.area = &st_efivar_io,
};
