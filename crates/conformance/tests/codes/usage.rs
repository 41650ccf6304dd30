//! What the shipped vectors expect, code by code, read through the public API.

use std::collections::{BTreeMap, BTreeSet};

use caveatspec::Profile;
use caveatspec_vectors::{self as vectors, expected_for, Kind, Vector};
use serde_json::Value;

/// The profiles codes occur in, in the order the registry lists them.
pub const PROFILES: [&str; 6] = [
    "warehouse",
    "strict",
    "mint",
    "dpop",
    "atr-jwt",
    "atr-jwt-dpop",
];

/// One code's use by the vectors.
#[derive(Debug, Default)]
pub struct CodeUse {
    /// Indices into [`PROFILES`].
    pub profiles: BTreeSet<usize>,
    /// The vectors that expect it, in shipped order, each once.
    pub vector_ids: Vec<String>,
    /// PyPI's messages where a warehouse expectation fails with this code alone (`None`:
    /// PyPI fails with an internal error).
    pub warehouse_messages: BTreeSet<Option<String>>,
}

/// Every code the vectors expect.
#[derive(Debug, Default)]
pub struct Usage {
    /// By code.
    pub codes: BTreeMap<String, CodeUse>,
    /// Every vector id, in shipped order.
    pub vector_ids: BTreeSet<String>,
}

/// The profile a vector's expectation belongs to. Decode, caveat and verify vectors have one
/// expectation per profile; macaroon_dpop_request vectors follow the strict profile (SPEC
/// §7.2); mint and restrict are profile-free and share one name.
pub fn profile_name(kind: Kind, profile: Profile) -> &'static str {
    match kind {
        Kind::Decode | Kind::Caveat | Kind::Verify => profile.name(),
        Kind::MacaroonDpopRequest => "strict",
        Kind::Mint | Kind::Restrict => "mint",
        Kind::DpopProof | Kind::JwkThumbprint => "dpop",
        Kind::AtrJwt => "atr-jwt",
        Kind::AtrDpopRequest => "atr-jwt-dpop",
        other => panic!("{other:?}: say here which profile name its expectations follow"),
    }
}

/// Reads the shipped vectors.
pub fn usage() -> Result<Usage, String> {
    let files = vectors::shipped().map_err(|e| e.to_string())?;
    let mut usage = Usage::default();
    for v in files.iter().flat_map(|f| &f.vectors) {
        usage.vector_ids.insert(v.id.clone());
        let profiles: &[Profile] = if v.kind.per_profile() {
            &Profile::ALL
        } else {
            &Profile::ALL[..1]
        };
        for &profile in profiles {
            if let Some(expected) = expected_for(v, profile) {
                record(&mut usage, v, profile, expected)?;
            }
        }
    }
    Ok(usage)
}

fn record(usage: &mut Usage, v: &Vector, profile: Profile, expected: &Value) -> Result<(), String> {
    let Some(codes) = expected.get("codes") else {
        return Ok(());
    };
    let codes: Vec<&str> = codes
        .as_array()
        .and_then(|a| a.iter().map(Value::as_str).collect())
        .ok_or_else(|| format!("{}: `codes` is not a list of strings", v.id))?;
    let name = profile_name(v.kind, profile);
    let index = PROFILES.iter().position(|p| *p == name).unwrap_or(0);
    for code in &codes {
        let entry = usage.codes.entry((*code).to_owned()).or_default();
        entry.profiles.insert(index);
        if entry.vector_ids.last() != Some(&v.id) {
            entry.vector_ids.push(v.id.clone());
        }
    }
    let warehouse = v.kind.per_profile() && profile == Profile::Warehouse;
    if let ([code], true, Some(message)) = (codes.as_slice(), warehouse, expected.get("message")) {
        let message = message.as_str().map(str::to_owned);
        let entry = usage.codes.entry((*code).to_owned()).or_default();
        entry.warehouse_messages.insert(message);
    }
    Ok(())
}
