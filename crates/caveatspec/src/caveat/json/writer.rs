//! The writer: `json.dumps(..., sort_keys=True, separators=(",", ":"))`, and the tree walk it
//! shares with Python's `repr` (`pyfmt`).

use super::{JsonStr, Value};

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
        crate::caveat::pyfmt::float_repr(f, out);
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
    if !s.has_escapes() && s.raw().bytes().all(|c| (0x20..0x7F).contains(&c)) {
        // No escapes in the source means no `"` or `\`; printable ASCII is copied as is.
        out.push_str(s.raw());
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
