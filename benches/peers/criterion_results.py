"""Reads the medians of our criterion benchmarks (shared by report.py and plot.py).

Criterion stores each benchmark under <criterion dir>/<group>/<function>/<value>/, every part
made filename-safe (a "/" inside a part becomes "_", long parts are cut), and writes the id it
was given to new/benchmark.json as `full_id`. So the ids are matched on `full_id`, never on the
directory name; `new/estimates.json` holds the median (`median.point_estimate`, in ns).
"""

import json
import os
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CAVEATS = (1, 3, 10, 50)


def macaroon_crate_version():
    """The macaroon crate's version as Cargo.lock pins it ("0.3" when it cannot be read)."""
    try:
        lock = (REPO / "Cargo.lock").read_text(encoding="utf-8")
    except OSError:
        return "0.3"
    m = re.search(r'\[\[package\]\]\s*name = "macaroon"\s*version = "([^"]+)"', lock)
    return m.group(1) if m else "0.3"


# (row label, criterion id pattern), in table order.
def ours():
    return [
        ("caveatspec verify/warehouse", "verify/warehouse/{n}"),
        ("caveatspec verify/strict", "verify/strict/{n}"),
        ("floor: bare HMAC chain", "floor/hmac_chain/{n}"),
        ("floor: bare SHA-256 compressions", "floor/sha256_compressions/{n}"),
        (f"macaroon crate {macaroon_crate_version()}", "macaroon_crate/verify/{n}"),
    ]


def criterion_dir():
    """Where criterion wrote its results: PEERS_CRITERION_DIR (for tests), else criterion's
    own rule (CRITERION_HOME, else <cargo target dir>/criterion)."""
    for var in ("PEERS_CRITERION_DIR", "CRITERION_HOME"):
        if os.environ.get(var):
            return Path(os.environ[var])
    target = os.environ.get("CARGO_TARGET_DIR")
    return (Path(target) if target else REPO / "target") / "criterion"


def load_medians(root=None):
    """{full_id: (median ns, mtime of its estimates.json)} for every benchmark under `root`."""
    root = Path(root) if root is not None else criterion_dir()
    medians = {}
    if not root.is_dir():
        return medians
    for meta in root.rglob("benchmark.json"):
        if meta.parent.name != "new":
            continue
        estimates = meta.parent / "estimates.json"
        try:
            full_id = json.loads(meta.read_text(encoding="utf-8"))["full_id"]
            est = json.loads(estimates.read_text(encoding="utf-8"))
            medians[full_id] = (float(est["median"]["point_estimate"]), estimates.stat().st_mtime)
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return medians


def our_rows(medians):
    """([(label, {caveats: ns or None})] for our four implementations, newest mtime or None)."""
    rows, mtimes = [], []
    for label, pattern in ours():
        cells = {}
        for n in CAVEATS:
            hit = medians.get(pattern.format(n=n))
            cells[n] = hit[0] if hit else None
            if hit:
                mtimes.append(hit[1])
        rows.append((label, cells))
    return rows, (max(mtimes) if mtimes else None)
