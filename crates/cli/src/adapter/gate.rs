//! Gating an implementation's CI on the vectors: what it is known to fail (an
//! [`ExpectedFailures`] list, each entry with its reason) does not fail the run, a listed vector
//! that now passes does (so the list never goes stale), and what it does not attempt is skipped
//! by id, id pattern or flag, without being sent.

use serde::Serialize;

use caveatspec_vectors::{ExpectedFailures, Profile, Vector, VectorFile};

use super::judge::{Judgement, VectorReport};
use super::matrix::ImplEntry;
use super::text::{is_unsafe_char, printable};

/// No `--skip` value is longer than this (an id is far shorter).
const MAX_SKIP: usize = 1000;

/// Which vectors one `--skip` value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipRule {
    /// `ID`: the vector with this id.
    Id(String),
    /// `PREFIX*`: every vector whose id starts with the prefix.
    Prefix(String),
    /// `flag:NAME`: every vector carrying the flag.
    Flag(String),
}

impl SkipRule {
    /// Reads one `--skip` value: `flag:NAME`, `PREFIX*` or a whole id.
    pub fn parse(value: &str) -> Result<SkipRule, String> {
        if value.trim().is_empty() {
            return Err("--skip needs an id, an id pattern ending in `*`, or flag:NAME".into());
        }
        if value.len() > MAX_SKIP {
            return Err(format!("--skip: a value longer than {MAX_SKIP} bytes"));
        }
        if value.chars().any(is_unsafe_char) || value.trim() != value {
            return Err(format!(
                "--skip {}: control characters or surrounding spaces",
                printable(value)
            ));
        }
        Ok(if let Some(flag) = value.strip_prefix("flag:") {
            SkipRule::Flag(flag.to_owned())
        } else if let Some(prefix) = value.strip_suffix('*') {
            SkipRule::Prefix(prefix.to_owned())
        } else {
            SkipRule::Id(value.to_owned())
        })
    }

    /// Whether it names `v`.
    pub fn matches(&self, v: &Vector) -> bool {
        match self {
            SkipRule::Id(id) => v.id == *id,
            SkipRule::Prefix(prefix) => v.id.starts_with(prefix.as_str()),
            SkipRule::Flag(flag) => v.flags.contains(flag),
        }
    }

    /// The value it was read from.
    pub fn text(&self) -> String {
        match self {
            SkipRule::Id(id) => id.clone(),
            SkipRule::Prefix(prefix) => format!("{prefix}*"),
            SkipRule::Flag(flag) => format!("flag:{flag}"),
        }
    }
}

/// The `--skip` values of a run, each naming at least one vector.
#[derive(Debug, Clone, Default)]
pub struct Skips {
    rules: Vec<SkipRule>,
}

/// A vector not run, and the `--skip` value that named it.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedVector {
    /// Vector id.
    pub id: String,
    /// The `--skip` value.
    pub by: String,
}

impl Skips {
    /// Reads the `--skip` values. A value given twice, or one that names no vector of
    /// `files`, is refused: a typo would otherwise skip nothing without a word.
    pub fn parse(values: &[String], files: &[VectorFile]) -> Result<Skips, String> {
        let mut rules: Vec<SkipRule> = Vec::with_capacity(values.len());
        for value in values {
            let rule = SkipRule::parse(value)?;
            if rules.contains(&rule) {
                return Err(format!("--skip {} is given twice", printable(value)));
            }
            if !files
                .iter()
                .flat_map(|f| &f.vectors)
                .any(|v| rule.matches(v))
            {
                return Err(format!("--skip {}: no vector matches", printable(value)));
            }
            rules.push(rule);
        }
        Ok(Skips { rules })
    }

    /// `files` without the skipped vectors, and the skipped vectors.
    pub fn apply(&self, files: &[VectorFile]) -> (Vec<VectorFile>, Vec<SkippedVector>) {
        let mut skipped = Vec::new();
        let kept = files
            .iter()
            .map(|f| {
                let mut file = f.clone();
                file.vectors
                    .retain(|v| match self.rules.iter().find(|r| r.matches(v)) {
                        Some(rule) => {
                            skipped.push(SkippedVector {
                                id: v.id.clone(),
                                by: rule.text(),
                            });
                            false
                        }
                        None => true,
                    });
                file.number_of_vectors = file.vectors.len();
                file
            })
            .collect();
        (kept, skipped)
    }
}

/// A list entry whose vector passed.
#[derive(Debug, Clone, Serialize)]
pub struct StaleEntry {
    /// Its line in the list.
    pub line: usize,
    /// The id or test name listed.
    pub name: String,
    /// The reason it gave.
    pub reason: String,
}

/// What a run means for a CI gate (`gate` in `run --json`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GateReport {
    /// Failed or crashed vectors the list names.
    pub expected_failures: usize,
    /// Failed or crashed vectors the list does not name: each fails the run.
    pub unexpected_failures: usize,
    /// List entries whose vector passed: each fails the run until it is removed.
    pub stale: usize,
    /// Vectors not run because a `--skip` named them.
    pub skipped: usize,
    /// The stale entries.
    pub stale_entries: Vec<StaleEntry>,
    /// The skipped vectors.
    pub skipped_vectors: Vec<SkippedVector>,
    /// Per vector of the run, in its order: the list's reason when it names the vector.
    #[serde(skip)]
    pub reasons: Vec<Option<String>>,
}

impl GateReport {
    /// Holds `vectors` (and `entry`, their tally) to `list`: each failure the list names gets
    /// its reason in `entry` (`expected` of its failed vector) and counts as expected.
    pub fn judge(
        list: &ExpectedFailures,
        vectors: &[VectorReport],
        entry: &mut ImplEntry,
        skipped: Vec<SkippedVector>,
    ) -> GateReport {
        let mut gate = GateReport {
            skipped: skipped.len(),
            skipped_vectors: skipped,
            ..GateReport::default()
        };
        for v in vectors {
            let listed = v
                .profile
                .parse::<Profile>()
                .ok()
                .and_then(|p| list.entry_for(&v.id, v.kind, p));
            let failed = v.verdict.class().is_some();
            match (listed, failed) {
                (Some(e), true) => {
                    gate.expected_failures += 1;
                    mark_expected(entry, v, &e.reason);
                }
                (None, true) => gate.unexpected_failures += 1,
                // An id listed for every profile, passing in several, is one stale entry.
                (Some(e), false)
                    if v.verdict == Judgement::Passed
                        && !gate.stale_entries.iter().any(|s| s.line == e.line) =>
                {
                    gate.stale_entries.push(StaleEntry {
                        line: e.line,
                        name: e.name.clone(),
                        reason: e.reason.clone(),
                    });
                }
                _ => {}
            }
            gate.reasons
                .push(listed.filter(|_| failed).map(|e| e.reason.clone()));
        }
        gate.stale_entries.sort_by_key(|s| s.line);
        gate.stale = gate.stale_entries.len();
        gate
    }

    /// Whether the run passes the gate: no unexpected failure and no stale entry.
    pub fn passes(&self) -> bool {
        self.unexpected_failures == 0 && self.stale == 0
    }
}

/// Sets the list's reason on `v`'s failed vector in `entry`.
fn mark_expected(entry: &mut ImplEntry, v: &VectorReport, reason: &str) {
    let failure = entry
        .cells
        .iter_mut()
        .filter(|c| c.category == v.category)
        .flat_map(|c| c.failures.iter_mut())
        .find(|f| f.id == v.id && f.profile.as_deref().is_none_or(|p| p == v.profile));
    if let Some(f) = failure {
        f.expected = Some(reason.to_owned());
    }
}
