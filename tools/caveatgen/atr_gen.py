"""Writes vectors/atr-jwt.json: what Apache Trusted Releases' verifier accepts for its HS256
API JWTs, with expectations from real PyJWT (the oracle in atr_jwt.py, the cases in
atr_cases.py).

    tools/caveatgen/setup --generate atr-jwt
"""

import jwt

from caveatgen import atr_cases
from caveatgen.atr_jwt import HEADER, ISS, KEY, NOW, atr_verify, claims, sign, text
from caveatgen.digest import stamp
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
}


class Gen:
    def __init__(self):
        self.vectors = []

    def add(self, area, slug, description, flags, authorization, key=KEY, iss_aud=ISS, now=NOW):
        vid = f"atr-jwt/{area}/{slug}"
        assert vid not in {v["id"] for v in self.vectors}, vid
        inp = {"authorization": authorization, "key": key, "iss_aud": iss_aud, "now": now}
        self.vectors.append({"id": vid, "kind": "atr_jwt", "description": description,
                             "flags": list(flags), "input": inp,
                             "expected": atr_verify(authorization, key, iss_aud, now)})

    def token(self, area, slug, description, flags, header=None, payload=None, header_text=None,
              payload_text=None, key=KEY, **kw):
        tok = sign(header_text or text(header or HEADER), payload_text or text(payload or claims()), key)
        self.add(area, slug, description, flags, "Bearer " + tok, **kw)
        return tok


def main():
    g = Gen()
    atr_cases.build(g)
    write_file("atr-jwt", g.vectors, FLAGS,
               "Apache Trusted Releases' HS256 API JWTs: the Authorization header and jwt.decode(token, key, algorithms=[\"HS256\"], audience=iss, issuer=iss, leeway=120, options={\"require\": [sub, iss, aud, iat, nbf, exp, jti]}), expectations from PyJWT itself.",
               stamp("atr_gen", ("setup", "requirements/jose.txt")),
               {"rfcs": ["RFC 7519", "RFC 7515", "RFC 7518"], "pyjwt": jwt.__version__})


if __name__ == "__main__":
    main()
