"""What two Python JOSE libraries say about a proof's JOSE part: the compact JWS, its header and
its signature under the key embedded in the header. Neither checks DPoP claims, so only the
checks they share with a DPoP verifier are compared: parsing, `alg`, `crit`, `jwk` and the
signature (`typ`, claims, htu, clock and replay are ours alone).
"""

import base64
import json
import warnings

import joserfc
import jwt
from joserfc import jwt as joserfc_jwt
from joserfc.jwk import ECKey, OKPKey

VERSIONS = {"pyjwt": jwt.__version__, "joserfc": joserfc.__version__}

# The checks of ours that belong to the JOSE part of a proof.
JOSE_CODES = {
    "dpop.malformed",
    "dpop.alg",
    "dpop.crit",
    "dpop.jwk_missing",
    "dpop.jwk_private",
    "dpop.jwk_symmetric",
    "dpop.jwk",
    "dpop.signature",
}


def _header(proof):
    seg = proof.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))


def pyjwt(proof):
    """PyJWT's `jwt.decode` with the embedded key, the proof's own `alg`, and every claim
    check off: (accepts, reason)."""
    try:
        header = jwt.get_unverified_header(proof)
        key = jwt.PyJWK(header["jwk"], algorithm=header.get("alg"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jwt.decode(
                proof,
                key=key,
                algorithms=[header.get("alg")],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
    except Exception as e:  # noqa: BLE001 - any refusal is a refusal
        return False, type(e).__name__
    return True, None


def joserfc_(proof):
    """joserfc's `jwt.decode` with the embedded key and the proof's own `alg` (no claim
    validation)."""
    try:
        header = _header(proof)
        jwk = header["jwk"]
        key = (ECKey if jwk.get("kty") == "EC" else OKPKey).import_key(jwk)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            joserfc_jwt.decode(proof, key, algorithms=[header.get("alg")])
    except Exception as e:  # noqa: BLE001
        return False, type(e).__name__
    return True, None


def thumbprint(jwk):
    """joserfc's RFC 7638 thumbprint of a JWK, or why it refused."""
    from joserfc.jwk import JWKRegistry

    try:
        return True, JWKRegistry.import_key(jwk).thumbprint()
    except Exception as e:  # noqa: BLE001
        return False, type(e).__name__


def judge_proof(proof, expected):
    """(peers, divergent): each peer's verdict, and whether one differs from ours on the JOSE
    part."""
    ours = expected["valid"] or expected["codes"][0] not in JOSE_CODES
    peers, notes = {}, []
    for name, fn in (("pyjwt", pyjwt), ("joserfc", joserfc_)):
        ok, why = fn(proof)
        peers[name] = {"accepts": ok} if ok else {"accepts": False, "error": why}
        if ok != ours:
            verdict = "valid" if expected["valid"] else expected["codes"][0]
            notes.append(
                f"{name} {'accepts' if ok else f'refuses ({why})'} the JOSE part, where this "
                f"spec's JOSE checks {'pass' if ours else 'fail'} (verdict: {verdict})"
            )
    if notes:
        peers["note"] = "; ".join(notes)
    return peers, bool(notes)


def judge_thumbprint(jwk, expected):
    ok, value = thumbprint(jwk)
    peer = {"thumbprint": value} if ok else {"accepts": False, "error": value}
    divergent = ok != expected["valid"] or (ok and value != expected.get("thumbprint"))
    out = {"joserfc": peer}
    if divergent and ok and not expected["valid"]:
        out["note"] = f"joserfc gives a thumbprint where this spec refuses the key ({expected['codes'][0]})"
    elif divergent:
        out["note"] = (
            "joserfc refuses a key this spec gives a thumbprint for" if not ok else "joserfc's thumbprint differs"
        )
    return out, divergent
