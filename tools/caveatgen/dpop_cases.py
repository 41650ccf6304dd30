"""The DPoP and thumbprint cases: what each vector is about. dpop_gen.py turns them into vectors.

Most checks do not depend on the signature algorithm, so each such case is written once and
run in two passes: first under the key it was written for, with the id it always had, then
under the other key as its twin, whose id ends in `-es256` or `-eddsa` (dropping the slug's own
algorithm word if it starts with one: `eddsa-signature-65-bytes` has the twin
`signature-65-bytes-es256`). A verifier of either algorithm is so held to every check. Cases
about one algorithm alone have no twin: RFC 9449's example signatures and their low-S twins,
ECDSA's r and s values and DER, Ed25519's non-canonical S and small-order points, and the alg
name `Ed25519`.
"""

import json

from caveatgen import dpop_fixtures

OTHER = {"ed": "p256", "p256": "ed"}
ALG = {"ed": "EdDSA", "p256": "ES256"}
NAME = {"ed": "Ed25519", "p256": "P-256"}
SUFFIX = {"ed": "-eddsa", "p256": "-es256"}
ALG_WORDS = {"ed": ("eddsa-", "ed25519-"), "p256": ("es256-", "p256-")}
SIGNER = {"ed": "EdDSA by the RFC 8037 Ed25519 key", "p256": "ES256 by the fixed P-256 key"}
# RFC 8032 §7.1 TEST 2's public key: an Ed25519 key other than RFC 8037's.
OTHER_ED_X = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")


class Pass:
    """One run of a group of cases: the originals, or (`twins`) their twins under the other key.
    Before each case, `first(key)` names the key the case was written for and says whether the
    case runs in this pass; the case then takes its key, header, signer and id from here."""

    def __init__(self, g, d, twins):
        self.g, self.d, self.twins = g, d, twins
        self.key = self.first_key = "ed"

    def first(self, key):
        self.first_key = key
        self.key = OTHER[key] if self.twins else key
        return True

    @property
    def jwk(self):
        return self.d.ED_JWK if self.key == "ed" else self.d.P_JWK

    def header(self, **changes):
        return self.d.header_for(self.key, **changes)

    def sign(self, header_text, payload_text):
        return self.d.sign(header_text, payload_text, self.key)

    def _named(self, area, slug, description, figures):
        """The id slug and description of this pass's version of a case."""
        if not self.twins:
            return slug, description
        twin = slug
        for word in ALG_WORDS[self.first_key]:
            if twin.startswith(word):
                twin = twin[len(word) :]
        how = (
            f"the figures' claims signed here with {SIGNER[self.key]}" if figures else f"signed with {SIGNER[self.key]}"
        )
        return twin + SUFFIX[self.key], f"{description} The twin of `dpop/{area}/{slug}`, {how}."

    def signed(self, area, slug, description, flags, **kw):
        slug, description = self._named(area, slug, description, False)
        flags = list(flags) + (["alg-twin"] if self.twins else [])
        return self.g.signed(area, slug, description, flags, key=self.key, **kw)

    def proof(self, area, slug, description, flags, proof, figures=False, **request):
        slug, description = self._named(area, slug, description, figures)
        if self.twins:
            flags = (
                ["needs-signing"]
                + [f for f in flags if f not in ("needs-signing", "rfc-derived", "rfc-example")]
                + ["alg-twin"]
            )
        self.g.proof(area, slug, description, flags, proof, **request)


def build(g, d=dpop_fixtures):
    rfc(g, d)
    for group in (derived, header, jwk, claims, encoding, ath_nonce, clock, htu, replay):
        for twins in (False, True):
            group(g, d, Pass(g, d, twins))
    thumbprints(g, d)
    for twins in (False, True):
        edges(g, d, Pass(g, d, twins))
    key_cache(g, d)


def figures(d, key):
    """RFC 9449's Figures 2, 7 and 13 and the thumbprint of their key as published (P-256), or
    the same claims signed here with the Ed25519 key and its thumbprint."""
    if key == "p256":
        return d.FIG2, d.FIG7, d.FIG13, d.RFC9449_JKT

    def resign(fig):
        return d.sign(d.text(d.header_for("ed")), d.b64u_decode(fig.split(".")[1]).decode(), "ed")

    return resign(d.FIG2), resign(d.FIG7), resign(d.FIG13), d.check.thumbprint_of(d.ED_JWK)


def rfc(g, d):
    ex = ["rfc-example", "high-s"]
    g.proof(
        "rfc", "figure-2", "RFC 9449 Figure 2 (token request) at its iat.", ex, d.FIG2, url=d.FIG2_URL, now=d.FIG2_IAT
    )
    g.proof(
        "rfc",
        "figure-2-low-s",
        "Figure 2 with its signature's low-S twin: also valid ECDSA.",
        ["rfc-derived", "low-s"],
        d.twin(d.FIG2),
        url=d.FIG2_URL,
        now=d.FIG2_IAT,
    )
    g.proof(
        "rfc",
        "figure-7",
        "RFC 9449 Figure 7 (refresh request) at its iat; its S is low.",
        ["rfc-example", "low-s"],
        d.FIG7,
        url=d.FIG2_URL,
        now=d.FIG7_IAT,
    )
    g.proof(
        "rfc",
        "figure-13",
        "RFC 9449 Figure 13 (resource request) with its access token and the bound jkt of Figure 11.",
        ex + ["ath", "jkt-binding"],
        d.FIG13,
        method="GET",
        url=d.FIG13_URL,
        now=d.FIG13_IAT,
        access_token=d.FIG13_TOKEN,
        expected_jkt=d.RFC9449_JKT,
    )
    g.proof(
        "rfc",
        "figure-13-low-s",
        "Figure 13 with its signature's low-S twin.",
        ["rfc-derived", "low-s", "ath"],
        d.twin(d.FIG13),
        method="GET",
        url=d.FIG13_URL,
        now=d.FIG13_IAT,
        access_token=d.FIG13_TOKEN,
        expected_jkt=d.RFC9449_JKT,
    )
    g.proof(
        "rfc",
        "figure-7-high-s-twin",
        "Figure 7's high-S twin: accepted under the default policy.",
        ["rfc-derived", "high-s"],
        d.twin(d.FIG7),
        url=d.FIG2_URL,
        now=d.FIG7_IAT,
    )
    for slug, proof, iat, url, method, extra in (
        ("figure-2", d.FIG2, d.FIG2_IAT, d.FIG2_URL, "POST", {}),
        ("figure-13", d.FIG13, d.FIG13_IAT, d.FIG13_URL, "GET", {"access_token": d.FIG13_TOKEN}),
    ):
        for delta, what in (
            (300, "300 s after its iat: the window's oldest end, accepted"),
            (301, "301 s after its iat: one second past the window"),
            (-60, "60 s before its iat: the window's newest end, accepted"),
            (-61, "61 s before its iat: one second before the window"),
        ):
            name = f"{slug}-now-{'plus' if delta > 0 else 'minus'}-{abs(delta)}"
            g.proof(
                "rfc",
                name,
                f"{slug.replace('-', ' ').capitalize()} checked {what}.",
                ["rfc-derived", "clock"],
                proof,
                method=method,
                url=url,
                now=iat + delta,
                **extra,
            )


def derived(g, d, k):
    k.first("p256")
    fig2, fig7, fig13, jkt = figures(d, k.key)

    def case(slug, description, flags, proof, **request):
        k.proof("derived", slug, description, flags, proof, figures=True, **request)

    f2 = dict(url=d.FIG2_URL, now=d.FIG2_IAT)
    f13 = dict(method="GET", url=d.FIG13_URL, now=d.FIG13_IAT, access_token=d.FIG13_TOKEN)
    r = ["rfc-derived"]
    case("method-get", "Figure 2 presented with a GET request.", r + ["htm"], fig2, method="GET", **f2)
    case(
        "method-lowercase",
        "Figure 2 with the method spelled `post`: methods are case-sensitive.",
        r + ["htm"],
        fig2,
        method="post",
        **f2,
    )
    f13m = {n: v for n, v in f13.items() if n != "method"}
    case("figure-13-method-post", "Figure 13 presented with a POST request.", r + ["htm"], fig13, method="POST", **f13m)
    for slug, url, desc in (
        ("path-other", "https://server.example.com/authorize", "another path"),
        ("path-trailing-slash", "https://server.example.com/token/", "a trailing slash"),
        ("path-case", "https://server.example.com/Token", "the path in another case"),
        ("scheme-http", "http://server.example.com/token", "http for https"),
        ("host-other", "https://as.example.com/token", "another host"),
        ("port-other", "https://server.example.com:8443/token", "another port"),
    ):
        case(slug, f"Figure 2 at a request URL with {desc}.", r + ["htu-normalisation"], fig2, url=url, now=d.FIG2_IAT)
    for slug, url, desc in (
        (
            "url-query-fragment",
            "https://server.example.com/token?grant_type=x#frag",
            "a query and a fragment, which are ignored",
        ),
        (
            "url-uppercase-default-port",
            "HTTPS://SERVER.EXAMPLE.COM:443/token",
            "an uppercase scheme and host and the default port",
        ),
    ):
        case(slug, f"Figure 2 at a request URL with {desc}.", r + ["htu-normalisation"], fig2, url=url, now=d.FIG2_IAT)
    case(
        "request-url-ftp",
        "Figure 2 checked against a request URL that is not http(s).",
        r + ["htu-normalisation"],
        fig2,
        url="ftp://server.example.com/token",
        now=d.FIG2_IAT,
    )
    case(
        "figure-13-token-altered",
        "Figure 13 with one character of the access token changed: ath differs.",
        r + ["ath"],
        fig13,
        **{**f13, "access_token": d.FIG13_TOKEN[:-1] + "V"},
    )
    case(
        "figure-13-no-access-token",
        "Figure 13 without an access token (as at a token endpoint): its ath is ignored.",
        r + ["ath"],
        fig13,
        method="GET",
        url=d.FIG13_URL,
        now=d.FIG13_IAT,
    )
    case(
        "figure-2-at-resource",
        "Figure 2 presented with an access token: it has no ath.",
        r + ["ath"],
        fig2,
        access_token=d.FIG13_TOKEN,
        **f2,
    )
    case(
        "figure-13-other-jkt",
        "Figure 13 with the access token bound to another key (RFC 9449 §10's RSA thumbprint).",
        r + ["jkt-binding"],
        fig13,
        expected_jkt=d.RFC7638_JKT,
        **f13,
    )
    key_jkt = "the expected jkt of Figures 9 and 11" if k.key == "p256" else "the expected jkt of its key"
    case("figure-2-jkt", f"Figure 2 with {key_jkt}.", r + ["jkt-binding"], fig2, expected_jkt=jkt, **f2)
    case(
        "figure-2-jkt-padded",
        f"Figure 2 with the expected jkt{'' if k.key == 'p256' else ' of its key'} written with `=` padding: not the same string.",
        r + ["jkt-binding"],
        fig2,
        expected_jkt=jkt + "=",
        **f2,
    )
    case(
        "figure-2-nonce-required",
        "Figure 2 where the server requires a nonce (RFC 9449 Figure 20's): it has none.",
        r + ["nonce"],
        fig2,
        nonce="eyJ7S_zG.eyJH0-Z.HX4w-7v",
        **f2,
    )
    h, p, s = fig2.split(".")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    tail = s[-2] + alphabet[alphabet.index(s[-1]) ^ 1]
    case(
        "signature-trailing-bits",
        f"Figure 2 with the unused low bits of the signature's last character set (`…{tail}`): not canonical base64url.",
        r + ["base64url"],
        f"{h}.{p}.{s[:-2]}{tail}",
        **f2,
    )
    case(
        "signature-padded", "Figure 2 with `==` padding after the signature.", r + ["base64url"], f"{h}.{p}.{s}==", **f2
    )
    standard = s.replace("-", "+").replace("_", "/")
    assert standard != s, "the signature has no character that the standard alphabet spells otherwise"
    case(
        "signature-standard-alphabet",
        "Figure 2's signature in the standard alphabet (`+` and `/`).",
        r + ["base64url"],
        f"{h}.{p}.{standard}",
        **f2,
    )
    raw = bytearray(d.b64u_decode(s))
    raw[10] ^= 1
    case(
        "signature-bit-flipped",
        f"Figure 2 with one bit of {'r' if k.key == 'p256' else 'R'} flipped.",
        r,
        f"{h}.{p}.{d.b64u_encode(bytes(raw))}",
        **f2,
    )
    case("payload-swapped", "Figure 2's signature over Figure 7's payload.", r, f"{h}.{fig7.split('.')[1]}.{s}", **f2)
    case(
        "signature-empty",
        "Figure 2 with an empty signature segment (an unsecured JWS).",
        r + ["base64url"],
        f"{h}.{p}.",
        **f2,
    )
    case(
        "signature-truncated",
        "Figure 2 with the signature's last 4 characters cut (61 bytes).",
        r,
        f"{h}.{p}.{s[:-4]}",
        **f2,
    )
    case("two-segments", "Figure 2 without its signature segment.", r, f"{h}.{p}", **f2)
    case(
        "two-headers-joined",
        "Two DPoP header values joined by a comma, as an HTTP stack may merge them.",
        r,
        f"{fig2},{fig2}",
        **f2,
    )
    if not k.twins:  # ECDSA's r
        case(
            "signature-r-zero", "Figure 2 with r = 0.", r, f"{h}.{p}.{d.b64u_encode(bytes(32) + bytes(raw[32:]))}", **f2
        )


def header(g, d, k):
    if not k.twins:  # both keys already
        for key in ("ed", "p256"):
            name = "eddsa" if key == "ed" else "es256"
            proof = g.signed(
                "alg",
                f"{name}-valid",
                f"A valid proof signed with the fixed {'RFC 8037 Ed25519' if key == 'ed' else 'P-256'} key.",
                ["alg"],
                key=key,
                claims=d.claims_for(f"alg-{name}-valid"),
            )
            if key == "p256":
                flag = "high-s" if d.is_high_s(proof) else "low-s"
                other = "low-s" if flag == "high-s" else "high-s"
                g.proof(
                    "alg",
                    "es256-valid-twin",
                    "The (r, n − s) twin of the valid ES256 proof: both are valid ECDSA.",
                    ["needs-signing", "alg", other],
                    d.twin(proof),
                )
        g.signed(
            "alg",
            "ed25519-name",
            "alg `Ed25519` (RFC 9864's name for EdDSA over Ed25519) is accepted.",
            ["alg"],
            header=d.header_for(alg="Ed25519"),
        )
    k.first("ed")
    lowercase = ALG[k.key].lower()
    for slug, alg, desc in (
        ("none", "none", "alg `none`"),
        ("none-uppercase", "NONE", "alg `NONE`"),
        ("hs256", "HS256", "a MAC algorithm"),
        ("rs256", "RS256", "RS256, not implemented"),
        ("es384", "ES384", "ES384, not implemented"),
        ("eddsa-lowercase", lowercase, f"alg `{lowercase}`: names are case-sensitive"),
        ("unknown", "XS256", "an unregistered name"),
        ("number", 256, "a number for alg"),
    ):
        k.signed(
            "alg", slug, f"A proof with {desc}, signed with the {NAME[k.key]} key.", ["alg"], header=k.header(alg=alg)
        )
    k.signed("alg", "missing", "A proof with no alg.", ["alg"], header=k.header(alg=d.DROP))
    if not k.twins:  # each other's twin
        g.signed(
            "alg",
            "es256-with-ed25519-key",
            "alg ES256 with an Ed25519 jwk (signed by that key).",
            ["alg"],
            header=d.header_for(alg="ES256"),
        )
        g.signed(
            "alg",
            "eddsa-with-p256-key",
            "alg EdDSA with a P-256 jwk (signed by that key with ES256).",
            ["alg"],
            header=d.header_for("p256", alg="EdDSA"),
            key="p256",
        )
    k.first("ed")
    for slug, typ, desc in (
        ("missing", d.DROP, "no typ"),
        ("jwt", "JWT", "typ `JWT`"),
        ("uppercase", "DPoP+JWT", "typ `DPoP+JWT`"),
        ("media-type", "application/dpop+jwt", "typ `application/dpop+jwt`"),
        ("trailing-space", "dpop+jwt ", "a trailing space in typ"),
        ("suffix", "dpop+jwt+x", "typ `dpop+jwt+x`"),
        ("number", 1, "a number for typ"),
        ("at-jwt", "at+jwt", "typ `at+jwt`"),
    ):
        k.signed("typ", slug, f"A proof with {desc}.", ["typ"], header=k.header(typ=typ))
    sig_malleability(g, d, k)
    k.first("ed")
    k.signed(
        "crit",
        "unknown-extension",
        "crit names an extension present in the header: not understood.",
        ["crit"],
        header=k.header(crit=["x-ext"], **{"x-ext": 1}),
    )
    k.signed("crit", "empty", "crit is an empty list.", ["crit"], header=k.header(crit=[]))
    k.signed("crit", "registered", "crit names a registered parameter (alg).", ["crit"], header=k.header(crit=["alg"]))
    k.signed("crit", "not-a-list", "crit is a string.", ["crit"], header=k.header(crit="x-ext", **{"x-ext": 1}))
    k.signed(
        "crit",
        "extra-header-parameter",
        "An unknown header parameter without crit is ignored.",
        ["crit"],
        header=k.header(kid="k1", **{"x-ext": True}),
    )


def sig_malleability(g, d, k):
    """Signatures that are the right proof's with one number changed, all refused."""
    k.first("ed")
    ed = k.sign(d.text(k.header()), d.text(d.claims_for("alg-eddsa-s-plus-l")))
    h, p, s = ed.split(".")
    raw = d.b64u_decode(s)
    if not k.twins:  # Ed25519's S
        s_plus_l = (int.from_bytes(raw[32:], "little") + d.check.ED25519_L).to_bytes(32, "little")
        g.proof(
            "alg",
            "eddsa-s-plus-l",
            "An EdDSA proof whose S had the group order L added: the same point, a non-canonical scalar.",
            ["needs-signing", "alg"],
            f"{h}.{p}.{d.b64u_encode(raw[:32] + s_plus_l)}",
        )
    k.proof(
        "alg",
        "eddsa-signature-65-bytes",
        f"An {ALG[k.key]} proof with a zero byte appended to the signature.",
        ["needs-signing", "alg"],
        f"{h}.{p}.{d.b64u_encode(raw + bytes(1))}",
    )
    if k.twins:  # ECDSA's r and s, and its DER form
        return
    es = d.sign(d.text(d.header_for("p256")), d.text(d.claims_for("alg-es256-s-zero")), "p256")
    h, p, s = es.split(".")
    raw = d.b64u_decode(s)
    g.proof(
        "alg",
        "es256-s-zero",
        "An ES256 proof with s = 0.",
        ["needs-signing", "alg"],
        f"{h}.{p}.{d.b64u_encode(raw[:32] + bytes(32))}",
    )
    g.proof(
        "alg",
        "es256-s-equals-n",
        "An ES256 proof with s = n (s mod n = 0).",
        ["needs-signing", "alg"],
        f"{h}.{p}.{d.b64u_encode(raw[:32] + d.check.P256_N.to_bytes(32, 'big'))}",
    )
    g.proof(
        "alg",
        "es256-der-signature",
        "An ES256 proof whose signature is DER-encoded, not r || s.",
        ["needs-signing", "alg"],
        f"{h}.{p}.{d.b64u_encode(d.check.encode_dss_signature(int.from_bytes(raw[:32], 'big'), int.from_bytes(raw[32:], 'big')))}",
    )


def not_a_point(d):
    """The first 32-byte Ed25519 encoding (y = 2, 3, …) that decodes to no point of the curve."""
    y = 2
    while d.check._ed25519_decompresses(y.to_bytes(32, "little")):
        y += 1
    return d.b64u_encode(y.to_bytes(32, "little"))


def jwk(g, d, k):
    j = ["jwk"]
    k.first("ed")
    k.signed("jwk", "missing", "No jwk header parameter.", j, header=k.header(jwk=d.DROP))
    if not k.twins:  # one for each key already
        g.signed(
            "jwk",
            "private-d-okp",
            "The Ed25519 jwk carries its private key d.",
            j,
            header=d.header_for(jwk={**d.ED_JWK, "d": d.b64u_encode(d.ED_D)}),
        )
        g.signed(
            "jwk",
            "private-d-ec",
            "The P-256 jwk carries its private key d.",
            j,
            key="p256",
            header=d.header_for("p256", jwk={**d.P_JWK, "d": d.b64u_encode(d.P_SCALAR.to_bytes(32, "big"))}),
        )
    k.first("ed")
    k.signed(
        "jwk",
        "symmetric",
        f"A kty oct jwk (with alg {ALG[k.key]}).",
        j,
        header=k.header(jwk={"kty": "oct", "k": "c2VjcmV0"}),
    )
    k.signed(
        "jwk",
        "rsa",
        "An RSA jwk (RFC 7517 A.1): valid JOSE, not implemented here.",
        j,
        header=k.header(jwk={n: v for n, v in d.RFC7517_RSA.items() if n in ("kty", "n", "e")}),
    )
    k.first("p256")
    if k.key == "p256":
        y = int.from_bytes(d.b64u_decode(d.P_JWK["y"]), "big")
        k.signed(
            "jwk",
            "off-curve",
            "The P-256 jwk with y + 1: not a point of the curve.",
            j,
            header=k.header(jwk={**d.P_JWK, "y": d.b64u_encode(((y + 1) % 2**256).to_bytes(32, "big"))}),
        )
    else:
        k.signed(
            "jwk",
            "off-curve",
            "An Ed25519 jwk whose x encodes a y with no x on the curve: not a point of the curve.",
            j,
            header=k.header(jwk={**d.ED_JWK, "x": not_a_point(d)}),
        )
    k.first("ed")
    k.signed(
        "jwk",
        "x-31-bytes",
        f"The {NAME[k.key]} jwk's x is 31 bytes.",
        j,
        header=k.header(jwk={**k.jwk, "x": d.b64u_encode(d.b64u_decode(k.jwk["x"])[:31])}),
    )
    k.first("p256")
    k.signed(
        "jwk",
        "coordinate-padded",
        f"The {NAME[k.key]} jwk's x has `=` padding.",
        j,
        header=k.header(jwk={**k.jwk, "x": k.jwk["x"] + "="}),
    )
    if not k.twins:  # a curve of the other key type for each: crv-x25519 is crv-p384's counterpart
        g.signed(
            "jwk",
            "crv-p384",
            "An EC jwk that says P-384.",
            j,
            key="p256",
            header=d.header_for("p256", jwk={**d.P_JWK, "crv": "P-384"}),
        )
        g.signed(
            "jwk",
            "crv-x25519",
            "An OKP jwk that says X25519.",
            j,
            header=d.header_for(jwk={**d.ED_JWK, "crv": "X25519"}),
        )
    k.first("p256")
    k.signed(
        "jwk",
        "crv-missing",
        f"An {k.jwk['kty']} jwk without crv.",
        j,
        header=k.header(jwk={n: v for n, v in k.jwk.items() if n != "crv"}),
    )
    k.first("ed")
    k.signed(
        "jwk",
        "kty-missing",
        "A jwk without kty.",
        j,
        header=k.header(jwk={n: v for n, v in k.jwk.items() if n != "kty"}),
    )
    k.signed("jwk", "not-an-object", "jwk is a string (the JWK's JSON text).", j, header=k.header(jwk=d.text(k.jwk)))
    if not k.twins:  # Ed25519's small-order points
        g.signed(
            "jwk",
            "small-order",
            "An Ed25519 jwk that is the identity point (small order).",
            j,
            header=d.header_for(jwk={**d.ED_JWK, "x": d.b64u_encode(b"\x01" + bytes(31))}),
        )
    k.signed(
        "jwk",
        "extra-members",
        "A jwk with kid, use, alg and key_ops: ignored, the thumbprint is unchanged.",
        j,
        header=k.header(jwk={**k.jwk, "kid": "k", "use": "sig", "alg": ALG[k.key], "key_ops": ["verify"]}),
    )
    k.first("p256")
    if k.key == "p256":
        k.signed(
            "jwk",
            "other-key",
            "The header names the RFC 9449 P-256 key but the fixed P-256 key signed.",
            j,
            header=k.header(jwk=dict(d.RFC9449_JWK)),
        )
        k.signed(
            "jwk",
            "member-order",
            "The P-256 jwk with its members in another order (same key, same thumbprint).",
            j,
            header=k.header(jwk={"y": d.P_JWK["y"], "x": d.P_JWK["x"], "crv": "P-256", "kty": "EC"}),
        )
    else:
        k.signed(
            "jwk",
            "other-key",
            "The header names RFC 8032 §7.1 TEST 2's Ed25519 key but the RFC 8037 key signed.",
            j,
            header=k.header(jwk={**d.ED_JWK, "x": d.b64u_encode(OTHER_ED_X)}),
        )
        k.signed(
            "jwk",
            "member-order",
            "The Ed25519 jwk with its members in another order (same key, same thumbprint).",
            j,
            header=k.header(jwk={"x": d.ED_X, "crv": "Ed25519", "kty": "OKP"}),
        )


def claims(g, d, k):
    k.first("ed")
    c = ["claims"]
    for name in ("jti", "htm", "htu", "iat"):
        k.signed(
            "claims",
            f"missing-{name}",
            f"No {name} claim.",
            c,
            claims=d.claims_for(f"claims-missing-{name}", **{name: d.DROP}),
        )
    for slug, name, value, desc in (
        ("jti-number", "jti", 12345, "jti is a number"),
        ("htm-array", "htm", ["POST"], "htm is an array"),
        ("htu-null", "htu", None, "htu is null"),
        ("iat-string", "iat", str(d.NOW), "iat is a numeric string (PyJWT accepts those)"),
        ("iat-fraction", "iat", d.NOW + 0.5, "iat has a fraction"),
        ("iat-float-integral", "iat", float(d.NOW), "iat is written `…0.0`"),
        ("iat-bool", "iat", True, "iat is true"),
        ("iat-too-big", "iat", 2**64, "iat is 2^64"),
    ):
        claims_ = d.claims_for(f"claims-{slug}", **{name: value})
        k.signed("claims", slug, f"A proof where {desc}.", c, claims=claims_)
    k.signed(
        "claims",
        "iat-exponent",
        "A proof where iat is written with an exponent (`1.7672256E9`).",
        c,
        payload_text=d.text(d.claims_for("claims-iat-exponent", iat=0)).replace('"iat":0', '"iat":1.7672256E9'),
    )
    k.signed(
        "claims",
        "iat-i64-max",
        "iat is 2^63 − 1, the largest integer kept.",
        c,
        claims=d.claims_for("claims-iat-max", iat=2**63 - 1),
    )
    k.signed("claims", "iat-i64-min", "iat is −2^63.", c, claims=d.claims_for("claims-iat-min", iat=-(2**63)))
    k.signed(
        "claims",
        "iat-2-63",
        "iat is 2^63, one past the largest signed 64-bit integer.",
        c,
        claims=d.claims_for("claims-iat-2-63", iat=2**63),
    )
    k.signed(
        "claims",
        "extra-claims",
        "Unknown claims (exp, sub, an object) are ignored.",
        c,
        claims=d.claims_for("claims-extra", exp=1, sub="x", ext={"a": [1, 2]}),
    )
    k.signed("huge", "jti-empty", "An empty jti.", ["huge"], claims=d.claims_for(""))
    k.signed(
        "huge", "jti-256-bytes", "A jti of 256 bytes, the longest accepted.", ["huge"], claims=d.claims_for("j" * 256)
    )
    k.signed("huge", "jti-257-bytes", "A jti of 257 bytes.", ["huge"], claims=d.claims_for("j" * 257))
    k.signed(
        "huge",
        "jti-256-bytes-utf8",
        "A jti of 128 two-byte characters: 256 bytes.",
        ["huge"],
        claims=d.claims_for("é" * 128),
    )
    k.signed(
        "huge",
        "jti-129-chars-utf8",
        "A jti of 129 two-byte characters: 258 bytes, though fewer than 257 characters.",
        ["huge"],
        claims=d.claims_for("é" * 129),
    )
    # Proofs of exactly 8192 and 8193 bytes, padded with an extra claim; base64 grows in steps
    # (a segment's length is never 1 mod 4), so where the size cannot be reached a kid header
    # parameter shifts the header's length.
    for size, slug in ((8192, "proof-8192-bytes"), (8193, "proof-8193-bytes")):
        for kid in (None, "k", "kk", "kkk"):
            header_text = d.text(k.header() if kid is None else k.header(kid=kid))
            pad = 0
            while True:
                proof = k.sign(header_text, d.text(d.claims_for(f"huge-{slug}", pad="p" * pad)))
                if len(proof) >= size - 2:
                    break
                pad += max(1, (size - len(proof)) * 3 // 4 - 2)
            while len(proof) < size:
                pad += 1
                proof = k.sign(header_text, d.text(d.claims_for(f"huge-{slug}", pad="p" * pad)))
            if len(proof) == size:
                break
        assert len(proof) == size, (slug, k.key)
        with_kid = "" if kid is None else f" (with a kid `{kid}` to reach the size)"
        k.proof(
            "huge", slug, f"A proof of {size} bytes{with_kid} (the limit is 8192).", ["huge", "needs-signing"], proof
        )


def encoding(g, d, k):
    k.first("ed")
    b = ["base64url"]
    hdr, pl = d.text(k.header()), d.text(d.claims_for("encoding-dup"))
    k.signed(
        "duplicate",
        "claim-htm",
        "The payload names htm twice (POST then GET).",
        ["duplicate-member"],
        payload_text=pl[:-1] + ',"htm":"GET"}',
    )
    k.signed(
        "duplicate",
        "claim-escaped",
        "The payload names htm twice, once as `h\\u0074m`.",
        ["duplicate-member"],
        payload_text=pl[:-1] + ',"h\\u0074m":"POST"}',
    )
    k.signed(
        "duplicate",
        "header-typ",
        "The header names typ twice.",
        ["duplicate-member"],
        header_text=hdr[:-1] + ',"typ":"dpop+jwt"}',
    )
    k.signed(
        "duplicate",
        "jwk-x",
        "The jwk inside the header names x twice.",
        ["duplicate-member"],
        header_text=hdr.replace(f'"kty":"{k.jwk["kty"]}"', f'"kty":"{k.jwk["kty"]}","x":"{k.jwk["x"]}"'),
    )
    k.signed("encoding", "payload-array", "The payload is a JSON array.", b, payload_text="[1]")
    k.signed("encoding", "payload-not-json", "The payload is not JSON.", b, payload_text="jti=1")
    if not k.twins:  # a header naming no algorithm
        g.signed("encoding", "header-not-json", "The header is not JSON.", b, header_text="typ=dpop+jwt")
    k.signed(
        "encoding", "payload-nan", "The payload holds NaN, which is not JSON.", b, payload_text=pl[:-1] + ',"x":NaN}'
    )
    k.signed(
        "encoding",
        "payload-whitespace",
        "The payload is JSON with whitespace and newlines: fine.",
        b,
        payload_text=json.dumps(d.claims_for("encoding-whitespace"), indent=2),
    )
    # A header segment whose length is 0 mod 4 takes no padding: a kid makes it longer.
    padded = next(
        t for t in (hdr, d.text(k.header(kid="k")), d.text(k.header(kid="kk"))) if len(d.b64u_encode(t.encode())) % 4
    )
    proof = k.sign(padded, d.text(d.claims_for("encoding-padded")))
    h, p, s = proof.split(".")
    k.proof(
        "encoding",
        "header-padded",
        "The header segment with `=` padding.",
        b + ["needs-signing"],
        f"{h}==.{p}.{s}" if len(h) % 4 == 2 else f"{h}=.{p}.{s}",
    )
    k.proof("encoding", "leading-space", "A space before the proof.", b + ["needs-signing"], " " + proof)


def ath_nonce(g, d, k):
    k.first("ed")
    ath = d.b64u_encode(d.hashlib.sha256(d.TOKEN.encode()).digest())
    a = ["ath"]
    k.signed(
        "ath",
        "valid",
        "ath is the hash of the access token.",
        a,
        claims=d.claims_for("ath-valid", ath=ath),
        access_token=d.TOKEN,
    )
    k.signed(
        "ath",
        "missing",
        "An access token is presented, the proof has no ath.",
        a,
        claims=d.claims_for("ath-missing"),
        access_token=d.TOKEN,
    )
    k.signed(
        "ath",
        "padded",
        "ath with `=` padding.",
        a,
        claims=d.claims_for("ath-padded", ath=ath + "="),
        access_token=d.TOKEN,
    )
    k.signed(
        "ath",
        "hex",
        "ath as hex instead of base64url.",
        a,
        claims=d.claims_for("ath-hex", ath=d.hashlib.sha256(d.TOKEN.encode()).hexdigest()),
        access_token=d.TOKEN,
    )
    k.signed(
        "ath",
        "other-token",
        "ath of another token.",
        a,
        claims=d.claims_for("ath-other", ath=ath),
        access_token=d.TOKEN + "x",
    )
    k.signed("ath", "number", "ath is a number.", a, claims=d.claims_for("ath-number", ath=1), access_token=d.TOKEN)
    k.signed(
        "ath",
        "without-token",
        "ath present, no access token presented: ignored.",
        a,
        claims=d.claims_for("ath-without", ath="x"),
    )
    k.signed(
        "ath",
        "token-with-prefix",
        "ath of `DPoP <token>` rather than of the token.",
        a,
        claims=d.claims_for("ath-prefix", ath=d.b64u_encode(d.hashlib.sha256(("DPoP " + d.TOKEN).encode()).digest())),
        access_token=d.TOKEN,
    )
    n = ["nonce"]
    nonce = "eyJ7S_zG.eyJH0-Z.HX4w-7v"
    k.signed(
        "nonce",
        "valid",
        "The nonce the server supplied.",
        n,
        claims=d.claims_for("nonce-valid", nonce=nonce),
        nonce=nonce,
    )
    k.signed(
        "nonce",
        "missing",
        "The server supplied a nonce, the proof has none.",
        n,
        claims=d.claims_for("nonce-missing"),
        nonce=nonce,
    )
    k.signed(
        "nonce",
        "other",
        "Another nonce (RFC 9449 Figure 23's).",
        n,
        claims=d.claims_for("nonce-other", nonce="eyJ7S_zG.eyJbYu3.xQmBj-1"),
        nonce=nonce,
    )
    k.signed(
        "nonce",
        "case",
        "The nonce in another case.",
        n,
        claims=d.claims_for("nonce-case", nonce=nonce.upper()),
        nonce=nonce,
    )
    k.signed(
        "nonce",
        "number",
        "A numeric nonce claim against the string nonce `42`.",
        n,
        claims=d.claims_for("nonce-number", nonce=42),
        nonce="42",
    )
    k.signed(
        "nonce",
        "unrequested",
        "A nonce claim when the server supplied none: ignored.",
        n,
        claims=d.claims_for("nonce-unrequested", nonce="abc"),
    )
    k.signed(
        "nonce",
        "with-ath-and-jkt",
        "Nonce, ath and a bound jkt together, all matching.",
        n + ["ath", "jkt-binding"],
        claims=d.claims_for("nonce-all", nonce=nonce, ath=ath),
        nonce=nonce,
        access_token=d.TOKEN,
        expected_jkt=d.check.thumbprint_of(k.jwk),
    )
    k.first("p256")
    k.signed(
        "jkt",
        "p256-own-key",
        f"A {NAME[k.key]} proof bound to its own key's thumbprint.",
        ["jkt-binding"],
        claims=d.claims_for("jkt-p256-own-key"),
        expected_jkt=d.check.thumbprint_of(k.jwk),
    )
    k.first("ed")
    k.signed(
        "nonce",
        "jkt-other",
        "Everything matches but the bound jkt is the RFC 9449 key's.",
        n + ["jkt-binding"],
        claims=d.claims_for("nonce-jkt", nonce=nonce),
        nonce=nonce,
        expected_jkt=d.RFC9449_JKT,
    )


def clock(g, d, k):
    k.first("ed")
    for slug, delta, desc in (
        ("oldest", -300, "300 s old: accepted"),
        ("too-old", -301, "301 s old"),
        ("newest", 60, "60 s ahead: accepted"),
        ("future", 61, "61 s ahead"),
        ("hour-old", -3600, "an hour old"),
        ("zero", None, "0 (1970)"),
        ("negative", None, "negative"),
    ):
        iat = d.NOW + delta if delta is not None else (0 if slug == "zero" else -1)
        k.signed("clock", slug, f"iat {desc}.", ["clock"], claims=d.claims_for(f"clock-{slug}", iat=iat))


def htu(g, d, k):
    k.first("ed")
    h = ["htu-normalisation"]
    cases = [
        ("uppercase-scheme-host", "HTTPS://API.EXAMPLE.COM/v1/upload", d.URL, "uppercase scheme and host"),
        ("default-port", "https://api.example.com:443/v1/upload", d.URL, "the default port written out"),
        ("empty-port", "https://api.example.com:/v1/upload", d.URL, "an empty port"),
        (
            "http-default-port",
            "http://api.example.com:80/v1/upload",
            "http://api.example.com/v1/upload",
            "http with :80",
        ),
        (
            "port-leading-zero",
            "https://api.example.com:08443/v1/upload",
            "https://api.example.com:8443/v1/upload",
            "port 08443 for 8443",
        ),
        (
            "tilde-encoded",
            "https://api.example.com/~user/upload",
            "https://api.example.com/%7Euser/upload",
            "`~` against `%7E`",
        ),
        (
            "tilde-encoded-lowercase",
            "https://api.example.com/%7euser/upload",
            "https://api.example.com/~user/upload",
            "`%7e` against `~`",
        ),
        (
            "unreserved-letter-encoded",
            "https://api.example.com/v1/%75pload",
            d.URL,
            "`%75` for `u` (oauth4webapi refuses)",
        ),
        ("reserved-hex-case", "https://api.example.com/a%2fb", "https://api.example.com/a%2Fb", "`%2f` against `%2F`"),
        ("dot-segment", "https://api.example.com/v1/./upload", d.URL, "a `.` segment"),
        ("dot-dot-segment", "https://api.example.com/v1/x/../upload", d.URL, "a `..` segment"),
        ("dot-dot-above-root", "https://api.example.com/../../v1/upload", d.URL, "`..` above the root"),
        ("encoded-dot-dot", "https://api.example.com/v1/x/%2E%2E/upload", d.URL, "an encoded `..` segment"),
        ("empty-path", "https://api.example.com", "https://api.example.com/", "an empty path against `/`"),
        ("query-in-claim", d.URL + "?a=1", d.URL, "a query in the claim"),
        ("fragment-in-claim", d.URL + "#f", d.URL, "a fragment in the claim"),
        ("query-in-request", d.URL, d.URL + "?a=1&b=2", "a query in the request URL"),
        ("ipv6-default-port", "https://[::1]:443/v1/upload", "https://[::1]/v1/upload", "an IPv6 literal with :443"),
        ("trailing-slash", d.URL + "/", d.URL, "a trailing slash"),
        ("path-case", "https://api.example.com/V1/upload", d.URL, "the path in another case"),
        ("http-for-https", "http://api.example.com/v1/upload", d.URL, "http against https"),
        ("encoded-slash", "https://api.example.com/v1%2Fupload", d.URL, "`%2F` for `/`"),
        ("other-port", "https://api.example.com:8443/v1/upload", d.URL, "port 8443 against none"),
        ("other-host", "https://upload.example.com/v1/upload", d.URL, "another host"),
        ("trailing-dot-host", "https://api.example.com./v1/upload", d.URL, "a trailing dot on the host"),
        ("userinfo", "https://user@api.example.com/v1/upload", d.URL, "userinfo in the claim"),
        ("relative", "/v1/upload", d.URL, "a relative claim"),
        ("scheme-ftp", "ftp://api.example.com/v1/upload", d.URL, "an ftp claim"),
        ("space", "https://api.example.com/v1/up load", d.URL, "a space in the claim"),
        ("port-too-big", "https://api.example.com:65536/v1/upload", d.URL, "port 65536"),
        ("port-not-number", "https://api.example.com:https/v1/upload", d.URL, "a port that is not a number"),
        ("bad-percent", "https://api.example.com/v1/%zzupload", d.URL, "a bad percent-encoding"),
        ("percent-host", "https://api%2Eexample.com/v1/upload", d.URL, "a percent-encoded host"),
        ("empty-host", "https:///v1/upload", d.URL, "an empty host"),
        ("non-ascii", "https://api.example.com/v1/uplöad", d.URL, "a non-ASCII character"),
        ("request-userinfo", d.URL, "https://user@api.example.com/v1/upload", "userinfo in the request URL"),
    ]
    for slug, claim, url, desc in cases:
        k.signed(
            "htu",
            slug,
            f"htu against the request URL with {desc}.",
            h,
            claims=d.claims_for(f"htu-{slug}", htu=claim),
            url=url,
        )


def replay(g, d, k):
    r = ["replay"]
    k.first("p256")
    fig2, fig7, fig13, _ = figures(d, k.key)
    f13 = dict(method="GET", url=d.FIG13_URL, access_token=d.FIG13_TOKEN)
    k.proof(
        "replay",
        "figure-13-again",
        "Figure 13 presented a second time, 1 s later.",
        r + ["rfc-derived"],
        fig13,
        figures=True,
        now=d.FIG13_IAT + 1,
        replay=[(fig13, d.FIG13_IAT)],
        **f13,
    )
    if not k.twins:  # ECDSA's (r, n − s)
        g.proof(
            "replay",
            "figure-13-low-s-after-original",
            "Figure 13's low-S twin after Figure 13: same jti, other bytes.",
            r + ["rfc-derived", "low-s"],
            d.twin(d.FIG13),
            now=d.FIG13_IAT,
            replay=[(d.FIG13, d.FIG13_IAT)],
            **f13,
        )
    k.proof(
        "replay",
        "figure-7-after-figure-2",
        "Figure 7 after Figure 2: the same jti 2,680 s later, once the entry expired.",
        r + ["rfc-example"],
        fig7,
        figures=True,
        url=d.FIG2_URL,
        now=d.FIG7_IAT,
        replay=[(fig2, d.FIG2_IAT)],
    )
    k.proof(
        "replay",
        "figure-2-at-window-end",
        "Figure 2 again at iat + 300: the entry still lives.",
        r + ["rfc-derived"],
        fig2,
        figures=True,
        url=d.FIG2_URL,
        now=d.FIG2_IAT + 300,
        replay=[(fig2, d.FIG2_IAT)],
    )
    k.first("ed")
    first = k.sign(d.text(k.header()), d.text(d.claims_for("replay-jti")))
    later = k.sign(d.text(k.header()), d.text(d.claims_for("replay-jti", iat=d.NOW + 10)))
    k.proof(
        "replay",
        "same-jti-new-proof",
        "A new proof reusing an earlier proof's jti.",
        r + ["needs-signing"],
        later,
        now=d.NOW + 10,
        replay=[(first, d.NOW)],
    )
    k.proof(
        "replay",
        "same-jti-after-expiry",
        "A new proof reusing a jti whose entry expired (iat + 300 passed).",
        r + ["needs-signing"],
        k.sign(d.text(k.header()), d.text(d.claims_for("replay-jti", iat=d.NOW + 301))),
        now=d.NOW + 301,
        replay=[(first, d.NOW)],
    )
    k.proof(
        "replay",
        "other-jti",
        "A proof with another jti after one was seen.",
        r + ["needs-signing"],
        k.sign(d.text(k.header()), d.text(d.claims_for("replay-jti-2"))),
        replay=[(first, d.NOW)],
    )
    if not k.twins:  # the alg name Ed25519
        g.proof(
            "replay",
            "same-jti-other-alg-name",
            "The same claims signed under alg `Ed25519` after the EdDSA proof.",
            r + ["needs-signing"],
            d.sign(d.text(d.header_for(alg="Ed25519")), d.text(d.claims_for("replay-jti"))),
            replay=[(first, d.NOW)],
        )
    other = OTHER[k.key]
    k.proof(
        "replay",
        "same-jti-other-key",
        "The same jti from another key: entries are per key, so one key cannot claim another's jti.",
        r + ["needs-signing"],
        d.sign(d.text(d.header_for(other)), d.text(d.claims_for("replay-jti")), other),
        replay=[(first, d.NOW)],
    )
    k.proof(
        "replay",
        "after-two",
        "A third proof with the first proof's jti after two different ones.",
        r + ["needs-signing"],
        later,
        now=d.NOW + 10,
        replay=[(first, d.NOW), (k.sign(d.text(k.header()), d.text(d.claims_for("replay-jti-3"))), d.NOW)],
    )


def thumbprints(g, d):
    g.thumb(
        "rfc7638-rsa",
        "RFC 7638 §3.1: the RSA key of RFC 7517 A.1 (with alg and kid, which do not count).",
        d.RFC7517_RSA,
    )
    g.thumb("rfc9449-ec", "The P-256 key of every RFC 9449 example (Figures 9 and 11).", d.RFC9449_JWK)
    g.thumb("rfc8037-okp", "RFC 8037 A.3: the Ed25519 key.", d.ED_JWK)
    g.thumb("fixed-p256", "The fixed P-256 key of these vectors.", d.P_JWK)
    g.thumb(
        "member-order",
        "The RFC 9449 key with its members in reverse lexicographic order.",
        {"y": d.RFC9449_JWK["y"], "x": d.RFC9449_JWK["x"], "kty": "EC", "crv": "P-256"},
    )
    g.thumb(
        "extra-members",
        "The RFC 8037 key with kid, use, alg, key_ops and x5c: none counts.",
        {**d.ED_JWK, "kid": "k1", "use": "sig", "alg": "EdDSA", "key_ops": ["verify"], "x5c": []},
    )
    g.thumb(
        "private-okp",
        "The RFC 8037 key with d: refused, not reduced to its public part.",
        {**d.ED_JWK, "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
    )
    g.thumb("private-rsa", "An RSA key with a private member p.", {**d.RFC7517_RSA, "p": "AQAB"})
    g.thumb("oct", "A symmetric key.", {"kty": "oct", "k": "GawgguFyGrWKav7AX4VKUg"})
    g.thumb("kty-missing", "No kty.", {"crv": "P-256", "x": d.RFC9449_JWK["x"], "y": d.RFC9449_JWK["y"]})
    g.thumb("kty-number", "kty is a number.", {**d.RFC9449_JWK, "kty": 2})
    g.thumb("kty-unknown", "kty `EC2`.", {**d.RFC9449_JWK, "kty": "EC2"})
    g.thumb("crv-p384", "crv P-384 with 32-byte coordinates.", {**d.RFC9449_JWK, "crv": "P-384"})
    g.thumb("crv-missing", "An EC key without crv.", {k: v for k, v in d.RFC9449_JWK.items() if k != "crv"})
    g.thumb("y-missing", "An EC key without y.", {k: v for k, v in d.RFC9449_JWK.items() if k != "y"})
    g.thumb("x-short", "x of 31 bytes.", {**d.RFC9449_JWK, "x": d.b64u_encode(d.b64u_decode(d.RFC9449_JWK["x"])[1:])})
    g.thumb("x-padded", "x with `=` padding.", {**d.RFC9449_JWK, "x": d.RFC9449_JWK["x"] + "="})
    g.thumb(
        "x-standard-alphabet",
        "x in the standard base64 alphabet.",
        {**d.RFC9449_JWK, "x": d.RFC9449_JWK["x"].replace("-", "+").replace("_", "/")},
    )
    y = int.from_bytes(d.b64u_decode(d.RFC9449_JWK["y"]), "big")
    g.thumb(
        "off-curve", "The RFC 9449 key with y + 1.", {**d.RFC9449_JWK, "y": d.b64u_encode((y + 1).to_bytes(32, "big"))}
    )
    g.thumb("okp-small-order", "The Ed25519 identity point.", {**d.ED_JWK, "x": d.b64u_encode(b"\x01" + bytes(31))})
    g.thumb("okp-crv-ed448", "An OKP key that says Ed448.", {**d.ED_JWK, "crv": "Ed448"})
    g.thumb("rsa-e-empty", "An RSA key with an empty e.", {**d.RFC7517_RSA, "e": ""})
    g.thumb(
        "rsa-n-standard-alphabet",
        "An RSA key whose n uses `+` and `/`.",
        {**d.RFC7517_RSA, "n": d.RFC7517_RSA["n"].replace("-", "+").replace("_", "/")},
    )
    g.thumb("rsa-n-missing", "An RSA key without n.", {k: v for k, v in d.RFC7517_RSA.items() if k != "n"})
    g.thumb("rsa-e-number", "An RSA key whose e is the number 65537.", {**d.RFC7517_RSA, "e": 65537})


def edges(g, d, k):
    """Inputs at the edges the other cases leave open: one URL part at a time out of normal form,
    a final dot segment, and the longest request URL compared."""
    k.first("ed")
    h = ["htu-normalisation"]
    for slug, claim, desc in (
        ("uppercase-scheme-only", "HTTPS://api.example.com/v1/upload", "the scheme alone in capitals"),
        ("uppercase-host-only", "https://API.Example.COM/v1/upload", "the host alone in capitals"),
    ):
        k.signed(
            "htu", slug, f"htu against the request URL with {desc}.", h, claims=d.claims_for(f"htu-{slug}", htu=claim)
        )
    for slug, claim, url, desc in (
        ("final-dot-segment", d.URL + "/.", d.URL + "/", "a final `.` segment, which leaves a trailing slash"),
        (
            "final-dot-dot-segment",
            "https://api.example.com/v1/x/..",
            "https://api.example.com/v1/",
            "a final `..` segment, which leaves a trailing slash",
        ),
    ):
        k.signed(
            "htu",
            slug,
            f"htu with {desc}, against the request URL with it.",
            h,
            claims=d.claims_for(f"htu-{slug}", htu=claim),
            url=url,
        )
    # The request URL is bounded like htu (8192 bytes); a query keeps the compared part short.
    for size in (8192, 8193):
        url = d.URL + "?q=" + "a" * (size - len(d.URL) - 3)
        assert len(url) == size
        k.signed(
            "htu",
            f"request-url-{size}-bytes",
            f"A request URL of {size} bytes, nearly all of it a query (the limit is 8192).",
            h + ["huge"],
            claims=d.claims_for(f"htu-request-url-{size}"),
            url=url,
        )


def _p256_sign(d, key, header_text, payload_text):
    """d.sign with another P-256 private key (RFC 6979 nonces, so the bytes are fixed)."""
    si = f"{d.b64u_encode(header_text.encode())}.{d.b64u_encode(payload_text.encode())}"
    der = key.sign(si.encode(), d.ec.ECDSA(d.hashes.SHA256(), deterministic_signing=True))
    r, s = d.decode_dss_signature(der)
    return f"{si}.{d.b64u_encode(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def _same_y_key(d):
    """A P-256 key (x, y) whose y has a second point (x2, y) on the curve, and x2. The other
    roots of x³ − 3x + b = y² are those of X² + xX + x² − 3: (−x ± √(12 − 3x²)) / 2."""
    p = d.check.P256_P
    n = 0
    while True:
        label = f"caveatspec dpop vectors P-256 key {n}".encode()
        scalar = int.from_bytes(d.hashlib.sha256(label).digest(), "big") % d.check.P256_N
        key = d.ec.derive_private_key(scalar, d.ec.SECP256R1())
        nums = key.public_key().public_numbers()
        disc = (12 - 3 * nums.x * nums.x) % p
        root = pow(disc, (p + 1) // 4, p)
        if root * root % p == disc and root:
            x2 = (-nums.x + root) * pow(2, -1, p) % p
            assert d.check._on_p256(x2, nums.y) and x2 != nums.x
            return key, nums.x, nums.y, x2
        n += 1


def key_cache(g, d):
    """Two keys in one request history: the proof under test names a key that shares a
    coordinate with an accepted one (or is another key of the same type), and is signed by the
    accepted key's private key, so only the key it names decides."""
    r = ["replay", "jwk", "needs-signing"]
    p = d.check.P256_P
    first = d.sign(d.text(d.header_for("p256")), d.text(d.claims_for("cache-first")), "p256")
    y = int.from_bytes(d.b64u_decode(d.P_JWK["y"]), "big")
    negated = {**d.P_JWK, "y": d.b64u_encode((p - y).to_bytes(32, "big"))}
    g.proof(
        "jwk",
        "after-key-same-x",
        "After a proof by the fixed P-256 key, a proof signed by that key whose jwk is the point with the same x and the other y (−P): a valid key that did not sign.",
        r,
        d.sign(d.text(d.header_for("p256", jwk=negated)), d.text(d.claims_for("cache-same-x")), "p256"),
        replay=[(first, d.NOW)],
    )
    key, x, y, x2 = _same_y_key(d)
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": d.b64u_encode(x.to_bytes(32, "big")),
        "y": d.b64u_encode(y.to_bytes(32, "big")),
    }
    hdr = {"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk}
    earlier = _p256_sign(d, key, d.text(hdr), d.text(d.claims_for("cache-first-2")))
    g.proof(
        "jwk",
        "after-key-same-y",
        "After a proof by a P-256 key, a proof signed by that key whose jwk is another point with the same y: a valid key that did not sign.",
        r,
        _p256_sign(
            d,
            key,
            d.text({**hdr, "jwk": {**jwk, "x": d.b64u_encode(x2.to_bytes(32, "big"))}}),
            d.text(d.claims_for("cache-same-y")),
        ),
        replay=[(earlier, d.NOW)],
    )
    g.proof(
        "jwk",
        "after-key-other-p256-key",
        "After a proof by one P-256 key, a proof by another P-256 key: both accepted.",
        r,
        _p256_sign(d, key, d.text(hdr), d.text(d.claims_for("cache-other-p256"))),
        replay=[(first, d.NOW)],
    )
    ed_first = d.sign(d.text(d.header_for()), d.text(d.claims_for("cache-first-ed")))
    g.proof(
        "jwk",
        "after-key-other-ed25519-key",
        "After an EdDSA proof, a proof signed by the same key whose jwk is another Ed25519 key (RFC 8032 §7.1 TEST 2's): a valid key that did not sign.",
        r,
        d.sign(
            d.text(d.header_for(jwk={**d.ED_JWK, "x": d.b64u_encode(OTHER_ED_X)})),
            d.text(d.claims_for("cache-other-ed")),
            "ed",
        ),
        replay=[(ed_first, d.NOW)],
    )
