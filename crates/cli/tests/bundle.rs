//! `caveatspec bundle`: the vector release is the shipped files exactly, described by a
//! manifest whose hashes check, and rebuilding it gives the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use caveatspec_vectors as vectors;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn bundle(out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_caveatspec"))
        .args(["bundle", "--out"])
        .arg(out)
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caveatspec-bundle-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_release_is_reproducible_and_its_manifest_checks() {
    let (a, b) = (scratch("a"), scratch("b"));
    for dir in [&a, &b] {
        let o = bundle(dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let name = format!("caveatspec-vectors-{}", vectors::SUITE_VERSION);
    let tar = |d: &Path| std::fs::read(d.join(format!("{name}.tar"))).expect("the tar");
    assert_eq!(tar(&a), tar(&b), "a rebuilt release differs");

    let root = a.join(&name);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(root.join("manifest.json")).expect("manifest"))
            .expect("JSON");
    let files = vectors::shipped().expect("shipped vectors load");
    let total: usize = files.iter().map(|f| f.vectors.len()).sum();
    assert_eq!(manifest["vectors"], total);
    assert_eq!(manifest["version"], vectors::SUITE_VERSION);
    assert_eq!(manifest["format_version"], vectors::FORMAT_VERSION);
    for f in &files {
        assert_eq!(
            manifest["categories"][&f.category]["vectors"],
            f.vectors.len()
        );
    }
    let kinds: u64 = manifest["kinds"]
        .as_object()
        .expect("kinds")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(kinds as usize, total);

    // Every listed file is in the folder with its hash, and is the repository's file exactly.
    let repo = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut list = String::new();
    for entry in manifest["files"].as_array().expect("files") {
        let path = entry["path"].as_str().expect("path");
        let bytes = std::fs::read(root.join(path)).expect("listed file");
        assert_eq!(entry["sha256"], sha256(&bytes), "{path}");
        assert_eq!(
            bytes,
            std::fs::read(repo.join(path)).expect("source"),
            "{path}"
        );
        list.push_str(&format!("{}  {path}\n", sha256(&bytes)));
    }
    assert_eq!(
        manifest["files"].as_array().map(Vec::len),
        Some(files.len() + 1)
    );
    assert_eq!(manifest["set_sha256"], sha256(list.as_bytes()));
    for d in [a, b] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn an_unwritable_destination_is_an_error_not_a_partial_release() {
    let dir = scratch("file");
    std::fs::create_dir_all(&dir).expect("scratch");
    let file = dir.join("occupied");
    std::fs::write(&file, b"x").expect("a file");
    let o = bundle(&file);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("caveatspec: "), "{err}");
    assert!(o.stdout.is_empty());
    let _ = std::fs::remove_dir_all(dir);
}
