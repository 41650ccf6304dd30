//! The `verify` seeds and the encoder they are written with: every encoding decodes, through
//! `arbitrary` itself, to the value it was made from; and `fuzz/seeds/verify/` holds exactly
//! the seeds the vectors give (`cargo run -p caveatspec-fuzzing --example verify_seeds`).

use std::collections::BTreeSet;
use std::path::Path;

use arbitrary::{Arbitrary, Unstructured};

use caveatspec_fuzzing as fuzzing;
use fuzzing::encode::to_bytes;
use fuzzing::{CaveatSpec, OwnerSpec, ProofSpec, Tamper, VerifyCase};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn decode(bytes: &[u8]) -> VerifyCase {
    VerifyCase::arbitrary(&mut Unstructured::new(bytes)).expect("decodes")
}

/// One case of each variant, with strings that make the lengths one and two bytes wide.
fn chosen() -> Vec<VerifyCase> {
    let long = "x".repeat(300);
    let longer = "é".repeat(2000);
    let base = VerifyCase {
        caveats: vec![],
        extra: CaveatSpec::LegacyUser,
        stored: vec![],
        now: -1,
        project: None,
        owner: OwnerSpec::Nobody,
        tamper: Tamper::None,
        bindings: vec![],
        proof: ProofSpec::None,
    };
    vec![
        base.clone(),
        VerifyCase {
            caveats: vec![
                CaveatSpec::Expiration(i16::MAX, i16::MIN),
                CaveatSpec::ProjectNames(vec![0, 4, 255]),
                CaveatSpec::ProjectIds(vec![]),
                CaveatSpec::User(9),
                CaveatSpec::Publisher(1),
                CaveatSpec::LegacyUser,
                CaveatSpec::Raw(String::new()),
                CaveatSpec::Raw("[5,\"x\"]".to_owned()),
            ],
            extra: CaveatSpec::Raw(long.clone()),
            stored: vec![
                CaveatSpec::Raw(longer.clone()),
                CaveatSpec::Raw("\u{0}".to_owned()),
            ],
            now: 500,
            project: Some((4, 2)),
            owner: OwnerSpec::Publisher(1, vec![0, 1, 2]),
            tamper: Tamper::FlipSignature(255),
            bindings: vec![0, 1, 2],
            proof: ProofSpec::Bound(7),
        },
        VerifyCase {
            extra: CaveatSpec::Raw("tail".to_owned()),
            owner: OwnerSpec::User(3),
            tamper: Tamper::WrongKey,
            proof: ProofSpec::Key(2),
            ..base.clone()
        },
        VerifyCase {
            caveats: vec![CaveatSpec::Raw(long); 3],
            ..base
        },
    ]
}

#[test]
fn chosen_cases_decode_to_themselves() {
    for case in chosen() {
        let bytes = to_bytes(&case);
        assert_eq!(decode(&bytes), case);
        // Nothing is left over: the encoding is exactly as long as the decoder reads.
        let mut u = Unstructured::new(&bytes);
        VerifyCase::arbitrary(&mut u).expect("decodes");
        assert!(u.is_empty(), "{} bytes left over", u.len());
    }
}

/// xorshift64: the same inputs on every run.
fn random_bytes(state: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            (*state >> 24) as u8
        })
        .collect()
}

/// Whatever `arbitrary` makes of random bytes encodes back to bytes it reads as the same case.
#[test]
fn cases_arbitrary_makes_encode_back_to_themselves() {
    let mut state = 0x9e37_79b9_7f4a_7c15;
    let mut strings = 0;
    for round in 0..4000 {
        let bytes = random_bytes(&mut state, 1 + round % 700);
        let case = decode(&bytes);
        strings += case
            .caveats
            .iter()
            .chain(&case.stored)
            .filter(|c| matches!(c, CaveatSpec::Raw(s) if !s.is_empty()))
            .count();
        assert_eq!(decode(&to_bytes(&case)), case, "from {bytes:02x?}");
    }
    assert!(strings > 100, "only {strings} non-empty strings");
}

fn committed(target: &str) -> BTreeSet<Vec<u8>> {
    let dir = root().join("fuzz/seeds").join(target);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| std::fs::read(e.expect("entry").path()).expect("seed"))
        .collect()
}

/// The committed verify seeds are what the vectors give now, named by their digests.
#[test]
fn committed_verify_seeds_are_current() {
    let files = fuzzing::seeds::vector_files(&root().join("vectors")).expect("vectors");
    let seeds = fuzzing::seeds::verify_seeds(files.iter().flatten());
    assert!(seeds.len() > 100, "{} seeds", seeds.len());
    assert!(
        committed("verify") == seeds,
        "fuzz/seeds/verify is stale: cargo run -p caveatspec-fuzzing --example verify_seeds"
    );
    for entry in std::fs::read_dir(root().join("fuzz/seeds/verify")).expect("dir") {
        let path = entry.expect("entry").path();
        let seed = std::fs::read(&path).expect("seed");
        assert_eq!(
            path.file_name().and_then(|n| n.to_str()),
            Some(fuzzing::seeds::name(&seed).as_str())
        );
        // Each seed is the encoding of the case it decodes to.
        assert_eq!(to_bytes(&decode(&seed)), seed);
    }
}
