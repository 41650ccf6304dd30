"""Ask pypitoken (the client library) about vector inputs. Run with pypitoken 7.1.1 installed.

Reads a JSON list of requests on stdin, writes a JSON list of answers on stdout. Each request is
{"op": "load_caveat" | "check" | "load" | "restrict", ...}. pypitoken is a peer, not the truth:
its answers are recorded in vectors beside PyPI's.
"""

import json
import sys

import pypitoken
from pypitoken import restrictions as R


def load_caveat(req):
    try:
        r = R.Restriction.load_json(req["caveat"])
    except Exception as exc:  # noqa: BLE001
        return {"valid": False, "error": type(exc).__name__, "message": str(exc)}
    return {"valid": True, "restriction": type(r).__name__}


def load(req):
    try:
        t = pypitoken.Token.load(req["token"])
        return {"valid": True, "prefix": t.prefix, "domain": t.domain, "identifier": t.identifier}
    except Exception as exc:  # noqa: BLE001
        return {"valid": False, "error": type(exc).__name__, "message": str(exc)}


def check(req):
    try:
        t = pypitoken.Token.load(req["token"])
        t.check(
            key=bytes.fromhex(req["key_hex"]),
            project_name=req.get("project_name"),
            project_id=req.get("project_id"),
            user_id=req.get("user_id"),
            now=req["now"],
        )
    except Exception as exc:  # noqa: BLE001
        return {"valid": False, "error": type(exc).__name__, "message": str(exc)}
    return {"valid": True}


def restrict(req):
    try:
        t = pypitoken.Token.load(req["token"])
        t.restrict(**req["kwargs"])
        return {
            "valid": True,
            "token": t.dump(),
            "caveats": [c.caveat_id_bytes.decode("utf-8", "replace") for c in t._macaroon.caveats],
        }
    except Exception as exc:  # noqa: BLE001
        return {"valid": False, "error": type(exc).__name__, "message": str(exc)}


OPS = {"load_caveat": load_caveat, "load": load, "check": check, "restrict": restrict}

if __name__ == "__main__":
    reqs = json.load(sys.stdin)
    json.dump([OPS[r["op"]](r) for r in reqs], sys.stdout)
