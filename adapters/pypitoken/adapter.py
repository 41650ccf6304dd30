"""caveatspec adapter for pypitoken 7.1.1, the client library for PyPI tokens.

Maps a vector onto pypitoken's public API the way a server using pypitoken would: `Token.load`,
then find the key by the token's identifier, then `Token.check(key, project_name=<normalized
name>, project_id=..., user_id=..., now=...)`; `Token.create` and `Token.restrict` for minting
and attenuation. pypitoken has no notion of caveats stored at issue time or of Trusted
Publishers, so vectors that need the former are answered `unsupported` and a publisher-owned
token is checked with no user.
"""

import os
import sys
import uuid
from importlib.metadata import version

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import protocol  # noqa: E402

import pypitoken  # noqa: E402
from pypitoken import restrictions as R  # noqa: E402

KINDS = {
    "DateRestriction": "expiration", "LegacyDateRestriction": "expiration",
    "ProjectNamesRestriction": "project_name", "LegacyProjectNamesRestriction": "project_name",
    "ProjectIDsRestriction": "project_id", "UserIDRestriction": "request_user",
    "LegacyNoopRestriction": "request_user",
}


def failed(exc):
    return {"outcome": "invalid", "message": f"{type(exc).__name__}: {exc}"}


def decode(inp):
    try:
        pypitoken.Token.load(inp["token"])
    except Exception as exc:  # noqa: BLE001 — any refusal is an answer
        return failed(exc)
    return {"outcome": "valid"}


def caveat(inp):
    if "caveat" not in inp:
        return {"outcome": "unsupported", "message": "pypitoken reads caveats as text only"}
    try:
        r = R.Restriction.load_json(inp["caveat"])
    except Exception as exc:  # noqa: BLE001
        return failed(exc)
    kind = KINDS.get(type(r).__name__)
    return {"outcome": "valid", "value": {"kind": kind} if kind else {}}


def same_uuid(a, b):
    try:
        return uuid.UUID(a) == uuid.UUID(b)
    except (ValueError, TypeError, AttributeError):
        return False


def verify(inp):
    row = inp["row"]
    if row["stored_caveats"]:
        return {"outcome": "unsupported", "message": "pypitoken knows no caveats stored at issue time"}
    try:
        token = pypitoken.Token.load(inp["token"])
        if not same_uuid(token.identifier, row["identifier"]):
            return {"outcome": "invalid", "message": "no key for this identifier"}
        project = inp.get("project")
        token.check(key=bytes.fromhex(inp["key_hex"]),
                    project_name=protocol.normalize(project["name"]) if project else None,
                    project_id=project["id"] if project else None,
                    user_id=row["owner"].get("user_id"), now=inp["now"])
    except Exception as exc:  # noqa: BLE001
        return failed(exc)
    return {"outcome": "valid"}


def restricted(token, r):
    kwargs = {k: r[k] for k in ("not_before", "not_after", "project_names", "project_ids", "user_id") if k in r}
    if "project_names" in kwargs:
        kwargs["project_names"] = [protocol.normalize(n) for n in kwargs["project_names"]]
    before = len(token._macaroon.caveats)
    token.restrict(**kwargs)
    caveats = [c.caveat_id_bytes.decode("utf-8", "replace") for c in token._macaroon.caveats[before:]]
    return {"outcome": "valid", "value": {"caveats": caveats, "token": token.dump()}}


# `bind_jkt` asks for the strict profile's key-binding caveat (tag 5), which PyPI never writes.
UNSUPPORTED_BIND = {"outcome": "unsupported", "message": "no key-binding caveat (bind_jkt) in PyPI's caveats"}


def mint(inp):
    if "bind_jkt" in inp["restrictions"]:
        return UNSUPPORTED_BIND
    try:
        token = pypitoken.Token.create(domain=inp["location"], identifier=inp["identifier"],
                                       key=bytes.fromhex(inp["key_hex"]))
        if not inp["restrictions"]:
            return {"outcome": "valid", "value": {"caveats": [], "token": token.dump()}}
        return restricted(token, inp["restrictions"])
    except Exception as exc:  # noqa: BLE001
        return failed(exc)


def restrict(inp):
    if "bind_jkt" in inp["restrictions"]:
        return UNSUPPORTED_BIND
    try:
        return restricted(pypitoken.Token.load(inp["token"]), inp["restrictions"])
    except Exception as exc:  # noqa: BLE001
        return failed(exc)


if __name__ == "__main__":
    protocol.serve({"name": "pypitoken", "version": version("pypitoken"), "language": "Python",
                    "profile": "warehouse", "kinds": ["decode", "caveat", "verify", "mint", "restrict"]},
                   {"decode": decode, "caveat": caveat, "verify": verify, "mint": mint, "restrict": restrict})
