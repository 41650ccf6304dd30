//! Minting and attenuation: writing caveats into tokens.
//!
//! Anyone holding a token can narrow it offline: the new signature is HMAC(old signature,
//! caveat), so no key is needed. Restrictions are written the way PyPI writes its own caveats
//! (compact JSON, `caveats.serialize`), in a fixed order: expiry window, project names, project
//! ids, user, key binding. Tokens come out byte-identical to what pymacaroons produces for the
//! same caveats.

use crate::caveat::{self, write_plain_str};
use crate::macaroon::{self, chain, Version};
use crate::token;
use crate::Profile;

/// What a restriction may say. Every field is optional; at least one must be set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restrictions {
    /// Start of the validity window (Unix seconds, inclusive).
    pub not_before: Option<i64>,
    /// End of the validity window (Unix seconds, exclusive).
    pub not_after: Option<i64>,
    /// Project names; display names are accepted and normalized (PEP 503), because PyPI
    /// compares the caveat to the normalized name without normalizing the caveat.
    pub project_names: Option<Vec<String>>,
    /// Project UUIDs.
    pub project_ids: Option<Vec<String>>,
    /// The owning user's UUID.
    pub user_id: Option<String>,
    /// A DPoP key's RFC 7638 thumbprint to bind the token to (tag 5, strict profile only:
    /// PyPI refuses the token). Binding is the last caveat written; an existing binding to
    /// another key is not removed, so the token then needs both keys and is unusable.
    pub bind_jkt: Option<String>,
}

/// Why restrictions cannot be written, or the token cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttenuateError {
    /// Only one end of the window was given: PyPI's Expiration needs both.
    #[error("an expiry window needs both --not-before and --not-after")]
    WindowIncomplete,
    /// not_before >= not_after: the token could never be used.
    #[error("the window is empty: not-before must be earlier than not-after")]
    WindowEmpty,
    /// A negative timestamp.
    #[error("timestamps must not be negative")]
    WindowNegative,
    /// No restriction given: a no-op attenuation is almost surely a mistake.
    #[error("no restriction given")]
    Nothing,
    /// An empty list would make the token unusable.
    #[error("an empty {0} list would make the token unusable")]
    EmptyList(&'static str),
    /// Not a project name PyPI could have registered.
    #[error("{0:?} is not a valid project name")]
    InvalidName(String),
    /// Not a lower-case hyphenated UUID, which is all PyPI ever matches.
    #[error("{0:?} is not a lower-case UUID")]
    InvalidUuid(String),
    /// Not a canonical JWK SHA-256 thumbprint (43 characters of unpadded base64url).
    #[error("{0:?} is not a canonical JWK SHA-256 thumbprint")]
    InvalidJkt(String),
    /// The token holds a third-party caveat, which this tool cannot re-serialize.
    #[error("the token has a third-party caveat")]
    ThirdPartyCaveat,
    /// The token did not decode.
    #[error("the token does not decode: {0}")]
    Token(&'static str),
}

impl AttenuateError {
    /// The vector code.
    pub fn code(&self) -> &'static str {
        match self {
            AttenuateError::WindowIncomplete => "restrict.window_incomplete",
            AttenuateError::WindowEmpty => "restrict.window_empty",
            AttenuateError::WindowNegative => "restrict.window_negative",
            AttenuateError::Nothing => "restrict.nothing",
            AttenuateError::EmptyList(_) => "restrict.empty_list",
            AttenuateError::InvalidName(_) => "restrict.invalid_name",
            AttenuateError::InvalidUuid(_) => "restrict.invalid_uuid",
            AttenuateError::InvalidJkt(_) => "restrict.invalid_jkt",
            AttenuateError::ThirdPartyCaveat => "restrict.third_party_caveat",
            AttenuateError::Token(code) => code,
        }
    }
}

impl Restrictions {
    /// True when nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == Restrictions::default()
    }

    /// The caveats these restrictions write, in order, as PyPI serializes them.
    pub fn caveats(&self) -> Result<Vec<String>, AttenuateError> {
        let mut out = Vec::new();
        match (self.not_before, self.not_after) {
            (None, None) => {}
            (Some(nbf), Some(exp)) => {
                if nbf < 0 || exp < 0 {
                    return Err(AttenuateError::WindowNegative);
                }
                if nbf >= exp {
                    return Err(AttenuateError::WindowEmpty);
                }
                out.push(format!("[0,{exp},{nbf}]"));
            }
            _ => return Err(AttenuateError::WindowIncomplete),
        }
        if let Some(names) = &self.project_names {
            let normalized = validated(names, "project name", |n| {
                caveat::is_valid_project_name(n)
                    .then(|| caveat::normalize_name(n))
                    .ok_or_else(|| AttenuateError::InvalidName(n.clone()))
            })?;
            out.push(list_caveat(1, &normalized));
        }
        if let Some(ids) = &self.project_ids {
            let ids = validated(ids, "project id", |id| uuid(id).map(str::to_owned))?;
            out.push(list_caveat(2, &ids));
        }
        if let Some(user) = &self.user_id {
            let mut c = String::from("[3,");
            write_plain_str(uuid(user)?, &mut c);
            c.push(']');
            out.push(c);
        }
        if let Some(jkt) = &self.bind_jkt {
            if !caveat::is_canonical_jkt(jkt) {
                return Err(AttenuateError::InvalidJkt(jkt.clone()));
            }
            out.push(format!("[5,\"{jkt}\"]"));
        }
        Ok(out)
    }
}

/// A lower-case hyphenated UUID, the only spelling PyPI ever matches.
fn uuid(s: &str) -> Result<&str, AttenuateError> {
    if caveat::is_canonical_uuid(s) {
        Ok(s)
    } else {
        Err(AttenuateError::InvalidUuid(s.to_owned()))
    }
}

/// A non-empty list with each item checked (and rewritten) by `item`.
fn validated(
    items: &[String],
    what: &'static str,
    item: impl Fn(&String) -> Result<String, AttenuateError>,
) -> Result<Vec<String>, AttenuateError> {
    if items.is_empty() {
        return Err(AttenuateError::EmptyList(what));
    }
    items.iter().map(item).collect()
}

/// `[tag,["a","b"]]` as PyPI serializes it.
fn list_caveat(tag: u8, items: &[String]) -> String {
    let mut c = format!("[{tag},[");
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            c.push(',');
        }
        write_plain_str(s, &mut c);
    }
    c.push_str("]]");
    c
}

/// Creates a token: V2, location, identifier, then the restrictions' caveats (none allowed).
pub fn mint(
    root_key: &[u8],
    identifier: &str,
    location: &str,
    restrictions: &Restrictions,
) -> Result<(String, Vec<String>), AttenuateError> {
    let caveats = restrictions.caveats()?;
    let derived = chain::derive_key(root_key);
    let refs: Vec<&[u8]> = caveats.iter().map(|c| c.as_bytes()).collect();
    let sig = chain::chain(&derived, identifier.as_bytes(), refs.iter().copied());
    let bytes = macaroon::encode_v2(location.as_bytes(), identifier.as_bytes(), &refs, &sig);
    Ok((token::encode(&bytes), caveats))
}

/// Narrows `token` by `restrictions`. The input is read as PyPI reads it (any encoding
/// pymacaroons accepts); the output is canonical.
pub fn restrict(
    token_text: &str,
    restrictions: &Restrictions,
) -> Result<(String, Vec<String>), AttenuateError> {
    if restrictions.is_empty() {
        return Err(AttenuateError::Nothing);
    }
    let caveats = restrictions.caveats()?;
    let body = token::split_prefix(token_text, Profile::Warehouse)
        .map_err(|e| AttenuateError::Token(e.code()))?;
    let bytes = token::decode_body(body, Profile::Warehouse)
        .map_err(|e| AttenuateError::Token(e.code()))?;
    let mac = macaroon::decode(&bytes, Profile::Warehouse)
        .map_err(|_| AttenuateError::Token("macaroon.malformed"))?;
    if mac.caveats.iter().any(|c| !c.is_first_party()) {
        return Err(AttenuateError::ThirdPartyCaveat);
    }
    let mut sig = mac.signature.to_vec();
    for c in &caveats {
        sig = chain::hmac(&sig, c.as_bytes()).to_vec();
    }
    let sig: [u8; 32] = sig
        .try_into()
        .map_err(|_| AttenuateError::Token("macaroon.malformed"))?;
    let mut all: Vec<&[u8]> = mac.caveats.iter().map(|c| c.id).collect();
    all.extend(caveats.iter().map(|c| c.as_bytes()));
    let location = mac.location.unwrap_or(b"");
    let out = match mac.version {
        Version::V2 => macaroon::encode_v2(location, mac.identifier, &all, &sig),
        Version::V1 => macaroon::encode_v1(location, mac.identifier, &all, &sig)
            .ok_or(AttenuateError::Token("macaroon.malformed"))?,
    };
    Ok((token::encode(&out), caveats))
}
