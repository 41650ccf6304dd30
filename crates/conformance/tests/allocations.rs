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

use caveatspec::verify;
use caveatspec::Profile;
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

fn input(id: &str) -> VerifyInput {
    let files = vectors::shipped().expect("the shipped vectors parse");
    let v = files
        .iter()
        .flat_map(|f| f.vectors.iter())
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no shipped vector {id}"));
    serde_json::from_value(v.input.clone()).expect("a verify input")
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
