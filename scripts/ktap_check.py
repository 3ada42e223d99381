#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the KTAP of one KUnit guest against what the sources promise.

  ktap_check.py KTAP PREFIX SUITE_GLOB SOURCE...

Every suite the sources declare (a struct kunit_suite's .name) and the
glob selects must be in KTAP, with as many case lines as its plan says:
a suite that is missing, or that stopped halfway, is a failure and not
just fewer passes.  Prints one "PASS|FAIL <prefix><suite>: ..." line per
suite, then "FIGURES alloc_points=<n> alloc_ops=<m>" from the fault
injection cases' "alloc-faults:" diagnostics.
"""
import fnmatch
import re
import sys


def declared_suites(sources):
    names = []
    for path in sources:
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r"static struct kunit_suite \w+ = \{(.*?)\n\};",
                             text, re.S):
            name = re.search(r'\.name\s*=\s*"([^"]+)"', m.group(1))
            if name:
                names.append(name.group(1))
    return names


def main():
    ktap, prefix, glob = sys.argv[1:4]
    lines = open(ktap, encoding="utf-8", errors="replace").read().splitlines()
    expected = [s for s in declared_suites(sys.argv[4:])
                if fnmatch.fnmatchcase(s, (glob or "*").split(".")[0])]
    suites, cur = {}, None
    for line in lines:
        m = re.match(r"^    # Subtest: (\S+)$", line)
        if m:
            cur = suites.setdefault(m.group(1), {"plan": None, "cases": 0, "end": None})
            continue
        if cur is None:
            continue
        m = re.match(r"^    1\.\.(\d+)$", line)
        if m:
            cur["plan"] = int(m.group(1))
        elif re.match(r"^    (not )?ok \d+ ", line):
            cur["cases"] += 1
        elif re.match(r"^(not )?ok \d+ ", line):
            cur["end"] = line
            cur = None
    ok = True
    for name in expected:
        s = suites.get(name)
        if s is None:
            why = "missing from the KTAP"
        elif s["end"] is None:
            why = f"stopped after {s['cases']} case(s): no result line"
        elif s["plan"] is None:
            why = "no plan line"
        elif s["plan"] != s["cases"] or s["plan"] == 0:
            why = f"plan 1..{s['plan']}, {s['cases']} case line(s)"
        else:
            print(f"PASS {prefix}{name}: all {s['plan']} planned cases reported")
            continue
        ok = False
        print(f"FAIL {prefix}{name}: complete: {why}")
    for name in sorted(set(suites) - set(expected)):
        print(f"FAIL {prefix}{name}: complete: not declared in the sources")
        ok = False
    points = ops = 0
    for line in lines:
        m = re.search(r"alloc-faults: .*: (\d+) allocation points$", line)
        if m:
            points += int(m.group(1))
            ops += 1
    print(f"FIGURES alloc_points={points} alloc_ops={ops}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
