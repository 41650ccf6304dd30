//! Verification of a presented token against the token's database row and a request.
//!
//! Two procedures, one per profile. `warehouse` replays what PyPI does on upload
//! (`MacaroonSecurityPolicy.identity` then `DatabaseMacaroonService.verify`): look the token up,
//! append the caveats PyPI stored when it issued the token, run pymacaroons' verifier with one
//! general callback that collects every failure reason, and report them joined by ", ", or
//! "signatures do not match" when nothing failed. `strict` checks the signature first (so a
//! forger learns nothing about the caveats), evaluates every caveat, and reports every failure.
//! See `spec/SPEC.md` §5.

use std::borrow::Cow;

use subtle::ConstantTimeEq;

use crate::caveat::{self, pyfmt, Caveat, CaveatError, NormalizedName};
use crate::macaroon::{self, chain, Version};
use crate::token;
use crate::Profile;

#[cfg(feature = "pop")]
mod presented;
#[cfg(feature = "pop")]
pub use presented::{verify_presented, PresentedError, PresentedRequest};

/// The database row PyPI keeps for an issued token.
#[derive(Debug, Clone, Copy)]
pub struct Issued<'a> {
    /// The row id: the token's identifier as PyPI minted it (a UUID).
    pub identifier: &'a str,
    /// The root key (32 random bytes at PyPI).
    pub root_key: &'a [u8],
    /// Who the token belongs to.
    pub owner: Owner<'a>,
    /// Caveats PyPI stored at issue time (JSON text), appended after the embedded ones.
    pub stored_caveats: &'a [&'a str],
}

/// The owner of a token: a user, or a Trusted Publisher with the projects registered to it.
#[derive(Debug, Clone, Copy)]
pub enum Owner<'a> {
    /// A user's API token; the request's user is this user.
    User {
        /// The user's UUID.
        user_id: &'a str,
    },
    /// A Trusted Publishing token; the request has this publisher and no user.
    Publisher {
        /// The publisher's UUID.
        publisher_id: &'a str,
        /// UUIDs of the projects registered to it.
        project_ids: &'a [&'a str],
    },
    /// Not known (a command-line check without an owner): user and publisher caveats fail.
    Nobody,
}

/// The project a request acts on.
#[derive(Debug, Clone, Copy)]
pub struct Project<'a> {
    /// The display name (as registered, e.g. `Sample.Project`).
    pub name: &'a str,
    /// The project's UUID, lower-case hyphenated.
    pub id: &'a str,
}

/// The request a token is presented with.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Unix time in whole seconds (PyPI uses `int(time.time())`).
    pub now: i64,
    /// The project the request acts on; `None` for PyPI's project-less endpoints.
    pub project: Option<Project<'a>>,
    /// The RFC 7638 thumbprint of the key of a DPoP proof presented with the token, which the
    /// caller has already checked with [`crate::dpop::verify_proof`] (its `ath` covering this
    /// exact token string); `None` when no proof came with the request. Only key-binding
    /// caveats (strict profile) read it.
    pub proof_jkt: Option<&'a str>,
}

/// One reason a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Machine-readable code (see `spec/SPEC.md` §6).
    pub code: &'static str,
    /// PyPI's text for this reason, where PyPI has one.
    pub message: Option<String>,
}

/// The outcome of verifying a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// True only when the signature is right and every caveat holds.
    pub valid: bool,
    /// Every failure, in the order the profile finds them.
    pub failures: Vec<Failure>,
    /// PyPI's message (warehouse profile): "signature and caveats OK", the joined reasons,
    /// "signatures do not match", "unknown error", or a lookup error. `None` where PyPI fails
    /// with an internal error, and always in the strict profile. Borrowed when it is one of
    /// the fixed texts, so that accepting a token allocates nothing.
    pub message: Option<Cow<'static, str>>,
}

impl Verdict {
    /// The codes of all failures, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.failures.iter().map(|f| f.code).collect()
    }

    fn refuse(code: &'static str, message: Option<&'static str>) -> Self {
        Verdict {
            valid: false,
            failures: vec![Failure {
                code,
                message: message.map(str::to_owned),
            }],
            message: message.map(Cow::Borrowed),
        }
    }
}

const MALFORMED_OR_NONEXISTENT: &str = "malformed or nonexistent macaroon";
const MALFORMED: &str = "malformed macaroon";
const NOT_FOUND: &str = "Macaroon not found";

/// Verifies `token` as the token of `issued`, presented with `request`.
pub fn verify(
    token: &str,
    issued: &Issued<'_>,
    request: &Request<'_>,
    profile: Profile,
) -> Verdict {
    match profile {
        Profile::Warehouse => verify_warehouse(token, issued, request),
        Profile::Strict => verify_strict(token, issued, request),
    }
}

/// The user PyPI puts on the request for this owner (`request.user`).
fn request_user<'a>(owner: &Owner<'a>) -> Option<&'a str> {
    match owner {
        Owner::User { user_id } => Some(user_id),
        Owner::Publisher { .. } | Owner::Nobody => None,
    }
}

/// Stored caveats as PyPI appends them: read back from the database and re-serialized.
fn stored_bytes(issued: &Issued<'_>, profile: Profile) -> Result<Vec<Vec<u8>>, Failure> {
    if issued.stored_caveats.is_empty() {
        // User tokens store none: skip the collecting machinery on the hot path.
        return Ok(Vec::new());
    }
    let user = request_user(&issued.owner);
    issued
        .stored_caveats
        .iter()
        .map(|s| {
            let parsed =
                caveat::parse(s.as_bytes(), Profile::Warehouse, user).map_err(|_| Failure {
                    code: "stored.invalid",
                    message: None,
                })?;
            let text = match profile {
                Profile::Warehouse => parsed.canonical(user),
                Profile::Strict => Some((*s).to_owned()),
            };
            text.map(String::into_bytes).ok_or(Failure {
                code: "stored.invalid",
                message: None,
            })
        })
        .collect()
}

fn verify_warehouse(token: &str, issued: &Issued<'_>, request: &Request<'_>) -> Verdict {
    let body = match token::split_prefix(token, Profile::Warehouse) {
        Ok(b) => b,
        Err(e) => return Verdict::refuse(e.code(), Some(MALFORMED_OR_NONEXISTENT)),
    };
    token::with_decoded_body(body, Profile::Warehouse, |bytes| match bytes {
        Ok(bytes) => verify_warehouse_bytes(bytes, issued, request),
        Err(e) => Verdict::refuse(e.code(), Some(MALFORMED)),
    })
}

fn verify_warehouse_bytes(bytes: &[u8], issued: &Issued<'_>, request: &Request<'_>) -> Verdict {
    let mac = match macaroon::decode(bytes, Profile::Warehouse) {
        Ok(m) => m,
        Err(_) => return Verdict::refuse("macaroon.malformed", Some(MALFORMED)),
    };
    if mac.version == Version::V1 {
        // pymacaroons gives a V1 identifier as str (decoding it as UTF-8), and PyPI's
        // `identifier.decode()` on that str raises AttributeError: an internal error, not a
        // clean refusal. An identifier that is not UTF-8 fails in pymacaroons' decoding
        // first, with the UnicodeDecodeError PyPI answers "Macaroon not found".
        if std::str::from_utf8(mac.identifier).is_err() {
            return Verdict::refuse("macaroon.not_found", Some(NOT_FOUND));
        }
        return Verdict::refuse("macaroon.v1_server_error", None);
    }
    if !identifies_row(mac.identifier, issued.identifier) {
        return Verdict::refuse("macaroon.not_found", Some(NOT_FOUND));
    }
    let stored = match stored_bytes(issued, Profile::Warehouse) {
        Ok(s) => s,
        Err(f) => {
            return Verdict {
                valid: false,
                failures: vec![f],
                message: None,
            }
        }
    };
    let user = request_user(&issued.owner);
    let normalized = request.project.map(|p| NormalizedName::new(p.name));
    let mut failures: Vec<Failure> = Vec::new();
    let mut aborted = false;
    // One pass: each caveat is evaluated and chained as it is read. The chain only matters
    // when every caveat held, and then it covers all of them, as pymacaroons' does.
    let mut expected = chain::hmac(&chain::derive_key(issued.root_key), mac.identifier);
    let embedded = mac.caveats.iter().map(|c| (c.id, c.is_first_party()));
    let appended = stored.iter().map(|s| (s.as_slice(), true));
    for (raw, first_party) in embedded.chain(appended) {
        expected = chain::hmac(&expected, raw);
        if !first_party {
            // pymacaroons has no discharge macaroons to check a third-party caveat with and
            // raises TypeError: verification stops.
            failures.push(Failure {
                code: "macaroon.third_party_caveat",
                message: None,
            });
            aborted = true;
            break;
        }
        match caveat::parse(raw, Profile::Warehouse, user) {
            Ok(c) => {
                if let Some(f) = evaluate(&c, issued, request, normalized.as_ref()) {
                    failures.push(f);
                }
            }
            Err(CaveatError {
                code,
                message,
                aborts,
            }) => {
                failures.push(Failure { code, message });
                if aborts {
                    aborted = true;
                    break;
                }
            }
        }
    }
    let reasons: Vec<&str> = failures
        .iter()
        .filter_map(|f| f.message.as_deref())
        .collect();
    if !reasons.is_empty() {
        let message = reasons.join(", ");
        return Verdict {
            valid: false,
            failures,
            message: Some(Cow::Owned(message)),
        };
    }
    if aborted {
        return Verdict {
            valid: false,
            failures,
            message: Some(Cow::Borrowed("unknown error")),
        };
    }
    if !presented_signature_matches(&mac, &stored, &expected) {
        return Verdict::refuse("signature.mismatch", Some("signatures do not match"));
    }
    Verdict {
        valid: true,
        failures,
        message: Some(Cow::Borrowed("signature and caveats OK")),
    }
}

/// Whether a token's identifier finds the row: PostgreSQL compares uuid values, so every
/// spelling of the row's UUID does. The spelling PyPI mints is the row id itself, checked
/// first without converting either.
fn identifies_row(identifier: &[u8], row: &str) -> bool {
    if identifier == row.as_bytes() && caveat::is_canonical_uuid(row) {
        return true;
    }
    std::str::from_utf8(identifier)
        .ok()
        .and_then(caveat::uuid_value)
        .is_some_and(|v| Some(v) == caveat::uuid_value(row))
}

/// Compares the presented signature, extended the way PyPI extends it when it appends its
/// stored caveats (`add_first_party_caveat`: HMAC(sig, caveat) per caveat), with `expected`.
/// A presented signature that is not 32 bytes cannot be extended meaningfully; pymacaroons
/// still HMACs with it as the key, so do the same.
fn presented_signature_matches(
    mac: &macaroon::Macaroon<'_>,
    stored: &[Vec<u8>],
    expected: &[u8; 32],
) -> bool {
    let Some((first, rest)) = stored.split_first() else {
        return chain::signature_matches(mac.signature, expected);
    };
    let mut sig = chain::hmac(mac.signature, first);
    for s in rest {
        sig = chain::hmac(&sig, s);
    }
    chain::signature_matches(&sig, expected)
}

fn verify_strict(token: &str, issued: &Issued<'_>, request: &Request<'_>) -> Verdict {
    let refuse = |code: &'static str| Verdict::refuse(code, None);
    let body = match token::split_prefix(token, Profile::Strict) {
        Ok(b) => b,
        Err(e) => return refuse(e.code()),
    };
    token::with_decoded_body(body, Profile::Strict, |bytes| match bytes {
        Ok(bytes) => verify_strict_bytes(bytes, issued, request),
        Err(e) => refuse(e.code()),
    })
}

fn verify_strict_bytes(bytes: &[u8], issued: &Issued<'_>, request: &Request<'_>) -> Verdict {
    let refuse = |code: &'static str| Verdict::refuse(code, None);
    let mac = match macaroon::decode(bytes, Profile::Strict) {
        Ok(m) => m,
        Err(e) => return refuse(strict_macaroon_code(&e)),
    };
    // The identifier must be exactly the row id: no other spelling of the UUID.
    let ident = std::str::from_utf8(mac.identifier).ok();
    if ident.is_none_or(|i| !caveat::is_canonical_uuid(i) || i != issued.identifier) {
        return refuse("macaroon.not_found");
    }
    if mac.caveats.len() + issued.stored_caveats.len() > macaroon::STRICT_MAX_CAVEATS {
        return refuse("macaroon.too_many_caveats");
    }
    // The signature covers the presented token. The stored caveats are the server's own.
    let derived = chain::derive_key(issued.root_key);
    let expected = chain::chain(&derived, mac.identifier, mac.caveats.iter().map(|c| c.id));
    if !chain::signature_matches(mac.signature, &expected) {
        return refuse("signature.mismatch");
    }
    let user = request_user(&issued.owner);
    let normalized = request.project.map(|p| NormalizedName::new(p.name));
    let mut failures = Vec::new();
    let embedded = mac.caveats.iter().map(|c| c.id);
    let appended = issued.stored_caveats.iter().map(|s| s.as_bytes());
    for raw in embedded.chain(appended) {
        match caveat::parse(raw, Profile::Strict, user) {
            Ok(c) => {
                if let Some(mut f) = evaluate(&c, issued, request, normalized.as_ref()) {
                    f.message = None;
                    failures.push(f);
                }
            }
            Err(e) => failures.push(Failure {
                code: e.code,
                message: None,
            }),
        }
    }
    Verdict {
        valid: failures.is_empty(),
        failures,
        message: None,
    }
}

/// The code the strict profile reports for a macaroon that does not decode: one that
/// pymacaroons would not read at all is simply `macaroon.malformed`; the strict-only rules keep
/// their own codes. (The warehouse profile reports every such macaroon as `macaroon.malformed`.)
pub fn strict_macaroon_code(e: &macaroon::MacaroonError) -> &'static str {
    match e.code() {
        c @ ("macaroon.v1_unsupported"
        | "macaroon.trailing_bytes"
        | "macaroon.signature_length"
        | "macaroon.noncanonical_encoding"
        | "macaroon.third_party_caveat"
        | "macaroon.too_many_caveats"
        | "macaroon.empty_identifier") => c,
        _ => "macaroon.malformed",
    }
}

/// One parsed caveat against the request, with PyPI's reason texts.
fn evaluate(
    c: &Caveat<'_>,
    issued: &Issued<'_>,
    request: &Request<'_>,
    normalized: Option<&NormalizedName<'_>>,
) -> Option<Failure> {
    let fail = |code: &'static str, message: String| {
        Some(Failure {
            code,
            message: Some(message),
        })
    };
    match c {
        Caveat::Expiration {
            expires_at,
            not_before,
        } => {
            let now = request.now;
            let before = not_before.cmp_i64(now).is_gt();
            let after = expires_at.cmp_i64(now).is_le();
            (before || after).then(|| Failure {
                code: "expiration.outside_window",
                message: Some("token is expired".to_owned()),
            })
        }
        Caveat::ProjectName { names } => {
            let Some(p) = request.project else {
                return fail("project_name.no_project", NO_PROJECT.to_owned());
            };
            let normalized =
                normalized.map_or_else(|| Cow::Owned(NormalizedName::new(p.name)), Cow::Borrowed);
            if names.iter().any(|n| normalized.matches(&n)) {
                None
            } else {
                fail("project_name.mismatch", not_valid_for(p.name))
            }
        }
        Caveat::ProjectId { ids } => {
            let Some(p) = request.project else {
                return fail("project_id.no_project", NO_PROJECT.to_owned());
            };
            if ids.iter().any(|i| i.eq_str(p.id)) {
                None
            } else {
                fail("project_id.mismatch", not_valid_for(p.name))
            }
        }
        Caveat::RequestUser { .. } | Caveat::LegacyUser => {
            let Owner::User { user_id } = issued.owner else {
                return fail(
                    "request_user.no_user",
                    "token with user restriction without a user".to_owned(),
                );
            };
            let matches = match c {
                Caveat::RequestUser { user_id: want } => want.eq_str(user_id),
                _ => true,
            };
            if matches {
                None
            } else {
                fail(
                    "request_user.mismatch",
                    "current user does not match user restriction in token".to_owned(),
                )
            }
        }
        Caveat::OidcPublisher { publisher_id, .. } => {
            let Owner::Publisher {
                publisher_id: owner_pub,
                project_ids,
            } = issued.owner
            else {
                return fail(
                    "oidc_publisher.no_publisher",
                    "OIDC scoped token used outside of an OIDC identified request".to_owned(),
                );
            };
            if !publisher_id.eq_str(owner_pub) {
                return fail(
                    "oidc_publisher.mismatch",
                    "current OIDC publisher does not match publisher restriction in token"
                        .to_owned(),
                );
            }
            let Some(p) = request.project else {
                return fail(
                    "oidc_publisher.no_project",
                    "OIDC scoped token used outside of a project context".to_owned(),
                );
            };
            if project_ids.contains(&p.id) {
                None
            } else {
                fail(
                    "oidc_publisher.project_mismatch",
                    format!("OIDC scoped token is not valid for project '{}'", p.name),
                )
            }
        }
        Caveat::KeyBinding { jkt } => {
            // Only the strict profile reads tag 5, and it reports no messages.
            let Some(presented) = request.proof_jkt else {
                return Some(Failure {
                    code: "key_binding.no_proof",
                    message: None,
                });
            };
            // Escapes are allowed in the caveat's JSON string; compare the decoded thumbprint.
            let bound = jkt.decode().unwrap_or_default();
            if bool::from(bound.as_bytes().ct_eq(presented.as_bytes())) {
                None
            } else {
                Some(Failure {
                    code: "key_binding.mismatch",
                    message: None,
                })
            }
        }
    }
}

const NO_PROJECT: &str = "project-scoped token used outside of a project context";

/// `f"project-scoped token is not valid for project: {context.name!r}"`.
fn not_valid_for(name: &str) -> String {
    let mut m = String::from("project-scoped token is not valid for project: ");
    pyfmt::py_repr_str(name, &mut m);
    m
}
