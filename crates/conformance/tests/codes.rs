//! The error-code registry, `spec/codes.json`, against the three things it describes: the
//! codes the shipped vectors expect, the codes the reference implementation can produce, and
//! SPEC §6, whose tables are rendered from it.
//!
//! Each direction of each comparison is its own test and lists the offending codes. A code
//! that no vector expects stays in the registry with `no_vector`, saying why: the reference
//! reports it (so an implementation may meet it), and the reason keeps the gap visible.
//!
//! Hand-written in the registry: `code`, `layer`, `meaning`, `no_vector`, and `pypi_message`
//! where PyPI's message depends on the input (a template, checked against every message the
//! warehouse vectors carry). Derived from the vectors: `profiles`, `examples` (curated ids are
//! kept while they still expect the code, and the list is filled up to three in shipped
//! order), and a missing `pypi_message` where the vectors carry exactly one message.
//!
//! **Blessing.** `CAVEATSPEC_BLESS=1 cargo test -p caveatspec-conformance --test codes` rewrites the derived fields of
//! `spec/codes.json` and the generated block of `spec/SPEC.md` (between `<!-- codes:begin`
//! and `<!-- codes:end -->`) instead of failing when they are stale. It never adds or removes
//! a code: a new code needs its meaning written by hand.
//!
//! **The reference's codes** are read from its source text (`codes/source.rs`) rather than
//! from a `pub const CODES` list per error type. Codes live in two shapes under `src/`: the
//! `match` arms of `code()` methods, and literals handed to constructors where the code is
//! data (`CaveatError::strict("caveat.tag_type")`, `Failure { code: "stored.invalid", .. }`),
//! which have no variant to enumerate. A per-type list would be a second hand-kept copy of
//! each, needing a check of its own against every variant; the scan has no copy to forget,
//! and its own test below shows what it reads and what it skips.

#[path = "support/bless.rs"]
mod bless;
#[path = "codes/registry.rs"]
mod registry;
#[path = "codes/render.rs"]
mod render;
#[path = "codes/source.rs"]
mod source;
#[path = "codes/usage.rs"]
mod usage;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use registry::{message_fits, Registry};
use usage::{Usage, PROFILES};

const REGISTRY_PATH: &str = "spec/codes.json";
const SPEC_PATH: &str = "spec/SPEC.md";

fn shipped_usage() -> &'static Usage {
    static USAGE: OnceLock<Usage> = OnceLock::new();
    USAGE.get_or_init(|| usage::usage().unwrap_or_else(|e| panic!("the shipped vectors: {e}")))
}

fn committed_registry() -> Registry {
    let text = bless::read(REGISTRY_PATH).unwrap_or_else(|e| panic!("{e}"));
    Registry::from_json(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// The codes of the reference crate and of its glue to the harness (this crate's `src/`,
/// which reports a vector it cannot read: `input.*`).
fn reference_codes() -> BTreeMap<String, BTreeSet<String>> {
    let file_names = caveatspec_vectors::SHIPPED
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let mut codes = BTreeMap::new();
    for dir in ["crates/caveatspec/src", "crates/conformance/src"] {
        let found = source::reference_codes(&bless::repo_path(dir), &file_names)
            .unwrap_or_else(|e| panic!("{e}"));
        for (code, files) in found {
            codes
                .entry(code)
                .or_insert_with(BTreeSet::new)
                .extend(files);
        }
    }
    codes
}

fn registered(registry: &Registry) -> BTreeSet<&str> {
    registry.codes.iter().map(|e| e.code.as_str()).collect()
}

/// Fails listing `codes` under `heading` when there are any.
fn none_of(heading: &str, codes: &[String]) {
    assert!(
        codes.is_empty(),
        "{heading} ({}):\n  {}",
        codes.len(),
        codes.join("\n  ")
    );
}

/// The registry with its derived fields recomputed from the vectors.
fn refreshed(committed: &Registry, usage: &Usage) -> Registry {
    let mut registry = committed.clone();
    for entry in &mut registry.codes {
        let Some(found) = usage.codes.get(&entry.code) else {
            entry.profiles.clear();
            entry.examples.clear();
            continue;
        };
        entry.profiles = found
            .profiles
            .iter()
            .map(|&i| PROFILES[i].to_owned())
            .collect();
        let wanted = found.vector_ids.len().min(3);
        let mut examples: Vec<String> = Vec::new();
        let curated = entry
            .examples
            .iter()
            .filter(|id| found.vector_ids.contains(id));
        for id in curated.chain(&found.vector_ids) {
            if examples.len() < wanted && !examples.contains(id) {
                examples.push(id.clone());
            }
        }
        entry.examples = examples;
        let messages: BTreeSet<&String> = found.warehouse_messages.iter().flatten().collect();
        if let (None, [only]) = (&entry.pypi_message, Vec::from_iter(messages).as_slice()) {
            entry.pypi_message = Some((*only).clone());
        }
    }
    registry
}

#[test]
fn the_source_scan_reads_literals_outside_comments_and_test_code() {
    let text = r####"
        // "comment.code" in a line comment
        /* "block.code" /* nested "nested.code" */ */
        pub fn code(&self) -> &'static str {
            match self { A => "layer.first", B => r#"layer.raw"#, C => "not a code" }
        }
        const QUOTE: char = '"';
        const ESCAPED: char = '\'';
        fn b() -> &'static [u8] { b"bytes.code" }
        fn make() -> E { E::strict("layer.second") }
        #[derive(Debug)]
        struct S;
        #[cfg(test)]
        fn helper() -> &'static str { "test.helper" }
        #[cfg(test)]
        mod tests;
        #[cfg(any(test, feature = "x"))]
        pub mod testdata;
        fn last() -> &'static str { "layer.third" }
        #[cfg(test)]
        mod inline { fn t() { let _ = "test.inline"; } }
    "####;
    let scan = source::scan(text);
    let codes: Vec<&String> = scan
        .literals
        .iter()
        .filter(|l| source::is_code_shaped(l))
        .collect();
    assert_eq!(
        codes,
        ["layer.first", "layer.raw", "layer.second", "layer.third"]
    );
    assert_eq!(scan.test_modules, ["tests", "testdata"]);
    assert!(source::is_code_shaped("oidc_publisher.project_mismatch"));
    for not_a_code in ["pypi.org.x", "Upper.case", "no_dot", ".x", "a.", "a b.c"] {
        assert!(!source::is_code_shaped(not_a_code), "{not_a_code}");
    }
}

#[test]
fn the_source_scan_survives_truncated_and_hostile_text() {
    let huge = format!("\"{}\"", "a.b".repeat(100_000));
    for text in [
        "\"unterminated.code",
        "r#\"raw.open",
        "/* open \"a.b\"",
        "*/ \"a.b\"",
        "'\\",
        "'",
        "#[cfg(test)] mod x {",
        "#[cfg(test)]",
        "#[",
        "\"a.b\\",
        "\u{0}\"nul.code\"\u{7}",
        huge.as_str(),
    ] {
        let scan = source::scan(text);
        assert!(
            scan.literals.len() <= 1,
            "{:?}",
            &text[..text.len().min(40)]
        );
    }
    let repeated = "\"x.y\" ".repeat(1000);
    assert_eq!(source::scan(&repeated).literals.len(), 1000);
    assert_eq!(source::scan("\"\\\"a.b\"").literals, ["\\\"a.b"]);
}

#[test]
fn pypi_message_templates_match_only_their_instances() {
    let template = "OIDC scoped token is not valid for project '<name>'";
    assert!(message_fits(
        template,
        "OIDC scoped token is not valid for project 'O'Brien'"
    ));
    assert!(!message_fits(
        template,
        "OIDC scoped token is not valid for project 'x"
    ));
    assert!(!message_fits(
        template,
        "OIDC scoped token is not valid for project x'"
    ));
    let unknown_tag = "caveat has unknown tag: <str(tag)>";
    assert!(message_fits(unknown_tag, "caveat has unknown tag: None"));
    assert!(message_fits(unknown_tag, "caveat has unknown tag: "));
    assert!(!message_fits(unknown_tag, "caveat has unknown tags: 5"));
    assert!(message_fits("<a> and <b>", "x and y and z"));
    assert!(!message_fits("<a> and <b>", "x or y"));
    assert!(message_fits("token is expired", "token is expired"));
    assert!(!message_fits("token is expired", "token is expired!"));
}

#[test]
fn every_code_the_vectors_expect_is_registered() {
    let registry = committed_registry();
    let known = registered(&registry);
    let missing: Vec<String> = shipped_usage()
        .codes
        .iter()
        .filter(|(code, _)| !known.contains(code.as_str()))
        .map(|(code, u)| format!("{code} (expected by {})", u.vector_ids[0]))
        .collect();
    none_of(
        "codes the vectors expect that spec/codes.json lacks",
        &missing,
    );
}

#[test]
fn every_registered_code_is_expected_by_a_vector_or_says_why_none_is() {
    let registry = committed_registry();
    let used = &shipped_usage().codes;
    let unexplained: Vec<String> = registry
        .codes
        .iter()
        .filter(|e| e.no_vector.is_none() && !used.contains_key(&e.code))
        .map(|e| e.code.clone())
        .collect();
    none_of(
        "registered codes no vector expects, without `no_vector`",
        &unexplained,
    );
    let stale: Vec<String> = registry
        .codes
        .iter()
        .filter(|e| e.no_vector.is_some() && used.contains_key(&e.code))
        .map(|e| format!("{} (expected by {})", e.code, used[&e.code].vector_ids[0]))
        .collect();
    none_of("codes with `no_vector` that a vector does expect", &stale);
}

#[test]
fn every_code_the_vectors_expect_is_one_the_reference_produces() {
    let produced = reference_codes();
    let foreign: Vec<String> = shipped_usage()
        .codes
        .iter()
        .filter(|(code, _)| !produced.contains_key(*code))
        .map(|(code, u)| format!("{code} (expected by {})", u.vector_ids[0]))
        .collect();
    none_of(
        "codes the vectors expect that the reference never produces",
        &foreign,
    );
}

#[test]
fn the_registry_holds_exactly_the_codes_the_reference_produces() {
    let registry = committed_registry();
    let known = registered(&registry);
    let produced = reference_codes();
    let unregistered: Vec<String> = produced
        .iter()
        .filter(|(code, _)| !known.contains(code.as_str()))
        .map(|(code, files)| {
            format!(
                "{code} ({})",
                Vec::from_iter(files.iter().cloned()).join(", ")
            )
        })
        .collect();
    none_of(
        "codes the reference produces that spec/codes.json lacks",
        &unregistered,
    );
    let unproduced: Vec<String> = known
        .iter()
        .filter(|code| !produced.contains_key(**code))
        .map(|code| (*code).to_owned())
        .collect();
    none_of("registered codes the reference never produces", &unproduced);
}

#[test]
fn each_code_is_registered_once_in_the_layer_of_its_family() {
    let registry = committed_registry();
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for e in &registry.codes {
        if !seen.insert(&e.code) {
            problems.push(format!("{}: registered twice", e.code));
        }
        match registry.layer_of(&e.code) {
            None => problems.push(format!("{}: no layer lists its family", e.code)),
            Some(l) if l.layer != e.layer => problems.push(format!(
                "{}: in layer {}, its family is in {}",
                e.code, e.layer, l.layer
            )),
            Some(_) => {}
        }
    }
    let mut families = BTreeSet::new();
    for layer in &registry.layers {
        for family in &layer.families {
            if !families.insert(family) {
                problems.push(format!("family {family}: in two layers"));
            }
        }
        if !registry.codes.iter().any(|e| e.layer == layer.layer) {
            problems.push(format!("layer {}: no code", layer.layer));
        }
    }
    none_of("inconsistent layers", &problems);
}

#[test]
fn pypi_messages_are_the_ones_the_warehouse_vectors_carry() {
    let registry = committed_registry();
    let used = &shipped_usage().codes;
    let mut problems = Vec::new();
    for e in &registry.codes {
        let observed: Vec<&String> = used
            .get(&e.code)
            .map(|u| u.warehouse_messages.iter().flatten().collect())
            .unwrap_or_default();
        match &e.pypi_message {
            Some(template) if observed.is_empty() => problems.push(format!(
                "{}: pypi_message {template:?}, but no warehouse vector fails with it and a message",
                e.code
            )),
            Some(template) => problems.extend(
                observed
                    .iter()
                    .filter(|m| !message_fits(template, m))
                    .map(|m| format!("{}: PyPI says {m:?}, not {template:?}", e.code)),
            ),
            None if !observed.is_empty() => problems.push(format!(
                "{}: no pypi_message, but PyPI says {:?}",
                e.code, observed[0]
            )),
            None => {}
        }
    }
    none_of("pypi_message against the warehouse vectors", &problems);
}

#[test]
fn derived_fields_follow_the_vectors() {
    let committed_text = bless::read(REGISTRY_PATH).unwrap_or_else(|e| panic!("{e}"));
    let committed = Registry::from_json(&committed_text).unwrap_or_else(|e| panic!("{e}"));
    let derived = refreshed(&committed, shipped_usage());
    let stale: Vec<String> = committed
        .codes
        .iter()
        .zip(&derived.codes)
        .filter(|(c, d)| c != d)
        .map(|(c, d)| {
            format!(
                "{}: profiles {:?} examples {:?}, the vectors give {:?} {:?}",
                c.code, c.profiles, c.examples, d.profiles, d.examples
            )
        })
        .collect();
    let result = bless::check_or_bless(
        REGISTRY_PATH,
        &committed_text,
        &derived.to_json(),
        "profiles, examples or pypi_message",
    );
    if let Err(e) = result {
        panic!("{e}\n  {}", stale.join("\n  "));
    }
}

#[test]
fn spec_section_6_is_rendered_from_the_registry() {
    let registry = refreshed(&committed_registry(), shipped_usage());
    let spec = bless::read(SPEC_PATH).unwrap_or_else(|e| panic!("{e}"));
    let (start, end) = render::find_block(&spec).unwrap_or_else(|e| panic!("{e}"));
    let rendered = format!(
        "{}{}{}",
        &spec[..start],
        render::render(&registry),
        &spec[end..]
    );
    bless::check_or_bless(SPEC_PATH, &spec, &rendered, "§6's generated block")
        .unwrap_or_else(|e| panic!("{e}"));
}
