//! Running vectors against an implementation and comparing with the expectations.

use serde::Serialize;
use serde_json::{json, Value};

use super::model::*;
use crate::profile::Profile;

/// What an implementation answered for one vector under one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome<T> {
    /// Accepted (true) or refused.
    pub valid: bool,
    /// Codes of every failure, in order (empty when valid).
    pub codes: Vec<String>,
    /// The implementation's message, if it reproduces PyPI's (compared in the warehouse
    /// profile when present; `None` skips the comparison).
    pub message: Option<String>,
    /// What an accepted input produced (fields, canonical caveat, token).
    pub value: Option<T>,
}

impl<T> Outcome<T> {
    /// An accepted input.
    pub fn accept(value: T, message: Option<String>) -> Self {
        Outcome {
            valid: true,
            codes: Vec::new(),
            message,
            value: Some(value),
        }
    }
    /// A refused input.
    pub fn reject(codes: Vec<String>, message: Option<String>) -> Self {
        Outcome {
            valid: false,
            codes,
            message,
            value: None,
        }
    }
}

/// Macaroon fields as vectors spell them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedMacaroon {
    /// 1 or 2.
    pub version: u8,
    /// Location text, or `None` when absent.
    pub location: Option<String>,
    /// Identifier bytes, hex.
    pub identifier_hex: String,
    /// Caveats.
    pub caveats: Vec<DecodedCaveat>,
    /// Signature bytes, hex (any length).
    pub signature_hex: String,
}

/// One caveat's fields as vectors spell them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedCaveat {
    /// Caveat identifier (the predicate) bytes, hex.
    pub id_hex: String,
    /// Verification id bytes, hex, for a third-party caveat.
    pub vid_hex: Option<String>,
    /// Caveat location text, for a third-party caveat.
    pub location: Option<String>,
}

/// A parsed caveat as vectors spell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedCaveat {
    /// `expiration`, `project_name`, `project_id`, `request_user` or `oidc_publisher`.
    pub kind: String,
    /// PyPI's serialization of it.
    pub canonical: String,
}

/// A produced token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Produced {
    /// The caveats written, in order.
    pub caveats: Vec<String>,
    /// The token.
    pub token: String,
}

/// Answer to a decode vector.
pub type DecodeOutcome = Outcome<DecodedMacaroon>;
/// Answer to a caveat vector.
pub type CaveatOutcome = Outcome<ParsedCaveat>;
/// Answer to a verify vector (no value).
pub type VerifyOutcome = Outcome<()>;
/// Answer to a mint or restrict vector.
pub type MintOutcome = Outcome<Produced>;

/// What an accepted DPoP proof yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcceptedProof {
    /// The RFC 7638 thumbprint of the proof's key.
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
}

/// A JWK's thumbprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thumbprint {
    /// RFC 7638 SHA-256 thumbprint, base64url.
    pub thumbprint: String,
}

/// Answer to a dpop_proof vector.
pub type DpopOutcome = Outcome<AcceptedProof>;
/// Answer to a jwk_thumbprint vector.
pub type ThumbprintOutcome = Outcome<Thumbprint>;

/// What an accepted `atr_jwt` token yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtrIdentity {
    /// The `sub` claim.
    pub sub: String,
    /// The `jti` claim.
    pub jti: String,
}

/// Answer to an atr_jwt vector.
pub type AtrOutcome = Outcome<AtrIdentity>;

/// What an accepted `atr_dpop_request` yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AtrBoundIdentity {
    /// The token's `sub` claim.
    pub sub: String,
    /// The token's `jti` claim.
    pub jti: String,
    /// The thumbprint of the key the token is bound to; `None` for an unbound token accepted
    /// as Bearer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

/// Answer to an atr_dpop_request vector.
pub type AtrDpopOutcome = Outcome<AtrBoundIdentity>;

/// What an accepted `macaroon_dpop_request` yields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundKey {
    /// The thumbprint of the key the token is bound to; `None` for an unbound token accepted
    /// as Bearer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jkt: Option<String>,
}

/// Answer to a macaroon_dpop_request vector.
pub type MacaroonDpopOutcome = Outcome<BoundKey>;

/// An implementation under test. Every method has a default that answers "unsupported"
/// (`None`), so an implementation covers what it covers and the runner reports the rest as
/// skipped, not failed.
pub trait Implementation {
    /// A short name for reports.
    fn name(&self) -> &str;
    /// Decode a token to macaroon fields.
    fn decode(&self, _token: &str, _profile: Profile) -> Option<DecodeOutcome> {
        None
    }
    /// Parse one caveat.
    fn parse_caveat(
        &self,
        _caveat: &[u8],
        _request_user: Option<&str>,
        _profile: Profile,
    ) -> Option<CaveatOutcome> {
        None
    }
    /// Verify a token.
    fn verify(&self, _input: &VerifyInput, _profile: Profile) -> Option<VerifyOutcome> {
        None
    }
    /// Mint a token.
    fn mint(&self, _input: &MintInput) -> Option<MintOutcome> {
        None
    }
    /// Attenuate a token.
    fn restrict(&self, _input: &RestrictInput) -> Option<MintOutcome> {
        None
    }
    /// Check a DPoP proof.
    fn dpop_proof(&self, _input: &DpopProofInput) -> Option<DpopOutcome> {
        None
    }
    /// Compute a JWK thumbprint.
    fn jwk_thumbprint(&self, _input: &JwkThumbprintInput) -> Option<ThumbprintOutcome> {
        None
    }
    /// Check an Apache Trusted Releases API JWT.
    fn atr_jwt(&self, _input: &AtrJwtInput) -> Option<AtrOutcome> {
        None
    }
    /// Check a request to an ATR-style API under DPoP binding.
    fn atr_dpop_request(&self, _input: &AtrDpopRequestInput) -> Option<AtrDpopOutcome> {
        None
    }
    /// Check a request presenting a PyPI token, with or without a DPoP proof.
    fn macaroon_dpop_request(
        &self,
        _input: &MacaroonDpopRequestInput,
    ) -> Option<MacaroonDpopOutcome> {
        None
    }
}

/// The result of checking one vector under one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckResult {
    /// The implementation agreed with the expectation.
    Pass,
    /// It disagreed; the text says how.
    Fail(String),
    /// It does not implement this kind of vector, or the vector has no expectation for the profile.
    Skip(String),
}

/// Checks one vector. `profile` is ignored for the profile-free kinds (mint, restrict,
/// dpop_proof, jwk_thumbprint, atr_jwt, atr_dpop_request,
/// macaroon_dpop_request).
pub fn check(imp: &dyn Implementation, v: &Vector, profile: Profile) -> CheckResult {
    match check_inner(imp, v, profile) {
        Ok(r) => r,
        Err(e) => CheckResult::Fail(format!("bad vector input: {e}")),
    }
}

/// The expectation a vector sets for `profile` (the profile-free kinds have one for all).
pub fn expected_for(v: &Vector, profile: Profile) -> Option<&Value> {
    if v.kind.per_profile() {
        v.expected.get(profile.name())
    } else {
        Some(&v.expected)
    }
}

/// The basis of the expectation a vector sets for `profile`.
pub fn basis_for(v: &Vector, profile: Profile) -> &BasisSource {
    v.basis.for_profile(profile)
}

fn check_inner(
    imp: &dyn Implementation,
    v: &Vector,
    profile: Profile,
) -> Result<CheckResult, String> {
    let Some(expected) = expected_for(v, profile) else {
        return Ok(CheckResult::Skip(format!(
            "no expectation for profile {profile}"
        )));
    };
    let Some(got) = answer(imp, v.kind, &v.input, profile)? else {
        return Ok(CheckResult::Skip(format!(
            "{} does not implement {:?}",
            imp.name(),
            v.kind
        )));
    };
    Ok(compare(expected, &got, profile))
}

/// What `imp` answers for a vector's input, in the shape of the vector's `expected` (`valid`,
/// `codes`, `message`, then the produced fields); `None` when it does not implement the kind.
/// The adapter protocol serves the reference implementation through this.
pub fn answer(
    imp: &dyn Implementation,
    kind: Kind,
    input: &Value,
    profile: Profile,
) -> Result<Option<Value>, String> {
    let de = |e: serde_json::Error| e.to_string();
    let got: Option<Value> = match kind {
        Kind::Decode => {
            let i: DecodeInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.decode(&i.token, profile)
                .map(|o| to_json(&o, "macaroon"))
        }
        Kind::Caveat => {
            let i: CaveatInput = serde_json::from_value(input.clone()).map_err(de)?;
            let bytes = i.bytes()?;
            imp.parse_caveat(&bytes, i.request_user.as_deref(), profile)
                .map(|o| to_json(&o, ""))
        }
        Kind::Verify => {
            let i: VerifyInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.verify(&i, profile).map(|o| to_json(&o, "-"))
        }
        Kind::Mint => {
            let i: MintInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.mint(&i).map(|o| to_json(&o, ""))
        }
        Kind::Restrict => {
            let i: RestrictInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.restrict(&i).map(|o| to_json(&o, ""))
        }
        Kind::DpopProof => {
            let i: DpopProofInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.dpop_proof(&i).map(|o| to_json(&o, ""))
        }
        Kind::JwkThumbprint => {
            let i: JwkThumbprintInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.jwk_thumbprint(&i).map(|o| to_json(&o, ""))
        }
        Kind::AtrJwt => {
            let i: AtrJwtInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.atr_jwt(&i).map(|o| to_json(&o, ""))
        }
        Kind::AtrDpopRequest => {
            let i: AtrDpopRequestInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.atr_dpop_request(&i).map(|o| to_json(&o, ""))
        }
        Kind::MacaroonDpopRequest => {
            let i: MacaroonDpopRequestInput = serde_json::from_value(input.clone()).map_err(de)?;
            imp.macaroon_dpop_request(&i).map(|o| to_json(&o, ""))
        }
    };
    Ok(got)
}

/// An outcome in the vector's own shape. `value_key` names where an accepted value goes:
/// "" flattens its fields into the object, "-" drops it.
fn to_json<T: Serialize>(o: &Outcome<T>, value_key: &str) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("valid".into(), json!(o.valid));
    if !o.valid || !o.codes.is_empty() {
        m.insert("codes".into(), json!(o.codes));
    }
    if let Some(msg) = &o.message {
        m.insert("message".into(), json!(msg));
    }
    if let Some(val) = &o.value {
        let val = serde_json::to_value(val).unwrap_or(Value::Null);
        match (value_key, val) {
            ("-", _) => {}
            ("", Value::Object(fields)) => m.extend(fields),
            ("", Value::Null) => {}
            (key, other) => {
                m.insert(key.to_owned(), other);
            }
        }
    }
    Value::Object(m)
}

/// Compares an answer with an expectation, both in the vector's shape: `valid`, then `codes`
/// in order, then (warehouse profile, when both have one) `message`, then every other expected
/// field exactly.
pub fn compare(expected: &Value, got: &Value, profile: Profile) -> CheckResult {
    let e_valid = expected.get("valid").and_then(Value::as_bool);
    let g_valid = got.get("valid").and_then(Value::as_bool);
    if e_valid != g_valid {
        return CheckResult::Fail(format!("expected valid={e_valid:?}, got {}", compact(got)));
    }
    let e_codes = expected.get("codes").cloned().unwrap_or(json!([]));
    let g_codes = got.get("codes").cloned().unwrap_or(json!([]));
    if e_codes != g_codes {
        return CheckResult::Fail(format!("expected codes {e_codes}, got {g_codes}"));
    }
    if profile == Profile::Warehouse {
        if let (Some(e), Some(g)) = (expected.get("message"), got.get("message")) {
            if e != g {
                return CheckResult::Fail(format!("expected message {e}, got {g}"));
            }
        }
    }
    // Every other expected field (macaroon fields, canonical caveat, token) must match exactly.
    if let Value::Object(fields) = expected {
        for (k, e) in fields {
            if matches!(k.as_str(), "valid" | "codes" | "message") {
                continue;
            }
            match got.get(k) {
                Some(g) if g == e => {}
                Some(g) => {
                    return CheckResult::Fail(format!(
                        "{k}: expected {}, got {}",
                        compact(e),
                        compact(g)
                    ))
                }
                None => {
                    return CheckResult::Fail(format!("{k}: expected {}, got nothing", compact(e)))
                }
            }
        }
    }
    CheckResult::Pass
}

fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        let cut = (0..=300)
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}

/// Runs every vector of a file under every profile; returns (vector id, profile, result).
pub fn run_file(
    imp: &dyn Implementation,
    file: &VectorFile,
    profiles: &[Profile],
) -> Vec<(String, Profile, CheckResult)> {
    let mut out = Vec::new();
    for v in &file.vectors {
        if v.kind.per_profile() {
            for p in profiles {
                out.push((v.id.clone(), *p, check(imp, v, *p)));
            }
        } else {
            // Profile-free kinds run once, reported under the first requested profile.
            let p = profiles.first().copied().unwrap_or(Profile::Warehouse);
            out.push((v.id.clone(), p, check(imp, v, p)));
        }
    }
    out
}
