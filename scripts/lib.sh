# SPDX-License-Identifier: GPL-2.0
# Helpers shared by the check groups (sourced).

top=${top:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
out=${out:-$top/out}
# Where kernels and sources are cached (scripts/kernel.sh).
st_cache() { echo "${ST_CACHE:-$HOME/.cache/scheduled_task}"; }
ksrc() { ls -d "$(st_cache)"/src/*/linux-source-6.12 2>/dev/null | tail -n 1; }

# kernel_dir FLAVOUR: the build directory of a kernel of scripts/kernel.sh
# (debug, kcsan, release, clang, 6.1), or nothing and status 1 when it did
# not build.  Under check.sh a background builder makes the kernels one
# after another while the groups that need none run: wait for it
# ($ST_KERNELS holds one file per kernel it has finished, $ST_BUILDER is
# its process).  Run by hand, a group builds the kernel (or finds it in
# the cache) itself.
kernel_dir() {
	local f
	if [ -z "${ST_KERNELS:-}" ]; then
		"$top/scripts/kernel.sh" "$1"
		return
	fi
	f=$ST_KERNELS/$1
	while [ ! -e "$f" ]; do
		kill -0 "$ST_BUILDER" 2>/dev/null || [ -e "$f" ] || return 1
		sleep 2
	done
	[ -s "$f" ] && cat "$f"
}

# result GROUP PASS|FAIL|SKIP NAME [why]
result() {
	local group=$1 status=$2 name=$3
	shift 3
	echo "$status $name${*:+: $*}" >>"$out/results/$group"
	echo "$status $name${*:+: $*}"
}

# Copy the source tree (tracked and new files, not ignored ones) to $1:
# only the files whose content differs, stamped with the time of the copy,
# so that rebuilds are incremental and see every change.  Keeping the
# source's time instead would hide a file edited while an earlier build
# ran: it is older than the object that build made of its old content.
copy_tree() {
	local f
	mkdir -p "$1"
	(cd "$top" && git ls-files -co --exclude-standard -z) |
	while IFS= read -r -d '' f; do
		cmp -s "$top/$f" "$1/$f" && continue
		mkdir -p "$1/$(dirname "$f")"
		cp --preserve=mode "$top/$f" "$1/$f"
	done
}

# build_modules NAME KDIR [make args]: out-of-tree build in out/build/NAME,
# log in out/logs/build-NAME.log.  Returns make's status.
build_modules() {
	local name=$1 kdir=$2
	shift 2
	copy_tree "$out/build/$name"
	make -C "$kdir" M="$out/build/$name" -j"$(nproc)" "$@" modules \
		>"$out/logs/build-$name.log" 2>&1
}

# check_build GROUP NAME KDIR WHAT [make args]: one case WHAT that fails
# on a failed build or any warning.  From scratch: an incremental build
# would not recompile (nor warn about) a file that another group's build
# already compiled.  Returns non-zero when the build failed.
check_build() {
	local g=$1 name=$2 kdir=$3 what=$4 w
	shift 4
	if [ ! -d "$kdir" ]; then
		result "$g" FAIL "$what" "no kernel tree '$kdir'"
		return 1
	fi
	rm -rf "${out:?}/build/$name"
	if ! build_modules "$name" "$kdir" "$@"; then
		result "$g" FAIL "$what" "build failed, see out/logs/build-$name.log"
		build_warnings "$out/logs/build-$name.log" | head -n 20
		return 1
	fi
	w=$(build_warnings "$out/logs/build-$name.log")
	if [ -n "$w" ]; then
		result "$g" FAIL "$what" "$(echo "$w" | wc -l) warning(s)"
		echo "$w" | head -n 20
	else
		result "$g" PASS "$what"
	fi
}

# Lines of a build log that are warnings (compiler, modpost, sparse).
build_warnings() {
	grep -E 'warning:|WARNING:|error:|ERROR:' "$1" | grep -v '^make' || true
}

# Kernel log lines that fail a run even when every test passed.  ST-ERROR
# is how a guest script says a step outside its tests failed (an insmod,
# an rmmod, kmemleak not running).
splats() {
	grep -E 'ST-ERROR|BUG:|WARNING:|KASAN|UBSAN|ODEBUG|circular locking|recursive locking|inconsistent lock state|turning off the locking correctness validator|DEBUG_LOCKS_WARN_ON|bad unlock balance|held lock freed|suspicious RCU usage|unreferenced object|Call Trace|Kernel panic|Oops|general protection|INFO: task .* blocked|soft lockup|workqueue lockup' "$1" || true
}

# Our modules as they appear in a stack trace: "func+0x1/0x2 [name]".
export ST_MODULES='\[(scheduled_task|st_)[a-z_]*\]'

# kcsan_split LOG OURS OTHERS: KCSAN reports are blocks between two lines
# of '='.  A report whose racing accesses ("BUG: KCSAN: data-race in A / B")
# include one made by our modules goes to OURS; the rest of the kernel's go
# to OTHERS (counted, not failed), also those where our code only called
# the kernel function that raced on the kernel's own data (printk's console
# state, from a dev_err() on two CPUs).  Everything outside a report is
# printed, so the log can still be checked for other splats.
kcsan_split() {
	awk -v ours="$2" -v others="$3" '
	BEGIN { mods = ENVIRON["ST_MODULES"] }
	function flush() {
		if (block == "") return
		if (title ~ mods) printf "%s", block >>ours
		else printf "%s", block >>others
		block = ""; title = ""
	}
	/BUG: KCSAN:/ { title = $0 }
	/^(\[ *[0-9.]+\] )?==================================================+$/ {
		if (inrep) { block = block $0 "\n"; inrep = 0; flush(); next }
		inrep = 1; block = $0 "\n"; next
	}
	inrep { block = block $0 "\n"; next }
	{ print }
	END { if (inrep) flush() }' "$1"
}

# bad_taints LOG MASK: the values of ST-TAINT lines in LOG (one per boot)
# with a bit outside MASK; nothing when all are clean.
bad_taints() {
	local t
	for t in $(sed -n 's/^ST-TAINT \([0-9]*\)\r\?$/\1/p' "$1"); do
		[ $(( t & ~$2 )) -eq 0 ] || echo "$t"
	done
}

# efivarfs_ko KVER DEST: the installed kernel KVER's efivarfs module,
# uncompressed, at DEST; false when it has none (built in, or not there).
efivarfs_ko() {
	local ko
	ko=$(find "/lib/modules/$1/kernel/fs/efivarfs" -name 'efivarfs.ko*' 2>/dev/null | head -n 1)
	case $ko in
	'') return 1 ;;
	*.xz) xz -dc "$ko" >"$2" ;;
	*.zst) zstd -qdc "$ko" >"$2" ;;
	*) cp "$ko" "$2" ;;
	esac
}

# hang_report LOG: what a guest that never finished was doing.  qemu.sh
# makes a guest still running at its time-out panic with every task's
# stack (panic_print); print the console just before that and the stacks
# of the tasks that were running or blocked (state R or D), indented.
hang_report() {
	awk '
	/NMI received for unknown reason/ { dump = 1 }
	!dump { last[NR % 25] = $0; n = NR; next }
	/ task:/ { show = ($0 ~ / state:[RD] /) }
	/Sched Debug|runnable tasks:/ { show = 0 }
	show && shown < 150 { stacks[++shown] = $0 }
	END {
		print "  --- the console before the time-out:"
		for (i = n - 24; i <= n; i++) if (i > 0) print "  | " last[i % 25]
		if (!dump) { print "  --- no stack dump in the log"; exit }
		print "  --- stacks of running and blocked tasks:"
		for (i = 1; i <= shown; i++) print "  | " stacks[i]
	}' "$1"
}

# guest_verdict GROUP PREFIX LOG [--taint MASK] [--kmemleak] [--kcsan]:
# the cases every guest log gives, whatever its tests counted:
#   PREFIX guest-completed   /init ran the script to its end, exit status 0
#   PREFIX guest-taint       no taint bit outside MASK (default: O and E,
#                            what an out-of-tree, unsigned module sets)
#   PREFIX kmemleak          (--kmemleak) kmemleak was running, scanned
#                            after the run's objects had aged, found nothing
#   PREFIX kcsan             (--kcsan) no KCSAN report names our modules;
#                            reports from elsewhere are counted only
#   PREFIX guest-log-clean   no splat (see splats) anywhere in LOG
guest_verdict() {
	local g=$1 p=$2 log=$3 mask=$(( (1 << 12) | (1 << 13) )) leak= kcsan=
	shift 3
	while [ $# -gt 0 ]; do
		case $1 in
		--taint) mask=$2; shift ;;
		--kmemleak) leak=1 ;;
		--kcsan) kcsan=1 ;;
		esac
		shift
	done
	local last rc taint
	last=$(grep -a '^ST-GUEST-DONE' "$log" | tail -n 1)
	rc=${last#ST-GUEST-DONE rc=}
	if [ -z "$last" ]; then
		result "$g" FAIL "${p}guest-completed" "no ST-GUEST-DONE in $log"
		hang_report "$log"
	elif [ "$rc" != 0 ]; then
		result "$g" FAIL "${p}guest-completed" "guest script exited $rc, log $log"
	else
		result "$g" PASS "${p}guest-completed"
	fi

	taint=$(bad_taints "$log" "$mask")
	if ! grep -q '^ST-TAINT ' "$log"; then
		result "$g" FAIL "${p}guest-taint" "no ST-TAINT line in $log"
	elif [ -n "$taint" ]; then
		result "$g" FAIL "${p}guest-taint" "tainted $taint (allowed mask $mask), see $log"
	else
		result "$g" PASS "${p}guest-taint"
	fi

	if [ -n "$leak" ]; then
		# No "| grep -q" under pipefail: grep leaving early makes the
		# writer die of SIGPIPE and the test read as false.
		local leaks
		leaks=$(sed -n '/^ST-KMEMLEAK-BEGIN$/,/^ST-KMEMLEAK-END$/p' "$log" |
			grep -c 'unreferenced object')
		if ! grep -q '^ST-KMEMLEAK-ACTIVE$' "$log"; then
			result "$g" FAIL "${p}kmemleak" "kmemleak was not running, see $log"
		elif ! grep -q '^ST-KMEMLEAK-END$' "$log"; then
			result "$g" FAIL "${p}kmemleak" "no final kmemleak scan in $log"
		elif [ "$leaks" -ne 0 ]; then
			result "$g" FAIL "${p}kmemleak" "$leaks leak(s), see $log"
		else
			result "$g" PASS "${p}kmemleak"
		fi
	fi

	local checked=$log
	if [ -n "$kcsan" ]; then
		local ours=$log.kcsan-ours others=$log.kcsan-others n
		: >"$ours"; : >"$others"
		checked=$log.without-kcsan
		kcsan_split "$log" "$ours" "$others" >"$checked"
		n=$(grep -c 'BUG: KCSAN' "$others")
		echo "${p}$n KCSAN report(s) of races in the rest of the kernel, ignored ($(grep -cE "^(\[ *[0-9.]+\] )? .*$ST_MODULES" "$others") stack frame(s) of ours among them, see $others)" |
			tee -a "$out/results/$g.figures"
		if grep -q 'BUG: KCSAN' "$ours"; then
			result "$g" FAIL "${p}kcsan" "$(grep -c 'BUG: KCSAN' "$ours") data race(s) in our modules, see $ours"
			grep -E 'BUG: KCSAN|^(\[ *[0-9.]+\] )? [a-z_]+\+0x' "$ours" | head -n 20
		else
			result "$g" PASS "${p}kcsan"
		fi
	fi
	log_clean "$g" "${p}guest-log-clean" "$checked"
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

# tap_results GROUP PREFIX LOG: one case per TAP line between ST-TAP-BEGIN
# and ST-TAP-END, and a case that the plan line is there and matches the
# count, so a script that stops halfway is a failure, not fewer passes.
tap_results() {
	local g=$1 p=$2 log=$3 tap plan n line
	tap=$(sed -n '/^ST-TAP-BEGIN$/,/^ST-TAP-END$/p' "$log")
	while read -r line; do
		case $line in
		"not ok"*) result "$g" FAIL "$p${line#not ok * - }" ;;
		"ok "*" # SKIP "*)
			line=${line#ok * - }
			result "$g" SKIP "$p${line%% # SKIP *}" "${line#* # SKIP }" ;;
		"ok "*) result "$g" PASS "$p${line#ok * - }" ;;
		esac
	done < <(echo "$tap" | grep -E '^(not )?ok [0-9]+ ')
	n=$(echo "$tap" | grep -cE '^(not )?ok [0-9]+ ')
	plan=$(echo "$tap" | sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' | tail -n 1)
	if ! grep -q '^ST-TAP-END$' <<<"$tap"; then
		result "$g" FAIL "${p}tap-plan" "the script stopped after $n test(s): no ST-TAP-END in $log"
	elif [ -z "$plan" ]; then
		result "$g" FAIL "${p}tap-plan" "no plan line after $n test(s) in $log"
	elif [ "$plan" -ne "$n" ] || [ "$n" -eq 0 ]; then
		result "$g" FAIL "${p}tap-plan" "plan 1..$plan, $n test line(s) in $log"
	else
		result "$g" PASS "${p}tap-plan"
	fi
}

# The stock Debian kernels the guest tests boot ("skip" leaves one out).
stock_kernels() {
	[ "$ST_61_KVER" = skip ] || echo "6.1 $ST_61_KVER"
	[ "$ST_612_KVER" = skip ] || echo "6.12 $ST_612_KVER"
}
