"""The caveatspec test vectors, shipped in this package, and the rules for judging an answer.

The vector files are the repository's `vectors/` directory, copied into the wheel when it is
built; `load()` reads them from the installed package, never from a checkout. The kinds
`decode`, `caveat` and `verify` carry one expectation per profile (`warehouse`, `strict`);
every other kind carries one, and so does each vector's `basis` (what decides the expectation:
`basis_for()`, `basis_class()`). `compare()` holds an answer to an expectation exactly as the
Rust crate's `compare` does.
"""

import json
from importlib import resources

from .failures import ExpectedFailures, ListError, test_name

__all__ = ["PROFILES", "PER_PROFILE_KINDS", "BASIS_CLASSES", "ExpectedFailures", "ListError", "load",
           "vectors", "expected_for", "basis_for", "basis_class", "compare", "test_name", "schema", "ids"]

#: Every profile, in the order reports list them.
PROFILES = ("warehouse", "strict")
#: The kinds whose `expected` holds one expectation per profile.
PER_PROFILE_KINDS = frozenset({"decode", "caveat", "verify"})
#: The classes a basis falls in (SPEC §7.2): an RFC requires the outcome, PyPI's Warehouse code
#: or PyJWT as Apache Trusted Releases calls it decides it, this specification decides it, or it
#: decides where the RFCs leave the outcome open.
BASIS_CLASSES = ("rfc", "pypi", "atr", "policy", "open")
#: The vector files, in the order the Rust crate ships them.
FILES = ("token-encoding.json", "macaroon-format.json", "caveat-parsing.json",
         "verification.json", "server-issued.json", "attenuation.json", "minting.json",
         "dpop.json", "atr-jwt.json", "atr-dpop.json", "macaroon-dpop.json")
#: The format version of the files this package reads.
FORMAT_VERSION = 1

_loaded = None


def _data(name):
    return resources.files(__name__).joinpath("data", name).read_text(encoding="utf-8")


def load():
    """Every vector file (parsed JSON objects, in shipping order); read once, then shared.

    Treat the result as read-only: later calls return the same objects.
    """
    global _loaded
    if _loaded is None:
        files = []
        for name in FILES:
            data = json.loads(_data(name))
            if data.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{name}: format_version {data.get('format_version')!r}, "
                                 f"this package reads {FORMAT_VERSION}")
            files.append(data)
        _loaded = files
    return _loaded


def schema():
    """The JSON Schema of the vector files."""
    return json.loads(_data("schema/vectors.schema.json"))


def ids():
    """Every vector id ever given (`ids.txt`), retired ones included."""
    return [line for line in _data("ids.txt").splitlines() if line]


def vectors(kind=None, category=None, flags=()):
    """The vectors of `kind` (a name or a collection of names) and `category`, carrying every
    flag in `flags`; each is the file's vector object with its `category` added."""
    kinds = {kind} if isinstance(kind, str) else (None if kind is None else set(kind))
    wanted = set(flags)
    out = []
    for f in load():
        if category is not None and f["category"] != category:
            continue
        for v in f["vectors"]:
            if kinds is not None and v["kind"] not in kinds:
                continue
            if not wanted.issubset(v["flags"]):
                continue
            out.append(dict(v, category=f["category"]))
    return out


def expected_for(vector, profile):
    """The expectation `vector` sets for `profile` (`None` if it sets none for it); the
    profile-free kinds have one expectation for every profile."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (expected \"warehouse\" or \"strict\")")
    if vector["kind"] in PER_PROFILE_KINDS:
        return vector["expected"].get(profile)
    return vector["expected"]


def basis_for(vector, profile):
    """The basis of the expectation `vector` sets for `profile`: a dict with `source` (`rfc`,
    `pypi`, `atr` or `policy`) and `ref`, or `reason` and, where the RFCs leave the outcome open,
    `open`. Per profile for decode, caveat and verify, like `expected`."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (expected \"warehouse\" or \"strict\")")
    if vector["kind"] in PER_PROFILE_KINDS:
        return vector["basis"][profile]
    return vector["basis"]


def basis_class(basis):
    """The class a report counts a basis under: its `source`, or `open` for a policy that names
    what the RFCs leave open."""
    if basis["source"] == "policy" and "open" in basis:
        return "open"
    if basis["source"] not in BASIS_CLASSES:
        raise ValueError(f"unknown basis source {basis['source']!r}")
    return basis["source"]


def same(a, b):
    """JSON equality as serde_json's: `true` is not `1`, and `1` is not `1.0`."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def _compact(value):
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"


def compare(expected, got, profile, only_sent=False):
    """How `got` differs from `expected` (both in the vector's shape: `valid`, `codes`,
    `message`, then produced fields), or `None` when it agrees.

    The rules are the Rust crate's: `valid`, then `codes` in order, then (warehouse profile,
    when both have one) `message`, then every other expected field exactly. `only_sent=True`
    holds an answer only to the codes and fields it gives, as the conformance matrix judges an
    adapter that does not claim PyPI's codes.
    """
    def verdict(answer):
        valid = answer.get("valid")
        return valid if isinstance(valid, bool) else None
    if verdict(expected) is not verdict(got):
        return f"expected valid={_compact(verdict(expected))}, got {_compact(got)}"
    if "codes" in got or not only_sent:
        e_codes, g_codes = expected.get("codes", []), got.get("codes", [])
        if not same(e_codes, g_codes):
            return f"expected codes {_compact(e_codes)}, got {_compact(g_codes)}"
    if profile == "warehouse" and "message" in expected and "message" in got:
        if not same(expected["message"], got["message"]):
            return f"expected message {_compact(expected['message'])}, got {_compact(got['message'])}"
    for key, e in expected.items():
        if key in ("valid", "codes", "message"):
            continue
        if key not in got:
            if only_sent:
                continue
            return f"{key}: expected {_compact(e)}, got nothing"
        if not same(e, got[key]):
            return f"{key}: expected {_compact(e)}, got {_compact(got[key])}"
    return None
