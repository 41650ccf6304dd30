"""The `strict` profile, written a second time in Python from spec/SPEC.md.

The warehouse profile's expectations come from running PyPI's code. The strict profile is a
design, not an observation, so its expectations come from this small independent implementation
of the spec's strict rules; the Rust reference must agree with it vector by vector. Where this
file and SPEC.md disagree, SPEC.md is right and this file is a bug.
"""

from __future__ import annotations

import binascii
import hmac as hmaclib
import json
import re
import uuid as uuidlib

import pymacaroons
from pymacaroons.utils import generate_derived_key, hmac_digest

from caveatgen.encoding import b64u_decode

MAX_TOKEN_CHARS = 16384
MAX_CAVEATS = 64
MAX_CAVEAT_BYTES = 4096
MAX_DEPTH = 8
MAX_INT = 2**63 - 1

NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class Reject(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


# ---- token and macaroon --------------------------------------------------------------------


def _b64_canonical(body: str) -> bytes:
    try:
        return b64u_decode(body)
    except ValueError:
        raise Reject("token.noncanonical_base64") from None


def _varint(buf, pos):
    shift = value = 0
    start = pos
    while True:
        if pos >= len(buf):
            raise Reject("macaroon.malformed")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos, pos - start


def encode_v2(location: bytes, identifier: bytes, caveats, signature: bytes) -> bytes:
    """pymacaroons' V2 layout: the location field is always written."""

    def field(t, data):
        return bytes([t]) + _uvarint(len(data)) + data

    out = b"\x02" + field(1, location) + field(2, identifier) + b"\x00"
    for c in caveats:
        out += field(2, c) + b"\x00"
    return out + b"\x00" + field(6, signature)


def _uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def decode(token: str):
    """Strict token → (location, identifier, [caveat bytes], signature)."""
    if len(token) > MAX_TOKEN_CHARS:
        raise Reject("token.too_long")
    prefix, sep, body = token.partition("-")
    if not sep:
        raise Reject("token.no_prefix")
    if prefix != "pypi":
        raise Reject("token.wrong_prefix")
    if not body:
        raise Reject("token.empty_body")
    raw = _b64_canonical(body)
    if not raw or raw[0] != 2:
        if raw and chr(raw[0]) in "0123456789abcdefABCDEF":
            try:
                pymacaroons.Macaroon.deserialize(body)
            except Exception:  # noqa: BLE001
                raise Reject("macaroon.malformed")
            raise Reject("macaroon.v1_unsupported")
        raise Reject("macaroon.malformed")
    try:
        m = pymacaroons.Macaroon.deserialize(body)
    except Exception:  # noqa: BLE001
        raise Reject("macaroon.malformed")
    for c in m.caveats:
        if c.verification_key_id is not None or c.location:
            raise Reject("macaroon.third_party_caveat")
    sig = m.signature_bytes
    sig = binascii.unhexlify(sig)
    if len(sig) != 32:
        raise Reject("macaroon.signature_length")
    location = m.location.encode() if m.location is not None else b""
    canonical = encode_v2(location, m.identifier_bytes, [c.caveat_id_bytes for c in m.caveats], sig)
    if len(raw) > len(canonical) and raw.startswith(canonical):
        raise Reject("macaroon.trailing_bytes")
    if raw != canonical:
        raise Reject("macaroon.noncanonical_encoding")
    if len(m.caveats) > MAX_CAVEATS:
        raise Reject("macaroon.too_many_caveats")
    if not m.identifier_bytes:
        raise Reject("macaroon.empty_identifier")
    return location, m.identifier_bytes, [c.caveat_id_bytes for c in m.caveats], sig


# ---- caveats -------------------------------------------------------------------------------


def _loads(text: str):
    """RFC 8259 JSON with integers only. Checks in order: syntax, nesting depth, duplicate
    keys, then any number written with a fraction or exponent, NaN or Infinity."""
    seen = {"duplicate": False, "non_integer": False}

    def pairs(items):
        keys = [k for k, _ in items]
        if len(set(keys)) != len(keys):
            seen["duplicate"] = True
        return dict(items)

    def non_integer(text):
        seen["non_integer"] = True
        return 0

    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=non_integer, parse_float=non_integer)
    except RecursionError:
        raise Reject("json.too_deep")
    except ValueError as exc:
        if "Exceeds the limit" in str(exc):
            raise Reject("json.int_too_long")
        raise Reject("json.syntax")
    if _depth(value) > MAX_DEPTH:
        raise Reject("json.too_deep")
    if seen["duplicate"]:
        raise Reject("json.duplicate_key")
    if seen["non_integer"]:
        raise Reject("json.non_integer_number")
    return value


def _depth(v):
    if isinstance(v, list):
        return 1 + max((_depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((_depth(x) for x in v.values()), default=0)
    return 0


def _int(v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise Reject("caveat.field_type")
    if v < 0 or v > MAX_INT:
        raise Reject("caveat.int_range")
    return v


def _str(v):
    if not isinstance(v, str):
        raise Reject("caveat.field_type")
    return v


def _strlist(v):
    if not isinstance(v, list):
        raise Reject("caveat.field_type")
    return [_str(x) for x in v]


def _uuid(s):
    if not UUID_RE.match(s):
        raise Reject("caveat.invalid_uuid")
    return s


def _names(v):
    names = _strlist(v)
    if not names:
        raise Reject("caveat.empty_list")
    for n in names:
        if not NAME_RE.match(n) or "--" in n:
            raise Reject("caveat.name_not_normalized")
    return names


def _ids(v):
    ids = _strlist(v)
    if not ids:
        raise Reject("caveat.empty_list")
    return [_uuid(x) for x in ids]


def _jkt(s):
    """A JWK SHA-256 thumbprint exactly as RFC 7638 writes it: the one unpadded base64url
    spelling of 32 bytes (re-encoding the decoded bytes gives the same text)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", s):
        raise Reject("caveat.invalid_jkt")
    try:
        digest = b64u_decode(s)
    except ValueError:
        raise Reject("caveat.invalid_jkt") from None
    if len(digest) != 32:
        raise Reject("caveat.invalid_jkt")
    return s


def _exact_keys(obj, keys):
    if set(obj) != set(keys):
        raise Reject("caveat.legacy_shape")


# Arity (fields after the tag) per tag; OIDCPublisher may carry its deprecated third element as null.
# Tag 5 (KeyBinding, `[5, jkt]`) is the strict profile's own: PyPI has no such caveat.
_ARITY = {0: (2, 2), 1: (1, 1), 2: (1, 1), 3: (1, 1), 4: (1, 2), 5: (1, 1)}


def parse_caveat(raw: bytes, request_user: str | None):
    """Strict caveat → (kind, fields) or Reject. kind is the Warehouse class name."""
    if len(raw) > MAX_CAVEAT_BYTES:
        raise Reject("caveat.too_long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("caveat.not_utf8")
    value = _loads(text)
    if isinstance(value, dict):
        return _legacy(value, request_user)
    if not isinstance(value, list):
        raise Reject("caveat.not_array")
    if not value:
        raise Reject("caveat.empty_array")
    tag = value[0]
    if isinstance(tag, bool) or not isinstance(tag, int):
        raise Reject("caveat.tag_type")
    if tag not in _ARITY:
        raise Reject("caveat.unknown_tag")
    lo, hi = _ARITY[tag]
    fields = value[1:]
    if len(fields) < lo:
        raise Reject("caveat.missing_fields")
    if len(fields) > hi:
        raise Reject("caveat.trailing_elements")
    if tag == 0:
        return ("Expiration", (_int(fields[0]), _int(fields[1])))
    if tag == 1:
        return ("ProjectName", (_names(fields[0]),))
    if tag == 2:
        return ("ProjectID", (_ids(fields[0]),))
    if tag == 3:
        return ("RequestUser", (_uuid(_str(fields[0])),))
    if tag == 5:
        return ("KeyBinding", (_jkt(_str(fields[0])),))
    if len(fields) == 2 and fields[1] is not None:
        raise Reject("caveat.deprecated_claims")
    return ("OIDCPublisher", (_uuid(_str(fields[0])),))


def _legacy(obj, request_user):
    if "version" in obj:
        _exact_keys(obj, ["version", "permissions"])
        if isinstance(obj["version"], bool) or obj["version"] != 1 or not isinstance(obj["version"], int):
            raise Reject("caveat.legacy_shape")
        perms = obj["permissions"]
        if perms == "user":
            return ("LegacyUser", (request_user,))
        if isinstance(perms, dict):
            _exact_keys(perms, ["projects"])
            return ("ProjectName", (_names(perms["projects"]),))
        raise Reject("caveat.legacy_shape")
    if "exp" in obj or "nbf" in obj:
        _exact_keys(obj, ["exp", "nbf"])
        return ("Expiration", (_int(obj["exp"]), _int(obj["nbf"])))
    if "project_ids" in obj:
        _exact_keys(obj, ["project_ids"])
        return ("ProjectID", (_ids(obj["project_ids"]),))
    raise Reject("caveat.legacy_shape")


def canonical(parsed) -> str:
    kind, f = parsed
    dump = lambda o: json.dumps(o, sort_keys=True, separators=(",", ":"))
    if kind == "Expiration":
        return dump([0, f[0], f[1]])
    if kind == "ProjectName":
        return dump([1, f[0]])
    if kind == "ProjectID":
        return dump([2, f[0]])
    if kind == "RequestUser":
        return dump([3, f[0]])
    if kind == "LegacyUser":
        return dump([3, f[0]]) if f[0] is not None else None
    if kind == "KeyBinding":
        return dump([5, f[0]])
    return dump([4, f[0], None])


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def evaluate(parsed, now, project, owner, proof_jkt=None):
    """One caveat against the context; None when it holds, else its code. `proof_jkt` is the
    thumbprint of an already verified DPoP proof's key, or None without a proof."""
    kind, f = parsed
    if kind == "KeyBinding":
        if proof_jkt is None:
            return "key_binding.no_proof"
        return None if hmaclib.compare_digest(f[0].encode(), proof_jkt.encode()) else "key_binding.mismatch"
    if kind == "Expiration":
        expires_at, not_before = f
        return "expiration.outside_window" if now < not_before or now >= expires_at else None
    if kind == "ProjectName":
        if project is None:
            return "project_name.no_project"
        return None if normalize(project["name"]) in f[0] else "project_name.mismatch"
    if kind == "ProjectID":
        if project is None:
            return "project_id.no_project"
        return None if project["id"] in f[0] else "project_id.mismatch"
    user = owner.get("user_id") if owner else None
    if kind in ("RequestUser", "LegacyUser"):
        if user is None:
            return "request_user.no_user"
        want = f[0] if kind == "RequestUser" else user
        return None if want == user else "request_user.mismatch"
    pub = owner.get("publisher_id") if owner else None
    if pub is None:
        return "oidc_publisher.no_publisher"
    if pub != f[0]:
        return "oidc_publisher.mismatch"
    if project is None:
        return "oidc_publisher.no_project"
    if project["id"] not in owner["publisher_project_ids"]:
        return "oidc_publisher.project_mismatch"
    return None


def verify(token: str, key: bytes, row: dict, now: int, project, proof_jkt=None):
    """Strict verdict: (valid, codes)."""
    try:
        location, identifier, caveats, sig = decode(token)
    except Reject as r:
        return False, [r.code]
    try:
        ident = identifier.decode("utf-8")
        uuidlib.UUID(ident)
    except (UnicodeDecodeError, ValueError):
        return False, ["macaroon.not_found"]
    if ident != row["identifier"]:
        return False, ["macaroon.not_found"]
    stored = [s.encode() for s in row.get("stored_caveats", [])]
    everything = caveats + stored
    if len(everything) > MAX_CAVEATS:
        return False, ["macaroon.too_many_caveats"]
    # The signature covers the presented token; stored caveats are the server's own and unsigned.
    s = hmac_digest(generate_derived_key(key), identifier)
    for c in caveats:
        s = hmac_digest(s, c)
    if not hmaclib.compare_digest(s, sig):
        return False, ["signature.mismatch"]
    codes = []
    owner = row.get("owner")
    for c in everything:
        try:
            parsed = parse_caveat(c, owner.get("user_id") if owner else None)
        except Reject as r:
            codes.append(r.code)
            continue
        code = evaluate(parsed, now, project, owner, proof_jkt)
        if code:
            codes.append(code)
    return not codes, codes
