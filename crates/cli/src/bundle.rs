//! `bundle`: the shipped vectors as one versioned, pinnable release.
//!
//! A release is a folder `caveatspec-vectors-<version>/` holding the vector files and their
//! schema exactly as this build ships them, and `manifest.json`: the suite and format
//! versions, the counts per category and per kind, and the SHA-256 of every file and of the
//! set. Beside it goes the same folder as one uncompressed POSIX tar archive with fixed
//! metadata (mode 0644, owner 0, time 0, entries in name order), so that building the release
//! again from the same sources gives the same bytes, and a consumer can pin it by one hash.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use clap::Args;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use caveatspec::encoding::hex;
use caveatspec_vectors::{
    self as vectors, VectorFile, FORMAT_VERSION, SCHEMA, SHIPPED, SUITE_VERSION,
};

use crate::output::{complain, say, usage, EXIT_INVALID};

/// `bundle`: write the vector release.
#[derive(Args)]
pub struct BundleArgs {
    /// The folder to write `caveatspec-vectors-<version>/` and its `.tar` into.
    #[arg(long, value_name = "DIR")]
    out: std::path::PathBuf,
}

/// One file of the release: its path inside the release folder and its bytes.
struct Entry {
    path: String,
    bytes: Vec<u8>,
}

pub fn cmd_bundle(args: &BundleArgs) -> ExitCode {
    let files = match vectors::shipped() {
        Ok(f) => f,
        Err(e) => return usage(&e.to_string()),
    };
    let mut entries = shipped_entries();
    let manifest = manifest(&files, &entries);
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    entries.push(Entry {
        path: "manifest.json".into(),
        bytes: text.into_bytes(),
    });
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    let name = format!("caveatspec-vectors-{SUITE_VERSION}");
    match write(&args.out, &name, &entries) {
        Ok(tar_sha256) => {
            say!("{}", args.out.join(&name).display());
            say!("{}.tar sha256 {tar_sha256}", args.out.join(&name).display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            complain(&format!("{}: {e}", args.out.display()));
            ExitCode::from(EXIT_INVALID)
        }
    }
}

/// The vector files and their schema as released, in path order (no manifest yet).
fn shipped_entries() -> Vec<Entry> {
    let mut entries: Vec<Entry> = SHIPPED
        .iter()
        .map(|(name, text)| Entry {
            path: format!("vectors/{name}"),
            bytes: text.as_bytes().to_vec(),
        })
        .collect();
    entries.push(Entry {
        path: "vectors/schema/vectors.schema.json".into(),
        bytes: SCHEMA.as_bytes().to_vec(),
    });
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    entries
}

/// The SHA-256 of the shipped vector set, as a release's `manifest.json` states it in
/// `set_sha256`: what the conformance matrix names as the set it ran.
pub fn shipped_set_sha256() -> String {
    set_sha256(&shipped_entries())
}

/// The set's hash: one `<sha256>  <path>\n` line per file in path order (the format of
/// `sha256sum`), hashed, so that `sha256sum -c` style tools and this hash agree on the list.
fn set_sha256(entries: &[Entry]) -> String {
    let list: String = entries
        .iter()
        .map(|e| format!("{}  {}\n", sha256_hex(&e.bytes), e.path))
        .collect();
    sha256_hex(list.as_bytes())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes))
}

/// The manifest of `files` as released in `entries` (which hold no manifest yet).
fn manifest(files: &[VectorFile], entries: &[Entry]) -> Value {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut categories = serde_json::Map::new();
    for f in files {
        let mut per_kind: BTreeMap<String, usize> = BTreeMap::new();
        for v in &f.vectors {
            let kind = serde_json::to_value(v.kind)
                .ok()
                .and_then(|k| k.as_str().map(str::to_owned))
                .unwrap_or_default();
            *per_kind.entry(kind.clone()).or_default() += 1;
            *kinds.entry(kind).or_default() += 1;
        }
        categories.insert(
            f.category.clone(),
            json!({"file": format!("vectors/{}", f.file_name), "vectors": f.vectors.len(), "kinds": per_kind}),
        );
    }
    let listed: Vec<Value> = entries
        .iter()
        .map(|e| json!({"path": e.path, "bytes": e.bytes.len(), "sha256": sha256_hex(&e.bytes)}))
        .collect();
    json!({
        "suite": "caveatspec-vectors",
        "version": SUITE_VERSION,
        "format_version": FORMAT_VERSION,
        "vectors": files.iter().map(|f| f.vectors.len()).sum::<usize>(),
        "categories": categories,
        "kinds": kinds,
        "files": listed,
        "set_sha256": set_sha256(entries),
    })
}

/// Writes the folder and the tar archive; the archive's SHA-256.
fn write(out: &Path, name: &str, entries: &[Entry]) -> std::io::Result<String> {
    let root = out.join(name);
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    for e in entries {
        let path = root.join(&e.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, &e.bytes)?;
    }
    let mut tar = Vec::new();
    for e in entries {
        tar_entry(&mut tar, &format!("{name}/{}", e.path), &e.bytes)?;
    }
    // The end of an archive: two zero blocks.
    tar.extend_from_slice(&[0u8; 1024]);
    std::fs::write(out.join(format!("{name}.tar")), &tar)?;
    Ok(sha256_hex(&tar))
}

/// Appends one regular file to a ustar archive, with fixed mode, owner and time.
fn tar_entry(tar: &mut Vec<u8>, path: &str, bytes: &[u8]) -> std::io::Result<()> {
    if path.len() > 100 {
        return Err(std::io::Error::other(format!(
            "{path}: a path over 100 bytes does not fit a tar header"
        )));
    }
    // The size field holds eleven octal digits: 8 GiB and more does not fit.
    if bytes.len() >= 1 << 33 {
        return Err(std::io::Error::other(format!(
            "{path}: a file of 8 GiB or more does not fit a tar header"
        )));
    }
    let mut header = [0u8; 512];
    let mut put = |at: usize, field: &[u8]| header[at..at + field.len()].copy_from_slice(field);
    put(0, path.as_bytes());
    put(100, b"0000644\0");
    put(108, b"0000000\0");
    put(116, b"0000000\0");
    put(124, format!("{:011o}\0", bytes.len()).as_bytes());
    put(136, b"00000000000\0");
    put(156, b"0");
    put(257, b"ustar\0");
    put(263, b"00");
    // The checksum is computed with its own field as eight spaces.
    put(148, b"        ");
    let sum: u32 = header.iter().map(|b| u32::from(*b)).sum();
    header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    tar.extend_from_slice(&header);
    tar.extend_from_slice(bytes);
    let pad = (512 - bytes.len() % 512) % 512;
    tar.resize(tar.len() + pad, 0);
    Ok(())
}
