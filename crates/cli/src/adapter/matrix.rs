//! The conformance matrix: implementation × category, as JSON (for tools), Markdown (for the
//! repository) and one self-contained HTML page (for people).
//!
//! The output holds no timestamps, durations or paths, so that regenerating it on another
//! machine gives the same bytes and a committed copy can be checked for staleness.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::judge::{Answer, FailureClass, VectorReport};
use super::process::AdapterReport;
use super::text::{is_unsafe_char, printable};
use caveatspec_vectors::BasisClass;

/// `adapters/adapters.json`: the configured adapters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// The adapters, in matrix order.
    pub adapters: Vec<AdapterConfig>,
}

/// One configured adapter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdapterConfig {
    /// Short stable id (`--only` takes it).
    pub id: String,
    /// Shell command, run from the repository root; `{caveatspec}` is this executable.
    pub command: String,
    /// Run only when this environment variable is set (an optional adapter); otherwise
    /// skipped with a line saying so.
    #[serde(default)]
    pub requires_env: Option<String>,
}

/// Reads the adapter configuration.
pub fn load_config(path: &Path) -> Result<Vec<AdapterConfig>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let f: ConfigFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(f.adapters)
}

/// The whole matrix (`matrix.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// Version of the runner and vectors.
    pub caveatspec: String,
    /// Which vectors were run, so that two matrices can be told apart.
    pub stamp: Stamp,
    /// Number of vectors run through each implementation.
    pub vectors: usize,
    /// The categories, in column order.
    pub categories: Vec<String>,
    /// One row per implementation.
    pub implementations: Vec<ImplEntry>,
    /// Configured adapters that were not run, and why.
    pub skipped: Vec<Skipped>,
}

/// What a matrix was measured against: the vector suite's version and the hash of its files
/// (a release's `set_sha256`), and a date only when the build gives one (`SOURCE_DATE_EPOCH`),
/// never the clock's, so that regenerating the matrix gives the same bytes.
#[derive(Debug, Clone, Serialize)]
pub struct Stamp {
    /// `caveatspec-vectors` version.
    pub suite_version: String,
    /// SHA-256 of the shipped vector set, as `caveatspec bundle` states it in `set_sha256`.
    pub vectors_sha256: String,
    /// `YYYY-MM-DD` (UTC) of `SOURCE_DATE_EPOCH`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The latest `SOURCE_DATE_EPOCH` with a four-digit year (9999-12-31T23:59:59Z).
const MAX_SOURCE_DATE_EPOCH: u64 = 253_402_300_799;

impl Stamp {
    /// The date of a `SOURCE_DATE_EPOCH` value (Unix seconds, decimal digits only, as the
    /// reproducible-builds specification defines it): `None` when unset or empty, an error
    /// naming the variable when it is anything else than a time up to the year 9999.
    pub fn source_date(value: Option<&std::ffi::OsStr>) -> Result<Option<String>, String> {
        let Some(value) = value.filter(|v| !v.is_empty()) else {
            return Ok(None);
        };
        let refuse = |why: &str| {
            Err(format!(
                "SOURCE_DATE_EPOCH: {why} (give Unix seconds, decimal digits only)"
            ))
        };
        let Some(text) = value.to_str() else {
            return refuse("not UTF-8");
        };
        if text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return refuse(&format!(
                "{:?} is not Unix seconds",
                printable(&text.chars().take(24).collect::<String>())
            ));
        }
        match text.parse::<u64>() {
            // In range of i64; the date-time's first ten characters are the date.
            Ok(secs) if secs <= MAX_SOURCE_DATE_EPOCH => {
                let utc = caveatspec::inspect::utc(i64::try_from(secs).unwrap_or_default());
                Ok(Some(utc.chars().take(10).collect()))
            }
            _ => refuse("after the year 9999"),
        }
    }
}

/// A configured adapter that was not run.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Its id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// Who an implementation is, for its row.
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    /// Configured id.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// Version.
    pub version: &'a str,
    /// Language.
    pub language: &'a str,
    /// The profile (or profiles, joined by `+`) it is held to.
    pub profile: &'a str,
}

/// One implementation's row; also the shape of `caveatspec run --json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImplEntry {
    /// Configured id.
    pub id: String,
    /// Name from its hello.
    pub name: String,
    /// Version from its hello.
    pub version: String,
    /// Language from its hello.
    pub language: String,
    /// Profile it is held to.
    pub profile: String,
    /// Vectors it agreed on.
    pub passed: usize,
    /// Vectors it disagreed on.
    pub failed: usize,
    /// Vectors outside what it implements.
    pub unsupported: usize,
    /// Vectors it crashed, hung or wrote garbage on.
    pub crashed: usize,
    /// Its failed and crashed vectors by class (`accepts_invalid` is the dangerous one).
    /// Matrices written before it was counted lack it (the page counts it from the failures).
    #[serde(default)]
    pub classes: Classes,
    /// Vectors it answered `invalid` with no error code. An implementation that refuses
    /// everything passes every invalid vector on its verdict alone; this number shows it.
    /// Matrices written before it was counted lack it (read as 0; the page does not show it).
    #[serde(default)]
    pub invalid_without_codes: usize,
    /// Its vectors by basis (SPEC §7.2): RFC conformance and policy conformance apart.
    /// Matrices written before it was counted lack it (the page then leaves the row out).
    #[serde(default)]
    pub bases: Bases,
    /// Set when the adapter could not start at all (every vector then counts as crashed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Per category.
    pub cells: Vec<Cell>,
}

/// One implementation × category.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cell {
    /// The category.
    pub category: String,
    /// Counts as in [`ImplEntry`].
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Unsupported.
    pub unsupported: usize,
    /// Crashed.
    pub crashed: usize,
    /// Vectors answered `invalid` with no error code (absent from older matrices: 0).
    #[serde(default)]
    pub invalid_without_codes: usize,
    /// Every vector of the category it answered (`valid` or `invalid`; at least one) was
    /// answered `invalid`: it refuses the category wholesale (absent from older matrices).
    #[serde(default)]
    pub refuses_all: bool,
    /// Every failed or crashed vector.
    pub failures: Vec<FailedVector>,
}

/// A failed or crashed vector.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailedVector {
    /// Vector id.
    pub id: String,
    /// The profile it was held to, when the run covers more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// `failed` or `crashed`.
    pub result: String,
    /// How it failed.
    pub class: FailureClass,
    /// What it did instead (secrets redacted).
    pub why: String,
    /// Why it is a known failure, when an expected-failure list names it (`run --expect-fail`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
}

/// One implementation's vectors of one basis class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasisCount {
    /// Agreed with the expectation.
    pub passed: usize,
    /// Disagreed (a failure here still fails a run, whatever the basis).
    pub failed: usize,
    /// Crashed, hung or garbage.
    pub crashed: usize,
    /// Outside what it implements.
    pub unsupported: usize,
}

impl BasisCount {
    /// Vectors it answered: passed, failed or crashed.
    pub fn answered(&self) -> usize {
        self.passed + self.failed + self.crashed
    }

    /// `passed/answered`, or `—` when it answered none.
    pub fn text(&self) -> String {
        match self.answered() {
            0 => "—".into(),
            n => format!("{}/{n}", self.passed),
        }
    }
}

/// Vectors counted by [`BasisClass`]: what the RFCs require (`rfc`), what PyPI and ATR do
/// (`pypi`, `atr`), this specification's decisions (`policy`), and its decisions where the RFCs
/// leave the outcome open (`open`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bases {
    /// Required by an RFC.
    pub rfc: BasisCount,
    /// PyPI's Warehouse code.
    pub pypi: BasisCount,
    /// PyJWT as ATR calls it.
    pub atr: BasisCount,
    /// This specification's policy.
    pub policy: BasisCount,
    /// This specification's policy where the RFCs leave the outcome open.
    pub open: BasisCount,
}

impl Bases {
    /// The count of one class.
    pub fn get(&self, class: BasisClass) -> &BasisCount {
        match class {
            BasisClass::Rfc => &self.rfc,
            BasisClass::Pypi => &self.pypi,
            BasisClass::Atr => &self.atr,
            BasisClass::Policy => &self.policy,
            BasisClass::Open => &self.open,
        }
    }

    fn slot(&mut self, class: BasisClass) -> &mut BasisCount {
        match class {
            BasisClass::Rfc => &mut self.rfc,
            BasisClass::Pypi => &mut self.pypi,
            BasisClass::Atr => &mut self.atr,
            BasisClass::Policy => &mut self.policy,
            BasisClass::Open => &mut self.open,
        }
    }

    /// Whether any vector was counted (matrices written before bases were counted have none).
    pub fn any(&self) -> bool {
        BasisClass::ALL
            .iter()
            .any(|c| self.get(*c).answered() + self.get(*c).unsupported > 0)
    }

    /// The classes it answered vectors of, as `rfc 190/194, open 98/99`.
    pub fn summary(&self) -> String {
        BasisClass::ALL
            .iter()
            .filter(|c| self.get(**c).answered() > 0)
            .map(|c| format!("{} {}", c.name(), self.get(*c).text()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Failed and crashed vectors counted by [`FailureClass`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classes {
    /// Expected invalid, answered valid.
    pub accepts_invalid: usize,
    /// Expected valid, answered invalid.
    pub refuses_valid: usize,
    /// Judgement right, codes wrong.
    pub wrong_codes: usize,
    /// Judgement and codes right, message wrong.
    pub wrong_message: usize,
    /// Accepted as expected, produced something else.
    pub wrong_value: usize,
    /// Crashed, hung, garbage, or not attempted.
    pub crashed: usize,
}

impl Classes {
    fn count(&mut self, class: FailureClass) {
        *self.slot(class) += 1;
    }

    fn slot(&mut self, class: FailureClass) -> &mut usize {
        match class {
            FailureClass::AcceptsInvalid => &mut self.accepts_invalid,
            FailureClass::RefusesValid => &mut self.refuses_valid,
            FailureClass::WrongCodes => &mut self.wrong_codes,
            FailureClass::WrongMessage => &mut self.wrong_message,
            FailureClass::WrongValue => &mut self.wrong_value,
            FailureClass::Crashed => &mut self.crashed,
        }
    }

    /// The non-zero classes, most dangerous first.
    pub fn nonzero(&self) -> Vec<(FailureClass, usize)> {
        let mut copy = *self;
        FailureClass::ALL
            .iter()
            .map(|c| (*c, *copy.slot(*c)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The non-zero classes in words (`2 accepts invalid, 1 wrong codes`); empty when none.
    pub fn summary(&self) -> String {
        self.nonzero()
            .iter()
            .map(|(c, n)| format!("{n} {}", c.label()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl ImplEntry {
    /// Tallies one adapter's report over `categories`.
    pub fn from_report(id: &str, r: &AdapterReport, categories: &[String]) -> ImplEntry {
        let who = Who {
            id,
            name: &r.hello.name,
            version: &r.hello.version,
            language: &r.hello.language,
            profile: &r.hello.profile,
        };
        ImplEntry::tally(&who, &r.vectors, categories)
    }

    /// Tallies vector verdicts over `categories`. A failure names its profile when the
    /// verdicts span more than one.
    pub fn tally(who: &Who<'_>, vectors: &[VectorReport], categories: &[String]) -> ImplEntry {
        let first = vectors.first().map(|v| v.profile);
        let several_profiles = vectors.iter().any(|v| Some(v.profile) != first);
        let mut cells: Vec<Cell> = categories
            .iter()
            .map(|c| Cell {
                category: c.clone(),
                ..Cell::default()
            })
            .collect();
        let mut classes = Classes::default();
        let mut bases = Bases::default();
        // Per cell: vectors answered, and answered invalid.
        let mut refusals = vec![(0usize, 0usize); cells.len()];
        for v in vectors {
            let Some(at) = cells.iter().position(|c| c.category == v.category) else {
                continue;
            };
            let cell = &mut cells[at];
            if let Some(answer) = v.answer {
                refusals[at].0 += 1;
                refusals[at].1 += usize::from(answer.is_invalid());
                cell.invalid_without_codes += usize::from(answer == Answer::InvalidWithoutCodes);
            }
            let basis = bases.slot(v.basis);
            let Some(class) = v.verdict.class() else {
                match v.verdict {
                    super::judge::Judgement::Passed => {
                        cell.passed += 1;
                        basis.passed += 1;
                    }
                    _ => {
                        cell.unsupported += 1;
                        basis.unsupported += 1;
                    }
                }
                continue;
            };
            classes.count(class);
            let result = if class == FailureClass::Crashed {
                cell.crashed += 1;
                basis.crashed += 1;
                "crashed"
            } else {
                cell.failed += 1;
                basis.failed += 1;
                "failed"
            };
            cell.failures.push(FailedVector {
                id: v.id.clone(),
                profile: several_profiles.then(|| v.profile.to_owned()),
                result: result.into(),
                class,
                why: v.verdict.why().unwrap_or_default().to_owned(),
                expected: None,
            });
        }
        for (cell, (answered, refused)) in cells.iter_mut().zip(refusals) {
            cell.refuses_all = answered > 0 && refused == answered;
        }
        let sum = |f: fn(&Cell) -> usize| cells.iter().map(f).sum();
        ImplEntry {
            id: who.id.into(),
            name: who.name.into(),
            version: who.version.into(),
            language: who.language.into(),
            profile: who.profile.into(),
            passed: sum(|c| c.passed),
            failed: sum(|c| c.failed),
            unsupported: sum(|c| c.unsupported),
            crashed: sum(|c| c.crashed),
            classes,
            invalid_without_codes: sum(|c| c.invalid_without_codes),
            bases,
            error: None,
            cells,
        }
    }

    /// A row for an adapter that never started.
    pub fn broken(id: &str, error: String, per_category: &[(String, usize)]) -> ImplEntry {
        let cells: Vec<Cell> = per_category
            .iter()
            .map(|(c, n)| Cell {
                category: c.clone(),
                crashed: *n,
                ..Cell::default()
            })
            .collect();
        ImplEntry {
            id: id.into(),
            name: id.into(),
            version: "?".into(),
            language: "?".into(),
            profile: "?".into(),
            passed: 0,
            failed: 0,
            unsupported: 0,
            crashed: per_category.iter().map(|(_, n)| n).sum(),
            classes: Classes {
                crashed: per_category.iter().map(|(_, n)| n).sum(),
                ..Classes::default()
            },
            invalid_without_codes: 0,
            bases: Bases::default(),
            error: Some(error),
            cells,
        }
    }
}

/// Writes `matrix.json`, `matrix.md` and `matrix.html` into `dir`. The page also shows the rows
/// of `dir/warehouse/matrix.json` when that file exists (an error when it is no matrix).
pub fn write_matrix(m: &Matrix, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(m).map_err(std::io::Error::other)?;
    let committed = read_committed(dir)?;
    std::fs::write(dir.join("matrix.json"), json + "\n")?;
    std::fs::write(dir.join("matrix.md"), markdown(m))?;
    std::fs::write(dir.join("matrix.html"), html(m, committed.as_ref()))?;
    Ok(())
}

fn cell_text(c: &Cell) -> String {
    let supported = c.passed + c.failed + c.crashed;
    if supported == 0 {
        return "—".into();
    }
    let mut s = format!("{}/{supported}", c.passed);
    if c.crashed > 0 {
        s.push_str(&format!(" ({} crashed)", c.crashed));
    }
    s
}

fn markdown(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Conformance matrix\n");
    let _ = writeln!(
        s,
        "{} vectors (caveatspec {}). A cell is passed/answered; — means the implementation \
         does not implement that category. *accepts invalid* counts the dangerous failures: \
         expected invalid, answered valid. *invalid without codes* counts the vectors answered \
         invalid with no error code (an implementation that refuses everything passes the \
         invalid vectors on its verdict alone); *refuses all* marks a category whose every \
         answered vector was answered invalid. Generated by `caveatspec matrix`; do not edit.\n",
        m.vectors, m.caveatspec
    );
    let _ = write!(
        s,
        "| implementation | version | language | profile | passed | failed | unsupported | crashed | accepts invalid | invalid without codes |"
    );
    for c in &m.categories {
        let _ = write!(s, " {c} |");
    }
    let _ = write!(s, "\n|---|---|---|---|--:|--:|--:|--:|--:|--:|");
    for _ in &m.categories {
        let _ = write!(s, "--:|");
    }
    s.push('\n');
    for i in &m.implementations {
        let dangerous = match i.classes.accepts_invalid {
            0 => "0".to_owned(),
            n => format!("**{n}**"),
        };
        let _ = write!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {dangerous} | {} |",
            md(&i.name),
            md(&i.version),
            md(&i.language),
            md(&i.profile),
            i.passed,
            i.failed,
            i.unsupported,
            i.crashed,
            i.invalid_without_codes
        );
        for c in &i.cells {
            let refuses = if c.refuses_all { " *refuses all*" } else { "" };
            let _ = write!(s, " {}{refuses} |", cell_text(c));
        }
        s.push('\n');
    }
    by_basis_markdown(&mut s, m);
    for sk in &m.skipped {
        let _ = writeln!(s, "\nSkipped `{}`: {}", code(&sk.id), md(&sk.reason));
    }
    for i in &m.implementations {
        if let Some(e) = &i.error {
            let _ = writeln!(s, "\n## {}\n\ndid not start: {}", md(&i.name), md(e));
            continue;
        }
        if i.failed + i.crashed == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            "\n## {} {} ({} profile): {} failed, {} crashed\n",
            md(&i.name),
            md(&i.version),
            md(&i.profile),
            i.failed,
            i.crashed
        );
        let _ = writeln!(s, "By class: {}.\n", i.classes.summary());
        for c in &i.cells {
            for f in &c.failures {
                let class = match f.class {
                    FailureClass::AcceptsInvalid => "**accepts invalid**".to_owned(),
                    other => other.label(),
                };
                let _ = writeln!(s, "- `{}` ({class}): {}", code(&f.id), md(&f.why));
            }
        }
    }
    s
}

/// What the basis columns mean, in one sentence for both pages.
const BASIS_LEGEND: &str = "rfc: an RFC requires the outcome; pypi: PyPI's Warehouse code \
decides it; atr: PyJWT as Apache Trusted Releases calls it decides it; policy: this \
specification decides it; open: this specification decides where the RFCs leave the outcome \
open, so an implementation answering otherwise still follows them (SPEC §7.2). A cell is \
passed/answered; a failure counts against the run whatever its basis.";

/// The "By basis" table: each implementation's vectors by what their expectation follows, so
/// that RFC conformance and policy conformance are read apart. Rows without counts (an
/// adapter that did not start) are left out.
fn by_basis_markdown(s: &mut String, m: &Matrix) {
    let rows: Vec<&ImplEntry> = m.implementations.iter().filter(|i| i.bases.any()).collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n**By basis.** {BASIS_LEGEND}\n");
    let _ = write!(s, "| implementation | profile |");
    for c in BasisClass::ALL {
        let _ = write!(s, " {} |", c.name());
    }
    let _ = writeln!(s, "\n|---|---|--:|--:|--:|--:|--:|");
    for i in rows {
        let _ = write!(s, "| {} | {} |", md(&i.name), md(&i.profile));
        for c in BasisClass::ALL {
            let _ = write!(s, " {} |", i.bases.get(c).text());
        }
        s.push('\n');
    }
}

/// Adapter-supplied text in a Markdown table cell or list item: control characters escaped,
/// line breaks flattened, and every character Markdown gives a meaning to inline (emphasis,
/// code, links and images, HTML and entities, table pipes, strikethrough, math) backslash-
/// escaped, so that what an adapter writes is shown, never rendered.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if is_unsafe_char(c) => out.push_str(&format!("\\\\u{{{:x}}}", u32::from(c))),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '|' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Markdown code span: backticks and pipes cannot appear (ids never hold them;
/// anything else is replaced rather than trusted).
fn code(s: &str) -> String {
    printable(s).replace(['`', '|'], "?")
}

/// Text in HTML: markup characters as entities, control characters as visible escapes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Cell colours, shared by the cells and the legend: (colour, what it means).
const ALL_PASS: (&str, &str) = ("#86efac", "all answered passed");
const QUARTER: (&str, &str) = ("#fde68a", "up to 25% failed");
const HALF: (&str, &str) = ("#fca5a5", "up to 50% failed");
const MOST: (&str, &str) = ("#f87171", "over 50% failed");
const CRASHED: (&str, &str) = ("#fdba74", "crashed on some vector");
const NONE: (&str, &str) = ("#e5e7eb", "not implemented (—)");

/// Background colour of a cell: orange when it crashed on any vector (a crash says less about
/// the implementation than about running it, so it is shown apart), green when all it
/// answered passed, shading by the share failed, grey when it answered nothing.
fn colour(c: &Cell) -> &'static str {
    let answered = c.passed + c.failed + c.crashed;
    let share = if answered == 0 {
        NONE
    } else if c.crashed > 0 {
        CRASHED
    } else if c.failed == 0 {
        ALL_PASS
    } else if c.failed * 4 <= answered {
        QUARTER
    } else if c.failed * 2 <= answered {
        HALF
    } else {
        MOST
    };
    share.0
}

/// The legend: every colour a cell can have, and the mark of the dangerous class.
fn legend() -> String {
    let mut s = String::from("<p class=\"legend\">");
    for (colour, meaning) in [ALL_PASS, QUARTER, HALF, MOST, CRASHED, NONE] {
        let _ = write!(s, "<span style=\"background:{colour}\">{meaning}</span>");
    }
    s.push_str(
        "<span class=\"dangerous\"><b class=\"danger\">⚠ n</b>: n vectors accepted invalid \
         (expected invalid, answered valid: a credential accepted that must be refused)</span></p>\n",
    );
    s
}

/// The most `warehouse/matrix.json` may hold; a committed matrix is far smaller.
const COMMITTED_MAX_BYTES: u64 = 16 << 20;

/// Where a committed matrix of PyPI's own code (Warehouse) lies beside the output folder: it
/// needs a Warehouse checkout to regenerate, so it is committed apart and shown with this run.
const COMMITTED_WAREHOUSE: &str = "warehouse/matrix.json";

/// A matrix committed beside the output, as far as the page shows it.
#[derive(Debug, Deserialize)]
struct CommittedMatrix {
    /// The runner version that wrote it.
    caveatspec: String,
    /// How many vectors it ran.
    vectors: usize,
    /// Its rows.
    implementations: Vec<ImplEntry>,
}

/// Reads `<dir>/warehouse/matrix.json` when it exists: bounded, and an error (naming the file)
/// when it is not a matrix, so that a damaged file is noticed rather than its row dropped.
fn read_committed(dir: &Path) -> std::io::Result<Option<CommittedMatrix>> {
    use std::io::Read as _;
    let path = dir.join(COMMITTED_WAREHOUSE);
    let invalid = |why: String| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{}: {why}", path.display()),
        )
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(invalid(e.to_string())),
    };
    let mut bytes = Vec::new();
    file.take(COMMITTED_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| invalid(e.to_string()))?;
    if bytes.len() as u64 > COMMITTED_MAX_BYTES {
        return Err(invalid(format!(
            "larger than {} MiB",
            COMMITTED_MAX_BYTES >> 20
        )));
    }
    let mut committed: CommittedMatrix =
        serde_json::from_slice(&bytes).map_err(|e| invalid(printable(&e.to_string())))?;
    // Counted again from the failures, which every matrix lists, rather than trusted.
    for i in &mut committed.implementations {
        i.classes = Classes::default();
        for f in i.cells.iter().flat_map(|c| &c.failures) {
            i.classes.count(f.class);
        }
    }
    Ok(Some(committed))
}

/// One row of the page: an implementation of this run, or of a committed matrix.
struct Row<'a> {
    entry: &'a ImplEntry,
    /// Its anchor in the page (`r3`); its failures' anchors start with it.
    anchor: String,
    /// The committed matrix it comes from, if not from this run.
    committed: Option<&'a CommittedMatrix>,
}

impl Row<'_> {
    fn cell(&self, category: &str) -> Option<&Cell> {
        self.entry.cells.iter().find(|c| c.category == category)
    }

    fn answers(&self, category: &str) -> bool {
        self.cell(category)
            .is_some_and(|c| c.passed + c.failed + c.crashed > 0)
    }

    /// The version column: a committed Warehouse row's version is the Warehouse commit its
    /// adapter ran (`adapters/warehouse/adapter.py` says its hello with the commit's first
    /// twelve hex digits); anything else there is no commit.
    fn version(&self) -> String {
        match self.committed {
            None => esc(&self.entry.version),
            Some(_) => {
                let v = &self.entry.version;
                if (7..=40).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
                    format!("Warehouse commit <code>{}</code>", esc(v))
                } else {
                    "Warehouse (commit not recorded)".into()
                }
            }
        }
    }
}

/// A part of an anchor: ASCII letters, digits and `-` kept, every other character as `_`, its
/// hex code point and `_`, so that distinct texts give distinct anchors and an anchor needs no
/// escaping in an attribute or a URL fragment.
fn anchor_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            let _ = write!(out, "_{:x}_", u32::from(c));
        }
    }
    out
}

/// A category's anchor in a row's failure list.
fn category_anchor(row: &str, category: &str) -> String {
    format!("{row}.c.{}", anchor_part(category))
}

/// A table of the page: categories that the same implementations answer, with every row that
/// answers any of them.
struct Family {
    /// Indexes into the matrix's categories, in column order.
    categories: Vec<usize>,
    /// Indexes into the rows, in matrix order.
    rows: Vec<usize>,
}

/// Groups the categories by who answers them: two categories are in one family when an
/// implementation that answers some but not all categories answers both. An implementation
/// that answers everything (the reference, or one that crashed on every vector) joins no two
/// families, but has a row in each; categories only such implementations answer form one
/// family of their own. Also returns the categories nobody answered.
fn families(categories: &[String], rows: &[Row<'_>]) -> (Vec<Family>, Vec<usize>) {
    let answered: Vec<Vec<bool>> = rows
        .iter()
        .map(|r| categories.iter().map(|c| r.answers(c)).collect())
        .collect();
    // Union-find over category indexes; `None` is the family of categories only
    // implementations that answer everything answer.
    let mut parent: Vec<usize> = (0..categories.len()).collect();
    fn root(parent: &[usize], mut i: usize) -> usize {
        while parent[i] != i {
            i = parent[i];
        }
        i
    }
    let mut linked = vec![false; categories.len()];
    for a in &answered {
        if a.iter().all(|x| *x) {
            continue;
        }
        let mine: Vec<usize> = (0..a.len()).filter(|c| a[*c]).collect();
        for c in &mine {
            linked[*c] = true;
            let (x, y) = (root(&parent, mine[0]), root(&parent, *c));
            parent[y.max(x)] = y.min(x);
        }
    }
    let mut keys: Vec<Option<usize>> = Vec::new();
    let mut found: Vec<Family> = Vec::new();
    let mut unanswered = Vec::new();
    for c in 0..categories.len() {
        if !answered.iter().any(|a| a[c]) {
            unanswered.push(c);
            continue;
        }
        let key = linked[c].then(|| root(&parent, c));
        match keys.iter().position(|k| *k == key) {
            Some(f) => found[f].categories.push(c),
            None => {
                keys.push(key);
                found.push(Family {
                    categories: vec![c],
                    rows: Vec::new(),
                });
            }
        }
    }
    for f in &mut found {
        f.rows = (0..rows.len())
            .filter(|r| f.categories.iter().any(|c| answered[*r][*c]))
            .collect();
    }
    (found, unanswered)
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#111}\n\
h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px}\n\
h3{font-size:16px;margin:20px 0 4px}h4{font-size:14px;margin:10px 0 2px}\n\
.stamp{color:#374151}.wide{overflow-x:auto}\n\
table{border-collapse:collapse}\n\
th,td{border:1px solid #9ca3af;padding:3px 5px;vertical-align:top}\n\
thead th{background:#f3f4f6;text-align:left;font-size:13px}\n\
th.impl{background:#f9fafb;text-align:left;min-width:8em;max-width:12em;overflow-wrap:anywhere}th.impl small{font-weight:400;color:#374151}\n\
td.n{text-align:right;white-space:nowrap}td.cell{text-align:center;font-size:13px}td.cell small{font-size:11px}td.cell b{font-size:15px}\n\
.dangerous{outline:3px solid #b91c1c;outline-offset:-3px}.danger{color:#b91c1c;font-weight:700}\n\
ul.fails{font-size:13px;padding-left:18px;margin:2px 0 10px}ul.fails li{margin:2px 0;overflow-wrap:anywhere}\n\
.cls{display:inline-block;padding:0 4px;border-radius:3px;background:#e5e7eb;font-size:12px}\n\
.cls.accepts_invalid{background:#b91c1c;color:#fff;font-weight:700}.cls.crashed{background:#fdba74}\n\
.legend span{display:inline-block;padding:2px 8px;margin:2px 6px 2px 0;border:1px solid #9ca3af}\n\
:target{background:#fef9c3}code{font-size:12px}\n\
@media (min-width:1100px){th.impl{max-width:20em}}\n";

fn html(m: &Matrix, committed: Option<&CommittedMatrix>) -> String {
    let mut rows: Vec<Row<'_>> = m
        .implementations
        .iter()
        .map(|entry| Row {
            entry,
            anchor: String::new(),
            committed: None,
        })
        .collect();
    if let Some(c) = committed {
        rows.extend(c.implementations.iter().map(|entry| Row {
            entry,
            anchor: String::new(),
            committed: Some(c),
        }));
    }
    for (n, r) in rows.iter_mut().enumerate() {
        r.anchor = format!("r{n}");
    }
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>caveatspec conformance matrix</title>\n<style>\n{STYLE}</style></head><body>\n\
         <h1>Conformance matrix</h1>\n"
    );
    let _ = writeln!(
        s,
        "<p class=\"stamp\">caveatspec-vectors {} · {} vectors · set SHA-256 <code>{}</code>{} · \
         run by caveatspec {}</p>",
        esc(&m.stamp.suite_version),
        m.vectors,
        esc(&m.stamp.vectors_sha256),
        m.stamp
            .date
            .as_ref()
            .map(|d| format!(" · {}", esc(d)))
            .unwrap_or_default(),
        esc(&m.caveatspec)
    );
    s.push_str(
        "<p>Each vector is run through each implementation and held to its profile's \
         expectations. One table per family of categories that the same implementations \
         answer; a cell shows passed/answered, and links to its failing vectors, listed under \
         the tables. <b class=\"danger\">⚠ accepts invalid</b> counts the dangerous failures: \
         expected invalid, answered valid.</p>\n",
    );
    s.push_str(&legend());
    let (found, unanswered) = families(&m.categories, &rows);
    for f in &found {
        table(&mut s, m, &rows, f);
    }
    by_basis_html(&mut s, &rows);
    if !unanswered.is_empty() {
        let names: Vec<String> = unanswered.iter().map(|c| esc(&m.categories[*c])).collect();
        let _ = writeln!(
            s,
            "<p>No implementation answered: {}.</p>",
            names.join(", ")
        );
    }
    for sk in &m.skipped {
        let shown = rows
            .iter()
            .any(|r| r.committed.is_some() && r.entry.id == sk.id);
        let _ = writeln!(
            s,
            "<p>Skipped <code>{}</code>: {}{}</p>",
            esc(&sk.id),
            esc(&sk.reason),
            if shown {
                "; its row is the committed one, from <code>warehouse/matrix.json</code>"
            } else {
                ""
            }
        );
    }
    failure_lists(&mut s, &rows);
    s.push_str("</body></html>\n");
    s
}

/// The "By basis" table of the page (see [`by_basis_markdown`]).
fn by_basis_html(s: &mut String, rows: &[Row<'_>]) {
    let shown: Vec<&Row<'_>> = rows.iter().filter(|r| r.entry.bases.any()).collect();
    if shown.is_empty() {
        return;
    }
    let _ = write!(
        s,
        "<h2 id=\"by-basis\">By basis</h2>\n<p>{}</p>\n<div class=\"wide\"><table>\n<thead><tr>\
         <th>implementation</th>",
        esc(BASIS_LEGEND)
    );
    for c in BasisClass::ALL {
        let _ = write!(s, "<th>{}</th>", c.name());
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in shown {
        let e = r.entry;
        let _ = write!(
            s,
            "<tr><th class=\"impl\" scope=\"row\">{} <small>{} profile</small></th>",
            esc(&e.name),
            esc(&e.profile)
        );
        for c in BasisClass::ALL {
            let n = e.bases.get(c);
            let shade = Cell {
                passed: n.passed,
                failed: n.failed,
                crashed: n.crashed,
                ..Cell::default()
            };
            let _ = write!(
                s,
                "<td class=\"cell\" style=\"background:{}\"><b>{}</b></td>",
                colour(&shade),
                esc(&n.text())
            );
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

/// One family's table.
fn table(s: &mut String, m: &Matrix, rows: &[Row<'_>], f: &Family) {
    let names: Vec<String> = f
        .categories
        .iter()
        .map(|c| esc(&m.categories[*c]))
        .collect();
    let _ = write!(
        s,
        "<h2>{}</h2>\n<div class=\"wide\"><table>\n<thead><tr><th>implementation</th>",
        names.join(", ")
    );
    for name in &names {
        // Long category names may break after a hyphen, so that narrow columns stay narrow.
        let _ = write!(s, "<th>{}</th>", name.replace('-', "-<wbr>"));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in f.rows.iter().map(|i| &rows[*i]) {
        let cells: Vec<Option<&Cell>> = f
            .categories
            .iter()
            .map(|c| r.cell(&m.categories[*c]))
            .collect();
        let passed: usize = cells.iter().flatten().map(|c| c.passed).sum();
        let answered: usize = cells
            .iter()
            .flatten()
            .map(|c| c.passed + c.failed + c.crashed)
            .sum();
        let dangerous: usize = cells.iter().flatten().map(|c| accepts_invalid(c)).sum();
        let e = r.entry;
        let name = if e.failed + e.crashed > 0 || e.error.is_some() {
            format!("<a href=\"#{}\">{}</a>", r.anchor, esc(&e.name))
        } else {
            esc(&e.name)
        };
        let from = r
            .committed
            .map(|c| {
                format!(
                    "<br>from <code>{COMMITTED_WAREHOUSE}</code> (caveatspec {}, {} vectors)",
                    esc(&c.caveatspec),
                    c.vectors
                )
            })
            .unwrap_or_default();
        let error = e
            .error
            .as_ref()
            .map(|x| {
                format!(
                    "<br><span class=\"danger\">did not start: {}</span>",
                    esc(x)
                )
            })
            .unwrap_or_default();
        let (marked, dangerous) = match dangerous {
            0 => ("", String::new()),
            n => (
                " dangerous",
                format!("<br><b class=\"danger\">⚠ {n} accepts invalid</b>"),
            ),
        };
        let _ = write!(
            s,
            "<tr><th class=\"impl{marked}\" scope=\"row\">{name} <small>{}<br>{} · {} profile<br>\
             {passed} of {answered} passed{from}{error}</small>{dangerous}</th>",
            r.version(),
            esc(&e.language),
            esc(&e.profile),
        );
        for (cell, c) in cells.iter().zip(&f.categories) {
            cell_html(s, *cell, &category_anchor(&r.anchor, &m.categories[*c]));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

/// The failures of a cell in the dangerous class.
fn accepts_invalid(c: &Cell) -> usize {
    c.failures
        .iter()
        .filter(|f| f.class == FailureClass::AcceptsInvalid)
        .count()
}

/// One cell: passed/answered, and links to its failing vectors under the tables.
fn cell_html(s: &mut String, cell: Option<&Cell>, anchor: &str) {
    let Some(c) = cell.filter(|c| c.passed + c.failed + c.crashed > 0) else {
        let _ = write!(
            s,
            "<td class=\"cell\" style=\"background:{}\">—</td>",
            NONE.0
        );
        return;
    };
    let dangerous = accepts_invalid(c);
    let _ = write!(
        s,
        "<td class=\"cell{}\" style=\"background:{}\"><b>{}/{}</b>",
        if dangerous > 0 { " dangerous" } else { "" },
        colour(c),
        c.passed,
        c.passed + c.failed + c.crashed
    );
    if c.unsupported > 0 {
        let _ = write!(s, "<br><small>{} unsupported</small>", c.unsupported);
    }
    if !c.failures.is_empty() {
        let _ = write!(
            s,
            "<br><a href=\"#{anchor}\">{} failing</a>",
            c.failures.len()
        );
    }
    if c.crashed > 0 {
        let _ = write!(s, "<br>{} crashed", c.crashed);
    }
    if dangerous > 0 {
        let _ = write!(
            s,
            "<br><a class=\"danger\" href=\"#{anchor}\" title=\"{dangerous} accepts invalid\">⚠ {dangerous}</a>"
        );
    }
    s.push_str("</td>");
}

/// Under the tables: each row's failing vectors by category, each with its own anchor.
fn failure_lists(s: &mut String, rows: &[Row<'_>]) {
    if !rows
        .iter()
        .any(|r| r.entry.failed + r.entry.crashed > 0 || r.entry.error.is_some())
    {
        return;
    }
    s.push_str("<h2>Failing vectors</h2>\n");
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for r in rows {
        let e = r.entry;
        if e.failed + e.crashed == 0 && e.error.is_none() {
            continue;
        }
        let _ = writeln!(
            s,
            "<h3 id=\"{}\">{} {}</h3>\n<p>{} · {} profile: {} failed, {} crashed{}.</p>",
            r.anchor,
            esc(&e.name),
            r.version(),
            esc(&e.language),
            esc(&e.profile),
            e.failed,
            e.crashed,
            match e.classes.summary() {
                x if x.is_empty() => String::new(),
                x => format!(" (by class: {})", esc(&x)),
            }
        );
        if let Some(x) = &e.error {
            let _ = writeln!(s, "<p class=\"danger\">did not start: {}</p>", esc(x));
        }
        for c in e.cells.iter().filter(|c| !c.failures.is_empty()) {
            let _ = writeln!(
                s,
                "<h4 id=\"{}\">{}: {} failing</h4>\n<ul class=\"fails\">",
                category_anchor(&r.anchor, &c.category),
                esc(&c.category),
                c.failures.len()
            );
            for f in &c.failures {
                let mut anchor = format!("{}.v.{}", r.anchor, anchor_part(&f.id));
                if let Some(p) = &f.profile {
                    let _ = write!(anchor, ".{}", anchor_part(p));
                }
                // The same vector failing twice under one profile keeps distinct anchors.
                let base = anchor.clone();
                let mut n = 1;
                while !used.insert(anchor.clone()) {
                    n += 1;
                    anchor = format!("{base}.{n}");
                }
                let class = match f.class {
                    FailureClass::AcceptsInvalid => "⚠ accepts invalid".to_owned(),
                    other => other.label(),
                };
                let _ = writeln!(
                    s,
                    "<li id=\"{anchor}\"><a href=\"#{anchor}\"><code>{}</code></a>{} \
                     <span class=\"cls {}\">{}</span> {}</li>",
                    esc(&f.id),
                    f.profile
                        .as_ref()
                        .map(|p| format!(" ({} profile)", esc(p)))
                        .unwrap_or_default(),
                    f.class.name(),
                    esc(&class),
                    esc(&f.why)
                );
            }
            s.push_str("</ul>\n");
        }
    }
}
