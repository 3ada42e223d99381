#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one guest under QEMU (TCG: this machine has no usable KVM) with a
# serial console captured to a log.
#
#   qemu.sh --kernel K --initrd I --log L [--append A] [--timeout S]
#           [--firmware qboot|ovmf] [--vars FILE] [--reboot] [--monitor SOCK]
#           [--smp N]
#
# qboot boots the KUnit kernel fastest; ovmf (q35, read-only code plus a
# writable variable store) gives EFI runtime services for the persistence
# tests.  Without --reboot, a guest reboot ends QEMU.  --smp 1 for guests
# that are reset again and again: with two vCPUs, QEMU 7.2's TCG now and
# then leaves a warm-reset guest hung early in its next boot.
#
# A guest still running at the time-out is not just killed: QEMU's monitor
# injects an NMI, which the guest kernel (unknown_nmi_panic, panic_print)
# turns into a panic that prints every CPU's backtrace and every task's
# stack, so the log says where it hung.  no_console_suspend keeps the
# console printing while devices sleep, where a suspend test can hang.
# Exit status: 0 when QEMU exited by itself, 124 on time-out.
set -euo pipefail

kernel= initrd= log= append= timeout=300 firmware=qboot vars= reboot= monitor= smp=2
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=$2; shift ;;
	--initrd) initrd=$2; shift ;;
	--log) log=$2; shift ;;
	--append) append=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--firmware) firmware=$2; shift ;;
	--vars) vars=$2; shift ;;
	--reboot) reboot=1 ;;
	--monitor) monitor=$2; shift ;;
	--smp) smp=$2; shift ;;
	*) echo "qemu.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

args=(-accel tcg -m 1024 -smp "$smp" -display none -no-user-config -nodefaults
      -serial "file:$log" -kernel "$kernel" -initrd "$initrd"
      -append "console=ttyS0 panic=-1 log_buf_len=4M no_console_suspend unknown_nmi_panic=1 panic_print=0x41 $append")
case $firmware in
qboot)
	args+=(-machine pc -bios qboot.rom) ;;
ovmf)
	[ -n "$vars" ] || { echo "qemu.sh: ovmf needs --vars" >&2; exit 2; }
	args+=(-machine q35
	       -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
	       -drive "if=pflash,format=raw,unit=1,file=$vars") ;;
*)
	echo "qemu.sh: unknown firmware $firmware" >&2; exit 2 ;;
esac
[ -n "$reboot" ] || args+=(-no-reboot)
tmp=
if [ -z "$monitor" ]; then
	tmp=$(mktemp -d)
	monitor=$tmp/monitor
fi
args+=(-monitor "unix:$monitor,server,nowait")

# monitor_say COMMAND: one line to QEMU's monitor; false if it is gone.
monitor_say() {
	python3 - "$monitor" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    s.sendall(sys.argv[2].encode() + b"\n")
    time.sleep(0.5)
except OSError:
    sys.exit(1)
PY
}

# boot: one QEMU run; sets rc.
boot() {
	: >"$log"
	qemu-system-x86_64 "${args[@]}" </dev/null &
	qemu=$!
	rc=
	for _ in $(seq "$timeout"); do
		if ! kill -0 "$qemu" 2>/dev/null; then
			wait "$qemu" && rc=0 || rc=$?
			return
		fi
		sleep 1
	done
	echo "qemu.sh: guest still running after ${timeout}s: NMI for a stack dump" >&2
	monitor_say nmi || true
	for _ in $(seq 30); do
		kill -0 "$qemu" 2>/dev/null || break
		sleep 1
	done
	monitor_say quit || true
	sleep 2
	kill -9 "$qemu" 2>/dev/null || true
	wait "$qemu" 2>/dev/null || true
	rc=124
}

# A guest kernel that dies before it runs /init (TCG now and then breaks
# the kernel's early text patching: "Oops: int3" in the boot CPU's idle
# loop) ran no test: boot it once more, keeping the first log beside.
boot
if [ "$rc" = 0 ] && ! grep -aq '^ST-GUEST-START' "$log" &&
   grep -aq 'Kernel panic' "$log"; then
	mv "$log" "$log.died-early"
	echo "qemu.sh: the guest kernel died before /init (see $log.died-early): booting again" >&2
	boot
fi
[ -z "$tmp" ] || rm -rf "$tmp"
exit $rc
