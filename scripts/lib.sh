# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the check groups (sourced).

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
out=${out:-$top/out}
ksrc() { ls -d "$HOME"/.cache/scheduled_task/src/*/linux-source-6.12 2>/dev/null | tail -n 1; }

# result GROUP PASS|FAIL|SKIP NAME [why]
result() {
	local group=$1 status=$2 name=$3
	shift 3
	echo "$status $name${*:+: $*}" >>"$out/results/$group"
	echo "$status $name${*:+: $*}"
}

# Copy the source tree (tracked and new files, not ignored ones) to $1,
# keeping modification times so rebuilds are incremental.
copy_tree() {
	mkdir -p "$1"
	(cd "$top" && git ls-files -co --exclude-standard -z |
		cpio -0pdmu --quiet "$1")
}

# build_modules NAME KDIR [make args]: out-of-tree build in out/build/NAME,
# log in out/logs/build-NAME.log.  Returns make's status.
build_modules() {
	local name=$1 kdir=$2
	shift 2
	copy_tree "$out/build/$name"
	make -C "$kdir" M="$out/build/$name" "$@" modules \
		>"$out/logs/build-$name.log" 2>&1
}

# Lines of a build log that are warnings (compiler, modpost, sparse).
build_warnings() {
	grep -E 'warning:|WARNING:|error:|ERROR:' "$1" | grep -v '^make' || true
}

# Kernel log lines that fail a run even when every test passed.
splats() {
	grep -E 'BUG:|WARNING:|KASAN|UBSAN|ODEBUG|circular locking|recursive locking|inconsistent lock state|turning off the locking correctness validator|DEBUG_LOCKS_WARN_ON|bad unlock balance|held lock freed|suspicious RCU usage|unreferenced object|Call Trace|Kernel panic|Oops|general protection|INFO: task .* blocked|soft lockup|workqueue lockup' "$1" || true
}

# log_clean GROUP NAME LOG: one case that fails on any splat in LOG.
log_clean() {
	local s
	s=$(splats "$3")
	if [ -n "$s" ]; then
		result "$1" FAIL "$2" "$(echo "$s" | wc -l) splat line(s) in $3"
		echo "$s" | head -n 40
	else
		result "$1" PASS "$2"
	fi
}

# The stock Debian kernels the guest tests boot ("skip" leaves one out).
stock_kernels() {
	[ "$ST_61_KVER" = skip ] || echo "6.1 $ST_61_KVER"
	[ "$ST_612_KVER" = skip ] || echo "6.12 $ST_612_KVER"
}
