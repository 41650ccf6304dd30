//! Proof of possession: `dpop verify` and `jwk thumbprint`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use caveatspec::dpop::{self, ProofRequest};
use caveatspec::jose::{jwk, jws};

use crate::output::{accepted_json, refused, EXIT_INVALID};

#[derive(Subcommand)]
pub enum DpopCommand {
    /// Check a proof against the request it came with (RFC 9449 §4.3; no replay cache: each
    /// run is independent).
    Verify(DpopVerifyArgs),
}

#[derive(Subcommand)]
pub enum JwkCommand {
    /// Print the RFC 7638 SHA-256 thumbprint of a public JWK (the `jkt` of RFC 9449).
    Thumbprint {
        /// The JWK as JSON text, or `-` to read it from standard input.
        jwk: String,
    },
}

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
    /// The verifier's Unix time.
    #[arg(long)]
    now: i64,
    /// The access token sent with the proof; `ath` must then be its hash.
    #[arg(long)]
    access_token: Option<String>,
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
    let request = ProofRequest {
        access_token: a.access_token.as_deref(),
        expected_jkt: a.jkt.as_deref(),
        nonce: a.nonce.as_deref(),
        ..ProofRequest::new(&a.method, &a.url, a.now)
    };
    match dpop::verify_proof(proof, &request) {
        Ok(p) => {
            if a.json {
                println!(
                    "{}",
                    accepted_json(json!({
                        "alg": p.alg.name(),
                        "jkt": p.jkt,
                        "jti": p.jti,
                        "iat": p.iat,
                    }))
                );
            } else {
                println!("valid: proof matches the request");
                println!("alg: {}", p.alg.name());
                println!("jkt: {}", p.jkt);
                println!("jti: {}", p.jti);
                println!("iat: {}", p.iat);
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

pub fn cmd_jwk_thumbprint(text: &str) -> ExitCode {
    match jws::parse_object(text.as_bytes(), "jwk").and_then(|m| jwk::thumbprint(&m)) {
        Ok(jkt) => {
            println!("{jkt}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("caveatspec: {}: {e}", e.code());
            ExitCode::from(EXIT_INVALID)
        }
    }
}
