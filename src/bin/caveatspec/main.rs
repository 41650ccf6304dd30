//! `caveatspec`: run the vectors, and inspect, mint, restrict and verify PyPI tokens; check
//! DPoP proofs, compute JWK thumbprints, and check Apache Trusted Releases' API JWTs.

mod atr;
mod bundle;
mod dpop;
mod input;
mod output;
mod suite;
mod tokens;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use caveatspec::adapter;
use caveatspec::vectors::Reference;
use caveatspec::Profile;

use crate::atr::AtrCommand;
use crate::dpop::{DpopCommand, JwkCommand};
use crate::input::{with_input, with_token};
use crate::output::EXIT_INVALID;
use crate::tokens::{RestrictionArgs, VerifyArgs};

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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Inspect { token, now, json } => {
            with_token(&token, |t| tokens::cmd_inspect(t, now, json))
        }
        Command::Restrict {
            token,
            restrictions,
        } => with_token(&token, |t| tokens::cmd_restrict(t, &restrictions)),
        Command::Mint {
            key_hex,
            identifier,
            location,
            restrictions,
        } => tokens::cmd_mint(&key_hex, &identifier, &location, &restrictions),
        Command::Verify(args) => {
            let token = args.token.clone();
            with_token(&token, |t| tokens::cmd_verify(t, &args))
        }
        Command::Dpop {
            command: DpopCommand::Verify(args),
        } => with_input(&args.proof, "proof", |p| dpop::cmd_dpop_verify(p, &args)),
        Command::Jwk {
            command: JwkCommand::Thumbprint { jwk },
        } => with_input(&jwk, "JWK", dpop::cmd_jwk_thumbprint),
        Command::Atr {
            command: AtrCommand::Verify(args),
        } => atr::cmd_atr_verify(&args),
    }
}
