//! `caveatspec`: run the vectors, and inspect, mint, restrict and verify PyPI tokens; check
//! DPoP proofs, compute JWK thumbprints, and check Apache Trusted Releases' API JWTs.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};
use serde_json::json;

use caveatspec::adapter::{self, ImplEntry, Matrix, RunOptions, Skipped, Verdict};
use caveatspec::atr;
use caveatspec::attenuate::{self, Restrictions};
use caveatspec::dpop::presentation::RequestFields;
use caveatspec::dpop::{self, ProofRequest, ReplayCache};
use caveatspec::inspect;
use caveatspec::jose::{jwk, jws};
use caveatspec::macaroon;
use caveatspec::token;
use caveatspec::vectors::{self, CheckResult, Reference, VectorFile};
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::Profile;

#[derive(Parser)]
#[command(
    name = "caveatspec",
    version,
    about = "The executable specification of PyPI API-token caveats"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run vector files (default: the shipped ones) against the reference implementation, or
    /// against any implementation through an adapter.
    Run {
        /// Vector files or folders of them.
        paths: Vec<PathBuf>,
        /// Only this profile (default: all; with --adapter, the adapter's own).
        #[arg(long)]
        profile: Option<Profile>,
        /// One JSON report instead of text.
        #[arg(long)]
        json: bool,
        /// An adapter command (run by `sh -c`) speaking spec/adapter-protocol.md.
        #[arg(long, value_name = "COMMAND")]
        adapter: Option<String>,
        /// Seconds an adapter has to answer one vector.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Run every configured adapter and write DIR/matrix.json, matrix.md and matrix.html.
    Matrix {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// The adapter configuration.
        #[arg(long, default_value = "adapters/adapters.json")]
        config: PathBuf,
        /// Only these adapter ids.
        #[arg(long, num_args = 1..)]
        only: Vec<String>,
        /// Seconds an adapter has to answer one vector.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
    },
    /// Serve the reference implementation over the adapter protocol on stdin/stdout.
    #[command(hide = true)]
    Adapter {
        /// The profile it is held to.
        #[arg(long, default_value = "warehouse")]
        profile: Profile,
    },
    /// Describe a token without its key: location, identifier, each caveat in plain words.
    Inspect {
        /// The token, or `-` to read it from standard input.
        token: String,
        /// Date the expiry warnings at this Unix time (default: now).
        #[arg(long)]
        now: Option<i64>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add caveats to a token (no key needed) and print the narrower token.
    Restrict {
        /// The token, or `-` to read it from standard input.
        token: String,
        #[command(flatten)]
        restrictions: RestrictionArgs,
    },
    /// Create a token from a root key.
    Mint {
        /// Root key, hex.
        #[arg(long)]
        key_hex: String,
        /// Identifier (PyPI uses the token's database UUID).
        #[arg(long)]
        identifier: String,
        /// Location.
        #[arg(long, default_value = "pypi.org")]
        location: String,
        #[command(flatten)]
        restrictions: RestrictionArgs,
    },
    /// Verify a token with its root key against a request.
    Verify(VerifyArgs),
    /// DPoP proofs (RFC 9449).
    Dpop {
        #[command(subcommand)]
        command: DpopCommand,
    },
    /// JSON Web Keys.
    Jwk {
        #[command(subcommand)]
        command: JwkCommand,
    },
    /// Apache Trusted Releases' API JWTs (the atr-jwt profile).
    Atr {
        #[command(subcommand)]
        command: AtrCommand,
    },
}

#[derive(Subcommand)]
enum AtrCommand {
    /// Check an `Authorization` header value as ATR's verifier does (PyJWT, HS256, ATR's
    /// claims and leeway; spec/SPEC.md §10.6).
    Verify(AtrVerifyArgs),
}

#[derive(Args)]
#[command(group(ArgGroup::new("secret").required(true).args(["key", "key_file"])))]
#[command(group(ArgGroup::new("issuer").required(true).args(["host", "iss_aud"])))]
struct AtrVerifyArgs {
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

#[derive(Subcommand)]
enum DpopCommand {
    /// Check a proof against the request it came with (RFC 9449 §4.3; no replay cache: each
    /// run is independent).
    Verify(DpopVerifyArgs),
}

#[derive(Subcommand)]
enum JwkCommand {
    /// Print the RFC 7638 SHA-256 thumbprint of a public JWK (the `jkt` of RFC 9449).
    Thumbprint {
        /// The JWK as JSON text, or `-` to read it from standard input.
        jwk: String,
    },
}

#[derive(Args)]
struct DpopVerifyArgs {
    /// The proof (the `DPoP` header's value), or `-` to read it from standard input.
    proof: String,
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

#[derive(Args)]
struct RestrictionArgs {
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
struct VerifyArgs {
    /// The token, or `-` to read it from standard input.
    token: String,
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

/// Exit codes: 0 success/valid, 1 invalid or failed, 2 bad usage.
const EXIT_INVALID: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            paths,
            profile,
            json,
            adapter: None,
            ..
        } => run(&paths, profile, json),
        Command::Run {
            paths,
            json,
            adapter: Some(command),
            timeout,
            ..
        } => run_adapter(&paths, &command, json, timeout),
        Command::Matrix {
            out,
            config,
            only,
            timeout,
        } => matrix(&out, &config, &only, timeout),
        Command::Adapter { profile } => {
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            match adapter::serve(&Reference, profile, stdin.lock(), stdout.lock()) {
                Ok(()) => ExitCode::SUCCESS,
                // The runner went away: nothing left to answer.
                Err(_) => ExitCode::from(EXIT_INVALID),
            }
        }
        Command::Inspect { token, now, json } => with_token(&token, |t| cmd_inspect(t, now, json)),
        Command::Restrict {
            token,
            restrictions,
        } => with_token(&token, |t| cmd_restrict(t, &restrictions)),
        Command::Mint {
            key_hex,
            identifier,
            location,
            restrictions,
        } => cmd_mint(&key_hex, &identifier, &location, &restrictions),
        Command::Verify(args) => {
            let token = args.token.clone();
            with_token(&token, |t| cmd_verify(t, &args))
        }
        Command::Dpop {
            command: DpopCommand::Verify(args),
        } => with_input(&args.proof, "proof", |p| cmd_dpop_verify(p, &args)),
        Command::Jwk {
            command: JwkCommand::Thumbprint { jwk },
        } => with_input(&jwk, "JWK", cmd_jwk_thumbprint),
        Command::Atr {
            command: AtrCommand::Verify(args),
        } => cmd_atr_verify(&args),
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("caveatspec: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Reads the token from the argument or, for `-`, from standard input (one token, surrounding
/// whitespace removed). The token is a secret: it is never printed in an error.
fn with_token(arg: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
    with_input(arg, "token", f)
}

/// [`with_token`] for any argument that may come from standard input; `what` names it in the
/// error.
fn with_input(arg: &str, what: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
    if arg != "-" {
        return f(arg);
    }
    match read_bounded(std::io::stdin())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    {
        Some(text) => f(text.trim()),
        None => usage(&format!(
            "could not read the {what} from standard input (not UTF-8?)"
        )),
    }
}

/// Everything `source` gives, up to 1 MiB: no real token, proof or key is near that.
fn read_bounded(source: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    source.take(1 << 20).read_to_end(&mut buf)?;
    Ok(buf)
}

/// `bytes` without one trailing line ending (`\n` or `\r\n`).
fn without_line_ending(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if b.len() < bytes.len() {
        b.strip_suffix(b"\r").unwrap_or(b)
    } else {
        b
    }
}

fn cmd_inspect(token_text: &str, now: Option<i64>, as_json: bool) -> ExitCode {
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

fn cmd_restrict(token_text: &str, args: &RestrictionArgs) -> ExitCode {
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

fn cmd_mint(key_hex: &str, identifier: &str, location: &str, args: &RestrictionArgs) -> ExitCode {
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

fn cmd_verify(token_text: &str, a: &VerifyArgs) -> ExitCode {
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

fn cmd_dpop_verify(proof: &str, a: &DpopVerifyArgs) -> ExitCode {
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

/// Prints a refusal, `{"valid": false, "codes", "message"}` with `--json`, else the message
/// and one code per line; exit status 1.
fn refused(json: bool, codes: &[&str], message: &str) -> ExitCode {
    if json {
        println!(
            "{}",
            json!({"valid": false, "codes": codes, "message": message})
        );
    } else {
        println!("invalid: {message}");
        for code in codes {
            println!("  {code}");
        }
    }
    ExitCode::from(EXIT_INVALID)
}

/// The `--json` answer for an accepted input: `{"valid": true, "codes": [], "message": null}`
/// with the command's own `fields`.
fn accepted_json(fields: serde_json::Value) -> serde_json::Value {
    let mut answer = json!({"valid": true, "codes": [], "message": null});
    if let (Some(a), serde_json::Value::Object(f)) = (answer.as_object_mut(), fields) {
        a.extend(f);
    }
    answer
}

fn cmd_jwk_thumbprint(text: &str) -> ExitCode {
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

fn cmd_atr_verify(a: &AtrVerifyArgs) -> ExitCode {
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

fn load_paths(paths: &[PathBuf]) -> Result<Vec<VectorFile>, String> {
    if paths.is_empty() {
        return vectors::shipped().map_err(|e| e.to_string());
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|e| e.extension().is_some_and(|x| x == "json"))
                .collect();
            entries.sort();
            for e in entries {
                files.push(VectorFile::load(&e).map_err(|e| e.to_string())?);
            }
        } else {
            files.push(VectorFile::load(p).map_err(|e| e.to_string())?);
        }
    }
    Ok(files)
}

fn run(paths: &[PathBuf], profile: Option<Profile>, as_json: bool) -> ExitCode {
    let files = match load_paths(paths) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let profiles: Vec<Profile> = profile
        .map(|p| vec![p])
        .unwrap_or_else(|| Profile::ALL.to_vec());
    let (mut passed, mut failed, mut skipped) = (0usize, 0usize, 0usize);
    let mut report = Vec::new();
    for file in &files {
        let results = vectors::run_file(&Reference, file, &profiles);
        let (mut p, mut f, mut s) = (0, 0, 0);
        let mut failures = Vec::new();
        for (id, prof, r) in results {
            match r {
                CheckResult::Pass => p += 1,
                CheckResult::Skip(_) => s += 1,
                CheckResult::Fail(why) => {
                    f += 1;
                    failures.push(json!({"id": id, "profile": prof.name(), "why": why}));
                    if !as_json {
                        println!("FAIL {id} [{prof}]: {why}");
                    }
                }
            }
        }
        if !as_json {
            println!(
                "{:<18} {p:>4} passed, {f:>3} failed, {s:>3} skipped",
                file.category
            );
        }
        report.push(json!({"category": file.category, "passed": p, "failed": f, "skipped": s, "failures": failures}));
        passed += p;
        failed += f;
        skipped += s;
    }
    if as_json {
        println!(
            "{}",
            json!({"categories": report, "passed": passed, "failed": failed, "skipped": skipped})
        );
    } else {
        println!("{passed} passed, {failed} failed");
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

fn run_options(timeout: u64) -> RunOptions {
    RunOptions {
        timeout: std::time::Duration::from_secs(timeout.max(1)),
        ..RunOptions::default()
    }
}

fn run_adapter(paths: &[PathBuf], command: &str, as_json: bool, timeout: u64) -> ExitCode {
    let files = match load_paths(paths) {
        Ok(f) => f,
        Err(e) => return usage(&e),
    };
    let report = match adapter::run_adapter(command, None, &files, run_options(timeout)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("caveatspec: adapter: {e}");
            return ExitCode::from(EXIT_INVALID);
        }
    };
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let entry = ImplEntry::from_report("adapter", &report, &categories);
    if as_json {
        println!("{}", serde_json::to_string(&entry).unwrap_or_default());
    } else {
        println!(
            "{} {} ({}, {} profile)",
            entry.name, entry.version, entry.language, entry.profile
        );
        for v in &report.vectors {
            match &v.verdict {
                Verdict::Failed(why) => println!("FAIL {}: {why}", v.id),
                Verdict::Crashed(why) => println!("CRASH {}: {why}", v.id),
                _ => {}
            }
        }
        for c in &entry.cells {
            println!(
                "{:<18} {:>4} passed, {:>3} failed, {:>3} unsupported, {:>3} crashed",
                c.category, c.passed, c.failed, c.unsupported, c.crashed
            );
        }
        println!(
            "{} passed, {} failed, {} unsupported, {} crashed",
            entry.passed, entry.failed, entry.unsupported, entry.crashed
        );
    }
    if entry.failed + entry.crashed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INVALID)
    }
}

/// Shell-quotes a path for an adapter command line.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn matrix(
    out: &std::path::Path,
    config: &std::path::Path,
    only: &[String],
    timeout: u64,
) -> ExitCode {
    let adapters = match adapter::load_config(config) {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    // Commands are written relative to the repository root, the config's grandparent.
    let root = config
        .canonicalize()
        .ok()
        .and_then(|p| p.parent()?.parent().map(std::path::Path::to_path_buf));
    let exe = std::env::current_exe()
        .map(|p| shell_quote(&p.to_string_lossy()))
        .unwrap_or_else(|_| "caveatspec".into());
    let files = match vectors::shipped() {
        Ok(f) => f,
        Err(e) => return usage(&e.to_string()),
    };
    let categories: Vec<String> = files.iter().map(|f| f.category.clone()).collect();
    let per_category: Vec<(String, usize)> = files
        .iter()
        .map(|f| (f.category.clone(), f.vectors.len()))
        .collect();
    let mut m = Matrix {
        caveatspec: env!("CARGO_PKG_VERSION").into(),
        vectors: files.iter().map(|f| f.vectors.len()).sum(),
        categories: categories.clone(),
        implementations: Vec::new(),
        skipped: Vec::new(),
    };
    for a in adapters {
        if !only.is_empty() && !only.contains(&a.id) {
            continue;
        }
        if let Some(var) = &a.requires_env {
            if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
                let reason = format!("{var} is not set (optional adapter)");
                eprintln!("skipped {}: {reason}", a.id);
                m.skipped.push(Skipped { id: a.id, reason });
                continue;
            }
        }
        eprint!("{}: ", a.id);
        let command = a.command.replace("{caveatspec}", &exe);
        let entry =
            match adapter::run_adapter(&command, root.as_deref(), &files, run_options(timeout)) {
                Ok(r) => ImplEntry::from_report(&a.id, &r, &categories),
                Err(e) => ImplEntry::broken(&a.id, e, &per_category),
            };
        eprintln!(
            "{} passed, {} failed, {} unsupported, {} crashed{}",
            entry.passed,
            entry.failed,
            entry.unsupported,
            entry.crashed,
            entry
                .error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        );
        m.implementations.push(entry);
    }
    if let Err(e) = adapter::write_matrix(&m, out) {
        eprintln!("caveatspec: {}: {e}", out.display());
        return ExitCode::from(EXIT_INVALID);
    }
    print!(
        "{}",
        std::fs::read_to_string(out.join("matrix.md"))
            .unwrap_or_default()
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .collect::<Vec<_>>()
            .join("\n")
    );
    println!();
    if m.implementations.iter().any(|i| i.error.is_some()) {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
