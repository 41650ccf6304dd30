//! How every command answers: exit codes, refusals and `--json` objects, errors, and the one
//! way to write to standard output ([`say!`]) and standard error ([`complain`]).
//!
//! Errors can arise anywhere, even before the arguments are parsed, and each must be written
//! the same way: without a secret (a token, key or proof given on the command line or read from
//! a file), without a control character a hostile token could use to rewrite the terminal, and
//! as JSON when `--json` is on the command line. So the secrets known so far and the JSON choice
//! are kept here, once per process, instead of being threaded through every function.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde_json::json;

use caveatspec_cli::adapter::redact;

/// Exit codes: 0 success/valid, 1 invalid or failed, 2 bad usage.
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
/// Standard output was closed before the answer was written (`caveatspec … | head -1`):
/// 128 + SIGPIPE, what a shell reports for a program ended by that signal. Never 0, so a
/// refusal cut short is not taken for an acceptance.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// The exit statuses, as every command's `--help` states them.
pub const EXIT_CODES_HELP: &str = "Exit status: 0 valid or done; 1 invalid, refused or \
unreadable token; 2 bad usage or unreadable input; 141 standard output closed early.";

/// Whether errors are answered as JSON on standard output (`--json` on the command line).
static JSON_ERRORS: AtomicBool = AtomicBool::new(false);
/// Every secret met so far: they are replaced in any error before it is written.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Answers errors as `{"error": {"code", "message"}}` on standard output from now on.
pub fn answer_errors_in_json() {
    JSON_ERRORS.store(true, Ordering::Relaxed);
}

pub fn json_errors() -> bool {
    JSON_ERRORS.load(Ordering::Relaxed)
}

/// Remembers a secret so that no error ever shows it, as it is or escaped by [`printable`].
pub fn keep_secret(secret: &str) {
    if secret.is_empty() {
        return;
    }
    if let Ok(mut known) = SECRETS.lock() {
        let escaped = printable(secret);
        if escaped != secret {
            known.push(escaped.into_owned());
        }
        known.push(secret.to_owned());
    }
}

/// `text` without any known secret or anything shaped like a token, JWT or key.
pub fn redacted(text: &str) -> String {
    let known = SECRETS.lock().map(|k| k.clone()).unwrap_or_default();
    let refs: Vec<&str> = known.iter().map(String::as_str).collect();
    redact(text, &refs)
}

/// Whether `c` must not reach a terminal as it is: control characters (C0, DEL, C1), and
/// whatever else Rust's `escape_debug` takes for unprintable (bidi overrides and isolates,
/// zero-width and other format characters, unassigned code points).
fn needs_escape(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    if matches!(c, '\\' | '\'' | '"') {
        return false;
    }
    // After another character, `escape_debug` escapes only the unprintable (a combining mark
    // at the very start of a string is escaped too, which is not wanted here).
    let probe: String = [' ', c].iter().collect();
    probe.escape_debug().nth(1) == Some('\\')
}

/// `text` safe to show in a terminal: each character of [`needs_escape`] written as `\n`,
/// `\t`, `\r` or `\u{…}`; everything else, backslashes included, unchanged.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes a line to standard output, like `println!`; if the reader has gone (`| head -1`)
/// the process ends quietly with [`EXIT_BROKEN_PIPE`] instead of panicking.
macro_rules! say {
    () => {
        $crate::output::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}
pub(crate) use say;

/// [`say!`] without the line ending, like `print!`.
macro_rules! say_part {
    ($($arg:tt)*) => {
        $crate::output::write_stdout(format_args!($($arg)*))
    };
}
pub(crate) use say_part;

/// The body of [`say!`]: a closed pipe ends the process quietly, any other failure to write
/// ends it with a message on standard error.
pub fn write_stdout(args: fmt::Arguments<'_>) {
    let written = {
        let mut out = std::io::stdout().lock();
        out.write_fmt(args).and_then(|()| out.flush())
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(i32::from(EXIT_BROKEN_PIPE))
        }
        Err(e) => {
            complain(&format!("cannot write to standard output: {e}"));
            std::process::exit(i32::from(EXIT_INVALID))
        }
    }
}

/// Writes `caveatspec: MESSAGE` to standard error, secrets redacted and control characters
/// escaped. A failure to write there is ignored: there is nowhere left to report it.
pub fn complain(message: &str) {
    write_stderr(&format!("caveatspec: {}", printable(&redacted(message))));
}

/// Writes `text` and a line ending to standard error as it is, but for secrets; the caller
/// has escaped it (see [`printable`]).
pub fn write_stderr(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", redacted(text));
}

/// Writes a warning on standard error (never on standard output, which holds the answer).
pub fn warn(message: &str) {
    complain(&format!("warning: {message}"));
}

/// Ends a command with an error: `{"error": {"code", "message"}}` on standard output with
/// `--json`, else `caveatspec: MESSAGE` on standard error; secrets are redacted either way.
pub fn fail(exit: u8, code: &str, message: &str) -> ExitCode {
    if json_errors() {
        say!(
            "{}",
            json!({"error": {"code": code, "message": redacted(message)}})
        );
    } else {
        complain(message);
    }
    ExitCode::from(exit)
}

/// A usage error: exit status 2.
pub fn usage(message: &str) -> ExitCode {
    fail(EXIT_USAGE, "usage", message)
}

/// Prints a refusal, `{"valid": false, "codes", "message"}` with `--json`, else the message
/// and one code per line; exit status 1. The message is redacted, and escaped for people.
pub fn refused(json: bool, codes: &[&str], message: &str) -> ExitCode {
    let message = redacted(message);
    if json {
        say!(
            "{}",
            json!({"valid": false, "codes": codes, "message": message})
        );
    } else {
        say!("invalid: {}", printable(&message));
        for code in codes {
            say!("  {}", printable(code));
        }
    }
    ExitCode::from(EXIT_INVALID)
}

/// The `--json` answer for an accepted input: `{"valid": true, "codes": [], "message": null}`
/// with the command's own `fields`.
pub fn accepted_json(fields: serde_json::Value) -> serde_json::Value {
    let mut answer = json!({"valid": true, "codes": [], "message": null});
    if let (Some(a), serde_json::Value::Object(f)) = (answer.as_object_mut(), fields) {
        a.extend(f);
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn escapes_controls_and_bidi_but_not_text() {
        assert_eq!(printable("a\x1b[2J\nvalid: x"), "a\\u{1b}[2J\\nvalid: x");
        assert_eq!(
            printable("\u{202e}cod.exe\u{2066}\u{85}\x7f"),
            "\\u{202e}cod.exe\\u{2066}\\u{85}\\u{7f}"
        );
        assert_eq!(
            printable("Ünïcödé 'x' \"y\" \\ e\u{301}"),
            "Ünïcödé 'x' \"y\" \\ e\u{301}"
        );
    }
}
