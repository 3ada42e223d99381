#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench, host side: figures in, table, JSON and Markdown out.

    bench_report.py [--json OUT] [--md OUT] [--readme README] BENCH-TXT...

Each BENCH-TXT is what one kernel's boots printed (scripts/bench.sh):
"ST-BENCH <key> <integer>" figures, "ST-SLAB <tag> <cache> <objects>
<size>" slab snapshots, "ST-BENCH-FAILED <what>" for a command that
failed.  A figure printed twice counts as first printed.  --readme rewrites the table between the README's bench markers
from an earlier --json.  Exit status 1 when a figure is missing.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

N_HOLD = 10000          # tasks and bare users tests/guest/bench.sh holds
BEGIN = "<!-- bench-table-begin -->"
END = "<!-- bench-table-end -->"

# Every figure a complete run has, per kernel.
REQUIRED = [
    "dispatch.raw.p50_ns", "dispatch.st.p50_ns", "dispatch.p50_ratio_milli",
    "timer.raw.p99_ns", "timer.st.p99_ns", "timer.jiffy_ns",
    "sync.overhead_in_mutex_pairs_milli",
    "legacy.raw.per_s", "legacy.st.per_s",
    "concurrency.raw.per_s", "concurrency.st.per_s",
    "scaling.dev1.p50_10k_over_100_milli",
    "scaling.dev100.p50_10k_over_100_milli",
    "stores.ram.p50_ns", "stores.nvmem.p50_ns", "stores.efivar.p50_ns",
    "stores.ram.ops.write", "stores.nvmem.ops.write",
    "stores.efivar.ops.write",
]


def parse(path):
    figs, slabs, failed, kernel = {}, {}, [], "?"
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "ST-BENCH-KERNEL":
                kernel = w[1]
            elif w[0] == "ST-BENCH-FAILED":
                failed.append(" ".join(w[1:]))
            elif w[0] == "ST-BENCH" and len(w) == 3:
                # The first: the profile's short runs print figures too.
                try:
                    figs.setdefault(w[1], int(w[2]))
                except ValueError:
                    failed.append(line.strip())
            elif w[0] == "ST-SLAB" and len(w) == 5:
                slabs.setdefault(w[1], {})[w[2]] = (int(w[3]), int(w[4]))
    return kernel, figs, slabs, failed


def slab_delta(slabs, before, after):
    """(cache, bytes, objects) per held object, biggest first."""
    a, b = slabs.get(before, {}), slabs.get(after, {})
    out = []
    for c in set(a) | set(b):
        (n0, s0), (n1, s1) = a.get(c, (0, 0)), b.get(c, (0, 0))
        v = (n1 * s1 - n0 * s0) / N_HOLD
        if abs(v) >= 8:
            out.append((c, round(v), round((n1 - n0) / N_HOLD, 2)))
    return sorted(out, key=lambda x: -x[1])


def memory(slabs):
    m = {}
    for side in ("raw", "st"):
        if side + "0" in slabs and side + "1" in slabs:
            caches = slab_delta(slabs, side + "0", side + "1")
            m[side] = {"bytes_per_task": sum(v for _, v, _ in caches),
                       "by_cache": {c: {"bytes": v, "objects": n}
                                    for c, v, n in caches}}
    return m


def goals(f, mem):
    """(name, met, what was measured, the goal) per goal of issue 17."""
    def g(key, div=1000.0):
        return f[key] / div if key in f else None

    out = []
    r50, r99 = g("dispatch.p50_ratio_milli"), g("dispatch.p99_ratio_milli")
    if r50 is not None and r99 is not None:
        out.append(("1 deferred dispatch", r50 <= 1.05 and r99 <= 1.2,
                    "p50 %.2fx, p99 %.2fx" % (r50, r99),
                    "p50 <= 1.05x, p99 <= 1.2x"))
    d, j = f.get("timer.p99_diff_ns"), f.get("timer.jiffy_ns")
    if d is not None and j:
        out.append(("2 timer lateness", d <= j,
                    "p99 %+.2f ms vs raw" % (d / 1e6),
                    "<= 1 jiffy (%.0f ms) over raw at p99" % (j / 1e6)))
    p = g("sync.overhead_in_mutex_pairs_milli")
    if p is not None:
        out.append(("3 synchronous call", p <= 2,
                    "%.1f mutex pairs (%d ns over direct)" %
                    (p, f.get("sync.overhead_ns", 0)), "<= 2 mutex pairs"))
    if "st" in mem:
        b = mem["st"]["bytes_per_task"]
        out.append(("5 memory per task", b <= 3072, "%d B" % b,
                    "<= 3072 B"))
    for dev in (1, 100):
        s = g("scaling.dev%d.p50_10k_over_100_milli" % dev)
        if s is not None:
            out.append(("6 scaling, %d device%s" % (dev, "s" * (dev > 1)),
                        s <= 1.5, "10^4 alive: %.2fx of 10^2" % s,
                        "<= 1.5x"))
    for st in ("ram", "nvmem", "efivar"):
        w = f.get("stores.%s.ops.write" % st)
        r = f.get("stores.%s.ops.read" % st)
        if w is not None and r is not None:
            out.append(("7 store ops, %s" % st, w == 1 and r <= 1,
                        "%d write(s), %d read(s); other stores: %s read(s)"
                        % (w, r, f.get("stores.%s.ops.read_other" % st, "-")),
                        "1 write, 1 read (at create)"))
    return out


def ns(v):
    if v is None:
        return "-"
    if abs(v) >= 1e6:
        return "%.2f ms" % (v / 1e6)
    if abs(v) >= 1e3:
        return "%.1f us" % (v / 1e3)
    return "%d ns" % v


def rows(f, mem):
    """(measurement, raw, scheduled_task, ratio) rows of the table."""
    def pct(sec, side):
        return "%s / %s / %s" % tuple(
            ns(f.get("%s.%s.%s_ns" % (sec, side, p))) for p in
            ("p50", "p99", "max"))

    def ratio(a, b):
        return "%.2fx" % (a / b) if a is not None and b else "-"

    out = [
        ("deferred dispatch, p50/p99/max",
         pct("dispatch", "raw"), pct("dispatch", "st"),
         "%.2fx / %.2fx" % (f.get("dispatch.p50_ratio_milli", 0) / 1000,
                            f.get("dispatch.p99_ratio_milli", 0) / 1000)),
        ("timer 10 ms, lateness p50/p99/max",
         pct("timer", "raw"), pct("timer", "st"),
         "p99 %s" % ns(f.get("timer.p99_diff_ns"))),
        ("synchronous call, p50/p99/max",
         "direct " + pct("sync", "direct") + "; mutex pair " +
         pct("sync", "mutex") + "; clock " + pct("sync", "none"),
         pct("sync", "st"),
         "+%s = %.1f mutex pairs" %
         (ns(f.get("sync.overhead_ns")),
          f.get("sync.overhead_in_mutex_pairs_milli", 0) / 1000)),
    ]
    def rate(sec, side):
        k = "%s.%s." % (sec, side)
        t = "%s/s" % f.get(k + "per_s")
        if k + "drain_per_s" in f:
            t += " (queue %s/s, drain %s/s)" % (f.get(k + "enqueue_per_s"),
                                               f.get(k + "drain_per_s"))
        return t + "; " + ns(f.get(k + "worst_wakeup_delay_ns"))

    for sec, what in (("legacy", "legacy deferred, 2 threads: calls/s; "
                       "worst wake-up delay during the drain"),
                      ("concurrency", "64 tasks, all CPUs: callbacks/s; "
                       "worst wake-up delay")):
        out.append((what, rate(sec, "raw"), rate(sec, "st"),
                    ratio(f.get(sec + ".st.per_s"), f.get(sec + ".raw.per_s"))))
    if mem:
        r = mem.get("raw", {}).get("bytes_per_task")
        s = mem.get("st", {}).get("bytes_per_task")
        out.append(("memory per task (slab, kernfs included)",
                    "%s B" % r, "%s B" % s, ratio(s, r)))
    for dev in (1, 100):
        sec = "scaling.dev%d" % dev
        out.append(("create+destroy p50, %d device%s: 10^2 / 10^3 / 10^4 alive"
                    % (dev, "s" * (dev > 1)), "",
                    " / ".join(ns(f.get("%s.alive%d.p50_ns" % (sec, a)))
                               for a in (100, 1000, 10000)),
                    "%.2fx" % (f.get(sec + ".p50_10k_over_100_milli", 0) /
                               1000)))
    for st in ("ram", "nvmem", "efivar"):
        calls = ", ".join("%s %d" % (k.split(".")[-1], v) for k, v in
                          sorted(f.items()) if
                          k.startswith("stores.%s.calls." % st) and v)
        out.append(("times_run_set() on %s, p50/p99/max; one task's life" % st,
                    "", pct("stores", st) + "; " +
                    "%s write(s), %s read(s), %s of other stores [%s]" %
                    (f.get("stores.%s.ops.write" % st, "-"),
                     f.get("stores.%s.ops.read" % st, "-"),
                     f.get("stores.%s.ops.read_other" % st, "-"), calls), ""))
    return out


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as c:
            cpu = next(l.split(":", 1)[1].strip() for l in c
                       if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        qemu = subprocess.run(["qemu-system-x86_64", "--version"],
                              capture_output=True, text=True).stdout
        qemu = qemu.splitlines()[0]
    except (OSError, IndexError):
        qemu = "?"
    return {"host": platform.node(), "host_kernel": platform.release(),
            "cpu": cpu, "host_cpus": os.cpu_count(), "qemu": qemu,
            "accel": "tcg", "guest": "2 vCPUs (timing), 1 vCPU OVMF (stores), 1 GiB"}


def markdown(data):
    m = data["machine"]
    lines = ["Measured %s on %s (%d host CPUs), %s, TCG.  Throughput "
             "(4, 8) has no target." %
             (data["date"], m["cpu"], m["host_cpus"], m["qemu"]), ""]
    for short, k in data["kernels"].items():
        lines += ["**%s** (`%s`):" % (short, k["kernel"]), "",
                  "| measurement | raw primitive | scheduled_task | ratio |",
                  "|---|---|---|---|"]
        lines += ["| %s | %s | %s | %s |" % tuple(r) for r in k["rows"]]
        if "st" in k["memory"]:
            lines += ["", "Memory per task by slab cache: " + ", ".join(
                "%s %d B (%.2g objects)" % (c, v["bytes"], v["objects"])
                for c, v in sorted(k["memory"]["st"]["by_cache"].items(),
                                   key=lambda x: -x[1]["bytes"])) + "."]
        lines += ["", "| goal | measured | target | met |",
                  "|---|---|---|---|"]
        lines += ["| %s | %s | %s | %s |" %
                  (g["goal"], g["measured"], g["target"],
                   "yes" if g["met"] else "**no**") for g in k["goals"]]
        lines.append("")
    return "\n".join(lines)


def readme(path, data):
    with open(path) as f:
        text = f.read()
    a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
    text = text[:a] + "\n" + markdown(data) + "\n" + text[b:]
    with open(path, "w") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--md")
    ap.add_argument("--readme")
    ap.add_argument("txt", nargs="*")
    a = ap.parse_args()
    if a.readme:
        with open(a.json) as f:
            readme(a.readme, json.load(f))
        return 0
    data = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": machine(), "kernels": {}}
    bad = []
    for path in a.txt:
        short = os.path.basename(path)[len("bench-"):-len(".txt")]
        if not os.path.exists(path):
            bad.append("%s: no figures" % short)
            continue
        kernel, f, slabs, failed = parse(path)
        mem = memory(slabs)
        bad += ["%s: %s failed" % (short, x) for x in failed]
        bad += ["%s: no %s" % (short, k) for k in REQUIRED if k not in f]
        if "st" not in mem or "raw" not in mem:
            bad.append("%s: no memory figures" % short)
        k = {"kernel": kernel, "figures": f, "memory": mem,
             "rows": rows(f, mem),
             "goals": [{"goal": n, "met": m, "measured": x, "target": t}
                       for n, m, x, t in goals(f, mem)]}
        data["kernels"][short] = k
        print("\n%s (%s), QEMU TCG, raw and scheduled_task in one boot" %
              (short, kernel))
        for r in k["rows"]:
            print("  %s\n      raw: %s\n      st:  %s\n      %s" % r)
        for g in k["goals"]:
            print("  goal %-22s %-5s %s (target %s)" %
                  (g["goal"], "met" if g["met"] else "MISS", g["measured"],
                   g["target"]))
        if "st" in mem:
            print("  memory per task by cache: " +
                  ", ".join("%s %d B (%.2f objects)" % (c, v["bytes"], v["objects"])
                            for c, v in mem["st"]["by_cache"].items()))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
    if a.md:
        with open(a.md, "w") as f:
            f.write(markdown(data) + "\n")
    for b in bad:
        print("bench: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
