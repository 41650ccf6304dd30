//! The `atr-jwt-dpop` profile: ATR's API JWTs bound to a key with `cnf.jkt` and presented
//! with `Authorization: DPoP` and a DPoP proof (RFC 9449 §7), SPEC §10.8.
//!
//! The token is checked exactly as ATR checks it today ([`verify_token`]); the binding
//! layer on top is RFC 9449's, with the choices the RFC leaves open taken to fail closed:
//! one `Authorization` field and at most one `DPoP` field, `cnf` holding exactly one member
//! `jkt` in its canonical spelling, a bound token refused under `Bearer` (§7.2), an unbound
//! token refused under `DPoP` or with a proof, and the proof checked by [`crate::dpop::verify_proof`]
//! with `ath` over the token as presented and the expected thumbprint from `cnf.jkt`.

use serde_json::Value;

use super::{verify_token, AtrClaims, AtrError, MAX_AUTHORIZATION};
use crate::caveat::is_canonical_jkt;
use crate::dpop::presentation::{self, PresentationError, RequestFields, Scheme};
use crate::dpop::{DpopError, ReplayCache};

/// One request to an ATR-style API, as the verifier receives it.
#[derive(Debug, Clone, Copy)]
pub struct BoundRequest<'a> {
    /// The request's header fields, method, URL, and the server's nonce.
    pub fields: RequestFields<'a>,
    /// The current time, Unix seconds.
    pub now: i64,
    /// ATR's HMAC key (the hex string's text).
    pub key: &'a [u8],
    /// ATR's issuer and audience, `https://{host}/`.
    pub iss_aud: &'a str,
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
#[non_exhaustive]
pub enum BoundError {
    /// The header fields are not one presentation (fields counted, scheme).
    #[error(transparent)]
    Presentation(PresentationError),
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
            BoundError::Presentation(e) => e.code(),
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
    if req
        .fields
        .authorization
        .iter()
        .any(|f| f.len() > MAX_AUTHORIZATION)
    {
        return Err(BoundError::Token(AtrError::TooLarge));
    }
    let presented = presentation::read(&req.fields).map_err(BoundError::Presentation)?;
    let (token, dpop_scheme) = (presented.token, presented.scheme == Scheme::Dpop);
    let claims = verify_token(token, req.key, req.iss_aud, req.now).map_err(BoundError::Token)?;
    let jkt = bound_jkt(&claims)?;
    let jkt = match (jkt, dpop_scheme, presented.proof) {
        (Some(_), false, _) => return Err(BoundError::Downgrade),
        (None, true, _) => return Err(BoundError::NotBound),
        (None, false, Some(_)) => return Err(BoundError::UnexpectedProof),
        (None, false, None) => None,
        (Some(_), true, None) => return Err(BoundError::ProofMissing),
        (Some(jkt), true, Some(proof)) => {
            // The token is accepted by now: the proof is the last check, then recorded.
            let accepted = presentation::check_proof(&req.fields, token, proof, Some(jkt), req.now)
                .map_err(BoundError::Proof)?;
            replay
                .check_and_insert(&accepted, req.now)
                .map_err(BoundError::Proof)?;
            Some(accepted.jkt)
        }
    };
    Ok(BoundIdentity { claims, jkt })
}
