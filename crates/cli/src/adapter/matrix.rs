//! The conformance matrix: implementation × category, as JSON (for tools), Markdown (for the
//! repository) and one self-contained HTML page (for people).
//!
//! The output holds no timestamps, durations or paths, so that regenerating it on another
//! machine gives the same bytes and a committed copy can be checked for staleness.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::judge::{FailureClass, VectorReport};
use super::process::AdapterReport;
use super::text::{is_unsafe_char, printable};

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
#[derive(Debug, Clone, Serialize)]
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
    pub classes: Classes,
    /// Set when the adapter could not start at all (every vector then counts as crashed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Per category.
    pub cells: Vec<Cell>,
}

/// One implementation × category.
#[derive(Debug, Clone, Default, Serialize)]
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
    /// Every failed or crashed vector.
    pub failures: Vec<FailedVector>,
}

/// A failed or crashed vector.
#[derive(Debug, Clone, Serialize)]
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
}

/// Failed and crashed vectors counted by [`FailureClass`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
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
        for v in vectors {
            let Some(cell) = cells.iter_mut().find(|c| c.category == v.category) else {
                continue;
            };
            let Some(class) = v.verdict.class() else {
                match v.verdict {
                    super::judge::Judgement::Passed => cell.passed += 1,
                    _ => cell.unsupported += 1,
                }
                continue;
            };
            classes.count(class);
            let result = if class == FailureClass::Crashed {
                cell.crashed += 1;
                "crashed"
            } else {
                cell.failed += 1;
                "failed"
            };
            cell.failures.push(FailedVector {
                id: v.id.clone(),
                profile: several_profiles.then(|| v.profile.to_owned()),
                result: result.into(),
                class,
                why: v.verdict.why().unwrap_or_default().to_owned(),
            });
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
            error: Some(error),
            cells,
        }
    }
}

/// Writes `matrix.json`, `matrix.md` and `matrix.html` into `dir`.
pub fn write_matrix(m: &Matrix, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(m).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("matrix.json"), json + "\n")?;
    std::fs::write(dir.join("matrix.md"), markdown(m))?;
    std::fs::write(dir.join("matrix.html"), html(m))?;
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
         expected invalid, answered valid. Generated by `caveatspec matrix`; do not edit.\n",
        m.vectors, m.caveatspec
    );
    let _ = write!(
        s,
        "| implementation | version | language | profile | passed | failed | unsupported | crashed | accepts invalid |"
    );
    for c in &m.categories {
        let _ = write!(s, " {c} |");
    }
    let _ = write!(s, "\n|---|---|---|---|--:|--:|--:|--:|--:|");
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
            "| {} | {} | {} | {} | {} | {} | {} | {} | {dangerous} |",
            md(&i.name),
            md(&i.version),
            md(&i.language),
            md(&i.profile),
            i.passed,
            i.failed,
            i.unsupported,
            i.crashed
        );
        for c in &i.cells {
            let _ = write!(s, " {} |", cell_text(c));
        }
        s.push('\n');
    }
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

/// Background colour of a cell: green when all it answered passed, red shading by the share
/// failed, orange when it crashed, grey when it answered nothing.
fn colour(c: &Cell) -> &'static str {
    let answered = c.passed + c.failed + c.crashed;
    if answered == 0 {
        "#e5e7eb"
    } else if c.crashed > 0 && c.failed == 0 {
        "#fdba74"
    } else if c.failed + c.crashed == 0 {
        "#86efac"
    } else if (c.failed + c.crashed) * 4 <= answered {
        "#fde68a"
    } else if (c.failed + c.crashed) * 2 <= answered {
        "#fca5a5"
    } else {
        "#f87171"
    }
}

fn html(m: &Matrix) -> String {
    let mut s = String::new();
    s.push_str(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>caveatspec conformance matrix</title>\n<style>\n\
         body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111}\n\
         table{border-collapse:collapse}th,td{border:1px solid #9ca3af;padding:6px 8px;vertical-align:top}\n\
         th{background:#f3f4f6;text-align:left}td.n{text-align:right}\n\
         td.cell{min-width:120px}.big{font-size:16px;font-weight:600}\n\
         details{margin-top:4px}summary{cursor:pointer;font-size:12px}\n\
         ul{margin:4px 0 0 0;padding-left:16px;font-size:12px;max-width:520px}code{font-size:12px}\n\
         .danger{color:#b91c1c;font-weight:700}td.danger{background:#fee2e2}\n\
         .legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #9ca3af}\n\
         </style></head><body>\n",
    );
    let _ = writeln!(
        s,
        "<h1>Conformance matrix</h1>\n<p>{} vectors (caveatspec {}) run through each \
         implementation and held to its profile's expectations. A cell shows passed/answered; \
         open it for each failing vector, its class and what the implementation did instead. \
         <span class=\"danger\">accepts invalid</span> counts the dangerous failures: expected \
         invalid, answered valid.</p>",
        m.vectors,
        esc(&m.caveatspec)
    );
    s.push_str(
        "<p class=\"legend\"><span style=\"background:#86efac\">all pass</span>\
         <span style=\"background:#fde68a\">&le;25% fail</span>\
         <span style=\"background:#fca5a5\">&le;50% fail</span>\
         <span style=\"background:#f87171\">&gt;50% fail</span>\
         <span style=\"background:#fdba74\">crashed</span>\
         <span style=\"background:#e5e7eb\">not implemented</span></p>\n",
    );
    s.push_str("<table>\n<tr><th>implementation</th><th>passed</th><th>failed</th><th>unsupported</th><th>crashed</th><th>accepts invalid</th>");
    for c in &m.categories {
        let _ = write!(s, "<th>{}</th>", esc(c));
    }
    s.push_str("</tr>\n");
    for i in &m.implementations {
        let _ = write!(
            s,
            "<tr><th>{}<br><small>{} · {} · {} profile</small>{}</th>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{}",
            esc(&i.name),
            esc(&i.version),
            esc(&i.language),
            esc(&i.profile),
            i.error
                .as_ref()
                .map(|e| format!("<br><small>did not start: {}</small>", esc(e)))
                .unwrap_or_default(),
            i.passed,
            i.failed,
            i.unsupported,
            i.crashed,
            match i.classes.accepts_invalid {
                0 => "<td class=\"n\">0</td>".to_owned(),
                n => format!("<td class=\"n danger\">{n}</td>"),
            }
        );
        for c in &i.cells {
            let _ = write!(
                s,
                "<td class=\"cell\" style=\"background:{}\"><span class=\"big\">{}</span>",
                colour(c),
                esc(&cell_text(c))
            );
            if !c.failures.is_empty() {
                let _ = write!(
                    s,
                    "<details><summary>{} failing</summary><ul>",
                    c.failures.len()
                );
                for f in &c.failures {
                    let class = match f.class {
                        FailureClass::AcceptsInvalid => {
                            "<b class=\"danger\">accepts invalid</b>".to_owned()
                        }
                        FailureClass::Crashed => "<b>crashed</b>".to_owned(),
                        other => other.label(),
                    };
                    let _ = write!(
                        s,
                        "<li><code>{}</code> ({class}): {}</li>",
                        esc(&f.id),
                        esc(&f.why)
                    );
                }
                s.push_str("</ul></details>");
            }
            s.push_str("</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>\n");
    for sk in &m.skipped {
        let _ = writeln!(
            s,
            "<p>Skipped <code>{}</code>: {}</p>",
            esc(&sk.id),
            esc(&sk.reason)
        );
    }
    s.push_str("</body></html>\n");
    s
}
