//! caveatspec: the reference implementation of PyPI's API-token caveats, as the caveatspec
//! vectors pin them.
//!
//! PyPI's API tokens (`pypi-…`) are HMAC-SHA256 macaroons whose first-party caveats restrict
//! them. This crate passes every vector of [`caveatspec-vectors`](https://docs.rs/caveatspec-vectors),
//! layered the way the bytes are:
//!
//! - [`encoding`]: base64 (the token body's, lenient and strict), base64url (JOSE's) and hex;
//! - [`token`]: the `pypi-` prefix and base64 text layer;
//! - [`macaroon`]: the V1/V2 binary formats and the HMAC chain;
//! - [`caveat`]: the caveat grammar (JSON with PyPI's Python semantics, per profile);
//! - [`verify`]: a token checked against its database row and a request;
//! - [`attenuate`]: minting and adding caveats;
//! - `jose`: JWKs and their thumbprints, JWS signatures (ES256, EdDSA);
//! - `atr`: the `atr-jwt` profile, Apache Trusted Releases' HS256 API JWTs as PyJWT checks them;
//! - `dpop`: RFC 9449 DPoP proofs checked against a request, and a `jti` replay cache;
//! - [`inspect`]: a plain-words description of a token, for people.
//!
//! The proof-of-possession layers ([`jose`], [`dpop`], [`atr`] and
//! [`verify::verify_presented`]) are the default feature `pop`; without it the crate is the
//! PyPI token layers alone, on `hmac`, `sha2` and `subtle`, with no elliptic-curve code.
//! The feature `aws-lc-rs` verifies ES256 and EdDSA signatures on AWS-LC instead of the
//! pure-Rust `p256` and `ed25519-dalek` (about five times faster on ES256; it builds C, which
//! the default build never does); verdicts and codes are the same ([`jose::backend`]).
//!
//! Two [`Profile`]s: `warehouse` is exactly what PyPI accepts today, messages included;
//! `strict` is what a careful new verifier should accept. The specification (SPEC.md, shipped
//! with `caveatspec-vectors`) says why each behaviour is what it is and which vectors pin it.
//!
//! # Verify a token
//!
//! ```
//! use caveatspec::attenuate::{mint, restrict, Restrictions};
//! use caveatspec::verify::{verify, Issued, Owner, Project, Request};
//! use caveatspec::Profile;
//!
//! let key = [7u8; 32];
//! let only_sampleproject = Restrictions {
//!     project_names: Some(vec!["sampleproject".into()]),
//!     ..Restrictions::default()
//! };
//! let (token, _caveats) = mint(&key, "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b", "pypi.org", &only_sampleproject)?;
//!
//! let issued = Issued {
//!     identifier: "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b",
//!     root_key: &key,
//!     owner: Owner::User { user_id: "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b" },
//!     stored_caveats: &[],
//! };
//! let upload = |name| Request {
//!     now: 1_700_000_000,
//!     project: Some(Project { name, id: "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41" }),
//!     proof_jkt: None,
//! };
//! assert!(verify(&token, &issued, &upload("SampleProject"), Profile::Warehouse).valid);
//! let refused = verify(&token, &issued, &upload("other"), Profile::Warehouse);
//! assert_eq!(refused.codes(), ["project_name.mismatch"]);
//!
//! // Restrict it further, offline: no key needed, and the narrower token still verifies.
//! let until = Restrictions { not_before: Some(1_699_999_000), not_after: Some(1_700_003_600), ..Restrictions::default() };
//! let (narrower, _) = restrict(&token, &until)?;
//! assert!(verify(&narrower, &issued, &upload("sampleproject"), Profile::Strict).valid);
//! # Ok::<(), caveatspec::attenuate::AttenuateError>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "pop")]
pub mod atr;
pub mod attenuate;
pub mod caveat;
#[cfg(feature = "pop")]
pub mod dpop;
pub mod encoding;
pub mod inspect;
#[cfg(feature = "pop")]
pub mod jose;
pub mod macaroon;
pub mod token;
pub mod verify;

pub use caveatspec_vectors::Profile;
