//! caveatspec adapter for the `macaroon` crate 0.3 (JSON lines on stdin/stdout, see
//! `spec/adapter-protocol.md`). The crate knows macaroons, not PyPI: this adapter adds only
//! PyPI's text layer (the `pypi-` prefix) and the caveat JSON PyPI writes for restrictions, and
//! lets the crate do everything else (base64, binary format, HMAC chain, serialization).

use std::io::{BufRead, Write};

use macaroon::{Caveat, Macaroon, MacaroonKey};
use serde_json::{json, Value};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(h: &str) -> Option<Vec<u8>> {
    if h.len() % 2 != 0 {
        return None;
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(h.get(i..i + 2)?, 16).ok())
        .collect()
}

/// PyPI's text layer: `pypi-` then the macaroon's base64.
fn body(token: &str) -> Result<&str, String> {
    match token.split_once('-') {
        Some(("pypi", b)) if !b.is_empty() => Ok(b),
        _ => Err("not a pypi- token".into()),
    }
}

fn decode(input: &Value) -> Value {
    let token = input["token"].as_str().unwrap_or_default();
    let b = match body(token) {
        Ok(b) => b,
        Err(e) => return json!({"outcome": "invalid", "message": e}),
    };
    match Macaroon::deserialize(b) {
        Ok(m) => {
            let caveats: Vec<Value> = m
                .caveats()
                .iter()
                .map(|c| match c {
                    Caveat::FirstParty(f) => {
                        json!({"id_hex": hex(&f.predicate().0), "vid_hex": null, "location": null})
                    }
                    Caveat::ThirdParty(t) => json!({"id_hex": hex(&t.id().0),
                        "vid_hex": hex(&t.verifier_id().0), "location": t.location()}),
                })
                .collect();
            // The crate does not say which format it read; a V2 body starts with byte 0x02.
            let version = if b.starts_with("Ag") { 2 } else { 1 };
            json!({"outcome": "valid", "value": {"macaroon": {
                "version": version,
                "location": m.location(),
                "identifier_hex": hex(&m.identifier().0),
                "caveats": caveats,
                "signature_hex": hex(m.signature().as_ref()),
            }}})
        }
        Err(e) => json!({"outcome": "invalid", "message": format!("{e:?}")}),
    }
}

/// PEP 503 normalization, as PyPI writes project names into caveats.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep {
                out.push('-');
                sep = false;
            }
            out.extend(ch.to_lowercase());
        }
    }
    if sep {
        out.push('-');
    }
    out
}

fn is_name(n: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    n.chars().next().is_some_and(ok)
        && n.chars().last().is_some_and(ok)
        && n.chars().all(|c| ok(c) || matches!(c, '.' | '_' | '-'))
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

/// The caveats PyPI writes for restrictions, in its order, as compact JSON arrays, after the
/// checks spec/SPEC.md gives for restrictions (`Err(code)` when they cannot be written). This
/// is glue: the crate knows macaroons, not PyPI's caveats.
fn caveats_for(r: &Value, restrict: bool) -> Result<Vec<String>, &'static str> {
    let empty = r.as_object().is_none_or(|o| o.is_empty());
    if restrict && empty {
        return Err("restrict.nothing");
    }
    let mut out = Vec::new();
    match (r["not_before"].as_i64(), r["not_after"].as_i64()) {
        (None, None) => {}
        (Some(nb), Some(na)) => {
            if nb < 0 || na < 0 {
                return Err("restrict.window_negative");
            }
            if nb >= na {
                return Err("restrict.window_empty");
            }
            out.push(json!([0, na, nb]).to_string());
        }
        _ => return Err("restrict.window_incomplete"),
    }
    if let Some(names) = r.get("project_names").and_then(Value::as_array) {
        let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
        if names.is_empty() {
            return Err("restrict.empty_list");
        }
        if !names.iter().all(|n| is_name(n)) {
            return Err("restrict.invalid_name");
        }
        let n: Vec<String> = names.iter().map(|v| normalize(v)).collect();
        out.push(json!([1, n]).to_string());
    }
    if let Some(ids) = r.get("project_ids").and_then(Value::as_array) {
        if ids.is_empty() {
            return Err("restrict.empty_list");
        }
        if !ids.iter().all(|i| i.as_str().is_some_and(is_uuid)) {
            return Err("restrict.invalid_uuid");
        }
        out.push(json!([2, ids]).to_string());
    }
    if let Some(u) = r.get("user_id") {
        if !u.as_str().is_some_and(is_uuid) {
            return Err("restrict.invalid_uuid");
        }
        out.push(json!([3, u]).to_string());
    }
    Ok(out)
}

fn produced(mut m: Macaroon, restrictions: &Value, restrict: bool) -> Value {
    // `bind_jkt` asks for the strict profile's key-binding caveat (tag 5), which PyPI never
    // writes.
    if restrictions.get("bind_jkt").is_some() {
        return json!({"outcome": "unsupported", "message": "no key-binding caveat (bind_jkt) in PyPI's caveats"});
    }
    let caveats = match caveats_for(restrictions, restrict) {
        Ok(c) => c,
        Err(code) => return json!({"outcome": "invalid", "codes": [code]}),
    };
    for c in &caveats {
        m.add_first_party_caveat(c.as_bytes().to_vec().into());
    }
    match m.serialize(macaroon::Format::V2) {
        Ok(s) => {
            json!({"outcome": "valid", "value": {"caveats": caveats, "token": format!("pypi-{s}")}})
        }
        Err(e) => json!({"outcome": "invalid", "message": format!("{e:?}")}),
    }
}

fn mint(input: &Value) -> Value {
    let Some(key) = input["key_hex"].as_str().and_then(unhex) else {
        return json!({"outcome": "invalid", "message": "key is not hex"});
    };
    let location = input["location"].as_str().map(str::to_owned);
    let ident = input["identifier"].as_str().unwrap_or_default();
    // The crate derives the signing key from the root key exactly as libmacaroons does.
    match Macaroon::create(location, &MacaroonKey::generate(&key), ident.into()) {
        Ok(m) => produced(m, &input["restrictions"], false),
        Err(e) => json!({"outcome": "invalid", "message": format!("{e:?}")}),
    }
}

fn restrict(input: &Value) -> Value {
    let token = input["token"].as_str().unwrap_or_default();
    match body(token).map(Macaroon::deserialize) {
        Ok(Ok(m)) => produced(m, &input["restrictions"], true),
        Ok(Err(e)) => {
            json!({"outcome": "invalid", "codes": ["macaroon.malformed"], "message": format!("{e:?}")})
        }
        Err(e) => json!({"outcome": "invalid", "message": e}),
    }
}

fn main() {
    let _ = macaroon::initialize();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let hello = json!({"type": "hello", "protocol": 1, "name": "macaroon (Rust crate)",
        "version": "0.3.0", "language": "Rust", "profile": "warehouse",
        "kinds": ["decode", "mint", "restrict"]});
    if writeln!(out, "{hello}").and_then(|_| out.flush()).is_err() {
        return;
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { return };
        let Ok(req) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let input = &req["input"];
        let mut resp = match req["kind"].as_str() {
            Some("decode") => decode(input),
            Some("mint") => mint(input),
            Some("restrict") => restrict(input),
            _ => json!({"outcome": "unsupported"}),
        };
        resp["type"] = json!("response");
        resp["id"] = req["id"].clone();
        if writeln!(out, "{resp}").and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}
