//! The signature backend compiled into the reference (`rustcrypto`, or `aws-lc-rs` with the
//! feature of that name) against the pure-Rust primitives, through the public JOSE layer: the
//! RFC proofs, their high-S and low-S twins, a one-bit change in each byte of their signatures,
//! every small-order `R`, and an Ed25519 signature forged with a small-order `R` that satisfies
//! the cofactorless equation. `.ci/run` runs this file on both backends, so the two agree with
//! the same reference and so with each other.

use caveatspec::encoding::base64url;
use caveatspec::jose::backend::SMALL_ORDER_POINTS;
use caveatspec::jose::jwk::Jwk;
use caveatspec::jose::jws::{parse_compact, parse_object, verify_signature, Alg, HighS};
use caveatspec::jose::{testdata, JoseError, BACKEND};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use p256::ecdsa::signature::Verifier;
use sha2::{Digest, Sha512};

fn rfc8037_key() -> Jwk {
    let map = parse_object(testdata::rfc8037_jwk().as_bytes(), "jwk").expect("object");
    Jwk::from_map(&map).expect("the RFC 8037 key")
}

fn bytes_32(b64: &str) -> [u8; 32] {
    base64url::decode(b64)
        .expect("base64url")
        .try_into()
        .expect("32 bytes")
}

/// A signature of `message` under the RFC 8037 key with `R` the identity and `S = k·a`, so
/// that `[S]B = R + [k]A` holds: what a cofactorless verifier without a small-order check
/// accepts.
fn forged_small_order_r(message: &[u8]) -> [u8; 64] {
    let h = Sha512::digest(bytes_32(testdata::RFC8037_D));
    let mut a = [0u8; 32];
    a.copy_from_slice(&h[..32]);
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let r = SMALL_ORDER_POINTS[0];
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(r)
            .chain_update(bytes_32(testdata::RFC8037_X))
            .chain_update(message),
    );
    let s = k * Scalar::from_bytes_mod_order(a);
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&r);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

#[test]
fn a_small_order_r_is_refused_even_when_the_equation_holds() {
    let message = b"any message";
    let sig = forged_small_order_r(message);
    // The forgery is real: [S]B - [k]A is R.
    let public = CompressedEdwardsY(bytes_32(testdata::RFC8037_X))
        .decompress()
        .expect("a point");
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(&sig[..32])
            .chain_update(bytes_32(testdata::RFC8037_X))
            .chain_update(message),
    );
    let s = Scalar::from_canonical_bytes(sig[32..].try_into().expect("32 bytes"))
        .expect("a canonical S");
    let r = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-public, &s);
    assert_eq!(r.compress().to_bytes(), SMALL_ORDER_POINTS[0]);
    assert_eq!(
        verify_signature(Alg::EdDsa, &rfc8037_key(), message, &sig, HighS::Accept),
        Err(JoseError::Signature),
        "backend {BACKEND}"
    );
}

/// `signature`, one bit flipped in every third byte (a different bit from byte to byte; every
/// third keeps the pure-Rust P-256 checks of the debug build quick), and `R` replaced by each
/// small-order point.
fn mutations(signature: &[u8]) -> Vec<Vec<u8>> {
    let mut out = vec![signature.to_vec()];
    for i in (0..signature.len()).step_by(3) {
        let mut m = signature.to_vec();
        m[i] ^= 1 << (i % 8);
        out.push(m);
    }
    for p in SMALL_ORDER_POINTS {
        let mut m = signature.to_vec();
        m[..32].copy_from_slice(&p);
        out.push(m);
    }
    out
}

#[test]
fn ed25519_verdicts_are_ed25519_dalek_verify_strict() {
    let jws = parse_compact(testdata::RFC8037_A4).expect("RFC 8037 A.4");
    let key = rfc8037_key();
    let dalek = ed25519_dalek::VerifyingKey::from_bytes(&bytes_32(testdata::RFC8037_X))
        .expect("the RFC 8037 key");
    let input = jws.signing_input.as_bytes();
    let mut cases = mutations(&jws.signature);
    cases.push(forged_small_order_r(input).to_vec());
    for sig in cases {
        let bytes: [u8; 64] = sig.as_slice().try_into().expect("64 bytes");
        let pure = dalek
            .verify_strict(input, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok();
        let ours = verify_signature(Alg::EdDsa, &key, input, &sig, HighS::Accept);
        assert_eq!(
            ours.is_ok(),
            pure,
            "backend {BACKEND}, signature {sig:02x?}"
        );
    }
}

#[test]
fn es256_verdicts_are_p256s() {
    for proof in [
        testdata::fig2(),
        testdata::fig2_low_s(),
        testdata::fig7(),
        testdata::fig13(),
        testdata::fig13_low_s(),
    ] {
        let jws = parse_compact(&proof).expect("a proof");
        let key = Jwk::from_value(&jws.header["jwk"]).expect("a P-256 key");
        let (x, y) = (
            jws.header["jwk"]["x"].as_str().expect("x"),
            jws.header["jwk"]["y"].as_str().expect("y"),
        );
        let point = p256::EncodedPoint::from_affine_coordinates(
            &bytes_32(x).into(),
            &bytes_32(y).into(),
            false,
        );
        let p256_key = p256::ecdsa::VerifyingKey::from_encoded_point(&point).expect("on the curve");
        let input = jws.signing_input.as_bytes();
        for sig in mutations(&jws.signature) {
            let pure = p256::ecdsa::Signature::from_slice(&sig)
                .is_ok_and(|s| p256_key.verify(input, &s).is_ok());
            let ours = verify_signature(Alg::Es256, &key, input, &sig, HighS::Accept);
            assert_eq!(
                ours.is_ok(),
                pure,
                "backend {BACKEND}, signature {sig:02x?}"
            );
        }
    }
}
