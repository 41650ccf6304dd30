"""What Apache Trusted Releases' verifier accepts for its HS256 API JWTs, from real PyJWT: the
oracle of vectors/atr-jwt.json (atr_gen.py) and of the token half of vectors/atr-dpop.json
(atr_dpop.py), and the tokens they sign.

Each vector is an Authorization header value, ATR's key (a 64-character hex string whose text is
the HMAC key), the value ATR uses as both issuer and audience, and a clock. The oracle is
`atr_verify` below: the header split on its first space, the scheme `bearer` in any case, then
`jwt.decode` with exactly the arguments ATR passes, at a frozen clock. The class of the exception
PyJWT raises gives the code. HS256 is deterministic, so every run writes the same bytes.
"""

import datetime as _dt
import hashlib
import hmac
import json
import re

import jwt
import jwt.api_jwt

from caveatgen.encoding import b64u_encode as b64u
from caveatgen.encoding import text as text

KEY = hashlib.sha256(b"caveatspec atr-jwt key").hexdigest()
OTHER_KEY = hashlib.sha256(b"caveatspec atr-jwt other key").hexdigest()
ISS = "https://atr.example.org/"
NOW = 1767225600  # 2026-01-01T00:00:00Z
LEEWAY = 120
REQUIRE = ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]
JTI = hashlib.sha256(b"caveatspec atr-jwt jti").hexdigest()[:32]

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
    return jwt.decode(
        token, key, algorithms=["HS256"], audience=iss_aud, issuer=iss_aud, leeway=LEEWAY, options={"require": REQUIRE}
    )


def sign(header_text: str, payload_text: str, key: str = KEY, digest=hashlib.sha256) -> str:
    si = f"{b64u(header_text.encode())}.{b64u(payload_text.encode())}"
    return f"{si}.{b64u(hmac.new(key.encode(), si.encode(), digest).digest())}"


DROP = object()


def claims(**changes) -> dict:
    base = {
        "sub": "alice",
        "iss": ISS,
        "aud": ISS,
        "iat": NOW - 60,
        "nbf": NOW - 60,
        "exp": NOW - 60 + 1800,
        "jti": JTI,
    }
    for k, v in changes.items():
        if v is DROP:
            base.pop(k, None)
        else:
            base[k] = v
    return base


HEADER = {"alg": "HS256", "typ": "JWT"}
