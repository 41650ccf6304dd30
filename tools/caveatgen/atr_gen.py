"""Writes vectors/atr-jwt.json: what Apache Trusted Releases' verifier accepts for its HS256
API JWTs, with expectations from real PyJWT (the oracle in atr_jwt.py, the cases in
atr_cases.py).

    tools/caveatgen/setup --generate atr-jwt
"""

import os
import unicodedata

import jwt

from caveatgen import atr_cases
from caveatgen.atr_jwt import HEADER, ISS, KEY, NOW, atr_verify, claims, sign, text
from caveatgen.digest import ROOT, stamp
from caveatgen.vectorfile import write_file

FLAGS = {
    "baseline": "A token as ATR issues it, or one claim changed within what ATR accepts.",
    "bearer": "The Authorization header: split on the first space, scheme bearer in any case, nothing trimmed.",
    "required": "A claim ATR requires is missing or null.",
    "leeway": "exp, nbf and iat against the clock with ATR's 120 s leeway.",
    "iss": "The iss claim against ATR's issuer (exact string).",
    "aud": "The aud claim: a string, or a list of strings containing ATR's audience.",
    "alg": "The alg header parameter: only HS256.",
    "signature": "The HMAC-SHA256 signature and the key.",
    "pyjwt-quirk": "PyJWT behaviour a reader might not expect (numeric strings, floats, booleans, last duplicate member wins, any typ).",
    "crit": "The crit and b64 header parameters (PyJWT understands only b64).",
    "header": "Other header parameters (kid, typ).",
    "claim-type": "A claim of a JSON type PyJWT refuses.",
    "base64url": "Padding and non-canonical base64url in a segment, as PyJWT 2.15.1 decodes it.",
    "malformed": "Not a compact JWS, or a segment that is not a JSON object.",
    "python-int": "exp, nbf and iat through Python's int(): strings with Unicode whitespace, signs, underscores and digits of any script; booleans; floats; integers beyond 64 bits.",
    "python-json": "What Python's JSON reader accepts beyond RFC 8259: NaN and Infinity, integers of any size, UTF-16 and UTF-32 text, lone surrogates, deep nesting, duplicate members.",
    "peer-divergence": "The profile refuses what PyJWT itself accepts (SPEC §10.6, the JSON bounds); peers.pyjwt has PyJWT's answer.",
}


class Gen:
    def __init__(self):
        self.vectors = []

    def add(self, area, slug, description, flags, authorization, key=KEY, iss_aud=ISS, now=NOW):
        vid = f"atr-jwt/{area}/{slug}"
        assert vid not in {v["id"] for v in self.vectors}, vid
        inp = {"authorization": authorization, "key": key, "iss_aud": iss_aud, "now": now}
        expected = atr_verify(authorization, key, iss_aud, now)
        pyjwt = atr_verify(authorization, key, iss_aud, now, profile=False)
        vector = {
            "id": vid,
            "kind": "atr_jwt",
            "description": description,
            "flags": list(flags),
            "input": inp,
            "expected": expected,
        }
        if pyjwt != expected:
            vector["flags"].append("peer-divergence")
            vector["peers"] = {
                "pyjwt": {"accepts": True} if pyjwt["valid"] else {"accepts": False, "code": pyjwt["codes"][0]},
                "note": "The profile's JSON bounds (SPEC §10.6) refuse what PyJWT reads.",
            }
        self.vectors.append(vector)

    def token(
        self,
        area,
        slug,
        description,
        flags,
        header=None,
        payload=None,
        header_text=None,
        payload_text=None,
        key=KEY,
        **kw,
    ):
        tok = sign(header_text or text(header or HEADER), payload_text or text(payload or claims()), key)
        self.add(area, slug, description, flags, "Bearer " + tok, **kw)
        return tok


def write_unicode_table(path=os.path.join(ROOT, "crates", "caveatspec", "src", "atr", "python_unicode.rs")):
    """Writes the two character classes Python's int() reads in a string, as Rust data: the
    code points whose decimal value is 0 (each starts a run of ten, 0 to 9), and the
    characters above U+007F that are whitespace (int() reads them as spaces)."""
    chars = [chr(c) for c in range(0x80, 0x110000)]
    zeros = [0x30] + [ord(c) for c in chars if unicodedata.decimal(c, None) == 0]
    for z in zeros:
        assert all(unicodedata.decimal(chr(z + i), None) == i for i in range(10)), hex(z)
    assert sum(1 for c in chars if unicodedata.decimal(c, None) is not None) == 10 * (len(zeros) - 1)
    spaces = [ord(c) for c in chars if c.isspace()]
    rows = lambda xs: "".join(f"    0x{x:04X},\n" for x in xs)
    with open(path, "w") as f:
        f.write(f"""// Written by tools/caveatgen/atr_gen.py from Python's unicodedata {unicodedata.unidata_version}.

/// The Unicode version of these tables (Python's `unicodedata.unidata_version`).
pub const UNICODE_VERSION: &str = "{unicodedata.unidata_version}";

/// The characters whose decimal value is 0, ascending; each starts ten consecutive digits.
pub(super) const DIGIT_ZEROS: [u32; {len(zeros)}] = [
{rows(zeros)}];

/// The characters above U+007F that `str.isspace()` holds for, ascending.
pub(super) const SPACES: [u32; {len(spaces)}] = [
{rows(spaces)}];
""")


def main():
    write_unicode_table()
    g = Gen()
    atr_cases.build(g)
    write_file(
        "atr-jwt",
        g.vectors,
        FLAGS,
        'Apache Trusted Releases\' HS256 API JWTs: the Authorization header and jwt.decode(token, key, algorithms=["HS256"], audience=iss, issuer=iss, leeway=120, options={"require": [sub, iss, aud, iat, nbf, exp, jti]}), expectations from PyJWT itself.',
        stamp("atr_gen", ("setup", "requirements/jose.txt")),
        {"rfcs": ["RFC 7519", "RFC 7515", "RFC 7518"], "pyjwt": jwt.__version__},
    )
    divergent = [v["id"] for v in g.vectors if "peer-divergence" in v["flags"]]
    print("peer divergences: " + ", ".join(divergent))


if __name__ == "__main__":
    main()
