//! The command line as a person or a script uses it.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod atrvec;
mod rfc;
use rfc::{
    FIG13, FIG13_IAT, FIG13_TOKEN, FIG13_URL, RFC8037_JKT, RFC8037_JWK, RFC8037_PRIVATE_JWK,
    RFC9449_JKT, RFC9449_JWK,
};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const IDENT: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
const USER: &str = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b";
const PID: &str = "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41";
/// pymacaroons' token for KEY, IDENT, pypi.org and `[1,["sampleproject"]]`, `[2,[PID]]`
/// (published in the research notes on PyPI tokens; also vector `mint/research-key-project`).
const PROJECT_TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgACFVsxLFsic2FtcGxlcHJvamVjdCJdXQACLFsyLFsiMGQ2YjZhOGUtMmYwYy00ZjhlLThhM2ItNWI3ZTFjOWQyYTQxIl1dAAAGIAaLcuARMgPdpPJbZ9Tb6AMm4s4VKWSNYA322qKgE5RG";

/// The environment variables that may hold a secret: cleared for every run, so that the
/// tests do not depend on the environment they run in.
const SECRET_ENV: [&str; 3] = [
    "CAVEATSPEC_KEY_HEX",
    "CAVEATSPEC_ACCESS_TOKEN",
    "CAVEATSPEC_ATR_KEY",
];

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_caveatspec"));
    for var in SECRET_ENV {
        c.env_remove(var);
    }
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn run_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("the binary finishes")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn run_passes_every_shipped_vector_and_ends_with_the_count_line() {
    let o = run(&["run"]);
    assert!(o.status.success(), "{}", stdout(&o));
    let out = stdout(&o);
    let last = out.lines().last().expect("a last line");
    let (passed, failed) = last.split_once(" passed, ").expect("N passed, M failed");
    assert!(passed.parse::<usize>().expect("a number") > 700, "{last}");
    assert_eq!(failed, "0 failed");
    assert!(
        out.contains("caveat-parsing"),
        "summary per category: {out}"
    );
}

#[test]
fn run_json_reports_categories() {
    let o = run(&["run", "--profile", "strict", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["failed"], 0);
    assert_eq!(v["crashed"], 0);
    assert_eq!(v["profile"], "strict");
    assert_eq!(v["classes"]["accepts_invalid"], 0);
    assert_eq!(
        v["cells"].as_array().map(Vec::len),
        Some(caveatspec_vectors::SHIPPED.len())
    );
}

#[test]
fn mint_reproduces_the_published_project_token() {
    let o = run(&[
        "mint",
        "--key-hex",
        KEY,
        "--identifier",
        IDENT,
        "--project",
        "sampleproject",
        "--project-id",
        PID,
    ]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), PROJECT_TOKEN);
}

#[test]
fn verify_json_gives_pypis_verdict_and_message() {
    let ok = run(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1700000000",
        "--project",
        "SampleProject",
        "--project-id",
        PID,
        "--user-id",
        USER,
        "--json",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!({"valid": true, "codes": [], "message": "signature and caveats OK"})
    );

    let other = run(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1700000000",
        "--project",
        "Other.Thing",
        "--project-id",
        "1e7c7b9f-3a1d-4a9f-9b4c-6c8f2d0e3b52",
        "--user-id",
        USER,
        "--json",
    ]);
    assert_eq!(other.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&other.stdout).expect("JSON");
    assert_eq!(
        v["codes"],
        serde_json::json!(["project_name.mismatch", "project_id.mismatch"])
    );
    assert_eq!(
        v["message"],
        "project-scoped token is not valid for project: 'Other.Thing', project-scoped token is not valid for project: 'Other.Thing'"
    );
}

#[test]
fn verify_applies_issued_caveats_and_the_strict_profile() {
    let o = run(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1700000000",
        "--project",
        "sampleproject",
        "--project-id",
        PID,
        "--user-id",
        USER,
        "--issued-caveat",
        "[0,10,0]",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["message"], "token is expired");

    let wrong_key = run(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        &"00".repeat(32),
        "--now",
        "1",
        "--profile",
        "strict",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&wrong_key.stdout).expect("JSON");
    assert_eq!(
        v["codes"],
        serde_json::json!(["signature.mismatch"]),
        "strict checks the signature first"
    );
}

#[test]
fn restrict_then_verify_round_trip_through_stdin() {
    let r = run_stdin(
        &[
            "restrict",
            "-",
            "--not-before",
            "100",
            "--not-after",
            "200",
            "--user-id",
            USER,
        ],
        PROJECT_TOKEN,
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let narrowed = stdout(&r).trim().to_owned();
    assert!(narrowed.starts_with("pypi-") && narrowed.len() > PROJECT_TOKEN.len());
    let args = |now: &'static str| {
        vec![
            "verify",
            "-",
            "--key-hex",
            KEY,
            "--now",
            now,
            "--project",
            "sampleproject",
            "--project-id",
            PID,
            "--user-id",
            USER,
        ]
    };
    assert_eq!(run_stdin(&args("150"), &narrowed).status.code(), Some(0));
    assert_eq!(run_stdin(&args("200"), &narrowed).status.code(), Some(1));
}

#[test]
fn restrict_bind_jkt_then_verify_with_proof_jkt() {
    let r = run(&["restrict", PROJECT_TOKEN, "--bind-jkt", RFC9449_JKT]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let bound = stdout(&r).trim().to_owned();
    let verify = |profile: &'static str, proof: Option<&'static str>| {
        let mut args = vec![
            "verify",
            bound.as_str(),
            "--key-hex",
            KEY,
            "--now",
            "1700000000",
            "--project",
            "sampleproject",
            "--project-id",
            PID,
            "--profile",
            profile,
            "--json",
        ];
        if let Some(p) = proof {
            args.extend(["--proof-jkt", p]);
        }
        let o = run(&args);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        (o.status.code(), v["codes"].clone())
    };
    assert_eq!(
        verify("strict", Some(RFC9449_JKT)),
        (Some(0), serde_json::json!([]))
    );
    assert_eq!(
        verify("strict", Some(RFC8037_JKT)),
        (Some(1), serde_json::json!(["key_binding.mismatch"]))
    );
    assert_eq!(
        verify("strict", None),
        (Some(1), serde_json::json!(["key_binding.no_proof"]))
    );
    // PyPI knows no tag 5: the warehouse profile refuses the token whatever the proof.
    assert_eq!(
        verify("warehouse", Some(RFC9449_JKT)),
        (Some(1), serde_json::json!(["caveat.unknown_tag"]))
    );

    let described = stdout(&run(&["inspect", &bound]));
    assert!(
        described.contains("only with a DPoP proof by the key with thumbprint")
            && described.contains("PyPI refuses this caveat: caveat has unknown tag: 5"),
        "{described}"
    );

    let bad = run(&["restrict", PROJECT_TOKEN, "--bind-jkt", "not-a-thumbprint"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("thumbprint"));
}

#[test]
fn inspect_describes_caveats_and_warns() {
    let o = run(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "100",
        "--not-after",
        "200",
    ]);
    let t = stdout(&o).trim().to_owned();
    let i = run(&["inspect", &t, "--now", "1700000000"]);
    assert!(i.status.success());
    let text = stdout(&i);
    assert!(
        text.contains("only for projects named \"sampleproject\""),
        "{text}"
    );
    assert!(text.contains("already expired"), "{text}");
    assert!(text.contains(IDENT), "{text}");
}

#[test]
fn bad_usage_exits_2_and_never_echoes_the_token() {
    let o = run(&["verify", PROJECT_TOKEN, "--key-hex", "zz", "--now", "1"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains(&PROJECT_TOKEN[5..40]),
        "the token leaked: {err}"
    );

    let o = run(&["restrict", PROJECT_TOKEN, "--not-before", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&o.stderr).contains(&PROJECT_TOKEN[5..40]));

    let o = run(&[
        "verify",
        "pypi-secretsecretsecret",
        "--key-hex",
        KEY,
        "--now",
        "1",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains("secretsecret"));
    assert_eq!(run(&["verify"]).status.code(), Some(2));
}

/// `dpop verify` of `proof` for Figure 13's request at `now`, with the method and extra flags.
fn dpop_verify(proof: &str, method: &str, now: i64, extra: &[&str]) -> Output {
    let now = now.to_string();
    let mut args = vec![
        "dpop", "verify", proof, "--method", method, "--url", FIG13_URL, "--now", &now,
    ];
    args.extend(extra);
    run(&args)
}

#[test]
fn dpop_verify_accepts_rfc9449_figure_13_at_its_clock() {
    let bound = [
        "--access-token",
        FIG13_TOKEN,
        "--jkt",
        RFC9449_JKT,
        "--json",
    ];
    let o = dpop_verify(FIG13, "GET", FIG13_IAT, &bound);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["valid"], true);
    assert_eq!(v["alg"], "ES256");
    assert_eq!(v["jkt"], RFC9449_JKT);
    assert_eq!(v["jti"], "e1j3V_bKic8-LAEB");
    assert_eq!(v["iat"], FIG13_IAT);

    // Human output, the proof from standard input; the last second of the 300 s window.
    let o = run_stdin(
        &[
            "dpop",
            "verify",
            "-",
            "--method",
            "GET",
            "--url",
            FIG13_URL,
            "--now",
            &(FIG13_IAT + 300).to_string(),
        ],
        &format!("{FIG13}\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.starts_with("valid:"), "{out}");
    for line in [
        "alg: ES256",
        &format!("jkt: {RFC9449_JKT}"),
        "jti: e1j3V_bKic8-LAEB",
        &format!("iat: {FIG13_IAT}"),
    ] {
        assert!(out.lines().any(|l| l == line), "{line:?} in {out}");
    }
}

#[test]
fn dpop_verify_refuses_figure_13_a_second_after_its_window() {
    let o = dpop_verify(FIG13, "GET", FIG13_IAT + 301, &["--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["valid"], false);
    assert_eq!(v["codes"], serde_json::json!(["dpop.iat_too_old"]));
    assert!(
        v["message"].as_str().is_some_and(|m| m.contains("too old")),
        "{v}"
    );
}

#[test]
fn dpop_verify_refuses_a_wrong_method_token_or_key() {
    let o = dpop_verify(FIG13, "POST", FIG13_IAT, &[]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.starts_with("invalid: "), "{out}");
    assert!(out.lines().any(|l| l.trim() == "dpop.htm"), "{out}");

    let o = dpop_verify(FIG13, "GET", FIG13_IAT, &["--access-token", "other"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("dpop.ath"), "{}", stdout(&o));
    assert!(!stdout(&o).contains(FIG13_TOKEN), "the access token leaked");

    let o = dpop_verify(FIG13, "GET", FIG13_IAT, &["--jkt", RFC8037_JKT]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("dpop.jkt"), "{}", stdout(&o));

    // The JOSE-level reason comes after the DPoP one.
    let o = dpop_verify("a.b", "GET", FIG13_IAT, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        v["codes"],
        serde_json::json!(["dpop.malformed", "jose.segments"])
    );
    assert_eq!(
        run(&["dpop", "verify", FIG13, "--method", "GET"])
            .status
            .code(),
        Some(2),
        "--url and --now are required"
    );
}

#[test]
fn jwk_thumbprint_gives_the_rfc_thumbprints() {
    for (jwk, jkt) in [(RFC9449_JWK, RFC9449_JKT), (RFC8037_JWK, RFC8037_JKT)] {
        let o = run(&["jwk", "thumbprint", jwk]);
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stdout(&o), format!("{jkt}\n"));
        let o = run_stdin(&["jwk", "thumbprint", "-"], jwk);
        assert_eq!(stdout(&o), format!("{jkt}\n"));
    }
}

#[test]
fn jwk_thumbprint_refuses_private_and_symmetric_keys() {
    let o = run(&["jwk", "thumbprint", RFC8037_PRIVATE_JWK]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("jose.jwk_private"), "{err}");
    assert!(!err.contains("nWGxne_9"), "the private key leaked: {err}");

    let o = run_stdin(
        &["jwk", "thumbprint", "-"],
        r#"{"kty":"oct","k":"c2VjcmV0"}"#,
    );
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("jose.jwk_symmetric"), "{err}");
    assert!(!err.contains("c2VjcmV0"), "the key leaked: {err}");

    let o = run(&["jwk", "thumbprint", r#"{"kty":"EC","kty":"OKP"}"#]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("jose.duplicate_member"));
}

/// A file holding `key` as a person would write it (with a line ending), for `--key-file`.
fn key_file(name: &str, key: &str) -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, format!("{key}\n")).expect("write the key file");
    path
}

/// Checks a `--json` answer against a vector's expectation: the verdict and exit status, the
/// codes of a refusal, and the named `fields` of an acceptance. Returns the answer for any
/// further check.
fn assert_agrees(
    id: &dyn std::fmt::Display,
    o: &Output,
    e: &serde_json::Value,
    fields: &[&str],
) -> serde_json::Value {
    // The claims of an atr-jwt token may nest deeper than serde_json's default 128 levels.
    let mut reader = serde_json::Deserializer::from_slice(&o.stdout);
    reader.disable_recursion_limit();
    let got = serde::Deserialize::deserialize(&mut reader).map(|v: serde_json::Value| v);
    let got = got.expect("JSON");
    assert_eq!(got["valid"], e["valid"], "{id}: {got}");
    if e["valid"] == true {
        assert_eq!(o.status.code(), Some(0), "{id}");
        for field in fields {
            assert_eq!(got.get(field), e.get(field), "{id}: {field}");
        }
    } else {
        assert_eq!(o.status.code(), Some(1), "{id}");
        assert_eq!(got["codes"], e["codes"], "{id}");
    }
    got
}

/// Every atr-jwt vector through `atr verify --json`, the header value on standard input and
/// the key in a file: PyJWT's verdict, code, `sub` and `jti`, and the exit status.
#[test]
fn atr_verify_agrees_with_every_atr_jwt_vector() {
    let cases = atrvec::all();
    assert!(cases.len() > 100);
    for c in cases {
        let file = key_file("atr-vector-key", &c.key);
        let file = file.to_str().expect("UTF-8 path");
        let args = [
            "atr",
            "verify",
            "-",
            "--key-file",
            file,
            "--iss-aud",
            &c.iss_aud,
            "--now",
            &c.now,
            "--json",
        ];
        let o = run_stdin(&args, &format!("{}\n", c.authorization));
        let e = &c.expected;
        let v = assert_agrees(&c.id, &o, e, &["sub", "jti"]);
        if e["valid"] == true {
            assert_eq!(v["codes"], serde_json::json!([]), "{}", c.id);
            assert_eq!(v["claims"]["sub"], e["sub"], "{}", c.id);
        }
    }
}

#[test]
fn atr_verify_takes_the_key_and_host_as_arguments_too() {
    let c = atrvec::case("atr-jwt/baseline/as-issued");
    let host = c
        .iss_aud
        .strip_prefix("https://")
        .and_then(|h| h.strip_suffix('/'))
        .expect("https://H/");
    let mut args = vec!["atr", "verify", &c.authorization, "--key", &c.key];
    args.extend(["--host", host, "--now", &c.now]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        format!(
            "valid: token accepted\nsub: alice\njti: {}\n",
            c.expected["jti"].as_str().unwrap_or("")
        )
    );
    // The host names the issuer exactly: another spelling of it is another issuer.
    args[6] = "ATR.example.org";
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "invalid: invalid issuer\n  atr.issuer\n");
    // Standard input is the default, and only its line ending is removed: a trailing space
    // stays in the token, as it does in ATR.
    let base = [
        "atr", "verify", "--key", &c.key, "--host", host, "--now", &c.now,
    ];
    let o = run_stdin(&base, &format!("{}\r\n", c.authorization));
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_stdin(&base, &format!("{} \n", c.authorization));
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("atr.malformed"), "{}", stdout(&o));
}

#[test]
fn atr_verify_usage_errors_exit_2_and_nothing_echoes_the_token_or_key() {
    let c = atrvec::case("atr-jwt/signature/other-key");
    let secret = &c.authorization[7..60];
    for json in [None, Some("--json")] {
        let mut args = c.args();
        args.extend(json);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1));
        let all = format!("{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
        assert!(!all.contains(secret) && !all.contains(&c.key), "{all}");
    }
    let key = c.key.as_str();
    for flags in [
        &["--host", "h", "--now", "1"][..], // no key
        &["--key", key, "--key-file", "k", "--host", "h", "--now", "1"], // two keys
        &["--key", key, "--now", "1"],      // no issuer
        &["--key", key, "--host", "h", "--iss-aud", "x", "--now", "1"], // two issuers
        &["--key", key, "--host", "h", "--now", "yesterday"], // no time
        &[
            "--key-file",
            "/nonexistent/atr-key",
            "--host",
            "h",
            "--now",
            "1",
        ],
    ] {
        let mut args = vec!["atr", "verify", c.authorization.as_str()];
        args.extend(flags);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{flags:?}");
        assert!(o.stdout.is_empty());
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains(secret),
            "{flags:?}"
        );
    }
}

/// Every atr-dpop vector whose request has one `Authorization` field (the command takes one)
/// through `atr verify --profile atr-jwt-dpop --json`, the header value on standard input, the
/// key in a file, each DPoP field as a `--dpop`: the verdict, code, `sub`, `jti` and `jkt`.
#[test]
fn atr_verify_dpop_profile_agrees_with_the_atr_dpop_vectors() {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../../../vectors/atr-dpop.json")).expect("vector JSON");
    let mut checked = 0;
    for v in file["vectors"].as_array().expect("vectors") {
        let (id, i, e) = (&v["id"], &v["input"], &v["expected"]);
        let [authorization] = i["authorization"].as_array().expect("list").as_slice() else {
            continue;
        };
        if i.get("replay").is_some() {
            continue; // one request per run: replay across requests is the server's cache
        }
        let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
        let key = key_file("atr-dpop-vector-key", &text(&i["key"]));
        let now = i["now"].as_i64().expect("now").to_string();
        let mut args: Vec<String> = ["atr", "verify", "-", "--profile", "atr-jwt-dpop", "--json"]
            .map(String::from)
            .to_vec();
        for (flag, value) in [
            ("--key-file", key.to_str().expect("UTF-8 path").to_owned()),
            ("--iss-aud", text(&i["iss_aud"])),
            ("--now", now),
            ("--method", text(&i["method"])),
            ("--url", text(&i["url"])),
        ] {
            args.extend([flag.to_owned(), value]);
        }
        if let Some(nonce) = i.get("nonce") {
            args.extend(["--nonce".to_owned(), text(nonce)]);
        }
        for proof in i["dpop"].as_array().expect("list") {
            args.extend(["--dpop".to_owned(), text(proof)]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run_stdin(&args, &format!("{}\n", text(authorization)));
        assert_agrees(id, &o, e, &["sub", "jti", "jkt"]);
        checked += 1;
    }
    assert!(checked >= 55, "only {checked} vectors checked");
}

#[test]
fn atr_verify_request_options_need_the_dpop_profile() {
    let c = atrvec::case("atr-jwt/baseline/as-issued");
    let mut args = c.args();
    args.extend(["--method", "POST"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--profile atr-jwt-dpop"));
    let mut args = c.args();
    args.extend(["--profile", "atr-jwt-dpop"]);
    assert_eq!(
        run(&args).status.code(),
        Some(2),
        "--method and --url are required"
    );
}

/// Every macaroon-dpop vector that is one `DPoP <token>` field with one proof, through
/// `verify --profile strict --dpop … --json` with the vector's row and project as options:
/// the verdict, every code, and the bound key.
#[test]
fn verify_dpop_agrees_with_the_macaroon_dpop_vectors() {
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../../../vectors/macaroon-dpop.json"))
            .expect("vector JSON");
    let mut checked = 0;
    for v in file["vectors"].as_array().expect("vectors") {
        let (id, i, e) = (&v["id"], &v["input"], &v["expected"]);
        let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
        let (Some([authorization]), Some([proof])) = (
            i["authorization"].as_array().map(Vec::as_slice),
            i["dpop"].as_array().map(Vec::as_slice),
        ) else {
            continue;
        };
        let Some(token) = text(authorization).strip_prefix("DPoP ").map(str::to_owned) else {
            continue;
        };
        if i.get("replay").is_some() || i.get("nonce").is_some() {
            continue;
        }
        let project = &i["project"];
        let args = [
            "verify".to_owned(),
            token,
            "--key-hex".to_owned(),
            text(&i["key_hex"]),
            "--now".to_owned(),
            i["now"].as_i64().expect("now").to_string(),
            "--project".to_owned(),
            text(&project["name"]),
            "--project-id".to_owned(),
            text(&project["id"]),
            "--user-id".to_owned(),
            text(&i["row"]["owner"]["user_id"]),
            "--profile".to_owned(),
            "strict".to_owned(),
            "--dpop".to_owned(),
            text(proof),
            "--method".to_owned(),
            text(&i["method"]),
            "--url".to_owned(),
            text(&i["url"]),
            "--json".to_owned(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_agrees(id, &run(&args), e, &["jkt"]);
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} vectors checked");
}

#[test]
fn verify_dpop_needs_the_strict_profile_and_a_request() {
    let base = [
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1700000500",
    ];
    let o = run(&[
        &base[..],
        &["--dpop", "x", "--method", "POST", "--url", "https://a/"],
    ]
    .concat());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--profile strict"));
    let o = run(&[&base[..], &["--profile", "strict", "--dpop", "x"]].concat());
    assert_eq!(o.status.code(), Some(2), "--method and --url are required");
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `args` with one environment variable set.
fn run_env(args: &[&str], var: &str, value: &str) -> Output {
    bin()
        .args(args)
        .env(var, value)
        .output()
        .expect("the binary runs")
}

/// `args` with `stdin` written to standard input; the process may stop reading early (an
/// oversized input), so a write that fails is not an error here.
fn run_stdin_bytes(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

/// A token for IDENT with these raw caveats and a signature nobody computed: the warehouse
/// profile reads its caveats all the same, so anyone can make one.
fn forged(location: &[u8], caveats: &[&[u8]]) -> String {
    let bytes = caveatspec::macaroon::encode_v2(location, IDENT.as_bytes(), caveats, &[0; 32]);
    caveatspec::token::encode(&bytes)
}

/// Nothing in `text` is a control character, a bidi override or an escape sequence.
fn assert_printable(what: &str, text: &str) {
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    assert!(!text.chars().any(bad), "{what}: {text:?}");
    assert!(
        !text.contains("\nvalid: x"),
        "{what}: a forged line: {text:?}"
    );
}

#[test]
fn usage_errors_never_echo_a_token_or_key() {
    let body = &PROJECT_TOKEN[5..45];
    // A short hex key has no key's shape: only knowing it was given as --key-hex hides it.
    let short_key = "00ff00ff00ff00ff00ff";
    for args in [
        &[
            "verify",
            PROJECT_TOKEN,
            PROJECT_TOKEN,
            "--key-hex",
            KEY,
            "--now",
            "1",
        ][..],
        &["verify", PROJECT_TOKEN, "--now", "1", KEY],
        &[
            "verify",
            PROJECT_TOKEN,
            "--key-hex",
            short_key,
            "--now",
            "1",
            short_key,
        ],
        &[
            "verify",
            PROJECT_TOKEN,
            &format!("--key-hex={short_key}"),
            "--now",
            "1",
            short_key,
        ],
        &[
            "verify",
            "--key-hex",
            KEY,
            "--now",
            "1",
            "--",
            PROJECT_TOKEN,
            PROJECT_TOKEN,
        ],
        &["restrict", PROJECT_TOKEN, "--bogus", PROJECT_TOKEN],
        &["inspect", PROJECT_TOKEN, &PROJECT_TOKEN[5..]],
        &[
            "mint",
            "--key-hex",
            short_key,
            "--identifier",
            IDENT,
            short_key,
        ],
        &[
            "dpop", "verify", FIG13, FIG13, "--method", "GET", "--url", FIG13_URL,
        ],
        &[
            "dpop",
            "verify",
            FIG13,
            "--access-token",
            FIG13_TOKEN,
            FIG13_TOKEN,
            "--method",
            "GET",
        ],
        &[
            "jwk",
            "thumbprint",
            RFC8037_PRIVATE_JWK,
            RFC8037_PRIVATE_JWK,
        ],
    ] {
        for json in [false, true] {
            let mut args = args.to_vec();
            if json {
                // Before any `--`, after which it would be one more positional argument.
                args.insert(1, "--json");
            }
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            let all = format!("{}{}", stdout(&o), stderr(&o));
            for secret in [
                body,
                KEY,
                short_key,
                &FIG13[..40],
                FIG13_TOKEN,
                "nWGxne_9WmC6hEr0",
            ] {
                assert!(!all.contains(secret), "{args:?} leaked {secret}: {all}");
            }
            if json {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
                assert!(v["error"]["code"]
                    .as_str()
                    .is_some_and(|c| c.starts_with("usage")));
                assert!(o.stderr.is_empty(), "{}", stderr(&o));
            } else {
                assert!(o.stdout.is_empty());
            }
        }
    }
    // A vector file is no secret: run's errors name it.
    let o = run(&["run", "/nonexistent/vectors-file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/vectors-file.json"),
        "{}",
        stderr(&o)
    );
    // Help and version are clap's own, on standard output.
    let o = run(&["verify", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Usage: caveatspec verify"));
    assert_eq!(run(&["--version"]).status.code(), Some(0));
}

#[test]
fn list_flags_take_one_value_each() {
    // The token after --project is the token, not a second project.
    let o = run(&["restrict", "--project", "foo", PROJECT_TOKEN]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let restricted = stdout(&o).trim().to_owned();
    let i = run(&["inspect", &restricted, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&i.stdout).expect("JSON");
    assert_eq!(
        v["caveats"][2]["fields"]["names"],
        serde_json::json!(["foo"])
    );
    // And never a second positional swallowed into a caveat.
    let o = run_stdin_bytes(
        &["restrict", "-", "--project", "sampleproject", PROJECT_TOKEN],
        PROJECT_TOKEN.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(
        !stderr(&o).contains(&PROJECT_TOKEN[5..40]),
        "{}",
        stderr(&o)
    );
    // Repeated flags still gather.
    let o = run(&[
        "mint",
        "--key-hex",
        KEY,
        "--identifier",
        IDENT,
        "--project",
        "a",
        "--project",
        "b",
        "--project-id",
        PID,
    ]);
    let t = stdout(&o).trim().to_owned();
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["inspect", &t, "--json"]).stdout).expect("JSON");
    assert_eq!(
        v["caveats"][0]["fields"]["names"],
        serde_json::json!(["a", "b"])
    );
    assert_eq!(v["caveats"][1]["fields"]["ids"], serde_json::json!([PID]));
    // verify's and atr verify's lists: one value per flag.
    let o = run(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1",
        "--publisher-id",
        "p",
        "--publisher-project-id",
        "a",
        "b",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
}

#[test]
fn secrets_come_from_a_file_or_the_environment() {
    let key = key_file("root-key-hex", KEY);
    let key = key.to_str().expect("UTF-8 path");
    let mint = [
        "mint",
        "--identifier",
        IDENT,
        "--project",
        "sampleproject",
        "--project-id",
        PID,
    ];
    let from_file = run(&[&mint[..], &["--key-file", key]].concat());
    assert_eq!(
        stdout(&from_file).trim(),
        PROJECT_TOKEN,
        "{}",
        stderr(&from_file)
    );
    let from_env = run_env(&mint, "CAVEATSPEC_KEY_HEX", KEY);
    assert_eq!(
        stdout(&from_env).trim(),
        PROJECT_TOKEN,
        "{}",
        stderr(&from_env)
    );

    let verify = [
        "verify",
        PROJECT_TOKEN,
        "--now",
        "1",
        "--project",
        "sampleproject",
    ];
    let o = run(&[&verify[..], &["--project-id", PID, "--key-file", key]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_env(
        &[&verify[..], &["--project-id", PID]].concat(),
        "CAVEATSPEC_KEY_HEX",
        KEY,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Exactly one source: two are an error that names the sources, never the values.
    for (args, env) in [
        (&["--key-hex", KEY, "--key-file", key][..], None),
        (&["--key-hex", KEY], Some(KEY)),
        (&["--key-file", key], Some(KEY)),
    ] {
        let all = [&verify[..], args, &["--json"]].concat();
        let o = match env {
            Some(v) => run_env(&all, "CAVEATSPEC_KEY_HEX", v),
            None => run(&all),
        };
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["error"]["code"], "input.conflict", "{v}");
        assert!(!stdout(&o).contains(KEY), "{}", stdout(&o));
    }
    let o = run(&verify);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("CAVEATSPEC_KEY_HEX"), "{}", stderr(&o));

    // dpop verify: the access token from a file or the environment.
    let token = key_file("access-token", FIG13_TOKEN);
    let token = token.to_str().expect("UTF-8 path");
    let now = FIG13_IAT.to_string();
    let proof = [
        "dpop", "verify", FIG13, "--method", "GET", "--url", FIG13_URL, "--now", &now,
    ];
    let o = run(&[&proof[..], &["--access-token-file", token]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_env(&proof, "CAVEATSPEC_ACCESS_TOKEN", FIG13_TOKEN);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = run_env(&proof, "CAVEATSPEC_ACCESS_TOKEN", "another token");
    assert!(stdout(&o).contains("dpop.ath"), "{}", stdout(&o));
    let o = run_env(
        &[&proof[..], &["--access-token", FIG13_TOKEN]].concat(),
        "CAVEATSPEC_ACCESS_TOKEN",
        FIG13_TOKEN,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains(FIG13_TOKEN), "{}", stderr(&o));

    // atr verify: the key from the environment.
    let c = atrvec::case("atr-jwt/baseline/as-issued");
    let args = [
        "atr",
        "verify",
        &c.authorization,
        "--iss-aud",
        &c.iss_aud,
        "--now",
        &c.now,
    ];
    assert_eq!(
        run_env(&args, "CAVEATSPEC_ATR_KEY", &c.key).status.code(),
        Some(0)
    );
    let o = run_env(
        &[&args[..], &["--key", &c.key]].concat(),
        "CAVEATSPEC_ATR_KEY",
        &c.key,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains(&c.key), "{}", stderr(&o));

    // --help says where each secret may come from.
    for (args, var) in [
        (&["mint", "--help"][..], "CAVEATSPEC_KEY_HEX"),
        (&["verify", "--help"], "CAVEATSPEC_KEY_HEX"),
        (&["dpop", "verify", "--help"], "CAVEATSPEC_ACCESS_TOKEN"),
        (&["atr", "verify", "--help"], "CAVEATSPEC_ATR_KEY"),
    ] {
        assert!(stdout(&run(args)).contains(var), "{args:?}");
    }
}

#[test]
fn secret_files_and_variables_fail_clearly_without_their_content() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let secret = "pypi-donotprintme";
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("key-too-big", vec![b'a'; (1 << 20) + 1], "input.too_large"),
        (
            "key-not-utf8",
            [secret.as_bytes(), b"\xff\xfe"].concat(),
            "input.not_utf8",
        ),
        ("key-empty", b"\n".to_vec(), "input.empty"),
        ("key-missing", Vec::new(), "input.missing_file"),
    ];
    for (name, content, code) in cases {
        let path = dir.join(name);
        if code == "input.missing_file" {
            let _ = std::fs::remove_file(&path);
        } else {
            std::fs::write(&path, &content).expect("write");
        }
        let path = path.to_str().expect("UTF-8 path");
        for json in [false, true] {
            let mut args = vec!["verify", PROJECT_TOKEN, "--now", "1", "--key-file", path];
            if json {
                args.push("--json");
            }
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{name}");
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert!(
                !all.contains("donotprintme") && !all.contains("aaaaaaaa"),
                "{all}"
            );
            if json {
                let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
                assert_eq!(v["error"]["code"], code, "{name}");
            } else {
                assert!(all.contains("--key-file"), "{name}: {all}");
            }
        }
    }
    let o = run(&["verify", PROJECT_TOKEN, "--now", "1", "--key-file", "/"]);
    assert_eq!(o.status.code(), Some(2), "a folder is no key file");
    let o = run_env(
        &["verify", PROJECT_TOKEN, "--now", "1"],
        "CAVEATSPEC_KEY_HEX",
        "",
    );
    assert_eq!(o.status.code(), Some(2), "an empty variable is no key");
    assert!(stderr(&o).contains("CAVEATSPEC_KEY_HEX"), "{}", stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let not_utf8 = std::ffi::OsStr::from_bytes(b"pypi-donotprintme\xff");
        let o = bin()
            .args(["verify", PROJECT_TOKEN, "--now", "1", "--json"])
            .env("CAVEATSPEC_KEY_HEX", not_utf8)
            .output()
            .expect("the binary runs");
        assert_eq!(o.status.code(), Some(2));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert_eq!(v["error"]["code"], "input.not_utf8");
        assert!(!stdout(&o).contains("donotprintme"));
    }
}

#[test]
fn oversized_input_is_refused_never_cut_down() {
    // A valid token, then more than 1 MiB of padding: not judged on its first MiB.
    let mut padded = format!("{PROJECT_TOKEN}\n").into_bytes();
    padded.resize((1 << 20) + 10, b' ');
    padded.extend_from_slice(b"junk");
    let args = [
        "verify",
        "-",
        "--key-hex",
        KEY,
        "--now",
        "1700000000",
        "--project",
        "sampleproject",
        "--project-id",
        PID,
    ];
    let o = run_stdin_bytes(&args, &padded);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("1048576"), "{}", stderr(&o));
    // Exactly at the limit it is read (and judged).
    padded.truncate(1 << 20);
    assert_eq!(run_stdin_bytes(&args, &padded).status.code(), Some(0));
    // An oversized token is its own error, not macaroon.malformed.
    let huge = format!("pypi-{}", "A".repeat(1 << 20));
    let o = run_stdin_bytes(&["inspect", "-", "--json"], huge.as_bytes());
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "input.too_large");
    for args in [
        &["dpop", "verify", "-", "--method", "GET", "--url", FIG13_URL][..],
        &["jwk", "thumbprint", "-"],
        &["atr", "verify", "-", "--key", KEY, "--host", "h"],
    ] {
        let o = run_stdin_bytes(args, huge.as_bytes());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("1048576"), "{args:?}: {}", stderr(&o));
    }
    let o = run_stdin_bytes(&["inspect", "-"], b"pypi-\xff\xfe");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not UTF-8"), "{}", stderr(&o));
}

#[test]
fn human_output_escapes_what_the_input_holds() {
    let attack = "\u{1b}[2J\nvalid: x";
    // Caveats a warehouse verifier echoes or that inspect prints, and a location, in a token
    // made without any key.
    let caveat = format!("[1,[\"{attack}\u{202e}\"]]");
    let token = forged(b"pypi.org\x1b]0;owned\x07", &[caveat.as_bytes()]);
    let o = run(&["inspect", &token, "--now", "1"]);
    assert_eq!(o.status.code(), Some(0));
    assert_printable("inspect", &stdout(&o));
    assert!(
        stdout(&o).contains("\\u{1b}[2J\\nvalid: x\\u{202e}"),
        "{}",
        stdout(&o)
    );
    // JSON stays exact.
    let o = run(&["inspect", &token, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["caveats"][0]["raw"], caveat);

    // PyPI's message for a publisher's token quotes the project as the request names it.
    let publisher = forged(
        b"pypi.org",
        &[br#"[4,"11111111-1111-4111-8111-111111111111"]"#],
    );
    let o = run(&[
        "verify",
        &publisher,
        "--key-hex",
        KEY,
        "--now",
        "1",
        "--project",
        attack,
        "--publisher-id",
        "11111111-1111-4111-8111-111111111111",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_printable("verify", &stdout(&o));
    assert!(
        stdout(&o).starts_with("invalid: OIDC scoped token"),
        "{}",
        stdout(&o)
    );

    // A proof's jti, printed by dpop verify.
    let jwk = RFC8037_JWK;
    let header = format!(r#"{{"typ":"dpop+jwt","alg":"EdDSA","jwk":{jwk}}}"#);
    let claims = serde_json::json!({"jti": attack, "htm": "GET", "htu": FIG13_URL, "iat": 1000});
    let proof = caveatspec::jose::testdata::sign_ed25519(&header, &claims.to_string());
    let o = run(&[
        "dpop", "verify", &proof, "--method", "GET", "--url", FIG13_URL, "--now", "1000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_printable("dpop verify", &stdout(&o));
    let o = run(&[
        "dpop", "verify", &proof, "--method", "GET", "--url", FIG13_URL, "--now", "1000", "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["jti"], attack);

    // Errors quoting an argument escape it too.
    for args in [
        &["verify", PROJECT_TOKEN, "--key-hex", KEY, "--now", attack][..],
        &["restrict", PROJECT_TOKEN, "--project", attack],
        &["inspect", PROJECT_TOKEN, "--bogus", attack],
        &[
            "verify",
            PROJECT_TOKEN,
            "--key-hex",
            KEY,
            "--profile",
            attack,
        ],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_printable("an error", &stderr(&o));
    }
}

/// Spawns `args` with standard output a pipe whose reading end is closed before the process
/// writes anything (as `| head -0` would, and `| head -1` after its line).
fn run_with_closed_stdout(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let mut input = child.stdin.take().expect("stdin");
    // The commands that read standard input wait for it: it comes after stdout is closed.
    let _ = input.write_all(stdin.unwrap_or_default().as_bytes());
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

#[test]
fn a_closed_standard_output_ends_quietly() {
    let now = FIG13_IAT.to_string();
    let cases: [(&[&str], Option<&str>); 7] = [
        (&["run"], None),
        (&["inspect", "-"], Some(PROJECT_TOKEN)),
        (&["restrict", "-", "--project", "x"], Some(PROJECT_TOKEN)),
        (
            &["verify", "-", "--key-hex", KEY, "--now", "1"],
            Some(PROJECT_TOKEN),
        ),
        (
            &[
                "dpop", "verify", "-", "--method", "GET", "--url", FIG13_URL, "--now", &now,
            ],
            Some(FIG13),
        ),
        (&["jwk", "thumbprint", "-"], Some(RFC8037_JWK)),
        (&["verify", "-", "--json"], Some(PROJECT_TOKEN)),
    ];
    for (args, stdin) in cases {
        let o = run_with_closed_stdout(args, stdin);
        let err = stderr(&o);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
    }
}

#[test]
fn times_are_read_as_people_write_them() {
    let base = [
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--project",
        "sampleproject",
    ];
    let base = [&base[..], &["--project-id", PID, "--json"]].concat();
    // --now defaults to the current time, and takes every form.
    for now in [
        None,
        Some("now"),
        Some("1700000000"),
        Some("2023-11-14T22:13:20Z"),
        Some("+1d"),
    ] {
        let mut args = base.clone();
        if let Some(now) = now {
            args.extend(["--now", now]);
        }
        assert_eq!(run(&args).status.code(), Some(0), "{now:?}");
    }
    // A window written as dates and relative times, checked at moments inside and outside.
    let o = run(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "2026-12-03T10:00:00+01:00",
        "--not-after",
        "2026-12-03T10:00:00Z",
    ]);
    let t = stdout(&o).trim().to_owned();
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["inspect", &t, "--json"]).stdout).expect("JSON");
    assert_eq!(
        v["caveats"][2]["fields"],
        serde_json::json!({"not_before": 1_796_288_400, "expires_at": 1_796_292_000})
    );
    let o = run(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "-5m",
        "--not-after",
        "+2h",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let t = stdout(&o).trim().to_owned();
    let at = |now: &str| {
        let mut args = base.clone();
        args[1] = &t;
        args.extend(["--now", now]);
        run(&args).status.code()
    };
    assert_eq!(at("now"), Some(0));
    assert_eq!(at("+3h"), Some(1));
    assert_eq!(at("-10m"), Some(1));
    // Hostile text: a clear usage error, the text never echoed whole.
    let huge = "9".repeat(100_000);
    for bad in [
        "yesterday",
        "99999999999999999999",
        "+9999999999999999d",
        "2026-02-30T00:00:00Z",
        "2026-12-03T10:00:00",
        "\u{1b}[2J",
        huge.as_str(),
    ] {
        for cmd in [
            &base[..],
            &[
                "dpop", "verify", FIG13, "--method", "GET", "--url", FIG13_URL,
            ],
        ] {
            let mut args = cmd.to_vec();
            args.extend(["--now", bad]);
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{bad:?}");
            let all = format!("{}{}", stdout(&o), stderr(&o));
            assert!(all.contains("--now") && all.len() < 1000, "{all}");
            assert_printable("a time error", &all);
        }
    }
    // Repeated: one time per flag.
    let o = run(&[&base[..], &["--now", "1", "--now", "2"]].concat());
    assert_eq!(o.status.code(), Some(2));
    let o = run(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "x",
        "--not-after",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--not-before"), "{}", stderr(&o));
}

#[test]
fn json_answers_and_help_are_complete() {
    // jwk thumbprint --json, and its error.
    let o = run(&["jwk", "thumbprint", RFC8037_JWK, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v, serde_json::json!({"jkt": RFC8037_JKT}));
    let o = run(&["jwk", "thumbprint", RFC8037_PRIVATE_JWK, "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["error"]["code"], "jose.jwk_private");
    assert!(!stdout(&o).contains("nWGxne"), "{}", stdout(&o));
    // inspect --json: a token it cannot read is a JSON error too.
    let o = run(&["inspect", "pypi-QUJD", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(
        v["error"]["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("macaroon.")),
        "{v}"
    );
    // inspect --json: each caveat's kind and fields.
    let bound = run(&[
        "restrict",
        PROJECT_TOKEN,
        "--user-id",
        USER,
        "--bind-jkt",
        RFC8037_JKT,
    ]);
    assert!(
        stderr(&bound).contains("PyPI refuses"),
        "{}",
        stderr(&bound)
    );
    let t = stdout(&bound).trim().to_owned();
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["inspect", &t, "--json"]).stdout).expect("JSON");
    let kinds: Vec<&str> = v["caveats"]
        .as_array()
        .expect("caveats")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "project_names",
            "project_ids",
            "request_user",
            "key_binding"
        ]
    );
    assert_eq!(
        v["caveats"][2]["fields"],
        serde_json::json!({"user_id": USER})
    );
    assert_eq!(
        v["caveats"][3]["fields"],
        serde_json::json!({"jkt": RFC8037_JKT})
    );
    // Usage errors with --json, clap's and the commands' own.
    for args in [
        &["verify", "--json"][..],
        &["verify", PROJECT_TOKEN, "--json", "--profile", "lenient"],
        &["restrict", PROJECT_TOKEN, "--json"],
        &["verify", PROJECT_TOKEN, "--key-hex", "zz", "--json"],
    ] {
        let o = run(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert!(v["error"]["message"].is_string(), "{v}");
        assert!(o.stderr.is_empty(), "{args:?}");
    }
    // Every command's help states the exit codes, and lists possible values once.
    for args in [
        &["--help"][..],
        &["inspect", "--help"],
        &["restrict", "--help"],
        &["mint", "--help"],
        &["verify", "--help"],
        &["dpop", "verify", "--help"],
        &["jwk", "thumbprint", "--help"],
        &["atr", "verify", "--help"],
    ] {
        let help = stdout(&run(args));
        assert!(
            help.contains("Exit status: 0") && help.contains("2 bad usage"),
            "{args:?}"
        );
        let listings =
            help.matches("possible values").count() + help.matches("Possible values").count();
        assert!(listings <= 1, "{args:?}: {help}");
        assert!(!help.contains("`atr-jwt-dpop`:"), "{args:?}: {help}");
        assert!(!help.contains("(default: warehouse)"), "{args:?}: {help}");
    }
}
