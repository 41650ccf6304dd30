"""compare() on hand-checked cases: the Rust crate's rules (crates/vectors/src/runner.rs)."""

from caveatspec_vectors import compare

EXP = {"valid": False, "codes": ["caveat.expired", "caveat.project"], "message": "Expired"}


def test_an_identical_answer_agrees():
    assert compare(EXP, dict(EXP), "warehouse") is None
    assert compare({"valid": True}, {"valid": True, "extra": 1}, "strict") is None


def test_the_verdict_comes_first():
    assert compare(EXP, {"valid": True}, "warehouse").startswith("expected valid=false")
    assert compare({"valid": True}, {"valid": 1}, "warehouse").startswith("expected valid=true")


def test_codes_must_match_in_order_and_absent_codes_are_none():
    swapped = dict(EXP, codes=["caveat.project", "caveat.expired"])
    assert "expected codes" in compare(EXP, swapped, "warehouse")
    assert "expected codes" in compare(EXP, {"valid": False}, "warehouse")
    assert compare({"valid": True}, {"valid": True, "codes": []}, "warehouse") is None


def test_the_message_is_compared_in_warehouse_only_and_only_when_both_have_one():
    other = dict(EXP, message="Not yet")
    assert "expected message" in compare(EXP, other, "warehouse")
    assert compare(EXP, other, "strict") is None
    assert compare(EXP, {"valid": False, "codes": EXP["codes"]}, "warehouse") is None


def test_other_expected_fields_exactly_as_json():
    exp = {"valid": True, "caveats": ["[0,2,1]"], "value": 1}
    assert compare(exp, {"valid": True, "caveats": ["[0,2,1]"], "value": 1}, "warehouse") is None
    assert compare(exp, {"valid": True, "caveats": ["[0,2,1]"]}, "warehouse") == "value: expected 1, got nothing"
    # serde_json's equality: true is not 1, 1 is not 1.0.
    assert compare(exp, {"valid": True, "caveats": ["[0,2,1]"], "value": True}, "warehouse")
    assert compare(exp, {"valid": True, "caveats": ["[0,2,1]"], "value": 1.0}, "warehouse")


def test_only_sent_holds_an_answer_to_what_it_gives():
    assert compare(EXP, {"valid": False}, "warehouse", only_sent=True) is None
    assert "expected codes" in compare(EXP, {"valid": False, "codes": []}, "warehouse", only_sent=True)
    assert compare({"valid": True, "token": "t"}, {"valid": True}, "warehouse", only_sent=True) is None
    assert compare({"valid": True, "token": "t"}, {"valid": True, "token": "u"}, "warehouse", only_sent=True)
