#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Per-packet instruction and block counts of each driver's module code, from
the insncount TCG plugin's output (scripts/insncount/insncount.c) and the KTAP
log of the insncount guest suite (tests/guest/insncount.sh).

    scripts/insncount-report.py [--markdown OUT.md] [--png OUT.png --title T] [--detail N] SYSTEM_MAP RUN.counts RUN.log.ktap

Attribution. A kernel block belongs to a driver's module if the symbol before
it (System.map for the kernel, booted with nokaslr; the module's lines of the
guest's /proc/kallsyms, handed over with the "syms DRIVER" mark) is one of the
module's. Each module block is given a path from the udp workload of the same
driver, where each vCPU runs one path (tests/guest/insncount.sh): CPU 2 the
sender's transmits (process context), CPU 0 the sender's interrupts
(completions), CPU 1 the receiver's interrupts (receive and refill). A block
whose executions there are >= 90 % on one vCPU gets that path; one that ran on
several is "shared" (interrupt entry, poll prologue and epilogue, helpers used
by several paths). A block the udp workload did not run takes the path of its
function if that function's classified instructions are >= 90 % one path
(e.g. the TSO branch of the transmit function), else "other". The paths are
then summed over every workload, on all vCPUs.

Per packet: transmit and completion per frame sent (both NICs' tx_packets over
the phase, TSO segments counted), receive per frame received (rx_packets),
shared, other and the module total per frame sent. The kernel's
rust_helper_* functions (called out of line by Rust code; not module code) are
shown per frame sent as well.
"""
import argparse
import bisect
import re
import sys
from collections import defaultdict

PATHS = ("tx", "completion", "rx", "shared", "other")
CPU_PATH = {2: "tx", 0: "completion", 1: "rx"}
DOMINANT = 0.9


def parse_counts(path):
    """Marks in order: dicts with seq, vcpu, label, data, user, blocks {(pc, n): [execs per vcpu]}."""
    marks = []
    cur = None
    with open(path, "rb") as f:
        while True:
            line = f.readline()
            if not line:
                break
            line = line.decode("utf-8", "replace").rstrip("\n")
            if line.startswith("mark "):
                _, seq, vcpu, label = line.split(" ", 3)
                cur = {"seq": int(seq), "vcpu": int(vcpu), "label": label, "data": "", "user": [], "blocks": {}}
                marks.append(cur)
            elif line.startswith("data "):
                n = int(line.split()[1])
                cur["data"] = f.read(n).decode("utf-8", "replace")
                f.readline()
            elif line.startswith("user"):
                cur["user"] = [int(x) for x in line.split()[1:]]
            elif line.startswith("b "):
                p = line.split()
                cur["blocks"][(int(p[1], 16), int(p[2]))] = [int(x) for x in p[3:]]
    return marks


def parse_ktap(path):
    """{(driver, workload): {local_tx, local_rx, peer_tx, peer_rx}}"""
    out = {}
    rx = re.compile(r"^# insncount: driver=(\S+) workload=(\S+) (.*)$")
    with open(path, errors="replace") as f:
        for line in f:
            m = rx.match(line.rstrip())
            if m:
                out[(m.group(1), m.group(2))] = {k: int(v) for k, v in (kv.split("=") for kv in m.group(3).split())}
    return out


class Symbols:
    def __init__(self, system_map, module_lines):
        syms = []
        with open(system_map) as f:
            for line in f:
                p = line.split()
                if len(p) >= 3 and p[1] in "tTwW":
                    syms.append((int(p[0], 16), p[2], None))
        for line in module_lines.splitlines():
            p = line.split()
            if len(p) >= 4 and p[1] in "tT" and p[3].startswith("["):
                syms.append((int(p[0], 16), p[2], p[3].strip("[]")))
        syms.sort()
        self.addrs = [s[0] for s in syms]
        self.syms = syms

    def find(self, pc):
        """(start address, name, module) of the symbol pc is in, or Nones."""
        i = bisect.bisect_right(self.addrs, pc) - 1
        if i < 0:
            return None, None, None
        a, name, mod = self.syms[i]
        if mod is not None and pc - a > 0x10000:
            return None, None, None
        return a, name, mod

    def lookup(self, pc):
        return self.find(pc)[1:]


def module_name(driver):
    return driver.replace("-", "_")


def classify(udp_blocks, sym, mod):
    """{(pc, n): path} for the module's blocks, from the udp phase."""
    block_path = {}
    func_w = defaultdict(lambda: defaultdict(int))
    for (pc, n), e in udp_blocks.items():
        name, m = sym.lookup(pc)
        if m != mod:
            continue
        tot = sum(e)
        if not tot:
            continue
        best = max(CPU_PATH, key=lambda c: e[c] if c < len(e) else 0)
        share = (e[best] if best < len(e) else 0) / tot
        path = CPU_PATH[best] if share >= DOMINANT else "shared"
        block_path[(pc, n)] = path
        func_w[name][path] += tot * n
    func_path = {}
    for name, w in func_w.items():
        tot = sum(w.values())
        best = max(w, key=w.get)
        if best != "shared" and w[best] / tot >= DOMINANT:
            func_path[name] = best
    return block_path, func_path


B62 = set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def short(name):
    """Best-effort readable form of a Rust v0 symbol: its identifiers joined by ::
    (crate hashes, back-references and generic arguments' tags dropped)."""
    if not name.startswith("_R"):
        return name
    s, i, toks = name[2:], 0, []
    while i < len(s):
        c = s[i]
        if c.isdigit():
            j = i
            while j < len(s) and s[j].isdigit():
                j += 1
            n = int(s[i:j])
            if s[j:j + 1] == "_":
                j += 1
            if j + n > len(s):
                i = j
                continue
            tok = s[j:j + n]
            if not toks or toks[-1] != tok:
                toks.append(tok)
            i = j + n
        elif c in "sB" and i + 1 < len(s) and (s[i + 1] in B62 or s[i + 1] == "_"):
            j = i + 1
            while j < len(s) and s[j] in B62:
                j += 1
            i = j + 1 if s[j:j + 1] == "_" else i + 1
        else:
            i += 1
    return "::".join(toks) or name


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    return "%.1f" % v


def compute(system_map, counts, ktap, ndetail):
    """Rows per (driver, workload) and the per-function detail."""
    marks = parse_counts(counts)
    counters = parse_ktap(ktap)
    syms_of = {}
    phases = []  # (driver, workload, blocks, user)
    prev = None
    for m in marks:
        words = m["label"].split()
        if words[:1] == ["syms"] and len(words) == 2:
            syms_of[words[1]] = Symbols(system_map, m["data"])
        elif words[:1] == ["stop"] and len(words) == 3 and prev and prev["label"] == "start %s %s" % (words[1], words[2]):
            phases.append((words[1], words[2], m["blocks"], m["user"]))
        prev = m
    if not phases:
        sys.exit("insncount-report: no start/stop phases in %s" % counts)

    rows = []
    detail = []
    for driver in dict.fromkeys(p[0] for p in phases):
        sym = syms_of.get(driver)
        if sym is None:
            sys.exit("insncount-report: no symbols for %s" % driver)
        mod = module_name(driver)
        udp = [p for p in phases if p[0] == driver and p[1] == "udp"]
        block_path, func_path = classify(udp[0][2], sym, mod) if udp else ({}, {})
        for d, w, blocks, user in phases:
            if d != driver:
                continue
            c = counters.get((d, w))
            if not c:
                sys.exit("insncount-report: no packet counters for %s %s in %s" % (d, w, ktap))
            ins = defaultdict(int)
            blk = defaultdict(int)
            per_func = defaultdict(int)
            helper_ins = helper_blk = 0
            for (pc, n), e in blocks.items():
                tot = sum(e)
                name, m = sym.lookup(pc)
                if m != mod:
                    if m is None and name and name.startswith("rust_helper_"):
                        helper_ins += tot * n
                        helper_blk += tot
                    continue
                path = block_path.get((pc, n)) or func_path.get(name, "other")
                ins[path] += tot * n
                blk[path] += tot
                per_func[name] += tot * n
            tx = c["local_tx"] + c["peer_tx"]
            rx = c["local_rx"] + c["peer_rx"]
            if not tx or not rx:
                sys.exit("insncount-report: %s %s: no frames counted (%s)" % (d, w, c))
            div = {"tx": tx, "completion": tx, "rx": rx, "shared": tx, "other": tx}
            r = {"driver": d, "workload": w, "tx_frames": tx, "rx_frames": rx}
            for p in PATHS:
                r["i_" + p] = ins[p] / div[p]
                r["b_" + p] = blk[p] / div[p]
            r["i_total"] = sum(ins.values()) / tx
            r["b_total"] = sum(blk.values()) / tx
            r["i_helpers"] = helper_ins / tx
            r["b_helpers"] = helper_blk / tx
            rows.append(r)
            if ndetail:
                top = sorted(per_func.items(), key=lambda kv: -kv[1])[: ndetail]
                detail.append((d, w, [(fmt(v / tx), name, func_path.get(name, "")) for name, v in top]))

    return rows, detail


def chart(rows, title, path):
    """One panel per workload: instructions per frame in each driver's module
    code, per path (bars side by side), and the rust/C ratio of each path
    written over its pair. Needs matplotlib (scripts/setup-bench.sh)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    drivers = list(dict.fromkeys(r["driver"] for r in rows))
    paths = ["tx", "completion", "rx", "shared", "total"]
    by = {(r["driver"], r["workload"]): r for r in rows}
    colors = ["#4878a8", "#d0703c", "#6a9a58"]
    fig, axes = plt.subplots(1, len(workloads), figsize=(4.6 * len(workloads), 3.8), squeeze=False)
    for ax, w in zip(axes[0], workloads):
        width = 0.8 / max(len(drivers), 1)
        for k, d in enumerate(drivers):
            r = by.get((d, w))
            if not r:
                continue
            ys = [r["i_" + p] for p in paths]
            xs = [i + (k - (len(drivers) - 1) / 2) * width for i in range(len(paths))]
            ax.bar(xs, ys, width=width, color=colors[k % len(colors)], label=d)
        if len(drivers) == 2:
            c, rr = by.get((drivers[0], w)), by.get((drivers[1], w))
            if c and rr:
                for i, p in enumerate(paths):
                    if c["i_" + p]:
                        top = max(c["i_" + p], rr["i_" + p])
                        ax.text(i, top, "%.2f" % (rr["i_" + p] / c["i_" + p]), ha="center", va="bottom", fontsize=7)
        ax.set_xticks(range(len(paths)), paths, fontsize=8)
        ax.set_title("%s: instructions per frame (ratio %s/%s over the bars)" % (w, drivers[-1], drivers[0]) if len(drivers) == 2 else w, fontsize=8)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=80)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("system_map")
    ap.add_argument("counts")
    ap.add_argument("ktap")
    ap.add_argument("--markdown", help="also write the tables as Markdown here")
    ap.add_argument("--png", help="also draw the per-path figures as a chart here (needs matplotlib)")
    ap.add_argument("--title", default="insncount", help="the chart's title")
    ap.add_argument("--detail", type=int, default=0, help="print the N costliest module functions per phase")
    ap.add_argument("--against", nargs=2, metavar=("COUNTS", "KTAP"),
                    help="another run (same kernel): print how far its per-frame figures are from this run's")
    a = ap.parse_args()

    rows, detail = compute(a.system_map, a.counts, a.ktap, a.detail)
    order = {w: i for i, w in enumerate(("ping", "udp", "tcp"))}
    rows.sort(key=lambda r: (order.get(r["workload"], 9), r["workload"]))
    head = ["workload", "driver", "frames tx/rx"] + [p for p in PATHS] + ["module total", "rust_helper_*"]
    out = []
    for kind, title in (("i", "instructions"), ("b", "blocks (translation-block executions)")):
        out.append("%s per frame in the module (transmit, completion, shared, other, totals: per frame sent;"
                   " receive: per frame received)" % title)
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for r in rows:
            cells = [r["workload"], r["driver"], "%d/%d" % (r["tx_frames"], r["rx_frames"])]
            cells += [fmt(r["%s_%s" % (kind, p)]) for p in PATHS]
            cells += [fmt(r[kind + "_total"]), fmt(r[kind + "_helpers"])]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    # rust/C ratios of the module totals, per workload
    by = {(r["driver"], r["workload"]): r for r in rows}
    drivers = list(dict.fromkeys(r["driver"] for r in rows))
    if len(drivers) == 2:
        c_drv, r_drv = drivers
        out.append("%s / %s, instructions per frame (module code, plus rust_helper_* in the total)" % (r_drv, c_drv))
        out.append("| workload | tx | completion | rx | module total | module + helpers |")
        out.append("|---|---|---|---|---|---|")
        for w in dict.fromkeys(r["workload"] for r in rows):
            cr, rr = by.get((c_drv, w)), by.get((r_drv, w))
            if not cr or not rr:
                continue

            def q(k, cr=cr, rr=rr):
                return "%.2f" % (rr[k] / cr[k]) if cr[k] else "-"
            both = (rr["i_total"] + rr["i_helpers"]) / (cr["i_total"] + cr["i_helpers"])
            out.append("| %s | %s | %s | %s | %s | %.2f |" % (w, q("i_tx"), q("i_completion"), q("i_rx"), q("i_total"), both))
        out.append("")
    if a.against:
        rows2, _ = compute(a.system_map, a.against[0], a.against[1], 0)
        by2 = {(r["driver"], r["workload"]): r for r in rows2}
        keys = ["i_tx", "i_completion", "i_rx", "i_shared", "i_total", "b_total"]
        out.append("other run against this one, per-frame figures: (other - this) / this")
        out.append("| workload | driver | " + " | ".join(k[2:] + (" insns" if k[0] == "i" else " blocks") for k in keys) + " |")
        out.append("|" + "---|" * (len(keys) + 2))
        for r in rows:
            o = by2.get((r["driver"], r["workload"]))
            if not o:
                continue
            cells = ["%+.1f %%" % (100 * (o[k] - r[k]) / r[k]) if r[k] else "-" for k in keys]
            out.append("| %s | %s | %s |" % (r["workload"], r["driver"], " | ".join(cells)))
        out.append("")
    for d, w, top in detail:
        out.append("%s %s: costliest functions, instructions per frame sent (path from udp)" % (d, w))
        for v, name, p in top:
            out.append("    %8s  %-10s %s" % (v, p or "-", short(name)))
        out.append("")
    text = "\n".join(out)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")
    if a.png:
        chart(rows, a.title, a.png)
        print("chart: %s" % a.png)


if __name__ == "__main__":
    main()
