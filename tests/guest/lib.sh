# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the guest tests (busybox sh).  Sourced.

ST_N=0
# tap_begin / tap_end frame the TAP stream for the host; the plan comes
# last, so a script that stops halfway has none (scripts/lib.sh
# tap_results fails it).
tap_begin() { echo "ST-TAP-BEGIN"; echo "TAP version 13"; }
tap_end() { echo "1..$ST_N"; echo "ST-TAP-END"; }
ok() { ST_N=$((ST_N + 1)); echo "ok $ST_N - $*"; }
not_ok() { ST_N=$((ST_N + 1)); echo "not ok $ST_N - $*"; }
# skip DESCRIPTION WHY: a test that cannot run here, and why.
skip() { ST_N=$((ST_N + 1)); echo "ok $ST_N - $1 # SKIP $2"; }
# check DESCRIPTION COMMAND...: one TAP line from the command's status.
check() {
	d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# eq DESCRIPTION EXPECTED ACTUAL
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# Bounded wait until COMMAND succeeds (tenths of a second).
wait_for() {
	n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
