// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "scheduled_task_record": the record codec against power
 * cuts, exhaustively.  A store is 32 bytes of memory; a write follows the
 * codec's save order, and the power is cut after every prefix of every
 * save (the bytes landing first to last, or last to first), then again at
 * every point of the first write after that "reboot".  After every cut the
 * record must decode to the old or the new count, never to a corrupt or
 * foreign record: a cut in the first save may leave either (the bytes not
 * yet written can already hold the new values, completing the copy), a
 * cut in the second save or later leaves the new count.
 */

#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "../scheduled_task_record.h"

#define KEY		0x5eed1234u
#define OTHER_KEY	0x0bad0badu
#define COPY		ST_RECORD_COPY_SIZE

struct st_store_image {
	u8 mem[ST_RECORD_SIZE];
};

/* The count a store image reads as, or -1 for a corrupt/foreign record. */
static long st_read(const struct st_store_image *img)
{
	struct st_record rec;

	st_record_decode(img->mem, KEY, &rec);
	switch (rec.state) {
	case ST_RECORD_ABSENT:
		return 0;
	case ST_RECORD_OURS:
		return rec.times_run;
	default:
		return -1;
	}
}

/*
 * Write @times_run into @img as the store layer does, with the power cut
 * once @cut bytes have landed: the saves in the codec's order, each one's
 * bytes first to last or, with @reverse, last to first.  Returns -1 when
 * the write completed (or had nothing to write), else 1 when the cut came
 * after the first copy of the new count was whole, 0 when before.
 */
static int st_write_cut(struct st_store_image *img, u32 times_run, int cut,
			bool reverse)
{
	u8 area[ST_RECORD_SIZE];
	struct st_record_plan plan;
	struct st_record rec;
	int i;

	memcpy(area, img->mem, sizeof(area));
	st_record_decode(area, KEY, &rec);
	st_record_update(area, &rec, KEY, times_run, &plan);
	for (i = 0; i < plan.saves; i++) {
		const struct st_record_save *sv = &plan.save[i];
		int bytes = min_t(int, cut, sv->len);
		unsigned int at = reverse ? sv->off + sv->len - bytes : sv->off;

		memcpy(img->mem + at, sv->from + at, bytes);
		cut -= bytes;
		if (bytes < sv->len)
			return i == plan.saves - 1;
	}
	return -1;
}

static void st_write(struct st_store_image *img, u32 times_run)
{
	st_write_cut(img, times_run, INT_MAX, false);
}

/* Where a transition starts, and the count it writes. */
struct st_transition {
	const char *desc;
	void (*start)(struct st_store_image *img);
	long before;		/* what the start image reads as */
	u32 after;		/* the count written */
};

static void st_blank0(struct st_store_image *img)
{
	memset(img->mem, 0, sizeof(img->mem));
}

static void st_erased(struct st_store_image *img)
{
	memset(img->mem, 0xff, sizeof(img->mem));
}

static void st_holds_1(struct st_store_image *img)
{
	st_blank0(img);
	st_write(img, 1);
}

static void st_holds_0(struct st_store_image *img)
{
	st_holds_1(img);
	st_write(img, 0);
}

/* Many writes: the generations wrap around while the test runs. */
static void st_holds_41_late(struct st_store_image *img)
{
	int i;

	st_blank0(img);
	for (i = 0; i < 32766; i++)
		st_write(img, i & 1);
	st_write(img, 41);
}

static int st_newest(const struct st_store_image *img)
{
	struct st_record rec;

	st_record_decode(img->mem, KEY, &rec);
	return rec.newest;
}

/* A completed record, then one copy damaged in some way. */
static void st_newest_garbage(struct st_store_image *img)
{
	st_holds_1(img);
	memset(img->mem + st_newest(img) * COPY + 5, 0x5a, 3);
}

static void st_older_zeroed(struct st_store_image *img)
{
	st_holds_1(img);
	memset(img->mem + !st_newest(img) * COPY, 0, COPY);
}

static void st_newest_zeroed(struct st_store_image *img)
{
	st_holds_1(img);
	memset(img->mem + st_newest(img) * COPY, 0, COPY);
}

static void st_copy0_erased(struct st_store_image *img)
{
	st_holds_1(img);
	memset(img->mem, 0xff, COPY);
}

static const struct st_transition st_transitions[] = {
	{ "absent (zeroed) to 1", st_blank0, 0, 1 },
	{ "absent (erased) to 1", st_erased, 0, 1 },
	{ "absent (zeroed) to a first record of 0", st_blank0, 0, 0 },
	{ "absent (erased) to a first record of 0", st_erased, 0, 0 },
	{ "1 to 0", st_holds_1, 1, 0 },
	{ "0 to 1", st_holds_0, 0, 1 },
	{ "41 to 42, generations wrapping", st_holds_41_late, 41, 42 },
	{ "1 to 0, newest copy damaged", st_newest_garbage, 1, 0 },
	{ "1 to 0, older copy zeroed", st_older_zeroed, 1, 0 },
	{ "1 to 2, newest copy zeroed", st_newest_zeroed, 1, 2 },
	{ "1 to 0, copy 0 erased", st_copy0_erased, 1, 0 },
};

static void st_transition_desc(const struct st_transition *t, char *desc)
{
	strscpy(desc, t->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(st_transition, st_transitions, st_transition_desc);

struct st_cut_stats {
	unsigned long points;
	unsigned long failures;
};

/*
 * One expectation per cut point: a write from @old to @new reads @old or
 * @new when cut before its first new copy was whole (@in == 0), @new
 * after.  Only the first few failures are shown.
 */
static long st_expect(struct kunit *test, struct st_cut_stats *st,
		      const struct st_store_image *img, int in, long old,
		      long new, const char *what, int cut, bool reverse,
		      int cut2, bool reverse2)
{
	long got = st_read(img);

	st->points++;
	if (got == new || (in == 0 && got == old))
		return got;
	if (st->failures++ < 8)
		KUNIT_FAIL(test, "%s: cut %d%s, then cut %d%s: reads %ld, expected %s%ld",
			   what, cut, reverse ? " reversed" : "", cut2,
			   reverse2 ? " reversed" : "", got,
			   in == 0 ? "the old count or " : "", new);
	return got;
}

static void r01_every_cut_reads_old_or_new(struct kunit *test)
{
	const struct st_transition *t = test->param_value;
	struct st_cut_stats st = {};
	struct st_store_image start, once, twice;
	int cut, cut2, r, r2;

	t->start(&start);
	/* The damage done to the start image loses no completed count. */
	KUNIT_ASSERT_EQ(test, st_read(&start), t->before);

	for (r = 0; r < 2; r++) {
		int in = 0;

		for (cut = 0; in >= 0; cut++) {
			long first, then;
			int in2 = 0;

			once = start;
			in = st_write_cut(&once, t->after, cut, r);
			first = st_expect(test, &st, &once, in, t->before,
					  t->after, t->desc, cut, r, -1, false);
			if (first < 0)
				continue;

			/* Reboot, and cut the first write after it too. */
			then = first + 7;
			for (r2 = 0; r2 < 2; r2++) {
				for (cut2 = 0, in2 = 0; in2 >= 0; cut2++) {
					twice = once;
					in2 = st_write_cut(&twice, then, cut2, r2);
					st_expect(test, &st, &twice, in2, first, then,
						  t->desc, cut, r, cut2, r2);
				}
			}
		}
	}
	KUNIT_EXPECT_EQ(test, st.failures, 0UL);
	/* The host adds these up: "<n> cut points". */
	kunit_info(test, "record-cuts: %s: %lu cut points", t->desc, st.points);
}

/* Decoding, row by row: what each kind of area reads as. */
static void r02_decode_states(struct kunit *test)
{
	struct st_store_image img;
	struct st_record rec;

	st_blank0(&img);
	st_record_decode(img.mem, KEY, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_ABSENT);

	/* Another task's record is foreign, never ours nor absent. */
	st_write(&img, 3);
	st_record_decode(img.mem, OTHER_KEY, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_FOREIGN);

	/* Garbage in both copies is corrupt. */
	memset(img.mem, 0x5a, sizeof(img.mem));
	st_record_decode(img.mem, KEY, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_CORRUPT);

	/* One blank copy and one damaged one: a first write that was cut. */
	memset(img.mem, 0, COPY);
	st_record_decode(img.mem, KEY, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_ABSENT);
}

/*
 * Writing what the record holds writes nothing; a new count is two saves
 * of one copy each, and three when the first copy was damaged.  An absent
 * record is written even for 0 (the first record, written before a first
 * run to prove the store writable).
 */
static void r03_saves_per_write(struct kunit *test)
{
	struct st_record_plan plan;
	struct st_store_image img;
	struct st_record rec;

	st_blank0(&img);
	st_record_decode(img.mem, KEY, &rec);
	st_record_update(img.mem, &rec, KEY, 0, &plan);
	KUNIT_EXPECT_EQ(test, plan.saves, 2);
	st_record_decode(img.mem, KEY, &rec);
	KUNIT_EXPECT_EQ(test, rec.state, ST_RECORD_OURS);
	st_record_update(img.mem, &rec, KEY, 0, &plan);
	KUNIT_EXPECT_EQ(test, plan.saves, 0);
	st_write(&img, 5);
	st_record_decode(img.mem, KEY, &rec);
	st_record_update(img.mem, &rec, KEY, 5, &plan);
	KUNIT_EXPECT_EQ(test, plan.saves, 0);
	st_record_update(img.mem, &rec, KEY, 6, &plan);
	KUNIT_ASSERT_EQ(test, plan.saves, 2);
	KUNIT_EXPECT_NE(test, plan.save[0].off, plan.save[1].off);
	KUNIT_EXPECT_EQ(test, plan.save[0].len, (unsigned int)COPY);

	st_newest_garbage(&img);
	st_record_decode(img.mem, KEY, &rec);
	st_record_update(img.mem, &rec, KEY, 9, &plan);
	KUNIT_ASSERT_EQ(test, plan.saves, 3);
	KUNIT_EXPECT_EQ(test, plan.save[0].len, 4U);
	KUNIT_EXPECT_EQ(test, plan.save[0].off, plan.save[1].off + COPY - 4);
}

static struct kunit_case st_record_cases[] = {
	KUNIT_CASE_PARAM(r01_every_cut_reads_old_or_new, st_transition_gen_params),
	KUNIT_CASE(r02_decode_states),
	KUNIT_CASE(r03_saves_per_write),
	{}
};

static struct kunit_suite st_record_suite = {
	.name = "scheduled_task_record",
	.test_cases = st_record_cases,
};

kunit_test_suite(st_record_suite);
