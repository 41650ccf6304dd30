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
from caveatgen.bound_request import ath, presentation, proof_for, refused
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
    proof_input = {"proof": proofs[0], "method": inp["method"], "url": inp["url"], "now": inp["now"],
                   "access_token": credentials, "expected_jkt": payload["cnf"]["jkt"],
                   "replay": inp.get("replay", [])}
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

    def add(self, area, slug, description, flags, authorization, dpop_fields=(), method=METHOD, url=URL,
            now=NOW, key=KEY, nonce=None, replay=()):
        vid = f"atr-dpop/{area}/{slug}"
        assert vid not in self.ids, vid
        self.ids.add(vid)
        inp = {"authorization": list(authorization), "dpop": list(dpop_fields), "method": method, "url": url,
               "now": now, "key": key, "iss_aud": ISS}
        if nonce is not None:
            inp["nonce"] = nonce
        if replay:
            inp["replay"] = [{"proof": p, "now": n} for p, n in replay]
        self.vectors.append({"id": vid, "kind": "atr_dpop_request", "description": description,
                             "flags": list(flags), "input": inp, "expected": bound_verify(inp)})

    def bound(self, area, slug, description, flags, token=None, scheme="DPoP", proof_fields=None, **kw):
        """A bound token presented with `scheme` and, by default, one fresh proof for it."""
        token = token or bound_token()
        fields = [proof(token)] if proof_fields is None else proof_fields
        self.add(area, slug, description, flags, [f"{scheme} {token}"], fields, **kw)
        return token


def build(g: Gen):
    token = bound_token()
    good = proof(token)
    g.bound("baseline", "ed25519", "A token bound to the RFC 8037 Ed25519 key, a fresh EdDSA proof for it.",
            ["baseline"], token=token, proof_fields=[good])
    p_token = bound_token(P_JKT)
    g.bound("baseline", "p256", "A token bound to the fixed P-256 key, a fresh ES256 proof for it.", ["baseline"],
            token=p_token, proof_fields=[proof(p_token, key="p256")])
    for slug, scheme in (("scheme-lower", "dpop"), ("scheme-upper", "DPOP")):
        g.bound("baseline", slug, f"Scheme {scheme!r}: compared case-insensitively, as ATR compares bearer.",
                ["baseline", "header-fields"], token=token, scheme=scheme, proof_fields=[good])
    g.bound("baseline", "url-with-query", "The request URL carries a query; htu does not.", ["baseline", "proof"],
            token=token, proof_fields=[good], url=URL + "?page=2")
    g.bound("baseline", "proof-at-window-start", "The proof's iat 300 s before the clock.", ["baseline", "proof"],
            token=token, proof_fields=[good], now=NOW + 300)
    bearer = sign(text(HEADER), text(claims()))
    g.add("baseline", "bearer-unbound", "An unbound token as ATR issues it today, Bearer, no proof.",
          ["baseline", "bearer-token"], [f"Bearer {bearer}"])
    g.bound("baseline", "nonce", "The server requires a nonce and the proof carries it.", ["baseline", "nonce"],
            token=token, proof_fields=[proof(token, nonce="n-2026")], nonce="n-2026")
    g.bound("baseline", "other-token-claims", "The bound token also carries ATR's atr_th; extra claims are ignored.",
            ["baseline"], token=bound_token(atr_th="00" * 32))

    # The header fields.
    g.add("fields", "no-authorization", "A proof and no Authorization field.", ["header-fields"], [], [good])
    g.add("fields", "bearer-and-dpop", "Two Authorization fields, Bearer and DPoP (RFC 9449 Figure 19).",
          ["header-fields"], [f"Bearer {token}", f"DPoP {token}"], [good])
    g.add("fields", "dpop-twice", "The same Authorization field twice.", ["header-fields"],
          [f"DPoP {token}", f"DPoP {token}"], [good])
    g.add("fields", "two-proofs", "Two DPoP fields, both valid proofs for the request.", ["header-fields", "proof"],
          [f"DPoP {token}"], [good, proof(token, jti="second-proof")])
    g.add("fields", "comma-joined-proofs", "Two proofs joined by a comma in one DPoP field: not one JWS.",
          ["header-fields", "proof"], [f"DPoP {token}"], [f"{good}, {good}"])
    g.add("fields", "empty-proof", "An empty DPoP field.", ["header-fields", "proof"], [f"DPoP {token}"], [""])
    for slug, value in (("basic-scheme", f"Basic {token}"), ("no-space", f"DPoP{token}"), ("token-only", token),
                        ("tab", f"DPoP\t{token}"), ("leading-space", f" DPoP {token}"), ("empty", "")):
        g.add("fields", slug, f"Authorization {value[:12]!r}…: not the Bearer or DPoP scheme.", ["header-fields"],
              [value], [good])
    g.add("fields", "two-spaces", "Two spaces after DPoP: the token keeps a leading space and does not decode.",
          ["header-fields", "token-first"], [f"DPoP  {token}"], [good])

    # Bound and unbound tokens under the wrong scheme.
    g.bound("downgrade", "bearer-no-proof", "A bound token sent as Bearer without a proof (RFC 9449 §7.2).",
            ["downgrade"], token=token, scheme="Bearer", proof_fields=[])
    g.bound("downgrade", "bearer-with-proof", "A bound token sent as Bearer with a valid proof.", ["downgrade"],
            token=token, scheme="Bearer", proof_fields=[good])
    g.bound("downgrade", "bearer-lower-with-proof", "A bound token sent as bearer (lower case) with a valid proof.",
            ["downgrade"], token=token, scheme="bearer", proof_fields=[good])
    g.add("downgrade", "unbound-as-dpop", "An unbound token sent as DPoP with a proof for it.", ["downgrade"],
          [f"DPoP {bearer}"], [proof(bearer)])
    g.add("downgrade", "unbound-as-dpop-no-proof", "An unbound token sent as DPoP without a proof.", ["downgrade"],
          [f"DPoP {bearer}"])
    g.add("downgrade", "unbound-bearer-with-proof", "An unbound token sent as Bearer with a DPoP field.",
          ["downgrade", "bearer-token"], [f"Bearer {bearer}"], [proof(bearer)])
    g.bound("downgrade", "dpop-no-proof", "A bound token sent as DPoP without a DPoP field.", ["downgrade", "proof"],
            token=token, proof_fields=[])

    # The cnf claim.
    for slug, cnf, what in (
        ("jkt-and-x5t", {"jkt": ED_JKT, "x5t#S256": ED_JKT}, "jkt and x5t#S256: two confirmation methods"),
        ("jkt-and-unknown", {"jkt": ED_JKT, "note": "x"}, "jkt and an unknown member"),
        ("jwk-instead", {"jwk": dpop.ED_JWK}, "a jwk instead of a jkt"),
        ("empty-object", {}, "an empty object"),
        ("null", None, "null"),
        ("string", ED_JKT, "the thumbprint as a bare string"),
        ("list", [ED_JKT], "a list"),
        ("jkt-padded", {"jkt": ED_JKT + "="}, "jkt with = padding"),
        ("jkt-hex", {"jkt": hashlib.sha256(b"k").hexdigest()}, "jkt as 64 hex digits"),
        ("jkt-short", {"jkt": ED_JKT[:42]}, "jkt one character short"),
        ("jkt-dirty-bits", {"jkt": ED_JKT[:42] + ("l" if ED_JKT[42] != "l" else "m")}, "jkt whose last character has unused bits set"),
        ("jkt-standard-alphabet", {"jkt": ED_JKT.replace("-", "+").replace("_", "/")} if any(c in ED_JKT for c in "-_") else {"jkt": "+" + ED_JKT[1:]},
         "jkt in the standard base64 alphabet"),
        ("jkt-number", {"jkt": 7}, "jkt a number"),
        ("jkt-null", {"jkt": None}, "jkt null"),
    ):
        t = sign(text(HEADER), text(claims(cnf=cnf)))
        g.bound("cnf", slug, f"cnf is {what}; the proof is valid for the request and token.", ["cnf"], token=t)
    dup = text(claims(cnf={"jkt": P_JKT}))[:-1] + ',"cnf":{"jkt":"%s"}}' % ED_JKT
    t = sign(text(HEADER), dup)
    g.bound("cnf", "duplicate-last-wins", "cnf twice, bound to the P-256 key then to the Ed25519 key; the Ed25519 proof passes because the last member wins.",
            ["cnf", "pyjwt-quirk"], token=t)
    g.bound("cnf", "duplicate-first-key-proof", "cnf twice, P-256 key then Ed25519 key; a P-256 proof is refused.",
            ["cnf", "pyjwt-quirk"], token=t, proof_fields=[proof(t, key="p256")])

    # The token is checked first.
    for slug, t, what in (
        ("expired", bound_token(exp=NOW - 3600), "expired"),
        ("other-key", sign(text(HEADER), text(claims(cnf={"jkt": ED_JKT})), OTHER_KEY), "signed with another key"),
        ("missing-jti", bound_token(jti=DROP), "without jti"),
        ("alg-none", sign(text({"alg": "none"}), text(claims(cnf={"jkt": ED_JKT}))), "with alg none"),
    ):
        g.bound("token", slug, f"A bound token {what}, with a valid proof for it.", ["token-first"], token=t)
    g.add("token", "not-a-jwt", "A macaroon in place of the JWT, with a proof for it.", ["token-first"],
          [f"DPoP {dpop.TOKEN}"], [proof(dpop.TOKEN)])

    # The proof against the request, the token and cnf.jkt.
    g.bound("proof", "other-key", "A proof by the P-256 key for a token bound to the Ed25519 key.", ["proof"],
            token=token, proof_fields=[proof(token, key="p256")])
    g.bound("proof", "no-ath", "A proof without ath.", ["proof"], token=token,
            proof_fields=[proof(token, ath=dpop.DROP)])
    g.bound("proof", "ath-of-header", "ath over the whole Authorization value, not the token.", ["proof"],
            token=token, proof_fields=[proof(token, ath=ath(f"DPoP {token}"))])
    other = bound_token(sub="bob")
    g.bound("proof", "ath-of-other-token", "A proof made for another token bound to the same key.", ["proof"],
            token=token, proof_fields=[proof(other)])
    g.bound("proof", "htm-get", "The proof's htm GET for a POST.", ["proof"], token=token,
            proof_fields=[proof(token, htm="GET")])
    g.bound("proof", "htu-other-path", "The proof's htu names another path.", ["proof"], token=token,
            proof_fields=[proof(token, htu="https://atr.example.org/api/delete")])
    g.bound("proof", "iat-too-old", "The proof's iat 301 s before the clock.", ["proof"], token=token,
            proof_fields=[good], now=NOW + 301)
    g.bound("proof", "iat-ahead", "The proof's iat 61 s after the clock.", ["proof"], token=token,
            proof_fields=[good], now=NOW - 61)
    g.bound("proof", "typ-jwt", "A proof with typ JWT.", ["proof"], token=token,
            proof_fields=[proof(token, header=dpop.header_for("ed", typ="JWT"))])
    g.bound("proof", "nonce-missing", "The server requires a nonce; the proof has none.", ["proof", "nonce"],
            token=token, nonce="n-2026")
    g.bound("proof", "nonce-other", "The server requires a nonce; the proof carries another.", ["proof", "nonce"],
            token=token, proof_fields=[proof(token, nonce="n-2025")], nonce="n-2026")
    g.bound("proof", "replayed", "The same proof accepted 10 s earlier.", ["proof", "replay"], token=token,
            proof_fields=[good], now=NOW + 10, replay=[(good, NOW)])
    g.bound("proof", "fresh-after-earlier", "A fresh proof after an earlier one was accepted.", ["proof", "replay"],
            token=token, proof_fields=[proof(token, jti="fresh")], now=NOW + 10, replay=[(good, NOW)])
    g.bound("proof", "bearer-token-proof", "A proof whose ath is the hash of the unbound token.", ["proof"],
            token=token, proof_fields=[proof(bearer)])


def main():
    g = Gen()
    build(g)
    write_file(
        "atr-dpop", g.vectors, FLAGS,
        "Apache Trusted Releases' HS256 API JWTs bound to a key: cnf.jkt in the token, Authorization: DPoP and a DPoP proof (RFC 9449 §7) on each request. The token is checked as ATR checks it today (PyJWT itself), the proof as tools/caveatgen/dpop_check.py checks it.",
        stamp("atr_dpop", ("setup", "requirements/jose.txt")),
        {"rfcs": ["RFC 9449", "RFC 7800", "RFC 7638", "RFC 7519"], "pyjwt": atr.jwt.__version__,
         "cryptography": cryptography.__version__})

if __name__ == "__main__":
    main()
