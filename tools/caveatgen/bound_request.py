"""A request to a resource that takes DPoP-bound tokens (SPEC §10.8, §10.9): how its header
fields are read, and the proofs a client sends with it. Shared by atr_dpop.py and
macaroon_dpop.py."""

import hashlib

from caveatgen import dpop_fixtures as dpop
from caveatgen.encoding import b64u_encode as b64u
from caveatgen.encoding import text


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
