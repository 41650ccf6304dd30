"""Holds a consumer test run to the committed conformance matrix.

    python matrix_counts.py JUNIT_XML MATRIX_JSON ROW_ID [KIND,...]

Reads the JUnit XML of a consumer's pytest run (one `test_vector[<id>]` per vector) and
compares its outcomes per category with the row `ROW_ID` of `MATRIX_JSON`: passed = passed,
expected failures (strict xfail) and failures = failed, skipped = unsupported. A category whose
kinds the consumer does not answer has no test (the matrix counts it unsupported, unsent); one it
answers has its skipped tests compared too. With KIND,... the consumer tests only those kinds of
the row's: a category holding other kinds as well is compared by its failing vectors of those
kinds, one holding none of them is not compared. Exits non-zero naming every category that
differs; other tests of the file (not `test_vector`) must pass.
"""

import collections
import json
import re
import sys
import xml.etree.ElementTree as ET

import caveatspec_vectors as cv


def outcomes(junit_xml):
    """{category: Counter(passed/failed/unsupported)} of the `test_vector` cases, the ids of
    the failed ones, and the names of the other cases that did not pass."""
    category = {v["id"]: v["category"] for v in cv.vectors()}
    got, failing, broken = collections.defaultdict(collections.Counter), set(), []
    for case in ET.parse(junit_xml).iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        vector = re.fullmatch(r"test_vector\[(.*)\]", case.get("name"), re.S)
        if vector is None:
            if failed or case.find("skipped") is not None:
                broken.append(case.get("name"))
            continue
        skipped = case.find("skipped")
        if skipped is None:
            result = "failed" if failed else "passed"
        else:
            result = "failed" if skipped.get("type") == "pytest.xfail" else "unsupported"
        got[category[vector.group(1)]][result] += 1
        if result == "failed":
            failing.add(vector.group(1))
    return got, failing, broken


def main(junit_xml, matrix_json, row_id, kinds=None):
    got, failing, broken = outcomes(junit_xml)
    with open(matrix_json, encoding="utf-8") as f:
        row = next(i for i in json.load(f)["implementations"] if i["id"] == row_id)
    bad = [f"{name}: did not pass" for name in broken]
    kinds_of = collections.defaultdict(set)
    kind, category = {}, {}
    for v in cv.vectors():
        kinds_of[v["category"]].add(v["kind"])
        kind[v["id"]], category[v["id"]] = v["kind"], v["category"]
    tested = set(kinds.split(",")) if kinds else None
    for cell in row["cells"]:
        have = got[cell["category"]]
        if tested is not None and not kinds_of[cell["category"]] <= tested:
            if kinds_of[cell["category"]] & tested:
                want = {f["id"] for f in cell["failures"] if kind[f["id"]] in tested}
                mine = {i for i in failing if category[i] == cell["category"]}
                if mine != want:
                    bad.append(f"{cell['category']}: pytest fails {sorted(mine)}, matrix {sorted(want)}")
            continue
        keys = ("passed", "failed", "unsupported") if cell["passed"] + cell["failed"] > 0 else ("passed", "failed")
        want = {k: cell[k] for k in keys}
        if {k: have[k] for k in keys} != want:
            bad.append(f"{cell['category']}: pytest {dict(have)}, matrix {want}")
    bad += sorted(set(got) - {c["category"] for c in row["cells"]})
    if bad:
        sys.exit(f"the consumer test disagrees with the matrix's {row_id} row:\n  " + "\n  ".join(bad))
    total = sum(sum(c.values()) for c in got.values())
    if tested is not None:
        print(f"consumer: {total} tests of {', '.join(sorted(tested))} vectors, equal to the matrix's "
              f"{row_id} row on them ({len(failing)} failed: {', '.join(sorted(failing)) or 'none'})")
        return
    print(f"consumer: {total} tests, per category equal to the matrix's {row_id} row "
          f"({row['passed']} passed, {row['failed']} failed, {row['unsupported']} unsupported)")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(*sys.argv[1:])
