//! Every shipped vector as its own test, named `<vector id> [<profile>]`, run against the
//! reference implementation through the public harness ([`Suite::trials`], as any
//! implementation's `tests!` runs it). `cargo test --test vectors -- <filter>` runs a subset;
//! `--list` shows the names.

use std::collections::HashSet;

use caveatspec::vectors::{self, Reference, Suite};
use libtest_mimic::{Arguments, Failed, Trial};
use sha2::{Digest, Sha256};

fn main() {
    let args = Arguments::from_args();
    let suite = match Suite::shipped() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot load the shipped vectors: {e}");
            std::process::exit(101);
        }
    };
    let mut trials = suite.trials(Reference);
    trials.push(Trial::test(
        "suite::ids_are_unique_and_flags_documented",
        ids_and_flags,
    ));
    trials.push(Trial::test("suite::vectors_are_fresh", fresh));
    trials.push(Trial::test(
        "suite::schema_ids_are_stable_names",
        schema_ids,
    ));
    libtest_mimic::run(&args, trials).exit();
}

fn ids_and_flags() -> Result<(), Failed> {
    let files = vectors::shipped().map_err(|e| Failed::from(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut total = 0;
    for f in &files {
        if format!("{}.json", f.category) != f.file_name {
            return Err(format!(
                "{}: category {:?} does not match the file name",
                f.file_name, f.category
            )
            .into());
        }
        for v in &f.vectors {
            total += 1;
            if !seen.insert(v.id.clone()) {
                return Err(format!("duplicate id {}", v.id).into());
            }
            for flag in &v.flags {
                if !f.flags.contains_key(flag) {
                    return Err(format!(
                        "{}: flag {flag:?} is not documented in {}",
                        v.id, f.file_name
                    )
                    .into());
                }
            }
        }
    }
    if total < 400 {
        return Err(format!("only {total} vectors").into());
    }
    Ok(())
}

/// The vector files carry the sha256 of their generator's sources (the directory named in
/// `generator.path`, and each directory in `generator.uses` that it imports) they were
/// written with. A change to a generator without regenerating its vectors fails here.
fn fresh() -> Result<(), Failed> {
    for f in vectors::shipped().map_err(|e| Failed::from(e.to_string()))? {
        let stamps = std::iter::once((&f.generator.path, &f.generator.source_sha256))
            .chain(f.generator.uses.iter().map(|u| (&u.path, &u.source_sha256)));
        for (path, stamp) in stamps {
            let digest = source_digest(path)?;
            if *stamp != digest {
                return Err(format!(
                    "{} was written by another version of {path} (stamp {stamp}, sources now {digest}): regenerate the vectors",
                    f.file_name
                )
                .into());
            }
        }
    }
    Ok(())
}

/// sha256 over the `.py`, `.js` and `setup` files of `generator`, in name order.
fn source_digest(generator: &str) -> Result<String, Failed> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(generator);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Failed::from(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py") || n.ends_with(".js") || n == "setup")
        .collect();
    names.sort();
    let mut h = Sha256::new();
    for n in &names {
        let text = std::fs::read(dir.join(n)).map_err(|e| Failed::from(e.to_string()))?;
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
fn schema_ids() -> Result<(), Failed> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in [
        "vectors/schema/vectors.schema.json",
        "spec/caveat.schema.json",
        "spec/adapter-protocol.schema.json",
        "spec/codes.schema.json",
    ] {
        let text = std::fs::read_to_string(root.join(path))
            .map_err(|e| Failed::from(format!("{path}: {e}")))?;
        let schema: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Failed::from(format!("{path}: {e}")))?;
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
            return Err(
                format!("{path}: $id {id:?} is not urn:caveatspec:schema:{stem}:<major>").into(),
            );
        }
    }
    Ok(())
}
