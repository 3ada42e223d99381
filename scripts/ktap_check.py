#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the KTAP of one KUnit guest against what the sources promise.

  ktap_check.py KTAP PREFIX SUITE_GLOB SOURCE...

Every suite the sources declare (a struct kunit_suite's .name) and the
glob selects must be in KTAP, with as many case lines as its plan says:
a suite that is missing, or that stopped halfway, is a failure and not
just fewer passes.  Prints one "PASS|FAIL <prefix><suite>: ..." line per
suite, then "FIGURES alloc=<n> alloc_ops=<m> cuts=<c>": the allocation
points the fault-injection cases failed, over how many operations, and
the power-cut points the record codec case ran.
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
    # What the exhaustive cases covered: "<what>: ...: <n> <unit>" lines.
    figures = {"alloc": 0, "alloc_ops": 0, "cuts": 0}
    for line in lines:
        m = re.search(r"alloc-faults: .*: (\d+) allocation points$", line)
        if m:
            figures["alloc"] += int(m.group(1))
            figures["alloc_ops"] += 1
        m = re.search(r"record-cuts: .*: (\d+) cut points$", line)
        if m:
            figures["cuts"] += int(m.group(1))
    print("FIGURES " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
