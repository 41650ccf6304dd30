"""Builds fuzz/seeds/<target>/ from the vectors for the targets that read plain bytes (a
selector byte and text or macaroon bytes, as crates/fuzzing reads them):

    PYTHONPATH=tools python3 -m caveatgen fuzz-seeds

The `dpop` seeds come from the RFC 9449 example proofs written below instead, so they do not
depend on the vectors (see `dpop_seeds`). The `atr` seeds are the `atr-jwt` vectors' header
values, each also as its token alone and as its JSON (see `atr_seeds`). The `verify` target
reads a structured input (a `VerifyCase` decoded by the `arbitrary` crate): its seeds are built
in Rust from that type (`cargo run -p caveatspec-fuzzing --example verify_seeds`), and this
leaves fuzz/seeds/verify alone.

Each seed file is named by the SHA-1 of its content, so re-running is idempotent and the
committed seeds change only when the vectors (or the examples here) do. Standard library only.
"""

import base64
import binascii
import hashlib
import json
import pathlib
import shutil

from caveatgen.digest import ROOT as _ROOT
from caveatgen.encoding import b64u_encode

ROOT = pathlib.Path(_ROOT)
SEEDS = ROOT / "fuzz" / "seeds"


def body_bytes(token):
    """The macaroon bytes of a token, decoded leniently (None when not base64 at all)."""
    body = token.partition("-")[2]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        return None


# RFC 9449: the header segment shared by its example proofs, the payload segments of Figures
# 2, 7 and 13, and their signatures (Figures 2 and 13 high-S; `_low_s` their (r, n - s) twins).
RFC9449_HEADER = (
    "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0"
    "VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10"
    "NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19"
)
FIG2_PAYLOAD = (
    "eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1w"
    "bGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ"
)
FIG7_PAYLOAD = (
    "eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1w"
    "bGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjY1Mjk2fQ"
)
FIG13_PAYLOAD = (
    "eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFt"
    "cGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNF"
    "c05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9"
)
FIG2_SIG = "2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"
FIG2_SIG_LOW_S = "2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwkvfHwR60ki04dxtToLOEyqWQWs5RRbzA0YYkvRts4uIw"
FIG7_SIG = "pAqut2IRDm_De6PR93SYmGBPXpwrAk90e8cP2hjiaG5QsGSuKDYW7_X620BxqhvYC8ynrrvZLTk41mSRroapUA"
FIG13_SIG = "2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA"
FIG13_SIG_LOW_S = "2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plel_fuFVO46DNVBNVNqYZjPFpbmdA8d0H3BbGP5h-8jZxQ"
# RFC 9449 Figure 12's access token, and RFC 8037 A.2's Ed25519 public key.
ACCESS_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
NONCE = "eyJ7S_zG.eyJH0-Z.HX4w-7v"
RESOURCE_URL = "https://resource.example.org/protectedresource"

# Selector bits of the dpop target (crates/fuzzing/src/dpop.rs): request in bits 0-1, then access
# token, nonce, bound key, and the mode in bits 5-6.
TOKEN, NONCE_BIT, JKT = 4, 8, 16
JSON_MODE, SIGNED_MODE = 0x20, 0x40


def b64url_decode(segment):
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def compact_json(value):
    return json.dumps(value, separators=(",", ":"))


def dpop_seeds():
    """The RFC 9449 proofs against their own and neighbouring requests, as compact text and
    as JSON (mode 1), and proofs the target signs itself with the RFC 8037 key (mode 2): a
    valid one and a few one-change variants of it."""
    proofs = [  # (payload, signature, selectors)
        (FIG13_PAYLOAD, FIG13_SIG, (0, TOKEN | JKT, TOKEN | JKT | NONCE_BIT, 3, 1)),
        (FIG13_PAYLOAD, FIG13_SIG_LOW_S, (0, TOKEN | JKT)),
        (FIG2_PAYLOAD, FIG2_SIG, (1, 1 | JKT, 2)),
        (FIG2_PAYLOAD, FIG2_SIG_LOW_S, (1,)),
        (FIG7_PAYLOAD, FIG7_SIG, (2, 1)),
    ]
    seeds = set()
    for payload, sig, selectors in proofs:
        text = f"{RFC9449_HEADER}.{payload}.{sig}"
        as_json = "\n".join([b64url_decode(RFC9449_HEADER).decode(), b64url_decode(payload).decode(), sig])
        for sel in selectors:
            seeds.add(bytes([sel]) + text.encode())
            seeds.add(bytes([sel | JSON_MODE]) + as_json.encode())
    fig13 = f"{RFC9449_HEADER}.{FIG13_PAYLOAD}.{FIG13_SIG}"
    for broken in (
        fig13[:-1] + "B",  # another signature
        fig13 + "=",  # padding
        fig13.rpartition(".")[0],  # two segments
        fig13 + ".",  # four segments
        fig13.replace(".", ".e30.", 1),  # a JWE-like shape
    ):
        seeds.add(bytes([0]) + broken.encode())

    header = {"typ": "dpop+jwt", "alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}}
    ath = b64u_encode(hashlib.sha256(ACCESS_TOKEN.encode()).digest())
    claims = {"jti": "fuzz-seed-1", "htm": "GET", "htu": RESOURCE_URL, "iat": 1562262618, "ath": ath, "nonce": NONCE}

    def signed(selector, h, c):
        text = h if isinstance(h, str) else compact_json(h)
        text += "\n" + (c if isinstance(c, str) else compact_json(c))
        seeds.add(bytes([selector | SIGNED_MODE]) + text.encode())

    for sel in (0, TOKEN, NONCE_BIT, TOKEN | NONCE_BIT, JKT, 3):
        signed(sel, header, claims)
    signed(0, dict(header, alg="Ed25519"), claims)
    for name, value in (("typ", "DPoP+jwt"), ("alg", "none"), ("alg", "ES256"), ("crit", ["exp"])):
        signed(0, dict(header, **{name: value}), claims)
    signed(0, dict(header, jwk=dict(header["jwk"], d="nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")), claims)
    signed(0, dict(header, jwk={"kty": "oct", "k": "c2VjcmV0"}), claims)
    for name in ("jti", "htm", "htu", "iat"):
        signed(0, header, {k: v for k, v in claims.items() if k != name})
    signed(0, header, dict(claims, iat="1562262618"))
    signed(0, header, dict(claims, iat=1562262618.5))
    signed(0, header, dict(claims, jti=""))
    signed(0, header, dict(claims, htu=RESOURCE_URL + "?q=1#frag"))
    signed(0, header, compact_json(claims)[:-1] + ',"jti":"again"}')
    return seeds


# Selector bits of the atr target (crates/fuzzing/src/atr.rs): key in bits 0-1, clock in bits 2-3,
# the mode in bits 4-5, the empty issuer in bit 6, the length-limit check in bit 7.
ATR_KEY_BYTES, ATR_EMPTY_KEY, ATR_LONG_KEY = 1, 2, 3
ATR_LATER, ATR_MIN_CLOCK, ATR_MAX_CLOCK = 4, 8, 12
ATR_TOKEN_MODE, ATR_JSON_MODE, ATR_SIGNED_MODE = 0x10, 0x20, 0x30
ATR_EMPTY_ISSUER, ATR_LIMIT = 0x40, 0x80
# The key, issuer and clock every atr-jwt vector uses (the target's defaults).
ATR_VECTOR_INPUT = {
    "key": "a408bec03d2e80d31a366635fcdc581caf443075de245cd78f0f9ef463570f87",
    "iss_aud": "https://atr.example.org/",
    "now": 1767225600,
}


def json_text(segment):
    """A token segment's text when it is the canonical base64url of UTF-8 text, else None."""
    try:
        raw = b64url_decode(segment)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    if b64u_encode(raw) != segment or "\n" in text:
        return None
    return text


def atr_seeds(vectors):
    """Each atr-jwt vector's header value as is; its token alone (mode 1) and, where its
    header and payload are canonical base64url text, as JSON with its own signature (mode 2)
    and as JSON the target signs (mode 3). The as-issued token also under each other key,
    clock and issuer, and with the length-limit check."""
    seeds = set()
    for v in vectors:
        inp = v["input"]
        if {k: inp.get(k) for k in ATR_VECTOR_INPUT} != ATR_VECTOR_INPUT:
            continue  # the target knows only the vectors' key, issuer and clock
        auth = inp["authorization"]
        seeds.add(bytes([0]) + auth.encode())
        scheme, space, token = auth.partition(" ")
        if not space or scheme.lower() != "bearer":
            continue
        seeds.add(bytes([ATR_TOKEN_MODE]) + token.encode())
        parts = token.split(".")
        if len(parts) != 3:
            continue
        header, payload = json_text(parts[0]), json_text(parts[1])
        if header is None or payload is None:
            continue
        seeds.add(bytes([ATR_JSON_MODE]) + f"{header}\n{payload}\n{parts[2]}".encode())
        seeds.add(bytes([ATR_SIGNED_MODE]) + f"{header}\n{payload}".encode())
        if v["id"] == "atr-jwt/baseline/as-issued":
            for sel in (ATR_LATER, ATR_MIN_CLOCK, ATR_MAX_CLOCK, ATR_EMPTY_ISSUER, ATR_LIMIT):
                seeds.add(bytes([sel]) + auth.encode())
            for sel in (ATR_KEY_BYTES, ATR_EMPTY_KEY, ATR_LONG_KEY, ATR_LATER):
                seeds.add(bytes([sel | ATR_SIGNED_MODE]) + f"{header}\n{payload}".encode())
            # The empty issuer: `iss` "" and an `aud` list holding "" (a bare "" is falsy).
            empty = payload.replace('"aud":"https://atr.example.org/"', '"aud":[""]')
            empty = empty.replace('"https://atr.example.org/"', '""')
            seeds.add(bytes([ATR_EMPTY_ISSUER | ATR_SIGNED_MODE]) + f"{header}\n{empty}".encode())
    return seeds


# Selector bits of the presented target (crates/fuzzing/src/presented.rs): the PyPI format in bit 0, built
# fields in bit 1, the Bearer scheme in bit 2 (built), the number of DPoP fields in bits 3-4
# (built), the clock 301 s later in bit 5.
PRESENTED_PYPI, PRESENTED_BUILT, PRESENTED_BEARER, PRESENTED_LATER = 1, 2, 4, 0x20
# What the target uses for each format: the vectors' request, clock and row.
PRESENTED_DEFAULTS = {
    False: {
        "method": "POST",
        "url": "https://atr.example.org/api/upload",
        "now": 1767225600,
        "key": ATR_VECTOR_INPUT["key"],
        "iss_aud": ATR_VECTOR_INPUT["iss_aud"],
    },
    True: {
        "method": "POST",
        "url": "https://upload.pypi.org/legacy/",
        "now": 1700000500,
        "key_hex": bytes(range(32)).hex(),
        "project": {"name": "Sample.Project", "id": "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41"},
        "row": {
            "identifier": "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b",
            "owner": {"user_id": "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"},
            "stored_caveats": [],
        },
    },
}


def presented_seeds(atr_dpop, macaroon_dpop):
    """The request vectors whose clock and context are the target's, as raw header fields;
    and tokens and proofs for the target to build, bound and unbound, under each scheme, with
    0 to 3 proofs, at both clocks."""
    seeds = set()
    for pypi, vectors in ((False, atr_dpop), (True, macaroon_dpop)):
        defaults = PRESENTED_DEFAULTS[pypi]
        for v in vectors:
            inp = v["input"]
            if "nonce" in inp or "replay" in inp:
                continue
            later = inp["now"] - defaults["now"]
            if later not in (0, 301) or any(inp[k] != defaults[k] for k in defaults if k != "now"):
                continue
            lines = [f"A:{a}" for a in inp["authorization"]] + [f"D:{d}" for d in inp["dpop"]]
            selector = (PRESENTED_PYPI if pypi else 0) | (PRESENTED_LATER if later else 0)
            seeds.add(bytes([selector]) + "\n".join(lines).encode())
    now = PRESENTED_DEFAULTS[False]["now"]
    atr_claims = (
        '{"sub":"alice","iss":"https://atr.example.org/","aud":"https://atr.example.org/",'
        f'"iat":{now - 60},"nbf":{now - 60},"exp":{now + 1740},"jti":"seed"'
    )
    atr_tokens = [atr_claims + ',"cnf":{"jkt":"$JKT"}}', atr_claims + "}"]
    pypi_tokens = ['[1,["sample-project"]]\t[5,"$JKT"]', '[1,["sample-project"]]', '[5,"$JKT"]\t[5,"$JKT"]']
    for pypi, tokens in ((False, atr_tokens), (True, pypi_tokens)):
        d = PRESENTED_DEFAULTS[pypi]
        proof = f'{{"jti":"seed-proof","htm":"{d["method"]}","htu":"{d["url"]}","iat":{d["now"]},"ath":"$ATH"}}'
        for token in tokens:
            for bearer in (0, PRESENTED_BEARER):
                for proofs in range(4):
                    for later in (0, PRESENTED_LATER):
                        selector = (PRESENTED_PYPI if pypi else 0) | PRESENTED_BUILT | bearer | (proofs << 3) | later
                        seeds.add(bytes([selector]) + f"{token}\n{proof}".encode())
    return seeds


def main():
    seeds = {t: set() for t in ("token", "macaroon", "caveat", "differential")}
    seeds["dpop"] = dpop_seeds()
    atr_file = json.loads((ROOT / "vectors" / "atr-jwt.json").read_text())
    seeds["atr"] = atr_seeds(atr_file["vectors"])
    seeds["presented"] = presented_seeds(
        json.loads((ROOT / "vectors" / "atr-dpop.json").read_text())["vectors"],
        json.loads((ROOT / "vectors" / "macaroon-dpop.json").read_text())["vectors"],
    )
    for path in sorted((ROOT / "vectors").glob("*.json")):
        for v in json.loads(path.read_text())["vectors"]:
            inp = v["input"]
            texts = [inp[k] for k in ("token", "output") if isinstance(inp.get(k), str)]
            for t in texts:
                seeds["token"].add(t.encode("utf-8", "surrogatepass"))
                raw = body_bytes(t)
                if raw:
                    seeds["macaroon"].add(raw)
                    seeds["differential"].add(raw)
            caveats = []
            if isinstance(inp.get("caveat"), str):
                caveats.append(inp["caveat"])
            caveats += (inp.get("row") or {}).get("stored_caveats") or []
            caveats = [c.encode("utf-8", "surrogatepass") for c in caveats]
            if isinstance(inp.get("caveat_hex"), str):
                caveats.append(bytes.fromhex(inp["caveat_hex"]))
            for c in caveats:
                for selector in (b"\x00", b"\x01"):
                    seeds["caveat"].add(selector + c)
    for target, items in seeds.items():
        d = SEEDS / target
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for item in items:
            (d / hashlib.sha1(item).hexdigest()).write_bytes(item)
        print(f"{target}: {len(items)} seeds")


if __name__ == "__main__":
    main()
