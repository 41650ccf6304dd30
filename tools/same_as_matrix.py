"""Hold an adapter's `caveatspec run --json` report to a row of the committed matrix, on the
vectors of some kinds.

    python3 tools/same_as_matrix.py REPORT_JSON MATRIX_JSON ROW_ID KIND[,KIND...]

The README's adapter example answers fewer kinds than the repository's adapter of the same
library; on the kinds it answers it must do what the matrix says that library does: the same
failing vectors with the same classes, and in a category holding only those kinds the same
passed, failed, unsupported and crashed counts. Exits 1 naming each difference.
"""

import collections
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def failures(row, kind_of, kinds):
    return {(f["id"], f["class"]) for c in row["cells"] for f in c["failures"] if kind_of[f["id"]] in kinds}


def main(report_json, matrix_json, row_id, kinds):
    kinds = set(kinds.split(","))
    kind_of, kinds_in = {}, collections.defaultdict(set)
    for path in glob.glob(os.path.join(ROOT, "vectors", "*.json")):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for v in doc["vectors"]:
            kind_of[v["id"]] = v["kind"]
            kinds_in[doc["category"]].add(v["kind"])
    with open(report_json, encoding="utf-8") as f:
        mine = json.load(f)
    with open(matrix_json, encoding="utf-8") as f:
        row = next(i for i in json.load(f)["implementations"] if i["id"] == row_id)
    bad = [f"fails {sorted(d)} where the matrix does not" for d in [failures(mine, kind_of, kinds) - failures(row, kind_of, kinds)] if d]
    bad += [f"passes {sorted(d)} where the matrix fails" for d in [failures(row, kind_of, kinds) - failures(mine, kind_of, kinds)] if d]
    counts = ("passed", "failed", "unsupported", "crashed")
    cells = {c["category"]: c for c in mine["cells"]}
    compared = []
    for cell in row["cells"]:
        if kinds_in[cell["category"]] <= kinds:
            compared.append(cell["category"])
            have = {k: cells.get(cell["category"], {}).get(k, 0) for k in counts}
            want = {k: cell[k] for k in counts}
            if have != want:
                bad.append(f"{cell['category']}: {have}, matrix {want}")
    if bad:
        sys.exit(f"{report_json} differs from the matrix's {row_id} row:\n  " + "\n  ".join(bad))
    print(f"equal to the matrix's {row_id} row on its {', '.join(sorted(kinds))} vectors: "
          f"{len(failures(mine, kind_of, kinds))} failures, counts of {', '.join(compared)}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(*sys.argv[1:])
