//! Shapes both profiles read alike: a list of strings, and an object's members looked up the
//! way the Python dict `json.loads` builds holds them.

use super::json::{JsonStr, Value};

/// The strings of an array of strings; `None` for anything else.
pub(super) fn str_list(v: Value<'_>) -> Option<Vec<JsonStr<'_>>> {
    match v {
        Value::Array(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Str(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// An object's members in source order, duplicates included.
pub(super) type Members<'a> = Vec<(JsonStr<'a>, Value<'a>)>;

/// Whether any member has `key`.
pub(super) fn has_key(members: &Members<'_>, key: &str) -> bool {
    members.iter().any(|(k, _)| k.eq_str(key))
}

/// Removes and returns the member a Python dict built by `json.loads` would hold for `key`:
/// the last one.
pub(super) fn take_last<'a>(members: &mut Members<'a>, key: &str) -> Option<Value<'a>> {
    let idx = members.iter().rposition(|(k, _)| k.eq_str(key))?;
    Some(members.swap_remove(idx).1)
}
