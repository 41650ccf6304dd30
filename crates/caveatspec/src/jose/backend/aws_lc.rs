//! The primitives of the `aws-lc-rs` backend (see [`super`]).

use super::SMALL_ORDER_POINTS;
use crate::jose::jwk::{Ed25519Key, P256Key};
use crate::jose::JoseError;

/// ES256 over `message`; `signature` is `r || s`, already range-checked.
pub(in crate::jose) fn verify_es256(
    key: &P256Key,
    message: &[u8],
    signature: &p256::ecdsa::Signature,
) -> Result<(), JoseError> {
    use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.uncompressed())
        .verify(message, &signature.to_bytes())
        .map_err(|_| JoseError::Signature)
}

/// Ed25519 over `message`, strictly: a non-canonical `S`, a small-order `R` and an `R` that
/// is not the canonical encoding are refused (the key was checked when it was parsed).
pub(in crate::jose) fn verify_ed25519(
    key: &Ed25519Key,
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), JoseError> {
    use aws_lc_rs::signature::{UnparsedPublicKey, ED25519};
    if SMALL_ORDER_POINTS.iter().any(|p| signature[..32] == p[..]) {
        return Err(JoseError::Signature);
    }
    UnparsedPublicKey::new(&ED25519, key.bytes())
        .verify(message, signature)
        .map_err(|_| JoseError::Signature)
}
