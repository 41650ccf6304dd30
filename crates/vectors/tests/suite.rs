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
