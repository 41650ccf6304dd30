//! How a token and its proof arrive: the `Authorization` and `DPoP` header fields of one
//! request (RFC 9449 §7.1), read the same way for every token format (SPEC §10.8 steps 1–3,
//! §10.9 steps 1–3).
//!
//! A request must carry exactly one `Authorization` field, `Bearer <token>` or `DPoP <token>`
//! with the scheme in any case, split on its first space with nothing trimmed (as Apache
//! Trusted Releases splits it today), and at most one `DPoP` field. What the scheme then
//! requires depends on whether the token is bound, which only the token's format can tell.

use super::{verify_proof, DpopError, ProofRequest, VerifiedProof};

/// What a verifier reads from one HTTP request to check a presented token and its proof.
#[derive(Debug, Clone, Copy)]
pub struct RequestFields<'a> {
    /// Every `Authorization` field value, in order (a well-formed request has one).
    pub authorization: &'a [&'a str],
    /// Every `DPoP` field value, in order (none, or one).
    pub dpop: &'a [&'a str],
    /// The HTTP method.
    pub method: &'a str,
    /// The URL the request was received at.
    pub url: &'a str,
    /// The nonce the server requires, if any.
    pub nonce: Option<&'a str>,
}

/// The authentication scheme of the `Authorization` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `Bearer` (RFC 6750): the token alone.
    Bearer,
    /// `DPoP` (RFC 9449 §7.1): the token with a proof of possession.
    Dpop,
}

/// A request's token and proof, as presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presentation<'a> {
    /// The scheme the token came under.
    pub scheme: Scheme,
    /// The token exactly as sent: everything after the scheme's space. `ath` covers it.
    pub token: &'a str,
    /// The `DPoP` field, if the request has one.
    pub proof: Option<&'a str>,
}

/// Why the header fields cannot be read as one presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PresentationError {
    /// Not exactly one `Authorization` field.
    #[error("the request must carry exactly one Authorization field")]
    Authorization,
    /// The `Authorization` value is not `Bearer <token>` or `DPoP <token>`.
    #[error("Authorization is neither 'Bearer <token>' nor 'DPoP <token>'")]
    Scheme,
    /// More than one `DPoP` field (RFC 9449 §4.3, first check).
    #[error("the request carries more than one DPoP field")]
    ProofMultiple,
}

impl PresentationError {
    /// The vector code.
    pub fn code(&self) -> &'static str {
        match self {
            PresentationError::Authorization => "bound.authorization",
            PresentationError::Scheme => "bound.scheme",
            PresentationError::ProofMultiple => "bound.proof_multiple",
        }
    }
}

/// Reads the `Authorization` fields and `DPoP` fields of one request.
pub fn read<'a>(fields: &RequestFields<'a>) -> Result<Presentation<'a>, PresentationError> {
    let [field] = fields.authorization else {
        return Err(PresentationError::Authorization);
    };
    let (scheme, token) = field.split_once(' ').ok_or(PresentationError::Scheme)?;
    let scheme = if scheme.eq_ignore_ascii_case("dpop") {
        Scheme::Dpop
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else {
        return Err(PresentationError::Scheme);
    };
    let proof = match fields.dpop {
        [] => None,
        [proof] => Some(*proof),
        _ => return Err(PresentationError::ProofMultiple),
    };
    Ok(Presentation {
        scheme,
        token,
        proof,
    })
}

/// Checks the presented `proof` against the request (SPEC §10.3), with `ath` over the token as
/// presented and, when the token names one, the expected thumbprint. The replay cache is not
/// consulted: the caller records the proof (§10.4) once the whole request is accepted.
pub fn check_proof(
    fields: &RequestFields<'_>,
    presented_token: &str,
    proof: &str,
    expected_jkt: Option<&str>,
    now: i64,
) -> Result<VerifiedProof, DpopError> {
    let request = ProofRequest {
        access_token: Some(presented_token),
        expected_jkt,
        nonce: fields.nonce,
        ..ProofRequest::new(fields.method, fields.url, now)
    };
    verify_proof(proof, &request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_fields<'a>(
        authorization: &'a [&'a str],
        dpop: &'a [&'a str],
    ) -> Result<Presentation<'a>, PresentationError> {
        read(&RequestFields {
            authorization,
            dpop,
            method: "POST",
            url: "https://example.org/",
            nonce: None,
        })
    }

    #[test]
    fn fields_and_schemes() {
        let p = read_fields(&["dPoP a.b.c"], &["proof"]).unwrap();
        assert_eq!(
            (p.scheme, p.token, p.proof),
            (Scheme::Dpop, "a.b.c", Some("proof"))
        );
        let p = read_fields(&["Bearer  t "], &[]).unwrap();
        assert_eq!((p.scheme, p.token, p.proof), (Scheme::Bearer, " t ", None));
        assert_eq!(read_fields(&[], &[]), Err(PresentationError::Authorization));
        assert_eq!(
            read_fields(&["DPoP t", "DPoP t"], &[]),
            Err(PresentationError::Authorization)
        );
        assert_eq!(
            read_fields(&["Basic t"], &[]),
            Err(PresentationError::Scheme)
        );
        assert_eq!(
            read_fields(&["DPoP\tt"], &[]),
            Err(PresentationError::Scheme)
        );
        assert_eq!(
            read_fields(&["DPoP t"], &["a", "b"]),
            Err(PresentationError::ProofMultiple)
        );
    }
}
