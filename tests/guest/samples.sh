# SPDX-License-Identifier: GPL-2.0
#
# Guest tests of the small example clients: samples/st_firmware_setup.c,
# st_wait_resource.c and st_resume_recal.c.  A busybox-sh fragment, sourced
# by the guest runner after lib.sh (ok, not_ok, check, eq, wait_for), while
# scheduled-task.ko is loaded; the samples are /lib/st/<name>.ko.  It prints
# TAP lines only (no plan, no exit) and clears the kernel log (dmesg -c)
# before each step whose lines it counts.  st_firmware_setup needs a store
# for persistent tasks (store=auto finds EFI variables under OVMF; or load
# scheduled-task.ko with store=ram).  All names start with SM_/sm_.

SM_C=/sys/class/scheduled_task
# sm_attr DEVICE:TASK ATTRIBUTE
sm_attr() { cat "$SM_C/$1/$2" 2>/dev/null; }
# sm_count REGEX: how many kernel log lines match (0 when none).
sm_count() { dmesg | grep -c "$1"; }
sm_logged() { dmesg | grep -q "$1"; }
sm_state_is() { [ "$(sm_attr "$1" state)" = "$2" ]; }
sm_gone() { [ ! -e "$SM_C/$1" ]; }
sm_load() {
	dmesg -c >/dev/null
	insmod "/lib/st/$1.ko"
}

# ---- st_firmware_setup: PERSISTENT, IMMEDIATE, AT_PROBE ------------------
SM_T=st_firmware_setup:fw-setup
SM_RAN='st_firmware_setup: setup ran call='
check "st_firmware_setup: insmod" sm_load st_firmware_setup
check "st_firmware_setup: task directory exists" test -d "$SM_C/$SM_T"
if [ -d "$SM_C/$SM_T" ] && [ "$(sm_count "$SM_RAN")" = 0 ] &&
   [ "$(sm_attr $SM_T times_run)" != 0 ]; then
	# The store kept a record from an earlier run: re-arm it, reload.
	echo "# st_firmware_setup: record from an earlier run, re-armed"
	echo 0 >"$SM_C/$SM_T/times_run"
	rmmod st_firmware_setup
	check "st_firmware_setup: insmod after re-arm" sm_load st_firmware_setup
fi
eq "st_firmware_setup: setup ran once at probe" 1 "$(sm_count "$SM_RAN")"
check "st_firmware_setup: logged call=1" sm_logged "${SM_RAN}1\$"
eq "st_firmware_setup: times_run 1" 1 "$(sm_attr $SM_T times_run)"
eq "st_firmware_setup: state completed" completed "$(sm_attr $SM_T state)"
eq "st_firmware_setup: last_result success" success "$(sm_attr $SM_T last_result)"
eq "st_firmware_setup: persistent" persistent "$(sm_attr $SM_T persistence)"
eq "st_firmware_setup: immediate" immediate "$(sm_attr $SM_T mode)"
eq "st_firmware_setup: at probe" probe "$(sm_attr $SM_T when)"
check "st_firmware_setup: rmmod" rmmod st_firmware_setup
check "st_firmware_setup: task directory removed" sm_gone $SM_T
check "st_firmware_setup: insmod again" sm_load st_firmware_setup
eq "st_firmware_setup: no run after reload" 0 "$(sm_count "$SM_RAN")"
eq "st_firmware_setup: times_run still 1" 1 "$(sm_attr $SM_T times_run)"
eq "st_firmware_setup: completed after reload" completed "$(sm_attr $SM_T state)"
eq "st_firmware_setup: no invocation since create" 0 "$(sm_attr $SM_T runs)"
check "st_firmware_setup: rmmod again" rmmod st_firmware_setup

# ---- st_wait_resource: NOT_PERSISTENT, DEFERRED, AT_PROBE, retries -------
# Defaults: first call 100 ms after probe, retries every 200 ms, the
# resource is ready on the third call.
SM_T=st_wait_resource:wait-resource
SM_CALL='st_wait_resource: call='
check "st_wait_resource: insmod" sm_load st_wait_resource
check "st_wait_resource: completes within 10 s" \
	wait_for 100 sm_state_is $SM_T completed
check "st_wait_resource: call 1 fails, try again" \
	sm_logged "${SM_CALL}1 result=fail-try-again\$"
check "st_wait_resource: call 2 fails, try again" \
	sm_logged "${SM_CALL}2 result=fail-try-again\$"
check "st_wait_resource: call 3 succeeds" \
	sm_logged "${SM_CALL}3 result=success\$"
sleep 1		# a retry that should not happen would come within 200 ms
eq "st_wait_resource: exactly 3 calls" 3 "$(sm_count "$SM_CALL")"
eq "st_wait_resource: runs 3" 3 "$(sm_attr $SM_T runs)"
eq "st_wait_resource: times_run 1" 1 "$(sm_attr $SM_T times_run)"
eq "st_wait_resource: last_result success" success "$(sm_attr $SM_T last_result)"
eq "st_wait_resource: state still completed" completed "$(sm_attr $SM_T state)"
eq "st_wait_resource: deferred" deferred "$(sm_attr $SM_T mode)"
eq "st_wait_resource: not persistent" not-persistent "$(sm_attr $SM_T persistence)"
check "st_wait_resource: rmmod" rmmod st_wait_resource
check "st_wait_resource: task directory removed" sm_gone $SM_T

# ---- st_resume_recal: NOT_PERSISTENT, IMMEDIATE, AT_RESUME, runtime PM ---
SM_T=st_resume_recal:recal
SM_P=/sys/devices/platform/st_resume_recal
SM_CALL='st_resume_recal: call='
sm_rpm_is() { [ "$(cat $SM_P/power/runtime_status 2>/dev/null)" = "$1" ]; }
check "st_resume_recal: insmod" sm_load st_resume_recal
check "st_resume_recal: first power-up is OFF, full" \
	sm_logged "${SM_CALL}1 previous_state=OFF action=full\$"
eq "st_resume_recal: one call at probe" 1 "$(sm_count "$SM_CALL")"
eq "st_resume_recal: at resume" resume "$(sm_attr $SM_T when)"
eq "st_resume_recal: immediate" immediate "$(sm_attr $SM_T mode)"
eq "st_resume_recal: not persistent" not-persistent "$(sm_attr $SM_T persistence)"
check "st_resume_recal: idle device runtime-suspends" \
	wait_for 100 sm_rpm_is suspended
# poke: suspended already, so runtime resume, then idle again.  The task
# runs inside the write (immediate), so the line is there when it returns.
check "st_resume_recal: poke" sh -c "echo 1 >$SM_P/poke"
check "st_resume_recal: runtime resume is RUNTIME_SUSPENDED, light" \
	sm_logged "${SM_CALL}2 previous_state=RUNTIME_SUSPENDED action=light\$"
eq "st_resume_recal: runs 2" 2 "$(sm_attr $SM_T runs)"
eq "st_resume_recal: completed until the next power-up" completed "$(sm_attr $SM_T state)"
check "st_resume_recal: runtime-suspends after poke" \
	wait_for 100 sm_rpm_is suspended
# power/control "on" resumes the device at once and keeps it on.
check "st_resume_recal: power/control on" sh -c "echo on >$SM_P/power/control"
check "st_resume_recal: active" sm_rpm_is active
check "st_resume_recal: control=on resume is RUNTIME_SUSPENDED, light" \
	sm_logged "${SM_CALL}3 previous_state=RUNTIME_SUSPENDED action=light\$"
check "st_resume_recal: poke refused while control=on" \
	sh -c "! echo 1 >$SM_P/poke 2>/dev/null"
check "st_resume_recal: power/control auto" sh -c "echo auto >$SM_P/power/control"
check "st_resume_recal: runtime-suspends after auto" \
	wait_for 100 sm_rpm_is suspended
eq "st_resume_recal: 3 calls in all" 3 "$(sm_count "$SM_CALL")"
# rmmod logs one more light run: unbind powers the device up first.
check "st_resume_recal: rmmod" rmmod st_resume_recal
check "st_resume_recal: task directory removed" sm_gone $SM_T
