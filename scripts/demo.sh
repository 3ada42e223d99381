#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot a stock Debian kernel in QEMU, load the module and the
# sample, and show the tasks at work.  The narrated version with reboots
# and tracepoints is still to come; today this runs the guest tests of one
# kernel and prints what the tasks did.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out
mkdir -p "$out/results" "$out/logs"
scripts/deps.sh >/dev/null
export ST_61_KVER=$(ls /usr/src | sed -n 's/^linux-headers-\(6\.1\.[0-9-]*-amd64\)$/\1/p' | sort -V | tail -n 1)
export ST_612_KVER=skip
scripts/group-e2e.sh >"$out/logs/demo.out" 2>&1 || true
log=$out/logs/e2e-6.1-console.log
echo "== the sample's tasks as they ran (Debian $ST_61_KVER, QEMU/OVMF)"
grep -o 'st_sample: task=.*' "$log" | sed 's/^st_sample: /  /' | head -n 40
echo "== verdict"
if grep -q '^FAIL 6.1' "$out/results/e2e"; then
	grep '^FAIL 6.1' "$out/results/e2e"
	echo "demo: something did not behave as expected"
	exit 1
fi
echo "demo: $(grep -c '^PASS 6.1' "$out/results/e2e") checks passed"
