#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel guest: load the module and the KUnit
# suites (they run at load), print each suite's KTAP from debugfs between
# markers, unload everything, and have kmemleak report what the run leaked.

# Fault injection used on purpose by the tests must not print stacks.
echo 0 >/sys/kernel/debug/failslab/verbose 2>/dev/null

# Only leaks made by the tests count: forget what boot left behind.
echo scan >/sys/kernel/debug/kmemleak
echo clear >/sys/kernel/debug/kmemleak

insmod /lib/st/scheduled_task.ko || echo "ST-ERROR insmod scheduled_task"
insmod /lib/st/scheduled_task_kunit.ko || echo "ST-ERROR insmod kunit"

# Quiet the console while the KTAP is printed so nothing interleaves.
dmesg -n 1
echo "ST-KTAP-BEGIN"
for r in /sys/kernel/debug/kunit/*/results; do
	[ -e "$r" ] && cat "$r"
done
echo "ST-KTAP-END"
dmesg -n 7

rmmod scheduled_task_kunit || echo "ST-ERROR rmmod kunit"
rmmod scheduled_task || echo "ST-ERROR rmmod scheduled_task"

# Two scans a few seconds apart: kmemleak reports an object only once it
# has stayed unreferenced across scans.
echo scan >/sys/kernel/debug/kmemleak
sleep 3
echo scan >/sys/kernel/debug/kmemleak
echo "ST-KMEMLEAK-BEGIN"
cat /sys/kernel/debug/kmemleak
echo "ST-KMEMLEAK-END"
