"""caveatspec_vectors.adapter: the loop as the runner meets it (a child process on pipes),
hostile request lines included, and the answers and the clock as a handler uses them."""

import datetime
import json
import subprocess
import sys
import textwrap
import time

import pytest

from caveatspec_vectors import adapter

HELLO = {"name": "lib", "version": "1", "language": "Python", "profile": "strict", "kinds": ["k"]}

# An adapter whose kind `k` answers from its input, so that each test says what it wants.
ADAPTER = textwrap.dedent("""
    import sys
    from caveatspec_vectors import adapter

    def k(inp):
        if inp.get("crash"):
            raise KeyError("the adapter's own bug")
        if inp.get("nan"):
            return {{"jti": float("nan")}}
        if "invalid" in inp:
            raise adapter.Invalid(*inp["invalid"], message=inp.get("message"))
        if "unsupported" in inp:
            raise adapter.Unsupported(inp["unsupported"])
        if "refuse" in inp:
            with adapter.refusing(lambda e: "x.named" if isinstance(e, KeyError) else None):
                raise (KeyError if inp["refuse"] == "key" else ValueError)("library says no")
        if "answer" in inp:
            return adapter.Answer(**inp["answer"])
        return inp.get("value")

    adapter.serve({hello}, {{"k": k}})
""").format(hello=repr(HELLO))


def run(stdin):
    """(exit status, response objects after the hello, stderr) of the adapter on `stdin`."""
    done = subprocess.run([sys.executable, "-c", ADAPTER], input=stdin, capture_output=True, timeout=120)
    lines = done.stdout.decode("ascii").splitlines()
    hello = json.loads(lines[0])
    assert hello == dict(HELLO, type="hello", protocol=1)
    return done.returncode, [json.loads(line) for line in lines[1:]], done.stderr.decode("utf-8", "replace")


def request(rid, inp, kind="k"):
    return (json.dumps({"type": "request", "id": rid, "kind": kind, "category": "c",
                        "profile": "strict", "input": inp}) + "\n").encode()


def test_each_request_gets_one_response_in_order_and_blank_lines_are_skipped():
    status, out, _ = run(request("a", {"value": {"jti": "j"}}) + b"\n  \r\n" + request("b", {}))
    assert status == 0
    assert out == [{"type": "response", "id": "a", "outcome": "valid", "value": {"jti": "j"}},
                   {"type": "response", "id": "b", "outcome": "valid"}]


def test_invalid_unsupported_and_full_answers():
    status, out, _ = run(request("1", {"invalid": ["dpop.htu"], "message": "no"})
                         + request("2", {"invalid": []})
                         + request("3", {"unsupported": "not here"})
                         + request("4", {"answer": {"outcome": "valid", "codes": [], "message": "m"}}))
    assert status == 0
    assert [{k: v for k, v in r.items() if k != "type"} for r in out] == [
        {"id": "1", "outcome": "invalid", "codes": ["dpop.htu"], "message": "no"},
        {"id": "2", "outcome": "invalid"},
        {"id": "3", "outcome": "unsupported", "message": "not here"},
        {"id": "4", "outcome": "valid", "codes": [], "message": "m"}]


def test_refusing_names_the_exception_and_gives_a_code_only_when_told():
    status, out, _ = run(request("1", {"refuse": "key"}) + request("2", {"refuse": "value"}))
    assert status == 0
    assert out[0]["codes"] == ["x.named"] and out[0]["message"] == "KeyError: 'library says no'"
    assert "codes" not in out[1] and out[1]["message"] == "ValueError: library says no"


def test_an_unknown_kind_is_unsupported_and_a_repeated_id_is_answered_each_time():
    status, out, _ = run(request("same", {}, kind="nothing") + request("same", {}) + request("same", {}))
    assert status == 0
    assert [(r["id"], r["outcome"]) for r in out] == [("same", "unsupported"), ("same", "valid"),
                                                      ("same", "valid")]


def test_a_handler_exception_ends_the_process_after_the_answers_before_it():
    status, out, err = run(request("a", {}) + request("b", {"crash": True}) + request("c", {}))
    assert status != 0
    assert [r["id"] for r in out] == ["a"]
    assert "KeyError" in err and "the adapter's own bug" in err


def test_an_answer_that_is_not_json_ends_the_process_instead_of_writing_it():
    status, out, err = run(request("a", {"nan": True}) + request("b", {}))
    assert status != 0 and out == []
    assert "Out of range float values are not JSON compliant" in err


@pytest.mark.parametrize("line, why", [
    (b'{"type":"request","id":"a","kind":"k","input":{', "not JSON (column 48)"),
    (b'{"type":"request","id":"a\xff","kind":"k","input":{}}\n', "not UTF-8 (byte 25)"),
    (b'{"type":"request","id":"a\x01","kind":"k","input":{}}\n', "not JSON (column 26)"),
    (b'\x00\n', "not JSON (column 1)"),
    (b'[1]\n', "not a request object"),
    (b'{"type":"response","id":"a","kind":"k","input":{}}\n', "not a request object"),
    (b'{"type":"request","id":7,"kind":"k","input":{}}\n', "a request without a string id and kind"),
    (b'{"type":"request","id":"a","input":{}}\n', "a request without a string id and kind"),
    (b'{"type":"request","id":"a","kind":"k","input":"x"}\n', "a request without an input object"),
    (b"[" * 100000 + b"\n", "not JSON"),
    (b'{"type":"request","id":"' + b"x" * adapter.MAX_LINE + b'"}\n', f"longer than {adapter.MAX_LINE} bytes"),
], ids=["truncated", "invalid-utf8", "raw-control-char", "nul", "array", "response", "numeric-id",
        "no-kind", "input-not-object", "deep-nesting", "huge"])
def test_an_unreadable_request_line_ends_the_process_naming_the_line_not_its_content(line, why):
    status, out, err = run(request("first", {}) + line + request("after", {}))
    assert status == 2
    assert [r["id"] for r in out] == ["first"]
    assert f"request line 2: {why}; there is no id to answer" in err
    assert "Traceback" not in err and "xxxxxxxx" not in err


def test_escaped_control_characters_are_answered_and_the_response_is_ascii():
    rid = "a\u0000\u001b\u202e\u00e9"
    status, out, _ = run(request(rid, {"invalid": [], "message": "\ud800 lone"}))
    assert status == 0
    assert out[0]["id"] == rid
    assert out[0]["message"] == "\\ud800 lone"


def test_the_reserved_answer_of_a_refused_earlier_proof():
    e = adapter.earlier_proof_refused(1, "dpop.typ")
    assert e.answer.response("v") == {"type": "response", "id": "v", "outcome": "invalid",
                                      "codes": ["adapter.earlier_proof_refused"],
                                      "message": "earlier proof 1 refused: dpop.typ"}
    assert e.answer.codes[0].startswith(adapter.RESERVED_PREFIX)


def test_an_answer_refuses_an_unknown_outcome():
    with pytest.raises(ValueError):
        adapter.Answer("maybe")


def test_frozen_clock_stops_time_and_datetime_for_the_block_only():
    real = time.time()
    module = type(sys)("library")  # a library module, names bound at import as PyJWT binds them
    module.datetime, module.time = datetime.datetime, time.time
    with adapter.frozen_clock(1562262616, module):
        assert time.time() == 1562262616.0
        assert time.time_ns() == 1562262616 * 10**9
        assert module.time() == 1562262616.0
        now = module.datetime.now(tz=datetime.timezone.utc)
        assert now == datetime.datetime(2019, 7, 4, 17, 50, 16, tzinfo=datetime.timezone.utc)
        assert module.datetime.utcnow() == datetime.datetime(2019, 7, 4, 17, 50, 16)
        assert isinstance(module.datetime.now(), datetime.datetime)
        assert datetime.datetime(2020, 1, 1) < module.datetime(2021, 1, 1)
    assert module.datetime is datetime.datetime and module.time is time.time
    assert time.time() >= real


def test_frozen_clock_is_restored_when_the_block_raises_and_does_not_nest():
    module = type(sys)("library")
    module.datetime = datetime.datetime
    with pytest.raises(KeyError):
        with adapter.frozen_clock(0, module):
            raise KeyError("x")
    assert module.datetime is datetime.datetime and time.time() > 0
    with adapter.frozen_clock(5):
        with pytest.raises(RuntimeError, match="does not nest"):
            with adapter.frozen_clock(6):
                pass
        assert time.time() == 5.0
    assert time.time() > 5


def test_answer_in_the_expectations_shape():
    def handler(inp):
        if inp:
            raise adapter.Invalid("a.b", message="why")
        return {"jti": "j"}
    assert adapter.answer(handler, {}).as_expected() == {"valid": True, "jti": "j"}
    refused = adapter.answer(handler, {"x": 1})
    assert refused.as_expected() == {"valid": False, "codes": ["a.b"]}
    assert refused.as_expected(messages=True) == {"valid": False, "codes": ["a.b"], "message": "why"}
    assert adapter.answer(None, {}).outcome == "unsupported"
    with pytest.raises(ValueError):
        adapter.answer(None, {}).as_expected()
    with pytest.raises(TypeError):
        adapter.answer(lambda inp: "valid", {})


def test_code_table_first_matching_row_wins_and_a_row_may_give_none():
    code = adapter.code_table([(KeyError, None), (LookupError, "x.lookup"),
                               (ValueError, "crit", "x.crit"), (ValueError, "x.value")])
    assert code(KeyError("crit")) is None
    assert code(IndexError("i")) == "x.lookup"
    assert code(ValueError("bad crit header")) == "x.crit"
    assert code(ValueError("other")) == "x.value"
    assert code(TypeError("crit")) is None
    with pytest.raises(adapter.Invalid) as e:
        with adapter.refusing(code):
            raise ValueError("crit")
    assert e.value.answer.codes == ["x.crit"] and e.value.answer.message == "ValueError: crit"
