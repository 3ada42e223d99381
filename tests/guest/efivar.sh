# SPDX-License-Identifier: GPL-2.0
# The efivar store when its surroundings change (sourced by e2e.sh, with
# scheduled_task loaded and the persistent sample tasks completed in EFI
# variables by phase 1): nvmem= set afterwards, a damaged variable, the
# legacy variable name.  efivar_full_store fills the variable store, for
# good: the firmware reclaims deleted variables' space only at boot, so
# e2e.sh calls it last.

EV=/sys/firmware/efi/efivars
GUID=81e7533c-5260-4bee-bd13-571d974fccfb
P=/sys/module/scheduled_task/parameters
V=$EV/ScheduledTask-st_sample%2Fst_sample%2Fprobe-imm-p-$GUID
LEGACY=$EV/ScheduledTask-st_sample-st_sample-probe-imm-p-$GUID
[ ! -e /lib/st/efivarfs.ko ] || insmod /lib/st/efivarfs.ko 2>/dev/null
grep -q " $EV efivarfs" /proc/mounts || mount -t efivarfs none $EV

# efivar_put FILE BYTES...: set a variable in one write() (efivarfs takes
# the attribute word and the data from a single write), NV|BS|RT.
efivar_put() {
	f=$1
	shift
	printf '\007\000\000\000'"$*" >/tmp/efivar.bin
	[ ! -e "$f" ] || st_unlock "$f"
	dd if=/tmp/efivar.bin of="$f" bs=4096 count=1 2>/dev/null
}
# efivarfs files are immutable (st_unlock clears that); rm deletes.
efivar_rm() { st_unlock "$1" && rm "$1"; }
# Deleting a variable through efivarfs leaks the kernel's entry for it on
# 6.12 (efivarfs_unlink() and a write that deletes never free what
# efivar_entry_delete() leaves to the caller): where kmemleak watches,
# the tests that delete a variable are skipped.
efivar_can_delete() { [ ! -e /sys/kernel/debug/kmemleak ]; }
NODELETE="kmemleak is on and efivarfs leaks the entry of a deleted variable"

# efivar_holds FILE: the variable exists and holds a record.  efivarfs
# lists only the variables that existed at mount and those written
# through it; creating the file of one the kernel wrote reads it.
efivar_holds() { touch "$1" && [ "$(cat "$1" | wc -c)" = 36 ]; }
settle() { wait_for 100 settled; }

check "efivar: the variable has its percent-encoded name" test -f "$V"

# The region of one slot (nvmem= set), damaged: a task forced onto it
# refuses to run until the administrator clears the slot through sysfs.
nvmem_repair() {
	S=/sys/class/scheduled_task/nvmem_clear_slot
	CMOSF=/sys/bus/nvmem/devices/cmos_nvram0/nvmem
	slot() { dd if=$CMOSF bs=1 skip=82 count=32 2>/dev/null | od -An -v -tx1 | tr -d ' \n'; }
	zero=0000000000000000000000000000000000000000000000000000000000000000
	printf 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ' |
		dd of=$CMOSF bs=1 seek=82 conv=notrunc 2>/dev/null
	echo nvmem >$P/store
	load_sample tasks=probe-imm-p
	eq "full region: the task refuses to run" store-error "$(attr probe-imm-p state)"
	eq "full region: no run" 0 "$(calls probe-imm-p)"
	if [ -n "$UEVENT_PID" ]; then
		check "uevent: store-error announced" wait_for 50 \
			grep -q " st_sample:probe-imm-p STATE=store-error\$" /tmp/uevents
	else
		skip "uevent: store-error announced" "$NONETLINK"
	fi
	for v in 83 114 0 abc; do
		err=$(printf "$v" | dd of=$S 2>&1)
		case $err in
		*"Invalid argument"*) ok "nvmem_clear_slot '$v' is -EINVAL" ;;
		*) not_ok "nvmem_clear_slot '$v' is -EINVAL (got '$err')" ;;
		esac
	done
	err=$(st_asuser 65534 sh -c "echo 82 >$S" 2>&1)
	case $err in
	*"Permission denied"*) ok "unprivileged write refused: nvmem_clear_slot" ;;
	*) not_ok "unprivileged write refused: nvmem_clear_slot (got '$err')" ;;
	esac
	eq "refused clears leave the slot" 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a "$(slot)"
	check "full region: clear the damaged slot" sh -c "echo 82 >$S"
	eq "the cleared slot reads blank" $zero "$(slot)"
	check "full region: then times_run takes the slot" sh -c "echo 0 >$C/$D:probe-imm-p/times_run"
	eq "full region: repaired" idle "$(attr probe-imm-p state)"
	err=$(echo 82 2>&1 >$S)
	case $err in
	*"busy"*) ok "a live task's slot is not cleared" ;;
	*) not_ok "a live task's slot is not cleared (got '$err')" ;;
	esac
	# The region's provider is not unbound under the client that uses
	# it: the client is linked to it, and goes first.
	PROV=$(dirname "$(readlink -f /sys/bus/nvmem/devices/cmos_nvram0)")
	PDRV=$(readlink -f "$PROV/driver")
	check "the client is linked to the region's provider (${PROV##*/})" \
		sh -c "ls -d /sys/devices/platform/st_sample/supplier:* | grep -q ':${PROV##*/}\$'"
	if [ -e "$PDRV/unbind" ]; then
		echo "${PROV##*/}" >"$PDRV/unbind"
		eq "unbinding the provider unbinds the client first" 0 "$(ls $C | grep -c "^$D:")"
		echo "${PROV##*/}" >"$PDRV/bind"
		check "the provider binds again" wait_for 50 test -e /sys/bus/nvmem/devices/cmos_nvram0
	else
		skip "unbinding the provider unbinds the client first" \
			"${PDRV##*/} has no unbind attribute (suppress_bind_attrs) here"
	fi
	rmmod st_sample
	check "a gone task's slot is cleared" sh -c "echo 82 >$S"
	echo auto >$P/store
}

# A record stays in its store: setting nvmem= later moves no task.
if [ -e /sys/bus/nvmem/devices/cmos_nvram0 ]; then
	echo cmos_nvram0:82:32 >$P/nvmem
	load_sample tasks=probe-imm-p,probe-def-p
	settle
	for t in probe-imm-p probe-def-p; do
		eq "nvmem= set later: $t stays on efivar" efivar "$(attr $t store)"
		eq "nvmem= set later: $t does not run again" 0 "$(calls $t)"
		eq "nvmem= set later: $t completed" completed "$(attr $t state)"
	done
	rmmod st_sample
	nvmem_repair
	echo >$P/nvmem
else
	not_ok "efivar: no cmos_nvram0 in this guest for the nvmem= case"
fi

# The name earlier versions used: the record is taken over, and moved.
efivar_legacy() {
	cp "$V" /tmp/record.bin
	check "efivar: delete the variable" efivar_rm "$V"
	dd if=/tmp/record.bin of="$LEGACY" bs=4096 count=1 2>/dev/null
	check "efivar: a variable under the legacy name" test -f "$LEGACY"
	load_sample tasks=probe-imm-p
	settle
	eq "legacy name: the task does not run again" 0 "$(calls probe-imm-p)"
	eq "legacy name: completed" completed "$(attr probe-imm-p state)"
	check "legacy name: moved to the new name" efivar_holds "$V"
	# A deleted variable's file reads empty (efivarfs: "uncommitted").
	eq "legacy name: the legacy variable is gone" "" "$(cat "$LEGACY" 2>/dev/null)"
	check "legacy name: logged" sh -c "dmesg | grep -q 'record moved from a former variable name: done'"
	rmmod st_sample
}
if efivar_can_delete; then
	efivar_legacy
else
	skip "legacy name: taken over and moved" "$NODELETE"
fi

# A damaged variable: store-error, no run, and a write repairs it.
efivar_put "$V" 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
load_sample tasks=probe-imm-p
settle
eq "damaged variable: store-error" store-error "$(attr probe-imm-p state)"
eq "damaged variable: no run" 0 "$(calls probe-imm-p)"
check "damaged variable: repaired by writing times_run" \
	sh -c "echo 1 >$C/$D:probe-imm-p/times_run"
eq "damaged variable: completed after the repair" completed "$(attr probe-imm-p state)"
rmmod st_sample
load_sample tasks=probe-imm-p
eq "damaged variable: the repair holds across a reload" completed "$(attr probe-imm-p state)"
eq "damaged variable: still no run" 0 "$(calls probe-imm-p)"
rmmod st_sample

# A full variable store: a task without a record cannot get its first
# record, so it does not run.  Fill with ever smaller variables until
# the store takes no more.
efivar_full_store() {
	if ! efivar_can_delete; then
		skip "full store: a task without a record does not run" "$NODELETE"
		return
	fi
	load_sample tasks=probe-imm-p
	settle
	check "full store: delete the task's variable" efivar_rm "$V"
	rmmod st_sample
	fill=0
	for size in 16384 4096 1024 256 64 16; do
		head -c $size /dev/zero | tr '\0' 'F' >/tmp/fill.data
		printf '\007\000\000\000' | cat - /tmp/fill.data >/tmp/fill.bin
		n=0
		while [ $n -lt 64 ]; do
			f=$EV/StFill$size-$n-$GUID
			if ! dd if=/tmp/fill.bin of="$f" bs=32768 count=1 2>/dev/null; then
				# The file was created, the variable was not.
				efivar_rm "$f"
				break
			fi
			n=$((n + 1))
			fill=$((fill + 1))
		done
	done
	ok "full store: filled with $fill variables"
	load_sample tasks=probe-imm-p
	settle
	eq "full store: store-error" store-error "$(attr probe-imm-p state)"
	eq "full store: no run" 0 "$(calls probe-imm-p)"
	check "full store: -ENOSPC logged" sh -c \
		"dmesg | grep -q 'cannot write a first record to store efivar (-28)'"
	err=$(printf 1 | dd of=$C/$D:probe-imm-p/times_run 2>&1)
	case $err in
	*"No space left on device"*) ok "full store: a times_run write is -ENOSPC" ;;
	*) not_ok "full store: a times_run write is -ENOSPC (got '$err')" ;;
	esac
	eq "full store: still store-error" store-error "$(attr probe-imm-p state)"
	rmmod st_sample
}
