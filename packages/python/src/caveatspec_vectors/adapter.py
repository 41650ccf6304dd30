"""The adapter protocol (spec/adapter-protocol.md) for Python: the loop, the answers, the clock.

An adapter runs one library on the vectors as a child process of `caveatspec run --adapter`.
With this module it is a handler per vector kind and one call:

    from caveatspec_vectors import adapter

    def caveat(inp):
        with adapter.refusing():           # any exception of the library: `invalid`, no code
            return {"kind": my_library.read(inp["caveat"]).kind}

    adapter.serve({"name": "mylib", "version": "1.0", "language": "Python",
                   "profile": "warehouse", "kinds": ["caveat"]}, {"caveat": caveat})

A handler takes the request's `input` and returns the `value` fields of a `valid` answer (a
dict, or None for none), raises `Invalid(*codes, message=...)` or `Unsupported(message)`, or
returns an `Answer` when it needs every field (a `valid` answer with a message).

What the loop does with what it cannot answer, and why:

- A handler that raises anything else ends the process with the traceback on stderr. The
  runner then reports that vector as *crashed* and starts the adapter again for the next one,
  so a bug in the adapter shows in the matrix as a crash instead of passing for a verdict.
- A request line it cannot read (over `MAX_LINE` bytes, not UTF-8, not JSON, not a request
  object with a string `id` and `kind` and an object `input`) ends the process with status 2
  and one line on stderr naming the line and the problem (never its content, which may hold
  secrets). It has no id to answer, and guessing one could answer another vector; the runner
  reports the vector as crashed.
- A request of a kind it has no handler for is answered `unsupported`; a repeated id is
  answered again, each request on its own.
- Blank lines are skipped. Every response is one line of ASCII JSON, flushed at once.
"""

import contextlib
import datetime as _datetime
import json
import sys
import time as _time

__all__ = ["PROTOCOL", "MAX_LINE", "RESERVED_PREFIX", "Answer", "Invalid", "Unsupported",
           "earlier_proof_refused", "refusing", "code_table", "frozen_clock", "answer", "serve"]

#: The protocol version this loop speaks.
PROTOCOL = 1
#: The longest request line read, newline included: the bound the runner puts on a response.
MAX_LINE = 4 << 20
#: Codes in this namespace are the protocol's own, not SPEC.md's (decision D3).
RESERVED_PREFIX = "adapter."


class Answer:
    """A response without its `type` and `id`: `outcome` (`valid`, `invalid`, `unsupported`),
    `codes` (a list, sent only when not None: an empty list is sent, and compared, as one),
    `message`, `value`."""

    def __init__(self, outcome, codes=None, message=None, value=None):
        if outcome not in ("valid", "invalid", "unsupported"):
            raise ValueError(f"unknown outcome {outcome!r}")
        self.outcome, self.codes, self.message, self.value = outcome, codes, message, value

    def response(self, request_id):
        """The response line's object for the request `request_id`."""
        out = {"type": "response", "id": request_id, "outcome": self.outcome}
        if self.codes is not None:
            out["codes"] = list(self.codes)
        if self.message is not None:
            # A lone surrogate (from text decoded with `surrogateescape`) would make the line
            # invalid JSON for a strict reader; it is written as its escape instead.
            out["message"] = str(self.message).encode("utf-8", "backslashreplace").decode("utf-8")
        if self.value is not None:
            out["value"] = self.value
        return out

    def as_expected(self, messages=False):
        """The answer in a vector expectation's shape (`valid`, `codes` when sent, `message`
        when `messages`, the value fields), for `caveatspec_vectors.compare(...,
        only_sent=True)`; ValueError for `unsupported`, which has no such shape."""
        if self.outcome == "unsupported":
            raise ValueError("an unsupported answer has no expectation's shape")
        out = {"valid": self.outcome == "valid"}
        if self.codes is not None:
            out["codes"] = list(self.codes)
        if messages and self.message is not None:
            out["message"] = self.message
        out.update(self.value or {})
        return out


class Invalid(Exception):
    """Answers `invalid` with `codes` (SPEC.md's, in order; none when the check that refused is
    not known, decision D5) and `message`."""

    def __init__(self, *codes, message=None):
        super().__init__(message or ", ".join(codes) or "invalid")
        self.answer = Answer("invalid", list(codes) if codes else None, message)


class Unsupported(Exception):
    """Answers `unsupported`: the library has no way to express this input."""

    def __init__(self, message=None):
        super().__init__(message or "unsupported")
        self.answer = Answer("unsupported", None, message)


def earlier_proof_refused(index, why):
    """The answer to a replay vector whose earlier proof `index` (0-based, into
    `input.replay`) the library refused (decision D3): every earlier proof is valid at its own
    `now`, so the vector was not tested, and the runner judges this answer a failure."""
    return Invalid(RESERVED_PREFIX + "earlier_proof_refused",
                   message=f"earlier proof {index} refused: {why}")


@contextlib.contextmanager
def refusing(code=None):
    """Any exception inside is the library refusing the input: it becomes `Invalid` with the
    message `ExceptionClass: text`. `code` is the code to give (None: none), or a function of
    the exception returning a code or None (decision D5: a code only when the exception names
    the check). `Invalid` and `Unsupported` raised inside pass through unchanged."""
    try:
        yield
    except (Invalid, Unsupported):
        raise
    except Exception as e:  # noqa: BLE001 - every refusal of the library is an answer
        given = code(e) if callable(code) else code
        raise Invalid(*([given] if given is not None else []),
                      message=f"{type(e).__name__}: {e}") from None


def code_table(rows):
    """A `code` function for `refusing` from a table of a library's exceptions: each row is
    `(exception class, code)` or `(exception class, text, code)`, and the first row whose class
    the exception is an instance of (and whose text is in its message, for a row of three)
    gives the code; an exception no row matches gets none (decision D5)."""
    rows = [row if len(row) == 3 else (row[0], "", row[1]) for row in rows]

    def code(e):
        text = str(e)
        return next((c for cls, part, c in rows if isinstance(e, cls) and part in text), None)
    return code


_REAL_TIME = _time.time


class _FrozenDatetime(_datetime.datetime):
    """`datetime.datetime` whose `now`, `utcnow` and `today` read the frozen clock."""

    frozen_at = 0

    @classmethod
    def now(cls, tz=None):
        return _datetime.datetime.fromtimestamp(cls.frozen_at, tz=tz)

    @classmethod
    def utcnow(cls):
        utc = _datetime.datetime.fromtimestamp(cls.frozen_at, tz=_datetime.timezone.utc)
        return utc.replace(tzinfo=None)

    @classmethod
    def today(cls):
        return cls.now()


@contextlib.contextmanager
def frozen_clock(now, *modules):
    """The wall clock stopped at `now` (seconds since the epoch) for the block (decision D4),
    for a library that has no clock parameter.

    `time.time()` and `time.time_ns()` return `now` everywhere. `datetime.datetime` is a type
    written in C, so its `now()` cannot be patched in place: in each of `modules`, a name bound
    to `datetime.datetime` (as `from datetime import datetime` binds it) is rebound to a
    subclass whose `now()`, `utcnow()` and `today()` return `now`, and a name bound to
    `time.time` (`from time import time`) to the frozen function. Everything is restored on
    exit, also when the block raises. Not for threads (the clock is the process's), and not
    nested (RuntimeError).
    """
    if _time.time is not _REAL_TIME:
        raise RuntimeError("frozen_clock does not nest")
    frozen = type("FrozenDatetime", (_FrozenDatetime,), {"frozen_at": now})

    def frozen_time():
        return float(now)

    def frozen_time_ns():
        return int(now * 1_000_000_000)

    real = [(_datetime.datetime, frozen), (_time.time, frozen_time), (_time.time_ns, frozen_time_ns)]
    saved = [(_time, "time", 1), (_time, "time_ns", 2)]
    for module in modules:
        for name, current in list(vars(module).items()):
            saved.extend((module, name, i) for i, (original, _) in enumerate(real) if current is original)
    try:
        for module, name, i in saved:
            setattr(module, name, real[i][1])
        yield
    finally:
        for module, name, i in saved:
            setattr(module, name, real[i][0])


class _Unreadable(ValueError):
    """A request line the loop cannot answer."""


def _request(line, number):
    """(id, kind, input) of one request line, or _Unreadable saying why it cannot be read."""
    def unreadable(why):
        return _Unreadable(f"caveatspec adapter: request line {number}: {why}; "
                           "there is no id to answer, so the adapter stops")
    if len(line) > MAX_LINE:
        raise unreadable(f"longer than {MAX_LINE} bytes")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise unreadable(f"not UTF-8 (byte {e.start})") from None
    try:
        req = json.loads(text)
    except (ValueError, RecursionError) as e:
        where = f" (column {e.colno})" if isinstance(e, json.JSONDecodeError) else ""
        raise unreadable(f"not JSON{where}") from None
    if not isinstance(req, dict) or req.get("type") != "request":
        raise unreadable("not a request object")
    if not isinstance(req.get("id"), str) or not isinstance(req.get("kind"), str):
        raise unreadable("a request without a string id and kind")
    if not isinstance(req.get("input"), dict):
        raise unreadable("a request without an input object")
    return req["id"], req["kind"], req["input"]


def answer(handler, inp):
    """The `Answer` of `handler` (None: no handler) to a request's `input`, as the loop
    answers it; an exception other than `Invalid` and `Unsupported` propagates."""
    if handler is None:
        return Answer("unsupported", message="no handler for this kind")
    try:
        result = handler(inp)
    except (Invalid, Unsupported) as e:
        return e.answer
    if isinstance(result, Answer):
        return result
    if result is not None and not isinstance(result, dict):
        raise TypeError(f"a handler returned {type(result).__name__}, not a dict of value fields")
    return Answer("valid", value=result)


def serve(hello, handlers, stdin=None, stdout=None):
    """Writes the hello (`hello` plus `type` and `protocol`), then answers each request line
    of `stdin` (bytes; default the process's) with `handlers[kind](input)` until its end."""
    stdin = sys.stdin.buffer if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout

    def write(obj):
        # NaN and infinities are not JSON: a handler answering one fails here, as a crash.
        stdout.write(json.dumps(obj, allow_nan=False) + "\n")
        stdout.flush()

    write(dict(hello, type="hello", protocol=PROTOCOL))
    number = 0
    while True:
        line = stdin.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if not line.strip():
            continue
        try:
            request_id, kind, inp = _request(line, number)
        except _Unreadable as e:
            sys.stderr.write(f"{e}\n")
            raise SystemExit(2) from None
        write(answer(handlers.get(kind), inp).response(request_id))
