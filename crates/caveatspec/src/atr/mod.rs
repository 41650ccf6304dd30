//! The `atr-jwt` profile: what Apache Trusted Releases' verifier accepts today for its HS256
//! API JWTs.
//!
//! ATR splits the `Authorization` header on its first space, wants the scheme `bearer` in any
//! case, and passes the rest untouched to PyJWT 2.x:
//! `jwt.decode(token, key, algorithms=["HS256"], audience=X, issuer=X, leeway=120,
//! options={"require": ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]})`, where `key` is the
//! text of a 64-character hex string (its bytes are the HMAC key, not the bytes it encodes) and
//! `X` is `https://{host}/`. [`verify_atr`] reproduces that call step by step, in PyJWT's order,
//! and names the exception PyJWT would raise with a code. The vectors in
//! `vectors/atr-jwt.json` were written by running PyJWT itself (`tools/caveatgen/atr_jwt.py`).
//!
//! This describes a deployed verifier, quirks included (a numeric-string `iat`, a float `exp`,
//! `true` as a time, the last duplicate JSON member winning, any `typ`); it is not advice.
//! Header and payload are read as Python's `json.loads` reads bytes and times converted as
//! Python's `int()` converts them, in full, except for two bounds of the profile (SPEC §10.6):
//! no lone surrogates, and at most [`MAX_DEPTH`] levels of nesting.

use hmac::{Hmac, Mac};
use serde_json::{Map, Value};

use pyjson::{Dict, Py};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::encoding::base64url;

mod pyint;
mod pyjson;
#[rustfmt::skip]
mod python_unicode;
mod request;
pub use pyjson::MAX_DEPTH;
pub use python_unicode::UNICODE_VERSION;
pub use request::{verify_bound_request, BoundError, BoundIdentity, BoundRequest};

/// ATR's leeway on `exp`, `nbf` and `iat`, seconds.
pub const LEEWAY: i128 = 120;
/// The claims ATR requires, in the order it lists them (PyJWT reports the first missing one).
pub const REQUIRED: [&str; 7] = ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"];
/// The longest `Authorization` value this implementation reads (PyJWT has no limit).
pub const MAX_AUTHORIZATION: usize = 64 * 1024;

/// An accepted token's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtrClaims {
    /// The `sub` claim (the ASF user id).
    pub sub: String,
    /// The `jti` claim.
    pub jti: String,
    /// Every claim, as decoded (duplicate members: the last one). Integers beyond 64 bits
    /// are the nearest double; `NaN`, the infinities and integers past the double range,
    /// which no JSON number can carry, are `null`.
    pub claims: Map<String, Value>,
}

/// Why ATR refuses a token; each variant is one PyJWT exception (or ATR's own header check).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtrError {
    /// The header value is not `bearer <token>`.
    #[error("Authorization is not 'Bearer <token>'")]
    Bearer,
    /// Longer than [`MAX_AUTHORIZATION`].
    #[error("Authorization longer than {MAX_AUTHORIZATION} bytes")]
    TooLarge,
    /// PyJWT `DecodeError`: not three segments, bad base64url, not a JSON object.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// PyJWT `InvalidTokenError` for a `kid` that is not a string.
    #[error("Key ID header parameter must be a string")]
    Header,
    /// PyJWT `InvalidTokenError` for `crit` (or `b64` without it).
    #[error("crit: {0}")]
    Crit(&'static str),
    /// PyJWT `InvalidAlgorithmError`: `alg` missing or not `HS256`.
    #[error("the specified alg value is not allowed")]
    Alg,
    /// PyJWT `InvalidSignatureError`.
    #[error("signature verification failed")]
    Signature,
    /// PyJWT `MissingRequiredClaimError`.
    #[error("token is missing the {0:?} claim")]
    MissingClaim(&'static str),
    /// PyJWT `ExpiredSignatureError`.
    #[error("signature has expired")]
    Expired,
    /// PyJWT `ImmatureSignatureError` (`nbf` or `iat` in the future beyond the leeway).
    #[error("the token is not yet valid ({0})")]
    Immature(&'static str),
    /// PyJWT `InvalidIssuedAtError`: `iat` that Python's `int()` refuses.
    #[error("issued at claim (iat) must be an integer")]
    Iat,
    /// PyJWT `InvalidIssuerError`.
    #[error("invalid issuer")]
    Issuer,
    /// PyJWT `InvalidAudienceError`.
    #[error("invalid audience")]
    Audience,
    /// `sub` or `jti` not a string (`InvalidSubjectError`, `InvalidJTIError`), or `exp`/`nbf`
    /// that `int()` refuses (a `DecodeError` in PyJWT).
    #[error("the {0} claim has the wrong type")]
    ClaimType(&'static str),
}

impl AtrError {
    /// The vector code.
    pub fn code(&self) -> &'static str {
        match self {
            AtrError::Bearer => "atr.bearer",
            AtrError::TooLarge => "atr.too_large",
            AtrError::Malformed(_) => "atr.malformed",
            AtrError::Header => "atr.header",
            AtrError::Crit(_) => "atr.crit",
            AtrError::Alg => "atr.alg",
            AtrError::Signature => "atr.signature",
            AtrError::MissingClaim(_) => "atr.missing_claim",
            AtrError::Expired => "atr.expired",
            AtrError::Immature(_) => "atr.immature",
            AtrError::Iat => "atr.iat",
            AtrError::Issuer => "atr.issuer",
            AtrError::Audience => "atr.audience",
            AtrError::ClaimType(_) => "atr.claim_type",
        }
    }
}

/// Checks an `Authorization` header value as ATR does, with `key` the HMAC key bytes (ATR's
/// hex string as text), `expected_iss_aud` ATR's issuer and audience, and `now` the clock.
pub fn verify_atr(
    authorization: &str,
    key: &[u8],
    expected_iss_aud: &str,
    now: i64,
) -> Result<AtrClaims, AtrError> {
    if authorization.len() > MAX_AUTHORIZATION {
        return Err(AtrError::TooLarge);
    }
    let (scheme, token) = authorization.split_once(' ').ok_or(AtrError::Bearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AtrError::Bearer);
    }
    verify_token(token, key, expected_iss_aud, now)
}

/// Checks the token itself (what follows the scheme and its space, untrimmed) as ATR's
/// `jwt.decode` call does; [`verify_atr`] after the header value is split.
pub fn verify_token(
    token: &str,
    key: &[u8],
    expected_iss_aud: &str,
    now: i64,
) -> Result<AtrClaims, AtrError> {
    let claims = decode(token, key, expected_iss_aud, i128::from(now))?;
    let text = |name: &'static str| match claims.get(name) {
        Some(Py::Str(s)) => Ok(s.clone()),
        _ => Err(AtrError::ClaimType(name)),
    };
    Ok(AtrClaims {
        sub: text("sub")?,
        jti: text("jti")?,
        claims: pyjson::dict_to_map(&claims),
    })
}

/// `jwt.decode` with ATR's arguments.
fn decode(token: &str, key: &[u8], iss_aud: &str, now: i128) -> Result<Dict, AtrError> {
    // PyJWS._load: the signature after the last dot, the header before the first.
    let (signing_input, crypto) = token
        .rsplit_once('.')
        .ok_or(AtrError::Malformed("not enough segments"))?;
    let (header_seg, payload_seg) = signing_input
        .split_once('.')
        .ok_or(AtrError::Malformed("not enough segments"))?;
    let header = object(&segment(header_seg)?, "header")?;
    let detached = header.get("b64") == Some(&Py::Bool(false));
    if detached && !payload_seg.is_empty() {
        return Err(AtrError::Malformed(
            "payload segment must be empty when b64 is false",
        ));
    }
    let payload = if detached {
        Vec::new()
    } else {
        segment(payload_seg)?
    };
    let signature = segment(crypto)?;

    // PyJWS._validate_headers.
    if header.get("kid").is_some_and(|k| k.as_str().is_none()) {
        return Err(AtrError::Header);
    }
    if let Some(crit) = header.get("crit") {
        let list = match crit {
            Py::List(l) if !l.is_empty() => l,
            _ => return Err(AtrError::Crit("must be a non-empty list")),
        };
        for ext in list {
            let Py::Str(ext) = ext else {
                return Err(AtrError::Crit("values must be strings"));
            };
            if ext != "b64" {
                return Err(AtrError::Crit("unsupported critical extension"));
            }
            if !header.contains_key(ext) {
                return Err(AtrError::Crit("critical extension missing from the header"));
            }
        }
    }
    if detached {
        let listed = matches!(header.get("crit"), Some(Py::List(l)) if l.iter().any(|e| e.as_str() == Some("b64")));
        if !listed {
            return Err(AtrError::Crit("b64 requires b64 in crit"));
        }
        // ATR passes no detached payload.
        return Err(AtrError::Malformed("b64 false needs a detached payload"));
    }

    // PyJWS._verify_signature.
    if header.get("alg").and_then(Py::as_str) != Some("HS256") {
        return Err(AtrError::Alg);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| AtrError::Signature)?;
    mac.update(signing_input.as_bytes());
    let expected = mac.finalize().into_bytes();
    if !bool::from(expected.as_slice().ct_eq(&signature)) {
        return Err(AtrError::Signature);
    }

    // PyJWT._decode_payload, then _validate_claims.
    let claims = object(&payload, "payload")?;
    for name in REQUIRED {
        if matches!(claims.get(name), None | Some(Py::Null)) {
            return Err(AtrError::MissingClaim(name));
        }
    }
    if let Some(iat) = claims.get("iat") {
        let iat = pyint::python_int(iat).ok_or(AtrError::Iat)?;
        if iat > now + LEEWAY {
            return Err(AtrError::Immature("iat"));
        }
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = pyint::python_int(nbf).ok_or(AtrError::ClaimType("nbf"))?;
        if nbf > now + LEEWAY {
            return Err(AtrError::Immature("nbf"));
        }
    }
    if let Some(exp) = claims.get("exp") {
        let exp = pyint::python_int(exp).ok_or(AtrError::ClaimType("exp"))?;
        if exp <= now - LEEWAY {
            return Err(AtrError::Expired);
        }
    }
    match claims.get("iss") {
        Some(Py::Str(iss)) if iss == iss_aud => {}
        _ => return Err(AtrError::Issuer),
    }
    check_aud(claims.get("aud"), iss_aud)?;
    for name in ["sub", "jti"] {
        if claims.get(name).is_some_and(|v| v.as_str().is_none()) {
            return Err(AtrError::ClaimType(name));
        }
    }
    Ok(claims)
}

/// PyJWT's `_validate_aud` (not strict): a falsy `aud` is missing; a string or a list of
/// strings that contains the audience passes.
fn check_aud(aud: Option<&Py>, expected: &str) -> Result<(), AtrError> {
    let Some(aud) = aud.filter(|a| a.truthy()) else {
        return Err(AtrError::MissingClaim("aud"));
    };
    let found = match aud {
        Py::Str(s) => s == expected,
        Py::List(list) => {
            if list.iter().any(|a| a.as_str().is_none()) {
                return Err(AtrError::Audience);
            }
            list.iter().any(|a| a.as_str() == Some(expected))
        }
        _ => return Err(AtrError::Audience),
    };
    if found {
        Ok(())
    } else {
        Err(AtrError::Audience)
    }
}

/// A segment as PyJWT 2.15.1 decodes it: at most two trailing `=`, and only if the segment's
/// length is then a multiple of 4; what is left must be canonical unpadded base64url.
fn segment(s: &str) -> Result<Vec<u8>, AtrError> {
    const BAD: AtrError = AtrError::Malformed("invalid base64url segment");
    let stripped = s.trim_end_matches('=');
    let padding = s.len() - stripped.len();
    if padding > 2 || (padding > 0 && s.len() % 4 != 0) {
        return Err(BAD);
    }
    base64url::decode(stripped).map_err(|_| BAD)
}

/// A JSON object as Python's `json.loads` reads it from bytes ([`pyjson::loads`]).
fn object(bytes: &[u8], what: &'static str) -> Result<Dict, AtrError> {
    match pyjson::loads(bytes) {
        Some(Py::Dict(d)) => Ok(d),
        _ => Err(AtrError::Malformed(if what == "header" {
            "invalid header string"
        } else {
            "invalid payload string"
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_as_pyjwt_decodes_them() {
        assert_eq!(segment("AA==").unwrap(), [0]);
        assert_eq!(segment("AA").unwrap(), [0]);
        assert!(segment("AA=").is_err());
        assert!(segment("AAA===").is_err());
        assert!(segment("AB").is_err());
        assert!(segment("A+").is_err());
    }

    #[test]
    fn bearer_split() {
        let e = verify_atr("Bearer", b"k", "x", 0).unwrap_err();
        assert_eq!(e.code(), "atr.bearer");
        let e = verify_atr("bearer a.b", b"k", "x", 0).unwrap_err();
        assert_eq!(e.code(), "atr.malformed");
    }
}
