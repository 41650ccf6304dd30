//! The `dpop` target: a DPoP proof checked against one of a few fixed requests, with
//! invariants on the verdict rather than just "no panic".
//!
//! The first byte selects the request and how the rest is read; the rest is the proof text:
//!
//! | bits | meaning |
//! |---|---|
//! | 0–1 | the request: RFC 9449 Figure 13's (`GET`, resource server), Figure 2's (`POST`, token endpoint), Figure 7's (same, 2,680 s later), or Figure 13's URL with a query and fragment |
//! | 2 | an access token is presented (Figure 13's), so `ath` is required |
//! | 3 | a nonce is expected |
//! | 4 | the token is bound to the RFC 9449 example key (`expected_jkt`) |
//! | 5–6 | the proof text: 0 and 3 compact as is; 1 `header JSON \n payload JSON \n signature` with the JSON base64url-encoded here; 2 `header JSON \n payload JSON`, signed here with the RFC 8037 Ed25519 key |
//!
//! Modes 1 and 2 let the fuzzer mutate the JSON rather than its base64url, and mode 2 lets
//! it reach every claim check with a signature that verifies (when its header carries the
//! RFC 8037 public key).

use serde_json::Value;

use caveatspec::dpop::{self, DpopError, ProofRequest, ReplayCache, VerifiedProof};
use caveatspec::encoding::base64url;
use caveatspec::jose::jwk::Jwk;
use caveatspec::jose::jws::HighS;
use caveatspec::jose::{testdata, JoseError};

/// A server nonce (RFC 9449 §8's example).
const NONCE: &str = "eyJ7S_zG.eyJH0-Z.HX4w-7v";

/// Method, URL and clock of request `index` (bits 0–1 of the selector).
fn request(index: u8) -> (&'static str, &'static str, i64) {
    match index & 3 {
        0 => (
            "GET",
            "https://resource.example.org/protectedresource",
            1_562_262_618,
        ),
        1 => ("POST", "https://server.example.com/token", 1_562_262_616),
        2 => ("POST", "https://server.example.com/token", 1_562_265_296),
        _ => (
            "GET",
            "https://Resource.example.org:443/protectedresource?a=1#f",
            1_562_262_618,
        ),
    }
}

/// The compact proof the selector's mode makes of `text`.
fn proof_text(mode: u8, text: &str) -> String {
    let mut lines = text.splitn(3, '\n');
    let (header, payload) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    match mode & 3 {
        1 => format!(
            "{}.{}.{}",
            base64url::encode(header.as_bytes()),
            base64url::encode(payload.as_bytes()),
            lines.next().unwrap_or("")
        ),
        2 => testdata::sign_ed25519(header, payload),
        _ => text.to_owned(),
    }
}

/// One input: a selector byte, then the proof text (UTF-8).
///
/// Invariants: `verify_proof` is deterministic; an accepted proof has exactly three segments,
/// a header whose `typ` is `dpop+jwt` and whose `jwk` is the key it reports, with that key's
/// thumbprint as its `jkt`; binding the request to that `jkt` keeps it accepted; a fresh
/// replay cache takes its `jti` once and refuses it the second time; and whatever is accepted
/// when high-S signatures are refused is accepted, identically, when they are not, and
/// refusing them refuses nothing else.
pub fn dpop_proof(data: &[u8]) {
    dpop_case(data);
}

/// [`dpop_proof`], returning the verdict under the default policy (`None` when the input has
/// no selector byte or is not UTF-8), so tests can see what the seeds reach.
pub fn dpop_case(data: &[u8]) -> Option<Result<VerifiedProof, DpopError>> {
    let (&selector, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    let proof = proof_text(selector >> 5, text);
    let (method, url, now) = request(selector);
    let base = ProofRequest {
        access_token: (selector & 4 != 0).then_some(testdata::RFC9449_ACCESS_TOKEN),
        nonce: (selector & 8 != 0).then_some(NONCE),
        expected_jkt: (selector & 16 != 0).then_some(testdata::RFC9449_JKT),
        ..ProofRequest::new(method, url, now)
    };
    let accept = ProofRequest {
        high_s: HighS::Accept,
        ..base
    };
    let reject = ProofRequest {
        high_s: HighS::Reject,
        ..base
    };
    let verdict = dpop::verify_proof(&proof, &accept);
    assert_eq!(
        verdict,
        dpop::verify_proof(&proof, &accept),
        "the verdict is not deterministic"
    );
    let strict = dpop::verify_proof(&proof, &reject);
    if let Ok(p) = &strict {
        assert_eq!(
            verdict.as_ref().ok(),
            Some(p),
            "accepted when high-S is refused but not when it is allowed"
        );
    }
    if verdict.is_ok() {
        assert!(
            matches!(strict, Ok(_) | Err(DpopError::Signature(JoseError::HighS))),
            "refusing high-S signatures refused a proof for another reason: {strict:?}"
        );
    }
    if let Ok(p) = &verdict {
        check_accepted(&proof, p, &accept);
    }
    Some(verdict)
}

/// The invariants of an accepted proof.
fn check_accepted(proof: &str, p: &VerifiedProof, req: &ProofRequest<'_>) {
    let segments: Vec<&str> = proof.split('.').collect();
    assert_eq!(segments.len(), 3, "accepted a proof without three segments");
    // The header read again, by a plain JSON parser rather than the verifier's own.
    let header: Value = base64url::decode(segments[0])
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .expect("accepted a proof whose header does not decode");
    assert_eq!(
        header.get("typ").and_then(Value::as_str),
        Some(dpop::TYP),
        "accepted a proof whose typ is not dpop+jwt"
    );
    let jwk = header
        .get("jwk")
        .map(Jwk::from_value)
        .expect("accepted a proof without a jwk")
        .expect("accepted a proof whose jwk does not parse");
    assert_eq!(jwk, p.jwk, "the reported key is not the header's jwk");
    assert_eq!(
        p.jkt,
        jwk.thumbprint(),
        "the jkt is not the thumbprint of the header's jwk"
    );
    let bound = ProofRequest {
        expected_jkt: Some(&p.jkt),
        ..*req
    };
    assert_eq!(
        dpop::verify_proof(proof, &bound).as_ref(),
        Ok(p),
        "binding the request to the proof's own key refused it"
    );
    let mut cache = ReplayCache::new(1, req.max_age);
    assert_eq!(
        cache.check_and_insert(p, req.now),
        Ok(()),
        "a fresh replay cache refused an accepted proof"
    );
    assert_eq!(
        cache.check_and_insert(p, req.now),
        Err(DpopError::Replay),
        "the replay cache took the same jti twice"
    );
}
