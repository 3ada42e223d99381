#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit-6.1 group: the KUnit suites on the 6.1 debug kernel
# (group-kunit.sh 6.1).  Not in "make check": make check-6.1.
exec "$(dirname "$0")/group-kunit.sh" 6.1
