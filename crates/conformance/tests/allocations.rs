//! `verify::verify` accepts a token without touching the heap: for every shipped vector
//! named below, in each profile that accepts it, the number of heap allocations made by the
//! calling thread during the call is zero.
//!
//! The inputs cover every caveat kind, the benchmark tokens of 1 to 50 caveats, and the
//! most caveats the strict profile accepts. Two things are outside the claim and documented
//! in `spec/SPEC.md` §5.6: refusals (their report holds PyPI's message text) and, in the
//! warehouse profile, tokens with caveats stored at issue time (PyPI re-serializes those).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use caveatspec::Profile;
use caveatspec::{dpop, verify};
use caveatspec_conformance::RowArguments;
use caveatspec_vectors::{self as vectors, VerifyInput};

/// The system allocator, counting allocations per thread (tests run in parallel).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the slot may be gone while the thread is being torn down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches only a
// thread-local integer with a const initializer, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above; `ptr` came from this allocator, i.e. from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap allocations the current thread makes while running `f`.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, result)
}

/// Accepted tokens of every caveat kind, the benchmark tokens, and the strict size boundary.
const ACCEPTED: &[&str] = &[
    "verify/scaling/caveats-1",
    "verify/scaling/caveats-3",
    "verify/scaling/caveats-10",
    "verify/scaling/caveats-50",
    "verify/signature/no-caveats",
    "verify/expiration/inside",
    "verify/expiration/pypitoken-spacing",
    "verify/project-name/match",
    "verify/project-name/one-of-many",
    "verify/project-name/underscore-display",
    "verify/project-id/match",
    "verify/project-id/two-ids",
    "verify/project-token/match",
    "verify/user/match",
    "verify/oidc/standard",
    "verify/oidc/short-form",
    "restrict-verify/all",
    "restrict-verify/twice",
];

/// The input of the shipped vector `id`, as the kind's input type.
fn vector_input<T: serde::de::DeserializeOwned>(id: &str) -> T {
    let files = vectors::shipped().expect("the shipped vectors parse");
    let v = files
        .iter()
        .flat_map(|f| f.vectors.iter())
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no shipped vector {id}"));
    serde_json::from_value(v.input.clone()).expect("the kind's input")
}

fn input(id: &str) -> VerifyInput {
    vector_input(id)
}

fn verify_counting(i: &VerifyInput, profile: Profile) -> (usize, verify::Verdict) {
    let token = i.token.as_str();
    i.with_row(|issued, request| {
        // Once first, so that one-time process state (the hoisted key-generator HMAC) is built.
        let _ = verify::verify(token, issued, request, profile);
        allocations_during(|| verify::verify(token, issued, request, profile))
    })
    .expect("a hex key")
}

#[test]
fn accepting_a_token_allocates_nothing() {
    let mut checked = 0;
    for id in ACCEPTED {
        let i = input(id);
        assert!(i.row.stored_caveats.is_empty(), "{id} has stored caveats");
        for profile in Profile::ALL {
            let (allocations, verdict) = verify_counting(&i, profile);
            assert!(
                verdict.valid,
                "{id} must be accepted ({profile:?}): {verdict:?}"
            );
            assert_eq!(allocations, 0, "{id} ({profile:?}) allocated");
            checked += 1;
        }
    }
    assert_eq!(checked, ACCEPTED.len() * 2);
}

#[test]
fn the_most_caveats_strict_accepts_allocate_nothing() {
    // 64 caveats in all, the strict limit (63 embedded here; the stored one is the server's
    // own and is read in place in the strict profile).
    let i = input("stored/strict-limit-64");
    let (allocations, verdict) = verify_counting(&i, Profile::Strict);
    assert!(verdict.valid, "{verdict:?}");
    assert_eq!(allocations, 0);
}

#[test]
fn the_counter_sees_allocations() {
    // The test above proves something only if allocations are counted at all.
    let (allocations, v) = allocations_during(|| vec![1u8; 64]);
    assert_eq!(v.len(), 64);
    assert!(allocations >= 1);
}

/// The proof path's pieces that can avoid the heap do: a key seen before is not decoded,
/// validated or hashed again (fewer allocations than its first proof), and a request URL in
/// normal form is compared where it lies. What a proof check still allocates is its parsed
/// header and claims and the owned fields of `VerifiedProof`.
#[test]
fn a_proof_with_a_key_seen_before_allocates_less() {
    for id in ["dpop/nonce/with-ath-and-jkt", "dpop/rfc/figure-13"] {
        let i: vectors::DpopProofInput = vector_input(id);
        let request = dpop::ProofRequest {
            access_token: i.access_token.as_deref(),
            expected_jkt: i.expected_jkt.as_deref(),
            nonce: i.nonce.as_deref(),
            ..dpop::ProofRequest::new(&i.method, &i.url, i.now)
        };
        // On a thread of its own, so that no earlier test has filled its key cache.
        let (first, again) = std::thread::scope(|s| {
            s.spawn(|| {
                let (first, r1) = allocations_during(|| dpop::verify_proof(&i.proof, &request));
                let (again, r2) = allocations_during(|| dpop::verify_proof(&i.proof, &request));
                assert!(r1.is_ok() && r2.is_ok(), "{id} must be accepted");
                (first, again)
            })
            .join()
            .expect("the thread ends")
        });
        assert!(
            again < first,
            "{id}: {again} allocations again, {first} the first time"
        );
        let (normalizing, normal) = allocations_during(|| dpop::htu::normalize(&i.url));
        assert!(normal.is_ok());
        assert_eq!(normalizing, 0, "{id}: the request URL {:?}", i.url);
    }
}
