//! JSON as Python's `json.loads` reads the bytes of a JWS segment (PyJWT hands it bytes), with
//! the two bounds the atr-jwt profile adds (SPEC §10.6): no lone surrogate in a string, and at
//! most [`MAX_DEPTH`] nested arrays and objects.
//!
//! What Python accepts beyond RFC 8259 is accepted here too: the text may be UTF-8 (after one
//! optional byte-order mark), UTF-16 or UTF-32, told apart as `json.detect_encoding` does;
//! `NaN`, `Infinity` and `-Infinity`; integers of any size up to 4300 digits; floats beyond
//! the double range (infinite); and a duplicate member, whose last value wins.

use std::collections::BTreeMap;

use serde_json::{Map, Number, Value};

/// The deepest nesting of arrays and objects read, the segment's own object included. Python's
/// limit is its recursion limit, which depends on the interpreter and the caller's stack
/// (about 985 levels in PyJWT 2.15.1 on CPython 3.11); this one is fixed.
pub const MAX_DEPTH: usize = 512;
/// Python refuses an integer literal with more digits than this.
const MAX_INT_DIGITS: usize = 4300;

/// A JSON object as Python holds it.
pub(super) type Dict = BTreeMap<String, Py>;

/// A value as Python's JSON reader produces it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Py {
    Null,
    Bool(bool),
    /// An integer literal within `i128`.
    Int(i128),
    /// An integer literal beyond `i128`, as the nearest double (infinite past the double
    /// range): only its sign matters to a comparison with a time.
    BigInt(f64),
    /// A number with a fraction or an exponent, or `NaN`/`Infinity`/`-Infinity`.
    Float(f64),
    Str(String),
    List(Vec<Py>),
    Dict(Dict),
}

impl Py {
    /// The string, if this is one.
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Py::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Python's truth value.
    pub(super) fn truthy(&self) -> bool {
        match self {
            Py::Null => false,
            Py::Bool(b) => *b,
            Py::Int(i) => *i != 0,
            Py::BigInt(_) => true,
            // NaN is true in Python.
            Py::Float(f) => *f != 0.0,
            Py::Str(s) => !s.is_empty(),
            Py::List(l) => !l.is_empty(),
            Py::Dict(d) => !d.is_empty(),
        }
    }

    /// As a `serde_json` value: integers beyond 64 bits become the nearest double, and a
    /// number no JSON number can carry (`NaN`, an infinity, an integer past the double range)
    /// becomes `null`.
    pub(super) fn to_value(&self) -> Value {
        let float = |f: f64| Number::from_f64(f).map_or(Value::Null, Value::Number);
        match self {
            Py::Null => Value::Null,
            Py::Bool(b) => Value::Bool(*b),
            Py::Int(i) => i64::try_from(*i)
                .map(Value::from)
                .or_else(|_| u64::try_from(*i).map(Value::from))
                // Rounds to nearest, as a JSON reader does.
                .unwrap_or_else(|_| float(*i as f64)),
            Py::BigInt(f) | Py::Float(f) => float(*f),
            Py::Str(s) => Value::String(s.clone()),
            Py::List(l) => Value::Array(l.iter().map(Py::to_value).collect()),
            Py::Dict(d) => Value::Object(dict_to_map(d)),
        }
    }
}

/// [`Py::to_value`] of each member.
pub(super) fn dict_to_map(d: &Dict) -> Map<String, Value> {
    d.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()
}

/// `json.loads(bytes)`, or `None` where Python raises or the profile's bounds refuse.
pub(super) fn loads(bytes: &[u8]) -> Option<Py> {
    let text = decode_text(bytes)?;
    // Python's reader refuses a byte-order mark left after decoding.
    if text.starts_with('\u{feff}') {
        return None;
    }
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.whitespace();
    let v = p.value(0)?;
    p.whitespace();
    (p.i == p.s.len()).then_some(v)
}

/// The text of a segment, in the encoding `json.detect_encoding` picks; `None` for bytes that
/// do not decode or that hold a surrogate code point (which Python would pass on).
fn decode_text(b: &[u8]) -> Option<String> {
    let utf8 = |b: &[u8]| std::str::from_utf8(b).ok().map(str::to_owned);
    if let Some(rest) = b.strip_prefix(b"\x00\x00\xfe\xff") {
        utf32(rest, u32::from_be_bytes)
    } else if let Some(rest) = b.strip_prefix(b"\xff\xfe\x00\x00") {
        utf32(rest, u32::from_le_bytes)
    } else if let Some(rest) = b.strip_prefix(b"\xfe\xff") {
        utf16(rest, u16::from_be_bytes)
    } else if let Some(rest) = b.strip_prefix(b"\xff\xfe") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = b.strip_prefix(b"\xef\xbb\xbf") {
        utf8(rest)
    } else if b.len() >= 4 && b[0] == 0 {
        if b[1] != 0 {
            utf16(b, u16::from_be_bytes)
        } else {
            utf32(b, u32::from_be_bytes)
        }
    } else if b.len() >= 4 && b[1] == 0 {
        if b[2] != 0 || b[3] != 0 {
            utf16(b, u16::from_le_bytes)
        } else {
            utf32(b, u32::from_le_bytes)
        }
    } else if b.len() == 2 && b[0] == 0 {
        utf16(b, u16::from_be_bytes)
    } else if b.len() == 2 && b[1] == 0 {
        utf16(b, u16::from_le_bytes)
    } else {
        utf8(b)
    }
}

fn utf16(b: &[u8], unit: fn([u8; 2]) -> u16) -> Option<String> {
    if b.len() % 2 != 0 {
        return None;
    }
    let units = b.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

fn utf32(b: &[u8], unit: fn([u8; 4]) -> u32) -> Option<String> {
    if b.len() % 4 != 0 {
        return None;
    }
    b.chunks_exact(4)
        .map(|c| char::from_u32(unit([c[0], c[1], c[2], c[3]])))
        .collect()
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, word: &[u8]) -> bool {
        let found = self.s[self.i..].starts_with(word);
        if found {
            self.i += word.len();
        }
        found
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    /// One value; `depth` arrays and objects enclose it.
    fn value(&mut self, depth: usize) -> Option<Py> {
        match self.peek()? {
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' => self.dict(depth + 1),
            b'[' => self.list(depth + 1),
            b'"' => self.string().map(Py::Str),
            _ if self.eat(b"null") => Some(Py::Null),
            _ if self.eat(b"true") => Some(Py::Bool(true)),
            _ if self.eat(b"false") => Some(Py::Bool(false)),
            _ if self.eat(b"NaN") => Some(Py::Float(f64::NAN)),
            _ if self.eat(b"Infinity") => Some(Py::Float(f64::INFINITY)),
            _ if self.eat(b"-Infinity") => Some(Py::Float(f64::NEG_INFINITY)),
            _ => self.number(),
        }
    }

    fn dict(&mut self, depth: usize) -> Option<Py> {
        self.i += 1;
        let mut d = Dict::new();
        self.whitespace();
        if self.eat(b"}") {
            return Some(Py::Dict(d));
        }
        loop {
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.whitespace();
            if !self.eat(b":") {
                return None;
            }
            self.whitespace();
            let v = self.value(depth)?;
            // The last duplicate wins.
            d.insert(key, v);
            self.whitespace();
            if self.eat(b"}") {
                return Some(Py::Dict(d));
            }
            if !self.eat(b",") {
                return None;
            }
            self.whitespace();
        }
    }

    fn list(&mut self, depth: usize) -> Option<Py> {
        self.i += 1;
        let mut l = Vec::new();
        self.whitespace();
        if self.eat(b"]") {
            return Some(Py::List(l));
        }
        loop {
            l.push(self.value(depth)?);
            self.whitespace();
            if self.eat(b"]") {
                return Some(Py::List(l));
            }
            if !self.eat(b",") {
                return None;
            }
            self.whitespace();
        }
    }

    /// A string after its opening quote; control characters are refused (Python's strict
    /// mode), and so is an escape that leaves a lone surrogate.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            // The stops are ASCII, so the run is whole UTF-8.
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    out.push(self.escape()?);
                }
                _ => return None,
            }
        }
    }

    fn escape(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        Some(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xd800..0xdc00).contains(&high) && self.eat(b"\\u") {
                    let low = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return None;
                    }
                    char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?
                } else {
                    // A lone surrogate fails here.
                    char::from_u32(high)?
                }
            }
            _ => return None,
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        if !h.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`, as Python's scanner matches it.
    fn number(&mut self) -> Option<Py> {
        let start = self.i;
        let negative = self.eat(b"-");
        let int_digits = match self.peek()? {
            b'0' => {
                self.i += 1;
                1
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        };
        let mut float = false;
        if self.peek() == Some(b'.') && self.s.get(self.i + 1).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
            self.digits();
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            let mark = self.i;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                self.i = mark;
            } else {
                float = true;
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        if float {
            // Correctly rounded, infinite past the double range, as Python's float().
            return text.parse().ok().map(Py::Float);
        }
        if int_digits > MAX_INT_DIGITS {
            return None;
        }
        let magnitude = &text[usize::from(negative)..];
        let exact = magnitude.bytes().try_fold(0i128, |acc, c| {
            acc.checked_mul(10)?.checked_add(i128::from(c - b'0'))
        });
        Some(match exact {
            Some(m) => Py::Int(if negative { -m } else { m }),
            None => Py::BigInt(text.parse().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: &Py, k: &str) -> Py {
        match v {
            Py::Dict(d) => d[k].clone(),
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn python_extensions() {
        let v = loads(br#"{"a":NaN,"b":-Infinity,"c":1e400,"d":1,"d":2,"e":-0}"#).unwrap();
        assert!(matches!(key(&v, "a"), Py::Float(f) if f.is_nan()));
        assert_eq!(key(&v, "b"), Py::Float(f64::NEG_INFINITY));
        assert_eq!(key(&v, "c"), Py::Float(f64::INFINITY));
        assert_eq!(key(&v, "d"), Py::Int(2));
        assert_eq!(key(&v, "e"), Py::Int(0));
        let big = format!("[-1{}]", "0".repeat(400));
        assert_eq!(
            loads(big.as_bytes()),
            Some(Py::List(vec![Py::BigInt(f64::NEG_INFINITY)]))
        );
        assert!(loads(format!("[{}]", "1".repeat(4300)).as_bytes()).is_some());
        assert!(loads(format!("[{}]", "1".repeat(4301)).as_bytes()).is_none());
    }

    #[test]
    fn encodings_and_surrogates() {
        let utf16: Vec<u8> = "{\"a\":\"\u{e9}\"}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(key(&loads(&utf16).unwrap(), "a"), Py::Str("\u{e9}".into()));
        assert!(loads(b"\xef\xbb\xbf{}").is_some());
        assert!(loads(b"\xef\xbb\xbf\xef\xbb\xbf{}").is_none());
        assert_eq!(
            loads(br#""\ud83d\ude00""#),
            Some(Py::Str("\u{1f600}".into()))
        );
        for lone in [&br#""\ud800""#[..], br#""\udc00""#, br#""\ud800\u0041""#] {
            assert!(loads(lone).is_none());
        }
        assert!(loads(b"\"\xed\xa0\x80\"").is_none());
    }

    #[test]
    fn grammar_and_depth() {
        for bad in [
            &b"01"[..],
            b"1.",
            b"1e",
            b"[1,]",
            b"{\"a\":1,}",
            b"-",
            b"\"\x01\"",
            b"nan",
            b"+1",
            b"{} x",
        ] {
            assert!(loads(bad).is_none(), "{:?}", String::from_utf8_lossy(bad));
        }
        let nest = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d));
        assert!(loads(nest(MAX_DEPTH).as_bytes()).is_some());
        assert!(loads(nest(MAX_DEPTH + 1).as_bytes()).is_none());
    }
}
