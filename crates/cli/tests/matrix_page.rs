//! The conformance matrix page (`matrix.html`) as a reader meets it: one table per family of
//! categories that the same implementations answer, every failing vector listed under the
//! tables with an anchor its cell links to, and the same bytes from the same inputs.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use caveatspec_cli::adapter::{run_adapter, write_matrix, ImplEntry, Matrix, RunOptions, Stamp};
use caveatspec_vectors::{self as vectors, VectorFile};
use serde_json::Value;

const EXE: &str = env!("CARGO_BIN_EXE_caveatspec");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The first three vectors of every shipped file.
fn sample() -> Vec<VectorFile> {
    let mut files = vectors::shipped().expect("shipped vectors load");
    for f in &mut files {
        f.vectors.truncate(3);
    }
    files
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("caveatspec-page-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// An adapter named `name` that declares `kinds` and answers every vector "valid": it fails
/// every invalid vector of its kinds in the dangerous class.
fn yes_sayer(name: &str, kinds: &[&str]) -> String {
    let kinds: Vec<String> = kinds.iter().map(|k| format!("\"{k}\"")).collect();
    format!(
        r#"echo '{{"type":"hello","protocol":1,"name":"{name}","version":"1","language":"sh","profile":"warehouse","kinds":[{}]}}'; while IFS= read -r l; do id=$(printf '%s' "$l" | sed 's/^{{"type":"request","id":"\([^"]*\)".*/\1/'); printf '{{"type":"response","id":"%s","outcome":"valid"}}\n' "$id"; done"#,
        kinds.join(",")
    )
}

/// The reference (answers every category), a macaroon-only and a JOSE-only implementation.
fn three_rows(files: &[VectorFile]) -> Matrix {
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let opts = RunOptions {
        timeout: Duration::from_secs(10),
        hello_timeout: Duration::from_secs(30),
        max_hangs: 3,
    };
    let adapters = [
        ("reference", format!("'{EXE}' adapter --profile strict")),
        (
            "macaroons",
            yes_sayer("macaroons-only", &["decode", "caveat", "verify"]),
        ),
        (
            "jose",
            yes_sayer("jose-only", &["dpop_proof", "jwk_thumbprint", "atr_jwt"]),
        ),
    ];
    let implementations: Vec<ImplEntry> = adapters
        .iter()
        .map(|(id, cmd)| {
            let r = run_adapter(cmd, None, files, opts).expect("starts");
            ImplEntry::from_report(id, &r, &categories)
        })
        .collect();
    Matrix {
        caveatspec: "test".into(),
        stamp: Stamp {
            suite_version: vectors::SUITE_VERSION.into(),
            vectors_sha256: "test".into(),
            date: None,
        },
        vectors: files.iter().map(|f| f.vectors.len()).sum(),
        categories,
        implementations,
        skipped: Vec::new(),
    }
}

/// The categories a row answers (passed, failed or crashed on at least one vector).
fn answered(i: &ImplEntry) -> BTreeSet<String> {
    i.cells
        .iter()
        .filter(|c| c.passed + c.failed + c.crashed > 0)
        .map(|c| c.category.clone())
        .collect()
}

/// Each `<table>` of the page above the by-basis table: its category headers and its body.
fn tables(html: &str) -> Vec<(BTreeSet<String>, String)> {
    let categories = html.split("<h2 id=\"by-basis\">").next().expect("a page");
    categories
        .split("<table>")
        .skip(1)
        .map(|t| {
            let t = t.split("</table>").next().expect("closed");
            let head = t.split("</thead>").next().expect("a head");
            let cats = head
                .split("<th>")
                .skip(2)
                .map(|h| h.split("</th>").next().unwrap().replace("<wbr>", ""))
                .collect();
            (cats, t.to_owned())
        })
        .collect()
}

/// The values of every `attr="…"` in the page.
fn values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    html.split(&format!("{attr}=\""))
        .skip(1)
        .map(|v| v.split('"').next().unwrap())
        .collect()
}

#[test]
fn one_table_per_family_of_categories() {
    let files = sample();
    let m = three_rows(&files);
    let dir = scratch("families");
    write_matrix(&m, &dir).expect("written");
    let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html");
    let found = tables(&html);
    let [reference, macaroons, jose] = [0, 1, 2].map(|i| answered(&m.implementations[i]));
    assert!(
        !macaroons.is_empty() && !jose.is_empty(),
        "{macaroons:?} {jose:?}"
    );
    let rest: BTreeSet<String> = reference
        .iter()
        .filter(|c| !macaroons.contains(*c) && !jose.contains(*c))
        .cloned()
        .collect();
    let families: BTreeSet<BTreeSet<String>> = found.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(found.len(), 3, "{html}");
    assert_eq!(
        families,
        BTreeSet::from([macaroons.clone(), jose.clone(), rest]),
        "{html}"
    );
    // The reference has a row in every table; each partial implementation in its own only.
    for (cats, body) in &found {
        assert!(
            body.contains("\"row\">caveatspec <small>"),
            "{cats:?}: {body}"
        );
        assert_eq!(
            body.contains("macaroons-only"),
            *cats == macaroons,
            "{cats:?}"
        );
        assert_eq!(body.contains("jose-only"), *cats == jose, "{cats:?}");
    }
}

#[test]
fn every_failing_vector_has_an_anchor_its_cell_links_to() {
    let files = sample();
    let m = three_rows(&files);
    let dir = scratch("anchors");
    write_matrix(&m, &dir).expect("written");
    let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html");
    let ids = values(&html, "id");
    let unique: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an anchor twice: {ids:?}");
    let links: HashSet<&str> = values(&html, "href")
        .into_iter()
        .filter_map(|h| h.strip_prefix('#'))
        .collect();
    for l in &links {
        assert!(unique.contains(l), "a link to nowhere: #{l}");
    }
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("matrix.json")).expect("json"))
            .expect("JSON");
    let mut failing = 0;
    let mut dangerous = 0;
    for (row, i) in json["implementations"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for c in i["cells"].as_array().unwrap() {
            let failures = c["failures"].as_array().unwrap();
            if failures.is_empty() {
                continue;
            }
            // The cell links to its list, which is under the tables.
            let section = format!("r{row}.c.{}", c["category"].as_str().unwrap());
            assert!(links.contains(section.as_str()), "no link to {section}");
            let at = html.find(&format!("id=\"{section}\"")).expect("section");
            assert!(
                at > html.rfind("</table>").unwrap(),
                "{section} inside a table"
            );
            for f in failures {
                failing += 1;
                let id = f["id"].as_str().unwrap();
                let item = html
                    .lines()
                    .find(|l| {
                        l.starts_with(&format!("<li id=\"r{row}.v."))
                            && l.contains(&format!("<code>{id}</code>"))
                    })
                    .unwrap_or_else(|| panic!("no anchor for {id} of row {row}"));
                let anchor = values(item, "id")[0];
                assert!(item.contains(&format!("href=\"#{anchor}\"")), "{item}");
                if f["class"] == "accepts_invalid" {
                    dangerous += 1;
                    assert!(
                        item.contains("cls accepts_invalid\">⚠ accepts invalid"),
                        "{item}"
                    );
                }
            }
        }
    }
    assert!(failing > 0 && dangerous > 0, "{failing} {dangerous}");
    assert!(!html.contains("<details"), "failures inside cells");
}

/// `caveatspec matrix --only ID` into `dir`, with `date` as SOURCE_DATE_EPOCH when given.
fn matrix_cli(dir: &PathBuf, date: Option<&std::ffi::OsStr>) -> std::process::Output {
    let mut c = Command::new(EXE);
    c.args(["matrix", "--out"])
        .arg(dir)
        .args(["--config", &format!("{ROOT}/adapters/adapters.json")])
        .args(["--only", "reference-strict"])
        .env_remove("SOURCE_DATE_EPOCH");
    if let Some(d) = date {
        c.env("SOURCE_DATE_EPOCH", d);
    }
    c.output().expect("runs")
}

#[test]
fn the_same_run_gives_the_same_bytes_and_names_its_vector_set() {
    let (a, b, dated) = (scratch("run-a"), scratch("run-b"), scratch("run-dated"));
    for d in [&a, &b] {
        let o = matrix_cli(d, None);
        assert!(o.status.success(), "{o:?}");
    }
    for name in ["matrix.json", "matrix.md", "matrix.html"] {
        let read = |d: &PathBuf| std::fs::read(d.join(name)).expect("written");
        assert!(read(&a) == read(&b), "{name} differs between two runs");
    }
    let json: Value =
        serde_json::from_slice(&std::fs::read(a.join("matrix.json")).unwrap()).unwrap();
    assert!(
        json["stamp"].get("date").is_none(),
        "a date without SOURCE_DATE_EPOCH"
    );
    // The hash is the one a release of the vectors states.
    let release = scratch("release");
    let o = Command::new(EXE)
        .args(["bundle", "--out"])
        .arg(&release)
        .output()
        .expect("bundle runs");
    assert!(o.status.success(), "{o:?}");
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(
            release
                .join(format!("caveatspec-vectors-{}", vectors::SUITE_VERSION))
                .join("manifest.json"),
        )
        .expect("manifest"),
    )
    .unwrap();
    assert_eq!(json["stamp"]["vectors_sha256"], manifest["set_sha256"]);
    assert_eq!(json["stamp"]["suite_version"], manifest["version"]);
    let html = std::fs::read_to_string(a.join("matrix.html")).unwrap();
    let hash = manifest["set_sha256"].as_str().unwrap();
    assert!(
        html.contains(&format!("<code>{hash}</code>")),
        "no stamp in the page"
    );
    // SOURCE_DATE_EPOCH, when set, gives the date (UTC) in both.
    let o = matrix_cli(&dated, Some("1764720000".as_ref()));
    assert!(o.status.success(), "{o:?}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(dated.join("matrix.json")).unwrap()).unwrap();
    assert_eq!(json["stamp"]["date"], "2025-12-03");
    let html = std::fs::read_to_string(dated.join("matrix.html")).unwrap();
    assert!(html.contains(" · 2025-12-03 · "), "no date in the page");
    for d in [a, b, dated, release] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_bad_source_date_epoch_is_a_usage_error_before_anything_runs() {
    use std::os::unix::ffi::OsStrExt;
    let huge = "9".repeat(100_000);
    let bad: Vec<&std::ffi::OsStr> = vec![
        "-1".as_ref(),
        "1e9".as_ref(),
        "17647200 ".as_ref(),
        "1764720000\n1764720000".as_ref(),
        "\u{1b}[31m1\u{202e}".as_ref(),
        "253402300800".as_ref(),
        "99999999999999999999999".as_ref(),
        huge.as_ref(),
        std::ffi::OsStr::from_bytes(b"17\xff\xfe"),
    ];
    for value in bad {
        let dir = scratch("bad-date");
        let out = dir.join("out");
        let o = matrix_cli(&out, Some(value));
        let err = String::from_utf8(o.stderr).expect("UTF-8 stderr");
        assert_eq!(o.status.code(), Some(2), "{value:?}: {err}");
        assert!(err.contains("SOURCE_DATE_EPOCH"), "{err}");
        assert!(err.len() < 400, "the error quotes all of it: {err}");
        assert!(
            !err.contains(['\u{1b}', '\u{202e}', '\u{fffd}']),
            "raw in the error: {err:?}"
        );
        assert!(!out.exists(), "{value:?}: wrote a matrix");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The "By basis" table: one row per implementation, a column per basis class, each cell
/// passed/answered over the vectors whose expectation has that basis, in the page and in
/// matrix.md alike.
#[test]
fn the_by_basis_table_counts_each_row_by_what_its_vectors_follow() {
    use caveatspec_vectors::{basis_for, BasisClass, Profile};
    let files = sample();
    let m = three_rows(&files);
    let dir = scratch("by-basis");
    write_matrix(&m, &dir).expect("written");
    // The JOSE-only row answers "valid" to every dpop_proof, jwk_thumbprint and atr_jwt vector.
    let mut jose: std::collections::BTreeMap<BasisClass, (usize, usize)> = Default::default();
    let mut reference: std::collections::BTreeMap<BasisClass, usize> = Default::default();
    for v in files.iter().flat_map(|f| &f.vectors) {
        let class = basis_for(v, Profile::Strict).class();
        *reference.entry(class).or_default() += 1;
        let jose_kind = matches!(
            v.kind,
            vectors::Kind::DpopProof | vectors::Kind::JwkThumbprint | vectors::Kind::AtrJwt
        );
        if jose_kind {
            let e = vectors::expected_for(v, Profile::Strict).expect("expected");
            let n = jose.entry(class).or_default();
            n.0 += usize::from(e["valid"] == true);
            n.1 += 1;
        }
    }
    let cell = |passed: usize, answered: usize| {
        if answered == 0 {
            "—".to_owned()
        } else {
            format!("{passed}/{answered}")
        }
    };
    let md = std::fs::read_to_string(dir.join("matrix.md")).expect("md");
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("**By basis.**"))
        .filter(|l| l.starts_with("| "))
        .collect();
    assert_eq!(
        table[0], "| implementation | profile | rfc | pypi | atr | policy | open |",
        "{md}"
    );
    let row = |name: &str| -> Vec<String> {
        table
            .iter()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("a row for {name}: {md}"))
            .split('|')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .skip(2)
            .collect()
    };
    let want_reference: Vec<String> = BasisClass::ALL
        .iter()
        .map(|c| {
            let n = reference.get(c).copied().unwrap_or(0);
            cell(n, n)
        })
        .collect();
    assert_eq!(row("caveatspec"), want_reference);
    let want_jose: Vec<String> = BasisClass::ALL
        .iter()
        .map(|c| {
            let (p, n) = jose.get(c).copied().unwrap_or((0, 0));
            cell(p, n)
        })
        .collect();
    assert_eq!(row("jose-only"), want_jose);
    let html = std::fs::read_to_string(dir.join("matrix.html")).expect("html");
    let by_basis = html
        .split("<h2 id=\"by-basis\">")
        .nth(1)
        .expect("a by-basis section");
    let by_basis = by_basis.split("</table>").next().expect("its table");
    for c in BasisClass::ALL {
        assert!(
            by_basis.contains(&format!("<th>{}</th>", c.name())),
            "{by_basis}"
        );
    }
    for text in want_jose.iter().chain(&want_reference) {
        assert!(
            by_basis.contains(&format!("<b>{text}</b>")),
            "{text}: {by_basis}"
        );
    }
}
