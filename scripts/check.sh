#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's test runner:
#   check.sh all|build|lint|kunit|e2e|persist|kcsan|upstream
#   check.sh kunit-release|kunit-clang|kunit-6.1
#
# Installs what it needs, builds the two debug kernels once (cached), then
# runs the groups.  "all" leaves out kunit-release (the debug kernel with
# CONFIG_DEBUG_KOBJECT_RELEASE), kunit-clang (the debug kernel built with
# LLVM=1) and kunit-6.1 (the debug kernel built from linux-source-6.1):
# each needs a kernel build of its own, 6-10 minutes the first time, which
# would push "make check" past its time budget on a fresh machine.  They
# run by name (make check-release, make check-clang, make check-6.1).
# Every case ends up as one line "PASS|FAIL|SKIP <name>"
# in out/results/<group>; a group that ends without any is a failure.  The
# summary prints one line per group, the groups' figures, and ends with
# "N passed, N failed, N skipped".  Exit status is non-zero when anything
# failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out=$top/out
what=${1:-all}
mkdir -p "$out/results" "$out/logs"
rm -f "$out"/results/*

. "$top/scripts/lib.sh"

t_start=$(date +%s)
if ! k612=$(scripts/deps.sh | tail -n 1); then
	echo "check: installing dependencies failed" >&2
	exit 1
fi
# The debug kernels: a failed build fails by name, and the groups that
# need it fail too (they find no kernel).
debug_kernel() {
	local dir
	if dir=$(scripts/kernel.sh "$1"); then
		echo "$dir"
	else
		echo "check: the $1 kernel did not build" >&2
		result deps FAIL "$1-kernel-build" >&2
	fi
}
export ST_DEBUG_KDIR=$(debug_kernel debug)
export ST_612_KVER="$k612-amd64"
export ST_61_KVER=$(ls /usr/src | sed -n 's/^linux-headers-\(6\.1\.[0-9-]*-amd64\)$/\1/p' | sort -V | tail -n 1)
# Their PREEMPT_RT flavours (scripts/deps.sh installs both header sets).
export ST_612_RT_KVER="$k612-rt-amd64"
export ST_61_RT_KVER="${ST_61_KVER%-amd64}-rt-amd64"

run_group() {
	local group=$1 start rc
	start=$(date +%s)
	"scripts/group-$group.sh" >"$out/logs/$group.out" 2>&1
	rc=$?
	# A group that died without recording a failure still fails, and so
	# does one that recorded nothing at all.
	if [ $rc -ne 0 ] && ! grep -q '^FAIL' "$out/results/$group" 2>/dev/null; then
		result "$group" FAIL "$group-runner-exit-$rc" >/dev/null
	fi
	if ! grep -qE '^(PASS|FAIL)' "$out/results/$group" 2>/dev/null; then
		result "$group" FAIL "$group-ran-no-test" >/dev/null
	fi
	echo "$(( $(date +%s) - start ))" >"$out/results/$group.time"
	grep '^FAIL' "$out/results/$group" 2>/dev/null | sed 's/^/  /'
	[ $rc -eq 0 ] || tail -n 15 "$out/logs/$group.out" | sed 's/^/  | /'
}

case $what in
all) groups="build lint kunit e2e persist kcsan upstream"
     # make check SUITE=<glob>: just those KUnit suites, on both kernels.
     [ -z "${SUITE:-}" ] || groups="kunit kcsan" ;;
build|lint|kunit|e2e|persist|kcsan|upstream|kunit-release|kunit-clang|kunit-6.1) groups=$what ;;
*) echo "usage: check.sh all|build|lint|kunit|e2e|persist|kcsan|upstream|kunit-release|kunit-clang|kunit-6.1" >&2
   exit 2 ;;
esac

# The kernels only the groups run by name need: built (or found in the
# cache) before their group, in the foreground since nothing else runs.
case " $groups " in
*" kunit-release "*) export ST_RELEASE_KDIR=$(debug_kernel release) ;;
esac
case " $groups " in
*" kunit-clang "*) export ST_CLANG_KDIR=$(debug_kernel clang) ;;
esac
case " $groups " in
*" kunit-6.1 "*) export ST_DEBUG61_KDIR=$(debug_kernel 6.1) ;;
esac

# The KCSAN kernel is needed last.  It builds in the background at idle
# CPU priority while the groups before it run: their guests leave a core
# idle much of the time, and at idle priority the build never takes CPU
# time they want.
kcsan_build=
case " $groups " in
*" kcsan "*)
	( nice -n 19 chrt --idle 0 "$top/scripts/kernel.sh" kcsan \
		>"$out/logs/kernel-kcsan.dir" 2>"$out/logs/kernel-kcsan.log" ||
		result deps FAIL "kcsan-kernel-build" >&2 ) &
	kcsan_build=$! ;;
esac

for g in $groups; do
	if [ "$g" = kcsan ] && [ -n "$kcsan_build" ]; then
		wait "$kcsan_build"
		ST_KCSAN_KDIR=$(cat "$out/logs/kernel-kcsan.dir")
		export ST_KCSAN_KDIR
	fi
	echo "== $g"
	run_group "$g"
done

echo
pass=0 fail=0 skip=0
for f in "$out"/results/*; do
	case $f in *.time|*.figures) continue ;; esac
	g=$(basename "$f")
	p=$(grep -c '^PASS' "$f") x=$(grep -c '^FAIL' "$f") s=$(grep -c '^SKIP' "$f")
	t=$(cat "$f.time" 2>/dev/null || echo 0)
	printf '%-14s %4d passed, %d failed, %d skipped  (%ss)\n' "$g:" "$p" "$x" "$s" "$t"
	pass=$((pass + p)) fail=$((fail + x)) skip=$((skip + s))
done
cat "$out"/results/*.figures 2>/dev/null
echo "total time $(( $(date +%s) - t_start ))s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
