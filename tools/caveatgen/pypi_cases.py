"""The cases: what each vector feeds in. Expectations are computed by pypi_gen.py, never here.

Ids are stable: `<category>/<area>/<slug>`. Never reuse or renumber an id; retire one by
keeping it with a new description instead.
"""

from __future__ import annotations

import base64
import json

from pymacaroons.utils import generate_derived_key, hmac_digest

from caveatgen.encoding import b64u_encode as b64
from caveatgen.pypi_fixtures import (
    BIND,
    EXP,
    IDENT,
    JKT,
    KEY,
    NBF,
    NOW,
    OIDC_TOKEN,
    OTHER_BIND,
    OTHER_JKT,
    OTHER_PID,
    OTHER_PROJ,
    OTHER_PUB,
    OTHER_USER,
    PID,
    PROJ,
    PROJECT_TOKEN,
    PUB,
    PUB_OWNER,
    USER,
    USER_OWNER,
    USER_TOKEN,
    mint,
)


def scaling_caveats(n: int) -> list[str]:
    """`n` caveats cycling through a typical token's three (each window a little wider)."""
    kinds = [lambda i: f"[0,{EXP + i},{NBF - i}]", lambda i: '[1,["sample-project"]]', lambda i: f'[3,"{USER}"]']
    return [kinds[i % 3](i) for i in range(n)]


def uv(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def field(t: int, data: bytes, tbytes: bytes | None = None, lbytes: bytes | None = None) -> bytes:
    return (tbytes if tbytes is not None else bytes([t])) + (lbytes if lbytes is not None else uv(len(data))) + data


def chain(caveats, key=KEY, identifier=IDENT.encode()):
    s = hmac_digest(generate_derived_key(key), identifier)
    for c in caveats:
        s = hmac_digest(s, c)
    return s


def v2(
    caveats=(),
    location=b"pypi.org",
    identifier=IDENT.encode(),
    sig=None,
    *,
    head=None,
    cav_fields=None,
    tail=b"",
    sig_field=None,
    version=b"\x02",
    end=b"\x00",
):
    """Hand-built V2 bytes; each keyword replaces one part so a case can break exactly one thing."""
    caveats = [c.encode() if isinstance(c, str) else c for c in caveats]
    if sig is None:
        sig = chain(caveats, identifier=identifier)
    out = version
    out += (
        head
        if head is not None
        else ((field(1, location) if location is not None else b"") + field(2, identifier) + b"\x00")
    )
    if cav_fields is not None:
        out += cav_fields
    else:
        for c in caveats:
            out += field(2, c) + b"\x00"
    out += end
    out += sig_field if sig_field is not None else field(6, sig)
    return out + tail


def tok(raw: bytes) -> str:
    return "pypi-" + b64(raw)


def v1_packet(key: str, value: bytes, header: str | None = None) -> bytes:
    body = key.encode() + b" " + value + b"\n"
    size = 4 + len(body)
    return (header if header is not None else f"{size:04x}").encode() + body


def v1(caveats=(), location=b"pypi.org", identifier=IDENT.encode(), sig=None, packets=None):
    caveats = [c.encode() if isinstance(c, str) else c for c in caveats]
    if sig is None:
        sig = chain(caveats, identifier=identifier)
    if packets is not None:
        return b"".join(packets)
    out = v1_packet("location", location) + v1_packet("identifier", identifier)
    for c in caveats:
        out += v1_packet("cid", c)
    return out + v1_packet("signature", sig)


def build(g):
    token_encoding(g)
    macaroon_format(g)
    caveat_parsing(g)
    verification(g)
    server_issued(g)
    attenuation(g)
    minting(g)


# =============================================================================================
def token_encoding(g):
    c = "token-encoding"
    base = mint(PROJECT_TOKEN)
    body = base[5:]
    d = lambda i, desc, t, *f: g.decode(c, f"token/{i}", desc, t, flags=f)
    d("canonical-project-token", "A project token exactly as PyPI mints it (URL-safe alphabet, no padding).", base)
    d(
        "canonical-bare-token",
        "A token with no caveats at all (the shape PyPI would mint if it stopped embedding caveats).",
        mint([]),
    )
    d(
        "pypitoken-known-answer-bare",
        "pypitoken's documented bare token: zero key, pypi.org.",
        "pypi-AgEIcHlwaS5vcmcCJGE4ZjJjN2Q0LTZiMWUtNGMzYS05ZjVkLTJlN2I4YzFhMGQ5MwAABiCCNp76ym2dYGtvPc-Az2JM0pVL6z_82qT5PujGGJWEZg",
        "known-answer",
    )
    d(
        "pypitoken-known-answer-pre-prefix",
        "pypitoken's test token with prefix `pre`: pypitoken loads it, PyPI requires `pypi`.",
        "pre-AgELZXhhbXBsZS5jb20CBjEyM2ZvbwAABiCK4TytWvy17_Up7TvhdVDhFx8cjU_ne_6wtOqxPUZmxw",
        "known-answer",
    )
    d("empty-string", "An empty string has no prefix.", "")
    d("prefix-only", "`pypi-` with nothing after it.", "pypi-")
    d("no-dash", "No `-` anywhere: PyPI's partition finds no prefix.", "pypiAgEIcHlwaS5vcmc")
    d(
        "colon-prefix-2019",
        "The 2019 `pypi:` prefix PyPI stopped issuing; the text before the first `-` is not `pypi`.",
        "pypi:" + body,
    )
    d("uppercase-prefix", "`PYPI-`: the prefix comparison is case-sensitive.", "PYPI-" + body)
    d("leading-space", "A space before the prefix is part of the prefix.", " " + base)
    d("empty-prefix", "Nothing before the `-`.", "-" + body)
    d(
        "double-prefix",
        "`pypi-pypi-…`: the body then starts with `pypi-`, which base64-decodes to other bytes.",
        "pypi-" + base,
    )
    d(
        "dash-after-prefix",
        "`pypi--…`: PyPI splits at the first `-`, so the body starts with `-` (base64 62).",
        "pypi--" + body,
    )
    d(
        "testpypi-location",
        "A TestPyPI token (location test.pypi.org); the location is not checked by anyone.",
        mint(PROJECT_TOKEN, location="test.pypi.org"),
    )
    std = body.replace("-", "+").replace("_", "/")
    assert std != body
    d(
        "standard-alphabet",
        "Standard base64 alphabet (`+`, `/`) instead of URL-safe.",
        "pypi-" + std,
        "lenient-encoding",
    )
    mixed = body.replace("-", "+", 1)
    if mixed == body:
        mixed = body.replace("_", "/", 1)
    d(
        "mixed-alphabet",
        "One URL-safe and one standard character in the same token.",
        "pypi-" + mixed,
        "lenient-encoding",
    )
    pad = "=" * (-len(body) % 4)
    assert pad
    d("padded", "URL-safe with `=` padding.", base + pad, "lenient-encoding")
    d("padded-standard", "Standard alphabet with `=` padding.", "pypi-" + std + pad, "lenient-encoding")
    d("excess-padding", "Padding well beyond the block (`====` extra).", base + pad + "====", "lenient-encoding")
    d(
        "padding-in-middle",
        "`==` inside the body at a four-character boundary: incorrect padding.",
        "pypi-" + body[:20] + "==" + body[20:],
        "lenient-encoding",
    )
    cut = len(body) - (len(body) - 2) % 4
    d(
        "padding-then-junk",
        "A complete `==` pad after a body of length 2 mod 4 ends decoding: the text after it is ignored.",
        "pypi-" + body[:cut] + "==" + "this is ignored",
        "lenient-encoding",
    )
    d(
        "non-ascii-counts-as-bytes",
        "A non-ASCII character is dropped by the decoder but counts as its UTF-8 bytes when padding is added.",
        "pypi-" + body[:30] + "é" + body[30:] + "é",
        "lenient-encoding",
        "unicode",
    )
    d("trailing-newline", "A newline after the token (copied from a file).", base + "\n", "lenient-encoding")
    d("trailing-crlf", "CR LF after the token.", base + "\r\n", "lenient-encoding")
    d("trailing-space", "One space after the token.", base + " ", "lenient-encoding")
    d("inner-space", "A space in the middle of the body.", "pypi-" + body[:30] + " " + body[30:], "lenient-encoding")
    d(
        "inner-four-junk",
        "Four `!` in the middle: dropped by the decoder, and the length still works out.",
        "pypi-" + body[:30] + "!!!!" + body[30:],
        "lenient-encoding",
    )
    d("inner-one-junk", "One `.` in the middle.", "pypi-" + body[:30] + "." + body[30:], "lenient-encoding")
    d("inner-tab", "A tab in the middle.", "pypi-" + body[:30] + "\t" + body[30:], "lenient-encoding")
    d("non-ascii-char", "A non-ASCII letter in the body.", "pypi-" + body[:30] + "é" + body[30:], "unicode")
    d("nul-char", "A NUL character in the body.", "pypi-" + body[:30] + "\x00" + body[30:])
    # non-canonical trailing bits: flip a low bit in the last character's value
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(body[-1])
    noncanon = body[:-1] + alphabet[last | 1 if not last & 1 else last & ~1]
    d(
        "noncanonical-last-char",
        "The last character carries non-zero unused bits.",
        "pypi-" + noncanon,
        "lenient-encoding",
    )
    d("truncated-1", "Last character removed.", base[:-1])
    d("truncated-2", "Last two characters removed.", base[:-2])
    d("truncated-3", "Last three characters removed.", base[:-3])
    n = len(body) - (len(body) % 4) + 1
    d(
        "length-1-mod-4",
        "A body whose length is 1 more than a multiple of 4.",
        "pypi-" + (body + "AAAA")[:n] if n > len(body) else "pypi-" + body[:n],
    )
    d("only-junk", "A body of punctuation only.", "pypi-!!!!")
    d("single-char", "A one-character body.", "pypi-A")
    d("zeros", "A body that decodes to NUL bytes (no format marker).", "pypi-AAAAAAAA")
    d("long-junk", "10,000 `A`s: 7,500 zero bytes.", "pypi-" + "A" * 10000)
    n = 12000
    while len(mint(['[1,["' + "a" * (n + 1) + '"]]'])) <= 16384:
        n += 1
    d(
        "strict-longest",
        "A well-formed token of the greatest length the strict profile accepts (16,384 characters or just under).",
        mint(['[1,["' + "a" * n + '"]]']),
        "boundary",
    )
    d(
        "strict-too-long",
        "One caveat byte more: over the strict profile's 16,384-character limit.",
        mint(['[1,["' + "a" * (n + 1) + '"]]']),
        "boundary",
    )
    d(
        "strict-too-long-bad-prefix",
        "Over the length limit and with a wrong prefix: the strict profile checks the length first.",
        "PYPI-" + mint(['[1,["' + "a" * (n + 1) + '"]]'])[5:],
        "boundary",
    )
    d(
        "base64-of-hex",
        "A body that decodes to ASCII hex: picked up as the V1 format.",
        "pypi-" + b64(b"0123456789abcdef"),
    )
    d(
        "json-serialization",
        "The libmacaroons V2 JSON form base64-encoded: not a binary format.",
        "pypi-" + b64(json.dumps({"v": 2, "l": "pypi.org", "i": IDENT, "c": [], "s64": b64(chain([]))}).encode()),
    )
    d("raw-json-body", "V2 JSON text directly after the prefix.", "pypi-" + json.dumps({"v": 2, "i": IDENT}))
    d("url-encoded-padding", "`%3D` instead of `=`, as a URL-encoding tool would leave it.", base + "%3D" * len(pad))
    d("prefix-with-whitespace-body", "`pypi-` followed by spaces only.", "pypi-    ")


# =============================================================================================
def macaroon_format(g):
    c = "macaroon-format"
    d = lambda i, desc, raw_or_tok, *f: g.decode(
        c, f"macaroon/{i}", desc, raw_or_tok if isinstance(raw_or_tok, str) else tok(raw_or_tok), flags=f
    )
    cav = PROJECT_TOKEN
    d("v2-no-caveats", "V2 with location, identifier, no caveats.", v2())
    d("v2-one-caveat", "V2 with one caveat.", v2(cav[:1]))
    d("v2-three-caveats", "V2 with three caveats (an OIDC-shaped token).", v2(OIDC_TOKEN))
    d("v2-ten-caveats", "V2 with ten caveats.", v2([f'[1,["p{i}"]]' for i in range(10)]))
    d(
        "v2-sixty-five-caveats",
        "V2 with 65 caveats: over the strict profile's limit.",
        v2([f'[1,["p{i}"]]' for i in range(65)]),
        "boundary",
    )
    d(
        "v2-sixty-four-caveats",
        "V2 with 64 caveats: at the strict profile's limit.",
        v2([f'[1,["p{i}"]]' for i in range(64)]),
        "boundary",
    )
    d(
        "v2-libmacaroons-root",
        "libmacaroons' root_v2_1 vector (key `this is the key`, id `keyid`).",
        "pypi-AgETaHR0cDovL2V4YW1wbGUub3JnLwIFa2V5aWQAAAYgfN7nklEcW8b1KEhYBd_psk54XijiqZMB-dcRxgnjjvc",
        "known-answer",
    )
    d(
        "v2-libmacaroons-two-caveats",
        "libmacaroons' caveat_v2_4 vector (two caveats).",
        "pypi-AgETaHR0cDovL2V4YW1wbGUub3JnLwIFa2V5aWQAAhRhY2NvdW50ID0gMzczNTkyODU1OQACDHVzZXIgPSBhbGljZQAABiBL6WfNHqDGsmuvakqU7psFsViG2guoXoxCqTyNDhJe_A",
        "known-answer",
    )
    d("v2-no-location", "V2 without the optional location field (as libmacaroons and Go write it).", v2(location=None))
    d(
        "v2-empty-location",
        "V2 with an empty location field (pymacaroons writes one when location is empty).",
        v2(location=b""),
    )
    d("v2-location-not-utf8", "V2 location bytes that are not UTF-8.", v2(location=b"\xff\xfe"))
    d("v2-location-long", "A 300-byte location (two-byte length varint).", v2(location=b"l" * 300))
    d("v2-empty-identifier", "V2 with an empty identifier.", v2(identifier=b""))
    d("v2-identifier-not-utf8", "V2 identifier bytes that are not UTF-8.", v2(identifier=b"\xff" * 36))
    d(
        "v2-trailing-garbage",
        "Bytes after the signature field: pymacaroons stops reading at the signature.",
        v2(cav, tail=b"GARBAGE"),
    )
    d("v2-trailing-zero", "One zero byte after the signature field.", v2(cav, tail=b"\x00"))
    d("v2-signature-empty", "A zero-length signature field.", v2(cav, sig=b""))
    d("v2-signature-31", "A 31-byte signature.", v2(cav, sig=chain([c.encode() for c in cav])[:31]))
    d(
        "v2-signature-33",
        "A 33-byte signature (the right one plus a byte).",
        v2(cav, sig=chain([c.encode() for c in cav]) + b"\x00"),
    )
    d("v2-signature-64", "A 64-byte signature.", v2(cav, sig=chain([c.encode() for c in cav]) * 2))
    d("v2-missing-signature", "Ends after the caveats' end marker.", v2(cav)[:-34])
    d("v2-signature-truncated", "The signature field's length says 32, fewer bytes follow.", v2(cav)[:-5])
    d(
        "v2-nonminimal-length-varint",
        "A caveat length written as a two-byte varint with a zero high part.",
        v2(cav_fields=field(2, cav[0].encode(), lbytes=bytes([0x80 | len(cav[0]), 0x00])) + b"\x00"),
    )
    d(
        "v2-two-byte-type-varint",
        "The identifier's field type written as the two-byte varint `82 00`.",
        v2(head=field(1, b"pypi.org") + field(2, IDENT.encode(), tbytes=b"\x82\x00") + b"\x00"),
    )
    d(
        "v2-unknown-header-field",
        "Field type 3 in the header.",
        v2(head=field(1, b"pypi.org") + field(2, IDENT.encode()) + field(3, b"x") + b"\x00"),
    )
    d(
        "v2-unknown-caveat-field",
        "Field type 5 in a caveat.",
        v2(cav_fields=field(2, cav[0].encode()) + field(5, b"x") + b"\x00"),
    )
    d(
        "v2-header-out-of-order",
        "Identifier before location in the header.",
        v2(head=field(2, IDENT.encode()) + field(1, b"pypi.org") + b"\x00"),
    )
    d(
        "v2-header-duplicate-identifier",
        "Two identifier fields in the header.",
        v2(head=field(1, b"pypi.org") + field(2, IDENT.encode()) + field(2, IDENT.encode()) + b"\x00"),
    )
    d(
        "v2-header-missing-identifier",
        "A header with a location and no identifier.",
        v2(head=field(1, b"pypi.org") + b"\x00"),
    )
    d(
        "v2-first-party-caveat-location",
        "A caveat with a location field but no verification id.",
        v2(cav_fields=field(1, b"https://elsewhere/") + field(2, cav[0].encode()) + b"\x00"),
    )
    vid = bytes(range(72))
    d(
        "v2-third-party-caveat",
        "A third-party caveat (location, id, verification id).",
        v2(
            cav_fields=field(1, b"https://auth/") + field(2, b"third-party-id") + field(4, vid) + b"\x00",
            sig=b"\x00" * 32,
        ),
    )
    d(
        "v2-vid-without-location",
        "A caveat with a verification id but no location.",
        v2(cav_fields=field(2, b"third-party-id") + field(4, vid) + b"\x00", sig=b"\x00" * 32),
    )
    d(
        "v2-caveat-extra-identifier",
        "A caveat with two identifier fields.",
        v2(cav_fields=field(2, b"[0,1,0]") + field(2, b"[0,1,0]") + b"\x00"),
    )
    d("v2-caveat-empty-id", "A caveat whose identifier is empty.", v2([b""]))
    d(
        "v2-caveat-empty-location",
        "A first-party caveat with a present but empty location field.",
        v2(cav_fields=field(1, b"") + field(2, cav[0].encode()) + b"\x00"),
    )
    d("v2-caveat-vid-only", "A caveat section holding only a verification id.", v2(cav_fields=field(4, vid) + b"\x00"))
    d(
        "v2-eos-two-byte",
        "The end of the caveats written as the two-byte varint `80 00` (any encoding of 0 ends a section for pymacaroons).",
        v2(cav, end=b"\x80\x00"),
    )
    d(
        "v2-caveat-no-terminator",
        "A caveat not followed by its end-of-section byte.",
        v2(cav_fields=field(2, cav[0].encode()), end=b""),
    )
    d(
        "v2-length-past-end",
        "A caveat length larger than the remaining bytes.",
        v2(cav_fields=field(2, b"abc", lbytes=uv(5000))),
    )
    d(
        "v2-varint-overlong",
        "A length varint of ten 0xff bytes.",
        v2(cav_fields=bytes([2]) + b"\xff" * 10 + b"\x01" + b"\x00"),
    )
    d("v2-varint-unterminated", "The buffer ends inside a varint.", b"\x02\x01\x88\x80")
    d("v2-version-only", "Just the version byte.", b"\x02")
    d("v2-version-1-byte", "First byte 0x01: neither V2 nor V1 hex.", b"\x01" + v2()[1:])
    d("v2-version-3-byte", "First byte 0x03.", b"\x03" + v2()[1:])
    d(
        "v2-signature-wrong-type",
        "The final field is typed 7 instead of 6.",
        v2(cav, sig_field=field(7, chain([x.encode() for x in cav]))),
    )
    d("v2-caveat-nul-bytes", "A caveat that contains NUL bytes (its length frames it).", v2([b'[1,["a\x00b"]]']))
    d(
        "v2-caveat-not-utf8",
        "A caveat whose bytes are not UTF-8 (pymacaroons' parser does not look).",
        v2([b"\xff\xfe"]),
    )
    d("v1-pymacaroons", "The same token in the V1 format pymacaroons can also write.", v1(cav))
    d("v1-no-caveats", "V1 with no caveats.", v1())
    d(
        "v1-libmacaroons-known-answer",
        "libmacaroons' V1 token for `keyid` with one caveat.",
        "pypi-MDAyMWxvY2F0aW9uIGh0dHA6Ly9leGFtcGxlLm9yZy8KMDAxNWlkZW50aWZpZXIga2V5aWQKMDAxZGNpZCBhY2NvdW50ID0gMzczNTkyODU1OQowMDJmc2lnbmF0dXJlIPVIB_bcbt-Ivw9zBrOCJWKjYlM9v3M5umF2XaS9JZ2HCg",
        "known-answer",
    )
    pk = [v1_packet("location", b"pypi.org"), v1_packet("identifier", IDENT.encode())]
    sig = chain([])
    d(
        "v1-uppercase-header",
        "V1 packet length in upper-case hex (Python's int() accepts it).",
        v1(
            packets=[
                v1_packet("location", b"pypi.org"),
                v1_packet("identifier", IDENT.encode(), header="%04X" % (4 + 11 + 36 + 1)),
                v1_packet("signature", sig),
            ]
        ),
    )
    d(
        "v1-plus-first-byte",
        "A V1 token whose first length starts with `+`: the format sniffing needs a hex digit first.",
        v1(
            packets=[
                v1_packet("location", b"pypi.org", header="+%03x" % (4 + 9 + 8 + 1)),
                pk[1],
                v1_packet("signature", sig),
            ]
        ),
    )
    d(
        "v1-plus-header",
        "A later V1 packet length written with a `+` sign (Python's int() accepts it).",
        v1(
            packets=[
                pk[0],
                v1_packet("identifier", IDENT.encode(), header="+%03x" % (4 + 11 + 36 + 1)),
                v1_packet("signature", sig),
            ]
        ),
    )
    d(
        "v1-space-header",
        "A V1 packet length padded with spaces (Python's int() strips them).",
        v1(
            packets=[
                pk[0],
                v1_packet("identifier", IDENT.encode(), header=" %02x " % (4 + 11 + 36 + 1)),
                v1_packet("signature", sig),
            ]
        ),
    )
    d(
        "v1-underscore-header",
        "A V1 packet length with a `_` digit separator (Python's int() accepts it).",
        v1(
            packets=[
                pk[0],
                v1_packet("identifier", IDENT.encode(), header="0_%02x" % (4 + 11 + 36 + 1)),
                v1_packet("signature", sig),
            ]
        ),
    )
    d("v1-zero-length-header", "A V1 packet whose length is 0000.", v1(packets=[b"0000"] + pk[1:]))
    d(
        "v1-hex-prefix-header",
        "A later V1 packet length written `0x..` (Python's int(h, 16) accepts the prefix).",
        v1(
            packets=[
                pk[0],
                v1_packet("identifier", IDENT.encode(), header="0x%02x" % (4 + 11 + 36 + 1)),
                v1_packet("signature", sig),
            ]
        ),
    )
    d(
        "v1-negative-length",
        "A V1 packet length of `-042`: Python slices from the end of the buffer and reads on.",
        v1(packets=[v1_packet("identifier", b"abc"), b"-042cid jumped\n", b"ffffsignature " + sig + b"\n"]),
    )
    d("v1-missing-signature", "V1 without a signature packet.", v1(packets=pk))
    d(
        "v1-caveat-after-signature",
        "A V1 caveat packet placed after the signature.",
        v1(packets=pk + [v1_packet("signature", sig), v1_packet("cid", b'[1,["x"]]')]),
    )
    d("v1-length-past-end", "A V1 length beyond the end of the data.", v1(packets=pk + [b"0fff" + b"signature " + sig]))
    d(
        "v1-identifier-not-utf8",
        "V1 with an identifier that is not UTF-8 (PyPI's own unit-test shape).",
        v1(identifier=b"\xff" * 8),
    )


# =============================================================================================
def caveat_parsing(g):
    def k(i, desc, cav, *f, user=None):
        g.caveat(f"caveat/{i}", desc, cav, flags=f, request_user=user)

    # Expiration
    k(
        "expiration/canonical",
        "Expiration `[0, expires_at, not_before]` as PyPI writes it.",
        "[0,1700000900,1700000000]",
    )
    k(
        "expiration/pypitoken-spacing",
        "The same caveat with pypitoken's `json.dumps` spacing.",
        "[0, 1700000900, 1700000000]",
    )
    k(
        "expiration/warehouse-test-50-10",
        "Warehouse's own serialization example `[0,50,10]`.",
        "[0,50,10]",
        "known-answer",
    )
    k("expiration/zero-zero", "Both bounds zero.", "[0,0,0]", "boundary")
    k(
        "expiration/trailing-element",
        "A fourth element after the two timestamps.",
        '[0,50,10,"extra"]',
        "trailing-fields",
    )
    k("expiration/trailing-null", "A trailing null.", "[0,50,10,null]", "trailing-fields")
    k("expiration/missing-not-before", "Only the expiry.", "[0,50]")
    k("expiration/missing-both", "Only the tag.", "[0]")
    k("expiration/string-timestamp", "A timestamp as a string.", '[0,"50",10]')
    k("expiration/float-timestamp", "A float that equals an integer.", "[0,50.0,10]", "python-coercion")
    k("expiration/exponent-timestamp", "An exponent literal `1e2`.", "[0,1e2,10]", "python-coercion")
    k("expiration/bool-timestamps", "Booleans as timestamps.", "[0,true,false]", "python-coercion")
    k("expiration/null-timestamp", "null as a timestamp.", "[0,null,10]")
    k("expiration/nan-timestamp", "NaN as a timestamp (Python's json reads it).", "[0,NaN,10]", "python-json-quirk")
    k("expiration/infinity-timestamp", "Infinity as a timestamp.", "[0,Infinity,10]", "python-json-quirk")
    k("expiration/negative", "Negative timestamps.", "[0,-5,-10]")
    k("expiration/minus-zero", "`-0` as an integer.", "[0,-0,0]", "python-json-quirk")
    k("expiration/i64-max", "expires_at = 2^63-1.", f"[0,{2**63 - 1},0]", "boundary")
    k("expiration/i64-max-plus-one", "expires_at = 2^63.", f"[0,{2**63},0]", "boundary")
    k("expiration/thirty-digits", "A 30-digit expiry (Python ints are unbounded).", f"[0,{10**30},10]")
    k(
        "expiration/4300-digits",
        "An expiry of exactly 4,300 digits: the most CPython converts.",
        "[0," + "9" * 4300 + ",10]",
        "boundary",
        "python-json-quirk",
    )
    k(
        "expiration/4301-digits",
        "An expiry of 4,301 digits: CPython's int() limit raises ValueError.",
        "[0," + "9" * 4301 + ",10]",
        "boundary",
        "python-json-quirk",
    )
    k(
        "expiration/negative-4300-digits",
        "A negative 4,300-digit integer.",
        "[0,-" + "9" * 4300 + ",10]",
        "boundary",
        "python-json-quirk",
    )
    k("expiration/nested-array-field", "An array where a timestamp belongs.", "[0,[50],10]")
    k(
        "expiration/reversed-order",
        "pypitoken 6.0.0–6.0.2 wrote `[0, not_before, not_after]`; it parses (and then never verifies).",
        "[0,1700000000,1700000900]",
    )
    k("expiration/whitespace-around", "Whitespace around the array.", "  [0,50,10]\n", "python-json-quirk")
    k("expiration/inner-newlines", "Newlines and tabs between tokens.", "[\n\t0,\n\t50,\n\t10\n]")
    # Tags
    k(
        "tag/true-is-one",
        "`true` as the tag: Python's dict lookup finds tag 1 (ProjectName).",
        '[true,["foo"]]',
        "python-coercion",
    )
    k("tag/false-is-zero", "`false` as the tag: tag 0 (Expiration).", "[false,50,10]", "python-coercion")
    k("tag/float-one", "`1.0` as the tag.", '[1.0,["foo"]]', "python-coercion")
    k("tag/float-zero-negative", "`-0.0` as the tag.", "[-0.0,50,10]", "python-coercion")
    k("tag/exponent-three", "`3e0` as the tag: RequestUser.", f'[3e0,"{USER}"]', "python-coercion")
    k(
        "tag/float-rounds-to-one",
        "`1.0000000000000001` rounds to 1.0 and matches tag 1.",
        '[1.0000000000000001,["foo"]]',
        "python-coercion",
    )
    k("tag/float-not-integral", "`1.5` as the tag.", '[1.5,["foo"]]')
    k("tag/string-zero", 'The string "0" as the tag.', '["0",50,10]')
    k("tag/null", "null as the tag.", "[null,50,10]")
    k("tag/five", "Tag 5 alone: PyPI has no tag 5; the strict profile's key binding is missing its thumbprint.", "[5]")
    # Key binding (tag 5): the strict profile's own caveat; PyPI has no class for it.
    k("key-binding/canonical", "`[5, jkt]` binding the token to RFC 9449's example P-256 key.", BIND)
    k("key-binding/ed25519-key", "A binding to RFC 8037's Ed25519 test key.", OTHER_BIND)
    k("key-binding/spaced", "The same binding with pypitoken's `json.dumps` spacing.", f'[5, "{JKT}"]')
    k(
        "key-binding/escaped-char",
        "The thumbprint's first character written as a `\\u` escape.",
        '[5,"\\u0030' + JKT[1:] + '"]',
        "unicode",
    )
    k("key-binding/short", "42 characters: one short of a SHA-256 thumbprint.", f'[5,"{JKT[:-1]}"]', "boundary")
    k("key-binding/long", "44 characters.", f'[5,"{JKT}A"]', "boundary")
    k("key-binding/padded", "The thumbprint with `=` padding.", f'[5,"{JKT}="]')
    k(
        "key-binding/non-canonical-bits",
        "The last character with its two unused low bits set: the same digest, another spelling.",
        f'[5,"{JKT[:-1]}J"]',
    )
    k(
        "key-binding/standard-alphabet",
        "`+` instead of `-`: the standard base64 alphabet.",
        f'[5,"{JKT.replace("-", "+")}"]',
    )
    k(
        "key-binding/hex-digest",
        "The SHA-256 digest in hex (64 characters), not base64url.",
        f'[5,"{base64.urlsafe_b64decode(JKT + "=").hex()}"]',
    )
    k("key-binding/empty-string", "An empty thumbprint.", '[5,""]')
    k("key-binding/int", "A number instead of a thumbprint.", "[5,123]")
    k("key-binding/null", "null instead of a thumbprint.", "[5,null]")
    k("key-binding/list", "The thumbprint inside a list.", f'[5,["{JKT}"]]')
    k("key-binding/trailing-element", "A third element after the thumbprint.", f'[5,"{JKT}",null]', "trailing-fields")
    k("key-binding/two-thumbprints", "Two thumbprints in one caveat.", f'[5,"{JKT}","{OTHER_JKT}"]', "trailing-fields")
    k(
        "key-binding/cnf-object",
        'A JWT-style `{"cnf": {"jkt": …}}` object: not a caveat form in either profile.',
        f'{{"cnf": {{"jkt": "{JKT}"}}}}',
        "legacy",
    )
    k("tag/large", "Tag 9999999 (a Warehouse test value).", "[9999999]", "known-answer")
    k("tag/negative", "Tag -1.", "[-1,50,10]")
    k("tag/huge-int", "A 40-digit tag.", "[" + "1" * 40 + "]")
    k("tag/array", "An array as the tag (unhashable in Python).", "[[1],2]", "abort")
    k("tag/object", "An object as the tag (unhashable in Python).", '[{"a":1},2]', "abort")
    k("tag/nan", "NaN as the tag.", "[NaN]", "python-json-quirk")
    k("tag/infinity", "Infinity as the tag.", "[Infinity]", "python-json-quirk")
    k("tag/1e400", "`1e400` overflows to infinity.", "[1e400]", "python-json-quirk")
    k("tag/tiny-float", "`1e-400` underflows to 0.0: tag 0.", "[1e-400,50,10]", "python-coercion")
    k("tag/big-float", "`1e16` as the tag.", "[1e16]")
    k("tag/string-unicode", "A non-ASCII string as the tag.", '["é"]', "unicode")
    k("tag/string-escape", "A string tag with an escaped newline.", '["a\\nb"]')
    k("tag/string-empty", "The empty string as the tag.", '[""]')
    k("tag/minus-zero-int", "`-0` as the tag: integer 0.", "[-0,50,10]", "python-json-quirk")
    # Shapes
    k("shape/empty-array", "An empty array.", "[]", "known-answer")
    k("shape/null", "JSON null.", "null", "known-answer")
    k("shape/string", "A JSON string.", '"foo"', "known-answer")
    k("shape/number", "A JSON number.", "123")
    k("shape/true", "JSON true.", "true")
    k("shape/empty-object", "An empty object.", "{}")
    k("shape/not-json", "Text that is not JSON.", "not json", "abort")
    k("shape/empty", "Zero bytes.", "", "abort")
    k("shape/whitespace-only", "Only whitespace.", "   ", "abort")
    k("shape/truncated-array", "An array missing its closing bracket.", "[0,50,10", "abort")
    k("shape/trailing-comma", "A trailing comma.", "[0,50,10,]", "abort")
    k("shape/extra-data", "Two arrays back to back.", "[0,50,10][1]", "abort")
    k("shape/leading-bom", "A UTF-8 byte order mark before the array.", "\ufeff[0,50,10]", "abort", "unicode")
    k("shape/single-quotes", "Single-quoted strings.", "[1,['foo']]", "abort")
    k("shape/not-utf8", "Bytes that are not UTF-8.", b'[1,["\xff"]]', "abort")
    k(
        "shape/utf16",
        "The caveat in UTF-16 (Python's json accepts it only from bytes, which this path never passes).",
        "[0,50,10]".encode("utf-16"),
        "abort",
    )
    k(
        "shape/nested-100",
        "An OIDC claims value nested 100 arrays deep.",
        f'[4,"{PUB}",{{"a":' + "[" * 100 + "]" * 100 + "}]",
    )
    k("shape/nested-5000", "Arrays nested 5,000 deep: Python raises RecursionError.", "[" * 5000 + "]" * 5000, "abort")
    k(
        "shape/4096-bytes",
        "A project-name caveat of exactly 4,096 bytes: the longest the strict profile reads.",
        '[1,["' + "a" * 4088 + '"]]',
        "boundary",
    )
    k(
        "shape/4097-bytes",
        "A project-name caveat of 4,097 bytes: one byte over the strict profile's limit.",
        '[1,["' + "a" * 4089 + '"]]',
        "boundary",
    )
    k("shape/nested-8", "Arrays nested 8 deep: the deepest the strict profile reads.", "[" * 8 + "]" * 8, "boundary")
    k(
        "shape/nested-9",
        "Arrays nested 9 deep: one level more than the strict profile reads.",
        "[" * 9 + "]" * 9,
        "boundary",
    )
    k(
        "shape/nested-9-object",
        "Eight arrays around an object: 9 levels, the deepest an object.",
        "[" * 8 + "{}" + "]" * 8,
        "boundary",
    )
    k(
        "shape/nested-9-through-object",
        "Seven arrays, an object, an array: 9 levels with an object in between.",
        "[" * 7 + '{"a":[]}' + "]" * 7,
        "boundary",
    )
    k("shape/leading-zero", "A number with a leading zero.", "[0,050,10]", "abort")
    k("shape/control-char", "A raw tab inside a string.", '[1,["fo\to"]]', "abort")
    k(
        "shape/lone-surrogate-name",
        "A name with a lone surrogate escape (Python keeps it).",
        '[1,["\\ud800"]]',
        "unicode",
        "never-matches",
    )
    k(
        "shape/surrogate-pair",
        "A name written with a surrogate-pair escape.",
        '[1,["\\ud83d\\ude00"]]',
        "unicode",
        "never-matches",
    )
    # ProjectName
    k("project-name/canonical", "One normalized name.", '[1,["sample-project"]]')
    k("project-name/warehouse-test", "Warehouse's serialization example.", '[1,["foo","bar"]]', "known-answer")
    k("project-name/empty-list", "An empty list (never satisfiable).", "[1,[]]", "never-matches")
    k(
        "project-name/not-normalized",
        "A display-form name with `_`: PyPI never normalizes caveat values.",
        '[1,["Foo_Bar"]]',
        "never-matches",
    )
    k("project-name/uppercase", "An upper-case name.", '[1,["Sample-Project"]]', "never-matches")
    k("project-name/dot", "A name with a dot.", '[1,["foo.bar"]]', "never-matches")
    k("project-name/double-dash", "A name with `--` (not a normalized form).", '[1,["a--b"]]', "never-matches")
    k("project-name/empty-string", "An empty name.", '[1,[""]]', "never-matches")
    k(
        "project-name/trailing-newline",
        "A name ending in `\\n` (pypitoken's regex lets it through).",
        '[1,["foo\\n"]]',
        "never-matches",
    )
    k("project-name/duplicates", "The same name twice.", '[1,["foo","foo"]]')
    k(
        "project-name/hundred-names",
        "One hundred names.",
        json.dumps([1, [f"p{i}" for i in range(100)]], separators=(",", ":")),
    )
    k("project-name/bare-string", "A bare string instead of a list.", '[1,"foo"]')
    k("project-name/int-in-list", "An integer in the list.", "[1,[1]]")
    k("project-name/mixed-list", "A string and an integer.", '[1,["a",1]]')
    k("project-name/null-in-list", "null in the list.", '[1,["a",null]]')
    k("project-name/null-list", "null instead of the list.", "[1,null]")
    k("project-name/object", "An object instead of the list.", '[1,{"a":"b"}]')
    k("project-name/missing", "No list at all.", "[1]")
    k("project-name/trailing-string", "A trailing string.", '[1,["foo"],"x"]', "trailing-fields")
    k("project-name/trailing-list", "A second list.", '[1,["a"],["a"]]', "trailing-fields")
    k("project-name/non-ascii", "A non-ASCII name.", '[1,["café"]]', "unicode", "never-matches")
    k(
        "project-name/escaped-ascii",
        "A plain name written with `\\u` escapes.",
        '[1,["\\u0073ample-project"]]',
        "unicode",
    )
    k("project-name/single-char", "A one-character name.", '[1,["a"]]')
    k("project-name/starts-with-dash", "A name starting with `-`.", '[1,["-a"]]', "never-matches")
    # ProjectID
    k("project-id/canonical", "One project UUID.", f'[2,["{PID}"]]')
    k(
        "project-id/warehouse-test",
        "Warehouse's serialization example (ids that are not UUIDs).",
        '[2,["123uuid","456uuid"]]',
        "known-answer",
        "never-matches",
    )
    k("project-id/empty-list", "An empty list.", "[2,[]]", "never-matches")
    k(
        "project-id/uppercase",
        "An upper-case UUID (PyPI compares the lower-case text).",
        f'[2,["{PID.upper()}"]]',
        "never-matches",
    )
    k("project-id/no-hyphens", "A UUID without hyphens.", f'[2,["{PID.replace("-", "")}"]]', "never-matches")
    k("project-id/braces", "A UUID in braces.", f'[2,["{{{PID}}}"]]', "never-matches")
    k("project-id/trailing-newline", "A UUID with a trailing newline.", f'[2,["{PID}\\n"]]', "never-matches")
    k("project-id/int", "An integer id.", "[2,[1]]")
    k("project-id/bare-string", "A bare string.", f'[2,"{PID}"]')
    k("project-id/two-ids", "Two ids.", f'[2,["{PID}","{OTHER_PID}"]]')
    k("project-id/trailing", "A trailing element.", f'[2,["{PID}"],0]', "trailing-fields")
    k("project-id/missing", "No list.", "[2]")
    # RequestUser
    k("user/canonical", "A user UUID.", f'[3,"{USER}"]')
    k("user/warehouse-test", 'Warehouse\'s example `[3,"a uuid"]`.', '[3,"a uuid"]', "known-answer", "never-matches")
    k("user/short-id", "The id `01`.", '[3,"01"]', "never-matches")
    k("user/uppercase", "An upper-case UUID.", f'[3,"{USER.upper()}"]', "never-matches")
    k("user/int", "An integer user id.", "[3,1]")
    k("user/null", "null user id.", "[3,null]")
    k("user/list", "A list of user ids.", f'[3,["{USER}"]]')
    k("user/missing", "No user id.", "[3]")
    k("user/trailing", "A trailing element.", f'[3,"{USER}",1]', "trailing-fields")
    k("user/empty-string", "An empty user id.", '[3,""]', "never-matches")
    # OIDCPublisher
    k("oidc/canonical", "PyPI's current OIDC caveat with null claims.", f'[4,"{PUB}",null]', "oidc")
    k("oidc/short-form", "The 2022-2023 form without the claims element.", f'[4,"{PUB}"]', "oidc")
    k(
        "oidc/with-claims",
        "The May 2023 form carrying claims.",
        f'[4,"{PUB}",{{"ref":"refs/heads/main","sha":"abc"}}]',
        "oidc",
    )
    k("oidc/empty-claims", "An empty claims object.", f'[4,"{PUB}",{{}}]', "oidc")
    k("oidc/claims-list", "A list where the claims object belongs.", f'[4,"{PUB}",[]]', "oidc")
    k("oidc/claims-string", "A string where the claims object belongs.", f'[4,"{PUB}","x"]', "oidc")
    k(
        "oidc/claims-nan",
        "Claims containing NaN: re-serialized as `NaN`.",
        f'[4,"{PUB}",{{"a":NaN}}]',
        "oidc",
        "python-json-quirk",
    )
    k(
        "oidc/claims-unsorted",
        "Claims keys out of order: PyPI re-serializes them sorted.",
        f'[4,"{PUB}",{{"b":1,"a":2}}]',
        "oidc",
    )
    k(
        "oidc/claims-duplicate-key",
        "A duplicated claims key: the last value wins.",
        f'[4,"{PUB}",{{"a":1,"a":2}}]',
        "oidc",
        "python-json-quirk",
    )
    k(
        "oidc/claims-non-ascii",
        "Non-ASCII in the claims: re-serialized with `\\u` escapes.",
        f'[4,"{PUB}",{{"ref":"é"}}]',
        "oidc",
        "unicode",
    )
    k(
        "oidc/claims-big-float",
        "A float in the claims: re-serialized in Python's repr.",
        f'[4,"{PUB}",{{"n":1e100,"m":0.1,"z":-0.0}}]',
        "oidc",
        "python-json-quirk",
    )
    k("oidc/claims-big-int", "A 25-digit integer in the claims.", f'[4,"{PUB}",{{"n":{10**24}}}]', "oidc")
    k("oidc/four-elements", "A fourth element.", f'[4,"{PUB}",null,1]', "oidc", "trailing-fields")
    k("oidc/int-id", "An integer publisher id.", "[4,1]", "oidc")
    k("oidc/missing-id", "No publisher id.", "[4]", "oidc")
    k("oidc/non-uuid-id", "A publisher id that is not a UUID.", '[4,"pub"]', "oidc", "never-matches")
    # Legacy mapping forms
    u = dict(user=USER)
    k(
        "legacy/user",
        '`{"version": 1, "permissions": "user"}` (2019-2022): bound to the request\'s user.',
        '{"version": 1, "permissions": "user"}',
        "legacy",
        **u,
    )
    k(
        "legacy/user-no-request-user",
        "The legacy user form with no user on the request.",
        '{"version": 1, "permissions": "user"}',
        "legacy",
        "known-answer",
    )
    k(
        "legacy/user-compact",
        "The legacy user form without spaces.",
        '{"permissions":"user","version":1}',
        "legacy",
        **u,
    )
    k(
        "legacy/user-version-float",
        '`"version": 1.0`.',
        '{"version": 1.0, "permissions": "user"}',
        "legacy",
        "python-coercion",
        **u,
    )
    k(
        "legacy/user-version-true",
        '`"version": true`.',
        '{"version": true, "permissions": "user"}',
        "legacy",
        "python-coercion",
        **u,
    )
    k("legacy/user-version-string", '`"version": "1"`.', '{"version": "1", "permissions": "user"}', "legacy", **u)
    k("legacy/user-version-2", '`"version": 2`.', '{"version": 2, "permissions": "user"}', "legacy", **u)
    k(
        "legacy/user-extra-key",
        "An extra member.",
        '{"version": 1, "permissions": "user", "x": 1}',
        "legacy",
        "trailing-fields",
        **u,
    )
    k(
        "legacy/user-escaped-request-user",
        "The legacy user form read for a request user whose id needs JSON escapes (a space, `~`, DEL, a control character, non-ASCII, a non-BMP character): pins how the adapted `[3, user]` is serialized.",
        '{"version": 1, "permissions": "user"}',
        "legacy",
        user="a b~\x7f\x01\u00e9\U0001f600",
    )
    k("legacy/exp-only", "The legacy expiry form with `exp` and no `nbf`.", '{"exp": 50}', "legacy")
    k("legacy/nbf-only", "The legacy expiry form with `nbf` and no `exp`.", '{"nbf": 10}', "legacy")
    k(
        "legacy/projects",
        '`{"version": 1, "permissions": {"projects": [...]}}`.',
        '{"version": 1, "permissions": {"projects": ["sample-project"]}}',
        "legacy",
    )
    k(
        "legacy/projects-warehouse-test",
        "Warehouse's legacy example.",
        '{"version": 1, "permissions": {"projects": ["foo", "bar"]}}',
        "legacy",
        "known-answer",
    )
    k(
        "legacy/projects-display-name",
        "2019 tokens held the display name: not normalized.",
        '{"version": 1, "permissions": {"projects": ["Sample.Project"]}}',
        "legacy",
        "never-matches",
    )
    k(
        "legacy/projects-extra-inner",
        "An extra member next to `projects`.",
        '{"version": 1, "permissions": {"projects": ["foo"], "other": 1}}',
        "legacy",
        "trailing-fields",
    )
    k(
        "legacy/projects-string",
        "`projects` as a string.",
        '{"version": 1, "permissions": {"projects": "foo"}}',
        "legacy",
    )
    k(
        "legacy/projects-empty",
        "An empty project list.",
        '{"version": 1, "permissions": {"projects": []}}',
        "legacy",
        "never-matches",
    )
    k(
        "legacy/permissions-other-string",
        "`permissions` is another string.",
        '{"version": 1, "permissions": "other"}',
        "legacy",
    )
    k(
        "legacy/permissions-other-string-with-user",
        "`permissions` is another string, read with a request user.",
        '{"version": 1, "permissions": "other"}',
        "legacy",
        **u,
    )
    k(
        "legacy/permissions-list",
        "`permissions` is a list.",
        '{"version": 1, "permissions": []}',
        "legacy",
        "known-answer",
    )
    k(
        "legacy/permissions-other-key",
        "`permissions` object without `projects`.",
        '{"version": 1, "permissions": {"otherkey": "foo"}}',
        "legacy",
        "known-answer",
    )
    k("legacy/permissions-null", "`permissions` null.", '{"version": 1, "permissions": null}', "legacy")
    k("legacy/version-only", "Only `version`.", '{"version": 1}', "legacy", "known-answer")
    k(
        "legacy/version-and-expiry",
        "`version: 1` wins over `exp`/`nbf`.",
        '{"version": 1, "exp": 50, "nbf": 10}',
        "legacy",
    )
    k(
        "legacy/version-2-and-expiry",
        "`version: 2` falls through to the expiry form.",
        '{"version": 2, "exp": 50, "nbf": 10}',
        "legacy",
    )
    k(
        "legacy/expiry",
        '`{"exp": …, "nbf": …}` (the 2022 ExpiryCaveat).',
        '{"nbf": 1700000000, "exp": 1700000900}',
        "legacy",
    )
    k(
        "legacy/expiry-warehouse-test",
        "Warehouse's legacy expiry example.",
        '{"exp": 50, "nbf": 10}',
        "legacy",
        "known-answer",
    )
    k("legacy/expiry-only-exp", "Only `exp`.", '{"exp": 1}', "legacy", "known-answer")
    k("legacy/expiry-only-nbf", "Only `nbf`.", '{"nbf": 1}', "legacy", "known-answer")
    k("legacy/expiry-float", "A float `exp`.", '{"exp": 50.0, "nbf": 10}', "legacy", "python-coercion")
    k("legacy/expiry-extra", "An extra member.", '{"exp": 50, "nbf": 10, "extra": 1}', "legacy", "trailing-fields")
    k(
        "legacy/expiry-duplicate-key",
        "`exp` twice: Python keeps the last.",
        '{"exp": 50, "nbf": 10, "exp": 60}',
        "legacy",
        "python-json-quirk",
    )
    k("legacy/expiry-strings", "Date strings.", '{"exp": "2024-01-01", "nbf": "2023-01-01"}', "legacy")
    k("legacy/project-ids", '`{"project_ids": [...]}` (2022).', f'{{"project_ids": ["{PID}"]}}', "legacy")
    k(
        "legacy/project-ids-warehouse-test",
        "Warehouse's legacy project-id example.",
        '{"project_ids": ["123uuid", "456uuid"]}',
        "legacy",
        "known-answer",
        "never-matches",
    )
    k("legacy/project-ids-string", "`project_ids` as a string.", f'{{"project_ids": "{PID}"}}', "legacy")
    k(
        "legacy/project-ids-extra",
        "An extra member.",
        f'{{"project_ids": ["{PID}"], "x": 1}}',
        "legacy",
        "trailing-fields",
    )
    k("legacy/unknown-object", "An object with no known member.", '{"a": "b"}', "legacy")
    k(
        "legacy/duplicate-version",
        "`version` twice, last one 1.",
        '{"version": 2, "version": 1, "permissions": {"projects": ["foo"]}}',
        "legacy",
        "python-json-quirk",
    )


# =============================================================================================
def verification(g):
    c = "verification"

    def v(
        i,
        desc,
        caveats,
        now=NOW,
        project=PROJ,
        owner=USER_OWNER,
        *f,
        stored=(),
        key=KEY,
        token=None,
        identifier=IDENT,
        proof_jkt=None,
    ):
        if token is not None:
            t = token
        elif any(isinstance(x, bytes) for x in caveats):
            t = tok(v2(caveats))
        else:
            t = mint(caveats)
        g.verify(
            c,
            f"verify/{i}",
            desc,
            t,
            now,
            project,
            owner,
            stored=stored,
            key=key,
            identifier=identifier,
            flags=f,
            proof_jkt=proof_jkt,
        )

    exp = [f"[0,{EXP},{NBF}]"]
    v("expiration/inside", "Inside the window.", exp)
    v(
        "expiration/at-not-before",
        "now == not_before: the window includes its start.",
        exp,
        NBF,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v("expiration/before-not-before", "One second before not_before.", exp, NBF - 1, PROJ, USER_OWNER, "boundary")
    v(
        "expiration/at-expires-at",
        "now == expires_at: the window excludes its end.",
        exp,
        EXP,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v("expiration/last-second", "The last second inside the window.", exp, EXP - 1, PROJ, USER_OWNER, "boundary")
    v("expiration/after", "Long after expiry.", exp, EXP + 86400)
    v(
        "expiration/empty-window",
        "not_before == expires_at: never valid.",
        [f"[0,{NBF},{NBF}]"],
        NBF,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v("expiration/reversed", "not_before > expires_at (pypitoken 6.0.0's bug): never valid.", [f"[0,{NBF},{EXP}]"], NOW)
    v("expiration/epoch", "A window [0, 1) at now = 0.", ["[0,1,0]"], 0, PROJ, USER_OWNER, "boundary")
    v("expiration/negative-window", "A window in negative time.", ["[0,-5,-10]"], NOW)
    v("expiration/huge-expiry", "A 30-digit expiry.", [f"[0,{10**30},0]"], NOW)
    v("expiration/huge-not-before", "A 30-digit not_before.", [f"[0,{10**31},{10**30}]"], NOW)
    v("expiration/i64-max", "expires_at = 2^63-1.", [f"[0,{2**63 - 1},0]"], NOW, PROJ, USER_OWNER, "boundary")
    v(
        "expiration/beyond-i64",
        "expires_at = 2^64 and not_before 0.",
        [f"[0,{2**64},0]"],
        NOW,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v("expiration/pypitoken-spacing", "pypitoken's spaced form verifies the same.", [f"[0, {EXP}, {NBF}]"])
    v(
        "expiration/legacy-inside",
        "Legacy `{exp, nbf}` inside its window.",
        [f'{{"nbf": {NBF}, "exp": {EXP}}}'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "expiration/legacy-expired",
        "Legacy `{exp, nbf}` after its window.",
        [f'{{"nbf": {NBF}, "exp": {EXP}}}'],
        EXP,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "expiration/trailing-element",
        "An extra element: PyPI ignores it and the window holds.",
        [f'[0,{EXP},{NBF},"x"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "trailing-fields",
    )
    v(
        "expiration/float",
        "A float timestamp: invalid values.",
        [f"[0,{EXP}.0,{NBF}]"],
        NOW,
        PROJ,
        USER_OWNER,
        "python-coercion",
    )
    v(
        "expiration/bool-tag",
        "`[false, …]` is an Expiration to PyPI.",
        [f"[false,{EXP},{NBF}]"],
        NOW,
        PROJ,
        USER_OWNER,
        "python-coercion",
    )
    v(
        "expiration/two-windows-overlap",
        "Two windows; now inside both.",
        [f"[0,{EXP},{NBF}]", f"[0,{EXP + 100},{NBF - 100}]"],
    )
    v(
        "expiration/two-windows-disjoint",
        "Two windows; now inside only the second.",
        [f"[0,{NBF},{NBF - 100}]", f"[0,{EXP},{NBF}]"],
    )
    # Project names
    pn = ['[1,["sample-project"]]']
    v("project-name/match", "The project's normalized name is listed.", pn)
    v("project-name/mismatch", "Another project.", pn, NOW, OTHER_PROJ)
    v("project-name/no-project", "A request without a project (PyPI's echo endpoint).", pn, NOW, None)
    v("project-name/one-of-many", "The name is one of three.", ['[1,["a","sample-project","b"]]'])
    v(
        "project-name/empty-list",
        "An empty name list never matches.",
        ["[1,[]]"],
        NOW,
        PROJ,
        USER_OWNER,
        "never-matches",
    )
    v(
        "project-name/display-form-in-caveat",
        "The caveat holds the display name: PyPI does not normalize it.",
        ['[1,["Sample.Project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "never-matches",
    )
    v(
        "project-name/underscore-display",
        "A display name with `_` and mixed case normalizes to the caveat's name.",
        ['[1,["my-pkg"]]'],
        NOW,
        {"name": "My_Pkg", "id": PID},
    )
    v(
        "project-name/runs-of-separators",
        "`A._-B` normalizes to `a-b`.",
        ['[1,["a-b"]]'],
        NOW,
        {"name": "A._-B", "id": PID},
    )
    v(
        "project-name/message-quotes",
        "The message shows the display name in Python repr (a name with `'`).",
        pn,
        NOW,
        {"name": "O'Brien", "id": OTHER_PID},
    )
    v(
        "project-name/message-both-quotes",
        "A display name with both quote kinds.",
        pn,
        NOW,
        {"name": "a'b\"c", "id": OTHER_PID},
    )
    v("project-name/message-backslash", "A display name with a backslash.", pn, NOW, {"name": "a\\b", "id": OTHER_PID})
    v(
        "project-name/message-non-ascii",
        "A non-ASCII display name.",
        pn,
        NOW,
        {"name": "Café", "id": OTHER_PID},
        USER_OWNER,
        "unicode",
    )
    v(
        "project-name/true-tag",
        "`[true, [...]]` is a ProjectName to PyPI.",
        ['[true,["sample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "python-coercion",
    )
    v(
        "project-name/legacy",
        "Legacy projects form.",
        ['{"version": 1, "permissions": {"projects": ["sample-project"]}}'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "project-name/legacy-mismatch",
        "Legacy projects form, other project.",
        ['{"version": 1, "permissions": {"projects": ["sample-project"]}}'],
        NOW,
        OTHER_PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "project-name/trailing-element",
        "A trailing element is ignored by PyPI.",
        ['[1,["sample-project"],"x"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "trailing-fields",
    )
    v(
        "project-name/escaped",
        "The name written with `\\u` escapes still matches.",
        ['[1,["\\u0073ample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "unicode",
    )
    # Project ids
    pi = [f'[2,["{PID}"]]']
    v("project-id/match", "The project's id is listed.", pi)
    v("project-id/mismatch", "Another project.", pi, NOW, OTHER_PROJ)
    v("project-id/no-project", "No project in the request.", pi, NOW, None)
    v(
        "project-id/uppercase",
        "The id in upper case never matches.",
        [f'[2,["{PID.upper()}"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "never-matches",
    )
    v(
        "project-id/legacy",
        "Legacy `project_ids` form.",
        [f'{{"project_ids": ["{PID}"]}}'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v("project-id/two-ids", "The second of two ids matches.", [f'[2,["{OTHER_PID}","{PID}"]]'])
    v("project-token/match", "A standard project token (name + id) on its project.", PROJECT_TOKEN)
    v(
        "project-token/wrong-project",
        "A project token on another project: both caveats fail.",
        PROJECT_TOKEN,
        NOW,
        OTHER_PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "project-token/renamed-project",
        "The project was renamed: the id matches, the name no longer does.",
        PROJECT_TOKEN,
        NOW,
        {"name": "Renamed", "id": PID},
    )
    v(
        "project-token/recreated-project",
        "Same name, new id (deleted and re-registered).",
        PROJECT_TOKEN,
        NOW,
        {"name": "Sample.Project", "id": OTHER_PID},
    )
    # User
    v("user/match", "The token's owner is the user in the caveat.", USER_TOKEN)
    v("user/mismatch", "The caveat names another user.", [f'[3,"{OTHER_USER}"]'])
    v(
        "user/publisher-owner",
        "A user caveat on a Trusted Publishing token (no user).",
        USER_TOKEN,
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v("user/no-project-needed", "A user token on a request without a project.", USER_TOKEN, NOW, None)
    v(
        "user/uppercase",
        "The user id in upper case never matches.",
        [f'[3,"{USER.upper()}"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "never-matches",
    )
    v(
        "user/legacy",
        "Legacy user form: bound to the token's owner.",
        ['{"version": 1, "permissions": "user"}'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "user/legacy-publisher-owner",
        "Legacy user form on a publisher token: cannot be adapted.",
        ['{"version": 1, "permissions": "user"}'],
        NOW,
        PROJ,
        PUB_OWNER,
        "legacy",
        "oidc",
    )
    v(
        "user/trailing-element",
        "A trailing element after the user id.",
        [f'[3,"{USER}",1]'],
        NOW,
        PROJ,
        USER_OWNER,
        "trailing-fields",
    )
    # OIDC
    v(
        "oidc/standard",
        "PyPI's Trusted Publishing token inside its 15 minutes.",
        OIDC_TOKEN,
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v("oidc/expired", "The same token after 15 minutes.", OIDC_TOKEN, EXP, PROJ, PUB_OWNER, "oidc")
    v(
        "oidc/other-publisher",
        "The caveat names another publisher.",
        [f'[4,"{OTHER_PUB}",null]'],
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v("oidc/user-owner", "An OIDC caveat on a user's token.", [f'[4,"{PUB}",null]'], NOW, PROJ, USER_OWNER, "oidc")
    v("oidc/no-project", "An OIDC token without a project.", [f'[4,"{PUB}",null]'], NOW, None, PUB_OWNER, "oidc")
    v(
        "oidc/project-not-registered",
        "The project is not one of the publisher's.",
        [f'[4,"{PUB}",null]'],
        NOW,
        OTHER_PROJ,
        PUB_OWNER,
        "oidc",
    )
    v("oidc/short-form", "`[4, id]` without claims.", [f'[4,"{PUB}"]'], NOW, PROJ, PUB_OWNER, "oidc")
    v(
        "oidc/with-claims",
        "`[4, id, {claims}]` of May 2023.",
        [f'[4,"{PUB}",{{"ref":"main"}}]'],
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v(
        "oidc/wrong-project-message",
        "OIDC message quotes the display name without repr.",
        [f'[4,"{PUB}",null]'],
        NOW,
        {"name": "O'Brien", "id": OTHER_PID},
        PUB_OWNER,
        "oidc",
    )
    v(
        "oidc/project-id-caveat-fails",
        "OIDC token whose project-id caveat lacks the project.",
        [f'[4,"{PUB}",null]', f'[2,["{OTHER_PID}"]]'],
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    # Key binding (tag 5). `proof_jkt` is the key of a DPoP proof the caller already verified.
    v(
        "key-binding/matching-proof",
        "A token bound to a key, presented with a proof by that key.",
        [BIND],
        proof_jkt=JKT,
    )
    v("key-binding/other-key", "A proof by another key than the bound one.", [BIND], proof_jkt=OTHER_JKT)
    v("key-binding/no-proof", "A bound token presented without a proof, as a bearer token.", [BIND])
    v(
        "key-binding/two-bindings-first-key",
        "Bound to two different keys, proof by the first: no single proof satisfies both.",
        [BIND, OTHER_BIND],
        proof_jkt=JKT,
    )
    v(
        "key-binding/two-bindings-second-key",
        "Bound to two different keys, proof by the second.",
        [BIND, OTHER_BIND],
        proof_jkt=OTHER_JKT,
    )
    v(
        "key-binding/same-binding-twice",
        "The same binding twice, with a proof by that key.",
        [BIND, BIND],
        proof_jkt=JKT,
    )
    v(
        "key-binding/with-other-caveats",
        "A project token with an expiry window and a binding, all holding.",
        PROJECT_TOKEN + [f"[0,{EXP},{NBF}]", BIND],
        proof_jkt=JKT,
    )
    v(
        "key-binding/with-other-caveats-wrong-project",
        "The same on another project: only the project caveats fail.",
        PROJECT_TOKEN + [f"[0,{EXP},{NBF}]", BIND],
        NOW,
        OTHER_PROJ,
        USER_OWNER,
        "message-precedence",
        proof_jkt=JKT,
    )
    v(
        "key-binding/expired-and-no-proof",
        "Expired and presented without a proof: both failures, in caveat order.",
        [f"[0,{EXP},{NBF}]", BIND],
        EXP,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "key-binding/proof-for-unbound-token",
        "A proof presented with a token that has no binding changes nothing.",
        PROJECT_TOKEN,
        proof_jkt=JKT,
    )
    v(
        "key-binding/binding-then-unknown-tag",
        "A binding followed by tag 7: PyPI names tag 5 first.",
        [BIND, "[7]"],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
        proof_jkt=JKT,
    )
    v(
        "key-binding/malformed-binding",
        "A padded thumbprint cannot bind, whatever the proof.",
        [f'[5,"{JKT}="]'],
        proof_jkt=JKT,
    )
    v(
        "key-binding/wrong-key-signature",
        "A matching proof does not make up for a wrong root key.",
        [BIND],
        NOW,
        PROJ,
        USER_OWNER,
        key=bytes(32),
        proof_jkt=JKT,
    )
    # Precedence and aborts
    v(
        "precedence/two-failures",
        "Expired and wrong project: both reasons, in caveat order.",
        [f"[0,{EXP},{NBF}]", '[1,["other"]]'],
        EXP,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "precedence/same-failure-twice",
        "The same failing caveat twice is reported twice.",
        [f"[0,{EXP},{NBF}]"] * 2,
        EXP,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "precedence/abort-after-failure",
        "A failure, then non-JSON: only the first is reported.",
        [f"[0,{EXP},{NBF}]", "not json", '[1,["other"]]'],
        EXP,
        PROJ,
        USER_OWNER,
        "message-precedence",
        "abort",
    )
    v("precedence/abort-alone", "Non-JSON alone: `unknown error`.", ["not json"], NOW, PROJ, USER_OWNER, "abort")
    v(
        "precedence/abort-then-failure",
        "Non-JSON first hides a later failure.",
        ["not json", '[1,["other"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
        "abort",
    )
    v("precedence/unhashable-tag-abort", "An unhashable tag aborts.", ["[[1],2]"], NOW, PROJ, USER_OWNER, "abort")
    v(
        "precedence/int-too-long-abort",
        "A 4,301-digit integer aborts.",
        ["[0," + "9" * 4301 + ",0]"],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
        "boundary",
    )
    v(
        "precedence/not-utf8-abort",
        "A caveat that is not UTF-8 aborts.",
        [b'[1,["\xff"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
    )
    v(
        "precedence/deep-nesting-abort",
        "5,000 nested arrays abort.",
        ["[" * 5000 + "]" * 5000],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
    )
    v(
        "precedence/parse-error-not-abort",
        "A deserialization error is a reason, not an abort: later caveats still report.",
        ["[]", '[1,["other"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "precedence/wrong-key-and-failure",
        "Wrong key and a failing caveat: the caveat's reason wins.",
        ['[1,["other"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
        key=bytes(32),
    )
    v(
        "precedence/wrong-key-caveats-hold",
        "Wrong key, every caveat holds: `signatures do not match`.",
        PROJECT_TOKEN,
        NOW,
        PROJ,
        USER_OWNER,
        key=bytes(32),
    )
    v(
        "precedence/wrong-key-abort",
        "Wrong key and an aborting caveat: `unknown error`.",
        ["not json"],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
        key=bytes(32),
    )
    v(
        "precedence/unknown-tag-then-ok",
        "An unknown tag is reported; a later holding caveat adds nothing.",
        ["[7]", '[1,["sample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "precedence/three-reasons",
        "Three different failures in order.",
        ['[1,["x"]]', f'[3,"{OTHER_USER}"]', "[0,1,0]"],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "precedence/unknown-tag-float-message",
        "An unknown float tag is printed by Python's repr.",
        ["[1e100]"],
        NOW,
        PROJ,
        USER_OWNER,
        "python-json-quirk",
    )
    v(
        "precedence/unknown-tag-string-message",
        "An unknown string tag is printed bare.",
        ['["x, y"]'],
        NOW,
        PROJ,
        USER_OWNER,
    )
    v("precedence/unknown-tag-null-message", "A null tag is printed as None.", ["[null]"], NOW, PROJ, USER_OWNER)
    # Signatures
    v("signature/no-caveats", "A bare token verifies with its key.", [])
    v("signature/wrong-key", "Key of all zeros.", [], key=bytes(32))
    v(
        "signature/key-one-bit-off",
        "The key with its last bit flipped.",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        key=KEY[:-1] + bytes([KEY[-1] ^ 1]),
    )
    v(
        "signature/short-key",
        "A 16-byte root key (pymacaroons derives from any length).",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        key=KEY[:16],
        token=mint([], key=KEY[:16]),
    )
    v(
        "signature/empty-key",
        "An empty root key: pymacaroons then writes an empty signature, which never verifies.",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        key=b"",
        token=mint([], key=b""),
    )
    base = v2(PROJECT_TOKEN)
    flipped = base[:-1] + bytes([base[-1] ^ 1])
    v("signature/last-bit-flipped", "The signature's last bit flipped.", [], token=tok(flipped))
    v("signature/all-zero", "A signature of zeros.", [], token=tok(v2(PROJECT_TOKEN, sig=bytes(32))))
    v(
        "signature/caveat-removed",
        "The last caveat removed, signature kept.",
        [],
        token=tok(v2(PROJECT_TOKEN[:1], sig=chain([x.encode() for x in PROJECT_TOKEN]))),
    )
    v(
        "signature/prefix-with-own-signature",
        "The first caveat only, with the chain value after it: a valid (wider) token.",
        [],
        token=tok(v2(PROJECT_TOKEN[:1])),
    )
    v(
        "signature/caveats-reordered",
        "The two caveats swapped, signature kept.",
        [],
        token=tok(v2(PROJECT_TOKEN[::-1], sig=chain([x.encode() for x in PROJECT_TOKEN]))),
    )
    v(
        "signature/caveat-duplicated-unsigned",
        "A caveat repeated without extending the chain.",
        [],
        token=tok(v2(PROJECT_TOKEN + PROJECT_TOKEN[:1], sig=chain([x.encode() for x in PROJECT_TOKEN]))),
    )
    v(
        "signature/caveat-respaced",
        "A caveat's bytes changed by a space: the HMAC covers exact bytes.",
        [],
        token=tok(v2(['[1, ["sample-project"]]', PROJECT_TOKEN[1]], sig=chain([x.encode() for x in PROJECT_TOKEN]))),
    )
    v(
        "signature/short-signature",
        "A 31-byte signature.",
        [],
        token=tok(v2(PROJECT_TOKEN, sig=chain([x.encode() for x in PROJECT_TOKEN])[:31])),
    )
    v(
        "signature/long-signature",
        "The right signature plus one byte.",
        [],
        token=tok(v2(PROJECT_TOKEN, sig=chain([x.encode() for x in PROJECT_TOKEN]) + b"\x00")),
    )
    v(
        "signature/trailing-garbage",
        "Garbage after the signature is ignored by PyPI.",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        "lenient-encoding",
        token=tok(v2(PROJECT_TOKEN, tail=b"GARBAGE")),
    )
    v(
        "signature/standard-alphabet",
        "The standard base64 alphabet verifies at PyPI.",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        "lenient-encoding",
        token="pypi-" + mint(PROJECT_TOKEN)[5:].replace("-", "+").replace("_", "/"),
    )
    v(
        "signature/location-changed",
        "Location changed to another host: not covered by the signature.",
        [],
        token=mint(PROJECT_TOKEN, location="evil.example"),
    )
    v(
        "signature/no-location",
        "Location field removed: not covered by the signature.",
        [],
        token=tok(v2(PROJECT_TOKEN, location=None)),
    )
    v(
        "signature/third-party-caveat",
        "A third-party caveat (PyPI passes no discharges).",
        [],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
        token=tok(
            v2(cav_fields=field(1, b"https://auth/") + field(2, b"tp") + field(4, bytes(72)) + b"\x00", sig=bytes(32))
        ),
    )
    v(
        "signature/v1-token",
        "A V1 token for a real identifier: PyPI's lookup raises on `identifier.decode()`.",
        [],
        token=tok(v1(PROJECT_TOKEN)),
    )
    # Lookup
    v(
        "lookup/unknown-identifier",
        "A well-formed token whose identifier has no database row.",
        [],
        token=mint([], identifier="00000000-0000-4000-8000-000000000000"),
    )
    v("lookup/identifier-not-uuid", "An identifier that is not a UUID.", [], token=mint([], identifier="not-a-uuid"))
    v(
        "lookup/identifier-same-last-digit",
        "Another UUID ending in the same hex digit as the row's: a different row.",
        [],
        token=mint([], identifier="00000000-0000-4000-8000-00000000000b"),
    )
    v(
        "lookup/identifier-uppercase",
        "The identifier re-spelled in upper case finds the row (uuid column) but the HMAC covers other bytes.",
        [],
        token=tok(v2(identifier=IDENT.upper().encode(), sig=chain([]))),
    )
    v(
        "lookup/identifier-uppercase-signed",
        "Upper-case identifier signed over those bytes with the row's key.",
        [],
        token=mint([], identifier=IDENT.upper()),
    )
    v(
        "lookup/identifier-no-hyphens",
        "The identifier without hyphens, signed over those bytes.",
        [],
        token=mint([], identifier=IDENT.replace("-", "")),
    )
    v("lookup/identifier-not-utf8", "An identifier that is not UTF-8.", [], token=tok(v2(identifier=b"\xff" * 36)))
    v("lookup/malformed", "A body that is not a macaroon.", [], token="pypi-AAAA")
    v(
        "lookup/v1-identifier-not-utf8",
        "A V1 token whose identifier is not UTF-8: PyPI's lookup raises before it can decode it.",
        [],
        token=tok(v1(identifier=b"\xff" * 8)),
    )
    v("lookup/bad-prefix", "A token with the wrong prefix.", [], token="pypa-" + mint([])[5:])
    v("lookup/bad-base64", "A body that is not base64.", [], token="pypi-A")
    # Scaling: a typical PyPI token (expiry window, one project name, one user) and longer
    # attenuation chains of the same kinds, all holding; the benchmarks and peer timings use these.
    for n in (1, 3, 10, 50):
        v(
            f"scaling/caveats-{n}",
            f"{n} caveat{'s' if n > 1 else ''} that all hold: the typical token's expiry window, project name and user, repeated.",
            scaling_caveats(n),
            NOW,
            PROJ,
            USER_OWNER,
            "benchmark",
        )


# =============================================================================================
def server_issued(g):
    c = "server-issued"

    def v(i, desc, embedded, stored, now=NOW, project=PROJ, owner=USER_OWNER, *f, key=KEY):
        g.verify(
            c,
            f"stored/{i}",
            desc,
            mint(embedded),
            now,
            project,
            owner,
            stored=stored,
            key=key,
            flags=("stored-caveats",) + f,
        )

    v(
        "project-token-copy",
        "A project token whose stored caveats repeat the embedded ones (PyPI's normal case).",
        PROJECT_TOKEN,
        PROJECT_TOKEN,
    )
    v(
        "project-token-copy-wrong-project",
        "The same on another project: every reason appears twice.",
        PROJECT_TOKEN,
        PROJECT_TOKEN,
        NOW,
        OTHER_PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v("user-token-copy", "A user token with its stored user caveat.", USER_TOKEN, USER_TOKEN)
    v(
        "no-embedded",
        "A token with no embedded caveats, scoped only by stored ones (the proposed future shape).",
        [],
        PROJECT_TOKEN,
    )
    v(
        "no-embedded-wrong-project",
        "Stored caveats alone still deny another project.",
        [],
        PROJECT_TOKEN,
        NOW,
        OTHER_PROJ,
    )
    v("no-embedded-no-project", "Stored project caveats on a request without a project.", [], PROJECT_TOKEN, NOW, None)
    v(
        "stored-narrower-than-embedded",
        "PyPI narrowed the token after issue by storing an extra caveat.",
        PROJECT_TOKEN,
        PROJECT_TOKEN + [f"[0,{EXP},{NBF}]"],
        EXP,
    )
    v("stored-expiry-holds", "A stored expiry window that holds.", USER_TOKEN, USER_TOKEN + [f"[0,{EXP},{NBF}]"])
    v(
        "user-attenuation-then-stored",
        "A user-added expired caveat between embedded and stored ones: order in the message.",
        PROJECT_TOKEN + [f"[0,{EXP},{NBF}]"],
        PROJECT_TOKEN,
        EXP,
        OTHER_PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v(
        "legacy-backfill-user",
        "A 2019 legacy user token with the migration's stored `[3, user]`.",
        ['{"version": 1, "permissions": "user"}'],
        [f'[3,"{USER}"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "legacy-backfill-user-other",
        "The backfilled user caveat names another user than the owner.",
        ['{"version": 1, "permissions": "user"}'],
        [f'[3,"{OTHER_USER}"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "legacy-backfill-projects",
        "A legacy project token with the migration's stored `[1, names]`.",
        ['{"version": 1, "permissions": {"projects": ["sample-project"]}}'],
        ['[1,["sample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "legacy-backfill-projects-mismatch",
        "The same on another project.",
        ['{"version": 1, "permissions": {"projects": ["sample-project"]}}'],
        ['[1,["sample-project"]]'],
        NOW,
        OTHER_PROJ,
        USER_OWNER,
        "legacy",
    )
    v(
        "oidc-stored",
        "An OIDC token with its three stored caveats inside the window.",
        OIDC_TOKEN,
        OIDC_TOKEN,
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v(
        "oidc-stored-expired",
        "The same after expiry: the expiry reason appears once for the embedded and once for the stored copy.",
        OIDC_TOKEN,
        OIDC_TOKEN,
        EXP,
        PROJ,
        PUB_OWNER,
        "oidc",
    )
    v(
        "stored-conflicting-user",
        "A stored user caveat naming another user denies the owner's own token.",
        [],
        [f'[3,"{OTHER_USER}"]'],
    )
    v("stored-empty-names", "A stored empty name list makes the token unusable.", [], ["[1,[]]"])
    v(
        "stored-after-abort",
        "An embedded non-JSON caveat aborts before the stored caveats are reached.",
        ["not json"],
        ['[1,["other"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "abort",
    )
    v(
        "stored-after-failure",
        "An embedded failure and a stored failure are both reported.",
        ['[1,["other"]]'],
        [f'[3,"{OTHER_USER}"]'],
        NOW,
        PROJ,
        USER_OWNER,
        "message-precedence",
    )
    v("stored-wrong-key", "Stored caveats hold but the key is wrong.", PROJECT_TOKEN, PROJECT_TOKEN, key=bytes(32))
    v("stored-many", "Ten stored caveats that all hold.", [], ['[1,["sample-project"]]'] * 10)
    v(
        "strict-limit-64",
        "63 embedded and 1 stored caveat: 64 in all, the most the strict profile allows.",
        ['[1,["sample-project"]]'] * 63,
        ['[1,["sample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v(
        "strict-limit-65",
        "64 embedded and 1 stored caveat: 65 in all, one more than the strict profile allows.",
        ['[1,["sample-project"]]'] * 64,
        ['[1,["sample-project"]]'],
        NOW,
        PROJ,
        USER_OWNER,
        "boundary",
    )
    v(
        "stored-oidc-short-form",
        "A stored OIDC caveat, re-serialized by PyPI with its null claims.",
        [],
        [f'[4,"{PUB}"]'],
        NOW,
        PROJ,
        PUB_OWNER,
        "oidc",
    )


# =============================================================================================
def attenuation(g):
    base = mint(PROJECT_TOKEN)
    user = mint(USER_TOKEN)

    def r(i, desc, token, restrictions, *f, pk=None, error=None):
        g.restrict_vector(f"restrict/{i}", desc, token, restrictions, flags=f, expect_error=error, pypitoken_kwargs=pk)

    r(
        "expiry-window",
        "Add an expiry window to a project token.",
        base,
        {"not_before": NBF, "not_after": EXP},
        pk={"not_before": NBF, "not_after": EXP},
    )
    r(
        "project-name",
        "Narrow a user token to one project.",
        user,
        {"project_names": ["sample-project"]},
        pk={"project_names": ["sample-project"]},
    )
    r(
        "project-name-normalized",
        "A display name given for the restriction is normalized (PEP 503) before it is written.",
        user,
        {"project_names": ["Sample.Project"]},
    )
    r("project-names-two", "Two projects.", user, {"project_names": ["a", "b"]}, pk={"project_names": ["a", "b"]})
    r("project-id", "Narrow to a project id.", user, {"project_ids": [PID]}, pk={"project_ids": [PID]})
    r("user-id", "Bind to a user.", base, {"user_id": USER}, pk={"user_id": USER})
    r(
        "all",
        "Every restriction at once, in the fixed order expiry, names, ids, user.",
        user,
        {
            "not_before": NBF,
            "not_after": EXP,
            "project_names": ["sample-project"],
            "project_ids": [PID],
            "user_id": USER,
        },
        pk={
            "not_before": NBF,
            "not_after": EXP,
            "project_names": ["sample-project"],
            "project_ids": [PID],
            "user_id": USER,
        },
    )
    r("bare-token", "Attenuate a token that has no caveats.", mint([]), {"project_names": ["sample-project"]})
    r(
        "twice",
        "Attenuate an already attenuated token.",
        mint(PROJECT_TOKEN + [f"[0,{EXP},{NBF}]"]),
        {"project_ids": [PID]},
    )
    r(
        "padded-input",
        "The input token carries base64 padding: the output is canonical.",
        base + "=" * (-len(base[5:]) % 4),
        {"user_id": USER},
        "lenient-encoding",
    )
    r(
        "standard-alphabet-input",
        "The input token uses the standard alphabet.",
        "pypi-" + base[5:].replace("-", "+").replace("_", "/"),
        {"user_id": USER},
        "lenient-encoding",
    )
    r(
        "trailing-garbage-input",
        "Bytes after the signature are dropped in the output.",
        tok(v2(PROJECT_TOKEN, tail=b"GARBAGE")),
        {"user_id": USER},
        "lenient-encoding",
    )
    r(
        "epoch-window",
        "A window starting at 0 (pypitoken refuses not_before=0).",
        base,
        {"not_before": 0, "not_after": 10},
        "boundary",
        pk={"not_before": 0, "not_after": 10},
    )
    r(
        "testpypi-token",
        "A TestPyPI token keeps its location.",
        mint(PROJECT_TOKEN, location="test.pypi.org"),
        {"user_id": USER},
    )
    r(
        "only-not-before",
        "A window needs both bounds.",
        base,
        {"not_before": NBF},
        error="restrict.window_incomplete",
        pk={"not_before": NBF},
    )
    r("only-not-after", "A window needs both bounds.", base, {"not_after": EXP}, error="restrict.window_incomplete")
    r(
        "empty-window",
        "not_before == not_after would make the token unusable.",
        base,
        {"not_before": NBF, "not_after": NBF},
        error="restrict.window_empty",
    )
    r(
        "reversed-window",
        "not_before > not_after would make the token unusable (pypitoken accepts it).",
        base,
        {"not_before": EXP, "not_after": NBF},
        error="restrict.window_empty",
        pk={"not_before": EXP, "not_after": NBF},
    )
    r(
        "negative-time",
        "A negative timestamp.",
        base,
        {"not_before": -10, "not_after": 10},
        error="restrict.window_negative",
    )
    r("nothing", "No restriction at all.", base, {}, error="restrict.nothing", pk={})
    r("empty-name-list", "An empty project list.", base, {"project_names": []}, error="restrict.empty_list")
    r(
        "invalid-name",
        "A name that is not a valid project name.",
        base,
        {"project_names": ["not a name!"]},
        error="restrict.invalid_name",
    )
    r(
        "invalid-project-id",
        "A project id that is not a UUID.",
        base,
        {"project_ids": ["123"]},
        error="restrict.invalid_uuid",
        pk={"project_ids": ["123"]},
    )
    r(
        "invalid-user-id",
        "A user id that is not a UUID.",
        base,
        {"user_id": "not-a-uuid"},
        error="restrict.invalid_uuid",
        pk={"user_id": "not-a-uuid"},
    )
    r(
        "uppercase-user-id",
        "An upper-case UUID would never match at PyPI.",
        base,
        {"user_id": USER.upper()},
        error="restrict.invalid_uuid",
    )
    r(
        "malformed-token",
        "The token to attenuate does not decode.",
        "pypi-AAAA",
        {"user_id": USER},
        error="macaroon.malformed",
    )
    r("v1-token", "A V1 token: attenuated in V1 (as pymacaroons does).", tok(v1(PROJECT_TOKEN)), {"user_id": USER})
    r("bind-jkt", "Bind a user token to a DPoP key (`--bind-jkt`).", user, {"bind_jkt": JKT})
    r(
        "bind-jkt-with-window",
        "A window and a binding: the binding is written last.",
        base,
        {"not_before": NBF, "not_after": EXP, "bind_jkt": JKT},
    )
    r(
        "bind-jkt-already-bound",
        "Binding an already bound token to another key adds a second binding; nothing removes the first.",
        mint(USER_TOKEN + [BIND]),
        {"bind_jkt": OTHER_JKT},
    )
    r("bind-jkt-padded", "A padded thumbprint is refused.", user, {"bind_jkt": JKT + "="}, error="restrict.invalid_jkt")
    r(
        "bind-jkt-short",
        "A 42-character thumbprint is refused.",
        user,
        {"bind_jkt": JKT[:-1]},
        error="restrict.invalid_jkt",
    )
    r(
        "bind-jkt-non-canonical",
        "A thumbprint whose last character has unused bits set is refused.",
        user,
        {"bind_jkt": JKT[:-1] + "J"},
        error="restrict.invalid_jkt",
    )

    # Each attenuated token then verifies at PyPI as expected.
    for vec in list(g.files["attenuation"]):
        exp = vec["expected"]
        if not exp.get("valid") or vec["input"]["token"].startswith("pypi-AAAA"):
            continue
        rs = vec["input"]["restrictions"]
        if vec["id"].endswith("v1-token"):
            continue
        project = PROJ
        if "project_names" in rs and "sample-project" not in [n.lower().replace(".", "-") for n in rs["project_names"]]:
            project = {"name": rs["project_names"][0], "id": PID}
        now = NBF + 5 if "not_before" in rs and rs["not_before"] > 0 else (5 if "not_before" in rs else NOW)
        bound = rs.get("bind_jkt")
        desc = "The token produced by " + vec["id"] + " checked at PyPI inside its restrictions"
        desc += f", with a proof by the key `{bound}`." if bound else "."
        g.verify(
            "attenuation",
            vec["id"].replace("restrict/", "restrict-verify/"),
            desc,
            exp["token"],
            now,
            project,
            USER_OWNER,
            proof_jkt=bound,
        )


# =============================================================================================
def minting(g):
    def m(i, desc, restrictions, *f, error=None, **kw):
        g.mint_vector(f"mint/{i}", desc, restrictions, flags=f, expect_error=error, **kw)

    m("bare", "No restrictions: location, identifier and signature only.", {})
    m(
        "project-token",
        "PyPI's project token: name and id.",
        {"project_names": ["sample-project"], "project_ids": [PID]},
    )
    m("user-token", "PyPI's user token.", {"user_id": USER})
    m("expiry", "An expiry window.", {"not_before": NBF, "not_after": EXP})
    m(
        "everything",
        "All four restriction kinds.",
        {
            "not_before": NBF,
            "not_after": EXP,
            "project_names": ["a", "b"],
            "project_ids": [PID, OTHER_PID],
            "user_id": USER,
        },
    )
    m("display-name", "A display name is normalized before it is written.", {"project_names": ["My_Package.Name"]})
    m("testpypi", "A TestPyPI location.", {"user_id": USER}, location="test.pypi.org")
    m("empty-location", "An empty location (pymacaroons still writes the field).", {}, location="")
    m("long-identifier", "A 200-byte identifier (two-byte length varint).", {}, identifier="i" * 200)
    m(
        "zero-key-pypitoken",
        "pypitoken's documented bare token: zero key, its identifier.",
        {},
        "known-answer",
        key=bytes(32),
        identifier="a8f2c7d4-6b1e-4c3a-9f5d-2e7b8c1a0d93",
    )
    m(
        "ohsosecret",
        "pypitoken's known-answer token (key `ohsosecret`, id `123foo`, example.com).",
        {},
        "known-answer",
        key=b"ohsosecret",
        identifier="123foo",
        location="example.com",
    )
    m(
        "research-key-project",
        "Root key 00..1f with a project token (published chain values).",
        {"project_names": ["sampleproject"], "project_ids": [PID]},
        "known-answer",
    )
    m("large-expiry", "A far-future expiry.", {"not_before": 0, "not_after": 253402300799}, "boundary")
    m("hundred-projects", "One hundred project names in one caveat.", {"project_names": [f"p{i}" for i in range(100)]})
    m("only-not-before", "A window needs both bounds.", {"not_before": NBF}, error="restrict.window_incomplete")
    m(
        "reversed-window",
        "not_before > not_after.",
        {"not_before": EXP, "not_after": NBF},
        error="restrict.window_empty",
    )
    m("invalid-user", "A user id that is not a UUID.", {"user_id": "x"}, error="restrict.invalid_uuid")
    m("invalid-name", "An invalid project name.", {"project_names": ["-"]}, error="restrict.invalid_name")
    m(
        "name-leading-underscore",
        "A name starting with `_`: PyPI registers only `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$` (any case).",
        {"project_names": ["_abc"]},
        error="restrict.invalid_name",
    )
    m(
        "name-trailing-dot",
        "A name ending with `.`: not a name PyPI registers.",
        {"project_names": ["abc."]},
        error="restrict.invalid_name",
    )
    m("empty-ids", "An empty id list.", {"project_ids": []}, error="restrict.empty_list")
    m("bind-jkt", "A user token bound to a DPoP key from the start.", {"user_id": USER, "bind_jkt": JKT})
    m(
        "invalid-jkt",
        "A thumbprint in the standard base64 alphabet.",
        {"bind_jkt": JKT.replace("-", "+")},
        error="restrict.invalid_jkt",
    )
