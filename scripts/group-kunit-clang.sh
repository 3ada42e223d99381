#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit-clang group: the KUnit suites on the clang debug kernel
# (group-kunit.sh clang).  Not in "make check": make check-clang.
exec "$(dirname "$0")/group-kunit.sh" clang
