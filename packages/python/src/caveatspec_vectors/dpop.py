"""DPoP proofs (RFC 9449, SPEC §10.3 and §10.4) on top of any JOSE library: the part every
Python verifier writes again, so that where two adapters differ the difference is their
library's.

A JOSE library parses the JWS, imports the key and checks `crit`, the signature and whatever
claims it knows. `proof_handler(header, verify, ...)` wraps such a library into the handler of
`dpop_proof` vectors and adds, in SPEC order, what no JOSE library has:

- `typ` exactly `dpop+jwt` (`dpop.typ`), `alg` in SPEC's allow-list (`dpop.alg`), `jwk`
  present (`dpop.jwk_missing`), read from the header as the library parsed it;
- claims `jti`, `htm`, `htu` (and `ath` with an access token) present and strings
  (`dpop.missing_claim`, `dpop.claim_type`), `jti` of 1 to 256 bytes (`dpop.jti_length`);
- `ath` = base64url(SHA-256(access token)) (`dpop.ath`), `htm` exact (`dpop.htm`);
- `htu` against the request URL after SPEC §10.3 step 10's normalization (`normalize_url`;
  `dpop.htu_invalid`, `dpop.request_url`, `dpop.htu`);
- `iat` no older than `now - 300` (`dpop.iat_too_old`) and no later than `now + 60`
  (`dpop.iat_in_future`; where the library has its own leeway check, it refuses first);
- `nonce` exact when the server set one (`dpop.nonce`), the key's thumbprint when one is
  expected (`dpop.jkt`);
- replay: a map keyed by the key's thumbprint and the `jti`, each entry kept until its proof's
  `iat + 300` inclusive; the earlier proofs of `input.replay` go through the same checks first
  (`dpop.replay`), and one that is refused gives the reserved answer of decision D3.

Decision D2: an `alg` SPEC allows that the library does not implement (`algorithms=`) makes
the vector `unsupported`, decided from the proofs' headers before the library is called. An
`alg` SPEC does not allow is left to the checks: it is what the vector tests.
"""

import base64
import binascii
import hashlib
import json
import re

from .adapter import Invalid, Unsupported, earlier_proof_refused, refusing

__all__ = ["ALGORITHMS", "KEY_TYPES", "MAX_PROOF", "MAX_URL", "MAX_AGE", "SKEW", "JTI_MAX",
           "TYP", "normalize_url", "required_claims", "sha256_b64u", "jwk_thumbprint",
           "proof_handler", "thumbprint_handler"]

#: The `alg` values SPEC allows in a DPoP proof.
ALGORITHMS = ("ES256", "EdDSA", "Ed25519")
#: The key types SPEC allows in a JWK thumbprint, as (`kty`, `crv`); RSA has no curve.
KEY_TYPES = (("EC", "P-256"), ("OKP", "Ed25519"), ("RSA", None))
MAX_PROOF = 8192
MAX_URL = 8192
MAX_AGE = 300
SKEW = 60
JTI_MAX = 256
TYP = "dpop+jwt"

# --- htu: SPEC §10.3 step 10 ----------------------------------------------------------------

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PERCENT = re.compile(r"%(..)?", re.S)
_HEX = frozenset("0123456789abcdefABCDEF")
_DEFAULT_PORT = {"http": 80, "https": 443}


def _percent_normalized(path):
    """Percent-encoded unreserved characters decoded, every other escape upper-cased."""
    def one(m):
        pair = m.group(1)
        if pair is None or not set(pair) <= _HEX:
            raise ValueError("bad percent-encoding")
        char = chr(int(pair, 16))
        return char if char in _UNRESERVED else "%" + pair.upper()
    return _PERCENT.sub(one, path)


def _without_dot_segments(path):
    """RFC 3986 §5.2.4 for an absolute path: `.` dropped, `..` drops the segment before it,
    and a path ending in either keeps its trailing slash."""
    kept = []
    segments = path.split("/")[1:]
    for segment in segments:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    trailing = "/" if segments and segments[-1] in (".", "..") and kept else ""
    return "/" + "/".join(kept) + trailing


def _host_and_port(authority):
    if "@" in authority:
        raise ValueError("userinfo")
    if authority.startswith("["):
        host, bracket, after = authority.partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise ValueError("IP literal")
        return host + bracket, after[1:]
    host, _, port = authority.partition(":")
    return host, port


def normalize_url(url):
    """SPEC §10.3 step 10's form of `url`, or ValueError: query and fragment dropped, scheme
    `http`/`https` lower-cased, host lower-cased (non-empty, no userinfo, no `%`), an empty or
    default port dropped, an empty path `/`, percent-encodings normalized, then dot segments
    removed. Only printable ASCII of at most 8,192 bytes is a URL here."""
    if len(url) > MAX_URL or any(not "!" <= c <= "~" for c in url):
        raise ValueError("not printable ASCII of at most 8192 bytes")
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme or any(c in ":/?#" for c in scheme):
        raise ValueError("no scheme and authority")
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORT:
        raise ValueError("scheme")
    end = re.search(r"[/?#]|$", rest).start()
    authority, path = rest[:end], re.match(r"[^?#]*", rest[end:]).group()
    host, port = _host_and_port(authority)
    if not host or "%" in host:
        raise ValueError("host")
    port_text = ""
    if port:
        if not port.isdigit() or int(port) > 65535:
            raise ValueError("port")
        if int(port) != _DEFAULT_PORT[scheme]:
            port_text = f":{int(port)}"
    path = _without_dot_segments(_percent_normalized(path)) if path else "/"
    return f"{scheme}://{host.lower()}{port_text}{path}"


# --- the proof ------------------------------------------------------------------------------


def sha256_b64u(text):
    """base64url (unpadded) of the SHA-256 of `text`'s UTF-8."""
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=")


def jwk_thumbprint(jwk):
    """RFC 7638 (SHA-256) for a library without one, used only to compare with `expected_jkt`
    and to key the replay map: the required members of the key's type, sorted, compact JSON."""
    members = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x"), "RSA": ("e", "kty", "n")}
    picked = {m: jwk[m] for m in members[jwk["kty"]]}
    return sha256_b64u(json.dumps(picked, sort_keys=True, separators=(",", ":")))


def required_claims(access_token):
    """The claims a proof must carry: `jti`, `htm`, `htu`, `iat`, and `ath` with a token."""
    return ["jti", "htm", "htu", "iat"] + (["ath"] if access_token is not None else [])


def _string(claims, name):
    if name not in claims:
        raise Invalid("dpop.missing_claim", message=f"no {name}")
    if not isinstance(claims[name], str):
        raise Invalid("dpop.claim_type", message=f"{name} is not a string")
    return claims[name]


def _normalized(url, code):
    try:
        return normalize_url(url)
    except ValueError as e:
        raise Invalid(code, message=str(e)) from None


def _header_alg(proof):
    """The `alg` of a compact JWS's header as read without the library, or None when it cannot
    be read (the library then refuses the proof on its own terms)."""
    if not isinstance(proof, str):
        return None
    segment = proof.partition(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return None
    return header.get("alg") if isinstance(header, dict) else None


def _why(answer):
    """A refusal as one phrase: its codes, then its message."""
    parts = [", ".join(answer.codes or []), answer.message or ""]
    return " ".join(p for p in parts if p) or "no reason given"


def _header_checks(header):
    if header.get("typ") != TYP:
        raise Invalid("dpop.typ")
    if header.get("alg") not in ALGORITHMS:
        raise Invalid("dpop.alg")
    if "jwk" not in header:
        raise Invalid("dpop.jwk_missing")


def proof_handler(header, verify, algorithms=ALGORITHMS, codes=None, thumbprint=None):
    """The handler of `dpop_proof` vectors for a JOSE library.

    - `header(proof)`: the library's parse of the JWS header (a dict);
    - `verify(proof, header, now, access_token)`: the library's verification of the proof
      with the key of `header["jwk"]` and the algorithm `header["alg"]` (signature, `crit`,
      and claim checks it has, such as presence and its `iat` bound at `now`), returning
      `(claims, iat)`, `iat` as the library reads it;
    - `algorithms`: the allowed algorithms the library implements (decision D2);
    - `codes`: the code for an exception of either call (see `adapter.refusing`); an
      `Invalid` raised inside them passes through;
    - `thumbprint(jwk)`: the library's RFC 7638 function, or None when it has none: the
      answer then carries no `jkt`, and `jwk_thumbprint` here stands in for the checks.
    """
    def one(inp, proof, now):
        """(jkt or None, jti, iat, the key's thumbprint) of an accepted proof."""
        if len(proof.encode()) > MAX_PROOF:
            raise Invalid("dpop.malformed", message="proof over 8192 bytes")
        token = inp.get("access_token")
        with refusing(codes):
            parsed = header(proof)
        _header_checks(parsed)
        with refusing(codes):
            claims, iat = verify(proof, parsed, now, token)
        jti, htm, htu = _string(claims, "jti"), _string(claims, "htm"), _string(claims, "htu")
        if not 1 <= len(jti.encode()) <= JTI_MAX:
            raise Invalid("dpop.jti_length")
        if token is not None and _string(claims, "ath") != sha256_b64u(token):
            raise Invalid("dpop.ath")
        if htm != inp["method"]:
            raise Invalid("dpop.htm")
        want, got = _normalized(inp["url"], "dpop.request_url"), _normalized(htu, "dpop.htu_invalid")
        nonce = inp.get("nonce")
        for failed, code in ((got != want, "dpop.htu"),
                             (iat < now - MAX_AGE, "dpop.iat_too_old"),
                             (iat > now + SKEW, "dpop.iat_in_future"),
                             (nonce is not None and claims.get("nonce") != nonce, "dpop.nonce")):
            if failed:
                raise Invalid(code)
        key = (thumbprint or jwk_thumbprint)(parsed["jwk"])
        if inp.get("expected_jkt") is not None and key != inp["expected_jkt"]:
            raise Invalid("dpop.jkt")
        return (key if thumbprint is not None else None), jti, iat, key

    def handle(inp):
        earlier = inp.get("replay", [])
        for proof in [e["proof"] for e in earlier] + [inp["proof"]]:
            alg = _header_alg(proof)
            if alg in ALGORITHMS and alg not in algorithms:
                raise Unsupported(f"the library does not implement alg {alg}")
        seen = {}

        def accept(proof, now):
            jkt, jti, iat, key = one(inp, proof, now)
            if (key, jti) in seen and now <= seen[(key, jti)]:
                raise Invalid("dpop.replay")
            seen[(key, jti)] = iat + MAX_AGE
            return jkt, jti

        for index, proof in enumerate(earlier):
            try:
                accept(proof["proof"], proof["now"])
            except Invalid as refused:
                raise earlier_proof_refused(index, _why(refused.answer)) from None
        jkt, jti = accept(inp["proof"], inp["now"])
        return {"jti": jti} if jkt is None else {"jkt": jkt, "jti": jti}

    return handle


def thumbprint_handler(thumbprint, key_types=KEY_TYPES, codes=None):
    """The handler of `jwk_thumbprint` vectors for a library's RFC 7638 function
    `thumbprint(jwk)`. A key of a type SPEC allows but not in `key_types` (the library's, as
    `(kty, crv)` pairs) is `unsupported` (decision D2); `codes` as in `adapter.refusing`."""
    def handle(inp):
        jwk = inp["jwk"]
        if isinstance(jwk, dict):
            kind = (jwk.get("kty"), jwk.get("crv") if jwk.get("kty") != "RSA" else None)
            if kind in KEY_TYPES and kind not in key_types:
                raise Unsupported(f"the library does not implement {kind[0]} keys {kind[1] or ''}".strip())
        with refusing(codes):
            return {"thumbprint": thumbprint(jwk)}

    return handle
