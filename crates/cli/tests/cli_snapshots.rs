//! Snapshots of what the CLI prints for people: human output and error messages, with the
//! exit status. A change to any wording shows up as a snapshot diff to review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test cli_snapshots`).

use std::process::Command;

mod atrvec;
mod rfc;
use rfc::{FIG13, FIG13_TOKEN, FIG13_URL, RFC8037_JWK, RFC9449_JKT};

const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const IDENT: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
/// Vector `mint/research-key-project`: `[1,["sampleproject"]]`, `[2,[PID]]`.
const PROJECT_TOKEN: &str = "pypi-AgEIcHlwaS5vcmcCJDVmMGIzYTRlLThjMWQtNGUyZi05YTZiLTdjOGQ5ZTBmMWEyYgACFVsxLFsic2FtcGxlcHJvamVjdCJdXQACLFsyLFsiMGQ2YjZhOGUtMmYwYy00ZjhlLThhM2ItNWI3ZTFjOWQyYTQxIl1dAAAGIAaLcuARMgPdpPJbZ9Tb6AMm4s4VKWSNYA322qKgE5RG";
const PID: &str = "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41";

/// Exit status, standard output and standard error, as one text to snapshot.
fn transcript(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_caveatspec"))
        .args(args)
        .env_remove("CAVEATSPEC_KEY_HEX")
        .env_remove("CAVEATSPEC_ACCESS_TOKEN")
        .env_remove("CAVEATSPEC_ATR_KEY")
        .output()
        .expect("the binary runs");
    format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        o.status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn inspect_project_token() {
    insta::assert_snapshot!(transcript(&[
        "inspect",
        PROJECT_TOKEN,
        "--now",
        "1700000000"
    ]));
}

#[test]
fn inspect_not_a_token() {
    insta::assert_snapshot!(transcript(&["inspect", "pypi:abc"]));
}

#[test]
fn inspect_not_a_macaroon() {
    insta::assert_snapshot!(transcript(&["inspect", "pypi-QUJD"]));
}

/// `verify` of [`PROJECT_TOKEN`] at 1700000000 for a project, with extra arguments.
fn verify(project: &str, project_id: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "1700000000",
    ];
    args.extend(["--project", project, "--project-id", project_id]);
    args.extend(extra);
    transcript(&args)
}

#[test]
fn verify_valid() {
    insta::assert_snapshot!(verify("SampleProject", PID, &[]));
}

#[test]
fn verify_wrong_project() {
    insta::assert_snapshot!(verify("other", IDENT, &[]));
}

#[test]
fn verify_wrong_project_strict() {
    insta::assert_snapshot!(verify("other", IDENT, &["--profile", "strict"]));
}

#[test]
fn verify_bad_key_hex() {
    insta::assert_snapshot!(transcript(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        "zz",
        "--now",
        "0",
    ]));
}

#[test]
fn restrict_window() {
    insta::assert_snapshot!(transcript(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "1700000000",
        "--not-after",
        "1700000900",
    ]));
}

#[test]
fn restrict_half_window() {
    insta::assert_snapshot!(transcript(&[
        "restrict",
        PROJECT_TOKEN,
        "--not-before",
        "1"
    ]));
}

#[test]
fn restrict_nothing() {
    insta::assert_snapshot!(transcript(&["restrict", PROJECT_TOKEN]));
}

#[test]
fn restrict_invalid_name() {
    insta::assert_snapshot!(transcript(&[
        "restrict",
        PROJECT_TOKEN,
        "--project",
        "not a name!"
    ]));
}

#[test]
fn mint_with_project() {
    insta::assert_snapshot!(transcript(&[
        "mint",
        "--key-hex",
        KEY,
        "--identifier",
        IDENT,
        "--project",
        "Sample.Project",
    ]));
}

#[test]
fn unknown_profile() {
    insta::assert_snapshot!(transcript(&["run", "--profile", "lenient"]));
}

/// `dpop verify` of [`FIG13`] for its URL with this method and clock.
fn dpop_verify(method: &str, now: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "dpop", "verify", FIG13, "--method", method, "--url", FIG13_URL, "--now", now,
    ];
    args.extend(extra);
    transcript(&args)
}

#[test]
fn dpop_verify_valid() {
    insta::assert_snapshot!(dpop_verify(
        "GET",
        "1562262618",
        &["--access-token", FIG13_TOKEN, "--jkt", RFC9449_JKT,]
    ));
}

#[test]
fn dpop_verify_too_old() {
    insta::assert_snapshot!(dpop_verify("GET", "1562262919", &[]));
}

#[test]
fn dpop_verify_wrong_method() {
    insta::assert_snapshot!(dpop_verify("POST", "1562262618", &[]));
}

#[test]
fn dpop_verify_not_a_jwt() {
    insta::assert_snapshot!(transcript(&[
        "dpop",
        "verify",
        "not-a-proof",
        "--method",
        "GET",
        "--url",
        "https://resource.example.org/",
        "--now",
        "0",
    ]));
}

#[test]
fn jwk_thumbprint_ed25519() {
    insta::assert_snapshot!(transcript(&["jwk", "thumbprint", RFC8037_JWK,]));
}

#[test]
fn jwk_thumbprint_private_key() {
    insta::assert_snapshot!(transcript(&[
        "jwk",
        "thumbprint",
        r#"{"kty":"EC","crv":"P-256","d":"x","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"}"#,
    ]));
}

/// `atr verify` of an atr-jwt vector, human output.
fn atr_verify(id: &str) -> String {
    transcript(&atrvec::case(id).args())
}

#[test]
fn atr_verify_valid() {
    insta::assert_snapshot!(atr_verify("atr-jwt/baseline/as-issued"));
}

#[test]
fn atr_verify_expired() {
    insta::assert_snapshot!(atr_verify("atr-jwt/leeway/exp-past-120"));
}

#[test]
fn atr_verify_other_key() {
    insta::assert_snapshot!(atr_verify("atr-jwt/signature/other-key"));
}

#[test]
fn atr_verify_dpop_scheme() {
    insta::assert_snapshot!(atr_verify("atr-jwt/bearer/dpop-scheme"));
}

#[test]
fn atr_verify_without_a_key() {
    insta::assert_snapshot!(transcript(&[
        "atr",
        "verify",
        "Bearer x.y.z",
        "--host",
        "atr.example.org",
        "--now",
        "0",
    ]));
}

/// `verify` with the token given twice: clap's error, which quotes the second one.
fn token_given_twice(extra: &[&str]) -> String {
    let mut args = vec!["verify", PROJECT_TOKEN, PROJECT_TOKEN, "--key-hex", KEY];
    args.extend(extra);
    transcript(&args)
}

#[test]
fn verify_token_given_twice() {
    insta::assert_snapshot!(token_given_twice(&["--now", "1"]));
}

#[test]
fn verify_token_given_twice_json() {
    insta::assert_snapshot!(token_given_twice(&["--json"]));
}

#[test]
fn verify_unreadable_time() {
    insta::assert_snapshot!(transcript(&[
        "verify",
        PROJECT_TOKEN,
        "--key-hex",
        KEY,
        "--now",
        "2026-02-30T10:00:00Z",
    ]));
}

#[test]
fn restrict_bind_jkt_warns() {
    insta::assert_snapshot!(transcript(&[
        "restrict",
        PROJECT_TOKEN,
        "--bind-jkt",
        RFC9449_JKT,
    ]));
}
