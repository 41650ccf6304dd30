"""The satisfier's strict profile: its codes, its bounds, and hostile input, where every
refusal is `Unmet` with a code (or `False` from `satisfies`), never another exception, never
work that grows with the nesting. (The vectors run through it in consumers/.)"""

import json

import pytest

from caveatspec_vectors import satisfier as s, strict_json, vectors

VERIFY = next(v for v in vectors(kind="verify") if v["expected"]["strict"]["valid"]
              and "user_id" in v["input"]["row"]["owner"] and v["input"]["project"] is not None)
JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"


def code_of(caveat, request_user="3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"):
    try:
        s.caveat_kind({"caveat_hex": caveat.hex()} if isinstance(caveat, bytes) else {"caveat": caveat,
                      **({"request_user": request_user} if request_user else {})}, profile="strict")
    except s.Unmet as unmet:
        assert unmet.code is not None
        return unmet.code
    return None


def test_the_default_profile_is_unchanged_and_an_unknown_one_is_refused():
    assert s.caveat_kind({"caveat": "[true,[\"a\"]]"}) == "project_name"
    assert code_of("[true,[\"a\"]]") == "caveat.tag_type"
    assert code_of(f"[5,\"{JKT}\"]") is None
    with pytest.raises(s.Unmet):
        s.caveat_kind({"caveat": f"[5,\"{JKT}\"]"})
    for call in (lambda: s.caveat_kind({"caveat": "[0,1,0]"}, profile="Strict"),
                 lambda: s.Request(VERIFY["input"], profile=None), lambda: s.token_body("pypi-x", "")):
        with pytest.raises(ValueError):
            call()


def test_huge_caveats_are_refused_by_their_length_first():
    assert code_of("[0," + "9" * 5000 + ",0]") == "caveat.too_long"
    assert code_of("[0," + "9" * 10_000_000 + ",0]") == "caveat.too_long"
    assert code_of(b"\xff" * 4097) == "caveat.too_long"
    assert code_of(json.dumps([1, ["a"] * 820])) == "caveat.too_long"  # 4,105 bytes
    assert code_of(json.dumps([1, ["a"] * 600])) is None


def test_deep_nesting_is_refused_without_recursion():
    assert code_of("[" * 4096) == "json.syntax"
    assert code_of("[" * 2048 + "]" * 2048) == "json.too_deep"
    assert code_of("[1," * 1000 + "0" + "]" * 1000) == "json.too_deep"
    assert code_of('{"a":' * 600 + "1" + "}" * 600) == "json.too_deep"
    assert code_of("[1,[[[[[[[0]]]]]]]]") == "caveat.field_type"  # 8 levels: read, then typed
    assert code_of("[1,[[[[[[[[0]]]]]]]]]") == "json.too_deep"
    reading = strict_json.read("[" * 100_000 + "]" * 100_000)  # the reader alone, unbounded input
    assert not reading.syntax_error and reading.depth == 100_000
    reading = strict_json.read("[" + "9" * 1_000_000 + "]")  # past CPython's digit limit: no exception
    assert reading.longest_integer == 1_000_000 and isinstance(reading.value[0], strict_json.LongInteger)


def test_bytes_that_are_not_utf8_are_refused():
    for raw in (b"\xff", b"[0,1,0]\xc3", b"\xed\xa0\x80", b"\xfe\xff\x00[", "[1,[\"\ud800\"]]".encode("utf-8", "surrogatepass")):
        assert code_of(raw) == "caveat.not_utf8"
    assert code_of("[1,[\"\\ud800\"]]") == "caveat.name_not_normalized"  # an escaped one is text


def test_control_characters_are_syntax_errors_raw_and_names_escaped():
    assert code_of("[1,[\"a\x00\"]]") == "json.syntax"
    assert code_of("[1,[\"a\x1f\"]]") == "json.syntax"
    assert code_of("\x00[0,1,0]") == "json.syntax"
    assert code_of("[0,1,0]\x0b") == "json.syntax"
    assert code_of("[1,[\"a\\u0000\"]]") == "caveat.name_not_normalized"
    assert code_of("[3,\"3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b\\n\"]") == "caveat.invalid_uuid"


def test_repeated_elements_keys_and_caveats():
    assert code_of("[1,[" + ",".join(['"a"'] * 900) + "]]") is None  # repeats are allowed
    assert code_of('{"exp":2,"nbf":1,"exp":2}') == "json.duplicate_key"
    assert code_of('[4,"3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b",{"a":{"b":1,"b":1}}]') == "json.duplicate_key"
    assert code_of('{"exp":2,"\\u006ebf":1,"nbf":1}') == "json.duplicate_key"  # keys compared decoded
    assert code_of(f"[5,\"{JKT}\",\"{JKT}\"]") == "caveat.trailing_elements"
    request = s.Request(dict(VERIFY["input"], proof_jkt=JKT), profile="strict")
    assert s.strict_failures(request, [f"[5,\"{JKT}\"]"] * 64, lambda: True) == []
    assert s.strict_failures(request, [f"[5,\"{JKT}\"]"] * 65, lambda: True) == ["macaroon.too_many_caveats"]


def test_the_order_of_the_checks():
    assert code_of("[0,1.5,0") == "json.syntax"  # syntax before the number
    assert code_of("[[[[[[[[[1.5]]]]]]]]]") == "json.too_deep"  # depth before the number
    assert code_of('[{"a":1,"a":1.0}]') == "json.duplicate_key"
    assert code_of("[NaN]") == "json.non_integer_number"
    assert code_of("[-Infinity]") == "json.non_integer_number"
    assert code_of("[0,-0,0]") is None  # -0 is 0
    assert code_of('[4,"not-a-uuid",{}]') == "caveat.deprecated_claims"  # claims before the id
    assert code_of("[0,-1,\"x\"]") == "caveat.int_range"  # left to right
    assert code_of("[0,9223372036854775808,0]") == "caveat.int_range"
    assert code_of("[0,9223372036854775807,0]") is None
    assert code_of("[6]") == "caveat.unknown_tag"
    assert code_of("[5]") == "caveat.missing_fields"


def test_the_key_binding_holds_for_its_proof_only():
    caveat = f"[5,\"{JKT}\"]"
    bound = s.Request(dict(VERIFY["input"], proof_jkt=JKT), profile="strict")
    assert bound.satisfies(caveat) and bound.failure(caveat.encode()) is None
    assert s.Request(VERIFY["input"], profile="strict").failure(caveat) == "key_binding.no_proof"
    other = s.Request(dict(VERIFY["input"], proof_jkt=JKT[:-1] + "E"), profile="strict")
    assert other.failure(caveat) == "key_binding.mismatch"
    hostile = s.Request(dict(VERIFY["input"], proof_jkt="\ud800" * 100), profile="strict")
    assert hostile.failure(caveat) == "key_binding.mismatch"
    assert code_of(f"[5,\"{JKT[:-1]}B\"]") == "caveat.invalid_jkt"  # unused bits set
    assert not bound.satisfies(None) and not bound.satisfies(12)  # neither text nor bytes


def test_the_token_text_layer_with_its_codes():
    def code(token):
        with pytest.raises(s.Unmet) as refused:
            s.token_body(token, profile="strict")
        return refused.value.code
    assert code("x" * 10_000_000) == "token.too_long"
    assert code("pypi-" + "A" * 16_380) == "token.too_long"
    assert s.token_body("pypi-" + "A" * 16_379, "strict") == "A" * 16_379
    assert code("") == "token.no_prefix"
    assert code("PYPI-AAAA") == "token.wrong_prefix"
    assert code("pypi-") == "token.empty_body"
    for body in ("AA==", "A", "AB", "A+/A", "AA\n", "AA AA", "AAA\x00", "AAé", "AAB"):
        assert code("pypi-" + body) == "token.noncanonical_base64"
    assert code(b"pypi-AAAA") == "token.no_prefix"
    assert s.body_bytes(s.token_body("pypi-AAA", "strict")) == b"\x00\x00"


def test_the_row_lookup_wants_the_canonical_identifier():
    row = VERIFY["input"]["row"]
    assert s.row_matches(row["identifier"].encode(), row, "strict")
    for identifier in (row["identifier"].upper().encode(), row["identifier"].replace("-", "").encode(),
                       b"\xff", b"", row["identifier"].encode() + b"\n", None):
        assert not s.row_matches(identifier, row, "strict")
    # A row whose id is not canonical matches no token, not even its own spelling.
    upper = dict(row, identifier=row["identifier"].upper())
    for identifier in (upper["identifier"].encode(), row["identifier"].encode()):
        assert not s.row_matches(identifier, upper, "strict")
        assert s.row_matches(identifier, upper)
    assert not s.row_matches(row["identifier"].encode(), dict(row, identifier=None), "strict")


def test_the_macaroon_rules_in_order():
    def code(version=2, identifier=b"id", caveats=(), signature=b"s" * 32, raw=b"m", again=b"m"):
        try:
            s.strict_macaroon(version, identifier, list(caveats), signature, raw, again)
        except s.Unmet as unmet:
            return unmet.code
        return None
    assert code() is None
    assert code(version=1, signature=b"") == "macaroon.v1_unsupported"
    assert code(caveats=[(None, b"")], signature=b"") == "macaroon.third_party_caveat"
    assert code(caveats=[("loc", None)]) == "macaroon.third_party_caveat"
    assert code(signature=b"s" * 31, raw=b"mx") == "macaroon.signature_length"
    assert code(raw=b"m\x00", identifier=b"") == "macaroon.trailing_bytes"
    assert code(raw=b"n", caveats=[(None, None)] * 65) == "macaroon.noncanonical_encoding"
    assert code(caveats=[(None, None)] * 65) == "macaroon.too_many_caveats"
    assert code(caveats=[(None, None)] * 64, identifier=b"") == "macaroon.empty_identifier"


def test_a_signature_mismatch_hides_every_caveat():
    request = s.Request(VERIFY["input"], profile="strict")
    called = []
    assert s.strict_failures(request, ["[", "[6]"], lambda: called.append(1) or False) == ["signature.mismatch"]
    assert s.strict_failures(request, [b"\xff", "[6]", "[0,1,0]"], lambda: True) == [
        "caveat.not_utf8", "caveat.unknown_tag", "expiration.outside_window"]
    assert called == [1]
    assert s.strict_failures(request, ["[0,1,0]"] * 65, lambda: called.append(2)) == ["macaroon.too_many_caveats"]
    assert called == [1]  # the count before the signature
    with pytest.raises(ValueError):
        s.Request(VERIFY["input"]).failure("[0,1,0]")


def test_the_reader_agrees_with_pythons_json_on_syntax_and_values():
    """strict_json.read against Python's own parser on mutations of every caveat vector's text
    (seeded, so the same cases each run): the same texts are JSON, and read to the same values."""
    import random
    rng = random.Random(7)
    pieces = list('[]{},:"\\ 0123456789-.eE+tfnulrsaNIy\x00\x1f\u00e9/') + ["true", "1.0", '{"a":1}', "NaN"]
    texts = [v["input"]["caveat"] for v in vectors(kind="caveat") if "caveat" in v["input"]]
    for _ in range(5000):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(pieces) + text[at + rng.randint(0, 1):]
        reading = strict_json.read(text)
        try:
            value = json.loads(text, parse_float=strict_json.NonInteger, parse_constant=strict_json.NonInteger)
        except (ValueError, RecursionError):
            assert reading.syntax_error or reading.depth > 900 or reading.longest_integer > 4300, text
            continue
        assert not reading.syntax_error, text
        assert repr(reading.value) == repr(value), text
