"""caveatspec adapter for pymacaroons 0.13.0, the macaroon library PyPI's server uses.

pymacaroons does the format and the HMAC chain; PyPI's caveat language on top (the `pypi-`
prefix, the row lookup, the stored caveats, the general satisfier) is
`caveatspec_vectors.satisfier` from packages/python, the same code a Python test suite installs
with the vectors. It is written from spec/SPEC.md, not taken from PyPI; where it and PyPI
differ, the matrix shows it.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import protocol  # noqa: E402  (puts packages/python/src on the path too)

import pymacaroons  # noqa: E402
from caveatspec_vectors import satisfier  # noqa: E402


def refused(exc):
    return {"outcome": "invalid", "message": f"{type(exc).__name__}: {exc}"}


def load(token):
    """PyPI's text layer, then pymacaroons."""
    return pymacaroons.Macaroon.deserialize(satisfier.token_body(token))


def decode(inp):
    try:
        m = load(inp["token"])
    except Exception as exc:  # noqa: BLE001 — every refusal is an answer
        return refused(exc)
    caveats = [{"id_hex": c.caveat_id_bytes.hex(),
                "vid_hex": None if c.verification_key_id is None else c.verification_key_id.hex(),
                "location": c.location or None} for c in m.caveats]
    return {"outcome": "valid", "value": {"macaroon": {
        "version": m.version, "location": m.location, "identifier_hex": m.identifier_bytes.hex(),
        "caveats": caveats, "signature_hex": m.signature_bytes.decode()}}}


def caveat(inp):
    try:
        kind = satisfier.caveat_kind(inp)
    except Exception as exc:  # noqa: BLE001
        return refused(exc)
    return {"outcome": "valid", "value": {"kind": kind}}


def verify(inp):
    try:
        m = load(inp["token"])
        if not satisfier.row_matches(m.identifier_bytes, inp["row"]):
            return {"outcome": "invalid", "message": "Macaroon not found"}
        for stored in satisfier.stored_caveats(inp["row"]):
            m.add_first_party_caveat(stored)
        v = pymacaroons.Verifier()
        v.satisfy_general(satisfier.Request(inp).satisfies)
        v.verify(m, bytes.fromhex(inp["key_hex"]))
    except Exception as exc:  # noqa: BLE001
        return refused(exc)
    return {"outcome": "valid"}


def produce(m, restrictions, restrict):
    if "bind_jkt" in restrictions:
        # The strict profile's key-binding caveat (tag 5), which PyPI never writes.
        return {"outcome": "unsupported", "message": "no key-binding caveat (bind_jkt) in PyPI's caveats"}
    try:
        caveats = satisfier.restriction_caveats(restrictions, restrict)
    except satisfier.Refused as r:
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
        return dict(refused(exc), codes=["macaroon.malformed"])
    return produce(m, inp["restrictions"], True)


if __name__ == "__main__":
    from importlib.metadata import version
    protocol.serve({"name": "pymacaroons", "version": version("pymacaroons"), "language": "Python",
                    "profile": "warehouse", "kinds": ["decode", "caveat", "verify", "mint", "restrict"]},
                   {"decode": decode, "caveat": caveat, "verify": verify, "mint": mint, "restrict": restrict})
