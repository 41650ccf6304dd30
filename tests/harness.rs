//! The harness judges: an implementation that answers wrongly fails, one that answers
//! nothing is skipped, and the reference passes. Without this, a harness that compared
//! nothing would make every other vector test vacuous.

use caveatspec::vectors::{
    self, check, CaveatOutcome, CheckResult, Implementation, Outcome, Reference, VerifyInput,
    VerifyOutcome,
};
use caveatspec::Profile;

/// Says every token is valid and every caveat parses to the same thing.
struct Credulous;

impl Implementation for Credulous {
    fn name(&self) -> &str {
        "credulous"
    }
    fn verify(&self, _: &VerifyInput, _: Profile) -> Option<VerifyOutcome> {
        Some(Outcome::accept((), Some("signature and caveats OK".into())))
    }
    fn parse_caveat(&self, _: &[u8], _: Option<&str>, _: Profile) -> Option<CaveatOutcome> {
        Some(Outcome::reject(
            vec!["caveat.not_array".into()],
            Some("caveat must be an array".into()),
        ))
    }
}

/// Delegates to the reference but reports a wrong message.
struct WrongMessage;

impl Implementation for WrongMessage {
    fn name(&self) -> &str {
        "wrong-message"
    }
    fn verify(&self, input: &VerifyInput, profile: Profile) -> Option<VerifyOutcome> {
        let mut o = Reference.verify(input, profile)?;
        if !o.valid {
            o.message = Some("nope".into());
        }
        Some(o)
    }
}

fn tally(imp: &dyn Implementation, profile: Profile) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for f in vectors::shipped().expect("shipped vectors load") {
        for v in &f.vectors {
            match check(imp, v, profile) {
                CheckResult::Pass => t.0 += 1,
                CheckResult::Fail(_) => t.1 += 1,
                CheckResult::Skip(_) => t.2 += 1,
            }
        }
    }
    t
}

#[test]
fn a_credulous_implementation_fails_every_negative_vector() {
    let (pass, fail, skip) = tally(&Credulous, Profile::Warehouse);
    let files = vectors::shipped().expect("load");
    let negative_verify = files
        .iter()
        .flat_map(|f| &f.vectors)
        .filter(|v| v.kind == vectors::Kind::Verify && v.expected["warehouse"]["valid"] == false)
        .count();
    assert!(
        fail >= negative_verify,
        "failed {fail}, negative verify vectors {negative_verify}"
    );
    assert!(pass > 0 && skip > 0, "pass {pass}, skip {skip}");
}

#[test]
fn messages_are_compared_in_the_warehouse_profile_only() {
    let (_, fail_w, _) = tally(&WrongMessage, Profile::Warehouse);
    let (_, fail_s, _) = tally(&WrongMessage, Profile::Strict);
    let files = vectors::shipped().expect("load");
    let with_message = files
        .iter()
        .flat_map(|f| &f.vectors)
        .filter(|v| {
            v.kind == vectors::Kind::Verify && v.expected["warehouse"].get("message").is_some()
        })
        .filter(|v| v.expected["warehouse"]["valid"] == false)
        .count();
    assert_eq!(fail_w, with_message);
    assert_eq!(fail_s, 0);
}

#[test]
fn an_implementation_of_nothing_is_skipped_not_failed() {
    struct Nothing;
    impl Implementation for Nothing {
        fn name(&self) -> &str {
            "nothing"
        }
    }
    let (pass, fail, skip) = tally(&Nothing, Profile::Strict);
    assert_eq!((pass, fail), (0, 0));
    assert!(skip >= 468);
}

#[test]
fn the_reference_passes_everything_in_both_profiles() {
    for p in Profile::ALL {
        let (pass, fail, skip) = tally(&Reference, p);
        assert_eq!((fail, skip), (0, 0), "{p}");
        assert!(pass >= 468);
    }
}
