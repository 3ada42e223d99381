// SPDX-License-Identifier: GPL-2.0
/*
 * scheduled_task record format: how a run count sits in firmware-backed
 * storage, shared by every backend (see Documentation/scheduled_task.rst,
 * "Record layout").  A pure codec: bytes in, bytes and a save order out;
 * no task, device or log.  The store layer (scheduled_task_store.c) does
 * the I/O and decides what a decoded record means for a task.
 *
 * A record area is two 16-byte copies.  Each copy carries a format
 * version, a generation number, a hash of the task key, the run count and
 * a crc32 over the rest; the newest valid copy of the task's key is the
 * record.  A write puts the new count in both copies, one after the other:
 * first the copy that does not hold the newest count, with the next
 * generation, then the other one, with the generation after that.  A
 * power cut during the first save leaves the old count readable, one
 * during the second the new count, and once a write is complete a single
 * damaged copy, whatever the damage, loses nothing.
 */

#include <linux/crc32.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <kunit/visibility.h>

#include "scheduled_task_record.h"

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

static_assert(sizeof(struct st_record_copy) == ST_RECORD_COPY_SIZE);
static_assert(ST_RECORD_COPY_SIZE * 2 == ST_RECORD_SIZE);

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
EXPORT_SYMBOL_IF_KUNIT(st_record_key_hash);

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
 * Each copy is judged on its own, so no damage to one copy (erased,
 * zeroed, half written) hides the other.  @rec->state is:
 * ST_RECORD_OURS when a copy is valid and carries @key_hash (@rec holds
 * the newest such copy); otherwise ST_RECORD_FOREIGN when a copy is valid
 * but another key's; otherwise ST_RECORD_ABSENT when a copy is blank (all
 * 0x00 or all 0xff: never written, or the first write was cut before it
 * completed a copy); otherwise ST_RECORD_CORRUPT.
 */
void st_record_decode(const u8 *area, u32 key_hash, struct st_record *rec)
{
	const struct st_record_copy *c = (const void *)area;
	bool foreign = false, blank = false;
	int i;

	memset(rec, 0, sizeof(*rec));
	rec->newest = -1;
	rec->key_hash = key_hash;
	for (i = 0; i < 2; i++) {
		u16 gen = le16_to_cpu(c[i].generation);

		if (!st_copy_valid(&c[i])) {
			blank |= st_copy_blank(&c[i]);
			continue;
		}
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
	else if (foreign)
		rec->state = ST_RECORD_FOREIGN;
	else if (blank)
		rec->state = ST_RECORD_ABSENT;
	else
		rec->state = ST_RECORD_CORRUPT;
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
 * st_record_update() - plan the saves that write a new run count
 * @area: the area as read, decoded into @rec; on return, what the store
 *	holds once the plan is carried out.
 * @rec: the decoded state of @area.
 * @key_hash: the writing task's key hash.
 * @times_run: the new count.
 * @plan: on return, the saves to make in order, each durable before the
 *	next starts; none when @rec is @key_hash's and holds @times_run.
 *	A record of ours decoded with another key hash (the key the task
 *	had before) is written again under @key_hash.
 *	An absent record is written even for 0: that proves the store
 *	writable before a first run.
 *
 * The copy that does not hold the newest valid count goes first, so a
 * cut at any byte of its save reads as the old or the new count, and a
 * cut after it as the new one.  When that copy is damaged (neither valid
 * nor blank) it may hold the tail of an earlier write that was cut, with
 * the header this write is about to give it: this write's head and that
 * tail would make that earlier copy whole again, a count nobody
 * committed.  So its crc is spoiled first (set to the complement of the
 * new copy's), and no mix of old, earlier and new bytes checks out.
 * The caller refuses to overwrite another key's record.
 */
void st_record_update(u8 *area, const struct st_record *rec, u32 key_hash,
		      u32 times_run, struct st_record_plan *plan)
{
	struct st_record_copy *c = (void *)area, *spoilt;
	unsigned int first_off;
	u16 gen = 0;
	int first = 0;

	plan->saves = 0;
	if (rec->state == ST_RECORD_OURS && rec->times_run == times_run &&
	    rec->key_hash == key_hash)
		return;

	if (rec->state == ST_RECORD_OURS) {
		first = !rec->newest;
		gen = rec->generation;
	}
	first_off = first * ST_RECORD_COPY_SIZE;
	memcpy(plan->spoilt, area, ST_RECORD_SIZE);
	spoilt = (void *)plan->spoilt;
	st_copy_encode(&c[first], gen + 1, key_hash, times_run);
	st_copy_encode(&c[!first], gen + 2, key_hash, times_run);

	if (!st_copy_valid(&spoilt[first]) && !st_copy_blank(&spoilt[first])) {
		spoilt[first].crc = ~c[first].crc;
		plan->save[plan->saves++] = (struct st_record_save) {
			plan->spoilt, first_off + offsetof(typeof(*c), crc),
			sizeof(c->crc)
		};
	}
	plan->save[plan->saves++] = (struct st_record_save) {
		area, first_off, ST_RECORD_COPY_SIZE
	};
	plan->save[plan->saves++] = (struct st_record_save) {
		area, !first * ST_RECORD_COPY_SIZE, ST_RECORD_COPY_SIZE
	};
}
EXPORT_SYMBOL_IF_KUNIT(st_record_update);
