//! Python's `str()` and `repr()` of the objects `json.loads` produces, for the messages PyPI
//! builds with f-strings (`f"caveat has unknown tag: {tag}"`) and `repr()` of a project name.
//!
//! Everything is written iteratively, so nesting depth never grows the Rust stack.

use super::json::{write_tree, JsonStr, Style, Value};

/// Python's `repr(float)` (`float.__repr__`, CPython's "short" repr): the shortest digit
/// string that reads back to the same double, written positionally when the decimal exponent
/// `e` (value = d.ddd × 10^e) satisfies -5 < e < 16 and in exponent form otherwise; `.0` is
/// added to a positional integer, the exponent has a sign and at least two digits:
/// `1.0`, `0.0001`, `1e-05`, `1234567890123456.0`, `1e+16`, `1.5e+300`, `5e-324`, `-0.0`.
/// Non-finite values are `nan`, `inf`, `-inf` (the JSON writer spells them differently).
pub fn float_repr(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    if f == 0.0 {
        out.push_str("0.0");
        return;
    }
    let sci = shortest_digits(f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let n = digits.len() as i32;
    if (-5 < exp) && (exp < 16) {
        if exp >= 0 {
            let int_len = (exp + 1) as usize;
            if digits.len() <= int_len {
                out.push_str(&digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                let (a, b) = digits.split_at(int_len);
                out.push_str(a);
                out.push('.');
                out.push_str(b);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if n > 1 {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    }
}

/// The shortest round-trip digits of a finite positive `f` in Rust's `{:e}` form (`d.ddde±x`),
/// chosen as Python's `repr` chooses them.
///
/// Rust's `{:e}` without a precision gives the shortest digit count that reads back to `f` and
/// the closest such digits, like CPython's `dtoa` mode 0, except on an exact tie: for
/// 11075707545.7890625 both `…789062` and `…789063` are shortest and equally close; Python
/// rounds half to even (`…789062`) and Rust's shortest mode does not. Rust's fixed-precision
/// mode is exact and rounds half to even, so the correctly rounded string of the same length
/// is preferred whenever it also reads back to `f`.
fn shortest_digits(f: f64) -> String {
    let shortest = format!("{f:e}");
    let len = shortest
        .split('e')
        .next()
        .map_or(1, |m| m.bytes().filter(u8::is_ascii_digit).count());
    let rounded = format!("{:.*e}", len.saturating_sub(1), f);
    if rounded != shortest && rounded.parse::<f64>().ok() == Some(f) {
        rounded
    } else {
        shortest
    }
}

/// Python's `str(obj)` for the object `json.loads` produced, as an f-string interpolates it:
/// - int: decimal (`-0` is `0`); float: [`float_repr`] (`nan`, `inf`, `-inf`);
/// - `None`, `True`, `False`;
/// - string: the decoded text itself, unquoted. A lone surrogate, which Python would keep in
///   its `str`, is written as U+FFFD here because a Rust `String` cannot hold it;
/// - list/dict: `repr`, as Python's `str(list)` is its repr: `[1, 'a', None]`,
///   `{'a': 1.5, 'b': [True]}`, strings by [`py_repr_str`]'s rules (lone surrogates inside a
///   container are exact: repr escapes them as `\ud800`). A dict shows each distinct key once,
///   at the position of its first occurrence, with its last value, like the dict
///   `json.loads` builds.
pub fn py_str(value: &Value<'_>, out: &mut String) {
    match value {
        Value::Str(s) => match s.decode() {
            Ok(text) => out.push_str(&text),
            Err(_) => out.extend(
                s.code_points()
                    .map(|cp| char::from_u32(cp).unwrap_or('\u{FFFD}')),
            ),
        },
        other => py_repr(other, out),
    }
}

/// Python's `repr(obj)` for the object `json.loads` produced (see [`py_str`]).
pub fn py_repr(value: &Value<'_>, out: &mut String) {
    write_tree(value, &REPR_STYLE, out);
}

const REPR_STYLE: Style = Style {
    scalar: |v, out| match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Int(i) => out.push_str(&i.to_string_lossy()),
        Value::Float(f) => float_repr(*f, out),
        Value::Str(s) => repr_code_points(s.code_points(), out),
        Value::Array(_) | Value::Object(_) => {}
    },
    key: |k, out| repr_code_points(k.code_points(), out),
    item_sep: ", ",
    key_sep: ": ",
    members: dict_order,
};

/// One object member.
type Member<'v, 'a> = &'v (JsonStr<'a>, Value<'a>);

/// The dict `json.loads` builds from `members`: each distinct key once, at the position of its
/// first occurrence, with the value of its last.
fn dict_order<'v, 'a>(
    members: &'v [(JsonStr<'a>, Value<'a>)],
) -> Vec<(&'v JsonStr<'a>, &'v Value<'a>)> {
    let mut by_key: Vec<(usize, Member<'v, 'a>)> = members.iter().enumerate().collect();
    by_key.sort_by(|a, b| a.1 .0.py_cmp(&b.1 .0).then(a.0.cmp(&b.0)));
    // (index of the first occurrence, first member, last member) per distinct key.
    let mut groups: Vec<(usize, Member<'v, 'a>, Member<'v, 'a>)> = Vec::new();
    for (i, m) in by_key {
        match groups.last_mut() {
            Some(g) if g.1 .0.py_eq(&m.0) => g.2 = m,
            _ => groups.push((i, m, m)),
        }
    }
    groups.sort_by_key(|g| g.0);
    groups
        .into_iter()
        .map(|(_, first, last)| (&first.0, &last.1))
        .collect()
}

/// Python's `repr(str)`: single quotes unless the text contains `'` and no `"`, then double
/// quotes; the chosen quote and `\` are backslash-escaped; `\t`, `\n`, `\r` as such; other
/// characters that are not printable (see [`is_printable`]) as `\xNN`, `\uNNNN` or
/// `\UNNNNNNNN` (lower-case hex, shortest of the three that fits); printable text as is.
pub fn py_repr_str(s: &str, out: &mut String) {
    repr_code_points(s.chars().map(u32::from), out);
}

fn repr_code_points<I: Iterator<Item = u32> + Clone>(cps: I, out: &mut String) {
    let (mut single, mut double) = (false, false);
    for cp in cps.clone() {
        single |= cp == u32::from(b'\'');
        double |= cp == u32::from(b'"');
    }
    let quote = if single && !double { '"' } else { '\'' };
    out.push(quote);
    for cp in cps {
        match char::from_u32(cp) {
            Some(c) if c == quote || c == '\\' => {
                out.push('\\');
                out.push(c);
            }
            Some('\t') => out.push_str("\\t"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some(c) if is_printable(cp) => out.push(c),
            _ => {
                let (prefix, width) = match cp {
                    0..=0xFF => ("\\x", 2),
                    0x100..=0xFFFF => ("\\u", 4),
                    _ => ("\\U", 8),
                };
                out.push_str(prefix);
                for k in (0..width).rev() {
                    let nib = (cp >> (4 * k)) & 0xF;
                    out.push(char::from_digit(nib, 16).unwrap_or('0'));
                }
            }
        }
    }
    out.push(quote);
}

/// Code point ranges that Python's `str.isprintable` rejects, other than ASCII, in CPython
/// 3.11 (Unicode 14.0.0). Python calls a character non-printable if its category is Cc, Cf,
/// Cs, Co, Cn, Zl, Zp or Zs (except the ASCII space).
///
/// Exact for every ASSIGNED code point: all of Cc (C1 controls), Cf, Zs, Zl, Zp, Cs
/// (surrogates) and Co (private use) are listed. Unassigned code points (Cn) are covered only
/// where they form runs of 256 or more (whole unassigned blocks and planes) plus the 66
/// noncharacters; the 6,464 unassigned code points scattered inside assigned blocks are
/// treated as printable, where Python escapes them. Text that uses them is not a real name or
/// tag, so the approximation only shows in messages about deliberately odd input.
const NON_PRINTABLE: &[(u32, u32)] = &[
    (0x0080, 0x00A0), // C1 controls, NO-BREAK SPACE
    (0x00AD, 0x00AD), // SOFT HYPHEN
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200F), // spaces, zero-width and direction marks
    (0x2028, 0x202F), // line/paragraph separators, embeddings, narrow NBSP
    (0x205F, 0x2064),
    (0x2066, 0x206F),
    (0x3000, 0x3000),
    (0xD7FC, 0xF8FF), // 4 unassigned, surrogates, the BMP private use area
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x10D3A, 0x10E5F),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x11AF9, 0x11BFF),
    (0x11DAA, 0x11EDF),
    (0x12544, 0x12F8F),
    (0x13430, 0x143FF), // Egyptian hieroglyph format controls, then unassigned
    (0x14647, 0x167FF),
    (0x16B90, 0x16E3F),
    (0x18D09, 0x1AFEF),
    (0x1B2FC, 0x1BBFF),
    (0x1BCA0, 0x1CEFF), // shorthand format controls, then unassigned
    (0x1D173, 0x1D17A),
    (0x1DAB0, 0x1DEFF),
    (0x1E150, 0x1E28F),
    (0x1E300, 0x1E7DF),
    (0x1E960, 0x1EC70),
    (0x1EEF2, 0x1EFFF),
    (0x1FBFA, 0x1FFFF),
    (0x2EBE1, 0x2F7FF),
    (0x2FA1E, 0x2FFFF),
    (0x3134B, 0xE00FF), // planes 3-13 unassigned, language tags and tag characters
    (0xE01F0, 0x10FFFF), // unassigned, then the supplementary private use planes
];

/// Python's `str.isprintable()` for one code point: exact for ASCII (0x20..=0x7E printable)
/// and for every assigned character; unassigned code points are exact only in runs of 256 or
/// more and for noncharacters (the 6,464 others count as printable, where Python escapes them).
pub fn is_printable(cp: u32) -> bool {
    if cp < 0x80 {
        return (0x20..0x7F).contains(&cp);
    }
    // Noncharacters: U+FDD0..U+FDEF and the last two code points of every plane.
    if (0xFDD0..=0xFDEF).contains(&cp) || cp & 0xFFFE == 0xFFFE {
        return false;
    }
    let idx = NON_PRINTABLE.partition_point(|&(_, hi)| hi < cp);
    NON_PRINTABLE.get(idx).is_none_or(|&(lo, _)| lo > cp)
}

#[cfg(test)]
mod tests {
    use super::super::json::{parse, Limits};
    use super::*;

    fn repr_f(f: f64) -> String {
        let mut s = String::new();
        float_repr(f, &mut s);
        s
    }

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1e100, "1e+100"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e16, "1e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (0.1, "0.1"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (123.456, "123.456"),
            (-2.5e-7, "-2.5e-07"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (f, want) in cases {
            assert_eq!(repr_f(f), want);
        }
    }

    fn str_of(src: &str) -> String {
        let v = parse(src, Limits { max_depth: 100 }).expect("parses");
        let mut s = String::new();
        py_str(&v, &mut s);
        s
    }

    #[test]
    fn py_str_matches_python() {
        // Expected outputs from CPython 3.11: str(json.loads(src)).
        let cases = [
            ("5", "5"),
            ("-0", "0"),
            ("1e2", "100.0"),
            ("NaN", "nan"),
            ("-Infinity", "-inf"),
            ("null", "None"),
            ("true", "True"),
            ("\"a'b\"", "a'b"),
            ("\"x\\ud800\"", "x\u{FFFD}"),
            ("[1, \"a\", null, false, 2.5]", "[1, 'a', None, False, 2.5]"),
            ("{\"a\": 1.5}", "{'a': 1.5}"),
            ("{\"b\":1,\"a\":2,\"b\":3}", "{'b': 3, 'a': 2}"),
            ("[[], {}, [[]]]", "[[], {}, [[]]]"),
            (
                "[\"it's\", \"say \\\"hi\\\"\", \"both ' \\\"\"]",
                "[\"it's\", 'say \"hi\"', 'both \\' \"']",
            ),
            (
                "[\"\\ud800\", \"\\ud83d\\ude00\", \"\\u00a0\\u00e9\\t\\u0000\\u007f\"]",
                "['\\ud800', '\u{1F600}', '\\xa0\u{e9}\\t\\x00\\x7f']",
            ),
            (
                "[\"\\\\\", \"\\u200b\\ufeff\\udb40\\udc01\"]",
                "['\\\\', '\\u200b\\ufeff\\U000e0001']",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(str_of(src), want, "{src}");
        }
    }

    #[test]
    fn repr_str_matches_python() {
        let r = |s: &str| {
            let mut o = String::new();
            py_repr_str(s, &mut o);
            o
        };
        assert_eq!(r("abc"), "'abc'");
        assert_eq!(r("a'b"), "\"a'b\"");
        assert_eq!(r("a\"b"), "'a\"b'");
        assert_eq!(r("a'\"b"), "'a\\'\"b'");
        assert_eq!(
            r("\u{1}\u{1f}\u{7f}\u{85}\u{2028}"),
            "'\\x01\\x1f\\x7f\\x85\\u2028'"
        );
        assert_eq!(
            r("\u{10FFFF}\u{F0000}\u{E000}"),
            "'\\U0010ffff\\U000f0000\\ue000'"
        );
        assert_eq!(
            r("caf\u{e9} \u{4e2d}\u{1F600}"),
            "'caf\u{e9} \u{4e2d}\u{1F600}'"
        );
    }
}
