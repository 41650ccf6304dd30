//! Serde model of the vector files (`vectors/schema/vectors.schema.json`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::LoadError;
use crate::profile::Profile;

/// The vector-file format version this crate reads.
pub const FORMAT_VERSION: u64 = 1;

/// One vector file: one category of vectors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// Path of the JSON Schema, relative to the file.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// Format version of the file.
    pub format_version: u64,
    /// The category, which is also the file name without `.json`.
    pub category: String,
    /// What the category covers.
    pub description: String,
    /// The generator that wrote the file and the hash of its source.
    pub generator: Generator,
    /// Where the expectations come from.
    pub sources: serde_json::Value,
    /// Every flag used in the file, with its meaning.
    pub flags: BTreeMap<String, String>,
    /// How many vectors the file holds (checked on load).
    pub number_of_vectors: usize,
    /// The vectors.
    pub vectors: Vec<Vector>,
    /// The file name it was loaded from (not part of the JSON).
    #[serde(skip)]
    pub file_name: String,
}

/// The generator stamp.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// The generator's module in the repository (a file of tools/caveatgen).
    pub path: String,
    /// sha256 of that file's text when the vector file was written.
    pub source_sha256: String,
    /// Every other file the generator read (the modules it imports, its setup script), with
    /// the sha256 of each one's text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<GeneratorSource>,
}

/// A file a generator read, and the sha256 of its text.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorSource {
    /// Where it lives in the repository.
    pub path: String,
    /// sha256 of its text (CRLF read as LF) when the vector file was written.
    pub source_sha256: String,
}

impl VectorFile {
    /// Parses and checks one file's text.
    pub fn from_json(file_name: &str, text: &str) -> Result<Self, LoadError> {
        let fail = |message: String| LoadError::Format {
            path: file_name.to_owned(),
            message,
        };
        let mut file: VectorFile = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        if file.format_version != FORMAT_VERSION {
            return Err(fail(format!(
                "format_version {} (this crate reads {FORMAT_VERSION})",
                file.format_version
            )));
        }
        if file.number_of_vectors != file.vectors.len() {
            return Err(fail(format!(
                "number_of_vectors says {} but the file holds {}",
                file.number_of_vectors,
                file.vectors.len()
            )));
        }
        for v in &file.vectors {
            if v.kind.per_profile() != matches!(v.basis, Basis::PerProfile { .. }) {
                return Err(fail(format!(
                    "{}: a {:?} vector's basis must be {}",
                    v.id,
                    v.kind,
                    if v.kind.per_profile() {
                        "given per profile ({\"warehouse\": …, \"strict\": …})"
                    } else {
                        "one basis, not one per profile"
                    }
                )));
            }
        }
        file.file_name = file_name.to_owned();
        Ok(file)
    }

    /// Reads a file from disk.
    pub fn load(path: &std::path::Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Self::from_json(&name, &text)
    }
}

/// One vector.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vector {
    /// Stable id, `<area>/<topic>/<slug>`.
    pub id: String,
    /// What kind of operation the vector exercises (decides the shape of input and expected).
    pub kind: Kind,
    /// What the vector tests, in a sentence.
    pub description: String,
    /// Flags (documented in the file's `flags`).
    pub flags: Vec<String>,
    /// The inputs.
    pub input: serde_json::Value,
    /// The expected outcome: per profile for decode, caveat and verify; profile-free for
    /// mint and restrict.
    pub expected: serde_json::Value,
    /// What decides the expected outcome: per profile for decode, caveat and verify, like
    /// `expected`.
    pub basis: Basis,
    /// What peer implementations did with the same input (information, not expectation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peers: Option<serde_json::Value>,
}

/// What decides a vector's expected outcome (SPEC §7.2): for decode, caveat and verify vectors
/// one basis per profile, for the other kinds one for all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Basis {
    /// One basis per profile.
    PerProfile {
        /// The warehouse profile's expectation's basis.
        warehouse: BasisSource,
        /// The strict profile's expectation's basis.
        strict: BasisSource,
    },
    /// One basis for the profile-free kinds.
    One(BasisSource),
}

impl Basis {
    /// The basis of the expectation `profile` is held to (the profile-free kinds have one for
    /// all).
    pub fn for_profile(&self, profile: Profile) -> &BasisSource {
        match (self, profile) {
            (Basis::One(b), _) => b,
            (Basis::PerProfile { warehouse, .. }, Profile::Warehouse) => warehouse,
            (Basis::PerProfile { strict, .. }, Profile::Strict) => strict,
        }
    }
}

impl<'de> Deserialize<'de> for Basis {
    /// An object with `source` is one basis; otherwise exactly `warehouse` and `strict`.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct PerProfile {
            warehouse: BasisSource,
            strict: BasisSource,
        }
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        let one = value.get("source").is_some();
        if one {
            BasisSource::deserialize(value)
                .map(Basis::One)
                .map_err(|e| D::Error::custom(format!("basis: {e}")))
        } else {
            PerProfile::deserialize(value)
                .map(|p| Basis::PerProfile {
                    warehouse: p.warehouse,
                    strict: p.strict,
                })
                .map_err(|e| D::Error::custom(format!("basis: {e}")))
        }
    }
}

/// One basis: what the expectation follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "lowercase", deny_unknown_fields)]
pub enum BasisSource {
    /// An RFC's requirement forces the outcome.
    Rfc {
        /// The RFC and section.
        #[serde(rename = "ref")]
        reference: String,
    },
    /// PyPI's Warehouse code decides it (the warehouse profile).
    Pypi {
        /// What in Warehouse decides it.
        #[serde(rename = "ref")]
        reference: String,
    },
    /// PyJWT, called as Apache Trusted Releases calls it, decides it (atr-jwt).
    Atr {
        /// The call.
        #[serde(rename = "ref")]
        reference: String,
    },
    /// This specification decides it.
    Policy {
        /// Why, citing the SPEC section.
        reason: String,
        /// What the RFCs leave open, when an implementation answering the other way still
        /// follows them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        open: Option<String>,
    },
}

impl BasisSource {
    /// The class a report counts it under.
    pub fn class(&self) -> BasisClass {
        match self {
            BasisSource::Rfc { .. } => BasisClass::Rfc,
            BasisSource::Pypi { .. } => BasisClass::Pypi,
            BasisSource::Atr { .. } => BasisClass::Atr,
            BasisSource::Policy { open: None, .. } => BasisClass::Policy,
            BasisSource::Policy { open: Some(_), .. } => BasisClass::Open,
        }
    }
}

/// The five classes reports count vectors under: every expectation falls in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BasisClass {
    /// Required by an RFC.
    Rfc,
    /// Observed in PyPI's Warehouse code.
    Pypi,
    /// Observed in PyJWT as ATR calls it.
    Atr,
    /// This specification's decision, where the RFCs do not leave the outcome open (or do not
    /// apply).
    Policy,
    /// This specification's decision where the RFCs leave the outcome open: an implementation
    /// answering otherwise still follows them.
    Open,
}

impl BasisClass {
    /// Every class, in report order.
    pub const ALL: [BasisClass; 5] = [
        BasisClass::Rfc,
        BasisClass::Pypi,
        BasisClass::Atr,
        BasisClass::Policy,
        BasisClass::Open,
    ];

    /// Its name in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            BasisClass::Rfc => "rfc",
            BasisClass::Pypi => "pypi",
            BasisClass::Atr => "atr",
            BasisClass::Policy => "policy",
            BasisClass::Open => "open",
        }
    }
}

/// The kinds of vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// A token string to its macaroon fields.
    Decode,
    /// One caveat's bytes to a typed caveat.
    Caveat,
    /// A token against a database row and a request.
    Verify,
    /// A root key, identifier, location and restrictions to a token.
    Mint,
    /// A token and restrictions to a narrower token.
    Restrict,
    /// A DPoP proof (RFC 9449) against a request, a clock and a replay cache.
    DpopProof,
    /// A JWK to its RFC 7638 thumbprint.
    JwkThumbprint,
    /// An `Authorization` header against Apache Trusted Releases' JWT verifier (`atr-jwt`).
    AtrJwt,
    /// A request carrying an ATR JWT and DPoP proofs, under DPoP binding (`atr-jwt-dpop`).
    AtrDpopRequest,
    /// A request carrying a PyPI token and DPoP proofs (strict profile, key-binding caveats).
    MacaroonDpopRequest,
}

impl Kind {
    /// Every kind this version of the format has, in the order the specification lists them.
    pub const ALL: [Kind; 10] = [
        Kind::Decode,
        Kind::Caveat,
        Kind::Verify,
        Kind::Mint,
        Kind::Restrict,
        Kind::DpopProof,
        Kind::JwkThumbprint,
        Kind::AtrJwt,
        Kind::AtrDpopRequest,
        Kind::MacaroonDpopRequest,
    ];

    /// Whether the expectation is given per profile.
    pub fn per_profile(self) -> bool {
        matches!(self, Kind::Decode | Kind::Caveat | Kind::Verify)
    }

    /// The fields an accepted input of this kind produces, in the expectation's names (beside
    /// `valid`, `codes` and `message`). An answer may give any of them; a field outside this
    /// list is not part of the format, and the adapter protocol refuses it, so a misspelt
    /// field cannot go uncompared.
    pub fn value_fields(self) -> &'static [&'static str] {
        match self {
            Kind::Decode => &["macaroon"],
            Kind::Caveat => &["kind", "canonical"],
            Kind::Verify => &[],
            Kind::Mint | Kind::Restrict => &["caveats", "token"],
            Kind::DpopProof => &["jkt", "jti"],
            Kind::JwkThumbprint => &["thumbprint"],
            Kind::AtrJwt => &["sub", "jti"],
            Kind::AtrDpopRequest => &["sub", "jti", "jkt"],
            Kind::MacaroonDpopRequest => &["jkt"],
        }
    }
}

/// Input of a `decode` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecodeInput {
    /// The token text.
    pub token: String,
}

/// Input of a `caveat` vector: UTF-8 text in `caveat`, or any bytes in `caveat_hex`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaveatInput {
    /// The caveat as text.
    pub caveat: Option<String>,
    /// The caveat as hex bytes (when it is not UTF-8).
    pub caveat_hex: Option<String>,
    /// The user on the request the caveat is read in.
    pub request_user: Option<String>,
}

impl CaveatInput {
    /// The caveat's bytes.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.caveat, &self.caveat_hex) {
            (Some(t), None) => Ok(t.as_bytes().to_vec()),
            (None, Some(h)) => decode_hex(h),
            _ => Err("exactly one of caveat and caveat_hex must be given".to_owned()),
        }
    }
}

/// Input of a `verify` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyInput {
    /// The presented token.
    pub token: String,
    /// The row's root key, hex.
    pub key_hex: String,
    /// Unix seconds.
    pub now: i64,
    /// The request's project.
    pub project: Option<ProjectInput>,
    /// The token's database row.
    pub row: RowInput,
    /// The thumbprint of the key of a DPoP proof already verified for this request, if any.
    #[serde(default)]
    pub proof_jkt: Option<String>,
}

/// A project in a vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    /// Display name.
    pub name: String,
    /// UUID.
    pub id: String,
}

/// The database row in a vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowInput {
    /// The row's id (the identifier PyPI minted).
    pub identifier: String,
    /// The owner.
    pub owner: OwnerInput,
    /// Stored caveats, JSON text.
    pub stored_caveats: Vec<String>,
}

/// The owner in a vector: `{"user_id"}` or `{"publisher_id", "publisher_project_ids"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum OwnerInput {
    /// A user.
    User {
        /// The user's UUID.
        user_id: String,
    },
    /// A Trusted Publisher.
    Publisher {
        /// The publisher's UUID.
        publisher_id: String,
        /// Projects registered to the publisher.
        publisher_project_ids: Vec<String>,
    },
}

/// Restrictions in a vector.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictionsInput {
    /// Window start.
    pub not_before: Option<i64>,
    /// Window end.
    pub not_after: Option<i64>,
    /// Project names.
    pub project_names: Option<Vec<String>>,
    /// Project ids.
    pub project_ids: Option<Vec<String>>,
    /// User id.
    pub user_id: Option<String>,
    /// Key thumbprint to bind the token to (strict-profile caveat, tag 5).
    #[serde(default)]
    pub bind_jkt: Option<String>,
}

/// Input of a `mint` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MintInput {
    /// Root key, hex.
    pub key_hex: String,
    /// Identifier.
    pub identifier: String,
    /// Location.
    pub location: String,
    /// Restrictions.
    pub restrictions: RestrictionsInput,
}

/// Input of a `restrict` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestrictInput {
    /// The token to narrow.
    pub token: String,
    /// Restrictions.
    pub restrictions: RestrictionsInput,
}

/// Input of a `dpop_proof` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DpopProofInput {
    /// The `DPoP` header value.
    pub proof: String,
    /// The request method.
    pub method: String,
    /// The URL the request was received at.
    pub url: String,
    /// The verifier's clock, Unix seconds.
    pub now: i64,
    /// The access token presented with the proof, if any.
    pub access_token: Option<String>,
    /// The thumbprint the access token is bound to, if any.
    pub expected_jkt: Option<String>,
    /// The nonce the server supplied, if any.
    pub nonce: Option<String>,
    /// Proofs the verifier accepted before this one, in order, each against the same request
    /// at its own clock; their `jti`s fill the replay cache.
    #[serde(default)]
    pub replay: Vec<EarlierProof>,
}

/// A proof seen before the one under test.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlierProof {
    /// The `DPoP` header value.
    pub proof: String,
    /// The verifier's clock when it was seen.
    pub now: i64,
}

/// Input of a `jwk_thumbprint` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwkThumbprintInput {
    /// The JWK, a JSON object.
    pub jwk: serde_json::Map<String, serde_json::Value>,
}

/// Input of an `atr_jwt` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtrJwtInput {
    /// The `Authorization` header value.
    pub authorization: String,
    /// ATR's key: a 64-character hex string whose UTF-8 text is the HMAC key.
    pub key: String,
    /// The value ATR expects as both `iss` and `aud`.
    pub iss_aud: String,
    /// The verifier's clock, Unix seconds.
    pub now: i64,
}

/// Input of an `atr_dpop_request` vector: one request to an ATR-style API under DPoP binding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtrDpopRequestInput {
    /// Every `Authorization` field of the request, in order.
    pub authorization: Vec<String>,
    /// Every `DPoP` field of the request, in order.
    pub dpop: Vec<String>,
    /// The request method.
    pub method: String,
    /// The URL the request was received at.
    pub url: String,
    /// The verifier's clock, Unix seconds.
    pub now: i64,
    /// ATR's key: a 64-character hex string whose UTF-8 text is the HMAC key.
    pub key: String,
    /// The value ATR expects as both `iss` and `aud`.
    pub iss_aud: String,
    /// The nonce the server requires, if any.
    pub nonce: Option<String>,
    /// Proofs accepted earlier for the same request, in order; their `jti`s fill the replay
    /// cache.
    #[serde(default)]
    pub replay: Vec<EarlierProof>,
}

/// Input of a `macaroon_dpop_request` vector: one request presenting a PyPI token, with the
/// token's row and the project as in a `verify` vector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MacaroonDpopRequestInput {
    /// Every `Authorization` field of the request, in order.
    pub authorization: Vec<String>,
    /// Every `DPoP` field of the request, in order.
    pub dpop: Vec<String>,
    /// The request method.
    pub method: String,
    /// The URL the request was received at.
    pub url: String,
    /// The verifier's clock, Unix seconds.
    pub now: i64,
    /// The row's root key, hex.
    pub key_hex: String,
    /// The request's project.
    pub project: Option<ProjectInput>,
    /// The token's database row.
    pub row: RowInput,
    /// The nonce the server requires, if any.
    pub nonce: Option<String>,
    /// Proofs accepted earlier for the same request, in order; their `jti`s fill the replay
    /// cache.
    #[serde(default)]
    pub replay: Vec<EarlierProof>,
}

/// Lower- or upper-case hex to bytes.
pub fn decode_hex(h: &str) -> Result<Vec<u8>, String> {
    if h.len() % 2 != 0 {
        return Err("odd number of hex digits".to_owned());
    }
    h.as_bytes()
        .chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).map_err(|_| "not hex".to_owned())?;
            u8::from_str_radix(s, 16).map_err(|_| format!("{s:?} is not hex"))
        })
        .collect()
}

/// Bytes to lower-case hex.
pub fn encode_hex(b: &[u8]) -> String {
    use std::fmt::Write;
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}
