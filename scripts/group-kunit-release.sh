#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kunit-release group: the KUnit suites on the release debug kernel
# (group-kunit.sh release).  Not in "make check": make check-release.
exec "$(dirname "$0")/group-kunit.sh" release
