#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end test in a stock-kernel guest: the module and the sample
# client, sysfs, a real suspend/resume cycle (pm_test=devices), bad sysfs
# writes, unbind/rebind with retries armed, unload.  TAP on the console.
. /lib/st/lib.sh

C=/sys/class/scheduled_task
D=st_sample
attr() { cat "$C/$D:$1/$2" 2>/dev/null; }
calls() { dmesg | grep -c "st_sample: task=$1 call="; }
logged() { dmesg | grep -q "st_sample: task=$1 call=$2 previous_state=$3 "; }
settled() { ! cat $C/*/state | grep -qE 'pending|running'; }
suspend_cycle() {
	echo devices >/sys/power/pm_test
	echo freeze >/sys/power/state
	rc=$?
	echo none >/sys/power/pm_test
	return $rc
}
load_sample() {
	dmesg -c >/dev/null
	insmod /lib/st/st_sample.ko "$@"
}

tap_begin
# Every uevent, as a udev rule would see it: busybox's netlink listener
# runs the command with the event's environment.  It is stopped around
# the rebinds, whose thousands of events would overflow its socket.  The
# debug kernel has no networking, so no netlink: there the uevent tests
# are skipped.
UEVENT_PID=
uevents_start() {
	: >>/tmp/uevents
	uevent sh -c 'echo "$ACTION ${DEVPATH##*/} STATE=$STATE" >>/tmp/uevents' &
	UEVENT_PID=$!
	sleep 0.5
	kill -0 $UEVENT_PID 2>/dev/null || UEVENT_PID=
}
uevents_stop() { [ -z "$UEVENT_PID" ] || kill $UEVENT_PID; UEVENT_PID=; }
NONETLINK="no netlink in this kernel (CONFIG_NET is off)"
uevents_start
check "insmod scheduled_task" insmod /lib/st/scheduled-task.ko
check "class directory exists" test -d $C

# ---- Phase 1: every combination, all succeed -----------------------------
TR=/sys/kernel/tracing
check "enable the scheduled_task trace events" \
	sh -c "echo 1 >$TR/events/scheduled_task/enable"
check "insmod st_sample (12 tasks)" load_sample
eq "12 task directories" 12 "$(ls $C | grep -c "^$D:")"
wait_for 100 settled
traced() { grep -qE "$1" $TR/trace; }
check "trace: scheduled_task_run with the previous state" \
	traced "scheduled_task_run: task=$D:resume-imm-np previous_state=OFF\$"
check "trace: scheduled_task_done with result and duration" \
	traced "scheduled_task_done: task=$D:probe-def-np result=success duration_ns=[0-9]+\$"
check "trace: scheduled_task_store read and write on efivar" sh -c \
	"grep -q 'scheduled_task_store: task=$D:probe-imm-p backend=efivar op=read error=0' $TR/trace &&
	 grep -q 'scheduled_task_store: task=$D:probe-imm-p backend=efivar op=write error=0' $TR/trace"
check "trace: scheduled_task_state, a deferred task's whole life" sh -c \
	"grep -q 'scheduled_task_state: task=$D:probe-def-np idle -> pending\$' $TR/trace &&
	 grep -q 'scheduled_task_state: task=$D:probe-def-np pending -> running\$' $TR/trace &&
	 grep -q 'scheduled_task_state: task=$D:probe-def-np running -> completed\$' $TR/trace"
echo 0 >$TR/events/scheduled_task/enable
for t in probe resume demand; do
	for m in imm def; do
		for p in np p; do
			n=$t-$m-$p
			case $t in probe) w=probe ;; resume) w=resume ;; *) w=on-demand ;; esac
			case $m in imm) mo=immediate ;; *) mo=deferred ;; esac
			case $p in np) pe=not-persistent st=none ;; *) pe=persistent st=efivar ;; esac
			eq "$n: when" "$w" "$(attr $n when)"
			eq "$n: mode" "$mo" "$(attr $n mode)"
			eq "$n: persistence" "$pe" "$(attr $n persistence)"
			eq "$n: store" "$st" "$(attr $n store)"
			if [ $t = demand ]; then
				eq "$n: state idle" idle "$(attr $n state)"
				eq "$n: times_run 0" 0 "$(attr $n times_run)"
			else
				eq "$n: state completed" completed "$(attr $n state)"
				eq "$n: times_run 1" 1 "$(attr $n times_run)"
				eq "$n: last_result" success "$(attr $n last_result)"
			fi
		done
	done
done
# A task that reaches completed says so once: KOBJ_CHANGE with STATE=.
uevents() { grep -c "^$1 $D:$2 STATE=$3\$" /tmp/uevents; }
if [ -n "$UEVENT_PID" ]; then
	wait_for 50 sh -c "grep -q ' $D:probe-def-p STATE=completed' /tmp/uevents"
	for n in probe-imm-np probe-def-np probe-imm-p resume-def-p; do
		eq "uevent: $n announces completed once" 1 "$(uevents change $n completed)"
	done
	eq "uevent: demand-imm-np announces nothing yet" 0 "$(grep -c " $D:demand-imm-np STATE=completed" /tmp/uevents)"
	check "uevent: the task's add event came first" sh -c \
		"grep -n '' /tmp/uevents | grep ' $D:probe-imm-np ' | head -n 1 | grep -q ':add '"
else
	skip "uevent: tasks announce completed once" "$NONETLINK"
fi
check "probe task ran at probe with NONE" logged probe-imm-np 1 NONE
check "resume task's first power-up is OFF" logged resume-imm-np 1 OFF
eq "device link points at the client" "$D" "$(basename "$(readlink $C/$D:probe-imm-np/device)")"

# Bad writes: -EINVAL, nothing changed.  dd makes each value one write();
# the shell would not write an empty string at all, so "empty" is "\n".
for v in abc -1 4294967296 12x '\n' '1 2' 0x1 '1\n\n' ' 1' '+'; do
	err=$(printf "$v" | dd of=$C/$D:probe-imm-np/times_run 2>&1)
	case $err in
	*"Invalid argument"*) ok "times_run write '$v' is -EINVAL" ;;
	*) not_ok "times_run write '$v' is -EINVAL (got '$err')" ;;
	esac
done
# An unprivileged user may read but not write times_run or a parameter.
for f in $C/$D:probe-imm-np/times_run /sys/module/scheduled_task/parameters/store \
	/sys/module/scheduled_task/parameters/nvmem; do
	err=$(st_asuser 65534 sh -c "echo 0 >$f" 2>&1)
	case $err in
	*"can't create $f: Permission denied"*) ok "unprivileged write refused: ${f##*/}" ;;
	*) not_ok "unprivileged write refused: ${f##*/} (got '$err')" ;;
	esac
	check "unprivileged read allowed: ${f##*/}" st_asuser 65534 cat "$f"
done
eq "times_run unchanged after bad writes" 1 "$(attr probe-imm-np times_run)"
eq "state unchanged after bad writes" completed "$(attr probe-imm-np state)"
check "times_run accepts '0\\n'" sh -c "echo 0 >$C/$D:probe-def-np/times_run"
eq "times_run 0 re-arms the task" idle "$(attr probe-def-np state)"

# On demand, through the sample's run attribute.
check "run demand-def-np on demand" sh -c "echo demand-def-np >/sys/devices/platform/st_sample/run"
wait_for 100 sh -c "[ \"\$(cat $C/$D:demand-def-np/state)\" = completed ]"
eq "on-demand task ran once" 1 "$(calls demand-def-np)"

# Completed resume tasks do not run again at resume.
check "suspend/resume cycle 1" suspend_cycle
wait_for 50 settled
eq "no completed task ran at resume" 0 "$(dmesg | grep -c 'previous_state=SUSPENDED')"
check "rmmod st_sample" rmmod st_sample
eq "task directories removed" 0 "$(ls $C | grep -c "^$D:")"

# ---- Phase 2: deferred tasks that fail -----------------------------------
check "insmod st_sample first_result=fail" load_sample first_result=2 \
	tasks=probe-def-np,resume-def-np,resume-def-p,demand-def-np
wait_for 100 sh -c "dmesg | grep -q 'task=resume-def-np call=1'"
wait_for 50 settled
check "deferred resume task failed its first run (OFF)" logged resume-def-np 1 OFF
eq "persistent task completed in phase 1 does not run" 0 "$(calls resume-def-p)"
check "suspend/resume cycle 2" suspend_cycle
wait_for 100 sh -c "dmesg | grep -q 'task=resume-def-np call=2'"
check "resume task ran again with SUSPENDED" logged resume-def-np 2 SUSPENDED
eq "probe task did not run at resume" 1 "$(calls probe-def-np)"
eq "on-demand task did not run at resume" 0 "$(calls demand-def-np)"
eq "persistent completed task did not run at resume" 0 "$(calls resume-def-p)"
check "rmmod st_sample" rmmod st_sample

# ---- Phase 3: immediate tasks with retries armed -------------------------
check "insmod st_sample first_result=fail-try-again" load_sample \
	first_result=3 retry_ms=600000 tasks=resume-imm-np,probe-imm-np,probe-def-np
wait_for 100 sh -c "dmesg | grep -q 'task=probe-def-np call=1'"
eq "retry armed" retry-wait "$(attr probe-def-np state)"
check "suspend/resume cycle 3" suspend_cycle
wait_for 50 sh -c "dmesg | grep -q 'task=resume-imm-np call=2'"
check "immediate resume task ran at resume with SUSPENDED" logged resume-imm-np 2 SUSPENDED
eq "immediate probe task did not run at resume" 1 "$(calls probe-imm-np)"
check "unbind with retries armed" sh -c "echo st_sample >/sys/bus/platform/drivers/st_sample/unbind"
eq "unbind removed the tasks" 0 "$(ls $C | grep -c "^$D:")"
dmesg -c >/dev/null
check "rebind" sh -c "echo st_sample >/sys/bus/platform/drivers/st_sample/bind"
eq "rebind created the tasks again" 3 "$(ls $C | grep -c "^$D:")"
check "probe task ran again after rebind" logged probe-imm-np 1 NONE
check "rmmod st_sample" rmmod st_sample

# ---- Phase 3b: rebinds while tasks run, retry and wait ------------------
# Every first call fails and retries 1 ms later, on-demand requests keep
# coming, and a reader reads every attribute of every task, while the
# client is unbound and bound again.  The debug kernel (KASAN, lockdep,
# kmemleak) is a hundred times slower at it under TCG (1000 rounds take
# under 10 s on the stock kernels, 100 about 85 s there): fewer rounds
# there.
REBINDS=1000
[ ! -e /sys/kernel/debug/kmemleak ] || REBINDS=100
listening=$UEVENT_PID
uevents_stop
check "insmod st_sample for the rebinds" load_sample first_result=3 retry_ms=1 persistent=0
read -r printk_level _ </proc/sys/kernel/printk
echo 1 >/proc/sys/kernel/printk
(while :; do cat $C/*/* >/dev/null 2>&1; done) &
reader=$!
(while :; do
	for t in demand-imm-np demand-def-np; do
		# Braces: while unbound, the file is gone and the shell
		# itself reports the failed redirection.
		{ echo $t >/sys/devices/platform/st_sample/run; } 2>/dev/null
	done
done) &
requester=$!
start=$(date +%s)
i=0
bad=0
while [ $i -lt $REBINDS ]; do
	echo st_sample >/sys/bus/platform/drivers/st_sample/unbind || bad=$((bad + 1))
	echo st_sample >/sys/bus/platform/drivers/st_sample/bind || bad=$((bad + 1))
	i=$((i + 1))
done
kill $reader $requester
wait $reader $requester 2>/dev/null
echo "$printk_level" >/proc/sys/kernel/printk
echo "# $REBINDS rebinds in $(( $(date +%s) - start ))s"
eq "$REBINDS rebinds with tasks running, retrying and requested, attributes read" 0 "$bad"
wait_for 100 settled
eq "after the rebinds: the 6 tasks are there" 6 "$(ls $C | grep -c "^$D:")"
eq "after the rebinds: no task left behind" 6 "$(ls $C | grep -c :)"
check "rmmod st_sample after the rebinds" rmmod st_sample
eq "rmmod st_sample removed every task" 0 "$(ls $C | grep -c :)"
[ -z "$listening" ] || uevents_start

# ---- Phase 4: the efivar store when its surroundings change --------------
. /lib/st/efivar.sh

# ---- The small samples a driver author copies ----------------------------
. /lib/st/samples.sh

# Last: a full variable store stays full until the next boot.
efivar_full_store

check "rmmod scheduled_task" rmmod scheduled_task
uevents_stop
tap_end
