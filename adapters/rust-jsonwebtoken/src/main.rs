//! caveatspec adapter for the `jsonwebtoken` crate 11.1.0 (RustCrypto backend): dpop_proof,
//! jwk_thumbprint and atr_jwt. Protocol: spec/adapter-protocol.md.
//!
//! jsonwebtoken reads the clock only from the system (`get_current_timestamp`); a vector's
//! `now` cannot be given to it. So its `exp`/`nbf` validation is switched off and the glue
//! applies jsonwebtoken's own comparisons at the vector's `now`, on the claims as jsonwebtoken
//! reads them (a non-negative integer, or a finite non-negative float rounded): `exp < now −
//! leeway` is expired, `nbf > now + leeway` is not yet valid. Nothing else is replaced.
//!
//! jwk_thumbprint: the JWK deserialized as `jsonwebtoken::jwk::Jwk`, then
//! `Jwk::thumbprint(ThumbprintHash::SHA256)`.
//!
//! dpop_proof is thin glue over jsonwebtoken:
//! - the proof is at most 8,192 bytes (`dpop.malformed`); `decode_header` parses the header
//!   into jsonwebtoken's `Header` (which knows the algorithms it implements, `EdDSA` but not
//!   `Ed25519`, and ignores members it does not know, `crit` among them);
//! - `typ` exactly `dpop+jwt` (`dpop.typ`), `alg` ES256 or EdDSA (`dpop.alg`) and `jwk` present
//!   (`dpop.jwk_missing`) are the glue's checks on that header;
//! - `DecodingKey::from_jwk` makes the key (jsonwebtoken decides what it takes);
//!   `decode::<serde_json::Value>` with `Validation::new(alg)`, no required or time claims,
//!   verifies the signature and reads the payload;
//! - jsonwebtoken has no `iat` check: the glue checks the rest of SPEC §10.3 itself, `iat` a
//!   JSON integer within [now − 300, now + 60], with the htu normalization of step 10 written
//!   here; the thumbprint is jsonwebtoken's; replay is a map keyed by thumbprint and `jti`, each entry kept
//!   until its proof's `iat` + 300 inclusive, filled by the earlier proofs of `input.replay`.
//!
//! atr_jwt is a Rust port of Apache Trusted Releases' check: ATR's header rule (split on the
//! first space, scheme lower-cased `bearer`), `DecodingKey::from_secret(key text)`,
//! `Validation::new(HS256)` with leeway 120, issuer and audience `X`, and required claims; the
//! crate's required-claim check knows `sub`, `iss`, `aud`, `nbf`, `exp` only, so the glue
//! requires `iat` and `jti` (present, not null), then ATR's check that `sub` and `jti` are
//! strings.
//!
//! Codes: an `ErrorKind` that names one check gives its code; others (a header jsonwebtoken's
//! `Header` cannot read, a key it refuses) give none, and the vector is judged on validity alone.

use std::collections::HashMap;
use std::io::{BufRead, Write};

use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

const MAX_PROOF: usize = 8192;
const MAX_AGE: i64 = 300;
const SKEW: i64 = 60;
const ATR_LEEWAY: u64 = 120;

/// A refusal: the vector code when it can be told, and what happened.
struct Refused(Option<&'static str>, String);

fn refused(code: &'static str) -> Refused {
    Refused(Some(code), code.to_string())
}

fn answer(r: Result<Map<String, Value>, Refused>) -> Value {
    match r {
        Ok(value) => json!({"outcome": "valid", "value": value}),
        Err(Refused(code, message)) => {
            let mut out = json!({"outcome": "invalid", "message": message});
            if let Some(c) = code {
                out["codes"] = json!([c]);
            }
            out
        }
    }
}

/// The code for a jsonwebtoken error in `profile` (`dpop` or `atr`), where the kind tells it.
fn code_of(kind: &ErrorKind, atr: bool) -> Option<&'static str> {
    let pick = |d: &'static str, a: &'static str| Some(if atr { a } else { d });
    match kind {
        ErrorKind::InvalidSignature => pick("dpop.signature", "atr.signature"),
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => pick("dpop.alg", "atr.alg"),
        ErrorKind::Base64(_) | ErrorKind::Utf8(_) | ErrorKind::InvalidToken => {
            pick("dpop.malformed", "atr.malformed")
        }
        ErrorKind::MissingRequiredClaim(_) if atr => Some("atr.missing_claim"),
        ErrorKind::InvalidClaimFormat(_) if atr => Some("atr.claim_type"),
        ErrorKind::InvalidIssuer if atr => Some("atr.issuer"),
        ErrorKind::InvalidAudience if atr => Some("atr.audience"),
        _ => None,
    }
}

fn library(e: jsonwebtoken::errors::Error, atr: bool) -> Refused {
    Refused(code_of(e.kind(), atr), format!("{:?}", e.kind()))
}

fn b64u_sha256(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(text.as_bytes()))
}

// --- htu: SPEC §10.3 step 10 ----------------------------------------------------------------

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encoded unreserved characters decoded, other encodings upper-cased.
fn percent(path: &str) -> Option<String> {
    let b = path.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            out.push(b[i] as char);
            i += 1;
            continue;
        }
        let hex = path.get(i + 1..i + 3)?;
        let v = u8::from_str_radix(hex, 16).ok()?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        if is_unreserved(v) {
            out.push(v as char);
        } else {
            out.push('%');
            out.push_str(&hex.to_ascii_uppercase());
        }
        i += 3;
    }
    Some(out)
}

/// Dot segments removed from an absolute path, segment by segment.
fn remove_dots(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, s) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *s {
            ".." => {
                out.pop();
                if last {
                    out.push("");
                }
            }
            "." => {
                if last {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    format!("/{}", out.join("/"))
}

fn normalize_url(url: &str) -> Option<String> {
    if url.len() > 8192 || !url.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty() || scheme.contains(['/', '?', '#']) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = &tail[..tail.find(['?', '#']).unwrap_or(tail.len())];
    if authority.contains('@') {
        return None;
    }
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let after = &authority[close + 1..];
        match after.strip_prefix(':') {
            Some(p) => (&authority[..=close], Some(p)),
            None if after.is_empty() => (&authority[..=close], None),
            None => return None,
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() || host.contains('%') {
        return None;
    }
    let mut port_text = String::new();
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok().filter(|n| *n <= 65535)?;
        if n != default_port {
            port_text = format!(":{n}");
        }
    }
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        remove_dots(&percent(path)?)
    };
    Some(format!(
        "{scheme}://{}{port_text}{path}",
        host.to_ascii_lowercase()
    ))
}

// --- dpop_proof -------------------------------------------------------------------------------

fn string_claim<'a>(claims: &'a Value, name: &str) -> Result<&'a str, Refused> {
    match claims.get(name) {
        None => Err(refused("dpop.missing_claim")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(refused("dpop.claim_type")),
    }
}

struct Accepted {
    jkt: String,
    jti: String,
    iat: i64,
}

fn check_proof(input: &Value, proof: &str, now: i64) -> Result<Accepted, Refused> {
    if proof.len() > MAX_PROOF {
        return Err(refused("dpop.malformed"));
    }
    let header = decode_header(proof).map_err(|e| library(e, false))?;
    if header.typ.as_deref() != Some("dpop+jwt") {
        return Err(refused("dpop.typ"));
    }
    if !matches!(header.alg, Algorithm::ES256 | Algorithm::EdDSA) {
        return Err(refused("dpop.alg"));
    }
    let jwk = header.jwk.ok_or_else(|| refused("dpop.jwk_missing"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| Refused(None, format!("{:?}", e.kind())))?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let claims = decode::<Value>(proof, &key, &validation)
        .map_err(|e| library(e, false))?
        .claims;
    let jti = string_claim(&claims, "jti")?;
    let htm = string_claim(&claims, "htm")?;
    let htu = string_claim(&claims, "htu")?;
    let iat = match claims.get("iat") {
        None => return Err(refused("dpop.missing_claim")),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
            n.as_i64().ok_or_else(|| refused("dpop.claim_type"))?
        }
        Some(_) => return Err(refused("dpop.claim_type")),
    };
    if jti.is_empty() || jti.len() > 256 {
        return Err(refused("dpop.jti_length"));
    }
    if let Some(token) = input.get("access_token").and_then(Value::as_str) {
        if string_claim(&claims, "ath")? != b64u_sha256(token) {
            return Err(refused("dpop.ath"));
        }
    }
    if Some(htm) != input["method"].as_str() {
        return Err(refused("dpop.htm"));
    }
    let want = input["url"]
        .as_str()
        .and_then(normalize_url)
        .ok_or_else(|| refused("dpop.request_url"))?;
    let got = normalize_url(htu).ok_or_else(|| refused("dpop.htu_invalid"))?;
    if got != want {
        return Err(refused("dpop.htu"));
    }
    if iat < now - MAX_AGE {
        return Err(refused("dpop.iat_too_old"));
    }
    if iat > now + SKEW {
        return Err(refused("dpop.iat_in_future"));
    }
    if let Some(nonce) = input.get("nonce").and_then(Value::as_str) {
        if claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
            return Err(refused("dpop.nonce"));
        }
    }
    let jkt = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| Refused(None, format!("thumbprint: {:?}", e.kind())))?;
    if let Some(expected) = input.get("expected_jkt").and_then(Value::as_str) {
        if jkt != expected {
            return Err(refused("dpop.jkt"));
        }
    }
    Ok(Accepted {
        jkt,
        jti: jti.to_string(),
        iat,
    })
}

fn dpop_proof(input: &Value) -> Value {
    let mut cache: HashMap<(String, String), i64> = HashMap::new();
    let mut accept = |proof: &str, now: i64| -> Result<Accepted, Refused> {
        let a = check_proof(input, proof, now)?;
        let entry = (a.jkt.clone(), a.jti.clone());
        if cache.get(&entry).is_some_and(|until| now <= *until) {
            return Err(refused("dpop.replay"));
        }
        cache.insert(entry, a.iat + MAX_AGE);
        Ok(a)
    };
    let empty = Vec::new();
    for earlier in input
        .get("replay")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
    {
        let proof = earlier["proof"].as_str().unwrap_or_default();
        if let Err(Refused(_, why)) = accept(proof, earlier["now"].as_i64().unwrap_or(0)) {
            let message = format!("an earlier proof was refused: {why}");
            return answer(Err(Refused(None, message)));
        }
    }
    let proof = input["proof"].as_str().unwrap_or_default();
    answer(accept(proof, input["now"].as_i64().unwrap_or(0)).map(|a| {
        let mut value = Map::new();
        value.insert("jkt".into(), a.jkt.into());
        value.insert("jti".into(), a.jti.into());
        value
    }))
}

// --- jwk_thumbprint ---------------------------------------------------------------------------

fn jwk_thumbprint(input: &Value) -> Value {
    let result = serde_json::from_value::<Jwk>(input["jwk"].clone())
        .map_err(|e| Refused(None, format!("not a jsonwebtoken Jwk: {e}")))
        .and_then(|jwk| {
            jwk.thumbprint(ThumbprintHash::SHA256)
                .map_err(|e| Refused(None, format!("{:?}", e.kind())))
        });
    answer(result.map(|t| {
        let mut value = Map::new();
        value.insert("thumbprint".into(), t.into());
        value
    }))
}

// --- atr_jwt ----------------------------------------------------------------------------------

/// A time claim as jsonwebtoken's validation reads it: `None` absent or null, `Some(None)` not
/// a number it takes.
fn numeric_date(claims: &Value, name: &str) -> Option<Option<u64>> {
    match claims.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && *f < u64::MAX as f64)
                .map(|f| f.round() as u64)
        })),
        Some(_) => Some(None),
    }
}

fn atr_check(input: &Value) -> Result<Map<String, Value>, Refused> {
    let auth = input["authorization"].as_str().unwrap_or_default();
    let token = match auth.split_once(' ') {
        Some((scheme, token)) if scheme.to_lowercase() == "bearer" => token,
        _ => return Err(refused("atr.bearer")),
    };
    let x = input["iss_aud"].as_str().unwrap_or_default();
    let key = DecodingKey::from_secret(input["key"].as_str().unwrap_or_default().as_bytes());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = ATR_LEEWAY;
    validation.set_issuer(&[x]);
    validation.set_audience(&[x]);
    validation.set_required_spec_claims(&["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]);
    // jsonwebtoken compares exp and nbf with the system clock only: done below at `now`.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let claims = decode::<Value>(token, &key, &validation)
        .map_err(|e| library(e, true))?
        .claims;
    for name in ["iat", "jti"] {
        if claims.get(name).is_none_or(Value::is_null) {
            return Err(refused("atr.missing_claim"));
        }
    }
    let now = input["now"].as_u64().unwrap_or(0);
    match numeric_date(&claims, "exp") {
        Some(Some(exp)) if exp < now.saturating_sub(ATR_LEEWAY) => {
            return Err(refused("atr.expired"))
        }
        Some(None) => return Err(refused("atr.claim_type")),
        _ => {}
    }
    match numeric_date(&claims, "nbf") {
        Some(Some(nbf)) if nbf > now + ATR_LEEWAY => return Err(refused("atr.immature")),
        Some(None) => return Err(refused("atr.claim_type")),
        _ => {}
    }
    let (Some(sub), Some(jti)) = (claims["sub"].as_str(), claims["jti"].as_str()) else {
        return Err(refused("atr.claim_type"));
    };
    let mut value = Map::new();
    value.insert("sub".into(), sub.into());
    value.insert("jti".into(), jti.into());
    Ok(value)
}

// --- the protocol loop ------------------------------------------------------------------------

fn main() {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let hello = json!({"type": "hello", "protocol": 1, "name": "jsonwebtoken", "version": "11.1.0",
        "language": "Rust", "profile": "strict",
        "kinds": ["dpop_proof", "jwk_thumbprint", "atr_jwt"]});
    writeln!(out, "{hello}").expect("stdout");
    out.flush().expect("stdout");
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("stdin");
        if line.trim().is_empty() {
            continue;
        }
        let req: Value = serde_json::from_str(&line).expect("a request is JSON");
        let input = &req["input"];
        let mut resp = match req["kind"].as_str() {
            Some("dpop_proof") => dpop_proof(input),
            Some("jwk_thumbprint") => jwk_thumbprint(input),
            Some("atr_jwt") => answer(atr_check(input)),
            _ => json!({"outcome": "unsupported"}),
        };
        resp["type"] = "response".into();
        resp["id"] = req["id"].clone();
        writeln!(out, "{resp}").expect("stdout");
        out.flush().expect("stdout");
    }
}
