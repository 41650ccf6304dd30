//! The test vectors: their data model, the shipped files, and a harness that runs them against
//! any implementation of [`Implementation`].
//!
//! The JSON files under `vectors/` are the product; this module is one consumer of them. Their
//! format is described by `vectors/schema/vectors.schema.json` and `spec/SPEC.md` §7.

mod harness;
mod model;
mod reference;
mod runner;

pub use harness::{Case, ListError, ListProblem, Report, Status, Suite, FILTER_VARIABLE};
pub use model::*;
pub use reference::{Reference, RequestArguments, RowArguments};
pub use runner::{
    answer, check, compare, expected_for, run_file, AcceptedProof, AtrBoundIdentity,
    AtrDpopOutcome, AtrIdentity, AtrOutcome, BoundKey, CaveatOutcome, CheckResult, DecodeOutcome,
    DecodedCaveat, DecodedMacaroon, DpopOutcome, Implementation, MacaroonDpopOutcome, MintOutcome,
    Outcome, ParsedCaveat, Produced, Thumbprint, ThumbprintOutcome, VerifyOutcome,
};

/// The vector files shipped with this crate, by file name, compiled in so that the suite runs
/// from any build (including one fetched from a registry) without reading the source tree.
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "token-encoding.json",
        include_str!("../../vectors/token-encoding.json"),
    ),
    (
        "macaroon-format.json",
        include_str!("../../vectors/macaroon-format.json"),
    ),
    (
        "caveat-parsing.json",
        include_str!("../../vectors/caveat-parsing.json"),
    ),
    (
        "verification.json",
        include_str!("../../vectors/verification.json"),
    ),
    (
        "server-issued.json",
        include_str!("../../vectors/server-issued.json"),
    ),
    (
        "attenuation.json",
        include_str!("../../vectors/attenuation.json"),
    ),
    ("minting.json", include_str!("../../vectors/minting.json")),
    ("dpop.json", include_str!("../../vectors/dpop.json")),
    ("atr-jwt.json", include_str!("../../vectors/atr-jwt.json")),
    ("atr-dpop.json", include_str!("../../vectors/atr-dpop.json")),
    (
        "macaroon-dpop.json",
        include_str!("../../vectors/macaroon-dpop.json"),
    ),
];

/// The JSON Schema of the vector files, as shipped beside them.
pub const SCHEMA: &str = include_str!("../../vectors/schema/vectors.schema.json");

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
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read from disk.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a vector file of a format version this crate reads.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}
