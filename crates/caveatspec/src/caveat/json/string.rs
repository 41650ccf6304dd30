//! Strings as Python's decoder reads them: kept as written, compared and decoded by code point.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::reader::scan_string;

/// A decoded string held a lone UTF-16 surrogate, which no Rust `str` can represent.
///
/// Python's `json.loads('"\\ud800"')` returns a one-character `str` holding U+D800: the decoder
/// combines a high-surrogate escape with an immediately following low-surrogate escape and
/// keeps every other surrogate escape as a lone code point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("string holds the lone surrogate U+{code_unit:04X}")]
pub struct LoneSurrogate {
    /// The first lone surrogate found (0xD800..=0xDFFF).
    pub code_unit: u16,
}

/// A string as written between its quotes (escapes undecoded), decoded on demand the way
/// Python's decoder does: `\uD83D\uDE00` is one code point, any other surrogate escape stays a
/// lone surrogate code point.
///
/// `==` is Python's string equality ([`JsonStr::py_eq`]): `"a"` equals `"\u0061"`.
#[derive(Debug, Clone)]
pub struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// A string from the text that would stand between its quotes, if Python's decoder accepts
    /// it there (valid escapes, no raw control character, no unescaped `"`).
    pub fn from_escaped(raw: &'a str) -> Option<JsonStr<'a>> {
        let quoted = format!("\"{raw}\"");
        let (s, end) = scan_string(&quoted, 0).ok()?;
        (end == quoted.len()).then_some(JsonStr {
            raw,
            escaped: s.escaped,
        })
    }

    /// A string with no backslash and no control character, from the text between its
    /// quotes (the caller has checked).
    pub(crate) fn plain(raw: &'a str) -> JsonStr<'a> {
        JsonStr {
            raw,
            escaped: false,
        }
    }

    /// A string the reader has scanned: `raw` is valid between quotes, `escaped` says whether
    /// it holds a backslash.
    pub(super) fn scanned(raw: &'a str, escaped: bool) -> JsonStr<'a> {
        JsonStr { raw, escaped }
    }

    /// The text between the quotes, escapes as written.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// True if the raw text contains a backslash escape.
    pub fn has_escapes(&self) -> bool {
        self.escaped
    }

    /// The decoded value; `Err` if it contains a lone surrogate (which no Rust `str` can hold).
    /// Borrowed when the text has no escapes.
    ///
    /// # Errors
    ///
    /// [`LoneSurrogate`] when the Python string holds a surrogate code point.
    pub fn decode(&self) -> Result<Cow<'a, str>, LoneSurrogate> {
        if !self.escaped {
            return Ok(Cow::Borrowed(self.raw));
        }
        let mut out = String::with_capacity(self.raw.len());
        for cp in self.code_points() {
            match char::from_u32(cp) {
                Some(c) => out.push(c),
                // Only surrogates are not chars; code points never exceed U+10FFFF here.
                None => {
                    return Err(LoneSurrogate {
                        code_unit: cp as u16,
                    })
                }
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The decoded code points, as a Python `str` holds them (lone surrogates included).
    pub fn code_points(&self) -> CodePoints<'a> {
        CodePoints { rest: self.raw }
    }

    /// The decoded value as UTF-16 code units (lone surrogates as themselves). Because the
    /// decoder always combines a valid pair, this sequence identifies the Python string.
    pub fn utf16_units(&self) -> impl Iterator<Item = u16> + 'a {
        self.code_points().flat_map(|cp| {
            let (a, b) = if cp >= 0x1_0000 {
                let v = cp - 0x1_0000;
                (0xD800 | (v >> 10) as u16, Some(0xDC00 | (v & 0x3FF) as u16))
            } else {
                (cp as u16, None)
            };
            std::iter::once(a).chain(b)
        })
    }

    /// Python equality with a Rust string. A string holding a lone surrogate equals no Rust
    /// string. Does not allocate.
    pub fn eq_str(&self, other: &str) -> bool {
        if !self.escaped {
            return self.raw == other;
        }
        self.code_points().eq(other.chars().map(u32::from))
    }

    /// Python `==` between two decoded strings (`"a"` equals `"\u0061"`).
    pub fn py_eq(&self, other: &JsonStr<'_>) -> bool {
        if !self.escaped && !other.escaped {
            return self.raw == other.raw;
        }
        self.code_points().eq(other.code_points())
    }

    /// Python's `str` ordering: lexicographic by code point (so lone surrogates U+D800..U+DFFF
    /// sort between U+D7FF and U+E000, and below every astral character), which is the order
    /// `sort_keys=True` uses. UTF-8 byte order is code point order, hence the fast path.
    pub fn py_cmp(&self, other: &JsonStr<'_>) -> Ordering {
        if !self.escaped && !other.escaped {
            return self.raw.cmp(other.raw);
        }
        self.code_points().cmp(other.code_points())
    }
}

impl PartialEq for JsonStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.py_eq(other)
    }
}

impl Eq for JsonStr<'_> {}

/// Iterator over the code points of a [`JsonStr`] (see [`JsonStr::code_points`]).
#[derive(Debug, Clone)]
pub struct CodePoints<'a> {
    rest: &'a str,
}

/// Four hex digits at the start of `s`, any case. Unlike `u16::from_str_radix` it refuses a
/// leading `+`, which Python's decoder refuses too.
pub(super) fn hex4(s: &[u8]) -> Option<u16> {
    let digits = s.get(..4)?;
    let mut v: u16 = 0;
    for &d in digits {
        let n = char::from(d).to_digit(16)?;
        v = (v << 4) | n as u16;
    }
    Some(v)
}

fn is_high_surrogate(u: u16) -> bool {
    (0xD800..=0xDBFF).contains(&u)
}

fn is_low_surrogate(u: u16) -> bool {
    (0xDC00..=0xDFFF).contains(&u)
}

impl Iterator for CodePoints<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let mut chars = self.rest.chars();
        let c = chars.next()?;
        if c != '\\' {
            self.rest = chars.as_str();
            return Some(u32::from(c));
        }
        let after = chars.as_str().as_bytes();
        let (cp, used) = match after.first() {
            Some(b'"') => (0x22, 1),
            Some(b'\\') => (0x5C, 1),
            Some(b'/') => (0x2F, 1),
            Some(b'b') => (0x08, 1),
            Some(b'f') => (0x0C, 1),
            Some(b'n') => (0x0A, 1),
            Some(b'r') => (0x0D, 1),
            Some(b't') => (0x09, 1),
            Some(b'u') => match after.get(1..).and_then(hex4) {
                Some(hi) if is_high_surrogate(hi) => {
                    // Python joins a high surrogate escape with a low one right after it.
                    let lo = match after.get(5..7) {
                        Some(b"\\u") => after
                            .get(7..)
                            .and_then(hex4)
                            .filter(|u| is_low_surrogate(*u)),
                        _ => None,
                    };
                    match lo {
                        Some(lo) => (
                            0x1_0000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(lo) - 0xDC00),
                            11,
                        ),
                        None => (u32::from(hi), 5),
                    }
                }
                Some(u) => (u32::from(u), 5),
                None => (0xFFFD, after.len()),
            },
            // Unreachable for a validated string; stop cleanly.
            _ => (0xFFFD, after.len()),
        };
        // `used` bytes after the backslash are ASCII, so this is a char boundary.
        self.rest = chars.as_str().get(used..).unwrap_or("");
        Some(cp)
    }
}
