"""Validate every vector file against vectors/schema/vectors.schema.json, and the error-code
registry spec/codes.json against spec/codes.schema.json (JSON Schema 2020-12).

    python3 tools/check_vectors.py        # needs the `jsonschema` package

Exits non-zero and lists the first errors when a file does not match.
"""

import glob
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def validator_for(*schema_path: str) -> jsonschema.Draft202012Validator:
    with open(os.path.join(ROOT, *schema_path)) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def report(name: str, errors: list) -> bool:
    """Prints the first errors of one file; true when there were any."""
    for e in errors[:5]:
        print(f"{name}: {e.json_path}: {e.message[:300]}")
    return bool(errors)


def check_codes() -> int:
    """The error-code registry; its consistency with the vectors is crates/conformance/tests/codes.rs's job."""
    validator = validator_for("spec", "codes.schema.json")
    with open(os.path.join(ROOT, "spec", "codes.json")) as f:
        doc = json.load(f)
    bad = report("codes.json", list(validator.iter_errors(doc)))
    print(f"schema: {len(doc.get('codes', []))} codes checked, {int(bad)} file(s) with errors")
    return int(bad)


def main() -> int:
    validator = validator_for("vectors", "schema", "vectors.schema.json")
    bad = 0
    total = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "vectors", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        total += len(doc.get("vectors", []))
        bad += report(os.path.basename(path), list(validator.iter_errors(doc)))
    print(f"schema: {total} vectors checked, {bad} file(s) with errors")
    bad += check_codes()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
