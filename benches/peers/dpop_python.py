"""Times the Python DPoP peers (PyJWT, joserfc; both on cryptography, i.e. OpenSSL) checking the
benchmark proofs.

    dpop_python.py PEER DPOP_VECTORS_JSON ALG=ID...      PEER: pyjwt | joserfc

Runs inside the venv that benches/peers/run creates. One iteration is the check a server makes
of one proof, the same checks as caveatspec's `dpop/verify` benchmark: the header's `typ`, `alg`
and `jwk`, the signature with that key, the claims `jti`, `htm`, `htu` (compared as strings),
`iat` within [now - 300, now + 60], `ath` against the access token, the nonce, and the key's
RFC 7638 thumbprint against the bound `jkt`. Before timing, each proof must be accepted and the
same proof with one signature bit flipped refused. Prints one JSON line per proof:
{"peer", "version", "alg", "vector", "median_ns", ...}; PEERS_ROUND, when set, is copied into
each line so that benches/peers/report.py can pair the runs of one round.
"""

import base64
import hashlib
import json
import os
import sys
import warnings
from importlib.metadata import version

# The same timing as the token peers (warm-up, batches of about PEERS_BATCH_SECONDS, the median
# over PEERS_REPEATS batches).
from python_peers import REPEATS, median_ns_per_call


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_hold(inp, claims):
    """The claim checks every peer makes in the same way."""
    token = inp.get("access_token")
    return (isinstance(claims.get("jti"), str) and claims["jti"] != ""
            and claims.get("htm") == inp["method"]
            and claims.get("htu") == inp["url"]
            and isinstance(claims.get("iat"), int)
            and inp["now"] - 300 <= claims["iat"] <= inp["now"] + 60
            and (token is None
                 or claims.get("ath") == b64u(hashlib.sha256(token.encode()).digest()))
            and (inp.get("nonce") is None or claims.get("nonce") == inp["nonce"]))


def pyjwt_check():
    import jwt

    def check(inp, proof):
        try:
            header = jwt.get_unverified_header(proof)
            if header.get("typ") != "dpop+jwt" or header.get("alg") not in ("ES256", "EdDSA"):
                return False
            key = jwt.PyJWK(header["jwk"], algorithm=header["alg"])
            claims = jwt.decode(proof, key=key, algorithms=[header["alg"]],
                                options={"verify_exp": False, "verify_nbf": False,
                                         "verify_iat": False, "verify_aud": False,
                                         "verify_iss": False})
        except jwt.exceptions.PyJWTError:
            return False
        if not claims_hold(inp, claims):
            return False
        expected = inp.get("expected_jkt")
        # PyJWT has no RFC 7638 function: the thumbprint input is built here.
        return expected is None or thumbprint(header["jwk"]) == expected

    return "PyJWT", version("PyJWT"), check


def thumbprint(jwk):
    names = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("crv", "kty", "x")
    text = json.dumps({n: jwk[n] for n in names}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(text.encode()).digest())


def joserfc_check():
    from joserfc import errors, jwk, jws, jwt

    def check(inp, proof):
        try:
            header = jws.extract_compact(proof.encode()).headers()
            if header.get("typ") != "dpop+jwt" or header.get("alg") not in ("ES256", "EdDSA"):
                return False
            key = jwk.import_key(header["jwk"])
            token = jwt.decode(proof, key, algorithms=[header["alg"]])
        except errors.JoseError:
            return False
        if not claims_hold(inp, token.claims):
            return False
        expected = inp.get("expected_jkt")
        return expected is None or key.thumbprint() == expected

    return "joserfc", version("joserfc"), check


def tampered(proof):
    head, sig = proof.rsplit(".", 1)
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[5] ^= 1
    return head + "." + b64u(bytes(raw))


def main():
    # joserfc warns on every EdDSA proof that RFC 9864 deprecates the name; the warning is not
    # the library's verdict.
    warnings.simplefilter("ignore")
    peer, path, *pairs = sys.argv[1:]
    name, ver, check = {"pyjwt": pyjwt_check, "joserfc": joserfc_check}[peer]()
    vectors = {v["id"]: v for v in json.load(open(path, encoding="utf-8"))["vectors"]}
    for pair in pairs:
        alg, vid = pair.split("=", 1)
        inp = vectors[vid]["input"]
        proof = inp["proof"]
        if not check(inp, proof) or check(inp, tampered(proof)):
            raise SystemExit(f"{name} does not give {vid} the expected verdicts")
        med, batch, per_call = median_ns_per_call(lambda: check(inp, proof))
        line = {"peer": name, "version": ver, "alg": alg, "vector": vid,
                "median_ns": round(med, 1), "min_ns": round(min(per_call), 1),
                "max_ns": round(max(per_call), 1), "batch": batch, "repeats": REPEATS}
        if os.environ.get("PEERS_ROUND"):
            line["round"] = int(os.environ["PEERS_ROUND"])
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
