"""caveatspec adapter for pypitoken 7.1.1, the client library for PyPI tokens.

Maps a vector onto pypitoken's public API the way a server using pypitoken would: `Token.load`,
then find the key by the token's identifier, then `Token.check(key, project_name=<normalized
name>, project_id=..., user_id=..., now=...)`; `Token.create` and `Token.restrict` for minting
and attenuation. pypitoken has no notion of caveats stored at issue time or of Trusted
Publishers, so vectors that need the former are answered `unsupported` and a publisher-owned
token is checked with no user.
"""

import sys
import uuid
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "python" / "src"))
import pypitoken  # noqa: E402
from caveatspec_vectors import adapter, satisfier  # noqa: E402
from pypitoken import restrictions as R  # noqa: E402

# pypitoken's restriction classes, by the caveat kind each reads.
KINDS = {
    "DateRestriction": "expiration", "LegacyDateRestriction": "expiration",
    "ProjectNamesRestriction": "project_name", "LegacyProjectNamesRestriction": "project_name",
    "ProjectIDsRestriction": "project_id", "UserIDRestriction": "request_user",
    "LegacyNoopRestriction": "request_user",
}
RESTRICTIONS = ("not_before", "not_after", "project_names", "project_ids", "user_id")


def decode(inp):
    with adapter.refusing():
        pypitoken.Token.load(inp["token"])


def caveat(inp):
    if "caveat" not in inp:
        raise adapter.Unsupported("pypitoken reads caveats as text only")
    with adapter.refusing():
        r = R.Restriction.load_json(inp["caveat"])
    kind = KINDS.get(type(r).__name__)
    return {"kind": kind} if kind else {}


def same_uuid(a, b):
    try:
        return uuid.UUID(a) == uuid.UUID(b)
    except (ValueError, TypeError, AttributeError):
        return False


def verify(inp):
    row, project = inp["row"], inp.get("project")
    if row["stored_caveats"]:
        raise adapter.Unsupported("pypitoken knows no caveats stored at issue time")
    with adapter.refusing():
        token = pypitoken.Token.load(inp["token"])
        if not same_uuid(token.identifier, row["identifier"]):
            raise adapter.Invalid(message="no key for this identifier")
        token.check(key=bytes.fromhex(inp["key_hex"]),
                    project_name=satisfier.normalize(project["name"]) if project else None,
                    project_id=project["id"] if project else None,
                    user_id=row["owner"].get("user_id"), now=inp["now"])


def restricted(token, restrictions):
    """`token.restrict` with the vector's restrictions (names normalized, as PyPI writes them);
    the caveats it added, and the token."""
    kwargs = {k: restrictions[k] for k in RESTRICTIONS if k in restrictions}
    if "project_names" in kwargs:
        kwargs["project_names"] = [satisfier.normalize(n) for n in kwargs["project_names"]]
    before = len(token._macaroon.caveats)
    token.restrict(**kwargs)
    caveats = [c.caveat_id_bytes.decode("utf-8", "replace") for c in token._macaroon.caveats[before:]]
    return {"caveats": caveats, "token": token.dump()}


def mint(inp):
    satisfier.no_key_binding(inp["restrictions"])
    with adapter.refusing():
        token = pypitoken.Token.create(domain=inp["location"], identifier=inp["identifier"],
                                       key=bytes.fromhex(inp["key_hex"]))
        if not inp["restrictions"]:
            return {"caveats": [], "token": token.dump()}
        return restricted(token, inp["restrictions"])


def restrict(inp):
    satisfier.no_key_binding(inp["restrictions"])
    with adapter.refusing():
        return restricted(pypitoken.Token.load(inp["token"]), inp["restrictions"])


HANDLERS = {"decode": decode, "caveat": caveat, "verify": verify, "mint": mint, "restrict": restrict}

if __name__ == "__main__":
    adapter.serve({"name": "pypitoken", "version": version("pypitoken"), "language": "Python",
                   "profile": "warehouse", "kinds": list(HANDLERS)}, HANDLERS)
