#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a debug test kernel from Debian's linux-source-6.12 (or
# 6.1) with upstream kunit.py:
#   kernel.sh [debug]  kunit/.kunitconfig: KASAN, lockdep, UBSAN, kmemleak...
#   kernel.sh kcsan    the same without KASAN, plus kunit/kcsan.kunitconfig
#   kernel.sh release  the debug config plus kunit/release.kunitconfig
#                      (CONFIG_DEBUG_KOBJECT_RELEASE)
#   kernel.sh clang    the debug config (plus kunit/clang.kunitconfig)
#                      built with LLVM=1: clang, ld.lld, LLVM binutils;
#                      modules for it need LLVM=1 too
#   kernel.sh 6.1      the debug config built from linux-source-6.1, with
#                      kunit/6.1.kunitconfig (what 6.1 cannot have)
#   kernel.sh source   only unpack linux-source-6.12 (checkpatch,
#                      kernel-doc and kunit.py come from it)
# The result is cached under $ST_CACHE (default ~/.cache/scheduled_task),
# keyed by the flavour (which also says the toolchain), the source version
# and a hash of the config, so a second run does not rebuild.  Prints the
# build directory (usable as a kernel tree for M= builds).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-debug}
cache=${ST_CACHE:-$HOME/.cache/scheduled_task}
series=6.12
[ "$flavour" != 6.1 ] || series=6.1
tarball=$(ls /usr/src/linux-source-$series.tar.xz)
ver=$(dpkg-query -W -f='${Version}' linux-source-$series)
src=$cache/src/$ver/linux-source-$series

# The source tree, unpacked once; the mark says the unpacking finished.
unpack() {
	[ ! -f "$src/.st-unpacked" ] || return 0
	echo "kernel: unpacking linux-source-$series $ver" >&2
	rm -rf "$cache/src/$ver"
	mkdir -p "$cache/src/$ver"
	tar -C "$cache/src/$ver" -xf "$tarball"
	touch "$src/.st-unpacked"
}
if [ "$flavour" = source ]; then
	unpack
	echo "$src"
	exit 0
fi

cfg=$(mktemp)
trap 'rm -f "$cfg"' EXIT
make_opts=()
case $flavour in
debug)	cat "$top/kunit/.kunitconfig" >"$cfg" ;;
kcsan)	grep -v '^CONFIG_KASAN' "$top/kunit/.kunitconfig" >"$cfg"
	cat "$top/kunit/kcsan.kunitconfig" >>"$cfg" ;;
release) cat "$top/kunit/.kunitconfig" "$top/kunit/release.kunitconfig" >"$cfg" ;;
clang)	cat "$top/kunit/.kunitconfig" "$top/kunit/clang.kunitconfig" >"$cfg"
	make_opts=(--make_options LLVM=1) ;;
# What the 6.1 fragment turns off ("# CONFIG_X is not set") leaves the
# debug config, so that kunit.py checks the fragment's word for it.
6.1)	sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=y/p' \
		"$top/kunit/6.1.kunitconfig" |
		grep -v -x -F -f - "$top/kunit/.kunitconfig" >"$cfg"
	cat "$top/kunit/6.1.kunitconfig" >>"$cfg" ;;
*)	echo "kernel.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac
key="$flavour-$ver-$(sha256sum "$cfg" | cut -c1-12)"
out=$cache/kernel-$key

if [ -f "$out/.st-built" ]; then
	echo "$out"
	exit 0
fi

unpack

echo "kernel: building $flavour kernel $key (about 6-9 minutes on 2 cores)" >&2
rm -rf "$out"
mkdir -p "$out"
cp "$cfg" "$out/.kunitconfig"
start=$(date +%s)
# kunit.py fails the build when an option of the kunitconfig did not make
# it into .config (a dependency missing), so what is asked for is what runs.
(cd "$src" && python3 tools/testing/kunit/kunit.py build --arch=x86_64 \
	--build_dir="$out" --kunitconfig="$out/.kunitconfig" \
	"${make_opts[@]}" --jobs="$(nproc)") >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "kernel: build failed, full log in $out/build.log" >&2
	exit 1
}
# Out-of-tree modules need the prepared tree and Module.symvers, which a
# plain bzImage build already left behind.
touch "$out/.st-built"
echo "kernel: built in $(( $(date +%s) - start )) s" >&2
echo "$out"
