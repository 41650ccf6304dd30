"""The atr-jwt cases. Each names what it changes from a token as ATR issues it."""

import hashlib
import json

from caveatgen.atr_jwt import (
    DROP,
    HEADER,
    ISS,
    JTI,
    KEY,
    NOW,
    OTHER_KEY,
    PROFILE_MAX_DEPTH,
    REQUIRE,
    b64u,
    claims,
    sign,
    text,
)


def build(g):
    good = g.token("baseline", "as-issued", "A token as ATR issues it, 60 s after issue.", ["baseline"])
    g.token(
        "baseline",
        "no-typ",
        "No typ header parameter, as ATR itself issues.",
        ["baseline", "header"],
        header={"alg": "HS256"},
    )
    g.token(
        "baseline",
        "extra-claims",
        "ATR's optional atr_th and atr_sys claims are ignored by the decode.",
        ["baseline"],
        payload=claims(atr_th="00" * 32, atr_sys=True),
    )
    g.token(
        "baseline",
        "cnf-jkt-ignored",
        "An unknown cnf claim with a jkt: ignored, so binding is inert today.",
        ["baseline", "pyjwt-quirk"],
        payload=claims(cnf={"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}),
    )
    g.token(
        "baseline",
        "kid-ignored",
        "A kid header parameter (a string) is ignored.",
        ["baseline", "header"],
        header={"alg": "HS256", "kid": "k1"},
    )

    # Authorization header parsing.
    for slug, scheme in (("scheme-lower", "bearer"), ("scheme-upper", "BEARER"), ("scheme-mixed", "bEaReR")):
        g.add("bearer", slug, f"Scheme {scheme!r}: compared case-insensitively.", ["bearer"], f"{scheme} {good}")
    g.add(
        "bearer",
        "two-spaces",
        "Two spaces after the scheme: the token keeps a leading space and does not decode.",
        ["bearer"],
        f"Bearer  {good}",
    )
    g.add("bearer", "no-space", "No space: no scheme.", ["bearer"], f"Bearer{good}")
    g.add("bearer", "token-only", "The token without a scheme.", ["bearer"], good)
    g.add("bearer", "dpop-scheme", "The DPoP scheme is not bearer.", ["bearer"], f"DPoP {good}")
    g.add("bearer", "leading-space", "A leading space: the scheme is empty.", ["bearer"], f" Bearer {good}")
    g.add("bearer", "tab", "A tab instead of a space: no space to split on.", ["bearer"], f"Bearer\t{good}")
    g.add(
        "bearer",
        "trailing-space",
        "A trailing space after the token: kept, and the signature segment does not decode.",
        ["bearer"],
        f"Bearer {good} ",
    )
    g.add("bearer", "scheme-only", "The scheme and a space, no token.", ["bearer"], "Bearer ")
    g.add("bearer", "empty", "An empty header value.", ["bearer"], "")

    # Required claims, each missing, then each null.
    for c in REQUIRE:
        g.token("required", f"{c}-missing", f"No {c} claim.", ["required"], payload=claims(**{c: DROP}))
    for c in ("sub", "exp"):
        g.token(
            "required",
            f"{c}-null",
            f"{c} is null: PyJWT's require treats null as missing.",
            ["required"],
            payload=claims(**{c: None}),
        )
    g.token(
        "required",
        "aud-empty-string",
        'aud is "": PyJWT reports a missing aud.',
        ["required", "aud"],
        payload=claims(aud=""),
    )
    g.token(
        "required",
        "aud-empty-list",
        "aud is []: PyJWT reports a missing aud.",
        ["required", "aud"],
        payload=claims(aud=[]),
    )

    # Leeway.
    for d, what in (
        (-119, "119 s ago: inside the leeway"),
        (-120, "120 s ago: exp <= now − leeway"),
        (-121, "121 s ago"),
    ):
        g.token("leeway", f"exp-past{d}", f"exp {what}.", ["leeway"], payload=claims(exp=NOW + d))
    for d, what in (
        (119, "119 s ahead: inside the leeway"),
        (120, "120 s ahead: nbf > now + leeway is false"),
        (121, "121 s ahead"),
    ):
        g.token("leeway", f"nbf-ahead-{d}", f"nbf {what}.", ["leeway"], payload=claims(nbf=NOW + d))
    for d, what in ((120, "120 s ahead: accepted"), (121, "121 s ahead"), (3600, "an hour ahead")):
        g.token("leeway", f"iat-ahead-{d}", f"iat {what}.", ["leeway"], payload=claims(iat=NOW + d, nbf=NOW))
    g.token(
        "leeway",
        "iat-old",
        "iat a year ago, exp still ahead: iat has no lower bound.",
        ["leeway"],
        payload=claims(iat=NOW - 31536000),
    )

    # Issuer and audience.
    g.token("iss", "no-trailing-slash", "iss without the trailing slash.", ["iss"], payload=claims(iss=ISS[:-1]))
    g.token(
        "iss",
        "upper-case-host",
        "iss with the host in capitals.",
        ["iss"],
        payload=claims(iss="https://ATR.example.org/"),
    )
    g.token("iss", "list", "iss as a one-element list.", ["iss", "claim-type"], payload=claims(iss=[ISS]))
    g.token("iss", "number", "iss as a number.", ["iss", "claim-type"], payload=claims(iss=1))
    g.token(
        "aud",
        "list-containing",
        "aud a list containing ATR's value.",
        ["aud"],
        payload=claims(aud=["https://other.example/", ISS]),
    )
    g.token(
        "aud",
        "list-without",
        "aud a list without ATR's value.",
        ["aud"],
        payload=claims(aud=["https://other.example/"]),
    )
    g.token("aud", "other-string", "aud another string.", ["aud"], payload=claims(aud="atr-api-pat-test-v1"))
    g.token("aud", "number", "aud a number.", ["aud", "claim-type"], payload=claims(aud=7))
    g.token(
        "aud",
        "list-with-number",
        "aud a list with ATR's value and a number.",
        ["aud", "claim-type"],
        payload=claims(aud=[ISS, 7]),
    )
    g.token("aud", "object", "aud a non-empty object.", ["aud", "claim-type"], payload=claims(aud={"a": ISS}))

    # alg.
    for alg in ("none", "HS512", "RS256", "hs256", ""):
        g.token(
            "alg",
            alg.lower() or "empty",
            f"alg {alg!r}, HMAC-SHA256 signature over the same input.",
            ["alg"],
            header={"alg": alg, "typ": "JWT"},
        )
    g.token("alg", "missing", "No alg header parameter.", ["alg"], header={"typ": "JWT"})
    g.token("alg", "list", "alg a list holding HS256.", ["alg"], header={"alg": ["HS256"]})
    g.add(
        "alg",
        "none-unsigned",
        "alg none with an empty signature segment.",
        ["alg"],
        "Bearer " + b64u(text({"alg": "none"}).encode()) + "." + b64u(text(claims()).encode()) + ".",
    )
    ht, pt = text({"alg": "HS512", "typ": "JWT"}), text(claims())
    si = f"{b64u(ht.encode())}.{b64u(pt.encode())}"
    import hmac as _h

    g.add(
        "alg",
        "hs512-signed",
        "alg HS512 with a real HMAC-SHA512 signature.",
        ["alg"],
        "Bearer " + si + "." + b64u(_h.new(KEY.encode(), si.encode(), hashlib.sha512).digest()),
    )

    # Signature and key.
    g.token("signature", "other-key", "Signed with another key.", ["signature"], key=OTHER_KEY)
    g.token(
        "signature",
        "key-bytes-not-hex-decoded",
        "Signed with the bytes the hex key decodes to: ATR uses the hex text itself.",
        ["signature"],
        key=bytes.fromhex(KEY).decode("latin-1"),
    )
    h, p, s = good.split(".")
    flipped = bytearray(__import__("base64").urlsafe_b64decode(s + "="))
    flipped[0] ^= 1
    g.add(
        "signature",
        "bit-flip",
        "The first signature bit flipped.",
        ["signature"],
        f"Bearer {h}.{p}.{b64u(bytes(flipped))}",
    )
    g.add(
        "signature", "truncated", "The signature's last character removed.", ["signature"], f"Bearer {h}.{p}.{s[:-1]}"
    )
    g.add("signature", "empty", "An empty signature segment.", ["signature"], f"Bearer {h}.{p}.")
    g.add(
        "signature",
        "payload-swapped",
        "The payload of another token under this signature.",
        ["signature"],
        f"Bearer {h}.{b64u(text(claims(sub='root')).encode())}.{s}",
    )

    # PyJWT quirks.
    g.token(
        "quirk",
        "iat-numeric-string",
        "iat a numeric string: int() accepts it.",
        ["pyjwt-quirk"],
        payload=claims(iat=str(NOW - 60)),
    )
    g.token(
        "quirk",
        "iat-string-spaces",
        "iat a numeric string with spaces: int() strips them.",
        ["pyjwt-quirk"],
        payload=claims(iat=f" {NOW - 60} "),
    )
    g.token(
        "quirk",
        "iat-string-underscore",
        "iat a numeric string with an underscore: int() accepts it.",
        ["pyjwt-quirk"],
        payload=claims(iat="1_767_225_540"),
    )
    g.token(
        "quirk", "iat-word", "iat a non-numeric string.", ["pyjwt-quirk", "claim-type"], payload=claims(iat="yesterday")
    )
    g.token(
        "quirk",
        "iat-float-string",
        "iat a string holding a decimal: int() refuses it.",
        ["pyjwt-quirk", "claim-type"],
        payload=claims(iat=f"{NOW - 60}.5"),
    )
    g.token("quirk", "iat-bool", "iat true: int(True) is 1.", ["pyjwt-quirk"], payload=claims(iat=True))
    g.token("quirk", "iat-list", "iat a list.", ["claim-type"], payload=claims(iat=[NOW]))
    g.token("quirk", "exp-float", "exp a float: truncated.", ["pyjwt-quirk"], payload=claims(exp=NOW + 1800.75))
    g.token(
        "quirk",
        "exp-float-boundary",
        "exp a float 119.5 s ago: truncated to 120 s ago, expired.",
        ["pyjwt-quirk", "leeway"],
        payload=claims(exp=NOW - 119.5),
    )
    g.token(
        "quirk", "exp-numeric-string", "exp a numeric string.", ["pyjwt-quirk"], payload=claims(exp=str(NOW + 1800))
    )
    g.token(
        "quirk",
        "exp-word",
        "exp a non-numeric string: a DecodeError in PyJWT.",
        ["claim-type"],
        payload=claims(exp="later"),
    )
    g.token(
        "quirk",
        "exp-1e300",
        "exp 1e300, a float: int() makes it a huge integer, far ahead.",
        ["pyjwt-quirk"],
        payload_text=text(claims(exp=0)).replace('"exp":0', '"exp":1e300'),
    )
    g.token("quirk", "nbf-object", "nbf an object: a DecodeError in PyJWT.", ["claim-type"], payload=claims(nbf={}))
    g.token("quirk", "nbf-bool-false", "nbf false: int(False) is 0.", ["pyjwt-quirk"], payload=claims(nbf=False))
    dup = text(claims())[:-1]
    g.token(
        "quirk",
        "duplicate-sub-last-wins",
        "sub twice: the last one counts.",
        ["pyjwt-quirk"],
        payload_text=dup + ',"sub":"mallory"}',
    )
    g.token(
        "quirk",
        "duplicate-exp-expired-last",
        "exp twice, the last one expired.",
        ["pyjwt-quirk", "leeway"],
        payload_text=dup + f',"exp":{NOW - 3600}}}',
    )
    g.token(
        "quirk",
        "duplicate-exp-expired-first",
        "exp twice, the first one expired and the last one fine.",
        ["pyjwt-quirk", "leeway"],
        payload_text='{"exp":%d,' % (NOW - 3600) + text(claims())[1:],
    )
    g.token(
        "quirk",
        "duplicate-alg-last-wins",
        "alg twice in the header, none then HS256.",
        ["pyjwt-quirk", "alg"],
        header_text='{"alg":"none","alg":"HS256"}',
    )
    g.token(
        "quirk",
        "duplicate-alg-none-last",
        "alg twice in the header, HS256 then none.",
        ["pyjwt-quirk", "alg"],
        header_text='{"alg":"HS256","alg":"none"}',
    )
    g.token("quirk", "sub-number", "sub a number.", ["claim-type"], payload=claims(sub=42))
    g.token("quirk", "jti-number", "jti a number.", ["claim-type"], payload=claims(jti=42))
    g.token(
        "quirk", "sub-empty", "sub the empty string: present and a string.", ["pyjwt-quirk"], payload=claims(sub="")
    )

    # Header parameters.
    for slug, typ in (
        ("typ-upper", "JWT"),
        ("typ-lower", "jwt"),
        ("typ-at-jwt", "at+jwt"),
        ("typ-dpop-jwt", "dpop+jwt"),
        ("typ-number", 7),
    ):
        g.token(
            "header",
            slug,
            f"typ {typ!r}: PyJWT ignores typ.",
            ["header", "pyjwt-quirk"],
            header={"alg": "HS256", "typ": typ},
        )
    g.token(
        "header",
        "kid-number",
        "kid a number: PyJWT refuses a kid that is not a string.",
        ["header"],
        header={"alg": "HS256", "kid": 1},
    )
    g.token(
        "crit",
        "unknown",
        "crit names an extension PyJWT does not understand.",
        ["crit"],
        header={"alg": "HS256", "crit": ["exp"], "exp": NOW},
    )
    g.token("crit", "empty-list", "crit an empty list.", ["crit"], header={"alg": "HS256", "crit": []})
    g.token("crit", "not-list", "crit a string.", ["crit"], header={"alg": "HS256", "crit": "b64"})
    g.token(
        "crit",
        "b64-absent",
        "crit names b64 but the header has no b64.",
        ["crit"],
        header={"alg": "HS256", "crit": ["b64"]},
    )
    g.token(
        "crit",
        "b64-true",
        "crit names b64 and b64 is true: understood, ordinary payload.",
        ["crit"],
        header={"alg": "HS256", "crit": ["b64"], "b64": True},
    )
    g.token("crit", "b64-false-no-crit", "b64 false without crit.", ["crit"], header={"alg": "HS256", "b64": False})
    ht = text({"alg": "HS256", "crit": ["b64"], "b64": False})
    g.add(
        "crit",
        "b64-false-detached",
        "b64 false with crit and an empty payload segment: ATR passes no detached payload.",
        ["crit"],
        "Bearer " + sign(ht, "").replace(f".{b64u(b'')}.", ".."),
    )

    # base64url as PyJWT 2.15.1 decodes a segment.
    g.add(
        "base64url",
        "signature-padded",
        "The signature segment with its = padding.",
        ["base64url"],
        f"Bearer {h}.{p}.{s}=",
    )
    g.add(
        "base64url", "signature-two-pad", "Two = on a segment that needs one.", ["base64url"], f"Bearer {h}.{p}.{s}=="
    )
    g.add(
        "base64url",
        "signature-nonzero-bits",
        "The signature's last character with unused low bits set.",
        ["base64url"],
        f"Bearer {h}.{p}.{s[:-1]}{'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.index(s[-1]) | 1]}",
    )
    n = 0
    while not any(c in "-_" for c in sign(text(HEADER), text(claims(jti=f"{JTI[:-2]}{n:02x}"))).split(".")[2]):
        n += 1
    h2, p2, s2 = sign(text(HEADER), text(claims(jti=f"{JTI[:-2]}{n:02x}"))).split(".")
    g.add(
        "base64url",
        "signature-std-alphabet",
        "A signature holding - or _, sent in the standard alphabet (+ and /).",
        ["base64url"],
        f"Bearer {h2}.{p2}.{s2.replace('-', '+').replace('_', '/')}",
    )
    g.add(
        "base64url",
        "signature-url-alphabet",
        "The same token in the url alphabet.",
        ["base64url", "baseline"],
        f"Bearer {h2}.{p2}.{s2}",
    )
    padded_h = __import__("base64").urlsafe_b64encode(text(HEADER).encode()).decode()
    g.add(
        "base64url",
        "header-padded",
        "The header segment padded (signed as padded).",
        ["base64url"],
        "Bearer " + _sign_raw(padded_h, p),
    )
    g.add(
        "base64url",
        "junk-in-header",
        "A ! inside the header segment (signed as sent).",
        ["base64url", "malformed"],
        "Bearer " + _sign_raw(h[:4] + "!" + h[4:], p),
    )

    # Malformed.
    g.add("malformed", "two-segments", "Two segments.", ["malformed"], f"Bearer {h}.{p}")
    g.add("malformed", "four-segments", "Four segments.", ["malformed"], f"Bearer {good}.{s}")
    g.add("malformed", "not-jwt", "Not a JWT.", ["malformed"], "Bearer pypi-AgEIcHlwaS5vcmc")
    g.token("malformed", "payload-array", "The payload a JSON array.", ["malformed"], payload_text="[1]")
    g.token("malformed", "payload-not-json", "The payload not JSON.", ["malformed"], payload_text="sub=alice")
    g.token("malformed", "header-array", "The header a JSON array.", ["malformed"], header_text='["HS256"]')

    python_int(g)
    python_json(g)
    limits(g)
    json_text(g)


def raw(name: str, literal: str, **changes) -> str:
    """The claims with `name` set to a JSON text written as is."""
    return text(claims(**{name: 0}, **changes)).replace(f'"{name}":0', f'"{name}":{literal}', 1)


def with_member(literal_member: str) -> str:
    """The claims with one more member, written as is."""
    return text(claims())[:-1] + "," + literal_member + "}"


EXP = NOW + 1800
MARK = "\u00a7"  # A placeholder in sub, replaced by bytes no encoder writes.


def python_int(g):
    """exp, nbf and iat through Python's int(), as PyJWT converts them."""
    f = ["python-int"]
    t = g.token
    # Strings: int() strips whitespace, takes a sign and single underscores between digits.
    t("pyint", "nbf-digit-string", "nbf a digit string.", f, payload=claims(nbf=str(NOW - 60)))
    for slug, value, what in (
        ("exp-string-spaces", f" \t{EXP}\n ", "ASCII spaces, a tab and a newline around it: stripped"),
        ("exp-string-vt-ff", f"\x0b{EXP}\x0c", "a vertical tab and a form feed around it: stripped"),
        ("exp-string-unit-separator", f"\x1f{EXP}", "U+001F before it: whitespace to str.isspace(), not to int()"),
        ("exp-string-nbsp-ideographic", f"\u00a0{EXP}\u3000", "U+00A0 and U+3000 around it: Unicode spaces, stripped"),
        ("exp-string-nel-line-separator", f"\u0085{EXP}\u2028", "U+0085 and U+2028 around it: stripped"),
        ("exp-string-zero-width-space", f"\u200b{EXP}", "U+200B before it: not whitespace"),
        ("exp-string-inner-space", f"{EXP // 1000000} {EXP % 1000000}", "a space inside the digits"),
        ("exp-string-underscores", f"{EXP:_}", "underscores between digit groups"),
        ("exp-string-double-underscore", f"{EXP:_}".replace("_", "__", 1), "two underscores in a row"),
        ("exp-string-leading-underscore", f"_{EXP}", "a leading underscore"),
        ("exp-string-trailing-underscore", f"{EXP}_", "a trailing underscore"),
        ("exp-string-plus", f"+{EXP}", "a plus sign"),
        ("exp-string-minus", f"-{EXP}", "a minus sign: far in the past"),
        ("exp-string-sign-space", f"+ {EXP}", "a space after the sign"),
        ("exp-string-two-signs", f"+-{EXP}", "two signs"),
        ("exp-string-leading-zeros", f"000{EXP}", "leading zeros"),
        ("exp-string-hex", hex(EXP), "in hexadecimal"),
        ("exp-string-exponent", "1.7672274e9", "with an exponent: int() of a string takes no exponent"),
        ("exp-string-infinity", "inf", '"inf"'),
        ("exp-string-4300-digits", "9" * 4300, "4300 nines: Python's limit, far ahead"),
        ("exp-string-4301-digits", "9" * 4301, "4301 nines: beyond Python's limit for int() of a string"),
        (
            "exp-string-4301-chars-2151-digits",
            "9_" * 2150 + "9",
            "2151 nines with underscores between them: the limit counts digits",
        ),
        ("exp-string-beyond-u64", str(2**64 + 1), "2**64 + 1"),
        ("exp-string-minus-10e400", "-1" + "0" * 400, "-10**400: far in the past"),
    ):
        t("pyint", slug, f"exp a string, {what}.", f, payload=claims(exp=value))
    # Decimal digits of other scripts: int() reads any character of Unicode category Nd.
    for slug, zero in (
        ("arabic-indic", 0x660),
        ("devanagari", 0x966),
        ("bengali", 0x9E6),
        ("thai", 0xE50),
        ("tibetan", 0xF20),
        ("fullwidth", 0xFF10),
        ("mathematical-bold", 0x1D7CE),
        ("adlam", 0x1E950),
    ):
        digits = "".join(chr(zero + int(d)) for d in str(EXP))
        t(
            "pyint",
            f"exp-digits-{slug}",
            f"exp written in {slug} digits (U+{zero:04X} is 0): int() reads them.",
            f,
            payload=claims(exp=digits),
        )
    mixed = "".join(chr(z + int(d)) for z, d in zip((0x30, 0x660, 0x966, 0xFF10) * 3, str(EXP)))
    t(
        "pyint",
        "exp-digits-mixed-scripts",
        "exp in digits of four scripts at once: int() reads them.",
        f,
        payload=claims(exp=mixed),
    )
    t(
        "pyint",
        "iat-digits-arabic-indic-ahead",
        "iat in Arabic-Indic digits, an hour ahead: read, then immature.",
        f,
        payload=claims(iat="".join(chr(0x660 + int(d)) for d in str(NOW + 3600)), nbf=NOW),
    )
    for slug, ch, what in (
        ("superscript-two", "\u00b2", "superscript two (a digit, not a decimal)"),
        ("roman-numeral", "\u216b", "a Roman numeral"),
        ("cjk-one", "\u4e00", "the CJK ideograph one"),
        ("circled-one", "\u2460", "a circled digit"),
    ):
        t(
            "pyint",
            f"exp-string-{slug}",
            f"exp {what} after the digits: int() refuses it.",
            f,
            payload=claims(exp=f"{EXP}{ch}"),
        )
    # Booleans: bool is an int in Python.
    t("pyint", "exp-true", "exp true: int(True) is 1, long expired.", f, payload=claims(exp=True))
    t("pyint", "nbf-true", "nbf true: 1, in the past.", f, payload=claims(nbf=True))
    t("pyint", "iat-false", "iat false: 0.", f, payload=claims(iat=False))
    # Floats: truncated; NaN and the infinities raise, which PyJWT reports as the claim's error.
    for slug, literal, what in (
        ("exp-float-fraction", f"{EXP}.999", "a fraction: truncated"),
        ("exp-float-exponent", "1.7672274e9", "an exponent: 1767227400.0"),
        ("exp-float-exponent-integer", "17672274E2", "an integer with an exponent: a float"),
        ("exp-float-negative-zero", "-0.0", "-0.0: 0, expired"),
        ("exp-float-1e308", "1e308", "1e308: a 309-digit integer, far ahead"),
        ("exp-float-overflow", "1e400", "1e400: an infinite float, int() raises OverflowError"),
        ("exp-float-negative-overflow", "-1e400", "-1e400: an infinite float"),
        ("exp-float-underflow", "1e-400", "1e-400: 0.0, expired"),
        ("exp-nan", "NaN", "the NaN literal: int() raises ValueError"),
        ("exp-infinity", "Infinity", "the Infinity literal: int() raises OverflowError"),
        ("exp-negative-infinity", "-Infinity", "the -Infinity literal"),
    ):
        t("pyint", slug, f"exp {what}.", f, payload_text=raw("exp", literal))
    t("pyint", "iat-nan", "iat NaN: int() raises, InvalidIssuedAtError.", f, payload_text=raw("iat", "NaN"))
    t("pyint", "nbf-infinity", "nbf Infinity: int() raises, a DecodeError.", f, payload_text=raw("nbf", "Infinity"))
    t("pyint", "iat-float-underflow", "iat 1e-400: 0.0.", f, payload_text=raw("iat", "1e-400"))
    # Integers beyond 64 bits: Python's are exact at any size.
    for slug, name, value, what in (
        ("exp-2e64", "exp", 2**64, "2**64"),
        ("exp-beyond-i128", "exp", 2**127 + 1, "2**127 + 1"),
        ("exp-minus-2e63-minus-1", "exp", -(2**63) - 1, "-2**63 - 1: expired"),
        ("exp-10e400", "exp", 10**400, "10**400, beyond the double range: far ahead"),
        ("exp-minus-10e400", "exp", -(10**400), "-10**400: expired"),
        ("nbf-10e400", "nbf", 10**400, "10**400: immature"),
        ("nbf-minus-10e400", "nbf", -(10**400), "-10**400: long valid"),
        ("iat-10e400", "iat", 10**400, "10**400: immature"),
        ("iat-minus-10e400", "iat", -(10**400), "-10**400: no lower bound"),
        ("exp-4300-digits", "exp", int("9" * 4300), "4300 digits: Python's limit for an integer literal"),
    ):
        t("pyint", slug, f"{name} {what}.", f, payload_text=raw(name, str(value)))
    t(
        "pyint",
        "exp-4301-digits",
        "exp an integer literal of 4301 digits: json.loads raises, a DecodeError.",
        f + ["malformed"],
        payload_text=raw("exp", "9" * 4301),
    )


def python_json(g):
    """What Python's JSON reader accepts beyond RFC 8259, and the profile's two bounds on it."""
    f = ["python-json"]
    t = g.token
    # Numbers JSON has no syntax for, in claims ATR reads and in one it does not.
    for slug, literal in (
        ("nan", "NaN"),
        ("infinity", "Infinity"),
        ("negative-infinity", "-Infinity"),
        ("1e400", "1e400"),
        ("10e400", "1" + "0" * 400),
        ("1e99999", "1e99999"),
    ):
        t(
            "pyjson",
            f"unread-{slug}",
            f"An extra claim {literal[:12]}: Python reads it, nothing looks at it.",
            f,
            payload_text=with_member(f'"x":{literal}'),
        )
    t(
        "pyjson",
        "unread-4301-digits",
        "An extra claim, an integer of 4301 digits: json.loads raises, a DecodeError.",
        f + ["malformed"],
        payload_text=with_member('"x":' + "1" * 4301),
    )
    t("pyjson", "aud-nan", "aud NaN: true to Python, not a string.", f + ["aud"], payload_text=raw("aud", "NaN"))
    t("pyjson", "sub-infinity", "sub Infinity: not a string.", f, payload_text=raw("sub", "Infinity"))
    t("pyjson", "iss-nan", "iss NaN: not a string.", f + ["iss"], payload_text=raw("iss", "NaN"))
    for slug, literal in (
        ("nan-lower-case", "nan"),
        ("plus-infinity", "+Infinity"),
        ("minus-nan", "-NaN"),
        ("leading-zero", "01"),
        ("bare-fraction", ".5"),
        ("trailing-dot", "1."),
    ):
        t(
            "pyjson",
            f"unread-{slug}",
            f"An extra claim {literal}: not even Python reads it.",
            f + ["malformed"],
            payload_text=with_member(f'"x":{literal}'),
        )
    t(
        "pyjson",
        "form-feed-between-tokens",
        "A form feed between members: Python's JSON whitespace is space, tab, CR, LF.",
        f + ["malformed"],
        payload_text=text(claims())[:-1] + ',\x0c"x":1}',
    )
    t(
        "pyjson",
        "control-character-in-string",
        "A raw U+0001 in a string: refused (strict mode).",
        f + ["malformed"],
        payload_text=with_member('"x":"a\x01"'),
    )

    # Nesting. Python's limit is its recursion limit; the profile's is PROFILE_MAX_DEPTH.
    d = PROFILE_MAX_DEPTH

    def nested(n):
        return "[" * n + "]" * n

    for n, what in (
        (200, "200 arrays deep"),
        (d - 1, f"{d - 1} arrays deep: {d} levels with the payload"),
        (d, f"{d} arrays deep: {d + 1} levels, one past the profile's bound (PyJWT reads it)"),
        (1000, "1000 arrays deep: beyond Python's recursion limit too, which PyJWT catches as a DecodeError"),
        (20000, "20000 arrays deep"),
    ):
        t("pyjson", f"unread-nested-{n}", f"An extra claim {what}.", f, payload_text=with_member('"x":' + nested(n)))
    t(
        "pyjson",
        "unread-nested-objects-1000",
        "An extra claim, 1000 objects deep.",
        f,
        payload_text=with_member('"x":' + '{"a":' * 1000 + "1" + "}" * 1000),
    )
    t(
        "pyjson",
        "aud-nested-200",
        "aud a list 200 deep: read, not a list of strings.",
        f + ["aud"],
        payload_text=raw("aud", nested(200)),
    )
    t(
        "pyjson",
        "aud-nested-1000",
        "aud a list 1000 deep: refused while decoding.",
        f + ["aud"],
        payload_text=raw("aud", nested(1000)),
    )
    t(
        "pyjson",
        "sub-nested-600",
        "sub a list 600 deep: beyond the profile's bound; PyJWT reads it and refuses its type.",
        f,
        payload_text=raw("sub", nested(600)),
    )
    t(
        "pyjson",
        "header-nested-200",
        "An extra header parameter 200 arrays deep: ignored.",
        f + ["header"],
        header_text='{"alg":"HS256","x":' + nested(200) + "}",
    )
    t(
        "pyjson",
        "header-nested-600",
        "An extra header parameter 600 arrays deep: beyond the profile's bound.",
        f + ["header"],
        header_text='{"alg":"HS256","x":' + nested(600) + "}",
    )

    # Lone surrogates: Python keeps them in its strings; the profile refuses them.
    for name in ("sub", "jti", "iss"):
        t(
            "pyjson",
            f"{name}-lone-surrogate",
            f'{name} "\\ud800": a lone high surrogate.',
            f,
            payload_text=raw(name, '"\\ud800"'),
        )
    t(
        "pyjson",
        "sub-lone-low-surrogate",
        "sub ends in a lone low surrogate.",
        f,
        payload_text=raw("sub", '"alice\\udfff"'),
    )
    t(
        "pyjson",
        "sub-surrogates-reversed",
        "sub a low then a high surrogate: two lone surrogates.",
        f,
        payload_text=raw("sub", '"\\ude00\\ud83d"'),
    )
    t(
        "pyjson",
        "sub-high-surrogate-then-letter",
        "sub a high surrogate escape followed by an escaped letter.",
        f,
        payload_text=raw("sub", '"\\ud800\\u0041"'),
    )
    t(
        "pyjson",
        "sub-surrogate-pair",
        "sub an escaped surrogate pair: one character, U+1F600.",
        f,
        payload_text=raw("sub", '"\\ud83d\\ude00"'),
    )
    t(
        "pyjson",
        "member-name-lone-surrogate",
        "An extra claim whose name is a lone surrogate.",
        f,
        payload_text=with_member('"\\ud800":1'),
    )
    t(
        "pyjson",
        "unread-lone-surrogate",
        "An extra claim whose value is a lone surrogate.",
        f,
        payload_text=with_member('"x":"\\udbff"'),
    )
    t(
        "pyjson",
        "kid-lone-surrogate",
        "A kid that is a lone surrogate.",
        f + ["header"],
        header_text='{"alg":"HS256","kid":"\\ud800"}',
    )
    pb = text(claims(sub=MARK))
    g.add(
        "pyjson",
        "sub-utf8-encoded-surrogate",
        "sub holds the UTF-8 bytes ED A0 80 (an encoded surrogate): Python's "
        "JSON reader decodes bytes with surrogatepass.",
        f,
        "Bearer " + _sign_bytes(text(HEADER).encode(), pb.encode().replace(MARK.encode(), b"\xed\xa0\x80")),
    )

    # Duplicate member names: the last one wins, also when escapes spell the same name.
    dup = text(claims())[:-1]
    t(
        "pyjson",
        "duplicate-iss-last-right",
        "iss twice, another issuer first and ATR's last.",
        f + ["iss"],
        payload_text='{"iss":"https://other.example/",' + text(claims())[1:],
    )
    t(
        "pyjson",
        "duplicate-iss-last-wrong",
        "iss twice, ATR's first and another last.",
        f + ["iss"],
        payload_text=dup + ',"iss":"https://other.example/"}',
    )
    t(
        "pyjson",
        "duplicate-sub-escaped-name",
        "sub twice, the second spelt \\u0073ub: the same name, the last wins.",
        f,
        payload_text=dup + ',"\\u0073ub":"mallory"}',
    )
    t(
        "pyjson",
        "duplicate-sub-number-then-string",
        "sub a number, then a string: only the last is checked.",
        f,
        payload_text='{"sub":42,' + text(claims())[1:],
    )
    t(
        "pyjson",
        "duplicate-kid-number-then-string",
        "kid a number, then a string in the header.",
        f + ["header"],
        header_text='{"alg":"HS256","kid":1,"kid":"k1"}',
    )

    # Encodings: json.loads on bytes picks UTF-8, UTF-16 or UTF-32 from the first bytes.
    pt, ht = text(claims()), text(HEADER)
    for slug, enc, bom in (
        ("utf-16-le", "utf-16-le", b""),
        ("utf-16-be", "utf-16-be", b""),
        ("utf-16-bom", "utf-16-le", b"\xff\xfe"),
        ("utf-16-be-bom", "utf-16-be", b"\xfe\xff"),
        ("utf-32-le", "utf-32-le", b""),
        ("utf-32-be", "utf-32-be", b""),
        ("utf-32-bom", "utf-32-le", b"\xff\xfe\x00\x00"),
        ("utf-8-bom", "utf-8", b"\xef\xbb\xbf"),
    ):
        g.add(
            "pyjson",
            f"payload-{slug}",
            f"The payload in {enc.upper()}{' with a byte-order mark' if bom else ''}.",
            f,
            "Bearer " + _sign_bytes(ht.encode(), bom + pt.encode(enc)),
        )
    g.add(
        "pyjson",
        "header-utf-16-le",
        "The header in UTF-16-LE.",
        f + ["header"],
        "Bearer " + _sign_bytes(ht.encode("utf-16-le"), pt.encode()),
    )
    g.add(
        "pyjson",
        "payload-utf-8-two-boms",
        "The payload after two UTF-8 byte-order marks: one is dropped, the other refused.",
        f + ["malformed"],
        "Bearer " + _sign_bytes(ht.encode(), b"\xef\xbb\xbf" * 2 + pt.encode()),
    )
    g.add(
        "pyjson",
        "payload-utf-16-odd-length",
        "The payload in UTF-16-LE with one byte more: truncated data.",
        f + ["malformed"],
        "Bearer " + _sign_bytes(ht.encode(), pt.encode("utf-16-le") + b" "),
    )
    g.add(
        "pyjson",
        "payload-utf-32-beyond-unicode",
        "The payload in UTF-32-LE with a code point past U+10FFFF in sub.",
        f + ["malformed"],
        "Bearer "
        + _sign_bytes(
            ht.encode(),
            text(claims(sub=MARK))
            .encode("utf-32-le")
            .replace(MARK.encode("utf-32-le"), (0x110000).to_bytes(4, "little")),
        ),
    )
    g.add(
        "pyjson",
        "payload-utf-16-lone-surrogate",
        "The payload in UTF-16-LE with an unpaired surrogate in sub: Python decodes with surrogatepass.",
        f,
        "Bearer "
        + _sign_bytes(
            ht.encode(), text(claims(sub=MARK)).encode("utf-16-le").replace(MARK.encode("utf-16-le"), b"\x00\xd8")
        ),
    )
    g.add(
        "pyjson",
        "sub-utf-16-non-bmp",
        "The payload in UTF-16-BE with sub outside the BMP (a surrogate pair).",
        f,
        "Bearer " + _sign_bytes(ht.encode(), text(claims(sub="alice\U0001f600")).encode("utf-16-be")),
    )


def _sign_bytes(header: bytes, payload: bytes) -> str:
    return _sign_raw(b64u(header), b64u(payload))


def _sign_raw(header_segment: str, payload_segment: str) -> str:
    import hmac

    si = f"{header_segment}.{payload_segment}"
    return f"{si}.{b64u(hmac.new(KEY.encode(), si.encode(), hashlib.sha256).digest())}"


def limits(g):
    """Where a length or a count decides: the longest Authorization value read, and the two
    padding rules of a segment."""
    # An Authorization value of exactly MAX_AUTHORIZATION (64 KiB) bytes, the extra length in a
    # claim ATR ignores: PyJWT has no limit, and the reference reads up to this one.
    size = 64 * 1024
    for header in ({"alg": "HS256", "typ": "JWT"}, {"alg": "HS256"}, {"alg": "HS256", "kid": "k"}):
        pad = size - len("Bearer " + sign(text(header), text(claims(pad=""))))
        pad = pad * 3 // 4
        while len("Bearer " + sign(text(header), text(claims(pad="p" * pad)))) < size:
            pad += 1
        value = "Bearer " + sign(text(header), text(claims(pad="p" * pad)))
        if len(value) == size:
            break
    assert len(value) == size
    g.add(
        "baseline",
        "authorization-64-kib",
        "An Authorization value of 65,536 bytes, most of it an unread claim: the longest the reference reads; PyJWT has no limit.",
        ["baseline"],
        value,
    )
    # A header segment whose length with two `=` is a multiple of 4, and one with four `=`.
    for header in (
        {"alg": "HS256", "typ": "JWT"},
        {"alg": "HS256"},
        {"alg": "HS256", "kid": "k"},
        {"alg": "HS256", "kid": "kk"},
    ):
        seg = b64u(text(header).encode())
        if len(seg) % 4 == 2:
            two = seg + "=="
        if len(seg) % 4 == 0:
            four = seg + "===="
    payload = b64u(text(claims()).encode())
    g.add(
        "base64url",
        "header-two-pad",
        "The header segment with the two `=` its length asks for (signed as sent).",
        ["base64url"],
        "Bearer " + _sign_raw(two, payload),
    )
    g.add(
        "base64url",
        "header-four-pad",
        "A header segment of a multiple of 4 characters followed by four `=` (signed as sent).",
        ["base64url"],
        "Bearer " + _sign_raw(four, payload),
    )


def json_text(g):
    """JSON texts at the edges of how a segment's bytes are read: whitespace between tokens, a
    two-byte segment (too short to be UTF-16 or UTF-32 JSON holding an object), and every
    escape in a string."""
    g.token(
        "pyjson",
        "whitespace-between-tokens",
        "The payload with a space after each `,` and `:`, and a newline before the last `}`.",
        ["baseline"],
        payload_text=json.dumps(claims(), separators=(", ", ": "))[:-1] + "\n}",
    )
    g.token(
        "pyjson",
        "header-empty-object",
        "The header `{}`, two bytes: UTF-8, an object without alg.",
        ["alg"],
        header_text="{}",
    )
    g.add(
        "pyjson",
        "payload-empty",
        "An empty payload segment (signed as sent): zero bytes of JSON text.",
        ["malformed"],
        "Bearer " + _sign_raw(b64u(text(HEADER).encode()), ""),
    )
    escaped = text(claims(sub="S")).replace('"S"', '"a\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u00e9"')
    g.token(
        "pyjson",
        "sub-every-escape",
        "sub written with each of JSON's escapes: `\\\"`, `\\\\`, `\\/`, `\\b`, `\\f`, `\\n`, `\\r`, `\\t` and `\\u00e9`.",
        ["baseline"],
        payload_text=escaped,
    )
