//! A small JOSE layer: exactly the parts of JWS (RFC 7515), JWK (RFC 7517, RFC 8037) and JWK
//! thumbprints (RFC 7638) that checking a DPoP proof (RFC 9449) needs, on RustCrypto
//! primitives or, with the feature `aws-lc-rs`, on AWS-LC's ([`backend`]).
//!
//! - [`jwk`]: public keys from a JWK (EC P-256 and OKP Ed25519) and RFC 7638 thumbprints;
//! - [`jws`]: the compact serialization, its JSON with duplicate member names refused, and
//!   ES256 / EdDSA signature verification.
//!
//! Every base64url segment and member is read with the strict decoder,
//! [`crate::encoding::base64url`] (whose documentation spells out how PyJWT differs).
//!
//! The layer is deliberately narrow. It knows two asymmetric algorithms and refuses everything
//! else with a typed reason, because a verifier that accepts a key or algorithm it does not
//! implement carefully is the classic JWT failure (RFC 8725 §2.1). Every input size is bounded
//! before anything is decoded ([`jws::MAX_COMPACT_LEN`]), and nothing panics on any input.

pub mod backend;
pub mod jwk;
pub mod jws;

pub use backend::BACKEND;
/// Published examples and a deterministic signer: the unit tests' data, and with the
/// `testdata` feature the fuzz targets' and the benchmarks' too. Not a supported API.
#[cfg(any(test, feature = "testdata"))]
#[doc(hidden)]
pub mod testdata;

use crate::encoding::base64::StrictError;

/// Why the JOSE layer refused its input. One variant per reason; [`JoseError::code`] is the
/// stable name the vectors use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JoseError {
    /// A base64url segment or member is not canonical unpadded base64url.
    #[error("not canonical base64url: {0}")]
    Base64(StrictError),
    /// The compact serialization is longer than [`jws::MAX_COMPACT_LEN`] bytes.
    #[error("JWS is {len} bytes long, more than {max}")]
    TooLong {
        /// Length found, in bytes.
        len: usize,
        /// The limit that applied.
        max: usize,
    },
    /// Not exactly three `.`-separated segments (a JWE has five, an unsecured JWS still has
    /// three).
    #[error("compact JWS has {found} segments, not 3")]
    Segments {
        /// Number of segments found.
        found: usize,
    },
    /// The signature segment is empty (an unsecured JWS).
    #[error("signature segment is empty")]
    EmptySignature,
    /// The header or payload is not JSON text (or not UTF-8).
    #[error("{part} is not JSON: {message}")]
    Json {
        /// `header` or `payload`.
        part: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The header or payload is JSON but not an object.
    #[error("{part} is not a JSON object")]
    NotObject {
        /// `header` or `payload`.
        part: &'static str,
    },
    /// A JSON object, at any depth, names the same member twice.
    #[error("{part} has the member {name:?} twice")]
    DuplicateMember {
        /// `header` or `payload`.
        part: &'static str,
        /// The repeated name (after JSON unescaping).
        name: String,
    },
    /// A required member is absent.
    #[error("missing member {0:?}")]
    MissingMember(&'static str),
    /// A member has the wrong JSON type.
    #[error("member {0:?} has the wrong type")]
    MemberType(&'static str),
    /// `alg` is `none`: an unsecured JWS is never accepted.
    #[error("alg \"none\" is not accepted")]
    AlgNone,
    /// `alg` names a MAC (`HS256`, `HS384`, `HS512`): not a public-key signature.
    #[error("alg {0:?} is symmetric")]
    AlgSymmetric(String),
    /// `alg` is a registered asymmetric algorithm this layer does not implement.
    #[error("alg {0:?} is not supported")]
    AlgUnsupported(String),
    /// `alg` is not a registered JWS algorithm name (compared case-sensitively).
    #[error("alg {0:?} is not a known algorithm")]
    AlgUnknown(String),
    /// The JWK is symmetric (`kty` `oct`).
    #[error("JWK is a symmetric key (kty \"oct\")")]
    JwkSymmetric,
    /// The JWK carries a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`, `oth`).
    #[error("JWK has the private member {0:?}")]
    JwkPrivate(&'static str),
    /// The JWK is an RSA key: valid in JOSE, not implemented here.
    #[error("RSA JWKs are not supported")]
    JwkRsaUnsupported,
    /// `kty` is neither `EC`, `OKP`, `RSA` nor `oct`.
    #[error("JWK kty {0:?} is not supported")]
    JwkKty(String),
    /// `crv` is not `P-256` (for `EC`) or `Ed25519` (for `OKP`).
    #[error("JWK curve {0:?} is not supported")]
    JwkCurve(String),
    /// A coordinate does not decode to exactly 32 bytes.
    #[error("JWK member {member:?} is {len} bytes, not 32")]
    JwkLength {
        /// `x` or `y`.
        member: &'static str,
        /// Decoded length.
        len: usize,
    },
    /// The coordinates are not a point of the curve (or an Ed25519 key of small order).
    #[error("JWK is not a valid public key of its curve")]
    JwkPoint,
    /// A thumbprint member would need escaping in JSON (RFC 7638 §3.3 leaves that undefined).
    #[error("JWK member {0:?} cannot be used in a thumbprint")]
    ThumbprintMember(&'static str),
    /// The key does not belong to the algorithm's family (an ES256 signature with an Ed25519
    /// key, say).
    #[error("key type does not match alg {0:?}")]
    KeyAlgMismatch(&'static str),
    /// The signature is not 64 bytes (both algorithms here use 64).
    #[error("signature is {0} bytes, not 64")]
    SignatureLength(usize),
    /// An ES256 signature whose `s` is above n/2, under [`jws::HighS::Reject`].
    #[error("ES256 signature has a high S")]
    HighS,
    /// The signature does not verify.
    #[error("signature does not verify")]
    Signature,
    /// The header has a `crit` member naming something not understood, or a malformed one.
    #[error("crit: {0}")]
    Crit(&'static str),
}

/// A segment or member that is not strict base64url (`?` on [`crate::encoding::base64url::decode`]).
impl From<StrictError> for JoseError {
    fn from(e: StrictError) -> Self {
        JoseError::Base64(e)
    }
}

impl JoseError {
    /// Stable error code, `jose.<snake_case>`.
    pub fn code(&self) -> &'static str {
        match self {
            JoseError::Base64(_) => "jose.base64",
            JoseError::TooLong { .. } => "jose.too_long",
            JoseError::Segments { .. } => "jose.segments",
            JoseError::EmptySignature => "jose.empty_signature",
            JoseError::Json { .. } => "jose.json",
            JoseError::NotObject { .. } => "jose.not_object",
            JoseError::DuplicateMember { .. } => "jose.duplicate_member",
            JoseError::MissingMember(_) => "jose.missing_member",
            JoseError::MemberType(_) => "jose.member_type",
            JoseError::AlgNone => "jose.alg_none",
            JoseError::AlgSymmetric(_) => "jose.alg_symmetric",
            JoseError::AlgUnsupported(_) => "jose.alg_unsupported",
            JoseError::AlgUnknown(_) => "jose.alg_unknown",
            JoseError::JwkSymmetric => "jose.jwk_symmetric",
            JoseError::JwkPrivate(_) => "jose.jwk_private",
            JoseError::JwkRsaUnsupported => "jose.jwk_rsa_unsupported",
            JoseError::JwkKty(_) => "jose.jwk_kty",
            JoseError::JwkCurve(_) => "jose.jwk_curve",
            JoseError::JwkLength { .. } => "jose.jwk_length",
            JoseError::JwkPoint => "jose.jwk_point",
            JoseError::ThumbprintMember(_) => "jose.thumbprint_member",
            JoseError::KeyAlgMismatch(_) => "jose.key_alg_mismatch",
            JoseError::SignatureLength(_) => "jose.signature_length",
            JoseError::HighS => "jose.high_s",
            JoseError::Signature => "jose.signature",
            JoseError::Crit(_) => "jose.crit",
        }
    }
}
