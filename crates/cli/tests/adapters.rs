//! The adapter protocol end to end: the reference served through it passes every vector, a
//! misbehaving adapter costs only the vectors it misbehaves on, no secret reaches a report, and
//! the committed matrix (`results/`) is current and explained.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use caveatspec_cli::adapter::{run_adapter, FailureClass, Judgement, RunOptions};
use caveatspec_vectors::{self as vectors, Kind, VectorFile};
use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_caveatspec");

fn quick() -> RunOptions {
    RunOptions {
        timeout: Duration::from_secs(1),
        hello_timeout: Duration::from_secs(10),
        max_hangs: 100,
    }
}

/// The first `n` vectors of every shipped file.
fn sample(n: usize) -> Vec<VectorFile> {
    let mut files = vectors::shipped().expect("shipped vectors load");
    for f in &mut files {
        f.vectors.truncate(n);
    }
    files
}

const HELLO: &str = r#"echo '{"type":"hello","protocol":1,"name":"t","version":"0","language":"sh","profile":"warehouse","kinds":["decode","caveat","verify","mint","restrict"]}'"#;

#[test]
fn reference_through_the_protocol_passes_every_vector() {
    let files = vectors::shipped().expect("shipped vectors load");
    let total: usize = files.iter().map(|f| f.vectors.len()).sum();
    for profile in ["warehouse", "strict"] {
        let r = run_adapter(
            &format!("'{EXE}' adapter --profile {profile}"),
            None,
            &files,
            RunOptions::default(),
        )
        .expect("reference adapter starts");
        assert_eq!(r.hello.profile, profile);
        let bad: Vec<_> = r
            .vectors
            .iter()
            .filter(|v| v.verdict != Judgement::Passed)
            .collect();
        assert!(bad.is_empty(), "{profile}: {bad:?}");
        assert_eq!(r.vectors.len(), total);
    }
}

#[test]
fn garbage_is_reported_per_vector_and_the_run_goes_on() {
    let files = sample(2);
    let cmd = format!("{HELLO}; while read l; do echo 'this is not json'; done");
    let r = run_adapter(&cmd, None, &files, quick()).expect("starts");
    assert_eq!(
        r.vectors.len(),
        files.iter().map(|f| f.vectors.len()).sum::<usize>()
    );
    for v in &r.vectors {
        assert!(
            undeclared(v.kind, &v.verdict)
                || matches!(&v.verdict, Judgement::Crashed { why } if why.starts_with("garbage output")),
            "{v:?}"
        );
    }
}

/// The HELLO above declares the macaroon kinds only: the others are never sent and count as
/// unsupported.
fn undeclared(kind: Kind, verdict: &Judgement) -> bool {
    matches!(
        kind,
        Kind::DpopProof
            | Kind::JwkThumbprint
            | Kind::AtrJwt
            | Kind::AtrDpopRequest
            | Kind::MacaroonDpopRequest
    ) && matches!(verdict, Judgement::Unsupported { .. })
}

#[test]
fn a_crashing_adapter_is_restarted_for_each_vector() {
    let files = sample(2);
    // Reads one request and dies without answering.
    let cmd = format!("{HELLO}; read l; exit 3");
    let r = run_adapter(&cmd, None, &files, quick()).expect("starts");
    assert!(!r.vectors.is_empty());
    for v in &r.vectors {
        assert!(
            undeclared(v.kind, &v.verdict)
                || matches!(&v.verdict, Judgement::Crashed { why } if why.contains("exited")),
            "{v:?}"
        );
    }
}

#[test]
fn a_hanging_adapter_times_out_per_vector() {
    let mut files = sample(1);
    files.truncate(2);
    let cmd = format!("{HELLO}; exec sleep 60");
    let r = run_adapter(&cmd, None, &files, quick()).expect("starts");
    assert_eq!(r.vectors.len(), 2);
    for v in &r.vectors {
        assert!(
            matches!(&v.verdict, Judgement::Crashed { why } if why.contains("hung")),
            "{v:?}"
        );
    }
}

#[test]
fn an_adapter_without_a_hello_is_an_error() {
    let files = sample(1);
    let err = run_adapter("echo hi", None, &files, quick()).expect_err("no hello");
    assert!(err.contains("hello"), "{err}");
}

#[test]
fn echoed_tokens_and_keys_never_reach_the_report() {
    let files = vectors::shipped().expect("shipped vectors load");
    // Answers every request "invalid" with the whole request (token, key) as its message.
    let cmd = format!(
        r#"{HELLO}; while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/.*"id":"\([^"]*\)".*/\1/'); esc=$(printf '%s' "$l" | sed 's/\\/\\\\/g; s/"/\\"/g'); printf '{{"type":"response","id":"%s","outcome":"invalid","message":"%s"}}\n' "$id" "$esc"; done"#
    );
    let r = run_adapter(&cmd, None, &files, RunOptions::default()).expect("starts");
    let report = serde_json::to_string(&r.vectors).expect("serializes");
    let mut failed = 0;
    for f in &files {
        for v in &f.vectors {
            for field in ["token", "key_hex"] {
                if let Some(s) = v.input.get(field).and_then(Value::as_str) {
                    let body = s.split_once('-').map_or(s, |(_, b)| b);
                    if body.len() >= 16 {
                        assert!(!report.contains(body), "{} leaks its {field}", v.id);
                    }
                }
            }
        }
    }
    for v in &r.vectors {
        if let Judgement::Failed { class, why } = &v.verdict {
            failed += 1;
            assert_eq!(*class, FailureClass::RefusesValid, "{why}");
            assert!(why.contains("expected valid"), "{why}");
        }
    }
    assert!(
        failed > 100,
        "the echoing adapter must fail every valid vector"
    );
}

fn committed(path: &str) -> Value {
    let text = std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join(path),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("matrix.json is JSON")
}

/// The reference rows need nothing installed, so they are regenerated here on every `cargo
/// test`; `.ci/check-results` regenerates the whole matrix with the peers installed.
#[test]
fn committed_matrix_reference_rows_are_current() {
    let dir = std::env::temp_dir().join(format!("caveatspec-matrix-{}", std::process::id()));
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let status = Command::new(EXE)
        .args(["matrix", "--out"])
        .arg(&dir)
        .args(["--config", &format!("{root}/adapters/adapters.json")])
        .args([
            "--only",
            "reference-warehouse",
            "--only",
            "reference-strict",
        ])
        .output()
        .expect("matrix runs");
    assert!(status.status.success(), "{status:?}");
    let fresh: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("matrix.json")).expect("matrix.json written"),
    )
    .expect("JSON");
    let _ = std::fs::remove_dir_all(&dir);
    let old = committed("results/matrix.json");
    for id in ["reference-warehouse", "reference-strict"] {
        let pick = |m: &Value| {
            m["implementations"]
                .as_array()
                .and_then(|a| a.iter().find(|i| i["id"] == id).cloned())
        };
        assert_eq!(
            pick(&fresh),
            pick(&old),
            "results/matrix.json is stale for {id}: run `caveatspec matrix --out results`"
        );
    }
    for i in old["implementations"].as_array().expect("implementations") {
        for key in ["name", "version", "language"] {
            assert!(i[key].is_string(), "{key} missing in {i}");
        }
        for key in ["passed", "failed", "unsupported", "crashed"] {
            assert!(i[key].is_u64(), "{key} missing in {i}");
        }
    }
}

/// Every vector an implementation fails in the committed matrix is named in the README's
/// divergence section, by id or by a `prefix/*` pattern: a new divergence cannot go unexplained.
#[test]
fn every_divergence_in_the_matrix_is_explained() {
    let readme = std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("README.md"),
    )
    .expect("README.md");
    let named: Vec<&str> = readme
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.contains('/') && !s.contains(' '))
        .collect();
    let explained = |id: &str| {
        named.iter().any(|n| match n.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => *n == id,
        })
    };
    let mut missing = Vec::new();
    for path in ["results/matrix.json", "results/warehouse/matrix.json"] {
        let m = committed(path);
        for i in m["implementations"].as_array().expect("implementations") {
            for cell in i["cells"].as_array().expect("cells") {
                for f in cell["failures"].as_array().expect("failures") {
                    let id = f["id"].as_str().expect("id");
                    if !explained(id) {
                        missing.push(format!("{} {id}", i["id"]));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "unexplained in README.md: {missing:#?}");
}

/// The README's summary table has each implementation's counts as the committed matrix has them.
#[test]
fn readme_summary_matches_the_matrix() {
    let readme = std::fs::read_to_string(
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("README.md"),
    )
    .expect("README.md");
    for path in ["results/matrix.json", "results/warehouse/matrix.json"] {
        let m = committed(path);
        for i in m["implementations"].as_array().expect("implementations") {
            let text = |k: &str| i[k].as_str().unwrap_or("?").to_owned();
            let row = format!("| {} {}", text("name"), text("version"));
            let counts = format!(
                "| {} | {} | {} | {} |",
                i["passed"], i["failed"], i["unsupported"], i["crashed"]
            );
            assert!(
                readme
                    .lines()
                    .any(|l| l.starts_with(&row) && l.ends_with(&counts)),
                "README.md has no row `{row} … {counts}`"
            );
        }
    }
}

/// `run --json` prints one shape, with and without `--adapter`: the keys of the report and of
/// each category cell are the same, and the counts agree for the same implementation.
#[test]
fn run_json_has_one_shape_with_and_without_an_adapter() {
    let json = |args: &[&str]| -> Value {
        let o = Command::new(EXE).args(args).output().expect("runs");
        assert!(o.status.success(), "{args:?}: {o:?}");
        serde_json::from_slice(&o.stdout).expect("JSON")
    };
    let reference = json(&["run", "--profile", "strict", "--json"]);
    let through = json(&[
        "run",
        "--json",
        "--adapter",
        &format!("'{EXE}' adapter --profile strict"),
    ]);
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&reference), keys(&through));
    assert_eq!(keys(&reference["cells"][0]), keys(&through["cells"][0]));
    assert_eq!(keys(&reference["classes"]), keys(&through["classes"]));
    for count in ["passed", "failed", "unsupported", "crashed"] {
        assert_eq!(reference[count], through[count], "{count}");
    }
    assert_eq!(through["name"], "caveatspec");
}

/// The exit codes are stated where a user looks for them.
#[test]
fn run_and_matrix_help_state_the_exit_codes() {
    for cmd in ["run", "matrix"] {
        let o = Command::new(EXE)
            .args([cmd, "--help"])
            .output()
            .expect("runs");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Exit status: 0"), "{cmd}: {text}");
        assert!(text.contains("2 bad usage"), "{cmd}: {text}");
    }
}

/// Bad values for the patience flags, and an unknown adapter id, are usage errors.
#[test]
fn bad_patience_flags_and_unknown_ids_are_usage_errors() {
    for args in [
        &["run", "--adapter", "true", "--max-hangs", "0"][..],
        &["run", "--adapter", "true", "--timeout", "0"],
        &[
            "run",
            "--adapter",
            "true",
            "--hello-timeout",
            "99999999999999999999",
        ],
        &[
            "matrix",
            "--out",
            "/nonexistent/x",
            "--only",
            "no-such-adapter",
        ],
        // One id per --only: a second word is not swallowed as an id.
        &[
            "matrix",
            "--out",
            "/nonexistent/x",
            "--only",
            "reference-warehouse",
            "reference-strict",
        ],
    ] {
        let o = Command::new(EXE)
            .args(args)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {o:?}");
    }
}

/// The committed page shows what the committed matrix holds: each implementation in a table
/// for each category it answers (so no row looks empty for lack of its columns), PyPI's
/// committed row with its Warehouse commit, each failing vector with its anchor, and the stamp.
#[test]
fn committed_page_shows_every_row_and_failing_vector() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let html = std::fs::read_to_string(root.join("results/matrix.html")).expect("page");
    let json = committed("results/matrix.json");
    let warehouse = committed("results/warehouse/matrix.json");
    let tables: Vec<&str> = html
        .split("<table>")
        .skip(1)
        .map(|t| t.split("</table>").next().unwrap())
        .collect();
    let rows = json["implementations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(warehouse["implementations"].as_array().unwrap());
    for (n, i) in rows.enumerate() {
        let name = i["name"].as_str().unwrap();
        let answered: Vec<&str> = i["cells"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| ["passed", "failed", "crashed"].iter().any(|k| c[k] != 0))
            .map(|c| c["category"].as_str().unwrap())
            .collect();
        for c in &answered {
            let header = format!("<th>{}</th>", c.replace('-', "-<wbr>"));
            assert!(
                tables
                    .iter()
                    .any(|t| t.contains(name) && t.contains(&header)),
                "{name}: no table with its row and {c}"
            );
        }
        for f in i["cells"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["failures"].as_array().unwrap())
        {
            let id = f["id"].as_str().unwrap();
            assert!(
                html.lines()
                    .any(|l| l.starts_with(&format!("<li id=\"r{n}.v."))
                        && l.contains(&format!("<code>{id}</code>"))),
                "{name}: no anchor for {id}"
            );
        }
    }
    let commit = warehouse["implementations"][0]["version"].as_str().unwrap();
    assert!(
        html.contains(&format!("Warehouse commit <code>{commit}</code>")),
        "no Warehouse commit in the page"
    );
    let stamp = &json["stamp"];
    for key in ["suite_version", "vectors_sha256"] {
        let value = stamp[key].as_str().expect("stamped");
        assert!(html.contains(value), "{key} {value} not in the page");
    }
}
