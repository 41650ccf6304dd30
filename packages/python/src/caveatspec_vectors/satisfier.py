"""PyPI's caveat language on top of any macaroon library: the part every Python verifier of
PyPI tokens writes again.

A macaroon library does the format and the HMAC chain; PyPI adds the `pypi-` prefix, a lookup
of the row by the token's identifier, the caveats it stored at issue time appended, and one
general satisfier that reads each caveat's JSON and checks it against the request. This
module is that layer, written from spec/SPEC.md (not taken from PyPI), in the warehouse
profile's reading: Python's `json`, Python's equality for tags, positional fields. It needs no
macaroon library: hand `Request(verify_input).satisfies` to the library's general-caveat hook
(pymacaroons: `Verifier.satisfy_general`).
"""

import json
import re
import uuid

from .adapter import Invalid, Unsupported

__all__ = ["Unmet", "Refused", "parse", "caveat_kind", "token_body", "Request", "row_matches",
           "stored_caveats", "normalize", "restriction_caveats", "no_key_binding",
           "add_restrictions", "add_stored_caveats"]


class Unmet(Exception):
    """The caveat cannot be read (PyPI's CaveatError, or an exception PyPI does not catch)."""


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


def parse(text, user_present):
    """(kind, check) for one caveat's text, or Unmet (or the exception Python's `json` raises).
    `check(request)` says whether a `Request` satisfies it."""
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


def caveat_kind(caveat_input):
    """The kind PyPI reads a `caveat` vector's input as (`expiration`, …), or the exception
    that refuses it (bytes that are not UTF-8 included)."""
    if "caveat" in caveat_input:
        raw = caveat_input["caveat"].encode("utf-8", "surrogatepass")
    else:
        raw = bytes.fromhex(caveat_input["caveat_hex"])
    return parse(raw.decode("utf-8"), caveat_input.get("request_user") is not None)[0]


def token_body(token):
    """PyPI's text layer: the macaroon's serialization after `pypi-`, or Unmet."""
    prefix, _, body = token.partition("-")
    if prefix != "pypi" or not body:
        raise Unmet("malformed or nonexistent macaroon")
    return body


def normalize(name):
    """PEP 503 name normalization: what PyPI writes into project-name caveats."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Request:
    """What a `verify` vector's input says about the request: `now`, the row owner's `user`
    or OIDC `publisher`, and the `project` it is made against."""

    def __init__(self, verify_input):
        owner, project = verify_input["row"]["owner"], verify_input.get("project")
        self.now = verify_input["now"]
        self.user = owner.get("user_id")
        self.publisher = None if "publisher_id" not in owner else {
            "id": owner["publisher_id"], "projects": owner["publisher_project_ids"]}
        self.project = None if project is None else {
            "id": project["id"], "normalized": normalize(project["name"])}

    def satisfies(self, predicate):
        """PyPI's general satisfier: an unreadable caveat is an unmet one."""
        try:
            _, check = parse(predicate, self.user is not None)
            return bool(check(self))
        except Exception:  # noqa: BLE001 — every failure to read is a refusal
            return False


def row_matches(identifier, row):
    """Whether a macaroon's identifier (bytes) finds `row`: PyPI looks it up as a UUID."""
    try:
        return uuid.UUID(identifier.decode()) == uuid.UUID(row["identifier"])
    except (ValueError, UnicodeDecodeError):
        return False


def stored_caveats(row):
    """The caveats PyPI stored with the row at issue time, as it appends them (compact JSON)."""
    return [json.dumps(json.loads(c), separators=(",", ":")) for c in row["stored_caveats"]]


_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.I)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


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
        if not all(_NAME.match(n) for n in names):
            raise Refused("restrict.invalid_name")
        out.append([1, [normalize(n) for n in names]])
    if "project_ids" in r:
        if not r["project_ids"]:
            raise Refused("restrict.empty_list")
        if not all(_UUID.match(i) for i in r["project_ids"]):
            raise Refused("restrict.invalid_uuid")
        out.append([2, r["project_ids"]])
    if "user_id" in r:
        if not _UUID.match(r["user_id"]):
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
