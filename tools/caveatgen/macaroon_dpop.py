"""Writes vectors/macaroon-dpop.json: PyPI tokens bound to a key by a `[5, jkt]` caveat and
presented with a DPoP proof (SPEC §10.9), in the strict profile.

    tools/caveatgen/setup --generate macaroon-dpop

Each vector is one request: its Authorization and DPoP header fields (lists: a field may be
missing or repeated), method, URL and clock, and the token's database row and project as in a
`verify` vector. The oracle is `request_verify`: the header fields, then the proof as
dpop_check.py checks it (`ath` over the presented token), then the token as pypi_strict.py
verifies it with the proof's key. Tokens are minted with pymacaroons (pypi_fixtures.py), proofs
signed with dpop_fixtures.py's fixed keys: every run writes the same bytes.
"""

import base64

import cryptography

from caveatgen import bound_request as atr_bound
from caveatgen import dpop_check as check
from caveatgen import dpop_fixtures as dpop
from caveatgen import pypi_fixtures as cases
from caveatgen import pypi_strict as strict
from caveatgen.digest import stamp
from caveatgen.pypi_fixtures import IDENT, KEY, mint
from caveatgen.vectorfile import write_file

METHOD = "POST"
URL = "https://upload.pypi.org/legacy/"
NOW = cases.NOW
ED_JKT = check.thumbprint_of(dpop.ED_JWK)
P_JKT = check.thumbprint_of(dpop.P_JWK)
ED_BIND = f'[5,"{ED_JKT}"]'
P_BIND = f'[5,"{P_JKT}"]'
ROW = {"identifier": IDENT, "owner": cases.USER_OWNER, "stored_caveats": []}
WINDOW = f"[0,{cases.EXP},{cases.NBF}]"

FLAGS = {
    "baseline": "A request as a client of the profile sends it.",
    "bearer-token": "An unbound token under the Bearer scheme.",
    "header-fields": "How many Authorization and DPoP fields the request carries, and the scheme.",
    "downgrade": "A bound token presented without DPoP, or an unbound one with it.",
    "attenuation": "A token narrowed offline by its holder: a new string, so a new proof.",
    "proof": "The DPoP proof against the request and the presented token (ath).",
    "key-binding": "The token's [5, jkt] caveats against the proof's key.",
    "token": "The token's other caveats and signature, with a valid proof.",
    "replay": "The proof's jti was accepted before, by the proofs in input.replay.",
    "alg-twin": "The twin of the vector whose id lacks the -es256 suffix: the token bound to the fixed P-256 key, the proofs signed with ES256.",
}


def is_bound(token: str) -> bool:
    """Whether the token carries a KeyBinding caveat (called on tokens strict.verify accepted)."""
    _, _, caveats, _ = strict.decode(token)
    return any(strict.parse_caveat(c, None)[0] == "KeyBinding" for c in caveats)


def request_verify(inp: dict) -> dict:
    """The strict profile's answer to one request (see SPEC §10.9 for the order)."""
    read = atr_bound.presentation(inp)
    if isinstance(read, dict):
        return read
    dpop_scheme, token, proofs = read
    proof_jkt = None
    if dpop_scheme:
        if not proofs:
            return atr_bound.refused("bound.proof_missing")
        proof_input = {
            "proof": proofs[0],
            "method": inp["method"],
            "url": inp["url"],
            "now": inp["now"],
            "access_token": token,
        }
        if "nonce" in inp:
            proof_input["nonce"] = inp["nonce"]
        proof_verdict = check.check_with_history(proof_input)
        if not proof_verdict["valid"]:
            return proof_verdict
        proof_jkt = proof_verdict["jkt"]
    elif proofs:
        return atr_bound.refused("bound.unexpected_proof")
    valid, codes = strict.verify(
        token, bytes.fromhex(inp["key_hex"]), inp["row"], inp["now"], inp["project"], proof_jkt
    )
    if not valid:
        return atr_bound.refused(*codes)
    if dpop_scheme and not is_bound(token):
        return atr_bound.refused("bound.not_bound")
    if proof_jkt and inp.get("replay"):
        # The replay cache comes last: only an accepted request is recorded.
        replayed = check.check_with_history({**proof_input, "replay": inp["replay"]})
        if not replayed["valid"]:
            return replayed
    return {"valid": True, "jkt": proof_jkt} if proof_jkt else {"valid": True}


def proof(token: str, key="ed", **changes) -> str:
    """A proof for the default request, bound to `token` by ath, signed with a fixed key."""
    return atr_bound.proof_for(token, METHOD, URL, NOW, key, **changes)


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
        now=NOW,
        project=cases.PROJ,
        key=KEY,
        replay=(),
    ):
        vid = f"macaroon-dpop/{area}/{slug}"
        assert vid not in self.ids, vid
        self.ids.add(vid)
        inp = {
            "authorization": list(authorization),
            "dpop": list(dpop_fields),
            "method": METHOD,
            "url": URL,
            "now": now,
            "key_hex": key.hex(),
            "project": project,
            "row": ROW,
        }
        if replay:
            inp["replay"] = [{"proof": p, "now": n} for p, n in replay]
        self.vectors.append(
            {
                "id": vid,
                "kind": "macaroon_dpop_request",
                "description": description,
                "flags": list(flags),
                "input": inp,
                "expected": request_verify(inp),
            }
        )

    def dpop(self, area, slug, description, flags, token, proofs=None, **kw):
        """`token` under the DPoP scheme with, by default, one fresh Ed25519 proof for it."""
        self.add(area, slug, description, flags, [f"DPoP {token}"], [proof(token)] if proofs is None else proofs, **kw)


class Keyed(atr_bound.Twins):
    """This file's sections under one proof key (see bound_request.py's `Twins`): tokens bound
    by a [5, jkt] caveat."""

    prefix = "macaroon-dpop"
    make_proof = staticmethod(proof)

    def __init__(self, g: Gen, key: str):
        super().__init__(g, key)
        self.bind, self.other_bind = (P_BIND, ED_BIND) if self.twin else (ED_BIND, P_BIND)
        self.bound = mint(cases.PROJECT_TOKEN + [self.bind])
        self.good = self.proof(self.bound)

    def dpop(self, area, slug, description, flags, token, proofs=None, **kw):
        self.add(
            area, slug, description, flags, [f"DPoP {token}"], [self.proof(token)] if proofs is None else proofs, **kw
        )


def build(g: Gen):
    bound = mint(cases.PROJECT_TOKEN + [ED_BIND])
    good = proof(bound)
    g.dpop(
        "baseline",
        "ed25519",
        "A project token bound to the RFC 8037 Ed25519 key, a fresh EdDSA proof for it.",
        ["baseline"],
        bound,
        [good],
    )
    p_bound = mint(cases.PROJECT_TOKEN + [P_BIND])
    g.dpop(
        "baseline",
        "p256",
        "A project token bound to the fixed P-256 key, a fresh ES256 proof for it.",
        ["baseline"],
        p_bound,
        [proof(p_bound, key="p256")],
    )
    for section in (baseline, attenuation, downgrade, fields, proof_checks, token_checks):
        for key in ("ed", "p256"):
            section(Keyed(g, key))


def baseline(k: Keyed):
    windowed = mint(cases.PROJECT_TOKEN + [WINDOW, k.bind])
    k.dpop(
        "baseline",
        "with-window",
        "A binding after a project scope and an expiry window, all holding.",
        ["baseline"],
        windowed,
    )
    k.add(
        "baseline",
        "scheme-lower",
        "The scheme written dpop: compared case-insensitively.",
        ["baseline", "header-fields"],
        [f"dpop {k.bound}"],
        [k.good],
    )
    if not k.twin:  # no proof
        k.add(
            "baseline",
            "bearer-unbound",
            "An unbound project token under Bearer, no proof.",
            ["baseline", "bearer-token"],
            [f"Bearer {mint(cases.PROJECT_TOKEN)}"],
        )
    k.dpop("baseline", "binding-only", "A token whose only caveat is the binding.", ["baseline"], mint([k.bind]))


def attenuation(k: Keyed):
    """The holder narrows or binds the token offline; each new string needs its own proof."""
    narrowed = mint(cases.PROJECT_TOKEN + [k.bind, WINDOW])
    k.dpop(
        "attenuation",
        "narrowed-fresh-proof",
        "The bound token narrowed by an expiry window, with a proof for the new string.",
        ["attenuation"],
        narrowed,
    )
    k.dpop(
        "attenuation",
        "narrowed-old-proof",
        "The bound token narrowed by an expiry window, with the proof made for the token before.",
        ["attenuation", "proof"],
        narrowed,
        [k.good],
    )
    k.dpop(
        "attenuation",
        "bound-by-holder",
        "A user-scoped token its holder bound to its own key by appending [5, jkt] (the HMAC chain needs no secret).",
        ["attenuation", "key-binding"],
        mint(cases.USER_TOKEN + [k.bind]),
    )
    if not k.twin:  # a proof of each key already
        two = mint(cases.PROJECT_TOKEN + [P_BIND, ED_BIND])
        k.dpop(
            "attenuation",
            "rebound-ed25519-proof",
            "A token bound to the P-256 key, then bound again to the Ed25519 key: an Ed25519 proof satisfies only one binding.",
            ["attenuation", "key-binding"],
            two,
        )
        k.dpop(
            "attenuation",
            "rebound-p256-proof",
            "The same twice-bound token with a P-256 proof.",
            ["attenuation", "key-binding"],
            two,
            [proof(two, key="p256")],
        )
    k.dpop(
        "attenuation",
        "same-binding-twice",
        "The same binding added twice: one key satisfies both.",
        ["attenuation", "key-binding"],
        mint(cases.PROJECT_TOKEN + [k.bind, k.bind]),
    )


def downgrade(k: Keyed):
    """Scheme against binding."""
    bound, unbound = k.bound, mint(cases.PROJECT_TOKEN)
    if not k.twin:  # no proof
        k.add(
            "downgrade",
            "bound-as-bearer",
            "A bound token under Bearer without a proof: its binding fails.",
            ["downgrade", "key-binding"],
            [f"Bearer {bound}"],
        )
    k.add(
        "downgrade",
        "bound-as-bearer-with-proof",
        "A bound token under Bearer with a valid proof.",
        ["downgrade"],
        [f"Bearer {bound}"],
        [k.good],
    )
    k.add(
        "downgrade",
        "unbound-as-dpop",
        "An unbound token under DPoP with a valid proof for it.",
        ["downgrade"],
        [f"DPoP {unbound}"],
        [k.proof(unbound)],
    )
    if not k.twin:  # no proof
        k.add(
            "downgrade",
            "bound-without-proof",
            "A bound token under DPoP without a DPoP field.",
            ["downgrade"],
            [f"DPoP {bound}"],
        )


def fields(k: Keyed):
    """Header fields."""
    bound, good = k.bound, k.good
    k.add(
        "fields",
        "two-authorization",
        "Two Authorization fields, Bearer and DPoP.",
        ["header-fields"],
        [f"Bearer {bound}", f"DPoP {bound}"],
        [good],
    )
    k.add("fields", "no-authorization", "A proof and no Authorization field.", ["header-fields"], [], [good])
    k.add(
        "fields",
        "two-proofs",
        "Two DPoP fields, both valid proofs.",
        ["header-fields"],
        [f"DPoP {bound}"],
        [good, k.proof(bound, jti="second")],
    )
    basic = base64.b64encode(f"__token__:{bound}".encode()).decode()
    k.add(
        "fields",
        "basic-scheme",
        "The token as the password of HTTP Basic with user __token__, as uploads send it today.",
        ["header-fields"],
        [f"Basic {basic}"],
        [good],
    )


def proof_checks(k: Keyed):
    """The proof."""
    bound, good = k.bound, k.good
    this, other = ("P-256", "Ed25519") if k.twin else ("Ed25519", "P-256")
    k.dpop(
        "proof",
        "other-key",
        f"A{'n' if other == 'Ed25519' else ''} {other} proof for a token bound to the {this} key.",
        ["proof", "key-binding"],
        bound,
        [proof(bound, key=k.other)],
    )
    k.dpop("proof", "no-ath", "A proof without ath.", ["proof"], bound, [k.proof(bound, ath=dpop.DROP)])
    k.dpop(
        "proof",
        "ath-of-header",
        "ath over the whole Authorization value.",
        ["proof"],
        bound,
        [k.proof(bound, ath=atr_bound.ath(f"DPoP {bound}"))],
    )
    k.dpop("proof", "htm-get", "The proof's htm GET for a POST.", ["proof"], bound, [k.proof(bound, htm="GET")])
    k.dpop("proof", "too-old", "The proof's iat 301 s before the clock.", ["proof"], bound, [good], now=NOW + 301)
    k.dpop(
        "proof",
        "replayed",
        "The same proof accepted 10 s earlier.",
        ["proof", "replay"],
        bound,
        [good],
        now=NOW + 10,
        replay=[(good, NOW)],
    )


def token_checks(k: Keyed):
    """The token's own caveats and signature."""
    bound = k.bound
    windowed = mint(cases.PROJECT_TOKEN + [WINDOW, k.bind])
    k.dpop(
        "token",
        "expired",
        "A bound token at the end of its expiry window, with a proof made at that moment.",
        ["token"],
        windowed,
        [k.proof(windowed, iat=cases.EXP)],
        now=cases.EXP,
    )
    k.dpop(
        "token",
        "other-project",
        "A bound project token used on another project, with a valid proof.",
        ["token"],
        bound,
        project=cases.OTHER_PROJ,
    )
    k.dpop(
        "token",
        "wrong-key",
        "A bound token checked with another root key, with a valid proof.",
        ["token"],
        bound,
        key=bytes(32),
    )
    k.dpop(
        "token",
        "other-project-and-other-key-proof",
        "Another project and a proof by another key: every failing caveat, in order.",
        ["token", "key-binding"],
        bound,
        [proof(bound, key=k.other)],
        project=cases.OTHER_PROJ,
    )


def main():
    g = Gen()
    build(g)
    write_file(
        "macaroon-dpop",
        g.vectors,
        FLAGS,
        "PyPI tokens bound to a key by a [5, jkt] caveat, presented with Authorization: DPoP and a DPoP proof (RFC 9449 §7), in the strict profile. The proof is checked as tools/caveatgen/dpop_check.py checks it, the token as tools/caveatgen/pypi_strict.py verifies it.",
        stamp("macaroon_dpop", ("setup", "requirements/jose.txt")),
        {"rfcs": ["RFC 9449", "RFC 7638"], "pymacaroons": "0.13.0", "cryptography": cryptography.__version__},
    )


if __name__ == "__main__":
    main()
