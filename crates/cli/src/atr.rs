//! Apache Trusted Releases' API JWTs: `atr verify`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, ArgGroup, Args, Subcommand};
use serde_json::json;

use caveatspec::atr;
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, ReplayCache};

use crate::input::{stdin_text, without_line_ending, SecretSources};
use crate::output::{accepted_json, keep_secret, printable, refused, say, usage, EXIT_CODES_HELP};
use crate::when;

#[derive(Subcommand)]
pub enum AtrCommand {
    /// Check an `Authorization` header value as ATR's verifier does (PyJWT, HS256, ATR's
    /// claims and leeway; spec/SPEC.md §10.6).
    #[command(after_help = EXIT_CODES_HELP)]
    Verify(AtrVerifyArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("issuer").required(true).args(["host", "iss_aud"])))]
pub struct AtrVerifyArgs {
    /// The `Authorization` header value (`Bearer <jwt>`), or `-` (the default) to read it
    /// from standard input: one line, only its line ending removed.
    #[arg(default_value = "-")]
    authorization: String,
    /// The signing key as ATR holds it (64 hex characters, whose text is the HMAC key). Every
    /// user can read it in the process list: prefer --key-file or CAVEATSPEC_ATR_KEY (exactly
    /// one of the three).
    #[arg(long, value_name = "K")]
    key: Option<String>,
    /// A file holding the key (one trailing line ending removed).
    #[arg(long, value_name = "F")]
    key_file: Option<PathBuf>,
    /// ATR's host: the issuer and audience are then `https://H/`.
    #[arg(long, value_name = "H")]
    host: Option<String>,
    /// The issuer and audience, exactly.
    #[arg(long, value_name = "X")]
    iss_aud: Option<String>,
    /// The verifier's time (Unix seconds, RFC 3339, `now`, +30d, -5m, …; default: now).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    now: Option<String>,
    /// Which verifier (the DPoP one needs --method and --url, and --dpop for each DPoP field
    /// of the request).
    #[arg(long, value_enum, default_value_t = AtrVerifier::AtrJwt)]
    profile: AtrVerifier,
    /// A DPoP field of the request (repeat it for each; atr-jwt-dpop only).
    #[arg(long, value_name = "PROOF", action = ArgAction::Append)]
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
enum AtrVerifier {
    /// The Bearer token alone, as ATR checks it today (SPEC §10.6).
    AtrJwt,
    /// The token bound to a key by `cnf.jkt`, presented as `DPoP <jwt>` with a proof (SPEC
    /// §10.8).
    AtrJwtDpop,
}

/// The environment variable that may hold ATR's signing key.
pub const ATR_KEY_ENV: &str = "CAVEATSPEC_ATR_KEY";

pub fn cmd_atr_verify(a: &AtrVerifyArgs) -> ExitCode {
    // The header value is read as sent: ATR trims nothing, so only a line ending goes.
    let authorization = if a.authorization == "-" {
        match stdin_text("Authorization value") {
            Ok(text) => {
                let text = String::from_utf8_lossy(without_line_ending(text.as_bytes()));
                keep_secret(&text);
                text.into_owned()
            }
            Err(e) => return e.fail(),
        }
    } else {
        a.authorization.clone()
    };
    let key = SecretSources {
        what: "the key",
        flag: "--key",
        value: a.key.as_deref(),
        file_flag: "--key-file",
        file: a.key_file.as_deref(),
        env: ATR_KEY_ENV,
    }
    .read();
    let key = match key {
        Ok(Some(k)) => k.into_bytes(),
        Ok(None) => {
            return usage(&format!(
                "the key is needed: give --key, --key-file or {ATR_KEY_ENV}"
            ))
        }
        Err(e) => return e.fail(),
    };
    let now = match when::parse_or_now("--now", a.now.as_deref()) {
        Ok(t) => t,
        Err(e) => return e.fail(),
    };
    let iss_aud = match (&a.host, &a.iss_aud) {
        (Some(host), _) => format!("https://{host}/"),
        (None, Some(x)) => x.clone(),
        (None, None) => return usage("give --host or --iss-aud"),
    };
    let verdict = if a.profile == AtrVerifier::AtrJwtDpop {
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
            now,
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
        atr::verify_atr(&authorization, &key, &iss_aud, now)
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
                say!("{}", accepted_json(fields));
            } else {
                say!("valid: token accepted");
                say!("sub: {}", printable(&c.sub));
                say!("jti: {}", printable(&c.jti));
                if let Some(jkt) = jkt {
                    say!("bound to jkt: {}", printable(&jkt));
                }
            }
            ExitCode::SUCCESS
        }
        Err((code, message)) => refused(a.json, &[code], &message),
    }
}
