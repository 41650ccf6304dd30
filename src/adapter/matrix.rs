//! The conformance matrix: implementation × category, as JSON (for tools), Markdown (for the
//! repository) and one self-contained HTML page (for people).
//!
//! The output holds no timestamps, durations or paths, so that regenerating it on another
//! machine gives the same bytes and a committed copy can be checked for staleness.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::process::{AdapterReport, Verdict};

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
    /// Number of vectors run through each implementation.
    pub vectors: usize,
    /// The categories, in column order.
    pub categories: Vec<String>,
    /// One row per implementation.
    pub implementations: Vec<ImplEntry>,
    /// Configured adapters that were not run, and why.
    pub skipped: Vec<Skipped>,
}

/// A configured adapter that was not run.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Its id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// One implementation's row.
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
    pub failures: Vec<Failure>,
}

/// A failed or crashed vector.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Vector id.
    pub id: String,
    /// `failed` or `crashed`.
    pub result: String,
    /// What it did instead (secrets redacted).
    pub why: String,
}

impl ImplEntry {
    /// Tallies one adapter's report over `categories`.
    pub fn from_report(id: &str, r: &AdapterReport, categories: &[String]) -> ImplEntry {
        let mut cells: Vec<Cell> = categories
            .iter()
            .map(|c| Cell {
                category: c.clone(),
                ..Cell::default()
            })
            .collect();
        for v in &r.vectors {
            let Some(cell) = cells.iter_mut().find(|c| c.category == v.category) else {
                continue;
            };
            match &v.verdict {
                Verdict::Passed => cell.passed += 1,
                Verdict::Unsupported(_) => cell.unsupported += 1,
                Verdict::Failed(why) => {
                    cell.failed += 1;
                    cell.failures.push(Failure {
                        id: v.id.clone(),
                        result: "failed".into(),
                        why: why.clone(),
                    });
                }
                Verdict::Crashed(why) => {
                    cell.crashed += 1;
                    cell.failures.push(Failure {
                        id: v.id.clone(),
                        result: "crashed".into(),
                        why: why.clone(),
                    });
                }
            }
        }
        let sum = |f: fn(&Cell) -> usize| cells.iter().map(f).sum();
        ImplEntry {
            id: id.into(),
            name: r.hello.name.clone(),
            version: r.hello.version.clone(),
            language: r.hello.language.clone(),
            profile: r.hello.profile.clone(),
            passed: sum(|c| c.passed),
            failed: sum(|c| c.failed),
            unsupported: sum(|c| c.unsupported),
            crashed: sum(|c| c.crashed),
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
         does not implement that category. Generated by `caveatspec matrix`; do not edit.\n",
        m.vectors, m.caveatspec
    );
    let _ = write!(
        s,
        "| implementation | version | language | profile | passed | failed | unsupported | crashed |"
    );
    for c in &m.categories {
        let _ = write!(s, " {c} |");
    }
    let _ = write!(s, "\n|---|---|---|---|--:|--:|--:|--:|");
    for _ in &m.categories {
        let _ = write!(s, "--:|");
    }
    s.push('\n');
    for i in &m.implementations {
        let _ = write!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&i.name),
            md(&i.version),
            md(&i.language),
            i.profile,
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
        let _ = writeln!(s, "\nSkipped `{}`: {}", sk.id, md(&sk.reason));
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
            i.profile,
            i.failed,
            i.crashed
        );
        for c in &i.cells {
            for f in &c.failures {
                let _ = writeln!(
                    s,
                    "- `{}`{}: {}",
                    f.id,
                    if f.result == "crashed" {
                        " (crashed)"
                    } else {
                        ""
                    },
                    md(&f.why)
                );
            }
        }
    }
    s
}

/// Markdown table cells and list items: no pipes, no newlines, no HTML.
fn md(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace(['\n', '\r'], " ")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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
         .legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #9ca3af}\n\
         </style></head><body>\n",
    );
    let _ = writeln!(
        s,
        "<h1>Conformance matrix</h1>\n<p>{} vectors (caveatspec {}) run through each \
         implementation and held to its profile's expectations. A cell shows passed/answered; \
         open it for each failing vector and what the implementation did instead.</p>",
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
    s.push_str("<table>\n<tr><th>implementation</th><th>passed</th><th>failed</th><th>unsupported</th><th>crashed</th>");
    for c in &m.categories {
        let _ = write!(s, "<th>{}</th>", esc(c));
    }
    s.push_str("</tr>\n");
    for i in &m.implementations {
        let _ = write!(
            s,
            "<tr><th>{}<br><small>{} · {} · {} profile</small>{}</th>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
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
            i.crashed
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
                    let _ = write!(
                        s,
                        "<li><code>{}</code>{}: {}</li>",
                        esc(&f.id),
                        if f.result == "crashed" {
                            " <b>crashed</b>"
                        } else {
                            ""
                        },
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
