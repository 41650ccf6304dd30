//! `caveatspec run` counts each vector under its basis (rfc, pypi, atr, policy, open), for the
//! reference and for an adapter, in its text and its `--json`; a failure counts under its
//! basis and still fails the run.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use caveatspec_vectors::{basis_for, shipped, BasisClass, Profile, VectorFile};
use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caveatspec"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Per class: (vectors, of which expected invalid) under `profile`.
fn by_basis(files: &[VectorFile], profile: Profile) -> BTreeMap<BasisClass, (usize, usize)> {
    let mut out = BTreeMap::new();
    for v in files.iter().flat_map(|f| &f.vectors) {
        let e = caveatspec_vectors::expected_for(v, profile).expect("an expectation");
        let n = out.entry(basis_for(v, profile).class()).or_insert((0, 0));
        n.0 += 1;
        n.1 += usize::from(e["valid"] == false);
    }
    out
}

#[test]
fn run_counts_the_references_vectors_by_basis_in_text_and_json() {
    let files = shipped().expect("shipped vectors");
    let expected = by_basis(&files, Profile::Strict);
    let o = run(&["run", "--profile", "strict", "--json"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    for class in BasisClass::ALL {
        let (n, _) = expected.get(&class).copied().unwrap_or_default();
        let got = &v["bases"][class.name()];
        assert_eq!(got["passed"], n, "{class:?}: {got}");
        assert_eq!(got["failed"], 0, "{class:?}: {got}");
    }
    let o = run(&["run", "--profile", "strict"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let line = BasisClass::ALL
        .iter()
        .filter_map(|c| {
            expected
                .get(c)
                .map(|(n, _)| format!("{} {n}/{n}", c.name()))
        })
        .collect::<Vec<_>>()
        .join(", ");
    assert!(
        text.lines().any(|l| l == format!("by basis: {line}")),
        "{text}"
    );
}

/// An adapter that declares the DPoP kinds and answers every vector "valid".
const YES: &str = r#"echo '{"type":"hello","protocol":1,"name":"yes","version":"1","language":"sh","profile":"strict","kinds":["dpop_proof","jwk_thumbprint"]}'; while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/^{"type":"request","id":"\([^"]*\)".*/\1/'); printf '{"type":"response","id":"%s","outcome":"valid"}\n' "$id"; done"#;

#[test]
fn an_adapters_failures_count_under_their_basis_and_still_fail_the_run() {
    let path = format!("{ROOT}/vectors/dpop.json");
    let file = VectorFile::load(std::path::Path::new(&path)).expect("dpop.json");
    let expected = by_basis(std::slice::from_ref(&file), Profile::Strict);
    let o = run(&["run", &path, "--adapter", YES, "--json"]);
    assert_eq!(o.status.code(), Some(1), "failures fail the run");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let (open, open_invalid) = expected[&BasisClass::Open];
    let (rfc, rfc_invalid) = expected[&BasisClass::Rfc];
    assert!(open_invalid > 0 && rfc_invalid > 0, "{expected:?}");
    assert_eq!(v["bases"]["open"]["failed"], open_invalid);
    assert_eq!(v["bases"]["open"]["passed"], open - open_invalid);
    assert_eq!(v["bases"]["rfc"]["failed"], rfc_invalid);
    assert_eq!(v["bases"]["rfc"]["passed"], rfc - rfc_invalid);
    for class in ["pypi", "atr"] {
        assert_eq!(v["bases"][class]["passed"], 0, "{class}");
        assert_eq!(v["bases"][class]["failed"], 0, "{class}");
    }
    let o = run(&["run", &path, "--adapter", YES]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains(&format!(
            "by basis: rfc {}/{rfc}, open {}/{open}",
            rfc - rfc_invalid,
            open - open_invalid
        )),
        "{text}"
    );
}
