# SPDX-License-Identifier: GPL-2.0

obj-$(CONFIG_SCHEDULED_TASK_KUNIT_TEST) += scheduled_task_kunit.o
@OBJS@
