#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a tiny busybox initramfs:
#   initramfs.sh OUT.cpio.gz GUEST_SCRIPT [FILE:DEST ...]
# GUEST_SCRIPT runs as /run-tests after /init has mounted proc, sys,
# devtmpfs, debugfs and tracefs; /init then reboots (which ends QEMU).
# Each FILE:DEST copies a host file into the image.  On failure OUT is
# gone, so nobody boots an earlier run's image by mistake.
#
# What /init prints around the script, for scripts/lib.sh guest_verdict:
#   ST-GUEST-START <release> cpus=<online CPUs> <uname -v>
#   ST-KMEMLEAK-ACTIVE                where kmemleak runs; then, after the
#   ST-KMEMLEAK-BEGIN ... -END        script, its report of what leaked
#   ST-TAINT <n>                      /proc/sys/kernel/tainted at the end
#   ST-GUEST-DONE rc=<script status>
set -euo pipefail

out=$1 script=$2
shift 2
rm -f "$out"
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$out.tmp"' EXIT

mkdir -p "$dir"/{bin,sbin,dev,proc,sys,tmp,lib/st,mnt}
# mktemp made the root 0700: an unprivileged guest user could run nothing.
chmod 755 "$dir"
chmod 1777 "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$dir/bin/$applet"
done
cp "$script" "$dir/run-tests"
chmod +x "$dir/run-tests"
for spec in "$@"; do
	mkdir -p "$dir/$(dirname "${spec#*:}")"
	cp "${spec%%:*}" "$dir/${spec#*:}"
done

cat >"$dir/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
echo "ST-GUEST-START $(uname -r) cpus=$(nproc) $(uname -v)"
# Only what the run leaks counts: forget what boot left behind.  "clear"
# forgets only what a scan has reported, and a scan reports only objects
# whose contents the scan before it saw unchanged (the first records a
# checksum of each): scan twice, then clear.  A kernel built with
# kmemleak that refuses a scan has it switched off, unless the command
# line asked for that.
KL=/sys/kernel/debug/kmemleak
grep -qw kmemleak=off /proc/cmdline && KL=/no-kmemleak
if [ -e $KL ]; then
	if echo scan >$KL && echo scan >$KL && echo clear >$KL; then
		echo "ST-KMEMLEAK-ACTIVE"
	else
		echo "ST-ERROR kmemleak is built in but not running"
	fi
fi
/bin/sh /run-tests
rc=$?
if [ -e $KL ]; then
	# kmemleak reports an object once it is 5 s old (MSECS_MIN_AGE) and
	# was unreferenced in a scan whose predecessor saw it unchanged: let
	# the last frees age, then scan twice.
	sleep 6
	if echo scan >$KL && echo scan >$KL; then
		echo "ST-KMEMLEAK-BEGIN"
		cat $KL
		echo "ST-KMEMLEAK-END"
	else
		echo "ST-ERROR kmemleak stopped during the run"
	fi
fi
echo "ST-TAINT $(cat /proc/sys/kernel/tainted)"
echo "ST-GUEST-DONE rc=$rc"
sync
reboot -f
INIT
chmod +x "$dir/init"
(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
