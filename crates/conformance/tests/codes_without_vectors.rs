//! The codes `spec/codes.json` lists with `no_vector` that no other test reaches, each produced
//! by the reference implementation through the public harness, from a shipped vector's input
//! changed just enough to meet it. The registry says why no vector expects these; this shows
//! the reference still produces them as registered.

use caveatspec::Profile;
use caveatspec_conformance::Reference;
use caveatspec_vectors::{self as vectors, answer, Kind, Vector};
use serde_json::{json, Value};

fn shipped_vector(id: &str) -> Vector {
    let files = vectors::shipped().unwrap_or_else(|e| panic!("the shipped vectors: {e}"));
    let found = files
        .into_iter()
        .flat_map(|f| f.vectors)
        .find(|v| v.id == id);
    found.unwrap_or_else(|| panic!("no shipped vector {id}"))
}

/// The codes the reference answers with for `input`.
fn codes(kind: Kind, input: &Value, profile: Profile) -> Vec<String> {
    let got = answer(&Reference, kind, input, profile)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the reference implements {kind:?}"));
    assert_eq!(got["valid"], json!(false), "{got}");
    serde_json::from_value(got["codes"].clone()).unwrap_or_else(|e| panic!("{e}: {got}"))
}

#[test]
fn restricting_a_token_with_a_third_party_caveat_is_refused() {
    let decoded = shipped_vector("macaroon/v2-third-party-caveat");
    let input = json!({
        "token": decoded.input["token"],
        "restrictions": {"project_names": ["sampleproject"]},
    });
    assert_eq!(
        codes(Kind::Restrict, &input, Profile::Warehouse),
        ["restrict.third_party_caveat"]
    );
}

/// Warehouse reads stored caveats back through PyPI's caveat classes first and refuses a row it
/// cannot; strict reads them like embedded ones, with their own codes.
#[test]
fn a_row_whose_stored_caveat_does_not_parse_is_stored_invalid_in_warehouse() {
    let v = shipped_vector("verify/expiration/inside");
    for (stored, strict_code) in [
        ("not json", "json.syntax"),
        ("[5,", "json.syntax"),
        ("[9]", "caveat.unknown_tag"),
        ("{\"version\": 1}", "caveat.legacy_shape"),
    ] {
        let mut input = v.input.clone();
        input["row"]["stored_caveats"] = json!([stored]);
        assert_eq!(
            codes(Kind::Verify, &input, Profile::Warehouse),
            ["stored.invalid"],
            "{stored:?}"
        );
        assert_eq!(
            codes(Kind::Verify, &input, Profile::Strict),
            [strict_code],
            "{stored:?}"
        );
    }
}

#[test]
fn a_vector_whose_root_key_is_not_hex_is_input_key_hex() {
    for (id, kind) in [
        ("verify/expiration/inside", Kind::Verify),
        ("mint/bare", Kind::Mint),
    ] {
        for key in ["zz", "0", "00 ", "\u{0}\u{0}", "é0"] {
            let mut input = shipped_vector(id).input;
            input["key_hex"] = json!(key);
            assert_eq!(
                codes(kind, &input, Profile::Strict),
                ["input.key_hex"],
                "{id} with key {key:?}"
            );
        }
    }
}

#[test]
fn a_replay_history_holding_a_refused_proof_is_input_replay() {
    let v = shipped_vector("dpop/replay/figure-13-again");
    let mut input = v.input.clone();
    assert!(
        input["replay"].as_array().is_some_and(|r| !r.is_empty()),
        "{}",
        v.id
    );
    for refused in ["", "not.a.proof", &"a".repeat(20_000)] {
        input["replay"][0]["proof"] = json!(refused);
        assert_eq!(
            codes(Kind::DpopProof, &input, Profile::Strict),
            ["input.replay"],
            "earlier proof {:?}",
            &refused[..refused.len().min(20)]
        );
    }
}
