//! The `presented` target: a request presenting a token bound to a key, with its DPoP fields, as
//! the atr-jwt-dpop profile ([`caveatspec::atr::verify_bound_request`], SPEC §10.8) and the strict
//! profile's presented PyPI tokens ([`caveatspec::verify::verify_presented`], §10.9) check it.
//!
//! The first byte selects; the rest is text (UTF-8):
//!
//! | bits | meaning |
//! |---|---|
//! | 0 | the format: an ATR JWT, or a PyPI token |
//! | 1 | the text: 0 raw header fields, one per line, `A:` for `Authorization` and `D:` for `DPoP` (other lines ignored); 1 built here (below) |
//! | 2 | built: the scheme `DPoP` or `Bearer` |
//! | 3–4 | built: how many `DPoP` fields (0 to 3), each the same proof |
//! | 5 | the clock: the vectors' `now`, or 301 s later (past every proof's window) |
//!
//! Built, the first line is the token: for ATR the JWT payload JSON, signed here with the
//! vectors' key; for PyPI the caveats, separated by tabs, minted here with the vectors' root
//! key and identifier. The second line is the proof's payload JSON, signed here with the RFC
//! 8037 key under a `dpop+jwt` EdDSA header. In both lines `$JKT` stands for that key's
//! thumbprint and, in the proof, `$ATH` for the hash of the built token, so the fuzzer reaches
//! acceptance and every check around it.
//!
//! Invariants: the verdict is deterministic; an accepted request has one `Authorization`
//! field; a bound token (a thumbprint returned) came under `DPoP` with one proof, by that key,
//! whose `ath` covers the token, and the token is bound to it (the JWT's `cnf` is exactly that
//! `jkt`; the PyPI token is valid with that proof key and invalid without one); presenting the
//! same request again to the same replay cache is refused as `dpop.replay`; an unbound token
//! accepted came under `Bearer` with no `DPoP` field and is valid on its own.

use serde_json::json;
use sha2::{Digest, Sha256};

use super::atr::{VECTOR_ISS_AUD, VECTOR_KEY, VECTOR_NOW};
use caveatspec::atr::{self, BoundRequest};
use caveatspec::dpop::presentation::{self, RequestFields, Scheme};
use caveatspec::dpop::{self, ProofRequest, ReplayCache};
use caveatspec::encoding::base64url;
use caveatspec::jose::testdata;
use caveatspec::macaroon::{self, chain};
use caveatspec::token;
use caveatspec::verify::{self, Issued, Owner, PresentedRequest, Project, Request};
use caveatspec::Profile;

/// The request every `atr-dpop` vector makes.
const ATR_METHOD: &str = "POST";
const ATR_URL: &str = "https://atr.example.org/api/upload";
/// The request, clock, row and project of the `macaroon-dpop` vectors.
const PYPI_METHOD: &str = "POST";
const PYPI_URL: &str = "https://upload.pypi.org/legacy/";
const PYPI_NOW: i64 = 1_700_000_500;
const PYPI_ROOT_KEY: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31,
];
const PYPI_IDENTIFIER: &str = "5f0b3a4e-8c1d-4e2f-9a6b-7c8d9e0f1a2b";
const PYPI_USER: &str = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b";
const PYPI_PROJECT: Project<'static> = Project {
    name: "Sample.Project",
    id: "0d6b6a8e-2f0c-4f8e-8a3b-5b7e1c9d2a41",
};

/// One input: a selector byte, then the text (UTF-8).
pub fn presented_request(data: &[u8]) {
    presented_case(data);
}

/// [`presented_request`], returning the thumbprint of an accepted request's bound key (`Some(None)`
/// for an accepted unbound token, `None` when refused or the input is unusable), so tests can
/// see what the seeds reach.
pub fn presented_case(data: &[u8]) -> Option<Option<String>> {
    let (&selector, rest) = data.split_first()?;
    let text = std::str::from_utf8(rest).ok()?;
    let pypi = selector & 1 != 0;
    let later = if selector & 0x20 != 0 { 301 } else { 0 };
    let (authorization, dpop) = if selector & 2 == 0 {
        raw_fields(text)
    } else {
        built_fields(selector, text, pypi)
    };
    let authorization: Vec<&str> = authorization.iter().map(String::as_str).collect();
    let dpop: Vec<&str> = dpop.iter().map(String::as_str).collect();
    if pypi {
        let fields = RequestFields {
            authorization: &authorization,
            dpop: &dpop,
            method: PYPI_METHOD,
            url: PYPI_URL,
            nonce: None,
        };
        check_pypi(&fields, PYPI_NOW + later)
    } else {
        let fields = RequestFields {
            authorization: &authorization,
            dpop: &dpop,
            method: ATR_METHOD,
            url: ATR_URL,
            nonce: None,
        };
        check_atr(&fields, VECTOR_NOW + later)
    }
}

/// `A:` and `D:` lines as the request's fields, in order.
fn raw_fields(text: &str) -> (Vec<String>, Vec<String>) {
    let (mut authorization, mut dpop) = (Vec::new(), Vec::new());
    for line in text.split('\n') {
        if let Some(a) = line.strip_prefix("A:") {
            authorization.push(a.to_owned());
        } else if let Some(d) = line.strip_prefix("D:") {
            dpop.push(d.to_owned());
        }
    }
    (authorization, dpop)
}

/// A token and a proof built from the first two lines (see the module documentation).
fn built_fields(selector: u8, text: &str, pypi: bool) -> (Vec<String>, Vec<String>) {
    let mut lines = text.splitn(2, '\n');
    let token_line = lines
        .next()
        .unwrap_or("")
        .replace("$JKT", testdata::RFC8037_JKT);
    let token = if pypi {
        let caveats: Vec<&[u8]> = token_line.split('\t').map(str::as_bytes).collect();
        let derived = chain::derive_key(&PYPI_ROOT_KEY);
        let sig = chain::chain(
            &derived,
            PYPI_IDENTIFIER.as_bytes(),
            caveats.iter().copied(),
        );
        let bytes = macaroon::encode_v2(b"pypi.org", PYPI_IDENTIFIER.as_bytes(), &caveats, &sig);
        token::encode(&bytes)
    } else {
        let input = format!(
            "{}.{}",
            base64url::encode(br#"{"alg":"HS256"}"#),
            base64url::encode(token_line.as_bytes())
        );
        let sig = super::atr::hmac_sha256(VECTOR_KEY.as_bytes(), input.as_bytes());
        format!("{input}.{}", base64url::encode(&sig))
    };
    let ath = base64url::encode(&Sha256::digest(token.as_bytes()));
    let claims = lines
        .next()
        .unwrap_or("")
        .replace("$JKT", testdata::RFC8037_JKT)
        .replace("$ATH", &ath);
    let header = json!({"typ": "dpop+jwt", "alg": "EdDSA",
        "jwk": {"kty": "OKP", "crv": "Ed25519", "x": testdata::RFC8037_X}});
    let proof = testdata::sign_ed25519(&header.to_string(), &claims);
    let scheme = if selector & 4 == 0 { "DPoP" } else { "Bearer" };
    let proofs = usize::from((selector >> 3) & 3);
    (vec![format!("{scheme} {token}")], vec![proof; proofs])
}

/// The presentation an accepted request must have had, and its proof's standalone check.
fn accepted_presentation<'a>(
    fields: &RequestFields<'a>,
    jkt: Option<&str>,
    now: i64,
) -> presentation::Presentation<'a> {
    let p = presentation::read(fields).expect("accepted, so one Authorization field");
    match jkt {
        Some(jkt) => {
            assert_eq!(p.scheme, Scheme::Dpop, "bound, but not under DPoP");
            let proof = p.proof.expect("bound, but no proof");
            let request = ProofRequest {
                access_token: Some(p.token),
                expected_jkt: Some(jkt),
                ..ProofRequest::new(fields.method, fields.url, now)
            };
            let checked = dpop::verify_proof(proof, &request).expect("the proof checks alone");
            assert_eq!(checked.jkt, jkt, "the proof's key is the bound key");
        }
        None => {
            assert_eq!(p.scheme, Scheme::Bearer, "unbound, but under DPoP");
            assert_eq!(p.proof, None, "unbound, but with a proof");
        }
    }
    p
}

fn check_atr(fields: &RequestFields<'_>, now: i64) -> Option<Option<String>> {
    let request = BoundRequest {
        fields: *fields,
        now,
        key: VECTOR_KEY.as_bytes(),
        iss_aud: VECTOR_ISS_AUD,
    };
    let run = |cache: &mut ReplayCache| atr::verify_bound_request(&request, cache);
    let mut cache = ReplayCache::new(4, dpop::DEFAULT_MAX_AGE);
    let verdict = run(&mut cache);
    let again = run(&mut ReplayCache::new(4, dpop::DEFAULT_MAX_AGE));
    assert_eq!(verdict, again, "the verdict is not deterministic");
    let accepted = verdict.ok()?;
    let p = accepted_presentation(fields, accepted.jkt.as_deref(), now);
    let cnf = accepted.claims.claims.get("cnf");
    match &accepted.jkt {
        Some(jkt) => {
            assert_eq!(cnf, Some(&json!({"jkt": jkt})), "bound to another key");
            let replayed = run(&mut cache).map(|_| ()).map_err(|e| e.code());
            assert_eq!(replayed, Err("dpop.replay"), "a proof accepted twice");
        }
        None => {
            assert_eq!(cnf, None, "a cnf claim, yet unbound");
            let alone = atr::verify_token(p.token, VECTOR_KEY.as_bytes(), VECTOR_ISS_AUD, now);
            assert_eq!(alone.as_ref(), Ok(&accepted.claims), "not valid on its own");
        }
    }
    Some(accepted.jkt)
}

fn check_pypi(fields: &RequestFields<'_>, now: i64) -> Option<Option<String>> {
    let issued = Issued {
        identifier: PYPI_IDENTIFIER,
        root_key: &PYPI_ROOT_KEY,
        owner: Owner::User { user_id: PYPI_USER },
        stored_caveats: &[],
    };
    let request = |proof_jkt| Request {
        now,
        project: Some(PYPI_PROJECT),
        proof_jkt,
    };
    let presented = PresentedRequest {
        fields: *fields,
        request: request(None),
    };
    let run = |cache: &mut ReplayCache| verify::verify_presented(&presented, &issued, cache);
    let mut cache = ReplayCache::new(4, dpop::DEFAULT_MAX_AGE);
    let verdict = run(&mut cache);
    let again = run(&mut ReplayCache::new(4, dpop::DEFAULT_MAX_AGE));
    assert_eq!(verdict, again, "the verdict is not deterministic");
    let jkt = verdict.ok()?;
    let p = accepted_presentation(fields, jkt.as_deref(), now);
    let strict = |proof_jkt| verify::verify(p.token, &issued, &request(proof_jkt), Profile::Strict);
    assert!(strict(jkt.as_deref()).valid, "not valid with its proof key");
    if jkt.is_some() {
        assert!(!strict(None).valid, "bound, yet valid without a proof");
        let replayed = run(&mut cache).map(|_| ()).map_err(|e| e.codes());
        assert_eq!(replayed, Err(vec!["dpop.replay"]), "a proof accepted twice");
    }
    Some(jkt)
}
