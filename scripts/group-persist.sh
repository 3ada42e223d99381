#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Persistence group: for each stock Debian kernel, real reboots with the
# module's firmware-backed stores (scripts/persist.py drives QEMU, the
# guest side is tests/guest/persist.sh):
#   efivar    three QEMU runs under OVMF on one EFI variable store
#   cmos      three warm reboots in one QEMU run, nvmem=cmos_nvram0:82:32
#   powercut  ST_CUTS (default 12) resets at random moments while the
#             record is being written, on the CMOS region, through the
#             test-only provider tests/modules/st_slow_cmos.c (built
#             here, W=1): nvmem=st_slow_cmos:82:32, the same CMOS bytes
#             as cmos_nvram0:82:32 written one byte every 5 ms, so that
#             most cuts land inside a record write
#   efikill   ST_KILLS (default 4) SIGKILLs of QEMU while the record is
#             being written to its EFI variable, each followed by a new
#             QEMU run on the same variable store
# and prints how many reboots and power cuts it made, and how many of the
# CMOS cuts landed mid-write (the next boot found the record torn).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/out
. "$top/scripts/lib.sh"
g=persist
: >"$out/results/$g"
rm -f "$out/results/$g.figures"
cuts=${ST_CUTS:-12}
kills=${ST_KILLS:-4}
reboots=0 powercuts=0 midwrite=0

# run NAME TEST ARGS...: forward persist.py's PASS/FAIL lines, count its
# figures; its exit status is a case of its own.
run() {
	local short=$1 test=$2 line rc=
	shift
	while IFS= read -r line; do
		case $line in
		PASS\ *) result $g PASS "$short: ${line#PASS }" ;;
		FAIL\ *) result $g FAIL "$short: ${line#FAIL }" ;;
		FIGURES\ *) echo "$short: $line" >>"$out/logs/persist-figures" ;;
		ST-PERSIST-EXIT\ *) rc=${line#ST-PERSIST-EXIT } ;;
		"# "*": seed "*) echo "$short: ${line#\# }" >>"$out/results/$g.figures" ;;
		*) echo "$line" ;;
		esac
	done < <(python3 scripts/persist.py "$@" ${ST_SEED:+--seed "$ST_SEED"}
		 echo "ST-PERSIST-EXIT $?")
	if [ "$rc" = 0 ]; then
		result $g PASS "$short: $test: driver exited 0"
	else
		result $g FAIL "$short: $test: driver exited ${rc:-without a status}"
	fi
}

# log_verdict SHORT LOG: every boot in LOG (a run may hold several) ended
# its script with status 0 when it got that far, left no taint beyond an
# out-of-tree, unsigned module's, and printed no splat.
log_verdict() {
	local short=$1 l=$2 name bad
	name="$short: $(basename "$l")"
	if [ ! -s "$l" ]; then
		result $g FAIL "$name: log" "missing or empty"
		return
	fi
	# These logs are the serial console as it came: CRLF line ends.
	bad=$(tr -d '\r' <"$l" | grep '^ST-GUEST-DONE rc=' | grep -v 'rc=0$' | head -n 1)
	[ -z "$bad" ] || result $g FAIL "$name: guest-completed" "$bad"
	bad=$(bad_taints "$l" $(( (1 << 12) | (1 << 13) )))
	[ -z "$bad" ] || result $g FAIL "$name: guest-taint" "tainted $bad"
	log_clean $g "$short: guest-log-clean $(basename "$l")" "$l"
}

: >"$out/logs/persist-figures"
while read -r short kver; do
	if ! build_modules "stock-$short" "/usr/src/linux-headers-$kver"; then
		result $g FAIL "$short: build" "see out/logs/build-stock-$short.log"
		continue
	fi
	b=$out/build/stock-$short
	# The test-only slow CMOS provider: not part of the product's Kbuild.
	slog=$out/logs/build-stock-$short-st_slow_cmos.log
	if ! make -C "/usr/src/linux-headers-$kver" M="$b/tests/modules" W=1 \
		modules >"$slog" 2>&1; then
		result $g FAIL "$short: build st_slow_cmos" "see $slog"
		continue
	fi
	w=$(build_warnings "$slog")
	if [ -n "$w" ]; then
		result $g FAIL "$short: build st_slow_cmos W=1" "$(echo "$w" | wc -l) warning(s), see $slog"
	else
		result $g PASS "$short: build st_slow_cmos W=1"
	fi
	efivarfs_ko "$kver" "$out/efivarfs-$short.ko"
	img=$out/persist-$short.cpio.gz
	if ! scripts/initramfs.sh "$img" tests/guest/persist.sh \
		"$b/scheduled-task.ko:lib/st/scheduled-task.ko" \
		"$b/samples/st_firmware_setup.ko:lib/st/st_firmware_setup.ko" \
		"$b/tests/modules/st_slow_cmos.ko:lib/st/st_slow_cmos.ko" \
		"$out/efivarfs-$short.ko:lib/st/efivarfs.ko"; then
		result $g FAIL "$short: initramfs" "the guest image did not build"
		continue
	fi
	k=/boot/vmlinuz-$kver
	log=$out/logs/persist-$short

	start=$(date +%s)
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/persist-$short-vars.fd"
	run "$short" efivar --kernel "$k" --initrd "$img" --log "$log-efivar.log" \
		--vars "$out/persist-$short-vars.fd"
	run "$short" cmos --kernel "$k" --initrd "$img" --log "$log-cmos.log"
	run "$short" powercut --kernel "$k" --initrd "$img" \
		--log "$log-powercut.log" --cuts "$cuts"
	# The slow provider is what makes the cuts land inside writes: fewer
	# than a third of them there means it is not doing its job.
	n=$(awk -v s="$short:" '$1 == s && /FIGURES powercut cuts=/ {
		split($4, c, "="); split($6, m, "="); print m[2] + 0, c[2] + 0 }' \
		"$out/logs/persist-figures" | tail -n 1)
	if [ -n "$n" ] && [ $(( ${n% *} * 3 )) -ge "${n#* }" ]; then
		result $g PASS "$short: powercut: ${n% *} of ${n#* } cuts landed mid-write"
	else
		result $g FAIL "$short: powercut: a third of the cuts or more landed mid-write" \
			"${n:-no figures}"
	fi
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$out/persist-$short-vars.fd"
	run "$short" efikill --kernel "$k" --initrd "$img" --log "$log-efikill.log" \
		--vars "$out/persist-$short-vars.fd" --cuts "$kills"
	echo "$short: persistence guests ran $(( $(date +%s) - start ))s"
	for l in "$log"-efivar.log.1 "$log"-efivar.log.2 "$log"-efivar.log.3 \
		 "$log"-cmos.log "$log"-powercut.log \
		 $(seq -f "$log-efikill.log.%g" 1 $((kills + 1))); do
		log_verdict "$short" "$l"
	done
done < <(stock_kernels)

# Reboots: every boot after the first of each QEMU run, and each new run
# on the same store; power cuts: the resets.
reboots=$(awk '/FIGURES efivar/ {split($4, a, "="); n += a[2] - 1}
	/FIGURES cmos/ {split($4, a, "="); n += a[2] - 1} END {print n + 0}' \
	"$out/logs/persist-figures")
powercuts=$(awk '/FIGURES (powercut|efikill) cuts=/ {split($4, a, "="); n += a[2]} END {print n + 0}' \
	"$out/logs/persist-figures")
cmoscuts=$(awk '/FIGURES powercut cuts=/ {split($4, a, "="); n += a[2]} END {print n + 0}' \
	"$out/logs/persist-figures")
midwrite=$(awk '/FIGURES powercut cuts=/ {split($6, a, "="); n += a[2]} END {print n + 0}' \
	"$out/logs/persist-figures")
hung=$(awk '/FIGURES powercut cuts=/ {split($7, a, "="); n += a[2]} END {print n + 0}' \
	"$out/logs/persist-figures")
echo "persist: $reboots reboots, $powercuts power cuts ($midwrite of the $cmoscuts CMOS ones landed mid-write, inside a record write; $((powercuts - cmoscuts)) were QEMU kills on the EFI variable; $hung boot(s) hung in early kernel start and were reset again)" |
	tee -a "$out/results/$g.figures"
grep -q '^FAIL' "$out/results/$g" && exit 1
exit 0
