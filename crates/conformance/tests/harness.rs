//! The harness judges: an implementation that answers wrongly fails, one that answers
//! nothing is skipped, and the reference passes. Without this, a harness that compared
//! nothing would make every other vector test vacuous.

use caveatspec::Profile;
use caveatspec_conformance::Reference;
use caveatspec_vectors::{
    self as vectors, check, CaveatOutcome, CheckResult, Implementation, ListProblem, Outcome,
    Status, Suite, VerifyInput, VerifyOutcome,
};

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

/// The `Suite` runner: the wrong-message implementation fails exactly the warehouse verify
/// vectors with a message, each named `<id> [warehouse]`, and all of them are reported at once.
#[test]
fn the_suite_names_every_failure_and_reports_them_together() {
    let suite = Suite::shipped().expect("load").only(&["verify/*"]);
    let report = suite.run(&WrongMessage);
    let failed: Vec<&str> = report.failures().map(|c| c.name.as_str()).collect();
    assert!(!failed.is_empty());
    assert!(
        failed.iter().all(|n| n.ends_with(" [warehouse]")),
        "{failed:?}"
    );
    let text = report.to_string();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("FAIL ")).count(),
        failed.len()
    );
    let last = text.lines().last().expect("a count line");
    assert!(last.contains(&format!("{} failed", failed.len())), "{last}");
    let panic = std::panic::catch_unwind(|| suite.assert_passes(&WrongMessage))
        .expect_err("assert_passes panics");
    let message = panic.downcast_ref::<String>().expect("a message");
    assert!(message.contains(failed[0]), "{message}");
    suite.assert_passes(&Reference);
}

/// Expected failures pass while they fail, and fail once they pass; skips by id and by flag are
/// not run at all.
#[test]
fn expected_failures_and_skips() {
    let base = Suite::shipped().expect("load").only(&["verify/*"]);
    let failing: Vec<String> = base
        .run(&WrongMessage)
        .failures()
        .map(|c| c.name.clone())
        .collect();
    // By test name: the same vectors pass in the strict profile, where messages are not read.
    let list: String = failing
        .iter()
        .map(|name| format!("{name}  # messages are our own\n"))
        .collect();
    let listed = base
        .clone()
        .expect_failures_from(&format!("# known\n\n{list}"))
        .expect("a valid list");
    let report = listed.run(&WrongMessage);
    assert_eq!(report.failures().count(), 0, "{report}");
    assert_eq!(
        report.count(|s| matches!(s, Status::ExpectedFailure { .. })),
        failing.len()
    );
    // The reference passes them: each listed id is now an unexpected pass.
    let stale = listed.run(&Reference);
    assert!(stale.failures().count() >= failing.len());
    assert!(stale
        .failures()
        .all(|c| matches!(c.status, Status::UnexpectedPass(_))));

    let first_id = failing[0].trim_end_matches(" [warehouse]");
    let skipped = base
        .clone()
        .skip_id(first_id, "not ours")
        .skip_flag("legacy", "no V1 tokens here");
    let report = skipped.run(&Reference);
    assert!(report
        .cases
        .iter()
        .filter(|c| c.id == first_id)
        .all(|c| matches!(&c.status, Status::Skipped(w) if w.contains("not ours"))));
    assert!(report.count(|s| matches!(s, Status::Skipped(w) if w.contains("flag legacy"))) > 0);
    assert_eq!(report.failures().count(), 0);
}

/// An expected-failure list that names no reason, an unknown id or an id twice is refused with
/// its line number.
#[test]
fn bad_expected_failure_lists_are_refused() {
    let suite = Suite::shipped().expect("load");
    let id = "dpop/replay/other-jti";
    for (text, line, problem) in [
        (format!("{id}\n"), 1, ListProblem::NoReason),
        (format!("{id} #   \n"), 1, ListProblem::NoReason),
        (
            "\n# c\nno/such/id # x\n".to_owned(),
            3,
            ListProblem::UnknownId("no/such/id".into()),
        ),
        (
            format!("{id} # a\n{id} # b\n"),
            2,
            ListProblem::Repeated(id.into()),
        ),
        (
            "\u{1b}[2J # x\n".to_owned(),
            1,
            ListProblem::UnknownId("\u{1b}[2J".into()),
        ),
    ] {
        let err = suite.clone().expect_failures_from(&text).expect_err(&text);
        assert_eq!((err.line, err.problem), (line, problem), "{text:?}");
    }
}

/// The libtest wiring: a wrong implementation's trials fail by name, the reference's pass.
#[test]
fn trials_fail_for_a_wrong_implementation() {
    let suite = Suite::shipped().expect("load").only(&["verify/*"]);
    // The nested runs log to a file: their summary lines are not this test binary's.
    let log = std::env::temp_dir().join(format!("caveatspec-trials-{}.log", std::process::id()));
    let args = libtest_mimic::Arguments {
        quiet: true,
        test_threads: Some(1),
        logfile: Some(log.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let failing = suite.run(&WrongMessage).failures().count();
    let wrong = libtest_mimic::run(&args, suite.clone().trials(WrongMessage));
    assert_eq!(wrong.num_failed as usize, failing);
    let right = libtest_mimic::run(&args, suite.trials(Reference));
    let _ = std::fs::remove_file(&log);
    assert_eq!(right.num_failed, 0);
    assert!(right.num_passed > 0);
}

/// A kind the implementation does not answer shows as ignored trials, not as passed ones, so
/// the passed count is the count of vectors it was held to.
#[test]
fn kinds_not_answered_are_ignored_trials() {
    let suite = Suite::shipped()
        .expect("load")
        .only(&["verify/expiration/*", "dpop/rfc/*"]);
    let report = suite.run(&WrongMessage);
    let dpop = report
        .cases
        .iter()
        .filter(|c| c.id.starts_with("dpop/"))
        .count();
    let verify = report.cases.len() - dpop;
    assert!(dpop > 0 && verify > 0, "{dpop} {verify}");
    let log = std::env::temp_dir().join(format!("caveatspec-ignored-{}.log", std::process::id()));
    let args = libtest_mimic::Arguments {
        quiet: true,
        test_threads: Some(1),
        logfile: Some(log.to_string_lossy().into_owned()),
        ..Default::default()
    };
    let run = libtest_mimic::run(&args, suite.trials(WrongMessage));
    let _ = std::fs::remove_file(&log);
    assert_eq!(run.num_ignored as usize, dpop);
    assert_eq!((run.num_passed + run.num_failed) as usize, verify);
}
