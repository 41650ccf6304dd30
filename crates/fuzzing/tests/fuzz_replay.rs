//! Replays the fuzz seeds (`fuzz/seeds/`, built from the vectors and the RFC 9449 examples by
//! `tools/caveatgen/fuzz_seeds.py` and, for `verify`, `examples/verify_seeds.rs`) and every input a campaign ever flagged (`fuzz/regressions/`)
//! through the same target bodies the fuzzer runs, plus a fixed batch of byte-level
//! mutations of them, on the stable toolchain. A broken invariant panics inside the body and
//! fails the test.

use std::fs;
use std::path::Path;

use caveatspec_fuzzing as fuzzing;

/// Mutations per seed file: enough to leave the seeds' paths, cheap enough for every run.
const MUTATIONS: usize = 4;

fn inputs(target: &str, kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries.map(|e| e.expect("readable entry").path()).collect();
    files.sort();
    files
        .iter()
        .map(|p| fs::read(p).expect("readable input"))
        .collect()
}

/// xorshift64: the same mutations on every run and every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => {
                out.remove(at);
            }
            2 => out.insert(at, rng.next() as u8),
            _ => out.truncate(at),
        }
    }
    out
}

fn replay(target: &str) {
    let seeds = inputs(target, "seeds");
    assert!(
        !seeds.is_empty(),
        "no seeds for {target}: run PYTHONPATH=tools python3 -m caveatgen fuzz-seeds"
    );
    let regressions = inputs(target, "regressions");
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for input in seeds.iter().chain(&regressions) {
        assert!(fuzzing::run(target, input), "unknown target {target}");
        for _ in 0..MUTATIONS {
            fuzzing::run(target, &mutate(&mut rng, input));
        }
    }
}

#[test]
fn replay_token() {
    replay("token");
}

#[test]
fn replay_macaroon() {
    replay("macaroon");
}

#[test]
fn replay_caveat() {
    replay("caveat");
}

#[test]
fn replay_verify() {
    replay("verify");
}

#[cfg(feature = "differential")]
#[test]
fn replay_differential() {
    replay("differential");
}

#[test]
fn replay_dpop() {
    replay("dpop");
}

#[test]
fn replay_atr() {
    replay("atr");
}

#[test]
fn replay_presented() {
    replay("presented");
}

/// The presented seeds reach acceptance of a bound token and of an unbound one in both formats, so
/// the invariants on accepted requests (the proof's key, `cnf` or the binding caveat, replay)
/// run on every test run.
#[test]
fn presented_seeds_reach_bound_and_unbound_acceptance_in_both_formats() {
    let mut reached = std::collections::BTreeSet::new();
    for seed in inputs("presented", "seeds") {
        if let Some(jkt) = fuzzing::presented_case(&seed) {
            reached.insert((seed[0] & 1, jkt.is_some()));
        }
    }
    assert_eq!(
        reached.into_iter().collect::<Vec<_>>(),
        [(0, false), (0, true), (1, false), (1, true)]
    );
}

/// The atr seeds reach acceptance in each way the target reads its input (header value,
/// token alone, JSON, signed by the target) and under each key, so the invariants on accepted
/// tokens are exercised on every run; and the length-limit check runs on an accepted token.
#[test]
fn atr_seeds_reach_accepted_tokens_in_every_mode_and_key() {
    let mut modes = std::collections::BTreeSet::new();
    let mut keys = std::collections::BTreeSet::new();
    let mut limit = false;
    for seed in inputs("atr", "seeds") {
        if let Some(Ok(_)) = fuzzing::atr_case(&seed) {
            modes.insert((seed[0] >> 4) & 3);
            keys.insert(seed[0] & 3);
            limit |= seed[0] & 0x80 != 0;
        }
    }
    assert_eq!(modes.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert_eq!(keys.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
    assert!(limit, "no accepted seed checks the length limit");
}

/// The verify seeds built from the key-binding vectors decode as meant and reach each outcome
/// of a binding in the strict profile: accepted with the bound key's proof, refused with
/// another key's proof and with none.
#[test]
fn verify_seeds_reach_each_key_binding_outcome() {
    let mut accepted_bound = 0;
    let mut codes = std::collections::BTreeSet::new();
    for seed in inputs("verify", "seeds") {
        let Some((case, verdicts)) = fuzzing::verify_input(&seed) else {
            continue;
        };
        let strict = &verdicts[1];
        let bound =
            !case.bindings.is_empty() || case.caveats.iter().any(|c| c.text().starts_with("[5,"));
        if bound && strict.valid {
            assert_ne!(case.proof, fuzzing::ProofSpec::None, "{case:?}");
            accepted_bound += 1;
        }
        codes.extend(strict.codes());
    }
    assert!(
        accepted_bound >= 5,
        "{accepted_bound} bound tokens accepted"
    );
    for code in [
        "key_binding.mismatch",
        "key_binding.no_proof",
        "caveat.invalid_jkt",
    ] {
        assert!(codes.contains(code), "no seed is refused with {code}");
    }
}

/// The dpop seeds reach acceptance in each way the target reads its input (compact, JSON,
/// signed by the target) and with both algorithms, so the invariants on accepted proofs are
/// exercised on every run, not only when the fuzzer happens to find a valid proof.
#[test]
fn dpop_seeds_reach_accepted_proofs_in_every_mode() {
    use caveatspec::jose::jws::Alg;
    let mut accepted = std::collections::BTreeSet::new();
    for seed in inputs("dpop", "seeds") {
        if let Some(Ok(p)) = fuzzing::dpop_case(&seed) {
            accepted.insert(((seed[0] >> 5) & 3, p.alg.name()));
        }
    }
    for mode_alg in [(0, "ES256"), (1, "ES256"), (2, Alg::EdDsa.name())] {
        assert!(accepted.contains(&mode_alg), "{mode_alg:?} in {accepted:?}");
    }
}

#[test]
fn every_target_has_a_fuzz_binary() {
    for t in fuzzing::TARGETS {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("fuzz/fuzz_targets")
            .join(format!("{t}.rs"));
        let text = fs::read_to_string(&path).expect("fuzz target source");
        assert!(
            text.contains(&format!("fuzzing::run(\"{t}\"")),
            "{} does not run the {t} body",
            path.display()
        );
    }
    assert!(!fuzzing::run("no-such-target", b""));
}

/// Each known difference of the differential target is real (some input shows it) and is
/// recognized by its own predicate; well-formed tokens are read identically.
#[cfg(feature = "differential")]
#[test]
fn differential_known_differences_are_each_reachable() {
    use caveatspec_fuzzing::differential::{compare, Comparison, KNOWN_DIFFERENCES};
    let sig = [0x55u8; 32];
    let v2 = |header: &[u8], sig_field: &[u8]| {
        let mut b = vec![2];
        b.extend_from_slice(header);
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(sig_field);
        b
    };
    let mut sig_field = vec![6, 32];
    sig_field.extend_from_slice(&sig);
    let well_formed = v2(&[2, 3, b'a', b'b', b'c'], &sig_field);
    assert_eq!(compare(&well_formed), Comparison::Agree);
    assert_eq!(
        compare(&v2(&[2, 0], &sig_field)),
        Comparison::Known("empty-identifier")
    );
    assert_eq!(
        compare(&v2(&[2, 3, b'a', b'b', b'c'], &[6, 1, 0])),
        Comparison::Known("signature-length")
    );
    let mut v1 = b"0015identifier keyid\n000acid x\n002fsignature ".to_vec();
    v1.extend_from_slice(&sig);
    v1.push(b'\n');
    assert_eq!(compare(&v1), Comparison::Agree);
    let mut long_v1 = b"0015identifier keyid\n".to_vec();
    long_v1.resize(
        caveatspec_fuzzing::differential::PEER_V1_MAX_BYTES + 1,
        b'0',
    );
    assert_eq!(compare(&long_v1), Comparison::Skipped);
    // A V1 macaroon without a signature packet: framed loosely, so outside what must agree.
    assert_eq!(
        compare(b"0015identifier keyid\n000acid x\n"),
        Comparison::Known("v1-framing")
    );
    let mut seen = vec![
        "empty-identifier",
        "signature-length",
        "v1-recursion",
        "v1-framing",
    ];
    for name in ["v2-multibyte-type", "third-party-without-location"] {
        let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .join("fuzz/regressions/differential")
            .join(name);
        let data = fs::read(&path).expect("regression input");
        assert_eq!(compare(&data), Comparison::Known(name));
        seen.push(name);
    }
    let mut listed: Vec<&str> = KNOWN_DIFFERENCES.iter().map(|k| k.id).collect();
    listed.sort_unstable();
    seen.sort_unstable();
    assert_eq!(
        listed, seen,
        "every listed difference is shown by an input here"
    );
}

/// The peer's V1 reader recurses once per packet and overflows the stack (aborting the whole
/// process) on long tokens; the body must keep such input from it.
#[cfg(feature = "differential")]
#[test]
fn differential_keeps_long_v1_tokens_from_the_peer() {
    let mut v1 = b"0015identifier keyid\n".to_vec();
    for _ in 0..20_000 {
        v1.extend_from_slice(b"000acid x\n");
    }
    assert!(fuzzing::run("differential", &v1));
}
