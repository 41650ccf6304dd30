//! The messages of the adapter protocol (`spec/adapter-protocol.md`,
//! `spec/adapter-protocol.schema.json`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use caveatspec_vectors::Kind;

/// The protocol version this runner speaks; an adapter's hello must name it.
pub const PROTOCOL_VERSION: u64 = 1;

/// The namespace of codes the protocol itself defines; an adapter may send only those of its
/// codes the protocol lists, and no specification code starts with it.
pub const RESERVED: &str = "adapter.";

/// The code of an adapter whose library refused one of a replay vector's earlier proofs, which
/// are valid: the vector itself was never reached, so the answer is a failure whatever it
/// expects (a library refusing every proof must not pass the replay vectors on its verdict).
pub const EARLIER_PROOF_REFUSED: &str = "adapter.earlier_proof_refused";

/// The adapter's first line: who it is and what it implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Always `"hello"`.
    #[serde(rename = "type")]
    pub ty: String,
    /// [`PROTOCOL_VERSION`].
    pub protocol: u64,
    /// The implementation's name (a package name, not the adapter's).
    pub name: String,
    /// The implementation's version.
    pub version: String,
    /// The language it is written in.
    pub language: String,
    /// Which profile's expectations it is held to (`warehouse` or `strict`).
    pub profile: String,
    /// The vector kinds it answers; the runner sends no others.
    pub kinds: Vec<Kind>,
    /// The vector categories it answers (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// Whether its `message` reproduces PyPI's messages and should be compared (warehouse
    /// profile only). Messages of other implementations are reported, never compared.
    #[serde(default)]
    pub messages: bool,
}

/// One vector for the adapter: its id, kind and input; never its expectation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// Always `"request"`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The vector id; the response echoes it.
    pub id: String,
    /// The vector kind, which decides the input's shape.
    pub kind: Kind,
    /// The vector's category.
    pub category: String,
    /// The profile (the one the hello declared).
    pub profile: String,
    /// The vector's `input`, verbatim.
    pub input: Value,
}

/// The adapter's answer to one request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Response {
    /// Always `"response"`.
    #[serde(rename = "type")]
    pub ty: String,
    /// The request's id.
    pub id: String,
    /// `valid`, `invalid` or `unsupported`.
    pub outcome: String,
    /// Machine-readable error codes (`spec/SPEC.md` §6), if the implementation has them;
    /// compared in order when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<Vec<String>>,
    /// The implementation's own message, for the report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What an accepted input produced, in the vector's field names (`macaroon`; `kind` and
    /// `canonical`; `caveats` and `token`). Fields left out are not compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Map<String, Value>>,
}
