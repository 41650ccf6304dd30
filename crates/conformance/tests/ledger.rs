//! `vectors/ids.txt`, the ledger of every vector id ever shipped, one per line, sorted.
//!
//! Ids are stable (SPEC §7.4): an id is never deleted or reused, and a vector that is no
//! longer wanted stays in its file with the `retired` flag. These tests hold the shipped files
//! (read through `caveatspec_vectors::shipped()`) to that: every id in the ledger must still
//! be shipped, and every shipped id must be in the ledger. A new vector's id is added with
//! `CAVEATSPEC_BLESS=1 cargo test -p caveatspec-conformance --test ledger`, which writes the ledger with the new ids in
//! their sorted places; nothing ever takes an id out of it.

#[path = "support/bless.rs"]
mod bless;

use std::collections::BTreeSet;

use caveatspec_vectors as vectors;

const LEDGER_PATH: &str = "vectors/ids.txt";

fn ledger_text() -> String {
    bless::read(LEDGER_PATH).unwrap_or_else(|e| panic!("{e}"))
}

fn ledger_ids() -> BTreeSet<String> {
    ledger_text().lines().map(str::to_owned).collect()
}

fn shipped_ids() -> BTreeSet<String> {
    let files = vectors::shipped().unwrap_or_else(|e| panic!("the shipped vectors: {e}"));
    files
        .iter()
        .flat_map(|f| &f.vectors)
        .map(|v| v.id.clone())
        .collect()
}

/// Fails listing `ids` under `heading` when there are any.
fn none_of(heading: &str, ids: &[&String]) {
    let lines: Vec<&str> = ids.iter().map(|s| s.as_str()).collect();
    assert!(
        ids.is_empty(),
        "{heading} ({}):\n  {}",
        ids.len(),
        lines.join("\n  ")
    );
}

/// SPEC §7.4's id grammar, `^[a-z0-9-]+(/[a-z0-9-]+)+$`.
fn is_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[test]
fn every_id_in_the_ledger_is_still_shipped() {
    let shipped = shipped_ids();
    let ledger = ledger_ids();
    let gone: Vec<&String> = ledger.iter().filter(|id| !shipped.contains(*id)).collect();
    none_of(
        "ids in vectors/ids.txt that no shipped vector has (restore the vector and flag it `retired`; never delete one)",
        &gone,
    );
}

#[test]
fn every_shipped_id_is_in_the_ledger() {
    let committed = ledger_text();
    let mut ledger = ledger_ids();
    let shipped = shipped_ids();
    let new: Vec<&String> = shipped.iter().filter(|id| !ledger.contains(*id)).collect();
    let listing: Vec<&str> = new.iter().map(|s| s.as_str()).collect();
    ledger.extend(shipped.iter().cloned());
    let derived: String = ledger.iter().map(|id| format!("{id}\n")).collect();
    if let Err(e) = bless::check_or_bless(LEDGER_PATH, &committed, &derived, "the ledger") {
        panic!(
            "{e}\n  shipped, not in the ledger:\n  {}",
            listing.join("\n  ")
        );
    }
}

#[test]
fn the_ledger_is_sorted_unique_and_holds_only_ids() {
    let text = ledger_text();
    assert!(
        text.ends_with('\n'),
        "vectors/ids.txt must end with a newline"
    );
    let lines: Vec<&str> = text.lines().collect();
    let malformed: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !is_id(l))
        .map(|(n, l)| format!("line {}: {l:?}", n + 1))
        .collect();
    let malformed: Vec<&String> = malformed.iter().collect();
    none_of("lines of vectors/ids.txt that are not ids", &malformed);
    let out_of_order: Vec<String> = lines
        .windows(2)
        .filter(|w| w[0] >= w[1])
        .map(|w| format!("{} then {}", w[0], w[1]))
        .collect();
    let out_of_order: Vec<&String> = out_of_order.iter().collect();
    none_of(
        "vectors/ids.txt is not sorted, or repeats an id",
        &out_of_order,
    );
}

#[test]
fn the_id_grammar_is_spec_7_4s() {
    for id in ["token/no-dash", "dpop/rfc/figure-2-now-plus-301", "a/b"] {
        assert!(is_id(id), "{id}");
    }
    for not_id in [
        "token", "token/", "/x", "Token/x", "a//b", "a/b c", "a/b\n", "a/é", "",
    ] {
        assert!(!is_id(not_id), "{not_id:?}");
    }
}
