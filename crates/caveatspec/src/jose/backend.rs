//! The signature primitives under [`super::jws::verify_signature`], one of two backends chosen
//! at build time:
//!
//! - `rustcrypto` (the default): `p256` and `ed25519-dalek`, pure Rust, no C to build;
//! - `aws-lc-rs` (feature `aws-lc-rs`): AWS-LC, about five times faster on ES256 and builds C.
//!
//! Everything around the primitive is shared and runs before it, so both backends give the same
//! verdict and code on every input: keys are parsed and validated by the pure-Rust crates in
//! either build ([`super::jwk`]: on-curve P-256 points, no small-order Ed25519 keys), and
//! signature length, ES256's `r` and `s` ranges and the high-S policy are checked in
//! [`super::jws`]. The one check `ed25519-dalek`'s `verify_strict` makes that AWS-LC does not,
//! refusing a small-order `R`, is made here for AWS-LC ([`SMALL_ORDER_POINTS`]). What each
//! refuses otherwise is the same: a non-canonical `S` (not below the group order) and an `R`
//! that is not the canonical encoding of the recomputed point (both compare encodings).

#[cfg(not(feature = "aws-lc-rs"))]
use super::jwk::{Ed25519Key, P256Key};
#[cfg(not(feature = "aws-lc-rs"))]
use super::JoseError;

// The AWS-LC primitives, in their own file: the default build does not compile them.
#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "aws-lc-rs")]
pub(super) use aws_lc::{verify_ed25519, verify_es256};

/// The backend compiled in: `rustcrypto` or `aws-lc-rs`. Benchmark ids and reports carry it.
#[cfg(not(feature = "aws-lc-rs"))]
pub const BACKEND: &str = "rustcrypto";
/// The backend compiled in: `rustcrypto` or `aws-lc-rs`. Benchmark ids and reports carry it.
#[cfg(feature = "aws-lc-rs")]
pub const BACKEND: &str = "aws-lc-rs";

/// The canonical encodings of the eight points of small order on edwards25519 (the
/// eight-torsion subgroup): the identity, the point of order 2, the two of order 4 and the
/// four of order 8. An Ed25519 signature whose `R` is one of them is refused, as
/// `ed25519-dalek`'s `verify_strict` does. Only canonical encodings matter: any other `R` fails
/// the encoding comparison anyway.
pub const SMALL_ORDER_POINTS: [[u8; 32]; 8] = {
    const fn y(first: u8, last: u8, middle: [u8; 30]) -> [u8; 32] {
        let mut out = [0u8; 32];
        out[0] = first;
        let mut i = 0;
        while i < 30 {
            out[i + 1] = middle[i];
            i += 1;
        }
        out[31] = last;
        out
    }
    // y of the order-8 points, little-endian (y and -y), with the sign bit of x clear or set.
    const Y8: [u8; 32] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    const NEG_Y8: [u8; 32] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    const fn signed(mut p: [u8; 32]) -> [u8; 32] {
        p[31] |= 0x80;
        p
    }
    [
        // Identity: y = 1.
        y(0x01, 0x00, [0; 30]),
        // Order 2: y = p - 1.
        y(0xec, 0x7f, [0xff; 30]),
        // Order 4: y = 0, x = ±sqrt(-1).
        y(0x00, 0x00, [0; 30]),
        y(0x00, 0x80, [0; 30]),
        // Order 8.
        Y8,
        signed(Y8),
        NEG_Y8,
        signed(NEG_Y8),
    ]
};

/// ES256 over `message`; `signature` is `r || s`, already range-checked.
#[cfg(not(feature = "aws-lc-rs"))]
pub(super) fn verify_es256(
    key: &P256Key,
    message: &[u8],
    signature: &p256::ecdsa::Signature,
) -> Result<(), JoseError> {
    use p256::ecdsa::signature::Verifier;
    key.verifying_key()
        .verify(message, signature)
        .map_err(|_| JoseError::Signature)
}

/// Ed25519 over `message`, strictly: a non-canonical `S`, a small-order `R` and an `R` that
/// is not the canonical encoding are refused (the key was checked when it was parsed).
#[cfg(not(feature = "aws-lc-rs"))]
pub(super) fn verify_ed25519(
    key: &Ed25519Key,
    message: &[u8],
    signature: &[u8; 64],
) -> Result<(), JoseError> {
    let sig = ed25519_dalek::Signature::from_bytes(signature);
    key.verifying_key()
        .verify_strict(message, &sig)
        .map_err(|_| JoseError::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each listed encoding is a point of small order, and they are eight distinct points.
    /// (`crates/conformance/tests/signature_backends.rs` holds each backend to the pure-Rust
    /// primitives, small-order `R`s included.)
    #[test]
    fn small_order_points_are_the_eight_torsion() {
        for (i, p) in SMALL_ORDER_POINTS.iter().enumerate() {
            let key = ed25519_dalek::VerifyingKey::from_bytes(p).expect("decompresses");
            assert!(key.is_weak(), "entry {i} is not of small order");
            // Canonical: re-encoding gives the same bytes.
            assert_eq!(key.to_bytes(), *p, "entry {i} is not canonical");
            assert!(!SMALL_ORDER_POINTS[..i].contains(p), "entry {i} repeats");
        }
    }
}
