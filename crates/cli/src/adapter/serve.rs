//! Serving an [`Implementation`] over the adapter protocol, so the reference is run exactly the
//! way every other implementation is (and the protocol is proven on an implementation known to
//! pass).

use std::io::{BufRead, Write};

use serde_json::{json, Value};

use super::protocol::{Hello, Request, PROTOCOL_VERSION};
use caveatspec_vectors::Profile;
use caveatspec_vectors::{answer, Implementation, Kind};

/// Answers requests from `input` on `output` until `input` ends.
pub fn serve(
    imp: &dyn Implementation,
    profile: Profile,
    input: impl BufRead,
    mut output: impl Write,
) -> std::io::Result<()> {
    let hello = Hello {
        ty: "hello".into(),
        protocol: PROTOCOL_VERSION,
        name: imp.name().into(),
        version: env!("CARGO_PKG_VERSION").into(),
        language: "Rust".into(),
        profile: profile.name().into(),
        kinds: Kind::ALL.to_vec(),
        categories: None,
        messages: profile == Profile::Warehouse,
    };
    writeln!(output, "{}", json!(hello))?;
    output.flush()?;
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(req) => respond(imp, &req, profile),
            Err(e) => json!({"type": "response", "id": "", "outcome": "unsupported",
                              "message": format!("not a request: {e}")}),
        };
        writeln!(output, "{reply}")?;
        output.flush()?;
    }
    Ok(())
}

fn respond(imp: &dyn Implementation, req: &Request, profile: Profile) -> Value {
    let mut out = json!({"type": "response", "id": req.id});
    match answer(imp, req.kind, &req.input, profile) {
        Ok(Some(Value::Object(mut got))) => {
            let valid = got.remove("valid").and_then(|v| v.as_bool()) == Some(true);
            out["outcome"] = json!(if valid { "valid" } else { "invalid" });
            out["codes"] = got.remove("codes").unwrap_or_else(|| json!([]));
            if let Some(m) = got.remove("message") {
                out["message"] = m;
            }
            if !got.is_empty() {
                out["value"] = Value::Object(got);
            }
        }
        Ok(_) => out["outcome"] = json!("unsupported"),
        Err(e) => {
            out["outcome"] = json!("unsupported");
            out["message"] = json!(format!("unreadable input: {e}"));
        }
    }
    out
}
