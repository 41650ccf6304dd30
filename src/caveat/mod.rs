//! The caveat language: one first-party caveat's bytes to a typed [`Caveat`], per profile.
//!
//! PyPI's caveats are JSON arrays `[tag, field…]`, with older mapping forms adapted on read.
//! The `warehouse` profile reads them the way `warehouse/macaroons/caveats/_core.py` does on top
//! of Python's `json` module and pydantic's strict types, including every coercion that leaks
//! through (`true` is tag 1, trailing elements are ignored, NaN is a number). The `strict`
//! profile accepts only the canonical shapes. See `spec/SPEC.md` §4.

mod fast;
pub mod json;
pub mod pyfmt;

use crate::profile::Profile;
use json::{Int, JsonStr, Limits, Value};

/// Largest caveat the strict profile reads, in bytes.
pub const STRICT_MAX_CAVEAT_BYTES: usize = 4096;
/// Deepest JSON nesting the strict profile accepts (PyPI's caveats nest at most 3 deep).
pub const STRICT_MAX_DEPTH: usize = 8;
/// Nesting at which the warehouse profile stops, standing in for CPython's RecursionError
/// (CPython 3.11's `json.loads` called from a module's top level accepts 995 nested containers
/// and fails at 996; inside PyPI's request stack the limit is lower and not fixed, so nesting
/// between a few hundred and 995 is implementation-defined and no vector depends on it).
pub const WAREHOUSE_MAX_DEPTH: usize = 995;

/// A caveat that parsed. Borrowed from the caveat's bytes.
#[derive(Debug, Clone)]
pub enum Caveat<'a> {
    /// Tag 0: valid while `not_before <= now < expires_at`.
    Expiration {
        /// First second at which the token is no longer valid.
        expires_at: Int<'a>,
        /// First second at which the token is valid.
        not_before: Int<'a>,
    },
    /// Tag 1: the request's project, by normalized name, is one of these.
    ProjectName {
        /// Normalized project names, compared as written.
        names: StrList<'a>,
    },
    /// Tag 2: the request's project id is one of these.
    ProjectId {
        /// Project UUIDs, compared as written.
        ids: StrList<'a>,
    },
    /// Tag 3: the token's user is this user.
    RequestUser {
        /// The user's UUID, compared as written.
        user_id: JsonStr<'a>,
    },
    /// Legacy `{"version": 1, "permissions": "user"}`: PyPI reads it as "the request's user",
    /// i.e. a RequestUser caveat naming whoever presents the token.
    LegacyUser,
    /// Tag 4: the token belongs to this Trusted Publisher. `claims` is the deprecated third
    /// element (an object) when present and not null.
    OidcPublisher {
        /// The publisher's UUID, compared as written.
        publisher_id: JsonStr<'a>,
        /// Deprecated OIDC claims (ignored by every check).
        claims: Option<Value<'a>>,
    },
    /// Tag 5 (strict profile only): the token is bound to a key. It holds only for a request
    /// carrying a verified DPoP proof whose key has this RFC 7638 thumbprint (`cnf.jkt`).
    KeyBinding {
        /// The thumbprint: canonical unpadded base64url of a SHA-256 digest (43 characters).
        jkt: JsonStr<'a>,
    },
}

/// The list of strings of a project-name or project-id caveat, borrowed from the caveat.
///
/// A list of plain strings (no escapes), which is what every real token carries, is kept as
/// its text and read again when iterated, so parsing it allocates nothing; any other list is
/// kept as parsed.
#[derive(Debug, Clone)]
pub struct StrList<'a> {
    repr: StrListRepr<'a>,
}

#[derive(Debug, Clone)]
enum StrListRepr<'a> {
    /// The text between the brackets: `len` quoted strings without escapes, separated by
    /// commas and JSON whitespace.
    Plain {
        items: &'a str,
        len: usize,
    },
    Parsed(Vec<JsonStr<'a>>),
}

impl<'a> StrList<'a> {
    pub(crate) fn plain(items: &'a str, len: usize) -> Self {
        StrList {
            repr: StrListRepr::Plain { items, len },
        }
    }

    fn parsed(items: Vec<JsonStr<'a>>) -> Self {
        StrList {
            repr: StrListRepr::Parsed(items),
        }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        match &self.repr {
            StrListRepr::Plain { len, .. } => *len,
            StrListRepr::Parsed(items) => items.len(),
        }
    }

    /// True for an empty list.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The strings in order.
    pub fn iter(&self) -> StrListIter<'a, '_> {
        StrListIter(match &self.repr {
            StrListRepr::Plain { items, .. } => StrListIterRepr::Plain(items),
            StrListRepr::Parsed(items) => StrListIterRepr::Parsed(items.iter()),
        })
    }
}

/// Iterator over a [`StrList`].
#[derive(Debug, Clone)]
pub struct StrListIter<'a, 'l>(StrListIterRepr<'a, 'l>);

#[derive(Debug, Clone)]
enum StrListIterRepr<'a, 'l> {
    /// The rest of a plain list's text.
    Plain(&'a str),
    Parsed(std::slice::Iter<'l, JsonStr<'a>>),
}

impl<'a> Iterator for StrListIter<'a, '_> {
    type Item = JsonStr<'a>;

    fn next(&mut self) -> Option<JsonStr<'a>> {
        match &mut self.0 {
            StrListIterRepr::Plain(rest) => {
                // Plain strings hold no quote, so each one runs from a quote to the next.
                let open = rest.find('"')?;
                let after = rest.get(open + 1..)?;
                let close = after.find('"')?;
                let s = after.get(..close)?;
                *rest = after.get(close + 1..)?;
                Some(JsonStr::plain(s))
            }
            StrListIterRepr::Parsed(items) => items.next().cloned(),
        }
    }
}

impl Caveat<'_> {
    /// The name vectors use for this kind of caveat.
    pub fn kind(&self) -> &'static str {
        match self {
            Caveat::Expiration { .. } => "expiration",
            Caveat::ProjectName { .. } => "project_name",
            Caveat::ProjectId { .. } => "project_id",
            Caveat::RequestUser { .. } | Caveat::LegacyUser => "request_user",
            Caveat::OidcPublisher { .. } => "oidc_publisher",
            Caveat::KeyBinding { .. } => "key_binding",
        }
    }

    /// PyPI's serialization of this caveat: `json.dumps([tag, *fields], sort_keys=True,
    /// separators=(",", ":"))`. It is what PyPI stores and what it appends when it verifies
    /// stored caveats. A legacy user caveat needs the user it is read for.
    pub fn canonical(&self, request_user: Option<&str>) -> Option<String> {
        let mut out = String::new();
        match self {
            Caveat::Expiration {
                expires_at,
                not_before,
            } => {
                out.push_str("[0,");
                json::dumps_sorted_compact(&Value::Int(expires_at.clone()), &mut out);
                out.push(',');
                json::dumps_sorted_compact(&Value::Int(not_before.clone()), &mut out);
            }
            Caveat::ProjectName { names } => {
                out.push_str("[1,");
                write_str_list(names, &mut out);
            }
            Caveat::ProjectId { ids } => {
                out.push_str("[2,");
                write_str_list(ids, &mut out);
            }
            Caveat::RequestUser { user_id } => {
                out.push_str("[3,");
                json::dumps_sorted_compact(&Value::Str(user_id.clone()), &mut out);
            }
            Caveat::LegacyUser => {
                out.push_str("[3,");
                write_plain_str(request_user?, &mut out);
            }
            Caveat::OidcPublisher {
                publisher_id,
                claims,
            } => {
                out.push_str("[4,");
                json::dumps_sorted_compact(&Value::Str(publisher_id.clone()), &mut out);
                out.push(',');
                match claims {
                    Some(c) => json::dumps_sorted_compact(c, &mut out),
                    None => out.push_str("null"),
                }
            }
            Caveat::KeyBinding { jkt } => {
                out.push_str("[5,");
                json::dumps_sorted_compact(&Value::Str(jkt.clone()), &mut out);
            }
        }
        out.push(']');
        Some(out)
    }
}

fn write_str_list(items: &StrList<'_>, out: &mut String) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::dumps_sorted_compact(&Value::Str(s), out);
    }
    out.push(']');
}

/// A Rust string as Python's `json.dumps` writes it (ASCII only, `\u` escapes).
pub fn write_plain_str(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Why a caveat did not parse. `code` is the vector code; `message` is PyPI's reason text
/// where PyPI reports one, or `None` where PyPI's verifier aborts with an exception (which it
/// reports as "unknown error" when nothing failed before).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}{}", .message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
pub struct CaveatError {
    /// Machine-readable code, e.g. `caveat.unknown_tag`.
    pub code: &'static str,
    /// PyPI's message (warehouse profile), when PyPI reports this failure as a reason.
    pub message: Option<String>,
    /// True when PyPI's verifier stops at this caveat (an exception escaped the caveat code).
    pub aborts: bool,
}

impl CaveatError {
    fn reason(code: &'static str, message: impl Into<String>) -> Self {
        CaveatError {
            code,
            message: Some(message.into()),
            aborts: false,
        }
    }
    fn abort(code: &'static str) -> Self {
        CaveatError {
            code,
            message: None,
            aborts: true,
        }
    }
    fn strict(code: &'static str) -> Self {
        CaveatError {
            code,
            message: None,
            aborts: false,
        }
    }
}

const NOT_ARRAY: &str = "caveat must be an array";

/// Parses one caveat's bytes. `request_user` is the user of the request the caveat is read in
/// (PyPI adapts the legacy user caveat to it and cannot read it without one).
pub fn parse<'a>(
    raw: &'a [u8],
    profile: Profile,
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    match profile {
        Profile::Warehouse => parse_warehouse(raw, request_user),
        Profile::Strict => parse_strict(raw),
    }
}

/// [`parse`] with the general parser alone, bypassing the one-pass reader of the common
/// spellings. Both must give the same result on every input; the property tests and the
/// `caveat` fuzz target check it through this function.
#[doc(hidden)]
pub fn parse_general<'a>(
    raw: &'a [u8],
    profile: Profile,
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    match profile {
        Profile::Warehouse => {
            let text =
                std::str::from_utf8(raw).map_err(|_| CaveatError::abort("caveat.not_utf8"))?;
            parse_warehouse_text(text, request_user)
        }
        Profile::Strict => {
            if raw.len() > STRICT_MAX_CAVEAT_BYTES {
                return Err(CaveatError::strict("caveat.too_long"));
            }
            let text =
                std::str::from_utf8(raw).map_err(|_| CaveatError::strict("caveat.not_utf8"))?;
            parse_strict_text(text)
        }
    }
}

// ---- warehouse ------------------------------------------------------------------------------

fn parse_warehouse<'a>(
    raw: &'a [u8],
    request_user: Option<&str>,
) -> Result<Caveat<'a>, CaveatError> {
    // pymacaroons hands the caveat to PyPI as `bytes.decode("utf-8")`, raising on bad UTF-8.
    let text = std::str::from_utf8(raw).map_err(|_| CaveatError::abort("caveat.not_utf8"))?;
    if let Some(caveat) = fast::parse(text, Profile::Warehouse) {
        return Ok(caveat);
    }
    parse_warehouse_text(text, request_user)
}

fn parse_warehouse_text<'a>(
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

fn str_list(v: Value<'_>) -> Option<Vec<JsonStr<'_>>> {
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

/// `_legacy.adapt`: the 2019-2022 mapping forms, checked in PyPI's order.
fn adapt_legacy<'a>(
    members: Vec<(JsonStr<'a>, Value<'a>)>,
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

type Members<'a> = Vec<(JsonStr<'a>, Value<'a>)>;

fn has_key(members: &Members<'_>, key: &str) -> bool {
    members.iter().any(|(k, _)| k.eq_str(key))
}

/// Removes and returns the member a Python dict built by `json.loads` would hold for `key`:
/// the last one.
fn take_last<'a>(members: &mut Members<'a>, key: &str) -> Option<Value<'a>> {
    let idx = members.iter().rposition(|(k, _)| k.eq_str(key))?;
    Some(members.swap_remove(idx).1)
}

// ---- strict -----------------------------------------------------------------------------------

fn parse_strict(raw: &[u8]) -> Result<Caveat<'_>, CaveatError> {
    if raw.len() > STRICT_MAX_CAVEAT_BYTES {
        return Err(CaveatError::strict("caveat.too_long"));
    }
    let text = std::str::from_utf8(raw).map_err(|_| CaveatError::strict("caveat.not_utf8"))?;
    if let Some(caveat) = fast::parse(text, Profile::Strict) {
        return Ok(caveat);
    }
    parse_strict_text(text)
}

fn parse_strict_text(text: &str) -> Result<Caveat<'_>, CaveatError> {
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

// ---- names and ids ----------------------------------------------------------------------------

/// PEP 503 normalization as PyPI's database computes `normalized_name`:
/// `lower(regexp_replace(name, '(\.|_|-)+', '-', 'ig'))`.
pub fn normalize_name(name: &str) -> String {
    normalized_chars(name).collect()
}

/// The characters of [`normalize_name`]`(name)`, computed as they are read.
fn normalized_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    let mut in_run = false;
    name.chars()
        .filter_map(move |ch| {
            let separator = matches!(ch, '.' | '_' | '-');
            let first_of_run = separator && !in_run;
            in_run = separator;
            match (separator, first_of_run) {
                (false, _) => Some(ch),
                (true, true) => Some('-'),
                (true, false) => None,
            }
        })
        .flat_map(char::to_lowercase)
}

/// Whether a project-name caveat's entry equals `name` normalized: PyPI's
/// `context.normalized_name in self.normalized_names`, without building the normalized name.
pub fn is_normalized_form_of(entry: &JsonStr<'_>, name: &str) -> bool {
    entry
        .code_points()
        .eq(normalized_chars(name).map(u32::from))
}

/// A project name normalized once, for comparing with many caveat entries.
///
/// PyPI compares each entry of a project-name caveat with the request project's normalized
/// name. An ASCII name of up to [`NormalizedName::INLINE`] bytes is normalized into a buffer
/// on the stack and each comparison is then a byte compare; any other name is normalized
/// again as it is compared. Neither allocates.
#[derive(Debug, Clone)]
pub struct NormalizedName<'a> {
    name: &'a str,
    inline: [u8; NormalizedName::INLINE],
    /// Length of the normalized name in `inline`, or `None` when it is not there.
    len: Option<usize>,
}

impl<'a> NormalizedName<'a> {
    /// Longest ASCII name kept normalized on the stack.
    pub const INLINE: usize = 128;

    /// `name` (a display name) normalized.
    pub fn new(name: &'a str) -> Self {
        let mut inline = [0u8; Self::INLINE];
        let mut len = None;
        if name.is_ascii() && name.len() <= Self::INLINE {
            let mut n = 0;
            for (slot, b) in inline.iter_mut().zip(normalized_ascii(name)) {
                *slot = b;
                n += 1;
            }
            len = Some(n);
        }
        NormalizedName { name, inline, len }
    }

    /// Whether the caveat entry equals this normalized name (Python string equality).
    pub fn matches(&self, entry: &JsonStr<'_>) -> bool {
        match self.len {
            Some(len) if !entry.has_escapes() => {
                self.inline.get(..len) == Some(entry.raw().as_bytes())
            }
            _ => is_normalized_form_of(entry, self.name),
        }
    }
}

/// [`normalized_chars`] of an ASCII name, as bytes: ASCII lower-cases byte by byte.
fn normalized_ascii(name: &str) -> impl Iterator<Item = u8> + '_ {
    let mut in_run = false;
    name.bytes().filter_map(move |b| {
        let separator = matches!(b, b'.' | b'_' | b'-');
        let first_of_run = separator && !in_run;
        in_run = separator;
        match (separator, first_of_run) {
            (false, _) => Some(b.to_ascii_lowercase()),
            (true, true) => Some(b'-'),
            (true, false) => None,
        }
    })
}

/// A name that PEP 503 normalization leaves unchanged and that PyPI's name rule allows:
/// lower-case ASCII letters and digits, single `-` between them.
pub fn is_normalized_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if alnum(f) && alnum(l) => {}
        _ => return false,
    }
    b.iter().all(|c| alnum(c) || *c == b'-') && !name.contains("--")
}

/// A project name PyPI accepts at registration (`^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`, any case).
pub fn is_valid_project_name(name: &str) -> bool {
    let b = name.as_bytes();
    let alnum = |c: &u8| c.is_ascii_alphanumeric();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if alnum(f) && alnum(l) => {}
        _ => return false,
    }
    b.iter()
        .all(|c| alnum(c) || matches!(c, b'.' | b'_' | b'-'))
}

/// `str(uuid.UUID(...))`: lower-case hex, hyphenated 8-4-4-4-12.
pub fn is_canonical_uuid(s: &str) -> bool {
    // A fixed-size array: every index below is checked at compile time.
    let Ok(b) = <&[u8; 36]>::try_from(s.as_bytes()) else {
        return false;
    };
    let lower_hex = |g: &[u8]| g.iter().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'));
    b[8] == b'-'
        && b[13] == b'-'
        && b[18] == b'-'
        && b[23] == b'-'
        && lower_hex(&b[..8])
        && lower_hex(&b[9..13])
        && lower_hex(&b[14..18])
        && lower_hex(&b[19..23])
        && lower_hex(&b[24..])
}

/// A JWK SHA-256 thumbprint as RFC 7638 writes it: 43 characters of unpadded base64url
/// (`A–Z a–z 0–9 - _`), the last one with its two unused low bits zero, so that each
/// 32-byte digest has exactly one spelling.
pub fn is_canonical_jkt(s: &str) -> bool {
    // 43 canonical characters are exactly 32 bytes; the strict decoder owns the alphabet and
    // the zero-trailing-bits rule.
    let mut buf = [0u8; crate::macaroon::base64::decoded_len_bound(43)];
    s.len() == 43 && crate::macaroon::base64::decode_strict_into(s.as_bytes(), &mut buf).is_ok()
}

/// The 128-bit value of a UUID spelled any way Python's `uuid.UUID()` and PostgreSQL's uuid
/// input both accept: upper or lower case, hyphens anywhere, optional braces. PyPI finds a
/// token's database row by this value, so every such spelling finds the same row.
pub fn uuid_value(s: &str) -> Option<u128> {
    let inner = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    if inner.starts_with('-') || inner.ends_with('-') || inner.contains("--") {
        return None;
    }
    let mut value: u128 = 0;
    let mut digits = 0;
    for c in inner.chars() {
        if c == '-' {
            continue;
        }
        let d = c.to_digit(16)?;
        digits += 1;
        if digits > 32 {
            return None;
        }
        value = (value << 4) | u128::from(d);
    }
    (digits == 32).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_runs_of_separators_like_pypi() {
        assert_eq!(normalize_name("A._-B"), "a-b");
        assert_eq!(normalize_name("Sample.Project"), "sample-project");
        assert_eq!(normalize_name("My__Pkg"), "my-pkg");
    }

    #[test]
    fn recognises_canonical_uuids_only() {
        assert!(is_canonical_uuid("5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b"));
        assert!(!is_canonical_uuid("5F0B3A4E-8C1D-4E2F-9A6B-7C8D9E0F1A2B"));
        assert_eq!(
            uuid_value("{5F0B3A4E8C1D4E2F9A6B7C8D9E0F1A2B}"),
            uuid_value("5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b")
        );
        assert_eq!(uuid_value("not-a-uuid"), None);
    }

    #[test]
    fn recognises_canonical_thumbprints_only() {
        // RFC 9449 §6.1's example thumbprint.
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        assert!(is_canonical_jkt(jkt));
        assert!(!is_canonical_jkt(&format!("{jkt}=")));
        assert!(!is_canonical_jkt(&jkt[..42]));
        // Same digest, unused low bits set.
        assert!(!is_canonical_jkt(
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4J"
        ));
        assert!(!is_canonical_jkt(
            "0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        ));
    }
}
