"""Holds a consumer test run to the committed conformance matrix.

    python matrix_counts.py JUNIT_XML MATRIX_JSON ROW_ID

Reads the JUnit XML of a consumer's pytest run (one `test_vector[<id>]` per vector) and
compares its outcomes per category with the row `ROW_ID` of `MATRIX_JSON`: passed = passed,
expected failures (strict xfail) = failed, skipped = unsupported. A category whose kinds the
consumer does not answer has no test (the matrix counts it unsupported, unsent); one it answers
has its skipped tests compared too. Exits non-zero naming every category that differs; other
tests of the file (not `test_vector`) must pass.
"""

import collections
import json
import re
import sys
import xml.etree.ElementTree as ET

import caveatspec_vectors as cv


def outcomes(junit_xml):
    """{category: Counter(passed/failed/unsupported)} of the `test_vector` cases, and the
    names of the other cases that did not pass."""
    category = {v["id"]: v["category"] for v in cv.vectors()}
    got, broken = collections.defaultdict(collections.Counter), []
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
    return got, broken


def main(junit_xml, matrix_json, row_id):
    got, broken = outcomes(junit_xml)
    with open(matrix_json, encoding="utf-8") as f:
        row = next(i for i in json.load(f)["implementations"] if i["id"] == row_id)
    bad = [f"{name}: did not pass" for name in broken]
    for cell in row["cells"]:
        have = got[cell["category"]]
        keys = ("passed", "failed", "unsupported") if cell["passed"] + cell["failed"] > 0 else ("passed", "failed")
        want = {k: cell[k] for k in keys}
        if {k: have[k] for k in keys} != want:
            bad.append(f"{cell['category']}: pytest {dict(have)}, matrix {want}")
    bad += sorted(set(got) - {c["category"] for c in row["cells"]})
    if bad:
        sys.exit(f"the consumer test disagrees with the matrix's {row_id} row:\n  " + "\n  ".join(bad))
    total = sum(sum(c.values()) for c in got.values())
    print(f"consumer: {total} tests, per category equal to the matrix's {row_id} row "
          f"({row['passed']} passed, {row['failed']} failed, {row['unsupported']} unsupported)")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    main(*sys.argv[1:])
