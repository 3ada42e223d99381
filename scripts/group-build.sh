#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build group: the module, samples and (where the kernel has KUnit) the
# KUnit suites against the debug kernel and Debian's 6.1 and 6.12 headers,
# stock and PREEMPT_RT, each with W=1 and from a clean tree, plus sparse
# (C=2) against the debug kernel.  A warning is a failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=build
: >"$out/results/$g"

check_build $g stock-6.1 "/usr/src/linux-headers-$ST_61_KVER" "build-$ST_61_KVER-W=1" W=1
check_build $g stock-6.12 "/usr/src/linux-headers-$ST_612_KVER" "build-$ST_612_KVER-W=1" W=1
check_build $g rt-6.1 "/usr/src/linux-headers-$ST_61_RT_KVER" "build-$ST_61_RT_KVER-W=1" W=1
check_build $g rt-6.12 "/usr/src/linux-headers-$ST_612_RT_KVER" "build-$ST_612_RT_KVER-W=1" W=1
# Last, the debug kernel, which check.sh may still be building.
kdir=$(kernel_dir debug)
check_build $g debug "$kdir" "build-debug-6.12-kunit-W=1" W=1
check_build $g sparse "$kdir" "sparse-C=2-debug-6.12" C=2

# DKMS, as an administrator would use it, in private trees (nothing is
# installed on this machine): dkms add, then dkms build for each kernel.
dk=$out/dkms
rm -rf "$dk"
mkdir -p "$dk/src" "$dk/tree"
copy_tree "$dk/src/scheduled_task-0.1"
dkms_args=(--sourcetree "$dk/src" --dkmstree "$dk/tree" -m scheduled_task -v 0.1)
if dkms add "${dkms_args[@]}" >"$out/logs/dkms.log" 2>&1; then
	for kver in "$ST_61_KVER" "$ST_612_KVER"; do
		[ "$kver" = skip ] && continue
		ko=$dk/tree/scheduled_task/0.1/$kver/x86_64/module/scheduled-task.ko
		if dkms build "${dkms_args[@]}" -k "$kver" >>"$out/logs/dkms.log" 2>&1 &&
		   { [ -e "$ko" ] || [ -e "$ko.xz" ]; }; then
			result $g PASS "dkms-build-$kver"
		else
			result $g FAIL "dkms-build-$kver" "see out/logs/dkms.log"
		fi
	done
else
	result $g FAIL "dkms-add" "see out/logs/dkms.log"
fi

# modinfo: what an administrator reads before loading.
modinfo_has() {	# modinfo_has KO FIELD PATTERN
	grep -qE "$3" <<<"$(modinfo -F "$2" "$1" 2>/dev/null)"
}
ko=$out/build/stock-6.12/scheduled-task.ko
miss=
modinfo_has "$ko" description 'Scheduled-once' || miss+=" description"
modinfo_has "$ko" author . || miss+=" author"
modinfo_has "$ko" license '^GPL$' || miss+=" license"
modinfo_has "$ko" parm '^store:' || miss+=" parm:store"
modinfo_has "$ko" parm '^nvmem:' || miss+=" parm:nvmem"
modinfo_has "$ko" import_ns '^EFIVAR$' || miss+=" import_ns:EFIVAR"
for s in st_sample st_firmware_setup st_wait_resource st_resume_recal; do
	k=$out/build/stock-6.12/samples/$s.ko
	modinfo_has "$k" import_ns '^SCHEDULED_TASK$' || miss+=" $s:import_ns"
	modinfo_has "$k" description . || miss+=" $s:description"
	modinfo_has "$k" license '^GPL$' || miss+=" $s:license"
done
if [ -z "$miss" ]; then
	result $g PASS "modinfo-fields"
else
	result $g FAIL "modinfo-fields" "missing:$miss"
fi
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
