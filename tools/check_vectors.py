"""Validate every vector file against vectors/schema/vectors.schema.json (JSON Schema 2020-12).

    python3 tools/check_vectors.py        # needs the `jsonschema` package

Exits non-zero and lists the first errors when a file does not match.
"""

import glob
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    with open(os.path.join(ROOT, "vectors", "schema", "vectors.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    total = 0
    for path in sorted(glob.glob(os.path.join(ROOT, "vectors", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        errors = list(validator.iter_errors(doc))
        total += len(doc.get("vectors", []))
        for e in errors[:5]:
            print(f"{os.path.basename(path)}: {e.json_path}: {e.message[:300]}")
        bad += bool(errors)
    print(f"schema: {total} vectors checked, {bad} file(s) with errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
