#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build the module and samples for Debian's stock 6.12 kernel,
# boot it three times under QEMU/OVMF on one EFI variable store, and show
# what the tasks did (tests/guest/demo.sh prints the narration and checks
# each step).  Ends with a one-line verdict; exits non-zero when a step did
# not behave as narrated.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out
mkdir -p "$out/results" "$out/logs"
. scripts/lib.sh
start=$(date +%s)

echo "Installing what the demo needs (Debian packages, skipped when present)..."
k612=$(scripts/deps.sh 2>"$out/logs/demo-deps.log" | tail -n 1) || {
	echo "demo: dependency install failed, see out/logs/demo-deps.log"; exit 1; }
kver=$k612-amd64
echo "Building scheduled-task.ko and the samples for $kver..."
if ! build_modules demo "/usr/src/linux-headers-$kver"; then
	echo "demo: build failed, see out/logs/build-demo.log"
	exit 1
fi
b=$out/build/demo
efivarfs_ko "$kver" "$out/demo-efivarfs.ko"
img=$out/demo.cpio.gz
scripts/initramfs.sh "$img" tests/guest/demo.sh \
	"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
	"$b/samples/st_firmware_setup.ko:lib/st/st_firmware_setup.ko" \
	"$b/samples/st_wait_resource.ko:lib/st/st_wait_resource.ko" \
	"$b/samples/st_resume_recal.ko:lib/st/st_resume_recal.ko" \
	"$out/demo-efivarfs.ko:lib/st/efivarfs.ko" \
	"tests/guest/lib.sh:lib/st/lib.sh"
vars=$out/demo-vars.fd
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
echo

ok=0 bad=0
for boot in 1 2 3; do
	log=$out/logs/demo-boot$boot.log
	scripts/qemu.sh --firmware ovmf --vars "$vars" --kernel "/boot/vmlinuz-$kver" \
		--initrd "$img" --log "$log" --timeout 300 \
		--append "quiet st.demo=$boot" || true
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	if ! grep -q 'ST-GUEST-DONE' "$log"; then
		echo "  !! boot $boot did not finish; see $log"
		bad=$((bad + 1))
		continue
	fi
	while IFS= read -r line; do
		case $line in
		"DEMO| "*|"DEMO|") echo "${line#DEMO|}" | sed 's/^ //' ;;
		"DEMO-OK "*) ok=$((ok + 1)); echo "   ok: ${line#DEMO-OK }" ;;
		"DEMO-FAIL "*) bad=$((bad + 1)); echo "   !! NOT AS NARRATED: ${line#DEMO-FAIL }" ;;
		esac
	done < <(grep -E '^DEMO' "$log")
	echo
done

t=$(( $(date +%s) - start ))
if [ $bad -eq 0 ] && [ $ok -gt 0 ]; then
	echo "demo: all $ok steps behaved as narrated (3 boots, ${t}s)"
	exit 0
fi
echo "demo: $bad step(s) did not behave as narrated, $ok did (logs: out/logs/demo-boot*.log)"
exit 1
