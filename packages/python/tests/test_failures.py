"""Expected-failure lists: the Rust crate's format, and every bad line refused with its line."""

import pytest

from caveatspec_vectors import ExpectedFailures, ListError, vectors

ALL = vectors()
VERIFY_ID = vectors(kind="verify")[0]["id"]
MINT_ID = vectors(kind="mint")[0]["id"]


def problem(text):
    with pytest.raises(ListError) as e:
        ExpectedFailures.parse(text).check_names(ALL)
    return e.value.line, e.value.problem


def test_entries_keep_their_line_and_reason():
    text = f"# head\n\n {VERIFY_ID}  # why not \r\n{MINT_ID} [strict] #x\n"
    listed = ExpectedFailures.parse(text)
    assert listed.entries == [(3, VERIFY_ID, "why not"), (4, f"{MINT_ID} [strict]", "x")]
    assert listed.reason_for(VERIFY_ID, "verify", "strict") == "why not"
    assert listed.reason_for(MINT_ID, "mint", "strict") is None  # a mint vector has no profile name
    with pytest.raises(ListError):
        listed.check_names(ALL)
    per_profile = ExpectedFailures.parse(f"{VERIFY_ID} [strict] # s\n").check_names(ALL)
    assert per_profile.reason_for(VERIFY_ID, "verify", "strict") == "s"
    assert per_profile.reason_for(VERIFY_ID, "verify", "warehouse") is None


def test_a_line_without_a_reason_is_refused():
    assert problem(f"{VERIFY_ID} # ok\n{MINT_ID}\n") == (2, "no_reason")
    assert problem(f"{VERIFY_ID} #  \t\n") == (1, "no_reason")
    assert problem(b"a" * 5_000_000) == (1, "no_reason")


def test_an_unknown_id_is_refused():
    assert problem(f"{VERIFY_ID} # ok\nno/such/vector # x\n") == (2, "unknown_id")
    assert problem(f"{VERIFY_ID} [lenient] # x\n") == (1, "unknown_id")
    # Control characters stay in the name (Python's strip() would drop U+001F; Rust's trim keeps it).
    assert problem(f"{VERIFY_ID}\x1f # x\n") == (1, "unknown_id")
    assert problem(f"\x00{VERIFY_ID} # x\n") == (1, "unknown_id")
    # Python's splitlines() would cut at U+000B/U+001C; Rust's lines() only at "\n".
    one_line = ExpectedFailures.parse(f"{VERIFY_ID} # x\x1c{MINT_ID} # y\x0bz\n").check_names(ALL)
    assert one_line.entries == [(1, VERIFY_ID, f"x\x1c{MINT_ID} # y\x0bz")]


def test_a_repeated_id_is_refused_however_far_down():
    body = "".join(f"{v['id']} # r\n" for v in ALL)
    assert problem(body * 2) == (len(ALL) + 1, "repeated")
    assert problem(f"{VERIFY_ID} # a\n\n  {VERIFY_ID}   # b\n") == (3, "repeated")


def test_text_that_is_not_utf8_is_refused_with_its_line():
    assert problem(f"{VERIFY_ID} # x\n\n\xff # y\n".encode("latin-1")) == (3, "not_utf8")
    assert problem(f"{VERIFY_ID} # x\xc3".encode("latin-1")[:-1] + b"\xc3") == (1, "not_utf8")
    assert problem(f"{VERIFY_ID} # \ud800\n".encode("utf-8", "surrogatepass")) == (1, "not_utf8")
