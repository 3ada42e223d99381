#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package the build, the tests and the demo need.
# Idempotent: packages already installed are skipped, and apt-get runs only
# when something is missing.  Prints the chosen 6.12 kernel version on
# stdout's last line so callers can cache it.
set -euo pipefail

# The Debian 6.12 kernel whose image, headers and source are all available:
# the version of linux-source-6.12 decides it.
k612_version() {
	local v
	v=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || true)
	[ -n "$v" ] || v=$(apt-cache policy linux-source-6.12 | awk '/Candidate:/ {print $2}')
	# 6.12.117-1~deb12u1 -> 6.12.117+deb12
	echo "${v%%-*}+deb12"
}

base_pkgs=(
	gcc libc6-dev make bc flex bison cpio kmod python3 python3-docutils
	python3-sphinx
	libelf-dev libssl-dev openssl sparse xz-utils zstd perl dkms procps
	qemu-system-x86 ovmf busybox-static
	linux-headers-amd64 linux-image-amd64 linux-source-6.12
	linux-source-6.1
)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || echo "$p"
	done
}

updated=
apt_install() {
	local need
	need=$(missing "$@")
	[ -n "$need" ] || return 0
	if [ -z "$updated" ]; then
		echo "deps: apt-get update" >&2
		apt-get update -qq >&2
		updated=1
	fi
	echo "deps: installing" $need >&2
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $need >&2
}

# apt-cache needs lists; on a fresh machine there are none yet.
if [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ]; then
	apt-get update -qq >&2
	updated=1
fi
apt_install "${base_pkgs[@]}"
v=$(k612_version)
# The PREEMPT_RT flavours of both kernels: headers for the build matrix,
# and the 6.12 RT image for an e2e guest.
v61=$(ls /usr/src | sed -n 's/^linux-headers-\(6\.1\.[0-9-]*\)-amd64$/\1/p' | sort -V | tail -n 1)
apt_install "linux-headers-$v-amd64" "linux-image-$v-amd64" \
	"linux-headers-$v-rt-amd64" "linux-image-$v-rt-amd64" \
	${v61:+"linux-headers-$v61-rt-amd64"}
echo "$v"
