"""Expected-failure lists: which vectors an implementation is known to fail, and why.

The format is the Rust crate's (`ExpectedFailures` in crates/vectors/src/harness.rs) and
`caveatspec run --expect-fail`'s: one entry per line, a vector id (every profile) or a test
name `<id> [<profile>]` (one profile), then `# reason`. Blank lines and lines starting with `#`
are ignored. An entry without a reason is refused (a known failure nobody can explain is not
known), as are an entry listed twice, one naming no vector, and text that is not UTF-8.
"""

# What Rust's `str::trim` strips: Unicode White_Space. Python's `str.strip()` also strips the
# separators U+001C..U+001F, which would let a control character vanish from an id.
_WHITESPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
               "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_PER_PROFILE_KINDS = ("decode", "caveat", "verify")
_PROFILES = ("warehouse", "strict")


def test_name(vector_id, kind, profile):
    """`<id> [<profile>]` for the kinds with one expectation per profile, else the id."""
    return f"{vector_id} [{profile}]" if kind in _PER_PROFILE_KINDS else vector_id


test_name.__test__ = False  # not a test, whatever pytest's collection says


class ListError(ValueError):
    """A line of an expected-failure list that cannot be used: `line` (from 1) and `problem`
    (`no_reason`, `repeated`, `unknown_id`, `not_utf8`)."""

    def __init__(self, line, problem, name=None):
        self.line, self.problem, self.name = line, problem, name
        what = {"no_reason": "an expected failure needs `# reason`",
                "repeated": f"{name!r} is listed twice",
                "unknown_id": f"no vector has the id {name!r}",
                "not_utf8": "not UTF-8"}[problem]
        super().__init__(f"line {line}: {what}")


class ExpectedFailures:
    """A parsed list: `entries` is `[(line, name, reason)]` in line order."""

    def __init__(self, entries):
        self.entries = entries
        self._by_name = {name: reason for _, name, reason in entries}

    @classmethod
    def parse(cls, text):
        """Reads a list from `str` or `bytes`; names are not checked against any vectors here
        (`check_names` does that)."""
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as e:
                raise ListError(1 + bytes(text[:e.start]).count(b"\n"), "not_utf8") from None
        entries, seen = [], set()
        # Lines as Rust's `str::lines` cuts them: at "\n", with one trailing "\r" dropped.
        for n, line in enumerate(text.split("\n"), start=1):
            line = line.removesuffix("\r").strip(_WHITESPACE)
            if not line or line.startswith("#"):
                continue
            name, hash_, reason = line.partition("#")
            name, reason = name.strip(_WHITESPACE), reason.strip(_WHITESPACE)
            if not hash_ or not reason:
                raise ListError(n, "no_reason")
            if name in seen:
                raise ListError(n, "repeated", name)
            seen.add(name)
            entries.append((n, name, reason))
        return cls(entries)

    def check_names(self, vectors):
        """Refuses the first entry (in line order) that names none of `vectors`, by id or by
        test name."""
        known = set()
        for v in vectors:
            known.add(v["id"])
            known.update(test_name(v["id"], v["kind"], p) for p in _PROFILES)
        for line, name, _ in self.entries:
            if name not in known:
                raise ListError(line, "unknown_id", name)
        return self

    def reason_for(self, vector_id, kind, profile):
        """Why `vector_id` is expected to fail under `profile`: by its test name first, then by
        its id; `None` when it is not listed."""
        reason = self._by_name.get(test_name(vector_id, kind, profile))
        return reason if reason is not None else self._by_name.get(vector_id)
