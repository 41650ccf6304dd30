#![forbid(unsafe_code)]
#![warn(missing_docs)]
//! The caveatspec test vectors: PyPI API tokens (macaroons and their caveats), DPoP proofs
//! (RFC 9449) and Apache Trusted Releases' API JWTs, with the expected outcome of each, and a
//! harness that runs them on any implementation.
//!
//! The vector files are the product: plain JSON with stable ids, described by their JSON
//! Schema ([`SCHEMA`]), and the same files every other language reads. This crate ships them
//! compiled in ([`shipped`]), models every kind's input and outcome, and checks an
//! [`Implementation`] against them. It depends on `serde` and `serde_json` only (and
//! `libtest-mimic` with the `harness` feature); the reference implementation is the separate
//! crate `caveatspec`.
//!
//! # The format
//!
//! A file ([`VectorFile`]) holds one category: its flags, each with its meaning, and its
//! vectors. A [`Vector`] has an `id` (`<area>/<topic>/<slug>`, never reused or removed: a
//! retired vector keeps its id and gains the `retired` flag), a [`Kind`] that decides the shape
//! of its `input` and `expected`, and `flags`. The kinds `decode`, `caveat` and `verify` carry
//! one expectation per [`Profile`] (`warehouse`: what PyPI accepts today, messages included;
//! `strict`: what a careful verifier should accept); the others carry one. An expectation says
//! `valid`, the error `codes` in order (the registry of codes is `spec/codes.json` in the
//! repository), PyPI's `message` where the profile reproduces it, and what an accepted input
//! produces (a decoded macaroon, a canonical caveat, a token, a thumbprint, an identity).
//!
//! # Run the suite on your implementation
//!
//! Implement [`Implementation`]: each method has a default that answers "unsupported", so an
//! implementation covers what it covers and the rest is reported as skipped, never failed.
//!
//! ```
//! use caveatspec_vectors::{Implementation, Outcome, Profile, Suite, Thumbprint};
//! use caveatspec_vectors::{JwkThumbprintInput, ThumbprintOutcome};
//!
//! /// Knows one thing: that it cannot compute thumbprints of symmetric keys.
//! struct Mine;
//!
//! impl Implementation for Mine {
//!     fn name(&self) -> &str {
//!         "mine"
//!     }
//!     fn jwk_thumbprint(&self, input: &JwkThumbprintInput) -> Option<ThumbprintOutcome> {
//!         if input.jwk.get("kty").and_then(|k| k.as_str()) == Some("oct") {
//!             return Some(Outcome::reject(vec!["jose.kty".into()], None));
//!         }
//!         None
//!     }
//! }
//!
//! let report = Suite::shipped()?.run(&Mine);
//! println!("{report}"); // every failure, then `N passed, N failed, N expected failures, N skipped`
//! # let _ = (Profile::Strict, Thumbprint { thumbprint: String::new() });
//! # Ok::<(), caveatspec_vectors::LoadError>(())
//! ```
//!
//! From `cargo test`, with the `harness` feature and `harness = false` for the test target, one
//! line gives one named test per vector and profile, and the adjustments known failures need:
//!
//! ```ignore
//! // tests/vectors.rs
//! caveatspec_vectors::tests!(Mine, |suite| suite
//!     .expect_failures_from(include_str!("expected-failures.txt"))
//!     .expect("a valid list")
//!     .skip_flag("legacy", "V1 tokens are not supported"));
//! ```
//!
//! `CAVEATSPEC_VECTORS=dpop/replay/*` narrows any run to some ids ([`FILTER_VARIABLE`]).

mod harness;
mod model;
mod profile;
mod runner;

pub use harness::{
    test_name, Case, ExpectedFailures, ListEntry, ListError, ListProblem, Report, Status, Suite,
    FILTER_VARIABLE,
};
pub use model::*;
pub use profile::{Profile, UnknownProfile};
pub use runner::{
    answer, basis_for, check, compare, expected_for, run_file, AcceptedProof, AtrBoundIdentity,
    AtrDpopOutcome, AtrIdentity, AtrOutcome, BoundKey, CaveatOutcome, CheckResult, DecodeOutcome,
    DecodedCaveat, DecodedMacaroon, DpopOutcome, Implementation, MacaroonDpopOutcome, MintOutcome,
    Outcome, ParsedCaveat, Produced, Thumbprint, ThumbprintOutcome, VerifyOutcome,
};

/// The vector files shipped with this crate, by file name, compiled in so that the suite runs
/// from any build (including one fetched from a registry) without reading the source tree.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "token-encoding.json",
        include_str!("../vectors/token-encoding.json"),
    ),
    (
        "macaroon-format.json",
        include_str!("../vectors/macaroon-format.json"),
    ),
    (
        "caveat-parsing.json",
        include_str!("../vectors/caveat-parsing.json"),
    ),
    (
        "verification.json",
        include_str!("../vectors/verification.json"),
    ),
    (
        "server-issued.json",
        include_str!("../vectors/server-issued.json"),
    ),
    (
        "attenuation.json",
        include_str!("../vectors/attenuation.json"),
    ),
    ("minting.json", include_str!("../vectors/minting.json")),
    ("dpop.json", include_str!("../vectors/dpop.json")),
    ("atr-jwt.json", include_str!("../vectors/atr-jwt.json")),
    ("atr-dpop.json", include_str!("../vectors/atr-dpop.json")),
    (
        "macaroon-dpop.json",
        include_str!("../vectors/macaroon-dpop.json"),
    ),
];

/// The JSON Schema of the vector files, as shipped beside them.
pub const SCHEMA: &str = include_str!("../vectors/schema/vectors.schema.json");

/// The version of the vector suite this crate ships: what a release of the vectors is pinned
/// by (`caveatspec bundle`).
pub const SUITE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Parses the shipped vector files.
pub fn shipped() -> Result<Vec<VectorFile>, LoadError> {
    SHIPPED
        .iter()
        .map(|(name, text)| VectorFile::from_json(name, text))
        .collect()
}

/// A vector file could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read from disk.
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a vector file of a format version this crate reads.
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{path}: {source}"),
            LoadError::Format { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { source, .. } => Some(source),
            LoadError::Format { .. } => None,
        }
    }
}
