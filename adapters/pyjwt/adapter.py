"""caveatspec adapter for PyJWT 2.15.1 (on cryptography 50.0.2): atr_jwt and dpop_proof.

atr_jwt is Apache Trusted Releases' check as ATR writes it: the Authorization value split on the
first space, the scheme lower-cased must be `bearer`, then
`jwt.decode(token, key, algorithms=["HS256"], audience=X, issuer=X, leeway=120,
options={"require": [sub, iss, aud, iat, nbf, exp, jti]})` and ATR's own check that `sub` and
`jti` are strings. PyJWT reads its clock through `jwt.api_jwt.datetime`; the adapter replaces
that name with a clock frozen at the vector's `now`, and changes nothing else.

dpop_proof is thin glue (adapters/python/dpop_glue.py) over PyJWT's verification:
- the header as `jwt.get_unverified_header` parses it (its failure: `dpop.malformed`); `typ`
  exactly `dpop+jwt` (`dpop.typ`), `alg` in the allow-list ES256, EdDSA, Ed25519 (`dpop.alg`)
  and `jwk` present (`dpop.jwk_missing`) are the glue's, read from that header;
- the key is `jwt.PyJWK(header["jwk"], algorithm=alg)`; PyJWT decides what key it takes
  (private members, `kty`, curve, point). A refused key gets no code: PyJWT's errors do not say
  which of `dpop.jwk*` applies;
- `jwt.decode(proof, key, algorithms=[alg], leeway=60, options={"require": [jti, htm, htu, iat]
  (+ ath), verify_iat})` verifies the signature, `crit`, the claims' presence (PyJWT counts
  `null` as missing) and `iat`: PyJWT's `int()` of it and its future bound `now + 60`;
- the glue then checks the rest of SPEC §10.3 with `iat` as PyJWT reads it, and replay.
PyJWT has no RFC 7638 thumbprint: the glue computes one only to compare with `expected_jkt`,
the response carries no `jkt`, and the adapter does not claim jwk_thumbprint vectors.

Codes: each PyJWT exception class gives one code (below); an exception that does not say which
check failed gives none, and the vector is judged on validity alone.
"""

import datetime as _dt
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import dpop_glue  # noqa: E402
import protocol  # noqa: E402

import jwt  # noqa: E402
import jwt.api_jwt  # noqa: E402
from jwt import exceptions as E  # noqa: E402

CLOCK = [0]


class _Clock(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _dt.datetime.fromtimestamp(CLOCK[0], tz=tz)


jwt.api_jwt.datetime = _Clock

ATR_REQUIRE = ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]

# (exception class, atr code, dpop code), most specific first.
ERRORS = [
    (E.InvalidSignatureError, "atr.signature", "dpop.signature"),
    (E.InvalidAlgorithmError, "atr.alg", "dpop.alg"),
    (E.MissingRequiredClaimError, "atr.missing_claim", "dpop.missing_claim"),
    (E.ExpiredSignatureError, "atr.expired", None),
    (E.ImmatureSignatureError, "atr.immature", "dpop.iat_in_future"),
    (E.InvalidIssuedAtError, "atr.iat", "dpop.claim_type"),
    (E.InvalidIssuerError, "atr.issuer", None),
    (E.InvalidAudienceError, "atr.audience", None),
    (E.InvalidSubjectError, "atr.claim_type", None),
    (E.InvalidJTIError, "atr.claim_type", "dpop.claim_type"),
]


def code(e, profile):
    """The vector code for a PyJWT exception, or None when it cannot be told."""
    col = 1 if profile == "atr" else 2
    for row in ERRORS:
        if isinstance(e, row[0]):
            return row[col]
    text = str(e)
    if isinstance(e, E.DecodeError):
        if "must be an integer" in text:  # exp or nbf that int() refuses
            return "atr.claim_type" if profile == "atr" else None
        return f"{profile}.malformed"
    if type(e) is E.InvalidTokenError:
        if "Key ID" in text:
            return "atr.header" if profile == "atr" else None
        if "crit" in text.lower() or "b64" in text:
            return f"{profile}.crit"
    return None


def refusal(e, profile):
    out = {"outcome": "invalid", "message": f"{type(e).__name__}: {e}"}
    c = code(e, profile)
    if c is not None:
        out["codes"] = [c]
    return out


def library_refusal(e):
    r = refusal(e, "dpop")
    return dpop_glue.Refused(r.get("codes", [None])[0], r["message"])


def atr_jwt(inp):
    scheme, sep, token = inp["authorization"].partition(" ")
    if not sep or scheme.lower() != "bearer":
        return {"outcome": "invalid", "codes": ["atr.bearer"]}
    CLOCK[0] = inp["now"]
    x = inp["iss_aud"]
    try:
        claims = jwt.decode(token, inp["key"], algorithms=["HS256"], audience=x, issuer=x,
                            leeway=120, options={"require": ATR_REQUIRE})
    except Exception as e:  # noqa: BLE001 - every refusal is an answer
        return refusal(e, "atr")
    if not isinstance(claims["sub"], str) or not isinstance(claims["jti"], str):
        return {"outcome": "invalid", "codes": ["atr.claim_type"]}
    return {"outcome": "valid", "value": {"sub": claims["sub"], "jti": claims["jti"]}}


def verify(proof, now, access_token):
    try:
        header = jwt.get_unverified_header(proof)  # parses, and checks kid and crit
    except Exception as e:  # noqa: BLE001
        raise library_refusal(e) from None
    alg = dpop_glue.header_checks(header)
    require = ["jti", "htm", "htu", "iat"] + (["ath"] if access_token is not None else [])
    CLOCK[0] = now
    try:
        key = jwt.PyJWK(header["jwk"], algorithm=alg)
    except E.PyJWKError as e:  # no algorithm of that name: Ed25519
        raise dpop_glue.Refused("dpop.alg", f"{type(e).__name__}: {e}") from None
    except Exception as e:  # noqa: BLE001 - InvalidKeyError and what the key import raises
        raise dpop_glue.Refused(None, f"{type(e).__name__}: {e}") from None
    try:
        claims = jwt.decode(proof, key=key, algorithms=[alg], leeway=dpop_glue.SKEW,
                            options={"require": require, "verify_iat": True, "verify_exp": False,
                                     "verify_nbf": False, "verify_aud": False, "verify_iss": False,
                                     "verify_sub": False, "verify_jti": False})
    except Exception as e:  # noqa: BLE001
        raise library_refusal(e) from None
    return header, claims, int(claims["iat"])


def dpop_proof(inp):
    return dpop_glue.dpop_proof(inp, verify)


if __name__ == "__main__":
    protocol.serve({"name": "PyJWT", "version": jwt.__version__, "language": "Python",
                    "profile": "strict", "kinds": ["atr_jwt", "dpop_proof"]},
                   {"atr_jwt": atr_jwt, "dpop_proof": dpop_proof})
