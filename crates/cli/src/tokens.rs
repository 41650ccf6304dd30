//! PyPI tokens: `inspect`, `restrict`, `mint` and `verify`.

use std::process::ExitCode;

use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgAction, Args};
use serde_json::json;

use caveatspec::attenuate::{self, Restrictions};
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, ReplayCache};
use caveatspec::encoding::hex;
use caveatspec::inspect;
use caveatspec::macaroon;
use caveatspec::token;
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::Profile;

use crate::input::SecretSources;
use crate::output::{
    accepted_json, fail, printable, redacted, refused, say, usage, warn, EXIT_INVALID, EXIT_USAGE,
};
use crate::when;

/// Where the root key of `mint` and `verify` comes from.
#[derive(Args)]
pub struct RootKeyArgs {
    /// The root key, hex. Every user can read it in the process list: prefer --key-file or
    /// CAVEATSPEC_KEY_HEX (exactly one of the three).
    #[arg(long, value_name = "HEX")]
    key_hex: Option<String>,
    /// A file holding the root key in hex (one trailing line ending removed).
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
}

/// The environment variable that may hold the root key, hex.
pub const KEY_HEX_ENV: &str = "CAVEATSPEC_KEY_HEX";

impl RootKeyArgs {
    /// The key's bytes from its one source, or the error that ends the command.
    fn key(&self) -> Result<Vec<u8>, ExitCode> {
        let sources = SecretSources {
            what: "the root key",
            flag: "--key-hex",
            value: self.key_hex.as_deref(),
            file_flag: "--key-file",
            file: self.key_file.as_deref(),
            env: KEY_HEX_ENV,
        };
        match sources.read() {
            Ok(Some(hex)) => hex::decode(&hex).map_err(|_| usage("the root key is not hex")),
            Ok(None) => Err(usage(&format!(
                "the root key is needed: give --key-hex, --key-file or {KEY_HEX_ENV}"
            ))),
            Err(e) => Err(e.fail()),
        }
    }
}

#[derive(Args)]
pub struct RestrictionArgs {
    /// Only for this project, display or normalized name (repeat for each).
    #[arg(long = "project", value_name = "NAME", action = ArgAction::Append)]
    projects: Vec<String>,
    /// Only for this project id (repeat for each).
    #[arg(long = "project-id", value_name = "ID", action = ArgAction::Append)]
    project_ids: Vec<String>,
    /// Only for this user id.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,
    /// Not valid before this time (Unix seconds, RFC 3339, `now`, or +30d, -5m, …).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    not_before: Option<String>,
    /// Not valid at or after this time (same forms as --not-before).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    not_after: Option<String>,
    /// Only with a DPoP proof by the key with this RFC 7638 thumbprint (strict profile only:
    /// PyPI refuses such a token).
    #[arg(long, value_name = "J")]
    bind_jkt: Option<String>,
}

impl RestrictionArgs {
    fn restrictions(&self) -> Result<Restrictions, ExitCode> {
        let time = |flag: &str, text: &Option<String>| {
            text.as_deref()
                .map(|t| when::parse(flag, t))
                .transpose()
                .map_err(|e| e.fail())
        };
        if self.bind_jkt.is_some() {
            warn("--bind-jkt writes caveat [5, jkt], which PyPI refuses (unknown tag): only a strict verifier accepts the token");
        }
        Ok(Restrictions {
            not_before: time("--not-before", &self.not_before)?,
            not_after: time("--not-after", &self.not_after)?,
            project_names: (!self.projects.is_empty()).then(|| self.projects.clone()),
            project_ids: (!self.project_ids.is_empty()).then(|| self.project_ids.clone()),
            user_id: self.user_id.clone(),
            bind_jkt: self.bind_jkt.clone(),
        })
    }
}

#[derive(Args)]
pub struct InspectArgs {
    /// The token, or `-` to read it from standard input.
    pub token: String,
    /// Date the expiry warnings at this time (Unix seconds, RFC 3339, `now`, +30d, …;
    /// default: now).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    now: Option<String>,
    /// Print JSON: each caveat's kind and fields as well as its meaning in words.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct RestrictArgs {
    /// The token, or `-` to read it from standard input.
    pub token: String,
    #[command(flatten)]
    restrictions: RestrictionArgs,
}

#[derive(Args)]
pub struct MintArgs {
    #[command(flatten)]
    key: RootKeyArgs,
    /// Identifier (PyPI uses the token's database UUID).
    #[arg(long)]
    identifier: String,
    /// Location.
    #[arg(long, default_value = "pypi.org")]
    location: String,
    #[command(flatten)]
    restrictions: RestrictionArgs,
}

/// The two profiles, for `--profile`: their names listed once in `--help`.
fn profile_parser() -> impl clap::builder::TypedValueParser<Value = Profile> {
    PossibleValuesParser::new(Profile::ALL.map(Profile::name)).try_map(|s| s.parse::<Profile>())
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    pub token: String,
    #[command(flatten)]
    key: RootKeyArgs,
    /// The request's time (Unix seconds, RFC 3339, `now`, +30d, -5m, …; default: now).
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    now: Option<String>,
    /// The project's display name (its normalized name is derived as PyPI does).
    #[arg(long)]
    project: Option<String>,
    /// The project's id.
    #[arg(long)]
    project_id: Option<String>,
    /// The token's owner, a user.
    #[arg(long)]
    user_id: Option<String>,
    /// The token's owner, a Trusted Publisher.
    #[arg(long, conflicts_with = "user_id")]
    publisher_id: Option<String>,
    /// A project registered to the publisher (repeat for each).
    #[arg(long = "publisher-project-id", value_name = "ID", requires = "publisher_id", action = ArgAction::Append)]
    publisher_project_ids: Vec<String>,
    /// A caveat PyPI stored when it issued the token (JSON; repeat for each, in order).
    #[arg(long = "issued-caveat", value_name = "JSON", action = ArgAction::Append)]
    issued_caveats: Vec<String>,
    /// The thumbprint of the key of a DPoP proof, already checked with `dpop verify
    /// --access-token` against this token, presented with the request.
    #[arg(long, value_name = "J")]
    proof_jkt: Option<String>,
    /// A DPoP proof presented with the token, which is then taken as sent in
    /// `Authorization: DPoP <token>` and checked with the proof as one request (strict profile,
    /// spec/SPEC.md §10.9; needs --method and --url).
    #[arg(long, value_name = "PROOF", conflicts_with = "proof_jkt", requires_all = ["method", "url"])]
    dpop: Option<String>,
    /// The request method (with --dpop).
    #[arg(long, value_name = "M", requires = "dpop")]
    method: Option<String>,
    /// The URL the request was received at (with --dpop).
    #[arg(long, value_name = "U", requires = "dpop")]
    url: Option<String>,
    /// The nonce the server requires (with --dpop).
    #[arg(long, value_name = "N", requires = "dpop")]
    nonce: Option<String>,
    /// The verifier it is held to.
    #[arg(long, default_value = "warehouse", value_parser = profile_parser())]
    profile: Profile,
    /// Print `{"valid", "codes", "message"}` (and `jkt` when a --dpop proof was checked).
    #[arg(long)]
    json: bool,
}

pub fn cmd_inspect(token_text: &str, a: &InspectArgs) -> ExitCode {
    let now = match a
        .now
        .as_deref()
        .map(|t| when::parse("--now", t))
        .transpose()
    {
        Ok(now) => now.or_else(|| when::current().ok()),
        Err(e) => return e.fail(),
    };
    let report = match inspect::inspect(token_text, now) {
        Ok(r) => r,
        Err(e) => return fail(EXIT_INVALID, e.code(), &e.to_string()),
    };
    if a.json {
        say!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    say!("format:     macaroon V{}", report.version);
    say!(
        "location:   {}",
        printable(report.location.as_deref().unwrap_or("(none)"))
    );
    say!("identifier: {}", printable(&report.identifier));
    if report.caveats.is_empty() {
        say!("caveats:    none (the token is as wide as its owner's rights)");
    }
    for (i, c) in report.caveats.iter().enumerate() {
        say!("caveat {}:   {}", i + 1, printable(&c.raw));
        match &c.meaning {
            Some(m) => say!("            {}", printable(m)),
            None => say!("            (unreadable)"),
        }
        for w in &c.warnings {
            say!("            warning: {}", printable(w));
        }
    }
    for w in &report.warnings {
        say!("warning:    {}", printable(w));
    }
    ExitCode::SUCCESS
}

pub fn cmd_restrict(token_text: &str, a: &RestrictArgs) -> ExitCode {
    let restrictions = match a.restrictions.restrictions() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match attenuate::restrict(token_text, &restrictions) {
        Ok((t, _)) => {
            say!("{t}");
            ExitCode::SUCCESS
        }
        Err(e @ attenuate::AttenuateError::Token(_)) => {
            fail(EXIT_INVALID, e.code(), &e.to_string())
        }
        Err(e) => fail(EXIT_USAGE, e.code(), &e.to_string()),
    }
}

pub fn cmd_mint(a: &MintArgs) -> ExitCode {
    // One after the other: each failure is written as it happens, so only the first runs.
    let key = match a.key.key() {
        Ok(k) => k,
        Err(code) => return code,
    };
    let restrictions = match a.restrictions.restrictions() {
        Ok(r) => r,
        Err(code) => return code,
    };
    match attenuate::mint(&key, &a.identifier, &a.location, &restrictions) {
        Ok((t, _)) => {
            say!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(EXIT_USAGE, e.code(), &e.to_string()),
    }
}

/// The identifier inside the token, which the CLI takes as the database row's id.
fn token_identifier(token_text: &str) -> String {
    token::split_prefix(token_text, Profile::Warehouse)
        .ok()
        .and_then(|b| token::decode_body(b, Profile::Warehouse).ok())
        .and_then(|bytes| {
            macaroon::decode(&bytes, Profile::Warehouse)
                .ok()
                .map(|m| m.identifier.to_vec())
        })
        .and_then(|i| String::from_utf8(i).ok())
        .unwrap_or_default()
}

pub fn cmd_verify(token_text: &str, a: &VerifyArgs) -> ExitCode {
    let key = match a.key.key() {
        Ok(k) => k,
        Err(code) => return code,
    };
    let now = match when::parse_or_now("--now", a.now.as_deref()) {
        Ok(t) => t,
        Err(e) => return e.fail(),
    };
    if a.project_id.is_some() && a.project.is_none() {
        return usage("--project-id needs --project (the display name)");
    }
    let publisher_projects: Vec<&str> =
        a.publisher_project_ids.iter().map(String::as_str).collect();
    let owner = match (&a.user_id, &a.publisher_id) {
        (Some(u), _) => Owner::User { user_id: u },
        (None, Some(p)) => Owner::Publisher {
            publisher_id: p,
            project_ids: &publisher_projects,
        },
        (None, None) => Owner::Nobody,
    };
    let stored: Vec<&str> = a.issued_caveats.iter().map(String::as_str).collect();
    let identifier = token_identifier(token_text);
    let issued = Issued {
        identifier: &identifier,
        root_key: &key,
        owner,
        stored_caveats: &stored,
    };
    let request = Request {
        now,
        project: a.project.as_deref().map(|name| Project {
            name,
            id: a.project_id.as_deref().unwrap_or(""),
        }),
        proof_jkt: a.proof_jkt.as_deref(),
    };
    if let Some(proof) = &a.dpop {
        if a.profile != Profile::Strict {
            return usage("--dpop needs --profile strict: PyPI reads no DPoP proof");
        }
        return verify_presented(token_text, proof, a, &issued, request);
    }
    let v = verify::verify(token_text, &issued, &request, a.profile);
    // PyPI's message can quote the token's caveats: redacted, and escaped for people.
    let message = v.message.as_deref().map(redacted);
    if a.json {
        say!(
            "{}",
            json!({"valid": v.valid, "codes": v.codes(), "message": message})
        );
    } else if v.valid {
        let message = message.as_deref().unwrap_or("signature and caveats OK");
        say!("valid: {}", printable(message));
    } else {
        say!(
            "invalid: {}",
            printable(message.as_deref().unwrap_or("refused"))
        );
        for code in v.codes() {
            say!("  {code}");
        }
    }
    if !v.valid {
        return ExitCode::from(EXIT_INVALID);
    }
    ExitCode::SUCCESS
}

/// `verify --dpop`: the token as `Authorization: DPoP <token>` with one proof, one request.
fn verify_presented(
    token_text: &str,
    proof: &str,
    a: &VerifyArgs,
    issued: &Issued<'_>,
    request: Request<'_>,
) -> ExitCode {
    let authorization = format!("DPoP {token_text}");
    let presented = verify::PresentedRequest {
        fields: RequestFields {
            authorization: &[authorization.as_str()],
            dpop: &[proof],
            method: a.method.as_deref().unwrap_or_default(),
            url: a.url.as_deref().unwrap_or_default(),
            nonce: a.nonce.as_deref(),
        },
        request,
    };
    // One request per run, so a fresh replay cache: replay across runs is the server's.
    let mut cache = ReplayCache::new(1, dpop::DEFAULT_MAX_AGE);
    match verify::verify_presented(&presented, issued, &mut cache) {
        Ok(jkt) => {
            let jkt = jkt.unwrap_or_default();
            if a.json {
                say!("{}", accepted_json(json!({ "jkt": jkt })));
            } else {
                say!("valid: token and proof accepted");
                say!("bound to jkt: {}", printable(&jkt));
            }
            ExitCode::SUCCESS
        }
        Err(e) => refused(a.json, &e.codes(), &e.to_string()),
    }
}
