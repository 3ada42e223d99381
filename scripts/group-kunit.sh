#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit group: one boot of the debug kernel (qboot, TCG) that loads the
# module and the KUnit suites; results read with upstream kunit.py parse.
# Any splat in the guest log (KASAN, lockdep, WARN, kmemleak, ...) fails
# the group even when every case passed.  SUITE=<glob> limits the suites.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=kunit
: >"$out/results/$g"
src=$(ksrc)

if [ -z "${ST_DEBUG_KDIR:-}" ]; then
	result $g FAIL "debug-kernel" "no debug kernel"
	exit 1
fi
if ! build_modules debug "$ST_DEBUG_KDIR" W=1; then
	result $g FAIL "build" "see out/logs/build-debug.log"
	exit 1
fi

b=$out/build/debug
img=$out/kunit-initramfs.cpio.gz
log=$out/logs/kunit-console.log
scripts/initramfs.sh "$img" tests/guest/kunit.sh \
	"$b/scheduled_task.ko:lib/st/scheduled_task.ko" \
	"$b/kunit/scheduled_task_kunit.ko:lib/st/scheduled_task_kunit.ko"

append="kmemleak=on"
[ -z "${SUITE:-}" ] || append="$append kunit.filter_glob=$SUITE"
start=$(date +%s)
scripts/qemu.sh --kernel "$ST_DEBUG_KDIR/arch/x86/boot/bzImage" \
	--initrd "$img" --log "$log" --append "$append" --timeout 900
rc=$?
echo "guest ran $(( $(date +%s) - start ))s, qemu exit $rc"
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"

if [ $rc -ne 0 ] || ! grep -q 'ST-GUEST-DONE' "$log"; then
	result $g FAIL "guest-completed" "qemu exit $rc, log $log"
	tail -n 40 "$log"
fi

# Each debugfs results file is a whole KTAP document with its own
# top-level header: keep the suites, put one header over all of them.
ktap=$out/logs/kunit.ktap
sed -n '/^ST-KTAP-BEGIN$/,/^ST-KTAP-END$/p' "$log" | sed '1d;$d' |
	grep -vE '^(KTAP version [0-9]+|1\.\.[0-9]+)$' >"$ktap.body"
n=$(grep -c '^    # Subtest:' "$ktap.body")
{
	echo "KTAP version 1"
	echo "1..$n"
	awk '/^(not )?ok [0-9]+ /{ i++; sub(/ok [0-9]+ /, "ok " i " ") } { print }' "$ktap.body"
} >"$ktap"
if [ "$n" -eq 0 ]; then
	result $g FAIL "kunit-suites-ran" "no KTAP in $log"
else
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$out/logs/kunit.json" \
		"$ktap" >"$out/logs/kunit-parse.txt" 2>&1
	prc=$?
	cat "$out/logs/kunit-parse.txt" | grep -vE '^\[[0-9:]+\] *$' | tail -n 60
	python3 - "$out/logs/kunit.json" >>"$out/results/$g" <<'PY'
import json, sys
def walk(t, prefix):
    for c in t.get("test_cases", []):
        st = {"PASS": "PASS", "SKIP": "SKIP"}.get(c["status"], "FAIL")
        print(f"{st} {prefix}{t['name']}.{c['name']}")
    for s in t.get("sub_groups", []):
        walk(s, prefix)
walk(json.load(open(sys.argv[1])), "")
PY
	[ $prc -eq 0 ] || grep -q '^FAIL' "$out/results/$g" ||
		result $g FAIL "kunit-parse" "kunit.py parse exit $prc"
fi

log_clean $g guest-log-clean "$log"
if sed -n '/ST-KMEMLEAK-BEGIN/,/ST-KMEMLEAK-END/p' "$log" | grep -q 'unreferenced object'; then
	result $g FAIL "kmemleak-clean"
else
	result $g PASS "kmemleak-clean"
fi
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
