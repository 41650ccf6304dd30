"""Builds the comparison table from the peers' JSON lines and our criterion medians.

    report.py PEERS_JSONL RESULTS_MD [DPOP_JSONL]

Prints the Markdown table and writes RESULTS_MD: the table, when and where it was measured,
the command, and the raw peer measurements; with DPOP_JSONL (when that file exists) also the
DPoP section of dpop_report.py. Standard library only. Environment (set by `run`):
PEERS_COMMAND, PEERS_PYTHON, PEERS_NODE, PEERS_LOADAVG.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import criterion_results as cr
import dpop_report

PEER_ORDER = ["pypitoken", "pymacaroons", "macaroon (npm)"]
PEER_LABEL = {"pypitoken": "pypitoken {v}", "pymacaroons": "pymacaroons {v}",
              "macaroon (npm)": "npm macaroon {v}"}
REFERENCE = "caveatspec verify/warehouse"


def fmt_us(ns):
    """Microseconds to about three significant digits (thousands separated above 1,000)."""
    us = ns / 1000
    for limit, decimals in ((1, 3), (10, 2), (100, 1)):
        if round(us, decimals) < limit:
            return f"{us:.{decimals}f} µs"
    return f"{us:,.0f} µs"


def fmt_ratio(r):
    for limit, decimals in ((1, 2), (10, 1)):
        if round(r, decimals) < limit:
            return f"×{r:.{decimals}f}"
    return f"×{r:,.0f}"


def run(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "kernel": run(["uname", "-sr"]),
        "rustc": run(["rustc", "-V"]),
        "Python": run([os.environ.get("PEERS_PYTHON", sys.executable), "-V"]),
        "Node": run([os.environ.get("PEERS_NODE", "node"), "-v"]),
    }


def read_peers(path):
    rows = {}
    versions = {}
    raw = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            raw.append(line.rstrip("\n"))
            rows.setdefault(rec["peer"], {})[rec["caveats"]] = rec["median_ns"]
            versions[rec["peer"]] = rec["version"]
    out = []
    for peer in PEER_ORDER + sorted(set(rows) - set(PEER_ORDER)):
        if peer in rows:
            label = PEER_LABEL.get(peer, peer + " {v}").format(v=versions[peer])
            out.append((label, {n: rows[peer].get(n) for n in cr.CAVEATS}))
    return out, raw


def table(rows):
    ref = dict(rows).get(REFERENCE, {})
    head = "| implementation | " + " | ".join(
        f"{n} caveat{'s' if n > 1 else ''}" for n in cr.CAVEATS) + " |"
    lines = [head, "|---|" + "---:|" * len(cr.CAVEATS)]
    for label, cells in rows:
        out = []
        for n in cr.CAVEATS:
            ns = cells.get(n)
            if ns is None:
                out.append("—")
            elif ref.get(n) and label != REFERENCE:
                out.append(f"{fmt_us(ns)} ({fmt_ratio(ns / ref[n])})")
            else:
                out.append(fmt_us(ns))
        lines.append(f"| {label} | " + " | ".join(out) + " |")
    return "\n".join(lines)


def main():
    peers_path, results_path = Path(sys.argv[1]), Path(sys.argv[2])
    peer_rows, raw = read_peers(peers_path)
    root = cr.criterion_dir()
    try:  # as the reader knows it, without this machine's path
        shown_root = root.resolve().relative_to(cr.REPO)
    except ValueError:
        shown_root = root
    ours, newest = cr.our_rows(cr.load_medians(root))
    # Our four rows, all of them (missing cells as —) as soon as any has a result.
    have_ours = ours if any(v is not None for _, cells in ours for v in cells.values()) else []
    notes = []
    if not have_ours:
        notes.append(f"No criterion results for our benchmarks under `{shown_root}`: run `cargo bench` "
                     "first. Only the peers are shown, without ratios.")
    else:
        missing = [f"`{p.format(n=n)}`" for (label, cells), (_, p) in zip(ours, cr.ours())
                   for n in cr.CAVEATS if cells[n] is None]
        if missing:
            notes.append("Missing criterion results (shown as —): " + ", ".join(missing) + ".")
    rows = have_ours + peer_rows
    md_table = table(rows)

    print(md_table)
    for n in notes:
        print("\n" + n)

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    command = os.environ.get("PEERS_COMMAND", "benches/peers/run")
    doc = ["# Verify time: caveatspec against peer implementations", ""]
    doc += [f"Measured {now} with `{command}` (see [README.md](README.md) for what each row "
            "times). Median time to verify one token of 1, 3, 10 and 50 caveats"
            + (", and in brackets the ratio to `caveatspec verify/warehouse` at the same caveat "
               "count." if have_ours else "."), ""]
    doc += [md_table, ""]
    if notes:
        doc += [*notes, ""]
    if have_ours:
        when = (datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
                .strftime("%Y-%m-%d %H:%M UTC")) if newest else "unknown"
        doc += [f"Rust rows: criterion's median (`median.point_estimate` of "
                f"`new/estimates.json`), results written {when}. Peer rows: the median over "
                "repeated batches of the time per call, measured by this command.", ""]
        if results_path.with_name("verify-vs-caveats.svg").exists():
            doc += ["![median verify time against caveat count](verify-vs-caveats.svg)", ""]
    if len(sys.argv) > 3 and Path(sys.argv[3]).is_file():
        doc += dpop_report.section(sys.argv[3])
    doc += ["## Machine", ""]
    doc += [f"- {k}: {v}" for k, v in info.items()]
    if os.environ.get("PEERS_LOADAVG"):
        doc += [f"- load average before the peer runs: {os.environ['PEERS_LOADAVG']}"]
    doc += [""]
    doc += ["## Raw peer measurements", "",
            "One line per peer and token, as the peer scripts printed them (`iterations` is "
            "the number of timed calls: `batch` calls per batch, `repeats` batches).", "",
            "```json", *raw, "```", ""]
    results_path.write_text("\n".join(doc), encoding="utf-8")
    print(f"\nwritten: {results_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
