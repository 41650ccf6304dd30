"""The atr-jwt cases. Each names what it changes from a token as ATR issues it."""

import hashlib

from caveatgen.atr_jwt import DROP, HEADER, ISS, JTI, KEY, NOW, OTHER_KEY, REQUIRE, b64u, claims, sign, text


def build(g):
    good = g.token("baseline", "as-issued", "A token as ATR issues it, 60 s after issue.", ["baseline"])
    g.token("baseline", "no-typ", "No typ header parameter, as ATR itself issues.", ["baseline", "header"],
            header={"alg": "HS256"})
    g.token("baseline", "extra-claims", "ATR's optional atr_th and atr_sys claims are ignored by the decode.",
            ["baseline"], payload=claims(atr_th="00" * 32, atr_sys=True))
    g.token("baseline", "cnf-jkt-ignored", "An unknown cnf claim with a jkt: ignored, so binding is inert today.",
            ["baseline", "pyjwt-quirk"], payload=claims(cnf={"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}))
    g.token("baseline", "kid-ignored", "A kid header parameter (a string) is ignored.", ["baseline", "header"],
            header={"alg": "HS256", "kid": "k1"})

    # Authorization header parsing.
    for slug, scheme in (("scheme-lower", "bearer"), ("scheme-upper", "BEARER"), ("scheme-mixed", "bEaReR")):
        g.add("bearer", slug, f"Scheme {scheme!r}: compared case-insensitively.", ["bearer"], f"{scheme} {good}")
    g.add("bearer", "two-spaces", "Two spaces after the scheme: the token keeps a leading space and does not decode.",
          ["bearer"], f"Bearer  {good}")
    g.add("bearer", "no-space", "No space: no scheme.", ["bearer"], f"Bearer{good}")
    g.add("bearer", "token-only", "The token without a scheme.", ["bearer"], good)
    g.add("bearer", "dpop-scheme", "The DPoP scheme is not bearer.", ["bearer"], f"DPoP {good}")
    g.add("bearer", "leading-space", "A leading space: the scheme is empty.", ["bearer"], f" Bearer {good}")
    g.add("bearer", "tab", "A tab instead of a space: no space to split on.", ["bearer"], f"Bearer\t{good}")
    g.add("bearer", "trailing-space", "A trailing space after the token: kept, and the signature segment does not decode.",
          ["bearer"], f"Bearer {good} ")
    g.add("bearer", "scheme-only", "The scheme and a space, no token.", ["bearer"], "Bearer ")
    g.add("bearer", "empty", "An empty header value.", ["bearer"], "")

    # Required claims, each missing, then each null.
    for c in REQUIRE:
        g.token("required", f"{c}-missing", f"No {c} claim.", ["required"], payload=claims(**{c: DROP}))
    for c in ("sub", "exp"):
        g.token("required", f"{c}-null", f"{c} is null: PyJWT's require treats null as missing.", ["required"],
                payload=claims(**{c: None}))
    g.token("required", "aud-empty-string", "aud is \"\": PyJWT reports a missing aud.", ["required", "aud"],
            payload=claims(aud=""))
    g.token("required", "aud-empty-list", "aud is []: PyJWT reports a missing aud.", ["required", "aud"],
            payload=claims(aud=[]))

    # Leeway.
    for d, what in ((-119, "119 s ago: inside the leeway"), (-120, "120 s ago: exp <= now − leeway"),
                    (-121, "121 s ago")):
        g.token("leeway", f"exp-past{d}", f"exp {what}.", ["leeway"], payload=claims(exp=NOW + d))
    for d, what in ((119, "119 s ahead: inside the leeway"), (120, "120 s ahead: nbf > now + leeway is false"),
                    (121, "121 s ahead")):
        g.token("leeway", f"nbf-ahead-{d}", f"nbf {what}.", ["leeway"], payload=claims(nbf=NOW + d))
    for d, what in ((120, "120 s ahead: accepted"), (121, "121 s ahead"), (3600, "an hour ahead")):
        g.token("leeway", f"iat-ahead-{d}", f"iat {what}.", ["leeway"], payload=claims(iat=NOW + d, nbf=NOW))
    g.token("leeway", "iat-old", "iat a year ago, exp still ahead: iat has no lower bound.", ["leeway"],
            payload=claims(iat=NOW - 31536000))

    # Issuer and audience.
    g.token("iss", "no-trailing-slash", "iss without the trailing slash.", ["iss"], payload=claims(iss=ISS[:-1]))
    g.token("iss", "upper-case-host", "iss with the host in capitals.", ["iss"],
            payload=claims(iss="https://ATR.example.org/"))
    g.token("iss", "list", "iss as a one-element list.", ["iss", "claim-type"], payload=claims(iss=[ISS]))
    g.token("iss", "number", "iss as a number.", ["iss", "claim-type"], payload=claims(iss=1))
    g.token("aud", "list-containing", "aud a list containing ATR's value.", ["aud"],
            payload=claims(aud=["https://other.example/", ISS]))
    g.token("aud", "list-without", "aud a list without ATR's value.", ["aud"], payload=claims(aud=["https://other.example/"]))
    g.token("aud", "other-string", "aud another string.", ["aud"], payload=claims(aud="atr-api-pat-test-v1"))
    g.token("aud", "number", "aud a number.", ["aud", "claim-type"], payload=claims(aud=7))
    g.token("aud", "list-with-number", "aud a list with ATR's value and a number.", ["aud", "claim-type"],
            payload=claims(aud=[ISS, 7]))
    g.token("aud", "object", "aud a non-empty object.", ["aud", "claim-type"], payload=claims(aud={"a": ISS}))

    # alg.
    for alg in ("none", "HS512", "RS256", "hs256", ""):
        g.token("alg", alg.lower() or "empty", f"alg {alg!r}, HMAC-SHA256 signature over the same input.", ["alg"],
                header={"alg": alg, "typ": "JWT"})
    g.token("alg", "missing", "No alg header parameter.", ["alg"], header={"typ": "JWT"})
    g.token("alg", "list", "alg a list holding HS256.", ["alg"], header={"alg": ["HS256"]})
    g.add("alg", "none-unsigned", "alg none with an empty signature segment.", ["alg"],
          "Bearer " + b64u(text({"alg": "none"}).encode()) + "." + b64u(text(claims()).encode()) + ".")
    ht, pt = text({"alg": "HS512", "typ": "JWT"}), text(claims())
    si = f"{b64u(ht.encode())}.{b64u(pt.encode())}"
    import hmac as _h
    g.add("alg", "hs512-signed", "alg HS512 with a real HMAC-SHA512 signature.", ["alg"],
          "Bearer " + si + "." + b64u(_h.new(KEY.encode(), si.encode(), hashlib.sha512).digest()))

    # Signature and key.
    g.token("signature", "other-key", "Signed with another key.", ["signature"], key=OTHER_KEY)
    g.token("signature", "key-bytes-not-hex-decoded", "Signed with the bytes the hex key decodes to: ATR uses the hex text itself.",
            ["signature"], key=bytes.fromhex(KEY).decode("latin-1"))
    h, p, s = good.split(".")
    flipped = bytearray(__import__("base64").urlsafe_b64decode(s + "="))
    flipped[0] ^= 1
    g.add("signature", "bit-flip", "The first signature bit flipped.", ["signature"], f"Bearer {h}.{p}.{b64u(bytes(flipped))}")
    g.add("signature", "truncated", "The signature's last character removed.", ["signature"], f"Bearer {h}.{p}.{s[:-1]}")
    g.add("signature", "empty", "An empty signature segment.", ["signature"], f"Bearer {h}.{p}.")
    g.add("signature", "payload-swapped", "The payload of another token under this signature.", ["signature"],
          f"Bearer {h}.{b64u(text(claims(sub='root')).encode())}.{s}")

    # PyJWT quirks.
    g.token("quirk", "iat-numeric-string", "iat a numeric string: int() accepts it.", ["pyjwt-quirk"],
            payload=claims(iat=str(NOW - 60)))
    g.token("quirk", "iat-string-spaces", "iat a numeric string with spaces: int() strips them.", ["pyjwt-quirk"],
            payload=claims(iat=f" {NOW - 60} "))
    g.token("quirk", "iat-string-underscore", "iat a numeric string with an underscore: int() accepts it.", ["pyjwt-quirk"],
            payload=claims(iat="1_767_225_540"))
    g.token("quirk", "iat-word", "iat a non-numeric string.", ["pyjwt-quirk", "claim-type"], payload=claims(iat="yesterday"))
    g.token("quirk", "iat-float-string", "iat a string holding a decimal: int() refuses it.", ["pyjwt-quirk", "claim-type"],
            payload=claims(iat=f"{NOW - 60}.5"))
    g.token("quirk", "iat-bool", "iat true: int(True) is 1.", ["pyjwt-quirk"], payload=claims(iat=True))
    g.token("quirk", "iat-list", "iat a list.", ["claim-type"], payload=claims(iat=[NOW]))
    g.token("quirk", "exp-float", "exp a float: truncated.", ["pyjwt-quirk"], payload=claims(exp=NOW + 1800.75))
    g.token("quirk", "exp-float-boundary", "exp a float 119.5 s ago: truncated to 120 s ago, expired.",
            ["pyjwt-quirk", "leeway"], payload=claims(exp=NOW - 119.5))
    g.token("quirk", "exp-numeric-string", "exp a numeric string.", ["pyjwt-quirk"], payload=claims(exp=str(NOW + 1800)))
    g.token("quirk", "exp-word", "exp a non-numeric string: a DecodeError in PyJWT.", ["claim-type"], payload=claims(exp="later"))
    g.token("quirk", "exp-1e300", "exp 1e300, a float: int() makes it a huge integer, far ahead.", ["pyjwt-quirk"],
            payload_text=text(claims(exp=0)).replace('"exp":0', '"exp":1e300'))
    g.token("quirk", "nbf-object", "nbf an object: a DecodeError in PyJWT.", ["claim-type"], payload=claims(nbf={}))
    g.token("quirk", "nbf-bool-false", "nbf false: int(False) is 0.", ["pyjwt-quirk"], payload=claims(nbf=False))
    dup = text(claims())[:-1]
    g.token("quirk", "duplicate-sub-last-wins", "sub twice: the last one counts.", ["pyjwt-quirk"],
            payload_text=dup + ',"sub":"mallory"}')
    g.token("quirk", "duplicate-exp-expired-last", "exp twice, the last one expired.", ["pyjwt-quirk", "leeway"],
            payload_text=dup + f',"exp":{NOW - 3600}}}')
    g.token("quirk", "duplicate-exp-expired-first", "exp twice, the first one expired and the last one fine.",
            ["pyjwt-quirk", "leeway"],
            payload_text='{"exp":%d,' % (NOW - 3600) + text(claims())[1:])
    g.token("quirk", "duplicate-alg-last-wins", "alg twice in the header, none then HS256.", ["pyjwt-quirk", "alg"],
            header_text='{"alg":"none","alg":"HS256"}')
    g.token("quirk", "duplicate-alg-none-last", "alg twice in the header, HS256 then none.", ["pyjwt-quirk", "alg"],
            header_text='{"alg":"HS256","alg":"none"}')
    g.token("quirk", "sub-number", "sub a number.", ["claim-type"], payload=claims(sub=42))
    g.token("quirk", "jti-number", "jti a number.", ["claim-type"], payload=claims(jti=42))
    g.token("quirk", "sub-empty", "sub the empty string: present and a string.", ["pyjwt-quirk"], payload=claims(sub=""))

    # Header parameters.
    for slug, typ in (("typ-upper", "JWT"), ("typ-lower", "jwt"), ("typ-at-jwt", "at+jwt"),
                      ("typ-dpop-jwt", "dpop+jwt"), ("typ-number", 7)):
        g.token("header", slug,
                f"typ {typ!r}: PyJWT ignores typ.", ["header", "pyjwt-quirk"], header={"alg": "HS256", "typ": typ})
    g.token("header", "kid-number", "kid a number: PyJWT refuses a kid that is not a string.", ["header"],
            header={"alg": "HS256", "kid": 1})
    g.token("crit", "unknown", "crit names an extension PyJWT does not understand.", ["crit"],
            header={"alg": "HS256", "crit": ["exp"], "exp": NOW})
    g.token("crit", "empty-list", "crit an empty list.", ["crit"], header={"alg": "HS256", "crit": []})
    g.token("crit", "not-list", "crit a string.", ["crit"], header={"alg": "HS256", "crit": "b64"})
    g.token("crit", "b64-absent", "crit names b64 but the header has no b64.", ["crit"], header={"alg": "HS256", "crit": ["b64"]})
    g.token("crit", "b64-true", "crit names b64 and b64 is true: understood, ordinary payload.", ["crit"],
            header={"alg": "HS256", "crit": ["b64"], "b64": True})
    g.token("crit", "b64-false-no-crit", "b64 false without crit.", ["crit"], header={"alg": "HS256", "b64": False})
    ht = text({"alg": "HS256", "crit": ["b64"], "b64": False})
    g.add("crit", "b64-false-detached", "b64 false with crit and an empty payload segment: ATR passes no detached payload.",
          ["crit"], "Bearer " + sign(ht, "").replace(f".{b64u(b'')}.", ".."))

    # base64url as PyJWT 2.15.1 decodes a segment.
    g.add("base64url", "signature-padded", "The signature segment with its = padding.", ["base64url"],
          f"Bearer {h}.{p}.{s}=")
    g.add("base64url", "signature-two-pad", "Two = on a segment that needs one.", ["base64url"], f"Bearer {h}.{p}.{s}==")
    g.add("base64url", "signature-nonzero-bits", "The signature's last character with unused low bits set.", ["base64url"],
          f"Bearer {h}.{p}.{s[:-1]}{'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.index(s[-1]) | 1]}")
    n = 0
    while not any(c in "-_" for c in sign(text(HEADER), text(claims(jti=f"{JTI[:-2]}{n:02x}"))).split(".")[2]):
        n += 1
    h2, p2, s2 = sign(text(HEADER), text(claims(jti=f"{JTI[:-2]}{n:02x}"))).split(".")
    g.add("base64url", "signature-std-alphabet", "A signature holding - or _, sent in the standard alphabet (+ and /).",
          ["base64url"], f"Bearer {h2}.{p2}.{s2.replace('-', '+').replace('_', '/')}")
    g.add("base64url", "signature-url-alphabet", "The same token in the url alphabet.", ["base64url", "baseline"],
          f"Bearer {h2}.{p2}.{s2}")
    padded_h = __import__("base64").urlsafe_b64encode(text(HEADER).encode()).decode()
    g.add("base64url", "header-padded", "The header segment padded (signed as padded).", ["base64url"],
          "Bearer " + _sign_raw(padded_h, p))
    g.add("base64url", "junk-in-header", "A ! inside the header segment (signed as sent).", ["base64url", "malformed"],
          "Bearer " + _sign_raw(h[:4] + "!" + h[4:], p))

    # Malformed.
    g.add("malformed", "two-segments", "Two segments.", ["malformed"], f"Bearer {h}.{p}")
    g.add("malformed", "four-segments", "Four segments.", ["malformed"], f"Bearer {good}.{s}")
    g.add("malformed", "not-jwt", "Not a JWT.", ["malformed"], "Bearer pypi-AgEIcHlwaS5vcmc")
    g.token("malformed", "payload-array", "The payload a JSON array.", ["malformed"], payload_text="[1]")
    g.token("malformed", "payload-not-json", "The payload not JSON.", ["malformed"], payload_text="sub=alice")
    g.token("malformed", "header-array", "The header a JSON array.", ["malformed"], header_text='["HS256"]')


def _sign_raw(header_segment: str, payload_segment: str) -> str:
    import hmac
    si = f"{header_segment}.{payload_segment}"
    return f"{si}.{b64u(hmac.new(KEY.encode(), si.encode(), hashlib.sha256).digest())}"
