"""Writes vectors/atr-dpop.json: ATR's API JWTs under DPoP binding (the atr-jwt-dpop profile).

    tools/caveatgen/setup --generate atr-dpop

Each vector is one request: its Authorization and DPoP header fields (as lists, since a field
may be missing or repeated), method, URL and clock, ATR's key and issuer/audience, and
optionally a nonce the server requires and proofs accepted before. The oracle is `bound_verify`:
the header fields, then the token exactly as ATR checks it today (`atr.atr_verify`, real PyJWT),
then the token's `cnf` claim, then the proof under RFC 9449 §4.3 as dpop_check.py
checks it, with `ath` over the presented token and the expected thumbprint from `cnf.jkt`.
Proofs are signed with dpop_fixtures.py's fixed keys, so every run writes the same bytes.
"""

import hashlib

import cryptography

from caveatgen import atr_jwt as atr
from caveatgen import dpop_check as check
from caveatgen import dpop_fixtures as dpop
from caveatgen.atr_jwt import DROP, HEADER, ISS, KEY, NOW, OTHER_KEY, claims, sign, text
from caveatgen.bound_request import Twins, ath, presentation, proof_for, refused
from caveatgen.digest import stamp
from caveatgen.vectorfile import write_file

METHOD = "POST"
URL = "https://atr.example.org/api/upload"
ED_JKT = check.thumbprint_of(dpop.ED_JWK)
P_JKT = check.thumbprint_of(dpop.P_JWK)

FLAGS = {
    "baseline": "A request as a client of the profile sends it, or one detail changed within what it accepts.",
    "bearer-token": "An unbound token (no cnf claim) under ATR's Bearer scheme, as today.",
    "header-fields": "How many Authorization and DPoP fields the request carries, and the scheme.",
    "downgrade": "A DPoP-bound token presented without DPoP (RFC 9449 §7.2), or an unbound one with it.",
    "cnf": "The token's cnf claim: exactly one member, jkt, a canonical SHA-256 thumbprint.",
    "proof": "The DPoP proof against the request, the presented token (ath) and cnf.jkt.",
    "token-first": "The token is refused before the proof is looked at.",
    "pyjwt-quirk": "PyJWT behaviour that carries into the binding (the last duplicate member wins).",
    "replay": "The proof's jti was accepted before, by the proofs in input.replay.",
    "nonce": "The server requires a nonce.",
    "alg-twin": "The twin of the vector whose id lacks the -es256 suffix: the token bound to the fixed P-256 key, the proofs signed with ES256.",
}


def is_canonical_jkt(value) -> bool:
    if not isinstance(value, str) or len(value) != 43:
        return False
    try:
        return len(check.b64u_decode(value)) == 32
    except ValueError:
        return False


def bound_verify(inp: dict) -> dict:
    """The atr-jwt-dpop profile's answer to one request (see SPEC §10.8 for the order)."""
    read = presentation(inp)
    if isinstance(read, dict):
        return read
    dpop_scheme, credentials, proofs = read
    # The token exactly as ATR checks it today: rebuilt as the Bearer value its verifier reads.
    token_verdict = atr.atr_verify("Bearer " + credentials, inp["key"], inp["iss_aud"], inp["now"])
    if not token_verdict["valid"]:
        return token_verdict
    payload = atr.decoded_claims(credentials, inp["key"], inp["iss_aud"], inp["now"])
    bound = "cnf" in payload
    if bound:
        cnf = payload["cnf"]
        if not isinstance(cnf, dict) or set(cnf) != {"jkt"} or not is_canonical_jkt(cnf["jkt"]):
            return refused("bound.cnf")
    if bound and not dpop_scheme:
        return refused("bound.downgrade")
    if not bound and dpop_scheme:
        return refused("bound.not_bound")
    identity = {"valid": True, "sub": token_verdict["sub"], "jti": token_verdict["jti"]}
    if not bound:
        return refused("bound.unexpected_proof") if proofs else identity
    if not proofs:
        return refused("bound.proof_missing")
    proof_input = {
        "proof": proofs[0],
        "method": inp["method"],
        "url": inp["url"],
        "now": inp["now"],
        "access_token": credentials,
        "expected_jkt": payload["cnf"]["jkt"],
        "replay": inp.get("replay", []),
    }
    if "nonce" in inp:
        proof_input["nonce"] = inp["nonce"]
    proof_verdict = check.check_with_history(proof_input)
    if not proof_verdict["valid"]:
        return proof_verdict
    return {**identity, "jkt": proof_verdict["jkt"]}


def proof(token: str, key="ed", header=None, **changes) -> str:
    """A proof for this file's default request."""
    return proof_for(token, METHOD, URL, NOW, key, header, **changes)


def bound_token(jkt=ED_JKT, **changes) -> str:
    return sign(text(HEADER), text(claims(cnf={"jkt": jkt}, **changes)))


class Gen:
    def __init__(self):
        self.vectors = []
        self.ids = set()

    def add(
        self,
        area,
        slug,
        description,
        flags,
        authorization,
        dpop_fields=(),
        method=METHOD,
        url=URL,
        now=NOW,
        key=KEY,
        nonce=None,
        replay=(),
    ):
        vid = f"atr-dpop/{area}/{slug}"
        assert vid not in self.ids, vid
        self.ids.add(vid)
        inp = {
            "authorization": list(authorization),
            "dpop": list(dpop_fields),
            "method": method,
            "url": url,
            "now": now,
            "key": key,
            "iss_aud": ISS,
        }
        if nonce is not None:
            inp["nonce"] = nonce
        if replay:
            inp["replay"] = [{"proof": p, "now": n} for p, n in replay]
        self.vectors.append(
            {
                "id": vid,
                "kind": "atr_dpop_request",
                "description": description,
                "flags": list(flags),
                "input": inp,
                "expected": bound_verify(inp),
            }
        )

    def bound(self, area, slug, description, flags, token=None, scheme="DPoP", proof_fields=None, **kw):
        """A bound token presented with `scheme` and, by default, one fresh proof for it."""
        token = token or bound_token()
        fields = [proof(token)] if proof_fields is None else proof_fields
        self.add(area, slug, description, flags, [f"{scheme} {token}"], fields, **kw)
        return token


class Keyed(Twins):
    """This file's sections under one proof key: tokens bound by cnf.jkt."""

    prefix = "atr-dpop"
    make_proof = staticmethod(proof)

    def token(self, **changes) -> str:
        return bound_token(self.jkt, **changes)

    def bound(self, area, slug, description, flags, token=None, proof_fields=None, **kw):
        token = token or self.token()
        fields = [self.proof(token)] if proof_fields is None else proof_fields
        self.g.bound(area, *self._named(area, slug, description, flags), token=token, proof_fields=fields, **kw)


def build(g: Gen):
    token = bound_token()
    good = proof(token)
    g.bound(
        "baseline",
        "ed25519",
        "A token bound to the RFC 8037 Ed25519 key, a fresh EdDSA proof for it.",
        ["baseline"],
        token=token,
        proof_fields=[good],
    )
    p_token = bound_token(P_JKT)
    g.bound(
        "baseline",
        "p256",
        "A token bound to the fixed P-256 key, a fresh ES256 proof for it.",
        ["baseline"],
        token=p_token,
        proof_fields=[proof(p_token, key="p256")],
    )
    bearer = sign(text(HEADER), text(claims()))
    for key in ("ed", "p256"):
        baseline(Keyed(g, key), bearer)
    for section in (fields, downgrade, cnf, token_first, proof_checks):
        for key in ("ed", "p256"):
            section(Keyed(g, key), bearer)
    limits(g)


def baseline(k: Keyed, bearer: str):
    token = k.token()
    good = k.proof(token)
    for slug, scheme in (("scheme-lower", "dpop"), ("scheme-upper", "DPOP")):
        k.bound(
            "baseline",
            slug,
            f"Scheme {scheme!r}: compared case-insensitively, as ATR compares bearer.",
            ["baseline", "header-fields"],
            token=token,
            scheme=scheme,
            proof_fields=[good],
        )
    k.bound(
        "baseline",
        "url-with-query",
        "The request URL carries a query; htu does not.",
        ["baseline", "proof"],
        token=token,
        proof_fields=[good],
        url=URL + "?page=2",
    )
    k.bound(
        "baseline",
        "proof-at-window-start",
        "The proof's iat 300 s before the clock.",
        ["baseline", "proof"],
        token=token,
        proof_fields=[good],
        now=NOW + 300,
    )
    if not k.twin:  # no proof
        k.add(
            "baseline",
            "bearer-unbound",
            "An unbound token as ATR issues it today, Bearer, no proof.",
            ["baseline", "bearer-token"],
            [f"Bearer {bearer}"],
        )
    k.bound(
        "baseline",
        "nonce",
        "The server requires a nonce and the proof carries it.",
        ["baseline", "nonce"],
        token=token,
        proof_fields=[k.proof(token, nonce="n-2026")],
        nonce="n-2026",
    )
    k.bound(
        "baseline",
        "other-token-claims",
        "The bound token also carries ATR's atr_th; extra claims are ignored.",
        ["baseline"],
        token=k.token(atr_th="00" * 32),
    )


def fields(k: Keyed, bearer: str):
    """The header fields."""
    token = k.token()
    good = k.proof(token)
    k.add("fields", "no-authorization", "A proof and no Authorization field.", ["header-fields"], [], [good])
    k.add(
        "fields",
        "bearer-and-dpop",
        "Two Authorization fields, Bearer and DPoP (RFC 9449 Figure 19).",
        ["header-fields"],
        [f"Bearer {token}", f"DPoP {token}"],
        [good],
    )
    k.add(
        "fields",
        "dpop-twice",
        "The same Authorization field twice.",
        ["header-fields"],
        [f"DPoP {token}", f"DPoP {token}"],
        [good],
    )
    k.add(
        "fields",
        "two-proofs",
        "Two DPoP fields, both valid proofs for the request.",
        ["header-fields", "proof"],
        [f"DPoP {token}"],
        [good, k.proof(token, jti="second-proof")],
    )
    k.add(
        "fields",
        "comma-joined-proofs",
        "Two proofs joined by a comma in one DPoP field: not one JWS.",
        ["header-fields", "proof"],
        [f"DPoP {token}"],
        [f"{good}, {good}"],
    )
    if not k.twin:  # no signed proof
        k.add("fields", "empty-proof", "An empty DPoP field.", ["header-fields", "proof"], [f"DPoP {token}"], [""])
    for slug, value in (
        ("basic-scheme", f"Basic {token}"),
        ("no-space", f"DPoP{token}"),
        ("token-only", token),
        ("tab", f"DPoP\t{token}"),
        ("leading-space", f" DPoP {token}"),
        ("empty", ""),
    ):
        k.add(
            "fields",
            slug,
            f"Authorization {value[:12]!r}…: not the Bearer or DPoP scheme.",
            ["header-fields"],
            [value],
            [good],
        )
    k.add(
        "fields",
        "two-spaces",
        "Two spaces after DPoP: the token keeps a leading space and does not decode.",
        ["header-fields", "token-first"],
        [f"DPoP  {token}"],
        [good],
    )


def downgrade(k: Keyed, bearer: str):
    """Bound and unbound tokens under the wrong scheme."""
    token = k.token()
    good = k.proof(token)
    if not k.twin:  # no proof
        k.bound(
            "downgrade",
            "bearer-no-proof",
            "A bound token sent as Bearer without a proof (RFC 9449 §7.2).",
            ["downgrade"],
            token=token,
            scheme="Bearer",
            proof_fields=[],
        )
    k.bound(
        "downgrade",
        "bearer-with-proof",
        "A bound token sent as Bearer with a valid proof.",
        ["downgrade"],
        token=token,
        scheme="Bearer",
        proof_fields=[good],
    )
    k.bound(
        "downgrade",
        "bearer-lower-with-proof",
        "A bound token sent as bearer (lower case) with a valid proof.",
        ["downgrade"],
        token=token,
        scheme="bearer",
        proof_fields=[good],
    )
    k.add(
        "downgrade",
        "unbound-as-dpop",
        "An unbound token sent as DPoP with a proof for it.",
        ["downgrade"],
        [f"DPoP {bearer}"],
        [k.proof(bearer)],
    )
    if not k.twin:  # no proof
        k.add(
            "downgrade",
            "unbound-as-dpop-no-proof",
            "An unbound token sent as DPoP without a proof.",
            ["downgrade"],
            [f"DPoP {bearer}"],
        )
    k.add(
        "downgrade",
        "unbound-bearer-with-proof",
        "An unbound token sent as Bearer with a DPoP field.",
        ["downgrade", "bearer-token"],
        [f"Bearer {bearer}"],
        [k.proof(bearer)],
    )
    if not k.twin:  # no proof
        k.bound(
            "downgrade",
            "dpop-no-proof",
            "A bound token sent as DPoP without a DPoP field.",
            ["downgrade", "proof"],
            token=token,
            proof_fields=[],
        )


def cnf(k: Keyed, bearer: str):
    """The cnf claim."""
    jkt = k.jkt
    for slug, cnf_, what in (
        ("jkt-and-x5t", {"jkt": jkt, "x5t#S256": jkt}, "jkt and x5t#S256: two confirmation methods"),
        ("jkt-and-unknown", {"jkt": jkt, "note": "x"}, "jkt and an unknown member"),
        ("jwk-instead", {"jwk": k.jwk}, "a jwk instead of a jkt"),
        ("empty-object", {}, "an empty object"),
        ("null", None, "null"),
        ("string", jkt, "the thumbprint as a bare string"),
        ("list", [jkt], "a list"),
        ("jkt-padded", {"jkt": jkt + "="}, "jkt with = padding"),
        ("jkt-hex", {"jkt": hashlib.sha256(b"k").hexdigest()}, "jkt as 64 hex digits"),
        ("jkt-short", {"jkt": jkt[:42]}, "jkt one character short"),
        (
            "jkt-dirty-bits",
            {"jkt": jkt[:42] + ("l" if jkt[42] != "l" else "m")},
            "jkt whose last character has unused bits set",
        ),
        (
            "jkt-standard-alphabet",
            {"jkt": jkt.replace("-", "+").replace("_", "/")} if any(c in jkt for c in "-_") else {"jkt": "+" + jkt[1:]},
            "jkt in the standard base64 alphabet",
        ),
        ("jkt-number", {"jkt": 7}, "jkt a number"),
        ("jkt-null", {"jkt": None}, "jkt null"),
    ):
        t = sign(text(HEADER), text(claims(cnf=cnf_)))
        k.bound("cnf", slug, f"cnf is {what}; the proof is valid for the request and token.", ["cnf"], token=t)
    dup = text(claims(cnf={"jkt": k.other_jkt}))[:-1] + ',"cnf":{"jkt":"%s"}}' % jkt
    t = sign(text(HEADER), dup)
    this, other = ("P-256", "Ed25519") if k.twin else ("Ed25519", "P-256")
    k.bound(
        "cnf",
        "duplicate-last-wins",
        f"cnf twice, bound to the {other} key then to the {this} key; the {this} proof passes because the last member wins.",
        ["cnf", "pyjwt-quirk"],
        token=t,
    )
    k.bound(
        "cnf",
        "duplicate-first-key-proof",
        f"cnf twice, {other} key then {this} key; a{'n' if other == 'Ed25519' else ''} {other} proof is refused.",
        ["cnf", "pyjwt-quirk"],
        token=t,
        proof_fields=[proof(t, key=k.other)],
    )


def token_first(k: Keyed, bearer: str):
    """The token is checked first."""
    for slug, t, what in (
        ("expired", k.token(exp=NOW - 3600), "expired"),
        ("other-key", sign(text(HEADER), text(claims(cnf={"jkt": k.jkt})), OTHER_KEY), "signed with another key"),
        ("missing-jti", k.token(jti=DROP), "without jti"),
        ("alg-none", sign(text({"alg": "none"}), text(claims(cnf={"jkt": k.jkt}))), "with alg none"),
    ):
        k.bound("token", slug, f"A bound token {what}, with a valid proof for it.", ["token-first"], token=t)
    k.add(
        "token",
        "not-a-jwt",
        "A macaroon in place of the JWT, with a proof for it.",
        ["token-first"],
        [f"DPoP {dpop.TOKEN}"],
        [k.proof(dpop.TOKEN)],
    )


def proof_checks(k: Keyed, bearer: str):
    """The proof against the request, the token and cnf.jkt."""
    token = k.token()
    good = k.proof(token)
    this, other = ("P-256", "Ed25519") if k.twin else ("Ed25519", "P-256")
    k.bound(
        "proof",
        "other-key",
        f"A proof by the {other} key for a token bound to the {this} key.",
        ["proof"],
        token=token,
        proof_fields=[proof(token, key=k.other)],
    )
    k.bound(
        "proof", "no-ath", "A proof without ath.", ["proof"], token=token, proof_fields=[k.proof(token, ath=dpop.DROP)]
    )
    k.bound(
        "proof",
        "ath-of-header",
        "ath over the whole Authorization value, not the token.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(token, ath=ath(f"DPoP {token}"))],
    )
    other_token = k.token(sub="bob")
    k.bound(
        "proof",
        "ath-of-other-token",
        "A proof made for another token bound to the same key.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(other_token)],
    )
    k.bound(
        "proof",
        "htm-get",
        "The proof's htm GET for a POST.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(token, htm="GET")],
    )
    k.bound(
        "proof",
        "htu-other-path",
        "The proof's htu names another path.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(token, htu="https://atr.example.org/api/delete")],
    )
    k.bound(
        "proof",
        "iat-too-old",
        "The proof's iat 301 s before the clock.",
        ["proof"],
        token=token,
        proof_fields=[good],
        now=NOW + 301,
    )
    k.bound(
        "proof",
        "iat-ahead",
        "The proof's iat 61 s after the clock.",
        ["proof"],
        token=token,
        proof_fields=[good],
        now=NOW - 61,
    )
    k.bound(
        "proof",
        "typ-jwt",
        "A proof with typ JWT.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(token, header=dpop.header_for(k.key, typ="JWT"))],
    )
    k.bound(
        "proof",
        "nonce-missing",
        "The server requires a nonce; the proof has none.",
        ["proof", "nonce"],
        token=token,
        nonce="n-2026",
    )
    k.bound(
        "proof",
        "nonce-other",
        "The server requires a nonce; the proof carries another.",
        ["proof", "nonce"],
        token=token,
        proof_fields=[k.proof(token, nonce="n-2025")],
        nonce="n-2026",
    )
    k.bound(
        "proof",
        "replayed",
        "The same proof accepted 10 s earlier.",
        ["proof", "replay"],
        token=token,
        proof_fields=[good],
        now=NOW + 10,
        replay=[(good, NOW)],
    )
    k.bound(
        "proof",
        "fresh-after-earlier",
        "A fresh proof after an earlier one was accepted.",
        ["proof", "replay"],
        token=token,
        proof_fields=[k.proof(token, jti="fresh")],
        now=NOW + 10,
        replay=[(good, NOW)],
    )
    k.bound(
        "proof",
        "bearer-token-proof",
        "A proof whose ath is the hash of the unbound token.",
        ["proof"],
        token=token,
        proof_fields=[k.proof(bearer)],
    )


def limits(g: Gen):
    """An Authorization value of exactly 64 KiB, the longest the reference reads (PyJWT and the
    proof checker have no limit), the extra length in a claim ATR ignores."""
    size = 64 * 1024
    pad = 0
    while len(f"DPoP {bound_token(pad='p' * pad)}") < size:
        pad += max(1, (size - len(f"DPoP {bound_token(pad='p' * pad)}")) * 3 // 4)
    token = bound_token(pad="p" * pad)
    while len(f"DPoP {token}") > size:
        pad -= 1
        token = bound_token(pad="p" * pad)
    assert len(f"DPoP {token}") == size, len(f"DPoP {token}")
    g.bound(
        "baseline",
        "authorization-64-kib",
        "A bound token whose Authorization value is 65,536 bytes, most of it an unread claim: the longest the reference reads.",
        ["baseline"],
        token=token,
    )


def main():
    g = Gen()
    build(g)
    write_file(
        "atr-dpop",
        g.vectors,
        FLAGS,
        "Apache Trusted Releases' HS256 API JWTs bound to a key: cnf.jkt in the token, Authorization: DPoP and a DPoP proof (RFC 9449 §7) on each request. The token is checked as ATR checks it today (PyJWT itself), the proof as tools/caveatgen/dpop_check.py checks it.",
        stamp("atr_dpop", ("setup", "requirements/jose.txt")),
        {
            "rfcs": ["RFC 9449", "RFC 7800", "RFC 7638", "RFC 7519"],
            "pyjwt": atr.jwt.__version__,
            "cryptography": cryptography.__version__,
        },
    )


if __name__ == "__main__":
    main()
