//! The reader: CPython 3.11's JSON scanner, its messages and positions, without recursion.

use super::string::hex4;
use super::{Int, JsonError, JsonStr, Limits, Value, PY_INT_MAX_STR_DIGITS};

pub(super) const MSG_EXPECTING_VALUE: &str = "Expecting value";
pub(super) const MSG_EXTRA_DATA: &str = "Extra data";
pub(super) const MSG_PROPERTY_NAME: &str = "Expecting property name enclosed in double quotes";
pub(super) const MSG_COLON: &str = "Expecting ':' delimiter";
pub(super) const MSG_COMMA: &str = "Expecting ',' delimiter";
pub(super) const MSG_UNTERMINATED: &str = "Unterminated string starting at";
pub(super) const MSG_CONTROL: &str = "Invalid control character at";
pub(super) const MSG_ESCAPE: &str = "Invalid \\escape";
pub(super) const MSG_UXXXX: &str = "Invalid \\uXXXX escape";
pub(super) const MSG_BOM: &str = "Unexpected UTF-8 BOM (decode using utf-8-sig)";

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
pub(super) fn match_int_digits(b: &[u8], i: usize) -> Option<usize> {
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
pub(super) fn scan_string(input: &str, q: usize) -> Result<(JsonStr<'_>, usize), JsonError> {
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
                return Ok((JsonStr::scanned(raw, escaped), i + 1));
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
    Ok((Value::Int(Int::from_checked_literal(text)), i))
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
