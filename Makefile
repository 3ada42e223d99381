# SPDX-License-Identifier: GPL-2.0
#
# scheduled_task: build against the running kernel's headers with plain
# `make`; `make check` runs every test; `make demo` shows the module at work.
# Kbuild holds the object lists; this file only drives builds and scripts.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
PWD := $(shell pwd)

# make check SUITE=<glob> runs only the matching KUnit suites.
SUITE ?=
export SUITE
# SEED=<n> replays the random moments of a run that printed that seed.
SEED ?=
export ST_SEED = $(SEED)

.PHONY: all modules clean install check kunit kcsan e2e persist stress lint \
	build-matrix demo bench bench-readme stress-ops check-release check-clang \
	check-6.1 upstream check-upstream

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean
	rm -rf out

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(KVER)

# Everything: dependencies, the debug kernel (cached), builds for three
# kernels, static checks, KUnit and guest tests.  Ends with
# "N passed, N failed, N skipped".
check:
	scripts/check.sh all

kunit:
	scripts/check.sh kunit

kcsan:
	scripts/check.sh kcsan

# Not part of check: each builds a kernel of its own the first time (6-10
# minutes).  The KUnit suites on the debug kernel with
# CONFIG_DEBUG_KOBJECT_RELEASE (every kobject released 1-4 s late) ...
check-release:
	scripts/check.sh kunit-release

# ... on the debug kernel built with clang (LLVM=1), after a W=1
# LLVM=1 build of the module and the suites that must be warning-free ...
check-clang:
	scripts/check.sh kunit-clang

# ... and on the debug kernel built from Debian's linux-source-6.1, so the
# 6.1 side of scheduled_task_compat.h runs under KASAN and lockdep too.
# OPS=<n> and SEED=<n>, given on the command line, size and replay its
# stress slice as for stress-ops (10000 operations by default); SUITE does
# not apply: 6.1 does not filter a module's suites.
check-6.1:
	ST_STRESS_OPS=$(if $(filter command line,$(origin OPS)),$(OPS)) \
		ST_STRESS_SEED=$(SEED) scripts/check.sh kunit-6.1

e2e:
	scripts/check.sh e2e

# The in-tree patch series against Debian's linux-source-6.12, generated
# from these files into out/upstream/ (see scripts/upstream.py) ...
upstream:
	scripts/upstream.py

# ... and its checks (part of check): checkpatch, applies to a clean tree,
# =y and =m builds, kunit.py run, Sphinx.
check-upstream:
	scripts/check.sh upstream

# Reboots and power cuts with the firmware stores (12 cuts per kernel).
persist:
	scripts/check.sh persist

# The power-cut tests at length: CUTS CMOS resets and KILLS QEMU kills on
# the EFI variable store, per kernel.  Nearly every CMOS reset lands inside
# a record write (tests/modules/st_slow_cmos.c): 60 per kernel make over
# 100 mid-write cuts on the two stock kernels, in about 20 minutes.
CUTS ?= 60
KILLS ?= 4
stress:
	ST_CUTS=$(CUTS) ST_KILLS=$(KILLS) scripts/check.sh persist

# The KUnit stress suite at length on the debug kernel: OPS random mixed
# operations from four threads over 64 tasks (make check runs 10000).
# SEED=<n> replays the operations of a run that printed that seed.
OPS ?= 100000
stress-ops:
	ST_STRESS_OPS=$(OPS) ST_STRESS_SEED=$(SEED) \
		SUITE='scheduled_task_stress*' scripts/check.sh kunit

lint:
	scripts/check.sh lint

build-matrix:
	scripts/check.sh build

demo:
	scripts/demo.sh

# What the service costs over the raw kernel primitives, each pair
# measured in one boot, on Debian's stock 6.1 and 6.12: a table on the
# terminal, out/bench.json, out/bench.md.  Under 10 minutes.
bench:
	scripts/bench.sh

# The README's performance table, from the last make bench's out/bench.json.
bench-readme:
	scripts/bench_report.py --json out/bench.json --readme README.md
