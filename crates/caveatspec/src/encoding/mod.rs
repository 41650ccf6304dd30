//! Byte encodings, each with the exact strictness of the reader it reproduces.
//!
//! - [`base64`]: the token body's base64. A lenient decoder that is CPython's non-strict
//!   `binascii.a2b_base64` behind `urlsafe_b64decode` (what pymacaroons and PyJWT run), the
//!   strict decoder of canonical URL-safe unpadded base64, and the encoder PyPI mints with.
//! - [`base64url`]: the same alphabet as JOSE names it (RFC 7515 §2): strict for this crate's
//!   verifier, lenient only to describe PyJWT.
//! - [`hex`]: lower-case hex out, either case in.
//!
//! The vectors pin every accept and refuse of the base64 decoders; a change of strictness
//! there is a change of behaviour, not a clean-up.

pub mod base64;
pub mod base64url;
pub mod hex;
