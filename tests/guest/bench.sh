#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, guest side: load the module and the benchmark, whose init
# measures everything.
insmod /lib/st/scheduled-task.ko
insmod /lib/st/st_bench.ko iterations=2000
rmmod st_bench
dmesg | sed -n 's/^\[[^]]*\] \(st_bench: .*\)$/ST-BENCH \1/p'
