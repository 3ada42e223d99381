#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel guest: load the module and the KUnit
# suites (they run at load), print each suite's KTAP from debugfs between
# markers, unload everything.  /init scans for leaks afterwards.

# Allocation-failure injection is driven by the tests through fail_nth on
# their own thread: no random failures, no stacks printed, and sleeping
# (GFP_KERNEL) allocations fail too, which failslab skips by default.
F=/sys/kernel/debug/failslab
echo 0 >$F/probability
echo 0 >$F/verbose
echo N >$F/ignore-gfp-wait || echo "ST-ERROR failslab cannot fail GFP_KERNEL allocations"

# The preemption model the races are tested under ("full" expected).
echo "ST-PREEMPT $(cat /sys/kernel/debug/sched/preempt 2>/dev/null)"

# On the KCSAN kernel: watch one access in 100 (the default is one in
# 4000) for twice the default time, so that races in a run this short
# have a chance to be seen.
K=/sys/module/kcsan/parameters
if [ -d $K ]; then
	echo 100 >$K/skip_watch
	echo 160 >$K/udelay_task
fi

insmod /lib/st/scheduled_task.ko || echo "ST-ERROR insmod scheduled_task"
# The suites' module parameters ride on the kernel command line as
# scheduled_task_kunit.<param>=<value> (scripts/group-kunit.sh puts them
# there): the kernel leaves them to modprobe, which this guest has not.
kargs=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^scheduled_task_kunit\.//p')
# shellcheck disable=SC2086 # one word per parameter
insmod /lib/st/scheduled_task_kunit.ko $kargs || echo "ST-ERROR insmod scheduled_task_kunit"

# Quiet the console while the KTAP is printed so nothing interleaves.
dmesg -n 1
echo "ST-KTAP-BEGIN"
for r in /sys/kernel/debug/kunit/*/results; do
	[ -e "$r" ] && cat "$r"
done
echo "ST-KTAP-END"
dmesg -n 7

rmmod scheduled_task_kunit || echo "ST-ERROR rmmod scheduled_task_kunit"
rmmod scheduled_task || echo "ST-ERROR rmmod scheduled_task"
# Nothing of the module may be left behind.
[ ! -e /sys/class/scheduled_task ] || echo "ST-ERROR /sys/class/scheduled_task outlived the module"
