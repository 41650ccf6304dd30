//! Checks of the repository around the vectors: each vector file was written by the current
//! version of its generator, and every published JSON Schema has a stable `$id`.

use sha2::{Digest, Sha256};

use caveatspec_vectors as vectors;

/// The repository's root (this crate is `crates/conformance`).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The vector files carry the sha256 of their generator's sources (the directory named in
/// `generator.path`, and each directory in `generator.uses` that it imports) they were
/// written with. A change to a generator without regenerating its vectors fails here.
#[test]
fn vectors_are_fresh() -> Result<(), String> {
    for f in vectors::shipped().map_err(|e| e.to_string())? {
        let stamps = std::iter::once((&f.generator.path, &f.generator.source_sha256))
            .chain(f.generator.uses.iter().map(|u| (&u.path, &u.source_sha256)));
        for (path, stamp) in stamps {
            let digest = source_digest(path)?;
            if *stamp != digest {
                return Err(format!(
                    "{} was written by another version of {path} (stamp {stamp}, sources now {digest}): regenerate the vectors",
                    f.file_name
                ));
            }
        }
    }
    Ok(())
}

/// sha256 over the `.py`, `.js` and `setup` files of `generator`, in name order.
fn source_digest(generator: &str) -> Result<String, String> {
    let dir = std::path::Path::new(ROOT).join(generator);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py") || n.ends_with(".js") || n == "setup")
        .collect();
    names.sort();
    let mut h = Sha256::new();
    for n in &names {
        let text = std::fs::read(dir.join(n)).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&text).replace("\r\n", "\n");
        h.update(n.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Every JSON Schema the project publishes has an `$id` that names it for good without
/// claiming a web address: `urn:caveatspec:schema:<file stem>:<major version>`.
#[test]
fn schema_ids_are_stable_names() -> Result<(), String> {
    let root = std::path::Path::new(ROOT);
    for path in [
        "vectors/schema/vectors.schema.json",
        "spec/caveat.schema.json",
        "spec/adapter-protocol.schema.json",
        "spec/codes.schema.json",
    ] {
        let text = std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))?;
        let schema: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        let stem = path
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".schema.json"))
            .unwrap_or_default();
        let id = schema["$id"].as_str().unwrap_or_default();
        let version = id
            .strip_prefix(&format!("urn:caveatspec:schema:{stem}:"))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
        if version.is_none() {
            return Err(format!(
                "{path}: $id {id:?} is not urn:caveatspec:schema:{stem}:<major>"
            ));
        }
    }
    Ok(())
}

/// Every package of the workspace declares as its `rust-version` exactly what its locked
/// normal dependencies (all features on) declare at most, read from `cargo tree` and `cargo
/// metadata`: no other toolchain can be installed to try, so the dependencies' own
/// declarations are the measure. The code's own use of newer library items is held to the same
/// version by clippy's `incompatible_msrv` lint, which reads the declared version.
#[test]
fn rust_versions_are_what_the_locked_dependencies_need() -> Result<(), String> {
    let cargo = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new(env!("CARGO"))
            .args(args)
            .args(["--locked", "--offline"])
            .current_dir(ROOT)
            .output()
            .map_err(|e| format!("cargo {args:?}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cargo {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        String::from_utf8(out.stdout).map_err(|e| e.to_string())
    };
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1"])?)
            .map_err(|e| e.to_string())?;
    let packages = metadata["packages"].as_array().ok_or("no packages")?;
    let version =
        |text: &str| -> Vec<u64> { text.split('.').filter_map(|p| p.parse().ok()).collect() };
    let declared = |name: &str, v: &str| -> Option<Vec<u64>> {
        packages
            .iter()
            .find(|p| p["name"] == name && p["version"] == v.trim_start_matches('v'))
            .and_then(|p| p["rust_version"].as_str())
            .map(version)
    };
    let members: Vec<&str> = packages
        .iter()
        .filter(|p| {
            p["source"].is_null()
                && p["manifest_path"]
                    .as_str()
                    .is_some_and(|m| m.contains("/crates/"))
        })
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(members.len() >= 5, "{members:?}");
    let mut wrong = Vec::new();
    for name in members {
        let tree = cargo(&[
            "tree",
            "-p",
            name,
            "-e",
            "normal",
            "--all-features",
            "--prefix",
            "none",
        ])?;
        let mut need: (Vec<u64>, String) = (vec![0], String::new());
        for line in tree.lines() {
            let mut words = line.split_whitespace();
            let (Some(dep), Some(v)) = (words.next(), words.next()) else {
                continue;
            };
            if dep == name {
                continue;
            }
            if let Some(r) = declared(dep, v) {
                if r > need.0 {
                    need = (r, format!("{dep} {v}"));
                }
            }
        }
        let own = packages
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["rust_version"].as_str())
            .map(version)
            .unwrap_or_default();
        if own != need.0 {
            wrong.push(format!(
                "{name} declares {own:?}, its dependencies need {:?} ({})",
                need.0, need.1
            ));
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n"))
    }
}
