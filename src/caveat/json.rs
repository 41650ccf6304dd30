//! JSON exactly as CPython 3.11's `json` module reads and writes it.
//!
//! PyPI (Warehouse) reads every caveat with `json.loads(caveat_str)` and serializes caveats with
//! `json.dumps(obj, sort_keys=True, separators=(",", ":"))`. Python's `json` is not RFC 8259:
//! it accepts `NaN`, `Infinity` and `-Infinity`, keeps lone UTF-16 surrogates from `\u`
//! escapes, lets duplicate object keys through (the last one wins), reads integers of any size
//! (up to the 4300-digit limit of `int(str)`), and fails on deep nesting with `RecursionError`.
//! A verifier that must agree with PyPI byte for byte has to read and write exactly that
//! language, so this module reproduces it:
//!
//! - [`parse`] accepts exactly the strings `json.loads(s)` accepts (for a `str` argument), fails
//!   where it fails with Python's own message and position (as a byte offset), and keeps enough
//!   of the source ([`Int`] as decimal text, [`JsonStr`] undecoded, every object member in
//!   source order) that no information is lost and a strict reader can detect duplicates;
//! - [`dumps_sorted_compact`] writes what `json.dumps(json.loads(s), sort_keys=True,
//!   separators=(",", ":"))` writes, byte for byte.
//!
//! Neither recurses on the Rust stack: nesting is handled with explicit stacks, bounded by
//! [`Limits::max_depth`].

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Bounds applied while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of arrays and objects accepted: `[]` has depth 1, `[[]]` depth 2, a
    /// scalar depth 0. One more opening bracket fails with [`JsonError::TooDeep`].
    ///
    /// This stands in for CPython's `RecursionError`: its C scanner spends one unit of the
    /// interpreter's recursion limit (1000) per array or object, on top of the Python frames
    /// already on the stack. Called from a module's top level (`<module>`, `loads`, `decode`,
    /// `raw_decode`: 4 frames) `json.loads` accepts 995 nested containers and fails at 996;
    /// every extra caller frame lowers that by one. Reporting most syntax errors costs Python 3
    /// more levels, so such an error within 2 levels of the limit is `TooDeep` too, exactly as
    /// CPython turns it into `RecursionError` (see [`PY_ERROR_REPORT_DEPTH`]); with `max_depth`
    /// set to CPython's accepting depth in some call context, [`parse`] then agrees with
    /// `json.loads` there on every input.
    ///
    /// It also bounds the recursion of dropping the parsed [`Value`] (Rust's drop glue
    /// recurses), so keep it to a few thousand.
    pub max_depth: usize,
}

/// Why [`parse`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// `json.JSONDecodeError`: `message` is Python's `msg` verbatim (e.g. `Expecting value`,
    /// `Extra data`, `Invalid \uXXXX escape`) and `offset` is Python's `pos` converted from a
    /// character index to a byte offset into the input.
    #[error("{message}: byte {offset}")]
    Syntax {
        /// Python's message, without the position.
        message: &'static str,
        /// Byte offset of the position Python reports.
        offset: usize,
    },
    /// `RecursionError`: more nested arrays/objects than [`Limits::max_depth`]. Raised, as in
    /// Python, on reaching the opening bracket that is one too deep, so a syntax error before
    /// it wins and anything after it is never looked at. Also a syntax error raised within 2
    /// levels of the limit, which CPython cannot report for lack of recursion either (see
    /// [`PY_ERROR_REPORT_DEPTH`]).
    #[error("maximum nesting depth exceeded")]
    TooDeep,
    /// `ValueError: Exceeds the limit (4300 digits) for integer string conversion`. CPython
    /// 3.11 converts an integer literal with `int(text)`, which refuses more than 4300 digits
    /// (`sys.int_info.default_max_str_digits`; the `-` sign is not counted). A literal with a
    /// fraction or an exponent is a float and has no such limit.
    #[error("integer literal has {digits} digits, more than Python's limit of 4300")]
    IntTooLong {
        /// Digits in the literal, sign excluded.
        digits: usize,
    },
}

impl JsonError {
    /// Machine-readable code: `json.syntax`, `json.too_deep` or `json.int_too_long`.
    pub fn code(&self) -> &'static str {
        match self {
            JsonError::Syntax { .. } => "json.syntax",
            JsonError::TooDeep => "json.too_deep",
            JsonError::IntTooLong { .. } => "json.int_too_long",
        }
    }
}

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

/// CPython's `sys.int_info.default_max_str_digits`.
pub const PY_INT_MAX_STR_DIGITS: usize = 4300;

/// A parsed JSON value, borrowing from the input.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    /// `null` (Python `None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal (no fraction, no exponent): a Python `int` of any size.
    Int(Int<'a>),
    /// A literal with a fraction or exponent, or `NaN`/`Infinity`/`-Infinity`: a Python
    /// `float` (IEEE double, correctly rounded; `1e400` is infinite).
    Float(f64),
    /// A string.
    Str(JsonStr<'a>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object: every member in source order, duplicates included. Python keeps the last
    /// value of a repeated key (at the position of the first); see [`Value::get`].
    Object(Vec<(JsonStr<'a>, Value<'a>)>),
}

impl<'a> Value<'a> {
    /// Python dict lookup: the value of the LAST member whose key equals `key`, as in the
    /// dict `json.loads` builds (later duplicates overwrite earlier ones). `None` for a
    /// missing key or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k.eq_str(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The JSON kind: `null`, `bool`, `int`, `float`, `string`, `array` or `object`.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

// ---- Int --------------------------------------------------------------------------------------

/// An integer literal of any size, kept as its decimal text (`-?(0|[1-9][0-9]*)`, at most 4300
/// digits). `-0` is Python's `int("-0")`, i.e. 0: it compares and formats as `0`.
/// `==` and `<` are numeric, as in Python (`-0 == 0`, `-2 < -1`, any size).
#[derive(Debug, Clone)]
pub struct Int<'a> {
    text: &'a str,
}

impl<'a> Int<'a> {
    /// An integer from its literal text, if the text is a JSON integer that Python would read
    /// (sign, no leading zeros, at most 4300 digits).
    pub fn from_literal(text: &'a str) -> Option<Int<'a>> {
        let b = text.as_bytes();
        let start = usize::from(b.first() == Some(&b'-'));
        let end = match_int_digits(b, start)?;
        (end == b.len() && end - start <= PY_INT_MAX_STR_DIGITS).then_some(Int { text })
    }

    /// An integer from text the caller has matched against `-?(0|[1-9][0-9]*)` with at most
    /// 4300 digits.
    pub(crate) fn from_checked_literal(text: &'a str) -> Int<'a> {
        Int { text }
    }

    /// The literal exactly as written (may be `-0`).
    pub fn literal(&self) -> &'a str {
        self.text
    }

    fn magnitude(&self) -> &'a str {
        self.text.strip_prefix('-').unwrap_or(self.text)
    }

    /// The value as an `i64`, if it fits (`-0` is 0).
    pub fn as_i64(&self) -> Option<i64> {
        let neg = self.text.starts_with('-');
        let mut acc: i64 = 0;
        for d in self.magnitude().bytes() {
            let d = i64::from(d.wrapping_sub(b'0'));
            // Accumulate on the sign's side so that i64::MIN is reachable.
            acc = acc.checked_mul(10)?;
            acc = if neg {
                acc.checked_sub(d)?
            } else {
                acc.checked_add(d)?
            };
        }
        Some(acc)
    }

    /// True for a value below zero (`-0` is not).
    pub fn is_negative(&self) -> bool {
        self.text.starts_with('-') && self.magnitude() != "0"
    }

    /// Number of decimal digits, sign excluded (what Python's 4300-digit limit counts).
    pub fn digits(&self) -> usize {
        self.magnitude().len()
    }

    /// Exact comparison with an `i64`, for any magnitude (a literal that does not fit an `i64`
    /// is beyond every `i64` on its side of zero).
    pub fn cmp_i64(&self, other: i64) -> Ordering {
        match self.as_i64() {
            Some(v) => v.cmp(&other),
            None if self.is_negative() => Ordering::Less,
            None => Ordering::Greater,
        }
    }

    /// Python's `str(int)`: the canonical decimal text (`-0` becomes `0`). Exact at every size;
    /// borrowed unless the literal was `-0`.
    pub fn to_string_lossy(&self) -> Cow<'a, str> {
        if self.text == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(self.text)
        }
    }
}

impl Ord for Int<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_negative(), other.is_negative()) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (negative, _) => {
                // No leading zeros: a longer magnitude is a larger one.
                let (a, b) = (self.magnitude(), other.magnitude());
                let by_magnitude = a.len().cmp(&b.len()).then_with(|| a.cmp(b));
                if negative {
                    by_magnitude.reverse()
                } else {
                    by_magnitude
                }
            }
        }
    }
}

impl PartialOrd for Int<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Int<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Int<'_> {}

impl fmt::Display for Int<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

// ---- JsonStr ----------------------------------------------------------------------------------

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
fn hex4(s: &[u8]) -> Option<u16> {
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

// ---- the reader -------------------------------------------------------------------------------

const MSG_EXPECTING_VALUE: &str = "Expecting value";
const MSG_EXTRA_DATA: &str = "Extra data";
const MSG_PROPERTY_NAME: &str = "Expecting property name enclosed in double quotes";
const MSG_COLON: &str = "Expecting ':' delimiter";
const MSG_COMMA: &str = "Expecting ',' delimiter";
const MSG_UNTERMINATED: &str = "Unterminated string starting at";
const MSG_CONTROL: &str = "Invalid control character at";
const MSG_ESCAPE: &str = "Invalid \\escape";
const MSG_UXXXX: &str = "Invalid \\uXXXX escape";
const MSG_BOM: &str = "Unexpected UTF-8 BOM (decode using utf-8-sig)";

fn syntax(message: &'static str, offset: usize) -> JsonError {
    JsonError::Syntax { message, offset }
}

/// Python's JSON whitespace: only space, tab, LF and CR (not form feed, VT, NBSP or U+2028).
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

fn skip_digits(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// `0|[1-9][0-9]*` at `i`: the end of the match. Python reads `01` as `0` followed by `1`
/// (then "Extra data"), so a leading zero ends the integer part.
fn match_int_digits(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'0' => Some(i + 1),
        b'1'..=b'9' => Some(skip_digits(b, i + 1)),
        _ => None,
    }
}

/// Scans the string whose opening quote is at `q`; returns it and the offset after its closing
/// quote. Mirrors Python's decoder:
/// - a raw character below U+0020 is an error ("Invalid control character at" it); U+007F and
///   all non-ASCII text are accepted raw;
/// - `\` must be followed by one of `"\/bfnrtu` ("Invalid \escape" at the backslash);
/// - `\u` needs four hex digits (any case) AND at least one more character of input after them,
///   else "Invalid \uXXXX escape" at the `u`: the C scanner checks room for the digits plus a
///   closing quote before it reads them, so `"\u0041` (unterminated) reports the escape, not
///   the missing quote;
/// - running out of input is "Unterminated string starting at" the opening quote.
fn scan_string(input: &str, q: usize) -> Result<(JsonStr<'_>, usize), JsonError> {
    let b = input.as_bytes();
    let mut i = q + 1;
    let mut escaped = false;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(syntax(MSG_UNTERMINATED, q));
        };
        match c {
            b'"' => {
                let raw = input.get(q + 1..i).ok_or(syntax(MSG_UNTERMINATED, q))?;
                return Ok((JsonStr { raw, escaped }, i + 1));
            }
            b'\\' => {
                escaped = true;
                match b.get(i + 1) {
                    None => return Err(syntax(MSG_UNTERMINATED, q)),
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                    Some(b'u') => {
                        let u = i + 1;
                        let digits_ok = b.get(u + 1..).and_then(hex4).is_some();
                        if !digits_ok || b.len() <= u + 5 {
                            return Err(syntax(MSG_UXXXX, u));
                        }
                        // A following low-surrogate escape is checked by the same rule when
                        // the loop reaches it; pairing only matters when decoding.
                        i = u + 5;
                    }
                    Some(_) => return Err(syntax(MSG_ESCAPE, i)),
                }
            }
            0x00..=0x1F => return Err(syntax(MSG_CONTROL, i)),
            _ => i += 1,
        }
    }
}

/// Number at `start` (which holds `-` or a digit): `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`,
/// matched greedily with Python's backtracking: `1.` is `1` then a stray `.`, `1e` and `1e+`
/// are `1` then stray text. Without fraction and exponent it is an int (`int(text)`, 4300-digit
/// limit), otherwise `float(text)`.
fn scan_number(input: &str, start: usize) -> Result<(Value<'_>, usize), JsonError> {
    let b = input.as_bytes();
    let neg = b.get(start) == Some(&b'-');
    let int_start = start + usize::from(neg);
    let mut i = match_int_digits(b, int_start).ok_or(syntax(MSG_EXPECTING_VALUE, start))?;
    let int_end = i;
    let mut is_float = false;
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = skip_digits(b, i + 2);
        is_float = true;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            i = skip_digits(b, j + 1);
            is_float = true;
        }
    }
    let text = input
        .get(start..i)
        .ok_or(syntax(MSG_EXPECTING_VALUE, start))?;
    if is_float {
        // Rust's parser is correctly rounded like Python's float(): overflow gives ±inf,
        // underflow ±0.0, and it accepts every text this grammar matches.
        let f = text
            .parse::<f64>()
            .map_err(|_| syntax(MSG_EXPECTING_VALUE, start))?;
        return Ok((Value::Float(f), i));
    }
    let digits = int_end - int_start;
    if digits > PY_INT_MAX_STR_DIGITS {
        return Err(JsonError::IntTooLong { digits });
    }
    Ok((Value::Int(Int { text }), i))
}

enum Frame<'a> {
    Array(Vec<Value<'a>>),
    Object(Vec<(JsonStr<'a>, Value<'a>)>, JsonStr<'a>),
}

/// After `{`, or after `,` in an object (whitespace skipped): a key, whitespace, `:` and
/// whitespace. Returns the key and the offset of its value.
fn scan_key(input: &str, i: usize) -> Result<(JsonStr<'_>, usize), JsonError> {
    let b = input.as_bytes();
    if b.get(i) != Some(&b'"') {
        return Err(syntax(MSG_PROPERTY_NAME, i));
    }
    let (key, end) = scan_string(input, i)?;
    let colon = skip_ws(b, end);
    if b.get(colon) != Some(&b':') {
        return Err(syntax(MSG_COLON, colon));
    }
    Ok((key, skip_ws(b, colon + 1)))
}

/// Levels of Python recursion that reporting a syntax error from inside the C scanner costs
/// beyond the nesting it occurs at. The scanner raises most errors by calling the Python class
/// `JSONDecodeError`, whose `__init__` runs as Python code; near the recursion limit that call
/// itself raises `RecursionError`. Measured on CPython 3.11: where `json.loads` accepts `A`
/// nested arrays, such an error at nesting `A - 3` is reported as itself and at `A - 2` as
/// `RecursionError`. "Expecting value" (a `StopIteration` turned into the error at the top),
/// "Extra data" (raised at the top) and the 4300-digit `ValueError` (raised in C) cost nothing.
pub const PY_ERROR_REPORT_DEPTH: usize = 3;

/// An error raised by the scanner while `depth` containers are open: `RecursionError` instead
/// when Python would run out of recursion reporting it (see [`PY_ERROR_REPORT_DEPTH`]).
fn in_scanner(e: JsonError, depth: usize, limits: Limits) -> JsonError {
    match e {
        JsonError::Syntax { message, .. }
            if message != MSG_EXPECTING_VALUE
                && depth + PY_ERROR_REPORT_DEPTH > limits.max_depth =>
        {
            JsonError::TooDeep
        }
        e => e,
    }
}

/// Parses `input` exactly as CPython 3.11's `json.loads(input)` does (default arguments, a
/// `str` argument).
///
/// Besides RFC 8259 JSON it accepts `NaN`, `Infinity`, `-Infinity`, lone surrogate escapes,
/// duplicate keys and integers of up to 4300 digits. It refuses a leading U+FEFF (Python
/// raises "Unexpected UTF-8 BOM"), whitespace other than space/tab/LF/CR, trailing commas,
/// raw control characters in strings and anything after the value. Errors carry Python's
/// message and position; see [`JsonError`]. Never panics; the result is O(input) in size and
/// nesting beyond `limits.max_depth` stops with [`JsonError::TooDeep`].
///
/// # Errors
///
/// [`JsonError::Syntax`] where Python raises `JSONDecodeError`, [`JsonError::TooDeep`] where
/// it raises `RecursionError` (per [`Limits::max_depth`]), [`JsonError::IntTooLong`] where it
/// raises the 4300-digit `ValueError`. The first problem in reading order wins, as in Python.
pub fn parse(input: &str, limits: Limits) -> Result<Value<'_>, JsonError> {
    let b = input.as_bytes();
    if input.starts_with('\u{FEFF}') {
        return Err(syntax(MSG_BOM, 0));
    }
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut i = skip_ws(b, 0);
    'value: loop {
        // A value starts at `i` (whitespace before it already skipped).
        let mut value = match b.get(i) {
            Some(b'"') => {
                let (s, end) =
                    scan_string(input, i).map_err(|e| in_scanner(e, stack.len(), limits))?;
                i = end;
                Value::Str(s)
            }
            Some(&open @ (b'[' | b'{')) => {
                if stack.len() >= limits.max_depth {
                    return Err(JsonError::TooDeep);
                }
                let inner = skip_ws(b, i + 1);
                if open == b'[' {
                    if b.get(inner) == Some(&b']') {
                        i = inner + 1;
                        Value::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        i = inner;
                        continue 'value;
                    }
                } else if b.get(inner) == Some(&b'}') {
                    i = inner + 1;
                    Value::Object(Vec::new())
                } else {
                    let (key, at) = scan_key(input, inner)
                        .map_err(|e| in_scanner(e, stack.len() + 1, limits))?;
                    stack.push(Frame::Object(Vec::new(), key));
                    i = at;
                    continue 'value;
                }
            }
            Some(b'n') if b.get(i..i + 4) == Some(b"null") => {
                i += 4;
                Value::Null
            }
            Some(b't') if b.get(i..i + 4) == Some(b"true") => {
                i += 4;
                Value::Bool(true)
            }
            Some(b'f') if b.get(i..i + 5) == Some(b"false") => {
                i += 5;
                Value::Bool(false)
            }
            Some(b'N') if b.get(i..i + 3) == Some(b"NaN") => {
                i += 3;
                Value::Float(f64::NAN)
            }
            Some(b'I') if b.get(i..i + 8) == Some(b"Infinity") => {
                i += 8;
                Value::Float(f64::INFINITY)
            }
            Some(b'-') if b.get(i..i + 9) == Some(b"-Infinity") => {
                i += 9;
                Value::Float(f64::NEG_INFINITY)
            }
            Some(b'-' | b'0'..=b'9') => {
                let (v, end) = scan_number(input, i)?;
                i = end;
                v
            }
            _ => return Err(syntax(MSG_EXPECTING_VALUE, i)),
        };
        // A value ended at `i`: hand it to the enclosing container(s).
        loop {
            let depth = stack.len();
            let Some(frame) = stack.last_mut() else {
                let end = skip_ws(b, i);
                if end != b.len() {
                    return Err(syntax(MSG_EXTRA_DATA, end));
                }
                return Ok(value);
            };
            let after = skip_ws(b, i);
            match frame {
                Frame::Array(items) => {
                    items.push(value);
                    match b.get(after) {
                        Some(b',') => {
                            i = skip_ws(b, after + 1);
                            continue 'value;
                        }
                        Some(b']') => {}
                        _ => return Err(in_scanner(syntax(MSG_COMMA, after), depth, limits)),
                    }
                }
                Frame::Object(members, key) => {
                    members.push((key.clone(), value));
                    match b.get(after) {
                        Some(b',') => {
                            let (next_key, at) = scan_key(input, skip_ws(b, after + 1))
                                .map_err(|e| in_scanner(e, depth, limits))?;
                            *key = next_key;
                            i = at;
                            continue 'value;
                        }
                        Some(b'}') => {}
                        _ => return Err(in_scanner(syntax(MSG_COMMA, after), depth, limits)),
                    }
                }
            }
            // The container closed at `after`.
            i = after + 1;
            value = match stack.pop() {
                Some(Frame::Array(items)) => Value::Array(items),
                Some(Frame::Object(members, _)) => Value::Object(members),
                None => return Err(syntax(MSG_EXPECTING_VALUE, after)),
            };
        }
    }
}

// ---- the writer -------------------------------------------------------------------------------

/// Picks and orders an object's members for writing.
pub(crate) type MemberOrder =
    for<'v, 'a> fn(&'v [(JsonStr<'a>, Value<'a>)]) -> Vec<(&'v JsonStr<'a>, &'v Value<'a>)>;

/// How a value tree is written: the JSON writer and Python's `repr` differ only in these.
pub(crate) struct Style {
    /// Writes a value that is not an array or object.
    pub scalar: fn(&Value<'_>, &mut String),
    /// Writes an object key.
    pub key: fn(&JsonStr<'_>, &mut String),
    /// Between items and between members.
    pub item_sep: &'static str,
    /// Between a key and its value.
    pub key_sep: &'static str,
    /// The members to write, in order (duplicate keys collapsed as a Python dict does).
    pub members: MemberOrder,
}

enum Task<'v, 'a> {
    Value(&'v Value<'a>),
    Key(&'v JsonStr<'a>),
    Text(&'static str),
}

/// Writes `value` in `style`, iteratively: any depth is fine.
pub(crate) fn write_tree(value: &Value<'_>, style: &Style, out: &mut String) {
    let mut tasks: Vec<Task<'_, '_>> = vec![Task::Value(value)];
    while let Some(task) = tasks.pop() {
        match task {
            Task::Text(t) => out.push_str(t),
            Task::Key(k) => (style.key)(k, out),
            Task::Value(Value::Array(items)) => {
                out.push('[');
                tasks.push(Task::Text("]"));
                for (n, item) in items.iter().enumerate().rev() {
                    tasks.push(Task::Value(item));
                    if n > 0 {
                        tasks.push(Task::Text(style.item_sep));
                    }
                }
            }
            Task::Value(Value::Object(members)) => {
                out.push('{');
                tasks.push(Task::Text("}"));
                for (n, (k, v)) in (style.members)(members).into_iter().enumerate().rev() {
                    tasks.push(Task::Value(v));
                    tasks.push(Task::Text(style.key_sep));
                    tasks.push(Task::Key(k));
                    if n > 0 {
                        tasks.push(Task::Text(style.item_sep));
                    }
                }
            }
            Task::Value(v) => (style.scalar)(v, out),
        }
    }
}

/// Object members as Python's dict from `json.loads` holds them, sorted as `sort_keys=True`
/// sorts them: one member per distinct key (Python `==` on the decoded strings), carrying the
/// LAST value given for it, in code point order of the keys.
pub fn sorted_members<'v, 'a>(
    members: &'v [(JsonStr<'a>, Value<'a>)],
) -> Vec<&'v (JsonStr<'a>, Value<'a>)> {
    let mut sorted: Vec<&(JsonStr<'a>, Value<'a>)> = members.iter().collect();
    // Stable: equal keys stay in source order, so the last of each run is the one kept.
    sorted.sort_by(|a, b| a.0.py_cmp(&b.0));
    let mut out: Vec<&(JsonStr<'a>, Value<'a>)> = Vec::with_capacity(sorted.len());
    for m in sorted {
        match out.last_mut() {
            Some(last) if last.0.py_eq(&m.0) => *last = m,
            _ => out.push(m),
        }
    }
    out
}

/// Appends `json.dumps(value, sort_keys=True, separators=(",", ":"))` as CPython 3.11 writes
/// it for the object `json.loads` built from the same text:
/// - objects: duplicate keys collapse to the last value (a Python dict), keys sorted by code
///   point;
/// - strings: `ensure_ascii=True` (the default): `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`,
///   every other character below U+0020 or above U+007E as `\u` plus four lower-case hex digits
///   (astral characters as a surrogate pair, lone surrogates as themselves); `/` is NOT escaped;
/// - ints: decimal, any size (`-0` becomes `0`, as `int("-0")` is 0);
/// - floats: `float.__repr__` (shortest round-trip digits); non-finite as `NaN`, `Infinity`,
///   `-Infinity` (`allow_nan=True` is the default).
///
/// Iterative: any depth is fine. (CPython itself can fail here where `json.loads` just
/// succeeded: at exactly the deepest nesting `loads` accepts, sorting an innermost object of
/// two or more keys compares keys, which costs one more level of recursion, and `dumps` raises
/// `RecursionError`. PyPI never serializes a caveat that deep.)
pub fn dumps_sorted_compact(value: &Value<'_>, out: &mut String) {
    write_tree(value, &JSON_STYLE, out);
}

const JSON_STYLE: Style = Style {
    scalar: |v, out| match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => out.push_str(&i.to_string_lossy()),
        Value::Float(f) => write_json_float(*f, out),
        Value::Str(s) => write_json_str(s, out),
        Value::Array(_) | Value::Object(_) => {}
    },
    key: write_json_str,
    item_sep: ",",
    key_sep: ":",
    members: |m| sorted_members(m).into_iter().map(|(k, v)| (k, v)).collect(),
};

/// A float as the JSON encoder writes it: `float.__repr__`, but `NaN`/`Infinity`/`-Infinity`.
fn write_json_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
    } else {
        super::pyfmt::float_repr(f, out);
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_u_escape(unit: u32, out: &mut String) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[((unit >> shift) & 0xF) as usize]));
    }
}

/// A string as `json.dumps` writes it with `ensure_ascii=True` (see [`dumps_sorted_compact`]).
pub fn write_json_str(s: &JsonStr<'_>, out: &mut String) {
    out.push('"');
    if !s.escaped && s.raw.bytes().all(|c| (0x20..0x7F).contains(&c)) {
        // No escapes in the source means no `"` or `\`; printable ASCII is copied as is.
        out.push_str(s.raw);
    } else {
        for cp in s.code_points() {
            push_json_code_point(cp, out);
        }
    }
    out.push('"');
}

fn push_json_code_point(cp: u32, out: &mut String) {
    match cp {
        0x22 => out.push_str("\\\""),
        0x5C => out.push_str("\\\\"),
        0x0A => out.push_str("\\n"),
        0x0D => out.push_str("\\r"),
        0x09 => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0C => out.push_str("\\f"),
        0x20..=0x7E => out.push(char::from(cp as u8)),
        0x1_0000.. => {
            let v = cp - 0x1_0000;
            push_u_escape(0xD800 | (v >> 10), out);
            push_u_escape(0xDC00 | (v & 0x3FF), out);
        }
        _ => push_u_escape(cp, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits { max_depth: 1000 };

    fn dumps(s: &str) -> String {
        let v = parse(s, L).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let mut out = String::new();
        dumps_sorted_compact(&v, &mut out);
        out
    }

    fn err(s: &str) -> JsonError {
        match parse(s, L) {
            Ok(v) => panic!("{s:?} parsed as {v:?}"),
            Err(e) => e,
        }
    }

    fn syn(message: &'static str, offset: usize) -> JsonError {
        JsonError::Syntax { message, offset }
    }

    #[test]
    fn round_trips_like_python() {
        // Expected outputs from CPython 3.11: json.dumps(json.loads(s), sort_keys=True,
        // separators=(",", ":")).
        let cases = [
            (
                " [1, 2.5, \"x\", null, true, false] ",
                "[1,2.5,\"x\",null,true,false]",
            ),
            (
                "{\"b\":1,\"a\":{\"d\":[],\"c\":{}}}",
                "{\"a\":{\"c\":{},\"d\":[]},\"b\":1}",
            ),
            ("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}"),
            ("{\"a\":1,\"\\u0061\":2}", "{\"a\":2}"),
            ("-0", "0"),
            ("-0.0", "-0.0"),
            ("-0e0", "-0.0"),
            ("1E5", "100000.0"),
            ("1e-5", "1e-05"),
            ("1e400", "Infinity"),
            ("-1e400", "-Infinity"),
            ("[NaN,Infinity,-Infinity]", "[NaN,Infinity,-Infinity]"),
            ("1.0000000000000000000000000001", "1.0"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("\"\\ud800\"", "\"\\ud800\""),
            ("\"\\ud83d\\ude00\"", "\"\\ud83d\\ude00\""),
            ("\"\\uD83D\\uDE00\"", "\"\\ud83d\\ude00\""),
            ("\"\\ud83dA\"", "\"\\ud83dA\""),
            ("\"\\ud800\\ud800\\udc00\"", "\"\\ud800\\ud800\\udc00\""),
            (
                "\"\u{7f}\u{e9}\u{1F600}/\\/\"",
                "\"\\u007f\\u00e9\\ud83d\\ude00//\"",
            ),
            (
                "\"\\b\\f\\n\\r\\t\\\"\\\\\\u0001\\u001f\"",
                "\"\\b\\f\\n\\r\\t\\\"\\\\\\u0001\\u001f\"",
            ),
            (
                "{\"\\ud800\":1,\"\\ud7ff\":2,\"\\ue000\":3,\"\\ud83d\\ude00\":4,\"\\uffff\":5}",
                "{\"\\ud7ff\":2,\"\\ud800\":1,\"\\ue000\":3,\"\\uffff\":5,\"\\ud83d\\ude00\":4}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(dumps(input), want, "{input:?}");
        }
    }

    #[test]
    fn errors_carry_pythons_message_and_position() {
        let cases = [
            ("", syn(MSG_EXPECTING_VALUE, 0)),
            ("  ", syn(MSG_EXPECTING_VALUE, 2)),
            ("01", syn(MSG_EXTRA_DATA, 1)),
            ("-", syn(MSG_EXPECTING_VALUE, 0)),
            (".5", syn(MSG_EXPECTING_VALUE, 0)),
            ("1.", syn(MSG_EXTRA_DATA, 1)),
            ("1e", syn(MSG_EXTRA_DATA, 1)),
            ("[1.]", syn(MSG_COMMA, 2)),
            ("-NaN", syn(MSG_EXPECTING_VALUE, 0)),
            ("Infinity1", syn(MSG_EXTRA_DATA, 8)),
            ("[1,]", syn(MSG_EXPECTING_VALUE, 3)),
            ("{\"a\":1,}", syn(MSG_PROPERTY_NAME, 7)),
            ("{\"a\":1, }", syn(MSG_PROPERTY_NAME, 8)),
            ("{\"a\" 1}", syn(MSG_COLON, 5)),
            ("{1:1}", syn(MSG_PROPERTY_NAME, 1)),
            ("\u{feff}1", syn(MSG_BOM, 0)),
            (" \u{feff}1", syn(MSG_EXPECTING_VALUE, 1)),
            ("\u{b}1", syn(MSG_EXPECTING_VALUE, 0)),
            ("\"\\ud83d\\ude00", syn(MSG_UXXXX, 8)),
            ("\"\\ud83d\\ude00x", syn(MSG_UNTERMINATED, 0)),
            ("\"ab\\u0041", syn(MSG_UXXXX, 4)),
            ("\"\\u+123\"", syn(MSG_UXXXX, 2)),
            ("\"ab\\x\"", syn(MSG_ESCAPE, 3)),
            ("\"ab\\", syn(MSG_UNTERMINATED, 0)),
            ("\"\u{e9}\u{1}\"", syn(MSG_CONTROL, 3)),
            ("[1 2]", syn(MSG_COMMA, 3)),
            ("[1]x", syn(MSG_EXTRA_DATA, 3)),
            ("tru", syn(MSG_EXPECTING_VALUE, 0)),
            ("True", syn(MSG_EXPECTING_VALUE, 0)),
        ];
        for (input, want) in cases {
            assert_eq!(err(input), want, "{input:?}");
        }
    }

    #[test]
    fn int_digit_limit_excludes_the_sign() {
        let ok = "7".repeat(4300);
        assert!(matches!(parse(&ok, L), Ok(Value::Int(_))));
        assert!(matches!(parse(&format!("-{ok}"), L), Ok(Value::Int(_))));
        let long = "7".repeat(4301);
        assert_eq!(err(&long), JsonError::IntTooLong { digits: 4301 });
        assert_eq!(
            err(&format!("-{long}")),
            JsonError::IntTooLong { digits: 4301 }
        );
        // The conversion happens before the stray text after it is seen.
        assert_eq!(
            err(&format!("{long}x")),
            JsonError::IntTooLong { digits: 4301 }
        );
        // A float of any length is fine.
        assert!(matches!(parse(&format!("{long}.0"), L), Ok(Value::Float(f)) if f.is_infinite()));
        assert_eq!(err(&long).code(), "json.int_too_long");
    }

    #[test]
    fn depth_is_bounded() {
        let lim = Limits { max_depth: 3 };
        assert!(parse("[[[1]]]", lim).is_ok());
        assert!(parse("[{\"a\":[]}]", lim).is_ok());
        assert_eq!(parse("[[[[1]]]]", lim).map(|_| ()), Err(JsonError::TooDeep));
        assert_eq!(
            parse("[{\"a\":[{}]}]", lim).map(|_| ()),
            Err(JsonError::TooDeep)
        );
        // A syntax error before the too-deep bracket wins; anything after it is not read.
        assert_eq!(
            parse("[[x,[[", lim).map(|_| ()),
            Err(syn(MSG_EXPECTING_VALUE, 2))
        );
        assert_eq!(parse("[[[[x", lim).map(|_| ()), Err(JsonError::TooDeep));
        assert_eq!(parse("1", Limits { max_depth: 0 }).map(|_| ()), Ok(()));
        assert_eq!(
            parse("[]", Limits { max_depth: 0 }).map(|_| ()),
            Err(JsonError::TooDeep)
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(&deep, L).map(|_| ()), Err(JsonError::TooDeep));
        assert_eq!(JsonError::TooDeep.code(), "json.too_deep");
    }

    #[test]
    fn ints_compare_exactly() {
        let int = |s: &'static str| match parse(s, L) {
            Ok(Value::Int(i)) => i,
            other => panic!("{other:?}"),
        };
        assert_eq!(int("-0").as_i64(), Some(0));
        assert!(!int("-0").is_negative());
        assert_eq!(int("-0").to_string(), "0");
        assert_eq!(int("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(int("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(int("9223372036854775808").as_i64(), None);
        assert_eq!(
            int("9223372036854775808").cmp_i64(i64::MAX),
            Ordering::Greater
        );
        assert_eq!(
            int("-9223372036854775809").cmp_i64(i64::MIN),
            Ordering::Less
        );
        assert_eq!(int("-5").cmp_i64(-5), Ordering::Equal);
        assert_eq!(int("-123").digits(), 3);
        assert_eq!(Int::from_literal("01"), None);
        assert_eq!(Int::from_literal("-"), None);
        assert_eq!(Int::from_literal("-12").map(|i| i.literal()), Some("-12"));
    }

    #[test]
    fn strings_decode_like_python() {
        let s = |src: &'static str| match parse(src, L) {
            Ok(Value::Str(s)) => s,
            other => panic!("{other:?}"),
        };
        assert!(matches!(
            s("\"plain\"").decode(),
            Ok(Cow::Borrowed("plain"))
        ));
        assert_eq!(s("\"a\\u00E9\\/\"").decode().as_deref(), Ok("a\u{e9}/"));
        assert_eq!(s("\"\\ud83d\\ude00\"").decode().as_deref(), Ok("\u{1F600}"));
        assert_eq!(
            s("\"x\\udc00\"").decode(),
            Err(LoneSurrogate { code_unit: 0xDC00 })
        );
        assert!(s("\"\\u0061b\"").eq_str("ab"));
        assert!(!s("\"\\ud800\"").eq_str("\u{FFFD}"));
        assert!(s("\"\\ud83d\\ude00\"").eq_str("\u{1F600}"));
        let units: Vec<u16> = s("\"\\ud800\\ud83d\\ude00\"").utf16_units().collect();
        assert_eq!(units, [0xD800, 0xD83D, 0xDE00]);
        assert!(JsonStr::from_escaped("a\\u0041").is_some());
        assert!(JsonStr::from_escaped("a\"").is_none());
        assert!(JsonStr::from_escaped("\\").is_none());
    }

    #[test]
    fn errors_near_the_limit_are_recursion_errors() {
        // CPython, where json.loads accepts A nested arrays: a "Expecting ',' delimiter" raised
        // at nesting A-3 is reported, at A-2 it becomes RecursionError (raising costs frames).
        let lim = Limits { max_depth: 10 };
        let at = |n: usize, tail: &str| parse(&format!("{}{tail}", "[".repeat(n)), lim).map(|_| ());
        assert_eq!(at(7, "1"), Err(syn(MSG_COMMA, 8)));
        assert_eq!(at(8, "1"), Err(JsonError::TooDeep));
        assert_eq!(at(7, "\"\\x\""), Err(syn(MSG_ESCAPE, 8)));
        assert_eq!(at(8, "\"\\x\""), Err(JsonError::TooDeep));
        // "Expecting value" is raised at the top from a StopIteration: no cost.
        assert_eq!(at(10, "x"), Err(syn(MSG_EXPECTING_VALUE, 10)));
        // The 4300-digit ValueError is raised in C: no cost.
        assert_eq!(
            at(10, &"1".repeat(4301)),
            Err(JsonError::IntTooLong { digits: 4301 })
        );
        assert_eq!(at(11, ""), Err(JsonError::TooDeep));
        let ok = format!("{}{}", "[".repeat(10), "]".repeat(10));
        assert!(parse(&ok, lim).is_ok());
    }

    #[test]
    fn never_panics_on_token_soup() {
        const PIECES: &[&str] = &[
            "[",
            "]",
            "{",
            "}",
            ",",
            ":",
            "\"",
            "\\",
            "u",
            "d8",
            "00",
            "dc",
            "0",
            "1",
            "-",
            ".",
            "e",
            "+",
            " ",
            "\n",
            "\u{1}",
            "\u{e9}",
            "\u{1F600}",
            "\u{feff}",
            "NaN",
            "Infinity",
            "true",
            "null",
            "\\u",
            "x",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let n = (next() % 24) as usize;
            let s: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            if let Ok(v) = parse(&s, Limits { max_depth: 6 }) {
                let mut out = String::new();
                dumps_sorted_compact(&v, &mut out);
                // The output is JSON Python reads back to the same output.
                let again = parse(&out, Limits { max_depth: 6 }).expect("re-parses");
                let mut out2 = String::new();
                dumps_sorted_compact(&again, &mut out2);
                assert_eq!(out, out2, "{s:?}");
                let mut text = String::new();
                super::super::pyfmt::py_str(&v, &mut text);
            }
        }
    }

    #[test]
    fn ints_and_strings_compare_like_python() {
        let ints = [
            "-100",
            "-99",
            "-1",
            "-0",
            "0",
            "1",
            "9",
            "10",
            "18446744073709551616",
        ];
        for (i, a) in ints.iter().enumerate() {
            for (j, b) in ints.iter().enumerate() {
                let (x, y) = (
                    Int::from_literal(a).expect("int"),
                    Int::from_literal(b).expect("int"),
                );
                let want = if (i == 3 && j == 4) || (i == 4 && j == 3) {
                    Ordering::Equal
                } else {
                    i.cmp(&j)
                };
                assert_eq!(x.cmp(&y), want, "{a} vs {b}");
            }
        }
        let s = |raw| JsonStr::from_escaped(raw).expect("valid");
        assert_eq!(s("a"), s("\\u0061"));
        assert_ne!(s("\\ud800"), s("\\ud800\\udc00"));
        assert_eq!(s("\\ud800").py_cmp(&s("\\ud7ff")), Ordering::Greater);
        assert_eq!(s("\\ud800").py_cmp(&s("\\ue000")), Ordering::Less);
        assert_eq!(s("\\uffff").py_cmp(&s("\u{10000}")), Ordering::Less);
    }

    #[test]
    fn get_finds_the_last_duplicate() {
        let v = parse("{\"a\":1,\"b\":2,\"\\u0061\":3}", L).expect("parses");
        assert!(matches!(v.get("a"), Some(Value::Int(i)) if i.literal() == "3"));
        assert!(v.get("c").is_none());
        assert_eq!(v.kind(), "object");
        assert!(parse("[]", L).expect("parses").get("a").is_none());
    }
}
