"""caveatspec adapter for pymacaroons 0.13.0, the macaroon library PyPI's server uses.

pymacaroons does the format and the HMAC chain; PyPI's caveat language on top (the `pypi-`
prefix, the row lookup, the stored caveats, the general satisfier) is
`caveatspec_vectors.satisfier`, the same code a Python test suite installs with the vectors. It
is written from spec/SPEC.md, not taken from PyPI; where it and PyPI differ, the matrix shows it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "python" / "src"))
import pymacaroons  # noqa: E402
from caveatspec_vectors import adapter, satisfier  # noqa: E402


def load(token, code=None):
    """PyPI's text layer, then pymacaroons; any refusal is `invalid` with `code`."""
    with adapter.refusing(code):
        return pymacaroons.Macaroon.deserialize(satisfier.token_body(token))


def decode(inp):
    m = load(inp["token"])
    caveats = [{"id_hex": c.caveat_id_bytes.hex(),
                "vid_hex": None if c.verification_key_id is None else c.verification_key_id.hex(),
                "location": c.location or None} for c in m.caveats]
    return {"macaroon": {"version": m.version, "location": m.location, "identifier_hex": m.identifier_bytes.hex(),
                         "caveats": caveats, "signature_hex": m.signature_bytes.decode()}}


def caveat(inp):
    with adapter.refusing():
        return {"kind": satisfier.caveat_kind(inp)}


def verify(inp):
    m = load(inp["token"])
    with adapter.refusing():
        satisfier.add_stored_caveats(m.add_first_party_caveat, m.identifier_bytes, inp["row"])
        verifier = pymacaroons.Verifier()
        verifier.satisfy_general(satisfier.Request(inp).satisfies)
        verifier.verify(m, bytes.fromhex(inp["key_hex"]))


def mint(inp):
    m = pymacaroons.Macaroon(location=inp["location"], identifier=inp["identifier"],
                             key=bytes.fromhex(inp["key_hex"]), version=pymacaroons.MACAROON_V2)
    caveats = satisfier.add_restrictions(m.add_first_party_caveat, inp["restrictions"], False)
    return {"caveats": caveats, "token": "pypi-" + m.serialize()}


def restrict(inp):
    m = load(inp["token"], "macaroon.malformed")
    caveats = satisfier.add_restrictions(m.add_first_party_caveat, inp["restrictions"], True)
    return {"caveats": caveats, "token": "pypi-" + m.serialize()}


HANDLERS = {"decode": decode, "caveat": caveat, "verify": verify, "mint": mint, "restrict": restrict}

if __name__ == "__main__":
    adapter.serve({"name": "pymacaroons", "version": pymacaroons.__version__, "language": "Python",
                   "profile": "warehouse", "kinds": list(HANDLERS)}, HANDLERS)
