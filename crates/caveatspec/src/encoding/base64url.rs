//! base64url without padding (RFC 7515 §2, RFC 4648 §5), as JOSE uses it.
//!
//! # Strict, which this crate's verifier uses
//!
//! [`decode`] accepts exactly the strings [`encode`] produces: alphabet `A–Z a–z 0–9 - _`,
//! no `=`, a length that is not 1 more than a multiple of 4, and the unused low bits of the
//! last character zero. RFC 7515 §2 defines base64url "with all trailing '=' characters
//! omitted" and no other characters, so each byte string has one spelling; a verifier that
//! accepts others lets two different proof strings carry the same signature, which matters to
//! anything that keys on the string. It is the strict token-body decoder
//! ([`super::base64::decode_strict`]).
//!
//! # Lenient, which PyJWT uses
//!
//! PyJWT 2.15.1 `jwt.utils.base64url_decode` appends `=` up to a multiple of 4 bytes and calls
//! `base64.urlsafe_b64decode`. That is character for character what pymacaroons does to a
//! token body, so [`decode_lenient`] is [`super::base64::decode_lenient`]: both alphabets,
//! bytes outside them skipped, padding honoured or excess, non-zero trailing bits dropped.
//! Where it differs from strict: it accepts `+`, `/`, `=`, whitespace and junk bytes, and the
//! non-canonical spellings whose unused bits are not zero. PyJWT's own JWS decoder checks each
//! segment before calling it, though: in 2.15.1 a segment passes only as canonical base64url
//! followed by at most its exact `=` padding, which is what [`crate::atr`] implements.
//!
//! Other verifiers sit in between. joserfc (1.6.5, read and run) refuses `+`, `/`, junk and
//! non-zero trailing bits, but accepts `=` padding when the padded length is a multiple of 4
//! (it appends no `=` then and decodes with `validate=True`). npm `jose` accepts non-zero
//! trailing bits. The DPoP vectors pin each of these cases against the strict rule.

use super::base64::{self, LenientError, StrictError};

/// Strict base64url decoding; see the module documentation for exactly what is accepted.
pub fn decode(s: &str) -> Result<Vec<u8>, StrictError> {
    base64::decode_strict(s.as_bytes())
}

/// PyJWT's decoding, for describing what a PyJWT-based verifier accepts; never used to verify.
pub fn decode_lenient(s: &str) -> Result<Vec<u8>, LenientError> {
    base64::decode_lenient(s)
}

/// base64url without padding.
pub fn encode(bytes: &[u8]) -> String {
    base64::encode_url_nopad(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_refuses_what_lenient_accepts() {
        // The last character of RFC 9449 Figure 2's signature, `g`, with a low bit set.
        assert_eq!(decode("Lg").unwrap(), b".");
        assert_eq!(decode("Lh"), Err(StrictError::NonZeroTrailingBits));
        assert_eq!(decode_lenient("Lh").unwrap(), b".");
        for s in ["Lg==", "L+", "L/", "L g==", "Lg="] {
            assert!(decode(s).is_err(), "{s}");
            assert!(decode_lenient(s).is_ok(), "{s}");
        }
        assert!(decode("L").is_err());
    }

    #[test]
    fn round_trip() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }
    }
}
