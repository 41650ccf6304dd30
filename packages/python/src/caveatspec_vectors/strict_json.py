"""The JSON reader of the strict caveat grammar (spec/SPEC.md §4.5, steps 3 to 6).

Python's `json` cannot serve: it keeps the last of two equal keys, turns `1.0` into a float
indistinguishable from what `1e0` gives, reads `NaN` as a number and recurses, so a deep
enough array ends in RecursionError. This reader is iterative (its work is linear in the
text, whatever the nesting) and records what the strict checks need, so that they can be
reported in the SPEC's order: a syntax error anywhere before too deep a nesting anywhere,
before a repeated key, before a number that is not an integer literal.
"""

import re

__all__ = ["LongInteger", "NonInteger", "Reading", "read"]

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
# RFC 8259 has no such literals; the strict grammar reads them as numbers and refuses them
# with the other non-integers (step 6), not as syntax errors.
_NON_FINITE = ("-Infinity", "Infinity", "NaN")
_LITERALS = (("true", True), ("false", False), ("null", None))


class NonInteger:
    """A number with a fraction or an exponent, or NaN or Infinity: kept as its literal."""

    def __init__(self, literal):
        self.literal = literal

    def __repr__(self):
        return f"NonInteger({self.literal!r})"


class LongInteger:
    """An integer literal of more digits than CPython converts (4,300): kept as its literal."""

    def __init__(self, literal):
        self.literal = literal

    def __repr__(self):
        return f"LongInteger({len(self.literal)} characters)"


# CPython's limit on converting decimal text to int (sys.get_int_max_str_digits's default).
_INT_DIGITS = 4300


class Reading:
    """What `read` found: `value` (None on a syntax error), `syntax_error`, `depth` (the
    deepest nesting, each array or object one level), `duplicate_key`, `non_integer`,
    `longest_integer` (the most digits of an integer literal)."""

    def __init__(self):
        self.value = None
        self.syntax_error = False
        self.depth = 0
        self.duplicate_key = False
        self.non_integer = False
        self.longest_integer = 0


class _Syntax(Exception):
    pass


def _skip(text, i):
    return _WHITESPACE.match(text, i).end()


def _string(text, i):
    """The string starting at the `"` at i, and the index after its closing quote."""
    i += 1
    parts, escaped_unit = [], False
    while True:
        run = _PLAIN.match(text, i)
        parts.append(run.group())
        i = run.end()
        if i >= len(text):
            raise _Syntax
        c = text[i]
        if c == '"':
            s = "".join(parts)
            if escaped_unit:
                # Two \u escapes of a surrogate pair make one character; a lone one stays.
                s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
            return s, i + 1
        if c != "\\":
            raise _Syntax  # a raw control character
        e = text[i + 1:i + 2]
        if e in _ESCAPES:
            parts.append(_ESCAPES[e])
            i += 2
        elif e == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
            parts.append(chr(int(text[i + 2:i + 6], 16)))
            escaped_unit = True
            i += 6
        else:
            raise _Syntax


def _scalar(text, i, reading):
    """The scalar at i (not an array or object) and the index after it."""
    if text.startswith('"', i):
        return _string(text, i)
    for literal in _NON_FINITE:
        if text.startswith(literal, i):
            reading.non_integer = True
            return NonInteger(literal), i + len(literal)
    number = _NUMBER.match(text, i)
    if number:
        if number.group(1) or number.group(2):
            reading.non_integer = True
            return NonInteger(number.group()), number.end()
        literal = number.group()
        digits = len(literal.lstrip("-"))
        reading.longest_integer = max(reading.longest_integer, digits)
        return (int(literal) if digits <= _INT_DIGITS else LongInteger(literal)), number.end()
    for literal, value in _LITERALS:
        if text.startswith(literal, i):
            return value, i + len(literal)
    raise _Syntax


def _key(text, i, frame, reading):
    """Reads `"key" :` at i into the object frame; the index of its value."""
    if not text.startswith('"', i):
        raise _Syntax
    key, i = _string(text, i)
    i = _skip(text, i)
    if not text.startswith(":", i):
        raise _Syntax
    if key in frame[0]:
        reading.duplicate_key = True
    frame[1] = key
    return _skip(text, i + 1)


def _parse(text, reading):
    stack = []  # [container, pending key (objects)]
    i = _skip(text, 0)
    while True:
        # A value starts at i.
        opener = text[i:i + 1]
        if opener in ("[", "{"):
            stack.append([[] if opener == "[" else {}, None])
            reading.depth = max(reading.depth, len(stack))
            i = _skip(text, i + 1)
            closer = "]" if opener == "[" else "}"
            if not text.startswith(closer, i):
                if opener == "{":
                    i = _key(text, i, stack[-1], reading)
                continue
            value, i = stack.pop()[0], i + 1
        else:
            value, i = _scalar(text, i, reading)
        # Place the value, closing every container that ends after it.
        while True:
            if not stack:
                if _skip(text, i) != len(text):
                    raise _Syntax
                return value
            frame = stack[-1]
            if isinstance(frame[0], list):
                frame[0].append(value)
            else:
                frame[0][frame[1]] = value
            i = _skip(text, i)
            c = text[i:i + 1]
            if c == ",":
                i = _skip(text, i + 1)
                if isinstance(frame[0], dict):
                    i = _key(text, i, frame, reading)
                break
            if c != ("]" if isinstance(frame[0], list) else "}"):
                raise _Syntax
            value, i = stack.pop()[0], i + 1


def read(text):
    """A `Reading` of `text` (a str): never raises, whatever the text."""
    reading = Reading()
    try:
        reading.value = _parse(text, reading)
    except _Syntax:
        reading.syntax_error = True
    return reading
