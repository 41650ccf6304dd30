//! Checks of the repository around the vectors: each vector file was written by the current
//! version of every file its generator reads, the generators' modules import one another
//! without cycles, and every published JSON Schema has a stable `$id`.

use sha2::{Digest, Sha256};

use caveatspec_vectors as vectors;

/// The repository's root (this crate is `crates/conformance`).
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The vector files carry the sha256 of every file their generator read when it wrote them
/// (`generator.path`, its module in tools/caveatgen, and each file in `generator.uses`: the
/// package modules it imports and its setup script). A change to any of them without
/// regenerating the vectors fails here.
#[test]
fn vectors_are_fresh() -> Result<(), String> {
    for f in vectors::shipped().map_err(|e| e.to_string())? {
        let stamps = std::iter::once((&f.generator.path, &f.generator.source_sha256))
            .chain(f.generator.uses.iter().map(|u| (&u.path, &u.source_sha256)));
        for (path, stamp) in stamps {
            let digest = file_sha256(path)?;
            if *stamp != digest {
                return Err(format!(
                    "{} was written by another version of {path} (stamp {stamp}, file now {digest}): regenerate the vectors",
                    f.file_name
                ));
            }
        }
    }
    Ok(())
}

/// Each stamp lists every package module its generator imports, directly or through another
/// module, so that no file a generator reads can change unseen.
#[test]
fn stamps_list_every_module_their_generator_imports() -> Result<(), String> {
    let graph = generator_imports()?;
    for f in vectors::shipped().map_err(|e| e.to_string())? {
        let listed: std::collections::BTreeSet<&str> = std::iter::once(&f.generator.path)
            .chain(f.generator.uses.iter().map(|u| &u.path))
            .map(String::as_str)
            .collect();
        for path in &listed {
            let Some(module) = module_name(path) else {
                continue;
            };
            for imported in graph.get(module).into_iter().flatten() {
                let needed = format!("{GENERATORS}/{imported}.py");
                if !listed.contains(needed.as_str()) {
                    return Err(format!(
                        "{}: {path} imports {needed}, which its generator stamp does not list",
                        f.file_name
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The generator package's modules import one another without a cycle (a module is fully
/// loaded before anything that needs it), so that no module has to defer an import.
#[test]
fn generator_modules_import_without_cycles() -> Result<(), String> {
    let graph = generator_imports()?;
    assert!(graph.len() >= 10, "{:?}", graph.keys());
    // Depth-first search; `path` is the chain of modules being visited.
    fn visit<'a>(
        m: &'a str,
        graph: &'a std::collections::BTreeMap<String, Vec<String>>,
        done: &mut std::collections::BTreeSet<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), String> {
        if let Some(at) = path.iter().position(|p| *p == m) {
            return Err(format!("import cycle: {} -> {m}", path[at..].join(" -> ")));
        }
        if !done.insert(m) {
            return Ok(());
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, done, path)?;
        }
        path.pop();
        Ok(())
    }
    let mut done = std::collections::BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut done, &mut Vec::new())?;
    }
    Ok(())
}

/// Where the generators live, from the repository's root.
const GENERATORS: &str = "tools/caveatgen";

/// `tools/caveatgen/<name>.py` -> `<name>`.
fn module_name(path: &str) -> Option<&str> {
    path.strip_prefix(GENERATORS)?
        .strip_prefix('/')?
        .strip_suffix(".py")
}

/// The package modules each module of tools/caveatgen imports, read from its `from caveatgen
/// import a, b`, `from caveatgen.a import ...` and `import caveatgen.a` lines (the forms the
/// package uses; its digest.py reads the same imports with Python's own parser).
fn generator_imports() -> Result<std::collections::BTreeMap<String, Vec<String>>, String> {
    let dir = std::path::Path::new(ROOT).join(GENERATORS);
    let mut graph = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let Some(module) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".py"))
        else {
            continue;
        };
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut imports = Vec::new();
        let mut lines = text.lines().map(str::trim);
        while let Some(line) = lines.next() {
            if let Some(names) = line.strip_prefix("from caveatgen import ") {
                // `a, b as c`, or `(` and then names over several lines up to `)`.
                let mut names = names.split('#').next().unwrap_or_default().to_owned();
                if names.starts_with('(') && !names.contains(')') {
                    for more in lines.by_ref() {
                        names.push_str(more.split('#').next().unwrap_or_default());
                        if more.contains(')') {
                            break;
                        }
                    }
                }
                imports.extend(
                    names
                        .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
                        .split(',')
                        .filter_map(|n| n.split_whitespace().next())
                        .map(str::to_owned),
                );
            } else if let Some(rest) = line
                .strip_prefix("from caveatgen.")
                .or_else(|| line.strip_prefix("import caveatgen."))
            {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                imports.push(name);
            }
        }
        imports.sort();
        imports.dedup();
        graph.insert(module.to_owned(), imports);
    }
    Ok(graph)
}

/// sha256 of a file's text (CRLF read as LF), as `sha256sum` gives it on a checkout with LF.
fn file_sha256(path: &str) -> Result<String, String> {
    let file = std::path::Path::new(ROOT).join(path);
    let text = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let text = String::from_utf8_lossy(&text).replace("\r\n", "\n");
    Ok(Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
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
