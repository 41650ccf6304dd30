use std::borrow::Cow;
use std::cmp::Ordering;

use super::reader::*;
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
