"""The expectations of the DPoP vectors: RFC 9449 §4.3 proof checking and RFC 7638 thumbprints,
written from the RFCs and the decisions of spec/SPEC.md (listed in crates/caveatspec/src/dpop/mod.rs), on Python's
`cryptography`. It shares no code with the Rust reference; the vectors are where the two meet.

Every check returns one error code; the first failing check decides it, in the documented
order.
"""

import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from caveatgen.encoding import b64u_decode, b64u_encode

MAX_COMPACT_LEN = 8192
MAX_URL_LEN = 8192
MAX_JTI_LEN = 256
MAX_AGE = 300
LEEWAY = 60
TYP = "dpop+jwt"
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
ED25519_P = 2**255 - 19
ED25519_L = 2**252 + 27742317777372353535851937790883648493
UNSUPPORTED_ALGS = {
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES384",
    "ES512",
    "ES256K",
    "Ed448",
    "RS1",
    "ML-DSA-44",
    "ML-DSA-65",
    "ML-DSA-87",
}
REGISTERED_HEADER = {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}


class Refused(Exception):
    """A check failed; `code` is the vectors' code."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _no_duplicates(pairs):
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member")
    return dict(pairs)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def json_object(data: bytes):
    """A JSON object from UTF-8 bytes, refusing repeated member names at any depth."""
    text = data.decode("utf-8")
    value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def _on_p256(x: int, y: int) -> bool:
    return x < P256_P and y < P256_P and (y * y - (x**3 - 3 * x + P256_B)) % P256_P == 0


ED25519_D = (-121665 * pow(121666, -1, ED25519_P)) % ED25519_P


def _ed25519_small_order(x: bytes) -> bool:
    """True for the canonical encodings of the points of order 1, 2, 4 and 8."""
    y = int.from_bytes(x, "little") & ((1 << 255) - 1)
    small = {
        1,
        ED25519_P - 1,
        0,
        0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7,
        0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826,
    }
    return y in small


def _ed25519_decompresses(x: bytes) -> bool:
    """RFC 8032 §5.1.3: y below p and (y² − 1)/(d·y² + 1) a square."""
    y = int.from_bytes(x, "little") & ((1 << 255) - 1)
    if y >= ED25519_P:
        return False
    u = (y * y - 1) % ED25519_P
    v = (ED25519_D * y * y + 1) % ED25519_P
    x2 = u * pow(v, -1, ED25519_P) % ED25519_P
    return x2 == 0 or pow(x2, (ED25519_P - 1) // 2, ED25519_P) == 1


def public_key(jwk):
    """The key of a JWK object, or Refused with the DPoP code for why not (RFC 9449 §4.3 check 7,
    RFC 7518 §6, RFC 8037 §2)."""
    if not isinstance(jwk, dict):
        raise Refused("dpop.jwk")
    kty = jwk.get("kty")
    if not isinstance(kty, str):
        raise Refused("dpop.jwk")
    if kty == "oct":
        raise Refused("dpop.jwk_symmetric")
    if any(m in jwk for m in PRIVATE_MEMBERS):
        raise Refused("dpop.jwk_private")
    if kty == "EC":
        if jwk.get("crv") != "P-256":
            raise Refused("dpop.jwk")
        coords = []
        for m in ("x", "y"):
            if not isinstance(jwk.get(m), str):
                raise Refused("dpop.jwk")
            try:
                raw = b64u_decode(jwk[m])
            except ValueError:
                raise Refused("dpop.jwk")
            if len(raw) != 32:
                raise Refused("dpop.jwk")
            coords.append(int.from_bytes(raw, "big"))
        if not _on_p256(*coords):
            raise Refused("dpop.jwk")
        return ("EC", ec.EllipticCurvePublicNumbers(coords[0], coords[1], ec.SECP256R1()).public_key())
    if kty == "OKP":
        if jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
            raise Refused("dpop.jwk")
        try:
            raw = b64u_decode(jwk["x"])
        except ValueError:
            raise Refused("dpop.jwk")
        if len(raw) != 32 or not _ed25519_decompresses(raw) or _ed25519_small_order(raw):
            raise Refused("dpop.jwk")
        return ("OKP", ed25519.Ed25519PublicKey.from_public_bytes(raw))
    raise Refused("dpop.jwk")


def thumbprint_input(jwk) -> str:
    if jwk["kty"] == "EC":
        members = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    elif jwk["kty"] == "OKP":
        members = {"crv": jwk["crv"], "kty": "OKP", "x": jwk["x"]}
    else:
        members = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    return json.dumps(members, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def thumbprint_of(jwk) -> str:
    return b64u_encode(hashlib.sha256(thumbprint_input(jwk).encode()).digest())


def thumbprint(jwk):
    """RFC 7638 SHA-256 thumbprint, or Refused("jose.…"). The refusals follow the JOSE layer's
    order: kty, symmetric, private, RSA members, then the key itself for EC and OKP."""
    kty = jwk.get("kty")
    if "kty" not in jwk:
        raise Refused("jose.missing_member")
    if not isinstance(kty, str):
        raise Refused("jose.member_type")
    if kty == "oct":
        raise Refused("jose.jwk_symmetric")
    if any(m in jwk for m in PRIVATE_MEMBERS):
        raise Refused("jose.jwk_private")
    if kty == "RSA":
        for m in ("e", "n"):
            if m not in jwk:
                raise Refused("jose.missing_member")
            if not isinstance(jwk[m], str):
                raise Refused("jose.member_type")
        for m in ("e", "n"):
            if jwk[m] == "":
                raise Refused("jose.thumbprint_member")
            try:
                b64u_decode(jwk[m])
            except ValueError:
                raise Refused("jose.base64")
        return thumbprint_of(jwk)
    if kty not in ("EC", "OKP"):
        raise Refused("jose.jwk_kty")
    crv = jwk.get("crv")
    if "crv" not in jwk:
        raise Refused("jose.missing_member")
    if not isinstance(crv, str):
        raise Refused("jose.member_type")
    if crv != ("P-256" if kty == "EC" else "Ed25519"):
        raise Refused("jose.jwk_curve")
    for m in ("x", "y") if kty == "EC" else ("x",):
        if m not in jwk:
            raise Refused("jose.missing_member")
        if not isinstance(jwk[m], str):
            raise Refused("jose.member_type")
        try:
            raw = b64u_decode(jwk[m])
        except ValueError:
            raise Refused("jose.base64")
        if len(raw) != 32:
            raise Refused("jose.jwk_length")
    try:
        public_key(jwk)
    except Refused:
        raise Refused("jose.jwk_point")
    return thumbprint_of(jwk)


def verify_signature(alg, key, signing_input: bytes, sig: bytes):
    kind, pub = key
    family = "EC" if alg == "ES256" else "OKP"
    if kind != family or len(sig) != 64:
        raise Refused("dpop.signature")
    try:
        if kind == "EC":
            r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
            if not (0 < r < P256_N and 0 < s < P256_N):
                raise Refused("dpop.signature")
            pub.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
        else:
            if int.from_bytes(sig[32:], "little") >= ED25519_L or _ed25519_small_order(sig[:32]):
                raise Refused("dpop.signature")
            pub.verify(sig, signing_input)
    except InvalidSignature:
        raise Refused("dpop.signature")


# --- htu: RFC 3986 §6.2.2 and §6.2.3 normalization, minus query and fragment -------------------

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent(path: str) -> str:
    out, i = [], 0
    while i < len(path):
        c = path[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        h = path[i + 1 : i + 3]
        if len(h) != 2 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
            raise ValueError("bad percent-encoding")
        v = int(h, 16)
        out.append(chr(v) if v in UNRESERVED else "%" + h.upper())
        i += 3
    return "".join(out)


def _remove_dots(path: str) -> str:
    """RFC 3986 §5.2.4, the input-buffer algorithm as written."""
    inp, out = path, ""
    while inp:
        if inp.startswith("../"):
            inp = inp[3:]
        elif inp.startswith("./"):
            inp = inp[2:]
        elif inp.startswith("/./"):
            inp = inp[2:]
        elif inp == "/.":
            inp = "/"
        elif inp.startswith("/../"):
            inp = inp[3:]
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp == "/..":
            inp = "/"
            out = out[: out.rfind("/")] if "/" in out else ""
        elif inp in (".", ".."):
            inp = ""
        else:
            j = inp.find("/", 1)
            j = len(inp) if j < 0 else j
            out += inp[:j]
            inp = inp[j:]
    return out


def normalize_url(url: str) -> str:
    if len(url.encode()) > MAX_URL_LEN or not all(0x21 <= ord(c) <= 0x7E for c in url):
        raise ValueError("not printable ASCII")
    m = re.match(r"([^:/?#]+)://([^/?#]*)([^?#]*)", url)
    if not m:
        raise ValueError("no scheme and authority")
    scheme, authority, path = m.group(1).lower(), m.group(2), m.group(3)
    if scheme not in ("http", "https"):
        raise ValueError("scheme")
    if "@" in authority:
        raise ValueError("userinfo")
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise ValueError("IP literal")
        host, rest = authority[: close + 1], authority[close + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError("IP literal")
        port = rest[1:] if rest else None
    else:
        host, sep, port = authority.partition(":")
        port = port if sep else None
    if not host or "%" in host:
        raise ValueError("host")
    port_text = ""
    if port:
        if not port.isdigit() or not port.isascii() or int(port) > 65535:
            raise ValueError("port")
        if int(port) != {"http": 80, "https": 443}[scheme]:
            port_text = f":{int(port)}"
    path = _remove_dots(_percent(path)) if path else "/"
    return f"{scheme}://{host.lower()}{port_text}{path}"


# --- the proof ----------------------------------------------------------------------------------


def _string_claim(claims, name):
    if name not in claims:
        raise Refused("dpop.missing_claim")
    if not isinstance(claims[name], str):
        raise Refused("dpop.claim_type")
    return claims[name]


def verify_proof(proof, method, url, now, access_token=None, expected_jkt=None, nonce=None):
    """(jkt, jti, iat) of an accepted proof, or Refused."""
    if len(proof.encode()) > MAX_COMPACT_LEN:
        raise Refused("dpop.malformed")
    parts = proof.split(".")
    if len(parts) != 3 or not parts[2]:
        raise Refused("dpop.malformed")
    try:
        header = json_object(b64u_decode(parts[0]))
        payload = b64u_decode(parts[1])
        sig = b64u_decode(parts[2])
        claims = json_object(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise Refused("dpop.malformed")
    if header.get("typ") != TYP:
        raise Refused("dpop.typ")
    alg = header.get("alg")
    if alg not in ("ES256", "EdDSA", "Ed25519"):
        raise Refused("dpop.alg")
    if "crit" in header:
        raise Refused("dpop.crit")
    if "jwk" not in header:
        raise Refused("dpop.jwk_missing")
    key = public_key(header["jwk"])
    verify_signature(alg, key, f"{parts[0]}.{parts[1]}".encode(), sig)

    jti = _string_claim(claims, "jti")
    htm = _string_claim(claims, "htm")
    htu = _string_claim(claims, "htu")
    if "iat" not in claims:
        raise Refused("dpop.missing_claim")
    iat = claims["iat"]
    if type(iat) is not int or not -(2**63) <= iat < 2**63:
        raise Refused("dpop.claim_type")
    if not 1 <= len(jti.encode()) <= MAX_JTI_LEN:
        raise Refused("dpop.jti_length")
    if access_token is not None:
        ath = _string_claim(claims, "ath")
        if ath != b64u_encode(hashlib.sha256(access_token.encode()).digest()):
            raise Refused("dpop.ath")
    if htm != method:
        raise Refused("dpop.htm")
    try:
        want = normalize_url(url)
    except ValueError:
        raise Refused("dpop.request_url")
    try:
        got = normalize_url(htu)
    except ValueError:
        raise Refused("dpop.htu_invalid")
    if got != want:
        raise Refused("dpop.htu")
    if iat < now - MAX_AGE:
        raise Refused("dpop.iat_too_old")
    if iat > now + LEEWAY:
        raise Refused("dpop.iat_in_future")
    if nonce is not None and claims.get("nonce") != nonce:
        raise Refused("dpop.nonce")
    jkt = thumbprint_of(header["jwk"])
    if expected_jkt is not None and jkt != expected_jkt:
        raise Refused("dpop.jkt")
    return jkt, jti, iat


def check_with_history(inp):
    """The expectation of a dpop_proof vector: earlier proofs fill a cache of (key thumbprint,
    jti) pairs whose entries live until iat + MAX_AGE (inclusive); then the proof under test."""
    args = {k: inp.get(k) for k in ("access_token", "expected_jkt", "nonce")}
    seen = {}

    def one(proof, now):
        jkt, jti, iat = verify_proof(proof, inp["method"], inp["url"], now, **args)
        if (jkt, jti) in seen and seen[(jkt, jti)] >= now:
            raise Refused("dpop.replay")
        seen[(jkt, jti)] = iat + MAX_AGE
        return jkt, jti

    for earlier in inp.get("replay", []):
        one(earlier["proof"], earlier["now"])  # must be accepted: a broken vector raises here
    try:
        jkt, jti = one(inp["proof"], inp["now"])
    except Refused as e:
        return {"valid": False, "codes": [e.code]}
    return {"valid": True, "jkt": jkt, "jti": jti}
