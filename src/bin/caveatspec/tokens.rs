//! PyPI tokens: `inspect`, `restrict`, `mint` and `verify`.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use caveatspec::attenuate::{self, Restrictions};
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, ReplayCache};
use caveatspec::inspect;
use caveatspec::macaroon;
use caveatspec::token;
use caveatspec::vectors;
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::Profile;

use crate::output::{accepted_json, refused, usage, EXIT_INVALID};

#[derive(Args)]
pub struct RestrictionArgs {
    /// Only for these projects (display or normalized names).
    #[arg(long = "project", value_name = "NAME", num_args = 1..)]
    projects: Vec<String>,
    /// Only for these project ids.
    #[arg(long = "project-id", value_name = "ID", num_args = 1..)]
    project_ids: Vec<String>,
    /// Only for this user id.
    #[arg(long)]
    user_id: Option<String>,
    /// Not valid before this Unix time.
    #[arg(long)]
    not_before: Option<i64>,
    /// Not valid at or after this Unix time.
    #[arg(long)]
    not_after: Option<i64>,
    /// Only with a DPoP proof by the key with this RFC 7638 thumbprint (strict profile only:
    /// PyPI refuses such a token).
    #[arg(long, value_name = "J")]
    bind_jkt: Option<String>,
}

impl RestrictionArgs {
    fn restrictions(&self) -> Restrictions {
        Restrictions {
            not_before: self.not_before,
            not_after: self.not_after,
            project_names: (!self.projects.is_empty()).then(|| self.projects.clone()),
            project_ids: (!self.project_ids.is_empty()).then(|| self.project_ids.clone()),
            user_id: self.user_id.clone(),
            bind_jkt: self.bind_jkt.clone(),
        }
    }
}

#[derive(Args)]
pub struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    pub token: String,
    /// The token's root key, hex.
    #[arg(long)]
    key_hex: String,
    /// The request's Unix time.
    #[arg(long)]
    now: i64,
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
    /// A project registered to the publisher (repeatable).
    #[arg(long = "publisher-project-id", requires = "publisher_id")]
    publisher_project_ids: Vec<String>,
    /// A caveat PyPI stored when it issued the token (JSON, repeatable, in order).
    #[arg(long = "issued-caveat")]
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
    /// Profile (default: warehouse).
    #[arg(long, default_value = "warehouse")]
    profile: Profile,
    /// Print `{"valid", "codes", "message"}` (and `jkt` when a --dpop proof was checked).
    #[arg(long)]
    json: bool,
}

pub fn cmd_inspect(token_text: &str, now: Option<i64>, as_json: bool) -> ExitCode {
    let now = now.or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .and_then(|d| i64::try_from(d.as_secs()).ok())
    });
    let report = match inspect::inspect(token_text, now) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("caveatspec: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    println!("format:     macaroon V{}", report.version);
    println!(
        "location:   {}",
        report.location.as_deref().unwrap_or("(none)")
    );
    println!("identifier: {}", report.identifier);
    if report.caveats.is_empty() {
        println!("caveats:    none (the token is as wide as its owner's rights)");
    }
    for (i, c) in report.caveats.iter().enumerate() {
        println!("caveat {}:   {}", i + 1, c.raw);
        match &c.meaning {
            Some(m) => println!("            {m}"),
            None => println!("            (unreadable)"),
        }
        for w in &c.warnings {
            println!("            warning: {w}");
        }
    }
    for w in &report.warnings {
        println!("warning:    {w}");
    }
    ExitCode::SUCCESS
}

pub fn cmd_restrict(token_text: &str, args: &RestrictionArgs) -> ExitCode {
    match attenuate::restrict(token_text, &args.restrictions()) {
        Ok((t, _)) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Err(e @ attenuate::AttenuateError::Token(_)) => {
            eprintln!("caveatspec: {e}");
            ExitCode::from(EXIT_INVALID)
        }
        Err(e) => usage(&e.to_string()),
    }
}

pub fn cmd_mint(
    key_hex: &str,
    identifier: &str,
    location: &str,
    args: &RestrictionArgs,
) -> ExitCode {
    let Ok(key) = vectors::decode_hex(key_hex) else {
        return usage("--key-hex is not hex");
    };
    match attenuate::mint(&key, identifier, location, &args.restrictions()) {
        Ok((t, _)) => {
            println!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => usage(&e.to_string()),
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
    let Ok(key) = vectors::decode_hex(&a.key_hex) else {
        return usage("--key-hex is not hex");
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
        now: a.now,
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
    if a.json {
        println!(
            "{}",
            json!({"valid": v.valid, "codes": v.codes(), "message": v.message})
        );
    } else if v.valid {
        println!(
            "valid: {}",
            v.message.as_deref().unwrap_or("signature and caveats OK")
        );
    } else {
        println!("invalid: {}", v.message.as_deref().unwrap_or("refused"));
        for f in &v.failures {
            println!("  {}", f.code);
        }
    }
    if v.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
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
                println!("{}", accepted_json(json!({ "jkt": jkt })));
            } else {
                println!("valid: token and proof accepted");
                println!("bound to jkt: {jkt}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => refused(a.json, &e.codes(), &e.to_string()),
    }
}
