//! The seeds of the `verify` target, whose input is a [`VerifyCase`] decoded by `arbitrary`:
//! built here as values of that type and written with [`crate::encode`], so that nothing
//! outside this crate needs to know `arbitrary`'s byte format. `examples/verify_seeds.rs`
//! writes them to `fuzz/seeds/verify/`; the other targets read plain bytes, whose seeds
//! `tools/caveatgen/fuzz_seeds.py` writes.

use std::collections::BTreeSet;

use serde_json::Value;

use caveatspec::macaroon::{self, Version};
use caveatspec::token;
use caveatspec::Profile;

use crate::encode;
use crate::verify::{
    CaveatSpec, OwnerSpec, ProofSpec, Tamper, VerifyCase, BASE, IDS, JKTS, NAMES, USERS,
};

/// The root key every PyPI token vector is minted with (its `key_hex`); another key makes the
/// case [`Tamper::WrongKey`].
const VECTOR_KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
/// The clock of the PyPI token vectors, as an offset from [`BASE`].
const VECTOR_NOW: i16 = 500;

/// A case that changes nothing else: the caveats, a request for the first project by the first
/// user at the vectors' clock, no binding, no proof; its `extra` caveat never holds.
fn case(caveats: Vec<CaveatSpec>) -> VerifyCase {
    VerifyCase {
        caveats,
        extra: CaveatSpec::Expiration(0, 0),
        stored: Vec::new(),
        now: VECTOR_NOW,
        project: Some((0, 0)),
        owner: OwnerSpec::User(0),
        tamper: Tamper::None,
        bindings: Vec::new(),
        proof: ProofSpec::None,
    }
}

fn index(pool: &[&str], value: &str) -> Option<u8> {
    pool.iter()
        .position(|p| *p == value)
        .and_then(|i| u8::try_from(i).ok())
}

/// The caveats of a V2 token, as text (`None` when the token is not a V2 macaroon of UTF-8
/// caveats).
fn caveats_of(token_text: &str) -> Option<Vec<String>> {
    let body = token::split_prefix(token_text, Profile::Warehouse).ok()?;
    let bytes = token::decode_body(body, Profile::Warehouse).ok()?;
    let m = macaroon::decode(&bytes, Profile::Warehouse).ok()?;
    if m.version != Version::V2 {
        return None;
    }
    m.caveats
        .iter()
        .map(|c| std::str::from_utf8(c.id).ok().map(str::to_owned))
        .collect()
}

/// A `verify` vector as a case: its token's caveats and its stored caveats as raw text, its
/// clock, project, owner and proof key as indices into the target's pools (`None` when the
/// clock or proof key is outside them, or the token not a V2 one).
fn vector_case(input: &Value) -> Option<VerifyCase> {
    let raw = |c: &String| CaveatSpec::Raw(c.clone());
    let caveats = caveats_of(input["token"].as_str()?)?;
    let row = &input["row"];
    let stored: Vec<String> = row["stored_caveats"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let now = i16::try_from(input["now"].as_i64()? - BASE).ok()?;
    let project = input["project"].as_object().and_then(|p| {
        Some((
            index(NAMES, p.get("name")?.as_str()?)?,
            index(IDS, p.get("id")?.as_str()?)?,
        ))
    });
    let owner = row["owner"]["user_id"]
        .as_str()
        .and_then(|u| index(USERS, u))
        .map_or(OwnerSpec::Nobody, OwnerSpec::User);
    let proof = match input["proof_jkt"].as_str() {
        None => ProofSpec::None,
        Some(jkt) => ProofSpec::Key(index(JKTS, jkt)?),
    };
    let tamper = if input["key_hex"].as_str() == Some(VECTOR_KEY_HEX) {
        Tamper::None
    } else {
        Tamper::WrongKey
    };
    Some(VerifyCase {
        caveats: caveats.iter().map(raw).collect(),
        stored: stored.iter().map(raw).collect(),
        now,
        project,
        owner,
        tamper,
        proof,
        ..case(Vec::new())
    })
}

/// The `verify` seeds, from the vectors (each file's `vectors` array):
/// - each key-binding vector as it is, and with a proof by the key of its token's binding;
/// - tokens bound through the target's own `bindings`, with the bound key's proof, another
///   key's and none, and one with a window, a stored caveat and a binding;
/// - each caveat text of any vector (`caveat` inputs and stored caveats) as a token's only
///   caveat.
pub fn verify_seeds<'v>(vectors: impl IntoIterator<Item = &'v Value>) -> BTreeSet<Vec<u8>> {
    let mut cases = Vec::new();
    for v in vectors {
        let input = &v["input"];
        let id = v["id"].as_str().unwrap_or_default();
        if id.starts_with("verify/key-binding/") || id.starts_with("restrict-verify/bind-jkt") {
            if let Some(c) = vector_case(input) {
                cases.push(VerifyCase {
                    proof: ProofSpec::Bound(1),
                    ..c.clone()
                });
                cases.push(c);
            }
        }
        let stored = input["row"]["stored_caveats"].as_array();
        for text in input["caveat"]
            .as_str()
            .into_iter()
            .chain(stored.into_iter().flatten().filter_map(Value::as_str))
        {
            cases.push(case(vec![CaveatSpec::Raw(text.to_owned())]));
        }
    }
    let bound = |bindings: Vec<u8>, proof| VerifyCase {
        now: 0,
        bindings,
        proof,
        ..case(Vec::new())
    };
    cases.extend([
        bound(vec![0], ProofSpec::Bound(0)),
        bound(vec![0], ProofSpec::Key(1)),
        bound(vec![0], ProofSpec::None),
        bound(vec![0, 0], ProofSpec::Key(0)),
        bound(vec![0, 1], ProofSpec::Bound(1)),
        bound(vec![2], ProofSpec::Key(2)),
    ]);
    cases.push(VerifyCase {
        caveats: vec![CaveatSpec::Raw(format!("[0,{},{BASE}]", BASE + 900))],
        stored: vec![CaveatSpec::Raw(r#"[1,["sample-project"]]"#.to_owned())],
        now: 5,
        bindings: vec![1],
        proof: ProofSpec::Bound(0),
        ..case(Vec::new())
    });
    cases.iter().map(encode::to_bytes).collect()
}

/// The `vectors` arrays of every vector file in `dir`, in file name order.
pub fn vector_files(dir: &std::path::Path) -> Result<Vec<Vec<Value>>, String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut file: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            match file["vectors"].take() {
                Value::Array(vectors) => Ok(vectors),
                _ => Err(format!("{}: no vectors", p.display())),
            }
        })
        .collect()
}

/// A seed file's name: the SHA-256 of its bytes, in hex.
pub fn name(seed: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(seed)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
