#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build group: the module, samples and (where the kernel has KUnit) the
# KUnit suites against the debug kernel and Debian's 6.1 and 6.12 headers,
# each with W=1, plus sparse (C=2) against the debug kernel.  A warning
# is a failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=build
: >"$out/results/$g"

check_build() {
	local name=$1 kdir=$2 what=$3
	shift 3
	if [ ! -d "$kdir" ]; then
		result $g FAIL "$what" "no kernel tree $kdir"
		return
	fi
	if ! build_modules "$name" "$kdir" "$@"; then
		result $g FAIL "$what" "build failed, see out/logs/build-$name.log"
		build_warnings "$out/logs/build-$name.log" | head -n 20
		return
	fi
	local w
	w=$(build_warnings "$out/logs/build-$name.log")
	if [ -n "$w" ]; then
		result $g FAIL "$what" "$(echo "$w" | wc -l) warning(s)"
		echo "$w" | head -n 20
	else
		result $g PASS "$what"
	fi
}

check_build debug "$ST_DEBUG_KDIR" "build-debug-6.12-kunit-W=1" W=1
check_build stock-6.1 "/usr/src/linux-headers-$ST_61_KVER" "build-$ST_61_KVER-W=1" W=1
check_build stock-6.12 "/usr/src/linux-headers-$ST_612_KVER" "build-$ST_612_KVER-W=1" W=1
rm -rf "$out/build/sparse"
check_build sparse "$ST_DEBUG_KDIR" "sparse-C=2-debug-6.12" C=2
