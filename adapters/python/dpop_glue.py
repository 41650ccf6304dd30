"""The DPoP glue the Python JOSE adapters (PyJWT, joserfc) share: everything of SPEC §10.3 and
§10.4 that a JOSE library has no notion of, written once so that where the two adapters differ
the difference is their library's.

The adapter passes `verify(proof, now, access_token)`, a thin call into its library that checks
the JWS (parsing, `typ`, `alg`, `crit`, `jwk`, signature, and whatever claim checks the library
offers) and returns `(header, claims, iat)`, `iat` as the library reads it; or raises `Refused`.
This module then checks, in SPEC order, what is left:

- claims `jti`, `htm`, `htu` (and `ath` with an access token) present and strings
  (`dpop.missing_claim`, `dpop.claim_type`), `jti` of 1 to 256 bytes (`dpop.jti_length`);
- `ath` = base64url(SHA-256(access token)) (`dpop.ath`), `htm` exact (`dpop.htm`);
- `htu` against the request URL after SPEC §10.3 step 10's normalization, which no library has:
  it is the one of `tools/dpopgen/check.py` (`dpop.htu_invalid`, `dpop.request_url`, `dpop.htu`);
- `iat` no older than `now - 300` (`dpop.iat_too_old`); the future bound, `now + 60`, is the
  library's own leeway check where it has one, else checked here (`dpop.iat_in_future`);
- `nonce` exact when the server set one (`dpop.nonce`), the key's thumbprint when one is expected
  (`dpop.jkt`);
- replay: a dict keyed by the key's thumbprint and the `jti`, each entry kept until its proof's
  `iat + 300` inclusive; the earlier proofs of `input.replay` go through the same checks first
  (`dpop.replay`).
"""

import base64
import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "dpopgen"))
from check import normalize_url  # noqa: E402

MAX_PROOF = 8192
MAX_AGE = 300
SKEW = 60
JTI_MAX = 256
TYP = "dpop+jwt"
ALGS = ["ES256", "EdDSA", "Ed25519"]


class Refused(Exception):
    """A refusal; `code` is None when the library's error does not say which check failed."""

    def __init__(self, code, message=None):
        super().__init__(message or code)
        self.code = code
        self.message = message


def sha256_b64u(text):
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=")


def _string(claims, name):
    if name not in claims:
        raise Refused("dpop.missing_claim", f"no {name}")
    if not isinstance(claims[name], str):
        raise Refused("dpop.claim_type", f"{name} is not a string")
    return claims[name]


def _normalized(url, code):
    try:
        return normalize_url(url)
    except ValueError:
        raise Refused(code) from None


def header_checks(header):
    """The glue's checks on the header the library parsed, before it verifies anything:
    `typ` exact, `alg` in the allow-list, `jwk` present. Returns `alg`."""
    if header.get("typ") != TYP:
        raise Refused("dpop.typ")
    if header.get("alg") not in ALGS:
        raise Refused("dpop.alg")
    if "jwk" not in header:
        raise Refused("dpop.jwk_missing")
    return header["alg"]


def _one(inp, proof, now, verify, thumbprint):
    """(jkt or None, jti, iat, the key's thumbprint for the replay cache) of an accepted proof."""
    if len(proof.encode()) > MAX_PROOF:
        raise Refused("dpop.malformed", "proof over 8192 bytes")
    token = inp.get("access_token")
    header, claims, iat = verify(proof, now, token)
    jti, htm, htu = _string(claims, "jti"), _string(claims, "htm"), _string(claims, "htu")
    if not 1 <= len(jti.encode()) <= JTI_MAX:
        raise Refused("dpop.jti_length")
    if token is not None and _string(claims, "ath") != sha256_b64u(token):
        raise Refused("dpop.ath")
    if htm != inp["method"]:
        raise Refused("dpop.htm")
    want, got = _normalized(inp["url"], "dpop.request_url"), _normalized(htu, "dpop.htu_invalid")
    nonce = inp.get("nonce")
    for failed, code in ((got != want, "dpop.htu"),
                         (iat < now - MAX_AGE, "dpop.iat_too_old"),
                         (iat > now + SKEW, "dpop.iat_in_future"),
                         (nonce is not None and claims.get("nonce") != nonce, "dpop.nonce")):
        if failed:
            raise Refused(code)
    jkt = (thumbprint or jwk_thumbprint)(header["jwk"])
    if inp.get("expected_jkt") is not None and jkt != inp["expected_jkt"]:
        raise Refused("dpop.jkt")
    return (jkt if thumbprint is not None else None), jti, iat, jkt


def jwk_thumbprint(jwk):
    """RFC 7638 for a library without one (PyJWT), used only to compare with `expected_jkt`:
    the required members of the key's type, sorted, compact JSON, SHA-256."""
    import json
    members = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}
    picked = {m: jwk[m] for m in members[jwk["kty"]]}
    return sha256_b64u(json.dumps(picked, sort_keys=True, separators=(",", ":")))


def dpop_proof(inp, verify, thumbprint=None):
    """A dpop_proof vector's response. `thumbprint(jwk)` is the library's RFC 7638 function, or
    None when it has none (the response then carries no `jkt`)."""
    cache = {}

    def accept(proof, now):
        jkt, jti, iat, key = _one(inp, proof, now, verify, thumbprint)
        if (key, jti) in cache and now <= cache[(key, jti)]:
            raise Refused("dpop.replay")
        cache[(key, jti)] = iat + MAX_AGE
        return jkt, jti

    try:
        for earlier in inp.get("replay", []):
            try:
                accept(earlier["proof"], earlier["now"])
            except Refused as r:
                return {"outcome": "invalid", "message": f"an earlier proof was refused: {r}"}
        jkt, jti = accept(inp["proof"], inp["now"])
    except Refused as r:
        out = {"outcome": "invalid", "message": str(r)}
        if r.code is not None:
            out["codes"] = [r.code]
        return out
    value = {"jti": jti} if jkt is None else {"jkt": jkt, "jti": jti}
    return {"outcome": "valid", "value": value}
