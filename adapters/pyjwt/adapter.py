"""caveatspec adapter for PyJWT 2.15.1 (on cryptography 50.0.2): atr_jwt and dpop_proof.

atr_jwt is Apache Trusted Releases' check as ATR writes it (`caveatspec_vectors.atr`): the
`Authorization` rule, then `jwt.decode(token, key, algorithms=["HS256"], audience=X, issuer=X,
leeway=120, options={"require": [sub, iss, aud, iat, nbf, exp, jti]})`, then `sub` and `jti`
as strings.

dpop_proof is `caveatspec_vectors.dpop` over PyJWT: the header as `jwt.get_unverified_header`
parses it; the key `jwt.PyJWK(header["jwk"], algorithm=alg)` (PyJWT decides what key it takes;
a refused key gets no code, as PyJWT's errors do not say which of `dpop.jwk*` applies); then
`jwt.decode(proof, key, algorithms=[alg], leeway=60, options={"require": ..., verify_iat})`
checks the signature, `crit`, the claims' presence (PyJWT counts `null` as missing) and `iat`:
PyJWT's `int()` of it and its future bound `now + 60`. PyJWT has no `Ed25519` algorithm name
(those vectors are unsupported) and no RFC 7638 thumbprint (the answer carries no `jkt`, and
the adapter does not claim jwk_thumbprint vectors).

PyJWT reads the clock through `jwt.api_jwt.datetime`: each decode runs under
`adapter.frozen_clock(now, jwt.api_jwt)`. Each PyJWT exception class gives one code (below); an
exception that does not say which check failed gives none (decision D5).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "python" / "src"))
import jwt  # noqa: E402
import jwt.api_jwt  # noqa: E402
from caveatspec_vectors import adapter, atr, dpop  # noqa: E402
from jwt import exceptions as E  # noqa: E402

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
# Checks `jwt.decode` skips for a DPoP proof: they are not RFC 9449's.
NOT_DPOP = {"verify_exp": False, "verify_nbf": False, "verify_aud": False, "verify_iss": False,
            "verify_sub": False, "verify_jti": False}


def code(e, family):
    """The code (`atr.*` or `dpop.*`) a PyJWT exception names, or None."""
    for cls, atr_code, dpop_code in ERRORS:
        if isinstance(e, cls):
            return atr_code if family == "atr" else dpop_code
    text = str(e)
    if isinstance(e, E.DecodeError):
        if "must be an integer" in text:  # exp or nbf that int() refuses
            return "atr.claim_type" if family == "atr" else None
        return f"{family}.malformed"
    if type(e) is E.InvalidTokenError:
        if "Key ID" in text:
            return "atr.header" if family == "atr" else None
        if "crit" in text.lower() or "b64" in text:
            return f"{family}.crit"
    return None


def atr_jwt(inp):
    token, x = atr.bearer_token(inp["authorization"]), inp["iss_aud"]
    with adapter.refusing(lambda e: code(e, "atr")), adapter.frozen_clock(inp["now"], jwt.api_jwt):
        claims = jwt.decode(token, inp["key"], algorithms=["HS256"], audience=x, issuer=x,
                            leeway=atr.LEEWAY, options={"require": atr.REQUIRED_CLAIMS})
    return atr.value(claims)


def verify(proof, header, now, access_token):
    with adapter.refusing():
        key = jwt.PyJWK(header["jwk"], algorithm=header["alg"])
    options = dict(NOT_DPOP, require=dpop.required_claims(access_token), verify_iat=True)
    with adapter.frozen_clock(now, jwt.api_jwt):
        claims = jwt.decode(proof, key=key, algorithms=[header["alg"]], leeway=dpop.SKEW, options=options)
    return claims, int(claims["iat"])


if __name__ == "__main__":
    adapter.serve({"name": "PyJWT", "version": jwt.__version__, "language": "Python",
                   "profile": "strict", "kinds": ["atr_jwt", "dpop_proof"]},
                  {"atr_jwt": atr_jwt,
                   "dpop_proof": dpop.proof_handler(jwt.get_unverified_header, verify, algorithms=["ES256", "EdDSA"],
                                                    codes=lambda e: code(e, "dpop"))})
