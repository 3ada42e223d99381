#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The project's test runner:
#   check.sh all|build|lint|kunit|e2e|persist|kcsan|upstream
#   check.sh kunit-release|kunit-clang|kunit-6.1
#
# Installs what it needs, then runs the groups while a background builder
# makes the kernels they need (scripts/kernel.sh, cached) one after
# another at idle CPU priority.  "all" leaves out kunit-release (the debug
# kernel with CONFIG_DEBUG_KOBJECT_RELEASE), kunit-clang (the debug kernel
# built with LLVM=1) and kunit-6.1 (the debug kernel built from
# linux-source-6.1): each needs a kernel build of its own, 6-10 minutes
# the first time, which would push "make check" past its time budget on a
# fresh machine.  They run by name (make check-release, make check-clang,
# make check-6.1).
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
# The 6.12 source tree, before any group: lint runs its checkpatch and
# kernel-doc, the KUnit groups its kunit.py.
if ! scripts/kernel.sh source >/dev/null; then
	echo "check: unpacking linux-source-6.12 failed" >&2
	exit 1
fi
export ST_612_KVER="$k612-amd64"
export ST_61_KVER=$(ls /usr/src | sed -n 's/^linux-headers-\(6\.1\.[0-9-]*-amd64\)$/\1/p' | sort -V | tail -n 1)
# Their PREEMPT_RT flavours (scripts/deps.sh installs both header sets).
export ST_612_RT_KVER="$k612-rt-amd64"
export ST_61_RT_KVER="${ST_61_KVER%-amd64}-rt-amd64"

# run_group GROUP [ARG]: scripts/group-GROUP.sh [ARG], its results checked.
run_group() {
	local group=$1 start rc
	start=$(date +%s)
	"scripts/group-$group.sh" "${@:2}" >"$out/logs/$group.out" 2>&1
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

# The groups in the order they run.  The ones that need no kernel of ours
# come first (persist and most of e2e boot Debian's kernels), so that the
# kernels build while they run; each group waits for its kernel where it
# first needs it (kernel_dir in lib.sh).
case $what in
all) groups="lint persist e2e build kunit kcsan upstream"
     # make check SUITE=<glob>: just those KUnit suites, on both kernels.
     [ -z "${SUITE:-}" ] || groups="kunit kcsan" ;;
build|lint|kunit|e2e|persist|kcsan|upstream|kunit-release|kunit-clang|kunit-6.1) groups=$what ;;
*) echo "usage: check.sh all|build|lint|kunit|e2e|persist|kcsan|upstream|kunit-release|kunit-clang|kunit-6.1" >&2
   exit 2 ;;
esac

# The kernels those groups need, in the order they need them.
kernels=
for g in $groups; do
	case $g in
	build|e2e|kunit) k=debug ;;
	kcsan) k=kcsan ;;
	kunit-*) k=${g#kunit-} ;;
	*) continue ;;
	esac
	case " $kernels " in *" $k "*) ;; *) kernels+=" $k" ;; esac
done

# The background builder: one kernel build at a time, then the build
# phase of the upstream group (its two kernel builds), all at idle CPU
# priority, so they take the CPU time the groups' guests leave (about a
# core beside a one-vCPU guest) and slow a test down little (persist took
# 411-451 s beside the debug kernel's build, 346 s alone).  Each finished
# kernel leaves a file in $ST_KERNELS with its build directory, or empty
# when its build failed.
export ST_KERNELS=$out/kernels
rm -rf "$ST_KERNELS"
mkdir -p "$ST_KERNELS"
builder() {
	local k dir start
	for k in $kernels; do
		if dir=$(scripts/kernel.sh "$k" 2>"$out/logs/kernel-$k.log"); then
			echo "$dir" >"$ST_KERNELS/$k.tmp"
		else
			result deps FAIL "$k-kernel-build" "see out/logs/kernel-$k.log" >/dev/null
			: >"$ST_KERNELS/$k.tmp"
		fi
		mv "$ST_KERNELS/$k.tmp" "$ST_KERNELS/$k"
	done
	case " $groups " in
	*" upstream "*)
		start=$(date +%s)
		scripts/group-upstream.sh build >"$out/logs/upstream-build.out" 2>&1
		echo "upstream: build phase $(( $(date +%s) - start ))s in the background" \
			>>"$out/results/upstream.figures" ;;
	esac
}
# It stays in check.sh's process group, so a Ctrl-C or a CI job's kill
# of the group stops its build too.
(
	chrt --idle -p 0 "$BASHPID" && renice -n 19 -p "$BASHPID" >/dev/null
	builder
) &
export ST_BUILDER=$!

for g in $groups; do
	echo "== $g"
	case $g in
	upstream) wait "$ST_BUILDER"; run_group upstream run ;;
	*) run_group "$g" ;;
	esac
done
wait "$ST_BUILDER"
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
