"""caveatspec adapter for pymacaroons 0.13.0, the macaroon library PyPI's server uses.

pymacaroons does the format and the HMAC chain; PyPI's caveat language is on top, built here the
way PyPI builds it: the `pypi-` prefix, a lookup of the row by the token's identifier, the
caveats PyPI stored at issue time appended, and one general satisfier that reads each caveat's
JSON and checks it against the request. The satisfier is written from spec/SPEC.md, not taken
from PyPI; where it and PyPI differ, the matrix shows it.
"""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import protocol  # noqa: E402

import pymacaroons  # noqa: E402


class Unmet(Exception):
    """The caveat cannot be read (PyPI's CaveatError, or an exception PyPI does not catch)."""


def strict_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def strict_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def fields(values, n_required, checks):
    """PyPI reads a caveat's fields positionally: too few is an error, extra ones are ignored."""
    if len(values) < n_required:
        raise Unmet("Not enough values")
    for value, ok in zip(values, checks):
        if not ok(value):
            raise Unmet("invalid values for fields")
    return values


def parse(text, user_present):
    """(kind, check) for one caveat, or Unmet. `check(ctx)` says whether a request satisfies it."""
    value = json.loads(text)  # Python's json: NaN, big ints and duplicate keys as PyPI reads them
    if isinstance(value, dict):
        return parse_legacy(value, user_present)
    if not isinstance(value, list):
        raise Unmet("caveat must be an array")
    if not value:
        raise Unmet("caveat array cannot be empty")
    tag, rest = value[0], value[1:]
    hash(tag)  # an unhashable tag makes PyPI's registry lookup raise
    # PyPI looks tags up in a dict: Python equality makes True the tag 1 and 1.0 the tag 1.
    if tag == 0 and not isinstance(tag, str):
        exp, nbf = fields(rest, 2, [strict_int, strict_int])[:2]
        return "expiration", lambda c: nbf <= c["now"] < exp
    if tag == 1 and not isinstance(tag, str):
        names = fields(rest, 1, [strict_str_list])[0]
        return "project_name", lambda c: c["project"] is not None and c["project"]["normalized"] in names
    if tag == 2 and not isinstance(tag, str):
        ids = fields(rest, 1, [strict_str_list])[0]
        return "project_id", lambda c: c["project"] is not None and c["project"]["id"] in ids
    if tag == 3 and not isinstance(tag, str):
        user = fields(rest, 1, [lambda v: isinstance(v, str)])[0]
        return "request_user", lambda c: c["user"] is not None and c["user"] == user
    if tag == 4 and not isinstance(tag, str):
        pub = fields(rest, 1, [lambda v: isinstance(v, str), lambda v: v is None or isinstance(v, dict)])[0]
        return "oidc_publisher", lambda c: (c["publisher"] is not None and c["publisher"]["id"] == pub
                                            and c["project"] is not None
                                            and c["project"]["id"] in c["publisher"]["projects"])
    raise Unmet("caveat has unknown tag")


def parse_legacy(value, user_present):
    """The mapping forms PyPI issued before 2022."""
    version = value.get("version")
    if version == 1 and not isinstance(version, str):
        # A version-1 mapping is a permissions caveat or nothing at all.
        perms = value.get("permissions")
        if perms == "user" and user_present:
            return "request_user", lambda c: c["user"] is not None
        if isinstance(perms, dict) and "projects" in perms:
            names = perms["projects"]
            if not strict_str_list(names):
                raise Unmet("invalid values for fields")
            return "project_name", lambda c: c["project"] is not None and c["project"]["normalized"] in names
        raise Unmet("caveat must be an array")
    if "exp" in value and "nbf" in value:
        exp, nbf = value["exp"], value["nbf"]
        if not (strict_int(exp) and strict_int(nbf)):
            raise Unmet("invalid values for fields")
        return "expiration", lambda c: nbf <= c["now"] < exp
    if "project_ids" in value and strict_str_list(value["project_ids"]):
        ids = value["project_ids"]
        return "project_id", lambda c: c["project"] is not None and c["project"]["id"] in ids
    raise Unmet("caveat must be an array")


def load(token):
    """PyPI's text layer, then pymacaroons."""
    prefix, _, body = token.partition("-")
    if prefix != "pypi" or not body:
        raise Unmet("malformed or nonexistent macaroon")
    return pymacaroons.Macaroon.deserialize(body)


def decode(inp):
    try:
        m = load(inp["token"])
    except Exception as exc:  # noqa: BLE001 — every refusal is an answer
        return {"outcome": "invalid", "message": f"{type(exc).__name__}: {exc}"}
    caveats = [{"id_hex": c.caveat_id_bytes.hex(),
                "vid_hex": None if c.verification_key_id is None else c.verification_key_id.hex(),
                "location": c.location or None} for c in m.caveats]
    return {"outcome": "valid", "value": {"macaroon": {
        "version": m.version, "location": m.location, "identifier_hex": m.identifier_bytes.hex(),
        "caveats": caveats, "signature_hex": m.signature_bytes.decode()}}}


def caveat(inp):
    raw = inp["caveat"].encode("utf-8", "surrogatepass") if "caveat" in inp else bytes.fromhex(inp["caveat_hex"])
    try:
        kind, _ = parse(raw.decode("utf-8"), inp.get("request_user") is not None)
    except Exception as exc:  # noqa: BLE001
        return {"outcome": "invalid", "message": f"{type(exc).__name__}: {exc}"}
    return {"outcome": "valid", "value": {"kind": kind}}


def verify(inp):
    row, owner, project = inp["row"], inp["row"]["owner"], inp.get("project")
    ctx = {"now": inp["now"], "user": owner.get("user_id"),
           "publisher": None if "publisher_id" not in owner else
           {"id": owner["publisher_id"], "projects": owner["publisher_project_ids"]},
           "project": None if project is None else
           {"id": project["id"], "normalized": protocol.normalize(project["name"])}}

    def satisfier(predicate):
        try:
            _, check = parse(predicate, ctx["user"] is not None)
            return bool(check(ctx))
        except Exception:  # noqa: BLE001 — an unreadable caveat is an unmet one
            return False

    try:
        m = load(inp["token"])
        try:
            found = uuid.UUID(m.identifier_bytes.decode()) == uuid.UUID(row["identifier"])
        except ValueError:
            found = False
        if not found:
            return {"outcome": "invalid", "message": "Macaroon not found"}
        for stored in row["stored_caveats"]:
            m.add_first_party_caveat(json.dumps(json.loads(stored), separators=(",", ":")))
        v = pymacaroons.Verifier()
        v.satisfy_general(satisfier)
        v.verify(m, bytes.fromhex(inp["key_hex"]))
    except Exception as exc:  # noqa: BLE001
        return {"outcome": "invalid", "message": f"{type(exc).__name__}: {exc}"}
    return {"outcome": "valid"}


def produce(m, restrictions, restrict):
    if "bind_jkt" in restrictions:
        # The strict profile's key-binding caveat (tag 5), which PyPI never writes.
        return {"outcome": "unsupported", "message": "no key-binding caveat (bind_jkt) in PyPI's caveats"}
    try:
        caveats = protocol.restriction_caveats(restrictions, restrict)
    except protocol.Refused as r:
        return {"outcome": "invalid", "codes": [r.code]}
    for c in caveats:
        m.add_first_party_caveat(c)
    return {"outcome": "valid", "value": {"caveats": caveats, "token": "pypi-" + m.serialize()}}


def mint(inp):
    m = pymacaroons.Macaroon(location=inp["location"], identifier=inp["identifier"],
                             key=bytes.fromhex(inp["key_hex"]), version=pymacaroons.MACAROON_V2)
    return produce(m, inp["restrictions"], False)


def restrict(inp):
    try:
        m = load(inp["token"])
    except Exception as exc:  # noqa: BLE001
        return {"outcome": "invalid", "codes": ["macaroon.malformed"], "message": f"{type(exc).__name__}: {exc}"}
    return produce(m, inp["restrictions"], True)


if __name__ == "__main__":
    from importlib.metadata import version
    protocol.serve({"name": "pymacaroons", "version": version("pymacaroons"), "language": "Python",
                    "profile": "warehouse", "kinds": ["decode", "caveat", "verify", "mint", "restrict"]},
                   {"decode": decode, "caveat": caveat, "verify": verify, "mint": mint, "restrict": restrict})
