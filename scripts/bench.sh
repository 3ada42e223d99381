#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: on each of Debian's stock kernels (6.1 and 6.12, no debug
# options), two QEMU boots run bench/st_bench.c through tests/guest/bench.sh:
#   timing  two vCPUs, qboot: latency, throughput, memory,
#           scaling, each against the raw kernel primitive in the same boot
#   stores  one vCPU under OVMF (EFI variables; CMOS is there too): the
#           cost of times_run_set() and the store calls of one task's life
# QEMU emulates the CPU (TCG), so absolute times are slow: the ratios, both
# sides measured in one boot, are the figures.  scripts/bench_report.py
# prints the table and writes out/bench.json and out/bench.md (the README's
# table: make bench-readme).  Fails only when a figure could not be taken.
#
# ST_BENCH_SCALE=<percent> scales the sample counts (quick runs);
# ST_BENCH_ONLY=6.1|6.12 runs one kernel; ST_BENCH_PROFILE=1 adds ftrace
# function_graph profiles of the slow paths to the timing log (ST-TRACE).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
out=$top/out
mkdir -p "$out/results" "$out/logs"
. scripts/lib.sh
scale=${ST_BENCH_SCALE:-100}
start=$(date +%s)

k612=$(scripts/deps.sh 2>"$out/logs/bench-deps.log" | tail -n 1) || {
	echo "bench: dependency install failed, see out/logs/bench-deps.log"; exit 1; }
k61=$(ls /usr/src | sed -n 's/^linux-headers-\(6\.1\.[0-9-]*-amd64\)$/\1/p' |
	sort -V | tail -n 1)

# bench_kernel SHORT KVER: both boots; the figures in out/bench-SHORT.txt.
bench_kernel() {
	local short=$1 kver=$2 b=$out/build/bench-$1 img=$out/bench-$1.cpio.gz
	local vars=$out/bench-$1-vars.fd log mode extra=()
	# No figures from an earlier run may pass for this one's.
	rm -f "$out/bench-$short.txt"
	if ! bash -c ". scripts/lib.sh; build_modules bench-$short /usr/src/linux-headers-$kver"; then
		echo "bench: $short: build failed, see out/logs/build-bench-$short.log"
		return 1
	fi
	scripts/initramfs.sh "$img" tests/guest/bench.sh \
		"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
		"$b/bench/st_bench.ko:lib/st/st_bench.ko" || return 1
	for mode in timing stores; do
		log=$out/logs/bench-$short-$mode.log
		# The TSC is QEMU's virtual clock, the same on both vCPUs: a
		# clock that costs little to read, unlike the HPET's MMIO.
		extra=(--smp 2)
		if [ $mode = stores ]; then
			cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
			extra=(--smp 1 --firmware ovmf --vars "$vars")
		fi
		scripts/qemu.sh --kernel "/boot/vmlinuz-$kver" \
			--initrd "$img" --log "$log" --timeout 400 "${extra[@]}" \
			--append "quiet clocksource=tsc tsc=reliable st.bench=$mode st.n=$scale st.profile=${ST_BENCH_PROFILE:-0}"
		tr -d '\r' <"$log" | grep -a -e '^ST-BENCH' -e '^ST-SLAB' \
			>>"$out/bench-$short.txt"
		echo "bench: $short $mode boot done ($(( $(date +%s) - start )) s)"
	done
	sed -i "1i ST-BENCH-KERNEL $kver" "$out/bench-$short.txt"
}

txts=()
for k in "6.1 $k61" "6.12 $k612-amd64"; do
	[ -z "${ST_BENCH_ONLY:-}" ] || [ "${k%% *}" = "$ST_BENCH_ONLY" ] || continue
	# shellcheck disable=SC2086
	bench_kernel $k
	txts+=("$out/bench-${k%% *}.txt")
done
python3 scripts/bench_report.py --json "$out/bench.json" --md "$out/bench.md" \
	"${txts[@]}"
rc=$?
echo "bench: $(( $(date +%s) - start )) s in all"
exit $rc
