"""Writes vectors/dpop.json: DPoP proof (RFC 9449) and JWK thumbprint (RFC 7638) vectors.

    tools/caveatgen/setup --generate dpop

Inputs are the RFC 9449 example proofs at their own clocks, their low-S twins, negatives made
from them without re-signing, and proofs signed here with the two fixed keys of dpop_fixtures.py: the
RFC 8037 A.1 Ed25519 key and a P-256 key with a fixed private scalar, signed with RFC 6979
deterministic ECDSA, so every regeneration writes the same bytes. Expectations come from
dpop_check.py (an independent implementation of the spec's rules); dpop_peers.py records PyJWT
and joserfc.
"""

import cryptography

from caveatgen import dpop_cases
from caveatgen import dpop_check as check
from caveatgen import dpop_peers as peers
from caveatgen.digest import stamp
from caveatgen.dpop_fixtures import NOW, URL, claims_for, header_for, sign
from caveatgen.encoding import text
from caveatgen.vectorfile import write_file

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
    "alg-twin": "The twin of the vector whose id lacks the -es256 or -eddsa suffix: the same check, the proof signed with the other algorithm and fixed key.",
    "peer-divergence": "PyJWT or joserfc decides the JOSE part (or the thumbprint) differently; peers.note says how.",
}


class Gen:
    def __init__(self):
        self.vectors = []
        self.ids = set()

    def proof(
        self,
        area,
        slug,
        description,
        flags,
        proof,
        method="POST",
        url=URL,
        now=NOW,
        access_token=None,
        expected_jkt=None,
        nonce=None,
        replay=None,
    ):
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
        self.vectors.append(
            {
                "id": vid,
                "kind": "dpop_proof",
                "description": description,
                "flags": flags,
                "input": inp,
                "expected": expected,
                "peers": peer,
            }
        )

    def signed(
        self,
        area,
        slug,
        description,
        flags,
        header=None,
        claims=None,
        key="ed",
        header_text=None,
        payload_text=None,
        **request,
    ):
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
        self.vectors.append(
            {
                "id": vid,
                "kind": "jwk_thumbprint",
                "description": description,
                "flags": flags,
                "input": {"jwk": jwk},
                "expected": expected,
                "peers": peer,
            }
        )


def main():
    g = Gen()
    dpop_cases.build(g)
    vectors = g.vectors
    write_file(
        "dpop",
        vectors,
        FLAGS,
        "DPoP proofs (RFC 9449 §4.3) checked against a request, a clock, an access token, a bound jkt, a nonce and a jti replay cache; and RFC 7638 JWK thumbprints (EC P-256, OKP Ed25519, RSA).",
        stamp("dpop_gen", ("setup", "requirements/jose.txt")),
        {
            "rfcs": ["RFC 9449", "RFC 7638", "RFC 8037", "RFC 7515", "RFC 7518", "RFC 3986"],
            "cryptography": cryptography.__version__,
            "pyjwt": peers.VERSIONS["pyjwt"],
            "joserfc": peers.VERSIONS["joserfc"],
        },
    )
    areas = {}
    for v in vectors:
        areas[v["id"].split("/")[1]] = areas.get(v["id"].split("/")[1], 0) + 1
    print(f"wrote {len(vectors)} vectors: " + ", ".join(f"{a} {n}" for a, n in areas.items()))
    print("peer divergences: " + ", ".join(v["id"] for v in vectors if "peer-divergence" in v["flags"]))


if __name__ == "__main__":
    main()
