"""caveatspec adapter for joserfc 1.8.0 (on cryptography 50.0.2): dpop_proof and jwk_thumbprint.

jwk_thumbprint: `joserfc.jwk.import_key(jwk).thumbprint()`, joserfc's RFC 7638 function, on
the key as joserfc imports it (private keys included).

dpop_proof is thin glue (adapters/python/dpop_glue.py) over joserfc:
- the header as `joserfc.jws.extract_compact` parses it; `typ` exactly `dpop+jwt` (`dpop.typ`),
  `alg` in the allow-list ES256, EdDSA, Ed25519 (`dpop.alg`) and `jwk` present
  (`dpop.jwk_missing`) are the glue's, read from that header;
- the key is `joserfc.jwk.import_key(header["jwk"])`: joserfc decides what key it takes. A
  refused key gets no code, as joserfc's key errors do not say which of `dpop.jwk*` applies;
- `joserfc.jwt.decode(proof, key, algorithms=[alg])` checks `crit`, the algorithm against the
  key and the signature, and reads the payload;
- `JWTClaimsRegistry(now=now, leeway=60)` with `jti`, `htm`, `htu`, `iat` (and `ath` with an
  access token) essential checks their presence (joserfc counts `null` as missing), `jti` as a
  string and `iat` as a NumericDate no later than `now + 60`;
- the glue checks the rest of SPEC §10.3, with `iat` as joserfc reads it, and replay. The
  accepted proof's `jkt` is joserfc's thumbprint of the key.

Codes: joserfc's error classes that name one check give its code; others give none, and the
vector is judged on validity alone.
"""

import os
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import dpop_glue  # noqa: E402
import protocol  # noqa: E402

import joserfc  # noqa: E402
from joserfc import errors as E  # noqa: E402
from joserfc import jwk, jws, jwt  # noqa: E402

# joserfc warns (on stderr) about EdDSA and implicit key types; the answers are unchanged.
warnings.simplefilter("ignore")

# joserfc error class → dpop code, most specific first.
DPOP_ERRORS = [
    (E.BadSignatureError, "dpop.signature"),
    (E.MissingCritHeaderError, "dpop.crit"),
    (E.UnsupportedAlgorithmError, "dpop.alg"),
    (E.MissingAlgorithmError, "dpop.alg"),
    (E.MissingClaimError, "dpop.missing_claim"),
    (E.DecodeError, "dpop.malformed"),
    (E.InvalidPayloadError, "dpop.malformed"),
]

# Key errors that name one jose code (SPEC §10.2). InvalidKeyTypeError does not: joserfc raises
# it for an unknown `kty` and for one that is not a string alike.
KEY_ERRORS = [
    (E.InvalidKeyCurveError, "jose.jwk_curve"),
    (E.InvalidKeyLengthError, "jose.jwk_length"),
]


def dpop_code(e):
    for cls, c in DPOP_ERRORS:
        if isinstance(e, cls):
            return c
    text = str(e)
    if isinstance(e, (E.UnsupportedHeaderError, E.InvalidHeaderValueError)) and "crit" in text:
        return "dpop.crit"
    if isinstance(e, E.UnsupportedHeaderError) and "Unsupported [" in text:
        return "dpop.crit"
    if isinstance(e, E.InvalidClaimError):
        if "in the future" in text:
            return "dpop.iat_in_future"
        if "must be" in text:
            return "dpop.claim_type"
    return None


def refused(e):
    return dpop_glue.Refused(dpop_code(e), f"{type(e).__name__}: {e}")


def verify(proof, now, access_token):
    try:
        header = jws.extract_compact(proof.encode()).headers()
    except Exception as e:  # noqa: BLE001 - every refusal is an answer
        raise refused(e) from None
    alg = dpop_glue.header_checks(header)
    try:
        key = jwk.import_key(header["jwk"])
    except Exception as e:  # noqa: BLE001
        raise dpop_glue.Refused(None, f"{type(e).__name__}: {e}") from None
    essential = {"essential": True}
    claims = {name: essential for name in ("jti", "htm", "htu", "iat")}
    if access_token is not None:
        claims["ath"] = essential
    try:
        token = jwt.decode(proof, key, algorithms=[alg])
        jwt.JWTClaimsRegistry(now=now, leeway=dpop_glue.SKEW, **claims).validate(token.claims)
    except Exception as e:  # noqa: BLE001
        raise refused(e) from None
    return header, token.claims, token.claims["iat"]


def thumbprint_of(key_dict):
    return jwk.import_key(key_dict).thumbprint()


def dpop_proof(inp):
    return dpop_glue.dpop_proof(inp, verify, thumbprint_of)


def jwk_thumbprint(inp):
    try:
        value = thumbprint_of(inp["jwk"])
    except Exception as e:  # noqa: BLE001
        out = {"outcome": "invalid", "message": f"{type(e).__name__}: {e}"}
        for cls, c in KEY_ERRORS:
            if isinstance(e, cls):
                out["codes"] = [c]
                break
        return out
    return {"outcome": "valid", "value": {"thumbprint": value}}


if __name__ == "__main__":
    protocol.serve({"name": "joserfc", "version": joserfc.__version__, "language": "Python",
                    "profile": "strict", "kinds": ["dpop_proof", "jwk_thumbprint"]},
                   {"dpop_proof": dpop_proof, "jwk_thumbprint": jwk_thumbprint})
