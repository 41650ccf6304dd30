//! Replays the fuzz seeds (`fuzz/seeds/`, built from the vectors by `fuzz/make_seeds.py`) and
//! every input a campaign ever flagged (`fuzz/regressions/`) through the same target bodies
//! the fuzzer runs, plus a fixed batch of byte-level mutations of them, on the stable
//! toolchain. A broken invariant panics inside the body and fails the test.

use std::fs;
use std::path::Path;

use caveatspec::fuzzing;

/// Mutations per seed file: enough to leave the seeds' paths, cheap enough for every run.
const MUTATIONS: usize = 4;

fn inputs(target: &str, kind: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
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
        "no seeds for {target}: run fuzz/make_seeds.py"
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

#[test]
fn replay_differential() {
    replay("differential");
}

#[test]
fn every_target_has_a_fuzz_binary() {
    for t in fuzzing::TARGETS {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
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
