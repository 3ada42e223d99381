#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make upstream: the in-tree patch series, from this repository's files.

    upstream.py [--ksrc DIR] [--out DIR] [--results FILE]

Writes out/upstream/0000-cover-letter.patch and one patch per step, made
with git format-patch against Debian's linux-source-6.12: the service
goes to drivers/misc/scheduled_task/, its header to include/linux/, the
documentation to Documentation/driver-api/, the samples to
samples/scheduled_task/.  The source files are this repository's, with
three mechanical changes (no second copy is kept anywhere):

  - the compat shims are rewritten into the 6.12 API by the table in
    scheduled_task_compat.rewrite, and the compat header is left out;
  - "scheduled_task.h" includes become <linux/scheduled_task.h>;
  - the files that only exist in-tree (Kconfig, Makefiles, the
    .kunitconfig, the API reference section of the documentation, the
    commit messages and the cover letter) come from upstream/, and the
    object lists of the Makefiles are taken from the out-of-tree Kbuild
    files so the two builds cannot drift apart.

The patches are reproducible: author, date and base come from fixed
values (ST_UPSTREAM_AUTHOR overrides the Signed-off-by placeholder), so
the same sources give byte-identical patches.  The base is a small git
repository holding only the tree files the series modifies, taken from
the linux-source-6.12 tree (--ksrc; read, never written) or extracted
from /usr/src/linux-source-6.12.tar.xz; the blob ids in the patches are
those of the real tree, and scripts/group-upstream.sh applies the series
to a full clean tree.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UP = os.path.join(TOP, "upstream")
D = "drivers/misc/scheduled_task/"
HDR = "include/linux/scheduled_task.h"
DOC = "Documentation/driver-api/scheduled_task.rst"
SAMPLES = "samples/scheduled_task/"
ABI_MOD = "Documentation/ABI/testing/sysfs-module-scheduled_task"
ABI_CLASS = "Documentation/ABI/testing/sysfs-class-scheduled_task"

AUTHOR = os.environ.get("ST_UPSTREAM_AUTHOR",
                        "Your Name <your.name@example.org>")
DATE = "2026-01-01T00:00:00+00:00"
# The files of the tree the series modifies.
BASE_FILES = ["MAINTAINERS", "drivers/misc/Kconfig", "drivers/misc/Makefile",
              "samples/Kconfig", "samples/Makefile",
              "Documentation/driver-api/index.rst"]

MAINT_TITLE = "SCHEDULED TASK SERVICE FOR DEVICE DRIVERS"
MAINT_NEXT = "SCHEDULER"


def die(msg):
    sys.exit("upstream: " + msg)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_rewrites():
    rules = []
    for line in read(os.path.join(TOP, "scheduled_task_compat.rewrite")).splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pat, rep = re.split(r"\t+", line, maxsplit=1)
        rules.append((re.compile(pat, re.M), "" if rep == "(delete)" else rep))
    return rules


# The compat headers stay out of tree: the module's and the KUnit suites'.
COMPAT_HEADERS = ["scheduled_task_compat.h", "kunit/st_kunit_compat.h"]


def compat_names():
    text = "".join(read(os.path.join(TOP, h)) for h in COMPAT_HEADERS)
    return set(re.findall(r"#define\s+(st_\w+)", text) +
               re.findall(r"static inline [\w ]+?\b(st_\w+)\(", text))


REWRITES = load_rewrites()
COMPAT = compat_names()
INCLUDES = [
    (re.compile(r'#include "(?:\.\./)?scheduled_task\.h"'),
     "#include <linux/scheduled_task.h>"),
]


# The ABI files' out-of-tree fields, as they read in the tree: the first
# release the series could land in, and the list of the MAINTAINERS entry.
ABI_FIELDS = [
    (re.compile(r"^KernelVersion:.*$", re.M), "KernelVersion:\t6.13"),
    (re.compile(r"^Contact:.*$", re.M), "Contact:\tlinux-kernel@vger.kernel.org"),
]


def transform(src, text):
    """A repository file as it goes into the tree."""
    if src.startswith("Documentation/ABI/"):
        for pat, rep in ABI_FIELDS:
            text = pat.sub(rep, text)
    if src.endswith((".c", ".h")):
        for pat, rep in REWRITES:
            text = pat.sub(lambda m: m.expand(rep), text)
        left = [n for n in COMPAT if re.search(r"\b%s\b" % n, text)]
        if left:
            die("%s still uses %s after scheduled_task_compat.rewrite"
                % (src, ", ".join(sorted(left))))
    if src.endswith((".c", ".h", ".rst")):
        for pat, rep in INCLUDES:
            text = pat.sub(rep, text)
    if src.endswith((".c", ".h")):
        text = sort_include(text, "#include <linux/scheduled_task.h>")
    return text


def sort_include(text, inc):
    """Move inc, once a local include, among the <linux/...> ones."""
    lines = text.split("\n")
    if inc not in lines:
        return text
    at = lines.index(inc)
    others = [i for i, l in enumerate(lines)
              if l.startswith("#include <linux/") and i != at]
    if not others:
        return text
    del lines[at]
    if at < len(lines) and at > 0 and lines[at - 1] == "" and lines[at] == "":
        del lines[at]
    others = [i for i, l in enumerate(lines)
              if l.startswith("#include <linux/") and l != inc]
    after = [i for i in others if lines[i] > inc]
    where = after[0] if after else others[-1] + 1
    lines.insert(where, inc)
    return "\n".join(lines)


def kbuild_objs(kbuild, var):
    """The object list 'var-y := ...' of an out-of-tree Kbuild file."""
    m = re.search(r"^%s-y\s*:=((?:.*\\\n)*.*)$" % re.escape(var),
                  read(os.path.join(TOP, kbuild)), re.M)
    if not m:
        die("no %s-y in %s" % (var, kbuild))
    return m.group(1).replace("\\\n", " ").split()


def make_list(var, objs, first=":="):
    """objs as a Makefile assignment wrapped like the kernel's."""
    lines, cur = [], "%s-y %s" % (var, first)
    indent = " " * (len(var) + 6)
    for o in objs:
        if len(cur) + 1 + len(o) > 70 and not cur.endswith(first):
            lines.append(cur + " \\")
            cur = indent.replace(" " * 8, "\t") + o
        else:
            cur += " " + o
    lines.append(cur)
    return "\n".join(lines)


def tree_file(name):
    return "upstream/" + name


# The series: each step lists its files (tree path -> source: a repository
# file, transformed, or "upstream/<template>" used as is) and the edits to
# files of the tree (or of earlier steps).
def series():
    core_objs = kbuild_objs("Kbuild", "scheduled-task")
    kunit_objs = kbuild_objs("kunit/Kbuild", "scheduled_task_kunit")
    makefile = read(os.path.join(UP, "Makefile")).replace(
        "@OBJS@", make_list("scheduled-task", core_objs))
    kunit_mk = read(os.path.join(UP, "kunit.Makefile")).replace(
        "@OBJS@", make_list("scheduled_task_kunit", kunit_objs))
    kunit_files = {D + "kunit/" + f: "kunit/" + f for f in
                   sorted(os.path.basename(p) for p in
                          glob.glob(os.path.join(TOP, "kunit", "*.[ch]")))
                   if "kunit/" + f not in COMPAT_HEADERS}
    sample_files = {SAMPLES + f: "samples/" + f for f in
                    sorted(os.path.basename(p) for p in
                           glob.glob(os.path.join(TOP, "samples", "*.c")))}
    doc = transform("x.rst", read(os.path.join(TOP, "Documentation/scheduled_task.rst")))
    doc = doc.rstrip("\n") + "\n" + read(os.path.join(UP, "api-reference.rst"))
    return [
        dict(msg="0001-core.txt",
             files={HDR: "scheduled_task.h",
                    D + "scheduled_task.c": "scheduled_task.c",
                    D + "scheduled_task_internal.h": "scheduled_task_internal.h"},
             maintainers=["F:\t%s*" % D, "F:\t%s" % HDR]),
        dict(msg="0002-stores.txt",
             files={D + f: f for f in
                    ["scheduled_task_record.c", "scheduled_task_record.h",
                     "scheduled_task_store.c", "scheduled_task_store_efivar.c",
                     "scheduled_task_store_nvmem.c", "scheduled_task_store_ram.c"]} |
             {ABI_MOD: "Documentation/ABI/testing/sysfs-module-scheduled_task"},
             maintainers=["F:\t%s" % ABI_MOD]),
        dict(msg="0003-sysfs.txt",
             files={D + "scheduled_task_sysfs.c": "scheduled_task_sysfs.c",
                    D + "scheduled_task_trace.h": "scheduled_task_trace.h",
                    ABI_CLASS: "Documentation/ABI/testing/sysfs-class-scheduled_task",
                    D + "Kconfig": tree_file("Kconfig")},
             text={D + "Makefile": makefile},
             append={"drivers/misc/Kconfig":
                     'source "drivers/misc/scheduled_task/Kconfig"\n',
                     "drivers/misc/Makefile":
                     "obj-$(CONFIG_SCHEDULED_TASK)\t+= scheduled_task/\n"},
             maintainers=["F:\t%s" % ABI_CLASS]),
        dict(msg="0004-kunit.txt",
             files=kunit_files | {D + ".kunitconfig": tree_file("kunitconfig")},
             text={D + "kunit/Makefile": kunit_mk},
             append={D + "Kconfig": read(os.path.join(UP, "Kconfig.kunit")),
                     D + "Makefile": read(os.path.join(UP, "Makefile.kunit"))},
             maintainers=["F:\t%skunit/" % D]),
        dict(msg="0005-docs.txt",
             text={DOC: doc},
             toctree=("Documentation/driver-api/index.rst", "infrastructure",
                      "scheduled_task"),
             maintainers=["F:\t%s" % DOC]),
        dict(msg="0006-samples.txt",
             files=sample_files | {SAMPLES + "Makefile": tree_file("samples.Makefile")},
             before={"samples/Kconfig": ('source "samples/rust/Kconfig"',
                                         read(os.path.join(UP, "samples.Kconfig")))},
             append={"samples/Makefile":
                     "obj-$(CONFIG_SAMPLE_SCHEDULED_TASK)\t+= scheduled_task/\n"},
             maintainers=["F:\t%s" % SAMPLES]),
    ]


def maintainers_add(text, lines):
    """Add F: lines to the service's entry, creating it in order."""
    start = text.find("\n%s\n" % MAINT_TITLE)
    if start < 0:
        # In order, just before the scheduler's entry.
        at = text.find("\n\n%s\n" % MAINT_NEXT) + 2
        if at < 2:
            die("no %s entry in MAINTAINERS" % MAINT_NEXT)
        entry = ("%s\nM:\t%s\nL:\tlinux-kernel@vger.kernel.org\nS:\tMaintained\n\n"
                 % (MAINT_TITLE, AUTHOR))
        text = text[:at] + entry + text[at:]
        start = at - 1
    end = text.index("\n\n", start + 1)
    entry = text[start + 1:end].split("\n")
    head = [e for e in entry if not e.startswith("F:")]
    files = sorted(set([e for e in entry if e.startswith("F:")] + lines))
    return text[:start + 1] + "\n".join(head + files) + text[end:]


def git(repo, *args, **kw):
    name, email = re.match(r"(.*?)\s*<(.*)>", AUTHOR).groups()
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=DATE, GIT_COMMITTER_DATE=DATE,
               GIT_CONFIG_NOSYSTEM="1", HOME=repo)
    return subprocess.run(["git", "-C", repo] + list(args), env=env, check=True,
                          stdout=subprocess.PIPE, text=True, **kw).stdout


def base_files(ksrc, dest):
    if ksrc:
        for f in BASE_FILES:
            os.makedirs(os.path.dirname(os.path.join(dest, f)) or dest, exist_ok=True)
            shutil.copyfile(os.path.join(ksrc, f), os.path.join(dest, f))
        return
    tarball = "/usr/src/linux-source-6.12.tar.xz"
    with tarfile.open(tarball) as tf:
        for f in BASE_FILES:
            src = tf.extractfile("linux-source-6.12/" + f)
            os.makedirs(os.path.dirname(os.path.join(dest, f)) or dest, exist_ok=True)
            with open(os.path.join(dest, f), "wb") as o:
                o.write(src.read())


def write(repo, path, text):
    p = os.path.join(repo, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    trees = sorted(glob.glob(os.path.expanduser(
        "~/.cache/scheduled_task/src/*/linux-source-6.12/MAINTAINERS")))
    ap.add_argument("--ksrc", default=os.path.dirname(trees[-1]) if trees else "")
    ap.add_argument("--out", default=os.path.join(TOP, "out", "upstream"))
    ap.add_argument("--results",
                    default=os.path.join(TOP, "out", "upstream-results.txt"),
                    help="test results to quote in the cover letter")
    a = ap.parse_args()

    repo = os.path.join(a.out, "git")
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "upstream")
    base_files(a.ksrc, repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "linux-source-6.12 (the files the series modifies)")
    git(repo, "tag", "base")

    steps = series()
    for step in steps:
        for path, src in step.get("files", {}).items():
            text = read(os.path.join(TOP, src))
            write(repo, path, text if src.startswith("upstream/") else transform(src, text))
        for path, text in step.get("text", {}).items():
            write(repo, path, text)
        for path, add in step.get("append", {}).items():
            text = read(os.path.join(repo, path))
            write(repo, path, text + add)
        for path, (anchor, add) in step.get("before", {}).items():
            text = read(os.path.join(repo, path))
            if anchor not in text:
                die("no '%s' in %s" % (anchor, path))
            write(repo, path, text.replace(anchor, add + anchor, 1))
        if "toctree" in step:
            path, after, name = step["toctree"]
            text = read(os.path.join(repo, path))
            anchor = "\n   %s\n" % after
            if anchor not in text:
                die("no toctree entry %s in %s" % (after, path))
            write(repo, path, text.replace(anchor, anchor + "   %s\n" % name, 1))
        mpath = os.path.join(repo, "MAINTAINERS")
        write(repo, "MAINTAINERS", maintainers_add(read(mpath), step["maintainers"]))
        msg = read(os.path.join(UP, step["msg"])).rstrip("\n")
        msg += "\n\nSigned-off-by: %s\n" % AUTHOR
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-F", "-", input=msg)

    cover = read(os.path.join(UP, "cover-letter.txt"))
    results = read(a.results) if a.results and os.path.exists(a.results) else \
        "(no results yet: make check, or scripts/check.sh upstream, fills\nthis in)\n"
    cover = cover.replace("@RESULTS@\n", results)
    patches = git(repo, "format-patch", "--cover-letter", "--no-signature",
                  "--zero-commit", "-o", a.out, "base").split()
    subject, _, blurb = cover.partition("\n\n")
    p0 = patches[0]
    text = read(p0).replace("*** SUBJECT HERE ***", subject.strip())
    text = text.replace("*** BLURB HERE ***", blurb.rstrip("\n"))
    write(a.out, os.path.basename(p0), text)
    for p in patches:
        print(os.path.relpath(p, TOP))


if __name__ == "__main__":
    main()
