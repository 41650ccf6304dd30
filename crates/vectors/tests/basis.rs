//! Every vector's `basis` as a consumer reads it: typed, per profile where the expectation is,
//! and a file with a malformed basis refused with a message naming what is wrong.

use caveatspec_vectors::{basis_for, shipped, BasisClass, BasisSource, Profile, VectorFile};

#[test]
fn every_vector_has_a_basis_for_each_profile_it_is_held_to() {
    let mut classes = std::collections::BTreeMap::new();
    for f in shipped().expect("the shipped vectors load") {
        for v in &f.vectors {
            for p in Profile::ALL {
                let b = basis_for(v, p);
                *classes.entry(b.class()).or_insert(0usize) += 1;
                match b {
                    BasisSource::Rfc { reference } => assert!(
                        reference.starts_with("RFC "),
                        "{}: an rfc basis cites an RFC: {reference}",
                        v.id
                    ),
                    BasisSource::Pypi { reference } | BasisSource::Atr { reference } => {
                        assert!(!reference.is_empty(), "{}", v.id)
                    }
                    BasisSource::Policy { reason, open } => {
                        assert!(reason.contains("SPEC §"), "{}: {reason}", v.id);
                        if let Some(open) = open {
                            assert!(open.contains("RFC "), "{}: {open}", v.id);
                        }
                    }
                }
            }
            if v.kind.per_profile() {
                assert_eq!(
                    basis_for(v, Profile::Warehouse).class(),
                    BasisClass::Pypi,
                    "{}: the warehouse profile is PyPI's behaviour",
                    v.id
                );
                assert_eq!(
                    basis_for(v, Profile::Strict).class(),
                    BasisClass::Policy,
                    "{}: the strict profile is this specification's",
                    v.id
                );
            }
        }
    }
    for class in BasisClass::ALL {
        assert!(
            classes.get(&class).copied().unwrap_or(0) > 0,
            "no {class:?}"
        );
    }
}

/// One vector file holding `vector`, as text.
fn file_with(kind: &str, basis: &str) -> String {
    let expected = if matches!(kind, "decode" | "caveat" | "verify") {
        r#"{"warehouse": {"valid": true}, "strict": {"valid": true}}"#
    } else {
        r#"{"valid": true}"#
    };
    format!(
        r#"{{"$schema": "schema/vectors.schema.json", "format_version": 1, "category": "dpop",
        "description": "d", "generator": {{"path": "tools/x", "source_sha256": "00"}},
        "sources": {{}}, "flags": {{}}, "number_of_vectors": 1,
        "vectors": [{{"id": "dpop/x/y", "kind": "{kind}", "description": "d", "flags": [],
        "input": {{}}, "expected": {expected}, "basis": {basis}}}]}}"#
    )
}

fn load(kind: &str, basis: &str) -> Result<VectorFile, String> {
    VectorFile::from_json("dpop.json", &file_with(kind, basis)).map_err(|e| e.to_string())
}

#[test]
fn each_shape_of_basis_reads_as_its_class() {
    let cases = [
        (
            r#"{"source": "rfc", "ref": "RFC 9449 §4.3"}"#,
            BasisClass::Rfc,
        ),
        (
            r#"{"source": "pypi", "ref": "services.py"}"#,
            BasisClass::Pypi,
        ),
        (r#"{"source": "atr", "ref": "jwt.decode"}"#, BasisClass::Atr),
        (
            r#"{"source": "policy", "reason": "SPEC §10.3"}"#,
            BasisClass::Policy,
        ),
        (
            r#"{"source": "policy", "reason": "SPEC §10.3", "open": "RFC 7515 §4"}"#,
            BasisClass::Open,
        ),
    ];
    for (basis, class) in cases {
        let f = load("dpop_proof", basis).expect(basis);
        assert_eq!(basis_for(&f.vectors[0], Profile::Strict).class(), class);
    }
    let f = load(
        "verify",
        r#"{"warehouse": {"source": "pypi", "ref": "w"}, "strict": {"source": "policy", "reason": "s"}}"#,
    )
    .expect("per profile");
    assert_eq!(
        basis_for(&f.vectors[0], Profile::Warehouse).class(),
        BasisClass::Pypi
    );
    assert_eq!(
        basis_for(&f.vectors[0], Profile::Strict).class(),
        BasisClass::Policy
    );
}

#[test]
fn a_malformed_basis_is_a_format_error_naming_it() {
    let refused = [
        ("dpop_proof", r#"{"source": "ietf", "ref": "x"}"#, "ietf"),
        ("dpop_proof", r#"{"source": "policy"}"#, "reason"),
        ("dpop_proof", r#"{"source": "policy", "ref": "x"}"#, "ref"),
        (
            "dpop_proof",
            r#"{"source": "rfc", "ref": "RFC 1", "open": "x"}"#,
            "open",
        ),
        ("dpop_proof", r#"{"source": "rfc"}"#, "ref"),
        ("dpop_proof", r#"{"source": 7, "ref": "x"}"#, "basis"),
        ("dpop_proof", r#""rfc""#, "basis"),
        ("dpop_proof", "null", "basis"),
        (
            "dpop_proof",
            r#"{"warehouse": {"source": "pypi", "ref": "w"}, "strict": {"source": "policy", "reason": "s"}}"#,
            "one basis, not one per profile",
        ),
        ("verify", r#"{"source": "pypi", "ref": "w"}"#, "per profile"),
        (
            "verify",
            r#"{"warehouse": {"source": "pypi", "ref": "w"}}"#,
            "strict",
        ),
        (
            "verify",
            r#"{"warehouse": {"source": "pypi", "ref": "w"}, "strict": {"source": "policy", "reason": "s"}, "x": 1}"#,
            "x",
        ),
    ];
    for (kind, basis, names) in refused {
        let e = load(kind, basis).expect_err(basis);
        assert!(e.contains(names), "{basis}: {e}");
    }
    let missing = file_with("dpop_proof", "0").replace(r#", "basis": 0"#, "");
    let e = VectorFile::from_json("dpop.json", &missing).expect_err("no basis");
    assert!(e.to_string().contains("basis"), "{e}");
}
