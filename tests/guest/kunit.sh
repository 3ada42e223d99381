#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the debug-kernel guest: load the module and the KUnit
# suites (they run at load), print each suite's KTAP from debugfs between
# markers, unload everything and check that nothing of the module is left
# (ST-UNLOAD-CHECK lines).  /init scans for leaks afterwards.

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

insmod /lib/st/scheduled-task.ko || echo "ST-ERROR insmod scheduled_task"
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

# The module's workqueue as lockdep knows it: alloc_workqueue() gives it
# a lockdep key of its own, whose class "(wq_completion)scheduled_task"
# appears in /proc/lockdep once work has run on it, and
# destroy_workqueue() unregisters the key, which takes the class out of
# /proc/lockdep at once.  Workqueues are listed nowhere else (sysfs only
# has WQ_SYSFS ones, the module's is not, nor WQ_MEM_RECLAIM with a
# rescuer thread), so this is the check: seen while loaded, gone after.
WQ='(wq_completion)scheduled_task'
wq_seen=
if [ ! -r /proc/lockdep ]; then
	wq_seen="no /proc/lockdep (a kernel without lockdep)"
elif ! grep -qF "$WQ" /proc/lockdep; then
	wq_seen="'$WQ' not in /proc/lockdep while loaded: no work ran on it"
fi

rmmod scheduled_task || echo "ST-ERROR rmmod scheduled_task"

# Nothing of the module may be left behind.  With
# CONFIG_DEBUG_KOBJECT_RELEASE (the release kernel) every kobject's
# release runs 1 to 4 s after its last put (lib/kobject.c, which logs
# each as "... kobject_release, parent ... (delayed N)"): wait those out,
# so that a release calling into the unloaded module, or freeing what the
# kmemleak scan after this script looks at, has happened by then.
if dmesg | grep -q 'kobject_release, parent .* (delayed [0-9]*)'; then
	echo "ST-KOBJECT-RELEASE-DELAYED"
	sleep 5
fi
# One line per check, "ST-UNLOAD-CHECK <what> ok|FAIL|SKIP [why]".
if [ -e /sys/class/scheduled_task ]; then
	echo "ST-UNLOAD-CHECK class FAIL /sys/class/scheduled_task outlived the module"
else
	echo "ST-UNLOAD-CHECK class ok"
fi
# Anything named after the module in sysfs, debugfs or tracefs: the class
# and its glue directories under parent devices, /sys/module, the trace
# event system, the KUnit results.
left=$(find /sys -name '*scheduled_task*' 2>/dev/null | head -n 5 | tr '\n' ' ')
if [ -n "$left" ]; then
	echo "ST-UNLOAD-CHECK sysfs FAIL left behind: $left"
else
	echo "ST-UNLOAD-CHECK sysfs ok"
fi
if [ -n "$wq_seen" ]; then
	echo "ST-UNLOAD-CHECK workqueue SKIP $wq_seen"
elif grep -qF "$WQ" /proc/lockdep; then
	echo "ST-UNLOAD-CHECK workqueue FAIL '$WQ' still in /proc/lockdep: never destroyed"
else
	echo "ST-UNLOAD-CHECK workqueue ok"
fi
