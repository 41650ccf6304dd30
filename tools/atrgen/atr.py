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
import sys

import jwt
import jwt.api_jwt

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(os.path.dirname(HERE), "caveatgen"))

import basis  # noqa: E402  (tools/caveatgen)
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


def atr_verify(authorization: str, key: str, iss_aud: str, now: int) -> dict:
    """ATR's API-JWT check, up to the claims (no LDAP or PAT lookups)."""
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
        self.vectors.append({"id": vid, "kind": "atr_jwt", "description": description,
                             "flags": list(flags), "input": inp,
                             "expected": atr_verify(authorization, key, iss_aud, now)})

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


def main():
    import cases
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
        "generator": {**generator, "uses": generator.get("uses", []) + [basis.stamp(source_digest)]},
        "sources": sources,
        "flags": {f: flags[f] for f in sorted({f for v in vectors for f in v["flags"]})},
        "number_of_vectors": len(vectors),
        "vectors": [basis.with_basis(v) for v in vectors],
    }
    with open(os.path.join(ROOT, "vectors", f"{category}.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    valid = sum(1 for v in vectors if v["expected"]["valid"])
    print(f"wrote {len(vectors)} vectors ({valid} valid)")

if __name__ == "__main__":
    main()
