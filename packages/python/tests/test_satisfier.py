"""The satisfier on hostile input: every refusal an exception the caller turns into `invalid`,
never a wrong acceptance. (The vectors themselves run through it in consumers/.)"""

import json

import pytest

from caveatspec_vectors import adapter, satisfier as s, vectors

VERIFY = next(v for v in vectors(kind="verify") if v["expected"]["warehouse"]["valid"])


def test_caveats_that_cannot_be_read_are_refused():
    for hostile in ({"caveat_hex": "ff"}, {"caveat_hex": "5b30"}, {"caveat": "\x00[0,1,2]"},
                    {"caveat": "[" * 100_000}, {"caveat": json.dumps([99, "x" * 1_000_000])},
                    {"caveat": '{"version": true}'}, {"caveat": "[[1], 2]"}):
        with pytest.raises(Exception):
            s.caveat_kind(hostile)
    assert s.caveat_kind({"caveat": "[0,2,1,\"extra\"]"}) == "expiration"  # PyPI ignores extras
    assert s.caveat_kind({"caveat": "[true,[\"a\"]]"}) == "project_name"  # True is the tag 1


def test_a_request_is_refused_by_an_unreadable_or_unmet_caveat():
    request = s.Request(VERIFY["input"])
    assert not request.satisfies("[0," + "9" * 10_000 + ",0")
    assert not request.satisfies("\ud800")
    assert not request.satisfies(f"[0,{request.now},0]")  # the window ends before now
    assert request.satisfies(f"[0,{request.now + 1},{request.now}]")


def test_the_text_layer_and_the_row_lookup_fail_closed():
    for token in ("", "pypi-", "pypi", "PyPI-abc", "pypi\x00-abc", "x" * 1_000_000):
        with pytest.raises(s.Unmet):
            s.token_body(token)
    row = VERIFY["input"]["row"]
    assert s.row_matches(row["identifier"].encode(), row)
    for identifier in (b"\xff\xfe", b"", row["identifier"].encode() + b"\x00", b"0" * 1_000_000):
        assert not s.row_matches(identifier, row)


def test_restrictions_that_cannot_be_written_are_refused_with_their_code():
    assert s.restriction_caveats({"project_names": ["My_Pkg"]}, False) == ['[1,["my-pkg"]]']
    for r, code in (({}, "restrict.nothing"), ({"not_before": 1}, "restrict.window_incomplete"),
                    ({"project_names": ["bad name\n"]}, "restrict.invalid_name"),
                    ({"user_id": "x" * 10_000}, "restrict.invalid_uuid")):
        with pytest.raises(s.Refused) as e:
            s.restriction_caveats(r, True)
        assert e.value.code == code


def test_an_adapter_adds_restrictions_through_its_library_or_answers_why_not():
    added = []
    assert s.add_restrictions(added.append, {"project_names": ["My_Pkg"]}, False) == ['[1,["my-pkg"]]']
    assert added == ['[1,["my-pkg"]]']
    with pytest.raises(adapter.Unsupported):
        s.add_restrictions(added.append, {"bind_jkt": "x", "project_names": ["a"]}, False)
    with pytest.raises(adapter.Invalid) as e:
        s.add_restrictions(added.append, {}, True)
    assert e.value.answer.codes == ["restrict.nothing"]
    assert added == ['[1,["my-pkg"]]']  # nothing added by a refused call


def test_an_adapter_adds_stored_caveats_only_for_the_row_the_identifier_finds():
    row = dict(VERIFY["input"]["row"], stored_caveats=['[0, 2, 1]'])
    added = []
    s.add_stored_caveats(added.append, row["identifier"].encode(), row)
    assert added == ["[0,2,1]"]
    with pytest.raises(adapter.Invalid) as e:
        s.add_stored_caveats(added.append, b"\xff" * 10_000, row)
    assert e.value.answer.message == "Macaroon not found" and e.value.answer.codes is None
    assert added == ["[0,2,1]"]


def test_restrictions_refuse_a_final_newline():
    user = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b"
    assert s.restriction_caveats({"user_id": user}, True) == [f'[3,"{user}"]']
    for restrictions, code in (({"user_id": user + "\n"}, "restrict.invalid_uuid"),
                               ({"project_ids": [user + "\n"]}, "restrict.invalid_uuid"),
                               ({"project_names": ["sample\n"]}, "restrict.invalid_name")):
        with pytest.raises(s.Refused) as refused:
            s.restriction_caveats(restrictions, True)
        assert refused.value.code == code
