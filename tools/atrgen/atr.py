"""Writes vectors/atr-jwt.json: what Apache Trusted Releases' verifier accepts for its HS256
API JWTs, with expectations from real PyJWT.

    tools/atrgen/setup --generate

Each vector is an Authorization header value, ATR's key (a 64-character hex string whose text is
the HMAC key), the value ATR uses as both issuer and audience, and a clock. The oracle is
`atr_verify` below: the header split on its first space, the scheme `bearer` in any case, then
`jwt.decode` with exactly the arguments ATR passes, at a frozen clock. The class of the exception
PyJWT raises gives the code. HS256 is deterministic, so every run writes the same bytes.
"""

import base64
import datetime as _dt
import hashlib
import hmac
import json
import os
import re
import unicodedata

import jwt
import jwt.api_jwt

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

KEY = hashlib.sha256(b"caveatspec atr-jwt key").hexdigest()
OTHER_KEY = hashlib.sha256(b"caveatspec atr-jwt other key").hexdigest()
ISS = "https://atr.example.org/"
NOW = 1767225600  # 2026-01-01T00:00:00Z
LEEWAY = 120
REQUIRE = ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]
JTI = hashlib.sha256(b"caveatspec atr-jwt jti").hexdigest()[:32]

FLAGS = {
    "baseline": "A token as ATR issues it, or one claim changed within what ATR accepts.",
    "bearer": "The Authorization header: split on the first space, scheme bearer in any case, nothing trimmed.",
    "required": "A claim ATR requires is missing or null.",
    "leeway": "exp, nbf and iat against the clock with ATR's 120 s leeway.",
    "iss": "The iss claim against ATR's issuer (exact string).",
    "aud": "The aud claim: a string, or a list of strings containing ATR's audience.",
    "alg": "The alg header parameter: only HS256.",
    "signature": "The HMAC-SHA256 signature and the key.",
    "pyjwt-quirk": "PyJWT behaviour a reader might not expect (numeric strings, floats, booleans, last duplicate member wins, any typ).",
    "crit": "The crit and b64 header parameters (PyJWT understands only b64).",
    "header": "Other header parameters (kid, typ).",
    "claim-type": "A claim of a JSON type PyJWT refuses.",
    "base64url": "Padding and non-canonical base64url in a segment, as PyJWT 2.15.1 decodes it.",
    "malformed": "Not a compact JWS, or a segment that is not a JSON object.",
    "python-int": "exp, nbf and iat through Python's int(): strings with Unicode whitespace, signs, underscores and digits of any script; booleans; floats; integers beyond 64 bits.",
    "python-json": "What Python's JSON reader accepts beyond RFC 8259: NaN and Infinity, integers of any size, UTF-16 and UTF-32 text, lone surrogates, deep nesting, duplicate members.",
    "peer-divergence": "The profile refuses what PyJWT itself accepts (SPEC §10.6, the JSON bounds); peers.pyjwt has PyJWT's answer.",
}

CODES = [
    # Most specific first: InvalidSignatureError is a DecodeError.
    (jwt.exceptions.InvalidSignatureError, "atr.signature"),
    (jwt.exceptions.InvalidAlgorithmError, "atr.alg"),
    (jwt.exceptions.MissingRequiredClaimError, "atr.missing_claim"),
    (jwt.exceptions.ExpiredSignatureError, "atr.expired"),
    (jwt.exceptions.ImmatureSignatureError, "atr.immature"),
    (jwt.exceptions.InvalidIssuedAtError, "atr.iat"),
    (jwt.exceptions.InvalidIssuerError, "atr.issuer"),
    (jwt.exceptions.InvalidAudienceError, "atr.audience"),
    (jwt.exceptions.InvalidSubjectError, "atr.claim_type"),
    (jwt.exceptions.InvalidJTIError, "atr.claim_type"),
]


class _Frozen(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _dt.datetime.fromtimestamp(FROZEN[0], tz=tz)


FROZEN = [NOW]
jwt.api_jwt.datetime = _Frozen  # PyJWT reads its clock through this name.

# The atr-jwt profile's two bounds on what Python's JSON reader accepts (SPEC §10.6): a string
# (member name or value) holding a lone surrogate, and arrays and objects nested deeper than
# PROFILE_MAX_DEPTH (the segment's own object counts as one), are refused as PyJWT refuses a
# segment json.loads raises ValueError for, with a DecodeError.
PROFILE_MAX_DEPTH = 512
_SURROGATE = re.compile("[\ud800-\udfff]")
PROFILE = [True]


def profile_bounds(obj) -> None:
    """Raises ValueError where the decoded segment is beyond the profile's bounds."""
    todo = [(obj, 1)]
    while todo:
        v, depth = todo.pop()
        if isinstance(v, str):
            if _SURROGATE.search(v):
                raise ValueError("a lone surrogate")
        elif isinstance(v, (list, dict)):
            if depth > PROFILE_MAX_DEPTH:
                raise ValueError(f"nested deeper than {PROFILE_MAX_DEPTH}")
            if isinstance(v, dict):
                todo.extend((k, depth) for k in v)
                v = v.values()
            todo.extend((x, depth + 1) for x in v)


class _ProfileJson:
    """The json module as PyJWT's decoders see it: loads, then the profile's bounds."""

    def __getattr__(self, name):
        return getattr(json, name)

    @staticmethod
    def loads(s, *args, **kwargs):
        obj = json.loads(s, *args, **kwargs)
        if PROFILE[0]:
            profile_bounds(obj)
        return obj


jwt.api_jws.json = jwt.api_jwt.json = _ProfileJson()


class Refused(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def code_of(e: Exception) -> str:
    for cls, code in CODES:
        if isinstance(e, cls):
            return code
    if isinstance(e, jwt.exceptions.DecodeError):
        # exp and nbf that int() refuses are DecodeErrors in PyJWT; iat is InvalidIssuedAtError.
        return "atr.claim_type" if "must be an integer" in str(e) else "atr.malformed"
    if isinstance(e, jwt.exceptions.InvalidTokenError):
        # Raised as the base class: crit (and b64) checks, and a kid that is not a string.
        return "atr.header" if "Key ID" in str(e) else "atr.crit"
    raise e


def atr_verify(authorization: str, key: str, iss_aud: str, now: int, profile: bool = True) -> dict:
    """ATR's API-JWT check, up to the claims (no LDAP or PAT lookups); with `profile`, within the
    profile's JSON bounds, else PyJWT alone."""
    PROFILE[0] = profile
    scheme, sep, token = authorization.partition(" ")
    if not sep or scheme.lower() != "bearer":
        return {"valid": False, "codes": ["atr.bearer"]}
    try:
        claims = decoded_claims(token, key, iss_aud, now)
    except jwt.exceptions.PyJWTError as e:
        return {"valid": False, "codes": [code_of(e)]}
    # ATR's own isinstance check; PyJWT's verify_sub and verify_jti already hold it.
    if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
        return {"valid": False, "codes": ["atr.claim_type"]}
    return {"valid": True, "sub": claims["sub"], "jti": claims["jti"]}


def decoded_claims(token: str, key: str, iss_aud: str, now: int) -> dict:
    """`jwt.decode` with ATR's arguments at the clock `now`: the claims, or PyJWT's exception."""
    FROZEN[0] = now
    return jwt.decode(token, key, algorithms=["HS256"], audience=iss_aud, issuer=iss_aud,
                      leeway=LEEWAY, options={"require": REQUIRE})


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def text(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sign(header_text: str, payload_text: str, key: str = KEY, digest=hashlib.sha256) -> str:
    si = f"{b64u(header_text.encode())}.{b64u(payload_text.encode())}"
    return f"{si}.{b64u(hmac.new(key.encode(), si.encode(), digest).digest())}"


DROP = object()


def claims(**changes) -> dict:
    base = {"sub": "alice", "iss": ISS, "aud": ISS, "iat": NOW - 60, "nbf": NOW - 60,
            "exp": NOW - 60 + 1800, "jti": JTI}
    for k, v in changes.items():
        if v is DROP:
            base.pop(k, None)
        else:
            base[k] = v
    return base


HEADER = {"alg": "HS256", "typ": "JWT"}


class Gen:
    def __init__(self):
        self.vectors = []

    def add(self, area, slug, description, flags, authorization, key=KEY, iss_aud=ISS, now=NOW):
        vid = f"atr-jwt/{area}/{slug}"
        assert vid not in {v["id"] for v in self.vectors}, vid
        inp = {"authorization": authorization, "key": key, "iss_aud": iss_aud, "now": now}
        expected = atr_verify(authorization, key, iss_aud, now)
        pyjwt = atr_verify(authorization, key, iss_aud, now, profile=False)
        vector = {"id": vid, "kind": "atr_jwt", "description": description, "flags": list(flags),
                  "input": inp, "expected": expected}
        if pyjwt != expected:
            vector["flags"].append("peer-divergence")
            vector["peers"] = {"pyjwt": {"accepts": True} if pyjwt["valid"]
                               else {"accepts": False, "code": pyjwt["codes"][0]},
                               "note": "The profile's JSON bounds (SPEC §10.6) refuse what PyJWT reads."}
        self.vectors.append(vector)

    def token(self, area, slug, description, flags, header=None, payload=None, header_text=None,
              payload_text=None, key=KEY, **kw):
        tok = sign(header_text or text(header or HEADER), payload_text or text(payload or claims()), key)
        self.add(area, slug, description, flags, "Bearer " + tok, **kw)
        return tok


def source_digest(directory: str = HERE) -> str:
    """sha256 over a directory's source files, in name order: the staleness stamp."""
    h = hashlib.sha256()
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if os.path.isfile(path) and (name.endswith((".py", ".js")) or name == "setup"):
            h.update(name.encode() + b"\0")
            with open(path, "rb") as f:
                h.update(f.read().replace(b"\r\n", b"\n"))
            h.update(b"\0")
    return h.hexdigest()


def write_unicode_table(path=os.path.join(ROOT, "crates", "caveatspec", "src", "atr", "python_unicode.rs")):
    """Writes the two character classes Python's int() reads in a string, as Rust data: the
    code points whose decimal value is 0 (each starts a run of ten, 0 to 9), and the
    characters above U+007F that are whitespace (int() reads them as spaces)."""
    chars = [chr(c) for c in range(0x80, 0x110000)]
    zeros = [0x30] + [ord(c) for c in chars if unicodedata.decimal(c, None) == 0]
    for z in zeros:
        assert all(unicodedata.decimal(chr(z + i), None) == i for i in range(10)), hex(z)
    assert sum(1 for c in chars if unicodedata.decimal(c, None) is not None) == 10 * (len(zeros) - 1)
    spaces = [ord(c) for c in chars if c.isspace()]
    rows = lambda xs: "".join(f"    0x{x:04X},\n" for x in xs)
    with open(path, "w") as f:
        f.write(f"""// Written by tools/atrgen/atr.py from Python's unicodedata {unicodedata.unidata_version}.

/// The Unicode version of these tables (Python's `unicodedata.unidata_version`).
pub const UNICODE_VERSION: &str = "{unicodedata.unidata_version}";

/// The characters whose decimal value is 0, ascending; each starts ten consecutive digits.
pub(super) const DIGIT_ZEROS: [u32; {len(zeros)}] = [
{rows(zeros)}];

/// The characters above U+007F that `str.isspace()` holds for, ascending.
pub(super) const SPACES: [u32; {len(spaces)}] = [
{rows(spaces)}];
""")


def main():
    import sys
    # cases.py imports this module as atr: one module, one clock and one JSON switch.
    sys.modules.setdefault("atr", sys.modules[__name__])
    import cases
    write_unicode_table()
    g = Gen()
    cases.build(g)
    write_file("atr-jwt", g.vectors, FLAGS,
               "Apache Trusted Releases' HS256 API JWTs: the Authorization header and jwt.decode(token, key, algorithms=[\"HS256\"], audience=iss, issuer=iss, leeway=120, options={\"require\": [sub, iss, aud, iat, nbf, exp, jti]}), expectations from PyJWT itself.",
               {"path": "tools/atrgen", "source_sha256": source_digest()},
               {"rfcs": ["RFC 7519", "RFC 7515", "RFC 7518"], "pyjwt": jwt.__version__})


def write_file(category, vectors, flags, description, generator, sources):
    """Writes vectors/<category>.json in the shared format, listing the flags it uses."""
    doc = {
        "$schema": "schema/vectors.schema.json",
        "format_version": 1,
        "category": category,
        "description": description,
        "generator": generator,
        "sources": sources,
        "flags": {f: flags[f] for f in sorted({f for v in vectors for f in v["flags"]})},
        "number_of_vectors": len(vectors),
        "vectors": vectors,
    }
    with open(os.path.join(ROOT, "vectors", f"{category}.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    valid = sum(1 for v in vectors if v["expected"]["valid"])
    print(f"wrote {len(vectors)} vectors ({valid} valid)")
    divergent = [v["id"] for v in vectors if "peer-divergence" in v["flags"]]
    if divergent:
        print("peer divergences: " + ", ".join(divergent))

if __name__ == "__main__":
    main()
