#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lint group: checkpatch --strict over every C source and header, and
# kernel-doc over every file that has kernel-doc comments; each exported
# symbol must have a kernel-doc comment.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=lint
: >"$out/results/$g"
src=$(ksrc)
cd "$top"

files=$(git ls-files -co --exclude-standard '*.c' '*.h')
for f in $files; do
	log=$out/logs/checkpatch-$(echo "$f" | tr / _).log
	# The exemptions the project's shape forces: the compat header
	# exists to test kernel versions, and both compat headers define
	# the newer API under its own name, arguments the old one has no
	# use for included.
	case $f in
	scheduled_task_compat.h)
		ignore=LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_UNUSED ;;
	kunit/st_kunit_compat.h)
		ignore=MACRO_ARG_UNUSED ;;
	*) ignore= ;;
	esac
	perl "$src/scripts/checkpatch.pl" --strict --no-tree --quiet \
		${ignore:+--ignore $ignore} -f "$f" >"$log" 2>&1
	if [ -s "$log" ]; then
		result $g FAIL "checkpatch $f" "$(grep -cE '^(ERROR|WARNING|CHECK)' "$log") issue(s)"
		head -n 30 "$log"
	else
		result $g PASS "checkpatch $f"
	fi
done

for f in $(grep -l '^/\*\*' $files); do
	w=$(perl "$src/scripts/kernel-doc" -none -Wall "$f" 2>&1)
	if [ -n "$w" ]; then
		result $g FAIL "kernel-doc $f" "$(echo "$w" | wc -l) warning(s)"
		echo "$w" | head -n 20
	else
		result $g PASS "kernel-doc $f"
	fi
done

missing=
for sym in $(grep -ho 'EXPORT_SYMBOL_NS_GPL(\w*, SCHEDULED_TASK)' $files | sed 's/.*(\(\w*\),.*/\1/'); do
	grep -q "^ \* $sym() - " $files || missing="$missing $sym"
done
if [ -n "$missing" ]; then
	result $g FAIL "kernel-doc on every export" "undocumented:$missing"
else
	result $g PASS "kernel-doc on every export"
fi

# Documentation: valid RST (docutils, warnings are errors), no full build.
for f in $(git ls-files -co --exclude-standard 'Documentation/*.rst'); do
	w=$(python3 - "$f" 2>&1 <<'PY'
import sys, docutils.core
docutils.core.publish_string(open(sys.argv[1]).read(), writer_name="null",
    settings_overrides={"report_level": 2, "halt_level": 2})
PY
)
	if [ $? -ne 0 ]; then
		result $g FAIL "rst $f" "$(echo "$w" | tail -n 1)"
	else
		result $g PASS "rst $f"
	fi
done

# Documentation/ABI: the kernel's own validator, and one entry per sysfs
# attribute and module parameter the code defines.
w=$(perl "$src/scripts/get_abi.pl" validate --dir Documentation/ABI 2>&1)
if [ -n "$w" ]; then
	result $g FAIL "ABI files valid (get_abi.pl)" "$(echo "$w" | head -n 1)"
else
	result $g PASS "ABI files valid (get_abi.pl)"
fi
undoc=
for a in $(sed -n 's/^static DEVICE_ATTR_R[OW]*(\([a-z_]*\));/\1/p' scheduled_task_sysfs.c); do
	grep -q "^What:.*/scheduled_task/<client-device>:<task>/$a\$" \
		Documentation/ABI/testing/sysfs-class-scheduled_task || undoc+=" $a"
done
for p in $(sed -n 's/^module_param_cb(\([a-z_]*\),.*/\1/p' scheduled_task_store.c); do
	grep -q "^What:.*/sys/module/scheduled_task/parameters/$p\$" \
		Documentation/ABI/testing/sysfs-module-scheduled_task || undoc+=" param:$p"
done
if [ -n "$undoc" ]; then
	result $g FAIL "ABI entry for every attribute and parameter" "missing:$undoc"
else
	result $g PASS "ABI entry for every attribute and parameter"
fi
