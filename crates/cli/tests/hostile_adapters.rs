//! Adapters that try to break the runner: hangs that leave processes behind, floods, huge and
//! undecodable lines, echoes of every secret a vector holds, and markup in what they say about
//! themselves. Each costs the vectors it happens on and nothing else: no process survives the
//! run, no wait lasts longer than one deadline, no secret reaches a report, and nothing an
//! adapter writes is rendered or interpreted by a terminal.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use caveatspec_cli::adapter::{
    run_adapter, secret_fields, write_matrix, AdapterReport, FailureClass, ImplEntry, Judgement,
    Matrix, RunOptions, Stamp,
};
use caveatspec_vectors::{self as vectors, Kind, VectorFile};

const EXE: &str = env!("CARGO_BIN_EXE_caveatspec");

/// The largest single allocation made by this test process.
struct Largest;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the bookkeeping is one atomic.
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Largest = Largest;

/// A hello declaring every kind.
const HELLO: &str = r#"echo '{"type":"hello","protocol":1,"name":"hostile","version":"0","language":"sh","profile":"warehouse","kinds":["decode","caveat","verify","mint","restrict","dpop_proof","jwk_thumbprint","atr_jwt","atr_dpop_request","macaroon_dpop_request"]}'"#;

/// Sets `$id` to the id of the request in `$l` (the id is the request's second member).
const READ_ID: &str =
    r#"id=$(printf '%s' "$l" | sed 's/^{"type":"request","id":"\([^"]*\)".*/\1/')"#;

/// Short waits: the adapters here never answer late by accident, only on purpose.
fn opts(timeout_ms: u64, max_hangs: u32) -> RunOptions {
    RunOptions {
        timeout: Duration::from_millis(timeout_ms),
        hello_timeout: Duration::from_secs(10),
        max_hangs,
    }
}

/// The first `n` vectors of the first shipped file (decode vectors, sent to every adapter).
fn first(n: usize) -> Vec<VectorFile> {
    let mut files = vectors::shipped().expect("shipped vectors load");
    files.truncate(1);
    files[0].vectors.truncate(n);
    files
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("caveatspec-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The process groups an adapter recorded (each start appends its `$$`, which leads its group).
fn groups(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().parse().expect("a pid"))
        .collect()
}

/// The processes of group `pgid` that are still running (zombies are dead).
fn alive_in_group(pgid: i32) -> Vec<String> {
    let mut alive = Vec::new();
    for e in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.get(2).and_then(|p| p.parse::<i32>().ok()) == Some(pgid) && !matches!(f[0], "Z" | "X")
        {
            alive.push(stat);
        }
    }
    alive
}

fn assert_no_survivors(pid_file: &Path, starts: usize) {
    let pgids = groups(pid_file);
    assert_eq!(pgids.len(), starts, "adapter starts recorded: {pgids:?}");
    for pgid in pgids {
        let alive = alive_in_group(pgid);
        assert!(alive.is_empty(), "group {pgid} survives: {alive:?}");
    }
}

fn crashed_with(v: &Judgement, words: &str) -> bool {
    matches!(v, Judgement::Crashed { why } if why.contains(words))
}

/// dash does not exec the last command of `sh -c`: killing the shell alone would leave the
/// adapter running with parent 1, one per hung vector.
#[test]
fn a_hang_without_exec_leaves_no_process() {
    let dir = scratch("no-exec");
    let pids = dir.join("pids");
    let cmd = format!("echo $$ >> '{}'; {HELLO}; sleep 60", pids.display());
    let r = run_adapter(&cmd, None, &first(3), opts(300, 10)).expect("starts");
    for v in &r.vectors {
        assert!(crashed_with(&v.verdict, "hung"), "{v:?}");
    }
    assert_no_survivors(&pids, 3);
}

/// A child forked into the background lives in the adapter's group and ends with it, on a
/// hang, on a crash, and at the end of the run.
#[test]
fn forked_children_end_with_their_adapter() {
    let dir = scratch("fork");
    let pids = dir.join("pids");
    let p = pids.display();
    for (tail, words, starts) in [
        ("sleep 60", "hung", 2),
        ("read l; exit 3", "exited", 2),
        ("read l; echo garbage; read l", "garbage", 2),
    ] {
        let _ = std::fs::remove_file(&pids);
        let cmd = format!("echo $$ >> '{p}'; sleep 600 & {HELLO}; {tail}");
        let r = run_adapter(&cmd, None, &first(2), opts(300, 10)).expect("starts");
        for v in &r.vectors {
            assert!(crashed_with(&v.verdict, words), "{tail}: {v:?}");
        }
        assert_no_survivors(&pids, starts);
    }
    // An adapter that answers every vector keeps its child until the run ends.
    let _ = std::fs::remove_file(&pids);
    let cmd = format!(
        "echo $$ >> '{p}'; sleep 600 & {HELLO}; while IFS= read -r l; do {READ_ID}; printf '{{\"type\":\"response\",\"id\":\"%s\",\"outcome\":\"unsupported\"}}\\n' \"$id\"; done"
    );
    let r = run_adapter(&cmd, None, &first(3), opts(5000, 3)).expect("starts");
    assert!(
        r.vectors
            .iter()
            .all(|v| matches!(v.verdict, Judgement::Unsupported { .. })),
        "{r:?}"
    );
    assert_no_survivors(&pids, 1);
}

/// After `max_hangs` hangs in a row the rest is counted, not waited for.
#[test]
fn repeated_hangs_stop_the_adapter_s_run() {
    let dir = scratch("max-hangs");
    let pids = dir.join("pids");
    let cmd = format!("echo $$ >> '{}'; {HELLO}; exec sleep 60", pids.display());
    let r = run_adapter(&cmd, None, &first(8), opts(200, 2)).expect("starts");
    let hung = r
        .vectors
        .iter()
        .filter(|v| crashed_with(&v.verdict, "(hung)"))
        .count();
    let skipped = r
        .vectors
        .iter()
        .filter(|v| crashed_with(&v.verdict, "not attempted after 2 consecutive hangs"))
        .count();
    assert_eq!((hung, skipped), (2, 6), "{:?}", r.vectors);
    assert_no_survivors(&pids, 2);
}

/// Blank lines do not restart the wait: a trickle of them ends at the one deadline, a flood of
/// them is garbage.
#[test]
fn blank_lines_neither_extend_the_wait_nor_fill_memory() {
    let trickle = format!("{HELLO}; while :; do echo; sleep 0.02; done");
    let r = run_adapter(&trickle, None, &first(2), opts(400, 10)).expect("starts");
    for v in &r.vectors {
        assert!(crashed_with(&v.verdict, "hung"), "{v:?}");
    }
    let flood = format!("{HELLO}; yes ''");
    let r = run_adapter(&flood, None, &first(2), opts(20_000, 10)).expect("starts");
    for v in &r.vectors {
        assert!(crashed_with(&v.verdict, "blank lines"), "{v:?}");
    }
    // Before the hello too.
    let r = run_adapter("yes ''", None, &first(1), opts(1000, 1));
    assert!(r.is_err_and(|e| e.contains("blank lines")));
}

/// A line of a gigabyte is cut at the line bound: read no further, never allocated whole.
#[test]
fn a_gigabyte_line_is_read_only_to_the_bound() {
    let cmd = format!("{HELLO}; read l; head -c 1000000000 /dev/zero | tr '\\0' a");
    let r = run_adapter(&cmd, None, &first(1), opts(20_000, 1)).expect("starts");
    assert!(
        crashed_with(&r.vectors[0].verdict, "longer than 4 MiB"),
        "{:?}",
        r.vectors
    );
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(largest < 64 << 20, "an allocation of {largest} bytes");
}

/// Bytes that are not UTF-8 are a protocol error, not text to guess at.
#[test]
fn invalid_utf8_is_a_protocol_error() {
    let cmd = format!(
        "{HELLO}; while IFS= read -r l; do {READ_ID}; printf '{{\"type\":\"response\",\"id\":\"%s\",\"outcome\":\"invalid\",\"message\":\"\\377\\376\"}}\\n' \"$id\"; done"
    );
    let r = run_adapter(&cmd, None, &first(2), opts(5000, 3)).expect("starts");
    for v in &r.vectors {
        assert!(crashed_with(&v.verdict, "not UTF-8"), "{v:?}");
    }
    let r = run_adapter("printf '\\377\\n'", None, &first(1), opts(1000, 1));
    assert!(r.is_err_and(|e| e.contains("not UTF-8")));
}

/// How an echoing adapter answers a request, chosen by the length of its id so that the test
/// can pick vectors of every kind for every answer.
const ECHO_MODES: usize = 7;

/// Echoes each whole request (every secret in it) everywhere it can: in the message, codes and
/// the kind's produced fields of a valid or an invalid answer, as the id of its answer, as a
/// garbage line, as an outcome, as the name of a value field the kind does not have, as the
/// reason it is unsupported; and always on stderr.
fn echo_adapter() -> String {
    let esc = r#"e=$(printf '%s' "$l" | sed 's/\\/\\\\/g; s/"/\\"/g')"#;
    // The kind is the request's third member; each kind's value fields, every one the echo.
    let value = r#"kind=$(printf '%s' "$l" | sed 's/^{"type":"request","id":"[^"]*","kind":"\([a-z_]*\)".*/\1/'); case $kind in
decode) v="\"macaroon\":\"$e\"";;
caveat) v="\"kind\":\"$e\",\"canonical\":\"$e\"";;
mint|restrict) v="\"token\":\"$e\",\"caveats\":[\"$e\"]";;
dpop_proof) v="\"jkt\":\"$e\",\"jti\":\"$e\"";;
jwk_thumbprint) v="\"thumbprint\":\"$e\"";;
atr_jwt) v="\"sub\":\"$e\",\"jti\":\"$e\"";;
atr_dpop_request) v="\"sub\":\"$e\",\"jti\":\"$e\",\"jkt\":\"$e\"";;
macaroon_dpop_request) v="\"jkt\":\"$e\"";;
*) v="";;
esac"#;
    let answer = |outcome: &str| {
        format!(
            r#"printf '{{"type":"response","id":"%s","outcome":"{outcome}","message":"%s","codes":["%s"],"value":{{%s}}}}\n' "$id" "$e" "$e" "$v""#
        )
    };
    format!(
        r#"{HELLO}; while IFS= read -r l; do printf '%s\n' "$l" >&2; {READ_ID}; {esc}; {value}; case $(( ${{#id}} % {ECHO_MODES} )) in
0) {};;
1) {};;
2) printf '{{"type":"response","id":"%s","outcome":"invalid"}}\n' "$e";;
3) printf 'garbage %s\n' "$l";;
4) printf '{{"type":"response","id":"%s","outcome":"%s"}}\n' "$id" "$e";;
5) printf '{{"type":"response","id":"%s","outcome":"valid","value":{{"%s":1}}}}\n' "$id" "$e";;
*) printf '{{"type":"response","id":"%s","outcome":"unsupported","message":"%s"}}\n' "$id" "$e";;
esac; done"#,
        answer("valid"),
        answer("invalid")
    )
}

/// Up to two vectors of every kind for every echo mode, the ones holding the most secret text.
fn echo_sample() -> Vec<VectorFile> {
    let fields = secret_fields().expect("schema");
    let mut files = vectors::shipped().expect("shipped vectors load");
    for f in &mut files {
        let mut kept = Vec::new();
        let mut taken: Vec<(Kind, usize)> = Vec::new();
        let mut by_secret = f.vectors.clone();
        by_secret.sort_by_key(|v| {
            std::cmp::Reverse(fields.values_of(v).iter().map(|s| s.len()).sum::<usize>())
        });
        for v in by_secret {
            let slot = (v.kind, v.id.len() % ECHO_MODES);
            if taken.iter().filter(|t| **t == slot).count() < 2 {
                taken.push(slot);
                kept.push(v);
            }
        }
        f.vectors = kept;
        f.number_of_vectors = f.vectors.len();
    }
    files
}

/// The runs of 16 or more letters and digits in every secret `files` hold: none may appear in
/// a report, in any escaping (escapes do not touch letters and digits).
fn secret_runs(files: &[VectorFile]) -> HashSet<String> {
    let fields = secret_fields().expect("schema");
    let mut runs = HashSet::new();
    for v in files.iter().flat_map(|f| &f.vectors) {
        for s in fields.values_of(v) {
            for run in s.split(|c: char| !c.is_ascii_alphanumeric()) {
                if run.len() >= 16 {
                    runs.insert(run.to_owned());
                }
            }
        }
    }
    runs
}

fn assert_no_leak(what: &str, text: &str, runs: &HashSet<String>) {
    for run in runs {
        assert!(!text.contains(run.as_str()), "{what} leaks {run}");
    }
}

/// Writes `files` as vector files into `dir`, for the command line.
fn write_files(files: &[VectorFile], dir: &Path) {
    for f in files {
        let text = serde_json::to_string_pretty(f).expect("serializes");
        std::fs::write(dir.join(format!("{}.json", f.category)), text).expect("write");
    }
}

/// Writes the matrix of one adapter's run into `dir`; returns its row.
fn matrix_of(id: &str, r: &AdapterReport, files: &[VectorFile], dir: &Path) -> ImplEntry {
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let entry = ImplEntry::from_report(id, r, &categories);
    let m = Matrix {
        caveatspec: "test".into(),
        stamp: Stamp {
            suite_version: "test".into(),
            vectors_sha256: "test".into(),
            date: None,
        },
        vectors: r.vectors.len(),
        categories,
        implementations: vec![entry.clone()],
        skipped: Vec::new(),
    };
    write_matrix(&m, dir).expect("matrix written");
    entry
}

/// Every kind, every way of echoing: nothing secret reaches the `--json` report, the text
/// report, stderr, matrix.json, matrix.md or matrix.html.
#[test]
fn an_echoing_adapter_leaks_nothing_of_any_kind() {
    let files = echo_sample();
    let runs = secret_runs(&files);
    let kinds: HashSet<Kind> = files
        .iter()
        .flat_map(|f| &f.vectors)
        .map(|v| v.kind)
        .collect();
    assert_eq!(kinds.len(), 10, "every kind is sampled");
    assert!(runs.len() > 100, "the sample holds secrets: {}", runs.len());

    let r = run_adapter(&echo_adapter(), None, &files, opts(10_000, 3)).expect("starts");
    let mut classes = HashSet::new();
    for v in &r.vectors {
        if let Some(c) = v.verdict.class() {
            classes.insert(c);
        }
    }
    for c in [
        FailureClass::AcceptsInvalid,
        FailureClass::RefusesValid,
        FailureClass::WrongCodes,
        FailureClass::Crashed,
    ] {
        assert!(classes.contains(&c), "no {c:?} in {classes:?}");
    }
    assert!(
        r.vectors
            .iter()
            .any(|v| v.verdict.why().is_some_and(|w| w.contains("a value field"))),
        "a secret echoed as a value field's name is a protocol error"
    );
    assert_no_leak(
        "the report",
        &serde_json::to_string(&r.vectors).unwrap(),
        &runs,
    );
    let dir = scratch("echo");
    matrix_of("echo", &r, &files, &dir);
    for name in ["matrix.json", "matrix.md", "matrix.html"] {
        let text = std::fs::read_to_string(dir.join(name)).expect("written");
        assert_no_leak(name, &text, &runs);
    }

    let vectors_dir = dir.join("vectors");
    std::fs::create_dir_all(&vectors_dir).expect("dir");
    write_files(&files, &vectors_dir);
    for json in [false, true] {
        let mut cmd = Command::new(EXE);
        cmd.arg("run")
            .arg(&vectors_dir)
            .args(["--adapter", &echo_adapter()]);
        if json {
            cmd.arg("--json");
        }
        let o = cmd.output().expect("runs");
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        assert_no_leak("run stdout", &String::from_utf8_lossy(&o.stdout), &runs);
        assert_no_leak("run stderr", &String::from_utf8_lossy(&o.stderr), &runs);
    }
}

/// An adapter that dies and, restarted, prints the input it was given on stderr before failing
/// its hello: that stderr is quoted in the report, redacted.
#[test]
fn stderr_quoted_after_a_failed_restart_is_redacted() {
    let files = echo_sample();
    let runs = secret_runs(&files);
    let dir = scratch("stderr");
    let seen = dir.join("seen");
    let s = seen.display();
    let cmd = format!(
        "if [ -f '{s}' ]; then cat '{s}' >&2; exit 1; fi; {HELLO}; IFS= read -r l; printf '%s\\n' \"$l\" > '{s}'; exit 3"
    );
    let r = run_adapter(&cmd, None, &files, opts(5000, 3)).expect("starts");
    assert!(
        r.vectors
            .iter()
            .any(|v| crashed_with(&v.verdict, "its stderr ends")),
        "{:?}",
        r.vectors.iter().take(3).collect::<Vec<_>>()
    );
    assert_no_leak(
        "the report",
        &serde_json::to_string(&r.vectors).unwrap(),
        &runs,
    );
}

/// Markdown, HTML and terminal escapes in what an adapter says are shown, not rendered: in
/// matrix.md, matrix.html and the text report. The JSON keeps the text exact.
#[test]
fn markup_and_escapes_from_an_adapter_are_not_rendered() {
    let name = "evil [click](https://evil.example) ![x](https://evil.example/x.png) <img src=x onerror=alert(1)> **b** | ~~s~~ $x$ &amp; \\u001b[31mred";
    let hello = format!(
        r#"{{"type":"hello","protocol":1,"name":"{name}","version":"<script>alert(1)</script>","language":"sh\u2028\n# heading","profile":"warehouse","kinds":["decode"]}}"#
    );
    let message = r#"[link](https://evil.example) <b>bold</b> | \u001b]0;title\u0007 \u202e"#;
    let cmd = format!(
        "printf '%s\\n' '{hello}'; while IFS= read -r l; do {READ_ID}; printf '{{\"type\":\"response\",\"id\":\"%s\",\"outcome\":\"valid\",\"message\":\"%s\"}}\\n' \"$id\" '{message}'; done"
    );
    let files = first(4);
    let r = run_adapter(&cmd, None, &files, opts(5000, 3)).expect("starts");
    assert!(
        r.hello.name.contains('\u{1b}'),
        "the hello is kept exact: {:?}",
        r.hello
    );
    let dir = scratch("markup");
    let entry = matrix_of("evil", &r, &files, &dir);
    assert!(entry.failed > 0, "{entry:?}");
    let md = std::fs::read_to_string(dir.join("matrix.md")).expect("md");
    // Every active character an adapter sent is escaped (the lines that quote it).
    let quoted: String = md
        .lines()
        .filter(|l| l.contains("evil") || l.contains("link"))
        // The runner's own emphasis of the dangerous class.
        .map(|l| {
            l.replace("(**accepts invalid**)", "")
                .replace("| **1** |", "|")
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(quoted.lines().count() >= 3, "{md}");
    let unescaped = |c: char| {
        quoted
            .match_indices(c)
            .filter(|(i, _)| !quoted[..*i].ends_with('\\'))
            .count()
    };
    for c in ['[', ']', '<', '>', '*', '!', '~', '$', '&'] {
        assert_eq!(unescaped(c), 0, "unescaped {c:?} in\n{md}");
    }
    // The table row has exactly its own pipes.
    let header_pipes = md
        .lines()
        .find(|l| l.starts_with("| implementation"))
        .unwrap()
        .matches('|')
        .count();
    let row = md
        .lines()
        .find(|l| l.starts_with("| evil"))
        .expect("the row");
    assert_eq!(
        row.matches('|').count() - row.matches("\\|").count(),
        header_pipes,
        "{row}"
    );
    assert!(!md.lines().any(|l| l.starts_with("# heading")), "{md}");
    let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html");
    for bad in ["<img", "<script", "<b>bold", "\u{1b}", "\u{202e}"] {
        assert!(!html.contains(bad), "{bad:?} rendered in HTML");
    }
    for bad in ["\u{1b}", "\u{202e}", "\u{2028}"] {
        assert!(!md.contains(bad), "{bad:?} in Markdown");
    }

    for json in [false, true] {
        let mut c = Command::new(EXE);
        c.args(["run", "--adapter", &cmd]);
        if json {
            c.arg("--json");
        }
        let o = c.output().expect("runs");
        let out = String::from_utf8(o.stdout).expect("UTF-8");
        if json {
            let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            assert!(
                v["name"].as_str().unwrap().contains('\u{1b}'),
                "JSON is exact"
            );
        } else {
            for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2028}'] {
                assert!(!out.contains(bad), "{bad:?} reaches the terminal: {out}");
            }
            assert!(out.contains("\\u{1b}"), "{out}");
        }
    }
}

/// A hello whose name would fill a report is refused.
#[test]
fn an_overlong_hello_is_refused() {
    let name = "n".repeat(1000);
    let cmd = format!(
        r#"echo '{{"type":"hello","protocol":1,"name":"{name}","version":"0","language":"sh","profile":"strict","kinds":["decode"]}}'"#
    );
    let err = run_adapter(&cmd, None, &first(1), opts(1000, 1)).expect_err("refused");
    assert!(err.contains("longer than"), "{err}");
}

/// A matrix of no implementation over the first file's categories, skipping `warehouse`.
fn empty_matrix() -> Matrix {
    Matrix {
        caveatspec: "test".into(),
        stamp: Stamp {
            suite_version: "test".into(),
            vectors_sha256: "test".into(),
            date: None,
        },
        vectors: 0,
        categories: first(1).iter().map(|f| f.category.clone()).collect(),
        implementations: Vec::new(),
        skipped: vec![caveatspec_cli::adapter::Skipped {
            id: "warehouse".into(),
            reason: "WAREHOUSE_SRC is not set (optional adapter)".into(),
        }],
    }
}

/// A committed Warehouse matrix (in the shape written before classes were counted) whose
/// every text is hostile, and whose failures repeat one vector id.
fn hostile_committed(version: &str) -> serde_json::Value {
    let category = first(1)[0].category.clone();
    let failure = serde_json::json!({
        "id": "x\"><script>alert(1)</script>",
        "result": "failed",
        "class": "accepts_invalid",
        "why": "</li></ul><img src=x onerror=alert(1)> \u{1b}[31m \u{202e}"
    });
    serde_json::json!({
        "caveatspec": "<script>0</script>",
        "vectors": 3,
        "categories": [category],
        "implementations": [{
            "id": "warehouse",
            "name": "warehouse <script>alert(1)</script>",
            "version": version,
            "language": "Python\u{1b}]0;t\u{7}",
            "profile": "<b>warehouse</b>",
            "passed": 1, "failed": 2, "unsupported": 0, "crashed": 0,
            "cells": [
                {"category": category, "passed": 1, "failed": 2, "unsupported": 0, "crashed": 0,
                 "failures": [failure.clone(), failure]},
                {"category": "<script>c</script>", "passed": 0, "failed": 0, "unsupported": 0,
                 "crashed": 0, "failures": []}
            ]
        }],
        "skipped": []
    })
}

/// What a committed `warehouse/matrix.json` holds is shown, not rendered, with the Warehouse
/// commit its adapter recorded as the version, and the dangerous class counted from its
/// failures (an older file carries no counts).
#[test]
fn a_committed_warehouse_row_is_shown_escaped_with_its_commit() {
    for (version, shown) in [
        ("6b62157124ab", "Warehouse commit <code>6b62157124ab</code>"),
        ("<img src=x>", "Warehouse (commit not recorded)"),
        ("", "Warehouse (commit not recorded)"),
    ] {
        let dir = scratch("committed");
        std::fs::create_dir_all(dir.join("warehouse")).unwrap();
        std::fs::write(
            dir.join("warehouse/matrix.json"),
            hostile_committed(version).to_string(),
        )
        .unwrap();
        write_matrix(&empty_matrix(), &dir).expect("written");
        let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html");
        for bad in [
            "<script",
            "<img",
            "<b>warehouse",
            "</li></ul>",
            "\u{1b}",
            "\u{7}",
            "\u{202e}",
        ] {
            assert!(!html.contains(bad), "{bad:?} rendered in\n{html}");
        }
        assert!(html.contains(shown), "{version:?}: {html}");
        assert!(html.contains("⚠ 2 accepts invalid"), "{html}");
        assert!(html.contains("its row is the committed one"), "{html}");
        // The repeated vector keeps one anchor per listing.
        let ids: Vec<&str> = html
            .split("id=\"")
            .skip(1)
            .map(|v| v.split('"').next().unwrap())
            .collect();
        let unique: HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        assert_eq!(html.matches("<li id=\"r0.v.").count(), 2, "{html}");
        // The run's own matrix.json is this run's only.
        let json = std::fs::read_to_string(dir.join("matrix.json")).unwrap();
        assert!(!json.contains("script"), "{json}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// A committed `warehouse/matrix.json` that is not a matrix stops the page with an error naming
/// the file (rather than a page without PyPI's row), bounded, with nothing written.
#[test]
fn a_damaged_committed_matrix_is_an_error_naming_it() {
    let mut huge = vec![b' '; (16 << 20) + 1];
    huge.extend_from_slice(br#"{"caveatspec":"0","vectors":0,"implementations":[]}"#);
    let mut repeated = hostile_committed("0").to_string().into_bytes();
    repeated.extend_from_slice(&repeated.clone());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("truncated", br#"{"caveatspec":"0","vectors":3,"implem"#.to_vec()),
        ("invalid UTF-8", b"{\"caveatspec\":\"\xff\xfe\",\"vectors\":0,\"implementations\":[]}".to_vec()),
        ("not an object", b"[]".to_vec()),
        (
            "control characters",
            "{\"caveatspec\":\"0\",\"vectors\":0,\"implementations\":[{\"id\":\"\u{1b}[31m\u{202e}\"}]}"
                .as_bytes()
                .to_vec(),
        ),
        ("repeated", repeated),
        ("huge", huge),
    ];
    for (what, bytes) in cases {
        let dir = scratch("damaged");
        std::fs::create_dir_all(dir.join("warehouse")).unwrap();
        std::fs::write(dir.join("warehouse/matrix.json"), bytes).unwrap();
        let e = write_matrix(&empty_matrix(), &dir).expect_err(what);
        let e = e.to_string();
        assert!(e.contains("warehouse/matrix.json"), "{what}: {e}");
        assert!(!e.contains(['\u{1b}', '\u{202e}']), "{what}: {e:?}");
        assert!(e.len() < 1000, "{what}: {e}");
        assert!(
            !dir.join("matrix.html").exists(),
            "{what}: a page was written"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
    // A folder where the file should be.
    let dir = scratch("damaged-dir");
    std::fs::create_dir_all(dir.join("warehouse/matrix.json")).unwrap();
    let e = write_matrix(&empty_matrix(), &dir).expect_err("a folder");
    assert!(e.to_string().contains("warehouse/matrix.json"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}
