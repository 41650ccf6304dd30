//! The value model: what `json.loads` returns, kept close to the source text.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use super::reader::match_int_digits;
use super::{JsonStr, PY_INT_MAX_STR_DIGITS};

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
