//! `caveatspec`: run the vectors, and inspect, mint, restrict and verify PyPI tokens; check
//! DPoP proofs, compute JWK thumbprints, and check Apache Trusted Releases' API JWTs.

mod atr;
mod bundle;
mod dpop;
mod input;
mod output;
mod suite;
mod tokens;
mod when;

use std::collections::HashMap;
use std::ffi::OsString;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use caveatspec::Profile;
use caveatspec_cli::adapter;
use caveatspec_conformance::Reference;

use crate::atr::AtrCommand;
use crate::dpop::{DpopCommand, JwkCommand};
use crate::input::{with_input, with_token};
use crate::output::{fail, keep_secret, printable, EXIT_CODES_HELP, EXIT_INVALID, EXIT_USAGE};
use crate::tokens::{InspectArgs, MintArgs, RestrictArgs, VerifyArgs};

#[derive(Parser)]
#[command(
    name = "caveatspec",
    version,
    about = "The executable specification of PyPI API-token caveats",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run vector files (default: the shipped ones) against the reference implementation, or
    /// against any implementation through an adapter.
    Run(suite::RunArgs),
    /// Run every configured adapter and write DIR/matrix.json, matrix.md and matrix.html.
    Matrix(suite::MatrixArgs),
    /// Write the vector release: `DIR/caveatspec-vectors-<version>/` (the vector files, their
    /// schema and a manifest of counts and SHA-256 hashes) and the same as a reproducible
    /// `.tar`.
    Bundle(bundle::BundleArgs),
    /// Serve the reference implementation over the adapter protocol on stdin/stdout.
    #[command(hide = true)]
    Adapter {
        /// The profile it is held to.
        #[arg(long, default_value = "warehouse")]
        profile: Profile,
    },
    /// Describe a token without its key: location, identifier, each caveat in plain words.
    #[command(after_help = EXIT_CODES_HELP)]
    Inspect(InspectArgs),
    /// Add caveats to a token (no key needed) and print the narrower token.
    #[command(after_help = EXIT_CODES_HELP)]
    Restrict(RestrictArgs),
    /// Create a token from a root key.
    #[command(after_help = EXIT_CODES_HELP)]
    Mint(MintArgs),
    /// Verify a token with its root key against a request.
    #[command(after_help = EXIT_CODES_HELP)]
    Verify(VerifyArgs),
    /// DPoP proofs (RFC 9449).
    #[command(after_help = EXIT_CODES_HELP)]
    Dpop {
        #[command(subcommand)]
        command: DpopCommand,
    },
    /// JSON Web Keys.
    #[command(after_help = EXIT_CODES_HELP)]
    Jwk {
        #[command(subcommand)]
        command: JwkCommand,
    },
    /// Apache Trusted Releases' API JWTs (the atr-jwt profile).
    #[command(after_help = EXIT_CODES_HELP)]
    Atr {
        #[command(subcommand)]
        command: AtrCommand,
    },
}

/// The flags whose value is a secret (a key, an access token, a proof): their values, like
/// every positional argument (a token, a proof, a header value), are redacted from errors.
const SECRET_FLAGS: [&str; 4] = ["key-hex", "key", "access-token", "dpop"];

/// The commands whose positional arguments are not secret: `run`'s are vector files, which
/// its errors must name.
const PUBLIC_POSITIONALS: [&str; 1] = ["run"];

/// Every long flag of every command, with whether it takes a value, and every command name:
/// what it takes to tell a flag's value from a positional argument without parsing.
fn command_line_grammar() -> (HashMap<String, bool>, Vec<String>) {
    fn walk(c: &clap::Command, flags: &mut HashMap<String, bool>, names: &mut Vec<String>) {
        names.push(c.get_name().to_owned());
        for a in c.get_arguments() {
            if let Some(long) = a.get_long() {
                let takes = a.get_action().takes_values();
                *flags.entry(long.to_owned()).or_default() |= takes;
            }
        }
        for s in c.get_subcommands() {
            walk(s, flags, names);
        }
    }
    let (mut flags, mut names) = (HashMap::new(), Vec::new());
    walk(&Cli::command(), &mut flags, &mut names);
    (flags, names)
}

/// Remembers as secrets the values of [`SECRET_FLAGS`] and every positional argument on the
/// command line (before parsing, so that even a usage error cannot echo them); returns whether
/// `--json` is on it.
fn scan_command_line(args: &[OsString]) -> bool {
    let (flags, names) = command_line_grammar();
    let mut json = false;
    let mut only_positional = false;
    let mut command: Option<String> = None;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        if only_positional || arg == "-" || !arg.starts_with('-') {
            if command.is_none() && names.iter().any(|n| *n == arg) {
                command = Some(arg.into_owned());
            } else if !names.iter().any(|n| *n == arg)
                && !command
                    .as_deref()
                    .is_some_and(|c| PUBLIC_POSITIONALS.contains(&c))
            {
                keep_secret(&arg);
            }
            continue;
        }
        if arg == "--" {
            only_positional = true;
            continue;
        }
        let Some(long) = arg.strip_prefix("--") else {
            continue; // -h, -V
        };
        let (name, inline) = match long.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (long, None),
        };
        json |= name == "json";
        let secret = SECRET_FLAGS.contains(&name);
        match inline {
            Some(value) if secret => keep_secret(&value),
            Some(_) => {}
            None if flags.get(name).copied().unwrap_or(false) => {
                if let Some(value) = iter.next() {
                    if secret {
                        keep_secret(&value);
                    }
                }
            }
            None => {}
        }
    }
    json
}

/// The command line's grammar without colours: its errors then quote arguments exactly.
fn plain_command() -> clap::Command {
    Cli::command().styles(clap::builder::Styles::plain())
}

/// The `--json` code of a clap error.
fn usage_code(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::UnknownArgument => "usage.unknown_argument",
        ErrorKind::InvalidValue | ErrorKind::ValueValidation | ErrorKind::InvalidUtf8 => {
            "usage.invalid_value"
        }
        ErrorKind::MissingRequiredArgument => "usage.missing_argument",
        ErrorKind::ArgumentConflict => "usage.conflict",
        ErrorKind::InvalidSubcommand | ErrorKind::MissingSubcommand => "usage.subcommand",
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            "usage.values"
        }
        _ => "usage",
    }
}

/// Writes clap's usage error as every other error is written (redacted, escaped, JSON with
/// `--json`); help and version are clap's own.
fn usage_error(e: &clap::Error, args: &[OsString]) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    // Rendered with its (plain) styles so that the arguments it quotes stay as given, not
    // stripped of escape sequences: each is then escaped whole, its line breaks included,
    // before the lines of the message are escaped one by one.
    let mut text = e.render().ansi().to_string();
    for arg in args.iter().map(|a| a.to_string_lossy()) {
        let escaped = printable(&arg);
        if escaped != arg {
            text = text.replace(arg.as_ref(), &escaped);
        }
    }
    let text = text
        .trim_end()
        .lines()
        .map(|l| printable(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    if output::json_errors() {
        let message = text.strip_prefix("error: ").unwrap_or(&text);
        fail(EXIT_USAGE, usage_code(e.kind()), message)
    } else {
        // Clap's own layout: `error: …`, the usage line, the hint.
        output::write_stderr(&text);
        ExitCode::from(EXIT_USAGE)
    }
}

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if scan_command_line(&args) {
        output::answer_errors_in_json();
    }
    let cli = match plain_command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        // Help and version as clap writes them for a terminal, colours included.
        Err(e) if e.kind() == ErrorKind::DisplayHelp || e.kind() == ErrorKind::DisplayVersion => {
            match Cli::try_parse_from(&args) {
                Err(e) => e.exit(),
                Ok(_) => return ExitCode::SUCCESS,
            }
        }
        Err(e) => return usage_error(&e, &args),
    };
    match cli.command {
        Command::Run(args) => suite::run(&args),
        Command::Matrix(args) => suite::matrix(&args),
        Command::Bundle(args) => bundle::cmd_bundle(&args),
        Command::Adapter { profile } => {
            let stdin = std::io::stdin();
            let stdout = std::io::stdout();
            match adapter::serve(&Reference, profile, stdin.lock(), stdout.lock()) {
                Ok(()) => ExitCode::SUCCESS,
                // The runner went away: nothing left to answer.
                Err(_) => ExitCode::from(EXIT_INVALID),
            }
        }
        Command::Inspect(args) => with_token(&args.token, |t| tokens::cmd_inspect(t, &args)),
        Command::Restrict(args) => with_token(&args.token, |t| tokens::cmd_restrict(t, &args)),
        Command::Mint(args) => tokens::cmd_mint(&args),
        Command::Verify(args) => with_token(&args.token, |t| tokens::cmd_verify(t, &args)),
        Command::Dpop {
            command: DpopCommand::Verify(args),
        } => with_input(&args.proof, "proof", |p| dpop::cmd_dpop_verify(p, &args)),
        Command::Jwk {
            command: JwkCommand::Thumbprint(args),
        } => with_input(&args.jwk, "JWK", |j| dpop::cmd_jwk_thumbprint(j, &args)),
        Command::Atr {
            command: AtrCommand::Verify(args),
        } => atr::cmd_atr_verify(&args),
    }
}
