//! The vectors: `run` (the reference or an adapter) and `matrix`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use caveatspec::adapter::{self, ImplEntry, Matrix, RunOptions, Skipped, Verdict};
use caveatspec::vectors::{self, CheckResult, Reference, VectorFile};
use caveatspec::Profile;

use crate::output::{say, say_part, usage, EXIT_INVALID};

/// `run`: vector files through the reference, or through an adapter.
#[derive(Args)]
pub struct RunArgs {
    /// Vector files or folders of them.
    paths: Vec<PathBuf>,
    /// Only this profile (default: all; with --adapter, the adapter's own).
    #[arg(long)]
    profile: Option<Profile>,
    /// One JSON report instead of text.
    #[arg(long)]
    json: bool,
    /// An adapter command (run by `sh -c`) speaking spec/adapter-protocol.md.
    #[arg(long, value_name = "COMMAND")]
    adapter: Option<String>,
    /// Seconds an adapter has to answer one vector.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// `matrix`: every configured adapter, written as a conformance matrix.
#[derive(Args)]
pub struct MatrixArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// The adapter configuration.
    #[arg(long, default_value = "adapters/adapters.json")]
    config: PathBuf,
    /// Only these adapter ids.
    #[arg(long, num_args = 1..)]
    only: Vec<String>,
    /// Seconds an adapter has to answer one vector.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

fn load_paths(paths: &[PathBuf]) -> Result<Vec<VectorFile>, String> {
    if paths.is_empty() {
        return vectors::shipped().map_err(|e| e.to_string());
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| e.extension().is_some_and(|x| x == "json"))
                .collect();
            entries.sort();
            for e in entries {
                files.push(VectorFile::load(&e).map_err(|e| e.to_string())?);
            }
        } else {
            files.push(VectorFile::load(p).map_err(|e| e.to_string())?);
        }
    }
    Ok(files)
}

pub fn run(args: &RunArgs) -> ExitCode {
    match &args.adapter {
        None => run_reference(&args.paths, args.profile, args.json),
        Some(command) => run_adapter(&args.paths, command, args.json, args.timeout),
    }
}

fn run_reference(paths: &[PathBuf], profile: Option<Profile>, as_json: bool) -> ExitCode {
    let files = match load_paths(paths) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let profiles: Vec<Profile> = profile
        .map(|p| vec![p])
        .unwrap_or_else(|| Profile::ALL.to_vec());
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for file in &files {
        let results = vectors::run_file(&Reference, file, &profiles);
        let (mut p, mut f, mut s) = (0, 0, 0);
        let mut failures = Vec::new();
        for (id, prof, r) in results {
            match r {
                CheckResult::Pass => p += 1,
                CheckResult::Skip(_) => s += 1,
                CheckResult::Fail(why) => {
                    f += 1;
                    failures.push(json!({"id": id, "profile": prof.name(), "why": why}));
                    if !as_json {
                        say!("FAIL {id} [{prof}]: {why}");
                    }
                }
            }
        }
        if !as_json {
            say!(
                "{:<18} {p:>4} passed, {f:>3} failed, {s:>3} skipped",
                file.category
            );
        }
        report.push(json!({"category": file.category, "passed": p, "failed": f, "skipped": s, "failures": failures}));
        passed += p;
        failed += f;
        skipped += s;
    }
    if as_json {
        say!(
            "{}",
            json!({"categories": report, "passed": passed, "failed": failed, "skipped": skipped})
        );
    } else {
        say!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

fn run_options(timeout: u64) -> RunOptions {
    RunOptions {
        timeout: std::time::Duration::from_secs(timeout.max(1)),
        ..RunOptions::default()
    }
}

fn run_adapter(paths: &[PathBuf], command: &str, as_json: bool, timeout: u64) -> ExitCode {
    let files = match load_paths(paths) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let report = match adapter::run_adapter(command, None, &files, run_options(timeout)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("caveatspec: adapter: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let entry = ImplEntry::from_report("adapter", &report, &categories);
    if as_json {
        say!("{}", serde_json::to_string(&entry).unwrap_or_default());
    } else {
        say!(
            "{} {} ({}, {} profile)",
            entry.name,
            entry.version,
            entry.language,
            entry.profile
        );
        for v in &report.vectors {
            match &v.verdict {
                Verdict::Failed(why) => say!("FAIL {}: {why}", v.id),
                Verdict::Crashed(why) => say!("CRASH {}: {why}", v.id),
                _ => {}
            }
        }
        for c in &entry.cells {
            say!(
                "{:<18} {:>4} passed, {:>3} failed, {:>3} unsupported, {:>3} crashed",
                c.category,
                c.passed,
                c.failed,
                c.unsupported,
                c.crashed
            );
        }
        say!(
            "{} passed, {} failed, {} unsupported, {} crashed",
            entry.passed,
            entry.failed,
            entry.unsupported,
            entry.crashed
        );
    }
    if entry.failed + entry.crashed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

/// Shell-quotes a path for an adapter command line.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn matrix(args: &MatrixArgs) -> ExitCode {
    let (out, config, only, timeout) = (&args.out, &args.config, &args.only, args.timeout);
    let adapters = match adapter::load_config(config) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    // Commands are written relative to the repository root, the config's grandparent.
    let root = config
        .canonicalize()
        .ok()
        .and_then(|p| p.parent()?.parent().map(std::path::Path::to_path_buf));
    let exe = std::env::current_exe()
        .map(|p| shell_quote(&p.to_string_lossy()))
        .unwrap_or_else(|_| "caveatspec".into());
    let files = match vectors::shipped() {
        Ok(f) => f,
        Err(e) => return usage(&e.to_string()),
    };
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let per_category: Vec<(String, usize)> = files
        .iter()
        .map(|f| (f.category.clone(), f.vectors.len()))
        .collect();
    let mut m = Matrix {
        caveatspec: env!("CARGO_PKG_VERSION").into(),
        vectors: files.iter().map(|f| f.vectors.len()).sum(),
        categories: categories.clone(),
        implementations: Vec::new(),
        skipped: Vec::new(),
    };
    for a in adapters {
        if !only.is_empty() && !only.contains(&a.id) {
            continue;
        }
        if let Some(var) = &a.requires_env {
            if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
                let reason = format!("{var} is not set (optional adapter)");
                eprintln!("skipped {}: {reason}", a.id);
                m.skipped.push(Skipped { id: a.id, reason });
                continue;
            }
        }
        eprint!("{}: ", a.id);
        let command = a.command.replace("{caveatspec}", &exe);
        let entry =
            match adapter::run_adapter(&command, root.as_deref(), &files, run_options(timeout)) {
                Ok(r) => ImplEntry::from_report(&a.id, &r, &categories),
                Err(e) => ImplEntry::broken(&a.id, e, &per_category),
            };
        eprintln!(
            "{} passed, {} failed, {} unsupported, {} crashed{}",
            entry.passed,
            entry.failed,
            entry.unsupported,
            entry.crashed,
            entry
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        m.implementations.push(entry);
    }
    if let Err(e) = adapter::write_matrix(&m, out) {
        eprintln!("caveatspec: {}: {e}", out.display());
        return ExitCode::from(EXIT_INVALID);
    }
    say_part!(
        "{}",
        std::fs::read_to_string(out.join("matrix.md"))
            .unwrap_or_default()
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .collect::<Vec<_>>()
            .join("\n")
    );
    say!();
    if m.implementations.iter().any(|i| i.error.is_some()) {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
