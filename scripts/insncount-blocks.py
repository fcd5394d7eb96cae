#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where a module function's instructions go, block by block, from an
insncount run (scripts/insncount.sh): the per-packet profile that the
per-function tables of scripts/insncount-report.py sum up.

    scripts/insncount-blocks.py [--top N] RUN.counts RUN.log.ktap MODULE.ko DRIVER WORKLOAD FUNCTION

FUNCTION is a substring of the (mangled) symbol, e.g. `start_xmit` or
`Operations4poll`; every module function that matches is shown. MODULE.ko
must be the very module the run loaded (the blocks are matched by their
offset in the function). For each block executed in the WORKLOAD phase of
DRIVER: its offset, instructions, executions and instructions per frame sent
(both NICs' tx_packets, as the report), hottest first, then the block's
disassembly (llvm-objdump of MODULE.ko), so that the cost can be read
against the source.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
report = __import__("insncount-report")


def objdump_tool():
    for t in ("llvm-objdump-22", "llvm-objdump", "objdump"):
        if shutil.which(t):
            return t
    sys.exit("insncount-blocks: no objdump")


def disassembly(ko, name):
    """[(offset, text)] of function `name` in `ko`."""
    out = subprocess.run([objdump_tool(), "-d", "--no-show-raw-insn", "--disassemble-symbols=" + name, ko],
                         check=True, capture_output=True, text=True).stdout
    lines, base = [], None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <", line)
        if m:
            base = int(m.group(1), 16)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(.*)$", line)
        if m and base is not None:
            lines.append((int(m.group(1), 16) - base, m.group(2).strip()))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("counts")
    ap.add_argument("ktap")
    ap.add_argument("ko")
    ap.add_argument("driver")
    ap.add_argument("workload")
    ap.add_argument("function")
    a = ap.parse_args()

    marks = report.parse_counts(a.counts)
    counters = report.parse_ktap(a.ktap)
    sym, blocks, prev = None, None, None
    for m in marks:
        words = m["label"].split()
        if words == ["syms", a.driver]:
            sym = report.Symbols(os.devnull, m["data"])
        elif words == ["stop", a.driver, a.workload] and prev and prev["label"] == "start %s %s" % (a.driver, a.workload):
            blocks = m["blocks"]
        prev = m
    if sym is None or blocks is None:
        sys.exit("insncount-blocks: no symbols or no %s/%s phase in %s" % (a.driver, a.workload, a.counts))
    c = counters.get((a.driver, a.workload))
    if not c:
        sys.exit("insncount-blocks: no packet counters for %s/%s" % (a.driver, a.workload))
    frames = c["local_tx"] + c["peer_tx"]

    mod = report.module_name(a.driver)
    per_func = defaultdict(list)
    for (pc, n), e in blocks.items():
        base, name, m = sym.find(pc)
        if m != mod or a.function not in name:
            continue
        per_func[name].append((pc - base, n, sum(e)))
    if not per_func:
        sys.exit("insncount-blocks: no executed block of a function matching '%s'" % a.function)
    for name, bl in per_func.items():
        total = sum(n * e for _, n, e in bl) / frames
        print("## %s (%s): %.1f instructions per frame sent, %d blocks executed, %d frames"
              % (report.short(name), name, total, len(bl), frames))
        dis = disassembly(a.ko, name)
        bl.sort(key=lambda b: -b[1] * b[2])
        for off, n, e in bl[:a.top]:
            print("\n+%#x: %d insns x %.2f per frame = %.1f" % (off, n, e / frames, n * e / frames))
            shown = 0
            for o, text in dis:
                if o >= off and shown < n:
                    print("    %6x  %s" % (o, text))
                    shown += 1
        print()


if __name__ == "__main__":
    main()
