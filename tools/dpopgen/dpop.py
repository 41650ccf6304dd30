"""Writes vectors/dpop.json: DPoP proof (RFC 9449) and JWK thumbprint (RFC 7638) vectors.

    tools/dpopgen/setup --generate

Inputs are the RFC 9449 example proofs at their own clocks, their low-S twins, negatives made
from them without re-signing, and proofs signed here with two fixed keys: the RFC 8037 A.1
Ed25519 key and a P-256 key with a fixed private scalar, signed with RFC 6979 deterministic
ECDSA, so every regeneration writes the same bytes. Expectations come from check.py (an
independent implementation of the spec's rules); peers.py records PyJWT and joserfc.
"""

import hashlib
import json
import os
import sys

import cryptography
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.join(os.path.dirname(HERE), "caveatgen"))

import basis  # noqa: E402  (tools/caveatgen)
import check  # noqa: E402
import peers  # noqa: E402
from check import b64u_decode, b64u_encode  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))

FLAGS = {
    "rfc-example": "An example proof of RFC 9449 (Figures 2, 7, 13) as published, at its own clock.",
    "rfc-derived": "Made from an RFC 9449 example proof without re-signing (another request, clock, token or key binding).",
    "low-s": "An ES256 signature with s below n/2: the (r, n − s) twin of a high-S signature.",
    "high-s": "An ES256 signature with s above n/2, valid ECDSA; accepted by this spec's default policy.",
    "needs-signing": "Signed here with a fixed key (RFC 8037 A.1 Ed25519, or the fixed P-256 key with RFC 6979 nonces).",
    "typ": "The typ header parameter.",
    "alg": "The alg header parameter, or a key that does not fit it.",
    "crit": "The crit header parameter (no extension is understood).",
    "jwk": "The jwk header parameter: missing, private, symmetric, another key type, or not a key.",
    "claims": "A required claim missing or of the wrong JSON type.",
    "huge": "A value at or past a size limit (jti length, proof length).",
    "duplicate-member": "A JSON object naming a member twice (refused at any depth).",
    "base64url": "Non-canonical or non-url base64 in a segment.",
    "ath": "The ath claim and the access token.",
    "nonce": "A server-supplied nonce.",
    "clock": "The iat window [now − 300, now + 60], bounds included.",
    "htu-normalisation": "The htu comparison: RFC 3986 syntax- and scheme-based normalisation, query and fragment ignored.",
    "htm": "The htm claim against the request method (case-sensitive).",
    "jkt-binding": "The proof key's thumbprint against the jkt the access token is bound to.",
    "replay": "The jti replay cache: earlier proofs in input.replay were accepted first.",
    "thumbprint": "An RFC 7638 JWK thumbprint.",
    "peer-divergence": "PyJWT or joserfc decides the JOSE part (or the thumbprint) differently; peers.note says how.",
}

# RFC 9449's example proofs: one header, three payloads, their signatures.
RFC_HEADER = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19"
FIG2 = RFC_HEADER + ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
FIG7 = RFC_HEADER + ".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ.pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA"
FIG13 = RFC_HEADER + ".eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
FIG2_IAT, FIG7_IAT, FIG13_IAT = 1562262616, 1562265296, 1562262618
FIG2_URL = "https://server.example.com/token"
FIG13_URL = "https://resource.example.org/protectedresource"
FIG13_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
RFC9449_JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
RFC7638_JKT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
RFC9449_JWK = {"kty": "EC", "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
               "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA", "crv": "P-256"}
RFC7517_RSA = {"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
               "e": "AQAB", "alg": "RS256", "kid": "2011-04-29"}

# RFC 8037 A.1.
ED_D = b64u_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(ED_D)
ED_X = b64u_encode(ED_KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
ED_JWK = {"kty": "OKP", "crv": "Ed25519", "x": ED_X}

# The fixed P-256 key: its scalar is SHA-256 of a label, below n.
P_SCALAR = int.from_bytes(hashlib.sha256(b"caveatspec dpop vectors P-256 key").digest(), "big") % check.P256_N
P_KEY = ec.derive_private_key(P_SCALAR, ec.SECP256R1())
_nums = P_KEY.public_key().public_numbers()
P_JWK = {"kty": "EC", "crv": "P-256", "x": b64u_encode(_nums.x.to_bytes(32, "big")),
         "y": b64u_encode(_nums.y.to_bytes(32, "big"))}

NOW = 1767225600  # 2026-01-01T00:00:00Z
URL = "https://api.example.com/v1/upload"
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgAABiA"


def text(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def sign(header_text: str, payload_text: str, key="ed") -> str:
    """A compact JWS over exactly these texts. `key` is "ed" or "p256"; the alg in the header is
    whatever the caller wrote."""
    si = f"{b64u_encode(header_text.encode())}.{b64u_encode(payload_text.encode())}"
    if key == "ed":
        sig = ED_KEY.sign(si.encode())
    else:
        der = P_KEY.sign(si.encode(), ec.ECDSA(hashes.SHA256(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{si}.{b64u_encode(sig)}"


def twin(proof: str) -> str:
    """The (r, n − s) twin of an ES256 proof."""
    h, p, s = proof.split(".")
    raw = b64u_decode(s)
    r, sv = raw[:32], int.from_bytes(raw[32:], "big")
    return f"{h}.{p}.{b64u_encode(r + (check.P256_N - sv).to_bytes(32, 'big'))}"


def is_high_s(proof: str) -> bool:
    return int.from_bytes(b64u_decode(proof.split(".")[2])[32:], "big") > check.P256_N // 2


DROP = object()


def changed(base: dict, changes: dict) -> dict:
    """`base` with `changes` applied; a change to DROP removes the member."""
    out = dict(base)
    for k, v in changes.items():
        if v is DROP:
            out.pop(k, None)
        else:
            out[k] = v
    return out


def header_for(key="ed", **changes):
    return changed({"typ": "dpop+jwt", "alg": "EdDSA" if key == "ed" else "ES256",
                    "jwk": dict(ED_JWK if key == "ed" else P_JWK)}, changes)


def claims_for(jti_value, **changes):
    return changed({"jti": jti_value, "htm": "POST", "htu": URL, "iat": NOW}, changes)


class Gen:
    def __init__(self):
        self.vectors = []
        self.ids = set()

    def proof(self, area, slug, description, flags, proof, method="POST", url=URL, now=NOW,
              access_token=None, expected_jkt=None, nonce=None, replay=None):
        vid = f"dpop/{area}/{slug}"
        assert vid not in self.ids, vid
        self.ids.add(vid)
        inp = {"proof": proof, "method": method, "url": url, "now": now}
        for k, v in (("access_token", access_token), ("expected_jkt", expected_jkt), ("nonce", nonce)):
            if v is not None:
                inp[k] = v
        if replay:
            inp["replay"] = [{"proof": p, "now": n} for p, n in replay]
        expected = check.check_with_history(inp)
        peer, divergent = peers.judge_proof(proof, expected)
        flags = list(flags) + (["peer-divergence"] if divergent else [])
        self.vectors.append({"id": vid, "kind": "dpop_proof", "description": description,
                             "flags": flags, "input": inp, "expected": expected, "peers": peer})

    def signed(self, area, slug, description, flags, header=None, claims=None, key="ed",
               header_text=None, payload_text=None, **request):
        """A proof signed here; header and claims default to a valid proof for the default
        request, with jti = the slug."""
        header = header if header is not None else header_for(key)
        claims = claims if claims is not None else claims_for(f"{area}-{slug}")
        proof = sign(header_text or text(header), payload_text or text(claims), key)
        self.proof(area, slug, description, ["needs-signing"] + list(flags), proof, **request)
        return proof

    def thumb(self, slug, description, jwk, flags=()):
        vid = f"dpop/thumbprint/{slug}"
        assert vid not in self.ids, vid
        self.ids.add(vid)
        try:
            expected = {"valid": True, "thumbprint": check.thumbprint(jwk)}
        except check.Refused as e:
            expected = {"valid": False, "codes": [e.code]}
        peer, divergent = peers.judge_thumbprint(jwk, expected)
        flags = ["thumbprint"] + list(flags) + (["peer-divergence"] if divergent else [])
        self.vectors.append({"id": vid, "kind": "jwk_thumbprint", "description": description,
                             "flags": flags, "input": {"jwk": jwk}, "expected": expected, "peers": peer})


def source_digest(directory: str = HERE) -> str:
    """sha256 over a directory's source files (this one's by default), in name order: the staleness stamp."""
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
    cases.build(g, sys.modules[__name__])
    vectors = [basis.with_basis(v) for v in g.vectors]
    doc = {
        "$schema": "schema/vectors.schema.json",
        "format_version": 1,
        "category": "dpop",
        "description": "DPoP proofs (RFC 9449 §4.3) checked against a request, a clock, an access token, a bound jkt, a nonce and a jti replay cache; and RFC 7638 JWK thumbprints (EC P-256, OKP Ed25519, RSA).",
        "generator": {"path": "tools/dpopgen", "source_sha256": source_digest(), "uses": [basis.stamp(source_digest)]},
        "sources": {
            "rfcs": ["RFC 9449", "RFC 7638", "RFC 8037", "RFC 7515", "RFC 7518", "RFC 3986"],
            "cryptography": cryptography.__version__,
            "pyjwt": peers.VERSIONS["pyjwt"],
            "joserfc": peers.VERSIONS["joserfc"],
        },
        "flags": {f: FLAGS[f] for f in sorted({f for v in vectors for f in v["flags"]})},
        "number_of_vectors": len(vectors),
        "vectors": vectors,
    }
    with open(os.path.join(ROOT, "vectors", "dpop.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    areas = {}
    for v in vectors:
        areas[v["id"].split("/")[1]] = areas.get(v["id"].split("/")[1], 0) + 1
    print(f"wrote {len(vectors)} vectors: " + ", ".join(f"{a} {n}" for a, n in areas.items()))
    print("peer divergences: " + ", ".join(v["id"] for v in vectors if "peer-divergence" in v["flags"]))


if __name__ == "__main__":
    main()
