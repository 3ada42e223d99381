#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot Debian's stock 6.12 kernel (no debug options) under QEMU
# and run bench/st_bench.c, which measures scheduled_task against the raw
# workqueue primitives it wraps in the same boot.  Prints ns per operation
# and the ratios.  QEMU emulates the CPU (TCG), so absolute numbers are
# slow and only the ratios mean something.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out
mkdir -p "$out/results" "$out/logs"
. scripts/lib.sh

k612=$(scripts/deps.sh 2>"$out/logs/bench-deps.log" | tail -n 1) || {
	echo "bench: dependency install failed, see out/logs/bench-deps.log"; exit 1; }
kver=$k612-amd64
build_modules bench "/usr/src/linux-headers-$kver" || {
	echo "bench: build failed, see out/logs/build-bench.log"; exit 1; }
b=$out/build/bench
img=$out/bench.cpio.gz
scripts/initramfs.sh "$img" tests/guest/bench.sh \
	"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
	"$b/bench/st_bench.ko:lib/st/st_bench.ko"
log=$out/logs/bench-console.log
scripts/qemu.sh --kernel "/boot/vmlinuz-$kver" --initrd "$img" --log "$log" \
	--append quiet --timeout 600 || true
tr -d '\r' <"$log" | sed -n 's/^ST-BENCH st_bench: //p' >"$out/bench.txt"
if ! grep -q '^done$' "$out/bench.txt"; then
	echo "bench: the benchmark did not finish; see $log"
	exit 1
fi
echo "scheduled_task vs raw workqueue primitives, Debian $kver, QEMU TCG, same boot"
head -n 1 "$out/bench.txt"
printf '%-10s %12s %12s %8s\n' pair raw-ns/op st-ns/op ratio
sed -n 's/^\([a-z]*\) raw=\([0-9]*\) st=\([0-9]*\) ratio=\([0-9.]*\)$/\1 \2 \3 \4/p' \
	"$out/bench.txt" | while read -r n r s x; do
	printf '%-10s %12s %12s %7sx\n' "$n" "$r" "$s" "$x"
done
