//! The `atr-jwt-dpop` profile: ATR's API JWTs bound to a key with `cnf.jkt` and presented
//! with `Authorization: DPoP` and a DPoP proof (RFC 9449 §7), SPEC §10.8.
//!
//! The token is checked exactly as ATR checks it today ([`verify_token`]); the binding
//! layer on top is RFC 9449's, with the choices the RFC leaves open taken to fail closed:
//! one `Authorization` field and at most one `DPoP` field, `cnf` holding exactly one member
//! `jkt` in its canonical spelling, a bound token refused under `Bearer` (§7.2), an unbound
//! token refused under `DPoP` or with a proof, and the proof checked by [`dpop::verify_proof`]
//! with `ath` over the token as presented and the expected thumbprint from `cnf.jkt`.

use serde_json::Value;

use super::{verify_token, AtrClaims, AtrError, MAX_AUTHORIZATION};
use crate::caveat::is_canonical_jkt;
use crate::dpop::{self, DpopError, ProofRequest, ReplayCache};

/// One request to an ATR-style API, as the verifier receives it.
#[derive(Debug, Clone, Copy)]
pub struct BoundRequest<'a> {
    /// Every `Authorization` field value, in order (a well-formed request has one).
    pub authorization: &'a [&'a str],
    /// Every `DPoP` field value, in order (none, or one).
    pub dpop: &'a [&'a str],
    /// The HTTP method.
    pub method: &'a str,
    /// The URL the request was received at.
    pub url: &'a str,
    /// The current time, Unix seconds.
    pub now: i64,
    /// ATR's HMAC key (the hex string's text).
    pub key: &'a [u8],
    /// ATR's issuer and audience, `https://{host}/`.
    pub iss_aud: &'a str,
    /// The nonce the server requires, if any.
    pub nonce: Option<&'a str>,
}

/// An accepted request's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundIdentity {
    /// The token's claims.
    pub claims: AtrClaims,
    /// The thumbprint of the key the token is bound to, which signed the proof; `None` for an
    /// unbound token accepted under `Bearer`, as ATR accepts it today.
    pub jkt: Option<String>,
}

/// Why a request is refused: the binding layer's own reasons, or the token's or the proof's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoundError {
    /// Not exactly one `Authorization` field.
    #[error("the request must carry exactly one Authorization field")]
    Authorization,
    /// The `Authorization` value is not `Bearer <token>` or `DPoP <token>` (scheme in any case).
    #[error("Authorization is neither 'Bearer <token>' nor 'DPoP <token>'")]
    Scheme,
    /// More than one `DPoP` field.
    #[error("the request carries more than one DPoP field")]
    ProofMultiple,
    /// The token is refused as ATR refuses it today.
    #[error("token refused: {0}")]
    Token(AtrError),
    /// The token's `cnf` is not an object holding only a canonical `jkt`.
    #[error("the cnf claim must hold exactly one member, jkt, a canonical SHA-256 thumbprint")]
    Cnf,
    /// A bound token presented under `Bearer` (RFC 9449 §7.2).
    #[error("a DPoP-bound token was presented as a Bearer token")]
    Downgrade,
    /// An unbound token presented under `DPoP`.
    #[error("the DPoP scheme was used with a token that is not DPoP-bound")]
    NotBound,
    /// An unbound token presented under `Bearer` together with a `DPoP` field.
    #[error("a DPoP proof came with a token that is not DPoP-bound")]
    UnexpectedProof,
    /// A bound token presented under `DPoP` without a `DPoP` field.
    #[error("a DPoP-bound token came without a DPoP proof")]
    ProofMissing,
    /// The proof is refused (RFC 9449 §4.3, SPEC §10.3) or replayed (§10.4).
    #[error("proof refused: {0}")]
    Proof(DpopError),
}

impl BoundError {
    /// The vector code: `bound.*` for the binding layer, else the token's (`atr.*`) or the
    /// proof's (`dpop.*`).
    pub fn code(&self) -> &'static str {
        match self {
            BoundError::Authorization => "bound.authorization",
            BoundError::Scheme => "bound.scheme",
            BoundError::ProofMultiple => "bound.proof_multiple",
            BoundError::Token(e) => e.code(),
            BoundError::Cnf => "bound.cnf",
            BoundError::Downgrade => "bound.downgrade",
            BoundError::NotBound => "bound.not_bound",
            BoundError::UnexpectedProof => "bound.unexpected_proof",
            BoundError::ProofMissing => "bound.proof_missing",
            BoundError::Proof(e) => e.code(),
        }
    }
}

/// The `jkt` a token is bound to: `Ok(None)` without `cnf`, the thumbprint when `cnf` is
/// exactly `{"jkt": <canonical thumbprint>}`. RFC 7800 would ignore other members; a
/// confirmation method this verifier does not check is refused instead.
fn bound_jkt(claims: &AtrClaims) -> Result<Option<&str>, BoundError> {
    let Some(cnf) = claims.claims.get("cnf") else {
        return Ok(None);
    };
    match cnf {
        Value::Object(members) if members.len() == 1 => match members.get("jkt") {
            Some(Value::String(jkt)) if is_canonical_jkt(jkt) => Ok(Some(jkt)),
            _ => Err(BoundError::Cnf),
        },
        _ => Err(BoundError::Cnf),
    }
}

/// Checks one request under the `atr-jwt-dpop` profile, in SPEC §10.8's order; an accepted
/// proof's `jti` goes into `replay`.
pub fn verify_bound_request(
    req: &BoundRequest<'_>,
    replay: &mut ReplayCache,
) -> Result<BoundIdentity, BoundError> {
    let [field] = req.authorization else {
        return Err(BoundError::Authorization);
    };
    if field.len() > MAX_AUTHORIZATION {
        return Err(BoundError::Token(AtrError::TooLarge));
    }
    let (scheme, token) = field.split_once(' ').ok_or(BoundError::Scheme)?;
    let dpop_scheme = if scheme.eq_ignore_ascii_case("dpop") {
        true
    } else if scheme.eq_ignore_ascii_case("bearer") {
        false
    } else {
        return Err(BoundError::Scheme);
    };
    if req.dpop.len() > 1 {
        return Err(BoundError::ProofMultiple);
    }
    let claims = verify_token(token, req.key, req.iss_aud, req.now).map_err(BoundError::Token)?;
    let jkt = bound_jkt(&claims)?;
    let jkt = match (jkt, dpop_scheme, req.dpop.first()) {
        (Some(_), false, _) => return Err(BoundError::Downgrade),
        (None, true, _) => return Err(BoundError::NotBound),
        (None, false, Some(_)) => return Err(BoundError::UnexpectedProof),
        (None, false, None) => None,
        (Some(_), true, None) => return Err(BoundError::ProofMissing),
        (Some(jkt), true, Some(proof)) => {
            let proof_request = ProofRequest {
                access_token: Some(token),
                expected_jkt: Some(jkt),
                nonce: req.nonce,
                ..ProofRequest::new(req.method, req.url, req.now)
            };
            let accepted = dpop::verify_proof(proof, &proof_request).map_err(BoundError::Proof)?;
            replay
                .check_and_insert(&accepted.jti, accepted.iat, req.now)
                .map_err(BoundError::Proof)?;
            Some(accepted.jkt)
        }
    };
    Ok(BoundIdentity { claims, jkt })
}
