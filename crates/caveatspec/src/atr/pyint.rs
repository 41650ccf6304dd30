//! Python's `int(v)` on a value its JSON reader produced, as PyJWT applies it to `exp`, `nbf`
//! and `iat`.

use super::pyjson::Py;
use super::python_unicode::{DIGIT_ZEROS, SPACES};

/// `int()` of a string refuses more digits than this (Python's default limit).
pub(super) const MAX_INT_DIGITS: usize = 4300;

/// `int(v)`, or `None` where Python raises. Floats truncate toward zero (NaN and infinities
/// raise), `true`/`false` are 1/0, strings are read by [`int_of_str`]. Values beyond `i128`
/// saturate, which keeps every comparison with a Unix time exact.
pub(super) fn python_int(v: &Py) -> Option<i128> {
    match v {
        Py::Bool(b) => Some(i128::from(*b)),
        Py::Int(i) => Some(*i),
        // Beyond i128 either way: saturate.
        Py::BigInt(f) => Some(if f.is_sign_negative() {
            i128::MIN
        } else {
            i128::MAX
        }),
        // `as` saturates.
        Py::Float(f) => f.is_finite().then(|| f.trunc() as i128),
        Py::Str(s) => int_of_str(s),
        _ => None,
    }
}

/// The decimal value of a character Python counts as a decimal digit (Unicode category Nd).
pub(super) fn decimal(c: char) -> Option<u8> {
    let c = u32::from(c);
    let i = DIGIT_ZEROS.partition_point(|&z| z <= c).checked_sub(1)?;
    let d = c - DIGIT_ZEROS[i];
    // Below 10, so the cast is exact.
    (d < 10).then_some(d as u8)
}

/// Whether Python's `str.isspace()` holds for a character above U+007F.
fn non_ascii_space(c: char) -> bool {
    SPACES.binary_search(&u32::from(c)).is_ok()
}

/// `int(s)` for a string: CPython first maps each character above U+007E to an ASCII one (a
/// Unicode space to a space, a decimal digit of any script to its ASCII digit, anything else
/// to an invalid character), then reads base 10: ASCII whitespace (space, `\t\n\v\f\r`) around
/// it, an optional sign, digits with single `_` between them, at most [`MAX_INT_DIGITS`].
pub(super) fn int_of_str(s: &str) -> Option<i128> {
    let ascii: Vec<u8> = s
        .chars()
        .map(|c| match c {
            // Lossless: below 127.
            '\0'..='\x7e' => c as u8,
            _ if non_ascii_space(c) => b' ',
            _ => decimal(c).map_or(b'?', |d| b'0' + d),
        })
        .collect();
    let inner = |c: &u8| !PY_SPACE.contains(c);
    let t = match (ascii.iter().position(inner), ascii.iter().rposition(inner)) {
        (Some(start), Some(end)) => &ascii[start..=end],
        _ => return None,
    };
    int_of_str_ascii(t)
}

/// The ASCII whitespace Python's integer reader skips around the digits.
const PY_SPACE: &[u8] = b" \t\n\x0b\x0c\r";

fn int_of_str_ascii(t: &[u8]) -> Option<i128> {
    let (negative, digits) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, t),
    };
    let digit_at = |c: Option<&u8>| c.is_some_and(u8::is_ascii_digit);
    if !digit_at(digits.first()) || !digit_at(digits.last()) {
        return None;
    }
    let mut value: i128 = 0;
    let mut count = 0usize;
    let mut previous_underscore = false;
    for &c in digits {
        if c == b'_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        previous_underscore = false;
        count += 1;
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(c - b'0'));
    }
    if count > MAX_INT_DIGITS {
        return None;
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_of_strings() {
        assert_eq!(int_of_str(" 12 "), Some(12));
        assert_eq!(int_of_str("\x0b12\x0c"), Some(12));
        assert_eq!(int_of_str("1_000"), Some(1000));
        assert_eq!(int_of_str("-5"), Some(-5));
        assert_eq!(int_of_str("\u{3000}\u{0661}\u{0662}\u{00a0}"), Some(12));
        assert_eq!(int_of_str("1\u{1d7cf}"), Some(11));
        for bad in [
            "",
            "1__0",
            "_1",
            "1_",
            "1.5",
            "+",
            "x",
            "\x1c1",
            "1 2",
            "+ 1",
            "1\u{200b}",
            "\u{b2}",
        ] {
            assert_eq!(int_of_str(bad), None, "{bad:?}");
        }
        assert_eq!(int_of_str(&"9".repeat(4301)), None);
        assert_eq!(int_of_str(&"9".repeat(4300)), Some(i128::MAX));
    }

    #[test]
    fn every_script_reads_a_time() {
        for zero in DIGIT_ZEROS {
            let text: String = "1767227400"
                .bytes()
                .map(|d| char::from_u32(zero + u32::from(d - b'0')).unwrap())
                .collect();
            assert_eq!(int_of_str(&text), Some(1_767_227_400), "U+{zero:04X}");
        }
    }

    #[test]
    fn digit_table_runs_of_ten() {
        assert!(DIGIT_ZEROS.windows(2).all(|w| w[1] - w[0] >= 10));
        assert!(SPACES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(decimal('7'), Some(7));
        assert_eq!(decimal('\u{0669}'), Some(9));
        assert_eq!(decimal('\u{066a}'), None);
        assert_eq!(decimal('/'), None);
    }
}
