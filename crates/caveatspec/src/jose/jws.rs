//! JWS compact serialization (RFC 7515 §7.1) and the two signature algorithms this crate
//! verifies: ES256 (RFC 7518 §3.4) and EdDSA over Ed25519 (RFC 8037 §3.1).
//!
//! # Parsing
//!
//! [`parse_compact`] refuses, in this order: more than [`MAX_COMPACT_LEN`] bytes; anything
//! but exactly three `.`-separated segments (so a JWE's five and a JSON serialization are
//! refused); a segment that is not strict base64url ([`crate::encoding::base64url`]); a header that is not a
//! UTF-8 JSON object; an empty signature (the unsecured JWS of RFC 7515 §A.5).
//!
//! # Duplicate member names
//!
//! RFC 7515 §5.2 lets a parser either refuse a JSON object with a repeated member name or keep
//! the last one, and RFC 8725 §2.6 lists what the second choice costs: two parsers of the same
//! token may see different claims. Every JSON object read here, at any depth (the header,
//! the `jwk` inside it, the claims), is refused with [`JoseError::DuplicateMember`] when a
//! name repeats; names are compared after JSON unescaping, so `"a"` and `"\u0061"` are the
//! same name. PyJWT, and `serde_json::Value`, keep the last duplicate instead.
//!
//! # Algorithm names
//!
//! `alg` is compared case-sensitively against the IANA registry, so `none`, `None` and `NONE`
//! are all refused, the first as [`JoseError::AlgNone`] and the others as unknown. Accepted:
//! `ES256`; `EdDSA` with an Ed25519 key (RFC 8037); and `Ed25519` (RFC 9864's fully-specified
//! name for the same thing, which npm `dpop` emits). The key must be of the algorithm's
//! family ([`JoseError::KeyAlgMismatch`]): an algorithm never chooses how a key is used.
//!
//! # High-S ECDSA signatures
//!
//! ECDSA signatures are malleable: if `(r, s)` verifies then so does `(r, n − s)`. Some
//! verifiers (Bitcoin's, `k256`'s) insist on the low `s`. RFC 9449's Figures 2 and 13 have a
//! high `s` (Figure 7 a low one), and JOSE does not require low-S, so [`HighS::Accept`] is
//! the default, under which the RFC's own examples verify;
//! [`HighS::Reject`] is there for a profile that wants one spelling per signature. Either
//! way, replay detection must not key on the signature or the proof string.
//!
//! # Ed25519
//!
//! Verified strictly: a non-canonical `S`, or a small-order `R` or key, is refused, which is
//! the cofactorless, strict reading of RFC 8032 §5.1.7 (`ed25519-dalek`'s `verify_strict`,
//! and the same on the `aws-lc-rs` backend; see [`super::backend`]).

use super::jwk::Jwk;
use super::{backend, JoseError};
use crate::encoding::base64url;
use serde::de::{DeserializeSeed, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Longest compact JWS accepted, in bytes. A DPoP proof with an EC key is about 450 bytes,
/// with an RSA-4096 key about 1,100; 8 KiB leaves room for extensions while bounding what one
/// request can make the verifier decode and hash.
pub const MAX_COMPACT_LEN: usize = 8192;

/// Header parameters registered by RFC 7515 §4.1, which `crit` must not name (§4.1.11).
const REGISTERED_HEADER_PARAMS: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

/// What to do with an ES256 signature whose `s` is above n/2.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HighS {
    /// Verify it like any other (RFC 7518 does not ask for low S; RFC 9449 Figures 2 and 13
    /// are high-S).
    #[default]
    Accept,
    /// Refuse it with [`JoseError::HighS`] before verifying.
    Reject,
}

/// A JWS algorithm this crate verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256, signature `r || s` (64 bytes).
    Es256,
    /// EdDSA (RFC 8037); only Ed25519 keys are accepted.
    EdDsa,
    /// Ed25519 by its RFC 9864 name.
    Ed25519,
}

impl Alg {
    /// The algorithm named `name`, or why it is refused.
    pub fn from_name(name: &str) -> Result<Alg, JoseError> {
        match name {
            "ES256" => Ok(Alg::Es256),
            "EdDSA" => Ok(Alg::EdDsa),
            "Ed25519" => Ok(Alg::Ed25519),
            "none" => Err(JoseError::AlgNone),
            "HS256" | "HS384" | "HS512" => Err(JoseError::AlgSymmetric(name.to_owned())),
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES384" | "ES512"
            | "ES256K" | "Ed448" | "RS1" | "ML-DSA-44" | "ML-DSA-65" | "ML-DSA-87" => {
                Err(JoseError::AlgUnsupported(name.to_owned()))
            }
            _ => Err(JoseError::AlgUnknown(name.to_owned())),
        }
    }

    /// The registered name.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::EdDsa => "EdDSA",
            Alg::Ed25519 => "Ed25519",
        }
    }
}

/// A compact JWS, decoded but not verified.
#[derive(Debug, Clone, PartialEq)]
pub struct Compact<'a> {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The payload bytes (for a JWT, see [`Compact::claims`]).
    pub payload: Vec<u8>,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, exactly as received: what was signed.
    pub signing_input: &'a str,
}

impl Compact<'_> {
    /// The payload as a JWT claims set: a JSON object, duplicate names refused.
    pub fn claims(&self) -> Result<Map<String, Value>, JoseError> {
        parse_object(&self.payload, "payload")
    }

    /// Checks the signature with `key` under `alg`.
    pub fn verify(&self, alg: Alg, key: &Jwk, high_s: HighS) -> Result<(), JoseError> {
        verify_signature(
            alg,
            key,
            self.signing_input.as_bytes(),
            &self.signature,
            high_s,
        )
    }
}

/// Decodes a compact JWS; see the module documentation for what is refused.
pub fn parse_compact(s: &str) -> Result<Compact<'_>, JoseError> {
    if s.len() > MAX_COMPACT_LEN {
        return Err(JoseError::TooLong {
            len: s.len(),
            max: MAX_COMPACT_LEN,
        });
    }
    let mut parts = s.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JoseError::Segments {
            found: s.split('.').count(),
        });
    };
    // Both segments and the `.` between them, as a prefix of `s`.
    let signing_input = s
        .get(..header.len() + 1 + payload.len())
        .unwrap_or_default();
    let header = parse_object(&base64url::decode(header)?, "header")?;
    let payload = base64url::decode(payload)?;
    if signature.is_empty() {
        return Err(JoseError::EmptySignature);
    }
    let signature = base64url::decode(signature)?;
    Ok(Compact {
        header,
        payload,
        signature,
        signing_input,
    })
}

/// Checks `signature` over `signing_input` with `key` under `alg`.
pub fn verify_signature(
    alg: Alg,
    key: &Jwk,
    signing_input: &[u8],
    signature: &[u8],
    high_s: HighS,
) -> Result<(), JoseError> {
    match (alg, key) {
        (Alg::Es256, Jwk::P256(key)) => {
            let bytes: &[u8; 64] = signature
                .try_into()
                .map_err(|_| JoseError::SignatureLength(signature.len()))?;
            // Refuses r or s of zero or not below n.
            let sig =
                p256::ecdsa::Signature::from_slice(bytes).map_err(|_| JoseError::Signature)?;
            if high_s == HighS::Reject && sig.normalize_s().is_some() {
                return Err(JoseError::HighS);
            }
            backend::verify_es256(key, signing_input, &sig)
        }
        (Alg::EdDsa | Alg::Ed25519, Jwk::Ed25519(key)) => {
            let bytes: &[u8; 64] = signature
                .try_into()
                .map_err(|_| JoseError::SignatureLength(signature.len()))?;
            backend::verify_ed25519(key, signing_input, bytes)
        }
        (alg, _) => Err(JoseError::KeyAlgMismatch(alg.name())),
    }
}

/// Applies RFC 7515 §4.1.11 to `header`: if `crit` is present it must be a non-empty array
/// of distinct strings, none a registered header parameter, each in `understood` and present
/// in the header. With an empty `understood`, any `crit` is refused.
pub fn check_crit(header: &Map<String, Value>, understood: &[&str]) -> Result<(), JoseError> {
    let Some(crit) = header.get("crit") else {
        return Ok(());
    };
    let Value::Array(names) = crit else {
        return Err(JoseError::MemberType("crit"));
    };
    if names.is_empty() {
        return Err(JoseError::Crit("empty list"));
    }
    for (i, name) in names.iter().enumerate() {
        let Value::String(name) = name else {
            return Err(JoseError::Crit("a name is not a string"));
        };
        if REGISTERED_HEADER_PARAMS.contains(&name.as_str()) {
            return Err(JoseError::Crit("names a registered header parameter"));
        }
        if names.iter().take(i).any(|n| n.as_str() == Some(name)) {
            return Err(JoseError::Crit("names a parameter twice"));
        }
        if !understood.contains(&name.as_str()) {
            return Err(JoseError::Crit("names an extension that is not understood"));
        }
        if !header.contains_key(name) {
            return Err(JoseError::Crit("names an absent parameter"));
        }
    }
    Ok(())
}

/// Parses `bytes` as a JSON object, refusing repeated member names at any depth.
pub fn parse_object(bytes: &[u8], part: &'static str) -> Result<Map<String, Value>, JoseError> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = NoDuplicates {
        duplicate: &duplicate,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value));
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(JoseError::NotObject { part }),
        Err(e) => Err(match duplicate.into_inner() {
            Some(name) => JoseError::DuplicateMember { part, name },
            None => JoseError::Json {
                part,
                message: e.to_string(),
            },
        }),
    }
}

/// A `serde_json::Value` deserializer that fails on a repeated member name and records it.
#[derive(Clone, Copy)]
struct NoDuplicates<'c> {
    duplicate: &'c RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for NoDuplicates<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NoDuplicates<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                let err = A::Error::custom(format_args!("duplicate member {name:?}"));
                *self.duplicate.borrow_mut() = Some(name);
                return Err(err);
            }
            let value = map.next_value_seed(self)?;
            out.insert(name, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jose::testdata::{
        fig13, fig13_low_s, fig2, fig2_low_s, fig7, rfc8037_jwk, sign_ed25519, RFC8037_A4,
    };

    fn embedded_key(jws: &Compact<'_>) -> Jwk {
        Jwk::from_value(jws.header.get("jwk").unwrap_or(&Value::Null)).unwrap()
    }

    fn rfc8037_key() -> Jwk {
        let map = parse_object(rfc8037_jwk().as_bytes(), "jwk").unwrap();
        Jwk::from_map(&map).unwrap()
    }

    /// `s` with one bit of its signature segment's decoded bytes flipped.
    fn flip_signature_bit(s: &str) -> String {
        let (input, sig) = s.rsplit_once('.').unwrap();
        let mut bytes = base64url::decode(sig).unwrap();
        bytes[10] ^= 0x01;
        format!("{input}.{}", base64url::encode(&bytes))
    }

    #[test]
    fn rfc8037_a4_verifies_with_the_a3_key() {
        let jws = parse_compact(RFC8037_A4).unwrap();
        assert_eq!(jws.payload, b"Example of Ed25519 signing");
        let alg = Alg::from_name(jws.header["alg"].as_str().unwrap()).unwrap();
        assert_eq!(alg, Alg::EdDsa);
        jws.verify(alg, &rfc8037_key(), HighS::Accept).unwrap();
        // Ed25519 is deterministic: signing again gives the published JWS.
        assert_eq!(
            sign_ed25519(r#"{"alg":"EdDSA"}"#, "Example of Ed25519 signing"),
            RFC8037_A4
        );
        let flipped = flip_signature_bit(RFC8037_A4);
        let bad = parse_compact(&flipped).unwrap();
        assert_eq!(
            bad.verify(alg, &rfc8037_key(), HighS::Accept),
            Err(JoseError::Signature)
        );
    }

    #[test]
    fn rfc9864_ed25519_name_verifies() {
        let s = sign_ed25519(r#"{"alg":"Ed25519"}"#, "{}");
        let jws = parse_compact(&s).unwrap();
        jws.verify(Alg::Ed25519, &rfc8037_key(), HighS::Accept)
            .unwrap();
    }

    #[test]
    fn rfc9449_proofs_verify_with_their_embedded_key() {
        // Figures 2 and 13 are high-S; Figure 7 happens to be low-S.
        for (proof, high) in [(fig2(), true), (fig7(), false), (fig13(), true)] {
            let jws = parse_compact(&proof).unwrap();
            let key = embedded_key(&jws);
            jws.verify(Alg::Es256, &key, HighS::Accept).unwrap();
            assert_eq!(
                jws.verify(Alg::Es256, &key, HighS::Reject),
                if high { Err(JoseError::HighS) } else { Ok(()) }
            );
            let flipped = flip_signature_bit(&proof);
            let bad = parse_compact(&flipped).unwrap();
            assert_eq!(
                bad.verify(Alg::Es256, &key, HighS::Accept),
                Err(JoseError::Signature)
            );
        }
    }

    #[test]
    fn low_s_twins_verify_under_both_policies() {
        for proof in [fig2_low_s(), fig13_low_s()] {
            let jws = parse_compact(&proof).unwrap();
            let key = embedded_key(&jws);
            jws.verify(Alg::Es256, &key, HighS::Accept).unwrap();
            jws.verify(Alg::Es256, &key, HighS::Reject).unwrap();
        }
    }

    #[test]
    fn key_must_match_the_algorithm() {
        let proof = fig2();
        let jws = parse_compact(&proof).unwrap();
        for alg in [Alg::EdDsa, Alg::Ed25519] {
            assert_eq!(
                jws.verify(alg, &embedded_key(&jws), HighS::Accept),
                Err(JoseError::KeyAlgMismatch(alg.name()))
            );
        }
        let ed = parse_compact(RFC8037_A4).unwrap();
        assert_eq!(
            ed.verify(Alg::Es256, &rfc8037_key(), HighS::Accept),
            Err(JoseError::KeyAlgMismatch("ES256"))
        );
    }

    #[test]
    fn signature_length_and_range() {
        let key = embedded_key(&parse_compact(&fig2()).unwrap());
        assert_eq!(
            verify_signature(Alg::Es256, &key, b"x", &[1; 63], HighS::Accept),
            Err(JoseError::SignatureLength(63))
        );
        // r = 0 is not a signature.
        let mut sig = [0u8; 64];
        sig[63] = 1;
        assert_eq!(
            verify_signature(Alg::Es256, &key, b"x", &sig, HighS::Accept),
            Err(JoseError::Signature)
        );
    }

    #[test]
    fn algorithm_names() {
        assert_eq!(Alg::from_name("none"), Err(JoseError::AlgNone));
        for name in ["None", "NONE", "es256", "EDDSA", "ed25519", ""] {
            assert_eq!(
                Alg::from_name(name),
                Err(JoseError::AlgUnknown(name.into()))
            );
        }
        assert_eq!(
            Alg::from_name("HS256"),
            Err(JoseError::AlgSymmetric("HS256".into()))
        );
        for name in ["RS256", "PS256", "ES384", "ES512", "Ed448"] {
            assert_eq!(
                Alg::from_name(name),
                Err(JoseError::AlgUnsupported(name.into()))
            );
        }
        for alg in [Alg::Es256, Alg::EdDsa, Alg::Ed25519] {
            assert_eq!(Alg::from_name(alg.name()), Ok(alg));
        }
    }

    #[test]
    fn compact_shape() {
        let proof = fig2();
        let (header, rest) = proof.split_once('.').unwrap();
        let (payload, sig) = rest.split_once('.').unwrap();
        let jws = parse_compact(&proof).unwrap();
        assert_eq!(jws.signing_input, format!("{header}.{payload}"));
        assert_eq!(jws.signature.len(), 64);
        for (s, found) in [
            (format!("{header}.{payload}"), 2),
            (format!("{proof}."), 4),
            (format!("{header}.{payload}.{sig}.x.y"), 5),
            (String::new(), 1),
        ] {
            assert_eq!(parse_compact(&s), Err(JoseError::Segments { found }));
        }
        assert_eq!(
            parse_compact(&format!("{header}.{payload}.")),
            Err(JoseError::EmptySignature)
        );
        // Non-canonical trailing bits in the signature (Figure 2 ends in `g`).
        let noncanonical = format!("{}h", proof.strip_suffix('g').unwrap());
        assert!(matches!(
            parse_compact(&noncanonical),
            Err(JoseError::Base64(_))
        ));
        let long = "a".repeat(MAX_COMPACT_LEN + 1);
        assert_eq!(
            parse_compact(&long),
            Err(JoseError::TooLong {
                len: MAX_COMPACT_LEN + 1,
                max: MAX_COMPACT_LEN
            })
        );
    }

    #[test]
    fn header_must_be_a_json_object() {
        let sig = base64url::encode(&[0; 64]);
        let with_header = |h: &str| format!("{}.e30.{sig}", base64url::encode(h.as_bytes()));
        assert!(parse_compact(&with_header("{}")).is_ok());
        assert_eq!(
            parse_compact(&with_header("[]")),
            Err(JoseError::NotObject { part: "header" })
        );
        for bad in ["", "{", "{} x", "{\"a\":\"\u{1}\"}"] {
            assert!(
                matches!(
                    parse_compact(&with_header(bad)),
                    Err(JoseError::Json { part: "header", .. })
                ),
                "{bad:?}"
            );
        }
        let not_utf8 = format!("{}.e30.{sig}", base64url::encode(b"{\"a\":\"\xff\"}"));
        assert!(matches!(
            parse_compact(&not_utf8),
            Err(JoseError::Json { .. })
        ));
    }

    #[test]
    fn duplicate_members_are_refused_at_any_depth() {
        for (text, name) in [
            (r#"{"a":1,"a":1}"#, "a"),
            (r#"{"a":1,"\u0061":2}"#, "a"),
            (r#"{"jwk":{"x":"1","y":"2","x":"3"}}"#, "x"),
            (r#"{"l":[{"k":1,"k":2}]}"#, "k"),
        ] {
            assert_eq!(
                parse_object(text.as_bytes(), "payload"),
                Err(JoseError::DuplicateMember {
                    part: "payload",
                    name: name.into()
                }),
                "{text}"
            );
        }
        let ok = parse_object(br#"{"a":{"b":1},"b":[1,{"b":2}],"c":null}"#, "payload");
        assert!(ok.is_ok());
    }

    #[test]
    fn crit() {
        let header = |v: Value| parse_object(v.to_string().as_bytes(), "header").unwrap();
        assert_eq!(
            check_crit(&header(serde_json::json!({"alg": "ES256"})), &[]),
            Ok(())
        );
        for (crit, why) in [
            (serde_json::json!([]), "empty list"),
            (serde_json::json!([1]), "a name is not a string"),
            (
                serde_json::json!(["alg"]),
                "names a registered header parameter",
            ),
            (
                serde_json::json!(["exp"]),
                "names an extension that is not understood",
            ),
        ] {
            let h = header(serde_json::json!({"alg": "ES256", "crit": crit, "exp": 1}));
            assert_eq!(check_crit(&h, &[]), Err(JoseError::Crit(why)));
        }
        let h = header(serde_json::json!({"crit": "exp"}));
        assert_eq!(check_crit(&h, &[]), Err(JoseError::MemberType("crit")));
        // With an understood extension: present and listed once.
        let h = header(serde_json::json!({"crit": ["exp"], "exp": 1}));
        assert_eq!(check_crit(&h, &["exp"]), Ok(()));
        let h = header(serde_json::json!({"crit": ["exp"]}));
        assert_eq!(
            check_crit(&h, &["exp"]),
            Err(JoseError::Crit("names an absent parameter"))
        );
        let h = header(serde_json::json!({"crit": ["exp", "exp"], "exp": 1}));
        assert_eq!(
            check_crit(&h, &["exp"]),
            Err(JoseError::Crit("names a parameter twice"))
        );
    }
}
