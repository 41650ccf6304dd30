//! How every command answers: exit codes, refusals and `--json` objects, usage errors.

use std::process::ExitCode;

use serde_json::json;

/// Exit codes: 0 success/valid, 1 invalid or failed, 2 bad usage.
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

pub fn usage(message: &str) -> ExitCode {
    eprintln!("caveatspec: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// Prints a refusal, `{"valid": false, "codes", "message"}` with `--json`, else the message
/// and one code per line; exit status 1.
pub fn refused(json: bool, codes: &[&str], message: &str) -> ExitCode {
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
pub fn accepted_json(fields: serde_json::Value) -> serde_json::Value {
    let mut answer = json!({"valid": true, "codes": [], "message": null});
    if let (Some(a), serde_json::Value::Object(f)) = (answer.as_object_mut(), fields) {
        a.extend(f);
    }
    answer
}
