#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KCSAN group: the KUnit suites on the KCSAN debug kernel (group-kunit.sh).
exec "$(dirname "$0")/group-kunit.sh" kcsan
