#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest end-to-end group: for each stock Debian kernel (6.1, 6.12) build
# the module and samples against its headers, boot it under OVMF with a
# busybox initramfs, run tests/guest/e2e.sh and count its TAP lines.  A
# splat in the guest log fails the kernel's run.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=e2e
: >"$out/results/$g"

stock_kernels | while read -r short kver; do
	if ! build_modules "stock-$short" "/usr/src/linux-headers-$kver"; then
		result $g FAIL "$short: build" "see out/logs/build-stock-$short.log"
		continue
	fi
	b=$out/build/stock-$short
	img=$out/e2e-$short.cpio.gz
	log=$out/logs/e2e-$short-console.log
	vars=$out/e2e-$short-vars.fd
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	scripts/initramfs.sh "$img" tests/guest/e2e.sh \
		"$b/scheduled_task.ko:lib/st/scheduled_task.ko" \
		"$b/samples/st_sample.ko:lib/st/st_sample.ko" \
		"$b/samples/st_firmware_setup.ko:lib/st/st_firmware_setup.ko" \
		"$b/samples/st_wait_resource.ko:lib/st/st_wait_resource.ko" \
		"$b/samples/st_resume_recal.ko:lib/st/st_resume_recal.ko" \
		"tests/guest/lib.sh:lib/st/lib.sh" \
		"tests/guest/samples.sh:lib/st/samples.sh"
	start=$(date +%s)
	scripts/qemu.sh --firmware ovmf --vars "$vars" \
		--kernel "/boot/vmlinuz-$kver" --initrd "$img" --log "$log" \
		--timeout 600
	rc=$?
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	echo "$short: guest ran $(( $(date +%s) - start ))s, qemu exit $rc"
	if [ $rc -ne 0 ] || ! grep -q 'ST-GUEST-DONE' "$log"; then
		result $g FAIL "$short: guest-completed" "qemu exit $rc, log $log"
		tail -n 30 "$log"
	fi
	sed -n '/^ST-TAP-BEGIN$/,/^ST-TAP-END$/p' "$log" |
		grep -E '^(not )?ok [0-9]+ ' | while read -r line; do
		case $line in
		"not ok"*) result $g FAIL "$short: ${line#not ok * - }" ;;
		*) result $g PASS "$short: ${line#ok * - }" ;;
		esac
	done
	grep -q "^PASS $short: " "$out/results/$g" ||
		result $g FAIL "$short: guest-tests-ran" "no TAP in $log"
	log_clean $g "$short: guest-log-clean" "$log"
done
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
