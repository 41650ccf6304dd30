//! Running the whole suite on an implementation, from `cargo test`.
//!
//! A [`Suite`] is the shipped vectors (or any files) with what this implementation is known
//! not to do: expected failures by id, each with its reason, and skips by id or by flag. It
//! runs every vector under every profile and either reports all results at once
//! ([`Suite::run`], [`Suite::assert_passes`]) or, with the `harness` feature, becomes one
//! named libtest test per vector and profile ([`Suite::trials`], [`tests!`](crate::tests)):
//!
//! ```ignore
//! // tests/vectors.rs, with `harness = false` for this test in Cargo.toml
//! caveatspec::tests!(MyImplementation::default());
//! ```
//!
//! An expected failure that starts passing fails its test, so the list never goes stale: the
//! vector is then removed from the list. The environment variable `CAVEATSPEC_VECTORS` narrows
//! the run to the ids matching any of its comma-separated patterns (`prefix/*`, or a whole
//! id), for every way of running.

use std::collections::BTreeMap;
use std::fmt;

use super::runner::{check, CheckResult, Implementation};
use super::{shipped, Kind, LoadError, Vector, VectorFile};
use crate::profile::Profile;

/// The environment variable that narrows a run to some ids.
pub const FILTER_VARIABLE: &str = "CAVEATSPEC_VECTORS";

/// The vectors to run, and what an implementation is known not to do.
#[derive(Debug, Clone)]
pub struct Suite {
    files: Vec<VectorFile>,
    expected_failures: BTreeMap<String, String>,
    skipped_ids: BTreeMap<String, String>,
    skipped_flags: BTreeMap<String, String>,
    filter: Option<Vec<String>>,
}

/// What became of one vector under one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Agreed with the expectation.
    Passed,
    /// Disagreed; how.
    Failed(String),
    /// Listed as an expected failure, and failed: the reason given, then how it failed.
    ExpectedFailure {
        /// Why the implementation is known to fail it.
        reason: String,
        /// How it failed this time.
        how: String,
    },
    /// Listed as an expected failure, but passed: the list is stale.
    UnexpectedPass(String),
    /// Not run: skipped by id or flag, not implemented, or no expectation for the profile.
    Skipped(String),
}

impl Status {
    /// Whether this result should fail a test run.
    pub fn is_failure(&self) -> bool {
        matches!(self, Status::Failed(_) | Status::UnexpectedPass(_))
    }
}

/// One vector under one profile: its test name and its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// `<id> [<profile>]` for the kinds with one expectation per profile, else the id.
    pub name: String,
    /// The vector id.
    pub id: String,
    /// The vector's category (its file).
    pub category: String,
    /// What happened.
    pub status: Status,
}

/// Every case of a run, in file order.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One per vector and profile.
    pub cases: Vec<Case>,
}

impl Report {
    /// The cases that fail the run.
    pub fn failures(&self) -> impl Iterator<Item = &Case> {
        self.cases.iter().filter(|o| o.status.is_failure())
    }

    /// How many cases have a status `f` accepts.
    pub fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.cases.iter().filter(|o| f(&o.status)).count()
    }
}

impl fmt::Display for Report {
    /// One line per failure, then `N passed, N failed, N expected failures, N skipped`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in self.failures() {
            match &o.status {
                Status::Failed(why) => writeln!(f, "FAIL {}: {why}", o.name)?,
                Status::UnexpectedPass(reason) => writeln!(
                    f,
                    "PASS {} is listed as an expected failure ({reason}): remove it from the list",
                    o.name
                )?,
                _ => {}
            }
        }
        write!(
            f,
            "{} passed, {} failed, {} expected failures, {} skipped",
            self.count(|s| *s == Status::Passed),
            self.count(Status::is_failure),
            self.count(|s| matches!(s, Status::ExpectedFailure { .. })),
            self.count(|s| matches!(s, Status::Skipped(_))),
        )
    }
}

impl Suite {
    /// Every shipped vector, nothing expected to fail, filtered by [`FILTER_VARIABLE`] if set.
    pub fn shipped() -> Result<Suite, LoadError> {
        Ok(Suite::new(shipped()?))
    }

    /// The vectors of `files`, filtered by [`FILTER_VARIABLE`] if set.
    pub fn new(files: Vec<VectorFile>) -> Suite {
        let filter = std::env::var(FILTER_VARIABLE)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(|v| patterns(&v));
        Suite {
            files,
            expected_failures: BTreeMap::new(),
            skipped_ids: BTreeMap::new(),
            skipped_flags: BTreeMap::new(),
            filter,
        }
    }

    /// Only the ids matching one of `patterns` (`prefix/*` or a whole id), whatever the
    /// environment says.
    pub fn only(mut self, patterns: &[&str]) -> Suite {
        self.filter = Some(patterns.iter().map(|p| (*p).to_owned()).collect());
        self
    }

    /// `id` is known to fail, for `reason`: a vector id (every profile), or a test name,
    /// `<id> [<profile>]`, for one profile only.
    pub fn expect_failure(mut self, id: &str, reason: &str) -> Suite {
        self.expected_failures
            .insert(id.to_owned(), reason.to_owned());
        self
    }

    /// Expected failures from a list's text, in the format [`ExpectedFailures::parse`] reads;
    /// an entry that names no vector of the suite is refused, as is one already expected.
    pub fn expect_failures_from(mut self, list: &str) -> Result<Suite, ListError> {
        let list = ExpectedFailures::parse(list)?;
        list.check_names(&self.files)?;
        for e in list.entries() {
            if self
                .expected_failures
                .insert(e.name.clone(), e.reason.clone())
                .is_some()
            {
                return Err(ListError {
                    line: e.line,
                    problem: ListProblem::Repeated(e.name.clone()),
                });
            }
        }
        Ok(self)
    }

    /// `id` is not run, for `reason`.
    pub fn skip_id(mut self, id: &str, reason: &str) -> Suite {
        self.skipped_ids.insert(id.to_owned(), reason.to_owned());
        self
    }

    /// No vector carrying `flag` is run, for `reason`.
    pub fn skip_flag(mut self, flag: &str, reason: &str) -> Suite {
        self.skipped_flags
            .insert(flag.to_owned(), reason.to_owned());
        self
    }

    fn selected(&self, id: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|ps| ps.iter().any(|p| matches_pattern(p, id)))
    }

    /// Every (file, vector, profile) the suite runs, with its test name, in file order.
    fn cases(&self) -> impl Iterator<Item = (&VectorFile, &Vector, Profile, String)> {
        self.files.iter().flat_map(move |file| {
            file.vectors
                .iter()
                .filter(move |v| self.selected(&v.id))
                .flat_map(move |v| {
                    let profiles: &[Profile] = if v.kind.per_profile() {
                        &Profile::ALL
                    } else {
                        &Profile::ALL[..1]
                    };
                    profiles
                        .iter()
                        .map(move |&p| (file, v, p, test_name(&v.id, v.kind, p)))
                })
        })
    }

    /// Why `v` is not run at all, if it is not.
    fn skip_reason(&self, v: &Vector) -> Option<String> {
        if let Some(r) = self.skipped_ids.get(&v.id) {
            return Some(format!("skipped by id: {r}"));
        }
        v.flags.iter().find_map(|flag| {
            self.skipped_flags
                .get(flag)
                .map(|r| format!("skipped by flag {flag}: {r}"))
        })
    }

    /// One vector under one profile, judged against the lists.
    fn judge(&self, imp: &dyn Implementation, v: &Vector, profile: Profile) -> Status {
        if let Some(why) = self.skip_reason(v) {
            return Status::Skipped(why);
        }
        let result = check(imp, v, profile);
        let listed = self
            .expected_failures
            .get(&test_name(&v.id, v.kind, profile))
            .or_else(|| self.expected_failures.get(&v.id));
        match (result, listed) {
            (CheckResult::Skip(why), _) => Status::Skipped(why),
            (CheckResult::Pass, None) => Status::Passed,
            (CheckResult::Pass, Some(reason)) => Status::UnexpectedPass(reason.clone()),
            (CheckResult::Fail(why), None) => Status::Failed(why),
            (CheckResult::Fail(how), Some(reason)) => Status::ExpectedFailure {
                reason: reason.clone(),
                how,
            },
        }
    }

    /// Runs every selected vector under every profile.
    pub fn run(&self, imp: &dyn Implementation) -> Report {
        Report {
            cases: self
                .cases()
                .map(|(file, v, p, name)| Case {
                    name,
                    id: v.id.clone(),
                    category: file.category.clone(),
                    status: self.judge(imp, v, p),
                })
                .collect(),
        }
    }

    /// Runs the suite and panics with every failure at once if any vector failed or an
    /// expected failure passed.
    #[track_caller]
    pub fn assert_passes(&self, imp: &dyn Implementation) {
        let report = self.run(imp);
        if report.failures().next().is_some() {
            panic!("{} does not pass the vectors:\n{report}", imp.name());
        }
    }
}

/// The test name of `v` under `profile`: `<id> [<profile>]` for the kinds with one expectation
/// per profile, else the id. An expected-failure list names a vector by either.
pub fn test_name(id: &str, kind: Kind, profile: Profile) -> String {
    if kind.per_profile() {
        format!("{id} [{profile}]")
    } else {
        id.to_owned()
    }
}

/// Comma-separated patterns, trimmed, empty ones dropped.
fn patterns(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `prefix*` matches every id starting with `prefix`; anything else matches itself.
fn matches_pattern(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// An expected-failure list: which vectors an implementation is known to fail, and why.
///
/// The format, shared by [`Suite::expect_failures_from`] and `caveatspec run --expect-fail`:
/// one entry per line, a vector id (every profile) or a test name `<id> [<profile>]` (one
/// profile), then `# reason`. Blank lines and lines starting with `#` are ignored. An entry
/// without a reason is refused (a known failure nobody can explain is not known), as is an
/// entry listed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedFailures {
    entries: Vec<ListEntry>,
}

/// One entry of an [`ExpectedFailures`] list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// Its line number, from 1.
    pub line: usize,
    /// A vector id, or a test name `<id> [<profile>]`.
    pub name: String,
    /// Why the implementation fails it.
    pub reason: String,
}

impl ExpectedFailures {
    /// Reads a list's text (see [`ExpectedFailures`] for the format). Ids are not checked
    /// against any vectors here: [`ExpectedFailures::check_names`] does that.
    pub fn parse(text: &str) -> Result<ExpectedFailures, ListError> {
        let mut entries: Vec<ListEntry> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |problem: ListProblem| ListError {
                line: n + 1,
                problem,
            };
            let (name, reason) = line
                .split_once('#')
                .map(|(i, r)| (i.trim(), r.trim()))
                .filter(|(_, r)| !r.is_empty())
                .ok_or_else(|| at(ListProblem::NoReason))?;
            if !seen.insert(name) {
                return Err(at(ListProblem::Repeated(name.to_owned())));
            }
            entries.push(ListEntry {
                line: n + 1,
                name: name.to_owned(),
                reason: reason.to_owned(),
            });
        }
        Ok(ExpectedFailures { entries })
    }

    /// [`ExpectedFailures::parse`] on bytes: text that is not UTF-8 is refused with the line
    /// of its first invalid byte.
    pub fn parse_bytes(bytes: &[u8]) -> Result<ExpectedFailures, ListError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => ExpectedFailures::parse(text),
            Err(e) => Err(ListError {
                line: 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count(),
                problem: ListProblem::NotUtf8,
            }),
        }
    }

    /// Refuses the first entry (in line order) that names no vector of `files`, by id or by
    /// test name.
    pub fn check_names(&self, files: &[VectorFile]) -> Result<(), ListError> {
        let names = |entry: &str| {
            let id = entry.split_once(" [").map_or(entry, |(id, _)| id);
            files
                .iter()
                .flat_map(|f| &f.vectors)
                .filter(|v| v.id == id)
                .any(|v| {
                    id == entry
                        || Profile::ALL
                            .iter()
                            .any(|&p| test_name(&v.id, v.kind, p) == entry)
                })
        };
        match self.entries.iter().find(|e| !names(&e.name)) {
            Some(e) => Err(ListError {
                line: e.line,
                problem: ListProblem::UnknownId(e.name.clone()),
            }),
            None => Ok(()),
        }
    }

    /// Every entry, in line order.
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// The entry listing vector `id` (of `kind`) under `profile`: by its test name first,
    /// then by its id.
    pub fn entry_for(&self, id: &str, kind: Kind, profile: Profile) -> Option<&ListEntry> {
        let name = test_name(id, kind, profile);
        let find = |n: &str| self.entries.iter().find(|e| e.name == n);
        find(&name).or_else(|| find(id))
    }
}

/// A line of an expected-failure list that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListError {
    /// Its line number, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub problem: ListProblem,
}

/// What is wrong with a line of an expected-failure list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListProblem {
    /// No `# reason` after the id.
    NoReason,
    /// No vector has this id.
    UnknownId(String),
    /// The id is listed twice.
    Repeated(String),
    /// The list is not UTF-8 (the line holds its first invalid byte).
    NotUtf8,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.problem {
            ListProblem::NoReason => f.write_str("an expected failure needs `# reason`"),
            ListProblem::UnknownId(id) => write!(f, "no vector has the id {id:?}"),
            ListProblem::Repeated(id) => write!(f, "{id:?} is listed twice"),
            ListProblem::NotUtf8 => f.write_str("not UTF-8"),
        }
    }
}

impl std::error::Error for ListError {}

#[cfg(test)]
mod tests {
    use super::{ExpectedFailures, ListError, ListProblem};

    fn problem(text: &[u8]) -> (usize, ListProblem) {
        let ListError { line, problem } =
            ExpectedFailures::parse_bytes(text).expect_err("a bad list");
        (line, problem)
    }

    /// Entries keep their line and reason; comments and blank lines are skipped.
    #[test]
    fn a_list_keeps_each_entry_with_its_line() {
        let list = ExpectedFailures::parse("# head\n\n a/b  # why not \nc/d [strict] #x\n")
            .expect("a valid list");
        let got: Vec<(usize, &str, &str)> = list
            .entries()
            .iter()
            .map(|e| (e.line, e.name.as_str(), e.reason.as_str()))
            .collect();
        assert_eq!(got, [(3, "a/b", "why not"), (4, "c/d [strict]", "x")]);
    }

    /// No reason, a repeat, and bytes that are not UTF-8 are named with their line.
    #[test]
    fn bad_lines_are_named_with_their_line() {
        assert_eq!(problem(b"a/b # ok\nc/d\n"), (2, ListProblem::NoReason));
        assert_eq!(problem(b"a/b #\n"), (1, ListProblem::NoReason));
        assert_eq!(
            problem(b"a/b # x\n\na/b # y\n"),
            (3, ListProblem::Repeated("a/b".into()))
        );
        assert_eq!(problem(b"a/b # x\n\n\xff # y\n"), (3, ListProblem::NotUtf8));
        assert_eq!(problem(b"a/b # x\xc3"), (1, ListProblem::NotUtf8));
    }
}

#[cfg(feature = "harness")]
mod trials {
    use std::collections::HashMap;
    use std::sync::Arc;

    use libtest_mimic::{Arguments, Failed, Trial};

    use super::{Implementation, Status, Suite};
    use crate::{answer, Kind};

    impl Suite {
        /// One libtest trial per selected vector and profile, named as [`super::Case`]
        /// names it and of the vector's category as its kind. A skipped vector is an ignored
        /// trial, and so is every vector of a kind the implementation does not answer (its
        /// method answers `None` to the kind's first vector), so that the count of passed
        /// tests is the count of vectors it was held to; an expected failure passes.
        pub fn trials<I>(self, imp: I) -> Vec<Trial>
        where
            I: Implementation + Send + Sync + 'static,
        {
            let imp = Arc::new(imp);
            let suite = Arc::new(self);
            let cases: Vec<_> = suite
                .cases()
                .map(|(file, v, p, name)| (file.category.clone(), v.clone(), p, name))
                .collect();
            let mut answered: HashMap<Kind, bool> = HashMap::new();
            for (_, v, p, _) in &cases {
                if suite.skip_reason(v).is_none() && !answered.contains_key(&v.kind) {
                    let none = answer(imp.as_ref(), v.kind, &v.input, *p).ok() == Some(None);
                    answered.insert(v.kind, !none);
                }
            }
            cases
                .into_iter()
                .map(|(category, v, p, name)| {
                    let ignored = suite.skip_reason(&v).is_some()
                        || answered.get(&v.kind) == Some(&false);
                    let (suite, imp) = (Arc::clone(&suite), Arc::clone(&imp));
                    Trial::test(name, move || match suite.judge(imp.as_ref(), &v, p) {
                        Status::Passed
                        | Status::ExpectedFailure { .. }
                        | Status::Skipped(_) => Ok(()),
                        Status::Failed(why) => Err(Failed::from(why)),
                        Status::UnexpectedPass(reason) => Err(Failed::from(format!(
                            "passes, but is listed as an expected failure ({reason}): remove it from the list"
                        ))),
                    })
                    .with_kind(category)
                    .with_ignored_flag(ignored)
                })
                .collect()
        }

        /// Runs the suite as a libtest harness (the command-line arguments of `cargo test`
        /// apply) and exits the process with its status.
        pub fn run_tests<I>(self, imp: I) -> !
        where
            I: Implementation + Send + Sync + 'static,
        {
            let args = Arguments::from_args();
            libtest_mimic::run(&args, self.trials(imp)).exit()
        }
    }
}

/// A test harness's `main` that runs every shipped vector on an implementation, one named
/// test per vector and profile (needs the `harness` feature and `harness = false` for the
/// test target). The optional second argument adjusts the [`Suite`]
/// (`|suite| suite.skip_flag(…)`).
#[cfg(feature = "harness")]
#[macro_export]
macro_rules! tests {
    ($implementation:expr) => {
        $crate::tests!($implementation, |suite| suite);
    };
    ($implementation:expr, $adjust:expr) => {
        fn main() {
            let suite = match $crate::Suite::shipped() {
                Ok(suite) => suite,
                Err(e) => {
                    eprintln!("cannot load the shipped vectors: {e}");
                    std::process::exit(101);
                }
            };
            let adjust: fn($crate::Suite) -> $crate::Suite = $adjust;
            adjust(suite).run_tests($implementation)
        }
    };
}
