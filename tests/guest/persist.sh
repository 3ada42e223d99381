#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Persistence across real reboots, one boot at a time: the host boots this
# guest again and again on the same firmware store and checks the
# sequence of reports (scripts/group-persist.sh, scripts/persist.py).
#
# Kernel command line:
#   st.persist=reboot    load the module and st_firmware_setup (a
#                        PERSISTENT task that runs at probe), report, and
#                        when the task did not run because its record says
#                        it already did, write 0 to times_run (what an
#                        administrator does to run it again); then reboot
#   st.persist=powercut  report, then write the record in a loop (0 and 1
#                        by sysfs, and 0 then a rebind that runs the task)
#                        until the host cuts the power (QEMU system_reset)
#   st.margs=A,B         scheduled_task module parameters (commas for
#                        spaces), e.g. st.margs=nvmem=cmos_nvram0:82:32
#   st.preload=M,N       test modules in /lib/st to insert before
#                        scheduled_task, e.g. st.preload=st_slow_cmos (the
#                        CMOS NVRAM as an NVMEM device that writes one byte
#                        every few ms, tests/modules/st_slow_cmos.c, so that
#                        power cuts land inside record writes)
#
# Reports go through /dev/kmsg: the serial console prints them before the
# write returns, so the host never sees a marker for something that did
# not happen.  A marker is printed before each step that may write the
# record and after each that did.

T=/sys/class/scheduled_task/st_firmware_setup:fw-setup
DRV=/sys/bus/platform/drivers/st_firmware_setup
CMOS=/sys/bus/nvmem/devices/cmos_nvram0/nvmem

say() { echo "$*" >/dev/kmsg; }
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p"; }
attr() { cat "$T/$1" 2>/dev/null || echo none; }

mode=$(arg st.persist)
margs=$(arg st.margs | tr ',' ' ')
preload=$(arg st.preload | tr ',' ' ')

# The record as the firmware store holds it before anything runs (read
# through rtc-cmos, whichever NVMEM device the module writes it through).
if [ -e $CMOS ]; then
	say "ST-RAW $(dd if=$CMOS bs=1 skip=82 count=32 2>/dev/null |
		od -An -tx1 -v | tr -d ' \n')"
fi
for m in $preload; do
	insmod "/lib/st/$m.ko" || say "ST-ERROR insmod $m"
done
# shellcheck disable=SC2086 # margs is a list of parameters
insmod /lib/st/scheduled-task.ko $margs || say "ST-ERROR insmod scheduled_task"
insmod /lib/st/st_firmware_setup.ko || say "ST-ERROR insmod st_firmware_setup"
ran=$(dmesg | grep -c 'st_firmware_setup: setup ran call=')
# efivarfs lists the variables that exist when it is mounted: mount it now.
if [ -d /sys/firmware/efi ]; then
	insmod /lib/st/efivarfs.ko 2>/dev/null
	mount -t efivarfs none /sys/firmware/efi/efivars
fi
var=$(ls /sys/firmware/efi/efivars 2>/dev/null |
	grep -c '^ScheduledTask-st_firmware_setup%2Fst_firmware_setup%2Ffw-setup-')
say "ST-PERSIST boot ran=$ran times_run=$(attr times_run) state=$(attr state) store=$(attr store) efivar=$var"

if [ "$mode" = reboot ]; then
	if [ "$ran" = 0 ] && [ "$(attr times_run)" = 1 ]; then
		echo 0 >$T/times_run
		say "ST-PERSIST reset times_run=$(attr times_run) state=$(attr state)"
	fi
	say "ST-PERSIST-END"
	exit 0
fi

say "ST-PC-READY"
# Mostly administrator writes (0, 1, 0, ...: no fork, so most of the time
# goes to writing the record), and every fourth round a real completion:
# 0, then rebind, and the task runs at probe and writes 1.
i=0
while :; do
	i=$((i + 1))
	say "ST-PC w0 $i"
	echo 0 >$T/times_run
	say "ST-PC w0-done $i"
	if [ $((i % 4)) = 0 ]; then
		say "ST-PC bind $i"
		echo st_firmware_setup >$DRV/unbind
		echo st_firmware_setup >$DRV/bind
		say "ST-PC done $i"
	else
		say "ST-PC w1 $i"
		echo 1 >$T/times_run
		say "ST-PC w1-done $i"
	fi
done
