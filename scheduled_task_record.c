// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task record format: how a run count sits in firmware-backed
 * storage, shared by every backend (see Documentation/scheduled_task.rst,
 * "Record layout").
 *
 * A record area is two 16-byte copies.  Each copy carries a format
 * version, a generation number, a hash of the task key, the run count and
 * a crc32 over the rest; the newest valid copy of the task's key is the
 * record.  A write puts the new count in both copies, one after the other:
 * first the older copy, with the next generation, then the newer one,
 * with the generation after that.  A power cut during either write leaves
 * the old or the new count readable, and once a write is complete a
 * single damaged copy loses nothing.
 *
 * A blank copy 0 (all 0x00 or all 0xff) means no record was ever
 * committed: the first write goes to copy 1 first, so a cut before copy 0
 * is written reads as "absent" (the old count, 0), never as garbage.
 */

#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "scheduled_task_internal.h"

#define ST_RECORD_VERSION	1

/* One copy, little endian; crc is crc32 (IEEE 802.3) of the bytes before it. */
struct st_record_copy {
	u8 version;
	u8 reserved;
	__le16 generation;
	__le32 key_hash;
	__le32 times_run;
	__le32 crc;
} __packed;

static_assert(sizeof(struct st_record_copy) * 2 == ST_RECORD_SIZE);

static u32 st_crc32(const void *p, size_t len)
{
	return crc32_le(~0, p, len) ^ ~0;
}

/**
 * st_record_key_hash() - the hash that ties a record to its task
 * @key: the task key, "<driver>/<device>/<task>".
 *
 * Return: crc32 of @key.
 */
u32 st_record_key_hash(const char *key)
{
	return st_crc32(key, strlen(key));
}

static bool st_copy_blank(const struct st_record_copy *c)
{
	return !memchr_inv(c, 0, sizeof(*c)) || !memchr_inv(c, 0xff, sizeof(*c));
}

static bool st_copy_valid(const struct st_record_copy *c)
{
	return c->version == ST_RECORD_VERSION && !c->reserved &&
	       le32_to_cpu(c->crc) == st_crc32(c, offsetof(typeof(*c), crc));
}

/**
 * st_record_decode() - interpret a record area
 * @area: %ST_RECORD_SIZE bytes as read from the store.
 * @key_hash: st_record_key_hash() of the reading task.
 * @rec: the result.
 *
 * Sets @rec->state to ST_RECORD_ABSENT (never committed), ST_RECORD_OURS
 * (@rec->times_run is the newest valid copy's count), ST_RECORD_FOREIGN
 * (valid, but another task's) or ST_RECORD_CORRUPT (no copy passes its
 * checks).
 */
void st_record_decode(const u8 *area, u32 key_hash, struct st_record *rec)
{
	const struct st_record_copy *c = (const void *)area;
	bool foreign = false;
	int i;

	memset(rec, 0, sizeof(*rec));
	rec->newest = -1;
	if (st_copy_blank(&c[0])) {
		rec->state = ST_RECORD_ABSENT;
		return;
	}
	for (i = 0; i < 2; i++) {
		u16 gen = le16_to_cpu(c[i].generation);

		if (!st_copy_valid(&c[i]))
			continue;
		if (le32_to_cpu(c[i].key_hash) != key_hash) {
			foreign = true;
			continue;
		}
		/* Generations wrap: newer means ahead by less than half. */
		if (rec->newest < 0 || (s16)(gen - rec->generation) > 0) {
			rec->newest = i;
			rec->generation = gen;
			rec->times_run = le32_to_cpu(c[i].times_run);
		}
	}
	if (rec->newest >= 0)
		rec->state = ST_RECORD_OURS;
	else
		rec->state = foreign ? ST_RECORD_FOREIGN : ST_RECORD_CORRUPT;
}
EXPORT_SYMBOL_IF_KUNIT(st_record_decode);

static void st_copy_encode(struct st_record_copy *c, u16 generation,
			   u32 key_hash, u32 times_run)
{
	c->version = ST_RECORD_VERSION;
	c->reserved = 0;
	c->generation = cpu_to_le16(generation);
	c->key_hash = cpu_to_le32(key_hash);
	c->times_run = cpu_to_le32(times_run);
	c->crc = cpu_to_le32(st_crc32(c, offsetof(typeof(*c), crc)));
}

/**
 * st_record_commit() - write a new run count into a record area
 * @task: the task; its logical write counter is bumped.
 * @area: the area as read and decoded into @rec; updated in place.
 * @rec: the decoded state of @area.
 * @times_run: the new count.
 * @save: writes @len bytes at @off of the new @area to the store and
 *	returns 0 once they are durable.
 * @ctx: passed to @save.
 *
 * Writes nothing when @rec already holds @times_run (an absent record
 * holds 0).  Otherwise one logical write, two saves: the older copy (copy
 * 1 for an absent or corrupt record), then the other one.
 *
 * Return: 0 or @save's error.
 */
int st_record_commit(struct scheduled_task *task, u8 *area,
		     const struct st_record *rec, u32 times_run,
		     int (*save)(void *ctx, const u8 *area, unsigned int off,
				 unsigned int len),
		     void *ctx)
{
	struct st_record_copy *c = (void *)area;
	const unsigned int n = sizeof(*c);
	u16 gen = 0;
	int first = 1, err;

	if (rec->state == ST_RECORD_OURS && rec->times_run == times_run)
		return 0;
	if (rec->state == ST_RECORD_ABSENT && !times_run)
		return 0;

	task->store_writes++;
	if (rec->state == ST_RECORD_OURS) {
		first = !rec->newest;
		gen = rec->generation;
	}
	st_copy_encode(&c[first], gen + 1, task->key_hash, times_run);
	err = save(ctx, area, first * n, n);
	if (err)
		return err;
	st_copy_encode(&c[!first], gen + 2, task->key_hash, times_run);
	return save(ctx, area, !first * n, n);
}

/**
 * st_record_result() - the run count, or the error, a decoded record gives
 * @task: the task, for the log.
 * @rec: the decoded record.
 * @times_run: set for an absent (0) or own record.
 *
 * Return: 0, or -EBADMSG for a record that is corrupt or another task's.
 */
int st_record_result(struct scheduled_task *task, const struct st_record *rec,
		     u32 *times_run)
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

/* Load and decode a single-record backend's area. */
static int st_area_load(struct scheduled_task *task, const struct st_area_io *io,
			u8 *area, struct st_record *rec)
{
	int err = io->load(task, area);

	if (!err)
		st_record_decode(area, task->key_hash, rec);
	return err;
}

/**
 * st_area_read() - read the run count from a single-record backend
 * @task: the task.
 * @io: the backend's area accessors.
 * @times_run: where to put the count.
 *
 * Return: 0, the backend's error, or -EBADMSG (see st_record_result()).
 */
int st_area_read(struct scheduled_task *task, const struct st_area_io *io,
		 u32 *times_run)
{
	u8 area[ST_RECORD_SIZE];
	struct st_record rec;
	int err;

	err = st_area_load(task, io, area, &rec);
	return err ?: st_record_result(task, &rec, times_run);
}

/**
 * st_area_write() - write the run count to a single-record backend
 * @task: the task.
 * @io: the backend's area accessors.
 * @times_run: the new count.
 *
 * Rewrites a corrupt record (an administrator's repair) but refuses to
 * overwrite another task's.
 *
 * Return: 0, the backend's error, or -EBADMSG.
 */
int st_area_write(struct scheduled_task *task, const struct st_area_io *io,
		  u32 times_run)
{
	u8 area[ST_RECORD_SIZE];
	struct st_record rec;
	int err;

	err = st_area_load(task, io, area, &rec);
	if (err)
		return err;
	if (rec.state == ST_RECORD_FOREIGN)
		return st_record_result(task, &rec, &times_run);
	return st_record_commit(task, area, &rec, times_run, io->save, task);
}
