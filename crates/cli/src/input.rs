//! Reading a command's input: the argument itself, standard input for `-`, a file or an
//! environment variable, always bounded, never echoed.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use crate::output::{fail, keep_secret, EXIT_USAGE};

/// The most any input may hold: no real token, proof or key is near 1 MiB. More is refused,
/// never cut down and judged.
pub const INPUT_LIMIT: usize = 1 << 20;

/// Why an input could not be read. No variant holds any of the input's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    #[error("{what} does not exist")]
    Missing { what: String },
    #[error("cannot read {what}: {reason}")]
    Unreadable { what: String, reason: String },
    #[error("{what} is larger than the limit of {INPUT_LIMIT} bytes (1 MiB)")]
    TooLarge { what: String },
    #[error("{what} is not UTF-8 text")]
    NotUtf8 { what: String },
    #[error("{what} is empty")]
    Empty { what: String },
    #[error("{what} is given more than once ({sources}): give exactly one")]
    Conflict { what: String, sources: String },
}

impl InputError {
    /// The stable code of a `--json` error.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::Missing { .. } => "input.missing_file",
            InputError::Unreadable { .. } => "input.unreadable",
            InputError::TooLarge { .. } => "input.too_large",
            InputError::NotUtf8 { .. } => "input.not_utf8",
            InputError::Empty { .. } => "input.empty",
            InputError::Conflict { .. } => "input.conflict",
        }
    }

    /// Ends the command with this error (exit status 2).
    pub fn fail(&self) -> ExitCode {
        fail(EXIT_USAGE, self.code(), &self.to_string())
    }
}

/// Everything `source` gives, up to [`INPUT_LIMIT`] bytes; more is [`InputError::TooLarge`].
pub fn read_bounded(source: impl Read, what: &str) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    // One byte past the limit tells a full input from an oversized one.
    source
        .take(INPUT_LIMIT as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| InputError::Unreadable {
            what: what.to_owned(),
            reason: e.kind().to_string(),
        })?;
    if buf.len() > INPUT_LIMIT {
        return Err(InputError::TooLarge {
            what: what.to_owned(),
        });
    }
    Ok(buf)
}

/// The bytes as text.
fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|_| InputError::NotUtf8 {
        what: what.to_owned(),
    })
}

/// Standard input as text, bounded.
pub fn stdin_text(what: &str) -> Result<String, InputError> {
    let what = format!("the {what} on standard input");
    utf8(read_bounded(std::io::stdin().lock(), &what)?, &what)
}

/// A file's text, bounded, one trailing line ending removed; `flag` names it in errors.
pub fn file_text(path: &Path, flag: &str) -> Result<String, InputError> {
    let what = format!("{flag} {}", path.display());
    let file = std::fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => InputError::Missing { what: what.clone() },
        kind => InputError::Unreadable {
            what: what.clone(),
            reason: kind.to_string(),
        },
    })?;
    let mut text = utf8(read_bounded(file, &what)?, &what)?;
    let kept = without_line_ending(text.as_bytes()).len();
    text.truncate(kept);
    Ok(text)
}

/// The argument itself or, for `-`, standard input with surrounding whitespace removed. What
/// is read is kept as a secret.
pub fn arg_or_stdin(arg: &str, what: &str) -> Result<String, InputError> {
    if arg != "-" {
        return Ok(arg.to_owned());
    }
    let text = stdin_text(what)?.trim().to_owned();
    keep_secret(&text);
    Ok(text)
}

/// Runs `f` on the token from the argument or, for `-`, from standard input (one token,
/// surrounding whitespace removed). The token is a secret: it is never printed in an error.
pub fn with_token(arg: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
    with_input(arg, "token", f)
}

/// [`with_token`] for any argument that may come from standard input; `what` names it in the
/// error.
pub fn with_input(arg: &str, what: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
    match arg_or_stdin(arg, what) {
        Ok(text) => f(&text),
        Err(e) => e.fail(),
    }
}

/// `bytes` without one trailing line ending (`\n` or `\r\n`).
pub fn without_line_ending(bytes: &[u8]) -> &[u8] {
    let b = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if b.len() < bytes.len() {
        b.strip_suffix(b"\r").unwrap_or(b)
    } else {
        b
    }
}

/// The places one secret may come from, of which exactly one may be used: its own flag (seen
/// by everyone in the process list), a file, or an environment variable.
pub struct SecretSources<'a> {
    /// What the secret is, for errors ("the key").
    pub what: &'static str,
    pub flag: &'static str,
    pub value: Option<&'a str>,
    pub file_flag: &'static str,
    pub file: Option<&'a Path>,
    pub env: &'static str,
}

impl SecretSources<'_> {
    /// The secret from its one source, `None` if none is given; kept as a secret. More than one
    /// source, an empty value, an unreadable file or variable are errors.
    pub fn read(&self) -> Result<Option<String>, InputError> {
        let from_env = std::env::var_os(self.env);
        let given: Vec<&str> = [
            self.value.map(|_| self.flag),
            self.file.map(|_| self.file_flag),
            from_env.as_ref().map(|_| self.env),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() > 1 {
            return Err(InputError::Conflict {
                what: self.what.to_owned(),
                sources: given.join(", "),
            });
        }
        let (text, source) = match (self.value, self.file, from_env) {
            (Some(v), _, _) => (v.to_owned(), self.flag.to_owned()),
            (_, Some(path), _) => (file_text(path, self.file_flag)?, self.file_flag.to_owned()),
            (_, _, Some(v)) => {
                let what = format!("environment variable {}", self.env);
                let v = v
                    .into_string()
                    .map_err(|_| InputError::NotUtf8 { what: what.clone() })?;
                if v.len() > INPUT_LIMIT {
                    return Err(InputError::TooLarge { what });
                }
                (v, what)
            }
            (None, None, None) => return Ok(None),
        };
        if text.is_empty() {
            return Err(InputError::Empty {
                what: format!("{} ({source})", self.what),
            });
        }
        keep_secret(&text);
        Ok(Some(text))
    }
}
