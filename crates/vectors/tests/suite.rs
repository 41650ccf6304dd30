//! The shipped files as a consumer of this crate sees them: they load, each id is unique and
//! well formed, every flag is documented in its file, and every kind has vectors.

use std::collections::{BTreeMap, HashSet};

use caveatspec_vectors::{shipped, Kind, Profile, FORMAT_VERSION};

#[test]
fn ids_are_unique_and_flags_documented() {
    let files = shipped().expect("the shipped vectors load");
    let mut seen = HashSet::new();
    for f in &files {
        assert_eq!(
            format!("{}.json", f.category),
            f.file_name,
            "category and file name"
        );
        assert_eq!(f.format_version, FORMAT_VERSION);
        for v in &f.vectors {
            assert!(seen.insert(v.id.clone()), "duplicate id {}", v.id);
            let parts: Vec<&str> = v.id.split('/').collect();
            assert!(
                parts.len() >= 2 && parts.iter().all(|p| !p.is_empty()),
                "{}: not <area>/<topic>/<slug>",
                v.id
            );
            for flag in &v.flags {
                assert!(
                    f.flags.contains_key(flag),
                    "{}: flag {flag:?} is not documented in {}",
                    v.id,
                    f.file_name
                );
            }
        }
    }
    assert!(seen.len() >= 900, "only {} vectors", seen.len());
}

#[test]
fn every_kind_has_vectors_and_every_per_profile_vector_both_expectations() {
    let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
    for f in shipped().expect("the shipped vectors load") {
        for v in &f.vectors {
            *per_kind.entry(format!("{:?}", v.kind)).or_default() += 1;
            if v.kind.per_profile() {
                for p in Profile::ALL {
                    assert!(
                        v.expected.get(p.name()).is_some(),
                        "{}: no {p} expectation",
                        v.id
                    );
                }
            }
        }
    }
    for kind in Kind::ALL {
        assert!(
            per_kind.get(&format!("{kind:?}")).copied().unwrap_or(0) > 0,
            "no {kind:?} vectors: {per_kind:?}"
        );
    }
}

/// `Kind::value_fields` names exactly the produced fields the vectors expect: every expected
/// field beside `valid`, `codes` and `message` is one of its kind's, and each of a kind's
/// fields is expected by some vector.
#[test]
fn value_fields_are_the_fields_the_vectors_expect() {
    let mut seen: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for f in shipped().expect("the shipped vectors load") {
        for v in &f.vectors {
            for p in Profile::ALL {
                let Some(e) = caveatspec_vectors::expected_for(v, p) else {
                    continue;
                };
                for field in e.as_object().expect("an object").keys() {
                    if matches!(field.as_str(), "valid" | "codes" | "message") {
                        continue;
                    }
                    assert!(
                        v.kind.value_fields().contains(&field.as_str()),
                        "{}: {field} is not a {:?} value field",
                        v.id,
                        v.kind
                    );
                    seen.entry(format!("{:?}", v.kind))
                        .or_default()
                        .insert(field.clone());
                }
            }
        }
    }
    for kind in Kind::ALL {
        let fields: HashSet<String> = kind.value_fields().iter().map(|f| f.to_string()).collect();
        assert_eq!(
            seen.remove(&format!("{kind:?}")).unwrap_or_default(),
            fields,
            "{kind:?}"
        );
    }
}
