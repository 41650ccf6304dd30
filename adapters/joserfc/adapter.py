"""caveatspec adapter for joserfc 1.8.0 (on cryptography 50.0.2): dpop_proof and jwk_thumbprint.

jwk_thumbprint: `joserfc.jwk.import_key(jwk).thumbprint()`, joserfc's RFC 7638 function, on
the key as joserfc imports it (private keys included).

dpop_proof is `caveatspec_vectors.dpop` over joserfc: the header as `jws.extract_compact`
parses it; the key `jwk.import_key(header["jwk"])` (joserfc decides what key it takes; a refused
key gets no code, as joserfc's key errors do not say which of `dpop.jwk*` applies); then
`jwt.decode(proof, key, algorithms=[alg])` checks `crit`, the algorithm against the key and the
signature, and `JWTClaimsRegistry(now=now, leeway=60)` the required claims' presence (joserfc
counts `null` as missing), `jti` as a string and `iat` as a NumericDate no later than `now + 60`.
The answer's `jkt` is joserfc's thumbprint. joserfc's error classes that name one check give its
code; others give none (decision D5).
"""

import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packages" / "python" / "src"))
import joserfc  # noqa: E402
from caveatspec_vectors import adapter, dpop  # noqa: E402
from joserfc import errors as E, jwk, jws, jwt  # noqa: E402

# joserfc warns (on stderr) about EdDSA and implicit key types; the answers are unchanged.
warnings.simplefilter("ignore")

# joserfc's errors that name one check: by class, most specific first, then by class and text.
DPOP_CODES = adapter.code_table([
    (E.BadSignatureError, "dpop.signature"),
    (E.MissingCritHeaderError, "dpop.crit"),
    (E.UnsupportedAlgorithmError, "dpop.alg"),
    (E.MissingAlgorithmError, "dpop.alg"),
    (E.MissingClaimError, "dpop.missing_claim"),
    (E.DecodeError, "dpop.malformed"),
    (E.InvalidPayloadError, "dpop.malformed"),
    (E.UnsupportedHeaderError, "crit", "dpop.crit"),
    (E.InvalidHeaderValueError, "crit", "dpop.crit"),
    (E.UnsupportedHeaderError, "Unsupported [", "dpop.crit"),
    (E.InvalidClaimError, "in the future", "dpop.iat_in_future"),
    (E.InvalidClaimError, "must be", "dpop.claim_type"),
])
# Key errors that name one jose code (SPEC §10.2). InvalidKeyTypeError does not: joserfc raises
# it for an unknown `kty` and for one that is not a string alike.
KEY_CODES = adapter.code_table([(E.InvalidKeyCurveError, "jose.jwk_curve"),
                                (E.InvalidKeyLengthError, "jose.jwk_length")])


def header(proof):
    return jws.extract_compact(proof.encode()).headers()


def verify(proof, header, now, access_token):
    with adapter.refusing():
        key = jwk.import_key(header["jwk"])
    token = jwt.decode(proof, key, algorithms=[header["alg"]])
    essential = {name: {"essential": True} for name in dpop.required_claims(access_token)}
    jwt.JWTClaimsRegistry(now=now, leeway=dpop.SKEW, **essential).validate(token.claims)
    return token.claims, token.claims["iat"]


def thumbprint(key):
    return jwk.import_key(key).thumbprint()


if __name__ == "__main__":
    adapter.serve({"name": "joserfc", "version": joserfc.__version__, "language": "Python",
                   "profile": "strict", "kinds": ["dpop_proof", "jwk_thumbprint"]},
                  {"dpop_proof": dpop.proof_handler(header, verify, codes=DPOP_CODES, thumbprint=thumbprint),
                   "jwk_thumbprint": dpop.thumbprint_handler(thumbprint, codes=KEY_CODES)})
