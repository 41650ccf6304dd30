//! The typed caveat a reader returns, and the canonical text PyPI stores for it.

use super::json::{self, Int, JsonStr, Value};

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

    pub(super) fn parsed(items: Vec<JsonStr<'a>>) -> Self {
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
