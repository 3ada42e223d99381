/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of scheduled_task:
 *   echo 1 > /sys/kernel/tracing/events/scheduled_task/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM scheduled_task

#if !defined(_SCHEDULED_TASK_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SCHEDULED_TASK_TRACE_H

#include <linux/tracepoint.h>

#include "scheduled_task_compat.h"
#include "scheduled_task_internal.h"

/*
 * Every change of a task's state, from st_set_state_locked().  The states
 * are recorded by name, the names the sysfs "state" attribute shows, so
 * the one table of them stays in scheduled_task.c.
 */
TRACE_EVENT(scheduled_task_state,
	    TP_PROTO(struct scheduled_task *task, const char *from,
		     const char *to),
	    TP_ARGS(task, from, to),
	    TP_STRUCT__entry(__string(task, dev_name(&task->dev))
			     __string(from, from)
			     __string(to, to)),
	    TP_fast_assign(st_assign_str(task, dev_name(&task->dev));
			   st_assign_str(from, from);
			   st_assign_str(to, to);),
	    TP_printk("task=%s %s -> %s", __get_str(task), __get_str(from),
		      __get_str(to))
);

TRACE_EVENT(scheduled_task_run,
	    TP_PROTO(struct scheduled_task *task, int previous_state),
	    TP_ARGS(task, previous_state),
	    TP_STRUCT__entry(__string(task, dev_name(&task->dev))
			     __field(int, previous_state)),
	    TP_fast_assign(st_assign_str(task, dev_name(&task->dev));
			   __entry->previous_state = previous_state;),
	    TP_printk("task=%s previous_state=%s", __get_str(task),
		      __print_symbolic(__entry->previous_state,
				       { 0, "NONE" }, { 1, "OFF" },
				       { 2, "SUSPENDED" },
				       { 3, "RUNTIME_SUSPENDED" }))
);

TRACE_EVENT(scheduled_task_done,
	    TP_PROTO(struct scheduled_task *task, int result, u64 duration_ns),
	    TP_ARGS(task, result, duration_ns),
	    TP_STRUCT__entry(__string(task, dev_name(&task->dev))
			     __field(int, result)
			     __field(u64, duration_ns)),
	    TP_fast_assign(st_assign_str(task, dev_name(&task->dev));
			   __entry->result = result;
			   __entry->duration_ns = duration_ns;),
	    TP_printk("task=%s result=%s duration_ns=%llu", __get_str(task),
		      __print_symbolic(__entry->result,
				       { 1, "success" }, { 2, "fail" },
				       { 3, "fail-try-again" },
				       { 4, "success-try-again" }),
		      __entry->duration_ns)
);

TRACE_EVENT(scheduled_task_store,
	    TP_PROTO(struct scheduled_task *task, const char *backend,
		     const char *op, int error),
	    TP_ARGS(task, backend, op, error),
	    TP_STRUCT__entry(__string(task, dev_name(&task->dev))
			     __string(backend, backend)
			     __string(op, op)
			     __field(int, error)),
	    TP_fast_assign(st_assign_str(task, dev_name(&task->dev));
			   st_assign_str(backend, backend);
			   st_assign_str(op, op);
			   __entry->error = error;),
	    TP_printk("task=%s backend=%s op=%s error=%d", __get_str(task),
		      __get_str(backend), __get_str(op), __entry->error)
);

#endif /* _SCHEDULED_TASK_TRACE_H */

/* define_trace.h finds this file through -I$(src) (see the Makefile). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE scheduled_task_trace
#include <trace/define_trace.h>
