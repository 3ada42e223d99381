#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# e2e-rt group: the guest suite on Debian's 6.12 PREEMPT_RT kernel
# (group-e2e.sh rt).  Not in "make check": make check-rt.
exec "$(dirname "$0")/group-e2e.sh" rt
