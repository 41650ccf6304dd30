"""PyPI's caveat language on top of any macaroon library: the part every Python verifier of
PyPI tokens writes again.

A macaroon library does the format and the HMAC chain; PyPI adds the `pypi-` prefix, a lookup
of the row by the token's identifier, the caveats it stored at issue time appended, and one
general satisfier that reads each caveat's JSON and checks it against the request. This
module is that layer, written from spec/SPEC.md (not taken from PyPI), in either profile:

- `warehouse` (the default): PyPI's reading today: Python's `json`, Python's equality for
  tags, positional fields;
- `strict`: the fail-closed reading a new verifier should make (SPEC §2.3, §3.5, §3.7, §4.5,
  §5.4): bounded, canonical, every refusal with its code, and the key binding `[5, jkt]`.

It needs no macaroon library: hand `Request(verify_input, profile=...).satisfies` to the
library's general-caveat hook (pymacaroons: `Verifier.satisfy_general`).
"""

import base64
import hmac
import json
import re
import uuid

from . import strict_json
from .adapter import Invalid, Unsupported

__all__ = ["Unmet", "Refused", "parse", "caveat_kind", "token_body", "Request", "row_matches",
           "stored_caveats", "normalize", "restriction_caveats", "no_key_binding",
           "add_restrictions", "add_stored_caveats", "body_bytes", "canonical", "strict_macaroon", "strict_failures",
           "PROFILES"]

#: The profiles the satisfier reads caveats in; `warehouse` is every function's default.
PROFILES = ("warehouse", "strict")


def _profile(profile):
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (expected \"warehouse\" or \"strict\")")
    return profile


class Unmet(Exception):
    """The caveat (or token) cannot be read: PyPI's CaveatError, or an exception PyPI does not
    catch. In the strict profile `code` names the check that refused (SPEC §6); in the
    warehouse profile it is None."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class Refused(Exception):
    """Restrictions that cannot be written; `code` is the vector code for why."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _strict_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _strict_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _fields(values, n_required, checks):
    """PyPI reads a caveat's fields positionally: too few is an error, extra ones are ignored."""
    if len(values) < n_required:
        raise Unmet("Not enough values")
    for value, ok in zip(values, checks):
        if not ok(value):
            raise Unmet("invalid values for fields")
    return values


def _is_tag(tag, n):
    # PyPI looks tags up in a dict: Python equality makes True the tag 1 and 1.0 the tag 1.
    return tag == n and not isinstance(tag, str)


def parse(text, user_present, profile="warehouse"):
    """(kind, check) for one caveat's text, or Unmet (or, warehouse, the exception Python's
    `json` raises). `check(request)` says whether a `Request` satisfies it. Strict: `text` may
    also be the caveat's bytes, and every refusal is Unmet with its code."""
    if _profile(profile) == "strict":
        kind, fields = _strict_read(_caveat_bytes(text), user_present)
        return kind, lambda r: _strict_unmet(kind, fields, r) is None
    value = json.loads(text)  # Python's json: NaN, big ints and duplicate keys as PyPI reads them
    if isinstance(value, dict):
        return _parse_legacy(value, user_present)
    if not isinstance(value, list):
        raise Unmet("caveat must be an array")
    if not value:
        raise Unmet("caveat array cannot be empty")
    tag, rest = value[0], value[1:]
    hash(tag)  # an unhashable tag makes PyPI's registry lookup raise
    if _is_tag(tag, 0):
        exp, nbf = _fields(rest, 2, [_strict_int, _strict_int])[:2]
        return "expiration", lambda r: nbf <= r.now < exp
    if _is_tag(tag, 1):
        names = _fields(rest, 1, [_strict_str_list])[0]
        return "project_name", lambda r: r.project is not None and r.project["normalized"] in names
    if _is_tag(tag, 2):
        ids = _fields(rest, 1, [_strict_str_list])[0]
        return "project_id", lambda r: r.project is not None and r.project["id"] in ids
    if _is_tag(tag, 3):
        user = _fields(rest, 1, [lambda v: isinstance(v, str)])[0]
        return "request_user", lambda r: r.user is not None and r.user == user
    if _is_tag(tag, 4):
        pub = _fields(rest, 1, [lambda v: isinstance(v, str),
                                lambda v: v is None or isinstance(v, dict)])[0]
        return "oidc_publisher", lambda r: (r.publisher is not None and r.publisher["id"] == pub
                                            and r.project is not None
                                            and r.project["id"] in r.publisher["projects"])
    raise Unmet("caveat has unknown tag")


def _parse_legacy(value, user_present):
    """The mapping forms PyPI issued before 2022."""
    version = value.get("version")
    if _is_tag(version, 1):
        # A version-1 mapping is a permissions caveat or nothing at all.
        perms = value.get("permissions")
        if perms == "user" and user_present:
            return "request_user", lambda r: r.user is not None
        if isinstance(perms, dict) and "projects" in perms:
            names = perms["projects"]
            if not _strict_str_list(names):
                raise Unmet("invalid values for fields")
            return "project_name", lambda r: r.project is not None and r.project["normalized"] in names
        raise Unmet("caveat must be an array")
    if "exp" in value and "nbf" in value:
        exp, nbf = value["exp"], value["nbf"]
        if not (_strict_int(exp) and _strict_int(nbf)):
            raise Unmet("invalid values for fields")
        return "expiration", lambda r: nbf <= r.now < exp
    if "project_ids" in value and _strict_str_list(value["project_ids"]):
        ids = value["project_ids"]
        return "project_id", lambda r: r.project is not None and r.project["id"] in ids
    raise Unmet("caveat must be an array")


def caveat_kind(caveat_input, profile="warehouse"):
    """The kind `profile` reads a `caveat` vector's input as (`expiration`, …, strict also
    `key_binding`), or the exception that refuses it (bytes that are not UTF-8 included;
    strict: always Unmet with its code)."""
    if "caveat" in caveat_input:
        raw = caveat_input["caveat"].encode("utf-8", "surrogatepass")
    else:
        raw = bytes.fromhex(caveat_input["caveat_hex"])
    user_present = caveat_input.get("request_user") is not None
    if _profile(profile) == "strict":
        return _strict_read(raw, user_present)[0]
    return parse(raw.decode("utf-8"), user_present)[0]


_MAX_TOKEN_CHARS = 16384
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_B64_VALUE = {c: i for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}


def token_body(token, profile="warehouse"):
    """PyPI's text layer: the macaroon's serialization after `pypi-`, or Unmet. Strict (SPEC
    §2.1, §2.3): first at most 16,384 characters, then the prefix, then a body in canonical
    unpadded base64url, each refusal with its code."""
    if _profile(profile) == "strict":
        if not isinstance(token, str):
            raise Unmet("token is not text", "token.no_prefix")
        if len(token) > _MAX_TOKEN_CHARS:
            raise Unmet("token too long", "token.too_long")
    prefix, dash, body = token.partition("-")
    if prefix != "pypi" or not body:
        if profile == "strict":
            code = "token.no_prefix" if not dash else "token.wrong_prefix" if prefix != "pypi" else "token.empty_body"
            raise Unmet("malformed or nonexistent macaroon", code)
        raise Unmet("malformed or nonexistent macaroon")
    if profile == "strict" and not _canonical_base64url(body):
        raise Unmet("not canonical base64url", "token.noncanonical_base64")
    return body


def _canonical_base64url(body):
    """RFC 4648 §5 without padding, and no bits set that the decoded bytes do not hold."""
    if not _BASE64URL.fullmatch(body) or len(body) % 4 == 1:
        return False
    unused_bits = {0: 0, 2: 4, 3: 2}[len(body) % 4]
    return not body or _B64_VALUE[body[-1]] & ((1 << unused_bits) - 1) == 0


def body_bytes(body):
    """The bytes of a body `token_body(..., profile="strict")` returned (canonical base64url)."""
    return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))


def normalize(name):
    """PEP 503 name normalization: what PyPI writes into project-name caveats."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Request:
    """What a `verify` vector's input says about the request: `now`, the row owner's `user`
    or OIDC `publisher`, the `project` it is made against and, read by the strict profile's
    key binding only, the thumbprint `proof_jkt` of a DPoP proof verified with it."""

    def __init__(self, verify_input, profile="warehouse"):
        owner, project = verify_input["row"]["owner"], verify_input.get("project")
        self.profile = _profile(profile)
        self.proof_jkt = verify_input.get("proof_jkt")
        self.now = verify_input["now"]
        self.user = owner.get("user_id")
        self.publisher = None if "publisher_id" not in owner else {
            "id": owner["publisher_id"], "projects": owner["publisher_project_ids"]}
        self.project = None if project is None else {
            "id": project["id"], "normalized": normalize(project["name"])}

    def satisfies(self, predicate):
        """PyPI's general satisfier (text or, strict, bytes): an unreadable caveat is an unmet one."""
        try:
            if self.profile == "strict":
                return self.failure(predicate) is None
            _, check = parse(predicate, self.user is not None)
            return bool(check(self))
        except Exception:  # noqa: BLE001 — every failure to read is a refusal
            return False

    def failure(self, predicate):
        """Strict profile: None when the caveat (text or bytes) holds for this request, else
        the code of the check that refused it, from its reading (§4.5) or its meaning (§5.3).
        The warehouse profile has no per-caveat codes here: use `satisfies`."""
        if self.profile != "strict":
            raise ValueError("per-caveat codes are the strict profile's; use satisfies()")
        try:
            kind, fields = _strict_read(_caveat_bytes(predicate), self.user is not None)
        except Unmet as unmet:
            return unmet.code
        return _strict_unmet(kind, fields, self)


def row_matches(identifier, row, profile="warehouse"):
    """Whether a macaroon's identifier (bytes) finds `row`: PyPI looks it up as a UUID; strict
    (§3.5) wants exactly the row's id, byte for byte, in canonical form (lower-case,
    hyphenated): a row whose id is in another spelling matches no token."""
    try:
        if _profile(profile) == "strict":
            row_id = row["identifier"]
            return _CANONICAL_UUID.fullmatch(row_id) is not None and identifier == row_id.encode("ascii")
        return uuid.UUID(identifier.decode()) == uuid.UUID(row["identifier"])
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError):
        return False


def stored_caveats(row, profile="warehouse"):
    """The caveats PyPI stored with the row at issue time, as it appends them (compact JSON);
    strict (§5.4) reads them as stored."""
    if _profile(profile) == "strict":
        return list(row["stored_caveats"])
    return [json.dumps(json.loads(c), separators=(",", ":")) for c in row["stored_caveats"]]


# Whole-string patterns, used with fullmatch: `$` would also match before a final newline.
_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.I)
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def restriction_caveats(r, restrict):
    """The caveats PyPI writes for restrictions (`mint`/`restrict` vector input), in its order
    and compact JSON, after the checks spec/SPEC.md gives; Refused(code) when they cannot be
    written. `restrict`: attenuating an existing token (no restrictions is then refused)."""
    if restrict and not r:
        raise Refused("restrict.nothing")
    out = []
    nb, na = r.get("not_before"), r.get("not_after")
    if (nb is None) != (na is None):
        raise Refused("restrict.window_incomplete")
    if nb is not None:
        if nb < 0 or na < 0:
            raise Refused("restrict.window_negative")
        if nb >= na:
            raise Refused("restrict.window_empty")
        out.append([0, na, nb])
    if "project_names" in r:
        names = r["project_names"]
        if not names:
            raise Refused("restrict.empty_list")
        if not all(_NAME.fullmatch(n) for n in names):
            raise Refused("restrict.invalid_name")
        out.append([1, [normalize(n) for n in names]])
    if "project_ids" in r:
        if not r["project_ids"]:
            raise Refused("restrict.empty_list")
        if not all(_CANONICAL_UUID.fullmatch(i) for i in r["project_ids"]):
            raise Refused("restrict.invalid_uuid")
        out.append([2, r["project_ids"]])
    if "user_id" in r:
        if not _CANONICAL_UUID.fullmatch(r["user_id"]):
            raise Refused("restrict.invalid_uuid")
        out.append([3, r["user_id"]])
    return [json.dumps(c, separators=(",", ":")) for c in out]


def no_key_binding(restrictions):
    """`adapter.Unsupported` when `restrictions` ask for the strict profile's key-binding
    caveat (`bind_jkt`, tag 5, SPEC §10.7): PyPI never writes it, so a library of PyPI's
    caveats has no way to express it."""
    if "bind_jkt" in restrictions:
        raise Unsupported("no key-binding caveat (bind_jkt) in PyPI's caveats")


def add_restrictions(add_caveat, restrictions, restrict):
    """`restriction_caveats` as an adapter answers a `mint` or `restrict` vector: each caveat
    handed to the library's `add_caveat(text)` and the list returned; `adapter.Unsupported` for
    `bind_jkt`, `adapter.Invalid(code)` for restrictions that cannot be written."""
    no_key_binding(restrictions)
    try:
        caveats = restriction_caveats(restrictions, restrict)
    except Refused as r:
        raise Invalid(r.code) from None
    for caveat in caveats:
        add_caveat(caveat)
    return caveats


def add_stored_caveats(add_caveat, identifier, row):
    """PyPI's lookup before it verifies: `adapter.Invalid` with PyPI's message when the
    macaroon's `identifier` (bytes) does not find `row`, else the row's stored caveats handed
    to the library's `add_caveat(text)`."""
    if not row_matches(identifier, row):
        raise Invalid(message="Macaroon not found")
    for caveat in stored_caveats(row):
        add_caveat(caveat)


# The strict profile's caveat grammar (SPEC §4.5) and meaning (§5.3), with its codes.

_MAX_CAVEAT_BYTES = 4096
_MAX_DEPTH = 8
_MAX_INT = 2**63 - 1
_MAX_CAVEATS = 64
_NORMALIZED_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# 43 base64url characters hold 258 bits of a 256-bit digest: the last one's two low bits are 0.
_JKT = re.compile(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]")
# Tag -> (fewest, most) fields.
_ARITY = {0: (2, 2), 1: (1, 1), 2: (1, 1), 3: (1, 1), 4: (1, 2), 5: (1, 1)}
_LEGACY_USER = object()


def _refuse(code):
    raise Unmet(code, code)


def _caveat_bytes(caveat):
    """A caveat as bytes: bytes as given, text as UTF-8 (a lone surrogate stays invalid UTF-8)."""
    if isinstance(caveat, (bytes, bytearray, memoryview)):
        return bytes(caveat)
    if isinstance(caveat, str):
        return caveat.encode("utf-8", "surrogatepass")
    raise TypeError("a caveat is bytes or text")


def _int_field(v):
    if not _strict_int(v):
        _refuse("caveat.field_type")
    if not 0 <= v <= _MAX_INT:
        _refuse("caveat.int_range")
    return v


def _list_field(v, item_pattern, item_code):
    if not _strict_str_list(v):
        _refuse("caveat.field_type")
    if not v:
        _refuse("caveat.empty_list")
    if not all(item_pattern.fullmatch(x) for x in v):
        _refuse(item_code)
    return v


def _uuid_field(v):
    if not isinstance(v, str):
        _refuse("caveat.field_type")
    if not _CANONICAL_UUID.fullmatch(v):
        _refuse("caveat.invalid_uuid")
    return v


def _strict_read(raw, user_present):
    """(kind, fields) of one caveat's bytes under §4.5's checks, in its order; Unmet(code)."""
    if len(raw) > _MAX_CAVEAT_BYTES:
        _refuse("caveat.too_long")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _refuse("caveat.not_utf8")
    reading = strict_json.read(text)
    if reading.syntax_error:
        _refuse("json.syntax")
    if reading.depth > _MAX_DEPTH:
        _refuse("json.too_deep")
    if reading.duplicate_key:
        _refuse("json.duplicate_key")
    if reading.non_integer:
        _refuse("json.non_integer_number")
    value = reading.value
    if isinstance(value, dict):
        return _strict_legacy(value, user_present)
    if not isinstance(value, list):
        _refuse("caveat.not_array")
    if not value:
        _refuse("caveat.empty_array")
    tag, fields = value[0], value[1:]
    if not _strict_int(tag):
        _refuse("caveat.tag_type")
    if tag not in _ARITY:
        _refuse("caveat.unknown_tag")
    fewest, most = _ARITY[tag]
    if len(fields) < fewest:
        _refuse("caveat.missing_fields")
    if len(fields) > most:
        _refuse("caveat.trailing_elements")
    if tag == 0:
        return "expiration", (_int_field(fields[0]), _int_field(fields[1]))
    if tag == 1:
        return "project_name", _list_field(fields[0], _NORMALIZED_NAME, "caveat.name_not_normalized")
    if tag == 2:
        return "project_id", _list_field(fields[0], _CANONICAL_UUID, "caveat.invalid_uuid")
    if tag == 3:
        return "request_user", _uuid_field(fields[0])
    if tag == 4:
        if len(fields) == 2 and fields[1] is not None:
            _refuse("caveat.deprecated_claims")  # checked before the publisher id (§4.5)
        return "oidc_publisher", _uuid_field(fields[0])
    if not isinstance(fields[0], str):
        _refuse("caveat.field_type")
    if not _JKT.fullmatch(fields[0]):
        _refuse("caveat.invalid_jkt")
    return "key_binding", fields[0]


def _strict_legacy(value, user_present):
    """§4.5.1: exactly one of the four legacy mappings, with exactly its members."""
    members = set(value)
    if "version" in value:
        version, permissions = value.get("version"), value.get("permissions")
        if members != {"version", "permissions"} or not _strict_int(version) or version != 1:
            _refuse("caveat.legacy_shape")
        if permissions == "user":
            if not user_present:
                _refuse("request_user.no_user")
            return "request_user", _LEGACY_USER
        if isinstance(permissions, dict) and set(permissions) == {"projects"}:
            return "project_name", _list_field(permissions["projects"], _NORMALIZED_NAME,
                                               "caveat.name_not_normalized")
        _refuse("caveat.legacy_shape")
    if "exp" in value or "nbf" in value:
        if members != {"exp", "nbf"}:
            _refuse("caveat.legacy_shape")
        return "expiration", (_int_field(value["exp"]), _int_field(value["nbf"]))
    if "project_ids" in value:
        if members != {"project_ids"}:
            _refuse("caveat.legacy_shape")
        return "project_id", _list_field(value["project_ids"], _CANONICAL_UUID, "caveat.invalid_uuid")
    _refuse("caveat.legacy_shape")


def _strict_unmet(kind, fields, r):
    """None when the read caveat holds for request `r`, else the §5.3 code of why not."""
    if kind == "expiration":
        expires_at, not_before = fields
        return None if not_before <= r.now < expires_at else "expiration.outside_window"
    if kind in ("project_name", "project_id"):
        if r.project is None:
            return f"{kind}.no_project"
        mine = r.project["normalized"] if kind == "project_name" else r.project["id"]
        return None if mine in fields else f"{kind}.mismatch"
    if kind == "request_user":
        if r.user is None:
            return "request_user.no_user"
        return None if fields is _LEGACY_USER or r.user == fields else "request_user.mismatch"
    if kind == "oidc_publisher":
        if r.publisher is None:
            return "oidc_publisher.no_publisher"
        if r.publisher["id"] != fields:
            return "oidc_publisher.mismatch"
        if r.project is None:
            return "oidc_publisher.no_project"
        return None if r.project["id"] in r.publisher["projects"] else "oidc_publisher.project_mismatch"
    if not isinstance(r.proof_jkt, str):
        return "key_binding.no_proof"
    same = hmac.compare_digest(r.proof_jkt.encode("utf-8", "surrogatepass"), fields.encode("ascii"))
    return None if same else "key_binding.mismatch"


def canonical(caveat_input):
    """The §4.6 serialization of a `caveat` vector's input as the strict profile reads it
    (Unmet(code) when it refuses it): compact JSON, ASCII, `[4, id]` with its null, the
    legacy user form as `[3, <request_user>]`."""
    raw = (caveat_input["caveat"].encode("utf-8", "surrogatepass") if "caveat" in caveat_input
           else bytes.fromhex(caveat_input["caveat_hex"]))
    user = caveat_input.get("request_user")
    kind, fields = _strict_read(raw, user is not None)
    tag = ("expiration", "project_name", "project_id", "request_user", "oidc_publisher", "key_binding").index(kind)
    if kind == "expiration":
        value = [tag, *fields]
    elif kind == "oidc_publisher":
        value = [tag, fields, None]
    else:
        value = [tag, user if fields is _LEGACY_USER else fields]
    return json.dumps(value, separators=(",", ":"))


def strict_macaroon(version, identifier, caveats, signature, raw, reserialized):
    """SPEC §3.7's rules 1 to 7, in order, over a macaroon a library decoded: Unmet(code)
    for the first that fails. `version` (1 or 2), `identifier` and `signature` (bytes) and
    `caveats` (a (location, vid) pair each) are what the library read; `raw` the bytes of the
    body, `reserialized` the library's V2 encoding of the same macaroon, which must equal them.

    Bytes after the signature show as `raw` extending `reserialized`; a non-canonical field
    before them makes the difference read as `macaroon.noncanonical_encoding` instead of
    `macaroon.trailing_bytes` (both refuse)."""
    if version != 2:
        _refuse("macaroon.v1_unsupported")
    if any(location or vid is not None for location, vid in caveats):
        _refuse("macaroon.third_party_caveat")
    if len(signature) != 32:
        _refuse("macaroon.signature_length")
    if raw != reserialized:
        _refuse("macaroon.trailing_bytes" if raw.startswith(reserialized) else "macaroon.noncanonical_encoding")
    if len(caveats) > _MAX_CAVEATS:
        _refuse("macaroon.too_many_caveats")
    if not identifier:
        _refuse("macaroon.empty_identifier")


def strict_failures(request, caveats, signature_matches):
    """SPEC §5.4 steps 3 to 6 for a strict `Request`: the codes refusing the token, [] when it
    is valid. `caveats` are the embedded caveats (bytes or text) then `stored_caveats(row,
    "strict")`; `signature_matches()` is the library's check of the presented token's
    signature, called only when there are at most 64 caveats, and before any caveat is read."""
    if len(caveats) > _MAX_CAVEATS:
        return ["macaroon.too_many_caveats"]
    if not signature_matches():
        return ["signature.mismatch"]
    return [code for code in map(request.failure, caveats) if code is not None]
