//! Tokens bound to a key and presented with DPoP proofs, through the public API: a replay
//! cache shared across requests, and the binding's refusals, for ATR's JWTs (atr-jwt-dpop) and
//! PyPI tokens (strict profile), on requests taken from the shipped vectors.

use caveatspec::atr::{verify_bound_request, BoundRequest};
use caveatspec::dpop::{ReplayCache, DEFAULT_MAX_AGE};
use caveatspec::verify::{verify_presented, PresentedRequest, Request};
use caveatspec_conformance::{RequestArguments, RowArguments};
use caveatspec_vectors::{self as vectors, AtrDpopRequestInput, Kind, MacaroonDpopRequestInput};
use serde::de::DeserializeOwned;

fn vector_input<T: DeserializeOwned>(id: &str, kind: Kind) -> T {
    let files = vectors::shipped().expect("shipped vectors load");
    let v = files
        .iter()
        .flat_map(|f| &f.vectors)
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no vector {id}"));
    assert_eq!(v.kind, kind);
    serde_json::from_value(v.input.clone()).expect("vector input")
}

fn input(id: &str) -> AtrDpopRequestInput {
    vector_input(id, Kind::AtrDpopRequest)
}

/// Presents the PyPI token request `i` with the given DPoP fields at `now`; the bound key, or
/// the codes on refusal.
fn present(
    i: &MacaroonDpopRequestInput,
    dpop: &[&str],
    now: i64,
    cache: &mut ReplayCache,
) -> Result<Option<String>, Vec<&'static str>> {
    let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
    i.with_row(|issued, request| {
        let req = PresentedRequest {
            fields: i.fields(&authorization, dpop),
            request: Request { now, ..*request },
        };
        verify_presented(&req, issued, cache).map_err(|e| e.codes())
    })
    .expect("hex key")
}

#[test]
fn a_bound_pypi_token_takes_each_proof_once_and_a_narrowed_token_needs_its_own() {
    let bound: MacaroonDpopRequestInput =
        vector_input("macaroon-dpop/baseline/ed25519", Kind::MacaroonDpopRequest);
    let narrowed: MacaroonDpopRequestInput = vector_input(
        "macaroon-dpop/attenuation/narrowed-fresh-proof",
        Kind::MacaroonDpopRequest,
    );
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    let proof = bound.dpop[0].as_str();
    let jkt = present(&bound, &[proof], bound.now, &mut cache).expect("first presentation");
    assert_eq!(
        jkt.as_deref(),
        Some("kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    );
    assert_eq!(
        present(&bound, &[proof], bound.now + 1, &mut cache),
        Err(vec!["dpop.replay"])
    );
    // The narrowed token is another string: the first proof's ath does not cover it.
    assert_eq!(
        present(&narrowed, &[proof], narrowed.now, &mut cache),
        Err(vec!["dpop.ath"])
    );
    let fresh = narrowed.dpop[0].as_str();
    assert_eq!(
        present(&narrowed, &[fresh], narrowed.now, &mut cache),
        Ok(jkt)
    );
    // Without any proof, the binding itself refuses the token under Bearer.
    let mut bearer = bound.clone();
    bearer.authorization[0] = bearer.authorization[0].replacen("DPoP", "Bearer", 1);
    assert_eq!(
        present(&bearer, &[], bound.now, &mut cache),
        Err(vec!["key_binding.no_proof"])
    );
}

/// A flood of requests whose proofs are valid (each by its own key, with its own `jti`) but
/// whose tokens are refused takes no room in a shared cache: with room for three entries, the
/// genuine requests after the flood are still accepted, and each only once.
#[test]
fn a_flood_of_valid_proofs_with_refused_tokens_leaves_the_cache_empty() {
    let mut cache = ReplayCache::new(3, DEFAULT_MAX_AGE);
    for id in [
        "macaroon-dpop/proof/other-key",
        "macaroon-dpop/token/expired",
        "macaroon-dpop/attenuation/rebound-ed25519-proof",
        "macaroon-dpop/attenuation/rebound-p256-proof",
        "macaroon-dpop/downgrade/unbound-as-dpop",
        "macaroon-dpop/token/other-project-and-other-key-proof",
    ] {
        let flood: MacaroonDpopRequestInput = vector_input(id, Kind::MacaroonDpopRequest);
        let dpop: Vec<&str> = flood.dpop.iter().map(String::as_str).collect();
        for _ in 0..3 {
            let refused = present(&flood, &dpop, flood.now, &mut cache);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|codes| !codes.contains(&"dpop.replay")
                        && !codes.contains(&"dpop.replay_cache_full")),
                "{id}: {refused:?}"
            );
        }
        assert!(cache.is_empty(), "{id} left an entry");
    }
    for id in [
        "macaroon-dpop/baseline/ed25519",
        "macaroon-dpop/baseline/p256",
    ] {
        let genuine: MacaroonDpopRequestInput = vector_input(id, Kind::MacaroonDpopRequest);
        let proof = genuine.dpop[0].as_str();
        assert!(
            present(&genuine, &[proof], genuine.now, &mut cache).is_ok(),
            "{id}"
        );
        assert_eq!(
            present(&genuine, &[proof], genuine.now + 1, &mut cache),
            Err(vec!["dpop.replay"]),
            "{id}"
        );
    }
    assert_eq!(cache.len(), 2);
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
        fields: i.fields(&authorization, &dpop),
        now,
        key: i.key.as_bytes(),
        iss_aud: &i.iss_aud,
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
    let i = input("atr-dpop/baseline/ed25519");
    let mut cache = ReplayCache::new(16, DEFAULT_MAX_AGE);
    let padded = |len: usize| {
        let mut j = i.clone();
        let field = &mut j.authorization[0];
        field.extend(std::iter::repeat_n(' ', len - field.len()));
        j
    };
    // At the limit the field is read (and its trailing spaces break the token); one byte
    // more and it is not read at all.
    let at_limit = padded(caveatspec::atr::MAX_AUTHORIZATION);
    assert_eq!(
        check(&at_limit, i.now, &mut cache),
        Err("atr.malformed".to_owned())
    );
    let over = padded(caveatspec::atr::MAX_AUTHORIZATION + 1);
    assert_eq!(
        check(&over, i.now, &mut cache),
        Err("atr.too_large".to_owned())
    );
}
