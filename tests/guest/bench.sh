#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, guest side: one boot of two, chosen by st.bench= on the
# kernel command line.  "timing" (two vCPUs) runs every latency,
# throughput, memory and scaling measurement; "stores" (OVMF, for the EFI
# variables) the store measurements.  Each figure is a line
#   ST-BENCH <key> <integer>
# on the console, which scripts/bench.sh collects; a command that failed
# prints ST-BENCH-FAILED <command>.  Sample counts come from st.n=<scale>
# (percent of the defaults, for quick runs).

R=/sys/kernel/debug/st_bench/run
P=/sys/module/scheduled_task/parameters
T=/sys/kernel/tracing
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^st\.$1=//p"; }
mode=$(arg bench)
scale=$(arg n)
scale=${scale:-100}
n() { echo $(( $1 * scale / 100 )); }

# run COMMAND...: one bench command; the figures go to the kernel log.
run() {
	echo "ST-BENCH-RUN $* ($(cut -d' ' -f1 /proc/uptime) s)"
	echo "$*" >$R || echo "ST-BENCH-FAILED $*"
}

# slab TAG: /proc/slabinfo's caches, as name, active objects, object size.
slab() {
	sed 1,2d /proc/slabinfo |
		awk -v t="$1" '{ print "ST-SLAB " t " " $1 " " $2 " " $4 }'
}

# graph FUNCTION DEPTH TAG COMMAND...: ftrace's function_graph of FUNCTION,
# DEPTH calls deep, while COMMAND runs; the last 80 lines as ST-TRACE.
graph() {
	echo "$1" >$T/set_graph_function
	echo "$2" >$T/max_graph_depth
	echo function_graph >$T/current_tracer
	: >$T/trace
	tag=$3
	shift 3
	run "$@"
	# Stop before reading: a change of tracer empties the buffer.
	echo 0 >$T/tracing_on
	tail -n 80 $T/trace | sed "s/^/ST-TRACE $tag /"
	echo nop >$T/current_tracer
	echo 1 >$T/tracing_on
}

# count_calls STORE: the store calls the last persist made, from ftrace.
count_calls() {
	for f in $FUNCS; do
		echo "ST-BENCH stores.$1.calls.$f $(grep -c " $f <-" $T/trace)"
	done
	# The task's own store, and the others create looks into so that a
	# record there is never hidden (store=<forced> warns about it).
	for op in read write; do
		echo "ST-BENCH stores.$1.ops.$op $(grep -c "scheduled_task_store:.* backend=$1 op=$op " $T/trace)"
		echo "ST-BENCH stores.$1.ops.${op}_other $(grep "scheduled_task_store:.* op=$op " $T/trace | grep -vc " backend=$1 ")"
	done
}

insmod /lib/st/scheduled-task.ko || echo "ST-BENCH-FAILED insmod scheduled_task"
insmod /lib/st/st_bench.ko || echo "ST-BENCH-FAILED insmod st_bench"
echo "ST-BENCH machine.cpus $(nproc)"

case $mode in
timing)
	run dispatch "$(n 100000)"
	run timer "$(n 300)" 10
	run sync "$(n 100000)"
	run legacy "$(n 1000000)"
	run concurrency "$(n 200000)"
	slab raw0
	run hold raw 10000
	slab raw1
	run free
	slab st0
	run hold st 10000
	slab st1
	run free
	run scaling 1 "$(n 200)"
	run scaling 100 "$(n 200)"
	# Where the time goes, for the figures that miss their goal.
	if [ "$(arg profile)" = 1 ]; then
		graph scheduled_task_execute_now 3 call call 20
		graph st_legacy_work_fn 2 legacy-worker legacy 200
		run hold st 10000
		# The sysfs nodes of one task: what kernfs_node_cache holds.
		ls -lR /sys/class/scheduled_task/st_bench.0:t0/ | sed 's/^/ST-LS /'
		graph scheduled_task_create 2 create-10k create 3
		graph scheduled_task_destroy 2 destroy-10k create 3
		run free
	fi
	;;
stores)
	# The calls that reach the store: EFI variable services, NVMEM
	# device I/O, the ram backend's record.
	FUNCS="efivar_get_variable efivar_set_variable_locked
		efivar_query_variable_info nvmem_device_read
		nvmem_device_write st_ram_load st_ram_save"
	echo cmos_nvram0:82:32 >$P/nvmem
	for s in ram nvmem efivar; do
		echo $s >$P/store || { echo "ST-BENCH-FAILED store=$s"; continue; }
		case $s in
		efivar) k=$(n 100) ;;
		*) k=$(n 1000) ;;
		esac
		run store $s "$k"
		# The region holds one record: the next task needs the slot.
		[ $s != nvmem ] || echo 82 >/sys/class/scheduled_task/nvmem_clear_slot
		: >$T/set_ftrace_filter
		for f in $FUNCS; do
			echo "$f" >>$T/set_ftrace_filter 2>/dev/null
		done
		echo function >$T/current_tracer
		echo 1 >$T/events/scheduled_task/scheduled_task_store/enable
		: >$T/trace
		run persist $s
		echo 0 >$T/tracing_on
		count_calls $s
		echo 0 >$T/events/scheduled_task/scheduled_task_store/enable
		echo nop >$T/current_tracer
		echo 1 >$T/tracing_on
		[ $s != nvmem ] || echo 82 >/sys/class/scheduled_task/nvmem_clear_slot
	done
	;;
*)
	echo "ST-BENCH-FAILED no st.bench= mode"
	;;
esac
rmmod st_bench || echo "ST-BENCH-FAILED rmmod st_bench"
dmesg | sed -n 's/^\[[^]]*\] st_bench: \(ST-BENCH.*\)$/\1/p;
	s/^\[[^]]*\] st_bench: \(.*failed.*\)$/ST-BENCH-FAILED \1/p'
