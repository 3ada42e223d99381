# SPDX-License-Identifier: GPL-2.0

obj-$(CONFIG_SAMPLE_SCHEDULED_TASK) += st_sample.o st_firmware_setup.o \
				       st_wait_resource.o st_resume_recal.o
