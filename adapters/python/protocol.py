"""The adapter protocol's loop for Python adapters (spec/adapter-protocol.md).

`serve(hello, handlers)` writes the hello, then answers one JSON line per request line. A handler
takes the request's `input` and returns a dict with `outcome` and optionally `codes`, `message`,
`value`; an exception in a handler is the adapter's bug and ends the process, so the runner
reports that vector as crashed instead of this loop hiding it.
"""

import json
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


def normalize(name):
    """PEP 503 name normalization: what PyPI writes into project-name caveats."""
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


class Refused(Exception):
    """Restrictions that cannot be written; `code` is the vector code for why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code




def restriction_caveats(r, restrict):
    """The caveats PyPI writes for restrictions, in its order and compact JSON, after the
    checks spec/SPEC.md gives for restrictions. This is glue for adapters whose library knows
    macaroons but not PyPI's caveats; the library itself signs and serializes."""
    import json
    import re
    name = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.I)
    uid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    if restrict and not r:
        raise Refused("restrict.nothing")
    out = []
    nb, na = r.get("not_before"), r.get("not_after")
    if (nb is None) != (na is None):
        raise Refused("restrict.window_incomplete")
    if nb is not None:
        if nb < 0 or na < 0:
            raise Refused("restrict.window_negative")
        if nb >= na:
            raise Refused("restrict.window_empty")
        out.append([0, na, nb])
    if "project_names" in r:
        names = r["project_names"]
        if not names:
            raise Refused("restrict.empty_list")
        if not all(name.match(n) for n in names):
            raise Refused("restrict.invalid_name")
        out.append([1, [normalize(n) for n in names]])
    if "project_ids" in r:
        if not r["project_ids"]:
            raise Refused("restrict.empty_list")
        if not all(uid.match(i) for i in r["project_ids"]):
            raise Refused("restrict.invalid_uuid")
        out.append([2, r["project_ids"]])
    if "user_id" in r:
        if not uid.match(r["user_id"]):
            raise Refused("restrict.invalid_uuid")
        out.append([3, r["user_id"]])
    return [json.dumps(c, separators=(",", ":")) for c in out]
