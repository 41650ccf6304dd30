//! A PyPI token presented with a DPoP proof (SPEC §10.9): the request-level procedure around
//! the strict profile's key-binding caveat `[5, jkt]` (§10.7).
//!
//! The header fields are read as for every format ([`presentation::read`]). Under `DPoP` the
//! proof is checked first, with `ath` over the token exactly as presented, because the
//! token's binding is one of its caveats and the caveats are evaluated against the proof's
//! key: [`super::verify`] then runs with that key as [`Request::proof_jkt`]. A bound token
//! under `Bearer` therefore fails its own binding (`key_binding.no_proof`), an attenuated
//! token needs a proof of its own (`dpop.ath`), and a token bound to two keys is unusable.
//! An unbound token is refused under `DPoP` and with a proof under `Bearer`, so that client
//! and server never disagree silently about whether a token is bound.

use super::{request_user, verify, Issued, Request, Verdict};
use crate::caveat::{self, Caveat};
use crate::dpop::presentation::{self, PresentationError, RequestFields, Scheme};
use crate::dpop::{DpopError, ReplayCache};
use crate::macaroon;
use crate::token;
use crate::Profile;

/// One request presenting a PyPI token.
#[derive(Debug, Clone, Copy)]
pub struct PresentedRequest<'a> {
    /// The request's header fields, method, URL, and the server's nonce.
    pub fields: RequestFields<'a>,
    /// The clock and the project the request acts on; its `proof_jkt` is ignored and comes
    /// from the proof instead.
    pub request: Request<'a>,
}

/// Why a presented token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PresentedError {
    /// The header fields are not one presentation.
    #[error(transparent)]
    Presentation(PresentationError),
    /// `DPoP` scheme without a `DPoP` field.
    #[error("the DPoP scheme came without a DPoP proof")]
    ProofMissing,
    /// `Bearer` scheme with a `DPoP` field.
    #[error("a DPoP proof came with a Bearer token")]
    UnexpectedProof,
    /// The proof is refused (SPEC §10.3) or replayed (§10.4).
    #[error("proof refused: {0}")]
    Proof(DpopError),
    /// The token is refused by the strict profile, its bindings included; every failure.
    #[error("token refused: {}", .0.codes().join(", "))]
    Token(Verdict),
    /// An accepted token without a key-binding caveat under the `DPoP` scheme.
    #[error("the DPoP scheme was used with a token that is not bound to a key")]
    NotBound,
}

impl PresentedError {
    /// The vector codes: one for the request and the proof, every failure's for the token.
    pub fn codes(&self) -> Vec<&'static str> {
        match self {
            PresentedError::Presentation(e) => vec![e.code()],
            PresentedError::ProofMissing => vec!["bound.proof_missing"],
            PresentedError::UnexpectedProof => vec!["bound.unexpected_proof"],
            PresentedError::Proof(e) => vec![e.code()],
            PresentedError::Token(verdict) => verdict.codes(),
            PresentedError::NotBound => vec!["bound.not_bound"],
        }
    }
}

/// Checks one request presenting `issued`'s token, in SPEC §10.9's order, in the strict
/// profile; the proof of an accepted request goes into `replay`, last. Returns the thumbprint of the key the
/// token is bound to, or `None` for an unbound token accepted under `Bearer`.
pub fn verify_presented(
    req: &PresentedRequest<'_>,
    issued: &Issued<'_>,
    replay: &mut ReplayCache,
) -> Result<Option<String>, PresentedError> {
    let presented = presentation::read(&req.fields).map_err(PresentedError::Presentation)?;
    let now = req.request.now;
    let proof = match (presented.scheme, presented.proof) {
        (Scheme::Dpop, None) => return Err(PresentedError::ProofMissing),
        (Scheme::Bearer, Some(_)) => return Err(PresentedError::UnexpectedProof),
        (Scheme::Bearer, None) => None,
        (Scheme::Dpop, Some(proof)) => Some(
            presentation::check_proof(&req.fields, presented.token, proof, None, now)
                .map_err(PresentedError::Proof)?,
        ),
    };
    let request = Request {
        proof_jkt: proof.as_ref().map(|p| p.jkt.as_str()),
        ..req.request
    };
    let verdict = verify(presented.token, issued, &request, Profile::Strict);
    if !verdict.valid {
        return Err(PresentedError::Token(verdict));
    }
    if presented.scheme == Scheme::Dpop && !has_key_binding(presented.token, issued) {
        return Err(PresentedError::NotBound);
    }
    // Recorded only now that token and proof are both accepted: a proof that came with a
    // worthless token takes no room in the cache (SPEC §10.4).
    match proof {
        Some(p) => {
            replay
                .check_and_insert(&p, now)
                .map_err(PresentedError::Proof)?;
            Ok(Some(p.jkt))
        }
        None => Ok(None),
    }
}

/// Whether any caveat the strict profile evaluated for this token (embedded or stored) is a
/// key binding. Called only on a token the strict profile accepted, so every step succeeds.
fn has_key_binding(token_text: &str, issued: &Issued<'_>) -> bool {
    let user = request_user(&issued.owner);
    let binds = |raw: &[u8]| {
        matches!(
            caveat::parse(raw, Profile::Strict, user),
            Ok(Caveat::KeyBinding { .. })
        )
    };
    let Ok(body) = token::split_prefix(token_text, Profile::Strict) else {
        return false;
    };
    let embedded = token::with_decoded_body(body, Profile::Strict, |bytes| {
        bytes
            .ok()
            .and_then(|b| macaroon::decode(b, Profile::Strict).ok())
            .is_some_and(|m| m.caveats.iter().any(|c| binds(c.id)))
    });
    embedded || issued.stored_caveats.iter().any(|s| binds(s.as_bytes()))
}
