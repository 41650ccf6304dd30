//! Reading a command's input: the argument itself, or standard input for `-`, bounded.

use std::io::Read;
use std::process::ExitCode;

use crate::output::usage;

/// Reads the token from the argument or, for `-`, from standard input (one token, surrounding
/// whitespace removed). The token is a secret: it is never printed in an error.
pub fn with_token(arg: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
    with_input(arg, "token", f)
}

/// [`with_token`] for any argument that may come from standard input; `what` names it in the
/// error.
pub fn with_input(arg: &str, what: &str, f: impl FnOnce(&str) -> ExitCode) -> ExitCode {
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
pub fn read_bounded(source: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    source.take(1 << 20).read_to_end(&mut buf)?;
    Ok(buf)
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
