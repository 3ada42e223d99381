#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest end-to-end group: for each stock Debian kernel (6.1, 6.12, and
# 6.12 PREEMPT_RT) and the debug kernel (6.12 with KASAN, lockdep, kmemleak, SMP and PREEMPT), build
# the module and samples against it, boot it under OVMF with a busybox
# initramfs, run tests/guest/e2e.sh and count its TAP lines against its
# plan.  The guest's exit status, taint, splats and (on the debug kernel)
# kmemleak's report are cases of their own.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=e2e
: >"$out/results/$g"

# e2e_guest SHORT BUILD-NAME KDIR KERNEL-IMAGE KVER [guest_verdict flags]
# (KVER: an installed kernel whose efivarfs module the guest loads, or "";
# E2E_APPEND: more kernel command line)
e2e_guest() {
	local short=$1 name=$2 kdir=$3 kernel=$4 kver=$5 p="$1: " extra=()
	shift 5
	if [ ! -d "$kdir" ]; then
		result $g FAIL "${p}kernel" "no kernel tree '$kdir'"
		return
	fi
	if ! build_modules "$name" "$kdir"; then
		result $g FAIL "${p}build" "see out/logs/build-$name.log"
		return
	fi
	local b=$out/build/$name img=$out/e2e-$short.cpio.gz
	local log=$out/logs/e2e-$short-console.log vars=$out/e2e-$short-vars.fd
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	local tool
	for tool in st_unlock st_asuser; do
		if ! gcc -static -O2 -Wall -Wextra -Werror -o "$out/$tool" \
			"tests/guest/$tool.c" 2>"$out/logs/build-$tool.log"; then
			result $g FAIL "${p}$tool" "see out/logs/build-$tool.log"
			return
		fi
	done
	if [ -n "$kver" ] && efivarfs_ko "$kver" "$out/efivarfs-$short.ko"; then
		extra+=("$out/efivarfs-$short.ko:lib/st/efivarfs.ko")
	fi
	if ! scripts/initramfs.sh "$img" tests/guest/e2e.sh \
		"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
		"$b/samples/st_sample.ko:lib/st/st_sample.ko" \
		"$b/samples/st_firmware_setup.ko:lib/st/st_firmware_setup.ko" \
		"$b/samples/st_wait_resource.ko:lib/st/st_wait_resource.ko" \
		"$b/samples/st_resume_recal.ko:lib/st/st_resume_recal.ko" \
		"tests/guest/lib.sh:lib/st/lib.sh" \
		"tests/guest/samples.sh:lib/st/samples.sh" \
		"tests/guest/efivar.sh:lib/st/efivar.sh" \
		"$out/st_unlock:bin/st_unlock" "$out/st_asuser:bin/st_asuser" \
		"${extra[@]}"; then
		result $g FAIL "${p}initramfs" "the guest image did not build"
		return
	fi
	local start rc
	start=$(date +%s)
	# One vCPU: with two, QEMU 7.2's multi-threaded TCG now and then
	# stops waking an idle vCPU (an RCU stall and a guest that hangs for
	# good, in a suspend or an EFI variable write) or breaks the early
	# text patching at boot.  The races are the KUnit groups' business,
	# on two vCPUs.
	scripts/qemu.sh --firmware ovmf --vars "$vars" --kernel "$kernel" \
		--initrd "$img" --log "$log" --append "kmemleak=on ${E2E_APPEND:-}" --timeout 900 \
		--smp 1
	rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	echo "${p}guest ran $(( $(date +%s) - start ))s, qemu exit $rc"
	tap_results $g "$p" "$log"
	guest_verdict $g "$p" "$log" "$@"
}

while read -r short kver; do
	e2e_guest "$short" "stock-$short" "/usr/src/linux-headers-$kver" \
		"/boot/vmlinuz-$kver" "$kver"
done < <(stock_kernels)
# Debian's PREEMPT_RT 6.12: sleeping spinlocks, threaded interrupts.  Its
# EFI runtime services are off unless asked for (CONFIG_EFI_DISABLE_RUNTIME:
# firmware calls do not preempt).
E2E_APPEND=efi=runtime e2e_guest 6.12-rt rt-6.12 "/usr/src/linux-headers-$ST_612_RT_KVER" \
	"/boot/vmlinuz-$ST_612_RT_KVER" "$ST_612_RT_KVER"
# Last, the debug kernel, which check.sh may still be building.
kdir=$(kernel_dir debug)
e2e_guest debug debug "$kdir" "$kdir/arch/x86/boot/bzImage" \
	"" --kmemleak
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
