//! Proof of possession: `dpop verify` and `jwk thumbprint`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use caveatspec::dpop::{self, ProofRequest};
use caveatspec::jose::{jwk, jws};

use crate::input::SecretSources;
use crate::output::{accepted_json, fail, printable, refused, say, EXIT_CODES_HELP, EXIT_INVALID};
use crate::when;

#[derive(Subcommand)]
pub enum DpopCommand {
    /// Check a proof against the request it came with (RFC 9449 §4.3; no replay cache: each
    /// run is independent).
    #[command(after_help = EXIT_CODES_HELP)]
    Verify(DpopVerifyArgs),
}

#[derive(Subcommand)]
pub enum JwkCommand {
    /// Print the RFC 7638 SHA-256 thumbprint of a public JWK (the `jkt` of RFC 9449).
    #[command(after_help = EXIT_CODES_HELP)]
    Thumbprint(ThumbprintArgs),
}

#[derive(Args)]
pub struct ThumbprintArgs {
    /// The JWK as JSON text, or `-` to read it from standard input.
    pub jwk: String,
    /// Print `{"jkt": …}`, and errors as `{"error": {"code", "message"}}`.
    #[arg(long)]
    json: bool,
}

/// The environment variable that may hold the access token of `dpop verify`.
pub const ACCESS_TOKEN_ENV: &str = "CAVEATSPEC_ACCESS_TOKEN";

#[derive(Args)]
pub struct DpopVerifyArgs {
    /// The proof (the `DPoP` header's value), or `-` to read it from standard input.
    pub proof: String,
    /// The request's HTTP method, compared exactly with `htm`.
    #[arg(long)]
    method: String,
    /// The URL the request was received at, compared with `htu` without query and fragment.
    #[arg(long)]
    url: String,
    /// The verifier's time (Unix seconds, RFC 3339, `now`, +30d, -5m, …; default: now).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    now: Option<String>,
    /// The access token sent with the proof; `ath` must then be its hash. Every user can read
    /// it in the process list: prefer --access-token-file or CAVEATSPEC_ACCESS_TOKEN (at most
    /// one of the three).
    #[arg(long, value_name = "TOKEN")]
    access_token: Option<String>,
    /// A file holding the access token (one trailing line ending removed).
    #[arg(long, value_name = "FILE")]
    access_token_file: Option<PathBuf>,
    /// The thumbprint the access token is bound to (`cnf.jkt`).
    #[arg(long)]
    jkt: Option<String>,
    /// The nonce the server supplied; the proof's `nonce` must equal it.
    #[arg(long)]
    nonce: Option<String>,
    /// Print `{"valid", "codes", "message", …}`.
    #[arg(long)]
    json: bool,
}

pub fn cmd_dpop_verify(proof: &str, a: &DpopVerifyArgs) -> ExitCode {
    let access_token = SecretSources {
        what: "the access token",
        flag: "--access-token",
        value: a.access_token.as_deref(),
        file_flag: "--access-token-file",
        file: a.access_token_file.as_deref(),
        env: ACCESS_TOKEN_ENV,
    }
    .read();
    let access_token = match access_token {
        Ok(t) => t,
        Err(e) => return e.fail(),
    };
    let now = match when::parse_or_now("--now", a.now.as_deref()) {
        Ok(t) => t,
        Err(e) => return e.fail(),
    };
    let request = ProofRequest {
        access_token: access_token.as_deref(),
        expected_jkt: a.jkt.as_deref(),
        nonce: a.nonce.as_deref(),
        ..ProofRequest::new(&a.method, &a.url, now)
    };
    match dpop::verify_proof(proof, &request) {
        Ok(p) => {
            if a.json {
                say!(
                    "{}",
                    accepted_json(json!({
                        "alg": p.alg.name(),
                        "jkt": p.jkt,
                        "jti": p.jti,
                        "iat": p.iat,
                    }))
                );
            } else {
                say!("valid: proof matches the request");
                say!("alg: {}", p.alg.name());
                say!("jkt: {}", printable(&p.jkt));
                say!("jti: {}", printable(&p.jti));
                say!("iat: {}", p.iat);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut codes = vec![e.code()];
            codes.extend(e.jose().map(|j| j.code()));
            refused(a.json, &codes, &e.to_string())
        }
    }
}

pub fn cmd_jwk_thumbprint(text: &str, a: &ThumbprintArgs) -> ExitCode {
    match jws::parse_object(text.as_bytes(), "jwk").and_then(|m| jwk::thumbprint(&m)) {
        Ok(jkt) if a.json => {
            say!("{}", json!({ "jkt": jkt }));
            ExitCode::SUCCESS
        }
        Ok(jkt) => {
            say!("{jkt}");
            ExitCode::SUCCESS
        }
        Err(e) if a.json => fail(EXIT_INVALID, e.code(), &e.to_string()),
        Err(e) => fail(EXIT_INVALID, e.code(), &format!("{}: {e}", e.code())),
    }
}
