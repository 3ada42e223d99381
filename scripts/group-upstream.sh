#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Upstream group: the in-tree series that `make upstream` writes
# (scripts/upstream.py), checked the way a maintainer would:
#   - upstream-series          the generator runs and writes the patches
#   - checkpatch <patch>       scripts/checkpatch.pl --strict, run in the
#                              tree, says 0 errors, 0 warnings, 0 checks
#   - applies <patch>          git am onto a clean linux-source-6.12
#   - build-y-w1, build-m-w1   the tree builds with CONFIG_SCHEDULED_TASK=y
#                              (the KUnit kernel) and =m (the same
#                              configuration with the service and its
#                              tests as modules), with no warning in the
#                              service's files; then the service's
#                              directories again with W=1, with no warning
#                              at all
#   - kunit.py <suite>         kunit.py build, then exec, --arch=x86_64
#                              --kunitconfig=drivers/misc/scheduled_task:
#                              one case per suite, and one that the run
#                              completed with every test passed or skipped
#   - sphinx                   the new page (and its kernel-doc) renders
#                              with the kernel's Sphinx configuration and
#                              no warning
# Everything heavy is cached under $ST_CACHE/upstream-<source version>/:
# the tree is a git repository whose commit "base" is the clean
# extraction, so applying the series touches only the files it changes,
# and the build directories are keyed by a hash of their configuration,
# so a run after a change rebuilds only what the change touched.
#
# Two phases, so that check.sh can build while other groups test:
#   group-upstream.sh build   the series, the tree, both kernel builds
#                             (no guest; check.sh runs it in the
#                             background after the debug kernels)
#   group-upstream.sh run     checkpatch, the kunit.py guest, W=1, Sphinx,
#                             the cover letter
# With no argument, both.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=upstream
phase=${1:-all}
cd "$top"

ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# ST_UPSTREAM_CACHE: another place (a cold run, to time one).
cache=${ST_UPSTREAM_CACHE:-$(st_cache)/upstream-$ver}
tree=$cache/linux
series=$out/upstream
jobs=$(nproc)
# What the build phase leaves for the run phase: the build directories.
built=$out/upstream-built
mkdir -p "$cache"
gitc() { git -C "$tree" -c user.name=st -c user.email=st@localhost "$@"; }

# kunit.py's arguments for the =y kernel: the in-tree .kunitconfig, plus
# what lets the =m build below start from this build instead of from
# nothing (modules, the samples, EFI so the efivar store is compiled with
# its firmware side too).  Both kunit.py build and exec take them.
kunit_args=(--arch=x86_64 --kunitconfig=drivers/misc/scheduled_task
	--kconfig_add CONFIG_MODULES=y --kconfig_add CONFIG_EFI=y
	--kconfig_add CONFIG_SAMPLES=y --kconfig_add CONFIG_SAMPLE_SCHEDULED_TASK=m)
# And what the =m build changes in that configuration.
m_opts=(-m SCHEDULED_TASK -m SCHEDULED_TASK_KUNIT_TEST)

# The series' patches, without the cover letter.
series_patches() { ls "$series"/0*.patch | grep -v '/0000-'; }

# Warnings of a build log that name the service's files (by their place
# in the tree: the cache's own path has "scheduled_task" in it), and every
# modpost warning.
our_warnings() {
	grep -E '(warning|error):|WARNING:|ERROR:' "$1" |
		grep -E '(drivers/misc|samples)/scheduled_task/|linux/scheduled_task\.h|modpost' || true
}

# The series, the clean tree with the series applied, and the two builds.
upstream_build() {
	local src p n w applied kcfg bk bm klog mlog start miss opt kos
	rm -f "$built"
	src=$(ksrc)
	if python3 scripts/upstream.py ${src:+--ksrc "$src"} --out "$series" \
		>"$out/logs/upstream-gen.log" 2>&1; then
		result $g PASS "upstream-series" "$(ls "$series"/0*.patch | wc -l) files"
	else
		result $g FAIL "upstream-series" "$(tail -n 1 "$out/logs/upstream-gen.log")"
		return 1
	fi

	# The clean tree, once: extracted and committed as "base".
	if ! gitc rev-parse -q --verify base >/dev/null 2>&1; then
		echo "upstream: extracting linux-source-6.12 $ver into $tree"
		rm -rf "$tree"
		mkdir -p "$tree"
		tar -C "$tree" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz &&
		git -C "$tree" init -q &&
		# -f: Debian's .gitignore ignores every top-level path.
		gitc -c core.compression=0 add -A -f >/dev/null &&
		gitc commit -q -m "linux-source-6.12 $ver" &&
		gitc tag base || { result $g FAIL "clean-tree" "extraction failed"; return 1; }
	fi

	# Apply to the clean tree: back to base (only the files the last
	# series touched change), then git am patch by patch.
	gitc am --abort >/dev/null 2>&1
	gitc checkout -q -f -B series base && gitc clean -q -fdx
	applied=1
	for p in $(series_patches); do
		n=$(basename "$p")
		if w=$(gitc am --whitespace=error-all "$p" 2>&1); then
			result $g PASS "applies $n"
		else
			result $g FAIL "applies $n" "$(echo "$w" | grep -m1 -iE 'error|fail')"
			gitc am --abort >/dev/null 2>&1
			applied=
			break
		fi
	done
	[ -n "$applied" ] || return 1

	# =y: kunit.py build, the way kernel developers build KUnit, into a
	# directory of its own keyed by the configuration.
	kcfg=$tree/drivers/misc/scheduled_task/.kunitconfig
	bk=$cache/build-kunit-$( (cat "$kcfg" "$tree/tools/testing/kunit/qemu_configs/x86_64.py"
		echo "${kunit_args[*]}") | sha256sum | cut -c1-12)
	# A changed configuration leaves the old directories behind: drop them.
	for d in "$cache"/build-kunit-* "$cache"/build-m-*; do
		case $d in "$bk"|"$bk"-m) ;; *) rm -rf "$d" ;; esac
	done
	klog=$out/logs/upstream-kunit-build.log
	start=$(date +%s)
	(cd "$tree" && python3 tools/testing/kunit/kunit.py build "${kunit_args[@]}" \
		--build_dir="$bk" --jobs="$jobs") >"$klog" 2>&1
	echo "kunit.py build: $(( $(date +%s) - start ))s" >>"$out/results/$g.figures"
	if [ ! -f "$bk/vmlinux" ] || grep -q 'Building with errors\|make: \*\*\*' "$klog"; then
		result $g FAIL "build-y" "see $klog"
		tail -n 20 "$klog"
		return 1
	elif ! grep -q '^CONFIG_SCHEDULED_TASK=y' "$bk/.config"; then
		result $g FAIL "build-y" "no CONFIG_SCHEDULED_TASK=y in $bk/.config"
		return 1
	fi
	result $g PASS "build-y"

	# =m: the =y configuration with the service and its tests as modules,
	# built in a copy of the =y directory (once; later runs rebuild it
	# incrementally), so only what the change touches is compiled.
	bm=$bk-m
	mlog=$out/logs/upstream-build-m.log
	start=$(date +%s)
	[ -f "$bm/.config" ] || cp -a "$bk" "$bm"
	cp "$bk/.config" "$bm/.config"
	"$tree/scripts/config" --file "$bm/.config" "${m_opts[@]}"
	if ! make -C "$tree" O="$bm" ARCH=x86_64 olddefconfig >"$mlog" 2>&1; then
		result $g FAIL "build-m" "configuration failed, see $mlog"
		return 1
	fi
	miss=
	for opt in CONFIG_SCHEDULED_TASK=m CONFIG_SCHEDULED_TASK_KUNIT_TEST=m \
		CONFIG_SAMPLE_SCHEDULED_TASK=m CONFIG_EFI=y CONFIG_MODULES=y; do
		grep -qx "$opt" "$bm/.config" || miss+=" $opt"
	done
	if [ -n "$miss" ]; then
		result $g FAIL "build-m" "not in .config:$miss"
		return 1
	fi
	if ! make -C "$tree" O="$bm" ARCH=x86_64 -j"$jobs" >>"$mlog" 2>&1; then
		result $g FAIL "build-m" "build failed, see $mlog"
		tail -n 20 "$mlog"
		return 1
	fi
	echo "build =m: $(( $(date +%s) - start ))s" >>"$out/results/$g.figures"
	w=$(our_warnings "$mlog")
	kos=$(cd "$bm" && ls drivers/misc/scheduled_task/scheduled-task.ko \
		drivers/misc/scheduled_task/kunit/scheduled_task_kunit.ko \
		samples/scheduled_task/*.ko 2>/dev/null | wc -l)
	if [ -n "$w" ]; then
		result $g FAIL "build-m" "$(echo "$w" | wc -l) warning(s)"
		echo "$w" | head -n 20
	elif [ "$kos" -ne 6 ]; then
		result $g FAIL "build-m" "$kos of 6 modules built"
	else
		result $g PASS "build-m" "scheduled-task.ko, the KUnit module, 4 samples"
	fi
	printf 'bk=%q\nbm=%q\n' "$bk" "$bm" >"$built"
}

w1_check() {	# w1_check NAME BUILDDIR DIRS...
	local name=$1 b=$2 w
	shift 2
	if ! make -C "$tree" O="$b" ARCH=x86_64 W=1 -j"$jobs" "$@" >"$out/logs/upstream-$name-w1.log" 2>&1; then
		result $g FAIL "$name-w1" "W=1 build failed, see out/logs/upstream-$name-w1.log"
		return
	fi
	w=$(grep -E 'warning:|error:' "$out/logs/upstream-$name-w1.log")
	if [ -n "$w" ]; then
		result $g FAIL "$name-w1" "$(echo "$w" | wc -l) W=1 warning(s)"
		echo "$w" | head -n 20
	else
		result $g PASS "$name-w1"
	fi
}

# checkpatch, the tests in a guest, W=1, Sphinx, the cover letter.
upstream_run() {
	local p n log klog krc summary sd src_rc w src bk bm status suite start
	if [ ! -f "$built" ]; then
		grep -q '^FAIL' "$out/results/$g" 2>/dev/null ||
			result $g FAIL "upstream-build" "the build phase did not finish, see out/logs/upstream-build.out"
		return 1
	fi
	. "$built"

	# checkpatch, in the tree (it reads MAINTAINERS and the spelling list).
	for p in $(series_patches); do
		n=$(basename "$p")
		log=$out/logs/checkpatch-$n.log
		(cd "$tree" && perl scripts/checkpatch.pl --strict "$p") >"$log" 2>&1
		if grep -q '^total: 0 errors, 0 warnings, 0 checks' "$log"; then
			result $g PASS "checkpatch $n"
		else
			result $g FAIL "checkpatch $n" "$(grep '^total:' "$log")"
			grep -E -A3 '^(ERROR|WARNING|CHECK)' "$log" | head -n 20
		fi
	done

	# The tests: kunit.py exec boots what kunit.py build made.
	klog=$out/logs/upstream-kunit.log
	start=$(date +%s)
	(cd "$tree" && python3 tools/testing/kunit/kunit.py exec "${kunit_args[@]}" \
		--build_dir="$bk" --timeout=900 --qemu_args="-smp 2") >"$klog" 2>&1
	krc=$?
	echo "kunit.py exec: $(( $(date +%s) - start ))s" >>"$out/results/$g.figures"
	# One case per suite from kunit.py's parsed output, and the summary.
	# Suites only: a parameterized case has a "[PASSED] <case>" header too.
	sed -n 's/^\[[0-9:]*\] =* \[\(PASSED\|FAILED\|SKIPPED\|CRASHED\)\] \(scheduled_task_[a-z0-9_]*\) =*$/\1 \2/p' "$klog" |
	while read -r status suite; do
		case $status in
		PASSED) result $g PASS "kunit.py $suite" ;;
		SKIPPED) result $g SKIP "kunit.py $suite" "skipped" ;;
		*) result $g FAIL "kunit.py $suite" "$status: $(sed -n "s/^\[[0-9:]*\] \[\(FAILED\|CRASHED\)\] \([a-z0-9_]*\)$/\2/p" "$klog" | tr '\n' ' ')" ;;
		esac
	done
	summary=$(grep -E '^\[[0-9:]*\] Testing complete\.' "$klog" | sed 's/^\[[0-9:]*\] //')
	if [ $krc -eq 0 ] && [ -n "$summary" ]; then
		result $g PASS "kunit.py run" "$summary"
	else
		result $g FAIL "kunit.py run" "exit $krc${summary:+, $summary}; see $klog"
		tail -n 30 "$klog"
	fi
	echo "kunit.py: ${summary:-no summary}" >>"$out/results/$g.figures"

	# Only now: W=1 recompiles the service's objects in the =y directory.
	w1_check build-y "$bk" drivers/misc/scheduled_task/
	w1_check build-m "$bm" drivers/misc/scheduled_task/ samples/scheduled_task/

	# Sphinx: only the new page, with the kernel's conf.py and extensions.
	sd=$out/upstream-sphinx
	rm -rf "$sd"
	mkdir -p "$sd/src"
	cp "$tree/Documentation/driver-api/scheduled_task.rst" "$sd/src/"
	printf '.. toctree::\n\n   scheduled_task\n' >"$sd/src/index.rst"
	(cd "$tree/Documentation" && srctree=$tree PYTHONDONTWRITEBYTECODE=1 \
		sphinx-build -q -b html -c "$tree/Documentation" -d "$sd/doctrees" \
		"$sd/src" "$sd/html") >"$out/logs/upstream-sphinx.log" 2>&1
	src_rc=$?
	# Not about the page: kfigure's note that graphviz is not installed.
	w=$(grep -iE 'warning|error' "$out/logs/upstream-sphinx.log" | grep -v 'dot(1) not found')
	if [ $src_rc -ne 0 ] || [ -n "$w" ]; then
		result $g FAIL "sphinx" "exit $src_rc, $(echo "$w" | grep -c .) warning(s), see out/logs/upstream-sphinx.log"
		echo "$w" | head -n 20
	elif [ ! -s "$sd/html/scheduled_task.html" ]; then
		result $g FAIL "sphinx" "no scheduled_task.html"
	else
		result $g PASS "sphinx" "$(grep -c 'class="sig-name' "$sd/html/scheduled_task.html") API entries rendered"
	fi

	# The cover letter quotes this run's results (make upstream quotes
	# the last run's).
	{
		echo "make check, group upstream ($(date -u +%Y-%m-%d), Debian linux-source-6.12 $ver,"
		echo "x86_64, gcc $(gcc -dumpversion), QEMU under TCG):"
		echo
		sed 's/^/  /' "$out/results/$g"
		echo
		sed 's/^/  /' "$out/results/$g.figures"
	} >"$out/upstream-results.txt"
	src=$(ksrc)
	python3 scripts/upstream.py ${src:+--ksrc "$src"} --out "$series" \
		--results "$out/upstream-results.txt" >>"$out/logs/upstream-gen.log" 2>&1 ||
		result $g FAIL "upstream-cover-letter" "see out/logs/upstream-gen.log"
}

case $phase in
build)	: >"$out/results/$g"; rm -f "$out/results/$g.figures"
	upstream_build ;;
run)	upstream_run ;;
all)	: >"$out/results/$g"; rm -f "$out/results/$g.figures"
	upstream_build && upstream_run ;;
*)	echo "usage: group-upstream.sh [build|run]" >&2; exit 2 ;;
esac
