#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a tiny busybox initramfs:
#   initramfs.sh OUT.cpio.gz GUEST_SCRIPT [FILE:DEST ...]
# GUEST_SCRIPT runs as /run-tests after /init has mounted proc, sys,
# devtmpfs, debugfs and tracefs; /init then reboots (which ends QEMU).
# Each FILE:DEST copies a host file into the image.
set -euo pipefail

out=$1 script=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

mkdir -p "$dir"/{bin,sbin,dev,proc,sys,tmp,lib/st,mnt}
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
echo "ST-GUEST-START $(uname -r)"
/bin/sh /run-tests
echo "ST-GUEST-DONE rc=$?"
sync
reboot -f
INIT
chmod +x "$dir/init"
(cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
