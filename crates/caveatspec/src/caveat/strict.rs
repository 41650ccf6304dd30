//! The strict profile: only the canonical shapes, each refusal with its own code.

use super::fields::{has_key, str_list, take_last, Members};
use super::json::{self, Int, JsonStr, Limits, Value};
use super::{
    fast, is_canonical_jkt, is_canonical_uuid, is_normalized_name, Caveat, CaveatError, StrList,
    STRICT_MAX_CAVEAT_BYTES, STRICT_MAX_DEPTH,
};
use crate::Profile;

/// The caveat's bytes: size and UTF-8 first, then the one-pass reader, then the general one.
pub(super) fn parse(raw: &[u8]) -> Result<Caveat<'_>, CaveatError> {
    if raw.len() > STRICT_MAX_CAVEAT_BYTES {
        return Err(CaveatError::strict("caveat.too_long"));
    }
    let text = std::str::from_utf8(raw).map_err(|_| CaveatError::strict("caveat.not_utf8"))?;
    if let Some(caveat) = fast::parse(text, Profile::Strict) {
        return Ok(caveat);
    }
    parse_text(text)
}

/// The general reader: JSON with room to spare, then each strict check in a fixed order.
pub(super) fn parse_text(text: &str) -> Result<Caveat<'_>, CaveatError> {
    // Parse with room to spare, then apply the strict checks in a fixed order.
    let value = json::parse(
        text,
        Limits {
            max_depth: STRICT_MAX_CAVEAT_BYTES,
        },
    )
    .map_err(|e| CaveatError::strict(e.code()))?;
    if depth(&value) > STRICT_MAX_DEPTH {
        return Err(CaveatError::strict("json.too_deep"));
    }
    if has_duplicate_key(&value) {
        return Err(CaveatError::strict("json.duplicate_key"));
    }
    if has_non_integer(&value) {
        return Err(CaveatError::strict("json.non_integer_number"));
    }
    match value {
        Value::Object(members) => strict_legacy(members),
        Value::Array(items) => strict_array(items),
        _ => Err(CaveatError::strict("caveat.not_array")),
    }
}

fn depth(v: &Value<'_>) -> usize {
    // Iterative: the tree may be as deep as the parser allowed.
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        match v {
            Value::Array(items) => {
                max = max.max(d + 1);
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Value::Object(members) => {
                max = max.max(d + 1);
                stack.extend(members.iter().map(|(_, i)| (i, d + 1)));
            }
            _ => {}
        }
    }
    max
}

fn any_node(v: &Value<'_>, pred: &mut dyn FnMut(&Value<'_>) -> bool) -> bool {
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        if pred(v) {
            return true;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(members) => stack.extend(members.iter().map(|(_, i)| i)),
            _ => {}
        }
    }
    false
}

fn has_duplicate_key(v: &Value<'_>) -> bool {
    any_node(v, &mut |node| match node {
        Value::Object(members) => members
            .iter()
            .enumerate()
            .any(|(i, (k, _))| members[..i].iter().any(|(k2, _)| k.py_eq(k2))),
        _ => false,
    })
}

fn has_non_integer(v: &Value<'_>) -> bool {
    any_node(v, &mut |node| matches!(node, Value::Float(_)))
}

fn strict_int<'a>(v: Value<'a>) -> Result<Int<'a>, CaveatError> {
    match v {
        Value::Int(i) => match i.as_i64() {
            Some(n) if n >= 0 => Ok(i),
            _ => Err(CaveatError::strict("caveat.int_range")),
        },
        _ => Err(CaveatError::strict("caveat.field_type")),
    }
}

fn strict_str_list(v: Value<'_>) -> Result<Vec<JsonStr<'_>>, CaveatError> {
    let list = str_list(v).ok_or(CaveatError::strict("caveat.field_type"))?;
    if list.is_empty() {
        return Err(CaveatError::strict("caveat.empty_list"));
    }
    Ok(list)
}

fn strict_names(v: Value<'_>) -> Result<Vec<JsonStr<'_>>, CaveatError> {
    let names = strict_str_list(v)?;
    for n in &names {
        let ok = n.decode().map(|s| is_normalized_name(&s)).unwrap_or(false);
        if !ok {
            return Err(CaveatError::strict("caveat.name_not_normalized"));
        }
    }
    Ok(names)
}

/// `s` when its decoded text passes `canonical`, else `code`.
fn strict_form<'a>(
    s: JsonStr<'a>,
    canonical: fn(&str) -> bool,
    code: &'static str,
) -> Result<JsonStr<'a>, CaveatError> {
    if s.decode().is_ok_and(|d| canonical(&d)) {
        Ok(s)
    } else {
        Err(CaveatError::strict(code))
    }
}

fn strict_uuid(s: JsonStr<'_>) -> Result<JsonStr<'_>, CaveatError> {
    strict_form(s, is_canonical_uuid, "caveat.invalid_uuid")
}

fn strict_jkt(s: JsonStr<'_>) -> Result<JsonStr<'_>, CaveatError> {
    strict_form(s, is_canonical_jkt, "caveat.invalid_jkt")
}

fn strict_ids(v: Value<'_>) -> Result<Vec<JsonStr<'_>>, CaveatError> {
    strict_str_list(v)?.into_iter().map(strict_uuid).collect()
}

fn strict_string(v: Value<'_>) -> Result<JsonStr<'_>, CaveatError> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(CaveatError::strict("caveat.field_type")),
    }
}

fn strict_array(items: Vec<Value<'_>>) -> Result<Caveat<'_>, CaveatError> {
    let mut it = items.into_iter();
    let tag = it.next().ok_or(CaveatError::strict("caveat.empty_array"))?;
    let tag = match tag {
        Value::Int(i) => i.as_i64(),
        _ => return Err(CaveatError::strict("caveat.tag_type")),
    };
    let (min, max) = match tag {
        Some(0) => (2, 2),
        Some(1..=3) => (1, 1),
        Some(4) => (1, 2),
        Some(5) => (1, 1),
        _ => return Err(CaveatError::strict("caveat.unknown_tag")),
    };
    let fields: Vec<Value<'_>> = it.collect();
    if fields.len() < min {
        return Err(CaveatError::strict("caveat.missing_fields"));
    }
    if fields.len() > max {
        return Err(CaveatError::strict("caveat.trailing_elements"));
    }
    let mut f = fields.into_iter();
    let mut next = || f.next().unwrap_or(Value::Null);
    match tag {
        Some(0) => {
            let expires_at = strict_int(next())?;
            let not_before = strict_int(next())?;
            Ok(Caveat::Expiration {
                expires_at,
                not_before,
            })
        }
        Some(1) => Ok(Caveat::ProjectName {
            names: StrList::parsed(strict_names(next())?),
        }),
        Some(2) => Ok(Caveat::ProjectId {
            ids: StrList::parsed(strict_ids(next())?),
        }),
        Some(3) => Ok(Caveat::RequestUser {
            user_id: strict_uuid(strict_string(next())?)?,
        }),
        Some(5) => Ok(Caveat::KeyBinding {
            jkt: strict_jkt(strict_string(next())?)?,
        }),
        _ => {
            let id = next();
            let claims = next();
            if !matches!(claims, Value::Null) {
                return Err(CaveatError::strict("caveat.deprecated_claims"));
            }
            Ok(Caveat::OidcPublisher {
                publisher_id: strict_uuid(strict_string(id)?)?,
                claims: None,
            })
        }
    }
}

fn strict_legacy(mut members: Members<'_>) -> Result<Caveat<'_>, CaveatError> {
    let shape = || CaveatError::strict("caveat.legacy_shape");
    let keys_are = |members: &Members<'_>, want: &[&str]| {
        members.len() == want.len() && want.iter().all(|w| has_key(members, w))
    };
    let has = has_key;
    let take = take_last;
    if has(&members, "version") {
        if !keys_are(&members, &["version", "permissions"]) {
            return Err(shape());
        }
        match take(&mut members, "version") {
            Some(Value::Int(i)) if i.as_i64() == Some(1) && !i.is_negative() => {}
            _ => return Err(shape()),
        }
        return match take(&mut members, "permissions") {
            Some(Value::Str(s)) if s.eq_str("user") => Ok(Caveat::LegacyUser),
            Some(Value::Object(mut inner)) => {
                if !keys_are(&inner, &["projects"]) {
                    return Err(shape());
                }
                let projects = take(&mut inner, "projects").ok_or_else(shape)?;
                Ok(Caveat::ProjectName {
                    names: StrList::parsed(strict_names(projects)?),
                })
            }
            _ => Err(shape()),
        };
    }
    if has(&members, "exp") || has(&members, "nbf") {
        if !keys_are(&members, &["exp", "nbf"]) {
            return Err(shape());
        }
        let expires_at = strict_int(take(&mut members, "exp").ok_or_else(shape)?)?;
        let not_before = strict_int(take(&mut members, "nbf").ok_or_else(shape)?)?;
        return Ok(Caveat::Expiration {
            expires_at,
            not_before,
        });
    }
    if has(&members, "project_ids") {
        if !keys_are(&members, &["project_ids"]) {
            return Err(shape());
        }
        return Ok(Caveat::ProjectId {
            ids: StrList::parsed(strict_ids(
                take(&mut members, "project_ids").ok_or_else(shape)?,
            )?),
        });
    }
    Err(shape())
}
