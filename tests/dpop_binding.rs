//! The atr-jwt-dpop profile through the public API: a replay cache shared across requests, and
//! the binding's refusals, on requests taken from the shipped vectors.

use caveatspec::atr::{verify_bound_request, BoundRequest};
use caveatspec::dpop::{ReplayCache, DEFAULT_MAX_AGE};
use caveatspec::vectors::{self, AtrDpopRequestInput, Kind};

fn input(id: &str) -> AtrDpopRequestInput {
    let files = vectors::shipped().expect("shipped vectors load");
    let v = files
        .iter()
        .flat_map(|f| &f.vectors)
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no vector {id}"));
    assert_eq!(v.kind, Kind::AtrDpopRequest);
    serde_json::from_value(v.input.clone()).expect("atr_dpop_request input")
}

/// Checks `i` with its own fields at `now`, against `cache`; the code on refusal.
fn check(
    i: &AtrDpopRequestInput,
    now: i64,
    cache: &mut ReplayCache,
) -> Result<Option<String>, String> {
    let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
    let dpop: Vec<&str> = i.dpop.iter().map(String::as_str).collect();
    let req = BoundRequest {
        authorization: &authorization,
        dpop: &dpop,
        method: &i.method,
        url: &i.url,
        now,
        key: i.key.as_bytes(),
        iss_aud: &i.iss_aud,
        nonce: i.nonce.as_deref(),
    };
    verify_bound_request(&req, cache)
        .map(|accepted| accepted.jkt)
        .map_err(|e| e.code().to_owned())
}

#[test]
fn a_bound_request_is_accepted_once_and_its_proof_then_counts_as_replayed() {
    let i = input("atr-dpop/baseline/ed25519");
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    let jkt = check(&i, i.now, &mut cache).expect("first presentation");
    assert_eq!(
        jkt.as_deref(),
        Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    );
    assert_eq!(
        check(&i, i.now + 1, &mut cache),
        Err("dpop.replay".to_owned())
    );
    // A fresh cache (another server, or after the proof's window) has no memory of it.
    let mut other = ReplayCache::new(16, DEFAULT_MAX_AGE);
    assert!(check(&i, i.now + 1, &mut other).is_ok());
}

#[test]
fn an_unbound_bearer_token_leaves_the_cache_untouched() {
    let i = input("atr-dpop/baseline/bearer-unbound");
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    assert_eq!(check(&i, i.now, &mut cache), Ok(None));
    assert!(cache.is_empty());
}

#[test]
fn a_refused_proof_is_not_remembered() {
    let i = input("atr-dpop/proof/other-key");
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    assert_eq!(check(&i, i.now, &mut cache), Err("dpop.jkt".to_owned()));
    assert!(cache.is_empty());
}

#[test]
fn an_oversized_authorization_field_is_refused_before_it_is_read() {
    let mut i = input("atr-dpop/baseline/ed25519");
    i.authorization[0].push_str(&"A".repeat(64 * 1024));
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    assert_eq!(
        check(&i, i.now, &mut cache),
        Err("atr.too_large".to_owned())
    );
}
