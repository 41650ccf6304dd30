//! The `atr` target: an `Authorization` header value checked as Apache Trusted Releases checks
//! its API JWTs ([`caveatspec::atr::verify_atr`]), with invariants on the verdict rather than just
//! "no panic".
//!
//! The first byte selects the key, the clock, the expected issuer and how the rest is read;
//! the rest is text (UTF-8):
//!
//! | bits | meaning |
//! |---|---|
//! | 0–1 | the key: the vectors' (its 64 hex characters as text, as ATR uses it), the 32 bytes those characters encode, empty, or 100 bytes (more than one HMAC-SHA256 block) |
//! | 2–3 | the clock: the vectors' `now`, 1,860 s later (the first second the vectors' `exp` is past its leeway), `i64::MIN`, `i64::MAX` |
//! | 4–5 | the text: 0 the header value as is; 1 the token alone, sent as `Bearer <text>`; 2 `header JSON \n payload JSON \n signature` with the JSON base64url-encoded here; 3 `header JSON \n payload JSON`, signed here with the selected key |
//! | 6 | the issuer and audience: the vectors' `https://atr.example.org/`, or the empty string |
//! | 7 | the header value is also checked padded with spaces to exactly the length limit and to one byte over it |
//!
//! Modes 2 and 3 let the fuzzer mutate the JSON rather than its base64url, and mode 3 lets it
//! reach every claim check with a signature that verifies.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use caveatspec::atr::{self, AtrClaims, AtrError, MAX_AUTHORIZATION};
use caveatspec::encoding::base64url;

/// The key of every `atr-jwt` vector: ATR's 64-character hex text, whose bytes are the key.
pub const VECTOR_KEY: &str = "a408bec03d2e80d31a366635fcdc581caf443075de245cd78f0f9ef463570f87";
/// The issuer and audience of every `atr-jwt` vector.
pub const VECTOR_ISS_AUD: &str = "https://atr.example.org/";
/// The clock of every `atr-jwt` vector.
pub const VECTOR_NOW: i64 = 1_767_225_600;

/// The 32 bytes [`VECTOR_KEY`] spells in hex.
const VECTOR_KEY_BYTES: [u8; 32] = [
    0xa4, 0x08, 0xbe, 0xc0, 0x3d, 0x2e, 0x80, 0xd3, 0x1a, 0x36, 0x66, 0x35, 0xfc, 0xdc, 0x58, 0x1c,
    0xaf, 0x44, 0x30, 0x75, 0xde, 0x24, 0x5c, 0xd7, 0x8f, 0x0f, 0x9e, 0xf4, 0x63, 0x57, 0x0f, 0x87,
];
/// A key longer than the HMAC block, which HMAC hashes first.
const LONG_KEY: [u8; 100] = [0x5a; 100];

/// The key of selector bits 0–1.
fn key(selector: u8) -> &'static [u8] {
    match selector & 3 {
        0 => VECTOR_KEY.as_bytes(),
        1 => &VECTOR_KEY_BYTES,
        2 => b"",
        _ => &LONG_KEY,
    }
}

/// The clock of selector bits 2–3.
fn clock(selector: u8) -> i64 {
    match (selector >> 2) & 3 {
        0 => VECTOR_NOW,
        1 => VECTOR_NOW + 1_860,
        2 => i64::MIN,
        _ => i64::MAX,
    }
}

pub(super) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The header value the selector's mode (bits 4–5) makes of `text`.
fn authorization(mode: u8, text: &str, key: &[u8]) -> String {
    let mut lines = text.splitn(3, '\n');
    let (header, payload) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let signing_input = || {
        format!(
            "{}.{}",
            base64url::encode(header.as_bytes()),
            base64url::encode(payload.as_bytes())
        )
    };
    match mode & 3 {
        1 => format!("Bearer {text}"),
        2 => format!("Bearer {}.{}", signing_input(), lines.next().unwrap_or("")),
        3 => {
            let input = signing_input();
            let sig = base64url::encode(&hmac_sha256(key, input.as_bytes()));
            format!("Bearer {input}.{sig}")
        }
        _ => text.to_owned(),
    }
}

/// One input: a selector byte, then the text (UTF-8).
///
/// Invariants: `verify_atr` is deterministic; a header value over [`MAX_AUTHORIZATION`] bytes
/// is refused as `atr.too_large` and one within it never is; an accepted value is
/// `bearer <token>` (scheme in any case) with a three-segment token whose signature segment is
/// the HMAC-SHA256 of the first two under the key, whose reported claims hold `sub` and `jti`
/// as the reported strings and `iss` as the expected one, and whose header and payload, where
/// a plain JSON parser reads them too (Python's reader also takes UTF-16, `NaN`, deeper
/// nesting...), have `alg` `HS256` and the reported claims; the same value under another key is
/// refused as `atr.signature`; and a refusal as `atr.signature` has a signature segment that
/// is not that HMAC.
pub fn atr_token(data: &[u8]) {
    atr_case(data);
}

/// [`atr_token`], returning the verdict (`None` when the input has no selector byte or is not
/// UTF-8), so tests can see what the seeds reach.
pub fn atr_case(data: &[u8]) -> Option<Result<AtrClaims, AtrError>> {
    let (&selector, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    let key = key(selector);
    let now = clock(selector);
    let iss_aud = if selector & 0x40 == 0 {
        VECTOR_ISS_AUD
    } else {
        ""
    };
    let value = authorization(selector >> 4, text, key);
    let verdict = check(&value, key, iss_aud, now);
    if selector & 0x80 != 0 && value.len() <= MAX_AUTHORIZATION {
        let mut padded = value.clone();
        padded.extend(std::iter::repeat_n(' ', MAX_AUTHORIZATION - value.len()));
        let at_limit = check(&padded, key, iss_aud, now);
        assert_ne!(at_limit, Err(AtrError::TooLarge), "refused at the limit");
        padded.push(' ');
        let over = check(&padded, key, iss_aud, now);
        assert_eq!(over, Err(AtrError::TooLarge), "accepted past the limit");
    }
    Some(verdict)
}

/// Verifies `value` and checks the invariants of its verdict.
fn check(value: &str, key: &[u8], iss_aud: &str, now: i64) -> Result<AtrClaims, AtrError> {
    let verdict = atr::verify_atr(value, key, iss_aud, now);
    assert_eq!(
        verdict,
        atr::verify_atr(value, key, iss_aud, now),
        "the verdict is not deterministic"
    );
    assert_eq!(
        value.len() > MAX_AUTHORIZATION,
        verdict == Err(AtrError::TooLarge),
        "the Authorization length limit does not hold ({} bytes: {verdict:?})",
        value.len()
    );
    assert!(verdict
        .as_ref()
        .err()
        .is_none_or(|e| e.code().starts_with("atr.")));
    match &verdict {
        Ok(claims) => check_accepted(value, key, iss_aud, now, claims),
        Err(AtrError::Signature) => check_bad_signature(value, key),
        Err(_) => {}
    }
    verdict
}

/// The token's signing input and signature segment, split where a compact JWS splits.
fn signed_parts(token: &str) -> Option<(&str, &str)> {
    token.rsplit_once('.')
}

/// The signature segment [`check`] expects for `signing_input` under `key`.
fn expected_signature(key: &[u8], signing_input: &str) -> String {
    base64url::encode(&hmac_sha256(key, signing_input.as_bytes()))
}

/// A segment read by a plain JSON parser after lenient base64url decoding; `None` if either
/// step fails.
fn json_segment(segment: &str) -> Option<Value> {
    let bytes = base64url::decode_lenient(segment).ok()?;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes);
    serde_json::from_slice(bytes).ok()
}

/// JSON equality with numbers compared as doubles: a plain parser reads `-0` as `-0.0` where
/// Python reads the integer 0.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// The invariants of an accepted header value.
fn check_accepted(value: &str, key: &[u8], iss_aud: &str, now: i64, claims: &AtrClaims) {
    let (scheme, token) = value
        .split_once(' ')
        .expect("accepted a header value without a space");
    assert!(
        scheme.eq_ignore_ascii_case("bearer"),
        "accepted the scheme {scheme:?}"
    );
    let segments: Vec<&str> = token.split('.').collect();
    assert_eq!(segments.len(), 3, "accepted a token without three segments");
    let (signing_input, signature) = signed_parts(token).expect("three segments");
    assert_eq!(
        signature.trim_end_matches('='),
        expected_signature(key, signing_input),
        "accepted a signature that is not the HMAC of the signing input under the key"
    );
    if let Some(header) = json_segment(segments[0]) {
        assert_eq!(
            header.get("alg").and_then(Value::as_str),
            Some("HS256"),
            "accepted an alg other than HS256"
        );
    }
    if let Some(payload) = json_segment(segments[1]) {
        let Value::Object(payload) = payload else {
            panic!("accepted a payload that is not a JSON object");
        };
        assert!(
            same_json(
                &Value::Object(payload),
                &Value::Object(claims.claims.clone())
            ),
            "the reported claims are not the payload"
        );
    }
    let payload = &claims.claims;
    for (name, reported) in [("sub", &claims.sub), ("jti", &claims.jti)] {
        assert_eq!(
            payload.get(name).and_then(Value::as_str),
            Some(reported.as_str()),
            "the reported {name} is not the payload's string"
        );
    }
    assert_eq!(
        payload.get("iss").and_then(Value::as_str),
        Some(iss_aud),
        "accepted another issuer"
    );
    let mut other_key = key.to_vec();
    other_key.push(b'0');
    assert_eq!(
        atr::verify_atr(value, &other_key, iss_aud, now),
        Err(AtrError::Signature),
        "the same token under another key was not refused for its signature"
    );
}

/// A token refused for its signature does not carry the HMAC of its signing input.
fn check_bad_signature(value: &str, key: &[u8]) {
    let Some((signing_input, signature)) = value
        .split_once(' ')
        .and_then(|(_, token)| signed_parts(token))
    else {
        panic!("refused for its signature a value with no signature segment");
    };
    assert_ne!(
        signature.trim_end_matches('='),
        expected_signature(key, signing_input),
        "refused the HMAC of the signing input under the key"
    );
}
