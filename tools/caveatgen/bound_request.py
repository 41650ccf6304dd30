"""A request to a resource that takes DPoP-bound tokens (SPEC §10.8, §10.9): how its header
fields are read, and the proofs a client sends with it. Shared by atr_dpop.py and
macaroon_dpop.py."""

import hashlib

from caveatgen import dpop_check as check
from caveatgen import dpop_fixtures as dpop
from caveatgen.encoding import b64u_encode as b64u
from caveatgen.encoding import text

ED_JKT = check.thumbprint_of(dpop.ED_JWK)
P_JKT = check.thumbprint_of(dpop.P_JWK)


def ath(token: str) -> str:
    return b64u(hashlib.sha256(token.encode()).digest())


def refused(*codes):
    return {"valid": False, "codes": list(codes)}


def presentation(inp: dict):
    """The request's header fields read as every format reads them (SPEC §10.8 steps 1–3):
    (whether the scheme is DPoP, the token as sent, the DPoP fields), or a refusal."""
    if len(inp["authorization"]) != 1:
        return refused("bound.authorization")
    scheme, sep, token = inp["authorization"][0].partition(" ")
    if not sep or scheme.lower() not in ("bearer", "dpop"):
        return refused("bound.scheme")
    if len(inp["dpop"]) > 1:
        return refused("bound.proof_multiple")
    return scheme.lower() == "dpop", token, inp["dpop"]


def proof_for(token: str, method: str, url: str, issued_at: int, key="ed", header=None, **changes) -> str:
    """A proof for `method url` issued at `issued_at`, bound to `token` by ath, signed with a fixed key; its
    jti is derived from everything else, so it is stable and distinct per proof."""
    shown = {k: "<dropped>" if v is dpop.DROP else v for k, v in changes.items()}
    jti = hashlib.sha256(f"{token}|{key}|{text(shown)}".encode()).hexdigest()[:22]
    body = dpop.changed({"jti": jti, "htm": method, "htu": url, "iat": issued_at, "ath": ath(token)}, changes)
    return dpop.sign(text(header or dpop.header_for(key)), text(body), key)


class Twins:
    """A section's cases under one proof key: the Ed25519 key they were written for, or the P-256
    key, whose twins (ids ending in -es256) bind the token to that key and sign the proofs with
    ES256, so that a verifier of either algorithm meets every case. Cases whose request carries
    no proof have no twin. A subclass names its file (`prefix`) and how it makes a proof for a
    token (`make_proof(token, key=..., **changes)`)."""

    prefix = None
    make_proof = None

    def __init__(self, g, key: str):
        self.g, self.key = g, key
        self.twin = key == "p256"
        self.other = "ed" if self.twin else "p256"
        self.jkt, self.other_jkt = (P_JKT, ED_JKT) if self.twin else (ED_JKT, P_JKT)
        self.jwk = dpop.P_JWK if self.twin else dpop.ED_JWK

    def proof(self, token: str, **changes) -> str:
        return self.make_proof(token, key=self.key, **changes)

    def _named(self, area, slug, description, flags):
        if not self.twin:
            return slug, description, list(flags)
        return (
            f"{slug}-es256",
            f"{description} The twin of `{self.prefix}/{area}/{slug}`: the token bound to the fixed P-256 key, the proofs signed with ES256.",
            list(flags) + ["alg-twin"],
        )

    def add(self, area, slug, description, flags, *args, **kw):
        self.g.add(area, *self._named(area, slug, description, flags), *args, **kw)
