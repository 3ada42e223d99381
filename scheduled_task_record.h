/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scheduled_task record codec (scheduled_task_record.c): the bytes of a
 * persistent run count, independent of any task, device or store.
 */
#ifndef _SCHEDULED_TASK_RECORD_H
#define _SCHEDULED_TASK_RECORD_H

#include <linux/types.h>

/* A record is two copies of 16 bytes. */
#define ST_RECORD_COPY_SIZE	16
#define ST_RECORD_SIZE		(2 * ST_RECORD_COPY_SIZE)

enum st_record_state {
	ST_RECORD_ABSENT,	/* never committed: reads as 0 */
	ST_RECORD_OURS,
	ST_RECORD_FOREIGN,	/* valid, but another task key's */
	ST_RECORD_CORRUPT,	/* no copy passes its checks */
};

/**
 * struct st_record - a decoded record area
 * @state: what the area holds.
 * @newest: index of the newest valid copy of ours, -1 if none.
 * @generation: that copy's generation.
 * @times_run: that copy's run count.
 * @key_hash: the key hash the record was decoded with.
 */
struct st_record {
	enum st_record_state state;
	int newest;
	u16 generation;
	u32 times_run;
	u32 key_hash;
};

/**
 * struct st_record_save - one write to the store
 * @from: the bytes: the store gets @from[@off .. @off + @len).
 * @off: where, within the record.
 * @len: how many.
 */
struct st_record_save {
	const u8 *from;
	unsigned int off;
	unsigned int len;
};

/**
 * struct st_record_plan - the saves that write a new run count
 * @saves: how many of @save to make, in order: 0, 2 or 3.
 * @save: the saves.
 * @spoilt: the record as read with the first copy's crc spoiled, which a
 *	first save may write.
 */
struct st_record_plan {
	int saves;
	struct st_record_save save[3];
	u8 spoilt[ST_RECORD_SIZE];
};

u32 st_record_key_hash(const char *key);
void st_record_decode(const u8 *area, u32 key_hash, struct st_record *rec);
void st_record_update(u8 *area, const struct st_record *rec, u32 key_hash,
		      u32 times_run, struct st_record_plan *plan);

#endif /* _SCHEDULED_TASK_RECORD_H */
