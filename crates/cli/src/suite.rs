//! The vectors: `run` (the reference or an adapter) and `matrix`.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use serde::Serialize;

use caveatspec::Profile;
use caveatspec_cli::adapter::{
    self, printable, FailureClass, GateReport, ImplEntry, Matrix, RunOptions, Skipped, Skips,
    Stamp, VectorReport, Who,
};
use caveatspec_conformance::Reference;
use caveatspec_vectors::{self as vectors, ExpectedFailures, Implementation, VectorFile};

use crate::output::{complain, say, say_part, usage, write_stderr, EXIT_INVALID};

/// What `run` and `matrix` exit with, stated in their `--help`.
const RUN_EXIT: &str = "Exit status: 0 every vector passed (or was unsupported, skipped, or \
failed as --expect-fail lists it); 1 some vector failed or crashed that the list does not name, \
a listed vector passed (remove it from the list), or the adapter did not start; 2 bad usage \
(unknown flag, unreadable vector file or list, a list line without `# reason`, an id no vector \
has, an id listed twice, a --skip that matches nothing).

An expected-failure list (--expect-fail FILE) names one vector per line, by id (every profile) \
or as `ID [PROFILE]` (one profile), then `# reason`; blank lines and lines starting with `#` \
are ignored; a list names vectors one by one, never by pattern:

    verify/signature/v1-token          # we read V1 tokens on purpose
    caveat/tag/true-is-one [warehouse] # booleans are not tags for us

--skip takes a vector id, an id pattern ending in `*` (`dpop/*`), or `flag:NAME` for every \
vector carrying a flag (`flag:legacy`); repeat it for each. Skipped vectors are not sent.";
const MATRIX_EXIT: &str = "Exit status: 0 the matrix was written, whatever the implementations \
passed or failed (it measures them); 1 an adapter did not start, or the matrix could not be \
written; 2 bad usage (unknown flag, unreadable configuration, unknown id in --only).";

/// How long an adapter may take, and how long the runner keeps trying.
#[derive(Args)]
struct Patience {
    /// Seconds an adapter has to answer one vector.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// Seconds an adapter has to say its hello (at start and after each restart).
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    hello_timeout: u64,
    /// After this many hangs in a row, the adapter's remaining vectors count as crashed
    /// without being sent.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    max_hangs: u32,
}

impl Patience {
    fn options(&self) -> RunOptions {
        RunOptions {
            timeout: Duration::from_secs(self.timeout),
            hello_timeout: Duration::from_secs(self.hello_timeout),
            max_hangs: self.max_hangs,
        }
    }
}

/// `run`: vector files through the reference, or through an adapter.
#[derive(Args)]
#[command(after_help = RUN_EXIT)]
pub struct RunArgs {
    /// Vector files or folders of them.
    paths: Vec<PathBuf>,
    /// Only this profile (default: all; with --adapter, the adapter's own).
    #[arg(long)]
    profile: Option<Profile>,
    /// One JSON report instead of text (the same shape with and without --adapter).
    #[arg(long)]
    json: bool,
    /// An adapter command (run by `sh -c`) speaking spec/adapter-protocol.md.
    #[arg(long, value_name = "COMMAND")]
    adapter: Option<String>,
    /// Known failures, one vector id (or `ID [PROFILE]`) per line with `# reason`: they do not
    /// fail the run; a listed vector that passes does.
    #[arg(long, value_name = "FILE")]
    expect_fail: Option<PathBuf>,
    /// Vectors not to run (nor send): an id, an id pattern ending in `*`, or `flag:NAME`.
    /// Repeat the flag for each.
    #[arg(long, value_name = "ID|PREFIX*|flag:NAME")]
    skip: Vec<String>,
    #[command(flatten)]
    patience: Patience,
}

/// `matrix`: every configured adapter, written as a conformance matrix.
#[derive(Args)]
#[command(after_help = MATRIX_EXIT)]
pub struct MatrixArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// The adapter configuration.
    #[arg(long, default_value = "adapters/adapters.json")]
    config: PathBuf,
    /// Only this adapter id (repeat the flag for each).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    #[command(flatten)]
    patience: Patience,
}

/// Progress on stderr while an adapter runs: a one-line bar redrawn in place on a terminal,
/// otherwise a line every [`Progress::EVERY`] vectors or [`Progress::PERIOD`].
struct Progress {
    label: String,
    terminal: bool,
    last: Instant,
}

impl Progress {
    const EVERY: usize = 100;
    const PERIOD: Duration = Duration::from_secs(5);
    const REDRAW: Duration = Duration::from_millis(100);
    const WIDTH: usize = 30;

    fn new(label: &str) -> Progress {
        Progress {
            label: printable(label),
            terminal: std::io::stderr().is_terminal(),
            last: Instant::now(),
        }
    }

    fn update(&mut self, done: usize, total: usize) {
        let finished = done == total;
        if self.terminal {
            if finished || self.last.elapsed() >= Self::REDRAW {
                let filled = (done * Self::WIDTH)
                    .checked_div(total)
                    .unwrap_or(Self::WIDTH);
                let _ = write!(
                    std::io::stderr().lock(),
                    "\r{} [{}{}] {done}/{total}{}",
                    self.label,
                    "#".repeat(filled),
                    ".".repeat(Self::WIDTH - filled),
                    if finished { "\n" } else { "" }
                );
                self.last = Instant::now();
            }
        } else if (done % Self::EVERY == 0 && !finished) || self.last.elapsed() >= Self::PERIOD {
            write_stderr(&format!("{}: {done}/{total} vectors", self.label));
            self.last = Instant::now();
        }
    }
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

/// No expected-failure list is larger than this (every vector under every profile, with a
/// long reason each, is far smaller).
const MAX_LIST: u64 = 4 << 20;

/// Reads and checks the expected-failure list at `path` against `files`.
fn read_list(path: &Path, files: &[VectorFile]) -> Result<ExpectedFailures, String> {
    let shown = printable(&path.display().to_string());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LIST + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("--expect-fail {shown}: {e}"))?;
    if bytes.len() as u64 > MAX_LIST {
        return Err(format!(
            "--expect-fail {shown}: larger than {} MiB",
            MAX_LIST >> 20
        ));
    }
    let list = ExpectedFailures::parse_bytes(&bytes)
        .and_then(|list| list.check_names(files).map(|()| list))
        .map_err(|e| format!("--expect-fail {shown}: {e}"))?;
    Ok(list)
}

pub fn run(args: &RunArgs) -> ExitCode {
    let all_files = match load_paths(&args.paths) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let list = match args
        .expect_fail
        .as_deref()
        .map(|p| read_list(p, &all_files))
    {
        None => ExpectedFailures::default(),
        Some(Ok(list)) => list,
        Some(Err(e)) => return usage(&e),
    };
    let skips = match Skips::parse(&args.skip, &all_files) {
        Ok(s) => s,
        Err(e) => return usage(&e),
    };
    let (files, skipped) = skips.apply(&all_files);
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let (entry, vectors) = match &args.adapter {
        None => match reference_entry(&files, args.profile, &categories) {
            Ok(r) => r,
            Err(e) => {
                complain(&e.to_string());
                return ExitCode::from(EXIT_INVALID);
            }
        },
        Some(command) => {
            let mut progress = Progress::new("adapter");
            let run = adapter::run_adapter_with_progress(
                command,
                None,
                &files,
                args.patience.options(),
                &mut |done, total| progress.update(done, total),
            );
            match run {
                Ok(r) => (
                    ImplEntry::from_report("adapter", &r, &categories),
                    r.vectors,
                ),
                Err(e) => {
                    complain(&format!("adapter: {e}"));
                    return ExitCode::from(EXIT_INVALID);
                }
            }
        }
    };
    let mut entry = entry;
    let gate = GateReport::judge(&list, &vectors, &mut entry, skipped);
    // The report's shape changes only when a gate was asked for.
    let gated = args.expect_fail.is_some() || !args.skip.is_empty();
    if args.json {
        let report = RunJson {
            entry: &entry,
            gate: gated.then_some(&gate),
        };
        match serde_json::to_string(&report) {
            Ok(j) => say!("{j}"),
            Err(e) => {
                complain(&e.to_string());
                return ExitCode::from(EXIT_INVALID);
            }
        }
    } else {
        print_text(&entry, &vectors, gated.then_some(&gate));
    }
    if gate.passes() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

/// `run --json`: the implementation's row, and with --expect-fail or --skip, the gate.
#[derive(Serialize)]
struct RunJson<'a> {
    #[serde(flatten)]
    entry: &'a ImplEntry,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a GateReport>,
}

/// The reference implementation, in this process, under `profile` or every profile.
fn reference_entry(
    files: &[VectorFile],
    profile: Option<Profile>,
    categories: &[String],
) -> Result<(ImplEntry, Vec<VectorReport>), String> {
    let profiles: Vec<Profile> = profile
        .map(|p| vec![p])
        .unwrap_or_else(|| Profile::ALL.to_vec());
    let vectors = adapter::run_in_process(&Reference, files, &profiles)?;
    let names: Vec<&str> = profiles.iter().map(|p| p.name()).collect();
    let who = Who {
        id: "reference",
        name: Reference.name(),
        version: env!("CARGO_PKG_VERSION"),
        language: "Rust",
        profile: &names.join("+"),
    };
    Ok((ImplEntry::tally(&who, &vectors, categories), vectors))
}

/// The text report: who, each failure with its class (and its reason when the list names it),
/// each stale list entry and skip, each category, the classes, the gate, the totals (the last
/// line is `N passed, M failed`). Adapter- and list-supplied text is shown with its control
/// characters escaped.
fn print_text(entry: &ImplEntry, vectors: &[VectorReport], gate: Option<&GateReport>) {
    say!(
        "{} {} ({}, {} profile)",
        printable(&entry.name),
        printable(&entry.version),
        printable(&entry.language),
        printable(&entry.profile)
    );
    let several_profiles = entry.profile.contains('+');
    for (n, v) in vectors.iter().enumerate() {
        let (Some(class), Some(why)) = (v.verdict.class(), v.verdict.why()) else {
            continue;
        };
        let listed = gate
            .and_then(|g| g.reasons.get(n))
            .and_then(Option::as_deref);
        let tag = match (listed, class) {
            (Some(_), _) => "expected failure",
            (None, FailureClass::Crashed) => "CRASH",
            (None, _) => "FAIL",
        };
        let profile = if several_profiles {
            format!(" [{}]", v.profile)
        } else {
            String::new()
        };
        let reason = listed
            .map(|r| format!(" (listed: {})", printable(r)))
            .unwrap_or_default();
        say!(
            "{tag} {}{profile} ({}): {}{reason}",
            v.id,
            class.label(),
            printable(why)
        );
    }
    if let Some(g) = gate {
        for s in &g.stale_entries {
            say!(
                "listed but passes: {} (line {}: {}): remove it from the list",
                printable(&s.name),
                s.line,
                printable(&s.reason)
            );
        }
        let mut by_rule: Vec<(&str, usize)> = Vec::new();
        for s in &g.skipped_vectors {
            match by_rule.iter_mut().find(|(r, _)| *r == s.by) {
                Some((_, n)) => *n += 1,
                None => by_rule.push((&s.by, 1)),
            }
        }
        for (rule, n) in by_rule {
            say!("skipped {n} by --skip {}", printable(rule));
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
    let classes = entry.classes.summary();
    if !classes.is_empty() {
        say!("by class: {classes}");
    }
    let bases = entry.bases.summary();
    if !bases.is_empty() {
        say!("by basis: {bases}");
    }
    say!(
        "{} unsupported, {} crashed, {} invalid without codes",
        entry.unsupported,
        entry.crashed,
        entry.invalid_without_codes
    );
    if let Some(g) = gate {
        say!(
            "gate: {} expected failures, {} unexpected failures, {} listed but passing, {} skipped",
            g.expected_failures,
            g.unexpected_failures,
            g.stale,
            g.skipped
        );
    }
    say!(
        "{} passed, {} failed",
        entry.passed,
        entry.failed + entry.crashed
    );
}

/// Shell-quotes a path for an adapter command line.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

pub fn matrix(args: &MatrixArgs) -> ExitCode {
    let (out, config, only) = (&args.out, &args.config, &args.only);
    let adapters = match adapter::load_config(config) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    if let Some(unknown) = only
        .iter()
        .find(|id| !adapters.iter().any(|a| &a.id == *id))
    {
        return usage(&format!(
            "--only {}: no such adapter in {}",
            printable(unknown),
            config.display()
        ));
    }
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
    let date = match Stamp::source_date(std::env::var_os("SOURCE_DATE_EPOCH").as_deref()) {
        Ok(d) => d,
        Err(e) => return usage(&e),
    };
    let mut m = Matrix {
        caveatspec: env!("CARGO_PKG_VERSION").into(),
        stamp: Stamp {
            suite_version: vectors::SUITE_VERSION.into(),
            vectors_sha256: crate::bundle::shipped_set_sha256(),
            date,
        },
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
                write_stderr(&format!("skipped {}: {reason}", printable(&a.id)));
                m.skipped.push(Skipped { id: a.id, reason });
                continue;
            }
        }
        let command = a.command.replace("{caveatspec}", &exe);
        let mut progress = Progress::new(&a.id);
        let run = adapter::run_adapter_with_progress(
            &command,
            root.as_deref(),
            &files,
            args.patience.options(),
            &mut |done, total| progress.update(done, total),
        );
        let entry = match run {
            Ok(r) => ImplEntry::from_report(&a.id, &r, &categories),
            Err(e) => ImplEntry::broken(&a.id, e, &per_category),
        };
        write_stderr(&format!(
            "{}: {} passed, {} failed ({} accepts invalid), {} unsupported, {} crashed{}",
            printable(&a.id),
            entry.passed,
            entry.failed,
            entry.classes.accepts_invalid,
            entry.unsupported,
            entry.crashed,
            entry
                .error
                .as_deref()
                .map(|e| format!(" ({})", printable(e)))
                .unwrap_or_default()
        ));
        m.implementations.push(entry);
    }
    if let Err(e) = adapter::write_matrix(&m, out) {
        complain(&format!("{}: {e}", out.display()));
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
