#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit groups: the module and the KUnit suites in one boot of a debug
# kernel (qboot, TCG, two vCPUs):
#   group-kunit.sh [debug]  group "kunit": KASAN, lockdep, UBSAN, kmemleak,
#                           debug objects, SMP, full preemption
#   group-kunit.sh kcsan    group "kcsan": the same kernel with KCSAN
#                           instead of KASAN, booted with kmemleak off
#                           (and a W=1 build against it)
#   group-kunit.sh release  group "kunit-release": the debug kernel with
#                           CONFIG_DEBUG_KOBJECT_RELEASE (every kobject
#                           released 1-4 s after its last put)
#   group-kunit.sh clang    group "kunit-clang": the debug kernel built by
#                           clang 14 with LLVM=1, and a W=1 LLVM=1 build
#                           of the module and the suites against it
#   group-kunit.sh 6.1      group "kunit-6.1": the debug kernel built from
#                           linux-source-6.1, and a W=1 build against it
# The release, clang and 6.1 groups are not part of "make check" (each
# needs a kernel build of its own): make check-release, make check-clang,
# make check-6.1.
# Results are read with upstream kunit.py parse.  Each suite the sources
# declare must report every case its plan announces; the guest must have
# run on two CPUs of a preemptible kernel; any splat, a taint, a leak, or
# a KCSAN report naming our modules fails the group even when every case
# passed.  After the modules are unloaded, the guest checks that nothing
# of them is left: the class, anything named after the module in sysfs,
# debugfs or tracefs, the workqueue (cases unload-*).  SUITE=<glob>
# limits the suites; ST_STRESS_OPS=<n> and ST_STRESS_SEED=<seed> size
# and seed the scheduled_task_stress suite (defaults: 10000 operations,
# 2000 on KCSAN; a seed it picks and prints).  6.1's KUnit does not apply
# kunit.filter_glob to a module's suites, so SUITE does not reach 6.1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
flavour=${1:-debug}
case $flavour in
debug)	g=kunit verdict=--kmemleak stress_ops= ;;
# KCSAN runs the stress suite at twice the cost: 2000 operations (one
# round of ~90 s) unless ST_STRESS_OPS says otherwise.  It boots with
# kmemleak off: the other kernels look for leaks in the same suites, and
# under KCSAN the scans after the run took two of its seven minutes.
kcsan)	g=kcsan verdict=--kcsan stress_ops=2000 ;;
release) g=kunit-release verdict=--kmemleak stress_ops= ;;
clang)	g=kunit-clang verdict=--kmemleak stress_ops= ;;
6.1)	g=kunit-6.1 verdict=--kmemleak stress_ops=
	if [ -n "${SUITE:-}" ]; then
		echo "kunit-6.1: SUITE ignored"
		SUITE=
	fi ;;
*)	echo "group-kunit.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac
: >"$out/results/$g"
rm -f "$out/results/$g.figures"
kdir=$(kernel_dir "$flavour")
src=$(ksrc)
# Out-of-tree (O) and KUnit test modules (N) taint on purpose.
taint_ok=$(( (1 << 12) | (1 << 18) ))

# kunit_guest FLAVOUR KDIR [guest_verdict flags]: sets $figures.
kunit_guest() {
	local fl=$1 kdir=$2 p="$1: "
	shift 2
	if [ -z "$kdir" ]; then
		result $g FAIL "${p}kernel" "the $fl kernel did not build"
		return
	fi
	# The build group checks the debug kernel's build, and the release
	# kernel differs from it in one debug option; nothing else builds
	# against the KCSAN, clang and 6.1 debug kernels (the build group's
	# 6.1 headers have no KUnit), so their warnings count here.
	# A kernel built by clang takes its modules from clang too (LLVM=1).
	local mk=(W=1)
	[ "$fl" != clang ] || mk+=(LLVM=1)
	case $fl in
	debug|release)
		if ! build_modules "$fl" "$kdir" "${mk[@]}"; then
			result $g FAIL "${p}build" "see out/logs/build-$fl.log"
			return
		fi ;;
	*)
		check_build $g "$fl" "$kdir" "${p}build-W=1" "${mk[@]}" || return ;;
	esac
	local b=$out/build/$fl img=$out/kunit-$fl.cpio.gz log=$out/logs/kunit-$fl-console.log
	if ! scripts/initramfs.sh "$img" tests/guest/kunit.sh \
		"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
		"$b/kunit/scheduled_task_kunit.ko:lib/st/scheduled_task_kunit.ko"; then
		result $g FAIL "${p}initramfs" "the guest image did not build"
		return
	fi

	local append="kmemleak=off" start rc timeout=900
	[[ " $* " != *" --kmemleak "* ]] || append="kmemleak=on"
	[ -z "${SUITE:-}" ] || append="$append kunit.filter_glob=$SUITE"
	# The stress suite's size and seed (tests/guest/kunit.sh hands the
	# scheduled_task_kunit.* words to insmod); a long run gets the time
	# it needs.
	local ops=${ST_STRESS_OPS:-$stress_ops}
	if [ -n "$ops" ]; then
		append="$append scheduled_task_kunit.stress_ops=$ops"
		timeout=$(( 900 + ops / 100 ))
	fi
	[ -z "${ST_STRESS_SEED:-}" ] ||
		append="$append scheduled_task_kunit.stress_seed=$ST_STRESS_SEED"
	start=$(date +%s)
	scripts/qemu.sh --kernel "$kdir/arch/x86/boot/bzImage" --smp 2 \
		--initrd "$img" --log "$log" --append "$append" --timeout "$timeout"
	rc=$?
	echo "${p}guest ran $(( $(date +%s) - start ))s, qemu exit $rc"
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

	# Races need two CPUs at once and full preemption: say what ran.
	local start_line preempt
	start_line=$(grep -a '^ST-GUEST-START' "$log" | head -n 1)
	preempt=$(grep -a '^ST-PREEMPT' "$log" | head -n 1)
	case "$start_line/$preempt" in
	*" cpus=2 "*SMP*/*"(full)"*) result $g PASS "${p}guest-smp-preempt" ;;
	*) result $g FAIL "${p}guest-smp-preempt" \
		"expected 2 CPUs, SMP and full preemption: '$start_line' '$preempt'" ;;
	esac

	# Each debugfs results file is a whole KTAP document with its own
	# top-level header: keep the suites, put one header over all of them.
	local ktap=$out/logs/kunit-$fl.ktap n prc
	if [ "$fl" = 6.1 ]; then
		# 6.1 keeps only 512 bytes of each case's log for debugfs
		# (KUNIT_LOG_SIZE), so a case that logs more (parameters,
		# messages) loses its result line there.  The console has what
		# KUnit printed as it ran: from the first suite to the debugfs
		# copy, without timestamps and the kernel's other messages.
		sed 's/^\[ *[0-9.]*\] //' "$log" | awk '
			/^ST-KTAP-BEGIN$/ { exit }
			/^    KTAP version 1$/ { on = 1 }
			on && /^(    |(not )?ok [0-9]+ )/' >"$ktap.body"
	else
		sed -n '/^ST-KTAP-BEGIN$/,/^ST-KTAP-END$/p' "$log" | sed '1d;$d' |
			grep -vE '^(KTAP version [0-9]+|1\.\.[0-9]+)$' >"$ktap.body"
	fi
	n=$(grep -c '^    # Subtest:' "$ktap.body")
	{
		echo "KTAP version 1"
		echo "1..$n"
		awk '/^(not )?ok [0-9]+ /{ i++; sub(/ok [0-9]+ /, "ok " i " ") } { print }' "$ktap.body"
	} >"$ktap"
	if [ "$n" -gt 0 ]; then
		python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/logs/kunit-$fl.json" \
			"$ktap" >"$out/logs/kunit-$fl-parse.txt" 2>&1
		prc=$?
		grep -vE '^\[[0-9:]+\] *$' "$out/logs/kunit-$fl-parse.txt" | tail -n 60
		python3 - "$out/logs/kunit-$fl.json" "$p" >>"$out/results/$g" <<'PY'
import json, sys
def walk(t, prefix):
    for c in t.get("test_cases", []):
        st = {"PASS": "PASS", "SKIP": "SKIP"}.get(c["status"], "FAIL")
        print(f"{st} {prefix}{t['name']}.{c['name']}")
    for s in t.get("sub_groups", []):
        walk(s, prefix)
walk(json.load(open(sys.argv[1])), sys.argv[2])
PY
		[ $prc -eq 0 ] || grep -q "^FAIL $p" "$out/results/$g" ||
			result $g FAIL "${p}kunit-parse" "kunit.py parse exit $prc"
	fi
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ *) result $g PASS "${line#PASS }" ;;
		FAIL\ *) result $g FAIL "${line#FAIL }" ;;
		FIGURES\ *) figures=${line#FIGURES } ;;
		esac
	done < <(python3 scripts/ktap_check.py "$ktap" "$p" "${SUITE:-}" kunit/*.c)

	guest_verdict $g "$p" "$log" --taint "$taint_ok" "$@"

	# What unloading left behind: one ST-UNLOAD-CHECK line per check from
	# tests/guest/kunit.sh; a missing line is a failure.
	local what st why
	for what in class sysfs workqueue; do
		line=$(grep -a "^ST-UNLOAD-CHECK $what " "$log" | tail -n 1)
		st=$(echo "$line" | cut -d' ' -f3)
		why=$(echo "$line" | cut -d' ' -f4-)
		case $st in
		ok) result $g PASS "${p}unload-$what" ;;
		SKIP) result $g SKIP "${p}unload-$what" "$why" ;;
		FAIL) result $g FAIL "${p}unload-$what" "$why" ;;
		*) result $g FAIL "${p}unload-$what" "no 'ST-UNLOAD-CHECK $what' line in $log" ;;
		esac
	done
	# The release kernel is only worth its build if releases were delayed.
	if [ "$fl" = release ]; then
		if grep -q '^ST-KOBJECT-RELEASE-DELAYED' "$log"; then
			result $g PASS "${p}kobject-release-delayed"
		else
			result $g FAIL "${p}kobject-release-delayed" \
				"no delayed kobject release in the guest's dmesg, see $log"
		fi
	fi
}

figures=
kunit_guest "$flavour" "$kdir" $verdict

# What the exhaustive cases covered.
for f in $figures; do
	declare "fig_${f%%=*}=${f#*=}"
done
[ "${fig_alloc_ops:-0}" -gt 0 ] &&
	echo "$g: $fig_alloc allocation points failed one at a time over $fig_alloc_ops operations" |
	tee -a "$out/results/$g.figures"
[ "${fig_cuts:-0}" -gt 0 ] &&
	echo "$g: $fig_cuts power-cut points of record writes, each read back as the old or the new count" |
	tee -a "$out/results/$g.figures"
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
