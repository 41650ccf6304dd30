//! A token described in plain words, without its key: what each caveat allows, and what is
//! wrong with it (a name that can never match, an expiry already past, an unknown tag).

use serde::Serialize;

use crate::caveat::{self, Caveat};
use crate::macaroon::{self, Version};
use crate::token;
use crate::Profile;

/// What a token says.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// Macaroon format version (1 or 2).
    pub version: u8,
    /// The location (not covered by the signature; nobody checks it).
    pub location: Option<String>,
    /// The identifier (PyPI's database id of the token), lossily as text.
    pub identifier: String,
    /// Each caveat in order.
    pub caveats: Vec<CaveatReport>,
    /// Problems with the token as a whole.
    pub warnings: Vec<String>,
}

/// One caveat, described.
#[derive(Debug, Clone, Serialize)]
pub struct CaveatReport {
    /// The caveat's bytes, lossily as text.
    pub raw: String,
    /// What it restricts, as data: serialized as its `kind` and `fields` beside `raw`.
    #[serde(flatten)]
    pub restriction: Restriction,
    /// What it restricts, in words; `None` when PyPI cannot read it.
    pub meaning: Option<String>,
    /// Problems with it.
    pub warnings: Vec<String>,
}

/// What a caveat restricts, as data for programs (`inspect --json`): `kind` names it and
/// `fields` holds its values. Times are Unix seconds, `null` when beyond any 64-bit time (the
/// raw text keeps the digits); a string is `null` when it holds a lone surrogate, which no
/// UTF-8 text can.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "fields", rename_all = "snake_case")]
pub enum Restriction {
    /// Tag 0: valid while `not_before <= now < expires_at`.
    Expiration {
        /// First second at which the token is valid.
        not_before: Option<i64>,
        /// First second at which it no longer is.
        expires_at: Option<i64>,
    },
    /// Tag 1: only for projects with these normalized names.
    ProjectNames {
        /// The names, compared as written.
        names: Vec<Option<String>>,
    },
    /// Tag 2: only for projects with these ids.
    ProjectIds {
        /// The ids, compared as written.
        ids: Vec<Option<String>>,
    },
    /// Tag 3: only for this user.
    RequestUser {
        /// The user's id.
        user_id: Option<String>,
    },
    /// The legacy `{"version": 1, "permissions": "user"}`: only for the token's own user.
    LegacyUser {},
    /// Tag 4: only for this Trusted Publisher; `has_claims` when it carries the deprecated
    /// claims PyPI ignores.
    OidcPublisher {
        /// The publisher's id.
        publisher_id: Option<String>,
        /// Whether the deprecated claims are there.
        has_claims: bool,
    },
    /// Tag 5 (strict profile): only with a DPoP proof by the key with this thumbprint.
    KeyBinding {
        /// The key's RFC 7638 thumbprint.
        jkt: Option<String>,
    },
    /// A third-party caveat, which PyPI cannot discharge.
    ThirdParty {},
    /// A caveat PyPI cannot read (see the warnings).
    Unreadable {},
}

impl Restriction {
    fn of(c: &Caveat<'_>) -> Restriction {
        let text = |s: &caveat::json::JsonStr<'_>| s.decode().ok().map(|d| d.into_owned());
        match c {
            Caveat::Expiration {
                expires_at,
                not_before,
            } => Restriction::Expiration {
                not_before: not_before.as_i64(),
                expires_at: expires_at.as_i64(),
            },
            Caveat::ProjectName { names } => Restriction::ProjectNames {
                names: names.iter().map(|n| text(&n)).collect(),
            },
            Caveat::ProjectId { ids } => Restriction::ProjectIds {
                ids: ids.iter().map(|i| text(&i)).collect(),
            },
            Caveat::RequestUser { user_id } => Restriction::RequestUser {
                user_id: text(user_id),
            },
            Caveat::LegacyUser => Restriction::LegacyUser {},
            Caveat::OidcPublisher {
                publisher_id,
                claims,
            } => Restriction::OidcPublisher {
                publisher_id: text(publisher_id),
                has_claims: claims.is_some(),
            },
            Caveat::KeyBinding { jkt } => Restriction::KeyBinding { jkt: text(jkt) },
        }
    }
}

/// Why a token could not be inspected at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// Not a `pypi-` token, or not base64.
    #[error("not a PyPI token ({0})")]
    Token(&'static str),
    /// The bytes are not a macaroon.
    #[error("not a macaroon ({0})")]
    Macaroon(&'static str),
}

impl InspectError {
    /// The vector code of the failure (`token.*` or `macaroon.*`).
    pub fn code(&self) -> &'static str {
        match self {
            InspectError::Token(code) | InspectError::Macaroon(code) => code,
        }
    }
}

/// Describes `token_text` as PyPI would read it; `now` (Unix seconds) dates the expiry warnings.
pub fn inspect(token_text: &str, now: Option<i64>) -> Result<Inspection, InspectError> {
    let body = token::split_prefix(token_text, Profile::Warehouse)
        .map_err(|e| InspectError::Token(e.code()))?;
    let bytes =
        token::decode_body(body, Profile::Warehouse).map_err(|e| InspectError::Token(e.code()))?;
    let mac = macaroon::decode(&bytes, Profile::Warehouse)
        .map_err(|e| InspectError::Macaroon(e.code()))?;
    let mut warnings = Vec::new();
    if let Err(e) = token::split_prefix(token_text, Profile::Strict)
        .and_then(|b| token::decode_body(b, Profile::Strict))
    {
        warnings.push(format!(
            "the text is not in canonical form ({}); PyPI reads it, a strict verifier will not",
            e.code()
        ));
    } else if let Err(e) = macaroon::decode(&bytes, Profile::Strict) {
        warnings.push(format!(
            "the macaroon is not in canonical form ({}); a strict verifier will refuse it",
            e.code()
        ));
    }
    if mac.version == Version::V1 {
        warnings
            .push("V1 macaroon format: PyPI fails with an internal error on V1 tokens".to_owned());
    }
    let identifier = String::from_utf8_lossy(mac.identifier).into_owned();
    if !caveat::is_canonical_uuid(&identifier) {
        warnings
            .push("the identifier is not a lower-case UUID: PyPI issues none like it".to_owned());
    }
    if mac.signature.len() != 32 {
        warnings.push(format!(
            "the signature is {} bytes, not 32: it can never verify",
            mac.signature.len()
        ));
    }
    let caveats = mac.caveats.iter().map(|c| describe(&c, now)).collect();
    Ok(Inspection {
        version: if mac.version == Version::V1 { 1 } else { 2 },
        location: mac
            .location
            .map(|l| String::from_utf8_lossy(l).into_owned()),
        identifier,
        caveats,
        warnings,
    })
}

fn describe(raw: &macaroon::RawCaveat<'_>, now: Option<i64>) -> CaveatReport {
    let text = String::from_utf8_lossy(raw.id).into_owned();
    let mut warnings = Vec::new();
    if !raw.is_first_party() {
        warnings.push(
            "third-party caveat: PyPI cannot discharge it, so the token is unusable".to_owned(),
        );
        return CaveatReport {
            raw: text,
            restriction: Restriction::ThirdParty {},
            meaning: None,
            warnings,
        };
    }
    // Read it as PyPI would for a user token, so the legacy user form is described.
    let parsed = caveat::parse(raw.id, Profile::Warehouse, Some(""));
    let strict = caveat::parse(raw.id, Profile::Strict, Some(""));
    let restriction = match (&parsed, &strict) {
        (Ok(c), _) | (Err(_), Ok(c @ Caveat::KeyBinding { .. })) => Restriction::of(c),
        (Err(_), _) => Restriction::Unreadable {},
    };
    let meaning = match (&parsed, &strict) {
        (Ok(c), _) => Some(meaning(c, now, &mut warnings)),
        // The key binding is the strict profile's own caveat: say what it means there.
        (Err(e), Ok(c @ Caveat::KeyBinding { .. })) => {
            warnings.push(format!(
                "PyPI refuses this caveat: {}",
                e.message.as_deref().unwrap_or(e.code)
            ));
            Some(meaning(c, now, &mut warnings))
        }
        (Err(e), _) => {
            match &e.message {
                Some(m) => warnings.push(format!("PyPI refuses this caveat: {m}")),
                None => warnings.push(format!("PyPI cannot read this caveat ({}): it stops verifying and answers \"unknown error\"", e.code)),
            }
            None
        }
    };
    if parsed.is_ok() {
        if let Err(e) = &strict {
            warnings.push(format!("not accepted by the strict profile ({})", e.code));
        }
    }
    CaveatReport {
        raw: text,
        restriction,
        meaning,
        warnings,
    }
}

fn list<'a>(items: impl IntoIterator<Item = caveat::json::JsonStr<'a>>) -> String {
    items
        .into_iter()
        .map(|s| match s.decode() {
            Ok(d) => format!("{d:?}"),
            Err(_) => "(text with a lone surrogate)".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn meaning(c: &Caveat<'_>, now: Option<i64>, warnings: &mut Vec<String>) -> String {
    match c {
        Caveat::Expiration {
            expires_at,
            not_before,
        } => {
            let (nb, ea) = (not_before.as_i64(), expires_at.as_i64());
            let show = |v: Option<i64>, i: &caveat::json::Int<'_>| match v {
                Some(t) => format!("{} ({t})", utc(t)),
                None => format!("{} (beyond any date)", i.to_string_lossy()),
            };
            if let (Some(nb), Some(ea)) = (nb, ea) {
                if nb >= ea {
                    warnings.push("the window is empty: no moment satisfies it".to_owned());
                }
            }
            if let Some(now) = now {
                if expires_at.cmp_i64(now).is_le() {
                    warnings.push("already expired".to_owned());
                } else if not_before.cmp_i64(now).is_gt() {
                    warnings.push("not valid yet".to_owned());
                }
            }
            format!(
                "valid from {} until before {}",
                show(nb, not_before),
                show(ea, expires_at)
            )
        }
        Caveat::ProjectName { names } => {
            for n in names.iter() {
                match n.decode() {
                    Ok(d) if !caveat::is_normalized_name(&d) => warnings.push(format!(
                        "{d:?} is not a normalized project name: PyPI compares normalized names, so it can never match"
                    )),
                    Err(_) => warnings.push("a name holds a lone surrogate: it can never match".to_owned()),
                    _ => {}
                }
            }
            if names.is_empty() {
                warnings.push(
                    "the list is empty: no project can match, the token is unusable".to_owned(),
                );
            }
            format!("only for projects named {}", list(names.iter()))
        }
        Caveat::ProjectId { ids } => {
            for i in ids.iter() {
                if !i
                    .decode()
                    .map(|d| caveat::is_canonical_uuid(&d))
                    .unwrap_or(false)
                {
                    warnings.push("an id is not a lower-case UUID: it can never match".to_owned());
                }
            }
            if ids.is_empty() {
                warnings.push(
                    "the list is empty: no project can match, the token is unusable".to_owned(),
                );
            }
            format!("only for projects with id {}", list(ids.iter()))
        }
        Caveat::RequestUser { user_id } => {
            format!("only for the user with id {}", list([user_id.clone()]))
        }
        Caveat::LegacyUser => "only for the token's own user (legacy 2019-2022 form)".to_owned(),
        Caveat::OidcPublisher {
            publisher_id,
            claims,
        } => {
            if claims.is_some() {
                warnings.push("carries deprecated OIDC claims, which PyPI ignores".to_owned());
            }
            format!(
                "only for the Trusted Publisher {} on its registered projects",
                list([publisher_id.clone()])
            )
        }
        Caveat::KeyBinding { jkt } => {
            format!(
                "only with a DPoP proof by the key with thumbprint {} (strict profile)",
                list([jkt.clone()])
            )
        }
    }
}

/// Unix seconds as an ISO 8601 UTC date-time (proleptic Gregorian).
pub fn utc(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Days to civil date (Howard Hinnant's algorithm), in i128 to stay clear of overflow.
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i128::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::{inspect, utc, Restriction};

    #[test]
    fn gives_each_caveats_kind_and_fields() {
        // Vector `mint/research-key-project`: `[1,["sampleproject"]]`, `[2,[PID]]`.
        let token = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgACFVsxLFsic2FtcGxlcHJvamVjdCJdXQACLFsyLFsiMGQ2YjZhOGUtMmYwYy00ZjhlLThhM2ItNWI3ZTFjOWQyYTQxIl1dAAAGIAaLcuARMgPdpPJbZ9Tb6AMm4s4VKWSNYA322qKgE5RG";
        let report = inspect(token, None).expect("a token");
        let kinds: Vec<&Restriction> = report.caveats.iter().map(|c| &c.restriction).collect();
        assert_eq!(
            kinds,
            [
                &Restriction::ProjectNames {
                    names: vec![Some("sampleproject".into())]
                },
                &Restriction::ProjectIds {
                    ids: vec![Some("0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41".into())]
                },
            ]
        );
        let json = serde_json::to_value(&report.caveats[0]).expect("JSON");
        assert_eq!(json["kind"], "project_names");
        assert_eq!(
            json["fields"],
            serde_json::json!({"names": ["sampleproject"]})
        );
        assert_eq!(
            inspect("pypi-QUJD", None).map(|_| ()).map_err(|e| e.code()),
            Err("macaroon.unknown_format")
        );
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(utc(-1), "1969-12-31T23:59:59Z");
        assert_eq!(utc(253_402_300_799), "9999-12-31T23:59:59Z");
    }
}
