//! One test per decision of `spec/adapter-protocol.md` § "Decisions" that the runner enforces:
//! what `profile` means for kinds without one, the reserved answer for a replay vector whose
//! earlier proof the library refused, codes written by an adapter's glue, partial and misspelt
//! values, and V1 tokens under the warehouse profile.
//!
//! The adapter is a sh script that answers from a file of canned responses (one JSON line per
//! vector id, anything else `unsupported`) and logs every request it reads, run by
//! `caveatspec run --json` on a scratch folder holding only the vectors a test names.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use caveatspec_vectors::{self as vectors, expected_for, Profile, Vector, VectorFile};
use serde_json::{json, Value};

const EXE: &str = env!("CARGO_BIN_EXE_caveatspec");

/// The kinds every canned adapter declares.
const KINDS: &str = r#"["decode","caveat","verify","mint","restrict","dpop_proof","jwk_thumbprint","atr_jwt","atr_dpop_request","macaroon_dpop_request"]"#;

/// A replay vector expected invalid (`dpop.replay`), and one expected valid.
const REPLAYED: &str = "dpop/replay/after-two";
const FRESH_AFTER_EARLIER: &str = "dpop/replay/other-jti";
/// A V1 token: PyPI answers it with an internal error, the strict profile refuses it.
const V1_TOKEN: &str = "verify/signature/v1-token";

struct Scratch {
    dir: PathBuf,
    vectors: BTreeMap<String, Vector>,
}

impl Scratch {
    /// A scratch folder with the shipped vectors `ids` (in their own category files).
    fn with(name: &str, ids: &[&str]) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("caveatspec-decide-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("vectors")).expect("scratch folder");
        let mut vectors = BTreeMap::new();
        for mut file in vectors::shipped().expect("shipped vectors") {
            file.vectors.retain(|v| ids.contains(&v.id.as_str()));
            if file.vectors.is_empty() {
                continue;
            }
            file.number_of_vectors = file.vectors.len();
            let path = dir.join(format!("vectors/{}.json", file.category));
            std::fs::write(path, serde_json::to_string(&file).expect("serializes"))
                .expect("vector file written");
            let VectorFile { vectors: vs, .. } = file;
            vectors.extend(vs.into_iter().map(|v| (v.id.clone(), v)));
        }
        assert_eq!(vectors.len(), ids.len(), "every named vector is shipped");
        Scratch { dir, vectors }
    }

    /// The warehouse expectation of vector `id`.
    fn expected(&self, id: &str) -> &Value {
        expected_for(&self.vectors[id], Profile::Warehouse).expect("an expectation")
    }

    /// An adapter of `profile` answering each `(id, response)`; a response is the protocol's
    /// without `type` and `id`.
    fn adapter(&self, profile: &str, answers: &[(&str, Value)]) -> String {
        let mut lines = String::new();
        for (id, body) in answers {
            let mut r = json!({"type": "response", "id": id});
            r.as_object_mut()
                .expect("object")
                .extend(body.as_object().expect("a response body").clone());
            lines.push_str(&format!("{r}\n"));
        }
        let canned = self.dir.join("answers.jsonl");
        std::fs::write(&canned, lines).expect("answers written");
        format!(
            r#"echo '{{"type":"hello","protocol":1,"name":"canned","version":"0","language":"sh","profile":"{profile}","kinds":{KINDS}}}'; "#
        ) + &format!(
            r#"while IFS= read -r l; do printf '%s\n' "$l" >> '{log}'; id=$(printf '%s' "$l" | sed 's/^{{"type":"request","id":"\([^"]*\)".*/\1/'); r=$(grep -F -m1 "\"id\":\"$id\"" '{canned}') || r="{{\"type\":\"response\",\"id\":\"$id\",\"outcome\":\"unsupported\"}}"; printf '%s\n' "$r"; done"#,
            log = self.log().display(),
            canned = canned.display(),
        )
    }

    fn log(&self) -> PathBuf {
        self.dir.join("requests.jsonl")
    }

    /// The requests the adapter read, by vector id.
    fn requests(&self) -> BTreeMap<String, Value> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("a request line"))
            .map(|r| (r["id"].as_str().expect("id").to_owned(), r))
            .collect()
    }

    /// `caveatspec run DIR --adapter ADAPTER --json`, and its report.
    fn run(&self, adapter: &str) -> (Output, Value) {
        let _ = std::fs::remove_file(self.log());
        let o = Command::new(EXE)
            .arg("run")
            .arg(self.dir.join("vectors"))
            .args(["--adapter", adapter, "--json"])
            .output()
            .expect("caveatspec runs");
        let report = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
        (o, report)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The failures of a report, by vector id: `(class, why)`.
fn failures(report: &Value) -> BTreeMap<String, (String, String)> {
    report["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .flat_map(|c| c["failures"].as_array().expect("failures"))
        .map(|f| {
            (
                f["id"].as_str().expect("id").to_owned(),
                (
                    f["class"].as_str().expect("class").to_owned(),
                    f["why"].as_str().unwrap_or_default().to_owned(),
                ),
            )
        })
        .collect()
}

/// A kind without profiles is judged the same whichever profile the hello names, and its
/// requests carry the hello's profile; a per-profile kind is not (the test's control).
#[test]
fn profile_less_kinds_are_judged_alike_under_either_profile() {
    let ids = [
        REPLAYED,
        FRESH_AFTER_EARLIER,
        "dpop/thumbprint/rfc7638-rsa",
        "mint/project-token",
        V1_TOKEN,
    ];
    let s = Scratch::with("profile", &ids);
    let mut answers: Vec<(&str, Value)> = ids[..4]
        .iter()
        .map(|id| (*id, json!({"outcome": "valid"})))
        .collect();
    answers.push((
        V1_TOKEN,
        json!({"outcome": "invalid", "codes": ["macaroon.v1_unsupported"]}),
    ));
    let (_, warehouse) = s.run(&s.adapter("warehouse", &answers));
    let warehouse_requests = s.requests();
    let (_, strict) = s.run(&s.adapter("strict", &answers));
    let strict_requests = s.requests();

    let (mut w, mut st) = (failures(&warehouse), failures(&strict));
    assert_eq!(
        w.remove(V1_TOKEN).map(|f| f.0).as_deref(),
        Some("wrong_codes")
    );
    assert_eq!(st.remove(V1_TOKEN), None, "{strict}");
    assert_eq!(w, st, "the profile-less vectors are judged alike");
    assert!(
        w.contains_key(REPLAYED),
        "the valid answer to a replay fails: {w:?}"
    );
    for id in &ids[..4] {
        assert_eq!(warehouse_requests[*id]["profile"], "warehouse");
        assert_eq!(strict_requests[*id]["profile"], "strict");
    }
}

/// `adapter.earlier_proof_refused` fails a replay vector as refusing a valid proof, both the
/// one that expects the replay to be refused and the one that expects acceptance.
#[test]
fn an_earlier_proof_refused_fails_the_vector_whatever_it_expects() {
    let s = Scratch::with("earlier", &[REPLAYED, FRESH_AFTER_EARLIER]);
    let refused = json!({
        "outcome": "invalid",
        "codes": ["adapter.earlier_proof_refused"],
        "message": "earlier proof 0 refused: signature does not verify",
    });
    assert_eq!(s.expected(REPLAYED)["valid"], false);
    assert_eq!(s.expected(FRESH_AFTER_EARLIER)["valid"], true);
    let (o, report) = s.run(&s.adapter(
        "strict",
        &[(REPLAYED, refused.clone()), (FRESH_AFTER_EARLIER, refused)],
    ));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let f = failures(&report);
    for id in [REPLAYED, FRESH_AFTER_EARLIER] {
        let (class, why) = &f[id];
        assert_eq!(class, "refuses_valid", "{id}: {why}");
        assert!(
            why.contains("refused an earlier proof") && why.contains("earlier proof 0"),
            "{why}"
        );
    }
    assert_eq!(report["passed"], 0);
}

/// The reserved namespace holds one code, for one situation: any other `adapter.` code, the
/// code on a vector with no earlier proofs, or with a `valid` verdict is a protocol error,
/// reported as such with the adapter's text escaped and bounded.
#[test]
fn reserved_codes_are_refused_where_they_do_not_belong() {
    let no_replay = "dpop/rfc/figure-2";
    let s = Scratch::with("reserved", &[REPLAYED, FRESH_AFTER_EARLIER, no_replay]);
    let huge = format!("adapter.{}\u{7}", "x".repeat(100_000));
    let (_, report) = s.run(&s.adapter(
        "strict",
        &[
            (
                REPLAYED,
                json!({"outcome": "invalid", "codes": ["dpop.replay", huge]}),
            ),
            (
                FRESH_AFTER_EARLIER,
                json!({"outcome": "valid", "codes": ["adapter.earlier_proof_refused"]}),
            ),
            (
                no_replay,
                json!({"outcome": "invalid", "codes": ["adapter.earlier_proof_refused"]}),
            ),
        ],
    ));
    let f = failures(&report);
    assert_eq!(f.len(), 3, "{f:?}");
    for (id, (class, why)) in &f {
        assert_eq!(class, "crashed", "{id}");
        assert!(why.starts_with("protocol error: "), "{id}: {why}");
        assert!(why.len() < 2_000, "{id}: the reason is bounded");
        assert!(
            !why.contains('\u{7}'),
            "{id}: control characters are escaped"
        );
    }
    assert!(f[REPLAYED].1.contains("reserved"), "{:?}", f[REPLAYED]);
    assert!(
        f[no_replay].1.contains("earlier proofs"),
        "{:?}",
        f[no_replay]
    );
    assert_eq!(report["crashed"], 3);
}

/// Codes are compared whoever wrote them; an adapter that does not know which check refused
/// sends none, passes on its verdict, and is counted as refusing without codes.
#[test]
fn codes_are_compared_whoever_wrote_them() {
    let (glued, bare) = (REPLAYED, "dpop/replay/figure-13-again");
    let s = Scratch::with("codes", &[glued, bare]);
    for id in [glued, bare] {
        assert_eq!(s.expected(id)["codes"], json!(["dpop.replay"]), "{id}");
    }
    let (_, report) = s.run(&s.adapter(
        "strict",
        &[
            (glued, json!({"outcome": "invalid", "codes": ["dpop.htm"]})),
            (bare, json!({"outcome": "invalid", "message": "refused"})),
        ],
    ));
    let f = failures(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[glued].0, "wrong_codes", "{:?}", f[glued]);
    assert_eq!(report["passed"], 1);
    assert_eq!(report["invalid_without_codes"], 1);
}

/// A value may hold any of the kind's fields, each compared; a field the kind does not have is
/// a protocol error, whatever its name holds.
#[test]
fn a_value_may_be_partial_but_not_misspelt() {
    let partial = FRESH_AFTER_EARLIER;
    let (wrong, misspelt, foreign) = (
        "dpop/replay/same-jti-after-expiry",
        "dpop/replay/same-jti-other-key",
        "dpop/replay/figure-7-after-figure-2",
    );
    let s = Scratch::with("value", &[partial, wrong, misspelt, foreign]);
    let jti = |id: &str| s.expected(id)["jti"].clone();
    let bidi = "jkt\u{202e}\u{0}";
    let (o, report) = s.run(&s.adapter(
        "strict",
        &[
            (
                partial,
                json!({"outcome": "valid", "value": {"jti": jti(partial)}}),
            ),
            (
                wrong,
                json!({"outcome": "valid", "value": {"jti": "not-the-jti"}}),
            ),
            (
                misspelt,
                json!({"outcome": "valid", "value": {"jti": jti(misspelt), bidi: "x"}}),
            ),
            (
                foreign,
                json!({"outcome": "valid", "value": {"thumbprint": "x", "jti": jti(foreign)}}),
            ),
        ],
    ));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let f = failures(&report);
    assert!(!f.contains_key(partial), "{f:?}");
    assert_eq!(f[wrong].0, "wrong_value");
    for id in [misspelt, foreign] {
        let (class, why) = &f[id];
        assert_eq!(class, "crashed", "{id}");
        assert!(
            why.contains("a value field that is not one of a dpop_proof vector's (jkt, jti)"),
            "{why}"
        );
        assert!(!why.contains('\u{202e}') && !why.contains('\u{0}'), "{why}");
    }
    assert_eq!(report["passed"], 1);
}

/// PyPI answers a V1 token with an internal error: an adapter answers what its library does,
/// so a refusal without codes passes on its verdict, and a library's own V1 code is judged
/// against the profile the hello names.
#[test]
fn v1_tokens_are_judged_on_what_the_library_does() {
    let s = Scratch::with("v1", &[V1_TOKEN]);
    assert_eq!(
        s.expected(V1_TOKEN)["codes"],
        json!(["macaroon.v1_server_error"])
    );
    let bare = [(V1_TOKEN, json!({"outcome": "invalid"}))];
    let (o, _) = s.run(&s.adapter("warehouse", &bare));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let coded = [(
        V1_TOKEN,
        json!({"outcome": "invalid", "codes": ["macaroon.v1_unsupported"]}),
    )];
    let (o, report) = s.run(&s.adapter("warehouse", &coded));
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(failures(&report)[V1_TOKEN].0, "wrong_codes");
    let (o, _) = s.run(&s.adapter("strict", &coded));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}

/// The protocol's schema says what the runner enforces: the reserved namespace holds the one
/// code, no specification code is in it, and a value's fields are the kinds' value fields.
#[test]
fn the_schema_and_the_codes_agree_with_the_runner() {
    use caveatspec_cli::adapter::{EARLIER_PROOF_REFUSED, RESERVED};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(root.join(p)).expect(p)).expect(p)
    };
    let schema = read("spec/adapter-protocol.schema.json");
    let response = &schema["$defs"]["response"]["properties"];
    let any_of = &response["codes"]["items"]["anyOf"];
    assert_eq!(
        any_of[0]["not"]["pattern"],
        format!("^{}", RESERVED.replace('.', "\\."))
    );
    assert_eq!(any_of[1]["const"], EARLIER_PROOF_REFUSED);
    let value = &response["value"];
    assert_eq!(value["additionalProperties"], false);
    let mut listed: Vec<&str> = value["properties"]
        .as_object()
        .expect("value properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut fields: Vec<&str> = caveatspec_vectors::Kind::ALL
        .iter()
        .flat_map(|k| k.value_fields().iter().copied())
        .collect();
    listed.sort_unstable();
    fields.sort_unstable();
    fields.dedup();
    assert_eq!(listed, fields);

    let codes = read("spec/codes.json").to_string();
    assert!(
        codes.contains("\"code\":\"token.no_prefix\""),
        "codes are read"
    );
    assert!(
        !codes.contains(&format!("\"code\":\"{RESERVED}")),
        "no code is reserved"
    );
}

/// An answer holding a lone surrogate escape (what a library hands back when it accepts a claim
/// holding one) is judged like any other answer, not taken for garbage: accepting a vector that
/// expects refusal fails it as accepts_invalid, never as crashed.
#[test]
fn an_answer_holding_a_lone_surrogate_is_judged() {
    let (lone, pair) = (
        "atr-jwt/pyjson/sub-lone-surrogate",
        "atr-jwt/pyjson/jti-lone-surrogate",
    );
    let s = Scratch::with("surrogate", &[lone, pair]);
    let accepted = |sub: &str| json!({"outcome": "valid", "value": {"sub": sub, "jti": "j"}});
    let cmd = s.adapter(
        "strict",
        &[(lone, accepted("LONE")), (pair, accepted("PAIR"))],
    );
    // The canned lines are JSON text: the escapes go in where the markers are, a lone high and
    // a lone low surrogate, an escaped backslash before `ud800`, and a proper pair.
    let canned = s.dir.join("answers.jsonl");
    let text = std::fs::read_to_string(&canned)
        .expect("answers")
        .replace("\"LONE\"", r#""\ud800 \\ud800 \udc00""#)
        .replace("\"PAIR\"", r#""\ud83d\ude00""#);
    std::fs::write(&canned, text).expect("answers written");
    let (o, report) = s.run(&cmd);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let f = failures(&report);
    for id in [lone, pair] {
        assert_eq!(f[id].0, "accepts_invalid", "{id}: {}", f[id].1);
    }
}
