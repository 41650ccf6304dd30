//! The warehouse profile: a caveat read the way `warehouse/macaroons/caveats/_core.py` reads
//! it, on top of Python's `json` and pydantic's strict types, legacy mappings adapted first.

use super::fields::{has_key, str_list, take_last, Members};
use super::json::{self, Limits, Value};
use super::{fast, pyfmt, Caveat, CaveatError, StrList, WAREHOUSE_MAX_DEPTH};
use crate::Profile;

const NOT_ARRAY: &str = "caveat must be an array";

/// The caveat's bytes: the one-pass reader first, the general reader for anything else.
pub(super) fn parse<'a>(
    raw: &'a [u8],
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    // pymacaroons hands the caveat to PyPI as `bytes.decode("utf-8")`, raising on bad UTF-8.
    let text = std::str::from_utf8(raw).map_err(|_| CaveatError::abort("caveat.not_utf8"))?;
    if let Some(caveat) = fast::parse(text, Profile::Warehouse) {
        return Ok(caveat);
    }
    parse_text(text, request_user)
}

/// The general reader: `json.loads`, then an array or an adapted legacy mapping.
pub(super) fn parse_text<'a>(
    text: &'a str,
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    let value = json::parse(
        text,
        Limits {
            max_depth: WAREHOUSE_MAX_DEPTH,
        },
    )
    .map_err(|e| CaveatError::abort(e.code()))?;
    let items = match value {
        Value::Object(members) => {
            return match adapt_legacy(members, request_user)? {
                Adapted::RequestUser => Ok(Caveat::LegacyUser),
                Adapted::Fields(tag, fields) => warehouse_fields(tag, fields),
            }
        }
        Value::Array(items) => items,
        _ => return Err(CaveatError::reason("caveat.not_array", NOT_ARRAY)),
    };
    let mut items = items.into_iter();
    let tag = items
        .next()
        .ok_or_else(|| CaveatError::reason("caveat.empty_array", "caveat array cannot be empty"))?;
    let tag = warehouse_tag(&tag)?;
    let fields: Vec<Value<'a>> = items.collect();
    warehouse_fields(tag, fields)
}

/// What a legacy mapping adapts to.
enum Adapted<'a> {
    /// `[3, str(request.user.id)]`: the user caveat for whoever presents the token.
    RequestUser,
    /// `[tag, *fields]`, read on like any array caveat.
    Fields(u8, Vec<Value<'a>>),
}

/// PyPI looks the tag up in a Python dict, so anything equal to 0..=4 under Python's `==` and
/// hash finds a caveat class: `true`/`false`, `1.0`, `-0.0`, `1e0`. Lists and objects are
/// unhashable and raise `TypeError`, which aborts verification.
fn warehouse_tag(tag: &Value<'_>) -> Result<u8, CaveatError> {
    let found = match tag {
        Value::Int(i) => i.as_i64().filter(|v| (0..=4).contains(v)).map(|v| v as u8),
        Value::Bool(b) => Some(u8::from(*b)),
        Value::Float(f) => (0u8..=4).find(|t| *f == f64::from(*t)),
        Value::Array(_) | Value::Object(_) => {
            return Err(CaveatError::abort("caveat.unhashable_tag"))
        }
        Value::Null | Value::Str(_) => None,
    };
    found.ok_or_else(|| {
        let mut m = String::from("caveat has unknown tag: ");
        pyfmt::py_str(tag, &mut m);
        CaveatError::reason("caveat.unknown_tag", m)
    })
}

fn invalid_fields() -> CaveatError {
    CaveatError::reason("caveat.invalid_fields", "invalid values for fields")
}

/// Positional fields then pydantic's strict types. Fields beyond the class's are dropped
/// unread (`Caveat.__deserialize__` only reads as many as the dataclass has).
fn warehouse_fields<'a>(tag: u8, fields: Vec<Value<'a>>) -> Result<Caveat<'a>, CaveatError> {
    let required = if tag == 0 { 2 } else { 1 };
    if fields.len() < required {
        return Err(CaveatError::reason(
            "caveat.missing_fields",
            "Not enough values",
        ));
    }
    let mut it = fields.into_iter();
    let mut next = || it.next().unwrap_or(Value::Null);
    match tag {
        0 => {
            let (e, n) = (next(), next());
            match (e, n) {
                (Value::Int(expires_at), Value::Int(not_before)) => Ok(Caveat::Expiration {
                    expires_at,
                    not_before,
                }),
                _ => Err(invalid_fields()),
            }
        }
        1 => Ok(Caveat::ProjectName {
            names: StrList::parsed(str_list(next()).ok_or_else(invalid_fields)?),
        }),
        2 => Ok(Caveat::ProjectId {
            ids: StrList::parsed(str_list(next()).ok_or_else(invalid_fields)?),
        }),
        3 => match next() {
            Value::Str(user_id) => Ok(Caveat::RequestUser { user_id }),
            _ => Err(invalid_fields()),
        },
        _ => {
            let id = next();
            // `oidc_claims: dict | None = None`: a missing element and null both mean None.
            let claims = match it.next() {
                None | Some(Value::Null) => None,
                Some(obj @ Value::Object(_)) => Some(obj),
                Some(_) => return Err(invalid_fields()),
            };
            match id {
                Value::Str(publisher_id) => Ok(Caveat::OidcPublisher {
                    publisher_id,
                    claims,
                }),
                _ => Err(invalid_fields()),
            }
        }
    }
}

/// `_legacy.adapt`: the 2019-2022 mapping forms, checked in PyPI's order.
fn adapt_legacy<'a>(
    members: Members<'a>,
    request_user: Option<&str>,
) -> Result<Adapted<'a>, CaveatError> {
    let obj = Value::Object(members);
    let not_array = || CaveatError::reason("caveat.not_array", NOT_ARRAY);
    // `data.get("version") == 1`: Python's 1 == 1.0 == True.
    let version_one = match obj.get("version") {
        Some(Value::Int(i)) => i.as_i64() == Some(1),
        Some(Value::Float(f)) => *f == 1.0,
        Some(Value::Bool(b)) => *b,
        _ => false,
    };
    let Value::Object(mut members) = obj else {
        return Err(not_array());
    };
    if version_one {
        return match take_last(&mut members, "permissions") {
            None | Some(Value::Null) => Err(not_array()),
            Some(Value::Str(s)) if s.eq_str("user") => match request_user {
                // Adapted to [3, str(request.user.id)]: the user caveat for whoever asks.
                Some(_) => Ok(Adapted::RequestUser),
                None => Err(not_array()),
            },
            Some(perms @ Value::Object(_)) => {
                let Value::Object(mut inner) = perms else {
                    return Err(not_array());
                };
                match inner.iter().rposition(|(k, _)| k.eq_str("projects")) {
                    Some(idx) => Ok(Adapted::Fields(1, vec![inner.swap_remove(idx).1])),
                    None => Err(not_array()),
                }
            }
            Some(_) => Err(not_array()),
        };
    }
    if has_key(&members, "exp") && has_key(&members, "nbf") {
        let exp = take_last(&mut members, "exp").unwrap_or(Value::Null);
        let nbf = take_last(&mut members, "nbf").unwrap_or(Value::Null);
        return Ok(Adapted::Fields(0, vec![exp, nbf]));
    }
    if let Some(ids) = take_last(&mut members, "project_ids") {
        return Ok(Adapted::Fields(2, vec![ids]));
    }
    Err(not_array())
}
