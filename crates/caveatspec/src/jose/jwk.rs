//! Public keys from JSON Web Keys (RFC 7517), and their RFC 7638 thumbprints.
//!
//! Two key types are accepted, the two that DPoP clients generate in practice: EC on P-256
//! (RFC 7518 §6.2; `kty`, `crv`, `x`, `y`) and OKP Ed25519 (RFC 8037 §2; `kty`, `crv`, `x`).
//! Members are read from a `serde_json` object; other members (`kid`, `use`, `alg`,
//! `key_ops`, extensions) are ignored, as RFC 7517 §4 asks.
//!
//! What is refused, in this order, and why:
//!
//! 1. `kty` missing or not a string;
//! 2. `kty` `oct`: a symmetric key in a header is a secret sent in the clear, and with it
//!    anyone can forge (RFC 9449 §4.2 wants an asymmetric key);
//! 3. any private member ([`PRIVATE_MEMBERS`]), whatever the `kty`: RFC 9449 §4.3 check 7.
//!    Refused rather than stripped, because a client that sends its private key has leaked
//!    it and should be told;
//! 4. `kty` `RSA`: a valid asymmetric key that this crate does not implement, so it gets its
//!    own error rather than "unknown";
//! 5. any other `kty`, any curve other than `P-256`/`Ed25519` (so `P-384`, `secp256k1`,
//!    `Ed448`, `X25519`);
//! 6. coordinates that are not strict base64url ([`crate::encoding::base64url`]) of exactly 32 bytes;
//! 7. a P-256 point not on the curve (or a coordinate not below the field prime), an Ed25519
//!    `x` that does not decompress, or one of small order (a key any signature "verifies"
//!    under, in lax verifiers).
//!
//! A client signs every proof with the same key, so each thread keeps the last few keys it
//! accepted ([`CACHED_KEYS`] of them), keyed by their coordinates' text: a key seen again skips
//! steps 6 and 7 (decoding, the curve checks, the thumbprint's hash), which are pure functions
//! of that text. Steps 1 to 5 run on every call, so the errors and their order are unchanged.

use super::JoseError;
use crate::encoding::base64url;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::cell::RefCell;

/// How many accepted keys each thread remembers (see the module documentation).
pub const CACHED_KEYS: usize = 8;

/// JWK members that hold private key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1; RFC 8037
/// §2). Their presence refuses the key.
pub const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// A public key that signatures can be checked with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jwk {
    /// `{"kty":"EC","crv":"P-256",…}`.
    P256(P256Key),
    /// `{"kty":"OKP","crv":"Ed25519",…}`.
    Ed25519(Ed25519Key),
}

/// An EC P-256 public key, with the coordinates as they were in the JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P256Key {
    x: [u8; 32],
    y: [u8; 32],
    key: p256::ecdsa::VerifyingKey,
    jkt: Thumbprint,
}

/// An Ed25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ed25519Key {
    x: [u8; 32],
    key: ed25519_dalek::VerifyingKey,
    jkt: Thumbprint,
}

/// An RFC 7638 SHA-256 thumbprint in base64url (43 ASCII bytes), computed once per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thumbprint([u8; 43]);

impl Thumbprint {
    fn of(input: &str) -> Thumbprint {
        let mut out = [0u8; 43];
        out.copy_from_slice(hash_b64(input).as_bytes());
        Thumbprint(out)
    }

    fn as_str(&self) -> &str {
        // Built from base64url text, which is ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl P256Key {
    /// The ECDSA verifying key.
    pub fn verifying_key(&self) -> &p256::ecdsa::VerifyingKey {
        &self.key
    }

    /// The SEC 1 uncompressed point, `04 || x || y`.
    pub fn uncompressed(&self) -> [u8; 65] {
        let mut out = [4u8; 65];
        out[1..33].copy_from_slice(&self.x);
        out[33..].copy_from_slice(&self.y);
        out
    }
}

impl Ed25519Key {
    /// The Ed25519 verifying key.
    pub fn verifying_key(&self) -> &ed25519_dalek::VerifyingKey {
        &self.key
    }

    /// The 32-byte public key, as in the JWK.
    pub fn bytes(&self) -> &[u8; 32] {
        &self.x
    }
}

/// The coordinates' text of a key a thread accepted, and the key.
enum CachedKey {
    P256 { x: String, y: String, key: Jwk },
    Ed25519 { x: String, key: Jwk },
}

/// The last [`CACHED_KEYS`] keys this thread accepted, replaced in turn.
#[derive(Default)]
struct KeyCache {
    keys: Vec<CachedKey>,
    next: usize,
}

impl KeyCache {
    fn find(&self, x: &str, y: Option<&str>) -> Option<Jwk> {
        self.keys.iter().find_map(|cached| match (cached, y) {
            (CachedKey::P256 { x: cx, y: cy, key }, Some(y)) if cx == x && cy == y => {
                Some(key.clone())
            }
            (CachedKey::Ed25519 { x: cx, key }, None) if cx == x => Some(key.clone()),
            _ => None,
        })
    }

    fn insert(&mut self, entry: CachedKey) {
        if self.keys.len() < CACHED_KEYS {
            self.keys.push(entry);
        } else if let Some(slot) = self.keys.get_mut(self.next) {
            *slot = entry;
        }
        self.next = (self.next + 1) % CACHED_KEYS;
    }
}

thread_local! {
    static ACCEPTED: RefCell<KeyCache> = RefCell::new(KeyCache::default());
}

/// The key of coordinates `x` (and `y` for P-256) if this thread accepted it lately.
fn cached(x: &str, y: Option<&str>) -> Option<Jwk> {
    ACCEPTED.with(|cache| cache.try_borrow().ok()?.find(x, y))
}

/// Remembers an accepted key by its coordinates' text.
fn remember(entry: CachedKey) {
    ACCEPTED.with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            cache.insert(entry);
        }
    });
}

/// The string member `name`: missing and non-string are different errors.
pub(crate) fn str_member<'a>(
    map: &'a Map<String, Value>,
    name: &'static str,
) -> Result<&'a str, JoseError> {
    match map.get(name) {
        None => Err(JoseError::MissingMember(name)),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(JoseError::MemberType(name)),
    }
}

/// Steps 1–3 of the module documentation: the `kty`, once it is known not to be symmetric
/// and the key not to carry private members.
fn public_kty(map: &Map<String, Value>) -> Result<&str, JoseError> {
    let kty = str_member(map, "kty")?;
    if kty == "oct" {
        return Err(JoseError::JwkSymmetric);
    }
    if let Some(name) = PRIVATE_MEMBERS.into_iter().find(|m| map.contains_key(*m)) {
        return Err(JoseError::JwkPrivate(name));
    }
    Ok(kty)
}

/// Strict decoding of a member that must be exactly 32 bytes (a P-256 coordinate, an
/// Ed25519 public or private key).
pub(crate) fn decode_32(s: &str, member: &'static str) -> Result<[u8; 32], JoseError> {
    let bytes = base64url::decode(s)?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| JoseError::JwkLength {
        member,
        len: bytes.len(),
    })
}

/// `crv`, which must be `expected`.
fn curve(map: &Map<String, Value>, expected: &str) -> Result<(), JoseError> {
    let crv = str_member(map, "crv")?;
    if crv == expected {
        Ok(())
    } else {
        Err(JoseError::JwkCurve(crv.to_owned()))
    }
}

impl Jwk {
    /// Parses a JWK given as a JSON value; anything but an object is
    /// [`JoseError::MemberType`]`("jwk")`.
    pub fn from_value(value: &Value) -> Result<Jwk, JoseError> {
        match value {
            Value::Object(map) => Jwk::from_map(map),
            _ => Err(JoseError::MemberType("jwk")),
        }
    }

    /// Parses a JWK object; see the module documentation for what is refused and in which
    /// order.
    pub fn from_map(map: &Map<String, Value>) -> Result<Jwk, JoseError> {
        match public_kty(map)? {
            "EC" => {
                curve(map, "P-256")?;
                let x_text = str_member(map, "x")?;
                let y_text = map.get("y").and_then(Value::as_str);
                if let Some(key) = y_text.and_then(|y| cached(x_text, Some(y))) {
                    return Ok(key);
                }
                let x = decode_32(x_text, "x")?;
                let y_text = str_member(map, "y")?;
                let y = decode_32(y_text, "y")?;
                let point =
                    p256::EncodedPoint::from_affine_coordinates(&x.into(), &y.into(), false);
                let key = p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                    .map_err(|_| JoseError::JwkPoint)?;
                let jkt = Thumbprint::of(&ec_thumbprint_input(&x, &y));
                let jwk = Jwk::P256(P256Key { x, y, key, jkt });
                remember(CachedKey::P256 {
                    x: x_text.to_owned(),
                    y: y_text.to_owned(),
                    key: jwk.clone(),
                });
                Ok(jwk)
            }
            "OKP" => {
                curve(map, "Ed25519")?;
                let x_text = str_member(map, "x")?;
                if let Some(key) = cached(x_text, None) {
                    return Ok(key);
                }
                let x = decode_32(x_text, "x")?;
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| JoseError::JwkPoint)?;
                if key.is_weak() {
                    return Err(JoseError::JwkPoint);
                }
                let jkt = Thumbprint::of(&okp_thumbprint_input(&x));
                let jwk = Jwk::Ed25519(Ed25519Key { x, key, jkt });
                remember(CachedKey::Ed25519 {
                    x: x_text.to_owned(),
                    key: jwk.clone(),
                });
                Ok(jwk)
            }
            "RSA" => Err(JoseError::JwkRsaUnsupported),
            other => Err(JoseError::JwkKty(other.to_owned())),
        }
    }

    /// The RFC 7638 thumbprint input: the required members only, in lexicographic order, no
    /// whitespace. The coordinates are the strict base64url of the key's bytes, which is the
    /// JWK's own text since only canonical text was accepted.
    pub fn thumbprint_input(&self) -> String {
        match self {
            Jwk::P256(k) => ec_thumbprint_input(&k.x, &k.y),
            Jwk::Ed25519(k) => okp_thumbprint_input(&k.x),
        }
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url: the `jkt` of RFC 9449 §6.
    pub fn thumbprint(&self) -> String {
        self.thumbprint_str().to_owned()
    }

    /// [`Jwk::thumbprint`], borrowed: computed once when the key was parsed.
    pub fn thumbprint_str(&self) -> &str {
        match self {
            Jwk::P256(k) => k.jkt.as_str(),
            Jwk::Ed25519(k) => k.jkt.as_str(),
        }
    }
}

fn ec_thumbprint_input(x: &[u8; 32], y: &[u8; 32]) -> String {
    format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        base64url::encode(x),
        base64url::encode(y)
    )
}

fn okp_thumbprint_input(x: &[u8; 32]) -> String {
    format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        base64url::encode(x)
    )
}

fn hash_b64(input: &str) -> String {
    base64url::encode(&Sha256::digest(input.as_bytes()))
}

/// The RFC 7638 SHA-256 thumbprint of a JWK object, base64url.
///
/// EC and OKP keys are parsed in full by [`Jwk::from_map`] first, so a thumbprint is only
/// ever given for a key that could verify a proof. RSA keys, which this crate does not verify
/// with, get the thumbprint of their `e`, `kty`, `n` members (RFC 7638 §3.1's own example is
/// an RSA key), once `e` and `n` are strict base64url and so need no JSON escaping.
///
/// RFC 7638 §3.2.1 gives a private JWK the thumbprint of its public part; this function
/// refuses private keys instead ([`JoseError::JwkPrivate`]), because nothing in this crate
/// should be handed one, and symmetric keys ([`JoseError::JwkSymmetric`]).
pub fn thumbprint(map: &Map<String, Value>) -> Result<String, JoseError> {
    if public_kty(map)? == "RSA" {
        let e = str_member(map, "e")?;
        let n = str_member(map, "n")?;
        for (name, value) in [("e", e), ("n", n)] {
            if value.is_empty() {
                return Err(JoseError::ThumbprintMember(name));
            }
            base64url::decode(value)?;
        }
        return Ok(hash_b64(&format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#)));
    }
    Ok(Jwk::from_map(map)?.thumbprint())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::testdata::{
        RFC7638_JKT, RFC8037_D, RFC8037_JKT, RFC8037_X, RFC9449_JKT, RFC9449_X, RFC9449_Y,
    };
    use serde_json::json;

    /// RFC 7517 A.1 / RFC 7638 §3.1.
    const RFC7638_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn ec() -> Map<String, Value> {
        obj(json!({"kty": "EC", "x": RFC9449_X, "y": RFC9449_Y, "crv": "P-256"}))
    }

    fn okp() -> Map<String, Value> {
        obj(json!({"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X}))
    }

    #[test]
    fn rfc7638_rsa_example() {
        let key = obj(
            json!({"kty": "RSA", "n": RFC7638_N, "e": "AQAB", "alg": "RS256",
            "kid": "2011-04-29"}),
        );
        assert_eq!(thumbprint(&key).unwrap(), RFC7638_JKT);
        // Thumbprint only: RSA is not a key this crate verifies with.
        assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkRsaUnsupported));
    }

    #[test]
    fn rfc9449_ec_key() {
        let key = Jwk::from_map(&ec()).unwrap();
        assert_eq!(
            key.thumbprint_input(),
            format!(r#"{{"crv":"P-256","kty":"EC","x":"{RFC9449_X}","y":"{RFC9449_Y}"}}"#)
        );
        assert_eq!(key.thumbprint(), RFC9449_JKT);
        assert_eq!(thumbprint(&ec()).unwrap(), key.thumbprint());
    }

    #[test]
    fn rfc8037_ed25519_key() {
        let key = Jwk::from_map(&okp()).unwrap();
        assert_eq!(
            key.thumbprint_input(),
            format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{RFC8037_X}"}}"#)
        );
        assert_eq!(key.thumbprint(), RFC8037_JKT);
    }

    #[test]
    fn extra_members_do_not_change_the_thumbprint() {
        let mut key = okp();
        key.insert("kid".into(), json!("some id"));
        key.insert("use".into(), json!("sig"));
        assert_eq!(thumbprint(&key).unwrap(), RFC8037_JKT);
    }

    #[test]
    fn private_and_symmetric_keys_are_refused() {
        for name in PRIVATE_MEMBERS {
            for mut key in [ec(), okp()] {
                key.insert(name.into(), json!(RFC8037_D));
                assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkPrivate(name)));
                assert_eq!(thumbprint(&key), Err(JoseError::JwkPrivate(name)));
            }
        }
        let oct = obj(json!({"kty": "oct", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"}));
        assert_eq!(Jwk::from_map(&oct), Err(JoseError::JwkSymmetric));
        assert_eq!(thumbprint(&oct), Err(JoseError::JwkSymmetric));
    }

    #[test]
    fn unsupported_types_and_curves() {
        let mut key = ec();
        key.insert("crv".into(), json!("P-384"));
        assert_eq!(
            Jwk::from_map(&key),
            Err(JoseError::JwkCurve("P-384".into()))
        );
        let mut key = okp();
        key.insert("crv".into(), json!("X25519"));
        assert_eq!(
            Jwk::from_map(&key),
            Err(JoseError::JwkCurve("X25519".into()))
        );
        let mut key = okp();
        key.insert("kty".into(), json!("ec"));
        assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkKty("ec".into())));
        key.insert("kty".into(), json!(1));
        assert_eq!(Jwk::from_map(&key), Err(JoseError::MemberType("kty")));
        key.remove("kty");
        assert_eq!(Jwk::from_map(&key), Err(JoseError::MissingMember("kty")));
        assert_eq!(
            Jwk::from_value(&json!([])),
            Err(JoseError::MemberType("jwk"))
        );
    }

    #[test]
    fn coordinates_must_be_32_canonical_bytes_on_the_curve() {
        let mut key = ec();
        key.insert("y".into(), json!(RFC9449_X));
        assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkPoint));
        for len in [31, 33] {
            let mut key = ec();
            key.insert("x".into(), json!(base64url::encode(&vec![1; len])));
            assert_eq!(
                Jwk::from_map(&key),
                Err(JoseError::JwkLength { member: "x", len })
            );
        }
        // The field prime itself is not a coordinate.
        let p = "_____wAAAAEAAAAAAAAAAAAAAAD_______________8";
        let mut key = ec();
        key.insert("x".into(), json!(p));
        assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkPoint));
        let mut key = ec();
        key.insert("y".into(), json!(format!("{}=", RFC9449_Y)));
        assert!(matches!(Jwk::from_map(&key), Err(JoseError::Base64(_))));
    }

    #[test]
    fn small_order_ed25519_key_is_refused() {
        // The identity point (y = 1).
        let mut x = [0u8; 32];
        x[0] = 1;
        let mut key = okp();
        key.insert("x".into(), json!(base64url::encode(&x)));
        assert_eq!(Jwk::from_map(&key), Err(JoseError::JwkPoint));
    }

    #[test]
    fn rsa_thumbprint_members_must_be_base64url() {
        let key = obj(json!({"kty": "RSA", "n": "a\"b", "e": "AQAB"}));
        assert!(matches!(thumbprint(&key), Err(JoseError::Base64(_))));
        let key = obj(json!({"kty": "RSA", "n": RFC7638_N, "e": ""}));
        assert_eq!(thumbprint(&key), Err(JoseError::ThumbprintMember("e")));
        let key = obj(json!({"kty": "RSA", "n": RFC7638_N}));
        assert_eq!(thumbprint(&key), Err(JoseError::MissingMember("e")));
    }

    #[test]
    fn decode_32_checks_length() {
        let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
        assert!(decode_32(x, "x").is_ok());
        assert_eq!(
            decode_32("AAAA", "x"),
            Err(JoseError::JwkLength {
                member: "x",
                len: 3
            })
        );
    }
}
