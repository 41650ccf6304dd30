//! Apache Trusted Releases' API JWTs: `atr verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;

use caveatspec::atr;
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, ReplayCache};

use crate::input::{read_bounded, without_line_ending};
use crate::output::{accepted_json, refused, usage};

#[derive(Subcommand)]
pub enum AtrCommand {
    /// Check an `Authorization` header value as ATR's verifier does (PyJWT, HS256, ATR's
    /// claims and leeway; spec/SPEC.md §10.6).
    Verify(AtrVerifyArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("secret").required(true).args(["key", "key_file"])))]
#[command(group(ArgGroup::new("issuer").required(true).args(["host", "iss_aud"])))]
pub struct AtrVerifyArgs {
    /// The `Authorization` header value (`Bearer <jwt>`), or `-` (the default) to read it
    /// from standard input: one line, only its line ending removed.
    #[arg(default_value = "-")]
    authorization: String,
    /// The signing key as ATR holds it (64 hex characters, whose text is the HMAC key).
    #[arg(long, value_name = "K")]
    key: Option<String>,
    /// A file holding the key, so that it stays out of the command line (one trailing line
    /// ending removed).
    #[arg(long, value_name = "F")]
    key_file: Option<PathBuf>,
    /// ATR's host: the issuer and audience are then `https://H/`.
    #[arg(long, value_name = "H")]
    host: Option<String>,
    /// The issuer and audience, exactly.
    #[arg(long, value_name = "X")]
    iss_aud: Option<String>,
    /// The verifier's Unix time.
    #[arg(long)]
    now: i64,
    /// `atr-jwt`: the Bearer token alone, as ATR checks it today. `atr-jwt-dpop`: the token
    /// bound to a key by `cnf.jkt` and presented as `DPoP <jwt>` with a proof (SPEC §10.8;
    /// needs --method and --url, and --dpop for each DPoP field of the request).
    #[arg(long, value_enum, default_value_t = AtrProfile::AtrJwt)]
    profile: AtrProfile,
    /// A DPoP field of the request (repeat it for each; atr-jwt-dpop only).
    #[arg(long, value_name = "PROOF")]
    dpop: Vec<String>,
    /// The request method (atr-jwt-dpop).
    #[arg(long, value_name = "M", required_if_eq("profile", "atr-jwt-dpop"))]
    method: Option<String>,
    /// The URL the request was received at (atr-jwt-dpop).
    #[arg(long, value_name = "U", required_if_eq("profile", "atr-jwt-dpop"))]
    url: Option<String>,
    /// The nonce the server requires (atr-jwt-dpop).
    #[arg(long, value_name = "N")]
    nonce: Option<String>,
    /// Print `{"valid", "codes", "message", …}`, with `sub`, `jti` and `claims` (and `jkt`
    /// for a bound token) when valid.
    #[arg(long)]
    json: bool,
}

/// Which ATR verifier `atr verify` is.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AtrProfile {
    /// What ATR accepts today (SPEC §10.6).
    AtrJwt,
    /// Its tokens under DPoP binding (SPEC §10.8).
    AtrJwtDpop,
}

pub fn cmd_atr_verify(a: &AtrVerifyArgs) -> ExitCode {
    // The header value is read as sent: ATR trims nothing, so only a line ending goes.
    let authorization = if a.authorization == "-" {
        let text = read_bounded(std::io::stdin())
            .ok()
            .and_then(|b| String::from_utf8(without_line_ending(&b).to_vec()).ok());
        let Some(text) = text else {
            return usage(
                "could not read the Authorization value from standard input (not UTF-8?)",
            );
        };
        text
    } else {
        a.authorization.clone()
    };
    let key = match (&a.key, &a.key_file) {
        (Some(k), _) => k.as_bytes().to_vec(),
        (None, Some(path)) => match std::fs::File::open(path).and_then(read_bounded) {
            Ok(bytes) => without_line_ending(&bytes).to_vec(),
            Err(e) => return usage(&format!("--key-file {}: {e}", path.display())),
        },
        (None, None) => return usage("give --key or --key-file"),
    };
    let iss_aud = match (&a.host, &a.iss_aud) {
        (Some(host), _) => format!("https://{host}/"),
        (None, Some(x)) => x.clone(),
        (None, None) => return usage("give --host or --iss-aud"),
    };
    let verdict = if a.profile == AtrProfile::AtrJwtDpop {
        if a.dpop.is_empty() && a.nonce.is_some() {
            return usage("--nonce needs a --dpop proof to check it against");
        }
        let dpop: Vec<&str> = a.dpop.iter().map(String::as_str).collect();
        let request = atr::BoundRequest {
            fields: RequestFields {
                authorization: &[authorization.as_str()],
                dpop: &dpop,
                method: a.method.as_deref().unwrap_or_default(),
                url: a.url.as_deref().unwrap_or_default(),
                nonce: a.nonce.as_deref(),
            },
            now: a.now,
            key: &key,
            iss_aud: &iss_aud,
        };
        // One request per run, so a fresh replay cache: replay across runs is the server's.
        let mut cache = ReplayCache::new(1, dpop::DEFAULT_MAX_AGE);
        atr::verify_bound_request(&request, &mut cache).map_err(|e| (e.code(), e.to_string()))
    } else {
        if !a.dpop.is_empty() || a.method.is_some() || a.url.is_some() || a.nonce.is_some() {
            return usage("--dpop, --method, --url and --nonce need --profile atr-jwt-dpop");
        }
        atr::verify_atr(&authorization, &key, &iss_aud, a.now)
            .map(|claims| atr::BoundIdentity { claims, jkt: None })
            .map_err(|e| (e.code(), e.to_string()))
    };
    match verdict {
        Ok(atr::BoundIdentity { claims: c, jkt }) => {
            if a.json {
                let mut fields = json!({"sub": c.sub, "jti": c.jti, "claims": c.claims});
                if let (Some(jkt), Some(f)) = (jkt.as_ref(), fields.as_object_mut()) {
                    f.insert("jkt".into(), json!(jkt));
                }
                println!("{}", accepted_json(fields));
            } else {
                println!("valid: token accepted");
                println!("sub: {}", c.sub.escape_debug());
                println!("jti: {}", c.jti.escape_debug());
                if let Some(jkt) = jkt {
                    println!("bound to jkt: {jkt}");
                }
            }
            ExitCode::SUCCESS
        }
        Err((code, message)) => refused(a.json, &[code], &message),
    }
}
