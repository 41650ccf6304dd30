"""The DPoP section of RESULTS.md, and its plot, from the JSON lines of one `run`.

    dpop_report.py DPOP_JSONL SVG      prints the Markdown section and writes SVG

Standard library only; report.py calls section() for RESULTS.md. Every process of the run is
one "round" (`round` in each line). The ratios are paired wherever they can be:

- jsonwebtoken and the bare signature primitives run in the same process as caveatspec, in
  interleaved batches: their ratio is the process's own median over its inner rounds
  (`ratio_to_caveatspec`), then the median over the processes of caveatspec's backend;
- PyJWT, joserfc and npm jose, and caveatspec's other backend, run in other processes of the
  same round, one after the other: their ratio is taken round by round, against the median of
  that round's caveatspec processes, then the median over rounds.

A ratio above 1 means the peer takes longer than caveatspec.
"""

import json
import statistics
import sys
from pathlib import Path

ALGS = [("es256", "ES256"), ("eddsa", "EdDSA")]
BACKENDS = ["aws-lc-rs", "rustcrypto"]


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def label(rec):
    """One row per implementation: caveatspec per backend, each peer, each bare primitive."""
    if rec.get("kind") == "caveatspec":
        return f"caveatspec verify_proof ({rec['caveatspec_backend']})"
    if rec.get("kind") == "raw":
        return f"bare signature check: {rec['peer']}"
    if "jsonwebtoken_provider" in rec:
        return rec["peer"]
    return f"{rec['peer']} {rec['version']}"


def summarize(recs):
    """{alg: {label: {"ns": median ns, backend: ratio}}} and the order of the labels."""
    ours = {}  # (alg, backend, round) -> [ns]
    for r in recs:
        if r.get("kind") == "caveatspec":
            ours.setdefault((r["alg"], r["caveatspec_backend"], r.get("round")), []).append(
                r["median_ns"])
    out, order = {}, []
    for alg, _ in ALGS:
        rows = {}
        for r in (r for r in recs if r["alg"] == alg):
            name = label(r)
            if name not in order:
                order.append(name)
            row = rows.setdefault(name, {"ns": [], "ratios": {b: [] for b in BACKENDS}})
            row["ns"].append(r["median_ns"])
            for b in BACKENDS:
                if "caveatspec_backend" in r and r["caveatspec_backend"] == b:
                    row["ratios"][b].append(r["ratio_to_caveatspec"])
                    continue
                ref = ours.get((alg, b, r.get("round")))
                if ref:
                    row["ratios"][b].append(r["median_ns"] / statistics.median(ref))
        out[alg] = {name: {"ns": statistics.median(v["ns"]),
                           **{b: statistics.median(x) if x else None
                              for b, x in v["ratios"].items()}}
                    for name, v in rows.items()}
    order.sort(key=lambda n: (not n.startswith("caveatspec"), n.startswith("bare"), n))
    return out, order


def fmt_us(ns):
    us = ns / 1000
    return f"{us:.1f} µs" if us < 100 else f"{us:,.0f} µs"


def fmt_ratio(r):
    return "—" if r is None else f"×{r:.2f}"


def table(summary, order):
    head = "| check |" + "".join(
        f" {name} | ÷ ours ({BACKENDS[0]}) | ÷ ours ({BACKENDS[1]}) |" for _, name in ALGS)
    lines = [head, "|---|" + "---:|---:|---:|" * len(ALGS)]
    for name in order:
        cells = []
        for alg, _ in ALGS:
            row = summary[alg].get(name)
            if row is None:
                cells += ["—", "—", "—"]
            else:
                cells += [fmt_us(row["ns"]), *(fmt_ratio(row[b]) for b in BACKENDS)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def svg(summary, order):
    """Horizontal bars of the median time, one panel per algorithm, ours in dark blue."""
    bar, gap, left, width = 18, 6, 330, 420
    panels = []
    y = 30
    for alg, name in ALGS:
        rows = [(n, summary[alg][n]["ns"]) for n in order if n in summary[alg]]
        top = max(ns for _, ns in rows)
        panels.append(f'<text x="10" y="{y}" font-weight="bold">{name}</text>')
        y += 10
        for n, ns in rows:
            w = max(1, round(width * ns / top))
            colour = "#1f3b73" if n.startswith("caveatspec") else (
                "#9aa5b1" if n.startswith("bare") else "#c0703a")
            panels.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">'
                          f'{n.replace("&", "&amp;")}</text>')
            panels.append(f'<rect x="{left}" y="{y}" width="{w}" height="{bar}" '
                          f'fill="{colour}"/>')
            panels.append(f'<text x="{left + w + 4}" y="{y + 13}">{fmt_us(ns)}</text>')
            y += bar + gap
        y += 24
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" '
            f'height="{y}" font-family="sans-serif" font-size="12">'
            '<rect width="100%" height="100%" fill="white"/>' + "".join(panels) + "</svg>\n")


def section(path, svg_name="dpop-vs-peers.svg"):
    """The Markdown lines of the DPoP section of RESULTS.md."""
    recs = load(path)
    summary, order = summarize(recs)
    rounds = len({r.get("round") for r in recs})
    doc = ["## DPoP proof checks", "",
           "The same two proofs for every implementation: `dpop/rfc/figure-13` (ES256, with "
           "`ath` and a bound `jkt`) and `dpop/nonce/with-ath-and-jkt` (EdDSA, with `ath`, `jkt` "
           "and a nonce) of `vectors/dpop.json`, every check of RFC 9449 §4.3 that a resource "
           "server makes (see [README.md](README.md)). Median time per proof, and the ratio of "
           "each to caveatspec's `verify_proof` on each of its backends (above 1: caveatspec is "
           f"faster), from paired runs over {rounds} rounds: in-process interleaved batches for "
           "the Rust rows, round-by-round pairs for the Python and node rows.", "",
           table(summary, order), "", f"![DPoP proof check time]({svg_name})", "",
           "### Raw DPoP measurements", "", "```json",
           *(json.dumps(r, separators=(",", ":")) for r in recs), "```", ""]
    return doc


def main():
    path, out = Path(sys.argv[1]), Path(sys.argv[2])
    summary, order = summarize(load(path))
    print(table(summary, order))
    out.write_text(svg(summary, order), encoding="utf-8")


if __name__ == "__main__":
    main()
