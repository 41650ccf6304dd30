"""The adapter protocol's loop for Python adapters (spec/adapter-protocol.md).

`serve(hello, handlers)` writes the hello, then answers one JSON line per request line. A handler
takes the request's `input` and returns a dict with `outcome` and optionally `codes`, `message`,
`value`; an exception in a handler is the adapter's bug and ends the process, so the runner
reports that vector as crashed instead of this loop hiding it.
"""

import json
import os
import sys


def serve(hello, handlers):
    out = sys.stdout
    out.write(json.dumps(dict(hello, type="hello", protocol=1)) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        handler = handlers.get(req["kind"])
        resp = handler(req["input"]) if handler else {"outcome": "unsupported"}
        resp = dict(resp, type="response", id=req["id"])
        out.write(json.dumps(resp) + "\n")
        out.flush()


# PyPI's caveat language (name normalization, the caveats written for restrictions) lives in
# the Python package of the vectors, standard library only; adapters read it from the tree.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "packages", "python", "src"))
from caveatspec_vectors.satisfier import Refused, normalize, restriction_caveats  # noqa: E402,F401
