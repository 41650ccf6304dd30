//! The verification hot path, piece by piece, against the floor and the `macaroon` crate.
//!
//! Every input comes from the shipped vectors: the `verify/scaling/caveats-{1,3,10,50}`
//! vectors (a typical PyPI token with an expiry window, one project name and one user id,
//! and longer chains of the same kinds) and a few caveat and attenuation vectors. Benchmark
//! ids are stable; `benches/peers/` reads them from `target/criterion/`. The DPoP proofs are
//! the `dpop/rfc/figure-13` (ES256) and `dpop/nonce/with-ath-and-jkt` (EdDSA) vectors; the ATR
//! tokens and bound requests are the `atr-jwt` and `atr-dpop` baseline vectors.

use std::hint::black_box;

use caveatspec::atr;
use caveatspec::dpop::{self, ProofRequest, ReplayCache};
use caveatspec::jose;
use caveatspec::macaroon::{self, chain};
use caveatspec::verify::{self, Issued, Owner, Project, Request};
use caveatspec::{attenuate, caveat, inspect, token, Profile};
use caveatspec_conformance::{Reference, RequestArguments, RowArguments};
use caveatspec_vectors::{self as vectors, Vector, VectorFile};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Caveat counts of the scaling curve.
const COUNTS: [usize; 4] = [1, 3, 10, 50];

/// One `verify/scaling/caveats-N` vector, owned.
struct Case {
    caveats: usize,
    token: String,
    root_key: Vec<u8>,
    identifier: String,
    user_id: String,
    now: i64,
    project_name: String,
    project_id: String,
}

impl Case {
    fn issued(&self) -> Issued<'_> {
        Issued {
            identifier: &self.identifier,
            root_key: &self.root_key,
            owner: Owner::User {
                user_id: &self.user_id,
            },
            stored_caveats: &[],
        }
    }

    fn request(&self) -> Request<'_> {
        Request {
            now: self.now,
            project: Some(Project {
                name: &self.project_name,
                id: &self.project_id,
            }),
            proof_jkt: None,
        }
    }

    /// The identifier and caveat bytes, extracted once: the floor's input.
    fn parts(&self) -> (Vec<u8>, Vec<Vec<u8>>) {
        let body = token::split_prefix(&self.token, Profile::Strict).expect("prefix");
        let bytes = token::decode_body(body, Profile::Strict).expect("base64");
        let mac = macaroon::decode(&bytes, Profile::Strict).expect("macaroon");
        (
            mac.identifier.to_vec(),
            mac.caveats.iter().map(|c| c.id.to_vec()).collect(),
        )
    }
}

fn shipped() -> Vec<VectorFile> {
    vectors::shipped().expect("the shipped vectors parse")
}

fn find<'f>(files: &'f [VectorFile], id: &str) -> &'f Vector {
    files
        .iter()
        .flat_map(|f| f.vectors.iter())
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no shipped vector {id}"))
}

fn scaling_cases(files: &[VectorFile]) -> Vec<Case> {
    COUNTS
        .iter()
        .map(|&n| {
            let v = find(files, &format!("verify/scaling/caveats-{n}"));
            let input: vectors::VerifyInput =
                serde_json::from_value(v.input.clone()).expect("a verify input");
            let vectors::OwnerInput::User { user_id } = &input.row.owner else {
                panic!("scaling vectors belong to a user")
            };
            assert!(input.row.stored_caveats.is_empty());
            let project = input.project.as_ref().expect("a project");
            let case = Case {
                caveats: n,
                root_key: caveatspec::encoding::hex::decode(&input.key_hex).expect("hex key"),
                identifier: input.row.identifier.clone(),
                user_id: user_id.clone(),
                now: input.now,
                project_name: project.name.clone(),
                project_id: project.id.clone(),
                token: input.token,
            };
            for profile in [Profile::Warehouse, Profile::Strict] {
                let verdict = verify::verify(&case.token, &case.issued(), &case.request(), profile);
                assert!(verdict.valid, "{} must verify: {verdict:?}", v.id);
            }
            case
        })
        .collect()
}

/// The bare cost: key derivation and the HMAC chain on the primitives, with the constant
/// generator key's state computed once, as a careful verifier would.
fn floor(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("floor");
    let generator = Hmac::<Sha256>::new_from_slice(chain::KEY_GENERATOR).expect("any key length");
    for case in cases {
        let (identifier, caveats) = case.parts();
        group.bench_with_input(
            BenchmarkId::new("hmac_chain", case.caveats),
            &(identifier, caveats),
            |b, (identifier, caveats)| {
                b.iter(|| {
                    let mut derive = generator.clone();
                    derive.update(black_box(&case.root_key));
                    let mut sig: [u8; 32] = derive.finalize().into_bytes().into();
                    let mut link = Hmac::<Sha256>::new_from_slice(&sig).expect("any key length");
                    link.update(black_box(identifier));
                    sig = link.finalize().into_bytes().into();
                    for caveat in caveats {
                        let mut link =
                            Hmac::<Sha256>::new_from_slice(&sig).expect("any key length");
                        link.update(caveat);
                        sig = link.finalize().into_bytes().into();
                    }
                    sig
                })
            },
        );
    }
    group.finish();
}

/// The SHA-256 compressions alone that the chain of each benchmark token needs, on a fixed
/// block: two for the derivation (the generator key's blocks are absorbed once per process),
/// then per link two for the key, one per message block after padding, one for the outer hash.
/// No HMAC construction can take less; `verify` against it shows what everything but the
/// hashing costs.
fn compressions_floor(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("floor");
    for case in cases {
        let (identifier, caveats) = case.parts();
        let link = |len: usize| 2 + (len + 9).div_ceil(64) + 1;
        let count =
            2 + link(identifier.len()) + caveats.iter().map(|c| link(c.len())).sum::<usize>();
        let block = sha2::digest::generic_array::GenericArray::from([0x5cu8; 64]);
        group.bench_with_input(
            BenchmarkId::new("sha256_compressions", case.caveats),
            &count,
            |b, &count| {
                b.iter(|| {
                    let mut state = [0x6a09e667u32; 8];
                    for _ in 0..count {
                        sha2::compress256(&mut state, std::slice::from_ref(black_box(&block)));
                    }
                    state
                })
            },
        );
    }
    group.finish();
}

/// One group, so that criterion's report draws both profiles against the caveat count
/// (`target/criterion/verify/report/lines.svg`).
fn verify_paths(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("verify");
    for (name, profile) in [
        ("warehouse", Profile::Warehouse),
        ("strict", Profile::Strict),
    ] {
        for case in cases {
            let (issued, request) = (case.issued(), case.request());
            group.bench_with_input(
                BenchmarkId::new(name, case.caveats),
                &case.token,
                |b, token| b.iter(|| verify::verify(black_box(token), &issued, &request, profile)),
            );
        }
    }
    group.finish();
}

fn decode(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("decode");
    for case in cases {
        group.bench_with_input(
            BenchmarkId::from_parameter(case.caveats),
            &case.token,
            |b, token| {
                b.iter(|| {
                    let body = token::split_prefix(black_box(token), Profile::Warehouse).ok()?;
                    let bytes = token::decode_body(body, Profile::Warehouse).ok()?;
                    let mac = macaroon::decode(&bytes, Profile::Warehouse).ok()?;
                    Some(mac.caveats.len())
                })
            },
        );
    }
    group.finish();
}

/// `verify/warehouse/3` rebuilt from the public pieces, each step adding one to the one before,
/// so that the differences between consecutive ids are what each piece costs inside the whole:
/// `1-decode` (prefix, base64, the macaroon), `2-chain` (+ the key derivation and HMAC chain,
/// the floor's work on caveatspec's `chain`), `3-read` (+ reading the three caveats). What
/// `verify/warehouse/3` adds to `3-read` is the evaluation against the request, the row lookup,
/// the signature comparison and the verdict.
fn breakdown(c: &mut Criterion, cases: &[Case]) {
    let mut group = c.benchmark_group("breakdown/warehouse/3");
    let case = cases.iter().find(|c| c.caveats == 3).expect("3 caveats");
    let user = Some(case.user_id.as_str());
    let decode = |token: &str| -> Option<usize> {
        let body = token::split_prefix(token, Profile::Warehouse).ok()?;
        token::with_decoded_body(body, Profile::Warehouse, |bytes| {
            let mac = macaroon::decode(bytes.ok()?, Profile::Warehouse).ok()?;
            Some(mac.caveats.len())
        })
    };
    let chained = |token: &str, read: bool| -> Option<[u8; 32]> {
        let body = token::split_prefix(token, Profile::Warehouse).ok()?;
        token::with_decoded_body(body, Profile::Warehouse, |bytes| {
            let mac = macaroon::decode(bytes.ok()?, Profile::Warehouse).ok()?;
            let mut sig = chain::hmac(&chain::derive_key(&case.root_key), mac.identifier);
            for raw in mac.caveats.iter() {
                sig = chain::hmac(&sig, raw.id);
                if read {
                    caveat::parse(raw.id, Profile::Warehouse, user).ok()?;
                }
            }
            Some(sig)
        })
    };
    assert_eq!(decode(&case.token), Some(3));
    assert!(chained(&case.token, true).is_some());
    group.bench_function("1-decode", |b| b.iter(|| decode(black_box(&case.token))));
    group.bench_function("2-chain", |b| {
        b.iter(|| chained(black_box(&case.token), false))
    });
    group.bench_function("3-read", |b| {
        b.iter(|| chained(black_box(&case.token), true))
    });
    group.finish();
}

fn caveat_parse(c: &mut Criterion, files: &[VectorFile]) {
    let mut group = c.benchmark_group("caveat_parse");
    for (name, id) in [
        ("expiry", "caveat/expiration/canonical"),
        ("project_names", "caveat/project-name/canonical"),
        ("project_ids", "caveat/project-id/canonical"),
        ("user", "caveat/user/canonical"),
        ("legacy", "caveat/legacy/user"),
    ] {
        let input = &find(files, id).input;
        let raw = input["caveat"].as_str().expect("caveat text").to_owned();
        let user = input.get("request_user").and_then(|u| u.as_str());
        group.bench_function(name, |b| {
            b.iter(|| caveat::parse(black_box(raw.as_bytes()), Profile::Warehouse, user).is_ok())
        });
    }
    group.finish();
}

fn restrict_and_inspect(c: &mut Criterion, files: &[VectorFile], cases: &[Case]) {
    // `restrict/all`'s token, with the typical three restrictions: window, name, user.
    let input = &find(files, "restrict/all").input;
    let base = input["token"].as_str().expect("token").to_owned();
    let wanted = &input["restrictions"];
    let restrictions = attenuate::Restrictions {
        not_before: wanted["not_before"].as_i64(),
        not_after: wanted["not_after"].as_i64(),
        project_names: Some(vec![wanted["project_names"][0]
            .as_str()
            .expect("a name")
            .to_owned()]),
        project_ids: None,
        user_id: wanted["user_id"].as_str().map(str::to_owned),
        bind_jkt: None,
    };
    assert_eq!(restrictions.caveats().expect("valid").len(), 3);
    c.bench_function("restrict/3", |b| {
        b.iter(|| attenuate::restrict(black_box(&base), &restrictions).is_ok())
    });
    let typical = cases.iter().find(|c| c.caveats == 3).expect("3 caveats");
    c.bench_function("inspect/3", |b| {
        b.iter(|| inspect::inspect(black_box(&typical.token), Some(typical.now)).is_ok())
    });
}

/// The `macaroon` crate 0.3: derive the key, deserialize, verify with a general satisfier
/// (feature `macaroon-peer`, which builds libsodium from C).
/// Its satisfier is a plain `fn`, so the request is fixed at compile time: the scaling
/// vectors' time, project and user.
#[cfg(feature = "macaroon-peer")]
fn macaroon_crate(c: &mut Criterion, cases: &[Case]) {
    use ::macaroon::{ByteString, Macaroon, MacaroonKey, Verifier};

    const NOW: i64 = 1_700_000_500;
    const PROJECT: &str = "sample-project";
    const USER: &str = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b";

    fn satisfied(predicate: &ByteString) -> bool {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&predicate.0) else {
            return false;
        };
        match value.as_array().map(Vec::as_slice) {
            Some([tag, expires_at, not_before]) if tag == 0 => {
                match (expires_at.as_i64(), not_before.as_i64()) {
                    (Some(e), Some(n)) => n <= NOW && NOW < e,
                    _ => false,
                }
            }
            Some([tag, names]) if tag == 1 => names
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n == PROJECT)),
            Some([tag, user]) if tag == 3 => user == USER,
            _ => false,
        }
    }

    ::macaroon::initialize().expect("libsodium initializes");
    let mut group = c.benchmark_group("macaroon_crate");
    for case in cases {
        assert_eq!((case.now, case.user_id.as_str()), (NOW, USER));
        let body = case.token.strip_prefix("pypi-").expect("prefix").to_owned();
        let check = |body: &str| -> bool {
            let key = MacaroonKey::generate(&case.root_key);
            let Ok(m) = Macaroon::deserialize(body) else {
                return false;
            };
            let mut verifier = Verifier::default();
            verifier.satisfy_general(satisfied);
            verifier.verify(&m, &key, Vec::new()).is_ok()
        };
        assert!(
            check(&body),
            "the macaroon crate verifies the {} token",
            case.caveats
        );
        group.bench_with_input(
            BenchmarkId::new("verify", case.caveats),
            &body,
            |b, body| b.iter(|| check(black_box(body))),
        );
    }
    group.finish();
}

fn suite(c: &mut Criterion) {
    let mut group = c.benchmark_group("suite");
    group.sample_size(10);
    group.bench_function("run_all", |b| {
        b.iter(|| {
            let files = vectors::shipped().expect("vectors parse");
            let mut passed = 0usize;
            for file in &files {
                for v in &file.vectors {
                    for profile in [Profile::Warehouse, Profile::Strict] {
                        let result = vectors::check(&Reference, v, profile);
                        passed += usize::from(matches!(result, vectors::CheckResult::Pass));
                    }
                }
            }
            passed
        })
    });
    group.finish();
}

/// DPoP proof checking, every check of RFC 9449 §4.3 including `ath` and `jkt`, for an ES256
/// proof (`dpop/rfc/figure-13`) and an EdDSA one (`dpop/nonce/with-ath-and-jkt`, with a nonce
/// too), the proofs `benches/peers/run` gives the peers. The id ends in the signature backend
/// compiled in (`dpop/verify/es256/rustcrypto`, `…/aws-lc-rs` with the feature `aws-lc-rs`).
fn dpop_verify(c: &mut Criterion, files: &[VectorFile]) {
    let mut group = c.benchmark_group("dpop");
    for (name, id) in [
        ("es256", "dpop/rfc/figure-13"),
        ("eddsa", "dpop/nonce/with-ath-and-jkt"),
    ] {
        let input: vectors::DpopProofInput =
            serde_json::from_value(find(files, id).input.clone()).expect("dpop_proof input");
        let request = ProofRequest {
            access_token: input.access_token.as_deref(),
            expected_jkt: input.expected_jkt.as_deref(),
            nonce: input.nonce.as_deref(),
            ..ProofRequest::new(&input.method, &input.url, input.now)
        };
        assert!(
            dpop::verify_proof(&input.proof, &request).is_ok(),
            "the {name} proof verifies"
        );
        group.bench_with_input(
            BenchmarkId::new("verify", format!("{name}/{}", jose::BACKEND)),
            &input.proof,
            |b, proof| b.iter(|| dpop::verify_proof(black_box(proof), &request)),
        );
        // The signature alone, the key and the proof parsed beforehand: what the rest of the
        // check adds is the difference to `verify`.
        let jws = jose::jws::parse_compact(&input.proof).expect("a JWS");
        let key = jose::jwk::Jwk::from_value(&jws.header["jwk"]).expect("a key");
        let alg = jose::jws::Alg::from_name(jws.header["alg"].as_str().expect("alg")).expect("alg");
        group.bench_function(
            BenchmarkId::new("signature", format!("{name}/{}", jose::BACKEND)),
            |b| {
                b.iter(|| {
                    jose::jws::verify_signature(
                        alg,
                        &key,
                        black_box(jws.signing_input.as_bytes()),
                        &jws.signature,
                        jose::jws::HighS::Accept,
                    )
                })
            },
        );
    }
    group.finish();
}

/// ATR's API JWTs: the bearer check of today (`atr-jwt/baseline/as-issued`), and a request
/// under DPoP binding (`atr-dpop/baseline/{ed25519,p256}`): the token, `cnf`, and the proof
/// with `ath` and `jkt`. Each iteration gets a fresh replay cache, as a first presentation.
fn atr_verify(c: &mut Criterion, files: &[VectorFile]) {
    let mut group = c.benchmark_group("atr");
    let bearer: vectors::AtrJwtInput =
        serde_json::from_value(find(files, "atr-jwt/baseline/as-issued").input.clone())
            .expect("atr_jwt input");
    let check = || {
        atr::verify_atr(
            &bearer.authorization,
            bearer.key.as_bytes(),
            &bearer.iss_aud,
            bearer.now,
        )
    };
    assert!(check().is_ok(), "the bearer token verifies");
    group.bench_function("verify/bearer", |b| b.iter(|| black_box(check())));
    for (name, id) in [
        ("eddsa", "atr-dpop/baseline/ed25519"),
        ("es256", "atr-dpop/baseline/p256"),
    ] {
        let i: vectors::AtrDpopRequestInput =
            serde_json::from_value(find(files, id).input.clone()).expect("atr_dpop_request input");
        let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
        let fields: Vec<&str> = i.dpop.iter().map(String::as_str).collect();
        let request = atr::BoundRequest {
            fields: i.fields(&authorization, &fields),
            now: i.now,
            key: i.key.as_bytes(),
            iss_aud: &i.iss_aud,
        };
        let check = || {
            let mut cache = ReplayCache::new(4, dpop::DEFAULT_MAX_AGE);
            atr::verify_bound_request(black_box(&request), &mut cache)
        };
        assert!(check().is_ok(), "the {name} request verifies");
        group.bench_function(BenchmarkId::new("bound_request", name), |b| b.iter(check));
    }
    group.finish();
}

/// A PyPI token bound by `[5, jkt]` presented with its proof as one request
/// (`macaroon-dpop/baseline/{ed25519,p256}`): the header fields, the proof with `ath`, the
/// strict verification with the proof's key, and the binding check. A fresh replay cache each
/// time, as a first presentation.
fn presented(c: &mut Criterion, files: &[VectorFile]) {
    let mut group = c.benchmark_group("presented");
    for (name, id) in [
        ("eddsa", "macaroon-dpop/baseline/ed25519"),
        ("es256", "macaroon-dpop/baseline/p256"),
    ] {
        let i: vectors::MacaroonDpopRequestInput =
            serde_json::from_value(find(files, id).input.clone()).expect("request input");
        let authorization: Vec<&str> = i.authorization.iter().map(String::as_str).collect();
        let fields: Vec<&str> = i.dpop.iter().map(String::as_str).collect();
        i.with_row(|issued, request| {
            let presented = verify::PresentedRequest {
                fields: i.fields(&authorization, &fields),
                request: *request,
            };
            let check = || {
                let mut cache = ReplayCache::new(4, dpop::DEFAULT_MAX_AGE);
                verify::verify_presented(black_box(&presented), issued, &mut cache)
            };
            assert!(check().is_ok(), "the {name} request verifies");
            group.bench_function(BenchmarkId::new("verify", name), |b| b.iter(check));
        })
        .expect("hex key");
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let files = shipped();
    let cases = scaling_cases(&files);
    floor(c, &cases);
    compressions_floor(c, &cases);
    verify_paths(c, &cases);
    decode(c, &cases);
    breakdown(c, &cases);
    caveat_parse(c, &files);
    restrict_and_inspect(c, &files, &cases);
    #[cfg(feature = "macaroon-peer")]
    macaroon_crate(c, &cases);
    dpop_verify(c, &files);
    atr_verify(c, &files);
    presented(c, &files);
    suite(c);
}

criterion_group!(hot_path, benches);
criterion_main!(hot_path);
