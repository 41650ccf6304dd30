//! caveatspec: the executable specification of PyPI's API-token caveats.
//!
//! PyPI's API tokens (`pypi-…`) are HMAC-SHA256 macaroons whose first-party caveats restrict
//! them. This crate is the reference implementation that passes every vector in `vectors/`,
//! layered the way the bytes are:
//!
//! - [`encoding`]: base64 (the token body's, lenient and strict), base64url (JOSE's) and hex;
//! - [`token`]: the `pypi-` prefix and base64 text layer;
//! - [`macaroon`]: the V1/V2 binary formats and the HMAC chain;
//! - [`caveat`]: the caveat grammar (JSON with PyPI's Python semantics, per profile);
//! - [`verify`]: a token checked against its database row and a request;
//! - [`attenuate`]: minting and adding caveats;
//! - [`vectors`]: the vector files, and a harness any implementation can run them with;
//! - [`jose`]: JWKs and their thumbprints, JWS signatures (ES256, EdDSA);
//! - [`atr`]: the `atr-jwt` profile, Apache Trusted Releases' HS256 API JWTs as PyJWT checks them;
//! - [`dpop`]: RFC 9449 DPoP proofs checked against a request, and a `jti` replay cache;
//! - [`inspect`]: a plain-words description of a token, for people;
//! - [`adapter`]: the same vectors through implementations in other languages, and the
//!   conformance matrix.
//!
//! Two [`Profile`]s: `warehouse` is exactly what PyPI accepts today, messages included;
//! `strict` is what a careful new verifier should accept. `spec/SPEC.md` says why each
//! behaviour is what it is and which vectors pin it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod adapter;
pub mod atr;
pub mod attenuate;
pub mod caveat;
pub mod dpop;
pub mod encoding;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod inspect;
pub mod jose;
pub mod macaroon;
pub mod profile;
pub mod token;
pub mod vectors;
pub mod verify;

pub use profile::Profile;
