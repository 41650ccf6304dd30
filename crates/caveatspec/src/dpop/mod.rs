//! DPoP proofs (RFC 9449): a proof checked against the request it came with.
//!
//! [`verify_proof`] performs the stateless checks of RFC 9449 §4.3; [`ReplayCache`] adds the
//! stateful one (`jti` reuse, §11.1). Keeping them apart lets every stateless rule be tested
//! with fixed inputs and lets a server choose where its cache lives. Extracting the `DPoP`
//! header (§4.3 check 1: not more than one) is the HTTP layer's job and not done here.
//!
//! # Order of the checks
//!
//! The first failing check decides the error, so the order is part of the contract:
//!
//! 1. one well-formed JWT ([`jws::parse_compact`]: at most [`jws::MAX_COMPACT_LEN`] bytes,
//!    three strict base64url segments, header and payload JSON objects without repeated
//!    member names, a non-empty signature) → [`DpopError::Malformed`];
//! 2. `typ` is exactly `dpop+jwt` → [`DpopError::Typ`];
//! 3. `alg` is `ES256`, `EdDSA` or `Ed25519` → [`DpopError::Alg`];
//! 4. no `crit` (no extension is understood) → [`DpopError::Crit`];
//! 5. `jwk` present, public, and a supported key → [`DpopError::JwkMissing`],
//!    [`DpopError::JwkPrivate`], [`DpopError::JwkSymmetric`], [`DpopError::Jwk`];
//! 6. the signature verifies with that key → [`DpopError::Signature`];
//! 7. claims `jti`, `htm`, `htu`, `iat` present and typed, then `ath` when an access token is
//!    given → [`DpopError::MissingClaim`], [`DpopError::ClaimType`], [`DpopError::JtiLength`];
//! 8. `ath` equals base64url(SHA-256(access token)) → [`DpopError::Ath`];
//! 9. `htm` equals the method → [`DpopError::Htm`];
//! 10. `htu` equals the URL, per [`htu::normalize`] → [`DpopError::Htu`] (and
//!     [`DpopError::HtuInvalid`], [`DpopError::RequestUrl`]);
//! 11. `iat` within `[now − max_age, now + leeway]` → [`DpopError::IatTooOld`],
//!     [`DpopError::IatInFuture`];
//! 12. `nonce` equals the expected nonce, when one is expected → [`DpopError::Nonce`];
//! 13. the key's thumbprint equals the expected `jkt`, when one is expected →
//!     [`DpopError::Jkt`].
//!
//! # Decisions where the RFC leaves a choice
//!
//! - **`typ`** is compared exactly, case-sensitively, and `application/dpop+jwt` is refused.
//!   RFC 9449 says "the value `dpop+jwt`" and the OpenID conformance suite's server side
//!   compares exactly; RFC 7515 §4.1.9 would allow treating it as a case-insensitive media
//!   type with an optional `application/` (npm `jose` and oauth4webapi do). No client is
//!   known to send another spelling, and one accepted spelling is easier to test everywhere.
//! - **`alg`**: `ES256`, `EdDSA` and `Ed25519` (RFC 9864's name for EdDSA over Ed25519); see
//!   [`jws`]. `none`, MACs and algorithms not implemented here are refused with distinct
//!   [`JoseError`]s inside [`DpopError::Alg`].
//! - **High-S ES256** signatures are accepted unless [`ProofRequest::high_s`] says otherwise
//!   (RFC 9449's Figures 2 and 13 are high-S).
//! - **`iat`** must be a JSON integer. A fraction, an exponent, or a numeric string is refused
//!   as [`DpopError::ClaimType`]; PyJWT accepts numeric strings, RFC 7519 allows fractions, no
//!   DPoP client sends either, and an integer keeps the window arithmetic exact.
//! - **The window** defaults to [`DEFAULT_MAX_AGE`] = 300 s in the past, as oauth4webapi and
//!   the OpenID conformance suite allow, and [`DEFAULT_LEEWAY`] = 60 s in the future: RFC
//!   9449 §11.1 allows an `iat` "slightly" ahead for clock skew, and §11.2 explains why
//!   proofs dated in the future help an attacker who pre-generates them. Both bounds are
//!   inclusive. oauth4webapi allows 300 s ahead as well.
//! - **`jti`** must be a string of 1 to [`MAX_JTI_LEN`] bytes (§11.1: refuse unnecessarily
//!   large values). Its uniqueness is [`ReplayCache`]'s job.
//! - **`ath`** is required exactly when an access token is given; without one (a token
//!   request) an `ath` claim is ignored. The comparison is constant-time.
//! - **`nonce`** is compared exactly (RFC 9449 §8: "exactly match"); a missing or non-string
//!   `nonce` is [`DpopError::Nonce`] when one is expected, and any `nonce` claim is ignored
//!   when none is.
//! - **Unknown header parameters and claims** are ignored (the OpenID conformance suite
//!   requires accepting them).

pub mod htu;
pub mod presentation;
pub mod replay;

pub use replay::ReplayCache;

use crate::encoding::base64url;
use crate::jose::jwk::{str_member, Jwk};
use crate::jose::jws::{self, Alg, HighS};
use crate::jose::JoseError;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The only accepted `typ`.
pub const TYP: &str = "dpop+jwt";

/// Default oldest accepted `iat`, in seconds before `now`.
pub const DEFAULT_MAX_AGE: u32 = 300;

/// Default newest accepted `iat`, in seconds after `now`.
pub const DEFAULT_LEEWAY: u32 = 60;

/// Longest accepted `jti`, in bytes. A v4 UUID is 36; 96 random bits in base64url are 16.
pub const MAX_JTI_LEN: usize = 256;

/// The request a proof is checked against, and the verifier's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofRequest<'a> {
    /// The HTTP method, compared exactly with `htm` (methods are case-sensitive, RFC 9110
    /// §9.1).
    pub method: &'a str,
    /// The URL the request was received at, compared with `htu` per [`htu::normalize`].
    pub url: &'a str,
    /// The current time, in seconds since the Unix epoch.
    pub now: i64,
    /// The access token presented with the proof (`Authorization: DPoP <token>`), if any;
    /// when given, `ath` is required and must be its hash.
    pub access_token: Option<&'a str>,
    /// The thumbprint the access token is bound to (`cnf.jkt`), if any.
    pub expected_jkt: Option<&'a str>,
    /// The nonce the server supplied, if any; when given, `nonce` is required and must equal
    /// it.
    pub nonce: Option<&'a str>,
    /// Oldest accepted `iat`, in seconds before `now`.
    pub max_age: u32,
    /// Newest accepted `iat`, in seconds after `now`.
    pub leeway: u32,
    /// What to do with a high-S ES256 signature.
    pub high_s: HighS,
}

impl<'a> ProofRequest<'a> {
    /// A request with no access token, no expected thumbprint, no nonce, and the default
    /// window and signature policy.
    pub fn new(method: &'a str, url: &'a str, now: i64) -> Self {
        ProofRequest {
            method,
            url,
            now,
            access_token: None,
            expected_jkt: None,
            nonce: None,
            max_age: DEFAULT_MAX_AGE,
            leeway: DEFAULT_LEEWAY,
            high_s: HighS::default(),
        }
    }
}

/// A proof that passed every check of [`verify_proof`].
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedProof {
    /// The signature algorithm.
    pub alg: Alg,
    /// The proof's public key.
    pub jwk: Jwk,
    /// Its RFC 7638 thumbprint, what `cnf.jkt` binds to.
    pub jkt: String,
    /// The `jti` claim, for [`ReplayCache::check_and_insert`].
    pub jti: String,
    /// The `iat` claim.
    pub iat: i64,
    /// The `htm` claim.
    pub htm: String,
    /// The `htu` claim as sent.
    pub htu: String,
    /// The `nonce` claim, if it is a string.
    pub nonce: Option<String>,
    /// Every claim, for extensions.
    pub claims: Map<String, Value>,
}

/// Why a proof was refused. [`DpopError::code`] is the stable name the vectors use; the
/// JOSE-level reason, where there is one, is in [`DpopError::jose`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DpopError {
    /// Not one well-formed JWT.
    #[error("proof is not a well-formed JWT: {0}")]
    Malformed(JoseError),
    /// `typ` missing, not a string, or not exactly `dpop+jwt`.
    #[error("typ is not \"dpop+jwt\"")]
    Typ,
    /// `alg` missing, not a string, `none`, symmetric or not supported.
    #[error("alg: {0}")]
    Alg(JoseError),
    /// The header has a `crit` member.
    #[error("crit: {0}")]
    Crit(JoseError),
    /// No `jwk` header parameter.
    #[error("no jwk in the header")]
    JwkMissing,
    /// The `jwk` carries private key material.
    #[error("jwk has the private member {0:?}")]
    JwkPrivate(&'static str),
    /// The `jwk` is a symmetric key.
    #[error("jwk is a symmetric key")]
    JwkSymmetric,
    /// The `jwk` is not a supported public key.
    #[error("jwk: {0}")]
    Jwk(JoseError),
    /// The signature does not verify with the `jwk` (or does not fit the key or policy).
    #[error("signature: {0}")]
    Signature(JoseError),
    /// A required claim is absent.
    #[error("missing claim {0:?}")]
    MissingClaim(&'static str),
    /// A claim has the wrong JSON type.
    #[error("claim {0:?} has the wrong type")]
    ClaimType(&'static str),
    /// `jti` is empty or longer than [`MAX_JTI_LEN`] bytes.
    #[error("jti is {0} bytes long, not 1 to {MAX_JTI_LEN}")]
    JtiLength(usize),
    /// `ath` is not the hash of the access token.
    #[error("ath does not match the access token")]
    Ath,
    /// `htm` is not the request method.
    #[error("htm does not match the request method")]
    Htm,
    /// `htu` is not the request URL.
    #[error("htu does not match the request URL")]
    Htu,
    /// `htu` is not a URL that can be compared.
    #[error("htu is not a comparable URL: {0}")]
    HtuInvalid(htu::Invalid),
    /// The request URL given to the verifier cannot be compared.
    #[error("request URL is not comparable: {0}")]
    RequestUrl(htu::Invalid),
    /// `iat` is more than `max_age` seconds before `now`.
    #[error("iat {iat} is too old at {now}")]
    IatTooOld {
        /// The claim.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// `iat` is more than `leeway` seconds after `now`.
    #[error("iat {iat} is in the future at {now}")]
    IatInFuture {
        /// The claim.
        iat: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// A nonce was expected and the `nonce` claim is absent or different.
    #[error("nonce is missing or does not match")]
    Nonce,
    /// The key is not the one the access token is bound to.
    #[error("proof key thumbprint does not match the bound jkt")]
    Jkt,
    /// The `jti` was seen within the retention period.
    #[error("jti was already used")]
    Replay,
    /// The replay cache is full of live entries.
    #[error("replay cache is full")]
    ReplayCacheFull,
}

impl DpopError {
    /// Stable error code, `dpop.<snake_case>`.
    pub fn code(&self) -> &'static str {
        match self {
            DpopError::Malformed(_) => "dpop.malformed",
            DpopError::Typ => "dpop.typ",
            DpopError::Alg(_) => "dpop.alg",
            DpopError::Crit(_) => "dpop.crit",
            DpopError::JwkMissing => "dpop.jwk_missing",
            DpopError::JwkPrivate(_) => "dpop.jwk_private",
            DpopError::JwkSymmetric => "dpop.jwk_symmetric",
            DpopError::Jwk(_) => "dpop.jwk",
            DpopError::Signature(_) => "dpop.signature",
            DpopError::MissingClaim(_) => "dpop.missing_claim",
            DpopError::ClaimType(_) => "dpop.claim_type",
            DpopError::JtiLength(_) => "dpop.jti_length",
            DpopError::Ath => "dpop.ath",
            DpopError::Htm => "dpop.htm",
            DpopError::Htu => "dpop.htu",
            DpopError::HtuInvalid(_) => "dpop.htu_invalid",
            DpopError::RequestUrl(_) => "dpop.request_url",
            DpopError::IatTooOld { .. } => "dpop.iat_too_old",
            DpopError::IatInFuture { .. } => "dpop.iat_in_future",
            DpopError::Nonce => "dpop.nonce",
            DpopError::Jkt => "dpop.jkt",
            DpopError::Replay => "dpop.replay",
            DpopError::ReplayCacheFull => "dpop.replay_cache_full",
        }
    }

    /// The JOSE-layer reason, for the variants that carry one.
    pub fn jose(&self) -> Option<&JoseError> {
        match self {
            DpopError::Malformed(e)
            | DpopError::Alg(e)
            | DpopError::Crit(e)
            | DpopError::Jwk(e)
            | DpopError::Signature(e) => Some(e),
            _ => None,
        }
    }
}

/// Checks `proof` against `req`; see the module documentation for the checks and their order.
/// Does not consult a replay cache: pass the result to [`ReplayCache::check_and_insert`] once
/// the request is accepted in every other respect.
pub fn verify_proof(proof: &str, req: &ProofRequest<'_>) -> Result<VerifiedProof, DpopError> {
    let jws = jws::parse_compact(proof).map_err(DpopError::Malformed)?;
    let claims = jws.claims().map_err(DpopError::Malformed)?;
    let header = &jws.header;

    if header.get("typ").and_then(Value::as_str) != Some(TYP) {
        return Err(DpopError::Typ);
    }
    let alg = str_member(header, "alg")
        .and_then(Alg::from_name)
        .map_err(DpopError::Alg)?;
    jws::check_crit(header, &[]).map_err(DpopError::Crit)?;
    let jwk = header.get("jwk").ok_or(DpopError::JwkMissing)?;
    let jwk = Jwk::from_value(jwk).map_err(|e| match e {
        JoseError::JwkPrivate(name) => DpopError::JwkPrivate(name),
        JoseError::JwkSymmetric => DpopError::JwkSymmetric,
        other => DpopError::Jwk(other),
    })?;
    jws.verify(alg, &jwk, req.high_s)
        .map_err(DpopError::Signature)?;

    let jti = string_claim(&claims, "jti")?;
    let htm = string_claim(&claims, "htm")?;
    let htu_claim = string_claim(&claims, "htu")?;
    let iat = match claims.get("iat") {
        None => return Err(DpopError::MissingClaim("iat")),
        Some(Value::Number(n)) if !n.is_f64() => n.as_i64().ok_or(DpopError::ClaimType("iat"))?,
        Some(_) => return Err(DpopError::ClaimType("iat")),
    };
    if jti.is_empty() || jti.len() > MAX_JTI_LEN {
        return Err(DpopError::JtiLength(jti.len()));
    }
    if let Some(token) = req.access_token {
        let ath = string_claim(&claims, "ath")?;
        let expected = base64url::encode(&Sha256::digest(token.as_bytes()));
        if !bool::from(ath.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(DpopError::Ath);
        }
    }

    if htm != req.method {
        return Err(DpopError::Htm);
    }
    let want = htu::normalize(req.url).map_err(DpopError::RequestUrl)?;
    // The claim is usually the request URL itself, which was just normalized.
    if htu_claim != req.url && htu::normalize(htu_claim).map_err(DpopError::HtuInvalid)? != want {
        return Err(DpopError::Htu);
    }
    let now = req.now;
    if iat < now.saturating_sub(i64::from(req.max_age)) {
        return Err(DpopError::IatTooOld { iat, now });
    }
    if iat > now.saturating_add(i64::from(req.leeway)) {
        return Err(DpopError::IatInFuture { iat, now });
    }
    let nonce = claims.get("nonce").and_then(Value::as_str);
    if let Some(expected) = req.nonce {
        if nonce != Some(expected) {
            return Err(DpopError::Nonce);
        }
    }
    if let Some(expected) = req.expected_jkt {
        if !bool::from(jwk.thumbprint_str().as_bytes().ct_eq(expected.as_bytes())) {
            return Err(DpopError::Jkt);
        }
    }
    let jkt = jwk.thumbprint();

    Ok(VerifiedProof {
        alg,
        jwk,
        jkt,
        jti: jti.to_owned(),
        iat,
        htm: htm.to_owned(),
        htu: htu_claim.to_owned(),
        nonce: nonce.map(str::to_owned),
        claims,
    })
}

/// The string claim `name`, required.
fn string_claim<'c>(
    claims: &'c Map<String, Value>,
    name: &'static str,
) -> Result<&'c str, DpopError> {
    str_member(claims, name).map_err(|e| match e {
        JoseError::MissingMember(_) => DpopError::MissingClaim(name),
        _ => DpopError::ClaimType(name),
    })
}

#[cfg(test)]
mod tests;
