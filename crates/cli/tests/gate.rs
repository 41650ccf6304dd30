//! `caveatspec run` as another implementation's CI gate: an expected-failure list
//! (`--expect-fail`), skips by id, pattern and flag (`--skip`), and the counts that show an
//! adapter refusing everything (`invalid_without_codes`, `refuses_all`).
//!
//! The adapters are small sh scripts run on ten vectors written to a scratch folder: one answers
//! `valid` to everything (so it fails exactly the vectors expected invalid), one answers
//! `invalid` with no codes to everything.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use caveatspec_cli::adapter::{run_adapter, write_matrix, ImplEntry, Matrix, RunOptions, Stamp};
use caveatspec_vectors::{self as vectors, expected_for, Profile, Vector, VectorFile};
use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_caveatspec");

/// A hello declaring every kind, in the warehouse profile.
const HELLO: &str = r#"echo '{"type":"hello","protocol":1,"name":"gated","version":"0","language":"sh","profile":"warehouse","kinds":["decode","caveat","verify","mint","restrict","dpop_proof","jwk_thumbprint","atr_jwt","atr_dpop_request","macaroon_dpop_request"]}'"#;

/// Sets `$id` to the id of the request in `$l` (the id is the request's second member).
const READ_ID: &str =
    r#"id=$(printf '%s' "$l" | sed 's/^{"type":"request","id":"\([^"]*\)".*/\1/')"#;

/// How many vectors the scratch set holds.
const VECTORS: usize = 10;

/// A scratch folder with the first [`VECTORS`] verification vectors, the vectors themselves,
/// and the path of a log the adapters append each request id to.
struct Scratch {
    dir: PathBuf,
    vectors: Vec<Vector>,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("caveatspec-gate-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("vectors")).expect("scratch folder");
        let mut file: VectorFile = vectors::shipped()
            .expect("shipped vectors")
            .into_iter()
            .find(|f| f.category == "verification")
            .expect("verification vectors");
        file.vectors.truncate(VECTORS);
        file.number_of_vectors = VECTORS;
        std::fs::write(
            dir.join("vectors/verification.json"),
            serde_json::to_string(&file).expect("serializes"),
        )
        .expect("vector file written");
        Scratch {
            dir,
            vectors: file.vectors,
        }
    }

    /// An adapter answering every request with `outcome`, logging each request's id.
    fn adapter(&self, outcome: &str) -> String {
        format!(
            "{HELLO}; while IFS= read -r l; do {READ_ID}; echo \"$id\" >> '{log}'; \
             printf '{{\"type\":\"response\",\"id\":\"%s\",\"outcome\":\"{outcome}\"}}\\n' \"$id\"; done",
            log = self.log().display()
        )
    }

    fn log(&self) -> PathBuf {
        self.dir.join("sent")
    }

    /// The ids the adapters were sent.
    fn sent(&self) -> Vec<String> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The ids expected invalid in the warehouse profile: what the `valid` adapter fails.
    fn invalid_ids(&self) -> Vec<String> {
        self.vectors
            .iter()
            .filter(|v| {
                expected_for(v, Profile::Warehouse)
                    .and_then(|e| e["valid"].as_bool())
                    .is_some_and(|valid| !valid)
            })
            .map(|v| v.id.clone())
            .collect()
    }

    fn valid_ids(&self) -> Vec<String> {
        let invalid = self.invalid_ids();
        self.vectors
            .iter()
            .map(|v| v.id.clone())
            .filter(|id| !invalid.contains(id))
            .collect()
    }

    /// Writes `text` as a list file and returns its path.
    fn list(&self, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join("expected-failures.txt");
        std::fs::write(&path, text).expect("list written");
        path
    }

    /// `caveatspec run --adapter ADAPTER <vectors> ARGS…`.
    fn run(&self, adapter: &str, args: &[&str]) -> Output {
        Command::new(EXE)
            .arg("run")
            .arg(self.dir.join("vectors"))
            .args(["--adapter", adapter])
            .args(args)
            .output()
            .expect("caveatspec runs")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

/// A list naming each of `ids` with a reason.
fn listing(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("{id}  # accepts {id} on purpose\n"))
        .collect()
}

/// Without a list, any failure fails the run; the set has both kinds of vector.
#[test]
fn failures_fail_the_run_without_a_list() {
    let s = Scratch::new("no-list");
    let (invalid, valid) = (s.invalid_ids(), s.valid_ids());
    assert!(
        !invalid.is_empty() && !valid.is_empty(),
        "{invalid:?} {valid:?}"
    );
    let o = s.run(&s.adapter("valid"), &[]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    for id in &invalid {
        assert!(
            out.contains(&format!("FAIL {id} (accepts invalid)")),
            "{id}: {out}"
        );
    }
    assert!(!out.contains("gate:"), "{out}");
}

/// A list naming exactly the failures passes the gate; each is reported with its reason, in
/// the text report and in `--json`.
#[test]
fn a_list_naming_exactly_the_failures_passes() {
    let s = Scratch::new("exact");
    let invalid = s.invalid_ids();
    let list = s.list(format!("# known\n\n{}", listing(&invalid)));
    let o = s.run(&s.adapter("valid"), &["--expect-fail", path(&list)]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = stdout(&o);
    for id in &invalid {
        assert!(
            out.contains(&format!(
                "expected failure {id} (accepts invalid): expected invalid, got valid (listed: accepts {id} on purpose)"
            )),
            "{id}: {out}"
        );
    }
    assert!(!out.contains("FAIL "), "{out}");
    assert!(
        out.contains(&format!(
            "gate: {} expected failures, 0 unexpected failures, 0 listed but passing, 0 skipped",
            invalid.len()
        )),
        "{out}"
    );

    let o = s.run(
        &s.adapter("valid"),
        &["--expect-fail", path(&list), "--json"],
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v = json(&o);
    assert_eq!(v["gate"]["expected_failures"], invalid.len());
    assert_eq!(v["gate"]["unexpected_failures"], 0);
    assert_eq!(v["gate"]["stale"], 0);
    assert_eq!(v["gate"]["skipped"], 0);
    let failures: Vec<&Value> = v["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .flat_map(|c| c["failures"].as_array().expect("failures"))
        .collect();
    assert_eq!(failures.len(), invalid.len());
    for f in failures {
        let id = f["id"].as_str().expect("id");
        assert_eq!(f["expected"], format!("accepts {id} on purpose"));
    }
}

/// A list missing one failure fails the run on that one only.
#[test]
fn a_failure_the_list_does_not_name_fails_the_run() {
    let s = Scratch::new("unlisted");
    let invalid = s.invalid_ids();
    let list = s.list(listing(&invalid[1..]));
    let o = s.run(&s.adapter("valid"), &["--expect-fail", path(&list)]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    assert!(
        out.contains(&format!("FAIL {} (accepts invalid)", invalid[0])),
        "{out}"
    );
    assert!(out.contains("1 unexpected failures"), "{out}");
}

/// A listed vector that passes fails the run until it is removed from the list, with its line.
#[test]
fn a_listed_vector_that_passes_fails_the_run() {
    let s = Scratch::new("stale");
    let invalid = s.invalid_ids();
    let passing = s.valid_ids()[0].clone();
    let list = s.list(format!(
        "{}{passing} # was broken once\n",
        listing(&invalid)
    ));
    let o = s.run(&s.adapter("valid"), &["--expect-fail", path(&list)]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let out = stdout(&o);
    let line = invalid.len() + 1;
    assert!(
        out.contains(&format!(
            "listed but passes: {passing} (line {line}: was broken once): remove it from the list"
        )),
        "{out}"
    );
    let o = s.run(
        &s.adapter("valid"),
        &["--expect-fail", path(&list), "--json"],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v = json(&o);
    assert_eq!(v["gate"]["stale"], 1);
    assert_eq!(v["gate"]["stale_entries"][0]["name"], passing.as_str());
    assert_eq!(v["gate"]["stale_entries"][0]["line"], line);
}

/// Skipped vectors are never sent and counted as skipped: by id, by pattern, by flag.
#[test]
fn skips_by_id_pattern_and_flag_are_not_sent() {
    let s = Scratch::new("skips");
    let invalid = s.invalid_ids();
    // By id: every failing vector skipped, the run passes without a list.
    let mut args: Vec<String> = Vec::new();
    for id in &invalid {
        args.extend(["--skip".into(), id.clone()]);
    }
    args.push("--json".into());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = s.run(&s.adapter("valid"), &argv);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let v = json(&o);
    assert_eq!(v["gate"]["skipped"], invalid.len());
    assert_eq!(v["passed"], VECTORS - invalid.len());
    let sent: BTreeSet<String> = s.sent().into_iter().collect();
    assert_eq!(sent.len(), VECTORS - invalid.len());
    assert!(invalid.iter().all(|id| !sent.contains(id)), "{sent:?}");

    // By pattern: a prefix of the first id, which the others may share.
    let first = &s.vectors[0].id;
    let prefix = &first[..first.len() - 2];
    let matching = s
        .vectors
        .iter()
        .filter(|v| v.id.starts_with(prefix))
        .count();
    std::fs::remove_file(s.log()).expect("log");
    let o = s.run(&s.adapter("valid"), &["--skip", &format!("{prefix}*")]);
    let out = stdout(&o);
    assert!(
        out.contains(&format!("skipped {matching} by --skip {prefix}*")),
        "{out}"
    );
    assert_eq!(s.sent().len(), VECTORS - matching);
    assert!(!s.sent().contains(first));

    // By flag: every vector carrying it.
    let flag = s
        .vectors
        .iter()
        .flat_map(|v| &v.flags)
        .next()
        .expect("a flagged vector")
        .clone();
    let flagged: Vec<&str> = s
        .vectors
        .iter()
        .filter(|v| v.flags.contains(&flag))
        .map(|v| v.id.as_str())
        .collect();
    std::fs::remove_file(s.log()).expect("log");
    let o = s.run(
        &s.adapter("valid"),
        &["--skip", &format!("flag:{flag}"), "--json"],
    );
    let v = json(&o);
    assert_eq!(v["gate"]["skipped"], flagged.len());
    let by_flag: Vec<&str> = v["gate"]["skipped_vectors"]
        .as_array()
        .expect("skipped_vectors")
        .iter()
        .map(|s| s["id"].as_str().expect("id"))
        .collect();
    assert_eq!(by_flag, flagged);
    let sent = s.sent();
    assert_eq!(sent.len(), VECTORS - flagged.len());
    assert!(flagged.iter().all(|id| !sent.iter().any(|s| s == id)));
}

/// A list that cannot be used is a usage error (exit 2) naming its line; nothing is run.
#[test]
fn bad_lists_are_usage_errors_with_their_line() {
    let s = Scratch::new("bad-lists");
    let id = s.vectors[0].id.clone();
    let other = s.vectors[1].id.clone();
    let cases: Vec<(Vec<u8>, String)> = vec![
        (
            format!("{other} # ok\n{id}\n").into(),
            "line 2: an expected failure needs `# reason`".into(),
        ),
        (
            format!("{id} #   \n").into(),
            "line 1: an expected failure needs `# reason`".into(),
        ),
        (
            format!("# c\n\n{id} # a\nno/such/id # x\n").into(),
            "line 4: no vector has the id \"no/such/id\"".into(),
        ),
        (
            format!("{id} # a\n{other} # b\n{id} # a\n").into(),
            format!("line 3: \"{id}\" is listed twice"),
        ),
        (
            format!("{id} [nosuch] # a\n").into(),
            format!("line 1: no vector has the id \"{id} [nosuch]\""),
        ),
        (
            [format!("{id} # a\n").as_bytes(), b"x\xff\xfe # b\n"].concat(),
            "line 2: not UTF-8".into(),
        ),
        (
            "\u{1b}[2J\u{7} # x\n".into(),
            "line 1: no vector has the id \"\\u{1b}[2J\\u{7}\"".into(),
        ),
        (
            format!("{id} # a\n").repeat(3).into_bytes(),
            format!("line 2: \"{id}\" is listed twice"),
        ),
    ];
    for (text, message) in cases {
        let list = s.list(&text);
        let o = s.run(&s.adapter("valid"), &["--expect-fail", path(&list)]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{:?}: {o:?}",
            String::from_utf8_lossy(&text)
        );
        let err = stderr(&o);
        assert!(err.contains(&message), "{message:?} not in {err:?}");
        assert!(
            !err.contains('\u{1b}'),
            "a raw escape reached stderr: {err:?}"
        );
    }
    assert!(
        s.sent().is_empty(),
        "an adapter was sent vectors: {:?}",
        s.sent()
    );

    // Larger than the bound: refused without being read whole.
    let huge = s.list(format!("{id} # {}\n", "x".repeat(5 << 20)));
    let o = s.run(&s.adapter("valid"), &["--expect-fail", path(&huge)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(stderr(&o).contains("larger than 4 MiB"), "{}", stderr(&o));

    // Missing, a folder, given twice.
    for args in [
        vec!["--expect-fail", path(&s.dir.join("missing"))],
        vec!["--expect-fail", path(&s.dir)],
        vec!["--expect-fail", path(&huge), "--expect-fail", path(&huge)],
    ] {
        let o = s.run(&s.adapter("valid"), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
    }
}

/// A `--skip` that names nothing, is empty, repeated, or holds control characters is a usage
/// error.
#[test]
fn bad_skips_are_usage_errors() {
    let s = Scratch::new("bad-skips");
    let id = s.vectors[0].id.clone();
    let long = "x".repeat(2000);
    for (args, message) in [
        (
            vec!["--skip", "no/such/id"],
            "--skip no/such/id: no vector matches",
        ),
        (vec!["--skip", "zzz/*"], "--skip zzz/*: no vector matches"),
        (vec!["--skip", "flag:no-such-flag"], "no vector matches"),
        (vec!["--skip", ""], "--skip needs an id"),
        (vec!["--skip", &id, "--skip", &id], "is given twice"),
        (vec!["--skip", "verify/\u{1b}[2J*"], "control characters"),
        (vec!["--skip", &long], "longer than 1000 bytes"),
    ] {
        let o = s.run(&s.adapter("valid"), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
        let err = stderr(&o);
        assert!(err.contains(message), "{message:?} not in {err:?}");
        assert!(!err.contains('\u{1b}'), "{err:?}");
    }
    assert!(s.sent().is_empty());
}

/// An adapter that refuses everything without a code: every vector it was sent is counted as
/// invalid without codes, and its category is marked as refused wholesale.
#[test]
fn an_adapter_refusing_everything_is_shown() {
    let s = Scratch::new("refuses");
    let o = s.run(&s.adapter("invalid"), &["--json"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let v = json(&o);
    let sent = s.sent().len();
    assert_eq!(sent, VECTORS);
    assert_eq!(v["invalid_without_codes"], sent);
    assert_eq!(v["passed"], s.invalid_ids().len());
    let cell = &v["cells"][0];
    assert_eq!(cell["category"], "verification");
    assert_eq!(cell["invalid_without_codes"], sent);
    assert_eq!(cell["refuses_all"], true);

    let o = s.run(&s.adapter("invalid"), &[]);
    assert!(
        stdout(&o).contains(&format!("0 crashed, {sent} invalid without codes")),
        "{}",
        stdout(&o)
    );

    // The adapter answering `valid` refuses nothing.
    let v = json(&s.run(&s.adapter("valid"), &["--json"]));
    assert_eq!(v["invalid_without_codes"], 0);
    assert_eq!(v["cells"][0]["refuses_all"], false);
}

/// The matrix carries both: `invalid_without_codes` and `refuses_all` in matrix.json, a column
/// and a *refuses all* mark in matrix.md.
#[test]
fn the_matrix_shows_an_adapter_refusing_everything() {
    let s = Scratch::new("matrix");
    let files = vec![VectorFile::load(&s.dir.join("vectors/verification.json")).expect("loads")];
    let categories = vec!["verification".to_owned()];
    let mut m = Matrix {
        caveatspec: "test".into(),
        stamp: Stamp {
            suite_version: "test".into(),
            vectors_sha256: "test".into(),
            date: None,
        },
        vectors: VECTORS,
        categories: categories.clone(),
        implementations: Vec::new(),
        skipped: Vec::new(),
    };
    for (id, outcome) in [("refuser", "invalid"), ("accepter", "valid")] {
        let report =
            run_adapter(&s.adapter(outcome), None, &files, RunOptions::default()).expect("runs");
        m.implementations
            .push(ImplEntry::from_report(id, &report, &categories));
    }
    let out = s.dir.join("matrix");
    write_matrix(&m, &out).expect("matrix written");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("matrix.json")).expect("json"))
            .expect("JSON");
    let rows = json["implementations"].as_array().expect("rows");
    assert_eq!(rows[0]["invalid_without_codes"], VECTORS);
    assert_eq!(rows[0]["cells"][0]["refuses_all"], true);
    assert_eq!(rows[1]["invalid_without_codes"], 0);
    assert_eq!(rows[1]["cells"][0]["refuses_all"], false);

    let md = std::fs::read_to_string(out.join("matrix.md")).expect("md");
    let header = md
        .lines()
        .find(|l| l.starts_with("| implementation"))
        .expect("a header row");
    let column = header
        .split('|')
        .position(|c| c.trim() == "invalid without codes")
        .expect("an invalid-without-codes column");
    let rows: Vec<Vec<&str>> = md
        .lines()
        .take_while(|l| !l.starts_with("**By basis.**"))
        .filter(|l| l.starts_with("| gated"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    assert_eq!(rows.len(), 2, "{md}");
    assert_eq!(rows[0][column], VECTORS.to_string());
    assert_eq!(rows[1][column], "0");
    let invalid = s.invalid_ids().len();
    assert_eq!(
        rows[0].last_chunk::<2>().map(|c| c[0]),
        Some(&*format!("{invalid}/{VECTORS} *refuses all*"))
    );
    assert!(!rows[1].iter().any(|c| c.contains("refuses all")), "{md}");
}
