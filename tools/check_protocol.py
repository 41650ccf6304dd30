"""Validate the adapter protocol's messages against spec/adapter-protocol.schema.json.

    python3 tools/check_protocol.py CAVEATSPEC_BINARY   # needs the `jsonschema` package

Sends one request per shipped vector to the reference adapter (`caveatspec adapter`, both
profiles) and checks the hello, every request and every response against the schema, so the
schema cannot drift from what the runner and the reference actually exchange.
"""

import glob
import json
import os
import subprocess
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    with open(os.path.join(ROOT, "spec", "adapter-protocol.schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    requests = []
    for path in sorted(glob.glob(os.path.join(ROOT, "vectors", "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        for v in doc["vectors"]:
            requests.append({"type": "request", "id": v["id"], "kind": v["kind"],
                             "category": doc["category"], "profile": "warehouse", "input": v["input"]})
    bad = 0
    for profile in ("warehouse", "strict"):
        for r in requests:
            r["profile"] = profile
        lines = "".join(json.dumps(r) + "\n" for r in requests)
        out = subprocess.run([sys.argv[1], "adapter", "--profile", profile], input=lines,
                             capture_output=True, text=True, check=True).stdout.splitlines()
        messages = [json.loads(out[0])] + requests + [json.loads(line) for line in out[1:]]
        if len(out) != len(requests) + 1:
            print(f"{profile}: {len(out) - 1} responses to {len(requests)} requests")
            bad += 1
        for m in messages:
            for e in list(validator.iter_errors(m))[:1]:
                bad += 1
                print(f"{profile} {m.get('type')} {m.get('id', '')}: {e.message}")
    print(f"{len(requests)} requests per profile: {'ok' if not bad else f'{bad} invalid messages'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
