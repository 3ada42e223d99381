#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo, guest side: one boot of three (st.demo=1|2|3 on the kernel
# command line), all on one EFI variable store.  Prints the narration as
# "DEMO| " lines and each expectation as "DEMO-OK <what>" or
# "DEMO-FAIL <what> (<why>)"; scripts/demo.sh shows them and gives the
# verdict.  Every value shown is read from the guest.

. /lib/st/lib.sh	# wait_for

C=/sys/class/scheduled_task
P=/sys/devices/platform
boot=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^st\.demo=//p')

say() { echo "DEMO| $*"; }
expect() {	# expect WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then echo "DEMO-OK $1"; else echo "DEMO-FAIL $1 (expected '$2', got '$3')"; fi
}
attr() { cat "$C/$1/$2" 2>/dev/null; }
# The kernel log lines of a driver, without the timestamp and device prefix.
lines() { dmesg | sed -n "s/^\[[^]]*\] $1 $1: /    /p"; }
state_is() { [ "$(attr "$1" state)" = "$2" ]; }
rpm_is() { [ "$(cat $P/st_resume_recal/power/runtime_status)" = "$1" ]; }
table() {
	printf 'DEMO|     %-32s %-10s %-9s %s\n' task state times_run store
	for t in "$C"/*:*; do
		n=${t##*/}
		printf 'DEMO|     %-32s %-10s %-9s %s\n' "$n" "$(attr "$n" state)" \
			"$(attr "$n" times_run)" "$(attr "$n" store)"
	done
}
FW=st_firmware_setup:fw-setup
VAR=/sys/firmware/efi/efivars/ScheduledTask-st_firmware_setup%2Fst_firmware_setup%2Ffw-setup-81e7533c-5260-4bee-bd13-571d974fccfb

insmod /lib/st/scheduled-task.ko
echo 1 >/sys/kernel/tracing/events/scheduled_task/enable

case $boot in
1)
	say "Boot 1 of 3: Debian $(uname -r), QEMU with OVMF firmware (EFI variables)"
	say ""
	say "1. A once-ever setup at probe (samples/st_firmware_setup.c: PERSISTENT, IMMEDIATE)"
	insmod /lib/st/st_firmware_setup.ko
	lines st_firmware_setup | sed 's/^/DEMO| /'
	say "   its run count went to an EFI variable before the task counted as done:"
	insmod /lib/st/efivarfs.ko 2>/dev/null
	mount -t efivarfs none /sys/firmware/efi/efivars
	say "   ${VAR#/sys/firmware/efi/efivars/}"
	expect "setup ran once at probe" 1 "$(dmesg | grep -c 'setup ran call=')"
	expect "its times_run is 1" 1 "$(attr $FW times_run)"
	expect "its store is efivar" efivar "$(attr $FW store)"
	expect "the EFI variable exists" yes "$([ -e $VAR ] && echo yes)"
	say ""

	say "2. A deferred task that waits for a resource (samples/st_wait_resource.c):"
	say "   first run 100 ms after probe, FAIL_TRY_AGAIN every 200 ms until it is there"
	insmod /lib/st/st_wait_resource.ko
	wait_for 100 state_is st_wait_resource:wait-resource completed
	lines st_wait_resource | sed 's/^/DEMO| /'
	expect "the retrying task succeeded on its third try" \
		"fail-try-again fail-try-again success" \
		"$(lines st_wait_resource | sed -n 's/.*result=//p' | tr '\n' ' ' | sed 's/ $//')"
	say ""

	say "3. A recalibration at every power-up (samples/st_resume_recal.c: AT_RESUME)"
	say "   probe is the first power-up (previous_state OFF):"
	insmod /lib/st/st_resume_recal.ko
	lines st_resume_recal | sed 's/^/DEMO| /'
	say "   runtime PM: the idle device suspends; a poke resumes it:"
	wait_for 100 rpm_is suspended
	dmesg -c >/dev/null
	echo 1 >$P/st_resume_recal/poke
	lines st_resume_recal | sed 's/^/DEMO| /'
	expect "runtime resume ran it with previous_state RUNTIME_SUSPENDED" 1 \
		"$(dmesg | grep -c 'previous_state=RUNTIME_SUSPENDED action=light')"
	say "   keep it powered (power/control = on), then suspend and resume the"
	say "   whole system (s2idle, pm_test=devices):"
	dmesg -c >/dev/null
	echo on >$P/st_resume_recal/power/control
	echo devices >/sys/power/pm_test
	echo freeze >/sys/power/state
	echo none >/sys/power/pm_test
	lines st_resume_recal | sed 's/^/DEMO| /'
	expect "system resume ran the task with previous_state SUSPENDED" 1 \
		"$(dmesg | grep -c 'previous_state=SUSPENDED action=full')"
	echo auto >$P/st_resume_recal/power/control
	say ""

	say "4. What an administrator sees in /sys/class/scheduled_task/:"
	table
	say ""

	say "5. One run as the tracepoints saw it (tracefs, events/scheduled_task):"
	last=$(grep 'st_resume_recal:recal' /sys/kernel/tracing/trace | tail -n 4)
	echo "$last" | sed 's/^ *//; s/^/DEMO|     /'
	expect "the trace shows the run, its result and the state it led to" yes \
		"$(echo "$last" | grep -q 'scheduled_task_run: .*previous_state=SUSPENDED' &&
		   echo "$last" | grep -q 'scheduled_task_done: .*result=success' &&
		   echo "$last" | grep -q 'scheduled_task_state: .*running -> completed' &&
		   echo yes)"
	say ""
	say "Power off.  Boot 2 uses the same EFI variable store."
	;;
2)
	say "Boot 2 of 3: the machine was powered off and on"
	insmod /lib/st/st_firmware_setup.ko
	n=$(dmesg | grep -c 'setup ran call=')
	say "   st_firmware_setup loaded: setup ran $n time(s); times_run $(attr $FW times_run), state $(attr $FW state)"
	expect "the persistent task did not run again" 0 "$n"
	expect "times_run is still 1" 1 "$(attr $FW times_run)"
	say "   an administrator asks for it to run again at the next boot:"
	say "   # echo 0 > $C/$FW/times_run"
	echo 0 >$C/$FW/times_run
	expect "times_run is now 0" 0 "$(attr $FW times_run)"
	say ""
	say "Reboot.  Boot 3 uses the same EFI variable store."
	;;
3)
	say "Boot 3 of 3"
	insmod /lib/st/st_firmware_setup.ko
	lines st_firmware_setup | sed 's/^/DEMO| /'
	expect "the persistent task ran again after times_run was set to 0" 1 \
		"$(dmesg | grep -c 'setup ran call=')"
	expect "times_run is 1 again" 1 "$(attr $FW times_run)"
	;;
esac
splat=$(dmesg | grep -cE 'BUG:|WARNING:|Call Trace|Oops')
expect "boot $boot: kernel log free of warnings" 0 "$splat"
